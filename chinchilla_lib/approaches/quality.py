"""One gate for every fit: is the answer identified, does the law fit, and how far is it carried?

Every fit of every approach (Hoffmann et al. 2022, Sections 3.1-3.3) on every set of runs, a user's
CSV included, is judged by the same named checks, each with its value and its threshold.  The
verdict is

* ``"refused"`` when a check of **identifiability** fails: the runs cannot pin the answer (the
  bootstrap spread of the exponent a or of the irreducible loss E is too wide, E collapses to zero,
  an exponent runs off to zero or infinity, fewer than half the resamples could be fitted, one model
  size holds most of Approach 1's envelope);
* ``"flagged"`` when only a check of **fit or use** fails: structure in the residuals across sizes or
  budgets beyond the data's own noise, E above the lowest observed losses beyond that noise, an
  ill-conditioned optimum, a few resamples unfitted (so the interval is conditional), or a plan
  carried far beyond the largest fitted budget;
* ``"decided"`` when every check passes.

The thresholds are the module's constants, stated once here and fixed by reasoning about what each
quantity means, before any of the book's data sets was judged (the tests justify them on simulated
runs: a clean law is decided, a law with a missing term is flagged, runs that cannot pin E or a are
refused).

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3 and App. D.2; Besiroglu et al. 2024 (the replication that
found Approach 3's published fit inconsistent with its own data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..result_cache import storable
from ..stats import percentile_interval, robust_scale

__all__ = ["Check", "Quality", "THRESHOLDS", "MEANING", "thresholds_table", "GATE_RESAMPLES", "GATE_MAX_RUNS", "assess_approach1",
           "assess_approach2", "assess_approach3", "bootstrap_checks", "extrapolation_check",
           "residual_structure"]

#: Every threshold of the gate in one place, by check name (what each measures is in MEANING).
THRESHOLDS = {
    # identifiability: failing refuses the fit
    "a_spread": 0.2,  # 10th-90th percentile width of a: wider cannot tell Kaplan's 0.73 from 0.5
    "E_spread": 0.5,  # 10th-90th percentile width of E over E: E trades off against A, B and the exponents
    "E_floor": 0.01,  # E over the lowest loss: below, E has collapsed onto zero
    "exponent_floor": 0.02,  # alpha or beta: below, the term is a constant indistinguishable from E
    "exponent_ceiling": 3.0,  # alpha or beta: above, the term vanishes within the runs' range
    "resamples_majority": 0.5,  # share of resamples fitted: below, the exponent is not decided at all
    "envelope_holder_share": 0.5,  # share of Approach 1's fitted range held by one size: "most"
    "finished_holder_share": 0.5,  # the same share above the first curve's end, where finished runs compete
    "interior_decades": 0.5,  # decades of compute where an interior size holds Approach 1's envelope
    "sizes_on_envelope": 3,  # sizes that hold the envelope somewhere: two points make any line
    "budgets_used": 3,  # IsoFLOP budgets in Approach 2's power law: a line through 2 tests nothing
    # fit and use: failing flags the fit
    "resamples_fitted": 0.99,  # share of resamples fitted: below, the interval covers only those that fitted
    "residual_structure": 3.0,  # RMS z of residual group medians across sizes or budgets (noise gives ~1)
    "structure_size": 0.01,  # the largest group median of the residuals: flags with residual structure
    "E_above_losses": 2.0,  # (E - lowest loss) over the loss noise: E cannot lie above observed losses
    "conditioning": 1e10,  # condition number of the objective's Hessian at the optimum
    "curvature_p": 0.01,  # p-value of a bend in ln N_opt against ln C across budgets (Approach 2)
    "extrapolation": 100.0,  # plan budget over the largest fitted budget
}

#: What each check measures, in words (the book's table of the gate).
MEANING = {
    "a_spread": "10th-90th percentile width of a: wider cannot tell Kaplan's 0.73 from 0.5",
    "E_spread": '10th-90th percentile width of E over E: E trades off against A, B and the exponents',
    "E_floor": 'E over the lowest loss: below, E has collapsed onto zero',
    "exponent_floor": 'alpha or beta: below, the term is a constant indistinguishable from E',
    "exponent_ceiling": "alpha or beta: above, the term vanishes within the runs' range",
    "resamples_majority": 'share of resamples fitted: below, the exponent is not decided at all',
    "envelope_holder_share": "share of Approach 1's fitted range held by one size: above, one size holds most of it",
    "finished_holder_share": "the same share above the first curve's end, where finished runs compete",
    "interior_decades": "decades of compute where an interior size holds Approach 1's envelope",
    "sizes_on_envelope": 'sizes that hold the envelope somewhere: two points make any line',
    "budgets_used": "IsoFLOP budgets in Approach 2's power law: a line through 2 tests nothing",
    "resamples_fitted": 'share of resamples fitted: below, the interval covers only those that fitted',
    "residual_structure": 'RMS z of residual group medians across sizes or budgets (noise gives ~1)',
    "structure_size": 'the largest group median of the residuals: flags with residual structure, above 1% of the loss',
    "E_above_losses": '(E - lowest loss) over the loss noise: E cannot lie above observed losses',
    "conditioning": "condition number of the objective's Hessian at the optimum",
    "curvature_p": 'p-value of a bend in ln N_opt against ln C across budgets (Approach 2)',
    "extrapolation": 'plan budget over the largest fitted budget',
}

#: Resamples the gate draws when a fit comes without a bootstrap (seeded, so the verdict is reproducible).
GATE_RESAMPLES = 200
#: Above this many runs the gate's own bootstrap uses a seeded sample of this many runs; the spread it
#: measures is then an upper bound on the spread of the fit on all runs.
GATE_MAX_RUNS = 20_000

_REFUSING = {"a_spread", "E_spread", "E_floor", "exponent_floor", "exponent_ceiling", "resamples_majority",
             "envelope_holder_share", "finished_holder_share", "interior_decades", "sizes_on_envelope", "budgets_used"}
_AT_MOST = {"a_spread", "E_spread", "exponent_ceiling", "envelope_holder_share", "finished_holder_share",
            "residual_structure",
            "structure_size", "E_above_losses", "conditioning", "extrapolation"}
_FIX = {
    "a_spread": "more runs, or sizes and budgets spread over more decades",
    "E_spread": "runs that pin the irreducible loss (larger models, longer runs)",
    "E_floor": "runs that pin the irreducible loss (larger models, longer runs)",
    "exponent_floor": "sizes or token counts spread over more decades",
    "exponent_ceiling": "sizes or token counts spread over more decades",
    "resamples_majority": "more runs at more sizes and budgets",
    "envelope_holder_share": "sizes between the smallest and the largest, each trained long enough to lead",
    "interior_decades": "sizes between the smallest and the largest, each trained long enough to lead",
    "finished_holder_share": "sizes whose finished runs compete at the same compute (longer runs of the smaller, "
                             "shorter of the larger)",
    "sizes_on_envelope": "more model sizes between the smallest and the largest",
    "budgets_used": "more IsoFLOP budgets with sizes on both sides of the optimum",
    "resamples_fitted": "more runs; the interval covers only the resamples that could be fitted",
    "residual_structure": "a law with the missing term, or runs where this law holds",
    "structure_size": "a law with the missing term, or runs where this law holds",
    "E_above_losses": "a law that reaches the lowest losses (its E lies above them)",
    "conditioning": "runs that separate the parameters (more sizes and token counts)",
    "curvature_p": "budgets over a narrower range, or a law whose exponent changes with scale",
    "extrapolation": "runs at budgets closer to the one planned",
}


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class Check:
    """One named check of the gate: its value, its threshold and whether it passed.

    ``passed`` is True when ``value`` is at most (or, for a floor, at least) ``threshold``; a check
    whose value could not be computed fails.  ``refuses`` says whether failing it refuses the fit
    (identifiability) or only flags it.  A check with ``needs`` counts only when the check it names
    failed too (residual structure must be both significant and large to flag a fit).
    """

    name: str
    value: float
    threshold: float
    passed: bool
    refuses: bool
    note: str = ""
    needs: str = ""

    def to_dict(self) -> dict:
        """The ``fit --json`` form: ``name``, ``value``, ``threshold``, ``passed`` (and ``note``)."""
        value = None if not np.isfinite(self.value) else float(self.value)
        out = {"name": self.name, "value": value, "threshold": float(self.threshold), "passed": bool(self.passed)}
        return out | ({"note": self.note} if self.note else {})

    def message(self) -> str:
        """One line: what failed, by how much, and what data would decide it."""
        side = "above" if self.name in _AT_MOST else "below"
        value = "not computable" if not np.isfinite(self.value) else f"{self.value:.3g}"
        return f"{self.name} is {value}, {side} its threshold {self.threshold:g}; needs {_FIX[self.name]}"


def thresholds_table():
    """The gate as a table: ``check``, ``threshold``, ``fails when`` (above / below), ``failing it`` (refuses /
    flags), ``what it measures``."""
    import pandas as pd

    return pd.DataFrame([{"check": name.replace("_", " "), "threshold": value,
                          "fails when": "above" if name in _AT_MOST else "below",
                          "failing it": "refuses" if name in _REFUSING else "flags",
                          "what it measures": MEANING[name]} for name, value in THRESHOLDS.items()])


def _check(name: str, value: float, *, note: str = "") -> Check:
    threshold = THRESHOLDS[name]
    value = float(value)
    if not np.isfinite(value):
        passed = False
    elif name in _AT_MOST:
        passed = value <= threshold
    else:
        passed = value >= threshold
    return Check(name, value, float(threshold), bool(passed), name in _REFUSING, note)


@storable  # a stored result may hold it (result_cache)
@dataclass(frozen=True)
class Quality:
    """The gate's verdict on one fit: ``decided``, ``flagged`` or ``refused``, with the checks behind it."""

    verdict: str
    checks: tuple

    @classmethod
    def of(cls, checks) -> Quality:
        """The verdict of ``checks``: refused if a refusing check failed, flagged if any other failed."""
        checks = tuple(checks)
        failed = {c.name for c in checks if not c.passed}
        counted = [c for c in checks if not c.passed and (not c.needs or c.needs in failed)]
        if any(c.refuses for c in counted):
            verdict = "refused"
        elif counted:
            verdict = "flagged"
        else:
            verdict = "decided"
        return cls(verdict, checks)

    @property
    def failed(self) -> tuple:
        """The checks that failed and count towards the verdict, refusing ones first."""
        failed = {c.name for c in self.checks if not c.passed}
        counted = (c for c in self.checks if not c.passed and (not c.needs or c.needs in failed))
        return tuple(sorted(counted, key=lambda c: not c.refuses))

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        for c in self.checks:
            if c.name == name:
                return c
        raise ValueError(f"no check {name!r}; this fit has {', '.join(c.name for c in self.checks)}")

    def with_checks(self, *extra: Check) -> Quality:
        """This verdict with more checks (e.g. :func:`extrapolation_check` at a planned budget)."""
        return Quality.of(self.checks + tuple(extra))

    def to_dict(self) -> dict:
        """``{"verdict": ..., "checks": [{"name", "value", "threshold", "passed"}, ...]}`` (``fit --json``)."""
        return {"verdict": self.verdict, "checks": [c.to_dict() for c in self.checks]}

    def label(self) -> str:
        """The verdict as a table shows it: ``decided``, or ``flagged: residual structure, ...`` naming the failed checks."""
        names = ", ".join(c.name.replace("_", " ") for c in self.failed)
        return self.verdict if not names else f"{self.verdict}: {names}"

    def reason(self) -> str:
        """One line naming the first failed check (refusing first) and what data would decide it."""
        failed = self.failed
        return failed[0].message() if failed else "every check passed"


# ---------------------------------------------------------------- checks every approach shares
def bootstrap_checks(a_samples, *, level: float = 0.8) -> list[Check]:
    """The spread of the exponent a over the resamples and the share of resamples that could be fitted.

    The interval is computed over the fitted resamples; when some could not be fitted it is
    conditional on fitting, which ``resamples_fitted`` reports (flagged below 99%, refused below 50%).
    """
    samples = np.asarray(a_samples, dtype=float)
    good = samples[np.isfinite(samples)]
    share = good.size / samples.size if samples.size else 0.0
    width = np.diff(percentile_interval(good, level))[0] if good.size >= 2 else np.nan
    return [_check("a_spread", width, note=f"{level:.0%} interval over {good.size} fitted resamples"),
            _check("resamples_fitted", share, note=f"{good.size} of {samples.size}"),
            _check("resamples_majority", share, note=f"{good.size} of {samples.size}")]


def extrapolation_check(flops: float, fitted_max: float) -> Check:
    """The planned budget over the largest budget the fit saw (flagged past :data:`THRESHOLDS` ``extrapolation``)."""
    return _check("extrapolation", float(flops) / float(fitted_max), note=f"largest fitted budget {fitted_max:.3g}")


def _groups(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-count bins of ``values`` (log scale): a label per value; ties stay together."""
    ranks = np.searchsorted(np.unique(values), values)  # equal values share a rank
    k = ranks.max() + 1
    return np.minimum((ranks * n_bins) // k, n_bins - 1)


def residual_structure(residuals, by: dict, *, noise: float | None = None) -> tuple[Check, Check]:
    """Structure in the residuals: RMS z of the group medians, grouped by each variable in ``by``.

    Each variable (log size, log compute) is cut into equal-count bins (at most 10, at least 5 runs
    each); a bin's median residual m over its standard error 1.2533 sigma / sqrt(n) is its z.  Pure
    noise gives an RMS z near 1; a law missing a term leaves bins that sit together above or below
    it.  ``noise`` is the data's own scatter of one run's log loss (from seed pairs where a set has
    them); without it, the robust scale of the residuals about their bin medians.

    Returns
    -------
    (Check, Check)
        ``residual_structure`` (the larger RMS z of the groupings) and ``structure_size`` (the
        largest absolute median in that grouping); each counts only when the other fails too.
    """
    r = np.asarray(residuals, dtype=float)
    n_bins = int(min(10, max(2, r.size // 5)))
    best = (0.0, 0.0, "")
    for name, values in by.items():
        labels = _groups(np.asarray(values, dtype=float), n_bins)
        keys = np.unique(labels)
        medians = np.array([np.median(r[labels == k]) for k in keys])
        counts = np.array([(labels == k).sum() for k in keys])
        sigma = noise if noise is not None else robust_scale(r - medians[np.searchsorted(keys, labels)])
        if not sigma > 0:
            sigma = np.finfo(float).eps * max(1.0, np.abs(r).max())
        z = medians / (1.2533 * sigma / np.sqrt(counts))
        rms = float(np.sqrt(np.mean(z**2)))
        if rms >= best[0]:
            best = (rms, float(np.abs(medians).max()), name)
    structure = _check("residual_structure", best[0], note=f"grouped by {best[2]}")
    structure = Check(*[getattr(structure, f) for f in ("name", "value", "threshold", "passed", "refuses", "note")],
                      needs="structure_size")
    size = _check("structure_size", best[1], note=f"largest bin median of the log-loss residuals, by {best[2]}")
    size = Check(*[getattr(size, f) for f in ("name", "value", "threshold", "passed", "refuses", "note")],
                 needs="residual_structure")
    return structure, size


# ---------------------------------------------------------------- Approach 3
def _hessian_condition(objective, x: np.ndarray) -> float:
    """Condition number of the central-difference Hessian of ``objective`` at ``x``."""
    k = x.size
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            value = (objective(x + ei + ej) - objective(x + ei - ej) - objective(x - ei + ej)
                     + objective(x - ei - ej)) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = value
    eig = np.abs(np.linalg.eigvalsh(hess))
    return float(eig.max() / eig.min()) if eig.min() > 0 else np.inf


def assess_approach3(fit, n_params, n_tokens, loss, *, samples=None, noise: float | None = None,
                     flops: float | None = None) -> Quality:
    """The gate on an Approach 3 fit (Section 3.3, Eq. 2) of the runs it was fitted to.

    Parameters
    ----------
    fit : Approach3Fit
    n_params, n_tokens, loss : arrays
        The runs fitted.
    samples : DataFrame, optional
        Bootstrap resamples (``Approach3Bootstrap.samples``: ``E``, ``a``, ``converged``).
    noise : float, optional
        One run's scatter in log loss (seed pairs); default the residuals' robust scale.
    flops : float, optional
        A planned budget: adds the ``extrapolation`` check.
    """
    n, d, y = (np.asarray(v, dtype=float) for v in (n_params, n_tokens, loss))
    residuals = np.log(y) - np.log(fit.predict(n, d))
    checks = []
    if samples is not None:
        ok = samples["converged"].to_numpy(bool)
        checks += bootstrap_checks(np.where(ok, samples["a"].to_numpy(float), np.nan))
        e = samples["E"].to_numpy(float)[ok]
        width = np.diff(percentile_interval(e, 0.8))[0] / fit.E if e.size >= 2 else np.nan
        checks.append(_check("E_spread", width, note="10-90% range of E over E"))
    checks.append(_check("E_floor", fit.E / y.min(), note="E over the lowest loss"))
    checks.append(_check("exponent_floor", min(fit.alpha, fit.beta), note="the smaller of alpha, beta"))
    checks.append(_check("exponent_ceiling", max(fit.alpha, fit.beta), note="the larger of alpha, beta"))
    sigma = noise if noise is not None else robust_scale(residuals)
    loss_noise = max(sigma, 1e-12) * y.min()
    checks.append(_check("E_above_losses", (fit.E - y.min()) / loss_noise,
                         note=f"E = {fit.E:.4g}, lowest loss {y.min():.4g}, noise {loss_noise:.2g}"))
    checks += residual_structure(residuals, {"size": np.log(n), "compute": np.log(6 * n * d)}, noise=noise)
    checks.append(_check("conditioning", _approach3_condition(fit, n, d, y)))
    if flops is not None:
        checks.append(extrapolation_check(flops, float((6 * n * d).max())))
    return Quality.of(checks)


def _approach3_condition(fit, n, d, y) -> float:
    from .parametric.objective import DEFAULT_DELTA

    log_n, log_d, log_y = np.log(n), np.log(d), np.log(y)
    delta = getattr(fit, "delta", DEFAULT_DELTA)

    def objective(x):
        a, b, e, alpha, beta = x
        pred = np.logaddexp(np.logaddexp(a - alpha * log_n, b - beta * log_d), e)
        r = np.abs(pred - log_y)
        return float(np.sum(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))

    x = np.array([fit.log_A, fit.log_B, fit.log_E, fit.alpha, fit.beta])
    return _hessian_condition(objective, x)


# ---------------------------------------------------------------- Approach 2
def _curvature_p(log_c: np.ndarray, log_n: np.ndarray) -> float:
    """p-value of the quadratic term of ln N_opt in ln C (an F-test against the line); 1 when k < 4."""
    from scipy import stats

    k = log_c.size
    if k < 4:
        return 1.0
    x = log_c - log_c.mean()
    rss1 = np.sum((log_n - np.polyval(np.polyfit(x, log_n, 1), x)) ** 2)
    rss2 = np.sum((log_n - np.polyval(np.polyfit(x, log_n, 2), x)) ** 2)
    scale = np.finfo(float).eps * max(1.0, float(np.sum(log_n**2)))
    if rss1 <= 1e3 * scale:  # on a line to rounding: no bend to test
        return 1.0
    f = (rss1 - rss2) / max(rss2 / (k - 3), scale)
    return float(stats.f.sf(f, 1, k - 3))


def assess_approach2(fit, *, flops: float | None = None) -> Quality:
    """The gate on an Approach 2 fit (Section 3.2): budgets used, the bootstrap of a, a bend across budgets."""
    used = fit.budgets[fit.budgets["used"]]
    checks = [_check("budgets_used", len(used))]
    if fit.n_bootstrap:
        checks += bootstrap_checks(fit.a_samples, level=fit.level)
    if len(used) >= 2:
        checks.append(_check("curvature_p", _curvature_p(np.log(used["budget"].to_numpy(float)),
                                                         np.log(used["n_opt"].to_numpy(float))),
                             note="a bend of ln N_opt in ln C (F-test, quadratic against line)"))
    if flops is not None:
        checks.append(extrapolation_check(flops, float(used["budget"].max())))
    return Quality.of(checks)


# ---------------------------------------------------------------- Approach 1
def assess_approach1(fit, *, sizes=None, ends=None, a_samples=None, flops: float | None = None) -> Quality:
    """The gate on an Approach 1 fit (Section 3.1): who holds the envelope, and over how many decades.

    Parameters
    ----------
    fit : EnvelopeResult
    sizes : array, optional
        Every model size in the runs (default: the sizes on the envelope); the smallest and the
        largest say nothing about the optimum where they hold the envelope.
    ends : array, optional
        Each training curve's final compute.  Below the earliest end every point of the envelope is a
        checkpoint before the end of its schedule; ``finished_holder_share`` judges the envelope from
        there up (one size holding most of it cannot decide a).
    a_samples : array, optional
        Bootstrap replicates of a (a grid of runs, ``run_grid.grid_approach1``).
    flops : float, optional
        A planned budget: adds the ``extrapolation`` check.
    """
    env = fit.envelope
    holders = env["n_params"].to_numpy(float)
    log_c = np.log10(env["flops"].to_numpy(float))
    sizes = np.unique(holders if sizes is None else np.asarray(sizes, dtype=float))
    values, counts = np.unique(holders, return_counts=True)
    share = counts.max() / holders.size
    holder = values[np.argmax(counts)]
    interior = (holders > sizes.min()) & (holders < sizes.max())
    decades = float(log_c[interior].max() - log_c[interior].min()) if interior.sum() >= 2 else 0.0
    checks = [_check("sizes_on_envelope", values.size),
              _check("envelope_holder_share", share, note=f"held by the size {holder:.3g}"),
              _check("interior_decades", decades, note=f"of {log_c.max() - log_c.min():.2f} decades fitted")]
    if ends is not None:
        first_end = float(np.min(np.asarray(ends, dtype=float)))
        late = holders[env["flops"].to_numpy(float) >= first_end]
        if late.size >= 2:
            late_values, late_counts = np.unique(late, return_counts=True)
            late_share, late_holder = late_counts.max() / late.size, late_values[np.argmax(late_counts)]
            note = (f"held by the size {late_holder:.3g} over the {log_c.max() - np.log10(first_end):.2f} decades "
                    f"above the first curve's end ({first_end:.3g} FLOPs)")
        else:
            late_share, note = np.nan, f"the envelope never reaches the first curve's end ({first_end:.3g} FLOPs)"
        checks.append(_check("finished_holder_share", late_share, note=note))
    if a_samples is not None:
        checks += bootstrap_checks(a_samples)
    if flops is not None:
        checks.append(extrapolation_check(flops, float(10 ** log_c.max())))
    return Quality.of(checks)
