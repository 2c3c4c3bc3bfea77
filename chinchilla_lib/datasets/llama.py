"""LLaMA-1 and Llama 2 training curves, digitised for the post "Chinchilla's Death".

The post's author traced the curves of LLaMA-1's Figure 1 and Llama 2's Figure 5
into pixel coordinates (``*-pixels.tsv``) and converted them with their own axis
calibration (``*.tsv``: GPU-hours and loss).  That x calibration maps the first
and last pixel of LLaMA-1 65B to 100B and 2000B tokens, but 65B trained on 1.4T
tokens.  Here the token axis is recalibrated from the pixels with the known run
lengths (Touvron et al. 2023a, b): 1.0T where the 7B and 13B curves end and 1.4T
where the 33B and 65B curves end; 2.0T where every Llama 2 curve ends.  The loss
axis is the post's (exactly linear in pixel y; there is nothing else to fix it by).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import positive_scalar
from .external import fetch_external, require_columns
from .paper_tables import DataFileError, load_table

__all__ = ["LLAMA_POST_CALIBRATION", "LLAMA_MIN_FRACTION", "llama_pixels", "llama_calibration", "load_llama_curves",
           "llama1_curves"]

_LLAMA_REPO = "espadrine/espadrine.github.com"
_LLAMA_DIR = "blog/assets/chinchilla-s-death/data"

#: The post's x calibration (its script): family -> (reference curve, tokens at its first and last pixel, B).
LLAMA_POST_CALIBRATION = {"LLaMA-1": ("LLaMA-65B", 100.0, 2000.0), "Llama-2": ("Llama-2-70B", 14.77104874446087, 2000.0)}


def _stem(model: str) -> str:
    return model.replace("LLaMA-", "llama1-").replace("Llama-2-", "llama2-")


def _loss_axis(pixels: pd.DataFrame, post: pd.DataFrame, path: Path) -> tuple[float, float]:
    """Linear map pixel y -> loss, fitted on the post's own conversion (exactly linear)."""
    if len(post) != len(pixels):
        raise DataFileError(f"{path}: pixel and converted files have different lengths")
    slope, intercept = np.polyfit(pixels["y"], post["Loss"], 1)
    resid = post["Loss"] - (slope * pixels["y"] + intercept)
    if np.abs(resid).max() > 1e-6:
        raise DataFileError(f"{path}: the post's loss axis is not linear in pixels")
    return slope, intercept


def llama_pixels() -> dict[str, tuple[pd.Series, pd.DataFrame, np.ndarray, np.ndarray]]:
    """Per model: its ``llama_models`` row, the pixel trace (``x``, ``y``), the loss of each point and the
    post's GPU-hours for it (its ``Hours`` column)."""
    models = load_table("llama_models")
    out = {}
    for _, m in models.iterrows():
        paths = [fetch_external(f"{_LLAMA_REPO}/{_LLAMA_DIR}/{_stem(m['model'])}{s}.tsv") for s in ("-pixels", "")]
        pixels = pd.read_csv(paths[0], sep="\t", header=None, names=["x", "y"])
        if pixels.shape[1] != 2 or not np.isfinite(pixels.to_numpy(float)).all():
            raise DataFileError(f"{paths[0]}: expected two numeric columns of pixel coordinates")
        post = pd.read_csv(paths[1], sep="\t")
        require_columns(post, ["Hours", "Loss"], paths[1])
        slope, intercept = _loss_axis(pixels, post, paths[1])
        out[m["model"]] = (m, pixels, (slope * pixels["y"] + intercept).to_numpy(float),
                           post["Hours"].to_numpy(float))
    return out


def llama_calibration(pixels: dict | None = None) -> pd.DataFrame:
    """The token axis of each figure, ours and the post's, and how far each lands from the known run lengths.

    Ours, per family, is the least-squares line ``tokens = k (x - x0)`` through the
    curves' end pixels and their known lengths.  LLaMA-1 has two lengths, so the
    line is fixed by them (the end pixels of 7B/13B and of 33B/65B coincide); its
    independent check is where the curves start (the axis origin is 0 tokens).
    Llama 2 has one length (2T) for all four curves, so it fixes only the scale;
    the origin is the post's (the one point it calibrated independently, a
    first-point value read off the axis), and the four end pixels, which differ,
    give the residual.

    Returns
    -------
    DataFrame, one row per model
        ``family``, ``model``, ``n_tokens`` (known), ``end_px``, ``start_px``,
        ``tokens_per_px`` and ``zero_px`` (ours), ``end_tokens`` (ours at the end
        pixel), ``end_error`` (ours, relative), ``start_tokens`` (ours at the first
        pixel), ``post_tokens_per_px``, ``post_zero_px``, ``post_end_tokens`` and
        ``post_end_error`` (the post's calibration at the same end pixel, relative).
    """
    pixels = llama_pixels() if pixels is None else pixels
    rows = []
    for family, (ref, first_b, last_b) in LLAMA_POST_CALIBRATION.items():
        members = {k: v for k, v in pixels.items() if v[0]["family"] == family}
        ends = np.array([v[1]["x"].iloc[-1] for v in members.values()])
        lengths = np.array([float(v[0]["n_tokens"]) for v in members.values()])
        ref_x = pixels[ref][1]["x"]
        post_k = (last_b - first_b) * 1e9 / (ref_x.iloc[-1] - ref_x.iloc[0])
        post_zero = ref_x.iloc[0] - first_b * 1e9 / post_k
        if len(set(lengths)) > 1:
            k, c = np.polyfit(ends, lengths, 1)
            zero = -c / k
        else:
            zero = post_zero
            k = float(np.sum(lengths * (ends - zero)) / np.sum((ends - zero) ** 2))
        for (model, (_m, px, *_)), end, length in zip(members.items(), ends, lengths):
            rows.append({"family": family, "model": model, "n_tokens": length, "end_px": end,
                         "start_px": px["x"].iloc[0], "tokens_per_px": k, "zero_px": zero,
                         "end_tokens": k * (end - zero), "start_tokens": k * (px["x"].iloc[0] - zero),
                         "post_tokens_per_px": post_k, "post_zero_px": post_zero,
                         "post_end_tokens": post_k * (end - post_zero)})
    out = pd.DataFrame(rows)
    out["end_error"] = out["end_tokens"] / out["n_tokens"] - 1
    out["post_end_error"] = out["post_end_tokens"] / out["n_tokens"] - 1
    return out


def load_llama_curves() -> pd.DataFrame:
    """LLaMA-1 and Llama 2 training-loss curves, recalibrated from pixels to tokens.

    Tokens come from :func:`llama_calibration` (one line per figure); points left
    of the axis origin are dropped.  GPU-hours assume each run went at a constant
    speed: the model's total A100-hours (LLaMA-1 Table 15, Llama 2 Table 2, the
    post's own figures) times the share of its run done.

    Returns
    -------
    DataFrame
        ``family``, ``model``, ``n_params``, ``n_tokens``, ``flops`` (6 N D),
        ``gpu_hours``, ``post_n_tokens`` and ``post_gpu_hours`` (the post's token and GPU-hour
        axes at the same point) and ``loss`` (training loss, nats per token), in curve order.
    """
    pixels = llama_pixels()
    cal = llama_calibration(pixels).set_index("model")
    frames = []
    for model, (m, px, loss, post_hours) in pixels.items():
        c = cal.loc[model]
        x = px["x"].to_numpy(float)
        tokens = c["tokens_per_px"] * (x - c["zero_px"])
        keep = tokens > 0
        frame = pd.DataFrame({"family": m["family"], "model": model, "n_params": float(m["n_params"]),
                              "n_tokens": tokens[keep]})
        frame["flops"] = 6.0 * frame["n_params"] * frame["n_tokens"]
        frame["gpu_hours"] = float(m["gpu_hours"]) * frame["n_tokens"] / c["end_tokens"]
        frame["post_n_tokens"] = c["post_tokens_per_px"] * (x[keep] - c["post_zero_px"])
        frame["post_gpu_hours"] = post_hours[keep]
        frame["loss"] = loss[keep]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


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
