"""The LLaMA-1 training curves (Touvron et al. 2023) as Approach 1 data, and the over-training of their runs.

References
----------
Touvron et al. 2023, Figure 1 and Table 2; the post "Chinchilla's Death".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import positive_scalar
from ..datasets import load_llama_curves
from ..laws import ParametricLaw

__all__ = ["LLAMA_MIN_FRACTION", "llama1_curves", "size_straddle"]


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
