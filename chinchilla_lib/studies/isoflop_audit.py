"""Approach 2 audited against Approach 3 on IsoFLOP sets: the token overestimate and the compute it wastes.

Czech et al. (2026) argue that the IsoFLOP parabola of Approach 2 is biased (by the width of the
grid of sizes, by grids off the optimum, and by alpha != beta) and price the bias at a large
budget.  On one set of runs, both approaches are fitted; at a target budget C:

* Approach 2 allocates D_2 = D_opt(C) tokens and N_2 = C / (6 D_2) parameters;
* Approach 3's law L_3 (Eq. 2) has its own optimum (N_3, D_3) at C (Eq. 4);
* the **token overestimate** is D_2 / D_3 - 1;
* the **deadweight compute** (their "DCL", a share of the budget): Approach 2's model reaches
  L_3(N_2, D_2) under Approach 3's law; the budget C' whose optimal allocation reaches the same
  loss is L_3's frontier inverted (:meth:`~chinchilla_lib.laws.parametric.ParametricLaw.flops_for_loss`);
  the waste is 1 - C' / C.  It is 0 for Approach 3's own optimum and positive for any other
  allocation on the same budget.

Both fits go through the gate (:mod:`~chinchilla_lib.approaches.quality`), judged at the target;
a refused fit gives no gap.  :func:`audit_runs` audits any runs (with a paired bootstrap:
resamples of the runs within each budget, both approaches refitted on each);
:func:`audit_table` audits every IsoFLOP set the book holds (:data:`AUDIT_SETS`).

Approach 3 here is the book's (Hoffmann et al.'s objective: Huber, delta 1e-3, on log loss, from
the paper's grid of starts).  Czech et al.'s own references are least squares on the loss (their
"VPNLS") and on the log loss (their "Approach 3"); :func:`reference_surface_gaps` applies the same
arithmetic to their printed surfaces.

References
----------
Czech et al. 2026, arXiv 2603.22339, Sec. "Error Costs"; Hoffmann et al. 2022, Sections 3.2-3.3, Eq. 2, 4.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import positive_int, positive_scalar
from ..approaches.isoflop.profile import parabolas
from ..approaches.parametric import bootstrap_approach3
from ..approaches.parametric.bootstrap import MIN_RESAMPLES
from ..approaches.quality import extrapolation_check
from ..approaches.runs import fit_runs, runs_table
from ..laws.parametric import ParametricLaw
from ..laws.powerlaw import log_log_slopes
from ..result_cache import shared_result, storable
from ..stats import percentile_interval
from .later_studies import later_value

__all__ = ["TARGET_MULTIPLE", "AUDIT_RESAMPLES", "AUDIT_SETS", "OBJECTIVE_DELTAS", "deadweight_fraction",
           "allocation_gap", "IsoFLOPAudit", "audit_runs", "audit_set_runs", "audit_set", "audit_table",
           "reference_surface_gaps", "objective_sensitivity"]

#: The second target of every set: this many times its largest budget (the gate's extrapolation limit).
TARGET_MULTIPLE = 100.0
#: Paired resamples of the audit of one set (both approaches refitted on each).
AUDIT_RESAMPLES = 1000


def _law(law) -> ParametricLaw:
    law = getattr(law, "law", law)
    if not isinstance(law, ParametricLaw):
        raise ValueError(f"law must be a ParametricLaw or a fit with a .law (Approach 3), got {type(law).__name__}")
    return law


def deadweight_fraction(law, n_params, n_tokens):
    """Share of the budget C = 6 N D wasted by training N parameters on D tokens, under ``law`` (Eq. 2, 4).

    The allocation reaches L(N, D); the optimal allocation reaches that loss with
    C' = ``law.flops_for_loss(L(N, D))``; the waste is 1 - C' / C (Czech et al.'s deadweight
    compute over the budget).  0 at the law's own optimum, positive elsewhere.

    Parameters
    ----------
    law : ParametricLaw or Approach3Fit
    n_params, n_tokens : float or array
        The allocation (raw counts).

    Returns
    -------
    float or ndarray
        The waste, a fraction of the budget in [0, 1).

    Examples
    --------
    With alpha = beta = 0.5 and twice the optimal size on half the tokens, the reducible loss is
    cosh(0.5 ln 2) = 1.0607 times the optimum's, and the frontier's reducible loss falls as
    C^(-1/4), so C' / C = 1.0607^-4 = 0.7901 (by hand):

    >>> law = ParametricLaw(E=1.0, A=100.0, B=100.0, alpha=0.5, beta=0.5)
    >>> n, d = law.optimal_allocation(1e21)
    >>> round(float(deadweight_fraction(law, 2 * n, d / 2)), 4)
    0.2099
    """
    law = _law(law)
    loss = np.asarray(law.loss(n_params, n_tokens), dtype=float)
    flops = 6.0 * np.asarray(n_params, dtype=float) * np.asarray(n_tokens, dtype=float)
    out = 1.0 - np.asarray(law.flops_for_loss(loss), dtype=float) / flops
    out = np.maximum(out, 0.0)  # the optimum itself: rounding may give -1e-16
    return float(out) if out.ndim == 0 else out


def allocation_gap(allocation, law, flops: float) -> dict:
    """Approach 2's allocation at ``flops`` set against Approach 3's law.

    Parameters
    ----------
    allocation : IsoFLOPResult (or any result with ``d_opt(C)``)
        Approach 2: D_2 = ``allocation.d_opt(flops)``, N_2 = flops / (6 D_2).
    law : ParametricLaw or Approach3Fit
        Approach 3.
    flops : float
        The target budget (FLOPs).

    Returns
    -------
    dict
        ``flops``; ``n_params_2``, ``n_tokens_2`` (Approach 2); ``n_params_3``, ``n_tokens_3``
        (the law's optimum); ``token_overestimate`` (D_2 / D_3 - 1); ``loss_2`` (the law's loss
        at Approach 2's allocation), ``loss_3`` (its optimum); ``flops_equivalent`` (C') and
        ``waste`` (1 - C' / C).
    """
    c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 3.8e25")
    law = _law(law)
    d2 = float(allocation.d_opt(c))
    n2 = c / (6.0 * d2)
    n3, d3 = law.optimal_allocation(c)
    loss2 = float(law.loss(n2, d2))
    equivalent = float(law.flops_for_loss(loss2))
    return {"flops": c, "n_params_2": n2, "n_tokens_2": d2, "n_params_3": float(n3), "n_tokens_3": float(d3),
            "token_overestimate": d2 / float(d3) - 1.0, "loss_2": loss2, "loss_3": float(law.optimal_loss(c)),
            "flops_equivalent": equivalent, "waste": max(0.0, 1.0 - equivalent / c)}


# ---------------------------------------------------------------- one set, both approaches
@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class IsoFLOPAudit:
    """Approaches 2 and 3 on one set of IsoFLOP runs (:func:`audit_runs`).

    Attributes
    ----------
    name : str
    isoflop : IsoFLOPResult
        Approach 2, its ``quality`` judged without a target.
    approach3 : Approach3Fit
        Approach 3, its ``quality`` judged without a target.
    n_runs, n_budgets : int
        Runs fitted and budgets in Approach 2's power law.
    largest_budget, largest_flops : float
        Largest budget of Approach 2's power law; largest 6ND among the runs (Approach 3's reach).
    replicates : DataFrame
        One row per paired resample: Approach 2's ``b``, ``d_coef``; Approach 3's ``log_A``,
        ``log_B``, ``log_E``, ``alpha``, ``beta``, ``converged`` (empty without a bootstrap).
    n_bootstrap, seed : int
    """

    name: str
    isoflop: object
    approach3: object
    n_runs: int
    n_budgets: int
    largest_budget: float
    largest_flops: float
    replicates: pd.DataFrame = field(repr=False)
    n_bootstrap: int = 0
    seed: int = 0

    def verdicts(self, flops: float) -> tuple:
        """The gate's verdicts (Approach 2, Approach 3) with the extrapolation to ``flops`` checked."""
        return (self.isoflop.quality.with_checks(extrapolation_check(flops, self.largest_budget)),
                self.approach3.quality.with_checks(extrapolation_check(flops, self.largest_flops)))

    def gap(self, flops: float, level: float = 0.8) -> dict:
        """:func:`allocation_gap` at ``flops`` with the verdicts and, with a bootstrap, intervals.

        Adds ``approach2``, ``approach3`` (the verdicts' labels), ``refused`` (either fit
        refused: the gap entries are then NaN) and ``token_overestimate_lo/hi``, ``waste_lo/hi``
        (percentile intervals at ``level`` over the paired resamples; NaN without them).  The
        waste is 0 at Approach 3's own optimum and positive on either side of it, so when the
        estimate is near 0 the resamples' waste lies mostly above it and its interval can exclude it.
        """
        q2, q3 = self.verdicts(flops)
        out = allocation_gap(self.isoflop, self.approach3, flops)
        refused = "refused" in (q2.verdict, q3.verdict)
        if refused:
            out = {k: (v if k == "flops" else np.nan) for k, v in out.items()}
        out |= {"approach2": q2.label(), "approach3": q3.label(), "refused": refused}
        over, waste = self._replicate_gaps(out["flops"])
        for key, values in (("token_overestimate", over), ("waste", waste)):
            good = values[np.isfinite(values)]
            lo, hi = percentile_interval(good, level) if good.size >= 2 and not refused else (np.nan, np.nan)
            out |= {f"{key}_lo": lo, f"{key}_hi": hi}
        return out

    def _replicate_gaps(self, flops: float) -> tuple[np.ndarray, np.ndarray]:
        reps = self.replicates
        if reps.empty:
            return np.array([]), np.array([])
        over, waste = np.full(len(reps), np.nan), np.full(len(reps), np.nan)
        for i, r in enumerate(reps.itertuples(index=False)):
            if not (r.converged and np.isfinite(r.b) and r.alpha > 0 and r.beta > 0):
                continue
            law = ParametricLaw.from_vector([r.log_A, r.log_B, r.log_E, r.alpha, r.beta])
            d2 = r.d_coef * flops**r.b
            over[i] = d2 / float(law.optimal_allocation(flops)[1]) - 1.0
            waste[i] = deadweight_fraction(law, flops / (6.0 * d2), d2)
        return over, waste


def _approach2_replicates(runs: pd.DataFrame, labels: np.ndarray, idx: dict, n_boot: int) -> pd.DataFrame:
    """Approach 2 refitted on each resample: ``b`` and ``d_coef`` (NaN when < 2 budgets have a bracketed minimum)."""
    budgets = sorted(idx)
    log_n = np.full((n_boot, len(budgets)), np.nan)
    x_all, y_all = np.log(runs["n_params"].to_numpy(float)), runs["loss"].to_numpy(float)
    for k, budget in enumerate(budgets):
        members = np.flatnonzero(labels == budget)
        xs, ys = x_all[members][idx[budget]], y_all[members][idx[budget]]
        x_star, *_, convex = parabolas(xs, ys)
        inside = (xs.min(axis=1) <= x_star) & (x_star <= xs.max(axis=1))
        log_n[:, k] = np.where(convex & inside, x_star, np.nan)
    log_c = np.log(np.array(budgets, dtype=float))
    usable = np.isfinite(log_n)
    a, log_coef = log_log_slopes(log_c, np.nan_to_num(log_n), usable.astype(float))
    enough = usable.sum(axis=1) >= 2
    a, log_coef = np.where(enough, a, np.nan), np.where(enough, log_coef, np.nan)
    return pd.DataFrame({"b": 1.0 - a, "d_coef": 1.0 / (6.0 * np.exp(log_coef))})


def _paired_bootstrap(runs: pd.DataFrame, labels: np.ndarray, fit3, n_boot: int, seed: int) -> pd.DataFrame:
    """Resample runs within each budget; refit Approach 2 and Approach 3 on the same resamples."""
    rng = np.random.default_rng(seed)
    on_budget = np.isfinite(labels)
    counts = np.zeros((n_boot, len(runs)))
    idx = {}
    for budget in np.unique(labels[on_budget]):
        members = np.flatnonzero(labels == budget)
        draw = rng.integers(0, members.size, size=(n_boot, members.size))
        idx[float(budget)] = draw
        np.add.at(counts, (np.arange(n_boot)[:, None], members[draw]), 1.0)
    counts[:, ~on_budget] = 1.0  # runs on no budget (left out of Approach 2) are kept once in Approach 3
    replicates = _approach2_replicates(runs, labels, idx, n_boot)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], counts=counts, fit=fit3,
                                   flops=float(np.nanmax(labels)))
    samples = boot.samples[["log_A", "log_B", "log_E", "alpha", "beta", "converged"]].reset_index(drop=True)
    return pd.concat([replicates, samples], axis=1)


def audit_runs(runs: pd.DataFrame, *, name: str = "runs", n_bootstrap: int = 0, seed: int = 0,
               isoflop_options: dict | None = None) -> IsoFLOPAudit:
    """Approaches 2 and 3 on one set of IsoFLOP runs, each judged by the gate.

    Parameters
    ----------
    runs : DataFrame
        ``n_params``, ``n_tokens``, ``loss`` and ``flops`` (each run's budget label; FLOPs), one
        row per run, as the loaders of :mod:`chinchilla_lib.datasets` give them.  Approach 2 uses
        the budget labels, Approach 3 each run's N and D.
    name : str
        The set's name (kept in the result).
    n_bootstrap : int, default 0
        Paired resamples (0, or at least 20): the runs of each budget resampled with
        replacement, both approaches refitted on each (Approach 2 leaves out, per resample, a
        budget whose minimum is not bracketed; Approach 3 starts from the full-data optimum).
        0: no intervals.
    seed : int, default 0
    isoflop_options : dict, optional
        How Approach 2 groups budgets (``rel_tol``, ``min_points``; default exact labels).

    Returns
    -------
    IsoFLOPAudit

    Raises
    ------
    ValueError
        Runs that either approach cannot take (the message names what is missing).
    """
    options = dict(isoflop_options or {})
    unknown = set(options) - {"rel_tol", "min_points"}
    if unknown:
        raise ValueError(f"isoflop_options takes rel_tol and min_points only, got {sorted(unknown)}")
    table = runs_table(runs, 2, name=name)
    runs_table(runs, 3, name=name)  # both approaches' columns, checked where they enter
    n_bootstrap = 0 if n_bootstrap == 0 else positive_int("n_bootstrap", n_bootstrap)
    if 0 < n_bootstrap < MIN_RESAMPLES:
        raise ValueError(f"n_bootstrap must be 0 (no intervals) or at least {MIN_RESAMPLES}, got {n_bootstrap}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gate records what the warnings say
        fit2 = fit_runs(table, 2, seed=seed, **options)
        fit3 = fit_runs(table[["n_params", "n_tokens", "loss"]], 3, seed=seed)
    labels = np.asarray(fit2.run_budgets, dtype=float)  # the budget of each run, in the table's order
    used = fit2.budgets.loc[fit2.budgets["used"], "budget"].to_numpy(float)
    labels = np.where(np.isin(labels, used), labels, np.nan)
    replicates = (_paired_bootstrap(table.reset_index(drop=True), labels, fit3, n_bootstrap, seed) if n_bootstrap
                  else pd.DataFrame(columns=["b", "d_coef", "log_A", "log_B", "log_E", "alpha", "beta", "converged"]))
    return IsoFLOPAudit(name=name, isoflop=fit2, approach3=fit3, n_runs=len(table), n_budgets=int(used.size),
                        largest_budget=float(used.max()),
                        largest_flops=float((6.0 * table["n_params"] * table["n_tokens"]).max()),
                        replicates=replicates, n_bootstrap=n_bootstrap, seed=seed)


# ---------------------------------------------------------------- every IsoFLOP set the book holds
def _audit_sets() -> dict:
    from ..datasets.named import NAMED_SETS

    return {name: spec.title for name, spec in NAMED_SETS.items()
            if spec.design == "isoflop" and name != "hoffmann-fig4:all"}


#: Every IsoFLOP set of the book (:data:`~chinchilla_lib.datasets.named.NAMED_SETS` of design ``isoflop``,
#: Figure 4 once), by name: its title.
AUDIT_SETS: dict = _audit_sets()


def audit_set_runs(name: str) -> pd.DataFrame:
    """The runs of one set of :data:`AUDIT_SETS` on its budgets: ``n_params``, ``n_tokens``, ``flops``, ``loss``.

    Runs that are on no budget of the set's grouping (Figure 4's scattered points) are left out.
    """
    from ..approaches.isoflop.profile import group_budgets
    from ..datasets.named import named_runs, named_set

    if name not in AUDIT_SETS:
        raise ValueError(f"unknown IsoFLOP set {name!r}; choose one of: {', '.join(AUDIT_SETS)}")
    spec, runs = named_set(name), named_runs(name)
    labels = group_budgets(runs["flops"].to_numpy(float), rel_tol=spec.rel_tol, min_points=spec.min_points)
    return runs[np.isfinite(labels)].reset_index(drop=True)


def _grouping(name: str) -> dict:
    from ..datasets.named import named_set

    spec = named_set(name)
    return {"rel_tol": spec.rel_tol, "min_points": spec.min_points} if spec.rel_tol or spec.min_points else {}


@lru_cache(maxsize=32)
@shared_result  # computed once per book build, shared by the chapters
def _audit_set_cached(name: str, n_bootstrap: int, seed: int) -> IsoFLOPAudit:
    return audit_runs(audit_set_runs(name), name=name, n_bootstrap=n_bootstrap, seed=seed,
                      isoflop_options=_grouping(name))


def audit_set(name: str, n_bootstrap: int = AUDIT_RESAMPLES, seed: int = 0) -> IsoFLOPAudit:
    """:func:`audit_runs` on one set of :data:`AUDIT_SETS` (cached: the same object on every call)."""
    if name not in AUDIT_SETS:
        raise ValueError(f"unknown IsoFLOP set {name!r}; choose one of: {', '.join(AUDIT_SETS)}")
    return _audit_set_cached(name, int(n_bootstrap), int(seed))


def audit_table(names=None, *, n_bootstrap: int = AUDIT_RESAMPLES, seed: int = 0, level: float = 0.8) -> pd.DataFrame:
    """Approach 2 against Approach 3 on every IsoFLOP set, at two targets each.

    The targets: Llama 3's flagship budget (3.8e25 FLOPs, the same for every set) and
    :data:`TARGET_MULTIPLE` times the set's own largest budget.

    Parameters
    ----------
    names : sequence of str, optional
        Sets of :data:`AUDIT_SETS` (default all, in its order).
    n_bootstrap, seed, level
        Paired resamples per set, their seed, and the coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per set and target: ``set``, ``label``, ``n_runs``, ``n_budgets``,
        ``largest_budget``, ``target`` ("flagship" or "100x largest"), ``flops``, ``approach2``
        and ``approach3`` (the gate's verdicts at that target), ``status`` ("refused" when either
        fit is refused, else "compared"), ``n_tokens_2``, ``n_tokens_3``,
        ``token_overestimate_pct``, ``waste_pct`` and their ``_lo``/``_hi`` intervals (NaN when
        refused).
    """
    flagship = later_value("llama3.flagship_flops")
    rows = []
    for name in (list(AUDIT_SETS) if names is None else list(names)):
        audit = audit_set(name, n_bootstrap, seed)
        targets = (("flagship", flagship), (f"{TARGET_MULTIPLE:g}x largest", TARGET_MULTIPLE * audit.largest_budget))
        for target, flops in targets:
            gap = audit.gap(flops, level)
            rows.append({"set": name, "label": AUDIT_SETS[name], "n_runs": audit.n_runs,
                         "n_budgets": audit.n_budgets,
                         "largest_budget": audit.largest_budget, "target": target, "flops": flops,
                         "approach2": gap["approach2"], "approach3": gap["approach3"],
                         "status": "refused" if gap["refused"] else "compared",
                         "n_tokens_2": gap["n_tokens_2"], "n_tokens_3": gap["n_tokens_3"],
                         **{f"{k}_pct{s}": 100.0 * gap[f"{k}{s}"] for k in ("token_overestimate", "waste")
                            for s in ("", "_lo", "_hi")}})
    return pd.DataFrame(rows)


def reference_surface_gaps(audit: IsoFLOPAudit | None = None) -> pd.DataFrame:
    """Our Approach 2 on the Llama 3 points set against the surfaces Czech et al. printed (their exp11).

    The arithmetic of :func:`allocation_gap` with their printed VPNLS and Approach 3 surfaces in
    place of ours: a check of the arithmetic against their numbers, and the measure of how much
    of the difference between their gap and ours is the surface.

    The printed surfaces are rounded (E, alpha, beta to 4 decimals, A and B to 1): the gap is
    recomputed at every corner of the box the rounding allows (each constant at plus or minus
    half a unit of its last printed digit, :func:`~chinchilla_lib.studies.later_studies.printed_half_unit`),
    and the largest departure from the gap at the printed constants is the ``_spread``.

    Returns
    -------
    DataFrame
        One row per surface (``vpnls``, ``approach3``, and ``ours`` for the book's Approach 3):
        ``E``, ``A``, ``B``, ``alpha``, ``beta``, ``n_tokens_3``, ``token_overestimate_pct``,
        ``waste_pct`` at the flagship budget, ``token_overestimate_spread_pct`` and
        ``waste_spread_pct`` (from the rounding of the printed constants; 0 for ours), and the
        printed ``printed_token_overestimate_pct``, ``printed_waste_pct`` with
        ``printed_token_overestimate_half_unit_pct`` and ``printed_waste_half_unit_pct`` (half a unit
        in their last digit; NaN for ours).
    """
    from itertools import product

    from .later_studies import printed_half_unit

    audit = audit_set("llama-3") if audit is None else audit
    flops = later_value("llama3.flagship_flops")
    names = ("E", "A", "B", "alpha", "beta")
    rows = []
    for key in ("vpnls", "approach3", "ours"):
        if key == "ours":
            law, printed, half = audit.approach3.law, (np.nan, np.nan), (np.nan, np.nan)
            corners = []
        else:
            ids = [f"openathena.llama3.{key}_{p}" for p in names]
            law = ParametricLaw(*(later_value(i) for i in ids))
            printed = (later_value(f"openathena.llama3.{key}_token_overestimate"),
                       later_value(f"openathena.llama3.{key}_waste"))
            half = (printed_half_unit(f"openathena.llama3.{key}_token_overestimate"),
                    printed_half_unit(f"openathena.llama3.{key}_waste"))
            steps = [printed_half_unit(i) for i in ids]
            printed_constants = (law.E, law.A, law.B, law.alpha, law.beta)
            corners = [ParametricLaw(*(v + s * h for v, s, h in zip(printed_constants, signs, steps)))
                       for signs in product((-1.0, 1.0), repeat=len(names))]
        gap = allocation_gap(audit.isoflop, law, flops)
        spread = {"token_overestimate": 0.0, "waste": 0.0}
        for corner in corners:
            other = allocation_gap(audit.isoflop, corner, flops)
            spread = {k: max(v, abs(other[k] - gap[k])) for k, v in spread.items()}
        rows.append({"surface": key, "E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta,
                     "n_tokens_3": gap["n_tokens_3"], "token_overestimate_pct": 100 * gap["token_overestimate"],
                     "waste_pct": 100 * gap["waste"],
                     "token_overestimate_spread_pct": 100 * spread["token_overestimate"],
                     "waste_spread_pct": 100 * spread["waste"], "printed_token_overestimate_pct": printed[0],
                     "printed_waste_pct": printed[1], "printed_token_overestimate_half_unit_pct": half[0],
                     "printed_waste_half_unit_pct": half[1]})
    return pd.DataFrame(rows)


#: Huber thresholds of Approach 3's objective compared: Hoffmann et al.'s 1e-3 and 1.0, at which every
#: log-loss residual of these sets lies in the quadratic part (least squares on log loss, Czech et
#: al.'s "Approach 3").
OBJECTIVE_DELTAS = (1e-3, 1.0)


def objective_sensitivity(names=("llama-3", "open-athena:llama-3-exp-loss"), deltas=OBJECTIVE_DELTAS) -> pd.DataFrame:
    """How much the gap at the flagship budget owes to Approach 3's objective (Huber threshold delta).

    Hoffmann et al. fit Eq. (11) with delta = 1e-3: residuals of log loss larger than that count
    linearly, so the fit follows the bulk of the runs and discounts the rest.  With delta = 1 every
    residual of these sets is in the quadratic part: least squares on log loss.  Approach 2 is the
    same in every row.

    Returns
    -------
    DataFrame
        One row per set and delta: ``set``, ``delta``, ``E``, ``A``, ``B``, ``alpha``, ``beta``,
        ``n_tokens_3`` (at 3.8e25 FLOPs), ``token_overestimate_pct``, ``waste_pct``.
    """
    from ..approaches.parametric import fit_approach3

    flops = later_value("llama3.flagship_flops")
    rows = []
    for name in names:
        audit, runs = audit_set(name), audit_set_runs(name)
        for delta in deltas:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], delta=delta)
            gap = allocation_gap(audit.isoflop, fit, flops)
            rows.append({"set": name, "delta": float(delta), "E": fit.E, "A": fit.A, "B": fit.B, "alpha": fit.alpha,
                         "beta": fit.beta, "n_tokens_3": gap["n_tokens_3"],
                         "token_overestimate_pct": 100 * gap["token_overestimate"], "waste_pct": 100 * gap["waste"]})
    return pd.DataFrame(rows)
