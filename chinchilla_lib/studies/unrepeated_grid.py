"""The second IsoFLOP grid of our small GPTs (``isoflop-unrepeated``) and the prediction made from it alone.

The runs are ``chinchilla_lib/data/tinygpt_isoflop_unrepeated_runs.csv`` (sweep ``isoflop-unrepeated``,
:mod:`chinchilla_lib.train.sweep_unrepeated`): six budgets from 1.5625e11 to 5e12 FLOPs counted as
``C = 6 N D`` with ``N`` the total parameter count, two seeds at every run, no byte read twice.
This module reads them (no torch) and makes the prediction at
:data:`~chinchilla_lib.train.sweep_unrepeated.PREDICTION_FACTOR` times the largest budget:

* :func:`approach_answers`: each approach's exponent a and N_opt at the budget with its 80%
  bootstrap interval and tokens per parameter, counting parameters in total and without
  embeddings, each with the fit-quality gate's verdict (:mod:`~chinchilla_lib.approaches.quality`),
  by :func:`~chinchilla_lib.approaches.runs.fit_runs` as the laptop chapter fits the first grid:
  Approach 1 through the lower envelope of the seed-0 validation curves (no resampling, so no
  interval), Approach 2 through the seed-mean IsoFLOP slices at the grid's budget labels (a
  bootstrap of each slice's points), Approach 3 on every run, both seeds;
* :func:`predict_unrepeated`: the ladder model Approach 3's law (total parameters, the grid's own
  convention) puts lowest at the budget, its loss with an interval that adds the seed noise of the
  grid's seed pairs to the law's bootstrap spread (:mod:`.prediction_interval`), its two
  neighbours, and the runs that will test it (three seeds each, at most one epoch);
* :func:`prediction_unrepeated_outcome`: the committed prediction against those runs once trained
  (sweep ``prediction-unrepeated``).

With parameters counted without embeddings, the budget stays ``6 N D`` of the total count: a size of
``N`` non-embedding parameters trains on ``D = C / (6 T(N))`` tokens, ``T`` the total count of the
ladder shape with that many (log-log interpolated between shapes, :func:`total_params`).

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3, Eq. 2 and Eq. 4; Kaplan et al. 2020, Sec. 2.1
(non-embedding parameters).  The laptop chapter's second prediction.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..approaches.parametric import bootstrap_approach3, fit_approach3
from ..approaches.quality import assess_approach3, extrapolation_check
from ..approaches.runs import fit_runs
from ..stats import percentile_interval
from ..train.config import LADDER, gpt_parameter_counts, plan_run, shape_of
from ..train.sweep import UNREPEATED_PREDICTION_FILE, sweep_paths
from ..train.sweep_unrepeated import PREDICTION_FACTOR, PREDICTION_SEEDS, UNREPEATED_TRAIN_BYTES, fits_one_epoch
from .prediction_interval import combined_interval, pooled_seed_noise, resampled_losses

__all__ = ["SWEEP", "PREDICTION_FILE", "PREDICTION_COMMIT", "PREDICTION_BOOTSTRAP", "GRID_RESAMPLES", "LEVEL", "NOISE_BUDGETS", "INTERVAL_INCLUDES",
           "INTERVAL_EXCLUDES", "unrepeated_runs", "unrepeated_curves", "ladder_counts", "total_params", "grid_table",
           "approach_answers", "ladder_losses_6nd", "predict_unrepeated", "load_prediction_unrepeated",
           "prediction_unrepeated_outcome", "outcome_phrases", "grid_numbers"]

#: The sweep of the grid.
SWEEP = "isoflop-unrepeated"
#: Where the prediction is committed (the sweep ``prediction-unrepeated`` trains the runs it names).
PREDICTION_FILE = UNREPEATED_PREDICTION_FILE
#: The commit that added :data:`PREDICTION_FILE` (its ``made_from_commit`` is the commit of the grid it was made from).
PREDICTION_COMMIT = "dc3a936ffe8e91a7e546131d3c179ee8024533fa"
#: Resamples of the runs behind Approach 3's intervals (seed 0).
PREDICTION_BOOTSTRAP = 400
#: Resamples of Approach 2's bootstrap (the slices' points resampled within each budget, seed 0).
GRID_RESAMPLES = 200
#: Coverage of every interval (the paper's 10th-90th percentiles).
LEVEL = 0.8
#: What the loss intervals cover ...
INTERVAL_INCLUDES = ["fit parameters (bootstrap of the grid's runs, Approach 3)",
                     "seed-to-seed noise (pooled from the grid's seed pairs)"]
#: ... and, as far as we can name it, what they do not.
INTERVAL_EXCLUDES = ["model misspecification: the form of Eq. 2 carried 10x beyond the largest budget, and "
                     "differences between shapes of one size (depth, width) that a law in N alone cannot see",
                     "a seed noise that changes with scale (the grid's pooled value is used at the predicted budget)",
                     "the learning-rate rule carried to widths the scan did not reach",
                     "the fixed validation windows (every run is scored on the same 1,024 windows)"]

_SETTINGS = {"accounting": "6nd", "sampler": "disjoint", "schedule": "matched"}


def unrepeated_runs(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The finished runs of the grid, checked: one accounting (``6nd``), disjoint windows, at most one epoch.

    Raises
    ------
    ValueError
        When the file is missing, a column is missing, or a run has other settings.
    """
    if runs is None:
        path = sweep_paths(SWEEP)[0]
        if not Path(path).is_file():
            raise ValueError(f"sweep {SWEEP!r} has no runs file {path}; run: python -m chinchilla_lib train "
                             f"--sweep {SWEEP}")
        from ..train.sweep import read_runs

        runs = read_runs(path)
    needed = ["budget", "model", "seed", "n_params", "n_params_non_embedding", "n_tokens", "loss", "train_bytes",
              "epochs", *_SETTINGS]
    missing = [c for c in needed if c not in runs.columns]
    if missing:
        raise ValueError(f"runs lacks column(s) {', '.join(missing)}; give the rows of the {SWEEP} runs file")
    if runs.empty:
        raise ValueError(f"runs has no rows; the {SWEEP} sweep has finished no run yet")
    for column, value in _SETTINGS.items():
        other = sorted(set(runs[column].astype(str)) - {value})
        if other:
            raise ValueError(f"runs must all have {column} {value!r} (the grid's setting), got {other}")
    if (runs["epochs"] > 1).any():
        raise ValueError(f"runs must read at most one epoch, got {runs['epochs'].max():.3g}")
    return runs.sort_values(["budget", "n_params", "seed"]).reset_index(drop=True)


def unrepeated_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """The validation curves of ``runs`` (the grid's curves file), with both parameter counts of each run."""
    from ..train.sweep import read_curves

    curves = read_curves(sweep_paths(SWEEP)[1], runs)
    return curves.merge(runs[["key", "n_params", "n_params_non_embedding"]], on="key")


def ladder_counts() -> pd.DataFrame:
    """Every shape of the ladder: ``model``, ``n_params`` (total), ``n_params_non_embedding``, ``d_model``."""
    rows = []
    for name in LADDER:
        counts = gpt_parameter_counts(shape_of(name))
        rows.append({"model": name, "n_params": counts["total"], "n_params_non_embedding": counts["non_embedding"],
                     "d_model": shape_of(name).d_model})
    return pd.DataFrame(rows).sort_values("n_params").reset_index(drop=True)


def total_params(n_params_non_embedding) -> np.ndarray:
    """The total parameter count of a size of ``n_params_non_embedding`` non-embedding parameters.

    Exact at the ladder's shapes; between them, the ratio total / non-embedding interpolated
    linearly in log-log; beyond the ends, held at the end shape's ratio.
    """
    ladder = ladder_counts().sort_values("n_params_non_embedding")
    x = np.log(ladder["n_params_non_embedding"].to_numpy(float))
    ratio = np.log(ladder["n_params"].to_numpy(float)) - x
    n = np.asarray(n_params_non_embedding, dtype=float)
    return n * np.exp(np.interp(np.log(n), x, ratio))


def _count(parameters: str) -> str:
    if parameters not in ("total", "non_embedding"):
        raise ValueError(f"parameters must be 'total' or 'non_embedding', got {parameters!r}")
    return "n_params" if parameters == "total" else "n_params_non_embedding"


def grid_table(runs: pd.DataFrame, parameters: str = "total") -> pd.DataFrame:
    """The IsoFLOP slices: one row per (budget, size) with the seed-mean final loss, at the budget label.

    ``n_params`` is the count ``parameters`` names; ``flops`` the budget (the runs' own ``6 N D``
    differs from it by the rounding of whole sequences of 128, under 1e-4); ``n_tokens`` ``C / (6 N)``
    of the total count; ``loss`` the mean over the seeds; ``n_seeds``.
    """
    column = _count(parameters)
    table = (runs.groupby(["budget", "model"], as_index=False)
             .agg(n_params=(column, "first"), total=("n_params", "first"), loss=("loss", "mean"),
                  n_seeds=("seed", "nunique")))
    table["flops"] = table["budget"].astype(float)
    table["n_tokens"] = table["flops"] / (6.0 * table["total"])
    return table[["budget", "model", "n_params", "flops", "n_tokens", "loss", "n_seeds"]].sort_values(
        ["budget", "n_params"]).reset_index(drop=True)


def _optimum(params: np.ndarray, flops: float, parameters: str) -> np.ndarray:
    """N_opt at ``flops`` (C = 6 T D, T the total count) of each law row ``(log A, log B, log E, alpha, beta)``.

    The law's reducible loss (in logarithms) is read on a grid of 4,001 sizes log-spaced over the
    ladder's counts widened 20-fold at each end, the minimum refined by a parabola through its
    neighbours; a minimum at the grid's edge is NaN.  In total parameters this is Eq. 4's closed
    form, found numerically.
    """
    ladder = ladder_counts()[_count(parameters)].to_numpy(float)
    log_n = np.linspace(np.log(ladder.min() / 20), np.log(ladder.max() * 20), 4001)
    n = np.exp(log_n)
    tokens = flops / (6.0 * (n if parameters == "total" else total_params(n)))
    p = np.atleast_2d(params)
    # ln(A / N^alpha + B / D^beta): E does not move the minimum, and logarithms do not overflow
    loss = np.logaddexp(p[:, [0]] - p[:, [3]] * log_n, p[:, [1]] - p[:, [4]] * np.log(tokens))
    k = np.argmin(loss, axis=1)
    out = np.full(len(p), np.nan)
    inside = (k > 0) & (k < log_n.size - 1)
    rows = np.flatnonzero(inside)
    y0, y1, y2 = (loss[rows, k[rows] + j] for j in (-1, 0, 1))
    h = log_n[1] - log_n[0]
    shift = 0.5 * h * (y0 - y2) / (y0 - 2 * y1 + y2)
    out[rows] = np.exp(log_n[k[rows]] + shift)
    return out


def _tokens(n_opt, flops: float, parameters: str):
    n = np.asarray(n_opt, dtype=float)
    return flops / (6.0 * (n if parameters == "total" else total_params(n)))


def _answer(approach: int, parameters: str, method: str, quality, a, a_interval, n_opt, n_interval,
            flops: float) -> dict:
    tokens = float(_tokens(n_opt, flops, parameters))
    lo, hi = (float(x) for x in n_interval)
    token_interval = [float(_tokens(hi, flops, parameters)), float(_tokens(lo, flops, parameters))]  # D falls with N
    return {"approach": approach, "parameters": parameters, "method": method, "verdict": quality.verdict,
            "quality": quality.label(), "failed": [c.name for c in quality.failed], "reason": quality.reason(),
            "a": float(a), "a_interval": [float(x) for x in a_interval], "n_opt": float(n_opt),
            "n_opt_interval": [lo, hi], "n_tokens": tokens, "n_tokens_interval": token_interval,
            "tokens_per_param": tokens / float(n_opt),
            "tokens_per_param_interval": [token_interval[0] / hi, token_interval[1] / lo]}


_METHODS = {1: "fit_runs approach 1: power law through the lower envelope of the seed-0 validation curves "
               "(compute 6 N D, N total); not resampled, so no interval",
            2: "fit_runs approach 2: a parabola in ln N through each budget's seed-mean final losses, power laws "
               "through the minima; {n} resamples of each slice's points (seed means)",
            3: "fit_approach3 on every run (both seeds, actual tokens), {n} resamples of the runs; the gate judges "
               "the residuals against the seed pairs' scatter"}


def _not_fitted(approach: int, parameters: str, method: str, exc: ValueError) -> dict:
    """An approach the runs cannot fit at all (a fit the gate refuses keeps its numbers and says so)."""
    return {"approach": approach, "parameters": parameters, "method": method, "verdict": "not fitted",
            "quality": "not fitted", "failed": [], "reason": str(exc)}


def _envelope_answer(curves: pd.DataFrame, parameters: str, flops: float) -> dict:
    """Approach 1 on the seed-0 curves in ``parameters``: the envelope's power law at ``flops``, judged by the gate."""
    chosen = curves[curves["seed"] == 0]
    frame = pd.DataFrame({"run": chosen["key"], "n_params": chosen[_count(parameters)].astype(float),
                          "flops": chosen["flops"].astype(float), "loss": chosen["loss"].astype(float)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_runs(frame, approach=1, flops=flops)
    except ValueError as exc:
        return _not_fitted(1, parameters, _METHODS[1], exc)
    nan = (float("nan"), float("nan"))
    answer = _answer(1, parameters, _METHODS[1], fit.quality, fit.a, nan, fit.n_opt(flops), nan, flops)
    return {**answer, "a_interval": None, "n_opt_interval": None, "n_tokens_interval": None,
            "tokens_per_param_interval": None}


def _slices_answer(runs: pd.DataFrame, parameters: str, flops: float, n_resamples: int) -> dict:
    """Approach 2 on the seed-mean slices in ``parameters``: N_opt at ``flops`` with its bootstrap interval."""
    method = _METHODS[2].format(n=n_resamples)
    table = grid_table(runs, parameters)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_runs(table[["n_params", "flops", "loss"]], approach=2, bootstrap=n_resamples, seed=0,
                           flops=flops)
            n_interval = fit.plan(flops, LEVEL).intervals["n_params"]
    except ValueError as exc:
        return _not_fitted(2, parameters, method, exc)
    return _answer(2, parameters, method, fit.quality, fit.a, fit.a_interval, fit.n_opt(flops), n_interval, flops)


def _approach3(runs: pd.DataFrame, parameters: str, flops: float, n_resamples: int, noise_log: float):
    """Approach 3 in ``parameters`` on every run: (answer dict, bootstrap, the gate's verdict)."""
    n, d, y = runs[_count(parameters)].to_numpy(float), runs["n_tokens"].to_numpy(float), runs["loss"].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in the fit's .warnings
        fit = fit_approach3(n, d, y)
        boot = bootstrap_approach3(n, d, y, n_resamples=n_resamples, seed=0, flops=flops, fit=fit)
    quality = assess_approach3(fit, n, d, y, samples=boot.samples, noise=noise_log).with_checks(
        extrapolation_check(flops, float(runs["budget"].max())))
    ok = boot.samples["converged"].to_numpy(bool)
    rows = boot.samples.loc[ok, ["log_A", "log_B", "log_E", "alpha", "beta"]].to_numpy(float)
    n_opt = float(_optimum(fit.params, flops, parameters)[0])
    answer = _answer(3, parameters, _METHODS[3].format(n=n_resamples), quality, fit.a,
                     percentile_interval(boot.samples.loc[ok, "a"], LEVEL), n_opt,
                     percentile_interval(_optimum(rows, flops, parameters), LEVEL), flops)
    return answer, boot, quality


def approach_answers(runs: pd.DataFrame, curves: pd.DataFrame, flops: float, noise_log: float, *,
                     n_resamples: int = PREDICTION_BOOTSTRAP,
                     grid_resamples: int = GRID_RESAMPLES) -> tuple[list[dict], dict]:
    """Every approach at ``flops`` in total and in non-embedding parameters, each judged by the gate.

    ``curves`` are the validation curves of ``runs`` with both counts (:func:`unrepeated_curves`);
    ``noise_log`` one run's seed noise in log loss, against which the gate judges Approach 3's
    residuals; ``n_resamples`` Approach 3's bootstrap, ``grid_resamples`` Approach 2's.

    Returns
    -------
    answers : list of dict
        One per approach and count: ``approach, parameters, method, verdict, quality`` (the gate's
        label), ``failed`` (check names), ``reason`` and, unless the approach could not be fitted,
        ``a, a_interval, n_opt, n_opt_interval, n_tokens, n_tokens_interval, tokens_per_param,
        tokens_per_param_interval`` (80%; None for Approach 1, which is not resampled).  A fit
        the gate refuses keeps its numbers with ``verdict`` ``"refused"``; one that cannot be made
        at all has ``verdict`` ``"not fitted"`` and no numbers.
    fits : dict
        Approach 3's bootstrap and verdict in each count: ``{parameters: (Approach3Bootstrap, Quality)}``.
    """
    answers, fits = [], {}
    for parameters in ("total", "non_embedding"):
        answers.append(_envelope_answer(curves, parameters, flops))
        answers.append(_slices_answer(runs, parameters, flops, grid_resamples))
        answer, boot, quality = _approach3(runs, parameters, flops, n_resamples, noise_log)
        answers.append(answer)
        fits[parameters] = (boot, quality)
    return answers, fits


def ladder_losses_6nd(params, flops: float) -> pd.DataFrame:
    """Every ladder model trained on ``flops`` counted as ``6 N D``: its planned tokens and the law's loss.

    ``n_tokens`` is the run :func:`~chinchilla_lib.train.config.plan_run` plans (``6nd``, whole
    sequences of 128); ``loss`` is Eq. 2 with ``params`` ``(log A, log B, log E, alpha, beta)``;
    models with fewer sequences than steps get no row.
    """
    log_a, log_b, log_e, alpha, beta = (float(v) for v in params)
    rows = []
    for _, row in ladder_counts().iterrows():
        try:
            run = plan_run(row["model"], flops, accounting="6nd", sampler="disjoint")
        except ValueError:  # fewer than MIN_STEPS sequences
            continue
        d = float(run.n_tokens)
        loss = np.exp(log_e) + np.exp(log_a) / row["n_params"] ** alpha + np.exp(log_b) / d ** beta
        rows.append({"model": row["model"], "n_params": int(row["n_params"]),
                     "n_params_non_embedding": int(row["n_params_non_embedding"]), "n_tokens": d, "loss": float(loss)})
    return pd.DataFrame(rows)


def _decided(answers: list[dict]) -> list[str]:
    return [f"Approach {a['approach']} ({a['parameters'].replace('_', '-')})" for a in answers
            if a["verdict"] in ("decided", "flagged")]


#: The seed noise of a prediction's interval is pooled over the seed pairs of the grid's largest budgets, this many.
NOISE_BUDGETS = 2


def predict_unrepeated(runs: pd.DataFrame | None = None, curves: pd.DataFrame | None = None, *,
                       factor: float = PREDICTION_FACTOR, n_resamples: int = PREDICTION_BOOTSTRAP,
                       grid_resamples: int = GRID_RESAMPLES) -> dict:
    """The prediction at ``factor`` times the grid's largest budget, from the grid alone.

    ``runs`` and ``curves`` default to the committed files (``curves`` with ``n_params`` and
    ``n_params_non_embedding`` of each run, as :func:`unrepeated_curves` gives them).

    Every approach's answer in both counts (:func:`approach_answers`, whose gate judges residuals
    against the seed noise of all the grid's seed pairs); the seed noise of the pairs of the
    :data:`NOISE_BUDGETS` largest budgets (:func:`~chinchilla_lib.studies.prediction_interval.pooled_seed_noise`),
    which the intervals add; the ladder
    model Approach 3's law in total parameters puts lowest at the budget (Eq. 2 on the tokens
    its run would read, :func:`ladder_losses_6nd`), its loss and its neighbours' with 80%
    intervals that add the seed noise to the law's bootstrap spread
    (:func:`~chinchilla_lib.studies.prediction_interval.combined_interval`): for one run and for
    the mean of the :data:`~chinchilla_lib.train.sweep_unrepeated.PREDICTION_SEEDS` seeds each is
    trained with; and ``runs_to_train``, the three models with their tokens and epochs (of the
    runs' ``train_bytes``; none may read more disjoint windows than the smaller of it and
    :data:`~chinchilla_lib.train.sweep_unrepeated.UNREPEATED_TRAIN_BYTES` holds, the planner's bound).

    Raises
    ------
    ValueError
        When the grid cannot decide: no seed pairs yet, Approach 3 (total parameters) refused by
        the gate (the message names the approaches that could decide), the lowest model at an end of
        the ladder, or a run to train reading more than one epoch.
    """
    runs = unrepeated_runs(runs)
    curves = unrepeated_curves(runs) if curves is None else curves
    largest = float(runs["budget"].max())
    flops = float(factor * largest)
    noise = pooled_seed_noise(runs)
    top_budgets = sorted(float(b) for b in runs["budget"].unique())[-NOISE_BUDGETS:]
    floor = pooled_seed_noise(runs[runs["budget"].isin(top_budgets)])  # the noise at the scale predicted
    answers, fits = approach_answers(runs, curves, flops, noise["sd_log"], n_resamples=n_resamples,
                                     grid_resamples=grid_resamples)
    boot, quality = fits["total"]
    if quality.verdict == "refused":
        could = ", ".join(_decided(answers)) or "none"
        raise ValueError(f"the grid cannot decide: Approach 3 (total parameters) is refused by the gate: "
                         f"{quality.reason()}; approaches not refused: {could}")
    ladder = ladder_losses_6nd(boot.fit.params, flops)
    best = int(ladder["loss"].idxmin())
    if best in (0, len(ladder) - 1):
        raise ValueError(f"the law puts {ladder.loc[best, 'model']} lowest at {flops:.3g} FLOPs, an end of the "
                         "ladder: the prediction has no neighbour on one side; extend the ladder")
    train_bytes = int(runs["train_bytes"].min())
    bound = min(train_bytes, UNREPEATED_TRAIN_BYTES)  # the planner's bound is the pin's, the split may be larger
    rows = []
    for _, r in ladder.iloc[best - 1: best + 2].iterrows():
        if not fits_one_epoch(r["model"], flops, bound):
            raise ValueError(f"{r['model']} at {flops:.3g} FLOPs reads {r['n_tokens'] / train_bytes:.2f} epochs of "
                             f"the {train_bytes:,}-byte training split; the prediction's runs must read at most one")
        losses = resampled_losses(boot.samples, r["n_params"], r["n_tokens"])
        rows.append({"model": r["model"], "n_params": int(r["n_params"]),
                     "n_params_non_embedding": int(r["n_params_non_embedding"]), "n_tokens": int(r["n_tokens"]),
                     "tokens_per_param": r["n_tokens"] / r["n_params"], "epochs": r["n_tokens"] / train_bytes,
                     "seeds": list(PREDICTION_SEEDS), "predicted_loss": float(r["loss"]),
                     "law_interval": list(percentile_interval(losses, LEVEL)),
                     "loss_interval_one_run": list(combined_interval(losses, floor["sd"], LEVEL)),
                     "loss_interval_seed_mean": list(combined_interval(losses, floor["sd"], LEVEL,
                                                                       n_seeds=len(PREDICTION_SEEDS)))})
    chosen = rows[1]
    law = boot.fit.law
    return {
        "sweep": SWEEP,
        "flops": flops,
        "factor": float(factor),
        "accounting": "6nd: C = 6 N D, N the total parameter count",
        "grid_largest_budget": largest,
        "grid_budgets": sorted(float(b) for b in runs["budget"].unique()),
        "n_runs": int(len(runs)),
        "n_runs_by_seed": {str(int(s)): int(k) for s, k in runs["seed"].value_counts().sort_index().items()},
        "n_sizes": int(runs["model"].nunique()),
        "train_bytes": train_bytes,
        "level": LEVEL,
        "n_resamples": int(n_resamples),
        "seed_noise_sd": floor["sd"],
        "seed_noise": {"sd": floor["sd"], "sd_log": floor["sd_log"], "n_pairs": floor["n_groups"],
                       "dof": floor["dof"], "budgets": top_budgets,
                       "why": f"the seed pairs of the grid's {NOISE_BUDGETS} largest budgets, the scale nearest the "
                       "prediction's (smaller models at small budgets scatter more between seeds)",
                       "all_budgets": {"sd": noise["sd"], "sd_log": noise["sd_log"], "n_pairs": noise["n_groups"]},
                       "estimator": "pooled within (budget, model): sqrt(sum d^2 / (2 n)) for "
                       "n seed pairs with differences d", "per_budget": noise["per_budget"]},
        "approaches": answers,
        "approaches_not_refused": _decided(answers),
        "prediction_fit": {"approach": 3, "parameters": "total", "runs": "every run, both seeds",
                           "verdict": quality.verdict, "quality": quality.label(),
                           "failed": [c.name for c in quality.failed], "checks": quality.to_dict()["checks"]},
        "law": {k: float(getattr(law, k)) for k in ("E", "A", "B", "alpha", "beta")},
        "predicted_model": chosen["model"],
        "predicted_n_params": chosen["n_params"],
        "predicted_loss": chosen["predicted_loss"],
        "predicted_loss_interval": chosen["loss_interval_seed_mean"],
        "interval_includes": list(INTERVAL_INCLUDES),
        "interval_excludes": list(INTERVAL_EXCLUDES),
        "ladder_losses": [{"model": r["model"], "loss": float(r["loss"])} for _, r in ladder.iterrows()],
        "runs_to_train": rows,
    }


def load_prediction_unrepeated(path: str | Path | None = None) -> dict:
    """The committed prediction (:data:`PREDICTION_FILE`)."""
    path = Path(path) if path is not None else PREDICTION_FILE
    if not path.is_file():
        raise ValueError(f"no prediction file {path}; make it with: python scripts/predict_tinygpt.py --sweep {SWEEP}")
    return json.loads(path.read_text())


def prediction_unrepeated_outcome(prediction: dict | None = None, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The committed prediction against the runs that test it (sweep ``prediction-unrepeated``).

    One row per model the prediction named: ``model, n_params, n_tokens, n_seeds`` (trained so
    far), ``observed_loss`` (their mean) and ``observed_sd`` (ddof 1), ``predicted_loss``,
    ``low, high`` (the interval for the mean of the planned seeds), ``difference`` (observed minus
    predicted), ``inside``, ``runs_inside`` (single runs inside the one-run interval),
    ``complete`` (every planned seed trained), ``predicted_best`` and ``observed_best`` (the
    lowest seed mean).  The columns :func:`~chinchilla_lib.studies.tinygpt.prediction_verdict`
    reads are among them.
    """
    prediction = load_prediction_unrepeated() if prediction is None else prediction
    if runs is None:
        from ..train.sweep import read_runs

        runs = read_runs(sweep_paths("prediction-unrepeated")[0])
    rows = []
    for run in prediction["runs_to_train"]:
        done = runs[(runs["model"] == run["model"]) & np.isclose(runs["budget"], prediction["flops"], rtol=1e-9)]
        losses = done["loss"].to_numpy(float)
        mean = float(losses.mean()) if losses.size else float("nan")
        lo, hi = run["loss_interval_seed_mean"]
        one_lo, one_hi = run["loss_interval_one_run"]
        rows.append({"model": run["model"], "n_params": run["n_params"], "n_tokens": run["n_tokens"],
                     "n_seeds": int(done["seed"].nunique()), "observed_loss": mean,
                     "observed_sd": float(losses.std(ddof=1)) if losses.size >= 2 else float("nan"),
                     "predicted_loss": run["predicted_loss"], "low": lo, "high": hi,
                     "difference": mean - run["predicted_loss"],
                     "inside": bool(lo <= mean <= hi),
                     "runs_inside": int(((losses >= one_lo) & (losses <= one_hi)).sum()),
                     "complete": set(done["seed"]) >= set(run["seeds"]),
                     "predicted_best": run["model"] == prediction["predicted_model"]})
    table = pd.DataFrame(rows)
    table["observed_best"] = table["observed_loss"] == table["observed_loss"].min()
    return table


def outcome_phrases(prediction: dict, outcome: pd.DataFrame) -> dict:
    """The outcome in words for the chapter: ``result`` (one sentence), ``detail`` (the predicted model's runs
    against their interval) and ``judgement`` (what it says of the law).

    ``outcome`` is :func:`prediction_unrepeated_outcome`.  While runs are missing, ``result`` and
    ``judgement`` say how many of the planned runs are trained and ``detail`` what the predicted
    model's trained seeds reached so far; none of them scores the prediction.
    """
    from .tinygpt import prediction_verdict

    planned = sum(len(r["seeds"]) for r in prediction["runs_to_train"])
    trained = int(outcome["n_seeds"].sum())
    chosen = outcome.set_index("model").loc[prediction["predicted_model"]]
    if not outcome["complete"].all():
        waiting = f"{trained} of its {planned} runs are trained; the outcome is read when all are."
        seeds = int(chosen["n_seeds"])
        detail = (f"So far {chosen.name} has {seeds} of its {len(prediction['runs_to_train'][0]['seeds'])} seeds"
                  + (f", at a mean of {chosen['observed_loss']:.3f} nats per byte against the "
                     f"{chosen['predicted_loss']:.3f} predicted" if seeds else "")
                  + "; the prediction is scored when every run is in.")
        return {"result": waiting, "judgement": waiting, "detail": detail}
    side = ("inside" if chosen["inside"] else "below" if chosen["observed_loss"] < chosen["low"] else "above")
    best = outcome.loc[outcome["observed_loss"].idxmin(), "model"]
    detail = (f"The predicted model's three-seed mean is {chosen['observed_loss']:.3f} nats per byte, "
              f"{chosen['difference']:+.3f} from the prediction and {side} the interval committed for it (its "
              f"seeds differ by {chosen['observed_sd']:.3f} in standard deviation). {int(outcome['runs_inside'].sum())} "
              f"of the {trained} single runs fall inside their one-run intervals, and the lowest mean of the "
              f"three sizes is {best}'s.")
    result = (f"The runs reached {chosen['observed_loss']:.3f}, {side} that interval, and the lowest mean of the "
              f"three sizes was {best}'s" + (", as predicted." if best == prediction["predicted_model"] else "."))
    verdict = prediction_verdict(outcome)
    carried = f"Carried {prediction['factor']:.0f} times past its grid, the law"
    judgement = (f"{carried} held for the predicted size, inside its interval; over the three sizes it was "
                 f"{verdict['law']}; {verdict['optimum']}." if chosen["inside"] else
                 f"{carried} was {verdict['law']}, and for the predicted size by more than its interval allowed; "
                 f"{verdict['optimum']}.")
    return {"result": result, "detail": detail, "judgement": judgement}


def grid_numbers(runs: pd.DataFrame, card: pd.DataFrame, trained: pd.DataFrame) -> dict:
    """The second grid and its corpus as the chapter quotes them (glued with the prefix ``u_``).

    ``runs`` the grid (:func:`unrepeated_runs`), ``card`` the corpus's data card
    (:func:`~chinchilla_lib.datasets.corpus.corpus_card`), ``trained`` the prediction's runs so far
    (``epochs`` read; may be empty).  ``rounding`` is the largest relative gap between a run's
    ``6 N D`` and its budget label (whole sequences).
    """
    used = ladder_counts().set_index("model").loc[sorted(runs["model"].unique())]
    epochs = pd.concat([runs["epochs"], trained["epochs"]]) if len(trained) else runs["epochs"]
    return {"sources": len(card), "train_mb": card["train_bytes"].sum() / 1e6, "val_mb": card["val_bytes"].sum() / 1e6,
            "docs": int(card["documents"].sum()), "val_docs": int(card["val_documents"].sum()),
            "registries": ", ".join(sorted(card["registry"].unique())), "epochs_max": float(epochs.max()),
            "decades": float(np.log10(runs["budget"].max() / runs["budget"].min())),
            "budgets": runs["budget"].nunique(), "lo": float(runs["budget"].min()), "hi": float(runs["budget"].max()),
            "runs": len(runs), "sizes": int(runs.groupby("budget")["model"].nunique().min()),
            "models": runs["model"].nunique(), "seeds": int(runs.groupby(["budget", "model"])["seed"].nunique().min()),
            "n_lo": int(used["n_params"].min()), "n_hi": int(used["n_params"].max()),
            "rounding": float((runs["flops"] / runs["budget"] - 1).abs().max())}
