"""Settings of one training run, without torch: shapes, parameter and FLOP counts, the batch/LR rule.

Everything a sweep needs to plan its runs (and a chapter needs to read them) lives here, so
it imports nothing heavier than numpy.  The network itself is :mod:`chinchilla_lib.train.model`.

* :data:`LADDER`: the model family, shapes of a pre-norm GPT with a byte vocabulary (256) and a
  context of 128, spaced about 10^0.2 apart in parameters (our Table A9).
* :func:`gpt_parameter_counts`: :func:`~chinchilla_lib.laws.architecture.parameter_counts` adapted to
  learned positions (no relative-position projections; a position table of ``seq_len * d_model``).
* :func:`run_flops_per_token`: training FLOPs per token from :mod:`chinchilla_lib.laws.flops`
  (Appendix F), embeddings and logits included and reported separately.
* :func:`batch_rule`: steps, sequences and learning rate for a run of a given length: every run
  takes :data:`MIN_STEPS` optimiser steps, its batch growing with its length.
* :data:`SAMPLERS` and :data:`ACCOUNTINGS`: how a run draws its training windows, and how its
  budget is counted (:func:`accounted_flops_per_token`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from ..laws.architecture import TransformerShape, parameter_counts
from ..laws.flops import flops_per_token

__all__ = [
    "VOCAB_SIZE", "SEQ_LEN", "N_VAL_WINDOWS", "MIN_STEPS", "WARMUP_DIVISOR", "MAX_BATCH", "LR_BASE", "LR_WIDTH", "LADDER", "shape_of", "gpt_parameter_counts",
    "run_flops_per_token", "batch_rule", "RunConfig", "plan_run", "SAMPLERS", "ACCOUNTINGS",
    "accounted_flops_per_token",
]

#: Byte-level vocabulary.
VOCAB_SIZE = 256
#: Context length (tokens predicted per sequence).
SEQ_LEN = 128
#: Validation windows (of SEQ_LEN + 1 bytes) every evaluation averages over.
N_VAL_WINDOWS = 1024
#: Every run takes at least this many optimiser steps.
MIN_STEPS = 1000
#: The linear warm-up of a run planned by :func:`plan_run` takes its steps divided by this (a tenth).
#: The first grid used 50 (a fiftieth, 20 steps of 1000): with the rates the ``lr-scan`` sweep found
#: best for the narrow models, so short a warm-up let one seed of a run end 0.2 nats above the other.
WARMUP_DIVISOR = 10
#: Largest batch, in sequences (a longer run takes more steps instead).
MAX_BATCH = 32
#: Peak learning rate at width :data:`LR_WIDTH`.  The sweep ``lr-tune`` found the best peak
#: learning rate near 4e-3 for g03 (width 32, batch 8) and at least 5.7e-3 for g02 (width 24,
#: batch 2): about constant in the batch and falling with the width.
LR_BASE = 4e-3
#: The width at which the peak learning rate is :data:`LR_BASE`.
LR_WIDTH = 32

#: How a run draws its training windows (see :mod:`chinchilla_lib.train.sampling`): ``uniform``, window
#: starts drawn uniformly with replacement (the first grids; bytes repeat, within a run and across
#: epochs); ``disjoint``, non-overlapping windows in a seeded random order, none read twice.
SAMPLERS = ("uniform", "disjoint")
#: How a run's budget is counted: ``appendix-f``, the training FLOPs of Appendix F with embeddings and
#: logits (:func:`run_flops_per_token`; the first grids); ``6nd``, ``C = 6 N D`` with ``N`` the total
#: parameter count, embeddings included.
ACCOUNTINGS = ("appendix-f", "6nd")

#: The model family: name -> (d_model, n_layers, n_heads); kv_size = d_model / n_heads, ffw_size = 4 d_model.
#: In order of size (``s01``, the smallest, was added when the lowest loss of a slice fell on ``g00``).
LADDER: dict[str, tuple[int, int, int]] = {
    "s01": (8, 1, 1),
    "g00": (16, 1, 1),
    "g01": (16, 2, 1),
    "g02": (24, 2, 2),
    "g03": (32, 2, 2),
    "g04": (32, 3, 2),
    "g05": (48, 2, 3),
    "g06": (48, 3, 3),
    "g07": (64, 3, 4),
    "g08": (64, 4, 4),
    "g09": (80, 4, 5),
    "g10": (96, 4, 6),
    "g11": (112, 4, 7),
    "g12": (128, 4, 8),
    "g13": (128, 6, 8),
    "g14": (160, 6, 10),
}


def shape_of(name: str) -> TransformerShape:
    """The :class:`TransformerShape` of a :data:`LADDER` entry."""
    if name not in LADDER:
        raise ValueError(f"model must be one of {sorted(LADDER)}, got {name!r}")
    d, layers, heads = LADDER[name]
    return TransformerShape(d_model=d, ffw_size=4 * d, kv_size=d // heads, n_heads=heads, n_layers=layers,
                            vocab_size=VOCAB_SIZE, seq_len=SEQ_LEN)


def gpt_parameter_counts(shape: TransformerShape) -> dict[str, int]:
    """Parameters of :class:`~chinchilla_lib.train.model.GPT` of ``shape``.

    The count of :func:`~chinchilla_lib.laws.architecture.parameter_counts` (Gopher's layout: tied
    embeddings, biases, two layer norms per layer and a final one) without its relative-position
    projections ``n_layers * (d_model * w + 2 w)`` and with a learned position table
    ``seq_len * d_model``.

    Returns
    -------
    dict
        ``total``; ``embedding`` (token table, which is also the output layer, plus positions),
        ``token_embedding``, ``position_embedding`` and ``non_embedding``.

    References
    ----------
    Hoffmann et al. 2022, Table A9; Kaplan et al. 2020, Sec. 2.1 (non-embedding parameters).
    """
    base = parameter_counts(shape)
    w = shape.attention_width
    relative = shape.n_layers * (shape.d_model * w + 2 * w)
    positions = shape.seq_len * shape.d_model
    non_embedding = base["non_embedding"] - relative
    return {"total": non_embedding + base["embedding"] + positions, "embedding": base["embedding"] + positions,
            "token_embedding": base["embedding"], "position_embedding": positions, "non_embedding": non_embedding}


def run_flops_per_token(shape: TransformerShape) -> dict[str, float]:
    """Training FLOPs per token of ``shape`` (Appendix F), total and without the embedding terms.

    Appendix F counts the relative-position projections with the attention layers only through
    the key, query and value widths, so the count applies unchanged to learned positions (whose
    addition costs one add per element, left out as the paper leaves out layer norms).

    Returns
    -------
    dict
        ``total`` (embeddings and logits included), ``non_embedding``, ``embedding`` (the
        difference) and ``six_n`` (6 times the total parameter count).

    References
    ----------
    Hoffmann et al. 2022, Appendix F.
    """
    total = flops_per_token(shape, include_embeddings=True)
    inner = flops_per_token(shape, include_embeddings=False)
    return {"total": total, "non_embedding": inner, "embedding": total - inner,
            "six_n": 6.0 * gpt_parameter_counts(shape)["total"]}


def accounted_flops_per_token(shape: TransformerShape, accounting: str = "appendix-f") -> float:
    """Training FLOPs per token of ``shape`` in ``accounting`` (one of :data:`ACCOUNTINGS`).

    ``appendix-f``: ``run_flops_per_token(shape)["total"]``; ``6nd``: 6 times the total
    parameter count of :func:`gpt_parameter_counts` (embeddings included).

    References
    ----------
    Hoffmann et al. 2022, Appendix F and Table A4 (the two counts side by side).
    """
    if accounting not in ACCOUNTINGS:
        raise ValueError(f"accounting must be one of {ACCOUNTINGS}, got {accounting!r}")
    if accounting == "6nd":
        return 6.0 * gpt_parameter_counts(shape)["total"]
    return run_flops_per_token(shape)["total"]


def batch_rule(n_tokens: float, d_model: int, *, seq_len: int = SEQ_LEN, min_steps: int = MIN_STEPS,
               max_batch: int = MAX_BATCH, lr_base: float = LR_BASE) -> tuple[int, int, float]:
    """Steps, training sequences and peak learning rate for a run of ``n_tokens`` tokens at width ``d_model``.

    Every run takes ``min_steps`` optimiser steps (more only if a step would need more than
    ``max_batch`` sequences): the batch grows with the run, ``n_tokens / (min_steps * seq_len)``
    sequences a step on average, spread as evenly as whole sequences allow.  A batch that is a
    whole number (a power of two, say) would make the step count jump between neighbouring
    sizes of an IsoFLOP slice, and at these sizes the number of steps moves the loss by more
    than the differences between sizes.  The peak learning rate is ``lr_base * LR_WIDTH /
    d_model``: inversely proportional to the width (as in muP, Yang et al. 2022) and
    independent of the batch, which is what the sweep ``lr-tune`` found (see :data:`LR_BASE`).

    Returns
    -------
    steps, n_sequences, lr : int, int, float

    Raises
    ------
    ValueError
        If the run has fewer than ``min_steps`` sequences (less than one a step).
    """
    n_sequences = int(round(n_tokens / seq_len))
    if n_sequences < min_steps:
        raise ValueError(f"n_tokens must be at least min_steps * seq_len = {min_steps * seq_len}, got {n_tokens:.0f}; "
                         "raise the budget or pick a smaller model")
    steps = max(min_steps, -(-n_sequences // max_batch))
    return steps, n_sequences, lr_base * LR_WIDTH / d_model


#: Settings added after the first grids, with the value the first grids ran with (left out of a key).
_KEYLESS = {"sampler": "uniform", "accounting": "appendix-f"}


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one training run (the columns of a sweep's tidy rows).

    ``steps`` optimiser steps of ``batch`` sequences of ``shape.seq_len`` tokens (or, with
    ``n_sequences``, that many sequences spread over the steps as evenly as whole sequences
    allow, ``batch`` then being the smallest batch); a linear
    warm-up over ``warmup`` steps then a cosine decay to ``lr * final_lr_fraction`` over
    ``schedule_steps`` (= ``steps`` for a matched schedule; longer for a fixed one, the run then
    stopping part-way down the cosine); the warm-up defaults to 2% of ``steps`` whatever the
    schedule, so a fixed and a matched run differ only in the decay; validation after each
    step in ``eval_steps``.  ``sampler`` (one of :data:`SAMPLERS`) says how training windows are
    drawn and ``accounting`` (one of :data:`ACCOUNTINGS`) how ``budget`` and the run's FLOPs are
    counted.
    """

    model: str
    steps: int
    batch: int
    lr: float
    seed: int = 0
    schedule_steps: int = 0
    warmup: int = 0
    final_lr_fraction: float = 0.1
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    corpus: str = "shakespeare"
    eval_steps: tuple[int, ...] = field(default_factory=tuple)
    budget: float = 0.0
    schedule: str = "matched"
    n_sequences: int | None = None
    sampler: str = "uniform"
    accounting: str = "appendix-f"

    def __post_init__(self) -> None:
        shape_of(self.model)
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, got {self.sampler!r}")
        if self.accounting not in ACCOUNTINGS:
            raise ValueError(f"accounting must be one of {ACCOUNTINGS}, got {self.accounting!r}")
        for key in ("steps", "batch"):
            if int(getattr(self, key)) < 1:
                raise ValueError(f"{key} must be a positive whole number, got {getattr(self, key)!r}")
        if self.n_sequences is not None and self.n_sequences < self.steps:
            raise ValueError(f"n_sequences ({self.n_sequences}) must be at least steps ({self.steps})")
        if not self.schedule_steps:
            object.__setattr__(self, "schedule_steps", self.steps)
        if self.schedule_steps < self.steps:
            raise ValueError(f"schedule_steps ({self.schedule_steps}) must be at least steps ({self.steps})")
        if not self.warmup:
            object.__setattr__(self, "warmup", max(1, self.steps // 50))
        evals = tuple(sorted({int(s) for s in self.eval_steps} | {self.steps}))
        if evals[0] < 1 or evals[-1] > self.steps:
            raise ValueError(f"eval_steps must lie in 1..steps={self.steps}, got {self.eval_steps}")
        object.__setattr__(self, "eval_steps", evals)

    @property
    def shape(self) -> TransformerShape:
        return shape_of(self.model)

    @property
    def total_sequences(self) -> int:
        return self.steps * self.batch if self.n_sequences is None else self.n_sequences

    @property
    def n_tokens(self) -> int:
        return self.total_sequences * self.shape.seq_len

    def batch_sizes(self):
        """Sequences at each step: ``batch`` throughout, or ``n_sequences`` spread evenly (numpy array)."""
        import numpy as np

        edges = np.arange(self.steps + 1, dtype=np.int64) * self.total_sequences // self.steps
        return np.diff(edges)

    @property
    def flops_per_token(self) -> float:
        """Training FLOPs per token in the run's ``accounting``."""
        return accounted_flops_per_token(self.shape, self.accounting)

    def key(self) -> str:
        """A stable hash of every setting: the run's identity in a resumable sweep.

        Unset optional settings are left out, and so are the settings added after the first grids
        (:data:`_KEYLESS`) while they hold the value those grids ran with: the committed runs keep
        their keys, and a run with another sampler or accounting has a key of its own.
        """
        settings = {k: v for k, v in self.as_dict().items()
                    if v is not None and not (k in _KEYLESS and v == _KEYLESS[k])}
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        out = asdict(self)
        out["eval_steps"] = list(self.eval_steps)
        return out

    def with_(self, **changes) -> RunConfig:
        return replace(self, **changes)


def plan_run(model: str, budget: float, *, seed: int = 0, corpus: str = "shakespeare", n_evals: int = 8,
             horizon: float | None = None, lr_base: float = LR_BASE, min_steps: int = MIN_STEPS,
             lr: float | None = None, warmup_divisor: int = WARMUP_DIVISOR, sampler: str = "uniform",
             accounting: str = "appendix-f") -> RunConfig:
    """The run of ``model`` that spends ``budget`` training FLOPs counted by ``accounting``.

    Tokens ``D = budget / FLOPs-per-token`` (:func:`accounted_flops_per_token`: the Appendix F
    count with embeddings by default, ``6 N`` with ``accounting="6nd"``); steps, sequences and learning rate from
    :func:`batch_rule`; ``n_evals`` validations spaced evenly in
    log(steps) from 1/16 of the run to its end.  With ``horizon`` (a larger FLOP budget), the
    cosine is laid out for the tokens ``model`` would see at ``horizon`` (a fixed schedule, the
    same for every budget, as Kaplan et al. 2020 trained) and the run stops after ``D`` tokens.
    ``min_steps`` below :data:`MIN_STEPS` is for quick checks only (the smoke grid); ``lr``
    overrides the rule's learning rate; the warm-up takes ``steps // warmup_divisor`` steps (50
    for the first grid and the smoke grid, whose committed runs keep their settings); ``sampler``
    is one of :data:`SAMPLERS`.
    """
    shape = shape_of(model)
    per_token = accounted_flops_per_token(shape, accounting)
    n_tokens = budget / per_token
    steps, n_sequences, rule_lr = batch_rule(n_tokens, shape.d_model, seq_len=shape.seq_len, lr_base=lr_base,
                                             min_steps=min_steps)
    lr = rule_lr if lr is None else float(lr)
    evals = sorted({int(round(steps * 2.0 ** (-4 * k / max(1, n_evals - 1)))) for k in range(n_evals)})
    schedule_steps = steps
    if horizon is not None:
        if horizon <= budget:
            raise ValueError(f"horizon must exceed the budget {budget:.3g}, got {horizon:.3g}")
        schedule_steps = int(round(steps * horizon / per_token / n_tokens))
    return RunConfig(model=model, steps=steps, batch=n_sequences // steps, lr=lr, seed=seed, corpus=corpus,
                     schedule_steps=schedule_steps, warmup=max(1, steps // int(warmup_divisor)), eval_steps=tuple(evals), budget=float(budget),
                     schedule="matched" if horizon is None else "fixed", n_sequences=n_sequences, sampler=sampler,
                     accounting=accounting)
