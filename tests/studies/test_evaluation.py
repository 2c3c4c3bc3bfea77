"""The evaluation tables of Section 4.2: loaders refuse bad files in one line; the study against the paper's values."""


import matplotlib
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import DataFileError
from chinchilla_lib.datasets.evaluation import parse_mmlu_categories
from chinchilla_lib.studies import evaluation as ev

matplotlib.use("Agg")


def _edit(folder, name, fn):
    path = folder / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame).to_csv(path, index=False)


def _one_line(exc_info):
    assert "\n" not in str(exc_info.value)


# ------------------------------------------------------------------ loaders
def test_evaluation_tables_load_and_cover_every_family():
    results = ds.load_evaluation()
    assert set(results["benchmark"]) == set(ds.evaluation.BENCHMARKS)
    assert results["higher_is_better"].dtype == bool
    assert not results.duplicated(["benchmark", "task", "setting", "model", "metric"]).any()
    # Printed values, unit as printed: Table A5 pile_cc, Table A6 anatomy, Table 9 NQ 64-shot.
    lookup = results.set_index(["task", "setting", "model"])["value"]
    assert lookup[("pile_cc", "The Pile", "Chinchilla")] == 0.667
    assert lookup[("anatomy", "5-shot", "Gopher")] == 56.3
    assert lookup[("Natural Questions", "dev, 64-shot", "Gopher")] == 28.2


def test_canonical_names_join_with_the_benchmarks_own_lists():
    results = ds.load_evaluation()
    mmlu = results[(results["benchmark"] == "MMLU") & (results["task"] != "average")]
    renamed = mmlu[mmlu["task"] != mmlu["task_canonical"]]
    assert set(zip(renamed["task"], renamed["task_canonical"])) == {
        ("high_school_gov_and_politics", "high_school_government_and_politics")}
    tasks = ds.mmlu_tasks()
    assert set(mmlu["task_canonical"]) == set(tasks["task_canonical"])
    assert len(tasks) == 57 and tasks["n_test_questions"].sum() == 14042  # SOURCES: M1-M3, 14,042 questions
    bb = results.query("benchmark == 'BIG-bench' and model == 'Chinchilla'").set_index("task")["task_canonical"]
    assert bb["SNARKS"] == "snarks" and bb["formal_fallacies_syllogisms_neg"] == "formal_fallacies_syllogisms_negation"


def test_mmlu_categories_are_the_authors_four():
    cats = ds.load_mmlu_categories()
    assert len(cats) == 57
    assert sorted(cats["category"].unique()) == ["STEM", "humanities", "other (business, health, misc.)",
                                                 "social sciences"]
    assert cats.set_index("task_canonical").loc["professional_law", "category"] == "humanities"


@pytest.mark.parametrize("column, bad, message", [
    ("model", "Chinchila", r"unknown model 'Chinchila' in data row 5; known: Chinchilla"),
    ("metric", "accuracy", r"unknown metric 'accuracy' in data row 5"),
    ("benchmark", "Pile", r"unknown benchmark 'Pile' in data row 5"),
    ("value", "9.5", r"bits_per_byte '?9.5'? in data row 5 is outside \[0, 8\]"),
    ("higher_is_better", "True", r"higher_is_better is .*True.* in data row 5; bits_per_byte is lower-is-better"),
    ("value", "high", r"column 'value' has an invalid value 'high' in data row 5"),
])
def test_bad_evaluation_rows_are_refused_in_one_line(data_copy, column, bad, message):
    def spoil(frame):
        frame.loc[4, column] = bad
        return frame

    _edit(data_copy, "evaluation_results", spoil)
    with pytest.raises(DataFileError, match=message) as err:
        ds.load_evaluation(data_copy)
    _one_line(err)


def test_an_accuracy_above_100_is_refused(data_copy):
    def spoil(frame):
        row = frame.index[frame["metric"] == "accuracy_pct"][0]
        frame.loc[row, "value"] = "100.5"
        return frame

    _edit(data_copy, "evaluation_results", spoil)
    with pytest.raises(DataFileError, match=r"accuracy_pct 100.5 .* outside \[0, 100\]"):
        ds.load_evaluation(data_copy)


def test_duplicate_evaluation_rows_are_refused(data_copy):
    _edit(data_copy, "evaluation_results", lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True))
    with pytest.raises(DataFileError, match=r"data row \d+ repeats (the key of data row \d+ \()?benchmark='Language modelling'") as err:
        ds.load_evaluation(data_copy)
    _one_line(err)


def test_missing_evaluation_file_and_column(data_copy):
    _edit(data_copy, "evaluation_results", lambda f: f.drop(columns="higher_is_better"))
    with pytest.raises(DataFileError, match="lacks column.*higher_is_better"):
        ds.load_evaluation(data_copy)
    (data_copy / "evaluation_results.csv").unlink()
    with pytest.raises(DataFileError, match="evaluation_results.csv is missing"):
        ds.load_evaluation(data_copy)


def test_other_evaluation_files_are_checked(data_copy):
    _edit(data_copy, "evaluation_claims", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True))
    with pytest.raises(DataFileError, match=r"claim_id(=| )'mmlu.abstract'"):
        ds.load_evaluation_claims(data_copy)
    _edit(data_copy, "mmlu_subjects", lambda f: f.assign(task_canonical=f["task_canonical"].replace(
        "anatomy", "astronomy")))
    with pytest.raises(DataFileError, match="task_canonical 'astronomy' repeats"):
        ds.load_mmlu_subjects(data_copy)
    _edit(data_copy, "evaluation_task_counts", lambda f: f.assign(benchmark=f["benchmark"].replace("MMLU", "MMLU-Pro")))
    with pytest.raises(DataFileError, match="unknown benchmark 'MMLU-Pro'"):
        ds.load_task_counts(data_copy)


def test_subject_lists_that_do_not_join_are_refused():
    cats = ds.load_mmlu_categories()
    cats = cats.assign(task_canonical=cats["task_canonical"].replace("virology", "virologyy"))
    with pytest.raises(DataFileError, match="do not join: virology, virologyy"):
        ds.mmlu_tasks(categories=cats)


def test_categories_file_is_parsed_as_data_never_run():
    text = 'import os\nos.remove("x")\nsubcategories = {"a": ["m"]}\ncategories = {"S": ["m"]}\n'
    assert parse_mmlu_categories(text).to_dict("records") == [
        {"task_canonical": "a", "subcategory": "m", "category": "S"}]
    with pytest.raises(DataFileError, match="lacks the dict literals"):
        parse_mmlu_categories("subcategories = {}\n")
    with pytest.raises(DataFileError, match="subject 'a' has subcategory"):
        parse_mmlu_categories('subcategories = {"a": ["z"]}\ncategories = {"S": ["m"]}\n')
    with pytest.raises(DataFileError, match="not readable"):
        parse_mmlu_categories("subcategories = {")


# ------------------------------------------------------------------ the study, against the paper
def test_table6_is_an_average_over_questions():
    av = ev.mmlu_averages()
    # Table 6 prints 67.6 and 60.0; only the question average reproduces both.
    assert round(av.loc["Chinchilla", "over_questions_exact"], 1) == 67.6
    assert round(av.loc["Gopher", "over_questions_exact"], 1) == 60.0
    assert round(av.loc["Gopher", "over_tasks"], 1) != 60.0
    assert ev.mmlu_summary()["rule"] == "questions"


def test_mmlu_counts_are_exact_but_for_professional_law():
    counts = ev.mmlu_count_uncertainty()
    # at one decimal a count can be ambiguous only where 0.1% exceeds one question: n > 1,000,
    # and professional_law (1,534) is the only such subject
    assert (counts["n_tasks"], counts["n_ambiguous"]) == (57, 1)
    assert (counts["ambiguous_tasks"], counts["ambiguous_questions"]) == ("professional_law", "1,534")
    assert counts["max_count_spread"] == 1
    t = ev.mmlu_per_task()
    total = t["n_test_questions"].sum()
    assert counts["average_spread"] == pytest.approx(100 / total)  # one question of the whole test
    # second implementation: both question averages straight from the per-subject columns
    gaps = [abs((t[v] * t["n_test_questions"]).sum() / total - 100 * t[k].sum() / total)
            for v, k in (("value", "correct"), ("baseline_value", "baseline_correct"))]
    assert counts["weighting_gap"] == pytest.approx(max(gaps), rel=1e-9)
    assert 0.005 < counts["weighting_gap"] < 0.01  # 67.561 against 67.569: within 0.01, not equal


def test_mmlu_tally_matches_figure_6_caption():
    summary = ev.mmlu_summary()
    assert (summary["wins"], summary["ties"], summary["losses"]) == (51, 2, 4)
    worse = ev.mmlu_per_task().query("outcome == 'loss'")["task"]
    assert set(worse) == {"college_mathematics", "econometrics", "moral_scenarios", "formal_logic"}


def test_abstract_value_is_the_question_average_truncated():
    summary = ev.mmlu_summary()
    assert summary["abstract"] == 67.5
    assert summary["abstract_truncates"] and not summary["abstract_rounds"]


def test_bigbench_mean_against_the_text():
    bb = ev.bigbench_summary()
    assert bb["n"] == 62 and bb["losses"] == 4
    # Sec. 4.2.4: 65.1 and 54.4. Gopher's mean of Table A7 rounds to 54.4; Chinchilla's does not.
    assert round(bb["mean_gopher"], 1) == 54.4
    assert round(bb["mean_chinchilla"], 1) != 65.1


def test_common_sense_claim_fails_on_piqa_only():
    check = ev.common_sense_check().set_index("task")
    assert check.loc["PIQA", "vs Gopher"] == "tie"  # Table 8: 81.8 both
    others = check.drop(index="PIQA")[["vs Gopher", "vs GPT-3"]]
    assert set(others.to_numpy().ravel()) <= {"win", "not printed"}


def test_claims_that_the_tables_do_not_support():
    claims = ev.claim_checks()
    failing = claims.loc[~claims["holds"], "claim"].tolist()
    assert len(claims) == len(ds.load_evaluation_claims())
    assert len(failing) == 5
    assert any("average MMLU" in c for c in failing)
    assert any("BIG-bench average" in c for c in failing)
    assert any("5-shot Natural Questions" in c for c in failing)
    assert any("common-sense" in c for c in failing)


def test_compute_parity_counted_the_same_way():
    # 6ND: Chinchilla 6 * 70e9 * 1.4e12 = 5.88e23, Gopher 6 * 280e9 * 300e9 = 5.04e23; ratio 7/6.
    budgets = ev.model_budgets()
    assert budgets.loc["Chinchilla", "flops_6nd"] == pytest.approx(5.88e23)
    assert budgets.loc["Gopher", "flops_6nd"] == pytest.approx(5.04e23)
    assert ev.budget_summary(budgets)["ratio_6nd"] == pytest.approx(7 / 6)
    assert budgets.loc["Chinchilla", "flops_appendix_f"] < budgets.loc["Chinchilla", "flops_6nd"]


def test_table5_counts_hold():
    assert ev.task_counts()["holds"].all()


def test_law_predicts_chinchilla_lower():
    table = ev.law_predictions(refit=False)
    # Printed law, by hand: 1.69 + 406.4 / 7e10**0.34 + 410.7 / 1.4e12**0.28 = 1.9366 (Chinchilla),
    # 1.69 + 406.4 / 2.8e11**0.34 + 410.7 / 3e11**0.28 = 1.9933 (Gopher).
    assert table.loc["paper", "Chinchilla"] == pytest.approx(1.9366, abs=2e-4)
    assert table.loc["paper", "Gopher"] == pytest.approx(1.9933, abs=2e-4)
    assert (table["difference"] > 0).all()


def test_plot_helpers_draw_one_bar_per_task():
    import matplotlib.pyplot as plt

    from chinchilla_lib import plotting

    pile = ev.pile_comparison()
    fig, ax = plt.subplots()
    bars = plotting.plot_improvement_bars(ax, pile)
    assert len(bars) == len(pile)
    assert max(b.get_width() for b in bars) == pytest.approx(100 * pile["relative_improvement"].max())
    fig2, ax2 = plt.subplots()
    plotting.plot_improvement_bars(ax2, ev.mmlu_per_task(), group="category")
    assert len(ax2.get_legend().get_texts()) == 4
    fig3, ax3 = plt.subplots()
    plotting.plot_category_averages(ax3, ev.mmlu_categories(), ("Chinchilla", "Gopher"))
    assert len(ax3.collections) >= 4
    plt.close("all")


def test_pile_improvements_by_hand():
    summary = ev.pile_summary()
    # Table A5: gutenberg_pg_19 0.548 vs 0.656 bpb, (0.656 - 0.548) / 0.656 = 0.1646;
    # dm_mathematics 1.111 vs 1.142, 0.031 / 1.142 = 0.0271; WikiText-103 7.16 vs 7.75 ppl, 0.59 / 7.75 = 0.0761.
    assert (summary["wins"], summary["n"]) == (19, 19)
    assert (summary["best_task"], summary["worst_task"]) == ("gutenberg_pg_19", "dm_mathematics")
    assert summary["best"] == pytest.approx(0.108 / 0.656)
    assert summary["worst"] == pytest.approx(0.031 / 1.142)
    assert summary["wikitext_rel"] == pytest.approx(0.59 / 7.75)


def test_winogender_and_toxicity_tables_by_hand():
    wino = ev.winogender_table().set_index("group")["gain"]
    # Table 10: male 71.2 - 68.0, female 79.6 - 71.3, female gotcha 76.7 - 66.7.
    assert wino["Male"] == pytest.approx(3.2)
    assert wino["Female"] == pytest.approx(8.3)
    assert wino["Female gotcha"] == pytest.approx(10.0)
    tox = ev.toxicity_table().set_index("statistic")
    assert tox.loc["mean", "difference"] == pytest.approx(0.087 - 0.081)


def test_reference_points_leave_out_chinchilla():
    ref = ev.mmlu_reference_points().set_index("entry")["Chinchilla's margin"]
    assert "Chinchilla" not in ref.index
    assert ref["June 2023 Forecast"] == pytest.approx(67.6 - 63.4)
    assert ref["Average human expert performance"] == pytest.approx(67.6 - 89.8)
