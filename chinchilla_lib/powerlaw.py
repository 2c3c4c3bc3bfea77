"""Compute-optimal power laws N_opt = n_coef C^a, D_opt = d_coef C^b, shared by Approaches 1 and 2.

Used by :mod:`chinchilla_lib.isoflop` and :mod:`chinchilla_lib.envelope` (Hoffmann et al.
2022, Section 3, Table 2).
"""

from __future__ import annotations

import numpy as np

from ._validate import positive_array

__all__ = ["PowerLawAllocation", "fit_log_log_line"]

_C_HINT = "compute in FLOPs, e.g. 1e19"


class PowerLawAllocation:
    """Mixin for a result with fields ``a``, ``b``, ``n_coef`` and ``d_coef``."""

    a: float
    b: float
    n_coef: float
    d_coef: float

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"a", "b", "n_coef", "d_coef"}`` as plain floats."""
        return {"a": self.a, "b": self.b, "n_coef": self.n_coef, "d_coef": self.d_coef}

    def n_opt(self, flops):
        """Fitted compute-optimal model size N_opt(C) = n_coef * C^a."""
        return self._power(flops, self.n_coef, self.a)

    def d_opt(self, flops):
        """Fitted compute-optimal token count D_opt(C) = d_coef * C^b."""
        return self._power(flops, self.d_coef, self.b)

    @staticmethod
    def _power(flops, coef: float, exponent: float):
        c = positive_array("flops", flops, hint=_C_HINT)
        out = coef * c**exponent
        return float(out[0]) if np.ndim(flops) == 0 else out


def fit_log_log_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares fit of log y = exponent * log x + log coefficient; returns (exponent, coefficient)."""
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(np.exp(intercept))
