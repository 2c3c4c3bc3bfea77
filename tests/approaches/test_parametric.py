"""chinchilla_lib.approaches.parametric: Approach 3, the fit of Eq. (11) (Hoffmann et al. Section 3.3, App. D.2),
its result API and its bootstrap."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.special
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import huber as scipy_huber
from scipy.special import logsumexp

from chinchilla_lib._validate import ExtrapolationWarning, UnitWarning
from chinchilla_lib.approaches import parametric
from chinchilla_lib.approaches.parametric import bootstrap as pboot
from chinchilla_lib.approaches.parametric import fit as pfit
from chinchilla_lib.approaches.parametric import objective as pobj
from chinchilla_lib.approaches.parametric import optimise as popt
from chinchilla_lib.approaches.parametric.bootstrap import bootstrap_approach3, check_level, frontier_at
from chinchilla_lib.approaches.parametric.fit import Approach3Fit, FitWarning, fit_approach3, fit_approach3_per_start
from chinchilla_lib.approaches.parametric.objective import DEFAULT_DELTA, Batch, huber, huber_objective
from chinchilla_lib.datasets import load_hoffmann_fig4
from chinchilla_lib.laws import ParametricLaw, get_law

# ======== Approach 3 (Hoffmann et al. 2022, Section 3.3, App. D.2 Eq. (11)) and its bootstrap.

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
                    reason="4,500 scipy fits (25 s) for every mutant; test_per_start_reference_fit_recovers_the_law_"
                    "from_nearby_starts (below) checks the per-start fit on three starts under mutation testing")
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


# ======== Approach 3 in detail: Eq. (11) and its derivatives, the fit's result API and the bootstrap's.
# Expected values are independent: scipy's Huber and log-sum-exp, central finite differences,
# Eq. (4) by hand, numpy percentiles of the resamples, and the known law the runs were made from.

LAW = dict(E=1.7, A=400.0, B=410.0, alpha=0.34, beta=0.28)
TRUE = np.array([math.log(400.0), math.log(410.0), math.log(1.7), 0.34, 0.28])


def law_runs(noise=0.0):
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e7, 1e9, 6), np.geomspace(1e9, 1e11, 6)))
    loss = LAW["E"] + LAW["A"] / n ** LAW["alpha"] + LAW["B"] / d ** LAW["beta"]
    return n, d, loss * (1 + noise * np.tile([1.0, -1.0, 0.5, -0.5, 0.0, 0.25], 6))


def logs(noise=0.02):
    n, d, loss = law_runs(noise)
    return np.log(n), np.log(d), np.log(loss)


def eq11(p, log_n, log_d, log_l, delta=DEFAULT_DELTA, weights=None):
    """Eq. (11) written out with scipy: sum_i w_i Huber(LSE(a - alpha ln N, b - beta ln D, e) - ln L)."""
    a, b, e, alpha, beta = p
    lse = logsumexp(np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)]), axis=0)
    h = scipy_huber(delta, lse - log_l)
    return float(np.sum(h if weights is None else weights * h))


def numeric_grad(f, p, step=1e-6):
    out = np.zeros(len(p))
    for i in range(len(p)):
        up, down = p.copy(), p.copy()
        up[i] += step
        down[i] -= step
        out[i] = (f(up) - f(down)) / (2 * step)
    return out


POINTS = np.array([TRUE, TRUE + [0.3, -0.2, 0.05, 0.02, -0.01], [5.0, 6.0, 0.5, 0.4, 0.35], [1.0, 2.0, -0.5, 0.1, 0.2]])


# ------------------------------------------------------------------ Eq. (11)


@given(st.lists(st.floats(-1, 1), min_size=1, max_size=20), st.sampled_from([1e-3, 0.05, 0.5]))
def test_huber_is_scipys(r, delta):
    np.testing.assert_allclose(huber(r, delta), scipy_huber(delta, np.array(r)), rtol=1e-12, atol=1e-18)


def test_huber_default_threshold_is_the_papers():
    assert DEFAULT_DELTA == 1e-3
    assert huber(0.5) == pytest.approx(1e-3 * (0.5 - 0.5e-3))
    assert huber(-0.5e-3) == pytest.approx(0.5 * 0.25e-6)


@pytest.mark.parametrize("p", POINTS)
def test_huber_objective_is_eq11_with_its_exact_gradient(p):
    log_n, log_d, log_l = logs()
    value, grad = huber_objective(p, log_n, log_d, log_l)
    assert value == pytest.approx(eq11(p, log_n, log_d, log_l), rel=1e-12)
    f = lambda q: eq11(q, log_n, log_d, log_l)  # noqa: E731
    np.testing.assert_allclose(grad, numeric_grad(f, p.astype(float)), rtol=1e-5, atol=1e-9)


def test_huber_objective_weights_count_runs_as_repeated():
    log_n, log_d, log_l = logs()
    w = np.tile([0.0, 1.0, 2.0, 3.0], 9)
    p = POINTS[1]
    value, grad = huber_objective(p, log_n, log_d, log_l, 0.01, weights=w)
    rep = np.repeat(np.arange(36), w.astype(int))
    v_rep, g_rep = huber_objective(p, log_n[rep], log_d[rep], log_l[rep], 0.01)
    assert value == pytest.approx(v_rep, rel=1e-12) and value == pytest.approx(eq11(p, log_n, log_d, log_l, 0.01, w))
    np.testing.assert_allclose(grad, g_rep, rtol=1e-10, atol=1e-14)


def test_batch_is_eq11_over_delta_row_by_row_with_each_rows_weights():
    log_n, log_d, log_l = logs()
    rng = np.random.default_rng(0)
    weights = rng.integers(0, 3, size=(3, 36)).astype(float)
    batch = Batch(log_n, log_d, log_l, 0.002, weights=weights)
    rows = np.array([2, 0, 1, 2])
    value, grad = batch(POINTS, rows)
    for k, (p, row) in enumerate(zip(POINTS, rows)):
        v, g = huber_objective(p, log_n, log_d, log_l, 0.002, weights=weights[row])
        assert value[k] == pytest.approx(v / 0.002, rel=1e-10)
        np.testing.assert_allclose(grad[k], g / 0.002, rtol=1e-8, atol=1e-10)


def test_batch_rows_default_to_one_weight_row_each():
    log_n, log_d, log_l = logs()
    weights = np.vstack([np.ones(36), np.zeros(36), 2 * np.ones(36), np.ones(36)])
    value, _ = Batch(log_n, log_d, log_l, 1e-3, weights=weights)(POINTS)
    plain, _ = Batch(log_n, log_d, log_l, 1e-3)(POINTS)
    np.testing.assert_allclose(value, [plain[0], 0.0, 2 * plain[2], plain[3]], rtol=1e-10)


def test_batch_in_chunks_gives_the_same_values():
    log_n, log_d, log_l = logs()
    x = np.vstack([POINTS] * 3)
    whole = Batch(log_n, log_d, log_l, 1e-3)
    assert Batch.chunk == 256
    value, grad = whole(x)
    parts = Batch(log_n, log_d, log_l, 1e-3)
    parts.chunk = 5  # 12 rows in passes of 5, 5, 2
    v2, g2 = parts(x)
    np.testing.assert_allclose(v2, value, rtol=1e-12)
    np.testing.assert_allclose(g2, grad, rtol=1e-12)
    np.testing.assert_allclose(parts.values(x), value, rtol=1e-12)


def test_batch_marks_rows_that_are_not_finite():
    log_n, log_d, log_l = logs()
    x = np.vstack([POINTS[0], [np.nan, 0, 0, 0.3, 0.3], [np.inf, 0, 0, 0.3, 0.3]])
    batch = Batch(log_n, log_d, log_l, 1e-3)
    value, grad = batch(x)
    assert np.isfinite(value[0]) and np.all(np.isinf(value[1:])) and np.all(grad[1:] == 0)
    assert np.isinf(batch.values(x)[1])
    v2, g2, h2 = batch.second_order(x)
    assert np.isfinite(v2[0]) and np.all(np.isinf(v2[1:])) and np.all(g2[1:] == 0) and np.all(h2[1:] == 0)


def test_batch_values_are_its_values_and_only_for_unweighted_batches():
    log_n, log_d, log_l = logs()
    batch = Batch(log_n, log_d, log_l, 1e-3)
    np.testing.assert_allclose(batch.values(POINTS), batch(POINTS)[0], rtol=1e-12)
    with pytest.raises(ValueError, match=r"^values\(\) is for unweighted batches$"):
        Batch(log_n, log_d, log_l, 1e-3, weights=np.ones((1, 36))).values(POINTS)


def test_batch_in_float32_is_close_to_float64():
    log_n, log_d, log_l = logs()
    v64 = Batch(log_n, log_d, log_l, 1e-3).values(POINTS)
    v32 = Batch(log_n, log_d, log_l, 1e-3, dtype=np.float32).values(POINTS)
    np.testing.assert_allclose(v32, v64, rtol=1e-3)


def test_batch_in_float32_works_in_float32_and_answers_in_float64():
    log_n, log_d, log_l = logs()
    batch = Batch(log_n, log_d, log_l, 1e-3, weights=np.ones((1, 36)), dtype=np.float32)
    assert batch.dtype is np.float32 and batch.weights.dtype == np.float32
    assert {a.dtype for a in (batch.log_n, batch.log_d, batch.log_l)} == {np.dtype(np.float32)}
    assert {t.dtype for t in batch._terms(POINTS)[:-1] if t.ndim == 2} | {batch._terms(POINTS)[-1].dtype} \
        == {np.dtype(np.float32)}
    value, grad = batch(POINTS, np.zeros(4, int))
    v2, g2, h2 = batch.second_order(POINTS, np.zeros(4, int))
    assert {t.dtype for t in (value, grad, v2, g2, h2)} == {np.dtype(np.float64)}


def test_batch_shift_keeps_large_exponents_finite():
    # ln A = 1000 with alpha = 50: the A term alone spans e^-36 to e^195 over the runs. Eq. (11) with
    # scipy's log-sum-exp is finite there, and so must the batch be, whose shift is computed from bounds.
    log_n, log_d, log_l = logs()
    x = np.array([[1000.0, 6.0, 0.5, 50.0, 0.3], [6.0, 1000.0, 0.5, 0.3, 50.0]])
    batch = Batch(log_n, log_d, log_l, 1e-3)
    value, _ = batch(x)
    for k, p in enumerate(x):
        assert value[k] == pytest.approx(eq11(p, log_n, log_d, log_l, 1e-3) / 1e-3, rel=1e-10)
    np.testing.assert_allclose(batch.values(x), value, rtol=1e-12)


#: Rows at which plain numpy would warn: overflow, NaN from inf - inf, log of zero, underflow.
EXTREME_ROWS = np.array([[np.inf, 0.0, 0.0, 0.3, 0.3], [np.nan, 0.0, 0.0, 0.3, 0.3], [800.0, 6.0, 0.5, -40.0, 0.3],
                         [-np.inf, -np.inf, -np.inf, 0.3, 0.3], [1e300, 1e300, 1e300, 1e300, 1e300],
                         [0.0, 0.3, 0.0, -0.3, -1e300], [-1e300, 1e154, 1e10, -50.0, -50.0],
                         [1e154, np.inf, 1e10, 1e154, -np.inf]])


def test_batch_is_silent_at_extreme_rows_even_when_numpy_would_raise():
    # Extreme trial points (an optimiser's line search goes there) give inf, not warnings or errors.
    log_n, log_d, log_l = logs()
    batch = Batch(log_n, log_d, log_l, 1e-3)
    x = np.vstack([POINTS[:1], EXTREME_ROWS])
    with np.errstate(all="raise"):
        value, grad = batch(x)
        values = batch.values(x)
        v2, g2, h2 = batch.second_order(x)
    infinite = np.isinf(value)
    assert list(infinite[:6]) == [False, True, True, False, True, False]  # inf, NaN and -inf rows
    assert np.all(grad[infinite] == 0) and np.all(g2[infinite] == 0) and np.all(h2[infinite] == 0)
    np.testing.assert_allclose(values, value, rtol=1e-12)
    np.testing.assert_allclose(v2, value, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_second_order_hessian_is_the_derivative_of_the_gradient(weighted):
    log_n, log_d, log_l = logs(noise=0.0005)  # residuals on both sides of delta
    delta = 1e-3
    w = np.tile([1.0, 2.0, 0.0], 12) if weighted else None
    batch = Batch(log_n, log_d, log_l, delta, weights=None if w is None else w[None, :])
    x = np.vstack([TRUE + [0.01, -0.01, 0.001, 0.001, -0.001], TRUE + [0.2, 0.1, -0.02, 0.01, 0.005]])
    rows = np.zeros(2, int)
    value, grad, hess = batch.second_order(x, rows)
    for k, p in enumerate(x):
        v, g = huber_objective(p, log_n, log_d, log_l, delta, weights=w)
        assert value[k] == pytest.approx(v / delta, rel=1e-9)
        np.testing.assert_allclose(grad[k], g / delta, rtol=1e-7, atol=1e-9)
        numeric = np.array([numeric_grad(lambda q: huber_objective(q, log_n, log_d, log_l, delta, w)[1][i] / delta,  # noqa: B023
                                         p.copy(), 1e-7) for i in range(5)])
        np.testing.assert_allclose(hess[k], numeric, rtol=2e-3, atol=1e-2 * np.abs(numeric).max())
        np.testing.assert_allclose(hess[k], hess[k].T, rtol=1e-10, atol=1e-8)


# ------------------------------------------------------------------ the fit's result


def _fit(**kw):
    base = dict(E=1.7, A=400.0, B=410.0, alpha=0.34, beta=0.28, objective=0.0, n_points=36, n_starts=4500,
                delta=1e-3, converged=True, message="", seconds=0.1, flops_range=(1e18, 1e20))
    return Approach3Fit(**(base | kw))


def test_fit_result_derives_logs_exponents_and_the_law():
    fit = _fit()
    assert (fit.log_A, fit.log_B, fit.log_E) == (pytest.approx(math.log(400)), pytest.approx(math.log(410)),
                                                 pytest.approx(math.log(1.7)))
    assert fit.a == pytest.approx(0.28 / 0.62) and fit.b == pytest.approx(0.34 / 0.62)
    np.testing.assert_allclose(fit.params, TRUE, rtol=1e-12)
    assert fit.law.name == "approach3-fit" and fit.law.source == "Approach 3 refit on 36 runs (delta=0.001)"
    assert fit.values() == {"E": 1.7, "A": 400.0, "B": 410.0, "alpha": 0.34, "beta": 0.28,
                            "a": pytest.approx(0.28 / 0.62), "b": pytest.approx(0.34 / 0.62), "objective": 0.0,
                            "n_points": 36, "converged": True}


def test_fit_summary_lists_the_constants_and_exponents():
    table = _fit().summary()
    assert list(table.index) == ["E", "A", "B", "alpha", "beta", "a", "b"] and table.index.name == "quantity"
    assert table["estimate"].tolist() == [1.7, 400.0, 410.0, 0.34, 0.28, pytest.approx(0.28 / 0.62),
                                          pytest.approx(0.34 / 0.62)]


def test_fit_predicts_eq2_and_plans_by_eq4():
    fit = _fit()
    assert fit.predict(1e9, 2e10) == pytest.approx(1.7 + 400 / 1e9**0.34 + 410 / 2e10**0.28, rel=1e-12)
    g = (0.34 * 400 / (0.28 * 410)) ** (1 / 0.62)
    plan = fit.plan(1e21)
    assert plan["n_params"] == pytest.approx(g * (1e21 / 6) ** (0.28 / 0.62), rel=1e-10)
    assert plan["warnings"] == []


def test_fit_plan_far_beyond_the_fitted_runs_warns():
    with pytest.warns(ExtrapolationWarning, match="decades above"):
        plan = _fit().plan(1e23)
    assert len(plan["warnings"]) == 1
    with pytest.warns(ExtrapolationWarning, match="decades below"):
        assert len(_fit().plan(1e15)["warnings"]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _fit(flops_range=()).plan(1e30)["warnings"] == []  # range unknown: no warning


def test_fit_has_no_interval_without_a_bootstrap():
    with pytest.raises(ValueError, match="no bootstrap"):
        _fit().interval("alpha")


def test_fit_recovers_a_known_law_and_records_its_runs():
    n, d, loss = law_runs()
    fit = fit_approach3(n, d, loss)
    for key, value in LAW.items():
        assert getattr(fit, key) == pytest.approx(value, rel=1e-5), key
    assert fit.converged and fit.n_points == 36 and fit.n_starts == 4500 and fit.method == "batched"
    assert fit.objective < 1e-10 and fit.delta == 1e-3 and fit.warnings == [] and fit.seconds > 0
    c = 6 * n * d
    assert fit.flops_range == (pytest.approx(c.min()), pytest.approx(c.max()))
    assert len(fit.best_start) == 5 and all(type(v) is float for v in fit.best_start)
    assert len(fit.data_digest) == 16
    other = fit_approach3(n, d, loss * 1.01)
    assert other.data_digest != fit.data_digest
    assert fit_approach3(n, d, loss, delta=2e-3).data_digest != fit.data_digest


def test_fit_with_few_descents_and_candidates_still_finds_a_clean_law():
    n, d, loss = law_runs()
    fit = fit_approach3(n, d, loss, n_candidates=2, screen_iterations=10, n_descents=64)
    assert fit.alpha == pytest.approx(0.34, rel=1e-4) and fit.beta == pytest.approx(0.28, rel=1e-4)


@pytest.mark.parametrize("name, value", [("n_candidates", 0), ("screen_iterations", -1), ("n_descents", 1.5)])
def test_fit_settings_must_be_positive_whole_numbers(name, value):
    n, d, loss = law_runs()
    with pytest.raises(ValueError) as info:
        fit_approach3(n, d, loss, **{name: value})
    assert str(info.value) == f"{name} must be a positive whole number, got {value}"


def test_fit_refuses_a_threshold_that_is_not_positive():
    n, d, loss = law_runs()
    with pytest.raises(ValueError, match="delta must be a positive finite number"):
        fit_approach3(n, d, loss, delta=0)


def test_fit_of_parameters_in_billions_warns_about_units():
    n, d, loss = law_runs()
    with pytest.warns(UnitWarning, match="n_params look like the wrong unit"):
        fit = fit_approach3(n / 1e9, d, loss)
    assert any("n_params look like the wrong unit" in w for w in fit.warnings)


def test_fit_whose_optimum_is_off_the_grid_says_so():
    n, d, loss = law_runs()
    grid = np.array([[5.0, 5.0, 0.0, a, b] for a in (0.1, 0.2, 0.25) for b in (0.1, 0.15, 0.2)])
    with pytest.warns(FitWarning, match="outside the start grid's range"):
        fit = fit_approach3(n, d, loss, grid=grid, n_candidates=4)
    assert any("alpha" in w and "outside" in w for w in fit.warnings)


def test_edge_warnings_name_the_axis_and_the_edge():
    starts = np.array([[a, 0.0, 0.0, al, 1.0] for a in (0.0, 5.0, 10.0) for al in (0.0, 0.5, 1.0)])
    notes = pfit._edge_warnings(np.array([9.0, 0.0, 0.0, 0.6, 1.0]), starts)
    assert len(notes) == 1 and notes[0].startswith("the optimum a = log A = 9 sits on the edge")
    assert "nearest start value 10 is the axis's largest" in notes[0]
    low = pfit._edge_warnings(np.array([4.0, 0.0, 0.0, 0.1, 1.0]), starts)
    assert len(low) == 1 and "alpha = 0.1" in low[0] and "value 0 is the axis's smallest" in low[0]
    out = pfit._edge_warnings(np.array([11.0, 0.0, 0.0, 0.5, 1.0]), starts)
    assert out == ["the optimum a = log A = 11 lies outside the start grid's range [0, 10]; widen the grid"]
    assert pfit._edge_warnings(np.array([5.0, 0.0, 0.0, 0.5, 1.0]), starts) == []
    two = starts[starts[:, 0] < 6]  # an axis with two values has no inner values: only "outside" counts
    assert pfit._edge_warnings(np.array([5.0, 0.0, 0.0, 0.5, 1.0]), two) == []


def test_lowest_and_distinct_best_pick_low_values_in_different_basins():
    f = np.array([3.0, np.inf, 1.0, 2.0, np.nan, 1.0])
    assert pfit._lowest(f, 3).tolist() == [2, 5, 3]
    assert pfit._lowest(f, 10).tolist() == [2, 5, 3, 0]
    x = np.zeros((6, 5))
    x[:, 0] = [3.0, 9.0, 0.0, 1.0, 5.0, 0.01]  # rows 2 and 5 share a basin (0.01 apart in a)
    assert pfit._distinct_best(x, f, 10) == [2, 3, 0]
    assert pfit._distinct_best(x, f, 2) == [2, 3]
    x[5, 0] = 0.06  # now 0.06 apart: another basin
    assert pfit._distinct_best(x, f, 10) == [2, 5, 3, 0]


def test_a_fit_that_diverged_is_refused():
    data = pfit._Data(*logs())
    with pytest.raises(ValueError, match="diverged"):
        pfit._make_fit(np.array([800.0, 1.0, 0.5, 0.3, 0.3]), 1.0, data, 1e-3, [], True, "", 0.0, (), [], "x")
    with pytest.raises(ValueError, match="diverged"):
        pfit._make_fit(np.array([1.0, np.nan, 0.5, 0.3, 0.3]), 1.0, data, 1e-3, [], True, "", 0.0, (), [], "x")
    with pytest.raises(ValueError, match="alpha = 0.3, beta = 0"):
        pfit._make_fit(np.array([1.0, 1.0, 0.5, 0.3, 0.0]), 1.0, data, 1e-3, [], True, "", 0.0, (), [], "x")
    ok = pfit._make_fit(np.array([699.0, 1.0, 0.5, 0.3, 0.3]), 1.0, data, 1e-3, [], True, "", 0.0, (), [], "x")
    assert ok.alpha == 0.3


def test_per_start_reference_fit_recovers_the_law_from_nearby_starts():
    n, d, loss = law_runs()
    grid = np.array([TRUE + [3.0, -3.0, 0.5, 0.5, 0.5], TRUE, TRUE + [-2.0, 2.0, 0.5, -0.2, 0.4]])
    fit = fit_approach3_per_start(n, d, loss, grid=grid)
    assert fit.method == "per-start" and fit.n_starts == 3 and fit.best_start == tuple(TRUE)
    assert not any("stopped before converging" in w for w in fit.warnings)
    assert "CONVERGENCE" in fit.message and 0 < fit.seconds < 600
    assert fit.alpha == pytest.approx(0.34, rel=1e-6) and fit.E == pytest.approx(1.7, rel=1e-6)
    assert fit.converged and fit.objective < 1e-12


# ------------------------------------------------------------------ the bootstrap


@pytest.mark.parametrize("level", [0, 1, -0.5, 80, True, "0.8", None])
def test_level_must_be_a_coverage(level):
    with pytest.raises(ValueError, match="level must be a coverage between 0 and 1"):
        check_level(level)


def test_level_is_returned_as_a_float():
    assert check_level(np.float32(0.5)) == 0.5 and type(check_level(np.float32(0.5))) is float


def test_resample_weights_are_multinomial_counts_seeded():
    w = pboot._resample_weights(10, 50, 3)
    assert w.shape == (50, 10) and np.all(w.sum(axis=1) == 10) and w.dtype == float
    np.testing.assert_array_equal(w, pboot._resample_weights(10, 50, 3))
    assert not np.array_equal(w, pboot._resample_weights(10, 50, 4))
    assert w.mean() == pytest.approx(1.0) and w.max() > 1  # with replacement


def test_frontier_at_is_eq4_row_by_row():
    rows = np.vstack([TRUE, [math.log(100), math.log(100), 0.0, 0.3, 0.3], [0, 0, 0, -0.1, 0.3]])
    n, d = frontier_at(rows, 1e21)
    g = (0.34 * 400 / (0.28 * 410)) ** (1 / 0.62)
    assert n[0] == pytest.approx(g * (1e21 / 6) ** (0.28 / 0.62), rel=1e-10)
    assert n[1] == pytest.approx((1e21 / 6) ** 0.5, rel=1e-10) and d[1] == pytest.approx((1e21 / 6) ** 0.5, rel=1e-10)
    assert np.isnan(n[2]) and np.isnan(d[2])
    with pytest.raises(ValueError, match="flops"):
        frontier_at(rows, 0)


@pytest.fixture(scope="module")
def noisy_boot():
    n, d, loss = law_runs(noise=0.01)
    return n, d, loss, bootstrap_approach3(n, d, loss, n_resamples=40, seed=7, flops=1e22)


def test_bootstrap_samples_hold_each_resamples_law_and_frontier(noisy_boot):
    *_, boot = noisy_boot
    s = boot.samples
    assert len(s) == 40 and boot.n_resamples == 40 and boot.seed == 7 and boot.flops == 1e22
    np.testing.assert_allclose(s["A"], np.exp(s["log_A"]))
    np.testing.assert_allclose(s["B"], np.exp(s["log_B"]))
    np.testing.assert_allclose(s["E"], np.exp(s["log_E"]))
    np.testing.assert_allclose(s["a"], s["beta"] / (s["alpha"] + s["beta"]))
    np.testing.assert_allclose(s["b"], s["alpha"] / (s["alpha"] + s["beta"]))
    g = (s["alpha"] * s["A"] / (s["beta"] * s["B"])) ** (1 / (s["alpha"] + s["beta"]))
    np.testing.assert_allclose(s["n_opt"], g * (1e22 / 6) ** s["a"], rtol=1e-9)
    np.testing.assert_allclose(s["d_opt"], (1e22 / 6) ** s["b"] / g, rtol=1e-9)
    np.testing.assert_allclose(s["tokens_per_param"], s["d_opt"] / s["n_opt"], rtol=1e-12)
    assert s["converged"].all() and boot.n_unconverged == 0 and boot.warnings == []
    assert (s["objective"] > 0).all() and s["alpha"].std() > 0
    assert boot.seconds > 0 and boot.n_polished >= 0


def test_bootstrap_intervals_are_percentiles_of_the_resamples(noisy_boot):
    *_, boot = noisy_boot
    table = boot.intervals
    assert list(table.columns) == ["estimate", "p2.5", "p10", "p50", "p90", "p97.5"]
    assert list(table.index) == ["E", "A", "B", "alpha", "beta", "a", "b", "n_opt", "d_opt", "tokens_per_param"]
    for q in table.index:
        expected = np.percentile(boot.samples[q], [2.5, 10, 50, 90, 97.5])
        np.testing.assert_allclose(table.loc[q, ["p2.5", "p10", "p50", "p90", "p97.5"]].to_numpy(float), expected)
    fit = boot.fit
    assert table.loc["alpha", "estimate"] == fit.alpha and table.loc["a", "estimate"] == pytest.approx(fit.a)
    n_opt, d_opt = fit.law.optimal_allocation(1e22)
    assert table.loc["n_opt", "estimate"] == pytest.approx(n_opt) and table.loc["d_opt", "estimate"] == pytest.approx(d_opt)
    assert table.loc["tokens_per_param", "estimate"] == pytest.approx(d_opt / n_opt)


def test_bootstrap_interval_at_any_level(noisy_boot):
    *_, boot = noisy_boot
    assert boot.interval("alpha") == pytest.approx(tuple(np.percentile(boot.samples["alpha"], [10, 90])))
    assert boot.interval("n_opt", 0.5) == pytest.approx(tuple(np.percentile(boot.samples["n_opt"], [25, 75])))
    with pytest.raises(ValueError, match="unknown quantity 'gamma'"):
        boot.interval("gamma")
    with pytest.raises(ValueError, match="level"):
        boot.interval("alpha", 1.5)


def test_bootstrap_plan_intervals_are_at_the_budget_asked(noisy_boot):
    *_, boot = noisy_boot
    plan = boot.plan(1e21, level=0.5)
    s = boot.samples
    g = (s["alpha"] * s["A"] / (s["beta"] * s["B"])) ** (1 / (s["alpha"] + s["beta"]))
    n = g * (1e21 / 6) ** s["a"]
    d = 1e21 / (6 * n)
    assert plan["level"] == 0.5
    assert plan["intervals"]["n_params"] == pytest.approx(list(np.percentile(n, [25, 75])), rel=1e-8)
    assert plan["intervals"]["n_tokens"] == pytest.approx(list(np.percentile(d, [25, 75])), rel=1e-8)
    assert plan["intervals"]["tokens_per_param"] == pytest.approx(list(np.percentile(d / n, [25, 75])), rel=1e-8)
    assert plan["n_params"] == pytest.approx(boot.fit.plan(1e21)["n_params"])
    with pytest.raises(ValueError, match="level"):
        boot.plan(1e21, level=0)


def test_bootstrap_stands_in_for_its_fit(noisy_boot):
    *_, boot = noisy_boot
    assert boot.law == boot.fit.law
    assert boot.predict(1e9, 2e10) == pytest.approx(boot.fit.predict(1e9, 2e10))
    table = boot.summary(level=0.5)
    assert list(table.index) == ["E", "A", "B", "alpha", "beta", "a", "b"] and table.index.name == "quantity"
    assert list(table.columns) == ["estimate", "low", "high"]
    assert table.loc["beta", "estimate"] == boot.fit.beta
    assert (table.loc["beta", "low"], table.loc["beta", "high"]) == pytest.approx(boot.interval("beta", 0.5))


def test_bootstrap_of_exact_runs_has_zero_width_intervals_at_the_truth():
    n, d, loss = law_runs()
    boot = bootstrap_approach3(n, d, loss, n_resamples=20, seed=1)
    assert boot.flops == 5.76e23  # Gopher's budget by default (Table 3)
    for q, value in LAW.items():
        assert boot.intervals.loc[q, "p2.5"] == pytest.approx(value, rel=1e-4)
        assert boot.intervals.loc[q, "p97.5"] == pytest.approx(value, rel=1e-4)


def test_bootstrap_is_seeded_and_chunked_without_changing_the_resamples(monkeypatch, noisy_boot):
    n, d, loss, boot = noisy_boot
    again = bootstrap_approach3(n, d, loss, n_resamples=40, seed=7, flops=1e22, fit=boot.fit)
    pd.testing.assert_frame_equal(again.samples, boot.samples)
    monkeypatch.setattr(pboot, "CHUNK", 15)  # memory bounded: 40 resamples in passes of 15, 15, 10
    chunked = bootstrap_approach3(n, d, loss, n_resamples=40, seed=7, flops=1e22, fit=boot.fit)
    np.testing.assert_allclose(chunked.samples["alpha"], boot.samples["alpha"], rtol=1e-6)
    other = bootstrap_approach3(n, d, loss, n_resamples=40, seed=8, flops=1e22, fit=boot.fit)
    assert not np.allclose(other.samples["alpha"], boot.samples["alpha"])


def test_bootstrap_takes_resamples_drawn_elsewhere_as_counts(noisy_boot):
    """Counts given are the resamples: the seed's own counts give the seed's own samples; others, other samples."""
    n, d, loss, boot = noisy_boot
    drawn = pboot._resample_weights(n.size, 40, np.random.default_rng(7))  # what seed=7 draws
    given = bootstrap_approach3(n, d, loss, counts=drawn, flops=1e22, fit=boot.fit)
    pd.testing.assert_frame_equal(given.samples, boot.samples)
    assert given.n_resamples == 40 and given.seed is None
    # a resample that is the data itself (every run once) refits to the full-data optimum
    ones = bootstrap_approach3(n, d, loss, counts=np.ones((20, n.size)), flops=1e22, fit=boot.fit)
    np.testing.assert_allclose(ones.samples["alpha"], boot.fit.alpha, rtol=1e-6)


@pytest.mark.parametrize("counts, message", [
    (np.ones((20, 35)), "one column per run"),
    (np.full((20, 36), 0.5), "whole numbers"),
    (np.eye(36)[:20] * 36, None),  # valid: each resample is one run 36 times
    (np.ones((20, 36)) * 2, "sum to the number of runs"),
    (np.ones((19, 36)), "at least 20"),
])
def test_bootstrap_counts_are_checked(noisy_boot, counts, message):
    n, d, loss, boot = noisy_boot
    if message is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert bootstrap_approach3(n, d, loss, counts=counts, fit=boot.fit).n_resamples == 20
        return
    with pytest.raises(ValueError, match=message):
        bootstrap_approach3(n, d, loss, counts=counts, fit=boot.fit)


def test_bootstrap_refuses_a_fit_of_other_runs(noisy_boot):
    n, d, loss, boot = noisy_boot
    with pytest.raises(ValueError, match="fit was made on other runs"):
        bootstrap_approach3(n, d, loss * 1.01, n_resamples=20, fit=boot.fit)
    with pytest.raises(ValueError, match="fit was made on 36 runs with delta=0.001, but 35 runs and delta=0.001"):
        bootstrap_approach3(n[1:], d[1:], loss[1:], n_resamples=20, fit=boot.fit)
    with pytest.raises(ValueError, match="but 36 runs and delta=0.002"):
        bootstrap_approach3(n, d, loss, n_resamples=20, fit=boot.fit, delta=2e-3)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_resamples": 19}, "n_resamples must be at least 20 for an interval to mean anything, got 19"),
    ({"n_resamples": 0}, "n_resamples must be a positive whole number"),
    ({"flops": -1.0}, "flops must be a positive finite number"),
])
def test_bootstrap_refuses_bad_settings(kwargs, message):
    n, d, loss = law_runs()
    with pytest.raises(ValueError, match=message):
        bootstrap_approach3(n, d, loss, **kwargs)


def test_bootstrap_flags_resamples_that_did_not_converge(monkeypatch, noisy_boot):
    n, d, loss, boot = noisy_boot
    real = pboot._polish

    def stubborn(*args, **kwargs):
        res = real(*args, **kwargs)
        res.ok = False
        return res

    monkeypatch.setattr(pboot, "_batch_converged", lambda res: np.zeros(len(res.f), bool))
    monkeypatch.setattr(pboot, "_polish", stubborn)
    with pytest.warns(FitWarning, match="20 of 20 resamples did not converge"):
        out = bootstrap_approach3(n, d, loss, n_resamples=20, seed=1, fit=boot.fit)
    assert out.n_unconverged == 20 and out.n_polished == 20 and not out.samples["converged"].any()
    assert out.warnings == ["20 of 20 resamples did not converge; they are kept and flagged"]


def test_fit_interval_message_says_how_to_bootstrap():
    with pytest.raises(ValueError) as info:
        _fit().interval("alpha")
    assert str(info.value) == ("this fit has no bootstrap, so no interval; use bootstrap_approach3(..., fit=fit) "
                               "or chinchilla_lib.fit_runs(runs, approach=3, bootstrap=K)")


def test_batch_convergence_needs_a_finite_value_and_a_small_gradient_or_the_tolerance():
    from chinchilla_lib.approaches.parametric.optimise import BatchResult

    f = np.array([1.0, 1.0, np.inf, 1.0, 1.0, 1.0])
    g = np.zeros((6, 5))
    g[3, 0] = 1e-3  # exactly the stall limit: not below it
    g[4, 0] = 9e-4
    status = np.array([0, 3, 0, 1, 1, 2])
    res = BatchResult(np.zeros((6, 5)), f, g, status, np.zeros(6, int), 6)
    assert pboot._batch_converged(res).tolist() == [True, False, False, False, True, False]


def test_resamples_the_batch_leaves_unconverged_are_finished_on_their_own_weights(monkeypatch, noisy_boot):
    n, d, loss, boot = noisy_boot
    monkeypatch.setattr(pboot, "_batch_converged", lambda res: np.zeros(len(res.f), bool))
    out = bootstrap_approach3(n, d, loss, n_resamples=20, seed=7, flops=1e22, fit=boot.fit)
    assert out.n_polished == 20 and out.samples["converged"].all()
    # every resample polished from its own counts: the same refits as the batched path, not the full-data fit
    np.testing.assert_allclose(out.samples["alpha"], boot.samples["alpha"][:20], rtol=1e-3)
    assert out.samples["alpha"].std() > 0


def test_bootstrap_defaults_are_the_replications():
    import inspect

    params = inspect.signature(bootstrap_approach3).parameters
    assert params["n_resamples"].default == 4000 and params["seed"].default == 0  # Besiroglu et al. 2024


def test_bootstrap_without_a_fit_fits_on_the_grid_given(noisy_boot):
    n, d, loss, _ = noisy_boot
    grid = np.array([TRUE, TRUE + [1.0, -1.0, 0.2, 0.1, 0.1]])
    boot = bootstrap_approach3(n, d, loss, n_resamples=20, grid=grid)
    assert boot.fit.n_starts == 2
    assert boot.intervals.index.name == "quantity"
    assert 0 < boot.seconds < 600


def test_a_polish_that_does_worse_is_not_kept(monkeypatch, noisy_boot):
    n, d, loss, boot = noisy_boot

    class Worse:
        fun, ok = 1e9, False

        def __init__(self, data, delta, x0, weights=None):
            self.x = x0 + 1.0

    monkeypatch.setattr(pboot, "_batch_converged", lambda res: np.zeros(len(res.f), bool))
    monkeypatch.setattr(pboot, "_polish", Worse)
    with pytest.warns(FitWarning):
        out = bootstrap_approach3(n, d, loss, n_resamples=20, seed=7, flops=1e22, fit=boot.fit)
    np.testing.assert_allclose(out.samples["alpha"], boot.samples["alpha"][:20], rtol=1e-3)
    assert not out.samples["converged"].any()


def test_bootstrap_refuses_a_fit_of_other_runs_word_for_word(noisy_boot):
    n, d, loss, boot = noisy_boot
    with pytest.raises(ValueError) as info:
        bootstrap_approach3(n, d, loss * 1.01, n_resamples=20, fit=boot.fit)
    assert str(info.value) == ("fit was made on other runs than the n_params, n_tokens, loss given; pass the fit of "
                               "these runs, or leave fit=None to fit them")


def test_refine_descends_a_nearby_start_to_the_optimum_by_itself():
    data = pfit._Data(*(np.log(v) for v in law_runs()))
    out = pfit._refine(data, 1e-3, np.array([TRUE + [0.05, -0.05, 0.01, 0.005, -0.005]]))
    np.testing.assert_allclose(out.x[0], TRUE, atol=1e-5)
    assert out.status[0] == 0 and out.f[0] < 1e-6


def test_points_exactly_a_basin_apart_share_it():
    x = np.zeros((2, 5))
    x[1, 0] = 0.05  # exactly _SAME_BASIN in a: the same basin
    assert pfit._distinct_best(x, np.array([1.0, 2.0]), 5) == [0]


def test_huber_computes_in_float64_whatever_the_input():
    r = np.array([1e-4, 0.3], dtype=np.float32)
    np.testing.assert_allclose(huber(r), scipy_huber(1e-3, r.astype(np.float64)), rtol=1e-12)


def test_rows_whose_terms_all_underflow_give_inf_without_a_numpy_warning():
    log_n, log_d, log_l = logs()
    x = np.array([TRUE, [1e5, 1e5, -1e5, 1e4, 1e4]])  # every term exp(-huge): ln 0 inside
    batch = Batch(log_n, log_d, log_l, 1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad, hess = batch.second_order(x)
        v2, _ = batch(x)
    assert np.isfinite(value[0]) and np.isfinite(v2[0])
    assert hess.shape == (2, 5, 5)


def test_the_screen_counts_every_evaluation():
    data = pfit._Data(*logs())
    starts = np.array([TRUE + [0.5 * k, -0.5 * k, 0.1, 0.05, 0.05] for k in range(6)])
    out = pfit._screen(data, starts, 1e-3, 5, 3)
    assert out.evaluations > len(starts)  # the grid pass plus the descents' own


@pytest.mark.parametrize("row", [[0.0, 0.0, 0.0, 50.0, 0.3], [0.0, 800.0, 0.0, 0.3, 40.0]])
def test_the_row_shift_keeps_steep_laws_finite(row):
    log_n, log_d, log_l = logs()
    x = np.array([row])
    value = Batch(log_n, log_d, log_l, 1e-3).values(x)[0]
    expected, _ = huber_objective(np.array(row), log_n, log_d, log_l)
    assert np.isfinite(value) and value == pytest.approx(expected / 1e-3, rel=1e-9)


def test_approach3_refusals_word_for_word():
    n, d, loss = law_runs()
    cases = [
        (lambda: fit_approach3(n, d, np.where(np.arange(36) == 3, np.nan, loss)),
         "loss must be positive and finite; element 3 is NaN (final loss in nats per token)"),
        (lambda: fit_approach3(np.full(36, 1e9), d, loss),
         "n_params has 1 distinct value(s) (every run has n_params = 1e+09); Approach 3 (A/N^alpha with E) needs at "
         "least 3 different n_params: add runs of other sizes"),
        (lambda: fit_approach3(n, d, loss, delta=0.0),
         "delta must be a positive finite number, got 0.0 (the Huber threshold, 1e-3 in the paper)"),
    ]
    for call, text in cases:
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == text
    sizes = np.geomspace(1e8, 1e9, 8)
    with pytest.raises(ValueError) as info:
        fit_approach3(sizes, 1e19 / (6 * sizes), 2.5 + 0.1 * np.log(sizes / 3e8) ** 2)
    assert str(info.value).endswith("add runs at other budgets, or fit Approach 2 to IsoFLOP profiles")


def test_second_order_marks_overflowing_rows_inf_without_a_warning():
    # the docstring's contract: a row where anything is not finite gets value inf (and zero derivatives),
    # silently, so that a batched optimiser can step back from it
    batch = Batch(np.log([1e7, 1e8, 1e9]), np.log([1e9, 1e10, 1e11]), np.log([3.0, 2.8, 2.5]), 1e-3)
    x = np.array([[1e308, 1e308, 0.0, 0.3, 0.3], [np.log(400.0), np.log(400.0), np.log(1.7), 0.3, 0.3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad, hess = batch.second_order(x)
    assert value[0] == np.inf and not grad[0].any() and not hess[0].any()
    assert np.isfinite(value[1]) and np.isfinite(grad[1]).all()


@pytest.mark.parametrize("fitter", [fit_approach3, fit_approach3_per_start])
def test_a_grid_with_no_finite_start_is_refused_silently_and_named(fitter):
    # alpha = -1e308 makes A / N^alpha overflow at the only start; the refusal is one ValueError naming
    # the grid, with no numpy RuntimeWarning on the way
    n = np.array([1e7, 1e8, 1e9, 1e7, 1e8, 1e9])
    d = np.array([1e9, 1e10, 1e11, 1e10, 1e11, 1e9])
    loss = np.array([3.0, 2.8, 2.5, 2.9, 2.6, 2.7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as refused:
            fitter(n, d, loss, grid=[[0.0, 0.0, 0.0, -1e308, 1e308]])
    assert str(refused.value) == ("grid: the objective is not finite at any of its starts; give starts of moderate "
                                  "size (grid=None is the paper's grid)")


def test_a_diverged_fit_names_its_three_constants_in_order():
    # from a start with log A = 1e300 the per-start L-BFGS-B cannot move; the refusal shows (log A, log B, log E)
    n = np.array([1e7, 1e8, 1e9, 1e7, 1e8, 1e9])
    d = np.array([1e9, 1e10, 1e11, 1e10, 1e11, 1e9])
    loss = np.array([3.0, 2.8, 2.5, 2.9, 2.6, 2.7])
    with pytest.raises(ValueError) as refused:
        fit_approach3_per_start(n, d, loss, grid=[[1e300, 2.0, 0.5, 0.3, 0.3]])
    assert str(refused.value) == ("the Approach 3 fit diverged (log A, log B, log E = 1e+300, 2, 0.5): these runs do "
                                  "not constrain the law; pass more runs or a narrower grid")


def test_values_and_gradients_mark_overflowing_rows_inf_without_a_warning():
    # as second_order: "inf where not finite", silently, for the cheap pass and the value-and-gradient pass
    batch = Batch(np.log([1e7, 1e8, 1e9]), np.log([1e9, 1e10, 1e11]), np.log([3.0, 2.8, 2.5]), 1e-3)
    x = np.array([[1e308, 1e308, 0.0, 0.3, 0.3], [np.log(400.0), np.log(400.0), np.log(1.7), 0.3, 0.3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = batch(x)
        cheap = batch.values(x)
    assert value[0] == np.inf and not grad[0].any() and cheap[0] == np.inf
    assert np.isfinite(value[1]) and cheap[1] == pytest.approx(value[1], rel=1e-12)


def test_a_bad_budget_is_named_with_its_unit():
    expected = "flops must be a positive finite number, got -1.0 (a compute budget in FLOPs, e.g. 5.76e23)"
    with pytest.raises(ValueError) as at:
        frontier_at([[6.0, 6.0, 0.5, 0.3, 0.3]], -1.0)
    assert str(at.value) == expected
    with pytest.raises(ValueError) as boot:
        bootstrap_approach3(*law_runs(), n_resamples=20, flops=-1.0)
    assert str(boot.value) == expected


def test_bootstrap_defaults_to_seed_zero_and_passes_delta_to_its_own_fit():
    boot = bootstrap_approach3(*law_runs(noise=0.01), n_resamples=20, delta=2e-3)
    assert boot.seed == 0 and boot.fit.delta == 2e-3
    assert boot.samples["converged"].dtype == bool and len(boot.samples) == 20


def test_a_converged_fit_reports_the_final_optimiser_and_its_time():
    import re

    fit = fit_approach3(*law_runs(noise=0.01))
    assert fit.converged
    # scipy's own words for its stop, then the largest gradient component
    assert re.fullmatch(r"L-BFGS-B: CONVERGENCE: .*[^:]; largest \|gradient\| of Eq\. \(11\)/delta \d\.\de-\d\d",
                        fit.message), fit.message
    assert 0 <= fit.seconds < 60


def test_tokens_counted_in_billions_are_flagged():
    n, d, loss = law_runs(noise=0.01)
    with pytest.warns(UnitWarning, match="^n_tokens look like the wrong unit"):
        fit = fit_approach3(n, d / 1e9, loss)
    assert any(w.startswith("n_tokens look like the wrong unit") for w in fit.warnings)


def test_edge_warnings_on_the_edge_outside_and_on_a_single_valued_axis():
    names = pfit._AXIS_NAMES
    grid = np.array([[v, v, v, v, 0.3] for v in (0.0, 1.0, 2.0)])  # the last axis holds one value only
    # on the smallest value exactly: on the edge, not outside; the single-valued axis never warns
    notes = pfit._edge_warnings(np.array([0.0, 1.0, 1.0, 1.0, 0.9]), grid)
    assert notes == [f"the optimum {names[0]} = 0 sits on the edge of the start grid (nearest start value 0 is the "
                     "axis's smallest); consider widening the grid"]
    notes = pfit._edge_warnings(np.array([1.0, 2.5, 1.0, 1.0, 0.3]), grid)
    assert notes == [f"the optimum {names[1]} = 2.5 lies outside the start grid's range [0, 2]; widen the grid"]


# ---------------------------------------------------------------- Approach 3's refusals and edges, exactly
def test_bad_sizes_and_token_counts_are_named_with_their_unit():
    n, d, loss = law_runs()
    bad_n, bad_d = n.copy(), d.copy()
    bad_n[2], bad_d[3] = -1.0, 0.0
    with pytest.raises(ValueError) as info:
        fit_approach3(bad_n, d, loss)
    assert str(info.value) == ("n_params must be positive and finite; element 2 is -1.0 "
                               "(parameters as a raw count, e.g. 7e10 for 70B)")
    with pytest.raises(ValueError) as info:
        fit_approach3(n, bad_d, loss)
    assert str(info.value) == ("n_tokens must be positive and finite; element 3 is 0.0 "
                               "(tokens as a raw count, e.g. 1.4e12 for 1.4T)")


def test_what_cannot_decide_the_law_is_named_exactly():
    n, d, loss = law_runs()
    with pytest.raises(ValueError) as info:
        pfit.decides(np.full(4, 1e8), np.full(4, 1e10), np.full(4, 2.5))
    assert str(info.value) == ("all 4 runs are identical (n_params=1e+08, n_tokens=1e+10, loss=2.5); "
                               "a law needs runs of different sizes and lengths")
    with pytest.raises(ValueError) as info:
        pfit.decides(np.array([1e8, 2e8, 4e8, 8e8]), np.array([1e10, 1e10, 2e10, 2e10]), np.array([3.0, 2.9, 2.8, 2.7]))
    assert str(info.value) == ("n_tokens has 2 distinct value(s); Approach 3 (B/D^beta with E) needs at least 3 "
                               "different n_tokens: add runs of other sizes")
    # one budget: 6ND = 6e18 for every run
    sizes = np.array([1e8, 2e8, 5e8, 1e9])
    with pytest.raises(ValueError) as info:
        pfit.decides(sizes, 1e18 / sizes, np.array([3.0, 2.9, 2.95, 3.1]))
    assert str(info.value) == ("all runs have about the same compute (6ND from 6e+18 to 6e+18 FLOPs): a single "
                               "IsoFLOP budget cannot separate N from D; add runs at other budgets, or fit "
                               "Approach 2 to IsoFLOP profiles")


def test_two_budgets_are_enough_for_approach_3():
    sizes = np.array([1e8, 2e8, 5e8])
    n = np.r_[sizes, sizes]
    d = np.r_[1e18 / sizes, 1e20 / sizes]  # 6ND = 6e18 and 6e20: two budgets, three sizes and six token counts
    pfit.decides(n, d, np.array([3.0, 2.9, 2.95, 2.5, 2.4, 2.45]))


def test_lowest_breaks_ties_by_the_starts_order():
    f = np.r_[np.full(40, 1.0), np.full(40, 0.5), np.inf]
    assert list(pfit._lowest(f, 5)) == [40, 41, 42, 43, 44]


def _alpha_beta_fit(x):
    n, d, loss = law_runs()
    return pfit._make_fit(np.asarray(x, float), 1.0, pfit._data(n, d, loss), DEFAULT_DELTA, np.zeros((1, 5)),
                          True, "m", 0.0, (0.0,) * 5, [], "batched")


def test_a_fit_must_end_on_a_law():
    for x, shown in [([5.0, 5.0, 0.5, -0.1, 0.3], "alpha = -0.1, beta = 0.3"),
                     ([5.0, 5.0, 0.5, 0.3, 0.0], "alpha = 0.3, beta = 0")]:
        with pytest.raises(ValueError) as info:
            _alpha_beta_fit(x)
        assert str(info.value) == (f"the Approach 3 fit ended at {shown}, which is no law (both must be positive): "
                                   "these runs do not decide the law; add runs over a wider range of sizes and tokens")
    with pytest.raises(ValueError, match="alpha = 0, beta = 0.3"):
        _alpha_beta_fit([5.0, 5.0, 0.5, 0.0, 0.3])


def test_divergence_is_judged_on_the_three_log_constants_beyond_700():
    assert _alpha_beta_fit([700.0, 5.0, 0.5, 0.3, 0.3]).A == pytest.approx(math.exp(700.0))
    assert _alpha_beta_fit([5.0, 5.0, 0.5, 701.0, 0.3]).alpha == 701.0  # a steep law, not a diverged one
    with pytest.raises(ValueError, match="diverged"):
        _alpha_beta_fit([700.5, 5.0, 0.5, 0.3, 0.3])


class _Result(dict):
    __getattr__ = dict.__getitem__


def _polished(monkeypatch, **result):
    def fake(fun, x0, **kwargs):
        return _Result({"x": np.asarray(x0, float), "fun": 1.0, "jac": np.zeros(5), "success": True,
                        "message": "done", **result})

    monkeypatch.setattr(pfit, "minimize", fake)
    return pfit._polish(pfit._Data(*logs()), DEFAULT_DELTA, TRUE)


def test_polish_notes_say_what_l_bfgs_b_said(monkeypatch):
    stalled = _polished(monkeypatch, success=False, jac=np.full(5, 1e-8), message="  ABNORMAL_TERMINATION_IN_LNSRCH:  ")
    assert stalled.ok
    assert stalled.note == ("converged: largest |gradient| of Eq. (11)/delta is 1.0e-08 and L-BFGS-B could not "
                            "lower the objective further (ABNORMAL_TERMINATION_IN_LNSRCH)")
    silent = _polished(monkeypatch, message="")
    assert silent.note == "L-BFGS-B: no message; largest |gradient| of Eq. (11)/delta 0.0e+00"
    colon = _polished(monkeypatch, message="MAX:")
    assert colon.note == "L-BFGS-B: MAX; largest |gradient| of Eq. (11)/delta 0.0e+00"
    nan_gradient = _polished(monkeypatch, jac=np.array([0.0, np.nan, 0.0, 0.0, 0.0]))
    assert nan_gradient.grad_max == math.inf and nan_gradient.note.endswith("delta inf")


def test_per_start_fit_notes_a_start_that_did_not_converge(monkeypatch):
    n, d, loss = law_runs()

    def fake(fun, x0, **kwargs):
        return _Result({"x": TRUE.copy(), "fun": 1e-3, "jac": np.zeros(5), "success": False, "message": "STOP"})

    monkeypatch.setattr(pfit, "minimize", fake)
    with pytest.warns(FitWarning) as caught:
        fit = fit_approach3_per_start(n, d, loss, grid=[TRUE])
    assert "L-BFGS-B stopped before converging (STOP)" in fit.warnings
    assert any(str(w.message) == "L-BFGS-B stopped before converging (STOP)" for w in caught)


def test_refine_stops_at_the_iterations_given():
    data = pfit._Data(*logs())
    far = np.array([TRUE + [2.0, -2.0, 0.3, 0.2, -0.1]])
    assert pfit._refine(data, DEFAULT_DELTA, far, max_iter=1).iterations.max() <= 1


def test_the_screen_marks_starts_it_cannot_evaluate_and_counts_whole_iterations():
    data = pfit._Data(*logs())
    starts = np.array([TRUE, TRUE + [0.3, 0.3, 0.0, 0.0, 0.0], [1e5, 1e5, 1e5, -1e3, -1e3]])
    out = pfit._screen(data, starts, DEFAULT_DELTA, 3, 1)
    assert out.status[2] == 2 and not np.isfinite(out.f[2])
    assert out.status[1] == 4  # neither descended nor broken: kept at its starting value
    assert out.iterations.dtype.kind == "i"


def test_the_screen_counts_the_grid_pass_and_the_descent():
    data = pfit._Data(*logs())
    starts = np.array([TRUE + [0.01 * k, -0.01 * k, 0.0, 0.0, 0.0] for k in range(200)])
    out = pfit._screen(data, starts, DEFAULT_DELTA, 1, 1)
    assert out.evaluations >= len(starts) + 1  # every start once, then at least one step of the one descent


def test_the_screen_is_the_documented_coarse_descent():
    from chinchilla_lib.approaches.parametric.optimise import batched_bfgs

    data = pfit._Data(*logs())
    starts = np.array([TRUE + [0.4 * k, -0.3 * k, 0.1, 0.05, -0.02] for k in range(4)])
    out = pfit._screen(data, starts, DEFAULT_DELTA, 200, 4)
    batch = Batch(data.log_n, data.log_d, data.log_l, DEFAULT_DELTA, dtype=np.float32)
    # "stops after `iterations` steps or once a step lowers its value by less than 1e-5 relative" (gradient 1e-5)
    res = batched_bfgs(batch, starts, max_iter=200, gtol=1e-5, ftol=1e-5)
    np.testing.assert_array_equal(out.x, res.x)
    np.testing.assert_array_equal(out.iterations, res.iterations)


def test_polish_keeps_numpy_quiet_at_the_extreme_points_l_bfgs_b_may_try(monkeypatch):
    # L-BFGS-B's trial steps can leave the region where Eq. (11) is finite; the objective then
    # overflows (alpha ln N beyond float range) or subtracts inf from inf.  Those values are inf or
    # NaN, which L-BFGS-B rejects, and the polish reports no numpy warning for them.
    extreme = [np.array([0.0, 0.0, 0.0, 1e308, -1e308]), np.array([np.inf, 0.0, 0.0, 0.3, 0.3])]

    def fake(fun, x0, **kwargs):
        for p in extreme:
            fun(p)
        return _Result({"x": np.asarray(x0, float), "fun": 1.0, "jac": np.zeros(5), "success": True,
                        "message": "done"})

    monkeypatch.setattr(pfit, "minimize", fake)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pfit._polish(pfit._Data(*logs()), DEFAULT_DELTA, TRUE)


def test_a_polish_that_does_better_is_kept(monkeypatch):
    n, d, loss = law_runs(noise=0.02)
    moved = TRUE + [0.01, -0.01, 0.001, 0.002, -0.001]

    class Better:
        fun, ok, note, success = -1.0, True, "L-BFGS-B: fake", True

        def __init__(self, data, delta, x0, weights=None):
            self.x = moved.copy()

    monkeypatch.setattr(pfit, "_polish", Better)
    fit = fit_approach3(n, d, loss)
    assert (fit.alpha, fit.beta) == (pytest.approx(moved[3], abs=1e-15), pytest.approx(moved[4], abs=1e-15))
    assert fit.objective == pytest.approx(-DEFAULT_DELTA)


FIT_UNDER_MUTATION = "mutants" in __import__("pathlib").Path(pfit.__file__).parts


@pytest.mark.skipif(FIT_UNDER_MUTATION, reason="mutation testing wraps every function, so the caller's frame moves")
def test_fit_warnings_point_at_the_callers_line():
    n, d, loss = law_runs(noise=0.02)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_approach3(n / 1e9, d, loss)  # parameters in billions: a unit warning
    assert caught and {w.category for w in caught} >= {UnitWarning}
    assert all(w.filename == __file__ for w in caught)


# ---------------------------------------------------------------- the bootstrap's refit, pass by pass
# The batched BFGS and scipy's polish are replaced by stand-ins whose results are set by hand, so what
# _bootstrap_optimise does with them (passes, which point is kept, the objective's scale) is checked exactly.
# delta is a power of two, so multiplying or dividing an objective by it is exact.
_DELTA_2 = 2.0 ** -10
_PASS_F = (3.0, 2.0)  # scaled Eq. (11) at the end of the first and the second batched pass


def _refit_by_hand(monkeypatch, polish_fun, *, k=3, batch_f=_PASS_F):
    from chinchilla_lib.approaches.parametric.optimise import BatchResult

    calls = []

    def passes(fun, x0, **settings):  # a batched pass that never converges: max iterations, large gradient
        calls.append((len(x0), settings))
        m = len(x0)
        return BatchResult(x0 + 0.25, np.full(m, batch_f[min(len(calls), 2) - 1]), np.ones((m, 5)), np.full(m, 3),
                           np.full(m, 300), m)

    class Polish:
        def __init__(self, data, delta, x0, weights=None):
            self.x, self.fun, self.ok = np.full(5, 9.0), polish_fun, True

    monkeypatch.setattr(pboot, "batched_bfgs", passes)
    monkeypatch.setattr(pboot, "_polish", Polish)
    data = pfit._Data(*logs())
    x, f, converged, handed = pboot._bootstrap_optimise(data, _DELTA_2, TRUE, np.ones((k, 36)))
    return calls, x, f, converged, handed


def test_the_bootstrap_refit_is_two_batched_passes_then_scipy_for_the_rest(monkeypatch):
    calls, x, f, converged, handed = _refit_by_hand(monkeypatch, 1.0)
    # "Two batched BFGS passes (the second ... only for resamples the first left unconverged)": both see all 3
    assert [m for m, _ in calls] == [3, 3]
    # each pass: at most 300 steps, gradient tolerance 1e-7 (the refine stage's), and a stall at a relative
    # decrease below 1e-13 (the stall rule _STALL_GRADIENT_OK is stated for)
    assert all(s == {"max_iter": 300, "gtol": 1e-7, "ftol": 1e-13} for _, s in calls)
    # all three go to scipy, whose lower value (1.0 < 2.0, scaled) is kept, unscaled: 1.0 * 2^-10
    assert handed == 3 and converged.tolist() == [True] * 3
    np.testing.assert_array_equal(x, np.full((3, 5), 9.0))
    assert f.dtype == np.float64 and f.tolist() == [2.0 ** -10] * 3


@pytest.mark.parametrize("polish_fun, kept", [(1.999, True), (2.0, True), (2.001, False)])
def test_the_bootstrap_keeps_scipys_point_unless_it_is_worse(monkeypatch, polish_fun, kept):
    # the second pass ended at 2.0 (scaled); scipy's point is kept when its value is not higher, a tie included
    _, x, f, _, _ = _refit_by_hand(monkeypatch, polish_fun)
    expected_x = np.full(5, 9.0) if kept else TRUE + 0.5  # two passes moved the start by 0.25 each
    np.testing.assert_array_equal(x, np.tile(expected_x, (3, 1)))
    assert f.tolist() == [(polish_fun if kept else 2.0) * 2.0 ** -10] * 3


def test_the_bootstrap_takes_scipys_point_where_the_batch_ended_on_no_value(monkeypatch):
    # a pass whose value is not finite: scipy's point is taken even though its value (NaN) compares with nothing
    _, x, f, _, _ = _refit_by_hand(monkeypatch, np.nan, batch_f=(3.0, np.inf))
    np.testing.assert_array_equal(x, np.full((3, 5), 9.0))
    assert np.isnan(f).all()


def test_bootstrap_interval_columns_are_the_2_5_10_50_90_97_5_percentiles(noisy_boot):
    # resamples 0, 1, ..., 100 (times k for the k-th quantity) and one failed (NaN) resample: numpy's linear
    # percentile of 0..100 at q is exactly q, so every column is known in advance
    from chinchilla_lib.approaches.parametric import bootstrap as pb

    *_, boot = noisy_boot
    values = np.vstack([np.arange(101.0)[:, None] * np.arange(1, 11), np.full((1, 10), np.nan)])
    samples = pd.DataFrame(values, columns=list(pb._QUANTITIES))
    table = pb._intervals(samples, boot.fit, 1e22)
    for k, name in enumerate(pb._QUANTITIES, start=1):
        assert table.loc[name, ["p2.5", "p10", "p50", "p90", "p97.5"]].tolist() == \
            pytest.approx([2.5 * k, 10.0 * k, 50.0 * k, 90.0 * k, 97.5 * k], rel=1e-12)


def test_the_polish_starts_from_the_lowest_refined_candidate_not_the_first(monkeypatch):
    # The screen's best candidate need not stay best after refinement: make the last refined candidate the
    # lowest and check that it, not the screen's first choice, is the one polished.
    import dataclasses

    real_refine, real_polish, polished, refined = pfit._refine, pfit._polish, [], []

    def refine(data, delta, x0, max_iter=None):
        out = real_refine(data, delta, x0, max_iter)
        f = out.f.copy()
        f[-1] = f.min() - 1.0
        refined.append(dataclasses.replace(out, f=f))
        return refined[-1]

    def polish(data, delta, x0, weights=None):
        polished.append(np.array(x0, dtype=float))
        return real_polish(data, delta, x0, weights)

    monkeypatch.setattr(pfit, "_refine", refine)
    monkeypatch.setattr(pfit, "_polish", polish)
    n, d, loss = law_runs(noise=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # polished from a worse point, the optimum may sit on an edge
        fit_approach3(n, d, loss)
    assert len(refined) == 1 and len(refined[0].f) > 1
    np.testing.assert_array_equal(polished[0], refined[0].x[-1])
