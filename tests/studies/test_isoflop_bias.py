"""Approach 2 studies: the paper's reference numbers, Figure 4 summaries, Porian et al. comparisons,
simulated biases of the parabola estimator, and the IsoFLOP plot helpers."""

import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from chinchilla_lib import datasets  # noqa: E402
from chinchilla_lib.approaches.isoflop import fit_isoflop_frame  # noqa: E402
from chinchilla_lib.approaches.simulate import simulate_isoflop  # noqa: E402
from chinchilla_lib.laws import ParametricLaw, get_law  # noqa: E402
from chinchilla_lib.plotting import isoflop as isoplot  # noqa: E402
from chinchilla_lib.studies import figure4 as fig4  # noqa: E402
from chinchilla_lib.studies import isoflop_bias as bias  # noqa: E402
from chinchilla_lib.studies import porian  # noqa: E402

SYMMETRIC = ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=0.3, beta=0.3, name="sym")


def _fake_fit(budgets, a=0.5, n_coef=0.1, interval=(0.45, 0.55), n_bootstrap=100):
    table = pd.DataFrame({"budget": budgets})
    return SimpleNamespace(a=a, b=1 - a, n_coef=n_coef, a_interval=interval, n_bootstrap=n_bootstrap,
                           budgets=table)


# ------------------------------------------------------------------ Figure 4
def test_approach2_reference_is_table2_and_section_32():
    ref = fig4.approach2_reference()
    assert (ref["a"], ref["a_p10"], ref["a_p90"], ref["b"]) == (0.49, 0.462, 0.534, 0.51)  # Table 2
    assert ref["spread"] == pytest.approx(0.534 - 0.462)
    assert ref["n_budgets"] == 9 and isinstance(ref["n_budgets"], int)
    assert (ref["budget_min"], ref["budget_max"]) == (6e18, 3e21)  # Section 3.2


def test_budget_gaps_and_exponent_summary_on_a_given_fit():
    fit = _fake_fit([6e18 * 0.9, 1e20, 3e21 * 1.1], a=0.48)
    gaps = fig4.budget_gaps(fit)
    assert gaps["budget_min_gap"] == pytest.approx(-0.1) and gaps["budget_max_gap"] == pytest.approx(0.1)
    summary = fig4.exponent_summary(fit)
    assert summary["a_diff"] == pytest.approx(0.48 - 0.49)
    assert summary["boot_spread"] == pytest.approx(0.10)
    assert (summary["a_ours"], summary["b_ours"], summary["n_boot"]) == (0.48, 0.52, 100)


def test_projection_gaps_from_the_printed_projections():
    fit = _fake_fit([1e19, 1e21], a=0.5, n_coef=0.1)
    proj = datasets.load_table("projections")
    proj = proj[proj["approach"] == 2]
    n = proj["n_params"].to_numpy(float)
    flops = (n / 0.1) ** 2  # C = (N / k)^(1/a)
    gaps = fig4.projection_gaps(fit, approach=2)
    np.testing.assert_allclose(gaps["gap"], flops / proj["flops"].to_numpy(float) - 1)
    np.testing.assert_allclose(gaps["decades_beyond"], np.log10(flops / 1e21))


def test_fig4_fit_budget_bootstrap_is_wider_than_the_run_bootstrap():
    runs = fig4.fig4_fit(n_bootstrap=200, seed=0)
    budgets = fig4.fig4_fit(n_bootstrap=200, seed=0, resample="budgets")
    assert budgets.resample == "budgets" and budgets.a == runs.a
    assert np.diff(budgets.a_interval)[0] > np.diff(runs.a_interval)[0]


# -------------------------------------------------------------- Porian et al.
def test_porian_overview_and_comparison_table():
    overview = porian.porian_overview()
    configurations = datasets.porian_configurations().set_index("configuration")["n_exponent"]
    assert overview["n_configs"] == len(configurations) == 15
    assert overview["final"] == configurations[porian.FINAL_CONFIGURATION]
    assert overview["kaplan"] > 0.8 and 0.45 < overview["final"] < 0.55  # Porian et al. Figure 1
    assert overview["n_runs"] == len(datasets.load_porian()) and overview["replicates"] > 0
    shown = porian.comparison_table()
    assert list(shown.columns) == ["setting", "theirs", "Akima", "difference", "parabola", "5 nearest"]
    assert shown["setting"].str.match(r"^(RW|OWT2): ").all()
    np.testing.assert_allclose(shown["difference"], (shown["Akima"] - shown["theirs"]).round(4))


def test_estimator_summary_and_contrast_configurations():
    table = porian.porian_table()
    summary = porian.estimator_summary()
    assert summary["akima_max"] == pytest.approx((table["akima"] - table["theirs"]).abs().max())
    assert summary["akima_max"] < 0.03 < summary["parabola_max"]
    worst = porian.worst_parabola_configuration()
    assert abs(worst["parabola"] - worst["theirs"]) == pytest.approx(summary["parabola_max"])
    assert summary["worst_used"] <= summary["worst_used_akima"]
    assert summary["worst_ratio_lo"] <= summary["worst_ratio_hi"]
    assert summary["share_above"] > summary["share_above_final"]  # Kaplan-style grids lean to large N
    assert summary["worst_sd"] > summary["final_sd"]
    pair = porian.contrast_configurations()
    assert list(pair["configuration"]) == [worst["configuration"], porian.FINAL_CONFIGURATION]


def test_agreement_with_their_optima_is_rounding_level_for_the_argmin():
    agreement = porian.agreement_with_their_optima()
    assert agreement["max_argmin"] < 1e-12 and agreement["max_refit"] < 1e-12
    assert 0 < agreement["max_median"] < 0.5


# ---------------------------------------------------- simulated estimator biases
def test_shape_variants_change_only_beta():
    law = get_law("paper-full")
    variants = bias.shape_variants(law)
    assert list(variants) == ["α = β", "paper-full (α > β)", "α = 2β"]
    assert variants["α = β"].beta == law.alpha and variants["α = 2β"].beta == law.alpha / 2
    assert all(v.alpha == law.alpha and v.E == law.E for v in variants.values())


def test_width_and_shift_sweeps_are_exact_for_a_symmetric_law():
    laws = {"sym": SYMMETRIC}
    widths = bias.width_sweep(laws, [0.5, 1.0])
    np.testing.assert_allclose(widths["ratio"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(widths["approx"], 1.0)  # exp(0)
    shifts = bias.shift_sweep(laws, [-0.2, 0.0, 0.2], width=0.5)
    np.testing.assert_allclose(shifts["centred"], 1.0, rtol=1e-9)
    assert list(shifts["name"]) == ["sym"] * 3


def test_shift_sensitivity_on_a_hand_made_sweep():
    sweep = pd.DataFrame({"law": ["x"] * 5, "shift": [-0.4, -0.2, 0.0, 0.2, 0.4],
                          "ratio": [1.10, 1.02, 1.0, 0.99, 0.95], "centred": 1.0})
    out = bias.shift_sensitivity(sweep, near=0.2)
    assert out["shift_near"] == 0.2 and out["shift_edge"] == 0.4
    assert out["shift_err_near"] == pytest.approx(0.02) and out["shift_err_edge"] == pytest.approx(0.10)


def test_paper_budget_grid_spans_section_32():
    grid = bias.paper_budget_grid()
    assert grid.size == 9 and grid[0] == pytest.approx(6e18) and grid[-1] == pytest.approx(3e21)
    np.testing.assert_allclose(np.diff(np.log(grid)), np.log(3e21 / 6e18) / 8)


def test_steady_grid_and_design_study_are_exact_for_a_symmetric_law():
    budgets = np.geomspace(1e19, 1e21, 5)
    steady = bias.steady_grid_bias(SYMMETRIC, budgets, width=1.0)
    assert steady["a_err"] < 1e-9 and steady["coef"] == pytest.approx(1.0, rel=1e-8)
    runs = simulate_isoflop(SYMMETRIC, budgets, n_sizes=7, width=0.5)
    design = bias.design_study(SYMMETRIC, runs["n_params"], runs["flops"], noise=0.0, n_seeds=3)
    assert design["clean"] == pytest.approx(SYMMETRIC.a, abs=1e-9)
    assert abs(design["bias"]) < 1e-9 and design["spread"] == pytest.approx(0.0, abs=1e-9)


def test_spread_summary_on_a_hand_made_width_table():
    table = pd.DataFrame({"width": [0.1, 0.5, 1.5], "a_low": [0.40, 0.44, 0.45],
                          "a_high": [0.52, 0.48, 0.46]})
    out = bias.spread_summary(table, at=0.5)
    assert out["max_w"] == 0.1 and out["max_spread"] == pytest.approx(0.12)
    assert out["half_spread"] == pytest.approx(0.04)
    assert out["wide_w"] == 1.5 and out["wide_spread"] == pytest.approx(0.01)


# ------------------------------------------------------------------- plotting
def test_isoflop_plot_helpers_draw_any_runs():
    runs = simulate_isoflop(SYMMETRIC, np.geomspace(1e19, 1e21, 4), n_sizes=7, width=0.6)
    fit = fit_isoflop_frame(runs, n_bootstrap=20)
    fig, axes = plt.subplots(2, 3)
    isoplot.plot_power_laws(axes[0, :2], fit)
    assert len(axes[0, 0].lines) == 1 and axes[0, 1].get_yscale() == "log"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the helper silences IsoFLOP warnings itself
        isoplot.plot_akima_and_parabola(axes[0, 2], runs)
    # one Akima curve per budget, and a cross at each bracketed parabola vertex (all 4 here)
    assert len(axes[0, 2].lines) == 4
    assert len(axes[0, 2].collections[-1].get_offsets()) == 4
    isoplot.plot_exponent_differences(axes[1, 0], [0.5, 0.6], {"m": [0.51, 0.58]}, colors=["k"], tolerance=0.03)
    np.testing.assert_allclose(axes[1, 0].collections[-1].get_offsets(), [[0.5, 0.01], [0.6, -0.02]], atol=1e-12)
    laws = {"sym": SYMMETRIC}
    isoplot.plot_vertex_ratios(axes[1, 1:], bias.width_sweep(laws, [0.5, 1.0]),
                               bias.shift_sweep(laws, [-0.1, 0.1]), colors=["k"])
    np.testing.assert_allclose(axes[1, 1].lines[0].get_xdata(), [0.5, 1.0])  # the formula, at every width
    np.testing.assert_allclose(axes[1, 2].lines[0].get_xdata(), [-0.1, 0.1])  # the simulation, at every shift
    table = pd.DataFrame({"width": [0.5, 1.0], "a_low": [0.4, 0.45], "a_median": [0.5, 0.5],
                          "a_high": [0.6, 0.55], "vertex_ratio": [1.0, 1.0]})
    fig2, axes2 = plt.subplots(1, 2)
    isoplot.plot_width_study(axes2, table, 0.5)
    assert axes2[0].get_xscale() == "log"
    plt.close("all")
