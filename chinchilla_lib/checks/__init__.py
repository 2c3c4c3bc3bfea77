"""The reproduction scorecard: every check the book makes against a printed value.

Each check compares one number computed by this library with the value the paper
printed (read from ``chinchilla_lib/data/``), with a tolerance fixed in advance.  One module per
chapter, listed in :data:`CHAPTERS` in book order; each has a ``checks()`` that
yields :class:`Check` rows.  The intro page of the book and
``python -m chinchilla_lib scorecard`` show the same rows, in this order.  Ids are unique, and so
is each quantity: two rows with the same ``quantity``, ``reference`` and ``source`` are refused
(:func:`repeated_quantities`).
"""

from __future__ import annotations

import functools

import pandas as pd

from ..result_cache import shared_all
from . import (
    approach1,
    approach2,
    approach3,
    chinchilla_vs_gopher,
    comparison,
    compute_accounting,
    kaplan,
    laptop,
    other_runs,
    overtraining,
    problem,
)
from .check import COLUMNS, HOFFMANN, THIS_BOOK, Check, reproduced_by

__all__ = ["Check", "COLUMNS", "HOFFMANN", "THIS_BOOK", "CHAPTERS", "CHAPTER_FILES", "BOOK_ORDER", "chapter_number",
           "checks", "scorecard",
           "reproduced_by", "repeated_quantities"]

#: The chapter modules, in the book's order.
CHAPTERS = (problem, compute_accounting, approach1, approach2, approach3, comparison, other_runs, kaplan,
            chinchilla_vs_gopher, overtraining, laptop)


#: For each module of :data:`CHAPTERS` (by its short name): its chapter's file stem and title, in book order.
CHAPTER_FILES = {
    "problem": ("problem", "The problem: spending a compute budget"),
    "compute_accounting": ("compute_accounting", "Compute accounting: parameters and FLOPs"),
    "approach1": ("approach1", "Approach 1: the envelope of training curves"),
    "approach2": ("approach2", "Approach 2: IsoFLOP profiles"),
    "approach3": ("approach3", "Approach 3: the parametric fit"),
    "comparison": ("comparison", "The three approaches side by side"),
    "other_runs": ("other_runs", "The approaches on other people's runs"),
    "kaplan": ("kaplan", "The Kaplan comparison: why Kaplan's exponent was larger"),
    "chinchilla_vs_gopher": ("chinchilla_vs_gopher", "Chinchilla vs Gopher"),
    "overtraining": ("overtraining", "Over-training and inference"),
    "laptop": ("laptop", "A Chinchilla on a laptop"),
}


#: The book's numbered chapters in order (file stems), those without scorecard rows included: a chapter's
#: number is its place here (``tests/book/test_book.py`` checks it against ``_toc.yml``).
BOOK_ORDER = ("problem", "compute_accounting", "approach1", "approach2", "approach3", "comparison", "other_runs",
              "backtests", "kaplan", "chinchilla_vs_gopher", "overtraining", "laptop", "planner")


def chapter_number(stem: str) -> int:
    """The number the book gives the chapter ``stem`` (1 for ``problem``)."""
    if stem not in BOOK_ORDER:
        raise ValueError(f"stem must be a numbered chapter of the book, one of {', '.join(BOOK_ORDER)}; got {stem!r}")
    return BOOK_ORDER.index(stem) + 1


def _short(module) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def _checks_by_chapter() -> list[tuple[str, Check]]:
    out = [(_short(chapter), check) for chapter in CHAPTERS for check in chapter.checks()]
    _refuse_duplicates([c.as_row() for _, c in out])
    return out


def repeated_quantities(rows) -> list[list[str]]:
    """Ids of rows that state one quantity twice: the same ``quantity``, ``reference`` and ``source``.

    One quantity is one row: two rows that measure the same thing against the same printed value
    either repeat each other or, with different ``ours``, give the quantity two values.  Rows that
    compare variants of a quantity (the printed constants and the full-precision ones, our refit and
    the printed table) name the variant in their ``quantity``.

    Parameters
    ----------
    rows : iterable of dict
        Scorecard rows (:meth:`Check.as_row`), with ``id``, ``quantity``, ``reference`` and ``source``.

    Returns
    -------
    list of list of str
        For each repeated quantity, the ids of its rows (empty when every quantity has one row).
    """
    groups: dict[tuple, list[str]] = {}
    for row in rows:
        key = (" ".join(str(row["quantity"]).lower().split()), float(row["reference"]), str(row["source"]))
        groups.setdefault(key, []).append(row["id"])
    return [ids for ids in groups.values() if len(ids) > 1]


def _refuse_duplicates(rows: list[dict]) -> None:
    ids = [row["id"] for row in rows]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate scorecard ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    if repeated := repeated_quantities(rows):
        raise RuntimeError(f"scorecard rows that state one quantity twice (same quantity, reference and source): "
                           f"{repeated}")


def checks() -> list[Check]:
    """Every check of every chapter, in book order (ids unique)."""
    return [check for _, check in _checks_by_chapter()]


def _prefetch_public_runs() -> None:
    from ..studies.public_runs import approach_results

    approach_results()


#: Results the rows need that are worth splitting between processes result by result (inside one
#: chapter's rows they would be computed under that chapter's lock, by one process alone).
_PREFETCH = (_prefetch_public_runs,)


def _chapter_rows(chapter) -> list[dict]:
    """The rows of one module of :data:`CHAPTERS`, with its short name under ``chapter``."""
    return [{**check.as_row(), "chapter": _short(chapter)} for check in chapter.checks()]


def _rows() -> list[dict]:
    """Every check as a row, in book order, with the short name of its chapter's module under ``chapter``.

    When ``CHINCHILLA_LIB_CACHE`` is set, each chapter's rows are computed once per build and
    shared (:func:`~chinchilla_lib.result_cache.shared_all`): two chapters that need the scorecard
    at the same time split the chapters between them. Rows are stored as JSON, which gives every
    float back exactly.
    """
    for prefetch in _PREFETCH:  # first the costliest results, which two chapters then split between them
        prefetch()
    parts = shared_all([(f"scorecard-{_short(chapter)}", functools.partial(_chapter_rows, chapter))
                                     for chapter in CHAPTERS], codec="json")
    rows = [row for part in parts for row in part]
    _refuse_duplicates(rows)
    return rows


def scorecard(prefix: str | None = None, *, by_chapter: bool = False) -> pd.DataFrame:
    """All checks as a table with the columns of ``COLUMNS``.

    Parameters
    ----------
    prefix : str, optional
        Keep only rows whose id starts with this (e.g. ``"flops."``).
    by_chapter : bool, default False
        Add a last column ``chapter``: the short name of the module of ``CHAPTERS``
        the row comes from (a key of ``CHAPTER_FILES``).
    """
    frame = pd.DataFrame(_rows(), columns=COLUMNS + (["chapter"] if by_chapter else []))
    if prefix is not None:
        frame = frame[frame["id"].str.startswith(prefix)].reset_index(drop=True)
    return frame
