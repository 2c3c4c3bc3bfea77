"""Scorecard rows of the chapter *Approach 1* (ids ``approach1.*``).

``approach1.simulated.a`` is a self-check, not a comparison with the paper (whose
training curves are not published): Approach 1 on curves simulated from a known
law must recover that law's exponent.  The checks of Approach 1 on real runs (grids of
finished runs published by others) are the ``other_runs.*.approach1.a`` rows
(:mod:`chinchilla_lib.checks.other_runs`).
"""

from __future__ import annotations

from ..studies.envelope_bias import simulated_approach1
from .check import THIS_BOOK, Check

__all__ = ["checks"]


def checks():
    """Self-check on simulated curves (no paper curves are published)."""
    a, truth, resolution, (lo, hi) = simulated_approach1()
    yield Check(
        id="approach1.simulated.a",
        quantity="Self-check, not a paper value: Approach 1 a on curves simulated from law 'paper-full'",
        reference=truth, source="known truth: beta/(alpha+beta) of the simulated law (not a paper comparison)",
        ours=a, tolerance=resolution,
        note=(f"Table A9 sizes, 13 cosine horizons, 5% schedule penalty, envelope over {lo:.2g}-{hi:.2g} FLOPs; "
              "tolerance: ln(largest neighbouring size ratio) / ln(FLOP range), the staircase's resolution; "
              "a test of the method on a known answer, not of the paper"),
        self_check=True, printed_by=THIS_BOOK,
    )
