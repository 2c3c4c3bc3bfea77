"""Approach 2's fit (Section 3.2): every budget's minimum, the power laws through them, bootstrap intervals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._validate import (
    UnitWarning,
    caller_stacklevel,
    check_level,
    loss_falls_with_compute,
    positive_array,
    same_length,
    unit_notes,
    varying_loss,
)
from ...laws.powerlaw import PowerLawAllocation, fit_log_log_line, log_log_slopes
from ...result_cache import storable
from ...stats import percentile_interval
from .profile import (
    _C_HINT,
    _L_HINT,
    _N_HINT,
    BudgetFit,
    IsoFLOPWarning,
    _akima_minimum,
    _check_method,
    _profile_arrays,
    _window,
    fit_budget,
    group_budgets,
    parabolas,
)

__all__ = ["IsoFLOPResult", "fit_isoflop", "fit_isoflop_frame"]

_RESAMPLE = ("runs", "budgets")

# --------------------------------------------------------------------------
# All budgets, power laws, bootstrap
# --------------------------------------------------------------------------

@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class IsoFLOPResult(PowerLawAllocation):
    """Approach 2 fit: N_opt = n_coef * C^a, D_opt = d_coef * C^b (Section 3.2, Table 2).

    Attributes
    ----------
    a, b : float
        Exponents of N_opt and D_opt in C (b = 1 - a, since D_opt = C / (6 N_opt)).
    n_coef, d_coef : float
        Coefficients of the two power laws (C in FLOPs).
    a_interval, b_interval : tuple of float
        Bootstrap percentile interval at ``level`` (NaN when ``n_bootstrap=0``).
    budgets : DataFrame
        One row per budget: ``budget``, ``n_opt``, ``d_opt``, ``loss_opt``,
        ``n_points``, ``n_used``, ``bracketed``, ``convex``, ``used`` (entered
        the power-law fit) and the parabola coefficients ``c2, c1, c0`` in ln N.
    method, window : str, int or None
        How each profile's minimum was found (see :func:`fit_budget`).
    resample : str
        ``"runs"``: runs resampled with replacement within each budget, every
        profile refitted; ``"budgets"``: budgets' optima resampled.
    n_bootstrap, level, seed : int, float, int
        Bootstrap settings.
    a_samples, b_samples : ndarray
        Bootstrap replicates (NaN for replicates that could not be fitted).
    n_coef_samples : ndarray
        The replicates' coefficients n_coef (so N_opt(C) has an interval at any C).
    run_budgets : ndarray
        The budget each run was grouped into, in the order given (NaN: on no budget).
    n_unassigned : int
        Runs left out by the grouping (``min_points``).
    messages : tuple of str
        The warnings issued (unbracketed or non-convex budgets).
    """

    a: float
    b: float
    n_coef: float
    d_coef: float
    a_interval: tuple[float, float]
    b_interval: tuple[float, float]
    budgets: pd.DataFrame
    method: str
    window: int | None
    resample: str
    n_bootstrap: int
    level: float
    seed: int
    a_samples: np.ndarray = field(repr=False)
    b_samples: np.ndarray = field(repr=False)
    n_unassigned: int = 0
    messages: tuple[str, ...] = ()
    n_coef_samples: np.ndarray | None = field(default=None, repr=False)
    run_budgets: np.ndarray | None = field(default=None, repr=False)
    #: The gate's verdict (:class:`~chinchilla_lib.approaches.quality.Quality`); set by ``fit_runs``, None when not judged.
    quality: object = field(default=None, repr=False, compare=False)

    def _fitted_flops(self) -> tuple:
        used = self.budgets.loc[self.budgets["used"], "budget"]
        return (float(used.min()), float(used.max()))

    def _samples(self, quantity: str):
        if quantity in ("n_coef", "d_coef"):
            if self.n_coef_samples is None:
                return None
            # ln D_opt = ln C - ln 6 - ln N_opt, so d_coef = 1 / (6 n_coef) in every replicate
            return self.n_coef_samples if quantity == "n_coef" else 1.0 / (6.0 * self.n_coef_samples)
        return self.a_samples if quantity == "a" else self.b_samples if quantity == "b" else None

    def _n_opt_samples(self, flops: float):
        if self.n_coef_samples is None or not len(self.a_samples):
            return None
        return self.n_coef_samples * flops**self.a_samples


def _check_options(level: float, resample: str, n_bootstrap: int) -> tuple[float, int]:
    level = check_level(level)
    if resample not in _RESAMPLE:
        raise ValueError(f"resample must be one of {_RESAMPLE}, got {resample!r}")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a whole number >= 0, got {n_bootstrap!r}")
    return level, int(n_bootstrap)


def _inputs(n_params, flops, loss) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = positive_array("n_params", n_params, hint=_N_HINT, min_size=3)
    c = positive_array("flops", flops, hint=_C_HINT, min_size=3)
    y = positive_array("loss", loss, hint=_L_HINT, min_size=3)
    same_length(n_params=n, flops=c, loss=y)
    varying_loss(y, n_params=n, flops=c)
    return n, c, y


def _report(fit: BudgetFit, strict: bool, include_unbracketed: bool) -> str | None:
    if fit.convex and fit.bracketed:
        return None
    if not fit.convex:
        problem = "the loss profile is not convex (the parabola opens downwards), so it has no minimum"
    else:
        problem = (f"the minimum (N = {fit.n_opt:.3g}) is not bracketed by the sampled model sizes "
                   f"({fit.n_used} runs fitted)")
    text = f"IsoFLOP budget {fit.budget:.4g} FLOPs: {problem}"
    if strict:
        raise ValueError(text + "; add runs on the other side of the minimum, or pass strict=False")
    action = "kept" if fit.convex and include_unbracketed else "left out of the power-law fit"
    return f"{text}; {action} (strict=True raises instead)"


def _bootstrap_runs(profiles, method: str, window: int | None, include: bool, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """ln N_opt per replicate and budget, runs resampled within budgets (NaN = no usable minimum)."""
    out = np.full((n_boot, len(profiles)), np.nan)
    for k, (x, y) in enumerate(profiles):
        xw, yw = _window(x, y, window)
        idx = rng.integers(0, xw.size, size=(n_boot, xw.size))
        xs, ys = xw[idx], yw[idx]
        if method == "akima":
            for i in range(n_boot):
                x_star, _, inside = _akima_minimum(xs[i], ys[i])
                out[i, k] = x_star if inside else np.nan
            continue
        x_star, *_, convex = parabolas(xs, ys)
        inside = (xs.min(axis=1) <= x_star) & (x_star <= xs.max(axis=1))
        out[:, k] = np.where(convex & (inside | include), x_star, np.nan)
    return out


def _bootstrap_a(kept: pd.DataFrame, profiles, method: str, window: int | None, include: bool,
                 n_boot: int, resample: str, seed: int) -> np.ndarray:
    """Bootstrap replicates of the exponent a and of ln n_coef, shape (2, n_boot) (empty when ``n_boot`` is 0)."""
    if n_boot == 0:
        return np.full((2, 0), np.nan)
    rng = np.random.default_rng(seed)
    log_c = np.log(kept["budget"].to_numpy())
    out = []
    for start in range(0, n_boot, BOOTSTRAP_CHUNK):  # memory bounded whatever n_boot
        k = min(BOOTSTRAP_CHUNK, n_boot - start)
        if resample == "budgets":
            pick = rng.integers(0, log_c.size, size=(k, log_c.size))
            log_n = np.log(kept["n_opt"].to_numpy())
            out.append(np.stack(log_log_slopes(log_c[pick], log_n[pick], np.ones(pick.shape))))
            continue
        log_n = _bootstrap_runs(profiles, method, window, include, k, rng)
        out.append(np.stack(log_log_slopes(log_c, np.nan_to_num(log_n), (~np.isnan(log_n)).astype(float))))
    return np.concatenate(out, axis=1)


#: Bootstrap replicates drawn and fitted together (bounds memory whatever ``n_bootstrap``).
BOOTSTRAP_CHUNK = 5000


def _fit_profiles(n, y, labels, method, window, strict, include):
    """Fit every budget's profile; return the fits, their (ln N, loss) arrays and the warnings."""
    fits, profiles, messages = [], [], []
    for budget in np.unique(labels[~np.isnan(labels)]):
        members = labels == budget
        fit = fit_budget(n[members], y[members], budget=budget, method=method, window=window)
        message = _report(fit, strict, include)
        if message:
            warnings.warn(message, IsoFLOPWarning, stacklevel=caller_stacklevel())
            messages.append(message)
        fits.append(fit)
        profiles.append(_profile_arrays(n[members], y[members], budget))
    return fits, profiles, messages


def _budget_table(fits: list[BudgetFit], used: list[bool]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "budget": [f.budget for f in fits],
            "n_opt": [f.n_opt for f in fits],
            "loss_opt": [f.loss_opt for f in fits],
            "n_points": [f.n_points for f in fits],
            "n_used": [f.n_used for f in fits],
            "bracketed": [f.bracketed for f in fits],
            "convex": [f.convex for f in fits],
            "used": used,
            "c2": [f.coefficients[0] for f in fits],
            "c1": [f.coefficients[1] for f in fits],
            "c0": [f.coefficients[2] for f in fits],
        }
    )
    table.insert(2, "d_opt", table["budget"] / (6.0 * table["n_opt"]))
    return table


def fit_isoflop(
    n_params,
    flops,
    loss,
    *,
    rel_tol: float = 0.0,
    min_points: int | None = None,
    method: str = "parabola",
    window: int | None = None,
    strict: bool = False,
    include_unbracketed: bool = False,
    n_bootstrap: int = 1000,
    level: float = 0.8,
    resample: str = "runs",
    seed: int = 0,
) -> IsoFLOPResult:
    """Approach 2: IsoFLOP profiles to N_opt ∝ C^a and D_opt ∝ C^b (Section 3.2, Figure 3).

    Parameters
    ----------
    n_params, flops, loss : array of float
        One entry per run: model size, training FLOPs and final loss.
    rel_tol, min_points
        How runs are grouped into budgets (see :func:`group_budgets`);
        ``rel_tol=0`` (default) needs exact budget labels in ``flops``.
    method, window
        How each profile's minimum is found (see :func:`fit_budget`).
    strict : bool, default False
        Raise :class:`ValueError` for a budget whose minimum is not bracketed
        or whose profile is not convex.  Otherwise such a budget triggers an
        :class:`IsoFLOPWarning` naming it and is recorded in the table.
    include_unbracketed : bool, default False
        Keep convex budgets whose vertex lies outside the sampled sizes in the
        power-law fit (extrapolated minima).  Non-convex budgets never enter.
    n_bootstrap : int, default 1000
        Bootstrap replicates for the intervals (0 skips the bootstrap).
    level : float, default 0.8
        Coverage of the percentile interval (0.8: 10th to 90th percentile,
        as the paper's Table 2).
    resample : {"runs", "budgets"}, default "runs"
        ``"runs"`` resamples runs with replacement within every budget and
        refits each profile (a window is chosen once, on the full data);
        ``"budgets"`` resamples the budgets' optima.
    seed : int, default 0
        Seed of the bootstrap's :func:`numpy.random.default_rng`.

    Returns
    -------
    IsoFLOPResult

    Raises
    ------
    ValueError
        Non-positive or NaN values, arrays of different lengths, a budget with
        fewer than 3 runs of distinct size, an unbracketed or non-convex
        budget when ``strict``, or fewer than 2 budgets left to fit.
    """
    n, c, y = _inputs(n_params, flops, loss)
    window = _check_method(method, window)
    level, n_bootstrap = _check_options(level, resample, n_bootstrap)
    labels = group_budgets(c, rel_tol=rel_tol, min_points=min_points)
    fits, profiles, messages = _fit_profiles(n, y, labels, method, window, strict, include_unbracketed)
    used = [f.convex and (f.bracketed or include_unbracketed) for f in fits]
    if sum(used) < 2:
        raise ValueError(
            f"only {sum(used)} of {len(fits)} budgets have a usable minimum; a power law needs at least 2: "
            "add runs on both sides of each budget's minimum (or keep extrapolated minima with "
            "include_unbracketed=True)"
        )
    table = _budget_table(fits, used)
    kept = table[table["used"]]
    lowest = np.array([y.min() for (_, y), u in zip(profiles, used) if u])  # observed, whatever the method
    loss_falls_with_compute(kept["budget"].to_numpy(), lowest, what="the budgets' lowest losses",
                            allow_flat=True)
    for note in unit_notes(n_params=n, flops=c):
        warnings.warn(note, UnitWarning, stacklevel=caller_stacklevel())
        messages.append(note)
    a, n_coef = fit_log_log_line(kept["budget"].to_numpy(), kept["n_opt"].to_numpy())
    b, d_coef = fit_log_log_line(kept["budget"].to_numpy(), kept["d_opt"].to_numpy())
    a_samples, log_coef_samples = _bootstrap_a(kept, [p for p, u in zip(profiles, used) if u], method, window,
                                               include_unbracketed, n_bootstrap, resample, seed)
    b_samples = 1.0 - a_samples  # D_opt = C / (6 N_opt) in every replicate
    return IsoFLOPResult(
        a=a, b=b, n_coef=n_coef, d_coef=d_coef,
        a_interval=percentile_interval(a_samples, level), b_interval=percentile_interval(b_samples, level),
        budgets=table, method=method, window=window, resample=resample, n_bootstrap=n_bootstrap,
        level=level, seed=seed, a_samples=a_samples, b_samples=b_samples,
        n_unassigned=int(np.isnan(labels).sum()), messages=tuple(messages),
        n_coef_samples=np.exp(log_coef_samples), run_budgets=labels,
    )


def fit_isoflop_frame(runs: pd.DataFrame, **options) -> IsoFLOPResult:
    """:func:`fit_isoflop` on a DataFrame with columns ``n_params``, ``flops``, ``loss``.

    Works directly on :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`
    (with ``rel_tol=0.03, min_points=8``), :func:`~chinchilla_lib.datasets.load_porian`
    (one configuration; exact budgets) and
    :func:`~chinchilla_lib.approaches.simulate.simulate_isoflop`.
    """
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"runs must be a pandas DataFrame, got {type(runs).__name__}")
    missing = [col for col in ("n_params", "flops", "loss") if col not in runs.columns]
    if missing:
        raise ValueError(f"runs lacks column(s) {missing}; it needs n_params, flops and loss")
    return fit_isoflop(runs["n_params"], runs["flops"], runs["loss"], **options)


