"""chinchilla_lib.cli: the command line's JSON contract and bad-input exits, its output for runs whose answer is
known, and plan --inference-tokens / --target-loss."""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from cli_run import run_cli

from chinchilla_lib import cli
from chinchilla_lib.cli import _number, _one_line, _strict, build_parser, main
from chinchilla_lib.datasets.named import curve_sets, data_names
from chinchilla_lib.laws import get_law
from chinchilla_lib.laws import inference as inf

# ======== The command line: JSON contract and bad-input exits.

def run_cli_in_subprocess(*args):
    proc = subprocess.run([sys.executable, "-m", "chinchilla_lib", *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_plan_json_for_gophers_budget():
    code, out, err = run_cli_in_subprocess("plan", "--flops", "5.76e23", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {"n_params", "n_tokens", "tokens_per_param", "loss", "flops"} <= result.keys()
    law = get_law("paper-full")
    n, d = law.optimal_allocation(5.76e23)
    assert result["n_params"] == pytest.approx(n) and result["n_tokens"] == pytest.approx(d)
    assert result["tokens_per_param"] == pytest.approx(d / n)
    assert result["flops"] == 5.76e23
    assert 6 * result["n_params"] * result["n_tokens"] == pytest.approx(5.76e23)


def test_plan_with_the_printed_law(capsys):
    assert main(["plan", "--flops", "1e21", "--law", "paper", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["law"] == "paper"
    assert result["n_params"] == pytest.approx(get_law("paper").optimal_allocation(1e21)[0])


def test_plan_text_output(capsys):
    assert main(["plan", "--flops", "1e21"]) == 0
    assert "tokens_per_param" in capsys.readouterr().out


def test_flops_json():
    code, out, _ = run_cli_in_subprocess("flops", "--d-model", "640", "--ffw-size", "2560", "--kv-size", "64",
                           "--n-heads", "10", "--n-layers", "10", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["n_params"] == 73825280
    assert round(result["ratio_no_embeddings"], 2) == 1.03
    assert result["flops_per_token_6n"] == 6 * result["n_params"]
    assert result["ratio"] == pytest.approx(result["flops_per_token"] / result["flops_per_token_6n"])


def test_scorecard_json_rows(scorecard_once, capsys):
    code = main(["scorecard", "--json"])  # in process, so the rows come from the session's one scorecard
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out)
    assert len(result["rows"]) == len(scorecard_once)
    row = result["rows"][0]
    assert {"id", "quantity", "reference", "source", "ours", "difference", "tolerance", "status"} <= row.keys()
    assert sum(result["counts"].values()) == len(result["rows"])


@pytest.mark.parametrize(
    "args, argname",
    [
        (["plan", "--flops", "-1e20"], "--flops"),
        (["plan", "--flops", "0"], "--flops"),
        (["plan", "--flops", "nan"], "--flops"),
        (["plan", "--flops", "inf"], "--flops"),
        (["plan", "--flops", "a lot"], "--flops"),
        (["plan", "--flops", "1e21", "--law", "nope"], "--law"),
        (["flops", "--d-model", "0", "--ffw-size", "1", "--kv-size", "1", "--n-heads", "1", "--n-layers", "1"],
         "--d-model"),
        (["flops", "--d-model", "64.5", "--ffw-size", "1", "--kv-size", "1", "--n-heads", "1", "--n-layers", "1"],
         "--d-model"),
        (["flops", "--d-model", "64", "--ffw-size", "1", "--kv-size", "1", "--n-heads", "1"], "--n-layers"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_argument(args, argname):
    code, out, err = run_cli_in_subprocess(*args)
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage")]
    assert len(lines) == 1 and argname in lines[0], err


# ------------------------------------------------------------------ fit


def test_fit_approach3_json_keys_and_replication_values():
    code, out, err = run_cli_in_subprocess("fit", "--approach", "3", "--data", "hoffmann-fig4", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {"E", "A", "B", "alpha", "beta", "a", "b", "objective", "n_points"} <= result.keys()
    assert set(result["timing"]) == {"seconds"} and "seconds" not in result  # timings apart from results
    assert result["n_points"] == 240
    assert abs(result["E"] - 1.817) < 0.005 and abs(result["alpha"] - 0.347) < 0.005
    assert abs(result["beta"] - 0.367) < 0.005
    assert result["a"] == pytest.approx(result["beta"] / (result["alpha"] + result["beta"]))


def test_fit_approach3_bootstrap_adds_intervals_and_is_seeded(capsys):
    args = ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "200", "--seed", "3", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["intervals"] == second["intervals"]
    lo, hi = first["intervals"]["alpha"]["p10"], first["intervals"]["alpha"]["p90"]
    assert lo < first["alpha"] < hi


def test_fit_approach3_from_csv(tmp_path, capsys):
    from chinchilla_lib.datasets import load_hoffmann_fig4

    path = tmp_path / "runs.csv"
    load_hoffmann_fig4(exclude_highest_loss=5)[["n_params", "n_tokens", "loss"]].to_csv(path, index=False)
    assert main(["fit", "--approach", "3", "--csv", str(path), "--json"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert main(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--json"]) == 0
    builtin = json.loads(capsys.readouterr().out)
    assert from_csv["E"] == pytest.approx(builtin["E"]) and from_csv["n_points"] == 240


def test_fit_approach2_json_keys(capsys):
    assert main(["fit", "--approach", "2", "--data", "hoffmann-fig4", "--bootstrap", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"a", "b", "budgets", "n_opt", "d_opt"} <= result.keys()
    assert result["a"] + result["b"] == pytest.approx(1.0)
    assert len(result["budgets"]) == len(result["n_opt"]) == len(result["d_opt"]) == 9
    for c, n, d in zip(result["budgets"], result["n_opt"], result["d_opt"]):
        assert 6 * n * d == pytest.approx(c)


def test_fit_approach2_porian_matches_their_exponent(capsys):
    from chinchilla_lib.datasets import porian_configurations

    name = "rw-base-long-kaplan-kaplan-train"
    assert main(["fit", "--approach", "2", "--data", f"porian:{name}", "--bootstrap", "0", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    theirs = porian_configurations().set_index("configuration").loc[name, "n_exponent"]
    assert abs(result["a"] - theirs) < 0.03


def test_porian_list(capsys):
    assert main(["fit", "--approach", "2", "--data", "porian:list", "--json"]) == 0
    configs = json.loads(capsys.readouterr().out)
    assert isinstance(configs, list) and len(configs) == 15
    assert set(configs[0]) == {"name", "dataset", "hparams", "warmup", "decay", "param_count", "val"}


@pytest.mark.parametrize(
    "args, argname",
    [
        (["fit", "--approach", "4", "--data", "hoffmann-fig4"], "--approach"),
        (["fit", "--approach", "3", "--data", "nope"], "--data"),
        (["fit", "--approach", "3", "--data", "porian:rw-base-long-kaplan-kaplan-train"], "--data"),
        (["fit", "--approach", "2", "--data", "porian:nope"], "--data"),
        (["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "-5"], "--bootstrap"),
        (["fit", "--approach", "3", "--csv", "/no/such/file.csv"], "--csv"),
        (["fit", "--approach", "3"], "--data"),
    ],
)
def test_fit_bad_input(args, argname):
    code, out, err = run_cli_in_subprocess(*args)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage")]
    assert len(lines) == 1 and argname in lines[0], err


@pytest.mark.parametrize(
    "content, message",
    [
        ("n_params,n_tokens\n1e9,2e10\n", "loss"),
        ("n_params,n_tokens,loss\n1e9,2e10,abc\n" * 1, "loss"),
        ("n_params,n_tokens,loss\n" + "1e9,2e10,nan\n" * 8, "loss"),
        ("n_params,n_tokens,loss\n" + "-1e9,2e10,3.0\n" * 8, "n_params"),
        ("n_params,n_tokens,loss\n" + "1e9,2e10,3.0\n" * 3, "6"),
    ],
)
def test_fit_bad_csv_exits_2_naming_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = run_cli_in_subprocess("fit", "--approach", "3", "--csv", str(path))
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_unobtainable_data_set_is_one_line_not_a_traceback(tmp_path, monkeypatch):
    from chinchilla_lib.datasets import external

    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path))  # an empty mirror
    monkeypatch.setattr(external, "_EXTERNAL_URLS", {k: "http://127.0.0.1:9/unreachable" for k in external._EXTERNAL_URLS})
    code = main(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--json"])
    assert code == 2


def test_unobtainable_data_set_message_names_the_variable(tmp_path, capsys, monkeypatch):
    from chinchilla_lib.datasets import external

    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path))
    monkeypatch.setattr(external, "_EXTERNAL_URLS", {k: "http://127.0.0.1:9/unreachable" for k in external._EXTERNAL_URLS})
    main(["fit", "--approach", "2", "--data", "hoffmann-fig4"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CHINCHILLA_LIB_DATA" in err and "Traceback" not in err


# ======== The command line's output, in process: what each command prints for runs whose answer is known.
# The runs are made from known laws (exact parabolas for Approach 2, L = E + A/N^alpha + B/D^beta
# for Approach 3), so the expected numbers are the laws' own constants and Eq. 4, not the code's output.

LAW = dict(E=1.7, A=400.0, B=410.0, alpha=0.34, beta=0.28)
INLINE = ",".join(f"{k}={v}" for k, v in LAW.items())
PF_DAY = 1e15 * 86400


run = run_cli


def eq4(flops, E, A, B, alpha, beta):
    """N_opt, D_opt and the loss on the frontier (Hoffmann et al. Eq. 4), by hand."""
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    d = flops / (6 * n)
    return n, d, E + A / n**alpha + B / d**beta


def law_runs(noise=0.0):
    """36 runs on a 6 x 6 grid of sizes and tokens, final loss from LAW (times a fixed +-noise pattern)."""
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e7, 1e9, 6), np.geomspace(1e9, 1e11, 6)))
    loss = LAW["E"] + LAW["A"] / n ** LAW["alpha"] + LAW["B"] / d ** LAW["beta"]
    pattern = np.tile([1.0, -1.0, 0.5, -0.5, 0.0, 0.25], 6)
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": loss * (1 + noise * pattern)})


def isoflop_runs():
    """Exact parabolas in ln N around N_opt = 0.1 C^0.5 on three budgets (so D_opt = C^0.5 / 0.6)."""
    rows = []
    for c in (1e18, 1e20, 1e22):
        centre = math.log(0.1 * c**0.5)
        for k in range(-3, 4):
            rows.append((math.exp(centre + 0.4 * k), c, 3.0 - 0.1 * math.log10(c) + 0.2 * (0.4 * k) ** 2))
    return pd.DataFrame(rows, columns=["n_params", "flops", "loss"])


def curves():
    """Training curves of four sizes under LAW (loss at each step from the law itself)."""
    rows = []
    for size in (1e7, 3e7, 1e8, 3e8):
        for tokens in np.geomspace(1e8, 1e11, 25):
            loss = LAW["E"] + LAW["A"] / size ** LAW["alpha"] + LAW["B"] / tokens ** LAW["beta"]
            rows.append((f"m{size:.0e}", size, tokens, 6 * size * tokens, loss))
    return pd.DataFrame(rows, columns=["run", "n_params", "n_tokens", "flops", "loss"])


def long_curves():
    """Training curves of thirteen sizes under the paper's full-precision law, long enough that each size leads
    the envelope somewhere above the first curve's end: the gate decides Approach 1 on them."""
    law = get_law("paper-full")
    rows = [(f"m{n:.3g}", n, t, 6 * n * t, float(law.loss(n, t)))
            for n in np.geomspace(1e7, 1e10, 13) for t in np.geomspace(1e8, 1e13, 60)]
    return pd.DataFrame(rows, columns=["run", "n_params", "n_tokens", "flops", "loss"])


def csv(tmp_path, frame, name="runs.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


# ------------------------------------------------------------------ argument parsing


def test_number_parses_what_each_flag_allows():
    assert _number("--flops")("2.5e20") == 2.5e20
    value = _number("--seed", integer=True, allow_zero=True)("0")
    assert value == 0 and type(value) is int
    assert type(_number("--bootstrap", integer=True)("2e2")) is int
    assert _number("--bootstrap", integer=True, at_most=100)("100") == 100


@pytest.mark.parametrize("kwargs, text, message", [
    ({}, "lots", "--x must be a number, got 'lots'"),
    ({}, "0", "--x must be a positive finite number, got '0'"),
    ({}, "-3", "--x must be a positive finite number, got '-3'"),
    ({}, "inf", "--x must be a positive finite number, got 'inf'"),
    ({"allow_zero": True}, "-1", "--x must be a finite number >= 0, got '-1'"),
    ({"allow_zero": True}, "nan", "--x must be a finite number >= 0, got 'nan'"),
    ({"at_most": 100}, "101", "--x must be at most 100, got '101'"),
    ({"integer": True}, "1.5", "--x must be a whole number, got '1.5'"),
])
def test_number_refuses_with_the_flag_and_the_rule(kwargs, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as info:
        _number("--x", **kwargs)(text)
    assert str(info.value) == message


def test_a_flag_missing_its_value_says_how_to_give_a_negative_one():
    code, out, err = run(["plan", "--flops", "-1e20"])
    assert code == 2 and out == ""
    assert err.startswith("python -m chinchilla_lib plan: error:") and "--flops=-1e20" in err
    assert len(err.strip().splitlines()) == 1


def test_other_parser_errors_are_one_line_without_the_hint():
    code, _, err = run(["plan", "--no-such-flag"])
    assert code == 2 and "unrecognized arguments" in err and "needs '='" not in err
    assert len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ plan


def test_plan_with_an_inline_law_is_eq4_with_the_budget_in_pf_days():
    code, out, err = run(["plan", "--flops", "1e21", "--law", INLINE, "--json"])
    assert code == 0, err
    result = json.loads(out)
    n, d, loss = eq4(1e21, **LAW)
    assert result["n_params"] == pytest.approx(n, rel=1e-9) and result["n_tokens"] == pytest.approx(d, rel=1e-9)
    assert result["loss"] == pytest.approx(loss, rel=1e-9)
    assert result["pf_days"] == pytest.approx(1e21 / PF_DAY, rel=1e-12)
    assert result["law"] == "inline" and result["warnings"] == []


def test_plan_text_prints_one_padded_line_per_value():
    code, out, _ = run(["plan", "--flops", "1e21", "--law", INLINE])
    assert code == 0
    n, _, _ = eq4(1e21, **LAW)
    lines = out.splitlines()
    assert f"{'n_params':<30} {n:.6g}" in lines
    assert f"{'law':<30} inline" in lines
    assert not any(line.startswith("warnings") for line in lines)


def test_plan_needs_a_budget_or_a_loss():
    code, out, err = run(["plan", "--law", INLINE])
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--flops: give a compute budget" in err


def test_plan_with_an_allocation_has_no_loss_and_gives_pf_days():
    from chinchilla_lib.approaches.allocations import get_allocation

    code, out, err = run(["plan", "--flops", "5.76e23", "--law", "approach1-table3", "--json"])
    assert code == 0, err
    result = json.loads(out)
    expected = get_allocation("approach1-table3").at(5.76e23)
    assert result["n_params"] == pytest.approx(expected["n_params"]) and "loss" not in result
    assert result["pf_days"] == pytest.approx(5.76e23 / PF_DAY)


def test_plan_with_an_unknown_law_lists_the_allocations_too():
    code, _, err = run(["plan", "--flops", "1e21", "--law", "nope"])
    assert code == 2 and err.startswith("python -m chinchilla_lib plan: error: --law: unknown law 'nope'")
    assert "or an allocation: " in err and "approach1-table3" in err


def test_plan_compare_lists_every_allocation(monkeypatch):
    code, out, err = run(["plan", "--flops", "1e22", "--compare", "--json"])
    assert code == 0, err
    entries = json.loads(out)
    from chinchilla_lib.approaches.allocations import allocation_names

    assert [e["law"] for e in entries] == list(allocation_names())  # every answer, in the registry's order
    assert set(entries[0]) == {"law", "approach", "source", "n_params", "n_tokens", "tokens_per_param"}
    code, text, _ = run(["plan", "--flops", "1e22", "--compare"])
    first = text.splitlines()[0]
    assert first.startswith(f"law={entries[0]['law']}  approach=")


def test_plan_compare_refuses_when_an_allocation_cannot_be_computed(monkeypatch):
    """A missing answer is an error (exit 2, one line naming it), never a shorter list."""
    from chinchilla_lib.approaches import allocations
    from chinchilla_lib.datasets import DataFileError

    real = allocations.get_allocation

    def flaky(name):
        if name == "approach2-fig4":
            raise DataFileError("mirror file missing")
        return real(name)

    monkeypatch.setattr(allocations, "get_allocation", flaky)
    code, out, err = run(["plan", "--flops", "1e22", "--compare", "--json"])
    assert code == 2 and out == ""
    assert err == (f"{PROG} plan: error: --compare: approach2-fig4 cannot be computed (mirror file missing); "
                   "or compare only the printed allocations with --printed-only\n")
    code, out, err = run(["plan", "--flops", "1e22", "--compare", "--printed-only", "--json"])
    assert code == 0, err
    assert [e["law"] for e in json.loads(out)] == list(allocations.PRINTED_ALLOCATIONS)


def test_plan_compare_refuses_a_corrupt_projections_table(monkeypatch, data_copy):
    """A damaged data/ table behind a printed allocation stops --compare with the file named."""
    from chinchilla_lib.datasets import paper_tables

    path = data_copy / "projections.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n1,not a number,,\n")
    monkeypatch.setattr(paper_tables, "DATA_DIR", data_copy)
    code, out, err = run(["plan", "--flops", "1e22", "--compare", "--json"])
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--compare: approach1-table3 cannot be computed" in err and "projections.csv" in err


def test_plan_compare_refuses_a_law_it_would_ignore():
    for law in ("paper", "nope"):
        code, _, err = run(["plan", "--flops", "1e22", "--compare", "--law", law])
        assert code == 2
        assert err == (f"{PROG} plan: error: --law does not apply with --compare, which gives every named "
                       "allocation; drop one of them\n")
    code, _, err = run(["plan", "--flops", "1e22", "--printed-only"])
    assert code == 2 and err == f"{PROG} plan: error: --printed-only applies only with --compare\n"


def test_plan_for_inference_refuses_both_or_neither_target():
    code, _, err = run(["plan", "--inference-tokens", "1e12", "--flops", "1e21", "--target-loss", "2.2"])
    assert code == 2 and "--target-loss: give --flops or --target-loss, not both" in err
    code, _, err = run(["plan", "--inference-tokens", "1e12"])
    assert code == 2 and err == ("python -m chinchilla_lib plan: error: --inference-tokens: also give --flops C (keep its "
                                 "compute-optimal loss) or --target-loss L\n")
    code, _, err = run(["plan", "--inference-tokens", "1e12", "--flops", "1e21", "--law", "nope"])
    assert code == 2 and "--law: unknown law" in err


def test_plan_for_inference_flattens_the_compute_optimal_model_in_text():
    code, out, err = run(["plan", "--inference-tokens", "0", "--flops", "1e21", "--law", INLINE, "--json"])
    assert code == 0, err
    result = json.loads(out)
    n, d, _ = eq4(1e21, **LAW)
    assert result["compute_optimal"]["n_params"] == pytest.approx(n, rel=1e-6)
    code, text, _ = run(["plan", "--inference-tokens", "0", "--flops", "1e21", "--law", INLINE])
    assert any(line.startswith("compute_optimal.n_params ") for line in text.splitlines())


def test_plan_for_inference_names_the_target_loss_when_it_is_unreachable():
    code, out, err = run(["plan", "--inference-tokens", "1e12", "--target-loss", "1.5", "--law", INLINE])
    assert code == 2 and out == "" and "--target-loss:" in err and err.count("\n") == 1


def test_plan_for_inference_alone_names_no_flag_for_a_bad_budget():
    code, _, err = run(["plan", "--inference-tokens", "1e12", "--flops", "1", "--law", INLINE])
    assert code == 2 and "--target-loss" not in err and err.count("\n") == 1


# ------------------------------------------------------------------ flops


def test_flops_of_the_73m_model_is_appendix_f_by_hand():
    code, out, err = run(["flops", "--d-model", "640", "--ffw-size", "2560", "--kv-size", "64", "--n-heads", "10",
                          "--n-layers", "10", "--json"])
    assert code == 0, err
    result = json.loads(out)
    s, d, f, v, h, w, layers = 2048, 640, 2560, 32000, 10, 640, 10  # defaults: seq 2048, vocab 32000
    attention = 6 * s * d * w + 2 * s * s * w + 3 * h * s * s + 2 * s * s * w + 2 * s * w * d
    per_layer = attention + 4 * s * d * f
    with_emb = 3 * (layers * per_layer + 4 * s * v * d) / s
    without = 3 * layers * per_layer / s
    assert result["n_params"] == 73825280  # Table A4's 73M row
    assert result["n_params_embedding"] == v * d
    assert result["n_params_non_embedding"] == 73825280 - v * d
    assert result["flops_per_token"] == pytest.approx(with_emb, rel=1e-12)
    assert result["flops_per_token_no_embeddings"] == pytest.approx(without, rel=1e-12)
    assert result["flops_per_token_6n"] == 6 * 73825280
    assert result["ratio"] == pytest.approx(with_emb / (6 * 73825280), rel=1e-12)
    assert result["ratio_no_embeddings"] == pytest.approx(without / (6 * 73825280), rel=1e-12)
    assert round(result["ratio_no_embeddings"], 2) == 1.03  # Table A4
    assert (result["seq_len"], result["vocab_size"]) == (2048, 32000)


def test_flops_takes_the_sequence_length_and_vocabulary_given():
    code, out, _ = run(["flops", "--d-model", "64", "--ffw-size", "256", "--kv-size", "16", "--n-heads", "4",
                        "--n-layers", "2", "--seq-len", "128", "--vocab-size", "1000", "--json"])
    result = json.loads(out)
    assert code == 0 and (result["seq_len"], result["vocab_size"]) == (128, 1000)
    assert result["n_params_embedding"] == 1000 * 64


# ------------------------------------------------------------------ scorecard (a stand-in table: the real one takes a minute)


def _fake_scorecard(monkeypatch):
    import chinchilla_lib.checks as checks

    table = pd.DataFrame({"id": ["x.one", "x.two", "x.three"], "status": ["reproduced", "differs", "reproduced"],
                          "ours": [1.25, 2.0, 3.0], "reference": [1.0, 2.5, 3.0], "source": ["T1", "T2", "T3"],
                          "printed_by": ["Hoffmann et al. 2022", "Hoffmann et al. 2022", "Porian et al. 2024"]})
    monkeypatch.setattr(checks, "scorecard", lambda: table)


def test_scorecard_json_counts_each_status(monkeypatch):
    _fake_scorecard(monkeypatch)
    code, out, _ = run(["scorecard", "--json"])
    result = json.loads(out)
    assert code == 0 and result["counts"] == {"reproduced": 2, "differs": 1}
    # the reproduced rows by whose number they reproduce: the Chinchilla paper's, later papers', ours
    assert result["reproduced_by"] == {"hoffmann": 1, "later_papers": 1, "this_book": 0}
    assert [r["id"] for r in result["rows"]] == ["x.one", "x.two", "x.three"]


def test_scorecard_text_is_one_line_per_check_and_the_counts(monkeypatch):
    _fake_scorecard(monkeypatch)
    code, out, _ = run(["scorecard"])
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    # The status column is as wide as the longest status, "self-check failed" (17 characters).
    assert lines[0] == f"{'reproduced':<17} {'x.one':<40} ours {1.25:<12.6g} paper {1.0:<12.6g} (T1)"
    assert lines[-1] == "2 reproduced, 1 differs"


# ------------------------------------------------------------------ strict JSON and one-line messages


def test_strict_json_has_no_nan_and_no_numpy_types():
    value = {1: np.float64(2.5), "nan": float("nan"), "inf": -math.inf, "list": (np.int64(3), [np.nan, "a"]),
             "text": "x", "bytes": b"y"}
    out = _strict(value)
    assert out == {"1": 2.5, "nan": None, "inf": None, "list": [3, [None, "a"]], "text": "x", "bytes": b"y"}
    assert type(out["1"]) is float and type(out["list"][0]) is int


def test_one_line_joins_lines_and_names_the_flags():
    assert _one_line(ValueError("a\n  b\tc")) == "a b c"
    assert _one_line(ValueError("")) == "ValueError"
    assert _one_line("pass include_unbracketed=True or raise n_resamples") == \
        "pass --include-unbracketed or raise --bootstrap"


def test_a_key_error_prints_its_message_not_its_quotes(monkeypatch):
    def boom(args):
        raise KeyError("no such thing")

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, out, err = run(["plan", "--flops", "1e20"])
    assert code == 2 and out == "" and err == "python -m chinchilla_lib plan: error: no such thing\n"


def test_an_unreadable_file_names_it(monkeypatch):
    def boom(args):
        raise PermissionError(13, "Permission denied", "/some/file")

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, _, err = run(["plan", "--flops", "1e20"])
    assert code == 2
    assert err == "python -m chinchilla_lib plan: error: cannot access '/some/file' (Permission denied); check the path\n"


def test_an_unexpected_error_names_its_type(monkeypatch):
    def boom(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, _, err = run(["plan", "--flops", "1e20"])
    assert code == 2 and err == "python -m chinchilla_lib plan: error: unexpected ZeroDivisionError: division by zero\n"


def test_warnings_are_printed_once_each_and_listed_in_json(monkeypatch):
    import warnings

    def noisy(args):
        warnings.warn("look\nout", stacklevel=2)
        warnings.warn("look out", stacklevel=2)
        return {"value": 1.0, "warnings": ["look out", "second"]}

    monkeypatch.setitem(cli._COMMANDS, "plan", noisy)
    code, out, err = run(["plan", "--flops", "1e20", "--json"])
    assert code == 0
    assert err.splitlines() == ["python -m chinchilla_lib plan: warning: look out",
                                "python -m chinchilla_lib plan: warning: second"]
    assert json.loads(out) == {"value": 1.0, "warnings": ["look out", "second"]}


def test_a_budget_below_1e12_is_planned_with_a_unit_warning():
    code, out, err = run(["plan", "--flops", "1e11", "--law", INLINE, "--json"])
    assert code == 0 and "warning: flops look like the wrong unit" in err
    assert len(json.loads(out)["warnings"]) == 1


# ------------------------------------------------------------------ fit


def test_fit_approach3_on_runs_of_a_known_law_recovers_it_and_plans_by_eq4(tmp_path):
    path = csv(tmp_path, law_runs())
    code, out, err = run(["fit", "--approach", "3", "--csv", path, "--flops", "1e21", "--json"])
    assert code == 0, err
    result = json.loads(out)
    for key, value in LAW.items():
        assert result[key] == pytest.approx(value, rel=1e-4), key
    assert result["a"] == pytest.approx(0.28 / 0.62, rel=1e-4) and result["b"] == pytest.approx(0.34 / 0.62, rel=1e-4)
    assert result["n_points"] == 36 and result["converged"] is True and result["objective"] < 1e-8
    assert result["approach"] == 3 and "intervals" not in result
    n, d, loss = eq4(1e21, **LAW)
    plan = result["plan"]
    assert set(plan) == {"flops", "n_params", "n_tokens", "tokens_per_param", "loss"}
    assert plan["n_params"] == pytest.approx(n, rel=1e-3) and plan["n_tokens"] == pytest.approx(d, rel=1e-3)
    assert plan["loss"] == pytest.approx(loss, rel=1e-5) and plan["flops"] == 1e21
    assert set(result["timing"]) == {"seconds"} and result["timing"]["seconds"] > 0


def test_fit_approach3_bootstrap_gives_nested_intervals_at_the_budget(tmp_path):
    path = csv(tmp_path, law_runs(noise=0.01))
    code, out, err = run(["fit", "--approach", "3", "--csv", path, "--bootstrap", "20", "--seed", "4",
                          "--flops", "1e21", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["bootstrap"] == 20 and result["seed"] == 4 and result["interval_flops"] == 1e21
    assert set(result["intervals"]) >= {"E", "A", "B", "alpha", "beta"}
    for q, r in result["intervals"].items():
        assert r["p2.5"] <= r["p10"] <= r["p90"] <= r["p97.5"], q
    alpha = result["intervals"]["alpha"]
    assert alpha["p2.5"] < alpha["p10"] < alpha["p90"] < alpha["p97.5"]  # noisy runs: real widths
    lo, hi = result["plan"]["intervals"]["n_params"]
    assert lo < result["plan"]["n_params"] < hi and result["plan"]["level"] == 0.8
    assert result["timing"]["seconds"] > 0


def test_fit_text_names_nested_values_with_dots(tmp_path):
    code, out, _ = run(["fit", "--approach", "3", "--csv", csv(tmp_path, law_runs()), "--flops", "1e21"])
    assert code == 0 and any(line.startswith("plan.n_params ") for line in out.splitlines())
    assert any(line.startswith("timing.seconds ") for line in out.splitlines())


def test_fit_approach3_without_flops_has_no_plan(tmp_path):
    code, out, _ = run(["fit", "--approach", "3", "--csv", csv(tmp_path, law_runs())])
    assert code == 0 and not any(line.startswith("plan.") for line in out.splitlines())
    assert any(line.startswith(f"{'alpha':<30} 0.34") for line in out.splitlines())


def test_fit_approach2_on_exact_parabolas_gives_their_power_law(tmp_path):
    path = csv(tmp_path, isoflop_runs())
    code, out, err = run(["fit", "--approach", "2", "--csv", path, "--bootstrap", "0", "--flops", "1e24", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["approach"] == 2 and result["method"] == "parabola" and result["n_points"] == 21
    assert result["a"] == pytest.approx(0.5, rel=1e-9) and result["b"] == pytest.approx(0.5, rel=1e-9)
    assert result["n_coef"] == pytest.approx(0.1, rel=1e-9) and result["d_coef"] == pytest.approx(1 / 0.6, rel=1e-9)
    assert result["budgets"] == [pytest.approx(c) for c in (1e18, 1e20, 1e22)]
    assert result["n_opt"] == [pytest.approx(0.1 * c**0.5, rel=1e-9) for c in (1e18, 1e20, 1e22)]
    assert result["d_opt"] == [pytest.approx(c**0.5 / 0.6, rel=1e-9) for c in (1e18, 1e20, 1e22)]
    assert result["a_interval"] is None and result["b_interval"] is None and result["warnings"] == []
    assert result["bootstrap"] == 0 and result["seed"] == 0
    assert result["plan"]["n_params"] == pytest.approx(1e11, rel=1e-9)
    assert result["plan"]["loss"] is None


def test_fit_approach2_bootstraps_200_resamples_by_default_and_uses_the_seed(tmp_path):
    path = csv(tmp_path, isoflop_runs())
    code, out, err = run(["fit", "--approach", "2", "--csv", path, "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["bootstrap"] == 200 and len(result["a_interval"]) == 2 and result["warnings"] == []
    assert result["a_interval"] == [pytest.approx(0.5, rel=1e-9)] * 2  # exact parabolas: every resample agrees
    code, out, _ = run(["fit", "--approach", "2", "--csv", path, "--bootstrap", "20", "--seed", "5", "--json"])
    assert json.loads(out)["seed"] == 5 and json.loads(out)["bootstrap"] == 20


def test_fit_approach2_names_the_method_it_used(tmp_path):
    code, out, err = run(["fit", "--approach", "2", "--csv", csv(tmp_path, isoflop_runs()), "--method", "akima",
                          "--bootstrap", "0", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["method"] == "akima" and result["a"] == pytest.approx(0.5, abs=0.02)


def test_fit_approach2_from_tokens_takes_the_budget_as_6nd(tmp_path):
    frame = isoflop_runs()
    frame["n_tokens"] = frame.pop("flops") / (6 * frame["n_params"])
    code, out, err = run(["fit", "--approach", "2", "--csv", csv(tmp_path, frame), "--bootstrap", "0",
                          "--rel-tol", "0.01", "--json"])
    assert code == 0, err
    assert json.loads(out)["a"] == pytest.approx(0.5, rel=1e-6)


def test_fit_approach2_with_a_bad_flops_column_names_the_line(tmp_path):
    frame = isoflop_runs()
    frame.loc[4, "flops"] = -1.0
    code, out, err = run(["fit", "--approach", "2", "--csv", csv(tmp_path, frame)])
    assert code == 2 and out == "" and "line 6: flops is -1.0" in err


def test_fit_approach1_on_training_curves(tmp_path):
    frame = long_curves()
    code, out, err = run(["fit", "--approach", "1", "--csv", csv(tmp_path, frame), "--flops", "1e21", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["approach"] == 1 and 3 <= result["n_models"] <= 13 and result["n_points"] == len(frame)
    lo, hi = result["flops_range"]
    assert frame["flops"].min() <= lo < hi <= frame["flops"].max()
    assert result["a"] + result["b"] == pytest.approx(1.0, abs=1e-6)
    assert result["plan"]["n_params"] == pytest.approx(result["n_coef"] * 1e21 ** result["a"], rel=1e-9)
    assert isinstance(result["warnings"], list)


@pytest.mark.parametrize("argv, message", [
    (["--approach", "1", "--seed", "3"], "--seed does not apply to --approach 1; it is for --approach 2 and --approach 3 only"),
    (["--approach", "3", "--include-unbracketed"], "--include-unbracketed does not apply to --approach 3; it is for --approach 2 only"),
    (["--approach", "2", "--bootstrap", "19"], "--bootstrap: 19 resamples give no interval worth the name; give at least 20"),
    (["--approach", "2", "--bootstrap", "0", "--seed", "1"], "--seed applies only to the bootstrap, and --bootstrap 0 turns it off"),
    (["--approach", "3", "--bootstrap", "0", "--seed", "1"], "--seed applies only with --bootstrap K for --approach 3"),
])
def test_fit_flags_that_do_not_apply_are_errors(tmp_path, argv, message):
    code, out, err = run(["fit", *argv, "--csv", csv(tmp_path, law_runs())])
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_fit_flags_that_apply_are_accepted(tmp_path):
    code, _, err = run(["fit", "--approach", "2", "--csv", csv(tmp_path, isoflop_runs()), "--bootstrap", "20",
                        "--seed", "0", "--rel-tol", "0", "--method", "parabola"])
    assert code == 0, err


def test_fit_csv_with_a_header_only_or_a_bad_value_names_the_file_and_line(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("n_params,n_tokens,loss\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert code == 2 and f"--csv: '{path}' has a header but no runs" in err
    path.write_text("n_params,n_tokens,loss\n1e9,2e10,3\n1e9,0,3\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert f"--csv: '{path}' line 3: n_tokens is 0.0; every n_tokens must be a positive finite number" in err
    path.write_text("n_params,loss\n1e9,3\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert f"--csv: '{path}' lacks column(s) n_tokens; approach 3 needs final losses" in err


def test_fit_csv_that_cannot_be_parsed_is_one_line(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_bytes(b"n_params,n_tokens,loss\n\xff\xfe,1,2\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert code == 2 and f"--csv: cannot read '{path}' ('utf-8' codec can't decode" in err and err.count("\n") == 1
    code, _, err = run(["fit", "--approach", "3", "--csv", str(tmp_path / "none.csv")])
    assert "No such file or directory" in err


@pytest.mark.parametrize("argv, message", [
    (["--approach", "1", "--data", "hoffmann-fig4:all"], "hoffmann-fig4:all holds final losses"),
    (["--approach", "3", "--data", "porian:x"], "porian runs are IsoFLOP profiles; use them with --approach 2\n"),
    (["--approach", "2", "--data", "llama-1"], "llama-1 holds training curves, not final losses; use it with "
     "--approach 1\n"),
    (["--approach", "2", "--data", "elsewhere"], "--data: unknown data set 'elsewhere'"),
])
def test_fit_data_sets_are_used_with_their_approach(argv, message):
    code, out, err = run(["fit", *argv])
    assert code == 2 and out == "" and message in err
    assert err.startswith("python -m chinchilla_lib fit: error: --data: ") and err.count("\n") == 1


def test_porian_list_text_is_one_line_per_configuration():
    code, out, _ = run(["fit", "--approach", "2", "--data", "porian:list"])
    assert code == 0 and len(out.splitlines()) == 15 and out.startswith("name=")


# ------------------------------------------------------------------ help: what each flag means, in the reader's words


def _help(*argv):
    import os

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "200"  # argparse wraps to the terminal's width
    try:
        code, out, _ = run([*argv, "--help"])
    finally:
        os.environ.pop("COLUMNS") if saved is None else os.environ.__setitem__("COLUMNS", saved)
    assert code == 0
    import re

    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(out.split()))  # whatever the width argparse wrapped it to


HELP = {
    (): ["Chinchilla scaling-law tools.", "compute-optimal model size and tokens for a FLOP budget",
         "parameters and training FLOPs per token of a transformer shape",
         "fit Approach 1 (envelope), 2 (IsoFLOP) or 3 (parametric) to training runs",
         "every reproduction check against the paper's printed values",
         "train our own small models: the smoke grid or a committed sweep"],
    ("plan",): ["--flops FLOPS compute budget in FLOPs, e.g. 5.76e23",
                "tokens the model will serve at inference (2N FLOPs each): minimise training plus inference FLOPs "
                "at the loss of --flops's compute-optimal model, or at --target-loss",
                "the loss to reach, nats per token (instead of --flops)",
                "the law: a name (paper-full, the default: the full-precision constants behind Eq. 10; paper: "
                "Eq. 10 as printed; replication)", "or inline E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
                "every named allocation at this budget (printed Approaches 1-3, the paper's laws, Kaplan, our "
                "Figure 4 refits, about 0.3 s); with --json a list", "--json print one JSON object"],
    ("flops",): ["--d-model D_MODEL", "--n-heads N_HEADS", "--seq-len SEQ_LEN", "--vocab-size VOCAB_SIZE",
                 "--json print one JSON object"],
    ("fit",): ["--approach {1,2,3}", "a named set of public runs: hoffmann-fig4 (the 240 points the replication "
               "keeps), hoffmann-fig4:all (all 245)", "porian:NAME (approach 2; porian:list lists the names), "
               "llama-1 (approach 1: the LLaMA-1 training curves)",
               "a CSV of runs: columns n_params,n_tokens,loss (approach 3); n_params,loss and flops or n_tokens "
               "(approach 2); the same plus run or model naming each curve (approach 1)",
               "also plan at this budget in FLOPs: N, D, tokens per parameter (and loss for approach 3), with "
               "intervals when bootstrapped",
               "bootstrap resamples for intervals, 20 to 100000 (approach 3: none by default; approach 2: 200; "
               "0 = none)", "seed of the bootstrap, a whole number >= 0 (default 0)",
               "approach 2 per-budget fit (default: akima for porian:*, their own method; else parabola)",
               "approach 2: group FLOPs within this relative gap into one budget (default 0.03 for hoffmann-fig4, "
               "0 = exact labels otherwise)",
               "approach 2: keep budgets whose minimum lies outside the sampled sizes (extrapolated)",
               "--json print one JSON object"],
    ("scorecard",): ["--json print one JSON object"],
    ("train",): ["--smoke train the small smoke grid and print its runs",
                 "--sweep {isoflop,isoflop-small,isoflop-unrepeated,lr-scan,lr-tune,prediction,prediction-unrepeated,smoke,warmup-check}",
                 "run or resume a committed sweep", "local worker processes, one thread each (default 2)",
                 "address of a Dask distributed scheduler, e.g. tcp://host:8786",
                 "folder of the runs and curves files (default: chinchilla_lib/data/; --smoke: a temporary folder)",
                 "--json print one JSON object"],
}


@pytest.mark.parametrize("command", list(HELP), ids=lambda c: " ".join(c) or "top")
def test_help_says_what_each_flag_means(command):
    import re

    text = _help(*command)
    for phrase in HELP[command]:
        assert re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?!\w)", text), phrase


def test_hoffmann_fig4_all_keeps_the_five_points_the_replication_drops():
    code, out, err = run(["fit", "--approach", "2", "--data", "hoffmann-fig4:all", "--bootstrap", "0", "--json"])
    assert code == 0, err
    assert json.loads(out)["n_points"] == 245  # Figure 4's points; the replication keeps 240


# ------------------------------------------------------------------ parser: exact messages of each flag's rule

PROG = "python -m chinchilla_lib"
SHAPE = ["--d-model", "64", "--ffw-size", "256", "--kv-size", "16", "--n-heads", "4", "--n-layers", "2"]


def test_the_dash_hint_is_added_to_argparse_own_message():
    code, out, err = run(["plan", "--flops", "-1e20"])
    assert code == 2 and out == ""
    assert err == (f"{PROG} plan: error: argument --flops: expected one argument (a value starting with '-' "
                   "needs '=', e.g. --flops=-1e20, and is then checked)\n")


def test_a_command_is_required():
    code, out, err = run([])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG}: error: the following arguments are required: command\n")
    assert err.count("error") == 1


@pytest.mark.parametrize("argv, flag, rule, text", [
    (["plan"], "--flops", "a positive finite number", "0"),
    (["plan", "--flops", "1e21"], "--inference-tokens", "a finite number >= 0", "-1"),
    (["plan", "--inference-tokens", "0"], "--target-loss", "a positive finite number", "0"),
    (["flops", *SHAPE], "--seq-len", "a positive finite number", "0"),
    (["flops", *SHAPE], "--vocab-size", "a positive finite number", "0"),
    (["flops", *SHAPE[2:]], "--d-model", "a positive finite number", "0"),
    (["fit", "--approach", "3", "--csv", "runs.csv"], "--flops", "a positive finite number", "0"),
    (["fit", "--approach", "3", "--csv", "runs.csv"], "--seed", "a finite number >= 0", "-1"),
    (["fit", "--approach", "2", "--csv", "runs.csv"], "--rel-tol", "a finite number >= 0", "-1"),
    (["fit", "--approach", "2", "--csv", "runs.csv"], "--bootstrap", "a finite number >= 0", "-1"),
])
def test_each_flag_names_itself_and_its_rule(argv, flag, rule, text):
    code, out, err = run([*argv, f"{flag}={text}"])
    command = argv[0]
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} {command}: error: argument {flag}: {flag} must be {rule}, got '{text}'\n")


@pytest.mark.parametrize("flag", ["--d-model", "--ffw-size", "--kv-size", "--n-heads", "--n-layers", "--seq-len",
                                  "--vocab-size"])
def test_flops_shape_flags_are_whole_numbers(flag):
    argv = ["flops", *SHAPE]
    if flag in SHAPE:
        i = argv.index(flag)
        del argv[i:i + 2]
    code, out, err = run([*argv, f"{flag}=64.5"])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} flops: error: argument {flag}: {flag} must be a whole number, got '64.5'\n")


def test_flops_whole_numbers_written_as_floats_are_ints():
    code, out, err = run(["flops", "--d-model", "64.0", "--ffw-size", "256", "--kv-size", "16", "--n-heads", "4",
                          "--n-layers", "2", "--seq-len", "128.0", "--vocab-size", "1e3", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert (result["seq_len"], result["vocab_size"]) == (128, 1000)
    assert type(result["seq_len"]) is int and type(result["vocab_size"]) is int


def test_flops_needs_every_shape_flag():
    code, out, err = run(["flops", *SHAPE[:-2]])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} flops: error: the following arguments are required: --n-layers\n")


def test_fit_needs_an_approach_and_a_source():
    code, out, err = run(["fit", "--csv", "runs.csv"])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} fit: error: the following arguments are required: --approach\n")
    code, out, err = run(["fit", "--approach", "3"])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} fit: error: one of the arguments --data --csv is required\n")


def test_fit_method_is_one_of_two():
    code, out, err = run(["fit", "--approach", "2", "--csv", "runs.csv", "--method", "cubic"])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} fit: error: argument --method: invalid choice: 'cubic' "
                        "(choose from 'parabola', 'akima')\n")


def test_plan_help_spells_the_table_a3_allocations():
    text = _help("plan")
    assert "a named allocation (approach1-table3, approach2-tableA3, approach3-tableA3, kaplan" in text


# ------------------------------------------------------------------ subcommand parsers (for the help pages)


def test_subcommand_parsers_of_the_program_are_its_commands():
    parsers = cli.subcommand_parsers()
    assert set(parsers) == {"plan", "flops", "fit", "backtest", "scorecard", "train"}
    assert parsers["fit"].prog == f"{PROG} fit" and isinstance(parsers["fit"], argparse.ArgumentParser)


def test_subcommand_parsers_reads_the_parser_given():
    parser = argparse.ArgumentParser(prog="other")
    sub = parser.add_subparsers(dest="command")
    only = sub.add_parser("only")
    assert cli.subcommand_parsers(parser) == {"only": only}
    assert cli.subcommand_parsers(argparse.ArgumentParser(prog="bare")) == {}


# ------------------------------------------------------------------ train: argument handling only (no training here)


def _fake_train(monkeypatch):
    from chinchilla_lib.train import command

    seen = []

    def fake(args):
        seen.append(args)
        name = "smoke" if args.smoke else args.sweep
        return {"sweep": name, "n_runs": 1, "runs": [{"model": name, "workers": args.workers, "loss": 2.5}]}

    monkeypatch.setattr(command, "run", fake)
    return seen


def test_train_json_prints_the_whole_result(monkeypatch):
    seen = _fake_train(monkeypatch)
    code, out, err = run(["train", "--smoke", "--workers", "3", "--json"])
    assert code == 0, err
    assert json.loads(out) == {"sweep": "smoke", "n_runs": 1, "runs": [{"model": "smoke", "workers": 3, "loss": 2.5}]}
    assert len(seen) == 1 and seen[0].smoke is True and seen[0].out is None


def test_train_text_prints_one_line_per_run(monkeypatch):
    _fake_train(monkeypatch)
    code, out, err = run(["train", "--smoke"])
    assert code == 0, err
    assert out == "model=smoke  workers=2  loss=2.5\n"  # --workers defaults to 2


@pytest.mark.parametrize("signum, code", [(2, 130), (15, 143)])
def test_a_stopped_train_says_so_in_one_line(monkeypatch, signum, code):
    from chinchilla_lib.train import command

    def stopped(args):
        raise command.Stopped("stopped by SIGNAL; the runs are kept", signum)

    monkeypatch.setattr(command, "run", stopped)
    assert run(["train", "--smoke"]) == (code, "", f"{PROG} train: stopped by SIGNAL; the runs are kept\n")


def test_train_without_torch_is_refused_in_one_line(monkeypatch):
    import chinchilla_lib.train as train

    monkeypatch.setattr(train, "torch_available", lambda: False)
    code, out, err = run(["train", "--smoke"])
    assert code == 2 and out == ""
    assert err == (f"{PROG} train: error: train needs torch, which is not installed: pip install torch==2.13.0 "
                   "--index-url https://download.pytorch.org/whl/cpu, then pip install 'chinchilla_lib[train]'\n")


def test_train_needs_smoke_or_a_sweep():
    code, out, err = run(["train"])
    assert code == 2 and out == ""
    assert err.endswith(f"{PROG} train: error: one of the arguments --smoke --sweep is required\n")


# ------------------------------------------------------------------ plan: exact messages and the inference paths


def test_plan_without_a_budget_says_every_way_to_give_one():
    code, out, err = run(["plan", "--law", INLINE])
    assert code == 2 and out == ""
    assert err == (f"{PROG} plan: error: --flops: give a compute budget (--flops C), or a loss (--target-loss L), "
                   "optionally with --inference-tokens T\n")


def test_plan_with_an_unknown_law_joins_the_allocations_with_commas():
    from chinchilla_lib.approaches.allocations import allocation_names

    code, _, err = run(["plan", "--flops", "1e21", "--law", "nope"])
    assert code == 2 and err.endswith(f"; or an allocation: {', '.join(allocation_names())}\n")
    assert "approach1-table3, approach2-tableA3, approach3-tableA3" in err


def test_plan_for_inference_with_both_targets_is_one_exact_line():
    code, _, err = run(["plan", "--inference-tokens", "1e12", "--flops", "1e21", "--target-loss", "2.2"])
    assert code == 2 and err == f"{PROG} plan: error: --target-loss: give --flops or --target-loss, not both\n"


def _at_loss(loss, E, A, B, alpha, beta):
    """The compute-optimal N, D reaching ``loss``: minimising N D on the loss contour gives
    alpha A / N^alpha = beta B / D^beta (Lagrange), so the reducible loss splits beta : alpha."""
    x, y = (loss - E) * beta / (alpha + beta), (loss - E) * alpha / (alpha + beta)
    return (A / x) ** (1 / alpha), (B / y) ** (1 / beta)


def test_plan_at_a_target_loss_alone_serves_no_inference():
    code, out, err = run(["plan", "--target-loss", "2.2", "--law", INLINE, "--json"])
    assert code == 0, err
    result = json.loads(out)
    n, d = _at_loss(2.2, **LAW)
    assert result["n_params"] == pytest.approx(n, rel=1e-6) and result["n_tokens"] == pytest.approx(d, rel=1e-6)
    assert result["inference_tokens"] == 0 and result["inference_flops"] == 0 and result["saving"] == 0


def test_plan_at_a_target_loss_with_inference_counts_its_tokens():
    code, out, err = run(["plan", "--target-loss", "2.2", "--inference-tokens", "1e12", "--law", INLINE, "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["inference_tokens"] == 1e12
    assert result["inference_flops"] == pytest.approx(2 * result["n_params"] * 1e12, rel=1e-12)
    n, _ = _at_loss(2.2, **LAW)
    assert result["compute_optimal"]["n_params"] == pytest.approx(n, rel=1e-6) and result["n_params"] < n


def test_plan_for_inference_refuses_a_budget_under_the_law_given():
    # A law far from the paper's: N_opt = G (C/6)^a by Eq. 4 at C = 1 FLOP, D_opt = C / (6 N_opt).
    law = dict(E=1.7, A=40.0, B=4000.0, alpha=0.34, beta=0.28)
    spec = ",".join(f"{k}={v}" for k, v in law.items())
    n, d, _ = eq4(1.0, **law)
    code, out, err = run(["plan", "--inference-tokens", "1e12", "--flops", "1", "--law", spec])
    assert code == 2 and out == ""
    assert err == (f"{PROG} plan: error: flops = 1 buys no model under this law (N_opt = {n:.3g} parameters, "
                   f"D_opt = {d:.3g} tokens); give the budget in FLOPs, e.g. 5.76e23 (one PF-day is "
                   f"{PF_DAY:.3g} FLOPs)\n")


def test_plan_for_inference_text_keeps_the_optimum_beside_the_compute_optimal_model():
    code, text, err = run(["plan", "--inference-tokens", "0", "--flops", "1e21", "--law", INLINE])
    assert code == 0, err
    n, _, _ = eq4(1e21, **LAW)
    lines = text.splitlines()
    assert f"{'n_params':<30} {n:.6g}" in lines and f"{'compute_optimal.n_params':<30} {n:.6g}" in lines


# ------------------------------------------------------------------ fit: exact messages of the data and the options


def test_fit_csv_missing_file_gives_the_system_reason_only(tmp_path):
    path = str(tmp_path / "none.csv")
    code, out, err = run(["fit", "--approach", "3", "--csv", path])
    assert code == 2 and out == ""
    assert err == f"{PROG} fit: error: --csv: cannot read '{path}' (No such file or directory)\n"


def test_fit_csv_lists_every_missing_column_with_commas(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("loss\n3\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert code == 2 and f"--csv: '{path}' lacks column(s) n_params, n_tokens; approach 3 needs" in err


def test_fit_csv_checks_approach3_columns_in_order_and_no_others(tmp_path):
    path = tmp_path / "runs.csv"
    # n_tokens (second required column) is bad on line 3 (read as 0.0: the column is float), loss (third)
    # on line 2: n_tokens is named first, and flops (not used by approach 3) is not checked.
    path.write_text("n_params,n_tokens,loss,flops\n1e9,2e10,-3,x\n1e9,0,3,x\n")
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert code == 2
    assert err == (f"{PROG} fit: error: --csv: '{path}' line 3: n_tokens is 0.0; every n_tokens must be a positive "
                   "finite number\n")


def test_fit_hoffmann_fig4_with_approach1_is_one_exact_line():
    code, _, err = run(["fit", "--approach", "1", "--data", "hoffmann-fig4"])
    assert code == 2 and err == (f"{PROG} fit: error: --data: hoffmann-fig4 holds final losses, not training curves; "
                                 f"use it with --approach 2 or 3 (approach 1 takes {', '.join(curve_sets())} or "
                                 "--csv)\n")


def test_fit_unknown_data_set_is_one_exact_line():
    code, _, err = run(["fit", "--approach", "2", "--data", "elsewhere"])
    assert code == 2 and err == (f"{PROG} fit: error: --data: unknown data set 'elsewhere'; use one of "
                                 f"{', '.join(data_names())} (porian:list lists Porian et al.'s configurations)\n")


def test_every_named_set_is_in_the_help_of_fit_and_backtest():
    for command in ("fit", "backtest"):
        text = " ".join(_help(command).split())
        for name in data_names():
            assert name in text, (command, name)


def test_fit_porian_name_is_everything_after_the_first_colon():
    code, _, err = run(["fit", "--approach", "2", "--data", "porian:a:b"])
    assert code == 2 and err.startswith(f"{PROG} fit: error: --data: ") and "'a:b'" in err
    assert err.count("\n") == 1


def test_fit_bootstrap_of_one_resample_is_refused():
    code, out, err = run(["fit", "--approach", "2", "--csv", "runs.csv", "--bootstrap", "1"])
    assert code == 2 and out == ""
    assert err == (f"{PROG} fit: error: --bootstrap: 1 resamples give no interval worth the name; give at least 20 "
                   "(e.g. 200; the replication used 4000), or 0 for none\n")


def test_fit_seed_without_a_bootstrap_is_one_exact_line(tmp_path):
    path = csv(tmp_path, law_runs())
    code, _, err = run(["fit", "--approach", "3", "--csv", path, "--seed", "1"])
    assert code == 2 and err == (f"{PROG} fit: error: --seed applies only with --bootstrap K for --approach 3 "
                                 "(the fit itself is not random)\n")
    code, _, err = run(["fit", "--approach", "2", "--csv", path, "--seed", "1", "--bootstrap", "0"])
    assert code == 2 and err == (f"{PROG} fit: error: --seed applies only to the bootstrap, and --bootstrap 0 "
                                 "turns it off\n")


def test_fit_text_joins_a_list_of_numbers_with_spaces(tmp_path):
    code, out, err = run(["fit", "--approach", "2", "--csv", csv(tmp_path, isoflop_runs()), "--bootstrap", "0"])
    assert code == 0, err
    assert f"{'budgets':<30} 1e+18 1e+20 1e+22" in out.splitlines()


# ------------------------------------------------------------------ fit: what reaches fit_runs and what comes back (a stand-in fitter)


class _StandIn:
    """A fit result with set numbers, so the command line's wiring is checked apart from the fitting."""

    def __init__(self, plan_warnings=("plan warning",)):
        from chinchilla_lib.approaches.quality import Quality

        self.plan_warnings = list(plan_warnings)
        self.quality = Quality.of([])  # decided: no check failed

    def plan(self, flops):
        out = {"flops": flops, "n_params": 1.0, "a": 0.5, "b": 0.5, "law": "x"}
        return out | ({"warnings": self.plan_warnings} if self.plan_warnings else {})


def _stand_in_fitter(monkeypatch, approach):
    import chinchilla_lib.approaches.runs as runs

    calls = []

    def fake(frame, approach=3, **kwargs):
        calls.append(kwargs)
        result = _StandIn()
        if approach == 3:
            result.fit = argparse.Namespace(**LAW, a=0.45, b=0.55, objective=1e-9, n_points=len(frame), converged=True,
                                            warnings=["fit warning"], seconds=0.25)
            result.intervals = pd.DataFrame({"p10": [1.0], "p90": [2.0], "p2.5": [0.5], "p97.5": [2.5]}, index=["E"])
            result.flops, result.seconds, result.warnings = 1e21, 0.5, ["bootstrap warning"]
        else:
            result.a, result.b, result.n_coef, result.d_coef = 0.5, 0.5, 0.1, 1 / 0.6
            result.a_interval, result.b_interval = (0.4, 0.6), (0.45, 0.55)
            result.budgets = pd.DataFrame({"budget": [1e18, 1e20], "n_opt": [1e8, 1e9], "d_opt": [2e9, 2e10],
                                           "used": [True, False]})
            result.messages = ["isoflop warning"]
        return result

    monkeypatch.setattr(runs, "fit_runs", fake)
    return calls


def test_fit_approach3_adds_bootstrap_and_plan_to_the_fit(monkeypatch, tmp_path):
    calls = _stand_in_fitter(monkeypatch, 3)
    code, out, err = run(["fit", "--approach", "3", "--csv", csv(tmp_path, law_runs()), "--bootstrap", "20",
                          "--flops", "1e21", "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert calls == [{"bootstrap": 20, "seed": 0, "flops": 1e21}]  # --seed defaults to 0
    assert result["seed"] == 0 and result["bootstrap"] == 20
    assert result["timing"] == {"seconds": 0.75}  # the fit's 0.25 s plus the bootstrap's 0.5 s
    assert result["warnings"] == ["fit warning", "bootstrap warning", "plan warning"]
    assert result["intervals"] == {"E": {"p10": 1.0, "p90": 2.0, "p2.5": 0.5, "p97.5": 2.5}}
    assert result["plan"] == {"flops": 1e21, "n_params": 1.0}
    assert set(result) == {"approach", "E", "A", "B", "alpha", "beta", "a", "b", "objective", "n_points", "converged",
                           "warnings", "intervals", "interval_flops", "bootstrap", "seed", "timing", "plan", "quality"}
    assert result["quality"] == {"verdict": "decided", "checks": []}


def test_with_plan_takes_warnings_from_either_side_or_neither():
    ns = argparse.Namespace(flops=1e21)
    assert cli._with_plan({}, _StandIn(), ns) == {"plan": {"flops": 1e21, "n_params": 1.0},
                                                  "warnings": ["plan warning"]}
    assert cli._with_plan({"warnings": ["mine"]}, _StandIn(plan_warnings=()), ns)["warnings"] == ["mine"]
    assert cli._with_plan({"x": 1}, _StandIn(), argparse.Namespace(flops=None)) == {"x": 1}


def test_fit_approach2_passes_its_options_to_the_fitter(monkeypatch, tmp_path):
    calls = _stand_in_fitter(monkeypatch, 2)
    path = csv(tmp_path, isoflop_runs())
    code, out, err = run(["fit", "--approach", "2", "--csv", path, "--json"])
    assert code == 0, err
    # A CSV: exact budget labels (rel_tol 0), no minimum of points, parabolas, 200 resamples, seed 0.
    assert calls[-1] == {"bootstrap": 200, "seed": 0, "rel_tol": 0.0, "min_points": None, "method": "parabola",
                         "include_unbracketed": False, "flops": None}
    result = json.loads(out)
    assert result["a_interval"] == [0.4, 0.6] and result["b_interval"] == [0.45, 0.55]
    assert result["budgets"] == [1e18] and result["warnings"] == ["isoflop warning"]
    code, out, err = run(["fit", "--approach", "2", "--csv", path, "--seed", "5", "--bootstrap", "20",
                          "--rel-tol", "0.05", "--include-unbracketed", "--method", "akima", "--json"])
    assert code == 0, err
    assert calls[-1] == {"bootstrap": 20, "seed": 5, "rel_tol": 0.05, "min_points": None, "method": "akima",
                         "include_unbracketed": True, "flops": None}
    assert json.loads(out)["seed"] == 5


# ------------------------------------------------------------------ main: how each failure and warning is printed


@pytest.mark.parametrize("error, line", [
    (ValueError(), "ValueError"),
    (KeyError(), "KeyError"),
    (ValueError("first", "second"), "('first', 'second')"),
])
def test_an_error_without_one_message_is_still_one_line(monkeypatch, error, line):
    def boom(args):
        raise error

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, out, err = run(["plan", "--flops", "1e20"])
    assert code == 2 and out == "" and err == f"{PROG} plan: error: {line}\n"


def test_running_out_of_memory_says_what_to_ask_for(monkeypatch):
    def boom(args):
        raise MemoryError

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, _, err = run(["plan", "--flops", "1e20"])
    assert code == 2 and err == (f"{PROG} plan: error: the request needs more memory than this machine has; ask for "
                                 "fewer resamples (--bootstrap) or fewer runs\n")


def test_an_os_error_without_a_file_names_none(monkeypatch):
    def boom(args):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    code, _, err = run(["plan", "--flops", "1e20"])
    assert code == 2 and err == f"{PROG} plan: error: cannot access (No space left on device); check the path\n"


def test_caught_and_listed_warnings_are_both_printed(monkeypatch):
    import warnings

    def noisy(args):
        warnings.warn("caught", stacklevel=2)
        return {"value": 1.0, "warnings": ["listed"]}

    monkeypatch.setitem(cli._COMMANDS, "plan", noisy)
    code, out, err = run(["plan", "--flops", "1e20", "--json"])
    assert code == 0
    assert err.splitlines() == [f"{PROG} plan: warning: caught", f"{PROG} plan: warning: listed"]
    assert json.loads(out)["warnings"] == ["caught", "listed"]


def test_warnings_key_is_added_only_to_a_dict_with_warnings(monkeypatch):
    import warnings

    monkeypatch.setitem(cli._COMMANDS, "plan", lambda args: {"value": 1.0})
    code, out, _ = run(["plan", "--flops", "1e20", "--json"])
    assert code == 0 and json.loads(out) == {"value": 1.0}

    def listed(args):
        warnings.warn("caught", stacklevel=2)
        return [{"k": 1}]

    monkeypatch.setitem(cli._COMMANDS, "plan", listed)
    code, out, err = run(["plan", "--flops", "1e20"])
    assert code == 0 and out == "k=1\n" and err == f"{PROG} plan: warning: caught\n"


def test_plan_with_an_inline_law_does_not_load_the_allocation_registry():
    # An inline law needs only numpy; the named allocations (approaches.allocations) import pandas.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    probe = (f"from chinchilla_lib.cli import main; main(['plan', '--flops', '1e22', '--law', {INLINE!r}])\n"
             "import sys; print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    assert done.stdout.splitlines()[-1] == "False"


def test_fit_approach1_names_each_output_and_its_token_coefficient(tmp_path):
    # thirteen sizes with long curves: the gate decides Approach 1 (four sizes whose curves all end at the same
    # token count leave the envelope to one size, and are refused)
    code, out, err = run(["fit", "--approach", "1", "--csv", csv(tmp_path, long_curves()), "--json"])
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"approach", "a", "b", "n_coef", "d_coef", "n_models", "n_points", "flops_range", "warnings",
                           "quality"}
    assert result["quality"]["verdict"] == "decided"
    # D_opt = C / (6 N_opt) = C^(1-a) / (6 n_coef): the token coefficient is 1 / (6 n_coef).
    assert result["d_coef"] == pytest.approx(1 / (6 * result["n_coef"]), rel=1e-9)


@pytest.mark.parametrize("approach, frame", [(2, "isoflop"), (3, "law")])
def test_fit_reads_integer_columns_as_the_same_runs_written_as_floats(tmp_path, approach, frame):
    # parameter and token counts are often written as integers: they must fit exactly as the same
    # numbers written as floats, to the last digit of the JSON (no integer arithmetic, no numpy ints)
    runs = isoflop_runs() if frame == "isoflop" else law_runs(noise=0.01)
    counts = [c for c in ("n_params", "n_tokens") if c in runs.columns]
    runs[counts] = runs[counts].round()
    as_ints = runs.astype({c: "int64" for c in counts})
    outputs = []
    for name, table in (("floats.csv", runs), ("ints.csv", as_ints)):
        code, out, err = run(["fit", "--approach", str(approach), "--csv", csv(tmp_path, table, name),
                              "--flops", "1e21", "--json"])
        assert code == 0, err
        outputs.append(json.loads(out))
    assert "10000000," in (tmp_path / "ints.csv").read_text() or frame == "isoflop"
    read_back = pd.read_csv(tmp_path / "ints.csv")
    assert all(read_back[c].dtype == np.int64 for c in counts)  # the file really holds integer columns
    for result in outputs:
        result.pop("timing", None)  # seconds, kept apart from the results
    assert outputs[0] == outputs[1]


def test_plan_with_an_inline_or_named_law_never_reaches_the_allocation_registry(monkeypatch):
    # In process, so that mutation testing maps it to the CLI's plan: with the registry made unimportable,
    # a law given inline or by name still plans (the registry is for allocation names only).
    import sys

    monkeypatch.setitem(sys.modules, "chinchilla_lib.approaches.allocations", None)
    code, out, err = run(["plan", "--flops", "1e22", "--law", INLINE, "--json"])
    assert code == 0 and err == "", err
    n, d, loss = eq4(1e22, **LAW)
    assert [json.loads(out)[k] for k in ("n_params", "n_tokens", "loss")] == pytest.approx([n, d, loss], rel=1e-12)
    code, out, err = run(["plan", "--flops", "1e22", "--law", "paper", "--json"])
    assert code == 0 and err == "" and json.loads(out)["law"] == "paper", err


# ======== plan --inference-tokens / --target-loss: JSON keys, agreement with the library, one-line errors.

KEYS = {"n_params", "n_tokens", "loss", "training_flops", "inference_flops", "total_flops"}


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_plan_flops_with_inference_tokens(capsys):
    out = _json(capsys, ["plan", "--flops", "1e23", "--inference-tokens", "2e12", "--json"])
    assert KEYS | {"compute_optimal", "saving"} <= set(out)
    assert set(out["compute_optimal"]) == KEYS
    ref = inf.inference_optimum("paper-full", 2e12, flops=1e23)
    assert out["n_params"] == pytest.approx(ref.optimum.n_params)
    assert out["compute_optimal"]["training_flops"] == pytest.approx(1e23)
    assert out["saving"] == pytest.approx(1 - out["total_flops"] / out["compute_optimal"]["total_flops"])


def test_plan_target_loss_with_an_inline_law(capsys):
    law = "E=1.69,A=406.4,B=410.7,alpha=0.336,beta=0.283"
    out = _json(capsys, ["plan", "--target-loss", "2.0452817884779284", "--inference-tokens", "2e12",
                         "--law", law, "--json"])
    # Sardana et al.'s headline, reached through the loss of the replaced 13B model
    assert out["n_params"] == pytest.approx(6.97e9, abs=0.005e9)
    assert out["compute_optimal"]["n_params"] == pytest.approx(13e9, rel=1e-6)
    assert out["loss"] == pytest.approx(2.0452817884779284)


def test_plan_without_inference_tokens_is_unchanged(capsys):
    out = _json(capsys, ["plan", "--flops", "1e23", "--json"])
    assert "tokens_per_param" in out and "compute_optimal" not in out


def test_plan_text_output_flattens_the_compute_optimal_choice(capsys):
    assert main(["plan", "--flops", "1e23", "--inference-tokens", "1e12"]) == 0
    text = capsys.readouterr().out
    assert "compute_optimal.n_params" in text and "saving" in text


@pytest.mark.parametrize("argv, flag", [
    (["plan"], "--flops"),
    (["plan", "--inference-tokens", "1e12"], "--inference-tokens"),
    (["plan", "--flops", "1e23", "--target-loss", "2", "--inference-tokens", "1"], "--target-loss"),
    (["plan", "--target-loss", "1.5", "--inference-tokens", "1e12"], "--target-loss"),
    (["plan", "--flops", "1e23", "--inference-tokens", "-5"], "--inference-tokens"),
    (["plan", "--flops", "1e23", "--inference-tokens", "many"], "--inference-tokens"),
    (["plan", "--target-loss", "0", "--inference-tokens", "1"], "--target-loss"),
    (["plan", "--flops", "1e23", "--inference-tokens", "1", "--law", "E=1"], "--law"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, flag):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse rejects a malformed value itself
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err and "Traceback" not in err



# ------------------------------------------------------------------ the train subcommand's options (run by train/)


def test_train_options_parse_with_their_defaults():
    args = build_parser().parse_args(["train", "--sweep", "lr-scan"])
    assert (args.sweep, args.smoke, args.workers, args.scheduler, args.out, args.json) == (
        "lr-scan", False, 2, None, None, False)
    args = build_parser().parse_args(["train", "--smoke", "--workers", "1", "--scheduler", "tcp://h:1", "--out", "d",
                                      "--json"])
    assert (args.smoke, args.sweep, args.workers, args.scheduler, args.out, args.json) == (
        True, None, 1, "tcp://h:1", "d", True)


@pytest.mark.parametrize("argv, message", [
    (["train", "--smoke", "--workers", "0"], "argument --workers: --workers must be at least 1, got '0'"),
    (["train", "--smoke", "--workers", "two"], "argument --workers: --workers must be a whole number, got 'two'"),
    (["train", "--sweep", "nope"], "argument --sweep: invalid choice: 'nope' (choose from 'isoflop', 'isoflop-small', "
                                   "'isoflop-unrepeated', 'lr-scan', 'lr-tune', 'prediction', 'prediction-unrepeated', 'smoke', 'warmup-check')"),
    (["train"], "one of the arguments --smoke --sweep is required"),
    (["train", "--smoke", "--sweep", "smoke"], "argument --sweep: not allowed with argument --smoke"),
])
def test_train_options_refuse_with_one_line(argv, message):
    code, out, err = run(argv)
    assert code == 2 and out == "" and err.strip().endswith(f"train: error: {message}")


def test_train_sweep_names_are_the_committed_sweeps_read_on_demand():
    from chinchilla_lib.cli import _SweepNames
    from chinchilla_lib.train.sweep import SWEEPS

    names = _SweepNames()
    assert list(names) == sorted(SWEEPS) and "isoflop" in names and "no-such-sweep" not in names


def test_a_header_only_csv_missing_a_column_of_its_approach_says_which(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("n_params,flops,loss\n")  # enough for approach 2, not for approach 3
    code, _, err = run(["fit", "--approach", "3", "--csv", str(path)])
    assert code == 2 and f"--csv: '{path}' lacks column(s) n_tokens; approach 3 needs" in err
    code, _, err = run(["fit", "--approach", "2", "--csv", str(path)])
    assert code == 2 and f"--csv: '{path}' has a header but no runs" in err
