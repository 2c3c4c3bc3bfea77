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

__all__ = ["Check", "COLUMNS", "CHAPTERS", "checks", "scorecard"]

#: The chapter modules, in the book's order.
CHAPTERS = (problem, compute_accounting, approach1, approach2, approach3, comparison, other_runs, kaplan, evaluation,
            overtraining, own_runs)


def checks() -> list[Check]:
    """Every check of every chapter, in book order (ids unique)."""
    out = [check for chapter in CHAPTERS for check in chapter.checks()]
    ids = [c.id for c in out]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate scorecard ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return out


def scorecard(prefix: str | None = None) -> pd.DataFrame:
    """All checks as a table with the columns of ``COLUMNS``.

    Parameters
    ----------
    prefix : str, optional
        Keep only rows whose id starts with this (e.g. ``"flops."``).
    """
    frame = pd.DataFrame([c.as_row() for c in checks()], columns=COLUMNS)
    if prefix is not None:
        frame = frame[frame["id"].str.startswith(prefix)].reset_index(drop=True)
    return frame
