"""Backtests: fit the small budgets, predict the largest, and score the prediction against the runs.

The paper's method is a forecast: fit runs at small budgets, then name the compute-optimal model
(and, for Approach 3, its loss) at a budget nobody has trained.  A backtest repeats that on a set
whose largest budgets *were* trained: the largest ``holdout`` budgets are left out, each approach
is fitted on the rest (through the gate of :mod:`~chinchilla_lib.approaches.quality`), and its
prediction at every held-out budget is scored against what the held-out runs show.

What a held-out budget *shows* is the same for every approach: the vertex of its own IsoFLOP
profile (a parabola of loss in ln N through the budget's runs, Hoffmann et al. Section 3.2), with
an interval from resampling those runs.  Two designs of runs are read:

* **IsoFLOP sets** (runs share budgets: Figure 4, Llama 3, CS336, ...): the budgets are the runs'
  own labels (grouped within ``rel_tol``); a held-out budget's profile is its runs.
* **Grids** (sizes each trained to several token counts, budgets not shared: Gadre, the OLMo
  ladder, ...): the budgets are log-spaced slices of compute
  (``run_grid.slice_budgets``); a held-out budget's profile is
  interpolated from every size's runs (``run_grid.isoflop_slices``).

A set's budgets are those whose profile has a minimum bracketed by its sizes (else nothing is
observed there); a backtest needs at least :data:`MIN_BUDGETS` of them, three to fit and one to
hold out.  The fits use only runs at or below the cut-off budget (for grids, runs whose compute
is at most the cut-off), so nothing of a held-out budget leaks into its prediction.

Predictions: Approach 1 (``run_grid.grid_approach1``, each size's
finished runs as its curve) and Approach 2 (:func:`~chinchilla_lib.approaches.runs.fit_runs` on
IsoFLOP sets, ``run_grid.grid_approach2`` on grids) predict N_opt
with a bootstrap interval and no loss; Approach 3 (:func:`~chinchilla_lib.approaches.runs.fit_runs`
with a bootstrap) predicts N_opt and the lowest loss at the budget, L(N_opt, D_opt).  A fit the gate
refuses predicts nothing: its row carries the verdict and the reason, and ``null`` predictions.

Scoring: ``n_opt_rel_error`` = predicted / observed - 1; ``loss_error`` the same for the loss.  The
observation is itself uncertain (its vertex moves when its runs are resampled), so ``n_opt_inside``
asks whether it lies in the predicted 80% interval widened in quadrature by the observation's own
80% half-widths (in ln N; the loss likewise): the interval in which an observation should fall
80% of the time if both intervals are honest.  :func:`coverage` counts how often it does.

Each row has the keys of :data:`ROW_KEYS` (the command line's ``backtest --json``).

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3; Marin's scaling ladder (2025) for leave-largest-out
backtests of scaling laws.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validate import positive_int
from ..stats import percentile_interval
from .isoflop.profile import fit_budget, group_budgets
from .run_grid import MIN_SIZES, _resample, grid_approach1, grid_approach2, grid_frame, isoflop_slices, slice_budgets
from .runs import fit_runs

__all__ = ["ROW_KEYS", "MIN_BUDGETS", "LEVEL", "RESAMPLES", "Design", "design_of", "observed_optimum",
           "backtest", "backtest_set", "coverage"]

#: The keys of every backtest row, in order (the public contract of ``backtest --json``).
ROW_KEYS = ("set", "approach", "cutoff_flops", "heldout_flops", "predicted_n_opt", "predicted_n_opt_interval",
            "observed_n_opt", "observed_n_opt_interval", "n_opt_rel_error", "n_opt_inside", "predicted_loss",
            "observed_loss", "loss_error", "loss_inside", "verdict")
#: Fewest budgets with an observed minimum a backtest needs (three to fit a power law, one to hold out).
MIN_BUDGETS = 4
#: Coverage of every interval (10th-90th percentiles, as the paper's Table 2).
LEVEL = 0.8
#: Bootstrap resamples per approach (the prediction) and for the observed vertex.
RESAMPLES = {1: 50, 2: 100, 3: 100, "observed": 200}


class Design:
    """How a set's runs are arranged: ``"isoflop"`` (shared budgets) or ``"grid"`` (sizes x token counts)."""

    ISOFLOP = "isoflop"
    GRID = "grid"


def design_of(runs: pd.DataFrame, *, rel_tol: float = 0.0, min_points: int | None = None) -> str:
    """``"isoflop"`` when most runs (80%) sit on budgets shared by three or more sizes, else ``"grid"``.

    Budgets are grouped as :func:`~chinchilla_lib.approaches.isoflop.group_budgets` does; runs left
    out by ``min_points`` do not count against the share."""
    if "flops" not in runs.columns:
        return Design.GRID
    labels = group_budgets(runs["flops"].to_numpy(float), rel_tol=rel_tol, min_points=min_points)
    sizes = pd.Series(runs["n_params"].to_numpy(float)).groupby(labels).nunique()
    shared = np.isin(labels, sizes.index[sizes >= MIN_SIZES].to_numpy())[np.isfinite(labels)]
    return Design.ISOFLOP if shared.size and shared.mean() >= 0.8 else Design.GRID


def _vertex(n: np.ndarray, loss: np.ndarray) -> tuple[float, float] | None:
    """(N, loss) at the vertex of a parabola of loss in ln N; None unless convex and bracketed by the sizes."""
    if np.unique(n).size < 3:
        return None
    fit = fit_budget(n, loss)
    return (fit.n_opt, fit.loss_opt) if fit.bracketed else None


def observed_optimum(profile, resamples, level: float = LEVEL) -> dict | None:
    """The vertex of one budget's profile and its interval over resampled profiles.

    Parameters
    ----------
    profile : (n_params, loss) arrays
        The budget's runs (or interpolated slice).
    resamples : iterable of (n_params, loss)
        Resampled profiles; those without a bracketed vertex are skipped.

    Returns
    -------
    dict or None
        ``n_opt``, ``n_opt_interval``, ``loss``, ``loss_interval``, ``n_fitted`` (resamples with a vertex);
        None when the profile's own minimum is not bracketed (nothing is observed there).
    """
    full = _vertex(*profile)
    if full is None:
        return None
    found = np.array([v for v in (_vertex(*p) for p in resamples) if v is not None]).reshape(-1, 2)
    if len(found) < 2:
        return {"n_opt": full[0], "n_opt_interval": None, "loss": full[1], "loss_interval": None, "n_fitted": len(found)}
    return {"n_opt": full[0], "n_opt_interval": [float(x) for x in percentile_interval(found[:, 0], level)],
            "loss": full[1], "loss_interval": [float(x) for x in percentile_interval(found[:, 1], level)],
            "n_fitted": len(found)}


class _Profiles:
    """A set's IsoFLOP profiles: which budgets show a minimum, and each held-out budget's observed optimum."""

    def __init__(self, runs: pd.DataFrame, design: str, rel_tol: float, min_points: int | None, seed: int):
        self.seed = seed
        if design == Design.ISOFLOP:
            self.labels = group_budgets(runs["flops"].to_numpy(float), rel_tol=rel_tol, min_points=min_points)
            self.runs = runs
            budgets = np.unique(self.labels[np.isfinite(self.labels)])
        else:
            self.labels, self.runs = None, grid_frame(runs)
            budgets = slice_budgets(self.runs)
        self.shows = {float(c): _vertex(*self.profile(self.runs, c)) is not None for c in budgets}

    def profile(self, runs: pd.DataFrame, budget: float) -> tuple[np.ndarray, np.ndarray]:
        if self.labels is None:
            s = isoflop_slices(runs, [budget])
            return s["n_params"].to_numpy(float), s["loss"].to_numpy(float)
        part = runs[self.labels == budget]
        return part["n_params"].to_numpy(float), part["loss"].to_numpy(float)

    def observed(self, budget: float, n_resamples: int) -> dict | None:
        """:func:`observed_optimum` of one budget: runs resampled within the budget (IsoFLOP sets) or within
        each size before slicing (grids)."""
        rng = np.random.default_rng(self.seed)
        if self.labels is None:
            draws = [self.profile(_resample(self.runs, rng), budget) for _ in range(n_resamples)]
            return observed_optimum(self.profile(self.runs, budget), draws)
        n, y = self.profile(self.runs, budget)
        picks = (rng.integers(0, n.size, n.size) for _ in range(n_resamples))
        return observed_optimum((n, y), [(n[i], y[i]) for i in picks])

    def training(self, cutoff: float) -> pd.DataFrame:
        """The runs a fit may see: on budgets up to ``cutoff`` (labelled with them), or of compute up to it."""
        if self.labels is None:
            return self.runs[self.runs["flops"] <= cutoff * (1 + 1e-9)]
        on = np.isfinite(self.labels) & (self.labels <= cutoff)
        return self.runs[on].assign(flops=self.labels[on])


def _predict(train: pd.DataFrame, approach: int, design: str, heldout: list[float], n_resamples: int, seed: int):
    """The fit on the training runs and, per held-out budget, (N_opt, interval, loss, loss interval)."""
    if approach == 1:
        fit = grid_approach1(train, n_resamples=n_resamples, seed=seed, plan_at=heldout)
        return fit.quality, {c: (fit.fit.n_opt(c), list(fit.n_opt_interval(c)), None, None) for c in heldout}
    if approach == 2 and design == Design.GRID:
        fit = grid_approach2(train, n_resamples=n_resamples, seed=seed, plan_at=heldout)
        return fit.quality, {c: (fit.fit.n_opt(c), list(fit.n_opt_interval(c)), None, None) for c in heldout}
    if approach == 2:
        fit = fit_runs(train[["n_params", "flops", "loss"]], approach=2, bootstrap=n_resamples, seed=seed,
                       flops=max(heldout))
    else:
        fit = fit_runs(train[["n_params", "n_tokens", "loss"]], approach=3, bootstrap=n_resamples, seed=seed,
                       flops=max(heldout))
    if fit.quality.verdict == "refused":
        return fit.quality, None
    out = {}
    for c in heldout:
        plan = fit.plan(c)
        loss, loss_interval = plan.get("loss"), None
        if approach == 3:
            loss_interval = list(percentile_interval(_frontier_losses(fit.samples, c), LEVEL))
        out[c] = (plan["n_params"], plan["intervals"]["n_params"], loss, loss_interval)
    return fit.quality, out


def _frontier_losses(samples: pd.DataFrame, flops: float) -> np.ndarray:
    """Each resample's own lowest loss at ``flops``: L(N_opt, D_opt) under its law (Eqs. 2 and 4)."""
    from .parametric.bootstrap import frontier_at

    good = samples[samples["converged"].astype(bool)]
    n, d = frontier_at(good[["log_A", "log_B", "log_E", "alpha", "beta"]].to_numpy(), flops)
    return (good["E"] + good["A"] / n ** good["alpha"] + good["B"] / d ** good["beta"]).to_numpy(float)


def _widened(point: float, interval, other, *, log: bool = False) -> list[float] | None:
    """The predicted ``interval`` around ``point`` widened in quadrature by the observation's own
    half-widths ``other`` (its interval about its estimate): an interval for the observation itself.

    With ``log`` the widening is done in ln (for N_opt, whose errors are multiplicative).
    """
    if interval is None or not np.all(np.isfinite(interval)):
        return None
    f, inv = (np.log, np.exp) if log else ((lambda x: np.asarray(x, float)), (lambda x: x))
    p, (lo, hi) = f(point), f(interval)
    below, above = (0.0, 0.0) if other is None else other
    return [float(inv(p - np.hypot(p - lo, below))), float(inv(p + np.hypot(hi - p, above)))]


def _half_widths(estimate: float, interval, *, log: bool = False) -> tuple[float, float] | None:
    if interval is None:
        return None
    f = np.log if log else (lambda x: x)
    return (float(f(estimate) - f(interval[0])), float(f(interval[1]) - f(estimate)))


def _inside(value, interval) -> bool | None:
    if value is None or interval is None or not np.all(np.isfinite(interval)):
        return None
    return bool(interval[0] <= value <= interval[1])


def _row(name, approach, cutoff, c, predicted, observed, verdict, noise, reason, design) -> dict:
    n_pred, n_int, l_pred, l_int = predicted if predicted else (None, None, None, None)
    n_obs = observed["n_opt"] if observed else None
    l_obs = observed["loss"] if observed else None
    n_judge = l_judge = None
    if n_pred is not None and n_obs is not None:
        n_judge = _widened(n_pred, n_int, _half_widths(n_obs, observed["n_opt_interval"], log=True), log=True)
    if l_pred is not None and l_obs is not None:
        l_judge = _widened(l_pred, l_int, _half_widths(l_obs, observed["loss_interval"]))
    return {"set": name, "approach": approach, "cutoff_flops": cutoff, "heldout_flops": c,
            "predicted_n_opt": n_pred, "predicted_n_opt_interval": n_int,
            "observed_n_opt": n_obs, "observed_n_opt_interval": observed["n_opt_interval"] if observed else None,
            "n_opt_rel_error": n_pred / n_obs - 1.0 if n_pred is not None and n_obs is not None else None,
            "n_opt_inside": _inside(n_obs, n_judge),
            "predicted_loss": l_pred, "observed_loss": l_obs,
            "loss_error": l_pred / l_obs - 1.0 if l_pred is not None and l_obs is not None else None,
            "loss_inside": _inside(l_obs, l_judge),
            "verdict": verdict,
            # beyond the contract: what the row rests on
            "predicted_loss_interval": l_int, "observed_loss_interval": observed["loss_interval"] if observed else None,
            "n_opt_judged_interval": n_judge, "loss_judged_interval": l_judge, "noise_floor": noise,
            "design": design, "reason": reason}


def backtest(runs: pd.DataFrame, approach: int, *, holdout: int = 1, seed: int = 0, name: str = "runs",
             rel_tol: float = 0.0, min_points: int | None = None, noise: float | None = None,
             design: str | None = None,
             n_resamples: int | None = None) -> list[dict]:
    """Leave the largest ``holdout`` budgets out, fit ``approach`` on the rest, score its predictions there.

    Parameters
    ----------
    runs : DataFrame
        Finished runs: ``n_params``, ``loss`` and ``n_tokens`` or ``flops`` (the other is filled by
        C = 6 N D); on IsoFLOP sets ``flops`` is each run's budget.
    approach : {1, 2, 3}
    holdout : int, default 1
        Budgets held out (the largest); at least :data:`MIN_BUDGETS` - 1 must stay to fit.
    seed : int, default 0
        Seed of every bootstrap.
    name : str
        The set's name in the rows.
    rel_tol : float, default 0
        Runs whose FLOPs differ by less than this factor share a budget (IsoFLOP sets; 0.03 for Figure 4).
    min_points : int, optional
        Budgets with fewer runs are not budgets (IsoFLOP sets: 8 separates Figure 4's strips from its
        scattered runs); such runs are left out.
    noise : float, optional
        Seed-to-seed sd of one run's loss (nats), from seed pairs where a set has them: reported with
        every row (``noise_floor``) as the scale below which no loss error means anything.
    design : {"isoflop", "grid"}, optional
        Default :func:`design_of`.
    n_resamples : int, optional
        Bootstrap resamples of the fit (default :data:`RESAMPLES`).

    Returns
    -------
    list of dict
        One row per held-out budget, keys :data:`ROW_KEYS` and ``predicted_loss_interval``,
        ``observed_loss_interval``, ``n_opt_judged_interval``, ``loss_judged_interval`` (the intervals
        ``n_opt_inside`` and ``loss_inside`` are judged by), ``noise_floor``, ``design`` and ``reason``
        (why nothing was predicted or observed).

    Raises
    ------
    ValueError
        When the set cannot be backtested: fewer than :data:`MIN_BUDGETS` budgets with an observed minimum
        (or ``holdout`` leaves fewer than three to fit); the message names the count.
    """
    if isinstance(approach, bool) or approach not in (1, 2, 3):
        raise ValueError(f"approach must be 1, 2 or 3, got {approach!r}")
    holdout, seed = positive_int("holdout", holdout), int(seed)
    runs = runs.copy()
    if "n_tokens" not in runs.columns:
        runs["n_tokens"] = runs["flops"] / (6.0 * runs["n_params"])
    if "flops" not in runs.columns:
        runs["flops"] = 6.0 * runs["n_params"] * runs["n_tokens"]
    design = design or design_of(runs, rel_tol=rel_tol, min_points=min_points)
    profiles = _Profiles(runs, design, rel_tol, min_points, seed)
    usable = sorted(c for c, shows in profiles.shows.items() if shows)
    if len(usable) < MIN_BUDGETS:
        raise ValueError(f"{name}: only {len(usable)} budget(s) have a minimum bracketed by their sizes; a backtest "
                         f"needs {MIN_BUDGETS} (three to fit, one to hold out)")
    if len(usable) - holdout < MIN_BUDGETS - 1:
        raise ValueError(f"{name}: holdout {holdout} leaves {len(usable) - holdout} of {len(usable)} budgets to fit; "
                         f"give at most {len(usable) - MIN_BUDGETS + 1}")
    heldout, cutoff = usable[-holdout:], usable[-holdout - 1]
    train = profiles.training(cutoff)
    observed = {c: profiles.observed(c, RESAMPLES["observed"]) for c in heldout}
    reason = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quality, predicted = _predict(train, approach, design, heldout,
                                          n_resamples or RESAMPLES[approach], seed)
        verdict = quality.verdict
        if predicted is None:
            reason = quality.reason()
    except ValueError as exc:  # refused before or by the gate (grid fits raise)
        verdict, predicted, reason = "refused", None, str(exc).replace("\n", " ")
    return [_row(name, approach, cutoff, c, predicted[c] if predicted else None, observed[c], verdict, noise,
                 reason, design) for c in heldout]


def backtest_set(name: str, approaches=(1, 2, 3), *, holdout: int = 1, seed: int = 0) -> list[dict]:
    """:func:`backtest` of every approach in ``approaches`` on the named set ``name``
    (:func:`~chinchilla_lib.datasets.named_runs`), with the set's own budget grouping and noise floor.

    Raises
    ------
    ValueError
        An unknown name, a set of training curves only (no finished runs at several budgets), or a set
        with too few budgets (:func:`backtest`).
    """
    from ..datasets.named import named_runs, named_set

    spec = named_set(name)
    if spec.design == "curves":
        raise ValueError(f"{name} holds training curves only, no finished runs on several budgets: nothing to "
                         "hold out (backtest a set of final losses)")
    runs = named_runs(name)
    noise = spec.noise_floor()
    rows = []
    for approach in approaches:
        rows += backtest(runs, approach, holdout=holdout, seed=seed, name=name, rel_tol=spec.rel_tol,
                         min_points=spec.min_points, design=spec.design, noise=noise)
    return rows


def coverage(rows, key: str = "n_opt_inside") -> dict:
    """How often the observation fell inside the predicted interval, over rows that can say.

    Returns
    -------
    dict
        ``scored`` (rows with a prediction, an observation and an interval), ``inside``, ``rate``
        (``inside / scored``, NaN when none) and ``nominal`` (:data:`LEVEL`).
    """
    flags = [r[key] for r in rows if r.get(key) is not None]
    return {"scored": len(flags), "inside": int(sum(flags)), "rate": float(np.mean(flags)) if flags else float("nan"),
            "nominal": LEVEL}
