"""Which training windows each optimiser step reads (numpy only; the loop converts each batch for torch).

A window is ``seq_len + 1`` bytes of the training split: inputs ``[:-1]``, targets ``[1:]``.
:func:`batch_starts` gives the start of every window of every step of a run, by the run's
``sampler`` (:data:`~chinchilla_lib.train.config.SAMPLERS`):

* ``uniform`` (the first grids): each step draws its starts uniformly with replacement from
  ``0 .. n_bytes - seq_len - 2`` with a numpy PCG64 generator seeded by the run's seed, one draw a
  step, exactly as those grids were trained; a byte can be read at several steps, and a run
  longer than the split reads it many times;
* ``disjoint``: the run's windows are the first ``n_sequences`` of a seeded permutation of the
  split's non-overlapping windows (:func:`~chinchilla_lib.datasets.corpus.training_window_starts`),
  taken in that order, so no byte is predicted twice; a run that needs more windows than the
  split holds is refused.

:func:`batch_windows` cuts one step's windows out of the split, which stays ``uint8``: only the
batch is widened to ``int64``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..datasets.corpus import training_window_starts
from .config import RunConfig

__all__ = ["batch_starts", "batch_windows", "max_disjoint_sequences"]


def max_disjoint_sequences(n_bytes: int, seq_len: int) -> int:
    """Windows of ``seq_len + 1`` bytes, each byte a target once, in ``n_bytes``: ``(n_bytes - 1) // seq_len``."""
    return max(0, (int(n_bytes) - 1) // int(seq_len))


def batch_starts(config: RunConfig, n_bytes: int) -> Iterator[np.ndarray]:
    """The window starts of each optimiser step of ``config`` in a training split of ``n_bytes`` bytes.

    Yields ``config.steps`` arrays of int64, of the sizes :meth:`RunConfig.batch_sizes` gives.

    Raises
    ------
    ValueError
        For the ``disjoint`` sampler, when the run needs more windows than the split holds
        (more than one epoch); for ``uniform``, when the split is shorter than one window.
    """
    seq_len = config.shape.seq_len
    sizes = config.batch_sizes()
    if config.sampler == "uniform":
        if n_bytes < seq_len + 2:
            raise ValueError(f"n_bytes must be at least seq_len + 2 = {seq_len + 2}, got {n_bytes}")
        rng = np.random.default_rng(config.seed)
        for size in sizes:
            yield rng.integers(0, n_bytes - seq_len - 1, size=int(size))
        return
    room = max_disjoint_sequences(n_bytes, seq_len)
    if config.total_sequences > room:
        raise ValueError(f"n_sequences must be at most {room} for the disjoint sampler on {n_bytes} training bytes "
                         f"(one epoch), got {config.total_sequences}; plan a shorter run or a larger corpus")
    starts = training_window_starts(n_bytes, seq_len, config.total_sequences, config.seed)
    edges = np.concatenate([[0], np.cumsum(sizes)])
    for i in range(len(sizes)):
        yield starts[edges[i]:edges[i + 1]]


def batch_windows(train: np.ndarray, starts: np.ndarray, seq_len: int) -> np.ndarray:
    """The windows of ``seq_len + 1`` bytes of ``train`` (uint8) at ``starts``, as int64 (batch, seq_len + 1)."""
    return train[starts[:, None] + np.arange(seq_len + 1)].astype(np.int64)
