"""The validators' exact wording and edges: every refusal names the argument, the value and the fix."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinchilla_lib import _validate as v
from chinchilla_lib import stats


def message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


def test_describe_shortens_long_values_to_60_characters():
    assert v._describe("abc") == "'abc'"
    long = "x" * 100
    out = v._describe(long)
    assert len(out) == 60 and out.endswith("...") and out.startswith("'xxx")
    assert v._describe("y" * 58) == "'" + "y" * 58 + "'"  # exactly 60 with the quotes: kept whole


def test_positive_scalar_messages():
    assert message(lambda: v.positive_scalar("flops", "1e20", hint="in FLOPs")) == \
        "flops must be a positive finite number, got '1e20' (in FLOPs)"
    assert message(lambda: v.positive_scalar("flops", True)) == "flops must be a positive finite number, got True"
    assert message(lambda: v.positive_scalar("flops", -2, hint="in FLOPs")) == \
        "flops must be a positive finite number, got -2.0 (in FLOPs)"
    assert message(lambda: v.positive_scalar("flops", 0.0)) == "flops must be a positive finite number, got 0.0"
    assert message(lambda: v.positive_scalar("x", math.inf)) == "x must be a positive finite number, got inf"
    out = v.positive_scalar("x", np.float32(2.5))
    assert out == 2.5 and type(out) is float
    assert v.positive_scalar("x", 3) == 3.0 and type(v.positive_scalar("x", 3)) is float
    assert v.positive_scalar("x", 5e-324) == 5e-324


def test_positive_array_messages():
    assert message(lambda: v.positive_array("n", ["a", 1], hint="counts")) == "n must be numbers, got ['a', 1] (counts)"
    assert message(lambda: v.positive_array("n", [[1.0, 2.0]])) == "n must be a scalar or 1-D array, got shape (1, 2)"
    assert message(lambda: v.positive_array("n", [1.0], hint="h", min_size=2)) == "n needs at least 2 values, got 1 (h)"
    assert message(lambda: v.positive_array("n", [])) == "n needs at least 1 values, got 0"
    assert message(lambda: v.positive_array("n", [1.0, np.nan, -1.0], hint="h")) == \
        "n must be positive and finite; element 1 is NaN (h)"
    assert message(lambda: v.positive_array("n", [1.0, 2.0, -3.0])) == "n must be positive and finite; element 2 is -3.0"
    assert message(lambda: v.positive_array("n", [0.0])) == "n must be positive and finite; element 0 is 0.0"
    assert message(lambda: v.positive_array("n", [np.inf])) == "n must be positive and finite; element 0 is inf"
    out = v.positive_array("n", 2.0)
    assert out.shape == (1,) and out.dtype == float and out[0] == 2.0
    assert v.positive_array("n", [1, 2], min_size=2).tolist() == [1.0, 2.0]


def test_same_length_lists_every_length():
    assert v.same_length(a=np.ones(3), b=np.ones(3)) == 3
    assert message(lambda: v.same_length(a=np.ones(3), b=np.ones(2), c=np.ones(3))) == \
        "arrays must have the same length: a has 3, b has 2, c has 3"
    assert v.same_length(a=np.ones(1)) == 1


def test_positive_int_accepts_whole_numbers_only():
    assert v.positive_int("k", 3) == 3 and type(v.positive_int("k", np.int64(3))) is int
    assert v.positive_int("k", 4.0) == 4 and type(v.positive_int("k", 4.0)) is int
    assert v.positive_int("k", 1) == 1 and v.positive_int("k", 1.0) == 1
    assert message(lambda: v.positive_int("k", 0)) == "k must be a positive whole number, got 0"
    assert message(lambda: v.positive_int("k", 0.0)) == "k must be a positive whole number, got 0.0"
    assert message(lambda: v.positive_int("k", 2.5)) == "k must be a positive whole number, got 2.5"
    assert message(lambda: v.positive_int("k", True)) == "k must be a positive whole number, got True"
    assert message(lambda: v.positive_int("k", "3")) == "k must be a positive whole number, got '3'"
    assert message(lambda: v.positive_int("k", -2)) == "k must be a positive whole number, got -2"


def test_like_inputs_gives_floats_for_scalars():
    out = v.like_inputs(np.array([2.5]), 1.0, 3)
    assert out == 2.5 and type(out) is float
    arr = np.array([1.0, 2.0])
    assert v.like_inputs(arr, [1, 2], 3) is arr
    assert v.like_inputs(np.array(4.5), 1.0) == 4.5  # a 0-d result too
    assert v.like_inputs(np.array([[6.5]]), 1.0) == 6.5


def test_pf_day_is_1e15_flops_for_a_day():
    assert v.PF_DAY == 8.64e19


def test_unit_notes_name_the_column_and_the_unit():
    notes = v.unit_notes(n_params=np.array([7.0, 70.0]), n_tokens=np.array([1.4e12]), flops=np.array([3.0]),
                         loss=np.array([2.0]), other=None)
    assert notes == [
        "n_params look like the wrong unit (largest 70, below 10000); give parameters as raw counts, e.g. 7e10 for "
        "70B, not millions or billions",
        "flops look like the wrong unit (largest 3, below 1e+12); give compute in FLOPs, e.g. 5.76e23; one PF-day "
        "is 8.64e+19 FLOPs",
    ]
    assert v.unit_notes(n_tokens=np.array([1e5])) == [
        "n_tokens look like the wrong unit (largest 1e+05, below 1e+06); give tokens as raw counts, e.g. 1.4e12 for "
        "1.4T, not billions"]
    assert v.unit_notes(n_params=np.array([1e4]), n_tokens=np.array([1e6]), flops=np.array([1e12])) == []
    assert v.unit_notes(n_params=None) == []


def test_distinct_says_how_many_and_what_to_add():
    v.distinct("n_params", np.array([1.0, 2.0, 3.0]), 3, why="it")
    assert message(lambda: v.distinct("n_params", np.array([5.0, 5.0]), 3, why="Approach 3")) == \
        "n_params has 1 distinct value(s) (every run has n_params = 5); Approach 3 needs at least 3 different " \
        "n_params: add runs of other sizes"
    assert message(lambda: v.distinct("n_tokens", np.array([1.0, 2.0, 1.0]), 3, why="it")) == \
        "n_tokens has 2 distinct value(s); it needs at least 3 different n_tokens: add runs of other sizes"


def test_varying_loss_tells_identical_runs_from_a_constant_loss():
    v.varying_loss(np.array([2.0, 2.1]), n=np.array([1.0, 1.0]))
    v.varying_loss(np.array([]), n=np.array([]))
    assert message(lambda: v.varying_loss(np.array([2.5, 2.5]), n_params=np.array([1e9, 1e9]),
                                          n_tokens=np.array([2e10, 2e10]))) == \
        "all 2 runs are identical (n_params=1e+09, n_tokens=2e+10, loss=2.5); a law needs runs of different sizes " \
        "and lengths"
    assert message(lambda: v.varying_loss(np.array([2.5, 2.5, 2.5]), n_params=np.array([1e9, 1e9, 1e9]),
                                          n_tokens=np.array([2e10, 3e10, 2e10]))) == \
        "loss is 2.5 in every run; a constant loss cannot decide a law (check the loss column: it should be each " \
        "run's final loss)"


def test_budgets_are_clusters_a_factor_1_1_apart():
    assert stats.n_budgets(np.array([1e20])) == 1
    assert stats.n_budgets(np.array([1e20, 1.09e20, 1.18e20])) == 1  # chained within 10%
    assert stats.n_budgets(np.array([1e20, 1.11e20])) == 2
    assert stats.n_budgets(np.array([1e20, 1.04e20]), rel_tol=0.03) == 2
    assert stats.n_budgets(np.array([3e21, 1e18, 1e20, 1.05e20])) == 3  # order does not matter


def test_loss_must_fall_with_compute():
    c = np.array([1e18, 1e19, 1e20])
    v.loss_falls_with_compute(c, np.array([3.0, 2.8, 2.6]))
    v.loss_falls_with_compute(np.array([1e19, 1e19]), np.array([3.0, 2.0]))  # one budget: nothing to say
    # (ln 3 - ln 2.6) / (2 ln 10) = 0.0311 for three evenly spaced budgets
    assert message(lambda: v.loss_falls_with_compute(c, np.array([2.6, 2.8, 3.0]), what="the budgets")) == \
        "loss does not fall with compute over the budgets (slope of ln loss on ln C is +0.0311); check that loss " \
        "is the final loss in nats and compute is the training FLOPs"
    flat = np.array([3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match=r"over the runs \(slope of ln loss on ln C is \+0\)"):
        v.loss_falls_with_compute(c, flat)
    v.loss_falls_with_compute(c, flat, allow_flat=True)
    with pytest.raises(ValueError, match="slope"):
        v.loss_falls_with_compute(c, np.array([3.0, np.inf, 2.0]), allow_flat=True)


def test_extrapolation_note_beyond_a_factor_100_either_way():
    assert v.extrapolation_note(1e22, (1e18, 1e20)) is None
    assert v.extrapolation_note(1e16, (1e18, 1e20)) is None
    assert v.extrapolation_note(1.01e22, (1e18, 1e20)) == (
        "budget 1.01e+22 FLOPs is 2.0 decades above the largest run fitted (1e+20 FLOPs); the plan extrapolates "
        "the law far beyond its data")
    assert v.extrapolation_note(1e15, (1e18, 1e20)) == (
        "budget 1e+15 FLOPs is 3.0 decades below the smallest run fitted (1e+18 FLOPs); the plan extrapolates "
        "the law far beyond its data")
    assert v.extrapolation_note(1e21, (1e18, 1e20), factor=5.0) is not None


@given(st.floats(1e10, 1e30), st.floats(1e10, 1e30))
def test_extrapolation_note_only_outside_the_widened_range(lo, width):
    hi = lo * max(width / 1e10, 1.0)
    inside = lo / 100 <= lo * 3 <= hi * 100
    assert (v.extrapolation_note(lo * 3, (lo, hi)) is None) == inside


def test_warning_classes_are_user_warnings():
    assert issubclass(v.UnitWarning, UserWarning) and issubclass(v.ExtrapolationWarning, UserWarning)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        warnings.warn("x", v.UnitWarning, stacklevel=2)


def test_a_value_is_shown_whole_up_to_sixty_characters_and_cut_beyond():
    whole = "x" * 58  # its repr, quotes included, is 60 characters
    longer = "x" * 59  # 61 characters
    with pytest.raises(ValueError) as shown:
        v.positive_scalar("flops", whole)
    assert repr(whole) in str(shown.value)
    with pytest.raises(ValueError) as cut:
        v.positive_scalar("flops", longer)
    assert repr(longer) not in str(cut.value)
    assert repr(longer)[:57] + "..." in str(cut.value)


def test_unit_notes_look_past_an_absent_array_and_an_unknown_name():
    notes = v.unit_notes(n_params=None, loss=np.array([2.0]), flops=np.array([3.0]))
    assert len(notes) == 1 and notes[0].startswith("flops look like the wrong unit")


def test_budgets_exactly_a_factor_one_plus_tol_apart_are_one_cluster():
    # "consecutive members differ by at most a factor 1 + rel_tol": ln 2 - ln 1 is exactly log1p(1)
    assert stats.n_budgets(np.array([1.0, 2.0]), rel_tol=1.0) == 1
    assert stats.n_budgets(np.array([1.0, 2.0 * (1 + 1e-12)]), rel_tol=1.0) == 2


def test_like_inputs_gives_a_float_for_scalars_of_any_kind_and_the_array_otherwise():
    # one value computed from scalars comes back as a Python float, whether the scalars were Python or
    # numpy numbers or 0-d arrays; from arrays, the array itself
    assert v.like_inputs(np.array([2.5]), 3.0) == 2.5 and type(v.like_inputs(np.array([2.5]), 3.0)) is float
    assert v.like_inputs(4.0, 3.0, np.float64(2.0)) == 4.0
    zero_d = v.like_inputs(np.array([2.5]), np.array(3.0))
    assert zero_d == 2.5 and type(zero_d) is float
    both = np.array([1.0, 2.0])
    assert v.like_inputs(both, both) is both and v.like_inputs(both, 3.0, both) is both


def test_positive_values_takes_a_real_scalar_as_a_float_with_the_array_check_s_wording():
    # A real scalar is answered without numpy: a Python float back, not a 1-element array.
    for given_value in (2.5, 3, np.float64(0.5), np.int64(7)):
        out = v.positive_values("x", given_value)
        assert type(out) is float and out == float(given_value)
    # A bool is not a number of anything: it goes to the array check, which refuses False as 0.
    assert message(lambda: v.positive_values("flag", False)) == "flag must be positive and finite; element 0 is 0.0"
    # No hint: the message ends at the value, with no parenthesis.
    assert message(lambda: v.positive_values("n_params", -1.0)) == \
        "n_params must be positive and finite; element 0 is -1.0"
    assert message(lambda: v.positive_values("n_params", 0, hint="a raw count")) == \
        "n_params must be positive and finite; element 0 is 0.0 (a raw count)"
    # NaN is named as the array check names it, so a scalar and a 1-element array read the same.
    for bad in (math.nan, np.float64("nan")):
        assert message(lambda bad=bad: v.positive_values("flops", bad)) == "flops must be positive and finite; element 0 is NaN"
        assert message(lambda bad=bad: v.positive_values("flops", [bad])) == \
            "flops must be positive and finite; element 0 is NaN"
    assert message(lambda: v.positive_values("flops", math.inf)) == "flops must be positive and finite; element 0 is inf"


def test_a_declared_bound_states_its_range_and_example_once():
    from chinchilla_lib._validate import Bounds

    share = Bounds(0, 0.5, example="e.g. 0.1", what="a share")
    assert share("cut", 0.25) == 0.25 and type(share("cut", np.float32(0.25))) is float
    with pytest.raises(ValueError, match=r"^cut must be a share between 0 and 0.5 \(e.g. 0.1\), got 0.5$"):
        share("cut", 0.5)


def test_read_limited_takes_exactly_the_limit_and_names_the_size(tmp_path):
    from chinchilla_lib._validate import read_limited

    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 1000)
    assert read_limited(path, 1000, what="runs CSV", fix="cut it") == b"x" * 1000  # at the limit: read
    with pytest.raises(ValueError) as info:
        read_limited(path, 999, what="runs CSV", fix="cut it")
    assert str(info.value) == f"runs CSV {str(path)!r} is larger than 999 bytes; cut it"
    # a MiB limit is named in MiB (1 << 20 = 1,048,576 bytes); /dev/zero never ends
    for limit, size in ((1 << 20, "1 MiB"), (3 << 20, "3 MiB"), ((1 << 20) - 1, "1,048,575 bytes")):
        with pytest.raises(ValueError) as info:
            read_limited("/dev/zero", limit, what="law file", fix="f")
        assert str(info.value) == f"law file '/dev/zero' is larger than {size}; f"


def test_read_limited_cuts_a_long_path_to_240_characters(tmp_path):
    from chinchilla_lib._validate import read_limited

    deep = tmp_path
    for _ in range(3):
        deep = deep / ("d" * 100)
    deep.mkdir(parents=True)
    path = deep / "runs.csv"
    path.write_bytes(b"xy")
    with pytest.raises(ValueError) as info:
        read_limited(path, 1, what="runs CSV", fix="f")
    shown_path = repr(str(path))[:237] + "..."  # PATH_LIMIT 240: 237 characters and an ellipsis
    assert str(info.value) == f"runs CSV {shown_path} is larger than 1 bytes; f"
