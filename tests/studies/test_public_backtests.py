"""studies.backtests and studies.tokens_drift: the book's tables, on rows and exponents made by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.studies.public_backtests import (
    BACKTEST_SETS,
    backtest_grid,
    backtest_numbers,
    backtest_table,
    coverage_table,
    untestable_table,
)
from chinchilla_lib.studies.tokens_drift import drift_by_set, drift_numbers, drift_table


def _row(set_, k, pred, obs, inside, loss_error=None, loss_inside=None, verdict="decided"):
    return {"set": set_, "approach": k, "cutoff_flops": 1e20, "heldout_flops": 3e20, "predicted_n_opt": pred,
            "predicted_n_opt_interval": None if pred is None else [0.9 * pred, 1.1 * pred], "observed_n_opt": obs,
            "observed_n_opt_interval": [0.95 * obs, 1.05 * obs],
            "n_opt_rel_error": None if pred is None else pred / obs - 1, "n_opt_inside": inside,
            "predicted_loss": None, "observed_loss": 2.0, "loss_error": loss_error, "loss_inside": loss_inside,
            "verdict": verdict, "reason": None}


ROWS = [_row("x", 1, 1.2e9, 1e9, False), _row("x", 2, 1.05e9, 1e9, True), _row("x", 3, 0.9e9, 1e9, True, 0.01, True),
        _row("y", 1, None, 2e9, None, verdict="refused"), _row("y", 2, 3e9, 2e9, False),
        _row("y", 3, 2.2e9, 2e9, True, -0.03, False),
        {"set": "z", "approach": None, "verdict": "cannot backtest", "reason": "z: only 3 budget(s) have a minimum"}]


def test_coverage_and_errors_per_approach_by_hand():
    table = coverage_table(ROWS).set_index("approach")
    assert table.loc[1, "refused"] == 1 and table.loc[1, "scored"] == 1 and table.loc[1, "N_opt coverage"] == 0.0
    assert table.loc[2, "N_opt coverage"] == 0.5 and table.loc[2, "median |N_opt error|"] == pytest.approx(0.275)
    assert table.loc[3, "N_opt coverage"] == 1.0 and table.loc[3, "largest |N_opt error|"] == pytest.approx(0.1)
    numbers = backtest_numbers(ROWS)
    assert numbers["n_sets"] == 3 and numbers["n_untestable"] == 1 and numbers["n_backtests"] == 6
    assert numbers["n_scored"] == 5 and numbers["n_inside"] == 3 and numbers["coverage"] == pytest.approx(60.0)
    assert numbers["best_approach"] == 3  # median |error| 0.1 against 0.2 (approach 1) and 0.275 (approach 2)
    assert numbers["loss_scored"] == 2 and numbers["loss_coverage"] == pytest.approx(50.0)
    assert numbers["loss_median_error"] == pytest.approx(2.0) and numbers["loss_largest_error"] == pytest.approx(3.0)


def test_reader_tables_keep_every_run_backtest_and_name_what_stops_the_rest():
    table = backtest_table(ROWS)
    assert len(table) == 6 and list(table["inside"]) == ["no", "yes", "yes", "", "no", "yes"]
    assert table.loc[0, "predicted N_opt (B)"] == pytest.approx(1.2) and table.loc[0, "80% interval"] == "1.08-1.32"
    assert untestable_table(ROWS).to_dict("records") == [
        {"data set": "z", "what it is": "z", "why": "only 3 budget(s) have a minimum"}]


def test_the_book_backtests_figure4_once_and_no_training_curves():
    assert "hoffmann-fig4" in BACKTEST_SETS and "hoffmann-fig4:all" not in BACKTEST_SETS
    assert "llama-1" not in BACKTEST_SETS


def test_drift_slope_is_one_minus_twice_a():
    # D/N = C / (6 N^2) and N ∝ C^a, so the slope of ln(D/N) on ln C is 1 - 2a, by hand.
    table = pd.DataFrame({"data set": ["a", "b", "c", "d"], "parameters": "total", "approach": 2,
                          "a": [0.5, 0.4, 0.6, 0.7], "low": [0.45, 0.38, 0.55, np.nan],
                          "high": [0.55, 0.42, 0.65, np.nan], "tokens per parameter": 20.0,
                          "status": ["decided", "decided", "flagged", "refused"]})
    drift = drift_table(table)
    assert list(drift["data set"]) == ["a", "b", "c"]  # the refused fit says nothing
    assert drift["slope"].tolist() == pytest.approx([0.0, 0.2, -0.2])
    assert drift[["low", "high"]].to_numpy().ravel() == pytest.approx([-0.1, 0.1, 0.16, 0.24, -0.3, -0.1])
    assert drift["reading"].tolist() == ["cannot tell", "rises", "falls"]
    numbers = drift_numbers(drift)
    assert (numbers["n_rises"], numbers["n_falls"], numbers["n_cannot"]) == (1, 1, 1)
    assert (numbers["n_decided_rises"], numbers["n_decided_falls"]) == (1, 0)


def test_drift_by_set_groups_what_each_set_s_decided_fits_say():
    def row(name, count, a, low, high, status="decided"):
        return {"data set": name, "parameters": count, "approach": 2, "a": a, "low": low, "high": high,
                "tokens per parameter": 20.0, "status": status}

    table = pd.DataFrame([row("up", "total", 0.4, 0.38, 0.42), row("up", "total", 0.45, 0.44, 0.46),
                          row("two", "total", 0.5, 0.45, 0.55), row("two", "non-embedding", 0.6, 0.55, 0.65),
                          row("flag", "total", 0.4, 0.38, 0.42, "flagged"), row("odd", "total", 0.4, 0.38, 0.42),
                          row("odd", "total", 0.6, 0.58, 0.62)])
    assert drift_by_set(drift_table(table)) == {"rises": "up", "falls": "two (non-embedding)", "mixed": "odd",
                                                "cannot_tell": "two (total)"}


def test_the_grid_has_one_row_per_set_and_a_cell_per_approach():
    grid = backtest_grid(ROWS).set_index("data set")
    assert list(grid.index) == ["x", "y"]
    assert grid.loc["x", "Approach 1"] == "+20% (outside)" and grid.loc["x", "Approach 2"] == "+5% (inside)"
    assert grid.loc["y", "Approach 1"] == "refused" and grid.loc["x", "loss error"] == 0.01
    assert grid.loc["x", "observed N_opt (B)"] == "1 (0.95-1.05)"
