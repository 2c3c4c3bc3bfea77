"""A predicted loss with an interval for the run that will be trained: the fit's spread and the seed noise.

An Approach 3 law (Eq. 2) predicts the *expected* final loss of a model; its bootstrap (the runs
resampled, Section 3.3) says how well the runs pin that expectation.  A run that is then trained
lands away from the expectation by seed-to-seed noise as well: the initialisation and the order of
the data.  The interval for what will be observed combines the two:

* :func:`pooled_seed_noise`: one run's scatter, from the runs trained with two or more seeds at
  the same budget and size (the pooled within-group standard deviation; for pairs,
  ``sqrt(sum(d^2) / (2 n))`` over their ``n`` differences ``d``, so the sd of a difference over
  sqrt 2), pooled over the grid and per budget;
* :func:`resampled_losses`: the loss L(N, D) (Eq. 2) under each law of an Approach 3 bootstrap;
* :func:`combined_interval`: the central interval of the mixture of normals, one per resampled
  law, centred at its loss with the seed noise as its sd (the distribution of "a law drawn from
  the bootstrap, plus one run's noise", solved exactly, without random draws); for the mean of
  ``k`` seeds the noise is divided by sqrt(k).

What the interval leaves out (a law of the wrong form, a noise that changes with scale) is named
where it is used (:func:`~chinchilla_lib.studies.unrepeated_grid.predict_unrepeated`).

References
----------
Hoffmann et al. 2022, Eq. 2 and Section 3.3 (the law and its fit); Besiroglu et al. 2024 (the
bootstrap over runs).  Used by the laptop chapter's second prediction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import check_level
from ..stats import percentile_interval

__all__ = ["pooled_seed_noise", "resampled_losses", "combined_interval"]


def _pooled(groups) -> tuple[float, int, int]:
    """(pooled sd, degrees of freedom, groups) of the groups of values with two or more members."""
    ss, dof, n = 0.0, 0, 0
    for values in groups:
        v = np.asarray(values, dtype=float)
        if v.size >= 2:
            ss += float(np.sum((v - v.mean()) ** 2))
            dof += v.size - 1
            n += 1
    return (float(np.sqrt(ss / dof)) if dof else float("nan")), dof, n


def pooled_seed_noise(runs: pd.DataFrame, *, by: tuple[str, ...] = ("budget", "model")) -> dict:
    """One run's seed-to-seed scatter of the final loss, from the runs repeated with other seeds.

    The runs are grouped by ``by`` (one budget and size); every group trained with two or more
    seeds adds its squared deviations from its own mean and its seeds less one to the pooled
    variance ``sum((x - mean)^2) / sum(k - 1)``.  For seed pairs that is ``sum(d^2) / (2 n)``: the
    difference of two runs has variance 2 sigma^2, and its mean is zero by symmetry (seed labels
    are arbitrary), so no degree of freedom is spent on it.

    Parameters
    ----------
    runs : DataFrame
        One row per run: ``loss`` (nats), ``seed`` and the columns of ``by`` (``budget`` among them).
    by : tuple of str
        The columns that make runs repeats of each other.

    Returns
    -------
    dict
        ``sd`` (nats), ``sd_log`` (of the log loss, the gate's unit), ``dof``, ``n_groups`` (groups with
        two or more seeds) and ``per_budget``: one dict per budget (``budget, sd, sd_log, dof, n_groups``).

    Raises
    ------
    ValueError
        When a column is missing or no group has two seeds.
    """
    missing = [c for c in ("loss", "seed", "budget", *by) if c not in runs.columns]
    if missing:
        raise ValueError(f"runs lacks column(s) {', '.join(sorted(set(missing)))}; give one row per run with loss, "
                         f"seed and {', '.join(by)}")
    runs = runs[list(dict.fromkeys([*by, "budget", "seed", "loss"]))].dropna()
    runs = runs.drop_duplicates(subset=[*by, "seed"], keep="first")
    groups = [g for _, g in runs.groupby(list(by)) if g["seed"].nunique() >= 2]
    if not groups:
        raise ValueError("runs has no budget and size trained with two or more seeds; the seed noise needs "
                         "repeated seeds: train the second seeds first")

    def summary(parts) -> dict:
        sd, dof, n = _pooled(p["loss"] for p in parts)
        sd_log, _, _ = _pooled(np.log(p["loss"]) for p in parts)
        return {"sd": sd, "sd_log": sd_log, "dof": dof, "n_groups": n}

    per_budget = [{"budget": float(b), **summary([g for g in groups if g["budget"].iloc[0] == b])}
                  for b in sorted({float(g["budget"].iloc[0]) for g in groups})]
    return {**summary(groups), "per_budget": per_budget}


def resampled_losses(samples: pd.DataFrame, n_params: float, n_tokens: float) -> np.ndarray:
    """L(N, D) = E + A / N^alpha + B / D^beta (Eq. 2) under each converged law of an Approach 3 bootstrap.

    ``samples`` is ``Approach3Bootstrap.samples`` (``log_E, log_A, log_B, alpha, beta``, ``converged``);
    resamples that did not converge are left out.
    """
    s = samples[samples["converged"].astype(bool)] if "converged" in samples.columns else samples
    return (np.exp(s["log_E"]) + np.exp(s["log_A"]) / float(n_params) ** s["alpha"]
            + np.exp(s["log_B"]) / float(n_tokens) ** s["beta"]).to_numpy(float)


def combined_interval(losses, noise_sd: float, level: float = 0.8, *, n_seeds: int = 1) -> tuple[float, float]:
    """The central ``level`` interval of a loss drawn as one resampled law's loss plus seed noise.

    The distribution is the mixture ``(1/K) sum_k Normal(losses[k], s^2)`` with ``s = noise_sd /
    sqrt(n_seeds)`` (the mean of ``n_seeds`` runs); its ``(1 - level)/2`` and ``(1 + level)/2``
    quantiles are found by root-finding on the mixture's distribution function, so no random draws
    enter.  With ``noise_sd = 0`` it is the percentile interval of ``losses``; with every loss equal
    to ``L``, it is ``L -/+ z s``, ``z`` the normal quantile (1.2816 at ``level`` 0.8).

    Parameters
    ----------
    losses : array of float
        The expected loss under each resampled law (:func:`resampled_losses`); non-finite ones are left out.
    noise_sd : float
        One run's seed noise, in the units of ``losses`` (:func:`pooled_seed_noise`), at least 0.
    level : float, default 0.8
        Coverage, strictly between 0 and 1 (0.8 is the paper's 10th-90th percentiles).
    n_seeds : int, default 1
        Seeds averaged in the observation the interval is for.

    Returns
    -------
    (float, float)
    """
    from scipy.optimize import brentq
    from scipy.stats import norm

    level = check_level(level)
    values = np.asarray(losses, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("losses must hold at least one finite loss (the resampled laws' losses)")
    if isinstance(noise_sd, bool) or not np.isfinite(noise_sd) or noise_sd < 0:
        raise ValueError(f"noise_sd must be a finite number >= 0 (one run's seed noise), got {noise_sd!r}")
    if isinstance(n_seeds, bool) or int(n_seeds) != n_seeds or n_seeds < 1:
        raise ValueError(f"n_seeds must be a positive whole number (seeds averaged), got {n_seeds!r}")
    scale = float(noise_sd) / np.sqrt(int(n_seeds))
    if scale == 0:
        return percentile_interval(values, level)
    lo, hi = values.min() - 12 * scale, values.max() + 12 * scale

    def quantile(q: float) -> float:
        return float(brentq(lambda x: norm.cdf((x - values) / scale).mean() - q, lo, hi, xtol=1e-12 * max(1.0, hi)))

    return quantile((1 - level) / 2), quantile((1 + level) / 2)
