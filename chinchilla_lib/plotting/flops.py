"""FLOP counts against 6ND (Hoffmann et al. 2022, Appendix F, Table A4) for any model shapes."""

from __future__ import annotations

import pandas as pd

from .style import INK, SERIES, readable_log_ticks

__all__ = ["plot_flop_ratios"]


def plot_flop_ratios(ax, counts: pd.DataFrame, printed: pd.DataFrame | None = None):
    """Exact FLOPs over 6ND against N, with and without embeddings, and printed ratios as crosses.

    Parameters
    ----------
    ax : matplotlib Axes
    counts : DataFrame
        ``n_params``, ``flop_ratio`` (Appendix F without embeddings and logits) and
        ``flop_ratio_with_embeddings`` (as written), e.g.
        :func:`~chinchilla_lib.studies.published_models.table_a9_counts`.
    printed : DataFrame, optional
        ``n_params`` and ``paper``: ratios printed in Table A4.
    """
    ax.set_xscale("log")
    for col, key in (("flop_ratio", "flops-appf-nonembedding"), ("flop_ratio_with_embeddings", "flops-appf")):
        look = SERIES[key]
        ax.plot(counts["n_params"], counts[col], marker=look.marker, ms=3, **look.line())
    if printed is not None:
        ax.scatter(printed["n_params"], printed["paper"], s=60, zorder=4,
                   **SERIES["printed"].points(label="Table A4 (printed)"))
    ax.axhline(1.0, color=INK["guide"], lw=0.8)
    ax.set_xlabel("parameters $N$")
    ax.set_ylabel("exact FLOPs / $6ND$")
    readable_log_ticks(ax, "x")
    ax.legend(loc="best")
    return ax
