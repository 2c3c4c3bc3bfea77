"""Hoffmann et al. (2022) Figure 4 (left): the points, grouped into IsoFLOP budgets, and the fits made on them.

The points are :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`.  Every approach, chapter
and scorecard row uses one set: the 240 points the replication keeps
(:data:`~chinchilla_lib.datasets.REPLICATION_EXCLUDED` highest-loss points dropped; they
are the largest models of the 1e19 strip, far up its wall, see :func:`dropped_points`).
Approach 2 groups them into budgets with :data:`FIG4_GROUPING`; :func:`approach2_robustness`
shows how the exponent moves with that choice.  Every fit is cached: the chapters, the
scorecard and the command line share one result.

References
----------
Hoffmann et al. 2022, Section 3.2-3.3, Figure 4, Tables 2, 3, A3; Besiroglu et al. 2024, arXiv 2404.10102.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..approaches.allocations import fig4_fit, refit_figure4
from ..approaches.isoflop import IsoFLOPResult, fit_isoflop, fit_isoflop_frame, group_budgets
from ..datasets import FIG4_GROUPING, REPLICATION_EXCLUDED, load_hoffmann_fig4, load_table, paper_value, table2_row
from ..laws.powerlaw import fit_log_log_line
from ..stats import robust_scale

__all__ = ["FIG4_GROUPING", "REPLICATION_EXCLUDED", "fig4_runs", "fig4_fit", "refit_figure4", "projection_table",
           "approach2_reference", "budget_gaps", "exponent_summary", "projection_gaps", "dropped_points",
           "dropped_summary", "nominal_budget", "flop_convention", "flop_convention_summary", "convention_fits",
           "convention_numbers", "PLOTTED", "NOMINAL", "NOMINAL_APP_F",
           "ROBUSTNESS_GAPS", "ROBUSTNESS_MIN_POINTS", "approach2_robustness",
           "robustness_summary", "robustness_ranges"]

_RUN_COLUMNS = ("n_params", "n_tokens", "loss")


def fig4_runs(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> pd.DataFrame:
    """The points of Figure 4 with the budget each belongs to (NaN: not on an IsoFLOP strip).

    Parameters
    ----------
    exclude_highest_loss : int, default :data:`REPLICATION_EXCLUDED` (5)
        Highest-loss points dropped (0 keeps all 245).

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4` plus ``budget``
        (group_budgets with FIG4_GROUPING).
    """
    runs = load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss)
    return runs.assign(budget=group_budgets(runs["flops"], **FIG4_GROUPING))


def approach2_reference() -> dict:
    """The paper's Approach 2 numbers: Table 2's exponents and Section 3.2's budgets.

    Returns
    -------
    dict
        ``a``, ``a_p10``, ``a_p90``, ``b`` (Table 2), ``spread`` (a_p90 - a_p10, the
        width of the 10th-90th percentile interval), ``n_budgets`` (int),
        ``budget_min`` and ``budget_max`` (FLOPs, Section 3.2).
    """
    row = table2_row("approach2")
    return {
        **{key: float(row[key]) for key in ("a", "a_p10", "a_p90", "b")},
        "spread": float(row["a_p90"] - row["a_p10"]),
        "n_budgets": int(paper_value("approach2.n_budgets")),
        "budget_min": paper_value("approach2.budget_min"),
        "budget_max": paper_value("approach2.budget_max"),
    }


def budget_gaps(fit: IsoFLOPResult) -> dict:
    """Relative gap of the smallest and largest fitted budget to the paper's (Section 3.2).

    Returns
    -------
    dict
        ``budget_min_gap`` and ``budget_max_gap``: ours / paper - 1.
    """
    return {
        "budget_min_gap": fit.budgets["budget"].min() / paper_value("approach2.budget_min") - 1,
        "budget_max_gap": fit.budgets["budget"].max() / paper_value("approach2.budget_max") - 1,
    }


def exponent_summary(fit: IsoFLOPResult) -> dict:
    """An Approach 2 fit's exponents against Table 2 of the paper.

    Returns
    -------
    dict
        ``a_ours``, ``b_ours``, ``a_lo``, ``a_hi`` (bootstrap interval of a),
        ``a_diff`` (ours minus Table 2's a), ``n_boot`` (bootstrap replicates) and
        ``boot_spread`` (a_hi - a_lo).
    """
    lo, hi = fit.a_interval
    return {"a_ours": fit.a, "b_ours": fit.b, "a_lo": lo, "a_hi": hi,
            "a_diff": fit.a - float(table2_row("approach2")["a"]), "n_boot": fit.n_bootstrap,
            "boot_spread": hi - lo}


def projection_gaps(fit, approach: int) -> pd.DataFrame:
    """How far a fit's projections (Table 3 / A3) are from the paper's, and how far they extrapolate.

    Returns
    -------
    DataFrame
        ``n_params``, ``gap`` (our budget over the printed one, minus 1) and
        ``decades_beyond`` (log10 of our budget over the largest budget in
        ``fit.budgets``: how far the projection extrapolates).
    """
    proj = projection_table(fit, approach)
    return pd.DataFrame({
        "n_params": proj["n_params"],
        "gap": proj["flops_ratio"] - 1,
        "decades_beyond": np.log10(proj["flops_ours"] / fit.budgets["budget"].max()),
    })


def projection_table(fit, approach: int) -> pd.DataFrame:
    """A fitted allocation against the paper's projections (Table 3 / Table A3) for one approach.

    For each printed model size N, the budget at which ``fit`` makes N
    compute-optimal, C = (N / n_coef)^(1/a), and the tokens D = C / (6N).

    Returns
    -------
    DataFrame
        ``n_params``, ``flops_paper``, ``flops_ours``, ``tokens_paper``,
        ``tokens_ours``, ``flops_ratio`` (ours / paper).
    """
    proj = load_table("projections")
    proj = proj[proj["approach"] == approach]
    if proj.empty:
        raise ValueError(f"no projections for approach {approach!r} in chinchilla_lib/data/projections.csv")
    n = proj["n_params"].to_numpy(float)
    flops = (n / fit.n_coef) ** (1.0 / fit.a)
    return pd.DataFrame({
        "n_params": n,
        "flops_paper": proj["flops"].to_numpy(float),
        "flops_ours": flops,
        "tokens_paper": proj["n_tokens"].to_numpy(float),
        "tokens_ours": flops / (6.0 * n),
        "flops_ratio": flops / proj["flops"].to_numpy(float),
    })


# --------------------------------------------------------------------------
# The five points the replication drops
# --------------------------------------------------------------------------

def dropped_points(law_name: str = "paper-full") -> pd.DataFrame:
    """The :data:`REPLICATION_EXCLUDED` highest-loss Figure 4 points, where they sit, and how far off any law they are.

    Parameters
    ----------
    law_name : str, default "paper-full"
        The law whose prediction is compared (:func:`~chinchilla_lib.laws.parametric.get_law`).

    Returns
    -------
    DataFrame
        ``n_params``, ``flops``, ``n_tokens``, ``loss``, ``budget`` (the strip of all
        245 points each lies on, NaN for none), ``law_loss`` (the law's L(N, D)) and
        ``excess`` (loss - law_loss, nats), highest loss first.

    References
    ----------
    Hoffmann et al. 2022, Fig. 4; Besiroglu et al. 2024 (who drop these points).
    """
    from ..laws.parametric import get_law

    runs = fig4_runs(exclude_highest_loss=0)
    out = runs.loc[runs["loss"].nlargest(REPLICATION_EXCLUDED).index].copy()
    law = get_law(law_name)
    out["law_loss"] = law.loss(out["n_params"].to_numpy(), out["n_tokens"].to_numpy())
    out["excess"] = out["loss"] - out["law_loss"]
    return out.reset_index(drop=True)


def dropped_summary(dropped: pd.DataFrame | None = None) -> dict:
    """Where the dropped points sit and what dropping them does to Approach 2 (for the prose).

    Returns
    -------
    dict
        ``drop_n``, ``n_all``, ``n_kept`` (points), ``drop_strips`` (strips they lie on),
        ``drop_budget`` (the first one's FLOPs), ``drop_n_min``, ``drop_n_max`` (sizes,
        billions), ``drop_d_max`` (most tokens, billions), ``drop_loss_min``,
        ``drop_loss_max``, ``drop_excess_min``, ``drop_excess_max`` (nats over the
        paper-full law), ``a_all`` and ``a_kept`` (Approach 2 on 245 and 240 points).
    """
    d = dropped_points() if dropped is None else dropped
    return {"drop_n": len(d), "n_all": len(fig4_runs(0)), "n_kept": len(fig4_runs()),
            "drop_strips": int(d["budget"].nunique()), "drop_budget": float(d["budget"].iloc[0]),
            "drop_n_min": d["n_params"].min() / 1e9, "drop_n_max": d["n_params"].max() / 1e9,
            "drop_d_max": d["n_tokens"].max() / 1e9, "drop_loss_min": d["loss"].min(),
            "drop_loss_max": d["loss"].max(), "drop_excess_min": d["excess"].min(),
            "drop_excess_max": d["excess"].max(), "a_all": fig4_fit(exclude_highest_loss=0).a,
            "a_kept": fig4_fit().a}


def robustness_ranges(table: pd.DataFrame) -> dict:
    """The ranges of :func:`robustness_summary` as flat keys for the prose.

    Returns
    -------
    dict
        ``r_<method>_<points>_<budgets>_min`` / ``_max`` for every slice (method
        ``parabola`` or ``akima``, points 240 or 245, budgets ``plotted`` or ``nominal``),
        ``r_all_min`` and ``r_all_max`` (over every setting), ``r_settings`` (settings
        per slice), ``r_share_n`` (share of grouping settings that find the paper's
        number of budgets) and ``r_n_fits`` (fitted settings in all).
    """
    summary = robustness_summary(table)
    out = {}
    for (method, points, budgets), row in summary.iterrows():
        out[f"r_{method}_{points}_{budgets}_min"] = row["a_min"]
        out[f"r_{method}_{points}_{budgets}_max"] = row["a_max"]
    first = summary.iloc[0]
    out.update(r_all_min=float(table["a"].min()), r_all_max=float(table["a"].max()),
               r_settings=int(first["settings"]), r_share_n=float(first["share_n"]),
               r_n_fits=int(table["a"].notna().sum()))
    return out


# --------------------------------------------------------------------------
# Figure 4's FLOP convention: nominal budgets against plotted FLOPs
# --------------------------------------------------------------------------

_ROUND_MANTISSAS = (1.0, 3.0, 6.0)
#: Size thresholds (parameters) of the "small" and "large" medians of :func:`flop_convention_summary`.
_SMALL_N, _LARGE_N = 1e8, 3e9


def nominal_budget(flops):
    """The round budget nearest (in log) to ``flops`` on the series 1, 3, 6 x 10^k FLOPs.

    Section 3.2 states nine budgets from 6e18 to 3e21; the nine Figure 4 strips each
    sit a few per cent below one value of this series (6e18, 1e19, 3e19, ..., 3e21),
    which is how the strips are matched to their nominal budgets.

    Parameters
    ----------
    flops : float or array
        Positive FLOP values (NaN is passed through).

    Returns
    -------
    float or ndarray
        The nearest value m x 10^k with m in (1, 3, 6).

    References
    ----------
    Hoffmann et al. 2022, Sec. 3.2, Figure 3.
    """
    c = np.asarray(flops, dtype=float)
    if np.any(c[np.isfinite(c)] <= 0) or np.any(np.isinf(c)):
        raise ValueError("flops must be positive finite FLOP values (NaN allowed), e.g. 5.45e18")
    exp = np.floor(np.log10(np.where(np.isfinite(c), c, 1.0)))
    cand = np.stack([m * 10.0 ** (exp + k) for k in (-1, 0, 1) for m in _ROUND_MANTISSAS], axis=-1)
    best = np.take_along_axis(cand, np.abs(np.log(cand / np.where(np.isfinite(c), c, 1.0)[..., None]))
                              .argmin(axis=-1)[..., None], axis=-1)[..., 0]
    best = np.where(np.isfinite(c), best, np.nan)
    return float(best) if np.ndim(flops) == 0 else best


def _table_a9_ratios(n_params, match_tol: float = 0.005) -> tuple[np.ndarray, np.ndarray]:
    """Appendix F FLOPs per token over 6N (without / with embeddings) of the Table A9 model of each size.

    A size matches the Table A9 model nearest in log N; farther than ``match_tol``
    (relative) gives NaN.
    """
    from .published_models import table_a9_counts

    a9 = table_a9_counts()
    log_a9 = np.log(a9["n_params"].to_numpy(float))
    log_n = np.log(np.asarray(n_params, dtype=float))
    dist = log_n[:, None] - log_a9[None, :]
    idx = np.abs(dist).argmin(axis=1)
    ok = np.abs(dist[np.arange(idx.size), idx]) <= np.log1p(match_tol)
    plain = np.where(ok, a9["flop_ratio"].to_numpy(float)[idx], np.nan)
    emb = np.where(ok, a9["flop_ratio_with_embeddings"].to_numpy(float)[idx], np.nan)
    return plain, emb


def _interp_a9_ratio(n_params) -> np.ndarray:
    """Appendix F / 6N ratio (no embeddings) interpolated in log N over Table A9's models."""
    from .published_models import table_a9_counts

    a9 = table_a9_counts().sort_values("n_params")
    return np.interp(np.log(np.asarray(n_params, dtype=float)), np.log(a9["n_params"].to_numpy(float)),
                     a9["flop_ratio"].to_numpy(float))


@lru_cache(maxsize=2)
def _flop_convention_cached(exclude_highest_loss: int) -> pd.DataFrame:
    runs = fig4_runs(exclude_highest_loss).dropna(subset=["budget"]).reset_index(drop=True)
    plain, emb = _table_a9_ratios(runs["n_params"].to_numpy())
    nominal = nominal_budget(runs["budget"].to_numpy())
    return runs.assign(nominal=nominal, ratio=nominal / runs["flops"].to_numpy(), appf_ratio=plain,
                       appf_ratio_embeddings=emb)


def flop_convention(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> pd.DataFrame:
    """Every Figure 4 point on a strip: nominal budget over plotted FLOPs, next to Table A9's exact/6ND ratio.

    If the budgets were set with the Appendix F count and the figure plots 6ND, a run
    of N parameters on D tokens has nominal budget C = F(N) D and plotted FLOPs 6ND, so
    C / plotted = F(N) / 6N: Table A4's ratio for that model's shape.

    Returns
    -------
    DataFrame
        :func:`fig4_runs` rows with a budget, plus ``nominal`` (:func:`nominal_budget`
        of the strip), ``ratio`` (nominal / plotted FLOPs), ``appf_ratio`` (Appendix F
        training FLOPs per token without embeddings over 6N, for the Table A9 model of
        that size, as Table A4 counts) and ``appf_ratio_embeddings`` (with embeddings).
        A copy of a cached table.

    References
    ----------
    Hoffmann et al. 2022, App. F, Tables A4 and A9, Figure 4.
    """
    return _flop_convention_cached(int(exclude_highest_loss)).copy()


def flop_convention_summary(table: pd.DataFrame | None = None, *, within: float = 0.01) -> dict:
    """How well three explanations predict each strip point's nominal / plotted FLOPs ratio.

    The explanations: the Appendix F count without embeddings (Table A4's convention),
    with embeddings, and one factor per strip (a plain offset, its median ratio).

    Parameters
    ----------
    table : DataFrame, optional
        :func:`flop_convention` (computed when omitted).
    within : float, default 0.01
        A prediction counts as a hit when it is within this fraction of the ratio.

    Returns
    -------
    dict
        ``n_runs``; for each explanation ``appf``, ``emb``, ``strip``: ``scatter_*``
        (robust scatter of ln ratio - ln prediction), ``within_*`` (share of hits) and
        ``offset_*`` (median of ln ratio - ln prediction); ``ratio_small`` and
        ``appf_small`` (medians below ``small_m`` million parameters, 100), ``ratio_large``
        and ``appf_large`` (medians above ``large_b`` billion, 3); ``within`` (the threshold).
    """
    t = flop_convention() if table is None else table
    t = t.dropna(subset=["appf_ratio"])
    log_r = np.log(t["ratio"].to_numpy())
    strip = np.log(t["ratio"]).groupby(t["budget"]).transform("median").to_numpy()
    out = {"n_runs": len(t), "within": within}
    for key, pred in (("appf", np.log(t["appf_ratio"].to_numpy())),
                      ("emb", np.log(t["appf_ratio_embeddings"].to_numpy())), ("strip", strip)):
        res = log_r - pred
        out[f"scatter_{key}"] = robust_scale(res)
        out[f"within_{key}"] = float((np.abs(res) <= np.log1p(within)).mean())
        out[f"offset_{key}"] = float(np.median(res))
    small, large = t["n_params"] < _SMALL_N, t["n_params"] > _LARGE_N
    out.update(small_m=_SMALL_N / 1e6, large_b=_LARGE_N / 1e9,
               ratio_small=float(t.loc[small, "ratio"].median()), appf_small=float(t.loc[small, "appf_ratio"].median()),
               ratio_large=float(t.loc[large, "ratio"].median()), appf_large=float(t.loc[large, "appf_ratio"].median()))
    return out


def _nominal_fit(runs: pd.DataFrame, method: str = "parabola", **grouping) -> IsoFLOPResult:
    """Approach 2 with every strip at its nominal budget (strips found with ``grouping``)."""
    labels = group_budgets(runs["flops"], **grouping)
    keep = np.isfinite(labels)
    return fit_isoflop(runs["n_params"].to_numpy()[keep], nominal_budget(labels[keep]),
                       runs["loss"].to_numpy()[keep], rel_tol=0.0, method=method, n_bootstrap=0)


def convention_fits() -> pd.DataFrame:
    """Approach 2's exponents on the 240 points under three readings of Figure 4's FLOPs.

    1. the plotted FLOPs are the budget, D = C / (6N) (the default fit);
    2. each strip at its nominal budget, D = C / (6N);
    3. each strip at its nominal budget, counted with Appendix F: D = C / F(N), with
       F(N) / 6N interpolated over Table A9's shapes, which gives back D = plotted / 6N.

    Returns
    -------
    DataFrame
        ``convention``, ``a`` (N_opt exponent), ``b`` (D_opt exponent, fitted to the
        D_opt of that reading), ``d_opt_max`` (D_opt at the largest budget, tokens)
        and ``budget_max`` (that budget, FLOPs).

    References
    ----------
    Hoffmann et al. 2022, Sec. 3.2, App. F, Table A9.
    """
    runs = load_hoffmann_fig4(exclude_highest_loss=REPLICATION_EXCLUDED)
    plotted = fig4_fit()
    nominal = _nominal_fit(runs, **FIG4_GROUPING)
    kept = nominal.budgets[nominal.budgets["used"]]
    d_appf = kept["budget"] / (6.0 * kept["n_opt"] * _interp_a9_ratio(kept["n_opt"]))
    b_appf, _ = fit_log_log_line(kept["budget"].to_numpy(), d_appf.to_numpy())
    rows = [(PLOTTED, plotted.a, plotted.b, plotted.budgets), (NOMINAL, nominal.a, nominal.b, nominal.budgets),
            (NOMINAL_APP_F, nominal.a, b_appf, kept.assign(d_opt=d_appf))]
    return pd.DataFrame([{"convention": name, "a": a, "b": b, "d_opt_max": float(t["d_opt"].iloc[-1]),
                          "budget_max": float(t["budget"].iloc[-1])} for name, a, b, t in rows])


#: The three rows of :func:`convention_fits`, by what they change.
PLOTTED, NOMINAL, NOMINAL_APP_F = ("plotted FLOPs, D = C/(6N)", "nominal budgets, D = C/(6N)",
                                   "nominal budgets, D = C/F(N) (App. F)")


def convention_numbers(fits: pd.DataFrame) -> dict:
    """The exponents the text quotes from :func:`convention_fits`, each row picked by its convention.

    ``conv_a_plotted``, ``conv_a_nominal``, ``conv_b_nominal``, ``conv_b_appf`` and ``conv_d_gap``
    (the largest budget's D_opt with 6N over D_opt with Appendix F's count, minus 1).
    """
    by = fits.set_index("convention")
    return {"conv_a_plotted": by.loc[PLOTTED, "a"], "conv_a_nominal": by.loc[NOMINAL, "a"],
            "conv_b_nominal": by.loc[NOMINAL, "b"], "conv_b_appf": by.loc[NOMINAL_APP_F, "b"],
            "conv_d_gap": by.loc[NOMINAL, "d_opt_max"] / by.loc[NOMINAL_APP_F, "d_opt_max"] - 1}


# --------------------------------------------------------------------------
# Robustness of Approach 2 on the Figure 4 points
# --------------------------------------------------------------------------

#: Budget-grouping gaps (relative) and minimum strip sizes of :func:`approach2_robustness`.
ROBUSTNESS_GAPS = (0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08)
ROBUSTNESS_MIN_POINTS = (4, 5, 6, 7, 8, 9, 10, 11, 12)


@lru_cache(maxsize=2)
def _robustness_cached(gaps: tuple, min_points: tuple) -> pd.DataFrame:
    import warnings

    from ..approaches.isoflop import IsoFLOPWarning

    sets = {len(load_hoffmann_fig4(exclude_highest_loss=k)): load_hoffmann_fig4(exclude_highest_loss=k)
            for k in (REPLICATION_EXCLUDED, 0)}
    rows = []
    for n_points, runs in sets.items():
        for budgets in ("plotted", "nominal"):
            for method in ("parabola", "akima"):
                for gap in gaps:
                    for m in min_points:
                        grouping = {"rel_tol": gap, "min_points": m}
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", IsoFLOPWarning)
                            warnings.simplefilter("ignore", RuntimeWarning)  # Akima overflow on far walls
                            try:
                                fit = (_nominal_fit(runs, method, **grouping) if budgets == "nominal" else
                                       fit_isoflop_frame(runs, method=method, n_bootstrap=0, **grouping))
                                a, nb, nu = fit.a, len(fit.budgets), int(fit.budgets["used"].sum())
                            except ValueError:
                                a, nb, nu = np.nan, 0, 0
                        rows.append({"points": n_points, "budgets": budgets, "method": method, "gap": gap,
                                     "min_points": m, "n_budgets": nb, "n_used": nu, "a": a})
    return pd.DataFrame(rows)


def approach2_robustness(gaps=ROBUSTNESS_GAPS, min_points=ROBUSTNESS_MIN_POINTS) -> pd.DataFrame:
    """Approach 2's exponent a on the Figure 4 points over every analysis choice we had to make.

    The choices: the grouping of points into budgets (a new budget wherever sorted
    FLOPs jump by more than ``gap``; strips of at least ``min_points`` runs), the
    estimator of each minimum (the paper's parabola or Porian et al.'s Akima spline),
    the point set (the 240 the replication keeps or all 245) and the budget of a strip
    (its plotted FLOPs, or its nominal round budget, :func:`nominal_budget`).

    Returns
    -------
    DataFrame
        One row per setting: ``points`` (240 or 245), ``budgets`` ("plotted" or
        "nominal"), ``method``, ``gap``, ``min_points``, ``n_budgets`` (budgets found),
        ``n_used`` (budgets in the power law) and ``a`` (NaN when fewer than two
        budgets remain).  A copy of a cached table (about 500 fits, a few seconds).

    References
    ----------
    Hoffmann et al. 2022, Sec. 3.2, Table 2; Porian et al. 2024.
    """
    gaps, min_points = tuple(float(g) for g in gaps), tuple(int(m) for m in min_points)
    if not gaps or not min_points or min(gaps) < 0 or min(min_points) < 1:
        raise ValueError("gaps must be numbers >= 0 and min_points whole numbers >= 1, each non-empty")
    return _robustness_cached(gaps, min_points).copy()


def robustness_summary(table: pd.DataFrame, n_budgets: int | None = None) -> pd.DataFrame:
    """Range of a per (estimator, point set, budgets) over the grouping settings of :func:`approach2_robustness`.

    Parameters
    ----------
    table : DataFrame
        :func:`approach2_robustness`.
    n_budgets : int, optional
        The paper's number of budgets (Section 3.2; read from ``chinchilla_lib/data/`` when omitted):
        ``share_n`` is the share of settings that find exactly that many.

    Returns
    -------
    DataFrame
        Index (``method``, ``points``, ``budgets``); columns ``a_min``, ``a_median``,
        ``a_max``, ``spread`` (max - min), ``settings`` (fitted settings) and ``share_n``.
    """
    n_budgets = int(paper_value("approach2.n_budgets")) if n_budgets is None else n_budgets
    grouped = table.groupby(["method", "points", "budgets"], sort=False)
    out = grouped["a"].agg(a_min="min", a_median="median", a_max="max", settings="count")
    out["spread"] = out["a_max"] - out["a_min"]
    out["share_n"] = grouped["n_budgets"].apply(lambda s: float((s == n_budgets).mean()))
    return out[["a_min", "a_median", "a_max", "spread", "settings", "share_n"]]
