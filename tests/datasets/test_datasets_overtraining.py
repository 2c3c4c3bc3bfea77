"""Loaders of the over-training run sets and the LLaMA axis calibration: tidy, validated, hand-checked."""

import json

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import gadre, muennighoff, sardana
from chinchilla_lib.datasets.paper_tables import DataFileError


def test_sardana_runs_are_tidy():
    runs = ds.load_sardana_runs()
    assert len(runs) == 47  # the file's row count (MANIFEST)
    assert {"n_params", "n_tokens", "tokens_per_param", "loss_train", "mmlu_5shot"} <= set(runs.columns)
    assert runs["tokens_per_param"].min() == 10 and runs["tokens_per_param"].max() == 10_000
    first = runs.iloc[0]  # 150M at 10 tokens per parameter, row 1 of the file
    assert first["n_params"] == 151e6 and first["n_tokens"] == 1.51e9


def test_sardana_validation_refuses_malformed_input():
    good = pd.read_csv(ds.fetch_external(sardana.SARDANA_FILE))
    with pytest.raises(DataFileError, match="lacks column") as err:
        sardana.tidy_sardana(good.drop(columns=["Smoothed Loss"]))
    assert "\n" not in str(err.value)
    bad = good.copy()
    bad.loc[0, "Tokens"] = 2 * bad.loc[0, "Tokens"]
    with pytest.raises(DataFileError, match="Tokens is not"):
        sardana.tidy_sardana(bad)
    bad = good.copy()
    bad.loc[3, "Smoothed Loss"] = -1.0
    with pytest.raises(DataFileError, match="positive"):
        sardana.tidy_sardana(bad)


def test_gadre_runs_are_tidy():
    runs = ds.load_gadre_runs()
    assert len(runs) == 104
    assert set(runs["training_set"]) == {"C4", "RedPajama", "RefinedWeb"}
    np.testing.assert_allclose(runs["tokens_per_param"], 20 * runs["token_multiplier"], rtol=1e-3)
    assert (runs["loss_c4_val_lo95"] <= runs["loss_c4_val"]).all()
    assert (runs["loss_c4_val"] <= runs["loss_c4_val_hi95"]).all()
    one = runs.set_index("run").loc["rpj-open_lm_1b-32.0"]
    assert one["n_params"] == 1439795200 and one["loss_c4_val"] == pytest.approx(2.502053562117363)


def test_gadre_validation_refuses_malformed_input():
    name = next(n for n in gadre.gadre_model_files() if n.endswith("c4_original-d=96_l=8_h=4-1.0.json"))
    record = json.loads(ds.fetch_external(name).read_text())
    assert gadre.tidy_gadre_model(record)["token_multiplier"] == 1.0
    broken = json.loads(json.dumps(record))
    del broken["hyperparameters"]["params"]
    with pytest.raises(DataFileError, match="not a Gadre"):
        gadre.tidy_gadre_model(broken)
    broken = json.loads(json.dumps(record))
    broken["hyperparameters"]["tokens"] *= 3
    with pytest.raises(DataFileError, match="20 x params"):
        gadre.tidy_gadre_model(broken)
    broken = json.loads(json.dumps(record))
    broken["results"] = [r for r in broken["results"] if "c4_val" not in r["val_data"][0]]
    with pytest.raises(DataFileError, match="C4 validation"):
        gadre.tidy_gadre_model(broken)


def test_gadre_grid_and_eval_metadata():
    grid = ds.load_gadre_grid()
    assert len(grid) == 435 and (grid["loss"] > 0).all()
    row = grid.iloc[0]  # "d=1024_l=12_h=16-64-0.003-0.033-64-5149020160-100-3e-05"
    assert (row["d_model"], row["n_layers"], row["n_heads"], row["warmup_steps"]) == (1024, 12, 16, 100)
    assert row["cooldown_lr"] == pytest.approx(3e-5)
    meta = ds.load_gadre_eval_metadata()
    assert meta.set_index("task").loc["mmlu_zeroshot", "n_examples"] == 14042


@pytest.mark.parametrize("name, expected", [
    ("2b84b4b", (2.81e9, 4e9, 4e9)),  # the MANIFEST's example: 2.8B model, 4B tokens, 4B unique
    ("2b855b1b25c4seed1", (2.81e9, 55e9, 1.25e9)),
    ("146m14b14b", (1.465e8, 14e9, 14e9)),
    ("8b7178b44b", (8.67e9, 178e9, 44e9)),
    ("2b8100m100m", (2.81e9, 0.1e9, 0.1e9)),
])
def test_muennighoff_names_decode_as_the_notebook_does(name, expected):
    found = muennighoff.parse_muennighoff_notebook(ds.fetch_external(muennighoff.MUENNIGHOFF_NOTEBOOK))
    got = muennighoff.decode_run_name(name, found["PARAMS_MAP"], found["TOKENS_MAP"])
    assert got == pytest.approx(expected)


def test_muennighoff_runs_are_tidy():
    runs = ds.load_muennighoff_runs()
    assert len(runs) > 250 and (runs["loss_val"] > 0).all()
    assert (runs["epochs"] >= 1 - 1e-9).all()
    assert not runs["run"].str.endswith("dedup").any()
    assert runs.set_index("run").loc["2b84b4b", "loss_val"] == pytest.approx(3.265024)


def test_muennighoff_validation_refuses_malformed_input(tmp_path):
    nb = {"cells": [{"source": ["# nothing"]}, {"source": ["NAMES_TO_VAL_LOSSES = {'2b84b4b': 3.2}\n"]}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    with pytest.raises(DataFileError, match="lacks the dict"):
        muennighoff.parse_muennighoff_notebook(path)
    path.write_text("not json")
    with pytest.raises(DataFileError, match="not the notebook"):
        muennighoff.parse_muennighoff_notebook(path)
    with pytest.raises(DataFileError, match="no known model size"):
        muennighoff.decode_run_name("9z1b1b", {"2b8": 2.81}, {})


def test_llama_calibration_against_the_known_run_lengths():
    cal = ds.llama_calibration().set_index("model")
    one = cal[cal["family"] == "LLaMA-1"]
    np.testing.assert_allclose(one["end_tokens"], one["n_tokens"], rtol=1e-9)
    # the post's 65B ends at its own 2000B; printed 1.4T: 2000/1400 - 1 by hand
    assert cal.loc["LLaMA-65B", "post_end_tokens"] == pytest.approx(2.0e12)
    assert cal.loc["LLaMA-65B", "post_end_error"] == pytest.approx(2000 / 1400 - 1)
    # the curves start within a few pixels of our zero (an independent check of the line)
    assert (one["start_px"] - one["zero_px"]).abs().max() < 3
    two = cal[cal["family"] == "Llama-2"]
    assert two["end_error"].abs().max() < 0.01


def test_llama_curves_carry_gpu_hours_and_the_post_axis():
    curves = ds.load_llama_curves()
    models = ds.load_table("llama_models").set_index("model")
    ends = curves.groupby("model")["gpu_hours"].max()
    for model, hours in ends.items():
        assert hours == pytest.approx(models.loc[model, "gpu_hours"], rel=1e-9)
    assert (curves["post_n_tokens"] > curves["n_tokens"]).loc[curves["family"] == "LLaMA-1"].all()
