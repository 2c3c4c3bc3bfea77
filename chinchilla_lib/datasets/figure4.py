"""The points of Hoffmann et al. (2022) Figure 4 (left), extracted by Besiroglu et al. (2024)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns

__all__ = ["FIG4_GROUPING", "REPLICATION_EXCLUDED", "load_hoffmann_fig4"]

_FIG4_REPO = "epoch-research/analyzing-chinchilla"

#: Highest-loss points the replication (Besiroglu et al. 2024) leaves out of its fit.
REPLICATION_EXCLUDED = 5

#: How the digitised Figure-4 points are grouped into IsoFLOP budgets (our choice, see the
#: Approach 2 chapter): runs within 3% of each other in FLOPs form one budget, and only
#: clusters of at least 8 runs count (the other points are Approach 1/3 runs).
FIG4_GROUPING = {"rel_tol": 0.03, "min_points": 8}


def load_hoffmann_fig4(exclude_highest_loss: int = 0) -> pd.DataFrame:
    """Points of Hoffmann et al. (2022) Figure 4 (left), as extracted by Besiroglu et al.

    Parameters
    ----------
    exclude_highest_loss : int, default 0
        Drop this many highest-loss points; the replication drops 5.

    Returns
    -------
    DataFrame
        Columns ``n_params``, ``flops``, ``n_tokens`` (= flops / (6 n_params))
        and ``loss`` (nats per token, read off a colour bar to about 0.015),
        sorted by ``flops`` then ``n_params``.

    References
    ----------
    Besiroglu et al. 2024, arXiv 2404.10102; Hoffmann et al. 2022, Fig. 4.
    """
    if isinstance(exclude_highest_loss, bool) or not isinstance(exclude_highest_loss, (int, np.integer)) \
            or exclude_highest_loss < 0:
        raise ValueError(f"exclude_highest_loss must be a whole number >= 0, got {exclude_highest_loss!r}")
    path = fetch_external(f"{_FIG4_REPO}/data/svg_extracted_data.csv")
    raw = pd.read_csv(path)
    require_columns(raw, ["Model Size", "Training FLOP", "loss"], path)
    frame = pd.DataFrame(
        {
            "n_params": raw["Model Size"].astype(float),
            "flops": raw["Training FLOP"].astype(float),
            "loss": raw["loss"].astype(float),
        }
    )
    frame.insert(2, "n_tokens", frame["flops"] / (6.0 * frame["n_params"]))
    if exclude_highest_loss:
        frame = frame.drop(frame["loss"].nlargest(exclude_highest_loss).index)
    return frame.sort_values(["flops", "n_params"]).reset_index(drop=True)
