"""Evaluation results of Hoffmann et al. (2022) Section 4.2: Chinchilla, Gopher and the other models.

The paper's Tables 5-10 and A5-A7 and the numbers its text states are tidy, long CSVs in
``chinchilla_lib/data/`` (made by ``scripts/make_data.py``):

* ``evaluation_results.csv`` -- one row per (benchmark, task, setting, model): the printed
  ``value`` of a ``metric`` (``accuracy_pct``, ``bits_per_byte``, ``perplexity``,
  ``toxicity_score``), ``higher_is_better``, the printed task name ``task`` and
  ``task_canonical``, the name in the benchmark's own task list;
* ``evaluation_task_counts.csv`` -- Table 5: tasks per evaluation family;
* ``evaluation_claims.csv`` -- the text's statements, with the number each states;
* ``mmlu_subjects.csv`` -- the 57 MMLU subjects and their test questions.

:func:`load_evaluation` and the other loaders check every row (known benchmark, model and
metric, values in the metric's range, no duplicates); a bad file raises
:class:`~chinchilla_lib.datasets.DataFileError` in one line.  The MMLU authors' map of
subjects to categories is read from the pinned ``hendrycks/test`` file as data (its dict
literals, never executed): :func:`load_mmlu_categories`.

References
----------
Hoffmann et al. 2022, Section 4.2, Tables 5-10, A5-A7; Hendrycks et al. 2021 (MMLU).
"""

from __future__ import annotations

import ast
import math
import os
from pathlib import Path

import pandas as pd

from .external import fetch_external
from .paper_tables import DATA_DIR, DataFileError, load_table

__all__ = ["BENCHMARKS", "MODELS", "METRICS", "load_evaluation", "validate_evaluation", "load_task_counts",
           "load_evaluation_claims", "load_mmlu_subjects", "load_mmlu_categories", "parse_mmlu_categories",
           "mmlu_tasks"]

#: Evaluation families: Table 5's six, and the bias and toxicity evaluations of Sec. 4.2.7.
BENCHMARKS = ("Language modelling", "Reading comprehension", "Question answering", "Common sense", "MMLU",
              "BIG-bench", "Bias and toxicity")

#: Every model or reference the tables compare.
MODELS = ("Chinchilla", "Gopher", "GPT-3", "MT-NLG 530B", "Jurassic-1", "Supervised SOTA", "SOTA (open book)",
          "Random", "Average human rater", "Average human expert performance", "June 2022 Forecast",
          "June 2023 Forecast")

#: metric -> (smallest value, largest value, higher is better).
METRICS = {
    "accuracy_pct": (0.0, 100.0, True),
    "bits_per_byte": (0.0, 8.0, False),
    "perplexity": (1.0, math.inf, False),
    "toxicity_score": (0.0, 1.0, False),
}

_KEY = ["benchmark", "task", "setting", "model", "metric"]
_CATEGORIES_FILE = "hendrycks/test/categories.py"


def _path(name: str, data_dir) -> Path:
    return (Path(data_dir) if data_dir is not None else DATA_DIR) / f"{name}.csv"


def validate_evaluation(frame: pd.DataFrame, path: str | os.PathLike = "evaluation_results.csv") -> pd.DataFrame:
    """Check an evaluation table row by row; return it unchanged.

    Every row must name a known benchmark (:data:`BENCHMARKS`), model (:data:`MODELS`) and
    metric (:data:`METRICS`), carry the metric's direction in ``higher_is_better`` and a value
    in the metric's range; no (benchmark, task, setting, model, metric) may appear twice.

    Raises
    ------
    DataFileError
        One line naming the file, the data row and what is wrong.
    """
    checks = (("benchmark", BENCHMARKS), ("model", MODELS), ("metric", tuple(METRICS)))
    for column, known in checks:
        bad = ~frame[column].isin(known)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise DataFileError(f"data file {path}: unknown {column} {frame[column].iloc[row]!r} in data row "
                                f"{row + 1}; known: {', '.join(known)}")
    for row, (metric, value, higher) in enumerate(zip(frame["metric"], frame["value"], frame["higher_is_better"])):
        lo, hi, direction = METRICS[metric]
        if not lo <= float(value) <= hi:
            raise DataFileError(f"data file {path}: {metric} {value!r} in data row {row + 1} is outside "
                                f"[{lo:g}, {hi:g}]")
        if str(higher) != str(direction):
            raise DataFileError(f"data file {path}: higher_is_better is {higher!r} in data row {row + 1}; "
                                f"{metric} is {'higher' if direction else 'lower'}-is-better")
    duplicated = frame.duplicated(_KEY)
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        key = ", ".join(f"{c}={frame[c].iloc[row]!r}" for c in _KEY)
        raise DataFileError(f"data file {path}: data row {row + 1} repeats {key}")
    return frame


def load_evaluation(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every evaluation score of Section 4.2, validated (``chinchilla_lib/data/evaluation_results.csv``).

    Parameters
    ----------
    data_dir : path, optional
        Folder holding the CSV; defaults to the repository's ``chinchilla_lib/data/``.

    Returns
    -------
    DataFrame
        ``benchmark, task, task_canonical, setting, model, metric, value, higher_is_better,
        location, status, notes``; ``higher_is_better`` as bool, ``notes`` "" where empty.

    Raises
    ------
    DataFileError
        See ``validate_evaluation`` and :func:`~chinchilla_lib.datasets.load_table`.
    """
    frame = load_table("evaluation_results", data_dir)
    validate_evaluation(frame, _path("evaluation_results", data_dir))
    return frame.assign(higher_is_better=frame["higher_is_better"].astype(str) == "True",
                        notes=frame["notes"].fillna(""))


def load_task_counts(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Table 5: ``benchmark`` and ``n_tasks`` (int) of each evaluation family."""
    frame = load_table("evaluation_task_counts", data_dir)
    bad = ~frame["benchmark"].isin(BENCHMARKS)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataFileError(f"data file {_path('evaluation_task_counts', data_dir)}: unknown benchmark "
                            f"{frame['benchmark'].iloc[row]!r} in data row {row + 1}")
    return frame.assign(n_tasks=frame["n_tasks"].astype(int))


def load_evaluation_claims(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The text's statements about the evaluation: ``claim_id, claim, location, value, unit, status, notes``.

    ``value`` is the number a statement gives (NaN for a statement without one, such as
    "on every task"); ``notes`` lists task names where the statement names them.
    """
    frame = load_table("evaluation_claims", data_dir)
    duplicated = frame["claim_id"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        raise DataFileError(f"data file {_path('evaluation_claims', data_dir)}: claim_id "
                            f"{frame['claim_id'].iloc[row]!r} repeats in data row {row + 1}")
    return frame.assign(notes=frame["notes"].fillna(""))


def load_mmlu_subjects(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The 57 MMLU subjects: ``task`` (the paper's name), ``task_canonical`` and ``n_test_questions`` (int)."""
    frame = load_table("mmlu_subjects", data_dir)
    for column in ("task", "task_canonical"):
        duplicated = frame[column].duplicated()
        if duplicated.any():
            row = int(duplicated.to_numpy().argmax())
            raise DataFileError(f"data file {_path('mmlu_subjects', data_dir)}: {column} "
                                f"{frame[column].iloc[row]!r} repeats in data row {row + 1}")
    return frame.assign(n_test_questions=frame["n_test_questions"].astype(int))


def parse_mmlu_categories(text: str, source: str = _CATEGORIES_FILE) -> pd.DataFrame:
    """The subject -> subcategory -> category map from the text of MMLU's ``categories.py``.

    The file's two dict literals, ``subcategories`` and ``categories``, are read with
    :func:`ast.literal_eval`; nothing in it is executed.

    Returns
    -------
    DataFrame
        ``task_canonical`` (the subject), ``subcategory`` and ``category``, one row per subject.

    Raises
    ------
    DataFileError
        When a literal is missing or malformed, or a subcategory has no category.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise DataFileError(f"{source} is not readable ({exc.msg}, line {exc.lineno})") from None
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    subcategories, categories = found.get("subcategories"), found.get("categories")
    if not isinstance(subcategories, dict) or not isinstance(categories, dict):
        raise DataFileError(f"{source} lacks the dict literals 'subcategories' and 'categories'")
    category_of = {sub: cat for cat, subs in categories.items() for sub in subs}
    rows = []
    for subject, subs in subcategories.items():
        if not isinstance(subs, list) or len(subs) != 1 or subs[0] not in category_of:
            raise DataFileError(f"{source}: subject {subject!r} has subcategory {subs!r}, which no category lists")
        rows.append({"task_canonical": subject, "subcategory": subs[0], "category": category_of[subs[0]]})
    return pd.DataFrame(rows)


def load_mmlu_categories() -> pd.DataFrame:
    """The MMLU authors' categories of the 57 subjects (pinned ``hendrycks/test/categories.py``, MIT).

    See ``parse_mmlu_categories``; the file is fetched with
    :func:`~chinchilla_lib.datasets.fetch_external` (SHA-256 checked).
    """
    path = fetch_external(_CATEGORIES_FILE)
    return parse_mmlu_categories(Path(path).read_text(encoding="utf-8"), str(path))


def mmlu_tasks(data_dir: str | os.PathLike | None = None, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The MMLU subjects with their test questions and category: the join of the two task lists.

    Parameters
    ----------
    data_dir : path, optional
        Folder of ``mmlu_subjects.csv``.
    categories : DataFrame, optional
        :func:`load_mmlu_categories` (fetched when omitted).

    Returns
    -------
    DataFrame
        ``task``, ``task_canonical``, ``n_test_questions``, ``subcategory``, ``category``.

    Raises
    ------
    DataFileError
        When a subject of one list is missing from the other.
    """
    subjects = load_mmlu_subjects(data_dir)
    categories = load_mmlu_categories() if categories is None else categories
    unmatched = sorted(set(subjects["task_canonical"]) ^ set(categories["task_canonical"]))
    if unmatched:
        raise DataFileError(f"MMLU subject lists do not join: {', '.join(unmatched)}")
    return subjects.merge(categories, on="task_canonical", validate="one_to_one")
