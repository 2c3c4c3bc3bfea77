"""A stopped or killed sweep leaves no worker behind, and resumes without losing or repeating a run.

``train`` ends its workers on SIGINT and SIGTERM, and its workers end by themselves when it is
killed (SIGKILL): the kernel's parent-death signal on Linux, and a thread watching the parent.
Processes are read from /proc, so these tests run on Linux only.  Children that have ended but
are not reaped (zombies, whose parent is gone) count as ended.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from smoke_copies import lines, smoke_copy

from chinchilla_lib.train.files import read_curves
from chinchilla_lib.train.sweep import sweep_paths

ROOT = Path(__file__).resolve().parents[2]
PROG = "python -m chinchilla_lib"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _threads(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _wait_gone(pids, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _kill_all(pids) -> None:
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("mechanism", ["prctl", "thread"])
def test_a_worker_ends_when_its_parent_is_killed(mechanism):
    # A stand-in worker (B) set up as the pool sets up its workers, by a parent (A) that is then killed:
    # with prctl alone (the watching thread not started), or with the thread alone (no prctl).
    disable = ("import threading; threading.Thread.start = lambda self: None" if mechanism == "prctl"
               else "sys.platform = 'other'")
    worker = ("import os, sys, time\n"
              "from chinchilla_lib.train import pool\n"
              "pool._PARENT_CHECK_SECONDS = 0.05\n"
              f"{disable}\n"
              "pool._worker_start(os.getppid())\n"
              "print('ready', flush=True); time.sleep(60)")
    parent = ("import subprocess, sys, time\n"
              f"b = subprocess.Popen([sys.executable, '-c', {worker!r}], stdout=subprocess.PIPE, text=True)\n"
              "assert b.stdout.readline() == 'ready\\n'\n"
              "print(b.pid, flush=True); time.sleep(60)")
    a = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        b = int(a.stdout.readline())
        assert _alive(b)
        a.kill()
        a.wait(10)
        assert _wait_gone([b], 5) == []
    finally:
        a.kill()
        a.wait(10)
        _kill_all([b] if "b" in locals() else [])


def test_a_worker_whose_parent_is_already_gone_ends_at_once():
    code = "from chinchilla_lib.train import pool; pool._worker_start(1); import time; time.sleep(60)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=30)
    assert done.returncode == 1  # os._exit(1): pid 1 is not its parent


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("how, code, said", [
    (signal.SIGKILL, -9, None),
    (signal.SIGTERM, 128 + 15, "stopped by SIGTERM"),
    (signal.SIGINT, 128 + 2, "stopped by SIGINT"),
])
def test_stopping_train_leaves_no_worker_behind(tmp_path, how, code, said):
    # `train --smoke --workers 2`, stopped as soon as both workers are set up (past the pool's set-up of
    # each worker, which starts a second thread): its children (two workers and multiprocessing's
    # resource tracker) all end within a few seconds.
    train = subprocess.Popen([sys.executable, "-m", "chinchilla_lib", "train", "--smoke", "--workers", "2", "--json",
                              "--out", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    children = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            children = _children(train.pid)
            workers = [p for p in children if b"spawn_main" in _cmdline(p)]
            if len(workers) == 2 and all(_threads(p) >= 2 for p in workers):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"train started no two workers in 60 s: children {children}")
        train.send_signal(how)
        out, err = train.communicate(timeout=30)
        assert train.returncode == code
        assert _wait_gone(children, 5) == []
        if said is not None:
            assert out == "" and err == f"{PROG} train: {said}; the finished runs are in " \
                f"{sweep_paths('smoke', tmp_path)[0]}: the same command resumes\n"
    finally:
        train.kill()
        train.communicate(timeout=30)
        _kill_all(children)


def test_a_sweep_killed_mid_run_and_mid_write_resumes_without_losing_or_repeating_a_run(tmp_path):
    # The smoke sweep with five of its six runs finished (the committed files without g01 at 1e10, their
    # line 3 and curve rows 5-7): `train` is killed while it trains that run; then, as if the kill had
    # come part-way through its writes, its curve rows are appended whole and its row half.
    from chinchilla_lib.train.sweep import run_sweep

    runs, curves, original, original_curves = smoke_copy(tmp_path)
    rows, curve_rows = lines(original), lines(original_curves)
    missing, its_curves = rows[2], curve_rows[4:7]
    key = missing.split(b",")[1]
    assert {r.split(b",")[1] for r in its_curves} == {key} and missing.split(b",")[2] == b"g01"
    kept, kept_curves = rows[:2] + rows[3:], curve_rows[:4] + curve_rows[7:]
    runs.write_bytes(b"\n".join(kept) + b"\n")
    curves.write_bytes(b"\n".join(kept_curves) + b"\n")

    train = subprocess.Popen([sys.executable, "-m", "chinchilla_lib", "train", "--sweep", "smoke", "--workers", "1",
                              "--out", str(tmp_path), "--json"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(b"spawn_main" in _cmdline(p) and _threads(p) >= 2 for p in _children(train.pid)):
            assert time.monotonic() < deadline, "train started no worker in 60 s"
            time.sleep(0.05)
        train.kill()
    finally:
        train.kill()
        train.wait(30)
    assert runs.read_bytes() == b"\n".join(kept) + b"\n"  # the run in flight wrote nothing
    curves.write_bytes(curves.read_bytes() + b"\n".join(its_curves) + b"\n")
    runs.write_bytes(runs.read_bytes() + missing[:len(missing) // 2])

    with pytest.warns(UserWarning) as caught:
        done = run_sweep("smoke", workers=1, out_dir=tmp_path, log=None)
    said = [str(w.message) for w in caught]
    assert len(said) == 2 and all("set aside" in m for m in said)
    assert Path(f"{runs}.torn").read_bytes() == missing[:len(missing) // 2]
    assert Path(f"{curves}.torn").read_bytes() == b"\n".join(its_curves) + b"\n"
    assert sorted(done["key"]) == sorted(r.split(b",")[1].decode() for r in rows[1:])
    # The five finished runs kept byte for byte, the sixth trained once more with the same settings (the 26
    # fields from the sweep's name to eval_steps), every line whole.
    resumed = lines(runs.read_bytes())
    assert resumed[:6] == kept and len(resumed) == 7
    assert resumed[6].split(b",")[:26] == missing.split(b",")[:26]
    assert runs.read_bytes().endswith(b"\n") and {len(line.split(b",")) for line in resumed} == {44}
    curve_lines = lines(curves.read_bytes())
    assert curve_lines[:16] == kept_curves and len(curve_lines) == 1 + 18
    assert [r.split(b",")[:7] for r in curve_lines[16:]] == [r.split(b",")[:7] for r in its_curves]  # ..., step
    assert read_curves(curves).duplicated(["key", "step"]).sum() == 0
