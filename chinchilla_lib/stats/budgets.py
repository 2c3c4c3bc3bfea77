"""Runs grouped into compute budgets by the gaps between their FLOPs (Section 3.2's IsoFLOP budgets)."""

from __future__ import annotations

import numpy as np

__all__ = ["budget_groups", "n_budgets"]


def budget_groups(flops, rel_tol: float = 0.0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Runs sorted by FLOPs and cut into groups wherever consecutive runs differ by more than a factor ``1 + rel_tol``.

    Parameters
    ----------
    flops : array of float
        Positive training FLOPs of every run (already checked).
    rel_tol : float, default 0.0
        0 groups runs with identical FLOPs only.

    Returns
    -------
    order : ndarray of int
        The runs' indices sorted by FLOPs (stable).
    groups : list of ndarray of int
        Positions in ``order`` of each group's members, cheapest budget first.

    Examples
    --------
    >>> order, groups = budget_groups([1e18, 1.02e18, 5e18, 1e18], rel_tol=0.03)
    >>> [order[g].tolist() for g in groups]
    [[0, 3, 1], [2]]
    """
    c = np.asarray(flops, dtype=float)
    order = np.argsort(c, kind="stable")
    breaks = np.flatnonzero(np.diff(np.log(c[order])) > np.log1p(rel_tol)) + 1
    return order, np.split(np.arange(c.size), breaks)


def n_budgets(flops, rel_tol: float = 0.1) -> int:
    """How many budgets :func:`budget_groups` finds in ``flops``."""
    return len(budget_groups(flops, rel_tol)[1])
