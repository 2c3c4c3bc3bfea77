"""Appendix F's FLOP count term by term, on a small shape whose sizes are distinct primes.

With seq 7, d_model 11, ffw 13, vocab 17, 3 heads of width 5 (w = 15) and 2 layers, every term of the
count has its own value, so a wrong factor anywhere changes the total.  The expected values are
App. F's formulas written out here.
"""

import numpy as np
import pytest

from chinchilla_lib.laws.architecture import TransformerShape, parameter_counts
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
