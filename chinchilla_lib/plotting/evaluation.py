"""Figures of a two-model evaluation: per-task relative improvement (Figures 5-7), averages by category, law profiles.

Every function here takes the frames of :mod:`chinchilla_lib.evaluation.model_comparison` (any two models).

References
----------
Hoffmann et al. 2022, Figures 5, 6 and 7.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..laws.parametric import ParametricLaw
from .style import COLORS, INK, model_series, ordered_colors

__all__ = ["plot_improvement_bars", "plot_category_averages", "plot_law_profiles"]


def plot_improvement_bars(ax, pairs: pd.DataFrame, *, label: str = "task", group: str | None = None,
                          color: str = COLORS["chinchilla"], loss_color: str = COLORS["gopher"],
                          palette: Mapping[str, str] | None = None, fontsize: float = 7.0):
    """Horizontal bars of each task's relative improvement, in per cent, largest at the top.

    Parameters
    ----------
    ax : matplotlib Axes
    pairs : DataFrame
        :func:`~chinchilla_lib.evaluation.model_comparison.head_to_head` rows (``relative_improvement``,
        ``outcome`` and the ``label`` column).
    label : str, default "task"
        Column naming each bar.
    group : str, optional
        Column whose value colours each bar (e.g. an MMLU category), using ``palette``.
    color, loss_color : str
        Bar colours for a win or tie and for a loss, when ``group`` is None.
    palette : mapping, optional
        Colour per value of ``group`` (a sequential map by default, apart from the book's series).
    fontsize : float
        Size of the task labels.

    Returns
    -------
    matplotlib.container.BarContainer
    """
    rows = pairs.sort_values("relative_improvement").reset_index(drop=True)
    y = np.arange(len(rows))
    if group is None:
        colours = [loss_color if o == "loss" else color for o in rows["outcome"]]
    else:
        values = sorted(rows[group].unique())
        palette = dict(palette or zip(values, ordered_colors(len(values), "cividis")))
        colours = [palette[v] for v in rows[group]]
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=palette[v], label=v) for v in values], loc="lower right")
    bars = ax.barh(y, 100 * rows["relative_improvement"], color=colours, edgecolor="none")
    ax.set_yticks(y, rows[label], fontsize=fontsize)
    ax.axvline(0, color=INK["axis"], lw=0.8)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("relative improvement (%)")
    ax.grid(axis="y", visible=False)
    return bars


def plot_category_averages(ax, table: pd.DataFrame, models, *, colors: Mapping[str, str] | None = None):
    """Each model's average per category, over tasks (open markers) and over questions (filled).

    Parameters
    ----------
    ax : matplotlib Axes
    table : DataFrame
        Indexed by category with columns ``"<model>, tasks"`` and ``"<model>, questions"``
        (as :func:`chinchilla_lib.studies.evaluation.mmlu_categories`).
    models : sequence of str
    colors : mapping, optional
        Colour per model (``COLORS[model.lower()]`` by default).
    """
    y = np.arange(len(table))
    for i, model in enumerate(models):
        colour = (colors or {}).get(model, COLORS.get(model.lower(), None))
        offset = (i - (len(models) - 1) / 2) * 0.18
        ax.scatter(table[f"{model}, questions"], y + offset, color=colour, s=50, zorder=3,
                   label=f"{model}, over questions")
        ax.scatter(table[f"{model}, tasks"], y + offset, facecolor=INK["face"], edgecolor=colour, s=50, zorder=3,
                   label=f"{model}, over tasks")
        ax.hlines(y + offset, table[f"{model}, questions"], table[f"{model}, tasks"], color=colour, lw=1)
    ax.set_yticks(y, table.index)
    ax.set_xlabel("average accuracy (%)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot_law_profiles(ax, laws: Mapping[str, tuple[ParametricLaw, str]], models: Mapping[str, tuple[float, float]],
                      *, n_range: tuple[float, float] = (1e10, 2e12), n_points: int = 200):
    """Each law's loss along the IsoFLOP line of each model's budget, with the models marked.

    Parameters
    ----------
    ax : matplotlib Axes
    laws : mapping
        Label -> (law, colour).
    models : mapping
        Model name -> (n_params, n_tokens); its budget is C = 6 N D, drawn solid for the
        first model and dashed for the others.
    n_range : (low, high)
        Parameter range of the curves.
    n_points : int
        Points per curve.
    """
    n = np.geomspace(*n_range, n_points)
    for label, (law, colour) in laws.items():
        for j, (model, (n_model, d_model)) in enumerate(models.items()):
            budget = 6.0 * n_model * d_model
            ax.plot(n, law.loss(n, budget / (6.0 * n)), color=colour, lw=1.4, ls="-" if j == 0 else "--",
                    label=f"{label}, {model}'s budget")
            ax.scatter([n_model], [float(law.loss(n_model, d_model))], color=colour,
                       marker=model_series(model).marker, s=90,
                       edgecolor=INK["edge"], linewidth=0.6, zorder=4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters $N$ (tokens $D = C / 6N$)")
    ax.set_ylabel("predicted loss (nats per token)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small")
