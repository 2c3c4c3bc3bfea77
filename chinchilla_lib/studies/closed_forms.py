"""The constants of the book's in-page planner: every named law and allocation in closed form.

The planner page computes, in the reader's browser, what ``python -m chinchilla_lib plan --flops C
--law NAME`` prints.  It needs no kernel: this module exports each law's constants (Eq. 2) and each
named allocation as a power law ``N_opt = k C^a`` with ``D_opt = C / (6 N_opt)``, which is exactly the
form every allocation of :mod:`.allocations` has (the printed Tables 3 and A3 lines, Kaplan's Eq. 6.1 at
``C_min = C/2``, our refits).  The power law of each allocation is read off the registry at two budgets
and checked against it at others, so the page and the command line cannot drift apart silently.
"""

from __future__ import annotations

import html
import json
import math

from ..laws.parametric import get_law
from .allocations import allocation_names, get_allocation

__all__ = ["PLANNER_LAWS", "planner_constants", "planner_html"]

#: The laws with a loss that the planner lists (``plan --law NAME``).
PLANNER_LAWS = ("paper-full", "paper", "replication")

#: Budgets at which each allocation's power law is read off, and at which it is checked.
_READ_AT = (1e18, 1e26)
_CHECK_AT = (1e19, 5.76e23, 1e25)
_CHECK_REL_TOL = 1e-9


def _law_entry(name: str) -> dict:
    law = get_law(name)
    return {"name": name, "kind": "law", "source": law.source, "E": law.E, "A": law.A, "B": law.B,
            "alpha": law.alpha, "beta": law.beta}


def _allocation_entry(name: str) -> dict:
    entry = get_allocation(name)
    (c1, c2) = _READ_AT
    n1, n2 = entry.at(c1)["n_params"], entry.at(c2)["n_params"]
    a = math.log(n2 / n1) / math.log(c2 / c1)
    log_k = math.log(n1) - a * math.log(c1)
    for c in _CHECK_AT:
        want = entry.at(c)
        n = math.exp(log_k + a * math.log(c))
        d = c / (6.0 * n)
        if abs(n / want["n_params"] - 1) > _CHECK_REL_TOL or abs(d / want["n_tokens"] - 1) > _CHECK_REL_TOL:
            raise ValueError(f"allocation {name!r} is not a power law N = k C^a with D = C/(6N) at {c:g} FLOPs; "
                             "the planner page cannot show it in closed form")
    out = {"name": name, "kind": "allocation", "approach": entry.approach, "source": entry.source,
           "a": a, "log_k": log_k}
    if entry.law is not None:  # an allocation from a fitted law (our Approach 3 refit) has a loss too
        out["law"] = {k: getattr(entry.law, k) for k in ("E", "A", "B", "alpha", "beta")}
    return out


def planner_constants() -> dict:
    """Everything the planner page needs: ``laws`` (E, A, B, alpha, beta) and ``allocations`` (a, log k).

    Allocations whose data cannot be had (a refit without its external data set) are left out.
    """
    from ..datasets import DataFileError

    laws = [_law_entry(name) for name in PLANNER_LAWS]
    allocations = []
    for name in allocation_names():
        if name in PLANNER_LAWS:
            continue
        try:
            allocations.append(_allocation_entry(name))
        except DataFileError:
            continue
    return {"laws": laws, "allocations": allocations, "flops_per_param_token": 6.0,
            "unit_warning_below": 1e12}


def planner_html(constants: dict | None = None) -> str:
    """The planner's HTML: a form, an empty results table, and the constants as a JSON block for ``planner.js``."""
    data = json.dumps(constants if constants is not None else planner_constants(), allow_nan=False)
    data = data.replace("</", "<\\/")  # never closes the script element early
    return (
        '<div class="chinchilla-planner" id="chinchilla-planner">'
        '<form class="planner-form" onsubmit="return false;">'
        '<label for="planner-flops">Compute budget C (FLOPs)</label> '
        '<input id="planner-flops" name="flops" type="text" inputmode="decimal" autocomplete="off" '
        f'placeholder="{html.escape("e.g. 5.76e23")}" aria-describedby="planner-message"> '
        '<label for="planner-tokens">Inference tokens T (optional)</label> '
        '<input id="planner-tokens" name="tokens" type="text" inputmode="decimal" autocomplete="off" '
        f'placeholder="{html.escape("e.g. 2e12")}"> '
        '<button type="submit" id="planner-go">Plan</button>'
        '</form>'
        '<p class="planner-message" id="planner-message" role="status" aria-live="polite"></p>'
        '<table class="planner-results" id="planner-results" hidden>'
        '<thead><tr><th>law or allocation</th><th>parameters N</th><th>training tokens D</th>'
        '<th>tokens per parameter D/N</th><th>loss (nats per token)</th></tr></thead><tbody></tbody></table>'
        '<table class="planner-results" id="planner-inference" hidden>'
        '<caption>Sized for training plus inference: the loss of the compute-optimal model at C, reached with '
        'the fewest FLOPs 6ND + 2NT</caption>'
        '<thead><tr><th>law</th><th>parameters N</th><th>training tokens D</th><th>tokens per parameter D/N</th>'
        '<th>training + inference FLOPs</th><th>the same, compute-optimal model</th><th>fraction saved</th></tr>'
        '</thead><tbody></tbody></table>'
        f'<script type="application/json" id="planner-constants">{data}</script>'
        '</div>'
    )
