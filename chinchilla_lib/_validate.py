"""Input validation shared by the public functions of :mod:`chinchilla_lib`.

Every public function checks its inputs here, so a bad argument always gives
one :class:`ValueError` that names the argument and says how to fix it.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def positive_scalar(name: str, value: Any, *, hint: str = "") -> float:
    """Return ``value`` as a float, or raise if it is not a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        raise ValueError(f"{name} must be a positive finite number, got {_describe(value)}{_hint(hint)}")
    out = float(value)
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {out!r}{_hint(hint)}")
    return out


def positive_array(name: str, values: Any, *, hint: str = "", min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D float array of positive finite numbers, or raise."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {_describe(values)}{_hint(hint)}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or 1-D array, got shape {arr.shape}")
    arr = np.atleast_1d(arr)
    if arr.size < min_size:
        raise ValueError(f"{name} needs at least {min_size} values, got {arr.size}{_hint(hint)}")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "NaN" if np.isnan(arr[i]) else repr(float(arr[i]))
        raise ValueError(
            f"{name} must be positive and finite; element {i} is {what}{_hint(hint)}"
        )
    return arr


def same_length(**arrays: np.ndarray) -> int:
    """Raise unless every array has the same length; return that length."""
    sizes = {name: np.size(arr) for name, arr in arrays.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} has {v}" for k, v in sizes.items())
        raise ValueError(f"arrays must have the same length: {listed}")
    return next(iter(sizes.values()))


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int >= 1, or raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer() and value >= 1:
            return int(value)
        raise ValueError(f"{name} must be a positive whole number, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value}")
    return int(value)


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


def like_inputs(result: np.ndarray, *inputs):
    """Return a Python float when every input was a scalar, else the array."""
    if all(np.ndim(x) == 0 for x in inputs):
        return float(np.asarray(result).reshape(-1)[0])
    return result
