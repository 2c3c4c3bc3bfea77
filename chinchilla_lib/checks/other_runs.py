"""Scorecard rows of the chapter *The approaches on other people's runs* (ids ``other_runs.*``).

One row per data set, parameter count and approach that the runs decide: our exponent a
on those runs against Table 2's a for the same approach (Chinchilla's own runs), found with
the grid versions of the approaches (:mod:`chinchilla_lib.approaches.run_grid`: Approach 1 on
final losses only, Approach 2 on slices of interpolated curves), applied alike to every set.
None of Gadre et al., Sardana et al. or Muennighoff et al. prints an exponent a for its own runs
in the sources transcribed in ``chinchilla_lib/data/``, so every row is a new result (status
``new result``, counted apart); the Approach 1 rows are the one test of Approach 1 on real runs.

Two quantities are left to the rows that compare them with the number printed for them
(:data:`COMPARED_ELSEWHERE`): Approaches 2 and 3 on the Figure 4 points in total parameters are
Table 2's own exponents (rows ``approach2.fig4.a`` and ``approach3.table2.a``).  Porian et al.'s
own exponent for their tuned runs is compared in the row ``approach2.porian.<configuration>``;
the row here is another estimator on the same runs, and its note says so.
"""

from __future__ import annotations

from ..datasets import table2_row
from ..studies.porian import FINAL_CONFIGURATION
from ..studies.public_runs import approaches_table
from .check import Check

__all__ = ["COMPARED_ELSEWHERE", "ESTIMATORS", "checks"]

_SOURCE = "Hoffmann et al. 2022, Table 2 (their own runs; no printed value for these runs)"

#: (set, parameter count, approach) whose exponent a row of another chapter compares with the value
#: printed for it -> that row's id: the same quantity is not a row twice.
COMPARED_ELSEWHERE = {("figure4", "total", 2): "approach2.fig4.a", ("figure4", "total", 3): "approach3.table2.a"}

#: How each approach is run on a grid of finished runs (the variant every row of this chapter names).
ESTIMATORS = {1: "envelope of final losses", 2: "slices of interpolated curves", 3: "parametric fit"}


def _source(key: str, approach: int) -> str:
    if key == "figure4":
        return (f"Hoffmann et al. 2022, Table 2 (Approach {approach} on their own runs; none printed for this "
                "variant on these points)")
    return _SOURCE


def _note(row, approach: int) -> str:
    note = (f"new result; no printed value. {row['runs']} runs, 10-90% bootstrap interval "
            f"{row['low']:.3f}-{row['high']:.3f}; tolerance half a unit in the last digit of Table 2's a")
    if row["key"] == "porian" and approach == 2:
        note += (f"; Porian et al.'s own exponent for these runs, by their Akima estimator, is the row "
                 f"approach2.porian.{FINAL_CONFIGURATION}")
    return note


def checks():
    """Every decided (data set, parameter count, approach) against Table 2's exponent of that approach.

    The (set, count, approach) of :data:`COMPARED_ELSEWHERE` are left out: another chapter's row
    compares them with the value printed for them.
    """
    table = approaches_table()
    for _, row in table[table["status"] == "decided"].iterrows():
        count = "total" if row["parameters"] == "total" else "nonembedding"
        approach = int(row["approach"])
        if (row["key"], row["parameters"], approach) in COMPARED_ELSEWHERE:
            continue
        printed = table2_row(f"approach{approach}")
        yield Check(
            id=f"other_runs.{row['key']}.{count}.approach{approach}.a",
            quantity=(f"{row['data set']}: Approach {approach} a ({row['parameters']} parameters), "
                      f"{ESTIMATORS[approach]}"),
            reference=float(printed["a"]), source=_source(row["key"], approach), ours=float(row["a"]),
            tolerance=0.005, note=_note(row, approach), explained_in="other_runs", new_result=True,
        )
