"""Later IsoFLOP studies beside Table 2: Llama 3's tokens law and flagship prediction, DeepSeek LLM's allocation.

The numbers are ``chinchilla_lib/data/later_studies.csv`` (secondary quotations of the two papers).
Llama 3 fits the compute-optimal number of *tokens*, D_opt = A C^alpha; with C = 6 N D
its model-size exponent is 1 - alpha.  DeepSeek LLM measures model scale as M,
non-embedding FLOPs per token, with C = M D.

References
----------
Llama 3 (arXiv 2407.21783) Sec. 3.2.1; DeepSeek LLM (arXiv 2401.02954) Sec. 3.2; Hoffmann et al. 2022, Table 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets import load_table

__all__ = ["later_value", "printed_half_unit", "llama3_arithmetic", "LLAMA3_HALF_UNIT", "llama3_rounding",
           "later_exponents"]

#: Llama 3 prints its tokens law as D = 0.29 C^0.53: two decimals, so each constant is known to
#: half a unit in the second decimal.
LLAMA3_HALF_UNIT = 0.005


def later_value(value_id: str) -> float:
    """One number of ``chinchilla_lib/data/later_studies.csv`` by id (e.g. ``"llama3.flagship_flops"``)."""
    table = load_table("later_studies").set_index("id")
    if value_id not in table.index:
        raise ValueError(f"no later-study value {value_id!r}; the ids are {', '.join(table.index)}")
    return float(table.loc[value_id, "value"])


_SUFFIXES = {"T": 1e12, "B": 1e9, "M": 1e6}


def printed_half_unit(value_id: str) -> float:
    """Half a unit in the last printed digit of one value of ``later_studies.csv``, in the value's unit.

    Read from the row's ``notes``, which keep the number as printed (``printed as 0.3100``,
    ``printed as 16.1T``): the digits after the point fix the unit of the last digit, a
    suffix T, B or M scales it.

    Examples
    --------
    >>> printed_half_unit("openathena.llama3.vpnls_alpha")  # printed as 0.3100
    5e-05
    >>> printed_half_unit("openathena.llama3.approach2_d_opt")  # printed as 16.1T
    50000000000.0
    """
    import re

    table = load_table("later_studies").set_index("id")
    if value_id not in table.index:
        raise ValueError(f"no later-study value {value_id!r}; the ids are {', '.join(table.index)}")
    found = re.search(r"printed as (\d+(?:\.(\d+))?)([TBM]?)", str(table.loc[value_id, "notes"]))
    if not found:
        raise ValueError(f"later-study value {value_id!r} does not keep its printed form in notes ('printed as ...')")
    decimals = len(found.group(2) or "")
    return 0.5 * 10.0 ** (-decimals) * _SUFFIXES.get(found.group(3), 1.0)


def llama3_arithmetic() -> dict:
    """Llama 3's flagship prediction recomputed from its own printed numbers.

    Returns
    -------
    dict
        ``flops`` (3.8e25 as printed), ``n_params`` and ``n_tokens`` (printed prediction),
        ``flops_6nd`` (6 N D of the printed N and D), ``flops_6nd_ratio`` (over the printed
        budget), ``tokens_law`` (A C^alpha with the printed rounded A and alpha),
        ``tokens_law_ratio`` (over the printed tokens), ``alpha_needed`` (the exponent that,
        with the printed A, gives the printed tokens), ``n_from_tokens`` (C / (6 D)) and
        ``n_from_law`` (C / (6 A C^alpha)).
    """
    c, n, d = (later_value(f"llama3.flagship_{k}") for k in ("flops", "n_params", "n_tokens"))
    alpha, coef = later_value("llama3.tokens_exponent"), later_value("llama3.tokens_coef")
    tokens_law = coef * c**alpha
    return {"flops": c, "n_params": n, "n_tokens": d, "flops_6nd": 6 * n * d, "flops_6nd_ratio": 6 * n * d / c,
            "tokens_law": tokens_law, "tokens_law_ratio": tokens_law / d,
            "alpha_needed": float(np.log(d / coef) / np.log(c)), "n_from_tokens": c / (6 * d),
            "n_from_law": c / (6 * tokens_law)}


def llama3_rounding(half_unit: float = LLAMA3_HALF_UNIT) -> dict:
    """How far the printed rounding of Llama 3's tokens law alone moves its prediction at the flagship budget.

    The law is printed as D = A C^alpha with A and alpha to two decimals, so the constants
    behind it lie anywhere in [A - h, A + h] x [alpha - h, alpha + h] (h = ``half_unit``).
    At C > 1 FLOPs, A C^alpha grows with both, so the range of the prediction runs from
    (A - h) C^(alpha - h) to (A + h) C^(alpha + h).

    Parameters
    ----------
    half_unit : float
        Half a unit in the last printed digit of A and alpha (default :data:`LLAMA3_HALF_UNIT`).

    Returns
    -------
    dict
        ``tokens_law`` (A C^alpha with the printed constants), ``tokens_lo`` and ``tokens_hi``
        (the ends of the range), ``lo_ratio`` and ``hi_ratio`` (the ends over ``tokens_law``),
        ``printed_inside`` (1.0 if the printed tokens lie in the range, else 0.0),
        ``alpha_needed_lo`` and ``alpha_needed_hi`` (the exponent that gives the printed tokens,
        with A at the top and at the bottom of its rounding interval), ``alpha_needed_rounded``
        (``alpha_needed_lo`` rounded to two decimals), ``alpha_needed_cut`` (cut after two),
        ``coef_lo``, ``coef_hi``, ``alpha_lo`` and ``alpha_hi`` (the rounding intervals),
        ``coef_half_unit`` and ``alpha_half_unit`` (both ``half_unit``), ``alpha_factor``
        (C^h, the factor by which the exponent's half-unit alone moves the prediction).

    References
    ----------
    Llama 3 (arXiv 2407.21783) Sec. 3.2.1: D*(C) = 0.29 C^0.53, 402B on 16.55T at 3.8e25 FLOPs.
    Used in the chapter *The three approaches side by side*.
    """
    h = float(half_unit)
    if not (np.isfinite(h) and 0 < h < 0.1):
        raise ValueError(f"half_unit must be a small positive number (0.005 for two decimals), got {half_unit!r}")
    c, d = later_value("llama3.flagship_flops"), later_value("llama3.flagship_n_tokens")
    alpha, coef = later_value("llama3.tokens_exponent"), later_value("llama3.tokens_coef")
    law = coef * c**alpha
    lo, hi = (coef - h) * c ** (alpha - h), (coef + h) * c ** (alpha + h)
    needed_lo, needed_hi = (float(np.log(d / a) / np.log(c)) for a in (coef + h, coef - h))
    return {"tokens_law": law, "tokens_lo": lo, "tokens_hi": hi, "lo_ratio": lo / law, "hi_ratio": hi / law,
            "printed_inside": float(lo <= d <= hi), "alpha_needed_lo": needed_lo, "alpha_needed_hi": needed_hi,
            "alpha_needed_rounded": round(needed_lo, 2), "alpha_needed_cut": float(np.floor(needed_lo * 100) / 100),
            "coef_lo": coef - h, "coef_hi": coef + h, "alpha_lo": alpha - h, "alpha_hi": alpha + h,
            "coef_half_unit": h, "alpha_half_unit": h, "alpha_factor": c**h}


def later_exponents() -> pd.DataFrame:
    """The later studies' model-size exponents a, as rows to set beside Table 2.

    Returns
    -------
    DataFrame
        ``study``, ``data``, ``a`` (N_opt or M_opt exponent), ``b`` (D_opt exponent),
        ``budgets`` (text, FLOPs range) and ``note``.
    """
    ll_alpha = later_value("llama3.tokens_exponent")
    ds = (later_value("deepseek.budget_min"), later_value("deepseek.budget_max"))
    ll = (later_value("llama3.budget_min"), later_value("llama3.budget_max"))
    rows = [{"study": "Llama 3", "data": "Llama 3 mix", "a": 1 - ll_alpha, "b": ll_alpha,
             "budgets": f"{ll[0]:.0e}-{ll[1]:.0e}", "note": "a = 1 - b (fit is on tokens)"}]
    for key, data in (("early_data", "early in-house"), ("current_data", "current in-house"),
                      ("openwebtext2", "OpenWebText2")):
        a = later_value(f"deepseek.a_{key}")
        rows.append({"study": "DeepSeek LLM", "data": data, "a": a, "b": 1 - a,
                     "budgets": f"{ds[0]:.0e}-{ds[1]:.0e}", "note": "model scale M (FLOPs/token)"})
    return pd.DataFrame(rows)
