"""Kaplan et al. (2020) scaling laws, the compute-efficient allocation behind N_opt ∝ C^0.73.

Constants from ``chinchilla_lib/data/kaplan_constants.csv``:

* L(N) = (N_c/N)^α_N (Eq. 1.1), L(D) = (D_c/D)^α_D (Eq. 1.2),
  L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Eq. 1.5, joint fit of Table 2),
  L(C_min) = (C_c^min/C_min)^α_C^min with C_min in PF-days (Eq. 1.3);
* the compute-efficient allocation N_opt = N_e C_min^p_N, D_opt = D_e C_min^p_D
  (Table 6, C_min in PF-days); N is always the *non-embedding* parameter count.

Why 0.73 is not Chinchilla's 0.5 is :mod:`chinchilla_lib.laws.embeddings`.
Used by the chapter *Kaplan comparison*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import like_inputs as _like
from .._validate import positive_array, positive_scalar, same_length
from ..datasets import DataFileError, load_table, table2_row
from .embeddings import embedding_gamma
from .flops import PF_DAY, from_pf_days, to_pf_days

__all__ = [
    "KaplanConstants",
    "kaplan_constants",
    "PF_DAY",
    "to_pf_days",
    "from_pf_days",
    "c_min",
    "loss_n",
    "loss_d",
    "loss_nd",
    "loss_c_min",
    "compute_efficient_allocation",
    "predicted_alpha_c_min",
    "tokens_to_avoid_overfitting",
    "kaplan_gamma",
    "alpha_c_min_sources",
    "theory_exponents",
]

_N_HINT = "non-embedding parameters as a raw count, e.g. 1.5e9"
_D_HINT = "tokens as a raw count, e.g. 2.3e10"
_C_HINT = "a compute budget in FLOPs, e.g. 1e21 (not PF-days)"

# ---------------------------------------------------------------------------
# Kaplan's constants
# ---------------------------------------------------------------------------

#: field -> (quantity, symbol) of its row in chinchilla_lib/data/kaplan_constants.csv.  Symbols
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
    """Kaplan et al. (2020) constants read from ``chinchilla_lib/data/kaplan_constants.csv``.

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
            f"chinchilla_lib/data/kaplan_constants.csv: expected one row with quantity {quantity!r} and "
            f"symbol {symbol!r}, found {len(rows)}"
        )
    unit = rows["unit"].iloc[0]
    if key in _UNITS and unit != _UNITS[key]:
        raise DataFileError(f"chinchilla_lib/data/kaplan_constants.csv: {symbol} ({quantity}) must be in {_UNITS[key]}, got {unit!r}")
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


def c_min(flops):
    """Kaplan et al.'s minimum compute C_min for a training budget C: C / 2.

    Kaplan's allocation (their Eq. 6.1, :func:`compute_efficient_allocation`) is stated in C_min;
    their fits describe training at C ≈ 2 C_min (batch near B_crit, Kaplan Sec. 5.1), so the book
    reads a budget C as C_min = C / 2 whenever it sets Kaplan's sizes beside Chinchilla's, as
    Hoffmann et al.'s App. D.4 does ("4.68e9 parameters at 1e21 FLOPs").

    Examples
    --------
    >>> c_min(5.76e23)
    2.88e+23
    """
    return flops / 2 if np.ndim(flops) == 0 else np.asarray(flops, dtype=float) / 2


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




def kaplan_gamma(aspect_ratio: float, *, constants: KaplanConstants | None = None) -> float:
    """γ for Kaplan's models: :func:`embedding_gamma` with vocab 50257 and n_ctx 1024 (Sec. 2).

    Kaplan's shapes vary ρ (Figure 5), so there is no single printed aspect ratio.
    """
    k = _k(constants)
    return embedding_gamma(k.n_vocab, aspect_ratio, k.n_ctx)


# ---------------------------------------------------------------------------
# Kaplan's theory for the exponent of N_opt
# ---------------------------------------------------------------------------

def alpha_c_min_sources(constants: KaplanConstants | None = None) -> pd.DataFrame:
    """The three values of α_C^min Kaplan prints, and the N_opt exponent α_C^min/α_N each implies (Eq. 1.7).

    Rows: the measured exponent of L(C_min) (Eq. 1.3), the prediction
    1/(1/α_S + 1/α_B + 1/α_N) from the printed constants (Eq. 1.8,
    :func:`predicted_alpha_c_min`), and the value Eq. 6.4 prints for that expression.

    Returns
    -------
    DataFrame
        ``source of alpha_C^min``, ``alpha_C^min`` and ``exponent alpha_C^min / alpha_N``.
    """
    k = _k(constants)
    frame = pd.DataFrame({
        "source of alpha_C^min": ["Eq. 1.3, measured", "Eq. 1.8 from alpha_S, alpha_B, alpha_N",
                                  "Eq. 6.4, as printed"],
        "alpha_C^min": [k.alpha_C_min, predicted_alpha_c_min(k), k.alpha_C_min_eq64],
    })
    frame["exponent alpha_C^min / alpha_N"] = frame["alpha_C^min"] / k.alpha_N
    return frame


def theory_exponents(constants: KaplanConstants | None = None) -> dict[str, float]:
    """Kaplan's fitted N_opt exponent against the ones his own laws imply (Eq. 1.3, 1.7, 1.8, 6.4-6.5, Table 6).

    Returns
    -------
    dict
        ``p_N`` (fitted, Table 6), ``alpha_N`` (Eq. 1.1); ``alpha_c_measured`` (Eq. 1.3),
        ``alpha_c_pred`` (Eq. 1.8), ``alpha_c_eq64`` (Eq. 6.4) and the exponents
        ``ratio_measured``, ``ratio_pred``, ``ratio_eq64`` = α_C^min/α_N of each;
        ``ratio_gap``: the Eq. 1.8 exponent minus Kaplan's exponent as Hoffmann et al.
        quote it (Table 2); ``six_ne_de``: 6 N_e D_e in PF-days, which is about 2,
        not 1, because the fits describe training at C ≈ 2 C_min (Kaplan Eq. 5.5).
    """
    k = _k(constants)
    predicted = predicted_alpha_c_min(k)
    return {
        "p_N": k.p_N,
        "alpha_N": k.alpha_N,
        "alpha_c_measured": k.alpha_C_min,
        "alpha_c_pred": predicted,
        "alpha_c_eq64": k.alpha_C_min_eq64,
        "ratio_measured": k.alpha_C_min / k.alpha_N,
        "ratio_pred": predicted / k.alpha_N,
        "ratio_eq64": k.alpha_C_min_eq64 / k.alpha_N,
        "ratio_gap": predicted / k.alpha_N - float(table2_row("kaplan")["a"]),
        "six_ne_de": 6 * k.N_e * k.D_e / PF_DAY,
    }
