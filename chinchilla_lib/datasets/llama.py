"""LLaMA-1 and Llama 2 training curves, digitised for the post "Chinchilla's Death"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError, load_table

__all__ = ["load_llama_curves"]

_LLAMA_REPO = "espadrine/espadrine.github.com"
_LLAMA_DIR = "blog/assets/chinchilla-s-death/data"


def _llama_axes(pixels: pd.DataFrame, post: pd.DataFrame, path: Path) -> tuple[float, float]:
    """Linear map pixel y -> loss, fitted on the post's own conversion (exactly linear)."""
    if len(post) != len(pixels):
        raise DataFileError(f"{path}: pixel and converted files have different lengths")
    slope, intercept = np.polyfit(pixels["y"], post["Loss"], 1)
    resid = post["Loss"] - (slope * pixels["y"] + intercept)
    if np.abs(resid).max() > 1e-6:
        raise DataFileError(f"{path}: the post's loss axis is not linear in pixels")
    return slope, intercept


def load_llama_curves() -> pd.DataFrame:
    """LLaMA-1 and Llama 2 training-loss curves, recalibrated from pixels to tokens.

    The digitised curves come from the post "Chinchilla's Death", whose x axis
    (GPU-hours) is calibrated so that LLaMA-1 65B ends at 2T tokens; LLaMA-1 65B
    trained on 1.4T.  The loss axis is the post's (linear in pixel y).  The token
    axis is recalibrated here:

    * LLaMA-1 (Figure 1 of Touvron et al. 2023): a straight line through the
      known run lengths, 1.0T tokens where the 7B and 13B curves end and 1.4T
      where the 33B and 65B curves end (least squares over the four end points).
    * Llama 2 (Figure 5): all four runs are 2.0T tokens, so the end points fix
      only the scale; the zero of the axis is the post's own (its GPU-hour axis is
      proportional to pixel x minus that zero).

    Returns
    -------
    DataFrame
        ``family``, ``model``, ``n_params``, ``n_tokens``, ``flops`` (6 N D) and
        ``loss`` (training loss, nats per token), in curve order.
    """
    models = load_table("llama_models")
    curves = {}
    for _, m in models.iterrows():
        stem = m["model"].replace("LLaMA-", "llama1-").replace("Llama-2-", "llama2-")
        paths = [fetch_external(f"{_LLAMA_REPO}/{_LLAMA_DIR}/{stem}{s}.tsv") for s in ("-pixels", "")]
        pixels = pd.read_csv(paths[0], sep="\t", header=None, names=["x", "y"])
        post = pd.read_csv(paths[1], sep="\t")
        require_columns(post, ["Hours", "Loss"], paths[1])
        slope, intercept = _llama_axes(pixels, post, paths[1])
        curves[m["model"]] = (m, pixels, post, slope * pixels["y"] + intercept)

    frames = []
    for family in ("LLaMA-1", "Llama-2"):
        members = [v for v in curves.values() if v[0]["family"] == family]
        ends = np.array([v[1]["x"].max() for v in members])
        lengths = np.array([v[0]["n_tokens"] for v in members])
        if family == "LLaMA-1":
            k, x0_tokens = np.polyfit(ends, lengths, 1)
            to_tokens = [lambda x, k=k, c=x0_tokens: k * x + c for _ in members]
        else:
            to_tokens = []
            for (_, pixels, post, _), end, length in zip(members, ends, lengths):
                hk, hc = np.polyfit(pixels["x"], post["Hours"], 1)
                zero = -hc / hk
                to_tokens.append(lambda x, z=zero, e=end, n=length: n * (x - z) / (e - z))
        for (m, pixels, _, loss), fn in zip(members, to_tokens):
            tokens = fn(pixels["x"].to_numpy(float))
            keep = tokens > 0
            frame = pd.DataFrame(
                {
                    "family": family,
                    "model": m["model"],
                    "n_params": m["n_params"],
                    "n_tokens": tokens[keep],
                    "loss": loss.to_numpy(float)[keep],
                }
            )
            frame.insert(4, "flops", 6.0 * frame["n_params"] * frame["n_tokens"])
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)
