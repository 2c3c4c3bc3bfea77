"""Robust statistics shared by the methods: a scatter that a few outliers do not inflate."""

from __future__ import annotations

import numpy as np

__all__ = ["MAD_TO_SD", "robust_scale"]

#: 1.4826 x the median absolute deviation estimates the standard deviation of Gaussian noise
#: (1 / Phi^-1(3/4)).
MAD_TO_SD = 1.4826


def robust_scale(residuals) -> float:
    """Robust standard deviation of ``residuals``: 1.4826 x median |r - median(r)|.

    Parameters
    ----------
    residuals : array of float
        Any residuals (e.g. losses about a fitted curve), NaN-free.

    Returns
    -------
    float
        The scale, in the units of ``residuals``.
    """
    r = np.asarray(residuals, dtype=float).ravel()
    if r.size == 0 or not np.isfinite(r).all():
        raise ValueError("residuals must be a non-empty array of finite numbers")
    return float(MAD_TO_SD * np.median(np.abs(r - np.median(r))))
