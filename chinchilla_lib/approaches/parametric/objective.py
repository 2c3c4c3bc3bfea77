"""The objective of Approach 3: App. D.2 Eq. (11) of Hoffmann et al. (2022).

Minimise, over (a, b, e, alpha, beta) with A = exp a, B = exp b, E = exp e, the
SUM over runs of

    Huber_delta( LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i ),

with delta = 1e-3.  Huber is scipy's: r^2/2 for |r| <= delta, delta (|r| - delta/2)
otherwise.  :func:`huber_objective` evaluates it (and its gradient) at one
parameter vector; :class:`Batch` at many at once, with Hessians, for the batched
optimisers of :mod:`.optimise`; :func:`huber_objective_chunked` and
:class:`ChunkedBatch` do the same on runs too many to hold in a few temporary
arrays, block by block.  The hot loops make no BLAS matrix product
(einsum instead): on a busy machine a threaded BLAS stalls them.

The parameter vector is ``(a, b, e, alpha, beta)`` = ``(log A, log B, log E, alpha,
beta)`` (:data:`chinchilla_lib.laws.parametric.PARAMETER_ORDER`, the replication's order).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_DELTA", "OBJECTIVE_CHUNK", "huber", "huber_objective", "huber_objective_chunked", "Batch",
           "ChunkedBatch"]

#: Huber threshold of App. D.2.
DEFAULT_DELTA = 1e-3


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


#: Runs per pass of :func:`huber_objective_chunked`: some ten float64 temporaries of
#: this length (5 MB in all) stay in the cache; on 1e6 runs one pass over
#: 65,536 runs at a time took 15 ms, over all at once 64 ms (and ~100 MB).
OBJECTIVE_CHUNK = 65_536


def huber_objective_chunked(params, log_n, log_d, log_l, delta: float = DEFAULT_DELTA,
                            weights=None, chunk: int = OBJECTIVE_CHUNK) -> tuple[float, np.ndarray]:
    """App. D.2 Eq. (11) and its gradient as :func:`huber_objective`, summed over blocks of ``chunk`` runs.

    The temporaries are ``chunk`` long whatever the number of runs, so memory
    stays bounded (a few MB) on millions of runs.  With at most ``chunk`` runs
    this *is* :func:`huber_objective` (same call, same numbers); beyond, the
    block sums are added in a fixed order, so the result is deterministic and
    differs from the one-pass sum by rounding only.

    Parameters
    ----------
    params, log_n, log_d, log_l, delta, weights :
        As :func:`huber_objective`.
    chunk : int, default :data:`OBJECTIVE_CHUNK`
        Runs per block.

    Returns
    -------
    value : float
    grad : ndarray, shape (5,)
    """
    size = len(log_l)
    if size <= chunk:
        return huber_objective(params, log_n, log_d, log_l, delta, weights)
    value, grad = 0.0, np.zeros(5)
    for i in range(0, size, chunk):
        part = slice(i, i + chunk)
        v, g = huber_objective(params, log_n[part], log_d[part], log_l[part], delta,
                               None if weights is None else weights[part])
        value += v
        grad += g
    return value, grad


class Batch:
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
        with np.errstate(over="ignore", invalid="ignore"):
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


class ChunkedBatch:
    """:class:`Batch` on many runs: Eq. (11)/delta summed over blocks of ``chunk`` runs.

    Each block is a :class:`Batch` (float64, unweighted), so the work arrays
    are ``(k, chunk)`` (``(k, 5, chunk)`` for Hessians) whatever the number of
    runs; the block sums are added in a fixed order (deterministic).  A row
    not finite on some block is inf in the sum.  Used by the screened route of
    :func:`chinchilla_lib.approaches.parametric.fit_approach3` to value and
    refine candidates on all runs.
    """

    def __init__(self, log_n, log_d, log_l, delta: float, *, chunk: int = OBJECTIVE_CHUNK):
        self.delta = float(delta)
        self.blocks = [Batch(log_n[i:i + chunk], log_d[i:i + chunk], log_l[i:i + chunk], delta)
                       for i in range(0, len(log_l), chunk)]

    def _sum(self, method: str, x: np.ndarray) -> tuple:
        total = None
        for block in self.blocks:
            part = getattr(block, method)(x)
            part = part if isinstance(part, tuple) else (part,)
            total = list(part) if total is None else [t + q for t, q in zip(total, part)]
        return tuple(total)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Scaled values ``(K,)``, inf where not finite (:meth:`Batch.values` summed)."""
        return self._sum("values", x)[0]

    def second_order(self, x: np.ndarray, rows: np.ndarray | None = None):
        """Scaled values ``(k,)``, gradients ``(k, 5)`` and Hessians ``(k, 5, 5)`` (:meth:`Batch.second_order`
        summed); ``rows`` is accepted for :func:`~chinchilla_lib.approaches.parametric.optimise.batched_newton`
        and unused (no weights)."""
        value, grad, hess = self._sum("second_order", x)
        bad = ~np.isfinite(value)
        if bad.any():
            value[bad], grad[bad], hess[bad] = np.inf, 0.0, 0.0
        return value, grad, hess
