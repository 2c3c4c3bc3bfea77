"""Scorecard rows of the chapter *Approach 2* (ids ``approach2.*``).

* ``approach2.fig4.a`` and ``approach2.fig4.n_budgets``: Approach 2 on the
  points of the paper's Figure 4 against Table 2 and Section 3.2;
* ``approach2.porian.<configuration>``: our N* exponent, found with Porian et
  al.'s own method (Akima interpolation), against the value they fitted, for
  each of their 15 configurations.
"""

from __future__ import annotations

from ..datasets import paper_value, porian_step, table2_row
from ..studies.figure4 import FIG4_GROUPING, fig4_fit
from ..studies.porian import porian_fits
from .model import Check

__all__ = ["PORIAN_TOLERANCE", "checks"]

#: Absolute tolerance on Porian et al.'s exponents (within 0.03 of their own values); their
#: exponents span about 0.5 to 0.87, so this separates the steps.
PORIAN_TOLERANCE = 0.03


def checks():
    """Figure 4 points (Table 2, Sec. 3.2) and Porian et al.'s configurations."""
    row = table2_row("approach2")
    fit = fig4_fit()
    half_width = round((float(row["a_p90"]) - float(row["a_p10"])) / 2, 9)  # drop float noise
    yield Check(
        id="approach2.fig4.a",
        quantity="Approach 2 exponent a (N_opt ∝ C^a), parabolas on the Figure 4 IsoFLOP points",
        reference=float(row["a"]), source="Hoffmann et al. 2022, Table 2",
        ours=fit.a, tolerance=half_width,
        note=(f"tolerance: half the printed 10-90% interval ({row['a_p10']}-{row['a_p90']}); the points are "
              f"digitised from a figure; grouping rel_tol={FIG4_GROUPING['rel_tol']}, "
              f"min_points={FIG4_GROUPING['min_points']}; b = 1 - a"),
    )
    yield Check(
        id="approach2.fig4.n_budgets",
        quantity="IsoFLOP budgets found among the Figure 4 points",
        reference=paper_value("approach2.n_budgets"), source="Hoffmann et al. 2022, Sec. 3.2",
        ours=float(len(fit.budgets)), tolerance=0.0,
        note=(f"{fit.n_unassigned} points lie on no IsoFLOP strip; budgets "
              f"{fit.budgets['budget'].min():.3g}-{fit.budgets['budget'].max():.3g} FLOPs"),
    )
    for r in porian_fits("akima").itertuples():
        yield Check(
            id=f"approach2.porian.{r.configuration}",
            quantity=("Porian et al. N* exponent, "
                      + porian_step(r.configuration, with_data=True, spelled_out=True)),
            reference=float(r.theirs), source="Porian et al. 2024, fit_results['basic']['n_exponent']",
            ours=float(r.ours), tolerance=PORIAN_TOLERANCE,
            note=("their method (Akima spline of ln loss over ln N); tolerance "
                  f"{PORIAN_TOLERANCE:g}, which separates their steps; they take "
                  "each budget's median over a seed-noise bootstrap, we the plain argmin"),
        )
