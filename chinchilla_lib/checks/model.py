"""The :class:`Check` model: one number computed by the library against the value a paper printed."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Check", "COLUMNS"]

#: Columns of a scorecard table, in order.
COLUMNS = ["id", "quantity", "reference", "source", "ours", "difference", "tolerance",
           "tolerance_kind", "status", "note"]


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
