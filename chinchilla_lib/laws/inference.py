"""Sizing a model for training *and* inference with the parametric law, and the price of over-training.

Sardana et al. (2023) minimise the FLOPs of training plus inference at a fixed loss,

    minimise  6 N D_train + 2 N D_inf   subject to  L(N, D_train) = L,

where ``L(N, D) = E + A/N^alpha + B/D^beta`` (Hoffmann et al. 2022, Eq. 2) and
``D_inf`` is the number of tokens the model will process at inference (2 N
FLOPs per token: a forward pass).  On the constraint, with R = L - E and
``v = B D^-beta / R`` the data term's share of the reducible loss, the optimum
solves (set the derivative of the total in N to zero)

    6 D (alpha/beta (1 - v)/v - 1) = 2 D_inf,

which has one root; with ``D_inf = 0`` it is ``v = alpha/(alpha+beta)``, the
compute-optimal point of Eq. (4).  The left side grows as v falls (N shrinks), so
more inference demand always means a smaller model trained on more tokens.

The price of over-training (a model k times smaller than compute-optimal, trained
to the same loss) has a closed form that does not depend on the budget: with
``u0 = beta/(alpha+beta)`` the model term's share at the optimum,

    C(k) / C_opt = k^-1 ((1 - u0) / (1 - u0 k^alpha))^(1/beta),

finite for ``k < u0^(-1/alpha)`` (:func:`max_shrink`); beyond it no amount of
data reaches the loss.

References
----------
Hoffmann et al. 2022, Eq. (2) and (4); Sardana et al. 2023 ("Beyond
Chinchilla-Optimal", arXiv 2401.00448), Eq. (3)-(5).  Used by the chapter
*Over-training and inference*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from .._validate import positive_scalar
from .parametric import ParametricLaw, resolve_law
from .plans import Plan

__all__ = ["InferencePlan", "InferenceOptimum", "OvertrainingCost", "compute_optimal_for_params",
           "compute_optimal_at_loss", "smallest_model", "tokens_for_loss", "inference_optimum",
           "max_shrink", "overtraining_cost", "gpu_hours"]

_T_HINT = "tokens processed at inference, e.g. 2e12; 0 for none"


@dataclass(frozen=True, kw_only=True)
class InferencePlan(Plan):
    """One model choice: size, training tokens, its loss and its FLOPs.

    A :class:`~chinchilla_lib.laws.plans.Plan` whose budget ``flops`` is its training compute, with
    the cost of serving it beside.

    Attributes
    ----------
    n_params, n_tokens : float
        Parameters and training tokens.
    loss : float
        L(N, D) in nats per token.
    training_flops, inference_flops, total_flops : float
        6 N D, 2 N D_inf and their sum.
    """

    training_flops: float
    inference_flops: float
    total_flops: float

    def as_dict(self) -> dict:
        """``n_params``, ``n_tokens``, ``loss``, ``training_flops``, ``inference_flops``, ``total_flops``: the JSON
        keys of ``plan --inference-tokens``."""
        return {"n_params": self.n_params, "n_tokens": self.n_tokens, "loss": self.loss,
                "training_flops": self.training_flops, "inference_flops": self.inference_flops,
                "total_flops": self.total_flops}


def _plan(law: ParametricLaw, n: float, d: float, inference_tokens: float) -> InferencePlan:
    train, infer = 6.0 * n * d, 2.0 * n * inference_tokens
    return InferencePlan(flops=train, n_params=n, n_tokens=d, loss=float(law.loss(n, d)), training_flops=train,
                         inference_flops=infer, total_flops=train + infer)


@dataclass(frozen=True)
class InferenceOptimum:
    """The inference-aware choice and the compute-optimal choice at the same loss.

    Attributes
    ----------
    optimum : InferencePlan
        Least training-plus-inference FLOPs at the loss.
    compute_optimal : InferencePlan
        The compute-optimal model (Eq. 4) that reaches the same loss, serving the
        same inference tokens.
    inference_tokens : float
    saving : float
        Fraction of the compute-optimal choice's total FLOPs saved (>= 0).
    saved_flops : float
    """

    optimum: InferencePlan
    compute_optimal: InferencePlan
    inference_tokens: float
    saving: float
    saved_flops: float

    def as_dict(self) -> dict:
        """``n_params, n_tokens, loss, training_flops, inference_flops, total_flops`` of the optimum,
        ``compute_optimal`` (the same keys), ``saving``, ``saved_flops`` and ``inference_tokens``."""
        return {**self.optimum.as_dict(), "compute_optimal": self.compute_optimal.as_dict(),
                "saving": self.saving, "saved_flops": self.saved_flops, "inference_tokens": self.inference_tokens}


def _law(law) -> ParametricLaw:
    return resolve_law(law)


def _inference_tokens(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) \
            or value < 0:
        raise ValueError(f"inference_tokens must be a finite number >= 0, got {value!r} ({_T_HINT})")
    return float(value)


def _reducible(law: ParametricLaw, target_loss) -> float:
    target = positive_scalar("target_loss", target_loss, hint="a loss in nats per token")
    if target <= law.E:
        raise ValueError(f"target_loss must exceed the law's irreducible loss E = {law.E:.4g}, got {target:.4g}")
    return target - law.E


def compute_optimal_for_params(law, n_params) -> tuple[float, float]:
    """(D_opt, loss) of the model of ``n_params`` parameters when it is compute-optimal (Eq. 4 inverted).

    ``C = 6 (N/G)^(1/a)``, ``D = C / (6 N)``.
    """
    lw = _law(law)
    n = positive_scalar("n_params", n_params, hint="parameters as a raw count, e.g. 1.3e10 for 13B")
    flops = 6.0 * (n / lw.G) ** (1.0 / lw.a)
    d = flops / (6.0 * n)
    return d, float(lw.loss(n, d))


def compute_optimal_at_loss(law, target_loss) -> tuple[float, float]:
    """(N_opt, D_opt) of the compute-optimal model that reaches ``target_loss``."""
    lw = _law(law)
    _reducible(lw, target_loss)
    n, d = lw.optimal_allocation(lw.flops_for_loss(float(target_loss)))
    return float(n), float(d)


def smallest_model(law, target_loss) -> float:
    """Parameters below which no amount of data reaches ``target_loss``: ``(A / (L - E))^(1/alpha)``."""
    lw = _law(law)
    return (lw.A / _reducible(lw, target_loss)) ** (1.0 / lw.alpha)


def tokens_for_loss(law, n_params, target_loss) -> float:
    """Training tokens a model of ``n_params`` needs to reach ``target_loss``: ``(B / (L - E - A N^-alpha))^(1/beta)``.

    Raises ValueError when the model is too small to reach the loss at all.
    """
    lw = _law(law)
    reducible = _reducible(lw, target_loss)
    n = positive_scalar("n_params", n_params, hint="parameters as a raw count")
    left = reducible - lw.A * n ** (-lw.alpha)
    if left <= 0:
        raise ValueError(f"n_params = {n:.4g} cannot reach target_loss {float(target_loss):.4g} with any data; "
                         f"use at least {smallest_model(lw, target_loss):.4g} parameters")
    return (lw.B / left) ** (1.0 / lw.beta)


def _target(lw: ParametricLaw, target_loss, flops, replace_n_params) -> tuple[float, float, float]:
    """(target loss, N_opt, D_opt) of the compute-optimal model named by exactly one of the three."""
    given = [x is not None for x in (target_loss, flops, replace_n_params)]
    if sum(given) != 1:
        raise ValueError("give exactly one of target_loss, flops (keep its compute-optimal loss) or "
                         "replace_n_params (keep the loss of that model trained compute-optimally)")
    if flops is not None:
        c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
        n, d = lw.optimal_allocation(c)
        return float(lw.optimal_loss(c)), float(n), float(d)
    if replace_n_params is not None:
        n = positive_scalar("replace_n_params", replace_n_params, hint="parameters, e.g. 1.3e10 for 13B")
        d, loss = compute_optimal_for_params(lw, n)
        return loss, n, d
    _reducible(lw, target_loss)
    n, d = compute_optimal_at_loss(lw, target_loss)
    return float(target_loss), n, d


def _optimum_tokens(lw: ParametricLaw, reducible: float, inference_tokens: float) -> tuple[float, float]:
    """(N, D) minimising 6 N D + 2 N T on L(N, D) = E + reducible, solved in w = log g (see module notes)."""
    ratio = lw.beta / lw.alpha

    def log_v(w):
        return -math.log1p(ratio * (1.0 + math.exp(w)))

    def log_d(w):
        return (math.log(lw.B) - math.log(reducible) - log_v(w)) / lw.beta

    def h(w):
        return math.log(6.0) + log_d(w) + w - math.log(2.0 * inference_tokens)

    hi = math.log(2.0 * inference_tokens) - math.log(6.0) - log_d(-745.0)
    lo = hi - 1.0
    while h(lo) >= 0:
        lo -= 2.0 * (hi - lo)
    w = brentq(h, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
    lv = log_v(w)
    log_1mv = math.log(ratio * (1.0 + math.exp(w))) + lv
    n = math.exp((math.log(lw.A) - math.log(reducible) - log_1mv) / lw.alpha)
    return n, math.exp(log_d(w))


def inference_optimum(law, inference_tokens, *, target_loss=None, flops=None,
                      replace_n_params=None) -> InferenceOptimum:
    """The model that reaches a loss with the fewest training-plus-inference FLOPs (Sardana et al. 2023).

    Parameters
    ----------
    law : ParametricLaw or str
        Anything :func:`~chinchilla_lib.laws.parametric.resolve_law` accepts.
    inference_tokens : float
        Tokens the model will process at inference (>= 0), at 2 N FLOPs each.
    target_loss, flops, replace_n_params : float
        Exactly one: the loss to reach; or a compute budget whose compute-optimal
        loss is kept; or a model size whose loss, trained compute-optimally, is kept.

    Returns
    -------
    InferenceOptimum
        The optimum, the compute-optimal model at the same loss (same inference
        tokens), and the fraction of total FLOPs saved.

    References
    ----------
    Sardana et al. 2023, Eq. (3)-(5) (the FLOPs objective); Hoffmann et al. 2022, Eq. (2), (4).
    """
    lw = _law(law)
    tokens = _inference_tokens(inference_tokens)
    target, n0, d0 = _target(lw, target_loss, flops, replace_n_params)
    co = _plan(lw, n0, d0, tokens)
    if tokens == 0:
        return InferenceOptimum(co, co, 0.0, 0.0, 0.0)
    n, d = _optimum_tokens(lw, target - lw.E, tokens)
    best = _plan(lw, n, d, tokens)
    if best.total_flops > co.total_flops or n > n0:  # rounding only, at tiny demand: keep the candidate
        best = co
    saved = co.total_flops - best.total_flops
    return InferenceOptimum(best, co, tokens, saved / co.total_flops, saved)


def max_shrink(law) -> float:
    """Largest factor k by which a model can be smaller than compute-optimal and still reach the loss.

    ``k_max = ((alpha + beta) / beta)^(1/alpha)``, the same at every budget.
    """
    lw = _law(law)
    return ((lw.alpha + lw.beta) / lw.beta) ** (1.0 / lw.alpha)


@dataclass(frozen=True)
class OvertrainingCost:
    """A model ``shrink`` times smaller than compute-optimal, trained to the compute-optimal loss.

    Attributes
    ----------
    shrink : float
        k = N_opt / N.
    n_params, n_tokens, training_flops : float
        The smaller model, its tokens and 6 N D.
    compute_optimal_flops : float
        The compute-optimal model's 6 N D at the same loss.
    extra : float
        training_flops / compute_optimal_flops - 1 (0 at k = 1; inf past :func:`max_shrink`).
    """

    shrink: float
    n_params: float
    n_tokens: float
    training_flops: float
    compute_optimal_flops: float
    extra: float

    @property
    def tokens_per_param(self) -> float:
        """D / N of the smaller model."""
        return self.n_tokens / self.n_params


def overtraining_cost(law, shrink, *, flops=None, target_loss=None) -> OvertrainingCost:
    """Extra training compute to reach a loss with a model ``shrink`` times smaller than compute-optimal.

    Parameters
    ----------
    law : ParametricLaw or str
    shrink : float
        k >= 1 (use 1/k for a larger model: any positive k is accepted).
    flops, target_loss : float
        Exactly one: the compute-optimal budget (its loss is kept) or the loss.

    Returns
    -------
    OvertrainingCost
        ``extra`` is infinite (and ``n_tokens`` too) when no amount of data reaches the loss.

    References
    ----------
    Hoffmann et al. 2022, Eq. (2), (4); the closed form in this module's notes.
    """
    lw = _law(law)
    k = positive_scalar("shrink", shrink, hint="the factor by which the model is smaller, e.g. 2")
    if (flops is None) == (target_loss is None):
        raise ValueError("give exactly one of flops (its compute-optimal loss is kept) or target_loss")
    target, n0, d0 = _target(lw, target_loss, flops, None)
    c0 = 6.0 * n0 * d0
    n = n0 / k
    try:
        d = tokens_for_loss(lw, n, target)
    except ValueError:
        return OvertrainingCost(k, n, math.inf, math.inf, c0, math.inf)
    c = 6.0 * n * d
    return OvertrainingCost(k, n, d, c, c0, c / c0 - 1.0)


def gpu_hours(flops, peak_flops_per_second, utilisation) -> float:
    """GPU-hours to do ``flops`` on GPUs of a given peak FLOP/s at a model-FLOPs utilisation (0-1].

    ``flops / (peak * utilisation) / 3600``.  Sardana et al.'s cost model uses one
    utilisation for training and a (usually lower) one for inference.
    """
    c = positive_scalar("flops", flops, hint="FLOPs, e.g. 1e23")
    peak = positive_scalar("peak_flops_per_second", peak_flops_per_second, hint="e.g. 3.12e14 for an A100 in bf16")
    mfu = positive_scalar("utilisation", utilisation, hint="a fraction in (0, 1], e.g. 0.5")
    if mfu > 1:
        raise ValueError(f"utilisation must be a fraction in (0, 1], got {mfu!r}")
    return c / (peak * mfu) / 3600.0
