"""Scorecard rows of the chapter *The three approaches side by side* (ids ``comparison.*``).

* ``comparison.tableA3.*``: Table A3 from the fitted allocations;
* ``comparison.gopher.*``: the model sizes the paper prints at Gopher's budget against
  the power law through the same approach's printed projections;
* ``comparison.llama3.*`` and ``comparison.deepseek.*``: the later IsoFLOP studies'
  printed numbers recomputed from their own printed constants.
"""

from __future__ import annotations

import math

from ..datasets import load_table, paper_value
from ..laws.parametric import get_law
from ..laws.powerlaw import from_parametric_law, from_result, projections
from ..studies.allocations import get_allocation
from ..studies.figure4 import fig4_fit
from ..studies.later_studies import later_value, llama3_arithmetic, llama3_rounding
from .check import Check

__all__ = ["checks"]

_LLAMA3 = "Dubey et al. 2024"
_DEEPSEEK = "DeepSeek-AI 2024"


def _table_a3():
    printed = load_table("projections")
    printed = printed[(printed["table"] == "Table A3") & ~printed["flops_typo_suspected"]]
    approach2 = fig4_fit()
    n_points = int(approach2.budgets["n_points"].sum()) + approach2.n_unassigned
    cases = [
        (3, from_parametric_law(get_law("paper-full")), "paper-full law", 0.02,
         "the paper's own constants should give its own table to the printed 2-3 digits"),
        (2, from_result(approach2, "approach 2"), f"our Approach 2 fit on the {n_points} Figure 4 points", 0.10,
         "digitised points and our grouping vs the paper's runs: 10% allowed"),
    ]
    for approach, alloc, what, tol, why in cases:
        rows = printed[printed["approach"] == approach]
        ours = projections([alloc], rows["n_params"])["n_tokens"].to_numpy()
        ratio = ours / rows["n_tokens"].to_numpy()
        worst = int(abs(ratio - 1).argmax())
        row = rows.iloc[worst]
        yield Check(
            id=f"comparison.tableA3.approach{approach}.tokens_worst_row",
            quantity=f"Table A3 Approach {approach} tokens, worst of {len(rows)} sizes ({row['n_params']:.3g} params), {what}",
            reference=float(row["n_tokens"]), source="Hoffmann et al. 2022, Table A3",
            ours=float(ours[worst]), tolerance=tol, relative=True, note=why, explained_in="comparison",
        )


def _gopher_sizes():
    gopher = paper_value("gopher.flops")
    proj = load_table("projections").set_index(["table", "approach", "flops"])
    cases = [
        ("approach1", float(proj.loc[("Table 3", 1, gopher), "n_params"]), "Hoffmann et al. 2022, Table 3 (1 Gopher row)",
         "approach1-table3", "Table 3"),
        ("approach3", paper_value("approach3.n_opt_gopher"), "Hoffmann et al. 2022, Fig. 4 caption",
         "approach3-tableA3", "Table A3"),
    ]
    for approach, printed, source, name, table in cases:
        yield Check(
            id=f"comparison.gopher.{approach}.n_params",
            quantity=f"{approach.replace('approach', 'Approach ')} size at Gopher's budget ({gopher:.3g} FLOPs), "
                     f"power law through {table}",
            reference=printed, source=source, ours=float(get_allocation(name).n_opt(gopher)),
            tolerance=_half_unit(printed, 2),
            note=("printed to 2 significant figures: half a unit in the last; checks that the printed size "
                  f"lies on the power law through the approach's own {table} projections"),
            explained_in="comparison",
        )


def _half_unit(value: float, digits: int) -> float:
    """Half a unit in the last of ``digits`` significant figures of ``value`` (absolute)."""
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - (digits - 1))


def _rounding_tolerance() -> float:
    """Relative tolerance of ``comparison.llama3.tokens_from_law`` from the rounding of the law's inputs.

    ``ours / reference - 1`` lies in [1/hi - 1, 1/lo - 1] exactly when the reference lies in
    the range [lo, hi] x A C^alpha that the printed rounding allows; the smaller of the two
    distances from zero is a symmetric tolerance that never admits a value outside that range.
    """
    r = llama3_rounding()
    return min(1.0 - 1.0 / r["hi_ratio"], 1.0 / r["lo_ratio"] - 1.0)


def _later_studies():
    llama = llama3_arithmetic()
    alpha, coef = later_value("llama3.tokens_exponent"), later_value("llama3.tokens_coef")
    yield Check(
        id="comparison.llama3.flagship_6nd",
        quantity=(f"Llama 3 flagship budget recomputed as 6 N D from its printed {llama['n_params'] / 1e9:.0f}B "
                  f"and {llama['n_tokens'] / 1e12:.2f}T"),
        reference=llama["flops"], source=f"{_LLAMA3} (Llama 3), Sec. 3.2.1", ours=llama["flops_6nd"],
        tolerance=_half_unit(llama["flops"], 2), note="printed to 2 significant figures: half a unit in the last",
        explained_in="comparison", printed_by=_LLAMA3,
    )
    yield Check(
        id="comparison.llama3.tokens_from_law",
        quantity=f"Llama 3 tokens at {llama['flops']:.2g} FLOPs from its printed law A C^alpha (A {coef}, alpha {alpha})",
        reference=llama["n_tokens"], source=f"{_LLAMA3} (Llama 3), Sec. 3.2.1", ours=llama["tokens_law"],
        tolerance=_rounding_tolerance(), relative=True,
        note=("A and alpha are printed to 2 decimals, so the law gives anything from (A - 0.005) C^(alpha - 0.005) "
              "to (A + 0.005) C^(alpha + 0.005); the tolerance is the nearer end of that range relative to "
              "A C^alpha, so the row passes only if the printed tokens lie inside it"),
        explained_in="comparison", printed_by=_LLAMA3,
    )
    m_coef, d_coef = later_value("deepseek.m_coef"), later_value("deepseek.d_coef")
    yield Check(
        id="comparison.deepseek.budget_identity",
        quantity="DeepSeek LLM: product of the M_opt and D_opt coefficients (C = M D requires 1)",
        reference=1.0, source=f"{_DEEPSEEK} (DeepSeek LLM), Sec. 3 (C = M D)", ours=m_coef * d_coef,
        tolerance=_half_unit(m_coef, 4) / m_coef + _half_unit(d_coef, 5) / d_coef, relative=True,
        note="coefficients printed to 4 decimals: the tolerance is their combined rounding", printed_by=_DEEPSEEK,
    )


def checks():
    """Table A3, the printed sizes at Gopher's budget, the later studies' arithmetic."""
    yield from _table_a3()
    yield from _gopher_sizes()
    yield from _later_studies()
