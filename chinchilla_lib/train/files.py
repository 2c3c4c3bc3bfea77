"""A sweep's runs and curves files: rows appended whole, a torn last line set aside, any other bad line named.

A finished run is appended as whole lines (its curve rows to ``<name>_curves.csv``, then its row
to ``<name>_runs.csv``), each file's new text written with one write call and flushed to disk.
A crash can still cut the last write short: the file then ends in a *torn* line, with no newline
at its end.  Reading leaves a torn last line out (one warning), so its run counts as not
finished; before a sweep resumes, :func:`_mend` moves it into a sibling file with ``.torn``
added to the name (the bytes kept, the file cut back to its last whole line), together with
the last curve rows of a run that has no row, and the run is trained again.  Reading never
changes a file: the committed files are read by the book, and only the sweep that owns the
files mends them.  A bad line anywhere else is refused, naming the file and the line.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..datasets.paper_tables import DataFileError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RUN_COLUMNS", "CURVE_COLUMNS", "read_runs", "read_curves"]

_SETTINGS = ["model", "d_model", "n_layers", "n_heads", "kv_size", "ffw_size", "vocab_size", "seq_len", "corpus",
             "budget", "schedule", "seed", "steps", "batch", "n_sequences", "lr", "schedule_steps", "warmup", "final_lr_fraction",
             "weight_decay", "beta1", "beta2", "grad_clip", "eval_steps", "sampler", "accounting"]
#: Columns of a sweep's runs file: identity, every setting, counts, FLOPs, tokens and epochs, losses, where
#: and how fast.  ``flops_per_token`` is the Appendix F count (what the network computes); ``flops`` is
#: the run's compute in its ``accounting``; ``epochs`` is ``n_tokens / train_bytes``, the passes over
#: the training split (above 1 in the first grids, whose sampler drew windows with replacement).
RUN_COLUMNS = (["sweep", "key"] + _SETTINGS +
               ["corpus_sha256", "n_params", "n_params_non_embedding", "n_params_embedding", "flops_per_token",
                "flops_per_token_non_embedding", "n_tokens", "train_bytes", "epochs", "flops", "loss", "train_loss", "device",
                "torch_version", "seconds", "tokens_per_second"])
#: Columns of a sweep's curves file: one row per validation along a run.
CURVE_COLUMNS = ["sweep", "key", "model", "budget", "schedule", "seed", "step", "n_tokens", "flops", "lr", "loss"]

#: Columns of the runs and curves files that hold text; every other column holds a number.
_TEXT_COLUMNS = frozenset({"sweep", "key", "model", "corpus", "schedule", "eval_steps", "corpus_sha256", "device",
                           "torch_version", "sampler", "accounting"})


@dataclass(frozen=True)
class _Scan:
    """A runs or curves file split into its whole lines and a torn last line (the trace of an interrupted write)."""

    whole: bytes  # the header and every whole row, ending in a newline (empty for an empty file)
    torn: bytes  # the torn last line, b"" when there is none
    line: int  # the torn line's number (from 1), 0 when there is none
    why: str  # what is wrong with it


def _row_fault(fields: list[str], header: list[str]) -> str:
    """What is wrong with one row of a runs or curves file ("" when nothing is)."""
    if len(fields) != len(header):
        return f"expected {len(header)} fields, saw {len(fields)}"
    for column, cell in zip(header, fields):
        if column in _TEXT_COLUMNS or not cell:
            continue
        try:
            float(cell)
        except ValueError:
            return f"column {column!r} holds {cell[:40]!r}, not a number"
    return ""


def _scan(path: Path, columns: list[str], fix: str) -> _Scan:
    """Check every line of a runs or curves file; set a torn last line apart, refuse any other bad line.

    A row is written whole, newline included, in one write call, so a write that was cut short
    leaves a last line with no newline at its end; a last line with the wrong number of fields
    or a cell that is not a number is taken for one too.  ``fix`` says what to do with a bad
    line that is not the last.

    Raises
    ------
    DataFileError
        For a header without ``columns`` or a bad line before the last, naming the file and the line.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    ended = lines[-1] == b""
    if ended:
        lines.pop()
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def torn(i: int, why: str) -> _Scan:
        return _Scan(whole=data[:offsets[i]], torn=data[offsets[i]:], line=i + 1, why=why)

    if not lines:
        return _Scan(whole=b"", torn=b"", line=0, why="")
    if len(lines) == 1 and not ended:
        return torn(0, "a header with no newline at its end")
    header = next(csv.reader([lines[0].decode("utf-8", errors="replace")]))
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataFileError(f"data file {path}, line 1: the header lacks column(s) {missing}; it is not a sweep's "
                            "file (give the folder of a sweep's runs and curves files, or move this file away)")
    for i in range(1, len(lines)):
        last = i == len(lines) - 1
        try:
            text = lines[i].decode("utf-8")
        except UnicodeDecodeError:
            why = "not UTF-8 text"
        else:
            if not text.strip():  # a blank line holds no row (as pandas reads it)
                continue
            why = _row_fault(next(csv.reader([text])), header)
        if last and not ended:
            why = "no newline at its end" + (f"; {why}" if why else "")
        if why and last:
            return torn(i, why)
        if why:
            raise DataFileError(f"data file {path}, line {i + 1}: {why}; {fix.format(line=i + 1)}")
    return _Scan(whole=data, torn=b"", line=0, why="")


def _read(path: Path, columns: list[str], fix: str, what: str) -> pd.DataFrame:
    """The whole rows of a runs or curves file (warning once about a torn last line, which is left out)."""
    import io
    import warnings

    import pandas as pd

    scan = _scan(path, columns, fix)
    if scan.torn:
        warnings.warn(f"data file {path}, line {scan.line}: left out a torn last line ({scan.why}), the trace of "
                      f"an interrupted write; {what}", stacklevel=3)
    if not scan.whole.strip():
        return pd.DataFrame(columns=columns)
    try:
        return pd.read_csv(io.BytesIO(scan.whole))
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        raise DataFileError(f"data file {path} cannot be read ({' '.join(str(exc).split())}); {fix.format(line='it')}") \
            from None


_RUNS_FIX = ("delete line {line} (the sweep trains its run again when it resumes), or restore the file from git "
             "or a copy")
_CURVES_FIX = ("delete line {line} (and the row of its run in the runs file, to train that run again), or restore "
               "the file from git or a copy")


def read_runs(path: str | Path) -> pd.DataFrame:
    """A runs file as a DataFrame (empty with :data:`RUN_COLUMNS` when absent), one row per key.

    A torn last line (a row cut short by an interrupted write: no newline at its end, the wrong
    number of fields, or a cell that is not a number) is left out with a warning, so its run
    counts as not finished; :func:`~chinchilla_lib.train.sweep.run_sweep` sets it aside and
    trains the run again.

    Raises
    ------
    DataFileError
        When the header lacks a column of :data:`RUN_COLUMNS`, or a line before the last is bad;
        the message names the file and the line.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=RUN_COLUMNS)
    frame = _read(path, RUN_COLUMNS, _RUNS_FIX, "its run counts as not finished, and resuming the sweep sets the "
                                                "line aside and trains the run again")
    return frame.drop_duplicates("key", keep="first").reset_index(drop=True)


def read_curves(path: str | Path, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """A curves file; with ``runs``, only the curves of finished runs (a run interrupted mid-write is dropped).

    A torn last line is left out with a warning, as :func:`read_runs` does.

    Raises
    ------
    DataFileError
        When the header lacks a column of :data:`CURVE_COLUMNS`, or a line before the last is bad.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=CURVE_COLUMNS)
    frame = _read(path, CURVE_COLUMNS, _CURVES_FIX, "resuming the sweep sets the line aside").drop_duplicates(
        ["key", "step"], keep="first")
    if runs is not None:
        frame = frame[frame["key"].isin(set(runs["key"]))]
    return frame.reset_index(drop=True)


def _torn_path(path: Path) -> Path:
    """Where the torn lines of ``path`` are set aside: ``path`` with ``.torn`` added."""
    return path.with_name(path.name + ".torn")


def _durable_append(path: Path, data: bytes) -> None:
    """Append ``data`` with one write call (more only if the system writes part of it), then flush it to disk."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:  # the new name itself must reach the disk too
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on every system; the file's own fsync still holds
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _set_aside(path: Path, keep: int) -> Path:
    """Move the bytes of ``path`` from offset ``keep`` to the end of ``path.torn`` and cut ``path`` back to ``keep``."""
    torn = _torn_path(path)
    with open(path, "rb") as handle:
        handle.seek(keep)
        tail = handle.read()
    _durable_append(torn, tail)  # first kept, then cut: a crash in between loses nothing
    with open(path, "r+b") as handle:
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    return torn


def _mend(runs_path: Path, curves_path: Path) -> None:
    """Before a sweep resumes: set torn last lines, and curve rows of runs with no row, aside (one warning a file).

    The curves of a run are appended just before its row in the runs file, so the curves of a run
    whose row is missing (never written, or torn and set aside) are the last rows of the curves
    file; they are set aside with it, and the run's curves are written again when it is trained again.
    """
    import warnings

    keys: set[str] = set()
    if runs_path.is_file():
        scan = _scan(runs_path, RUN_COLUMNS, _RUNS_FIX)
        if scan.torn:
            torn = _set_aside(runs_path, len(scan.whole))
            warnings.warn(f"data file {runs_path}, line {scan.line}: set aside a torn last line ({scan.why}), the "
                          f"trace of an interrupted write, into {torn}; its run is trained again", stacklevel=3)
        keys = set(read_runs(runs_path)["key"])
    if not curves_path.is_file():
        return
    scan = _scan(curves_path, CURVE_COLUMNS, _CURVES_FIX)
    whole = scan.whole
    lines = whole.split(b"\n")[:-1] if whole else []
    header = next(csv.reader([lines[0].decode()])) if lines else []
    orphans = 0
    while len(lines) > 1:  # trailing rows of a run with no row in the runs file
        fields = next(csv.reader([lines[-1].decode()]), [])
        if fields and fields[header.index("key")] in keys:
            break
        lines.pop()
        orphans += 1
    if not (scan.torn or orphans):
        return
    keep = sum(len(line) + 1 for line in lines)
    torn = _set_aside(curves_path, keep)
    what = []
    if orphans:
        what.append(f"{orphans} last row(s) of a run with no row in {runs_path.name}")
    if scan.torn:
        what.append(f"a torn last line {scan.line} ({scan.why})")
    warnings.warn(f"data file {curves_path}, line {len(lines) + 1}: set aside {' and '.join(what)} into {torn}; "
                  "the run's curve is written again when it is trained again", stacklevel=3)


def _append(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Append ``rows`` (the header first, to a new or empty file) as one whole write, flushed to disk.

    A file whose last line is torn (an interruption outside
    :func:`~chinchilla_lib.train.sweep.run_sweep`) has it set aside first, so the new rows start
    on a line of their own.
    """
    import io
    import warnings

    path.parent.mkdir(parents=True, exist_ok=True)
    size = path.stat().st_size if path.exists() else 0
    if size:
        with open(path, "rb") as handle:
            handle.seek(size - 1)
            ended = handle.read(1) == b"\n"
        if not ended:
            scan = _scan(path, columns, _RUNS_FIX if columns == RUN_COLUMNS else _CURVES_FIX)
            torn = _set_aside(path, len(scan.whole))
            warnings.warn(f"data file {path}, line {scan.line}: set aside a torn last line ({scan.why}) into {torn}",
                          stacklevel=3)
            size = len(scan.whole)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    if not size:
        writer.writeheader()
    writer.writerows(rows)
    _durable_append(path, text.getvalue().encode())
