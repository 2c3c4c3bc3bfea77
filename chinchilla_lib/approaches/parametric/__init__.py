"""Approach 3 of Hoffmann et al. (2022): the parametric law fitted to every run (Section 3.3, App. D.2).

* :mod:`.objective` -- Eq. (11): the summed Huber loss of log-loss residuals;
* :mod:`.optimise` -- batched BFGS and damped Newton optimisers (know nothing of Eq. 11);
* :mod:`.grid` -- the start grids (the paper's 4,500 starts);
* :mod:`.fit` -- the fit (:func:`fit_approach3`) and its result;
* :mod:`~chinchilla_lib.approaches.parametric.screened` -- settings of the same fit on more than 20,000 runs (the grid searched on a subsample);
* :mod:`.bootstrap` -- percentile intervals by resampling runs;
* :mod:`.lbfgsb` -- the paper's procedure literally: scipy's L-BFGS-B per start, loss scale and tolerances as settings;
* :mod:`.diagnostics` -- residuals, fit quality and allocations of any law on any runs.
"""

from .bootstrap import Approach3Bootstrap, bootstrap_approach3, frontier_at
from .diagnostics import (
                          allocation_table,
                          fit_quality_table,
                          interval_width_by_runs,
                          isoloss_grid,
                          log_residuals,
                          parameter_table,
                          residuals_frame,
                          runs_for_width,
)
from .fit import MIN_POINTS, PARAMETER_ORDER, Approach3Fit, FitWarning, fit_approach3, fit_approach3_per_start
from .grid import make_grid, paper_grid
from .objective import DEFAULT_DELTA, huber, huber_objective

__all__ = [
    "PARAMETER_ORDER", "DEFAULT_DELTA", "MIN_POINTS", "FitWarning", "Approach3Fit", "Approach3Bootstrap",
    "huber", "huber_objective", "make_grid", "paper_grid", "fit_approach3", "fit_approach3_per_start",
    "bootstrap_approach3", "frontier_at", "log_residuals", "residuals_frame", "fit_quality_table",
    "parameter_table", "allocation_table", "runs_for_width", "interval_width_by_runs", "isoloss_grid",
]
