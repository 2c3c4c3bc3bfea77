"""The envelope's staircase (Approach 1, Hoffmann et al. 2022 Figure 2) of any training curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import COLORS

__all__ = ["plot_staircase"]


def plot_staircase(ax, envelope: pd.DataFrame, *, color_by: pd.Series | None = None,
                   relative_to=None, cmap: str = "viridis", label_format: str = "{:.0f} tokens/param") -> None:
    """The envelope's argmin model size against FLOPs (Figure 2, centre).

    Parameters
    ----------
    ax : matplotlib Axes
    envelope : DataFrame
        Output of :func:`~chinchilla_lib.envelope.lower_envelope`.
    color_by : Series, optional
        A category per envelope point (e.g. :func:`~chinchilla_lib.envelope.envelope_horizons`); each
        distinct value gets a colour and a legend entry (``label_format``).
    relative_to : array of float, optional
        Divide the argmin size by this (e.g. the true N_opt at each FLOP
        value) to show the staircase's error instead of the size.
    """
    size = envelope["n_params"].to_numpy(float)
    y = size if relative_to is None else size / np.asarray(relative_to, dtype=float)
    if color_by is None:
        ax.scatter(envelope["flops"], y, s=4, color=COLORS["approach1"], label="envelope argmin")
    else:
        import matplotlib.pyplot as plt

        values = np.sort(color_by.unique())
        colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, values.size))
        for value, colour in zip(values, colours):
            here = (color_by == value).to_numpy()
            ax.scatter(envelope["flops"][here], y[here], s=4, color=colour, label=label_format.format(value))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("FLOPs C")
    ax.set_ylabel("argmin model size N" if relative_to is None else "argmin N / true N_opt")
