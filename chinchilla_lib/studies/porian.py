"""Porian et al. (2024): our IsoFLOP exponents on their 15 configurations against theirs.

Their runs and the names of their configurations are :mod:`chinchilla_lib.datasets.porian`;
this fits them with :func:`~chinchilla_lib.isoflop.fit_isoflop` by three estimators and
compares per-budget optima.  Results are computed once per process (cached).

References
----------
Porian et al. 2024, arXiv 2406.19146, Figure 1 and their ``analysis.py``.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from ..datasets import (PORIAN_DATASETS, PORIAN_STEPS, load_porian, porian_configurations, porian_step,
                        porian_summaries)
from ..isoflop import IsoFLOPWarning, fit_budget, fit_isoflop_frame
from ..powerlaw import fit_log_log_line

__all__ = ["porian_exponents", "porian_fits", "porian_table", "porian_optima", "exponent_from_their_optima",
           "porian_steps"]


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
        ``n_budgets`` and ``n_used`` (budgets that entered the fit).
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
                     "n_budgets": len(fit.budgets), "n_used": int(fit.budgets["used"].sum())})
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
    window5 = porian_fits("parabola", 5).set_index("configuration").loc[names]
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
    :func:`~chinchilla_lib.isoflop.fit_budget` with ``method="akima"``.

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
