"""The sweeps' achieved rates against the peak, and the committed profile of one step."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from chinchilla_lib.studies import throughput
from chinchilla_lib.train.files import RUN_COLUMNS


def _runs_file(folder, name: str, rows: list[dict]) -> None:
    frame = pd.DataFrame([{c: r.get(c, "") for c in RUN_COLUMNS} for r in rows])
    frame.to_csv(folder / f"tinygpt_{name.replace('-', '_')}_runs.csv", index=False)


def test_sweep_rates_are_medians_by_hand(tmp_path):
    # two runs: 1e5 tokens/s at 6e5 FLOPs a token = 60 GFLOP/s; 2e5 at 3e5 = 60; 6N: 6*5e4*1e5 = 30, 6*2e4*2e5 = 24
    rows = [{"sweep": "isoflop", "key": "a", "model": "g01", "n_params": 50_000, "flops_per_token": 6e5,
             "tokens_per_second": 1e5, "seconds": 1800.0, "loss": 2.0},
            {"sweep": "isoflop", "key": "b", "model": "g00", "n_params": 20_000, "flops_per_token": 3e5,
             "tokens_per_second": 2e5, "seconds": 5400.0, "loss": 2.1}]
    _runs_file(tmp_path, "isoflop", rows)
    table = throughput.sweep_rates(("isoflop", "lr-scan"), peak_gflops=100.0, data_dir=tmp_path)
    assert table["sweep"].tolist() == ["isoflop"]  # a sweep without runs is left out
    row = table.iloc[0]
    assert row["cpu_hours"] == pytest.approx(2.0)
    assert row["gflops_appendix_f"] == pytest.approx(60.0)
    assert row["gflops_6n"] == pytest.approx(27.0)
    assert row["largest_model"] == "g01" and row["largest_gflops_appendix_f"] == pytest.approx(60.0)
    assert row["share_6n"] == pytest.approx(0.27) and row["share_largest"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="peak_gflops"):
        throughput.sweep_rates(("isoflop",), peak_gflops=0.0, data_dir=tmp_path)


def test_the_profile_shares_add_up_and_a_missing_file_is_named(tmp_path):
    measured = {"profile": {"kinds": [{"kind": "matrix products", "seconds": 0.03},
                                      {"kind": "attention", "seconds": 0.01}]}}
    table = throughput.step_profile(measured)
    assert table["kind"].tolist() == ["matrix products", "attention"]
    assert table["share"].tolist() == pytest.approx([0.75, 0.25])
    with pytest.raises(ValueError, match="bench_matmul.py"):
        throughput.load_throughput(tmp_path / "none.json")


def test_the_committed_measurement_is_one_thread_below_its_own_peak():
    measured = throughput.load_throughput()
    assert measured["peak_gflops"] == max(p["gflops"] for p in measured["products"])
    assert json.loads(json.dumps(measured))["profile"]["model"]
    assert sum(k["seconds"] for k in measured["profile"]["kinds"]) <= measured["profile"]["wall_seconds_per_step"]


def test_the_rates_table_reads_the_committed_peak_with_reader_headers():
    measured = throughput.load_throughput()
    table = throughput.rates_table(measured)
    assert table.columns.tolist() == ["sweep", "runs", "CPU-hours", "GFLOP/s (6N)", "share of peak (6N)",
                                      "GFLOP/s (Appendix F)", "share of peak (Appendix F)"]
    ratio = table["GFLOP/s (6N)"] / table["share of peak (6N)"]
    assert ratio.to_numpy() == pytest.approx(measured["peak_gflops"])
