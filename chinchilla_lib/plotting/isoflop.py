"""IsoFLOP profiles (Approach 2, Hoffmann et al. 2022 Figure 3) of any runs and their fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..isoflop import IsoFLOPResult, akima_curve
from .style import COLORS

__all__ = ["plot_profiles"]


def plot_profiles(ax, runs: pd.DataFrame, fit: IsoFLOPResult, *, cmap: str = "viridis",
                  budget_col: str = "budget", label_every: int = 1) -> None:
    """IsoFLOP profiles (loss against N, one colour per budget) with the fitted curves and minima.

    ``runs`` has ``n_params``, ``loss`` and the budget of every run in
    ``budget_col`` (NaN: drawn in grey, not fitted); ``fit`` is the
    :class:`~chinchilla_lib.isoflop.IsoFLOPResult` of those runs.  Parabolas
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
            ax.scatter([row["n_opt"]], [row["loss_opt"]], marker="D", s=30, color="black", zorder=4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters N")
    ax.set_ylabel("final loss (nats per token)")
