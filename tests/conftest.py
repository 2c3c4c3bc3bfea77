"""Shared test set-up: point the library at the offline mirror of external data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "external"

if "CHINCHILLA_LIB_DATA" not in os.environ and MIRROR.is_dir():
    os.environ["CHINCHILLA_LIB_DATA"] = str(MIRROR)


@pytest.fixture
def repo_root() -> Path:
    return ROOT

# Property tests are derandomised: the same examples on every run and machine.
from hypothesis import settings  # noqa: E402

settings.register_profile("chinchilla", derandomize=True, deadline=None, database=None)
settings.load_profile("chinchilla")


@pytest.fixture
def data_copy(tmp_path):
    """A copy of every chinchilla_lib/data/*.csv in a temporary folder, for tests that damage a data file."""
    import shutil

    from chinchilla_lib.datasets import DATA_DIR

    for csv in DATA_DIR.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    return tmp_path


@pytest.fixture(scope="session")
def whole_scorecard():
    """Every scorecard row, computed once per test session (the costliest result the tests read)."""
    from chinchilla_lib.checks import scorecard

    return scorecard()


@pytest.fixture
def scorecard_once(whole_scorecard, monkeypatch):
    """``checks.scorecard()`` answers from the session's rows: for tests of what is built on the rows."""
    from chinchilla_lib import checks

    def rows(prefix=None, *, by_chapter=False):
        assert prefix is None and not by_chapter, "scorecard_once stands in for the whole scorecard only"
        return whole_scorecard.copy()

    monkeypatch.setattr(checks, "scorecard", rows)
    return whole_scorecard
