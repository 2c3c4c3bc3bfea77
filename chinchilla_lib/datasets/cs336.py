"""The IsoFLOP exercise set of Stanford's CS336 (assignment 3, ``data/isoflops_curves.json``).

72 final losses on 9 budgets (6e18 to 3e21 FLOPs) x 8 model sizes, given to students as a
warm-up for Approach 2.  The file holds, per run, ``parameters``, ``compute_budget`` and
``final_loss``; the course does not say how the runs were made (the regular grid of sizes
suggests a synthetic set) nor the loss's unit, which we take as nats per token.

Units: ``n_params`` as given, ``flops`` the budget label (FLOPs), ``n_tokens`` = C / (6 N)
(the 6ND convention; the file gives no tokens), ``loss`` the final loss as given.  The set is
MIT-licensed (``LICENSE`` beside it, Stanford University).

References
----------
Stanford CS336 "Language Modeling from Scratch", assignment 3 (scaling), ``stanford-cs336/assignment3-scaling``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["CS336_FILE", "load_cs336_isoflops", "tidy_cs336"]

#: The pinned file of runs.
CS336_FILE = "stanford-cs336/assignment3-scaling/data/isoflops_curves.json"

_COLUMNS = {"parameters": "n_params", "compute_budget": "flops", "final_loss": "loss"}


def tidy_cs336(records, path=CS336_FILE) -> pd.DataFrame:
    """Validate the upstream records and make them tidy (see :func:`load_cs336_isoflops`).

    Raises
    ------
    DataFileError
        Not a list of records, a field missing, a value that is not a positive finite number, a
        run repeated, or a budget with fewer than three sizes (one line naming the file).
    """
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise DataFileError(f"{path}: expected a JSON list of run records, got {type(records).__name__}")
    raw = pd.DataFrame(records)
    require_columns(raw, list(_COLUMNS), path)
    frame = raw[list(_COLUMNS)].rename(columns=_COLUMNS)
    for source, column in _COLUMNS.items():
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataFileError(f"{path}: {source} of record {row + 1} is {raw[source].iloc[row]!r}; every size, "
                                "budget and loss must be a positive number")
        frame[column] = values
    if frame.duplicated(["flops", "n_params"]).any():
        raise DataFileError(f"{path}: a (compute_budget, parameters) run appears twice; the upstream file changed")
    sizes = frame.groupby("flops")["n_params"].nunique()
    if (sizes < 3).any():
        thin = ", ".join(f"{c:.3g}" for c in sizes.index[sizes < 3])
        raise DataFileError(f"{path}: budget(s) {thin} hold fewer than 3 model sizes; a parabola needs three")
    frame.insert(1, "n_tokens", frame["flops"] / (6.0 * frame["n_params"]))
    return frame[["n_params", "n_tokens", "flops", "loss"]].sort_values(["flops", "n_params"], ignore_index=True)


def load_cs336_isoflops() -> pd.DataFrame:
    """The 72 runs of the CS336 IsoFLOP exercise.

    Returns
    -------
    DataFrame
        ``n_params``, ``n_tokens`` (C / (6 N)), ``flops`` (the budget label, FLOPs) and ``loss``
        (final loss as given), sorted by budget then size.

    References
    ----------
    ``stanford-cs336/assignment3-scaling``, ``data/isoflops_curves.json`` (MIT).
    """
    path = fetch_external(CS336_FILE)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{path}: not readable JSON ({exc})") from None
    return tidy_cs336(records, path)
