"""The parametric law and its closed-form frontier (Hoffmann et al. Eq. 2, 4)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from chinchilla_lib.laws import ParametricLaw, get_law, law_names

laws = st.builds(
    ParametricLaw,
    E=st.floats(0.5, 3.0),
    A=st.floats(10.0, 5e3),
    B=st.floats(10.0, 5e3),
    alpha=st.floats(0.1, 0.8),
    beta=st.floats(0.1, 0.8),
)
budgets = st.floats(1e18, 1e26)


@settings(max_examples=60, deadline=None)
@given(law=laws, flops=budgets)
def test_closed_form_agrees_with_numerical_minimisation(law, flops):
    def log_reducible_loss(log_n):
        # log(L - E) along the budget, written out so precision is not lost next to E
        n = math.exp(log_n)
        return math.log(law.A * n**-law.alpha + law.B * (flops / (6 * n)) ** -law.beta)

    # L along the budget is convex in log N, so a wide bracket is safe
    res = minimize_scalar(log_reducible_loss, bounds=(-60.0, math.log(flops) + 60.0), method="bounded",
                          options={"xatol": 1e-10})
    n_opt, d_opt = law.optimal_allocation(flops)
    assert math.isclose(math.log(n_opt), res.x, abs_tol=1e-4)
    assert math.isclose(6 * n_opt * d_opt, flops, rel_tol=1e-12)
    assert law.optimal_loss(flops) == pytest.approx(law.E + math.exp(res.fun), rel=1e-9)
    assert law.loss(n_opt, d_opt) == pytest.approx(law.optimal_loss(flops), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(law=laws, flops=budgets)
def test_flops_for_loss_inverts_the_frontier(law, flops):
    target = law.optimal_loss(flops)
    # conditioning: a rounding error of eps*L in L - E becomes (L/(L-E))/k times larger in C,
    # k = alpha*beta/(alpha+beta)
    k = law.alpha * law.beta / (law.alpha + law.beta)
    rel = 1e-13 * target / (target - law.E) / k + 1e-12
    assert law.flops_for_loss(target) == pytest.approx(flops, rel=rel)


def test_exponents_follow_from_alpha_beta():
    law = ParametricLaw(E=1.0, A=100.0, B=100.0, alpha=0.3, beta=0.3)
    assert law.a == pytest.approx(0.5) and law.b == pytest.approx(0.5)
    # equal coefficients and exponents: N_opt = D_opt = sqrt(C/6)
    n, d = law.optimal_allocation(6e20)
    assert n == pytest.approx(1e10) and d == pytest.approx(1e10)


def test_named_laws_match_the_printed_and_full_precision_constants():
    assert set(law_names()) >= {"paper", "paper-full"}
    printed = get_law("paper")
    assert (printed.E, printed.A, printed.B, printed.alpha, printed.beta) == (1.69, 406.4, 410.7, 0.34, 0.28)
    full = get_law("paper-full")
    assert full.alpha == 0.33917084 and full.beta == 0.2849083
    assert math.log(full.A) == pytest.approx(6.0073404, abs=1e-12)
    assert math.log(full.E) == pytest.approx(0.5267228, abs=1e-12)
    # the printed values are the full-precision ones rounded
    assert round(full.E, 2) == printed.E and round(full.A, 1) == printed.A and round(full.B, 1) == printed.B


def test_full_precision_law_gives_the_papers_40B_at_gophers_budget():
    n_opt, _ = get_law("paper-full").optimal_allocation(5.76e23)
    assert 39e9 < n_opt < 41.5e9
    n_round, _ = get_law("paper").optimal_allocation(5.76e23)
    assert n_round < 33e9  # rounding of alpha, beta moves it by a fifth


def test_arrays_broadcast_and_scalars_stay_scalars():
    law = get_law("paper")
    assert isinstance(law.loss(1e9, 2e10), float)
    out = law.loss(np.array([1e9, 1e10]), 2e10)
    assert out.shape == (2,) and out[0] > out[1]


@pytest.mark.parametrize(
    "call, argname",
    [
        (lambda law: law.loss(-1.0, 1e10), "n_params"),
        (lambda law: law.loss(1e9, float("nan")), "n_tokens"),
        (lambda law: law.optimal_allocation(0.0), "flops"),
        (lambda law: law.optimal_allocation("lots"), "flops"),
        (lambda law: law.flops_for_loss(1.0), "target_loss"),
    ],
)
def test_bad_input_names_the_argument(call, argname):
    with pytest.raises(ValueError, match=argname):
        call(get_law("paper"))


def test_unknown_law_lists_the_known_ones():
    with pytest.raises(ValueError, match="paper-full"):
        get_law("kaplan-ish")


def test_negative_constants_are_rejected():
    with pytest.raises(ValueError, match="alpha"):
        ParametricLaw(E=1.0, A=1.0, B=1.0, alpha=-0.3, beta=0.3)
