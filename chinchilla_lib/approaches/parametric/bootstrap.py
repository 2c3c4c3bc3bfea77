"""Uncertainty of the Approach 3 fit: the bootstrap over runs (Besiroglu et al. 2024; Table 2's intervals).

Each resample draws the runs with replacement (multinomial counts, used as
weights in Eq. (11), so the data arrays stay fixed) and all resamples are refitted
together by the batched BFGS of :mod:`.optimise` from the full-data optimum.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._validate import check_level, positive_int, positive_scalar
from ...laws.parametric import frontier
from ...laws.plans import Plan
from ...result_cache import storable
from ...stats import percentile_interval
from .fit import _STALL_GRADIENT_OK, Approach3Fit, FitWarning, _Data, _data, _delta, _polish, data_digest, fit_approach3
from .objective import DEFAULT_DELTA, Batch
from .optimise import BatchResult, batched_bfgs

__all__ = ["Approach3Bootstrap", "bootstrap_approach3", "frontier_at", "MIN_RESAMPLES", "CHUNK"]


_QUANTITIES = ("E", "A", "B", "alpha", "beta", "a", "b", "n_opt", "d_opt", "tokens_per_param")


def frontier_at(params, flops: float) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal (N_opt, D_opt) at ``flops`` for rows ``(a, b, e, alpha, beta)`` (Eq. 4).

    :func:`chinchilla_lib.laws.parametric.frontier` at one validated budget; rows with alpha or beta <= 0 give NaN.
    """
    c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    return frontier(params, c)


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class Approach3Bootstrap:
    """Bootstrap of an Approach 3 fit: one refit per resample of the runs.

    Attributes
    ----------
    fit : Approach3Fit
        The fit on all runs (every resample starts from its optimum).
    samples : DataFrame
        One row per resample: ``E, A, B, alpha, beta, a, b`` (``a``, ``b`` the
        Eq. (4) exponents), ``log_A, log_B, log_E``, ``n_opt, d_opt,
        tokens_per_param`` at ``flops``, ``objective`` and ``converged``.
    intervals : DataFrame
        Indexed by quantity; columns ``estimate`` (from ``fit``) and the
        percentiles ``p2.5, p10, p50, p90, p97.5`` of the resamples (numpy's
        linear interpolation).  10-90 is the paper's Table 2 convention
        (an 80% interval); 2.5-97.5 a 95% interval.
    n_resamples, seed, flops, seconds :
        As requested, and the wall-clock time.
    n_polished : int
        Resamples the batched optimiser left unconverged and scipy finished.
    n_unconverged : int
        Resamples still unconverged after that (kept, flagged in ``samples``).
    warnings : list of str
    """

    fit: Approach3Fit
    samples: pd.DataFrame
    intervals: pd.DataFrame
    n_resamples: int
    seed: int | None
    flops: float
    seconds: float
    n_polished: int
    n_unconverged: int
    warnings: list = field(default_factory=list)
    #: The gate's verdict (:class:`~chinchilla_lib.approaches.quality.Quality`); set by ``fit_runs``, None when not judged.
    quality: object = field(default=None, repr=False, compare=False)

    def interval(self, quantity: str, level: float = 0.8) -> tuple[float, float]:
        """(low, high) central percentile interval of ``quantity`` over the resamples.

        ``level`` 0.8 is the 10th-90th percentile (the paper's Table 2), 0.95 the 2.5th-97.5th;
        any level in (0, 1) is computed from ``samples`` (numpy's linear interpolation).
        """
        level = check_level(level)
        if quantity not in self.intervals.index:
            raise ValueError(f"unknown quantity {quantity!r}; choose one of {list(self.intervals.index)}")
        return percentile_interval(self.samples[quantity].to_numpy(float), level)

    # The fit's own API, so a bootstrap can stand in for its fit.
    @property
    def law(self):
        """The full-data fit's law."""
        return self.fit.law

    def predict(self, n_params, n_tokens):
        """Predicted loss L(N, D) under the full-data fit (Eq. 2)."""
        return self.fit.predict(n_params, n_tokens)

    def plan(self, flops: float, level: float = 0.8) -> Plan:
        """The full-data fit's plan at ``flops`` plus ``intervals`` of n_params, n_tokens, tokens_per_param.

        The intervals are percentiles (at ``level``) of the resamples' frontiers at ``flops`` itself,
        whatever budget the bootstrap was made for.
        """
        out = self.fit.plan(flops)
        level = check_level(level)
        n_opt, d_opt = frontier_at(self.samples[["log_A", "log_B", "log_E", "alpha", "beta"]].to_numpy(), out.flops)
        intervals = {key: list(percentile_interval(values, level))
                     for key, values in (("n_params", n_opt), ("n_tokens", d_opt), ("tokens_per_param", d_opt / n_opt))}
        return out.replace(level=level, intervals=intervals)

    def summary(self, level: float = 0.8) -> pd.DataFrame:
        """A tidy table: one row per quantity, columns ``estimate``, ``low``, ``high`` (at ``level``)."""
        keys = ("E", "A", "B", "alpha", "beta", "a", "b")
        rows = [(self.intervals.loc[k, "estimate"], *self.interval(k, level)) for k in keys]
        table = pd.DataFrame(rows, index=list(keys), columns=["estimate", "low", "high"])
        table.index.name = "quantity"
        return table


#: Resamples optimised together: bounds the bootstrap's memory (~ chunk x runs x a few dozen floats).
CHUNK = 2000
#: Fewest resamples for an interval: below this the 10th/90th percentiles rest on one or two refits.
MIN_RESAMPLES = 20


def _resample_weights(n_points: int, n_resamples: int, seed) -> np.ndarray:
    """Multinomial counts: how often each run appears in each resample (rows sum to ``n_points``).

    ``seed`` is a seed or a :class:`numpy.random.Generator` (drawn from in turn, chunk by chunk).
    """
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_points, np.full(n_points, 1.0 / n_points), size=n_resamples).astype(float)


def _bootstrap_optimise(data: _Data, delta: float, start: np.ndarray, weights: np.ndarray):
    """Refit every resample at once from ``start``; scipy finishes the stragglers.

    Two batched BFGS passes (the second, with fresh curvature estimates, only
    for resamples the first left unconverged); whatever is still unconverged
    goes to scipy's L-BFGS-B one by one.  Returns points ``(K, 5)``,
    objectives ``(K,)`` (unscaled), converged flags and the number handed to scipy.
    """
    x = np.tile(start, (len(weights), 1))
    f = np.full(len(weights), np.inf)
    converged = np.zeros(len(weights), bool)
    todo = np.arange(len(weights))
    for _ in range(2):
        batch = Batch(data.log_n, data.log_d, data.log_l, delta, weights=weights[todo])
        res = batched_bfgs(batch, x[todo], max_iter=300, gtol=1e-7, ftol=1e-13)
        x[todo], f[todo] = res.x, res.f * delta
        converged[todo] = _batch_converged(res)
        todo = todo[~converged[todo]]
    for k in todo:
        fix = _polish(data, delta, x[k], weights[k])
        if fix.fun * delta <= f[k] or not np.isfinite(f[k]):
            x[k], f[k] = fix.x, fix.fun * delta
        converged[k] = fix.ok
    return x, f, converged, len(todo)


def _batch_converged(res: BatchResult) -> np.ndarray:
    """Rows that met gtol, or stalled (relative decrease < ftol) with a small gradient."""
    grad_max = np.abs(res.g).max(axis=1)
    return np.isfinite(res.f) & ((res.status == 0) | ((res.status == 1) & (grad_max < _STALL_GRADIENT_OK)))


def _samples_frame(x: np.ndarray, f: np.ndarray, converged: np.ndarray, flops: float) -> pd.DataFrame:
    n_opt, d_opt = frontier_at(x, flops)
    alpha, beta = x[:, 3], x[:, 4]
    return pd.DataFrame({
        "E": np.exp(x[:, 2]), "A": np.exp(x[:, 0]), "B": np.exp(x[:, 1]), "alpha": alpha, "beta": beta,
        "a": beta / (alpha + beta), "b": alpha / (alpha + beta),
        "log_A": x[:, 0], "log_B": x[:, 1], "log_E": x[:, 2],
        "n_opt": n_opt, "d_opt": d_opt, "tokens_per_param": d_opt / n_opt,
        "objective": f, "converged": converged,
    })


def _intervals(samples: pd.DataFrame, fit: Approach3Fit, flops: float) -> pd.DataFrame:
    n_opt, d_opt = fit.law.optimal_allocation(flops)
    estimate = {"E": fit.E, "A": fit.A, "B": fit.B, "alpha": fit.alpha, "beta": fit.beta, "a": fit.a,
                "b": fit.b, "n_opt": n_opt, "d_opt": d_opt, "tokens_per_param": d_opt / n_opt}
    q = np.nanpercentile(samples[list(_QUANTITIES)].to_numpy(), [2.5, 10, 50, 90, 97.5], axis=0)
    table = pd.DataFrame(q.T, index=list(_QUANTITIES), columns=["p2.5", "p10", "p50", "p90", "p97.5"])
    table.insert(0, "estimate", [estimate[k] for k in _QUANTITIES])
    table.index.name = "quantity"
    return table


def _check_counts(counts, n_points: int) -> np.ndarray:
    """``counts`` as a float array (K, n_points) of whole numbers >= 0 whose rows sum to ``n_points`` (ValueError)."""
    arr = np.asarray(counts, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != n_points:
        raise ValueError(f"counts must have one row per resample and one column per run ({n_points}), "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or (arr < 0).any() or (arr != np.round(arr)).any():
        raise ValueError("counts must be whole numbers >= 0 (how often each run appears in each resample)")
    if (arr.sum(axis=1) != n_points).any():
        raise ValueError(f"every row of counts must sum to the number of runs ({n_points}): a resample draws "
                         "as many runs as there are")
    if arr.shape[0] < MIN_RESAMPLES:
        raise ValueError(f"counts holds {arr.shape[0]} resamples; an interval needs at least {MIN_RESAMPLES}")
    return arr


def bootstrap_approach3(n_params, n_tokens, loss, *, n_resamples: int = 4000, seed: int | None = 0,
                        flops: float | None = None, delta: float = DEFAULT_DELTA, grid=None,
                        fit: Approach3Fit | None = None, counts=None) -> Approach3Bootstrap:
    """Bootstrap percentile intervals for the Approach 3 fit (Section 3.3; Besiroglu et al. 2024).

    Each resample draws the runs with replacement (``numpy.random.default_rng(seed)``;
    counts from a multinomial, used as weights in Eq. (11)) and is refitted
    from the full-data optimum.  All resamples are optimised together by the
    batched BFGS; any whose gradient is not small afterwards is finished by
    scipy's L-BFGS-B on its own.

    Parameters
    ----------
    n_params, n_tokens, loss : 1-D arrays
        As for :func:`fit_approach3`.
    n_resamples : int, default 4000
    seed : int or None, default 0
        Same seed, same resamples, same intervals.
    flops : float, optional
        Budget for N_opt, D_opt and tokens per parameter; default Gopher's
        (``paper_value("gopher.flops")``, Hoffmann et al. Table 3).
    delta, grid :
        Passed to :func:`fit_approach3` for the full-data fit.
    fit : Approach3Fit, optional
        A full-data fit to reuse (it must come from the same data).
    counts : array of shape (K, n), optional
        The resamples drawn elsewhere, as how often each run appears in each (whole numbers,
        each row summing to the number of runs n): resamples within IsoFLOP budgets, or the
        same resamples as another estimator's so that the two are paired.  ``n_resamples``
        and ``seed`` are then not used (K is ``n_resamples``, at least 20).

    Returns
    -------
    Approach3Bootstrap
        ``intervals`` holds the 2.5/10/50/90/97.5 percentiles of E, A, B,
        alpha, beta, a, b, N_opt, D_opt and D_opt/N_opt.
    """
    t0 = time.perf_counter()
    data, delta = _data(n_params, n_tokens, loss), _delta(delta)
    if counts is not None:
        counts = _check_counts(counts, data.size)
        n_resamples, seed = counts.shape[0], None
    n_resamples = positive_int("n_resamples", n_resamples)
    if n_resamples < MIN_RESAMPLES:
        raise ValueError(f"n_resamples must be at least {MIN_RESAMPLES} for an interval to mean anything, "
                         f"got {n_resamples}; the replication uses 4000")
    if flops is None:
        from ...datasets import paper_value

        flops = paper_value("gopher.flops")
    flops = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    if fit is None:
        fit = fit_approach3(n_params, n_tokens, loss, delta=delta, grid=grid)
    elif fit.n_points != data.size or fit.delta != delta:
        raise ValueError(f"fit was made on {fit.n_points} runs with delta={fit.delta:g}, but {data.size} runs "
                         f"and delta={delta:g} were given")
    elif fit.data_digest and fit.data_digest != data_digest(data, delta):
        raise ValueError("fit was made on other runs than the n_params, n_tokens, loss given; pass the fit of "
                         "these runs, or leave fit=None to fit them")
    rng = np.random.default_rng(seed)
    parts = []
    for start in range(0, n_resamples, CHUNK):  # memory bounded whatever n_resamples
        size = min(CHUNK, n_resamples - start)
        weights = counts[start:start + size] if counts is not None else _resample_weights(data.size, size, rng)
        parts.append(_bootstrap_optimise(data, delta, fit.params, weights))
    x, f, converged = (np.concatenate([p[i] for p in parts]) for i in range(3))
    n_polished = sum(p[3] for p in parts)
    samples = _samples_frame(x, f, converged, flops)
    notes = []
    n_bad = int((~converged).sum())
    if n_bad:
        notes.append(f"{n_bad} of {n_resamples} resamples did not converge; they are kept and flagged")
        warnings.warn(notes[-1], FitWarning, stacklevel=2)
    return Approach3Bootstrap(fit=fit, samples=samples, intervals=_intervals(samples, fit, flops),
                              n_resamples=n_resamples, seed=seed, flops=flops,
                              seconds=time.perf_counter() - t0, n_polished=n_polished,
                              n_unconverged=n_bad, warnings=notes)
