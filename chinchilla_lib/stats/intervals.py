"""The central percentile interval of bootstrap replicates: the one way the library turns resamples into a range."""

from __future__ import annotations

import numpy as np

from .._validate import check_level

__all__ = ["percentile_interval"]


def percentile_interval(samples, level: float) -> tuple[float, float]:
    """(low, high): the ``50 (1 - level)``-th and ``50 (1 + level)``-th percentiles of the finite ``samples``.

    ``level`` 0.8 gives the 10th-90th percentile interval of the paper's Table 2; replicates that
    could not be fitted (NaN, infinite) are left out; with none left the interval is (NaN, NaN).
    Percentiles are numpy's linear interpolation.

    Parameters
    ----------
    samples : array of float
        Bootstrap replicates of one quantity.
    level : float
        Coverage, strictly between 0 and 1.

    Examples
    --------
    Replicates 0, 1, ..., 100: the 10th and 90th percentiles are 10 and 90 (by hand; 1 - 0.8 is
    0.19999999999999996 in binary floating point, hence the last digit).

    >>> percentile_interval(range(101), 0.8)
    (9.999999999999998, 90.0)
    """
    level = check_level(level)
    values = np.asarray(samples, dtype=float).ravel()
    good = values[np.isfinite(values)]
    if good.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.percentile(good, [50 * (1 - level), 50 * (1 + level)])
    return (float(lo), float(hi))
