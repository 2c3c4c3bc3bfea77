"""Our two predictions made in advance, side by side: the grids behind them and what the runs reached.

The first (:mod:`.tinygpt`, sweep ``isoflop``, Shakespeare, Appendix F budgets) and the second
(:mod:`.unrepeated_grid`, sweep ``isoflop-unrepeated``, the mixed corpus, ``6 N D`` budgets), each
committed before any of the runs that test it.  This module only reads the committed files.

References
----------
Hoffmann et al. 2022, Section 4 (Chinchilla trained at the size the approaches predicted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..train.sweep import read_runs, sweep_paths
from . import tinygpt, unrepeated_grid

__all__ = ["second_outcome", "second_runs", "predictions_table", "second_numbers", "answers_table", "committed_ladder"]


def second_runs() -> pd.DataFrame:
    """The committed runs of the sweep ``prediction-unrepeated`` (none yet: an empty frame)."""
    from pathlib import Path

    path = sweep_paths("prediction-unrepeated")[0]
    return read_runs(path) if Path(path).is_file() else pd.DataFrame(
        columns=["model", "budget", "seed", "loss", "epochs", "n_params", "n_tokens", "seconds"])


def second_outcome() -> pd.DataFrame:
    """The second prediction against its runs (:func:`~.unrepeated_grid.prediction_unrepeated_outcome`)."""
    return unrepeated_grid.prediction_unrepeated_outcome(runs=second_runs())


def _row(label: str, grid: pd.DataFrame, trained: pd.DataFrame, prediction: dict, outcome: pd.DataFrame,
         interval, covers: str, accounting: str, corpus: str) -> dict:
    chosen = outcome.set_index("model").loc[prediction["predicted_model"]]
    done = outcome["observed_loss"].notna()
    best = outcome.loc[outcome.loc[done, "observed_loss"].idxmin(), "model"] if done.any() else "not yet trained"
    epochs = pd.concat([grid["epochs"], trained["epochs"]]) if len(trained) else grid["epochs"]
    return {"prediction": label, "corpus": corpus, "accounting": accounting,
            "grid budgets": f"{grid['budget'].nunique()} over {np.log10(grid['budget'].max() / grid['budget'].min()):.1f} "
                            "decades",
            "most epochs of any run": f"{epochs.max():.2f}",
            "budget predicted": f"{prediction['flops']:.2g} FLOPs",
            "predicted model": f"{prediction['predicted_model']} ({prediction['predicted_n_params']:,} parameters)",
            "predicted loss (80%)": f"{chosen['predicted_loss']:.3f} ({interval[0]:.3f}-{interval[1]:.3f})",
            "the interval covers": covers,
            "loss reached": (f"{chosen['observed_loss']:.3f}" if np.isfinite(chosen["observed_loss"])
                             else "not yet trained"),
            "inside the interval": ("yes" if chosen["inside"] else "no") if np.isfinite(chosen["observed_loss"]) else "",
            "lowest loss trained": best}


def predictions_table() -> pd.DataFrame:
    """One column per prediction, one row per property: the at-a-glance comparison of the two experiments."""
    first = tinygpt.load_prediction()
    grid1 = tinygpt.sweep_runs()
    grid1 = grid1[grid1["schedule"] == "matched"]
    out1 = tinygpt.prediction_outcome(first)
    chosen1 = out1.set_index("model").loc[first["predicted_model"]]
    second = unrepeated_grid.load_prediction_unrepeated()
    rows = [
        _row("first", grid1, tinygpt.sweep_runs("prediction"), first, out1, (chosen1["low"], chosen1["high"]),
             "the fit's parameters only", "Appendix F FLOPs for budgets, C/(6N) in places",
             f"Shakespeare, {grid1['train_bytes'].iloc[0] / 1e6:.2f} MB"),
        _row("second", unrepeated_grid.unrepeated_runs(), second_runs(), second, second_outcome(),
             second["predicted_loss_interval"], "the fit's parameters and the seed noise (mean of three seeds)",
             "6ND, N the total parameters, throughout", f"mixed, {second['train_bytes'] / 1e6:.1f} MB"),
    ]
    return pd.DataFrame(rows).set_index("prediction").T.rename_axis(None, axis=1)


def second_numbers(prediction: dict | None = None) -> dict:
    """The second prediction's numbers the chapter quotes, by name (glued with the prefix ``p2_``).

    From the committed file: the predicted model, size, tokens per parameter and loss with its
    intervals (the law's alone, one run, the mean of three seeds), the seed noise, every
    approach's exponent (total and non-embedding) with its verdict, the commits; from the runs:
    how many are trained, the predicted model's mean, its seed spread and side of the interval.
    """
    prediction = unrepeated_grid.load_prediction_unrepeated() if prediction is None else prediction
    answers = {(a["approach"], a["parameters"]): a for a in prediction["approaches"]}
    a1, a2, a3, a3_ne = (answers[k] for k in ((1, "total"), (2, "total"), (3, "total"), (3, "non_embedding")))
    run = {r["model"]: r for r in prediction["runs_to_train"]}[prediction["predicted_model"]]
    outcome = second_outcome()
    chosen = outcome.set_index("model").loc[prediction["predicted_model"]]
    side = ("inside" if chosen["inside"] else "below" if chosen["observed_loss"] < chosen["low"] else "above")
    numbers = {
        "model": prediction["predicted_model"], "n": prediction["predicted_n_params"], "flops": prediction["flops"],
        "factor": prediction["factor"], "loss": prediction["predicted_loss"],
        "lo": prediction["predicted_loss_interval"][0], "hi": prediction["predicted_loss_interval"][1],
        "law_lo": run["law_interval"][0], "law_hi": run["law_interval"][1],
        "one_lo": run["loss_interval_one_run"][0], "one_hi": run["loss_interval_one_run"][1],
        "tpp": run["tokens_per_param"], "noise": prediction["seed_noise_sd"],
        "noise_pairs": prediction["seed_noise"]["n_pairs"], "includes": "; ".join(prediction["interval_includes"]),
        "models": ", ".join(r["model"] for r in prediction["runs_to_train"]),
        "epochs": max(r["epochs"] for r in prediction["runs_to_train"]),
        "commit": unrepeated_grid.PREDICTION_COMMIT[:7], "made_from": prediction["made_from_commit"][:7],
        "a1": a1["a"], "a1_reason": a1["reason"].split(";")[0], "a2": a2["a"],
        "a2_spread": a2["a_interval"][1] - a2["a_interval"][0],
        "a3": a3["a"], "a3_lo": a3["a_interval"][0], "a3_hi": a3["a_interval"][1], "a3_verdict": a3["verdict"],
        "n3": a3["n_opt"], "n3_lo": a3["n_opt_interval"][0], "n3_hi": a3["n_opt_interval"][1],
        "tpp3": a3["tokens_per_param"], "a3_ne": a3_ne["a"], "a3_ne_lo": a3_ne["a_interval"][0],
        "a3_ne_hi": a3_ne["a_interval"][1], "a3_ne_verdict": a3_ne["verdict"],
        "trained": int(outcome["n_seeds"].sum()), "planned": sum(len(r["seeds"]) for r in prediction["runs_to_train"]),
        "obs": chosen["observed_loss"], "diff": chosen["difference"], "sd": chosen["observed_sd"],
        "runs_inside": int(outcome["runs_inside"].sum()), "side": side,
        "best": outcome.loc[outcome["observed_loss"].idxmin(), "model"] if outcome["n_seeds"].any() else "none",
    }
    return numbers | unrepeated_grid.outcome_phrases(prediction, outcome)


def answers_table(prediction: dict | None = None) -> pd.DataFrame:
    """Every approach's committed answer in both counts: a and N_opt, each with its 80% interval in one cell, D/N,
    the gate's verdict and the failed check (blank when decided)."""
    prediction = unrepeated_grid.load_prediction_unrepeated() if prediction is None else prediction

    def cell(value, interval, fmt):
        if value is None:
            return ""
        return f"{value:{fmt}}" + (f" ({interval[0]:{fmt}}-{interval[1]:{fmt}})" if interval else "")

    return pd.DataFrame([{"approach": f"Approach {a['approach']}", "parameters": a["parameters"].replace("_", "-"),
                          "a (80%)": cell(a.get("a"), a.get("a_interval"), ".2f"),
                          "N_opt (80%)": cell(a.get("n_opt"), a.get("n_opt_interval"), ",.0f"),
                          "D/N": a.get("tokens_per_param"), "gate": a["verdict"],
                          "failed check": ", ".join(a.get("failed", []))}
                         for a in prediction["approaches"]])


def committed_ladder(prediction: dict | None = None, span: float = 4.0) -> pd.DataFrame:
    """The committed law's loss over the ladder at the predicted budget, within ``span`` of the trained sizes."""
    prediction = unrepeated_grid.load_prediction_unrepeated() if prediction is None else prediction
    law = prediction["law"]
    ladder = unrepeated_grid.ladder_losses_6nd([np.log(law["A"]), np.log(law["B"]), np.log(law["E"]), law["alpha"],
                                                law["beta"]], prediction["flops"])
    sizes = [r["n_params"] for r in prediction["runs_to_train"]]
    return ladder[ladder["n_params"].between(min(sizes) / span, max(sizes) * span)].reset_index(drop=True)
