"""chinchilla_lib.approaches.envelope: Approach 1, the training-curve envelope (Hoffmann et al. Section 3.1,
Figure 2)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib._validate import UnitWarning
from chinchilla_lib.approaches import envelope as env
from chinchilla_lib.approaches import envelope as env_mod
from chinchilla_lib.approaches.envelope import (
    EnvelopeWarning,
    curve_on_grid,
    curve_scatter,
    endpoint_table,
    envelope_argmin,
    envelope_horizons,
    envelope_margin,
    envelope_switches,
    fit_envelope,
    fit_interior_envelope,
    interior_range,
    lower_envelope,
    sliding_exponents,
)
from chinchilla_lib.approaches.envelope import diagnostics as env_diag
from chinchilla_lib.approaches.envelope import diagnostics as env_diagnostics
from chinchilla_lib.approaches.envelope import fit as env_fit
from chinchilla_lib.approaches.simulate import simulate_training_curves
from chinchilla_lib.laws import ParametricLaw, get_law

# ======== Approach 1 (training-curve envelope, Hoffmann et al. Section 3.1, Figure 2).

LAW = get_law("paper")
SIZES = np.geomspace(1e7, 1e11, 41)  # neighbours 1.26x apart


def analytic_curves(law, sizes=SIZES):
    """One long, schedule-free curve per size: loss = law.loss(N, D) all along."""
    return simulate_training_curves(law, sizes, tokens_per_param=[1e4], start_fraction=1e-6, n_points=300,
                                    penalty=0.0)


@pytest.mark.parametrize("law", [LAW, ParametricLaw(1.7, 400.0, 300.0, 0.3, 0.3)], ids=["paper", "alpha=beta"])
def test_envelope_of_analytic_curves_recovers_a_within_0005(law):
    # Tolerance: the argmin is a staircase over sizes 1.26x apart; over 4 decades of C
    # that limits the slope error to about ln(1.26) / ln(1e4) / 2 ~ 0.013 at worst, ~0.001 in practice.
    fit = fit_envelope(analytic_curves(law), flops_range=(1e18, 1e22))
    assert fit.a == pytest.approx(law.a, abs=0.005)
    assert fit.b == pytest.approx(law.b, abs=0.005)
    assert fit.n_models >= 10 and len(fit.envelope) == 1500
    n_opt, _ = law.optimal_allocation(1e20)
    assert fit.n_opt(1e20) == pytest.approx(n_opt, rel=0.1)


def test_envelope_is_the_minimum_over_curves():
    curves = analytic_curves(LAW, SIZES[::8])
    env = lower_envelope(curves, n_grid=200)
    for _, curve in curves.groupby("run"):
        inside = (env["flops"] >= curve["flops"].min()) & (env["flops"] <= curve["flops"].max())
        interp = np.interp(np.log(env.loc[inside, "flops"]), np.log(curve["flops"]), curve["loss"])
        assert np.all(env.loc[inside, "loss"] <= interp + 1e-12)
    chosen = env.iloc[100]
    direct = LAW.loss(chosen["n_params"], chosen["n_tokens"])
    assert chosen["loss"] == pytest.approx(direct, rel=1e-3)  # linear interpolation in log C
    assert (env["n_curves"] >= 2).all()
    np.testing.assert_allclose(env["n_tokens"], env["flops"] / (6 * env["n_params"]))


def test_min_overlap_removes_flops_reached_by_one_curve():
    curves = analytic_curves(LAW, [1e8, 1e9])
    single = lower_envelope(curves, min_overlap=1, n_grid=300)
    double = lower_envelope(curves, min_overlap=2, n_grid=300)
    assert len(double) < len(single)
    lo = max(g["flops"].min() for _, g in curves.groupby("run"))
    hi = min(g["flops"].max() for _, g in curves.groupby("run"))
    assert double["flops"].min() >= lo * (1 - 1e-12) and double["flops"].max() <= hi * (1 + 1e-12)


def test_tokens_instead_of_flops_and_model_column():
    curves = analytic_curves(LAW, SIZES[::10]).drop(columns=["flops", "run"])
    env = lower_envelope(curves, n_grid=100)
    assert set(env["curve"]) <= set(curves["model"])


def test_smoothing_reduces_noise():
    curves = simulate_training_curves(LAW, [1e8, 1.1e8], tokens_per_param=[1e3], penalty=0.0, noise=0.02,
                                      n_points=400, start_fraction=1e-2, seed=0)
    truth = lower_envelope(curves.assign(loss=curves["loss_true"]), n_grid=300)
    raw = lower_envelope(curves, n_grid=300)
    smooth = lower_envelope(curves, n_grid=300, smooth=0.05)
    assert np.std(smooth["loss"] - truth["loss"]) < 0.5 * np.std(raw["loss"] - truth["loss"])


def test_schedule_penalty_with_few_horizons_biases_approach_1():
    """Bias study: four horizons per model (tokens = r N, r spanning 16x) and a 5% cosine penalty
    make end-of-cycle points (N ~ C^0.5) win the envelope; many horizons remove the bias."""
    sizes = np.geomspace(1e7, 1e11, 17)
    few = fit_envelope(simulate_training_curves(LAW, sizes, penalty=0.05), flops_range=(1e18, 1e21))
    many = fit_envelope(simulate_training_curves(LAW, sizes, penalty=0.05, tokens_per_param=np.geomspace(1, 1e3, 13)),
                        flops_range=(1e18, 1e21))
    assert few.a - LAW.a > 0.02
    assert abs(many.a - LAW.a) < 0.005


@pytest.mark.parametrize(
    "curves, kwargs, match",
    [
        (pd.DataFrame({"n_params": [1e8, 2e8], "loss": [3.0, 2.0]}), {}, "flops or n_tokens"),
        (pd.DataFrame({"run": [0, 0], "n_params": [1e8, 2e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}), {},
         "mixes model sizes"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, -2.9]}), {}, "loss"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}),
         {"flops_range": (2e18, 1e18)}, "flops_range"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}), {}, "covered by 2"),
        ("not a frame", {}, "DataFrame"),
    ],
)
def test_bad_curves_are_rejected(curves, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lower_envelope(curves, **kwargs)


def test_single_model_envelope_cannot_be_fitted():
    curves = analytic_curves(LAW, [1e8, 1e11])
    with pytest.raises(ValueError, match="at least 2 sizes"):
        fit_envelope(curves, flops_range=(1e18, 1e19), min_overlap=1)


# ------------------------------------------------------------ the mathematical core
def test_envelope_argmin_of_a_hand_made_grid():
    from chinchilla_lib.approaches.envelope import envelope_argmin

    nan = np.nan
    losses = np.array([[3.0, 2.5, 2.2, nan],
                       [nan, 2.4, 2.3, 2.1],
                       [nan, nan, 2.0, 2.2]])
    keep, best, lowest, count = envelope_argmin(losses, min_overlap=2)
    np.testing.assert_array_equal(count, [1, 2, 3, 2])
    np.testing.assert_array_equal(keep, [False, True, True, True])
    np.testing.assert_array_equal(best, [1, 2, 1])
    np.testing.assert_allclose(lowest, [2.4, 2.0, 2.1])
    keep1, best1, lowest1, _ = envelope_argmin(losses, min_overlap=1)
    assert keep1.all() and best1[0] == 0 and lowest1[0] == 3.0


def test_curve_on_grid_interpolates_in_log_flops_and_never_extrapolates():
    from chinchilla_lib.approaches.envelope import curve_on_grid

    curve = pd.DataFrame({"flops": [1e18, 1e20, 1e20], "loss": [3.0, 2.0, 2.2]})  # duplicate FLOPs averaged
    log_grid = np.log([1e17, 1e18, 1e19, 1e20, 1e21])
    out = curve_on_grid(curve, log_grid, 0.0)
    assert np.isnan(out[0]) and np.isnan(out[4])
    np.testing.assert_allclose(out[1:4], [3.0, 2.55, 2.1])  # 1e19 is halfway in ln C: (3.0 + 2.1) / 2
    flat = pd.DataFrame({"flops": np.geomspace(1e18, 1e20, 5), "loss": 2.5})
    np.testing.assert_allclose(curve_on_grid(flat, np.linspace(np.log(1e18), np.log(1e20), 50), 3.0), 2.5)


def test_fit_interior_envelope_recovers_a_and_starts_and_ends_on_interior_sizes():
    from chinchilla_lib.approaches.envelope import fit_interior_envelope

    sizes = SIZES[::4]
    fit = fit_interior_envelope(analytic_curves(LAW, sizes), n_grid=400)
    # 11 sizes 2.5x apart over about 6 decades of C: resolution ln(2.5) / ln(1e6) ~ 0.07, ~0.01 in practice
    assert fit.a == pytest.approx(LAW.a, abs=0.02)
    ends = fit.envelope["n_params"].iloc[[0, -1]]
    assert ((ends > sizes.min()) & (ends < sizes.max())).all()


# ======== Approach 1 in detail: the lower envelope of two hand-made training curves whose crossing is known.
# Curve "small" (1e8 parameters): loss 3 - 0.1 (log10 C - 16) over 1e16..1e20 FLOPs.
# Curve "large" (1e9 parameters): loss 3.5 - 0.3 (log10 C - 16) over 1e17..1e21 FLOPs.
# They cross at log10 C = 18.5: below it the small model is lower, above it the large one.

# grid 10^16.25 .. 10^21.25 in 11 steps of half a decade: kept where both curves exist, 17.25 .. 19.75
RANGE = (10**16.25, 10**21.25)
KEPT = np.array([17.25, 17.75, 18.25, 18.75, 19.25, 19.75])


def two_curves(tokens=False):
    rows = []
    for name, n, start, stop, l0, slope in (("small", 1e8, 16, 20, 3.0, 0.1), ("large", 1e9, 17, 21, 3.5, 0.3)):
        for x in np.arange(start, stop + 0.5, 0.5):
            rows.append((name, n, 10.0**x, l0 - slope * (x - 16)))
    frame = pd.DataFrame(rows, columns=["run", "n_params", "flops", "loss"])
    if tokens:
        frame["n_tokens"] = frame.pop("flops") / (6 * frame["n_params"])
    return frame


def small_wins(x):
    return x < 18.5


def test_lower_envelope_is_the_lower_curve_where_both_exist():
    env = lower_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    assert list(env.columns) == ["flops", "loss", "curve", "n_params", "n_tokens", "n_curves"]
    np.testing.assert_allclose(np.log10(env["flops"]), KEPT, rtol=1e-12)
    expected = np.where(small_wins(KEPT), 3.0 - 0.1 * (KEPT - 16), 3.5 - 0.3 * (KEPT - 16))
    np.testing.assert_allclose(env["loss"], expected, rtol=1e-9)
    assert env["curve"].tolist() == ["small"] * 3 + ["large"] * 3
    assert env["n_params"].tolist() == [1e8] * 3 + [1e9] * 3
    np.testing.assert_allclose(env["n_tokens"], env["flops"] / (6 * env["n_params"]), rtol=1e-12)
    assert env["n_curves"].tolist() == [2] * 6


def test_one_curve_is_enough_with_min_overlap_1():
    env = lower_envelope(two_curves(), n_grid=11, flops_range=RANGE, min_overlap=1)
    assert len(env) == 10 and env["n_curves"].tolist() == [1, 1] + [2] * 6 + [1, 1]
    assert env["curve"].iloc[0] == "small" and env["curve"].iloc[-1] == "large"


def test_no_overlap_is_refused():
    with pytest.raises(ValueError, match="no FLOP value is covered by 3 curves; lower min_overlap"):
        lower_envelope(two_curves(), n_grid=11, min_overlap=3)


def test_tokens_give_the_flops_as_6nd():
    a = lower_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    b = lower_envelope(two_curves(tokens=True), n_grid=11, flops_range=RANGE)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_curves_are_named_by_run_then_model_then_size():
    frame = two_curves()
    assert env_fit._curve_column(frame, None) == "run"
    assert env_fit._curve_column(frame.rename(columns={"run": "model"}), None) == "model"
    assert env_fit._curve_column(frame.drop(columns="run"), None) == "n_params"
    assert env_fit._curve_column(frame, "n_params") == "n_params"
    with pytest.raises(ValueError, match="curve_col 'id' is not a column of curves"):
        env_fit._curve_column(frame, "id")


@pytest.mark.parametrize("change, message", [
    (lambda f: f.to_dict(), "curves must be a pandas DataFrame, got dict"),
    (lambda f: f.drop(columns="loss"), r"curves lacks column\(s\) \['loss'\]"),
    (lambda f: f.drop(columns="flops"), r"curves lacks column\(s\) \['n_tokens'\]"),
    (lambda f: f.assign(run="one"), "curve 'one' mixes model sizes; pass curve_col naming one run"),
    (lambda f: f.assign(loss=-f["loss"]), "loss must be positive"),
])
def test_bad_curves_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        lower_envelope(change(two_curves()))


@pytest.mark.parametrize("flops_range", [(1e20, 1e18), (1e18,), (1e18, 1e19, 1e20), (-1.0, 1e20)])
def test_bad_flops_range_is_refused(flops_range):
    with pytest.raises(ValueError, match="flops_range"):
        lower_envelope(two_curves(), flops_range=flops_range)


def test_default_grid_spans_all_curves_with_1500_points():
    grid = env_fit._grid(env_fit._tidy(two_curves(), None)[0], 1500, None)
    assert grid.size == 1500 and grid[0] == pytest.approx(1e16) and grid[-1] == pytest.approx(1e21)


def test_curve_on_grid_averages_repeated_flops_and_is_nan_outside_the_curve():
    curve = pd.DataFrame({"flops": [1e18, 1e20, 1e18], "loss": [3.0, 2.0, 3.2]})  # 1e18 twice: averaged
    log_grid = np.log([1e17, 1e18, 1e19, 1e20, 1e21])
    out = curve_on_grid(curve, log_grid, 0.0)
    assert np.isnan(out[0]) and np.isnan(out[-1])
    np.testing.assert_allclose(out[1:4], [3.1, 2.55, 2.0], rtol=1e-12)
    one = curve_on_grid(pd.DataFrame({"flops": [1e19], "loss": [2.0]}), log_grid, 0.0)
    assert np.isnan(one).all()
    outside = curve_on_grid(curve, np.log([1e21, 1e22]), 0.0)
    assert np.isnan(outside).all()


def test_curve_smoothing_averages_neighbours_within_the_curve():
    log_grid = np.log(np.geomspace(1e18, 1e20, 21))
    curve = pd.DataFrame({"flops": np.exp(log_grid), "loss": np.where(np.arange(21) == 10, 3.0, 2.0)})
    raw = curve_on_grid(curve, log_grid, 0.0)
    smooth = curve_on_grid(curve, log_grid, 2.0)
    assert raw[10] == 3.0 and 2.0 < smooth[10] < 2.5 and smooth[9] > 2.0
    assert smooth.sum() == pytest.approx(raw.sum(), rel=1e-9)  # a spike spread out, not removed


def test_smooth_is_given_in_decades(monkeypatch):
    seen = []
    real = env_mod.curve_on_grid
    monkeypatch.setattr(env_fit, "curve_on_grid", lambda c, g, s: seen.append(s) or real(c, g, s))
    lower_envelope(two_curves(), n_grid=51, flops_range=(1e16, 1e21), smooth=0.2)  # 0.1 decade per step
    assert seen == [pytest.approx(2.0)] * 2
    seen.clear()
    lower_envelope(two_curves(), n_grid=51, flops_range=(1e16, 1e21))
    assert seen == [0.0, 0.0]
    with pytest.raises(ValueError, match="smooth"):
        lower_envelope(two_curves(), smooth=-0.1)


def test_envelope_argmin_skips_undefined_curves_and_counts_them():
    losses = np.array([[3.0, 2.0, np.nan, np.nan], [np.nan, 2.5, 1.5, np.nan], [4.0, 1.0, 2.0, 1.0]])
    keep, best, lowest, count = envelope_argmin(losses)
    assert count.tolist() == [2, 3, 2, 1] and keep.tolist() == [True, True, True, False]
    assert best.tolist() == [0, 2, 1] and lowest.tolist() == [3.0, 1.0, 1.5]
    keep1, best1, _, _ = envelope_argmin(losses, min_overlap=1)
    assert keep1.all() and best1.tolist() == [0, 2, 1, 2]


def test_fit_envelope_on_the_staircase():
    result = fit_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    # least squares of log10 N = 8, 8, 8, 9, 9, 9 on log10 C = 17.25 .. 19.75: slope 2.25 / 4.375
    a = 2.25 / 4.375
    assert result.a == pytest.approx(a, rel=1e-9) and result.b == pytest.approx(1 - a, rel=1e-9)
    assert result.n_coef == pytest.approx(10 ** (8.5 - a * 18.5), rel=1e-9)
    assert result.d_coef == pytest.approx(10 ** (np.mean(KEPT - np.repeat([8, 9], 3)) - math.log10(6)
                                                 - (1 - a) * 18.5), rel=1e-9)
    assert result.n_models == 2 and result.n_grid == 11 and result.min_overlap == 2 and result.smooth is None
    assert result.warnings == () and len(result.envelope) == 6
    assert result._fitted_flops() == (pytest.approx(10**17.25), pytest.approx(10**19.75))


def test_an_envelope_held_by_one_model_is_refused():
    with pytest.raises(ValueError, match="the envelope is reached by 1 model size over "):
        fit_envelope(two_curves(), n_grid=11, flops_range=(10**17.25, 10**17.75))


def test_an_exponent_outside_0_1_warns(monkeypatch):
    monkeypatch.setattr(env_fit, "fit_log_log_line", lambda x, y: (1.2, 1.0))
    with pytest.warns(EnvelopeWarning, match="the fitted exponent a = 1.2 is outside"):
        result = fit_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    assert len(result.warnings) == 1
    monkeypatch.setattr(env_fit, "fit_log_log_line", lambda x, y: (0.0, 1.0))
    with pytest.warns(EnvelopeWarning):
        fit_envelope(two_curves(), n_grid=11, flops_range=RANGE)


def test_fit_envelope_refuses_runs_that_cannot_decide_it():
    frame = two_curves()
    with pytest.raises(ValueError, match="n_params has 1 distinct"):
        fit_envelope(frame.assign(n_params=1e8))
    with pytest.raises(ValueError, match="does not fall with compute over the training curves"):
        fit_envelope(frame.assign(loss=6 - frame["loss"]))


def test_fit_envelope_warns_about_parameters_in_billions():
    frame = two_curves()
    with pytest.warns(UnitWarning, match="n_params"):
        fit_envelope(frame.assign(n_params=frame["n_params"] / 1e9), n_grid=11, flops_range=RANGE)


def test_grid_options_must_be_whole_numbers():
    with pytest.raises(ValueError, match="n_grid"):
        lower_envelope(two_curves(), n_grid=0)
    with pytest.raises(ValueError, match="min_overlap"):
        lower_envelope(two_curves(), min_overlap=0)


# ------------------------------------------------------------------ diagnostics


def three_curves():
    frame = two_curves()
    rows = [("huge", 1e10, 10.0**x, 2.45 - 0.6 * (x - 19.5)) for x in np.arange(18, 22.5, 0.5)]  # wins above 19.5
    return pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)


def test_interior_range_is_where_a_middle_size_wins():
    frame = three_curves()
    env = lower_envelope(frame, n_grid=41)
    lo, hi = env_mod.interior_range(frame, n_grid=41)
    middle = env[env["n_params"] == 1e9]["flops"]
    assert (lo, hi) == (middle.min(), middle.max())
    with pytest.raises(ValueError, match="only ever reached by the smallest or the largest model"):
        env_mod.interior_range(two_curves(), n_grid=11)
    with pytest.raises(ValueError, match="reached by 1 model size"):  # inside it only the middle size wins
        env_mod.fit_interior_envelope(frame, n_grid=41)


def test_sliding_exponents_fit_windows_of_the_staircase():
    env = lower_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    table = env_mod.sliding_exponents(env, decades=2.0, step=0.5)
    assert list(table.columns) == ["centre", "a"]
    # windows starting at 17.25, 17.75 (ending 19.25, 19.75) both hold both sizes
    np.testing.assert_allclose(np.log10(table["centre"]), [18.25, 18.75])
    assert (table["a"] > 0).all()
    with pytest.raises(ValueError, match="spans less than 5.0 decades"):
        env_mod.sliding_exponents(env, decades=5.0)
    with pytest.raises(ValueError, match="decades"):
        env_mod.sliding_exponents(env, decades=0)


def test_staircase_resolution_is_the_largest_size_step_over_the_flop_range():
    value = env_mod.staircase_resolution([1e8, 2e8, 1e9, 1e9], (1e18, 1e22))
    assert value == pytest.approx(math.log(5) / math.log(1e4))
    with pytest.raises(ValueError, match="at least two model sizes"):
        env_mod.staircase_resolution([1e8], (1e18, 1e22))
    with pytest.raises(ValueError, match="low < high"):
        env_mod.staircase_resolution([1e8, 1e9], (1e22, 1e18))


def test_envelope_horizons_are_tokens_per_parameter_of_the_winner():
    env = pd.DataFrame({"curve": ["a", "b", "a"]})
    curves = pd.DataFrame({"run": ["a", "a", "b"], "horizon": [2e9, 2e9, 6e10], "n_params": [1e8, 1e8, 1e9]})
    out = env_mod.envelope_horizons(env, curves)
    assert out.tolist() == [20.0, 60.0, 20.0] and out.name == "tokens_per_param"


def test_switches_count_changes_of_winner_and_the_share_within_a_pair():
    env = pd.DataFrame({"curve": ["a", "a", "b", "a", "c", "c"]})
    assert env_mod.envelope_switches(env, ("a", "b")) == (3, pytest.approx(2 / 3))
    count, share = env_mod.envelope_switches(pd.DataFrame({"curve": ["a", "a"]}), ("a", "b"))
    assert count == 0 and math.isnan(share)


def test_endpoint_table_compares_every_model_where_each_run_ends():
    frame = two_curves().rename(columns={"run": "model"})
    table = env_mod.endpoint_table(frame, decades=0.01)
    assert table["ends"].tolist() == ["small", "large"]
    assert table["flops"].tolist() == [pytest.approx(1e20), pytest.approx(1e21)]
    # at 1e20: small 2.6, large 3.5 - 1.2 = 2.3; at 1e21 only the large (2.0)
    assert table.loc[0, "small"] == pytest.approx(2.6) and table.loc[0, "large"] == pytest.approx(2.3)
    assert math.isnan(table.loc[1, "small"]) and table.loc[1, "large"] == pytest.approx(2.0)
    assert table["best"].tolist() == ["large", "large"]
    assert table.loc[0, "margin"] == pytest.approx(0.3) and math.isnan(table.loc[1, "margin"])


def test_loss_near_is_the_median_just_below_the_budget():
    curve = pd.DataFrame({"flops": [1e18, 9.9e18, 1e19, 2e19], "loss": [5.0, 3.0, 2.0, 1.0]})
    assert env_diag._loss_near(curve, 1e19, 0.01) == pytest.approx(2.5)  # 9.9e18 and 1e19
    assert env_diag._loss_near(curve, 1e19, 0.001) == pytest.approx(2.0)
    assert math.isnan(env_diag._loss_near(curve, 3e19, 0.01)) and math.isnan(env_diag._loss_near(curve, 1e17, 0.01))


def test_envelope_margin_is_the_runner_up_above_the_winner():
    frame = two_curves().rename(columns={"run": "model"})
    out = env_mod.envelope_margin(frame, n_grid=11, flops_range=RANGE)
    x = KEPT
    gap = np.abs((3.0 - 0.1 * (x - 16)) - (3.5 - 0.3 * (x - 16)))
    np.testing.assert_allclose(out["margin"], gap, rtol=1e-9)


def test_curve_scatter_is_the_robust_noise_about_a_running_median():
    x = np.arange(101.0)
    wiggle = np.tile([0.01, -0.01], 51)[:101]
    frame = pd.DataFrame({"model": "m", "flops": 10 ** (16 + x / 20), "loss": 3.0 - 0.001 * x + wiggle})
    assert env_mod.curve_scatter(frame, points=3) == pytest.approx(1.4826 * 0.02, rel=0.1)
    with pytest.raises(ValueError, match="points"):
        env_mod.curve_scatter(frame, points=0)


# ------------------------------------------------------------------ exact wording and edges


@pytest.mark.parametrize("call, text", [
    (lambda: lower_envelope(two_curves().assign(loss=-3.0)),
     "loss must be positive and finite; element 0 is -3.0 (nats per token)"),
    (lambda: lower_envelope(two_curves(), flops_range=(-1.0, 1e20)),
     "flops_range must be positive and finite; element 0 is -1.0 ((low, high) in FLOPs)"),
    (lambda: env_mod.staircase_resolution([1e8, 1e9], (-1.0, 1e20)),
     "flops_range must be positive and finite; element 0 is -1.0 ((low, high) in FLOPs)"),
    (lambda: env_mod.endpoint_table(two_curves().rename(columns={"run": "model"}), decades=0),
     "decades must be a positive finite number, got 0.0 (e.g. 0.01)"),
])
def test_envelope_refusals_word_for_word(call, text):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == text


def test_the_first_curve_that_mixes_sizes_is_named():
    frame = pd.concat([two_curves().assign(run="zeta"), two_curves().assign(run="alpha")])
    with pytest.raises(ValueError, match="^curve 'zeta' mixes model sizes"):
        lower_envelope(frame)


def test_curve_col_reaches_the_envelope():
    frame = two_curves()
    frame.loc[(frame["run"] == "small") & (frame["flops"] > 1e18), "run"] = "small-late"  # one size, two runs
    by_size = lower_envelope(frame, n_grid=11, flops_range=RANGE, curve_col="n_params")
    assert by_size["curve"].tolist() == [1e8] * 3 + [1e9] * 3
    fitted = fit_envelope(frame, n_grid=11, flops_range=RANGE, curve_col="n_params")
    assert len(fitted.envelope) == 6  # by run, 18.25 lies in the gap between "small" and "small-late"
    assert len(lower_envelope(frame, n_grid=11, flops_range=RANGE)) == 5


def test_curve_names_keep_their_type():
    frame = two_curves()
    frame["run"] = frame["run"].map({"small": 1, "large": "b"})
    env = lower_envelope(frame, n_grid=11, flops_range=RANGE)
    assert env["curve"].tolist() == [1] * 3 + ["b"] * 3


def test_fit_envelope_warns_about_compute_in_pf_days():
    frame = two_curves()
    with pytest.warns(UnitWarning, match="flops look like the wrong unit"):
        fit_envelope(frame.assign(flops=frame["flops"] / 8.64e19), n_grid=11)


def test_sliding_window_includes_its_first_point():
    env = lower_envelope(two_curves(), n_grid=11, flops_range=RANGE)
    table = env_mod.sliding_exponents(env, decades=2.1, step=0.5)
    # first window 17.25 .. 19.35: log10 N = 8, 8, 8, 9, 9 at 17.25 .. 19.25: slope 1.5 / 2.5
    assert table["a"].iloc[0] == pytest.approx(0.6)


def test_curve_scatter_holds_the_ends_of_each_curve():
    # running median over 5 points with the ends held (mode "nearest"): residuals 0, -1, 0, 1, 0, -1, 0
    frame = pd.DataFrame({"model": "m", "flops": np.arange(1.0, 8.0), "loss": [3.0, 0, 0, 1, 0, 0, 3]})
    assert env_mod.curve_scatter(frame, points=5) == 0.0


def test_loss_near_counts_a_point_exactly_at_the_budget_s_rounding_margin():
    # a point at flops x (1 + 1e-9), the margin allowed for rounding, is at the budget: inside the window
    edge = 1e19 * (1 + 1e-9)
    curve = pd.DataFrame({"flops": [9.995e18, edge], "loss": [3.0, 2.0]})
    assert env_diag._loss_near(curve, 1e19, 0.01) == pytest.approx(2.5)


def test_loss_near_reads_a_loss_column_of_numbers_as_text():
    # e.g. a CSV read with dtype=str: the loss is read as numbers, not compared as strings
    curve = pd.DataFrame({"flops": [9.9e18, 1e19], "loss": ["3.0", "2.0"]})
    assert env_diag._loss_near(curve, 1e19, 0.01) == 2.5


def test_curves_are_checked_once_per_fit(monkeypatch):
    calls = []
    real = env_fit._tidy
    monkeypatch.setattr(env_fit, "_tidy", lambda curves, col: calls.append(col) or real(curves, col))
    env_mod.fit_envelope(two_curves())
    assert len(calls) == 1  # fit_envelope checks the curves where they enter; the envelope reuses the checked frame


# ======== Approach 1's rules at their edges: exact messages, documented defaults, boundaries and odd column types.
# Every expected value here is written from the docstrings and the paper (Section 3.1: 1500 log-spaced
# FLOP values), or worked out by hand for a frame small enough to check on paper.

def two_runs(*, losses=((3.0, 2.0), (3.5, 1.5)), sizes=(1e8, 1e9), flops=(1e18, 1e20)):
    """Two runs over the same two FLOP values: the small one wins at 1e18, the large one at 1e20."""
    rows = []
    for name, size, loss in zip("ab", sizes, losses):
        rows += [{"run": name, "n_params": size, "flops": c, "loss": y} for c, y in zip(flops, loss)]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- exact messages, one per argument
GOOD = two_runs()


def _with(column, value, frame=GOOD):
    out = frame.copy()
    out.loc[0, column] = value
    return out


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lower_envelope(_with("n_params", -1.0)),
         "n_params must be positive and finite; element 0 is -1.0 (raw parameter counts)"),
        (lambda: lower_envelope(_with("loss", 0.0)),
         "loss must be positive and finite; element 0 is 0.0 (nats per token)"),
        (lambda: lower_envelope(GOOD.drop(columns="flops").assign(n_tokens=[1e9, -1.0, 1e9, 1e9])),
         "n_tokens must be positive and finite; element 1 is -1.0 (raw token counts)"),
        (lambda: lower_envelope(GOOD, n_grid=0), "n_grid must be a positive whole number, got 0"),
        (lambda: lower_envelope(GOOD, min_overlap=0), "min_overlap must be a positive whole number, got 0"),
        (lambda: lower_envelope(GOOD, smooth=-1.0),
         "smooth must be a positive finite number, got -1.0 (decades of FLOPs, e.g. 0.05)"),
        (lambda: lower_envelope(GOOD, flops_range=(1e18, 1e18)),
         "flops_range must be (low, high) with low < high, got (1e+18, 1e+18)"),
        (lambda: sliding_exponents(lower_envelope(GOOD), decades=0.0),
         "decades must be a positive finite number, got 0.0 (window width in decades of FLOPs)"),
        (lambda: sliding_exponents(lower_envelope(GOOD), step=-0.1),
         "step must be a positive finite number, got -0.1 (decades)"),
        (lambda: curve_scatter(GOOD.rename(columns={"run": "model"}), points=0),
         "points must be a positive whole number, got 0"),
        (lambda: interior_range(GOOD), "the envelope is only ever reached by the smallest or the largest model"),
        (lambda: fit_envelope(two_runs(losses=((3.0, 2.0), (3.5, 2.5)))),
         "the envelope is reached by 1 model size over 1500 FLOP values; "
         "an exponent needs at least 2 sizes (widen flops_range or add model sizes)"),
        (lambda: fit_envelope(GOOD.assign(n_params=1e8)),
         "n_params has 1 distinct value(s) (every run has n_params = 1e+08); an envelope that can move between "
         "model sizes needs at least 2 different n_params: add runs of other sizes"),
        (lambda: fit_envelope(pd.DataFrame({"run": list("abcd"), "n_params": 1e8, "flops": 1e18, "loss": 2.0})),
         "all 4 runs are identical (n_params=1e+08, flops=1e+18, loss=2); "
         "a law needs runs of different sizes and lengths"),
    ],
    ids=["n_params", "loss", "n_tokens", "n_grid", "min_overlap", "smooth", "flops_range", "decades", "step",
         "points", "interior", "one-size", "distinct", "identical"],
)
def test_each_refusal_says_exactly_what_is_wrong(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_flops_hint_names_the_unit():
    with pytest.raises(ValueError) as info:
        lower_envelope(_with("flops", -1.0))
    assert str(info.value) == ("flops must be positive and finite; element 0 is -1.0 "
                               "(compute in FLOPs, e.g. 1e19)")


def test_the_curve_that_mixes_sizes_is_the_one_named():
    frame = pd.concat([two_runs(), pd.DataFrame({"run": ["c", "c"], "n_params": [1e8, 2e8],
                                                 "flops": [1e18, 1e20], "loss": [3.0, 2.9]})])
    with pytest.raises(ValueError) as info:
        lower_envelope(frame)
    assert str(info.value) == "curve 'c' mixes model sizes; pass curve_col naming one run"


def test_fit_envelope_honours_curve_col_in_its_own_checks():
    # 'run' mixes sizes, 'model' names one run per size: with curve_col="model" the frame is valid.
    frame = GOOD.assign(model=GOOD["run"], run="same")
    fit = fit_envelope(frame, curve_col="model", n_grid=2, min_overlap=1)
    assert fit.n_models == 2


def test_the_one_size_warning_is_exact():
    # Three sizes whose largest holds the envelope except at the smallest budget: a > 1.
    frame = pd.DataFrame({"run": list("aabbcc"), "n_params": [1e8, 1e8, 1e9, 1e9, 1e12, 1e12],
                          "flops": [1e18, 1e20] * 3, "loss": [2.0, 1.9, 2.5, 1.8, 3.0, 1.0]})
    with pytest.warns(EnvelopeWarning) as caught:
        fit = fit_envelope(frame, n_grid=2, min_overlap=1)
    assert fit.a > 1
    assert str(caught[0].message) == (
        f"the fitted exponent a = {fit.a:.3g} is outside (0, 1): over most of the FLOP range the envelope is held "
        "by the smallest or largest model, so it does not locate an optimum; restrict flops_range "
        "(see interior_range) or add model sizes")
    assert fit.warnings == (str(caught[0].message),)


# ---------------------------------------------------------------- small envelopes worked by hand
def test_two_flop_values_held_by_two_sizes_give_the_slope_between_them():
    # Grid [1e18, 1e20]: 1e8 wins at 1e18, 1e9 at 1e20, so a = ln(10) / ln(100) = 0.5 exactly.
    fit = fit_envelope(GOOD, n_grid=2, min_overlap=1)
    assert len(fit.envelope) == 2
    assert fit.a == pytest.approx(0.5, rel=1e-12)
    assert fit.warnings == ()


def test_an_exponent_of_exactly_one_is_not_flagged():
    # 1e8 wins at 1e18 and 1e10 at 1e20: N_opt grows as fast as C, a = 1, on the edge of (0, 1) not outside.
    fit_frame = two_runs(sizes=(1e8, 1e10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_envelope(fit_frame, n_grid=2, min_overlap=1)
    assert fit.a == pytest.approx(1.0, abs=1e-12)


def test_paper_grid_of_1500_values_by_default():
    assert len(lower_envelope(GOOD, min_overlap=1)) == 1500


def test_smoothing_is_passed_on_and_kept():
    fit = fit_envelope(GOOD, smooth=0.5, n_grid=50, min_overlap=1)
    assert fit.smooth == 0.5
    pd.testing.assert_frame_equal(fit.envelope, lower_envelope(GOOD, smooth=0.5, n_grid=50, min_overlap=1))
    assert not fit.envelope.equals(lower_envelope(GOOD, n_grid=50, min_overlap=1))


def test_smoothing_width_is_counted_in_grid_steps():
    # Two grid values two decades apart: smooth=1 decade is half a grid step.
    out = lower_envelope(GOOD, smooth=1.0, n_grid=2, min_overlap=1)
    log_grid = np.log([1e18, 1e20])
    by_hand = [curve_on_grid(g, log_grid, 0.5) for _, g in GOOD.groupby("run")]
    np.testing.assert_allclose(out["loss"], np.min(by_hand, axis=0), rtol=1e-12)


def test_one_grid_value_with_smoothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = lower_envelope(GOOD, n_grid=1, smooth=0.05, flops_range=(1e18, 1e20), min_overlap=1)
    assert list(out["loss"]) == [3.0]  # the grid's only value is 1e18: run a has 3.0, run b 3.5


def test_ties_go_to_the_curve_first_in_the_frame():
    frame = two_runs(losses=((2.0, 1.0), (2.0, 1.0)), sizes=(2e8, 1e8))
    frame["run"] = frame["run"].map({"a": "z", "b": "y"})  # 'z' (2e8) comes first, 'y' first in sorted order
    out = lower_envelope(frame, n_grid=3, min_overlap=1)
    assert list(out["curve"]) == ["z", "z", "z"]
    assert list(out["n_params"]) == [2e8, 2e8, 2e8]


def test_a_one_point_curve_is_ignored_not_an_error():
    frame = pd.concat([GOOD, pd.DataFrame({"run": ["c"], "n_params": [5e8], "flops": [1e19], "loss": [0.5]})])
    out = lower_envelope(frame, n_grid=3, min_overlap=1)
    assert "c" not in set(out["curve"])


# ---------------------------------------------------------------- fit_interior_envelope's options
def test_interior_fit_uses_its_options_for_the_range_and_the_fit():
    from chinchilla_lib.approaches.simulate import simulate_training_curves
    from chinchilla_lib.laws import get_law

    frame = simulate_training_curves(get_law("paper"), np.geomspace(1e7, 1e11, 11), tokens_per_param=[1e4],
                                     start_fraction=1e-6, n_points=300, penalty=0.0)
    fit = fit_interior_envelope(frame, n_grid=300)
    assert fit.n_grid == 300
    lo, hi = interior_range(frame, n_grid=300)
    assert (fit.envelope["flops"].min(), fit.envelope["flops"].max()) == pytest.approx((lo, hi))


# ---------------------------------------------------------------- diagnostics
def test_sliding_windows_by_default_three_decades_moved_by_a_tenth():
    flops = 10.0 ** np.arange(0.0, 5.01, 0.5)
    envelope = pd.DataFrame({"flops": flops, "n_params": np.sqrt(flops) * np.r_[1, 1, 2, 1, 1, 3, 1, 1, 1, 2, 1]})
    out = sliding_exponents(envelope)
    # windows start at 0, 0.1, ..., 2.0 (the last one ending at the largest value): 21 windows
    assert len(out) == 21
    np.testing.assert_allclose(np.log10(out["centre"]), 1.5 + 0.1 * np.arange(21), atol=1e-9)


def test_a_window_includes_the_value_on_its_upper_edge():
    flops = np.array([1.0, 10.0, 100.0, 1000.0])
    envelope = pd.DataFrame({"flops": flops, "n_params": [1.0, 1.0, 1.0, 1000.0]})
    out = sliding_exponents(envelope, decades=3.0, step=1.0)
    # one window [0, 3] holding all four values: the slope of ln N on ln C by least squares.
    x, y = np.log(flops), np.log([1.0, 1.0, 1.0, 1000.0])
    assert list(out["a"]) == [pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-12)]


def test_horizons_keep_the_envelopes_index():
    curves = pd.DataFrame({"run": ["a", "b"], "n_params": [1e8, 1e9], "horizon": [2e9, 3e10]})
    envelope = pd.DataFrame({"curve": ["a", "b", "b"]}, index=[10, 11, 12])
    out = envelope_horizons(envelope, curves)
    assert list(out.index) == [10, 11, 12]
    assert list(out) == [20.0, 30.0, 30.0]


def test_a_switch_at_the_last_step_is_counted():
    envelope = pd.DataFrame({"curve": ["a", "a", "b"]})
    assert envelope_switches(envelope, ("a", "b")) == (1, 1.0)


def test_margin_names_runs_by_the_column_given():
    frame = GOOD.assign(model="one family")  # 'model' is not one curve per run here; 'run' is
    out = envelope_margin(frame, curve_col="run", n_grid=2, min_overlap=1)
    # at 1e18 run a (3.0) wins over b (3.5); at 1e20 b (1.5) over a (2.0)
    np.testing.assert_allclose(out["margin"], [0.5, 0.5])


def test_margin_is_nan_where_no_other_curve_reaches():
    frame = pd.DataFrame({"model": ["a", "a", "b", "b"], "n_params": [1e8, 1e8, 1e9, 1e9],
                          "flops": [1e18, 1e20, 1e19, 1e20], "loss": [2.0, 1.9, 2.5, 1.0]})
    out = envelope_margin(frame, n_grid=3, min_overlap=1)
    assert np.isnan(out["margin"].iloc[0])  # at 1e18 only a is defined
    np.testing.assert_allclose(out["margin"].iloc[1:], [2.5 - 1.95, 1.9 - 1.0])
    # and mirrored: at 1e20 only a is defined, b's runner-up envelope ends at 1e19
    frame = pd.DataFrame({"model": ["a", "a", "b", "b"], "n_params": [1e8, 1e8, 1e9, 1e9],
                          "flops": [1e18, 1e20, 1e18, 1e19], "loss": [2.0, 1.0, 1.5, 1.8]})
    out = envelope_margin(frame, n_grid=3, min_overlap=1)
    np.testing.assert_allclose(out["margin"], [0.5, 0.3, np.nan])


def test_curve_scatter_runs_a_31_point_median_by_default():
    from scipy.ndimage import median_filter

    rng = np.random.default_rng(0)
    loss = 2.0 + rng.normal(0, 0.01, 200)
    frame = pd.DataFrame({"model": "m", "flops": np.geomspace(1e18, 1e20, 200), "loss": loss})
    res = loss - median_filter(loss, size=31, mode="nearest")
    assert curve_scatter(frame) == pytest.approx(1.4826 * np.median(np.abs(res - np.median(res))), rel=1e-12)


# ---------------------------------------------------------------- endpoint_table and its window
def _ends():
    return pd.DataFrame({
        "model": ["s"] * 4 + ["l"] * 3,
        "n_params": [1e8] * 4 + [1e9] * 3,
        "flops": [1e18, 9.5e18, 1e19, 1e20, 1e18, 1e19, 1e21],
        "loss": [3.0, 2.6, 2.5, 2.0, 3.4, 2.8, 1.5],
    })


def test_endpoint_losses_are_medians_over_the_window_just_below_each_end():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = endpoint_table(_ends(), decades=1.0).set_index("ends")
    # s ends at 1e20: s's points in [1e19, 1e20] are 2.5 and 2.0 (median 2.25); l's only point there is 2.8
    assert table.loc["s", "s"] == pytest.approx(2.25)
    assert table.loc["s", "l"] == pytest.approx(2.8)
    # l ends at 1e21, beyond the end of s: NaN for s, and no RuntimeWarning from an empty median
    assert np.isnan(table.loc["l", "s"])


def test_endpoint_window_edges():
    curve = _ends()[lambda d: d["model"] == "s"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert env_diagnostics._loss_near(curve, 1e18, 0.01) == 3.0       # exactly the first point: reached
        assert np.isnan(env_diagnostics._loss_near(curve, 1.5e20, 0.01))  # half as far again as the curve's end
        # 1e20 / 10**2 is 1e18 exactly, on the lower edge: included, median of 3.0, 2.6, 2.5, 2.0
        assert env_diagnostics._loss_near(curve, 1e20, 2.0) == pytest.approx(2.55)
    assert env_diagnostics._loss_near(curve, 1e19, 1.0) == pytest.approx(2.6)     # [1e18, 1e19]: 3.0, 2.6, 2.5
    # 0.022 decades below 1e19 is 9.506e18: the point at 9.5e18 is just outside (11**-0.022 would take it in)
    assert env_diagnostics._loss_near(curve, 1e19, 0.022) == 2.5


def test_endpoint_table_default_window_is_a_hundredth_of_a_decade():
    table = endpoint_table(_ends()).set_index("ends")
    assert table.loc["s", "s"] == 2.0  # only the point at 1e20 lies within 0.01 decades below it


# ---------------------------------------------------------------- columns of Python objects
def _objects(frame):
    return frame.astype(object).apply(lambda col: col.map(lambda v: int(v) if isinstance(v, float)
                                                          and v.is_integer() else v))


def test_object_columns_give_the_same_answers_as_floats():
    ends = _ends()
    pd.testing.assert_frame_equal(endpoint_table(_objects(ends), decades=1.0), endpoint_table(ends, decades=1.0))
    curve = pd.DataFrame({"flops": [1e18, 1e20], "loss": [3, 2]}).astype(object)
    np.testing.assert_allclose(curve_on_grid(curve, np.log([1e18, 1e19, 1e20]), 0.0), [3.0, 2.5, 2.0])
    envelope = pd.DataFrame({"flops": [1, 10, 100, 1000], "n_params": [1, 1, 10, 10]}, dtype=object)
    assert sliding_exponents(envelope, decades=3.0, step=1.0)["a"].iloc[0] > 0
    scatter = pd.DataFrame({"model": "m", "flops": np.arange(1, 41), "loss": [3, 2] * 20}, dtype=object)
    assert curve_scatter(scatter, points=3) == pytest.approx(
        curve_scatter(scatter.astype({"flops": float, "loss": float}), points=3))


# ---------------------------------------------------------------- the staircase's resolution
def test_staircase_resolution_of_two_sizes_is_their_ratio_over_the_range():
    from chinchilla_lib.approaches.envelope import staircase_resolution

    assert staircase_resolution([1e8, 2e8], (1e18, 1e20)) == pytest.approx(np.log(2) / np.log(100), rel=1e-12)


@pytest.mark.parametrize(
    "n_params, flops_range, message",
    [
        ([1e8, -2e8], (1e18, 1e20), "n_params must be positive and finite; element 1 is -200000000.0 (raw parameter counts)"),
        ([1e8, 2e8], (1e18, 0.0), "flops_range must be positive and finite; element 1 is 0.0 ((low, high) in FLOPs)"),
        ([1e8, 1e8], (1e18, 1e20), "need at least two model sizes and a FLOP range with low < high"),
        ([1e8, 2e8], (1e18, 1e18), "need at least two model sizes and a FLOP range with low < high"),
    ],
    ids=["n_params", "flops_range", "one-size", "empty-range"],
)
def test_staircase_resolution_refusals_word_for_word(n_params, flops_range, message):
    from chinchilla_lib.approaches.envelope import staircase_resolution

    with pytest.raises(ValueError) as info:
        staircase_resolution(n_params, flops_range)
    assert str(info.value) == message


# ---------------------------------------------------------------- smoothing on the grid
def test_smoothing_narrower_than_one_grid_step_is_still_applied_with_nearest_edges():
    from scipy.ndimage import gaussian_filter1d

    curve = pd.DataFrame({"flops": np.geomspace(1e18, 1e20, 9), "loss": np.linspace(3.0, 2.0, 9) ** 2})
    log_grid = np.log(np.geomspace(1e18, 1e20, 9))
    raw = curve_on_grid(curve, log_grid, 0.0)
    np.testing.assert_allclose(raw, curve["loss"], rtol=1e-12)
    for sigma in (0.5, 2.0):
        expected = gaussian_filter1d(curve["loss"].to_numpy(), sigma, mode="nearest")
        np.testing.assert_allclose(curve_on_grid(curve, log_grid, sigma), expected, rtol=1e-12)


# ---------------------------------------------------------------- warnings point at the caller
UNDER_MUTATION = "mutants" in __import__("pathlib").Path(env.__file__).parts


@pytest.mark.skipif(UNDER_MUTATION, reason="mutation testing wraps every function, so the caller's frame moves")
def test_envelope_warnings_point_at_the_callers_line():
    frame = pd.DataFrame({"run": list("aabbcc"), "n_params": [1e-1, 1e-1, 1.0, 1.0, 1e3, 1e3],  # billions
                          "flops": [1e18, 1e20] * 3, "loss": [2.0, 1.9, 2.5, 1.8, 3.0, 1.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_envelope(frame, n_grid=2, min_overlap=1)
    kinds = {w.category.__name__ for w in caught}
    assert kinds == {"UnitWarning", "EnvelopeWarning"}
    assert all(w.filename == __file__ for w in caught)


def test_loss_near_a_budget_in_a_gap_of_the_curve_is_the_last_point_before_it():
    from chinchilla_lib.approaches.envelope.diagnostics import _loss_near

    curve = pd.DataFrame({"flops": [1e20, 1.01e20, 1e21], "loss": [3.0, 2.9, 2.5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice"
        assert _loss_near(curve, 5e20, 0.01) == 2.9  # nothing in [4.89e20, 5e20]: the point at 1.01e20
        assert _loss_near(curve, 1.01e20, 0.01) == 2.95  # the median of both points in the window
        assert _loss_near(curve, 1e21, 0.01) == 2.5
        assert np.isnan(_loss_near(curve, 2e21, 0.01)) and np.isnan(_loss_near(curve, 9e19, 0.01))
