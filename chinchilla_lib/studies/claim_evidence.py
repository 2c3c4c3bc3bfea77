"""The evidence behind each claim of the paper and of its critics, gathered from the studies that test it.

Every value is read from the same functions the chapter that holds the evidence calls (named per
group below), so a claim's verdict and the chapter's conclusion come from one computation.  The
result is a flat mapping of plain values (numbers, strings, lists of numbers), computed once per
process and once per book build (:func:`~chinchilla_lib.result_cache.shared_result`);
:mod:`.claims` turns it into verdicts.

Keys by group (each group's chapter in brackets):

* ``p_*`` -- the paper's own points, Figure 4 [comparison, approach3]: Approach 2 on the IsoFLOP strips
  (1,000 resamples, seed 0) and Approach 3 (the canonical 4,000-resample bootstrap), each with the
  gate's verdict on that very fit; Table 2's printed Approach 3 exponent;
* ``or_*`` -- the three approaches on every public set [other_runs]: Figure 4's three exponents,
  the decided fits' tokens per parameter with their intervals, the spread;
* ``g_*`` -- Chinchilla against Gopher [chinchilla_vs_gopher];
* ``k_*`` -- Porian et al.'s corrections of Kaplan's set-up [kaplan];
* ``ot_*``, ``inf_*``, ``rep_*`` -- over-training on finished runs, inference-aware sizing, repeated
  data [overtraining];
* ``l3_*`` -- Llama 3's flagship allocation refitted [comparison];
* ``bt_*``, ``au_*``, ``dr_*`` -- backtests, the audit of Approach 2, the drift of tokens per
  parameter [backtests];
* ``p1_*``, ``p2_*`` -- our two predictions made in advance [laptop];
* ``pub_*`` -- tokens per parameter of well-known models [overtraining].

References
----------
Hoffmann et al. 2022; Besiroglu et al. 2024; Porian et al. 2024; Sardana et al. 2023; Tyl 2023;
Czech et al. 2026; Dubey et al. 2024 (Llama 3).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from ..result_cache import shared_result

__all__ = ["COMPARISON_RESAMPLES", "DECAY_STEP", "AUDIT_SIGN_TARGET", "claim_evidence"]

#: Resamples of the comparison chapter's Approach 2 bootstrap on the Figure 4 strips (seed 0).
COMPARISON_RESAMPLES = 1000
#: The step of Porian et al.'s corrections that matches the cosine decay to each run
#: (:func:`~chinchilla_lib.studies.kaplan_models.correction_drops`; the Kaplan chapter's decay step).
DECAY_STEP = 3
#: The audit's target at which each set's sign is read: within the gate's extrapolation limit.
AUDIT_SIGN_TARGET = "100x largest"


def _f(x) -> float:
    return float(x)


def _paper_points() -> dict:
    from ..approaches.quality import assess_approach2, assess_approach3
    from ..datasets import table2_row
    from .figure4 import fig4_fit, fig4_runs, refit_figure4
    from .interval_width import figure4_bootstrap

    fit2 = fig4_fit(n_bootstrap=COMPARISON_RESAMPLES, seed=0)
    fit3, boot, points = refit_figure4(), figure4_bootstrap(), fig4_runs()
    lo3, hi3 = boot.interval("a", 0.8)
    gate3 = assess_approach3(fit3, points["n_params"], points["n_tokens"], points["loss"], samples=boot.samples)
    printed = table2_row("approach3")
    return {"p_a2": _f(fit2.a), "p_a2_lo": _f(fit2.a_interval[0]), "p_a2_hi": _f(fit2.a_interval[1]),
            "p_a2_gate": assess_approach2(fit2).verdict, "p_a3": _f(fit3.a), "p_a3_lo": _f(lo3), "p_a3_hi": _f(hi3),
            "p_a3_gate": gate3.verdict, "p_printed_a3": _f(printed["a"]), "p_printed_a3_lo": _f(printed["a_p10"]),
            "p_printed_a3_hi": _f(printed["a_p90"])}


def _public_sets() -> dict:
    from .public_runs import approaches_table, public_runs_numbers
    from .published_models import approach1_tokens_per_param
    from .tokens_drift import drift_numbers, drift_table

    table = approaches_table()
    numbers = public_runs_numbers(table)
    out = {}
    fig4 = table[(table["key"] == "figure4") & (table["parameters"] == "total")].set_index("approach")
    for k in (1, 2, 3):
        row = fig4.loc[k]
        out |= {f"or_fig4_a{k}": _f(row["a"]), f"or_fig4_a{k}_lo": _f(row["low"]), f"or_fig4_a{k}_hi": _f(row["high"]),
                f"or_fig4_a{k}_gate": str(row["status"])}
    decided = table[table["status"] == "decided"]
    out["or_tpp_fits"] = [[_f(r["tokens per parameter"]), _f(r["tpp low"]), _f(r["tpp high"])]
                          for _, r in decided.iterrows()]
    out["or_tpp_rule"] = approach1_tokens_per_param()
    out |= {f"or_{k}": numbers[k] for k in ("tpp_min", "tpp_max", "tpp_min_lo", "tpp_min_hi", "tpp_max_lo",
                                             "tpp_max_hi", "tpp_min_set", "tpp_max_set", "deepseek_spread")}
    out["or_tpp_beyond_noise"] = bool(numbers["tpp_spread_beyond_noise"])
    tpp3 = table[(table["key"] == "figure4") & (table["approach"] == 3)].set_index("parameters")["tokens per parameter"]
    out |= {"or_fig4_tpp_total": _f(tpp3["total"]), "or_fig4_tpp_ne": _f(tpp3["non-embedding"])}
    fig4_decided = decided[(decided["key"] == "figure4") & (decided["parameters"] == "total")]["tokens per parameter"]
    out |= {"or_fig4_tpp_lo": _f(fig4_decided.min()), "or_fig4_tpp_hi": _f(fig4_decided.max())}
    marin = decided[decided["key"].str.startswith("marin")]["tokens per parameter"]
    out |= {"or_marin_tpp_lo": _f(marin.min()), "or_marin_tpp_hi": _f(marin.max())}
    drift = drift_numbers(drift_table(table))
    out |= {f"dr_{k}": int(drift[k]) for k in ("n_rows", "n_rises", "n_falls", "n_cannot")}
    return out


def _gopher() -> dict:
    from ..datasets import load_evaluation
    from ..evaluation.model_comparison import head_to_head
    from .evaluation import BASELINE, MODEL, budget_summary, model_budgets

    pairs = head_to_head(load_evaluation(), MODEL, BASELINE)
    budgets = model_budgets()
    summary = budget_summary(budgets)
    counting = (budgets["flops_appendix_f"] / budgets["flops_6nd_counted"] - 1.0).abs().max()
    return {"g_wins": int((pairs["outcome"] == "win").sum()), "g_n": len(pairs),
            "g_ratio_6nd": _f(summary["ratio_6nd"]), "g_ratio_appendix_f": _f(summary["ratio_appendix_f"]),
            "g_counting_gap": _f(counting)}


def _kaplan() -> dict:
    from ..datasets import table2_row
    from .allocations import printed_exponent_spread
    from .porian import porian_exponents, porian_steps

    steps = porian_steps(porian_exponents(method="akima"))
    return {"k_steps_rw": [_f(x) for x in steps["theirs_rw"]], "k_steps_owt2": [_f(x) for x in steps["theirs_owt2"]],
            "k_decay_change": str(steps.loc[DECAY_STEP, "change"]), "k_kaplan": _f(table2_row("kaplan")["a"]),
            "k_target": _f(table2_row("approach1")["a"]), "k_tol": _f(printed_exponent_spread())}


def _overtraining() -> dict:
    from ..datasets import paper_value
    from ..laws import get_law
    from . import overtrained_runs as runs
    from .inference_sizing import constant_sets, headline_by_constants, sardana_headline

    wins = runs.equal_compute_wins(runs.all_runs_fit(runs.sardana_extrapolation()).runs, "loss", get_law("paper-full"))
    ec = runs.equal_compute_numbers(wins)
    head = sardana_headline()
    savings = headline_by_constants(constant_sets())["saving"]
    rep = runs.repetition_numbers(runs.repetition_excess(), runs.muennighoff_repetition())
    return {"ot_wins_far": ec["ec_small_wins_far"], "ot_far": ec["ec_far"], "ot_wins_near": ec["ec_small_wins_near"],
            "ot_near": ec["ec_near"], "ot_near_tpp": _f(runs.SARDANA_NEAR),
            "inf_saving": 100 * _f(head.saving), "inf_printed": paper_value("sardana.replace.saving_pct"),
            "inf_savings": [100 * _f(s) for s in savings], "inf_tpp": _f(head.optimum.tokens_per_param),
            "inf_tokens": paper_value("sardana.replace.inference_tokens"),
            "rep_loss": _f(rep["rep_16"]), "rep_law": _f(rep["rep_law_16"]),
            "rep_epochs": paper_value("muennighoff.epochs_worthless")}


def _llama3() -> dict:
    from .llama3_allocation import llama3_allocation, llama3_fit

    r = llama3_allocation()
    keys = ("n_params", "n_params_lo", "n_params_hi", "printed_n_params", "n_tokens", "n_tokens_lo", "n_tokens_hi",
            "printed_n_tokens")
    return {**{f"l3_{k}": _f(r[k]) for k in keys}, "l3_gate": llama3_fit().quality.verdict}


def _backtests() -> dict:
    from ..approaches.backtest import coverage
    from .isoflop_audit import audit_table
    from .later_studies import later_value
    from .public_backtests import backtest_numbers, backtest_rows

    rows = backtest_rows()
    numbers = backtest_numbers(rows)
    loss = coverage([r for r in rows if r["approach"] is not None], "loss_inside")
    audit = audit_table()
    llama = audit[(audit["set"] == "llama-3") & (audit["target"] == "flagship")].iloc[0]
    signs = audit[(audit["target"] == AUDIT_SIGN_TARGET) & (audit["status"] == "compared")]
    return {"bt_scored": int(numbers["n_scored"]), "bt_inside": int(numbers["n_inside"]),
            "bt_nominal": _f(numbers["nominal"]) / 100, "bt_loss_scored": int(loss["scored"]),
            "bt_loss_inside": int(loss["inside"]), "bt_a2_error": _f(numbers["a2_median_error"]),
            "bt_a3_error": _f(numbers["a3_median_error"]),
            "au_over": _f(llama["token_overestimate_pct"]), "au_over_lo": _f(llama["token_overestimate_pct_lo"]),
            "au_over_hi": _f(llama["token_overestimate_pct_hi"]),
            "au_printed_lo": later_value("openathena.llama3.token_overestimate_low"),
            "au_printed_hi": later_value("openathena.llama3.token_overestimate_high"),
            "au_signs": [[_f(r["token_overestimate_pct_lo"]), _f(r["token_overestimate_pct_hi"])]
                         for _, r in signs.iterrows()]}


def _predictions() -> dict:
    from . import tinygpt
    from .prediction_pair import second_numbers, second_outcome
    from .unrepeated_grid import load_prediction_unrepeated

    first = tinygpt.load_prediction()
    outcome1 = tinygpt.prediction_outcome(first)
    chosen = outcome1.set_index("model").loc[first["predicted_model"]]
    trained1 = outcome1["observed_loss"].notna()
    second = load_prediction_unrepeated()
    outcome2 = second_outcome()
    two = second_numbers(second)
    return {"p1_model": first["predicted_model"], "p1_loss": _f(chosen["predicted_loss"]), "p1_lo": _f(chosen["low"]),
            "p1_hi": _f(chosen["high"]), "p1_obs": _f(chosen["observed_loss"]), "p1_complete": bool(trained1.all()),
            "p1_trained": int(trained1.sum()), "p1_planned": len(outcome1),
            "p1_factor": _f(first["flops"] / first["sweep_largest_budget"]),
            "p2_model": two["model"], "p2_loss": _f(two["loss"]), "p2_lo": _f(two["lo"]), "p2_hi": _f(two["hi"]),
            "p2_obs": _f(two["obs"]), "p2_complete": bool(outcome2["complete"].all()),
            "p2_trained": int(two["trained"]), "p2_planned": int(two["planned"]), "p2_factor": _f(two["factor"])}


def _published() -> dict:
    from .llama import tokens_per_param_table

    tpp = tokens_per_param_table().set_index("model")["tokens_per_param"]
    return {"pub_llama_7b": _f(tpp["LLaMA-7B"]), "pub_llama2_7b": _f(tpp["Llama-2-7B"]),
            "pub_llama3": _f(tpp["Llama 3 405B (planned)"]), "pub_chinchilla": _f(tpp["Chinchilla"])}


@lru_cache(maxsize=1)
@shared_result  # computed once per book build
def _evidence_cached() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each study's warnings are its chapter's to show
        parts = (_paper_points, _public_sets, _gopher, _kaplan, _overtraining, _llama3, _backtests, _predictions,
                 _published)
        out: dict = {}
        for part in parts:
            out |= part()
    return out


def claim_evidence() -> dict:
    """Every value the claims are judged on (the keys of this module's description); cached, a copy is returned.

    Returns
    -------
    dict
        Plain values: floats, ints, bools, strings and lists of floats.
    """
    return dict(_evidence_cached())
