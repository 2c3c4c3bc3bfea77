"""The law and plan contract in detail: shapes in and out, argument names in messages, names and
sources of resolved laws, the smallest plans.  Expected values by hand (a law with G = 1)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from chinchilla_lib import laws
from chinchilla_lib.laws import ParametricLaw, get_law, plan, resolve_law

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


@pytest.mark.skipif("mutants" in Path(laws.__file__).parts,
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
