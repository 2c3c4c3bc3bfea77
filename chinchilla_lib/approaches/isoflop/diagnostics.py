"""Diagnostics of an Approach 2 fit: residuals of the parabolas, where the sizes sit, estimator agreement."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...stats import robust_scale
from .fit import IsoFLOPResult, fit_isoflop_frame
from .profile import IsoFLOPWarning

__all__ = ["parabola_residuals", "residual_scale", "profile_placement", "share_above_optimum", "method_ratio",
           "placed_budgets", "profile_summary"]

# --------------------------------------------------------------------------
# Diagnostics of a fit: residuals, where the sizes sit, estimator agreement
# --------------------------------------------------------------------------

def parabola_residuals(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.Series:
    """Loss minus the budget's fitted parabola, for every run with a budget."""
    coef = fit.budgets.set_index("budget")[["c2", "c1", "c0"]]
    on = runs.dropna(subset=["budget"])
    c = coef.loc[on["budget"]].to_numpy()
    x = np.log(on["n_params"].to_numpy())
    return pd.Series(on["loss"].to_numpy() - (c[:, 0] * x**2 + c[:, 1] * x + c[:, 2]), index=on.index)


def residual_scale(runs: pd.DataFrame, fit: IsoFLOPResult) -> float:
    """Robust scatter of the runs about their budgets' parabolas: 1.4826 x the median absolute residual (nats).

    ``runs`` needs ``n_params``, ``loss`` and ``budget`` (the budget each run belongs to, NaN for none);
    ``fit`` the parabola fit of the same runs.  The median ignores the few
    far-off points in the tails of the profiles, where a parabola does not fit.
    """
    return robust_scale(parabola_residuals(runs, fit))


def profile_placement(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.DataFrame:
    """Where each budget's model sizes sit relative to its fitted optimum, in decades of N.

    Returns
    -------
    DataFrame
        ``budget``, ``n_runs``, ``half_width`` (half the log10 range of the
        sizes), ``offset`` (mean log10 size minus log10 N_opt: positive when
        the sizes lean to larger models) and ``n_opt``.
    """
    on = runs.dropna(subset=["budget"])
    logn = np.log10(on["n_params"])
    grouped = logn.groupby(on["budget"])
    table = pd.DataFrame({
        "n_runs": grouped.size(),
        "half_width": (grouped.max() - grouped.min()) / 2,
        "centre": grouped.mean(),
    })
    table["n_opt"] = fit.budgets.set_index("budget")["n_opt"].reindex(table.index)
    table["offset"] = table["centre"] - np.log10(table["n_opt"])
    return table.reset_index()[["budget", "n_runs", "half_width", "offset", "n_opt"]]


def placed_budgets(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.DataFrame:
    """The fit's budget table (Section 3.2) with where each budget's sizes sit (:func:`profile_placement`).

    Returns
    -------
    DataFrame
        ``fit.budgets`` plus ``half_width`` and ``offset`` (decades of N).
    """
    placement = profile_placement(runs, fit)
    return fit.budgets.merge(placement[["budget", "half_width", "offset"]], on="budget")


def profile_summary(runs: pd.DataFrame, fit: IsoFLOPResult) -> dict:
    """How a set of runs falls into IsoFLOP budgets and how well the parabolas fit them (Section 3.2).

    Parameters
    ----------
    runs : DataFrame
        ``n_params``, ``loss`` and ``budget`` (NaN for runs on no budget).
    fit : IsoFLOPResult
        The parabola fit of the same runs.

    Returns
    -------
    dict
        ``n_points`` (runs), ``n_assigned`` (runs with a budget), ``n_unassigned``
        (``fit.n_unassigned``), ``n_budgets``, ``budget_min``, ``budget_max``
        (FLOPs), ``width_min``, ``width_max`` (smallest and largest half-width of a
        budget's sizes, decades), ``offset_max`` (largest offset of a budget's centre
        above its optimum, decades), ``widest_budget`` (the budget of largest
        half-width), ``scatter`` (the robust scatter of
        :func:`residual_scale`, nats) and ``all_bracketed`` (every minimum inside
        the sampled sizes).
    """
    placement = profile_placement(runs, fit)
    return {
        "n_points": len(runs),
        "n_assigned": int(runs["budget"].notna().sum()),
        "n_unassigned": fit.n_unassigned,
        "n_budgets": len(fit.budgets),
        "budget_min": fit.budgets["budget"].min(),
        "budget_max": fit.budgets["budget"].max(),
        "width_min": placement["half_width"].min(),
        "width_max": placement["half_width"].max(),
        "offset_max": placement["offset"].max(),
        "widest_budget": placement.loc[placement["half_width"].idxmax(), "budget"],
        "scatter": residual_scale(runs, fit),
        "all_bracketed": bool(fit.budgets["bracketed"].all()),
    }


def share_above_optimum(runs: pd.DataFrame, fit: IsoFLOPResult, *, budget_col: str = "budget") -> float:
    """Fraction of runs larger than their budget's fitted N_opt (budgets that entered the fit).

    A well-centred IsoFLOP grid gives about one half; a grid that reaches far
    past the optimum towards large models gives much more.
    """
    optimum = runs[budget_col].map(fit.budgets.loc[fit.budgets["used"]].set_index("budget")["n_opt"])
    known = optimum.notna()
    if not known.any():
        raise ValueError("no run belongs to a budget that entered the fit")
    return float((runs.loc[known, "n_params"] > optimum[known]).mean())


def method_ratio(runs: pd.DataFrame) -> pd.Series:
    """Per budget, the parabola's N_opt over the Akima minimum, for budgets both methods use.

    ``runs`` has ``n_params``, ``flops`` (exact budgets) and ``loss``, e.g. one
    Porian et al. configuration.  A ratio that is the same at every budget
    biases only the coefficient of the power law; one that varies biases the
    exponent.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        akima = fit_isoflop_frame(runs, method="akima", n_bootstrap=0).budgets.set_index("budget")
        parabola = fit_isoflop_frame(runs, n_bootstrap=0).budgets.set_index("budget")
    both = akima["used"] & parabola["used"]
    return (parabola["n_opt"] / akima["n_opt"])[both].rename("ratio")
