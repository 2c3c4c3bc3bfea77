"""The :class:`Check` model: one number computed by the library against the value a paper printed."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Check", "COLUMNS", "HOFFMANN", "THIS_BOOK", "reproduced_by"]

#: Columns of a scorecard table, in order.
COLUMNS = ["id", "quantity", "reference", "source", "ours", "difference", "tolerance",
           "tolerance_kind", "status", "note", "explained_in", "printed_by"]

#: ``printed_by`` of a row whose reference the Chinchilla paper itself printed.
HOFFMANN = "Hoffmann et al. 2022"
#: ``printed_by`` of a row whose reference is the book's own (a simulation's known truth, our committed
#: prediction): neither the Chinchilla paper's number nor a later paper's.
THIS_BOOK = "this book"


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

    ``printed_by`` names whose number the reference is: :data:`HOFFMANN` for the Chinchilla
    paper's own, the later paper's short citation (``"Porian et al. 2024"``) for a number a later
    paper printed, :data:`THIS_BOOK` for the book's own.  A reproduced row thus reproduces either
    the Chinchilla paper or a later one (:func:`reproduced_by` counts them apart).

    ``refused`` marks a row whose value comes from a fit the fit-quality gate refuses
    (:mod:`~chinchilla_lib.approaches.quality`): the runs cannot decide it, so it is shown with
    status ``"refused"`` and never counted as reproduced, differing or a new result.
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
    printed_by: str = HOFFMANN
    refused: bool = False

    def __post_init__(self) -> None:
        if self.self_check and self.new_result:
            raise ValueError(f"check {self.id!r}: a row is a self-check or a new result, not both")
        if not self.printed_by.strip():
            raise ValueError(f"check {self.id!r}: printed_by must name whose number the reference is")

    @property
    def difference(self) -> float:
        if self.relative:
            return self.ours / self.reference - 1.0
        return self.ours - self.reference

    @property
    def status(self) -> str:
        if not (math.isfinite(self.ours) and math.isfinite(self.reference)):
            return "error"
        if self.refused:
            return "refused"
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
        del row["relative"], row["self_check"], row["new_result"], row["refused"]
        return row


def reproduced_by(rows) -> dict[str, int]:
    """How many rows are reproduced, by whose number they reproduce.

    Parameters
    ----------
    rows : DataFrame
        Scorecard rows with the columns ``status`` and ``printed_by``
        (:func:`chinchilla_lib.checks.scorecard`).

    Returns
    -------
    dict
        ``hoffmann`` (the Chinchilla paper's own numbers, ``printed_by`` :data:`HOFFMANN`),
        ``later_papers`` (numbers printed by later papers) and ``this_book`` (the book's own,
        :data:`THIS_BOOK`); they add up to the rows with status ``reproduced``.
    """
    by = rows.loc[rows["status"] == "reproduced", "printed_by"]
    own = int((by == HOFFMANN).sum()), int((by == THIS_BOOK).sum())
    return {"hoffmann": own[0], "later_papers": len(by) - own[0] - own[1], "this_book": own[1]}
