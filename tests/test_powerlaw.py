"""Power-law allocations and the projections of Tables 3 and A3."""

import numpy as np
import pytest

from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws.powerlaw import Allocation, fit_log_log_line, from_parametric_law, projections


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
