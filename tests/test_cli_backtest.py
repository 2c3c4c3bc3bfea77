"""``python -m chinchilla_lib backtest``: its JSON contract, a prediction recomputed by hand, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_run import run_cli

from chinchilla_lib.approaches.backtest import ROW_KEYS
from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.laws import ParametricLaw

PROG = "python -m chinchilla_lib backtest"
LAW = ParametricLaw(E=1.7, A=400.0, B=400.0, alpha=0.3, beta=0.3, name="symmetric")
BUDGETS = np.geomspace(1e18, 1e21, 6)


@pytest.fixture(scope="module")
def runs_csv(tmp_path_factory):
    runs = simulate_isoflop(LAW, BUDGETS, n_sizes=7, width=0.6, noise=0.005, seed=4)
    path = tmp_path_factory.mktemp("backtest") / "runs.csv"
    runs[["n_params", "flops", "loss"]].to_csv(path, index=False)
    return path, runs


def _rows(argv):
    code, out, err = run_cli(["backtest", *argv, "--json"])
    assert code == 0, err
    return json.loads(out)["rows"]


def test_rows_carry_the_contract_keys_in_order(runs_csv):
    rows = _rows(["--csv", str(runs_csv[0]), "--approach", "all", "--holdout", "2"])
    assert [(r["approach"], r["heldout_flops"]) for r in rows] == [
        (k, pytest.approx(c)) for k in (1, 2, 3) for c in BUDGETS[-2:]]
    for row in rows:
        assert list(row)[:len(ROW_KEYS)] == list(ROW_KEYS) and row["set"] == "csv"
        assert row["cutoff_flops"] == pytest.approx(BUDGETS[-3])
    assert rows[0]["predicted_loss"] is None and rows[-1]["predicted_loss"] is not None  # only Approach 3 has a loss


def test_approach2_prediction_recomputed_by_hand(runs_csv):
    # A second implementation: a parabola of loss in ln N per budget (numpy.polyfit), its vertex, then a line of
    # ln N_opt on ln C through the training budgets' vertices, read at the held-out budget.
    path, runs = runs_csv
    row = _rows(["--csv", str(path), "--approach", "2"])[0]
    vertices = {}
    for c, part in runs.groupby("flops"):
        c2, c1, _ = np.polyfit(np.log(part["n_params"]), part["loss"], 2)
        vertices[c] = -c1 / (2 * c2)
    train = sorted(vertices)[:-1]
    slope, intercept = np.polyfit(np.log(train), [vertices[c] for c in train], 1)
    held = sorted(vertices)[-1]
    assert row["predicted_n_opt"] == pytest.approx(np.exp(intercept + slope * np.log(held)), rel=1e-6)
    assert row["observed_n_opt"] == pytest.approx(np.exp(vertices[held]), rel=1e-6)
    assert row["n_opt_rel_error"] == pytest.approx(row["predicted_n_opt"] / row["observed_n_opt"] - 1)


def test_the_same_seed_gives_the_same_rows(runs_csv):
    argv = ["--csv", str(runs_csv[0]), "--approach", "3", "--seed", "7"]
    assert _rows(argv) == _rows(argv)


def test_a_named_set_is_backtested():
    rows = _rows(["--data", "hoffmann-fig4", "--approach", "2"])
    assert len(rows) == 1 and rows[0]["set"] == "hoffmann-fig4" and rows[0]["verdict"] in ("decided", "flagged")
    assert rows[0]["heldout_flops"] > rows[0]["cutoff_flops"] > 0


@pytest.mark.parametrize("argv, message", [
    (["--data", "llama-1"], "llama-1 holds training curves only, no finished runs on several budgets"),
    (["--data", "elsewhere"], "unknown data set 'elsewhere'"),
    (["--data", "hoffmann-fig4", "--holdout", "0"], "--holdout"),
    (["--data", "hoffmann-fig4", "--holdout", "9"], "holdout 9 leaves"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message):
    code, out, err = run_cli(["backtest", *argv])
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert err.startswith(f"{PROG}: error: ")


def test_a_csv_without_a_loss_column_is_one_line(tmp_path):
    path = tmp_path / "runs.csv"
    pd.DataFrame({"n_params": [1e8, 2e8], "flops": [1e18, 1e18]}).to_csv(path, index=False)
    code, out, err = run_cli(["backtest", "--csv", str(path)])
    assert code == 2 and out == "" and "loss" in err and err.count("\n") == 1


def test_the_reference_page_lists_the_row_keys_in_order():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "chapters" / "cli_reference.md").read_text()
    listed = page.split("with the keys", 1)[1].split("(`null`", 1)[0]
    assert [k.strip(" `\n") for k in listed.replace("\n", " ").split(",")] == list(ROW_KEYS)
