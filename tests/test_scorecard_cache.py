"""The scorecard rows shared by the chapters of one build: exact, keyed by the inputs, off unless asked for."""

from __future__ import annotations

import pandas as pd
import pytest

from chinchilla_lib import checks
from chinchilla_lib.checks import Check

ROWS = [Check("a.one", "a third", 1 / 3, "here", 0.1 + 0.2, 0.05),
        Check("a.two", "tiny", 6.02e-23, "there", 6.0200000000000001e-23, 1e-3, relative=True, note="n"),
        Check("b.self", "self", 2.0, "code", 2.0, 0.5, self_check=True, explained_in="approach3")]


@pytest.fixture
def counted(monkeypatch):
    calls = []

    def fake():
        calls.append(1)
        return [(row.id.split(".")[0], row) for row in ROWS]

    monkeypatch.setattr(checks, "_checks_by_chapter", fake)
    monkeypatch.setattr(checks, "_inputs_digest", lambda: "digest-1")
    return calls


def test_without_the_variable_every_call_computes(counted, monkeypatch):
    monkeypatch.delenv(checks.CACHE_ENV, raising=False)
    first, second = checks.scorecard(), checks.scorecard("a.")
    assert len(counted) == 2 and list(second["id"]) == ["a.one", "a.two"] and len(first) == 3


def test_the_cache_gives_back_the_same_table_exactly(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(checks.CACHE_ENV, str(tmp_path))
    fresh = checks.scorecard()
    cached = checks.scorecard()
    assert len(counted) == 1 and (tmp_path / "scorecard-digest-1.json").is_file()
    pd.testing.assert_frame_equal(fresh, cached, check_exact=True)
    assert cached.loc[0, "ours"] == 0.1 + 0.2 and cached.loc[0, "reference"] == 1 / 3
    pd.testing.assert_frame_equal(checks.scorecard("b."), fresh[fresh["id"] == "b.self"].reset_index(drop=True))


def test_changed_inputs_or_a_damaged_file_compute_again(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(checks.CACHE_ENV, str(tmp_path))
    checks.scorecard()
    monkeypatch.setattr(checks, "_inputs_digest", lambda: "digest-2")
    checks.scorecard()
    assert len(counted) == 2
    (tmp_path / "scorecard-digest-2.json").write_text("{not json")
    checks.scorecard()
    assert len(counted) == 3 and not list(tmp_path.glob("*.tmp"))


def test_the_digest_changes_with_the_data(monkeypatch, tmp_path):
    import shutil

    from chinchilla_lib.datasets import paper_tables

    before = checks._inputs_digest()
    assert before == checks._inputs_digest() and len(before) == 64
    copy = tmp_path / "data"
    shutil.copytree(paper_tables.DATA_DIR, copy)
    monkeypatch.setattr(paper_tables, "DATA_DIR", copy)
    assert checks._inputs_digest() == before  # the same content in another folder
    (copy / "laws.csv").write_text((copy / "laws.csv").read_text().replace("0.34", "0.35", 1))
    assert checks._inputs_digest() != before
