"""The IsoFLOP points of the Llama 3 paper's Figure 2, digitised from its SVG.

The file is ``isoflops_points.csv`` of ``eric-czech/llama3_isoflop_extraction``.

133 points on ten budgets from 6e18 to 1e22 FLOPs.  The file gives, per point, the budget
(``compute_budget``), the training tokens and the validation loss as Figure 2 plots them, plus
the point's page coordinates.  The points come from the figure's vector graphics (marker
positions), not from pixels, so the reading error is that of the axis calibration, not of a
cursor.

Units
-----
``flops``
    The budget label of the point's curve, in FLOPs.
``n_tokens``
    Training tokens, as read off the figure's (logarithmic) x axis.
``n_params``
    Not in the figure: N = C / (6 D) with C the budget label, the 6ND convention of Hoffmann et
    al. (2022), so 6 N D equals the budget exactly.  (The Llama 3 paper fits its tokens law on
    budgets and tokens only; Meta's own parameter counts are not published.)
``loss``
    Figure 2's y axis as plotted: the negative log-likelihood on Meta's held-out validation set.
    The paper does not state its normalisation; the values (0.69 to 0.93) lie far below the 2 to
    4 nats per token that models of this size reach on web text, so it is probably a per-character
    or per-byte loss or a different held-out set.  We keep the plotted value.  Any fixed change of
    unit (bits to nats, per byte to per token at a fixed bytes-per-token) multiplies every loss
    by one constant, which moves neither an IsoFLOP parabola's minimum nor Approach 3's
    allocation (Eq. 11 fits log-loss residuals; the constant goes into E, A and B).  Open-Athena
    also fit the exponential of the plotted value (their ``exp_loss`` condition,
    :func:`~chinchilla_lib.datasets.load_open_athena`); that is another reading, not a unit.

The upstream repository states no licence: the file is only ever downloaded (or read from a
mirror), never committed.

References
----------
Llama Team (Dubey et al.) 2024, "The Llama 3 Herd of Models", arXiv 2407.21783, Sec. 3.2.1 and Figure 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["LLAMA3_ISOFLOPS_FILE", "LLAMA3_MIN_POINTS", "load_llama3_isoflops", "tidy_llama3_isoflops"]

#: The pinned file of points.
LLAMA3_ISOFLOPS_FILE = "eric-czech/llama3_isoflop_extraction/isoflops_points.csv"
#: Fewest points a budget must hold: a parabola through its minimum needs three.
LLAMA3_MIN_POINTS = 3

_COLUMNS = {"compute_budget": "flops", "training_tokens": "n_tokens", "validation_loss": "loss"}


def tidy_llama3_isoflops(raw: pd.DataFrame, path=LLAMA3_ISOFLOPS_FILE) -> pd.DataFrame:
    """Validate the upstream table and make it tidy (see :func:`load_llama3_isoflops`).

    Raises
    ------
    DataFileError
        A column missing, a value that is not a positive finite number, a point repeated, or a
        budget with fewer than :data:`LLAMA3_MIN_POINTS` points (one line naming the file).
    """
    require_columns(raw, list(_COLUMNS), path)
    frame = raw[list(_COLUMNS)].rename(columns=_COLUMNS)
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            source = next(k for k, v in _COLUMNS.items() if v == column)
            raise DataFileError(f"{path}: {source} of row {row + 1} is {raw[source].iloc[row]!r}; every budget, "
                                "token count and loss must be a positive number")
        frame[column] = values
    if frame.duplicated(["flops", "n_tokens"]).any():
        raise DataFileError(f"{path}: a (compute_budget, training_tokens) point appears twice; the upstream file "
                            "changed")
    counts = frame.groupby("flops").size()
    if (counts < LLAMA3_MIN_POINTS).any():
        thin = ", ".join(f"{c:.3g}" for c in counts.index[counts < LLAMA3_MIN_POINTS])
        raise DataFileError(f"{path}: budget(s) {thin} hold fewer than {LLAMA3_MIN_POINTS} points; "
                            "a parabola needs three")
    frame.insert(0, "n_params", frame["flops"] / (6.0 * frame["n_tokens"]))
    return frame[["n_params", "n_tokens", "flops", "loss"]].sort_values(["flops", "n_tokens"], ignore_index=True)


def load_llama3_isoflops() -> pd.DataFrame:
    """The 133 IsoFLOP points of the Llama 3 paper's Figure 2 (Sec. 3.2.1).

    Returns
    -------
    DataFrame
        ``n_params`` (C / (6 D), see the module's notes), ``n_tokens``, ``flops`` (the budget
        label of the point's curve, FLOPs) and ``loss`` (Figure 2's validation loss as plotted;
        its normalisation is not stated), sorted by budget then tokens.

    References
    ----------
    Llama Team 2024, arXiv 2407.21783, Figure 2; points from ``eric-czech/llama3_isoflop_extraction``.
    """
    path = fetch_external(LLAMA3_ISOFLOPS_FILE)
    return tidy_llama3_isoflops(pd.read_csv(path), path)
