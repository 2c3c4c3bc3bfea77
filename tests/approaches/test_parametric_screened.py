"""The screened route of the Approach 3 fit (Hoffmann et al. 2022, App. D.2) on many runs.

The threshold is lowered by ``screen_above`` so a few thousand runs take the
route meant for millions.  Expected values come from elsewhere: the three-stage
fit on all runs (the route the book's fits take), the known law the runs are
drawn from, and Eq. (11) written out with scipy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import huber as scipy_huber
from scipy.special import logsumexp

from chinchilla_lib.approaches import parametric
from chinchilla_lib.approaches.parametric.objective import Batch, ChunkedBatch, huber_objective, huber_objective_chunked
from chinchilla_lib.approaches.parametric.screened import SCREEN_ABOVE, SCREEN_ROWS

#: The generating law (Hoffmann et al. Eq. 2 with constants near the paper's).
TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
ROWS = 3000


def synthetic_runs(size: int = ROWS, noise: float = 0.01, seed: int = 0):
    """Runs on 26 IsoFLOP budgets (1e17 to 1e22 FLOPs), sizes within a decade of 20 tokens per parameter."""
    rng = np.random.default_rng(seed)
    c = np.geomspace(1e17, 1e22, 26)[rng.integers(0, 26, size)]
    n = np.sqrt(c / 120.0) * 10.0 ** rng.uniform(-1.0, 1.0, size)
    d = c / (6.0 * n)
    clean = TRUE["E"] + TRUE["A"] / n ** TRUE["alpha"] + TRUE["B"] / d ** TRUE["beta"]
    return n, d, clean * np.exp(rng.normal(0.0, noise, size))


def eq11(p, n, d, loss, delta=parametric.DEFAULT_DELTA):
    """Eq. (11) written out with scipy: sum_i Huber(LSE(a - alpha ln N, b - beta ln D, e) - ln L)."""
    a, b, e, alpha, beta = p
    log_n, log_d = np.log(n), np.log(d)
    lse = logsumexp(np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)]), axis=0)
    return float(np.sum(scipy_huber(delta, lse - np.log(loss))))


@pytest.fixture(scope="module")
def runs():
    return synthetic_runs()


@pytest.fixture(scope="module")
def full(runs):
    fit = parametric.fit_approach3(*runs)
    assert fit.method == "batched"  # 3,000 runs: below the threshold, the three-stage fit on all runs
    return fit


@pytest.fixture(scope="module")
def screened(runs):
    return parametric.fit_approach3(*runs, screen_above=1000, screen_rows=500, progress=False)


def test_defaults_leave_the_books_sets_on_the_full_route():
    assert SCREEN_ABOVE == 20_000 and SCREEN_ROWS == 20_000
    kw = parametric.fit_approach3.__kwdefaults__
    assert kw["screen_above"] == SCREEN_ABOVE and kw["screen_rows"] == SCREEN_ROWS


def test_screened_route_finds_the_optimum_of_the_full_route(runs, full, screened):
    assert screened.method == "screened" and screened.n_points == ROWS
    np.testing.assert_allclose(screened.params, full.params, rtol=1e-6, atol=0)
    assert screened.objective == pytest.approx(full.objective, rel=1e-9)
    assert screened.converged and screened.warnings == full.warnings == []


def test_screened_optimum_beats_the_generating_law_and_lies_near_it(runs, screened):
    truth = [math.log(TRUE["A"]), math.log(TRUE["B"]), math.log(TRUE["E"]), TRUE["alpha"], TRUE["beta"]]
    assert screened.objective == pytest.approx(eq11(screened.params, *runs), rel=1e-12)
    assert screened.objective < eq11(truth, *runs)
    assert abs(screened.alpha - TRUE["alpha"]) < 0.01 and abs(screened.beta - TRUE["beta"]) < 0.01
    assert abs(screened.E - TRUE["E"]) < 0.02


def test_screened_route_is_deterministic(runs, screened):
    again = parametric.fit_approach3(*runs, screen_above=1000, screen_rows=500, progress=False)
    assert again.values() == screened.values() and again.best_start == screened.best_start


def test_a_tiny_subsample_only_picks_starts_the_optimum_is_on_all_runs(runs, full):
    fit = parametric.fit_approach3(*runs, screen_above=1000, screen_rows=60, progress=False)
    np.testing.assert_allclose(fit.params, full.params, rtol=1e-6, atol=0)


def test_the_threshold_is_inclusive(runs):
    n, d, loss = (v[:1000] for v in runs)
    at = parametric.fit_approach3(n, d, loss, screen_above=1000, screen_rows=500, progress=False)
    above = parametric.fit_approach3(n, d, loss, screen_above=999, screen_rows=500, progress=False)
    assert (at.method, above.method) == ("batched", "screened")
    assert at.values() == parametric.fit_approach3(n, d, loss).values()


def test_progress_goes_to_stderr_on_the_screened_route_only(runs, capsys):
    n, d, loss = (v[:1000] for v in runs)
    parametric.fit_approach3(n, d, loss, screen_above=999, screen_rows=500)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == ""
    assert lines[0].startswith("Approach 3: screening 4,500 starts on 500 of 1,000 runs ...")
    assert all(line.startswith("Approach 3: ") and line.endswith(" s)") for line in lines)
    assert [line.split(" ...")[0].split(": ")[1].split()[0] for line in lines[:-1]] == [
        "screening", "refining", "valuing", "refining", "polishing"]
    assert lines[-1].startswith("Approach 3: done: alpha ")
    parametric.fit_approach3(n, d, loss, screen_above=999, screen_rows=500, progress=False)
    parametric.fit_approach3(n, d, loss)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("kwargs, match", [({"screen_above": 0}, "screen_above"), ({"screen_rows": 0}, "screen_rows"),
                                           ({"screen_above": 10, "screen_rows": 2.5}, "screen_rows")])
def test_bad_screen_options_raise_a_clear_error(runs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        parametric.fit_approach3(*(v[:100] for v in runs), **kwargs)


@pytest.mark.parametrize("chunk", [1, 7, 999, 1000, 4096])
def test_chunked_objective_is_eq11_with_its_gradient(runs, full, chunk):
    n, d, loss = (v[:1000] for v in runs)
    logs = np.log(n), np.log(d), np.log(loss)
    value, grad = huber_objective_chunked(full.params, *logs, chunk=chunk)
    assert value == pytest.approx(eq11(full.params, n, d, loss), rel=1e-12)
    one_pass = huber_objective(full.params, *logs)
    if chunk >= 1000:  # one block: the very same call
        assert value == one_pass[0] and np.array_equal(grad, one_pass[1])
    np.testing.assert_allclose(grad, one_pass[1], rtol=1e-9, atol=1e-12)
    weights = np.arange(1000) % 3
    wv, wg = huber_objective_chunked(full.params, *logs, weights=weights, chunk=chunk)
    tiled = [np.repeat(v, weights) for v in logs]
    rv, rg = huber_objective(full.params, *tiled)
    assert wv == pytest.approx(rv, rel=1e-12)
    np.testing.assert_allclose(wg, rg, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("chunk", [7, 999, 4096])
def test_chunked_batch_sums_eq11_its_gradient_and_hessian_over_blocks(runs, full, chunk):
    n, d, loss = (v[:1000] for v in runs)
    logs = np.log(n), np.log(d), np.log(loss)
    x = np.vstack([full.params, full.params + [0.3, -0.2, 0.05, 0.02, -0.01], [0.0, 0.0, 0.0, -1e308, 0.0]])
    blocks = ChunkedBatch(*logs, parametric.DEFAULT_DELTA, chunk=chunk)
    value, grad, hess = blocks.second_order(x)
    ref_value, ref_grad, ref_hess = Batch(*logs, parametric.DEFAULT_DELTA).second_order(x)
    for i in range(2):
        assert value[i] == pytest.approx(eq11(x[i], n, d, loss) / parametric.DEFAULT_DELTA, rel=1e-12)
    np.testing.assert_allclose(value[:2], ref_value[:2], rtol=1e-12)
    np.testing.assert_allclose(grad[:2], ref_grad[:2], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(hess[:2], ref_hess[:2], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(blocks.values(x[:2]), value[:2], rtol=1e-12)
    assert np.isinf(ref_value[2]) and np.isinf(value[2]) and np.isinf(blocks.values(x)[2])  # overflow: inf
    assert not grad[2].any() and not hess[2].any()
