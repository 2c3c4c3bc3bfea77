"""Approach 1 figures (Hoffmann et al. 2022, Section 3.1, Figure 2) of any training curves.

:func:`plot_training_curves` (curves and their lower envelope), :func:`plot_staircase` (the
envelope's argmin size), :func:`plot_fixed_ratio_lines` (N at fixed tokens per parameter),
:func:`plot_sliding_exponents` (windowed exponents) and :func:`plot_envelope_margin` (how far
the runner-up lies above the envelope).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import COLORS, INK, key_line, legend_with, ordered_colors, readable_log_ticks

__all__ = ["plot_horizon_study", "plot_llama_envelope", "plot_training_curves", "plot_staircase", "plot_fixed_ratio_lines", "plot_sliding_exponents",
           "plot_envelope_margin"]


def plot_staircase(ax, envelope: pd.DataFrame, *, color_by: pd.Series | None = None,
                   relative_to=None, cmap: str = "viridis", label_format: str = "{:.0f} tokens/param") -> None:
    """The envelope's argmin model size against FLOPs (Figure 2, centre).

    Parameters
    ----------
    ax : matplotlib Axes
    envelope : DataFrame
        Output of :func:`~chinchilla_lib.approaches.envelope.lower_envelope`.
    color_by : Series, optional
        A category per envelope point (e.g. :func:`~chinchilla_lib.approaches.envelope.envelope_horizons`); each
        distinct value gets a colour and a legend entry (``label_format``).
    relative_to : array of float, optional
        Divide the argmin size by this (e.g. the true N_opt at each FLOP
        value) to show the staircase's error instead of the size.
    """
    size = envelope["n_params"].to_numpy(float)
    y = size if relative_to is None else size / np.asarray(relative_to, dtype=float)
    if color_by is None:
        ax.scatter(envelope["flops"], y, s=4, color=COLORS["approach1"], label="envelope argmin", rasterized=True)
    else:
        import matplotlib.pyplot as plt

        values = np.sort(color_by.unique())
        colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, values.size))
        for value, colour in zip(values, colours):
            here = (color_by == value).to_numpy()
            ax.scatter(envelope["flops"][here], y[here], s=4, color=colour, label=label_format.format(value),
                       rasterized=True)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("FLOPs $C$")
    ax.set_ylabel("envelope's model size $N$" if relative_to is None
                  else r"$\arg\min N \,/\, N_{opt}$ (true)")


def plot_training_curves(ax, curves: pd.DataFrame, *, curve_col: str = "run", envelope: pd.DataFrame | None = None,
                         colors: dict | None = None, end_points: int | None = None, envelope_label: str | None = None,
                         envelope_lw: float = 1.5, ylabel: str = "loss (nats per token)") -> None:
    """Training curves (loss against FLOPs) and, optionally, their lower envelope (Figure 2, left).

    Parameters
    ----------
    ax : matplotlib Axes
    curves : DataFrame
        ``flops``, ``loss`` and ``curve_col`` (one curve per value, rows in training order).
    envelope : DataFrame, optional
        :func:`~chinchilla_lib.approaches.envelope.lower_envelope` output, drawn in black.
    colors : dict, optional
        Curve name -> colour; then every curve is labelled, in the dict's order. Without it
        all curves are thin, unlabelled and in the data colour.
    end_points : int, optional
        Mark where each curve ends, at the median loss of its last ``end_points`` points.
    """
    groups = dict(tuple(curves.groupby(curve_col)))
    for name in (colors or groups):
        curve = groups[name]
        colour = COLORS["data"] if colors is None else colors[name]
        # dense curves are embedded as an image inside the SVG (the axes and text stay vector)
        ax.plot(curve["flops"], curve["loss"], lw=0.6, color=colour, label=None if colors is None else name,
                rasterized=len(curve) > 500)
        if end_points:
            ax.scatter(curve["flops"].max(), curve["loss"].iloc[-end_points:].median(), color=colour,
                       edgecolor=INK["edge"], zorder=4)
    if envelope is not None:
        ax.plot(envelope["flops"], envelope["loss"], color=INK["truth"], lw=envelope_lw, label=envelope_label)
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs $C$")
    ax.set_ylabel(ylabel)


def plot_fixed_ratio_lines(ax, flops, tokens_per_param, *, relative_to=None) -> None:
    """Dashed grey lines of N = sqrt(C / (6 r)), the size at a fixed ``r`` tokens per parameter.

    Along one cosine horizon D = r N, so C = 6 r N^2 and N grows as C^(1/2).  With
    ``relative_to`` (e.g. the true N_opt at each FLOP value), N is divided by it, as in
    :func:`plot_staircase`.
    """
    flops = np.asarray(flops, dtype=float)
    scale = 1.0 if relative_to is None else np.asarray(relative_to, dtype=float)
    for r in tokens_per_param:
        ax.plot(flops, np.sqrt(flops / (6 * r)) / scale, ls="--", lw=0.8, color=INK["guide"])


def plot_sliding_exponents(ax, tables: dict, *, truth: float | None = None, colors=None) -> None:
    """Exponents fitted to windows of envelopes against the window's centre.

    Parameters
    ----------
    ax : matplotlib Axes
    tables : dict
        Label -> :func:`~chinchilla_lib.approaches.envelope.sliding_exponents` output (``centre``, ``a``).
    truth : float, optional
        A true exponent, drawn dotted.  The fixed-horizon slope 1/2 is always marked in grey.
    colors : sequence, optional
        One colour per table (default: data, Approach 1, Approach 3 colours).
    """
    colors = colors or ordered_colors(len(tables))
    for (label, table), colour in zip(tables.items(), colors):
        ax.plot(table["centre"], table["a"], "o-", ms=3, color=colour, label=label)
    if truth is not None:
        ax.axhline(truth, color=INK["truth"], ls=":", label="true $a$")
    ax.axhline(0.5, color=INK["guide"], lw=0.8, label="fixed horizon, $a = 1/2$")
    ax.set_xscale("log")
    ax.set_xlabel("centre of the fitted window (FLOPs)")
    ax.set_ylabel("fitted $a$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small")


def plot_envelope_margin(ax, envelope: pd.DataFrame, *, colors: dict, band: float | None = None,
                         band_label: str = "noise level") -> None:
    """The runner-up's distance above the envelope at each budget, coloured by the winning curve.

    Parameters
    ----------
    ax : matplotlib Axes
    envelope : DataFrame
        :func:`~chinchilla_lib.approaches.envelope.envelope_margin` output (``flops``, ``curve``, ``margin``).
    colors : dict
        Curve name -> colour.
    band : float, optional
        Shade margins from 0 to ``band`` (e.g. the curves' noise level) in grey.
    """
    if band is not None:
        ax.axhspan(0, band, color=INK["band"], zorder=0, label=band_label)
    groups = dict(tuple(envelope.groupby("curve")))
    for name in [n for n in colors if n in groups]:
        part = groups[name]
        ax.scatter(part["flops"], part["margin"], s=3, color=colors[name], label=name, rasterized=True)
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs $C$")
    ax.set_ylabel("runner-up minus envelope (nats)")
    ax.legend(title="on the envelope", loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=3)


def plot_horizon_study(axes, curves: pd.DataFrame, envelope: pd.DataFrame, true_n, horizons: pd.Series,
                       tokens_per_param, *, sizes=None, ratio_range=(0.4, 2.5)) -> None:
    """A simulated Approach 1: curves with their envelope (``axes[0]``), the staircase's error (``axes[1]``).

    Parameters
    ----------
    curves, envelope : DataFrame
        Simulated training curves (``n_params``, ``flops``, ``loss``) and their lower envelope.
    true_n : array
        The true N_opt at each envelope budget.
    horizons : Series
        The winning run's horizon per envelope point (colours of the staircase).
    tokens_per_param : sequence of float
        The cosine horizons, drawn as dashed lines of fixed tokens per parameter.
    sizes : sequence, optional
        Model sizes whose curves are drawn (all by default).
    """
    shown = curves if sizes is None else curves[curves["n_params"].isin(sizes)]
    plot_training_curves(axes[0], shown, envelope=envelope, envelope_label="lower envelope")
    axes[0].set_xlim(envelope["flops"].min(), envelope["flops"].max())
    axes[0].set_ylim(envelope["loss"].min() - 0.05, 4.0)
    curves_key = key_line("training curves", lw=0.6, color=COLORS["data"])
    plot_staircase(axes[1], envelope, color_by=horizons, relative_to=true_n)
    plot_fixed_ratio_lines(axes[1], envelope["flops"], tokens_per_param, relative_to=true_n)
    fixed_key = key_line("fixed tokens per parameter", ls="--", lw=0.8, color=INK["guide"])
    axes[1].axhline(1.0, color=INK["truth"], lw=1.2, label="truth")
    axes[1].set_ylim(*ratio_range)
    readable_log_ticks(axes[1], "y")
    for ax, extra in zip(axes, ([curves_key], [fixed_key])):
        legend_with(ax, extra, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize="x-small",
                    markerscale=3)


def plot_llama_envelope(axes, curves: pd.DataFrame, envelope: pd.DataFrame, models, *, band: float | None = None,
                        end_points: int = 50) -> None:
    """Training curves of named models with their envelope (``axes[0]``) and its margin (``axes[1]``).

    One colour per model, in ``models`` order (smallest first), keyed in both panels.
    """
    palette = dict(zip(models, ordered_colors(len(models))))
    plot_training_curves(axes[0], curves, curve_col="model", envelope=envelope, colors=palette,
                         end_points=end_points, envelope_lw=1.2, envelope_label="envelope",
                         ylabel="training loss (nats per token)")
    axes[0].set_ylim(curves["loss"].min() - 0.02, envelope["loss"].max() + 0.05)
    axes[0].legend(loc="lower left")
    plot_envelope_margin(axes[1], envelope, colors=palette, band=band, band_label="digitisation scatter")
