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


def test_the_label_names_the_failed_checks_in_words():
    ok = Check("a_spread", 0.1, 0.2, True, True)
    far = Check("extrapolation", 500.0, 100.0, False, False)
    assert Quality.of([ok]).label() == "decided"
    assert Quality.of([ok, far]).label() == "flagged: extrapolation"
    assert Quality.of([far, Check("a_spread", 0.3, 0.2, False, True)]).label() == "refused: a spread, extrapolation"


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
    assert code == 0, err
    assert _quality_keys(out)["verdict"] == "decided"
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


# ---------------------------------------------------------------- the gate's parts, by hand
def test_thresholds_table_states_every_check_its_side_and_its_effect():
    from chinchilla_lib.approaches.quality import MEANING, thresholds_table

    table = thresholds_table()
    assert list(table.columns) == ["check", "threshold", "fails when", "failing it", "what it measures"]
    # (check, threshold, fails when, failing it): read off the module docstring's two lists by hand
    expected = [("a spread", 0.2, "above", "refuses"), ("E spread", 0.5, "above", "refuses"),
                ("E floor", 0.01, "below", "refuses"), ("exponent floor", 0.02, "below", "refuses"),
                ("exponent ceiling", 3.0, "above", "refuses"), ("resamples majority", 0.5, "below", "refuses"),
                ("envelope holder share", 0.5, "above", "refuses"), ("finished holder share", 0.5, "above", "refuses"),
                ("interior decades", 0.5, "below", "refuses"), ("sizes on envelope", 3, "below", "refuses"),
                ("budgets used", 3, "below", "refuses"), ("resamples fitted", 0.99, "below", "flags"),
                ("residual structure", 3.0, "above", "flags"), ("structure size", 0.01, "above", "flags"),
                ("E above losses", 2.0, "above", "flags"), ("conditioning", 1e10, "above", "flags"),
                ("curvature p", 0.01, "below", "flags"), ("extrapolation", 100.0, "above", "flags")]
    assert [tuple(row) for row in table[["check", "threshold", "fails when", "failing it"]].itertuples(index=False)] \
        == expected
    assert list(table["what it measures"]) == list(MEANING.values())


def test_a_check_says_what_failed_by_how_much_and_what_data_would_decide_it():
    spread = Check("a_spread", 0.31234, 0.2, False, True)
    assert spread.message() == ("a_spread is 0.312, above its threshold 0.2; "
                                "needs more runs, or sizes and budgets spread over more decades")
    floor = Check("E_floor", float("nan"), 0.01, False, True)
    assert floor.message() == ("E_floor is not computable, below its threshold 0.01; "
                               "needs runs that pin the irreducible loss (larger models, longer runs)")
    assert spread.to_dict() == {"name": "a_spread", "value": 0.31234, "threshold": 0.2, "passed": False}
    assert Check("E_floor", float("inf"), 0.01, False, True, note="n").to_dict() == \
        {"name": "E_floor", "value": None, "threshold": 0.01, "passed": False, "note": "n"}


def test_quality_names_its_checks_and_takes_more():
    ok = Check("a_spread", 0.1, 0.2, True, True)
    far = Check("extrapolation", 500.0, 100.0, False, False)
    decided = Quality.of([ok])
    assert decided.reason() == "every check passed"
    with pytest.raises(ValueError) as info:
        decided.check("E_floor")
    assert str(info.value) == "no check 'E_floor'; this fit has a_spread"
    more = decided.with_checks(far)
    assert more.verdict == "flagged" and more.checks == (ok, far) and decided.checks == (ok,)
    with pytest.raises(ValueError) as info:
        more.check("E_floor")
    assert str(info.value) == "no check 'E_floor'; this fit has a_spread, extrapolation"


def test_extrapolation_is_the_planned_budget_over_the_largest_fitted():
    from chinchilla_lib.approaches.quality import extrapolation_check

    check = extrapolation_check(1e24, 2e21)
    assert check.value == pytest.approx(500.0) and not check.passed and not check.refuses
    assert check.note == "largest fitted budget 2e+21"


def _bend_p_by_hand(log_c, log_n):
    """p of the quadratic coefficient's t statistic (t^2 is the F of one extra term) from least squares."""
    from scipy import stats

    x = np.column_stack([np.ones_like(log_c), log_c, log_c**2])
    coef, *_ = np.linalg.lstsq(x, log_n, rcond=None)
    dof = log_c.size - 3
    s2 = np.sum((log_n - x @ coef) ** 2) / dof
    se = np.sqrt(s2 * np.linalg.inv(x.T @ x)[2, 2])
    return 2 * stats.t.sf(abs(coef[2] / se), dof)


@pytest.mark.parametrize("k", [4, 5, 8])
def test_the_bend_p_value_is_the_least_squares_t_test(k):
    from chinchilla_lib.approaches.quality import _curvature_p

    rng = np.random.default_rng(k)
    log_c = np.linspace(40.0, 48.0, k)
    log_n = 0.5 * log_c - 2.0 + 0.003 * (log_c - 44.0) ** 2 + rng.normal(0, 0.01, k)
    p = _curvature_p(log_c, log_n)
    assert 1e-4 < p < 0.99  # neither end: the degrees of freedom matter
    assert p == pytest.approx(_bend_p_by_hand(log_c, log_n), rel=1e-6)


def test_the_bend_p_value_is_one_for_three_budgets_and_for_a_line_to_rounding():
    from chinchilla_lib.approaches.quality import _curvature_p

    log_c = np.linspace(40.0, 48.0, 8)
    assert _curvature_p(log_c[:3], np.array([19.0, 21.5, 22.0])) == 1.0  # k < 4: nothing to test
    line = 0.5 * log_c - 2.0
    wiggle = np.array([1, -1, -1, 1, 1, -1, -1, 1.0])
    threshold = 1e3 * np.finfo(float).eps * np.sum(line**2)  # the rule: rss of the line at most 1e3 eps sum(ln N^2)
    small = line + wiggle * np.sqrt(0.5 * threshold / 8)  # rss of the line about half the rule's bound
    assert _curvature_p(log_c, small) == 1.0
    above = line + wiggle * np.sqrt(20 * threshold / 8)  # 20 times the bound (and above sum(2 ln N), sum(ln N^3))
    assert _curvature_p(log_c, above) == pytest.approx(_bend_p_by_hand(log_c, above), rel=1e-3)
    assert _curvature_p(log_c, above) < 1.0
    design = np.column_stack([np.ones_like(log_c), log_c - log_c.mean()])  # a line's residual of the wiggle
    off_line = wiggle - design @ np.linalg.lstsq(design, wiggle, rcond=None)[0]
    just_over = line + wiggle * np.sqrt(1000.5 * threshold / 1e3 / np.sum(off_line**2))  # rss 1000.5 eps sum
    assert _curvature_p(log_c, just_over) < 1.0


def _iso_fit(used, level=0.8, a_samples=None):
    from types import SimpleNamespace

    budgets = pd.DataFrame({"budget": [1e18, 1e19, 1e20, 1e21][:len(used)], "n_opt": [1e8, 3e8, 1e9, 3.2e9][:len(used)],
                            "used": used})
    return SimpleNamespace(budgets=budgets, n_bootstrap=0 if a_samples is None else len(a_samples),
                           a_samples=a_samples, level=level)


def test_approach2_checks_by_hand():
    from chinchilla_lib.approaches.quality import assess_approach2

    samples = np.linspace(0.4, 0.6, 101)  # percentiles at the level 0.5: 0.45 and 0.55 (by hand)
    quality = assess_approach2(_iso_fit([True, True, True, False], level=0.5, a_samples=samples), flops=1e22)
    assert [c.name for c in quality.checks] == ["budgets_used", "a_spread", "resamples_fitted", "resamples_majority",
                                                "curvature_p", "extrapolation"]
    assert quality.check("budgets_used").value == 3 and quality.check("a_spread").value == pytest.approx(0.1)
    assert quality.check("curvature_p").value == 1.0  # three budgets: no bend to test
    assert quality.check("curvature_p").note == "a bend of ln N_opt in ln C (F-test, quadratic against line)"
    assert quality.check("extrapolation").value == pytest.approx(1e22 / 1e20)
    two = assess_approach2(_iso_fit([True, True]))
    assert [c.name for c in two.checks] == ["budgets_used", "curvature_p"] and two.verdict == "refused"
    assert [c.name for c in assess_approach2(_iso_fit([True])).checks] == ["budgets_used"]
    bent = _iso_fit([True] * 4)
    bent.budgets["n_opt"] = [1e8, 3e8, 1.2e9, 3e9]
    as_objects = _iso_fit([True] * 4)
    as_objects.budgets = bent.budgets.astype({"budget": object, "n_opt": object})  # Python numbers
    assert assess_approach2(as_objects).to_dict() == assess_approach2(bent).to_dict()
    assert assess_approach2(bent).check("curvature_p").value < 1.0


def _envelope(holders, flops=(1e18, 1e19, 1e20, 1e21, 1e22, 1e23)):
    from types import SimpleNamespace

    return SimpleNamespace(envelope=pd.DataFrame({"flops": list(flops), "n_params": [h * 1e8 for h in holders]}))


def test_approach1_checks_by_hand():
    from chinchilla_lib.approaches.quality import assess_approach1

    fit = _envelope([1, 2, 2, 3, 3, 5])  # six decades of compute, sizes 1..5 (x 1e8) in the runs
    quality = assess_approach1(fit, sizes=np.arange(1, 6) * 1e8, ends=[1e21, 5e22], a_samples=np.linspace(0.4, 0.6, 101),
                               flops=1e25)
    assert [c.name for c in quality.checks] == ["sizes_on_envelope", "envelope_holder_share", "interior_decades",
                                                "finished_holder_share", "a_spread", "resamples_fitted",
                                                "resamples_majority", "extrapolation"]
    # four sizes hold it; 2e8 and 3e8 two points each (the first of the tie named); interior (2e8, 3e8) from 1e19 to 1e22
    assert quality.check("sizes_on_envelope").value == 4
    assert quality.check("envelope_holder_share").value == pytest.approx(2 / 6)
    assert quality.check("envelope_holder_share").note == "held by the size 2e+08"
    assert quality.check("interior_decades").value == pytest.approx(3.0)
    assert quality.check("interior_decades").note == "of 5.00 decades fitted"
    # from the first end (1e21) up: 3e8, 3e8, 5e8
    late = quality.check("finished_holder_share")
    assert late.value == pytest.approx(2 / 3)
    assert late.note == "held by the size 3e+08 over the 2.00 decades above the first curve's end (1e+21 FLOPs)"
    assert quality.check("a_spread").value == pytest.approx(0.16)  # 10th-90th percentiles 0.42, 0.58
    assert quality.check("extrapolation").value == pytest.approx(100.0)
    # without the runs' sizes, 5e8 is the largest: interior (2e8, 3e8) from 1e19 to 1e22, the same 3 decades;
    # 3e8 as the largest (sizes 1..3) leaves 2e8 alone inside: two points, one decade
    assert assess_approach1(_envelope([1, 2, 2, 3, 3, 3])).check("interior_decades").value == pytest.approx(1.0)
    assert assess_approach1(_envelope([1, 2, 2, 3, 3, 4]), sizes=[1e8, 5e8]).check("interior_decades").value == \
        pytest.approx(4.0)
    assert assess_approach1(_envelope([1, 2, 3, 3, 3, 3])).check("interior_decades").value == 0.0  # one point
    assert assess_approach1(_envelope([1, 1, 1, 3, 3, 3])).check("interior_decades").value == 0.0  # none inside


def test_approach1_finished_share_at_the_edges():
    from chinchilla_lib.approaches.quality import assess_approach1

    fit = _envelope([1, 2, 2, 3, 3, 5])
    two = assess_approach1(fit, ends=[1e22]).check("finished_holder_share")  # 1e22 and 1e23: 3e8 and 5e8
    assert two.value == pytest.approx(0.5)
    three = assess_approach1(fit, ends=[1e20, 1e23]).check("finished_holder_share")  # 2e8, 3e8, 3e8, 5e8
    assert three.value == pytest.approx(0.5)
    assert three.note == "held by the size 3e+08 over the 3.00 decades above the first curve's end (1e+20 FLOPs)"
    never = assess_approach1(fit, ends=[1e24]).check("finished_holder_share")
    assert np.isnan(never.value) and not never.passed
    assert never.note == "the envelope never reaches the first curve's end (1e+24 FLOPs)"


def test_approach1_object_columns_give_the_same_checks():
    from chinchilla_lib.approaches.quality import assess_approach1

    fit = _envelope([1, 2, 2, 3, 3, 5])
    as_objects = type(fit)(envelope=fit.envelope.astype(object))
    kw = {"sizes": np.arange(1, 6) * 1e8, "ends": [1e21]}
    assert assess_approach1(as_objects, **kw).to_dict() == assess_approach1(fit, **kw).to_dict()


def test_the_hessian_condition_number_of_a_known_function():
    from chinchilla_lib.approaches.quality import _hessian_condition

    def f(x):  # 0.5 x'Hx + x0^4 with H = [[2, 1], [1, 3]]: at x0 = 0.1 the Hessian is [[2 + 12 x0^2, 1], [1, 3]]
        return 0.5 * (2 * x[0] ** 2 + 2 * x[0] * x[1] + 3 * x[1] ** 2) + x[0] ** 4

    for x in (np.array([0.1, 0.0]), np.array([0.1, 50.0])):  # the step scales with |x| above 1
        eig = np.linalg.eigvalsh(np.array([[2.12, 1.0], [1.0, 3.0]]))
        assert _hessian_condition(f, x) == pytest.approx(eig.max() / eig.min(), rel=1e-4)
    assert _hessian_condition(lambda x: x[0] ** 2, np.array([0.5, 0.5])) == np.inf  # flat along x1


def test_approach3_gate_takes_integer_columns_and_integer_convergence_flags():
    """Sizes and token counts read as integers (a CSV's int64: 6ND overflows it) and converged as 0/1 judge alike."""
    from chinchilla_lib.approaches.quality import assess_approach3

    runs = _grid()
    runs[["n_params", "n_tokens"]] = runs[["n_params", "n_tokens"]].round()  # whole numbers, as floats
    fit = _fit(runs)
    rng = np.random.default_rng(1)
    samples = pd.DataFrame({"E": rng.normal(fit.E, 0.02, 50), "a": rng.normal(fit.a, 0.02, 50),
                            "converged": np.arange(50) % 10 != 0})  # 45 of 50 fitted
    floats = assess_approach3(fit, runs["n_params"], runs["n_tokens"], runs["loss"], samples=samples)
    assert floats.check("resamples_fitted").value == pytest.approx(0.9)
    ints = assess_approach3(fit, runs["n_params"].astype("int64"), runs["n_tokens"].astype("int64"),
                            runs["loss"], samples=samples.assign(converged=samples["converged"].astype(int)))
    assert [c.name for c in ints.checks] == [c.name for c in floats.checks]
    for a, b in zip(ints.checks, floats.checks):
        assert a.value == pytest.approx(b.value, rel=1e-9), a.name


def test_a_check_passes_at_its_threshold_and_fails_when_not_computable():
    from chinchilla_lib.approaches.quality import _check

    assert _check("a_spread", 0.2).passed and not _check("a_spread", 0.2000001).passed  # at most
    assert _check("E_floor", 0.01).passed and not _check("E_floor", 0.0099999).passed  # at least
    assert not _check("a_spread", float("nan")).passed and not _check("E_floor", float("inf")).passed
    assert not _check("extrapolation", float("-inf")).passed
    budgets = _check("budgets_used", 3, note="n")
    assert budgets == Check("budgets_used", 3.0, 3.0, True, True, "n") and isinstance(budgets.threshold, float)
    assert _check("a_spread", 0.1).refuses and not _check("extrapolation", 1.0).refuses
    assert isinstance(_check("a_spread", np.float64(0.1)).passed, bool)
    assert _check("a_spread", 0.1).note == ""


def test_equal_count_groups_by_hand():
    from chinchilla_lib.approaches.quality import _groups

    # distinct values 1, 2, 3, 5 ranked 0..3; two bins: rank * 2 // 4
    assert _groups(np.array([3.0, 1.0, 2.0, 2.0, 5.0]), 2).tolist() == [1, 0, 0, 0, 1]
    # seven distinct values in three bins: rank * 3 // 7 = 0, 0, 0, 1, 1, 2, 2
    assert _groups(np.arange(7.0)[::-1], 3).tolist() == [2, 2, 1, 1, 0, 0, 0]


def test_bootstrap_checks_at_the_edges():
    spread, fitted, majority = bootstrap_checks(np.linspace(0.4, 0.6, 101), level=0.5)
    assert spread.value == pytest.approx(0.1)  # 25th-75th percentiles 0.45 and 0.55
    assert spread.note == "50% interval over 101 fitted resamples" and fitted.note == majority.note == "101 of 101"
    spread, fitted, majority = bootstrap_checks(np.r_[0.5, [np.nan] * 3])  # one fitted: no spread
    assert np.isnan(spread.value) and not spread.passed
    assert fitted.value == pytest.approx(0.25) and not majority.passed and majority.refuses
    spread, fitted, majority = bootstrap_checks([])
    assert fitted.value == 0.0 and majority.value == 0.0 and fitted.note == "0 of 0"
    spread, fitted, majority = bootstrap_checks([0.5, None, 0.6])  # None: not fitted, as NaN
    assert fitted.value == pytest.approx(2 / 3) and spread.value == pytest.approx(0.08)
    spread, fitted, majority = bootstrap_checks([0.5, 0.6])  # two fitted: 0.51 and 0.59 (by hand)
    assert spread.value == pytest.approx(0.08) and fitted.value == 1.0 and fitted.passed and majority.passed


def _structure_by_hand(r, by, noise=None):
    """residual_structure's rule in plain Python: equal-count bins of the distinct values, z of bin medians."""
    import math
    import statistics

    n_bins = min(10, max(2, len(r) // 5))
    best = (0.0, 0.0, "")
    for name, values in by.items():
        distinct = sorted(set(values))
        labels = [min(distinct.index(v) * n_bins // len(distinct), n_bins - 1) for v in values]
        groups = {k: [ri for ri, lab in zip(r, labels) if lab == k] for k in sorted(set(labels))}
        medians = {k: statistics.median(g) for k, g in groups.items()}
        if noise is None:
            dev = [ri - medians[lab] for ri, lab in zip(r, labels)]
            centre = statistics.median(dev)
            sigma = 1.4826 * statistics.median([abs(x - centre) for x in dev])
        else:
            sigma = noise
        if not sigma > 0:
            sigma = np.finfo(float).eps * max(1.0, max(abs(x) for x in r))
        z = [medians[k] / (1.2533 * sigma / math.sqrt(len(groups[k]))) for k in groups]
        rms = math.sqrt(sum(x * x for x in z) / len(z))
        if rms >= best[0]:
            best = (rms, max(abs(m) for m in medians.values()), name)
    return best


@pytest.mark.parametrize("n,noise", [(37, 0.01), (37, None), (8, None), (120, 0.02)])
def test_residual_structure_agrees_with_a_plain_python_rule(n, noise):
    rng = np.random.default_rng(n)
    size = np.round(rng.uniform(0, 3, n), 1)  # ties
    compute = rng.uniform(0, 1, n)
    r = 0.01 * np.sin(3 * size) + rng.normal(0, 0.01, n)
    structure, big = residual_structure(r, {"size": size, "compute": compute}, noise=noise)
    rms, largest, name = _structure_by_hand(list(r), {"size": list(size), "compute": list(compute)}, noise)
    assert structure.value == pytest.approx(rms, rel=1e-9) and big.value == pytest.approx(largest, rel=1e-12)
    assert structure.note == f"grouped by {name}"
    assert big.note == f"largest bin median of the log-loss residuals, by {name}"
    assert (structure.name, structure.threshold, structure.passed, structure.refuses, structure.needs) == \
        ("residual_structure", 3.0, rms <= 3.0, False, "structure_size")
    assert (big.name, big.threshold, big.passed, big.refuses, big.needs) == \
        ("structure_size", 0.01, largest <= 0.01, False, "residual_structure")


def test_residual_structure_without_scatter_and_on_equal_groupings():
    x = np.repeat(np.arange(5.0), 5)  # 25 runs: five bins of five
    steps = np.repeat([0.0, 0.0, 0.0, 0.0, 0.5], 5)  # no scatter about the bin medians
    structure, big = residual_structure(steps, {"size": x})
    # sigma falls back to eps x max(1, 0.5); one bin's z is 0.5 / (1.2533 eps / sqrt 5), the rest 0
    z = 0.5 / (1.2533 * np.finfo(float).eps / np.sqrt(5))
    assert structure.value == pytest.approx(np.sqrt(z**2 / 5), rel=1e-9) and big.value == 0.5
    steps2 = np.repeat([0.0, 0.0, 0.0, 0.0, 2.0], 5)
    assert residual_structure(steps2, {"size": x})[0].value == pytest.approx(
        np.sqrt((2.0 / (1.2533 * 2.0 * np.finfo(float).eps / np.sqrt(5))) ** 2 / 5), rel=1e-9)
    same, _ = residual_structure(steps, {"size": x, "compute": x}, noise=0.1)  # a tie: the later grouping named
    assert same.note == "grouped by compute"
    assert same.value == pytest.approx(np.sqrt((0.5 / (1.2533 * 0.1 / np.sqrt(5))) ** 2 / 5))
    nothing, size = residual_structure(steps, {})  # no grouping: nothing to test
    assert (nothing.value, size.value, nothing.note) == (0.0, 0.0, "grouped by ") and size.passed
    zero, size = residual_structure(np.zeros(25), {"size": x}, noise=0.1)
    assert zero.value == 0.0 and size.value == 0.0 and zero.note == "grouped by size"


def test_a_paired_failure_alone_is_not_listed():
    big = Check("structure_size", 0.05, 0.01, False, False, needs="residual_structure")
    insignificant = Check("residual_structure", 1.0, 3.0, True, False, needs="structure_size")
    far = Check("extrapolation", 500.0, 100.0, False, False)
    assert Quality.of([big, insignificant]).failed == ()
    assert Quality.of([big, insignificant, far]).failed == (far,)
    assert Quality.of([far, Check("a_spread", 0.3, 0.2, False, True)]).failed[1] is far


def test_approach3_checks_by_hand():
    from chinchilla_lib.approaches.quality import assess_approach3

    runs = _grid(noise=0.002)
    fit = _fit(runs)
    low = float(runs["loss"].min())
    samples = pd.DataFrame({"E": [1.60, 1.70, 5.0], "a": [0.50, 0.52, 0.9], "converged": [True, True, False]})
    quality = assess_approach3(fit, runs["n_params"], runs["n_tokens"], runs["loss"], samples=samples, noise=0.002)
    assert [c.name for c in quality.checks] == ["a_spread", "resamples_fitted", "resamples_majority", "E_spread",
                                                "E_floor", "exponent_floor", "exponent_ceiling", "E_above_losses",
                                                "residual_structure", "structure_size", "conditioning"]
    # two converged: 10th-90th percentiles of (1.6, 1.7) are 1.61 and 1.69; of a (0.50, 0.52), 0.502 and 0.518
    assert quality.check("E_spread").value == pytest.approx(0.08 / fit.E)
    assert quality.check("E_spread").note == "10-90% range of E over E"
    assert quality.check("a_spread").value == pytest.approx(0.016)
    assert quality.check("resamples_fitted").value == pytest.approx(2 / 3)
    assert quality.check("E_floor").value == pytest.approx(fit.E / low)
    assert quality.check("E_floor").note == "E over the lowest loss"
    assert quality.check("exponent_floor").value == min(fit.alpha, fit.beta)
    assert quality.check("exponent_floor").note == "the smaller of alpha, beta"
    assert quality.check("exponent_ceiling").value == max(fit.alpha, fit.beta)
    assert quality.check("exponent_ceiling").note == "the larger of alpha, beta"
    above = quality.check("E_above_losses")
    assert above.value == pytest.approx((fit.E - low) / (0.002 * low))
    assert above.note == f"E = {fit.E:.4g}, lowest loss {low:.4g}, noise {0.002 * low:.2g}"
    n, d = runs["n_params"].to_numpy(float), runs["n_tokens"].to_numpy(float)
    residuals = np.log(runs["loss"].to_numpy(float)) - np.log(fit.predict(n, d))
    rms, largest, name = _structure_by_hand(list(residuals), {"size": list(np.log(n)),
                                                              "compute": list(np.log(6 * n * d))}, 0.002)
    assert quality.check("residual_structure").value == pytest.approx(rms, rel=1e-9)
    assert quality.check("residual_structure").note == f"grouped by {name}"
    assert quality.check("structure_size").value == pytest.approx(largest, rel=1e-12)
    by_size = runs["loss"] * np.where(runs["n_params"] > 5e8, 1.05, 1.0)  # a step across sizes the fit has not seen
    stepped = assess_approach3(fit, runs["n_params"], runs["n_tokens"], by_size, noise=0.002)
    residuals = np.log(by_size.to_numpy(float)) - np.log(fit.predict(n, d))
    rms, _, name = _structure_by_hand(list(residuals), {"size": list(np.log(n)), "compute": list(np.log(6 * n * d))},
                                      0.002)
    assert name == "size" and stepped.check("residual_structure").note == "grouped by size"
    assert stepped.check("residual_structure").value == pytest.approx(rms, rel=1e-9)
    one = samples.assign(converged=[True, False, False])  # one converged: no spread of E
    e_spread = assess_approach3(fit, runs["n_params"], runs["n_tokens"], runs["loss"], samples=one).check("E_spread")
    assert np.isnan(e_spread.value) and not e_spread.passed


def _condition_by_hand(fit, n, d, y, delta):
    """Eq. (11)'s Huber objective with scipy's huber and logsumexp; central differences at the gate's step, 1e-4 max(1, |x|)."""
    from scipy.special import huber, logsumexp

    ln, ld, ly = np.log(n), np.log(d), np.log(y)

    def objective(x):
        a, b, e, alpha, beta = x
        pred = logsumexp(np.stack([a - alpha * ln, b - beta * ld, np.full_like(ln, e)]), axis=0)
        return float(np.sum(huber(delta, pred - ly)))

    x = np.array([np.log(fit.A), np.log(fit.B), np.log(fit.E), fit.alpha, fit.beta])
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    hess = np.empty((5, 5))
    for i in range(5):
        for j in range(5):
            ei, ej = np.eye(5)[i] * h[i], np.eye(5)[j] * h[j]
            hess[i, j] = (objective(x + ei + ej) - objective(x + ei - ej) - objective(x - ei + ej)
                          + objective(x - ei - ej)) / (4 * h[i] * h[j])
    eig = np.abs(np.linalg.eigvalsh(hess))
    return eig.max() / eig.min()


@pytest.mark.parametrize("delta", [1e-3, 0.05])
def test_approach3_conditioning_is_the_huber_objectives_at_the_fits_delta(delta):
    from dataclasses import replace

    from chinchilla_lib.approaches.quality import _approach3_condition

    runs = _grid(noise=0.01)
    fit = replace(_fit(runs), delta=delta)
    n, d, y = (runs[c].to_numpy(float) for c in ("n_params", "n_tokens", "loss"))
    assert _approach3_condition(fit, n, d, y) == pytest.approx(_condition_by_hand(fit, n, d, y, delta), rel=1e-5)
    if delta == 1e-3:  # a fit without a delta is judged at the default, 1e-3
        from types import SimpleNamespace

        bare = SimpleNamespace(**{k: getattr(fit, k) for k in ("log_A", "log_B", "log_E", "alpha", "beta")})
        assert _approach3_condition(bare, n, d, y) == _approach3_condition(fit, n, d, y)
