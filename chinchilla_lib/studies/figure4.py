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

from ..datasets import REPLICATION_EXCLUDED, load_hoffmann_fig4, load_table
from ..isoflop import IsoFLOPResult, fit_isoflop_frame, group_budgets
from ..parametric import Approach3Fit, fit_approach3

__all__ = ["FIG4_GROUPING", "REPLICATION_EXCLUDED", "fig4_runs", "fig4_fit", "refit_figure4", "projection_table"]

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
def fig4_fit(n_bootstrap: int = 0, seed: int = 0, method: str = "parabola") -> IsoFLOPResult:
    """Approach 2 on the Figure-4 points (Section 3.2, Table 2), grouped with :data:`FIG4_GROUPING`.

    Cached: the same arguments return the same (frozen) result object.
    """
    return fit_isoflop_frame(load_hoffmann_fig4(), method=method, n_bootstrap=n_bootstrap, seed=seed,
                             **FIG4_GROUPING)


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
