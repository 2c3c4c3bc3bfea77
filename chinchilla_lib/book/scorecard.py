"""Scorecard rows as a reader's tables: one marker and colour per status, one table per chapter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .formats import _e_notation
from .tables import reader_header

__all__ = ["STATUS_STYLES", "STATUS_MARKERS", "STATUS_MEANINGS", "SCORECARD_COLUMNS", "EXTRA_COLUMNS", "status_text",
           "status_legend", "printed_decimals", "chapter_summary", "scorecard_frame", "scorecard_table",
           "scorecard_by_chapter", "scorecard_counts"]


#: How each status is marked in a scorecard table (the same in every chapter and on the intro page).
STATUS_STYLES = {
    "reproduced": "color: #1b6e20",
    "differs": "color: #b00020; font-weight: bold",
    "self-check": "color: #555555; font-style: italic",
    "self-check failed": "color: #b00020; font-style: italic; font-weight: bold",
    "new result": "color: #1f5fa8",
    "refused": "color: #555555; text-decoration: line-through",
    "error": "color: #b00020; font-weight: bold; text-decoration: underline",
}

#: One marker per status, shown before the status word in every scorecard table.
STATUS_MARKERS = {
    "reproduced": "✓",
    "differs": "✗",
    "self-check": "○",
    "self-check failed": "⊗",
    "new result": "★",
    "refused": "⊘",
    "error": "⚠",
}

#: What each status means, for the legend above every scorecard table.
STATUS_MEANINGS = {
    "reproduced": "our value matches the printed one within the tolerance",
    "differs": "it does not (the note says why)",
    "self-check": "tests our code, not the paper",
    "new result": "no value was printed for these runs (shown beside the paper's)",
    "refused": "the fit-quality gate refuses the fit behind our value: the runs cannot decide it",
}

#: The columns of a scorecard table and their headers, in order (:func:`scorecard_frame`'s names): the
#: status first; where the value was printed, the tolerance and the row's id are in the note.
SCORECARD_COLUMNS = {"status": "Status", "quantity": "Check", "paper": "Printed", "ours": "Ours",
                     "difference": "Difference", "why": "Note"}
#: Columns a table may also show (``columns=``), with their headers.
EXTRA_COLUMNS = {"source": "Printed in", "tolerance": "Tolerance", "id": "Id"}

#: Every cell wraps (the numbers are short), so a table fits the text column.
_SCORECARD_CELL = "padding: 2px 6px; white-space: normal; vertical-align: top; font-size: 0.85em"
#: Above this size a difference reads better as a percentage of the printed value.
_RELATIVE_ABOVE = 1e4


def status_text(status: str) -> str:
    """A status as shown in a table: its marker and its word, ``"✗ differs"``."""
    return f"{STATUS_MARKERS.get(status, '?')} {status}"


def status_legend() -> str:
    """The legend line above a scorecard table: every status's marker and meaning."""
    return "; ".join(f"{status_text(s)}: {m}" for s, m in STATUS_MEANINGS.items()) + "."


def _chapter_text(stem: str) -> str:
    from ..checks import CHAPTER_FILES, chapter_number

    for file, title in CHAPTER_FILES.values():
        if file == stem:
            return f"chapter {chapter_number(file)} ({title})"
    return f"the chapter {stem}"


def _sentence(text) -> str:
    """A note as a sentence: capital first letter, closing full stop, powers of ten written the book's way."""
    text = _e_notation(str(text).strip())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def printed_decimals(tolerance: float) -> int | None:
    """Decimals of a printed value whose tolerance is half a unit in its last digit (0.005 -> 2; None above 0.5)."""
    if not np.isfinite(tolerance) or tolerance <= 0:
        return None
    decimals = int(np.ceil(-np.log10(2 * tolerance) - 1e-9))
    return decimals if 0 <= decimals <= 8 else None


def _value(x: float, decimals: int | None) -> str:
    """``x`` to ``decimals`` places; 4 significant figures when not known or beyond 1e7 (``5.76e23``)."""
    return _e_notation(f"{x:.4g}") if decimals is None or abs(x) >= 1e7 else f"{x:.{decimals}f}"


def _difference(row) -> str:
    """Relative (per cent) for a relative tolerance or a large value; else absolute at the printed precision."""
    ref, diff = row["reference"], row["difference"]
    if row["tolerance_kind"] == "relative":
        return f"{diff:+.2%}"
    if abs(ref) >= _RELATIVE_ABOVE and ref != 0:
        return f"{diff / ref:+.2%}"
    decimals = printed_decimals(row["tolerance"])
    return _e_notation(f"{diff:+.3g}") if decimals is None else f"{diff:+.{decimals}f}"


def scorecard_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows as display text: ``paper``, ``ours``, ``difference``, ``tolerance`` and ``why``.

    Values with an absolute tolerance of half a unit in the last printed digit are written to
    that digit (:func:`printed_decimals`), others to 4 significant figures.  The difference is
    relative (per cent of the printed value) for a relative tolerance and for values of
    10,000 or more, where a percentage means more; else absolute, at the printed precision.
    ``why`` is the row's note, the chapter that explains it (for a row explained elsewhere),
    where the value was printed, the tolerance and the row's id.
    """
    relative = rows["tolerance_kind"] == "relative"
    note = rows["note"] if "note" in rows else pd.Series("", index=rows.index)
    where = rows["explained_in"] if "explained_in" in rows else pd.Series("", index=rows.index)
    source = rows["source"] if "source" in rows else pd.Series("", index=rows.index)
    ids = rows["id"] if "id" in rows else pd.Series("", index=rows.index)
    decimals = [None if r else printed_decimals(t) for t, r in zip(rows["tolerance"], relative)]
    tolerance = [f"±{t:.1%}" if r else _e_notation(f"±{t:.4g}") for t, r in zip(rows["tolerance"], relative)]
    why = [" ".join(p for p in (_sentence(n), f"Explained in {_chapter_text(w)}." if w else "",
                                f"Printed in {_e_notation(str(src))}." if str(src).strip() else "",
                                "" if str(n).lstrip().lower().startswith("tolerance") else f"Tolerance {tol}.",
                                f"Id: {i}." if str(i).strip() else "") if p)
           for n, w, src, tol, i in zip(note, where, source, tolerance, ids)]
    text = {c: rows[c].map(lambda t: _e_notation(str(t))) for c in ("quantity", "source") if c in rows}
    return rows.assign(
        **text,
        paper=[_value(x, d) for x, d in zip(rows["reference"], decimals)],
        ours=[_value(x, d) for x, d in zip(rows["ours"], decimals)],
        difference=[_difference(r) for _, r in rows.iterrows()],
        tolerance=tolerance,
        why=why,
    )


def chapter_summary(rows: pd.DataFrame) -> str:
    """One line for a chapter's rows: how many, and how many of each status (``"12 rows: 8 ✓ reproduced, ..."``)."""
    counts = rows["status"].value_counts()
    parts = [f"{counts[s]} {status_text(s)}" for s in STATUS_MARKERS if s in counts]
    return f"{len(rows)} row{'' if len(rows) == 1 else 's'}: " + ", ".join(parts)


def _styled_scorecard(rows: pd.DataFrame, columns, caption: str | None):
    headers = {**SCORECARD_COLUMNS, **EXTRA_COLUMNS}
    shown = scorecard_frame(rows)[list(columns)]
    shown = shown.assign(**({"status": shown["status"].map(status_text)} if "status" in columns else {}))
    shown = shown.rename(columns={c: headers.get(c, reader_header(c)) for c in columns})
    styled = shown.style.hide(axis="index").set_table_styles(
        [{"selector": "td, th", "props": _SCORECARD_CELL}, {"selector": "", "props": "width: 100%"}])
    styled = styled.format(escape="html").set_table_attributes('class="scorecard"')
    if "status" in columns:
        styled = styled.map(lambda s: STATUS_STYLES.get(s.split(" ", 1)[-1], ""), subset=["Status"])
    if caption:
        styled = styled.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold"}],
            overwrite=False)
    return styled


def scorecard_table(prefix: str | None = None, *, columns=tuple(SCORECARD_COLUMNS), legend: bool = True):
    """The scorecard rows whose id starts with ``prefix`` (all when None), as a reader's table.

    The status comes first, with one marker (:data:`STATUS_MARKERS`) and one colour
    (:data:`STATUS_STYLES`); each row is labelled by what it measures (its ``quantity``); the
    "Note" column holds its note, the chapter that explains it, where the value was printed,
    the tolerance and the id.  ``legend`` puts the status legend (:func:`status_legend`) above
    the table.  ``columns`` picks the columns (keys of :data:`SCORECARD_COLUMNS` and
    :data:`EXTRA_COLUMNS`).
    """
    from ..checks import scorecard

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
        number and title and its summary line (:func:`chapter_summary`).  Every row appears
        exactly once.  The page's filter (``_static/scorecard_filter.js``) finds the tables by
        their class ``scorecard``.
    """
    from IPython.display import HTML

    from ..checks import CHAPTER_FILES, chapter_number, scorecard

    rows = scorecard(by_chapter=True) if rows is None else rows
    parts = [f'<p class="scorecard-legend">{status_legend()}</p>']
    for module, (stem, title) in CHAPTER_FILES.items():
        group = rows[rows["chapter"] == module]
        if len(group):
            caption = f"Chapter {chapter_number(stem)}: {title}. {chapter_summary(group)}"
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
        Scorecard rows with the columns ``status`` and ``printed_by``
        (:func:`chinchilla_lib.checks.scorecard`, all rows, when omitted).

    Returns
    -------
    dict
        ``n_checks`` (every row), ``n_reproduced`` (status ``reproduced``), ``n_differs``
        (status ``differs``), ``n_self_check`` (status ``self-check``) and
        ``n_self_check_failed`` (status ``self-check failed``), ``n_new_result`` (status
        ``new result``) and ``n_refused`` (status ``refused``: the fit behind our value is refused).  Self-checks and new results are never counted as reproduced.  The
        reproduced rows by whose number they reproduce (:func:`chinchilla_lib.checks.reproduced_by`):
        ``n_reproduced_hoffmann`` (the Chinchilla paper's own), ``n_reproduced_later`` (later
        papers') and ``n_reproduced_own`` (the book's own prediction); the three add up to
        ``n_reproduced``.
    """
    from ..checks import reproduced_by

    if rows is None:
        from ..checks import scorecard

        rows = scorecard()
    counts = rows["status"].value_counts()
    by = reproduced_by(rows)
    return {"n_checks": len(rows), "n_reproduced": int(counts.get("reproduced", 0)),
            "n_differs": int(counts.get("differs", 0)), "n_self_check": int(counts.get("self-check", 0)),
            "n_self_check_failed": int(counts.get("self-check failed", 0)),
            "n_new_result": int(counts.get("new result", 0)), "n_refused": int(counts.get("refused", 0)),
            "n_reproduced_hoffmann": by["hoffmann"], "n_reproduced_later": by["later_papers"],
            "n_reproduced_own": by["this_book"]}
