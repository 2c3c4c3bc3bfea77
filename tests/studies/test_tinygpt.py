"""Our own sweep's analysis (no torch): the model family, slices, seed pairs, Approach 2 on known profiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.studies import tinygpt


def test_model_family_rows():
    family = tinygpt.model_family().set_index("model")
    # g03 by hand (tests/train/test_train.py): 37760 parameters, 12288 of them embeddings (tokens and positions).
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


def test_lr_scan_table_marks_each_models_best_rate():
    # Three widths, each with losses exactly parabolic in ln lr around its best rate.
    rows = []
    for model, d, best in (("g05", 48, 8e-3), ("g07", 64, 4e-3), ("g09", 80, 4e-3 * 0.8)):
        for lr in (best / 2.5, best * 1.5, best * 3):
            rows.append({"model": model, "d_model": d, "lr": lr, "loss": 2 + 0.1 * math.log(lr / best) ** 2,
                         "steps": 1000, "n_sequences": 4000})
    table = tinygpt.lr_scan_table(pd.DataFrame(rows))
    assert table.groupby("model")["best_lr"].first().to_dict() == pytest.approx({"g05": 8e-3, "g07": 4e-3,
                                                                                  "g09": 3.2e-3})
    assert (table["batch"] == 4).all() and len(table) == 9


def test_schedule_gaps_sign():
    runs = _runs([{"budget": 1e12, "model": "g03", "n_params": 10, "loss": 2.3},
                  {"budget": 1e12, "model": "g03", "n_params": 10, "loss": 2.4, "schedule": "fixed"},
                  {"budget": 1e12, "model": "g04", "n_params": 20, "loss": 2.5}])  # no fixed twin: left out
    gaps = tinygpt.schedule_gaps(runs)
    assert len(gaps) == 1 and gaps["gap"].iloc[0] == pytest.approx(0.1)


class _Boot:
    def __init__(self, samples):
        self.samples = samples


def test_law_loss_interval_is_the_percentiles_of_the_resampled_laws():
    # Three laws with A = B = 0: the losses are their E's, 1.0, 2.0 and 3.0; the 10th-90th percentiles
    # (linear interpolation) are 1.2 and 2.8.
    samples = pd.DataFrame({"log_E": np.log([1.0, 2.0, 3.0]), "log_A": [-np.inf] * 3, "log_B": [-np.inf] * 3,
                            "alpha": [0.3] * 3, "beta": [0.3] * 3})
    assert tinygpt.law_loss_interval(_Boot(samples), 1e5, 1e7) == pytest.approx((1.2, 2.8))


def test_prediction_outcome_against_the_trained_runs():
    prediction = {"flops": 2e13, "predicted_model": "g08", "runs_to_train": [
        {"model": m, "n_params": n, "n_tokens": 1e7, "predicted_loss": 2.0, "predicted_loss_interval": [1.95, 2.05]}
        for m, n in (("g07", 100), ("g08", 200), ("g09", 300))]}
    runs = _runs([{"budget": 2e13, "model": "g07", "n_params": 100, "loss": 2.10},
                  {"budget": 2e13, "model": "g08", "n_params": 200, "loss": 1.98},
                  {"budget": 2e13, "model": "g09", "n_params": 300, "loss": 2.01}])
    table = tinygpt.prediction_outcome(prediction, runs).set_index("model")
    assert table["inside"].tolist() == [False, True, True]
    assert table["difference"].tolist() == pytest.approx([0.10, -0.02, 0.01])
    assert table.loc["g08", "observed_best"] and table.loc["g08", "predicted_best"]
    assert not table.loc["g09", "observed_best"]


def test_second_realisation_swaps_in_seed_one_only_where_it_was_trained():
    runs = _runs([{"budget": 1e11, "model": "g01", "n_params": 10, "loss": 2.5, "key": "a"},
                  {"budget": 1e11, "model": "g02", "n_params": 20, "loss": 2.4, "key": "b"},
                  {"budget": 1e11, "model": "g02", "n_params": 20, "loss": 2.3, "seed": 1, "key": "c"},
                  {"budget": 1e11, "model": "g03", "n_params": 30, "loss": 2.6, "key": "d"},
                  {"budget": 1e11, "model": "g03", "n_params": 30, "loss": 2.0, "schedule": "fixed", "key": "e"}])
    assert tinygpt._realisation(runs, 0)["key"].tolist() == ["a", "b", "d"]
    assert tinygpt._realisation(runs, 1)["key"].tolist() == ["a", "c", "d"]


def test_envelope_holders_share_the_log_spaced_grid():
    family = tinygpt.model_family().set_index("model")
    n1, n2 = family.loc["g01", "n_params"], family.loc["g03", "n_params"]

    class Fit:
        envelope = pd.DataFrame({"flops": np.geomspace(1e10, 1e12, 8), "n_params": [n1] * 6 + [n2] * 2})

    holders = tinygpt.envelope_holders(Fit())
    assert holders["model"].tolist() == ["g01", "g03"]
    assert holders["share"].tolist() == pytest.approx([0.75, 0.25])
    assert holders.loc[1, "flops_max"] == pytest.approx(1e12)


def test_prediction_verdict_in_words():
    def outcome(observed):
        return pd.DataFrame({"model": ["g05", "g06", "g07"], "n_params": [1, 2, 3],
                             "predicted_loss": [2.0, 2.0, 2.0], "observed_loss": observed})

    low = tinygpt.prediction_verdict(outcome([1.9, 1.8, 1.7]))
    assert low["law"].startswith("too pessimistic") and "at g07 or beyond it" in low["optimum"]
    high = tinygpt.prediction_verdict(outcome([2.1, 2.05, 2.2]))
    assert high["law"].startswith("too optimistic") and "between g05 and g07, around g06" in high["optimum"]
    mixed = tinygpt.prediction_verdict(outcome([1.9, 2.1, 2.2]))
    assert mixed["law"].startswith("right about some") and "at g05 or below it" in mixed["optimum"]


def test_flops_per_token_at_the_ladder_and_between():
    from chinchilla_lib.train.config import LADDER, run_flops_per_token, shape_of

    family = tinygpt.model_family().set_index("model")
    for name in LADDER:  # exact at every shape: the count the runs were made with
        n = family.loc[name, "n_params"]
        assert tinygpt.flops_per_token_at(n) == pytest.approx(run_flops_per_token(shape_of(name))["total"], rel=1e-12)
    # at the geometric mean of g06 and g07, log-log interpolation gives the geometric mean of their ratios to 6N
    n6, n7 = family.loc["g06", "n_params"], family.loc["g07", "n_params"]
    r6, r7 = family.loc["g06", "flop_ratio"], family.loc["g07", "flop_ratio"]
    mid = math.sqrt(n6 * n7)
    assert tinygpt.flops_per_token_at(mid) == pytest.approx(math.sqrt(r6 * r7) * 6 * mid, rel=1e-12)


def test_approaches_table_counts_flops_as_the_runs_do():
    flops = 2e13
    table = tinygpt.approaches_table(flops).set_index("approach")
    family = tinygpt.model_family().sort_values("n_params")
    log_n, log_r = np.log(family["n_params"].to_numpy(float)), np.log(family["flop_ratio"].to_numpy(float))

    def tokens(n):  # second implementation: the tokens a model of n parameters trains on at `flops`
        return flops / (6 * n * np.exp(np.interp(np.log(n), log_n, log_r)))

    for row in table.itertuples():
        assert row.d_opt == pytest.approx(tokens(row.n_opt), rel=1e-9)
    # Approach 3: the minimum of the law along the budget, by a dense grid
    law = tinygpt.fit_sweep_approach3().law
    grid = np.geomspace(family["n_params"].min(), family["n_params"].max(), 200001)
    best = grid[np.argmin(law.loss(grid, tokens(grid)))]
    assert table.loc["Approach 3", "n_opt"] == pytest.approx(best, rel=1e-3)
    # the planned tokens per parameter in this one convention (about 104 and 183, not 140 and 240)
    assert table.loc["Approach 2", "tokens_per_param"] == pytest.approx(104, abs=1)
    assert table.loc["Approach 3", "tokens_per_param"] == pytest.approx(183, abs=1)


def test_prediction_commit_is_the_commit_that_added_the_file():
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(tinygpt.__file__).resolve().parents[2]
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    added = subprocess.run(["git", "log", "--diff-filter=A", "--follow", "--format=%H", "--",
                            "chinchilla_lib/data/tinygpt_prediction.json"], cwd=root, capture_output=True, text=True)
    if added.returncode != 0 or not added.stdout.strip():
        pytest.skip("history not available (shallow clone)")
    assert added.stdout.split()[-1] == tinygpt.PREDICTION_COMMIT
    parent = subprocess.run(["git", "rev-parse", f"{tinygpt.PREDICTION_COMMIT}^"], cwd=root, capture_output=True,
                            text=True).stdout.strip()
    assert parent == tinygpt.load_prediction()["made_from_commit"]  # made from the commit just before


def test_first_grid_confounds_read_the_committed_files():
    import pandas as pd

    from chinchilla_lib.train.sweep import sweep_paths

    confounds = tinygpt.first_grid_confounds()
    trained = pd.read_csv(sweep_paths("prediction")[0])
    # epochs by a second route: tokens read over the training split's bytes
    epochs = trained["n_tokens"] / trained["train_bytes"]
    assert confounds["prediction_epochs"][1] == pytest.approx(epochs.max(), rel=1e-9)
    assert confounds["prediction_epochs"][1] > 1  # the first test repeated its data
    assert confounds["a_total"] == pytest.approx(tinygpt.fit_sweep_approach3().a, rel=1e-9)
    for _, run in trained.drop_duplicates("model").iterrows():
        assert confounds["tpp_6nd"][run["model"]] == pytest.approx(run["budget"] / (6 * run["n_params"] ** 2))
        assert confounds["tpp_appendix_f"][run["model"]] == pytest.approx(run["n_tokens"] / run["n_params"])
    grid = pd.read_csv(sweep_paths("isoflop")[0])
    grid = grid[grid["schedule"] == "matched"]
    assert 10 ** confounds["decades"] == pytest.approx(grid["budget"].max() / grid["budget"].min())


def test_the_two_predictions_side_by_side():
    from chinchilla_lib.studies import prediction_pair

    table = prediction_pair.predictions_table()
    assert table.columns.tolist() == ["first", "second"]
    assert float(table.loc["most epochs of any run", "second"]) <= 1.0
    assert float(table.loc["most epochs of any run", "first"]) > 1.0
    assert table.loc["predicted model", "first"].startswith(tinygpt.load_prediction()["predicted_model"])


def test_the_committed_answers_in_one_table():
    from chinchilla_lib.studies import prediction_pair, unrepeated_grid

    prediction = unrepeated_grid.load_prediction_unrepeated()
    table = prediction_pair.answers_table(prediction)
    assert len(table) == len(prediction["approaches"]) == 6
    for row, answer in zip(table.itertuples(index=False), prediction["approaches"]):
        lo, hi = answer["a_interval"] or (None, None)
        expected = f"{answer['a']:.2f}" + (f" ({lo:.2f}-{hi:.2f})" if lo is not None else "")
        assert row[2] == expected and row[5] == answer["verdict"]
        assert (row[6] == "") == (answer["verdict"] == "decided")
    ladder = prediction_pair.committed_ladder(prediction)
    assert ladder.loc[ladder["loss"].idxmin(), "model"] == prediction["predicted_model"]  # the law's own choice
