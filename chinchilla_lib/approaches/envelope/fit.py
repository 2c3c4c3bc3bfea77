"""Approach 1's fit (Section 3.1, Figure 2): the lower envelope of training curves and its power laws."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

from ..._validate import (
    UnitWarning,
    distinct,
    loss_falls_with_compute,
    positive_array,
    positive_int,
    positive_scalar,
    unit_notes,
    varying_loss,
)
from ...laws.powerlaw import PowerLawAllocation, fit_log_log_line
from ...result_cache import storable

__all__ = ["EnvelopeWarning", "EnvelopeResult", "lower_envelope", "envelope_argmin", "curve_on_grid", "fit_envelope",
           "interior_range", "fit_interior_envelope"]

_C_HINT = "compute in FLOPs, e.g. 1e19"


class EnvelopeWarning(UserWarning):
    """An envelope fit that does not locate an optimum (exponent outside (0, 1))."""


def _curve_column(curves: pd.DataFrame, curve_col: str | None) -> str:
    if curve_col is not None:
        if curve_col not in curves.columns:
            raise ValueError(f"curve_col {curve_col!r} is not a column of curves ({list(curves.columns)})")
        return curve_col
    for name in ("run", "model"):
        if name in curves.columns:
            return name
    return "n_params"


def _tidy(curves: pd.DataFrame, curve_col: str | None) -> tuple[pd.DataFrame, str]:
    """Validated copy with ``curve``, ``n_params``, ``flops``, ``loss`` (flops = 6 N D if absent)."""
    if not isinstance(curves, pd.DataFrame):
        raise ValueError(f"curves must be a pandas DataFrame, got {type(curves).__name__}")
    col = _curve_column(curves, curve_col)
    needed = ["n_params", "loss"] + ([] if "flops" in curves.columns else ["n_tokens"])
    missing = [c for c in needed if c not in curves.columns]
    if missing:
        raise ValueError(f"curves lacks column(s) {missing}; it needs n_params, loss and flops or n_tokens")
    n = positive_array("n_params", curves["n_params"], hint="raw parameter counts")
    loss = positive_array("loss", curves["loss"], hint="nats per token")
    if "flops" in curves.columns:
        c = positive_array("flops", curves["flops"], hint=_C_HINT)
    else:
        c = 6.0 * n * positive_array("n_tokens", curves["n_tokens"], hint="raw token counts")
    tidy = pd.DataFrame({"curve": curves[col].to_numpy(), "n_params": n, "flops": c, "loss": loss})
    sizes = tidy.groupby("curve", sort=False)["n_params"].nunique()
    if (sizes > 1).any():
        raise ValueError(f"curve {sizes.index[sizes > 1][0]!r} mixes model sizes; pass curve_col naming one run")
    return tidy, col


def _grid(tidy: pd.DataFrame, n_grid: int, flops_range) -> np.ndarray:
    if flops_range is None:
        lo, hi = tidy["flops"].min(), tidy["flops"].max()
    else:
        bounds = positive_array("flops_range", flops_range, hint="(low, high) in FLOPs")
        if bounds.size != 2 or bounds[0] >= bounds[1]:
            raise ValueError(f"flops_range must be (low, high) with low < high, got {flops_range!r}")
        lo, hi = bounds
    return np.geomspace(lo, hi, n_grid)


def curve_on_grid(curve: pd.DataFrame, log_grid: np.ndarray, sigma_steps: float) -> np.ndarray:
    """One training curve's loss on a log-FLOP grid, optionally smoothed (Section 3.1).

    Linear interpolation in ln C between the curve's points (duplicate FLOP
    values averaged), NaN outside the curve's own FLOP range (never
    extrapolated), then a Gaussian smoothing of ``sigma_steps`` grid steps
    (none if 0) within that range.

    Parameters
    ----------
    curve : DataFrame
        ``flops`` and ``loss`` of one run.
    log_grid : array of float
        Natural logarithms of the grid's FLOP values, increasing.
    sigma_steps : float
        Smoothing width in grid steps.
    """
    means = curve.groupby("flops")["loss"].mean()  # sorted, duplicate FLOP values averaged
    log_c = np.log(means.index.to_numpy(float))
    out = np.full(log_grid.size, np.nan)
    inside = (log_grid >= log_c[0]) & (log_grid <= log_c[-1])
    if log_c.size < 2 or not inside.any():
        return out
    values = np.interp(log_grid[inside], log_c, means.to_numpy(float))
    if sigma_steps > 0:
        values = gaussian_filter1d(values, sigma_steps, mode="nearest")
    out[inside] = values
    return out


def envelope_argmin(losses: np.ndarray, min_overlap: int = 2):
    """The lower envelope of curves already on a common FLOP grid (Section 3.1, Figure 2 left).

    At every grid value, the lowest loss over the curves defined there and the
    curve that reaches it; grid values covered by fewer than ``min_overlap``
    curves are dropped.

    Parameters
    ----------
    losses : array of shape (n_curves, n_grid)
        Each curve's loss on the grid, NaN where the curve is not defined.
    min_overlap : int, default 2

    Returns
    -------
    (keep, best, lowest, count)
        Boolean mask of kept grid values; for each kept value the index of the
        argmin curve and its loss; the number of curves defined at every grid value.
    """
    count = np.isfinite(losses).sum(axis=0)
    keep = count >= min_overlap
    kept = np.where(np.isfinite(losses[:, keep]), losses[:, keep], np.inf)
    best = np.argmin(kept, axis=0)
    return keep, best, losses[:, keep][best, np.arange(best.size)], count


def lower_envelope(
    curves: pd.DataFrame,
    *,
    n_grid: int = 1500,
    flops_range: tuple[float, float] | None = None,
    min_overlap: int = 2,
    smooth: float | None = None,
    curve_col: str | None = None,
) -> pd.DataFrame:
    """Lowest loss over all training curves at log-spaced FLOP values (Section 3.1, Figure 2 left).

    Parameters
    ----------
    curves : DataFrame
        One row per evaluation of a training run: ``n_params``, ``loss`` and
        ``flops`` (or ``n_tokens``, then flops = 6 N D), plus a run identifier.
    n_grid : int, default 1500
        Number of log-spaced FLOP values, as in the paper.
    flops_range : (float, float), optional
        Grid bounds in FLOPs; by default the span of all curves.
    min_overlap : int, default 2
        Keep only FLOP values where at least this many curves are defined.
    smooth : float, optional
        Standard deviation, in decades of FLOPs, of a Gaussian smoothing of
        each curve (applied on the grid, within the curve's own range).
    curve_col : str, optional
        Column identifying one training run; default ``run``, else ``model``,
        else ``n_params``.

    Returns
    -------
    DataFrame
        ``flops``, ``loss`` (envelope), ``curve`` (argmin run), ``n_params``,
        ``n_tokens`` (= flops / (6 n_params)) and ``n_curves`` (curves defined
        there), one row per kept grid value.
    """
    tidy, _ = _tidy(curves, curve_col)
    return _envelope_of(tidy, n_grid=n_grid, flops_range=flops_range, min_overlap=min_overlap, smooth=smooth)


def _envelope_of(tidy: pd.DataFrame, *, n_grid: int, flops_range, min_overlap: int, smooth) -> pd.DataFrame:
    """:func:`lower_envelope` of curves already checked by :func:`_tidy` (checked once, where they enter)."""
    n_grid = positive_int("n_grid", n_grid)
    min_overlap = positive_int("min_overlap", min_overlap)
    grid = _grid(tidy, n_grid, flops_range)
    log_grid = np.log(grid)
    step_decades = np.log10(grid[-1] / grid[0]) / max(n_grid - 1, 1)
    sigma = 0.0 if smooth is None else positive_scalar("smooth", smooth, hint="decades of FLOPs, e.g. 0.05")
    sigma_steps = sigma / step_decades if step_decades > 0 else 0.0
    groups = list(tidy.groupby("curve", sort=False))
    losses = np.vstack([curve_on_grid(g, log_grid, sigma_steps) for _, g in groups])
    keep, best, lowest, count = envelope_argmin(losses, min_overlap)
    if not keep.any():
        raise ValueError(f"no FLOP value is covered by {min_overlap} curves; lower min_overlap or widen flops_range")
    sizes = np.array([g["n_params"].iloc[0] for _, g in groups])
    names = np.array([name for name, _ in groups], dtype=object)
    flops = grid[keep]
    return pd.DataFrame(
        {
            "flops": flops,
            "loss": lowest,
            "curve": names[best],
            "n_params": sizes[best],
            "n_tokens": flops / (6.0 * sizes[best]),
            "n_curves": count[keep],
        }
    )


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class EnvelopeResult(PowerLawAllocation):
    """Approach 1 fit: N_opt = n_coef * C^a, D_opt = d_coef * C^b (Section 3.1, Figure 2).

    Attributes
    ----------
    a, b : float
        Exponents of N_opt and D_opt in C (b = 1 - a, since D = C / (6 N)).
    n_coef, d_coef : float
        Coefficients of the power laws (C in FLOPs).
    envelope : DataFrame
        The output of :func:`lower_envelope` that was fitted.
    n_models : int
        Distinct model sizes that are the argmin somewhere (the staircase's steps).
    n_grid, min_overlap, smooth
        The options used.
    """

    a: float
    b: float
    n_coef: float
    d_coef: float
    envelope: pd.DataFrame
    n_models: int
    n_grid: int
    min_overlap: int
    smooth: float | None
    warnings: tuple = ()
    #: The gate's verdict (:class:`~chinchilla_lib.approaches.quality.Quality`); set by ``fit_runs``, None when not judged.
    quality: object = field(default=None, repr=False, compare=False)

    def _fitted_flops(self) -> tuple:
        return (float(self.envelope["flops"].min()), float(self.envelope["flops"].max()))


def fit_envelope(
    curves: pd.DataFrame,
    *,
    n_grid: int = 1500,
    flops_range: tuple[float, float] | None = None,
    min_overlap: int = 2,
    smooth: float | None = None,
    curve_col: str | None = None,
) -> EnvelopeResult:
    """Approach 1: power laws fitted to the lower envelope of training curves (Section 3.1, Figure 2).

    Takes :func:`lower_envelope` (same options) and fits ln N_opt and
    ln D_opt against ln C by least squares, one point per kept grid value
    (grid values are log-spaced, so every decade of C weighs the same).

    Raises
    ------
    ValueError
        Invalid curves or options, or an envelope that is a single model size
        (no exponent can be fitted; widen the sizes or ``flops_range``).
    """
    tidy, _ = _tidy(curves, curve_col)
    n, c, loss = (tidy[k].to_numpy() for k in ("n_params", "flops", "loss"))
    varying_loss(loss, n_params=n, flops=c)
    distinct("n_params", n, 2, why="an envelope that can move between model sizes")
    loss_falls_with_compute(c, loss, what="the training curves")
    for note in unit_notes(n_params=n, flops=c):
        warnings.warn(note, UnitWarning, stacklevel=2)
    env = _envelope_of(tidy, n_grid=n_grid, flops_range=flops_range, min_overlap=min_overlap, smooth=smooth)
    n_models = int(env["n_params"].nunique())
    if n_models < 2 or len(env) < 2:
        raise ValueError(
            f"the envelope is reached by {n_models} model size over {len(env)} FLOP values; "
            "an exponent needs at least 2 sizes (widen flops_range or add model sizes)"
        )
    a, n_coef = fit_log_log_line(env["flops"].to_numpy(), env["n_params"].to_numpy())
    b, d_coef = fit_log_log_line(env["flops"].to_numpy(), env["n_tokens"].to_numpy())
    notes = []
    if not 0 < a < 1:
        notes.append(f"the fitted exponent a = {a:.3g} is outside (0, 1): over most of the FLOP range the envelope "
                     "is held by the smallest or largest model, so it does not locate an optimum; restrict "
                     "flops_range (see interior_range) or add model sizes")
        warnings.warn(notes[-1], EnvelopeWarning, stacklevel=2)
    return EnvelopeResult(a, b, n_coef, d_coef, env, n_models, int(n_grid), min_overlap, smooth, tuple(notes))


def interior_range(curves: pd.DataFrame, **options) -> tuple[float, float]:
    """FLOP range from the first to the last grid value where the envelope's argmin is an interior size.

    Below and above it the argmin is the smallest or the largest size sampled
    and says nothing about the optimum.  (Inside it an end size can still win
    here and there, e.g. where one of its runs ends its schedule.)
    ``options`` go to :func:`lower_envelope`.
    """
    env = lower_envelope(curves, **options)
    sizes = env["n_params"]
    inside = (sizes > sizes.min()) & (sizes < sizes.max())
    if not inside.any():
        raise ValueError("the envelope is only ever reached by the smallest or the largest model")
    return float(env.loc[inside, "flops"].min()), float(env.loc[inside, "flops"].max())


def fit_interior_envelope(curves: pd.DataFrame, **options) -> EnvelopeResult:
    """:func:`fit_envelope` restricted to the FLOP range of :func:`interior_range` (Section 3.1).

    Outside that range the argmin sticks to the smallest or the largest size
    sampled and flattens the exponent.  ``options`` (e.g. ``n_grid``) go to
    both :func:`interior_range` and :func:`fit_envelope`.
    """
    return fit_envelope(curves, flops_range=interior_range(curves, **options), **options)
