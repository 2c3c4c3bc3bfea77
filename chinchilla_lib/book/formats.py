"""The book's number formats: significant digits, FLOPs in e-notation, counts, billions."""

from __future__ import annotations

import re

import numpy as np

from ..laws.flops import flops_text

__all__ = ["significant", "flops_text", "billions", "count_text", "general"]


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
