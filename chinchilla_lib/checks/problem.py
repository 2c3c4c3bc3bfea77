"""Scorecard rows of the chapter *The problem* (ids ``problem.*``, ``laws.*``): the budget, and the printed law."""

from __future__ import annotations

from ..datasets import paper_value, table2_row
from ..laws.parametric import get_law
from ..studies.published_models import compute_parity, printed_rounding_share
from .check import Check

__all__ = ["checks"]


def checks():
    """Chinchilla's budget against Gopher's, counted alike; what the printed law implies (Eq. 10, Table 2)."""
    yield from _budget()
    yield from _printed_law()


def _budget():
    """Chinchilla's compute: against the budget the paper names for Gopher, and against Gopher's counted alike."""
    parity = compute_parity()
    chin_share, gopher_share = printed_rounding_share("Chinchilla"), printed_rounding_share("Gopher")
    yield Check(
        id="problem.chinchilla_budget",
        quantity="Chinchilla's training compute, 6ND with Table 1's N and D, against the budget the paper gives "
                 "Gopher",
        reference=paper_value("gopher.flops"), source="Hoffmann et al. 2022, Fig. 2 caption, Table 3 (budget); "
                                                        "Table 1 (N, D)",
        ours=float(parity.loc["6ND", "chinchilla"]), tolerance=chin_share, relative=True,
        note=("tolerance: Table 1's 70B and 1.4T each uncertain by half a unit of their last digit; "
              "the budget is not Gopher's own 6ND (see the compute-parity row below)"),
    )
    yield Check(
        id="problem.compute_parity.6nd",
        quantity="Chinchilla's 6ND over Gopher's 6ND (Table 1's N and D for both)",
        reference=1.0, source="Hoffmann et al. 2022, Sec. 4 (Chinchilla trained with Gopher's compute budget)",
        ours=float(parity.loc["6ND", "ratio"]), tolerance=chin_share + gopher_share, relative=True,
        note="tolerance: the four Table 1 sizes each uncertain by half a unit of their last digit",
        explained_in="problem",
    )


def _printed_law():
    """What the printed law implies: its exponent a (b = 1 - a adds nothing) and N_opt at Gopher's budget."""
    a3 = table2_row("approach3")
    gopher_flops = paper_value("gopher.flops")
    for name in ("paper", "paper-full"):
        law = get_law(name)
        yield Check(
            id=f"laws.{name}.a", quantity=f"Approach 3 exponent a = beta/(alpha+beta), law '{name}'",
            reference=float(a3["a"]), source="Hoffmann et al. 2022, Table 2",
            ours=law.a, tolerance=0.005, note="printed to 2 decimals",
            explained_in="approach3" if name == "paper" else "",
        )
        yield Check(
            id=f"laws.{name}.n_opt_gopher",
            quantity=f"N_opt at Gopher's budget ({gopher_flops:.3g} FLOPs), law '{name}'",
            reference=paper_value("approach3.n_opt_gopher"), source="Hoffmann et al. 2022, Fig. 4 caption",
            ours=law.optimal_allocation(gopher_flops)[0], tolerance=0.0125, relative=True,
            note="printed as 40B: half a unit of its last digit is 0.5B",
            explained_in="problem" if name == "paper" else "",
        )
