"""Compute-optimal power laws N_opt = n_coef C^a, D_opt = d_coef C^b, shared by Approaches 1 and 2.

Used by :mod:`chinchilla_lib.approaches.isoflop` and :mod:`chinchilla_lib.approaches.envelope` (Hoffmann et al.
2022, Section 3, Table 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import ExtrapolationWarning, check_level, extrapolation_note, positive_array, positive_scalar
from ..stats import percentile_interval
from .plans import Plan

__all__ = ["PowerLawAllocation", "Allocation", "from_parametric_law", "from_result", "fit_log_log_line",
           "log_log_slopes", "projections", "log_log_curvature"]

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

    def flops_for_params(self, n_params):
        """The budget C at which this allocation makes ``n_params`` compute-optimal: (N / n_coef)^(1/a).

        With the tokens D = C / (6N) this gives the rows of Tables 3 and A3.
        """
        n = positive_array("n_params", n_params, hint="parameters as a raw count, e.g. 7e10")
        out = (n / self.n_coef) ** (1.0 / self.a)
        return float(out[0]) if np.ndim(n_params) == 0 else out

    # ---------------------------------------------- the API every result shares
    def _fitted_flops(self) -> tuple:
        """(smallest, largest) compute the power laws were fitted over; () when unknown."""
        return ()

    def _samples(self, quantity: str) -> np.ndarray | None:
        """Bootstrap replicates of ``quantity`` (``a``, ``b``), or None without a bootstrap."""
        return None

    def _n_opt_samples(self, flops: float) -> np.ndarray | None:
        """Bootstrap replicates of N_opt(flops), or None without a bootstrap."""
        return None

    def plan(self, flops: float, level: float = 0.8) -> Plan:
        """The compute-optimal model at ``flops``: ``n_params`` = N_opt(C), ``n_tokens`` = D_opt(C).

        Also ``tokens_per_param``, ``flops``, ``a``, ``b``, ``loss`` (None: power laws in C predict
        no loss), ``warnings`` (a budget more than 100x outside the fitted compute is planned
        with an :class:`~chinchilla_lib._validate.ExtrapolationWarning`) and, for a bootstrapped
        result, ``level`` and ``intervals`` of ``n_params``, ``n_tokens`` and ``tokens_per_param`` at ``flops``.
        """
        import warnings

        c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23 (not PF-days)")
        n, d = self.n_opt(c), self.d_opt(c)
        fitted = self._fitted_flops()
        note = extrapolation_note(c, fitted) if len(fitted) == 2 else None
        if note:
            warnings.warn(note, ExtrapolationWarning, stacklevel=2)
        out = Plan(flops=c, n_params=n, n_tokens=d, loss=None, a=self.a, b=self.b, warnings=[note] if note else [])
        samples = self._n_opt_samples(c)
        if samples is not None:
            level = check_level(level)
            lo, hi = percentile_interval(samples, level)
            tokens = (c / (6.0 * hi), c / (6.0 * lo))  # D = C / (6N): the interval flips
            out = out.replace(level=float(level), intervals={
                "n_params": [float(lo), float(hi)], "n_tokens": [float(t) for t in tokens],
                "tokens_per_param": [float(tokens[0] / hi), float(tokens[1] / lo)]})
        return out

    def predict(self, n_params, n_tokens):
        """Approaches 1 and 2 fit N_opt(C) and D_opt(C) only: no loss to predict (ValueError)."""
        raise ValueError("this result has power laws for N_opt and D_opt only, no loss law; predict losses "
                         "with an Approach 3 fit (fit_approach3, or fit_runs(runs, approach=3))")

    def interval(self, quantity: str, level: float = 0.8) -> tuple[float, float]:
        """(low, high) central percentile interval of ``a`` or ``b`` over the bootstrap replicates."""
        if quantity not in self.coefficients:
            raise ValueError(f"unknown quantity {quantity!r}; choose one of {', '.join(self.coefficients)}")
        level = check_level(level)
        samples = self._samples(quantity)
        if samples is None or not np.isfinite(samples).any():
            raise ValueError("this result has no bootstrap replicates, so no interval; refit with n_bootstrap > 0")
        return percentile_interval(samples, level)

    def summary(self, level: float = 0.8) -> pd.DataFrame:
        """A tidy table: one row per quantity (a, b, n_coef, d_coef); ``estimate``, ``low``, ``high``."""
        rows = []
        for key, value in self.coefficients.items():
            try:
                lo, hi = self.interval(key, level)
            except ValueError:
                lo, hi = np.nan, np.nan
            rows.append((key, float(value), lo, hi))
        return pd.DataFrame(rows, columns=["quantity", "estimate", "low", "high"]).set_index("quantity")

    @staticmethod
    def _power(flops, coef: float, exponent: float):
        c = positive_array("flops", flops, hint=_C_HINT)
        out = coef * c**exponent
        return float(out[0]) if np.ndim(flops) == 0 else out


def fit_log_log_line(x, y) -> tuple[float, float]:
    """Least-squares fit of ln y = exponent * ln x + ln coefficient; returns (exponent, coefficient).

    The one log-log line fit of the library (Approach 1 and 2 power laws, Table 3 rows,
    Kaplan frontiers), by :func:`log_log_slopes` with equal weights.
    """
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    slope, intercept = log_log_slopes(lx, ly, np.ones(lx.shape))
    return float(slope), float(np.exp(intercept))


def log_log_slopes(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares lines y = slope x + intercept, row by row (NaN if < 2 distinct x values).

    ``x`` and ``y`` are already logarithms; the last axis runs over points, ``w`` are
    per-point weights (0 leaves a point out).  The batched core of every power-law fit
    in the library (:func:`fit_log_log_line`, the Approach 2 bootstrap).
    """
    x, y, w = np.broadcast_arrays(x, y, w)
    y = np.where(w > 0, y, 0.0)
    sw = w.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        xm = (w * x).sum(axis=-1) / sw
        ym = (w * y).sum(axis=-1) / sw
        dx = x - xm[..., None]
        sxx = (w * dx**2).sum(axis=-1)
        slope = (w * dx * (y - ym[..., None])).sum(axis=-1) / sxx
    slope = np.where(sxx > 1e-12 * np.maximum(sw, 1), slope, np.nan)
    return slope, ym - slope * xm


@dataclass(frozen=True)
class Allocation(PowerLawAllocation):
    """A named compute-optimal allocation N_opt = n_coef C^a, D_opt = d_coef C^b."""

    a: float
    b: float
    n_coef: float
    d_coef: float
    label: str = ""


def from_parametric_law(law, label: str = "") -> Allocation:
    """The frontier of L(N, D) = E + A/N^alpha + B/D^beta as a power law in C (Eq. 4).

    N_opt = G (C/6)^a and D_opt = G^-1 (C/6)^b, so n_coef = G 6^-a and d_coef = 6^-b / G.
    """
    return Allocation(a=law.a, b=law.b, n_coef=law.G * 6.0 ** (-law.a), d_coef=6.0 ** (-law.b) / law.G,
                      label=label or law.name)


def from_result(result, label: str) -> Allocation:
    """An Approach 1 or 2 fit (anything with a, b, n_coef, d_coef) as a named :class:`Allocation`."""
    return Allocation(a=result.a, b=result.b, n_coef=result.n_coef, d_coef=result.d_coef, label=label)


def projections(allocations: Iterable[Allocation], sizes) -> pd.DataFrame:
    """Budget and tokens at which each allocation makes each model size optimal (Tables 3 and A3).

    Returns one row per (allocation, size): ``label, n_params, flops, n_tokens, tokens_per_param``,
    with ``n_tokens = flops / (6 n_params)`` as in the paper's tables.
    """
    n = positive_array("sizes", sizes, hint="parameters as raw counts, e.g. [4e8, 1e9, 1e10]")
    rows = []
    for alloc in allocations:
        flops = alloc.flops_for_params(n)
        rows.append(pd.DataFrame({"label": alloc.label, "n_params": n, "flops": flops,
                                  "n_tokens": flops / (6.0 * n), "tokens_per_param": flops / (6.0 * n * n)}))
    return pd.concat(rows, ignore_index=True)


def log_log_curvature(x, y, *, level: float = 0.9) -> dict:
    """Quadratic term of log10 y against log10 x, with a t interval: is a power law bent?

    Fits log10 y = c0 + c1 u + c2 u^2 by least squares, with u = log10 x minus its mean,
    and returns c2 (per squared decade) with its standard error and a two-sided
    ``level`` interval from Student's t with n - 3 degrees of freedom.  A power law
    has c2 = 0; a frontier that is concave in log-log (Hoffmann et al. App. E) has
    c2 < 0.

    Parameters
    ----------
    x, y : array of float
        Positive values (e.g. budgets and N_opt), at least 4 points.
    level : float, default 0.9
        Coverage of the interval.

    Returns
    -------
    dict
        ``curvature`` (c2), ``se``, ``lo``, ``hi``, ``slope`` (c1, the local exponent at
        the centre), ``n`` (points) and ``decades`` (log10 range of x).

    References
    ----------
    Hoffmann et al. 2022, App. E, Figure A5.
    """
    from scipy import stats

    xs = positive_array("x", x, hint="positive values, e.g. budgets in FLOPs", min_size=4)
    ys = positive_array("y", y, hint="positive values, e.g. N_opt per budget", min_size=4)
    if xs.size != ys.size:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    level = check_level(level)
    u = np.log10(xs) - np.log10(xs).mean()
    design = np.column_stack([np.ones_like(u), u, u**2])
    coef, _, rank, _ = np.linalg.lstsq(design, np.log10(ys), rcond=None)
    if rank < 3:
        raise ValueError("x needs at least 3 distinct values to fit a quadratic")
    dof = xs.size - 3
    resid = np.log10(ys) - design @ coef
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    se = float(np.sqrt(cov[2, 2]))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    return {"curvature": float(coef[2]), "se": se, "lo": float(coef[2]) - half, "hi": float(coef[2]) + half,
            "slope": float(coef[1]), "n": int(xs.size), "decades": float(np.ptp(np.log10(xs)))}
