"""Our own training runs: counts and FLOPs against hand calculations, the schedule, determinism, sweeps.

Tests that train need torch (the ``[train]`` extra, installed by requirements.txt); the Dask test
needs ``distributed``.  Expected counts are worked out by hand below, not by the code under test.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.laws.architecture import parameter_counts
from chinchilla_lib.train.config import (
    LADDER,
    RunConfig,
    batch_rule,
    gpt_parameter_counts,
    plan_run,
    run_flops_per_token,
    shape_of,
)
from chinchilla_lib.train.sweep import (
    CURVE_COLUMNS,
    ISOFLOP_BUDGETS,
    RUN_COLUMNS,
    SWEEPS,
    isoflop_plan,
    read_curves,
    read_runs,
    run_sweep,
    sweep_paths,
)

ROOT = Path(__file__).resolve().parents[2]

# g03: d_model 32, 2 layers, 2 heads of 16, ffw 128, vocabulary 256, context 128.
# Per layer: attention 4*32*32 + 3*32 + 32 = 4224; feed-forward 2*32*128 + 128 + 32 = 8352;
# two layer norms 4*32 = 128; so 12704, times 2 layers plus the final norm 64 = 25472.
# Embeddings: tokens 256*32 = 8192, positions 128*32 = 4096.
G03_NON_EMBEDDING = 25472
G03_TOTAL = 25472 + 8192 + 4096
# FLOPs per token, forward: embeddings 2*256*32 = 16384, logits the same; per layer: QKV
# 2*3*32*32 = 6144, logits 2*128*32 = 8192, softmax 3*2*128 = 768, values 8192, output
# 2*32*32 = 2048, dense 2*(32*128 + 32*128) = 16384: 41728, two layers 83456.  Training = 3 x forward.
G03_FLOPS_NON_EMBEDDING = 3 * 83456
G03_FLOPS = 3 * (83456 + 2 * 16384)


def test_hand_counted_parameters_and_flops():
    shape = shape_of("g03")
    counts = gpt_parameter_counts(shape)
    assert counts["non_embedding"] == G03_NON_EMBEDDING
    assert counts["total"] == G03_TOTAL
    assert counts["embedding"] == counts["token_embedding"] + counts["position_embedding"] == 8192 + 4096
    fpt = run_flops_per_token(shape)
    assert fpt["total"] == G03_FLOPS
    assert fpt["non_embedding"] == G03_FLOPS_NON_EMBEDDING
    assert fpt["six_n"] == 6 * G03_TOTAL


@pytest.mark.parametrize("name", sorted(LADDER))
def test_counts_relate_to_architecture(name):
    # Learned positions replace Transformer-XL's relative-position projections (d*w + 2w per layer).
    shape = shape_of(name)
    base = parameter_counts(shape)
    w = shape.n_heads * shape.kv_size
    expected = base["total"] - shape.n_layers * (shape.d_model * w + 2 * w) + shape.seq_len * shape.d_model
    assert gpt_parameter_counts(shape)["total"] == expected


def test_ladder_grows_and_is_valid():
    totals = [gpt_parameter_counts(shape_of(m))["total"] for m in LADDER]
    assert totals == sorted(totals) and len(set(totals)) == len(totals)
    for name in LADDER:
        shape = shape_of(name)
        assert shape.n_heads * shape.kv_size == shape.d_model
    with pytest.raises(ValueError, match="model must be one of"):
        shape_of("g99")


def test_batch_rule_keeps_a_thousand_steps():
    # 1e6 tokens = 7812.5 sequences of 128 -> 7812 (rounded half to even) over 1000 steps; lr 4e-3 * 32 / 64.
    assert batch_rule(1e6, 64, lr_base=4e-3) == (1000, 7812, pytest.approx(2e-3))
    # 1e8 tokens = 781250 sequences: 32 a step at most, so 24415 steps.
    assert batch_rule(1e8, 32)[0] == 24415
    with pytest.raises(ValueError, match="n_tokens must be at least"):
        batch_rule(1e5, 32)
    for budget in (1e11, 1e12):
        for name in ("g01", "g03"):
            run = plan_run(name, budget)
            assert run.steps >= 1000 and run.batch_sizes().sum() == run.n_sequences
            assert set(run.batch_sizes()) <= {run.batch, run.batch + 1}
            assert run.n_tokens * run_flops_per_token(run.shape)["total"] == pytest.approx(budget, rel=1e-3)


def test_every_committed_sweep_run_takes_a_thousand_steps():
    for name in ("isoflop-small", "lr-tune", "lr-scan"):
        assert min(c.steps for c in SWEEPS[name].plan(read_runs("/nonexistent"))) >= 1000


def test_run_config_validates_and_keys():
    run = RunConfig(model="g01", steps=100, batch=2, lr=1e-3, eval_steps=(10, 50))
    assert run.schedule_steps == 100 and run.warmup == 2 and run.eval_steps == (10, 50, 100)
    assert run.n_tokens == 100 * 2 * 128 and (run.batch_sizes() == 2).all()
    spread = run.with_(n_sequences=250)
    assert spread.batch_sizes().sum() == 250 and sorted(set(spread.batch_sizes())) == [2, 3]
    with pytest.raises(ValueError, match="n_sequences"):
        run.with_(n_sequences=50)
    assert run.key() == RunConfig(model="g01", steps=100, batch=2, lr=1e-3, eval_steps=(50, 10)).key()
    assert run.key() != run.with_(seed=1).key()
    with pytest.raises(ValueError, match="schedule_steps"):
        RunConfig(model="g01", steps=100, batch=2, lr=1e-3, schedule_steps=50)
    with pytest.raises(ValueError, match="eval_steps"):
        RunConfig(model="g01", steps=100, batch=2, lr=1e-3, eval_steps=(0,))
    with pytest.raises(ValueError, match="horizon"):
        plan_run("g01", 1e11, horizon=1e10)


def test_isoflop_plan_grows_a_slice_with_an_edge_minimum():
    first_budget, second = ISOFLOP_BUDGETS[:2]
    plan = isoflop_plan(read_runs("/nonexistent"), tuned=False)
    first = [c for c in plan if c.budget == first_budget and c.schedule == "matched"]
    assert len(first) == 6 and {c.schedule for c in plan} == {"matched", "fixed"}
    # Pretend the largest size of the second slice (g00 to g05) has the lowest loss: one more size is added.
    done = pd.DataFrame([{"budget": second, "schedule": "matched", "seed": 0, "model": c.model,
                          "loss": 3.0 - i * 0.01, "key": c.key()}
                         for i, c in enumerate(c for c in plan if c.budget == second and c.schedule == "matched")])
    grown = [c for c in isoflop_plan(done, tuned=False) if c.budget == second and c.schedule == "matched"]
    assert len(grown) == 7 and grown[-1].model == "g06"
    # A minimum inside: three sizes around it get a second seed.
    done.loc[done.index[2], "loss"] = 2.0
    seeds = [c for c in isoflop_plan(done, tuned=False) if c.budget == second and c.seed == 1]
    assert [c.model for c in seeds] == list(done["model"].iloc[1:4])


def test_lr_scan_grows_past_an_edge_and_the_rule_recovers_a_known_power_law():
    from chinchilla_lib.train.sweep import LR_SCAN_GRID, LR_SCAN_MODELS, _lr_scan_plan, learning_rate_rule

    first = _lr_scan_plan(read_runs("/nonexistent"))
    assert len(first) == 2 * 3 * len(LR_SCAN_MODELS) and {c.budget for c in first} == {1e12}
    assert {c.seed for c in first} == {0, 1}
    # Losses exactly parabolic in ln lr with the vertex at lr*(d) = 6e-3 * (d / 32) ** -0.7: every scan grows
    # until its lowest loss is inside, and the fitted rule is that power law.
    def loss(c):
        best = 6e-3 * (c.shape.d_model / 32) ** -0.7
        return 2.0 + 0.05 * np.log(c.lr / best) ** 2

    done = pd.DataFrame(columns=["model", "lr", "seed", "loss"])
    for _ in range(10):
        wanted = _lr_scan_plan(done)
        # The seeds land 0.3 either side of the parabola, which side alternating along the grid: only their
        # mean is the parabola, and one seed alone would put the best rate elsewhere.
        def noisy(c):
            k = int(round(np.log2(c.lr / LR_SCAN_GRID[0])))
            return loss(c) + 0.3 * (-1) ** k * (1 if c.seed == 0 else -1)

        rows = [{"model": c.model, "lr": c.lr, "seed": c.seed, "loss": noisy(c), "d_model": c.shape.d_model,
                 "steps": c.steps, "n_sequences": c.n_sequences} for c in wanted]
        done = pd.DataFrame(rows)
    assert len(_lr_scan_plan(done)) == len(done)
    rule = learning_rate_rule(done)
    assert rule.exponent == pytest.approx(-0.7, abs=1e-9) and rule.lr_32 == pytest.approx(6e-3, rel=1e-9)
    assert rule.lr(64) == pytest.approx(6e-3 * 2 ** -0.7)
    assert rule.for_model("g07") == pytest.approx(6e-3 * 2 ** -0.7)  # scanned: its own vertex
    assert rule.for_model("g12") == pytest.approx(6e-3 * 4 ** -0.7)  # width 128, not scanned: the power law
    assert rule.for_model("g00") == pytest.approx(6e-3 * 0.5 ** -0.7)  # width 16 like g01: g01's rate
    assert set(rule.best["best_lr"].round(12)) <= set(np.round([6e-3 * (d / 32) ** -0.7 for d in (16, 24, 32, 48, 64, 80)], 12))
    assert min(LR_SCAN_GRID) < rule.best["best_lr"].min() and rule.best["best_lr"].max() < max(LR_SCAN_GRID)
    # Keep only rates below g01's best: its lowest loss is then at the top of what it tried.
    cut = done[(done["model"] != "g01") | (done["lr"] < 6e-3 * 0.5 ** -0.7)]
    with pytest.raises(ValueError, match="edge of its rates"):
        learning_rate_rule(cut)


def test_no_torch_without_training():
    # Importing the library, every module outside the training code and the train package's face
    # (settings, sweep plans, the command's parser) must not import torch.
    modules = sorted({".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                      for p in (ROOT / "chinchilla_lib").rglob("*.py")}
                     - {"chinchilla_lib.train.model", "chinchilla_lib.train.loop", "chinchilla_lib.__main__"})
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from chinchilla_lib.cli import build_parser; build_parser()\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_sweep_files_are_named_by_sweep(tmp_path):
    runs, curves = sweep_paths("lr-tune", tmp_path)
    assert runs.name == "tinygpt_lr_tune_runs.csv" and curves.name == "tinygpt_lr_tune_curves.csv"
    assert read_runs(runs).columns.tolist() == RUN_COLUMNS
    assert read_curves(curves).columns.tolist() == CURVE_COLUMNS
    with pytest.raises(ValueError, match="sweep must be one of"):
        run_sweep("nope", out_dir=tmp_path)


@pytest.mark.parametrize("argv", [["train"], ["train", "--smoke", "--workers", "0"], ["train", "--sweep", "nope"],
                                  ["train", "--smoke", "--sweep", "isoflop"]])
def test_train_command_rejects_bad_input(argv, capsys):
    from chinchilla_lib.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_train_command_without_torch_says_how_to_install(monkeypatch, capsys):
    import chinchilla_lib.train as train
    from chinchilla_lib.cli import main

    monkeypatch.setattr(train, "torch_available", lambda: False)
    assert main(["train", "--smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "chinchilla_lib[train]" in err


def test_train_without_torch_says_how_to_install_the_cpu_build():
    assert 'train = ["torch==2.13.0"]' in (ROOT / "pyproject.toml").read_text()  # the pin the message names
    code = ("import sys; sys.modules['torch'] = None\n"
            "from chinchilla_lib.cli import main; sys.exit(main(['train', '--smoke']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("python -m chinchilla_lib train: error: train needs torch, which is not installed: "
                           "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu, then "
                           "pip install 'chinchilla_lib[train]'\n")


def test_prediction_sweep_needs_a_committed_prediction(tmp_path, monkeypatch):
    from chinchilla_lib.train import sweep

    monkeypatch.setattr(sweep, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="commit a prediction"):
        sweep.SWEEPS["prediction"].plan(read_runs("/nonexistent"))


# --- training (torch) --------------------------------------------------------------------------

torch = pytest.importorskip("torch")


def test_model_parameters_match_the_count():
    from chinchilla_lib.train.model import GPT

    for name in ("g00", "g03", "g07"):
        shape = shape_of(name)
        assert sum(p.numel() for p in GPT(shape).parameters()) == gpt_parameter_counts(shape)["total"]
    assert sum(p.numel() for p in GPT(shape_of("g03")).parameters()) == G03_TOTAL


def test_model_is_causal():
    from chinchilla_lib.train.model import GPT

    torch.manual_seed(0)
    model = GPT(shape_of("g01")).eval()
    x = torch.randint(0, 256, (1, 16))
    y = x.clone()
    y[0, 10] = (y[0, 10] + 1) % 256
    with torch.no_grad():
        a, b = model(x), model(y)
    assert torch.equal(a[0, :10], b[0, :10]) and not torch.equal(a[0, 10:], b[0, 10:])


def test_learning_rate_schedule():
    from chinchilla_lib.train.loop import learning_rate

    matched = RunConfig(model="g01", steps=1000, batch=1, lr=1e-3)
    assert learning_rate(matched, 0) == pytest.approx(1e-3 / 20)
    assert learning_rate(matched, 19) == pytest.approx(1e-3)
    assert learning_rate(matched, 999) == pytest.approx(1e-4, rel=1e-4)
    # Half way through the decay the cosine is at its midpoint: 0.1 + 0.9 / 2 of the peak.
    assert learning_rate(matched, 20 + 490) == pytest.approx(1e-3 * 0.55)
    fixed = matched.with_(schedule_steps=4020, warmup=20)
    assert learning_rate(fixed, 999) > 0.8e-3
    assert learning_rate(fixed, 19) == learning_rate(matched, 19)


def _tiny(seed=0, **changes):
    return RunConfig(model="g00", steps=12, batch=2, lr=3e-3, seed=seed, eval_steps=(6,), **changes)


def test_training_is_deterministic_and_learns():
    from chinchilla_lib.train.loop import train_run

    a, b, c = train_run(_tiny()), train_run(_tiny()), train_run(_tiny(seed=1))
    assert a["loss"] == b["loss"] and [p["loss"] for p in a["curve"]] == [p["loss"] for p in b["curve"]]
    assert a["loss"] != c["loss"]
    assert a["loss"] < math.log(256)  # better than uniform over bytes
    assert [p["step"] for p in a["curve"]] == [6, 12]
    assert a["n_tokens"] == 12 * 2 * 128 and a["flops"] == a["n_tokens"] * a["flops_per_token"]
    spread = train_run(_tiny(n_sequences=30))
    assert spread["n_tokens"] == 30 * 128 and spread["curve"][0]["n_tokens"] == 15 * 128
    assert a["corpus_sha256"] == "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"


def _tiny_plan(done):
    return [_tiny(seed=s) for s in (0, 1, 2)]


def test_sweep_resumes_and_never_reruns(tmp_path):
    lines = []
    first = run_sweep("toy", workers=1, out_dir=tmp_path, planner=_tiny_plan, log=lines.append, limit=1)
    assert len(first) == 1 and len(lines) == 1  # interrupted after one run
    both = run_sweep("toy", workers=2, out_dir=tmp_path, planner=_tiny_plan, log=lines.append)
    assert len(both) == 3 and len(lines) == 3  # resumed: two new runs
    again = run_sweep("toy", workers=1, out_dir=tmp_path, planner=_tiny_plan, log=lines.append)
    assert len(lines) == 3 and again["key"].tolist() == both["key"].tolist()
    curves = read_curves(sweep_paths("toy", tmp_path)[1], again)
    assert len(curves) == 6 and set(curves["key"]) == set(again["key"])
    assert (again["corpus_sha256"] == "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be").all()
    assert first["loss"].iloc[0] == again.set_index("key").loc[first["key"].iloc[0], "loss"]


def test_sweep_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    from chinchilla_lib.train.loop import train_run

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        runs = run_sweep("toy", scheduler=cluster.scheduler_address, out_dir=tmp_path, planner=_tiny_plan, log=None)
    assert len(runs) == 3
    local = train_run(_tiny(seed=2))
    assert runs.set_index("seed").loc[2, "loss"] == local["loss"]


def test_smoke_grid_reproduces_the_committed_runs(capsys):
    from chinchilla_lib.cli import main

    assert main(["train", "--smoke", "--json"]) == 0
    ours = pd.DataFrame(json.loads(capsys.readouterr().out)["runs"])
    committed = read_runs(ROOT / "chinchilla_lib" / "data" / "tinygpt_smoke_runs.csv")
    committed = committed.sort_values(["budget", "n_params", "seed", "schedule"]).reset_index(drop=True)
    assert len(ours) == len(committed) == len(SWEEPS["smoke"].plan(committed))
    for column in ("model", "n_params", "n_tokens", "steps", "batch", "lr", "flops"):
        assert ours[column].tolist() == committed[column].tolist(), column  # settings: always exact
    import torch

    platform = json.loads((ROOT / "chinchilla_lib" / "data" / "tinygpt_smoke_platform.json").read_text())
    same = (torch.backends.cpu.get_cpu_capability() == platform["cpu_capability"]
            and torch.__version__ == platform["torch_version"])
    if same:  # same kernels, one thread, same seed: bit for bit
        assert ours["loss"].tolist() == committed["loss"].tolist()
    else:
        # Other SIMD kernels round differently, and 200 steps of batches of 1 to 8 sequences carry the
        # difference on: measured up to 0.5% on AVX-512 against these AVX2 runs (also with torch held
        # to its AVX2 kernels). A 1% tolerance still tells the runs apart from another seed's, which
        # moves at least one of the six by more than 10% (seeds 1 and 2, measured).
        np.testing.assert_allclose(ours["loss"], committed["loss"], rtol=1e-2)


def test_plan_run_warms_up_over_a_tenth_and_the_first_grid_over_a_fiftieth():
    from chinchilla_lib.train.sweep import FIRST_WARMUP_DIVISOR, warmup_check

    assert plan_run("g01", 1e12).warmup == plan_run("g01", 1e12).steps // 10
    assert plan_run("g01", 1e12, warmup_divisor=FIRST_WARMUP_DIVISOR).warmup == plan_run("g01", 1e12).steps // 50
    runs = pd.DataFrame({"warmup": [20, 20, 100, 100], "seed": [0, 1, 0, 1], "loss": [2.2, 2.4, 2.11, 2.12]})
    table = warmup_check(runs).set_index("warmup")
    assert table["gap"].to_dict() == pytest.approx({20: 0.2, 100: 0.01})
