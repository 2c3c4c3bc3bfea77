"""Every approach backtested on every public set of finished runs, and the drift of tokens per parameter.

For each named set of final losses (:data:`~chinchilla_lib.datasets.named.NAMED_SETS`, training
curves left out) and each approach, :func:`~chinchilla_lib.approaches.backtest.backtest_set`
leaves the largest budget out (:data:`HOLDOUT`), fits the rest through the gate and scores the
prediction against the held-out budget's own IsoFLOP vertex.  One set's rows are computed once per
book build and shared between chapters (:func:`~chinchilla_lib.result_cache.shared_all`).

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3; Farseer (2025) on tokens per parameter rising with compute.
"""

from __future__ import annotations

import functools
from functools import lru_cache

import numpy as np
import pandas as pd

from ..approaches.backtest import LEVEL, backtest_set, coverage
from ..datasets.named import NAMED_SETS
from ..result_cache import shared_all

__all__ = ["HOLDOUT", "BACKTEST_SETS", "backtest_rows", "backtest_table", "backtest_grid", "untestable_table", "backtest_numbers",
           "coverage_table"]

#: Budgets held out in the book's table: the largest of each set.
HOLDOUT = 1
#: The sets backtested: every named set of final losses, in the order of the named sets (Figure 4 once: the
#: 240 points the replication keeps).
BACKTEST_SETS = tuple(name for name, spec in NAMED_SETS.items() if spec.design != "curves" and name != "hoffmann-fig4:all")


def _set_rows(name: str, holdout: int) -> list[dict]:
    try:
        return backtest_set(name, (1, 2, 3), holdout=holdout, seed=0)
    except ValueError as exc:  # the set cannot be backtested at all: one row that says why
        return [{"set": name, "approach": None, "verdict": "cannot backtest", "reason": str(exc)}]


@lru_cache(maxsize=4)
def _rows_cached(holdout: int) -> tuple:
    items = [(f"studies.public_backtests.set_rows-{name}-{holdout}", functools.partial(_set_rows, name, holdout))
             for name in BACKTEST_SETS]
    return tuple(row for rows in shared_all(items) for row in rows)


def backtest_rows(holdout: int = HOLDOUT) -> list[dict]:
    """Every backtest row of every set and approach (:func:`~chinchilla_lib.approaches.backtest.backtest`'s
    keys); a set that cannot be backtested gives one row with ``approach`` None and the ``reason``."""
    return [dict(r) for r in _rows_cached(holdout)]


def _title(name: str) -> str:
    return NAMED_SETS[name].title if name in NAMED_SETS else name


def _interval(lo_hi) -> str:
    return "" if lo_hi is None else f"{lo_hi[0] / 1e9:.3g}-{lo_hi[1] / 1e9:.3g}"


def backtest_table(rows: list[dict] | None = None) -> pd.DataFrame:
    """The backtests for the reader: one row per (set, approach, held-out budget) that could be run.

    Columns ``data set``, ``approach``, ``held out`` (FLOPs), ``fitted up to`` (FLOPs), ``predicted N_opt (B)``,
    ``80% interval``, ``observed N_opt (B)``, ``observed interval``, ``N_opt error`` (predicted / observed - 1),
    ``inside`` (yes / no / blank), ``loss error`` (Approach 3), ``loss inside``, ``verdict``.
    """
    rows = backtest_rows() if rows is None else rows
    out = []
    for r in rows:
        if r["approach"] is None:
            continue
        yes = {True: "yes", False: "no", None: ""}
        out.append({"data set": r["set"], "approach": r["approach"], "held out": r["heldout_flops"],
                    "fitted up to": r["cutoff_flops"],
                    "predicted N_opt (B)": np.nan if r["predicted_n_opt"] is None else r["predicted_n_opt"] / 1e9,
                    "80% interval": _interval(r["predicted_n_opt_interval"]),
                    "observed N_opt (B)": np.nan if r["observed_n_opt"] is None else r["observed_n_opt"] / 1e9,
                    "observed interval": _interval(r["observed_n_opt_interval"]),
                    "N_opt error": np.nan if r["n_opt_rel_error"] is None else r["n_opt_rel_error"],
                    "inside": yes[r["n_opt_inside"]],
                    "loss error": np.nan if r["loss_error"] is None else r["loss_error"],
                    "loss inside": yes[r["loss_inside"]], "verdict": r["verdict"]})
    return pd.DataFrame(out)


def _cell(r: dict) -> str:
    if r["predicted_n_opt"] is None:
        return "refused" if r["verdict"] == "refused" else "no prediction"
    mark = {True: "inside", False: "outside", None: "not judged"}[r["n_opt_inside"]]
    flag = ", flagged" if r["verdict"] == "flagged" else ""
    error = r["n_opt_rel_error"]
    return f"{error:+.1%} ({mark}{flag})" if abs(error) < 0.01 else f"{error:+.0%} ({mark}{flag})"


def backtest_grid(rows: list[dict] | None = None) -> pd.DataFrame:
    """The backtests at a glance: one row per set that could be backtested, one column per approach.

    Columns ``data set``, ``held out`` (FLOPs), ``observed N_opt (B)`` (the held-out budget's vertex, with its
    80% interval), ``Approach 1``, ``Approach 2``, ``Approach 3`` (each the error of its predicted N_opt,
    ``inside`` or ``outside`` the interval it is judged by, ``flagged`` when the gate flags the fit, or
    ``refused``) and ``loss error`` (Approach 3's predicted lowest loss over the observed, minus one).
    """
    rows = [r for r in (backtest_rows() if rows is None else rows) if r["approach"] is not None]
    out = []
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = {r["approach"]: r for r in rows if r["set"] == name}
        first = next(iter(mine.values()))
        obs, interval = first["observed_n_opt"], first["observed_n_opt_interval"]
        seen = "" if obs is None else f"{obs / 1e9:.3g}" + (f" ({_interval(interval)})" if interval else "")
        a3 = mine.get(3)
        out.append({"data set": name, "held out": first["heldout_flops"], "observed N_opt (B)": seen,
                    **{f"Approach {k}": _cell(mine[k]) if k in mine else "" for k in (1, 2, 3)},
                    "loss error": np.nan if a3 is None or a3["loss_error"] is None else a3["loss_error"]})
    return pd.DataFrame(out)


def untestable_table(rows: list[dict] | None = None) -> pd.DataFrame:
    """Sets that cannot be backtested, and the check that stops each: ``data set``, ``what it is``, ``why``."""
    rows = backtest_rows() if rows is None else rows
    return pd.DataFrame([{"data set": r["set"], "what it is": _title(r["set"]), "why": r["reason"].split(": ", 1)[-1]}
                         for r in rows if r["approach"] is None], columns=["data set", "what it is", "why"])


def coverage_table(rows: list[dict] | None = None) -> pd.DataFrame:
    """Per approach: backtests run, refused, scored; how often N_opt (and the loss) fell inside the interval;
    the median and largest N_opt error (absolute, over rows the gate let predict)."""
    rows = [r for r in (backtest_rows() if rows is None else rows) if r["approach"] is not None]
    out = []
    for k in (1, 2, 3):
        mine = [r for r in rows if r["approach"] == k]
        errors = np.abs([r["n_opt_rel_error"] for r in mine if r["n_opt_rel_error"] is not None])
        n_cov, l_cov = coverage(mine), coverage(mine, "loss_inside")
        out.append({"approach": k, "backtests": len(mine), "refused": sum(r["verdict"] == "refused" for r in mine),
                    "scored": n_cov["scored"], "N_opt inside": n_cov["inside"], "N_opt coverage": n_cov["rate"],
                    "median |N_opt error|": float(np.median(errors)) if errors.size else np.nan,
                    "largest |N_opt error|": float(errors.max()) if errors.size else np.nan,
                    "loss scored": l_cov["scored"], "loss coverage": l_cov["rate"]})
    return pd.DataFrame(out)


def backtest_numbers(rows: list[dict] | None = None) -> dict:
    """Numbers for the chapter's prose.

    ``n_sets``, ``n_untestable``, ``n_backtests``, ``n_refused``, ``n_scored``, ``n_inside``, ``coverage`` (over every
    scored row), ``nominal`` (the intervals' level), ``a{k}_coverage``, ``a{k}_scored``, ``a{k}_median_error``
    (per cent, absolute), ``a{k}_largest_error`` (per cent), ``best_approach`` (lowest median absolute error),
    ``loss_scored``, ``loss_coverage``, ``loss_median_error`` (per cent, absolute), ``loss_largest_error``.
    """
    rows = backtest_rows() if rows is None else rows
    run = [r for r in rows if r["approach"] is not None]
    table = coverage_table(rows)
    cov = coverage(run)
    out = {"n_sets": len({r["set"] for r in rows}), "n_untestable": sum(r["approach"] is None for r in rows),
           "n_backtests": len(run), "n_refused": sum(r["verdict"] == "refused" for r in run),
           "n_scored": cov["scored"], "n_inside": cov["inside"], "coverage": 100 * cov["rate"],
           "nominal": 100 * LEVEL}
    for t in table.to_dict("records"):
        k = t["approach"]
        out |= {f"a{k}_coverage": 100 * t["N_opt coverage"], f"a{k}_scored": t["scored"],
                f"a{k}_median_error": 100 * t["median |N_opt error|"],
                f"a{k}_largest_error": 100 * t["largest |N_opt error|"]}
    best = table.dropna(subset=["median |N_opt error|"])
    out["best_approach"] = int(best.loc[best["median |N_opt error|"].idxmin(), "approach"]) if len(best) else None
    losses = np.abs([r["loss_error"] for r in run if r.get("loss_error") is not None])
    loss_cov = coverage(run, "loss_inside")
    out |= {"loss_scored": loss_cov["scored"], "loss_coverage": 100 * loss_cov["rate"],
            "loss_median_error": 100 * float(np.median(losses)) if losses.size else np.nan,
            "loss_largest_error": 100 * float(losses.max()) if losses.size else np.nan}
    return out
