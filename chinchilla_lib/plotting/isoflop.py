"""IsoFLOP profiles (Approach 2, Hoffmann et al. 2022 Figure 3) of any runs and their fit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..approaches.isoflop import IsoFLOPResult, IsoFLOPWarning, akima_curve, fit_isoflop_frame
from .style import (
    COLORS,
    INK,
    SERIES,
    key_line,
    key_patch,
    legend_with,
    loglog_axes,
    ordered_colors,
    readable_log_ticks,
)

__all__ = ["plot_profiles", "plot_power_laws", "plot_akima_and_parabola", "plot_exponent_differences",
           "plot_vertex_ratios", "plot_width_study", "plot_robustness", "plot_flop_convention"]


def plot_profiles(ax, runs: pd.DataFrame, fit: IsoFLOPResult, *, cmap: str = "viridis",
                  budget_col: str = "budget", label_every: int = 1) -> None:
    """IsoFLOP profiles (loss against N, one colour per budget) with the fitted curves and minima.

    ``runs`` has ``n_params``, ``loss`` and the budget of every run in
    ``budget_col`` (NaN: drawn in grey, not fitted); ``fit`` is the
    :class:`~chinchilla_lib.approaches.isoflop.IsoFLOPResult` of those runs.  Parabolas
    are drawn from the stored coefficients; for ``method="akima"`` the Akima
    curve is recomputed.  Minima that entered the power-law fit are black
    diamonds; left-out budgets are drawn dashed.
    """
    import matplotlib.pyplot as plt

    free = runs[runs[budget_col].isna()]
    if len(free):
        ax.scatter(free["n_params"], free["loss"], s=8, color=COLORS["data"], alpha=0.4, label="not on a strip")
    table = fit.budgets.set_index("budget")
    budgets = np.sort(runs[budget_col].dropna().unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, budgets.size))
    for k, (budget, colour) in enumerate(zip(budgets, colours)):
        members = runs[runs[budget_col] == budget]
        label = f"{budget:.2g}" if k % label_every == 0 else None
        ax.scatter(members["n_params"], members["loss"], s=14, color=colour, label=label, zorder=3)
        x = np.log(members["n_params"].to_numpy(float))
        row = table.loc[budget]
        if fit.method == "akima":
            grid, curve = akima_curve(x, members["loss"].to_numpy(float))
        else:
            grid = np.linspace(x.min(), x.max(), 200)
            curve = row["c2"] * grid**2 + row["c1"] * grid + row["c0"]
        ax.plot(np.exp(grid), curve, color=colour, lw=1.2, ls="-" if row["used"] else "--")
        if row["used"]:
            ax.scatter([row["n_opt"]], [row["loss_opt"]], marker="D", s=30, color=INK["truth"], zorder=4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters $N$")
    ax.set_ylabel("final loss (nats per token)")


def plot_power_laws(axes, fit: IsoFLOPResult, *, color: str = SERIES["approach2-ours"].color,
                    extend_to: float | None = None) -> None:
    """N_opt (``axes[0]``) and D_opt (``axes[1]``) per budget with an IsoFLOP fit's power laws (Figure 3).

    The shaded band spans the bootstrap interval of the exponent, pivoting about the
    geometric mean of the budgets.  With ``extend_to`` (a budget outside the data, e.g. one
    to plan at), the laws continue dashed to it: an extrapolation.
    """
    budgets = fit.budgets["budget"]
    c_grid = np.geomspace(budgets.min() / 2, budgets.max() * 2, 50)
    pivot = np.exp(np.log(budgets).mean())
    panels = ((axes[0], "n_opt", "$N_{opt}$ (parameters)", fit.n_coef, fit.a, 1),
              (axes[1], "d_opt", "$D_{opt}$ (tokens)", fit.d_coef, fit.b, -1))
    for ax, col, ylabel, coef, exp, sign in panels:
        loglog_axes(ax, xlabel="budget $C$ (FLOPs)", ylabel=ylabel)
        centre = coef * pivot**exp
        band = [centre * (c_grid / pivot) ** (exp + sign * (a - fit.a)) for a in fit.a_interval]
        ax.fill_between(c_grid, *band, color=color, alpha=0.2, lw=0, label="10-90% interval of the exponent")
        ax.plot(c_grid, coef * c_grid**exp, color=color, label=f"fit, exponent {exp:.3f}")
        if extend_to is not None and not c_grid[0] <= extend_to <= c_grid[-1]:
            start = c_grid[-1] if extend_to > c_grid[-1] else c_grid[0]
            far = np.geomspace(start, extend_to, 20)
            ax.plot(far, coef * far**exp, color=color, ls="--", label="extrapolated")
        ax.scatter(budgets, fit.budgets[col], color=INK["truth"], s=18, zorder=3, label="parabola minima")
        ax.legend(loc="upper left", fontsize="x-small")
        readable_log_ticks(ax)


def plot_akima_and_parabola(ax, runs: pd.DataFrame, *, loss_quantile: float = 0.6,
                            vertex_color: str = SERIES["approach2-paper"].color, legend: bool = True) -> None:
    """IsoFLOP profiles of runs with exact budgets: Akima curves and minima, and the parabola's vertices.

    ``runs`` has ``n_params``, ``flops`` (exact budgets) and ``loss``, e.g. one Porian
    et al. configuration.  Crosses mark the parabola vertices of the budgets whose
    minimum the parabola brackets; the plot shows losses up to the ``loss_quantile``.
    With ``legend``, budgets (colours) and marks are keyed outside the axes.
    """
    runs = runs.assign(budget=runs["flops"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        akima = fit_isoflop_frame(runs, method="akima", n_bootstrap=0)
        parabola = fit_isoflop_frame(runs, n_bootstrap=0)
    plot_profiles(ax, runs, akima)
    inside = parabola.budgets[parabola.budgets["used"]]
    ax.scatter(inside["n_opt"], inside["loss_opt"], marker="x", color=vertex_color, s=60, lw=2, zorder=5,
               label="parabola vertex")
    extra = [key_line("Akima minimum", marker="D", ls="none", color=INK["truth"])]
    if not akima.budgets["used"].all():
        extra.append(key_line("budget dropped", ls="--", color=INK["guide"]))
    ax.set_ylim(runs["loss"].min() - 0.1, runs["loss"].quantile(loss_quantile))
    if legend:
        legend_with(ax, extra, title="budget (FLOPs)", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    fontsize="x-small")


def plot_exponent_differences(ax, reference, estimates: dict, *, colors=None, markers="os^v",
                              tolerance: float | None = None, xlabel: str = "reference exponent") -> None:
    """Exponents by several estimators minus a reference, against the reference.

    ``estimates`` maps a label to an array of exponents (same order as ``reference``);
    ``colors`` gives one colour per estimator.  A grey band marks ``±tolerance``.
    """
    colors = colors or ordered_colors(len(estimates), "cividis")
    if tolerance is not None:
        ax.axhspan(-tolerance, tolerance, color=INK["band"], zorder=0)
    for (label, values), marker, colour in zip(estimates.items(), markers, colors):
        ax.scatter(reference, np.asarray(values) - np.asarray(reference), marker=marker, color=colour, label=label)
    ax.axhline(0, color=INK["axis"], lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ours minus theirs")
    extra = [key_patch("tolerance", color=INK["band"])] if tolerance is not None else []
    legend_with(ax, extra, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot_vertex_ratios(axes, widths: pd.DataFrame, shifts: pd.DataFrame, *, colors=None) -> None:
    """The parabola's N_opt over the true one, against grid width (``axes[0]``) and grid shift (``axes[1]``).

    ``widths`` and ``shifts`` are :func:`~chinchilla_lib.studies.isoflop_bias.width_sweep`
    and :func:`~chinchilla_lib.studies.isoflop_bias.shift_sweep` tables; markers are the
    simulation, lines on the left the leading-order formula.  One colour per law.
    """
    colors = colors or ordered_colors(widths["law"].nunique(), "cividis")
    for name, colour in zip(widths["law"].unique(), colors):
        w, s = widths[widths["law"] == name], shifts[shifts["law"] == name]
        axes[0].plot(w["width"], w["approx"], color=colour, lw=1)
        axes[0].scatter(w["width"], w["ratio"], color=colour, s=18, label=name)
        axes[1].plot(s["shift"], s["ratio"], "o-", color=colour, ms=4, label=name)
    axes[0].set_xlabel("half-width of the sizes (decades)")
    axes[1].set_xlabel("centre of the sizes minus true optimum (decades)")
    for ax in axes:
        ax.set_ylabel(r"estimated / true $N_{opt}$")
    legend_with(axes[0], [key_line("leading-order formula", color=INK["axis"], lw=1)], loc="upper left",
                fontsize="x-small")


def plot_width_study(axes, table: pd.DataFrame, true_a: float, *, color: str = SERIES["approach2-ours"].color,
                     bias_color: str = INK["axis"]) -> None:
    """A :func:`~chinchilla_lib.studies.isoflop_bias.width_study`: spread of a (``axes[0]``), vertex bias (``axes[1]``)."""
    ax = axes[0]
    ax.fill_between(table["width"], table["a_low"], table["a_high"], color=color, alpha=0.25, lw=0,
                    label="10th-90th percentile")
    ax.plot(table["width"], table["a_median"], "o-", color=color, label="median")
    ax.axhline(true_a, color=INK["truth"], ls=":", label="true $a$")
    ax.set_ylabel("fitted exponent $a$")
    ax.legend(loc="lower right")
    axes[1].plot(table["width"], table["vertex_ratio"], "s-", color=bias_color, ms=4)
    axes[1].set_ylabel(r"noise-free $N_{opt}$ / true $N_{opt}$")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("half-width of the sizes (decades)")


def plot_robustness(axes, table: pd.DataFrame, *, reference: tuple[float, float, float] | None = None,
                    chosen: tuple[float, int] | None = None, points: int = 240, budgets: str = "plotted",
                    cmap: str = "viridis") -> None:
    """Approach 2's exponent against the grouping gap, one line per minimum strip size (robustness study).

    ``axes[0]`` shows the parabola, ``axes[1]`` the Akima spline, for one point set and
    budget reading of :func:`~chinchilla_lib.studies.figure4.approach2_robustness`.
    ``reference`` = (a, low, high) draws the paper's value and its interval (grey);
    ``chosen`` = (gap, min_points) rings the book's grouping.
    """
    import matplotlib.pyplot as plt

    part = table[(table["points"] == points) & (table["budgets"] == budgets)]
    sizes = np.sort(part["min_points"].unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, sizes.size))
    for ax, method, title in zip(axes, ("parabola", "akima"), ("parabola (the paper's)", "Akima (Porian et al.'s)")):
        rows = part[part["method"] == method]
        if reference is not None:
            ax.axhspan(reference[1], reference[2], color=COLORS["paper"], alpha=0.15, lw=0)
            ax.axhline(reference[0], color=COLORS["paper"], lw=1, ls="--")
        for m, colour in zip(sizes, colours):
            line = rows[rows["min_points"] == m].sort_values("gap")
            ax.plot(line["gap"] * 100, line["a"], marker="o", ms=3, lw=1, color=colour, label=f"{m}")
        if chosen is not None:
            hit = rows[(rows["gap"] == chosen[0]) & (rows["min_points"] == chosen[1])]
            ax.scatter(hit["gap"] * 100, hit["a"], s=90, facecolor="none", edgecolor=INK["edge"], zorder=4)
        ax.set_title(title)
        ax.set_xlabel("grouping gap (%)")
    axes[0].set_ylabel("exponent $a$")
    extra = [key_line("this book's grouping", marker="o", ms=9, ls="none", mfc="none", color=INK["truth"])]
    if reference is not None:
        extra.insert(0, key_line("paper's $a$ (10-90%)", color=COLORS["paper"], ls="--", lw=1))
    legend_with(axes[-1], extra, title="min. runs", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                fontsize="x-small")


def plot_flop_convention(ax, table: pd.DataFrame, *, cmap: str = "viridis") -> None:
    """Nominal budget over plotted FLOPs for every strip point against N, with the Appendix F / 6N ratio.

    ``table`` is :func:`~chinchilla_lib.studies.figure4.flop_convention`: coloured dots
    per strip (``ratio``), black crosses for the Table A9 model's exact/6ND ratio
    (``appf_ratio``) and grey pluses with embeddings counted.
    """
    import matplotlib.pyplot as plt

    strips = np.sort(table["nominal"].unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, strips.size))
    for nominal, colour in zip(strips, colours):
        rows = table[table["nominal"] == nominal]
        ax.scatter(rows["n_params"], rows["ratio"], s=14, color=colour, label=f"{nominal:.0e}", zorder=3)
    ax.scatter(table["n_params"], table["appf_ratio"], marker="x", s=22, color=INK["truth"], lw=0.8, zorder=4,
               label="App. F / $6N$")
    ax.scatter(table["n_params"], table["appf_ratio_embeddings"], marker="+", s=22, color=COLORS["data"],
               lw=0.8, zorder=2, label="with embeddings")
    ax.set_xscale("log")
    ax.set_xlabel("parameters $N$")
    ax.set_ylabel("nominal budget / plotted FLOPs")
