"""One IsoFLOP profile (Section 3.2, Figure 3): runs grouped into budgets, and each budget's minimum.

:func:`group_budgets` says which runs share a budget; :func:`fit_budget` finds the minimum of one
profile, by a parabola in ln N (the paper's method, :func:`parabola_vertex`) or by Akima
interpolation of ln loss over ln N (Porian et al. 2024, :func:`akima_curve`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import Akima1DInterpolator

from ..._validate import positive_array, positive_int, positive_scalar, same_length
from ...stats import budget_groups

__all__ = ["IsoFLOPWarning", "BudgetFit", "group_budgets", "parabolas", "parabola_vertex", "akima_curve", "fit_budget"]

_METHODS = ("parabola", "akima")
_RESAMPLE = ("runs", "budgets")
_N_HINT = "parameters as a raw count, e.g. 4e8"
_C_HINT = "compute in FLOPs, e.g. 6e18"

_L_HINT = "loss in nats per token"
# A parabola whose curvature bends it by no more than this fraction of the loss across its window is
# a line: the normal equations' rounding (about 1e-16 of the loss, times their condition number, under
# 1e4 for these windows) gives an exact line or a flat profile a tiny curvature of either sign, while
# a real profile bends by 1e-3 nats or more.
_FLAT = 1e-9


class IsoFLOPWarning(UserWarning):
    """An IsoFLOP profile whose minimum is not bracketed or that is not convex."""




# --------------------------------------------------------------------------
# Grouping runs into budgets
# --------------------------------------------------------------------------

def group_budgets(flops, *, rel_tol: float = 0.0, min_points: int | None = None) -> np.ndarray:
    """Label each run with the compute budget it belongs to (Section 3.2).

    Parameters
    ----------
    flops : array of float
        Training FLOPs of every run.
    rel_tol : float, default 0.0
        0 groups runs with identical FLOPs (exact budget labels).  A positive
        value clusters by gaps: sorted by FLOPs, a new budget starts wherever
        consecutive runs differ by more than a factor ``1 + rel_tol``.  The
        label is then the geometric mean of the cluster's FLOPs.
    min_points : int, optional
        Clusters with fewer runs get the label NaN (left out), which separates
        IsoFLOP strips from scattered runs in digitised data.  By default
        every cluster is kept.

    Returns
    -------
    ndarray
        The budget of every run (same order as ``flops``), NaN if left out.

    Examples
    --------
    On the 245 points of Figure 4, ``rel_tol=0.03, min_points=8`` finds the
    paper's nine budgets (each digitised a few per cent below 6e18 ... 3e21).
    """
    c = positive_array("flops", flops, hint=_C_HINT)
    if isinstance(rel_tol, bool) or not np.isscalar(rel_tol) or not np.isfinite(rel_tol) or rel_tol < 0:
        raise ValueError(f"rel_tol must be a number >= 0 (e.g. 0.03 for 3%), got {rel_tol!r}")
    keep_from = 1 if min_points is None else positive_int("min_points", min_points)
    order, groups = budget_groups(c, rel_tol)
    log_c = np.log(c[order])
    labels = np.full(c.size, np.nan)
    for members in groups:
        if members.size >= keep_from:
            values = c[order[members]]
            same = values.min() == values.max()
            labels[order[members]] = values[0] if same else np.exp(log_c[members].mean())
    return labels


# --------------------------------------------------------------------------
# One IsoFLOP profile
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetFit:
    """The minimum of one IsoFLOP profile (Section 3.2, Figure 3 centre).

    Attributes
    ----------
    budget : float
        Compute budget in FLOPs (NaN when not given).
    n_opt, loss_opt : float
        Model size at the minimum and the loss there.
    n_points, n_used : int
        Runs in the budget, and runs the curve was fitted to (``window``).
    bracketed : bool
        The minimum lies within the fitted range of N (for ``"akima"``: the
        grid argmin is not an end point).
    convex : bool
        The parabola opens upwards (for ``"akima"``: same as ``bracketed``).
    coefficients : tuple of float
        Parabola ``loss = c2 x**2 + c1 x + c0`` with ``x = ln N`` (NaN for
        ``"akima"``, and for a window with fewer than 3 distinct sizes).
    method : str
        ``"parabola"`` or ``"akima"``.
    """

    budget: float
    n_opt: float
    loss_opt: float
    n_points: int
    n_used: int
    bracketed: bool
    convex: bool
    coefficients: tuple[float, float, float]
    method: str


def _check_method(method: str, window: int | None) -> int | None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if window is None:
        return None
    window = positive_int("window", window)
    if window < 3:
        raise ValueError(f"window must be at least 3 points (a parabola has 3 coefficients), got {window}")
    return window


def _profile_arrays(n_params, loss, budget: float) -> tuple[np.ndarray, np.ndarray]:
    where = "" if np.isnan(budget) else f" in budget {budget:.4g} FLOPs"
    n = positive_array("n_params", n_params, hint=_N_HINT)
    y = positive_array("loss", loss, hint=_L_HINT)
    same_length(n_params=n, loss=y)
    distinct = np.unique(n).size
    if n.size < 3 or distinct < 3:
        raise ValueError(
            f"an IsoFLOP profile needs at least 3 runs with different model sizes{where}; "
            f"got {n.size} runs with {distinct} distinct sizes (add runs, or merge budgets with rel_tol)"
        )
    order = np.argsort(n, kind="stable")
    return np.log(n[order]), y[order]


def _window(x: np.ndarray, y: np.ndarray, window: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The ``window`` consecutive points (sorted by N) centred on the lowest loss."""
    if window is None or window >= x.size:
        return x, y
    lo = int(np.clip(np.argmin(y) - (window - 1) // 2, 0, x.size - window))
    return x[lo:lo + window], y[lo:lo + window]


def _unbent(d2, u: np.ndarray, y: np.ndarray):
    """``d2`` (per row of ``u``), set to exactly 0 where it bends the parabola by <= ``_FLAT`` of the loss."""
    bend = np.abs(d2) * (u**2).max(axis=-1)
    return np.where(bend <= _FLAT * np.abs(y).max(axis=-1), 0.0, d2)


def parabolas(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """The least-squares parabola ``y = c2 x**2 + c1 x + c0`` of each row, and its vertex (Section 3.2, Figure 3).

    The one parabola fit of Approach 2: one profile (:func:`parabola_vertex`) or a whole bootstrap of
    them at once.  The normal equations are solved in ``u = x - mean(x)`` for conditioning.

    Returns vertex x, loss there, c2, c1, c0 (in ``x``), ok (>= 3 distinct x) and convex.
    A row with fewer than 3 distinct ``x`` has no parabola: its vertex and coefficients are NaN.
    """
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    centre = x.mean(axis=1, keepdims=True)
    u = x - centre
    powers = np.stack([u**k for k in range(5)], axis=1).sum(axis=2)  # (B, 5): sum u^0..u^4
    moments = np.stack([(y * u**k).sum(axis=1) for k in range(3)], axis=1)  # (B, 3)
    idx = np.add.outer(np.arange(3), np.arange(3))
    normal = powers[:, idx]  # (B, 3, 3) for coefficients (d0, d1, d2) of u^0, u^1, u^2
    ok = (np.diff(np.sort(x, axis=1), axis=1) > 0).sum(axis=1) >= 2
    normal[~ok] = np.eye(3)
    d0, d1, d2 = np.where(ok[:, None], np.linalg.solve(normal, moments[..., None])[..., 0], np.nan).T
    d2 = _unbent(d2, u, y)
    convex = d2 > 0  # False where NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        u_star = -d1 / (2.0 * d2)
        loss_star = d0 - d1**2 / (4.0 * d2)
    m = centre[:, 0]
    c2, c1, c0 = d2, d1 - 2 * d2 * m, d0 - d1 * m + d2 * m**2
    return u_star + m, loss_star, c2, c1, c0, ok, convex


def parabola_vertex(x: np.ndarray, y: np.ndarray) -> tuple[float, float, tuple[float, float, float]]:
    """Vertex of the least-squares parabola through one IsoFLOP profile (Section 3.2, Figure 3 centre).

    Fits ``y = c2 x**2 + c1 x + c0`` with ``x = ln N`` by least squares (normal
    equations, solved in ``u = x - mean(x)`` for conditioning) and returns its
    vertex: the paper's estimate of ln N_opt and the loss there.

    Parameters
    ----------
    x, y : ndarray
        ln N and final loss of the runs of one budget.

    Returns
    -------
    x_star, y_star : float
        Vertex; a minimum only when ``c2 > 0`` (NaN or inf when ``c2 == 0``: a curvature that
        bends the parabola by at most 1e-9 of the loss across the runs is rounding, and taken as 0;
        NaN, and NaN coefficients, with fewer than 3 distinct ``x``).
    coefficients : tuple of float
        ``(c2, c1, c0)`` in ``x``.
    """
    x_star, y_star, c2, c1, c0, _, _ = (float(v[0]) for v in parabolas(np.asarray(x, float), np.asarray(y, float)))
    return x_star, y_star, (c2, c1, c0)


def akima_curve(x: np.ndarray, y: np.ndarray, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Porian et al.'s profile curve: Akima spline of ln loss over ``x = ln N``, on ``n`` grid points.

    Duplicate sizes keep their lowest loss, as they do.  Returns the grid (in ln N) and the
    loss on it (nats).  Needs at least 3 distinct sizes.
    """
    x_u, inverse = np.unique(x, return_inverse=True)
    y_u = np.full(x_u.size, np.inf)
    np.minimum.at(y_u, inverse, y)
    grid = np.linspace(x_u[0], x_u[-1], n)
    return grid, np.exp(Akima1DInterpolator(x_u, np.log(y_u))(grid))


def _akima_minimum(x: np.ndarray, y: np.ndarray, grid_factor: int = 25) -> tuple[float, float, bool]:
    """Porian et al.'s minimum: argmin of :func:`akima_curve` on a grid ``grid_factor`` x finer than the runs."""
    sizes = np.unique(x).size
    if sizes < 3:
        return np.nan, np.nan, False
    grid, curve = akima_curve(x, y, (sizes - 1) * grid_factor)
    i = int(np.argmin(curve))
    return float(grid[i]), float(curve[i]), 0 < i < grid.size - 1


def fit_budget(
    n_params,
    loss,
    *,
    budget: float | None = None,
    method: str = "parabola",
    window: int | None = None,
) -> BudgetFit:
    """Minimum of one IsoFLOP profile: loss against ln N (Section 3.2, Figure 3 centre).

    Parameters
    ----------
    n_params, loss : array of float
        Model sizes and final losses of the runs of one budget (at least 3
        different sizes).
    budget : float, optional
        The budget in FLOPs, used in messages and stored in the result.
    method : {"parabola", "akima"}, default "parabola"
        ``"parabola"``: least-squares parabola of loss in ln N, minimum at its
        vertex (Hoffmann et al.).  ``"akima"``: Porian et al.'s interpolation.
    window : int, optional
        Fit only the ``window`` runs (consecutive in N) centred on the lowest
        observed loss; by default all runs.

    Returns
    -------
    BudgetFit
    """
    label = np.nan if budget is None else positive_scalar("budget", budget, hint=_C_HINT)
    window = _check_method(method, window)
    x, y = _profile_arrays(n_params, loss, label)
    xw, yw = _window(x, y, window)
    if method == "akima":
        x_star, loss_star, inside = _akima_minimum(xw, yw)
        return BudgetFit(label, float(np.exp(x_star)), loss_star, x.size, xw.size, inside, inside,
                         (np.nan, np.nan, np.nan), method)
    x_star, loss_star, (c2, c1, c0) = parabola_vertex(xw, yw)  # NaN for a window of repeated sizes
    convex = c2 > 0
    bracketed = bool(convex) and xw[0] <= x_star <= xw[-1]
    n_opt = float(np.exp(x_star)) if convex else np.nan
    return BudgetFit(label, n_opt, loss_star if convex else np.nan, x.size, xw.size, bracketed,
                     bool(convex), (c2, c1, c0), method)


