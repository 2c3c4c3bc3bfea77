"""The book's one table look: reader headers with units, one number format per quantity."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from .formats import _e_notation, _formatter, billions, count_text, flops_text, general, significant

__all__ = ["COLUMNS", "reader_header", "table_style", "quantity_table"]

_CELL = "padding: 2px 8px; white-space: nowrap; font-size: 0.88em"


#: Reader headers (words, with units) and formats of the column names the library's tables use.
#: A chapter's own ``formats`` entry for a column wins over the format here; the header is always
#: replaced.  Raw counts (``n_params``, ``n_tokens``) are shown in billions.
COLUMNS = {
    "n_params": ("Parameters (B)", billions),
    "n_tokens": ("Tokens (B)", billions),
    "flops": ("Compute (FLOPs)", flops_text),
    "FLOPs": ("Compute (FLOPs)", flops_text),
    "budget": ("Budget (FLOPs)", flops_text),
    "n_opt": ("Optimal parameters (B)", billions),
    "N_opt": ("Optimal parameters", None),
    "D_opt": ("Optimal tokens", None),
    "d_opt": ("Optimal tokens (B)", billions),
    "loss": ("Loss (nats per token)", "{:.3f}"),
    "loss_opt": ("Loss at the optimum (nats per token)", "{:.3f}"),
    "tokens_per_param": ("Tokens per parameter", significant),
    "n_points": ("Runs", count_text),
    "half_width": ("Half-width (decades of N)", "{:.2f}"),
    "offset": ("Offset (decades of N)", "{:+.2f}"),
    "flops_paper": ("Paper's compute (FLOPs)", flops_text),
    "flops_ours": ("Our compute (FLOPs)", flops_text),
    "tokens_paper": ("Paper's tokens (B)", billions),
    "tokens_ours": ("Our tokens (B)", billions),
    "flops_ratio": ("Compute, ours / paper", "{:.3f}"),
    "naive_12Ld2": ("12·L·d² count (millions)", "{:.2f}"),
    "n_params_millions": ("Printed parameters (millions)", "{:.0f}"),
    "a": ("Exponent a", "{:.3f}"),
    "b": ("Exponent b", "{:.3f}"),
    "E": ("E", "{:.4f}"),
    "A": ("A", "{:.1f}"),
    "B": ("B", "{:.1f}"),
    "alpha": ("α", "{:.4f}"),
    "beta": ("β", "{:.4f}"),
    "objective": ("Objective", "{:.4g}"),
    "mean_abs_residual": ("Mean |residual|", "{:.2%}"),
    "median_residual": ("Median residual", "{:+.2%}"),
    "beyond_delta": ("Share with |residual| > δ", "{:.0%}"),
    "approach": ("Approach", None),
    "paper a": ("Paper's a", "{:.2f}"),
    "paper 10-90%": ("Paper's 10–90% interval", None),
    "our a": ("Our a", "{:.3f}"),
    "our 10-90%": ("Our 10–90% interval", None),
    "study": ("Study", None),
    "budgets": ("Budgets (FLOPs)", None),
    "note": ("Note", None),
    "d_model": ("Width d_model", None),
    "n_layers": ("Layers", None),
    "n_heads": ("Heads", None),
    "kv_size": ("Head size", None),
    "quantity": ("Quantity", None),
    "estimate": ("Estimate", None),
    "p2.5": ("2.5th percentile", None),
    "p10": ("10th percentile", None),
    "p90": ("90th percentile", None),
    "p97.5": ("97.5th percentile", None),
    "label": ("Allocation", None),
    "law": ("Law", None),
    "allocation": ("Allocation", None),
    "model": ("Model", None),
    "series": ("Series", None),
    "data": ("Data", None),
    "curvature": ("Curvature (per decade²)", "{:+.3f}"),
    "lo": ("Low", "{:+.3f}"),
    "hi": ("High", "{:+.3f}"),
    "low": ("Low", "{:.4f}"),
    "high": ("High", "{:.4f}"),
    "width": ("Width", "{:.4f}"),
    "ratio": ("Ratio", "{:.3f}"),
    "difference": ("Difference", None),
    "ours": ("Ours", None),
    "paper": ("Paper", None),
    "count": ("Count", None),
    "gradient_max": ("Largest gradient", "{:.1e}"),
    "ftol": ("ftol", "{:.1e}"),
    "gtol": ("gtol", "{:.0e}"),
    "saving": ("Saving (%)", "{:.1f}"),
    "saved_flops": ("FLOPs saved", flops_text),
    "co_tokens": ("Chinchilla-optimal tokens (B)", billions),
    "times_20": ("Times the 20-tokens-per-parameter rule", "{:.2f}"),
    "embedding_share": ("Embedding share", "{:.0%}"),
    "flop_ratio": ("FLOPs / 6ND", "{:.2f}"),
    "a_min": ("Smallest a", "{:.3f}"),
    "a_median": ("Median a", "{:.3f}"),
    "a_max": ("Largest a", "{:.3f}"),
    "spread": ("Spread of a", "{:.3f}"),
    "share_n": ("Share", "{:.0%}"),
    "delta_a": ("Change in a", "{:+.3f}"),
    "n_params_counted": ("Parameters, our count of the Table 4 shape (B)", billions),
    "flops_6nd": ("Compute as 6ND, Table 1's N (FLOPs)", flops_text),
    "flops_6nd_counted": ("Compute as 6ND, our count of N (FLOPs)", flops_text),
    "flops_appendix_f": ("Compute, Appendix F count with embeddings (FLOPs)", flops_text),
}


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu",
          "rho", "sigma", "tau", "phi", "chi", "psi", "omega"}


def reader_header(column) -> str:
    """The header a table shows for ``column``: its entry in :data:`COLUMNS`, else the name with ``_`` as spaces.

    A name that starts with a lower-case word of two letters or more starts with a capital
    (``"data set"`` -> ``"Data set"``); a one-letter symbol is kept (``"a (interior range)"``).
    """
    if column in COLUMNS:
        return COLUMNS[column][0]
    text = _e_notation(str(column).replace("_", " ") if isinstance(column, str) else str(column))
    first = re.match(r"[a-z]{2,}\b", text)  # "data set" -> "Data set"; "a (x)", "alpha N" kept
    if first and first.group() not in _GREEK:
        text = text[0].upper() + text[1:]
    return text


def _header_for(column, chosen_format) -> str:
    """:func:`reader_header`, without its "(B)" when the column is not shown in billions (a chapter's own format)."""
    header = reader_header(column)
    if column in COLUMNS and COLUMNS[column][1] is billions and chosen_format is not billions:
        header = header.replace(" (B)", "")
    return header


def table_style(frame: pd.DataFrame, formats: dict | str | None = None, *, na_rep: str = "–",
                wrap: bool = False, headers: Mapping[str, str] | None = None):
    """The book's one table look: reader headers, one number format per quantity, no index, compact cells.

    Column names the library uses get the header and format of :data:`COLUMNS`
    (``n_params`` -> "Parameters (B)" in billions, ``flops`` -> "Compute (FLOPs)" as
    ``5.76e23``); other names are shown with spaces for underscores.  Every number in
    e-notation is written the book's way (``7.32e10``, not ``7.32e+10``).

    Parameters
    ----------
    frame : DataFrame
    formats : dict or str, optional
        A format string (or function) for every column, or one per column name; it wins
        over the format of :data:`COLUMNS` (and a count so shown loses the "(B)" of its
        header: ``{"n_params": "{:,.0f}"}`` is headed "Parameters").
    na_rep : str, default "–"
        Shown for missing values (NaN, None, and empty text).
    wrap : bool, default False
        Let long text wrap (for tables of notes and sources).
    headers : mapping, optional
        Headers for column names, winning over :data:`COLUMNS`.
    """
    cell = _CELL.replace("white-space: nowrap", "white-space: normal; vertical-align: top") if wrap else _CELL
    if isinstance(formats, str) or callable(formats):
        chosen = {c: formats for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    else:
        chosen = {c: COLUMNS[c][1] for c in frame.columns if c in COLUMNS and COLUMNS[c][1] is not None
                  and pd.api.types.is_numeric_dtype(frame[c])}
        chosen.update(formats or {})
    for c in frame.columns:
        if c not in chosen and pd.api.types.is_float_dtype(frame[c]):
            chosen[c] = general
        elif c not in chosen and not pd.api.types.is_numeric_dtype(frame[c]):
            chosen[c] = lambda v: _e_notation(str(v))
    names = {c: (headers or {}).get(c, _header_for(c, chosen.get(c))) for c in frame.columns}
    if len(set(names.values())) < len(names):  # two columns would read alike: keep the names
        names = {c: (headers or {}).get(c, c) for c in frame.columns}
    shown = frame.rename(columns=names)
    for i, _ in enumerate(shown.columns):  # an empty text cell is a missing value too
        col = shown.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            shown.iloc[:, i] = col.mask(col.map(lambda v: isinstance(v, str) and not v.strip()))
    shown_formats = {names[c]: _formatter(f) for c, f in chosen.items() if c in names}
    return shown.style.format(shown_formats, na_rep=na_rep).hide(axis="index").set_table_styles(
        [{"selector": "td, th", "props": cell}])


def quantity_table(frame: pd.DataFrame, *, first: str = "Quantity"):
    """A table with one row per column of ``frame`` (a quantity) and one column per row (e.g. a model).

    Each row is labelled with the quantity's header in words (:func:`reader_header`) and its values
    are written in that quantity's format from :data:`COLUMNS` (whole numbers as integers, other
    floats with three significant digits), so a transposed table reads like every other table.
    """
    rows = []
    for column in frame.columns:
        spec = COLUMNS.get(column, (None, None))[1]
        values = frame[column]
        if spec is None:
            spec = count_text if pd.api.types.is_integer_dtype(values) else general
        text = _formatter(spec)
        rows.append({first: reader_header(column), **{str(k): text(v) for k, v in values.items()}})
    return table_style(pd.DataFrame(rows), headers={first: first})
