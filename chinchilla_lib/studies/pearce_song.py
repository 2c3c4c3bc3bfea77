"""Pearce & Song (2024, arXiv 2406.12907): the exponent Kaplan would have measured on Chinchilla's law.

Their set-up -- γ from a vocabulary and an aspect ratio, a 20-model grid and a budget
window -- read from ``data/paper_values.csv``, and the exponents it gives under each
definitional choice; the maths is :mod:`chinchilla_lib.embeddings`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .._validate import positive_array, positive_int, positive_scalar
from ..datasets import paper_value
from ..embeddings import embedding_gamma, fit_gamma, fitted_exponent, grid_frontier_exponent, local_exponent
from ..laws import ParametricLaw, get_law

__all__ = ["pearce_song_gamma", "pearce_song_grids", "pearce_song_exponent", "exponent_variants",
           "local_exponent_peak"]


def pearce_song_gamma() -> float:
    """γ of Pearce & Song: :func:`~chinchilla_lib.embeddings.embedding_gamma` (vocab 32000, ρ 39.2, no n_ctx).

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
        :func:`~chinchilla_lib.embeddings.grid_frontier_exponent`.
    """
    def grid(name: str, count: str) -> np.ndarray:
        lo, hi = (paper_value(f"pearce_song.grid.log10_{name}_{end}") for end in ("min", "max"))
        return np.logspace(lo, hi, int(paper_value(f"pearce_song.grid.{count}")))

    return {"n_nonembed": grid("n", "n_models"), "n_tokens": grid("tokens", "n_tokens"),
            "flops": grid("flops", "n_budgets")}


def pearce_song_exponent(law: ParametricLaw | str, gamma: float | None = None) -> float:
    """Slope of log N*_\\E on log C_\\E by Pearce & Song's discrete procedure.

    :func:`~chinchilla_lib.embeddings.grid_frontier_exponent` on :func:`pearce_song_grids`,
    with γ = :func:`pearce_song_gamma` unless given.
    """
    g = pearce_song_gamma() if gamma is None else positive_scalar("gamma", gamma, hint="e.g. 47481")
    return grid_frontier_exponent(law, g, **pearce_song_grids())


def exponent_variants(laws: Sequence[str] = ("replication", "paper", "paper-full")) -> pd.DataFrame:
    """The exponent Kaplan would have measured, under each definitional choice.

    One row per law in ``data/laws.csv``, columns:

    * ``grid``: Pearce & Song's procedure (:func:`pearce_song_exponent`);
    * ``window``: the continuous frontier fitted over their budget window;
    * ``range_ps_gamma``: the continuous frontier over Kaplan's model range, their γ;
    * ``range_fit_gamma``: the same with γ fitted to Table A9 (:func:`~chinchilla_lib.embeddings.fit_gamma`);
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
