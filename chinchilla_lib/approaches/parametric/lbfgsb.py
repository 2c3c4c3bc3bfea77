"""Approach 3 by scipy's L-BFGS-B from every grid start, with the loss scale and tolerances as settings.

App. D.2 of Hoffmann et al. minimises Eq. (11), a *sum* of Huber terms, with
L-BFGS from a grid of starts.  Besiroglu et al. (2024) attribute the paper's
constants to an optimiser that stopped early because of the loss scale.  This
module makes that testable: :func:`fit_lbfgsb_grid` runs scipy's L-BFGS-B from
every start on Eq. (11) divided by the number of runs (``scale="mean"``) or as
printed (``scale="sum"``), with scipy's default tolerances unless told
otherwise, and reports where and why each descent stopped.

Why the scale matters: L-BFGS-B stops when a step lowers the objective by less
than ``ftol * max(|f|, 1)`` or when the largest projected gradient component is
below ``gtol``.  Eq. (11) is of order 1e-3 on the Figure 4 runs, and its mean of
order 1e-6, so with scipy's defaults (``ftol`` 2.2e-9, ``gtol`` 1e-5) both tests
are met long before the minimum: ``max(|f|, 1)`` is 1, and a mean's gradient is
the sum's divided by the number of runs.

References
----------
Hoffmann et al. 2022, App. D.2 Eq. (11); Besiroglu et al. 2024, "Chinchilla
Scaling: A replication attempt", arXiv 2404.10102; scipy.optimize.minimize
(method L-BFGS-B).  Used in the chapter *Approach 3*.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ...laws.parametric import ParametricLaw
from ...result_cache import storable
from .fit import _Data, _data, _delta
from .grid import check_grid
from .objective import DEFAULT_DELTA, Batch, huber_objective

__all__ = ["SCIPY_FTOL", "SCIPY_GTOL", "SCALES", "OBJECTIVES", "LbfgsbDescent", "LbfgsbGridFit", "descend_lbfgsb",
           "fit_lbfgsb_grid", "tolerance_table"]

#: scipy's default ``ftol`` of L-BFGS-B (``factr`` 1e7 times the machine epsilon).
SCIPY_FTOL = 1e7 * float(np.finfo(float).eps)
#: scipy's default ``gtol`` of L-BFGS-B.
SCIPY_GTOL = 1e-5
#: The loss scales: Eq. (11) divided by the number of runs, or as printed.
SCALES = ("mean", "sum")
#: Two implementations of Eq. (11) and its gradient, equal up to rounding error:
#: :func:`~chinchilla_lib.approaches.parametric.objective.huber_objective` (one point, the default)
#: and the vectorised :class:`~chinchilla_lib.approaches.parametric.objective.Batch` of ``fit_approach3``.
OBJECTIVES = ("huber_objective", "Batch")
_MAXITER = 15000
_COLUMNS = ("log_A", "log_B", "log_E", "alpha", "beta")


def _one_blas_thread():
    """Run scipy's L-BFGS-B with one BLAS thread: its tiny 5x5 products stall on a threaded BLAS
    when the machine is busy (some 1 ms per iteration instead of microseconds)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _stop_reason(message: str) -> str:
    """``ftol``, ``gtol``, ``maxiter`` or ``other``, from scipy's L-BFGS-B message."""
    text = str(message).upper()
    if "REDUCTION OF F" in text:
        return "ftol"
    if "PROJECTED GRADIENT" in text:
        return "gtol"
    if "ITERATIONS" in text or "EVALUATIONS" in text:
        return "maxiter"
    return "other"


def _scale_of(scale: str, n_points: int) -> float:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES} (Eq. 11 divided by the number of runs, or as printed), "
                         f"got {scale!r}")
    return float(n_points) if scale == "mean" else 1.0


def _tolerance(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number (scipy's default is "
                         f"{SCIPY_FTOL if name == 'ftol' else SCIPY_GTOL:g}), got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return v


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class LbfgsbDescent:
    """One L-BFGS-B descent of Eq. (11) from one start.

    Attributes
    ----------
    start, x : tuple of float
        Start and end ``(log A, log B, log E, alpha, beta)``.
    objective : float
        Eq. (11) as printed (the *sum* of Huber terms) at the end, whatever the scale minimised.
    gradient_max : float
        Largest absolute component of the gradient of that sum at the end.
    iterations, evaluations : int
        L-BFGS-B iterations and objective evaluations.
    stopped_by : str
        ``"ftol"`` (relative reduction of the objective), ``"gtol"`` (projected
        gradient), ``"maxiter"`` or ``"other"``.
    message : str
        scipy's message.
    path : DataFrame or None
        With ``record_path``: one row per iterate (``iteration``, ``objective``
        as a sum, ``E, A, B, alpha, beta, a``), the start first.
    """

    start: tuple
    x: tuple
    objective: float
    gradient_max: float
    iterations: int
    evaluations: int
    stopped_by: str
    message: str
    path: pd.DataFrame | None = None

    @property
    def law(self) -> ParametricLaw:
        """The end point as a law (``a`` its frontier exponent beta/(alpha+beta))."""
        log_a, log_b, log_e, alpha, beta = self.x
        return ParametricLaw(math.exp(log_e), math.exp(log_a), math.exp(log_b), alpha, beta,
                             name="lbfgsb-descent", source="L-BFGS-B descent of Eq. (11)")


def _equation_11(data: _Data, delta: float, objective: str):
    """Eq. (11) as a sum and its gradient at one point, by the chosen implementation (:data:`OBJECTIVES`)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if objective == "huber_objective":
        return lambda p: huber_objective(p, data.log_n, data.log_d, data.log_l, delta)
    batch = Batch(data.log_n, data.log_d, data.log_l, delta)  # scaled by 1/delta: undo it

    def batched(p):
        value, grad = batch(np.asarray(p, dtype=float)[None, :])
        return float(value[0]) * delta, grad[0] * delta

    return batched


def _descend(data: _Data, delta: float, start, scale: float, ftol: float, gtol: float,
             record_path: bool = False, objective: str = "huber_objective") -> LbfgsbDescent:
    args = (data.log_n, data.log_d, data.log_l, delta)
    equation_11 = _equation_11(data, delta, objective)

    def scaled(p):
        value, grad = equation_11(p)
        return value / scale, grad / scale

    x0 = np.asarray(start, dtype=float)
    iterates = [x0.copy()] if record_path else None
    callback = (lambda xk: iterates.append(np.array(xk, dtype=float))) if record_path else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        res = minimize(scaled, x0, jac=True, method="L-BFGS-B", callback=callback,
                       options={"ftol": ftol, "gtol": gtol, "maxiter": _MAXITER})
        value, grad = huber_objective(res.x, *args)
    path = None
    if record_path:
        rows = []
        for i, p in enumerate(iterates):
            law_value = huber_objective(p, *args)[0]
            rows.append({"iteration": i, "objective": law_value, "E": math.exp(p[2]), "A": math.exp(p[0]),
                         "B": math.exp(p[1]), "alpha": p[3], "beta": p[4],
                         "a": p[4] / (p[3] + p[4]) if p[3] + p[4] != 0 else math.nan})
        path = pd.DataFrame(rows)
    grad_max = float(np.abs(grad).max()) if np.all(np.isfinite(grad)) else math.inf
    return LbfgsbDescent(start=tuple(map(float, x0)), x=tuple(map(float, res.x)), objective=float(value),
                         gradient_max=grad_max, iterations=int(res.nit), evaluations=int(res.nfev),
                         stopped_by=_stop_reason(res.message), message=str(res.message), path=path)


def descend_lbfgsb(n_params, n_tokens, loss, start, *, scale: str = "mean", ftol: float = SCIPY_FTOL,
                   gtol: float = SCIPY_GTOL, delta: float = DEFAULT_DELTA,
                   record_path: bool = False, objective: str = "huber_objective") -> LbfgsbDescent:
    """One scipy L-BFGS-B descent of Eq. (11) (divided by the number of runs when ``scale="mean"``).

    Parameters
    ----------
    n_params, n_tokens, loss : 1-D arrays of the same length (at least 6)
        Parameters and tokens as raw counts, final loss in nats per token.
    start : 5 floats
        ``(log A, log B, log E, alpha, beta)``, e.g. a row of :func:`~chinchilla_lib.approaches.parametric.paper_grid`.
    scale : ``"mean"`` or ``"sum"``
        Minimise Eq. (11) divided by the number of runs, or Eq. (11) as printed.
    ftol, gtol : float
        L-BFGS-B's tolerances; scipy's defaults (:data:`SCIPY_FTOL`, :data:`SCIPY_GTOL`).
    delta : float
        Huber threshold (1e-3 in the paper).
    record_path : bool
        Keep every iterate (see :class:`LbfgsbDescent`).
    objective : ``"huber_objective"`` or ``"Batch"``
        Which implementation of Eq. (11) the descent calls (:data:`OBJECTIVES`).  The two agree
        to rounding error, so a converged descent ends at the same point with either; a
        descent that stops early can end at points that differ in the third decimal.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11); Besiroglu et al. 2024.
    """
    data, delta = _data(n_params, n_tokens, loss), _delta(delta)
    start = check_grid(start)
    if len(start) != 1:
        raise ValueError("start must be one point (log A, log B, log E, alpha, beta); for a grid use fit_lbfgsb_grid")
    with _one_blas_thread():
        return _descend(data, delta, start[0], _scale_of(scale, data.size), _tolerance("ftol", ftol),
                        _tolerance("gtol", gtol), record_path, objective)


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class LbfgsbGridFit:
    """The best of one L-BFGS-B descent per grid start (lowest Eq. (11) at the end).

    Attributes
    ----------
    best : LbfgsbDescent
        The descent that ends lowest (its ``start`` is the grid start that gave it).
    best_index : int
        Its row in the grid.
    descents : DataFrame
        One row per start: ``log_A, log_B, log_E, alpha, beta`` at the end, ``a``,
        ``objective`` (the sum), ``iterations``, ``stopped_by``.  Rows where the
        objective is not finite keep ``objective`` inf.
    scale, ftol, gtol, delta : as requested
    n_points, n_starts : int
    """

    best: LbfgsbDescent
    best_index: int
    descents: pd.DataFrame = field(repr=False)
    scale: str
    ftol: float
    gtol: float
    delta: float
    n_points: int
    n_starts: int

    @property
    def law(self) -> ParametricLaw:
        return self.best.law

    def summary(self) -> dict:
        """``E, A, B, alpha, beta, a, objective, iterations, evaluations, stopped_by, gradient_max``
        of the best descent, with ``alpha_over_beta`` (alpha > beta as printed?) and
        ``n_alpha_above_beta`` (descents, among those with a finite end, that end with alpha > beta)."""
        law, b = self.law, self.best
        finite = self.descents[np.isfinite(self.descents["objective"])]
        return {"E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta, "a": law.a,
                "objective": b.objective, "iterations": b.iterations, "evaluations": b.evaluations,
                "stopped_by": b.stopped_by, "gradient_max": b.gradient_max,
                "n_finite": len(finite), "n_alpha_above_beta": int((finite["alpha"] > finite["beta"]).sum())}


def fit_lbfgsb_grid(n_params, n_tokens, loss, *, scale: str = "mean", ftol: float = SCIPY_FTOL,
                    gtol: float = SCIPY_GTOL, delta: float = DEFAULT_DELTA, grid=None) -> LbfgsbGridFit:
    """App. D.2's procedure with scipy's L-BFGS-B: one descent per grid start, the lowest end wins.

    With the defaults (the mean of the Huber terms, scipy's tolerances, the
    paper's 4,500 starts) this is the procedure Besiroglu et al. (2024) suspect
    behind the printed constants.  About 5 ms per start on 240 runs.

    Parameters
    ----------
    n_params, n_tokens, loss : 1-D arrays of the same length (at least 6)
    scale, ftol, gtol, delta :
        As :func:`descend_lbfgsb`.
    grid : array of shape (K, 5), optional
        Starts ``(log A, log B, log E, alpha, beta)``; default the paper's 4,500
        (:func:`~chinchilla_lib.approaches.parametric.paper_grid`).

    Returns
    -------
    LbfgsbGridFit

    Raises
    ------
    ValueError
        Bad data, scale, tolerances or grid (the message names the argument).
    RuntimeError
        If the objective is not finite at the end of any descent.

    References
    ----------
    Hoffmann et al. 2022, App. D.2; Besiroglu et al. 2024.
    """
    data, delta, starts = _data(n_params, n_tokens, loss), _delta(delta), check_grid(grid)
    s, ftol, gtol = _scale_of(scale, data.size), _tolerance("ftol", ftol), _tolerance("gtol", gtol)
    rows, best, best_i = [], None, -1
    with _one_blas_thread():
        for i, x0 in enumerate(starts):
            d = _descend(data, delta, x0, s, ftol, gtol)
            f = d.objective if np.isfinite(d.objective) else math.inf
            rows.append((*d.x, f, d.iterations, d.stopped_by))
            if f < math.inf and (best is None or f < best.objective):
                best, best_i = d, i
    if best is None:
        raise RuntimeError("the objective is not finite at the end of any descent; check the data and grid")
    frame = pd.DataFrame(rows, columns=[*_COLUMNS, "objective", "iterations", "stopped_by"])
    with np.errstate(invalid="ignore", divide="ignore"):
        frame.insert(5, "a", frame["beta"] / (frame["alpha"] + frame["beta"]))
    return LbfgsbGridFit(best=best, best_index=best_i, descents=frame, scale=scale, ftol=ftol, gtol=gtol,
                         delta=delta, n_points=data.size, n_starts=len(starts))


def tolerance_table(n_params, n_tokens, loss, start, settings, *, delta: float = DEFAULT_DELTA) -> pd.DataFrame:
    """Where one start's descent stops under several loss scales and tolerances.

    Parameters
    ----------
    n_params, n_tokens, loss : 1-D arrays
    start : 5 floats
    settings : sequence of (scale, ftol, gtol)
    delta : float

    Returns
    -------
    DataFrame
        One row per setting: ``scale, ftol, gtol, stopped_by, iterations, E, alpha,
        beta, a, objective`` (Eq. (11) as a sum) and ``gradient_max`` (of the sum).
    """
    rows = []
    for scale, ftol, gtol in settings:
        d = descend_lbfgsb(n_params, n_tokens, loss, start, scale=scale, ftol=ftol, gtol=gtol, delta=delta)
        law = d.law
        rows.append({"scale": scale, "ftol": float(ftol), "gtol": float(gtol), "stopped_by": d.stopped_by,
                     "iterations": d.iterations, "E": law.E, "alpha": law.alpha, "beta": law.beta, "a": law.a,
                     "objective": d.objective, "gradient_max": d.gradient_max})
    return pd.DataFrame(rows)
