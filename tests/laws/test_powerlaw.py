"""chinchilla_lib.laws.powerlaw: power-law allocations, the result API shared by Approaches 1 and 2, and the
projections of Tables 3 and A3."""

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinchilla_lib._validate import ExtrapolationWarning
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws.powerlaw import (
    Allocation,
    PowerLawAllocation,
    fit_log_log_line,
    from_parametric_law,
    from_result,
    log_log_curvature,
    log_log_slopes,
    projections,
)

# ======== Power-law allocations and the projections of Tables 3 and A3.

def test_parametric_law_as_power_law_matches_its_closed_form():
    law = get_law("paper-full")
    alloc = from_parametric_law(law)
    c = np.logspace(18, 26, 9)
    n, d = law.optimal_allocation(c)
    np.testing.assert_allclose(alloc.n_opt(c), n, rtol=1e-12)
    np.testing.assert_allclose(alloc.d_opt(c), d, rtol=1e-12)


def test_flops_for_params_inverts_n_opt():
    alloc = Allocation(a=0.46, b=0.54, n_coef=0.1, d_coef=1.6)
    c = np.logspace(18, 26, 5)
    np.testing.assert_allclose(alloc.flops_for_params(alloc.n_opt(c)), c, rtol=1e-12)
    assert isinstance(alloc.flops_for_params(1e9), float)


def test_projection_tokens_are_c_over_6n():
    law = ParametricLaw(E=1.0, A=100.0, B=100.0, alpha=0.3, beta=0.3)
    table = projections([from_parametric_law(law, "equal")], [1e9, 1e10])
    # equal constants: N_opt = D_opt, so tokens per parameter is 1 and C = 6 N^2
    np.testing.assert_allclose(table["flops"], 6 * np.array([1e9, 1e10]) ** 2, rtol=1e-12)
    np.testing.assert_allclose(table["tokens_per_param"], 1.0, rtol=1e-12)
    assert list(table["label"]) == ["equal", "equal"]


def test_log_log_line_recovers_a_power_law():
    x = np.logspace(0, 5, 20)
    slope, coef = fit_log_log_line(x, 3.0 * x**0.7)
    assert slope == pytest.approx(0.7) and coef == pytest.approx(3.0)


def test_bad_sizes():
    with pytest.raises(ValueError, match="sizes"):
        projections([from_parametric_law(get_law("paper"))], [1e9, -1])
    with pytest.raises(ValueError, match="n_params"):
        from_parametric_law(get_law("paper")).flops_for_params(float("nan"))


# ======== The result API shared by Approaches 1 and 2 (plan, interval, summary) and the power-law helpers.
# Expected values are hand calculations: N = n_coef C^a, D = C / (6 N), percentiles of 1..101.

# a = b = 1/2 with n_coef = 0.1: at C = 1e20, N = 1e9 and D = C / (6N) = 1e20 / 6e9.
HALF = dict(a=0.5, b=0.5, n_coef=0.1, d_coef=1.0 / 0.6)

#: Under mutation testing every function is wrapped, so a warning's frame moves by one.
UNDER_MUTATION = "mutants" in Path(__import__("chinchilla_lib").__file__).parts


class _Bootstrapped(PowerLawAllocation):
    """A result with known replicates: N_opt samples 1..101 (x 1e9), a samples 1..101, fitted 1e18..1e20."""

    def __init__(self, samples=None, fitted=(1e18, 1e20)):
        self.a, self.b, self.n_coef, self.d_coef = HALF["a"], HALF["b"], HALF["n_coef"], HALF["d_coef"]
        self.samples = np.arange(1.0, 102.0) if samples is None else np.asarray(samples, dtype=float)
        self.fitted = fitted

    def _fitted_flops(self):
        return self.fitted

    def _samples(self, quantity):
        return self.samples if quantity in ("a", "b") else None

    def _n_opt_samples(self, flops):
        return self.samples * 1e9


def test_plan_without_bootstrap_is_n_opt_d_opt_and_their_ratio():
    plan = Allocation(**HALF).plan(1e20)
    assert plan["flops"] == 1e20
    assert plan["n_params"] == pytest.approx(1e9, rel=1e-12)
    assert plan["n_tokens"] == pytest.approx(1e20 / 6e9, rel=1e-12)
    assert plan["tokens_per_param"] == pytest.approx(1e20 / 6e9 / 1e9, rel=1e-12)
    assert plan["loss"] is None and plan["warnings"] == []
    assert plan["a"] == 0.5 and plan["b"] == 0.5
    assert "intervals" not in plan and "level" not in plan


def test_plan_rejects_a_budget_that_is_not_positive():
    for bad in (0, -1e20, float("nan"), "1e20", True):
        with pytest.raises(ValueError, match="flops"):
            Allocation(**HALF).plan(bad)


def test_plan_inside_the_fitted_range_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for c in (1e16 * 1.01, 1e19, 1e22 * 0.99):  # within a factor 100 of 1e18..1e20
            assert _Bootstrapped().plan(c)["warnings"] == []


@pytest.mark.parametrize("flops, word", [(1e23, "above"), (1e15, "below")])
def test_plan_far_outside_the_fitted_range_warns_and_says_so(flops, word):
    with pytest.warns(ExtrapolationWarning, match=word):
        plan = _Bootstrapped().plan(flops)
    assert len(plan["warnings"]) == 1 and word in plan["warnings"][0]


def test_plan_intervals_are_central_percentiles_of_the_replicates():
    # replicates 1..101 (x 1e9): the 10th and 90th percentiles are 11 and 91, the 2.5th and 97.5th 3.5 and 98.5
    c = 1e20
    plan = _Bootstrapped().plan(c, level=0.8)
    assert plan["level"] == 0.8 and isinstance(plan["level"], float)
    lo, hi = plan["intervals"]["n_params"]
    assert (lo, hi) == (pytest.approx(11e9), pytest.approx(91e9))
    # D = C / (6 N) turns the interval round
    assert plan["intervals"]["n_tokens"] == [pytest.approx(c / (6 * 91e9)), pytest.approx(c / (6 * 11e9))]
    assert plan["intervals"]["tokens_per_param"] == [pytest.approx(c / (6 * 91e9) / 91e9),
                                                     pytest.approx(c / (6 * 11e9) / 11e9)]
    wide = _Bootstrapped().plan(c, level=0.95)["intervals"]["n_params"]
    assert wide == [pytest.approx(3.5e9), pytest.approx(98.5e9)]


def test_plan_intervals_leave_out_failed_replicates():
    samples = np.r_[np.arange(1.0, 102.0), np.nan, np.inf]
    assert _Bootstrapped(samples).plan(1e20)["intervals"]["n_params"] == [pytest.approx(11e9), pytest.approx(91e9)]


def test_plan_interval_is_nan_when_every_replicate_failed():
    plan = _Bootstrapped([np.nan, np.nan]).plan(1e20)
    assert all(math.isnan(v) for v in plan["intervals"]["n_params"])


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2, True, "0.8", None])
def test_plan_rejects_a_level_that_is_not_a_coverage(level):
    with pytest.raises(ValueError, match="level must be a coverage between 0 and 1"):
        _Bootstrapped().plan(1e20, level=level)


def test_plan_accepts_a_numpy_level():
    assert _Bootstrapped().plan(1e20, level=np.float64(0.8))["level"] == 0.8


def test_power_laws_predict_no_loss():
    with pytest.raises(ValueError, match="no loss law"):
        Allocation(**HALF).predict(1e9, 2e10)


def test_interval_is_the_central_percentile_range_of_the_replicates():
    boot = _Bootstrapped(np.r_[np.arange(1.0, 102.0), np.nan])
    assert boot.interval("a") == (pytest.approx(11.0), pytest.approx(91.0))
    assert boot.interval("b", level=0.5) == (pytest.approx(26.0), pytest.approx(76.0))
    assert all(type(v) is float for v in boot.interval("a"))


@pytest.mark.parametrize("level", [0, 1, 2, True, "0.9"])
def test_interval_rejects_a_level_that_is_not_a_coverage(level):
    with pytest.raises(ValueError, match="level must be a coverage"):
        _Bootstrapped().interval("a", level)


def test_interval_names_the_quantities_it_knows():
    with pytest.raises(ValueError, match="unknown quantity 'alpha'; choose one of a, b, n_coef, d_coef"):
        _Bootstrapped().interval("alpha")


def test_interval_without_replicates_says_how_to_get_them():
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        Allocation(**HALF).interval("a")
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        _Bootstrapped().interval("n_coef")  # replicates of a and b only
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        _Bootstrapped([np.nan, np.inf]).interval("a")


def test_summary_is_one_row_per_coefficient_with_its_interval():
    table = _Bootstrapped().summary(level=0.8)
    assert list(table.index) == ["a", "b", "n_coef", "d_coef"] and table.index.name == "quantity"
    assert list(table.columns) == ["estimate", "low", "high"]
    assert table.loc["a", "estimate"] == 0.5 and table.loc["d_coef", "estimate"] == pytest.approx(1 / 0.6)
    assert (table.loc["a", "low"], table.loc["a", "high"]) == (pytest.approx(11.0), pytest.approx(91.0))
    assert _Bootstrapped().summary(level=0.5).loc["b", "low"] == pytest.approx(26.0)
    assert np.isnan(table.loc["n_coef", "low"]) and np.isnan(table.loc["n_coef", "high"])


def test_summary_without_bootstrap_has_no_intervals():
    table = Allocation(**HALF).summary()
    assert isinstance(table, pd.DataFrame) and table["low"].isna().all() and table["high"].isna().all()
    assert table["estimate"].tolist() == [0.5, 0.5, 0.1, pytest.approx(1 / 0.6)]


def test_coefficients_and_power_laws_return_floats_for_scalars_and_arrays_for_arrays():
    alloc = Allocation(**HALF)
    assert alloc.coefficients == {"a": 0.5, "b": 0.5, "n_coef": 0.1, "d_coef": 1 / 0.6}
    assert type(alloc.n_opt(1e20)) is float and type(alloc.d_opt(1e20)) is float
    np.testing.assert_allclose(alloc.n_opt([1e18, 1e20]), [1e8, 1e9], rtol=1e-12)
    np.testing.assert_allclose(alloc.d_opt([1e18, 1e20]), [1e18 / 6e8, 1e20 / 6e9], rtol=1e-12)
    np.testing.assert_allclose(alloc.flops_for_params([1e8, 1e9]), [1e18, 1e20], rtol=1e-12)
    with pytest.raises(ValueError, match="flops"):
        alloc.n_opt([1e20, -1])


def test_from_result_copies_the_coefficients_and_names_them():
    alloc = from_result(Allocation(a=0.49, b=0.51, n_coef=0.2, d_coef=0.8, label="old"), "Approach 2")
    assert (alloc.a, alloc.b, alloc.n_coef, alloc.d_coef, alloc.label) == (0.49, 0.51, 0.2, 0.8, "Approach 2")


def test_projections_list_every_allocation_and_size():
    first = Allocation(**HALF, label="half")
    second = Allocation(a=0.25, b=0.75, n_coef=1.0, d_coef=1.0 / 6, label="quarter")
    table = projections([first, second], [1e8, 1e9])
    assert list(table["label"]) == ["half", "half", "quarter", "quarter"]
    assert list(table.index) == [0, 1, 2, 3]
    # half: C = (N / 0.1)^2; quarter: C = N^4
    np.testing.assert_allclose(table["flops"], [1e18, 1e20, 1e32, 1e36], rtol=1e-12)
    np.testing.assert_allclose(table["n_tokens"], table["flops"] / (6 * table["n_params"]), rtol=1e-12)
    np.testing.assert_allclose(table["tokens_per_param"], table["n_tokens"] / table["n_params"], rtol=1e-12)


def test_weighted_log_log_slopes_leave_out_zero_weight_points():
    x = np.log([1.0, 10.0, 100.0, 1000.0])
    y = 0.5 * x + 2.0
    y_bad = y.copy()
    y_bad[3] = 100.0  # an outlier, given weight 0
    slope, intercept = log_log_slopes(x, y_bad, np.array([1.0, 2.0, 1.0, 0.0]))
    assert float(slope) == pytest.approx(0.5) and float(intercept) == pytest.approx(2.0)


def test_weighted_log_log_slopes_weight_the_points():
    # y = 0, 0, 3 at x = 0, 1, 2 with weights 1, 1, 2: weighted means x 1.25, y 1.5; sxx = 2.75, sxy = 4.5
    slope, intercept = log_log_slopes(np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.0, 3.0]), np.array([1.0, 1.0, 2.0]))
    assert float(slope) == pytest.approx(4.5 / 2.75)
    assert float(intercept) == pytest.approx(1.5 - 4.5 / 2.75 * 1.25)


def test_log_log_slopes_run_row_by_row_and_refuse_a_single_x():
    x = np.log([[1.0, 10.0, 100.0], [5.0, 5.0, 5.0]])
    y = np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]])
    slope, intercept = log_log_slopes(x, y, np.ones(3))
    assert slope.shape == (2,)
    assert slope[0] == pytest.approx(1 / math.log(10)) and intercept[0] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(slope[1]) and np.isnan(intercept[1])
    # only one point with weight left: no line
    one, _ = log_log_slopes(np.log([1.0, 10.0]), np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert np.isnan(one)


@given(st.floats(0.1, 2.0), st.floats(0.01, 100.0), st.integers(3, 12))
def test_log_log_line_recovers_any_power_law(exponent, coef, n):
    x = np.logspace(0, 6, n)
    slope, c = fit_log_log_line(x, coef * x**exponent)
    assert slope == pytest.approx(exponent, rel=1e-9) and c == pytest.approx(coef, rel=1e-9)
    assert type(slope) is float and type(c) is float


def test_curvature_of_a_bent_power_law_is_its_quadratic_term():
    x = np.logspace(18, 22, 9)
    u = np.log10(x) - 20.0
    y = 10 ** (9.0 + 0.5 * u - 0.03 * u**2)
    out = log_log_curvature(x, y)
    assert out["curvature"] == pytest.approx(-0.03, abs=1e-10)
    assert out["slope"] == pytest.approx(0.5, abs=1e-10)
    assert out["se"] == pytest.approx(0.0, abs=1e-8)
    assert out["n"] == 9 and out["decades"] == pytest.approx(4.0)


def test_curvature_interval_is_student_t_on_the_residual_scale():
    from scipy import stats

    x = np.logspace(18, 22, 7)
    noise = np.array([0.01, -0.02, 0.015, 0.0, -0.01, 0.02, -0.005])
    y = 10 ** (9.0 + 0.5 * (np.log10(x) - 20) + noise)
    out = log_log_curvature(x, y, level=0.9)
    # independent route: numpy's polynomial fit with its unscaled covariance
    u = np.log10(x) - np.log10(x).mean()
    coef, cov = np.polyfit(u, np.log10(y), 2, cov="unscaled")
    resid = np.log10(y) - np.polyval(coef, u)
    se = math.sqrt(cov[0, 0] * (resid @ resid) / (7 - 3))
    half = stats.t.ppf(0.95, 4) * se
    assert out["curvature"] == pytest.approx(coef[0], rel=1e-9)
    assert out["slope"] == pytest.approx(coef[1], rel=1e-9)
    assert out["se"] == pytest.approx(se, rel=1e-9)
    assert out["lo"] == pytest.approx(coef[0] - half, rel=1e-9)
    assert out["hi"] == pytest.approx(coef[0] + half, rel=1e-9)


def test_curvature_refuses_data_that_cannot_decide_it():
    x, y = np.logspace(18, 21, 4), np.logspace(8, 10, 4)
    with pytest.raises(ValueError, match="x needs at least 4"):
        log_log_curvature(x[:3], y[:3])
    with pytest.raises(ValueError, match="same length"):
        log_log_curvature(np.logspace(18, 21, 5), y)
    with pytest.raises(ValueError, match="level must be a coverage between 0 and 1"):
        log_log_curvature(x, y, level=1.0)
    with pytest.raises(ValueError, match="level must be a coverage between 0 and 1"):
        log_log_curvature(x, y, level=0.0)
    with pytest.raises(ValueError, match="at least 3 distinct values"):
        log_log_curvature([1e18, 1e18, 1e19, 1e19], y)


# ------------------------------------------------------------------ exact messages and edges


def _message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("call, text", [
    (lambda: Allocation(**HALF).flops_for_params(-1.0),
     "n_params must be positive and finite; element 0 is -1.0 (parameters as a raw count, e.g. 7e10)"),
    (lambda: Allocation(**HALF).plan(-1.0),
     "flops must be a positive finite number, got -1.0 (a compute budget in FLOPs, e.g. 5.76e23 (not PF-days))"),
    (lambda: Allocation(**HALF).n_opt(0.0),
     "flops must be positive and finite; element 0 is 0.0 (compute in FLOPs, e.g. 1e19)"),
    (lambda: Allocation(**HALF).predict(1e9, 1e10),
     "this result has power laws for N_opt and D_opt only, no loss law; predict losses with an Approach 3 fit "
     "(fit_approach3, or fit_runs(runs, approach=3))"),
    (lambda: Allocation(**HALF).interval("a"),
     "this result has no bootstrap replicates, so no interval; refit with n_bootstrap > 0"),
    (lambda: projections([Allocation(**HALF)], [1e9, 0.0]),
     "sizes must be positive and finite; element 1 is 0.0 (parameters as raw counts, e.g. [4e8, 1e9, 1e10])"),
    (lambda: log_log_curvature([1e18, 1e19, 1e20, -1.0], [1.0, 2.0, 3.0, 4.0]),
     "x must be positive and finite; element 3 is -1.0 (positive values, e.g. budgets in FLOPs)"),
    (lambda: log_log_curvature([1e18, 1e19, 1e20, 1e21], [1.0, 2.0, 3.0]),
     "y needs at least 4 values, got 3 (positive values, e.g. N_opt per budget)"),
    (lambda: log_log_curvature([1e18, 1e19, 1e20, 1e21], [1.0, 2.0, 3.0, 0.0]),
     "y must be positive and finite; element 3 is 0.0 (positive values, e.g. N_opt per budget)"),
    (lambda: log_log_curvature([1e18, 1e18, 1e19, 1e19], [1.0, 2.0, 3.0, 4.0]),
     "x needs at least 3 distinct values to fit a quadratic"),
])
def test_power_law_refusals_say_exactly_what_to_give(call, text):
    assert _message(call) == text


@pytest.mark.skipif(UNDER_MUTATION, reason="mutation testing wraps every function, so the caller's frame moves")
def test_extrapolation_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _Bootstrapped().plan(1e25)
    assert [w.filename for w in caught] == [__file__]


def test_summary_defaults_to_the_80_percent_interval():
    table = _Bootstrapped().summary()
    assert (table.loc["a", "low"], table.loc["a", "high"]) == (pytest.approx(11.0), pytest.approx(91.0))


def test_a_parametric_laws_allocation_is_named_for_the_law_unless_labelled():
    from chinchilla_lib.laws import get_law
    from chinchilla_lib.laws.powerlaw import from_parametric_law

    assert from_parametric_law(get_law("paper")).label == "paper"
    assert from_parametric_law(get_law("paper"), "mine").label == "mine"


def test_log_log_line_takes_python_integers_of_any_size():
    slope, coef = fit_log_log_line([10**19, 10**20, 10**21], [10**20, 10**21, 10**22])
    assert slope == pytest.approx(1.0) and coef == pytest.approx(10.0)


def test_log_log_slopes_ignore_anything_at_a_zero_weight():
    x = np.log([1.0, 10.0, 100.0])
    slope, intercept = log_log_slopes(x, np.array([0.0, 1.0, np.nan]), np.array([1.0, 1.0, 0.0]))
    assert float(slope) == pytest.approx(1 / math.log(10)) and float(intercept) == pytest.approx(0.0, abs=1e-12)


def test_log_log_slopes_of_a_single_x_are_nan_without_a_numpy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slope, _ = log_log_slopes(np.zeros((2, 3)), np.ones((2, 3)), np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]))
    assert np.isnan(slope).all()


def test_log_log_slopes_count_x_values_closer_than_1e_12_per_unit_weight_as_one():
    # two points d apart with weights w each: sxx = 2 w (d/2)^2, refused when below 1e-12 max(2w, 1)
    def slope(d, w):
        return float(log_log_slopes(np.array([0.0, d]), np.array([0.0, d]), np.array([w, w]))[0])

    assert slope(math.sqrt(6e-12), 0.5) == pytest.approx(1.0, rel=1e-3)  # sxx 1.5e-12 > 1e-12 x max(1, 1)
    assert math.isnan(slope(math.sqrt(2e-12), 1e6))  # sxx 1e-6 < 1e-12 x 2e6
    assert slope(math.sqrt(2e-4), 1e6) == pytest.approx(1.0)
