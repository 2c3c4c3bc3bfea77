"""Every committed runs file records the passes each run made over its training split; the runs of the
second grid make at most one.

The first experiment's sweeps (``smoke``, ``lr-tune``, ``lr-scan``, ``isoflop-small``, ``isoflop``,
``warmup-check``, ``prediction``) are kept as they were run: they drew windows with replacement from
the 4.58 MB Shakespeare split, and their ``epochs`` say how often they read it (up to 3.2 in
``isoflop``, 6.9 in ``prediction``), the confound the second grid removes.  They are exempt from the
one-epoch rule; every sweep after them reads disjoint windows and is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chinchilla_lib.datasets import DataFileError
from chinchilla_lib.datasets.paper_tables import DATA_DIR
from chinchilla_lib.train.sweep import read_runs

#: The first experiment's sweeps: drawn with replacement, several epochs allowed.
FIRST_EXPERIMENT = {"smoke", "lr-tune", "lr-scan", "isoflop-small", "isoflop", "warmup-check", "prediction"}
RUNS_FILES = sorted(DATA_DIR.glob("tinygpt_*_runs.csv"))


def _train_bytes(corpus: str) -> int:
    from chinchilla_lib.datasets.corpus import load_corpus

    try:
        return int(load_corpus(corpus).train.size)
    except DataFileError as exc:
        if "cannot obtain" not in str(exc):
            raise
        pytest.skip(f"a registry cannot be reached: {exc}")


@pytest.mark.parametrize("path", RUNS_FILES, ids=lambda p: p.name)
def test_every_row_records_its_epochs(path: Path):
    runs = read_runs(path)
    assert len(runs) and runs["epochs"].notna().all() and runs["train_bytes"].notna().all()
    np.testing.assert_allclose(runs["epochs"], runs["n_tokens"] / runs["train_bytes"], rtol=1e-12)
    for corpus, group in runs.groupby("corpus"):
        assert (group["train_bytes"] == _train_bytes(corpus)).all()
    sweeps = set(runs["sweep"])
    if sweeps <= FIRST_EXPERIMENT:
        assert set(runs["sampler"]) == {"uniform"} and set(runs["accounting"]) == {"appendix-f"}
    else:
        assert not sweeps & FIRST_EXPERIMENT
        assert set(runs["sampler"]) == {"disjoint"} and (runs["epochs"] <= 1).all()
    if (runs["accounting"] == "6nd").any():
        six = runs[runs["accounting"] == "6nd"]
        assert (six["flops"] == 6 * six["n_params"] * six["n_tokens"]).all()


def test_the_first_experiment_read_its_split_several_times():
    # The prediction's smallest model, g05, at 2e13 FLOPs: 2e13 / 633,600 = 31.6M tokens of 4,576,978 bytes.
    prediction = read_runs(DATA_DIR / "tinygpt_prediction_runs.csv")
    assert prediction["epochs"].max() == pytest.approx(2e13 / 633600 / 4576978, rel=1e-3)
    assert read_runs(DATA_DIR / "tinygpt_isoflop_runs.csv")["epochs"].max() > 3
