"""Named laws from data/laws.csv: defaults, logarithmic constants, and the refusals of a bad table."""

import math

import pytest

from chinchilla_lib.datasets import paper_tables
from chinchilla_lib.laws import ParametricLaw, get_law, law_names


def test_the_default_law_is_eq10_as_printed():
    law = get_law()
    assert (law.name, law.E, law.A, law.B, law.alpha, law.beta) == ("paper", 1.69, 406.4, 410.7, 0.34, 0.28)


def test_a_law_from_a_vector_has_no_name_or_source_unless_given():
    law = ParametricLaw.from_vector([math.log(100.0), math.log(200.0), 0.0, 0.5, 0.25])
    assert law.name == "" and law.source == ""
    assert (law.E, law.A, law.B) == (pytest.approx(1.0), pytest.approx(100.0), pytest.approx(200.0))


def test_law_names_keep_the_order_of_the_file_once_each():
    assert law_names()[:3] == ["paper", "paper-full", "replication"]
    assert len(law_names()) == len(set(law_names()))


def _table(rows):
    """Rows of data/laws.csv as read_rows gives them: text cells."""
    return [dict(zip(["law", "parameter", "value", "source", "status"], map(str, row))) for row in rows]


GOOD = [("t", "E", 1.0, "first source", "x"), ("t", "log_A", math.log(100.0), "second", "x"), ("t", "B", 200.0, "s", "x"),
        ("t", "alpha", 0.5, "s", "x"), ("t", "beta", 0.25, "s", "x")]


def test_logarithmic_constants_are_exponentiated_and_the_first_source_kept(monkeypatch):
    monkeypatch.setattr(paper_tables, "read_rows", lambda name: _table(GOOD))
    law = get_law("t")
    assert law.A == pytest.approx(100.0) and law.source == "first source" and law.name == "t"


def test_a_constant_given_twice_is_refused(monkeypatch):
    monkeypatch.setattr(paper_tables, "read_rows", lambda name: _table(GOOD + [("t", "A", 100.0, "s", "x")]))
    with pytest.raises(ValueError) as info:
        get_law("t")
    assert str(info.value) == "law 't' in data/laws.csv gives A twice (directly and as log_A); keep one"


def test_a_law_missing_constants_is_refused(monkeypatch):
    monkeypatch.setattr(paper_tables, "read_rows", lambda name: _table(GOOD[:3]))
    with pytest.raises(ValueError) as info:
        get_law("t")
    assert str(info.value) == "law 't' in data/laws.csv lacks ['alpha', 'beta']"


def test_an_unknown_law_lists_the_known_ones_once_each(monkeypatch):
    monkeypatch.setattr(paper_tables, "read_rows", lambda name: _table(GOOD + [("u", "E", 1.0, "s", "x")]))
    with pytest.raises(ValueError) as info:
        get_law("v")
    assert str(info.value) == "unknown law 'v'; choose one of: t, u"


def test_frontier_takes_any_real_numbers():
    from decimal import Decimal
    from fractions import Fraction

    import numpy as np

    from chinchilla_lib.laws import frontier

    # Eq. (4) with alpha = beta = 1/2 and A = B: N_opt = D_opt = sqrt(C / 6)
    params = [[0.0, 0.0, 0.0, 0.5, 0.5]]
    exact = [[Fraction(0), Fraction(0), Fraction(0), Fraction(1, 2), Fraction(1, 2)]]
    for p, c in ((exact, 600.0), (params, Fraction(600)), (params, Decimal(600))):
        n_opt, d_opt = frontier(p, c)
        assert np.allclose(n_opt, 10.0, rtol=1e-12) and np.allclose(d_opt, 10.0, rtol=1e-12)


@pytest.mark.parametrize("a_const, b_const, flops, n_opt, d_opt", [
    (1.0, 2.0, 24.0, 1.0, 4.0),  # G = 1/2: N_opt = sqrt(C/6) / 2 = 1, D_opt = 2 sqrt(C/6) = 4
    (2.0, 1.0, 24.0, 4.0, 1.0),
])
def test_plan_allows_a_budget_that_buys_exactly_one_parameter_or_token(a_const, b_const, flops, n_opt, d_opt):
    import warnings

    from chinchilla_lib.laws import plan

    law = ParametricLaw(E=1.0, A=a_const, B=b_const, alpha=0.5, beta=0.5, name="edge", source="test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a budget of 24 FLOPs looks like the wrong unit
        out = plan(flops, law)
        assert (out["n_params"], out["n_tokens"]) == pytest.approx((n_opt, d_opt), rel=1e-12)
        with pytest.raises(ValueError, match="buys no model"):
            plan(flops * 0.999, law)


def test_frontier_is_quiet_where_the_rows_cannot_give_a_frontier():
    # rows with an infinite or NaN constant, or alpha or beta <= 0, give no finite positive pair (NaN, 0 or inf),
    # never a numpy warning or error, even when numpy is told to raise on invalid operations and divisions by zero
    import numpy as np

    from chinchilla_lib.laws import frontier

    rows = np.array([[0.3, -1e154, -1e300, np.inf, 1e154], [-np.inf, 0.3, np.nan, 1e154, 1e3],
                     [6.0, 6.0, 0.5, -0.3, 0.3], [6.0, 6.0, 0.5, 0.3, 0.0]])
    with np.errstate(invalid="raise", divide="raise"):
        n_opt, d_opt = frontier(rows, 1e22)
    usable = np.isfinite(n_opt) & np.isfinite(d_opt) & (n_opt > 0) & (d_opt > 0)
    assert not usable.any()
