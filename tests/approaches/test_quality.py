"""The fit-quality gate on simulated runs whose answer is known, and its command-line contract.

The thresholds (``approaches.quality.THRESHOLDS``) were fixed by reasoning; these cases justify them: a clean
law is decided, a law with a missing term (structured residuals) is flagged, runs that cannot pin E or a are
refused, one size holding Approach 1's envelope is refused, a bend across IsoFLOP budgets is flagged.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_run import run_cli

from chinchilla_lib import fit_runs
from chinchilla_lib.approaches.quality import THRESHOLDS, Check, Quality, bootstrap_checks, residual_structure
from chinchilla_lib.laws import get_law

LAW = get_law("paper-full")


SIZES, TOKENS_PER_PARAM = np.geomspace(5e7, 1e10, 8), np.geomspace(2, 200, 7)


def _grid(*, noise=0.01, extra=None, sizes=SIZES, tpp=TOKENS_PER_PARAM, seed=0):
    rng = np.random.default_rng(seed)
    n, t = (g.ravel() for g in np.meshgrid(sizes, tpp))
    d = n * t
    y = LAW.loss(n, d) + (0 if extra is None else extra(n, d))
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": y * np.exp(rng.normal(0, noise, y.size))})


def _fit(runs, approach=3, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_runs(runs, approach=approach, **kw)


# ---------------------------------------------------------------- the verdict from the checks
def test_the_verdict_is_refused_flagged_or_decided_by_the_failed_checks():
    ok = Check("a_spread", 0.1, 0.2, True, True)
    bad_refusing = Check("a_spread", 0.3, 0.2, False, True)
    bad_flagging = Check("extrapolation", 500.0, 100.0, False, False)
    assert Quality.of([ok]).verdict == "decided"
    assert Quality.of([ok, bad_flagging]).verdict == "flagged"
    assert Quality.of([bad_flagging, bad_refusing]).verdict == "refused"
    assert Quality.of([bad_flagging, bad_refusing]).failed[0] is bad_refusing  # refusing first


def test_a_paired_check_counts_only_when_its_partner_fails_too():
    big = Check("structure_size", 0.05, 0.01, False, False, needs="residual_structure")
    significant = Check("residual_structure", 5.0, 3.0, False, False, needs="structure_size")
    insignificant = Check("residual_structure", 1.0, 3.0, True, False, needs="structure_size")
    assert Quality.of([big, insignificant]).verdict == "decided"
    assert Quality.of([big, significant]).verdict == "flagged"


def test_bootstrap_checks_count_every_resample():
    samples = np.r_[np.linspace(0.45, 0.55, 96), [np.nan] * 4]
    spread, fitted, majority = bootstrap_checks(samples)
    assert fitted.value == pytest.approx(0.96) and not fitted.passed and majority.passed  # 96 of 100
    # the 10th-90th percentiles of 96 evenly spaced values from 0.45 to 0.55 are 0.46 and 0.54 (by hand)
    assert spread.value == pytest.approx(0.08, abs=1e-3) and spread.passed


def test_residual_structure_of_pure_noise_is_near_one_and_of_a_step_is_large():
    rng = np.random.default_rng(3)
    x = np.repeat(np.arange(10.0), 20)
    structure, _ = residual_structure(rng.normal(0, 0.01, x.size), {"size": x}, noise=0.01)
    assert structure.value < 2 and structure.passed
    # a step of 3 noise units in half the bins: bin medians 0.03, se 1.2533*0.01/sqrt(20) = 0.0028, z ~ 10.7
    step = np.where(x >= 5, 0.03, 0.0) + rng.normal(0, 0.01, x.size)
    structure, size = residual_structure(step, {"size": x}, noise=0.01)
    assert structure.value > 5 and not structure.passed and not size.passed


# ---------------------------------------------------------------- Approach 3 on simulated runs
def test_a_clean_law_is_decided():
    quality = _fit(_grid()).quality
    assert quality.verdict == "decided", quality.reason()
    assert {c.name for c in quality.checks} >= {"a_spread", "E_spread", "E_floor", "resamples_fitted",
                                                "residual_structure", "E_above_losses", "conditioning"}


def test_a_law_with_a_missing_term_is_flagged_for_structured_residuals():
    # a loss term the law does not have: 8% of the loss swinging with ln(ND)
    quality = _fit(_grid(extra=lambda n, d: 0.08 * np.sin(np.log(n * d) / 2.0))).quality
    assert quality.verdict == "flagged"
    assert {c.name for c in quality.failed} == {"residual_structure", "structure_size"}


def test_runs_that_cannot_pin_e_or_a_are_refused():
    # four small sizes over a factor 4, four short token counts: the loss never flattens
    runs = _grid(noise=0.02, sizes=np.geomspace(5e7, 2e8, 4), tpp=np.geomspace(2, 8, 4))
    quality = _fit(runs).quality
    assert quality.verdict == "refused"
    assert quality.failed[0].refuses


def test_e_above_the_lowest_losses_is_flagged():
    from chinchilla_lib.approaches.quality import assess_approach3

    runs = _grid(noise=0.002)
    fit = _fit(runs)
    lifted = type(fit)(**{**{f: getattr(fit, f) for f in ("A", "B", "alpha", "beta", "objective", "n_points",
                                                          "n_starts", "delta", "converged", "message", "seconds")},
                          "E": float(runs["loss"].min()) + 0.05})
    quality = assess_approach3(lifted, runs["n_params"], runs["n_tokens"], runs["loss"], noise=0.002)
    # by hand: (E - lowest loss) / (noise x lowest loss) = 0.05 / (0.002 x ~2) = ~12, above 2
    assert not quality.check("E_above_losses").passed and quality.check("E_above_losses").value > 10


def test_a_plan_far_beyond_the_fitted_budgets_is_flagged():
    runs = _grid()
    top = float((6 * runs["n_params"] * runs["n_tokens"]).max())
    near = _fit(runs, flops=top * 10).quality
    far = _fit(runs, flops=top * THRESHOLDS["extrapolation"] * 10).quality
    assert near.check("extrapolation").passed and near.verdict == "decided"
    assert far.verdict == "flagged" and [c.name for c in far.failed] == ["extrapolation"]
    assert far.check("extrapolation").value == pytest.approx(THRESHOLDS["extrapolation"] * 10)


# ---------------------------------------------------------------- Approach 1 and 2
def _curves(sizes, tokens, law=LAW):
    rows = [{"run": f"{n:.3g}", "n_params": n, "n_tokens": d, "loss": float(law.loss(n, d))}
            for n in sizes for d in tokens]
    return pd.DataFrame(rows)


BRIEF = (np.geomspace(1e8, 1e10, 6), np.geomspace(1e7, 2e9, 40))


def test_approach1_with_one_size_holding_the_envelope_is_refused():
    # brief curves: every model stops at 2e9 tokens (20 per parameter for the smallest only), so the
    # smallest size holds the envelope over most of the compute the curves span
    quality = _fit(_curves(*BRIEF), approach=1).quality
    assert quality.verdict == "refused"
    assert "envelope_holder_share" in [c.name for c in quality.failed]


def test_approach1_on_long_curves_of_many_sizes_is_decided():
    quality = _fit(_curves(np.geomspace(1e7, 1e10, 13), np.geomspace(1e8, 1e13, 60)), approach=1).quality
    assert quality.verdict == "decided", quality.reason()


def _isoflop_runs(bend=0.0, seed=0):
    """IsoFLOP profiles around N_opt = 0.1 C^(0.5 + bend ln(C/1e19)): a straight or bent frontier."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in np.geomspace(1e18, 1e21, 8):
        n_opt = 0.1 * c ** (0.5 + bend * np.log(c / 1e19))
        for x in np.linspace(-1.2, 1.2, 9):
            n = n_opt * np.exp(x)
            rows.append({"n_params": n, "flops": c, "loss": (2.0 + 50 * c**-0.1) * (1 + 0.02 * x**2)
                         * np.exp(rng.normal(0, 0.0005))})
    return pd.DataFrame(rows)


def test_approach2_on_a_straight_frontier_is_decided_and_on_a_bent_one_flagged():
    straight = _fit(_isoflop_runs(), approach=2).quality
    assert straight.verdict == "decided", straight.reason()
    bent = _fit(_isoflop_runs(bend=0.02), approach=2).quality
    assert bent.verdict == "flagged" and [c.name for c in bent.failed] == ["curvature_p"]


# ---------------------------------------------------------------- the command line's contract
def _quality_keys(out):
    quality = json.loads(out)["quality"]
    assert quality["verdict"] in ("decided", "flagged", "refused")
    for check in quality["checks"]:
        assert {"name", "value", "threshold", "passed"} <= set(check)
        assert isinstance(check["passed"], bool)
    return quality


def test_fit_refuses_approach1_on_the_llama_curves_where_one_size_holds_the_finished_range():
    """Above LLaMA-7B's last checkpoint (the first curve to end) one size holds most of the envelope."""
    code, out, err = run_cli(["fit", "--approach", "1", "--data", "llama-1", "--json"])
    assert code == 2 and out == ""
    assert err.startswith("python -m chinchilla_lib fit: error: refused: finished_holder_share is ")


def test_own_runs_approach1_is_refused_like_any_other():
    from chinchilla_lib.approaches.quality import assess_approach1
    from chinchilla_lib.studies import tinygpt

    curves = tinygpt.sweep_curves()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = tinygpt.fit_sweep_approach1()
    quality = assess_approach1(fit, sizes=curves["n_params"], ends=curves.groupby("key")["flops"].max())
    assert quality.verdict == "refused" and quality.failed[0].name == "finished_holder_share"


@pytest.mark.parametrize("approach,data", [(3, "hoffmann-fig4"), (2, "hoffmann-fig4")])
def test_fit_json_carries_quality_on_data(approach, data):
    code, out, err = run_cli(["fit", "--approach", str(approach), "--data", data, "--json"])
    assert code == 0, err
    quality = _quality_keys(out)
    flagged = [c["name"] for c in quality["checks"] if not c["passed"]]
    warned = " ".join(json.loads(out).get("warnings", []))
    if quality["verdict"] == "flagged":
        assert all(name in warned for name in flagged if name != "structure_size")


def test_fit_json_carries_quality_on_csv_for_every_approach(tmp_path):
    path = tmp_path / "runs.csv"
    _grid().to_csv(path, index=False)
    code, out, err = run_cli(["fit", "--approach", "3", "--csv", str(path), "--json"])
    assert code == 0, err and _quality_keys(out)["verdict"] == "decided"
    iso = tmp_path / "iso.csv"
    _isoflop_runs().to_csv(iso, index=False)
    code, out, err = run_cli(["fit", "--approach", "2", "--csv", str(iso), "--json"])
    assert code == 0, err
    assert _quality_keys(out)["verdict"] == "decided"
    curves = tmp_path / "curves.csv"
    _curves(np.geomspace(1e7, 1e10, 13), np.geomspace(1e8, 1e13, 60)).to_csv(curves, index=False)
    code, out, err = run_cli(["fit", "--approach", "1", "--csv", str(curves), "--json"])
    assert code == 0, err
    assert _quality_keys(out)["verdict"] == "decided"


def test_a_refused_fit_exits_2_with_one_line_naming_the_check(tmp_path):
    path = tmp_path / "brief.csv"
    _curves(*BRIEF).to_csv(path, index=False)
    code, out, err = run_cli(["fit", "--approach", "1", "--csv", str(path), "--json"])
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("python -m chinchilla_lib fit: error: refused: ") and "threshold" in err and "needs " in err


def test_a_flagged_fit_exits_0_and_lists_the_failed_checks_under_warnings(tmp_path):
    path = tmp_path / "runs.csv"
    _grid().to_csv(path, index=False)
    top = float((6 * _grid()["n_params"] * _grid()["n_tokens"]).max())
    code, out, err = run_cli(["fit", "--approach", "3", "--csv", str(path), "--flops", f"{top * 1e4:g}", "--json"])
    assert code == 0
    result = json.loads(out)
    assert result["quality"]["verdict"] == "flagged"
    assert any(w.startswith("flagged: extrapolation is ") for w in result["warnings"])
    assert "warning: flagged: extrapolation" in err
