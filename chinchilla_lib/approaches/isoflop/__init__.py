"""Approach 2 of Hoffmann et al. (2022): IsoFLOP profiles (Section 3.2, Figure 3).

For each of a fixed set of compute budgets C the paper trains models of
several sizes N (each on D = C / (6 N) tokens), fits a parabola to the final
loss against log N and takes its minimum as N_opt(C).  Power laws
N_opt = k_N C^a and D_opt = k_D C^b, fitted by least squares in log-log, give
the exponents; the paper reports a = 0.49 (0.462-0.534) and b = 0.51 from nine
budgets between 6e18 and 3e21 FLOPs.

Pipeline:

1. :func:`group_budgets` -- which runs share a budget: exact labels
   (``rel_tol=0``), or clusters of nearby FLOPs in log space for digitised
   points such as Figure 4's (``rel_tol > 0``, usually with ``min_points``).
2. :func:`fit_budget` -- the minimum of one IsoFLOP profile: a parabola in
   ln N (the paper's method), optionally on the ``window`` points nearest the
   lowest observed loss, or ``method="akima"`` (Porian et al. 2024: Akima
   interpolation of ln loss over ln N, argmin on a fine grid).
3. :func:`fit_isoflop` -- every budget, the power laws and seeded bootstrap
   percentile intervals.

Bias of the parabola: in u = ln N - ln N_opt the loss along a budget is
``E + K(C) * (exp(-alpha u) + (alpha/beta) exp(beta u))``; the parabola's
vertex is exact when alpha = beta and the sizes are placed symmetrically about
the optimum, and otherwise off by a factor that depends only on the shape
(alpha, beta) and the placement of the sizes relative to the optimum, not on
C.  The coefficient k_N is then biased, but the exponent a stays exact as long
as the sizes sit at the same place relative to N_opt at every budget; a bias
in a needs a placement that drifts with C (see :func:`simulate_isoflop
<chinchilla_lib.approaches.simulate.simulate_isoflop>` with a per-budget ``shift``).

Modules: :mod:`.profile` (budgets and one profile's minimum), :mod:`.fit` (all budgets, power laws,
bootstrap), :mod:`.diagnostics` (residuals, placement of the sizes, estimator agreement).
"""

from .diagnostics import (
    method_ratio,
    parabola_residuals,
    placed_budgets,
    profile_placement,
    profile_summary,
    residual_scale,
    share_above_optimum,
)
from .fit import IsoFLOPResult, fit_isoflop, fit_isoflop_frame
from .profile import BudgetFit, IsoFLOPWarning, akima_curve, fit_budget, group_budgets, parabola_vertex

__all__ = [
    "IsoFLOPWarning", "BudgetFit", "IsoFLOPResult", "group_budgets", "parabola_vertex", "fit_budget", "fit_isoflop",
    "fit_isoflop_frame", "akima_curve", "parabola_residuals", "residual_scale", "profile_placement",
    "share_above_optimum", "method_ratio", "placed_budgets", "profile_summary",
]
