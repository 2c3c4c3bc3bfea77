"""The data-constrained runs of Muennighoff et al. (2023), "Scaling Data-Constrained Language Models".

The runs are a dict literal, ``NAMES_TO_VAL_LOSSES``, in the second cell of the
authors' notebook ``utils/parametric_fit.ipynb`` (Apache-2.0).  The notebook is
read as JSON and its cell parsed with :mod:`ast`; nothing in it is executed.
Each key encodes the model size, the total training tokens and the unique tokens
(``2b84b4b``: the 2.8B model, 4B tokens, 4B unique), decoded here exactly as the
notebook's own code decodes them (its ``get_params``, ``get_tokens`` and
``get_unique_tokens``, with its ``PARAMS_MAP`` and ``TOKENS_MAP``).

The loss is the final validation loss on held-out C4 (the notebook's comment:
read from the "val" logs of each model), in nats per token.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .external import fetch_external
from .paper_tables import DataFileError

__all__ = ["MUENNIGHOFF_NOTEBOOK", "decode_run_name", "parse_muennighoff_notebook", "load_muennighoff_runs"]

#: The pinned notebook that holds the runs.
MUENNIGHOFF_NOTEBOOK = "huggingface/datablations/utils/parametric_fit.ipynb"

_CELL = 1  # the second cell
_NAMES = ("NAMES_TO_VAL_LOSSES", "TOKENS_MAP", "PARAMS_MAP")
# Suffixes the notebook removes before decoding a name (seeds, shape variants, the C4 tag).
_STRIP = ("op2", "seed1", "seed2", "seed3", "seed4", "opt1", "opt", "c4", "v2")


def _billions(text: str, tokens_map: dict) -> float:
    """A token count as the notebook writes it (``4b``, ``1b25``, ``100m``), in tokens."""
    if text in tokens_map:
        return float(tokens_map[text]) * 1e9
    try:
        return float(text.replace("b", ".").strip(".")) * 1e9
    except ValueError:
        raise DataFileError(f"{MUENNIGHOFF_NOTEBOOK}: cannot read a token count from {text!r}") from None


def decode_run_name(name: str, params_map: dict, tokens_map: dict) -> tuple[float, float, float]:
    """(parameters, total tokens, unique tokens) of one run name, as the notebook decodes it.

    The model size is the shortest prefix found in ``params_map``; the unique
    tokens are the last three or four characters (fewer while they hold two
    ``b`` or two ``m``); the total tokens are what lies between.
    """
    clean = name
    for suffix in _STRIP:
        clean = clean.replace(suffix, "")
    idx = 2
    while clean[:idx] not in params_map:
        idx += 1
        if idx > len(clean):
            raise DataFileError(f"{MUENNIGHOFF_NOTEBOOK}: run {name!r} starts with no known model size")
    n_params = float(params_map[clean[:idx]])
    end = -4 if clean[-1] in ("b", "m") or clean[-2] not in ("b", "m") else -3
    unique = clean[end:]
    while unique.count("b") > 1 or unique.count("m") > 1:
        end += 1
        unique = clean[end:]
    return n_params, _billions(clean[idx:end], tokens_map), _billions(unique, tokens_map)


def parse_muennighoff_notebook(path: Path) -> dict[str, dict]:
    """The three dict literals of the notebook's second cell, by name (read as data, never executed)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        source = "".join(notebook["cells"][_CELL]["source"])
        tree = ast.parse(source)
    except (OSError, ValueError, KeyError, IndexError, TypeError, SyntaxError) as exc:
        raise DataFileError(f"{path}: not the notebook expected ({type(exc).__name__}: {exc})") from None
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in _NAMES:
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                raise DataFileError(f"{path}: {node.targets[0].id} is not a literal") from None
    missing = [n for n in _NAMES if not isinstance(found.get(n), dict)]
    if missing:
        raise DataFileError(f"{path}: the second cell lacks the dict(s) {missing}; the upstream notebook changed")
    return found


def _tidy(found: dict[str, dict], path) -> pd.DataFrame:
    rows = []
    for name, loss in found["NAMES_TO_VAL_LOSSES"].items():
        if not isinstance(loss, (int, float)) or isinstance(loss, bool):
            raise DataFileError(f"{path}: run {name!r} has a non-numeric loss {loss!r}")
        if loss == 0 or name.endswith("dedup"):  # unfinished runs and the deduplication variant, as upstream
            continue
        n, d, unique = decode_run_name(name, found["PARAMS_MAP"], found["TOKENS_MAP"])
        rows.append({"run": name, "n_params": n, "n_tokens": d, "n_unique_tokens": unique, "loss_val": float(loss)})
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise DataFileError(f"{path}: no finished runs")
    bad = frame[(frame["n_unique_tokens"] > frame["n_tokens"] * (1 + 1e-9))]
    if not bad.empty:
        raise DataFileError(f"{path}: run {bad['run'].iloc[0]!r} has more unique tokens than tokens")
    if not np.isfinite(frame["loss_val"]).all() or (frame["loss_val"] <= 0).any():
        raise DataFileError(f"{path}: a loss is not a positive number")
    frame["epochs"] = frame["n_tokens"] / frame["n_unique_tokens"]
    frame["tokens_per_param"] = frame["n_tokens"] / frame["n_params"]
    return frame


def load_muennighoff_runs() -> pd.DataFrame:
    """Muennighoff et al.'s finished runs, one row per key of ``NAMES_TO_VAL_LOSSES``.

    Returns
    -------
    DataFrame
        ``run`` (the upstream key), ``n_params``, ``n_tokens`` (total training
        tokens), ``n_unique_tokens``, ``loss_val`` (final C4 validation loss, nats
        per token), ``epochs`` (tokens over unique tokens) and ``tokens_per_param``.
        Runs repeated with several seeds keep one row per seed.

    References
    ----------
    Muennighoff et al. 2023, arXiv 2305.16264; ``huggingface/datablations``.
    """
    path = fetch_external(MUENNIGHOFF_NOTEBOOK)
    return _tidy(parse_muennighoff_notebook(path), path)
