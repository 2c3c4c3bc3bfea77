"""Porian et al. (2024): our IsoFLOP exponents on their 15 configurations against theirs.

Their runs and the names of their configurations are :mod:`chinchilla_lib.datasets.porian`;
this fits them with :func:`~chinchilla_lib.approaches.isoflop.fit_isoflop` by three estimators and
compares per-budget optima.  Results are computed once per process (cached).

References
----------
Porian et al. 2024, arXiv 2406.19146, Figure 1 and their ``analysis.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from ..approaches.isoflop import IsoFLOPWarning, fit_budget, fit_isoflop_frame, method_ratio, share_above_optimum
from ..approaches.quality import assess_approach2
from ..datasets import (
    PORIAN_DATASETS,
    PORIAN_FINAL,
    PORIAN_STEPS,
    load_porian,
    load_table,
    porian_configurations,
    porian_step,
    porian_summaries,
)
from ..laws.powerlaw import fit_log_log_line

__all__ = ["porian_exponents", "porian_fits", "porian_table", "porian_optima", "exponent_from_their_optima",
           "porian_steps", "NEAREST_WINDOW", "FINAL_CONFIGURATION", "porian_overview", "comparison_table",
           "worst_parabola_configuration", "contrast_configurations", "estimator_summary",
           "agreement_with_their_optima", "KAPLAN_SETUP", "kaplan_setup_gap"]

#: Runs nearest the lowest loss that the windowed parabola of :func:`porian_table` fits.
NEAREST_WINDOW = 5
#: Porian et al.'s reproduction of Kaplan's set-up on each data set (Kaplan's counting, long warm-up,
#: Kaplan's decay, training loss).
KAPLAN_SETUP = {"rw": "rw-base-long-kaplan-kaplan-train", "owt2": "owt2-base-long-kaplan-kaplan-train"}
#: Porian et al.'s configuration with every correction applied (:data:`~chinchilla_lib.datasets.porian.PORIAN_FINAL`).
FINAL_CONFIGURATION = PORIAN_FINAL


def porian_exponents(
    *,
    method: str = "parabola",
    window: int | None = None,
    configurations: list[str] | None = None,
) -> pd.DataFrame:
    """Our Approach-2 N_opt exponent on every Porian et al. (2024) configuration vs theirs.

    Porian et al. find each budget's minimum by Akima interpolation of ln loss
    over ln N (argmin on a grid 25x finer than the runs, dropped when it is an
    end point), take the median over a seed-noise bootstrap, and fit
    ``n* ∝ C^exponent`` by least squares in log-log (their
    ``fit_results['basic']['n_exponent']``).  This fits each configuration's
    runs with :func:`fit_isoflop` (exact budgets, no bootstrap) and the given
    ``method`` and ``window``; unbracketed budgets are left out, as they do.

    Returns
    -------
    DataFrame
        ``configuration``, ``theirs``, ``ours``, ``difference`` (ours - theirs),
        ``n_budgets``, ``n_used`` (budgets that entered the fit) and ``verdict`` (the fit-quality gate's,
        :func:`~chinchilla_lib.approaches.quality.assess_approach2`: budgets used and a bend of the minima;
        no bootstrap here).
    """
    table = porian_configurations()
    runs = load_porian()
    if configurations is not None:
        unknown = sorted(set(configurations) - set(table["configuration"]))
        if unknown:
            raise ValueError(f"unknown Porian configuration(s) {unknown}")
        table = table[table["configuration"].isin(configurations)]
    rows = []
    for name, theirs in zip(table["configuration"], table["n_exponent"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsoFLOPWarning)
            fit = fit_isoflop_frame(runs[runs["configuration"] == name], method=method, window=window,
                                    n_bootstrap=0)
        rows.append({"configuration": name, "theirs": theirs, "ours": fit.a, "difference": fit.a - theirs,
                     "n_budgets": len(fit.budgets), "n_used": int(fit.budgets["used"].sum()),
                     "verdict": assess_approach2(fit).label()})
    return pd.DataFrame(rows)


@lru_cache(maxsize=4)
def _porian_fits_cached(method: str, window: int | None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        return porian_exponents(method=method, window=window)


def porian_fits(method: str = "akima", window: int | None = None) -> pd.DataFrame:
    """:func:`porian_exponents` for one method, computed once per process.

    Unbracketed budgets are left out silently (their warnings are not shown).
    Returns a copy of the cached table.
    """
    return _porian_fits_cached(method, window).copy()


@lru_cache(maxsize=1)
def _porian_table_cached() -> pd.DataFrame:
    akima = porian_fits("akima")
    names = list(akima["configuration"])
    parabola = porian_fits("parabola").set_index("configuration").loc[names]
    window5 = porian_fits("parabola", NEAREST_WINDOW).set_index("configuration").loc[names]
    fields = [name.split("-") for name in names]
    return pd.DataFrame({
        "configuration": names,
        "data": [PORIAN_DATASETS.get(f[0], f[0]) for f in fields],
        "setting": [porian_step(name) for name in names],
        "loss": [{"val": "validation", "train": "training"}.get(f[5], f[5]) for f in fields],
        "theirs": akima["theirs"].to_numpy(float),
        "akima": akima["ours"].to_numpy(float),
        "parabola": parabola["ours"].to_numpy(float),
        "parabola_window5": window5["ours"].to_numpy(float),
        "budgets_used_akima": akima["n_used"].to_numpy(int),
        "budgets_used_parabola": parabola["n_used"].to_numpy(int),
    })


def porian_table() -> pd.DataFrame:
    """Porian et al.'s N* exponent for every configuration against ours, by three methods.

    Columns: ``configuration``, ``data``, ``setting`` (:func:`porian_step`),
    ``loss`` (validation or training), ``theirs``
    (``fit_results['basic']['n_exponent']``), ``akima`` (their method,
    :func:`porian_exponents` with ``method="akima"``),
    ``parabola`` (Hoffmann et al.'s), ``parabola_window5`` (parabola on the 5
    runs nearest the lowest loss), and the budgets each fit used.  Computed
    once per process (cached); a copy is returned.

    References
    ----------
    Porian et al. 2024 (arXiv 2406.19146), Figure 1 and their ``analysis.py``.
    """
    return _porian_table_cached().copy()


@lru_cache(maxsize=1)
def _porian_summary() -> pd.DataFrame:
    return porian_summaries().set_index("configuration")


@lru_cache(maxsize=1)
def _porian_runs() -> pd.DataFrame:
    return load_porian()


def _their_budgets(configuration: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = _porian_summary()
    if configuration not in summary.index:
        raise ValueError(f"unknown Porian configuration {configuration!r}")
    row = summary.loc[configuration]
    return row["data"], row["optimal_pairs"]


def porian_optima(configuration: str) -> pd.DataFrame:
    """Per budget: Porian et al.'s optimum N* (two ways) against our Akima minimum.

    Their published ``optimal_pairs`` hold, for every budget, the median of
    N* over 1,000 replicates in which seed noise was added to every loss
    (``theirs``); their ``data`` table holds the argmin of the Akima curve of
    the unperturbed losses (``theirs_argmin``).  ``ours`` is
    :func:`~chinchilla_lib.approaches.isoflop.fit_budget` with ``method="akima"``.

    Returns
    -------
    DataFrame
        ``budget``, ``theirs``, ``theirs_argmin``, ``ours`` (NaN where a
        minimum is not bracketed) and ``n_replicates`` (their noisy
        replicates with an interior minimum, behind ``theirs``; 0 when
        none).
    """
    data, pairs = _their_budgets(configuration)
    runs = _porian_runs()
    runs = runs[runs["configuration"] == configuration]
    rows = []
    for _, b in data.iterrows():
        budget = float(b["flops"])
        members = runs[runs["flops"] == budget]
        if members["n_params"].nunique() < 3:
            continue
        ours = fit_budget(members["n_params"], members["loss"], budget=budget, method="akima")
        argmin = np.nan
        if np.isfinite(b["opt_ind"]):
            i = int(b["opt_ind"])
            if 0 < i < len(b["n_interp"]) - 1:
                argmin = float(b["n_interp"][i])
        theirs = pairs.loc[pairs["flops"] == budget, "n"]
        stars = b.get("n_stars")
        rows.append({
            "budget": budget,
            "theirs": float(theirs.iloc[0]) if len(theirs) and pd.notna(theirs.iloc[0]) else np.nan,
            "theirs_argmin": argmin,
            "ours": ours.n_opt if ours.bracketed else np.nan,
            "n_replicates": len(stars) if isinstance(stars, (list, np.ndarray)) else 0,
        })
    return pd.DataFrame(rows)


def exponent_from_their_optima(configuration: str) -> float:
    """The N* exponent from Porian et al.'s own per-budget optima, fitted by our log-log least squares."""
    _, pairs = _their_budgets(configuration)
    pairs = pairs.dropna(subset=["n"])
    return fit_log_log_line(pairs["flops"].to_numpy(float), pairs["n"].to_numpy(float))[0]


def porian_steps(exponents: pd.DataFrame, datasets: Sequence[str] = ("rw", "owt2")) -> pd.DataFrame:
    """Porian et al.'s exponents along their sequence of corrections, per data set.

    Parameters
    ----------
    exponents : DataFrame
        The output of :func:`porian_exponents` (``configuration``,
        ``theirs``, ``ours``).
    datasets : sequence of str
        Porian's data set codes: ``rw`` (RefinedWeb), ``owt2`` (OpenWebText2).

    Returns
    -------
    DataFrame
        ``step`` (0 = Kaplan's set-up), ``change``, and ``theirs_<d>``, ``ours_<d>`` per data set.
    """
    table = exponents.set_index("configuration")
    rows = []
    for step, (label, *fields) in enumerate(PORIAN_STEPS):
        row: dict[str, object] = {"step": step, "change": label}
        for d in datasets:
            name = "-".join([d, *fields])
            if name not in table.index:
                raise ValueError(f"configuration {name!r} is not in exponents; pass porian_exponents()'s output")
            row[f"theirs_{d}"] = float(table.loc[name, "theirs"])
            row[f"ours_{d}"] = float(table.loc[name, "ours"])
        rows.append(row)
    return pd.DataFrame(rows)


def porian_overview() -> dict:
    """Porian et al.'s exponent from Kaplan's setting to every fix, and the size of their data.

    Returns
    -------
    dict
        ``kaplan`` (their exponent in the first configuration of :func:`porian_table`,
        Kaplan et al.'s setting on RefinedWeb), ``final`` (their exponent in
        :data:`FINAL_CONFIGURATION`), ``n_configs``, ``n_runs`` and ``replicates``
        (their seed-noise replicates per budget in Kaplan's setting).

    References
    ----------
    Porian et al. 2024, Figure 1.
    """
    table = porian_table()
    final = table.loc[table["configuration"] == FINAL_CONFIGURATION, "theirs"].iloc[0]
    return {
        "kaplan": table["theirs"].iloc[0],
        "final": final,
        "n_configs": len(table),
        "n_runs": len(_porian_runs()),
        "replicates": porian_optima(table["configuration"].iloc[0])["n_replicates"].max(),
    }


def comparison_table() -> pd.DataFrame:
    """:func:`porian_table` for display: their exponent against ours by three estimators.

    Columns ``setting`` (data set code RW / OWT2 and step), ``theirs``, ``Akima``,
    ``difference`` (Akima minus theirs, rounded to 4 decimals), ``parabola`` and
    ``5 nearest`` (the parabola on the :data:`NEAREST_WINDOW` runs nearest the minimum).
    """
    table = porian_table()
    return pd.DataFrame({
        "setting": table["data"].map({"RefinedWeb": "RW", "OpenWebText2": "OWT2"}) + ": " + table["setting"],
        "theirs": table["theirs"], "Akima": table["akima"],
        "difference": (table["akima"] - table["theirs"]).round(4) + 0.0,
        "parabola": table["parabola"], f"{NEAREST_WINDOW} nearest": table["parabola_window5"],
    })


def worst_parabola_configuration() -> pd.Series:
    """The row of :func:`porian_table` where the paper's parabola is farthest from Porian et al.'s exponent."""
    table = porian_table()
    return table.loc[(table["parabola"] - table["theirs"]).abs().idxmax()]


def contrast_configurations() -> pd.DataFrame:
    """Two rows of :func:`porian_table`: the parabola's worst configuration and :data:`FINAL_CONFIGURATION`."""
    table = porian_table()
    final = table[table["configuration"] == FINAL_CONFIGURATION]
    return pd.concat([worst_parabola_configuration().to_frame().T, final], ignore_index=True)


def _grid_share_above(configuration: str) -> float:
    runs = load_porian(configuration).assign(budget=lambda d: d["flops"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        return share_above_optimum(runs, fit_isoflop_frame(runs, method="akima", n_bootstrap=0))


def estimator_summary() -> dict:
    """How the three IsoFLOP estimators agree with Porian et al.'s exponents, and why the parabola fails.

    Returns
    -------
    dict
        ``akima_max``, ``parabola_max``, ``window_max``: largest |ours - theirs|
        over the configurations per estimator; for the parabola's worst configuration
        (:func:`worst_parabola_configuration`): ``worst_setting`` (data set and step),
        ``worst_used`` and ``worst_used_akima`` (budgets each fit used),
        ``worst_ratio_lo``, ``worst_ratio_hi`` (range over budgets of the parabola's
        N_opt over the Akima minimum, :func:`~chinchilla_lib.approaches.isoflop.method_ratio`),
        ``worst_sd`` (population standard deviation of the log of that ratio) and
        ``share_above`` (share of runs larger than their budget's Akima optimum); for
        :data:`FINAL_CONFIGURATION`: ``final_sd``, ``final_ratio`` (geometric mean of the
        ratio) and ``share_above_final``.
    """
    table = porian_table()
    worst = worst_parabola_configuration()
    worst_ratio = method_ratio(load_porian(worst["configuration"]))
    final_ratio = method_ratio(load_porian(FINAL_CONFIGURATION))
    return {
        "akima_max": (table["akima"] - table["theirs"]).abs().max(),
        "parabola_max": (table["parabola"] - table["theirs"]).abs().max(),
        "window_max": (table["parabola_window5"] - table["theirs"]).abs().max(),
        "worst_setting": f"{worst['data']}, {worst['setting']}",
        "worst_used": int(worst["budgets_used_parabola"]),
        "worst_used_akima": int(worst["budgets_used_akima"]),
        "worst_ratio_lo": worst_ratio.min(),
        "worst_ratio_hi": worst_ratio.max(),
        "worst_sd": np.log(worst_ratio).std(ddof=0),
        "final_sd": np.log(final_ratio).std(ddof=0),
        "final_ratio": float(np.exp(np.log(final_ratio).mean())),
        "share_above": _grid_share_above(worst["configuration"]),
        "share_above_final": _grid_share_above(FINAL_CONFIGURATION),
    }


def agreement_with_their_optima() -> dict:
    """Our Akima minima and power law against Porian et al.'s per-budget optima, over all configurations.

    Returns
    -------
    dict
        ``max_argmin``: largest relative difference between our Akima minimum and
        their argmin of the unperturbed losses; ``max_median``: largest relative
        shift of their optimum by the median over seed-noise replicates;
        ``max_refit``: largest |exponent fitted to their optima - their exponent|.
    """
    table = porian_table().set_index("configuration")
    max_argmin, max_median, max_refit = 0.0, 0.0, 0.0
    for name in table.index:
        optima = porian_optima(name)
        max_argmin = max(max_argmin, (optima["ours"] / optima["theirs_argmin"] - 1).abs().max())
        max_median = max(max_median, (optima["theirs"] / optima["theirs_argmin"] - 1).abs().max())
        max_refit = max(max_refit, abs(exponent_from_their_optima(name) - table.loc[name, "theirs"]))
    return {"max_argmin": max_argmin, "max_median": max_median, "max_refit": max_refit}


def kaplan_setup_gap() -> dict:
    """What Porian et al.'s reproduction of Kaplan's set-up shares with Kaplan's fit, and what it does not.

    Returns
    -------
    dict
        ``theirs_rw``, ``theirs_owt2`` (their exponent for :data:`KAPLAN_SETUP`), ``kaplan``
        (Kaplan's p_N, a slope in C_min), ``kaplan_fixed`` (the fixed-batch fit in the same
        Figure 14), ``gap_rw``, ``gap_owt2`` (theirs minus ``kaplan``); ``flops_6nd_dev`` (the
        largest relative difference, over the runs of both configurations, between their FLOPs and
        6 N D with their N, Kaplan's count); ``lower_rw``, ``upper_rw`` (our Akima exponent on
        the lower and the upper half of the RefinedWeb budgets), ``budgets_rw`` (how many).

    References
    ----------
    Porian et al. 2024 (arXiv 2406.19146); Kaplan et al. 2020, Table 6 and Figure 14.
    Used in the chapter *The Kaplan comparison*.
    """
    table = porian_configurations().set_index("configuration")["n_exponent"]
    constants = load_table("kaplan_constants").set_index("symbol")["value"]
    runs = load_porian()
    setup = runs[runs["configuration"].isin(KAPLAN_SETUP.values())]
    dev = float((setup["flops"] / (6.0 * setup["n_params"] * setup["n_tokens"]) - 1.0).abs().max())
    rw = runs[runs["configuration"] == KAPLAN_SETUP["rw"]]
    budgets = np.sort(rw["flops"].unique())
    half = len(budgets) // 2
    halves = []
    for chosen in (budgets[:half], budgets[-half:]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsoFLOPWarning)
            halves.append(float(fit_isoflop_frame(rw[rw["flops"].isin(chosen)], method="akima", n_bootstrap=0).a))
    kaplan = float(constants["p_N"])
    theirs = {k: float(table[v]) for k, v in KAPLAN_SETUP.items()}
    return {"theirs_rw": theirs["rw"], "theirs_owt2": theirs["owt2"], "kaplan": kaplan,
            "kaplan_fixed": float(constants["p_N_fixed"]), "gap_rw": theirs["rw"] - kaplan,
            "gap_owt2": theirs["owt2"] - kaplan, "flops_6nd_dev": dev, "lower_rw": halves[0], "upper_rw": halves[1],
            "budgets_rw": len(budgets)}
