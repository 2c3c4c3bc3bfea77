"""Diagnostics of parametric laws on runs: residuals, fit quality, allocations, interval widths, iso-loss grids.

Any law (:class:`~chinchilla_lib.laws.parametric.ParametricLaw`: a printed one, or the
``law`` of an :class:`~chinchilla_lib.approaches.parametric.fit.Approach3Fit`) can be
judged on any runs with columns ``n_params``, ``n_tokens``, ``loss``.

References
----------
Hoffmann et al. 2022, Section 3.3, Figure 4, Table 2, App. D.2 Eq. (10)-(11);
Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", arXiv 2404.10102.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..._validate import positive_scalar
from ...laws.parametric import ParametricLaw
from ...stats import percentile_interval
from .bootstrap import bootstrap_approach3
from .fit import Approach3Fit, fit_approach3
from .objective import DEFAULT_DELTA, huber_objective

__all__ = [
    "log_residuals",
    "residuals_frame",
    "fit_quality_table",
    "parameter_table",
    "allocation_table",
    "runs_for_width",
    "interval_width_by_runs",
    "isoloss_grid",
    "highest_loss_runs",
    "exclusion_summary",
    "worst_under_prediction",
    "max_constant_difference",
    "quality_relative_to",
    "frontier_interval_table",
    "runs_for_printed_interval",
    "runs_needed_with_error",
    "supported_rounding",
    "refit_with_exponents",
    "gradient_max",
    "frontier_crossing",
    "tokens_per_param_at",
]

_RUN_COLUMNS = ("n_params", "n_tokens", "loss")


def _runs(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in _RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"runs must have the columns {list(_RUN_COLUMNS)}; missing {missing}")
    return tuple(runs[c].to_numpy(dtype=float) for c in _RUN_COLUMNS)


def log_residuals(law: ParametricLaw, runs: pd.DataFrame) -> np.ndarray:
    """Residuals ``log L_law(N, D) - log L_observed`` of every run (the sign of Eq. (11)).

    Parameters
    ----------
    law : ParametricLaw
    runs : DataFrame
        Columns ``n_params``, ``n_tokens``, ``loss`` (as :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`).

    Returns
    -------
    ndarray
        One residual per run; positive where the law predicts a higher loss
        than observed.  ``100 * r`` is about the error in percent.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    n, d, loss = _runs(runs)
    return np.log(law.loss(n, d)) - np.log(loss)


def residuals_frame(laws: Mapping[str, ParametricLaw], runs: pd.DataFrame) -> pd.DataFrame:
    """Long table of residuals: one row per (law, run).

    Returns
    -------
    DataFrame
        Columns ``law``, ``n_params``, ``n_tokens``, ``loss``, ``predicted``
        (nats per token) and ``residual`` (:func:`log_residuals`).

    References
    ----------
    Hoffmann et al. 2022, App. D.2; chapter *Approach 3: the parametric fit*.
    """
    n, d, loss = _runs(runs)
    parts = []
    for name, law in laws.items():
        predicted = law.loss(n, d)
        parts.append(pd.DataFrame({"law": name, "n_params": n, "n_tokens": d, "loss": loss,
                                   "predicted": predicted, "residual": np.log(predicted) - np.log(loss)}))
    return pd.concat(parts, ignore_index=True)


def fit_quality_table(laws: Mapping[str, ParametricLaw], runs: pd.DataFrame,
                      delta: float = DEFAULT_DELTA) -> pd.DataFrame:
    """The Eq. (11) objective and residual summaries of each law on the same runs.

    Returns
    -------
    DataFrame
        One row per law: ``law``, ``objective`` (the summed Huber loss of
        Eq. (11)), ``mean_abs_residual``, ``median_residual`` (log-loss
        residuals) and ``beyond_delta`` (share of runs with ``|r| > delta``,
        where Huber is linear rather than quadratic).

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11); Besiroglu et al. 2024, Section 3.
    """
    delta = positive_scalar("delta", delta, hint="the Huber threshold, 1e-3 in the paper")
    log_n, log_d, log_l = (np.log(v) for v in _runs(runs))
    rows = []
    for name, law in laws.items():
        r = log_residuals(law, runs)
        rows.append({"law": name, "objective": huber_objective(law.vector, log_n, log_d, log_l, delta)[0],
                     "mean_abs_residual": float(np.mean(np.abs(r))), "median_residual": float(np.median(r)),
                     "beyond_delta": float(np.mean(np.abs(r) > delta))})
    return pd.DataFrame(rows)


def parameter_table(laws: Mapping[str, ParametricLaw]) -> pd.DataFrame:
    """Constants of each law and its frontier exponent: ``law, E, A, B, alpha, beta, a``.

    References
    ----------
    Hoffmann et al. 2022, Eq. (2), Eq. (4), App. D.2 Eq. (10).
    """
    return pd.DataFrame([{"law": name, "E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha,
                          "beta": law.beta, "a": law.a} for name, law in laws.items()])


def allocation_table(laws: Mapping[str, ParametricLaw], flops: float) -> pd.DataFrame:
    """Compute-optimal allocation of each law at one budget.

    Returns
    -------
    DataFrame
        ``law``, ``a``, ``n_opt`` (parameters), ``d_opt`` (tokens) and
        ``tokens_per_param`` at ``flops`` (Eq. 4 with C = 6ND).

    References
    ----------
    Hoffmann et al. 2022, Eq. (4), Figure 4 caption.
    """
    flops = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 5.76e23")
    rows = []
    for name, law in laws.items():
        n_opt, d_opt = law.optimal_allocation(flops)
        rows.append({"law": name, "a": law.a, "n_opt": n_opt, "d_opt": d_opt, "tokens_per_param": d_opt / n_opt})
    return pd.DataFrame(rows)


def runs_for_width(width: float, n_runs: int, target_width: float) -> float:
    """Runs needed to shrink an interval of ``width`` (from ``n_runs`` runs) to ``target_width``.

    A bootstrap interval narrows like ``1 / sqrt(n_runs)``, so
    ``n_needed = n_runs * (width / target_width) ** 2``.

    References
    ----------
    Hoffmann et al. 2022, Table 2; Besiroglu et al. 2024, Section 4.
    """
    width = positive_scalar("width", width)
    target_width = positive_scalar("target_width", target_width)
    n_runs = positive_scalar("n_runs", n_runs, hint="the number of runs behind width")
    return float(n_runs * (width / target_width) ** 2)


def interval_width_by_runs(runs: pd.DataFrame, *, copies: Sequence[int] = (1, 2, 4, 8), quantity: str = "a",
                           level: float = 0.8, n_resamples: int = 1000, seed: int = 0,
                           fit: Approach3Fit | None = None) -> pd.DataFrame:
    """Bootstrap interval of ``quantity`` when every run is present ``k`` times.

    Bootstrapping the data repeated ``k`` times draws ``k n`` runs from the
    same empirical distribution: the interval one would get with ``k`` times as
    many runs like the ones we have.  The fit itself does not move (the
    objective is multiplied by ``k``), so each refit starts from ``fit``.

    Parameters
    ----------
    runs : DataFrame
        Columns ``n_params``, ``n_tokens``, ``loss``.
    copies : sequence of int
        The multiples ``k``.
    quantity, level :
        As :meth:`~chinchilla_lib.approaches.parametric.Approach3Bootstrap.interval`.
    n_resamples, seed :
        Bootstrap size and seed, the same for every ``k``.
    fit : Approach3Fit, optional
        The fit on ``runs``; fitted with the paper's grid when omitted.

    Returns
    -------
    DataFrame
        ``copies``, ``n_runs``, ``low``, ``high``, ``width``.

    References
    ----------
    Hoffmann et al. 2022, Table 2; chapter *Approach 3: the parametric fit*.
    """
    n, d, loss = _runs(runs)
    if fit is None:
        fit = fit_approach3(n, d, loss)
    rows = []
    for k in copies:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"copies must be whole numbers >= 1, got {k!r}")
        tiled = [np.tile(v, int(k)) for v in (n, d, loss)]
        fit_k = fit_approach3(*tiled, grid=fit.params)  # same optimum; one start suffices
        boot = bootstrap_approach3(*tiled, n_resamples=n_resamples, seed=seed, fit=fit_k)
        low, high = boot.interval(quantity, level)
        rows.append({"copies": int(k), "n_runs": int(k) * len(n), "low": low, "high": high, "width": high - low})
    return pd.DataFrame(rows)


def isoloss_grid(law: ParametricLaw, flops_range: tuple[float, float] = (1e18, 1e26),
                 n_range: tuple[float, float] = (1e7, 1e13), points: int = 200):
    """Loss of ``law`` on a log grid of budgets C and sizes N, with D = C / (6N).

    Returns
    -------
    flops, n_params, loss : 2-D arrays of shape (points, points)
        Mesh of budgets (columns) and sizes (rows), and L(N, C/(6N)).

    References
    ----------
    Hoffmann et al. 2022, Figure 4 (left).
    """
    c = np.logspace(math.log10(flops_range[0]), math.log10(flops_range[1]), points)
    n = np.logspace(math.log10(n_range[0]), math.log10(n_range[1]), points)
    cc, nn = np.meshgrid(c, n)
    loss = law.loss(nn.ravel(), (cc / (6.0 * nn)).ravel())  # the law takes 1-D arrays
    return cc, nn, np.reshape(loss, cc.shape)


def highest_loss_runs(runs: pd.DataFrame, k: int) -> pd.DataFrame:
    """The ``k`` runs of highest loss, with their tokens per parameter.

    These are the points the replication leaves out of the Approach 3 fit
    (:data:`~chinchilla_lib.datasets.REPLICATION_EXCLUDED` of Figure 4's 245).

    Parameters
    ----------
    runs : DataFrame
        Columns ``n_params``, ``n_tokens``, ``loss``.
    k : int
        How many runs to return (0 gives an empty frame).

    Returns
    -------
    DataFrame
        The rows of ``runs`` in decreasing loss, plus ``tokens_per_param`` = D / N.

    References
    ----------
    Hoffmann et al. 2022, Figure 4; Besiroglu et al. 2024, Section 2.
    """
    _runs(runs)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a whole number >= 0, got {k!r}")
    top = runs.loc[runs["loss"].nlargest(int(k)).index]
    return top.assign(tokens_per_param=top["n_tokens"] / top["n_params"])


def exclusion_summary(kept: pd.DataFrame, dropped: pd.DataFrame) -> dict[str, float]:
    """How the runs left out of a fit differ from the runs kept: counts, token and loss ranges.

    Returns
    -------
    dict
        ``n_all``, ``n_kept``, ``n_dropped``; ``dropped_d_max`` and ``kept_d_min``
        (training tokens), ``d_range_factor`` (smallest kept D over smallest
        dropped D: how far the dropped runs stretch the token range down);
        ``kept_loss_max`` and ``dropped_loss_min``.

    References
    ----------
    Hoffmann et al. 2022, Figure 4; Besiroglu et al. 2024, Section 2.
    """
    _runs(kept)
    _runs(dropped)
    if dropped.empty:
        raise ValueError("dropped has no runs")
    return {
        "n_all": len(kept) + len(dropped), "n_kept": len(kept), "n_dropped": len(dropped),
        "dropped_d_max": float(dropped["n_tokens"].max()), "kept_d_min": float(kept["n_tokens"].min()),
        "d_range_factor": float(kept["n_tokens"].min() / dropped["n_tokens"].min()),
        "kept_loss_max": float(kept["loss"].max()), "dropped_loss_min": float(dropped["loss"].min()),
    }


def worst_under_prediction(law: ParametricLaw, runs: pd.DataFrame) -> float:
    """Largest under-prediction of the runs' log loss, ``max(log L_observed - log L_law)``.

    The negative of the smallest :func:`log_residuals`; about the worst miss in percent / 100.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    return float(np.max(-log_residuals(law, runs)))


def max_constant_difference(law: ParametricLaw, other: ParametricLaw,
                            keys: Sequence[str] = ("E", "alpha", "beta")) -> float:
    """Largest absolute difference between the constants ``keys`` of two laws.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (10); Besiroglu et al. 2024, Table 1.
    """
    if not keys:
        raise ValueError("keys must name at least one constant")
    return max(abs(float(getattr(law, k)) - float(getattr(other, k))) for k in keys)


def quality_relative_to(quality: pd.DataFrame, reference: str) -> pd.DataFrame:
    """:func:`fit_quality_table` indexed by law, with each objective relative to that of ``reference``.

    Returns
    -------
    DataFrame
        Indexed by ``law``; the columns of :func:`fit_quality_table` plus
        ``objective_ratio`` (objective / objective of ``reference``).

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    q = quality.set_index("law")
    if reference not in q.index:
        raise ValueError(f"reference {reference!r} is not a law of the table; choose one of {list(q.index)}")
    return q.assign(objective_ratio=q["objective"] / q.loc[reference, "objective"])


#: Bootstrap quantities in a frontier interval table, and their display units.
FRONTIER_QUANTITIES = ("alpha", "beta", "a", "b", "n_opt", "d_opt", "tokens_per_param")
_FRONTIER_UNITS = {"n_opt": (1e9, "n_opt (B)"), "d_opt": (1e12, "d_opt (T)")}


def frontier_interval_table(intervals: pd.DataFrame, quantities: Sequence[str] = FRONTIER_QUANTITIES,
                            columns: Sequence[str] = ("estimate", "p2.5", "p10", "p90", "p97.5")) -> pd.DataFrame:
    """Bootstrap intervals of the law's exponents and its allocation at one budget, in readable units.

    Parameters
    ----------
    intervals : DataFrame
        :attr:`~chinchilla_lib.approaches.parametric.Approach3Bootstrap.intervals` (index: quantity).
    quantities, columns :
        Rows and columns to keep.

    Returns
    -------
    DataFrame
        Indexed by quantity; ``n_opt`` in billions of parameters (row ``n_opt (B)``),
        ``d_opt`` in trillions of tokens (row ``d_opt (T)``), the rest unscaled.

    References
    ----------
    Hoffmann et al. 2022, Table 2, Figure 4 caption; Besiroglu et al. 2024, Table 1.
    """
    missing = [q for q in quantities if q not in intervals.index]
    if missing:
        raise ValueError(f"intervals has no rows {missing}; it has {list(intervals.index)}")
    table = intervals.loc[list(quantities), list(columns)].copy()
    for name, (scale, _) in _FRONTIER_UNITS.items():
        if name in table.index:
            table.loc[name] /= scale
    return table.rename(index={k: label for k, (_, label) in _FRONTIER_UNITS.items()})


def runs_for_printed_interval(width: float, n_runs: int, printed_low: float, printed_high: float,
                              decimals: int = 3) -> dict[str, float]:
    """Runs a bootstrap would need to narrow an interval of ``width`` to a printed one.

    With :func:`runs_for_width` (width ~ 1/sqrt(n)), for the printed width and for the
    widest interval that rounds to the printed ends (each end may hide half a unit of
    its last printed decimal).

    Returns
    -------
    dict
        ``width``, ``printed_width``, ``width_ratio``, ``n_needed``,
        ``needed_factor`` (n_needed / n_runs), ``widest_printed_width`` and
        ``n_needed_widest``.

    References
    ----------
    Hoffmann et al. 2022, Table 2; Besiroglu et al. 2024, Section 4.
    """
    printed_width = float(printed_high) - float(printed_low)
    widest = printed_width + 2 * 0.5 * 10.0 ** (-decimals)
    n_needed = runs_for_width(width, n_runs, printed_width)
    return {"width": float(width), "printed_width": printed_width, "width_ratio": float(width) / printed_width,
            "n_needed": n_needed, "needed_factor": n_needed / n_runs, "widest_printed_width": widest,
            "n_needed_widest": runs_for_width(width, n_runs, widest)}


def supported_rounding(value: float, standard_error: float) -> float:
    """``value`` rounded to the last digit its ``standard_error`` supports.

    The unit of the last digit kept is the largest power of ten not above the
    standard error (at least one significant figure is kept): 612,345 with a
    standard error of 31,000 becomes 610,000.
    """
    value, se = float(value), float(standard_error)
    if not (math.isfinite(value) and math.isfinite(se) and se >= 0):
        raise ValueError(f"value and standard_error must be finite (standard_error >= 0), got {value!r}, {se!r}")
    if se == 0 or value == 0:
        return value
    unit = 10.0 ** math.floor(math.log10(se))
    unit = min(unit, 10.0 ** math.floor(math.log10(abs(value))))
    return float(round(value / unit) * unit)


def runs_needed_with_error(samples, n_runs: int, printed_low: float, printed_high: float, *,
                           level: float = 0.8, decimals: int = 3, n_repeats: int = 400,
                           seed: int = 0) -> dict[str, float]:
    """Runs needed for the printed interval, with the Monte Carlo error of the bootstrap behind it.

    The width of a percentile interval of ``samples`` (the bootstrap estimates of one
    quantity from ``n_runs`` runs) has a sampling error of its own; it is estimated by
    resampling the samples (``n_repeats`` times, seeded).  Since
    ``n_needed = n_runs (width / printed_width)**2`` (:func:`runs_for_width`), its
    relative standard error is twice the width's.

    Returns
    -------
    dict
        ``width``, ``width_se``, ``printed_width``, ``n_needed``, ``n_needed_se``,
        ``n_needed_rounded`` (:func:`supported_rounding`), ``widest_printed_width``
        (each printed end may hide half a unit of its last decimal) and
        ``n_needed_widest`` (rounded the same way).

    References
    ----------
    Hoffmann et al. 2022, Table 2; Besiroglu et al. 2024, Section 4.
    """
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 10:
        raise ValueError(f"samples must hold at least 10 finite bootstrap estimates, got {x.size}")

    def width_of(v):
        lo, hi = percentile_interval(v, level)
        return hi - lo

    rng = np.random.default_rng(seed)
    repeats = [width_of(x[rng.integers(0, x.size, x.size)]) for _ in range(int(n_repeats))]
    width, width_se = width_of(x), float(np.std(repeats, ddof=1))
    need = runs_for_printed_interval(width, n_runs, printed_low, printed_high, decimals)
    n_se = 2 * need["n_needed"] * width_se / width
    return {"width": width, "width_se": width_se, "printed_width": need["printed_width"],
            "n_needed": need["n_needed"], "n_needed_se": n_se,
            "n_needed_rounded": supported_rounding(need["n_needed"], n_se),
            "widest_printed_width": need["widest_printed_width"],
            "n_needed_widest": supported_rounding(need["n_needed_widest"],
                                                  2 * need["n_needed_widest"] * width_se / width)}


def gradient_max(law: ParametricLaw, runs: pd.DataFrame, delta: float = DEFAULT_DELTA) -> float:
    """Largest absolute component of the gradient of Eq. (11) (the sum) at ``law``'s constants.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    log_n, log_d, log_l = (np.log(v) for v in _runs(runs))
    return float(np.abs(huber_objective(law.vector, log_n, log_d, log_l, delta)[1]).max())


def refit_with_exponents(runs: pd.DataFrame, alpha: float, beta: float, *,
                         delta: float = DEFAULT_DELTA) -> tuple[ParametricLaw, float]:
    """The best E, A, B of Eq. (11) with ``alpha`` and ``beta`` held fixed, and its objective.

    Tells whether a set of five printed constants is one optimum: if it is, holding its
    exponents gives back its E, A and B.

    References
    ----------
    Hoffmann et al. 2022, App. D.2 Eq. (11).
    """
    from scipy.optimize import minimize

    log_n, log_d, log_l = (np.log(v) for v in _runs(runs))
    alpha, beta = positive_scalar("alpha", alpha), positive_scalar("beta", beta)

    def partial(p):
        value, grad = huber_objective(np.r_[p, alpha, beta], log_n, log_d, log_l, delta)
        return value / delta, grad[:3] / delta

    start = np.array([6.0, 6.0, 0.5])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        res = minimize(partial, start, jac=True, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-10,
                                                                              "maxiter": 20000})
    law = ParametricLaw.from_vector(np.r_[res.x, alpha, beta], name="exponents-held",
                                    source=f"E, A, B refitted with alpha={alpha:g}, beta={beta:g} held")
    return law, float(res.fun * delta)


def frontier_crossing(law: ParametricLaw, other: ParametricLaw) -> float:
    """The budget C (FLOPs) at which two laws' frontiers N_opt(C) = G (C/6)^a meet.

    log G + a log(C/6) is equal for both laws at C = 6 exp((log G_o - log G) / (a - a_o)).

    References
    ----------
    Hoffmann et al. 2022, Eq. (4), Figure 4 (left).
    """
    if law.a == other.a:
        raise ValueError("the frontiers are parallel (equal exponents a): they never cross")
    return float(6.0 * np.exp((np.log(other.G) - np.log(law.G)) / (law.a - other.a)))


def tokens_per_param_at(law: ParametricLaw, flops) -> np.ndarray:
    """Tokens per parameter D_opt / N_opt on the law's frontier at each budget (grows like C^(b - a)).

    References
    ----------
    Hoffmann et al. 2022, Eq. (4), Table 3.
    """
    n_opt, d_opt = law.optimal_allocation(np.atleast_1d(np.asarray(flops, dtype=float)))
    return np.asarray(d_opt / n_opt, dtype=float)
