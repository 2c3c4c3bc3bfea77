"""The paper's own model tables (Tables 1, 3, 4, A4, A9), checked against hand counts and printed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.datasets import load_table
from chinchilla_lib.laws import get_law
from chinchilla_lib.laws.architecture import TransformerShape
from chinchilla_lib.studies import published_models as pm

VOCAB, SEQ = 32000, 2048


# ------------------------------------------- independent counts, written out from the docstrings
def _params(d, f, kv, h, layers, vocab=VOCAB):
    """Total parameters by the Table A9 convention (architecture module docstring), written out again."""
    w = h * kv
    per_layer = (4 * d * w + 3 * w + d) + (2 * d * f + f + d) + 4 * d + (d * w + 2 * w)
    return vocab * d + layers * per_layer + 2 * d


def _appendix_f_per_token(d, f, kv, h, layers, *, embeddings, s=SEQ, vocab=VOCAB):
    """Appendix F's forward terms, times 3 for the backward pass, per token."""
    w = h * kv
    attention = 6 * s * d * w + 2 * s * s * w + 3 * h * s * s + 2 * s * s * w + 2 * s * w * d
    forward = layers * (attention + 4 * s * d * f) + (4 * s * vocab * d if embeddings else 0)
    return 3 * forward / s


# ------------------------------------------------------------------ Table 1 and Table 3
def test_table1_allocations_match_hand_arithmetic():
    models = pm.table1_allocations().set_index("model")
    # Table 1: Chinchilla 70B on 1.4T tokens, Gopher 280B and GPT-3 175B on 300B tokens.
    assert models.loc["Chinchilla", "tokens_per_param"] == pytest.approx(20.0)
    assert models.loc["Chinchilla", "flops"] == pytest.approx(6 * 70e9 * 1.4e12)
    assert models.loc["Gopher", "tokens_per_param"] == pytest.approx(300 / 280)
    assert models.loc["Gopher", "flops"] == pytest.approx(5.04e23)
    assert models.loc["GPT-3", "tokens_per_param"] == pytest.approx(300 / 175)
    assert list(models.columns) == ["n_params", "n_tokens", "tokens_per_param", "flops"]


def test_approach1_projections_and_their_median_tokens_per_param():
    rows = pm.approach1_projections()
    assert len(rows) == 9 and (rows["approach"] == 1).all()
    # Table 3's nine ratios sorted: 20, 20.2, 20.51, 21.07, 21.14 (175B on 3.7T), ...; the fifth is the median.
    assert pm.approach1_tokens_per_param() == pytest.approx(3.7e12 / 1.75e11, rel=1e-12)


# ------------------------------------------------------------------ Eq. 4 at a budget
def test_law_allocations_follow_the_closed_form():
    flops = 5.76e23
    table = pm.law_allocations(flops)
    assert list(table.index) == ["paper", "paper-full"]
    for name, row in table.iterrows():
        law = get_law(name)
        a = law.beta / (law.alpha + law.beta)
        g = (law.alpha * law.A / (law.beta * law.B)) ** (1 / (law.alpha + law.beta))
        assert row.a == pytest.approx(a, rel=1e-12)
        assert row.n_opt == pytest.approx(g * (flops / 6) ** a, rel=1e-9)
        assert 6 * row.n_opt * row.d_opt == pytest.approx(flops, rel=1e-9)
        assert row.tokens_per_param == pytest.approx(row.d_opt / row.n_opt, rel=1e-12)
    # The printed, rounded constants give a = 0.34 / (0.34 + 0.28) (Eq. 10).
    assert table.loc["paper", "a"] == pytest.approx(0.28 / 0.62, rel=1e-12)


def test_allocation_growth_is_factor_to_the_exponents():
    law = get_law("paper-full")
    n_factor, d_factor = pm.allocation_growth(law, 5.76e23, 10)
    assert n_factor == pytest.approx(10 ** law.a, rel=1e-12)
    assert d_factor == pytest.approx(10 ** law.b, rel=1e-12)
    assert n_factor * d_factor == pytest.approx(10, rel=1e-12)


def test_scale_allocation_along_kaplan_exponents():
    out = pm.scale_allocation(175e9, 300e9, 0.73, 0.27, 100)
    assert out["n_factor"] == pytest.approx(10 ** 1.46)
    assert out["d_factor"] == pytest.approx(10 ** 0.54)
    assert out["n_params"] == pytest.approx(175e9 * 10 ** 1.46)
    assert out["n_tokens"] == pytest.approx(300e9 * 10 ** 0.54)
    assert out["tokens_per_param"] == pytest.approx(300 * 10 ** 0.54 / (175 * 10 ** 1.46))


# ------------------------------------------------------------------ shapes
def test_table4_shape_and_overrides():
    shape = pm.table4_shape("Chinchilla 70B")
    assert (shape.d_model, shape.ffw_size, shape.kv_size, shape.n_heads, shape.n_layers) == (8192, 32768, 128, 64, 80)
    assert pm.table4_shape("Chinchilla 70B", seq_len=32768).seq_len == 32768
    assert pm.table4_shape("Gopher 280B").d_model == 16384
    with pytest.raises(KeyError, match="Table 4"):
        pm.table4_shape("Chinchilla")


def test_naive_count_embedding_share_and_crossover_by_hand():
    small = TransformerShape(d_model=512, ffw_size=2048, kv_size=64, n_heads=8, n_layers=8)
    assert pm.naive_parameter_count(small) == 8 * 12 * 512**2 + 32000 * 512 == 41_549_824
    # 32000 * 512 embedding parameters out of 43,709,440 (hand count of the 44M model of Table A9).
    assert pm.embedding_share(small) == pytest.approx(16_384_000 / 43_709_440, rel=1e-12)
    chinchilla = pm.table4_shape("Chinchilla 70B")
    s, d, w = pm.attention_crossover_length(chinchilla), chinchilla.d_model, chinchilla.attention_width
    assert s == 16384
    assert 2 * 2 * s * w == 2 * 4 * d * w  # score products equal projections per token


# ------------------------------------------------------------------ Table A4
def test_table_a4_ratios_against_appendix_f_written_out():
    table = pm.table_a4_ratios()
    a4 = load_table("tableA4_flop_ratio")
    assert list(table["model"]) == list(a4["label"])
    for row, (_, r) in zip(a4.itertuples(), table.iterrows()):
        dims = (row.d_model, row.ffw_size, row.kv_size, row.n_heads, row.n_layers)
        n = _params(*dims)
        assert r["n_params"] == n
        assert r["ours, without embeddings"] == pytest.approx(
            _appendix_f_per_token(*dims, embeddings=False) / (6 * n), rel=1e-12)
        assert r["ours, App. F as written"] == pytest.approx(
            _appendix_f_per_token(*dims, embeddings=True) / (6 * n), rel=1e-12)
    # Table A4 prints two decimals: without embeddings every ratio is within that rounding.
    assert (table["difference"].abs() < 0.005).all()


def test_table_a4_summary():
    table = pm.table_a4_ratios()
    summary = pm.table_a4_summary(table)
    assert summary["small_label"] == "73M"
    n = _params(640, 2560, 64, 10, 10)
    assert summary["small_with_emb"] == pytest.approx(
        _appendix_f_per_token(640, 2560, 64, 10, 10, embeddings=True) / (6 * n), rel=1e-12)
    assert summary["max_diff"] == pytest.approx(max(abs(table["difference"])))
    assert summary["max_diff"] < 0.005
    frame = pd.DataFrame({"model": ["x", "y"], "difference": [0.001, -0.004], "ours, App. F as written": [1.5, 1.1]})
    assert pm.table_a4_summary(frame) == {"max_diff": 0.004, "small_label": "x", "small_with_emb": 1.5}


# ------------------------------------------------------------------ Table A9
def test_table_a9_counts_against_hand_counts():
    counts = pm.table_a9_counts()
    a9 = load_table("tableA9_models")
    assert len(counts) == len(a9) == 50
    hand = np.array([_params(r.d_model, r.ffw_size, r.kv_size, r.n_heads, r.n_layers) for r in a9.itertuples()])
    np.testing.assert_array_equal(counts["n_params"], hand)
    np.testing.assert_allclose(counts["ours"], hand / 1e6, rtol=1e-15)
    np.testing.assert_allclose(counts["difference"], hand / 1e6 - a9["n_params_millions"], rtol=1e-12)
    first = counts.iloc[0]
    assert first["n_params_millions"] == 44 and first["ours"] == pytest.approx(43.70944)
    assert first["naive_12Ld2"] == pytest.approx(41.549824) and bool(first["rounds"])
    assert first["flop_ratio_with_embeddings"] == pytest.approx(
        _appendix_f_per_token(512, 2048, 64, 8, 8, embeddings=True) / (6 * 43_709_440), rel=1e-12)


def test_table_a9_summary():
    counts = pm.table_a9_counts()
    summary = pm.table_a9_summary(counts)
    a9 = load_table("tableA9_models")
    hand = np.array([_params(r.d_model, r.ffw_size, r.kv_size, r.n_heads, r.n_layers) for r in a9.itertuples()]) / 1e6
    printed = a9["n_params_millions"].to_numpy(float)
    assert summary["n"] == 50
    assert summary["rounds"] == int((np.round(hand) == printed).sum())
    assert summary["max_abs"] == pytest.approx(np.abs(hand - printed).max())
    assert summary["max_rel"] == pytest.approx(np.abs((hand - printed) / printed).max())
    assert summary["max_rel"] < 0.01  # within 1% of every printed size
    naive = np.array([12 * r.n_layers * r.d_model**2 + 32000 * r.d_model for r in a9.itertuples()]) / 1e6
    assert summary["naive_rel"] == pytest.approx(np.abs((naive - printed) / printed).max())


# ------------------------------------------------------------------ Gopher
def test_gopher_compute_recount_and_summary():
    recount = pm.gopher_compute_recount()
    n_gopher = _params(16384, 65536, 128, 128, 80)
    appf = _appendix_f_per_token(16384, 65536, 128, 128, 80, embeddings=True) * 300e9
    assert recount.iloc[0] == pytest.approx(5.76e23)  # Hoffmann et al., Fig. 2 caption and Table 3
    assert "Rae" not in recount.index[0] and "Table 3" in recount.index[0]
    assert recount.iloc[1] == pytest.approx(6.3e23)  # Appendix F
    assert recount["ours: 6ND"] == pytest.approx(6 * n_gopher * 300e9, rel=1e-12)
    assert recount["ours: App. F count"] == pytest.approx(appf, rel=1e-12)
    summary = pm.gopher_compute_summary()
    assert summary["gap"] == pytest.approx(appf / 6.3e23 - 1, rel=1e-12)
    assert summary["6nd_ours"] == pytest.approx(6 * n_gopher * 300e9, rel=1e-12)
    assert math.isclose(summary["stated"], 5.76e23) and math.isclose(summary["appf_stated"], 6.3e23)


# ------------------------------------------------------------ compute parity
def test_compute_parity_counts_both_models_alike():
    parity = pm.compute_parity()
    # by hand: 6 x 70e9 x 1.4e12 = 5.88e23 and 6 x 280e9 x 300e9 = 5.04e23 (Table 1)
    assert parity.loc["6ND", "chinchilla"] == pytest.approx(5.88e23, rel=1e-12)
    assert parity.loc["6ND", "gopher"] == pytest.approx(5.04e23, rel=1e-12)
    assert parity.loc["6ND", "ratio"] == pytest.approx(5.88 / 5.04, rel=1e-12)
    chin = _appendix_f_per_token(8192, 32768, 128, 64, 80, embeddings=True) * 1.4e12
    gopher = _appendix_f_per_token(16384, 65536, 128, 128, 80, embeddings=True) * 300e9
    assert parity.loc["App. F", "chinchilla"] == pytest.approx(chin, rel=1e-12)
    assert parity.loc["App. F", "ratio"] == pytest.approx(chin / gopher, rel=1e-12)
    assert parity["gopher"].iloc[2] == pytest.approx(5.76e23)
    summary = pm.compute_parity_summary()
    assert summary["chin_over_budget"] == pytest.approx(5.88 / 5.76, rel=1e-12)


def test_printed_rounding_share():
    # 70B and 1.4T: 0.5/70 + 0.05/1.4; 280B and 300B: 0.5/280 + 0.5/300
    assert pm.printed_rounding_share("Chinchilla") == pytest.approx(0.5 / 70 + 0.05 / 1.4)
    assert pm.printed_rounding_share("Gopher") == pytest.approx(0.5 / 280 + 0.5 / 300)
    assert pm.printed_rounding_share("Chinchilla", tokens_only=True) == pytest.approx(0.05 / 1.4)
    with pytest.raises(ValueError, match="model"):
        pm.printed_rounding_share("GPT-3")
