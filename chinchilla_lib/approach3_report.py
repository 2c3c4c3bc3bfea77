"""Tables and figures for the chapter *Approach 3: the parametric fit*.

Small reporting helpers on top of :mod:`chinchilla_lib.fitting`: the refit on
the points of the paper's Figure 4 (cached, so the chapter and the scorecard
share one fit), log-loss residuals and the Eq. (11) objective of any named law,
how the bootstrap interval narrows as the number of runs grows, and an
iso-loss contour plot in the manner of the paper's Figure 4 (left).

References
----------
Hoffmann et al. 2022, Section 3.3, Figure 4, Table 2, App. D.2 Eq. (10)-(11);
Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", arXiv 2404.10102.
Used by the chapter *Approach 3: the parametric fit* and by :mod:`chinchilla_lib.checks_approach3`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import positive_scalar
from .datasets import load_hoffmann_fig4
from .fitting import DEFAULT_DELTA, Approach3Fit, bootstrap_approach3, fit_approach3, huber_objective
from .laws import ParametricLaw

__all__ = [
    "refit_figure4",
    "law_vector",
    "log_residuals",
    "residuals_frame",
    "fit_quality_table",
    "parameter_table",
    "allocation_table",
    "runs_for_width",
    "interval_width_by_runs",
    "isoloss_grid",
    "plot_isoloss",
    "plot_residuals",
]

_RUN_COLUMNS = ("n_params", "n_tokens", "loss")


def refit_figure4(exclude_highest_loss: int = 5) -> Approach3Fit:
    """Approach 3 fit on the Figure 4 points, computed once per process.

    Parameters
    ----------
    exclude_highest_loss : int, default 5
        Highest-loss points to drop before fitting, as
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`; the replication
        drops 5 (240 points remain), 0 keeps all 245.

    Returns
    -------
    Approach3Fit
        :func:`~chinchilla_lib.fitting.fit_approach3` on those points with the
        paper's settings (delta 1e-3, the 4,500-start grid).  The same object is
        returned on every call with the same argument: do not modify it.

    References
    ----------
    Hoffmann et al. 2022, Section 3.3, App. D.2; Besiroglu et al. 2024.
    Chapter *Approach 3: the parametric fit*.
    """
    if isinstance(exclude_highest_loss, bool) or not isinstance(exclude_highest_loss, (int, np.integer)):
        raise ValueError(f"exclude_highest_loss must be a whole number >= 0, got {exclude_highest_loss!r}")
    return _refit_cached(int(exclude_highest_loss))


@lru_cache(maxsize=4)
def _refit_cached(exclude_highest_loss: int) -> Approach3Fit:
    runs = load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss)
    return fit_approach3(*(runs[c].to_numpy() for c in _RUN_COLUMNS))


def law_vector(law: ParametricLaw) -> np.ndarray:
    """The optimisation vector ``(log A, log B, log E, alpha, beta)`` of a law.

    The order of :data:`chinchilla_lib.fitting.PARAMETER_ORDER`, so the result
    can be passed to :func:`~chinchilla_lib.fitting.huber_objective`.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    return np.array([math.log(law.A), math.log(law.B), math.log(law.E), law.alpha, law.beta])


def _runs(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in _RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"runs must have the columns {list(_RUN_COLUMNS)}; missing {missing}")
    return tuple(runs[c].to_numpy(dtype=float) for c in _RUN_COLUMNS)


def log_residuals(law: ParametricLaw, runs: pd.DataFrame) -> np.ndarray:
    """Residuals ``log L_law(N, D) - log L_observed`` of every run (the sign of Eq. (11)).

    Parameters
    ----------
    law : ParametricLaw
    runs : DataFrame
        Columns ``n_params``, ``n_tokens``, ``loss`` (as :func:`load_hoffmann_fig4`).

    Returns
    -------
    ndarray
        One residual per run; positive where the law predicts a higher loss
        than observed.  ``100 * r`` is about the error in percent.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    n, d, loss = _runs(runs)
    return np.log(law.loss(n, d)) - np.log(loss)


def residuals_frame(laws: Mapping[str, ParametricLaw], runs: pd.DataFrame) -> pd.DataFrame:
    """Long table of residuals: one row per (law, run).

    Returns
    -------
    DataFrame
        Columns ``law``, ``n_params``, ``n_tokens``, ``loss``, ``predicted``
        (nats per token) and ``residual`` (:func:`log_residuals`).

    References
    ----------
    Hoffmann et al. 2022, App. D.2; chapter *Approach 3: the parametric fit*.
    """
    n, d, loss = _runs(runs)
    parts = []
    for name, law in laws.items():
        predicted = law.loss(n, d)
        parts.append(pd.DataFrame({"law": name, "n_params": n, "n_tokens": d, "loss": loss,
                                   "predicted": predicted, "residual": np.log(predicted) - np.log(loss)}))
    return pd.concat(parts, ignore_index=True)


def fit_quality_table(laws: Mapping[str, ParametricLaw], runs: pd.DataFrame,
                      delta: float = DEFAULT_DELTA) -> pd.DataFrame:
    """The Eq. (11) objective and residual summaries of each law on the same runs.

    Returns
    -------
    DataFrame
        One row per law: ``law``, ``objective`` (the summed Huber loss of
        Eq. (11)), ``mean_abs_residual``, ``median_residual`` (log-loss
        residuals) and ``beyond_delta`` (share of runs with ``|r| > delta``,
        where Huber is linear rather than quadratic).

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11); Besiroglu et al. 2024, Section 3.
    """
    delta = positive_scalar("delta", delta, hint="the Huber threshold, 1e-3 in the paper")
    log_n, log_d, log_l = (np.log(v) for v in _runs(runs))
    rows = []
    for name, law in laws.items():
        r = log_residuals(law, runs)
        rows.append({"law": name, "objective": huber_objective(law_vector(law), log_n, log_d, log_l, delta)[0],
                     "mean_abs_residual": float(np.mean(np.abs(r))), "median_residual": float(np.median(r)),
                     "beyond_delta": float(np.mean(np.abs(r) > delta))})
    return pd.DataFrame(rows)


def parameter_table(laws: Mapping[str, ParametricLaw]) -> pd.DataFrame:
    """Constants of each law and its frontier exponent: ``law, E, A, B, alpha, beta, a``.

    References
    ----------
    Hoffmann et al. 2022, Eq. (2), Eq. (4), App. D.2 Eq. (10).
    """
    return pd.DataFrame([{"law": name, "E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha,
                          "beta": law.beta, "a": law.a} for name, law in laws.items()])


def allocation_table(laws: Mapping[str, ParametricLaw], flops: float) -> pd.DataFrame:
    """Compute-optimal allocation of each law at one budget.

    Returns
    -------
    DataFrame
        ``law``, ``a``, ``n_opt`` (parameters), ``d_opt`` (tokens) and
        ``tokens_per_param`` at ``flops`` (Eq. 4 with C = 6ND).

    References
    ----------
    Hoffmann et al. 2022, Eq. (4), Figure 4 caption.
    """
    flops = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    rows = []
    for name, law in laws.items():
        n_opt, d_opt = law.optimal_allocation(flops)
        rows.append({"law": name, "a": law.a, "n_opt": n_opt, "d_opt": d_opt, "tokens_per_param": d_opt / n_opt})
    return pd.DataFrame(rows)


def runs_for_width(width: float, n_runs: int, target_width: float) -> float:
    """Runs needed to shrink an interval of ``width`` (from ``n_runs`` runs) to ``target_width``.

    A bootstrap interval narrows like ``1 / sqrt(n_runs)``, so
    ``n_needed = n_runs * (width / target_width) ** 2``.

    References
    ----------
    Hoffmann et al. 2022, Table 2; Besiroglu et al. 2024, Section 4.
    """
    width = positive_scalar("width", width)
    target_width = positive_scalar("target_width", target_width)
    n_runs = positive_scalar("n_runs", n_runs, hint="the number of runs behind width")
    return float(n_runs * (width / target_width) ** 2)


def interval_width_by_runs(runs: pd.DataFrame, *, copies: Sequence[int] = (1, 2, 4, 8), quantity: str = "a",
                           level: float = 0.8, n_resamples: int = 1000, seed: int = 0,
                           fit: Approach3Fit | None = None) -> pd.DataFrame:
    """Bootstrap interval of ``quantity`` when every run is present ``k`` times.

    Bootstrapping the data repeated ``k`` times draws ``k n`` runs from the
    same empirical distribution: the interval one would get with ``k`` times as
    many runs like the ones we have.  The fit itself does not move (the
    objective is multiplied by ``k``), so each refit starts from ``fit``.

    Parameters
    ----------
    runs : DataFrame
        Columns ``n_params``, ``n_tokens``, ``loss``.
    copies : sequence of int
        The multiples ``k``.
    quantity, level :
        As :meth:`~chinchilla_lib.fitting.Approach3Bootstrap.interval`.
    n_resamples, seed :
        Bootstrap size and seed, the same for every ``k``.
    fit : Approach3Fit, optional
        The fit on ``runs``; fitted with the paper's grid when omitted.

    Returns
    -------
    DataFrame
        ``copies``, ``n_runs``, ``low``, ``high``, ``width``.

    References
    ----------
    Hoffmann et al. 2022, Table 2; chapter *Approach 3: the parametric fit*.
    """
    n, d, loss = _runs(runs)
    if fit is None:
        fit = fit_approach3(n, d, loss)
    rows = []
    for k in copies:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"copies must be whole numbers >= 1, got {k!r}")
        tiled = [np.tile(v, int(k)) for v in (n, d, loss)]
        fit_k = fit_approach3(*tiled, grid=fit.params)  # same optimum; one start suffices
        boot = bootstrap_approach3(*tiled, n_resamples=n_resamples, seed=seed, fit=fit_k)
        low, high = boot.interval(quantity, level)
        rows.append({"copies": int(k), "n_runs": int(k) * len(n), "low": low, "high": high, "width": high - low})
    return pd.DataFrame(rows)


def isoloss_grid(law: ParametricLaw, flops_range: tuple[float, float] = (1e18, 1e26),
                 n_range: tuple[float, float] = (1e7, 1e13), points: int = 200):
    """Loss of ``law`` on a log grid of budgets C and sizes N, with D = C / (6N).

    Returns
    -------
    flops, n_params, loss : 2-D arrays of shape (points, points)
        Mesh of budgets (columns) and sizes (rows), and L(N, C/(6N)).

    References
    ----------
    Hoffmann et al. 2022, Figure 4 (left).
    """
    c = np.logspace(math.log10(flops_range[0]), math.log10(flops_range[1]), points)
    n = np.logspace(math.log10(n_range[0]), math.log10(n_range[1]), points)
    cc, nn = np.meshgrid(c, n)
    loss = law.loss(nn.ravel(), (cc / (6.0 * nn)).ravel())  # the law takes 1-D arrays
    return cc, nn, np.reshape(loss, cc.shape)


def plot_isoloss(ax, law: ParametricLaw, runs: pd.DataFrame, *, levels: Sequence[float],
                 flops_range: tuple[float, float] = (1e18, 1e26), n_range: tuple[float, float] = (1e7, 1e13),
                 frontier_color: str = "#029e73", frontier_label: str = "efficient frontier",
                 cmap: str = "viridis_r"):
    """Iso-loss contours, the runs coloured by loss and the efficient frontier (Figure 4, left).

    Parameters
    ----------
    ax : matplotlib Axes
    law : ParametricLaw
        Law whose contours and frontier are drawn.
    runs : DataFrame
        Columns ``flops``, ``n_params``, ``loss``.
    levels : sequence of float
        Loss values of the contours; also the colour scale of the runs.
    flops_range, n_range : (low, high)
        Axis limits in FLOPs and parameters.
    frontier_color, frontier_label :
        Style of the frontier line N_opt(C).
    cmap : str
        Colour map shared by contours and runs.

    Returns
    -------
    matplotlib.collections.PathCollection
        The scatter of the runs, for a colour bar.

    References
    ----------
    Hoffmann et al. 2022, Figure 4 (left).
    """
    from matplotlib.colors import Normalize

    norm = Normalize(vmin=min(levels), vmax=max(levels))
    cc, nn, loss = isoloss_grid(law, flops_range, n_range)
    contours = ax.contour(cc, nn, loss, levels=levels, cmap=cmap, norm=norm, linewidths=0.9, alpha=0.8)
    ax.clabel(contours, contours.levels[::2], fmt="%.2f", fontsize=7, inline=True, colors="0.25")
    dots = ax.scatter(runs["flops"], runs["n_params"], c=runs["loss"], cmap=cmap, norm=norm, s=14,
                      edgecolor="0.2", linewidth=0.3, zorder=3)
    c = np.logspace(math.log10(flops_range[0]), math.log10(flops_range[1]), 100)
    ax.plot(c, law.optimal_allocation(c)[0], color=frontier_color, lw=2.2, zorder=4, label=frontier_label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*flops_range)
    ax.set_ylim(*n_range)
    ax.set_xlabel("training FLOPs C")
    ax.set_ylabel("parameters N")
    return dots


def plot_residuals(axes, residuals: pd.DataFrame, colors: Mapping[str, str], *, x: str = "n_tokens",
                   bins: int = 40) -> None:
    """Residuals in percent against ``x`` (first axes) and their histograms (second axes).

    Parameters
    ----------
    axes : pair of matplotlib Axes
    residuals : DataFrame
        As :func:`residuals_frame`.
    colors : mapping law name -> colour
        Laws to draw, in this order.
    x : str
        Column for the horizontal axis of the scatter (log scale).
    bins : int
        Histogram bins, shared by every law.

    References
    ----------
    Hoffmann et al. 2022, App. D.2; Besiroglu et al. 2024, Figure 3.
    """
    scatter_ax, hist_ax = axes
    shown = residuals[residuals["law"].isin(list(colors))]
    edges = np.histogram_bin_edges(100 * shown["residual"], bins=bins)
    for name, color in colors.items():
        part = shown[shown["law"] == name]
        scatter_ax.scatter(part[x], 100 * part["residual"], s=9, alpha=0.7, color=color, label=name)
        hist_ax.hist(100 * part["residual"], bins=edges, histtype="step", lw=1.6, color=color, label=name)
        hist_ax.axvline(100 * part["residual"].median(), color=color, ls=":", lw=1.2)
    scatter_ax.axhline(0.0, color="0.3", lw=0.8)
    scatter_ax.set_xscale("log")
    scatter_ax.set_xlabel({"n_tokens": "training tokens D", "n_params": "parameters N"}.get(x, x))
    scatter_ax.set_ylabel("log-loss residual (%)")
    hist_ax.axvline(0.0, color="0.3", lw=0.8)
    hist_ax.set_xlabel("log-loss residual (%)")
    hist_ax.set_ylabel("runs")
