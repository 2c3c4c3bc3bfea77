"""Chinchilla against Gopher: the paper's evaluation (Section 4.2) recomputed from its own tables.

Everything here reads the printed tables (:func:`~chinchilla_lib.datasets.load_evaluation`)
and recomputes what the text says about them: the two models' budgets counted the same way,
The Pile subset by subset (Figure 5), how Table 6's MMLU averages were taken (Table A6 and
the subjects' sizes), the categories and per-task gains (Figure 6), BIG-bench (Figure 7,
Table A7), the other benchmarks, what the parametric law predicts for the two models, and
every claim of the text against the tables.

References
----------
Hoffmann et al. 2022, Section 4, Tables 1, 4-10, A5-A7, Figures 5-7; Appendix F.
Used by the chapter *Chinchilla vs Gopher*.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..datasets import (
    REPLICATION_EXCLUDED,
    load_evaluation,
    load_evaluation_claims,
    load_table,
    load_task_counts,
    mmlu_tasks,
    paper_value,
)
from ..datasets.evaluation import MODELS
from ..evaluation.model_comparison import (
    average_score,
    category_averages,
    correct_count_range,
    correct_counts,
    head_to_head,
    rounds_to,
    truncates_to,
    win_tie_loss,
)
from ..laws.architecture import parameter_counts
from ..laws.flops import six_nd, training_flops
from ..laws.parametric import get_law
from .figure4 import refit_figure4
from .published_models import table4_shape

__all__ = ["MODEL", "BASELINE", "AVERAGE_LABELS", "model_budgets", "budget_summary", "pile_comparison", "pile_summary",
           "mmlu_per_task", "mmlu_averages", "mmlu_summary", "mmlu_count_uncertainty", "mmlu_categories", "mmlu_reference_points",
           "bigbench_comparison", "bigbench_summary", "benchmark_table", "common_sense_check", "winogender_table",
           "toxicity_table", "law_predictions", "task_counts", "claim_checks"]

MODEL, BASELINE = "Chinchilla", "Gopher"

#: Display names of the columns of :func:`mmlu_averages`.
AVERAGE_LABELS = {"printed": "Table 6", "over_tasks": "mean of subjects", "over_questions": "weighted by questions",
                  "over_questions_exact": "questions right / questions", "tasks_match": "subject mean rounds to Table 6",
                  "questions_match": "question mean rounds to Table 6"}
_SHAPES = {"Chinchilla": "Chinchilla 70B", "Gopher": "Gopher 280B"}


# ---------------------------------------------------------------- budgets
def model_budgets() -> pd.DataFrame:
    """Gopher's and Chinchilla's shapes and training compute, counted the same way for both.

    Returns
    -------
    DataFrame
        Indexed by model: ``n_params`` and ``n_tokens`` (Table 1), ``n_params_counted`` (our
        count of the Table 4 shape), ``d_model``, ``n_layers``, ``n_heads``,
        ``tokens_per_param``, ``flops_6nd`` (6ND with Table 1's N), ``flops_6nd_counted``
        (6ND with our N) and ``flops_appendix_f`` (the Appendix F count, embeddings included).
    """
    table1 = load_table("table1_models").set_index("model")
    rows = {}
    for model, label in _SHAPES.items():
        shape = table4_shape(label)
        n, d = float(table1.loc[model, "n_params"]), float(table1.loc[model, "n_tokens"])
        counted = float(parameter_counts(shape)["total"])
        rows[model] = {"n_params": n, "n_tokens": d, "n_params_counted": counted, "d_model": shape.d_model,
                       "n_layers": shape.n_layers, "n_heads": shape.n_heads, "tokens_per_param": d / n,
                       "flops_6nd": float(six_nd(n, d)), "flops_6nd_counted": float(six_nd(counted, d)),
                       "flops_appendix_f": float(training_flops(shape, d))}
    return pd.DataFrame.from_dict(rows, orient="index")


def budget_summary(budgets: pd.DataFrame | None = None) -> dict:
    """Chinchilla's compute over Gopher's under each count, and the budget the paper's figures use.

    Returns
    -------
    dict
        ``ratio_6nd``, ``ratio_6nd_counted``, ``ratio_appendix_f`` (Chinchilla / Gopher),
        ``gopher_stated`` (the 5.76e23 FLOPs of the paper's figure captions) and
        ``chinchilla_over_stated`` (Chinchilla's 6ND over that budget).
    """
    b = model_budgets() if budgets is None else budgets
    out = {f"ratio_{k}": b.loc[MODEL, f"flops_{k}"] / b.loc[BASELINE, f"flops_{k}"]
           for k in ("6nd", "6nd_counted", "appendix_f")}
    out["gopher_stated"] = paper_value("gopher.flops")
    out["chinchilla_over_stated"] = b.loc[MODEL, "flops_6nd"] / out["gopher_stated"]
    return out


# ---------------------------------------------------------------- The Pile
def pile_comparison(model: str = MODEL, baseline: str = BASELINE) -> pd.DataFrame:
    """Bits per byte on every subset of The Pile (Table A5), with the relative decrease (Figure 5).

    Sorted by ``relative_improvement``, largest first.  See
    :func:`~chinchilla_lib.evaluation.model_comparison.head_to_head` for the columns.
    """
    pairs = head_to_head(load_evaluation(), model, baseline, setting="The Pile")
    return pairs.sort_values("relative_improvement", ascending=False).reset_index(drop=True)


def pile_summary(pairs: pd.DataFrame | None = None) -> dict:
    """Subsets won, the range and mean of the relative bpb decrease, and WikiText-103.

    Returns
    -------
    dict
        ``wins``, ``ties``, ``losses``, ``n`` (subsets); ``best_task``, ``best`` and
        ``worst_task``, ``worst`` (relative decrease); ``mean`` and ``median`` (over subsets);
        ``wikitext_chinchilla``, ``wikitext_gopher`` (perplexity) and ``wikitext_rel``.
    """
    pairs = pile_comparison() if pairs is None else pairs
    counts = win_tie_loss(pairs)
    rel = pairs["relative_improvement"]
    wiki = head_to_head(load_evaluation(), MODEL, BASELINE, benchmark="Language modelling", setting="zero-shot")
    return {**counts, "best_task": pairs["task"].iloc[0], "best": rel.iloc[0], "worst_task": pairs["task"].iloc[-1],
            "worst": rel.iloc[-1], "mean": rel.mean(), "median": rel.median(),
            "wikitext_chinchilla": wiki["value"].iloc[0], "wikitext_gopher": wiki["baseline_value"].iloc[0],
            "wikitext_rel": wiki["relative_improvement"].iloc[0]}


# ---------------------------------------------------------------- MMLU
@lru_cache(maxsize=1)
def _mmlu_tasks() -> pd.DataFrame:
    return mmlu_tasks()


def mmlu_per_task() -> pd.DataFrame:
    """Table A6 paired with the subjects' sizes and categories, and the questions each model got right.

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.evaluation.model_comparison.head_to_head` of Chinchilla against Gopher
        on the 57 subjects, plus ``n_test_questions``, ``subcategory``, ``category``,
        ``correct`` and ``baseline_correct`` (:func:`~chinchilla_lib.evaluation.model_comparison.correct_counts`),
        sorted by relative improvement (largest first).
    """
    results = load_evaluation()
    pairs = head_to_head(results[results["task"] != "average"], MODEL, BASELINE, benchmark="MMLU")
    tasks = _mmlu_tasks().set_index("task_canonical")
    out = pairs.join(tasks[["n_test_questions", "subcategory", "category"]], on="task_canonical")
    out["correct"] = correct_counts(out["value"], out["n_test_questions"])
    out["baseline_correct"] = correct_counts(out["baseline_value"], out["n_test_questions"])
    return out.sort_values("relative_improvement", ascending=False).reset_index(drop=True)


def mmlu_averages(per_task: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 6's averages recomputed from Table A6 in three ways, against the printed ones.

    Returns
    -------
    DataFrame
        Indexed by model: ``printed`` (Table 6), ``over_tasks`` (mean of the 57 printed
        accuracies), ``over_questions`` (weighted by test questions),
        ``over_questions_exact`` (questions right / questions, from the recovered counts),
        and for each rule whether it rounds to the printed value to one decimal
        (``tasks_match``, ``questions_match``).
    """
    t = mmlu_per_task() if per_task is None else per_task
    printed = load_evaluation().query("benchmark == 'MMLU' and task == 'average'").set_index("model")["value"]
    weights = t.set_index("task_canonical")["n_test_questions"]
    rows = {}
    for model, value, correct in ((MODEL, "value", "correct"), (BASELINE, "baseline_value", "baseline_correct")):
        frame = pd.DataFrame({"model": model, "task_canonical": t["task_canonical"], "value": t[value]})
        over_tasks = average_score(frame, model, key="task_canonical")
        over_questions = average_score(frame, model, weights=weights, key="task_canonical")
        exact = 100.0 * t[correct].sum() / t["n_test_questions"].sum()
        rows[model] = {"printed": printed[model], "over_tasks": over_tasks, "over_questions": over_questions,
                       "over_questions_exact": exact,
                       "tasks_match": rounds_to(over_tasks, printed[model], 1),
                       "questions_match": rounds_to(exact, printed[model], 1)}
    return pd.DataFrame.from_dict(rows, orient="index")


def mmlu_summary(per_task: pd.DataFrame | None = None) -> dict:
    """Wins, ties and losses on MMLU, the averaging rule Table 6 follows, and the abstract's 67.5.

    Returns
    -------
    dict
        ``wins``, ``ties``, ``losses``, ``n``; ``n_questions``; ``rule`` (``"questions"``,
        ``"tasks"`` or ``"neither"``: which average reproduces Table 6 for both models);
        ``abstract``, ``abstract_rounds`` and ``abstract_truncates`` (whether the exact
        question average, rounded or cut to one decimal, gives the abstract's value);
        ``above_90`` (subjects where Chinchilla exceeds 90%); ``median_gain`` and
        ``mean_gain`` (relative improvement over subjects); ``gain_exact`` (points, exact
        question averages).
    """
    t = mmlu_per_task() if per_task is None else per_task
    av = mmlu_averages(t)
    rule = ("questions" if av["questions_match"].all() else "tasks" if av["tasks_match"].all() else "neither")
    abstract = float(load_evaluation_claims().set_index("claim_id").loc["mmlu.abstract", "value"])
    exact = av.loc[MODEL, "over_questions_exact"]
    return {**win_tie_loss(t), "n_questions": int(t["n_test_questions"].sum()), "rule": rule,
            "abstract": abstract, "abstract_rounds": rounds_to(exact, abstract, 1),
            "abstract_truncates": truncates_to(exact, abstract, 1),
            "above_90": int((t["value"] > 90).sum()), "median_gain": t["relative_improvement"].median(),
            "mean_gain": t["relative_improvement"].mean(),
            "gain_exact": exact - av.loc[BASELINE, "over_questions_exact"]}


def mmlu_count_uncertainty(per_task: pd.DataFrame | None = None) -> dict:
    """How well Table A6's one-decimal accuracies pin down the counts of questions answered correctly.

    Returns
    -------
    dict
        ``n_tasks``; ``n_ambiguous`` (subjects where, for either model, more than one whole count
        rounds to the printed accuracy: :func:`~chinchilla_lib.evaluation.model_comparison.correct_count_range`);
        ``ambiguous_tasks`` (their names, comma-separated) and ``ambiguous_questions`` (their sizes,
        the same way); ``max_count_spread`` (the largest ``hi - lo``, questions);
        ``average_spread`` (the largest range of a model's question average those counts allow,
        points); ``weighting_gap`` (the largest difference, over the two models, between the
        question average of the printed accuracies and that of the recovered counts, points).
    """
    t = mmlu_per_task() if per_task is None else per_task
    total = t["n_test_questions"].sum()
    spread, ambiguous = [], pd.Series(False, index=t.index)
    for value in ("value", "baseline_value"):
        lo, hi = correct_count_range(t[value], t["n_test_questions"])
        spread.append(hi - lo)
        ambiguous |= hi > lo
    av = mmlu_averages(t)
    amb = t[ambiguous]
    return {"n_tasks": len(t), "n_ambiguous": int(ambiguous.sum()),
            "ambiguous_tasks": ", ".join(amb["task_canonical"]),
            "ambiguous_questions": ", ".join(f"{int(q):,}" for q in amb["n_test_questions"]),
            "max_count_spread": int(max(int(x.max()) for x in spread)),
            "average_spread": float(max(100.0 * x.sum() / total for x in spread)),
            "weighting_gap": float((av["over_questions"] - av["over_questions_exact"]).abs().max())}


def mmlu_categories(per_task: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both models' MMLU averages per category of the MMLU authors, over tasks and over questions.

    Returns
    -------
    DataFrame
        Indexed by category: ``n_tasks``, ``n_questions``, for each model its average over
        tasks and over questions (columns ``"<model>, tasks"`` and ``"<model>, questions"``),
        and ``gain`` (points, over questions).
    """
    t = mmlu_per_task() if per_task is None else per_task
    long = pd.concat([pd.DataFrame({"model": MODEL, "task_canonical": t["task_canonical"], "value": t["value"]}),
                      pd.DataFrame({"model": BASELINE, "task_canonical": t["task_canonical"],
                                    "value": t["baseline_value"]})])
    categories = t.set_index("task_canonical")["category"]
    weights = t.set_index("task_canonical")["n_test_questions"]
    by_task = category_averages(long, (MODEL, BASELINE), categories, key="task_canonical")
    by_question = category_averages(long, (MODEL, BASELINE), categories, weights=weights, key="task_canonical")
    out = pd.DataFrame({"n_tasks": by_task["n_tasks"],
                        "n_questions": t.groupby("category")["n_test_questions"].sum()})
    for model in (MODEL, BASELINE):
        out[f"{model}, tasks"] = by_task[model]
        out[f"{model}, questions"] = by_question[model]
    out["gain"] = out[f"{MODEL}, questions"] - out[f"{BASELINE}, questions"]
    return out


def mmlu_reference_points() -> pd.DataFrame:
    """Table 6's other entries (models, humans, random, forecasts) with Chinchilla's margin over each.

    Returns
    -------
    DataFrame
        ``entry``, ``accuracy`` (%) and ``Chinchilla's margin`` (points), lowest accuracy first.
    """
    t6 = load_evaluation().query("benchmark == 'MMLU' and task == 'average'").set_index("model")["value"]
    others = t6.drop(index=MODEL).sort_values()
    return pd.DataFrame({"entry": others.index, "accuracy": others.to_numpy(),
                         "Chinchilla's margin": t6[MODEL] - others.to_numpy()})


# ---------------------------------------------------------------- BIG-bench
def bigbench_comparison() -> pd.DataFrame:
    """Table A7 as a head-to-head (Figure 7), sorted by relative improvement, largest first."""
    pairs = head_to_head(load_evaluation(), MODEL, BASELINE, benchmark="BIG-bench")
    return pairs.sort_values("relative_improvement", ascending=False).reset_index(drop=True)


def bigbench_summary(pairs: pd.DataFrame | None = None) -> dict:
    """The mean of Table A7's rows against the text's averages, wins and losses.

    Returns
    -------
    dict
        ``wins``, ``ties``, ``losses``, ``n``; ``mean_chinchilla``, ``mean_gopher``, ``mean_gain``
        (means over Table A7's rows, points); ``text_chinchilla``, ``text_gopher``,
        ``text_gain`` (Sec. 4.2.4); ``gap_chinchilla`` = mean - text; ``losses_tasks``
        (comma-separated); ``median_rel``.
    """
    pairs = bigbench_comparison() if pairs is None else pairs
    claims = load_evaluation_claims().set_index("claim_id")["value"]
    mc, mg = pairs["value"].mean(), pairs["baseline_value"].mean()
    return {**win_tie_loss(pairs), "mean_chinchilla": mc, "mean_gopher": mg, "mean_gain": mc - mg,
            "text_chinchilla": claims["bigbench.average.chinchilla"], "text_gopher": claims["bigbench.average.gopher"],
            "text_gain": claims["bigbench.gain"], "gap_chinchilla": mc - claims["bigbench.average.chinchilla"],
            "losses_tasks": ", ".join(sorted(pairs.loc[pairs["outcome"] == "loss", "task"])),
            "median_rel": pairs["relative_improvement"].median()}


# ---------------------------------------------------------------- other benchmarks
def benchmark_table(benchmark: str) -> pd.DataFrame:
    """One benchmark's printed scores: one row per task and setting, one column per model (NaN: not printed)."""
    rows = load_evaluation().query("benchmark == @benchmark")
    wide = rows.pivot_table(index=["task", "setting"], columns="model", values="value", sort=False)
    return wide[[m for m in MODELS if m in wide.columns]].reset_index().rename_axis(columns=None)


def common_sense_check() -> pd.DataFrame:
    """Table 8: Chinchilla's outcome against Gopher and against GPT-3 on each common-sense task.

    Returns
    -------
    DataFrame
        ``task``, ``vs Gopher`` and ``vs GPT-3`` (``win``, ``tie``, ``loss`` or ``not printed``).
    """
    results = load_evaluation().query("benchmark == 'Common sense'")
    out = pd.DataFrame({"task": results["task"].drop_duplicates().to_numpy()})
    for other in ("Gopher", "GPT-3", "MT-NLG 530B"):
        pairs = head_to_head(results, MODEL, other).set_index("task")["outcome"]
        out[f"vs {other}"] = out["task"].map(pairs).fillna("not printed")
    return out


def winogender_table() -> pd.DataFrame:
    """Table 10 as a head-to-head: ``group``, both accuracies and Chinchilla's gain (points)."""
    pairs = head_to_head(load_evaluation(), MODEL, BASELINE, benchmark="Bias and toxicity")
    pairs = pairs[pairs["task"] == "Winogender"]
    return pd.DataFrame({"group": pairs["setting"].str.replace("zero-shot, ", "", regex=False),
                         MODEL: pairs["value"], BASELINE: pairs["baseline_value"], "gain": pairs["advantage"]}
                        ).reset_index(drop=True)


def toxicity_table() -> pd.DataFrame:
    """Sec. 4.2.7's PerspectiveAPI toxicity of unprompted samples: statistic, both models, difference."""
    pairs = head_to_head(load_evaluation(), MODEL, BASELINE, benchmark="Bias and toxicity")
    pairs = pairs[pairs["metric"] == "toxicity_score"]
    return pd.DataFrame({"statistic": pairs["setting"].str.replace("unprompted, ", "", regex=False),
                         MODEL: pairs["value"], BASELINE: pairs["baseline_value"],
                         "difference": pairs["value"] - pairs["baseline_value"]}).reset_index(drop=True)


# ---------------------------------------------------------------- the law
def law_predictions(laws=("paper", "paper-full"), refit: bool = True) -> pd.DataFrame:
    """Eq. 2's predicted loss for Chinchilla and Gopher (Table 1's N and D) under each law.

    Parameters
    ----------
    laws : sequence of str
        Law names (:func:`~chinchilla_lib.laws.parametric.get_law`).
    refit : bool, default True
        Add our Approach 3 refit on the Figure 4 points
        (:func:`~chinchilla_lib.studies.figure4.refit_figure4`, the replication's 240 points).

    Returns
    -------
    DataFrame
        Indexed by law: ``Chinchilla`` and ``Gopher`` (nats per token), ``difference``
        (Gopher - Chinchilla), ``relative`` (difference / Gopher's reducible loss L - E),
        ``E``, and ``optimum`` (the law's loss at Chinchilla's 6ND budget).
    """
    table1 = load_table("table1_models").set_index("model")
    items = [(name, get_law(name)) for name in laws]
    if refit:
        items.append(("refit", refit_figure4(REPLICATION_EXCLUDED).law))
    rows = {}
    for name, law in items:
        loss = {m: float(law.loss(table1.loc[m, "n_params"], table1.loc[m, "n_tokens"])) for m in (MODEL, BASELINE)}
        budget = float(six_nd(table1.loc[MODEL, "n_params"], table1.loc[MODEL, "n_tokens"]))
        rows[name] = {**loss, "difference": loss[BASELINE] - loss[MODEL],
                      "relative": (loss[BASELINE] - loss[MODEL]) / (loss[BASELINE] - law.E), "E": law.E,
                      "optimum": float(law.optimal_loss(budget))}
    return pd.DataFrame.from_dict(rows, orient="index")


# ---------------------------------------------------------------- Table 5 and the claims
_TASK_COUNT_RULES = {
    # How our tables' tasks add up to Table 5's counts.
    "Language modelling": "The Pile's subsets and WikiText-103",
    "Reading comprehension": "LAMBADA, RACE-m, RACE-h",
    "Question answering": "Natural Questions, TriviaQA (two splits, one task) and TruthfulQA",
    "Common sense": "Table 8's tasks",
    "MMLU": "Table A6's subjects",
    "BIG-bench": "Table A7's tasks",
}


def task_counts() -> pd.DataFrame:
    """Table 5's task counts against the distinct tasks of the printed tables.

    Returns
    -------
    DataFrame
        ``benchmark``, ``printed`` (Table 5), ``counted`` (distinct tasks with a Chinchilla
        score), ``what`` (which tasks) and ``holds``.
    """
    results = load_evaluation().query("model == @MODEL and task != 'average'")
    counted = results.groupby("benchmark")["task"].nunique()
    printed = load_task_counts()
    return pd.DataFrame({"benchmark": printed["benchmark"], "printed": printed["n_tasks"],
                         "counted": printed["benchmark"].map(counted).fillna(0).astype(int),
                         "what": printed["benchmark"].map(_TASK_COUNT_RULES)}
                        ).assign(holds=lambda f: f["printed"] == f["counted"])


def _fmt(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}"


def claim_checks() -> pd.DataFrame:
    """Every statement of the text (``chinchilla_lib/data/evaluation_claims.csv``) recomputed from the tables.

    Returns
    -------
    DataFrame
        ``claim``, ``where``, ``stated``, ``recomputed`` (text) and ``holds`` (bool), one row
        per claim, in the file's order.  A stated number holds when our value, at the
        stated number's precision, equals it (a count: exactly; "more than": strictly).
    """
    claims = load_evaluation_claims().set_index("claim_id")
    results = load_evaluation()
    mmlu = mmlu_per_task()
    av = mmlu_averages(mmlu)
    mm = mmlu_summary(mmlu)
    bb = bigbench_summary()
    pile = pile_summary()
    cs = common_sense_check()
    wino = winogender_table().set_index("group")["gain"]
    lambada = results.query("task == 'LAMBADA'").set_index("model")["value"]
    nq = results.query("task == 'Natural Questions' and model == 'Gopher'").set_index("setting")["value"]
    t6 = av["printed"]
    exact_c = av.loc[MODEL, "over_questions_exact"]

    rows = []

    def add(cid, recomputed_value, holds, decimals=1, text=None):
        value = claims.loc[cid, "value"]
        rows.append({"claim": claims.loc[cid, "claim"], "where": claims.loc[cid, "location"],
                     "stated": text if text is not None else _fmt(value, decimals),
                     "recomputed": recomputed_value, "holds": bool(holds)})

    add("mmlu.abstract", f"{_fmt(exact_c, 2)} (questions); {_fmt(av.loc[MODEL, 'over_tasks'], 2)} (tasks)",
        rounds_to(exact_c, claims.loc["mmlu.abstract", "value"], 1))
    add("mmlu.text", f"{_fmt(exact_c, 2)} (questions)", rounds_to(exact_c, claims.loc["mmlu.text", "value"], 1))
    gain_table = t6[MODEL] - t6[BASELINE]
    add("mmlu.gain", f"{_fmt(gain_table)} (Table 6); {_fmt(mm['gain_exact'], 2)} (exact)",
        rounds_to(gain_table, claims.loc["mmlu.gain", "value"], 1))
    add("mmlu.gain_abstract", f"{_fmt(mm['gain_exact'], 2)}", mm["gain_exact"] > claims.loc["mmlu.gain_abstract", "value"],
        decimals=0, text=f"> {_fmt(claims.loc['mmlu.gain_abstract', 'value'], 0)}")
    for key, count in (("better", mm["wins"]), ("same", mm["ties"]), ("worse", mm["losses"])):
        add(f"mmlu.{key}", str(count), count == claims.loc[f"mmlu.{key}", "value"], decimals=0)
    worse = sorted(mmlu.loc[mmlu["outcome"] == "loss", "task"])
    stated_worse = sorted(s.strip() for s in claims.loc["mmlu.worse_tasks", "notes"].split(","))
    add("mmlu.worse_tasks", ", ".join(worse), worse == stated_worse, text=", ".join(stated_worse))
    add("mmlu.above_90", str(mm["above_90"]), mm["above_90"] == claims.loc["mmlu.above_90", "value"], decimals=0)
    add("bigbench.average.chinchilla", _fmt(bb["mean_chinchilla"], 2),
        rounds_to(bb["mean_chinchilla"], bb["text_chinchilla"], 1))
    add("bigbench.average.gopher", _fmt(bb["mean_gopher"], 2), rounds_to(bb["mean_gopher"], bb["text_gopher"], 1))
    add("bigbench.gain", _fmt(bb["mean_gain"], 2), rounds_to(bb["mean_gain"], bb["text_gain"], 1))
    stated_bb = sorted(s.strip() for s in claims.loc["bigbench.worse", "notes"].split(","))
    add("bigbench.worse", bb["losses_tasks"], bb["losses_tasks"] == ", ".join(stated_bb), text=", ".join(stated_bb))
    for cid, model in (("lambada.chinchilla", "Chinchilla"), ("lambada.gopher", "Gopher"),
                       ("lambada.mt-nlg", "MT-NLG 530B")):
        add(cid, f"{_fmt(lambada[model])} (Table 7)", lambada[model] == claims.loc[cid, "value"])
    for cid, setting in (("nq.gopher.5shot", "dev, 5-shot"), ("nq.gopher.64shot", "dev, 64-shot")):
        add(cid, f"{_fmt(nq[setting])} (Table 9)", rounds_to(nq[setting], claims.loc[cid, "value"], 0), decimals=0)
    for cid in [c for c in claims.index if c.startswith("winogender.")]:
        group = cid.split(".", 1)[1].replace("_", " ").capitalize()
        add(cid, _fmt(wino[group]), rounds_to(wino[group], claims.loc[cid, "value"],
                                              1 if claims.loc[cid, "value"] % 1 else 0),
            decimals=1 if claims.loc[cid, "value"] % 1 else 0)
    exceptions = [f"{t}: {o} vs {m[3:]}" for t, row in cs.set_index("task")[["vs Gopher", "vs GPT-3"]].iterrows()
                  for m, o in row.items() if o in ("tie", "loss")]
    add("common_sense.all", "; ".join(exceptions) or f"won all {len(cs)}", not exceptions, text="all")
    add("pile.all", f"won {pile['wins']} of {pile['n']}", pile["wins"] == pile["n"], text="all")
    return pd.DataFrame(rows)
