"""Approach 1 on real training curves: the envelope over checkpoints of the OLMo ladder and the Gemstones.

Hoffmann et al. (Sec. 3.1) take, at each compute value, the lowest loss over all training curves,
but only from points near the end of each run's own schedule: their footnote keeps the points in
the last 15% of training (``approach1.last_fraction`` in ``paper_values.csv``), because a run
evaluated part-way through its cosine cycle is worse than one whose cycle ends there (their
Figure A1).  Two public sets allow that selection on real runs:

* the OLMo ladder (:mod:`~chinchilla_lib.datasets.olmo_ladder`): every run decays its own cosine
  schedule to a tenth of the peak; ``end of schedule`` keeps the checkpoints whose tokens are in
  the last 15% of their run's, one curve segment per run;
* the Gemstones (:mod:`~chinchilla_lib.datasets.gemstones`): a constant learning rate with
  cool-downs branched off it; ``cooled`` keeps the end of every cool-down (each a finished run),
  one curve per model through its cooled points, and ``constant rate`` the hot checkpoints, as the
  authors' default Approach 1 does.

Each set is also fitted on ``all`` its checkpoints (one curve per run) for contrast.  Every fit is
:func:`~chinchilla_lib.approaches.runs.fit_runs` with ``approach=1`` over the interior range of the
envelope (:func:`~chinchilla_lib.approaches.envelope.interior_range`, as the book's Approach 1 on
finished runs), judged by the gate (:mod:`~chinchilla_lib.approaches.quality`); the interval
resamples the runs of each model size with replacement (:func:`envelope_on_checkpoints`), and the
tokens per parameter are read at the geometric median compute of the set's finished runs.

References
----------
Hoffmann et al. 2022, Sec. 3.1, Figure 2, Figure A1; Bhagia et al. 2024; McLeish et al. 2025.
"""

from __future__ import annotations

import time
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import positive_int
from ..approaches.envelope import fit_envelope, interior_range
from ..approaches.quality import Quality, bootstrap_checks
from ..approaches.run_grid import grid_frame, reference_flops
from ..approaches.runs import fit_runs
from ..datasets import paper_value
from ..datasets.gemstones import load_gemstones_curves, load_gemstones_runs
from ..datasets.olmo_ladder import load_olmo_ladder_curves, load_olmo_ladder_runs
from ..result_cache import shared_result
from ..stats import percentile_interval

__all__ = ["SELECTIONS", "RESAMPLES", "last_fraction", "end_of_schedule", "select_checkpoints",
           "envelope_on_checkpoints", "checkpoint_envelope_table"]

#: (set, selection) -> (what is kept, the column naming one curve).
SELECTIONS = {
    ("olmo_ladder", "end of schedule"): ("checkpoints in the last 15% of each run's tokens", "run"),
    ("olmo_ladder", "all"): ("every checkpoint of every run", "run"),
    ("gemstones", "cooled"): ("the end of every cool-down, one curve per model", "model"),
    ("gemstones", "constant rate"): ("every checkpoint of the constant-rate runs", "run"),
    ("gemstones", "all"): ("every checkpoint: constant-rate runs and cool-downs", "run"),
}
#: Bootstrap resamples of each row's interval.
RESAMPLES = 50
_LEVEL = 0.8
_LABELS = {"olmo_ladder": "OLMo ladder", "gemstones": "Gemstones"}


def last_fraction() -> float:
    """The share of each run's training whose points Approach 1 keeps (Hoffmann et al., Sec. 3.1 footnote)."""
    return paper_value("approach1.last_fraction")


def end_of_schedule(curves: pd.DataFrame, fraction: float | None = None) -> pd.DataFrame:
    """The checkpoints in the last ``fraction`` of their run's tokens (``schedule_fraction >= 1 - fraction``).

    Parameters
    ----------
    curves : DataFrame
        Checkpoints with a ``schedule_fraction`` column (tokens over the run's final tokens).
    fraction : float, optional
        Default :func:`last_fraction` (0.15).
    """
    fraction = last_fraction() if fraction is None else fraction
    if isinstance(fraction, bool) or not np.isscalar(fraction) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be a share of the run in (0, 1], e.g. 0.15, got {fraction!r}")
    if not isinstance(curves, pd.DataFrame) or "schedule_fraction" not in curves.columns:
        raise ValueError("curves must be a DataFrame with a schedule_fraction column (tokens / the run's final tokens)")
    return curves[curves["schedule_fraction"] >= 1.0 - fraction - 1e-12].reset_index(drop=True)


@lru_cache(maxsize=2)
def _curves(key: str) -> pd.DataFrame:
    return load_olmo_ladder_curves() if key == "olmo_ladder" else load_gemstones_curves()


def select_checkpoints(key: str, selection: str) -> pd.DataFrame:
    """The checkpoints of one set kept by one selection of :data:`SELECTIONS`."""
    if (key, selection) not in SELECTIONS:
        raise ValueError(f"unknown (set, selection) {(key, selection)!r}; choose one of {list(SELECTIONS)}")
    curves = _curves(key).copy()
    if selection == "end of schedule":
        return end_of_schedule(curves)
    if selection == "cooled":
        return curves[curves["phase"] == "cool_end"].reset_index(drop=True)
    if selection == "constant rate":
        return curves[curves["phase"] == "hot"].reset_index(drop=True)
    return curves


def _fit(checkpoints: pd.DataFrame, curve_col: str, n_grid: int):
    """:func:`fit_runs` (Approach 1, judged by the gate) over the envelope's interior range."""
    span = interior_range(checkpoints, curve_col=curve_col, n_grid=n_grid)
    return fit_runs(checkpoints, approach=1, curve_col=curve_col, n_grid=n_grid, flops_range=span)


def _resample(checkpoints: pd.DataFrame, size_col: str, resample_col: str, rng) -> pd.DataFrame:
    """The runs of each size drawn with replacement; a run drawn twice is two curves."""
    parts = []
    for _, units in checkpoints.groupby(size_col, sort=True)[resample_col]:
        names = units.unique()
        for k, name in enumerate(rng.choice(names, size=names.size)):
            part = checkpoints[checkpoints[resample_col] == name]
            parts.append(part.assign(**{resample_col: f"{name}#{k}"}) if resample_col != size_col else part)
    return pd.concat(parts, ignore_index=True)


def envelope_on_checkpoints(checkpoints: pd.DataFrame, *, curve_col: str = "run", size_col: str = "model",
                            resample_col: str = "run", flops: float | None = None, n_resamples: int = RESAMPLES,
                            seed: int = 0, n_grid: int = 1500) -> dict:
    """Approach 1 on checkpoints, with a bootstrap over runs and the gate's verdict.

    Parameters
    ----------
    checkpoints : DataFrame
        ``n_params``, ``loss``, ``flops`` or ``n_tokens``, and the columns named below.
    curve_col : str, default "run"
        One training curve (a run, or a model whose finished runs form its curve).
    size_col, resample_col : str
        The bootstrap draws the ``resample_col`` units (runs) of each ``size_col`` group (model size)
        with replacement, as :func:`~chinchilla_lib.approaches.run_grid.grid_approach1` does.  When every
        size has one unit the runs cannot be resampled and no interval is given.
    flops : float, optional
        Compute at which ``tokens_per_param`` is read; default the checkpoints' geometric median.
    n_resamples, seed, n_grid : int

    Returns
    -------
    dict
        ``checkpoints``, ``runs``, ``sizes``, ``a``, ``low``, ``high`` (10th-90th percentiles),
        ``tokens_per_param`` with ``tpp_low``, ``tpp_high``, ``flops`` (the reference), ``resamples``,
        ``unfitted``, ``verdict`` (decided, flagged, refused), ``failed`` (the failed checks'
        messages), ``checks`` (their names) and ``seconds``.  A refused fit gives NaN numbers.
    """
    start = time.perf_counter()
    for col in {curve_col, size_col, resample_col}:
        if col not in checkpoints.columns:
            raise ValueError(f"checkpoints lacks the column {col!r} named by curve_col, size_col or resample_col")
    n_resamples, n_grid = positive_int("n_resamples", n_resamples), positive_int("n_grid", n_grid)
    row = {"checkpoints": len(checkpoints), "runs": int(checkpoints[resample_col].nunique()),
           "sizes": int(checkpoints[size_col].nunique())}
    nan = dict.fromkeys(("a", "low", "high", "tokens_per_param", "tpp_low", "tpp_high"), np.nan)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = _fit(checkpoints, curve_col, n_grid)
    except ValueError as exc:
        return row | nan | {"flops": flops, "resamples": 0, "unfitted": 0, "verdict": "refused",
                            "failed": str(exc), "checks": "fit", "seconds": time.perf_counter() - start}
    reference = float(flops) if flops is not None else float(np.exp(np.median(np.log(_flops(checkpoints)))))
    one_per_size = bool((checkpoints.groupby(size_col)[resample_col].nunique() == 1).all())
    a_samples, tpp_samples = np.empty(0), np.empty(0)
    if not one_per_size:
        rng = np.random.default_rng(seed)
        a_samples, tpp_samples = np.full(n_resamples, np.nan), np.full(n_resamples, np.nan)
        for i in range(n_resamples):
            sample = _resample(checkpoints, size_col, resample_col, rng)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    span = interior_range(sample, curve_col=curve_col, n_grid=n_grid)
                    one = fit_envelope(sample, curve_col=curve_col, n_grid=n_grid, flops_range=span)
                    a_samples[i], tpp_samples[i] = one.a, one.plan(reference)["tokens_per_param"]
            except ValueError:
                pass
    quality = Quality.of(fit.quality.checks + (tuple(bootstrap_checks(a_samples)) if a_samples.size else ()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        numbers = {"a": fit.a, "tokens_per_param": float(fit.plan(reference)["tokens_per_param"])}
    good, tpp_good = a_samples[np.isfinite(a_samples)], tpp_samples[np.isfinite(tpp_samples)]
    numbers["low"], numbers["high"] = _interval(good)
    numbers["tpp_low"], numbers["tpp_high"] = _interval(tpp_good)
    if quality.verdict == "refused":
        numbers = nan
    return row | numbers | {"flops": reference, "resamples": int(a_samples.size),
                            "unfitted": int(a_samples.size - good.size), "verdict": quality.verdict,
                            "failed": "; ".join(c.message() for c in quality.failed),
                            "checks": ", ".join(c.name for c in quality.failed),
                            "seconds": time.perf_counter() - start}


def _flops(checkpoints: pd.DataFrame) -> np.ndarray:
    """Each checkpoint's compute: its ``flops`` column, else 6 N D."""
    if "flops" in checkpoints.columns:
        return checkpoints["flops"].to_numpy(float)
    return 6.0 * checkpoints["n_params"].to_numpy(float) * checkpoints["n_tokens"].to_numpy(float)


def _interval(samples: np.ndarray) -> tuple[float, float]:
    if samples.size < 2:
        return (np.nan, np.nan)
    lo, hi = percentile_interval(samples, _LEVEL)
    return (float(lo), float(hi))


@lru_cache(maxsize=1)
def _finished_flops() -> dict[str, float]:
    """The geometric median compute of each set's finished runs (where the book's table reads tokens per parameter)."""
    return {key: reference_flops(grid_frame(loader()[["n_params", "n_tokens", "loss"]]))
            for key, loader in (("olmo_ladder", load_olmo_ladder_runs), ("gemstones", load_gemstones_runs))}


@lru_cache(maxsize=4)
@shared_result  # computed once per book build, shared by the chapters
def _table(n_resamples: int, seed: int) -> pd.DataFrame:
    rows = []
    for (key, selection), (kept, curve_col) in SELECTIONS.items():
        found = envelope_on_checkpoints(select_checkpoints(key, selection), curve_col=curve_col,
                                        flops=_finished_flops()[key], n_resamples=n_resamples, seed=seed)
        rows.append({"key": key, "data set": _LABELS[key], "selection": selection, "kept": kept,
                     "curve": curve_col, **found})
    return pd.DataFrame(rows)


def checkpoint_envelope_table(n_resamples: int = RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Approach 1 on the checkpoints of the OLMo ladder and the Gemstones, one row per :data:`SELECTIONS` entry.

    Returns
    -------
    DataFrame
        ``key``, ``data set``, ``selection``, ``kept`` (in words), ``curve`` (the column naming a curve),
        ``checkpoints``, ``runs``, ``sizes``, ``a`` with ``low``, ``high`` (10th-90th bootstrap percentiles
        over runs resampled within each model), ``tokens_per_param`` (D_opt / N_opt at ``flops``, the
        geometric median compute of the set's finished runs) with ``tpp_low``, ``tpp_high``,
        ``resamples``, ``unfitted``, ``verdict`` (the gate's), ``failed`` and ``checks`` (the failed
        checks' messages and names) and ``seconds`` (time of the row's fit and bootstrap).
    """
    return _table(positive_int("n_resamples", n_resamples), int(seed)).copy()
