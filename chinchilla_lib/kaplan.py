"""Kaplan et al. (2020) scaling laws, and why their N_opt ∝ C^0.73 is not Chinchilla's C^0.5.

Part 1, Kaplan's laws (constants from ``data/kaplan_constants.csv``):

* L(N) = (N_c/N)^α_N (Eq. 1.1), L(D) = (D_c/D)^α_D (Eq. 1.2),
  L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Eq. 1.5, joint fit of Table 2),
  L(C_min) = (C_c^min/C_min)^α_C^min with C_min in PF-days (Eq. 1.3);
* the compute-efficient allocation N_opt = N_e C_min^p_N, D_opt = D_e C_min^p_D
  (Table 6, C_min in PF-days); N is always the *non-embedding* parameter count.

Part 2, the reconciliation of Pearce & Song (2024, arXiv 2406.12907): Kaplan
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
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar

from ._validate import positive_array, positive_scalar, same_length
from .architecture import TransformerShape, parameter_counts
from .datasets import DataFileError, load_table
from .flops import PF_DAY, from_pf_days, to_pf_days
from .laws import ParametricLaw, _like, get_law

__all__ = [
    "KaplanConstants",
    "kaplan_constants",
    "PF_DAY",
    "to_pf_days",
    "from_pf_days",
    "loss_n",
    "loss_d",
    "loss_nd",
    "loss_c_min",
    "compute_efficient_allocation",
    "predicted_alpha_c_min",
    "tokens_to_avoid_overfitting",
    "embedding_gamma",
    "kaplan_gamma",
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
]

_N_HINT = "non-embedding parameters as a raw count, e.g. 1.5e9"
_NT_HINT = "total parameters as a raw count, e.g. 7e10"
_D_HINT = "tokens as a raw count, e.g. 2.3e10"
_C_HINT = "a compute budget in FLOPs, e.g. 1e21 (not PF-days)"
_BUDGETS = ("nonembedding", "total")

# ---------------------------------------------------------------------------
# Kaplan's constants
# ---------------------------------------------------------------------------

#: field -> (quantity, symbol) of its row in data/kaplan_constants.csv.  Symbols
#: repeat (alpha_N, alpha_D, N_c, D_c appear for the one-variable fits and for
#: the joint L(N, D) fit), so rows are told apart by ``quantity`` too.
_ROWS: dict[str, tuple[str, str]] = {
    "alpha_N": ("L(N) exponent", "alpha_N"),
    "N_c": ("L(N) scale", "N_c"),
    "alpha_D": ("L(D) exponent", "alpha_D"),
    "D_c": ("L(D) scale", "D_c"),
    "alpha_N_joint": ("L(N,D) joint fit exponent", "alpha_N"),
    "alpha_D_joint": ("L(N,D) joint fit exponent", "alpha_D"),
    "N_c_joint": ("L(N,D) joint fit scale", "N_c"),
    "D_c_joint": ("L(N,D) joint fit scale", "D_c"),
    "alpha_C_min": ("L(C_min) exponent", "alpha_C^min"),
    "C_c_min": ("L(C_min) scale", "C_c^min"),
    "alpha_S": ("L(N,S) step exponent", "alpha_S"),
    "alpha_B": ("critical batch exponent", "alpha_B"),
    "alpha_C_min_eq64": ("predicted alpha_C^min from L(N,S)", "alpha_C^min"),
    "p_N": ("compute-efficient N exponent", "p_N"),
    "N_e": ("compute-efficient N coefficient", "N_e"),
    "p_D": ("compute-efficient data exponent", "p_D"),
    "D_e": ("compute-efficient data coefficient", "D_e"),
    "n_vocab": ("vocabulary", "n_vocab"),
    "n_ctx": ("context length", "n_ctx"),
}

#: Units the formulas assume; checked when the table is read.
_UNITS = {"C_c_min": "PF-days", "N_c": "non-embedding params", "N_c_joint": "non-embedding params"}


@dataclass(frozen=True)
class KaplanConstants:
    """The constants of Kaplan et al. (2020) used here, as printed.

    Parameters
    ----------
    alpha_N, N_c : float
        L(N) exponent and scale (Eq. 1.1, Table 5); N_c in non-embedding parameters.
    alpha_D, D_c : float
        L(D) exponent and scale (Eq. 1.2, Table 5); D_c in tokens.
    alpha_N_joint, alpha_D_joint, N_c_joint, D_c_joint : float
        The joint L(N, D) fit (Table 2).  It does not reuse the one-variable
        constants: α_D is 0.103 here against 0.095 in Eq. 1.2, N_c 6.4e13 against
        8.8e13, D_c 1.8e13 against 5.4e13.
    alpha_C_min, C_c_min : float
        L(C_min) exponent and scale (Eq. 1.3, Table 5), C_c_min in PF-days.
        Figure 13's fit label prints 2.3e8 PF-days instead of 3.1e8.
    alpha_S, alpha_B : float
        Step exponent of L(N, S) (Eq. 1.6) and critical-batch exponent (Eq. 1.4).
    alpha_C_min_eq64 : float
        α_C^min as printed in Eq. 6.4 (0.054), "predicted" from
        1/(1/α_S + 1/α_B + 1/α_N); see :func:`predicted_alpha_c_min`.
    p_N, N_e, p_D, D_e : float
        Compute-efficient allocation N_opt = N_e C_min^p_N, D_opt = D_e C_min^p_D
        (Table 6), C_min in PF-days.
    n_vocab, n_ctx : float
        Vocabulary (50257, BPE) and context length (1024) of Sec. 2.
    """

    alpha_N: float
    N_c: float
    alpha_D: float
    D_c: float
    alpha_N_joint: float
    alpha_D_joint: float
    N_c_joint: float
    D_c_joint: float
    alpha_C_min: float
    C_c_min: float
    alpha_S: float
    alpha_B: float
    alpha_C_min_eq64: float
    p_N: float
    N_e: float
    p_D: float
    D_e: float
    n_vocab: float
    n_ctx: float

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, positive_scalar(f.name, getattr(self, f.name)))


@lru_cache(maxsize=1)
def kaplan_constants() -> KaplanConstants:
    """Kaplan et al. (2020) constants read from ``data/kaplan_constants.csv``.

    Raises
    ------
    DataFileError
        When a row is missing or ambiguous, or a unit is not the expected one.
    """
    table = load_table("kaplan_constants")
    return KaplanConstants(**{key: _pick(table, key) for key in _ROWS})


def _pick(table, key: str) -> float:
    quantity, symbol = _ROWS[key]
    rows = table[(table["quantity"] == quantity) & (table["symbol"] == symbol)]
    if len(rows) != 1:
        raise DataFileError(
            f"data/kaplan_constants.csv: expected one row with quantity {quantity!r} and "
            f"symbol {symbol!r}, found {len(rows)}"
        )
    unit = rows["unit"].iloc[0]
    if key in _UNITS and unit != _UNITS[key]:
        raise DataFileError(f"data/kaplan_constants.csv: {symbol} ({quantity}) must be in {_UNITS[key]}, got {unit!r}")
    return float(rows["value"].iloc[0])


def _k(constants: KaplanConstants | None) -> KaplanConstants:
    if constants is None:
        return kaplan_constants()
    if not isinstance(constants, KaplanConstants):
        raise ValueError(f"constants must be a KaplanConstants or None, got {type(constants).__name__}")
    return constants


# ---------------------------------------------------------------------------
# Kaplan's laws
# ---------------------------------------------------------------------------

def loss_n(n_params, *, constants: KaplanConstants | None = None):
    """L(N) = (N_c/N)^α_N, models trained to convergence (Kaplan Eq. 1.1).

    Parameters
    ----------
    n_params : float or array
        Non-embedding parameters N.
    constants : KaplanConstants, optional
        Defaults to :func:`kaplan_constants`.

    Returns
    -------
    float or ndarray
        Loss in nats per token (Kaplan's WebText2 tokenisation).
    """
    k = _k(constants)
    n = positive_array("n_params", n_params, hint=_N_HINT)
    return _like((k.N_c / n) ** k.alpha_N, n_params)


def loss_d(n_tokens, *, constants: KaplanConstants | None = None):
    """L(D) = (D_c/D)^α_D, large models with early stopping (Kaplan Eq. 1.2).

    Uses the one-variable fit (α_D 0.095, D_c 5.4e13), not the joint fit of
    Table 2 that :func:`loss_nd` uses.
    """
    k = _k(constants)
    d = positive_array("n_tokens", n_tokens, hint=_D_HINT)
    return _like((k.D_c / d) ** k.alpha_D, n_tokens)


def loss_nd(n_params, n_tokens, *, constants: KaplanConstants | None = None):
    """L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Kaplan Eq. 1.5 / 4.1).

    Uses the joint fit of Table 2 (α_N 0.076, α_D 0.103, N_c 6.4e13,
    D_c 1.8e13).  Its D → ∞ limit is therefore *not* :func:`loss_n`
    (N_c differs), nor is its N → ∞ limit :func:`loss_d`.

    Parameters
    ----------
    n_params, n_tokens : float or array
        Non-embedding parameters and training tokens; arrays of equal length,
        or one of them scalar.
    """
    k = _k(constants)
    n, d = _pair(n_params, n_tokens)
    inner = (k.N_c_joint / n) ** (k.alpha_N_joint / k.alpha_D_joint) + k.D_c_joint / d
    return _like(inner**k.alpha_D_joint, n_params, n_tokens)


def loss_c_min(flops, *, constants: KaplanConstants | None = None):
    """L(C_min) = (C_c^min/C_min)^α_C^min on the compute-efficient frontier (Kaplan Eq. 1.3).

    Parameters
    ----------
    flops : float or array
        C_min in FLOPs (converted to PF-days, 1 PF-day = 8.64e19 FLOPs, Sec. 1.3).

    Notes
    -----
    C_c^min is 3.1e8 PF-days in Eq. 1.3 and Table 5 but 2.3e8 on Figure 13's label.
    """
    k = _k(constants)
    c = positive_array("flops", flops, hint=_C_HINT)
    return _like((k.C_c_min / (c / PF_DAY)) ** k.alpha_C_min, flops)


def compute_efficient_allocation(flops, *, constants: KaplanConstants | None = None):
    """Kaplan's compute-efficient (N_opt, D_opt) = (N_e C_min^p_N, D_e C_min^p_D) (Table 6, Eq. 6.1).

    Parameters
    ----------
    flops : float or array
        C_min in FLOPs (converted to PF-days as the fit requires).

    Returns
    -------
    (N_opt, D_opt)
        Non-embedding parameters and tokens.

    Notes
    -----
    p_N + p_D = 1, but 6 N_e D_e = 1.8 PF-days, not 1: the fits describe training
    at C ≈ 2 C_min (batch near B_crit, Kaplan Sec. 5.1).  Hoffmann et al.'s
    "4.68e9 parameters at 1e21 FLOPs" (App. D.4) is this N_opt at C_min = 1e21/2.
    The exponent 0.73 is empirical; Eq. 6.5 predicts 0.71 and Eq. 1.8
    α_C^min/α_N = 0.66.  Eq. 6.7 gives D ∝ C_min^0.26 for data (not 0.27).
    """
    k = _k(constants)
    c = positive_array("flops", flops, hint=_C_HINT) / PF_DAY
    return _like(k.N_e * c**k.p_N, flops), _like(k.D_e * c**k.p_D, flops)


def predicted_alpha_c_min(constants: KaplanConstants | None = None) -> float:
    """α_C^min predicted from 1/(1/α_S + 1/α_B + 1/α_N) (Kaplan Eq. 1.8 / 6.4 / B.7).

    With the printed α_S 0.76, α_B 0.21, α_N 0.076 this is 0.0520, which App. B
    Eq. B.7 prints as ≈0.052; Eq. 6.4 prints 0.054 for the same expression (kept
    as ``alpha_C_min_eq64``), and Eq. 6.5's 0.71 = 0.054/0.076 inherits it.
    The measured value is 0.050 (Eq. 1.3).
    """
    k = _k(constants)
    return 1.0 / (1.0 / k.alpha_S + 1.0 / k.alpha_B + 1.0 / k.alpha_N)


def tokens_to_avoid_overfitting(n_params, penalty: float, *, constants: KaplanConstants | None = None):
    """Tokens D at which L(N, D)/L(N, ∞) - 1 equals ``penalty`` (Kaplan Sec. 4.2, Eq. 4.4).

    From the joint fit, L(N, D)/L(N, ∞) = [1 + (N/N_c)^(α_N/α_D) D_c/D]^α_D, so
    D = D_c (N/N_c)^(α_N/α_D) / ((1 + penalty)^(1/α_D) - 1).  With penalty 0.02
    (Kaplan's seed-to-seed variation) this is 5.5e3 N^0.738; Eq. 4.4 prints
    D ≳ 5e3 N^0.74, the coefficient shrinking to 5.2e3 when the exponent is
    rounded to 0.74.

    Parameters
    ----------
    n_params : float or array
        Non-embedding parameters.
    penalty : float
        Tolerated relative loss increase over the infinite-data loss.
    """
    k = _k(constants)
    n = positive_array("n_params", n_params, hint=_N_HINT)
    p = positive_scalar("penalty", penalty, hint="a relative loss increase, e.g. 0.02")
    ratio = k.alpha_N_joint / k.alpha_D_joint
    d = k.D_c_joint * (n / k.N_c_joint) ** ratio / math.expm1(math.log1p(p) / k.alpha_D_joint)
    return _like(d, n_params)


def _pair(n_params, n_tokens) -> tuple[np.ndarray, np.ndarray]:
    n = positive_array("n_params", n_params, hint=_N_HINT)
    d = positive_array("n_tokens", n_tokens, hint=_D_HINT)
    if n.size > 1 and d.size > 1:
        same_length(n_params=n, n_tokens=d)
    return n, d


# ---------------------------------------------------------------------------
# Embedding parameters (Pearce & Song 2024)
# ---------------------------------------------------------------------------

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


def kaplan_gamma(aspect_ratio: float, *, constants: KaplanConstants | None = None) -> float:
    """γ for Kaplan's models: :func:`embedding_gamma` with vocab 50257 and n_ctx 1024 (Sec. 2).

    Kaplan's shapes vary ρ (Figure 5), so there is no single printed aspect ratio.
    """
    k = _k(constants)
    return embedding_gamma(k.n_vocab, aspect_ratio, k.n_ctx)


@lru_cache(maxsize=1)
def fit_gamma() -> float:
    """γ fitted to Chinchilla's 50 model shapes (Hoffmann Table A9), ≈ 5.30e4.

    Total and non-embedding counts come from
    :func:`chinchilla_lib.architecture.parameter_counts` (embedding = 32000
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
    table = load_table("tableA9_models")
    counts = [
        parameter_counts(TransformerShape(int(r.d_model), int(r.ffw_size), int(r.kv_size), int(r.n_heads),
                                          int(r.n_layers)))
        for r in table.itertuples()
    ]
    return (np.array([c["total"] for c in counts], float), np.array([c["non_embedding"] for c in counts], float))


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
    raise ValueError(f"law must be a ParametricLaw or a name from data/laws.csv, got {type(law).__name__}")


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
        Chinchilla's L(N_T, D) (a name from ``data/laws.csv`` or a law object).
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
            def log_reducible(x):  # x = log N_T
                return np.logaddexp(log_a - law.alpha * x, log_b - law.beta * (lc - log_6 - x))
            x = _minimise(log_reducible, -60.0, lc + 60.0)
            n_ne = nonembedding_from_total(math.exp(x), gamma)
            out_n[i], out_c[i] = math.log(n_ne), lc + math.log(n_ne) - x
        else:
            def log_reducible(x):  # x = log N_\E
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
        (Kaplan Sec. 3; not in ``data/`` because the transcription holds it as text).
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
    slope, intercept = np.polyfit(log_c, log_n, 1)
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
    return float(np.polyfit(np.log(c), np.log(best), 1)[0])
