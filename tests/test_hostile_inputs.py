"""What a user or a careless file can throw at the library: endless files, long values, spreadsheet CSVs,
mislabelled columns, dense runs, a closed pipe and Ctrl-C.  Each case gets one line (or a quiet end), never a
traceback, and never an answer silently wrong."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_run import run_cli

from chinchilla_lib.approaches.runs import LOSS_CEILING, RunsWarning, column_sense, runs_table
from chinchilla_lib.laws import get_law

PROG = "python -m chinchilla_lib"


def _limited_subprocess(args, limit_bytes=1 << 30, timeout=60):
    """The command line in a child whose address space is capped: an unbounded read would fail, not swap."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "chinchilla_lib", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)


# ------------------------------------------------------------------ bounded reads, short echoes
def test_a_law_file_that_never_ends_is_refused_after_a_mebibyte():
    proc = _limited_subprocess(["plan", "--flops", "1e24", "--law", "/dev/zero"])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"{PROG} plan: error: --law: law file '/dev/zero' is larger than 1 MiB; give the "
                                  "output of fit --approach 3 --json")
    assert proc.stderr.count("\n") == 1


def test_a_csv_that_never_ends_is_refused_at_the_limit(monkeypatch):
    from chinchilla_lib import _validate

    monkeypatch.setattr(_validate, "CSV_LIMIT", 1 << 16)
    code, out, err = run_cli(["fit", "--approach", "3", "--csv", "/dev/zero"])
    assert code == 2 and out == ""
    assert err == (f"{PROG} fit: error: --csv: '/dev/zero' is larger than 65,536 bytes; fit a sample of the runs, "
                   "or split the file\n")


def test_a_long_bad_value_is_echoed_cut_to_a_readable_length(tmp_path):
    value = "x" * 1_000_000
    spec = f"E={value},A=1,B=1,alpha=0.3,beta=0.3"
    code, _, err = run_cli(["plan", "--flops", "1e24", "--law", spec])
    assert code == 2 and len(err) < 600 and f"law '{spec[:56]}..." in err  # 60 characters: the quote, 56 of the value, ...
    law = tmp_path / "law.json"
    law.write_text(json.dumps({"E": value, "A": 1, "B": 1, "alpha": 0.3, "beta": 0.3}))
    code, _, err = run_cli(["plan", "--flops", "1e24", "--law", str(law)])
    assert code == 2 and len(err) < 600 and f"{law}" in err and "E must be a number" in err


# ------------------------------------------------------------------ damaged data/ tables
@pytest.mark.parametrize(("damage", "expected"), [
    (lambda t: "\ufeff" + t, "starts with a byte-order mark"),
    (lambda t: t.replace(",", ";"), "is separated by semicolons, not commas"),
    (lambda t: t.replace(",", "\t"), "is separated by tabs, not commas"),
])
def test_a_spreadsheet_saved_table_is_named_for_what_it_is(data_copy, damage, expected):
    from chinchilla_lib.datasets import DataFileError, load_table

    path = data_copy / "laws.csv"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_table("laws", data_copy)
    assert str(info.value).startswith(f"data file {path} {expected}") and "lacks column" not in str(info.value)


# ------------------------------------------------------------------ a user's CSV
def _law_runs(n_rows_each=(1e8, 3e8, 1e9, 3e9), tokens=(2e10, 6e10, 2e11, 6e11)):
    law = get_law("paper")
    rows = [(n, d, float(law.loss(n, d))) for n in n_rows_each for d in tokens]
    return pd.DataFrame(rows, columns=["n_params", "n_tokens", "loss"])


def test_a_bad_value_is_named_by_its_line_in_the_file_blank_lines_counted(tmp_path):
    runs = _law_runs()
    runs.loc[5, "loss"] = -1.0
    lines = runs.to_csv(index=False).splitlines()
    # header on line 1, two blank lines after it, and one between the 3rd and 4th data rows:
    text = "\n".join([lines[0], "", ""] + lines[1:4] + [""] + lines[4:]) + "\n"
    path = tmp_path / "runs.csv"
    path.write_text(text)
    code, _, err = run_cli(["fit", "--approach", "3", "--csv", str(path)])
    # data row 6 (index 5) sits on line 1 + 2 blank + 5 rows before it + 1 blank + 1 = line 10
    assert code == 2 and f"'{path}' line 10: loss is -1.0" in err


def test_a_csv_saved_with_a_byte_order_mark_reads_like_one_without(tmp_path):
    runs = _law_runs()
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    runs.to_csv(plain, index=False)
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a = run_cli(["fit", "--approach", "3", "--csv", str(plain), "--json"])
    b = run_cli(["fit", "--approach", "3", "--csv", str(marked), "--json"])
    assert a[0] == b[0] == 0 and json.loads(a[1])["alpha"] == json.loads(b[1])["alpha"]


def test_swapped_parameters_and_tokens_get_one_warning():
    runs = _law_runs().rename(columns={"n_params": "n_tokens", "n_tokens": "n_params"})
    notes = column_sense(runs_table(runs.assign(loss=2.5), 3).astype(float))
    assert len(notes) == 1 and "check that n_params and n_tokens are not swapped" in notes[0]
    assert "the median run has 0.005 tokens per parameter" in notes[0]  # by hand: the 8th and 9th of 16 N/D are 0.005
    with pytest.warns(RunsWarning, match="not swapped"):
        runs_table(runs, 3)


def test_a_perplexity_for_a_loss_gets_one_warning():
    runs = _law_runs()
    runs["loss"] = np.exp(runs["loss"])  # perplexities
    assert runs["loss"].min() > LOSS_CEILING  # by hand: the best run (3e9, 6e11) has loss 2.14, perplexity 8.5
    with pytest.warns(RunsWarning, match="a perplexity or a percentage"):
        runs_table(runs, 3)


def test_a_refused_fit_of_mislabelled_columns_names_the_likely_cause_on_its_one_line(tmp_path):
    runs = _law_runs().rename(columns={"n_params": "n_tokens", "n_tokens": "n_params"})
    runs["loss"] = np.exp(runs["loss"])
    path = tmp_path / "runs.csv"
    runs.to_csv(path, index=False)
    code, out, err = run_cli(["fit", "--approach", "3", "--csv", str(path), "--json"])
    if code == 2:  # refused or unfittable: the column notes ride on the one error line
        assert err.count("\n") == 1 and "(also: --csv: " in err and "not swapped" in err
    else:
        assert "not swapped" in err and "a perplexity or a percentage" in err


def test_columns_that_make_sense_get_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunsWarning)
        runs_table(_law_runs(), 3)


# ------------------------------------------------------------------ dense runs are not one budget
def _dense(shape, law):
    rng = np.random.default_rng(7)
    if shape == "random budgets":  # compute spread continuously over three decades
        c = np.exp(rng.uniform(np.log(1.04e18), np.log(9.92e20), 300))
        n = np.exp(rng.uniform(np.log(2e7), np.log(3e9), 300))
        d = c / (6 * n)
    else:  # 8 models x 100 checkpoints of their training curves
        n, d = (g.ravel() for g in np.meshgrid(np.geomspace(5e7, 2e9, 8), np.geomspace(1e9, 2e11, 100)))
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": law.loss(n, d)})


@pytest.mark.parametrize("shape", ["random budgets", "training curves"])
def test_dense_runs_fit_approach_3(shape):
    """Runs 6ND chains into one group at 10% gaps; Approach 3 fits them and recovers the law's a."""
    from chinchilla_lib import fit_runs

    law = get_law("paper-full")
    fit = fit_runs(_dense(shape, law), approach=3)
    assert fit.a == pytest.approx(law.beta / (law.alpha + law.beta), abs=1e-3)  # a = beta/(alpha+beta), Eq. 4


def test_runs_on_one_budget_are_still_refused():
    from chinchilla_lib import fit_runs

    n = np.geomspace(1e8, 1e10, 8)
    runs = pd.DataFrame({"n_params": n, "n_tokens": 1e20 / (6 * n) * np.linspace(1, 1.09, 8)})
    runs["loss"] = get_law("paper").loss(runs["n_params"], runs["n_tokens"])
    with pytest.raises(ValueError, match="all runs have about the same compute"):
        fit_runs(runs, approach=3)


# ------------------------------------------------------------------ no traceback: a closed pipe, Ctrl-C
def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(1.5); "
                             "from chinchilla_lib.cli import main; sys.exit(main(['plan', '--flops', '1e22', "
                             "'--compare', '--printed-only']))"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader has gone before the first line is written
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and err == b""


def test_ctrl_c_prints_one_line_and_exits_130():
    proc = subprocess.Popen([sys.executable, "-m", "chinchilla_lib", "fit", "--approach", "3", "--data",
                             "hoffmann-fig4", "--bootstrap", "100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # a parent that ignores SIGINT (a background job, mutmut's workers) passes that on
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(6)  # imports done, the bootstrap running
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out == ""
    assert err == f"{PROG}: interrupted\n"
