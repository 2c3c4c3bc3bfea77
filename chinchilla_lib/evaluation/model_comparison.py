"""Comparing two models task by task: wins, ties and losses, relative improvement, weighted averages.

Works on any long table of results with the columns of
:func:`chinchilla_lib.datasets.load_evaluation` (``benchmark, task, setting, model, metric,
value, higher_is_better``; ``task_canonical`` optional), so it compares any two models on
any benchmark, not only Chinchilla and Gopher.

Conventions
-----------
* ``advantage`` is how much better the model is than the baseline, in the metric's units:
  ``value - baseline`` when higher is better, ``baseline - value`` when lower is better
  (bits per byte, perplexity, toxicity).
* ``relative_improvement`` is ``advantage / baseline``: for accuracy the relative gain, for
  bits per byte the relative decrease (as in Hoffmann et al.'s Figures 5-7).
* A tie is an advantage of zero at the printed precision (``tie_tolerance``, default 0:
  the values as printed are equal).
* An average over tasks weights every task equally; an average over questions weights each
  task by its number of questions, which equals the share of all questions answered
  correctly.

References
----------
Hoffmann et al. 2022, Section 4.2, Figures 5-7, Table 6.  Used by the chapter *Chinchilla vs Gopher*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["head_to_head", "win_tie_loss", "weighted_mean", "average_score", "category_averages",
           "correct_counts", "correct_count_range", "rounds_to", "truncates_to"]

_PAIR_KEY = ["benchmark", "task", "setting", "metric"]


def _require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; pass a table like datasets.load_evaluation()")


def head_to_head(results: pd.DataFrame, model: str, baseline: str, *, benchmark: str | None = None,
                 setting: str | None = None, tie_tolerance: float = 0.0) -> pd.DataFrame:
    """Pair two models' scores on every task and setting both were evaluated on.

    Parameters
    ----------
    results : DataFrame
        Long results (columns ``benchmark, task, setting, model, metric, value, higher_is_better``).
    model, baseline : str
        The model compared and the one it is compared with (values of ``model``).
    benchmark, setting : str, optional
        Keep only these rows.
    tie_tolerance : float, default 0
        An advantage within this many units of the metric counts as a tie.

    Returns
    -------
    DataFrame
        One row per shared (benchmark, task, setting, metric): those columns,
        ``task_canonical`` (when given), ``higher_is_better``, ``value`` (the model's),
        ``baseline_value``, ``advantage``, ``relative_improvement`` and ``outcome``
        (``"win"``, ``"tie"`` or ``"loss"`` for the model).

    Raises
    ------
    ValueError
        When a model has no rows, the two share no task, or ``tie_tolerance`` is negative.
    """
    _require(results, _PAIR_KEY + ["model", "value", "higher_is_better"], "results")
    if not tie_tolerance >= 0:
        raise ValueError(f"tie_tolerance must be >= 0, got {tie_tolerance!r}")
    rows = results
    if benchmark is not None:
        rows = rows[rows["benchmark"] == benchmark]
    if setting is not None:
        rows = rows[rows["setting"] == setting]
    for name, who in (("model", model), ("baseline", baseline)):
        if not (rows["model"] == who).any():
            known = ", ".join(sorted(set(rows["model"]))) or "none"
            raise ValueError(f"{name} {who!r} has no results here; models present: {known}")
    extra = ["task_canonical"] if "task_canonical" in rows.columns else []
    mine = rows[rows["model"] == model][_PAIR_KEY + extra + ["higher_is_better", "value"]]
    theirs = rows[rows["model"] == baseline][_PAIR_KEY + ["value"]].rename(columns={"value": "baseline_value"})
    pairs = mine.merge(theirs, on=_PAIR_KEY, how="inner", validate="one_to_one").reset_index(drop=True)
    if pairs.empty:
        raise ValueError(f"{model!r} and {baseline!r} share no task and setting; choose another pair or filter")
    sign = np.where(pairs["higher_is_better"].astype(bool), 1.0, -1.0)
    advantage = sign * (pairs["value"].to_numpy(float) - pairs["baseline_value"].to_numpy(float))
    # Printed values are decimals: compare at a precision far below their last digit.
    advantage = np.round(advantage, 9)
    outcome = np.where(advantage > tie_tolerance, "win", np.where(advantage < -tie_tolerance, "loss", "tie"))
    return pairs.assign(advantage=advantage, relative_improvement=advantage / pairs["baseline_value"].to_numpy(float),
                        outcome=outcome)


def win_tie_loss(pairs: pd.DataFrame) -> dict[str, int]:
    """Counts of the outcomes of :func:`head_to_head`: ``wins``, ``ties``, ``losses`` and ``n``."""
    _require(pairs, ["outcome"], "pairs")
    counts = pairs["outcome"].value_counts()
    return {"wins": int(counts.get("win", 0)), "ties": int(counts.get("tie", 0)),
            "losses": int(counts.get("loss", 0)), "n": len(pairs)}


def weighted_mean(values, weights=None) -> float:
    """Mean of ``values``, each task weighted equally (``weights=None``) or by ``weights``.

    With weights equal to each task's number of questions, the mean of per-task accuracies is
    the accuracy over all questions pooled.

    Raises
    ------
    ValueError
        When there are no values, a value is not finite, or the weights are not positive
        and of the same length.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.isfinite(x).all():
        raise ValueError("values must be a non-empty 1-D array of finite numbers")
    if weights is None:
        return float(x.mean())
    w = np.asarray(weights, dtype=float)
    if w.shape != x.shape or not (np.isfinite(w).all() and (w > 0).all()):
        raise ValueError(f"weights must be {x.size} positive finite numbers, one per value (e.g. questions per task)")
    return float((w * x).sum() / w.sum())


def average_score(results: pd.DataFrame, model: str, *, weights: pd.Series | None = None,
                  key: str = "task") -> float:
    """A model's average over the tasks of ``results``, by task or (with ``weights``) by question.

    Parameters
    ----------
    results : DataFrame
        Rows of one benchmark and setting (one row per task for the model).
    model : str
    weights : Series, optional
        Indexed by the ``key`` column's values (e.g. questions per task); every task of the
        model must have a weight.
    key : str, default "task"
        Column that names the task (``"task_canonical"`` to join with a benchmark's own list).
    """
    _require(results, ["model", "value", key], "results")
    rows = results[results["model"] == model]
    if rows.empty:
        raise ValueError(f"model {model!r} has no results here")
    if rows[key].duplicated().any():
        raise ValueError(f"model {model!r} has several rows per {key}; filter to one benchmark and setting")
    if weights is None:
        return weighted_mean(rows["value"])
    missing = sorted(set(rows[key]) - set(weights.index))
    if missing:
        raise ValueError(f"weights lack {len(missing)} task(s), e.g. {missing[0]!r}")
    return weighted_mean(rows["value"], weights.loc[rows[key]].to_numpy())


def category_averages(results: pd.DataFrame, models, categories: pd.Series, *, weights: pd.Series | None = None,
                      key: str = "task") -> pd.DataFrame:
    """Each model's average per category of tasks (by task, or by question with ``weights``).

    Parameters
    ----------
    results : DataFrame
        One benchmark and setting.
    models : sequence of str
    categories : Series
        Category of each task, indexed by the ``key`` column's values.
    weights : Series, optional
        As in :func:`average_score`.
    key : str, default "task"

    Returns
    -------
    DataFrame
        Indexed by category (sorted), one column per model, plus ``n_tasks``.
    """
    _require(results, ["model", "value", key], "results")
    missing = sorted(set(results[key]) - set(categories.index))
    if missing:
        raise ValueError(f"categories lack {len(missing)} task(s), e.g. {missing[0]!r}")
    labelled = results.assign(_category=categories.loc[results[key]].to_numpy())
    out = {}
    for category, rows in labelled.groupby("_category", sort=True):
        out[category] = {m: average_score(rows, m, weights=weights, key=key) for m in models}
        out[category]["n_tasks"] = int(rows[key].nunique())
    return pd.DataFrame.from_dict(out, orient="index")


def correct_counts(accuracy_pct, n_questions, decimals: int = 1) -> np.ndarray:
    """The number of questions answered correctly behind accuracies printed to ``decimals`` places.

    ``k = round(accuracy * n / 100)``, checked: ``100 k / n`` must round back to the printed
    accuracy, which holds only if ``n`` is the task's real size.

    Raises
    ------
    ValueError
        When a printed accuracy is no k/n of its task's size at that precision.
    """
    acc = np.asarray(accuracy_pct, dtype=float)
    n = np.asarray(n_questions, dtype=float)
    if acc.shape != n.shape or not (n > 0).all():
        raise ValueError("accuracy_pct and n_questions must have the same length, with n_questions > 0")
    k = np.round(acc * n / 100.0)
    off = np.abs(np.round(100.0 * k / n, decimals) - acc) > 0.5 * 10.0 ** -decimals * 1e-6 + 1e-9
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"accuracy {acc[i]:g}% is no whole number of {n[i]:.0f} questions at {decimals} decimal(s); "
                         "check n_questions")
    return k.astype(int)


def correct_count_range(accuracy_pct, n_questions, decimals: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The fewest and most questions answered correctly that round to accuracies printed to ``decimals`` places.

    A printed accuracy pins the count down only while a unit in its last place is worth less
    than one question: at one decimal, for tasks of more than 1,000 questions two counts can
    round to the same printed value.  Rounding is half-up, as :func:`rounds_to`.

    Returns
    -------
    lo, hi : ndarray of int
        Per task, the smallest and largest whole count ``k`` with ``100 k / n`` rounding to the
        printed accuracy (equal where the count is unique, as :func:`correct_counts` returns it).

    Raises
    ------
    ValueError
        When no whole number of questions gives a printed accuracy.
    """
    acc = np.asarray(accuracy_pct, dtype=float)
    n = np.asarray(n_questions, dtype=float)
    if acc.shape != n.shape or not (n > 0).all():
        raise ValueError("accuracy_pct and n_questions must have the same length, with n_questions > 0")
    scale = 10.0 ** decimals
    lo, hi = np.empty(acc.shape, int), np.empty(acc.shape, int)
    for i, (a, m) in enumerate(zip(acc.ravel(), n.ravel())):
        centre = a * m / 100.0
        ks = np.arange(np.floor(centre - m / scale / 100.0) - 1, np.ceil(centre + m / scale / 100.0) + 2)
        ok = ks[np.floor(100.0 * ks / m * scale + 0.5 + 1e-9) == round(a * scale)]
        if ok.size == 0:
            raise ValueError(f"accuracy {a:g}% is no whole number of {m:.0f} questions at {decimals} decimal(s); "
                             "check n_questions")
        lo.flat[i], hi.flat[i] = int(ok.min()), int(ok.max())
    return lo, hi


def rounds_to(value: float, printed: float, decimals: int) -> bool:
    """Whether ``value`` rounded half-up to ``decimals`` places gives ``printed``."""
    scale = 10.0 ** decimals
    return bool(np.floor(value * scale + 0.5 + 1e-9) == round(printed * scale))


def truncates_to(value: float, printed: float, decimals: int) -> bool:
    """Whether ``value`` cut (not rounded) to ``decimals`` places gives ``printed``."""
    scale = 10.0 ** decimals
    return bool(np.floor(value * scale + 1e-9) == round(printed * scale))
