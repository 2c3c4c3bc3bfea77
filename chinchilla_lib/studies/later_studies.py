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

__all__ = ["later_value", "llama3_arithmetic", "later_exponents"]


def later_value(value_id: str) -> float:
    """One number of ``chinchilla_lib/data/later_studies.csv`` by id (e.g. ``"llama3.flagship_flops"``)."""
    table = load_table("later_studies").set_index("id")
    if value_id not in table.index:
        raise ValueError(f"no later-study value {value_id!r}; the ids are {', '.join(table.index)}")
    return float(table.loc[value_id, "value"])


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
