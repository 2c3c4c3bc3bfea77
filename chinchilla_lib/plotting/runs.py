"""Any user's runs and their fit, drawn as the book draws the paper's (Figures 2, 3 and 4).

:func:`plot_fit` takes the runs and the result of :func:`~chinchilla_lib.approaches.runs.fit_runs` (or of
``fit_envelope``, ``fit_isoflop``, ``fit_approach3``, ``bootstrap_approach3``) and picks the
figure of that approach: training curves with their lower envelope and its argmin staircase
(Approach 1, Figure 2); IsoFLOP profiles with their minima and the N_opt power law
(Approach 2, Figure 3); iso-loss contours with the runs and the efficient frontier
(Approach 3, Figure 4 left).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..approaches.envelope import EnvelopeResult
from ..approaches.isoflop import IsoFLOPResult
from ..laws.flops import runs_flops
from .envelope import plot_staircase, plot_training_curves
from .isoflop import plot_power_laws, plot_profiles
from .parametric import plot_isoloss
from .style import COLORS, INK, mark_model, readable_log_ticks

__all__ = ["plot_fit"]


def _decades(lo: float, hi: float, pad: float) -> tuple[float, float]:
    return 10.0 ** (math.floor(math.log10(lo)) - pad), 10.0 ** (math.ceil(math.log10(hi)) + pad)


def plot_fit(runs: pd.DataFrame, result, *, flops: float | None = None, axes=None,
             loss_unit: str = "nats per token"):
    """Draw ``runs`` with their fit ``result``, the figure the book draws for that approach.

    Parameters
    ----------
    runs : DataFrame
        The runs that were fitted (as passed to :func:`~chinchilla_lib.approaches.runs.fit_runs`).
    result : EnvelopeResult, IsoFLOPResult, Approach3Fit or Approach3Bootstrap
    flops : float, optional
        A budget to mark: the planned model ``result.plan(flops)`` (a star).
    axes : matplotlib Axes or sequence of Axes, optional
        Approach 1 draws on two axes (curves, staircase), Approach 2 on three (profiles,
        N_opt, D_opt), Approach 3 on one; by default a new figure.
    loss_unit : str, default "nats per token"
        The unit of ``runs["loss"]`` written on the loss axes (e.g. "nats per byte" for byte-level models).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"runs must be a pandas DataFrame, got {type(runs).__name__}")
    panels = 2 if isinstance(result, EnvelopeResult) else 3 if isinstance(result, IsoFLOPResult) else 1
    own_figure = axes is None
    if own_figure:
        _, axes = plt.subplots(1, panels, figsize=(4.5 * panels + 1, 4), squeeze=False)
    axes_list = list(np.ravel(axes))
    if len(axes_list) < panels:
        raise ValueError(f"axes must hold {panels} Axes for this result, got {len(axes_list)}")
    planned = result.plan(flops) if flops is not None else None
    if isinstance(result, EnvelopeResult):
        col = next((c for c in ("run", "model") if c in runs.columns), "n_params")
        curves = runs.assign(flops=runs_flops(runs))
        plot_training_curves(axes_list[0], curves, curve_col=col, envelope=result.envelope,
                             envelope_label="lower envelope")
        plot_staircase(axes_list[1], result.envelope)
        c = result.envelope["flops"].to_numpy(float)
        axes_list[1].plot(c, result.n_opt(c), color=INK["truth"], lw=1, label=f"$N_{{opt}}$ fit, $a$ = {result.a:.3f}")
        if planned:
            if not c.min() <= planned["flops"] <= c.max():
                far = np.geomspace(c.max() if planned["flops"] > c.max() else c.min(), planned["flops"], 20)
                axes_list[1].plot(far, result.n_opt(far), color=INK["truth"], lw=1, ls="--", label="extrapolated")
            mark_model(axes_list[1], planned["flops"], planned["n_params"], "plan", COLORS["approach1"], marker="*")
        axes_list[0].legend(loc="lower left", fontsize="x-small")
        axes_list[1].legend(loc="lower right", fontsize="x-small")  # the staircase rises to the right
        readable_log_ticks(axes_list[1], "y")
    elif isinstance(result, IsoFLOPResult):
        labelled = runs.assign(budget=result.run_budgets) if result.run_budgets is not None else runs
        plot_profiles(axes_list[0], labelled, result)
        axes_list[0].legend(title="budget (FLOPs)", loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=3,
                            fontsize="x-small")
        plot_power_laws(axes_list[1:3], result, extend_to=flops)
        if planned:
            for ax, key in zip(axes_list[1:3], ("n_params", "n_tokens")):
                mark_model(ax, planned["flops"], planned[key], "plan", COLORS["approach2"], marker="*")
                # below the panel, as the profiles' budgets are: inside, it would cover the band or the points
                ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=2, fontsize="x-small")
                readable_log_ticks(ax)
    else:
        law = result.law
        c = 6.0 * runs["n_params"].to_numpy(float) * runs["n_tokens"].to_numpy(float)
        hi = max(c.max(), flops or 0.0)
        flops_range = _decades(c.min(), hi, 1)
        n_range = _decades(runs["n_params"].min(), max(runs["n_params"].max(), planned["n_params"] if planned
                                                      else 0.0), 1)
        levels = np.quantile(runs["loss"].to_numpy(float), np.linspace(0.02, 0.98, 12))
        plot_isoloss(axes_list[0], law, runs.assign(flops=c), levels=np.unique(np.round(levels, 3)),
                     flops_range=flops_range, n_range=n_range)
        if planned:
            mark_model(axes_list[0], planned["flops"], planned["n_params"], "plan", COLORS["approach3"], marker="*")
        axes_list[0].legend(loc="upper left")
    for ax in axes_list[0].figure.axes:  # every loss axis and colour bar, in the runs' own unit
        label = ax.get_ylabel()
        if "nats per token" in label:
            ax.set_ylabel(label.replace("nats per token", loss_unit))
    if own_figure:
        axes_list[0].figure.tight_layout()
    return axes_list[0].figure
