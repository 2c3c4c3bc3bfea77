"""Approach 2 (IsoFLOP profiles, Hoffmann et al. Section 3.2): grouping, fits, errors, real data."""

import warnings

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.approaches.isoflop import (
    IsoFLOPWarning,
    fit_budget,
    fit_isoflop,
    fit_isoflop_frame,
    group_budgets,
)
from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.studies.porian import porian_exponents

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

