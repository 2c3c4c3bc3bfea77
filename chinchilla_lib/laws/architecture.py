"""Transformer shape -> parameter counts, as in Hoffmann et al. (2022) Table A9.

The paper does not print its parameter-count formula.  We count, for a
decoder-only transformer with Transformer-XL relative position encodings
(Gopher's architecture, Rae et al. 2021):

* token embeddings: ``vocab_size * d_model`` (input and output tied);
* per layer, with ``w = n_heads * kv_size`` the attention width:
  query/key/value/output projections ``4 * d_model * w`` plus biases ``3 w + d_model``;
  the feed-forward block ``2 * d_model * ffw_size`` plus biases ``ffw_size + d_model``;
  two layer norms (scale and offset) ``4 * d_model``;
  the relative-position projection ``d_model * w`` and its two bias vectors ``2 w``;
* a final layer norm ``2 * d_model``.

This is the convention of nanoGPT's ``scaling_laws.ipynb`` generalised to
``n_heads * kv_size != d_model``; it reproduces every Table A9 count to within
0.02% (37 of 50 to the printed million).  Used by the chapter *Compute accounting*.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .._validate import positive_int

if TYPE_CHECKING:
    import pandas

__all__ = ["TransformerShape", "parameter_counts", "table_parameter_counts"]


@dataclass(frozen=True)
class TransformerShape:
    """Hyper-parameters that fix a dense decoder-only transformer's size.

    Parameters
    ----------
    d_model, ffw_size, kv_size, n_heads, n_layers : int
        Width, feed-forward width, per-head key/value size, heads, layers
        (the columns of Table A9).
    vocab_size : int, default 32000
        Chinchilla's SentencePiece vocabulary (Table A8).
    seq_len : int, default 2048
        Context length used for FLOP counts.
    """

    d_model: int
    ffw_size: int
    kv_size: int
    n_heads: int
    n_layers: int
    vocab_size: int = 32000
    seq_len: int = 2048

    def __post_init__(self) -> None:
        for key, value in asdict(self).items():
            object.__setattr__(self, key, positive_int(key, value))

    @classmethod
    def from_row(cls, row, **overrides) -> TransformerShape:
        """The shape of one row of a table with columns ``d_model, ffw_size, kv_size, n_heads, n_layers``.

        ``row`` may be a pandas row (Series or ``itertuples`` tuple) or a mapping, e.g. a row of
        Table A9, A4 or 4; ``overrides`` set ``vocab_size`` or ``seq_len``.
        """
        get = row.get if hasattr(row, "get") else (lambda key: getattr(row, key))
        keys = ("d_model", "ffw_size", "kv_size", "n_heads", "n_layers")
        return cls(**{k: int(get(k)) for k in keys}, **overrides)

    @property
    def attention_width(self) -> int:
        """n_heads * kv_size: the width of the concatenated attention heads."""
        return self.n_heads * self.kv_size


def parameter_counts(shape: TransformerShape) -> dict[str, int]:
    """Total, embedding and non-embedding parameter counts of ``shape``.

    Returns
    -------
    dict
        ``total``, ``embedding`` (token embedding matrix) and ``non_embedding``
        (everything else).

    References
    ----------
    Hoffmann et al. 2022, Table A9 (sizes) and Table 4; Rae et al. 2021 (architecture).
    """
    d, f, w = shape.d_model, shape.ffw_size, shape.attention_width
    attention = 4 * d * w + 3 * w + d
    feed_forward = 2 * d * f + f + d
    layer_norms = 4 * d
    relative_position = d * w + 2 * w
    per_layer = attention + feed_forward + layer_norms + relative_position
    embedding = shape.vocab_size * d
    non_embedding = shape.n_layers * per_layer + 2 * d
    return {"total": embedding + non_embedding, "embedding": embedding, "non_embedding": non_embedding}


def table_parameter_counts(table) -> pandas.DataFrame:
    """:func:`parameter_counts` of every row of a table of shapes (e.g. Table A9), in the table's order.

    Parameters
    ----------
    table : DataFrame
        Columns ``d_model, ffw_size, kv_size, n_heads, n_layers`` (as ``load_table("tableA9_models")``).

    Returns
    -------
    DataFrame
        ``total``, ``embedding`` and ``non_embedding`` per row, on the table's index.

    References
    ----------
    Hoffmann et al. 2022, Table A9.
    """
    import pandas as pd

    counts = [parameter_counts(TransformerShape.from_row(row)) for row in table.itertuples()]
    return pd.DataFrame(counts, index=table.index, columns=["total", "embedding", "non_embedding"])

