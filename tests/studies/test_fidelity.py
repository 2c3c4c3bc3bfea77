"""Figure 4 point set, Approach 2 robustness, Figure 4's FLOP convention, named allocations, curvature,
later IsoFLOP studies: the library functions behind them, against hand calculations and printed values."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from chinchilla_lib import cli  # noqa: E402
from chinchilla_lib import datasets as ds  # noqa: E402
from chinchilla_lib.checks import scorecard  # noqa: E402
from chinchilla_lib.laws.powerlaw import log_log_curvature  # noqa: E402
from chinchilla_lib.plotting import isoflop as isoplot  # noqa: E402
from chinchilla_lib.studies import allocations as al  # noqa: E402
from chinchilla_lib.studies import figure4 as fig4  # noqa: E402
from chinchilla_lib.studies import later_studies as later  # noqa: E402


# ------------------------------------------------------------ point set
def test_figure4_fits_default_to_the_240_points():
    assert fig4.fig4_fit().budgets["n_points"].sum() + fig4.fig4_fit().n_unassigned == 240
    assert len(fig4.fig4_runs()) == 240 and len(fig4.fig4_runs(exclude_highest_loss=0)) == 245
    assert fig4.fig4_fit(exclude_highest_loss=0).a != fig4.fig4_fit().a


def test_dropped_points_are_the_five_highest_losses_and_the_law_is_by_hand():
    dropped = fig4.dropped_points()
    every = ds.load_hoffmann_fig4()
    assert sorted(dropped["loss"]) == sorted(every["loss"].nlargest(5))
    assert dropped["budget"].nunique() == 1  # all on one strip
    law = ds.load_table("laws")
    full = law[law["law"] == "paper-full"].set_index("parameter")["value"]
    n, d = dropped["n_params"].to_numpy(), dropped["n_tokens"].to_numpy()
    by_hand = (np.exp(full["log_E"]) + np.exp(full["log_A"]) / n ** full["alpha"]
               + np.exp(full["log_B"]) / d ** full["beta"])
    np.testing.assert_allclose(dropped["law_loss"], by_hand, rtol=1e-12)
    np.testing.assert_allclose(dropped["excess"], dropped["loss"] - by_hand, rtol=1e-12)


# ------------------------------------------------------------ FLOP convention
@pytest.mark.parametrize("flops, nominal", [(5.45e18, 6e18), (9.4e18, 1e19), (2.0e19, 3e19), (4.5e19, 6e19),
                                            (8e20, 1e21), (2.95e21, 3e21), (1.1e17, 1e17)])
def test_nominal_budget_is_the_nearest_1_3_6_value_in_log(flops, nominal):
    assert fig4.nominal_budget(flops) == pytest.approx(nominal)


def test_nominal_budget_arrays_nan_and_bad_values():
    out = fig4.nominal_budget([5.45e18, np.nan])
    assert out[0] == pytest.approx(6e18) and np.isnan(out[1])
    with pytest.raises(ValueError, match="flops"):
        fig4.nominal_budget(-1.0)


def test_flop_convention_ratios_and_table_a9_match():
    table = fig4.flop_convention()
    np.testing.assert_allclose(table["ratio"], table["nominal"] / table["flops"])
    assert set(table["nominal"]) == {6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21}  # Sec. 3.2's nine
    # the 6.8B runs are Table A9's 6,796M shape, whose ratio Table A4 prints as 0.99
    big = table[np.isclose(table["n_params"], 6.7956e9, rtol=1e-3)]
    assert len(big) and big["appf_ratio"].round(2).eq(0.99).all()


def test_flop_convention_summary_on_a_hand_made_table():
    table = pd.DataFrame({"n_params": [5e7, 6e7, 4e9, 5e9], "budget": [1.0, 1.0, 2.0, 2.0],
                          "ratio": [1.10, 1.10, 1.00, 1.02], "appf_ratio": [1.10, 1.10, 1.00, 1.00],
                          "appf_ratio_embeddings": [1.5, 1.5, 1.1, 1.1]})
    s = fig4.flop_convention_summary(table)
    assert s["n_runs"] == 4 and s["within_appf"] == 0.75  # 1.02 is 2% off
    assert s["within_emb"] == 0.0 and s["offset_appf"] == 0.0  # median of (0, 0, 0, ln 1.02)
    assert s["ratio_small"] == pytest.approx(1.10) and s["ratio_large"] == pytest.approx(1.01)


def test_convention_fits_nominal_budgets_and_the_appendix_f_tokens():
    fits = fig4.convention_fits().set_index("convention")
    first, second, third = fits.index
    assert fits.loc[first, "a"] == fig4.fig4_fit().a
    assert fits.loc[second, "budget_max"] == 3e21  # Section 3.2's largest budget
    assert fits.loc[second, "a"] + fits.loc[second, "b"] == pytest.approx(1.0)
    # F(N)/6N falls with N, so D = C/F(N) grows faster with C than C/(6N)
    assert fits.loc[third, "b"] > fits.loc[second, "b"]


# ------------------------------------------------------------ robustness
def test_robustness_grid_contains_the_book_fit():
    table = fig4.approach2_robustness()
    assert len(table) == 2 * 2 * 2 * len(fig4.ROBUSTNESS_GAPS) * len(fig4.ROBUSTNESS_MIN_POINTS)
    shipped = table[(table["points"] == 240) & (table["budgets"] == "plotted") & (table["method"] == "parabola")
                    & (table["gap"] == 0.03) & (table["min_points"] == 8)].iloc[0]
    assert shipped["a"] == pytest.approx(fig4.fig4_fit().a) and shipped["n_budgets"] == 9
    all245 = table[(table["points"] == 245) & (table["budgets"] == "plotted") & (table["method"] == "parabola")
                   & (table["gap"] == 0.03) & (table["min_points"] == 8)].iloc[0]
    assert all245["a"] == pytest.approx(fig4.fig4_fit(exclude_highest_loss=0).a)
    with pytest.raises(ValueError, match="gaps"):
        fig4.approach2_robustness(gaps=())


def test_robustness_summary_on_a_hand_made_table():
    table = pd.DataFrame({"method": ["parabola"] * 3 + ["akima"], "points": [240] * 4,
                          "budgets": ["plotted"] * 4, "a": [0.45, 0.50, np.nan, 0.6],
                          "n_budgets": [9, 8, 0, 9]})
    s = fig4.robustness_summary(table, n_budgets=9)
    row = s.loc[("parabola", 240, "plotted")]
    assert (row["a_min"], row["a_max"], row["settings"]) == (0.45, 0.50, 2)
    assert row["spread"] == pytest.approx(0.05) and row["share_n"] == pytest.approx(1 / 3)
    assert s.loc[("akima", 240, "plotted"), "share_n"] == 1.0


# ------------------------------------------------------------ curvature
def test_curvature_recovers_an_exact_quadratic():
    x = np.logspace(18, 21, 7)
    u = np.log10(x) - np.log10(x).mean()
    y = 10 ** (2.0 + 0.5 * u - 0.04 * u**2)
    out = log_log_curvature(x, y)
    assert out["curvature"] == pytest.approx(-0.04, abs=1e-10) and out["slope"] == pytest.approx(0.5)
    assert out["se"] < 1e-10 and out["n"] == 7 and out["decades"] == pytest.approx(3.0)


def test_curvature_interval_covers_zero_for_a_noisy_power_law():
    rng = np.random.default_rng(0)
    x = np.logspace(18, 21, 9)
    y = 0.1 * x**0.5 * 10 ** rng.normal(0, 0.02, x.size)
    out = log_log_curvature(x, y, level=0.99)
    assert out["lo"] < 0 < out["hi"]
    with pytest.raises(ValueError, match="same length"):
        log_log_curvature(x, y[:-1])
    with pytest.raises(ValueError, match="at least 4"):
        log_log_curvature(x[:3], y[:3])


def test_curvature_summary_counts_sides_on_a_hand_made_table():
    from chinchilla_lib.studies.curvature import curvature_summary

    table = pd.DataFrame({"curvature": [-0.07, 0.01, 0.03], "lo": [-0.1, -0.01, 0.01], "hi": [-0.04, 0.03, 0.05]})
    s = curvature_summary(table)
    assert (s["n_series"], s["n_concave"], s["n_flat"], s["n_convex"]) == (3, 1, 1, 1)
    assert (s["fig4_curv"], s["min_curv"], s["max_curv"]) == (-0.07, -0.07, 0.03)


# ------------------------------------------------------------ named allocations
def test_printed_allocations_give_the_printed_sizes():
    # App. D.4: the Approach 1 (Table 3) size at 1e21 FLOPs is 2.86e9; Kaplan's 4.68e9
    assert al.get_allocation("approach1-table3").n_opt(1e21) == pytest.approx(2.86e9, rel=0.005)
    assert al.get_allocation("kaplan").n_opt(1e21) == pytest.approx(4.68e9, rel=0.005)
    # Table A3, Approach 3: 67B is optimal at 1.71e24 FLOPs
    assert al.get_allocation("approach3-tableA3").n_opt(1.71e24) == pytest.approx(67e9, rel=0.05)
    # Fig. 4 caption: the paper's law gives 40B at Gopher's 5.76e23
    assert al.get_allocation("paper-full").n_opt(5.76e23) == pytest.approx(40e9, rel=0.025)
    with pytest.raises(ValueError, match="approach1-table3"):
        al.get_allocation("approach9")
    with pytest.raises(ValueError, match="approach"):
        al.printed_power_law(4)


def test_every_allocation_spends_the_budget_and_only_laws_have_a_loss():
    long = al.allocations_at([1e21, 1e24])
    assert set(long["law"]) == set(al.allocation_names()) and len(long) == 2 * len(al.allocation_names())
    np.testing.assert_allclose(6 * long["n_params"] * long["n_tokens"], long["flops"], rtol=1e-9)
    np.testing.assert_allclose(long["tokens_per_param"], long["n_tokens"] / long["n_params"])
    has_loss = long.dropna(subset=["loss"])["law"].unique()
    assert set(has_loss) == {"paper", "paper-full", "approach3-fig4"}


# ------------------------------------------------------------ later studies
def test_llama3_arithmetic_by_hand():
    out = later.llama3_arithmetic()
    assert out["flops_6nd"] == pytest.approx(6 * 402e9 * 16.55e12)  # = 3.99e25
    assert out["tokens_law"] == pytest.approx(0.29 * 3.8e25**0.53)  # about 10.5T, not 16.55T
    assert out["tokens_law"] == pytest.approx(10.5e12, rel=0.01)
    assert out["alpha_needed"] == pytest.approx(0.5378, abs=5e-5)
    assert out["n_from_tokens"] == pytest.approx(3.8e25 / (6 * 16.55e12))


def test_llama3_rounding_by_hand():
    """ln(3.8e25) = ln 3.8 + 25 ln 10 = 1.33500 + 57.56463 = 58.89963; then by hand:
    0.29 e^(0.53 x 58.89963) = 0.29 e^31.21680 = 10.46T; 0.285 e^(0.525 x ...) = 0.285 e^30.92231 = 7.66T;
    0.295 e^(0.535 x ...) = 0.295 e^31.51130 = 14.29T; ln(16.55e12 / 0.295) / 58.89963 = 31.65820 / 58.89963."""
    r = later.llama3_rounding()
    assert r["tokens_law"] == pytest.approx(10.46e12, rel=1e-3)
    assert r["tokens_lo"] == pytest.approx(7.660e12, rel=1e-3)
    assert r["tokens_hi"] == pytest.approx(14.29e12, rel=1e-3)
    assert r["printed_inside"] == 0.0  # 16.55T is above 14.29T
    assert r["alpha_needed_lo"] == pytest.approx(0.53749, abs=2e-5)
    assert r["alpha_needed_hi"] == pytest.approx(0.53808, abs=2e-5)  # ln(16.55e12 / 0.285) / 58.89963
    assert (r["alpha_needed_rounded"], r["alpha_needed_cut"]) == (0.54, 0.53)
    assert r["alpha_factor"] == pytest.approx(1.3425, rel=1e-4)  # e^(0.005 x 58.89963) = e^0.29450
    with pytest.raises(ValueError, match="half_unit"):
        later.llama3_rounding(half_unit=-1)


def test_later_exponents_rows():
    t = later.later_exponents()
    assert t.loc[0, "a"] == pytest.approx(1 - 0.53)
    assert list(t["a"].iloc[1:]) == pytest.approx([0.450, 0.524, 0.578])
    with pytest.raises(ValueError, match="no later-study value"):
        later.later_value("llama3.nope")


# ------------------------------------------------------------ CLI, plots, scorecard
def test_plan_accepts_an_allocation_name(capsys):
    assert cli.main(["plan", "--flops", "1e21", "--law", "approach1-table3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_params"] == pytest.approx(2.86e9, rel=0.005) and "loss" not in out
    assert out["approach"] == "1"


def test_plan_compare_lists_every_allocation(capsys):
    assert cli.main(["plan", "--flops", "1e24", "--compare", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["law"] for e in out] == list(al.allocation_names())
    assert all(set(e) == {"law", "approach", "source", "n_params", "n_tokens", "tokens_per_param"} for e in out)


def test_plan_unknown_law_exits_2_listing_allocations(capsys):
    assert cli.main(["plan", "--flops", "1e24", "--law", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--law" in err[0] and "approach2-tableA3" in err[0]


def test_robustness_and_convention_plots_draw_what_they_are_given():
    table = pd.DataFrame({"points": 240, "budgets": "plotted", "method": ["parabola"] * 4 + ["akima"] * 4,
                          "gap": [0.02, 0.03] * 4, "min_points": [4, 4, 8, 8] * 2, "a": np.linspace(0.4, 0.6, 8)})
    fig, axes = plt.subplots(1, 2)
    isoplot.plot_robustness(axes, table, reference=(0.49, 0.46, 0.53), chosen=(0.03, 8))
    assert len(axes[0].lines) == 2 + 1 and len(axes[1].lines) == 2 + 1  # one per min_points, plus the reference
    np.testing.assert_allclose(axes[0].lines[1].get_ydata(), [0.4, 0.4 + 0.2 / 7])
    fig2, ax = plt.subplots()
    conv = pd.DataFrame({"n_params": [1e8, 1e9], "nominal": [1e19, 1e19], "ratio": [1.1, 1.0],
                         "appf_ratio": [1.09, 1.0], "appf_ratio_embeddings": [1.3, 1.1]})
    isoplot.plot_flop_convention(ax, conv)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[1e8, 1.1], [1e9, 1.0]])
    plt.close("all")


def test_new_scorecard_rows_and_statuses():
    card = scorecard().set_index("id")
    assert card.loc["approach2.fig4.n_budgets", "status"] == "self-check"
    assert card.loc["comparison.llama3.flagship_6nd", "status"] == "differs"
    assert card.loc["comparison.deepseek.budget_identity", "status"] == "reproduced"
    assert card.loc["comparison.gopher.approach1.n_params", "reference"] == 67e9
    assert card.filter(like="approach2.porian.", axis=0)["tolerance"].eq(0.005).all()


def test_convention_numbers_pick_rows_by_convention_not_position():
    fits = pd.DataFrame({"convention": [fig4.NOMINAL_APP_F, fig4.PLOTTED, fig4.NOMINAL], "a": [0.3, 0.1, 0.2],
                         "b": [0.7, 0.9, 0.8], "d_opt_max": [4.0, 1.0, 5.0]})  # shuffled on purpose
    out = fig4.convention_numbers(fits)
    assert out == {"conv_a_plotted": 0.1, "conv_a_nominal": 0.2, "conv_b_nominal": 0.8, "conv_b_appf": 0.7,
                   "conv_d_gap": pytest.approx(5.0 / 4.0 - 1)}
