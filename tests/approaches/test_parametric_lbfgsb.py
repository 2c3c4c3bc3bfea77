"""Approach 3 by scipy's L-BFGS-B per start, with the loss scale and tolerances as settings (App. D.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from chinchilla_lib.approaches import parametric
from chinchilla_lib.approaches.parametric import lbfgsb
from chinchilla_lib.approaches.parametric.diagnostics import (
    refit_with_exponents,
    runs_needed_with_error,
    supported_rounding,
)
from chinchilla_lib.datasets import load_hoffmann_fig4
from chinchilla_lib.laws import ParametricLaw

SMALL_GRID = parametric.make_grid(alpha=(0, 0.5), beta=(0, 0.5), e=(-1, 0), a=(0, 10), b=(0, 10))
#: The first start of the paper's grid (alpha, beta, e, a, b all at their smallest).
FIRST_START = (0.0, 0.0, -1.0, 0.0, 0.0)


@pytest.fixture(scope="module")
def runs240():
    frame = load_hoffmann_fig4(exclude_highest_loss=5)
    return [frame[c].to_numpy() for c in ("n_params", "n_tokens", "loss")]


@pytest.fixture(scope="module")
def synthetic():
    law = ParametricLaw(1.8, 400.0, 1500.0, 0.34, 0.36)
    n = np.repeat(np.geomspace(5e7, 5e9, 6), 5)
    d = np.tile(np.geomspace(2e9, 2e11, 5), 6)
    noise = np.random.default_rng(3).normal(0, 0.004, n.size)
    return law, n, d, law.loss(n, d) * np.exp(noise)


def test_tolerances_are_scipys_defaults(synthetic):
    _, n, d, loss = synthetic
    start = np.array([5.0, 5.0, 0.0, 0.5, 0.5])
    ours = lbfgsb.descend_lbfgsb(n, d, loss, start, scale="sum")
    log = [np.log(v) for v in (n, d, loss)]
    plain = minimize(parametric.huber_objective, start, args=(*log, 1e-3), jac=True, method="L-BFGS-B")
    assert np.allclose(ours.x, plain.x, rtol=0, atol=1e-12) and ours.iterations == plain.nit
    assert lbfgsb.SCIPY_FTOL == pytest.approx(2.220446049250313e-09) and lbfgsb.SCIPY_GTOL == 1e-5


def test_mean_scale_with_default_tolerances_stops_short_of_the_optimum(synthetic):
    _, n, d, loss = synthetic
    start = np.array([0.0, 0.0, -1.0, 0.0, 0.0])
    early = lbfgsb.descend_lbfgsb(n, d, loss, start, scale="mean")
    tight = lbfgsb.descend_lbfgsb(n, d, loss, start, scale="sum", ftol=1e-15, gtol=1e-10)
    # the mean's gradient is the sum's over n: gtol 1e-5 on the mean is n * 1e-5 on the sum
    assert early.stopped_by in ("ftol", "gtol") and tight.stopped_by in ("ftol", "gtol")
    assert early.objective > tight.objective * (1 + 1e-4)
    assert early.gradient_max > 100 * tight.gradient_max


@pytest.mark.filterwarnings("ignore::chinchilla_lib.approaches.parametric.FitWarning")  # the small grid's edge
def test_grid_keeps_the_lowest_descent(synthetic):
    _, n, d, loss = synthetic
    grid = lbfgsb.fit_lbfgsb_grid(n, d, loss, scale="sum", ftol=1e-15, gtol=1e-10, grid=SMALL_GRID)
    frame = grid.descents
    assert len(frame) == len(SMALL_GRID) == grid.n_starts
    assert grid.best.objective == pytest.approx(frame["objective"].min(), rel=0, abs=0)
    assert tuple(SMALL_GRID[grid.best_index]) == grid.best.start
    # tightly converged, the grid's best agrees with the batched fit (an independent optimiser)
    fit = parametric.fit_approach3(n, d, loss, grid=SMALL_GRID)
    assert grid.best.objective == pytest.approx(fit.objective, rel=1e-6)
    assert grid.law.a == pytest.approx(fit.a, abs=1e-4)
    summary = grid.summary()
    assert summary["n_finite"] <= len(SMALL_GRID) and summary["stopped_by"] in ("ftol", "gtol")


def test_path_records_every_iterate(synthetic):
    _, n, d, loss = synthetic
    run = lbfgsb.descend_lbfgsb(n, d, loss, FIRST_START, record_path=True)
    assert len(run.path) == run.iterations + 1
    assert run.path["objective"].iloc[-1] == pytest.approx(run.objective)
    assert tuple(run.path[["alpha", "beta"]].iloc[0]) == (0.0, 0.0)


def test_figure4_mean_scale_gives_alpha_above_beta_the_converged_fit_does_not(runs240):
    """Besiroglu et al.'s explanation: the mean of the Huber terms with scipy's defaults stops early, alpha > beta."""
    early = lbfgsb.descend_lbfgsb(*runs240, FIRST_START, scale="mean")
    assert early.law.alpha > early.law.beta
    assert early.law.alpha == pytest.approx(0.38, abs=0.01) and early.law.beta == pytest.approx(0.31, abs=0.01)
    assert early.law.a == pytest.approx(0.45, abs=0.01)
    converged = lbfgsb.descend_lbfgsb(*runs240, FIRST_START, scale="mean", ftol=1e-15, gtol=1e-12)
    assert converged.law.beta > converged.law.alpha
    # the replication's refit (Besiroglu et al. 2024): alpha 0.348, beta 0.366
    assert converged.law.alpha == pytest.approx(0.347, abs=0.002)
    assert converged.law.beta == pytest.approx(0.366, abs=0.002)


def test_tolerance_table_rows(runs240):
    settings = [("mean", lbfgsb.SCIPY_FTOL, lbfgsb.SCIPY_GTOL), ("sum", 1e-15, 1e-10)]
    table = lbfgsb.tolerance_table(*runs240, FIRST_START, settings)
    assert list(table["scale"]) == ["mean", "sum"]
    assert table["objective"].iloc[0] > table["objective"].iloc[1]


@pytest.mark.parametrize("kwargs, word", [({"scale": "median"}, "scale"), ({"ftol": -1.0}, "ftol"),
                                          ({"gtol": "x"}, "gtol"), ({"start": np.zeros((2, 5))}, "start")])
def test_bad_settings_name_the_argument(synthetic, kwargs, word):
    _, n, d, loss = synthetic
    args = {"start": FIRST_START, **kwargs}
    with pytest.raises(ValueError, match=word):
        lbfgsb.descend_lbfgsb(n, d, loss, args.pop("start"), **args)


def test_supported_rounding():
    assert supported_rounding(612_345, 31_000) == 610_000
    assert supported_rounding(612_345, 3_100) == 612_000
    assert supported_rounding(0.0123, 5.0) == pytest.approx(0.01)  # at least one significant figure
    with pytest.raises(ValueError):
        supported_rounding(1.0, float("nan"))


def test_runs_needed_with_error_matches_the_hand_formula():
    samples = np.random.default_rng(0).normal(0.5, 0.02, 4000)
    out = runs_needed_with_error(samples, 240, 0.454, 0.455)
    lo, hi = np.percentile(samples, [10, 90])
    assert out["width"] == pytest.approx(hi - lo)
    assert out["n_needed"] == pytest.approx(240 * ((hi - lo) / 0.001) ** 2, rel=1e-9)
    # relative error of n is twice that of the width
    assert out["n_needed_se"] / out["n_needed"] == pytest.approx(2 * out["width_se"] / out["width"])
    assert out["n_needed_widest"] == pytest.approx(out["n_needed"] / 4, rel=0.05)
    with pytest.raises(ValueError, match="samples"):
        runs_needed_with_error([0.1, 0.2], 240, 0.454, 0.455)


def test_refit_with_exponents_recovers_a_law_held_at_its_own_exponents(synthetic):
    law, n, d, _ = synthetic
    frame = pd.DataFrame({"n_params": n, "n_tokens": d, "loss": law.loss(n, d)})
    held, objective = refit_with_exponents(frame, law.alpha, law.beta)
    assert held.E == pytest.approx(law.E, rel=1e-4) and held.A == pytest.approx(law.A, rel=1e-3)
    assert objective < 1e-9


def test_two_implementations_of_eq11_agree_converged_but_not_stopped_early(runs240):
    """huber_objective and the vectorised Batch compute Eq. (11) equally up to rounding error: a converged
    descent ends at the same point with either, an early stop only to the first digits."""
    from chinchilla_lib.book.formats import agreed_text

    tight = {obj: lbfgsb.descend_lbfgsb(*runs240, FIRST_START, scale="mean", ftol=1e-15, gtol=1e-12,
                                        objective=obj).law for obj in lbfgsb.OBJECTIVES}
    one, two = tight.values()
    for k in ("E", "alpha", "beta"):
        assert getattr(one, k) == pytest.approx(getattr(two, k), rel=1e-4)
    early = {obj: lbfgsb.descend_lbfgsb(*runs240, FIRST_START, scale="mean", objective=obj).law
             for obj in lbfgsb.OBJECTIVES}
    one, two = early.values()
    assert [agreed_text(getattr(one, k), getattr(two, k)) for k in ("E", "alpha", "beta")] == ["1.78", "0.38", "0.31"]
    assert abs(one.E - two.E) > 1e-3 and abs(one.beta - two.beta) > 1e-3  # the third decimal moves
    with pytest.raises(ValueError, match="objective"):
        lbfgsb.descend_lbfgsb(*runs240, FIRST_START, objective="fortran")
