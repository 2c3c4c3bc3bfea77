"""The approaches' compute-optimal allocations compared: Table 2's exponents, Tables 3/A3's projections, N_opt at a budget.

Every function takes the fits it compares as arguments (an Approach 2 result, an
Approach 3 law, any :class:`~chinchilla_lib.powerlaw.Allocation`), so it works on the
refits of :mod:`chinchilla_lib.studies.figure4` as well as on anyone's fits; the printed
values come from ``data/table2_exponents.csv`` and ``data/projections.csv``.

References
----------
Hoffmann et al. 2022, Section 3.4, Figure 1, Tables 2, 3 and A3; Kaplan et al. 2020, Eq. 6.1.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..datasets import load_table, table2_row
from ..kaplan import compute_efficient_allocation
from ..laws import ParametricLaw, get_law
from ..powerlaw import Allocation, from_parametric_law, projections

__all__ = ["TABLE2_METHODS", "exponent_comparison", "printed_exponent_spread", "projection_ratios",
           "projection_ratio_table", "projection_ratio_range", "compute_optimal_sizes"]

#: The rows of Table 2, in the paper's order.
TABLE2_METHODS = ("approach1", "approach2", "approach3", "kaplan")

_RATIO = "tokens ours / paper"


def _interval_text(low: float, high: float) -> str:
    return f"{low:.3f}-{high:.3f}"


def exponent_comparison(ours: Mapping[str, tuple[float, float, float]], table: str = "Table 2") -> pd.DataFrame:
    """Table 2: the printed exponent a of each method with its 10-90% interval, next to ours.

    Parameters
    ----------
    ours : mapping method -> (a, low, high)
        Our estimate and 80% interval for the methods we refit (``"approach2"``,
        ``"approach3"``, ...); the other rows say "not refit".
    table : str, default "Table 2"
        The table of ``data/table2_exponents.csv`` to compare with.

    Returns
    -------
    DataFrame
        ``approach``, ``paper a``, ``paper 10-90%`` (text, empty where not printed),
        ``our a`` (NaN where not refit) and ``our 10-90%`` (text).

    References
    ----------
    Hoffmann et al. 2022, Table 2.
    """
    t2 = load_table("table2_exponents")
    printed = t2[t2["table"] == table].set_index("method")
    unknown = sorted(set(ours) - set(printed.index))
    if unknown:
        raise ValueError(f"no {table} row for {unknown}; the rows are {list(printed.index)}")
    return pd.DataFrame({
        "approach": printed.index,
        "paper a": printed["a"].to_numpy(),
        "paper 10-90%": [_interval_text(lo, hi) if np.isfinite(lo) else ""
                         for lo, hi in zip(printed["a_p10"], printed["a_p90"])],
        "our a": [ours[m][0] if m in ours else np.nan for m in printed.index],
        "our 10-90%": [_interval_text(*ours[m][1:]) if m in ours else "not refit" for m in printed.index],
    })


def printed_exponent_spread(methods: Sequence[str] = ("approach1", "approach2", "approach3")) -> float:
    """Largest minus smallest printed exponent a among ``methods`` (Table 2).

    References
    ----------
    Hoffmann et al. 2022, Table 2.
    """
    if not methods:
        raise ValueError("methods must name at least one row of Table 2")
    values = [float(table2_row(m)["a"]) for m in methods]
    return max(values) - min(values)


def projection_ratios(allocations: Mapping[int, Sequence[Allocation]]) -> pd.DataFrame:
    """Tokens each allocation projects per printed model size, against the paper's (Tables 3 and A3).

    Each allocation is read backwards, C = (N / n_coef)^(1/a) and D = C / (6N), at the
    model sizes of ``data/projections.csv``, and compared with the printed row of the
    same approach and size.

    Parameters
    ----------
    allocations : mapping approach (1, 2 or 3) -> list of Allocation
        Labelled allocations to compare with that approach's printed projections.

    Returns
    -------
    DataFrame
        One row per (allocation, printed size): ``label``, ``n_params``, ``flops``,
        ``n_tokens``, ``tokens_per_param`` (ours), ``approach``, ``n_tokens_paper``,
        ``flops_typo_suspected`` and ``tokens ours / paper``.

    References
    ----------
    Hoffmann et al. 2022, Tables 3 and A3.
    """
    printed = load_table("projections")
    sizes = np.sort(printed["n_params"].unique())
    ours = pd.concat([projections(allocs, sizes).assign(approach=k) for k, allocs in allocations.items()])
    merged = ours.merge(printed[["approach", "n_params", "n_tokens", "flops_typo_suspected"]],
                        on=["approach", "n_params"], suffixes=("", "_paper"))
    return merged.assign(**{_RATIO: merged["n_tokens"] / merged["n_tokens_paper"]})


def projection_ratio_table(ratios: pd.DataFrame) -> pd.DataFrame:
    """:func:`projection_ratios` as one row per model size (``n_params``) and one column per allocation."""
    wide = ratios.pivot_table(index="n_params", columns="label", values=_RATIO)
    wide.columns.name = None
    return wide.reset_index()


def projection_ratio_range(ratios: pd.DataFrame) -> pd.DataFrame:
    """Smallest and largest ratio of projected to printed tokens per allocation: index label, ``min``, ``max``."""
    return ratios.groupby("label")[_RATIO].agg(["min", "max"])


def compute_optimal_sizes(flops, *, approach2, approach3_law: ParametricLaw,
                          paper_law: ParametricLaw | None = None) -> dict[str, np.ndarray | float]:
    """Compute-optimal model size N_opt(C) by each approach and by Kaplan et al., at ``flops``.

    Parameters
    ----------
    flops : float or array
        Training budgets C in FLOPs.
    approach2 :
        An Approach 2 fit (anything with ``n_opt``: N = n_coef C^a).
    approach3_law : ParametricLaw
        An Approach 3 law, read as the power law of its frontier (Eq. 4).
    paper_law : ParametricLaw, optional
        The paper's law (``get_law("paper-full")`` by default), by its exact frontier.

    Returns
    -------
    dict
        ``approach2``, ``approach3``, ``paper_full`` and ``kaplan`` (Kaplan's
        compute-efficient size, whose fits describe training at C = 2 C_min).

    References
    ----------
    Hoffmann et al. 2022, Figure 1, Eq. (4); Kaplan et al. 2020, Eq. 6.1.
    """
    paper_law = get_law("paper-full") if paper_law is None else paper_law
    half = flops / 2 if np.ndim(flops) == 0 else np.asarray(flops, dtype=float) / 2
    return {
        "approach2": approach2.n_opt(flops),
        "approach3": from_parametric_law(approach3_law).n_opt(flops),
        "paper_full": paper_law.optimal_allocation(flops)[0],
        "kaplan": compute_efficient_allocation(half)[0],
    }
