"""The Gemstones loader: tidy checkpoints, finished runs, parameter counts by hand, the authors' fitted laws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import gemstones as gs
from chinchilla_lib.datasets.paper_tables import DataFileError


@pytest.fixture(scope="module")
def curves():
    return ds.load_gemstones_curves()


def _raw(stem: str) -> pd.DataFrame:
    """One checkpoint file read straight from the mirror."""
    path = ds.fetch_external(f"{gs.GEMSTONES_REPO}/wandb_dfs/wandb_df_for_fitting_{stem}.jsonl")
    return pd.read_json(path, orient="records", lines=True)


def _by_hand(width: int, depth: int, vocab: int = 50_304) -> int:
    """A second count of a Gemstone: heads of 128, half as many key-value heads, a 4x gated block, untied tables."""
    q_heads = width // 128
    kv_heads = q_heads // 2
    attention = width * 128 * q_heads + 2 * width * 128 * kv_heads + 128 * q_heads * width  # q, k and v, output
    feed_forward = 3 * width * (4 * width)
    norms = 2 * width
    return depth * (attention + feed_forward + norms) + width + vocab * width + width * vocab


def test_twenty_two_models_and_three_phases(curves):
    assert curves["model"].nunique() == 22  # the suite's 22 models
    assert set(curves["phase"]) == {"hot", "cool_begin", "cool_end"}
    hot = curves[curves["phase"] == "hot"]
    assert hot.groupby("model").size().eq(35).all()  # 10B to 350B tokens, 10B apart
    assert len(curves) == len(_raw("hot_100b+")) + len(_raw("cool_begin")) + len(_raw("cool_end"))
    cooled = curves[curves["phase"] == "cool_end"]
    assert cooled["model"].nunique() == 20 and not {"512x11", "512x14"} & set(cooled["model"])
    assert (cooled.groupby("model").size().drop("3072x12") == 10).all()
    assert (cooled["model"] == "3072x12").sum() == 9  # never cooled from 100B tokens


def test_the_hot_file_is_the_first_hundred_billion_tokens_of_the_long_one():
    short, long = _raw("hot"), _raw("hot_100b+")
    merged = short.merge(long, on=["run_name", "step"], suffixes=("", "_long"))
    assert len(merged) == len(short) == 220
    np.testing.assert_array_equal(merged["final_loss"], merged["final_loss_long"])


def test_parameter_counts_by_hand():
    # 256 x 23: 2 query heads, 1 key-value head: 256 x 256 + 2 x 256 x 128 + 256 x 256 = 196,608 for attention,
    # 3 x 256 x 1024 = 786,432 for the gated block, 512 for the norms: 983,552 a block; 23 blocks, a final norm
    # and two 50,304 x 256 tables: 22,621,696 + 256 + 25,755,648 = 48,377,600, the file's params_active_precise.
    assert _by_hand(256, 23) == 48_377_600
    # 384 x 13: 3 query heads but 1 key-value head (3 // 2): the only odd head count of the suite.
    assert _by_hand(384, 13) == 66_758_784
    raw = _raw("hot_100b+").drop_duplicates("run_name")
    assert len(raw) == 22
    for row in raw.itertuples():
        assert _by_hand(row.width, row.depth) == row.params_active_precise, row.run_name
    counts = gs.gemstones_param_counts(raw["width"], raw["depth"])
    np.testing.assert_array_equal(counts["total"], raw["params_active_precise"])
    np.testing.assert_array_equal(counts["total"] - counts["non_embedding"], 2 * 50_304 * raw["width"])


def test_columns_units_and_monotone_tokens(curves):
    assert {"run", "model", "width", "depth", "phase", "step", "n_params", "n_params_non_embedding", "n_tokens",
            "flops", "loss", "cooldown_start_tokens"} <= set(curves.columns)
    np.testing.assert_allclose(curves["flops"], 6 * curves["n_params"] * curves["n_tokens"])
    np.testing.assert_array_equal(curves["n_tokens"], curves["step"] * 2048 * 2048)
    for _, run in curves[curves["phase"] == "hot"].groupby("run"):
        assert (np.diff(run["n_tokens"]) > 0).all()
    cool = curves[curves["phase"] != "hot"]
    assert (cool.groupby("run").size() == 2).all()  # where each cool-down began and where it ended
    for _, run in cool.groupby("run"):
        begin, end = run.set_index("phase").loc[["cool_begin", "cool_end"], "n_tokens"]
        assert 1.09 < end / begin < 1.11  # cooled over 10% more tokens
    one = curves[(curves["run"] == "1024x28-cool-2385") & (curves["phase"] == "cool_end")].iloc[0]
    assert one["n_tokens"] == 10_997_465_088 and one["loss"] == pytest.approx(3.0146045685)


def test_finished_runs_are_the_cooled_checkpoints():
    runs = ds.load_gemstones_runs()
    assert len(runs) == 199 and runs["run"].is_unique and (runs["phase"] == "cool_end").all()
    assert runs["tokens_per_param"].min() > 5 and runs["tokens_per_param"].max() < 2500


def test_tidy_phase_refuses_a_broken_file():
    good = _raw("cool_end")
    assert len(gs.tidy_gemstones_phase(good, "cool_end")) == 199
    with pytest.raises(DataFileError, match="lacks column") as err:
        gs.tidy_gemstones_phase(good.drop(columns=["final_loss"]), "cool_end")
    assert "\n" not in str(err.value)
    bad = good.copy()
    bad.loc[3, "params_active_precise"] += 1
    with pytest.raises(DataFileError, match="params_active_precise differs"):
        gs.tidy_gemstones_phase(bad, "cool_end")
    bad = good.copy()
    bad.loc[3, "tokens"] *= 2
    with pytest.raises(DataFileError, match="step x 2048 x 2048"):
        gs.tidy_gemstones_phase(bad, "cool_end")
    bad = good.copy()
    bad.loc[0, "run_name"] = "Gemstone-1024x28"
    with pytest.raises(DataFileError, match="PyGemma-WIDTHxDEPTH_pretrain"):
        gs.tidy_gemstones_phase(bad, "cool_end")
    bad = good.copy()
    bad.loc[0, "final_loss"] = -1.0
    with pytest.raises(DataFileError, match="positive numbers"):
        gs.tidy_gemstones_phase(bad, "cool_end")
    with pytest.raises(ValueError, match="phase must be one of"):
        gs.tidy_gemstones_phase(good, "warm")


def test_the_authors_fitted_laws():
    one = ds.load_gemstones_approach1()
    assert len(one) == 24 and set(one["target"]) == {"n_params", "n_tokens", "tokens_per_param"}
    cooled = one[(one["variant"] == "cool_end") & (one["count"] == "total")].set_index("target")
    assert cooled.loc["n_params", "exponent"] == pytest.approx(0.5969810173757477)  # the file's coef
    three = ds.load_gemstones_approach3()
    assert len(three) == 16
    record = json.loads(ds.fetch_external(
        f"{gs.GEMSTONES_REPO}/parameters_delta-3/approach_3_parameters_grid_search_0_cool_end.json").read_text())
    (alpha, beta), (log_a, log_b) = record["exponents"]["0"], record["coefficients"]["0"]
    row = three[(three["variant"] == "cool_end") & (three["count"] == "total")].iloc[0]
    assert (row["alpha"], row["beta"]) == (alpha, beta)
    assert row["A"] == pytest.approx(np.exp(log_a)) and row["B"] == pytest.approx(np.exp(log_b))
    assert row["E"] == pytest.approx(np.exp(0.7297863295))
    assert row["a"] == pytest.approx(0.580241077 / (0.3002728205 + 0.580241077))  # beta / (alpha + beta)
