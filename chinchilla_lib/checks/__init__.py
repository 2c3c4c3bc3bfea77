"""The reproduction scorecard: every check the book makes against a printed value.

Each check compares one number computed by this library with the value the paper
printed (read from ``data/``), with a tolerance fixed in advance.  One module per
chapter, listed in :data:`CHAPTERS` in book order; each has a ``checks()`` that
yields :class:`Check` rows.  The intro page of the book and
``python -m chinchilla_lib scorecard`` show the same rows, in this order.
"""

from __future__ import annotations

import pandas as pd

from . import (approach1, approach2, approach3, comparison, compute_accounting, evaluation, kaplan, other_runs,
               overtraining, own_runs, problem)
from .model import COLUMNS, Check

__all__ = ["Check", "COLUMNS", "CHAPTERS", "CHAPTER_FILES", "checks", "scorecard"]

#: The chapter modules, in the book's order.
CHAPTERS = (problem, compute_accounting, approach1, approach2, approach3, comparison, other_runs, kaplan, evaluation,
            overtraining, own_runs)


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
    "evaluation": ("chinchilla_vs_gopher", "Chinchilla vs Gopher"),
    "overtraining": ("overtraining", "Over-training and inference"),
    "own_runs": ("laptop", "A Chinchilla on a laptop"),
}


def _short(module) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def _checks_by_chapter() -> list[tuple[str, Check]]:
    out = [(_short(chapter), check) for chapter in CHAPTERS for check in chapter.checks()]
    ids = [c.id for _, c in out]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate scorecard ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return out


def checks() -> list[Check]:
    """Every check of every chapter, in book order (ids unique)."""
    return [check for _, check in _checks_by_chapter()]


def scorecard(prefix: str | None = None, *, by_chapter: bool = False) -> pd.DataFrame:
    """All checks as a table with the columns of ``COLUMNS``.

    Parameters
    ----------
    prefix : str, optional
        Keep only rows whose id starts with this (e.g. ``"flops."``).
    by_chapter : bool, default False
        Add a last column ``chapter``: the short name of the module of :data:`CHAPTERS`
        the row comes from (a key of :data:`CHAPTER_FILES`).
    """
    tagged = _checks_by_chapter()
    frame = pd.DataFrame([c.as_row() for _, c in tagged], columns=COLUMNS)
    if by_chapter:
        frame["chapter"] = [name for name, _ in tagged]
    if prefix is not None:
        frame = frame[frame["id"].str.startswith(prefix)].reset_index(drop=True)
    return frame
