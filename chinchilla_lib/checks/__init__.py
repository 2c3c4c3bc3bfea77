"""The reproduction scorecard: every check the book makes against a printed value.

Each check compares one number computed by this library with the value the paper
printed (read from ``data/``), with a tolerance fixed in advance.  One module per
chapter, listed in :data:`CHAPTERS` in book order; each has a ``checks()`` that
yields :class:`Check` rows.  The intro page of the book and
``python -m chinchilla_lib scorecard`` show the same rows, in this order.
"""

from __future__ import annotations

import pandas as pd

from . import (
    approach1,
    approach2,
    approach3,
    comparison,
    compute_accounting,
    evaluation,
    kaplan,
    other_runs,
    overtraining,
    own_runs,
    problem,
)
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


#: A folder for the computed scorecard rows, shared by every chapter of one book build (set by
#: ``scripts/build_book.py``); unset, every call computes the rows afresh.
CACHE_ENV = "CHINCHILLA_LIB_CACHE"


def _inputs_digest() -> str:
    """SHA-256 of everything the rows depend on: the library's code, ``data/``, the external pins, library versions."""
    import hashlib
    from importlib.metadata import version
    from pathlib import Path

    from ..datasets.paper_tables import DATA_DIR

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    groups = [(package, sorted(package.rglob("*.py")) + sorted(p for p in package.rglob("pins/*") if p.is_file())),
              (DATA_DIR, sorted(p for p in DATA_DIR.rglob("*") if p.is_file()))]
    for base, files in groups:
        for path in files:
            name = f"{base.name}/{path.relative_to(base).as_posix()}"
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("numpy", "scipy", "pandas"):
        digest.update(f"{name}=={version(name)}".encode())
    return digest.hexdigest()


def _fresh_rows() -> list[dict]:
    """Every check as a row, with the short name of its chapter's module under ``chapter``."""
    return [{**check.as_row(), "chapter": name} for name, check in _checks_by_chapter()]


def _rows() -> list[dict]:
    """Every check as a row; read from, or written to, the folder named by ``CHINCHILLA_LIB_CACHE`` when set.

    The file is keyed by :func:`_inputs_digest`, so any change to the code or the data computes the
    rows again; the rows are stored as JSON, which gives every float back exactly.
    """
    import json
    import os
    from pathlib import Path

    folder = os.environ.get(CACHE_ENV, "").strip()
    if not folder:
        return _fresh_rows()
    path = Path(folder) / f"scorecard-{_inputs_digest()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:  # a chapter executed beside this one waits for these rows instead of computing them twice
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # no fcntl (Windows): both may compute; the write below stays atomic
            pass
        if path.is_file():
            try:
                return json.loads(path.read_text())
            except (OSError, ValueError):
                pass  # a damaged file: compute the rows again
        rows = _fresh_rows()
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(rows))
        os.replace(partial, path)  # atomic: a reader sees all rows or none
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
