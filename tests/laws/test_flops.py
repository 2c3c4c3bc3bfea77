"""chinchilla_lib.laws.flops: parameter and FLOP counts (Hoffmann et al. App. F), against Tables A4 and A9 and
term by term."""

import math

import numpy as np
import pytest

from chinchilla_lib.datasets import load_table
from chinchilla_lib.laws.architecture import TransformerShape, parameter_counts, table_parameter_counts
from chinchilla_lib.laws.flops import (
    PF_DAY,
    flop_ratio,
    flops_per_sequence,
    flops_per_token,
    from_pf_days,
    six_nd,
    to_pf_days,
    training_flops,
)

# ======== Parameter and FLOP counts against Tables A4 and A9 (Hoffmann et al. App. F).

def shape(row, **kw):
    return TransformerShape(int(row.d_model), int(row.ffw_size), int(row.kv_size), int(row.n_heads),
                            int(row.n_layers), **kw)


A4 = list(load_table("tableA4_flop_ratio").itertuples())
A9 = list(load_table("tableA9_models").itertuples())


@pytest.mark.parametrize("row", A4, ids=[r.label for r in A4])
def test_table_A4_ratios_to_their_two_printed_decimals(row):
    # Table A4 leaves out embedding and logit FLOPs (see flops module docstring)
    assert round(flop_ratio(shape(row)), 2) == pytest.approx(row.flop_ratio, abs=1e-9)


def test_table_A4_is_not_reproduced_with_embeddings_counted():
    # documents why include_embeddings=False: with the terms, the 73M row is ~1.58, not 1.03
    ratios = [flop_ratio(shape(r), include_embeddings=True) for r in A4]
    assert ratios[0] > 1.5
    assert sum(round(x, 2) == r.flop_ratio for x, r in zip(ratios, A4)) <= 1


@pytest.mark.parametrize("row", A9, ids=[str(r.n_params_millions) for r in A9])
def test_table_A9_parameter_counts(row):
    ours = parameter_counts(shape(row))["total"] / 1e6
    # Printed in whole millions.  37 of 50 rows round to the printed value; the
    # other 13 are 0.5-1.5M high (at most 0.011%): the paper does not give the
    # small terms (biases, norms, relative-position biases) of its count.
    assert abs(ours - row.n_params_millions) <= 0.5 + 1e-4 * row.n_params_millions + 0.1


def test_table_A9_exact_rounding_count():
    rounds = sum(round(parameter_counts(shape(r))["total"] / 1e6) == r.n_params_millions for r in A9)
    assert rounds == 37


def test_naive_attention_width_fails_where_heads_times_kv_differs_from_d_model():
    # Six A9 shapes have n_heads * kv_size != d_model; assuming width d_model misses them by > 0.4%
    odd = [r for r in A9 if r.n_heads * r.kv_size != r.d_model]
    assert len(odd) == 6
    for r in odd:
        s = shape(r)
        naive = TransformerShape(s.d_model, s.ffw_size, s.d_model // s.n_heads, s.n_heads, s.n_layers)
        err = abs(parameter_counts(naive)["total"] / 1e6 / r.n_params_millions - 1)
        assert err > 4e-3


def test_counts_split_into_embedding_and_rest():
    s = TransformerShape(d_model=512, ffw_size=2048, kv_size=64, n_heads=8, n_layers=8)
    c = parameter_counts(s)
    assert c["embedding"] == 32000 * 512
    assert c["total"] == c["embedding"] + c["non_embedding"]


def test_flops_terms_by_hand_for_a_tiny_model():
    s = TransformerShape(d_model=4, ffw_size=8, kv_size=2, n_heads=2, n_layers=1, vocab_size=10, seq_len=3)
    w = 4
    attention = 2 * 3 * 3 * 4 * w + 2 * 9 * w + 3 * 2 * 9 + 2 * 9 * w + 2 * 3 * w * 4
    dense = 2 * 3 * (4 * 8 + 4 * 8)
    emb = 2 * 3 * 10 * 4
    assert flops_per_sequence(s) == 3 * (emb + attention + dense + emb)
    assert flops_per_sequence(s, include_embeddings=False) == 3 * (attention + dense)
    assert flops_per_token(s) == flops_per_sequence(s) / 3


def test_large_models_approach_6N():
    # for d_model >> seq_len the weight terms dominate: ratio -> 1 (embeddings excluded)
    s = TransformerShape(d_model=16384, ffw_size=65536, kv_size=128, n_heads=128, n_layers=80)
    assert 0.9 < flop_ratio(s) < 1.0


def test_six_nd_and_pf_days():
    assert six_nd(7e10, 1.4e12) == pytest.approx(5.88e23)
    assert PF_DAY == 8.64e19
    assert to_pf_days(8.64e19) == pytest.approx(1.0)
    assert from_pf_days(to_pf_days(3e21)) == pytest.approx(3e21)
    np.testing.assert_allclose(six_nd(np.array([1e9, 2e9]), 1e10), [6e19, 1.2e20])


def test_gopher_app_F_count_is_below_6ND():
    g = load_table("table4_architecture").iloc[0]
    s = shape(g)
    c = training_flops(s, 3e11)
    assert c < six_nd(parameter_counts(s)["total"], 3e11)
    assert math.isclose(c, 4.75e23, rel_tol=0.01)


@pytest.mark.parametrize("field", ["d_model", "ffw_size", "kv_size", "n_heads", "n_layers", "seq_len"])
def test_shape_rejects_non_positive(field):
    kw = dict(d_model=64, ffw_size=256, kv_size=16, n_heads=4, n_layers=2)
    kw[field] = 0
    with pytest.raises(ValueError, match=field):
        TransformerShape(**kw)


def test_bad_flops_inputs():
    with pytest.raises(ValueError, match="n_params"):
        six_nd(float("nan"), 1e9)
    with pytest.raises(ValueError, match="flops"):
        to_pf_days(-1)
    with pytest.raises(ValueError, match="n_tokens"):
        training_flops(TransformerShape(64, 256, 16, 4, 2), 0)


def test_table_parameter_counts_row_by_row():
    table = load_table("tableA9_models").iloc[[0, -1]]
    counts = table_parameter_counts(table)
    assert list(counts.columns) == ["total", "embedding", "non_embedding"]
    assert list(counts.index) == list(table.index)
    first = table.iloc[0]
    d, f, w, layers = first["d_model"], first["ffw_size"], first["n_heads"] * first["kv_size"], first["n_layers"]
    per_layer = 4 * d * w + 3 * w + d + 2 * d * f + f + d + 4 * d + d * w + 2 * w  # the module docstring's count
    assert counts["embedding"].iloc[0] == 32000 * d
    assert counts["non_embedding"].iloc[0] == layers * per_layer + 2 * d
    assert (counts["total"] == counts["embedding"] + counts["non_embedding"]).all()


# ======== Appendix F's FLOP count term by term, on a small shape whose sizes are distinct primes.
# With seq 7, d_model 11, ffw 13, vocab 17, 3 heads of width 5 (w = 15) and 2 layers, every term of the
# count has its own value, so a wrong factor anywhere changes the total.  The expected values are
# App. F's formulas written out here.

S, D, F, V, H, K, L = 7, 11, 13, 17, 3, 5, 2
W = H * K
SHAPE = TransformerShape(d_model=D, ffw_size=F, kv_size=K, n_heads=H, n_layers=L, vocab_size=V, seq_len=S)

ATTENTION = 2 * 3 * S * D * W + 2 * S * S * W + 3 * H * S * S + 2 * S * S * W + 2 * S * W * D
DENSE = 2 * S * (D * F + D * F)
EMBEDDINGS = 2 * S * V * D
LOGITS = 2 * S * D * V


def test_forward_terms_are_appendix_f():
    from chinchilla_lib.laws.flops import _forward_terms

    assert _forward_terms(SHAPE) == {"embeddings": EMBEDDINGS, "layers": L * (ATTENTION + DENSE), "logits": LOGITS}


def test_training_costs_three_forward_passes():
    assert flops_per_sequence(SHAPE) == 3 * (L * (ATTENTION + DENSE) + EMBEDDINGS + LOGITS)
    assert flops_per_sequence(SHAPE, include_embeddings=False) == 3 * L * (ATTENTION + DENSE)
    assert flops_per_token(SHAPE) == pytest.approx(flops_per_sequence(SHAPE) / S, rel=1e-15)
    assert flops_per_token(SHAPE, include_embeddings=False) == pytest.approx(3 * L * (ATTENTION + DENSE) / S)


def test_flop_ratio_is_per_token_over_6n_without_embeddings_by_default():
    n = parameter_counts(SHAPE)["total"]
    assert flop_ratio(SHAPE) == pytest.approx(3 * L * (ATTENTION + DENSE) / S / (6 * n), rel=1e-12)
    assert flop_ratio(SHAPE, include_embeddings=True) == pytest.approx(flops_per_sequence(SHAPE) / S / (6 * n))


def test_training_flops_are_per_token_times_tokens():
    assert training_flops(SHAPE, 1e9) == pytest.approx(flops_per_sequence(SHAPE) / S * 1e9, rel=1e-12)
    assert training_flops(SHAPE, 1e9, include_embeddings=False) == pytest.approx(3 * L * (ATTENTION + DENSE) / S * 1e9)
    with pytest.raises(ValueError, match=r"n_tokens must be a positive finite number, got -1.0 \(tokens as a raw count"):
        training_flops(SHAPE, -1)


def test_six_nd_keeps_scalars_scalar_and_names_its_arguments():
    assert six_nd(7e10, 1.4e12) == pytest.approx(5.88e23) and type(six_nd(7e10, 1.4e12)) is float
    np.testing.assert_allclose(six_nd([1e9, 2e9], 1e10), [6e19, 1.2e20])
    with pytest.raises(ValueError, match=r"^n_params must be positive and finite; element 0 is 0.0 \(parameters as a raw"):
        six_nd(0, 1e10)
    with pytest.raises(ValueError, match=r"^n_tokens must be positive and finite; element 1 is -1.0 \(tokens as a raw"):
        six_nd(1e9, [1e10, -1])


def test_pf_days_are_1e15_flops_per_second_for_a_day():
    assert PF_DAY == 1e15 * 86400
    assert to_pf_days(8.64e19) == pytest.approx(1.0) and type(to_pf_days(8.64e19)) is float
    assert from_pf_days(2.0) == pytest.approx(1.728e20) and type(from_pf_days(2.0)) is float
    np.testing.assert_allclose(to_pf_days(from_pf_days([1.0, 3.0])), [1.0, 3.0])
    with pytest.raises(ValueError, match=r"^flops must be positive and finite; element 0 is -1.0 \(a compute amount in FLOPs\)"):
        to_pf_days(-1.0)
    with pytest.raises(ValueError, match=r"^pf_days must be positive and finite; element 0 is 0.0 \(a compute amount in PF-days\)"):
        from_pf_days(0.0)


def test_six_nd_keeps_the_shape_of_either_array_argument():
    # C = 6 N D by hand: 6 * 1e9 * 1e10 = 6e19
    assert np.allclose(six_nd(1e9, [1e10, 2e10]), [6e19, 1.2e20], rtol=1e-15, atol=0)
    assert np.allclose(six_nd([1e9, 2e9], 1e10), [6e19, 1.2e20], rtol=1e-15, atol=0)
    assert isinstance(six_nd(1e9, 1e10), float)


# ------------------------------------------------------------------ the 6ND default and FLOPs as text


def test_runs_flops_keeps_a_compute_column_and_fills_6nd_where_there_is_none():
    import pandas as pd

    from chinchilla_lib.laws.flops import runs_flops

    given = runs_flops(pd.DataFrame({"n_params": [1, 2], "n_tokens": [3, 4], "flops": [7, 11]}))
    assert given.tolist() == [7.0, 11.0] and given.dtype == np.float64  # the column, as floats, not 6ND
    filled = runs_flops(pd.DataFrame({"n_params": [100_000_000, 200_000_000], "n_tokens": [1e9, 4e9]}))
    assert filled.tolist() == [6e17, 4.8e18] and filled.dtype == np.float64  # 6 x 1e8 x 1e9, 6 x 2e8 x 4e9 by hand
    with pytest.raises(ValueError, match="n_tokens"):
        runs_flops(pd.DataFrame({"n_params": [1e8], "n_tokens": [-1e9]}))


@pytest.mark.parametrize("value, digits, text", [
    (5.76e23, 3, "5.76e23"), (1e24, 3, "1e24"), (5.8e23, 3, "5.8e23"), (1.5e-5, 3, "1.5e-5"),
    (123456.0, 2, "1.2e5"), (3e21, 1, "3e21"), (0.0, 3, "0e0"), (-2.5e3, 3, "-2.5e3"), (7, 3, "7e0"),
    (None, 3, "–"), (float("nan"), 3, "–"), (float("inf"), 3, "–"), (-float("inf"), 3, "–"),
])
def test_flops_text_writes_powers_of_ten_the_books_way(value, digits, text):
    from chinchilla_lib.laws.flops import flops_text

    assert flops_text(value, digits) == text


def test_flops_text_defaults_to_three_significant_digits():
    from chinchilla_lib.laws.flops import flops_text

    assert flops_text(1.23456e20) == "1.23e20" and flops_text(np.float64(2.0e19)) == "2e19"
