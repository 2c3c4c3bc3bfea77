"""Diagnostics of an Approach 1 envelope: sliding exponents, horizons, end points, switches, margins, scatter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._validate import positive_array, positive_int, positive_scalar
from ...laws.powerlaw import fit_log_log_line
from ...stats import robust_scale
from .fit import lower_envelope

__all__ = ["sliding_exponents", "envelope_horizons", "staircase_resolution", "endpoint_table", "envelope_switches",
           "envelope_margin", "curve_scatter"]

# --------------------------------------------------------------------------
# Diagnostics of envelopes and training curves
# --------------------------------------------------------------------------

def sliding_exponents(envelope: pd.DataFrame, *, decades: float = 3.0, step: float = 0.1) -> pd.DataFrame:
    """The exponent a fitted to windows of the envelope ``decades`` wide, moved by ``step`` decades.

    Returns
    -------
    DataFrame
        ``centre`` (FLOPs at the window's log-centre) and ``a``.
    """
    decades = positive_scalar("decades", decades, hint="window width in decades of FLOPs")
    step = positive_scalar("step", step, hint="decades")
    logc = np.log10(envelope["flops"].to_numpy(float))
    n = envelope["n_params"].to_numpy(float)
    rows = []
    for start in np.arange(logc.min(), logc.max() - decades + 1e-9, step):
        inside = (logc >= start) & (logc <= start + decades)
        if np.unique(n[inside]).size >= 2:
            rows.append({"centre": 10 ** (start + decades / 2), "a": fit_log_log_line(10 ** logc[inside], n[inside])[0]})
    if not rows:
        raise ValueError(f"the envelope spans less than {decades} decades with two model sizes")
    return pd.DataFrame(rows)


def envelope_horizons(envelope: pd.DataFrame, curves: pd.DataFrame) -> pd.Series:
    """Tokens per parameter at the end of the winning run's schedule, for every envelope point.

    ``curves`` is :func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`
    output (columns ``run``, ``n_params``, ``horizon``).
    """
    per_run = curves.groupby("run")[["horizon", "n_params"]].first()
    ratio = (per_run["horizon"] / per_run["n_params"]).map(lambda r: float(f"{r:.9g}"))  # drop rounding noise
    return pd.Series(ratio.loc[envelope["curve"]].to_numpy(), index=envelope.index, name="tokens_per_param")


def staircase_resolution(n_params, flops_range) -> float:
    """Rough exponent resolution of an argmin staircase: ln(largest neighbouring size ratio) / ln(C range).

    The argmin model is one of the sampled sizes, so ln N_opt is known only to
    within a step between neighbouring sizes; spread over a FLOP range this
    bounds how well a slope can be pinned down.
    """
    sizes = np.unique(positive_array("n_params", n_params, hint="raw parameter counts"))
    lo, hi = positive_array("flops_range", flops_range, hint="(low, high) in FLOPs")
    if sizes.size < 2 or hi <= lo:
        raise ValueError("need at least two model sizes and a FLOP range with low < high")
    return float(np.log(np.max(sizes[1:] / sizes[:-1])) / np.log(hi / lo))


def _loss_near(curve: pd.DataFrame, flops: float, decades: float) -> float:
    """Median loss of one curve over the ``decades`` of FLOPs up to ``flops`` (NaN if not reached).

    Where the curve has no point in that window (a gap just below ``flops``), the loss of its last
    point before ``flops``.
    """
    c = curve["flops"].to_numpy(float)
    if flops > c.max() * (1 + 1e-9) or flops < c.min():
        return np.nan
    before = c <= flops * (1 + 1e-9)
    near = before & (c >= flops * 10 ** (-decades))
    if not near.any():
        near = c == c[before].max()
    return float(np.median(curve["loss"].to_numpy(float)[near]))


def endpoint_table(curves: pd.DataFrame, *, decades: float = 0.01) -> pd.DataFrame:
    """Every model's loss at the budget where each model's run ends.

    Parameters
    ----------
    curves : DataFrame
        Columns ``model``, ``n_params``, ``flops``, ``loss`` (e.g. the LLaMA-1 curves).
    decades : float, default 0.01
        Losses are medians over this many decades of FLOPs just below the
        budget, which damps digitisation noise and spikes.

    Returns
    -------
    DataFrame
        One row per run end: ``ends`` (model whose run ends there), ``flops``
        and one column per model (NaN where that model's run ended earlier),
        ``best`` (the lowest) and ``margin`` (second-lowest minus lowest).
    """
    decades = positive_scalar("decades", decades, hint="e.g. 0.01")
    order = curves.groupby("model")["n_params"].first().sort_values().index
    rows = []
    for model in order:
        end = float(curves.loc[curves["model"] == model, "flops"].max())
        row = {"ends": model, "flops": end}
        for other in order:
            row[other] = _loss_near(curves[curves["model"] == other], end, decades)
        rows.append(row)
    table = pd.DataFrame(rows)
    losses = table[list(order)]
    table["best"] = losses.idxmin(axis=1)
    ranked = np.sort(losses.to_numpy(float), axis=1)
    table["margin"] = ranked[:, 1] - ranked[:, 0]
    return table


def envelope_switches(envelope: pd.DataFrame, pair: tuple[str, str]) -> tuple[int, float]:
    """How often the envelope's argmin curve changes, and the share of changes within ``pair``.

    Parameters
    ----------
    envelope : DataFrame
        :func:`lower_envelope` output (column ``curve``).
    pair : (str, str)
        Two curve names, e.g. two models whose curves nearly coincide.

    Returns
    -------
    (int, float)
        Number of switches, and the fraction of them between the two curves of ``pair``
        (NaN when the argmin never switches).
    """
    curve = envelope["curve"].to_numpy()
    changes = [{a, b} for a, b in zip(curve[:-1], curve[1:]) if a != b]
    if not changes:
        return 0, float("nan")
    return len(changes), sum(c == set(pair) for c in changes) / len(changes)


def envelope_margin(curves: pd.DataFrame, **options) -> pd.DataFrame:
    """The lower envelope plus, at every FLOP value, how far the runner-up curve is above it.

    ``options`` go to :func:`lower_envelope` (use
    ``curve_col`` naming one curve per model, e.g. ``"model"``).  The
    runner-up at a FLOP value is the envelope of all curves except the winner
    there (NaN where only the winner is defined).

    Returns
    -------
    DataFrame
        The envelope's columns plus ``margin`` (nats).
    """
    col = options.get("curve_col") or "model"
    env = lower_envelope(curves, **options)
    margin = np.full(len(env), np.nan)
    for name in env["curve"].unique():
        others = curves[curves[col] != name]
        if others[col].nunique() == 0:
            continue
        rest = lower_envelope(others, **{**options, "min_overlap": 1})
        second = np.interp(np.log(env["flops"]), np.log(rest["flops"]), rest["loss"], left=np.nan, right=np.nan)
        here = (env["curve"] == name).to_numpy()
        margin[here] = second[here] - env["loss"].to_numpy()[here]
    return env.assign(margin=margin)


def curve_scatter(curves: pd.DataFrame, *, points: int = 31) -> float:
    """Robust point-to-point scatter of digitised training curves (nats).

    Each curve (``model``, sorted by ``flops``) minus its running median over
    ``points`` points; returns 1.4826 x the median absolute residual over all
    curves, a noise level that spikes do not inflate.
    """
    from scipy.ndimage import median_filter

    points = positive_int("points", points)
    residuals = []
    for _, curve in curves.groupby("model"):
        loss = curve.sort_values("flops")["loss"].to_numpy(float)
        residuals.append(loss - median_filter(loss, size=points, mode="nearest"))
    res = np.concatenate(residuals)
    return robust_scale(res)
