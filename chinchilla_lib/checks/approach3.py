"""Scorecard rows of the chapter *Approach 3* (ids ``approach3.*``).

Our Approach 3 refit on the 240 points of Figure 4 (the 5 highest-loss points
dropped, as Besiroglu et al. did) against the replication's constants and
against what the paper printed; the width of its bootstrap interval against the
printed one; and the paper's procedure with an optimiser that stops early
(:mod:`~chinchilla_lib.studies.early_stop`) against the printed constants.  Cached
fits, shared with the chapter: the refit, one bootstrap (4,000 resamples), one
L-BFGS-B descent per grid start.

References
----------
Hoffmann et al. 2022, Section 3.3, Table 2, Figure 4 caption;
Besiroglu et al. 2024, arXiv 2404.10102.
"""

from __future__ import annotations

from ..datasets import REPLICATION_EXCLUDED, paper_value, table2_row
from ..laws.parametric import get_law
from ..studies.early_stop import early_stop_fit
from ..studies.figure4 import refit_figure4
from ..studies.interval_width import figure4_bootstrap, printed_interval_runs
from .check import Check

__all__ = ["checks"]

_REPLICATION_TOLERANCE = 0.005
_BESIROGLU = "Besiroglu et al. 2024"


def checks():
    """The refit on 240 Figure-4 points against the replication and the paper."""
    fit = refit_figure4(REPLICATION_EXCLUDED)
    replication = get_law("replication")
    where = f"refit on {fit.n_points} Figure 4 points ({REPLICATION_EXCLUDED} highest-loss dropped)"
    for key in ("E", "alpha", "beta"):
        yield Check(
            id=f"approach3.replication.{key}",
            quantity=f"Approach 3 {key}, {where}",
            reference=float(getattr(replication, key)), source=replication.source,
            ours=float(getattr(fit, key)), tolerance=_REPLICATION_TOLERANCE, printed_by=_BESIROGLU,
            note=("same data and objective as the replication; its constants come from a secondary summary, "
                  f"so agreement within {_REPLICATION_TOLERANCE:g} absolute"),
        )
    yield Check(
        id="approach3.replication.a",
        quantity=f"Approach 3 exponent a, {where}, against the replication's",
        reference=paper_value("replication.a"), source="Besiroglu et al. 2024 (arXiv 2404.10102)",
        ours=fit.a, tolerance=_REPLICATION_TOLERANCE, printed_by=_BESIROGLU,
        note="same tolerance as the replication's constants",
    )
    a3 = table2_row("approach3")
    yield Check(
        id="approach3.table2.a",
        quantity=f"Approach 3 exponent a = beta/(alpha+beta), {where}",
        reference=float(a3["a"]), source="Hoffmann et al. 2022, Table 2",
        ours=fit.a, tolerance=0.005,
        note="printed to 2 decimals; the paper's printed fit does not describe its own Figure 4 data",
        explained_in="approach3",
    )
    yield from _interval(a3, where)
    gopher_flops = paper_value("gopher.flops")
    n_opt = fit.law.optimal_allocation(gopher_flops)[0]
    yield Check(
        id="approach3.n_opt_gopher",
        quantity=f"N_opt at Gopher's budget ({gopher_flops:.3g} FLOPs), {where}",
        reference=paper_value("approach3.n_opt_gopher"), source="Hoffmann et al. 2022, Fig. 4 caption",
        ours=n_opt, tolerance=0.0125, relative=True,
        note="printed as 40B: half a unit of its last digit is 0.5B",
        explained_in="approach3",
    )
    yield from _early_stop()


def _interval(a3, where: str):
    """The printed 80% interval of a: its width, and the runs that width would take."""
    low, high = float(a3["a_p10"]), float(a3["a_p90"])
    boot = figure4_bootstrap(REPLICATION_EXCLUDED)
    ours_low, ours_high = boot.interval("a", 0.8)
    yield Check(
        id="approach3.table2.a_interval_width",
        quantity=f"Width of the 80% interval (10th-90th percentile) of a, bootstrap of the {where}",
        reference=high - low, source="Hoffmann et al. 2022, Table 2",
        ours=ours_high - ours_low, tolerance=0.001,
        note=(f"printed {low:.3f}-{high:.3f}: each end uncertain by half a unit of its last digit, the width by "
              f"0.001; ours from {boot.n_resamples:,} resamples (seed {boot.seed})"),
        explained_in="approach3",
    )
    need = printed_interval_runs(REPLICATION_EXCLUDED)
    yield Check(
        id="approach3.table2.runs_for_interval",
        quantity="Runs like the Figure 4 ones that the printed 80% interval of a would take (width ~ 1/sqrt(n))",
        reference=paper_value("hoffmann.n_models"), source="Hoffmann et al. 2022, Abstract (over 400 models trained)",
        ours=need["n_needed_rounded"], tolerance=3.0, relative=True,
        note=(f"ours to the precision the bootstrap supports (standard error {need['n_needed_se']:,.0f}); "
              "tolerance: up to four times the paper's count, since the widest interval that rounds to the "
              "printed ends is twice as wide and needs a quarter of the runs"),
        explained_in="approach3",
    )


def _early_stop():
    """The paper's grid of starts, scipy's L-BFGS-B with its default tolerances, on the mean of the Huber terms."""
    grid_fit = early_stop_fit(REPLICATION_EXCLUDED, "mean")
    stopped = grid_fit.law
    printed, a3 = get_law("paper"), table2_row("approach3")
    what = (f"L-BFGS-B (scipy's default tolerances) on the mean of the Huber terms from each of the "
            f"{grid_fit.n_starts:,} starts, {grid_fit.n_points} Figure 4 points")
    for key in ("E", "alpha", "beta"):
        yield Check(
            id=f"approach3.early_stop.{key}",
            quantity=f"Approach 3 {key}, {what}",
            reference=float(getattr(printed, key)), source="Hoffmann et al. 2022, App. D.2 Eq. (10)",
            ours=float(getattr(stopped, key)), tolerance=0.005,
            note="printed to 2 decimals; does the early-stopping optimiser give the printed constants?",
            explained_in="approach3",
        )
    yield Check(
        id="approach3.early_stop.a",
        quantity=f"Approach 3 exponent a, {what}",
        reference=float(a3["a"]), source="Hoffmann et al. 2022, Table 2",
        ours=stopped.a, tolerance=0.005, note="printed to 2 decimals",
        explained_in="approach3",
    )
