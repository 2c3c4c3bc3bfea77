"""What the book's chapters share: glue numbers, one table style and number format, scorecard tables."""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["glue_number", "glue_all", "glue_figure", "table_style", "scorecard_frame", "scorecard_table",
           "scorecard_counts", "STATUS_STYLES", "STATUS_MARKERS", "STATUS_MEANINGS", "SCORECARD_COLUMNS", "COLUMNS",
           "significant", "flops_text", "billions", "count_text", "reader_header", "status_text", "status_legend",
           "scorecard_by_chapter", "quantity_table"]

_CELL = "padding: 2px 8px; white-space: nowrap; font-size: 0.88em"


def _plain(value):
    """numpy scalars -> Python numbers, so MyST-NB can format them (``{glue:text}`x:.3f```)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (numbers.Number, str)):
        return value
    raise TypeError(f"glue_number takes a number or a string, got {type(value).__name__}")


def glue_number(name: str, value) -> None:
    """Glue one computed number (or label) for use in prose, without displaying it."""
    from myst_nb import glue

    glue(name, _plain(value), display=False)


def glue_all(values: Mapping[str, object], prefix: str = "") -> None:
    """Glue every number of a mapping at once, under ``prefix + key``."""
    for key, value in values.items():
        glue_number(f"{prefix}{key}", value)


def glue_figure(name: str, fig=None) -> None:
    """Glue a matplotlib figure (the current one by default) for a ``{glue:figure}`` directive, and close it.

    The chapter's prose then places it with its caption and label, so the figure
    appears once, where the directive stands.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    fig = plt.gcf() if fig is None else fig
    glue(name, fig, display=False)
    plt.close(fig)


def significant(value, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, never in e-notation below 1e15: ``67.8``, ``1400``, ``0.0744``."""
    if value is None or not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(float(value), decimals)
    if decimals == 0:
        return f"{rounded:.0f}"
    return f"{rounded:.{decimals}f}"


def flops_text(value, digits: int = 3) -> str:
    """A count in scientific notation as the book writes FLOPs: ``5.76e23``, ``1e24`` (``digits`` significant)."""
    if value is None or not np.isfinite(value):
        return "–"
    mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def billions(value) -> str:
    """A raw count shown in billions, three significant digits: 6.7e10 -> ``67``."""
    return significant(value / 1e9)


def count_text(value) -> str:
    """A count as a whole number: ``8``, also when stored as a float."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{int(round(float(value))):d}"


def _e_notation(text: str) -> str:
    """``7.319e+10`` -> ``7.319e10``, ``1.0e-05`` -> ``1.0e-5``: one way of writing powers of ten."""
    return re.sub(r"(?<=\d)e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def _formatter(spec):
    """A format string or function -> a function whose e-notation is the book's (:func:`_e_notation`)."""
    if callable(spec):
        return spec
    def text(x):
        try:
            return _e_notation(spec.format(x))
        except (TypeError, ValueError):  # a text cell in a numeric column's format
            return str(x)

    return text


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
        over the format of :data:`COLUMNS`.
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
            chosen[c] = _general
        elif c not in chosen and not pd.api.types.is_numeric_dtype(frame[c]):
            chosen[c] = lambda v: _e_notation(str(v))
    names = {c: (headers or {}).get(c, reader_header(c)) for c in frame.columns}
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
            spec = count_text if pd.api.types.is_integer_dtype(values) else _general
        text = _formatter(spec)
        rows.append({first: reader_header(column), **{str(k): text(v) for k, v in values.items()}})
    return table_style(pd.DataFrame(rows), headers={first: first})


def _general(value) -> str:
    """A float with no format given: three significant digits, e-notation beyond 1e6 or below 1e-3."""
    if not np.isfinite(value):
        return "–"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return flops_text(value)
    return significant(value, 3)


#: How each status is marked in a scorecard table (the same in every chapter and on the intro page).
STATUS_STYLES = {
    "reproduced": "color: #1b6e20",
    "differs": "color: #b00020; font-weight: bold",
    "self-check": "color: #555555; font-style: italic",
    "self-check failed": "color: #b00020; font-style: italic; font-weight: bold",
    "new result": "color: #1f5fa8",
    "error": "color: #b00020; font-weight: bold; text-decoration: underline",
}

#: One marker per status, shown before the status word in every scorecard table.
STATUS_MARKERS = {
    "reproduced": "✓",
    "differs": "✗",
    "self-check": "○",
    "self-check failed": "⊗",
    "new result": "★",
    "error": "⚠",
}

#: What each status means, for the legend above every scorecard table.
STATUS_MEANINGS = {
    "reproduced": "our value matches the printed one within the tolerance",
    "differs": "it does not (the note says why)",
    "self-check": "tests our code, not the paper",
    "new result": "no value was printed for these runs (shown beside the paper's)",
}

#: The columns of a scorecard table and their headers, in order (:func:`scorecard_frame`'s names).
SCORECARD_COLUMNS = {"quantity": "Check", "source": "Printed in", "status": "Status", "paper": "Paper",
                     "ours": "Ours", "difference": "Difference", "tolerance": "Tolerance",
                     "why": "Note", "id": "Id"}

_WRAP = {"white-space": "normal", "min-width": "12em", "max-width": "28em", "vertical-align": "top"}


def status_text(status: str) -> str:
    """A status as shown in a table: its marker and its word, ``"✗ differs"``."""
    return f"{STATUS_MARKERS.get(status, '?')} {status}"


def status_legend() -> str:
    """The legend line above a scorecard table: every status's marker and meaning."""
    return "; ".join(f"{status_text(s)}: {m}" for s, m in STATUS_MEANINGS.items()) + "."


def _chapter_text(stem: str) -> str:
    from .checks import CHAPTER_FILES

    for number, (file, title) in enumerate(CHAPTER_FILES.values(), start=1):
        if file == stem:
            return f"chapter {number} ({title})"
    return f"the chapter {stem}"


def _sentence(text) -> str:
    """A note as a sentence: capital first letter, closing full stop, powers of ten written the book's way."""
    text = _e_notation(str(text).strip())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def scorecard_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows as display text: ``paper``, ``ours``, ``difference``, ``tolerance`` and ``why``.

    Relative differences and tolerances are shown in per cent, absolute ones in the
    units of the value (4 significant figures).  ``why`` is the row's note followed, for a
    row explained elsewhere, by the chapter that explains it.
    """
    relative = rows["tolerance_kind"] == "relative"
    note = rows["note"] if "note" in rows else pd.Series("", index=rows.index)
    where = rows["explained_in"] if "explained_in" in rows else pd.Series("", index=rows.index)
    why = [" ".join(p for p in (_sentence(n), f"Explained in {_chapter_text(w)}." if w else "") if p)
           for n, w in zip(note, where)]
    text = {c: rows[c].map(lambda t: _e_notation(str(t))) for c in ("quantity", "source") if c in rows}
    return rows.assign(
        **text,
        paper=rows["reference"].map(lambda x: _e_notation(f"{x:.4g}")),
        ours=rows["ours"].map(lambda x: _e_notation(f"{x:.4g}")),
        difference=[f"{d:+.2%}" if r else _e_notation(f"{d:+.4f}") for d, r in zip(rows["difference"], relative)],
        tolerance=[f"±{t:.1%}" if r else _e_notation(f"±{t:.4g}") for t, r in zip(rows["tolerance"], relative)],
        why=why,
    )


def _styled_scorecard(rows: pd.DataFrame, columns, caption: str | None):
    shown = scorecard_frame(rows)[list(columns)]
    shown = shown.assign(**({"status": shown["status"].map(status_text)} if "status" in columns else {}))
    shown = shown.rename(columns={c: SCORECARD_COLUMNS.get(c, reader_header(c)) for c in columns})
    styled = shown.style.hide(axis="index").set_table_styles([{"selector": "td, th", "props": _CELL}])
    styled = styled.format(escape="html")
    wrapped = [SCORECARD_COLUMNS[c] for c in ("quantity", "source", "why") if c in columns]
    if wrapped:
        styled = styled.set_properties(subset=wrapped, **_WRAP)
    if "status" in columns:
        styled = styled.map(lambda s: STATUS_STYLES.get(s.split(" ", 1)[-1], ""), subset=["Status"])
    if "id" in columns:
        styled = styled.set_properties(subset=["Id"], **{"font-size": "0.75em", "color": "#666666"})
    if caption:
        styled = styled.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold"}],
            overwrite=False)
    return styled


def scorecard_table(prefix: str | None = None, *, columns=tuple(SCORECARD_COLUMNS), legend: bool = True):
    """The scorecard rows whose id starts with ``prefix`` (all when None), as a reader's table.

    Each row is labelled by what it measures (its ``quantity``), its status carries one
    marker (:data:`STATUS_MARKERS`) and one colour (:data:`STATUS_STYLES`), its note and
    the chapter that explains it are shown in the "Note" column, and its id comes last,
    small.  ``legend`` puts the status legend (:func:`status_legend`) above the table.
    ``columns`` picks the columns (keys of :data:`SCORECARD_COLUMNS`).
    """
    from .checks import scorecard

    return _styled_scorecard(scorecard(prefix), columns, status_legend() if legend else None)


def scorecard_by_chapter(rows: pd.DataFrame | None = None, *, columns=tuple(SCORECARD_COLUMNS)):
    """The whole scorecard as one table per chapter, in book order, under the status legend.

    Parameters
    ----------
    rows : DataFrame, optional
        Scorecard rows with a ``chapter`` column (``scorecard(by_chapter=True)``, the
        default).

    Returns
    -------
    IPython.display.HTML
        The legend, then for each chapter with rows a table captioned with the chapter's
        number and title.  Every row appears exactly once.
    """
    from IPython.display import HTML

    from .checks import CHAPTER_FILES, scorecard

    rows = scorecard(by_chapter=True) if rows is None else rows
    parts = [f'<p class="scorecard-legend">{status_legend()}</p>']
    for number, (module, (_stem, title)) in enumerate(CHAPTER_FILES.items(), start=1):
        group = rows[rows["chapter"] == module]
        if len(group):
            caption = f"Chapter {number}: {title} ({len(group)} row{'' if len(group) == 1 else 's'})"
            parts.append(_styled_scorecard(group, columns, caption).to_html())
    unknown = rows[~rows["chapter"].isin(list(CHAPTER_FILES))]
    if len(unknown):
        raise ValueError(f"rows: chapter {sorted(set(unknown['chapter']))} is not in checks.CHAPTER_FILES")
    return HTML("\n".join(parts))


def scorecard_counts(rows: pd.DataFrame | None = None) -> dict[str, int]:
    """How many scorecard rows there are, by status, the self-checks counted apart.

    Parameters
    ----------
    rows : DataFrame, optional
        Scorecard rows with a ``status`` column (:func:`chinchilla_lib.checks.scorecard`,
        all rows, when omitted).

    Returns
    -------
    dict
        ``n_checks`` (every row), ``n_reproduced`` (status ``reproduced``), ``n_differs``
        (status ``differs``), ``n_self_check`` (status ``self-check``) and
        ``n_self_check_failed`` (status ``self-check failed``) and ``n_new_result`` (status
        ``new result``).  Self-checks and new results are never counted as reproduced.
    """
    if rows is None:
        from .checks import scorecard

        rows = scorecard()
    counts = rows["status"].value_counts()
    return {"n_checks": len(rows), "n_reproduced": int(counts.get("reproduced", 0)),
            "n_differs": int(counts.get("differs", 0)), "n_self_check": int(counts.get("self-check", 0)),
            "n_self_check_failed": int(counts.get("self-check failed", 0)),
            "n_new_result": int(counts.get("new result", 0))}
