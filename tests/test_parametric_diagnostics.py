"""Diagnostics of parametric laws (chinchilla_lib.parametric.diagnostics), their figures, the Figure 4 refit and the approach3.* rows."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from chinchilla_lib import datasets as ds  # noqa: E402
from chinchilla_lib import parametric, plotting  # noqa: E402
from chinchilla_lib.checks import approach3 as checks_a3  # noqa: E402
from chinchilla_lib.parametric import huber_objective  # noqa: E402
from chinchilla_lib.studies import figure4 as fig4  # noqa: E402
from chinchilla_lib.laws import ParametricLaw, get_law  # noqa: E402
from chinchilla_lib.checks import scorecard  # noqa: E402

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
        "approach3.table2.a_interval": "differs",
        "approach3.n_opt_gopher": "differs",
    }
    assert dict(card["status"]) == expected
    interval = card.loc["approach3.table2.a_interval"]
    assert interval["reference"] == pytest.approx(0.4545) and interval["tolerance"] == pytest.approx(0.0005)
    assert card.loc["approach3.n_opt_gopher", "tolerance_kind"] == "relative"
    assert (card["note"].str.len() > 0).all()


def test_checks_reuse_the_cached_refit():
    fig4.refit_figure4(ds.REPLICATION_EXCLUDED)
    hits = fig4._refit_cached.cache_info().hits
    rows = list(checks_a3.checks())
    assert len(rows) == 7 and fig4._refit_cached.cache_info().hits > hits
