"""Comparing two models: pairing, wins/ties/losses, relative improvement and averaging rules, on hand-counted slices."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinchilla_lib.evaluation.model_comparison import (
    average_score,
    category_averages,
    correct_count_range,
    correct_counts,
    head_to_head,
    rounds_to,
    truncates_to,
    weighted_mean,
    win_tie_loss,
)


def _rows(model, values, metric="accuracy_pct", benchmark="B", setting="s"):
    higher = metric == "accuracy_pct"
    return [{"benchmark": benchmark, "task": task, "task_canonical": task.lower(), "setting": setting,
             "model": model, "metric": metric, "value": v, "higher_is_better": higher}
            for task, v in values.items()]


@pytest.fixture
def slice_():
    # Four accuracy tasks and two bits-per-byte subsets, counted by hand:
    #   t1: 60 vs 50 win (+10, +20%), t2: 40 vs 40 tie, t3: 30 vs 45 loss (-15, -1/3),
    #   t4: 81.8 vs 81.8 tie; p1: 0.4 vs 0.5 bpb win (+0.1, +20%), p2: 0.9 vs 0.8 loss (-0.1, -12.5%).
    a = _rows("A", {"t1": 60.0, "t2": 40.0, "t3": 30.0, "t4": 81.8})
    b = _rows("B", {"t1": 50.0, "t2": 40.0, "t3": 45.0, "t4": 81.8, "t5": 99.0})
    pa = _rows("A", {"p1": 0.4, "p2": 0.9}, metric="bits_per_byte", benchmark="LM")
    pb = _rows("B", {"p1": 0.5, "p2": 0.8}, metric="bits_per_byte", benchmark="LM")
    return pd.DataFrame(a + b + pa + pb)


def test_wins_ties_losses_on_a_hand_counted_slice(slice_):
    pairs = head_to_head(slice_, "A", "B", benchmark="B")
    assert win_tie_loss(pairs) == {"wins": 1, "ties": 2, "losses": 1, "n": 4}  # t5 has no A score
    assert dict(zip(pairs["task"], pairs["outcome"])) == {"t1": "win", "t2": "tie", "t3": "loss", "t4": "tie"}
    assert win_tie_loss(head_to_head(slice_, "B", "A", benchmark="B")) == {"wins": 1, "ties": 2, "losses": 1,
                                                                           "n": 4}


def test_relative_improvement_respects_the_direction_of_the_metric(slice_):
    pairs = head_to_head(slice_, "A", "B").set_index("task")
    assert pairs.loc["t1", "advantage"] == pytest.approx(10.0)
    assert pairs.loc["t1", "relative_improvement"] == pytest.approx(0.2)
    assert pairs.loc["t3", "relative_improvement"] == pytest.approx(-1 / 3)
    # Lower is better: 0.4 against 0.5 bits per byte is a 20% decrease, a win.
    assert pairs.loc["p1", "advantage"] == pytest.approx(0.1)
    assert pairs.loc["p1", "relative_improvement"] == pytest.approx(0.2)
    assert pairs.loc["p1", "outcome"] == "win"
    assert pairs.loc["p2", "relative_improvement"] == pytest.approx(-0.125)
    assert pairs.loc["p2", "outcome"] == "loss"


def test_tie_tolerance_turns_small_differences_into_ties(slice_):
    pairs = head_to_head(slice_, "A", "B", benchmark="LM", tie_tolerance=0.1)
    assert win_tie_loss(pairs)["ties"] == 2
    assert win_tie_loss(head_to_head(slice_, "A", "B", benchmark="LM"))["ties"] == 0


def test_head_to_head_refuses_unknown_models_and_bad_tolerance(slice_):
    with pytest.raises(ValueError, match="model 'C' has no results.*models present: A, B"):
        head_to_head(slice_, "C", "B")
    with pytest.raises(ValueError, match="baseline 'Z'"):
        head_to_head(slice_, "A", "Z")
    with pytest.raises(ValueError, match="tie_tolerance"):
        head_to_head(slice_, "A", "B", tie_tolerance=-1)
    with pytest.raises(ValueError, match="lacks column"):
        head_to_head(slice_.drop(columns="metric"), "A", "B")


def test_head_to_head_needs_a_shared_task(slice_):
    only_b = slice_[(slice_["model"] == "B") | (slice_["task"] == "zzz")]
    lone = pd.concat([only_b, pd.DataFrame(_rows("A", {"t9": 1.0}))])
    with pytest.raises(ValueError, match="share no task"):
        head_to_head(lone, "A", "B")


def test_task_and_question_averages_by_hand():
    # Three MMLU subjects of Table A6 with their test-set sizes:
    # abstract_algebra 31.0% of 100, anatomy 70.4% of 135, astronomy 73.0% of 152.
    # Over tasks: (31 + 70.4 + 73) / 3 = 174.4 / 3 = 58.1333...
    # Over questions: (3100 + 9504 + 11096) / 387 = 23700 / 387 = 61.2403...
    values, sizes = [31.0, 70.4, 73.0], [100, 135, 152]
    assert weighted_mean(values) == pytest.approx(174.4 / 3)
    assert weighted_mean(values, sizes) == pytest.approx(23700 / 387)
    # Questions right: 31, 95 (95/135 = 70.37%), 111 (111/152 = 73.03%): 237 of 387.
    assert list(correct_counts(values, sizes)) == [31, 95, 111]
    frame = pd.DataFrame({"model": "A", "task": ["x", "y", "z"], "value": values})
    weights = pd.Series(sizes, index=["x", "y", "z"])
    assert average_score(frame, "A") == pytest.approx(58.13333, abs=1e-5)
    assert average_score(frame, "A", weights=weights) == pytest.approx(61.24031, abs=1e-5)


def test_category_averages_by_hand():
    # Category P: tasks x (50%, 100 q) and y (80%, 300 q); category Q: task z (20%, 50 q).
    # P over tasks: 65; P over questions: (5000 + 24000) / 400 = 72.5; Q: 20 either way.
    frame = pd.DataFrame({"model": ["A"] * 3 + ["B"] * 3, "task": list("xyz") * 2,
                          "value": [50.0, 80.0, 20.0, 40.0, 40.0, 40.0]})
    cats = pd.Series(["P", "P", "Q"], index=list("xyz"))
    weights = pd.Series([100, 300, 50], index=list("xyz"))
    by_task = category_averages(frame, ("A", "B"), cats)
    by_question = category_averages(frame, ("A", "B"), cats, weights=weights)
    assert by_task.loc["P", "A"] == pytest.approx(65.0)
    assert by_question.loc["P", "A"] == pytest.approx(72.5)
    assert by_question.loc["Q", "A"] == pytest.approx(20.0)
    assert by_task.loc["P", "B"] == pytest.approx(40.0)
    assert list(by_task["n_tasks"]) == [2, 1]


def test_averages_refuse_bad_input():
    with pytest.raises(ValueError, match="weights must be 2 positive"):
        weighted_mean([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="non-empty"):
        weighted_mean([])
    frame = pd.DataFrame({"model": "A", "task": ["x", "y"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="weights lack 1 task"):
        average_score(frame, "A", weights=pd.Series([1], index=["x"]))
    with pytest.raises(ValueError, match="several rows per task"):
        average_score(pd.concat([frame, frame]), "A")
    with pytest.raises(ValueError, match="categories lack"):
        category_averages(frame, ("A",), pd.Series(["P"], index=["x"]))


def test_correct_counts_refuses_a_size_that_cannot_give_the_printed_accuracy():
    # 70.5% of 135 questions: 95.2 -> 95, and 95/135 = 70.37% prints as 70.4, not 70.5.
    with pytest.raises(ValueError, match="no whole number of 135 questions"):
        correct_counts([70.5], [135])


def test_correct_count_range_by_hand():
    # 56.5% of 1,534: 865/1534 = 56.39 (56.4), 866/1534 = 56.45 and 867/1534 = 56.52 (both 56.5),
    # 868/1534 = 56.58 (56.6); 44.5%: 682/1534 = 44.46, 683/1534 = 44.52; 31.0% of 100: 31 only
    lo, hi = correct_count_range([56.5, 44.5, 31.0], [1534, 1534, 100])
    assert list(lo) == [866, 682, 31] and list(hi) == [867, 683, 31]
    assert list(correct_counts([56.5, 44.5, 31.0], [1534, 1534, 100])) == [867, 683, 31]  # one of the two
    with pytest.raises(ValueError, match="no whole number of 135 questions"):
        correct_count_range([70.5], [135])


def test_rounding_and_truncation_of_printed_values():
    assert rounds_to(67.5687, 67.6, 1) and not rounds_to(67.5687, 67.5, 1)
    assert truncates_to(67.5687, 67.5, 1) and not truncates_to(67.5687, 67.6, 1)
    assert rounds_to(60.0199, 60.0, 1) and not rounds_to(60.6123, 60.0, 1)
    assert rounds_to(24.5, 25, 0) and not rounds_to(24.5, 21, 0)


@given(st.lists(st.floats(0, 100), min_size=1, max_size=20), st.integers(1, 1000))
def test_equal_weights_give_the_task_mean(values, w):
    assert weighted_mean(values, [w] * len(values)) == pytest.approx(float(np.mean(values)), abs=1e-9)


@given(st.lists(st.tuples(st.floats(0, 100), st.integers(1, 2000)), min_size=1, max_size=20))
def test_question_average_lies_between_the_extremes(rows):
    values, weights = zip(*rows)
    mean = weighted_mean(values, weights)
    assert min(values) - 1e-9 <= mean <= max(values) + 1e-9
    assert math.isfinite(mean)
