"""The command line: JSON contract and bad-input exits."""

import json
import subprocess
import sys

import pytest

from chinchilla_lib.cli import main
from chinchilla_lib.laws import get_law


def run_cli(*args):
    proc = subprocess.run([sys.executable, "-m", "chinchilla_lib", *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_plan_json_for_gophers_budget():
    code, out, err = run_cli("plan", "--flops", "5.76e23", "--json")
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
    code, out, _ = run_cli("flops", "--d-model", "640", "--ffw-size", "2560", "--kv-size", "64",
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
    code, out, err = run_cli(*args)
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage")]
    assert len(lines) == 1 and argname in lines[0], err


# ------------------------------------------------------------------ fit


def test_fit_approach3_json_keys_and_replication_values():
    code, out, err = run_cli("fit", "--approach", "3", "--data", "hoffmann-fig4", "--json")
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
    code, out, err = run_cli(*args)
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
    code, out, err = run_cli("fit", "--approach", "3", "--csv", str(path))
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
