"""Resumable sweeps of training runs, one tidy row per finished run (imports torch only in the workers).

A sweep is a name and a *planner*: a function from the runs finished so far (a DataFrame of
:data:`RUN_COLUMNS`) to every run the sweep wants.  :func:`run_sweep` submits each wanted run
that is neither finished nor in flight to a :class:`concurrent.futures.Executor` (a local
process pool, or a Dask distributed cluster when given a scheduler address), appends each
result to ``<name>_runs.csv`` and ``<name>_curves.csv`` as soon as it arrives (one whole write
each, flushed to disk; a line torn by a crash is set aside on resume), and asks the
planner again, so an IsoFLOP slice whose minimum sits at an edge grows by one size, and seeds
are added around each minimum once it is bracketed.  A run's identity is the hash of all its
settings (:meth:`RunConfig.key`); a finished run is never run again, and an interrupted sweep
continues where it stopped.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..datasets.paper_tables import DATA_DIR

if TYPE_CHECKING:  # pandas is imported where runs are read, not to list the sweeps
    import pandas as pd

from .config import LADDER, LR_BASE, LR_WIDTH, WARMUP_DIVISOR, RunConfig, plan_run, run_flops_per_token, shape_of
from .files import _SETTINGS, CURVE_COLUMNS, RUN_COLUMNS, _append, _mend, read_curves, read_runs
from .pool import _executor, _stop_pool
from .sweep_unrepeated import UNREPEATED_BUDGETS, UNREPEATED_CORPUS, UNREPEATED_SEEDS, UNREPEATED_START, fits_one_epoch

__all__ = ["RUN_COLUMNS", "CURVE_COLUMNS", "Sweep", "SWEEPS", "ISOFLOP_BUDGETS", "FIXED_HORIZON", "run_sweep",
           "read_runs", "read_curves", "sweep_paths", "isoflop_plan", "SMALL_BUDGETS", "LR_SCAN_BUDGET",
           "LR_SCAN_MODELS", "LR_SCAN_GRID", "LR_SCAN_SEEDS", "LR_FIT_MIN_WIDTH", "LearningRateRule", "FIRST_WARMUP_DIVISOR",
           "WARMUP_CHECK", "warmup_check", "learning_rate_rule", "result_row", "curve_rows", "unrepeated_plan",
           "UNREPEATED_PREDICTION_FILE", "prediction_unrepeated_runs", "prediction_unrepeated_plan"]

#: IsoFLOP budgets of the committed sweep (FLOPs, Appendix F count): 10^11.7 to 10^12.3 in steps of 10^0.15.
ISOFLOP_BUDGETS = tuple(float(f"{10 ** (11.7 + 0.15 * k):.2g}") for k in range(5))
#: The fixed schedule's horizon: the budget of the prediction, ten times the largest budget (the cosine
#: laid out once for the longest run, as Kaplan et al. 2020 laid theirs out for 2.5e5 steps).
FIXED_HORIZON = 10 * ISOFLOP_BUDGETS[-1]
#: The six sizes each budget starts with (an edge minimum adds the next size).
_ISOFLOP_START = dict(zip(ISOFLOP_BUDGETS, ("g00", "g00", "g01", "g01", "g01")))
#: Budgets of the first, smaller grid ``isoflop-small`` (10^11 to 10^12.2 in steps of 10^0.3), trained with
#: with the width rule's learning rate (before the ``lr-scan`` sweep) and a horizon of 10^12.5.
SMALL_BUDGETS = tuple(float(f"{10 ** (11 + 0.3 * k):.2g}") for k in range(5))
#: The warm-up divisor of the first grid and the smoke grid (a fiftieth of the steps).
FIRST_WARMUP_DIVISOR = 50
_SMALL_START = dict(zip(SMALL_BUDGETS, ("g00", "g01", "g02", "g03", "g04")))
_SMALL_HORIZON = float(f"{10 ** (11 + 0.3 * 5):.2g}")
_ORDER = list(LADDER)


@dataclass(frozen=True)
class Sweep:
    """A named sweep: its planner and a one-line description."""

    name: str
    plan: Callable[[pd.DataFrame], list[RunConfig]]
    description: str


def _slice_sizes(done: pd.DataFrame, budget: float, first: str, schedule: str = "matched",
                 feasible: Callable[[str, float], bool] | None = None) -> list[str]:
    """The sizes of one IsoFLOP slice: six from ``first``, grown by one at an edge holding the minimum.

    A size is added only if ``feasible(model, budget)`` (default :func:`_feasible`: at least
    :data:`~chinchilla_lib.train.config.MIN_STEPS` sequences).
    """
    feasible = _feasible if feasible is None else feasible
    start = _ORDER.index(first)
    sizes = _ORDER[start:start + 6]
    rows = done[(done["budget"] == budget) & (done["schedule"] == schedule) & (done["seed"] == 0)]
    while True:
        have = rows[rows["model"].isin(sizes)]
        if len(have) < len(sizes):
            return sizes
        best = have.loc[have["loss"].idxmin(), "model"]
        i = _ORDER.index(best)
        if best == sizes[0] and i > 0 and feasible(_ORDER[i - 1], budget):
            sizes = [_ORDER[i - 1]] + sizes
        elif best == sizes[-1] and i + 1 < len(_ORDER) and feasible(_ORDER[i + 1], budget):
            sizes = sizes + [_ORDER[i + 1]]
        else:
            return sizes


def _feasible(model: str, budget: float) -> bool:
    try:
        plan_run(model, budget)
    except ValueError:  # too few tokens for MIN_STEPS steps
        return False
    return True


def _minimum_neighbours(done: pd.DataFrame, budget: float, sizes: list[str]) -> list[str]:
    rows = done[(done["budget"] == budget) & (done["schedule"] == "matched") & (done["seed"] == 0)]
    rows = rows[rows["model"].isin(sizes)]
    if len(rows) < len(sizes):
        return []
    i = sizes.index(rows.loc[rows["loss"].idxmin(), "model"])
    return sizes[max(0, i - 1): i + 2]


def isoflop_plan(done: pd.DataFrame, *, budgets: Iterable[float] = ISOFLOP_BUDGETS,
                 start: dict | None = None, horizon: float = FIXED_HORIZON, corpus: str = "shakespeare",
                 tuned: bool = True) -> list[RunConfig]:
    """The committed IsoFLOP sweep: matched-schedule slices, a second seed by each minimum, fixed-schedule twins.

    Each budget starts with six consecutive sizes of :data:`~chinchilla_lib.train.config.LADDER`;
    when the lowest loss (seed 0) sits at an edge, the next size beyond it is added, until the
    minimum is inside.  The size at the minimum and its two neighbours get a second seed.  Every
    matched run of seed 0 has a twin with the fixed schedule of horizon ``horizon``.
    With ``tuned`` (the default) every run's peak learning rate is
    :meth:`LearningRateRule.for_model` of the committed ``lr-scan`` sweep; otherwise the width
    rule of :func:`~chinchilla_lib.train.config.batch_rule`.
    """
    start = start or _ISOFLOP_START
    rule = learning_rate_rule() if tuned else None
    warmup_divisor = WARMUP_DIVISOR if tuned else FIRST_WARMUP_DIVISOR

    def run(m, budget, **kw):
        lr = None if rule is None else rule.for_model(m)
        return plan_run(m, budget, corpus=corpus, n_evals=6, lr=lr, warmup_divisor=warmup_divisor, **kw)

    runs = []
    for budget in budgets:
        sizes = _slice_sizes(done, budget, start[budget])
        runs += [run(m, budget) for m in sizes]
        runs += [run(m, budget, seed=1) for m in _minimum_neighbours(done, budget, sizes)]
    for budget in budgets:
        runs += [run(m, budget, horizon=horizon) for m in _slice_sizes(done, budget, start[budget])]
    return runs


def _isoflop_small_plan(done: pd.DataFrame) -> list[RunConfig]:
    return isoflop_plan(done, budgets=SMALL_BUDGETS, start=_SMALL_START, horizon=_SMALL_HORIZON, tuned=False)


def _smoke_plan(done: pd.DataFrame) -> list[RunConfig]:
    # 200 steps a run, not MIN_STEPS: a check that the machinery trains, reproducibly, in seconds.
    return [plan_run(m, b, n_evals=3, min_steps=200, warmup_divisor=FIRST_WARMUP_DIVISOR) for b in (1e10, 2e10)
            for m in ("g00", "g01", "g02")]


#: Peak learning rates tried by the ``lr-tune`` sweep, as multiples of 1 / sqrt(16 / batch):
#: g03 (width 32) at 4e11 FLOPs with batch 8, and g02 (width 24) at 1e11 FLOPs with batch 2.
LR_TUNE_BASES = (5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2)


def _fixed_batch_run(model: str, budget: float, lr: float, batch: int) -> RunConfig:
    """A run of whole batches of ``batch`` sequences (the rule the ``lr-tune`` sweep ran with)."""
    shape = shape_of(model)
    steps = int(round(budget / run_flops_per_token(shape)["total"] / (batch * shape.seq_len)))
    evals = sorted({int(round(steps * 2.0 ** (-4 * k / 3))) for k in range(4)})
    return RunConfig(model=model, steps=steps, batch=batch, lr=lr, eval_steps=tuple(evals), budget=float(budget))


def _lr_tune_plan(done: pd.DataFrame) -> list[RunConfig]:
    runs = [_fixed_batch_run("g03", 4e11, lr * math.sqrt(8 / 16), 8) for lr in LR_TUNE_BASES[:5]]
    return runs + [_fixed_batch_run("g02", 1e11, lr * math.sqrt(2 / 16), 2) for lr in LR_TUNE_BASES[2:]]


#: The ``lr-scan`` sweep: every model from g01 to g09 at this budget (the middle of the IsoFLOP grid) ...
LR_SCAN_BUDGET = 1e12
#: ... these models ...
LR_SCAN_MODELS = ("g01", "g02", "g03", "g04", "g05", "g06", "g07", "g08", "g09")
#: ... at peak learning rates from this grid (factors of 2): three around a first guess, and one more
#: beyond an edge that holds the lowest loss, until the best rate lies inside.
LR_SCAN_GRID = tuple(1.25e-3 * 2.0 ** k for k in range(8))
#: Seeds of every scanned rate; a rate's loss is their mean.
LR_SCAN_SEEDS = (0, 1)
#: The power law for models the scan did not reach (all wider) is fitted through the scanned models
#: at least this wide: the narrowest ones' best rates fall far faster with the width than the wider ones'.
LR_FIT_MIN_WIDTH = 48


def _lr_guess_index(d_model: int) -> int:
    # Where each model's scan starts (the width rule's rate times two, which the first grid found too low);
    # the scan moves from there to wherever the lowest loss is.
    import numpy as np

    guess = 2 * LR_BASE * LR_WIDTH / d_model
    return int(np.argmin(np.abs(np.log(np.array(LR_SCAN_GRID) / guess))))


def _scan_rates(done: pd.DataFrame, model: str) -> list[int]:
    """Indices into :data:`LR_SCAN_GRID` of one model's scan: three from the guess, grown at an edge minimum.

    A rate's loss is the mean over :data:`LR_SCAN_SEEDS` (near the largest stable rate one seed can
    land far above the other, and a single seed would pick the lucky one).
    """
    import numpy as np

    i = _lr_guess_index(shape_of(model).d_model)
    chosen = [j for j in (i - 1, i, i + 1) if 0 <= j < len(LR_SCAN_GRID)]
    rows = done[done["model"] == model] if len(done) else done
    while True:
        losses = {}
        for j in chosen:
            hit = rows[np.isclose(rows["lr"], LR_SCAN_GRID[j], rtol=1e-9)] if len(rows) else rows
            if len(hit) and set(hit["seed"]) >= set(LR_SCAN_SEEDS):
                losses[j] = float(hit["loss"].mean())
        if len(losses) < len(chosen):
            return chosen
        best = min(losses, key=losses.get)
        if best == chosen[0] and best > 0:
            chosen = [best - 1] + chosen
        elif best == chosen[-1] and best + 1 < len(LR_SCAN_GRID):
            chosen = chosen + [best + 1]
        else:
            return chosen


def _lr_scan_plan(done: pd.DataFrame) -> list[RunConfig]:
    runs = []
    for seed in LR_SCAN_SEEDS:
        for model in LR_SCAN_MODELS:
            rule = plan_run(model, LR_SCAN_BUDGET, n_evals=6, seed=seed)
            runs += [rule.with_(lr=LR_SCAN_GRID[j]) for j in _scan_rates(done, model)]
    return runs


@dataclass(frozen=True)
class LearningRateRule:
    """The peak learning rate of each model, from the ``lr-scan`` sweep.

    A scanned model trains at its own best rate (:meth:`for_model`); any other at the power law
    in the width fitted through the best rates of the scanned models at least
    :data:`LR_FIT_MIN_WIDTH` wide, ``lr(d) = lr_32 * (d / 32) ** exponent``.  ``best`` has one row per scanned model: ``model, d_model, batch`` (sequences a
    step), ``best_lr`` (the vertex of the parabola in ln lr through the lowest seed-mean loss and
    its two neighbours on the grid), ``best_loss`` (that seed mean) and ``n_rates``.
    """

    lr_32: float
    exponent: float
    best: pd.DataFrame

    def lr(self, d_model: int) -> float:
        """The power law's rate at width ``d_model``."""
        return float(self.lr_32 * (d_model / 32.0) ** self.exponent)

    def for_model(self, model: str) -> float:
        """The rate ``model`` trains at: its own best if it was scanned; else, if no wider than the
        widest scanned model, the mean best rate of the scanned models of the nearest width; else
        the power law's."""
        import numpy as np

        hit = self.best.loc[self.best["model"] == model, "best_lr"]
        if len(hit):
            return float(hit.iloc[0])
        d = shape_of(model).d_model
        if d > self.best["d_model"].max():
            return self.lr(d)
        gaps = (np.log(self.best["d_model"]) - np.log(d)).abs()
        return float(np.exp(np.log(self.best.loc[gaps == gaps.min(), "best_lr"]).mean()))


def learning_rate_rule(runs: pd.DataFrame | None = None) -> LearningRateRule:
    """Fit :class:`LearningRateRule` to the finished runs of ``lr-scan`` (the committed file by default).

    Raises
    ------
    ValueError
        When a scanned model's lowest loss is not bracketed by two rates (the scan is unfinished),
        or fewer than three models are scanned.
    """
    import numpy as np
    import pandas as pd

    if runs is None:
        path = sweep_paths("lr-scan")[0]
        runs = read_runs(path)
        if runs.empty:
            raise ValueError(f"no runs in {path}: run python -m chinchilla_lib train --sweep lr-scan first")
    rows = []
    for model, group in runs.groupby("model"):
        means = group.groupby("lr", as_index=False).agg(loss=("loss", "mean"), d_model=("d_model", "first"),
                                                        n_sequences=("n_sequences", "first"), steps=("steps", "first"))
        group = means.sort_values("lr")
        x, y = np.log(group["lr"].to_numpy(float)), group["loss"].to_numpy(float)
        k = int(np.argmin(y))
        if k == 0 or k == len(y) - 1:
            raise ValueError(f"the lr-scan of {model} has its lowest loss at the edge of its rates; "
                             "resume it: python -m chinchilla_lib train --sweep lr-scan")
        c2, c1, _ = np.polyfit(x[k - 1:k + 2], y[k - 1:k + 2], 2)
        vertex = -c1 / (2 * c2) if c2 > 0 else x[k]
        vertex = float(np.clip(vertex, x[k - 1], x[k + 1]))
        rows.append({"model": model, "d_model": int(group["d_model"].iloc[0]),
                     "batch": float(group["n_sequences"].iloc[0] / group["steps"].iloc[0]),
                     "best_lr": float(np.exp(vertex)), "best_loss": float(y[k]), "n_rates": len(y)})
    best = pd.DataFrame(rows).sort_values("d_model").reset_index(drop=True)
    wide = best[best["d_model"] >= LR_FIT_MIN_WIDTH]
    if wide["d_model"].nunique() < 2 or len(wide) < 3:
        raise ValueError(f"the lr-scan has {len(wide)} finished models at least {LR_FIT_MIN_WIDTH} wide; "
                         "a width rule needs at least 3, of two widths")
    slope, intercept = np.polyfit(np.log(wide["d_model"] / 32.0), np.log(wide["best_lr"]), 1)
    return LearningRateRule(lr_32=float(np.exp(intercept)), exponent=float(slope), best=best)


#: The ``warmup-check`` sweep: this model and budget of the grid, both seeds, at the scanned rate, with
#: the first grid's warm-up and with the grid's.
WARMUP_CHECK = ("g02", ISOFLOP_BUDGETS[0])


def _warmup_check_plan(done: pd.DataFrame) -> list[RunConfig]:
    model, budget = WARMUP_CHECK
    lr = learning_rate_rule().for_model(model)
    return [plan_run(model, budget, seed=seed, n_evals=6, lr=lr, warmup_divisor=divisor)
            for divisor in (FIRST_WARMUP_DIVISOR, WARMUP_DIVISOR) for seed in (0, 1)]


def warmup_check(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``warmup-check`` runs: one row per warm-up (in steps) with both seeds' losses and their gap."""
    runs = read_runs(sweep_paths("warmup-check")[0]) if runs is None else runs
    wide = runs.pivot_table(index="warmup", columns="seed", values="loss")
    wide.columns = [f"loss_seed{c}" for c in wide.columns]
    wide["gap"] = (wide["loss_seed1"] - wide["loss_seed0"]).abs()
    return wide.reset_index()


def _prediction_plan(done: pd.DataFrame) -> list[RunConfig]:
    """The predicted compute-optimal model and its neighbours at the predicted budget (from the committed prediction)."""
    import json

    path = DATA_DIR / "tinygpt_prediction.json"
    if not path.is_file():
        raise ValueError(f"no prediction file {path}: commit a prediction (scripts/predict_tinygpt.py) before "
                         "training the models it names")
    prediction = json.loads(path.read_text())
    rule = learning_rate_rule()
    return [plan_run(run["model"], prediction["flops"], n_evals=8, lr=rule.for_model(run["model"]))
            for run in prediction["runs_to_train"]]


def unrepeated_plan(done: pd.DataFrame) -> list[RunConfig]:
    """Every run the ``isoflop-unrepeated`` sweep wants, given its finished runs ``done``.

    The design of :mod:`~chinchilla_lib.train.sweep_unrepeated`: each budget of
    :data:`~chinchilla_lib.train.sweep_unrepeated.UNREPEATED_BUDGETS` starts with six sizes and grows
    at an edge minimum (seed 0) while the next size fits in one epoch; every size has each seed of
    :data:`~chinchilla_lib.train.sweep_unrepeated.UNREPEATED_SEEDS`, seed by seed and, within a seed,
    smallest budget first, so a slice grows before the second seeds start.  Corpus ``mixed``, the
    ``disjoint`` sampler, budgets as ``6 N D``, the peak rate of each width from the width law
    :meth:`LearningRateRule.lr` (not each scanned model's own best rate, whose scatter between
    neighbouring models of one width is scan noise: g03 and g04, both 32 wide, scanned best at
    rates 2.7 times apart), rounded to four significant digits: the fitted rule's last bits differ between machines (the
    committed ``isoflop`` rows were planned with rates that differ from today's in the 16th digit,
    so their keys cannot be planned again), and a rate in a key must not.
    """
    rule = learning_rate_rule()
    slices = {b: _slice_sizes(done, b, UNREPEATED_START[b], feasible=fits_one_epoch) for b in UNREPEATED_BUDGETS}
    return [_unrepeated_run(rule, m, b, seed)
            for seed in UNREPEATED_SEEDS for b, sizes in slices.items() for m in sizes]


def _unrepeated_run(rule: LearningRateRule, model: str, budget: float, seed: int) -> RunConfig:
    """One run with the settings of the ``isoflop-unrepeated`` grid (see :func:`unrepeated_plan`)."""
    lr = float(f"{rule.lr(shape_of(model).d_model):.4g}")
    return plan_run(model, budget, seed=seed, corpus=UNREPEATED_CORPUS, n_evals=8, lr=lr, sampler="disjoint",
                    accounting="6nd")


#: The prediction made from the ``isoflop-unrepeated`` grid alone, before the runs it names are trained.
UNREPEATED_PREDICTION_FILE = DATA_DIR / "tinygpt_prediction_unrepeated.json"


def prediction_unrepeated_runs(prediction: dict) -> list[RunConfig]:
    """The runs that test a prediction from the ``isoflop-unrepeated`` grid: every model of its ``runs_to_train``.

    Each model at the prediction's ``flops`` with each of its ``seeds``, and the grid's settings
    (:func:`_unrepeated_run`: corpus ``mixed``, disjoint windows, ``6 N D``, the width law's rate).

    Raises
    ------
    ValueError
        When the prediction lacks ``flops`` or ``runs_to_train``, or a run would read more than one epoch.
    """
    missing = [k for k in ("flops", "runs_to_train") if k not in prediction]
    if missing:
        raise ValueError(f"prediction lacks {', '.join(missing)}; give the dict of scripts/predict_tinygpt.py "
                         "--sweep isoflop-unrepeated")
    rule = learning_rate_rule()
    runs = [_unrepeated_run(rule, r["model"], float(prediction["flops"]), int(seed))
            for r in prediction["runs_to_train"] for seed in r["seeds"]]
    for run in runs:
        if not fits_one_epoch(run.model, run.budget):
            raise ValueError(f"prediction names {run.model} at {run.budget:.3g} FLOPs, which reads more than one "
                             "epoch of the training split; make the prediction again with the current planner")
    return runs


def prediction_unrepeated_plan(done: pd.DataFrame, path: str | Path | None = None) -> list[RunConfig]:
    """The ``prediction-unrepeated`` sweep: the runs of the committed prediction file (never of an uncommitted one).

    Raises
    ------
    ValueError
        When ``path`` (default :data:`UNREPEATED_PREDICTION_FILE`) is missing or not committed to git.
    """
    import json

    from .provenance import uncommitted

    path = Path(path) if path is not None else UNREPEATED_PREDICTION_FILE
    why = uncommitted(path)
    if why:
        raise ValueError(f"no committed prediction to test: {why}; make it with scripts/predict_tinygpt.py --sweep "
                         "isoflop-unrepeated and commit it before training the runs it names")
    return prediction_unrepeated_runs(json.loads(path.read_text()))


#: The sweeps ``train --sweep NAME`` knows.
SWEEPS: dict[str, Sweep] = {
    "smoke": Sweep("smoke", _smoke_plan, "2 budgets x 3 sizes of 200 steps, well under a minute"),
    "lr-tune": Sweep("lr-tune", _lr_tune_plan, "peak learning rate at two model sizes, budgets and batch sizes"),
    "warmup-check": Sweep("warmup-check", _warmup_check_plan,
                          "one run of the grid, two seeds, with the first grid's warm-up and the grid's"),
    "lr-scan": Sweep("lr-scan", _lr_scan_plan, "peak learning rate of every model from g01 to g09 at 1e12 FLOPs"),
    "isoflop": Sweep("isoflop", isoflop_plan, "IsoFLOP grid: 5 budgets 5e11-2e12 x 6+ sizes, seeds, fixed-schedule twins"),
    "isoflop-small": Sweep("isoflop-small", _isoflop_small_plan,
                           "the first grid: 5 budgets 1e11-1.6e12, learning rate blind to the batch"),
    "prediction": Sweep("prediction", _prediction_plan, "the predicted model and its neighbours at the predicted budget"),
    "isoflop-unrepeated": Sweep("isoflop-unrepeated", unrepeated_plan,
                                "second IsoFLOP grid: mixed corpus, no byte twice, C = 6ND, 6 budgets 1.6e11-5e12"),
    "prediction-unrepeated": Sweep("prediction-unrepeated", prediction_unrepeated_plan,
                                   "the models the second grid's prediction names, three seeds each, at its budget"),
}


def sweep_paths(name: str, out_dir: str | Path | None = None) -> tuple[Path, Path]:
    """The runs and curves files of sweep ``name`` (``chinchilla_lib/data/tinygpt_<name>_runs.csv`` and ``..._curves.csv``)."""
    folder = Path(out_dir) if out_dir is not None else DATA_DIR
    stem = "tinygpt_" + name.replace("-", "_")
    return folder / f"{stem}_runs.csv", folder / f"{stem}_curves.csv"


def result_row(sweep: str, result: dict) -> dict:
    """One row of :data:`RUN_COLUMNS` from a :func:`~chinchilla_lib.train.loop.train_run` result."""
    config = result["config"]
    shape = shape_of(config["model"])
    row = {"sweep": sweep, "key": result["key"]}
    row.update({k: config[k] for k in _SETTINGS if k in config})
    row.update({k: getattr(shape, k) for k in ("d_model", "n_layers", "n_heads", "kv_size", "ffw_size",
                                               "vocab_size", "seq_len")})
    row["eval_steps"] = " ".join(str(s) for s in config["eval_steps"])
    if row.get("n_sequences") is None:
        row["n_sequences"] = config["steps"] * config["batch"]
    row.update({k: result[k] for k in RUN_COLUMNS[len(_SETTINGS) + 2:]})
    return row


def curve_rows(sweep: str, result: dict) -> list[dict]:
    """Rows of :data:`CURVE_COLUMNS` from a :func:`~chinchilla_lib.train.loop.train_run` result."""
    config = result["config"]
    head = {"sweep": sweep, "key": result["key"], "model": config["model"], "budget": config["budget"],
            "schedule": config["schedule"], "seed": config["seed"]}
    return [{**head, **point} for point in result["curve"]]


def _work(config: dict) -> dict:
    """Train one run in a worker (one thread); imported lazily so the parent never needs torch."""
    from .loop import train_run

    return train_run(RunConfig(**{**config, "eval_steps": tuple(config["eval_steps"])}), threads=1)


def _as_dict(config: RunConfig) -> dict:
    return {k: v for k, v in config.as_dict().items() if v is not None}


def run_sweep(name: str, *, workers: int = 2, scheduler: str | None = None, out_dir: str | Path | None = None,
              planner: Callable[[pd.DataFrame], list[RunConfig]] | None = None,
              log: Callable[[str], None] | None = print, limit: int | None = None) -> pd.DataFrame:
    """Run (or resume) sweep ``name``; return its finished runs.

    Parameters
    ----------
    name : str
        A key of :data:`SWEEPS` (or any name, with ``planner``).
    workers : int, default 2
        Processes of the local pool (each trains with one thread); ignored with ``scheduler``.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); the runs go to its workers.
    out_dir : path, optional
        Folder of the runs and curves files (default ``chinchilla_lib/data/``).
    planner : callable, optional
        Runs wanted given the finished ones (default the sweep's own).
    log : callable or None
        Receives one line per finished run.
    limit : int, optional
        Stop after this many new runs (for tests).

    Notes
    -----
    Each finished run is appended whole (its curve rows, then its row) with one write call and
    flushed to disk.  Before resuming, a torn last line of either file (the trace of a write cut
    short) is moved into a sibling file with ``.torn`` added to its name, with one warning, and
    its run is trained again; so are the last curve rows of a run with no row in the runs file.
    A stop (``KeyboardInterrupt``, or any error) cancels the runs not started and ends the
    workers at once; a worker of the local pool also ends by itself when the process that
    started it ends, even by SIGKILL.

    Raises
    ------
    DataFileError
        When the runs or curves file is damaged other than in its last line (naming the file and the line).
    """
    if planner is None:
        if name not in SWEEPS:
            raise ValueError(f"sweep must be one of {sorted(SWEEPS)}, got {name!r}")
        planner = SWEEPS[name].plan
    if int(workers) < 1:
        raise ValueError(f"workers must be a positive whole number, got {workers!r}")
    runs_path, curves_path = sweep_paths(name, out_dir)
    _mend(runs_path, curves_path)
    done = read_runs(runs_path)
    executor, client = _executor(int(workers), scheduler)
    # Keep no more runs in flight than there are workers, so runs the planner adds late (a size
    # beyond an edge minimum, a second seed) go ahead of the rest.
    slots = int(workers) if client is None else max(1, sum(client.nthreads().values()))
    in_flight: dict[cf.Future, RunConfig] = {}
    new = 0
    started = time.perf_counter()
    try:
        while True:
            finished = set(done["key"])
            flying = {c.key() for c in in_flight.values()}
            budget_left = None if limit is None else limit - new - len(in_flight)
            for config in planner(done):
                if (budget_left is not None and budget_left <= 0) or len(in_flight) >= slots:
                    break
                if config.key() in finished or config.key() in flying:
                    continue
                in_flight[executor.submit(_work, _as_dict(config))] = config
                flying.add(config.key())
                if budget_left is not None:
                    budget_left -= 1
            if not in_flight:
                break
            ready, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
            for future in ready:
                config = in_flight.pop(future)
                result = future.result()
                _append(curves_path, CURVE_COLUMNS, curve_rows(name, result))
                _append(runs_path, RUN_COLUMNS, [result_row(name, result)])
                new += 1
                if log is not None:
                    log(f"{name}: {config.model} budget {config.budget:.2g} {config.schedule} seed {config.seed}: "
                        f"loss {result['loss']:.4f} in {result['seconds']:.0f} s "
                        f"({result['tokens_per_second']:.0f} tokens/s); {new} new, "
                        f"{time.perf_counter() - started:.0f} s")
            done = read_runs(runs_path)
    except BaseException:  # an error, or a stop (KeyboardInterrupt): no run is waited for
        for future in in_flight:
            future.cancel()
        if client is None:
            _stop_pool(executor)
        raise
    finally:
        if client is None:
            executor.shutdown(wait=True, cancel_futures=True)
        else:
            client.close()
    return done
