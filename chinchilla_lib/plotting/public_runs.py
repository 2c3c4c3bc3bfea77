"""Figure of the model-size exponent a per data set and approach, with bootstrap intervals.

References
----------
Hoffmann et al. 2022, Table 2; :mod:`chinchilla_lib.studies.public_runs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import COLORS, INK

__all__ = ["plot_exponents"]

_MARKERS = {"total": "o", "non-embedding": "s"}


def plot_exponents(ax, table: pd.DataFrame, *, reference: float | None = None, band=None) -> None:
    """a with its interval, one row of the axes per data set, one offset per approach and parameter count.

    Parameters
    ----------
    ax : matplotlib Axes
    table : DataFrame
        :func:`~chinchilla_lib.studies.public_runs.approaches_table` (refused rows are drawn as a cross at
        the left edge).
    reference : float, optional
        A vertical line (e.g. Table 2's a).
    band : (float, float), optional
        A shaded range of a (e.g. the later studies' exponents).
    """
    sets = list(dict.fromkeys(table["data set"]))
    y_of = {name: len(sets) - 1 - i for i, name in enumerate(sets)}
    if band is not None:
        ax.axvspan(*band, color=COLORS["data"], alpha=0.2, lw=0, label="later studies' a")
    if reference is not None:
        ax.axvline(reference, color=COLORS["approach1-paper"], ls="--", lw=1, label="Table 2, Approach 1 (paper)")
    labelled = set()
    for _, row in table.iterrows():
        offset = (row["approach"] - 2) * 0.22 + (0.07 if row["parameters"] == "non-embedding" else -0.07)
        y = y_of[row["data set"]] + offset
        color = COLORS[f"approach{row['approach']}"]
        key = (row["approach"], row["parameters"]) if row["status"] == "decided" else "refused"
        label = None if key in labelled else (
            "refused (cannot decide)" if key == "refused" else f"Approach {row['approach']}, {row['parameters']}")
        labelled.add(key)
        if key == "refused":
            ax.scatter([0.02], [y], marker="x", color=color, s=18, lw=1, label=label)
            continue
        xerr = [[row["a"] - row["low"]], [row["high"] - row["a"]]]
        ax.errorbar([row["a"]], [y], xerr=xerr, fmt=_MARKERS[row["parameters"]],
                    color=color, ms=4.5, lw=1.1, capsize=2, label=label,
                    mfc=INK["face"] if row["parameters"] == "non-embedding" else color)
    ax.set_yticks(np.arange(len(sets)))
    ax.set_yticklabels(list(reversed(sets)))
    ax.set_xlim(0.0, 0.8)
    ax.set_xlabel(r"$a$ in $N_{opt} \propto C^a$ (10th-90th percentile bootstrap interval; x: refused)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="x-small")
