"""Synthetic IsoFLOP runs and cosine-schedule training curves from a known law."""

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.simulate import cosine_schedule_penalty, simulate_isoflop, simulate_training_curves
from chinchilla_lib.laws import ParametricLaw, get_law

LAW = get_law("paper")
BUDGETS = [6e18, 1e19, 3e19, 6e19, 1e20]


def test_isoflop_runs_are_tidy_and_on_budget():
    runs = simulate_isoflop(LAW, BUDGETS, n_sizes=7, width=0.5)
    assert list(runs.columns) == ["run", "budget", "n_params", "n_tokens", "flops", "loss", "loss_true", "n_opt_true"]
    assert len(runs) == 7 * len(BUDGETS)
    np.testing.assert_allclose(6 * runs["n_params"] * runs["n_tokens"], runs["flops"], rtol=1e-12)
    np.testing.assert_allclose(runs["loss"], LAW.loss(runs["n_params"].to_numpy(), runs["n_tokens"].to_numpy()))


@pytest.mark.parametrize("shift", [0.0, 0.3, -0.2])
def test_isoflop_sizes_are_centred_on_the_shifted_optimum(shift):
    runs = simulate_isoflop(LAW, BUDGETS, n_sizes=5, width=0.4, shift=shift)
    for budget, group in runs.groupby("budget"):
        n_opt, _ = LAW.optimal_allocation(budget)
        centre = np.exp(np.log(group["n_params"]).mean())
        assert centre == pytest.approx(n_opt * 10**shift, rel=1e-10)
        assert np.log10(group["n_params"].max() / group["n_params"].min()) == pytest.approx(0.8)


def test_per_budget_shift_and_noise_are_seeded():
    a = simulate_isoflop(LAW, BUDGETS, shift=np.linspace(0, 0.2, 5), noise=0.01, seed=3)
    b = simulate_isoflop(LAW, BUDGETS, shift=np.linspace(0, 0.2, 5), noise=0.01, seed=3)
    c = simulate_isoflop(LAW, BUDGETS, shift=np.linspace(0, 0.2, 5), noise=0.01, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["loss"], c["loss"])
    assert np.std(a["loss"] - a["loss_true"]) == pytest.approx(0.01, rel=0.3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"budgets": [1e19, -1.0]}, "budgets"),
        ({"budgets": [1e19, np.nan]}, "budgets"),
        ({"n_sizes": 0}, "n_sizes"),
        ({"width": 0.0}, "width"),
        ({"noise": -0.1}, "noise"),
        ({"shift": [0.0, 0.1]}, "shift"),
    ],
)
def test_isoflop_rejects_bad_inputs(kwargs, match):
    args = {"budgets": BUDGETS, **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate_isoflop(LAW, **args)


def test_cosine_penalty_is_one_at_start_and_zero_at_end():
    s = cosine_schedule_penalty([1e-9, 50.0, 100.0, 150.0], 100.0)
    np.testing.assert_allclose(s, [1.0, 0.5, 0.0, 0.0], atol=1e-12)
    assert np.all(np.diff(cosine_schedule_penalty(np.linspace(1, 100, 50), 100.0)) < 0)


def test_curves_without_penalty_are_the_law():
    curves = simulate_training_curves(LAW, [1e8, 1e9], tokens_per_param=[20.0], penalty=0.0)
    np.testing.assert_allclose(curves["loss"], LAW.loss(curves["n_params"].to_numpy(), curves["n_tokens"].to_numpy()))
    np.testing.assert_allclose(curves["flops"], 6 * curves["n_params"] * curves["n_tokens"])


def test_a_long_cycle_is_worse_part_way_than_a_cycle_ending_there():
    curves = simulate_training_curves(LAW, [4e8], tokens_per_param=[10.0, 40.0], penalty=0.05, n_points=200)
    short, long_ = (g for _, g in curves.groupby("horizon"))
    end = short.iloc[-1]
    assert end["loss"] == pytest.approx(LAW.loss(end["n_params"], end["n_tokens"]), rel=1e-12)
    long_at_end = np.interp(np.log(end["n_tokens"]), np.log(long_["n_tokens"]), long_["loss"])
    assert long_at_end > end["loss"] + 1e-3
    assert long_.iloc[-1]["loss"] == pytest.approx(LAW.loss(4e8, 40 * 4e8), rel=1e-12)


def test_curves_ids_and_seeded_noise():
    law = ParametricLaw(1.7, 400.0, 400.0, 0.3, 0.3)
    a = simulate_training_curves(law, [1e8, 2e8], noise=0.02, seed=1)
    b = simulate_training_curves(law, [1e8, 2e8], noise=0.02, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert a["model"].nunique() == 2 and a["run"].nunique() == 8
    assert (a.groupby("run")["n_params"].nunique() == 1).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_params": [0.0]}, "n_params"), ({"penalty": -1.0}, "penalty"), ({"start_fraction": 1.5}, "start_fraction"),
     ({"tokens_per_param": []}, "tokens_per_param")],
)
def test_curves_reject_bad_inputs(kwargs, match):
    args = {"n_params": [1e8], **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate_training_curves(LAW, **args)
