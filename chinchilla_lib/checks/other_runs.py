"""Scorecard rows of the chapter *The approaches on other people's runs* (ids ``other_runs.*``).

One row per data set, parameter count and approach that the runs decide: our exponent a
on those runs against Table 2's a for the same approach (Chinchilla's own runs).  None of
Gadre et al., Sardana et al. or Muennighoff et al. prints an exponent a for its own runs in
the sources transcribed in ``chinchilla_lib/data/``, so every row is a new result (status ``new result``,
counted apart); the Approach 1 rows are the one test of Approach 1 on real runs.
"""

from __future__ import annotations

from ..datasets import table2_row
from ..studies.public_runs import approaches_table
from .check import Check

__all__ = ["checks"]

_SOURCE = "Hoffmann et al. 2022, Table 2 (their own runs; no printed value for these runs)"


def checks():
    """Every decided (data set, parameter count, approach) against Table 2's exponent of that approach."""
    table = approaches_table()
    for _, row in table[table["status"] == "decided"].iterrows():
        count = "total" if row["parameters"] == "total" else "nonembedding"
        approach = int(row["approach"])
        printed = table2_row(f"approach{approach}")
        yield Check(
            id=f"other_runs.{row['key']}.{count}.approach{approach}.a",
            quantity=f"{row['data set']}: Approach {approach} a ({row['parameters']} parameters)",
            reference=float(printed["a"]), source=_SOURCE, ours=float(row["a"]), tolerance=0.005,
            note=(f"new result; no printed value. {row['runs']} runs, 10-90% bootstrap interval "
                  f"{row['low']:.3f}-{row['high']:.3f}; tolerance half a unit in the last digit of Table 2's a"),
            explained_in="other_runs", new_result=True,
        )
