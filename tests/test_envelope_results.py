"""Approach 1 in detail: the lower envelope of two hand-made training curves whose crossing is known.

Curve "small" (1e8 parameters): loss 3 - 0.1 (log10 C - 16) over 1e16..1e20 FLOPs.
Curve "large" (1e9 parameters): loss 3.5 - 0.3 (log10 C - 16) over 1e17..1e21 FLOPs.
They cross at log10 C = 18.5: below it the small model is lower, above it the large one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib._validate import UnitWarning
from chinchilla_lib.approaches import envelope as env_mod
from chinchilla_lib.approaches.envelope import (
    EnvelopeWarning,
    curve_on_grid,
    envelope_argmin,
    fit_envelope,
    lower_envelope,
)
from chinchilla_lib.approaches.envelope import diagnostics as env_diag
from chinchilla_lib.approaches.envelope import fit as env_fit

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


def test_curve_on_grid_interpolates_in_log_flops_and_never_extrapolates():
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
