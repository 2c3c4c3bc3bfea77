"""The parametric loss law of Hoffmann et al. (2022) and its compute-optimal frontier.

L(N, D) = E + A / N**alpha + B / D**beta                       (Eq. 2)

Minimising L subject to C = 6 N D gives (Eq. 4)

N_opt(C) = G (C/6)**a,  D_opt(C) = G**-1 (C/6)**b,
G = (alpha A / (beta B))**(1/(alpha+beta)),  a = beta/(alpha+beta),  b = alpha/(alpha+beta).

Used by the chapters *The problem*, *Approach 3* and *Kaplan comparison*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._validate import PF_DAY, UnitWarning, positive_scalar, positive_values, shown, unit_notes
from .._validate import like_inputs as _like
from .plans import Plan

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ParametricLaw", "PARAMETER_ORDER", "frontier", "law_names", "get_law", "resolve_law", "plan"]

#: The order of a law's parameter vector, (log A, log B, log E, alpha, beta), the replication's order.
PARAMETER_ORDER = ("log_A", "log_B", "log_E", "alpha", "beta")

_FLOPS_HINT = "a compute budget in FLOPs, e.g. 5.76e23 (not PF-days)"
_N_HINT = "parameters as a raw count, e.g. 7e10 for 70B"
_D_HINT = "tokens as a raw count, e.g. 1.4e12 for 1.4T"


def frontier(params, flops) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal (N_opt, D_opt) under C = 6 N D for rows ``(log A, log B, log E, alpha, beta)`` (Eq. 4).

    ``N_opt = G (C/6)^(beta/(alpha+beta))``, ``D_opt = (C/6)^(alpha/(alpha+beta)) / G`` with
    ``G = (alpha A / (beta B))^(1/(alpha+beta))`` (G computed in logarithms); the same arithmetic as
    :meth:`ParametricLaw.optimal_allocation`.

    Parameters
    ----------
    params : array of shape (5,) or (K, 5)
        Parameter vectors in :data:`PARAMETER_ORDER`.
    flops : float or array
        Budgets in FLOPs; broadcast against the rows of ``params``.

    Returns
    -------
    n_opt, d_opt : ndarray
        One value per row (and budget); NaN for rows with alpha or beta <= 0.

    References
    ----------
    Hoffmann et al. 2022, Eq. (4).
    """
    import numpy as np

    p = np.atleast_2d(np.asarray(params, dtype=float))
    log_a, log_b, alpha, beta = p[:, 0], p[:, 1], p[:, 3], p[:, 4]
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (alpha > 0) & (beta > 0)
        total = np.where(ok, alpha + beta, np.nan)
        log_g = (np.log(np.where(ok, alpha, np.nan)) + log_a - np.log(np.where(ok, beta, np.nan)) - log_b) / total
        return _allocation(np.exp(log_g), beta / total, alpha / total, np.asarray(flops, dtype=float))


def _allocation(g, a, b, flops):
    """Eq. (4): ``N_opt = G (C/6)^a`` and ``D_opt = (C/6)^b / G``, for floats or broadcasting arrays."""
    c6 = flops / 6.0
    return g * c6**a, c6**b / g


@dataclass(frozen=True)
class ParametricLaw:
    """L(N, D) = E + A/N^alpha + B/D^beta with its closed-form frontier.

    Parameters
    ----------
    E, A, B, alpha, beta : float
        Positive constants of Eq. (2); losses in nats per token.
    name, source : str
        Where the constants come from (shown in tables and the CLI).

    References
    ----------
    Hoffmann et al. 2022, Eq. (2), Eq. (4), App. D.2 Eq. (10).
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    name: str = ""
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for key in ("E", "A", "B", "alpha", "beta"):
            object.__setattr__(self, key, positive_scalar(key, getattr(self, key)))

    # ------------------------------------------------------------------ loss
    def loss(self, n_params, n_tokens):
        """Predicted loss L(N, D) in nats per token (Eq. 2); arrays broadcast."""
        n = positive_values("n_params", n_params, hint=_N_HINT)
        d = positive_values("n_tokens", n_tokens, hint=_D_HINT)
        out = self.E + self.A / n**self.alpha + self.B / d**self.beta
        return _like(out, n_params, n_tokens)

    # -------------------------------------------------------------- frontier
    @property
    def a(self) -> float:
        """The exponent a of N_opt in C, beta / (alpha + beta) (Eq. 4)."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """The exponent b of D_opt in C, alpha / (alpha + beta) (Eq. 4)."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """G = (alpha A / (beta B))^(1/(alpha+beta)) (Eq. 4)."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / (self.alpha + self.beta))

    @property
    def vector(self) -> np.ndarray:
        """The parameter vector (log A, log B, log E, alpha, beta) (:data:`PARAMETER_ORDER`, App. D.2 Eq. 11)."""
        import numpy as np

        return np.array([math.log(self.A), math.log(self.B), math.log(self.E), self.alpha, self.beta])

    @classmethod
    def from_vector(cls, x, *, name: str = "", source: str = "") -> ParametricLaw:
        """The law of a parameter vector (log A, log B, log E, alpha, beta)."""
        log_a, log_b, log_e, alpha, beta = (float(v) for v in x)
        return cls(math.exp(log_e), math.exp(log_a), math.exp(log_b), alpha, beta, name=name, source=source)

    def optimal_allocation(self, flops):
        """Compute-optimal (N_opt, D_opt) for a budget in FLOPs, with C = 6 N D (Eq. 4, :func:`frontier`).

        Examples
        --------
        With Eq. (10) as printed at Gopher's budget (by hand: N_opt = 1.345 (C / 6)^0.4516),
        and the pair spends exactly the budget:

        >>> n, d = get_law("paper").optimal_allocation(5.76e23)
        >>> f"{n:.3g} {d:.3g}"
        '3.22e+10 2.98e+12'
        >>> round(6 * n * d / 5.76e23, 12)
        1.0
        """
        c = positive_values("flops", flops, hint=_FLOPS_HINT)
        n_opt, d_opt = _allocation(self.G, self.a, self.b, c)
        return _like(n_opt, flops), _like(d_opt, flops)

    def optimal_loss(self, flops):
        """Loss on the efficient frontier, L(N_opt(C), D_opt(C))."""
        c = positive_values("flops", flops, hint=_FLOPS_HINT)
        return _like(self._frontier_loss(c), flops)

    def _frontier_loss(self, c):
        """:meth:`optimal_loss` of budgets already checked."""
        return self.E + self._frontier_coefficient() * (c / 6.0) ** (-self._frontier_exponent())

    def flops_for_loss(self, target_loss):
        """Smallest compute budget (FLOPs) whose frontier loss equals ``target_loss``.

        On the frontier L*(C) = E + K (C/6)^(-alpha beta/(alpha+beta)), with
        K = A G^-alpha + B G^beta, which inverts in closed form.
        """
        target = positive_values("target_loss", target_loss, hint="a loss in nats per token")
        unreachable = target <= self.E
        if unreachable if isinstance(target, float) else unreachable.any():
            raise ValueError(
                f"target_loss must exceed the irreducible loss E = {self.E:.4g}; "
                "no finite budget reaches E or below"
            )
        c = 6.0 * (self._frontier_coefficient() / (target - self.E)) ** (1.0 / self._frontier_exponent())
        return _like(c, target_loss)

    def _frontier_exponent(self) -> float:
        return self.alpha * self.beta / (self.alpha + self.beta)

    def _frontier_coefficient(self) -> float:
        g = self.G
        return self.A * g ** (-self.alpha) + self.B * g**self.beta

    def summary(self) -> dict:
        """Parameters and derived frontier constants as a plain dict."""
        return {
            "name": self.name,
            "E": self.E,
            "A": self.A,
            "B": self.B,
            "alpha": self.alpha,
            "beta": self.beta,
            "a": self.a,
            "b": self.b,
            "G": self.G,
        }


def law_names() -> list[str]:
    """Names accepted by :func:`get_law` (from ``chinchilla_lib/data/laws.csv``)."""
    from ..datasets.paper_tables import read_rows

    return list(dict.fromkeys(row["law"] for row in read_rows("laws")))


def get_law(name: str = "paper") -> ParametricLaw:
    """A named parameter set from ``chinchilla_lib/data/laws.csv``.

    ``"paper"`` is Eq. (10) as printed (E 1.69, A 406.4, B 410.7, alpha 0.34,
    beta 0.28); ``"paper-full"`` the full-precision constants of the paper's
    LaTeX source.  Parameters given as logarithms (``log_A``) are exponentiated.

    Examples
    --------
    The printed Eq. (10), and its allocation exponent a = beta / (alpha + beta) =
    0.28 / 0.62 = 0.452 (Table 2 prints 0.46; see ``chinchilla_lib/data/README.md``):

    >>> law = get_law("paper")
    >>> law.E, law.A, law.B, law.alpha, law.beta
    (1.69, 406.4, 410.7, 0.34, 0.28)
    >>> round(law.a, 3)
    0.452
    """
    from ..datasets.paper_tables import read_rows

    table = read_rows("laws")  # validated as load_table validates it, without pandas
    rows = [row for row in table if row["law"] == name]
    if not rows:
        known = ", ".join(dict.fromkeys(row["law"] for row in table))
        raise ValueError(f"unknown law {name!r}; choose one of: {known}")
    params = {}
    for row in rows:
        parameter, value = row["parameter"], float(row["value"])
        key = parameter[4:] if parameter.startswith("log_") else parameter
        if key in params:
            raise ValueError(f"law {name!r} in chinchilla_lib/data/laws.csv gives {key} twice (directly and as log_{key}); keep one")
        params[key] = math.exp(value) if parameter.startswith("log_") else value
    missing = {"E", "A", "B", "alpha", "beta"} - params.keys()
    if missing:
        raise ValueError(f"law {name!r} in chinchilla_lib/data/laws.csv lacks {sorted(missing)}")
    return ParametricLaw(name=name, source=str(rows[0]["source"]), **params)


_LAW_KEYS = ("E", "A", "B", "alpha", "beta")


def resolve_law(spec: ParametricLaw | str) -> ParametricLaw:
    """A law from what a user can type: a name, a ``fit --json`` file, or inline constants.

    Parameters
    ----------
    spec : ParametricLaw or str
        One of

        * a name of :func:`law_names` (``"paper-full"``, ``"paper"``, ``"replication"``);
        * the path of a JSON file holding an object with keys ``E, A, B, alpha, beta``
          (what ``python -m chinchilla_lib fit --approach 3 --json`` prints);
        * inline constants ``"E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"`` (all five).

    Returns
    -------
    ParametricLaw

    Raises
    ------
    ValueError
        One line naming what is wrong and what to write instead.
    """
    if isinstance(spec, ParametricLaw):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("law must be a name, the path of a fit --json file, or E=...,A=...,B=...,alpha=...,beta=...")
    text = spec.strip()
    if "=" in text:
        return _inline_law(text)
    if text in law_names():
        return get_law(text)
    import os

    if os.path.exists(text) or text.endswith(".json"):
        return _json_law(text)
    raise ValueError(f"unknown law {shown(repr(text))}; give one of {', '.join(law_names())}, the path of a fit --json "
                     "file, or E=...,A=...,B=...,alpha=...,beta=...")


def _inline_law(text: str) -> ParametricLaw:
    values: dict[str, float] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in _LAW_KEYS:
            raise ValueError(f"law {shown(repr(text))}: {shown(repr(item.strip()))} is not one of "
                             f"{', '.join(k + '=' for k in _LAW_KEYS)}")
        if key in values:
            raise ValueError(f"law {shown(repr(text))}: {key} is given twice")
        try:
            values[key] = float(value)
        except ValueError:
            raise ValueError(f"law {shown(repr(text))}: {key} must be a number, got {shown(repr(value.strip()))}") from None
    missing = [k for k in _LAW_KEYS if k not in values]
    if missing:
        raise ValueError(f"law {shown(repr(text))} lacks {', '.join(missing)}; give all of E, A, B, alpha, beta")
    return ParametricLaw(name="inline", source="given on the command line", **values)


def _json_law(path: str) -> ParametricLaw:
    import json
    import os as _os

    from .._validate import LAW_FILE_LIMIT, PATH_LIMIT, read_limited

    name = shown(repr(path), PATH_LIMIT)
    try:
        text = read_limited(path, LAW_FILE_LIMIT, what="law file",
                            fix="give the output of fit --approach 3 --json (about 2 KB)")
        obj = json.loads(text.decode("utf-8"))
    except OSError as exc:
        raise ValueError(f"law file {name} cannot be read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"law file {name} is not JSON ({shown(exc)}); write it with fit --approach 3 --json") from None
    if not isinstance(obj, dict):
        raise ValueError(f"law file {name} must hold one JSON object with keys E, A, B, alpha, beta")
    missing = [k for k in _LAW_KEYS if k not in obj]
    if missing:
        raise ValueError(f"law file {name} lacks {', '.join(missing)}; write it with fit --approach 3 --json")
    values = {}
    for key in _LAW_KEYS:
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"law file {name}: {key} must be a number, got {shown(repr(value))}")
        values[key] = float(value)
    return ParametricLaw(name=_os.path.basename(path),
                         source=f"fit read from {path}", **values)


def plan(flops: float, law: ParametricLaw | str = "paper-full") -> Plan:
    """The compute-optimal model for a budget: ``n_params``, ``n_tokens``, ``tokens_per_param``, ``loss``.

    Parameters
    ----------
    flops : float
        Budget in FLOPs (C = 6 N D).
    law : ParametricLaw or str, default "paper-full"
        A law, or anything :func:`resolve_law` accepts (a name, a ``fit --json`` file, inline constants).

    Returns
    -------
    Plan
        ``law``, ``flops``, ``n_params``, ``n_tokens``, ``tokens_per_param``, ``loss`` (on the
        frontier), ``a`` and ``b`` (Eq. 4), and ``warnings``: a budget below 1e12 FLOPs looks like
        PF-days or a typo and is planned with a :class:`~chinchilla_lib._validate.UnitWarning`.

    Raises
    ------
    ValueError
        A budget that buys less than one parameter or one token.

    Examples
    --------
    Gopher's budget, 5.76e23 FLOPs, under Eq. (10) as printed. By hand (Eq. 4):
    G = (alpha A / (beta B))^(1 / (alpha + beta)) = 1.345, N_opt = G (C / 6)^a = 3.22e10,
    D_opt = C / (6 N_opt) = 2.98e12, about 93 tokens per parameter:

    >>> p = plan(5.76e23, "paper")
    >>> f"{p['n_params']:.3g} {p['n_tokens']:.3g} {p['tokens_per_param']:.0f}"
    '3.22e+10 2.98e+12 93'
    >>> round(p["loss"], 3)  # E + A / N^alpha + B / D^beta at that point
    1.931
    """
    import warnings

    lw = resolve_law(law)
    c = positive_scalar("flops", flops, hint=_FLOPS_HINT)  # checked here once; the frontier takes it as it is
    n_opt, d_opt = _allocation(lw.G, lw.a, lw.b, c)
    if n_opt < 1 or d_opt < 1:
        raise ValueError(f"flops = {c:.3g} buys no model under this law (N_opt = {n_opt:.3g} parameters, "
                         f"D_opt = {d_opt:.3g} tokens); give the budget in FLOPs, e.g. 5.76e23 "
                         f"(one PF-day is {PF_DAY:.3g} FLOPs)")
    notes = unit_notes(flops=c)
    for note in notes:
        warnings.warn(note, UnitWarning, stacklevel=2)
    return Plan(law=lw.name, flops=c, n_params=n_opt, n_tokens=d_opt, loss=lw._frontier_loss(c), a=lw.a, b=lw.b,
                warnings=notes)
