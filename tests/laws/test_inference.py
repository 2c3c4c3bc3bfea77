"""The inference-aware optimum and the over-training cost: hand calculations, the published headline, properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinchilla_lib.datasets import paper_value
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws import inference as inf

SARDANA = ParametricLaw(1.69, 406.4, 410.7, 0.336, 0.283)  # their code's defaults, typed from the paper's code

laws = st.builds(ParametricLaw, E=st.floats(0.5, 3.0), A=st.floats(50, 3000), B=st.floats(50, 3000),
                 alpha=st.floats(0.15, 0.8), beta=st.floats(0.15, 0.8))
budgets = st.floats(1e18, 1e26)
demands = st.floats(1e6, 1e16)


def test_sardana_headline_matches_the_printed_figures():
    r = inf.inference_optimum(SARDANA, 2e12, replace_n_params=13e9)
    assert r.compute_optimal.n_params == pytest.approx(13e9, rel=1e-12)
    assert r.compute_optimal.n_tokens == pytest.approx(paper_value("sardana.replace.co_tokens"), abs=0.05e9)
    assert r.optimum.loss == pytest.approx(paper_value("sardana.replace.co_loss"), abs=5e-4)
    assert r.optimum.n_params == pytest.approx(paper_value("sardana.replace.n_opt"), abs=0.005e9)
    assert r.optimum.n_tokens == pytest.approx(paper_value("sardana.replace.d_opt"), abs=0.0005e12)
    assert r.saved_flops == pytest.approx(paper_value("sardana.replace.saved_flops"), abs=0.005e22)
    assert 100 * r.saving == pytest.approx(paper_value("sardana.replace.saving_pct"), abs=0.05)


def test_plan_fields_are_the_cost_model():
    r = inf.inference_optimum("paper-full", 1e13, flops=1e23)
    for plan in (r.optimum, r.compute_optimal):
        assert plan.training_flops == pytest.approx(6 * plan.n_params * plan.n_tokens)
        assert plan.inference_flops == pytest.approx(2 * plan.n_params * 1e13)
        assert plan.total_flops == pytest.approx(plan.training_flops + plan.inference_flops)
    assert r.compute_optimal.training_flops == pytest.approx(1e23)
    assert r.saved_flops == pytest.approx(r.compute_optimal.total_flops - r.optimum.total_flops)
    d = r.as_dict()
    assert set(d) >= {"n_params", "n_tokens", "loss", "training_flops", "inference_flops", "total_flops",
                      "compute_optimal", "saving"}
    assert set(d["compute_optimal"]) == {"n_params", "n_tokens", "loss", "training_flops", "inference_flops",
                                         "total_flops"}


def test_overtraining_cost_matches_the_closed_form_by_hand():
    law = get_law("paper")
    u0 = law.beta / (law.alpha + law.beta)
    for k in (1.5, 2.0, 4.0):
        by_hand = (1 / k) * ((1 - u0) / (1 - u0 * k**law.alpha)) ** (1 / law.beta) - 1
        assert inf.overtraining_cost(law, k, flops=1e22).extra == pytest.approx(by_hand, rel=1e-9)
    assert inf.max_shrink(law) == pytest.approx(u0 ** (-1 / law.alpha))
    beyond = inf.overtraining_cost(law, 1.01 * inf.max_shrink(law), flops=1e22)
    assert math.isinf(beyond.extra)


def test_gpu_hours_by_hand():
    assert inf.gpu_hours(3.6e18, 1e15, 0.5) == pytest.approx(2.0)


@settings(max_examples=60, deadline=None)
@given(laws, budgets)
def test_zero_inference_is_the_compute_optimal_model(law, flops):
    r = inf.inference_optimum(law, 0, flops=flops)
    n, d = law.optimal_allocation(flops)
    assert r.optimum.n_params == pytest.approx(n, rel=1e-9)
    assert r.optimum.n_tokens == pytest.approx(d, rel=1e-9)
    assert r.saving == 0.0


@settings(max_examples=60, deadline=None)
@given(laws, budgets, demands)
def test_saving_is_never_negative_and_the_optimum_keeps_the_loss(law, flops, tokens):
    r = inf.inference_optimum(law, tokens, flops=flops)
    assert r.saving >= 0.0
    assert r.optimum.loss == pytest.approx(float(law.optimal_loss(flops)), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(laws, budgets, demands)
def test_the_optimum_is_a_minimum_on_the_constraint(law, flops, tokens):
    r = inf.inference_optimum(law, tokens, flops=flops)
    target = r.optimum.loss
    for factor in (0.99, 1.01):
        n = r.optimum.n_params * factor
        try:
            d = inf.tokens_for_loss(law, n, target)
        except ValueError:
            continue
        assert 6 * n * d + 2 * n * tokens >= r.optimum.total_flops * (1 - 1e-9)


@settings(max_examples=40, deadline=None)
@given(laws, budgets, demands, st.floats(1.5, 100.0))
def test_more_inference_never_makes_the_model_larger(law, flops, tokens, factor):
    # at tiny demand the optimum moves by ~1e-8 of N, the precision of the loss -> allocation path
    low = inf.inference_optimum(law, tokens, flops=flops).optimum
    high = inf.inference_optimum(law, tokens * factor, flops=flops).optimum
    assert high.n_params <= low.n_params * (1 + 1e-7)
    assert high.n_tokens >= low.n_tokens * (1 - 1e-7)


@settings(max_examples=60, deadline=None)
@given(laws, budgets)
def test_compute_to_tokens_to_compute_round_trips(law, flops):
    n, d = law.optimal_allocation(flops)
    assert 6 * n * d == pytest.approx(flops, rel=1e-9)
    d_back, loss = inf.compute_optimal_for_params(law, n)
    assert d_back == pytest.approx(d, rel=1e-8)
    assert loss == pytest.approx(float(law.optimal_loss(flops)), rel=1e-9)
    n_loss, d_loss = inf.compute_optimal_at_loss(law, loss)
    assert 6 * n_loss * d_loss == pytest.approx(flops, rel=1e-8)


@settings(max_examples=40, deadline=None)
@given(laws, st.floats(1.0, 8.0))
def test_overtraining_extra_grows_with_the_shrink_and_is_zero_at_one(law, k):
    assert inf.overtraining_cost(law, 1.0, flops=1e22).extra == pytest.approx(0.0, abs=1e-9)
    a = inf.overtraining_cost(law, k, flops=1e22).extra
    b = inf.overtraining_cost(law, k * 1.1, flops=1e22).extra
    assert a >= -1e-9 and b >= a - 1e-9


@pytest.mark.parametrize("call, match", [
    (lambda: inf.inference_optimum("paper", -1, flops=1e22), "inference_tokens"),
    (lambda: inf.inference_optimum("paper", 1e12), "exactly one"),
    (lambda: inf.inference_optimum("paper", 1e12, flops=1e22, target_loss=2.0), "exactly one"),
    (lambda: inf.inference_optimum("paper", 1e12, target_loss=1.0), "target_loss"),
    (lambda: inf.inference_optimum("paper", float("nan"), flops=1e22), "inference_tokens"),
    (lambda: inf.inference_optimum("nope", 1e12, flops=1e22), "unknown law"),
    (lambda: inf.overtraining_cost("paper", 0, flops=1e22), "shrink"),
    (lambda: inf.tokens_for_loss("paper", 1e6, 2.0), "n_params"),
    (lambda: inf.gpu_hours(1e20, 1e15, 1.5), "utilisation"),
])
def test_bad_input_is_one_line_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match) as err:
        call()
    assert "\n" not in str(err.value)


@settings(max_examples=40, deadline=None)
@given(laws, budgets, st.floats(0.01, 100.0))
def test_substantial_inference_demand_makes_the_model_strictly_smaller(law, flops, share):
    d0 = law.optimal_allocation(flops)[1]
    low = inf.inference_optimum(law, share * d0, flops=flops)
    high = inf.inference_optimum(law, 2 * share * d0, flops=flops)
    assert high.optimum.n_params < low.optimum.n_params < low.compute_optimal.n_params
    assert 0 < low.saving < high.saving < 1
