"""A small pre-norm GPT with learned positions, built from a :class:`~chinchilla_lib.laws.architecture.TransformerShape`.

The network is the decoder-only transformer of GPT-2 (Radford et al. 2019) with the layer
norms before each block: token embeddings (tied with the output layer) plus learned position
embeddings; per layer, a causal self-attention with ``n_heads`` heads of width ``kv_size`` and a
GELU feed-forward block of width ``ffw_size``, each with biases; a final layer norm.  Its
parameter count is :func:`chinchilla_lib.train.config.gpt_parameter_counts`, which is the count
of :func:`chinchilla_lib.laws.architecture.parameter_counts` without the Transformer-XL relative
position projections and with the learned position table.

This module imports torch; the rest of the library never imports it.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ..laws.architecture import TransformerShape

__all__ = ["GPT"]


class _Attention(nn.Module):
    def __init__(self, shape: TransformerShape):
        super().__init__()
        self.n_heads, self.kv_size = shape.n_heads, shape.kv_size
        width = shape.attention_width
        self.qkv = nn.Linear(shape.d_model, 3 * width)
        self.out = nn.Linear(width, shape.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, self.kv_size).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, self.n_heads * self.kv_size))


class _Block(nn.Module):
    def __init__(self, shape: TransformerShape):
        super().__init__()
        self.ln1 = nn.LayerNorm(shape.d_model)
        self.attn = _Attention(shape)
        self.ln2 = nn.LayerNorm(shape.d_model)
        self.up = nn.Linear(shape.d_model, shape.ffw_size)
        self.down = nn.Linear(shape.ffw_size, shape.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class GPT(nn.Module):
    """Pre-norm decoder-only transformer of ``shape`` (vocabulary ``shape.vocab_size``, context ``shape.seq_len``).

    Weights start as N(0, 0.02), the two projections that write into the residual stream
    scaled by 1/sqrt(2 n_layers) (GPT-2), biases at zero.

    References
    ----------
    Radford et al. 2019 (GPT-2); Hoffmann et al. 2022, Table A9 (the shape's columns).
    """

    def __init__(self, shape: TransformerShape):
        super().__init__()
        self.shape = shape
        self.tokens = nn.Embedding(shape.vocab_size, shape.d_model)
        self.positions = nn.Parameter(torch.zeros(shape.seq_len, shape.d_model))
        self.blocks = nn.ModuleList(_Block(shape) for _ in range(shape.n_layers))
        self.ln_f = nn.LayerNorm(shape.d_model)
        self._init_weights()

    def _init_weights(self) -> None:
        residual = 0.02 / math.sqrt(2 * self.shape.n_layers)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = residual if name.endswith(("attn.out.weight", "down.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif "ln" in name and name.endswith("weight"):
                nn.init.ones_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits of shape (batch, time, vocab); with ``targets``, also the mean cross-entropy in nats."""
        x = self.tokens(idx) + self.positions[: idx.shape[1]]
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.tokens.weight.T
        if targets is None:
            return logits
        return logits, F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
