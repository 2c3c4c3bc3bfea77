"""Kaplan against Chinchilla: allocation rules, schedule bias, embedding shares, local exponents, correction steps.

Every function draws any user's rules, runs or fits; the numbers come from
:mod:`chinchilla_lib.laws.kaplan`, :mod:`chinchilla_lib.laws.embeddings` and the studies.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..laws.embeddings import local_exponent, total_from_nonembedding
from ..laws.parametric import ParametricLaw
from .style import COLORS, INK, SERIES, loglog_axes, ordered_colors

__all__ = ["plot_allocation_rules", "plot_excess_loss", "plot_fit_ratios", "plot_embedding_share",
           "plot_local_exponents", "plot_correction_steps"]


def _colour(key):
    """A key of :data:`COLORS`, or a colour as it is."""
    return COLORS.get(key, key) if isinstance(key, str) else key


def plot_allocation_rules(axes, flops, rules: Mapping[str, tuple[np.ndarray, str]]) -> None:
    """Compute-optimal N against C (top) and the tokens per parameter D/N = C/(6N²) it implies (bottom).

    Parameters
    ----------
    axes : (Axes, Axes)
    flops : array
        Training compute C in FLOPs.
    rules : mapping
        Legend label -> (N at each C, colour key of :data:`COLORS`).
    """
    ax, ax2 = axes
    loglog_axes(ax, ylabel="compute-optimal $N$")
    loglog_axes(ax2, xlabel="training compute $C$ (FLOPs)", ylabel="tokens per parameter")
    c = np.asarray(flops, dtype=float)
    for label, (n, color) in rules.items():
        n = np.asarray(n, dtype=float)
        ax.plot(c, n, color=_colour(color), label=label)
        ax2.plot(c, c / (6 * n**2), color=_colour(color), label=label)


def plot_excess_loss(ax, curves: pd.DataFrame, colors: Sequence | None = None) -> None:
    """Excess loss along a run for cycles of several lengths (the output of ``schedules.early_stop_excess``)."""
    groups = list(curves.groupby("cycle"))
    for (cycle, run), color in zip(groups, colors or ordered_colors(len(groups))):
        ax.plot(run["fraction"], run["excess"], color=_colour(color), label=f"cycle = {cycle:g} × run")
    ax.set_xscale("log")
    ax.set_xlabel("tokens seen / length of the run")
    ax.set_ylabel("excess loss (nats)")
    ax.legend()


def plot_fit_ratios(ax, fits: Mapping[str, object], law: ParametricLaw,
                    colors: Sequence | None = None) -> None:
    """Each Approach-1 fit's N_opt divided by the true law's, over the budgets of its envelope.

    Parameters
    ----------
    fits : mapping
        Label -> :class:`~chinchilla_lib.approaches.envelope.EnvelopeResult` (e.g. ``schedules.schedule_fits``).
    law : ParametricLaw
        The law the curves were simulated from.
    """
    for (label, fit), color in zip(fits.items(), colors or ordered_colors(len(fits))):
        c = fit.envelope["flops"].to_numpy()
        ax.plot(c, fit.n_opt(c) / law.optimal_allocation(c)[0], color=_colour(color),
                label=f"{label} (a = {fit.a:.3f})")
    ax.axhline(1.0, color=INK["axis"], lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("compute $C$ (FLOPs)")
    ax.set_ylabel(r"fitted $N_{opt}$ / true $N_{opt}$")
    ax.legend(title=f"law's a = {law.a:.3f}")


def plot_embedding_share(ax, n_grid, gammas: Mapping[str, tuple[float, str]],
                         models: pd.DataFrame | None = None) -> None:
    """Share of the parameters that are embeddings, 1 - N/N_T with N_T = N + γ N^(1/3).

    Parameters
    ----------
    n_grid : array
        Non-embedding parameters N.
    gammas : mapping
        Legend label -> (γ, colour key).
    models : DataFrame, optional
        Real models with ``non_embedding`` and ``embedding_share`` columns
        (e.g. :func:`~chinchilla_lib.laws.embeddings.table_a9_embedding_shares`), drawn as dots.
    """
    n = np.asarray(n_grid, dtype=float)
    for label, (gamma, color) in gammas.items():
        ax.plot(n, 1 - n / total_from_nonembedding(n, gamma), color=_colour(color), label=label)
    if models is not None:
        ax.scatter(models["non_embedding"], models["embedding_share"], s=12, color=COLORS["data"], zorder=3,
                   label="Table A9 models")
    ax.set_xscale("log")
    ax.set_ylabel("embedding share of $N_T$")
    ax.legend(loc="upper right")


def plot_local_exponents(ax, n_grid, laws: Mapping[str, ParametricLaw], gamma: float,
                         numerical: Mapping[str, object] | None = None,
                         colors: Sequence | None = None,
                         reference: tuple[float, str] | None = None) -> None:
    """Local exponent d log N*/d log C of the fixed non-embedding-compute frontier, per law.

    Lines: the closed form (:func:`~chinchilla_lib.laws.embeddings.local_exponent`); markers: the
    numerical optimum (``numerical``: law name -> NumericalFrontier); dashed: each law's
    large-N limit β/(α+β); dotted: ``reference`` (value, label), e.g. Kaplan's exponent.
    """
    n = np.asarray(n_grid, dtype=float)
    colors = colors or [COLORS.get(name, INK["axis"]) for name in laws]
    for (name, law), color in zip(laws.items(), colors):
        color = _colour(color)
        label = SERIES[name].label if name in SERIES else name
        ax.plot(n, local_exponent(n, law, gamma), color=color, label=label)
        if numerical is not None:
            ax.scatter(numerical[name].n_nonembed, numerical[name].exponent, color=color, s=14, zorder=3)
        ax.axhline(law.a, color=color, ls="--", lw=0.8)
    if reference is not None:
        ax.axhline(reference[0], color=COLORS["kaplan"], ls=":", label=reference[1])
    ax.set_xscale("log")
    ax.set_xlim(n[0], n[-1])
    ax.set_xlabel("non-embedding parameters $N$ (bottom: compute-optimal $N^*$)")
    ax.set_ylabel("local exponent")
    ax.legend(loc="upper right")


def plot_correction_steps(ax, steps: pd.DataFrame, data_colors: Mapping[str, str],
                          references: Sequence[tuple[float, str, str]] = ()) -> None:
    """The N_opt exponent along a sequence of corrections: published fits (lines) and refits (markers).

    Parameters
    ----------
    steps : DataFrame
        ``step``, ``change`` and ``theirs_<d>``, ``ours_<d>`` per data set ``d``
        (:func:`~chinchilla_lib.studies.porian.porian_steps`).
    data_colors : mapping
        Data set code -> colour key.
    references : sequence of (value, label, colour key)
        Horizontal dotted lines (e.g. Kaplan's and Chinchilla's exponents).
    """
    for data, color in data_colors.items():
        ax.plot(steps["step"], steps[f"theirs_{data}"], color=_colour(color), label=f"{data}, Porian et al.")
        ax.scatter(steps["step"], steps[f"ours_{data}"], color=_colour(color), marker="x", s=60, zorder=3,
                   label=f"{data}, ours")
    for value, label, color in references:
        ax.axhline(value, color=_colour(color), ls=":", label=label)
    # each step's name wrapped to short lines, so that neighbouring names do not run into each other
    ax.set_xticks(steps["step"], [textwrap.fill(label, 12) for label in steps["change"]], fontsize=8)
    ax.set_ylabel("exponent $a$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
