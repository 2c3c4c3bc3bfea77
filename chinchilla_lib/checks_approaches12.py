"""Scorecard rows of the chapters *Approach 1* and *Approach 2* (Hoffmann et al. 2022, Sections 3.1-3.2).

Importing this module registers two check functions with
:func:`chinchilla_lib.scorecard.register`:

* ``approach2.fig4.a`` and ``approach2.fig4.n_budgets``: Approach 2 on the
  points of the paper's Figure 4 against Table 2 and Section 3.2;
* ``approach2.porian.<configuration>``: our N* exponent, found with Porian et
  al.'s own method (Akima interpolation), against the value they fitted, for
  each of their 15 configurations;
* ``approach1.simulated.a``: a self-check, not a comparison with the paper (whose
  training curves are not published): Approach 1 on curves simulated from a
  known law must recover that law's exponent.

Every computation is cached and uses no bootstrap, so the rows cost about a
second together (most of it reading the Porian et al. files).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .approaches12_report import (
    FIG4_GROUPING,
    fig4_fit,
    interior_range,
    porian_fits,
    porian_step,
    staircase_resolution,
)
from .datasets import load_table, paper_value
from .envelope import fit_envelope
from .laws import get_law
from .scorecard import Check, register
from .simulate import simulate_training_curves

__all__ = ["PORIAN_TOLERANCE", "SIMULATED_APPROACH1", "simulated_approach1"]

#: Absolute tolerance on Porian et al.'s exponents (the issue's requirement: within 0.03 of
#: their own values); their exponents span about 0.5 to 0.87, so this separates the steps.
PORIAN_TOLERANCE = 0.03

#: The simulated Approach-1 design of the self-check (and of the chapter): the
#: model sizes of Table A9, 13 cosine horizons from 5 to 80 tokens per parameter
#: (dense enough that no horizon dominates the envelope), a 5% schedule penalty.
SIMULATED_APPROACH1 = {"law": "paper-full", "tokens_per_param": tuple(np.geomspace(5.0, 80.0, 13)),
                       "penalty": 0.05, "seed": 0}


def _table2(method: str):
    t2 = load_table("table2_exponents")
    return t2[(t2["table"] == "Table 2") & (t2["method"] == method)].iloc[0]


@lru_cache(maxsize=1)
def simulated_approach1() -> tuple[float, float, float, tuple[float, float]]:
    """Approach 1 on the :data:`SIMULATED_APPROACH1` curves.

    Returns
    -------
    tuple
        (fitted a, the law's true a, staircase resolution used as tolerance,
        the FLOP range fitted).
    """
    law = get_law(SIMULATED_APPROACH1["law"])
    sizes = np.unique(load_table("tableA9_models")["n_params_millions"].to_numpy(float) * 1e6)
    curves = simulate_training_curves(law, sizes, tokens_per_param=SIMULATED_APPROACH1["tokens_per_param"],
                                      penalty=SIMULATED_APPROACH1["penalty"], seed=SIMULATED_APPROACH1["seed"])
    n_grid = int(paper_value("approach1.n_grid"))
    flops_range = interior_range(curves, n_grid=n_grid)
    fit = fit_envelope(curves, n_grid=n_grid, flops_range=flops_range)
    return fit.a, law.a, staircase_resolution(sizes, flops_range), flops_range


@register
def approach2_checks():
    """Chapter *Approach 2*: Figure 4 points (Table 2, Sec. 3.2) and Porian et al.'s configurations."""
    row = _table2("approach2")
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
                      + porian_step(r.configuration, with_data=True).replace(" [attn]", ", attention FLOPs in N")),
            reference=float(r.theirs), source="Porian et al. 2024, fit_results['basic']['n_exponent']",
            ours=float(r.ours), tolerance=PORIAN_TOLERANCE,
            note=("their method (Akima spline of ln loss over ln N); tolerance as issue 4 asks; they take "
                  "each budget's median over a seed-noise bootstrap, we the plain argmin"),
        )


@register
def approach1_checks():
    """Chapter *Approach 1*: self-check on simulated curves (no paper curves are published)."""
    a, truth, resolution, (lo, hi) = simulated_approach1()
    yield Check(
        id="approach1.simulated.a",
        quantity="Self-check, not a paper value: Approach 1 a on curves simulated from law 'paper-full'",
        reference=truth, source="known truth: beta/(alpha+beta) of the simulated law (not a paper comparison)",
        ours=a, tolerance=resolution,
        note=(f"Table A9 sizes, 13 cosine horizons, 5% schedule penalty, envelope over {lo:.2g}-{hi:.2g} FLOPs; "
              "tolerance: ln(largest neighbouring size ratio) / ln(FLOP range), the staircase's resolution"),
    )
