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


def test_scorecard_json_rows():
    code, out, _ = run_cli("scorecard", "--json")
    assert code == 0
    result = json.loads(out)
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
