"""How much of one CPU thread the training sweeps used: achieved FLOP/s against the matmul peak.

A run's rate is read from its committed row (``tokens_per_second``, measured where it ran,
validations included) and counted two ways: the FLOPs the network computes per token (the
Appendix F count, embeddings and logits included, ``flops_per_token``) and ``6 N`` of the total
parameter count.  The peak is one thread's best float32 matrix product with torch, measured by
``benchmarks/bench_matmul.py`` on the machine the sweeps ran on and committed as
:data:`THROUGHPUT_FILE`, with a profile of one training step of the second prediction's model
(the share of its time in each kind of operation), which says where the rest of the time goes.

No torch is imported here: the book reads the committed measurements.

References
----------
Hoffmann et al. 2022, Appendix F (the FLOP count); Kaplan et al. 2020, Sec. 2.1 (``6 N`` per token).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets.paper_tables import DATA_DIR
from ..train.files import read_runs
from ..train.sweep import sweep_paths

__all__ = ["THROUGHPUT_FILE", "RATE_SWEEPS", "load_throughput", "sweep_rates", "rates_table", "step_profile",
           "throughput_numbers"]

#: The committed measurement of the peak and of one step's profile (``bench_matmul.py --json``).
THROUGHPUT_FILE = Path(DATA_DIR) / "tinygpt_throughput.json"
#: Sweeps whose committed runs are compared with the peak, in the order they were trained.
RATE_SWEEPS = ("isoflop-small", "lr-scan", "isoflop", "prediction", "isoflop-unrepeated", "prediction-unrepeated")


def load_throughput(path: str | Path | None = None) -> dict:
    """The committed measurement: ``peak_gflops``, ``products`` (every product timed) and ``profile``.

    Raises
    ------
    ValueError
        When the file is missing (make it with ``python benchmarks/bench_matmul.py --json FILE``).
    """
    path = Path(path) if path is not None else THROUGHPUT_FILE
    if not path.is_file():
        raise ValueError(f"no throughput file {path}; measure it with: python benchmarks/bench_matmul.py --json {path}")
    return json.loads(path.read_text())


def sweep_rates(sweeps=RATE_SWEEPS, peak_gflops: float | None = None, data_dir=None) -> pd.DataFrame:
    """One row per sweep with committed runs: its CPU-hours and median achieved rate.

    Columns ``sweep``, ``runs``, ``cpu_hours`` (the runs' ``seconds`` summed: each run is one
    thread), ``gflops_appendix_f`` and ``gflops_6n`` (the median run's GFLOP/s in each count),
    ``largest_model`` and ``largest_gflops_appendix_f`` (the median over the runs of the sweep's
    largest size) and, with ``peak_gflops``, the three rates as shares of the peak:
    ``share_appendix_f``, ``share_6n`` and ``share_largest``.
    """
    rows = []
    for name in sweeps:
        path = sweep_paths(name, data_dir)[0]
        runs = read_runs(path) if Path(path).is_file() else pd.DataFrame()
        if runs.empty:
            continue
        appendix_f = runs["flops_per_token"] * runs["tokens_per_second"] / 1e9
        six_n = 6 * runs["n_params"] * runs["tokens_per_second"] / 1e9
        largest = runs["n_params"] == runs["n_params"].max()
        rows.append({"sweep": name, "runs": len(runs), "cpu_hours": float(runs["seconds"].sum() / 3600),
                     "gflops_appendix_f": float(appendix_f.median()), "gflops_6n": float(six_n.median()),
                     "largest_model": str(runs.loc[largest, "model"].iloc[0]),
                     "largest_gflops_appendix_f": float(appendix_f[largest].median())})
    table = pd.DataFrame(rows)
    if peak_gflops is not None and not table.empty:
        if not peak_gflops > 0:
            raise ValueError(f"peak_gflops must be positive, got {peak_gflops}")
        for share, column in (("share_appendix_f", "gflops_appendix_f"), ("share_6n", "gflops_6n"),
                              ("share_largest", "largest_gflops_appendix_f")):
            table[share] = table[column] / peak_gflops
    return table


def rates_table(measurement: dict | None = None) -> pd.DataFrame:
    """:func:`sweep_rates` against the committed peak, with reader headers: sweep, runs, CPU-hours, GFLOP/s and share."""
    measurement = load_throughput() if measurement is None else measurement
    rates = sweep_rates(peak_gflops=measurement["peak_gflops"])
    return rates[["sweep", "runs", "cpu_hours", "gflops_6n", "share_6n", "gflops_appendix_f", "share_appendix_f"]].rename(
        columns={"cpu_hours": "CPU-hours", "gflops_6n": "GFLOP/s (6N)", "share_6n": "share of peak (6N)",
                 "gflops_appendix_f": "GFLOP/s (Appendix F)", "share_appendix_f": "share of peak (Appendix F)"})


def step_profile(measurement: dict | None = None) -> pd.DataFrame:
    """The profiled training step: one row per kind of operation with its ``seconds`` and ``share`` of the step.

    Kinds (``benchmarks/bench_matmul.py`` sorts torch's operators into them by their own time,
    children excluded): matrix products, attention, the optimiser, elementwise operations with
    normalisation and copies, and autograd's bookkeeping.
    """
    measurement = load_throughput() if measurement is None else measurement
    profile = measurement["profile"]
    table = pd.DataFrame(profile["kinds"])
    table["share"] = table["seconds"] / table["seconds"].sum()
    return table.sort_values("share", ascending=False).reset_index(drop=True)


def throughput_numbers(measurement: dict | None = None) -> dict:
    """The numbers the chapter quotes: the peak, the products' range, the profiled step and each sweep's share.

    ``share_lo``/``share_hi``: the lowest and highest median share of the peak (``6 N``) over the
    sweeps, in per cent; for every sweep of :data:`RATE_SWEEPS` (``-`` written ``_``),
    ``cpu_<sweep>`` (its CPU-hours, 0 before any run), ``share6n_<sweep>`` and
    ``sharelargest_<sweep>`` (per cent; NaN before any run).
    """
    from ..train.config import shape_of

    measurement = load_throughput() if measurement is None else measurement
    rates = sweep_rates(peak_gflops=measurement["peak_gflops"]).set_index("sweep")
    share = step_profile(measurement).set_index("kind")["share"]
    profile = measurement["profile"]
    shape = shape_of(profile["model"])
    products = measurement["products"]
    numbers = {"peak": measurement["peak_gflops"],
               "square": max(p["gflops"] for p in products if p["shape"].startswith("square")),
               "model_lo": min(p["gflops"] for p in products if p["shape"].startswith("d=")),
               "model": profile["model"], "batch": profile["batch"], "ms": 1e3 * profile["wall_seconds_per_step"],
               "head_dim": shape.d_model // shape.n_heads, "products": 100 * float(share.get("matrix products", 0.0)),
               "attention": 100 * float(share.get("attention", 0.0)),
               "elementwise": 100 * float(share.get("elementwise, normalisation and copies", 0.0)),
               "share_lo": 100 * float(rates["share_6n"].min()), "share_hi": 100 * float(rates["share_6n"].max())}
    for sweep in RATE_SWEEPS:  # a sweep without runs yet: no hours, no share
        row = rates.loc[sweep] if sweep in rates.index else {"cpu_hours": 0.0, "share_6n": np.nan,
                                                              "share_largest": np.nan}
        key = sweep.replace("-", "_")
        numbers |= {f"cpu_{key}": float(row["cpu_hours"]), f"share6n_{key}": 100 * float(row["share_6n"]),
                    f"sharelargest_{key}": 100 * float(row["share_largest"])}
    return numbers
