"""Batched optimisers: many starting points descended at once, each on its own.

Nothing here knows the objective: a function ``fun(x, rows)`` returns values
``(k,)`` and gradients ``(k, p)`` for the parameter rows ``x`` that belong to
batch rows ``rows`` (for :func:`batched_newton` also Hessians ``(k, p, p)``).
:func:`batched_bfgs` is BFGS with Armijo backtracking, one dense inverse-Hessian
approximation per row; :func:`batched_newton` a damped Newton method
(Levenberg-Marquardt style).  Approach 3 uses them to screen its start grid,
refine the best candidates and refit bootstrap resamples
(:mod:`chinchilla_lib.approaches.parametric.fit`, :mod:`chinchilla_lib.approaches.parametric.bootstrap`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["BatchResult", "batched_bfgs", "batched_newton"]


@dataclass
class BatchResult:
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


def batched_bfgs(fun: Callable, x0: np.ndarray, *, max_iter: int = 500,
                  gtol: float = 1e-6, ftol: float = 1e-10) -> BatchResult:
    """Minimise ``fun`` from every row of ``x0`` at once, each row on its own (BFGS, Armijo backtracking).

    ``fun(x, rows)`` returns values ``(k,)`` and gradients ``(k, 5)`` for the
    parameter rows ``x`` belonging to batch rows ``rows``.  A row stops when its
    largest gradient component is below ``gtol`` (status 0), when an iteration
    lowers its value by less than ``ftol * max(|f|, 1)`` (1), when its line
    search fails (2) or after ``max_iter`` iterations (3).  Stopped rows leave
    the working arrays, so late iterations are cheap.
    """
    K, p = x0.shape
    out = BatchResult(x0.astype(float).copy(), np.full(K, np.inf), np.zeros((K, p)),
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


def batched_newton(fun2: Callable, x0: np.ndarray, *, max_iter: int = 200, gtol: float = 1e-7,
                    max_damping: float = 1e8) -> BatchResult:
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
    out = BatchResult(np.asarray(x0, dtype=float).copy(), np.full(K, np.inf), np.zeros((K, p)),
                       np.full(K, 2), np.zeros(K, int), K)
    rows = np.arange(K)
    x = out.x.copy()
    f, g, hess = fun2(x, rows)
    live = np.isfinite(f)
    rows, x, f, g, hess = rows[live], x[live], f[live], g[live], hess[live]
    out.f[rows], out.g[rows] = f, g
    damping = np.full(len(rows), 1e-3)
    for it in range(1, max_iter + 1):
        if len(rows) == 0:
            break
        xn = x + _newton_steps(g, hess, damping)
        fn, gn, hn = fun2(xn, rows)
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
