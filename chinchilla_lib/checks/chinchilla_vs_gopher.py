"""Scorecard rows of the chapter *Chinchilla vs Gopher* (ids ``evaluation.*``).

The headline numbers of Section 4.2 recomputed from the paper's own per-task tables: the
MMLU averages of Table 6 and the abstract (from Table A6 and the subjects' sizes), the
Figure 6 tally, the BIG-bench averages and losses of Sec. 4.2.4 (from Table A7) and the
subsets of The Pile won (Table A5).  Tolerances are half a unit of the printed value's last digit.
"""

from __future__ import annotations

from ..datasets import load_evaluation_claims
from ..studies.evaluation import bigbench_summary, mmlu_averages, mmlu_per_task, mmlu_summary, pile_summary
from .check import Check

__all__ = ["checks", "CHAPTER"]

#: The chapter (file stem) these rows belong to.
CHAPTER = "chinchilla_vs_gopher"
_PAPER = "Hoffmann et al. 2022"


def checks():
    """MMLU averages and tally, BIG-bench averages and losses, The Pile's subsets won."""
    claims = load_evaluation_claims().set_index("claim_id")
    per_task = mmlu_per_task()
    av = mmlu_averages(per_task)
    mm = mmlu_summary(per_task)
    for model in ("Chinchilla", "Gopher"):
        yield Check(
            id=f"evaluation.mmlu.{model.lower()}_average",
            quantity=f"{model}'s 5-shot MMLU average (%), questions right over all {mm['n_questions']} test questions",
            reference=float(av.loc[model, "printed"]), source=f"{_PAPER}, Table 6",
            ours=float(av.loc[model, "over_questions_exact"]), tolerance=0.05,
            note=(f"from Table A6 and the subjects' sizes; the mean over the 57 subjects gives "
                  f"{av.loc[model, 'over_tasks']:.2f}"),
        )
    yield Check(
        id="evaluation.mmlu.abstract_average", quantity="Chinchilla's MMLU average as the abstract states it (%)",
        reference=float(claims.loc["mmlu.abstract", "value"]), source=f"{_PAPER}, Abstract",
        ours=float(av.loc["Chinchilla", "over_questions_exact"]), tolerance=0.05, explained_in=CHAPTER,
        note="the same question average cut, not rounded, to one decimal gives the abstract's value",
    )
    for key, ours in (("better", mm["wins"]), ("same", mm["ties"]), ("worse", mm["losses"])):
        yield Check(
            id=f"evaluation.mmlu.tasks_{key}", quantity=claims.loc[f"mmlu.{key}", "claim"],
            reference=float(claims.loc[f"mmlu.{key}", "value"]), source=f"{_PAPER}, Figure 6 caption",
            ours=float(ours), tolerance=0.5, note="counted from Table A6; equal printed accuracies are a tie",
        )
    bb = bigbench_summary()
    for model in ("chinchilla", "gopher"):
        yield Check(
            id=f"evaluation.bigbench.{model}_average",
            quantity=f"{model.capitalize()}'s BIG-bench average (%), mean of Table A7's {bb['n']} tasks",
            reference=float(bb[f"text_{model}"]), source=f"{_PAPER}, Sec. 4.2.4",
            ours=float(bb[f"mean_{model}"]), tolerance=0.05,
            explained_in=CHAPTER if model == "chinchilla" else "",
            note="the text's average against the mean of the rows of its own per-task table",
        )
    listed = [s for s in claims.loc["bigbench.worse", "notes"].split(",") if s.strip()]
    yield Check(
        id="evaluation.bigbench.tasks_worse", quantity=claims.loc["bigbench.worse", "claim"],
        reference=float(len(listed)), source=f"{_PAPER}, Sec. 4.2.4",
        ours=float(bb["losses"]), tolerance=0.5, note="the tasks the text names, against Table A7",
    )
    pile = pile_summary()
    yield Check(
        id="evaluation.pile.subsets_won",
        quantity="Subsets of The Pile on which Chinchilla has lower bits per byte than Gopher",
        reference=float(pile["n"]), source=f"{_PAPER}, Sec. 4.2.1 ('all subsets'), Table A5",
        ours=float(pile["wins"]), tolerance=0.5, note="reference: every subset Table A5 prints",
    )
