"""The OLMo ladder loader: tidy, validated, and its parameter counts checked by two routes through the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import olmo_ladder as ol
from chinchilla_lib.datasets.paper_tables import DataFileError


@pytest.fixture(scope="module")
def curves():
    return ds.load_olmo_ladder_curves()


def _raw(run: str) -> pd.DataFrame:
    """One run file read straight from the mirror, untouched by the loader."""
    return pd.read_csv(ds.fetch_external(f"{ol.OLMO_REPO}/src/scripts/paper/data/ladder-runs/{run}.csv"))


def test_thirty_runs_five_sizes_five_lengths_and_five_reruns(curves):
    runs = curves.groupby("run").first()
    assert len(runs) == 30  # MANIFEST: 25 runs and a second run of every 1xC model
    assert runs["rerun"].sum() == 5 and set(runs.loc[runs["rerun"], "multiplier"]) == {1.0}
    grid = runs[~runs["rerun"]].groupby("model")["multiplier"].apply(sorted)
    assert set(grid.index) == {"190M", "370M", "760M", "1B", "3B"}
    assert all(m == [0.5, 1.0, 2.0, 5.0, 10.0] for m in grid)
    per_run = curves.groupby("run").size()
    assert per_run.min() == 37 and per_run.max() == 202  # MANIFEST: 37 to 202 rows a run
    assert len(curves) == sum(len(_raw(run)) for run in runs.index)  # no checkpoint dropped


def test_columns_and_units(curves):
    needed = {"run", "model", "multiplier", "rerun", "step", "n_params", "n_params_non_embedding", "n_params_ladder",
              "n_tokens", "flops", "flops_reported", "loss", "learning_rate", "learning_rate_peak",
              "batch_size_tokens", "schedule_fraction", "loss_pile", "loss_wikitext_103", "loss_dolma_books"}
    assert needed <= set(curves.columns)
    np.testing.assert_allclose(curves["flops"], 6 * curves["n_params"] * curves["n_tokens"])
    raw = _raw("760M-2xC")
    one = curves[curves["run"] == "760M-2xC"]
    np.testing.assert_array_equal(one["loss"], raw["eval/c4_en-validation/CrossEntropyLoss"])
    np.testing.assert_array_equal(one["loss_pile"], raw["eval/pile-validation/CrossEntropyLoss"])
    np.testing.assert_allclose(one["flops_reported"], raw["throughput/total_training_Gflops"] * 1e9)


def test_tokens_rise_within_every_run_and_the_schedule_ends_at_one(curves):
    for _, run in curves.groupby("run"):
        assert (np.diff(run["n_tokens"]) > 0).all() and (np.diff(run["step"]) > 0).all()
        assert run["schedule_fraction"].iloc[-1] == 1.0 and (run["schedule_fraction"] <= 1.0).all()
        # the cosine schedule ends at a tenth of the peak learning rate
        assert run["learning_rate"].iloc[-1] == pytest.approx(0.1 * run["learning_rate_peak"].iloc[-1], rel=1e-6)


def test_parameter_counts_by_hand_for_the_smallest_size():
    # 190M: d = 768, L = 12.  Per layer 4 d^2 (attention) + 3 x 768 x 3072 (SwiGLU: d -> 2 x 3072, 3072 -> d)
    # + 4 x 768 (two block norms, query and key norms) = 2,359,296 + 7,077,888 + 3,072 = 9,440,256;
    # 12 layers and a final norm: 113,283,072 + 768 = 113,283,840.  Tables: 100,352 x 768 = 77,070,336 each.
    counts = ol.olmo_param_counts("190M")
    assert counts["non_embedding"] == 113_283_840
    assert counts["ladder"] == 113_283_840 + 77_070_336
    assert counts["total"] == 113_283_840 + 2 * 77_070_336
    with pytest.raises(ValueError, match="model must be one of"):
        ol.olmo_param_counts("7B")


@pytest.mark.parametrize("model", ["190M", "370M", "760M", "1B", "3B"])
def test_two_routes_through_the_data_agree_with_the_counts(model):
    counts = ol.olmo_param_counts(model)
    raw = _raw(f"{model}-1xC")
    # Route 1: 1xC is 20 tokens per parameter, so N = the 1xC run's final tokens / 20 (the run goes
    # 10 to 11 batches past the budget: at most 0.15% for these sizes).
    from_tokens = raw["throughput/total_tokens"].iloc[-1] / 20
    assert from_tokens == pytest.approx(counts["ladder"], rel=2e-3)
    assert from_tokens > counts["ladder"]
    # Route 2: the file's compute per token against 6 N, less the input table's forward pass, plus attention
    # over 4096 tokens, written out here from the shapes (a second implementation of the count).
    d, n_layers = {"190M": (768, 12), "370M": (1024, 16), "760M": (1536, 16), "1B": (2048, 16),
                   "3B": (3328, 16)}[model]
    vocab_rows = 100_352
    total = n_layers * (4 * d * d + 3 * d * 4 * d + 4 * d) + d + 2 * vocab_rows * d
    per_token = raw["throughput/total_training_Gflops"] * 1e9 / raw["throughput/total_tokens"]
    np.testing.assert_allclose(per_token, 6 * total - 2 * vocab_rows * d + 12 * n_layers * d * 4096, rtol=1e-9)
    assert total == counts["total"]


def test_the_file_counts_the_smallest_size_as_the_hand_count_does():
    # 6 x 267,424,512 - 2 x 77,070,336 + 12 x 12 x 768 x 4096 = 1,604,547,072 - 154,140,672 + 452,984,832
    per_token = _raw("190M-0.5xC")["throughput/total_training_Gflops"] * 1e9 / _raw("190M-0.5xC")[
        "throughput/total_tokens"]
    np.testing.assert_allclose(per_token, 1_903_391_232, rtol=1e-12)
    assert ol.olmo_flops_per_token("190M") == 1_903_391_232


def test_finished_runs_are_the_last_checkpoints(curves):
    runs = ds.load_olmo_ladder_runs()
    assert len(runs) == 30 and runs["run"].is_unique and (runs["schedule_fraction"] == 1.0).all()
    last = curves.groupby("run")["n_tokens"].max()
    np.testing.assert_array_equal(runs.set_index("run")["n_tokens"].sort_index(), last.sort_index())
    # a second run of the same model and length ends at the same tokens, a few thousandths of a nat apart
    pairs = runs[runs["multiplier"] == 1.0].groupby("model")
    assert (pairs["n_tokens"].nunique() == 1).all()
    assert (pairs["loss"].agg(lambda x: x.max() - x.min()) < 0.002).all()
    np.testing.assert_allclose(runs["tokens_per_param"], runs["n_tokens"] / runs["n_params"])


def _good():
    return _raw("370M-2xC")


def test_tidy_run_accepts_the_file_and_refuses_a_broken_one():
    assert len(ol.tidy_olmo_run(_good(), "370M-2xC")) == len(_good())
    with pytest.raises(DataFileError, match="lacks column") as err:
        ol.tidy_olmo_run(_good().drop(columns=["eval/c4_en-validation/CrossEntropyLoss"]), "370M-2xC")
    assert "\n" not in str(err.value)
    with pytest.raises(DataFileError, match="not SIZE-MULTIPLExC"):
        ol.tidy_olmo_run(_good(), "370M-3xC")
    bad = _good()
    bad.loc[5, "eval/c4_en-validation/CrossEntropyLoss"] = np.nan
    with pytest.raises(DataFileError, match="positive numbers"):
        ol.tidy_olmo_run(bad, "370M-2xC")
    with pytest.raises(DataFileError, match="increase"):
        ol.tidy_olmo_run(_good().iloc[::-1].reset_index(drop=True), "370M-2xC")
    bad = _good()
    bad["throughput/total_training_Gflops"] *= 1.01
    with pytest.raises(DataFileError, match="FLOPs per token"):
        ol.tidy_olmo_run(bad, "370M-2xC")
    with pytest.raises(DataFileError, match="counted shapes no longer describe"):
        ol.tidy_olmo_run(_good(), "370M-5xC")  # a 2xC file under a 5xC name
    bad = _good()
    bad.loc[len(bad) - 1, "optim/learning_rate_group0"] = 0.5 * bad.loc[0, "learning_rate_peak"]
    with pytest.raises(DataFileError, match="did not finish its schedule"):
        ol.tidy_olmo_run(bad, "370M-2xC")
