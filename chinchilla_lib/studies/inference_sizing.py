"""Inference-aware sizing (Sardana et al. 2023) with several sets of constants, and the over-training trade-off.

References
----------
Sardana et al. 2023, Sec. 3; Hoffmann et al. 2022, Eq. (2), (4), (10).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..datasets import paper_value
from ..laws.inference import inference_optimum, max_shrink, overtraining_cost
from ..laws.parametric import get_law, resolve_law

__all__ = ["EXTRA_LOW", "EXTRA_HIGH", "HEADLINE_LAW", "CONSTANT_SETS", "REFIT", "constant_sets", "sardana_headline", "headline_by_constants", "saving_factors", "demand_sweep",
           "tradeoff_curve", "shrink_at_extra"]

#: Extra training compute (fractions) at which the trade-off is read: cheap, and double.
EXTRA_LOW, EXTRA_HIGH = 0.1, 1.0

#: The constants of Sardana et al.'s code (their headline uses them).
HEADLINE_LAW = "sardana-code"
#: Constant sets compared: their code's, the paper's as printed, full precision, the replication's refit.
CONSTANT_SETS = ("sardana-code", "paper", "paper-full", "replication")
#: Label of our own Approach 3 refit on the Figure 4 points (:func:`~chinchilla_lib.studies.figure4.refit_figure4`).
REFIT = "refit (Figure 4)"


def constant_sets(with_refit: bool = True) -> dict:
    """The named laws of :data:`CONSTANT_SETS`, and our Approach 3 refit under :data:`REFIT`."""
    laws = {name: get_law(name) for name in CONSTANT_SETS}
    if with_refit:
        from .figure4 import refit_figure4

        laws[REFIT] = refit_figure4().law
    return laws


def sardana_headline(law=HEADLINE_LAW):
    """The headline: replace a Chinchilla-optimal 13B model for 2T inference tokens (:class:`InferenceOptimum`)."""
    return inference_optimum(law, paper_value("sardana.replace.inference_tokens"),
                             replace_n_params=paper_value("sardana.replace.n_params"))


def headline_by_constants(laws=None) -> pd.DataFrame:
    """The headline under each set of constants (names, or a mapping name -> law; default :func:`constant_sets`).

    Returns
    -------
    DataFrame indexed by law
        ``co_tokens`` and ``loss`` of the compute-optimal 13B, ``n_params`` and
        ``n_tokens`` of the optimum, ``tokens_per_param``, ``saved_flops`` and
        ``saving`` (fraction).
    """
    laws = constant_sets() if laws is None else laws
    laws = laws if isinstance(laws, dict) else {name: get_law(name) for name in laws}
    rows = {}
    for name, law in laws.items():
        r = sardana_headline(law)
        rows[name] = {"co_tokens": r.compute_optimal.n_tokens, "loss": r.optimum.loss, "n_params": r.optimum.n_params,
                      "n_tokens": r.optimum.n_tokens, "tokens_per_param": r.optimum.tokens_per_param,
                      "saved_flops": r.saved_flops, "saving": r.saving}
    return pd.DataFrame.from_dict(rows, orient="index")


def saving_factors() -> dict:
    """How much the headline's saving moves with the exponents alone, each as a ratio of two savings.

    Returns
    -------
    dict
        ``rounding``: the full-precision law over the same law with only alpha and beta
        replaced by the printed (two-decimal) ones, E, A and B kept at full precision: the
        rounding of alpha and beta alone.  ``printed``: the full-precision law over the printed
        one (every constant rounded).  ``code``: Sardana et al.'s code constants over the printed
        ones (the two share E, A and B and differ in alpha and beta only).  Also the savings
        themselves: ``saving_full``, ``saving_ab_printed``, ``saving_printed``, ``saving_code``.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (10); Sardana et al. 2023 (their code's defaults).
    Used in the chapter *Over-training and inference*.
    """
    full, printed, code = get_law("paper-full"), get_law("paper"), get_law(HEADLINE_LAW)
    ab_printed = dataclasses.replace(full, alpha=printed.alpha, beta=printed.beta, name="paper-full, printed alpha beta")
    saving = {name: sardana_headline(law).saving
              for name, law in (("full", full), ("ab_printed", ab_printed), ("printed", printed), ("code", code))}
    return {"rounding": saving["full"] / saving["ab_printed"], "printed": saving["full"] / saving["printed"],
            "code": saving["code"] / saving["printed"], **{f"saving_{k}": v for k, v in saving.items()}}


def demand_sweep(law=HEADLINE_LAW, replace_n_params=None, demands=None) -> pd.DataFrame:
    """The inference-aware optimum across inference demands, replacing one compute-optimal model.

    Returns
    -------
    DataFrame
        ``inference_tokens``, ``n_params``, ``n_tokens``, ``tokens_per_param``,
        ``size_ratio`` (optimum / replaced model), ``saving``.
    """
    lw = resolve_law(law)
    n0 = paper_value("sardana.replace.n_params") if replace_n_params is None else replace_n_params
    demands = np.geomspace(1e9, 1e15, 61) if demands is None else np.asarray(demands, float)
    rows = []
    for t in demands:
        r = inference_optimum(lw, float(t), replace_n_params=n0)
        rows.append({"inference_tokens": t, "n_params": r.optimum.n_params, "n_tokens": r.optimum.n_tokens,
                     "tokens_per_param": r.optimum.tokens_per_param, "size_ratio": r.optimum.n_params / n0,
                     "saving": r.saving})
    return pd.DataFrame(rows)


def tradeoff_curve(law="paper-full", flops: float = 1e23, shrinks=None) -> pd.DataFrame:
    """Extra training compute for a model k times smaller than compute-optimal (same loss), over k.

    Returns
    -------
    DataFrame
        ``shrink``, ``tokens_per_param``, ``extra`` (fraction of the compute-optimal budget).
    """
    lw = resolve_law(law)
    top = max_shrink(lw)
    shrinks = np.geomspace(1.0, top * (1 - 1e-6), 300) if shrinks is None else np.asarray(shrinks, float)
    rows = []
    for k in shrinks:
        cost = overtraining_cost(lw, float(k), flops=flops)
        rows.append({"shrink": k, "tokens_per_param": cost.tokens_per_param, "extra": cost.extra})
    return pd.DataFrame(rows)


def shrink_at_extra(law, extra: float) -> float:
    """The factor k at which over-training costs ``extra`` (fraction) more training compute (budget-free)."""
    lw = resolve_law(law)
    top = max_shrink(lw)
    return float(brentq(lambda k: overtraining_cost(lw, k, flops=1e23).extra - extra, 1.0, top * (1 - 1e-9)))
