"""Approach 3 of Hoffmann et al. (2022): fit the parametric loss law to every run (Section 3.3).

The law L(N, D) = E + A/N^alpha + B/D^beta (Eq. 2) is fitted as in App. D.2:
minimise Eq. (11) (:mod:`.objective`) by L-BFGS from a grid of starts (alpha,
beta in {0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25}:
4,500 starts, :mod:`.grid`).

How the full grid is made fast
------------------------------
1. *Screen*: Eq. (11) is evaluated at every grid start at once (one ``(K, 5)``
   parameter array, the data held fixed, float32); the 512 lowest starts then
   descend together by a batched BFGS (:mod:`.optimise`) for a few dozen steps.
2. *Refine*: the lowest screened points in distinct basins are descended to
   convergence by a batched damped Newton method (exact 5x5 Hessians) in float64.
3. *Polish*: scipy's L-BFGS-B finishes the best refined point.

Note that in the result :class:`Approach3Fit`, ``a`` and ``b`` are the *frontier*
exponents of Eq. (4) (``beta/(alpha+beta)``, ``alpha/(alpha+beta)``); the
logarithms are ``log_A``, ``log_B``, ``log_E``.

References
----------
Hoffmann et al. 2022, Section 3.3, App. D.2 Eq. (10)-(11);
Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", arXiv 2404.10102.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from scipy.optimize import minimize

from ..._validate import (
    ExtrapolationWarning,
    UnitWarning,
    distinct,
    extrapolation_note,
    loss_falls_with_compute,
    positive_array,
    positive_int,
    positive_scalar,
    same_length,
    unit_notes,
    varying_loss,
)
from ...laws.parametric import PARAMETER_ORDER, ParametricLaw
from ...laws.plans import Plan
from ...result_cache import storable
from .grid import check_grid
from .objective import DEFAULT_DELTA, OBJECTIVE_CHUNK, Batch, ChunkedBatch, huber_objective, huber_objective_chunked
from .optimise import BatchResult, batched_bfgs, batched_newton
from .screened import N_REFINED, SCREEN_ABOVE, SCREEN_ROWS, Progress, subsample

__all__ = ["PARAMETER_ORDER", "DEFAULT_DELTA", "MIN_POINTS", "SAME_COMPUTE", "FitWarning", "Approach3Fit", "fit_approach3",
           "fit_approach3_per_start"]

#: Fewest runs accepted: five parameters need more than five points.
MIN_POINTS = 6
#: Runs whose compute 6ND all lies within this factor of the smallest are one budget: Approach 3 refuses them.
SAME_COMPUTE = 1.1

_N_HINT = "parameters as a raw count, e.g. 7e10 for 70B"
_D_HINT = "tokens as a raw count, e.g. 1.4e12 for 1.4T"
_L_HINT = "final loss in nats per token"


class FitWarning(UserWarning):
    """The fit may not be trustworthy (optimum on the grid's edge, early stop)."""


@dataclass(frozen=True)
class _Data:
    log_n: np.ndarray
    log_d: np.ndarray
    log_l: np.ndarray

    @property
    def size(self) -> int:
        return len(self.log_l)


def _data(n_params, n_tokens, loss) -> _Data:
    """Validated logarithms of the runs (ValueError naming the bad argument)."""
    arrays = {
        "n_params": positive_array("n_params", n_params, hint=_N_HINT),
        "n_tokens": positive_array("n_tokens", n_tokens, hint=_D_HINT),
        "loss": positive_array("loss", loss, hint=_L_HINT),
    }
    size = same_length(**arrays)
    if size < MIN_POINTS:
        raise ValueError(
            f"n_params, n_tokens and loss need at least {MIN_POINTS} runs to fit 5 parameters, got {size}"
        )
    decides(arrays["n_params"], arrays["n_tokens"], arrays["loss"])
    return _Data(*(np.log(v) for v in arrays.values()))


def decides(n: np.ndarray, d: np.ndarray, loss: np.ndarray) -> None:
    """Raise unless the runs can decide the five constants of Eq. (2) (ValueError naming what is missing).

    Approach 3 needs: not every run identical and a loss that varies; at least 3
    distinct model sizes and 3 distinct token counts (with two, the exponent of
    that term trades off freely against its coefficient and E); runs at more
    than one compute budget C = 6ND (on a single budget D = C/(6N), so N and D
    cannot be told apart: refused when the largest 6ND is within a factor
    :data:`SAME_COMPUTE` of the smallest, whether the runs sit on a few budgets or
    spread continuously); and a loss that falls with compute.
    """
    varying_loss(loss, n_params=n, n_tokens=d)
    why = "Approach 3 (A/N^alpha with E)"
    distinct("n_params", n, 3, why=why)
    distinct("n_tokens", d, 3, why="Approach 3 (B/D^beta with E)")
    c = 6.0 * n * d
    if c.max() <= SAME_COMPUTE * c.min():  # the spread of compute, however densely the runs fill it
        raise ValueError(f"all runs have about the same compute (6ND from {c.min():.3g} to {c.max():.3g} FLOPs): "
                         "a single IsoFLOP budget cannot separate N from D; add runs at other budgets, "
                         "or fit Approach 2 to IsoFLOP profiles")
    loss_falls_with_compute(c, loss)


def data_digest(data: _Data, delta: float) -> str:
    """A fingerprint of the runs and Huber threshold a fit was made on (to match a fit to its data)."""
    import hashlib

    h = hashlib.sha256()
    for arr in (data.log_n, data.log_d, data.log_l):
        h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
    h.update(repr(float(delta)).encode())
    return h.hexdigest()[:16]


def _delta(delta) -> float:
    return positive_scalar("delta", delta, hint="the Huber threshold, 1e-3 in the paper")



@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class Approach3Fit:
    """Result of an Approach 3 fit (Hoffmann et al. Section 3.3, App. D.2).

    Attributes
    ----------
    E, A, B, alpha, beta : float
        Constants of Eq. (2).
    a, b : float
        Frontier exponents of Eq. (4): ``beta/(alpha+beta)`` and ``alpha/(alpha+beta)``.
    log_A, log_B, log_E : float
        The optimised logarithms.
    objective : float
        Value of Eq. (11) (sum of Huber losses) at the optimum.
    n_points, n_starts : int
        Runs fitted and grid starts used.
    delta : float
        Huber threshold.
    converged : bool
        The final optimiser met its tolerance.
    message : str
        The final optimiser's message.
    seconds : float
        Wall-clock time of the fit.
    best_start : tuple of float
        The grid start (a, b, e, alpha, beta) whose descent gave the optimum.
    warnings : list of str
        Every :class:`FitWarning` issued by the fit.
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    objective: float
    n_points: int
    n_starts: int
    delta: float
    converged: bool
    message: str
    seconds: float
    best_start: tuple = ()
    warnings: list = field(default_factory=list)
    method: str = "batched"
    flops_range: tuple = ()
    data_digest: str = field(default="", compare=False)
    #: The gate's verdict (:class:`~chinchilla_lib.approaches.quality.Quality`); set by ``fit_runs``, None when not judged.
    quality: object = field(default=None, repr=False, compare=False)

    @property
    def log_A(self) -> float:
        return math.log(self.A)

    @property
    def log_B(self) -> float:
        return math.log(self.B)

    @property
    def log_E(self) -> float:
        return math.log(self.E)

    @property
    def a(self) -> float:
        """N_opt exponent beta/(alpha+beta) (Eq. 4)."""
        return self.law.a

    @property
    def b(self) -> float:
        """D_opt exponent alpha/(alpha+beta) (Eq. 4)."""
        return self.law.b

    @property
    def params(self) -> np.ndarray:
        """The optimisation vector (a, b, e, alpha, beta) = (log A, log B, log E, alpha, beta)."""
        return self.law.vector

    @property
    def law(self) -> ParametricLaw:
        """The fitted law as a :class:`~chinchilla_lib.laws.parametric.ParametricLaw`."""
        return ParametricLaw(self.E, self.A, self.B, self.alpha, self.beta, name="approach3-fit",
                             source=f"Approach 3 refit on {self.n_points} runs (delta={self.delta:g})")

    def values(self) -> dict:
        """Fitted and derived values as a plain dict (no timing: same data, same dict)."""
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta,
                "a": self.a, "b": self.b, "objective": self.objective, "n_points": self.n_points,
                "converged": self.converged}

    def summary(self):
        """A tidy table: one row per quantity (E, A, B, alpha, beta, a, b), column ``estimate``."""
        import pandas as pd

        keys = ("E", "A", "B", "alpha", "beta", "a", "b")
        table = pd.DataFrame({"estimate": [float(getattr(self, k)) for k in keys]}, index=list(keys))
        table.index.name = "quantity"
        return table

    def predict(self, n_params, n_tokens):
        """Predicted final loss L(N, D) of Eq. (2) under the fitted law (nats per token)."""
        return self.law.loss(n_params, n_tokens)

    def plan(self, flops: float) -> Plan:
        """The compute-optimal model at ``flops`` under the fitted law (:func:`chinchilla_lib.laws.parametric.plan`).

        Adds ``warnings``: a budget more than 100x outside the compute of the fitted
        runs is planned, with an :class:`~chinchilla_lib._validate.ExtrapolationWarning`.
        """
        from ...laws.parametric import plan

        out = plan(flops, self.law)
        return out.replace(warnings=_plan_notes(out.flops, self.flops_range))

    def interval(self, quantity: str, level: float = 0.8) -> tuple[float, float]:
        """Intervals need resamples: bootstrap this fit first."""
        raise ValueError("this fit has no bootstrap, so no interval; use bootstrap_approach3(..., fit=fit) "
                         "or chinchilla_lib.fit_runs(runs, approach=3, bootstrap=K)")


def _plan_notes(flops: float, fitted: tuple) -> list[str]:
    """Extrapolation warnings for a plan at ``flops`` from a law fitted to runs spanning ``fitted``."""
    note = extrapolation_note(flops, fitted) if len(fitted) == 2 else None
    if note is None:
        return []
    warnings.warn(note, ExtrapolationWarning, stacklevel=3)
    return [note]





#: L-BFGS-B settings of the final polish (on the objective divided by delta).
_POLISH_OPTIONS = {"maxiter": 20000, "maxcor": 10, "ftol": 1e-15, "gtol": 1e-10}
#: A polished optimum counts as converged when its largest scaled gradient
#: component is below this, whatever L-BFGS-B's own stopping message says.
_GRADIENT_OK = 1e-4
#: A batched descent that stalled (relative decrease below 1e-13) counts as
#: converged when its largest scaled gradient component is below this.  On the
#: 240 Figure-4 runs (200 resamples, seed 1), scipy's L-BFGS-B (ftol 1e-15) run
#: on the same resample from the same start lands within 2e-4 of such points in
#: log E, alpha and beta (4e-3 in log A, log B, along the flat valley), with an
#: objective lower by at most 3e-7 relative; the batched L-BFGS this BFGS
#: replaced did no better.
_STALL_GRADIENT_OK = 1e-3
#: Iteration cap of the refine stage.
_REFINE_ITERATIONS = 300
#: Distance per coordinate (a, b, e, alpha, beta) below which two points share a basin.
_SAME_BASIN = np.array([0.05, 0.05, 0.005, 0.005, 0.005])


def _polish(data: _Data, delta: float, x0, weights=None, chunk: int | None = None):
    """Minimise Eq. (11) from ``x0`` with scipy's L-BFGS-B in float64 (summed over blocks of ``chunk`` runs if given)."""
    objective = huber_objective if chunk is None else partial(huber_objective_chunked, chunk=chunk)

    def scaled(p):
        value, grad = objective(p, data.log_n, data.log_d, data.log_l, delta, weights)
        return value / delta, grad / delta

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        res = minimize(scaled, np.asarray(x0, dtype=float), jac=True, method="L-BFGS-B",
                       options=_POLISH_OPTIONS)
    res.grad_max = float(np.abs(res.jac).max()) if np.all(np.isfinite(res.jac)) else math.inf
    res.ok = bool(np.isfinite(res.fun) and (res.success or res.grad_max < _GRADIENT_OK))
    said = str(res.message).strip().rstrip(":") or "no message"
    if res.ok and not res.success:
        res.note = (f"converged: largest |gradient| of Eq. (11)/delta is {res.grad_max:.1e} and L-BFGS-B "
                    f"could not lower the objective further ({said})")
    else:
        res.note = f"L-BFGS-B: {said}; largest |gradient| of Eq. (11)/delta {res.grad_max:.1e}"
    return res


def _screen(data: _Data, starts: np.ndarray, delta: float, iterations: int, n_descents: int) -> BatchResult:
    """Evaluate Eq. (11) at every start at once, then descend the lowest ``n_descents`` (float32).

    The descent is a coarse batched BFGS: each start stops after
    ``iterations`` steps or once a step lowers its value by less than 1e-5
    relative.  The other starts keep their starting value (status 4, gradient
    not computed: zeros), so the result covers the whole grid.  Starts where
    Eq. (11) is not finite get value inf (status 2).
    """
    batch = Batch(data.log_n, data.log_d, data.log_l, delta, dtype=np.float32)
    f0 = batch.values(starts)
    K = len(starts)
    out = BatchResult(starts.copy(), f0, np.zeros((K, 5)), np.where(np.isfinite(f0), 4, 2), np.zeros(K, int), K)
    top = _lowest(f0, n_descents)
    res = batched_bfgs(batch, starts[top], max_iter=iterations, gtol=1e-5, ftol=1e-5)
    out.x[top], out.f[top], out.g[top], out.status[top], out.iterations[top] = (
        res.x, res.f, res.g, res.status, res.iterations)
    out.evaluations += res.evaluations
    return out


def _lowest(f: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` lowest finite values of ``f`` (fewer if fewer are finite), lowest first."""
    finite = np.flatnonzero(np.isfinite(f))
    return finite[np.argsort(f[finite], kind="stable")[:k]]


def _distinct_best(x: np.ndarray, f: np.ndarray, k: int) -> list[int]:
    """Indices of up to ``k`` lowest values of ``f`` whose points lie in different basins.

    Greedy: take the lowest remaining point, set aside every point within
    ``_SAME_BASIN`` of it, repeat.
    """
    free = np.isfinite(f)
    chosen: list[int] = []
    while free.any() and len(chosen) < k:
        i = int(np.flatnonzero(free)[np.argmin(f[free])])
        chosen.append(i)
        free &= np.any(np.abs(x - x[i]) > _SAME_BASIN, axis=1)
    return chosen


_AXIS_NAMES = ("a = log A", "b = log B", "e = log E", "alpha", "beta")


def _edge_warnings(x_best: np.ndarray, starts: np.ndarray) -> list[str]:
    """Messages for an optimum beyond the grid, or nearest to an edge value of an axis.

    On an axis with at least three distinct start values, the optimum "sits on
    the edge" when the grid value nearest to it is that axis's smallest or
    largest (so the start best placed for it is on the boundary of the grid);
    on any axis, when it lies outside the range of the starts.
    """
    notes = []
    for k, name in enumerate(_AXIS_NAMES):
        values = np.unique(starts[:, k])
        lo, hi, v = values[0], values[-1], x_best[k]
        if lo < hi and not lo <= v <= hi:
            notes.append(f"the optimum {name} = {v:.4g} lies outside the start grid's range [{lo:g}, {hi:g}]; "
                         "widen the grid")
        elif len(values) >= 3 and values[np.argmin(np.abs(values - v))] in (lo, hi):
            edge = values[np.argmin(np.abs(values - v))]
            notes.append(f"the optimum {name} = {v:.4g} sits on the edge of the start grid (nearest start "
                         f"value {edge:g} is the axis's {'smallest' if edge == lo else 'largest'}); "
                         "consider widening the grid")
    return notes


def _unit_notes(data: _Data) -> list[str]:
    """Unit warnings for the runs (issued with the fit's other warnings)."""
    return unit_notes(n_params=np.exp(data.log_n), n_tokens=np.exp(data.log_d))


def _make_fit(x, objective, data, delta, starts, converged, message, seconds, best_start,
              notes, method, stacklevel: int = 3) -> Approach3Fit:
    if not np.all(np.isfinite(x)) or np.max(x[:3]) > 700:
        raise ValueError(
            f"the Approach 3 fit diverged (log A, log B, log E = {x[0]:.4g}, {x[1]:.4g}, {x[2]:.4g}): "
            "these runs do not constrain the law; pass more runs or a narrower grid"
        )
    units = _unit_notes(data)
    for note in notes:
        warnings.warn(note, UnitWarning if note in units else FitWarning, stacklevel=stacklevel)
    if not (x[3] > 0 and x[4] > 0):
        raise ValueError(
            f"the Approach 3 fit ended at alpha = {x[3]:.4g}, beta = {x[4]:.4g}, which is no law (both must be "
            "positive): these runs do not decide the law; add runs over a wider range of sizes and tokens"
        )
    E, A, B = (math.exp(v) for v in x[[2, 0, 1]])
    c = 6.0 * np.exp(data.log_n + data.log_d)
    return Approach3Fit(E=E, A=A, B=B, alpha=float(x[3]), beta=float(x[4]), objective=float(objective),
                        n_points=data.size, n_starts=len(starts), delta=delta, converged=bool(converged),
                        message=str(message), seconds=seconds, best_start=tuple(map(float, best_start)),
                        warnings=list(notes), method=method, flops_range=(float(c.min()), float(c.max())),
                        data_digest=data_digest(data, delta))


def _refine(data: _Data, delta: float, x0: np.ndarray, max_iter: int | None = None) -> BatchResult:
    """Batched damped Newton in float64 from the screened candidates (gradient tolerance 1e-7)."""
    batch = Batch(data.log_n, data.log_d, data.log_l, delta, dtype=np.float64)
    return batched_newton(batch.second_order, x0, max_iter=max_iter or _REFINE_ITERATIONS, gtol=1e-7)


def fit_approach3(n_params, n_tokens, loss, *, delta: float = DEFAULT_DELTA, grid=None,
                  n_candidates: int = 16, screen_iterations: int = 40,
                  n_descents: int = 512, screen_above: int = SCREEN_ABOVE, screen_rows: int = SCREEN_ROWS,
                  progress: bool = True) -> Approach3Fit:
    """Fit L(N, D) = E + A/N^alpha + B/D^beta by Approach 3 (Section 3.3, App. D.2 Eq. (11)).

    Three stages, all starts at once where it matters:

    1. *screen*: Eq. (11) is evaluated at every grid start in one vectorised
       pass (float32); the ``n_descents`` lowest starts then descend together
       by a batched BFGS in numpy (float32, at most ``screen_iterations`` steps);
    2. *refine*: the ``n_candidates`` lowest descended points lying in distinct
       basins are descended to convergence by a batched damped Newton method
       (exact Hessians, float64, at most 300 steps);
    3. *polish*: the lowest refined point is finished by scipy's L-BFGS-B
       (float64, ftol 1e-15), whose verdict sets ``converged`` and ``message``.

    On the 240 Figure-4 runs about 30% of the 4,500 starts descend to the
    optimum, and the lowest-valued start is one of them; descending only the
    512 lowest makes the fit ~5x faster than descending all, and gives the
    same optimum there, on all 245 runs, on bootstrap resamples and on
    synthetic laws (see ``tests/approaches/test_parametric.py``).  On small, very noisy
    data sets the landscape is rugged and some optima are reached from a
    handful of starts only; raise ``n_descents`` (up to the grid size) for a
    more exhaustive search.

    On more than ``screen_above`` runs (default 20,000; every Approach 3 set of
    the book has fewer) the fit takes the *screened* route of :mod:`~chinchilla_lib.approaches.parametric.screened`:
    stages 1 and 2 on a deterministic subsample of ``screen_rows`` runs, then
    the best candidates refined and polished on all runs, memory bounded.  On
    1e6 synthetic runs it takes some 5 s and 0.3 GB, and on 1e4 and 1e5 runs it
    finds the optimum of the three-stage fit to 1e-9 relative in every parameter.

    Parameters
    ----------
    n_params, n_tokens, loss : 1-D arrays of the same length (at least 6)
        Parameters and tokens as raw counts, final loss in nats per token.
    delta : float, default 1e-3
        Huber threshold.
    grid : array of shape (K, 5), optional
        Starts ``(a, b, e, alpha, beta)``; default :func:`paper_grid` (4,500).
    n_candidates : int, default 16
        Screened points carried into the refine stage.
    screen_iterations : int, default 40
        Iteration cap of the screen.
    n_descents : int, default 512
        Starts descended in the screen: those with the lowest values of Eq. (11).
    screen_above : int, default :data:`~chinchilla_lib.approaches.parametric.screened.SCREEN_ABOVE` (20,000)
        More runs than this take the screened route.
    screen_rows : int, default :data:`~chinchilla_lib.approaches.parametric.screened.SCREEN_ROWS` (20,000)
        Runs in the subsample the screened route searches the grid on (drawn
        without replacement by a fixed seed, so the fit is deterministic).
    progress : bool, default True
        The screened route reports each stage on standard error, one line each;
        ``False`` keeps it silent.  Fits of at most ``screen_above`` runs never write.

    Returns
    -------
    Approach3Fit
        Its ``warnings`` list every :class:`FitWarning` also issued through
        :func:`warnings.warn`: an optimum outside the range of the starts on
        some axis, or on the grid's edge (the start value nearest to it on an
        axis with 3 or more values is that axis's smallest or largest), or a
        final optimiser that stopped early.

    Raises
    ------
    ValueError
        For NaN, non-positive or infinite inputs, mismatched lengths, fewer
        than 6 runs, or a malformed grid, or one at none of whose starts the
        objective is finite (the message names the argument).
    """
    t0 = time.perf_counter()
    data, delta, starts = _data(n_params, n_tokens, loss), _delta(delta), check_grid(grid)
    n_candidates = positive_int("n_candidates", n_candidates)
    if data.size > positive_int("screen_above", screen_above):
        return _fit_screened(data, delta, starts, n_candidates, positive_int("screen_iterations", screen_iterations),
                             positive_int("n_descents", n_descents), positive_int("screen_rows", screen_rows),
                             Progress(bool(progress), t0))
    positive_int("screen_rows", screen_rows)
    screen = _screen(data, starts, delta, positive_int("screen_iterations", screen_iterations),
                     positive_int("n_descents", n_descents))
    descended = np.flatnonzero(screen.status != 4)
    chosen = descended[_distinct_best(screen.x[descended], screen.f[descended], n_candidates)]
    if not len(chosen):
        raise ValueError("grid: the objective is not finite at any of its starts; give starts of moderate size "
                         "(grid=None is the paper's grid)")
    refined = _refine(data, delta, screen.x[chosen])
    k = int(np.argmin(refined.f))
    best = _polish(data, delta, refined.x[k])
    if not best.fun <= refined.f[k]:  # the polish never makes things worse
        best.x, best.fun = refined.x[k], refined.f[k]
    notes = _unit_notes(data) + _edge_warnings(best.x, starts)
    if not best.ok:
        notes.append(f"the optimiser stopped before converging ({best.note})")
    return _make_fit(best.x, best.fun * delta, data, delta, starts, best.ok, best.note,
                     time.perf_counter() - t0, starts[chosen[k]], notes, "batched")


def _fit_screened(data: _Data, delta: float, starts: np.ndarray, n_candidates: int, screen_iterations: int,
                  n_descents: int, screen_rows: int, report: Progress) -> Approach3Fit:
    """:func:`fit_approach3` on many runs: stages 1-2 on a subsample, Newton and polish on all (:mod:`~chinchilla_lib.approaches.parametric.screened`)."""
    size, sub = data.size, _Data(*(v[subsample(data.size, screen_rows)] for v in (data.log_n, data.log_d, data.log_l)))
    report(f"screening {len(starts):,} starts on {sub.size:,} of {size:,} runs ...")
    screen = _screen(sub, starts, delta, screen_iterations, n_descents)
    descended = np.flatnonzero(screen.status != 4)
    chosen = descended[_distinct_best(screen.x[descended], screen.f[descended], n_candidates)]
    if not len(chosen):
        raise ValueError("grid: the objective is not finite at any of its starts; give starts of moderate size "
                         "(grid=None is the paper's grid)")
    report(f"refining {len(chosen)} candidates on the {sub.size:,} runs ...")
    candidates = _refine(sub, delta, screen.x[chosen]).x
    report(f"valuing the {len(chosen)} candidates on all {size:,} runs ...")
    everything = ChunkedBatch(data.log_n, data.log_d, data.log_l, delta)
    finalists = _distinct_best(candidates, everything.values(candidates), N_REFINED)
    if not finalists:
        raise ValueError("grid: the objective on all runs is not finite at any refined start; give starts of "
                         "moderate size (grid=None is the paper's grid)")
    report(f"refining the best {len(finalists)} on all {size:,} runs ...")
    refined = batched_newton(everything.second_order, candidates[finalists], max_iter=_REFINE_ITERATIONS, gtol=1e-7)
    k = int(np.argmin(refined.f))
    report(f"polishing the best on all {size:,} runs ...")
    best = _polish(data, delta, refined.x[k], chunk=OBJECTIVE_CHUNK)
    if not best.fun <= refined.f[k]:  # the polish never makes things worse
        best.x, best.fun = refined.x[k], refined.f[k]
    notes = _unit_notes(data) + _edge_warnings(best.x, starts)
    if not best.ok:
        notes.append(f"the optimiser stopped before converging ({best.note})")
    fit = _make_fit(best.x, best.fun * delta, data, delta, starts, best.ok, best.note,
                    time.perf_counter() - report.t0, starts[chosen[finalists[k]]], notes, "screened", stacklevel=4)
    report(f"done: alpha {fit.alpha:.4f}, beta {fit.beta:.4f}")
    return fit


def fit_approach3_per_start(n_params, n_tokens, loss, *, delta: float = DEFAULT_DELTA,
                            grid=None) -> Approach3Fit:
    """Reference fit: one scipy L-BFGS-B call per grid start, as the replication did.

    Each start is minimised on the unscaled Eq. (11) with the analytic gradient
    and scipy's default tolerances; the lowest objective wins.  Some 2 ms per
    start on 240 runs, so the 4,500-start grid takes seconds: it is the
    baseline :func:`fit_approach3` is checked and timed against.
    """
    t0 = time.perf_counter()
    data, delta, starts = _data(n_params, n_tokens, loss), _delta(delta), check_grid(grid)
    best, best_i = None, -1
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, x0 in enumerate(starts):
            res = minimize(huber_objective, x0, args=(data.log_n, data.log_d, data.log_l, delta),
                           jac=True, method="L-BFGS-B")
            if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                best, best_i = res, i
    if best is None:
        raise ValueError("grid: the objective is not finite at any of its starts; give starts of moderate size "
                         "(grid=None is the paper's grid)")
    notes = _unit_notes(data) + _edge_warnings(best.x, starts)
    if not best.success:
        notes.append(f"L-BFGS-B stopped before converging ({best.message})")
    return _make_fit(best.x, best.fun, data, delta, starts, best.success, best.message,
                     time.perf_counter() - t0, starts[best_i], notes, "per-start")
