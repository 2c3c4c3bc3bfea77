"""The model to train at a compute budget: the one result type of every plan the library makes.

:func:`~chinchilla_lib.laws.parametric.plan`, the ``.plan(C)`` of every approach's fit
(:func:`~chinchilla_lib.approaches.runs.fit_runs`), the named allocations of ``plan --law NAME``
and the command line's ``--json`` all answer with a :class:`Plan`.  It reads like the dict it
replaces (``p["n_params"]``, ``dict(p)``, ``p.to_dict()`` for JSON) and its keys always come in one
order: who made the plan (``law``, ``approach``, ``source``), the budget and the model (``flops``,
``n_params``, ``n_tokens``, ``tokens_per_param``, ``loss``), the law's exponents (``a``, ``b``), and
what qualifies it (``warnings``, ``level``, ``intervals``).  A key the maker cannot fill is left out
(an allocation without a law has no ``loss``); a ``loss`` of None says that the method predicts none.

References
----------
Hoffmann et al. 2022, Eq. (4) and Tables 3 and A3 (the compute-optimal N and D at a budget).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Plan"]


class _Absent:
    """A key this plan does not carry (distinct from None, which is a value)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

#: The order of a plan's keys (``tokens_per_param`` is computed from the two counts).
KEYS = ("law", "approach", "source", "flops", "n_params", "n_tokens", "tokens_per_param", "loss", "a", "b",
        "warnings", "level", "intervals")


@dataclass(frozen=True)
class Plan(Mapping):
    """The compute-optimal model at one budget: N, D, D/N, the loss where a law gives one, and how sure.

    Attributes
    ----------
    flops : float
        The budget C in FLOPs.
    n_params, n_tokens : float
        Parameters N and training tokens D of the model to train (raw counts).
    loss : float or None
        The law's loss at (N, D), nats per token; None when the method fits no loss law
        (Approaches 1 and 2); absent for an allocation without a law.
    law, approach, source : str
        Who made the plan: the law's or allocation's name, the approach, where its numbers come from.
    a, b : float
        The exponents of N_opt and D_opt in C.
    warnings : list of str
        Unit or extrapolation notes (also issued as warnings).
    level : float
        Coverage of ``intervals``.
    intervals : dict
        ``n_params``, ``n_tokens``, ``tokens_per_param``: [low, high] bootstrap percentile intervals.
    """

    flops: float
    n_params: float
    n_tokens: float
    loss: Any = ABSENT
    law: Any = ABSENT
    approach: Any = ABSENT
    source: Any = ABSENT
    a: Any = ABSENT
    b: Any = ABSENT
    warnings: Any = ABSENT
    level: Any = ABSENT
    intervals: Any = field(default=ABSENT)

    @property
    def tokens_per_param(self) -> float:
        """Training tokens per parameter, D / N."""
        return self.n_tokens / self.n_params

    def to_dict(self) -> dict:
        """The plan as a plain dict in the order of :data:`KEYS` (a fresh copy: safe to change)."""
        out = {}
        for key in KEYS:
            value = getattr(self, key)
            if value is not ABSENT:
                out[key] = list(value) if key == "warnings" else value
        return out

    def replace(self, **changes) -> Plan:
        """A copy with some fields changed (``warnings``, ``level``, ``intervals``, ...)."""
        from dataclasses import replace

        return replace(self, **changes)

    # Read like the dict every plan used to be.
    def __getitem__(self, key: str):
        if key not in KEYS or getattr(self, key) is ABSENT:
            raise KeyError(key)
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def __contains__(self, key: object) -> bool:
        return key in KEYS and getattr(self, key) is not ABSENT  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
