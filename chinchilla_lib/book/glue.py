"""Glue what a chapter computes into its prose and figures (MyST-NB's ``glue``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["glue_number", "glue_all", "glue_figure", "glue_markdown"]


def _plain(value):
    """numpy scalars -> Python numbers, so MyST-NB can format them (``{glue:text}`x:.3f```)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (numbers.Number, str)):
        return value
    raise TypeError(f"glue_number takes a number or a string, got {type(value).__name__}")


def glue_number(name: str, value) -> None:
    """Glue one computed number (or label) for use in prose, without displaying it."""
    from myst_nb import glue

    glue(name, _plain(value), display=False)


def glue_all(values: Mapping[str, object], prefix: str = "") -> None:
    """Glue every number of a mapping at once, under ``prefix + key``."""
    for key, value in values.items():
        glue_number(f"{prefix}{key}", value)


def glue_figure(name: str, fig=None) -> None:
    """Glue a matplotlib figure (the current one by default) for a ``{glue:figure}`` directive, and close it.

    The chapter's prose then places it with its caption and label, so the figure
    appears once, where the directive stands.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    fig = plt.gcf() if fig is None else fig
    glue(name, fig, display=False)
    plt.close(fig)


def glue_markdown(name: str, text: str) -> None:
    """Glue Markdown (links, code) for a ``{glue:md}`` role, without displaying it."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)
