"""The prediction from the second IsoFLOP grid: counts, optima, the predicted runs, refusals and the outcome.

Synthetic grids are the planned runs of ``isoflop-unrepeated`` with losses drawn from a known law
(E = 1.5, A = 20, B = 245, alpha = beta = 0.5 in total parameters: by Eq. 4, N_opt = sqrt(C / (6 k)) with
k = (B / A)^2 = 150.06 tokens per parameter) plus seeded noise of a known sd; each run's validation curve is
the law at eight fractions of its tokens (the same noise as its final loss).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.laws import ParametricLaw
from chinchilla_lib.studies import unrepeated_grid as ug
from chinchilla_lib.train.config import LADDER
from chinchilla_lib.train.sweep import prediction_unrepeated_runs, read_runs, unrepeated_plan

# Totals and non-embedding counts by hand (test_sweep_unrepeated.py's count): per layer 12 d^2 + 13 d, a final
# norm 2 d, embeddings 384 d (tokens 256 d, positions 128 d).
HAND = {m: (layers * (12 * d * d + 13 * d) + 2 * d + 384 * d, layers * (12 * d * d + 13 * d) + 2 * d)
        for m, (d, layers, _) in LADDER.items()}
TRUE = ParametricLaw(E=1.5, A=20.0, B=245.0, alpha=0.5, beta=0.5)
TRAIN_BYTES = 91_196_179


def _grid(noise_sd: float, seed: int = 0, law: ParametricLaw = TRUE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, curves) of the planned grid under ``law``, with noise of ``noise_sd`` nats."""
    rng = np.random.default_rng(seed)
    rows, points = [], []
    for c in unrepeated_plan(read_runs("/nonexistent")):
        n, n_ne = HAND[c.model]
        noise = rng.normal(0.0, noise_sd)
        rows.append({"key": c.key(), "budget": c.budget, "model": c.model, "seed": c.seed, "n_params": n,
                     "n_params_non_embedding": n_ne, "n_tokens": c.n_tokens, "train_bytes": TRAIN_BYTES,
                     "epochs": c.n_tokens / TRAIN_BYTES, "accounting": "6nd", "sampler": "disjoint",
                     "schedule": "matched", "loss": float(law.loss(n, c.n_tokens)) + noise})
        for k in range(8):
            d = c.n_tokens * 2.0 ** (-4 * k / 7)
            points.append({"key": c.key(), "seed": c.seed, "n_params": n, "n_params_non_embedding": n_ne,
                           "flops": 6.0 * n * d, "loss": float(law.loss(n, d)) + noise})
    return pd.DataFrame(rows), pd.DataFrame(points)


def test_ladder_counts_are_the_hand_counts_and_total_params_is_exact_on_them():
    ladder = ug.ladder_counts().set_index("model")
    for model, (n, n_ne) in HAND.items():
        assert (ladder.loc[model, "n_params"], ladder.loc[model, "n_params_non_embedding"]) == (n, n_ne)
        assert ug.total_params(n_ne) == pytest.approx(n, rel=1e-12)
    # between g06 and g07, at the geometric mean of their non-embedding counts, the geometric mean of the ratios
    (t6, e6), (t7, e7) = HAND["g06"], HAND["g07"]
    mid = math.sqrt(e6 * e7)
    assert ug.total_params(mid) == pytest.approx(mid * math.sqrt(t6 / e6 * t7 / e7), rel=1e-12)


def test_grid_table_puts_every_slice_at_its_budget_label_with_the_seed_mean():
    runs, _ = _grid(0.0)
    runs.loc[(runs["model"] == "g03") & (runs["budget"] == 5e12 / 8), "loss"] = [2.0, 2.1]
    table = ug.grid_table(runs, "non_embedding")
    assert len(table) == 36 and (table["n_seeds"] == 2).all()
    row = table[(table["model"] == "g03") & (table["budget"] == 5e12 / 8)].iloc[0]
    assert row["n_params"] == HAND["g03"][1] and row["flops"] == 5e12 / 8 and row["loss"] == pytest.approx(2.05)
    assert row["n_tokens"] == pytest.approx(5e12 / 8 / (6 * HAND["g03"][0]), rel=1e-12)
    with pytest.raises(ValueError, match="^parameters must be 'total' or 'non_embedding'"):
        ug.grid_table(runs, "embedding")


def test_the_numeric_optimum_in_total_parameters_is_eq_4():
    for law in (TRUE, ParametricLaw(E=1.0, A=50.0, B=400.0, alpha=0.35, beta=0.3)):
        n_opt, _ = law.optimal_allocation(5e13)
        assert ug._optimum(law.vector, 5e13, "total")[0] == pytest.approx(n_opt, rel=1e-5)


def test_the_numeric_optimum_without_embeddings_sets_the_derivative_to_zero():
    # Along the budget D = C / (6 T(N)); between two ladder shapes ln T is linear in ln N with slope s, so
    # d/d ln N of A N^-alpha + B D^-beta is -alpha A N^-alpha + s beta B D^-beta: zero at the optimum.
    law, flops = TRUE, 5e13
    n = ug._optimum(law.vector, flops, "non_embedding")[0]
    ladder = ug.ladder_counts().sort_values("n_params_non_embedding")
    ne, tot = ladder["n_params_non_embedding"].to_numpy(float), ladder["n_params"].to_numpy(float)
    i = np.searchsorted(ne, n)
    s = math.log(tot[i] / tot[i - 1]) / math.log(ne[i] / ne[i - 1])
    d = flops / (6 * ug.total_params(n))
    slope = -law.alpha * law.A * n ** -law.alpha + s * law.beta * law.B * d ** -law.beta
    assert abs(slope) < 1e-6 * law.alpha * law.A * n ** -law.alpha


def test_ladder_losses_read_the_law_at_the_planned_tokens():
    table = ug.ladder_losses_6nd(TRUE.vector, 5e13).set_index("model")
    # g08 at 5e13: 5e13 / (6 x 224,640) = 37,096,391.5 tokens = 289,815.6 sequences of 128 -> 289,816
    assert table.loc["g08", "n_tokens"] == 289_816 * 128
    assert table.loc["g08", "loss"] == pytest.approx(1.5 + 20 / math.sqrt(224_640) + 245 / math.sqrt(289_816 * 128))


@pytest.fixture(scope="module")
def synthetic_prediction():
    return ug.predict_unrepeated(*_grid(0.005), n_resamples=60, grid_resamples=20)


def test_the_prediction_finds_the_true_best_size_and_plans_its_runs(synthetic_prediction):
    p = synthetic_prediction
    assert p["flops"] == 5e13 and p["grid_largest_budget"] == 5e12 and p["n_runs"] == 72
    assert p["n_runs_by_seed"] == {"0": 36, "1": 36}
    # N_opt = sqrt(5e13 / (6 x 150.06)) = 235,655: of the ladder, g08 (224,640) is lowest under the true law
    assert p["predicted_model"] == "g08"
    assert [r["model"] for r in p["runs_to_train"]] == ["g07", "g08", "g09"]
    for r in p["runs_to_train"]:
        assert r["seeds"] == [0, 1, 2] and r["epochs"] <= 1
        assert r["n_tokens"] == round(5e13 / (6 * HAND[r["model"]][0]) / 128) * 128
        assert r["epochs"] == pytest.approx(r["n_tokens"] / TRAIN_BYTES)
    # the sweep that tests it plans exactly these runs
    planned = prediction_unrepeated_runs(p)
    assert [(c.model, c.seed, c.n_tokens) for c in planned] == [
        (r["model"], s, r["n_tokens"]) for r in p["runs_to_train"] for s in r["seeds"]]


def test_the_prediction_measures_the_noise_and_widens_the_interval_by_it(synthetic_prediction):
    p = synthetic_prediction
    # the interval's noise: the 12 pairs of the two largest budgets, noise 0.005, relative scatter 1 / sqrt(24) = 20%
    assert p["seed_noise_sd"] == pytest.approx(0.005, rel=0.6)
    assert p["seed_noise"]["n_pairs"] == 12 and p["seed_noise"]["budgets"] == [2.5e12, 5e12]
    # all 36 pairs, as the gate reads them: relative scatter 1 / sqrt(72) = 12%
    assert p["seed_noise"]["all_budgets"]["sd"] == pytest.approx(0.005, rel=0.35)
    assert len(p["seed_noise"]["per_budget"]) == 6 and p["seed_noise"]["all_budgets"]["n_pairs"] == 36
    for r in p["runs_to_train"]:
        one, mean, law = r["loss_interval_one_run"], r["loss_interval_seed_mean"], r["law_interval"]
        # adding independent normal noise widens an interval to at least the noise's own
        assert one[1] - one[0] >= 2 * 1.2815 * p["seed_noise_sd"]
        assert one[0] <= mean[0] <= law[0] + 1e-12 and one[1] >= mean[1] >= law[1] - 1e-12
    assert p["predicted_loss_interval"] == p["runs_to_train"][1]["loss_interval_seed_mean"]
    assert p["interval_includes"] and p["interval_excludes"]


def test_every_approach_is_judged_in_both_counts(synthetic_prediction):
    p = synthetic_prediction
    assert {(a["approach"], a["parameters"]) for a in p["approaches"]} == {
        (k, c) for k in (1, 2, 3) for c in ("total", "non_embedding")}
    assert all(a["verdict"] in ("decided", "flagged", "refused", "not fitted") for a in p["approaches"])
    three = next(a for a in p["approaches"] if a["approach"] == 3 and a["parameters"] == "total")
    law = ParametricLaw(**p["law"])
    assert three["n_opt"] == pytest.approx(law.optimal_allocation(5e13)[0], rel=1e-5)
    assert three["tokens_per_param"] == pytest.approx(5e13 / (6 * three["n_opt"] ** 2), rel=1e-9)
    assert three["n_opt_interval"][0] <= three["n_opt"] <= three["n_opt_interval"][1]
    assert p["prediction_fit"]["verdict"] in ("decided", "flagged")
    # Approach 2 on the slices of a law with a = 0.5 (Eq. 4): its N_opt interval holds the true 235,655;
    # Approach 1's envelope is not resampled, so it has no interval
    two = next(a for a in p["approaches"] if a["approach"] == 2 and a["parameters"] == "total")
    assert two["n_opt_interval"][0] <= math.sqrt(5e13 / (6 * (245 / 20) ** 2)) <= two["n_opt_interval"][1]
    one = [a for a in p["approaches"] if a["approach"] == 1]
    assert all(a.get("n_opt_interval") is None for a in one)


def test_a_grid_without_seed_pairs_or_with_other_settings_is_refused():
    runs, curves = _grid(0.005)
    with pytest.raises(ValueError, match="seeds") as exc:
        ug.predict_unrepeated(runs[runs["seed"] == 0], curves, n_resamples=20, grid_resamples=20)
    assert "\n" not in str(exc.value)
    other = runs.assign(accounting="appendix-f")
    with pytest.raises(ValueError, match="^runs must all have accounting '6nd'"):
        ug.unrepeated_runs(other)
    with pytest.raises(ValueError, match="^runs must read at most one epoch"):
        ug.unrepeated_runs(runs.assign(epochs=1.5))


def test_a_grid_whose_approach_3_is_refused_cannot_decide():
    # noise of 0.3 nats buries the law: the gate refuses Approach 3, and the message says which approaches
    # were not refused
    with pytest.raises(ValueError, match=r"^the grid cannot decide: Approach 3 \(total parameters\) is refused "
                                         r"by the gate: .*; approaches not refused: ") as exc:
        ug.predict_unrepeated(*_grid(0.3, seed=1), n_resamples=40, grid_resamples=20)
    assert "\n" not in str(exc.value)


def test_a_prediction_whose_runs_would_read_more_than_one_epoch_is_refused():
    # k = (B / A)^2 = 780 tokens per parameter: N_opt = sqrt(5e13 / (6 x 780)) = 103,362, nearly g06 (103,344),
    # whose smaller neighbour g05 (75,072) would read 5e13 / (6 x 75,072) = 111M tokens, over the 90M bound
    law = ParametricLaw(E=1.5, A=245 / math.sqrt(780), B=245.0, alpha=0.5, beta=0.5)
    with pytest.raises(ValueError, match=r"^g05 at 5e\+13 FLOPs reads 1\.2\d epochs of the 91,196,179-byte") as exc:
        ug.predict_unrepeated(*_grid(0.002, law=law), n_resamples=30, grid_resamples=20)
    assert "\n" not in str(exc.value)


def test_the_outcome_against_the_trained_runs():
    prediction = {"flops": 5e13, "predicted_model": "g08", "runs_to_train": [
        {"model": m, "n_params": HAND[m][0], "n_tokens": 1, "seeds": [0, 1, 2], "predicted_loss": 2.0,
         "loss_interval_seed_mean": [1.98, 2.02], "loss_interval_one_run": [1.96, 2.04]}
        for m in ("g07", "g08", "g09")]}
    losses = {"g07": [2.05, 2.06, 2.07], "g08": [1.99, 2.00, 2.04], "g09": [2.01, 2.03]}
    runs = pd.DataFrame([{"model": m, "budget": 5e13, "seed": s, "loss": x}
                         for m, xs in losses.items() for s, x in enumerate(xs)])
    table = ug.prediction_unrepeated_outcome(prediction, runs).set_index("model")
    # means 2.06, 2.01, 2.02; sds 0.01, sqrt(((-0.02)^2 + (-0.01)^2 + 0.03^2) / 2) = sqrt(0.0007), sqrt(0.0002)
    assert table["observed_loss"].tolist() == pytest.approx([2.06, 2.01, 2.02])
    assert table["observed_sd"].tolist() == pytest.approx([0.01, math.sqrt(0.0007), math.sqrt(0.0002)])
    assert table["inside"].tolist() == [False, True, True]
    assert table["runs_inside"].tolist() == [0, 3, 2]  # 2.05 and above lie outside 1.96-2.04
    assert table["complete"].tolist() == [True, True, False]
    assert table.loc["g08", "observed_best"] and table.loc["g08", "predicted_best"]
    assert table["difference"].tolist() == pytest.approx([0.06, 0.01, 0.02])


def test_the_prediction_commit_added_the_file_after_the_grid_it_was_made_from():
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(ug.__file__).resolve().parents[2]
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--",
                            "chinchilla_lib/data/tinygpt_prediction_unrepeated.json"], cwd=root,
                           capture_output=True, text=True)
    if added.returncode != 0 or not added.stdout.strip():
        pytest.skip("history not available (shallow clone)")
    assert added.stdout.split()[-1] == ug.PREDICTION_COMMIT
    made_from = ug.load_prediction_unrepeated()["made_from_commit"]
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", made_from, ug.PREDICTION_COMMIT], cwd=root)
    assert ancestor.returncode == 0  # the grid it was made from came first
    # no run of the prediction's sweep was committed before (or with) the prediction
    runs = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--",
                           "chinchilla_lib/data/tinygpt_prediction_unrepeated_runs.csv"], cwd=root,
                          capture_output=True, text=True).stdout.split()
    for commit in runs:
        later = subprocess.run(["git", "merge-base", "--is-ancestor", ug.PREDICTION_COMMIT, commit], cwd=root)
        assert later.returncode == 0 and commit != ug.PREDICTION_COMMIT


def _outcome_of(losses: dict) -> tuple[dict, pd.DataFrame]:
    prediction = {"flops": 5e13, "factor": 10.0, "predicted_model": "g08", "runs_to_train": [
        {"model": m, "n_params": HAND[m][0], "n_tokens": 1, "seeds": [0, 1, 2], "predicted_loss": 2.0,
         "loss_interval_seed_mean": [1.98, 2.02], "loss_interval_one_run": [1.96, 2.04]}
        for m in ("g07", "g08", "g09")]}
    runs = pd.DataFrame([{"model": m, "budget": 5e13, "seed": s, "loss": x}
                         for m, xs in losses.items() for s, x in enumerate(xs)])
    return prediction, ug.prediction_unrepeated_outcome(prediction, runs)


def test_the_outcome_in_words_claims_nothing_until_every_run_is_trained():
    prediction, outcome = _outcome_of({"g07": [2.05, 2.06, 2.07], "g08": [1.99, 2.00, 2.04], "g09": [2.01, 2.03]})
    phrases = ug.outcome_phrases(prediction, outcome)
    assert phrases["result"] == phrases["judgement"] == (
        "8 of its 9 runs are trained; the outcome is read when all are.")
    assert phrases["detail"] == ("So far g08 has 3 of its 3 seeds, at a mean of 2.010 nats per byte against the 2.000 "
                                 "predicted; the prediction is scored when every run is in.")


def test_the_outcome_in_words_names_the_side_and_the_lowest_size():
    # g08's mean 2.01 lies inside 1.98-2.02 and is the lowest of 2.06, 2.01, 2.02
    prediction, outcome = _outcome_of({"g07": [2.05, 2.06, 2.07], "g08": [1.99, 2.00, 2.04],
                                       "g09": [2.01, 2.03, 2.02]})
    phrases = ug.outcome_phrases(prediction, outcome)
    assert phrases["result"] == ("The runs reached 2.010, inside that interval, and the lowest mean of the three "
                                    "sizes was g08's, as predicted.")
    assert "held for the predicted size, inside its interval" in phrases["judgement"]
    assert phrases["detail"].startswith("The predicted model's three-seed mean is 2.010 nats per byte, +0.010 from")
    assert "6 of the 9 single runs" in phrases["detail"]  # g07 0 (2.05 and up lie outside 1.96-2.04), g08 3, g09 3
    assert "between g07 and g09" in phrases["judgement"]
    # every mean below 1.98: outside, below, and the law too pessimistic
    prediction, outcome = _outcome_of({m: [1.90, 1.91, 1.92] for m in ("g07", "g08")} | {"g09": [1.85, 1.86, 1.87]})
    phrases = ug.outcome_phrases(prediction, outcome)
    assert "1.910, below that interval" in phrases["result"] and "g09's." in phrases["result"]
    assert "was too pessimistic" in phrases["judgement"] and "by more than its interval allowed" in phrases["judgement"]
    assert "g09 or beyond" in phrases["judgement"]
