"""chinchilla_lib.approaches.isoflop: Approach 2, IsoFLOP profiles (Hoffmann et al. Section 3.2)."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinchilla_lib import _validate
from chinchilla_lib import datasets as ds
from chinchilla_lib._validate import UnitWarning
from chinchilla_lib.approaches import isoflop as iso
from chinchilla_lib.approaches.isoflop import (
    IsoFLOPWarning,
    fit_budget,
    fit_isoflop,
    fit_isoflop_frame,
    group_budgets,
    parabola_vertex,
    profile,
)
from chinchilla_lib.approaches.isoflop import fit as isofit
from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.studies.porian import porian_exponents

# ======== Approach 2 (IsoFLOP profiles, Hoffmann et al. Section 3.2): grouping, fits, errors, real data.

BUDGETS = np.geomspace(6e18, 3e21, 9)  # the paper's range
SYMMETRIC = ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=0.3, beta=0.3)


# ---------------------------------------------------------------- grouping
def test_exact_labels_group_identical_flops():
    labels = group_budgets([1e19, 2e19, 1e19, 2e19, 1e19])
    np.testing.assert_array_equal(labels, [1e19, 2e19, 1e19, 2e19, 1e19])


def test_gap_clustering_merges_nearby_flops_and_drops_small_clusters():
    flops = [0.97e19, 1.0e19, 1.02e19, 2.9e19, 3.0e19, 3.05e19, 5e19]
    labels = group_budgets(flops, rel_tol=0.05, min_points=3)
    assert np.unique(labels[:3]).size == 1 and labels[0] == pytest.approx(np.exp(np.log(flops[:3]).mean()))
    assert np.unique(labels[3:6]).size == 1 and labels[3] != labels[0]
    assert np.isnan(labels[6])
    assert np.unique(group_budgets(flops, rel_tol=0.01)).size == 7


# ------------------------------------------------------- synthetic recovery
def test_exact_recovery_from_symmetric_noise_free_runs():
    runs = simulate_isoflop(SYMMETRIC, BUDGETS, n_sizes=7, width=0.6)
    fit = fit_isoflop_frame(runs, n_bootstrap=0)
    assert fit.a == pytest.approx(SYMMETRIC.a, abs=1e-9)
    assert fit.b == pytest.approx(SYMMETRIC.b, abs=1e-9)
    n_opt, d_opt = SYMMETRIC.optimal_allocation(BUDGETS)
    np.testing.assert_allclose(fit.budgets["n_opt"], n_opt, rtol=1e-9)
    np.testing.assert_allclose(fit.budgets["d_opt"], d_opt, rtol=1e-9)
    assert fit.n_opt(1e22) == pytest.approx(SYMMETRIC.optimal_allocation(1e22)[0], rel=1e-8)
    assert fit.budgets[["bracketed", "convex", "used"]].all().all()
    assert (fit.budgets["n_points"] == 7).all()


def test_unequal_exponents_bias_each_optimum_by_a_constant_factor_not_the_exponent():
    """alpha != beta: the profile is asymmetric in ln N, so each vertex is off by the same
    factor at every budget (the shape is the same up to scale); a stays exact, k_N is biased."""
    law = get_law("paper")
    runs = simulate_isoflop(law, BUDGETS, n_sizes=7, width=0.6)
    fit = fit_isoflop_frame(runs, n_bootstrap=0)
    ratio = fit.budgets["n_opt"].to_numpy() / law.optimal_allocation(BUDGETS)[0]
    assert 0.005 < abs(np.log(ratio[0])) < 0.05  # a real but small bias (about 1.5% for width 0.6)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    assert fit.a == pytest.approx(law.a, abs=1e-9)


def test_a_grid_that_drifts_relative_to_the_optimum_biases_a_slightly():
    law = get_law("paper")
    drift = np.linspace(-0.3, 0.3, BUDGETS.size)  # sizes placed too small at low C, too large at high C
    fit = fit_isoflop_frame(simulate_isoflop(law, BUDGETS, n_sizes=7, width=0.6, shift=drift), n_bootstrap=0)
    assert 1e-4 < abs(fit.a - law.a) < 0.01
    symmetric = fit_isoflop_frame(simulate_isoflop(SYMMETRIC, BUDGETS, n_sizes=7, width=0.6, shift=drift),
                                  n_bootstrap=0)
    assert abs(symmetric.a - 0.5) > 1e-4  # off-centre sampling biases even alpha = beta


def test_noisy_runs_interval_covers_truth_and_is_seeded():
    runs = simulate_isoflop(get_law("paper"), BUDGETS, n_sizes=9, width=0.6, noise=0.005, seed=11)
    fit = fit_isoflop_frame(runs, n_bootstrap=300, seed=5)
    again = fit_isoflop_frame(runs, n_bootstrap=300, seed=5)
    other = fit_isoflop_frame(runs, n_bootstrap=300, seed=6)
    lo, hi = fit.a_interval
    assert lo < fit.a < hi and lo < get_law("paper").a < hi
    assert fit.b_interval == pytest.approx((1 - hi, 1 - lo))
    assert fit.a_interval == again.a_interval and fit.a_interval != other.a_interval
    by_budget = fit_isoflop_frame(runs, n_bootstrap=300, seed=5, resample="budgets")
    assert by_budget.a == fit.a and by_budget.resample == "budgets"
    assert by_budget.a_interval[0] < fit.a < by_budget.a_interval[1]


def test_akima_method_and_window_also_recover_symmetric_optimum():
    x = np.geomspace(1e8, 1e10, 9)
    loss = 2.0 + 0.1 * np.log(x / 1e9) ** 2
    for kwargs in ({}, {"window": 3}, {"method": "akima"}):
        fit = fit_budget(x, loss, budget=1e20, **kwargs)
        assert fit.n_opt == pytest.approx(1e9, rel=1e-6 if kwargs.get("method") != "akima" else 0.02)
        assert fit.bracketed and fit.convex
    assert fit_budget(x, loss, window=3).n_used == 3


# ---------------------------------------------------------------- errors
def test_budget_with_fewer_than_three_runs_is_an_error_naming_it():
    n = [1e8, 2e8, 4e8, 1e8, 2e8]
    c = [1e19, 1e19, 1e19, 3e19, 3e19]
    with pytest.raises(ValueError, match=r"at least 3 runs.*3e\+19"):
        fit_isoflop(n, c, [3.0, 2.9, 3.0, 2.8, 2.7])


def test_unbracketed_minimum_raises_when_strict_and_warns_otherwise():
    runs = simulate_isoflop(SYMMETRIC, BUDGETS, n_sizes=5, width=0.3)
    runs.loc[runs["budget"] == BUDGETS[2], "n_params"] *= 10  # optimum now below every sampled size
    runs["loss"] = SYMMETRIC.loss(runs["n_params"].to_numpy(), runs["n_tokens"].to_numpy())
    with pytest.raises(ValueError, match=r"budget 2\.8\d*e\+19 FLOPs.*not bracketed"):
        fit_isoflop_frame(runs, strict=True, n_bootstrap=0)
    with pytest.warns(IsoFLOPWarning, match=r"2\.8\d*e\+19.*not bracketed"):
        fit = fit_isoflop_frame(runs, n_bootstrap=0)
    row = fit.budgets.iloc[2]
    assert not row["bracketed"] and row["convex"] and not row["used"]
    assert len(fit.messages) == 1 and fit.budgets["used"].sum() == 8
    with pytest.warns(IsoFLOPWarning):
        kept = fit_isoflop_frame(runs, n_bootstrap=0, include_unbracketed=True)
    assert kept.budgets["used"].all()


def test_concave_profile_is_reported_and_never_used():
    n = np.tile([1e8, 2e8, 4e8, 8e8], 3)
    c = np.repeat([1e19, 2e19, 4e19], 4)
    loss = np.array([3.0, 2.8, 2.7, 2.75, 2.9, 2.7, 2.6, 2.65, 2.5, 2.6, 2.6, 2.5])  # last one concave
    with pytest.warns(IsoFLOPWarning, match="not convex"):
        fit = fit_isoflop(n, c, loss, n_bootstrap=0)
    assert list(fit.budgets["convex"]) == [True, True, False]
    assert not fit.budgets["used"].iloc[2] and np.isnan(fit.budgets["n_opt"].iloc[2])


@pytest.mark.parametrize(
    "n, c, loss, match",
    [
        ([1e8, -2e8, 4e8], [1e19] * 3, [3.0, 2.9, 3.0], "n_params"),
        ([1e8, 2e8, 4e8], [1e19, 0.0, 1e19], [3.0, 2.9, 3.0], "flops"),
        ([1e8, 2e8, 4e8], [1e19] * 3, [3.0, np.nan, 3.0], "loss.*NaN"),
        ([1e8, 2e8, 4e8, 8e8], [1e19] * 4, [3.0, 2.9, 3.0], "same length"),
        ([1e8, 1e8, 4e8], [1e19] * 3, [3.0, 2.9, 3.0], "distinct sizes"),
    ],
)
def test_bad_inputs_give_one_clear_error(n, c, loss, match):
    with pytest.raises(ValueError, match=match):
        fit_isoflop(n, c, loss, n_bootstrap=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"method": "spline"}, "method"), ({"window": 2}, "window"), ({"resample": "points"}, "resample"),
     ({"level": 1.5}, "level"), ({"n_bootstrap": -1}, "n_bootstrap"), ({"rel_tol": -0.1}, "rel_tol")],
)
def test_bad_options_are_rejected(kwargs, match):
    runs = simulate_isoflop(SYMMETRIC, BUDGETS[:3], n_sizes=5)
    with pytest.raises(ValueError, match=match):
        fit_isoflop_frame(runs, **kwargs)


def test_frame_without_columns_is_rejected():
    with pytest.raises(ValueError, match="lacks"):
        fit_isoflop_frame(pd.DataFrame({"n_params": [1.0], "loss": [1.0]}))


# ------------------------------------------------------------ real data
def test_figure4_points_cluster_into_the_papers_nine_budgets():
    with warnings.catch_warnings():
        warnings.simplefilter("error", IsoFLOPWarning)  # every profile is bracketed and convex
        fit = fit_isoflop_frame(ds.load_hoffmann_fig4(), rel_tol=0.03, min_points=8, n_bootstrap=200)
    paper = np.array([6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21])
    ratio = fit.budgets["budget"].to_numpy() / paper
    assert len(fit.budgets) == 9 and np.all((ratio > 0.88) & (ratio < 1.0))  # digitised a few % low
    assert 0.462 <= fit.a <= 0.534  # inside the paper's interval for a = 0.49
    assert fit.a_interval[0] < fit.a < fit.a_interval[1]
    assert fit.b == pytest.approx(1 - fit.a)


@pytest.fixture(scope="module")
def porian_akima():
    return porian_exponents(method="akima")


def test_porian_exponents_reproduced_within_003_for_every_configuration(porian_akima):
    assert len(porian_akima) == 15
    worst = porian_akima.loc[porian_akima["difference"].abs().idxmax()]
    assert abs(worst["difference"]) < 0.03, worst.to_dict()
    assert (porian_akima["n_used"] >= 10).all()


def test_porian_exponents_move_from_kaplan_to_chinchilla(porian_akima):
    ours = porian_akima.set_index("configuration")["ours"]
    assert ours["rw-base-long-kaplan-kaplan-train"] > 0.8
    assert ours["rw-tuned-short-const-standard-val"] < 0.52


# ------------------------------------------------- parabola vertex and summaries
def test_parabola_vertex_recovers_an_exact_parabola():
    """y = 2 (x - 3)^2 + 1.5 on 5 points: vertex (3, 1.5), coefficients (2, -12, 19.5)."""
    from chinchilla_lib.approaches.isoflop import parabola_vertex

    x = np.array([1.0, 2.0, 3.5, 4.0, 5.0])
    x_star, y_star, (c2, c1, c0) = parabola_vertex(x, 2 * (x - 3) ** 2 + 1.5)
    assert x_star == pytest.approx(3.0, abs=1e-12) and y_star == pytest.approx(1.5, abs=1e-12)
    assert (c2, c1, c0) == pytest.approx((2.0, -12.0, 19.5), abs=1e-10)


def test_parabola_vertex_least_squares_on_noisy_points_matches_polyfit():
    from chinchilla_lib.approaches.isoflop import parabola_vertex

    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(18, 24, 12))
    y = 0.01 * (x - 21) ** 2 + 2.4 + 0.002 * rng.standard_normal(12)
    c2, c1, c0 = np.polyfit(x, y, 2)  # independent least squares
    x_star, y_star, coef = parabola_vertex(x, y)
    assert coef == pytest.approx((c2, c1, c0), rel=1e-8)
    assert x_star == pytest.approx(-c1 / (2 * c2), rel=1e-10)
    assert y_star == pytest.approx(c0 - c1**2 / (4 * c2), rel=1e-10)


def test_fit_budget_uses_the_parabola_vertex():
    n = np.geomspace(1e8, 1e10, 7)
    loss = 0.05 * (np.log(n) - np.log(1e9)) ** 2 + 2.0
    fit = fit_budget(n, loss)
    assert fit.n_opt == pytest.approx(1e9, rel=1e-9) and fit.loss_opt == pytest.approx(2.0, abs=1e-12)
    assert fit.bracketed and fit.convex


def test_profile_summary_and_placed_budgets_on_a_designed_grid():
    """Two budgets, sizes +-0.5 and +-1 decade about the exact optimum: half-widths 0.5 and 1, offset 0."""
    from chinchilla_lib.approaches.isoflop import placed_budgets, profile_summary

    rows = []
    for budget, n_opt, half in ((1e19, 1e8, 0.5), (1e20, 1e9, 1.0)):
        n = n_opt * 10 ** np.linspace(-half, half, 5)
        rows.append(pd.DataFrame({"n_params": n, "flops": budget, "budget": budget,
                                  "loss": 0.02 * np.log(n / n_opt) ** 2 + 2.0}))
    rows.append(pd.DataFrame({"n_params": [5e8], "flops": [3e19], "budget": [np.nan], "loss": [2.5]}))
    runs = pd.concat(rows, ignore_index=True)
    fit = fit_isoflop_frame(runs.dropna(subset=["budget"]), n_bootstrap=0)
    summary = profile_summary(runs, fit)
    assert (summary["n_points"], summary["n_assigned"], summary["n_budgets"]) == (11, 10, 2)
    assert summary["budget_min"] == 1e19 and summary["budget_max"] == 1e20
    assert summary["width_min"] == pytest.approx(0.5) and summary["width_max"] == pytest.approx(1.0)
    assert summary["widest_budget"] == 1e20 and summary["all_bracketed"] is True
    assert abs(summary["offset_max"]) < 1e-9 and summary["scatter"] < 1e-9
    table = placed_budgets(runs, fit)
    np.testing.assert_allclose(table["half_width"], [0.5, 1.0])
    np.testing.assert_allclose(table["n_opt"], [1e8, 1e9], rtol=1e-9)


# ======== Approach 2 in detail: grouping, one profile's minimum, the fit's table, bootstrap and diagnostics.
# Runs are exact parabolas in ln N whose vertices lie on N_opt = 0.1 C^0.5, so every expected value
# is known in advance (or comes from numpy's polyfit, an independent least-squares solver).

PROFILE_BUDGETS = (1e18, 1e19, 1e20, 1e21)

#: Under mutation testing every function is wrapped, so a warning's frame moves by one.
UNDER_MUTATION = "mutants" in Path(__import__("chinchilla_lib").__file__).parts


def profiles(budgets=PROFILE_BUDGETS, offsets=range(-3, 4), step=0.4, curvature=0.2, shift=0.0):
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
    x_star, loss_star, c2, c1, c0, ok, convex = profile.parabolas(x, y)
    assert ok.tolist() == [True, True, True, False] and not convex[3]
    # two sizes fix no parabola: nothing is returned for that row (not the raw moment sums)
    assert all(math.isnan(v[3]) for v in (x_star, loss_star, c2, c1, c0))
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
    assert profile._window(x, y, 3)[0].tolist() == [1.0, 2.0, 3.0]
    assert profile._window(x, y, 4)[0].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert profile._window(x, (x - 0) ** 2, 3)[0].tolist() == [0.0, 1.0, 2.0]  # clipped at the ends
    assert profile._window(x, (x - 9) ** 2, 3)[0].tolist() == [7.0, 8.0, 9.0]
    assert profile._window(x, y, None)[0].size == 10 and profile._window(x, y, 10)[0].size == 10


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
    assert all(math.isnan(v) for v in profile._akima_minimum(np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))[:2])
    assert profile._akima_minimum(np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))[2] is False
    x = np.array([0.0, 1.0, 2.0, 3.0])
    x_star, y_star, inside = profile._akima_minimum(x, (x - 1.2) ** 2 + 1)
    assert inside and 0.7 < x_star < 1.5 and y_star < 1.2
    steps = x_star / (3 / 74)  # on the grid of (4 - 1) x 25 = 75 points over [0, 3]
    assert steps == pytest.approx(round(steps), abs=1e-9)
    assert not profile._akima_minimum(x, x + 1.0)[2]  # minimum at the first size


# ------------------------------------------------------------------ all budgets


def test_exact_parabolas_give_their_power_law():
    result = fit()
    assert result.a == pytest.approx(0.5, rel=1e-9) and result.b == pytest.approx(0.5, rel=1e-9)
    assert result.n_coef == pytest.approx(0.1, rel=1e-9) and result.d_coef == pytest.approx(1 / 0.6, rel=1e-9)
    table = result.budgets
    assert list(table.columns) == ["budget", "n_opt", "d_opt", "loss_opt", "n_points", "n_used", "bracketed",
                                   "convex", "used", "c2", "c1", "c0"]
    assert table["budget"].tolist() == list(PROFILE_BUDGETS)
    np.testing.assert_allclose(table["n_opt"], [0.1 * c**0.5 for c in PROFILE_BUDGETS], rtol=1e-9)
    np.testing.assert_allclose(table["d_opt"], [c**0.5 / 0.6 for c in PROFILE_BUDGETS], rtol=1e-9)
    np.testing.assert_allclose(table["loss_opt"], [3 - 0.1 * math.log10(c) for c in PROFILE_BUDGETS], rtol=1e-9)
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
    frame = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), offsets=range(0, 5), shift=1.0)])
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
    frame = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
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
    ({"level": 1.0}, "level must be a coverage between 0 and 1 (0.8 for the 10th-90th percentile), got 1.0"),
    ({"level": 0.0}, "level must be a coverage between 0 and 1"),
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
    monkeypatch.setattr(isofit, "BOOTSTRAP_CHUNK", 7)
    result = fit(noisy(), n_bootstrap=20, seed=0)
    assert result.a_samples.shape == (20,) and np.isfinite(result.a_samples).all()
    monkeypatch.setattr(isofit, "BOOTSTRAP_CHUNK", 7)
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
    assert out["widest_budget"] in PROFILE_BUDGETS and out["scatter"] == pytest.approx(0.0, abs=1e-9)


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
    assert ratio.name == "ratio" and list(ratio.index) == list(PROFILE_BUDGETS)
    np.testing.assert_allclose(ratio, 1.0, atol=0.02)


@pytest.mark.skipif(UNDER_MUTATION, reason="mutation testing wraps every function, so the caller's frame moves")
def test_warnings_point_at_the_callers_line():
    frame = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(frame)
    assert caught and all(w.filename == __file__ for w in caught)


def test_akima_minimum_at_the_largest_size_is_not_inside():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert profile._akima_minimum(x, 5.0 - x)[2] is False


def test_bootstrap_over_budgets_does_not_refit_the_profiles(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("profiles refitted")

    monkeypatch.setattr(isofit, "_bootstrap_runs", refuse)
    assert fit(noisy(), n_bootstrap=20, seed=0, resample="budgets").a_samples.shape == (20,)


@pytest.mark.parametrize("call, text", [
    (lambda: fit(level=0.0), "level must be a coverage between 0 and 1 (0.8 for the 10th-90th percentile), got 0.0"),
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
    assert not out.bracketed and math.isnan(out.loss_opt) and all(math.isnan(c) for c in out.coefficients)


def test_the_bootstrap_draws_1000_replicates_by_default():
    frame = noisy()
    assert fit_isoflop(frame["n_params"], frame["flops"], frame["loss"]).a_samples.shape == (1000,)


# ------------------------------------------------------------------ exact refusals and boundaries


def exact_runs(optima, base=None, offsets=range(-3, 4), step=0.4, curvature=0.2):
    """Exact parabolas about given optima: loss = base(C) + curvature (ln N - ln N_opt)^2.

    ``optima`` maps each budget to its N_opt; ``base`` to its lowest loss (default 3 - 0.1 log10 C).
    """
    rows = []
    for c, n_opt in optima.items():
        floor = 3.0 - 0.1 * math.log10(c) if base is None else base[c]
        for k in offsets:
            u = step * k
            rows.append((n_opt * math.exp(u), c, floor + curvature * u**2))
    return pd.DataFrame(rows, columns=["n_params", "flops", "loss"])


def test_grouping_refusals_word_for_word():
    with pytest.raises(ValueError, match=r"^flops must be positive and finite; element 1 is -1\.0 "
                                         r"\(compute in FLOPs, e\.g\. 6e18\)$"):
        group_budgets([1e19, -1.0])
    with pytest.raises(ValueError, match=r"^min_points must be a positive whole number, got 0$"):
        group_budgets([1e19, 1e20], min_points=0)


def test_profile_refusals_word_for_word():
    with pytest.raises(ValueError, match=r"^loss must be positive and finite; element 1 is -1\.0 "
                                         r"\(loss in nats per token\)$"):
        fit_budget([1e8, 2e8, 3e8], [3.0, -1.0, 3.1])
    with pytest.raises(ValueError, match=r"^arrays must have the same length: n_params has 3, loss has 4$"):
        fit_budget([1e8, 2e8, 3e8], [3.0, 2.9, 3.1, 3.2])
    with pytest.raises(ValueError, match=r"^arrays must have the same length: n_params has 4, loss has 3$"):
        fit_budget([1e8, 2e8, 3e8, 4e8], [3.0, 2.9, 3.1])
    with pytest.raises(ValueError, match=r"^budget must be a positive finite number, got -1\.0 "
                                         r"\(compute in FLOPs, e\.g\. 6e18\)$"):
        fit_budget([1e8, 2e8, 3e8], [3.0, 2.9, 3.1], budget=-1.0)


@pytest.mark.parametrize("n, c, y, text", [
    ([1e9, -1.0, 2e9], [1e20] * 3, [2.0, 2.1, 2.2],
     "n_params must be positive and finite; element 1 is -1.0 (parameters as a raw count, e.g. 4e8)"),
    ([1e9, 2e9, 3e9], [1e20, -1.0, 1e20], [2.0, 2.1, 2.2],
     "flops must be positive and finite; element 1 is -1.0 (compute in FLOPs, e.g. 6e18)"),
    ([1e9, 2e9, 3e9], [1e20] * 3, [2.0, -1.0, 2.2],
     "loss must be positive and finite; element 1 is -1.0 (loss in nats per token)"),
    ([1e9, 2e9, 3e9], [1e20] * 2, [2.0, 2.1, 2.2], "flops needs at least 3 values, got 2 (compute in FLOPs, e.g. 6e18)"),
    ([1e9, 2e9, 3e9], [1e20] * 3, [2.0, 2.1], "loss needs at least 3 values, got 2 (loss in nats per token)"),
    ([1e9, 2e9, 3e9, 4e9], [1e20] * 3, [2.0, 2.1, 2.2],
     "arrays must have the same length: n_params has 4, flops has 3, loss has 3"),
    ([1e9, 2e9, 3e9], [1e20] * 4, [2.0, 2.1, 2.2],
     "arrays must have the same length: n_params has 3, flops has 4, loss has 3"),
])
def test_fit_isoflop_input_refusals_word_for_word(n, c, y, text):
    with pytest.raises(ValueError) as info:
        fit_isoflop(n, c, y)
    assert str(info.value) == text


def test_budget_messages_word_for_word():
    concave = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
    with pytest.warns(IsoFLOPWarning):
        result = fit(concave)
    assert result.messages == (
        "IsoFLOP budget 1e+21 FLOPs: the loss profile is not convex (the parabola opens downwards), so it has "
        "no minimum; left out of the power-law fit (strict=True raises instead)",
    )
    # the optimum of the last budget, 0.1 * (1e21)^0.5 = 3.16e9, sits one unit of ln N below its five sizes
    beyond = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), offsets=range(0, 5), shift=1.0)])
    with pytest.raises(ValueError) as info:
        fit(beyond, strict=True)
    assert str(info.value) == ("IsoFLOP budget 1e+21 FLOPs: the minimum (N = 3.16e+09) is not bracketed by the "
                               "sampled model sizes (5 runs fitted); add runs on the other side of the minimum, "
                               "or pass strict=False")


def test_too_few_budgets_message_word_for_word():
    frame = pd.concat([profiles(budgets=(1e18,)), profiles(budgets=(1e21,), curvature=-0.2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as info:
            fit(frame)
    assert str(info.value) == (
        "only 1 of 2 budgets have a usable minimum; a power law needs at least 2: add runs on both sides of each "
        "budget's minimum (or keep extrapolated minima with include_unbracketed=True)"
    )


def test_lowest_losses_rising_with_compute_are_refused_word_for_word():
    frame = exact_runs({1e18: 1e8, 1e20: 1e9}, base={1e18: 2.0, 1e20: 2.2})
    slope = math.log(2.2 / 2.0) / math.log(1e20 / 1e18)  # two budgets: the slope through their lowest losses
    with pytest.raises(ValueError) as info:
        fit(frame)
    assert str(info.value) == (f"loss does not fall with compute over the budgets' lowest losses (slope of ln loss "
                               f"on ln C is {slope:+.3g}); check that loss is the final loss in nats and compute "
                               "is the training FLOPs")


def test_compute_in_the_wrong_unit_is_noted():
    frame = profiles(budgets=(1e6, 1e7, 1e8, 1e9))  # FLOPs far below any real run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(frame)
    assert ("flops look like the wrong unit (largest 1e+09, below 1e+12); give compute in FLOPs, e.g. 5.76e23; "
            "one PF-day is 8.64e+19 FLOPs") in result.messages


def test_a_profile_keeps_the_order_of_runs_of_equal_size():
    n = [3e8, 1e8, 2e8] * 8  # 24 runs, so numpy's default sort would not keep ties in order
    y = [2.0 + i / 100 for i in range(24)]
    x, loss = profile._profile_arrays(n, y, np.nan)
    expected = [v for _, v in sorted(zip(n, y), key=lambda pair: pair[0])]  # Python's sort is stable
    assert loss.tolist() == expected
    np.testing.assert_allclose(x, np.log(sorted(n)))


def test_every_row_of_the_batched_parabolas_is_centred_on_its_own_sizes():
    u = np.arange(7) * 0.1
    x = np.stack([u, 1000.0 + u])  # a far-off second row must not change the first's conditioning
    y = 1.0 + 2.0 * (x - x[:, [3]]) ** 2  # vertex at the fourth size, loss 1 there
    x_star, loss_star, *_ = profile.parabolas(x, y)
    np.testing.assert_allclose(x_star, x[:, 3], rtol=0, atol=1e-9)
    np.testing.assert_allclose(loss_star, 1.0, rtol=0, atol=1e-9)


def test_three_distinct_sizes_make_a_parabola():
    x_star, loss_star, c2, c1, c0, ok, convex = profile.parabolas(np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 2.0]))
    assert ok.tolist() == [True] and convex.tolist() == [True]
    assert x_star[0] == pytest.approx(1.0) and loss_star[0] == pytest.approx(1.0)
    assert (c2[0], c1[0], c0[0]) == (pytest.approx(1.0), pytest.approx(-2.0), pytest.approx(2.0))  # (x - 1)^2 + 1


def test_a_straight_line_is_no_minimum_and_raises_no_numpy_warning():
    x = np.array([-1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the vertex of a line (c2 = 0) divides by zero: silently inf or NaN
        line = profile.parabolas(x, np.array([1.0, 2.0, 3.0]))
        flat = profile.parabolas(x, np.array([2.0, 2.0, 2.0]))
        one = profile.parabolas(np.array([19.0, 19.0, 19.0]), np.array([1.0, 2.0, 3.0]))  # one size: 0 / 0
        vertex_line = parabola_vertex(x, np.array([1.0, 2.0, 3.0]))
        vertex_flat = parabola_vertex(x, np.array([2.0, 2.0, 2.0]))
    assert line[2][0] == 0.0 and not line[6][0] and not flat[6][0] and not one[6][0]
    assert math.isinf(line[0][0]) and math.isnan(flat[0][0])
    assert vertex_line[2] == (0.0, pytest.approx(1.0, abs=1e-12), pytest.approx(2.0, abs=1e-12))
    assert math.isinf(vertex_line[0]) and math.isnan(vertex_flat[0]) and vertex_flat[2][0] == 0.0


@pytest.mark.parametrize("loss", [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, 2.0, 2.0]])
def test_a_line_or_a_flat_profile_is_no_minimum_whatever_the_rounding(loss):
    # the normal equations give an exact line a curvature of about 3e-16 (of either sign, by platform):
    # that is no parabola, so no minimum, and a flat profile does not get one in its middle
    n = np.exp(20.0 + np.array([-1.0, 0.0, 1.0]))
    out = fit_budget(n, loss)
    assert out.coefficients[0] == 0.0 and not out.convex and not out.bracketed
    assert math.isnan(out.n_opt) and math.isnan(out.loss_opt)


@pytest.mark.parametrize("bend, convex", [(2.0e-9, True), (0.5e-9, False)])
def test_the_smallest_curvature_taken_as_a_parabola_is_1e_9_of_the_loss(bend, convex):
    # loss 2 + c2 u^2 on u = -1, 0, 1 bends by c2 across the window against a loss of at most 2 + c2,
    # so c2 = bend x 2 sits on either side of the 1e-9 threshold
    x = np.array([-1.0, 0.0, 1.0])
    y = 2.0 + 2.0 * bend * x**2
    _, _, (c2, _, _) = parabola_vertex(x, y)
    assert (c2 > 0) == convex and profile.parabolas(x, y)[6][0] == convex
    assert c2 == (pytest.approx(2.0 * bend, rel=1e-6) if convex else 0.0)


def test_a_flat_profile_has_no_minimum():
    out = fit_budget([0.5, 1.0, 2.0], [2.0, 2.0, 2.0])  # ln N = -ln 2, 0, ln 2: the fit is exactly c2 = 0
    assert out.coefficients[0] == 0.0 and out.convex is False and out.bracketed is False and math.isnan(out.n_opt)


@pytest.mark.parametrize("end", [0, -1])
def test_a_vertex_on_the_end_size_is_bracketed(end, monkeypatch):
    n = np.array([0.5, 1.0, 2.0])
    x = np.log(n)
    # the solve rounds a vertex placed on an end size to either side of it, by platform: pin it there
    monkeypatch.setattr(profile, "parabola_vertex", lambda xw, yw: (float(xw[end]), 1.0, (4.0, 0.0, 0.0)))
    out = fit_budget(n, 1.0 + 4.0 * (x - x[end]) ** 2)  # vertex at the smallest / largest size
    assert out.n_opt == pytest.approx(n[end], rel=1e-15) and out.bracketed and out.convex
    monkeypatch.undo()
    exact = fit_budget(n, 1.0 + 4.0 * (x - x[end]) ** 2)
    assert exact.n_opt == pytest.approx(n[end], rel=1e-12) and exact.convex


def test_akima_minimum_with_three_sizes():
    x_star, y_star, inside = profile._akima_minimum(np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 2.0]))
    # a symmetric profile: the minimum lies within one step of 1 on the 2 x 25 = 50-point grid over [0, 2]
    assert inside and abs(x_star - 1.0) <= 2 / 49 and y_star == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("centre, index", [(3 / 74, 1), (3 - 3 / 74, 73)])
def test_akima_minimum_next_to_an_end_of_the_grid_is_inside(centre, index):
    from scipy.interpolate import Akima1DInterpolator

    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.exp((x - centre) ** 2)
    grid = np.linspace(0.0, 3.0, 75)  # (4 - 1) x 25 points
    assert int(np.argmin(Akima1DInterpolator(x, np.log(y))(grid))) == index  # scipy puts the minimum there
    x_star, _, inside = profile._akima_minimum(x, y)
    assert inside is True and x_star == pytest.approx(grid[index])


def test_akima_fit_counts_the_runs():
    frame = profiles(budgets=(1e20,))
    out = fit_budget(frame["n_params"], frame["loss"], method="akima", window=5)
    assert (out.n_points, out.n_used) == (7, 5)


def test_the_b_interval_comes_from_the_b_replicates():
    result = fit(noisy(), n_bootstrap=50, seed=1)
    b = result.b_samples[np.isfinite(result.b_samples)]
    assert result.interval("b") == pytest.approx(tuple(np.percentile(b, [10, 90])))
    assert result.interval("b")[0] > 0.3 and result.interval("a")[1] < 0.7  # b = 1 - a, around 0.5 each
    assert result._samples("a") is result.a_samples and result._samples("b") is result.b_samples
    assert result._samples("loss") is None


# ------------------------------------------------------------------ bootstrap details


def _finite_share(profile, method="parabola", include=False, n_boot=2000, seed=0):
    out = isofit._bootstrap_runs([profile], method, None, include, n_boot, np.random.default_rng(seed))[:, 0]
    return np.isfinite(out).mean(), out[np.isfinite(out)]


@pytest.mark.parametrize("end", [0, -1])
def test_bootstrap_keeps_a_vertex_on_the_end_sizes(end):
    x = np.array([-2.0, 0.0, 2.0])  # sizes whose parabola puts the vertex exactly on the end size
    share, values = _finite_share((x, 1.0 + (x - x[end]) ** 2))
    # a replicate of 3 draws holds all 3 sizes with probability 3! / 3^3 = 2/9; only those have a parabola
    assert share == pytest.approx(2 / 9, abs=0.04) and (values == x[end]).all()


@pytest.mark.parametrize("vertex", [0.5, 3.5])
def test_bootstrap_needs_the_vertex_within_each_replicates_own_sizes(vertex):
    x = np.arange(5.0)
    share, values = _finite_share((x, 1.0 + (x - vertex) ** 2))
    # 5 draws of 5 sizes, 5^5 = 3125 sequences: 5^5 - 4^5 = 2101 hold the end size beside the vertex
    # (the replicate's sizes must reach past it); of those, 1 has one distinct size and 4 x (2^5 - 2) = 120 two
    assert share == pytest.approx((2101 - 121) / 3125, abs=0.04)
    np.testing.assert_allclose(values, vertex, atol=1e-9)


@pytest.mark.parametrize("y, method", [
    (1.0 + (np.arange(5.0) + 1.0) ** 2, "parabola"),  # vertex below the smallest size
    (10.0 - (np.arange(5.0) - 2.0) ** 2, "parabola"),  # concave: no minimum
    (np.exp(-np.arange(5.0)), "akima"),  # ln loss is a line: the Akima minimum is the largest size
])
def test_bootstrap_replicates_without_an_inner_minimum_are_nan(y, method):
    share, _ = _finite_share((np.arange(5.0), y), method=method, n_boot=300)
    assert share == 0.0


def test_bootstrap_with_the_extrapolated_vertex_kept():
    x = np.arange(5.0)
    share, values = _finite_share((x, 1.0 + (x + 1.0) ** 2), include=True)
    assert share == pytest.approx(2820 / 3125, abs=0.04)  # 3 or more distinct sizes of 5 in 5 draws
    np.testing.assert_allclose(values, -1.0, atol=1e-9)


def test_akima_bootstrap_refits_with_akima():
    parabola = fit(n_bootstrap=30, seed=0)
    akima = fit(n_bootstrap=30, seed=0, method="akima")
    exact = parabola.a_samples[np.isfinite(parabola.a_samples)]
    # exact parabolas: every parabola replicate recovers a = 0.5; Akima's grid minima do not
    assert exact.size > 20 and np.abs(exact - 0.5).max() < 1e-9
    grid = akima.a_samples[np.isfinite(akima.a_samples)]
    assert grid.size > 20 and np.abs(grid - 0.5).max() > 1e-4


def test_bootstrap_resamples_only_the_window():
    frame = profiles(offsets=range(-5, 6))
    outer = np.tile(np.abs(np.arange(-5, 6)) > 2, len(PROFILE_BUDGETS))
    frame.loc[outer, "loss"] += 0.3  # the 5 central runs of each budget stay on the exact parabola
    result = fit(frame, window=5, n_bootstrap=100, seed=0)
    good = result.a_samples[np.isfinite(result.a_samples)]
    assert result.a == pytest.approx(0.5, rel=1e-9) and good.size > 80
    np.testing.assert_allclose(good, 0.5, atol=1e-9)  # any resample of points on one parabola finds its vertex


def test_bootstrap_over_budgets_draws_every_budget():
    frame = exact_runs({1e18: 0.2 * 1e9, 1e19: 0.1 * 1e19**0.5, 1e20: 0.1 * 1e10})  # the first off the law
    result = fit(frame, n_bootstrap=600, seed=0, resample="budgets")
    off = np.abs(result.a_samples - 0.5) > 1e-6
    # only replicates holding the first budget and another one leave a = 0.5: 1 - (2/3)^3 - (1/3)^3 = 2/3
    assert off.mean() == pytest.approx(2 / 3, abs=0.06)


# ------------------------------------------------------------------ where warnings point


def test_outside_package_counts_the_frames_inside_the_package(monkeypatch):
    assert _validate.caller_stacklevel() == 1  # called from here: the caller is already outside the package

    def depth():
        frame, n = sys._getframe(1), 0
        while frame is not None:
            n, frame = n + 1, frame.f_back
        return n

    def probe():
        return _validate.caller_stacklevel(), depth()

    def deeper():
        return probe()

    monkeypatch.setattr(_validate, "__file__", "/_validate.py")  # every file is now inside the "package"
    (level, frames), (level_deeper, frames_deeper) = probe(), deeper()
    assert frames_deeper == frames + 1 and level_deeper == level + 1
    # every frame from the caller down is counted, plus one; mutmut's trampoline adds its two frames
    assert level == frames + 1 + (2 if UNDER_MUTATION else 0)


def test_warnings_walk_out_of_the_package(monkeypatch):
    monkeypatch.setattr(_validate, "__file__", "/_validate.py")  # every frame is inside: the warning passes them all
    frame = pd.concat([profiles(budgets=PROFILE_BUDGETS[:3]), profiles(budgets=(1e21,), curvature=-0.2)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(frame.assign(n_params=frame["n_params"] / 1e9))
    kinds = {w.category for w in caught}
    assert kinds == {IsoFLOPWarning, UnitWarning}
    assert all(w.filename in ("sys", "<sys>") for w in caught)  # past the outermost frame


# ------------------------------------------------------------------ diagnostics


def test_diagnostics_keep_runs_with_gaps_in_other_columns_and_their_index():
    frame = profiles()
    result = fit(frame)
    runs = _runs_with_budget(frame).assign(note=np.nan)  # a column of no interest, empty
    runs.index = runs.index + 100
    runs.loc[100, "budget"] = np.nan  # on no budget
    res = iso.parabola_residuals(runs, result)
    assert list(res.index) == list(runs.index[1:])
    placement = iso.profile_placement(runs, result)
    assert placement["n_runs"].tolist() == [6, 7, 7, 7]


def test_a_run_exactly_at_the_optimum_is_not_above_it():
    result = fit()
    n_opt = result.budgets["n_opt"].iloc[0]
    runs = pd.DataFrame({"budget": [1e18] * 4, "n_params": [n_opt, n_opt * 2, n_opt / 2, n_opt * 3]})
    assert iso.share_above_optimum(runs, result) == 0.5  # 2 of 4 strictly larger
    with pytest.raises(ValueError, match=r"^no run belongs to a budget that entered the fit$"):
        iso.share_above_optimum(runs.assign(budget=5e25), result)


def _skewed():
    """Profiles of the shape exp(-u) + exp(2u)/2 (minimum at u = 0), on which the parabola is biased."""
    rows = []
    for c in PROFILE_BUDGETS:
        for k in range(-3, 4):
            u = 0.4 * k
            rows.append((0.1 * c**0.5 * math.exp(u), c, 2.0 - 0.1 * math.log10(c) + math.exp(-u) + math.exp(2 * u) / 2))
    return pd.DataFrame(rows, columns=["n_params", "flops", "loss"])


def test_method_ratio_divides_the_parabola_by_akima():
    runs = _skewed()
    ratio = iso.method_ratio(runs)
    for c in PROFILE_BUDGETS:
        one = runs[runs["flops"] == c]
        x = np.log(one["n_params"].to_numpy())
        p = np.polyfit(x, one["loss"].to_numpy(), 2)  # the parabola's vertex, by numpy
        akima = fit_budget(one["n_params"], one["loss"], method="akima").n_opt
        assert ratio[c] == pytest.approx(math.exp(-p[1] / (2 * p[0])) / akima, rel=1e-6)
    assert (ratio < 0.9).all()  # the parabola leans to smaller models on this shape


def test_method_ratio_keeps_budgets_both_methods_use():
    c = 1e22
    x = np.arange(7) * 0.4
    falling = pd.DataFrame({"n_params": 1e10 * np.exp(x), "flops": c, "loss": 0.8 + 0.5 * np.exp(-x)})
    p = np.polyfit(x, falling["loss"], 2)
    assert p[0] > 0 and 0 < -p[1] / (2 * p[0]) < x[-1]  # the parabola's vertex is inside: it is used
    runs = pd.concat([profiles(), falling], ignore_index=True)  # Akima's minimum is the largest size: unused
    ratio = iso.method_ratio(runs)
    assert list(ratio.index) == list(PROFILE_BUDGETS)


def test_method_ratio_passes_unit_warnings_on():
    runs = profiles()
    with pytest.warns(UnitWarning, match="n_params look like the wrong unit"):
        iso.method_ratio(runs.assign(n_params=runs["n_params"] / 1e9))


def test_method_ratio_fits_without_a_bootstrap(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("bootstrap replicates drawn")

    monkeypatch.setattr(isofit, "_bootstrap_runs", refuse)  # a ratio of point estimates needs no replicates
    assert list(iso.method_ratio(profiles()).index) == list(PROFILE_BUDGETS)


def _unbent_one(d2, u, y):
    return float(profile._unbent(np.array([d2]), np.array([u], dtype=float), np.array([y], dtype=float))[0])


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_bend_is_the_curvature_times_the_widest_u_squared(sign):
    # u = -2, 0, 2: the parabola's bend across the window is |c2| max(u^2) = 4 |c2|, against max |loss| = 1
    u, y = [-2.0, 0.0, 2.0], [1.0, 0.5, 1.0]
    kept = sign * 1.5e-9 / 4  # bends by 1.5e-9 of the loss: a parabola
    flat = sign * 0.8e-9 / 4  # bends by 0.8e-9 (max u^3 = 8 would make it 1.6e-9): rounding
    assert _unbent_one(kept, u, y) == kept
    assert _unbent_one(flat, u, y) == 0.0


def test_a_bend_of_exactly_1e_9_of_the_loss_is_rounding():
    assert _unbent_one(1e-9, [-1.0, 0.0, 1.0], [1.0, 1.0, 1.0]) == 0.0  # |c2| * 1 == 1e-9 * 1 exactly
    assert _unbent_one(-1e-9, [-1.0, 0.0, 1.0], [1.0, 1.0, 1.0]) == 0.0


def test_each_row_is_judged_by_its_own_width_and_loss():
    # row 0: u within [-1, 1], loss 1; row 1: u within [-10, 10], loss 100
    u = np.array([[-1.0, 0.0, 1.0], [-10.0, 0.0, 10.0]])
    y = np.array([[1.0, 1.0, 1.0], [100.0, 100.0, 100.0]])
    # row 0 at 0.5e-9 is rounding by its own width (row 1's width would make it 5e-8, a parabola)
    np.testing.assert_array_equal(profile._unbent(np.array([0.5e-9, 5e-9]), u, y), [0.0, 5e-9])
    # row 0 at 5e-9 is a parabola against its own loss (row 1's loss would set the threshold at 1e-7)
    np.testing.assert_array_equal(profile._unbent(np.array([5e-9, 5e-9]), u, y), [5e-9, 5e-9])
