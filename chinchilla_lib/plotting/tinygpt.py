"""Figures of our own sweep: IsoFLOP slices with both seeds, and validation curves along the runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_slices", "plot_curves", "plot_seed_pairs"]


def plot_slices(ax, runs: pd.DataFrame, *, schedule: str = "matched", cmap: str = "viridis") -> None:
    """Final loss against parameters, one colour per budget: seed 0 filled, seed 1 open, the seed mean joined.

    ``runs`` has ``budget, schedule, seed, n_params, loss`` (a sweep's runs file).
    """
    import matplotlib.pyplot as plt

    runs = runs[runs["schedule"] == schedule]
    budgets = np.sort(runs["budget"].unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, budgets.size))
    for budget, colour in zip(budgets, colours):
        members = runs[runs["budget"] == budget]
        mean = members.groupby("n_params")["loss"].mean()
        ax.plot(mean.index, mean.to_numpy(), color=colour, lw=1.2, label=f"{budget:.2g} FLOPs")
        first, second = members[members["seed"] == 0], members[members["seed"] != 0]
        ax.scatter(first["n_params"], first["loss"], s=18, color=colour, zorder=3)
        ax.scatter(second["n_params"], second["loss"], s=18, facecolor="none", edgecolor=colour, zorder=3)
        best = mean.idxmin()
        ax.scatter([best], [mean[best]], marker="D", s=30, color="black", zorder=4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters N (embeddings included)")
    ax.set_ylabel("validation loss (nats per byte)")


def plot_curves(ax, curves: pd.DataFrame, *, budget: float, schedule: str = "matched", cmap: str = "magma") -> None:
    """Validation loss against FLOPs along the seed-0 runs of one budget, one colour per size."""
    import matplotlib.pyplot as plt

    chosen = curves[(curves["budget"] == budget) & (curves["schedule"] == schedule) & (curves["seed"] == 0)]
    sizes = np.sort(chosen["n_params"].unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.1, 0.85, sizes.size))
    for n, colour in zip(sizes, colours):
        run = chosen[chosen["n_params"] == n].sort_values("flops")
        ax.plot(run["flops"], run["loss"], color=colour, marker="o", ms=3, lw=1, label=f"N = {n:,}")
    ax.set_xscale("log")
    ax.set_xlabel("training FLOPs so far")
    ax.set_ylabel("validation loss (nats per byte)")


def plot_seed_pairs(ax, curves: pd.DataFrame, pairs, *, schedule: str = "matched") -> None:
    """Validation loss along the two seeds of each ``(budget, model)`` in ``pairs``: seed 0 solid, seed 1 dashed."""
    import matplotlib.pyplot as plt

    colours = plt.get_cmap("tab10")(np.arange(len(pairs)) % 10)
    for (budget, model), colour in zip(pairs, colours):
        chosen = curves[(curves["budget"] == budget) & (curves["model"] == model) & (curves["schedule"] == schedule)]
        for seed, style in ((0, "-"), (1, "--")):
            run = chosen[chosen["seed"] == seed].sort_values("n_tokens")
            ax.plot(run["n_tokens"], run["loss"], ls=style, color=colour, marker="o", ms=3, lw=1,
                    label=f"{model}, {budget:.2g} FLOPs" if seed == 0 else None)
    ax.set_xscale("log")
    ax.set_xlabel("training tokens so far")
    ax.set_ylabel("validation loss (nats per byte)")
