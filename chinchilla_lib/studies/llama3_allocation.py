"""Llama 3's compute-optimal tokens law refitted on the points of its own Figure 2.

The Llama 3 paper (Sec. 3.2.1) fits, per IsoFLOP budget, a second-degree polynomial of the
validation loss in log tokens, takes the minima, and fits a power law through them,
D*(C) = A C^alpha, printed as A = 0.29, alpha = 0.53; at its flagship budget, 3.8e25 FLOPs, it
predicts 402B parameters on 16.55T tokens.  Here the same procedure runs on the 133 points
digitised from Figure 2 (:func:`~chinchilla_lib.datasets.load_llama3_isoflops`), with a seeded
bootstrap that resamples points within each budget.

The per-budget fit is Approach 2's parabola (:func:`~chinchilla_lib.approaches.isoflop.fit_isoflop`):
on a budget C, N = C / (6 D), so ln N = ln(C/6) - ln D and a parabola in ln N is the same
parabola as one in ln D (or log10 D): the minima are Meta's.  The power law through the minima
is a least-squares line in log-log, D* = d_coef C^b (b is Meta's alpha, d_coef Meta's A).

References
----------
Llama Team (Dubey et al.) 2024, arXiv 2407.21783, Sec. 3.2.1, Figure 2; Hoffmann et al. 2022, Sec. 3.2.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import ExtrapolationWarning
from ..approaches.runs import fit_runs
from ..datasets import load_llama3_isoflops
from ..result_cache import shared_result
from .later_studies import later_value, llama3_arithmetic

__all__ = ["LLAMA3_RESAMPLES", "LLAMA3_SEED", "llama3_runs", "llama3_fit", "llama3_budgets", "llama3_allocation"]

#: Bootstrap resamples of the refit (points resampled within each budget).
LLAMA3_RESAMPLES = 2000
#: Seed of the bootstrap.
LLAMA3_SEED = 0


def llama3_runs() -> pd.DataFrame:
    """The 133 Figure 2 points: ``n_params`` (C / (6 D)), ``n_tokens``, ``flops`` (budget label), ``loss``.

    :func:`~chinchilla_lib.datasets.load_llama3_isoflops`; the loss is the figure's, as plotted.
    """
    return load_llama3_isoflops()


@lru_cache(maxsize=4)
@shared_result  # computed once per book build, shared by the chapters
def _fit_cached(n_bootstrap: int, seed: int):
    return fit_runs(llama3_runs(), 2, bootstrap=n_bootstrap, seed=seed, flops=later_value("llama3.flagship_flops"))


def llama3_fit(n_bootstrap: int = LLAMA3_RESAMPLES, seed: int = LLAMA3_SEED):
    """Approach 2 on the Figure 2 points, judged by the gate at the flagship budget.

    Parameters
    ----------
    n_bootstrap : int, default :data:`LLAMA3_RESAMPLES`
        Resamples of the points within each budget (0: none; the gate then draws its own).
    seed : int, default :data:`LLAMA3_SEED`

    Returns
    -------
    IsoFLOPResult
        ``b`` and ``d_coef`` are Meta's alpha and A; ``.quality`` is the gate's verdict with the
        extrapolation to 3.8e25 FLOPs checked.  The same object on every call with the same arguments.
    """
    return _fit_cached(int(n_bootstrap), int(seed))


def llama3_budgets(fit=None) -> pd.DataFrame:
    """The ten budgets' minima: ``flops``, ``n_tokens`` (D at the minimum), ``n_params`` (C / (6 D)),
    ``loss`` (the parabola's minimum, plotted units), ``n_points``, ``bracketed``."""
    fit = llama3_fit() if fit is None else fit
    table = fit.budgets
    return pd.DataFrame({"flops": table["budget"], "n_tokens": table["d_opt"], "n_params": table["n_opt"],
                         "loss": table["loss_opt"], "n_points": table["n_points"], "bracketed": table["bracketed"]})


def _exponent_for(tokens: float, coef: float, flops: float) -> float:
    """The exponent x with coef * flops^x = tokens."""
    return float(np.log(tokens / coef) / np.log(flops))


def llama3_allocation(level: float = 0.8, fit=None) -> dict:
    """The refit against Llama 3's printed law and flagship allocation.

    Parameters
    ----------
    level : float, default 0.8
        Coverage of the bootstrap percentile intervals (0.8: 10th to 90th percentile).
    fit : IsoFLOPResult, optional
        Default :func:`llama3_fit`.

    Returns
    -------
    dict
        * ``tokens_exponent``, ``tokens_exponent_lo``, ``tokens_exponent_hi``: our alpha (D* = A C^alpha) and interval;
        * ``tokens_coef``, ``tokens_coef_lo``, ``tokens_coef_hi``: our A and interval;
        * ``flops``: the flagship budget as printed (3.8e25);
        * ``n_tokens``, ``n_tokens_lo``, ``n_tokens_hi``: our D*(flops) and interval;
        * ``n_params``, ``n_params_lo``, ``n_params_hi``: N* = flops / (6 D*) and interval;
        * ``printed_exponent``, ``printed_coef``, ``printed_n_tokens``, ``printed_n_params``;
        * ``tokens_ratio``, ``params_ratio``: ours over printed;
        * ``printed_pair_6nd_ratio``: 6 N D of the printed pair over the printed budget;
        * ``rounded_law_tokens``: the printed rounded law 0.29 C^0.53 at the flagship (about 10.5T);
        * ``exponent_needed_printed_coef``: the exponent that, with the printed A, gives 16.55T;
        * ``exponent_needed_our_coef``: the exponent that, with our A, gives 16.55T;
        * ``our_rounded_exponent``, ``our_rounded_coef``: our constants rounded to the printed two decimals,
          and ``our_rounded_law_tokens``: what they give at the flagship;
        * ``n_points``, ``n_budgets``, ``verdict`` (the gate's label at the flagship), ``level``, ``n_bootstrap``.
    """
    fit = llama3_fit() if fit is None else fit
    c = later_value("llama3.flagship_flops")
    printed = llama3_arithmetic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)  # the gate's verdict records the extrapolation
        plan = fit.plan(c, level=level)
    tokens_lo, tokens_hi = plan["intervals"]["n_tokens"] if "intervals" in plan else (np.nan, np.nan)
    params_lo, params_hi = plan["intervals"]["n_params"] if "intervals" in plan else (np.nan, np.nan)
    try:
        b_lo, b_hi = fit.interval("b", level)
        coef_lo, coef_hi = fit.interval("d_coef", level)
    except ValueError:  # no bootstrap
        b_lo = b_hi = coef_lo = coef_hi = np.nan
    alpha_p, coef_p = later_value("llama3.tokens_exponent"), later_value("llama3.tokens_coef")
    rounded_b, rounded_coef = round(fit.b, 2), round(fit.d_coef, 2)
    return {
        "tokens_exponent": fit.b, "tokens_exponent_lo": b_lo, "tokens_exponent_hi": b_hi,
        "tokens_coef": fit.d_coef, "tokens_coef_lo": coef_lo, "tokens_coef_hi": coef_hi,
        "flops": c, "n_tokens": plan["n_tokens"], "n_tokens_lo": tokens_lo, "n_tokens_hi": tokens_hi,
        "n_params": c / (6.0 * plan["n_tokens"]), "n_params_lo": params_lo, "n_params_hi": params_hi,
        "printed_exponent": alpha_p, "printed_coef": coef_p, "printed_n_tokens": printed["n_tokens"],
        "printed_n_params": printed["n_params"],
        "tokens_ratio": plan["n_tokens"] / printed["n_tokens"],
        "params_ratio": c / (6.0 * plan["n_tokens"]) / printed["n_params"],
        "printed_pair_6nd_ratio": printed["flops_6nd_ratio"], "rounded_law_tokens": printed["tokens_law"],
        "exponent_needed_printed_coef": printed["alpha_needed"],
        "exponent_needed_our_coef": _exponent_for(printed["n_tokens"], fit.d_coef, c),
        "our_rounded_exponent": rounded_b, "our_rounded_coef": rounded_coef,
        "our_rounded_law_tokens": rounded_coef * c**rounded_b,
        "n_points": int(fit.budgets["n_points"].sum()), "n_budgets": int(fit.budgets["used"].sum()),
        "verdict": fit.quality.label() if fit.quality is not None else "not judged",
        "level": float(level), "n_bootstrap": int(fit.n_bootstrap),
    }
