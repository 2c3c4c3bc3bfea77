"""Approach 3 (Hoffmann et al. 2022, Section 3.3, App. D.2 Eq. (11)) and its bootstrap."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from chinchilla_lib.approaches import parametric
from chinchilla_lib.approaches.parametric import bootstrap as pboot
from chinchilla_lib.approaches.parametric import fit as pfit
from chinchilla_lib.approaches.parametric import objective as pobj
from chinchilla_lib.approaches.parametric import optimise as popt
from chinchilla_lib.datasets import load_hoffmann_fig4
from chinchilla_lib.laws import ParametricLaw, get_law

# Besiroglu et al. 2024 (arXiv 2404.10102), refit on 240 of the 245 Figure-4 points.
REPLICATION = {"E": 1.817, "alpha": 0.347, "beta": 0.367}

#: A grid small enough for the per-start baseline to run in well under a second.
SMALL_GRID = parametric.make_grid(alpha=(0, 0.5, 1), beta=(0, 0.5, 1), e=(-1, 0, 1), a=(0, 10, 20), b=(0, 10, 20))
SYNTHETIC_GRID = parametric.make_grid(alpha=(0, 0.5, 1), beta=(0, 0.5, 1), e=(-1, 0, 1), a=(0, 5, 10, 15),
                                   b=(0, 5, 10, 15))


@pytest.fixture(scope="module")
def runs240():
    frame = load_hoffmann_fig4(exclude_highest_loss=5)
    return frame["n_params"].to_numpy(), frame["n_tokens"].to_numpy(), frame["loss"].to_numpy()


@pytest.fixture(scope="module")
def fit240(runs240):
    with warnings.catch_warnings():
        warnings.simplefilter("error", parametric.FitWarning)  # the headline fit must be clean
        return parametric.fit_approach3(*runs240)


def _logs(runs):
    return tuple(np.log(v) for v in runs)


def _independent_objective(params, n, d, loss, delta=1e-3):
    """Eq. (11) written out with numpy's logaddexp and scipy's Huber."""
    a, b, e, alpha, beta = params
    pred = np.logaddexp.reduce([a - alpha * np.log(n), b - beta * np.log(d), np.full(len(n), e)], axis=0)
    return float(np.sum(scipy.special.huber(delta, pred - np.log(loss))))


params_strategy = st.tuples(
    st.floats(2.0, 12.0), st.floats(2.0, 12.0), st.floats(-0.5, 1.0), st.floats(0.1, 0.9), st.floats(0.1, 0.9)
)


# --------------------------------------------------------------------------- objective

@settings(max_examples=50, deadline=None)
@given(r=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=20), delta=st.floats(1e-4, 0.5))
def test_huber_matches_scipy(r, delta):
    np.testing.assert_allclose(parametric.huber(r, delta), scipy.special.huber(delta, np.array(r)),
                               rtol=1e-12, atol=1e-15)


@settings(max_examples=20, deadline=None)
@given(params=params_strategy, delta=st.sampled_from([1e-3, 1e-2, 0.1]))
def test_objective_is_the_sum_of_huber_losses_of_log_residuals(runs240, params, delta):
    value, _ = parametric.huber_objective(params, *_logs(runs240), delta)
    assert value == pytest.approx(_independent_objective(params, *runs240, delta=delta), rel=1e-10)


@settings(max_examples=20, deadline=None)
@given(params=params_strategy, weighted=st.booleans())
def test_gradient_matches_central_differences(runs240, params, weighted):
    logs = _logs(runs240)
    weights = np.random.default_rng(0).integers(0, 3, len(logs[0])).astype(float) if weighted else None
    _, grad = parametric.huber_objective(params, *logs, 1e-3, weights)
    step = 1e-6
    numeric = []
    for k in range(5):
        hi, lo = np.array(params, float), np.array(params, float)
        hi[k] += step
        lo[k] -= step
        numeric.append((parametric.huber_objective(hi, *logs, 1e-3, weights)[0]
                        - parametric.huber_objective(lo, *logs, 1e-3, weights)[0]) / (2 * step))
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


def test_weights_count_repeated_runs(runs240):
    rng = np.random.default_rng(1)
    counts = rng.multinomial(len(runs240[0]), np.full(len(runs240[0]), 1 / len(runs240[0])))
    params = [6.0, 7.5, 0.6, 0.35, 0.37]
    weighted = parametric.huber_objective(params, *_logs(runs240), 1e-3, counts.astype(float))
    repeated = parametric.huber_objective(params, *(np.repeat(v, counts) for v in _logs(runs240)), 1e-3)
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-12)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-10)


def test_batched_objective_matches_the_single_one(runs240):
    logs = _logs(runs240)
    rng = np.random.default_rng(2)
    rows = np.vstack([parametric.paper_grid()[::97], rng.uniform([0, 0, -1, 0, 0], [25, 25, 1, 2, 2], (20, 5))])
    weights = rng.integers(0, 3, (len(rows), len(logs[0]))).astype(float)
    values, grads = pobj.Batch(*logs, 1e-3, weights=weights)(rows)
    for k, p in enumerate(rows):
        value, grad = parametric.huber_objective(p, *logs, 1e-3, weights[k])
        assert values[k] * 1e-3 == pytest.approx(value, rel=1e-9)
        np.testing.assert_allclose(grads[k] * 1e-3, grad, rtol=1e-7, atol=1e-12)


def test_batched_values_alone_match_values_with_gradients(runs240):
    batch = pobj.Batch(*_logs(runs240), 1e-3, dtype=np.float32)
    grid = parametric.paper_grid()
    np.testing.assert_array_equal(batch.values(grid), batch(grid)[0])


@settings(max_examples=10, deadline=None)
@given(params=params_strategy, weighted=st.booleans())
def test_batched_hessian_matches_central_differences(runs240, params, weighted):
    logs = _logs(runs240)
    weights = np.random.default_rng(4).integers(0, 3, (1, len(logs[0]))).astype(float) if weighted else None
    batch = pobj.Batch(*logs, 1e-3, weights=weights)
    x = np.array([params], float)
    value, grad, hess = batch.second_order(x)
    value1, grad1 = batch(x)
    assert value[0] == pytest.approx(value1[0], rel=1e-12)
    np.testing.assert_allclose(grad, grad1, rtol=1e-10, atol=1e-9)
    step = 1e-7
    numeric = np.empty((5, 5))
    for k in range(5):
        hi, lo = x.copy(), x.copy()
        hi[0, k] += step
        lo[0, k] -= step
        numeric[:, k] = (batch(hi)[1][0] - batch(lo)[1][0]) / (2 * step)
    np.testing.assert_allclose(hess[0], hess[0].T, rtol=1e-12, atol=0)
    # a residual crossing +-delta within the step makes the differences jump: skip such points
    r = pobj.Batch(*logs, 1e-3)._terms(x)[-1]
    assume(np.abs(np.abs(r) - 1e-3).min() > 100 * step * np.abs(logs[0]).max())
    np.testing.assert_allclose(hess[0], numeric, rtol=1e-4, atol=1e-4 * np.abs(hess[0]).max())


def test_screen_evaluates_every_start_and_descends_the_lowest(runs240):
    data = pfit._data(*runs240)
    grid = parametric.paper_grid()
    screen = pfit._screen(data, grid, 1e-3, 10, 300)
    start_values = pobj.Batch(data.log_n, data.log_d, data.log_l, 1e-3, dtype=np.float32).values(grid)
    descended = screen.status != 4
    assert len(screen.f) == 4500 and descended.sum() == 300
    assert start_values[descended].max() <= start_values[~descended].min()  # the 300 lowest starts
    np.testing.assert_array_equal(screen.f[~descended], start_values[~descended])
    np.testing.assert_array_equal(screen.x[~descended], grid[~descended])
    assert np.all(screen.f[descended] <= start_values[descended] * (1 + 1e-6))
    assert screen.iterations[descended].max() <= 10


def test_batched_newton_converges_from_around_the_optimum(runs240, fit240):
    data = pfit._data(*runs240)
    batch = pobj.Batch(data.log_n, data.log_d, data.log_l, 1e-3)
    x0 = fit240.params + np.random.default_rng(5).normal(0, [0.5, 0.5, 0.05, 0.02, 0.02], (6, 5))
    res = popt.batched_newton(batch.second_order, x0, max_iter=300, gtol=1e-7)
    assert np.all(res.status == 0) and np.abs(res.g).max() < 1e-7
    np.testing.assert_allclose(res.f * 1e-3, fit240.objective, rtol=1e-10)
    np.testing.assert_allclose(res.x, np.tile(fit240.params, (6, 1)), atol=1e-5)


def test_descending_every_start_finds_the_same_optimum(runs240, fit240):
    full = parametric.fit_approach3(*runs240, n_descents=4500, screen_iterations=20)
    assert full.objective == pytest.approx(fit240.objective, rel=1e-10)
    np.testing.assert_allclose(full.params, fit240.params, atol=1e-5)


def test_paper_grid_has_the_4500_starts_of_appendix_d2():
    grid = parametric.paper_grid()
    assert grid.shape == (4500, 5)
    assert len(np.unique(grid, axis=0)) == 4500
    expected = [np.arange(0, 30, 5), np.arange(0, 30, 5), np.arange(-1, 1.5, 0.5), np.arange(0, 2.5, 0.5),
                np.arange(0, 2.5, 0.5)]
    for column, values in zip(grid.T, expected):
        np.testing.assert_array_equal(np.unique(column), values)


# --------------------------------------------------------------------------- the fit

def test_refit_on_240_points_matches_the_replication(fit240):
    assert fit240.n_points == 240 and fit240.n_starts == 4500 and fit240.converged
    assert abs(fit240.E - REPLICATION["E"]) < 0.005
    assert abs(fit240.alpha - REPLICATION["alpha"]) < 0.005
    assert abs(fit240.beta - REPLICATION["beta"]) < 0.005
    assert fit240.a == pytest.approx(fit240.beta / (fit240.alpha + fit240.beta))
    assert 0.50 < fit240.a < 0.53 and fit240.warnings == []


def test_fit_is_a_minimum_better_than_the_papers_constants(fit240, runs240):
    logs = _logs(runs240)
    value, grad = parametric.huber_objective(fit240.params, *logs)
    assert value == pytest.approx(fit240.objective, rel=1e-12)
    assert np.abs(grad).max() / 1e-3 < 1e-4
    for name in ("paper", "paper-full"):
        law = get_law(name)
        theirs = parametric.huber_objective([np.log(law.A), np.log(law.B), np.log(law.E), law.alpha, law.beta], *logs)
        assert fit240.objective < theirs[0]
    rng = np.random.default_rng(3)
    for _ in range(20):  # no nearby point is lower
        assert parametric.huber_objective(fit240.params + rng.normal(0, 1e-3, 5), *logs)[0] >= fit240.objective


def test_law_carries_the_fitted_constants(fit240):
    law = fit240.law
    assert isinstance(law, ParametricLaw)
    assert (law.E, law.A, law.B, law.alpha, law.beta) == (fit240.E, fit240.A, fit240.B, fit240.alpha, fit240.beta)
    assert law.a == pytest.approx(fit240.a) and law.b == pytest.approx(fit240.b)


@pytest.mark.skipif("mutants" in pfit.__file__.split("/"),
                    reason="4,500 scipy fits (25 s) for every mutant; tests/test_parametric_results.py checks the "
                    "per-start fit on three starts under mutation testing")
def test_vectorised_fit_agrees_with_the_per_start_baseline(runs240):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parametric.FitWarning)  # log E = 0.597 is nearest this grid's e = 1
        ours = parametric.fit_approach3(*runs240, grid=SMALL_GRID)
        base = parametric.fit_approach3_per_start(*runs240, grid=SMALL_GRID)
    assert ours.objective <= base.objective * (1 + 1e-9)
    assert ours.objective == pytest.approx(base.objective, rel=1e-6)
    assert np.all(np.abs(ours.params - base.params) <= [0.02, 0.02, 2e-3, 2e-3, 2e-3])
    assert ours.warnings == base.warnings


@settings(max_examples=10, deadline=None)
@given(E=st.floats(1.5, 2.5), alpha=st.floats(0.25, 0.5), beta=st.floats(0.25, 0.5),
       a_term=st.floats(0.5, 2.0), b_term=st.floats(0.5, 2.0), seed=st.integers(0, 2**16))
def test_recovers_noisy_synthetic_laws(E, alpha, beta, a_term, b_term, seed):
    n = np.repeat(np.logspace(7.5, 10.5, 8), 8)
    d = np.tile(np.logspace(9, 12, 8), 8)
    log_a = np.log(a_term) + alpha * np.log(n.min())  # both terms visible across the design
    log_b = np.log(b_term) + beta * np.log(d.min())
    clean = E + np.exp(log_a) / n**alpha + np.exp(log_b) / d**beta
    loss = clean * np.exp(np.random.default_rng(seed).normal(0, 0.003, n.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parametric.FitWarning)
        fit = parametric.fit_approach3(n, d, loss, grid=SYNTHETIC_GRID)
    truth = parametric.huber_objective([log_a, log_b, np.log(E), alpha, beta], np.log(n), np.log(d), np.log(loss))[0]
    assert fit.objective <= truth * (1 + 1e-9)
    assert abs(fit.alpha - alpha) < 0.04 and abs(fit.beta - beta) < 0.04 and abs(fit.E - E) < 0.08
    assert np.max(np.abs(fit.law.loss(n, d) / clean - 1)) < 0.015


# --------------------------------------------------------------------------- warnings

def test_optimum_outside_the_grid_warns(runs240):
    grid = parametric.make_grid(alpha=(0.6, 0.8, 1.0))
    with pytest.warns(parametric.FitWarning, match="alpha = 0.34.* outside the start grid"):
        fit = parametric.fit_approach3(*runs240, grid=grid[::3])
    assert any("outside" in w for w in fit.warnings)


def test_optimum_on_the_grid_edge_warns(runs240):
    grid = parametric.make_grid(beta=(0.3, 1.0, 2.0))
    with pytest.warns(parametric.FitWarning, match="beta = 0.36.* edge of the start grid"):
        fit = parametric.fit_approach3(*runs240, grid=grid[::3])
    assert any("edge" in w for w in fit.warnings) and abs(fit.beta - 0.367) < 0.005


def test_early_stop_is_reported(runs240, monkeypatch):
    monkeypatch.setattr(pfit, "_POLISH_OPTIONS", {"maxiter": 1})
    monkeypatch.setattr(pfit, "_refine", lambda data, delta, x0: popt.batched_bfgs(
        pobj.Batch(data.log_n, data.log_d, data.log_l, delta), x0, max_iter=1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", parametric.FitWarning)
        fit = parametric.fit_approach3(*runs240, grid=SMALL_GRID, screen_iterations=2)
    assert any("stopped before converging" in str(w.message) for w in caught)
    assert not fit.converged and fit.warnings


# --------------------------------------------------------------------------- bootstrap

def test_bootstrap_is_deterministic_with_a_seed(runs240, fit240):
    one = parametric.bootstrap_approach3(*runs240, n_resamples=150, seed=7, fit=fit240)
    two = parametric.bootstrap_approach3(*runs240, n_resamples=150, seed=7, fit=fit240)
    other = parametric.bootstrap_approach3(*runs240, n_resamples=150, seed=8, fit=fit240)
    assert one.samples.equals(two.samples) and one.intervals.equals(two.intervals)
    assert not np.allclose(one.samples["alpha"], other.samples["alpha"])
    assert one.n_unconverged == 0 and one.samples["converged"].all()
    assert one.n_polished <= 0.05 * 150  # the batched optimiser did the work, not the per-resample fallback


def test_bootstrap_resamples_are_refits_of_resampled_runs(runs240, fit240):
    boot = parametric.bootstrap_approach3(*runs240, n_resamples=40, seed=11, fit=fit240)
    counts = pboot._resample_weights(240, 40, 11)
    for k in (0, 13, 39):
        logs = tuple(np.repeat(v, counts[k].astype(int)) for v in _logs(runs240))

        def scaled(p):
            value, grad = parametric.huber_objective(p, *logs)  # noqa: B023 (used within the iteration)
            return value / 1e-3, grad / 1e-3

        ref = minimize(scaled, fit240.params, jac=True, method="L-BFGS-B",
                       options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
        row = boot.samples.iloc[k]
        np.testing.assert_allclose(row[["log_E", "alpha", "beta"]].to_numpy(float), ref.x[2:], atol=1e-4)
        assert row["objective"] <= ref.fun * 1e-3 * (1 + 1e-8)


def test_bootstrap_intervals_at_gophers_budget(runs240, fit240):
    boot = parametric.bootstrap_approach3(*runs240, n_resamples=300, seed=0, fit=fit240, flops=5.76e23)
    table = boot.intervals
    assert list(table.columns) == ["estimate", "p2.5", "p10", "p50", "p90", "p97.5"]
    assert set(table.index) == {"E", "A", "B", "alpha", "beta", "a", "b", "n_opt", "d_opt", "tokens_per_param"}
    assert (np.diff(table.iloc[:, 1:].to_numpy(), axis=1) >= 0).all()
    for q in ("E", "alpha", "beta", "a", "n_opt", "tokens_per_param"):
        lo, hi = boot.interval(q, 0.95)
        assert lo < table.loc[q, "estimate"] < hi
    s = boot.samples
    np.testing.assert_allclose(6 * s["n_opt"] * s["d_opt"], 5.76e23, rtol=1e-9)
    n_opt, d_opt = fit240.law.optimal_allocation(5.76e23)
    assert table.loc["tokens_per_param", "estimate"] == pytest.approx(d_opt / n_opt)


@settings(max_examples=20, deadline=None)
@given(params=params_strategy, flops=st.floats(1e18, 1e26))
def test_frontier_at_matches_the_closed_form_of_the_law(params, flops):
    law = ParametricLaw(np.exp(params[2]), np.exp(params[0]), np.exp(params[1]), params[3], params[4])
    n_opt, d_opt = parametric.frontier_at(params, flops)
    assert n_opt[0] == pytest.approx(law.optimal_allocation(flops)[0], rel=1e-9)
    assert d_opt[0] == pytest.approx(law.optimal_allocation(flops)[1], rel=1e-9)


# --------------------------------------------------------------------------- input errors

GOOD = (np.logspace(8, 10, 8), np.logspace(9, 11, 8), np.linspace(3.0, 2.2, 8))


def _with(index, value):
    args = [a.copy() for a in GOOD]
    args[index][2] = value
    return args


@pytest.mark.parametrize("args, match", [
    (_with(0, np.nan), "n_params.*NaN"),
    (_with(1, -5.0), "n_tokens.*positive"),
    (_with(2, 0.0), "loss.*positive"),
    (_with(2, np.inf), "loss.*finite"),
    ((GOOD[0], GOOD[1][:7], GOOD[2]), "same length.*n_tokens has 7"),
    ((GOOD[0][:5], GOOD[1][:5], GOOD[2][:5]), "at least 6"),
])
@pytest.mark.parametrize("fn", [parametric.fit_approach3, parametric.fit_approach3_per_start,
                                parametric.bootstrap_approach3])
def test_bad_runs_raise_a_clear_error(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)


@pytest.mark.parametrize("kwargs, match", [
    ({"delta": 0.0}, "delta"),
    ({"delta": float("nan")}, "delta"),
    ({"grid": np.zeros((3, 4))}, "grid"),
    ({"grid": [[0, 0, 0, np.nan, 0]]}, "grid"),
    ({"n_candidates": 0}, "n_candidates"),
    ({"n_descents": 0}, "n_descents"),
])
def test_bad_options_raise_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        parametric.fit_approach3(*GOOD, **kwargs)


@pytest.mark.parametrize("kwargs, match", [({"n_resamples": 0}, "n_resamples"), ({"flops": -1.0}, "flops")])
def test_bad_bootstrap_options_raise_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        parametric.bootstrap_approach3(*GOOD, **kwargs)


def test_diverged_fit_gives_a_clear_error():
    with pytest.raises(ValueError, match="diverged"):
        pfit._make_fit(np.array([1.0, 1.0, 800.0, 0.3, 0.3]), 1.0, None, 1e-3, [], False, "", 0.0, (), [], "x")
