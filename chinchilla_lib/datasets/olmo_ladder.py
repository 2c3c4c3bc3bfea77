"""The OLMo model ladder of Bhagia et al. (2024), "Establishing Task Scaling Laws via Compute-Efficient Model Ladders".

Five OLMo-style sizes (labelled 190M, 370M, 760M, 1B, 3B), each trained at 0.5, 1, 2, 5 and
10 times its "Chinchilla" token count (``xC``, 20 tokens per parameter), plus a second run of
every 1xC model (``-rerun``): 30 runs, one CSV each (Apache-2.0), one row per checkpoint.
Every run has its own schedule: a warm-up, then a cosine decay of the learning rate to a tenth
of its peak at the run's last step (the file's ``optim/learning_rate_group0``), the schedule
Hoffmann et al. used for Approach 1 (Sec. 3.1).

**Loss.** ``loss`` is the cross-entropy on the C4 validation set (``eval/c4_en-validation/
CrossEntropyLoss``, nats per token): held-out web text, the same evaluation the book fits on
Gadre et al.'s and Muennighoff et al.'s runs.  The ten other held-out sets of the file are
kept as ``loss_<set>``: The Pile, WikiText-103, ICE, M2D2 S2ORC and six Dolma subsets (books,
common crawl, peS2o, Reddit, Stack, Wikipedia).  The downstream task columns are not kept.

**Parameter counts.** The files carry none; they are counted from the ladder's model
configurations (``MODEL_CONFIGS`` of ``src/ladder/ladder.py`` in the same repository): width
``d`` and depth ``L`` per size (:data:`OLMO_SHAPES`), no biases, a SwiGLU block whose input
projection is ``d x 8d`` (two halves of ``4d``) and output ``4d x d``, query and key layer
norms and two block norms with a scale each, a final norm, an embedding table of
:data:`OLMO_EMBEDDING_ROWS` rows (the 100,278-token vocabulary padded) and an output layer
that is *not* tied to it.  So per layer ``16 d^2 + 4 d`` and

* ``n_params_non_embedding`` = L (16 d^2 + 4 d) + d;
* ``n_params`` (total) = non-embedding + 2 V d (embedding table and output layer);
* ``n_params_ladder`` = non-embedding + V d: the count the ladder's ``xC`` is defined on
  (the input table counted once, the output layer not).

Two routes in the data check these counts (:func:`tidy_olmo_run` refuses a file that fails
either): the final token count of every run is ``20 x multiplier x n_params_ladder`` plus 10 to
11 batches (so N = final tokens of the 1xC run / 20 to within 0.15%), and the file's own
compute per token, ``total_training_Gflops * 1e9 / total_tokens``, equals to the FLOP

    6 n_params - 2 V d + 12 L d T,  T = :data:`OLMO_SEQ_LEN`,

six FLOPs per parameter per token except the input table's forward pass (a look-up), plus
attention over a 4096-token context.  That count is kept as ``flops_reported``; ``flops`` is
``6 n_params n_tokens``, the convention of every other set in the book (the reported count is
9% to 21% above it for these shapes).

**Finished runs.** :func:`load_olmo_ladder_runs` keeps the last checkpoint of each run: the end
of its own cosine schedule (learning rate at a tenth of the peak), the point Approach 1's
envelope and Approaches 2 and 3 take as a finished run.

References
----------
Bhagia et al. 2024, arXiv 2412.04403; ``allenai/OLMo-ladder`` (``src/scripts/paper/data/ladder-runs``);
Hoffmann et al. 2022, Sec. 3.1.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .external import EXTERNAL_FILES, fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["OLMO_REPO", "OLMO_SIZES", "OLMO_MULTIPLIERS", "OLMO_SHAPES", "OLMO_EMBEDDING_ROWS", "OLMO_SEQ_LEN",
           "OLMO_EVALS", "olmo_run_files", "olmo_param_counts", "olmo_flops_per_token", "tidy_olmo_run",
           "load_olmo_ladder_curves", "load_olmo_ladder_runs"]

OLMO_REPO = "allenai/OLMo-ladder"
_RUNS = f"{OLMO_REPO}/src/scripts/paper/data/ladder-runs/"
#: Size labels, smallest first.
OLMO_SIZES = ("190M", "370M", "760M", "1B", "3B")
#: Token multiples of each size's 1xC budget (20 tokens per ``n_params_ladder``).
OLMO_MULTIPLIERS = (0.5, 1.0, 2.0, 5.0, 10.0)
#: (d_model, n_layers) per size, from the ladder's model configurations (module docstring).
OLMO_SHAPES = {"190M": (768, 12), "370M": (1024, 16), "760M": (1536, 16), "1B": (2048, 16), "3B": (3328, 16)}
#: Rows of the embedding table and of the (untied) output layer: the vocabulary of 100,278 padded.
OLMO_EMBEDDING_ROWS = 100_352
#: Context length of training (the attention term of the reported FLOPs).
OLMO_SEQ_LEN = 4096
#: Held-out evaluation sets of the files -> column suffix (``loss_<suffix>``); C4 is ``loss`` itself.
OLMO_EVALS = {
    "c4_en": None, "dolma_books": "dolma_books", "dolma_common-crawl": "dolma_common_crawl",
    "dolma_pes2o": "dolma_pes2o", "dolma_reddit": "dolma_reddit", "dolma_stack": "dolma_stack",
    "dolma_wiki": "dolma_wiki", "ice": "ice", "m2d2_s2orc": "m2d2_s2orc", "pile": "pile",
    "wikitext_103": "wikitext_103",
}
_COLUMNS = {"_step": "step", "throughput/total_tokens": "n_tokens", "throughput/total_training_Gflops": "gflops",
            "optim/learning_rate_group0": "learning_rate", "learning_rate_peak": "learning_rate_peak",
            "batch_size_in_tokens": "batch_size_tokens"}
_NAME = re.compile(r"^(?P<model>190M|370M|760M|1B|3B)-(?P<mult>0\.5|1|2|5|10)xC(?P<rerun>-rerun)?$")
#: Tolerances of the two checks of the counts against the data.
_BUDGET_TOL = 0.01  # final tokens over 20 x multiplier x n_params_ladder (10-11 extra batches: below 0.3%)
_FLOPS_TOL = 1e-6  # reported FLOPs per token over the count of the module docstring
#: A finished run ends with its learning rate at a tenth of the peak; more than this is not finished.
_FINAL_LR_SHARE = 0.11


def olmo_run_files() -> list[str]:
    """Registry names of the 30 run files, sorted."""
    return sorted(n for n in EXTERNAL_FILES if n.startswith(_RUNS) and n.endswith(".csv"))


def olmo_param_counts(model: str) -> dict[str, int]:
    """Parameter counts of one ladder size (module docstring): ``total``, ``non_embedding``, ``ladder``.

    Examples
    --------
    The 190M model (d = 768, L = 12): 12 (16 * 768^2 + 4 * 768) + 768 = 113,283,840 non-embedding
    parameters, and 100,352 * 768 = 77,070,336 in each of the embedding table and the output layer.

    >>> olmo_param_counts("190M")
    {'total': 267424512, 'non_embedding': 113283840, 'ladder': 190354176}
    """
    if model not in OLMO_SHAPES:
        raise ValueError(f"model must be one of {', '.join(OLMO_SHAPES)}, got {model!r}")
    d, n_layers = OLMO_SHAPES[model]
    non_embedding = n_layers * (16 * d * d + 4 * d) + d
    table = OLMO_EMBEDDING_ROWS * d
    return {"total": non_embedding + 2 * table, "non_embedding": non_embedding, "ladder": non_embedding + table}


def olmo_flops_per_token(model: str) -> int:
    """Training FLOPs per token as the ladder's files count them: 6 N - 2 V d + 12 L d T (module docstring)."""
    counts = olmo_param_counts(model)
    d, n_layers = OLMO_SHAPES[model]
    return 6 * counts["total"] - 2 * OLMO_EMBEDDING_ROWS * d + 12 * n_layers * d * OLMO_SEQ_LEN


def _positive(frame: pd.DataFrame, columns, path) -> None:
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or not np.isfinite(values).all() or (values <= 0).any():
            raise DataFileError(f"{path}: column {col} must hold positive numbers in every row")
        frame[col] = values.astype(float)


def tidy_olmo_run(raw: pd.DataFrame, name: str, path="run.csv") -> pd.DataFrame:
    """One run file as tidy checkpoints (see :func:`load_olmo_ladder_curves`); DataFileError when malformed.

    Parameters
    ----------
    raw : DataFrame
        The file as ``pandas.read_csv`` reads it.
    name : str
        The run's name, the file's stem (``"190M-1xC"``, ``"3B-1xC-rerun"``).
    path : str or Path
        How messages name the file.
    """
    found = _NAME.match(str(name))
    if found is None:
        raise DataFileError(f"{path}: run name {name!r} is not SIZE-MULTIPLExC[-rerun]; the upstream files changed")
    model, multiplier = found["model"], float(found["mult"])
    evals = {f"eval/{key}-validation/CrossEntropyLoss": ("loss" if suffix is None else f"loss_{suffix}")
             for key, suffix in OLMO_EVALS.items()}
    require_columns(raw, list(_COLUMNS) + list(evals), path)
    frame = raw[list(_COLUMNS) + list(evals)].rename(columns={**_COLUMNS, **evals})
    _positive(frame, list(_COLUMNS.values()) + list(evals.values()), path)
    if len(frame) < 2:
        raise DataFileError(f"{path}: a run needs two or more checkpoints, found {len(frame)}")
    if not (np.diff(frame["step"]) > 0).all() or not (np.diff(frame["n_tokens"]) > 0).all():
        raise DataFileError(f"{path}: steps and tokens must increase from one checkpoint to the next")
    for col in ("learning_rate_peak", "batch_size_tokens"):
        if frame[col].nunique() != 1:
            raise DataFileError(f"{path}: {col} changes within the run")
    if (frame["step"] * frame["batch_size_tokens"] != frame["n_tokens"]).any():
        raise DataFileError(f"{path}: total_tokens is not step x batch_size_in_tokens in every row")
    counts = olmo_param_counts(model)
    final = float(frame["n_tokens"].iloc[-1])
    budget = final / (20.0 * multiplier * counts["ladder"])
    if abs(budget - 1.0) > _BUDGET_TOL:
        raise DataFileError(f"{path}: {final:.4g} final tokens are {budget:.4f} x 20 x {multiplier:g} x "
                            f"{counts['ladder']:,} parameters; the counted shapes no longer describe the run")
    per_token = frame["gflops"] * 1e9 / frame["n_tokens"]
    expected = olmo_flops_per_token(model)
    if (np.abs(per_token / expected - 1.0) > _FLOPS_TOL).any():
        raise DataFileError(f"{path}: total_training_Gflops gives {per_token.iloc[-1]:.6g} FLOPs per token, not "
                            f"the {expected:,} of the counted shapes; the upstream files changed")
    last_share = frame["learning_rate"].iloc[-1] / frame["learning_rate_peak"].iloc[-1]
    if last_share > _FINAL_LR_SHARE:
        raise DataFileError(f"{path}: the last learning rate is {last_share:.3f} of the peak, not a tenth; "
                            "the run did not finish its schedule")
    frame["step"] = frame["step"].astype(np.int64)
    frame.insert(0, "run", str(name))
    frame.insert(1, "model", model)
    frame.insert(2, "multiplier", multiplier)
    frame.insert(3, "rerun", found["rerun"] is not None)
    frame["n_params"] = float(counts["total"])
    frame["n_params_non_embedding"] = float(counts["non_embedding"])
    frame["n_params_ladder"] = float(counts["ladder"])
    frame["flops"] = 6.0 * frame["n_params"] * frame["n_tokens"]
    frame["flops_reported"] = frame.pop("gflops") * 1e9
    frame["schedule_fraction"] = frame["n_tokens"] / final
    first = ["run", "model", "multiplier", "rerun", "step", "n_params", "n_params_non_embedding",
             "n_params_ladder", "n_tokens", "flops", "flops_reported", "loss", "learning_rate",
             "learning_rate_peak", "batch_size_tokens", "schedule_fraction"]
    return frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)


def load_olmo_ladder_curves() -> pd.DataFrame:
    """Every checkpoint of the 30 ladder runs, one row each.

    Returns
    -------
    DataFrame
        ``run`` (the file's stem, e.g. ``"760M-2xC"``), ``model`` (size label), ``multiplier``
        (0.5 to 10), ``rerun`` (the second run of a 1xC model), ``step``, ``n_params`` (total),
        ``n_params_non_embedding``, ``n_params_ladder`` (the count ``xC`` is defined on),
        ``n_tokens``, ``flops`` (6 N D, total parameters), ``flops_reported`` (the file's count),
        ``loss`` (C4 validation, nats per token), ``learning_rate``, ``learning_rate_peak``,
        ``batch_size_tokens``, ``schedule_fraction`` (tokens over the run's final tokens) and the
        other held-out losses ``loss_<set>`` (``OLMO_EVALS``); sorted by size, multiplier, rerun, step.

    References
    ----------
    Bhagia et al. 2024, arXiv 2412.04403.
    """
    frames = []
    for name in olmo_run_files():
        path = fetch_external(name)
        try:
            raw = pd.read_csv(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{path}: not a CSV file ({exc})") from None
        frames.append(tidy_olmo_run(raw, name.rsplit("/", 1)[1].removesuffix(".csv"), path))
    if not frames:
        raise DataFileError(f"no run files under {_RUNS} in the pins")
    out = pd.concat(frames, ignore_index=True)
    out["model"] = pd.Categorical(out["model"], categories=OLMO_SIZES, ordered=True)
    out = out.sort_values(["model", "multiplier", "rerun", "step"]).reset_index(drop=True)
    out["model"] = out["model"].astype(str)
    return out


def load_olmo_ladder_runs() -> pd.DataFrame:
    """The 30 finished runs: the last checkpoint of each (the end of its own schedule).

    Same columns as :func:`load_olmo_ladder_curves` (``schedule_fraction`` is 1) plus
    ``tokens_per_param`` (final tokens over total parameters; 20 x multiplier over
    ``n_params_ladder``, fewer over the total count).
    """
    curves = load_olmo_ladder_curves()
    runs = curves.groupby("run", sort=False).tail(1).reset_index(drop=True)
    runs["tokens_per_param"] = runs["n_tokens"] / runs["n_params"]
    return runs
