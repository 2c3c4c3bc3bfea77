"""Training windows: the first grids' draws with replacement kept as they were, disjoint windows read once,
the new settings in a run's key only when they differ from the first grids', and the 6 N D count."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from chinchilla_lib.train.config import RunConfig, accounted_flops_per_token, plan_run, shape_of
from chinchilla_lib.train.sampling import batch_starts, batch_windows, max_disjoint_sequences

# g03 counted by hand in test_train.py: 25472 non-embedding + 8192 token + 4096 position parameters.
G03_TOTAL = 37760


def _run(**changes) -> RunConfig:
    # 7 steps, 45 sequences spread as 6 or 7 a step (edges k * 45 // 7: 0 6 12 19 25 32 38 45)
    return RunConfig(model="g00", steps=7, batch=6, lr=1e-3, seed=5, n_sequences=45, **changes)


def test_uniform_draws_are_the_first_grids_draws():
    # The first grids drew each step's starts with one call, rng.integers(0, n - seq_len - 1, size), from a
    # PCG64 generator seeded with the run's seed; one draw of all 45 at once gives other numbers.
    n_bytes = 10_000
    rng = np.random.default_rng(5)
    expected = [rng.integers(0, n_bytes - 128 - 1, size=k) for k in (6, 6, 7, 6, 7, 6, 7)]
    got = list(batch_starts(_run(), n_bytes))
    assert [len(s) for s in got] == [6, 6, 7, 6, 7, 6, 7]
    assert all((a == b).all() for a, b in zip(got, expected))
    assert max(s.max() for s in got) <= n_bytes - 130  # the last window ends on the byte before last
    with pytest.raises(ValueError, match=r"n_bytes must be at least seq_len \+ 2 = 130, got 129"):
        next(batch_starts(_run(), 129))


def test_disjoint_windows_predict_no_byte_twice_and_refuse_a_second_epoch():
    # 45 windows of 129 bytes need 45 * 128 + 1 = 5761 bytes: exactly one epoch.
    n_bytes = 45 * 128 + 1
    assert max_disjoint_sequences(n_bytes, 128) == 45 and max_disjoint_sequences(n_bytes - 1, 128) == 44
    run = _run(sampler="disjoint")
    steps = list(batch_starts(run, n_bytes))
    assert [len(s) for s in steps] == [6, 6, 7, 6, 7, 6, 7]
    starts = np.concatenate(steps)
    targets = (starts[:, None] + np.arange(1, 129)).ravel()
    assert sorted(targets.tolist()) == list(range(1, n_bytes))  # every byte after the first, once
    again = np.concatenate(list(batch_starts(run, n_bytes)))
    other = np.concatenate(list(batch_starts(run.with_(seed=6), n_bytes)))
    assert (again == starts).all() and not (other == starts).all()
    with pytest.raises(ValueError, match=r"n_sequences must be at most 44 .* got 45") as exc:
        next(batch_starts(run, n_bytes - 1))
    assert "\n" not in str(exc.value)


def test_a_batch_is_widened_alone():
    train = np.arange(300, dtype=np.uint16).astype(np.uint8)  # 0..255, 0..43
    windows = batch_windows(train, np.array([0, 250]), seq_len=7)
    assert windows.dtype == np.int64 and windows.shape == (2, 8)
    assert windows[0].tolist() == list(range(8)) and windows[1].tolist() == [250, 251, 252, 253, 254, 255, 0, 1]
    assert train.dtype == np.uint8


def test_new_settings_leave_the_first_grids_keys_alone():
    run = plan_run("g03", 1e12)
    # The key as it was computed before the sampler and the accounting were settings: every set setting.
    old = {k: v for k, v in run.as_dict().items() if v is not None and k not in ("sampler", "accounting")}
    assert run.key() == hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:16]
    assert run.sampler == "uniform" and run.accounting == "appendix-f"
    assert len({run.key(), run.with_(sampler="disjoint").key(), run.with_(accounting="6nd").key()}) == 3
    for key, value in (("sampler", "shuffled"), ("accounting", "6n")):
        with pytest.raises(ValueError, match=f"^{key} must be one of") as exc:
            run.with_(**{key: value})
        assert "\n" not in str(exc.value)


def test_the_committed_sweeps_keep_their_keys():
    # The sweeps whose settings do not go through the fitted learning-rate rule: their planners, given their
    # committed rows, want no run that is not one of those rows (isoflop-small: two fixed-schedule runs of
    # its largest budget were never trained).  The rule's rates differ in their last bits between machines,
    # so the sweeps planned with it (isoflop, warmup-check) are left out here.
    from chinchilla_lib.train.sweep import SWEEPS, read_runs, sweep_paths

    for name in ("lr-scan", "lr-tune", "smoke", "isoflop-small"):
        done = read_runs(sweep_paths(name)[0])
        wanted = {c.key() for c in SWEEPS[name].plan(done)}
        if name == "isoflop-small":
            assert set(done["key"]) <= wanted and len(wanted) == len(done) + 2
        else:
            assert wanted <= set(done["key"]), name


def test_a_budget_counted_as_6nd():
    assert accounted_flops_per_token(shape_of("g03"), "6nd") == 6 * G03_TOTAL
    run = plan_run("g03", 1e12, accounting="6nd")
    # 1e12 / (6 * 37760) = 4,413,842.5 tokens = 34,483.1 sequences of 128 -> 34,483
    assert run.n_sequences == 34483 and run.flops_per_token == 226560
    assert plan_run("g03", 1e12).n_sequences == round(1e12 / 348672 / 128)  # Appendix F: 22,406 sequences
    with pytest.raises(ValueError, match="^accounting must be one of"):
        plan_run("g03", 1e12, accounting="kaplan")


# --- training (torch) --------------------------------------------------------------------------

torch = pytest.importorskip("torch")


class _NoWholeCopy(np.ndarray):
    """A training split that refuses to be converted whole (a batch of it, far smaller, may be)."""

    whole = 0  # bytes of the split

    def astype(self, dtype, *args, **kwargs):
        if self.size >= self.whole:
            raise AssertionError("the whole training split was converted")
        return np.asarray(self).astype(dtype, *args, **kwargs)


def test_a_disjoint_run_records_its_epochs_and_never_widens_the_split(monkeypatch):
    import dataclasses

    from chinchilla_lib.datasets.corpus import load_corpus
    from chinchilla_lib.train import loop

    real = load_corpus("shakespeare")
    monkeypatch.setattr(_NoWholeCopy, "whole", real.train.size)
    guarded = dataclasses.replace(real, train=real.train.view(_NoWholeCopy))
    monkeypatch.setattr(loop, "load_corpus", lambda name: guarded)
    run = RunConfig(model="g00", steps=12, batch=2, lr=3e-3, eval_steps=(6,), sampler="disjoint", accounting="6nd")
    result = loop.train_run(run)
    # 12 steps x 2 sequences x 128 = 3072 tokens of a 4,576,978-byte split
    assert result["n_tokens"] == 3072 and result["train_bytes"] == real.train.size == 4576978
    assert result["epochs"] == 3072 / 4576978
    assert result["flops"] == 3072 * 6 * 9456 and result["curve"][0]["flops"] == 1536 * 6 * 9456
    assert result["flops_per_token"] == 93312  # the Appendix F count is kept for throughput
    assert loop.train_run(run)["loss"] == result["loss"]  # one thread, one seed: the same run
    with pytest.raises(AssertionError, match="the whole training split was converted"):
        guarded.train.astype(np.int64)
