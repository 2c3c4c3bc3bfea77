"""Our own sweep's analysis (no torch): the model family, slices, seed pairs, Approach 2 on known profiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.studies import tinygpt


def test_model_family_rows():
    family = tinygpt.model_family().set_index("model")
    # g03 by hand (tests/test_train.py): 37760 parameters, 12288 of them embeddings (tokens and positions).
    assert family.loc["g03", "n_params"] == 37760
    assert family.loc["g03", "embedding_share"] == pytest.approx(12288 / 37760)
    assert family.loc["g03", "flop_ratio"] == pytest.approx(3 * (83456 + 2 * 16384) / (6 * 37760))
    assert family["n_params"].is_monotonic_increasing


def _runs(rows):
    base = {"schedule": "matched", "seed": 0, "n_tokens": 1000, "flops": 1.0}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_slice_table_and_seed_noise():
    runs = _runs([{"budget": 1e11, "model": "g01", "n_params": 10, "loss": 2.5},
                  {"budget": 1e11, "model": "g01", "n_params": 10, "loss": 2.6, "seed": 1},
                  {"budget": 1e11, "model": "g02", "n_params": 20, "loss": 2.4},
                  {"budget": 1e11, "model": "g02", "n_params": 20, "loss": 9.0, "schedule": "fixed"}])
    table = tinygpt.slice_table("matched", runs)
    assert table["loss"].tolist() == pytest.approx([2.55, 2.4]) and table["n_seeds"].tolist() == [2, 1]
    assert table["tokens_per_param"].tolist() == [100, 50]
    noise = tinygpt.seed_noise(runs)
    assert len(noise) == 1 and noise["difference"].iloc[0] == pytest.approx(0.1)


def test_approach2_recovers_a_known_exponent():
    # Exact parabolas in ln N with minima at N_opt = 0.1 * C^0.5: Approach 2 must give a = 0.5.
    rows = []
    for budget in (1e11, 2e11, 4e11, 8e11):
        n_opt = 0.1 * budget ** 0.5
        for k, factor in enumerate((0.25, 0.5, 1.0, 2.0, 4.0)):
            n = n_opt * factor
            rows.append({"budget": budget, "model": f"m{k}", "n_params": n, "loss": 2 + 0.1 * math.log(factor) ** 2})
    fit = tinygpt.fit_sweep_approach2("matched", _runs(rows), n_bootstrap=0)
    assert fit.a == pytest.approx(0.5, abs=1e-9)
