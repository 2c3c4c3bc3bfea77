"""Our own IsoFLOP sweep of small byte-level GPTs: the three approaches on runs with known settings.

The runs are the committed files ``chinchilla_lib/data/tinygpt_isoflop_runs.csv`` and ``..._curves.csv`` made by
``python -m chinchilla_lib train --sweep isoflop`` (see :mod:`chinchilla_lib.train.sweep`); this
module only reads them (no torch).  Budgets are training FLOPs by the Appendix F count with
embeddings and logits, ``n_params`` the total parameter count (embeddings included), and the
loss the validation loss in nats per byte.

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3, Figure A1 (schedules), Table A9 (the model family).
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..approaches.envelope import fit_envelope
from ..approaches.isoflop import IsoFLOPWarning, fit_isoflop
from ..approaches.parametric import fit_approach3
from ..stats import percentile_interval
from ..train.config import LADDER, gpt_parameter_counts, run_flops_per_token, shape_of
from ..train.sweep import learning_rate_rule, read_curves, read_runs, sweep_paths

__all__ = ["PREDICTION_FILE", "PREDICTION_FACTOR", "seed_scatter", "gate_verdicts", "sweep_runs", "sweep_curves", "model_family", "slice_table",
           "fit_sweep_approach1", "fit_sweep_approach2", "fit_sweep_approach3", "approaches_table", "seed_noise",
           "schedule_exponents", "widest_seed_pairs", "predict", "load_prediction", "ladder_losses",
           "lr_scan_table", "schedule_gaps", "law_loss_interval", "prediction_outcome", "PREDICTION_BOOTSTRAP",
           "seed_realisations", "envelope_holders", "prediction_verdict", "flops_per_token_at", "PREDICTION_COMMIT",
           "first_grid_confounds", "confound_numbers"]

#: The prediction made from the sweep before the predicted model was trained.
PREDICTION_FILE = Path(sweep_paths("isoflop")[0]).parent / "tinygpt_prediction.json"
#: The commit that added :data:`PREDICTION_FILE` (a file cannot hold the hash of its own commit; the
#: file's ``made_from_commit`` is the earlier commit of the runs and code it was made from).
PREDICTION_COMMIT = "1ed7c29bead3cff53aa298f033f4f9e92495b738"
#: The predicted budget is this many times the sweep's largest.
PREDICTION_FACTOR = 10
#: Resamples of the runs behind the prediction's intervals (Approach 3 bootstrap, seed 0).
PREDICTION_BOOTSTRAP = 400


def sweep_runs(sweep: str = "isoflop", data_dir=None) -> pd.DataFrame:
    """The finished runs of a committed sweep (one row per run, every setting a column)."""
    runs_path, _ = sweep_paths(sweep, data_dir)
    if not Path(runs_path).is_file():
        raise ValueError(f"sweep {sweep!r} has no runs file {runs_path}; "
                         f"run: python -m chinchilla_lib train --sweep {sweep}")
    return read_runs(runs_path)


def sweep_curves(sweep: str = "isoflop", data_dir=None) -> pd.DataFrame:
    """Validation losses along every finished run of a committed sweep, with ``n_params``."""
    runs = sweep_runs(sweep, data_dir)
    curves = read_curves(sweep_paths(sweep, data_dir)[1], runs)
    return curves.merge(runs[["key", "n_params"]], on="key")


def model_family() -> pd.DataFrame:
    """Our Table A9: every shape of the ladder with its parameter counts and FLOPs per token.

    Columns ``model, d_model, n_layers, n_heads, kv_size, ffw_size, n_params,
    n_params_non_embedding, n_params_embedding, embedding_share, flops_per_token, flop_ratio``
    (Appendix F FLOPs per token over 6 N).
    """
    rows = []
    for name in LADDER:
        shape = shape_of(name)
        counts, fpt = gpt_parameter_counts(shape), run_flops_per_token(shape)
        rows.append({"model": name, "d_model": shape.d_model, "n_layers": shape.n_layers, "n_heads": shape.n_heads,
                     "kv_size": shape.kv_size, "ffw_size": shape.ffw_size, "n_params": counts["total"],
                     "n_params_non_embedding": counts["non_embedding"], "n_params_embedding": counts["embedding"],
                     "embedding_share": counts["embedding"] / counts["total"], "flops_per_token": fpt["total"],
                     "flop_ratio": fpt["total"] / fpt["six_n"]})
    return pd.DataFrame(rows)


def slice_table(schedule: str = "matched", runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (budget, model): the seed-mean final loss, seeds, tokens and tokens per parameter."""
    runs = sweep_runs() if runs is None else runs
    runs = runs[runs["schedule"] == schedule]
    table = (runs.groupby(["budget", "model"], as_index=False)
             .agg(n_params=("n_params", "first"), n_tokens=("n_tokens", "first"), flops=("flops", "first"),
                  loss=("loss", "mean"), n_seeds=("seed", "nunique")))
    table["tokens_per_param"] = table["n_tokens"] / table["n_params"]
    return table.sort_values(["budget", "n_params"]).reset_index(drop=True)


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsoFLOPWarning)
        return fit(*args, **kwargs)


def fit_sweep_approach2(schedule: str = "matched", runs: pd.DataFrame | None = None, *, n_bootstrap: int = 200):
    """Approach 2 on the seed-mean IsoFLOP slices: a parabola in ln N per budget, power laws of the minima.

    The budgets are the exact labels the runs were planned at; the flops of each run agree with
    them to the rounding of whole sequences.
    """
    table = slice_table(schedule, runs)
    sizes = table.groupby("budget")["model"].transform("nunique")
    table = table[sizes >= 3]  # a slice still being trained has too few sizes for a profile
    return _quiet(fit_isoflop, table["n_params"], table["budget"], table["loss"], n_bootstrap=n_bootstrap, seed=0)


def fit_sweep_approach1(schedule: str = "matched", curves: pd.DataFrame | None = None):
    """Approach 1 on the validation curves of the seed-0 runs: power laws through their lower envelope."""
    curves = sweep_curves() if curves is None else curves
    chosen = curves[(curves["schedule"] == schedule) & (curves["seed"] == 0)]
    return fit_envelope(chosen.rename(columns={"key": "run"})[["run", "n_params", "flops", "loss"]])


def envelope_holders(fit=None) -> pd.DataFrame:
    """The models on Approach 1's lower envelope: the share of the (log-spaced) compute range each holds.

    Columns ``model, n_params, share, flops_min, flops_max``, the largest share first.
    """
    fit = fit_sweep_approach1() if fit is None else fit
    env = fit.envelope
    names = model_family().set_index("n_params")["model"]
    table = env.groupby("n_params", as_index=False).agg(points=("flops", "size"), flops_min=("flops", "min"),
                                                         flops_max=("flops", "max"))
    table["share"] = table["points"] / len(env)
    table.insert(0, "model", [names[n] for n in table["n_params"]])
    return table.drop(columns="points").sort_values("share", ascending=False).reset_index(drop=True)


@lru_cache(maxsize=4)
def _approach3(schedule: str):
    runs = sweep_runs()
    runs = runs[runs["schedule"] == schedule]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in the fit's .warnings
        return fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"])


def fit_sweep_approach3(schedule: str = "matched"):
    """Approach 3 on every final loss of the sweep (all seeds): the parametric law L(N, D)."""
    return _approach3(schedule)


def seed_scatter(runs: pd.DataFrame | None = None) -> float:
    """One run's scatter in log loss from the seed pairs: the robust scale of ln(loss1/loss0), over sqrt(2)."""
    from ..stats import robust_scale

    pairs = seed_noise(runs)
    return float(robust_scale(np.log(pairs["loss_seed1"] / pairs["loss_seed0"])) / np.sqrt(2.0))


@lru_cache(maxsize=2)
def gate_verdicts(schedule: str = "matched") -> dict:
    """The fit-quality gate's verdict on each approach on our runs (:mod:`~chinchilla_lib.approaches.quality`).

    Approach 1 is judged with every curve's end (above the first end, finished runs compete);
    Approach 2 on its own bootstrap; Approach 3 on a seeded bootstrap of 200 resamples, with the
    residuals judged against the seed pairs' scatter (:func:`seed_scatter`).

    Returns
    -------
    dict
        ``{1: Quality, 2: Quality, 3: Quality}``.
    """
    from ..approaches.parametric import bootstrap_approach3
    from ..approaches.quality import GATE_RESAMPLES, assess_approach1, assess_approach2, assess_approach3

    curves = sweep_curves()
    chosen = curves[(curves["schedule"] == schedule) & (curves["seed"] == 0)]
    q1 = assess_approach1(fit_sweep_approach1(schedule), sizes=chosen["n_params"],
                          ends=chosen.groupby("key")["flops"].max())
    q2 = assess_approach2(fit_sweep_approach2(schedule))
    runs = sweep_runs()
    runs = runs[runs["schedule"] == schedule]
    fit = fit_sweep_approach3(schedule)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=GATE_RESAMPLES,
                                   seed=0, fit=fit)
    q3 = assess_approach3(fit, runs["n_params"], runs["n_tokens"], runs["loss"], samples=boot.samples,
                          noise=seed_scatter())
    return {1: q1, 2: q2, 3: q3}


def ladder_losses(law, flops: float) -> pd.DataFrame:
    """The loss ``law`` gives each model of the ladder trained on ``flops`` (exact FLOPs per token)."""
    family = model_family()
    tokens = flops / family["flops_per_token"]
    return pd.DataFrame({"model": family["model"], "n_params": family["n_params"], "n_tokens": tokens,
                         "loss": law.loss(family["n_params"].to_numpy(float), tokens.to_numpy(float))})


def flops_per_token_at(n_params) -> np.ndarray:
    """Training FLOPs per token (Appendix F, as the runs are counted) of a model of ``n_params`` parameters.

    Exact for the shapes of the ladder; between them, interpolated linearly in log-log;
    beyond its ends, held at the end shape's ratio to 6N.
    """
    family = model_family().sort_values("n_params")
    n = np.asarray(n_params, dtype=float)
    ratio = np.exp(np.interp(np.log(n), np.log(family["n_params"].to_numpy(float)),
                             np.log(family["flop_ratio"].to_numpy(float))))
    return ratio * 6.0 * n


def _run_counted_optimum(law, flops: float) -> float:
    """The size that minimises ``law`` at ``flops`` counted as the runs count them (tokens = flops / FLOPs per token)."""
    from scipy.optimize import minimize_scalar

    family = model_family()
    lo, hi = np.log(family["n_params"].min()), np.log(family["n_params"].max())

    def loss(log_n):
        n = np.exp(log_n)
        return float(law.loss(n, flops / flops_per_token_at(n)))

    return float(np.exp(minimize_scalar(loss, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6}).x))


def approaches_table(flops: float | None = None) -> pd.DataFrame:
    """The three approaches on our runs: exponents a, b and N_opt, D_opt, tokens per parameter at ``flops``.

    One FLOP convention throughout, the runs' own: ``flops`` is an Appendix F budget (embeddings
    and logits counted), and ``d_opt`` the tokens a model of ``n_opt`` parameters trains on with
    it, ``flops / flops_per_token_at(n_opt)``, not ``flops / (6 n_opt)``.  Approaches 1 and 2 give
    ``n_opt`` by their power laws in the runs' budgets; Approach 3 by minimising its law along
    that budget (as :func:`predict` chooses the model).  ``a`` and ``b`` are each approach's
    fitted exponents.

    ``flops`` defaults to the predicted budget (:data:`PREDICTION_FACTOR` times the largest).
    """
    runs = sweep_runs()
    flops = PREDICTION_FACTOR * runs["budget"].max() if flops is None else flops
    fits = {"Approach 1": fit_sweep_approach1(), "Approach 2": fit_sweep_approach2(),
            "Approach 3": fit_sweep_approach3()}
    rows = []
    for name, fit in fits.items():
        n_opt = _run_counted_optimum(fit.law, flops) if name == "Approach 3" else fit.n_coef * flops ** fit.a
        d_opt = float(flops / flops_per_token_at(n_opt))
        rows.append({"approach": name, "a": float(fit.a), "b": float(fit.b), "n_opt": float(n_opt), "d_opt": d_opt,
                     "tokens_per_param": d_opt / n_opt})
    return pd.DataFrame(rows)


def seed_noise(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (budget, model) trained with two seeds: both losses and their difference (matched schedule)."""
    runs = sweep_runs() if runs is None else runs
    runs = runs[runs["schedule"] == "matched"]
    wide = runs.pivot_table(index=["budget", "model"], columns="seed", values="loss").dropna()
    wide.columns = [f"loss_seed{c}" for c in wide.columns]
    wide["difference"] = wide["loss_seed1"] - wide["loss_seed0"]
    return wide.reset_index()


def widest_seed_pairs(k: int = 3, runs: pd.DataFrame | None = None) -> list[tuple[float, str]]:
    """The ``k`` (budget, model) pairs whose two seeds differ most in final loss."""
    noise = seed_noise(runs)
    noise = noise.reindex(noise["difference"].abs().sort_values(ascending=False).index)
    return [(float(r.budget), str(r.model)) for r in noise.head(k).itertuples()]


def schedule_exponents() -> pd.DataFrame:
    """Approach 2's a on the matched and on the fixed schedule (seed 0 only on both, so like for like)."""
    runs = sweep_runs()
    rows = []
    for schedule in ("matched", "fixed"):
        chosen = runs[(runs["schedule"] == schedule) & (runs["seed"] == 0)]
        fit = fit_sweep_approach2(schedule, chosen)
        rows.append({"schedule": schedule, "a": float(fit.a), "n_runs": len(chosen),
                     "n_budgets": int(fit.budgets["used"].sum())})
    return pd.DataFrame(rows)


def _realisation(runs: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One run per (budget, model) of the matched grid: seed ``seed`` where it was trained, else seed 0."""
    matched = runs[runs["schedule"] == "matched"]
    mine = matched[matched["seed"] == seed]
    rest = matched[(matched["seed"] == 0)
                   & ~matched.set_index(["budget", "model"]).index.isin(mine.set_index(["budget", "model"]).index)]
    return pd.concat([mine, rest]).sort_values(["budget", "n_params"]).reset_index(drop=True)


def seed_realisations() -> pd.DataFrame:
    """Each approach's a on two realisations of the grid: seed 0 everywhere, and seed 1 where it was trained.

    Only the sizes around each slice's minimum have a second seed, so the second realisation
    swaps exactly the runs that decide the minima; the difference between the two is what
    seed noise alone does to each estimate (Approach 2 without its bootstrap here).
    Columns ``realisation, approach, a, n_runs``.
    """
    runs, curves = sweep_runs(), sweep_curves()
    rows = []
    for seed, label in ((0, "seed 0"), (1, "seed 1 where trained")):
        chosen = _realisation(runs, seed)
        fit1 = fit_envelope(curves[curves["key"].isin(chosen["key"])].rename(columns={"key": "run"})[
            ["run", "n_params", "flops", "loss"]])
        table = slice_table("matched", chosen)
        fit2 = _quiet(fit_isoflop, table["n_params"], table["budget"], table["loss"], n_bootstrap=0, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit3 = fit_approach3(chosen["n_params"], chosen["n_tokens"], chosen["loss"])
        for name, fit in (("Approach 1", fit1), ("Approach 2", fit2), ("Approach 3", fit3)):
            rows.append({"realisation": label, "approach": name, "a": float(fit.a), "n_runs": len(chosen)})
    return pd.DataFrame(rows)


def law_loss_interval(boot, n_params: float, n_tokens: float, level: float = 0.8) -> tuple[float, float]:
    """Central ``level`` interval of the loss L(N, D) (Eq. 2) over the resampled laws of an Approach 3 bootstrap."""
    s = boot.samples
    losses = (np.exp(s["log_E"]) + np.exp(s["log_A"]) / n_params ** s["alpha"]
              + np.exp(s["log_B"]) / n_tokens ** s["beta"]).to_numpy(float)
    return percentile_interval(losses, level)


def predict(factor: float = PREDICTION_FACTOR, n_resamples: int = PREDICTION_BOOTSTRAP) -> dict:
    """The prediction at ``factor`` times the sweep's largest budget, from the sweep alone.

    N_opt from each approach (with 80% intervals: Approach 2's from its bootstrap of slices,
    Approach 3's from ``n_resamples`` resamples of the runs); the model of the ladder the
    Approach 3 law puts lowest at that budget (exact FLOPs per token), its predicted loss with
    the 80% interval of the resampled laws, and its two neighbours in the ladder (the runs that
    test the prediction).

    Raises
    ------
    ValueError
        When the sweep cannot decide: Approach 2 finds fewer than two budgets whose minimum
        lies inside the sampled sizes.
    """
    from ..approaches.parametric import bootstrap_approach3

    runs = sweep_runs()
    flops = float(factor * runs["budget"].max())
    table = approaches_table(flops)  # raises ValueError when Approach 2 finds too few bracketed minima
    matched = runs[runs["schedule"] == "matched"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = bootstrap_approach3(matched["n_params"], matched["n_tokens"], matched["loss"], n_resamples=n_resamples,
                                   seed=0, flops=flops, fit=fit_sweep_approach3())
        intervals = {"Approach 2": fit_sweep_approach2().plan(flops).get("intervals", {}).get("n_params"),
                     "Approach 3": boot.plan(flops)["intervals"]["n_params"]}
    law = boot.fit.law
    ladder = ladder_losses(law, flops)
    best = int(ladder["loss"].idxmin())
    chosen = ladder.iloc[max(0, best - 1): best + 2]
    approaches = [{**row, "n_opt_interval": intervals.get(row["approach"])} for row in table.to_dict("records")]
    return {
        "flops": flops,
        "sweep_largest_budget": float(runs["budget"].max()),
        "n_runs": int(len(runs)),
        "level": 0.8,
        "n_resamples": int(n_resamples),
        "approaches": approaches,
        "law": {k: float(getattr(law, k)) for k in ("E", "A", "B", "alpha", "beta")},
        "predicted_model": str(ladder.loc[best, "model"]),
        "predicted_n_params": int(ladder.loc[best, "n_params"]),
        "predicted_loss": float(ladder.loc[best, "loss"]),
        "runs_to_train": [{"model": str(r.model), "n_params": int(r.n_params), "n_tokens": float(r.n_tokens),
                           "predicted_loss": float(r.loss),
                           "predicted_loss_interval": list(law_loss_interval(boot, r.n_params, r.n_tokens))}
                          for r in chosen.itertuples()],
    }


def load_prediction(path: str | Path | None = None) -> dict:
    """The committed prediction (:data:`PREDICTION_FILE`)."""
    path = Path(path) if path is not None else PREDICTION_FILE
    if not path.is_file():
        raise ValueError(f"no prediction file {path}; make it with scripts/predict_tinygpt.py")
    return json.loads(path.read_text())


def prediction_outcome(prediction: dict | None = None, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The committed prediction against the runs that test it (sweep ``prediction``).

    One row per model the prediction named: its predicted loss and 80% interval, the loss it
    reached, the difference, whether it falls inside the interval, and whether it is the lowest
    of the trained models (``observed_best``) and the predicted best (``predicted_best``).
    """
    prediction = load_prediction() if prediction is None else prediction
    runs = sweep_runs("prediction") if runs is None else runs
    rows = []
    for run in prediction["runs_to_train"]:
        done = runs[(runs["model"] == run["model"]) & (runs["budget"] == prediction["flops"])]
        observed = float(done["loss"].mean()) if len(done) else float("nan")
        lo, hi = run.get("predicted_loss_interval", (float("nan"), float("nan")))
        rows.append({"model": run["model"], "n_params": run["n_params"], "n_tokens": run["n_tokens"],
                     "predicted_loss": run["predicted_loss"], "low": lo, "high": hi, "observed_loss": observed,
                     "difference": observed - run["predicted_loss"], "inside": bool(lo <= observed <= hi),
                     "predicted_best": run["model"] == prediction["predicted_model"]})
    table = pd.DataFrame(rows)
    table["observed_best"] = table["observed_loss"] == table["observed_loss"].min()
    return table


def prediction_verdict(outcome: pd.DataFrame) -> dict:
    """What the trained runs say about the prediction, in words (for the chapter's prose).

    ``law``: whether every model beat its predicted loss (the law too pessimistic), none did
    (too optimistic), or some did; ``optimum``: where the lowest trained loss sits among the
    trained sizes (at the largest or the smallest, the optimum may lie beyond them).
    """
    below = outcome["observed_loss"] < outcome["predicted_loss"]
    if below.all():
        law = "too pessimistic: every model trained beat its predicted loss"
    elif not below.any():
        law = "too optimistic: no model trained reached its predicted loss"
    else:
        law = "right about some of the models and wrong about others"
    ordered = outcome.sort_values("n_params").reset_index(drop=True)
    best = int(ordered["observed_loss"].idxmin())
    name = ordered.loc[best, "model"]
    if best == len(ordered) - 1:
        optimum = (f"whether the optimum at this budget lies at {name} or beyond it, these runs cannot say: "
                   "the loss was still falling at the largest size trained")
    elif best == 0:
        optimum = (f"whether the optimum at this budget lies at {name} or below it, these runs cannot say: "
                   "the loss was still falling towards the smallest size trained")
    else:
        optimum = (f"the optimum lies between {ordered.loc[best - 1, 'model']} and "
                   f"{ordered.loc[best + 1, 'model']}, around {name}")
    return {"law": law, "optimum": optimum}


def lr_scan_table(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``lr-scan`` sweep: one row per run (``model, d_model, batch, lr, loss``) with its model's best rate.

    ``best_lr`` is the vertex of the parabola in ln lr through each model's lowest loss and its
    neighbours (the rate the grid trains it at), and ``rule_lr`` the rate the power law in the
    width fitted through all of them gives it (the rate of a model not scanned)
    (:func:`chinchilla_lib.train.sweep.learning_rate_rule`).
    """
    runs = sweep_runs("lr-scan") if runs is None else runs
    rule = learning_rate_rule(runs)
    table = runs.assign(batch=runs["n_sequences"] / runs["steps"])[["model", "d_model", "batch", "lr", "loss"]]
    table = table.merge(rule.best[["model", "best_lr"]], on="model")
    table["rule_lr"] = [rule.lr(d) for d in table["d_model"]]
    return table.sort_values(["d_model", "lr"]).reset_index(drop=True)


def schedule_gaps(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each seed-0 run on both schedules: the fixed schedule's final loss minus the matched one's (Figure A1).

    Positive means the matched cosine, decayed to the end of the run, is better.
    """
    runs = sweep_runs() if runs is None else runs
    chosen = runs[runs["seed"] == 0]
    wide = chosen.pivot_table(index=["budget", "model"], columns="schedule", values="loss").dropna()
    wide["gap"] = wide["fixed"] - wide["matched"]
    return wide.reset_index()


def first_grid_confounds(schedule: str = "matched") -> dict:
    """What made the first grid and its prediction an unfair test, each as a number.

    Returns
    -------
    dict
        ``grid_epochs`` and ``prediction_epochs`` (min, max): passes over the 4.58 MB training
        split of the grid's runs and of the prediction's (the ``epochs`` column);
        ``prediction_epochs_by_model``; ``a_total`` and ``a_non_embedding``: Approach 3's exponent
        with the parameters counted with and without embeddings (the same runs and tokens);
        ``tpp_appendix_f``: the prediction runs' tokens per parameter as trained (D/N, the budget
        counted by Appendix F) and ``tpp_6nd``: the same budget read as ``C / (6 N)`` tokens, as a
        ``6ND`` convention would have it; ``decades``: log10 of the grid's largest budget over its
        smallest.
    """
    runs = sweep_runs()
    runs = runs[runs["schedule"] == schedule]
    trained = sweep_runs("prediction")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {count: fit_approach3(runs[column], runs["n_tokens"], runs["loss"])
                for count, column in (("total", "n_params"), ("non_embedding", "n_params_non_embedding"))}
    by_model = trained.groupby("model").agg(n_params=("n_params", "first"), n_tokens=("n_tokens", "first"),
                                            budget=("budget", "first"), epochs=("epochs", "max"))
    by_model = by_model.sort_values("n_params")
    return {"grid_epochs": (float(runs["epochs"].min()), float(runs["epochs"].max())),
            "prediction_epochs": (float(trained["epochs"].min()), float(trained["epochs"].max())),
            "prediction_epochs_by_model": by_model["epochs"].to_dict(),
            "a_total": float(fits["total"].a), "a_non_embedding": float(fits["non_embedding"].a),
            "tpp_appendix_f": (by_model["n_tokens"] / by_model["n_params"]).to_dict(),
            "tpp_6nd": (by_model["budget"] / (6.0 * by_model["n_params"] ** 2)).to_dict(),
            "decades": float(np.log10(runs["budget"].max() / runs["budget"].min()))}


def confound_numbers() -> dict:
    """:func:`first_grid_confounds` as the chapter quotes it: ranges, per-model lists as text, the split's size in MB."""
    found = first_grid_confounds()

    def listed(values: dict, fmt: str) -> str:
        return ", ".join(f"{m} {v:{fmt}}" for m, v in values.items())

    return {"epochs_lo": found["grid_epochs"][0], "epochs_hi": found["grid_epochs"][1],
            "epochs_max": found["prediction_epochs"][1], "train_mb": float(sweep_runs()["train_bytes"].iloc[0]) / 1e6,
            "a_total": found["a_total"], "a_ne": found["a_non_embedding"],
            "epochs_models": listed(found["prediction_epochs_by_model"], ".1f"),
            "tpp_f": listed(found["tpp_appendix_f"], ".0f"), "tpp_6nd": listed(found["tpp_6nd"], ".0f"),
            "conv_lo": 100 * min(found["tpp_6nd"][m] / found["tpp_appendix_f"][m] - 1 for m in found["tpp_6nd"]),
            "conv_hi": 100 * max(found["tpp_6nd"][m] / found["tpp_appendix_f"][m] - 1 for m in found["tpp_6nd"])}
