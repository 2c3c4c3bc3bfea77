"""The few helpers the book's chapters share: glue numbers, one table style, a chapter's scorecard rows."""

from __future__ import annotations

import numbers
from typing import Mapping

import numpy as np
import pandas as pd

__all__ = ["glue_number", "glue_all", "glue_figure", "table_style", "scorecard_frame", "scorecard_table",
           "scorecard_counts", "STATUS_STYLES"]

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


def table_style(frame: pd.DataFrame, formats: dict | str | None = None, *, na_rep: str = "–",
                wrap: bool = False):
    """The book's one table look: formatted values, no index, compact padded cells.

    Parameters
    ----------
    frame : DataFrame
    formats : dict or str, optional
        Passed to :meth:`pandas.io.formats.style.Styler.format` (a format string for every
        column, or one per column).
    na_rep : str, default "–"
        Shown for missing values.
    wrap : bool, default False
        Let long text wrap (for tables of notes and sources).
    """
    cell = _CELL.replace("white-space: nowrap", "white-space: normal; vertical-align: top") if wrap else _CELL
    return frame.style.format(formats, na_rep=na_rep).hide(axis="index").set_table_styles(
        [{"selector": "td, th", "props": cell}])


def scorecard_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows as display text: ``paper``, ``ours``, ``difference`` and ``tolerance``.

    Relative differences and tolerances are shown in per cent, absolute ones in the
    units of the value (4 significant figures).
    """
    relative = rows["tolerance_kind"] == "relative"
    return rows.assign(
        paper=rows["reference"].map(lambda x: f"{x:.4g}"),
        ours=rows["ours"].map(lambda x: f"{x:.4g}"),
        difference=[f"{d:+.2%}" if r else f"{d:+.4f}" for d, r in zip(rows["difference"], relative)],
        tolerance=[f"±{t:.1%}" if r else f"±{t:.4g}" for t, r in zip(rows["tolerance"], relative)],
    )


#: How each status is marked in a scorecard table (the same in every chapter and on the intro page).
STATUS_STYLES = {
    "reproduced": "",
    "differs": "color: #b00020; font-weight: bold",
    "self-check": "color: #555555; font-style: italic",
    "self-check failed": "color: #b00020; font-style: italic; font-weight: bold",
    "new result": "color: #1f5fa8",
    "error": "color: #b00020; font-weight: bold",
}


def scorecard_table(prefix: str | None = None, *, columns=("id", "status", "paper", "ours", "difference",
                                                           "tolerance"), wrap: bool = False):
    """The scorecard rows whose id starts with ``prefix`` (all when None), styled, statuses marked.

    Rows that differ are in bold red, self-checks in grey italics (:data:`STATUS_STYLES`).
    ``columns`` picks the columns shown (any of :func:`scorecard_frame`'s, e.g. ``quantity``,
    ``source``, ``note``, ``explained_in``); ``wrap`` lets long text wrap, as in :func:`table_style`.
    """
    from .checks import scorecard

    shown = scorecard_frame(scorecard(prefix))[list(columns)]
    styled = table_style(shown, wrap=wrap)
    if "status" in columns:
        styled = styled.map(lambda s: STATUS_STYLES.get(s, ""), subset=["status"])
    return styled


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
