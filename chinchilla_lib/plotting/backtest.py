"""Backtests drawn: each prediction of a held-out budget's compute-optimal size against what it showed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .style import INK, SERIES, readable_log_ticks

__all__ = ["plot_backtests"]


def plot_backtests(ax, rows: Sequence[dict], *, sets: Sequence[str] | None = None) -> None:
    """Predicted N_opt over observed N_opt at each held-out budget, one column per data set.

    Each approach has its colour and marker (:data:`~chinchilla_lib.plotting.style.SERIES`); the bar is
    the predicted 80% interval over the observed N_opt, the grey band the observation's own 80% interval;
    a filled marker lies inside the interval the backtest judges by, an open one outside.  Refused fits
    are left out (they predict nothing).

    Parameters
    ----------
    ax : matplotlib Axes
    rows : sequence of dict
        Rows of :func:`~chinchilla_lib.approaches.backtest.backtest` (keys ``set``, ``approach``,
        ``predicted_n_opt``, ``predicted_n_opt_interval``, ``observed_n_opt``, ``observed_n_opt_interval``,
        ``n_opt_inside``).
    sets : sequence of str, optional
        The columns' order (default: the order the sets first appear in ``rows``).
    """
    scored = [r for r in rows if r.get("predicted_n_opt") is not None and r.get("observed_n_opt") is not None]
    sets = list(dict.fromkeys(r["set"] for r in scored)) if sets is None else list(sets)
    offsets = {1: -0.22, 2: 0.0, 3: 0.22}
    ax.axhline(1.0, color=INK["guide"], lw=1)
    for x, name in enumerate(sets):
        for r in (r for r in scored if r["set"] == name):
            obs = r["observed_n_opt"]
            if r["observed_n_opt_interval"] is not None:
                lo, hi = np.asarray(r["observed_n_opt_interval"]) / obs
                ax.fill_between([x - 0.35, x + 0.35], lo, hi, color=INK["band"], lw=0, zorder=0)
            s = SERIES[f"approach{r['approach']}-ours"]
            xx = x + offsets[r["approach"]]
            y = r["predicted_n_opt"] / obs
            if r["predicted_n_opt_interval"] is not None:
                lo, hi = np.asarray(r["predicted_n_opt_interval"]) / obs
                ax.plot([xx, xx], [lo, hi], color=s.color, lw=1.5)
            ax.plot(xx, y, marker=s.marker, ms=7, color=s.color, mfc=s.color if r["n_opt_inside"] else INK["face"],
                    mew=1.5, ls="none")
    for k in (1, 2, 3):
        s = SERIES[f"approach{k}-ours"]
        ax.plot([], [], marker=s.marker, color=s.color, ls="none", label=f"Approach {k}")
    ax.set_yscale("log")
    ax.set_xticks(range(len(sets)), sets, rotation=30, ha="right")
    ax.set_xlim(-0.6, len(sets) - 0.4)
    ax.set_ylabel("predicted / observed N_opt")
    readable_log_ticks(ax, "y")
    ax.legend(loc="best", frameon=False)
