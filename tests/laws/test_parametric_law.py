"""chinchilla_lib.laws.parametric: the parametric law and its closed-form frontier (Hoffmann et al. Eq. 2, 4),
named laws, law specs (by name, JSON file or inline) and plans."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from chinchilla_lib import cli
from chinchilla_lib import laws as laws_package
from chinchilla_lib.datasets import paper_tables
from chinchilla_lib.laws import ParametricLaw, get_law, law_names, plan, resolve_law

# ======== The parametric law and its closed-form frontier (Hoffmann et al. Eq. 2, 4).

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


# ======== A law given by name, by a fit's JSON file, or inline (``laws.resolve_law``, ``plan --law``).

# Eq. (10) as printed (Hoffmann et al. 2022, App. D.2)
PRINTED = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def test_inline_constants_give_the_law():
    law = resolve_law("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28")
    assert (law.E, law.A, law.B, law.alpha, law.beta) == tuple(PRINTED.values())
    # a = beta/(alpha+beta) computed by hand: 0.28/0.62
    assert math.isclose(law.a, 0.28 / 0.62)


def test_name_and_json_file(tmp_path):
    assert resolve_law("paper") == get_law("paper")
    path = tmp_path / "fit.json"
    path.write_text(json.dumps({**PRINTED, "objective": 0.1, "converged": True}))
    law = resolve_law(str(path))
    assert (law.E, law.A, law.B, law.alpha, law.beta) == tuple(PRINTED.values())


@pytest.mark.parametrize("spec, fragment", [
    ("E=1.69,A=406.4,B=410.7,alpha=0.34", "lacks beta"),
    ("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=x", "beta must be a number"),
    ("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28,gamma=1", "'gamma=1' is not one of"),
    ("E=1.69,E=1.7,A=406.4,B=410.7,alpha=0.34,beta=0.28", "E is given twice"),
    ("nosuchlaw", "unknown law 'nosuchlaw'"),
    ("missing.json", "cannot be read"),
])
def test_bad_specs_name_the_problem(spec, fragment):
    with pytest.raises(ValueError, match=None) as info:
        resolve_law(spec)
    assert fragment in str(info.value)


def test_cli_plan_accepts_inline_law_and_rejects_bad_one(capsys):
    assert cli.main(["plan", "--flops", "5.76e23", "--law", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    law = ParametricLaw(**PRINTED)
    # N_opt from Eq. (4) written out independently: G (C/6)^a
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    assert math.isclose(out["n_params"], g * (5.76e23 / 6) ** (0.28 / 0.62), rel_tol=1e-12)
    assert math.isclose(out["loss"], law.optimal_loss(5.76e23), rel_tol=1e-12)
    assert cli.main(["plan", "--flops", "1e22", "--law", "E=1,A=2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--law" in err[0] and "lacks" in err[0]


# ======== The law and plan contract in detail: shapes in and out, argument names in messages, names and
# sources of resolved laws, the smallest plans.  Expected values by hand (a law with G = 1).

#: alpha A = beta B, so G = 1: N_opt = (C/6)^(1/3), D_opt = (C/6)^(2/3), L* = 1 + 300 (C/6)^(-1/6).
HAND = ParametricLaw(E=1.0, A=100.0, B=200.0, alpha=0.5, beta=0.25)


def test_frontier_loss_and_its_inverse_by_hand_keep_the_shape_of_their_input():
    assert HAND.optimal_loss(6e18) == pytest.approx(1.3, rel=1e-12)
    assert isinstance(HAND.optimal_loss(6e18), float)
    out = HAND.optimal_loss(np.array([6e18, 6e24]))
    assert isinstance(out, np.ndarray) and out == pytest.approx([1.3, 1.03], rel=1e-12)
    assert HAND.flops_for_loss(1.3) == pytest.approx(6e18, rel=1e-9) and isinstance(HAND.flops_for_loss(1.3), float)
    back = HAND.flops_for_loss(np.array([1.3, 1.03]))
    assert isinstance(back, np.ndarray) and back == pytest.approx([6e18, 6e24], rel=1e-9)


def test_flops_for_loss_at_or_below_E_is_refused():
    with pytest.raises(ValueError, match=r"^target_loss must exceed the irreducible loss E = 1; no finite budget "
                                         r"reaches E or below$"):
        HAND.flops_for_loss(1.0)  # exactly E
    with pytest.raises(ValueError, match=r"^target_loss must be positive and finite; element 0 is -1\.0 "
                                         r"\(a loss in nats per token\)$"):
        HAND.flops_for_loss(-1.0)


@pytest.mark.parametrize("method", ["optimal_loss", "optimal_allocation"])
def test_budget_errors_name_flops_and_the_unit(method):
    with pytest.raises(ValueError, match=r"^flops must be positive and finite; element 0 is 0\.0 \(a compute budget "
                                         r"in FLOPs, e\.g\. 5\.76e23 \(not PF-days\)\)$"):
        getattr(HAND, method)(0.0)


def test_plan_names_its_budget_and_unit():
    with pytest.raises(ValueError, match=r"^flops must be a positive finite number, got -1\.0 \(a compute budget in "
                                         r"FLOPs, e\.g\. 5\.76e23 \(not PF-days\)\)$"):
        plan(-1.0, HAND)


def test_plan_keys_by_hand():
    out = plan(6e18, HAND)
    assert out["a"] == pytest.approx(1 / 3) and out["b"] == pytest.approx(2 / 3)
    assert out["law"] == "" and out["flops"] == 6e18 and out["warnings"] == []


def test_the_smallest_plans():
    # C/6 = 2: N = 2^(1/3) = 1.26, D = 2^(2/3) = 1.59 -- more than one parameter and one token: planned
    small = plan(12.0, HAND)
    assert small["n_params"] == pytest.approx(2 ** (1 / 3)) and small["n_tokens"] == pytest.approx(2 ** (2 / 3))
    # C/6 = 0.5: N = 0.79 parameters: refused
    with pytest.raises(ValueError, match=r"^flops = 3 buys no model under this law \(N_opt = 0\.794 parameters, "
                                         r"D_opt = 0\.63 tokens\); give the budget in FLOPs"):
        plan(3.0, HAND)
    # tokens alone below one: D_opt < 1 with N_opt > 1 (alpha A >> beta B moves the budget to N)
    skewed = ParametricLaw(E=1.0, A=1e6, B=1.0, alpha=0.5, beta=0.5)
    n, d = skewed.optimal_allocation(6e6)
    assert n > 1 and d < 1
    with pytest.raises(ValueError, match="buys no model"):
        plan(6e6, skewed)


@pytest.mark.skipif("mutants" in Path(laws_package.__file__).parts,
                    reason="mutation testing wraps every function, so the caller's frame moves")
def test_plan_unit_warning_points_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan(1e9, HAND)
    assert len(caught) == 1 and caught[0].filename == __file__
    assert str(caught[0].message) == ("flops look like the wrong unit (largest 1e+09, below 1e+12); give compute in "
                                      "FLOPs, e.g. 5.76e23; one PF-day is 8.64e+19 FLOPs")


def test_vector_round_trip_and_summary_by_hand():
    law = ParametricLaw.from_vector([math.log(100.0), math.log(200.0), 0.0, 0.5, 0.25], name="n", source="s")
    assert (law.E, law.A, law.B, law.alpha, law.beta) == pytest.approx((1.0, 100.0, 200.0, 0.5, 0.25), rel=1e-12)
    assert law.name == "n" and law.source == "s"
    back = ParametricLaw.from_vector(HAND.vector)
    assert (back.E, back.A, back.B, back.alpha, back.beta) == pytest.approx((1.0, 100.0, 200.0, 0.5, 0.25), rel=1e-12)
    summary = HAND.summary()
    assert {k: summary[k] for k in ("E", "A", "B", "alpha", "beta", "b")} == pytest.approx(
        {"E": 1.0, "A": 100.0, "B": 200.0, "alpha": 0.5, "beta": 0.25, "b": 2 / 3})
    assert summary["G"] == pytest.approx(1.0) and summary["a"] == pytest.approx(1 / 3) and summary["name"] == ""


def test_inline_law_name_source_and_messages():
    law = resolve_law("E=1,A=100,B=200,alpha=0.5,beta=0.25")
    assert law == ParametricLaw(1.0, 100.0, 200.0, 0.5, 0.25, name="inline")
    assert law.name == "inline" and law.source == "given on the command line"
    assert resolve_law(" E = 1 , A=100,B=200,alpha=0.5,beta=0.25 ").A == 100.0
    with pytest.raises(ValueError, match=r"'gamma=1' is not one of E=, A=, B=, alpha=, beta=$"):
        resolve_law("E=1,A=100,B=200,alpha=0.5,gamma=1")
    with pytest.raises(ValueError, match=r": E must be a number, got '1=2'$"):
        resolve_law("E=1=2,A=100,B=200,alpha=0.5,beta=0.25")
    with pytest.raises(ValueError, match=r"^law must be a name, the path of a fit --json file, or "
                                         r"E=\.\.\.,A=\.\.\.,B=\.\.\.,alpha=\.\.\.,beta=\.\.\.$"):
        resolve_law("   ")
    with pytest.raises(ValueError, match="^law must be a name"):
        resolve_law(3.5)
    with pytest.raises(ValueError, match=r"^unknown law 'nope'; give one of paper, paper-full, replication, sardana-code, the path "
                                         r"of a fit --json file, or E=\.\.\.,A=\.\.\.,B=\.\.\.,alpha=\.\.\.,beta=\.\.\.$"):
        resolve_law("nope")


def test_json_law_name_source_and_messages(tmp_path):
    path = tmp_path / "fit é.json"  # a non-ASCII name and UTF-8 content
    path.write_text(json.dumps({"E": 1, "A": 100, "B": 200, "alpha": 0.5, "beta": 0.25, "note": "é"}),
                    encoding="utf-8")
    law = resolve_law(str(path))
    assert law.name == "fit é.json" and law.source == f"fit read from {path}"
    assert (law.E, law.beta) == (1.0, 0.25)
    cases = [
        ("[1, 2]", r"must hold one JSON object with keys E, A, B, alpha, beta$"),
        ('{"E": 1, "A": 2}', r"lacks B, alpha, beta; write it with fit --approach 3 --json$"),
        ('{"E": 1, "A": 2, "B": 3, "alpha": "x", "beta": 0.2}', r": alpha must be a number, got 'x'$"),
        ('{"E": 1, "A": 2, "B": 3, "alpha": true, "beta": 0.2}', r": alpha must be a number, got True$"),
        ("{not json", r"is not JSON \(.*\); write it with fit --approach 3 --json$"),
    ]
    for text, message in cases:
        bad = tmp_path / "bad.json"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=rf"^law file '{bad}'.*{message}"):
            resolve_law(str(bad))
    with pytest.raises(ValueError, match=r"^law file '/no/such\.json' cannot be read \(No such file or directory\)$"):
        resolve_law("/no/such.json")


def test_named_laws_keep_their_names():
    assert get_law("paper").name == "paper" and resolve_law("paper") == get_law("paper")


def test_frontier_of_a_row_with_a_zero_exponent_is_nan():
    from chinchilla_lib.laws import frontier

    rows = np.array([[0.0, 0.0, 0.0, 0.0, 0.3], [0.0, 0.0, 0.0, 0.3, 0.0], [0.0, 0.0, 0.0, -0.1, 0.3],
                     [math.log(100.0), math.log(200.0), 0.0, 0.5, 0.25]])
    n, d = frontier(rows, 6e18)
    assert np.isnan(n[:3]).all() and np.isnan(d[:3]).all()
    assert n[3] == pytest.approx(1e6) and d[3] == pytest.approx(1e12)


def test_loss_keeps_the_shape_and_names_its_arguments():
    assert isinstance(HAND.loss(1e6, 1e12), float) and HAND.loss(1e6, 1e12) == pytest.approx(1.3)
    out = HAND.loss(1e6, np.array([1e12, 1e12]))
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    with pytest.raises(ValueError, match=r"^n_params must be positive and finite; element 0 is 0\.0 \(parameters as "
                                         r"a raw count, e\.g\. 7e10 for 70B\)$"):
        HAND.loss(0.0, 1e12)
    with pytest.raises(ValueError, match=r"^n_tokens must be positive and finite; element 0 is 0\.0 \(tokens as a "
                                         r"raw count, e\.g\. 1\.4e12 for 1\.4T\)$"):
        HAND.loss(1e6, 0.0)


def test_named_law_source_comes_from_the_data():
    assert get_law("paper").source == "Hoffmann et al. 2022, App. D.2 Eq. (10), as printed"


# ======== Named laws from chinchilla_lib/data/laws.csv: defaults, logarithmic constants, and the refusals of a bad table.

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
    """Rows of chinchilla_lib/data/laws.csv as read_rows gives them: text cells."""
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
    assert str(info.value) == "law 't' in chinchilla_lib/data/laws.csv gives A twice (directly and as log_A); keep one"


def test_a_law_missing_constants_is_refused(monkeypatch):
    monkeypatch.setattr(paper_tables, "read_rows", lambda name: _table(GOOD[:3]))
    with pytest.raises(ValueError) as info:
        get_law("t")
    assert str(info.value) == "law 't' in chinchilla_lib/data/laws.csv lacks ['alpha', 'beta']"


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
