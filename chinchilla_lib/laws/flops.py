"""FLOP accounting: Hoffmann et al. (2022) Appendix F and the 6ND approximation.

Forward-pass FLOPs of one sequence (a multiply-accumulate counts 2):

* embeddings ``2 * seq_len * vocab_size * d_model``;
* per layer, attention: QKV projections ``2 * 3 * seq_len * d_model * w``,
  key @ query logits ``2 * seq_len**2 * w``, softmax ``3 * n_heads * seq_len**2``,
  softmax @ values ``2 * seq_len**2 * w``, output projection ``2 * seq_len * w * d_model``
  (with ``w = n_heads * kv_size``);
* per layer, dense block ``2 * seq_len * (d_model * ffw_size + d_model * ffw_size)``;
* final logits ``2 * seq_len * d_model * vocab_size``.

The backward pass costs twice the forward pass.  Table A4 compares this count
with ``6 N D``; its printed ratios are reproduced when the embedding and logit
terms are left out (as nanoGPT's recomputation found, citing the authors), which
:func:`flops_per_sequence` allows with ``include_embeddings=False``.
Used by the chapter *Compute accounting*.
"""

from __future__ import annotations

import math

from .._validate import like_inputs as _like
from .._validate import positive_scalar, positive_values
from .architecture import TransformerShape, parameter_counts

__all__ = [
    "PF_DAY",
    "flops_per_sequence",
    "flops_per_token",
    "six_nd",
    "runs_flops",
    "flops_text",
    "flop_ratio",
    "to_pf_days",
    "from_pf_days",
    "training_flops",
]

#: One petaFLOP/s-day in FLOPs (Kaplan et al. 2020, Sec. 1.3).
PF_DAY = 1e15 * 24 * 3600


def _forward_terms(shape: TransformerShape) -> dict[str, int]:
    s, d, f, v, h = shape.seq_len, shape.d_model, shape.ffw_size, shape.vocab_size, shape.n_heads
    w = shape.attention_width
    attention = (
        2 * 3 * s * d * w  # key, query and value projections
        + 2 * s * s * w  # key @ query logits
        + 3 * h * s * s  # softmax
        + 2 * s * s * w  # softmax @ values
        + 2 * s * w * d  # final linear
    )
    dense = 2 * s * (d * f + d * f)
    return {
        "embeddings": 2 * s * v * d,
        "layers": shape.n_layers * (attention + dense),
        "logits": 2 * s * d * v,
    }


def flops_per_sequence(shape: TransformerShape, *, include_embeddings: bool = True) -> int:
    """Forward + backward FLOPs for one sequence of ``shape.seq_len`` tokens (App. F).

    Parameters
    ----------
    shape : TransformerShape
    include_embeddings : bool, default True
        Count the embedding and final-logit terms.  Table A4's printed ratios
        correspond to ``False``.

    References
    ----------
    Hoffmann et al. 2022, Appendix F.
    """
    terms = _forward_terms(shape)
    forward = terms["layers"] + (terms["embeddings"] + terms["logits"] if include_embeddings else 0)
    return 3 * forward  # backward = 2 x forward


def flops_per_token(shape: TransformerShape, *, include_embeddings: bool = True) -> float:
    """Training FLOPs per token: :func:`flops_per_sequence` / ``seq_len``."""
    return flops_per_sequence(shape, include_embeddings=include_embeddings) / shape.seq_len


def six_nd(n_params, n_tokens):
    """The approximation C = 6 N D in FLOPs (Kaplan et al. 2020; Hoffmann Eq. 4).

    Examples
    --------
    Chinchilla, 70B parameters on 1.4T tokens: 6 x 7e10 x 1.4e12 = 5.88e23 by hand.

    >>> f"{six_nd(70e9, 1.4e12):.3g}"
    '5.88e+23'
    """
    n = positive_values("n_params", n_params, hint="parameters as a raw count, e.g. 7e10")
    d = positive_values("n_tokens", n_tokens, hint="tokens as a raw count, e.g. 1.4e12")
    return _like(6.0 * n * d, n_params, n_tokens)


def runs_flops(runs):
    """Each run's training FLOPs: the frame's ``flops`` column where it has one, else C = 6 N D (:func:`six_nd`).

    The one place the library fills in compute that a table of runs leaves out.

    Parameters
    ----------
    runs : DataFrame
        Runs with ``n_params`` and ``flops`` or ``n_tokens`` (raw counts).

    Returns
    -------
    ndarray of float
    """
    if "flops" in runs.columns:
        return runs["flops"].to_numpy(float)
    return six_nd(runs["n_params"].to_numpy(float), runs["n_tokens"].to_numpy(float))


def flops_text(value, digits: int = 3) -> str:
    """A count in scientific notation as the book writes FLOPs: ``5.76e23``, ``1e24`` (``digits`` significant).

    Missing or infinite values are written "–".

    Examples
    --------
    >>> flops_text(5.76e23), flops_text(1e24), flops_text(float("nan"))
    ('5.76e23', '1e24', '–')
    """
    if value is None or not math.isfinite(value):
        return "–"
    mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def flop_ratio(shape: TransformerShape, *, include_embeddings: bool = False) -> float:
    """Exact training FLOPs per token over 6N, with N the total parameter count (Table A4)."""
    n_total = parameter_counts(shape)["total"]
    return flops_per_token(shape, include_embeddings=include_embeddings) / (6.0 * n_total)


def to_pf_days(flops):
    """FLOPs -> petaFLOP/s-days."""
    c = positive_values("flops", flops, hint="a compute amount in FLOPs")
    return _like(c / PF_DAY, flops)


def from_pf_days(pf_days):
    """PetaFLOP/s-days -> FLOPs."""
    c = positive_values("pf_days", pf_days, hint="a compute amount in PF-days")
    return _like(c * PF_DAY, pf_days)


def training_flops(shape: TransformerShape, n_tokens: float, *, include_embeddings: bool = True) -> float:
    """Total training FLOPs of ``n_tokens`` tokens with the App. F count."""
    tokens = positive_scalar("n_tokens", n_tokens, hint="tokens as a raw count, e.g. 3e11")
    return flops_per_token(shape, include_embeddings=include_embeddings) * tokens
