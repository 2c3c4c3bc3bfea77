"""Biases of the estimators on simulated data: the IsoFLOP parabola (Approach 2) and the envelope (Approach 1).

Every study draws runs from a known law with :mod:`chinchilla_lib.simulate`, so
the truth is known and the error is the estimator's.

References
----------
Hoffmann et al. 2022, Sections 3.1-3.2.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar
from ..datasets import load_table, paper_value
from ..envelope import fit_envelope, interior_range, staircase_resolution
from ..isoflop import IsoFLOPWarning, fit_budget, fit_isoflop, fit_isoflop_frame
from ..laws import ParametricLaw, get_law
from ..simulate import simulate_isoflop, simulate_training_curves

__all__ = ["vertex_ratio", "vertex_ratio_approx", "drift_error", "noise_study", "width_study",
           "SIMULATED_APPROACH1", "simulated_approach1"]


def vertex_ratio(law: ParametricLaw, *, width: float, shift: float = 0.0, n_sizes: int = 9,
                 budget: float = 1e20, method: str = "parabola") -> float:
    """N_opt estimated from one noise-free IsoFLOP profile over the true N_opt.

    The sizes are ``n_sizes`` log-spaced values ``width`` decades either side of
    ``N_opt * 10**shift`` (:func:`~chinchilla_lib.simulate.simulate_isoflop`).
    In u = ln(N / N_opt) the profile is E + K(C) (exp(-alpha u) + (alpha/beta)
    exp(beta u)), so the ratio does not depend on ``budget``.
    """
    runs = simulate_isoflop(law, [budget], n_sizes=n_sizes, width=width, shift=shift)
    fit = fit_budget(runs["n_params"], runs["loss"], budget=budget, method=method)
    return fit.n_opt / float(runs["n_opt_true"].iloc[0])


def vertex_ratio_approx(alpha: float, beta: float, *, width: float, n_sizes: int = 9) -> float:
    """Leading-order vertex error of a centred parabola: exp((alpha - beta)/6 * m4/m2).

    Expanding the profile about the optimum, the first asymmetric term is
    alpha (beta^2 - alpha^2) u^3 / 6 (u = ln N - ln N_opt, in units of the
    profile's scale); on a symmetric grid least squares turns u^3 into
    (m4/m2) u, with m_k the k-th moment of the grid, which moves the vertex by
    (alpha - beta) m4 / (6 m2).  For a continuous grid of half-width w (in
    ln N), m4/m2 = 3 w^2 / 5.  Accurate while that shift is small.
    """
    positive_scalar("width", width, hint="decades either side of the optimum")
    u = np.linspace(-width, width, positive_int("n_sizes", n_sizes)) * np.log(10.0)
    m2, m4 = np.mean(u**2), np.mean(u**4)
    return float(np.exp((alpha - beta) / 6.0 * m4 / m2))


def drift_error(law: ParametricLaw, budgets, *, drift: float, width: float = 0.5, n_sizes: int = 9) -> float:
    """Error in the exponent a when the sampling centre drifts across the budgets.

    The centre moves linearly in log C from ``-drift/2`` to ``+drift/2``
    decades off the true optimum (smallest to largest budget).  Returns the
    fitted a minus the law's a (noise-free, so this is pure estimator bias).
    """
    c = positive_array("budgets", budgets, hint="compute budgets in FLOPs")
    shifts = np.linspace(-drift / 2.0, drift / 2.0, c.size)
    runs = simulate_isoflop(law, c, n_sizes=n_sizes, width=width, shift=shifts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        fit = fit_isoflop_frame(runs, n_bootstrap=0)
    return fit.a - law.a


def noise_study(law: ParametricLaw, n_params, flops, *, noise: float, n_seeds: int = 200,
                seed: int = 0) -> np.ndarray:
    """Exponents a fitted to the law's losses at a fixed design plus Gaussian noise.

    Parameters
    ----------
    law : ParametricLaw
        The true law; losses are ``law.loss(N, C / (6N))`` at the design.
    n_params, flops : array of float
        The design: one model size and one (exact) budget per run, e.g. the
        Figure-4 runs with their budgets.
    noise : float
        Standard deviation of the noise added to every loss (nats).
    n_seeds : int, default 200
        Independent noise draws (seeds ``seed, seed + 1, ...``).

    Returns
    -------
    ndarray
        One fitted a per draw (NaN when fewer than 2 budgets had a usable minimum).
    """
    n = positive_array("n_params", n_params, hint="parameters as raw counts")
    c = positive_array("flops", flops, hint="compute in FLOPs")
    if noise < 0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    clean = np.asarray(law.loss(n, c / (6.0 * n)))
    out = np.full(positive_int("n_seeds", n_seeds), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        for i in range(out.size):
            rng = np.random.default_rng(seed + i)
            try:
                out[i] = fit_isoflop(n, c, clean + noise * rng.standard_normal(n.size), n_bootstrap=0).a
            except ValueError:
                pass
    return out


def width_study(law: ParametricLaw, budgets, widths, *, noise: float, n_sizes: int = 9, n_seeds: int = 200,
                seed: int = 0, level: float = 0.8) -> pd.DataFrame:
    """How the sampling width trades noise against the parabola's bias (Section 3.2).

    For every half-width in ``widths`` (decades of N either side of the true
    optimum) the runs of :func:`~chinchilla_lib.simulate.simulate_isoflop` are
    refitted under ``n_seeds`` noise draws (:func:`noise_study`).

    Returns
    -------
    DataFrame
        ``width``, ``a_low``, ``a_median``, ``a_high`` (the central ``level``
        range of the fitted a over the draws) and ``vertex_ratio`` (the
        noise-free N_opt estimate over the truth, the same at every budget).
    """
    c = positive_array("budgets", budgets, hint="compute budgets in FLOPs")
    rows = []
    for width in np.atleast_1d(np.asarray(widths, dtype=float)):
        runs = simulate_isoflop(law, c, n_sizes=n_sizes, width=width)
        a = noise_study(law, runs["n_params"], runs["flops"], noise=noise, n_seeds=n_seeds, seed=seed)
        lo, mid, hi = np.nanpercentile(a, [50 * (1 - level), 50, 50 * (1 + level)])
        rows.append({"width": float(width), "a_low": lo, "a_median": mid, "a_high": hi,
                     "vertex_ratio": vertex_ratio(law, width=width, n_sizes=n_sizes)})
    return pd.DataFrame(rows)


#: The simulated Approach-1 design of the self-check (and of the chapter): the
#: model sizes of Table A9, 13 cosine horizons from 5 to 80 tokens per parameter
#: (dense enough that no horizon dominates the envelope), a 5% schedule penalty.
SIMULATED_APPROACH1 = {"law": "paper-full", "tokens_per_param": tuple(np.geomspace(5.0, 80.0, 13)),
                       "penalty": 0.05, "seed": 0}


@lru_cache(maxsize=1)
def simulated_approach1() -> tuple[float, float, float, tuple[float, float]]:
    """Approach 1 on the :data:`SIMULATED_APPROACH1` curves.

    Returns
    -------
    tuple
        (fitted a, the law's true a, staircase resolution used as tolerance,
        the FLOP range fitted).
    """
    law = get_law(SIMULATED_APPROACH1["law"])
    sizes = np.unique(load_table("tableA9_models")["n_params_millions"].to_numpy(float) * 1e6)
    curves = simulate_training_curves(law, sizes, tokens_per_param=SIMULATED_APPROACH1["tokens_per_param"],
                                      penalty=SIMULATED_APPROACH1["penalty"], seed=SIMULATED_APPROACH1["seed"])
    n_grid = int(paper_value("approach1.n_grid"))
    flops_range = interior_range(curves, n_grid=n_grid)
    fit = fit_envelope(curves, n_grid=n_grid, flops_range=flops_range)
    return fit.a, law.a, staircase_resolution(sizes, flops_range), flops_range
