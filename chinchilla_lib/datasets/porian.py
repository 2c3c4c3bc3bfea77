"""The IsoFLOP runs of Porian et al. (2024), "Resolving Discrepancies in Compute-Optimal Scaling"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .external import fetch_external, require_columns
from .paper_tables import DataFileError

__all__ = ["PORIAN_FINAL", "PORIAN_FIELDS", "PORIAN_DATASETS", "PORIAN_STEPS", "porian_step", "porian_summaries",
           "porian_configurations", "load_porian"]

_PORIAN_REPO = "formll/resolving-scaling-law-discrepancies"

_PORIAN_FILES = {
    "data/summary_df.pickle.xz": "RefinedWeb",
    "data/summary_df_owt2.pickle.xz": "OpenWebText2",
    "data/summary_df_att.pickle.xz": "RefinedWeb, attention FLOPs counted",
    "data/summary_df_kaplan_tuned_hparams.pickle.xz": "Kaplan setting with tuned hyper-parameters",
}
#: Porian et al.'s configuration with every correction applied (RefinedWeb, tuned AdamW, short warm-up,
#: constant learning rate, standard parameter count, validation loss).
PORIAN_FINAL = "rw-tuned-short-const-standard-val"
PORIAN_FIELDS = ["dataset", "hparams", "warmup", "decay", "param_count", "val"]


def porian_summaries() -> pd.DataFrame:
    """Porian et al.'s upstream summary tables, one row per configuration (hash-checked, unpickled).

    Besides ``configuration`` and the upstream fields, the nested columns ``data``
    (per budget: their interpolation of loss over n, the runs ``orig_n``,
    ``orig_t``, ``orig_loss``), ``optimal_pairs`` (their per-budget optima) and
    ``fit_results`` (their exponents) are kept as upstream made them.
    """
    repo = _PORIAN_REPO
    frames = []
    for path in _PORIAN_FILES:
        local = fetch_external(f"{repo}/{path}")  # hash verified before unpickling
        frame = pd.read_pickle(local)
        require_columns(frame, PORIAN_FIELDS + ["data", "fit_results"], local)
        frame = frame.assign(source_file=Path(path).name)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "configuration", out[PORIAN_FIELDS].astype(str).agg("-".join, axis=1))
    if out["configuration"].duplicated().any():
        raise DataFileError("Porian configurations are not unique; the upstream files changed")
    return out


def porian_configurations() -> pd.DataFrame:
    """One row per Porian et al. configuration with their own fitted N* exponent.

    Columns: ``configuration`` (the name ``porian:NAME`` refers to), the
    upstream fields ``dataset, hparams, warmup, decay, param_count, val``,
    ``source_file`` and ``n_exponent`` (their ``fit_results['basic']``).
    """
    summary = porian_summaries()
    n_exp = summary["fit_results"].map(lambda r: float(r["basic"]["n_exponent"]))
    return summary[["configuration", *PORIAN_FIELDS, "source_file"]].assign(n_exponent=n_exp)


def load_porian(configuration: str | None = None) -> pd.DataFrame:
    """IsoFLOP training runs of Porian et al. (2024), all configurations in one table.

    Parameters
    ----------
    configuration : str, optional
        Keep only this configuration (see :func:`porian_configurations`).

    Returns
    -------
    DataFrame
        One row per training run: ``configuration``, the upstream fields,
        ``flops`` (the IsoFLOP budget), ``n_params`` (counted as the
        configuration's ``param_count`` says), ``n_tokens`` and ``loss``.

    References
    ----------
    Porian et al. 2024, arXiv 2406.19146.
    """
    summary = porian_summaries()
    if configuration is not None:
        known = list(summary["configuration"])
        if configuration not in known:
            raise ValueError(f"unknown Porian configuration {configuration!r}; choose one of: {', '.join(known)}")
        summary = summary[summary["configuration"] == configuration]
    rows = []
    for _, config in summary.iterrows():
        for _, budget in config["data"].iterrows():
            if not isinstance(budget["orig_n"], pd.Series):
                continue  # a budget without runs
            n = budget["orig_n"].to_numpy(float)
            rows.append(
                pd.DataFrame(
                    {
                        "configuration": config["configuration"],
                        **{f: config[f] for f in PORIAN_FIELDS},
                        "flops": float(budget["flops"]),
                        "n_params": n,
                        "n_tokens": budget["orig_t"].to_numpy(float),
                        "loss": budget["orig_loss"].to_numpy(float),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------
# The names of the configurations
# --------------------------------------------------------------------------

_PORIAN_STEPS = {
    ("base", "long", "kaplan"): "Kaplan's setting",
    ("base", "short", "kaplan"): "+ short warm-up",
    ("base", "short", "chinchilla"): "+ cosine to run end",
    ("tuned", "short", "const"): "+ tuned AdamW",
    ("tuned", "long", "const"): "Kaplan's, tuned AdamW",
}
#: Porian et al.'s data set codes.
PORIAN_DATASETS = {"rw": "RefinedWeb", "owt2": "OpenWebText2"}
_PORIAN_COUNTS = {"kaplan": "", "standard": "", "attention": " [attn]"}
_PORIAN_COUNTS_SPELLED_OUT = {**_PORIAN_COUNTS, "attention": ", attention FLOPs in N"}


def porian_step(configuration: str, *, with_data: bool = False, spelled_out: bool = False) -> str:
    """A short description of one Porian et al. configuration (after the labels of their ``configs.py``).

    ``configuration`` is a name of
    :func:`~chinchilla_lib.datasets.porian_configurations`, the fields
    ``dataset-hparams-warmup-decay-param_count-val`` joined by dashes.  Their
    sequence of fixes: Kaplan's setting (N without embeddings or the last
    layer, training loss); counting the last layer's parameters and FLOPs and
    measuring validation instead of training loss (one step in their runs, both at
    once); a short warm-up; a
    cosine schedule that ends with the run ("chinchilla" decay); tuned AdamW
    hyper-parameters with a constant learning rate.  A third series counts
    attention FLOPs in N (suffix ``[attn]``, or ``, attention FLOPs in N`` with
    ``spelled_out``).  ``with_data`` prefixes the data set's name.
    """
    fields = configuration.split("-")
    if len(fields) != 6:
        raise ValueError(f"not a Porian configuration name (6 fields joined by '-'): {configuration!r}")
    _, hparams, warmup, decay, param_count, _ = fields
    step = _PORIAN_STEPS.get((hparams, warmup, decay), f"{hparams}/{warmup}/{decay}")
    if (hparams, warmup, decay) == ("base", "long", "kaplan") and param_count == "standard":
        step = "+ last layer counted, validation loss"
    counts = _PORIAN_COUNTS_SPELLED_OUT if spelled_out else _PORIAN_COUNTS
    text = step + counts.get(param_count, f" ({param_count})")
    return f"{PORIAN_DATASETS.get(fields[0], fields[0])}, {text}" if with_data else text


#: Porian et al.'s Figure 1 sequence: (label, hparams, warmup, decay, param_count, loss),
#: each step adding one correction to the previous (labels from their ``configs.py``).
PORIAN_STEPS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Reproducing Kaplan et al.", "base", "long", "kaplan", "kaplan", "train"),
    ("Counting last layer FLOPs, validation loss", "base", "long", "kaplan", "standard", "val"),
    ("Correcting warmup", "base", "short", "kaplan", "standard", "val"),
    ("Cosine decay", "base", "short", "chinchilla", "standard", "val"),
    ("Optimizer tuning (no decay)", "tuned", "short", "const", "standard", "val"),
)
