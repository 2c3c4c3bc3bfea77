"""Small helpers for the book's chapters (kept here so chapters stay short)."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["glue_number"]


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
