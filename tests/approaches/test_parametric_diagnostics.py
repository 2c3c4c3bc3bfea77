"""Diagnostics of parametric laws (chinchilla_lib.approaches.parametric.diagnostics), their figures, the Figure 4 refit and the approach3.* rows."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from chinchilla_lib import datasets as ds  # noqa: E402
from chinchilla_lib import plotting  # noqa: E402
from chinchilla_lib.approaches import allocations as allocations_registry
from chinchilla_lib.approaches import parametric  # noqa: E402
from chinchilla_lib.approaches.parametric import huber_objective  # noqa: E402
from chinchilla_lib.checks import approach3 as checks_a3  # noqa: E402
from chinchilla_lib.checks import scorecard  # noqa: E402
from chinchilla_lib.laws import ParametricLaw, get_law  # noqa: E402
from chinchilla_lib.studies import figure4 as fig4  # noqa: E402

TRUE = ParametricLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37, name="truth")


@pytest.fixture(scope="module")
def synthetic_runs() -> pd.DataFrame:
    """Runs that lie exactly on a known law (no noise), spread over sizes and budgets."""
    rng = np.random.default_rng(0)
    n = 10 ** rng.uniform(7.5, 10, 60)
    d = 10 ** rng.uniform(9, 11.5, 60)
    return pd.DataFrame({"n_params": n, "n_tokens": d, "flops": 6 * n * d, "loss": TRUE.loss(n, d)})


@pytest.fixture(scope="module")
def fit240():
    return fig4.refit_figure4(5)


# --------------------------------------------------------------------------- small helpers

def test_law_vector_order_and_objective_zero_on_exact_data(synthetic_runs):
    v = TRUE.vector
    assert v == pytest.approx([math.log(480.0), math.log(2100.0), math.log(1.8), 0.35, 0.37])
    logs = [np.log(synthetic_runs[c].to_numpy()) for c in ("n_params", "n_tokens", "loss")]
    assert huber_objective(v, *logs)[0] == pytest.approx(0.0, abs=1e-20)


def test_residuals_are_zero_for_the_true_law_and_signed(synthetic_runs):
    assert np.allclose(parametric.log_residuals(TRUE, synthetic_runs), 0.0, atol=1e-12)
    higher = ParametricLaw(E=TRUE.E + 0.1, A=TRUE.A, B=TRUE.B, alpha=TRUE.alpha, beta=TRUE.beta)
    assert (parametric.log_residuals(higher, synthetic_runs) > 0).all()  # predicts too high a loss


def test_residuals_frame_shape_and_columns(synthetic_runs):
    frame = parametric.residuals_frame({"truth": TRUE, "paper": get_law("paper")}, synthetic_runs)
    assert list(frame.columns) == ["law", "n_params", "n_tokens", "loss", "predicted", "residual"]
    assert len(frame) == 2 * len(synthetic_runs)
    assert np.allclose(frame["residual"], np.log(frame["predicted"]) - np.log(frame["loss"]))


def test_fit_quality_table_on_exact_and_shifted_law(synthetic_runs):
    shifted = ParametricLaw(E=TRUE.E * math.exp(0.01), A=TRUE.A * math.exp(0.01), B=TRUE.B * math.exp(0.01),
                            alpha=TRUE.alpha, beta=TRUE.beta)  # every prediction 1% (in log) too high
    table = parametric.fit_quality_table({"truth": TRUE, "shifted": shifted}, synthetic_runs).set_index("law")
    assert table.loc["truth", "objective"] == pytest.approx(0.0, abs=1e-20)
    assert table.loc["shifted", "median_residual"] == pytest.approx(0.01, rel=1e-9)
    assert table.loc["shifted", "beyond_delta"] == 1.0
    # all residuals in the linear zone: objective = n * delta * (|r| - delta/2)
    n = len(synthetic_runs)
    assert table.loc["shifted", "objective"] == pytest.approx(n * 1e-3 * (0.01 - 0.5e-3), rel=1e-9)
    with pytest.raises(ValueError, match="delta"):
        parametric.fit_quality_table({"truth": TRUE}, synthetic_runs, delta=0)


def test_parameter_and_allocation_tables():
    laws = {"paper": get_law("paper"), "paper-full": get_law("paper-full")}
    params = parametric.parameter_table(laws)
    assert list(params.columns) == ["law", "E", "A", "B", "alpha", "beta", "a"]
    assert params.set_index("law").loc["paper", "a"] == pytest.approx(0.28 / 0.62)
    alloc = parametric.allocation_table(laws, 5.76e23).set_index("law")
    n_opt, d_opt = get_law("paper-full").optimal_allocation(5.76e23)
    assert alloc.loc["paper-full", "n_opt"] == pytest.approx(n_opt)
    assert alloc.loc["paper-full", "tokens_per_param"] == pytest.approx(d_opt / n_opt)
    assert np.allclose(6 * alloc["n_opt"] * alloc["d_opt"], 5.76e23, rtol=1e-12)
    with pytest.raises(ValueError, match="flops"):
        parametric.allocation_table(laws, -1.0)


def test_runs_for_width_closed_form():
    assert parametric.runs_for_width(0.05, 240, 0.001) == pytest.approx(240 * 50**2)
    assert parametric.runs_for_width(0.01, 100, 0.01) == pytest.approx(100)
    for bad in ({"width": 0.0}, {"target_width": -1.0}, {"n_runs": 0}):
        args = {"width": 0.05, "n_runs": 240, "target_width": 0.001} | bad
        with pytest.raises(ValueError):
            parametric.runs_for_width(**args)


def test_isoloss_grid_matches_law():
    cc, nn, loss = parametric.isoloss_grid(TRUE, (1e18, 1e22), (1e8, 1e10), points=7)
    assert cc.shape == nn.shape == loss.shape == (7, 7)
    assert loss[3, 4] == pytest.approx(TRUE.loss(nn[3, 4], cc[3, 4] / (6 * nn[3, 4])))


def test_plots_draw(synthetic_runs):
    fig, ax = plt.subplots()
    dots = plotting.plot_isoloss(ax, TRUE, synthetic_runs, levels=np.arange(2.0, 3.0, 0.1))
    assert len(dots.get_offsets()) == len(synthetic_runs)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    fig2, axes = plt.subplots(1, 2)
    frame = parametric.residuals_frame({"truth": TRUE, "paper": get_law("paper")}, synthetic_runs)
    plotting.plot_residuals(axes, frame, {"truth": "C0", "paper": "C1"})
    assert len(axes[0].collections) == 2
    plt.close(fig)
    plt.close(fig2)


def test_missing_columns_are_named(synthetic_runs):
    with pytest.raises(ValueError, match="loss"):
        parametric.log_residuals(TRUE, synthetic_runs.drop(columns="loss"))


# --------------------------------------------------------------------------- the fit and the bootstrap width

def test_refit_is_cached_and_validated(fit240):
    assert fig4.refit_figure4(5) is fit240
    assert fig4.refit_figure4(exclude_highest_loss=5) is fit240
    with pytest.raises(ValueError, match="exclude_highest_loss"):
        fig4.refit_figure4(True)


def test_refit_matches_the_replication(fit240):
    replication = get_law("replication")
    assert fit240.n_points == 240 and fit240.converged
    for key in ("E", "alpha", "beta"):
        assert getattr(fit240, key) == pytest.approx(getattr(replication, key), abs=0.005)


def test_interval_width_shrinks_like_one_over_sqrt_n(fit240):
    from chinchilla_lib.datasets import load_hoffmann_fig4

    runs = load_hoffmann_fig4(exclude_highest_loss=5)
    widths = parametric.interval_width_by_runs(runs, copies=(1, 4), n_resamples=200, seed=0, fit=fit240)
    assert list(widths["n_runs"]) == [240, 960]
    assert (widths["low"] < fit240.a).all() and (widths["high"] > fit240.a).all()
    ratio = widths["width"].iloc[0] / widths["width"].iloc[1]
    assert ratio == pytest.approx(2.0, rel=0.25)  # sqrt(4), within bootstrap noise of 200 resamples
    with pytest.raises(ValueError, match="copies"):
        parametric.interval_width_by_runs(runs, copies=(0,), fit=fit240)


# --------------------------------------------------------------------------- scorecard rows

def test_scorecard_rows_and_statuses():
    card = scorecard("approach3.").set_index("id")
    expected = {
        "approach3.replication.E": "reproduced",
        "approach3.replication.alpha": "reproduced",
        "approach3.replication.beta": "reproduced",
        "approach3.replication.a": "reproduced",
        "approach3.table2.a": "differs",
        "approach3.table2.a_interval_width": "differs",
        "approach3.table2.runs_for_interval": "differs",
        "approach3.n_opt_gopher": "differs",
        "approach3.early_stop.E": "differs",
        "approach3.early_stop.alpha": "differs",
        "approach3.early_stop.beta": "differs",
        "approach3.early_stop.a": "differs",
    }
    assert dict(card["status"]) == expected
    width = card.loc["approach3.table2.a_interval_width"]
    # Table 2 prints 0.454-0.455: a width of 0.001, uncertain by 0.001 from the rounding of its ends
    assert width["reference"] == pytest.approx(0.001) and width["tolerance"] == pytest.approx(0.001)
    assert card.loc["approach3.n_opt_gopher", "tolerance_kind"] == "relative"
    assert card.loc["approach3.table2.runs_for_interval", "reference"] == 400  # "over 400 models"
    assert (card["note"].str.len() > 0).all()
    assert (card.loc[card["status"] == "differs", "explained_in"] == "approach3").all()


def test_checks_reuse_the_cached_refit():
    fig4.refit_figure4(ds.REPLICATION_EXCLUDED)
    hits = allocations_registry._refit_cached.cache_info().hits
    rows = list(checks_a3.checks())
    assert len(rows) == 12 and allocations_registry._refit_cached.cache_info().hits > hits


# --- exclusion, misses, crossings, intervals (chinchilla_lib.approaches.parametric.diagnostics) ---------------------------

from chinchilla_lib.approaches.parametric import diagnostics as diag  # noqa: E402
from chinchilla_lib.plotting import parametric as plot3  # noqa: E402

_TOY = pd.DataFrame({"n_params": [1e8, 2e8, 4e8, 8e8], "n_tokens": [4e9, 1e9, 2e10, 5e8],
                     "loss": [2.9, 3.1, 2.5, 3.4], "flops": [2.4e18, 1.2e18, 4.8e19, 2.4e18]})


def test_highest_loss_runs_picks_the_top_losses_with_tokens_per_param():
    top = diag.highest_loss_runs(_TOY, 2)
    assert list(top["loss"]) == [3.4, 3.1]
    assert list(top["tokens_per_param"]) == pytest.approx([5e8 / 8e8, 1e9 / 2e8])
    assert diag.highest_loss_runs(_TOY, 0).empty
    with pytest.raises(ValueError, match="whole number"):
        diag.highest_loss_runs(_TOY, -1)


def test_exclusion_summary_by_hand():
    kept, dropped = _TOY.iloc[[0, 2]], _TOY.iloc[[1, 3]]
    s = diag.exclusion_summary(kept, dropped)
    assert (s["n_all"], s["n_kept"], s["n_dropped"]) == (4, 2, 2)
    assert s["dropped_d_max"] == 1e9 and s["kept_d_min"] == 4e9
    assert s["d_range_factor"] == pytest.approx(4e9 / 5e8)
    assert s["kept_loss_max"] == 2.9 and s["dropped_loss_min"] == 3.1
    with pytest.raises(ValueError, match="no runs"):
        diag.exclusion_summary(kept, dropped.iloc[[]])


def test_worst_under_prediction_of_a_known_shift(synthetic_runs):
    assert diag.worst_under_prediction(TRUE, synthetic_runs) == pytest.approx(0.0, abs=1e-12)
    # one run 10% above the law: the worst miss is log(1.1)
    runs = synthetic_runs.copy()
    runs.loc[3, "loss"] *= 1.1
    assert diag.worst_under_prediction(TRUE, runs) == pytest.approx(math.log(1.1))


def test_max_constant_difference():
    other = ParametricLaw(E=1.85, A=480.0, B=2100.0, alpha=0.33, beta=0.38)
    assert diag.max_constant_difference(TRUE, other) == pytest.approx(0.05)
    assert diag.max_constant_difference(TRUE, other, keys=("A", "alpha")) == pytest.approx(0.02)
    with pytest.raises(ValueError):
        diag.max_constant_difference(TRUE, other, keys=())


def test_quality_relative_to():
    quality = pd.DataFrame({"law": ["x", "y"], "objective": [2.0, 5.0], "median_residual": [0.0, 0.1]})
    q = diag.quality_relative_to(quality, "x")
    assert list(q.index) == ["x", "y"] and list(q["objective_ratio"]) == [1.0, 2.5]
    with pytest.raises(ValueError, match="not a law"):
        diag.quality_relative_to(quality, "z")


def test_frontier_interval_table_scales_and_renames():
    cols = ["estimate", "p2.5", "p10", "p90", "p97.5"]
    iv = pd.DataFrame([[0.3] * 5, [6.7e10] * 5, [1.4e12] * 5, [20.0] * 5],
                      index=pd.Index(["a", "n_opt", "d_opt", "tokens_per_param"], name="quantity"), columns=cols)
    t = diag.frontier_interval_table(iv, quantities=("a", "n_opt", "d_opt", "tokens_per_param"))
    assert list(t.index) == ["a", "n_opt (B)", "d_opt (T)", "tokens_per_param"]
    assert t.loc["n_opt (B)", "p10"] == pytest.approx(67.0) and t.loc["d_opt (T)", "p90"] == pytest.approx(1.4)
    assert t.loc["a", "estimate"] == 0.3 and iv.loc["n_opt", "p10"] == 6.7e10  # input untouched
    with pytest.raises(ValueError, match="no rows"):
        diag.frontier_interval_table(iv)  # alpha, beta, b missing


def test_runs_for_printed_interval_by_hand():
    # width 0.1 from 240 runs against a printed 0.454-0.455 (width 0.001): 240 * 100^2 runs
    r = diag.runs_for_printed_interval(0.1, 240, 0.454, 0.455)
    assert r["printed_width"] == pytest.approx(0.001) and r["width_ratio"] == pytest.approx(100.0)
    assert r["n_needed"] == pytest.approx(2.4e6) and r["needed_factor"] == pytest.approx(1e4)
    assert r["widest_printed_width"] == pytest.approx(0.002)  # each end may hide 0.0005
    assert r["n_needed_widest"] == pytest.approx(240 * 50.0**2)


def test_frontier_crossing_where_the_sizes_agree():
    other = ParametricLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    c = diag.frontier_crossing(TRUE, other)
    n1, n2 = TRUE.optimal_allocation(c)[0], other.optimal_allocation(c)[0]
    assert n1 == pytest.approx(n2, rel=1e-9)
    # away from the crossing they differ
    assert TRUE.optimal_allocation(10 * c)[0] != pytest.approx(other.optimal_allocation(10 * c)[0], rel=1e-3)
    with pytest.raises(ValueError, match="parallel"):
        diag.frontier_crossing(TRUE, TRUE)


def test_tokens_per_param_at_equal_exponents_is_constant():
    # alpha = beta: N_opt = G (C/6)^(1/2), D_opt = (C/6)^(1/2) / G, so D/N = 1/G^2 at every budget,
    # with G = (alpha A / (beta B))^(1/(alpha+beta)) (Eq. 4)
    law = ParametricLaw(E=1.7, A=400.0, B=1600.0, alpha=0.3, beta=0.3)
    g = (400.0 / 1600.0) ** (1 / 0.6)
    assert diag.tokens_per_param_at(law, [1e20, 1e24]) == pytest.approx([1 / g**2, 1 / g**2])
    assert diag.tokens_per_param_at(law, 1e22).shape == (1,)


def test_new_plot_helpers_draw(synthetic_runs):
    fig, ax = plt.subplots()
    plot3.plot_frontier(ax, TRUE, (1e18, 1e22), color="red")
    x, y = ax.lines[0].get_data()
    assert y[0] == pytest.approx(TRUE.optimal_allocation(1e18)[0]) and x[-1] == pytest.approx(1e22)
    widths = pd.DataFrame({"n_runs": [100, 200, 400], "width": [0.1, 0.07, 0.05]})
    fig2, ax2 = plt.subplots()
    plot3.plot_width_by_runs(ax2, widths, width=0.1, n_runs=100, target_width=0.001, n_needed=1e6)
    assert ax2.get_xscale() == "log" and len(ax2.get_legend().get_texts()) == 3
    printed = pd.DataFrame({"approach": [1, 1, 3], "flops": [1e20, 1e22, 1e21], "n_params": [1e9, 1e10, 3e9],
                            "flops_typo_suspected": [False, True, False]})
    models = pd.DataFrame({"model": ["Chinchilla", "Gopher"], "n_params": [7e10, 2.8e11], "n_tokens": [1.4e12, 3e11]})
    fig3, ax3 = plt.subplots()
    c = np.logspace(18, 24, 5)
    plot3.plot_compute_optimal_sizes(ax3, c, {"line": (c**0.5, "k", "-")}, printed, models, legend_entries=3)
    labels = [t.get_text() for t in ax3.get_legend().get_texts()]
    assert labels == ["line", "Approach 1 (paper)", "Approach 3 (paper)"]
    assert len(ax3.collections[0].get_offsets()) == 1  # the suspected typo is left out
    fig4_, ax4 = plt.subplots()
    path = pd.DataFrame({"alpha": [0.0, 0.2, 0.38], "beta": [0.0, 0.2, 0.31]})
    plot3.plot_descent_paths(ax4, {"early": (path, "red")}, {"printed": (TRUE, "black", "X")})
    x, y = ax4.lines[0].get_data()
    assert list(x) == [0.0, 0.2, 0.38] and list(y) == [0.0, 0.2, 0.31]
    assert tuple(ax4.collections[1].get_offsets()[0]) == (TRUE.alpha, TRUE.beta)
    diag_x, diag_y = ax4.lines[1].get_data()
    assert list(diag_x) == list(diag_y)  # the alpha = beta line
    plt.close("all")


def test_early_stop_study_rows_and_tolerances():
    from chinchilla_lib.studies import early_stop

    card = scorecard("approach3.early_stop.").set_index("id")
    grid_fit = early_stop.early_stop_fit(ds.REPLICATION_EXCLUDED)
    assert grid_fit.n_starts == 4500 and grid_fit.scale == "mean"  # App. D.2's grid
    assert tuple(parametric.paper_grid()[grid_fit.best_index]) == grid_fit.best.start
    assert card.loc["approach3.early_stop.alpha", "ours"] == grid_fit.law.alpha
    assert grid_fit.law.alpha > grid_fit.law.beta  # the printed ordering
    table = early_stop.early_stop_tolerances(ds.REPLICATION_EXCLUDED)
    refit = fig4.refit_figure4(ds.REPLICATION_EXCLUDED)
    assert table["stopped_by"].iloc[0] == "ftol"
    # both tolerances tightened, the mean reaches the batched optimiser's optimum (an independent method)
    assert table["a"].iloc[3] == pytest.approx(refit.a, abs=2e-4)
    assert table["objective"].iloc[3] == pytest.approx(refit.objective, rel=1e-6)
    assert (table["objective"].iloc[[0, 1, 2, 4]] > refit.objective * (1 + 1e-3)).all()
