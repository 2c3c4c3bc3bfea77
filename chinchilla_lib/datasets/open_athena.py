"""Open-Athena's harmonised IsoFLOP sets (``Open-Athena/scaling-law-analysis``, ``data/isoflops/extract/isoflops.csv``).

One table of real IsoFLOP runs from five sources, gathered for Czech et al. (2026), "Problems
with Chinchilla Approach 2": columns ``source, dataset, model, condition, experiment, tokens,
params, budget, loss``.  Each ``experiment`` is one named set here
(:func:`open_athena_sets`), e.g. ``open-athena:marin-dclm``:

* ``epochai_chinchilla`` -- Hoffmann et al.'s Figure 4 points as extracted by Besiroglu et al.
  (2024), on 9 budgets; N as extracted, D = C / (6 N);
* ``ml_scalefit`` -- the Chinchilla points as shipped with Apple's ``ml-scalefit`` library (the data
  of "Scaling laws for optimal data mixtures"), 9 budgets whose labels sit within about 10% of
  6 N D;
* ``llama_3`` -- the Llama 3 Figure 2 points (:mod:`.llama3_isoflops`), twice: ``raw_loss`` (the
  loss as plotted) and ``exp_loss`` (its exponential, Open-Athena's second reading of the axis);
  N = C / (6 D);
* ``marin_202603`` -- Marin's IsoFLOP ladders on three pre-training corpora (Comma, DCLM,
  Nemotron-CC), Llama-2-style models, loss the Paloma macro average (nats per token).  Marin
  labels a budget by about 2 N D: their run names say ``isoflop-6e+19`` where the run's own
  FLOP count (``throughput/total_gflops``) is 1.8e20.  The harmonised table already multiplies
  every label by 3 (its budgets are exactly three times the raw labels), which puts it on the 6ND
  convention: 6 N D with Marin's parameter counts lies between 0.74 and 1.07 of the harmonised
  budget, median 1.005 (the spread is the discreteness of their model shapes, not a factor of 3);
* ``misfitting`` -- the transformer runs released with the survey "(Mis)Fitting: A Survey of
  Scaling Laws" (Li et al. 2025), dataset ``fineweb_c4``, 26 budgets from 8.5e16 to 2.2e19
  FLOPs; N = C / (6 D) exactly.

Units: ``n_params`` and ``n_tokens`` as the table gives them, ``flops`` its budget label in FLOPs
on the 6ND convention (checked: a set whose median of budget / (6 N D) is off by more than
:data:`CONVENTION_TOLERANCE` is refused), ``loss`` in nats per token except ``llama_3`` (see
:mod:`.llama3_isoflops`).  The upstream repository states no licence: the file is only ever
downloaded (or read from a mirror), never committed.

References
----------
Czech et al. 2026, arXiv 2603.22339, Sec. "Real IsoFLOP Curves" and "Error Costs".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["OPEN_ATHENA_FILE", "OPEN_ATHENA_PREFIX", "CONVENTION_TOLERANCE", "open_athena_sets",
           "load_open_athena", "tidy_open_athena", "open_athena_set_name"]

#: The pinned harmonised table (every source in one schema).
OPEN_ATHENA_FILE = "Open-Athena/scaling-law-analysis/data/isoflops/extract/isoflops.csv"
#: Prefix of the names of the sets.
OPEN_ATHENA_PREFIX = "open-athena:"
#: Largest factor by which a set's median budget / (6 N D) may differ from 1 (a budget counted as
#: 2 N D, as Marin's raw labels are, is off by 3).
CONVENTION_TOLERANCE = 1.25

_COLUMNS = ["source", "dataset", "model", "condition", "experiment", "tokens", "params", "budget", "loss"]
#: Short names of the sources in set names.
_SOURCE_NAMES = {"epochai_chinchilla": "epochai-chinchilla", "llama_3": "llama-3", "marin_202603": "marin",
                 "misfitting": "misfitting", "ml_scalefit": "ml-scalefit"}
#: What each source's loss is.
_LOSS = {
    "epochai_chinchilla": "Chinchilla's final training loss read off Figure 4's colour bar (nats per token)",
    "ml_scalefit": "Chinchilla's final training loss read off Figure 4's colour bar (nats per token)",
    "llama_3": "Llama 3 Figure 2's validation loss (normalisation not stated)",
    "marin_202603": "Paloma macro-averaged validation loss (nats per token)",
    "misfitting": "final loss as the survey's runs give it (nats per token)",
}


def _slug(text: str) -> str:
    return str(text).strip().lower().replace("_", "-").replace(" ", "-")


def open_athena_set_name(source: str, dataset: str, condition, *, several_datasets: bool) -> str:
    """The name of one set: ``open-athena:`` + source (+ dataset when the source has several) (+ condition).

    >>> open_athena_set_name("marin_202603", "dclm", None, several_datasets=True)
    'open-athena:marin-dclm'
    >>> open_athena_set_name("llama_3", "llama_3", "raw_loss", several_datasets=False)
    'open-athena:llama-3-raw-loss'
    """
    parts = [_SOURCE_NAMES.get(source, _slug(source))]
    if several_datasets:
        parts.append(_slug(dataset))
    if isinstance(condition, str) and condition.strip():
        parts.append(_slug(condition))
    return OPEN_ATHENA_PREFIX + "-".join(parts)


def _positive(raw: pd.DataFrame, column: str, path) -> np.ndarray:
    values = pd.to_numeric(raw[column], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataFileError(f"{path}: {column} of row {row + 1} is {raw[column].iloc[row]!r}; every tokens, "
                            "params, budget and loss must be a positive number")
    return values


def tidy_open_athena(raw: pd.DataFrame, path=OPEN_ATHENA_FILE) -> pd.DataFrame:
    """Validate the harmonised table and make it tidy (see :func:`load_open_athena`).

    Raises
    ------
    DataFileError
        A column missing, a value not a positive finite number, a run repeated within its set, a
        budget with fewer than three model sizes, or a set whose budgets are not on the 6ND
        convention (median budget / (6 N D) off by more than :data:`CONVENTION_TOLERANCE`).
    """
    require_columns(raw, _COLUMNS, path)
    text = {c: raw[c].astype("string").str.strip() for c in ("source", "dataset", "model", "experiment")}
    for column, values in text.items():
        if values.isna().any() or (values == "").any():
            row = int(np.flatnonzero((values.isna() | (values == "")).to_numpy())[0])
            raise DataFileError(f"{path}: {column} of row {row + 1} is empty; every run names its {column}")
    frame = pd.DataFrame({
        "source": text["source"].astype(str), "dataset": text["dataset"].astype(str),
        "model": text["model"].astype(str), "condition": raw["condition"],
        "experiment": text["experiment"].astype(str),
        "n_params": _positive(raw, "params", path), "n_tokens": _positive(raw, "tokens", path),
        "flops": _positive(raw, "budget", path), "loss": _positive(raw, "loss", path),
    })
    if frame.duplicated(["experiment", "n_params", "n_tokens"]).any():
        raise DataFileError(f"{path}: a run (params, tokens) appears twice within one experiment; the upstream "
                            "file changed")
    sizes = frame.groupby(["experiment", "flops"])["n_params"].nunique()
    if (sizes < 3).any():
        experiment, budget = sizes.index[sizes < 3][0]
        raise DataFileError(f"{path}: budget {budget:.3g} of {experiment} holds fewer than 3 model sizes; "
                            "a parabola needs three")
    ratio = (frame["flops"] / (6.0 * frame["n_params"] * frame["n_tokens"])).groupby(frame["experiment"]).median()
    off = ratio[(ratio > CONVENTION_TOLERANCE) | (ratio < 1.0 / CONVENTION_TOLERANCE)]
    if len(off):
        raise DataFileError(f"{path}: the budgets of {off.index[0]} are {off.iloc[0]:.3g} x 6ND (median); they "
                            "must be on the 6ND convention (a label counting 2ND is off by 3)")
    several = frame.groupby("source")["dataset"].nunique()
    names = {e: open_athena_set_name(s, d, c, several_datasets=several[s] > 1)
             for e, s, d, c in frame[["experiment", "source", "dataset", "condition"]].drop_duplicates(
                 "experiment").itertuples(index=False)}
    if len(set(names.values())) != len(names):
        raise DataFileError(f"{path}: two experiments give one set name; the upstream file changed")
    frame.insert(0, "set", frame["experiment"].map(names))
    return frame.sort_values(["set", "flops", "n_params"], ignore_index=True)


def _harmonised() -> pd.DataFrame:
    path = fetch_external(OPEN_ATHENA_FILE)
    return tidy_open_athena(pd.read_csv(path), path)


def open_athena_sets() -> pd.DataFrame:
    """Every set of the harmonised table, one row each.

    Returns
    -------
    DataFrame
        ``set`` (the name :func:`load_open_athena` takes), ``source``, ``dataset``, ``model``,
        ``condition`` (missing where the source has one), ``n_runs``, ``n_budgets``, ``flops_min``,
        ``flops_max`` (FLOPs) and ``loss`` (what the loss is), sorted by ``set``.
    """
    frame = _harmonised()
    rows = []
    for name, group in frame.groupby("set", sort=True):
        first = group.iloc[0]
        rows.append({"set": name, "source": first["source"], "dataset": first["dataset"], "model": first["model"],
                     "condition": first["condition"], "n_runs": len(group), "n_budgets": group["flops"].nunique(),
                     "flops_min": float(group["flops"].min()), "flops_max": float(group["flops"].max()),
                     "loss": _LOSS.get(first["source"], "the loss as harmonised")})
    return pd.DataFrame(rows)


def load_open_athena(name: str | None = None) -> pd.DataFrame:
    """Open-Athena's harmonised IsoFLOP runs: every set, or the one called ``name``.

    Parameters
    ----------
    name : str, optional
        A set of :func:`open_athena_sets`, e.g. ``"open-athena:marin-dclm"``.

    Returns
    -------
    DataFrame
        ``set``, ``source``, ``dataset``, ``model``, ``condition``, ``experiment`` (upstream's id),
        ``n_params``, ``n_tokens``, ``flops`` (the budget label, FLOPs, 6ND convention) and
        ``loss``, sorted by set, budget and size.

    Raises
    ------
    ValueError
        ``name`` is not one of the sets (the message lists them).

    References
    ----------
    Czech et al. 2026, arXiv 2603.22339; ``Open-Athena/scaling-law-analysis``.
    """
    frame = _harmonised()
    if name is None:
        return frame
    known = sorted(frame["set"].unique())
    if name not in known:
        raise ValueError(f"unknown Open-Athena set {name!r}; choose one of: {', '.join(known)}")
    return frame[frame["set"] == name].reset_index(drop=True)
