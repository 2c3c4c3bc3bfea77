"""The sweep that tests the second grid's prediction: it plans exactly the runs the committed file names, with the
grid's settings, each within one epoch, and refuses a prediction file that is missing or not committed."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from chinchilla_lib.train.config import LADDER, shape_of
from chinchilla_lib.train.provenance import changed_files, uncommitted
from chinchilla_lib.train.sweep import (
    SWEEPS,
    UNREPEATED_PREDICTION_FILE,
    learning_rate_rule,
    prediction_unrepeated_plan,
    prediction_unrepeated_runs,
    read_runs,
)

#: One epoch of the planner's bound: (90,000,000 - 1) // 128 windows.
EPOCH_SEQUENCES = 703124
# Totals by hand (test_sweep_unrepeated.py): per layer 12 d^2 + 13 d, a final norm 2 d, embeddings 384 d.
HAND_PARAMS = {m: layers * (12 * d * d + 13 * d) + 2 * d + 384 * d for m, (d, layers, _) in LADDER.items()}
EMPTY = read_runs("/nonexistent")


def _prediction(models=("g07", "g08", "g09"), flops=5e13) -> dict:
    return {"flops": flops, "runs_to_train": [{"model": m, "seeds": [0, 1, 2]} for m in models]}


def test_the_plan_is_every_named_model_with_every_seed_and_the_grids_settings():
    assert SWEEPS["prediction-unrepeated"].plan is prediction_unrepeated_plan
    plan = prediction_unrepeated_runs(_prediction())
    assert [(c.model, c.seed) for c in plan] == [(m, s) for m in ("g07", "g08", "g09") for s in (0, 1, 2)]
    assert len({c.key() for c in plan}) == 9
    rule = learning_rate_rule()
    for c in plan:
        settings = (c.corpus, c.sampler, c.accounting, c.schedule, c.budget)
        assert settings == ("mixed", "disjoint", "6nd", "matched", 5e13)
        # D = C / (6 N) in whole sequences of 128: g08, 5e13 / (6 x 224,640) / 128 = 289,815.6 -> 289,816
        assert c.n_sequences == round(5e13 / (6 * HAND_PARAMS[c.model]) / 128)
        assert c.total_sequences <= EPOCH_SEQUENCES  # at most one epoch
        width_law = rule.lr_32 * (shape_of(c.model).d_model / 32.0) ** rule.exponent
        assert c.lr == float(f"{width_law:.4g}")
    assert next(c for c in plan if c.model == "g08").n_sequences == 289_816


def test_a_named_run_over_one_epoch_is_refused():
    # g05 at 5e13: 5e13 / (6 x 75,072) = 111M tokens, over the 90M of the training split
    with pytest.raises(ValueError, match="^prediction names g05 at 5e\\+13 FLOPs, which reads more than one epoch"):
        prediction_unrepeated_runs(_prediction(("g05", "g06", "g07")))
    with pytest.raises(ValueError, match="^prediction lacks runs_to_train"):
        prediction_unrepeated_runs({"flops": 5e13})


def test_no_plan_without_a_committed_prediction_file(tmp_path):
    with pytest.raises(ValueError, match="^no committed prediction to test: .* does not exist") as exc:
        prediction_unrepeated_plan(EMPTY, tmp_path / "absent.json")
    assert "\n" not in str(exc.value)
    loose = tmp_path / "prediction.json"
    loose.write_text(json.dumps(_prediction()))
    with pytest.raises(ValueError, match="^no committed prediction to test"):
        prediction_unrepeated_plan(EMPTY, loose)


def test_the_committed_prediction_plans_its_runs():
    if uncommitted(UNREPEATED_PREDICTION_FILE):
        pytest.skip("no committed prediction from the second grid yet")
    prediction = json.loads(UNREPEATED_PREDICTION_FILE.read_text())
    plan = prediction_unrepeated_plan(EMPTY)
    assert [(c.model, c.seed, c.n_tokens) for c in plan] == [
        (r["model"], s, r["n_tokens"]) for r in prediction["runs_to_train"] for s in r["seeds"]]
    assert all(r["epochs"] <= 1 for r in prediction["runs_to_train"])
    assert all(c.total_sequences <= EPOCH_SEQUENCES for c in plan)


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p.json").write_text("{}\n")
    git("add", "data/p.json")
    git("commit", "-q", "-m", "p")
    return tmp_path


def test_uncommitted_says_why_a_file_is_not_committed(repo):
    path = repo / "data" / "p.json"
    assert uncommitted(path) == ""
    path.write_text('{"changed": 1}\n')
    assert uncommitted(path).startswith("data/p.json has uncommitted changes")
    assert changed_files(repo, ["data"]) == ["data/p.json"]
    assert changed_files(repo, ["data"], ignore=("data/p.json",)) == []
    (repo / "data" / "new.json").write_text("{}\n")
    assert uncommitted(repo / "data" / "new.json") == "data/new.json is not tracked by git"
