"""Approach 3 of Hoffmann et al. (2022): fit the parametric loss law to every run.

The law L(N, D) = E + A/N^alpha + B/D^beta (Eq. 2) is fitted as in Section 3.3
and App. D.2 Eq. (11): minimise, over (a, b, e, alpha, beta) with A = exp a,
B = exp b, E = exp e, the SUM over runs of

    Huber_delta( LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i ),

with delta = 1e-3, using L-BFGS from a grid of starts (alpha, beta in
{0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25}: 4,500
starts).  Huber is scipy's: r^2/2 for |r| <= delta, delta (|r| - delta/2)
otherwise.

How this module makes the full grid fast
----------------------------------------
1. *Screen*: Eq. (11) is evaluated at every grid start at once (one ``(K, 5)``
   parameter array, the data held fixed, float32); the 512 lowest starts then
   descend together by a batched BFGS written in numpy for a few dozen steps.
2. *Refine*: the lowest screened points in distinct basins are descended to
   convergence by a batched damped Newton method (exact 5x5 Hessians) in float64.
3. *Polish*: scipy's L-BFGS-B finishes the best refined point.

The batched BFGS, with per-resample weights (multinomial counts, so the data
arrays stay fixed), also drives :func:`bootstrap_approach3`.  The hot loops
make no BLAS matrix product (einsum instead): on a busy machine a threaded
BLAS stalls them.

The parameter vector throughout is ``(a, b, e, alpha, beta)`` =
``(log A, log B, log E, alpha, beta)``, the replication's order.  Note that
in the result :class:`Approach3Fit`, ``a`` and ``b`` are the *frontier*
exponents of Eq. (4) (``beta/(alpha+beta)``, ``alpha/(alpha+beta)``); the
logarithms are ``log_A``, ``log_B``, ``log_E``.

References
----------
Hoffmann et al. 2022, Section 3.3, App. D.2 Eq. (10)-(11);
Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", arXiv 2404.10102.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ._validate import positive_array, positive_int, positive_scalar, same_length
from .laws import ParametricLaw

__all__ = [
    "PARAMETER_ORDER",
    "DEFAULT_DELTA",
    "FitWarning",
    "Approach3Fit",
    "Approach3Bootstrap",
    "huber",
    "huber_objective",
    "make_grid",
    "paper_grid",
    "fit_approach3",
    "fit_approach3_per_start",
    "bootstrap_approach3",
    "frontier_at",
]

#: Order of the optimisation vector: (log A, log B, log E, alpha, beta).
PARAMETER_ORDER = ("log_A", "log_B", "log_E", "alpha", "beta")
#: Huber threshold of App. D.2.
DEFAULT_DELTA = 1e-3
#: Fewest runs accepted: five parameters need more than five points.
MIN_POINTS = 6

_N_HINT = "parameters as a raw count, e.g. 7e10 for 70B"
_D_HINT = "tokens as a raw count, e.g. 1.4e12 for 1.4T"
_L_HINT = "final loss in nats per token"


class FitWarning(UserWarning):
    """The fit may not be trustworthy (optimum on the grid's edge, early stop)."""


# ---------------------------------------------------------------------------
# The objective (App. D.2 Eq. (11))
# ---------------------------------------------------------------------------

def huber(r, delta: float = DEFAULT_DELTA):
    """Huber loss of residuals ``r``, as :func:`scipy.special.huber`.

    ``r**2 / 2`` where ``|r| <= delta``, else ``delta * (|r| - delta / 2)``.
    Written as ``c * (r - c/2)`` with ``c = clip(r, -delta, delta)``.
    """
    r = np.asarray(r, dtype=float)
    c = np.clip(r, -delta, delta)
    return c * (r - 0.5 * c)


def huber_objective(params, log_n, log_d, log_l, delta: float = DEFAULT_DELTA,
                    weights=None) -> tuple[float, np.ndarray]:
    """App. D.2 Eq. (11): the summed Huber loss of log-loss residuals, and its gradient.

    Parameters
    ----------
    params : array of 5 floats
        ``(a, b, e, alpha, beta)`` with A = exp a, B = exp b, E = exp e.
    log_n, log_d, log_l : 1-D arrays
        Natural logarithms of parameters, tokens and loss of each run.
    delta : float
        Huber threshold (1e-3 in the paper).
    weights : 1-D array, optional
        Per-run multiplicities (bootstrap counts); default all ones.

    Returns
    -------
    value : float
        ``sum_i w_i Huber_delta(LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i)``
        (a sum, not a mean).
    grad : ndarray, shape (5,)
        Its exact gradient with respect to ``params``.

    Notes
    -----
    No input checks: this is the inner loop of every optimiser here.  The
    log-sum-exp is computed stably (the largest term is factored out).
    """
    a, b, e, alpha, beta = (float(v) for v in params)
    u1 = a - alpha * log_n
    u2 = b - beta * log_d
    m = np.maximum(np.maximum(u1, u2), e)
    w1, w2, w3 = np.exp(u1 - m), np.exp(u2 - m), np.exp(e - m)
    s = w1 + w2 + w3
    r = m + np.log(s) - log_l
    c = np.clip(r, -delta, delta)
    h = c * (r - 0.5 * c)
    if weights is not None:
        h = h * weights
        c = c * weights
    c = c / s
    g1, g2 = c * w1, c * w2
    grad = np.array([g1.sum(), g2.sum(), (c * w3).sum(), -np.dot(g1, log_n), -np.dot(g2, log_d)])
    return float(h.sum()), grad


class _Batch:
    """Eq. (11) for many parameter vectors at once: rows of a ``(K, 5)`` array.

    Each row may carry its own run weights (the bootstrap).  Values and
    gradients are divided by ``delta`` so the optimiser sees numbers of order
    one (the summed absolute log-residual).  The log-sum-exp is shifted per row
    by an upper bound of the row's exponents, computed from the parameters
    alone, so no ``(K, n)`` maximum is needed.  The exponentials are computed
    once and serve both the value and the gradient.
    """

    #: Rows evaluated per pass: the (256, n) work arrays stay in the L2 cache;
    #: 512-row passes were about 1.8x slower per row on 240 runs.
    chunk = 256

    def __init__(self, log_n, log_d, log_l, delta: float, *, weights=None, dtype=np.float64):
        self.delta = float(delta)
        self.dtype = dtype
        self.log_n, self.log_d, self.log_l = (np.asarray(v, dtype=dtype) for v in (log_n, log_d, log_l))
        self._neg_log_n, self._neg_log_d = -self.log_n, -self.log_d
        self._n_range = (float(np.min(log_n)), float(np.max(log_n)))
        self._d_range = (float(np.min(log_d)), float(np.max(log_d)))
        self.weights = None if weights is None else np.asarray(weights, dtype=dtype)

    def _shift(self, x: np.ndarray) -> np.ndarray:
        a, b, e, alpha, beta = x.T
        lo_n, hi_n = self._n_range
        lo_d, hi_d = self._d_range
        bound = np.maximum(a - alpha * lo_n, a - alpha * hi_n)
        bound = np.maximum(bound, np.maximum(b - beta * lo_d, b - beta * hi_d))
        return np.maximum(bound, e)

    def __call__(self, x: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled values ``(K,)`` and gradients ``(K, 5)`` at the rows of ``x``; inf where not finite.

        ``rows`` are the batch rows the parameter rows belong to (they pick
        the run weights); default ``0, 1, ..., K-1``.
        """
        x = np.asarray(x, dtype=np.float64)
        rows = np.arange(len(x)) if rows is None else rows
        if len(x) <= self.chunk:
            value, grad = self._evaluate(x, rows)
        else:
            parts = [self._evaluate(x[i:i + self.chunk], rows[i:i + self.chunk])
                     for i in range(0, len(x), self.chunk)]
            value, grad = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        bad = ~np.isfinite(value + grad.sum(axis=1))  # NaN or inf anywhere in the row
        if bad.any():
            value[bad], grad[bad] = np.inf, 0.0
        return value, grad

    def values(self, x: np.ndarray) -> np.ndarray:
        """Scaled values ``(K,)`` only, inf where not finite: the cheap pass over a whole grid.

        About half the work of :meth:`__call__` (no gradient).  Unweighted batches only.
        """
        if self.weights is not None:
            raise ValueError("values() is for unweighted batches")
        x = np.asarray(x, dtype=np.float64)
        value = np.empty(len(x))
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            for i in range(0, len(x), self.chunk):
                r = self._terms(x[i:i + self.chunk])[-1]
                c = np.clip(r, -self.delta, self.delta)
                r -= 0.5 * c
                value[i:i + self.chunk] = np.einsum("ij,ij->i", c, r)
        value /= self.delta
        value[~np.isfinite(value)] = np.inf
        return value

    def _terms(self, x: np.ndarray):
        """Exponentials ``w1, w2`` ``(k, n)`` and ``w3`` ``(k,)`` of the three terms, shifted by the
        row bound; their sum ``s`` and the log-residuals ``r = LSE - log L``, both ``(k, n)``."""
        md = self._shift(x).astype(self.dtype)
        a, b, e, alpha, beta = x.astype(self.dtype).T
        w1 = np.multiply.outer(alpha, self._neg_log_n)
        w1 += (a - md)[:, None]
        np.exp(w1, out=w1)
        w2 = np.multiply.outer(beta, self._neg_log_d)
        w2 += (b - md)[:, None]
        np.exp(w2, out=w2)
        w3 = np.exp(e - md)
        s = w1 + w2
        s += w3[:, None]
        r = np.log(s)
        r += md[:, None]
        r -= self.log_l
        return w1, w2, w3, s, r

    def _evaluate(self, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            w1, w2, w3, s, r = self._terms(x)
            c = np.clip(r, -self.delta, self.delta)
            r -= 0.5 * c  # Huber = c (r - c/2)
            if self.weights is not None:
                c *= self.weights[rows]
            value = np.einsum("ij,ij->i", c, r)
            c /= s
            w1 *= c  # the gradient reuses the exponentials of the value
            w2 *= c
            # einsum, not BLAS: a threaded BLAS call per step stalls on a shared machine
            grad = np.empty((len(x), 5))
            grad[:, 0] = w1.sum(axis=1)
            grad[:, 1] = w2.sum(axis=1)
            grad[:, 2] = c.sum(axis=1) * w3
            grad[:, 3] = np.einsum("ij,j->i", w1, self._neg_log_n)
            grad[:, 4] = np.einsum("ij,j->i", w2, self._neg_log_d)
        return value.astype(np.float64) / self.delta, grad / self.delta

    def second_order(self, x: np.ndarray, rows: np.ndarray | None = None):
        """Scaled values ``(k,)``, gradients ``(k, 5)`` and Hessians ``(k, 5, 5)`` (for small batches).

        With ``psi = clip(r, -delta, delta)`` the Huber derivative and ``v = dr/dparams
        = (p1, p2, p3, -p1 log N, -p2 log D)`` (``p`` the softmax weights of the three
        terms), the Hessian is ``sum_i (1{|r_i| < delta} - psi_i) v_i v_i^T + psi_i D_i``,
        where ``D_i`` holds ``p1 (1, -log N, log^2 N)`` in the (a, alpha) block,
        ``p2 (1, -log D, log^2 D)`` in the (b, beta) block and ``p3`` at (e, e).
        Rows where anything is not finite get value inf.
        """
        x = np.asarray(x, dtype=np.float64)
        rows = np.arange(len(x)) if rows is None else rows
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            w1, w2, w3, s, r = self._terms(x)
            psi = np.clip(r, -self.delta, self.delta)
            r -= 0.5 * psi
            curv = (np.abs(r) < 0.5 * self.delta).astype(self.dtype)  # |r| < delta before the shift
            if self.weights is not None:
                psi *= self.weights[rows]
                curv *= self.weights[rows]
            value = np.einsum("ij,ij->i", psi, r)
            w1 /= s
            w2 /= s
            v = np.stack([w1, w2, w3[:, None] / s, w1 * self._neg_log_n, w2 * self._neg_log_d], axis=1)
            grad = np.einsum("kin,kn->ki", v, psi)
            hess = np.einsum("kin,kjn->kij", v * (curv - psi)[:, None, :], v)
            # sum_i psi_i D_i: all its entries but the two log^2 ones are gradient components
            for i, j, k in ((0, 0, 0), (1, 1, 1), (2, 2, 2), (0, 3, 3), (3, 0, 3), (1, 4, 4), (4, 1, 4)):
                hess[:, i, j] += grad[:, k]
            hess[:, 3, 3] += np.einsum("kn,kn,n->k", psi, v[:, 3], self._neg_log_n)
            hess[:, 4, 4] += np.einsum("kn,kn,n->k", psi, v[:, 4], self._neg_log_d)
        value, grad, hess = (np.asarray(t, dtype=np.float64) / self.delta for t in (value, grad, hess))
        bad = ~np.isfinite(value + grad.sum(axis=1) + hess.sum(axis=(1, 2)))
        if bad.any():
            value[bad], grad[bad], hess[bad] = np.inf, 0.0, 0.0
        return value, grad, hess


# ---------------------------------------------------------------------------
# Batched optimisers: BFGS (screen, bootstrap) and damped Newton (refine)
# ---------------------------------------------------------------------------

@dataclass
class _BatchResult:
    x: np.ndarray          # (K, 5) final points
    f: np.ndarray          # (K,) scaled objective
    g: np.ndarray          # (K, 5) scaled gradient
    status: np.ndarray     # (K,) 0 gradient, 1 no progress, 2 line search failed, 3 max iterations,
    #                        4 not descended (screen: value at the start only, gradient zeros)
    iterations: np.ndarray  # (K,) iterations used
    evaluations: int       # row-evaluations in total


def _line_search(fun, x, f, d, gd, rows, c1=1e-4, shrink=0.25, max_backtracks=30):
    """Backtracking Armijo search from step 1 for every row; returns new point, f, g, failed."""
    t = np.ones(len(x))
    xn = x + d
    fn, gn = fun(xn, rows)
    evaluations = len(x)
    fail = ~(fn <= f + c1 * t * gd)
    for _ in range(max_backtracks):
        if not fail.any():
            break
        i = np.flatnonzero(fail)
        t[i] *= shrink
        xn[i] = x[i] + t[i, None] * d[i]
        fn[i], gn[i] = fun(xn[i], rows[i])
        evaluations += len(i)
        fail[i] = ~(fn[i] <= f[i] + c1 * t[i] * gd[i])
    return xn, fn, gn, fail, evaluations


class _InverseHessians:
    """One dense BFGS inverse-Hessian approximation ``(p, p)`` per row.

    With five parameters a full matrix is cheaper to keep than limited-memory
    pairs: one product gives the direction, a rank-two update absorbs a step.
    A row without curvature information yet (``fresh``) takes a unit-length
    steepest-descent step; its first accepted pair sets the scale
    ``H = (s.y / y.y) I`` before the update, as in Nocedal & Wright (6.20).
    """

    def __init__(self, rows: int, p: int):
        self.H = np.zeros((rows, p, p))
        self.fresh = np.ones(rows, bool)
        self._eye = np.eye(p)

    def direction(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Directions ``-H g`` and slopes ``g.d``; fresh or uphill rows restart on steepest descent."""
        d = -np.einsum("kij,kj->ki", self.H, g)
        gd = np.einsum("ij,ij->i", g, d)
        restart = self.fresh | ~(gd < 0)
        if restart.any():
            norm = np.maximum(np.linalg.norm(g[restart], axis=1), 1e-300)
            d[restart] = -g[restart] / norm[:, None]
            gd[restart] = -norm
            self.fresh |= restart
        return d, gd

    def update(self, s: np.ndarray, y: np.ndarray) -> None:
        """BFGS update of every row whose pair satisfies the curvature condition ``s.y > 0``.

        Rows failing it keep their matrix (their ``rho`` is zero, so the update adds nothing).
        """
        sy = np.einsum("ij,ij->i", s, y)
        yy = np.einsum("ij,ij->i", y, y)
        ok = sy > 1e-10 * yy
        scale = self.fresh & ok
        if scale.any():
            self.H[scale] = (sy[scale] / yy[scale])[:, None, None] * self._eye
            self.fresh[scale] = False
        rho = np.divide(1.0, sy, out=np.zeros_like(sy), where=ok)
        Hy = np.einsum("kij,kj->ki", self.H, y)
        Hys = Hy[:, :, None] * s[:, None, :]
        Hys += Hys.transpose(0, 2, 1)
        Hys *= rho[:, None, None]
        self.H -= Hys
        self.H += (rho * (1.0 + rho * np.einsum("ki,ki->k", y, Hy)))[:, None, None] * (s[:, :, None] * s[:, None, :])

    def keep(self, live: np.ndarray) -> None:
        self.H, self.fresh = self.H[live], self.fresh[live]


def _batched_bfgs(fun: Callable, x0: np.ndarray, *, max_iter: int = 500,
                  gtol: float = 1e-6, ftol: float = 1e-10) -> _BatchResult:
    """Minimise ``fun`` from every row of ``x0`` at once, each row on its own (BFGS, Armijo backtracking).

    ``fun(x, rows)`` returns values ``(k,)`` and gradients ``(k, 5)`` for the
    parameter rows ``x`` belonging to batch rows ``rows``.  A row stops when its
    largest gradient component is below ``gtol`` (status 0), when an iteration
    lowers its value by less than ``ftol * max(|f|, 1)`` (1), when its line
    search fails (2) or after ``max_iter`` iterations (3).  Stopped rows leave
    the working arrays, so late iterations are cheap.
    """
    K, p = x0.shape
    out = _BatchResult(x0.astype(float).copy(), np.full(K, np.inf), np.zeros((K, p)),
                       np.full(K, 2), np.zeros(K, int), K)
    rows = np.arange(K)
    x = out.x.copy()
    f, g = fun(x, rows)
    live = np.isfinite(f)  # a start where Eq. (11) is not finite is left out (status 2)
    rows, x, f, g = rows[live], x[live], f[live], g[live]
    hessians = _InverseHessians(len(rows), p)
    for it in range(1, max_iter + 1):
        if len(rows) == 0:
            break
        d, gd = hessians.direction(g)
        xn, fn, gn, failed, n_eval = _line_search(fun, x, f, d, gd, rows)
        out.evaluations += n_eval
        xn[failed], fn[failed], gn[failed] = x[failed], f[failed], g[failed]
        hessians.update(xn - x, gn - g)
        stalled = (f - fn) <= ftol * np.maximum(np.abs(fn), 1.0)
        x, f, g = xn, fn, gn
        status = np.select([np.abs(g).max(axis=1) < gtol, failed, stalled], [0, 2, 1],
                           default=3 if it == max_iter else -1)
        done = status >= 0
        if done.any():
            r = rows[done]
            out.x[r], out.f[r], out.g[r], out.status[r], out.iterations[r] = (
                x[done], f[done], g[done], status[done], it)
            live = ~done
            rows, x, f, g = rows[live], x[live], f[live], g[live]
            hessians.keep(live)
    return out


def _newton_steps(g: np.ndarray, hess: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """Damped Newton steps ``-(|H| + damping * max|eig| I)^-1 g`` for every row.

    ``|H|`` is the Hessian with its eigenvalues replaced by their absolute
    values, so a step never climbs along a direction of negative curvature;
    the damping shortens steps towards scaled steepest descent.
    """
    eig, Q = np.linalg.eigh(hess)
    scale = np.abs(eig)
    scale += damping[:, None] * scale.max(axis=1, keepdims=True) + 1e-300
    return -np.einsum("kij,kj->ki", Q, np.einsum("kji,kj->ki", Q, g) / scale)


def _batched_newton(batch: _Batch, x0: np.ndarray, *, max_iter: int = 200, gtol: float = 1e-7,
                    max_damping: float = 1e8) -> _BatchResult:
    """Minimise Eq. (11) from every row of ``x0`` at once by damped Newton (Levenberg-Marquardt style).

    Each row takes the step of :func:`_newton_steps`; a step that lowers the
    value is taken and the row's damping divided by 4, otherwise the row stays
    put and its damping is multiplied by 4.  A row stops when its largest
    gradient component is below ``gtol`` (status 0), when even a damping of
    ``max_damping`` finds no lower point (2: a minimum to rounding error, or a
    kink), or after ``max_iter`` iterations (3).  One evaluation per
    iteration; meant for a few rows (it forms ``(k, 5, n)`` arrays).
    """
    K, p = x0.shape
    out = _BatchResult(np.asarray(x0, dtype=float).copy(), np.full(K, np.inf), np.zeros((K, p)),
                       np.full(K, 2), np.zeros(K, int), K)
    rows = np.arange(K)
    x = out.x.copy()
    f, g, hess = batch.second_order(x, rows)
    live = np.isfinite(f)
    rows, x, f, g, hess = rows[live], x[live], f[live], g[live], hess[live]
    out.f[rows], out.g[rows] = f, g
    damping = np.full(len(rows), 1e-3)
    for it in range(1, max_iter + 1):
        if len(rows) == 0:
            break
        xn = x + _newton_steps(g, hess, damping)
        fn, gn, hn = batch.second_order(xn, rows)
        out.evaluations += len(rows)
        better = fn < f
        x[better], f[better], g[better], hess[better] = xn[better], fn[better], gn[better], hn[better]
        damping = np.where(better, np.maximum(damping * 0.25, 1e-12), damping * 4.0)
        converged = np.abs(g).max(axis=1) < gtol
        stuck = damping > max_damping
        done = converged | stuck | (it == max_iter)
        if done.any():
            r = rows[done]
            out.x[r], out.f[r], out.g[r], out.iterations[r] = x[done], f[done], g[done], it
            out.status[r] = np.where(converged[done], 0, np.where(stuck[done], 2, 3))
            keep = ~done
            rows, x, f, g, hess, damping = rows[keep], x[keep], f[keep], g[keep], hess[keep], damping[keep]
    return out


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

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
    return _Data(*(np.log(v) for v in arrays.values()))


def _delta(delta) -> float:
    return positive_scalar("delta", delta, hint="the Huber threshold, 1e-3 in the paper")


def make_grid(alpha: Sequence[float] = (0, 0.5, 1, 1.5, 2), beta: Sequence[float] = (0, 0.5, 1, 1.5, 2),
              e: Sequence[float] = (-1, -0.5, 0, 0.5, 1), a: Sequence[float] = (0, 5, 10, 15, 20, 25),
              b: Sequence[float] = (0, 5, 10, 15, 20, 25)) -> np.ndarray:
    """Cartesian grid of starts, one row ``(a, b, e, alpha, beta)`` per start.

    The defaults are the grid of Hoffmann et al. App. D.2 (4,500 starts), in
    the order the replication loops over them (alpha outermost, then beta, e, a, b).
    """
    axes = {"alpha": alpha, "beta": beta, "e": e, "a": a, "b": b}
    values = {}
    for name, axis in axes.items():
        arr = np.atleast_1d(np.asarray(axis, dtype=float))
        if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(f"grid axis {name} must be a non-empty list of finite numbers, got {axis!r}")
        values[name] = arr
    rows = itertools.product(*values.values())
    return np.array([[a_, b_, e_, al, be] for al, be, e_, a_, b_ in rows], dtype=float)


def paper_grid() -> np.ndarray:
    """The 4,500 starts of App. D.2 as rows ``(a, b, e, alpha, beta)`` (a new array each call).

    alpha, beta in {0, 0.5, ..., 2}; e in {-1, -0.5, ..., 1}; a, b in {0, 5, ..., 25}.
    """
    return _PAPER_GRID.copy()


_PAPER_GRID = make_grid()


def _grid(grid) -> np.ndarray:
    if grid is None:
        return paper_grid()
    try:
        arr = np.asarray(grid, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("grid must be an array of shape (K, 5): rows (a, b, e, alpha, beta)") from None
    if arr.ndim == 1 and arr.size == 5:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 5 or len(arr) == 0:
        raise ValueError(f"grid must have shape (K, 5) with rows (a, b, e, alpha, beta), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("grid must contain only finite numbers")
    return arr


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

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
        return np.array([self.log_A, self.log_B, self.log_E, self.alpha, self.beta])

    @property
    def law(self) -> ParametricLaw:
        """The fitted law as a :class:`~chinchilla_lib.laws.ParametricLaw`."""
        return ParametricLaw(self.E, self.A, self.B, self.alpha, self.beta, name="approach3-fit",
                             source=f"Approach 3 refit on {self.n_points} runs (delta={self.delta:g})")

    def summary(self) -> dict:
        """Fitted and derived values as a plain dict."""
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta,
                "a": self.a, "b": self.b, "objective": self.objective, "n_points": self.n_points,
                "converged": self.converged, "seconds": self.seconds}


# ---------------------------------------------------------------------------
# The fit
# ---------------------------------------------------------------------------

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


def _polish(data: _Data, delta: float, x0, weights=None):
    """Minimise Eq. (11) from ``x0`` with scipy's L-BFGS-B in float64."""
    def scaled(p):
        value, grad = huber_objective(p, data.log_n, data.log_d, data.log_l, delta, weights)
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


def _screen(data: _Data, starts: np.ndarray, delta: float, iterations: int, n_descents: int) -> _BatchResult:
    """Evaluate Eq. (11) at every start at once, then descend the lowest ``n_descents`` (float32).

    The descent is a coarse batched BFGS: each start stops after
    ``iterations`` steps or once a step lowers its value by less than 1e-5
    relative.  The other starts keep their starting value (status 4, gradient
    not computed: zeros), so the result covers the whole grid.  Starts where
    Eq. (11) is not finite get value inf (status 2).
    """
    batch = _Batch(data.log_n, data.log_d, data.log_l, delta, dtype=np.float32)
    f0 = batch.values(starts)
    K = len(starts)
    out = _BatchResult(starts.copy(), f0, np.zeros((K, 5)), np.where(np.isfinite(f0), 4, 2), np.zeros(K, int), K)
    top = _lowest(f0, n_descents)
    res = _batched_bfgs(batch, starts[top], max_iter=iterations, gtol=1e-5, ftol=1e-5)
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


def _make_fit(x, objective, data, delta, starts, converged, message, seconds, best_start,
              notes, method) -> Approach3Fit:
    for note in notes:
        warnings.warn(note, FitWarning, stacklevel=3)
    if not np.all(np.isfinite(x)) or np.max(x[:3]) > 700:
        raise ValueError(
            f"the Approach 3 fit diverged (log A, log B, log E = {x[0]:.4g}, {x[1]:.4g}, {x[2]:.4g}): "
            "these runs do not constrain the law; pass more runs or a narrower grid"
        )
    E, A, B = (math.exp(v) for v in x[[2, 0, 1]])
    return Approach3Fit(E=E, A=A, B=B, alpha=float(x[3]), beta=float(x[4]), objective=float(objective),
                        n_points=data.size, n_starts=len(starts), delta=delta, converged=bool(converged),
                        message=str(message), seconds=seconds, best_start=tuple(map(float, best_start)),
                        warnings=list(notes), method=method)


def _refine(data: _Data, delta: float, x0: np.ndarray, max_iter: int | None = None) -> _BatchResult:
    """Batched damped Newton in float64 from the screened candidates (gradient tolerance 1e-7)."""
    batch = _Batch(data.log_n, data.log_d, data.log_l, delta, dtype=np.float64)
    return _batched_newton(batch, x0, max_iter=max_iter or _REFINE_ITERATIONS, gtol=1e-7)


def fit_approach3(n_params, n_tokens, loss, *, delta: float = DEFAULT_DELTA, grid=None,
                  n_candidates: int = 16, screen_iterations: int = 40,
                  n_descents: int = 512) -> Approach3Fit:
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
    synthetic laws (see ``tests/test_fitting.py``).  On small, very noisy
    data sets the landscape is rugged and some optima are reached from a
    handful of starts only; raise ``n_descents`` (up to the grid size) for a
    more exhaustive search.

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
        than 6 runs, or a malformed grid (the message names the argument).
    """
    t0 = time.perf_counter()
    data, delta, starts = _data(n_params, n_tokens, loss), _delta(delta), _grid(grid)
    n_candidates = positive_int("n_candidates", n_candidates)
    screen = _screen(data, starts, delta, positive_int("screen_iterations", screen_iterations),
                     positive_int("n_descents", n_descents))
    descended = np.flatnonzero(screen.status != 4)
    chosen = descended[_distinct_best(screen.x[descended], screen.f[descended], n_candidates)]
    if not len(chosen):
        raise RuntimeError("the objective is not finite at any grid start; check the data and grid")
    refined = _refine(data, delta, screen.x[chosen])
    k = int(np.argmin(refined.f))
    best = _polish(data, delta, refined.x[k])
    if not best.fun <= refined.f[k]:  # the polish never makes things worse
        best.x, best.fun = refined.x[k], refined.f[k]
    notes = _edge_warnings(best.x, starts)
    if not best.ok:
        notes.append(f"the optimiser stopped before converging ({best.note})")
    return _make_fit(best.x, best.fun * delta, data, delta, starts, best.ok, best.note,
                     time.perf_counter() - t0, starts[chosen[k]], notes, "batched")


def fit_approach3_per_start(n_params, n_tokens, loss, *, delta: float = DEFAULT_DELTA,
                            grid=None) -> Approach3Fit:
    """Reference fit: one scipy L-BFGS-B call per grid start, as the replication did.

    Each start is minimised on the unscaled Eq. (11) with the analytic gradient
    and scipy's default tolerances; the lowest objective wins.  Some 2 ms per
    start on 240 runs, so the 4,500-start grid takes seconds: it is the
    baseline :func:`fit_approach3` is checked and timed against.
    """
    t0 = time.perf_counter()
    data, delta, starts = _data(n_params, n_tokens, loss), _delta(delta), _grid(grid)
    best, best_i = None, -1
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, x0 in enumerate(starts):
            res = minimize(huber_objective, x0, args=(data.log_n, data.log_d, data.log_l, delta),
                           jac=True, method="L-BFGS-B")
            if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                best, best_i = res, i
    if best is None:
        raise RuntimeError("the objective is not finite at any grid start; check the data and grid")
    notes = _edge_warnings(best.x, starts)
    if not best.success:
        notes.append(f"L-BFGS-B stopped before converging ({best.message})")
    return _make_fit(best.x, best.fun, data, delta, starts, best.success, best.message,
                     time.perf_counter() - t0, starts[best_i], notes, "per-start")


# ---------------------------------------------------------------------------
# Uncertainty: the bootstrap
# ---------------------------------------------------------------------------

_QUANTITIES = ("E", "A", "B", "alpha", "beta", "a", "b", "n_opt", "d_opt", "tokens_per_param")


def frontier_at(params, flops: float) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal (N_opt, D_opt) at ``flops`` for rows ``(a, b, e, alpha, beta)`` (Eq. 4).

    The vectorised form of :meth:`ParametricLaw.optimal_allocation`:
    ``N_opt = G (C/6)^(beta/(alpha+beta))``, ``D_opt = (C/6)^(alpha/(alpha+beta)) / G``,
    ``G = (alpha A / (beta B))^(1/(alpha+beta))``.  Rows with alpha or beta <= 0
    give NaN.
    """
    c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    p = np.atleast_2d(np.asarray(params, dtype=float))
    log_a, log_b, alpha, beta = p[:, 0], p[:, 1], p[:, 3], p[:, 4]
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (alpha > 0) & (beta > 0)
        total = np.where(ok, alpha + beta, np.nan)
        log_g = (np.log(np.where(ok, alpha, np.nan)) + log_a - np.log(np.where(ok, beta, np.nan)) - log_b) / total
        log_c6 = math.log(c / 6.0)
        n_opt = np.exp(log_g + log_c6 * beta / total)
        d_opt = np.exp(log_c6 * alpha / total - log_g)
    return n_opt, d_opt


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

    def interval(self, quantity: str, level: float = 0.8) -> tuple[float, float]:
        """(low, high) percentile interval of ``quantity``; ``level`` 0.8 (10-90) or 0.95 (2.5-97.5)."""
        columns = {0.8: ("p10", "p90"), 0.95: ("p2.5", "p97.5")}
        if level not in columns:
            raise ValueError(f"level must be 0.8 or 0.95, got {level!r}")
        if quantity not in self.intervals.index:
            raise ValueError(f"unknown quantity {quantity!r}; choose one of {list(self.intervals.index)}")
        lo, hi = columns[level]
        return float(self.intervals.loc[quantity, lo]), float(self.intervals.loc[quantity, hi])


def _resample_weights(n_points: int, n_resamples: int, seed) -> np.ndarray:
    """Multinomial counts: how often each run appears in each resample (rows sum to ``n_points``)."""
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
        batch = _Batch(data.log_n, data.log_d, data.log_l, delta, weights=weights[todo])
        res = _batched_bfgs(batch, x[todo], max_iter=300, gtol=1e-7, ftol=1e-13)
        x[todo], f[todo] = res.x, res.f * delta
        converged[todo] = _batch_converged(res)
        todo = todo[~converged[todo]]
    for k in todo:
        fix = _polish(data, delta, x[k], weights[k])
        if fix.fun * delta <= f[k] or not np.isfinite(f[k]):
            x[k], f[k] = fix.x, fix.fun * delta
        converged[k] = fix.ok
    return x, f, converged, len(todo)


def _batch_converged(res: _BatchResult) -> np.ndarray:
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


def bootstrap_approach3(n_params, n_tokens, loss, *, n_resamples: int = 4000, seed: int | None = 0,
                        flops: float | None = None, delta: float = DEFAULT_DELTA, grid=None,
                        fit: Approach3Fit | None = None) -> Approach3Bootstrap:
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

    Returns
    -------
    Approach3Bootstrap
        ``intervals`` holds the 2.5/10/50/90/97.5 percentiles of E, A, B,
        alpha, beta, a, b, N_opt, D_opt and D_opt/N_opt.
    """
    t0 = time.perf_counter()
    data, delta = _data(n_params, n_tokens, loss), _delta(delta)
    n_resamples = positive_int("n_resamples", n_resamples)
    if flops is None:
        from .datasets import paper_value

        flops = paper_value("gopher.flops")
    flops = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    if fit is None:
        fit = fit_approach3(n_params, n_tokens, loss, delta=delta, grid=grid)
    elif fit.n_points != data.size or fit.delta != delta:
        raise ValueError(f"fit was made on {fit.n_points} runs with delta={fit.delta:g}, but {data.size} runs "
                         f"and delta={delta:g} were given")
    weights = _resample_weights(data.size, n_resamples, seed)
    x, f, converged, n_polished = _bootstrap_optimise(data, delta, fit.params, weights)
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
