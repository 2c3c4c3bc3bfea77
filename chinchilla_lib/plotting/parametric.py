"""Figures of a parametric law on runs: iso-loss contours (Figure 4, left) and residuals (Approach 3)."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..laws import ParametricLaw
from ..parametric import isoloss_grid
from .style import COLORS

__all__ = ["plot_isoloss", "plot_residuals"]


def plot_isoloss(ax, law: ParametricLaw, runs: pd.DataFrame, *, levels: Sequence[float],
                 flops_range: tuple[float, float] = (1e18, 1e26), n_range: tuple[float, float] = (1e7, 1e13),
                 frontier_color: str = COLORS["approach3"], frontier_label: str = "efficient frontier",
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
        As :func:`~chinchilla_lib.parametric.residuals_frame`.
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
