"""A sweep's files survive a crash: rows appended whole, a torn last line set aside, other bad lines named.

A torn last line (a write cut short) is left out on read, set aside on resume and its run
trained again; any other bad line is refused naming the file and the line.  The damaged files
are built by hand from the committed smoke grid (6 runs of 3 validations each, finished in the
order of their rows, each run's curve rows just before its row), so every expected count and
byte is read off that file, not off the code under test.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from smoke_copies import lines, smoke_copy

from chinchilla_lib.datasets import DataFileError
from chinchilla_lib.datasets.paper_tables import DATA_DIR
from chinchilla_lib.train.files import CURVE_COLUMNS, RUN_COLUMNS, _append, _mend, _scan, read_curves, read_runs
from chinchilla_lib.train.sweep import SWEEPS

PROG = "python -m chinchilla_lib"

# --- reading: what counts as torn, what is refused ---------------------------------------------


def test_committed_runs_files_read_as_plain_csv_without_warnings():
    # Every committed runs and curves file is whole: read exactly as pandas reads the CSV.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in sorted(DATA_DIR.glob("tinygpt_*_runs.csv")):
            plain = pd.read_csv(path).drop_duplicates("key").reset_index(drop=True)
            pd.testing.assert_frame_equal(read_runs(path), plain, check_exact=True)
            curves = path.with_name(path.name.replace("_runs", "_curves"))
            plain = pd.read_csv(curves).drop_duplicates(["key", "step"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(read_curves(curves), plain, check_exact=True)


@pytest.mark.parametrize("tail, line, why", [
    # No newline at the end, though all 44 fields are there (the last number may be cut short).
    (lambda row: row, 7, "no newline at its end"),
    # 17 fields and a newline: not a write of ours, but no row either.
    (lambda row: b",".join(row.split(b",")[:17]) + b"\n", 7, "expected 44 fields, saw 17"),
    # The loss (field 39) is not a number.
    (lambda row: b",".join(row.split(b",")[:38] + [b"2.6x"] + row.split(b",")[39:]) + b"\n", 7,
     "column 'loss' holds '2.6x', not a number"),
])
def test_a_bad_last_line_is_torn(tmp_path, tail, line, why):
    runs, _, original, _ = smoke_copy(tmp_path)
    rows = lines(original)
    head = b"\n".join(rows[:-1]) + b"\n"
    runs.write_bytes(head + tail(rows[-1]))
    scan = _scan(runs, RUN_COLUMNS, "")
    assert (scan.whole, scan.line) == (head, line) and why in scan.why
    assert scan.torn == tail(rows[-1])


def test_a_header_cut_short_is_torn_and_a_whole_file_is_not(tmp_path):
    runs, _, original, _ = smoke_copy(tmp_path)
    assert _scan(runs, RUN_COLUMNS, "").torn == b""
    runs.write_bytes(original[:30])
    scan = _scan(runs, RUN_COLUMNS, "")
    assert (scan.whole, scan.torn, scan.line) == (b"", original[:30], 1)


def test_torn_last_run_is_left_out_set_aside_and_listed_as_not_done(tmp_path):
    runs, curves, original, original_curves = smoke_copy(tmp_path)
    rows = lines(original)
    last = rows[-1]  # g02 at 2e10 FLOPs, the sixth run; its three curve rows are the curves file's last
    key = last.split(b",")[1].decode()
    head = b"\n".join(rows[:-1]) + b"\n"
    half = last[:len(last) // 2]
    runs.write_bytes(head + half)

    with pytest.warns(UserWarning, match=r"tinygpt_smoke_runs\.csv, line 7: left out a torn last line"):
        done = read_runs(runs)
    assert len(done) == 5 and key not in set(done["key"])
    assert len(read_curves(curves, done)) == 5 * 3
    wanted = [c.key() for c in SWEEPS["smoke"].plan(done) if c.key() not in set(done["key"])]
    assert wanted == [key]  # the torn run is trained again

    with pytest.warns(UserWarning) as caught:
        _mend(runs, curves)
    said = [str(w.message) for w in caught]
    assert len(said) == 2
    assert said[0].startswith(f"data file {runs}, line 7: set aside a torn last line") and f"{runs}.torn" in said[0]
    assert said[1].startswith(f"data file {curves}, line 17: set aside 3 last row(s) of a run")
    assert runs.read_bytes() == head and Path(f"{runs}.torn").read_bytes() == half
    curve_rows = lines(original_curves)
    assert curves.read_bytes() == b"\n".join(curve_rows[:-3]) + b"\n"
    assert Path(f"{curves}.torn").read_bytes() == b"\n".join(curve_rows[-3:]) + b"\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _mend(runs, curves)  # nothing left to set aside: no warning
        assert len(read_runs(runs)) == 5

    # The run's row, written again, starts on a line of its own: the file is the committed one again.
    header = rows[0].decode().split(",")
    _append(runs, RUN_COLUMNS, [dict(zip(header, last.decode().split(",")))])
    assert runs.read_bytes() == original


def test_append_after_a_torn_line_starts_a_fresh_line(tmp_path):
    runs, _, original, _ = smoke_copy(tmp_path)
    rows = lines(original)
    runs.write_bytes(b"\n".join(rows[:-1]) + b"\n" + rows[-1][:50])
    header = rows[0].decode().split(",")
    with pytest.warns(UserWarning, match="line 7: set aside a torn last line"):
        _append(runs, RUN_COLUMNS, [dict(zip(header, rows[-1].decode().split(",")))])
    assert runs.read_bytes() == original and Path(f"{runs}.torn").read_bytes() == rows[-1][:50]


def test_a_new_file_gets_its_header_in_the_same_write(tmp_path):
    path = tmp_path / "new" / "curves.csv"
    _append(path, CURVE_COLUMNS, [dict.fromkeys(CURVE_COLUMNS, "1"), dict.fromkeys(CURVE_COLUMNS, "2")])
    assert path.read_text() == ",".join(CURVE_COLUMNS) + "\n" + ",".join(["1"] * 11) + "\n" + ",".join(["2"] * 11) + "\n"


def _run_together(original: bytes) -> bytes:
    """Line 4 cut after its 20th comma, and line 5 appended onto it (as an append after a torn write did)."""
    rows = lines(original)
    cut = rows[3][:[i for i, b in enumerate(rows[3]) if b == ord(",")][19] + 1]
    return b"\n".join(rows[:3] + [cut + rows[4]] + rows[5:]) + b"\n"


def test_a_bad_line_before_the_last_is_refused_naming_the_file_and_the_line(tmp_path, capsys):
    runs, curves, original, original_curves = smoke_copy(tmp_path)
    runs.write_bytes(_run_together(original))
    # 20 whole fields, the 21st empty and joined to the next row's first: 20 + 44 fields.
    message = f"data file {runs}, line 4: expected 44 fields, saw 64; delete line 4"
    with pytest.raises(DataFileError) as info:
        read_runs(runs)
    assert str(info.value).startswith(message)

    from chinchilla_lib.cli import main

    assert main(["train", "--sweep", "smoke", "--out", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"{PROG} train: error: {message}") and err.count("\n") == 1
    assert runs.read_bytes() == _run_together(original)  # refused, not changed

    runs.write_bytes(original)
    rows = lines(original_curves)
    rows[1] = rows[1].replace(b",3.9080686569213867", b",3.9O8")  # the letter O in line 2's loss
    curves.write_bytes(b"\n".join(rows) + b"\n")
    with pytest.raises(DataFileError, match=rf"data file {curves}, line 2: column 'loss' holds '3\.9O8', not a number"):
        read_curves(curves)


def test_a_file_without_the_columns_is_refused_naming_it(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("n_params,n_tokens,loss\n1,2,3\n")
    with pytest.raises(DataFileError, match=rf"data file {path}, line 1: the header lacks column\(s\) \['sweep'"):
        read_runs(path)
