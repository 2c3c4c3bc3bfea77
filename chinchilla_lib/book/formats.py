"""The book's number formats: significant digits, FLOPs in e-notation, counts, billions."""

from __future__ import annotations

import re

import numpy as np

from ..laws.flops import flops_text

__all__ = ["significant", "flops_text", "billions", "count_text", "general", "agreeing_figures", "agreed_text"]


def significant(value, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, never in e-notation below 1e15: ``67.8``, ``1400``, ``0.0744``."""
    if value is None or not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(float(value), decimals)
    if decimals == 0:
        return f"{rounded:.0f}"
    return f"{rounded:.{decimals}f}"




def _to_figures(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures, also left of the point: 821.3 -> 800 at 1."""
    magnitude = int(np.floor(np.log10(abs(value))))
    return round(float(value), figures - 1 - magnitude)


def agreeing_figures(x: float, y: float, max_figures: int = 6) -> int:
    """How many significant figures two computations of one number share: the largest k such that
    ``x`` and ``y`` rounded to 1, 2, ..., k figures are equal (0 if they differ at the first).

    Examples
    --------
    Two implementations of one early-stopped fit, E 1.7796 and 1.7829, agree to 1.78:

    >>> agreeing_figures(1.7796, 1.7829)
    3
    >>> agreeing_figures(821.28, 845.07), agreeing_figures(0.0248, 0.0261)
    (1, 0)
    """
    if not (np.isfinite(x) and np.isfinite(y)) or x == 0 or y == 0:
        return 0
    k = 0
    while k < max_figures and _to_figures(x, k + 1) == _to_figures(y, k + 1):
        k += 1
    return k


def agreed_text(x: float, y: float, max_figures: int = 6) -> str:
    """``x`` written to the significant figures it shares with ``y`` (:func:`agreeing_figures`): ``1.78``.

    ``"–"`` when they differ at the first figure.

    >>> agreed_text(1.7796, 1.7829), agreed_text(821.28, 845.07), agreed_text(0.44970, 0.44968)
    ('1.78', '800', '0.4497')
    """
    k = agreeing_figures(x, y, max_figures)
    if k == 0:
        return "–"
    decimals = max(k - 1 - int(np.floor(np.log10(abs(x)))), 0)
    return f"{_to_figures(x, k):.{decimals}f}"


def billions(value) -> str:
    """A raw count shown in billions, three significant digits: 6.7e10 -> ``67``."""
    return significant(value / 1e9)


def count_text(value) -> str:
    """A count as a whole number: ``8``, also when stored as a float."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{int(round(float(value))):d}"


def _e_notation(text: str) -> str:
    """``7.319e+10`` -> ``7.319e10``, ``1.0e-05`` -> ``1.0e-5``: one way of writing powers of ten."""
    return re.sub(r"(?<=\d)e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def _formatter(spec):
    """A format string or function -> a function whose e-notation is the book's (:func:`_e_notation`)."""
    if callable(spec):
        return spec
    def text(x):
        try:
            return _e_notation(spec.format(x))
        except (TypeError, ValueError):  # a text cell in a numeric column's format
            return str(x)

    return text


def general(value) -> str:
    """A float with no format given: three significant digits, e-notation beyond 1e6 or below 1e-3."""
    if not np.isfinite(value):
        return "–"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return flops_text(value)
    return significant(value, 3)
