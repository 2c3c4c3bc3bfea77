"""The LLaMA-1 training curves (Touvron et al. 2023) as Approach 1 data, and the over-training of their runs.

References
----------
Touvron et al. 2023, Figure 1 and Table 2; the post "Chinchilla's Death".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import positive_scalar
from ..datasets import load_llama_curves, load_table, paper_value
from ..envelope import (EnvelopeResult, curve_scatter, endpoint_table, envelope_margin, envelope_switches,
                        fit_envelope, staircase_resolution)
from ..laws import ParametricLaw

__all__ = ["LLAMA_MIN_FRACTION", "LLAMA_SMOOTH", "LLAMA_CLOSE_PAIR", "llama1_curves", "size_straddle",
           "llama1_models", "LlamaEnvelope", "llama1_envelope", "llama1_numbers", "endpoint_display"]


#: Share of the shortest LLaMA-1 run dropped from the start of every curve.
LLAMA_MIN_FRACTION = 0.05


def llama1_curves(min_fraction: float = LLAMA_MIN_FRACTION) -> pd.DataFrame:
    """The four LLaMA-1 training curves, without the start of each run.

    Drops the points before ``min_fraction`` of the shortest run's length
    (LLaMA-7B's): on the original linear token axis they are a few pixels
    wide, and the curves start at the top edge of the plot.

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.datasets.load_llama_curves` rows of family LLaMA-1.
    """
    frac = positive_scalar("min_fraction", min_fraction, hint="e.g. 0.05")
    curves = load_llama_curves()
    curves = curves[curves["family"] == "LLaMA-1"]
    shortest = curves.groupby("model")["n_tokens"].max().min()
    return curves[curves["n_tokens"] >= frac * shortest].reset_index(drop=True)


def size_straddle(models: pd.DataFrame, law: ParametricLaw) -> tuple[pd.Series, float]:
    """Compute-optimal size of each run's budget under ``law``, and how far the sizes straddle it.

    Parameters
    ----------
    models : DataFrame
        Indexed by model, with ``n_params`` and ``n_tokens`` (one run each).
    law : ParametricLaw

    Returns
    -------
    (Series, float)
        N_opt(6 N D) per model, and the largest factor between a model's size and
        its N_opt, either way (1 when every run is compute-optimal).
    """
    flops = 6.0 * models["n_params"].to_numpy(float) * models["n_tokens"].to_numpy(float)
    n_law = pd.Series(law.optimal_allocation(flops)[0], index=models.index)
    ratio = n_law / models["n_params"]
    return n_law, float(max(1.0, ratio.max(), (1.0 / ratio).max()))


#: Width, in decades of FLOPs, of the Gaussian smoothing of the LLaMA-1 curves (a fiftieth of a decade).
LLAMA_SMOOTH = 0.02

#: The two LLaMA-1 models whose curves nearly coincide at equal compute.
LLAMA_CLOSE_PAIR = ("LLaMA-7B", "LLaMA-13B")


def llama1_models() -> pd.DataFrame:
    """The LLaMA-1 rows of ``data/llama_models.csv`` (Touvron et al. 2023, Table 2), indexed by model."""
    return load_table("llama_models").query("family == 'LLaMA-1'").set_index("model")


@dataclass(frozen=True)
class LlamaEnvelope:
    """Approach 1 (Section 3.1) on the LLaMA-1 training curves.

    Attributes
    ----------
    curves : DataFrame
        :func:`llama1_curves`.
    models : DataFrame
        :func:`llama1_models`.
    raw_fit, fit : EnvelopeResult
        Envelope fits without and with smoothing.
    envelope : DataFrame
        The smoothed envelope with the runner-up's ``margin``
        (:func:`~chinchilla_lib.envelope.envelope_margin`).
    ends : DataFrame
        :func:`~chinchilla_lib.envelope.endpoint_table` of the curves.
    scatter : float
        Digitisation scatter of the curves (:func:`~chinchilla_lib.envelope.curve_scatter`), nats.
    """

    curves: pd.DataFrame
    models: pd.DataFrame
    raw_fit: EnvelopeResult
    fit: EnvelopeResult
    envelope: pd.DataFrame
    ends: pd.DataFrame
    scatter: float


def llama1_envelope(*, smooth: float = LLAMA_SMOOTH, n_grid: int | None = None) -> LlamaEnvelope:
    """The lower envelope of the four LLaMA-1 curves, raw and smoothed, and the losses at the run ends.

    ``n_grid`` log-spaced FLOP values (the paper's 1500 by default), one curve per model.
    """
    n_grid = int(paper_value("approach1.n_grid")) if n_grid is None else int(n_grid)
    curves = llama1_curves()
    options = {"curve_col": "model", "n_grid": n_grid}
    return LlamaEnvelope(curves, llama1_models(), fit_envelope(curves, **options),
                         fit_envelope(curves, smooth=smooth, **options),
                         envelope_margin(curves, smooth=smooth, **options), endpoint_table(curves),
                         curve_scatter(curves))


def llama1_numbers(study: LlamaEnvelope, law: ParametricLaw) -> dict:
    """The numbers that describe a :class:`LlamaEnvelope`, with the compute-optimal sizes under ``law``.

    Keys: ``llama_n``; ``llama_ratio_lo``, ``llama_ratio_hi`` (smallest and largest ratio of
    neighbouring sizes); ``llama_small_t``, ``llama_large_t`` (shortest and longest run, T
    tokens); ``llama_cut`` (B tokens dropped at the start); ``llama_scatter``;
    ``switch_raw``, ``switch_7_13`` (switches of the raw argmin and the share within
    :data:`LLAMA_CLOSE_PAIR`), ``switch_smooth``; ``raw_a``, ``llama_a`` (exponents of the raw
    and the smoothed envelope); ``llama_winners``, ``llama_never`` (models that reach the
    smoothed envelope, in order, and those that never do); ``end_margin_{i}`` (margin at the
    end of run i, where a rival exists), ``end_margin_ratio`` (smallest margin over the
    scatter), ``end_best_all_own`` ("every" when each finished run is the lowest at its end);
    ``median_margin``; ``llama_resolution`` and ``llama_decades`` (staircase resolution and
    width of the envelope's FLOP range); ``law_nopt_{i}`` and ``llama_size_{i}`` (B
    parameters) and ``straddle`` (:func:`size_straddle`).
    """
    models, env, ends = study.models, study.envelope, study.ends
    steps = np.diff(np.log(np.sort(models["n_params"].to_numpy(float))))
    n_raw, share = envelope_switches(study.raw_fit.envelope, LLAMA_CLOSE_PAIR)
    winners = list(dict.fromkeys(env["curve"]))
    never = [m for m in models.index if m not in set(winners)]
    flops = (env["flops"].min(), env["flops"].max())
    out = {"llama_n": len(models), "llama_ratio_lo": np.exp(steps.min()), "llama_ratio_hi": np.exp(steps.max()),
           "llama_small_t": models["n_tokens"].min() / 1e12, "llama_large_t": models["n_tokens"].max() / 1e12,
           "llama_scatter": study.scatter, "llama_cut": LLAMA_MIN_FRACTION * models["n_tokens"].min() / 1e9,
           "switch_raw": n_raw, "switch_7_13": share, "raw_a": study.raw_fit.a,
           "switch_smooth": envelope_switches(env, LLAMA_CLOSE_PAIR)[0],
           "llama_winners": ", ".join(winners), "llama_never": ", ".join(never) if never else "none",
           "end_margin_ratio": ends["margin"].min() / study.scatter,
           "end_best_all_own": "every" if (ends["best"] == ends["ends"]).all() else "not every",
           "median_margin": float(np.nanmedian(env["margin"])), "llama_a": study.fit.a,
           "llama_resolution": staircase_resolution(models["n_params"], flops),
           "llama_decades": np.log10(flops[1] / flops[0])}
    out |= {f"end_margin_{i}": row["margin"] for i, row in ends.dropna(subset=["margin"]).iterrows()}
    n_law, out["straddle"] = size_straddle(models, law)
    for i, model in enumerate(models.index):
        out[f"law_nopt_{i}"] = n_law[model] / 1e9
        out[f"llama_size_{i}"] = models.loc[model, "n_params"] / 1e9
    return out


def endpoint_display(ends: pd.DataFrame, prefix: str = "LLaMA-") -> pd.DataFrame:
    """:func:`~chinchilla_lib.envelope.endpoint_table` for display: model names without ``prefix``.

    Columns ``run ending``, ``FLOPs``, one per model and ``margin`` (``best`` dropped).
    """
    short = {c: c.removeprefix(prefix) for c in ends.columns if isinstance(c, str) and c.startswith(prefix)}
    shown = ends.drop(columns="best").rename(columns=short | {"ends": "run ending", "flops": "FLOPs"})
    shown["run ending"] = shown["run ending"].map(lambda m: m.removeprefix(prefix))
    return shown
