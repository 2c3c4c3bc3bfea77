"""Property tests (hypothesis): the IsoFLOP fit, the validators and the command line.

Each property holds for every input drawn, with expected values from construction
(exact parabolas about a chosen power law, hand-written Eq. 4), not from the code.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from cli_run import run_cli
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chinchilla_lib import _validate as v
from chinchilla_lib import stats
from chinchilla_lib.approaches.isoflop import fit_budget, fit_isoflop, group_budgets

FAST = settings(max_examples=40, deadline=None)


# ------------------------------------------------------------------ IsoFLOP
@st.composite
def exact_profiles(draw):
    """Runs on exact parabolas in ln N whose vertices follow N_opt = k C^a (the truth)."""
    a = draw(st.floats(0.3, 0.7))
    log_k = draw(st.floats(-4.0, 2.0))
    n_budgets = draw(st.integers(2, 6))
    log_c0 = draw(st.floats(math.log(1e17), math.log(1e20)))
    step = draw(st.floats(0.5, 2.0))
    sizes = draw(st.integers(3, 9))
    half = draw(st.floats(0.3, 2.0))
    shift = draw(st.floats(-0.9, 0.9)) * half  # sizes off-centre, minimum still inside
    curvature = draw(st.floats(0.01, 0.5))
    n, c, loss = [], [], []
    for j in range(n_budgets):
        log_c = log_c0 + j * step
        centre = log_k + a * log_c
        for u in np.linspace(-half, half, sizes) + shift:
            n.append(math.exp(centre + u))
            c.append(math.exp(log_c))
            loss.append(3.0 - 0.1 * j + curvature * u**2)
    return a, math.exp(log_k), np.array(n), np.array(c), np.array(loss)


@FAST
@given(exact_profiles())
def test_isoflop_recovers_the_power_law_of_exact_parabolas(case):
    a, k, n, c, loss = case
    result = fit_isoflop(n, c, loss, n_bootstrap=0)
    assert result.a == pytest.approx(a, abs=1e-7)
    assert result.n_coef == pytest.approx(k, rel=1e-5)
    assert result.a + result.b == pytest.approx(1.0, abs=1e-12)
    table = result.budgets
    np.testing.assert_allclose(6 * table["n_opt"] * table["d_opt"], table["budget"], rtol=1e-12)
    assert table["bracketed"].all() and table["used"].all()


@FAST
@given(exact_profiles(), st.randoms(use_true_random=False))
def test_isoflop_does_not_depend_on_the_order_of_runs(case, rnd):
    _, _, n, c, loss = case
    order = list(range(n.size))
    rnd.shuffle(order)
    first = fit_isoflop(n, c, loss, n_bootstrap=0)
    second = fit_isoflop(n[order], c[order], loss[order], n_bootstrap=0)
    assert second.a == pytest.approx(first.a, abs=1e-12)


@FAST
@given(exact_profiles(), st.floats(-5, 5))
def test_isoflop_vertex_ignores_a_constant_added_to_the_loss(case, offset):
    a, _, n, c, loss = case
    assume(np.all(loss + offset > 0))
    assert fit_isoflop(n, c, loss + offset, n_bootstrap=0).a == pytest.approx(a, abs=1e-7)


@FAST
@given(st.floats(-3, 3), st.floats(0.05, 2.0), st.integers(3, 12), st.floats(0.2, 3.0))
def test_one_profile_vertex_is_the_parabolas(centre, curvature, sizes, half):
    x = np.linspace(centre - half, centre + half, sizes)
    budget = fit_budget(np.exp(x + 20), 2.0 + curvature * (x - centre) ** 2)
    assert math.log(budget.n_opt) - 20 == pytest.approx(centre, abs=1e-7)
    assert budget.loss_opt == pytest.approx(2.0, abs=1e-9) and budget.bracketed


@FAST
@given(st.lists(st.floats(1e15, 1e25), min_size=1, max_size=30))
def test_exact_budget_labels_are_the_flops_themselves(flops):
    np.testing.assert_array_equal(group_budgets(flops), flops)


@FAST
@given(exact_profiles(), st.floats(0.55, 0.95), st.integers(0, 10))
def test_isoflop_interval_contains_its_median_and_grows_with_level(case, level, seed):
    _, _, n, c, loss = case
    noisy = loss * (1 + 0.002 * np.random.default_rng(seed).standard_normal(loss.size))
    assume(np.unique(c).size >= 3)
    try:
        result = fit_isoflop(n, c, noisy, n_bootstrap=50, level=level, seed=seed)
    except ValueError:
        assume(False)  # noise can unbracket a budget; those draws are refused, tested elsewhere
    good = result.a_samples[np.isfinite(result.a_samples)]
    assume(good.size > 10)
    lo, hi = result.a_interval
    assert lo <= np.median(good) <= hi
    lo2, hi2 = result.interval("a", level / 2)
    assert lo <= lo2 <= hi2 <= hi


# ------------------------------------------------------------------ validators
positive = st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False)


@FAST
@given(st.lists(positive, min_size=1, max_size=20))
def test_positive_array_keeps_positive_finite_values(values):
    np.testing.assert_array_equal(v.positive_array("x", values), np.array(values))


@FAST
@given(st.lists(positive, min_size=1, max_size=20), st.integers(0, 19),
       st.sampled_from([0.0, -1.0, float("nan"), float("inf"), -float("inf")]))
def test_positive_array_names_the_argument_and_element(values, where, bad):
    where = where % len(values)
    values = list(values)
    values[where] = bad
    with pytest.raises(ValueError, match=rf"^my_arg must be positive and finite; element {where} is"):
        v.positive_array("my_arg", values)


@FAST
@given(st.one_of(st.text(max_size=5), st.booleans(), st.none(), st.floats(max_value=0.0), st.just(float("nan"))))
def test_positive_scalar_refuses_everything_but_positive_numbers(value):
    with pytest.raises(ValueError, match="^x must be a positive finite number"):
        v.positive_scalar("x", value)


@FAST
@given(st.lists(st.floats(1, 100), min_size=1, max_size=10))
def test_distinct_counts_distinct_values(values):
    k = len(set(values))
    v.distinct("n_params", np.array(values), k, why="w")
    with pytest.raises(ValueError, match=f"n_params has {k} distinct"):
        v.distinct("n_params", np.array(values), k + 1, why="w")


@FAST
@given(st.floats(0.1, 10), st.integers(1, 20))
def test_constant_loss_is_always_refused(loss, size):
    with pytest.raises(ValueError, match="constant loss|identical"):
        v.varying_loss(np.full(size, loss), n_params=np.arange(1.0, size + 1))


@FAST
@given(st.lists(st.floats(15, 25), min_size=1, max_size=8, unique=True))
def test_budgets_counted_when_a_decade_apart(log10s):
    log10s = sorted({round(x) for x in log10s})
    flops = np.repeat(10.0 ** np.array(log10s), 3) * np.tile([1.0, 1.01, 1.02], len(log10s))
    assert stats.n_budgets(flops) == len(log10s)


@FAST
@given(st.floats(-3, 3), st.floats(0.01, 1), st.integers(3, 30))
def test_loss_falls_with_compute_is_the_sign_of_the_slope(intercept, slope, size):
    c = np.geomspace(1e18, 1e22, size)
    v.loss_falls_with_compute(c, np.exp(intercept - slope * np.log(c) / 50))
    with pytest.raises(ValueError, match="does not fall"):
        v.loss_falls_with_compute(c, np.exp(intercept + slope * np.log(c) / 50))


@FAST
@given(st.floats(1e18, 1e22), st.floats(-6, 6))
def test_extrapolation_note_exactly_beyond_a_factor_100(hi, decades):
    lo = hi / 1000
    flops = hi * 10.0**decades if decades > 0 else lo * 10.0**decades
    note = v.extrapolation_note(flops, (lo, hi))
    assert (note is not None) == (abs(decades) > 2)


@FAST
@given(st.floats(1e-3, 1e3), st.floats(1, 1e12))
def test_unit_notes_flag_small_parameter_counts_only(small, scale):
    assert v.unit_notes(n_params=np.array([small])) and not v.unit_notes(n_params=np.array([1e4 * scale]))


# ------------------------------------------------------------------ command line
_run = run_cli


@settings(max_examples=25, deadline=None)
@given(st.floats(1e15, 1e30), st.floats(0.2, 0.6), st.floats(0.2, 0.6), st.floats(1, 1e4), st.floats(1, 1e4))
def test_cli_plan_is_eq4_for_any_inline_law(flops, alpha, beta, A, B):
    law = f"E=1.5,A={A!r},B={B!r},alpha={alpha!r},beta={beta!r}"
    code, out, err = _run(["plan", "--flops", repr(flops), "--law", law, "--json"])
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    if n < 1 or flops / (6 * n) < 1:  # less than one parameter or one token: refused, not planned
        assert code == 2 and "buys no model" in err and out == ""
        return
    assert code == 0, err
    result = json.loads(out)
    assert result["n_params"] == pytest.approx(n, rel=1e-9)
    assert 6 * result["n_params"] * result["n_tokens"] == pytest.approx(flops, rel=1e-9)
    d = flops / (6 * n)
    assert result["loss"] == pytest.approx(1.5 + A / n**alpha + B / d**beta, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.text(min_size=1, max_size=8).filter(lambda t: not t.startswith("-")),
                 st.floats(max_value=0).map(repr), st.sampled_from(["nan", "inf", "-inf", "1e400", "0x10"])))
def test_cli_bad_budget_is_one_line_naming_flops(text):
    try:
        ok = math.isfinite(float(text)) and float(text) > 0
    except ValueError:
        ok = False
    assume(not ok)
    code, out, err = _run(["plan", "--flops", text])
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage")]
    assert len(lines) == 1 and "--flops" in lines[0]


@settings(max_examples=25, deadline=None)
@given(st.integers(-10**6, -1).map(str) | st.floats(0.1, 1e6).filter(lambda x: not float(x).is_integer()).map(repr))
def test_cli_bad_seed_names_seed(text):
    code, out, err = _run(["fit", "--approach", "2", "--data", "hoffmann-fig4", "--seed", text])
    assert code == 2 and "--seed" in err and err.strip().count("\n") <= 1  # usage line + one error line


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 19))
def test_cli_too_few_resamples_refused(k):
    code, out, err = _run(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", str(k)])
    assert code == 2 and out == "" and "at least 20" in err
