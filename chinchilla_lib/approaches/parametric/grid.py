"""Start grids of the Approach 3 fit (Hoffmann et al. App. D.2)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

__all__ = ["make_grid", "paper_grid", "check_grid"]


def make_grid(alpha: Sequence[float] = (0, 0.5, 1, 1.5, 2), beta: Sequence[float] = (0, 0.5, 1, 1.5, 2),
              e: Sequence[float] = (-1, -0.5, 0, 0.5, 1), a: Sequence[float] = (0, 5, 10, 15, 20, 25),
              b: Sequence[float] = (0, 5, 10, 15, 20, 25)) -> np.ndarray:
    """Cartesian grid of starts, one row ``(a, b, e, alpha, beta)`` per start.

    The defaults are the grid of Hoffmann et al. App. D.2 (4,500 starts), in
    the order the replication loops over them (alpha outermost, then beta, e, a, b).
    """
    axes = {"alpha": alpha, "beta": beta, "e": e, "a": a, "b": b}
    values = {}
    for name, axis in axes.items():
        arr = np.atleast_1d(np.asarray(axis, dtype=float))
        if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(f"grid axis {name} must be a non-empty list of finite numbers, got {axis!r}")
        values[name] = arr
    rows = itertools.product(*values.values())
    return np.array([[a_, b_, e_, al, be] for al, be, e_, a_, b_ in rows], dtype=float)


def paper_grid() -> np.ndarray:
    """The 4,500 starts of App. D.2 as rows ``(a, b, e, alpha, beta)`` (a new array each call).

    alpha, beta in {0, 0.5, ..., 2}; e in {-1, -0.5, ..., 1}; a, b in {0, 5, ..., 25}.
    """
    return _PAPER_GRID.copy()


_PAPER_GRID = make_grid()


def check_grid(grid) -> np.ndarray:
    if grid is None:
        return paper_grid()
    try:
        arr = np.asarray(grid, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("grid must be an array of shape (K, 5): rows (a, b, e, alpha, beta)") from None
    if arr.ndim == 1 and arr.size == 5:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 5 or len(arr) == 0:
        raise ValueError(f"grid must have shape (K, 5) with rows (a, b, e, alpha, beta), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("grid must contain only finite numbers")
    return arr
