"""Every data set the book uses, as tidy :class:`pandas.DataFrame` objects.

Two kinds of data:

* **Paper tables** (``data/*.csv`` in this repository): numbers printed in
  Hoffmann et al. 2022, Kaplan et al. 2020 and the LLaMA papers, with
  provenance.  :func:`load_table` reads one and checks its schema and values.
* **External data sets** that the project may not redistribute: the points of
  Hoffmann's Figure 4 (Besiroglu et al. 2024), the IsoFLOP runs of Porian et
  al. 2024, and digitised LLaMA training curves.  They are fetched with
  :mod:`pooch` from pinned upstream commits into a cache folder, which the
  environment variable ``CHINCHILLA_LIB_DATA`` overrides; the SHA-256 of every
  file is checked before it is parsed.

Units are in the column names or stated in each loader: ``n_params`` and
``n_tokens`` are raw counts, ``flops`` are FLOPs, ``loss`` is nats per token.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

__all__ = [
    "DataFileError",
    "DATA_DIR",
    "ENV_VAR",
    "EXTERNAL_FILES",
    "table_names",
    "load_table",
    "paper_value",
    "fetch_external",
    "load_hoffmann_fig4",
    "load_porian",
    "porian_configurations",
    "porian_summaries",
    "load_llama_curves",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ENV_VAR = "CHINCHILLA_LIB_DATA"


class DataFileError(RuntimeError):
    """A data file is missing, corrupt, or does not have the expected content."""


# --------------------------------------------------------------------------
# Paper tables (data/*.csv)
# --------------------------------------------------------------------------

def _positive(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").gt(0)


def _positive_or_missing(s: pd.Series) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce")
    return v.isna() & s.isna() | v.gt(0)


def _text(s: pd.Series) -> pd.Series:
    return s.notna() & s.astype(str).str.len().gt(0)


def _any(s: pd.Series) -> pd.Series:
    return pd.Series(True, index=s.index)


def _bool(s: pd.Series) -> pd.Series:
    return s.astype(str).isin(["True", "False"])


_POS, _TXT, _ANY, _OPT, _BOOL = _positive, _text, _any, _positive_or_missing, _bool

#: Column checks for each paper table: column name -> per-row predicate.
SCHEMAS: dict[str, dict[str, Callable[[pd.Series], pd.Series]]] = {
    "table1_models": {"model": _TXT, "n_params": _POS, "n_tokens": _POS, "source": _TXT, "status": _TXT},
    "table2_exponents": {
        "table": _TXT, "method": _TXT, "dataset": _TXT, "a": _POS, "a_p10": _OPT, "a_p90": _OPT,
        "b": _POS, "b_p10": _OPT, "b_p90": _OPT, "status": _TXT, "notes": _ANY,
    },
    "projections": {
        "table": _TXT, "approach": _POS, "n_params": _POS, "flops": _POS, "n_tokens": _POS,
        "flops_typo_suspected": _BOOL, "status": _TXT, "notes": _ANY,
    },
    "tableA4_flop_ratio": {
        "label": _TXT, "n_layers": _POS, "d_model": _POS, "ffw_size": _POS, "n_heads": _POS,
        "kv_size": _POS, "flop_ratio": _POS, "status": _TXT,
    },
    "tableA9_models": {
        "n_params_millions": _POS, "d_model": _POS, "ffw_size": _POS, "kv_size": _POS,
        "n_heads": _POS, "n_layers": _POS, "status": _TXT,
    },
    "table4_architecture": {
        "model": _TXT, "n_layers": _POS, "n_heads": _POS, "kv_size": _POS, "d_model": _POS,
        "ffw_size": _POS, "max_lr": _POS, "batch_tokens_start": _POS, "batch_tokens_end": _POS,
        "status": _TXT, "notes": _ANY,
    },
    "laws": {"law": _TXT, "parameter": _TXT, "value": _POS, "source": _TXT, "status": _TXT},
    "paper_values": {
        "id": _TXT, "quantity": _TXT, "value": _POS, "unit": _TXT, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "kaplan_constants": {
        "quantity": _TXT, "symbol": _TXT, "value": _POS, "unit": _ANY, "location": _TXT,
        "status": _TXT, "notes": _ANY,
    },
    "llama_models": {
        "family": _TXT, "model": _TXT, "n_params": _POS, "n_tokens": _POS, "context_length": _POS,
        "gpu_hours": _POS, "gpu_hours_verified": _BOOL, "status": _TXT,
    },
}


def table_names() -> list[str]:
    """Names accepted by :func:`load_table`."""
    return sorted(SCHEMAS)


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one paper table from ``data/NAME.csv`` and validate it.

    Parameters
    ----------
    name : str
        One of :func:`table_names` (for example ``"tableA9_models"``).
    data_dir : path, optional
        Folder holding the CSVs; defaults to the repository's ``data/``.

    Raises
    ------
    DataFileError
        When the file is missing, unreadable, lacks a column, or has a value
        that fails its check (the message names the file, column and row).
    """
    if name not in SCHEMAS:
        raise ValueError(f"unknown table {name!r}; choose one of: {', '.join(table_names())}")
    path = Path(data_dir) if data_dir is not None else DATA_DIR
    path = path / f"{name}.csv"
    if not path.is_file():
        raise DataFileError(
            f"data file {path} is missing; restore it with `git checkout -- data/{name}.csv` "
            "(see data/README.md)"
        )
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(f"data file {path} is corrupt ({exc}); restore it from git") from None
    schema = SCHEMAS[name]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataFileError(f"data file {path} lacks column(s) {missing}; expected {list(schema)}")
    if frame.empty:
        raise DataFileError(f"data file {path} has no rows")
    for column, check in schema.items():
        ok = check(frame[column]).fillna(False).astype(bool)
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0])
            raise DataFileError(
                f"data file {path}: column {column!r} has an invalid value "
                f"{frame[column].iloc[row]!r} in data row {row + 1}"
            )
    return frame


def paper_value(value_id: str) -> float:
    """One scalar reference value from ``data/paper_values.csv`` by its id."""
    table = load_table("paper_values").set_index("id")
    if value_id not in table.index:
        raise KeyError(f"no paper value with id {value_id!r} in data/paper_values.csv")
    return float(table.loc[value_id, "value"])


# --------------------------------------------------------------------------
# External data sets (downloaded, hash-checked, cached)
# --------------------------------------------------------------------------

_REGISTRY_DIR = Path(__file__).resolve().parent / "registry"
#: The pins: ``OWNER/REPO/PATH sha256:HASH`` per file (pooch's registry format),
#: made by ``scripts/make_registry.py``.
REGISTRY_FILE = _REGISTRY_DIR / "external_files.txt"
#: One row per upstream repository: the commit it is pinned at, its licence and a title.
SETS_FILE = _REGISTRY_DIR / "external_sets.csv"


@dataclass(frozen=True)
class ExternalSet:
    """One upstream repository pinned at a commit."""

    title: str
    repo: str
    commit: str
    licence: str

    def url(self, path: str) -> str:
        """Address of ``path`` (inside the repository) at the pinned commit."""
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{path}"


def _load_sets() -> dict[str, ExternalSet]:
    table = pd.read_csv(SETS_FILE, dtype=str)
    return {r.repo: ExternalSet(r.title, r.repo, r.commit, r.licence) for r in table.itertuples()}


def _load_registry() -> dict[str, str]:
    import pooch

    holder = pooch.create(path=".", base_url="", registry={})
    holder.load_registry(REGISTRY_FILE)
    return dict(holder.registry)


#: Upstream repositories by ``OWNER/REPO``.
EXTERNAL_SETS: dict[str, ExternalSet] = _load_sets()
#: Registry in pooch's form: ``OWNER/REPO/PATH`` -> ``sha256:...``.
EXTERNAL_FILES: dict[str, str] = _load_registry()


def _set_of(name: str) -> ExternalSet:
    repo = "/".join(name.split("/")[:2])
    if repo not in EXTERNAL_SETS:
        raise DataFileError(f"{REGISTRY_FILE.name} pins {name}, but {SETS_FILE.name} has no commit for {repo}")
    return EXTERNAL_SETS[repo]


_EXTERNAL_URLS = {name: _set_of(name).url(name.split("/", 2)[2]) for name in EXTERNAL_FILES}
_EXTERNAL_TITLES = {name: _set_of(name).title for name in EXTERNAL_FILES}
_FIG4_REPO = "epoch-research/analyzing-chinchilla"
_PORIAN_REPO = "formll/resolving-scaling-law-discrepancies"
_LLAMA_REPO = "espadrine/espadrine.github.com"
_LLAMA_DIR = "blog/assets/chinchilla-s-death/data"


def cache_dir() -> Path:
    """Folder external files are cached in: ``$CHINCHILLA_LIB_DATA`` or the OS cache."""
    import pooch

    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path(pooch.os_cache("chinchilla_lib"))


def _registry():
    import pooch

    return pooch.create(
        path=pooch.os_cache("chinchilla_lib"),
        base_url="https://raw.githubusercontent.com/",
        registry=EXTERNAL_FILES,
        urls=_EXTERNAL_URLS,
        env=ENV_VAR,
        retry_if_failed=0,
    )


def fetch_external(name: str) -> Path:
    """Local path of one external file (``OWNER/REPO/PATH``), verified by SHA-256.

    Looks in the cache folder (``$CHINCHILLA_LIB_DATA`` when set), downloads the
    pinned upstream file when it is absent, and checks its hash either way.

    Raises
    ------
    DataFileError
        When the file cannot be had (offline, no mirror) or its hash is wrong;
        the message names the data set, the address and ``CHINCHILLA_LIB_DATA``.
    """
    if name not in EXTERNAL_FILES:
        raise ValueError(f"unknown external file {name!r}; known: {sorted(EXTERNAL_FILES)}")
    import logging

    import pooch

    pooch.get_logger().setLevel(logging.WARNING)
    local = cache_dir() / name
    try:
        return Path(_registry().fetch(name))
    except Exception as exc:  # network errors, hash mismatch, permissions
        state = "is absent"
        if local.is_file():
            actual = pooch.file_hash(str(local))
            expected = EXTERNAL_FILES[name].split(":", 1)[1]
            state = (
                f"exists but its SHA-256 is {actual}, not the pinned {expected} (corrupt or a different version)"
                if actual != expected
                else "exists"
            )
        raise DataFileError(
            f"cannot obtain the data set '{_EXTERNAL_TITLES[name]}': file {name} {state} in {cache_dir()}, "
            f"and downloading it from {_EXTERNAL_URLS[name]} failed ({type(exc).__name__}: {exc}). "
            f"Download that address by hand into {local}, or set {ENV_VAR} to a folder laid out as "
            "OWNER/REPO/PATH that holds it."
        ) from None


def load_hoffmann_fig4(exclude_highest_loss: int = 0) -> pd.DataFrame:
    """Points of Hoffmann et al. (2022) Figure 4 (left), as extracted by Besiroglu et al.

    Parameters
    ----------
    exclude_highest_loss : int, default 0
        Drop this many highest-loss points; the replication drops 5.

    Returns
    -------
    DataFrame
        Columns ``n_params``, ``flops``, ``n_tokens`` (= flops / (6 n_params))
        and ``loss`` (nats per token, read off a colour bar to about 0.015),
        sorted by ``flops`` then ``n_params``.

    References
    ----------
    Besiroglu et al. 2024, arXiv 2404.10102; Hoffmann et al. 2022, Fig. 4.
    """
    if isinstance(exclude_highest_loss, bool) or not isinstance(exclude_highest_loss, (int, np.integer)) \
            or exclude_highest_loss < 0:
        raise ValueError(f"exclude_highest_loss must be a whole number >= 0, got {exclude_highest_loss!r}")
    path = fetch_external(f"{_FIG4_REPO}/data/svg_extracted_data.csv")
    raw = pd.read_csv(path)
    _require_columns(raw, ["Model Size", "Training FLOP", "loss"], path)
    frame = pd.DataFrame(
        {
            "n_params": raw["Model Size"].astype(float),
            "flops": raw["Training FLOP"].astype(float),
            "loss": raw["loss"].astype(float),
        }
    )
    frame.insert(2, "n_tokens", frame["flops"] / (6.0 * frame["n_params"]))
    if exclude_highest_loss:
        frame = frame.drop(frame["loss"].nlargest(exclude_highest_loss).index)
    return frame.sort_values(["flops", "n_params"]).reset_index(drop=True)


_PORIAN_FILES = {
    "data/summary_df.pickle.xz": "RefinedWeb",
    "data/summary_df_owt2.pickle.xz": "OpenWebText2",
    "data/summary_df_att.pickle.xz": "RefinedWeb, attention FLOPs counted",
    "data/summary_df_kaplan_tuned_hparams.pickle.xz": "Kaplan setting with tuned hyper-parameters",
}
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
        _require_columns(frame, PORIAN_FIELDS + ["data", "fit_results"], local)
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


def _llama_axes(pixels: pd.DataFrame, post: pd.DataFrame, path: Path) -> tuple[float, float]:
    """Linear map pixel y -> loss, fitted on the post's own conversion (exactly linear)."""
    if len(post) != len(pixels):
        raise DataFileError(f"{path}: pixel and converted files have different lengths")
    slope, intercept = np.polyfit(pixels["y"], post["Loss"], 1)
    resid = post["Loss"] - (slope * pixels["y"] + intercept)
    if np.abs(resid).max() > 1e-6:
        raise DataFileError(f"{path}: the post's loss axis is not linear in pixels")
    return slope, intercept


def load_llama_curves() -> pd.DataFrame:
    """LLaMA-1 and Llama 2 training-loss curves, recalibrated from pixels to tokens.

    The digitised curves come from the post "Chinchilla's Death", whose x axis
    (GPU-hours) is calibrated so that LLaMA-1 65B ends at 2T tokens; LLaMA-1 65B
    trained on 1.4T.  The loss axis is the post's (linear in pixel y).  The token
    axis is recalibrated here:

    * LLaMA-1 (Figure 1 of Touvron et al. 2023): a straight line through the
      known run lengths, 1.0T tokens where the 7B and 13B curves end and 1.4T
      where the 33B and 65B curves end (least squares over the four end points).
    * Llama 2 (Figure 5): all four runs are 2.0T tokens, so the end points fix
      only the scale; the zero of the axis is the post's own (its GPU-hour axis is
      proportional to pixel x minus that zero).

    Returns
    -------
    DataFrame
        ``family``, ``model``, ``n_params``, ``n_tokens``, ``flops`` (6 N D) and
        ``loss`` (training loss, nats per token), in curve order.
    """
    models = load_table("llama_models")
    curves = {}
    for _, m in models.iterrows():
        stem = m["model"].replace("LLaMA-", "llama1-").replace("Llama-2-", "llama2-")
        paths = [fetch_external(f"{_LLAMA_REPO}/{_LLAMA_DIR}/{stem}{s}.tsv") for s in ("-pixels", "")]
        pixels = pd.read_csv(paths[0], sep="\t", header=None, names=["x", "y"])
        post = pd.read_csv(paths[1], sep="\t")
        _require_columns(post, ["Hours", "Loss"], paths[1])
        slope, intercept = _llama_axes(pixels, post, paths[1])
        curves[m["model"]] = (m, pixels, post, slope * pixels["y"] + intercept)

    frames = []
    for family in ("LLaMA-1", "Llama-2"):
        members = [v for v in curves.values() if v[0]["family"] == family]
        ends = np.array([v[1]["x"].max() for v in members])
        lengths = np.array([v[0]["n_tokens"] for v in members])
        if family == "LLaMA-1":
            k, x0_tokens = np.polyfit(ends, lengths, 1)
            to_tokens = [lambda x, k=k, c=x0_tokens: k * x + c for _ in members]
        else:
            to_tokens = []
            for (_, pixels, post, _), end, length in zip(members, ends, lengths):
                hk, hc = np.polyfit(pixels["x"], post["Hours"], 1)
                zero = -hc / hk
                to_tokens.append(lambda x, z=zero, e=end, n=length: n * (x - z) / (e - z))
        for (m, pixels, _, loss), fn in zip(members, to_tokens):
            tokens = fn(pixels["x"].to_numpy(float))
            keep = tokens > 0
            frame = pd.DataFrame(
                {
                    "family": family,
                    "model": m["model"],
                    "n_params": m["n_params"],
                    "n_tokens": tokens[keep],
                    "loss": loss.to_numpy(float)[keep],
                }
            )
            frame.insert(4, "flops", 6.0 * frame["n_params"] * frame["n_tokens"])
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _require_columns(frame: pd.DataFrame, columns: list[str], path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path} lacks column(s) {missing}; the upstream file changed")
