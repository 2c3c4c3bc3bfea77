"""Figures of a parametric law on runs: iso-loss contours (Figure 4, left), residuals, interval widths, frontiers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..approaches.parametric import isoloss_grid
from ..laws.parametric import ParametricLaw
from .style import INK, SERIES, loglog_axes, mark_model

__all__ = ["plot_refit_isoloss", "plot_isoloss", "plot_residuals", "plot_frontier", "plot_width_by_runs", "plot_compute_optimal_sizes",
           "plot_descent_paths"]


def plot_isoloss(ax, law: ParametricLaw, runs: pd.DataFrame, *, levels: Sequence[float],
                 flops_range: tuple[float, float] = (1e18, 1e26), n_range: tuple[float, float] = (1e7, 1e13),
                 frontier_color: str = SERIES["approach3-ours"].color, frontier_label: str = "efficient frontier",
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
    step = max(1, len(contours.levels) // 5)
    spacing = float(np.min(np.diff(np.sort(contours.levels)))) if len(contours.levels) > 1 else 1.0
    fmt = "%.1f" if spacing * step >= 0.1 else "%.2f"
    ax.clabel(contours, contours.levels[::step], fmt=fmt, fontsize=9, inline=True, inline_spacing=8,
              colors=INK["text"])
    dots = ax.scatter(runs["flops"], runs["n_params"], c=runs["loss"], cmap=cmap, norm=norm, s=14,
                      edgecolor=INK["text"], linewidth=0.3, zorder=3)
    c = np.logspace(math.log10(flops_range[0]), math.log10(flops_range[1]), 100)
    ax.plot(c, law.optimal_allocation(c)[0], color=frontier_color, lw=2.2, zorder=4, label=frontier_label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*flops_range)
    ax.set_ylim(*n_range)
    ax.set_xlabel("training FLOPs $C$")
    ax.set_ylabel("parameters $N$")
    return dots


def plot_residuals(axes, residuals: pd.DataFrame, colors: Mapping[str, str], *, x: str = "n_tokens",
                   bins: int = 40) -> None:
    """Residuals in percent against ``x`` (first axes) and their histograms (second axes).

    Parameters
    ----------
    axes : pair of matplotlib Axes
    residuals : DataFrame
        As :func:`~chinchilla_lib.approaches.parametric.residuals_frame`.
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
    scatter_ax.axhline(0.0, color=INK["axis"], lw=0.8)
    scatter_ax.set_xscale("log")
    scatter_ax.set_xlabel({"n_tokens": "training tokens D", "n_params": "parameters $N$"}.get(x, x))
    scatter_ax.set_ylabel("log-loss residual (%)")
    hist_ax.axvline(0.0, color=INK["axis"], lw=0.8)
    hist_ax.set_xlabel("log-loss residual (%)")
    hist_ax.set_ylabel("runs")


def plot_frontier(ax, law: ParametricLaw, flops_range: tuple[float, float] = (1e17, 1e25), *, points: int = 100,
                  **style) -> None:
    """The efficient frontier N_opt(C) of ``law`` (Eq. 4) over ``flops_range``; ``style`` goes to ``ax.plot``.

    References
    ----------
    Hoffmann et al. 2022, Eq. (4), Figure 4 (left).
    """
    c = np.logspace(math.log10(flops_range[0]), math.log10(flops_range[1]), points)
    ax.plot(c, law.optimal_allocation(c)[0], **style)


def plot_width_by_runs(ax, widths: pd.DataFrame, *, width: float, n_runs: int, target_width: float,
                       n_needed: float, colors: Mapping[str, str] | None = None) -> None:
    """Interval width against the number of runs: bootstrap widths, the 1/sqrt(n) line, a target width.

    Parameters
    ----------
    ax : matplotlib Axes
    widths : DataFrame
        As :func:`~chinchilla_lib.approaches.parametric.interval_width_by_runs` (``n_runs``, ``width``).
    width, n_runs :
        The width from the full bootstrap of the ``n_runs`` runs; the 1/sqrt(n) line passes through it.
    target_width, n_needed :
        A width to reach (dashed) and the runs it would take (dotted,
        :func:`~chinchilla_lib.approaches.parametric.runs_for_width`).
    colors : mapping, optional
        ``"ours"`` and ``"paper"`` colours; the book's Approach 3 and printed-value colours by default.

    References
    ----------
    Hoffmann et al. 2022, Table 2; Besiroglu et al. 2024, Section 4.
    """
    colors = {"ours": SERIES["approach3-ours"].color, "paper": SERIES["printed"].color, **(colors or {})}
    n_line = np.logspace(np.log10(n_runs), np.log10(3 * n_needed), 50)
    loglog_axes(ax, xlabel="number of runs $n$", ylabel="width of the 10-90% interval of $a$")
    ax.plot(n_line, width * np.sqrt(n_runs / n_line), color=colors["ours"], ls="--",
            label=r"$1/\sqrt{n}$ from our runs")
    ax.scatter(widths["n_runs"], widths["width"], color=colors["ours"], zorder=3,
               label="bootstrap, runs repeated k times")
    ax.axhline(target_width, lw=1.0, color=colors["paper"], label="printed in Table 2")
    ax.axvline(n_needed, ls=":", color=colors["paper"])
    ax.annotate(f"about {round(n_needed, -3):,.0f} runs", (n_needed, target_width),
                textcoords="offset points", xytext=(-130, 12))
    ax.legend(loc="upper right")


_MARKERS = {1: "o", 2: "s", 3: "^"}


def plot_compute_optimal_sizes(ax, flops, curves: Mapping[str, tuple], printed: pd.DataFrame,
                               models: pd.DataFrame, *, legend_entries: int | None = None,
                               xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None) -> None:
    """Compute-optimal model size against compute: fitted allocations, printed projections, named models.

    Parameters
    ----------
    ax : matplotlib Axes
        Log-log axes (:func:`~chinchilla_lib.plotting.loglog_axes`).
    flops : array
        Budgets of the curves.
    curves : mapping label -> (n_opt, color, linestyle) or label -> (n_opt, series key)
        One line per allocation, ``n_opt`` evaluated at ``flops``; with a :data:`SERIES` key the
        series' colour and line style.
    printed : DataFrame
        The paper's projections (``chinchilla_lib/data/projections.csv``: ``approach``, ``flops``,
        ``n_params``, ``flops_typo_suspected``); one open marker per approach, the rows
        with a suspected typo left out.
    models : DataFrame
        ``model``, ``n_params``, ``n_tokens`` (Table 1): stars at C = 6ND.
    legend_entries : int, optional
        The first entries of the legend (the lines and printed markers) go upper left; the named
        models after them get a legend of their own, lower right, instead of labels beside their
        markers (which overlap where the models crowd together).  All in one legend by default.
    xlim, ylim : (low, high), optional
        Axis limits, set before the model labels are placed.

    References
    ----------
    Hoffmann et al. 2022, Figure 1, Tables 1, 3 and A3.
    """
    for label, spec in curves.items():
        if len(spec) == 2:
            ax.plot(flops, spec[0], **SERIES[spec[1]].line(label=label))
        else:
            ax.plot(flops, spec[0], color=spec[1], ls=spec[2], label=label)
    for k in sorted(printed["approach"].unique()):
        rows = printed[(printed["approach"] == k) & ~printed["flops_typo_suspected"]]
        look = SERIES.get(f"approach{k}-paper", SERIES["printed"])
        # open markers, the circles drawn larger, so that near-equal projections stay visible
        ax.scatter(rows["flops"], rows["n_params"], s=80 if k == 1 else 34, lw=1.4, zorder=6, **look.points())
    for row in models.itertuples():
        chinchilla = row.model == "Chinchilla"  # drawn over the projections it sits on, smaller
        mark_model(ax, 6 * row.n_params * row.n_tokens, row.n_params, row.model, zorder=7 if chinchilla else 4,
                   size=90 if chinchilla else 60, filled=chinchilla)
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    handles, labels = ax.get_legend_handles_labels()
    if legend_entries is not None and legend_entries < len(handles):
        # the named models in a legend of their own, lower right: the models of 2020-2022 sit so close
        # together that labels beside their markers would overlap them and each other
        ax.add_artist(ax.legend(handles[legend_entries:], labels[legend_entries:], loc="lower right",
                                fontsize="x-small", title="models (C = 6ND)", title_fontsize="x-small"))
    ax.legend(handles[:legend_entries], labels[:legend_entries], loc="upper left", fontsize="x-small")


def plot_descent_paths(ax, paths: Mapping[str, tuple[pd.DataFrame, str]],
                       points: Mapping[str, tuple[ParametricLaw, str, str]], *, diagonal: bool = True):
    """Optimiser paths in the (alpha, beta) plane, with named laws marked.

    Parameters
    ----------
    ax : matplotlib Axes
    paths : mapping label -> (path, colour)
        Iterates with columns ``alpha`` and ``beta`` (e.g. :class:`~chinchilla_lib.approaches.parametric.lbfgsb.LbfgsbDescent`
        ``.path``); each drawn as a line with its end point as a dot.
    points : mapping label -> (law, colour, marker)
        Laws marked at their (alpha, beta).
    diagonal : bool
        Draw alpha = beta (a = 1/2), which separates alpha > beta (below) from beta > alpha.
    """
    for label, (path, color) in paths.items():
        ax.plot(path["alpha"], path["beta"], color=color, lw=1.4, label=label)
        ax.scatter(path["alpha"].iloc[-1:], path["beta"].iloc[-1:], color=color, s=30, zorder=4)
    for label, (law, color, marker) in points.items():
        ax.scatter([law.alpha], [law.beta], color=color, marker=marker, s=80, zorder=5, label=label,
                   edgecolor=INK["face"])
    if diagonal:
        lo, hi = ax.get_xlim()
        ax.plot([lo, hi], [lo, hi], color=INK["guide"], lw=0.8, ls=":", label=r"$\alpha = \beta$")
        ax.set_xlim(lo, hi)
    ax.set_xlabel(r"$\alpha$ (parameter exponent)")
    ax.set_ylabel(r"$\beta$ (data exponent)")
    return ax


def plot_refit_isoloss(ax, law: ParametricLaw, reference: ParametricLaw, runs: pd.DataFrame, models: pd.DataFrame,
                       printed_point: tuple[float, float], *, levels: Sequence[float],
                       flops_range=(1e17, 1e25), n_range=(1e7, 1e12)):
    """Our refit's iso-loss contours and frontier against the paper's, with models and a printed optimum.

    Parameters
    ----------
    law, reference : ParametricLaw
        Our fit (contours and solid frontier) and the paper's law (dashed frontier).
    runs : DataFrame
        ``flops``, ``n_params``, ``loss``.
    models : DataFrame
        Indexed by model name, ``n_params`` and ``n_tokens`` (Table 1): marked at C = 6ND.
    printed_point : (flops, n_params)
        The paper's printed optimal size at one budget (an open triangle).

    References
    ----------
    Hoffmann et al. 2022, Figure 4 (left), Table 1, Table 3.
    """
    dots = plot_isoloss(ax, law, runs, levels=levels, flops_range=flops_range, n_range=n_range,
                        frontier_label="frontier, ours (Approach 3)")
    full = SERIES["paper-full"]
    plot_frontier(ax, reference, flops_range, lw=1.8, **full.line(ls="--", label="frontier, " + full.label))
    for row in models.itertuples():
        mark_model(ax, 6 * row.n_params * row.n_tokens, row.n_params, row.Index, zorder=6)
    ax.scatter(*[[v] for v in printed_point], s=120, lw=1.8, zorder=7,
               **SERIES["approach3-paper"].points(label="paper: $N_{opt}$ at Gopher's budget"))
    ax.figure.colorbar(dots, ax=ax, label="loss (nats per token)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return dots
