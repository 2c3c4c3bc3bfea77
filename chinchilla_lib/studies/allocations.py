"""The approaches' compute-optimal allocations compared: Table 2's exponents, Tables 3/A3's projections, N_opt at a budget.

Every function takes the fits it compares as arguments (an Approach 2 result, an
Approach 3 law, any :class:`~chinchilla_lib.laws.powerlaw.Allocation`), so it works on the
refits of :mod:`chinchilla_lib.studies.figure4` as well as on anyone's fits; the printed
values come from ``chinchilla_lib/data/table2_exponents.csv`` and ``chinchilla_lib/data/projections.csv``.

References
----------
Hoffmann et al. 2022, Section 3.4, Figure 1, Tables 2, 3 and A3; Kaplan et al. 2020, Eq. 6.1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validate import positive_array
from ..approaches.allocations import (
    PRINTED_ALLOCATIONS,
    REFIT_ALLOCATIONS,
    NamedAllocation,
    allocation_names,
    get_allocation,
    name_table,
    printed_power_law,
)
from ..datasets import load_table, table2_row
from ..laws.flops import flops_text
from ..laws.kaplan import c_min, compute_efficient_allocation
from ..laws.parametric import ParametricLaw, get_law
from ..laws.powerlaw import Allocation, from_parametric_law, projections

__all__ = ["TABLE2_METHODS", "exponent_comparison", "printed_exponent_spread", "projection_ratios",
           "projection_ratio_table", "projection_ratio_range", "compute_optimal_sizes", "NamedAllocation",
           "PRINTED_ALLOCATIONS", "REFIT_ALLOCATIONS", "printed_power_law", "allocation_names", "get_allocation",
           "allocations_at", "name_table", "glance_budgets", "glance_cells",
           "glance_summary", "REFIT_RESAMPLES", "refit_intervals", "HEADLINE_ALLOCATIONS", "headline", "headline_table", "headline_summary", "flops_text"]

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
        The table of ``chinchilla_lib/data/table2_exponents.csv`` to compare with.

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
    model sizes of ``chinchilla_lib/data/projections.csv``, and compared with the printed row of the
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
    return {
        "approach2": approach2.n_opt(flops),
        "approach3": from_parametric_law(approach3_law).n_opt(flops),
        "paper_full": paper_law.optimal_allocation(flops)[0],
        "kaplan": compute_efficient_allocation(c_min(flops))[0],
    }


def allocations_at(flops, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Every named allocation at every budget: the book's "results at a glance".

    Parameters
    ----------
    flops : float or sequence of float
        Budgets in FLOPs.
    names : sequence of str, optional
        Registry names (default: all, :func:`allocation_names`).

    Returns
    -------
    DataFrame
        One row per (allocation, budget): ``law``, ``approach``, ``source``, ``flops``,
        ``n_params``, ``n_tokens``, ``tokens_per_param`` (and ``loss``, NaN for
        allocations without a law).

    References
    ----------
    Hoffmann et al. 2022, Tables 3 and A3, Eq. (4); Kaplan et al. 2020, Eq. 6.1.
    """
    budgets = np.atleast_1d(positive_array("flops", flops, hint="budgets in FLOPs, e.g. [1e21, 1e24]"))
    entries = [get_allocation(n) for n in (allocation_names() if names is None else names)]
    return pd.DataFrame([e.at(float(c)).to_dict() for e in entries for c in budgets])


def glance_budgets() -> list[float]:
    """The budgets of the book's "results at a glance": 1e21, Gopher's (from ``chinchilla_lib/data/``), 1e24, 1e25, 1e26 FLOPs."""
    from ..datasets import paper_value

    return [1e21, paper_value("gopher.flops"), 1e24, 1e25, 1e26]


def _si(value: float, unit: str) -> str:
    for scale, prefix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if value >= scale:
            return f"{value / scale:.3g}{prefix}{unit}"
    return f"{value:.3g}{unit}"


def _ratio_text(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def glance_cells(flops, names: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`allocations_at` as short text cells: one row per allocation, one column per budget.

    Each cell reads ``N / D (D/N)``, e.g. ``"67.8B / 1.42T (21)"``.

    Returns
    -------
    DataFrame
        ``allocation``, ``approach``, then one column per budget named ``"%.3g FLOPs"``.
    """
    long = allocations_at(flops, names)
    text = [f"{_si(r.n_params, '')} / {_si(r.n_tokens, '')} ({_ratio_text(r.tokens_per_param)})"
            for r in long.itertuples()]
    long = long.assign(cell=text, column=[f"{c:.3g} FLOPs" for c in long["flops"]])
    wide = long.pivot(index="law", columns="column", values="cell")
    order = list(dict.fromkeys(long["law"]))
    wide = wide.loc[order, list(dict.fromkeys(long["column"]))]
    wide.columns.name = None
    approach = long.drop_duplicates("law").set_index("law")["approach"]
    return wide.reset_index(names="allocation").assign(approach=lambda t: t["allocation"].map(approach))[
        ["allocation", "approach", *wide.columns]]


def glance_summary(flops: float, names: Sequence[str] | None = None) -> dict:
    """The spread of the Chinchilla allocations at one budget, and Kaplan's, for the prose.

    Returns
    -------
    dict
        ``flops``; ``n_min``, ``n_max`` (billions), ``n_ratio``, ``tpp_min``, ``tpp_max``,
        ``name_min``, ``name_max`` (which allocations) over ``names`` (default every
        allocation but Kaplan's); ``kaplan_n`` (billions) and ``kaplan_tpp``.
    """
    names = [n for n in allocation_names() if n != "kaplan"] if names is None else list(names)
    long = allocations_at(flops, names).set_index("law")
    kaplan = get_allocation("kaplan").at(flops)
    return {"flops": float(flops), "n_min": long["n_params"].min() / 1e9, "n_max": long["n_params"].max() / 1e9,
            "n_ratio": long["n_params"].max() / long["n_params"].min(),
            "tpp_min": long["tokens_per_param"].min(), "tpp_max": long["tokens_per_param"].max(),
            "name_min": long["n_params"].idxmin(), "name_max": long["n_params"].idxmax(),
            "kaplan_n": kaplan["n_params"] / 1e9, "kaplan_tpp": kaplan["tokens_per_param"]}


#: Bootstrap resamples behind the intervals of our refits in the results at a glance.
REFIT_RESAMPLES = 400


def refit_intervals(flops, n_resamples: int = REFIT_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Our two refits of the Figure 4 points with 80% bootstrap intervals and the gate's verdict, per budget.

    Approach 2 (``approach2-fig4``: IsoFLOP profiles grouped as :data:`~chinchilla_lib.datasets.FIG4_GROUPING`,
    runs resampled within budgets) and Approach 3 (``approach3-fig4``: the parametric fit, runs
    resampled) by :func:`~chinchilla_lib.approaches.runs.fit_runs`.  Each cell reads
    ``N (low-high), D/N (low-high)``.

    Returns
    -------
    DataFrame
        ``allocation``, ``verdict``, then one column per budget named ``"%.3g FLOPs"``.
    """
    import warnings

    from ..approaches.runs import fit_runs
    from ..datasets import FIG4_GROUPING, load_hoffmann_fig4
    from ..datasets.figure4 import REPLICATION_EXCLUDED

    budgets = np.atleast_1d(positive_array("flops", flops, hint="budgets in FLOPs, e.g. [1e21, 1e24]"))
    points = load_hoffmann_fig4(exclude_highest_loss=REPLICATION_EXCLUDED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {"approach2-fig4": fit_runs(points, approach=2, bootstrap=n_resamples, seed=seed, **FIG4_GROUPING),
                "approach3-fig4": fit_runs(points, approach=3, bootstrap=n_resamples, seed=seed)}
    rows = []
    for name, fit in fits.items():
        row = {"allocation": name, "verdict": fit.quality.verdict}
        for c in budgets:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = fit.plan(float(c))
            (n_lo, n_hi), (t_lo, t_hi) = plan["intervals"]["n_params"], plan["intervals"]["tokens_per_param"]
            row[f"{c:.3g} FLOPs"] = (f"{_si(plan['n_params'], '')} ({_si(n_lo, '')}-{_si(n_hi, '')}), "
                                     f"{_ratio_text(plan['tokens_per_param'])} ({_ratio_text(t_lo)}-{_ratio_text(t_hi)})")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# The headline: each approach's exponent and allocation, ours beside the paper's
# --------------------------------------------------------------------------

#: For approaches 1-3: the registry names of the paper's allocation and of our refit (None: not refit).
HEADLINE_ALLOCATIONS = {1: ("approach1-table3", None), 2: ("approach2-tableA3", "approach2-fig4"),
                        3: ("approach3-tableA3", "approach3-fig4")}


def _refit_exponent(approach: int) -> float:
    from ..approaches.allocations import fig4_fit, refit_figure4

    return float(fig4_fit().a) if approach == 2 else float(refit_figure4().a)


def headline(budgets: Sequence[float]) -> pd.DataFrame:
    """Each approach's allocation exponent and its N_opt, D_opt at ``budgets``: the paper's and ours.

    The paper's exponent is Table 2's; its allocation at a budget is read off Table 3
    (Approach 1) or Table A3 (Approaches 2 and 3) by the power law through the table's
    rows (:func:`printed_power_law`).  Ours are the refits on the Figure 4 points
    (registry names ``approach2-fig4``, ``approach3-fig4``).  Approach 1 is not refit
    (its training curves are not public): its "ours" row holds NaN.

    Parameters
    ----------
    budgets : sequence of float
        Compute budgets in FLOPs.

    Returns
    -------
    DataFrame
        One row per (approach, source, budget): ``approach`` (1, 2, 3), ``source``
        (``"paper"`` or ``"ours"``), ``a``, ``flops``, ``n_params``, ``n_tokens``.

    References
    ----------
    Hoffmann et al. 2022, Tables 2, 3 and A3.
    """
    budgets = np.atleast_1d(positive_array("budgets", budgets, hint="compute budgets in FLOPs, e.g. [5.76e23, 1e24]"))
    rows = []
    for k, (printed, refit) in HEADLINE_ALLOCATIONS.items():
        for source, name in (("paper", printed), ("ours", refit)):
            entry = get_allocation(name) if name else None
            a = float(table2_row(f"approach{k}")["a"]) if source == "paper" else (
                _refit_exponent(k) if name else np.nan)
            for c in budgets:
                at = entry.at(float(c)) if entry else {"n_params": np.nan, "n_tokens": np.nan}
                rows.append({"approach": k, "source": source, "a": a, "flops": float(c),
                             "n_params": at["n_params"], "n_tokens": at["n_tokens"]})
    return pd.DataFrame(rows)


def headline_table(budgets: Sequence[float]) -> pd.DataFrame:
    """:func:`headline` laid out for reading: one row per approach and source, parameters and tokens per budget.

    Returns
    -------
    DataFrame
        ``Approach``, ``Estimate`` ("paper (Tables 2 and 3)", "paper (Tables 2 and A3)" or
        "ours, refit on Figure 4"), ``Exponent a``, then per budget C ``Parameters at C FLOPs (B)`` and
        ``Tokens at C FLOPs (T)`` (C written as ``5.76e23``).
    """
    long = headline(budgets)
    out = []
    for (k, source), group in long.groupby(["approach", "source"], sort=False):
        label = (f"paper (Tables 2 and {'3' if k == 1 else 'A3'})" if source == "paper"
                 else "ours, refit on Figure 4")
        row = {"Approach": f"Approach {k}", "Estimate": label, "Exponent a": group["a"].iloc[0]}
        for r in group.itertuples():
            c = flops_text(r.flops)
            row[f"Parameters at {c} FLOPs (B)"] = r.n_params / 1e9
            row[f"Tokens at {c} FLOPs (T)"] = r.n_tokens / 1e12
        out.append(row)
    return pd.DataFrame(out)


def headline_summary(budgets: Sequence[float]) -> dict:
    """Numbers for the prose beside :func:`headline_table`, keyed ``{source}{approach}_{what}[_{i}]``.

    ``paper2_a``, ``ours3_a``, ...; ``paper2_n_0`` (billions) and ``ours2_d_0`` (trillions)
    at ``budgets[0]``, ``..._1`` at ``budgets[1]``, ...; ``flops_0``, ``flops_1``, ... and the
    same budgets as text, ``budget_0``, ``budget_1`` (:func:`flops_text`);
    ``ratio3_n_1``: our Approach 3 N over the paper's at ``budgets[1]`` (and alike for each
    refit approach and budget).  Approach 1's ``ours`` values are left out (not refit).
    """
    long = headline(budgets)
    out: dict = {f"flops_{i}": float(c) for i, c in enumerate(np.atleast_1d(budgets))}
    out |= {f"budget_{i}": flops_text(c) for i, c in enumerate(np.atleast_1d(budgets))}
    for r in long.dropna(subset=["a"]).itertuples():
        i = int(np.flatnonzero(np.atleast_1d(budgets) == r.flops)[0])
        key = f"{r.source}{r.approach}"
        out[f"{key}_a"] = r.a
        out[f"{key}_n_{i}"] = r.n_params / 1e9
        out[f"{key}_d_{i}"] = r.n_tokens / 1e12
    for k in (2, 3):
        for i in range(len(np.atleast_1d(budgets))):
            out[f"ratio{k}_n_{i}"] = out[f"ours{k}_n_{i}"] / out[f"paper{k}_n_{i}"]
    return out

