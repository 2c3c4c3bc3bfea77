"""Paper tables: the numbers printed in Hoffmann et al. 2022, Kaplan et al. 2020 and the LLaMA papers.

Each table is a tidy CSV in ``data/`` (made by ``scripts/make_data.py`` from the
transcriptions, with provenance).  :func:`load_table` reads one and checks its
schema and every value; :func:`paper_value` reads one scalar by id and
:func:`table2_row` one method's row of Table 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

__all__ = ["DataFileError", "DATA_DIR", "SCHEMAS", "table_names", "load_table", "paper_value", "table2_row"]

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class DataFileError(RuntimeError):
    """A data file is missing, corrupt, or does not have the expected content."""


# --------------------------------------------------------------------------
# Paper tables (data/*.csv)
# --------------------------------------------------------------------------

def _positive(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").gt(0)


def _positive_or_missing(s: pd.Series) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce")
    return v.isna() & s.isna() | v.gt(0)


def _text(s: pd.Series) -> pd.Series:
    return s.notna() & s.astype(str).str.len().gt(0)


def _any(s: pd.Series) -> pd.Series:
    return pd.Series(True, index=s.index)


def _bool(s: pd.Series) -> pd.Series:
    return s.astype(str).isin(["True", "False"])


def _finite(s: pd.Series) -> pd.Series:
    return pd.Series(np.isfinite(pd.to_numeric(s, errors="coerce").to_numpy(float)), index=s.index)


_POS, _TXT, _ANY, _OPT, _BOOL = _positive, _text, _any, _positive_or_missing, _bool

#: Column checks for each paper table: column name -> per-row predicate.
SCHEMAS: dict[str, dict[str, Callable[[pd.Series], pd.Series]]] = {
    "table1_models": {"model": _TXT, "n_params": _POS, "n_tokens": _POS, "source": _TXT, "status": _TXT},
    "table2_exponents": {
        "table": _TXT, "method": _TXT, "dataset": _TXT, "a": _POS, "a_p10": _OPT, "a_p90": _OPT,
        "b": _POS, "b_p10": _OPT, "b_p90": _OPT, "status": _TXT, "notes": _ANY,
    },
    "projections": {
        "table": _TXT, "approach": _POS, "n_params": _POS, "flops": _POS, "n_tokens": _POS,
        "flops_typo_suspected": _BOOL, "status": _TXT, "notes": _ANY,
    },
    "tableA4_flop_ratio": {
        "label": _TXT, "n_layers": _POS, "d_model": _POS, "ffw_size": _POS, "n_heads": _POS,
        "kv_size": _POS, "flop_ratio": _POS, "status": _TXT,
    },
    "tableA9_models": {
        "n_params_millions": _POS, "d_model": _POS, "ffw_size": _POS, "kv_size": _POS,
        "n_heads": _POS, "n_layers": _POS, "status": _TXT,
    },
    "table4_architecture": {
        "model": _TXT, "n_layers": _POS, "n_heads": _POS, "kv_size": _POS, "d_model": _POS,
        "ffw_size": _POS, "max_lr": _POS, "batch_tokens_start": _POS, "batch_tokens_end": _POS,
        "status": _TXT, "notes": _ANY,
    },
    "laws": {"law": _TXT, "parameter": _TXT, "value": _POS, "source": _TXT, "status": _TXT},
    "paper_values": {
        "id": _TXT, "quantity": _TXT, "value": _POS, "unit": _TXT, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "later_studies": {
        "id": _TXT, "study": _TXT, "quantity": _TXT, "value": _POS, "unit": _TXT, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "kaplan_constants": {
        "quantity": _TXT, "symbol": _TXT, "value": _POS, "unit": _ANY, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "llama_models": {
        "family": _TXT, "model": _TXT, "n_params": _POS, "n_tokens": _POS, "context_length": _POS,
        "gpu_hours": _POS, "gpu_hours_verified": _BOOL, "status": _TXT,
    },
    # Evaluation (Section 4.2); datasets.evaluation adds the checks across rows.
    "evaluation_results": {
        "benchmark": _TXT, "task": _TXT, "task_canonical": _TXT, "setting": _TXT, "model": _TXT, "metric": _TXT,
        "value": _finite, "higher_is_better": _BOOL, "location": _TXT, "status": _TXT, "notes": _ANY,
    },
    "evaluation_task_counts": {"benchmark": _TXT, "n_tasks": _POS, "location": _TXT, "status": _TXT},
    "evaluation_claims": {
        "claim_id": _TXT, "claim": _TXT, "location": _TXT, "value": _OPT, "unit": _TXT, "status": _TXT,
        "notes": _ANY,
    },
    "mmlu_subjects": {"task": _TXT, "task_canonical": _TXT, "n_test_questions": _POS, "status": _TXT},
}


def table_names() -> list[str]:
    """Names accepted by :func:`load_table`."""
    return sorted(SCHEMAS)


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one paper table from ``data/NAME.csv`` and validate it.

    Parameters
    ----------
    name : str
        One of :func:`table_names` (for example ``"tableA9_models"``).
    data_dir : path, optional
        Folder holding the CSVs; defaults to the repository's ``data/``.

    Raises
    ------
    DataFileError
        When the file is missing, unreadable, lacks a column, or has a value
        that fails its check (the message names the file, column and row).
    """
    if name not in SCHEMAS:
        raise ValueError(f"unknown table {name!r}; choose one of: {', '.join(table_names())}")
    path = Path(data_dir) if data_dir is not None else DATA_DIR
    path = path / f"{name}.csv"
    if not path.is_file():
        raise DataFileError(
            f"data file {path} is missing; restore it with `git checkout -- data/{name}.csv` "
            "(see data/README.md)"
        )
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(f"data file {path} is corrupt ({exc}); restore it from git") from None
    schema = SCHEMAS[name]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataFileError(f"data file {path} lacks column(s) {missing}; expected {list(schema)}")
    if frame.empty:
        raise DataFileError(f"data file {path} has no rows")
    for column, check in schema.items():
        ok = check(frame[column]).fillna(False).astype(bool)
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0])
            raise DataFileError(
                f"data file {path}: column {column!r} has an invalid value "
                f"{frame[column].iloc[row]!r} in data row {row + 1}"
            )
    return frame


def paper_value(value_id: str) -> float:
    """One scalar reference value from ``data/paper_values.csv`` by its id."""
    table = load_table("paper_values").set_index("id")
    if value_id not in table.index:
        raise KeyError(f"no paper value with id {value_id!r} in data/paper_values.csv")
    return float(table.loc[value_id, "value"])


def table2_row(method: str, table: str = "Table 2") -> pd.Series:
    """One method's row of Hoffmann et al.'s Table 2 (or Table A2) from ``data/table2_exponents.csv``.

    Parameters
    ----------
    method : str
        ``"approach1"``, ``"approach2"``, ``"approach3"`` or ``"kaplan"``.
    table : str, default "Table 2"
        ``"Table 2"``, or ``"Table A2"`` for the other data sets.

    Returns
    -------
    Series
        ``a``, ``a_p10``, ``a_p90``, ``b``, ``b_p10``, ``b_p90`` (NaN where not printed) and the rest.
    """
    t2 = load_table("table2_exponents")
    rows = t2[(t2["table"] == table) & (t2["method"] == method)]
    if rows.empty:
        known = sorted(set(t2.loc[t2["table"] == table, "method"]))
        raise ValueError(f"no {table} row for method {method!r}; choose one of: {', '.join(known)}")
    return rows.iloc[0]
