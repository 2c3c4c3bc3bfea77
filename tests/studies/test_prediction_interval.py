"""The seed noise of repeated runs and the interval that adds it to a law's bootstrap spread, against hand values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.studies.prediction_interval import combined_interval, pooled_seed_noise, resampled_losses

#: The normal quantiles by hand (tables): Phi^-1(0.9) and Phi^-1(0.2).
Z90, Z20 = 1.2815515655446004, -0.8416212335729143


def _pairs(budgets, models, first, second) -> pd.DataFrame:
    rows = [{"budget": b, "model": m, "seed": 0, "loss": x} for b, m, x in zip(budgets, models, first)]
    rows += [{"budget": b, "model": m, "seed": 1, "loss": x} for b, m, x in zip(budgets, models, second)]
    return pd.DataFrame(rows)


def test_pairs_pool_to_the_rms_difference_over_root_two():
    # differences 0.02, -0.04 (budget 1) and 0.04 (budget 2): sum d^2 = 0.0036 over 2 n = 6 -> sqrt(0.0006);
    # budget 1: sqrt(0.0020 / 4) = sqrt(0.0005); budget 2: sqrt(0.0016 / 2) = sqrt(0.0008)
    runs = _pairs([1.0, 1.0, 2.0], ["g01", "g02", "g01"], [2.00, 2.10, 1.90], [2.02, 2.06, 1.94])
    runs.loc[len(runs)] = {"budget": 2.0, "model": "g02", "seed": 0, "loss": 1.8}  # one seed: no pair
    noise = pooled_seed_noise(runs)
    assert noise["sd"] == pytest.approx(math.sqrt(0.0006), rel=1e-9)
    assert (noise["n_groups"], noise["dof"]) == (3, 3)
    per = {row["budget"]: row for row in noise["per_budget"]}
    assert per[1.0]["sd"] == pytest.approx(math.sqrt(0.0005), rel=1e-9) and per[1.0]["n_groups"] == 2
    assert per[2.0]["sd"] == pytest.approx(math.sqrt(0.0008), rel=1e-9) and per[2.0]["n_groups"] == 1


def test_a_group_of_three_seeds_counts_two_degrees_of_freedom():
    # 1.0, 1.1, 1.2: squares about the mean 0.02, dof 2; pair 2.0, 2.1: 0.005, dof 1 -> sqrt(0.025 / 3)
    runs = pd.DataFrame({"budget": [1.0] * 5, "model": ["a", "a", "a", "b", "b"], "seed": [0, 1, 2, 0, 1],
                         "loss": [1.0, 1.1, 1.2, 2.0, 2.1]})
    noise = pooled_seed_noise(runs)
    assert noise["sd"] == pytest.approx(math.sqrt(0.025 / 3), rel=1e-9) and noise["dof"] == 3


def test_the_log_scale_of_a_pair():
    # ln(2 e^0.02) - ln 2 = 0.02 exactly: sd_log = 0.02 / sqrt 2
    noise = pooled_seed_noise(_pairs([1.0], ["g01"], [2.0], [2.0 * math.exp(0.02)]))
    assert noise["sd_log"] == pytest.approx(0.02 / math.sqrt(2), rel=1e-9)


def test_many_pairs_of_known_noise_recover_it():
    rng = np.random.default_rng(7)
    n, sd = 5000, 0.01  # the estimate's own relative scatter is 1 / sqrt(2 n) = 1%
    truth = rng.uniform(1.8, 2.6, n)
    runs = _pairs(np.repeat([1.0, 2.0], n // 2), [f"m{i}" for i in range(n)], truth + rng.normal(0, sd, n),
                  truth + rng.normal(0, sd, n))
    assert pooled_seed_noise(runs)["sd"] == pytest.approx(sd, rel=0.04)


def test_no_pairs_and_missing_columns_are_refused_in_one_line():
    single = pd.DataFrame({"budget": [1.0], "model": ["g01"], "seed": [0], "loss": [2.0]})
    with pytest.raises(ValueError, match="^runs has no budget and size trained with two or more seeds") as exc:
        pooled_seed_noise(single)
    assert "\n" not in str(exc.value)
    with pytest.raises(ValueError, match="^runs lacks column"):
        pooled_seed_noise(single.drop(columns="seed"))


def test_no_fit_spread_leaves_the_normal_interval_of_the_noise():
    # every resampled law at 2.0, one run's noise 0.01: 2.0 -/+ 1.28155 x 0.01; the mean of 4 seeds halves it
    lo, hi = combined_interval(np.full(400, 2.0), 0.01, 0.8)
    assert (lo, hi) == pytest.approx((2.0 - Z90 * 0.01, 2.0 + Z90 * 0.01), abs=1e-9)
    lo4, hi4 = combined_interval(np.full(400, 2.0), 0.01, 0.8, n_seeds=4)
    assert hi4 - lo4 == pytest.approx(Z90 * 0.01, abs=1e-9)


def test_two_separate_laws_put_each_tail_in_one_component():
    # laws at 2.0 and 2.1, noise 0.01: the lower 10% is the lower 20% of the first component (the second
    # contributes Phi(-10.8) ~ 1e-27): 2.0 + 0.01 Phi^-1(0.2); the upper 10% likewise from 2.1
    lo, hi = combined_interval([2.0, 2.1], 0.01, 0.8)
    assert lo == pytest.approx(2.0 + 0.01 * Z20, abs=1e-9)
    assert hi == pytest.approx(2.1 - 0.01 * Z20, abs=1e-9)


def test_no_noise_is_the_percentile_interval_of_the_laws():
    assert combined_interval(np.arange(101.0), 0.0, 0.8) == pytest.approx((10.0, 90.0))


def test_the_mixture_agrees_with_random_draws():
    # second route: a law drawn at random, plus one draw of the noise, 400,000 times (seeded)
    rng = np.random.default_rng(3)
    laws = 2.0 + rng.gamma(2.0, 0.01, 300)
    draws = rng.choice(laws, 400_000) + rng.normal(0.0, 0.015, 400_000)
    expected = np.percentile(draws, [10, 90])
    assert combined_interval(laws, 0.015, 0.8) == pytest.approx(tuple(expected), abs=4e-4)


@pytest.mark.parametrize("noise, seeds, fix", [(-0.01, 1, "noise_sd"), (float("nan"), 1, "noise_sd"),
                                               (0.01, 0, "n_seeds"), (0.01, 1.5, "n_seeds")])
def test_bad_noise_or_seeds_are_refused(noise, seeds, fix):
    with pytest.raises(ValueError, match=f"^{fix} must be"):
        combined_interval([2.0], noise, 0.8, n_seeds=seeds)
    with pytest.raises(ValueError, match="^losses must hold"):
        combined_interval([float("nan")], 0.01)


def test_resampled_losses_are_eq_2_under_each_converged_law():
    # E = 1, A / N^alpha = 100 / 1e4^0.5 = 1, B / D^beta = 1000 / 1e6^0.5 = 1: L = 3; the second law (E = 2)
    # did not converge and is left out
    samples = pd.DataFrame({"log_E": np.log([1.0, 2.0]), "log_A": np.log([100.0, 100.0]),
                            "log_B": np.log([1000.0, 1000.0]), "alpha": [0.5, 0.5], "beta": [0.5, 0.5],
                            "converged": [True, False]})
    assert resampled_losses(samples, 1e4, 1e6) == pytest.approx([3.0])
