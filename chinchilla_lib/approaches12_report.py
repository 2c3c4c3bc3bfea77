"""Report and plotting helpers for the chapters *Approach 1* and *Approach 2*.

The estimators themselves live in :mod:`chinchilla_lib.isoflop` (Approach 2,
Hoffmann et al. 2022 Section 3.2) and :mod:`chinchilla_lib.envelope`
(Approach 1, Section 3.1); synthetic data come from
:mod:`chinchilla_lib.simulate`.  This module holds what the two chapters (and
the scorecard rows in :mod:`chinchilla_lib.checks_approaches12`) compute *with*
them, so that chapter cells stay short:

* the Figure-4 points grouped into IsoFLOP budgets and fitted
  (:func:`fig4_runs`, :func:`fig4_fit`, :func:`profile_placement`,
  :func:`projection_table`);
* the Porian et al. (2024) configurations: our exponents by three methods
  against theirs, and their per-budget optima against ours
  (:func:`porian_table`, :func:`porian_optima`, :func:`exponent_from_their_optima`);
* the biases of the parabola estimator on simulated profiles
  (:func:`vertex_ratio`, :func:`vertex_ratio_approx`, :func:`drift_error`,
  :func:`noise_study`);
* Approach 1 on simulated and on LLaMA-1 curves (:func:`interior_range`,
  :func:`sliding_exponents`, :func:`envelope_horizons`,
  :func:`staircase_resolution`, :func:`llama1_curves`, :func:`endpoint_table`,
  :func:`envelope_margin`);
* two figure helpers (:func:`plot_profiles`, :func:`plot_staircase`).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.interpolate import Akima1DInterpolator

from ._validate import positive_array, positive_int, positive_scalar
from .envelope import lower_envelope
from .isoflop import (FIG4_GROUPING, IsoFLOPResult, IsoFLOPWarning, fit_budget, fit_isoflop, fit_isoflop_frame,
                      group_budgets)
from .laws import ParametricLaw
from .powerlaw import fit_log_log_line
from .simulate import simulate_isoflop

__all__ = [
    "FIG4_GROUPING",
    "fig4_runs",
    "fig4_fit",
    "profile_placement",
    "residual_scale",
    "projection_table",
    "share_above_optimum",
    "porian_step",
    "porian_fits",
    "method_ratio",
    "porian_table",
    "porian_optima",
    "exponent_from_their_optima",
    "vertex_ratio",
    "vertex_ratio_approx",
    "drift_error",
    "noise_study",
    "width_study",
    "interior_range",
    "sliding_exponents",
    "envelope_horizons",
    "staircase_resolution",
    "LLAMA_MIN_FRACTION",
    "llama1_curves",
    "envelope_switches",
    "size_straddle",
    "endpoint_table",
    "envelope_margin",
    "curve_scatter",
    "table_style",
    "plot_profiles",
    "plot_staircase",
]



# --------------------------------------------------------------------------
# Figure 4 (Hoffmann et al.): the IsoFLOP runs
# --------------------------------------------------------------------------

def fig4_runs() -> pd.DataFrame:
    """The points of Figure 4 with the budget each belongs to (NaN: not on an IsoFLOP strip).

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.datasets.load_hoffmann_fig4` plus ``budget``
        (:func:`~chinchilla_lib.isoflop.group_budgets` with :data:`FIG4_GROUPING`).
    """
    from .datasets import load_hoffmann_fig4

    runs = load_hoffmann_fig4()
    return runs.assign(budget=group_budgets(runs["flops"], **FIG4_GROUPING))


@lru_cache(maxsize=8)
def fig4_fit(n_bootstrap: int = 0, seed: int = 0, method: str = "parabola") -> IsoFLOPResult:
    """Approach 2 on the Figure-4 points (Section 3.2, Table 2), grouped with :data:`FIG4_GROUPING`.

    Cached: the same arguments return the same (frozen) result object.
    """
    from .datasets import load_hoffmann_fig4

    return fit_isoflop_frame(load_hoffmann_fig4(), method=method, n_bootstrap=n_bootstrap, seed=seed,
                             **FIG4_GROUPING)


def _parabola_residuals(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.Series:
    """Loss minus the budget's fitted parabola, for every run with a budget."""
    coef = fit.budgets.set_index("budget")[["c2", "c1", "c0"]]
    on = runs.dropna(subset=["budget"])
    c = coef.loc[on["budget"]].to_numpy()
    x = np.log(on["n_params"].to_numpy())
    return pd.Series(on["loss"].to_numpy() - (c[:, 0] * x**2 + c[:, 1] * x + c[:, 2]), index=on.index)


def residual_scale(runs: pd.DataFrame, fit: IsoFLOPResult) -> float:
    """Robust scatter of the runs about their budgets' parabolas: 1.4826 x median |residual| (nats).

    ``runs`` needs ``n_params``, ``loss`` and ``budget`` (as :func:`fig4_runs`);
    ``fit`` the parabola fit of the same runs.  The median ignores the few
    far-off points in the tails of the profiles, where a parabola does not fit.
    """
    res = _parabola_residuals(runs, fit)
    return float(1.4826 * np.median(np.abs(res - np.median(res))))


def profile_placement(runs: pd.DataFrame, fit: IsoFLOPResult) -> pd.DataFrame:
    """Where each budget's model sizes sit relative to its fitted optimum, in decades of N.

    Returns
    -------
    DataFrame
        ``budget``, ``n_runs``, ``half_width`` (half the log10 range of the
        sizes), ``offset`` (mean log10 size minus log10 N_opt: positive when
        the sizes lean to larger models) and ``n_opt``.
    """
    on = runs.dropna(subset=["budget"])
    logn = np.log10(on["n_params"])
    grouped = logn.groupby(on["budget"])
    table = pd.DataFrame({
        "n_runs": grouped.size(),
        "half_width": (grouped.max() - grouped.min()) / 2,
        "centre": grouped.mean(),
    })
    table["n_opt"] = fit.budgets.set_index("budget")["n_opt"].reindex(table.index)
    table["offset"] = table["centre"] - np.log10(table["n_opt"])
    return table.reset_index()[["budget", "n_runs", "half_width", "offset", "n_opt"]]


def share_above_optimum(runs: pd.DataFrame, fit: IsoFLOPResult, *, budget_col: str = "budget") -> float:
    """Fraction of runs larger than their budget's fitted N_opt (budgets that entered the fit).

    A well-centred IsoFLOP grid gives about one half; a grid that reaches far
    past the optimum towards large models gives much more.
    """
    optimum = runs[budget_col].map(fit.budgets.loc[fit.budgets["used"]].set_index("budget")["n_opt"])
    known = optimum.notna()
    if not known.any():
        raise ValueError("no run belongs to a budget that entered the fit")
    return float((runs.loc[known, "n_params"] > optimum[known]).mean())


def projection_table(fit, approach: int) -> pd.DataFrame:
    """A fitted allocation against the paper's projections (Table 3 / Table A3) for one approach.

    For each printed model size N, the budget at which ``fit`` makes N
    compute-optimal, C = (N / n_coef)^(1/a), and the tokens D = C / (6N).

    Returns
    -------
    DataFrame
        ``n_params``, ``flops_paper``, ``flops_ours``, ``tokens_paper``,
        ``tokens_ours``, ``flops_ratio`` (ours / paper).
    """
    from .datasets import load_table

    proj = load_table("projections")
    proj = proj[proj["approach"] == approach]
    if proj.empty:
        raise ValueError(f"no projections for approach {approach!r} in data/projections.csv")
    n = proj["n_params"].to_numpy(float)
    flops = (n / fit.n_coef) ** (1.0 / fit.a)
    return pd.DataFrame({
        "n_params": n,
        "flops_paper": proj["flops"].to_numpy(float),
        "flops_ours": flops,
        "tokens_paper": proj["n_tokens"].to_numpy(float),
        "tokens_ours": flops / (6.0 * n),
        "flops_ratio": flops / proj["flops"].to_numpy(float),
    })


# --------------------------------------------------------------------------
# Porian et al. (2024)
# --------------------------------------------------------------------------

_PORIAN_STEPS = {
    ("base", "long", "kaplan"): "Kaplan's setting",
    ("base", "short", "kaplan"): "+ short warm-up",
    ("base", "short", "chinchilla"): "+ cosine to run end",
    ("tuned", "short", "const"): "+ tuned AdamW",
    ("tuned", "long", "const"): "Kaplan's, tuned AdamW",
}
_PORIAN_DATA = {"rw": "RefinedWeb", "owt2": "OpenWebText2"}
_PORIAN_COUNTS = {"kaplan": "", "standard": "", "attention": " [attn]"}


def porian_step(configuration: str, *, with_data: bool = False) -> str:
    """A short description of one Porian et al. configuration (after the labels of their ``configs.py``).

    ``configuration`` is a name of
    :func:`~chinchilla_lib.datasets.porian_configurations`, the fields
    ``dataset-hparams-warmup-decay-param_count-val`` joined by dashes.  Their
    sequence of fixes: Kaplan's setting (N without embeddings or the last
    layer); counting the last layer's parameters and FLOPs; a short warm-up; a
    cosine schedule that ends with the run ("chinchilla" decay); tuned AdamW
    hyper-parameters with a constant learning rate.  A third series counts
    attention FLOPs in N (suffix ``[attn]``).  ``with_data`` prefixes the data set's name.
    """
    fields = configuration.split("-")
    if len(fields) != 6:
        raise ValueError(f"not a Porian configuration name (6 fields joined by '-'): {configuration!r}")
    _, hparams, warmup, decay, param_count, _ = fields
    step = _PORIAN_STEPS.get((hparams, warmup, decay), f"{hparams}/{warmup}/{decay}")
    if (hparams, warmup, decay) == ("base", "long", "kaplan") and param_count == "standard":
        step = "+ last layer counted"
    text = step + _PORIAN_COUNTS.get(param_count, f" ({param_count})")
    return f"{_PORIAN_DATA.get(fields[0], fields[0])}, {text}" if with_data else text


@lru_cache(maxsize=4)
def _porian_fits_cached(method: str, window: int | None) -> pd.DataFrame:
    from .isoflop import porian_exponents

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        return porian_exponents(method=method, window=window)


def porian_fits(method: str = "akima", window: int | None = None) -> pd.DataFrame:
    """:func:`~chinchilla_lib.isoflop.porian_exponents` for one method, computed once per process.

    Unbracketed budgets are left out silently (their warnings are not shown).
    Returns a copy of the cached table.
    """
    return _porian_fits_cached(method, window).copy()


@lru_cache(maxsize=1)
def _porian_table_cached() -> pd.DataFrame:
    akima = porian_fits("akima")
    names = list(akima["configuration"])
    parabola = porian_fits("parabola").set_index("configuration").loc[names]
    window5 = porian_fits("parabola", 5).set_index("configuration").loc[names]
    fields = [name.split("-") for name in names]
    return pd.DataFrame({
        "configuration": names,
        "data": [_PORIAN_DATA.get(f[0], f[0]) for f in fields],
        "setting": [porian_step(name) for name in names],
        "loss": [{"val": "validation", "train": "training"}.get(f[5], f[5]) for f in fields],
        "theirs": akima["theirs"].to_numpy(float),
        "akima": akima["ours"].to_numpy(float),
        "parabola": parabola["ours"].to_numpy(float),
        "parabola_window5": window5["ours"].to_numpy(float),
        "budgets_used_akima": akima["n_used"].to_numpy(int),
        "budgets_used_parabola": parabola["n_used"].to_numpy(int),
    })


def porian_table() -> pd.DataFrame:
    """Porian et al.'s N* exponent for every configuration against ours, by three methods.

    Columns: ``configuration``, ``data``, ``setting`` (:func:`porian_step`),
    ``loss`` (validation or training), ``theirs``
    (``fit_results['basic']['n_exponent']``), ``akima`` (their method,
    :func:`~chinchilla_lib.isoflop.porian_exponents` with ``method="akima"``),
    ``parabola`` (Hoffmann et al.'s), ``parabola_window5`` (parabola on the 5
    runs nearest the lowest loss), and the budgets each fit used.  Computed
    once per process (cached); a copy is returned.

    References
    ----------
    Porian et al. 2024 (arXiv 2406.19146), Figure 1 and their ``analysis.py``.
    """
    return _porian_table_cached().copy()


@lru_cache(maxsize=1)
def _porian_summary() -> pd.DataFrame:
    from .datasets import porian_summaries  # their per-budget interpolation results, hash-checked

    return porian_summaries().set_index("configuration")


@lru_cache(maxsize=1)
def _porian_runs() -> pd.DataFrame:
    from .datasets import load_porian

    return load_porian()


def _their_budgets(configuration: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = _porian_summary()
    if configuration not in summary.index:
        raise ValueError(f"unknown Porian configuration {configuration!r}")
    row = summary.loc[configuration]
    return row["data"], row["optimal_pairs"]


def porian_optima(configuration: str) -> pd.DataFrame:
    """Per budget: Porian et al.'s optimum N* (two ways) against our Akima minimum.

    Their published ``optimal_pairs`` hold, for every budget, the median of
    N* over 1,000 replicates in which seed noise was added to every loss
    (``theirs``); their ``data`` table holds the argmin of the Akima curve of
    the unperturbed losses (``theirs_argmin``).  ``ours`` is
    :func:`~chinchilla_lib.isoflop.fit_budget` with ``method="akima"``.

    Returns
    -------
    DataFrame
        ``budget``, ``theirs``, ``theirs_argmin``, ``ours`` (NaN where a
        minimum is not bracketed) and ``n_replicates`` (their noisy
        replicates with an interior minimum, behind ``theirs``; 0 when
        none).
    """
    data, pairs = _their_budgets(configuration)
    runs = _porian_runs()
    runs = runs[runs["configuration"] == configuration]
    rows = []
    for _, b in data.iterrows():
        budget = float(b["flops"])
        members = runs[runs["flops"] == budget]
        if members["n_params"].nunique() < 3:
            continue
        ours = fit_budget(members["n_params"], members["loss"], budget=budget, method="akima")
        argmin = np.nan
        if np.isfinite(b["opt_ind"]):
            i = int(b["opt_ind"])
            if 0 < i < len(b["n_interp"]) - 1:
                argmin = float(b["n_interp"][i])
        theirs = pairs.loc[pairs["flops"] == budget, "n"]
        stars = b.get("n_stars")
        rows.append({
            "budget": budget,
            "theirs": float(theirs.iloc[0]) if len(theirs) and pd.notna(theirs.iloc[0]) else np.nan,
            "theirs_argmin": argmin,
            "ours": ours.n_opt if ours.bracketed else np.nan,
            "n_replicates": len(stars) if isinstance(stars, (list, np.ndarray)) else 0,
        })
    return pd.DataFrame(rows)


def method_ratio(runs: pd.DataFrame) -> pd.Series:
    """Per budget, the parabola's N_opt over the Akima minimum, for budgets both methods use.

    ``runs`` has ``n_params``, ``flops`` (exact budgets) and ``loss``, e.g. one
    Porian et al. configuration.  A ratio that is the same at every budget
    biases only the coefficient of the power law; one that varies biases the
    exponent.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        akima = fit_isoflop_frame(runs, method="akima", n_bootstrap=0).budgets.set_index("budget")
        parabola = fit_isoflop_frame(runs, n_bootstrap=0).budgets.set_index("budget")
    both = akima["used"] & parabola["used"]
    return (parabola["n_opt"] / akima["n_opt"])[both].rename("ratio")


def exponent_from_their_optima(configuration: str) -> float:
    """The N* exponent from Porian et al.'s own per-budget optima, fitted by our log-log least squares."""
    _, pairs = _their_budgets(configuration)
    pairs = pairs.dropna(subset=["n"])
    return fit_log_log_line(pairs["flops"].to_numpy(float), pairs["n"].to_numpy(float))[0]


# --------------------------------------------------------------------------
# Biases of the parabola estimator (simulated profiles)
# --------------------------------------------------------------------------

def vertex_ratio(law: ParametricLaw, *, width: float, shift: float = 0.0, n_sizes: int = 9,
                 budget: float = 1e20, method: str = "parabola") -> float:
    """N_opt estimated from one noise-free IsoFLOP profile over the true N_opt.

    The sizes are ``n_sizes`` log-spaced values ``width`` decades either side of
    ``N_opt * 10**shift`` (:func:`~chinchilla_lib.simulate.simulate_isoflop`).
    In u = ln(N / N_opt) the profile is E + K(C) (exp(-alpha u) + (alpha/beta)
    exp(beta u)), so the ratio does not depend on ``budget``.
    """
    runs = simulate_isoflop(law, [budget], n_sizes=n_sizes, width=width, shift=shift)
    fit = fit_budget(runs["n_params"], runs["loss"], budget=budget, method=method)
    return fit.n_opt / float(runs["n_opt_true"].iloc[0])


def vertex_ratio_approx(alpha: float, beta: float, *, width: float, n_sizes: int = 9) -> float:
    """Leading-order vertex error of a centred parabola: exp((alpha - beta)/6 * m4/m2).

    Expanding the profile about the optimum, the first asymmetric term is
    alpha (beta^2 - alpha^2) u^3 / 6 (u = ln N - ln N_opt, in units of the
    profile's scale); on a symmetric grid least squares turns u^3 into
    (m4/m2) u, with m_k the k-th moment of the grid, which moves the vertex by
    (alpha - beta) m4 / (6 m2).  For a continuous grid of half-width w (in
    ln N), m4/m2 = 3 w^2 / 5.  Accurate while that shift is small.
    """
    positive_scalar("width", width, hint="decades either side of the optimum")
    u = np.linspace(-width, width, positive_int("n_sizes", n_sizes)) * np.log(10.0)
    m2, m4 = np.mean(u**2), np.mean(u**4)
    return float(np.exp((alpha - beta) / 6.0 * m4 / m2))


def drift_error(law: ParametricLaw, budgets, *, drift: float, width: float = 0.5, n_sizes: int = 9) -> float:
    """Error in the exponent a when the sampling centre drifts across the budgets.

    The centre moves linearly in log C from ``-drift/2`` to ``+drift/2``
    decades off the true optimum (smallest to largest budget).  Returns the
    fitted a minus the law's a (noise-free, so this is pure estimator bias).
    """
    c = positive_array("budgets", budgets, hint="compute budgets in FLOPs")
    shifts = np.linspace(-drift / 2.0, drift / 2.0, c.size)
    runs = simulate_isoflop(law, c, n_sizes=n_sizes, width=width, shift=shifts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        fit = fit_isoflop_frame(runs, n_bootstrap=0)
    return fit.a - law.a


def noise_study(law: ParametricLaw, n_params, flops, *, noise: float, n_seeds: int = 200,
                seed: int = 0) -> np.ndarray:
    """Exponents a fitted to the law's losses at a fixed design plus Gaussian noise.

    Parameters
    ----------
    law : ParametricLaw
        The true law; losses are ``law.loss(N, C / (6N))`` at the design.
    n_params, flops : array of float
        The design: one model size and one (exact) budget per run, e.g. the
        Figure-4 runs with their budgets.
    noise : float
        Standard deviation of the noise added to every loss (nats).
    n_seeds : int, default 200
        Independent noise draws (seeds ``seed, seed + 1, ...``).

    Returns
    -------
    ndarray
        One fitted a per draw (NaN when fewer than 2 budgets had a usable minimum).
    """
    n = positive_array("n_params", n_params, hint="parameters as raw counts")
    c = positive_array("flops", flops, hint="compute in FLOPs")
    if noise < 0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    clean = np.asarray(law.loss(n, c / (6.0 * n)))
    out = np.full(positive_int("n_seeds", n_seeds), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        for i in range(out.size):
            rng = np.random.default_rng(seed + i)
            try:
                out[i] = fit_isoflop(n, c, clean + noise * rng.standard_normal(n.size), n_bootstrap=0).a
            except ValueError:
                pass
    return out


def width_study(law: ParametricLaw, budgets, widths, *, noise: float, n_sizes: int = 9, n_seeds: int = 200,
                seed: int = 0, level: float = 0.8) -> pd.DataFrame:
    """How the sampling width trades noise against the parabola's bias (Section 3.2).

    For every half-width in ``widths`` (decades of N either side of the true
    optimum) the runs of :func:`~chinchilla_lib.simulate.simulate_isoflop` are
    refitted under ``n_seeds`` noise draws (:func:`noise_study`).

    Returns
    -------
    DataFrame
        ``width``, ``a_low``, ``a_median``, ``a_high`` (the central ``level``
        range of the fitted a over the draws) and ``vertex_ratio`` (the
        noise-free N_opt estimate over the truth, the same at every budget).
    """
    c = positive_array("budgets", budgets, hint="compute budgets in FLOPs")
    rows = []
    for width in np.atleast_1d(np.asarray(widths, dtype=float)):
        runs = simulate_isoflop(law, c, n_sizes=n_sizes, width=width)
        a = noise_study(law, runs["n_params"], runs["flops"], noise=noise, n_seeds=n_seeds, seed=seed)
        lo, mid, hi = np.nanpercentile(a, [50 * (1 - level), 50, 50 * (1 + level)])
        rows.append({"width": float(width), "a_low": lo, "a_median": mid, "a_high": hi,
                     "vertex_ratio": vertex_ratio(law, width=width, n_sizes=n_sizes)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Approach 1: envelopes
# --------------------------------------------------------------------------

def interior_range(curves: pd.DataFrame, **options) -> tuple[float, float]:
    """FLOP range from the first to the last grid value where the envelope's argmin is an interior size.

    Below and above it the argmin is the smallest or the largest size sampled
    and says nothing about the optimum.  (Inside it an end size can still win
    here and there, e.g. where one of its runs ends its schedule.)
    ``options`` go to :func:`~chinchilla_lib.envelope.lower_envelope`.
    """
    env = lower_envelope(curves, **options)
    sizes = env["n_params"]
    inside = (sizes > sizes.min()) & (sizes < sizes.max())
    if not inside.any():
        raise ValueError("the envelope is only ever reached by the smallest or the largest model")
    return float(env.loc[inside, "flops"].min()), float(env.loc[inside, "flops"].max())


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

    ``curves`` is :func:`~chinchilla_lib.simulate.simulate_training_curves`
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


#: Share of the shortest LLaMA-1 run dropped from the start of every curve.
LLAMA_MIN_FRACTION = 0.05


def llama1_curves(min_fraction: float = LLAMA_MIN_FRACTION) -> pd.DataFrame:
    """The four LLaMA-1 training curves, without the start of each run.

    Drops the points before ``min_fraction`` of the shortest run's length
    (LLaMA-7B's): on the original linear token axis they are a few pixels
    wide, and the curves start at the top edge of the plot.

    Returns
    -------
    DataFrame
        :func:`~chinchilla_lib.datasets.load_llama_curves` rows of family LLaMA-1.
    """
    from .datasets import load_llama_curves

    frac = positive_scalar("min_fraction", min_fraction, hint="e.g. 0.05")
    curves = load_llama_curves()
    curves = curves[curves["family"] == "LLaMA-1"]
    shortest = curves.groupby("model")["n_tokens"].max().min()
    return curves[curves["n_tokens"] >= frac * shortest].reset_index(drop=True)


def _loss_near(curve: pd.DataFrame, flops: float, decades: float) -> float:
    """Median loss of one curve over the ``decades`` of FLOPs up to ``flops`` (NaN if not reached)."""
    c = curve["flops"].to_numpy(float)
    if flops > c.max() * (1 + 1e-9) or flops < c.min():
        return np.nan
    near = (c <= flops * (1 + 1e-9)) & (c >= flops * 10 ** (-decades))
    return float(np.median(curve["loss"].to_numpy(float)[near]))


def endpoint_table(curves: pd.DataFrame, *, decades: float = 0.01) -> pd.DataFrame:
    """Every model's loss at the budget where each model's run ends.

    Parameters
    ----------
    curves : DataFrame
        Columns ``model``, ``n_params``, ``flops``, ``loss`` (e.g. :func:`llama1_curves`).
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
        :func:`~chinchilla_lib.envelope.lower_envelope` output (column ``curve``).
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


def size_straddle(models: pd.DataFrame, law: ParametricLaw) -> tuple[pd.Series, float]:
    """Compute-optimal size of each run's budget under ``law``, and how far the sizes straddle it.

    Parameters
    ----------
    models : DataFrame
        Indexed by model, with ``n_params`` and ``n_tokens`` (one run each).
    law : ParametricLaw

    Returns
    -------
    (Series, float)
        N_opt(6 N D) per model, and the largest factor between a model's size and
        its N_opt, either way (1 when every run is compute-optimal).
    """
    flops = 6.0 * models["n_params"].to_numpy(float) * models["n_tokens"].to_numpy(float)
    n_law = pd.Series(law.optimal_allocation(flops)[0], index=models.index)
    ratio = n_law / models["n_params"]
    return n_law, float(max(1.0, ratio.max(), (1.0 / ratio).max()))


def envelope_margin(curves: pd.DataFrame, **options) -> pd.DataFrame:
    """The lower envelope plus, at every FLOP value, how far the runner-up curve is above it.

    ``options`` go to :func:`~chinchilla_lib.envelope.lower_envelope` (use
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
    return float(1.4826 * np.median(np.abs(res - np.median(res))))


# --------------------------------------------------------------------------
# Tables and figures
# --------------------------------------------------------------------------

def table_style(frame: pd.DataFrame, formats: dict | None = None):
    """The book's table look for a DataFrame: formatted, no index, padded cells that do not wrap."""
    return frame.style.format(formats or {}).hide(axis="index").set_table_styles(
        [{"selector": "td, th", "props": "padding: 2px 8px; white-space: nowrap; font-size: 0.88em"}]
    )


def _akima_curve(x: np.ndarray, y: np.ndarray, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    x_u, inverse = np.unique(x, return_inverse=True)
    y_u = np.full(x_u.size, np.inf)
    np.minimum.at(y_u, inverse, y)
    grid = np.linspace(x_u[0], x_u[-1], n)
    return grid, np.exp(Akima1DInterpolator(x_u, np.log(y_u))(grid))


def plot_profiles(ax, runs: pd.DataFrame, fit: IsoFLOPResult, *, cmap: str = "viridis",
                  budget_col: str = "budget", label_every: int = 1) -> None:
    """IsoFLOP profiles (loss against N, one colour per budget) with the fitted curves and minima.

    ``runs`` has ``n_params``, ``loss`` and the budget of every run in
    ``budget_col`` (NaN: drawn in grey, not fitted); ``fit`` is the
    :class:`~chinchilla_lib.isoflop.IsoFLOPResult` of those runs.  Parabolas
    are drawn from the stored coefficients; for ``method="akima"`` the Akima
    curve is recomputed.  Minima that entered the power-law fit are black
    diamonds; left-out budgets are drawn dashed.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    free = runs[runs[budget_col].isna()]
    if len(free):
        ax.scatter(free["n_params"], free["loss"], s=8, color=COLORS["data"], alpha=0.4, label="not on a strip")
    table = fit.budgets.set_index("budget")
    budgets = np.sort(runs[budget_col].dropna().unique())
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, budgets.size))
    for k, (budget, colour) in enumerate(zip(budgets, colours)):
        members = runs[runs[budget_col] == budget]
        label = f"{budget:.2g}" if k % label_every == 0 else None
        ax.scatter(members["n_params"], members["loss"], s=14, color=colour, label=label, zorder=3)
        x = np.log(members["n_params"].to_numpy(float))
        row = table.loc[budget]
        if fit.method == "akima":
            grid, curve = _akima_curve(x, members["loss"].to_numpy(float))
        else:
            grid = np.linspace(x.min(), x.max(), 200)
            curve = row["c2"] * grid**2 + row["c1"] * grid + row["c0"]
        ax.plot(np.exp(grid), curve, color=colour, lw=1.2, ls="-" if row["used"] else "--")
        if row["used"]:
            ax.scatter([row["n_opt"]], [row["loss_opt"]], marker="D", s=30, color="black", zorder=4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters N")
    ax.set_ylabel("final loss (nats per token)")


def plot_staircase(ax, envelope: pd.DataFrame, *, color_by: pd.Series | None = None,
                   relative_to=None, cmap: str = "viridis", label_format: str = "{:.0f} tokens/param") -> None:
    """The envelope's argmin model size against FLOPs (Figure 2, centre).

    Parameters
    ----------
    ax : matplotlib Axes
    envelope : DataFrame
        Output of :func:`~chinchilla_lib.envelope.lower_envelope`.
    color_by : Series, optional
        A category per envelope point (e.g. :func:`envelope_horizons`); each
        distinct value gets a colour and a legend entry (``label_format``).
    relative_to : array of float, optional
        Divide the argmin size by this (e.g. the true N_opt at each FLOP
        value) to show the staircase's error instead of the size.
    """
    from .plotting import COLORS

    size = envelope["n_params"].to_numpy(float)
    y = size if relative_to is None else size / np.asarray(relative_to, dtype=float)
    if color_by is None:
        ax.scatter(envelope["flops"], y, s=4, color=COLORS["approach1"], label="envelope argmin")
    else:
        import matplotlib.pyplot as plt

        values = np.sort(color_by.unique())
        colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, values.size))
        for value, colour in zip(values, colours):
            here = (color_by == value).to_numpy()
            ax.scatter(envelope["flops"][here], y[here], s=4, color=colour, label=label_format.format(value))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("FLOPs C")
    ax.set_ylabel("argmin model size N" if relative_to is None else "argmin N / true N_opt")
