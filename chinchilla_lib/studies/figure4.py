"""Hoffmann et al. (2022) Figure 4 (left): the points, grouped into IsoFLOP budgets, and the fits made on them.

The points are :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`.  Approach 3 (and
every table comparing fits) uses the 240 points the replication keeps
(:data:`~chinchilla_lib.datasets.REPLICATION_EXCLUDED` highest-loss points dropped);
Approach 2 here groups all 245 into budgets with :data:`FIG4_GROUPING`.  Every fit
is cached: the chapters, the scorecard and the command line share one result.

References
----------
Hoffmann et al. 2022, Section 3.2-3.3, Figure 4, Tables 2, 3, A3; Besiroglu et al. 2024, arXiv 2404.10102.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..datasets import REPLICATION_EXCLUDED, load_hoffmann_fig4, load_table, paper_value, table2_row
from ..isoflop import IsoFLOPResult, fit_isoflop_frame, group_budgets
from ..parametric import Approach3Fit, fit_approach3

__all__ = ["FIG4_GROUPING", "REPLICATION_EXCLUDED", "fig4_runs", "fig4_fit", "refit_figure4", "projection_table",
           "approach2_reference", "budget_gaps", "exponent_summary", "projection_gaps"]

#: How the digitised Figure-4 points are grouped into IsoFLOP budgets (our choice, see the
#: Approach 2 chapter): runs within 3% of each other in FLOPs form one budget, and only
#: clusters of at least 8 runs count (the other points are Approach 1/3 runs).
FIG4_GROUPING = {"rel_tol": 0.03, "min_points": 8}

_RUN_COLUMNS = ("n_params", "n_tokens", "loss")


def fig4_runs() -> pd.DataFrame:
    """The points of Figure 4 with the budget each belongs to (NaN: not on an IsoFLOP strip).

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4` plus ``budget``
        (group_budgets with FIG4_GROUPING).
    """
    runs = load_hoffmann_fig4()
    return runs.assign(budget=group_budgets(runs["flops"], **FIG4_GROUPING))


@lru_cache(maxsize=8)
def fig4_fit(n_bootstrap: int = 0, seed: int = 0, method: str = "parabola", resample: str = "runs") -> IsoFLOPResult:
    """Approach 2 on the Figure-4 points (Section 3.2, Table 2), grouped with :data:`FIG4_GROUPING`.

    ``resample`` is the bootstrap's (:func:`~chinchilla_lib.isoflop.fit_isoflop`): runs within
    budgets, or the budgets' optima.  Cached: the same arguments return the same (frozen)
    result object.
    """
    return fit_isoflop_frame(load_hoffmann_fig4(), method=method, n_bootstrap=n_bootstrap, seed=seed,
                             resample=resample, **FIG4_GROUPING)


def approach2_reference() -> dict:
    """The paper's Approach 2 numbers: Table 2's exponents and Section 3.2's budgets.

    Returns
    -------
    dict
        ``a``, ``a_p10``, ``a_p90``, ``b`` (Table 2), ``spread`` (a_p90 - a_p10, the
        width of the 10th-90th percentile interval), ``n_budgets`` (int),
        ``budget_min`` and ``budget_max`` (FLOPs, Section 3.2).
    """
    row = table2_row("approach2")
    return {
        **{key: float(row[key]) for key in ("a", "a_p10", "a_p90", "b")},
        "spread": float(row["a_p90"] - row["a_p10"]),
        "n_budgets": int(paper_value("approach2.n_budgets")),
        "budget_min": paper_value("approach2.budget_min"),
        "budget_max": paper_value("approach2.budget_max"),
    }


def budget_gaps(fit: IsoFLOPResult) -> dict:
    """Relative gap of the smallest and largest fitted budget to the paper's (Section 3.2).

    Returns
    -------
    dict
        ``budget_min_gap`` and ``budget_max_gap``: ours / paper - 1.
    """
    return {
        "budget_min_gap": fit.budgets["budget"].min() / paper_value("approach2.budget_min") - 1,
        "budget_max_gap": fit.budgets["budget"].max() / paper_value("approach2.budget_max") - 1,
    }


def exponent_summary(fit: IsoFLOPResult) -> dict:
    """An Approach 2 fit's exponents against Table 2 of the paper.

    Returns
    -------
    dict
        ``a_ours``, ``b_ours``, ``a_lo``, ``a_hi`` (bootstrap interval of a),
        ``a_diff`` (ours minus Table 2's a), ``n_boot`` (bootstrap replicates) and
        ``boot_spread`` (a_hi - a_lo).
    """
    lo, hi = fit.a_interval
    return {"a_ours": fit.a, "b_ours": fit.b, "a_lo": lo, "a_hi": hi,
            "a_diff": fit.a - float(table2_row("approach2")["a"]), "n_boot": fit.n_bootstrap,
            "boot_spread": hi - lo}


def projection_gaps(fit, approach: int) -> pd.DataFrame:
    """How far a fit's projections (Table 3 / A3) are from the paper's, and how far they extrapolate.

    Returns
    -------
    DataFrame
        ``n_params``, ``gap`` (our budget over the printed one, minus 1) and
        ``decades_beyond`` (log10 of our budget over the largest budget in
        ``fit.budgets``: how far the projection extrapolates).
    """
    proj = projection_table(fit, approach)
    return pd.DataFrame({
        "n_params": proj["n_params"],
        "gap": proj["flops_ratio"] - 1,
        "decades_beyond": np.log10(proj["flops_ours"] / fit.budgets["budget"].max()),
    })


def projection_table(fit, approach: int) -> pd.DataFrame:
    """A fitted allocation against the paper's projections (Table 3 / Table A3) for one approach.

    For each printed model size N, the budget at which ``fit`` makes N
    compute-optimal, C = (N / n_coef)^(1/a), and the tokens D = C / (6N).

    Returns
    -------
    DataFrame
        ``n_params``, ``flops_paper``, ``flops_ours``, ``tokens_paper``,
        ``tokens_ours``, ``flops_ratio`` (ours / paper).
    """
    proj = load_table("projections")
    proj = proj[proj["approach"] == approach]
    if proj.empty:
        raise ValueError(f"no projections for approach {approach!r} in data/projections.csv")
    n = proj["n_params"].to_numpy(float)
    flops = (n / fit.n_coef) ** (1.0 / fit.a)
    return pd.DataFrame({
        "n_params": n,
        "flops_paper": proj["flops"].to_numpy(float),
        "flops_ours": flops,
        "tokens_paper": proj["n_tokens"].to_numpy(float),
        "tokens_ours": flops / (6.0 * n),
        "flops_ratio": flops / proj["flops"].to_numpy(float),
    })


def refit_figure4(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> Approach3Fit:
    """Approach 3 fit on the Figure 4 points, computed once per process.

    Parameters
    ----------
    exclude_highest_loss : int, default :data:`REPLICATION_EXCLUDED` (5)
        Highest-loss points to drop before fitting, as
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`; the replication
        drops 5 (240 points remain), 0 keeps all 245.

    Returns
    -------
    Approach3Fit
        :func:`~chinchilla_lib.parametric.fit_approach3` on those points with the
        paper's settings (delta 1e-3, the 4,500-start grid).  The same object is
        returned on every call with the same argument: do not modify it.

    References
    ----------
    Hoffmann et al. 2022, Section 3.3, App. D.2; Besiroglu et al. 2024.
    """
    if isinstance(exclude_highest_loss, bool) or not isinstance(exclude_highest_loss, (int, np.integer)):
        raise ValueError(f"exclude_highest_loss must be a whole number >= 0, got {exclude_highest_loss!r}")
    return _refit_cached(int(exclude_highest_loss))


@lru_cache(maxsize=4)
def _refit_cached(exclude_highest_loss: int) -> Approach3Fit:
    runs = load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss)
    return fit_approach3(*(runs[c].to_numpy() for c in _RUN_COLUMNS))
