"""Pearce & Song, Porian-steps and schedule studies, and the kaplan.* rows."""

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib import embeddings as emb
from chinchilla_lib.studies import pearce_song as ps
from chinchilla_lib.studies import porian, schedules
from chinchilla_lib.datasets import load_table, paper_value
from chinchilla_lib.laws import get_law
from chinchilla_lib.checks import scorecard
from chinchilla_lib.simulate import simulate_training_curves


# ------------------------------------------------------------ reference values
def test_reference_values_come_from_data():
    assert ds.paper_value("pearce_song.gamma") == paper_value("pearce_song.gamma")
    with pytest.raises(KeyError):
        ds.paper_value("no-such-id")


def test_pearce_song_gamma_is_their_definition_and_close_to_their_number():
    gamma = ps.pearce_song_gamma()
    vocab, rho = ds.paper_value("chinchilla.vocab_size"), ds.paper_value("pearce_song.aspect_ratio")
    assert gamma == pytest.approx(vocab * (rho / 12) ** (1 / 3), rel=1e-12)
    assert gamma == pytest.approx(ds.paper_value("pearce_song.gamma"), rel=5e-4)


def test_pearce_song_grids_shape_and_ends():
    grids = ps.pearce_song_grids()
    assert [grids[k].size for k in ("n_nonembed", "n_tokens", "flops")] == [20, 1000, 100]
    for values in grids.values():
        assert np.all(np.diff(np.log(values)) > 0)
    assert math.log10(grids["flops"][0]) == pytest.approx(ds.paper_value("pearce_song.grid.log10_flops_min"))


@pytest.mark.parametrize("key, law", [("replication", "replication"), ("paper", "paper-full")])
def test_pearce_song_exponents_reproduced(key, law):
    ours = ps.pearce_song_exponent(law)
    assert ours == pytest.approx(paper_value(f"pearce_song.local_exponent.{key}"), abs=0.005)
    # their printed gamma instead of the one from the definition changes nothing at 1e-3
    assert ps.pearce_song_exponent(law, ds.paper_value("pearce_song.gamma")) == pytest.approx(ours, abs=1e-3)


def test_exponent_variants_table():
    table = ps.exponent_variants().set_index("law")
    assert list(table.index) == ["replication", "paper", "paper-full"]
    for name, row in table.iterrows():
        law = get_law(name)
        assert row["limit"] == pytest.approx(law.a)
        # Kaplan's procedure sits far above Chinchilla's exponent; fixed total compute in between
        assert row["limit"] < row["total"] < min(row["grid"], row["window"], row["range_ps_gamma"])
        assert 0.73 < row["range_fit_gamma"] < 0.80
    assert table.loc["replication", "grid"] == pytest.approx(ps.pearce_song_exponent("replication"))


def test_local_exponent_peak_matches_closed_form_maximum():
    gamma = ps.pearce_song_gamma()
    n_peak, peak = ps.local_exponent_peak("paper-full", gamma)
    law = get_law("paper-full")
    assert peak > law.beta / (law.alpha / 3 + law.beta) and peak > law.a
    neighbours = emb.local_exponent(np.array([n_peak / 1.5, n_peak * 1.5]), law, gamma)
    assert np.all(neighbours < peak)
    assert 1e5 < n_peak < gamma**1.5  # before embeddings and the rest weigh alike


# ---------------------------------------------------------------------- Porian
def test_porian_steps_picks_the_figure_1_sequence():
    names = ["-".join([d, *fields]) for d in ("rw", "owt2") for _, *fields in ds.PORIAN_STEPS]
    exponents = pd.DataFrame({"configuration": names, "theirs": np.arange(len(names), dtype=float),
                              "ours": np.arange(len(names), dtype=float) + 0.5})
    steps = porian.porian_steps(exponents)
    assert list(steps["step"]) == list(range(len(ds.PORIAN_STEPS)))
    assert list(steps["theirs_rw"]) == list(range(len(ds.PORIAN_STEPS)))
    assert np.all(steps["ours_owt2"] - steps["theirs_owt2"] == 0.5)
    with pytest.raises(ValueError, match="porian_exponents"):
        porian.porian_steps(exponents.iloc[1:])


def test_porian_steps_on_the_real_runs_fall_from_kaplan_to_chinchilla():
    from chinchilla_lib.datasets import porian_configurations

    table = porian_configurations().rename(columns={"n_exponent": "theirs"}).assign(ours=np.nan)
    steps = porian.porian_steps(table)
    for d in ("rw", "owt2"):
        assert np.all(np.diff(steps[f"theirs_{d}"]) < 0)  # every correction lowers the exponent
        assert steps[f"theirs_{d}"].iloc[0] > 0.8 and steps[f"theirs_{d}"].iloc[-1] < 0.53


# ----------------------------------------------------------- fixed schedules
def test_optimum_flops_range_inverts_the_law():
    law = get_law("paper-full")
    lo, hi = schedules.optimum_flops_range(law, 1e8, 1e10)
    assert law.optimal_allocation(np.array([lo, hi]))[0] == pytest.approx([1e8, 1e10], rel=1e-9)
    with pytest.raises(ValueError, match="n_low < n_high"):
        schedules.optimum_flops_range(law, 1e10, 1e8)


def test_fixed_schedule_curves_share_one_cycle():
    law = get_law("paper-full")
    curves = schedules.fixed_schedule_curves(law, [1e8, 1e9], 2e10, penalty=0.05, n_points=30)
    assert set(curves["horizon"]) == {2e10}
    assert curves["run"].nunique() == 2 and curves.groupby("run")["n_params"].nunique().eq(1).all()
    one = simulate_training_curves(law, [1e8], tokens_per_param=[200.0], penalty=0.05, n_points=30,
                                   start_fraction=1e-4)
    mine = curves[curves["n_params"] == 1e8]
    assert mine["loss_true"].to_numpy() == pytest.approx(one["loss_true"].to_numpy(), rel=1e-12)


def test_schedule_study_without_penalty_recovers_the_law_and_fixed_cycle_lowers_it():
    law = get_law("paper-full")
    sizes = np.geomspace(3e7, 3e9, 21)
    table = schedules.schedule_exponents(law, sizes, horizons_tpp=[20, 320], penalties=[0.0, 0.05]).set_index("penalty")
    assert table.loc[0.0].to_numpy() == pytest.approx(np.full(3, law.a), abs=0.005)
    # a cycle shared by all runs favours the small models (lower a); a very long one is harmless
    assert table.loc[0.05, "fixed 20"] < law.a - 0.03
    assert table.loc[0.05, "fixed 320"] == pytest.approx(law.a, abs=0.005)


def test_bad_input_raises():
    law = get_law("paper-full")
    with pytest.raises(ValueError, match="n_params"):
        schedules.schedule_fits(law, np.geomspace(1e7, 1e9, 5), horizons_tpp=[20], penalty=0.05)
    with pytest.raises(ValueError, match="horizon"):
        schedules.fixed_schedule_curves(law, [1e8, 1e9], 0.0)
    with pytest.raises(ValueError, match="gamma"):
        ps.pearce_song_exponent("paper", gamma=-1.0)


# ------------------------------------------------------------------- scorecard
def test_kaplan_scorecard_rows():
    card = scorecard("kaplan.").set_index("id")
    expected = {"kaplan.a": "reproduced", "kaplan.a_theory": "differs", "kaplan.d4.n_kaplan": "reproduced",
                "kaplan.d4.n_approach1": "reproduced", "kaplan.local_exponent.replication": "reproduced",
                "kaplan.local_exponent.paper": "reproduced"}
    assert card["status"].to_dict() == expected
    assert card.loc["kaplan.local_exponent.paper", "ours"] == pytest.approx(0.7388, abs=5e-4)
    assert card.loc["kaplan.local_exponent.replication", "ours"] == pytest.approx(0.7805, abs=5e-4)
