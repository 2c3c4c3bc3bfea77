"""data/*.csv still agree with the transcribed paper tables they were made from."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "reference" / "paper-tables"


def _make_data():
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "scripts" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SOURCE.is_dir(), reason="transcriptions not available beside the checkout")
def test_committed_data_matches_a_fresh_build():
    built = _make_data().build_all(SOURCE)
    for name, frame in built.items():
        committed = pd.read_csv(ROOT / "data" / f"{name}.csv")
        fresh = pd.read_csv(pd.io.common.StringIO(frame.to_csv(index=False, float_format="%.10g")))
        pd.testing.assert_frame_equal(committed, fresh, check_dtype=False, obj=name)


def test_every_data_file_is_documented():
    readme = (ROOT / "data" / "README.md").read_text()
    for csv in (ROOT / "data").glob("*.csv"):
        assert f"`{csv.name}`" in readme, f"{csv.name} is not described in data/README.md"
