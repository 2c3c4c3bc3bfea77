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
from ..approaches.envelope import (
    EnvelopeResult,
    curve_scatter,
    endpoint_table,
    envelope_margin,
    envelope_switches,
    fit_envelope,
    staircase_resolution,
)
from ..datasets import LLAMA_MIN_FRACTION, llama1_curves, load_llama_curves, load_table, paper_value
from ..laws.parametric import ParametricLaw
from .later_studies import later_value

__all__ = ["LLAMA_MIN_FRACTION", "LLAMA_SMOOTH", "LLAMA_CLOSE_PAIR", "llama1_curves", "size_straddle",
           "POST_LEVEL", "MEASURES", "smoothed_curve", "first_reach", "pair_gap", "post_claims", "loss_at_tokens",
           "flattening", "FLAT", "FLAT_WINDOWS", "FLAT_WINDOWS_WIDE", "claim_curves", "tokens_per_param_table", "calibration_numbers",
           "calibration_display", "claims_display", "claim_numbers", "RULE_TOKENS_PER_PARAM", "llama_context_numbers",
           "llama_throughput", "throughput_numbers", "RESOLUTION_PX", "loss_per_pixel", "flattening_detail",
           "llama1_models", "LlamaEnvelope", "llama1_envelope", "llama1_numbers", "endpoint_display"]


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
    """The LLaMA-1 rows of ``chinchilla_lib/data/llama_models.csv`` (Touvron et al. 2023, Table 2), indexed by model."""
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
        (:func:`~chinchilla_lib.approaches.envelope.envelope_margin`).
    ends : DataFrame
        :func:`~chinchilla_lib.approaches.envelope.endpoint_table` of the curves.
    scatter : float
        Digitisation scatter of the curves (:func:`~chinchilla_lib.approaches.envelope.curve_scatter`), nats.
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
    """:func:`~chinchilla_lib.approaches.envelope.endpoint_table` for display: model names without ``prefix``.

    Columns ``run ending``, ``FLOPs``, one per model and ``margin`` (``best`` dropped).
    """
    short = {c: c.removeprefix(prefix) for c in ends.columns if isinstance(c, str) and c.startswith(prefix)}
    shown = ends.drop(columns="best").rename(columns=short | {"ends": "run ending", "flops": "FLOPs"})
    shown["run ending"] = shown["run ending"].map(lambda m: m.removeprefix(prefix))
    return shown


# ---------------------------------------------------------------------------------------------------------------
# The post "Chinchilla's Death", claim by claim

#: Loss level the post reads off LLaMA-1's curves ("the 13B model overtakes it and reaches 1.9 first").
POST_LEVEL = 1.9

#: Measures of training cost the claims are read against (column of :func:`load_llama_curves`).
MEASURES = {"gpu_hours": "GPU-hours", "flops": "6ND FLOPs", "post_gpu_hours": "GPU-hours on the post's axis"}


def smoothed_curve(curves: pd.DataFrame, model: str, measure: str, window: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """One model's curve sorted by ``measure`` with the loss a running median over ``window`` of its points.

    The digitised traces go back and forth along x by a pixel; the median over a
    hundredth of the points (at least 5) removes that jitter.
    """
    run = curves[curves["model"] == model].sort_values(measure)
    if run.empty:
        raise ValueError(f"model {model!r} is not in the curves; choose one of {sorted(curves['model'].unique())}")
    size = max(5, int(window * len(run)) | 1)
    loss = run["loss"].rolling(size, center=True, min_periods=1).median()
    return run[measure].to_numpy(float), loss.to_numpy(float)


def first_reach(curves: pd.DataFrame, model: str, measure: str, level: float) -> float:
    """Smallest ``measure`` at which the smoothed curve of ``model`` is at or below ``level`` (inf if never)."""
    x, y = smoothed_curve(curves, model, measure)
    hit = np.flatnonzero(y <= level)
    return float(x[hit[0]]) if hit.size else float("inf")


def pair_gap(curves: pd.DataFrame, small: str, large: str, measure: str, n: int = 400) -> pd.DataFrame:
    """Loss of ``large`` minus loss of ``small`` at equal ``measure`` over the stretch both curves cover.

    Positive ``gap``: the smaller model is ahead.  ``n`` evenly spaced points (the
    post's figures have linear axes).
    """
    xs, ys = smoothed_curve(curves, small, measure)
    xl, yl = smoothed_curve(curves, large, measure)
    lo, hi = max(xs.min(), xl.min()), min(xs.max(), xl.max())
    grid = np.linspace(lo, hi, n)
    return pd.DataFrame({measure: grid, "gap": np.interp(grid, xl, yl) - np.interp(grid, xs, ys)})


def _law_gap(law: ParametricLaw, n_small: float, n_large: float, flops: float) -> float:
    """L(large) - L(small) at equal compute under ``law`` (positive: the law prefers the smaller)."""
    return float(law.loss(n_large, flops / (6 * n_large)) - law.loss(n_small, flops / (6 * n_small)))


#: A loss read off a digitised curve is good to about one pixel of its figure (the width of the
#: drawn line, and the tracing's jitter); a difference of two readings to two.  A claim whose
#: deciding loss difference is smaller than this many pixels cannot be decided from the curves.
RESOLUTION_PX = 2.0


def loss_per_pixel() -> pd.Series:
    """Nats of training loss per pixel of each family's figure (the digitisation's resolution).

    The post's loss axis is exactly linear in the pixel's y (checked when the curves are read);
    this is the size of its slope, per family (``LLaMA-1``, ``Llama-2``).
    """
    from ..datasets.llama import llama_pixels

    slopes = {}
    for _model, (row, pixels, loss, _hours) in llama_pixels().items():
        slopes.setdefault(row["family"], abs(float(np.polyfit(pixels["y"], loss, 1)[0])))
    return pd.Series(slopes, name="nats_per_px")


def _verdict(margin_px: float, can_fail: bool = True) -> str:
    """Three-valued verdict from a claim's deciding loss difference, in pixels of its figure.

    ``margin_px`` is signed so that a positive value supports the claim.  At least
    :data:`RESOLUTION_PX` either way decides; anything nearer zero (or not finite) cannot
    decide.  ``can_fail=False`` for a claim about what would happen beyond the data, which
    the curves can support but not refute.
    """
    if not np.isfinite(margin_px):
        return "cannot decide"
    if margin_px >= RESOLUTION_PX:
        return "holds"
    if margin_px <= -RESOLUTION_PX and can_fail:
        return "does not hold"
    return "cannot decide"


def _loss_at(curves: pd.DataFrame, model: str, measure: str, x: float) -> float:
    """Smoothed loss of ``model`` at ``measure`` = ``x`` (NaN outside its curve)."""
    xs, ys = smoothed_curve(curves, model, measure)
    return float(np.interp(x, xs, ys, left=np.nan, right=np.nan))


def post_claims(law: ParametricLaw, curves: pd.DataFrame | None = None,
                pixel: pd.Series | dict | None = None) -> pd.DataFrame:
    """The post's claims about the LLaMA curves, each tested on the recalibrated curves and by the law.

    Every equal-compute comparison is read at equal GPU-hours (the post's measure,
    on our token axis), at equal 6ND FLOPs, and at equal GPU-hours as the post
    computed them (its own token calibration); ``law_gap`` is what ``law`` predicts at the compute of
    the comparison (L(larger) - L(smaller) in nats: positive if the law, too,
    prefers the smaller model).

    Each claim is decided by one loss difference read off the curves (its *margin*, signed
    so that a positive value supports the claim) against the resolution of the digitised
    figures: :func:`_verdict` with :data:`RESOLUTION_PX` pixels of the figure's loss axis.

    Parameters
    ----------
    law : ParametricLaw
    curves : DataFrame, optional
        :func:`claim_curves` (the default) or curves of the same columns.
    pixel : Series or dict, optional
        Nats of loss per pixel by family; default :func:`loss_per_pixel`.

    Returns
    -------
    DataFrame, one row per claim
        ``claim``, ``data``, and for each measure m of :data:`MEASURES` ``value_{m}`` (the
        number that describes the claim; ``unit`` says what), ``margin_{m}`` (the deciding
        loss difference in pixels) and ``verdict_{m}``; ``law_gap``, ``unit``, ``margin``
        (what the margin measures).
    """
    curves = claim_curves() if curves is None else curves
    px = dict(loss_per_pixel() if pixel is None else pixel)
    one, two = px["LLaMA-1"], px["Llama-2"]
    n = curves.groupby("model")["n_params"].first()
    end = curves.groupby("model")[[*MEASURES, "n_tokens"]].max()
    final = {m: smoothed_curve(curves, m, "n_tokens")[1][-1] for m in n.index}
    rows = []

    def add(claim, data, values, margins, law_gap, unit, margin, can_fail=True):
        if len(values) == 1:  # a claim about the curves' shape: one value for every measure
            values, margins = values * len(MEASURES), margins * len(MEASURES)
        row = {"claim": claim, "data": data}
        for m, value, margin_px in zip(MEASURES, values, margins):
            row |= {f"value_{m}": value, f"margin_{m}": margin_px, f"verdict_{m}": _verdict(margin_px, can_fail)}
        rows.append(row | {"law_gap": law_gap, "unit": unit, "margin": margin})

    # 1. LLaMA-1: the 13B overtakes the 7B and reaches 1.9 first.
    reach13 = {m: first_reach(curves, "LLaMA-13B", m, POST_LEVEL) for m in MEASURES}
    add(f"LLaMA-1: 13B reaches loss {POST_LEVEL} before 7B", "LLaMA-1 Fig. 1, 7B vs 13B",
        [first_reach(curves, "LLaMA-7B", m, POST_LEVEL) / reach13[m] for m in MEASURES],
        [(_loss_at(curves, "LLaMA-7B", m, reach13[m]) - POST_LEVEL) / one for m in MEASURES],
        _law_gap(law, n["LLaMA-7B"], n["LLaMA-13B"], end.loc["LLaMA-7B", "flops"]),
        "cost for 7B / cost for 13B to reach the level", "L(7B) - level where the 13B reaches it")
    # 2. LLaMA-1: the 7B, near-linear at the end, seems on its way to overtake the 13B again.
    vals = [pair_gap(curves, "LLaMA-7B", "LLaMA-13B", m)["gap"].iloc[-1] for m in MEASURES]
    add("LLaMA-1: 7B may overtake 13B again if trained longer", "LLaMA-1 Fig. 1, 7B vs 13B at the 7B's end", vals,
        [v / one for v in vals], _law_gap(law, n["LLaMA-7B"], n["LLaMA-13B"], 2 * end.loc["LLaMA-7B", "flops"]),
        "L(13B) - L(7B) at the 7B's end, nats (law: at twice its compute)", "L(13B) - L(7B) at the 7B's end",
        can_fail=False)
    # 3. LLaMA-1: 13B surpassed by 33B only with more than double the compute.
    add("LLaMA-1: 33B beats 13B only with more than double the compute", "LLaMA-1 Fig. 1, 13B vs 33B",
        [first_reach(curves, "LLaMA-33B", m, final["LLaMA-13B"]) / end.loc["LLaMA-13B", m] for m in MEASURES],
        [(_loss_at(curves, "LLaMA-33B", m, 2 * end.loc["LLaMA-13B", m]) - final["LLaMA-13B"]) / one
         for m in MEASURES],
        _law_gap(law, n["LLaMA-13B"], n["LLaMA-33B"], end.loc["LLaMA-13B", "flops"]),
        "cost for 33B to reach 13B's final loss / 13B's cost", "L(33B) at twice the 13B's cost - L(13B, end)")
    # 4. LLaMA-1: the 33B is never overtaken by the 65B.
    gaps = {m: pair_gap(curves, "LLaMA-33B", "LLaMA-65B", m)["gap"] for m in MEASURES}
    add("LLaMA-1: 65B never overtakes 33B", "LLaMA-1 Fig. 1, 33B vs 65B up to the 33B's end",
        [float((gaps[m] < 0).mean()) for m in MEASURES], [gaps[m].min() / one for m in MEASURES],
        _law_gap(law, n["LLaMA-33B"], n["LLaMA-65B"], end.loc["LLaMA-33B", "flops"]),
        "share of the common range where 65B is lower", "smallest L(65B) - L(33B) over the common range")
    # 5. Llama 2: smaller models overtake larger ones again late in training.
    pairs = [("Llama-2-7B", "Llama-2-13B"), ("Llama-2-13B", "Llama-2-34B"), ("Llama-2-34B", "Llama-2-70B")]
    ends = {m: [pair_gap(curves, s, lg, m)["gap"].iloc[-1] for s, lg in pairs] for m in MEASURES}
    add("Llama 2: smaller models overtake larger ones again at the end", "Llama 2 Fig. 5, neighbouring sizes",
        [float(np.mean([g > 0 for g in ends[m]])) for m in MEASURES], [min(ends[m]) / two for m in MEASURES],
        float(np.mean([_law_gap(law, n[s], n[lg], end.loc[s, "flops"]) for s, lg in pairs])),
        "share of neighbouring pairs where the smaller is lower at the smaller's end (law: mean gap)",
        "smallest L(larger) - L(smaller) at the smaller's end, over the pairs")
    # 6. Llama 2: the 70B's compute spent on the 7B would have reached a lower loss.
    add("Llama 2: 7B on the 70B's compute would reach a lower loss", "no run: the 7B stops at 2T tokens",
        [final["Llama-2-70B"] - final["Llama-2-7B"]], [float("nan")],
        _law_gap(law, n["Llama-2-7B"], n["Llama-2-70B"], end.loc["Llama-2-70B", "flops"]),
        "L(70B, end) - L(7B, end), nats (the 7B used a tenth of the compute)", "none: no run tests it")
    # 7. LLaMA-1's end-of-run flattening is the cosine schedule's, absent from Llama 2 at the 1T mark.
    flat = flattening_detail(curves, "Llama-2-7B")
    add("LLaMA-1's flattening at 1T is a schedule artefact: Llama 2 shows none at 1T",
        "Llama-2-7B (and LLaMA-7B) slopes around the 1T mark", [flat["ratio"]], [flat["margin"] / two],
        float("nan"), "Llama 2 slope at 0.9-1.0T / slope at 0.6-0.8T (1 = no slowdown)",
        f"drop over 0.9-1.0T - {FLAT} x the drop the earlier slope gives")
    # 8. Llama 2 7B is worse than LLaMA-1 7B at the 1T mark.
    diff = loss_at_tokens(curves, "Llama-2-7B", 1e12) - loss_at_tokens(curves, "LLaMA-7B", 1e12)
    add("Llama 2 7B is worse than LLaMA-1 7B at 1T tokens", "the two figures' loss axes at 1T", [diff],
        [diff / max(one, two)], float("nan"), "L(Llama 2) - L(LLaMA-1) at 1T, nats",
        "L(Llama 2) - L(LLaMA-1) at 1T (the coarser figure's pixels)")
    # 9. Llama 2: the 34B dips above the 70B, then overtakes it.
    gaps = {m: pair_gap(curves, "Llama-2-34B", "Llama-2-70B", m)["gap"] for m in MEASURES}
    add("Llama 2: 34B dips above 70B, then overtakes it", "Llama 2 Fig. 5, 34B vs 70B up to the 34B's end",
        [float((gaps[m] < 0).mean()) for m in MEASURES],
        [min(-gaps[m].min(), gaps[m].iloc[-1]) / two for m in MEASURES],
        _law_gap(law, n["Llama-2-34B"], n["Llama-2-70B"], end.loc["Llama-2-34B", "flops"]),
        "share of the common range where 34B is higher",
        "the smaller of: largest L(34B) - L(70B); L(70B) - L(34B) at the 34B's end")
    return pd.DataFrame(rows)


def loss_at_tokens(curves: pd.DataFrame, model: str, n_tokens: float) -> float:
    """Smoothed loss of ``model`` at ``n_tokens`` (interpolated)."""
    x, y = smoothed_curve(curves, model, "n_tokens")
    return float(np.interp(n_tokens, x, y))


#: A late-to-earlier slope ratio at or above this counts as "no slowdown" (claim 7 of :func:`post_claims`).
FLAT = 0.9


def flattening(curves: pd.DataFrame, model: str, late=(0.9e12, 1.0e12), early=(0.6e12, 0.8e12)) -> float:
    """Slope of ``model``'s loss in tokens over ``late`` divided by its slope over ``early`` (1: no slowdown)."""
    return flattening_detail(curves, model, late, early)["ratio"]


def flattening_detail(curves: pd.DataFrame, model: str, late=(0.9e12, 1.0e12), early=(0.6e12, 0.8e12),
                      threshold: float | None = None) -> dict:
    """:func:`flattening` with what decides it: the loss drops behind the ratio, in nats.

    Returns
    -------
    dict
        ``ratio`` (late slope / early slope), ``late_drop`` and ``early_drop`` (loss at the
        start of each window minus loss at its end, nats), ``expected_drop`` (the drop over
        ``late`` at the early slope), ``margin`` (``late_drop`` minus ``threshold`` times
        ``expected_drop``: positive if the ratio is above ``threshold``, default :data:`FLAT`),
        ``ratio_per_nat`` (how much the ratio moves per nat of ``late_drop``: multiply by a
        figure's nats per pixel for the ratio's change per pixel).
    """
    threshold = FLAT if threshold is None else float(threshold)
    late_drop, early_drop = (loss_at_tokens(curves, model, w[0]) - loss_at_tokens(curves, model, w[1])
                             for w in (late, early))
    expected = early_drop * (late[1] - late[0]) / (early[1] - early[0])
    return {"ratio": late_drop / expected, "late_drop": late_drop, "early_drop": early_drop,
            "expected_drop": expected, "margin": late_drop - threshold * expected, "ratio_per_nat": 1.0 / expected}


def claim_curves(min_fraction: float = LLAMA_MIN_FRACTION) -> pd.DataFrame:
    """Both families' curves without their start (before ``min_fraction`` of the family's shortest run).

    The start of every curve sits at the top edge of its figure, clipped.
    """
    frac = positive_scalar("min_fraction", min_fraction, hint="e.g. 0.05")
    curves = load_llama_curves()
    shortest = curves.groupby("family")["n_tokens"].transform(lambda t: t.groupby(curves["model"]).max().min())
    return curves[curves["n_tokens"] >= frac * shortest].reset_index(drop=True)


#: The rule of thumb read off Hoffmann et al.'s Table 3: about 20 training tokens per parameter.
RULE_TOKENS_PER_PARAM = 20.0


def llama_context_numbers() -> dict:
    """``l1_min``, ``l1_max`` (LLaMA-1 sizes, B), ``l1_dmin``, ``l1_dmax`` (its run lengths, T; ``l1_dmax_b``
    in B), ``l2_d`` (Llama 2's, T), ``rule`` (:data:`RULE_TOKENS_PER_PARAM`), ``level`` (:data:`POST_LEVEL`),
    ``post_first``, ``post_last`` (the post's LLaMA-1 calibration, B tokens)."""
    from ..datasets.llama import LLAMA_POST_CALIBRATION

    models = load_table("llama_models")
    one, two = models[models["family"] == "LLaMA-1"], models[models["family"] == "Llama-2"]
    _, first, last = LLAMA_POST_CALIBRATION["LLaMA-1"]
    return {"l1_min": one["n_params"].min() / 1e9, "l1_max": one["n_params"].max() / 1e9,
            "l1_dmin": one["n_tokens"].min() / 1e12, "l1_dmax": one["n_tokens"].max() / 1e12,
            "l1_dmax_b": one["n_tokens"].max() / 1e9, "l2_d": two["n_tokens"].max() / 1e12,
            "rule": RULE_TOKENS_PER_PARAM, "level": POST_LEVEL, "post_first": first, "post_last": last}


def llama_throughput(family: str = "LLaMA-1") -> pd.Series:
    """Training FLOP/s per GPU by 6ND from the published GPU-hours, per model of ``family``."""
    models = load_table("llama_models").query("family == @family").set_index("model")
    return 6.0 * models["n_params"] * models["n_tokens"] / (models["gpu_hours"] * 3600.0)


def throughput_numbers(family: str = "LLaMA-1") -> dict:
    """``low``, ``high`` (TFLOP/s per GPU by 6ND) and ``low_model``, ``high_model`` of :func:`llama_throughput`."""
    rate = llama_throughput(family)
    return {"low": rate.min() / 1e12, "high": rate.max() / 1e12,
            "low_model": rate.idxmin().split("-")[-1], "high_model": rate.idxmax().split("-")[-1]}


def tokens_per_param_table() -> pd.DataFrame:
    """Tokens per parameter of well-known models against the 20:1 rule.

    LLaMA-1 and Llama 2 (``llama_models``), Chinchilla, Gopher and GPT-3 (Hoffmann
    et al.'s Table 1) and the Llama 3 flagship as planned (402B on 16.55T).

    Returns
    -------
    DataFrame
        ``model``, ``n_params``, ``n_tokens``, ``tokens_per_param``, ``times_20`` (ratio to 20:1),
        ``flops`` (6ND).
    """
    llama = load_table("llama_models")[["model", "n_params", "n_tokens"]]
    table1 = load_table("table1_models")
    table1 = table1[table1["model"].isin(["GPT-3", "Gopher", "Chinchilla"])][["model", "n_params", "n_tokens"]]
    llama3 = pd.DataFrame([{"model": "Llama 3 405B (planned)", "n_params": later_value("llama3.flagship_n_params"),
                            "n_tokens": later_value("llama3.flagship_n_tokens")}])
    out = pd.concat([table1, llama, llama3], ignore_index=True)
    out["tokens_per_param"] = out["n_tokens"] / out["n_params"]
    out["times_20"] = out["tokens_per_param"] / RULE_TOKENS_PER_PARAM
    out["flops"] = 6.0 * out["n_params"] * out["n_tokens"]
    return out


def calibration_numbers(cal: pd.DataFrame) -> dict:
    """Numbers that describe :func:`~chinchilla_lib.datasets.llama.llama_calibration`.

    Keys: ``cal1_btok_px``, ``cal2_btok_px`` (B tokens per pixel), ``cal1_start_b`` (most negative
    start of a LLaMA-1 curve, B tokens), ``cal1_start_px`` (the same in pixels), ``cal2_resid_pct``
    (largest Llama 2 end-point error, %), ``post1_end_b`` (the post's tokens at 65B's end, B),
    ``post1_err_10``, ``post1_err_14`` (the post's error at the 1.0T and 1.4T ends, %),
    ``post1_zero_b`` (how far before our zero the post's zero sits, B tokens), ``post2_err_pct``
    (the post's largest Llama 2 end error, %), ``post1_scale_pct`` (how much longer the
    post's LLaMA-1 axis is than ours, %).
    """
    one, two = cal[cal["family"] == "LLaMA-1"], cal[cal["family"] == "Llama-2"]
    first = one.iloc[0]
    worst = one.loc[one["start_tokens"].idxmin()]
    return {"cal1_btok_px": first["tokens_per_px"] / 1e9, "cal2_btok_px": two["tokens_per_px"].iloc[0] / 1e9,
            "cal1_start_b": worst["start_tokens"] / 1e9,
            "cal1_start_px": worst["start_px"] - worst["zero_px"],
            "cal2_resid_pct": 100 * two["end_error"].abs().max(),
            "post1_end_b": one["post_end_tokens"].max() / 1e9,
            "post1_err_10": 100 * one.loc[one["n_tokens"] == one["n_tokens"].min(), "post_end_error"].iloc[0],
            "post1_err_14": 100 * one.loc[one["n_tokens"] == one["n_tokens"].max(), "post_end_error"].iloc[0],
            "post1_zero_b": first["tokens_per_px"] * (first["zero_px"] - first["post_zero_px"]) / 1e9,
            "post2_err_pct": 100 * two["post_end_error"].abs().max(),
            "post1_scale_pct": 100 * (first["post_tokens_per_px"] / first["tokens_per_px"] - 1)}


def calibration_display(cal: pd.DataFrame) -> pd.DataFrame:
    """:func:`~chinchilla_lib.datasets.llama.llama_calibration` for display: T tokens and percent errors."""
    return pd.DataFrame({"model": cal["model"], "run (T tokens)": cal["n_tokens"] / 1e12,
                         "end pixel": cal["end_px"], "ours (T)": cal["end_tokens"] / 1e12,
                         "ours, error (%)": 100 * cal["end_error"], "post (T)": cal["post_end_tokens"] / 1e12,
                         "post, error (%)": 100 * cal["post_end_error"]})


def claims_display(claims: pd.DataFrame) -> pd.DataFrame:
    """:func:`post_claims` as the chapter shows it (numbers to 3 significant figures, each verdict with its
    margin in pixels)."""
    def fmt(v):
        return "–" if not np.isfinite(v) else f"{v:.3g}"

    def verdict(v, margin):
        return v if not np.isfinite(margin) else f"{v} ({margin:+.1f} px)"

    out = pd.DataFrame({"claim": claims["claim"], "tested on": claims["data"], "measured by": claims["unit"],
                        "decided by": claims["margin"]})
    for m, label in (("gpu_hours", "GPU-hours"), ("flops", "6ND"), ("post_gpu_hours", "post's GPU-hours")):
        out[label] = claims[f"value_{m}"].map(fmt)
        out[f"verdict ({label})"] = [verdict(v, g) for v, g in zip(claims[f"verdict_{m}"], claims[f"margin_{m}"])]
    out["law at equal compute (nats)"] = claims["law_gap"].map(fmt)
    return out


#: Windows (late, early) of :func:`flattening` as the claims table reads them, and a second choice
#: as reasonable (wider, earlier), to show how much the choice moves the ratio.
FLAT_WINDOWS = ((0.9e12, 1.0e12), (0.6e12, 0.8e12))
FLAT_WINDOWS_WIDE = ((0.85e12, 1.0e12), (0.5e12, 0.7e12))


def _windows_text(windows) -> str:
    """``((0.9e12, 1e12), (0.6e12, 0.8e12))`` -> ``"0.9-1.0T against 0.6-0.8T"``."""
    (a, b), (c, d) = windows
    return f"{a / 1e12:.2g}-{b / 1e12:.1f}T against {c / 1e12:.2g}-{d / 1e12:.2g}T"


def _claim_list(indices) -> str:
    """Claim numbers (1-based) in words: ``"none"``, ``"2"``, ``"2 and 9"``, ``"1, 2 and 9"``."""
    names = [str(i + 1) for i in indices]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def claim_numbers(claims: pd.DataFrame, curves: pd.DataFrame, pixel: pd.Series | dict | None = None) -> dict:
    """Numbers the chapter quotes about :func:`post_claims`.

    Per claim i (0-based): ``claim{i}_h``, ``claim{i}_c``, ``claim{i}_p`` (values in GPU-hours, 6ND and the
    post's GPU-hours), ``claim{i}_mh``, ``claim{i}_mc``, ``claim{i}_mp`` (margins, pixels), ``claim{i}_law``.
    ``n_claims``, ``n_hold``, ``n_not``, ``n_open`` (verdicts in GPU-hours), ``n_changed`` and
    ``changed`` (how many and which claims change verdict from GPU-hours to 6ND), ``n_changed_post`` and
    ``changed_post`` (from our GPU-hours to the post's); ``resolution_px`` (:data:`RESOLUTION_PX`),
    ``px1``, ``px2`` (nats per pixel of the LLaMA-1 and Llama 2 figures).  For claim 7:
    ``flat1`` and ``flat2`` (:func:`flattening` of LLaMA-7B, Llama-2-7B in :data:`FLAT_WINDOWS`),
    ``flat1_wide``, ``flat2_wide`` (in :data:`FLAT_WINDOWS_WIDE`), ``flat2_13`` (Llama-2-13B),
    ``flat_late_px`` (Llama-2-7B's loss drop over the late window, pixels), ``flat_per_px`` (how
    much one pixel of that drop moves the ratio), ``flat_margin_px`` (its margin, pixels), ``flat_threshold``
    (:data:`FLAT`), ``windows`` and ``windows_wide`` (the two pairs of windows in words).
    """
    px = dict(loss_per_pixel() if pixel is None else pixel)
    (late, early), (late_w, early_w) = FLAT_WINDOWS, FLAT_WINDOWS_WIDE
    detail = flattening_detail(curves, "Llama-2-7B", late, early)
    out = {"n_claims": len(claims), "resolution_px": RESOLUTION_PX, "px1": px["LLaMA-1"], "px2": px["Llama-2"],
           "flat1": flattening(curves, "LLaMA-7B", late, early), "flat2": detail["ratio"],
           "flat1_wide": flattening(curves, "LLaMA-7B", late_w, early_w),
           "flat2_wide": flattening(curves, "Llama-2-7B", late_w, early_w),
           "flat2_13": flattening(curves, "Llama-2-13B", late, early),
           "flat_late_px": detail["late_drop"] / px["Llama-2"], "flat_per_px": detail["ratio_per_nat"] * px["Llama-2"],
           "flat_margin_px": detail["margin"] / px["Llama-2"], "flat_threshold": FLAT,
           "windows": _windows_text(FLAT_WINDOWS), "windows_wide": _windows_text(FLAT_WINDOWS_WIDE)}
    for i, row in claims.iterrows():
        out |= {f"claim{i}_h": row["value_gpu_hours"], f"claim{i}_c": row["value_flops"],
                f"claim{i}_p": row["value_post_gpu_hours"], f"claim{i}_mh": row["margin_gpu_hours"],
                f"claim{i}_mc": row["margin_flops"], f"claim{i}_mp": row["margin_post_gpu_hours"],
                f"claim{i}_law": row["law_gap"]}
    verdicts = claims["verdict_gpu_hours"]
    changed = np.flatnonzero(claims["verdict_gpu_hours"] != claims["verdict_flops"])
    changed_post = np.flatnonzero(claims["verdict_gpu_hours"] != claims["verdict_post_gpu_hours"])
    out |= {"n_hold": int((verdicts == "holds").sum()), "n_not": int((verdicts == "does not hold").sum()),
            "n_open": int((verdicts == "cannot decide").sum()),
            "n_changed": len(changed), "changed": _claim_list(changed),
            "n_changed_post": len(changed_post), "changed_post": _claim_list(changed_post)}
    return out
