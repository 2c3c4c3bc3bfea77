"""One figure style for the whole book.

Every chapter calls :func:`use_style` once and takes colours from
:data:`COLORS`, so an approach has the same colour in every figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import LogLocator

__all__ = ["COLORS", "use_style", "loglog_axes", "mark_model"]

#: A fixed colour per approach / source (colour-blind safe, seaborn "colorblind").
COLORS = {
    "approach1": "#0173b2",
    "approach2": "#de8f05",
    "approach3": "#029e73",
    "kaplan": "#d55e00",
    "paper": "#555555",
    "ours": "#cc78bc",
    "data": "#949494",
    "chinchilla": "#ca9161",
    "gopher": "#56b4e9",
}


def use_style() -> None:
    """Apply the book's matplotlib style (seaborn whitegrid, readable sizes)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.titlesize": "medium",
            "legend.fontsize": "small",
            "legend.frameon": False,
        }
    )


def loglog_axes(ax=None, *, xlabel: str = "", ylabel: str = ""):
    """Log-log axes with labelled decades; returns the axes."""
    if ax is None:
        _, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def mark_model(ax, x: float, y: float, label: str, color: str | None = None, marker: str = "*") -> None:
    """Mark and label one named model (e.g. Chinchilla, Gopher) on an axes."""
    ax.scatter([x], [y], marker=marker, s=160, color=color or COLORS.get(label.lower(), "black"),
               edgecolor="black", linewidth=0.6, zorder=5, label=label)
