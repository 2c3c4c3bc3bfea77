"""Loaders of the IsoFLOP sets: Llama 3's Figure 2 points, CS336's exercise, Open-Athena's harmonised table."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.datasets import cs336, llama3_isoflops, open_athena
from chinchilla_lib.datasets.paper_tables import DataFileError

TIDY = ["n_params", "n_tokens", "flops", "loss"]


# ---------------------------------------------------------------- Llama 3 (Figure 2)
def test_llama3_points_are_tidy():
    pts = ds.load_llama3_isoflops()
    assert list(pts.columns) == TIDY
    assert len(pts) == 133  # the MANIFEST's count
    budgets = sorted(pts["flops"].unique())
    # ten budgets from 6e18 to 1e22 FLOPs (MANIFEST; Llama 3 Sec. 3.2.1)
    assert budgets == [6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21, 1e22]
    # N = C / (6 D) by construction: 6 N D is the budget to rounding (relative 1e-12)
    np.testing.assert_allclose(6 * pts["n_params"] * pts["n_tokens"], pts["flops"], rtol=1e-12)
    raw = _llama3_raw().iloc[0]  # the file's first row, read as text (the set has no licence: no copy here)
    first = pts.iloc[0]
    assert (first["flops"], first["n_tokens"], first["loss"]) == (
        raw["compute_budget"], raw["training_tokens"], raw["validation_loss"])
    assert first["n_params"] == pytest.approx(raw["compute_budget"] / 6 / raw["training_tokens"], rel=1e-15)
    assert 0.69 < pts["loss"].min() and pts["loss"].max() < 0.94  # the figure's own units, kept


def test_llama3_points_agree_with_open_athena_copy():
    """The same 133 points, read independently from Open-Athena's table: plotted loss and its exponential."""
    ours = ds.load_llama3_isoflops().sort_values(["flops", "n_tokens"], ignore_index=True)
    for condition, transform in (("raw-loss", lambda x: x), ("exp-loss", np.exp)):
        theirs = ds.load_open_athena(f"open-athena:llama-3-{condition}").sort_values(["flops", "n_tokens"],
                                                                                       ignore_index=True)
        np.testing.assert_array_equal(theirs["n_tokens"], ours["n_tokens"])
        np.testing.assert_allclose(theirs["loss"], transform(ours["loss"]), rtol=1e-12)
        np.testing.assert_allclose(theirs["n_params"], ours["n_params"], rtol=1e-12)


def _llama3_raw():
    return pd.read_csv(ds.fetch_external(llama3_isoflops.LLAMA3_ISOFLOPS_FILE))


@pytest.mark.parametrize("damage, message", [
    (lambda f: f.drop(columns=["validation_loss"]), "lacks column"),
    (lambda f: f.assign(validation_loss=f["validation_loss"].where(f.index != 5, -0.8)), "validation_loss of row 6"),
    (lambda f: f.assign(training_tokens=f["training_tokens"].astype(object).where(f.index != 0, "many")),
     "training_tokens of row 1"),
    (lambda f: pd.concat([f, f.iloc[[3]]]), "appears twice"),
    (lambda f: f[~((f["compute_budget"] == 1e22) & (f.index % 2 == 0))].iloc[:-2], "fewer than 3"),
])
def test_llama3_broken_frames_are_refused(damage, message):
    with pytest.raises(DataFileError, match=message) as err:
        llama3_isoflops.tidy_llama3_isoflops(damage(_llama3_raw()))
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- CS336
def test_cs336_runs_are_tidy():
    runs = ds.load_cs336_isoflops()
    assert list(runs.columns) == TIDY
    assert len(runs) == 72  # 9 budgets x 8 sizes (MANIFEST)
    counts = runs.groupby("flops").size()
    assert list(counts) == [8] * 9
    assert counts.index.min() == 6e18 and counts.index.max() == 3e21
    np.testing.assert_allclose(6 * runs["n_params"] * runs["n_tokens"], runs["flops"], rtol=1e-12)
    first = runs.iloc[0]  # record 1: 49999999 parameters at 6e18 FLOPs, final loss 7.192784500319437
    assert first["n_params"] == 49999999 and first["loss"] == 7.192784500319437
    assert first["n_tokens"] == pytest.approx(2.0e10, rel=1e-7)  # 6e18 / (6 x 5e7) by hand


def test_cs336_broken_records_are_refused():
    records = json.loads(ds.fetch_external(cs336.CS336_FILE).read_text())
    with pytest.raises(DataFileError, match="JSON list"):
        cs336.tidy_cs336({"runs": records})
    with pytest.raises(DataFileError, match="lacks column"):
        cs336.tidy_cs336([{k: v for k, v in r.items() if k != "final_loss"} for r in records])
    bad = [dict(r) for r in records]
    bad[4]["final_loss"] = float("nan")
    with pytest.raises(DataFileError, match="final_loss of record 5"):
        cs336.tidy_cs336(bad)
    with pytest.raises(DataFileError, match="appears twice"):
        cs336.tidy_cs336(records + records[:1])
    with pytest.raises(DataFileError, match="fewer than 3 model sizes"):
        cs336.tidy_cs336([r for r in records if r["compute_budget"] != 6e18] + records[:2])


# ---------------------------------------------------------------- Open-Athena
#: Rows of each per-source file (``wc -l`` minus the header), the sets they hold.
PER_SOURCE = {"epochai_chinchilla": 123, "llama_3": 266, "marin_202603": 258, "misfitting": 176, "ml_scalefit": 124}


def test_open_athena_sets_are_named_and_counted():
    sets = ds.open_athena_sets().set_index("set")
    assert list(sets.index) == [
        "open-athena:epochai-chinchilla", "open-athena:llama-3-exp-loss", "open-athena:llama-3-raw-loss",
        "open-athena:marin-comma", "open-athena:marin-dclm", "open-athena:marin-nemotron", "open-athena:misfitting",
        "open-athena:ml-scalefit"]
    assert sets["n_runs"].groupby(sets["source"]).sum().to_dict() == PER_SOURCE
    assert sets.loc["open-athena:misfitting", "n_budgets"] == 26
    assert sets.loc["open-athena:llama-3-raw-loss", "n_budgets"] == 10
    runs = ds.load_open_athena()
    assert len(runs) == sum(PER_SOURCE.values()) == 947
    assert TIDY == [c for c in runs.columns if c in TIDY]


def test_open_athena_agrees_with_its_per_source_files():
    """The harmonised table and the per-source parts hold the same runs (two files, one content)."""
    runs = ds.load_open_athena()
    for source, n in PER_SOURCE.items():
        name = f"Open-Athena/scaling-law-analysis/data/isoflops/extract/{source}/isoflops.csv"
        part = pd.read_csv(ds.fetch_external(name))
        assert len(part) == n
        mine = runs[runs["source"] == source]
        np.testing.assert_allclose(np.sort(mine["loss"]), np.sort(part["loss"]), rtol=0)
        np.testing.assert_allclose(np.sort(mine["flops"]), np.sort(part["budget"]), rtol=0)


def _marin_labels(dataset: str) -> set[float]:
    raw = pd.read_csv(ds.fetch_external(
        f"Open-Athena/scaling-law-analysis/data/isoflops/extract/marin_202603/raw/isoflop-{dataset}.csv"))
    names = raw["Name"][raw["Name"].str.startswith("isoflop-")]
    return {float(re.match(r"isoflop-([0-9.e+]+)-", n).group(1)) for n in names}


@pytest.mark.parametrize("dataset", ["comma", "dclm", "nemotron"])
def test_marin_budgets_are_already_on_the_6nd_convention(dataset):
    """Marin labels a run by about 2ND; the harmonised budgets are three times those labels."""
    runs = ds.load_open_athena(f"open-athena:marin-{dataset}")
    labels = _marin_labels(dataset)
    np.testing.assert_allclose(sorted(runs["flops"].unique()), sorted(3 * x for x in labels), rtol=1e-12)
    ratio = runs["flops"] / (6 * runs["n_params"] * runs["n_tokens"])
    # stated tolerance: the median within 1% of 1, every run within 0.74-1.08 (discrete model shapes)
    assert abs(np.median(ratio) - 1) < 0.01
    assert ratio.min() > 0.74 and ratio.max() < 1.08


def test_open_athena_exact_sets_are_6nd_to_rounding():
    runs = ds.load_open_athena()
    exact = runs[runs["source"].isin(["epochai_chinchilla", "llama_3", "misfitting"])]
    np.testing.assert_allclose(6 * exact["n_params"] * exact["n_tokens"], exact["flops"], rtol=1e-9)
    scalefit = runs[runs["source"] == "ml_scalefit"]
    ratio = scalefit["flops"] / (6 * scalefit["n_params"] * scalefit["n_tokens"])
    assert ratio.min() > 0.9 and ratio.max() < 1.12  # labels within about 10% of 6ND


def _open_athena_raw():
    return pd.read_csv(ds.fetch_external(open_athena.OPEN_ATHENA_FILE))


def _marin_at_2nd(f):
    f = f.copy()
    marin = f["source"] == "marin_202603"
    f.loc[marin, "budget"] = f.loc[marin, "budget"] / 3
    return f


@pytest.mark.parametrize("damage, message", [
    (lambda f: f.drop(columns=["budget"]), "lacks column"),
    (lambda f: f.assign(loss=f["loss"].where(f.index != 10, 0.0)), "loss of row 11"),
    (lambda f: f.assign(experiment=f["experiment"].where(f.index != 2, "")), "experiment of row 3 is empty"),
    (lambda f: pd.concat([f, f.iloc[[7]]]), "appears twice"),
    (lambda f: f.drop(f.index[(f["source"] == "misfitting") & (f["budget"] == f["budget"].min())][:1]),
     "fewer than 3 model sizes"),
    (_marin_at_2nd, "6ND convention"),
])
def test_open_athena_broken_frames_are_refused(damage, message):
    with pytest.raises(DataFileError, match=message) as err:
        open_athena.tidy_open_athena(damage(_open_athena_raw()))
    assert "\n" not in str(err.value)


def test_unknown_open_athena_set_lists_the_names():
    with pytest.raises(ValueError, match="open-athena:marin-dclm"):
        ds.load_open_athena("open-athena:marin")


def test_docstring_examples_pass():
    import doctest

    result = doctest.testmod(open_athena)
    assert result.attempted > 0 and result.failed == 0
