"""Results shared by the processes of one build: exact, keyed by the inputs, off unless asked for, stored as data
that cannot run code when read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
    assert calls[3:] == [(2, "mean"), (1, "max")] and len(list(tmp_path.glob("*.json"))) == 3
    for path in tmp_path.glob("*.json"):
        path.write_bytes(b"not json")
    slow(1)
    assert len(calls) == 6 and not list(tmp_path.glob("*.tmp"))


def test_shared_refuses_an_unknown_codec():
    with pytest.raises(ValueError, match=r"^codec must be 'json', got 'yaml'$"):
        result_cache.shared("x", dict, codec="yaml")


@pytest.mark.parametrize("call", [lambda: result_cache.shared("x", dict, codec="pickle"),
                                  lambda: result_cache.shared_all([("x", dict)], codec="pickle")])
def test_pickle_is_refused_whether_or_not_the_cache_is_on(call, monkeypatch, tmp_path):
    for folder in (None, tmp_path):
        if folder is None:
            monkeypatch.delenv(result_cache.CACHE_ENV, raising=False)
        else:
            monkeypatch.setenv(result_cache.CACHE_ENV, str(folder))
        with pytest.raises(ValueError, match=r"^codec 'pickle' is no longer accepted \(a pickle can run code when "
                                             r"read\); .* use codec='json'$"):
            call()
    assert not list(tmp_path.iterdir())


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


# ---------------------------------------------------------------- a stored file is data: it never runs code
def _cache(monkeypatch, tmp_path):
    """Turn the cache on in ``tmp_path`` with a fixed digest; the path a result named ``name`` is stored at."""
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(result_cache, "inputs_digest", lambda: "d")
    return lambda name: tmp_path / f"{name}-d.json"


def _pickle_that_creates(marker) -> bytes:
    import pickle

    class Payload:
        def __reduce__(self):  # unpickling calls open(marker, "w"): the file appears
            return open, (str(marker), "w")

    return pickle.dumps(Payload())


def test_the_pickle_payload_of_these_tests_does_run_when_unpickled(tmp_path):
    # The checks below mean something only if their pickle would have run code.
    import pickle

    pickle.loads(_pickle_that_creates(tmp_path / "ran"))
    assert (tmp_path / "ran").exists()


def test_a_pickle_in_the_folder_is_never_loaded_and_the_result_is_computed_again(monkeypatch, tmp_path):
    path = _cache(monkeypatch, tmp_path / "cache")
    marker = tmp_path / "ran"
    path("r").parent.mkdir()
    path("r").write_bytes(_pickle_that_creates(marker))
    (tmp_path / "cache" / "r-d.pickle").write_bytes(_pickle_that_creates(marker))  # where pickles used to be
    calls = []
    assert result_cache.shared("r", lambda: calls.append(1) or {"a": 1.5}) == {"a": 1.5}
    assert calls == [1] and not marker.exists()
    assert path("r").read_text() == '{"$":"dict","items":[["a",1.5]]}'  # replaced by the computed result
    assert result_cache.shared("r", lambda: calls.append(1) or {"a": 0.0}) == {"a": 1.5} and calls == [1]


@pytest.mark.parametrize("text", [
    '{"$":"object","class":"os.system","fields":{"command":"touch MARKER"}}',
    '{"$":"object","class":"posix.system","fields":{"command":"touch MARKER"}}',
    '{"$":"os.system","items":["touch MARKER"]}',
    '{"$":"object","class":"builtins.open","fields":{"file":"MARKER","mode":"w"}}',
    '{"$":"tuple","items":[{"$":"object","class":"subprocess.Popen","fields":{"args":["touch","MARKER"]}}]}',
    # an object array read from raw bytes would be pointers: refused
    '{"$":"ndarray","dtype":"|O","shape":[1],"bytes":"AAAAAAAAAAA="}',
    # a marked class with other fields than its own
    '{"$":"object","class":"chinchilla_lib.approaches.run_grid.GridResult","fields":{"a":1.0}}',
    '{"$":"float","bits":"7ff8"}',
    '{"$":"tuple","items":[1,2],"extra":0}',
    '{"$":"dict","items":[[1,2,3]]}',
    '{"$":"ndarray","dtype":"<f8","shape":[2],"bytes":"AAAAAAAA8D8="}',  # one float for a shape of two
    '[1, NaN]',
    '{"$":"tuple","items":[1,',  # cut short
])
def test_a_foreign_or_damaged_file_is_computed_again_and_runs_nothing(text, monkeypatch, tmp_path):
    import chinchilla_lib.approaches.run_grid  # noqa: F401 (its result class is marked)

    path = _cache(monkeypatch, tmp_path / "cache")
    marker = tmp_path / "ran"
    path("r").parent.mkdir()
    path("r").write_text(text.replace("MARKER", str(marker)))
    calls = []
    assert result_cache.shared("r", lambda: calls.append(1) or (1, 2)) == (1, 2)
    assert calls == [1] and not marker.exists()
    assert path("r").read_text() == '{"$":"tuple","items":[1,2]}'


# ---------------------------------------------------------------- values come back exactly, with their types
def _same(a, b):
    """Equal in type, dtype, shape, names and the bits of every float (recursively)."""
    import dataclasses
    import struct

    assert type(a) is type(b), (type(a), type(b))
    if type(a) is float:
        assert struct.pack(">d", a) == struct.pack(">d", b), (a, b)
    elif type(a) in (list, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif type(a) is dict:
        assert len(a) == len(b)
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):
            _same(ka, kb), _same(va, vb)
    elif type(a) is np.ndarray:
        assert (a.dtype.str, a.shape) == (b.dtype.str, b.shape)
        if a.dtype == object:
            for x, y in zip(a.ravel(), b.ravel()):
                _same(x, y)
        else:
            assert a.tobytes() == b.tobytes()
    elif isinstance(a, np.generic):
        assert (a.dtype.str, a.tobytes()) == (b.dtype.str, b.tobytes())
    elif isinstance(a, (pd.DataFrame, pd.Series)):
        check = pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame) else pd.testing.assert_series_equal
        check(a, b, check_exact=True, check_index_type=True, check_names=True, check_categorical=True)
        assert a.attrs == b.attrs
        frame_a, frame_b = (x.to_frame() if isinstance(x, pd.Series) else x for x in (a, b))
        for i in range(frame_a.shape[1]):
            col_a, col_b = frame_a.iloc[:, i], frame_b.iloc[:, i]
            assert col_a.dtype == col_b.dtype
            if col_a.dtype.kind in "fc":
                _same(col_a.to_numpy(), col_b.to_numpy())  # NaN signs and -0.0 too
            elif col_a.dtype == object:
                _same(list(col_a), list(col_b))
        for ia, ib in ((a.index, b.index), (frame_a.columns, frame_b.columns)):
            pd.testing.assert_index_equal(ia, ib, exact=True, check_names=True, check_exact=True)
    elif dataclasses.is_dataclass(a):
        assert vars(a).keys() == vars(b).keys()
        for key in vars(a):
            _same(getattr(a, key), getattr(b, key))
    else:
        assert a == b, (a, b)


def _read_back(monkeypatch, tmp_path, make):
    """``make()`` stored by one call and read back by a second one that cannot compute."""
    _cache(monkeypatch, tmp_path)
    first = result_cache.shared("v", make)

    def fail():
        raise AssertionError("the second call read nothing")

    second = result_cache.shared("v", fail)
    assert first is not second
    return second


NAN_NEGATIVE = -float("nan")  # the sign bit of a NaN is kept too

VALUES = {
    "floats": lambda: [0.1 + 0.2, -0.0, 0.0, float("nan"), NAN_NEGATIVE, float("inf"), -float("inf"), 5e-324,
                       1.7976931348623157e308, 1 / 3],
    "ints, bools, None, text": lambda: [0, -1, 2**63 - 1, -(2**63), 2**100, True, False, None, "", "é\n\"$\""],
    "tuples, lists and dicts": lambda: {"t": (1, (2.5,), ()), "l": [[1], []], (1, "k"): {2: None, 3.5: "x"},
                                        None: [(), {}], "$": {"$": "float"}},
    "numpy scalars": lambda: [np.int64(2**63 - 1), np.int64(-(2**63)), np.uint64(2**64 - 1), np.int8(-128),
                              np.float64(-0.0), np.float64("nan"), np.float32(0.1), np.float32("-inf"),
                              np.bool_(True), np.complex128(1 - 2j), np.str_("s")],
    "float arrays": lambda: [np.array([[0.1, -0.0, np.nan], [np.inf, -np.inf, 5e-324]], dtype=np.float32),
                             np.array([1 / 3, -0.0, np.nan]), np.array(2.5), np.zeros((0, 3)),
                             np.asfortranarray(np.arange(6.0).reshape(2, 3))],
    "other arrays": lambda: [np.array([2**63 - 1, -(2**63)], dtype=np.int64), np.array([True, False]),
                             np.array([0, 255], dtype=np.uint8), np.array(["ab", "c"]),
                             np.array(["2024-01-02"], dtype="datetime64[ns]"),
                             np.array([1, "a", None, 2.5, (1, 2), np.float32(3)], dtype=object)],
}


@pytest.mark.parametrize("name", list(VALUES))
def test_plain_and_numpy_values_come_back_exactly(name, monkeypatch, tmp_path):
    _same(_read_back(monkeypatch, tmp_path, VALUES[name]), VALUES[name]())


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame({
        "float": [0.1 + 0.2, -0.0, np.nan, np.inf],
        "float32": np.array([0.1, -0.0, np.nan, -np.inf], dtype=np.float32),
        "int": np.array([2**63 - 1, -(2**63), 0, 7], dtype=np.int64),
        "bool": [True, False, True, False],
        "text": pd.array(["a", None, "c", "d"], dtype=pd.StringDtype("python", na_value=np.nan)),
        "objects": pd.Series(["a", 1, None, 2.5], dtype=object),
        "category": pd.Categorical(["lo", "hi", "lo", None], categories=["lo", "hi"], ordered=True),
    }, index=pd.Index(["w", "x", "y", "z"], dtype=object, name="row"))
    frame.attrs["source"] = "hand-made"
    return frame


def _frames():
    multi = pd.DataFrame(np.arange(8.0).reshape(4, 2),
                         index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2)], names=["k", "n"]),
                         columns=pd.MultiIndex.from_tuples([("x", "mean"), ("x", "max")]))
    return {"columns": _frame(), "multiindex": multi, "empty": pd.DataFrame({"a": pd.Series([], dtype=float)}),
            "no columns": pd.DataFrame(index=pd.RangeIndex(2, 8, 3)),
            "series": pd.Series([1.5, np.nan], index=pd.Index([10, 20], name="i"), name="s"),
            "index": pd.Index([0.5, -0.0], name="x"), "categorical index": pd.CategoricalIndex(["b", "a", "b"]),
            "range index": pd.RangeIndex(0, 10, 2, name="r")}


@pytest.mark.parametrize("name", list(_frames()))
def test_pandas_values_come_back_exactly(name, monkeypatch, tmp_path):
    got, expected = _read_back(monkeypatch, tmp_path, lambda: _frames()[name]), _frames()[name]
    if isinstance(expected, pd.Index):
        pd.testing.assert_index_equal(got, expected, exact=True, check_names=True, check_exact=True)
    else:
        _same(got, expected)


def test_the_stored_text_of_hand_made_values():
    from chinchilla_lib.result_cache import codec

    assert codec.dumps([1.5, -0.0, float("nan"), -float("inf")]) == (
        b'[1.5,-0.0,{"$":"float","bits":"7ff8000000000000"},{"$":"float","bits":"fff0000000000000"}]')
    assert codec.dumps((1, "a")) == b'{"$":"tuple","items":[1,"a"]}'
    assert codec.dumps(np.int64(-1)) == b'{"$":"numpy","dtype":"<i8","bytes":"//////////8="}'
    assert codec.dumps(np.array([1.0], dtype=">f8")) == (
        b'{"$":"ndarray","dtype":">f8","shape":[1],"bytes":"P/AAAAAAAAA="}')
    # and hand-written text reads back as the values it names
    got = codec.loads(b'{"$":"tuple","items":[{"$":"float","bits":"8000000000000000"},'
                      b'{"$":"numpy","dtype":"<i8","bytes":"/////////38="},'
                      b'{"$":"ndarray","dtype":"<f4","shape":[2],"bytes":"AADAfwAAgD8="}]}')
    _same(got, (-0.0, np.int64(2**63 - 1), np.array([np.nan, 1.0], dtype=np.float32)))


# ---------------------------------------------------------------- the library's result classes
@result_cache.storable
@dataclass(frozen=True)
class _Marked:
    x: float
    parts: tuple
    frame: pd.DataFrame | None = None

    def __post_init__(self):  # changes a field: reading back must not run it again
        object.__setattr__(self, "x", self.x * 2)


@dataclass(frozen=True)
class _Unmarked:
    x: float


def test_a_marked_class_comes_back_as_stored_without_running_its_init(monkeypatch, tmp_path):
    got = _read_back(monkeypatch, tmp_path, lambda: _Marked(0.75, (_Marked(-0.0, ()),), _frame()))
    assert got.x == 1.5 and got.parts[0].x == -0.0
    _same(got, _Marked(0.75, (_Marked(-0.0, ()),), _frame()))


@pytest.mark.parametrize("make", [lambda: {1, 2}, lambda: [len], lambda: _Unmarked(1.0),
                                  lambda: {"a": pd.Timestamp("2024-01-01")},
                                  lambda: pd.Series(pd.array([1, None], dtype="Int64")),
                                  lambda: np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])])
def test_a_result_that_cannot_be_stored_is_computed_every_time(make, monkeypatch, tmp_path):
    from chinchilla_lib.result_cache import codec

    with pytest.raises(TypeError, match=r"cannot be stored$"):
        codec.dumps(make())
    _cache(monkeypatch, tmp_path)
    calls = []
    for _ in range(2):
        result_cache.shared("r", lambda: calls.append(1) or make())
    assert calls == [1, 1] and {p.suffix for p in tmp_path.iterdir()} == {".lock"}


def _grid_runs() -> pd.DataFrame:
    from chinchilla_lib.laws import ParametricLaw

    law = ParametricLaw(E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283)
    n, r = (a.ravel() for a in np.meshgrid(np.geomspace(2e7, 2e9, 7), np.geomspace(2, 400, 6)))
    loss = law.loss(n, n * r) * np.exp(0.004 * np.random.default_rng(1).standard_normal(n.size))
    return pd.DataFrame({"n_params": n, "n_tokens": n * r, "loss": loss})


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("approach", [1, 2, 3])
def test_the_results_the_book_stores_are_storable_and_come_back_exactly(approach):
    # The book stores grid_approach's GridResult (with its Approach 1, 2 or 3 fit) and fit_lbfgsb_grid's
    # LbfgsbGridFit; a field of a type the format does not hold would leave them computed by every chapter.
    from chinchilla_lib.approaches.parametric import lbfgsb, make_grid
    from chinchilla_lib.approaches.run_grid import grid_approach
    from chinchilla_lib.result_cache import codec

    runs = _grid_runs()
    result = grid_approach(runs, approach, n_resamples=20, seed=0)
    back = codec.loads(codec.dumps(result))
    _same(back, result)
    assert back.interval == result.interval and back.n_failed == result.n_failed
    if approach < 3:  # what the public-runs table reads of each kind of fit
        _same(back.fit.n_opt(1e21), result.fit.n_opt(1e21))
    else:
        _same(back.fit.plan(1e21)["tokens_per_param"], result.fit.plan(1e21)["tokens_per_param"])
        grid = make_grid(alpha=(0, 0.5), beta=(0, 0.5), e=(-1, 0), a=(0, 10), b=(0, 10))
        fit = lbfgsb.fit_lbfgsb_grid(*(runs[c].to_numpy() for c in runs), grid=grid)
        back = codec.loads(codec.dumps(fit))
        _same(back, fit)
        assert back.summary() == fit.summary() and back.best.start == fit.best.start


# ---------------------------------------------------------------- leftovers of killed writers
def test_leftovers_of_writers_that_are_gone_are_removed_on_the_next_write(monkeypatch, tmp_path):
    import fcntl

    _cache(monkeypatch, tmp_path)
    names = ["r-d.123.tmp",       # this result's own, left by a killed writer
             "other-d.456.tmp",   # another result's, its lock free: its writer is gone
             "gone-d.789.tmp",    # another result's, no lock at all
             "busy-d.999.tmp",    # another result's, its lock held: being written right now
             "notes.tmp"]         # not a result's file: left alone
    for name in names:
        (tmp_path / name).write_text("{")
    (tmp_path / "other-d.lock").write_text("")
    busy = open(tmp_path / "busy-d.lock", "w")
    fcntl.flock(busy, fcntl.LOCK_EX)
    try:
        assert result_cache.shared("r", lambda: [1]) == [1]
    finally:
        busy.close()
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == ["busy-d.999.tmp", "notes.tmp"]
    assert (tmp_path / "r-d.json").read_text() == "[1]"


def test_a_writer_killed_before_its_rename_leaves_a_file_the_next_write_removes(monkeypatch, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    cache = tmp_path / "cache"
    code = ("import os, signal\nfrom chinchilla_lib import result_cache\n"
            "result_cache.inputs_digest = lambda: 'd'\n"
            "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # dies with its file written\n"
            "result_cache.shared('killed', lambda: 41)\n")
    env = dict(os.environ, CHINCHILLA_LIB_CACHE=str(cache), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    writer = subprocess.Popen([sys.executable, "-c", code], env=env)
    assert writer.wait(timeout=60) == -9
    assert [p.name for p in cache.glob("*.tmp")] == [f"killed-d.{writer.pid}.tmp"]
    assert not (cache / "killed-d.json").exists()
    _cache(monkeypatch, cache)
    assert result_cache.shared("killed", lambda: 42) == 42  # nothing stored: computed
    assert not list(cache.glob("*.tmp")) and (cache / "killed-d.json").read_text() == "42"
