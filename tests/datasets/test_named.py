"""datasets.named: every named set of runs, its columns and units, and which approach takes it."""

from __future__ import annotations

import numpy as np
import pytest

from chinchilla_lib.datasets.named import NAMED_SETS, curve_sets, data_names, fit_frame, named_runs, named_set


@pytest.mark.parametrize("name", list(NAMED_SETS))
def test_every_named_set_loads_with_positive_runs(name):
    runs = named_runs(name)
    spec = NAMED_SETS[name]
    columns = ["n_params", "n_tokens", "flops", "loss"]
    assert set(columns) <= set(runs.columns) and len(runs) > 0
    values = runs[columns].to_numpy(float)
    assert np.isfinite(values).all() and (values > 0).all()
    if spec.design == "grid":  # compute is 6 N D on grids (budgets are not shared)
        assert np.allclose(runs["flops"], 6 * runs["n_params"] * runs["n_tokens"], rtol=1e-9)
    assert spec.design in ("isoflop", "grid", "curves") and spec.choice and spec.title


def test_names_and_what_each_approach_takes():
    assert data_names()[-1] == "porian:NAME" and set(NAMED_SETS) <= set(data_names())
    assert "llama-1" in curve_sets() and "hoffmann-fig4" not in curve_sets()
    with pytest.raises(ValueError, match="hoffmann-fig4 holds final losses, not training curves"):
        fit_frame("hoffmann-fig4", 1)
    with pytest.raises(ValueError, match="llama-1 holds training curves, not final losses"):
        fit_frame("llama-1", 3)
    with pytest.raises(ValueError, match="porian runs are IsoFLOP profiles"):
        fit_frame("porian:anything", 3)
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        named_set("nope")


def test_the_named_figure4_points_are_the_loader_s():
    from chinchilla_lib.datasets import REPLICATION_EXCLUDED, load_hoffmann_fig4

    raw = load_hoffmann_fig4(exclude_highest_loss=REPLICATION_EXCLUDED)
    runs = named_runs("hoffmann-fig4")
    assert len(runs) == 240 and np.array_equal(runs["loss"].to_numpy(), raw["loss"].to_numpy())
    assert len(named_runs("hoffmann-fig4:all")) == 245


def test_muennighoff_keeps_one_epoch_runs_only():
    from chinchilla_lib.datasets import load_muennighoff_runs

    raw = load_muennighoff_runs()
    assert len(named_runs("muennighoff")) == int((raw["epochs"] <= 1 + 1e-9).sum()) < len(raw)


def test_olmo_noise_floor_from_the_rerun_pairs_by_hand():
    # sd of one run = sd of a pair's difference / sqrt(2); the pairs are each size's 1xC run and its rerun,
    # read here from the checkpoints (the last of each run), not from the finished-runs table.
    from chinchilla_lib.datasets import load_olmo_ladder_curves
    from chinchilla_lib.datasets.named import olmo_noise_floor

    ends = load_olmo_ladder_curves().groupby("run").tail(1).set_index("run")["loss"]
    sizes = ("190M", "370M", "760M", "1B", "3B")
    diffs = np.array([ends[f"{m}-1xC-rerun"] - ends[f"{m}-1xC"] for m in sizes])
    assert olmo_noise_floor() == pytest.approx(np.sqrt(np.sum(diffs ** 2) / (2 * len(sizes))))
    assert NAMED_SETS["olmo-ladder"].noise_floor() == olmo_noise_floor() and NAMED_SETS["gemstones"].noise_floor() is None


def test_curves_of_the_grid_sets_are_the_paper_s_selection():
    from chinchilla_lib.datasets import load_gemstones_runs, load_olmo_ladder_curves

    every = load_olmo_ladder_curves()
    olmo = named_set("olmo-ladder").load_curves()
    assert olmo["run"].nunique() == 30 and len(olmo) == int((every["schedule_fraction"] >= 0.85 - 1e-12).sum())
    gem, cooled = named_set("gemstones").load_curves(), load_gemstones_runs()
    assert gem["run"].nunique() == cooled["model"].nunique() and len(gem) == len(cooled)


def test_open_athena_names_are_the_loader_s_sets():
    from chinchilla_lib.datasets import open_athena_sets

    named = sorted(n for n in NAMED_SETS if n.startswith("open-athena:"))
    assert named == sorted(open_athena_sets()["set"])
    assert len(named_runs("open-athena:marin-dclm")) == int(
        open_athena_sets().set_index("set").loc["open-athena:marin-dclm", "n_runs"])


def test_the_reference_table_names_every_set_once():
    from chinchilla_lib.datasets.named import named_sets_table

    table = named_sets_table()
    assert list(table["name"]) == data_names() and table["name"].is_unique
    assert table.set_index("name").loc["llama-1", "backtest"] == "no"
    assert table.set_index("name").loc["olmo-ladder", "fit --approach"] == "1, 2, 3"
