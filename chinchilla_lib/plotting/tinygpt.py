"""Figures of our own sweep: IsoFLOP slices with both seeds, and validation curves along the runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import INK, SERIES

__all__ = [ "plot_seed_pairs", "plot_lr_scan", "plot_schedule_gaps", "plot_prediction"]


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


def plot_lr_scan(ax, table: pd.DataFrame) -> None:
    """Final loss against the peak learning rate, one line per model; the width rule's rate of each marked.

    ``table`` is :func:`chinchilla_lib.studies.tinygpt.lr_scan_table`.
    """
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(table["model"]))
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(models)))
    for model, colour in zip(models, colours):
        rows = table[table["model"] == model]
        ax.plot(rows["lr"], rows["loss"], marker="o", ms=4, color=colour,
                label=f"{model} (width {rows['d_model'].iloc[0]})")
        ax.axvline(rows["rule_lr"].iloc[0], color=colour, lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("peak learning rate")
    ax.set_ylabel("validation loss (nats per byte)")


def plot_schedule_gaps(ax, gaps: pd.DataFrame, *, cmap: str = "viridis") -> None:
    """Fixed-schedule minus matched-schedule final loss against parameters, one colour per budget (Figure A1's comparison).

    ``gaps`` is :func:`chinchilla_lib.studies.tinygpt.schedule_gaps`; above zero the matched cosine wins.
    """
    import matplotlib.pyplot as plt

    budgets = np.sort(gaps["budget"].unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, budgets.size))
    n_params = gaps.get("n_params")
    for budget, colour in zip(budgets, colours):
        rows = gaps[gaps["budget"] == budget]
        x = rows["n_params"] if n_params is not None else np.arange(len(rows))
        ax.plot(x, rows["gap"], marker="o", color=colour, label=f"{budget:.2g} FLOPs")
    ax.axhline(0.0, color=INK["axis"], lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("parameters $N$ (embeddings included)")
    ax.set_ylabel("fixed minus matched loss (nats per byte)")


def plot_prediction(ax, ladder: pd.DataFrame, outcome: pd.DataFrame, *, flops: float) -> None:
    """The law's loss across the ladder at the predicted budget, the predicted intervals and the losses reached.

    ``ladder`` is :func:`chinchilla_lib.studies.tinygpt.ladder_losses` at ``flops``; ``outcome`` is
    :func:`chinchilla_lib.studies.tinygpt.prediction_outcome`.
    """
    ax.plot(ladder["n_params"], ladder["loss"], color=INK["axis"], lw=1.2, label=f"predicted at {flops:.2g} FLOPs")
    low = outcome["predicted_loss"] - outcome["low"]
    high = outcome["high"] - outcome["predicted_loss"]
    ax.errorbar(outcome["n_params"], outcome["predicted_loss"], yerr=[low, high], fmt="s", color=INK["axis"], capsize=3,
                label="predicted, 80% interval")
    ax.scatter(outcome["n_params"], outcome["observed_loss"], marker="*", s=90, color=SERIES["tinygpt"].color, zorder=4, label="trained")
    ax.set_xscale("log")
    ax.set_xlabel("parameters $N$ (embeddings included)")
    ax.set_ylabel("validation loss (nats per byte)")
