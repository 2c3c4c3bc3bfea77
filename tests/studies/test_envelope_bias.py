"""Approach 1 studies (Hoffmann et al. Section 3.1): simulated horizons, the LLaMA-1 envelope, their figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from chinchilla_lib.laws import get_law  # noqa: E402
from chinchilla_lib.plotting import envelope as plots  # noqa: E402
from chinchilla_lib.studies import envelope_bias, llama  # noqa: E402

PAPER_FULL = get_law("paper-full")


def _optimal(law, flops):
    """N_opt and D_opt of L = E + A/N^alpha + B/D^beta at C = 6 N D, from Eq. (4) of the paper."""
    g = (law.alpha * law.A / (law.beta * law.B)) ** (1.0 / (law.alpha + law.beta))
    n = g * (np.asarray(flops, dtype=float) / 6.0) ** (law.beta / (law.alpha + law.beta))
    return n, np.asarray(flops, dtype=float) / (6.0 * n)


@pytest.fixture(scope="module")
def study():
    return envelope_bias.horizon_study(n_few=4, window_decades=3.0, n_grid=600)


@pytest.fixture(scope="module")
def llama_study():
    return llama.llama1_envelope()


# ------------------------------------------------------------ simulated horizons
def test_table_a9_sizes_are_the_papers_50_models():
    sizes = envelope_bias.table_a9_sizes()
    assert len(sizes) == 50 and np.all(np.diff(sizes) > 0)
    assert sizes[0] == pytest.approx(44e6) and sizes[-1] == pytest.approx(16.183e9)


def test_horizon_study_designs_and_their_numbers(study):
    numbers = envelope_bias.horizon_numbers(study)
    assert study.names == ["4 horizons, 0% penalty", "4 horizons, 5% penalty", "13 horizons, 5% penalty"]
    np.testing.assert_allclose(study.few, [5.0, 5.0 * 16 ** (1 / 3), 5.0 * 16 ** (2 / 3), 80.0])
    assert numbers["n_sizes"] == 50 and numbers["n_few"] == 4 and numbers["n_dense"] == 13
    assert numbers["tpp_lo"] == pytest.approx(5.0) and numbers["tpp_hi"] == pytest.approx(80.0)
    assert numbers["tpp_span"] == pytest.approx(16.0) and numbers["horizon_step"] == pytest.approx(16 ** (1 / 3))
    assert numbers["size_min"] == pytest.approx(44.0) and numbers["size_max"] == pytest.approx(16.183)
    assert numbers["penalty"] == 0.05 and numbers["window_decades"] == 3.0
    assert numbers["law_a"] == pytest.approx(PAPER_FULL.beta / (PAPER_FULL.alpha + PAPER_FULL.beta))
    lo, hi = study.ranges[study.names[1]]
    assert numbers["range_decades"] == pytest.approx(np.log10(hi / lo))
    n, d = _optimal(PAPER_FULL, [lo, hi])
    assert numbers["opt_tpp_lo"] == pytest.approx(d[0] / n[0], rel=1e-9)
    assert numbers["opt_tpp_hi"] == pytest.approx(d[1] / n[1], rel=1e-9)
    # no schedule penalty or dense horizons: within the staircase's resolution of the truth (~0.03)
    assert numbers["a_clean"] == pytest.approx(numbers["law_a"], abs=0.01)
    assert numbers["a_dense"] == pytest.approx(numbers["law_a"], abs=0.01)
    for key in ("clean", "few", "dense"):
        assert numbers[f"slide_{key}_lo"] <= numbers[f"a_{key}"] + 0.01 <= numbers[f"slide_{key}_hi"] + 0.02
    # few horizons with the penalty: windows spread widely, some pulled toward the fixed-horizon 1/2
    assert numbers["slide_few_hi"] - numbers["slide_few_lo"] > numbers["slide_dense_hi"] - numbers["slide_dense_lo"]


def test_horizon_overview_has_one_row_per_design(study):
    table = envelope_bias.horizon_overview(study)
    assert list(table.columns) == ["design", "a (interior range)", "sizes on the envelope"]
    assert list(table["design"]) == study.names
    assert (table["sizes on the envelope"] >= 2).all() and (table["sizes on the envelope"] <= 50).all()


def test_penalty_sensitivity_without_penalty_is_the_clean_design(study):
    clean = study.names[0]
    again = envelope_bias.penalty_sensitivity(study, penalty=0.0)
    assert again["a"] == pytest.approx(study.fits[clean].a, rel=1e-12)
    assert again["lo"] == pytest.approx(study.sliding[clean]["a"].min(), rel=1e-12)
    strong = envelope_bias.penalty_sensitivity(study, penalty=0.2)
    assert strong["lo"] < strong["a"] < strong["hi"]
    assert abs(strong["a"] - PAPER_FULL.a) > 0.01  # a strong penalty biases the envelope


# ------------------------------------------------------------ LLaMA-1
def test_llama1_models_are_the_four_published_runs():
    models = llama.llama1_models()
    assert list(models.index) == ["LLaMA-7B", "LLaMA-13B", "LLaMA-33B", "LLaMA-65B"]
    np.testing.assert_allclose(models["n_params"], [6.7e9, 13.0e9, 32.5e9, 65.2e9])
    np.testing.assert_allclose(models["n_tokens"], [1.0e12, 1.0e12, 1.4e12, 1.4e12])


def test_llama1_numbers_match_the_published_sizes_and_the_law(llama_study):
    numbers = llama.llama1_numbers(llama_study, PAPER_FULL)
    assert numbers["llama_n"] == 4
    assert numbers["llama_ratio_lo"] == pytest.approx(13.0 / 6.7)
    assert numbers["llama_ratio_hi"] == pytest.approx(32.5 / 13.0)
    assert numbers["llama_small_t"] == pytest.approx(1.0) and numbers["llama_large_t"] == pytest.approx(1.4)
    assert numbers["llama_cut"] == pytest.approx(50.0)  # 5% of 1T tokens, in billions
    assert numbers["end_best_all_own"] == "every"
    assert numbers["llama_never"] == "LLaMA-65B"
    assert {k for k in numbers if k.startswith("end_margin_")} == {"end_margin_0", "end_margin_1", "end_margin_2",
                                                                  "end_margin_ratio"}
    assert all(numbers[f"end_margin_{i}"] > 0 for i in range(3))
    assert 0 < numbers["llama_scatter"] < 0.02  # digitisation noise, small against the margins
    assert numbers["switch_raw"] > numbers["switch_smooth"] >= 2
    lo, hi = llama_study.envelope["flops"].min(), llama_study.envelope["flops"].max()
    assert numbers["llama_decades"] == pytest.approx(np.log10(hi / lo))
    assert numbers["llama_resolution"] == pytest.approx(np.log(2.5) / np.log(hi / lo))
    flops = 6.0 * np.array([6.7e9, 13.0e9, 32.5e9, 65.2e9]) * np.array([1.0e12, 1.0e12, 1.4e12, 1.4e12])
    n_opt = _optimal(PAPER_FULL, flops)[0]
    np.testing.assert_allclose([numbers[f"law_nopt_{i}"] for i in range(4)], n_opt / 1e9, rtol=1e-9)
    ratio = n_opt / np.array([6.7e9, 13.0e9, 32.5e9, 65.2e9])
    assert numbers["straddle"] == pytest.approx(max(ratio.max(), (1 / ratio).max()), rel=1e-9)


def test_endpoint_display_shortens_model_names():
    ends = pd.DataFrame({"ends": ["LLaMA-7B", "LLaMA-13B"], "flops": [4e22, 8e22], "LLaMA-7B": [1.8, np.nan],
                         "LLaMA-13B": [1.85, 1.7], "best": ["LLaMA-7B", "LLaMA-13B"], "margin": [0.05, np.nan]})
    shown = llama.endpoint_display(ends)
    assert list(shown.columns) == ["run ending", "FLOPs", "7B", "13B", "margin"]
    assert list(shown["run ending"]) == ["7B", "13B"]
    assert shown["13B"].tolist() == [1.85, 1.7]


# ------------------------------------------------------------ figures
def test_envelope_plot_helpers_draw_every_curve_and_band(llama_study):
    palette = dict(zip(llama_study.models.index, ["C0", "C1", "C2", "C3"]))
    fig, axes = plt.subplots(1, 3)
    plots.plot_training_curves(axes[0], llama_study.curves, curve_col="model", envelope=llama_study.envelope,
                               colors=palette, end_points=50)
    assert [line.get_label() for line in axes[0].lines[:4]] == list(palette)
    assert len(axes[0].lines) == 5 and len(axes[0].collections) == 4 and axes[0].get_xscale() == "log"
    plots.plot_envelope_margin(axes[1], llama_study.envelope, colors=palette, band=0.01)
    assert len(axes[1].collections) == llama_study.envelope["curve"].nunique() == 3
    assert len(axes[1].patches) == 1  # the band
    flops = np.array([6e21, 6e23])
    plots.plot_fixed_ratio_lines(axes[2], flops, [10.0, 40.0])
    np.testing.assert_allclose(axes[2].lines[0].get_ydata(), [1e10, 1e11])  # sqrt(C / 60)
    np.testing.assert_allclose(axes[2].lines[1].get_ydata(), [0.5e10, 0.5e11])  # sqrt(C / 240)
    plt.close(fig)


def test_plot_sliding_exponents_marks_truth_and_one_half():
    fig, ax = plt.subplots()
    tables = {"x": pd.DataFrame({"centre": [1e19, 1e20], "a": [0.45, 0.5]})}
    plots.plot_sliding_exponents(ax, tables, truth=0.46)
    assert len(ax.lines) == 3
    assert ax.lines[1].get_ydata()[0] == 0.46 and ax.lines[2].get_ydata()[0] == 0.5
    plt.close(fig)
