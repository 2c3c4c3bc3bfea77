"""Tables and simulations for the chapter *The Kaplan comparison* (why 0.73 became 0.50).

Thin helpers over :mod:`chinchilla_lib.kaplan`, :mod:`chinchilla_lib.isoflop`,
:mod:`chinchilla_lib.simulate` and :mod:`chinchilla_lib.envelope`:

* Pearce & Song's (2024, arXiv 2406.12907) set-up -- γ from a vocabulary and an
  aspect ratio, their 20-model grid and budget window -- and the exponents it gives
  (:func:`pearce_song_gamma`, :func:`pearce_song_grids`, :func:`pearce_song_exponent`,
  :func:`exponent_variants`, :func:`local_exponent_peak`);
* Porian et al.'s (2024, arXiv 2406.19146) sequence of corrections as a table
  (:data:`PORIAN_STEPS`, :func:`porian_steps`);
* Chinchilla's own explanation, a learning-rate schedule fixed for every run,
  on simulated training curves (:func:`fixed_schedule_curves`,
  :func:`schedule_exponents`).

Pearce & Song's settings (vocabulary, aspect ratio, gamma, grids) are read from
``data/paper_values.csv`` through :func:`reference_value`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ._validate import positive_array, positive_int, positive_scalar
from .datasets import paper_value
from .envelope import EnvelopeResult, fit_envelope
from .kaplan import embedding_gamma, fit_gamma, fitted_exponent, grid_frontier_exponent, local_exponent
from .laws import ParametricLaw, get_law
from .powerlaw import from_parametric_law
from .simulate import simulate_training_curves

__all__ = [
    "reference_value",
    "pearce_song_gamma",
    "pearce_song_grids",
    "pearce_song_exponent",
    "exponent_variants",
    "local_exponent_peak",
    "PORIAN_STEPS",
    "porian_steps",
    "optimum_flops_range",
    "fixed_schedule_curves",
    "schedule_fits",
    "schedule_exponents",
]

def reference_value(value_id: str) -> float:
    """A reference value by id from ``data/paper_values.csv`` (KeyError when absent)."""
    return paper_value(value_id)


# ---------------------------------------------------------------------------
# Pearce & Song's set-up
# ---------------------------------------------------------------------------

def pearce_song_gamma() -> float:
    """γ of Pearce & Song: :func:`~chinchilla_lib.kaplan.embedding_gamma` (vocab 32000, ρ 39.2, no n_ctx).

    Gives 47481; their code uses 47491 (``reference_value("pearce_song.gamma")``), which
    corresponds to ρ = 39.23: the difference moves the exponents by less than 1e-3.

    References
    ----------
    Pearce & Song 2024, arXiv 2406.12907; chapter *The Kaplan comparison*.
    """
    return embedding_gamma(reference_value("chinchilla.vocab_size"), reference_value("pearce_song.aspect_ratio"))


def pearce_song_grids() -> dict[str, np.ndarray]:
    """The model, token and budget grids of Pearce & Song's simulated Kaplan study.

    Returns
    -------
    dict
        ``n_nonembed`` (20 sizes, 10^2.9 to 10^9.2), ``n_tokens`` (10^6 to 10^25) and
        ``flops`` (non-embedding budgets 10^12.95 to 10^20.7): keyword arguments of
        :func:`~chinchilla_lib.kaplan.grid_frontier_exponent`.
    """
    def grid(name: str, count: str) -> np.ndarray:
        lo, hi = (reference_value(f"pearce_song.grid.log10_{name}_{end}") for end in ("min", "max"))
        return np.logspace(lo, hi, int(reference_value(f"pearce_song.grid.{count}")))

    return {"n_nonembed": grid("n", "n_models"), "n_tokens": grid("tokens", "n_tokens"),
            "flops": grid("flops", "n_budgets")}


def pearce_song_exponent(law: ParametricLaw | str, gamma: float | None = None) -> float:
    """Slope of log N*_\\E on log C_\\E by Pearce & Song's discrete procedure.

    :func:`~chinchilla_lib.kaplan.grid_frontier_exponent` on :func:`pearce_song_grids`,
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
    * ``range_fit_gamma``: the same with γ fitted to Table A9 (:func:`~chinchilla_lib.kaplan.fit_gamma`);
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


# ---------------------------------------------------------------------------
# Porian et al.'s corrections
# ---------------------------------------------------------------------------

#: Porian et al.'s Figure 1 sequence: (label, hparams, warmup, decay, param_count, loss),
#: each step adding one correction to the previous (labels from their ``configs.py``).
PORIAN_STEPS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Reproducing Kaplan et al.", "base", "long", "kaplan", "kaplan", "train"),
    ("Counting last layer FLOPs", "base", "long", "kaplan", "standard", "val"),
    ("Correcting warmup", "base", "short", "kaplan", "standard", "val"),
    ("Cosine decay", "base", "short", "chinchilla", "standard", "val"),
    ("Optimizer tuning (no decay)", "tuned", "short", "const", "standard", "val"),
)


def porian_steps(exponents: pd.DataFrame, datasets: Sequence[str] = ("rw", "owt2")) -> pd.DataFrame:
    """Porian et al.'s exponents along their sequence of corrections, per data set.

    Parameters
    ----------
    exponents : DataFrame
        The output of :func:`chinchilla_lib.isoflop.porian_exponents` (``configuration``,
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


# ---------------------------------------------------------------------------
# A fixed learning-rate schedule (Hoffmann et al.'s explanation)
# ---------------------------------------------------------------------------

def optimum_flops_range(law: ParametricLaw | str, n_low: float, n_high: float) -> tuple[float, float]:
    """Budgets (FLOPs) at which ``law``'s compute-optimal size is ``n_low`` and ``n_high`` (Eq. 4 inverted)."""
    lw = get_law(law) if isinstance(law, str) else law
    ends = positive_array("n_low, n_high", [n_low, n_high], hint="parameters as raw counts")
    if not ends[0] < ends[1]:
        raise ValueError(f"need n_low < n_high, got {n_low!r}, {n_high!r}")
    lo, hi = from_parametric_law(lw).flops_for_params(ends)
    return float(lo), float(hi)


def fixed_schedule_curves(law: ParametricLaw, n_params, horizon: float, *, penalty: float = 0.05,
                          n_points: int = 120, start_fraction: float = 1e-4) -> pd.DataFrame:
    """Training curves of every model size under one cosine cycle of ``horizon`` tokens (Kaplan's set-up).

    Kaplan et al. trained every model for the same number of steps with one schedule and
    read the compute frontier off intermediate losses; here each size runs one cycle of
    ``horizon`` tokens, simulated with :func:`~chinchilla_lib.simulate.simulate_training_curves`
    (same penalty model), so a small model nears the end of its cycle at a budget where a
    large one is still early in its cycle.

    Returns
    -------
    DataFrame
        The columns of :func:`~chinchilla_lib.simulate.simulate_training_curves`, one run per size.
    """
    sizes = positive_array("n_params", n_params, hint="raw parameter counts", min_size=2)
    h = positive_scalar("horizon", horizon, hint="tokens of the shared cosine cycle, e.g. 1e11")
    frames = []
    for i, n in enumerate(sizes):
        curve = simulate_training_curves(law, [n], tokens_per_param=[h / n], penalty=penalty,
                                         n_points=n_points, start_fraction=start_fraction)
        frames.append(curve.assign(model=f"m{i:02d}", run=f"m{i:02d}-fixed"))
    return pd.concat(frames, ignore_index=True)


def schedule_fits(law: ParametricLaw, n_params, *, horizons_tpp: Sequence[float], penalty: float,
                  n_grid: int = 300) -> dict[str, EnvelopeResult]:
    """Approach-1 fits on simulated curves from matched cosine cycles and from one fixed cycle.

    The budgets are those at which the law's optimum lies between the 4th smallest and
    4th largest size (so the envelope is not pinned to an end of the size grid).

    * ``"matched"``: every size trained with four cycles spanning 16x
      (:func:`~chinchilla_lib.simulate.simulate_training_curves` defaults), as Hoffmann et al.;
    * ``"fixed <r>"`` for each ``r`` in ``horizons_tpp``: one cycle per size, the same number
      of tokens for all, ``r`` tokens per parameter of the largest size (:func:`fixed_schedule_curves`),
      as Kaplan et al.

    Returns
    -------
    dict
        Label -> :class:`~chinchilla_lib.envelope.EnvelopeResult`.
    """
    sizes = np.sort(positive_array("n_params", n_params, hint="raw parameter counts", min_size=8))
    flops_range = optimum_flops_range(law, sizes[3], sizes[-4])
    matched = simulate_training_curves(law, sizes, penalty=penalty, n_points=60)
    fits = {"matched": fit_envelope(matched, flops_range=flops_range, n_grid=n_grid)}
    for r in horizons_tpp:
        fixed = fixed_schedule_curves(law, sizes, positive_scalar("horizons_tpp", r) * sizes[-1], penalty=penalty)
        fits[f"fixed {r:g}"] = fit_envelope(fixed, flops_range=flops_range, n_grid=n_grid)
    return fits


def schedule_exponents(law: ParametricLaw, n_params, *, horizons_tpp: Sequence[float],
                       penalties: Sequence[float], n_grid: int = 300) -> pd.DataFrame:
    """Exponents of :func:`schedule_fits` for several penalties, as one table.

    Returns
    -------
    DataFrame
        ``penalty``, then ``matched`` and one column ``fixed <r>`` per horizon: the fitted a.
    """
    rows = []
    for p in penalties:
        fits = schedule_fits(law, n_params, horizons_tpp=horizons_tpp, penalty=p, n_grid=n_grid)
        rows.append({"penalty": float(p), **{label: fit.a for label, fit in fits.items()}})
    return pd.DataFrame(rows)
