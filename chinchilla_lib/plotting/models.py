"""Named models against compute-optimal allocations, in the (N, D) plane (Hoffmann et al. 2022, Table 1, Table 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..laws.parametric import ParametricLaw
from .style import INK, SERIES, label_points, loglog_axes, mark_model

__all__ = ["plot_tokens_against_parameters"]


def plot_tokens_against_parameters(ax, models: pd.DataFrame, projections: pd.DataFrame, law: ParametricLaw,
                                   tokens_per_param: float, *, n_range=(1e8, 1e13), d_range=(1e9, 1e15),
                                   budgets=(1e18, 1e20, 1e22, 1e24, 1e26, 1e28)):
    """Models (``model``, ``n_params``, ``n_tokens``) against the paper's allocations.

    Draws lines of equal compute C = 6ND (grey, one per ``budgets``), the fixed ratio
    ``tokens_per_param`` (dashed), ``law``'s frontier and the printed Approach 1 projections
    ``projections`` (Table 3, open circles drawn over the stars so none hides); labels every
    model without overlaps and keys every series.

    References
    ----------
    Hoffmann et al. 2022, Table 1, Table 3, Eq. (4).
    """
    loglog_axes(ax, xlabel="parameters $N$", ylabel="training tokens $D$")
    n_grid = np.geomspace(*n_range, 50)
    ax.plot(n_grid, np.outer(1 / (6 * n_grid), np.asarray(budgets)), color=INK["band"], lw=0.8, zorder=0)
    a1 = SERIES["approach1-paper"]
    ax.plot(n_grid, tokens_per_param * n_grid, **a1.line(label=f"{tokens_per_param:.0f} tokens per parameter"))
    ax.plot(*law.optimal_allocation(np.geomspace(1e18, 1e29, 50)), **SERIES["paper-full"].line(
        label="parametric frontier, paper's law (full precision)"))
    ax.scatter(projections["n_params"], projections["n_tokens"], s=36, lw=1.3, zorder=6,
               **a1.points(label="Approach 1 projections (paper, Table 3)"))
    for row in models.itertuples():
        mark_model(ax, row.n_params, row.n_tokens, row.model, size=150 if row.model == "Chinchilla" else 60,
                   zorder=4, filled=row.model == "Chinchilla")
    label_points(ax, models["n_params"], models["n_tokens"], models["model"],
                 avoid=(projections["n_params"], projections["n_tokens"]))
    ax.set_xlim(*n_range)
    ax.set_ylim(*d_range)
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels) if lab not in set(models["model"])]
    ax.legend(*zip(*keep), loc="upper left")
    return ax
