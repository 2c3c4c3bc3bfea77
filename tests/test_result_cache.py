"""The scorecard rows shared by the chapters of one build: exact, keyed by the inputs, off unless asked for."""

from __future__ import annotations

import pandas as pd
import pytest

from chinchilla_lib import checks, result_cache
from chinchilla_lib.checks import Check

ROWS = [Check("a.one", "a third", 1 / 3, "here", 0.1 + 0.2, 0.05),
        Check("a.two", "tiny", 6.02e-23, "there", 6.0200000000000001e-23, 1e-3, relative=True, note="n"),
        Check("b.self", "self", 2.0, "code", 2.0, 0.5, self_check=True, explained_in="approach3")]


class FakeChapter:
    """Stands for a module of ``checks.CHAPTERS``: a name and a ``checks()`` that records each call."""

    def __init__(self, short, rows, calls):
        self.__name__, self._rows, self._calls = f"chinchilla_lib.checks.{short}", rows, calls

    def checks(self):
        self._calls.append(self.__name__.rsplit(".", 1)[-1])
        return self._rows


@pytest.fixture
def counted(monkeypatch):
    calls = []  # one entry per chapter computed: "a" or "b"
    monkeypatch.setattr(checks, "CHAPTERS", (FakeChapter("a", ROWS[:2], calls), FakeChapter("b", ROWS[2:], calls)))
    monkeypatch.setattr(checks, "_PREFETCH", ())
    monkeypatch.setattr(result_cache, "inputs_digest", lambda: "digest-1")
    return calls


def test_without_the_variable_every_call_computes(counted, monkeypatch):
    monkeypatch.delenv(result_cache.CACHE_ENV, raising=False)
    first, second = checks.scorecard(), checks.scorecard("a.")
    assert counted == ["a", "b", "a", "b"] and list(second["id"]) == ["a.one", "a.two"] and len(first) == 3
    assert list(checks.scorecard(by_chapter=True)["chapter"]) == ["a", "a", "b"]


def test_the_cache_gives_back_the_same_table_exactly(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    fresh = checks.scorecard()
    cached = checks.scorecard()
    assert counted == ["a", "b"] and {p.name for p in tmp_path.glob("*.json")} == {"scorecard-a-digest-1.json",
                                                                                  "scorecard-b-digest-1.json"}
    pd.testing.assert_frame_equal(fresh, cached, check_exact=True)
    assert cached.loc[0, "ours"] == 0.1 + 0.2 and cached.loc[0, "reference"] == 1 / 3
    pd.testing.assert_frame_equal(checks.scorecard("b."), fresh[fresh["id"] == "b.self"].reset_index(drop=True))


def test_changed_inputs_or_a_damaged_file_compute_again(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    checks.scorecard()
    monkeypatch.setattr(result_cache, "inputs_digest", lambda: "digest-2")
    checks.scorecard()
    assert counted == ["a", "b", "a", "b"]
    (tmp_path / "scorecard-b-digest-2.json").write_text("{not json")
    checks.scorecard()
    assert counted == ["a", "b", "a", "b", "b"] and not list(tmp_path.glob("*.tmp"))


def test_duplicate_ids_across_chapters_are_refused(counted, monkeypatch):
    monkeypatch.setattr(checks, "CHAPTERS", checks.CHAPTERS + (FakeChapter("c", ROWS[:1], counted),))
    with pytest.raises(RuntimeError, match=r"^duplicate scorecard ids: \['a.one'\]$"):
        checks.scorecard()


def test_the_digest_changes_with_the_data(monkeypatch, tmp_path):
    import shutil

    from chinchilla_lib.datasets import paper_tables

    before = result_cache.inputs_digest()
    assert before == result_cache.inputs_digest() and len(before) == 64
    copy = tmp_path / "data"
    shutil.copytree(paper_tables.DATA_DIR, copy)
    monkeypatch.setattr(paper_tables, "DATA_DIR", copy)
    assert result_cache.inputs_digest() == before  # the same content in another folder
    (copy / "laws.csv").write_text((copy / "laws.csv").read_text().replace("0.34", "0.35", 1))
    assert result_cache.inputs_digest() != before


# ---------------------------------------------------------------- any result shared by one build's processes
def test_shared_result_computes_each_call_once_per_build(monkeypatch, tmp_path):
    calls = []

    @result_cache.shared_result
    def slow(k, scale="mean"):
        calls.append((k, scale))
        return pd.DataFrame({"k": [k], "scale": [scale], "third": [1 / 3]})

    monkeypatch.delenv(result_cache.CACHE_ENV, raising=False)
    slow(1), slow(1)
    assert len(calls) == 2  # unset: nothing is stored
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    first = slow(1)
    pd.testing.assert_frame_equal(slow(1), first, check_exact=True)
    assert len(calls) == 3 and slow(1).loc[0, "third"] == 1 / 3
    slow(2), slow(1, scale="max")  # other arguments are other results
    assert calls[3:] == [(2, "mean"), (1, "max")] and len(list(tmp_path.glob("*.pickle"))) == 3
    for path in tmp_path.glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    slow(1)
    assert len(calls) == 6 and not list(tmp_path.glob("*.tmp"))


def test_shared_refuses_an_unknown_codec():
    with pytest.raises(ValueError, match=r"^codec must be 'pickle' or 'json', got 'yaml'$"):
        result_cache.shared("x", dict, codec="yaml")


def test_shared_all_computes_first_what_no_other_process_holds(monkeypatch, tmp_path):
    # Another process holds "one": this one computes "two" first, then waits for "one" and reads it.
    import fcntl
    import threading

    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(result_cache, "inputs_digest", lambda: "d")
    order = []
    lock = open(tmp_path / "one-d.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)

    def release():  # the "other process" stores its result, then lets go
        (tmp_path / "one-d.json").write_text("[1]")
        fcntl.flock(lock, fcntl.LOCK_UN)

    def two():
        order.append("two")
        threading.Timer(0.2, release).start()
        return [2]

    got = result_cache.shared_all([("one", lambda: order.append("one") or [9]), ("two", two)], codec="json")
    lock.close()
    assert got == [[1], [2]] and order == ["two"]


def test_two_processes_compute_a_shared_result_once(tmp_path):
    # The second process waits for the first one's result instead of computing it again.
    import os
    import subprocess
    import sys
    from pathlib import Path

    log = tmp_path / "computed.txt"
    code = ("import time\nfrom chinchilla_lib import result_cache\n"
            f"def work():\n    open({str(log)!r}, 'a').write('x')\n    time.sleep(1.0)\n    return 42\n"
            "print(result_cache.shared('two-processes', work))\n")
    env = dict(os.environ, CHINCHILLA_LIB_CACHE=str(tmp_path / "cache"),
               PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    runs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert outputs == ["42", "42"] and log.read_text() == "x"
