"""Is the compute-optimal frontier a straight line in log-log?  The quadratic term of log N_opt against log C.

Hoffmann et al. note a slight concavity of the frontier at high compute (App. E,
Figure A5).  This fits a quadratic in log10 C to the IsoFLOP optima of the Figure 4
strips and of every Porian et al. configuration
(:func:`~chinchilla_lib.laws.powerlaw.log_log_curvature`) and reports the curvature with
its interval.

References
----------
Hoffmann et al. 2022, App. E, Figure A5; Porian et al. 2024.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd

from ..approaches.isoflop import IsoFLOPWarning, fit_isoflop_frame
from ..datasets import load_porian, porian_configurations, porian_step
from ..laws.powerlaw import log_log_curvature
from .figure4 import fig4_fit

__all__ = ["curvature_table", "curvature_summary"]


def _row(label: str, data: str, fit, level: float) -> dict:
    used = fit.budgets[fit.budgets["used"]]
    return {"series": label, "data": data, "a": fit.a,
            **log_log_curvature(used["budget"], used["n_opt"], level=level)}


@lru_cache(maxsize=2)
def _curvature_cached(level: float) -> pd.DataFrame:
    rows = [_row("Figure 4, parabola", "Hoffmann et al.", fig4_fit(), level),
            _row("Figure 4, Akima", "Hoffmann et al.", fig4_fit(method="akima"), level)]
    runs = load_porian()
    for name in porian_configurations()["configuration"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsoFLOPWarning)
            fit = fit_isoflop_frame(runs[runs["configuration"] == name], method="akima", n_bootstrap=0)
        if int(fit.budgets["used"].sum()) >= 4:
            rows.append(_row(porian_step(name, with_data=True), "Porian et al.", fit, level))
    return pd.DataFrame(rows)


def curvature_table(level: float = 0.9) -> pd.DataFrame:
    """Curvature of log10 N_opt in log10 C for the Figure 4 strips and each Porian et al. configuration.

    The Figure 4 optima come from the paper's parabola and from the Akima spline; Porian
    et al.'s from the Akima spline (their method), budgets with the minimum at an end
    left out, configurations with fewer than 4 usable budgets skipped.

    Returns
    -------
    DataFrame
        ``series``, ``data``, ``a`` (the power law's exponent) and the keys of
        :func:`~chinchilla_lib.laws.powerlaw.log_log_curvature` (``curvature``, ``se``,
        ``lo``, ``hi``, ``slope``, ``n``, ``decades``).  A copy of a cached table.
    """
    return _curvature_cached(float(level)).copy()


def curvature_summary(table: pd.DataFrame) -> dict:
    """Counts over :func:`curvature_table`: how many intervals exclude zero, and on which side.

    Returns
    -------
    dict
        ``n_series``, ``n_concave`` (interval below 0), ``n_convex`` (above 0),
        ``n_flat`` (interval contains 0), ``fig4_curv``, ``fig4_lo``, ``fig4_hi``
        (the Figure 4 parabola row), ``min_curv`` and ``max_curv`` (over all rows).
    """
    fig4 = table.iloc[0]
    return {"n_series": len(table), "n_concave": int((table["hi"] < 0).sum()),
            "n_convex": int((table["lo"] > 0).sum()),
            "n_flat": int(((table["lo"] <= 0) & (table["hi"] >= 0)).sum()),
            "fig4_curv": float(fig4["curvature"]), "fig4_lo": float(fig4["lo"]), "fig4_hi": float(fig4["hi"]),
            "min_curv": float(table["curvature"].min()), "max_curv": float(table["curvature"].max())}
