"""Synthetic training runs drawn from a known loss law, for tests and bias studies.

Two generators, both seeded and both returning tidy :class:`pandas.DataFrame`
objects with the columns ``n_params``, ``n_tokens``, ``flops`` (= 6 N D) and
``loss`` (nats per token) plus run identifiers:

* :func:`simulate_isoflop` -- final losses of IsoFLOP runs, the input of
  Approach 2 (Hoffmann et al. 2022, Section 3.2, Figure 3);
* :func:`simulate_training_curves` -- whole training curves under a cosine
  learning-rate schedule, the input of Approach 1 (Section 3.1, Figure 2).

The schedule model of :func:`simulate_training_curves` is deliberately simple
(see :func:`cosine_schedule_penalty`): a run whose cosine cycle ends at ``D``
reaches ``law.loss(N, D)`` there, and before the end of its cycle it is worse
by a penalty proportional to how far the learning rate still is from fully
decayed.  That reproduces the qualitative finding of the paper's Figure A1:
evaluating a long-horizon run part-way is worse than a run whose cycle ends
at that point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar
from ..laws.parametric import ParametricLaw

__all__ = ["simulate_isoflop", "cosine_schedule_penalty", "simulate_training_curves"]

_FLOPS_HINT = "compute budgets in FLOPs, e.g. [6e18, 1e19, 3e19]"


def _non_negative(name: str, value: float) -> float:
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _shifts(shift, n_budgets: int) -> np.ndarray:
    arr = np.asarray(shift, dtype=float)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n_budgets):
        raise ValueError(f"shift must be one number or one per budget ({n_budgets}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"shift must be finite, got {shift!r}")
    return np.broadcast_to(arr, (n_budgets,)).astype(float)


def simulate_isoflop(
    law: ParametricLaw,
    budgets: Sequence[float],
    *,
    n_sizes: int = 9,
    width: float = 0.5,
    shift: float | Sequence[float] = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Final losses of IsoFLOP runs generated from a known law (Section 3.2).

    For every budget ``C`` the model sizes are ``n_sizes`` log-spaced values
    spanning ``width`` decades either side of a centre
    ``N_opt(C) * 10**shift``; each run trains on ``D = C / (6 N)`` tokens and
    its loss is ``law.loss(N, D)`` plus Gaussian noise of standard deviation
    ``noise``.

    Parameters
    ----------
    law : ParametricLaw
        The true law (its :meth:`~chinchilla_lib.laws.parametric.ParametricLaw.optimal_allocation` gives N_opt).
    budgets : sequence of float
        Compute budgets in FLOPs.
    n_sizes : int, default 9
        Model sizes per budget (at least 3 are needed for a parabola).
    width : float, default 0.5
        Half-width of the sampled range of N, in decades (log10 units).
    shift : float or sequence of float, default 0.0
        Offset of the sampling centre from the true optimum, in decades; one
        value for all budgets, or one per budget (to mimic a grid whose
        position relative to the optimum drifts with compute).
    noise : float, default 0.0
        Standard deviation of additive Gaussian noise on the loss (nats).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    DataFrame
        ``run``, ``budget``, ``n_params``, ``n_tokens``, ``flops``, ``loss``,
        ``loss_true`` (noise-free) and ``n_opt_true`` (the law's N_opt(C)).
    """
    c = positive_array("budgets", budgets, hint=_FLOPS_HINT)
    n_sizes = positive_int("n_sizes", n_sizes)
    width = positive_scalar("width", width, hint="decades of N either side of the centre, e.g. 0.5")
    noise = _non_negative("noise", noise)
    offsets = _shifts(shift, c.size)
    n_opt, _ = law.optimal_allocation(c)
    n_opt = np.atleast_1d(n_opt)
    grid = np.linspace(-width, width, n_sizes)
    n = (n_opt * 10.0**offsets)[:, None] * 10.0 ** grid[None, :]
    cc = np.broadcast_to(c[:, None], n.shape)
    d = cc / (6.0 * n)
    true = np.asarray(law.loss(n.ravel(), d.ravel()))
    rng = np.random.default_rng(seed)
    loss = true + noise * rng.standard_normal(true.size)
    if np.any(loss <= 0):
        raise ValueError("noise is so large that a simulated loss is not positive; lower noise")
    return pd.DataFrame(
        {
            "run": np.arange(true.size),
            "budget": cc.ravel(),
            "n_params": n.ravel(),
            "n_tokens": d.ravel(),
            "flops": cc.ravel(),
            "loss": loss,
            "loss_true": true,
            "n_opt_true": np.repeat(n_opt, n_sizes),
        }
    )


def cosine_schedule_penalty(n_tokens, horizon) -> np.ndarray:
    """How far a cosine schedule still is from fully decayed, in [0, 1].

    The learning rate of a cosine cycle of length ``horizon`` tokens is
    ``lr(d) = lr_min + (lr_max - lr_min) * (1 + cos(pi d / horizon)) / 2``
    (Hoffmann et al. decay it 10x, Section 3.1); this returns
    ``(lr(d) - lr_min) / (lr_max - lr_min)``: 1 at the start of the cycle, 0
    at its end and beyond.  Warm-up is ignored.
    """
    d = positive_array("n_tokens", n_tokens, hint="tokens seen so far")
    h = positive_array("horizon", horizon, hint="tokens of the cosine cycle")
    progress = np.clip(d / h, 0.0, 1.0)
    return 0.5 * (1.0 + np.cos(np.pi * progress))


def _tokens_grid(horizon: float, n_points: int, start_fraction: float) -> np.ndarray:
    return np.geomspace(horizon * start_fraction, horizon, n_points)


def simulate_training_curves(
    law: ParametricLaw,
    n_params: Sequence[float],
    *,
    tokens_per_param: Sequence[float] = (5.0, 12.6, 31.7, 80.0),
    n_points: int = 100,
    start_fraction: float = 0.01,
    penalty: float = 0.05,
    noise: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Training curves under cosine schedules, generated from a known law (Section 3.1).

    Every model size is trained once per horizon ``D_total = r * N`` for each
    ``r`` in ``tokens_per_param`` (the default spans 16x, like the paper's
    four horizons per model).  Along a run the loss after ``d`` tokens is

    ``loss(d) = law.loss(N, d) + penalty * s(d) * (law.loss(N, d) - E)``

    where ``s(d)`` is :func:`cosine_schedule_penalty` (1 at the start of the
    cycle, 0 at its end).  So a run is on the law only where its cycle ends,
    and a run evaluated at ``d < D_total`` is worse than one whose cycle ends
    at ``d``.  ``penalty=0`` gives the analytic curves ``law.loss(N, d)``.

    Parameters
    ----------
    law : ParametricLaw
        The true law.
    n_params : sequence of float
        Model sizes (raw parameter counts).
    tokens_per_param : sequence of float
        Horizons as tokens per parameter, one run per value and model.
    n_points : int, default 100
        Log-spaced evaluation points per run, from ``start_fraction * D_total``
        to ``D_total``.
    start_fraction : float, default 0.01
        First evaluation point as a fraction of the horizon (in (0, 1)).
    penalty : float, default 0.05
        Relative excess of the reducible loss at the start of the cycle.
    noise : float, default 0.0
        Standard deviation of independent Gaussian noise on every point.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    DataFrame
        ``model``, ``run``, ``n_params``, ``horizon``, ``n_tokens``, ``flops``,
        ``loss`` and ``loss_true`` (noise-free), ordered by run then tokens.
    """
    sizes = positive_array("n_params", n_params, hint="raw parameter counts, e.g. [4e8, 1e9]")
    ratios = positive_array("tokens_per_param", tokens_per_param, hint="e.g. [5, 20, 80]")
    n_points = positive_int("n_points", n_points)
    start = positive_scalar("start_fraction", start_fraction, hint="e.g. 0.01")
    if start >= 1:
        raise ValueError(f"start_fraction must be below 1, got {start}")
    penalty = _non_negative("penalty", penalty)
    noise = _non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    frames = []
    for i, n in enumerate(sizes):
        for j, r in enumerate(ratios):
            frames.append(_one_curve(law, n, r * n, n_points, start, penalty, f"m{i:02d}", f"m{i:02d}-h{j}"))
    out = pd.concat(frames, ignore_index=True)
    out["loss"] = out["loss_true"] + noise * rng.standard_normal(len(out))
    if np.any(out["loss"] <= 0):
        raise ValueError("noise is so large that a simulated loss is not positive; lower noise")
    return out[["model", "run", "n_params", "horizon", "n_tokens", "flops", "loss", "loss_true"]]


def _one_curve(law, n, horizon, n_points, start, penalty, model, run) -> pd.DataFrame:
    d = _tokens_grid(horizon, n_points, start)
    base = np.asarray(law.loss(np.full_like(d, n), d))
    true = base + penalty * cosine_schedule_penalty(d, horizon) * (base - law.E)
    return pd.DataFrame(
        {
            "model": model,
            "run": run,
            "n_params": n,
            "horizon": horizon,
            "n_tokens": d,
            "flops": 6.0 * n * d,
            "loss_true": true,
        }
    )
