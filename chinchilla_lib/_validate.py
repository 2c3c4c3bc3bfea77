"""Input validation shared by the public functions of :mod:`chinchilla_lib`.

Every public function checks its inputs here, so a bad argument always gives
one :class:`ValueError` that names the argument and says how to fix it.

numpy is imported only by the checks that take arrays: a scalar question (``plan --flops 1e22``)
is answered without paying for it.
"""

from __future__ import annotations

import math
import os
import sys
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


#: How many characters of a bad value a message echoes (a message stays one readable line);
#: a path is echoed up to :data:`PATH_LIMIT`.
ECHO_LIMIT = 60
PATH_LIMIT = 240


def _describe(value: Any) -> str:
    return shown(repr(value))


def shown(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters (the last three ``...``), for echoing a user's value."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


#: Size limits of what the library reads from a user: a law file (``plan --law FILE``) and a runs CSV.
LAW_FILE_LIMIT = 1 << 20  # 1 MiB: a fit --json output is about 2 KB
CSV_LIMIT = 512 << 20  # 512 MiB: ten million runs of n_params,n_tokens,loss


def read_limited(path: str | os.PathLike, limit: int, *, what: str, fix: str) -> bytes:
    """The bytes of ``path``, refused with one line when it holds more than ``limit`` bytes.

    Reads at most ``limit + 1`` bytes whatever the file is (a device such as ``/dev/zero`` or a pipe
    included), so a file that never ends costs no more memory than the limit.

    Raises
    ------
    ValueError
        ``{what} {path!r} is larger than {limit}; {fix}``.
    OSError
        When the file cannot be opened or read.
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        size = f"{limit / (1 << 20):g} MiB" if limit >= 1 << 20 else f"{limit:,} bytes"
        raise ValueError(f"{what} {shown(repr(os.fspath(path)), PATH_LIMIT)} is larger than {size}; {fix}")
    return data


def positive_scalar(name: str, value: Any, *, hint: str = "") -> float:
    """Return ``value`` as a float, or raise if it is not a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, Real):  # numpy's real scalars are Real too
        raise ValueError(f"{name} must be a positive finite number, got {_describe(value)}{_hint(hint)}")
    out = float(value)
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {out!r}{_hint(hint)}")
    return out


def positive_array(name: str, values: Any, *, hint: str = "", min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D float array of positive finite numbers, or raise."""
    import numpy as np

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


def positive_values(name: str, values: Any, *, hint: str = ""):
    """A float for a real scalar, else :func:`positive_array`'s array; the same checks and messages either way.

    Functions that take "a number or an array" validate with this, so a scalar call needs no numpy.
    """
    if isinstance(values, Real) and not isinstance(values, bool):
        out = float(values)
        if not math.isfinite(out) or out <= 0:
            what = "NaN" if math.isnan(out) else repr(out)
            raise ValueError(f"{name} must be positive and finite; element 0 is {what}{_hint(hint)}")
        return out
    return positive_array(name, values, hint=hint)


def same_length(**arrays: np.ndarray) -> int:
    """Raise unless every array has the same length; return that length."""
    import numpy as np

    sizes = {name: np.size(arr) for name, arr in arrays.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} has {v}" for k, v in sizes.items())
        raise ValueError(f"arrays must have the same length: {listed}")
    return next(iter(sizes.values()))


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int >= 1, or raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):  # numpy's integers are Integral too
        if not isinstance(value, bool) and isinstance(value, Real) and float(value).is_integer() and value >= 1:
            return int(value)
        raise ValueError(f"{name} must be a positive whole number, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value}")
    return int(value)


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


def like_inputs(result: np.ndarray, *inputs):
    """Return a Python float when every input was a scalar, else the array."""
    if all(isinstance(x, Real) for x in inputs):  # Python or numpy scalars: no numpy import needed
        return float(result) if isinstance(result, Real) else float(result.reshape(-1)[0])
    import numpy as np

    if all(np.ndim(x) == 0 for x in inputs):
        return float(np.asarray(result).reshape(-1)[0])
    return result


# --------------------------------------------------------------------------
# Runs that can decide a scaling law
# --------------------------------------------------------------------------

#: One PF-day in FLOPs (1e15 FLOP/s for a day), the unit Kaplan et al. and others use.
PF_DAY = 1e15 * 86400

#: Below these, values look like the wrong unit (billions of parameters, PF-days).
_UNIT_FLOORS = {
    "n_params": (1e4, "parameters as raw counts, e.g. 7e10 for 70B, not millions or billions"),
    "n_tokens": (1e6, "tokens as raw counts, e.g. 1.4e12 for 1.4T, not billions"),
    "flops": (1e12, f"compute in FLOPs, e.g. 5.76e23; one PF-day is {PF_DAY:.3g} FLOPs"),
}


class UnitWarning(UserWarning):
    """Values that look like the wrong unit (parameters in billions, compute in PF-days)."""


class ExtrapolationWarning(UserWarning):
    """A plan for a budget far outside the range of the runs the law was fitted to."""


def unit_notes(**arrays) -> list[str]:
    """Messages for arrays whose largest value looks like the wrong unit (see ``_UNIT_FLOORS``)."""
    notes = []
    for name, values in arrays.items():
        if values is None or name not in _UNIT_FLOORS:
            continue
        floor, unit = _UNIT_FLOORS[name]
        if isinstance(values, Real):
            largest = float(values)
        else:
            import numpy as np

            largest = float(np.max(values))
        if largest < floor:
            notes.append(f"{name} look like the wrong unit (largest {largest:.4g}, below {floor:g}); give {unit}")
    return notes


def distinct(name: str, values: np.ndarray, at_least: int, *, why: str) -> None:
    """Raise unless ``values`` has at least ``at_least`` distinct entries."""
    import numpy as np

    k = int(np.unique(values).size)
    if k < at_least:
        shown = f" (every run has {name} = {float(values[0]):.4g})" if k == 1 else ""
        raise ValueError(f"{name} has {k} distinct value(s){shown}; {why} needs at least {at_least} "
                         f"different {name}: add runs of other sizes")


def varying_loss(loss: np.ndarray, **others: np.ndarray) -> None:
    """Raise when every run is identical, or the loss is the same in every run."""
    import numpy as np

    if loss.size and np.all(loss == loss[0]):
        if all(np.all(v == v[0]) for v in others.values()):
            listed = ", ".join(f"{k}={float(v[0]):.4g}" for k, v in others.items())
            raise ValueError(f"all {loss.size} runs are identical ({listed}, loss={float(loss[0]):.4g}); "
                             "a law needs runs of different sizes and lengths")
        raise ValueError(f"loss is {float(loss[0]):.4g} in every run; a constant loss cannot decide a law "
                         "(check the loss column: it should be each run's final loss)")



def loss_falls_with_compute(flops: np.ndarray, loss: np.ndarray, *, what: str = "the runs",
                            allow_flat: bool = False) -> None:
    """Raise unless the least-squares slope of ln loss on ln C is negative (more compute, lower loss).

    ``allow_flat`` accepts a slope of exactly zero too (Approach 2 needs only the minima's places).
    """
    import numpy as np

    x, y = np.log(flops), np.log(loss)
    dx = x - x.mean()
    if not np.any(dx):
        return
    slope = float(np.dot(dx, y - y.mean()) / np.dot(dx, dx))
    if slope > 0 or (slope == 0 and not allow_flat) or not math.isfinite(slope):
        raise ValueError(f"loss does not fall with compute over {what} (slope of ln loss on ln C is {slope:+.3g}); "
                         "check that loss is the final loss in nats and compute is the training FLOPs")


def extrapolation_note(flops: float, fitted: tuple[float, float], *, factor: float = 100.0) -> str | None:
    """A message when ``flops`` lies more than ``factor`` beyond the fitted compute range, else None."""
    lo, hi = fitted
    if flops > hi * factor:
        return (f"budget {flops:.3g} FLOPs is {math.log10(flops / hi):.1f} decades above the largest run fitted "
                f"({hi:.3g} FLOPs); the plan extrapolates the law far beyond its data")
    if flops < lo / factor:
        return (f"budget {flops:.3g} FLOPs is {math.log10(lo / flops):.1f} decades below the smallest run fitted "
                f"({lo:.3g} FLOPs); the plan extrapolates the law far beyond its data")
    return None


def caller_stacklevel() -> int:
    """``stacklevel`` that points a warning at the first caller outside this package (the user's line)."""
    package = os.path.dirname(os.path.abspath(__file__))
    level, frame = 1, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        level, frame = level + 1, frame.f_back
    return level


class Bounds:
    """A declarative bound on a real argument: the range, the example and the message, stated once.

    ``Bounds(0, 1, example="0.8 for the 10th-90th percentile", what="a coverage")`` accepts any
    real strictly between 0 and 1 and refuses everything else (booleans, text, NaN, the ends) with
    one line naming the argument.
    """

    def __init__(self, low: float, high: float, *, example: str, what: str):
        self.low, self.high, self.example, self.what = low, high, example, what

    def __call__(self, name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, Real) or not self.low < float(value) < self.high:
            raise ValueError(f"{name} must be {self.what} between {self.low:g} and {self.high:g} ({self.example}), "
                             f"got {value!r}")
        return float(value)


#: The coverage of a percentile interval: strictly between 0 and 1.
COVERAGE = Bounds(0, 1, example="0.8 for the 10th-90th percentile", what="a coverage")


def check_level(level: Any, name: str = "level") -> float:
    """``level`` as a float strictly between 0 and 1 (:data:`COVERAGE`), or one ValueError naming it."""
    return COVERAGE(name, level)
