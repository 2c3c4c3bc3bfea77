"""Matched against fixed learning-rate schedules, on curves simulated from a known law.

Hoffmann et al.'s explanation of Kaplan's larger exponent: Kaplan trained every model
with one schedule and read the frontier off intermediate losses, where Hoffmann et al.
matched each run's cosine cycle to its length.  Curves from
:func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`, fits by Approach 1.

References
----------
Hoffmann et al. 2022, Section 2, Figure A1; Kaplan et al. 2020.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_scalar
from ..approaches.envelope import EnvelopeResult, fit_envelope
from ..approaches.simulate import simulate_training_curves
from ..laws.parametric import ParametricLaw, get_law
from ..laws.powerlaw import from_parametric_law

__all__ = ["optimum_flops_range", "fixed_schedule_curves", "schedule_fits", "schedule_exponents", "early_stop_excess"]


def optimum_flops_range(law: ParametricLaw | str, n_low: float, n_high: float) -> tuple[float, float]:
    """Budgets (FLOPs) at which ``law``'s compute-optimal size is ``n_low`` and ``n_high`` (Eq. 4 inverted)."""
    lw = get_law(law) if isinstance(law, str) else law
    ends = positive_array("n_low, n_high", [n_low, n_high], hint="parameters as raw counts")
    if not ends[0] < ends[1]:
        raise ValueError(f"need n_low < n_high, got {n_low!r}, {n_high!r}")
    lo, hi = from_parametric_law(lw).flops_for_params(ends)
    return float(lo), float(hi)


def fixed_schedule_curves(law: ParametricLaw, n_params, horizon: float, *, penalty: float = 0.05,
                          n_points: int = 120, start_fraction: float = 1e-4) -> pd.DataFrame:
    """Training curves of every model size under one cosine cycle of ``horizon`` tokens (Kaplan's set-up).

    Kaplan et al. trained every model for the same number of steps with one schedule and
    read the compute frontier off intermediate losses; here each size runs one cycle of
    ``horizon`` tokens, simulated with :func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`
    (same penalty model), so a small model nears the end of its cycle at a budget where a
    large one is still early in its cycle.

    Returns
    -------
    DataFrame
        The columns of :func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`, one run per size.
    """
    sizes = positive_array("n_params", n_params, hint="raw parameter counts", min_size=2)
    h = positive_scalar("horizon", horizon, hint="tokens of the shared cosine cycle, e.g. 1e11")
    frames = []
    for i, n in enumerate(sizes):
        curve = simulate_training_curves(law, [n], tokens_per_param=[h / n], penalty=penalty,
                                         n_points=n_points, start_fraction=start_fraction)
        frames.append(curve.assign(model=f"m{i:02d}", run=f"m{i:02d}-fixed"))
    return pd.concat(frames, ignore_index=True)


def schedule_fits(law: ParametricLaw, n_params, *, horizons_tpp: Sequence[float], penalty: float,
                  n_grid: int = 300) -> dict[str, EnvelopeResult]:
    """Approach-1 fits on simulated curves from matched cosine cycles and from one fixed cycle.

    The budgets are those at which the law's optimum lies between the 4th smallest and
    4th largest size (so the envelope is not pinned to an end of the size grid).

    * ``"matched"``: every size trained with four cycles spanning 16x
      (:func:`~chinchilla_lib.approaches.simulate.simulate_training_curves` defaults), as Hoffmann et al.;
    * ``"fixed <r>"`` for each ``r`` in ``horizons_tpp``: one cycle per size, the same number
      of tokens for all, ``r`` tokens per parameter of the largest size (:func:`fixed_schedule_curves`),
      as Kaplan et al.

    Returns
    -------
    dict
        Label -> :class:`~chinchilla_lib.approaches.envelope.EnvelopeResult`.
    """
    sizes = np.sort(positive_array("n_params", n_params, hint="raw parameter counts", min_size=8))
    flops_range = optimum_flops_range(law, sizes[3], sizes[-4])
    matched = simulate_training_curves(law, sizes, penalty=penalty, n_points=60)
    fits = {"matched": fit_envelope(matched, flops_range=flops_range, n_grid=n_grid)}
    for r in horizons_tpp:
        fixed = fixed_schedule_curves(law, sizes, positive_scalar("horizons_tpp", r) * sizes[-1], penalty=penalty)
        fits[f"fixed {r:g}"] = fit_envelope(fixed, flops_range=flops_range, n_grid=n_grid)
    return fits


def schedule_exponents(law: ParametricLaw, n_params, *, horizons_tpp: Sequence[float],
                       penalties: Sequence[float], n_grid: int = 300) -> pd.DataFrame:
    """Exponents of :func:`schedule_fits` for several penalties, as one table.

    Returns
    -------
    DataFrame
        ``penalty``, then ``matched`` and one column ``fixed <r>`` per horizon: the fitted a.
    """
    rows = []
    for p in penalties:
        fits = schedule_fits(law, n_params, horizons_tpp=horizons_tpp, penalty=p, n_grid=n_grid)
        rows.append({"penalty": float(p), **{label: fit.a for label, fit in fits.items()}})
    return pd.DataFrame(rows)


def early_stop_excess(law: ParametricLaw, n_params: float, run_tpp: float, *,
                      cycle_multiples: Sequence[float] = (1, 2, 5), penalty: float = 0.05,
                      n_points: int = 200) -> pd.DataFrame:
    """Excess loss of one run stopped before its cosine cycle ends, over a fully decayed run (Figure A1).

    One model of ``n_params`` parameters runs for ``run_tpp`` tokens per parameter under
    cosine cycles ``cycle_multiples`` times as long as the run
    (:func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`); the excess is its loss
    minus the law's L(N, D) at the same tokens, which a cycle ending at D would reach.

    Returns
    -------
    DataFrame
        ``cycle`` (cycle length / run length), ``fraction`` (tokens seen / run length, up to 1)
        and ``excess`` (nats).
    """
    n = positive_scalar("n_params", n_params, hint="a raw parameter count, e.g. 1e9")
    tpp = positive_scalar("run_tpp", run_tpp, hint="tokens per parameter of the run, e.g. 20")
    curves = simulate_training_curves(law, [n], tokens_per_param=[tpp * m for m in cycle_multiples],
                                      penalty=penalty, n_points=n_points)
    frames = []
    for horizon, run in curves.groupby("horizon"):
        tokens = run["n_tokens"].to_numpy()
        frame = pd.DataFrame({"cycle": horizon / (tpp * n), "fraction": tokens / (tpp * n),
                              "excess": run["loss_true"].to_numpy() - law.loss(n, tokens)})
        frames.append(frame[frame["fraction"] <= 1])
    return pd.concat(frames, ignore_index=True)
