"""The paper's three approaches on any grid of finished runs (final losses only).

Many public sets of runs are a designed grid: several model sizes, each trained
to several token counts, each run with its own matched learning-rate schedule,
and only the final loss of each run published.  This module runs each of
Hoffmann et al.'s approaches on such a grid (columns ``n_params``, ``n_tokens``,
``loss``; ``flops`` = 6 N D unless given) and gives the model-size exponent
``a`` of N_opt ∝ C^a with a seeded bootstrap interval that resamples runs:

* **Approach 1** (Section 3.1): the lower envelope over compute of the final
  losses.  The runs of one size, ordered by compute, form that size's curve;
  each point is the end of its own schedule, as the paper's selection of the
  last 15% of each cosine cycle intends.  :func:`~chinchilla_lib.approaches.envelope.fit_interior_envelope`
  then fits N_opt(C) where the envelope is held by an interior size.
* **Approach 2** (Section 3.2): IsoFLOP slices interpolated from each size's
  loss-against-tokens curve (:func:`isoflop_slices`: ln loss linear in ln D,
  never extrapolated), every size read at each of a set of budgets, and the
  parabola of :func:`~chinchilla_lib.approaches.isoflop.fit_isoflop` fitted per budget;
  budgets whose minimum is not bracketed by the sizes are left out.
* **Approach 3** (Section 3.3): :func:`~chinchilla_lib.approaches.parametric.fit_approach3`
  and :func:`~chinchilla_lib.approaches.parametric.bootstrap_approach3`.

Data that cannot decide an approach is refused with a one-line ValueError
naming what is missing: too few sizes with two or more token counts, too few
budgets with a bracketed minimum, or a fit the gate refuses
(:mod:`~chinchilla_lib.approaches.quality`: the bootstrap spread of a or of E,
E collapsed, one size holding most of the envelope, ...).  A fit the gate
decides or flags carries its verdict in ``.quality``.

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3, Table 2.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar, same_length
from ..result_cache import storable
from ..stats import budget_groups, percentile_interval
from .envelope import fit_interior_envelope
from .isoflop import fit_isoflop
from .parametric import bootstrap_approach3, fit_approach3
from .parametric.bootstrap import frontier_at
from .quality import THRESHOLDS, Quality, assess_approach1, assess_approach2, assess_approach3, bootstrap_checks

__all__ = ["MIN_SIZES", "MIN_BUDGETS", "MAX_E_SPREAD", "MIN_E_SHARE", "GridResult", "grid_frame", "size_curves",
           "reference_flops",
           "isoflop_slices", "slice_budgets", "grid_approach1", "grid_approach2", "grid_approach3", "grid_approach"]

#: Fewest model sizes with two or more token counts (a curve) that Approaches 1 and 2 accept.
MIN_SIZES = 3
#: Fewest IsoFLOP budgets with a bracketed minimum that Approach 2 accepts (a line through 2 says nothing
#: about its own fit).
MIN_BUDGETS = 3
#: Approach 3 is ill-conditioned when the bootstrap's 10th-90th percentile range of E is wider than
#: this fraction of E: the irreducible loss is then not pinned down and trades off against A, B and the
#: exponents, so a moves with it.
MAX_E_SPREAD = THRESHOLDS["E_spread"]
#: Approach 3 is also ill-conditioned when the fitted E collapses onto its bound (ln E driven towards
#: minus infinity): an E below this fraction of the lowest loss is indistinguishable from zero.
MIN_E_SHARE = THRESHOLDS["E_floor"]

_LEVEL = 0.8


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class GridResult:
    """One approach on one grid of runs: the exponent a of N_opt ∝ C^a and its bootstrap interval.

    Attributes
    ----------
    approach : int
    a : float
        On all runs.
    interval : (float, float)
        10th-90th percentiles (``level`` 0.8, as Table 2) over the bootstrap resamples that could be fitted.
    level : float
    n_runs, n_sizes : int
        Runs and distinct model sizes given.
    n_budgets : int
        Approach 1: model sizes that hold the envelope somewhere; Approach 2: budgets that entered the
        power law; Approach 3: 0.
    n_resamples, n_failed : int
        Bootstrap resamples drawn and those that could not be fitted (left out of the interval).
    seed : int
    fit : object
        The full-data fit (EnvelopeResult, IsoFLOPResult or Approach3Bootstrap).
    samples : ndarray
        The resamples' a (NaN where the resample could not be fitted).
    """

    approach: int
    a: float
    interval: tuple
    level: float
    n_runs: int
    n_sizes: int
    n_budgets: int
    n_resamples: int
    n_failed: int
    seed: int
    fit: object = field(repr=False)
    samples: np.ndarray = field(repr=False)
    #: The gate's verdict (:class:`~chinchilla_lib.approaches.quality.Quality`): decided or flagged (a refused
    #: fit raises instead).
    quality: object = field(default=None, repr=False, compare=False)
    #: The median compute of the runs (geometric) and the resamples' tokens per parameter D_opt / N_opt there.
    reference_flops: float = float("nan")
    tpp_samples: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: Budgets asked for with ``plan_at`` and the resamples' N_opt there (one column per budget; Approaches 1, 2).
    plan_at: tuple = ()
    n_opt_samples: np.ndarray | None = field(default=None, repr=False, compare=False)

    def n_opt_interval(self, flops: float, level: float = 0.8) -> tuple[float, float]:
        """The central ``level`` interval of N_opt at ``flops`` over the fitted resamples.

        Approach 3 reads it from its bootstrap's laws at any budget; Approaches 1 and 2 only at a budget
        given in ``plan_at`` when the grid was fitted (ValueError otherwise).
        """
        if self.approach == 3:
            return tuple(self.fit.plan(flops, level).intervals["n_params"])
        if float(flops) not in self.plan_at:
            raise ValueError(f"no resamples at {flops:.3g} FLOPs; fit the grid with plan_at=({flops:.3g},)")
        column = self.n_opt_samples[:, self.plan_at.index(float(flops))]
        good = column[np.isfinite(column)]
        return tuple(float(x) for x in percentile_interval(good, level)) if good.size >= 2 else (np.nan, np.nan)

    def tokens_per_param(self) -> float:
        """D_opt / N_opt of the fit on all runs at :attr:`reference_flops` (its plan there)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the median compute lies inside the runs: no extrapolation to warn of
            return float(self.fit.plan(self.reference_flops)["tokens_per_param"])

    def tpp_interval(self, level: float = 0.8) -> tuple[float, float]:
        """The central ``level`` interval of D_opt / N_opt at :attr:`reference_flops` over the fitted resamples."""
        if self.tpp_samples is None:
            return (float("nan"), float("nan"))
        good = self.tpp_samples[np.isfinite(self.tpp_samples)]
        return tuple(float(x) for x in percentile_interval(good, level)) if good.size >= 2 else (np.nan, np.nan)


def grid_frame(runs: pd.DataFrame, *, size_tol: float = 0.0) -> pd.DataFrame:
    """Validated copy of a grid of runs: ``n_params``, ``n_tokens``, ``loss``, ``flops``.

    Parameters
    ----------
    runs : DataFrame
        ``n_params``, ``n_tokens``, ``loss`` (final loss of each run, nats per token) and
        optionally ``flops`` (else 6 N D).
    size_tol : float, default 0
        Sizes within this relative distance of each other (consecutive, sorted) are one model size,
        replaced by their geometric mean (for digitised points; 0 keeps sizes as given).
    """
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"runs must be a pandas DataFrame with n_params, n_tokens, loss, got {type(runs).__name__}")
    missing = [c for c in ("n_params", "n_tokens", "loss") if c not in runs.columns]
    if missing:
        raise ValueError(f"runs lacks column(s) {', '.join(missing)}; a grid of runs needs n_params, n_tokens, loss")
    n = positive_array("n_params", runs["n_params"], hint="raw parameter counts")
    d = positive_array("n_tokens", runs["n_tokens"], hint="raw token counts")
    loss = positive_array("loss", runs["loss"], hint="final loss in nats per token")
    c = positive_array("flops", runs["flops"], hint="FLOPs") if "flops" in runs.columns else 6.0 * n * d
    same_length(n_params=n, n_tokens=d, loss=loss)
    if size_tol:
        n = _merge_sizes(n, positive_scalar("size_tol", size_tol, hint="a relative tolerance, e.g. 1e-3"))
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": loss, "flops": c})


def _merge_sizes(n: np.ndarray, tol: float) -> np.ndarray:
    order, groups = budget_groups(n, tol)  # sizes cluster as budgets do
    log_n = np.log(n[order])
    label = np.repeat(np.arange(len(groups)), [g.size for g in groups])
    means = np.exp(pd.Series(log_n).groupby(label).transform("mean").to_numpy())
    out = np.empty_like(n)
    out[order] = means
    return out


def size_curves(grid: pd.DataFrame) -> dict[float, pd.DataFrame]:
    """Each model size with two or more distinct token counts: its runs by tokens (repeats averaged)."""
    mean = grid.groupby(["n_params", "n_tokens"], as_index=False)[["loss", "flops"]].mean()
    return {float(n): part.sort_values("n_tokens").reset_index(drop=True)
            for n, part in mean.groupby("n_params") if len(part) >= 2}


def _require_sizes(curves: dict, what: str) -> None:
    if len(curves) < MIN_SIZES:
        raise ValueError(f"only {len(curves)} model size(s) have runs at 2 or more token counts; {what} needs "
                         f"at least {MIN_SIZES}: add runs of other lengths for more sizes")


def slice_budgets(grid: pd.DataFrame, *, per_decade: float = 4.0, min_sizes: int = MIN_SIZES) -> np.ndarray:
    """Log-spaced budgets (``per_decade`` a decade, over the runs' compute) where ``min_sizes`` curves reach."""
    per_decade = positive_scalar("per_decade", per_decade, hint="budgets per decade of compute, e.g. 4")
    curves = size_curves(grid)
    if not curves:
        return np.empty(0)
    lo, hi = grid["flops"].min(), grid["flops"].max()
    k = max(int(np.ceil(np.log10(hi / lo) * per_decade)) + 1, 2)
    budgets = np.geomspace(lo, hi, k)
    cover = sum(((budgets >= c["flops"].min()) & (budgets <= c["flops"].max())).astype(int) for c in curves.values())
    return budgets[cover >= min_sizes]


def isoflop_slices(grid: pd.DataFrame, budgets) -> pd.DataFrame:
    """Every size's loss at each budget, interpolated from its own runs (Section 3.2's profiles, rebuilt).

    For a size N the budget C means D = C / (6 N) tokens; ln loss is interpolated linearly in ln D
    between that size's two runs that bracket D, and the size is skipped at budgets outside its runs'
    range (never extrapolated).

    Returns
    -------
    DataFrame
        ``budget``, ``n_params``, ``n_tokens``, ``loss`` (interpolated), one row per (budget, size) reached.
    """
    budgets = positive_array("budgets", budgets, hint="FLOPs")
    rows = []
    for n, curve in size_curves(grid).items():
        log_d, log_l = np.log(curve["n_tokens"].to_numpy()), np.log(curve["loss"].to_numpy())
        scale = curve["flops"].to_numpy() / curve["n_tokens"].to_numpy()  # 6 N unless flops was given
        d = budgets / np.exp(np.mean(np.log(scale)))
        inside = (np.log(d) >= log_d[0]) & (np.log(d) <= log_d[-1])
        loss = np.exp(np.interp(np.log(d[inside]), log_d, log_l))
        rows += [{"budget": c, "n_params": n, "n_tokens": t, "loss": v}
                 for c, t, v in zip(budgets[inside], d[inside], loss)]
    return pd.DataFrame(rows, columns=["budget", "n_params", "n_tokens", "loss"]).sort_values(
        ["budget", "n_params"]).reset_index(drop=True)


def _resample(grid: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The runs drawn with replacement within each model size (the grid's design kept)."""
    idx = np.concatenate([rng.choice(ix, size=ix.size) for ix in grid.groupby("n_params").indices.values()])
    return grid.iloc[np.sort(idx)]


def reference_flops(grid: pd.DataFrame) -> float:
    """The median compute of a grid's runs (geometric): where its tokens per parameter are quoted."""
    return float(np.exp(np.median(np.log(grid["flops"].to_numpy(float)))))


def _bootstrap(grid: pd.DataFrame, one, n_resamples: int, seed: int,
               plan_at: tuple = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per resample of ``one(resample)``: the exponent a, the tokens per parameter at :func:`reference_flops`
    and N_opt at each budget of ``plan_at`` (one column each)."""
    rng = np.random.default_rng(seed)
    flops = reference_flops(grid)
    a, tpp = np.full(n_resamples, np.nan), np.full(n_resamples, np.nan)
    n_opt = np.full((n_resamples, len(plan_at)), np.nan)
    for i in range(n_resamples):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = one(_resample(grid, rng))
                a[i], tpp[i] = fit.a, fit.plan(flops)["tokens_per_param"]
                n_opt[i] = [fit.n_opt(c) for c in plan_at]
        except ValueError:
            pass
    return a, tpp, n_opt


def _result(approach, a, samples, grid, n_budgets, seed, fit, quality: Quality, tpp_samples=None,
            plan_at: tuple = (), n_opt_samples=None) -> GridResult:
    good = samples[np.isfinite(samples)]
    if good.size < max(2, samples.size // 2):
        raise ValueError(f"approach {approach}: only {good.size} of {samples.size} bootstrap resamples could be "
                         "fitted; the runs do not decide the exponent (add sizes or token counts)")
    if quality.verdict == "refused":
        raise ValueError(f"approach {approach}: refused: {quality.reason()}")
    lo, hi = percentile_interval(good, _LEVEL)
    return GridResult(approach, float(a), (float(lo), float(hi)), _LEVEL, len(grid), int(grid["n_params"].nunique()),
                      int(n_budgets), samples.size, int(samples.size - good.size), seed, fit, samples, quality,
                      reference_flops(grid), tpp_samples, tuple(float(c) for c in plan_at), n_opt_samples)


def _envelope(grid: pd.DataFrame, n_grid: int):
    curves = size_curves(grid)
    _require_sizes(curves, "Approach 1 (an envelope over size curves)")
    frame = pd.concat([c.assign(n_params=n) for n, c in curves.items()])[["n_params", "flops", "loss"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_interior_envelope(frame, n_grid=n_grid, curve_col="n_params")
    if fit.n_models < MIN_SIZES:
        raise ValueError(f"the interior envelope is held by {fit.n_models} model size(s); Approach 1 needs "
                         f"{MIN_SIZES} to fit a slope: add sizes between the smallest and the largest")
    return fit


def grid_approach1(runs: pd.DataFrame, *, n_resamples: int = 100, seed: int = 0, n_grid: int = 400,
                   size_tol: float = 0.0, plan_at=()) -> GridResult:
    """Approach 1 (Section 3.1) on final losses: the lower envelope of each size's losses over compute.

    Parameters
    ----------
    runs : DataFrame
        See :func:`grid_frame`.
    n_resamples : int, default 100
        Bootstrap resamples (runs drawn with replacement within each size).
    seed : int, default 0
    n_grid : int, default 400
        Log-spaced compute values of the envelope (the paper uses 1500 on full curves).
    size_tol : float, default 0
        See :func:`grid_frame`.
    plan_at : sequence of float, optional
        Budgets (FLOPs) at which every resample's N_opt is kept (:meth:`GridResult.n_opt_interval`).
    """
    grid = grid_frame(runs, size_tol=size_tol)
    n_resamples, n_grid = positive_int("n_resamples", n_resamples), positive_int("n_grid", n_grid)
    plan_at = _plan_budgets(plan_at)
    fit = _envelope(grid, n_grid)
    samples, tpp, n_opt = _bootstrap(grid, lambda g: _envelope(g, n_grid), n_resamples, seed, plan_at)
    quality = assess_approach1(fit, sizes=grid["n_params"].to_numpy(float), a_samples=samples)
    return _result(1, fit.a, samples, grid, fit.n_models, seed, fit, quality, tpp, plan_at, n_opt)


def _plan_budgets(plan_at) -> tuple:
    return tuple(float(c) for c in positive_array("plan_at", plan_at, hint="FLOPs")) if len(plan_at) else ()


def _isoflop(grid: pd.DataFrame, budgets: np.ndarray):
    _require_sizes(size_curves(grid), "Approach 2 (IsoFLOP slices across sizes)")
    slices = isoflop_slices(grid, budgets)
    counts = slices.groupby("budget")["n_params"].nunique()
    slices = slices[slices["budget"].isin(counts.index[counts >= MIN_SIZES])]
    if slices["budget"].nunique() < MIN_BUDGETS:
        raise ValueError(f"only {slices['budget'].nunique()} budget(s) are reached by {MIN_SIZES} or more sizes; "
                         f"Approach 2 needs {MIN_BUDGETS}: add sizes whose runs overlap in compute")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_isoflop(slices["n_params"], slices["budget"], slices["loss"], n_bootstrap=0)
    used = int(fit.budgets["used"].sum())
    if used < MIN_BUDGETS:
        raise ValueError(f"only {used} of {len(fit.budgets)} IsoFLOP slices have a minimum bracketed by the sizes; "
                         f"Approach 2 needs {MIN_BUDGETS}: add sizes on both sides of the optimum")
    return fit


def grid_approach2(runs: pd.DataFrame, *, budgets=None, per_decade: float = 4.0, n_resamples: int = 100,
                   seed: int = 0, size_tol: float = 0.0, plan_at=()) -> GridResult:
    """Approach 2 (Section 3.2) on final losses: parabolas through interpolated IsoFLOP slices.

    Parameters
    ----------
    runs : DataFrame
        See :func:`grid_frame`.
    budgets : array of float, optional
        Default :func:`slice_budgets` (``per_decade`` log-spaced budgets reached by 3 or more sizes).
    n_resamples, seed, size_tol, plan_at
        As for :func:`grid_approach1`; every resample is sliced at the same budgets.
    """
    grid = grid_frame(runs, size_tol=size_tol)
    n_resamples = positive_int("n_resamples", n_resamples)
    plan_at = _plan_budgets(plan_at)
    budgets = slice_budgets(grid, per_decade=per_decade) if budgets is None else positive_array(
        "budgets", budgets, hint="FLOPs")
    fit = _isoflop(grid, budgets)
    kept = fit.budgets.loc[fit.budgets["used"], "budget"].to_numpy()
    samples, tpp, n_opt = _bootstrap(grid, lambda g: _isoflop(g, kept), n_resamples, seed, plan_at)
    quality = Quality.of(assess_approach2(fit).checks + tuple(bootstrap_checks(samples)))
    return _result(2, fit.a, samples, grid, len(kept), seed, fit, quality, tpp, plan_at, n_opt)


def grid_approach3(runs: pd.DataFrame, *, n_resamples: int = 200, seed: int = 0, size_tol: float = 0.0,
                   max_e_spread: float = MAX_E_SPREAD) -> GridResult:
    """Approach 3 (Section 3.3) on final losses, refused when ill-conditioned.

    The bootstrap resamples all runs (:func:`~chinchilla_lib.approaches.parametric.bootstrap_approach3`).
    The fit is refused as ill-conditioned when the fitted E is below :data:`MIN_E_SHARE` of the lowest
    loss (collapsed onto its bound), or when the resamples' 10th-90th percentile range of E exceeds
    ``max_e_spread`` times the fitted E (:data:`MAX_E_SPREAD`).
    """
    grid = grid_frame(runs, size_tol=size_tol)
    n_resamples = positive_int("n_resamples", n_resamples)
    max_e_spread = positive_scalar("max_e_spread", max_e_spread, hint="a fraction of E, e.g. 0.5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_approach3(grid["n_params"], grid["n_tokens"], grid["loss"])
        floor = MIN_E_SHARE * float(grid["loss"].min())
        if not fit.E > floor:
            raise ValueError(f"Approach 3 is ill-conditioned: E collapses to {fit.E:.3g}, below {floor:.3g} "
                             f"({MIN_E_SHARE:.0%} of the lowest loss); add runs that pin the irreducible loss "
                             "(larger models, longer runs)")
        boot = bootstrap_approach3(grid["n_params"], grid["n_tokens"], grid["loss"], n_resamples=n_resamples,
                                   seed=seed, flops=float(grid["flops"].max()), fit=fit)
    lo, hi = boot.interval("E", _LEVEL)
    spread = (hi - lo) / boot.fit.E
    if not spread <= max_e_spread:
        raise ValueError(f"Approach 3 is ill-conditioned: E = {boot.fit.E:.3g} with a 10-90% bootstrap range "
                         f"{lo:.3g}-{hi:.3g} ({spread:.0%} of E, above {max_e_spread:.0%}); add runs that "
                         "pin the irreducible loss (larger models, longer runs)")
    converged = boot.samples["converged"].to_numpy(bool)
    samples = np.where(converged, boot.samples["a"].to_numpy(float), np.nan)
    n_opt, d_opt = frontier_at(boot.samples[["log_A", "log_B", "log_E", "alpha", "beta"]].to_numpy(),
                               reference_flops(grid))
    tpp = np.where(converged, d_opt / n_opt, np.nan)
    quality = assess_approach3(boot.fit, grid["n_params"], grid["n_tokens"], grid["loss"], samples=boot.samples)
    return _result(3, boot.fit.a, samples, grid, 0, seed, boot, quality, tpp)


def grid_approach(runs: pd.DataFrame, approach: int, **options) -> GridResult:
    """:func:`grid_approach1`, :func:`grid_approach2` or :func:`grid_approach3` by number."""
    functions = {1: grid_approach1, 2: grid_approach2, 3: grid_approach3}
    if isinstance(approach, bool) or approach not in functions:
        raise ValueError(f"approach must be 1, 2 or 3, got {approach!r}")
    return functions[approach](runs, **options)
