"""Paper tables: the numbers printed in Hoffmann et al. 2022, Kaplan et al. 2020 and the LLaMA papers.

Each table is a tidy CSV in ``chinchilla_lib/data/`` (made by ``scripts/make_data.py`` from the
transcriptions, with provenance).  :func:`load_table` reads one and checks its
schema and every value; :func:`paper_value` reads one scalar by id and
:func:`table2_row` one method's row of Table 2.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only when a table is asked for as a DataFrame
    import pandas as pd

__all__ = ["DataFileError", "DATA_DIR", "SCHEMAS", "LAW_PARAMETERS", "key", "one_of", "key_columns", "table_names",
           "read_rows", "load_table", "paper_value", "table2_row", "paper_files_table"]

#: The tables the library reads, shipped inside the package (a wheel and a clone alike).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
#: A paper table is a few KB; a file past this size is not one.
_TABLE_LIMIT = 16 << 20


class DataFileError(RuntimeError):
    """A data file is missing, corrupt, or does not have the expected content."""


# --------------------------------------------------------------------------
# Paper tables (chinchilla_lib/data/*.csv)
# --------------------------------------------------------------------------
# Each column check takes the column's cells as the CSV holds them (text) and returns one bool per
# cell.  The checks need no pandas, so a law can be read (``plan`` on the command line) without it.

#: Cells read as missing: the texts pandas reads as NaN by default, so a DataFrame and the checks agree.
MISSING_TEXTS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                           "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})


def _missing(cell: str) -> bool:
    return cell.strip() in MISSING_TEXTS


def _number(cell: str) -> float:
    """The cell as a float, NaN when it is missing or not a number."""
    if _missing(cell):
        return math.nan
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _positive(cells: Sequence[str]) -> list[bool]:
    return [math.isfinite(v) and v > 0 for v in map(_number, cells)]


def _positive_or_missing(cells: Sequence[str]) -> list[bool]:
    return [_missing(c) or ok for c, ok in zip(cells, _positive(cells))]


def _text(cells: Sequence[str]) -> list[bool]:
    return [not _missing(c) for c in cells]


def _any(cells: Sequence[str]) -> list[bool]:
    return [True] * len(cells)


def _bool(cells: Sequence[str]) -> list[bool]:
    return [c.strip().lower() in ("true", "false") for c in cells]


def _finite_value(cells: Sequence[str]) -> list[bool]:
    return [math.isfinite(v) for v in map(_number, cells)]


def key(check: Callable[[Sequence[str]], list[bool]]) -> Callable[[Sequence[str]], list[bool]]:
    """Mark a column as part of its table's key: no two rows may share the key columns' values."""
    def keyed(cells: Sequence[str]) -> list[bool]:
        return check(cells)

    keyed.is_key = True
    if hasattr(check, "allowed"):
        keyed.allowed = check.allowed
    keyed.__doc__ = f"key column, {check.__name__}"
    return keyed


def one_of(*names: str) -> Callable[[Sequence[str]], list[bool]]:
    """A column whose every value is one of ``names`` (unknown names are refused on load)."""
    def check(cells: Sequence[str]) -> list[bool]:
        return [c in names for c in cells]

    check.allowed = names
    return check


def key_columns(name: str) -> list[str]:
    """The columns of table ``name`` marked with :func:`key` in :data:`SCHEMAS`."""
    return [c for c, check in SCHEMAS[name].items() if getattr(check, "is_key", False)]


_POS, _TXT, _ANY, _OPT, _BOOL = _positive, _text, _any, _positive_or_missing, _bool
#: Parameters a law in chinchilla_lib/data/laws.csv may have (Eq. 2, directly or as logarithms).
LAW_PARAMETERS = ("E", "A", "B", "alpha", "beta", "log_E", "log_A", "log_B")

#: Column checks for each paper table: column name -> per-cell predicate.  Columns wrapped in
#: :func:`key` form the table's key (duplicates refused on load); :func:`one_of` refuses unknown
#: names.  Every table also refuses columns it does not list and rows repeated in full.
SCHEMAS: dict[str, dict[str, Callable[[Sequence[str]], list[bool]]]] = {
    "table1_models": {"model": key(_TXT), "n_params": _POS, "n_tokens": _POS, "source": _TXT, "status": _TXT},
    "table2_exponents": {
        "table": key(_TXT), "method": key(_TXT), "dataset": key(_TXT), "a": _POS, "a_p10": _OPT, "a_p90": _OPT,
        "b": _POS, "b_p10": _OPT, "b_p90": _OPT, "status": _TXT, "notes": _ANY,
    },
    "projections": {
        "table": key(_TXT), "approach": key(_POS), "n_params": key(_POS), "flops": _POS, "n_tokens": _POS,
        "flops_typo_suspected": _BOOL, "status": _TXT, "notes": _ANY,
    },
    "tableA4_flop_ratio": {
        "label": key(_TXT), "n_layers": _POS, "d_model": _POS, "ffw_size": _POS, "n_heads": _POS,
        "kv_size": _POS, "flop_ratio": _POS, "status": _TXT,
    },
    "tableA9_models": {
        "n_params_millions": key(_POS), "d_model": _POS, "ffw_size": _POS, "kv_size": _POS,
        "n_heads": _POS, "n_layers": _POS, "status": _TXT,
    },
    "table4_architecture": {
        "model": key(_TXT), "n_layers": _POS, "n_heads": _POS, "kv_size": _POS, "d_model": _POS,
        "ffw_size": _POS, "max_lr": _POS, "batch_tokens_start": _POS, "batch_tokens_end": _POS,
        "status": _TXT, "notes": _ANY,
    },
    "laws": {"law": key(_TXT), "parameter": key(one_of(*LAW_PARAMETERS)), "value": _POS, "source": _TXT, "status": _TXT},
    "paper_values": {
        "id": key(_TXT), "quantity": _TXT, "value": _POS, "unit": _TXT, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "later_studies": {
        "id": key(_TXT), "study": _TXT, "quantity": _TXT, "value": _POS, "unit": _TXT, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "kaplan_constants": {
        "quantity": key(_TXT), "symbol": key(_TXT), "value": _POS, "unit": _ANY, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "llama_models": {
        "family": _TXT, "model": key(_TXT), "n_params": _POS, "n_tokens": _POS, "context_length": _POS,
        "gpu_hours": _POS, "gpu_hours_verified": _BOOL, "status": _TXT,
    },
    # Evaluation (Section 4.2); datasets.evaluation adds the checks across rows.
    "evaluation_results": {
        "benchmark": key(_TXT), "task": key(_TXT), "task_canonical": _TXT, "setting": key(_TXT), "model": key(_TXT),
        "metric": key(_TXT),
        "value": _finite_value, "higher_is_better": _BOOL, "location": _TXT, "status": _TXT, "notes": _ANY,
    },
    "evaluation_task_counts": {"benchmark": key(_TXT), "n_tasks": _POS, "location": _TXT, "status": _TXT},
    "evaluation_claims": {
        "claim_id": key(_TXT), "claim": _TXT, "location": _TXT, "value": _OPT, "unit": _TXT, "status": _TXT,
        "notes": _ANY,
    },
    "mmlu_subjects": {"task": key(_TXT), "task_canonical": _TXT, "n_test_questions": _POS, "status": _TXT},
}


def table_names() -> list[str]:
    """Names accepted by :func:`load_table`."""
    return sorted(SCHEMAS)


def _path(name: str, data_dir: str | os.PathLike | None) -> Path:
    if name not in SCHEMAS:
        raise ValueError(f"unknown table {name!r}; choose one of: {', '.join(table_names())}")
    return (Path(data_dir) if data_dir is not None else DATA_DIR) / f"{name}.csv"


def _key_value(cell: str):
    """A key cell compared as a number when it is one (``1e5`` repeats ``100000``), else as text."""
    value = _number(cell)
    return cell.strip() if math.isnan(value) else value


def read_rows(name: str, data_dir: str | os.PathLike | None = None) -> list[dict[str, str]]:
    """One paper table from ``chinchilla_lib/data/NAME.csv``, validated, as rows of text (no pandas needed).

    The checks are those of :func:`load_table`, which reads the same rows into a DataFrame.

    Parameters
    ----------
    name : str
        One of :func:`table_names` (for example ``"laws"``).
    data_dir : path, optional
        Folder holding the CSVs; defaults to the repository's ``chinchilla_lib/data/``.

    Raises
    ------
    DataFileError
        When the file is missing, unreadable, lacks a column, or has a value
        that fails its check (the message names the file, column and row).
    """
    path = _path(name, data_dir)
    if not path.is_file():
        raise DataFileError(
            f"data file {path} is missing; reinstall chinchilla_lib, or in a clone of the repository restore it "
            f"with `git checkout -- chinchilla_lib/data/{name}.csv` (see chinchilla_lib/data/README.md)"
        )
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read(_TABLE_LIMIT + 1)
        if len(text) > _TABLE_LIMIT:
            raise DataFileError(f"data file {path} is corrupt (larger than {_TABLE_LIMIT >> 20} MiB); restore it")
        lines = [row for row in csv.reader(io.StringIO(text)) if row]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataFileError(f"data file {path} is corrupt ({' '.join(str(exc).split())}); restore it from git") from None
    if not lines:
        raise DataFileError(f"data file {path} is corrupt (no header); restore it from git")
    header, body = lines[0], lines[1:]
    if text.startswith("\ufeff"):
        raise DataFileError(f"data file {path} starts with a byte-order mark (saved by a spreadsheet?); "
                            "save it as plain UTF-8, or restore it from git")
    for sep, what in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and sep in header[0]:
            raise DataFileError(f"data file {path} is separated by {what}, not commas (saved by a spreadsheet?); "
                                "save it comma-separated, or restore it from git")
    if any(len(row) > len(header) for row in body):
        row = next(i for i, r in enumerate(body) if len(r) > len(header))
        raise DataFileError(f"data file {path} is corrupt (data row {row + 1} has more cells than the header); "
                            "restore it from git")
    schema = SCHEMAS[name]
    missing = [c for c in schema if c not in header]
    if missing:
        raise DataFileError(f"data file {path} lacks column(s) {missing}; expected {list(schema)}")
    if not body:
        raise DataFileError(f"data file {path} has no rows")
    extra = [c for c in header if c not in schema]
    if extra:
        raise DataFileError(f"data file {path} has unknown column(s) {extra}; expected {list(schema)} "
                            "(rebuild it with scripts/make_data.py)")
    rows = [dict(zip(header, row + [""] * (len(header) - len(row)))) for row in body]
    for column, check in schema.items():
        cells = [r[column] for r in rows]
        ok = check(cells)
        if not all(ok):
            row = ok.index(False)
            allowed = getattr(check, "allowed", None)
            fix = f"; allowed: {', '.join(allowed)}" if allowed else ""
            raise DataFileError(
                f"data file {path}: column {column!r} has an invalid value "
                f"{cells[row]!r} in data row {row + 1}{fix}"
            )
    keys = key_columns(name) or list(schema)
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        k = tuple(_key_value(r[c]) for c in keys)
        if k in seen:
            shown = ", ".join(f"{c}={r[c]!r}" for c in keys)
            raise DataFileError(f"data file {path}: data row {i + 1} repeats the key of data row {seen[k] + 1} "
                                f"({shown}); keep one of them (rebuild with scripts/make_data.py)")
        seen[k] = i
    return rows


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one paper table from ``chinchilla_lib/data/NAME.csv`` and validate it.

    Parameters
    ----------
    name : str
        One of :func:`table_names` (for example ``"tableA9_models"``).
    data_dir : path, optional
        Folder holding the CSVs; defaults to the repository's ``chinchilla_lib/data/``.

    Raises
    ------
    DataFileError
        When the file is missing, unreadable, lacks a column, or has a value
        that fails its check (the message names the file, column and row):
        the checks of ``read_rows``.
    """
    import pandas as pd

    read_rows(name, data_dir)
    try:
        return pd.read_csv(_path(name, data_dir))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(f"data file {_path(name, data_dir)} is corrupt ({exc}); restore it from git") from None


def paper_value(value_id: str) -> float:
    """One scalar reference value from ``chinchilla_lib/data/paper_values.csv`` by its id."""
    for row in read_rows("paper_values"):
        if row["id"] == value_id:
            return float(row["value"])
    raise KeyError(f"no paper value with id {value_id!r} in chinchilla_lib/data/paper_values.csv")


def table2_row(method: str, table: str = "Table 2") -> pd.Series:
    """One method's row of Hoffmann et al.'s Table 2 (or Table A2) from ``chinchilla_lib/data/table2_exponents.csv``.

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


def paper_files_table(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every file ``chinchilla_lib/data/README.md`` lists in its tables, with its description and size.

    Returns
    -------
    DataFrame
        One row per file: ``file``, ``section`` (the README heading it is listed under,
        ``"paper tables"`` for the first table, before any heading), ``what`` and ``source``
        (the README's words without code marks: paper and table or section, or the command
        that made the file), ``rows`` (data rows
        of a CSV; missing for JSON) and ``status`` (the values of its ``status`` column,
        ``;``-separated; empty if it has none).

    Raises
    ------
    DataFileError
        When the README lists a file that is missing.
    """
    import re

    import pandas as pd

    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    rows, section = [], ""
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`([^`]+\.(?:csv|json))`", cells[0]) if line.startswith("| `") else []
        if len(cells) != 3 or not names:
            continue
        for name in names:
            path = folder / name
            if not path.is_file():
                raise DataFileError(f"chinchilla_lib/data/README.md lists {name}, but {path} does not exist; "
                                    "run scripts/make_data.py")
            n_rows, status = None, ""
            if name.endswith(".csv"):
                frame = pd.read_csv(path, low_memory=False)
                n_rows = len(frame)
                if "status" in frame:
                    status = ";".join(sorted(frame["status"].dropna().astype(str).unique()))
            rows.append({"file": name, "section": section or "paper tables", "what": cells[1].replace("`", ""),
                         "source": cells[2].replace("`", ""), "rows": n_rows, "status": status})
    table = pd.DataFrame(rows, columns=["file", "section", "what", "source", "rows", "status"])
    table["rows"] = table["rows"].astype("Int64")
    return table
