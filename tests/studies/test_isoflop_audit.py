"""Approach 2 audited against Approach 3: deadweight compute and the token gap, on laws and runs known by hand."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.laws import ParametricLaw
from chinchilla_lib.studies import isoflop_audit as audit
from chinchilla_lib.studies.later_studies import later_value, printed_half_unit

BUDGETS = [1e18, 3e18, 1e19, 3e19, 1e20, 3e20]
#: Sizes per budget and their half-width in decades (a grid symmetric about each optimum).
N_SIZES, WIDTH = 9, 0.6


def _law(alpha, beta):
    return ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=alpha, beta=beta)


# ---------------------------------------------------------------- deadweight compute
def _waste_by_hand(alpha, beta, k):
    """Waste of k N* parameters on D* / k tokens: the reducible loss is K (k^-alpha + (alpha/beta) k^beta)
    against K (1 + alpha/beta) at the optimum, and the frontier's reducible loss falls as
    C^(-alpha beta / (alpha + beta)), so C'/C = (ratio)^(-(alpha + beta) / (alpha beta))."""
    ratio = (k**-alpha + alpha / beta * k**beta) / (1 + alpha / beta)
    return 1 - ratio ** (-(alpha + beta) / (alpha * beta))


@pytest.mark.parametrize("alpha, beta", [(0.3, 0.3), (0.34, 0.28), (0.25, 0.45)])
@pytest.mark.parametrize("k", [0.25, 0.5, 1.5, 3.0])
def test_deadweight_of_a_misallocation_matches_the_hand_formula(alpha, beta, k):
    law = _law(alpha, beta)
    for flops in (1e20, 3.8e25):
        n, d = law.optimal_allocation(flops)
        waste = audit.deadweight_fraction(law, k * n, d / k)
        assert waste == pytest.approx(_waste_by_hand(alpha, beta, k), rel=1e-9)
        assert waste > 0


def test_deadweight_of_the_optimum_is_zero():
    law = _law(0.34, 0.28)
    n, d = law.optimal_allocation(np.array([1e19, 1e22, 3.8e25]))
    np.testing.assert_allclose(audit.deadweight_fraction(law, n, d), 0.0, atol=1e-12)


def test_deadweight_rejects_what_is_not_a_law():
    with pytest.raises(ValueError, match="law must be"):
        audit.deadweight_fraction("paper", 1e9, 2e10)


# ---------------------------------------------------------------- the gap on simulated IsoFLOP runs
def _simulated_audit(alpha, beta, **options):
    runs = simulate_isoflop(_law(alpha, beta), BUDGETS, n_sizes=N_SIZES, width=WIDTH, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return audit.audit_runs(runs, name="simulated", n_bootstrap=options.pop("n_bootstrap", 0))


def test_symmetric_law_on_a_symmetric_grid_gives_no_gap():
    """alpha == beta: each profile is 2K cosh(alpha u), symmetric, so the parabola's vertex is the optimum."""
    result = _simulated_audit(0.3, 0.3)
    for flops in (1e22, 3.8e25):
        gap = result.gap(flops)
        assert abs(gap["token_overestimate"]) < 1e-9
        assert gap["waste"] < 1e-9


def _overestimate_by_hand(alpha, beta):
    """Approach 2's tokens over the optimum's on a noise-free symmetric grid: numpy's parabola through the
    exact profile exp(-alpha u) + (alpha/beta) exp(beta u), u = ln(N / N*); D is C / (6N), so D2/D* = exp(-u*)."""
    u = math.log(10) * np.linspace(-WIDTH, WIDTH, N_SIZES)
    c2, c1, _ = np.polyfit(u, np.exp(-alpha * u) + alpha / beta * np.exp(beta * u), 2)
    return math.exp(c1 / (2 * c2)) - 1


@pytest.mark.parametrize("alpha, beta", [(0.4, 0.25), (0.25, 0.4), (0.34, 0.28)])
def test_asymmetric_law_biases_the_tokens_by_the_parabola_through_the_profile(alpha, beta):
    """alpha > beta: Approach 2 under-allocates tokens (Czech et al.: 'asymmetric surfaces underestimate');
    alpha < beta: it over-allocates.  The exponent stays exact; Approach 3 recovers the law."""
    result = _simulated_audit(alpha, beta)
    expected = _overestimate_by_hand(alpha, beta)
    assert np.sign(expected) == np.sign(beta - alpha)
    assert result.isoflop.b == pytest.approx(_law(alpha, beta).b, abs=1e-9)
    for flops in (1e22, 3.8e25):
        gap = result.gap(flops)
        assert gap["token_overestimate"] == pytest.approx(expected, rel=1e-6)
        assert gap["waste"] > 0
        k = 1 / (1 + gap["token_overestimate"])  # Approach 2's N over N*
        assert gap["waste"] == pytest.approx(_waste_by_hand(alpha, beta, k), rel=1e-5)


def test_paired_bootstrap_is_seeded_and_brackets_a_noisy_gap():
    def run(seed):
        runs = simulate_isoflop(_law(0.3, 0.3), BUDGETS, n_sizes=N_SIZES, width=WIDTH, noise=0.01, seed=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return audit.audit_runs(runs, n_bootstrap=60, seed=seed)

    first, again, other = run(1), run(1), run(2)
    pd.testing.assert_frame_equal(first.replicates, again.replicates)
    assert not first.replicates.equals(other.replicates)
    assert len(first.replicates) == 60 and first.replicates["converged"].mean() > 0.9
    gap = first.gap(1e22)
    assert gap["token_overestimate_lo"] < 0 < gap["token_overestimate_hi"]  # truth (0) inside
    assert 0 <= gap["waste_lo"] < gap["waste_hi"]


def test_a_refused_fit_gives_no_gap():
    """Two budgets: Approach 2's power law through two points tests nothing, so the gate refuses it."""
    runs = simulate_isoflop(_law(0.3, 0.3), BUDGETS[:2], n_sizes=N_SIZES, width=WIDTH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap = audit.audit_runs(runs).gap(1e22)
    assert gap["refused"] and gap["approach2"].startswith("refused")
    assert math.isnan(gap["token_overestimate"]) and math.isnan(gap["waste"])


def test_audit_runs_refuses_bad_input_in_one_line():
    runs = simulate_isoflop(_law(0.3, 0.3), BUDGETS, n_sizes=N_SIZES, width=WIDTH)
    with pytest.raises(ValueError, match="lacks column") as err:
        audit.audit_runs(runs.drop(columns=["n_tokens"]))
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="isoflop_options takes rel_tol"):
        audit.audit_runs(runs, isoflop_options={"window": 3})
    with pytest.raises(ValueError, match="n_bootstrap"):
        audit.audit_runs(runs, n_bootstrap=-2)
    with pytest.raises(ValueError, match="n_bootstrap must be 0 .* or at least 20, got 5"):
        audit.audit_runs(runs, n_bootstrap=5)
    with pytest.raises(ValueError, match="unknown IsoFLOP set"):
        audit.audit_set("llama-4")


# ---------------------------------------------------------------- the real sets
def test_reference_surfaces_reproduce_czech_et_al_printed_comparisons():
    """Their printed surfaces through our arithmetic give their printed gaps (exp11), to the printed rounding."""
    rows = audit.reference_surface_gaps().set_index("surface")
    for surface in ("vpnls", "approach3"):
        row = rows.loc[surface]
        for key in ("token_overestimate", "waste"):
            allowed = row[f"printed_{key}_half_unit_pct"] + row[f"{key}_spread_pct"]
            assert abs(row[f"{key}_pct"] - row[f"printed_{key}_pct"]) <= allowed


def test_least_squares_on_log_loss_is_czech_et_al_approach3():
    """With delta = 1, Eq. (11) is least squares on log loss: their printed Approach 3 surface, to its rounding."""
    table = audit.objective_sensitivity(names=("llama-3",), deltas=(1.0,)).iloc[0]
    for name in ("E", "A", "B", "alpha", "beta"):
        value_id = f"openathena.llama3.approach3_{name}"
        assert abs(table[name] - later_value(value_id)) <= printed_half_unit(value_id), name


def test_audit_table_has_two_targets_per_set_and_the_llama3_copies_agree():
    names = ["llama-3", "open-athena:llama-3-raw-loss"]
    table = audit.audit_table(names)
    assert list(table["set"]) == [names[0]] * 2 + [names[1]] * 2
    assert list(table["target"].unique()) == ["flagship", "100x largest"]
    flagship = table[table["target"] == "flagship"]
    assert (flagship["flops"] == later_value("llama3.flagship_flops")).all()
    hundred = table[table["target"] == "100x largest"]
    np.testing.assert_allclose(hundred["flops"], 100 * 1e22)  # the largest Llama 3 budget is 1e22
    # the same 133 points, read from two files: the same fits and the same gap
    np.testing.assert_allclose(table["token_overestimate_pct"].iloc[:2], table["token_overestimate_pct"].iloc[2:])
    assert set(table["status"]) <= {"compared", "refused"}


@pytest.mark.parametrize("name", ["chinchilla_lib.studies.isoflop_audit", "chinchilla_lib.studies.later_studies"])
def test_docstring_examples_pass(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
