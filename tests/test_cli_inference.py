"""plan --inference-tokens / --target-loss: JSON keys, agreement with the library, one-line errors."""

import json

import pytest

from chinchilla_lib.cli import main
from chinchilla_lib.laws import inference as inf

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
