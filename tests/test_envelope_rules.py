"""Approach 1's rules at their edges: exact messages, documented defaults, boundaries and odd column types.

Every expected value here is written from the docstrings and the paper (Section 3.1: 1500 log-spaced
FLOP values), or worked out by hand for a frame small enough to check on paper.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches import envelope as env
from chinchilla_lib.approaches.envelope import (
    EnvelopeWarning,
    curve_on_grid,
    curve_scatter,
    endpoint_table,
    envelope_horizons,
    envelope_margin,
    envelope_switches,
    fit_envelope,
    fit_interior_envelope,
    interior_range,
    lower_envelope,
    sliding_exponents,
)
from chinchilla_lib.approaches.envelope import diagnostics as env_diagnostics


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
