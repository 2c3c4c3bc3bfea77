"""The :class:`Check` model: one number computed by the library against the value a paper printed."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Check", "COLUMNS"]

#: Columns of a scorecard table, in order.
COLUMNS = ["id", "quantity", "reference", "source", "ours", "difference", "tolerance",
           "tolerance_kind", "status", "note", "explained_in"]


@dataclass(frozen=True)
class Check:
    """One comparison of our value with a reference value.

    ``tolerance`` is absolute when ``relative`` is False, else a fraction of the
    reference.  ``difference`` is ``ours - reference`` (absolute) or
    ``ours / reference - 1`` (relative).

    ``self_check`` marks a row whose reference is not independent of the code (a value
    transcribed and compared with itself, a setting tuned to give the printed value):
    it is shown with status ``"self-check"`` (or ``"self-check failed"``) and never
    counted as reproduced.  ``new_result`` marks a row whose reference was printed for other
    runs than ours (the paper's exponent beside ours on another group's runs, where that group
    printed none): it is shown with status ``"new result"``, never counted as reproduced or as
    differing, its difference kept for the reader.  ``explained_in`` names the chapter (its
    file stem) that explains a row that differs.
    """

    id: str
    quantity: str
    reference: float
    source: str
    ours: float
    tolerance: float
    relative: bool = False
    note: str = ""
    self_check: bool = False
    explained_in: str = ""
    new_result: bool = False

    def __post_init__(self) -> None:
        if self.self_check and self.new_result:
            raise ValueError(f"check {self.id!r}: a row is a self-check or a new result, not both")

    @property
    def difference(self) -> float:
        if self.relative:
            return self.ours / self.reference - 1.0
        return self.ours - self.reference

    @property
    def status(self) -> str:
        if not (math.isfinite(self.ours) and math.isfinite(self.reference)):
            return "error"
        if self.new_result:
            return "new result"
        within = abs(self.difference) <= self.tolerance * (1 + 1e-12)
        if self.self_check:
            return "self-check" if within else "self-check failed"
        return "reproduced" if within else "differs"

    def as_row(self) -> dict:
        row = asdict(self)
        row["difference"] = self.difference
        row["tolerance_kind"] = "relative" if self.relative else "absolute"
        row["status"] = self.status
        del row["relative"], row["self_check"], row["new_result"]
        return row
