"""Biases of the IsoFLOP parabola estimator (Approach 2) on simulated profiles.

Every study draws runs from a known law with :mod:`chinchilla_lib.approaches.simulate`, so
the truth is known and the error is the estimator's.

References
----------
Hoffmann et al. 2022, Section 3.2.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar
from ..approaches.isoflop import IsoFLOPWarning, fit_budget, fit_isoflop, fit_isoflop_frame
from ..approaches.simulate import simulate_isoflop
from ..datasets import paper_value
from ..laws.parametric import ParametricLaw
from ..stats import percentile_interval

__all__ = ["vertex_ratio", "vertex_ratio_approx", "drift_error", "noise_study", "width_study", "shape_variants",
           "width_sweep", "shift_sweep", "shift_sensitivity", "paper_budget_grid", "steady_grid_bias",
           "design_study", "spread_summary"]


def vertex_ratio(law: ParametricLaw, *, width: float, shift: float = 0.0, n_sizes: int = 9,
                 budget: float = 1e20, method: str = "parabola") -> float:
    """N_opt estimated from one noise-free IsoFLOP profile over the true N_opt.

    The sizes are ``n_sizes`` log-spaced values ``width`` decades either side of
    ``N_opt * 10**shift`` (:func:`~chinchilla_lib.approaches.simulate.simulate_isoflop`).
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
    optimum) the runs of :func:`~chinchilla_lib.approaches.simulate.simulate_isoflop` are
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
        (lo, hi), mid = percentile_interval(a, level), float(np.nanpercentile(a, 50))
        rows.append({"width": float(width), "a_low": lo, "a_median": mid, "a_high": hi,
                     "vertex_ratio": vertex_ratio(law, width=width, n_sizes=n_sizes)})
    return pd.DataFrame(rows)


def shape_variants(law: ParametricLaw) -> dict:
    """Three laws that differ only in beta: alpha = beta (a symmetric valley), ``law`` itself, alpha = 2 beta.

    In u = ln(N / N_opt) the IsoFLOP valley is exp(-alpha u) + (alpha/beta) exp(beta u)
    (Section 3.2), so alpha and beta alone set its asymmetry.  Keys are labels:
    ``"α = β"``, ``law.name`` (with ``"(α > β)"`` when alpha > beta) and ``"α = 2β"``.
    """
    label = f"{law.name} (α > β)" if law.alpha > law.beta else law.name
    return {"α = β": replace(law, beta=law.alpha, name="symmetric"), label: law,
            "α = 2β": replace(law, beta=law.alpha / 2, name="steep")}


def width_sweep(laws: dict, widths) -> pd.DataFrame:
    """Noise-free parabola vertex error against the half-width of a centred grid, per law.

    Returns
    -------
    DataFrame
        ``law`` (the key in ``laws``), ``name`` (the law's name), ``width`` (decades), ``ratio``
        (:func:`vertex_ratio`, estimated over true N_opt) and ``approx``
        (:func:`vertex_ratio_approx`, the leading-order formula).
    """
    return pd.DataFrame([
        {"law": key, "name": law.name, "width": float(w), "ratio": vertex_ratio(law, width=w),
         "approx": vertex_ratio_approx(law.alpha, law.beta, width=w)}
        for key, law in laws.items() for w in widths
    ])


def shift_sweep(laws: dict, shifts, *, width: float = 0.5) -> pd.DataFrame:
    """Noise-free parabola vertex error when the grid's centre is ``shift`` decades off the optimum, per law.

    Returns
    -------
    DataFrame
        ``law``, ``name``, ``shift`` (decades), ``ratio`` (:func:`vertex_ratio` at ``width``)
        and ``centred`` (the ratio of the centred grid, ``shift=0``).
    """
    rows = []
    for key, law in laws.items():
        centred = vertex_ratio(law, width=width)
        rows += [{"law": key, "name": law.name, "shift": float(s), "ratio": vertex_ratio(law, width=width, shift=s),
                  "centred": centred} for s in shifts]
    return pd.DataFrame(rows)


def shift_sensitivity(sweep: pd.DataFrame, *, near: float = 0.2) -> dict:
    """How much moving the grid off the optimum changes the vertex error (a :func:`shift_sweep`).

    Returns
    -------
    dict
        ``shift_near`` (largest shift within ``near`` decades), ``shift_edge`` (largest
        shift), ``shift_err_near`` and ``shift_err_edge``: the largest change of the ratio
        from its centred value, over all laws, for shifts within ``near`` and for all shifts.
    """
    change = (sweep["ratio"] - sweep["centred"]).abs()
    inside = sweep["shift"].abs() <= near + 1e-9
    return {"shift_near": sweep.loc[inside, "shift"].max(), "shift_edge": sweep["shift"].max(),
            "shift_err_near": change[inside].max(), "shift_err_edge": change.max()}


def paper_budget_grid() -> np.ndarray:
    """The paper's IsoFLOP budgets as a log-spaced grid: n_budgets from budget_min to budget_max (Section 3.2)."""
    return np.geomspace(paper_value("approach2.budget_min"), paper_value("approach2.budget_max"),
                        int(paper_value("approach2.n_budgets")))


def steady_grid_bias(law: ParametricLaw, budgets, *, width: float = 1.0) -> dict:
    """Noise-free Approach 2 fit when every budget is sampled ``width`` decades either side of its optimum.

    Returns
    -------
    dict
        ``a_err``: |fitted a - law's a| (zero up to rounding: the bias of each vertex is
        the same factor at every budget); ``coef``: fitted k_N over the law's.
    """
    fit = fit_isoflop_frame(simulate_isoflop(law, budgets, width=width), n_bootstrap=0)
    return {"a_err": abs(fit.a - law.a), "coef": fit.n_coef / law.optimal_allocation(1.0)[0]}


def design_study(law: ParametricLaw, n_params, flops, *, noise: float, n_seeds: int = 300, seed: int = 0,
                 percentiles=(10, 90)) -> dict:
    """The exponent a fitted to a law's losses at a fixed design, without and with noise (:func:`noise_study`).

    Returns
    -------
    dict
        ``clean`` (fitted a without noise), ``bias`` (clean minus the law's a),
        ``lo``, ``hi`` (the ``percentiles`` of a over ``n_seeds`` noise draws) and
        ``spread`` (hi - lo).
    """
    clean = noise_study(law, n_params, flops, noise=0.0, n_seeds=1)[0]
    noisy = noise_study(law, n_params, flops, noise=noise, n_seeds=n_seeds, seed=seed)
    lo, hi = np.nanpercentile(noisy, list(percentiles))
    return {"clean": clean, "bias": clean - law.a, "lo": lo, "hi": hi, "spread": hi - lo}


def spread_summary(table: pd.DataFrame, *, at: float = 0.5) -> dict:
    """Where the fitted exponent spreads most in a :func:`width_study`, at ``at`` and at the widest grid.

    Returns
    -------
    dict
        ``max_w`` and ``max_spread`` (the width where a_high - a_low is largest, and
        that spread), ``half_spread`` (the spread at width ``at``), ``wide_w`` and
        ``wide_spread`` (the last, widest row).
    """
    spread = table["a_high"] - table["a_low"]
    by_width = table.set_index("width")
    wide = table.iloc[-1]
    return {"max_w": table.loc[spread.idxmax(), "width"], "max_spread": spread.max(),
            "half_spread": by_width.loc[at, "a_high"] - by_width.loc[at, "a_low"],
            "wide_w": wide["width"], "wide_spread": wide["a_high"] - wide["a_low"]}
