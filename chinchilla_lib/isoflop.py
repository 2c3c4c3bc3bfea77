"""Approach 2 of Hoffmann et al. (2022): IsoFLOP profiles (Section 3.2, Figure 3).

For each of a fixed set of compute budgets C the paper trains models of
several sizes N (each on D = C / (6 N) tokens), fits a parabola to the final
loss against log N and takes its minimum as N_opt(C).  Power laws
N_opt = k_N C^a and D_opt = k_D C^b, fitted by least squares in log-log, give
the exponents; the paper reports a = 0.49 (0.462-0.534) and b = 0.51 from nine
budgets between 6e18 and 3e21 FLOPs.

Pipeline:

1. :func:`group_budgets` -- which runs share a budget: exact labels
   (``rel_tol=0``), or clusters of nearby FLOPs in log space for digitised
   points such as Figure 4's (``rel_tol > 0``, usually with ``min_points``).
2. :func:`fit_budget` -- the minimum of one IsoFLOP profile: a parabola in
   ln N (the paper's method), optionally on the ``window`` points nearest the
   lowest observed loss, or ``method="akima"`` (Porian et al. 2024: Akima
   interpolation of ln loss over ln N, argmin on a fine grid).
3. :func:`fit_isoflop` -- every budget, the power laws and seeded bootstrap
   percentile intervals.

Bias of the parabola: in u = ln N - ln N_opt the loss along a budget is
``E + K(C) * (exp(-alpha u) + (alpha/beta) exp(beta u))``; the parabola's
vertex is exact when alpha = beta and the sizes are placed symmetrically about
the optimum, and otherwise off by a factor that depends only on the shape
(alpha, beta) and the placement of the sizes relative to the optimum, not on
C.  The coefficient k_N is then biased, but the exponent a stays exact as long
as the sizes sit at the same place relative to N_opt at every budget; a bias
in a needs a placement that drifts with C (see :func:`simulate_isoflop
<chinchilla_lib.simulate.simulate_isoflop>` with a per-budget ``shift``).
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.interpolate import Akima1DInterpolator

from ._validate import (
    UnitWarning,
    loss_falls_with_compute,
    positive_array,
    positive_int,
    positive_scalar,
    same_length,
    unit_notes,
    varying_loss,
)
from .powerlaw import PowerLawAllocation, fit_log_log_line, log_log_slopes
from .robust import robust_scale

__all__ = [
    "IsoFLOPWarning",
    "BudgetFit",
    "IsoFLOPResult",
    "group_budgets",
    "parabola_vertex",
    "fit_budget",
    "fit_isoflop",
    "fit_isoflop_frame",
    "akima_curve",
    "parabola_residuals",
    "residual_scale",
    "profile_placement",
    "share_above_optimum",
    "method_ratio",
    "placed_budgets",
    "profile_summary",
]

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


def _outside_package() -> int:
    """``stacklevel`` that points a warning at the first caller outside this package."""
    package = os.path.dirname(os.path.abspath(__file__))
    level, frame = 1, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        level, frame = level + 1, frame.f_back
    return level


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
    order = np.argsort(c, kind="stable")
    log_c = np.log(c[order])
    breaks = np.flatnonzero(np.diff(log_c) > np.log1p(rel_tol)) + 1
    labels = np.full(c.size, np.nan)
    for members in np.split(np.arange(c.size), breaks):
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


def _parabolas(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Least-squares parabolas in ``x``, row by row.

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
        ln N and final loss of the runs of one budget (at least 3 distinct ``x``).

    Returns
    -------
    x_star, y_star : float
        Vertex; a minimum only when ``c2 > 0`` (NaN or inf when ``c2 == 0``: a curvature that
        bends the parabola by at most 1e-9 of the loss across the runs is rounding, and taken as 0).
    coefficients : tuple of float
        ``(c2, c1, c0)`` in ``x``.
    """
    m = x.mean()
    u = x - m
    s = [np.sum(u**k) for k in range(5)]  # sums of u^0 .. u^4
    t = [np.sum(y * u**k) for k in range(3)]  # sums of y u^0 .. y u^2
    normal = np.array([[s[i + j] for j in range(3)] for i in range(3)])
    d0, d1, d2 = np.linalg.solve(normal, np.array(t))  # y = d0 + d1 u + d2 u^2
    d2 = float(_unbent(d2, u, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        u_star = -d1 / (2.0 * d2)  # where dy/du = 0
        y_star = d0 - d1**2 / (4.0 * d2)
    return float(u_star + m), float(y_star), (float(d2), float(d1 - 2 * d2 * m), float(d0 - d1 * m + d2 * m**2))


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
    if np.unique(xw).size < 3:  # a window of repeated sizes: no parabola
        x_star, loss_star, c2, c1, c0, _, convex = (float(v[0]) for v in _parabolas(xw, yw))
    else:
        x_star, loss_star, (c2, c1, c0) = parabola_vertex(xw, yw)
        convex = c2 > 0
    bracketed = bool(convex) and xw[0] <= x_star <= xw[-1]
    n_opt = float(np.exp(x_star)) if convex else np.nan
    return BudgetFit(label, n_opt, loss_star if convex else np.nan, x.size, xw.size, bracketed,
                     bool(convex), (c2, c1, c0), method)


# --------------------------------------------------------------------------
# All budgets, power laws, bootstrap
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class IsoFLOPResult(PowerLawAllocation):
    """Approach 2 fit: N_opt = n_coef * C^a, D_opt = d_coef * C^b (Section 3.2, Table 2).

    Attributes
    ----------
    a, b : float
        Exponents of N_opt and D_opt in C (b = 1 - a, since D_opt = C / (6 N_opt)).
    n_coef, d_coef : float
        Coefficients of the two power laws (C in FLOPs).
    a_interval, b_interval : tuple of float
        Bootstrap percentile interval at ``level`` (NaN when ``n_bootstrap=0``).
    budgets : DataFrame
        One row per budget: ``budget``, ``n_opt``, ``d_opt``, ``loss_opt``,
        ``n_points``, ``n_used``, ``bracketed``, ``convex``, ``used`` (entered
        the power-law fit) and the parabola coefficients ``c2, c1, c0`` in ln N.
    method, window : str, int or None
        How each profile's minimum was found (see :func:`fit_budget`).
    resample : str
        ``"runs"``: runs resampled with replacement within each budget, every
        profile refitted; ``"budgets"``: budgets' optima resampled.
    n_bootstrap, level, seed : int, float, int
        Bootstrap settings.
    a_samples, b_samples : ndarray
        Bootstrap replicates (NaN for replicates that could not be fitted).
    n_coef_samples : ndarray
        The replicates' coefficients n_coef (so N_opt(C) has an interval at any C).
    run_budgets : ndarray
        The budget each run was grouped into, in the order given (NaN: on no budget).
    n_unassigned : int
        Runs left out by the grouping (``min_points``).
    messages : tuple of str
        The warnings issued (unbracketed or non-convex budgets).
    """

    a: float
    b: float
    n_coef: float
    d_coef: float
    a_interval: tuple[float, float]
    b_interval: tuple[float, float]
    budgets: pd.DataFrame
    method: str
    window: int | None
    resample: str
    n_bootstrap: int
    level: float
    seed: int
    a_samples: np.ndarray = field(repr=False)
    b_samples: np.ndarray = field(repr=False)
    n_unassigned: int = 0
    messages: tuple[str, ...] = ()
    n_coef_samples: np.ndarray | None = field(default=None, repr=False)
    run_budgets: np.ndarray | None = field(default=None, repr=False)

    def _fitted_flops(self) -> tuple:
        used = self.budgets.loc[self.budgets["used"], "budget"]
        return (float(used.min()), float(used.max()))

    def _samples(self, quantity: str):
        if quantity in ("n_coef", "d_coef"):
            if self.n_coef_samples is None:
                return None
            # ln D_opt = ln C - ln 6 - ln N_opt, so d_coef = 1 / (6 n_coef) in every replicate
            return self.n_coef_samples if quantity == "n_coef" else 1.0 / (6.0 * self.n_coef_samples)
        return self.a_samples if quantity == "a" else self.b_samples if quantity == "b" else None

    def _n_opt_samples(self, flops: float):
        if self.n_coef_samples is None or not len(self.a_samples):
            return None
        return self.n_coef_samples * flops**self.a_samples


def _check_options(level: float, resample: str, n_bootstrap: int) -> tuple[float, int]:
    level = positive_scalar("level", level, hint="e.g. 0.8 for the 10th-90th percentiles")
    if level >= 1:
        raise ValueError(f"level must be below 1 (e.g. 0.8), got {level}")
    if resample not in _RESAMPLE:
        raise ValueError(f"resample must be one of {_RESAMPLE}, got {resample!r}")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a whole number >= 0, got {n_bootstrap!r}")
    return level, int(n_bootstrap)


def _inputs(n_params, flops, loss) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = positive_array("n_params", n_params, hint=_N_HINT, min_size=3)
    c = positive_array("flops", flops, hint=_C_HINT, min_size=3)
    y = positive_array("loss", loss, hint=_L_HINT, min_size=3)
    same_length(n_params=n, flops=c, loss=y)
    varying_loss(y, n_params=n, flops=c)
    return n, c, y


def _report(fit: BudgetFit, strict: bool, include_unbracketed: bool) -> str | None:
    if fit.convex and fit.bracketed:
        return None
    if not fit.convex:
        problem = "the loss profile is not convex (the parabola opens downwards), so it has no minimum"
    else:
        problem = (f"the minimum (N = {fit.n_opt:.3g}) is not bracketed by the sampled model sizes "
                   f"({fit.n_used} runs fitted)")
    text = f"IsoFLOP budget {fit.budget:.4g} FLOPs: {problem}"
    if strict:
        raise ValueError(text + "; add runs on the other side of the minimum, or pass strict=False")
    action = "kept" if fit.convex and include_unbracketed else "left out of the power-law fit"
    return f"{text}; {action} (strict=True raises instead)"


def _bootstrap_runs(profiles, method: str, window: int | None, include: bool, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """ln N_opt per replicate and budget, runs resampled within budgets (NaN = no usable minimum)."""
    out = np.full((n_boot, len(profiles)), np.nan)
    for k, (x, y) in enumerate(profiles):
        xw, yw = _window(x, y, window)
        idx = rng.integers(0, xw.size, size=(n_boot, xw.size))
        xs, ys = xw[idx], yw[idx]
        if method == "akima":
            for i in range(n_boot):
                x_star, _, inside = _akima_minimum(xs[i], ys[i])
                out[i, k] = x_star if inside else np.nan
            continue
        x_star, *_, convex = _parabolas(xs, ys)
        inside = (xs.min(axis=1) <= x_star) & (x_star <= xs.max(axis=1))
        out[:, k] = np.where(convex & (inside | include), x_star, np.nan)
    return out


def _bootstrap_a(kept: pd.DataFrame, profiles, method: str, window: int | None, include: bool,
                 n_boot: int, resample: str, seed: int) -> np.ndarray:
    """Bootstrap replicates of the exponent a and of ln n_coef, shape (2, n_boot) (empty when ``n_boot`` is 0)."""
    if n_boot == 0:
        return np.full((2, 0), np.nan)
    rng = np.random.default_rng(seed)
    log_c = np.log(kept["budget"].to_numpy())
    out = []
    for start in range(0, n_boot, BOOTSTRAP_CHUNK):  # memory bounded whatever n_boot
        k = min(BOOTSTRAP_CHUNK, n_boot - start)
        if resample == "budgets":
            pick = rng.integers(0, log_c.size, size=(k, log_c.size))
            log_n = np.log(kept["n_opt"].to_numpy())
            out.append(np.stack(log_log_slopes(log_c[pick], log_n[pick], np.ones(pick.shape))))
            continue
        log_n = _bootstrap_runs(profiles, method, window, include, k, rng)
        out.append(np.stack(log_log_slopes(log_c, np.nan_to_num(log_n), (~np.isnan(log_n)).astype(float))))
    return np.concatenate(out, axis=1)


#: Bootstrap replicates drawn and fitted together (bounds memory whatever ``n_bootstrap``).
BOOTSTRAP_CHUNK = 5000


def _fit_profiles(n, y, labels, method, window, strict, include):
    """Fit every budget's profile; return the fits, their (ln N, loss) arrays and the warnings."""
    fits, profiles, messages = [], [], []
    for budget in np.unique(labels[~np.isnan(labels)]):
        members = labels == budget
        fit = fit_budget(n[members], y[members], budget=budget, method=method, window=window)
        message = _report(fit, strict, include)
        if message:
            warnings.warn(message, IsoFLOPWarning, stacklevel=_outside_package())
            messages.append(message)
        fits.append(fit)
        profiles.append(_profile_arrays(n[members], y[members], budget))
    return fits, profiles, messages


def _interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    good = samples[np.isfinite(samples)]
    if good.size == 0:
        return (np.nan, np.nan)
    lo, hi = np.percentile(good, [50 * (1 - level), 50 * (1 + level)])
    return (float(lo), float(hi))


def _budget_table(fits: list[BudgetFit], used: list[bool]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "budget": [f.budget for f in fits],
            "n_opt": [f.n_opt for f in fits],
            "loss_opt": [f.loss_opt for f in fits],
            "n_points": [f.n_points for f in fits],
            "n_used": [f.n_used for f in fits],
            "bracketed": [f.bracketed for f in fits],
            "convex": [f.convex for f in fits],
            "used": used,
            "c2": [f.coefficients[0] for f in fits],
            "c1": [f.coefficients[1] for f in fits],
            "c0": [f.coefficients[2] for f in fits],
        }
    )
    table.insert(2, "d_opt", table["budget"] / (6.0 * table["n_opt"]))
    return table


def fit_isoflop(
    n_params,
    flops,
    loss,
    *,
    rel_tol: float = 0.0,
    min_points: int | None = None,
    method: str = "parabola",
    window: int | None = None,
    strict: bool = False,
    include_unbracketed: bool = False,
    n_bootstrap: int = 1000,
    level: float = 0.8,
    resample: str = "runs",
    seed: int = 0,
) -> IsoFLOPResult:
    """Approach 2: IsoFLOP profiles to N_opt ∝ C^a and D_opt ∝ C^b (Section 3.2, Figure 3).

    Parameters
    ----------
    n_params, flops, loss : array of float
        One entry per run: model size, training FLOPs and final loss.
    rel_tol, min_points
        How runs are grouped into budgets (see :func:`group_budgets`);
        ``rel_tol=0`` (default) needs exact budget labels in ``flops``.
    method, window
        How each profile's minimum is found (see :func:`fit_budget`).
    strict : bool, default False
        Raise :class:`ValueError` for a budget whose minimum is not bracketed
        or whose profile is not convex.  Otherwise such a budget triggers an
        :class:`IsoFLOPWarning` naming it and is recorded in the table.
    include_unbracketed : bool, default False
        Keep convex budgets whose vertex lies outside the sampled sizes in the
        power-law fit (extrapolated minima).  Non-convex budgets never enter.
    n_bootstrap : int, default 1000
        Bootstrap replicates for the intervals (0 skips the bootstrap).
    level : float, default 0.8
        Coverage of the percentile interval (0.8: 10th to 90th percentile,
        as the paper's Table 2).
    resample : {"runs", "budgets"}, default "runs"
        ``"runs"`` resamples runs with replacement within every budget and
        refits each profile (a window is chosen once, on the full data);
        ``"budgets"`` resamples the budgets' optima.
    seed : int, default 0
        Seed of the bootstrap's :func:`numpy.random.default_rng`.

    Returns
    -------
    IsoFLOPResult

    Raises
    ------
    ValueError
        Non-positive or NaN values, arrays of different lengths, a budget with
        fewer than 3 runs of distinct size, an unbracketed or non-convex
        budget when ``strict``, or fewer than 2 budgets left to fit.
    """
    n, c, y = _inputs(n_params, flops, loss)
    window = _check_method(method, window)
    level, n_bootstrap = _check_options(level, resample, n_bootstrap)
    labels = group_budgets(c, rel_tol=rel_tol, min_points=min_points)
    fits, profiles, messages = _fit_profiles(n, y, labels, method, window, strict, include_unbracketed)
    used = [f.convex and (f.bracketed or include_unbracketed) for f in fits]
    if sum(used) < 2:
        raise ValueError(
            f"only {sum(used)} of {len(fits)} budgets have a usable minimum; a power law needs at least 2: "
            "add runs on both sides of each budget's minimum (or keep extrapolated minima with "
            "include_unbracketed=True)"
        )
    table = _budget_table(fits, used)
    kept = table[table["used"]]
    lowest = np.array([y.min() for (_, y), u in zip(profiles, used) if u])  # observed, whatever the method
    loss_falls_with_compute(kept["budget"].to_numpy(), lowest, what="the budgets' lowest losses",
                            allow_flat=True)
    for note in unit_notes(n_params=n, flops=c):
        warnings.warn(note, UnitWarning, stacklevel=_outside_package())
        messages.append(note)
    a, n_coef = fit_log_log_line(kept["budget"].to_numpy(), kept["n_opt"].to_numpy())
    b, d_coef = fit_log_log_line(kept["budget"].to_numpy(), kept["d_opt"].to_numpy())
    a_samples, log_coef_samples = _bootstrap_a(kept, [p for p, u in zip(profiles, used) if u], method, window,
                                               include_unbracketed, n_bootstrap, resample, seed)
    b_samples = 1.0 - a_samples  # D_opt = C / (6 N_opt) in every replicate
    return IsoFLOPResult(
        a=a, b=b, n_coef=n_coef, d_coef=d_coef,
        a_interval=_interval(a_samples, level), b_interval=_interval(b_samples, level),
        budgets=table, method=method, window=window, resample=resample, n_bootstrap=n_bootstrap,
        level=level, seed=seed, a_samples=a_samples, b_samples=b_samples,
        n_unassigned=int(np.isnan(labels).sum()), messages=tuple(messages),
        n_coef_samples=np.exp(log_coef_samples), run_budgets=labels,
    )


def fit_isoflop_frame(runs: pd.DataFrame, **options) -> IsoFLOPResult:
    """:func:`fit_isoflop` on a DataFrame with columns ``n_params``, ``flops``, ``loss``.

    Works directly on :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`
    (with ``rel_tol=0.03, min_points=8``), :func:`~chinchilla_lib.datasets.load_porian`
    (one configuration; exact budgets) and
    :func:`~chinchilla_lib.simulate.simulate_isoflop`.
    """
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"runs must be a pandas DataFrame, got {type(runs).__name__}")
    missing = [col for col in ("n_params", "flops", "loss") if col not in runs.columns]
    if missing:
        raise ValueError(f"runs lacks column(s) {missing}; it needs n_params, flops and loss")
    return fit_isoflop(runs["n_params"], runs["flops"], runs["loss"], **options)


# --------------------------------------------------------------------------
# Diagnostics of a fit: residuals, where the sizes sit, estimator agreement
# --------------------------------------------------------------------------

def parabola_residuals(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.Series:
    """Loss minus the budget's fitted parabola, for every run with a budget."""
    coef = fit.budgets.set_index("budget")[["c2", "c1", "c0"]]
    on = runs.dropna(subset=["budget"])
    c = coef.loc[on["budget"]].to_numpy()
    x = np.log(on["n_params"].to_numpy())
    return pd.Series(on["loss"].to_numpy() - (c[:, 0] * x**2 + c[:, 1] * x + c[:, 2]), index=on.index)


def residual_scale(runs: pd.DataFrame, fit: IsoFLOPResult) -> float:
    """Robust scatter of the runs about their budgets' parabolas: 1.4826 x the median absolute residual (nats).

    ``runs`` needs ``n_params``, ``loss`` and ``budget`` (the budget each run belongs to, NaN for none);
    ``fit`` the parabola fit of the same runs.  The median ignores the few
    far-off points in the tails of the profiles, where a parabola does not fit.
    """
    return robust_scale(parabola_residuals(runs, fit))


def profile_placement(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.DataFrame:
    """Where each budget's model sizes sit relative to its fitted optimum, in decades of N.

    Returns
    -------
    DataFrame
        ``budget``, ``n_runs``, ``half_width`` (half the log10 range of the
        sizes), ``offset`` (mean log10 size minus log10 N_opt: positive when
        the sizes lean to larger models) and ``n_opt``.
    """
    on = runs.dropna(subset=["budget"])
    logn = np.log10(on["n_params"])
    grouped = logn.groupby(on["budget"])
    table = pd.DataFrame({
        "n_runs": grouped.size(),
        "half_width": (grouped.max() - grouped.min()) / 2,
        "centre": grouped.mean(),
    })
    table["n_opt"] = fit.budgets.set_index("budget")["n_opt"].reindex(table.index)
    table["offset"] = table["centre"] - np.log10(table["n_opt"])
    return table.reset_index()[["budget", "n_runs", "half_width", "offset", "n_opt"]]


def placed_budgets(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.DataFrame:
    """The fit's budget table (Section 3.2) with where each budget's sizes sit (:func:`profile_placement`).

    Returns
    -------
    DataFrame
        ``fit.budgets`` plus ``half_width`` and ``offset`` (decades of N).
    """
    placement = profile_placement(runs, fit)
    return fit.budgets.merge(placement[["budget", "half_width", "offset"]], on="budget")


def profile_summary(runs: pd.DataFrame, fit: IsoFLOPResult) -> dict:
    """How a set of runs falls into IsoFLOP budgets and how well the parabolas fit them (Section 3.2).

    Parameters
    ----------
    runs : DataFrame
        ``n_params``, ``loss`` and ``budget`` (NaN for runs on no budget).
    fit : IsoFLOPResult
        The parabola fit of the same runs.

    Returns
    -------
    dict
        ``n_points`` (runs), ``n_assigned`` (runs with a budget), ``n_unassigned``
        (``fit.n_unassigned``), ``n_budgets``, ``budget_min``, ``budget_max``
        (FLOPs), ``width_min``, ``width_max`` (smallest and largest half-width of a
        budget's sizes, decades), ``offset_max`` (largest offset of a budget's centre
        above its optimum, decades), ``widest_budget`` (the budget of largest
        half-width), ``scatter`` (the robust scatter of
        :func:`residual_scale`, nats) and ``all_bracketed`` (every minimum inside
        the sampled sizes).
    """
    placement = profile_placement(runs, fit)
    return {
        "n_points": len(runs),
        "n_assigned": int(runs["budget"].notna().sum()),
        "n_unassigned": fit.n_unassigned,
        "n_budgets": len(fit.budgets),
        "budget_min": fit.budgets["budget"].min(),
        "budget_max": fit.budgets["budget"].max(),
        "width_min": placement["half_width"].min(),
        "width_max": placement["half_width"].max(),
        "offset_max": placement["offset"].max(),
        "widest_budget": placement.loc[placement["half_width"].idxmax(), "budget"],
        "scatter": residual_scale(runs, fit),
        "all_bracketed": bool(fit.budgets["bracketed"].all()),
    }


def share_above_optimum(runs: pd.DataFrame, fit: IsoFLOPResult, *, budget_col: str = "budget") -> float:
    """Fraction of runs larger than their budget's fitted N_opt (budgets that entered the fit).

    A well-centred IsoFLOP grid gives about one half; a grid that reaches far
    past the optimum towards large models gives much more.
    """
    optimum = runs[budget_col].map(fit.budgets.loc[fit.budgets["used"]].set_index("budget")["n_opt"])
    known = optimum.notna()
    if not known.any():
        raise ValueError("no run belongs to a budget that entered the fit")
    return float((runs.loc[known, "n_params"] > optimum[known]).mean())


def method_ratio(runs: pd.DataFrame) -> pd.Series:
    """Per budget, the parabola's N_opt over the Akima minimum, for budgets both methods use.

    ``runs`` has ``n_params``, ``flops`` (exact budgets) and ``loss``, e.g. one
    Porian et al. configuration.  A ratio that is the same at every budget
    biases only the coefficient of the power law; one that varies biases the
    exponent.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        akima = fit_isoflop_frame(runs, method="akima", n_bootstrap=0).budgets.set_index("budget")
        parabola = fit_isoflop_frame(runs, n_bootstrap=0).budgets.set_index("budget")
    both = akima["used"] & parabola["used"]
    return (parabola["n_opt"] / akima["n_opt"])[both].rename("ratio")
