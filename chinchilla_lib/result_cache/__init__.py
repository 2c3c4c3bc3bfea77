"""Results shared by the processes of one book build: each expensive result is computed once.

The book's chapters run in separate kernels, often two at once, and several of them need the same
costly result (the scorecard, the bootstrap of every public run set, the early-stopped Approach 3
fit). When the environment variable ``CHINCHILLA_LIB_CACHE`` names a folder (``scripts/build_book.py``
sets it to ``_build/.chinchilla_cache``), :func:`shared` keeps each result there under a file named
by the result and by :func:`inputs_digest`, a hash of the library's code, ``chinchilla_lib/data/``, the external
pins and the numerical libraries' versions. A change to any of them computes every result again;
deleting ``_build`` gives a cold build. Unset (a test, a reader's own notebook), nothing is stored
and every call computes.

A process that needs a result another is computing waits for it (a file lock) rather than computing
it twice, and a result is written atomically, so a reader sees all of it or none. A process killed
while writing leaves a file ``NAME.PID.tmp`` behind; the next result written to the folder removes
every such file whose result no process is writing any more (its lock is free).

Each result is one JSON file (:mod:`chinchilla_lib.result_cache.codec`), read back as data only:
reading a file never runs code and never imports a module it names. Values come back exactly and
with their types (every float to the bit, every dtype, index and column as it was), so the book
shows the same numbers whether a result was computed or read. The format holds Python's plain values (None, bools,
ints, floats, strings, lists, tuples, dicts), numpy arrays and scalars, pandas frames, series and
indexes, and the library's result classes marked with :func:`storable`. A result holding anything
else is not stored: every process that needs it computes it. A file that cannot be read back in full
(damaged, cut short, naming a type outside the format) is computed again and replaced. A file stays
data, but data someone else writes can still change the book's numbers: keep the folder the build's
own. ``codec="json"`` is the only codec; ``"pickle"``, which could run code when read, is refused
with a ValueError.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .codec import dumps, loads, storable

__all__ = ["CACHE_ENV", "inputs_digest", "cache_folder", "storable", "shared", "shared_all", "shared_result"]

T = TypeVar("T")

#: The environment variable naming the folder of shared results (unset: nothing is stored).
CACHE_ENV = "CHINCHILLA_LIB_CACHE"


def inputs_digest() -> str:
    """SHA-256 of everything a result depends on: the library's code, ``chinchilla_lib/data/``, the external pins, library versions."""
    from importlib.metadata import version

    from ..datasets.paper_tables import DATA_DIR

    package = Path(__file__).resolve().parents[1]  # the whole library, not only this folder
    digest = hashlib.sha256()
    groups = [(package, sorted(package.rglob("*.py")) + sorted(p for p in package.rglob("pins/*") if p.is_file())),
              (DATA_DIR, sorted(p for p in DATA_DIR.rglob("*") if p.is_file()))]
    for base, files in groups:
        for path in files:
            name = f"{base.name}/{path.relative_to(base).as_posix()}"
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("numpy", "scipy", "pandas"):
        digest.update(f"{name}=={version(name)}".encode())
    return digest.hexdigest()


def cache_folder() -> Path | None:
    """The folder named by ``CHINCHILLA_LIB_CACHE``, or None when it is unset or empty."""
    folder = os.environ.get(CACHE_ENV, "").strip()
    return Path(folder) if folder else None


def _check_codec(codec: str) -> None:
    if codec == "pickle":
        raise ValueError("codec 'pickle' is no longer accepted (a pickle can run code when read); results are "
                         "stored as JSON that reads back exactly: use codec='json'")
    if codec != "json":
        raise ValueError(f"codec must be 'json', got {codec!r}")


_PARTIAL = re.compile(r"(?P<stem>.+)\.[0-9]+\.tmp")


def _remove_partials(folder: Path, own_stem: str, fcntl) -> None:
    """Remove the ``STEM.PID.tmp`` files of killed writers: those whose result's lock no process holds.

    Called while holding the lock of ``own_stem``, whose leftovers are therefore stale.
    """
    for partial in folder.glob("*.tmp"):
        match = _PARTIAL.fullmatch(partial.name)
        if match is None:
            continue
        stem = match["stem"]
        lock_path = folder / f"{stem}.lock"
        if stem == own_stem or not lock_path.exists():  # a writer takes the lock before it writes
            partial.unlink(missing_ok=True)
            continue
        with open(lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live writer holds it: its file is still being written
                continue
            partial.unlink(missing_ok=True)


_LOCKED = object()  # what _attempt returns when another process holds the result's lock


def _attempt(folder: Path, name: str, compute: Callable[[], T], *, wait: bool):
    """The stored or computed result, or ``_LOCKED`` when ``wait`` is False and another process holds the lock."""
    path = folder / f"{name}-{inputs_digest()}.json"
    folder.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:
            import fcntl
        except ImportError:  # no fcntl (Windows): both may compute; the write below stays atomic
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return _LOCKED
        if path.is_file():
            try:
                return loads(path.read_bytes())
            except Exception:  # noqa: BLE001 - a damaged, stale or foreign file of any kind: compute it again
                pass
        result = compute()
        try:
            data = dumps(result)
        except (TypeError, ValueError):  # holds something that cannot be stored: computed by each process
            return result
        if fcntl is not None:  # without a lock a leftover cannot be told from a file being written
            _remove_partials(folder, path.stem, fcntl)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            partial.write_bytes(data)
            os.replace(partial, path)  # atomic: a reader sees all of the result or none
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return result


def shared(name: str, compute: Callable[[], T], *, codec: str = "json") -> T:
    """``compute()``, or the result a process of the same build stored under ``name``.

    Parameters
    ----------
    name : str
        The result's name, unique in the library (letters, digits, ``._-``); the file is
        ``{name}-{inputs_digest()}.json``.
    compute : callable
        Computes the result when no stored one exists.
    codec : {"json"}
        How the result is stored: tagged JSON that gives every value back exactly (see the module's
        description). ``"pickle"`` is refused with a ValueError.
    """
    _check_codec(codec)
    folder = cache_folder()
    if folder is None:
        return compute()
    return _attempt(folder, name, compute, wait=True)


def shared_all(items: list[tuple[str, Callable[[], T]]], *, codec: str = "json") -> list[T]:
    """:func:`shared` for several results, in the order given, working on those no other process holds first.

    Two chapters that both need every result then share the work: each computes what the other is
    not computing, and waits only when all that is left is being computed elsewhere.
    """
    _check_codec(codec)
    folder = cache_folder()
    if folder is None:
        return [compute() for _, compute in items]
    results: dict[int, T] = {}
    pending = list(range(len(items)))
    while pending:
        waiting = []
        for i in pending:
            got = _attempt(folder, *items[i], wait=False)
            if got is _LOCKED:
                waiting.append(i)
            else:
                results[i] = got
        if waiting and len(waiting) == len(pending):  # all left is computed elsewhere: wait for the first
            first = waiting.pop(0)
            results[first] = _attempt(folder, *items[first], wait=True)
        pending = waiting
    return [results[i] for i in range(len(items))]


def shared_result(func: Callable[..., T]) -> Callable[..., T]:
    """Decorate a function of hashable arguments so that one build computes each call once (:func:`shared`).

    The stored name is the function's module and name with a hash of its arguments' ``repr``, so
    the arguments must have a stable ``repr`` (numbers, strings, tuples of them).
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        call = repr((args, sorted(kwargs.items())))
        tag = hashlib.sha256(call.encode()).hexdigest()[:12]
        name = f"{func.__module__.removeprefix('chinchilla_lib.')}.{func.__qualname__}-{tag}"
        return shared(name, lambda: func(*args, **kwargs))

    return wrapper
