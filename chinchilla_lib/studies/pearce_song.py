"""Pearce & Song (2024, arXiv 2406.12907): the exponent Kaplan would have measured on Chinchilla's law.

Their set-up -- γ from a vocabulary and an aspect ratio, a 20-model grid and a budget
window -- read from ``chinchilla_lib/data/paper_values.csv``, and the exponents it gives under each
definitional choice; the maths is :mod:`chinchilla_lib.laws.embeddings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar
from ..datasets import paper_value
from ..laws.embeddings import (
    NumericalFrontier,
    embedding_gamma,
    fit_gamma,
    fitted_exponent,
    grid_frontier_exponent,
    local_exponent,
    local_exponent_limits,
    local_exponent_numerical,
)
from ..laws.parametric import ParametricLaw, get_law

__all__ = ["pearce_song_gamma", "pearce_song_grids", "pearce_song_exponent", "exponent_variants",
           "local_exponent_peak", "pearce_song_setup", "numerical_frontiers", "closed_form_discrepancy",
           "local_exponent_profile", "variant_summary"]


def pearce_song_gamma() -> float:
    """γ of Pearce & Song: :func:`~chinchilla_lib.laws.embeddings.embedding_gamma` (vocab 32000, ρ 39.2, no n_ctx).

    Gives 47481; their code uses 47491 (``paper_value("pearce_song.gamma")``), which
    corresponds to ρ = 39.23: the difference moves the exponents by less than 1e-3.

    References
    ----------
    Pearce & Song 2024, arXiv 2406.12907; chapter *The Kaplan comparison*.
    """
    return embedding_gamma(paper_value("chinchilla.vocab_size"), paper_value("pearce_song.aspect_ratio"))


def pearce_song_grids() -> dict[str, np.ndarray]:
    """The model, token and budget grids of Pearce & Song's simulated Kaplan study.

    Returns
    -------
    dict
        ``n_nonembed`` (20 sizes, 10^2.9 to 10^9.2), ``n_tokens`` (10^6 to 10^25) and
        ``flops`` (non-embedding budgets 10^12.95 to 10^20.7): keyword arguments of
        :func:`~chinchilla_lib.laws.embeddings.grid_frontier_exponent`.
    """
    def grid(name: str, count: str) -> np.ndarray:
        lo, hi = (paper_value(f"pearce_song.grid.log10_{name}_{end}") for end in ("min", "max"))
        return np.logspace(lo, hi, int(paper_value(f"pearce_song.grid.{count}")))

    return {"n_nonembed": grid("n", "n_models"), "n_tokens": grid("tokens", "n_tokens"),
            "flops": grid("flops", "n_budgets")}


def pearce_song_exponent(law: ParametricLaw | str, gamma: float | None = None) -> float:
    """Slope of log N*_\\E on log C_\\E by Pearce & Song's discrete procedure.

    :func:`~chinchilla_lib.laws.embeddings.grid_frontier_exponent` on :func:`pearce_song_grids`,
    with γ = :func:`pearce_song_gamma` unless given.
    """
    g = pearce_song_gamma() if gamma is None else positive_scalar("gamma", gamma, hint="e.g. 47481")
    return grid_frontier_exponent(law, g, **pearce_song_grids())


def exponent_variants(laws: Sequence[str] = ("replication", "paper", "paper-full")) -> pd.DataFrame:
    """The exponent Kaplan would have measured, under each definitional choice.

    One row per law in ``chinchilla_lib/data/laws.csv``, columns:

    * ``grid``: Pearce & Song's procedure (:func:`pearce_song_exponent`);
    * ``window``: the continuous frontier fitted over their budget window;
    * ``range_ps_gamma``: the continuous frontier over Kaplan's model range, their γ;
    * ``range_fit_gamma``: the same with γ fitted to Table A9 (:func:`~chinchilla_lib.laws.embeddings.fit_gamma`);
    * ``total``: Chinchilla's optimum at fixed *total* compute, re-expressed in N_\\E, C_\\E
      (their γ, Kaplan's model range);
    * ``limit``: the large-N limit β/(α+β), Chinchilla's own exponent a.
    """
    g, flops = pearce_song_gamma(), pearce_song_grids()["flops"]
    rows = []
    for name in laws:
        law = get_law(name)
        rows.append({
            "law": name,
            "grid": pearce_song_exponent(law, g),
            "window": fitted_exponent(law, g, flops_range=(flops[0], flops[-1])).exponent,
            "range_ps_gamma": fitted_exponent(law, g).exponent,
            "range_fit_gamma": fitted_exponent(law, fit_gamma()).exponent,
            "total": fitted_exponent(law, g, budget="total").exponent,
            "limit": law.a,
        })
    return pd.DataFrame(rows)


def local_exponent_peak(law: ParametricLaw | str, gamma: float, *, n_range: tuple[float, float] = (1.0, 1e14),
                        n_points: int = 4001) -> tuple[float, float]:
    """(N*_\\E, exponent) where the closed-form local exponent is largest, on a log grid.

    The local exponent of the fixed-C_\\E frontier rises from β/(α/3+β) at small N to a
    peak where embeddings and non-embeddings weigh alike (N_\\E ~ γ^(3/2)), then falls to β/(α+β).
    """
    lo, hi = positive_array("n_range", n_range, hint="(low, high) non-embedding parameters")
    n = np.geomspace(lo, hi, positive_int("n_points", n_points))
    values = np.asarray(local_exponent(n, law, gamma))
    i = int(np.argmax(values))
    return float(n[i]), float(values[i])


def pearce_song_setup() -> dict[str, float]:
    """Pearce & Song's embedding assumptions and reference exponents, from ``chinchilla_lib/data/paper_values.csv``.

    Returns
    -------
    dict
        ``vocab`` (Chinchilla's vocabulary), ``rho`` (their aspect ratio d_model/n_layers),
        ``gamma`` (:func:`pearce_song_gamma`), ``gamma_theirs`` (the γ of their code),
        ``gamma_rel`` = |γ_theirs/γ - 1|, and ``ref_rep``, ``ref_paper``: their exponents
        with the replication's and the paper's full-precision coefficients.
    """
    gamma, theirs = pearce_song_gamma(), paper_value("pearce_song.gamma")
    return {"vocab": paper_value("chinchilla.vocab_size"), "rho": paper_value("pearce_song.aspect_ratio"),
            "gamma": gamma, "gamma_theirs": theirs, "gamma_rel": abs(theirs / gamma - 1),
            "ref_rep": paper_value("pearce_song.local_exponent.replication"),
            "ref_paper": paper_value("pearce_song.local_exponent.paper")}


def numerical_frontiers(laws: Mapping[str, ParametricLaw], gamma: float,
                        flops=None) -> dict[str, NumericalFrontier]:
    """The fixed-C_\\E frontier of every law by direct numerical minimisation (Pearce & Song 2024).

    :func:`~chinchilla_lib.laws.embeddings.local_exponent_numerical` at each non-embedding budget
    in ``flops`` (default 14 budgets from 1e8 to 1e34 FLOPs), one result per law name.
    """
    flops = np.logspace(8, 34, 14) if flops is None else flops
    return {name: local_exponent_numerical(flops, law, gamma) for name, law in laws.items()}


def closed_form_discrepancy(laws: Mapping[str, ParametricLaw], gamma: float,
                            frontiers: Mapping[str, NumericalFrontier]) -> float:
    """Largest |closed-form - numerical| local exponent over all laws and budgets.

    The closed form is :func:`~chinchilla_lib.laws.embeddings.local_exponent` at the numerical
    optimum N*_\\E of each point of ``frontiers`` (the output of :func:`numerical_frontiers`).
    """
    return float(max(np.max(np.abs(local_exponent(f.n_nonembed, laws[name], gamma) - f.exponent))
                     for name, f in frontiers.items()))


def local_exponent_profile(law: ParametricLaw | str, gamma: float) -> dict[str, float]:
    """The shape of the local exponent: its small-N limit, its peak and its large-N limit (Pearce & Song 2024).

    Returns
    -------
    dict
        ``small_limit`` β/(α/3+β), ``peak_n`` (N*_\\E at the peak), ``peak`` (the exponent
        there, :func:`local_exponent_peak`) and ``large_limit`` β/(α+β).
    """
    lw = get_law(law) if isinstance(law, str) else law
    small, large = local_exponent_limits(lw)
    peak_n, peak = local_exponent_peak(lw, gamma)
    return {"small_limit": small, "peak_n": peak_n, "peak": peak, "large_limit": large}


def variant_summary(variants: pd.DataFrame) -> dict[str, float]:
    """What the exponent variants say, read off :func:`exponent_variants` (with its column names).

    Returns
    -------
    dict
        ``kaplan_min``, ``kaplan_max``: the range of the four variants that follow Kaplan's
        procedure (``grid``, ``window``, ``range_ps_gamma``, ``range_fit_gamma``) over all laws;
        ``full_fit_gap``: the paper-full law's ``range_fit_gamma`` minus Pearce & Song's
        exponent with the paper's coefficients; ``rep_limit``: the replication law's large-N
        limit β/(α+β).
    """
    v = variants.set_index("law")
    kaplan_like = v[["grid", "window", "range_ps_gamma", "range_fit_gamma"]].to_numpy()
    return {"kaplan_min": float(kaplan_like.min()), "kaplan_max": float(kaplan_like.max()),
            "full_fit_gap": v.loc["paper-full", "range_fit_gamma"] - paper_value("pearce_song.local_exponent.paper"),
            "rep_limit": v.loc["replication", "limit"]}
