"""The reproduction scorecard: every check the book makes against a printed value.

Each check compares one number computed by this library with the value the
paper printed (read from ``data/``), with a stated tolerance.  The intro page of
the book and ``python -m chinchilla_lib scorecard`` show the same rows.  Later
chapters add checks by decorating a function with :func:`register`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Iterable

import pandas as pd

__all__ = ["Check", "register", "checks", "scorecard"]


@dataclass(frozen=True)
class Check:
    """One comparison of our value with a reference value.

    ``tolerance`` is absolute when ``relative`` is False, else a fraction of the
    reference.  ``difference`` is ``ours - reference`` (absolute) or
    ``ours / reference - 1`` (relative).
    """

    id: str
    quantity: str
    reference: float
    source: str
    ours: float
    tolerance: float
    relative: bool = False
    note: str = ""

    @property
    def difference(self) -> float:
        if self.relative:
            return self.ours / self.reference - 1.0
        return self.ours - self.reference

    @property
    def status(self) -> str:
        if not (math.isfinite(self.ours) and math.isfinite(self.reference)):
            return "error"
        return "reproduced" if abs(self.difference) <= self.tolerance * (1 + 1e-12) else "differs"

    def as_row(self) -> dict:
        row = asdict(self)
        row["difference"] = self.difference
        row["tolerance_kind"] = "relative" if self.relative else "absolute"
        row["status"] = self.status
        del row["relative"]
        return row


_REGISTRY: list[Callable[[], Iterable[Check]]] = []


def register(fn: Callable[[], Iterable[Check]]) -> Callable[[], Iterable[Check]]:
    """Add a function that yields :class:`Check` objects to the scorecard."""
    _REGISTRY.append(fn)
    return fn


def checks() -> list[Check]:
    """Run every registered check, in registration order."""
    from . import _checks  # noqa: F401  (registers the checks)

    out: list[Check] = []
    for fn in _REGISTRY:
        out.extend(fn())
    ids = [c.id for c in out]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate scorecard ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return out


COLUMNS = ["id", "quantity", "reference", "source", "ours", "difference", "tolerance",
           "tolerance_kind", "status", "note"]


def scorecard(prefix: str | None = None) -> pd.DataFrame:
    """All checks as a table with the columns of :data:`COLUMNS`.

    Parameters
    ----------
    prefix : str, optional
        Keep only rows whose id starts with this (e.g. ``"flops."``).
    """
    frame = pd.DataFrame([c.as_row() for c in checks()], columns=COLUMNS)
    if prefix is not None:
        frame = frame[frame["id"].str.startswith(prefix)].reset_index(drop=True)
    return frame
