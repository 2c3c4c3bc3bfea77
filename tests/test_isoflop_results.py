"""Approach 2 in detail: grouping, one profile's minimum, the fit's table, bootstrap and diagnostics.

Runs are exact parabolas in ln N whose vertices lie on N_opt = 0.1 C^0.5, so every expected value
is known in advance (or comes from numpy's polyfit, an independent least-squares solver).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinchilla_lib import isoflop as iso
from chinchilla_lib._validate import UnitWarning
from chinchilla_lib.isoflop import (
    IsoFLOPWarning,
    fit_budget,
    fit_isoflop,
    fit_isoflop_frame,
    group_budgets,
    parabola_vertex,
)

BUDGETS = (1e18, 1e19, 1e20, 1e21)

#: Under mutation testing every function is wrapped, so a warning's frame moves by one.
UNDER_MUTATION = "mutants" in Path(__import__("chinchilla_lib").__file__).parts


def profiles(budgets=BUDGETS, offsets=range(-3, 4), step=0.4, curvature=0.2, shift=0.0):
    """Exact parabolas: loss = 3 - 0.1 log10 C + curvature (ln N - ln N_opt)^2, N_opt = 0.1 C^0.5.

    The sizes sit at ln N_opt + shift + step * offset.
    """
    rows = []
    for c in budgets:
        centre = math.log(0.1 * c**0.5) + shift
        for k in offsets:
            u = step * k
            rows.append((math.exp(centre + u), c, 3.0 - 0.1 * math.log10(c) + curvature * (u + shift) ** 2))
    return pd.DataFrame(rows, columns=["n_params", "flops", "loss"])


def fit(frame=None, **kw):
    frame = profiles() if frame is None else frame
    return fit_isoflop(frame["n_params"], frame["flops"], frame["loss"], **({"n_bootstrap": 0} | kw))


# ------------------------------------------------------------------ grouping


def test_exact_labels_are_the_flops_themselves():
    labels = group_budgets([1e19, 1e18, 1e19, 1e18 * 1.001])
    assert labels.tolist() == [1e19, 1e18, 1e19, 1e18 * 1.001]


def test_nearby_flops_cluster_under_their_geometric_mean():
    flops = [1e19, 1.02e19, 0.99e19, 1e20, 1.05e20, 5e21]
    labels = group_budgets(flops, rel_tol=0.03)
    g1 = math.exp(np.mean(np.log([1e19, 1.02e19, 0.99e19])))
    assert labels[:3] == pytest.approx([g1] * 3, rel=1e-12)
    assert labels[3] == 1e20 and labels[4] == 1.05e20  # 5% apart: two budgets at rel_tol 0.03
    assert labels[5] == 5e21
    merged = group_budgets(flops, rel_tol=0.06)
    assert merged[3] == merged[4] == pytest.approx(math.sqrt(1e20 * 1.05e20), rel=1e-12)


def test_a_cluster_of_equal_flops_keeps_the_exact_value():
    assert group_budgets([3e20, 3e20, 3e20], rel_tol=0.1).tolist() == [3e20, 3e20, 3e20]


def test_small_clusters_are_left_out_with_min_points():
    labels = group_budgets([1e19, 1e19, 1e19, 5e20, 5e20, 7e22], min_points=2)
    assert labels[:5].tolist() == [1e19, 1e19, 1e19, 5e20, 5e20] and np.isnan(labels[5])
    only = group_budgets([1e19, 1e19, 1e19, 5e20, 5e20, 7e22], min_points=3)
    assert np.isnan(only[3:]).all() and (only[:3] == 1e19).all()


@given(st.lists(st.floats(1e15, 1e25), min_size=1, max_size=30), st.floats(0, 0.5))
def test_grouping_labels_every_run_within_its_clusters_range(flops, rel_tol):
    labels = group_budgets(flops, rel_tol=rel_tol)
    c = np.array(flops)
    for label in np.unique(labels):
        members = c[labels == label]
        assert members.min() * (1 - 1e-12) <= label <= members.max() * (1 + 1e-12)
    assert np.unique(labels).size <= c.size


@pytest.mark.parametrize("rel_tol", [-0.1, float("nan"), True, [0.1], float("inf")])
def test_grouping_refuses_a_tolerance_that_is_not_a_number_at_least_0(rel_tol):
    with pytest.raises(ValueError, match=r"rel_tol must be a number >= 0 \(e.g. 0.03 for 3%\)"):
        group_budgets([1e19, 1e20], rel_tol=rel_tol)


def test_grouping_refuses_min_points_below_1():
    with pytest.raises(ValueError, match="min_points"):
        group_budgets([1e19, 1e20], min_points=0)


# ------------------------------------------------------------------ one profile


def test_parabola_vertex_of_an_exact_parabola():
    x = np.array([1.0, 2.0, 3.5, 4.0, 6.0])
    x_star, y_star, (c2, c1, c0) = parabola_vertex(x, 2 * (x - 3) ** 2 + 1)
    assert x_star == pytest.approx(3.0) and y_star == pytest.approx(1.0)
    assert (c2, c1, c0) == (pytest.approx(2.0), pytest.approx(-12.0), pytest.approx(19.0))
    assert all(type(v) is float for v in (x_star, y_star, c2, c1, c0))


@given(st.lists(st.integers(-30, 30), min_size=4, max_size=12, unique=True), st.integers(0, 2**16))
def test_parabola_vertex_is_the_least_squares_parabola(ks, seed):
    x = 20.0 + np.array(ks) / 10.0  # sizes at least 0.1 apart in ln N
    y = np.random.default_rng(seed).normal(size=x.size)
    _, _, coef = parabola_vertex(x, y)
    expected = np.polyfit(x, y, 2)
    np.testing.assert_allclose(np.polyval(coef, x), np.polyval(expected, x), atol=1e-6)


def test_batched_parabolas_match_one_at_a_time():
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(18, 22, size=(4, 7)), axis=1)
    y = rng.normal(size=(4, 7))
    x[3] = [19, 19, 19, 20, 20, 20, 20]  # two distinct sizes: no parabola
    x_star, loss_star, c2, c1, c0, ok, convex = iso._parabolas(x, y)
    assert ok.tolist() == [True, True, True, False] and not convex[3]
    for k in range(3):
        xv, yv, (a2, a1, a0) = parabola_vertex(x[k], y[k])
        assert x_star[k] == pytest.approx(xv) and loss_star[k] == pytest.approx(yv)
        assert (c2[k], c1[k], c0[k]) == (pytest.approx(a2), pytest.approx(a1), pytest.approx(a0))
        assert convex[k] == (a2 > 0)


def test_fit_budget_finds_the_vertex_of_a_convex_profile():
    frame = profiles(budgets=(1e20,))
    out = fit_budget(frame["n_params"], frame["loss"], budget=1e20)
    assert out.n_opt == pytest.approx(1e9, rel=1e-9) and out.loss_opt == pytest.approx(1.0, rel=1e-9)
    assert (out.budget, out.n_points, out.n_used, out.method) == (1e20, 7, 7, "parabola")
    assert out.bracketed and out.convex
    assert out.coefficients[0] == pytest.approx(0.2)


def test_fit_budget_without_a_budget_labels_it_nan():
    frame = profiles(budgets=(1e20,))
    assert math.isnan(fit_budget(frame["n_params"], frame["loss"]).budget)


def test_a_concave_profile_has_no_minimum():
    frame = profiles(budgets=(1e20,), curvature=-0.2)
    out = fit_budget(frame["n_params"], frame["loss"], budget=1e20)
    assert not out.convex and not out.bracketed and math.isnan(out.n_opt) and math.isnan(out.loss_opt)


def test_a_minimum_beyond_the_sizes_is_not_bracketed():
    frame = profiles(budgets=(1e20,), offsets=range(0, 5), shift=1.0)  # optimum 1 below the smallest ln N
    out = fit_budget(frame["n_params"], frame["loss"], budget=1e20)
    assert out.convex and not out.bracketed and out.n_opt == pytest.approx(1e9, rel=1e-9)
    above = profiles(budgets=(1e20,), offsets=range(-4, 1), shift=-1.0)  # optimum 1 above the largest
    assert not fit_budget(above["n_params"], above["loss"]).bracketed


def test_window_takes_the_points_centred_on_the_lowest_loss():
    x = np.arange(10.0)
    y = (x - 2) ** 2
    assert iso._window(x, y, 3)[0].tolist() == [1.0, 2.0, 3.0]
    assert iso._window(x, y, 4)[0].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert iso._window(x, (x - 0) ** 2, 3)[0].tolist() == [0.0, 1.0, 2.0]  # clipped at the ends
    assert iso._window(x, (x - 9) ** 2, 3)[0].tolist() == [7.0, 8.0, 9.0]
    assert iso._window(x, y, None)[0].size == 10 and iso._window(x, y, 10)[0].size == 10


def test_fit_budget_window_counts_the_runs_used():
    frame = profiles(budgets=(1e20,), offsets=range(-5, 6))
    out = fit_budget(frame["n_params"], frame["loss"], window=5)
    assert out.n_points == 11 and out.n_used == 5 and out.n_opt == pytest.approx(1e9, rel=1e-9)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "spline"}, "method must be one of ('parabola', 'akima'), got 'spline'"),
    ({"window": 2}, "window must be at least 3 points (a parabola has 3 coefficients), got 2"),
    ({"window": 0}, "window must be a positive whole number"),
    ({"budget": -1.0}, "budget must be a positive finite number"),
])
def test_fit_budget_refuses_bad_options(kwargs, message):
    frame = profiles(budgets=(1e20,))
    with pytest.raises(ValueError) as info:
        fit_budget(frame["n_params"], frame["loss"], **kwargs)
    assert message in str(info.value)


def test_a_profile_needs_three_sizes_and_says_which_budget():
    with pytest.raises(ValueError, match="at least 3 runs with different model sizes in budget 1e\\+20 FLOPs; "
                                         "got 4 runs with 2 distinct sizes"):
        fit_budget([1e8, 1e8, 1e9, 1e9], [3.0, 3.1, 2.9, 3.0], budget=1e20)
    with pytest.raises(ValueError, match="sizes; got 2 runs"):
        fit_budget([1e8, 1e9], [3.0, 2.9])


def test_akima_minimum_of_a_profile():
    frame = profiles(budgets=(1e20,))
    out = fit_budget(frame["n_params"], frame["loss"], method="akima", budget=1e20)
    assert out.method == "akima" and out.bracketed and out.convex
    assert out.n_opt == pytest.approx(1e9, rel=0.02) and out.loss_opt == pytest.approx(1.0, rel=1e-3)
    assert all(math.isnan(c) for c in out.coefficients)
    edge = profiles(budgets=(1e20,), offsets=range(0, 5), shift=1.0)
    assert not fit_budget(edge["n_params"], edge["loss"], method="akima").bracketed


def test_akima_curve_keeps_the_lowest_loss_of_repeated_sizes():
    x = np.array([0.0, 1.0, 1.0, 2.0, 3.0])
    y = np.array([3.0, 2.0, 5.0, 2.5, 3.5])
    grid, curve = iso.akima_curve(x, y, n=7)
    assert grid.tolist() == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5, 3])
    assert curve[0] == pytest.approx(3.0) and curve[2] == pytest.approx(2.0) and curve[-1] == pytest.approx(3.5)
    assert len(iso.akima_curve(x, y)[0]) == 200


def test_akima_minimum_needs_three_sizes_and_refines_25_fold():
    assert all(math.isnan(v) for v in iso._akima_minimum(np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))[:2])
    assert iso._akima_minimum(np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))[2] is False
    x = np.array([0.0, 1.0, 2.0, 3.0])
    x_star, y_star, inside = iso._akima_minimum(x, (x - 1.2) ** 2 + 1)
    assert inside and 0.7 < x_star < 1.5 and y_star < 1.2
    steps = x_star / (3 / 74)  # on the grid of (4 - 1) x 25 = 75 points over [0, 3]
    assert steps == pytest.approx(round(steps), abs=1e-9)
    assert not iso._akima_minimum(x, x + 1.0)[2]  # minimum at the first size


# ------------------------------------------------------------------ all budgets


def test_exact_parabolas_give_their_power_law():
    result = fit()
    assert result.a == pytest.approx(0.5, rel=1e-9) and result.b == pytest.approx(0.5, rel=1e-9)
    assert result.n_coef == pytest.approx(0.1, rel=1e-9) and result.d_coef == pytest.approx(1 / 0.6, rel=1e-9)
    table = result.budgets
    assert list(table.columns) == ["budget", "n_opt", "d_opt", "loss_opt", "n_points", "n_used", "bracketed",
                                   "convex", "used", "c2", "c1", "c0"]
    assert table["budget"].tolist() == list(BUDGETS)
    np.testing.assert_allclose(table["n_opt"], [0.1 * c**0.5 for c in BUDGETS], rtol=1e-9)
    np.testing.assert_allclose(table["d_opt"], [c**0.5 / 0.6 for c in BUDGETS], rtol=1e-9)
    np.testing.assert_allclose(table["loss_opt"], [3 - 0.1 * math.log10(c) for c in BUDGETS], rtol=1e-9)
    assert table["n_points"].tolist() == [7] * 4 and table["used"].all() and table["c2"].tolist() == [pytest.approx(0.2)] * 4
    assert result.n_unassigned == 0 and result.messages == () and result.method == "parabola"
    assert result.window is None and result.resample == "runs" and result.level == 0.8 and result.seed == 0
    assert result.run_budgets.tolist() == profiles()["flops"].tolist()
    assert result._fitted_flops() == (1e18, 1e21)


def test_a_loss_offset_and_the_order_of_runs_do_not_move_the_optima():
    frame = profiles()
    shuffled = frame.sample(frac=1.0, random_state=3)
    result = fit(shuffled.assign(loss=shuffled["loss"] + 0.5))
    assert result.a == pytest.approx(0.5, rel=1e-9) and result.n_coef == pytest.approx(0.1, rel=1e-9)


def test_an_unbracketed_budget_is_left_out_with_a_warning_naming_it():
    frame = pd.concat([profiles(budgets=BUDGETS[:3]), profiles(budgets=(1e21,), offsets=range(0, 5), shift=1.0)])
    with pytest.warns(IsoFLOPWarning, match="IsoFLOP budget 1e\\+21 FLOPs: the minimum"):
        result = fit(frame)
    assert result.budgets["used"].tolist() == [True, True, True, False]
    assert result.budgets["bracketed"].tolist() == [True, True, True, False]
    assert len(result.messages) == 1 and "not bracketed by the sampled model sizes (5 runs fitted)" in result.messages[0]
    assert result.messages[0].endswith("; left out of the power-law fit (strict=True raises instead)")
    assert result._fitted_flops() == (1e18, 1e20)
    with pytest.warns(IsoFLOPWarning):
        kept = fit(frame, include_unbracketed=True)
    assert kept.budgets["used"].all() and kept.messages[0].endswith("; kept (strict=True raises instead)")
    assert kept.a == pytest.approx(0.5, rel=1e-9)  # the extrapolated vertex is exact here
    with pytest.raises(ValueError, match="add runs on the other side of the minimum, or pass strict=False"):
        fit(frame, strict=True)


def test_a_concave_budget_is_never_used():
    frame = pd.concat([profiles(budgets=BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
    with pytest.warns(IsoFLOPWarning, match="not convex"):
        result = fit(frame, include_unbracketed=True)
    assert result.budgets["used"].tolist() == [True, True, True, False]
    assert "left out of the power-law fit" in result.messages[0]


def test_fewer_than_two_usable_budgets_is_refused():
    frame = pd.concat([profiles(budgets=(1e18,)), profiles(budgets=(1e21,), curvature=-0.2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="only 1 of 2 budgets have a usable minimum"):
            fit(frame)


def test_grouping_and_min_points_reach_the_fit():
    frame = profiles()
    frame["flops"] *= np.tile([1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0], 4)
    stray = pd.DataFrame({"n_params": [1e9], "flops": [5e23], "loss": [1.5]})
    result = fit(pd.concat([frame, stray]), rel_tol=0.05, min_points=3)
    assert len(result.budgets) == 4 and result.n_unassigned == 1 and np.isnan(result.run_budgets[-1])
    assert result.a == pytest.approx(0.5, abs=0.01)


def test_runs_in_billions_warn_about_units():
    frame = profiles()
    with pytest.warns(UnitWarning, match="n_params look like the wrong unit"):
        result = fit(frame.assign(n_params=frame["n_params"] / 1e9))
    assert any("wrong unit" in m for m in result.messages)


@pytest.mark.parametrize("kwargs, message", [
    ({"level": 1.0}, "level must be below 1 (e.g. 0.8), got 1.0"),
    ({"level": 0.0}, "level must be a positive finite number"),
    ({"resample": "points"}, "resample must be one of ('runs', 'budgets'), got 'points'"),
    ({"n_bootstrap": -1}, "n_bootstrap must be a whole number >= 0, got -1"),
    ({"n_bootstrap": 2.5}, "n_bootstrap must be a whole number >= 0, got 2.5"),
    ({"n_bootstrap": True}, "n_bootstrap must be a whole number >= 0, got True"),
    ({"method": "cubic"}, "method must be one of"),
])
def test_fit_isoflop_refuses_bad_options(kwargs, message):
    with pytest.raises(ValueError) as info:
        fit(**kwargs)
    assert message in str(info.value)


def test_fit_isoflop_needs_three_runs_of_each_array():
    with pytest.raises(ValueError, match="n_params needs at least 3 values"):
        fit_isoflop([1e9, 2e9], [1e20, 1e20], [2.0, 2.1])


# ------------------------------------------------------------------ bootstrap


def noisy():
    frame = profiles(offsets=range(-4, 5))
    wiggle = np.tile([0.01, -0.008, 0.004, 0.0, -0.006, 0.009, -0.003, 0.002, -0.01], 4)
    return frame.assign(loss=frame["loss"] + wiggle)


def test_bootstrap_interval_is_the_percentile_range_at_the_level():
    result = fit(noisy(), n_bootstrap=200, seed=2)
    good = result.a_samples[np.isfinite(result.a_samples)]
    assert result.a_samples.shape == (200,) and result.n_bootstrap == 200
    assert result.a_interval == pytest.approx(tuple(np.percentile(good, [10, 90])))
    np.testing.assert_allclose(result.b_samples, 1 - result.a_samples)
    assert result.b_interval == pytest.approx(tuple(np.percentile(1 - good, [10, 90])))
    wide = fit(noisy(), n_bootstrap=200, seed=2, level=0.95)
    assert wide.level == 0.95 and wide.a_interval == pytest.approx(tuple(np.percentile(good, [2.5, 97.5])))
    assert wide.a_interval[0] < result.a_interval[0] < result.a_interval[1] < wide.a_interval[1]
    assert result.interval("a", 0.95) == pytest.approx(wide.a_interval)


def test_bootstrap_is_seeded():
    first = fit(noisy(), n_bootstrap=50, seed=4)
    np.testing.assert_array_equal(first.a_samples, fit(noisy(), n_bootstrap=50, seed=4).a_samples)
    assert not np.array_equal(first.a_samples, fit(noisy(), n_bootstrap=50, seed=5).a_samples)


def test_bootstrap_coefficients_give_intervals_at_any_budget():
    result = fit(noisy(), n_bootstrap=100, seed=1)
    ln_coef = np.log(result.n_coef_samples)
    assert result.interval("n_coef") == pytest.approx(tuple(np.percentile(result.n_coef_samples, [10, 90])))
    d = 1 / (6 * result.n_coef_samples)
    assert result.interval("d_coef") == pytest.approx(tuple(np.percentile(d, [10, 90])))
    plan = result.plan(1e22)
    n_at = result.n_coef_samples * 1e22 ** result.a_samples
    assert plan["intervals"]["n_params"] == pytest.approx(list(np.percentile(n_at, [10, 90])))
    assert np.isfinite(ln_coef).all()


def test_without_bootstrap_there_are_no_intervals():
    result = fit(noisy(), n_bootstrap=0)
    assert all(math.isnan(v) for v in result.a_interval + result.b_interval)
    assert result.a_samples.size == 0 and "intervals" not in result.plan(1e20)
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        result.interval("a")


def test_bootstrap_over_budgets_resamples_the_optima():
    result = fit(noisy(), n_bootstrap=100, seed=3, resample="budgets")
    assert result.resample == "budgets" and result.a_samples.shape == (100,)
    good = result.a_samples[np.isfinite(result.a_samples)]
    assert good.size > 50 and abs(np.median(good) - result.a) < 0.05


def test_bootstrap_with_akima_and_a_window():
    result = fit(noisy(), n_bootstrap=20, seed=0, method="akima", window=7)
    assert result.method == "akima" and result.window == 7
    assert result.budgets["n_used"].tolist() == [7] * 4
    assert np.isfinite(result.a_samples).sum() >= 10 and result.a == pytest.approx(0.5, abs=0.05)


def test_bootstrap_in_chunks_covers_every_replicate(monkeypatch):
    monkeypatch.setattr(iso, "BOOTSTRAP_CHUNK", 7)
    result = fit(noisy(), n_bootstrap=20, seed=0)
    assert result.a_samples.shape == (20,) and np.isfinite(result.a_samples).all()
    monkeypatch.setattr(iso, "BOOTSTRAP_CHUNK", 7)
    budgets = fit(noisy(), n_bootstrap=20, seed=0, resample="budgets")
    assert budgets.a_samples.shape == (20,)


# ------------------------------------------------------------------ frames and diagnostics


def test_fit_from_a_frame_names_missing_columns():
    assert fit_isoflop_frame(profiles(), n_bootstrap=0).a == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"runs lacks column\(s\) \['flops'\]; it needs n_params, flops and loss"):
        fit_isoflop_frame(profiles().drop(columns="flops"))
    with pytest.raises(ValueError, match="runs must be a pandas DataFrame, got dict"):
        fit_isoflop_frame({"n_params": [1.0]})


def _runs_with_budget(frame):
    return frame.assign(budget=frame["flops"])


def test_residuals_of_exact_parabolas_are_zero_and_of_offsets_the_offsets():
    frame = profiles()
    result = fit(frame)
    runs = _runs_with_budget(frame)
    np.testing.assert_allclose(iso.parabola_residuals(runs, result), 0.0, atol=1e-9)
    bumped = runs.copy()
    bumped.loc[3, "loss"] += 0.05
    res = iso.parabola_residuals(bumped, result)
    assert res.loc[3] == pytest.approx(0.05, abs=1e-9) and list(res.index) == list(runs.index)
    assert iso.residual_scale(runs, result) == pytest.approx(0.0, abs=1e-9)


def test_residuals_skip_runs_on_no_budget():
    frame = profiles()
    runs = _runs_with_budget(frame)
    runs.loc[0, "budget"] = np.nan
    assert len(iso.parabola_residuals(runs, fit(frame))) == len(runs) - 1


def test_placement_of_sizes_about_the_optimum():
    frame = profiles(offsets=range(-2, 5))  # sizes lean to larger models by 1 step of 0.4 in ln N
    result = fit(frame)
    table = iso.profile_placement(_runs_with_budget(frame), result)
    assert list(table.columns) == ["budget", "n_runs", "half_width", "offset", "n_opt"]
    assert table["n_runs"].tolist() == [7] * 4
    np.testing.assert_allclose(table["half_width"], 6 * 0.4 / 2 / math.log(10), rtol=1e-9)
    np.testing.assert_allclose(table["offset"], 0.4 / math.log(10), rtol=1e-9)
    placed = iso.placed_budgets(_runs_with_budget(frame), result)
    assert list(placed.columns) == list(result.budgets.columns) + ["half_width", "offset"]


def test_profile_summary_counts_runs_and_budgets():
    frame = profiles(offsets=range(-2, 5))
    runs = _runs_with_budget(frame)
    runs.loc[len(runs)] = [1e9, 7e23, 1.9, np.nan]
    result = fit(frame)
    out = iso.profile_summary(runs, result)
    assert out["n_points"] == 29 and out["n_assigned"] == 28 and out["n_unassigned"] == 0 and out["n_budgets"] == 4
    assert (out["budget_min"], out["budget_max"]) == (1e18, 1e21)
    assert out["width_min"] == pytest.approx(1.2 / math.log(10)) and out["width_max"] == pytest.approx(1.2 / math.log(10))
    assert out["offset_max"] == pytest.approx(0.4 / math.log(10)) and out["all_bracketed"] is True
    assert out["widest_budget"] in BUDGETS and out["scatter"] == pytest.approx(0.0, abs=1e-9)


def test_share_of_runs_above_their_optimum():
    frame = profiles(offsets=range(-2, 5))  # 4 of 7 sizes above the optimum, 2 below, 1 at it
    result = fit(frame)
    runs = _runs_with_budget(frame)
    runs.loc[runs.index[2::7], "n_params"] *= 1.0001  # the one at the optimum, now just above
    assert iso.share_above_optimum(runs, result) == pytest.approx(5 / 7)
    none = runs.assign(budget=5e25)
    with pytest.raises(ValueError, match="no run belongs to a budget that entered the fit"):
        iso.share_above_optimum(none, result)
    other = runs.rename(columns={"budget": "b"})
    assert iso.share_above_optimum(other, result, budget_col="b") == pytest.approx(5 / 7)


def test_method_ratio_is_parabola_over_akima_per_budget():
    ratio = iso.method_ratio(profiles())
    assert ratio.name == "ratio" and list(ratio.index) == list(BUDGETS)
    np.testing.assert_allclose(ratio, 1.0, atol=0.02)


@pytest.mark.skipif(UNDER_MUTATION, reason="mutation testing wraps every function, so the caller's frame moves")
def test_warnings_point_at_the_callers_line():
    frame = pd.concat([profiles(budgets=BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(frame)
    assert caught and all(w.filename == __file__ for w in caught)


def test_akima_minimum_at_the_largest_size_is_not_inside():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert iso._akima_minimum(x, 5.0 - x)[2] is False


def test_bootstrap_over_budgets_does_not_refit_the_profiles(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("profiles refitted")

    monkeypatch.setattr(iso, "_bootstrap_runs", refuse)
    assert fit(noisy(), n_bootstrap=20, seed=0, resample="budgets").a_samples.shape == (20,)


@pytest.mark.parametrize("call, text", [
    (lambda: fit(level=0.0), "level must be a positive finite number, got 0.0 (e.g. 0.8 for the 10th-90th percentiles)"),
    (lambda: fit_isoflop([1e9] * 3, [1e20] * 3, [2.5] * 3),
     "all 3 runs are identical (n_params=1e+09, flops=1e+20, loss=2.5); a law needs runs of different sizes and lengths"),
    (lambda: fit_budget([1e8, -2e8, 3e8], [3.0, 2.9, 3.1]),
     "n_params must be positive and finite; element 1 is -200000000.0 (parameters as a raw count, e.g. 4e8)"),
])
def test_isoflop_refusals_word_for_word(call, text):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == text


def test_a_window_of_one_repeated_size_has_no_parabola():
    out = fit_budget([1e8, 1e8, 1e8, 2e8, 3e8], [3.0, 2.0, 3.0, 3.5, 4.0], window=3)
    assert out.n_used == 3 and not out.convex and math.isnan(out.n_opt)


def test_the_bootstrap_draws_1000_replicates_by_default():
    frame = noisy()
    assert fit_isoflop(frame["n_params"], frame["flops"], frame["loss"]).a_samples.shape == (1000,)
