"""The over-training runs of Sardana et al. (2023), "Beyond Chinchilla-Optimal" (``trainingresults.csv``).

47 MPT-style models of 150M to 6B parameters trained at 10 to 10,000 tokens per
parameter.  The loss is the file's ``Smoothed Loss``: the final training loss, smoothed
over the last steps, in nats per token (the file has no validation loss).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["SARDANA_FILE", "load_sardana_runs", "tidy_sardana"]

#: The pinned results file.
SARDANA_FILE = "nikhilsardana/beyond-chinchilla/trainingresults.csv"

_COLUMNS = {"Model Name": "model", "Parameters": "n_params", "Tokens/Params": "tokens_per_param",
            "Tokens": "n_tokens", "Batch Size": "batch_size_sequences", "Smoothed Loss": "loss_train",
            "mmlu_5_shot_avg": "mmlu_5shot"}


def tidy_sardana(raw: pd.DataFrame, path="trainingresults.csv") -> pd.DataFrame:
    """Validate and rename the upstream table (see :func:`load_sardana_runs`)."""
    require_columns(raw, list(_COLUMNS), path)
    frame = raw.rename(columns=_COLUMNS)
    frame = frame.rename(columns=lambda c: c.replace("eval_gauntlet/", "gauntlet_") if isinstance(c, str) else c)
    for col in ("n_params", "tokens_per_param", "n_tokens", "loss_train"):
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or not np.isfinite(values).all() or (values <= 0).any():
            raise DataFileError(f"{path}: column {col} must hold positive numbers")
        frame[col] = values.astype(float)
    ratio = frame["n_tokens"] / (frame["n_params"] * frame["tokens_per_param"])
    if (np.abs(ratio - 1) > 1e-6).any():
        raise DataFileError(f"{path}: Tokens is not Parameters x Tokens/Params in every row")
    if frame.duplicated(["n_params", "tokens_per_param"]).any():
        raise DataFileError(f"{path}: a (Parameters, Tokens/Params) pair appears twice")
    return frame.reset_index(drop=True)


def load_sardana_runs() -> pd.DataFrame:
    """Sardana et al.'s 47 runs.

    Returns
    -------
    DataFrame
        ``model`` (size label), ``n_params``, ``tokens_per_param``, ``n_tokens``,
        ``batch_size_sequences``, ``loss_train`` (final smoothed training loss, nats
        per token), the downstream scores ``gauntlet_*`` and ``mmlu_5shot`` (accuracy,
        0-1).

    References
    ----------
    Sardana et al. 2023, arXiv 2401.00448; ``nikhilsardana/beyond-chinchilla``.
    """
    path = fetch_external(SARDANA_FILE)
    return tidy_sardana(pd.read_csv(path), path)
