"""Kaplan et al. (2020) laws and the Pearce & Song (2024) reconciliation (chinchilla_lib.laws.kaplan)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinchilla_lib.datasets import DataFileError, load_table, paper_value
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws import embeddings as emb
from chinchilla_lib.laws import kaplan as K
from chinchilla_lib.laws.flops import PF_DAY, from_pf_days

# Besiroglu et al. 2024 (arXiv 2404.10102) refit of Hoffmann's Approach 3 (chinchilla_lib/data/laws.csv, law "replication").
REPLICATION = get_law("replication")
# Pearce & Song's choices (their analysis script): gamma = 47491 (vocab 32000, d_model/n_layers 39.2),
# 20 model sizes, a token grid and a fixed window of non-embedding budgets.
PS_GAMMA = 47491.0
PS_GRIDS = dict(n_nonembed=np.logspace(2.9, 9.2, 20), n_tokens=np.logspace(6, 25, 1000),
                flops=np.logspace(12.95, 20.7, 100))
PS_WINDOW = (10**12.95, 10**20.7)

# beta >= 0.2 keeps the fixed-C_nonembed frontier free of folds (see kaplan._require_monotone)
laws = st.builds(ParametricLaw, E=st.just(1.7), A=st.floats(50.0, 5e3), B=st.floats(50.0, 5e3),
                 alpha=st.floats(0.2, 0.6), beta=st.floats(0.2, 0.6))
# Away from the fold of the fixed-compute frontier (small beta, large alpha), where the
# numerical optimum is ill-conditioned; the closed form is checked there by the limit test.
well_conditioned_laws = st.builds(ParametricLaw, E=st.just(1.7), A=st.floats(50.0, 5e3), B=st.floats(50.0, 5e3),
                                  alpha=st.floats(0.2, 0.5), beta=st.floats(0.25, 0.6))
gammas = st.floats(1e3, 1e5)
budgets = st.sampled_from(["nonembedding", "total"])


# --------------------------------------------------------------------- constants
def test_repeated_symbols_are_told_apart_by_quantity_and_location():
    k = K.kaplan_constants()
    table = load_table("kaplan_constants")
    alpha_d = table[table["symbol"] == "alpha_D"].set_index("location")["value"]
    assert k.alpha_D == alpha_d["Eq.(1.2); Table 5"]
    assert k.alpha_D_joint == alpha_d["Table 2"]
    assert k.alpha_D != k.alpha_D_joint and k.N_c != k.N_c_joint


@pytest.mark.parametrize("change", ["drop", "duplicate", "unit"])
def test_corrupt_constant_rows_raise(monkeypatch, change):
    table = load_table("kaplan_constants")
    row = (table["quantity"] == "L(C_min) scale")
    if change == "drop":
        table = table[~row]
    elif change == "duplicate":
        table = pd.concat([table, table[row]], ignore_index=True)
    else:
        table.loc[row, "unit"] = "FLOPs"
    monkeypatch.setattr(K, "load_table", lambda name: table)
    with pytest.raises(DataFileError, match="C_c"):
        K.kaplan_constants.__wrapped__()


# ------------------------------------------------------- Kaplan's printed examples
def test_loss_factor_per_doubling_of_parameters():
    # Kaplan Sec. 1.2: 2^-alpha_N = 0.95
    n = np.array([1e6, 1e8, 1e9])
    assert np.round(K.loss_n(2 * n) / K.loss_n(n), 2) == pytest.approx(0.95, abs=1e-12)


def test_predicted_alpha_c_min_matches_eq_b7_not_eq_6_4():
    k = K.kaplan_constants()
    predicted = K.predicted_alpha_c_min()
    assert round(predicted, 3) == 0.052  # App. B Eq. (B.7) prints ~0.052
    assert k.alpha_C_min_eq64 - predicted == pytest.approx(0.002, abs=3e-4)  # Eq. 6.4 prints 0.054
    assert round(k.alpha_C_min_eq64 / k.alpha_N, 2) == 0.71  # Eq. 6.5 uses the printed 0.054


def test_data_needed_to_avoid_overfitting_eq_4_4():
    # Eq. 4.4: D >~ (5e3) N^0.74 for a 0.02 loss penalty; exponent alpha_N/alpha_D of the joint fit
    k = K.kaplan_constants()
    assert round(k.alpha_N_joint / k.alpha_D_joint, 2) == 0.74
    n = np.logspace(math.log10(768), math.log10(1.5e9), 7)
    d = K.tokens_to_avoid_overfitting(n, 0.02)
    assert d / n**0.74 == pytest.approx(np.full(7, 5e3), rel=0.1)
    assert K.loss_nd(n, d) / K.loss_nd(n, 1e300) == pytest.approx(np.full(7, 1.02), rel=1e-12)


def test_compute_efficient_size_quoted_by_hoffmann():
    # Hoffmann App. D.4: Kaplan's optimal size at 1e21 FLOPs is 4.68e9, i.e. N_e C_min^p_N at C_min = C/2
    n_opt, d_opt = K.compute_efficient_allocation(1e21 / 2)
    assert n_opt == pytest.approx(paper_value("d4.n_kaplan"), rel=1e-3)
    # p_N + p_D = 1 so 6 N D / C_min is constant: 1.8, Kaplan's C ~ 2 C_min
    c = np.logspace(17, 25, 5)
    n, d = K.compute_efficient_allocation(c)
    assert 6 * n * d / c == pytest.approx(np.full(5, 6 * 1.3e9 * 2e10 / PF_DAY), rel=1e-12)
    kaplan_row = load_table("table2_exponents").query("method == 'kaplan'").iloc[0]
    k = K.kaplan_constants()
    assert (k.p_N, k.p_D) == (kaplan_row["a"], kaplan_row["b"])


def test_loss_formulas_at_their_scales():
    k = K.kaplan_constants()
    assert K.loss_n(k.N_c) == pytest.approx(1.0)
    assert K.loss_d(k.D_c) == pytest.approx(1.0)
    assert K.loss_c_min(from_pf_days(k.C_c_min)) == pytest.approx(1.0)
    # L(N, D) -> (N_c/N)^alpha_N of the joint fit as D -> infinity
    assert K.loss_nd(1e8, 1e300) == pytest.approx((k.N_c_joint / 1e8) ** k.alpha_N_joint, rel=1e-12)
    assert isinstance(K.loss_nd(1e8, 1e10), float)
    assert K.loss_nd([1e8, 1e9], 1e10).shape == (2,)


# -------------------------------------------------------------- embeddings
@settings(max_examples=40)
@given(n=st.floats(1e-3, 1e15), gamma=gammas)
def test_nonembedding_inverts_total(n, gamma):
    n_total = emb.total_from_nonembedding(n, gamma)
    assert emb.nonembedding_from_total(n_total, gamma) == pytest.approx(n, rel=1e-12)


def test_gamma_formula_and_fit():
    assert K.kaplan_gamma(12.0) == 50257 + 1024  # rho = 12: d_model^3 = N_nonembed
    assert emb.embedding_gamma(32000, 39.2) == pytest.approx(PS_GAMMA, rel=3e-4)
    gamma = emb.fit_gamma()
    assert 4.65e4 < gamma < 6.5e4  # the per-model values of Table A9
    n_total, n_nonembed = emb._table_a9_counts()
    assert emb.total_from_nonembedding(n_nonembed) == pytest.approx(n_total, rel=0.03)


# ----------------------------------------------------------- local exponent
@settings(max_examples=25)
@given(law=laws, gamma=gammas, budget=budgets)
def test_local_exponent_limits(law, gamma, budget):
    big, small = emb.local_exponent([1e30, 1e-12], law, gamma, budget)
    assert big == pytest.approx(law.beta / (law.alpha + law.beta), abs=1e-6)
    assert small == pytest.approx(law.beta / (law.alpha / 3 + law.beta), abs=1e-6)


@settings(max_examples=25)
@given(law=well_conditioned_laws, gamma=gammas, budget=budgets, log_c=st.floats(25.0, 55.0))
def test_analytic_and_numerical_exponents_agree(law, gamma, budget, log_c):
    num = emb.local_exponent_numerical(math.exp(log_c), law, gamma, budget)
    assert emb.local_exponent(num.n_nonembed, law, gamma, budget) == pytest.approx(num.exponent, abs=1e-4)
    assert emb.frontier_flops(num.n_nonembed, law, gamma, budget) == pytest.approx(num.flops_nonembed, rel=1e-6)


def test_optimal_nonembedding_inverts_frontier():
    n = np.logspace(1, 12, 12)
    for budget in ("nonembedding", "total"):
        c = emb.frontier_flops(n, "paper", budget=budget)
        assert emb.optimal_nonembedding(c, "paper", budget=budget) == pytest.approx(n, rel=1e-10)


def test_pearce_song_grid_reproduces_their_exponents():
    # Pearce & Song: ~0.78 with the replication's coefficients, ~0.74 with Chinchilla's full precision
    assert emb.grid_frontier_exponent(REPLICATION, PS_GAMMA, **PS_GRIDS) == pytest.approx(0.78, abs=0.005)
    assert emb.grid_frontier_exponent("paper-full", PS_GAMMA, **PS_GRIDS) == pytest.approx(0.74, abs=0.005)


def test_continuous_frontier_exponents_over_kaplan_range():
    assert emb.fitted_exponent(REPLICATION, PS_GAMMA).exponent == pytest.approx(0.78, abs=0.01)
    assert emb.fitted_exponent("paper", PS_GAMMA).exponent == pytest.approx(0.74, abs=0.01)
    assert emb.fitted_exponent("paper-full", PS_GAMMA, flops_range=PS_WINDOW).exponent == pytest.approx(0.74, abs=0.005)
    for law in (REPLICATION, get_law("paper"), get_law("paper-full")):
        fit = emb.fitted_exponent(law)  # default gamma fitted to Table A9
        assert fit.n_range == pytest.approx((768, 1.5e9), rel=1e-9)
        assert 0.74 < fit.exponent < 0.80 and fit.exponent > law.a + 0.25
        # Chinchilla's own optimum re-expressed in non-embedding terms is not what Kaplan measured
        assert emb.fitted_exponent(law, budget="total").exponent < 0.67


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, match", [
    (lambda: K.loss_n(-1.0), "n_params"),
    (lambda: K.loss_d([1e9, float("nan")]), "n_tokens"),
    (lambda: K.loss_nd([1e8, 1e9], [1e9, 1e10, 1e11]), "same length"),
    (lambda: K.loss_c_min(0.0), "flops"),
    (lambda: K.tokens_to_avoid_overfitting(1e9, 0.0), "penalty"),
    (lambda: K.loss_n(1e9, constants={"N_c": 1}), "constants"),
    (lambda: emb.embedding_gamma(32000, 40, n_ctx=-1), "n_ctx"),
    (lambda: emb.total_from_nonembedding(1e9, gamma=0.0), "gamma"),
    (lambda: emb.nonembedding_from_total("many"), "n_total"),
    (lambda: emb.local_exponent(1e9, "no-such-law"), "unknown law"),
    (lambda: emb.local_exponent(1e9, 3.0), "law must be"),
    (lambda: emb.local_exponent(1e9, budget="embedding"), "budget"),
    (lambda: emb.fitted_exponent(n_min=1e9, n_max=1e3), "n_min < n_max"),
    (lambda: emb.fitted_exponent(n_points=2), "n_points"),
    (lambda: emb.local_exponent_numerical(1e20, step=-0.1), "step"),
    (lambda: emb.optimal_nonembedding(1e20, ParametricLaw(1.0, 400.0, 400.0, 0.1, 0.1)), "fold"),
    (lambda: emb.grid_frontier_exponent("paper", PS_GAMMA, [1e6], [1e9, 1e10], [1e18, 1e19]), "n_nonembed"),
])
def test_bad_input_raises_one_value_error_naming_it(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------ Kaplan's theory for the exponent
# Kaplan et al. 2020 as printed: alpha_C^min 0.050 (Eq. 1.3), 0.054 (Eq. 6.4), alpha_N 0.076,
# alpha_S 0.76, alpha_B 0.21 (Eq. 1.1, 1.4, 1.6); N_e 1.3e9, D_e 2e10 (Table 6).
KAPLAN_PREDICTED = 1.0 / (1.0 / 0.76 + 1.0 / 0.21 + 1.0 / 0.076)  # 0.05199, App. B Eq. B.7 "≈ 0.052"


def test_alpha_c_min_sources_table():
    table = K.alpha_c_min_sources()
    assert list(table.columns) == ["source of alpha_C^min", "alpha_C^min", "exponent alpha_C^min / alpha_N"]
    assert table["alpha_C^min"].to_numpy() == pytest.approx([0.050, KAPLAN_PREDICTED, 0.054], rel=1e-12)
    assert table["exponent alpha_C^min / alpha_N"].to_numpy() == pytest.approx(
        [0.050 / 0.076, KAPLAN_PREDICTED / 0.076, 0.054 / 0.076], rel=1e-12)
    assert KAPLAN_PREDICTED == pytest.approx(0.052, abs=5e-4)


def test_theory_exponents_against_printed_constants():
    t = K.theory_exponents()
    assert t["p_N"] == 0.73 and t["alpha_N"] == 0.076
    assert t["ratio_pred"] == pytest.approx(0.6841, abs=1e-4)  # Eq. 1.8 / alpha_N
    assert t["ratio_eq64"] == pytest.approx(0.71, abs=0.005)  # Kaplan Eq. 6.5 prints 0.71
    assert t["ratio_gap"] == pytest.approx(KAPLAN_PREDICTED / 0.076 - 0.73, rel=1e-12)  # Hoffmann Table 2: 0.73
    assert t["six_ne_de"] == pytest.approx(6 * 1.3e9 * 2e10 / 8.64e19, rel=1e-12)  # 1.81 PF-days, not 1


# --------------------------------------------------------- where embeddings matter
def test_table_a9_embedding_shares():
    a9 = load_table("tableA9_models")
    shares = emb.table_a9_embedding_shares()
    assert len(shares) == len(a9) == 50
    assert shares["embedding"].to_numpy() == pytest.approx(32000 * a9["d_model"].to_numpy())  # vocab x d_model
    assert (shares["total"] == shares["embedding"] + shares["non_embedding"]).all()
    # the smallest model (d_model 512): 16.384M embedding parameters of 43.7M
    assert shares["embedding_share"].iloc[0] == pytest.approx(16_384_000 / 43_709_440, rel=1e-12)
    assert shares["embedding_share"].iloc[0] > 0.35 > shares["embedding_share"].iloc[-1]


def test_local_exponent_limits_by_hand():
    law = ParametricLaw(E=1.7, A=400.0, B=400.0, alpha=0.3, beta=0.3)
    assert emb.local_exponent_limits(law) == pytest.approx((0.3 / (0.1 + 0.3), 0.5), rel=1e-12)
    small, large = emb.local_exponent_limits(law)
    assert emb.local_exponent(np.array([1e-6, 1e30]), law, 5e4) == pytest.approx([small, large], abs=1e-4)


def test_settled_nonembedding_is_the_first_point_inside_the_tolerance():
    law, gamma, tol = get_law("paper-full"), 47491.0, 0.02
    grid = np.logspace(1, 13, 400)
    settled = emb.settled_nonembedding(grid, law, gamma, tol)
    i = int(np.flatnonzero(grid == settled)[0])
    values = np.asarray(emb.local_exponent(grid, law, gamma))
    assert np.all(np.abs(values[i:] - law.a) <= tol) and abs(values[i - 1] - law.a) > tol
    assert 1e9 < settled < 1e10  # the top of Kaplan's range (768 to 1.5e9)
    with pytest.raises(ValueError, match="settle"):
        emb.settled_nonembedding(np.logspace(1, 5, 10), law, gamma, tol)


# --------------------------------------------------------------- plot helpers
def test_kaplan_plot_helpers_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chinchilla_lib import plotting

    c, n = np.array([1e20, 1e22]), np.array([1e9, 1e10])
    fig, axes = plt.subplots(2, 1)
    plotting.plot_allocation_rules(axes, c, {"rule": (n, "kaplan")})
    assert axes[1].lines[0].get_ydata() == pytest.approx(c / (6 * n**2))  # D/N = C/(6N²)
    fig, ax = plt.subplots()
    shares = pd.DataFrame({"non_embedding": [1e7], "embedding_share": [0.5]})
    plotting.plot_embedding_share(ax, n, {"γ": (1e4, "kaplan")}, models=shares)
    assert ax.lines[0].get_ydata() == pytest.approx(1e4 * np.cbrt(n) / (n + 1e4 * np.cbrt(n)))
    fig, ax = plt.subplots()
    plotting.plot_local_exponents(ax, np.logspace(3, 12, 5), {"paper": get_law("paper")}, 5e4, reference=(0.73, "K"))
    assert ax.lines[-1].get_ydata()[0] == 0.73
    steps = pd.DataFrame({"step": [0, 1], "change": ["a b", "c d"], "theirs_rw": [0.9, 0.6], "ours_rw": [0.9, 0.6]})
    fig, ax = plt.subplots()
    plotting.plot_correction_steps(ax, steps, {"rw": "approach1"}, references=[(0.5, "half", "paper")])
    assert list(ax.lines[0].get_ydata()) == [0.9, 0.6]
    plt.close("all")
