"""Does the compute-optimal number of tokens per parameter drift with compute?

With D_opt = C / (6 N_opt) and N_opt ∝ C^a, the ratio D_opt / N_opt ∝ C^(1 - 2a): the slope of
ln(D_opt / N_opt) on ln C is ``1 - 2a``.  It is zero when a = 0.5 (Hoffmann et al.'s finding:
a constant ~20 tokens per parameter), positive when the ratio rises with compute (as Farseer,
2025, report) and negative when it falls (Kaplan et al.'s a = 0.73).  Each set's slope and its
80% interval come from the exponent and bootstrap interval of every approach the gate decides or
flags on that set (:func:`~chinchilla_lib.studies.public_runs.approaches_table`); the data can tell
only where the interval excludes zero.

References
----------
Hoffmann et al. 2022, Table 2 and Eq. (3); Li et al. 2025 ("Farseer").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["drift_table", "drift_numbers", "drift_by_set"]


def _reading(low: float, high: float) -> str:
    if low > 0:
        return "rises"
    if high < 0:
        return "falls"
    return "cannot tell"


def drift_table(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The slope of ln(D_opt / N_opt) on ln C per data set, parameter count and approach.

    Parameters
    ----------
    table : DataFrame, optional
        :func:`~chinchilla_lib.studies.public_runs.approaches_table` (computed when not given).

    Returns
    -------
    DataFrame
        ``data set``, ``parameters``, ``approach``, ``a``, ``slope`` (1 - 2a), ``low``, ``high`` (its 80%
        interval, 1 - 2 x the a interval's ends), ``tokens per parameter`` (at the set's median compute),
        ``reading`` (``rises``, ``falls`` or ``cannot tell``) and ``status`` (the gate's verdict); refused
        fits are left out.
    """
    if table is None:
        from .public_runs import approaches_table

        table = approaches_table()
    fitted = table[table["status"] != "refused"]
    out = pd.DataFrame({"data set": fitted["data set"], "parameters": fitted["parameters"],
                        "approach": fitted["approach"], "a": fitted["a"], "slope": 1.0 - 2.0 * fitted["a"],
                        "low": 1.0 - 2.0 * fitted["high"], "high": 1.0 - 2.0 * fitted["low"],
                        "tokens per parameter": fitted["tokens per parameter"], "status": fitted["status"]})
    out["reading"] = [_reading(lo, hi) for lo, hi in zip(out["low"], out["high"])]
    return out.reset_index(drop=True)


def drift_numbers(drift: pd.DataFrame | None = None) -> dict:
    """``n_rows``, ``n_rises``, ``n_falls``, ``n_cannot`` (rows of :func:`drift_table`), ``n_decided_rises``,
    ``n_decided_falls`` (among rows the gate decided, not flagged), ``slope_min``, ``slope_max``."""
    drift = drift_table() if drift is None else drift
    decided = drift[drift["status"] == "decided"]
    return {"n_rows": len(drift), "n_rises": int((drift["reading"] == "rises").sum()),
            "n_falls": int((drift["reading"] == "falls").sum()),
            "n_cannot": int((drift["reading"] == "cannot tell").sum()),
            "n_decided_rises": int((decided["reading"] == "rises").sum()),
            "n_decided_falls": int((decided["reading"] == "falls").sum()),
            "slope_min": float(np.min(drift["slope"])) if len(drift) else np.nan,
            "slope_max": float(np.max(drift["slope"])) if len(drift) else np.nan}


def drift_by_set(drift: pd.DataFrame | None = None) -> dict[str, str]:
    """The sets by what their decided fits say, as text: ``rises``, ``falls``, ``mixed`` (decided fits of the set
    disagree), ``cannot_tell`` (every decided fit's interval holds zero); each a list of data sets separated by "; "
    (parameter counts named where a set's two counts differ), or "none"."""
    drift = drift_table() if drift is None else drift
    decided = drift[drift["status"] == "decided"]
    groups: dict[str, list[str]] = {"rises": [], "falls": [], "mixed": [], "cannot_tell": []}
    by_set = decided.groupby("data set", sort=False)
    for name, part in by_set:
        readings = {}
        for count, rows in part.groupby("parameters", sort=False):
            told = set(rows["reading"]) - {"cannot tell"}
            readings[count] = told.pop() if len(told) == 1 else ("mixed" if told else "cannot_tell")
        if len(set(readings.values())) == 1:
            groups[next(iter(readings.values()))].append(name)
        else:
            for count, reading in readings.items():
                groups[reading].append(f"{name} ({count})")
    return {key: "; ".join(names) if names else "none" for key, names in groups.items()}
