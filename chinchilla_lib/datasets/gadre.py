"""The over-training runs of Gadre et al. (2024), "Language models scale reliably with over-training".

104 open_lm models (11M to 6.9B parameters) on three training sets (C4,
RedPajama, RefinedWeb), each trained for ``tokens = 20 N M`` tokens at a token
multiplier M (0.25 to 32), one JSON file per model in ``exp_data/models/``
(MIT).  Every model is evaluated on eight held-out sets; the loss the book fits
is ``loss_c4_val``, the loss on the C4 validation shards (174M tokens), the
evaluation Gadre et al. fit their loss scaling laws to.  The others are kept as
columns.  ``n_params`` is the file's ``params`` (embeddings included), the count
their multiplier is defined on (``tokens / (20 params) = M`` in every file).

Also here: their hyper-parameter sweep (``grid.json``) and the list of their
downstream evaluations (``eval_metadata.csv``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .external import EXTERNAL_FILES, fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["GADRE_REPO", "GADRE_EVALS", "gadre_model_files", "tidy_gadre_model", "load_gadre_runs",
           "load_gadre_grid", "load_gadre_eval_metadata"]

GADRE_REPO = "mlfoundations/scaling"
_MODELS = f"{GADRE_REPO}/exp_data/models/"

#: Evaluation sets, by the stem of their shards' folder upstream -> column suffix.
GADRE_EVALS = {
    "c4_val": "c4_val", "openlm": "openlm", "paloma_c4_en": "paloma_c4_en",
    "paloma_dolma_100_programing_languages": "paloma_code", "paloma_falcon-refinedweb": "paloma_refinedweb",
    "paloma_ptb": "paloma_ptb", "paloma_redpajama": "paloma_redpajama", "de-en": "de_en",
}
_TRAINING_SETS = {"c4_original": "C4", "rpj": "RedPajama", "rw_original": "RefinedWeb"}


def gadre_model_files() -> list[str]:
    """Registry names of the 104 model files, sorted."""
    return sorted(n for n in EXTERNAL_FILES if n.startswith(_MODELS) and n.endswith(".json"))


def _eval_key(val_data, path) -> str:
    if not isinstance(val_data, list) or len(val_data) != 1 or not isinstance(val_data[0], str):
        raise DataFileError(f"{path}: a result's val_data is not one shard path")
    parts = val_data[0].split("/")
    for key in GADRE_EVALS:
        if key in parts:
            return key
    raise DataFileError(f"{path}: unknown evaluation set {val_data[0]!r}")


def tidy_gadre_model(record: dict, path="model.json") -> dict:
    """One model file as a flat row (see :func:`load_gadre_runs`); DataFileError when malformed."""
    try:
        hp = record["hyperparameters"]
        name, dataset = str(record["name"]), str(record["dataset_name"])
        n_params, n_tokens = float(hp["params"]), float(hp["tokens"])
        row = {"run": name, "training_set": _TRAINING_SETS[dataset], "model": str(hp["model"]).split("/")[-1]
               .removesuffix(".json"), "n_params": n_params, "n_params_no_embed": float(hp["params_no_embed"]),
               "n_tokens": n_tokens, "token_multiplier": float(hp["chinchilla_multiplier"]),
               "lr": float(hp["lr"]), "warmup_steps": int(hp["warmup"]), "global_batch_sequences": int(hp["global_bs"])}
        results = list(record["results"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: not a Gadre et al. model record ({type(exc).__name__}: {exc})") from None
    if min(n_params, n_tokens, row["token_multiplier"]) <= 0:
        raise DataFileError(f"{path}: params, tokens and chinchilla_multiplier must be positive")
    if abs(n_tokens / (20.0 * n_params * row["token_multiplier"]) - 1) > 0.01:
        raise DataFileError(f"{path}: tokens is not 20 x params x chinchilla_multiplier")
    for result in results:
        key = _eval_key(result.get("val_data"), path)
        loss = result.get("loss")
        if isinstance(loss, bool) or not isinstance(loss, (int, float)) or not np.isfinite(loss) or loss <= 0:
            raise DataFileError(f"{path}: the loss on {key} is not a positive number")
        row[f"loss_{GADRE_EVALS[key]}"] = float(loss)
        if key == "c4_val":
            row["loss_c4_val_lo95"] = float(result["loss_sequences_lower_95"])
            row["loss_c4_val_hi95"] = float(result["loss_sequences_upper_95"])
    if "loss_c4_val" not in row:
        raise DataFileError(f"{path}: no loss on the C4 validation set")
    row["tokens_per_param"] = n_tokens / n_params
    return row


def load_gadre_runs() -> pd.DataFrame:
    """Gadre et al.'s 104 models, one row each.

    Returns
    -------
    DataFrame
        ``run``, ``training_set`` (C4, RedPajama, RefinedWeb), ``model`` (the
        open_lm shape), ``n_params`` (with embeddings), ``n_params_no_embed``,
        ``n_tokens``, ``token_multiplier`` (M), ``lr``, ``warmup_steps``,
        ``global_batch_sequences``, ``loss_c4_val`` (nats per token, the loss the
        book fits) with its 95% interval over sequences ``loss_c4_val_lo95``,
        ``loss_c4_val_hi95``, the other evaluations ``loss_openlm``,
        ``loss_paloma_*``, ``loss_de_en``, and ``tokens_per_param`` (= 20 M).

    References
    ----------
    Gadre et al. 2024, arXiv 2403.08540; ``mlfoundations/scaling``.
    """
    rows = []
    for name in gadre_model_files():
        path = fetch_external(name)
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{path}: not JSON ({exc})") from None
        rows.append(tidy_gadre_model(record, path))
    frame = pd.DataFrame(rows)
    if frame.empty or frame["run"].duplicated().any():
        raise DataFileError(f"{_MODELS}: no models, or a model twice")
    return frame.sort_values(["training_set", "n_params", "token_multiplier"]).reset_index(drop=True)


def load_gadre_grid() -> pd.DataFrame:
    """Their hyper-parameter sweep (``exp_data/grid.json``): one row per configuration.

    Each key reads ``SHAPE-s1-LR-WD-s4-TOKENS-WARMUP-COOLDOWN`` (``d=1024_l=12_h=16``
    is width 1024, 12 layers, 16 heads); ``s1`` and ``s4`` are integer settings the
    file does not name (equal in every key).  Columns ``d_model``, ``n_layers``,
    ``n_heads``, ``setting_1``, ``lr``, ``wd``, ``setting_4``, ``n_tokens``,
    ``warmup_steps``, ``cooldown_lr``, ``loss`` (nats per token).
    """
    path = fetch_external(f"{GADRE_REPO}/exp_data/grid.json")
    grid = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for key, loss in grid.items():
        shape, s1, lr, wd, s4, tokens, warmup, *cooldown = key.split("-")
        try:
            dims = dict(item.split("=") for item in shape.split("_"))
            rows.append({"d_model": int(dims["d"]), "n_layers": int(dims["l"]), "n_heads": int(dims["h"]),
                         "setting_1": int(s1), "lr": float(lr), "wd": float(wd), "setting_4": int(s4),
                         "n_tokens": float(tokens), "warmup_steps": int(warmup),
                         "cooldown_lr": float("-".join(cooldown)), "loss": float(loss)})
        except (KeyError, ValueError) as exc:
            raise DataFileError(f"{path}: cannot read the key {key!r} ({exc})") from None
    return pd.DataFrame(rows)


def load_gadre_eval_metadata() -> pd.DataFrame:
    """Their downstream evaluations (``exp_data/eval_metadata.csv``): task, category, shots, size, baseline."""
    path = fetch_external(f"{GADRE_REPO}/exp_data/eval_metadata.csv")
    frame = pd.read_csv(path)
    require_columns(frame, ["Eval Task", "Task Category", "#shots", "#datapoints", "Random baseline"], path)
    return frame.rename(columns={"Eval Task": "task", "Task Category": "category", "Task Type": "task_type",
                                 "#shots": "n_shots", "#datapoints": "n_examples", "Random baseline": "random_baseline",
                                 "Centered Metric?": "centered", "Description": "description"})
