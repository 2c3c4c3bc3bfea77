"""Kaplan's compute-efficient sizes against Chinchilla's: the two rules on a budget grid, App. D.4 and Gopher.

Kaplan's rule is N_opt = N_e C_min^p_N (Kaplan Table 6) read at C_min = C/2, since his fits
describe training at the critical batch, which costs twice the minimum (Kaplan Eq. 5.5);
Chinchilla's are Approach 1, the power law through Table 3's rows, and Approach 3, a
parametric law's optimum (Hoffmann Eq. 4).

References
----------
Hoffmann et al. 2022, Table 3, App. D.4; Kaplan et al. 2020, Table 6; Porian et al. 2024, Figure 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import positive_array
from ..datasets import paper_value
from ..laws.kaplan import c_min, compute_efficient_allocation
from ..laws.parametric import ParametricLaw, get_law
from ..laws.powerlaw import fit_log_log_line
from .published_models import approach1_projections

__all__ = ["approach1_power_law", "allocation_rules", "allocation_summary", "gopher_sizes", "d4_head_to_head",
           "d4_sizes", "correction_drops", "explanation_deltas"]


def _law(law: ParametricLaw | str) -> ParametricLaw:
    return get_law(law) if isinstance(law, str) else law


def approach1_power_law() -> tuple[float, float]:
    """(exponent, coefficient) of N_opt = coefficient · C^exponent through Table 3's Approach 1 rows.

    A least-squares line in log-log (:func:`~chinchilla_lib.laws.powerlaw.fit_log_log_line`) through
    Hoffmann et al.'s Table 3 projections of Approach 1 (``chinchilla_lib/data/projections.csv``); App. D.4's
    "Approach 1" size is this power law at 1e21 FLOPs.
    """
    rows = approach1_projections()
    exponent, coef = fit_log_log_line(rows["flops"].to_numpy(), rows["n_params"].to_numpy())
    return float(exponent), float(coef)


def allocation_rules(flops, law: ParametricLaw | str = "paper-full") -> pd.DataFrame:
    """Compute-optimal model size by Kaplan's rule and by Chinchilla's Approaches 1 and 3.

    Parameters
    ----------
    flops : array
        Training compute C in FLOPs.
    law : ParametricLaw or str, default "paper-full"
        The Approach 3 law whose optimum (Hoffmann Eq. 4) is the ``approach3`` column.

    Returns
    -------
    DataFrame
        ``flops``; ``kaplan``: N_e (C/2)^p_N (Kaplan Table 6, non-embedding parameters);
        ``approach1``: :func:`approach1_power_law` at C; ``approach3``: the law's N_opt(C).
    """
    c = positive_array("flops", flops, hint="training compute in FLOPs, e.g. 1e21")
    exponent, coef = approach1_power_law()
    return pd.DataFrame({"flops": c, "kaplan": compute_efficient_allocation(c_min(c))[0],
                         "approach1": coef * c**exponent, "approach3": _law(law).optimal_allocation(c)[0]})


def allocation_summary(rules: pd.DataFrame) -> dict[str, float]:
    """Where Kaplan's rule meets Approach 1 and the tokens per parameter it implies, over a budget grid.

    Parameters
    ----------
    rules : DataFrame
        The output of :func:`allocation_rules`, budgets ascending.

    Returns
    -------
    dict
        ``c_lo``, ``c_hi``: the grid's ends; ``tpp_kaplan_lo``, ``tpp_kaplan_hi``: D/N = C/(6N²)
        of Kaplan's rule there; ``c_cross``: the grid budget where the two rules' sizes are
        closest in log.
    """
    c, n_kaplan, n_a1 = (rules[col].to_numpy(float) for col in ("flops", "kaplan", "approach1"))
    return {"c_lo": c[0], "c_hi": c[-1], "tpp_kaplan_lo": c[0] / (6 * n_kaplan[0] ** 2),
            "tpp_kaplan_hi": c[-1] / (6 * n_kaplan[-1] ** 2),
            "c_cross": c[np.argmin(np.abs(np.log(n_kaplan / n_a1)))]}


def gopher_sizes(law: ParametricLaw | str = "paper-full") -> dict[str, float]:
    """Kaplan's rule and a Chinchilla law at Gopher's training budget (Hoffmann Table 1 / Section 4).

    Returns
    -------
    dict
        ``gopher_flops``; ``gopher_kaplan_n`` (billions of non-embedding parameters, C_min = C/2);
        ``gopher_chin_n`` (billions, the law's N_opt); ``ratio``: Kaplan's size over the law's.
    """
    flops = paper_value("gopher.flops")
    n_kaplan = compute_efficient_allocation(c_min(flops))[0]
    n_chin = _law(law).optimal_allocation(flops)[0]
    return {"gopher_flops": flops, "gopher_kaplan_n": n_kaplan / 1e9, "gopher_chin_n": n_chin / 1e9,
            "ratio": n_kaplan / n_chin}


def d4_head_to_head(law: ParametricLaw | str = "paper-full") -> pd.DataFrame:
    """The two model sizes of Hoffmann et al.'s App. D.4 head-to-head, and two more readings, from the data.

    Returns
    -------
    DataFrame
        ``rule``, ``n_paper`` (App. D.4's size, NaN where it prints none), ``n_ours`` and
        ``tokens_per_param`` = C/(6N²), at App. D.4's budget C (1e21 FLOPs), for Kaplan's
        rule at C_min = C/2 and C_min = C, :func:`approach1_power_law` and the law's N_opt.
    """
    flops = paper_value("d4.flops")
    exponent, coef = approach1_power_law()
    rows = [
        ("Kaplan, C_min = C/2", paper_value("d4.n_kaplan"), compute_efficient_allocation(c_min(flops))[0]),
        ("Kaplan, C_min = C", np.nan, compute_efficient_allocation(flops)[0]),
        ("Approach 1 (Table 3 power law)", paper_value("d4.n_approach1"), coef * flops**exponent),
        ("Approach 3 (paper-full law)", np.nan, _law(law).optimal_allocation(flops)[0]),
    ]
    frame = pd.DataFrame(rows, columns=["rule", "n_paper", "n_ours"])
    frame["tokens_per_param"] = flops / (6 * frame["n_ours"] ** 2)
    return frame


def d4_sizes(law: ParametricLaw | str = "paper-full") -> dict[str, float]:
    """App. D.4's sizes, printed and reproduced, in billions (:func:`d4_head_to_head`).

    Returns
    -------
    dict
        ``flops``; ``kaplan_b``, ``kaplan_cmin_b``, ``a1_b`` (ours); ``kaplan_paper_b``,
        ``a1_paper_b`` (printed); ``ratio`` (Kaplan's size over Approach 1's); ``tpp_kaplan``,
        ``tpp_a1`` (tokens per parameter).
    """
    d4 = d4_head_to_head(law)
    n = d4["n_ours"]
    return {"flops": paper_value("d4.flops"), "kaplan_b": n[0] / 1e9, "kaplan_cmin_b": n[1] / 1e9,
            "a1_b": n[2] / 1e9, "kaplan_paper_b": paper_value("d4.n_kaplan") / 1e9,
            "a1_paper_b": paper_value("d4.n_approach1") / 1e9, "ratio": n[0] / n[2],
            "tpp_kaplan": d4.loc[0, "tokens_per_param"], "tpp_a1": d4.loc[2, "tokens_per_param"]}


def correction_drops(exponents: pd.Series) -> pd.Series:
    """How much each step of a sequence of corrections lowers the N_opt exponent (Porian et al. Figure 1).

    Parameters
    ----------
    exponents : Series
        The exponent after each step, in order (e.g. a ``theirs_<data>`` column of
        :func:`~chinchilla_lib.studies.porian.porian_steps`; step 0 is Kaplan's set-up).

    Returns
    -------
    Series
        exponent before the step minus after it, for steps 1, 2, ... (same index).
    """
    values = exponents.astype(float)
    return (values.shift(1) - values).iloc[1:]


def explanation_deltas(steps: pd.DataFrame, variants: pd.DataFrame, study: pd.DataFrame, *,
                       law: str = "paper-full", penalty: float = 0.05, horizon: str = "fixed 80",
                       datasets: tuple[str, ...] = ("rw", "owt2")) -> pd.DataFrame:
    """How much each explanation of Kaplan's larger exponent adds to it: one row per explanation.

    ``delta_a`` is the exponent with Kaplan's choice minus the exponent without it, so a
    positive value pushes towards Kaplan's larger exponent.

    Parameters
    ----------
    steps : DataFrame
        :func:`~chinchilla_lib.studies.porian.porian_steps` (columns ``change``, ``theirs_<d>``):
        each step removes one of Kaplan's choices from Porian et al.'s runs, so the step's
        drop is that choice's contribution (:func:`correction_drops`).
    variants : DataFrame
        :func:`~chinchilla_lib.studies.pearce_song.exponent_variants`: Pearce & Song's
        procedure (``grid``) against the law's own exponent (``limit``).
    study : DataFrame
        :func:`~chinchilla_lib.studies.schedules.schedule_exponents` (``penalty``,
        ``matched``, ``fixed <r>``): the simulated fixed schedule against matched cycles.
    law, penalty, horizon :
        The row of ``variants`` and the simulation setting shown.

    Returns
    -------
    DataFrame
        ``explanation``, ``evidence`` (calculation, measurement or simulation),
        ``data`` and ``delta_a``.  Porian et al.'s rows are one sequence per data set and add
        up to that data set's total; the other rows overlap with them (see the Kaplan chapter).

    References
    ----------
    Pearce & Song 2024; Porian et al. 2024, Figure 1; Hoffmann et al. 2022, Sec. 2 and Fig. A1.
    """
    v = variants.set_index("law").loc[law]
    rows = [{"explanation": "embeddings left out of N and C, Kaplan's model range (Pearce & Song)",
             "evidence": "calculation on Chinchilla's law", "data": f"law '{law}'",
             "delta_a": float(v["grid"] - v["limit"])}]
    for d in datasets:
        drops = correction_drops(steps[f"theirs_{d}"])
        for i, drop in drops.items():
            rows.append({"explanation": f"Porian et al. step {i}: {steps.loc[i, 'change']}",
                         "evidence": "measurement (their runs)", "data": d, "delta_a": float(drop)})
    sim = study.set_index("penalty").loc[penalty]
    rows.append({"explanation": f"one cosine schedule for every run (Hoffmann et al.), {horizon.split()[-1]} "
                                "tokens per parameter of the largest model",
                 "evidence": f"simulation, penalty {penalty:g}", "data": f"law '{law}'",
                 "delta_a": float(sim[horizon] - sim["matched"])})
    return pd.DataFrame(rows)
