"""Loaders: paper tables (schema, values, errors) and external data (hash, cache, offline)."""

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import DataFileError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ds.table_names())
def test_every_paper_table_loads_and_validates(name):
    frame = ds.load_table(name)
    assert len(frame) > 0
    assert list(ds.SCHEMAS[name]) == [c for c in frame.columns if c in ds.SCHEMAS[name]]


def test_units_are_raw_counts_not_billions():
    t1 = ds.load_table("table1_models").set_index("model")
    assert t1.loc["Chinchilla", "n_params"] == 7e10
    assert t1.loc["Chinchilla", "n_tokens"] == 1.4e12


def test_table_A3_typo_is_flagged_not_silently_fixed():
    proj = ds.load_table("projections")
    flagged = proj[proj["flops_typo_suspected"]]
    assert len(flagged) == 1
    row = flagged.iloc[0]
    assert (row["table"], row["approach"], row["n_params"], row["flops"]) == ("Table A3", 3, 1.75e11, 1.26e24)


def test_paper_value_lookup():
    assert ds.paper_value("gopher.flops") == 5.76e23
    with pytest.raises(KeyError, match="no-such-id"):
        ds.paper_value("no-such-id")


def test_missing_table_names_the_file_and_fix(data_copy):
    (data_copy / "tableA9_models.csv").unlink()
    with pytest.raises(DataFileError, match=r"tableA9_models\.csv is missing.*git checkout"):
        ds.load_table("tableA9_models", data_dir=data_copy)


def test_missing_column_is_reported(data_copy):
    frame = pd.read_csv(data_copy / "table1_models.csv").drop(columns=["n_tokens"])
    frame.to_csv(data_copy / "table1_models.csv", index=False)
    with pytest.raises(DataFileError, match="n_tokens"):
        ds.load_table("table1_models", data_dir=data_copy)


@pytest.mark.parametrize("bad", ["-7e10", "NaN", "seventy billion", ""])
def test_invalid_value_is_reported_with_row(data_copy, bad):
    path = data_copy / "table1_models.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.loc[2, "n_params"] = bad
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"'n_params'.*row 3"):
        ds.load_table("table1_models", data_dir=data_copy)


def test_corrupt_file_is_reported(data_copy):
    (data_copy / "laws.csv").write_bytes(b"\x00\xff\xfe garbage \n\"unterminated")
    with pytest.raises(DataFileError, match="laws.csv"):
        ds.load_table("laws", data_dir=data_copy)


def test_unknown_table():
    with pytest.raises(ValueError, match="tableA9_models"):
        ds.load_table("table99")


# ---------------------------------------------------------------- external data


def test_registry_pins_every_mirrored_file():
    mirror = Path(__file__).resolve().parents[3] / "shared" / "external"
    if not mirror.is_dir():
        pytest.skip("no local mirror of the external data")
    listed = {}
    for line in (mirror / "sha256sums.txt").read_text().splitlines():
        sha, path = line.split()
        listed[path.removeprefix("./")] = f"sha256:{sha}"
    assert listed == ds.EXTERNAL_FILES


def test_sets_pin_the_manifest_commits():
    manifest = Path(__file__).resolve().parents[3] / "shared" / "external" / "MANIFEST.md"
    if not manifest.is_file():
        pytest.skip("no local mirror of the external data")
    pinned = dict(re.findall(r"\| ([\w.-]+/[\w.-]+) @ ([0-9a-f]{40}) \|", manifest.read_text()))
    assert pinned == {repo: s.commit for repo, s in ds.EXTERNAL_SETS.items()}
    for name, url in ds.external._EXTERNAL_URLS.items():
        repo, path = "/".join(name.split("/")[:2]), name.split("/", 2)[2]
        assert url == f"https://raw.githubusercontent.com/{repo}/{pinned[repo]}/{path}"


def test_registry_file_is_what_the_script_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_registry", ROOT / "scripts" / "make_registry.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    mirror = ROOT.parent / "shared" / "external" / "sha256sums.txt"
    if not mirror.is_file():
        pytest.skip("no local mirror of the external data")
    committed = [line for line in ds.REGISTRY_FILE.read_text().splitlines() if not line.startswith("#")]
    assert committed == script.registry_lines(mirror.read_text())


def test_hoffmann_fig4_points():
    pts = ds.load_hoffmann_fig4()
    assert len(pts) == 245
    assert list(pts.columns) == ["n_params", "flops", "n_tokens", "loss"]
    np.testing.assert_allclose(pts["n_tokens"], pts["flops"] / (6 * pts["n_params"]))
    assert pts["loss"].between(1.5, 6).all()
    trimmed = ds.load_hoffmann_fig4(exclude_highest_loss=5)
    assert len(trimmed) == 240
    assert trimmed["loss"].max() < pts["loss"].nlargest(5).min()


def test_hoffmann_fig4_rejects_bad_argument():
    with pytest.raises(ValueError, match="exclude_highest_loss"):
        ds.load_hoffmann_fig4(exclude_highest_loss=-1)


def test_porian_runs_one_table_with_configuration_column():
    runs = ds.load_porian()
    configs = ds.porian_configurations()
    assert len(configs) == 15 and configs["configuration"].is_unique
    assert set(runs["configuration"]) == set(configs["configuration"])
    assert {"dataset", "hparams", "warmup", "decay", "param_count", "val"} <= set(runs.columns)
    assert (runs[["flops", "n_params", "n_tokens", "loss"]] > 0).all().all()
    # their exponents span Kaplan-like to Chinchilla-like
    assert configs["n_exponent"].max() > 0.8 and configs["n_exponent"].min() < 0.52
    one = ds.load_porian("rw-base-long-kaplan-kaplan-train")
    assert set(one["configuration"]) == {"rw-base-long-kaplan-kaplan-train"}
    with pytest.raises(ValueError, match="unknown Porian configuration"):
        ds.load_porian("nope")


def test_llama_curves_end_at_the_known_run_lengths():
    curves = ds.load_llama_curves()
    models = ds.load_table("llama_models").set_index("model")
    ends = curves.groupby("model")["n_tokens"].max()
    for model, end in ends.items():
        # LLaMA-1 is a least-squares line through 4 end points; Llama 2 ends exactly
        assert end == pytest.approx(models.loc[model, "n_tokens"], rel=0.01), model
    # LLaMA-1 curves start near zero tokens (the x axis origin), a check on the calibration
    starts = curves[curves["family"] == "LLaMA-1"].groupby("model")["n_tokens"].min()
    assert (starts < 2e10).all()
    # bigger models reach lower loss
    final = curves.groupby("model")["loss"].min()
    assert final["LLaMA-65B"] < final["LLaMA-7B"] and final["Llama-2-70B"] < final["Llama-2-7B"]
    np.testing.assert_allclose(curves["flops"], 6 * curves["n_params"] * curves["n_tokens"])


def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(ds.ENV_VAR, str(tmp_path))
    return tmp_path


def test_offline_without_mirror_gives_one_clear_error(tmp_path, monkeypatch):
    _isolated_cache(tmp_path, monkeypatch)
    monkeypatch.setattr(ds.external, "_EXTERNAL_URLS", {k: "http://127.0.0.1:9/unreachable" for k in ds.external._EXTERNAL_URLS})
    with pytest.raises(DataFileError) as err:
        ds.load_hoffmann_fig4()
    msg = str(err.value)
    assert "Figure 4" in msg and "CHINCHILLA_LIB_DATA" in msg and "127.0.0.1:9" in msg


def test_corrupt_cached_file_is_detected_before_parsing(tmp_path, monkeypatch):
    cache = _isolated_cache(tmp_path, monkeypatch)
    name = "epoch-research/analyzing-chinchilla/data/svg_extracted_data.csv"
    target = cache / name
    target.parent.mkdir(parents=True)
    target.write_text("Model Size,Training FLOP,loss\n1,2,3\n")
    monkeypatch.setattr(ds.external, "_EXTERNAL_URLS", {k: "http://127.0.0.1:9/unreachable" for k in ds.external._EXTERNAL_URLS})
    with pytest.raises(DataFileError, match="SHA-256"):
        ds.load_hoffmann_fig4()


def test_good_cached_copy_is_used_without_network(tmp_path, monkeypatch):
    mirror = Path(__file__).resolve().parents[3] / "shared" / "external"
    if not mirror.is_dir():
        pytest.skip("no local mirror of the external data")
    cache = _isolated_cache(tmp_path, monkeypatch)
    name = "epoch-research/analyzing-chinchilla/data/svg_extracted_data.csv"
    (cache / name).parent.mkdir(parents=True)
    shutil.copy(mirror / name, cache / name)
    monkeypatch.setattr(ds.external, "_EXTERNAL_URLS", {k: "http://127.0.0.1:9/unreachable" for k in ds.external._EXTERNAL_URLS})
    assert len(ds.load_hoffmann_fig4()) == 245
