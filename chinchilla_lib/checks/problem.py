"""Scorecard rows of the chapter *The problem* (ids ``problem.*``, ``laws.*``): the budget, and the printed law."""

from __future__ import annotations

from ..datasets import load_table, paper_value, table2_row
from ..flops import six_nd
from ..laws import get_law
from .model import Check

__all__ = ["checks"]


def checks():
    """Chinchilla's budget against Gopher's, and what the printed law implies (Eq. 10, Table 2)."""
    yield from _budget()
    yield from _printed_law()


def _budget():
    """Chinchilla matches Gopher's compute."""
    models = load_table("table1_models").set_index("model")
    chin = models.loc["Chinchilla"]
    yield Check(
        id="problem.chinchilla_budget",
        quantity="Chinchilla's training compute, 6ND, against Gopher's budget",
        reference=paper_value("gopher.flops"), source="Hoffmann et al. 2022, Table 1, Sec. 4",
        ours=six_nd(chin["n_params"], chin["n_tokens"]), tolerance=0.05, relative=True,
    )


def _printed_law():
    """What the printed law implies: its exponents and N_opt at Gopher's budget."""
    a3 = table2_row("approach3")
    gopher_flops = paper_value("gopher.flops")
    for name in ("paper", "paper-full"):
        law = get_law(name)
        yield Check(
            id=f"laws.{name}.a", quantity=f"Approach 3 exponent a = beta/(alpha+beta), law '{name}'",
            reference=float(a3["a"]), source="Hoffmann et al. 2022, Table 2",
            ours=law.a, tolerance=0.005, note="printed to 2 decimals",
        )
        yield Check(
            id=f"laws.{name}.b", quantity=f"Approach 3 exponent b = alpha/(alpha+beta), law '{name}'",
            reference=float(a3["b"]), source="Hoffmann et al. 2022, Table 2",
            ours=law.b, tolerance=0.005, note="printed to 2 decimals",
        )
        yield Check(
            id=f"laws.{name}.n_opt_gopher",
            quantity=f"N_opt at Gopher's budget ({gopher_flops:.3g} FLOPs), law '{name}'",
            reference=paper_value("approach3.n_opt_gopher"), source="Hoffmann et al. 2022, Fig. 4 caption",
            ours=law.optimal_allocation(gopher_flops)[0], tolerance=0.025, relative=True,
            note="printed as 40B",
        )
