"""The registry of named compute-optimal allocations: every approach's N(C), D(C) under one name.

``plan --law NAME`` and ``plan --compare`` read it: the power laws through the paper's
projections (Tables 3 and A3), the paper's fitted laws (Eq. 10, full precision), Kaplan et
al.'s allocation, and our two refits of the Figure 4 points (Approach 2: :func:`fig4_fit`;
Approach 3: :func:`refit_figure4`), each computed once per process.

References
----------
Hoffmann et al. 2022, Section 3.2-3.4, Figure 4, Tables 3 and A3, Eq. (10); Kaplan et al. 2020, Eq. 6.1;
Besiroglu et al. 2024.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import positive_scalar
from ..datasets import FIG4_GROUPING, REPLICATION_EXCLUDED, load_hoffmann_fig4, load_table
from ..laws.kaplan import c_min, compute_efficient_allocation
from ..laws.parametric import ParametricLaw, get_law, law_names
from ..laws.plans import ABSENT, Plan
from ..laws.powerlaw import fit_log_log_line, from_parametric_law
from .isoflop import IsoFLOPResult, fit_isoflop_frame
from .parametric import Approach3Fit, fit_approach3

__all__ = ["NamedAllocation", "PRINTED_ALLOCATIONS", "REFIT_ALLOCATIONS", "printed_power_law", "allocation_names",
           "get_allocation", "name_table", "fig4_fit", "refit_figure4"]

_RUN_COLUMNS = ("n_params", "n_tokens", "loss")


@lru_cache(maxsize=8)
def fig4_fit(n_bootstrap: int = 0, seed: int = 0, method: str = "parabola", resample: str = "runs",
             exclude_highest_loss: int = REPLICATION_EXCLUDED) -> IsoFLOPResult:
    """Approach 2 on the Figure-4 points (Section 3.2, Table 2), grouped with :data:`FIG4_GROUPING`.

    The 240 points the replication keeps by default (``exclude_highest_loss=0``: all
    245).  ``resample`` is the bootstrap's (:func:`~chinchilla_lib.approaches.isoflop.fit_isoflop`):
    runs within budgets, or the budgets' optima.  Cached: the same arguments return the
    same (frozen) result object.
    """
    return fit_isoflop_frame(load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss), method=method,
                             n_bootstrap=n_bootstrap, seed=seed, resample=resample, **FIG4_GROUPING)


def refit_figure4(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> Approach3Fit:
    """Approach 3 fit on the Figure 4 points, computed once per process.

    Parameters
    ----------
    exclude_highest_loss : int, default :data:`REPLICATION_EXCLUDED` (5)
        Highest-loss points to drop before fitting, as
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4`; the replication
        drops 5 (240 points remain), 0 keeps all 245.

    Returns
    -------
    Approach3Fit
        :func:`~chinchilla_lib.approaches.parametric.fit_approach3` on those points with the
        paper's settings (delta 1e-3, the 4,500-start grid).  The same object is
        returned on every call with the same argument: do not modify it.

    References
    ----------
    Hoffmann et al. 2022, Section 3.3, App. D.2; Besiroglu et al. 2024.
    """
    if isinstance(exclude_highest_loss, bool) or not isinstance(exclude_highest_loss, (int, np.integer)):
        raise ValueError(f"exclude_highest_loss must be a whole number >= 0, got {exclude_highest_loss!r}")
    return _refit_cached(int(exclude_highest_loss))


@lru_cache(maxsize=4)
def _refit_cached(exclude_highest_loss: int) -> Approach3Fit:
    runs = load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss)
    return fit_approach3(*(runs[c].to_numpy() for c in _RUN_COLUMNS))



@dataclass(frozen=True)
class NamedAllocation:
    """A named compute-optimal allocation: N(C) and D(C), where it comes from, and its law if it has one.

    Attributes
    ----------
    name : str
        Registry key (``plan --law NAME``).
    approach : str
        ``"1"``, ``"2"``, ``"3"`` or ``"kaplan"``.
    source : str
        Where the numbers come from (the paper's table, our refit, ...).
    n_opt, d_opt : callable
        C in FLOPs -> parameters, tokens (C = 6 N D for every entry).
    law : ParametricLaw or None
        The parametric law behind the allocation (Approach 3 entries only): then the
        loss on the frontier is defined.
    """

    name: str
    approach: str
    source: str
    n_opt: Callable = field(repr=False)
    d_opt: Callable = field(repr=False)
    law: ParametricLaw | None = None

    def at(self, flops: float) -> Plan:
        """``law``, ``approach``, ``source``, ``flops``, ``n_params``, ``n_tokens``, ``tokens_per_param``
        (and ``loss`` when the allocation has a law) at one budget."""
        c = positive_scalar("flops", flops, hint="a compute budget in FLOPs, e.g. 1e24")
        n, d = float(self.n_opt(c)), float(self.d_opt(c))
        loss = float(self.law.optimal_loss(c)) if self.law is not None else ABSENT
        return Plan(law=self.name, approach=self.approach, source=self.source, flops=c, n_params=n, n_tokens=d,
                    loss=loss)


def _power_law(a: float, coef: float):
    return lambda c: coef * np.asarray(c, dtype=float) ** a


def _tokens_of(n_opt):
    return lambda c: np.asarray(c, dtype=float) / (6.0 * n_opt(c))


def printed_power_law(approach: int) -> tuple[float, float]:
    """(a, coefficient) of N_opt = coefficient C^a through the paper's projections of one approach.

    A least-squares line in log-log through the rows of Table 3 (approach 1) or Table A3
    (approaches 2 and 3) in ``chinchilla_lib/data/projections.csv``, leaving out the row whose printed
    budget is flagged as a typo (Table A3, Approach 3, 175B).

    References
    ----------
    Hoffmann et al. 2022, Tables 3 and A3.
    """
    if approach not in (1, 2, 3):
        raise ValueError(f"approach must be 1, 2 or 3, got {approach!r}")
    rows = load_table("projections")
    rows = rows[(rows["approach"] == approach) & ~rows["flops_typo_suspected"]]
    return fit_log_log_line(rows["flops"].to_numpy(float), rows["n_params"].to_numpy(float))


def _law_entry(name: str, what: str) -> NamedAllocation:
    law = get_law(name)
    return NamedAllocation(name, "3", f"Hoffmann et al. 2022, {what}",
                           lambda c: law.optimal_allocation(c)[0], lambda c: law.optimal_allocation(c)[1], law)


def _kaplan_n(c):
    return compute_efficient_allocation(c_min(np.asarray(c, dtype=float)))[0]


#: Registry names of the allocations that need no refit, and of our refits on the Figure 4 points.
PRINTED_ALLOCATIONS = ("approach1-table3", "approach2-tableA3", "approach3-tableA3", "paper", "paper-full", "kaplan")
REFIT_ALLOCATIONS = ("approach2-fig4", "approach3-fig4")


def _printed_entry(name: str) -> NamedAllocation:
    if name.endswith(("-table3", "-tableA3")):
        k = int(name[len("approach")])
        a, coef = printed_power_law(k)
        table = "Table 3" if k == 1 else "Table A3"
        n_opt = _power_law(a, coef)
        return NamedAllocation(name, str(k), f"Hoffmann et al. 2022, power law through {table} (Approach {k})",
                               n_opt, _tokens_of(n_opt))
    if name == "paper":
        return _law_entry("paper", "Eq. 10 as printed (Approach 3)")
    if name == "paper-full":
        return _law_entry("paper-full", "full-precision Approach 3 constants")
    return NamedAllocation("kaplan", "kaplan", "Kaplan et al. 2020, Eq. 6.1 at C_min = C/2 (non-embedding N)",
                           _kaplan_n, _tokens_of(_kaplan_n))


def _refit_entry(name: str) -> NamedAllocation:
    if name == "approach2-fig4":
        fit = fig4_fit()
        return NamedAllocation(name, "2", f"our Approach 2 refit on the {fit.budgets['n_points'].sum() + fit.n_unassigned}"
                               " Figure 4 points", fit.n_opt, _tokens_of(fit.n_opt))
    law = refit_figure4().law
    alloc = from_parametric_law(law)
    return NamedAllocation(name, "3", f"our Approach 3 refit on the {refit_figure4().n_points} Figure 4 points",
                           alloc.n_opt, alloc.d_opt, law)


def allocation_names(include_refits: bool = True) -> tuple[str, ...]:
    """The registry's names: printed allocations first, then (optionally) our refits."""
    return PRINTED_ALLOCATIONS + (REFIT_ALLOCATIONS if include_refits else ())


def name_table(include_refits: bool = True) -> pd.DataFrame:
    """Every name ``plan --law`` accepts: the laws of ``chinchilla_lib/data/laws.csv`` and the allocations.

    Parameters
    ----------
    include_refits : bool, default True
        Also list our refits on the Figure 4 points (they refit on first use and need the
        external data set).

    Returns
    -------
    DataFrame
        One row per name: ``name``, ``kind`` (``"law"``: a parameter set of L(N, D) in
        ``chinchilla_lib/data/laws.csv``, so ``plan`` also gives a loss; ``"allocation"``: N_opt and D_opt
        only), ``approach`` and ``source``.
    """
    rows = []
    for name in allocation_names(include_refits):
        entry = get_allocation(name)
        kind = "law" if name in law_names() else "allocation"
        rows.append({"name": name, "kind": kind, "approach": entry.approach, "source": entry.source})
    for name in law_names():
        if name not in allocation_names(include_refits):
            rows.append({"name": name, "kind": "law", "approach": "3", "source": get_law(name).source})
    return pd.DataFrame(rows, columns=["name", "kind", "approach", "source"])


def get_allocation(name: str) -> NamedAllocation:
    """One named allocation (:func:`allocation_names`).

    The printed ones cost a table read; ``approach2-fig4`` and ``approach3-fig4`` refit
    the Figure 4 points once per process (about 0.2 s, needs the external data set).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the names).
    """
    if name in PRINTED_ALLOCATIONS:
        return _printed_entry(name)
    if name in REFIT_ALLOCATIONS:
        return _refit_entry(name)
    raise ValueError(f"unknown allocation {name!r}; choose one of: {', '.join(allocation_names())}")
