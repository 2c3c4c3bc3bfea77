"""chinchilla_lib/data/*.csv still agree with the transcribed paper tables they were made from."""

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "reference" / "paper-tables"


def _make_data():
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "scripts" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source_or_skip() -> Path:
    """The transcriptions; in CI (``CI=true``) their absence is a failure, elsewhere a skip."""
    if SOURCE.is_dir():
        return SOURCE
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true but the transcriptions {SOURCE} are missing: chinchilla_lib/data/ cannot be checked against them")
    pytest.skip("transcriptions not available beside the checkout")


def test_committed_data_matches_a_fresh_build():
    built = _make_data().build_all(_source_or_skip())
    for name, frame in built.items():
        committed = pd.read_csv(ROOT / "chinchilla_lib" / "data" / f"{name}.csv")
        fresh = pd.read_csv(pd.io.common.StringIO(frame.to_csv(index=False, float_format="%.10g")))
        pd.testing.assert_frame_equal(committed, fresh, check_dtype=False, obj=name)


def test_every_data_file_is_documented():
    readme = (ROOT / "chinchilla_lib" / "data" / "README.md").read_text()
    for csv in (ROOT / "chinchilla_lib" / "data").glob("*.csv"):
        assert f"`{csv.name}`" in readme, f"{csv.name} is not described in chinchilla_lib/data/README.md"


def test_missing_transcriptions_fail_in_ci(monkeypatch, tmp_path):
    import sys

    me = sys.modules[__name__]

    monkeypatch.setattr(me, "SOURCE", tmp_path / "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        me._source_or_skip()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        me._source_or_skip()


def test_every_data_file_is_built_from_a_transcription():
    """Every chinchilla_lib/data/*.csv is one the build makes (so the comparison above covers all of them)."""
    if not SOURCE.is_dir():
        _source_or_skip()
    from chinchilla_lib.train.sweep import SWEEPS, sweep_paths

    built = set(_make_data().build_all(SOURCE))
    # the runs of our own training sweeps are measurements, not transcriptions: `train --sweep NAME` makes them
    trained = {path.stem for name in SWEEPS for path in sweep_paths(name)}
    on_disk = {p.stem for p in (ROOT / "chinchilla_lib" / "data").glob("*.csv")}
    assert on_disk <= built | trained, f"data files not made by scripts/make_data.py: {sorted(on_disk - built - trained)}"
    assert not built & trained
