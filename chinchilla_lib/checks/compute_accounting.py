"""Scorecard rows of the chapter *Compute accounting* (ids ``flops.*``, ``architecture.*``)."""

from __future__ import annotations

from ..datasets import load_table, paper_value
from ..laws.architecture import TransformerShape, table_parameter_counts
from ..laws.flops import flop_ratio, training_flops
from ..studies.published_models import compute_parity, printed_rounding_share
from .check import Check

__all__ = ["checks"]


def checks():
    """Table A4, Table A9, Appendix F, and Chinchilla's compute against Gopher's by Appendix F."""
    for row in load_table("tableA4_flop_ratio").itertuples():
        yield Check(
            id=f"flops.tableA4.{row.label}",
            quantity=f"Table A4 FLOP ratio (App. F / 6ND), {row.label} model",
            reference=float(row.flop_ratio), source="Hoffmann et al. 2022, Table A4",
            ours=flop_ratio(TransformerShape.from_row(row)), tolerance=0.005,
            note="App. F count without embedding and logit FLOPs",
        )
    a9 = load_table("tableA9_models")
    printed = a9["n_params_millions"].to_numpy(float)
    ours = list(table_parameter_counts(a9)["total"] / 1e6)
    # Printed in whole millions: half a unit of the last digit is 0.5M.
    off = [o - p for o, p in zip(ours, printed) if round(o) != p]
    worst = max(range(len(a9)), key=lambda i: abs(ours[i] - printed[i]))
    yield Check(
        id="architecture.tableA9.worst_row",
        quantity=f"Table A9 parameter count (millions), worst of {len(a9)} models",
        reference=float(printed[worst]), source="Hoffmann et al. 2022, Table A9",
        ours=float(ours[worst]), tolerance=0.5,
        note=(f"printed in whole millions; {len(a9) - len(off)} of {len(a9)} rows round to the printed million, "
              f"the rest differ by {min(off):+.1f}M to {max(off):+.1f}M (at most "
              f"{max(abs(o - p) / p for o, p in zip(ours, printed)):.2%}): small terms the paper does not specify"),
        explained_in="compute_accounting",
    )
    gopher = load_table("table4_architecture").iloc[0]
    gopher_tokens = float(load_table("table1_models").set_index("model").loc["Gopher", "n_tokens"])
    yield Check(
        id="flops.gopher_appendix_f",
        quantity="Gopher training FLOPs, App. F count (300B tokens)",
        reference=paper_value("gopher.flops_appendix_f"), source="Hoffmann et al. 2022, App. F",
        ours=training_flops(TransformerShape.from_row(gopher), gopher_tokens),
        tolerance=0.05e23 / paper_value("gopher.flops_appendix_f"), relative=True,
        note=("printed as 6.3e23, half a unit of its last digit as tolerance; App. F's own formulas with "
              "Table 4's shape give less than 6ND at this size"),
        explained_in="compute_accounting",
    )
    parity = compute_parity()
    yield Check(
        id="flops.compute_parity.appendix_f",
        quantity="Chinchilla's training FLOPs over Gopher's, both by the App. F count (Table 4 shapes, Table 1 tokens)",
        reference=1.0, source="Hoffmann et al. 2022, Sec. 4 (Chinchilla trained with Gopher's compute budget)",
        ours=float(parity.loc["App. F", "ratio"]),
        tolerance=sum(printed_rounding_share(m, tokens_only=True) for m in ("Chinchilla", "Gopher")), relative=True,
        note="tolerance: Table 1's token counts (1.4T, 300B) each uncertain by half a unit of their last digit",
        explained_in="compute_accounting",
    )
