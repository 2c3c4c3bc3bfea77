"""Settings, progress lines and subsampling of the screened route of the Approach 3 fit, for many runs.

Hoffmann et al. (2022), Section 3.3 and App. D.2, minimise Eq. (11) by L-BFGS
from a grid of starts.  :func:`chinchilla_lib.approaches.parametric.fit_approach3`
does it in three stages on all runs (screen, refine, polish), which costs some
1 ms and 6 KB per run: minutes and 6 GB on a million runs.  On more than
:data:`SCREEN_ABOVE` runs it takes the *screened* route instead:

1. stages 1 and 2 (screen and refine) on :data:`SCREEN_ROWS` runs drawn by
   :func:`subsample`: up to 16 optima of Eq. (11) on the subsample, in
   distinct basins;
2. those candidates valued on all runs;
3. the best :data:`N_REFINED` (distinct basins on all runs) descended to
   convergence on all runs by the batched damped Newton method of stage 2;
4. the lowest polished by scipy's L-BFGS-B on all runs (stage 3).

On all runs Eq. (11) is summed over blocks of 65,536 runs
(``objective.ChunkedBatch``, ``objective.huber_objective_chunked``),
so memory is the runs' logarithms and some 50 MB of work arrays.  The
subsample only chooses where to start: the optimum is that of Eq. (11) on every
run, and every step is deterministic (fixed seed, fixed block order).  Newton
before L-BFGS-B matters on a million runs: from the subsample's optimum,
L-BFGS-B alone crawls along the flat (log A, log B) valley of the nearly-L1
objective for tens of seconds and may stop short of its tolerance.

Up to :data:`SCREEN_ABOVE` runs, which covers every Approach 3 fit in the book
(the largest has 1,920 runs: Figure 4's 240 tiled 8 times in the chapter on
Approach 3), the fit is the three-stage one on all runs, number for number.
``benchmarks/bench_fit_rows.py`` times both routes on 1e4 to 1e6 runs.
"""

from __future__ import annotations

import sys
import time

import numpy as np

__all__ = ["SCREEN_ABOVE", "SCREEN_ROWS", "SUBSAMPLE_SEED", "N_REFINED", "Progress", "subsample"]

#: More runs than this take the screened route.
SCREEN_ABOVE = 20_000
#: Runs in the subsample the start grid is searched on.
SCREEN_ROWS = 20_000
#: Seed of the subsample, fixed so that the same runs give the same subsample and fit.
SUBSAMPLE_SEED = 0
#: Candidates refined on all runs (the best in distinct basins).
N_REFINED = 3


class Progress:
    """One line per stage on standard error, ``Approach 3: <stage> ... (<elapsed> s)``; silent when off."""

    def __init__(self, on: bool, t0: float):
        self.on, self.t0 = on, t0

    def __call__(self, text: str) -> None:
        if self.on:
            print(f"Approach 3: {text} ({time.perf_counter() - self.t0:.1f} s)", file=sys.stderr, flush=True)


def subsample(size: int, rows: int) -> np.ndarray:
    """Sorted indices of ``rows`` of ``size`` runs drawn without replacement by a fixed seed (all if fewer)."""
    if rows >= size:
        return np.arange(size)
    return np.sort(np.random.default_rng(SUBSAMPLE_SEED).choice(size, rows, replace=False))
