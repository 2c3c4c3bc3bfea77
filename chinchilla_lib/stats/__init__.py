"""The small numerical tools every estimator shares, each coded once.

* :mod:`.intervals` -- the central percentile interval of bootstrap replicates;
* :mod:`.robust` -- a robust scale (1.4826 x the median absolute deviation);
* :mod:`.budgets` -- runs grouped into compute budgets by the gaps between their FLOPs.
"""

from .budgets import budget_groups, n_budgets
from .intervals import percentile_interval
from .robust import MAD_TO_SD, robust_scale

__all__ = ["percentile_interval", "MAD_TO_SD", "robust_scale", "budget_groups", "n_budgets"]
