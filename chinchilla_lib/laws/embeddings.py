"""Embedding parameters and why Kaplan measured N_opt ∝ C^0.73: the reconciliation of Pearce & Song (2024).

Pearce & Song (2024, arXiv 2406.12907): Kaplan
counted non-embedding parameters N_\\E and compute C_\\E = 6 N_\\E D, at small
scale.  With a fixed aspect ratio ρ = d_model/n_layers, N_\\E = 12 n_layers d_model²
gives d_model = (ρ N_\\E/12)^(1/3), and the embeddings add (vocab + n_ctx) d_model, so

    N_T = N_\\E + γ N_\\E^(1/3),   γ = (vocab + n_ctx) (ρ/12)^(1/3).

Put N_T into Chinchilla's L(N_T, D) = E + A/N_T^α + B/D^β and do what Kaplan did:
for each budget C_\\E = 6 N_\\E D pick the N_\\E of lowest loss.  The frontier is,
in closed form (set dL/dN_\\E = 0 at fixed C_\\E),

    C_\\E = 6 (βB/(αA))^(1/β) N_\\E (N_\\E + γ/3 N_\\E^(1/3))^(-1/β) N_T^((1+α)/β),

and its local exponent d log N*_\\E / d log C_\\E = 1/g with

    g = 1 - s3/β + (1+α) s/β,  s = d log N_T/d log N_\\E,  s3 = d log(N_\\E + γ/3 N_\\E^(1/3))/d log N_\\E,

which tends to β/(α+β) for N_\\E ≫ γ^(3/2) and to β/(α/3+β) for N_\\E ≪ γ^(3/2),
peaking near 0.97 in between (N_\\E ~ 1e6 with γ ≈ 5e4).  ``budget="total"``
instead takes Chinchilla's own optimum at fixed C_T = 6 N_T D and re-expresses
it in (N_\\E, C_\\E); its exponent is β/(β + α s), always between the same two
limits and never above β/(α/3+β); fitted over Kaplan's model range it gives
≈0.60-0.66, against ≈0.75-0.79 for the fixed-C_\\E frontier (see :func:`fitted_exponent`).

Used by the chapter *Kaplan comparison*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from .._validate import like_inputs as _like
from .._validate import positive_array, positive_scalar
from ..datasets import load_table
from .architecture import table_parameter_counts
from .parametric import ParametricLaw, get_law
from .powerlaw import fit_log_log_line, log_log_slopes

__all__ = [
    "embedding_gamma",
    "fit_gamma",
    "total_from_nonembedding",
    "nonembedding_from_total",
    "frontier_flops",
    "optimal_nonembedding",
    "local_exponent",
    "local_exponent_numerical",
    "NumericalFrontier",
    "ExponentFit",
    "fitted_exponent",
    "grid_frontier_exponent",
    "table_a9_embedding_shares",
    "local_exponent_limits",
    "settled_nonembedding",
]

_N_HINT = "non-embedding parameters as a raw count, e.g. 1.5e9"
_NT_HINT = "total parameters as a raw count, e.g. 7e10"
_D_HINT = "tokens as a raw count, e.g. 2.3e10"
_C_HINT = "a compute budget in FLOPs, e.g. 1e21 (not PF-days)"
_BUDGETS = ("nonembedding", "total")


def embedding_gamma(vocab_size: float, aspect_ratio: float, n_ctx: float = 0.0) -> float:
    """γ = (vocab + n_ctx)(ρ/12)^(1/3) in N_T = N_\\E + γ N_\\E^(1/3) (Pearce & Song 2024).

    Assumes N_\\E = 12 n_layers d_model² (Kaplan Eq. 2.1: d_attn = d_model,
    d_ff = 4 d_model, biases and layer norms ignored), a fixed aspect ratio
    ρ = d_model/n_layers, and embeddings of (vocab + n_ctx) d_model parameters:
    token embedding (tied with the output) plus learned positions.

    Parameters
    ----------
    vocab_size : float
        Vocabulary size.
    aspect_ratio : float
        ρ = d_model / n_layers.
    n_ctx : float, default 0
        Learned position embeddings; 0 for relative positions (Chinchilla).
    """
    v = positive_scalar("vocab_size", vocab_size, hint="e.g. 32000")
    rho = positive_scalar("aspect_ratio", aspect_ratio, hint="d_model / n_layers, e.g. 40")
    if isinstance(n_ctx, bool) or not isinstance(n_ctx, (int, float, np.number)) or not n_ctx >= 0:
        raise ValueError(f"n_ctx must be a number >= 0, got {n_ctx!r} (0 for relative positions)")
    return (v + float(n_ctx)) * (rho / 12.0) ** (1.0 / 3.0)


@lru_cache(maxsize=1)
def fit_gamma() -> float:
    """γ fitted to Chinchilla's 50 model shapes (Hoffmann Table A9), ≈ 5.30e4.

    Total and non-embedding counts come from
    :func:`chinchilla_lib.laws.architecture.parameter_counts` (embedding = 32000
    d_model, relative positions, so no n_ctx term); γ minimises
    Σ [log(N_\\E + γ N_\\E^(1/3)) - log N_T]².  Pearce & Song's analysis script has
    this fit commented out (γ = 52960, from the printed totals); they use γ = 47491,
    i.e. :func:`embedding_gamma` with vocab 32000 and ρ = 39.2; Table A9's
    aspect ratios run from 40 to 109 (median 75).
    """
    n_total, n_nonembed = _table_a9_counts()

    def misfit(log_gamma: float) -> float:
        pred = np.logaddexp(np.log(n_nonembed), log_gamma + np.log(n_nonembed) / 3.0)
        return float(np.sum((pred - np.log(n_total)) ** 2))

    res = minimize_scalar(misfit, bounds=(0.0, 25.0), method="bounded", options={"xatol": 1e-10})
    return float(math.exp(res.x))


def _table_a9_counts() -> tuple[np.ndarray, np.ndarray]:
    counts = table_parameter_counts(load_table("tableA9_models"))
    return counts["total"].to_numpy(float), counts["non_embedding"].to_numpy(float)


def _gamma(gamma: float | None) -> float:
    return fit_gamma() if gamma is None else positive_scalar("gamma", gamma, hint="e.g. fit_gamma() ≈ 5.3e4")


def total_from_nonembedding(n_nonembed, gamma: float | None = None):
    """N_T = N_\\E + γ N_\\E^(1/3) (Pearce & Song 2024).

    Parameters
    ----------
    n_nonembed : float or array
        Non-embedding parameters.
    gamma : float, optional
        Defaults to :func:`fit_gamma`.
    """
    g = _gamma(gamma)
    n = positive_array("n_nonembed", n_nonembed, hint=_N_HINT)
    return _like(n + g * np.cbrt(n), n_nonembed)


def nonembedding_from_total(n_total, gamma: float | None = None):
    """Invert N_T = N_\\E + γ N_\\E^(1/3) numerically (vectorised Newton on y = N_\\E^(1/3)).

    y³ + γ y - N_T is increasing and convex for y > 0, so Newton's method started
    above the root, at min(N_T^(1/3), N_T/γ), decreases monotonically onto it.
    """
    g = _gamma(gamma)
    nt = positive_array("n_total", n_total, hint=_NT_HINT)
    y = np.minimum(np.cbrt(nt), nt / g)
    for _ in range(200):
        step = (y**3 + g * y - nt) / (3.0 * y**2 + g)
        y = y - step
        if np.all(np.abs(step) <= 4e-16 * y):
            break
    return _like(y**3, n_total)


# ---------------------------------------------------------------------------
# The frontier in Kaplan's terms and its local exponent (Pearce & Song 2024)
# ---------------------------------------------------------------------------

def _law(law: ParametricLaw | str) -> ParametricLaw:
    if isinstance(law, ParametricLaw):
        return law
    if isinstance(law, str):
        return get_law(law)
    raise ValueError(f"law must be a ParametricLaw or a name from chinchilla_lib/data/laws.csv, got {type(law).__name__}")


def _budget(budget: str) -> str:
    if budget not in _BUDGETS:
        raise ValueError(f"budget must be one of {_BUDGETS}, got {budget!r}")
    return budget


def _log_plus(log_n, coef: float):
    """log(N + coef N^(1/3)) from log N, without overflow."""
    return np.logaddexp(log_n, math.log(coef) + np.asarray(log_n) / 3.0)


def _log_frontier_flops(log_n, law: ParametricLaw, gamma: float, budget: str):
    """log C_\\E at which N_\\E = exp(log_n) is compute-optimal."""
    a, b = law.alpha, law.beta
    log_nt = _log_plus(log_n, gamma)
    if budget == "total":  # Chinchilla's optimum N_T = G (C_T/6)^a, then C_\E = C_T N_\E/N_T
        log_ct = math.log(6.0) + (log_nt - math.log(law.G)) / law.a
        return log_ct + log_n - log_nt
    const = math.log(6.0) + math.log(b * law.B / (a * law.A)) / b
    return const + log_n - _log_plus(log_n, gamma / 3.0) / b + (1.0 + a) / b * log_nt


def _shares(n: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """s = dlog N_T/dlog N_\\E and s3 = dlog(N_\\E + γ/3 N_\\E^(1/3))/dlog N_\\E."""
    t = np.cbrt(n) ** 2
    return (t + gamma / 3.0) / (t + gamma), (t + gamma / 9.0) / (t + gamma / 3.0)


def _require_monotone(law: ParametricLaw, budget: str) -> None:
    """Refuse laws whose fixed-C_\\E frontier folds back (then N* jumps, no inverse)."""
    if budget == "total":
        return  # exponent β/(β + α s) > 0 always
    u = np.logspace(-4, 4, 801)  # t/γ; the worst case does not depend on γ
    s, s3 = (u + 1 / 3) / (u + 1), (u + 1 / 9) / (u + 1 / 3)
    if np.min(1.0 - s3 / law.beta + (1.0 + law.alpha) * s / law.beta) <= 0:
        raise ValueError(
            f"law {law.name or law} has a fold in its fixed-C_nonembed frontier (beta {law.beta:.3g} "
            f"too small for alpha {law.alpha:.3g}); the optimal N_nonembed jumps and has no local exponent"
        )


def frontier_flops(n_nonembed, law: ParametricLaw | str = "paper", gamma: float | None = None,
                   budget: str = "nonembedding"):
    """Non-embedding compute C_\\E = 6 N_\\E D at which N_\\E is compute-optimal (closed form).

    Parameters
    ----------
    n_nonembed : float or array
        Non-embedding parameters N*_\\E.
    law : ParametricLaw or str, default "paper"
        Chinchilla's L(N_T, D) (a name from ``chinchilla_lib/data/laws.csv`` or a law object).
    gamma : float, optional
        Embedding coefficient; defaults to :func:`fit_gamma`.
    budget : {"nonembedding", "total"}
        ``"nonembedding"``: the lowest-loss N_\\E at fixed C_\\E, as Kaplan measured
        (Pearce & Song 2024).  ``"total"``: Chinchilla's optimum at fixed
        C_T = 6 N_T D (Hoffmann Eq. 4) re-expressed in N_\\E and C_\\E.
    """
    lw, g, bud = _law(law), _gamma(gamma), _budget(budget)
    n = positive_array("n_nonembed", n_nonembed, hint=_N_HINT)
    return _like(np.exp(_log_frontier_flops(np.log(n), lw, g, bud)), n_nonembed)


def optimal_nonembedding(flops, law: ParametricLaw | str = "paper", gamma: float | None = None,
                         budget: str = "nonembedding"):
    """N*_\\E for a non-embedding budget C_\\E: :func:`frontier_flops` inverted (vectorised bisection).

    Parameters are those of :func:`frontier_flops`; ``flops`` is C_\\E in FLOPs.
    """
    lw, g, bud = _law(law), _gamma(gamma), _budget(budget)
    c = positive_array("flops", flops, hint=_C_HINT)
    _require_monotone(lw, bud)
    return _like(np.exp(_invert_frontier(np.log(c), lw, g, bud)), flops)


def _invert_frontier(log_c: np.ndarray, law: ParametricLaw, gamma: float, budget: str) -> np.ndarray:
    lo, hi = np.full(log_c.shape, -200.0), np.full(log_c.shape, 700.0)
    if np.any(_log_frontier_flops(lo, law, gamma, budget) >= log_c) or np.any(
        _log_frontier_flops(hi, law, gamma, budget) <= log_c
    ):
        raise ValueError("flops lies outside the range where N* is between 1e-87 and 1e304 parameters")
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        above = _log_frontier_flops(mid, law, gamma, budget) > log_c
        lo, hi = np.where(above, lo, mid), np.where(above, mid, hi)
    return 0.5 * (lo + hi)


def local_exponent(n_nonembed, law: ParametricLaw | str = "paper", gamma: float | None = None,
                   budget: str = "nonembedding"):
    """d log N*_\\E / d log C_\\E at N*_\\E, in closed form (Pearce & Song 2024).

    Implicit differentiation of :func:`frontier_flops`:
    ``"nonembedding"``: 1/g with g = 1 - s3/β + (1+α) s/β;
    ``"total"``: β/(β + α s), where s = (N^(2/3) + γ/3)/(N^(2/3) + γ) and
    s3 = (N^(2/3) + γ/9)/(N^(2/3) + γ/3).  Both tend to β/(α+β) as N → ∞ and to
    β/(α/3 + β) as N → 0.

    Parameters
    ----------
    n_nonembed : float or array
        Compute-optimal non-embedding parameters N*_\\E.
    law, gamma, budget
        As in :func:`frontier_flops`.
    """
    lw, g, bud = _law(law), _gamma(gamma), _budget(budget)
    n = positive_array("n_nonembed", n_nonembed, hint=_N_HINT)
    s, s3 = _shares(n, g)
    if bud == "total":
        out = lw.beta / (lw.beta + lw.alpha * s)
    else:
        out = 1.0 / (1.0 - s3 / lw.beta + (1.0 + lw.alpha) * s / lw.beta)
    return _like(out, n_nonembed)


class NumericalFrontier(NamedTuple):
    """Result of :func:`local_exponent_numerical` (floats, or arrays for array input)."""

    n_nonembed: object  #: the optimal N*_\E
    flops_nonembed: object  #: its C_\E = 6 N*_\E D*
    exponent: object  #: d log N*_\E / d log C_\E by central differences


def local_exponent_numerical(flops, law: ParametricLaw | str = "paper", gamma: float | None = None,
                             budget: str = "nonembedding", *, step: float = 0.01) -> NumericalFrontier:
    """The local exponent by numerical optimisation and central finite differences.

    For each budget the loss is minimised numerically: over N_\\E at fixed
    C_\\E = ``flops`` (``"nonembedding"``), or over N_T at fixed C_T = ``flops``
    (``"total"``), N_\\E then following from :func:`nonembedding_from_total`.  The
    exponent is Δ log N*_\\E / Δ log C_\\E between budgets ``flops · exp(±step)``.
    Independent of the closed forms; a check on :func:`local_exponent`.

    Parameters
    ----------
    flops : float or array
        The budget held fixed, in FLOPs (C_\\E or C_T, per ``budget``).
    law, gamma, budget
        As in :func:`frontier_flops`.
    step : float, default 0.01
        Half-width of the difference in natural-log compute.
    """
    lw, g, bud = _law(law), _gamma(gamma), _budget(budget)
    c = positive_array("flops", flops, hint=_C_HINT)
    h = positive_scalar("step", step, hint="a step in log compute, e.g. 0.01")
    _require_monotone(lw, bud)
    centre, plus, minus = (_numerical_point(np.log(c) + dh, lw, g, bud) for dh in (0.0, h, -h))
    exponent = (plus[0] - minus[0]) / (plus[1] - minus[1])
    return NumericalFrontier(*(_like(np.exp(x), flops) for x in centre), _like(exponent, flops))


def _numerical_point(log_c: np.ndarray, law: ParametricLaw, gamma: float, budget: str):
    """(log N*_\\E, log C_\\E) for each budget, by numerical minimisation."""
    log_a, log_b, log_6 = math.log(law.A), math.log(law.B), math.log(6.0)
    out_n, out_c = np.empty_like(log_c), np.empty_like(log_c)
    for i, lc in enumerate(log_c):
        if budget == "total":
            def log_reducible(x, lc=lc):  # x = log N_T
                return np.logaddexp(log_a - law.alpha * x, log_b - law.beta * (lc - log_6 - x))
            x = _minimise(log_reducible, -60.0, lc + 60.0)
            n_ne = nonembedding_from_total(math.exp(x), gamma)
            out_n[i], out_c[i] = math.log(n_ne), lc + math.log(n_ne) - x
        else:
            def log_reducible(x, lc=lc):  # x = log N_\E
                return np.logaddexp(log_a - law.alpha * _log_plus(x, gamma), log_b - law.beta * (lc - log_6 - x))
            out_n[i], out_c[i] = _minimise(log_reducible, -60.0, lc + 60.0), lc
    return out_n, out_c


def _minimise(fun, lo: float, hi: float) -> float:
    """Bounded minimum of a unimodal function, refined around the first estimate.

    SciPy's bounded Brent resolves x to ~1.5e-8 |x|; re-centring the second
    pass on the first estimate lowers that to the objective's own round-off.
    """
    first = minimize_scalar(fun, bounds=(lo, hi), method="bounded", options={"xatol": 1e-7})
    x0 = float(first.x)
    if min(x0 - lo, hi - x0) < 1.0:
        raise ValueError("the optimum lies at the edge of the search range; the budget is too extreme")
    second = minimize_scalar(lambda y: fun(x0 + y), bounds=(-0.5, 0.5), method="bounded",
                             options={"xatol": 1e-13})
    return x0 + float(second.x)


# ---------------------------------------------------------------------------
# The exponent Kaplan would have measured
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ExponentFit:
    """Least-squares fit log N*_\\E = exponent · log C_\\E + intercept (natural logs)."""

    exponent: float
    intercept: float
    flops_range: tuple[float, float]  #: C_\E at the two ends of the fit
    n_range: tuple[float, float]  #: N*_\E at the two ends
    gamma: float
    budget: str
    law: str


def fitted_exponent(law: ParametricLaw | str = "paper", gamma: float | None = None, *,
                    n_min: float = 768.0, n_max: float = 1.5e9,
                    flops_range: tuple[float, float] | None = None,
                    budget: str = "nonembedding", n_points: int = 200) -> ExponentFit:
    """The slope of log N*_\\E against log C_\\E over Kaplan's model range (Pearce & Song 2024).

    Budgets are spaced evenly in log C_\\E between the budgets whose optimum is
    ``n_min`` and ``n_max`` (or over ``flops_range``), N*_\\E is read off the
    closed-form frontier, and a straight line is fitted, as Pearce & Song fit
    their simulated frontier.

    Parameters
    ----------
    law, gamma, budget
        As in :func:`frontier_flops`.
    n_min, n_max : float, default 768 and 1.5e9
        Kaplan's model sizes, "768 to 1.5 billion non-embedding parameters"
        (Kaplan Sec. 3; not in ``chinchilla_lib/data/`` because the transcription holds it as text).
    flops_range : (float, float), optional
        C_\\E bounds in FLOPs instead of the size range.  Pearce & Song's script
        uses (10^12.95, 10^20.7) for both coefficient sets.
    n_points : int, default 200
        Budgets in the fit.

    Notes
    -----
    Pearce & Song's 0.78 (Epoch coefficients) and 0.74 (Chinchilla's) come from
    γ = 47491, the C_\\E window above, and a grid of 20 model sizes; see
    :func:`grid_frontier_exponent`.
    """
    lw, g, bud = _law(law), _gamma(gamma), _budget(budget)
    _require_monotone(lw, bud)
    if flops_range is None:
        ends = positive_array("n_min, n_max", [n_min, n_max], hint=_N_HINT)
        log_c_ends = _log_frontier_flops(np.log(ends), lw, g, bud)
    else:
        log_c_ends = np.log(positive_array("flops_range", flops_range, hint=_C_HINT))
    if log_c_ends.size != 2 or not log_c_ends[0] < log_c_ends[1]:
        raise ValueError("need a range (low, high) with low < high: check n_min < n_max or flops_range")
    points = int(n_points) if not isinstance(n_points, bool) and float(n_points).is_integer() else 0
    if points < 3:
        raise ValueError(f"n_points must be a whole number >= 3, got {n_points!r}")
    log_c = np.linspace(log_c_ends[0], log_c_ends[1], points)
    log_n = _invert_frontier(log_c, lw, g, bud)
    slope, intercept = log_log_slopes(log_c, log_n, np.ones(log_c.shape))
    return ExponentFit(float(slope), float(intercept), tuple(np.exp(log_c_ends).tolist()),
                       (float(np.exp(log_n[0])), float(np.exp(log_n[-1]))), g, bud, lw.name)


def grid_frontier_exponent(law: ParametricLaw | str, gamma: float, n_nonembed, n_tokens, flops) -> float:
    """Pearce & Song's simulated Kaplan study on discrete grids; slope of log N*_\\E on log C_\\E.

    Every model size N_\\E (with N_T from :func:`total_from_nonembedding`) is
    evaluated at every token count; for each budget C_\\E each model takes the
    token count whose 6 N_\\E D is nearest to C_\\E (absolute difference, as in
    their script) and the lowest-loss model is the frontier point.  Their
    script uses ``n_nonembed = logspace(2.9, 9.2, 20)``,
    ``n_tokens = logspace(6, 25, 1000)`` and ``flops = logspace(12.95, 20.7, 100)``.

    Parameters
    ----------
    law : ParametricLaw or str
    gamma : float
    n_nonembed, n_tokens, flops : arrays
        The model, data and budget grids (raw counts, FLOPs).
    """
    lw, g = _law(law), _gamma(gamma)
    n = positive_array("n_nonembed", n_nonembed, hint=_N_HINT, min_size=2)
    d = positive_array("n_tokens", n_tokens, hint=_D_HINT, min_size=2)
    c = positive_array("flops", flops, hint=_C_HINT, min_size=2)
    reducible = lw.A / (n + g * np.cbrt(n))[:, None] ** lw.alpha + lw.B / d[None, :] ** lw.beta
    nearest = np.abs(6.0 * n[None, :, None] * d[None, None, :] - c[:, None, None]).argmin(axis=2)
    losses = np.take_along_axis(reducible[None, :, :], nearest[:, :, None], axis=2)[:, :, 0]
    best = n[losses.argmin(axis=1)]
    return fit_log_log_line(c, best)[0]


# ---------------------------------------------------------------------------
# Where the embeddings matter
# ---------------------------------------------------------------------------

def table_a9_embedding_shares() -> pd.DataFrame:
    """Embedding share of every model shape of Hoffmann et al.'s Table A9.

    Counts from :func:`chinchilla_lib.laws.architecture.parameter_counts` (token
    embedding 32000 d_model, relative positions).

    Returns
    -------
    DataFrame
        One row per Table A9 model, in table order: ``non_embedding``, ``embedding``,
        ``total`` and ``embedding_share`` = embedding / total.
    """
    counts = table_parameter_counts(load_table("tableA9_models")).reset_index(drop=True)
    frame = counts[["non_embedding", "embedding", "total"]]
    return frame.assign(embedding_share=frame["embedding"] / frame["total"])


def local_exponent_limits(law: ParametricLaw | str = "paper") -> tuple[float, float]:
    """The two limits of :func:`local_exponent`: β/(α/3+β) for N_\\E^(2/3) ≪ γ and β/(α+β) for N_\\E^(2/3) ≫ γ.

    For small models N_T ≈ γ N_\\E^(1/3), so s = s3 = 1/3 in g = 1 - s3/β + (1+α) s/β,
    and g = (α/3 + β)/β (Pearce & Song 2024); for large ones s = s3 = 1 and the
    exponent is Chinchilla's own a = β/(α+β) (Hoffmann Eq. 4).

    Returns
    -------
    (small, large) : tuple of float
    """
    lw = _law(law)
    return lw.beta / (lw.alpha / 3 + lw.beta), lw.a


def settled_nonembedding(n_grid, law: ParametricLaw | str, gamma: float, tolerance: float) -> float:
    """The smallest grid size above which the local exponent stays within ``tolerance`` of its limit a.

    Evaluates :func:`local_exponent` on ``n_grid`` (ascending) and returns the grid
    point after the last one whose exponent differs from β/(α+β) by more than
    ``tolerance``: where a straight-line fit of the frontier starts to measure
    Chinchilla's exponent.

    Parameters
    ----------
    n_grid : array
        Ascending non-embedding sizes N*_\\E.
    law, gamma
        As in :func:`local_exponent`.
    tolerance : float
        Allowed |local exponent - a|.

    Raises
    ------
    ValueError
        When the exponent is already within tolerance at the first grid point or
        still outside it at the last one.
    """
    lw = _law(law)
    n = positive_array("n_grid", n_grid, hint=_N_HINT, min_size=2)
    tol = positive_scalar("tolerance", tolerance, hint="an exponent difference, e.g. 0.02")
    outside = np.flatnonzero(np.abs(np.asarray(local_exponent(n, lw, gamma)) - lw.a) > tol)
    if outside.size == 0 or outside[-1] == n.size - 1:
        raise ValueError("the local exponent does not settle inside n_grid; widen the grid")
    return float(n[outside[-1] + 1])
