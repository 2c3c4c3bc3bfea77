"""Bad input, one table: what a user might pass, and the one line each gets back.

Library calls raise ``ValueError`` (``DataFileError`` for data files) with a message naming what
is wrong; the command line exits 2 with one line on standard error and nothing on standard output,
never a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chinchilla_lib as cl
from chinchilla_lib.approaches.parametric import bootstrap_approach3, fit_approach3
from chinchilla_lib.approaches.parametric import fit as pfit
from chinchilla_lib.datasets import DATA_DIR, DataFileError, load_table

SIZES = np.repeat([1e8, 3e8, 1e9, 3e9], 3)
TOKENS = np.tile([2e9, 6e9, 2e10], 4)
LOSS = 1.7 + 400 / SIZES**0.34 + 400 / TOKENS**0.28


def _one_budget():
    n = np.geomspace(1e8, 1e9, 8)
    return n, 1e19 / (6 * n), 2.5 + 0.1 * np.log(n / 3e8) ** 2


def _fig4():
    return cl.load_hoffmann_fig4(exclude_highest_loss=cl.REPLICATION_EXCLUDED)


#: (id, call, expected message): library calls that must be refused before any fit.
API_CASES = [
    ("a3-same-size", lambda: fit_approach3(np.full(12, 1e9), TOKENS, LOSS), "n_params has 1 distinct"),
    ("a3-two-sizes", lambda: fit_approach3(np.repeat([1e8, 1e9], 6), np.tile(TOKENS[:6], 2), LOSS),
     "at least 3 different n_params"),
    ("a3-same-tokens", lambda: fit_approach3(SIZES, np.full(12, 1e10), LOSS), "n_tokens has 1 distinct"),
    ("a3-one-budget", lambda: fit_approach3(*_one_budget()), "single IsoFLOP budget"),
    ("a3-identical-rows", lambda: fit_approach3(np.full(6, 1e9), np.full(6, 2e10), np.full(6, 2.5)),
     "all 6 runs are identical"),
    ("a3-constant-loss", lambda: fit_approach3(SIZES, TOKENS, np.full(12, 2.5)), "constant loss"),
    ("a3-loss-rises", lambda: fit_approach3(SIZES, TOKENS, 5 - LOSS), "does not fall with compute"),
    ("a3-nan-loss", lambda: fit_approach3(SIZES, TOKENS, np.where(np.arange(12) == 3, np.nan, LOSS)),
     "loss must be positive and finite; element 3 is NaN"),
    ("a3-inf", lambda: fit_approach3(SIZES, np.where(np.arange(12) == 0, np.inf, TOKENS), LOSS),
     "n_tokens must be positive and finite; element 0"),
    ("a3-lengths", lambda: fit_approach3(SIZES, TOKENS[:-1], LOSS), "same length"),
    ("a3-few-runs", lambda: fit_approach3(SIZES[:5], TOKENS[:5], LOSS[:5]), "at least 6 runs"),
    ("a3-no-law", lambda: pfit._make_fit(np.array([1.0, 1.0, 0.5, -0.05, 0.3]), 1.0,
                                          pfit._Data(np.log(SIZES), np.log(TOKENS), np.log(LOSS)), 1e-3, [], True,
                                          "", 0.0, (), [], "x"), "no law"),
    ("a2-same-size", lambda: cl.fit_isoflop(np.full(12, 1e9), np.repeat([1e19, 1e20, 1e21], 4), LOSS),
     "3 runs with different model sizes"),
    ("a2-constant-loss", lambda: cl.fit_isoflop(SIZES, np.repeat([1e19, 1e20, 1e21], 4), np.full(12, 2.5)),
     "constant loss"),
    ("a2-unbracketed", lambda: cl.fit_isoflop(np.tile([1e8, 3e8, 1e9], 3), np.repeat([1e19, 1e20, 1e21], 3),
                                              [3.0, 2.9, 2.85, 2.9, 2.8, 2.75, 2.8, 2.7, 2.65],
                                              n_bootstrap=0), "add runs on both sides"),
    ("a2-level", lambda: cl.fit_isoflop(SIZES, np.repeat([1e19, 1e20, 1e21], 4), LOSS, level=1.2), "level"),
    ("a1-one-size", lambda: cl.fit_envelope(pd.DataFrame({"n_params": [1e8] * 3, "flops": [1e18, 2e18, 4e18],
                                                           "loss": [3.0, 2.9, 2.8]})), "n_params has 1 distinct"),
    ("boot-1", lambda: bootstrap_approach3(SIZES, TOKENS, LOSS, n_resamples=1), "at least 20"),
    ("boot-level", lambda: cl.fit_runs(_fig4(), approach=3, bootstrap=20).interval("alpha", 95), "level"),
    ("plan-1-flop", lambda: cl.plan(1), "buys no model"),
    ("plan-negative", lambda: cl.plan(-1e20), "flops must be a positive finite number"),
    ("plan-law", lambda: cl.plan(1e20, "E=1.69,A=406.4"), "lacks B, alpha, beta"),
    ("plan-law-file", lambda: cl.plan(1e20, "/no/such/fit.json"), "cannot be read"),
    ("fit-runs-columns", lambda: cl.fit_runs(pd.DataFrame({"n_params": [1.0]}), approach=3), "lacks column"),
]


@pytest.mark.parametrize("call, message", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_library_refuses_with_one_line(call, message):
    with pytest.raises(ValueError) as info:
        call()
    text = str(info.value)
    assert message in text and "\n" not in text, text


# ------------------------------------------------------------------ chinchilla_lib/data/ files
def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text().rstrip("\n") + "\n" + line + "\n")


#: (id, table, how the copy is damaged, expected message)
DATA_CASES = [
    ("duplicate-key", "laws", lambda p: _append(p, 'paper,alpha,0.9,"x",verified_2src'), "repeats the key"),
    ("duplicate-id", "paper_values", lambda p: _append(p, "gopher.flops,x,1e24,FLOPs,x,x,"), "repeats the key"),
    ("unknown-parameter", "laws", lambda p: _append(p, 'paper,gamma,0.9,"x",verified_2src'), "allowed: E, A"),
    ("inf-value", "laws", lambda p: _edit(p, "paper,alpha,0.34", "paper,alpha,inf"), "invalid value"),
    ("negative-value", "table1_models", lambda p: _edit(p, "1.37e+11", "-1.37e+11"), "invalid value"),
    ("repeated-row", "table2_exponents", lambda p: _append(p, p.read_text().splitlines()[1]), "repeats the key"),
    ("unknown-column", "laws", lambda p: p.write_text(p.read_text().replace("law,parameter", "law,parameter,extra", 1)),
     "unknown column"),
    ("missing-file", "laws", lambda p: p.unlink(), "missing"),
    ("binary", "laws", lambda p: p.write_bytes(b"\xff\xfe\x00\x00garbage"), "corrupt"),
]


@pytest.mark.parametrize("table, damage, message", [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
def test_damaged_data_file_refused_on_load(data_copy, table, damage, message):
    damage(data_copy / f"{table}.csv")
    with pytest.raises(DataFileError) as info:
        load_table(table, data_copy)
    text = str(info.value)
    assert message in text and "\n" not in text, text


def test_every_schema_has_a_key_or_refuses_repeated_rows():
    from chinchilla_lib.datasets.paper_tables import SCHEMAS, key_columns

    for name in SCHEMAS:
        frame = load_table(name)
        keys = key_columns(name) or list(frame.columns)
        assert not frame.duplicated(keys).any(), name


# ------------------------------------------------------------------ the command line
def _csv(tmp_path, text: str) -> str:
    path = tmp_path / "runs.csv"
    path.write_text(text)
    return str(path)


def _rows(n, d, loss, header="n_params,n_tokens,loss"):
    return header + "\n" + "".join(f"{a},{b},{c}\n" for a, b, c in zip(n, d, loss))


#: (id, argv (``CSV`` replaced by a file holding ``content``), content, text the one line must hold)
CLI_CASES = [
    ("flops-negative", ["plan", "--flops", "-1e20"], None, "--flops"),
    ("flops-one", ["plan", "--flops", "1"], None, "buys no model"),
    ("law-unknown", ["plan", "--flops", "1e21", "--law", "nope"], None, "--law"),
    ("law-not-json", ["plan", "--flops", "1e21", "--law", "CSV"], "not json", "--law"),
    ("seed-negative", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "20", "--seed", "-1"],
     None, "--seed"),
    ("seed-without-bootstrap", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--seed", "2"], None, "--seed"),
    ("bootstrap-1", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "1"], None, "at least 20"),
    ("bootstrap-1e9", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "1e9"], None,
     "--bootstrap must be at most"),
    ("method-approach3", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--method", "akima"], None,
     "--method does not apply"),
    ("rel-tol-approach3", ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--rel-tol", "0.1"], None,
     "--rel-tol does not apply"),
    ("bootstrap-approach1", ["fit", "--approach", "1", "--data", "llama-1", "--bootstrap", "50"], None,
     "--bootstrap does not apply"),
    ("fig4-approach1", ["fit", "--approach", "1", "--data", "hoffmann-fig4"], None, "training curves"),
    ("llama-approach3", ["fit", "--approach", "3", "--data", "llama-1"], None, "--approach 1"),
    ("csv-missing", ["fit", "--approach", "3", "--csv", "/no/such/runs.csv"], None, "No such file"),
    ("csv-directory", ["fit", "--approach", "3", "--csv", "/"], None, "--csv"),
    ("csv-empty", ["fit", "--approach", "3", "--csv", "CSV"], "", "--csv"),
    ("csv-header-only", ["fit", "--approach", "3", "--csv", "CSV"], "n_params,n_tokens,loss\n", "no runs"),
    ("csv-no-loss", ["fit", "--approach", "3", "--csv", "CSV"], "n_params,n_tokens\n1e9,2e10\n", "loss"),
    ("csv-text", ["fit", "--approach", "3", "--csv", "CSV"], _rows([1e9] * 7, [2e10] * 7, ["abc"] * 7), "line 2"),
    ("csv-inf", ["fit", "--approach", "3", "--csv", "CSV"], _rows(SIZES, TOKENS, ["inf"] + list(LOSS[1:])),
     "line 2: loss is inf"),
    ("csv-negative-row5", ["fit", "--approach", "3", "--csv", "CSV"],
     _rows(SIZES * np.where(np.arange(12) == 3, -1, 1), TOKENS, LOSS), "line 5: n_params"),
    ("csv-identical", ["fit", "--approach", "3", "--csv", "CSV"], _rows([1e9] * 6, [2e10] * 6, [2.5] * 6),
     "identical"),
    ("csv-constant-loss", ["fit", "--approach", "3", "--csv", "CSV"], _rows(SIZES, TOKENS, [2.5] * 12),
     "constant loss"),
    ("csv-one-size", ["fit", "--approach", "3", "--csv", "CSV"], _rows([1e9] * 12, TOKENS, LOSS), "n_params"),
    ("csv-one-budget", ["fit", "--approach", "3", "--csv", "CSV"], _rows(*_one_budget()), "single IsoFLOP budget"),
    ("csv-a2-no-flops", ["fit", "--approach", "2", "--csv", "CSV"], "n_params,loss\n1e9,2.5\n", "flops or n_tokens"),
    ("csv-a2-unbracketed", ["fit", "--approach", "2", "--csv", "CSV"],
     "n_params,flops,loss\n" + "".join(f"{n},{c},{3 - 0.1 * i}\n" for c in (1e19, 1e20) for i, n in
                                       enumerate((1e8, 2e8, 4e8))), "--include-unbracketed"),
    ("porian-approach3", ["fit", "--approach", "3", "--data", "porian:rw-base-long-kaplan-kaplan-train"], None,
     "--data"),
]


@pytest.mark.parametrize("argv, content, message", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_command_line_exits_2_with_one_line(tmp_path, argv, content, message):
    if content is not None:
        path = _csv(tmp_path, content)
        argv = [path if a == "CSV" else a for a in argv]
    code, out, err = _run_main(argv)  # in-process: an escaped exception fails the test
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and out == "", err
    assert len(lines) == 1 and message in lines[0], err


def _run_main(argv):
    import contextlib
    import io

    from chinchilla_lib.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own exit (status 2, one line)
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_a_real_process_prints_no_traceback(tmp_path):
    path = _csv(tmp_path, _rows([1e9] * 6, [2e10] * 6, [2.5] * 6))
    proc = subprocess.run([sys.executable, "-m", "chinchilla_lib", "fit", "--approach", "3", "--csv", path],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1, proc.stderr


def test_command_line_memory_error_is_one_line(monkeypatch, capsys):
    from chinchilla_lib import cli

    def boom(args):
        raise MemoryError

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    assert cli.main(["plan", "--flops", "1e20"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--bootstrap" in err


def test_command_line_unexpected_error_is_one_line(monkeypatch, capsys):
    from chinchilla_lib import cli

    def boom(args):
        raise TypeError("something\nspread over lines")

    monkeypatch.setitem(cli._COMMANDS, "plan", boom)
    assert cli.main(["plan", "--flops", "1e20"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_data_file_at_the_command_line_is_one_line(monkeypatch, tmp_path, capsys):
    from chinchilla_lib.datasets import paper_tables

    for csv in DATA_DIR.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    _append(tmp_path / "laws.csv", 'paper-full,alpha,0.9,"x",verified_2src')
    monkeypatch.setattr(paper_tables, "DATA_DIR", tmp_path)
    from chinchilla_lib.cli import main

    assert main(["plan", "--flops", "1e21"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "repeats the key" in err and "laws.csv" in err
