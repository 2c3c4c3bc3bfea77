"""Figures of inference-aware sizing: the optimum across inference demands, the over-training trade-off curve.

References
----------
Sardana et al. 2023 (Fig. 1-2); Hoffmann et al. 2022, Eq. (2), (4).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["plot_demand_sweep", "plot_tradeoff"]


def plot_demand_sweep(axes, sweeps: Mapping[str, pd.DataFrame], colors: Mapping[str, str]) -> None:
    """Size of the optimum relative to the replaced model (first axes) and the FLOPs saved (second), against demand.

    ``sweeps`` maps a label (a law) to :func:`~chinchilla_lib.studies.inference_sizing.demand_sweep`.
    """
    size_ax, save_ax = axes
    for name, sweep in sweeps.items():
        size_ax.plot(sweep["inference_tokens"], sweep["size_ratio"], color=colors[name], label=name)
        save_ax.plot(sweep["inference_tokens"], 100 * sweep["saving"], color=colors[name], label=name)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("inference tokens")
    size_ax.set_ylabel("optimal size / compute-optimal size")
    save_ax.set_ylabel("FLOPs saved (%)")


def plot_tradeoff(ax, curves: Mapping[str, pd.DataFrame], colors: Mapping[str, str], *,
                  extra_range=(1.0, 1e4)) -> None:
    """Extra training compute (%) against how many times smaller the model is than compute-optimal (log-log).

    ``curves`` maps a label to :func:`~chinchilla_lib.studies.inference_sizing.tradeoff_curve`; the
    vertical axis shows ``extra_range`` (percent), and each law's wall (where the curve leaves the top)
    is marked with a dotted line.
    """
    for name, curve in curves.items():
        shown = curve[curve["extra"] > 0]
        ax.plot(shown["shrink"], 100 * shown["extra"], color=colors[name], label=name)
        ax.axvline(curve["shrink"].max(), color=colors[name], ls=":", lw=1.0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(*extra_range)
    ax.set_xlabel("model $k$ times smaller than compute-optimal")
    ax.set_ylabel("extra training compute (%)")
