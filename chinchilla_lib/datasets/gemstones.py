"""The Gemstones of McLeish et al. (2025), "Gemstones: A Model Suite for Multi-Faceted Scaling Laws".

22 decoder-only models on a grid of widths (256 to 3072) and depths (3 to 80), about 50M to 2B
parameters, trained on Dolma with a context of 2048 tokens and a batch of 2048 sequences
(4,194,304 tokens a step) at a constant learning rate after warm-up ("hot") to 350B tokens.
From the hot run of 20 of them, at 10B, 20B, ..., 100B tokens, a branch was cooled down: the
learning rate decayed linearly to zero over 10% more tokens (model cards of the suite).  The
authors publish one JSON line per checkpoint (``wandb_dfs/``, MIT): ``run_name``, ``width``,
``depth``, ``params_active_precise``, ``tokens``, ``step``, ``num_nodes``, ``seconds_per_step`` and
``final_loss``.  Three files are read:

* ``hot_100b+``: every hot checkpoint, 2385 steps (10B tokens) apart, to 350B tokens (the ``hot``
  file is its first ten checkpoints);
* ``cool_begin`` and ``cool_end``: the loss where each cool-down began and where it ended.  For
  2560x8 and 3072x12 the cool-downs branch from a first hot run that diverged after 100B tokens
  and was trained again; the hot phase holds the second run, so their ``cool_begin`` losses differ
  from the hot ones at the same step.  3072x12 was never cooled from 100B; 512x11 and 512x14 never.

**Loss.** ``final_loss`` is the validation loss logged at that step (the authors' extraction reads
their ``val_loss`` at each listed step; "final" means the value kept for fitting) on a subset of
Dolma disjoint from the training data, in nats per token.

**Parameter counts.** ``params_active_precise`` is kept as ``n_params`` (total).  It is the count
of the authors' ``param_counter`` (``plotters/plotting_utils.py``), which the tests recompute by
hand from width and depth: heads of 128 dimensions, ``h = width // 128`` query heads and
``h // 2`` key-value heads, a gated feed-forward block of ``4 width`` (three matrices), two norms
a block and a final norm, and a vocabulary of :data:`GEMSTONES_VOCAB` in an input table and a
separate output layer.  ``n_params_non_embedding`` removes both tables (``2 V width``); the
authors' Approach 1 ``no_embeds`` count does the same, their Approach 3 ``no_embeds`` fits remove
only the input table (``V width``; :func:`load_gemstones_approach3`).

**Compute.** ``flops`` is 6 N D with the total count, the book's convention (the files hold no
compute; the authors' Approach 1 uses their own count with attention, ``flops_per_token_gqa``).

**Finished runs.** :func:`load_gemstones_runs` keeps the ``cool_end`` checkpoints: each is the end
of a run whose learning rate reached zero, so 199 finished runs (20 models at up to ten token
counts).  Hot checkpoints never end a schedule.

References
----------
McLeish et al. 2025, arXiv 2502.06857 (NeurIPS 2025); ``mcleish7/gemstone-scaling-laws``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .external import EXTERNAL_FILES, fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["GEMSTONES_REPO", "GEMSTONES_VOCAB", "GEMSTONES_BATCH_TOKENS", "GEMSTONES_PHASES", "gemstones_param_counts",
           "tidy_gemstones_phase", "load_gemstones_curves", "load_gemstones_runs", "load_gemstones_approach1",
           "load_gemstones_approach3"]

GEMSTONES_REPO = "mcleish7/gemstone-scaling-laws"
#: Vocabulary (rows of the input table and of the output layer).
GEMSTONES_VOCAB = 50_304
#: Tokens a step: 2048 sequences of 2048 tokens.
GEMSTONES_BATCH_TOKENS = 2048 * 2048
#: Phase -> the file that holds it.
GEMSTONES_PHASES = {"hot": "hot_100b+", "cool_begin": "cool_begin", "cool_end": "cool_end"}
_FIELDS = ["run_name", "params_active_precise", "width", "depth", "tokens", "step", "num_nodes",
           "seconds_per_step", "final_loss"]
_RUN_NAME = re.compile(r"^PyGemma-(?P<width>\d+)x(?P<depth>\d+)_pretrain$")
#: A cool-down ends 10% of its start's tokens later; the steps make the ratio 1.099-1.100.
_COOL_RATIO = (1.09, 1.11)


def _file(phase_file: str) -> str:
    return f"{GEMSTONES_REPO}/wandb_dfs/wandb_df_for_fitting_{phase_file}.jsonl"


def gemstones_param_counts(width, depth) -> dict[str, np.ndarray]:
    """``total`` and ``non_embedding`` parameters of Gemstone shapes, as ``params_active_precise`` counts them.

    Per block: query, key and value projections ``width x 128 (h + 2 (h // 2))`` with ``h = width // 128``,
    the output projection ``128 h x width``, a gated feed-forward block ``3 x width x 4 width`` and two
    norms (``2 width``); then a final norm (``width``) and, in the total only, the input table and the
    output layer (``2 x 50,304 x width``).

    Examples
    --------
    256 wide, 23 deep: h = 2, so 256 x 512 + 256 x 256 + 12 x 256^2 + 512 = 983,552 a block, and
    23 x 983,552 + 256 = 22,621,952 without the tables, 2 x 50,304 x 256 = 25,755,648 with them.

    >>> counts = gemstones_param_counts(256, 23)
    >>> int(counts["non_embedding"]), int(counts["total"])
    (22621952, 48377600)
    """
    w, d = np.asarray(width, dtype=np.int64), np.asarray(depth, dtype=np.int64)
    if (w < 128).any() or (d < 1).any():
        raise ValueError(f"width must be 128 or more and depth 1 or more, got {width!r} and {depth!r}")
    heads = w // 128
    block = w * 128 * (heads + 2 * (heads // 2)) + 128 * heads * w + 12 * w * w + 2 * w
    non_embedding = d * block + w
    return {"total": non_embedding + 2 * GEMSTONES_VOCAB * w, "non_embedding": non_embedding}


def tidy_gemstones_phase(raw: pd.DataFrame, phase: str, path="phase.jsonl") -> pd.DataFrame:
    """One phase file as tidy checkpoints (columns of :func:`load_gemstones_curves` but ``run``); DataFileError when malformed."""
    if phase not in GEMSTONES_PHASES:
        raise ValueError(f"phase must be one of {', '.join(GEMSTONES_PHASES)}, got {phase!r}")
    require_columns(raw, _FIELDS, path)
    frame = raw[_FIELDS].copy()
    for col in _FIELDS[1:]:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or not np.isfinite(values).all() or (values <= 0).any():
            raise DataFileError(f"{path}: field {col} must hold positive numbers in every line")
        frame[col] = values
    names = frame["run_name"].astype(str).str.extract(_RUN_NAME)
    if names.isna().any().any():
        bad = frame.loc[names.isna().any(axis=1), "run_name"].iloc[0]
        raise DataFileError(f"{path}: run_name {bad!r} is not PyGemma-WIDTHxDEPTH_pretrain")
    if (names["width"].astype(int) != frame["width"]).any() or (names["depth"].astype(int) != frame["depth"]).any():
        raise DataFileError(f"{path}: width or depth differs from the one in run_name")
    if (frame["step"] * GEMSTONES_BATCH_TOKENS != frame["tokens"]).any():
        raise DataFileError(f"{path}: tokens is not step x 2048 x 2048 in every line")
    counts = gemstones_param_counts(frame["width"].to_numpy(), frame["depth"].to_numpy())
    if (counts["total"] != frame["params_active_precise"].to_numpy()).any():
        raise DataFileError(f"{path}: params_active_precise differs from the count of the Gemstone shapes")
    if frame.duplicated(["run_name", "step"]).any():
        raise DataFileError(f"{path}: a (run_name, step) pair appears twice")
    frame["non_embedding"] = counts["non_embedding"]
    frame = frame.sort_values(["run_name", "step"])
    out = pd.DataFrame({
        "model": frame["width"].astype(int).astype(str) + "x" + frame["depth"].astype(int).astype(str),
        "width": frame["width"].astype(int), "depth": frame["depth"].astype(int), "phase": phase,
        "step": frame["step"].astype(np.int64), "n_params": frame["params_active_precise"].astype(float),
        "n_params_non_embedding": frame["non_embedding"].astype(float),
        "n_tokens": frame["tokens"].astype(float), "loss": frame["final_loss"].astype(float),
        "n_nodes": frame["num_nodes"].astype(int), "seconds_per_step": frame["seconds_per_step"].astype(float)})
    out["flops"] = 6.0 * out["n_params"] * out["n_tokens"]
    return out.reset_index(drop=True)


def _read_jsonl(name: str) -> tuple[pd.DataFrame, Path]:
    path = fetch_external(name)
    try:
        return pd.read_json(path, orient="records", lines=True), path
    except ValueError as exc:
        raise DataFileError(f"{path}: not JSON lines ({exc})") from None


def _pair_cooldowns(begin: pd.DataFrame, end: pd.DataFrame, path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Name each cool-down ``MODEL-cool-STEP`` (its first step) in both files, pairing them by order within a model."""
    begin, end = begin.copy(), end.copy()
    sizes_b, sizes_e = begin.groupby("model").size(), end.groupby("model").size()
    if not sizes_b.equals(sizes_e):
        raise DataFileError(f"{path}: the cool-down files hold different cool-downs per model")
    begin["rank"] = begin.groupby("model").cumcount()
    end["rank"] = end.groupby("model").cumcount()
    pairs = begin.merge(end, on=["model", "rank"], suffixes=("_b", "_e"))
    ratio = pairs["n_tokens_e"] / pairs["n_tokens_b"]
    if not ratio.between(*_COOL_RATIO).all():
        raise DataFileError(f"{path}: a cool-down does not end 10% of its start's tokens later")
    for frame in (begin, end):
        start = frame.merge(pairs[["model", "rank", "n_tokens_b", "step_b"]], on=["model", "rank"])
        frame["run"] = frame["model"] + "-cool-" + start["step_b"].astype(str).to_numpy()
        frame["cooldown_start_tokens"] = start["n_tokens_b"].to_numpy()
    return begin.drop(columns="rank"), end.drop(columns="rank")


def load_gemstones_curves() -> pd.DataFrame:
    """Every checkpoint of the three phases, one row each.

    Returns
    -------
    DataFrame
        ``run`` (``MODEL-hot`` for a model's constant-rate run, ``MODEL-cool-STEP`` for the cool-down
        that began at ``STEP``), ``model`` (``WIDTHxDEPTH``), ``width``, ``depth``, ``phase``
        (``hot``, ``cool_begin``, ``cool_end``), ``step``, ``n_params`` (total),
        ``n_params_non_embedding``, ``n_tokens``, ``flops`` (6 N D, total parameters), ``loss``
        (validation, nats per token), ``cooldown_start_tokens`` (NaN in the hot phase),
        ``n_nodes``, ``seconds_per_step``; sorted by model, tokens and phase.

    References
    ----------
    McLeish et al. 2025, arXiv 2502.06857.
    """
    phases = {}
    for phase, stem in GEMSTONES_PHASES.items():
        raw, path = _read_jsonl(_file(stem))
        phases[phase] = tidy_gemstones_phase(raw, phase, path)
    hot = phases["hot"].assign(run=lambda f: f["model"] + "-hot", cooldown_start_tokens=np.nan)
    begin, end = _pair_cooldowns(phases["cool_begin"], phases["cool_end"], _file("cool_end"))
    if not set(end["model"]) <= set(hot["model"]):
        raise DataFileError(f"{_file('cool_end')}: a cooled model has no hot run")
    out = pd.concat([hot, begin, end], ignore_index=True)
    out["phase"] = pd.Categorical(out["phase"], categories=list(GEMSTONES_PHASES), ordered=True)
    out = out.sort_values(["n_params", "model", "n_tokens", "phase"]).reset_index(drop=True)
    out["phase"] = out["phase"].astype(str)
    columns = ["run", "model", "width", "depth", "phase", "step", "n_params", "n_params_non_embedding", "n_tokens",
               "flops", "loss", "cooldown_start_tokens", "n_nodes", "seconds_per_step"]
    return out[columns]


def load_gemstones_runs() -> pd.DataFrame:
    """The 199 finished runs: the ``cool_end`` checkpoints (columns of :func:`load_gemstones_curves`
    plus ``tokens_per_param``, final tokens over total parameters)."""
    curves = load_gemstones_curves()
    runs = curves[curves["phase"] == "cool_end"].reset_index(drop=True)
    runs["tokens_per_param"] = runs["n_tokens"] / runs["n_params"]
    return runs


_A1 = re.compile(r"approach_1_linear_regression_(?P<target>params|tokens_per_param|tokens)(?P<variant>_100b\+|"
                 r"_120b\+_only|_cooldown|_lr_ablation|)(?P<ne>_no_embeds)?\.json$")
_A1_VARIANTS = {"": "hot", "_100b+": "hot_100b+", "_120b+_only": "hot_120b+_only", "_cooldown": "cool_end",
                "_lr_ablation": "lr_ablation_hot"}
_A1_TARGETS = {"params": "n_params", "tokens": "n_tokens", "tokens_per_param": "tokens_per_param"}
_A3 = re.compile(r"approach_3_parameters_grid_search_0_(?P<variant>.+?)(?P<ne>_no_embeds)?\.json$")


def _read_json(name: str) -> dict:
    path = fetch_external(name)
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not JSON ({exc})") from None


def load_gemstones_approach1() -> pd.DataFrame:
    """The authors' Approach 1 power laws (``parameters/approach_1_linear_regression_*.json``).

    Each file is a least-squares line ln y = ``log_coef`` + ``exponent`` ln C through the points of
    their convex hull of loss against compute, with C their own FLOP count (``flops_per_token_gqa``
    times tokens, attention included; not 6 N D).

    Returns
    -------
    DataFrame
        ``variant`` (the checkpoints fitted: ``hot`` to 100B tokens, ``hot_100b+`` to 350B,
        ``hot_120b+_only``, ``cool_end`` (the cooled checkpoints), ``lr_ablation_hot`` (half the
        learning rate)), ``count`` (``total``, or ``non-embedding`` for their ``no_embeds``: both
        tables removed), ``target`` (``n_params``, ``n_tokens``, ``tokens_per_param``),
        ``exponent``, ``log_coef`` (natural log), ``file``.
    """
    rows = []
    for name in sorted(n for n in EXTERNAL_FILES if n.startswith(f"{GEMSTONES_REPO}/parameters/")):
        found = _A1.search(name)
        if found is None:
            raise DataFileError(f"{name}: not an Approach 1 file name this loader reads")
        record = _read_json(name)
        try:
            coef, intercept = record["coef"], float(record["intercept"])
            if len(coef) != 1 or int(record["approach"]) != 1:
                raise ValueError("one coefficient of approach 1 expected")
            exponent = float(coef[0])
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{name}: not an Approach 1 line ({type(exc).__name__}: {exc})") from None
        rows.append({"variant": _A1_VARIANTS[found["variant"]],
                     "count": "non-embedding" if found["ne"] else "total",
                     "target": _A1_TARGETS[found["target"]], "exponent": exponent, "log_coef": intercept,
                     "file": name.rsplit("/", 1)[1]})
    if not rows:
        raise DataFileError(f"no Approach 1 files of {GEMSTONES_REPO} in the pins")
    return pd.DataFrame(rows)


def load_gemstones_approach3() -> pd.DataFrame:
    """The authors' Approach 3 fits of L = E + A / N^alpha + B / D^beta (``parameters_delta-3/``).

    Fitted as Hoffmann et al. did (Huber loss on ln L, here with delta = 1e-3 as the folder is named,
    L-BFGS from a grid of starts) on the checkpoints of ``variant``; the files' exponents, log
    coefficients and log E are turned into ``alpha``, ``beta``, ``A``, ``B``, ``E``, and
    ``a`` = beta / (alpha + beta), the exponent of N_opt ∝ C^a for C = 6 N D.  The laws in width
    and depth (``approach_3_width_depth*``) are not read.

    Returns
    -------
    DataFrame
        ``variant`` (``hot``, ``hot_100b+``, ``cool_begin``, ``cool_end``, ...), ``count``
        (``total``, or ``total less input table`` for their ``no_embeds``: only ``V width`` removed),
        ``E``, ``A``, ``B``, ``alpha``, ``beta``, ``a``, ``objective`` (the Huber loss at the optimum),
        ``converged``, ``file``.
    """
    rows = []
    folder = f"{GEMSTONES_REPO}/parameters_delta-3/approach_3_parameters_"
    for name in sorted(n for n in EXTERNAL_FILES if n.startswith(folder)):
        found = _A3.search(name)
        if found is None:
            raise DataFileError(f"{name}: not an Approach 3 file name this loader reads")
        record = _read_json(name)
        try:
            (alpha, beta), (log_a, log_b) = record["exponents"]["0"], record["coefficients"]["0"]
            log_e, objective = float(record["irreducible_error"]["0"]), float(record["loss"]["0"])
            converged = bool(record["success"]["0"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{name}: not a two-term Approach 3 fit ({type(exc).__name__}: {exc})") from None
        alpha, beta = float(alpha), float(beta)
        rows.append({"variant": found["variant"], "count": "total less input table" if found["ne"] else "total",
                     "E": float(np.exp(log_e)), "A": float(np.exp(log_a)), "B": float(np.exp(log_b)),
                     "alpha": alpha, "beta": beta, "a": beta / (alpha + beta), "objective": objective,
                     "converged": converged, "file": name.rsplit("/", 1)[1]})
    if not rows:
        raise DataFileError(f"no Approach 3 files of {GEMSTONES_REPO} in the pins")
    return pd.DataFrame(rows)
