"""The design of the second IsoFLOP grid (``isoflop-unrepeated``): mixed corpus, no byte read twice, one FLOP count.

Its settings and the calculations behind them live here (numbers only, no torch, no corpus);
:func:`~chinchilla_lib.train.sweep.unrepeated_plan` plans its runs from them.

The first grid trained on Shakespeare alone (4.58 MB), read it up to 3.2 times (its prediction's
runs up to 6.9 times), counted its budgets by Appendix F and spanned 0.6 decades.  This grid
changes exactly that:

* **Corpus and sampler.**  Corpus ``mixed`` (:func:`~chinchilla_lib.datasets.corpus.load_corpus`:
  91.2 MB of training text; its pin promises at least :data:`UNREPEATED_TRAIN_BYTES` = 90,000,000),
  read by the ``disjoint`` sampler (:mod:`~chinchilla_lib.train.sampling`): a run's windows never
  overlap and none is read twice.  The planner keeps every run within ``(90,000,000 - 1) // 128 =
  703,124`` windows (:func:`fits_one_epoch`), so no run reads more than one epoch; the longest run
  of the first plan (g02 at 5e12: 35.1M tokens) reads 0.39 of one.
* **One accounting: C = 6 N D**, ``N`` the total parameter count (embeddings included).  A run of
  ``model`` at budget ``C`` trains on ``D = C / (6 N)`` tokens; its tokens per parameter are
  ``D / N = C / (6 N^2)``; its row's ``flops`` and its curve's ``flops`` are ``6 N D``.  The
  Appendix F count stays in ``flops_per_token`` (what the network computes, for throughput), and
  each row holds both parameter counts (``n_params``, ``n_params_non_embedding``).
* **Budgets**: :data:`UNREPEATED_BUDGETS`, ``5e12 / 2^k`` for k = 5 .. 0, from 1.5625e11 to 5e12
  FLOPs: six budgets a factor 2 apart, spanning log10(32) = 1.505 decades (the first grid: 0.6).
* **Sizes**: six consecutive sizes of the ladder a budget (:data:`UNREPEATED_START`), chosen so
  that the minimum expected at 100 to 200 tokens per parameter, the nearest size to ``N = sqrt(C /
  (6 k))``, is neither the first nor the last (the second at 1.5625e11, the fourth or fifth at
  5e12); a slice whose lowest loss (seed 0) is at an edge grows by the next size, as the first
  grid's planner does, while that size fits in one epoch and takes
  :data:`~chinchilla_lib.train.config.MIN_STEPS` steps.
* **Seeds**: two (:data:`UNREPEATED_SEEDS`) at every run of every budget, so that each slice can be
  fitted to seed means and the seed scatter measured at every scale.
* **Training**: the peak learning rate of each width from the power law in the width fitted to
  the committed ``lr-scan`` sweep's best rates (:meth:`~chinchilla_lib.train.sweep.LearningRateRule.lr`,
  the rule the laptop chapter derives; rounded to four significant digits so that a run's key does
  not hang on the fit's last bits), warm-up over a tenth of the
  steps, a cosine matched to each run's length, eight validations spaced in log(steps).

**Room for the prediction.**  A prediction at :data:`PREDICTION_FACTOR` x 5e12 = 5e13 FLOPs will
train the ladder size nearest its ``N_opt`` and the sizes either side, three seeds each
(:func:`prediction_runs`); the smaller neighbour reads the most, ``D = 5e13 / (6 N)`` tokens.  With
``k`` tokens per parameter at the optimum, ``N_opt = sqrt(5e13 / (6 k))``:

====================  ====================  ===================  ============================
k (tokens/parameter)  N_opt, nearest size   smaller neighbour    its tokens (epochs of 90M)
====================  ====================  ===================  ============================
100                   288,675: g09          g08 (224,640)        37.1M (0.41)
150                   235,702: g08          g07 (174,656)        47.7M (0.53)
200                   204,124: g08          g07 (174,656)        47.7M (0.53)
212 to 462            198,077 to 134,350:   g06 (103,344)        80.6M (0.90)
                      g07
====================  ====================  ===================  ============================

so over the first grid's 100 to 200 tokens per parameter no run reads more than 47.7M tokens, and
only an optimum beyond 462 (more than twice the first grid's) would reach g05 (111M tokens, over one
epoch); :func:`worst_prediction_tokens` repeats the calculation.

**Time.**  One thread of the machine the grid was planned on (AMD EPYC, Zen 4, AVX-512; torch
2.13 CPU) multiplies float32 matrices at 90-98 GFLOP/s (``benchmarks/bench_matmul.py``, two runs:
large squares 89-96, the models' own products at a batch of 32 sequences 77-98).  Timed steps of every run of the plan
(``benchmarks/bench_train_steps.py``) reach 16-38 GFLOP/s of Appendix F FLOPs (10-28 as 6 N), the
narrow models and small batches lowest.  The first plan (:func:`plan_table`) is 72 runs, 36 sizes
x 2 seeds, of 12 x (1.5625e11 + ... + 5e12) = 1.18e14 FLOPs as 6 N D (1.78e14 by Appendix F): about
1.5 CPU-hours on an idle core; a size added at the edge of a slice costs at most about 10 minutes more (two seeds
at 5e12).  A prediction's nine runs at 5e13 take 3.3 (k = 100), 3.8 (k = 150) or 4.4 (k = 250)
CPU-hours.

References
----------
Hoffmann et al. 2022, Sec. 3.2 (IsoFLOP profiles), Sec. 2 and App. F (C = 6 N D and the full count);
Muennighoff et al. 2023 (repeated data is worth less than new data).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .config import LADDER, SEQ_LEN, RunConfig, gpt_parameter_counts, plan_run, run_flops_per_token, shape_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["UNREPEATED_BUDGETS", "UNREPEATED_CORPUS", "UNREPEATED_START", "UNREPEATED_TRAIN_BYTES",
           "UNREPEATED_SEEDS", "PREDICTION_FACTOR", "PREDICTION_SEEDS", "fits_one_epoch",
           "prediction_runs", "worst_prediction_tokens", "plan_table"]

#: Budgets of the grid (FLOPs as 6 N D): 5e12 / 2^k for k = 5 .. 0, from 1.5625e11 to 5e12 (1.505 decades).
UNREPEATED_BUDGETS = tuple(5e12 / 2 ** k for k in range(5, -1, -1))
#: The corpus the grid trains on.
UNREPEATED_CORPUS = "mixed"
#: The training bytes the planner counts on: the least size the mixture's pin promises
#: (``pins/corpus_mixtures.csv``; the split itself holds 91.2 MB).  Kept here as a number so that
#: planning needs no corpus; a test checks it against the pin.
UNREPEATED_TRAIN_BYTES = 90_000_000
#: The first of the six sizes of each budget: the size nearest the minimum expected at 100 to 200
#: tokens per parameter, N = sqrt(C / (6 k)), is inside the six (11k-16k parameters at the smallest
#: budget, 65k-91k at the largest).
UNREPEATED_START = dict(zip(UNREPEATED_BUDGETS, ("g00", "g00", "g01", "g01", "g02", "g02")))
#: Seeds of every run of the grid.
UNREPEATED_SEEDS = (0, 1)
#: A prediction from this grid is made at this many times its largest budget ...
PREDICTION_FACTOR = 10
#: ... and trains the predicted size and its two ladder neighbours with these seeds.
PREDICTION_SEEDS = (0, 1, 2)

_ORDER = list(LADDER)


def _n_params(model: str) -> int:
    return gpt_parameter_counts(shape_of(model))["total"]


def fits_one_epoch(model: str, budget: float, train_bytes: int = UNREPEATED_TRAIN_BYTES) -> bool:
    """Whether ``model`` at ``budget`` (6 N D) takes at least MIN_STEPS steps and reads at most one epoch.

    One epoch is ``(train_bytes - 1) // SEQ_LEN`` disjoint windows
    (:func:`~chinchilla_lib.train.sampling.max_disjoint_sequences`).
    """
    try:
        run = plan_run(model, budget, accounting="6nd", sampler="disjoint")
    except ValueError:  # fewer than MIN_STEPS sequences
        return False
    return run.total_sequences <= (int(train_bytes) - 1) // SEQ_LEN


def prediction_runs(flops: float, tokens_per_param: float) -> list[tuple[str, int]]:
    """The runs a prediction at ``flops`` would train if the optimum had ``tokens_per_param``: ``(model, n_tokens)``.

    ``N_opt = sqrt(flops / (6 k))``; the ladder size nearest it in log N and the sizes either side
    (one side only at an end of the ladder), each with ``D = flops / (6 N)`` tokens.

    Raises
    ------
    ValueError
        If ``flops`` or ``tokens_per_param`` is not a positive number.
    """
    if not (flops > 0 and math.isfinite(flops)):
        raise ValueError(f"flops must be a positive number of FLOPs, got {flops!r}")
    if not (tokens_per_param > 0 and math.isfinite(tokens_per_param)):
        raise ValueError(f"tokens_per_param must be a positive number, got {tokens_per_param!r}")
    n_opt = math.sqrt(flops / (6.0 * tokens_per_param))
    i = min(range(len(_ORDER)), key=lambda j: abs(math.log(_n_params(_ORDER[j]) / n_opt)))
    return [(m, int(flops / (6.0 * _n_params(m)))) for m in _ORDER[max(0, i - 1):i + 2]]


def worst_prediction_tokens(flops: float = PREDICTION_FACTOR * UNREPEATED_BUDGETS[-1],
                            tokens_per_param: tuple[float, float] = (100.0, 200.0)) -> int:
    """The most tokens any run of a prediction at ``flops`` reads, over optima from ``tokens_per_param[0]`` to ``[1]``.

    Scans the range at every 0.1 token per parameter (the answer changes only where the nearest
    ladder size does).
    """
    low, high = tokens_per_param
    if not 0 < low <= high:
        raise ValueError(f"tokens_per_param must be an increasing pair of positive numbers, got {tokens_per_param!r}")
    steps = int(round((high - low) * 10))
    return max(n for j in range(steps + 1) for _, n in prediction_runs(flops, low + j * (high - low) / max(1, steps)))


def plan_table(runs: list[RunConfig], train_bytes: int = UNREPEATED_TRAIN_BYTES) -> pd.DataFrame:
    """One row per planned run: ``budget, model, seed, n_params, n_tokens, tokens_per_param, epochs, steps, batch,
    lr, flops, flops_appendix_f``.

    ``flops`` in the run's accounting, ``flops_appendix_f`` what the network computes;
    ``epochs`` against ``train_bytes``.
    """
    import pandas as pd

    rows = []
    for c in runs:
        n = _n_params(c.model)
        rows.append({"budget": c.budget, "model": c.model, "seed": c.seed, "n_params": n, "n_tokens": c.n_tokens,
                     "tokens_per_param": c.n_tokens / n, "epochs": c.n_tokens / train_bytes, "steps": c.steps,
                     "batch": c.total_sequences / c.steps, "lr": c.lr, "flops": c.n_tokens * c.flops_per_token,
                     "flops_appendix_f": c.n_tokens * run_flops_per_token(c.shape)["total"]})
    return pd.DataFrame(rows)
