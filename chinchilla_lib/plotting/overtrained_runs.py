"""Figures of over-training: training curves against three cost measures, residuals against tokens per parameter,
the loss cost of repeated data.

References
----------
Touvron et al. 2023 (LLaMA Fig. 1, Llama 2 Fig. 5); Sardana et al. 2023; Gadre et al. 2024;
Muennighoff et al. 2023.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .style import INK

__all__ = ["MEASURE_LABELS", "plot_curves_by_measure", "plot_residuals_by_tpp", "plot_repetition_excess"]

#: Axis labels of the cost measures.
MEASURE_LABELS = {"n_tokens": "training tokens", "flops": "training FLOPs ($6ND$)", "gpu_hours": "A100 GPU-hours"}


def plot_curves_by_measure(axes, curves: pd.DataFrame, colors: Mapping[str, str],
                           measures=("n_tokens", "flops", "gpu_hours"), *, linestyle: str = "-") -> None:
    """One panel per cost measure: each model's training loss against it (linear axes, as the post draws them).

    Parameters
    ----------
    axes : sequence of matplotlib Axes, one per measure
    curves : DataFrame
        Rows of :func:`~chinchilla_lib.datasets.load_llama_curves` (``model``, ``loss`` and the measures).
    colors : mapping model -> colour (models drawn, in this order)
    """
    for ax, measure in zip(axes, measures):
        for model, color in colors.items():
            run = curves[curves["model"] == model].sort_values(measure)
            # long digitised curves are embedded as an image inside the SVG (axes and text stay vector)
            ax.plot(run[measure], run["loss"], color=color, lw=1.0, ls=linestyle, label=model,
                    rasterized=len(run) > 500)
        ax.set_xlabel(MEASURE_LABELS.get(measure, measure))
    axes[0].set_ylabel("training loss (nats/token)")


def plot_residuals_by_tpp(ax, runs: pd.DataFrame, *, color: str, label: str, marker: str = "o") -> None:
    """Residuals (loss - law, nats) against tokens per parameter; fitted runs hollow, held-out runs filled.

    ``runs`` is :attr:`~chinchilla_lib.studies.overtrained_runs.Extrapolation.runs`.
    """
    fitted = runs[runs["fitted"]]
    held = runs[~runs["fitted"]]
    ax.scatter(fitted["tokens_per_param"], fitted["residual"], s=22, facecolors="none", edgecolors=color,
               marker=marker)
    ax.scatter(held["tokens_per_param"], held["residual"], s=22, color=color, marker=marker, label=label)
    ax.axhline(0.0, color=INK["axis"], lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("tokens per parameter")
    ax.set_ylabel("loss - law (nats)")


def plot_repetition_excess(ax, excess: pd.DataFrame, *, color: str, marks=(4.0, 16.0)) -> None:
    """Extra loss of repeated data over unique data at the same model and tokens, against epochs (log x).

    ``excess`` is :func:`~chinchilla_lib.studies.overtrained_runs.repetition_excess`; ``marks`` draws
    vertical guides (e.g. the epochs a study calls almost free and worthless).
    """
    shown = excess[excess["epochs"] > 1.0 + 1e-9]
    ax.scatter(shown["epochs"], 100 * shown["excess"], s=18, color=color)
    for m in marks:
        ax.axvline(m, color=INK["axis"], ls=":", lw=1.0)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("epochs over the unique data")
    ax.set_ylabel("extra loss vs unique data (%)")
    ax.set_ylim(bottom=min(-0.5, float(np.nanmin(100 * shown["excess"])) - 0.5))
