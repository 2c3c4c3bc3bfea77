"""The three approaches on a grid of finished runs (run_grid), on simulated grids with a known law."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.run_grid import (
    MIN_BUDGETS,
    grid_approach,
    grid_approach1,
    grid_approach2,
    grid_approach3,
    grid_frame,
    isoflop_slices,
    size_curves,
    slice_budgets,
)
from chinchilla_lib.laws import ParametricLaw

# Sardana et al.'s default Chinchilla constants; a = beta / (alpha + beta) by Eq. (4).
LAW = ParametricLaw(E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283, name="test")
TRUE_A = 0.283 / (0.336 + 0.283)


def _grid(sizes, tpp, *, noise=0.0, seed=0, law=LAW) -> pd.DataFrame:
    n, r = (a.ravel() for a in np.meshgrid(np.asarray(sizes, float), np.asarray(tpp, float)))
    d = n * r
    loss = law.loss(n, d) * np.exp(noise * np.random.default_rng(seed).standard_normal(n.size))
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": loss})


SIZES = np.geomspace(2e7, 2e9, 13)
TPP = np.geomspace(2, 400, 12)


@pytest.fixture(scope="module")
def noisy():
    return _grid(SIZES, TPP, noise=0.004, seed=1)


@pytest.mark.parametrize("approach", [2, 3])
def test_approaches_2_and_3_recover_the_law_within_their_interval(noisy, approach):
    res = grid_approach(noisy, approach, n_resamples=60, seed=0)
    lo, hi = res.interval
    assert lo <= TRUE_A <= hi, (res.a, res.interval)
    assert abs(res.a - TRUE_A) < 0.05
    assert res.n_runs == len(noisy) and res.n_sizes == SIZES.size


@pytest.mark.parametrize("approach", [2, 3])
def test_tokens_per_parameter_interval_holds_the_laws_ratio_at_the_median_compute(noisy, approach):
    res = grid_approach(noisy, approach, n_resamples=60, seed=0)
    c = float(np.exp(np.median(np.log(6 * noisy["n_params"] * noisy["n_tokens"]))))  # by hand: 6ND's median
    assert res.reference_flops == pytest.approx(c, rel=1e-12)
    n_opt, d_opt = LAW.optimal_allocation(c)  # Eq. 4 of the generating law, a second implementation
    lo, hi = res.tpp_interval()
    assert lo <= float(d_opt / n_opt) <= hi and res.quality.verdict in ("decided", "flagged")


def test_approach1_recovers_the_law_within_its_interval_and_the_staircase_resolution(noisy):
    res = grid_approach1(noisy, n_resamples=40, seed=0)
    # the argmin is a staircase over sizes a factor 10**(2/12) apart: its resolution in a is
    # ln(size ratio) / ln(range of C fitted) (envelope.py's docstring), by hand here
    env = res.fit.envelope
    resolution = math.log(SIZES[1] / SIZES[0]) / math.log(env["flops"].max() / env["flops"].min())
    lo, hi = res.interval
    assert lo - resolution <= TRUE_A <= hi + resolution, (res.a, res.interval, resolution)
    assert abs(res.a - TRUE_A) < 0.05


def test_interpolated_isoflop_slice_matches_the_exact_law():
    # ln L against x = ln D at fixed N is ln(K + B e^{-beta x}); its second derivative is beta^2 g (1 - g)
    # with g in (0, 1), at most beta^2 / 4, so linear interpolation between runs h = ln 2 apart errs by
    # at most h^2 / 8 * beta^2 / 4.
    tpp = 2.0 ** np.arange(1, 10)
    grid = grid_frame(_grid(SIZES, tpp))
    budgets = np.geomspace(1e18, 1e21, 7)
    slices = isoflop_slices(grid, budgets)
    assert len(slices) > 20
    exact = LAW.loss(slices["n_params"].to_numpy(), slices["budget"].to_numpy() / (6 * slices["n_params"].to_numpy()))
    bound = math.log(2) ** 2 / 8 * 0.283**2 / 4
    assert np.max(np.abs(np.log(slices["loss"].to_numpy() / exact))) <= bound
    # never extrapolated: every slice point lies inside its size's own token range
    tpp_read = slices["n_tokens"] / slices["n_params"]
    assert tpp_read.min() >= tpp.min() * (1 - 1e-12) and tpp_read.max() <= tpp.max() * (1 + 1e-12)
    assert np.allclose(6 * slices["n_params"] * slices["n_tokens"], slices["budget"])


def test_slice_budgets_are_reached_by_three_sizes():
    grid = grid_frame(_grid(SIZES, TPP))
    curves = size_curves(grid)
    for c in slice_budgets(grid):
        assert sum(cv["flops"].min() <= c <= cv["flops"].max() for cv in curves.values()) >= 3


def test_bootstrap_is_seeded():
    runs = _grid(SIZES[::2], TPP[::2], noise=0.005, seed=3)
    first = grid_approach2(runs, n_resamples=20, seed=5)
    again = grid_approach2(runs, n_resamples=20, seed=5)
    assert first.interval == again.interval
    assert np.array_equal(first.samples, again.samples, equal_nan=True)


def test_too_few_sizes_is_refused():
    runs = _grid([1e8, 3e8], TPP)
    for approach in (1, 2):
        with pytest.raises(ValueError, match="only 2 model size"):
            grid_approach(runs, approach, n_resamples=5)


def test_sizes_with_one_run_each_do_not_make_curves():
    runs = pd.DataFrame({"n_params": [1e8, 2e8, 4e8, 8e8], "n_tokens": [2e9, 4e9, 8e9, 1.6e10],
                         "loss": [3.0, 2.9, 2.8, 2.7]})
    with pytest.raises(ValueError, match="only 0 model size"):
        grid_approach1(runs, n_resamples=5)


def test_unbracketed_slices_are_refused():
    # every size is trained on 0.5-4 tokens per parameter, far below the optimum (about 20): at every
    # budget the smallest size reaching it has the lowest loss, so no slice brackets its minimum
    runs = _grid(np.geomspace(1e9, 1e10, 6), np.geomspace(0.5, 4, 5))
    with pytest.raises(ValueError, match=f"Approach 2 needs {MIN_BUDGETS}"):
        grid_approach2(runs, n_resamples=5)


def test_ill_conditioned_approach3_is_refused():
    # three close sizes and token counts with 2% noise: E cannot be told apart from A/N^alpha + B/D^beta
    # (on these runs the fit drives E to its bound, zero)
    runs = _grid([1e8, 1.5e8, 2.2e8], [20, 30, 45], noise=0.02, seed=2)
    with pytest.raises(ValueError, match="ill-conditioned"):
        grid_approach3(runs, n_resamples=40)


@pytest.mark.parametrize(
    "runs, match",
    [
        ([1, 2], "DataFrame"),
        (pd.DataFrame({"n_params": [1e8], "loss": [3.0]}), "n_tokens"),
        (pd.DataFrame({"n_params": [1e8, -1.0], "n_tokens": [1e9, 1e9], "loss": [3.0, 3.0]}), "n_params"),
        (pd.DataFrame({"n_params": [1e8], "n_tokens": [1e9], "loss": [float("nan")]}), "loss"),
    ],
)
def test_bad_grids_are_refused_with_the_argument_named(runs, match):
    with pytest.raises(ValueError, match=match):
        grid_frame(runs)


def test_bad_options_are_refused():
    runs = _grid(SIZES[::3], TPP[::3])
    with pytest.raises(ValueError, match="approach must be 1, 2 or 3"):
        grid_approach(runs, 4)
    with pytest.raises(ValueError, match="n_resamples"):
        grid_approach2(runs, n_resamples=0)
    with pytest.raises(ValueError, match="size_tol"):
        grid_frame(runs, size_tol=-1.0)


def test_size_tol_merges_digitised_sizes():
    runs = pd.DataFrame({"n_params": [1e8, 1.00001e8, 3e8], "n_tokens": [1e9, 2e9, 1e9], "loss": [3.0, 2.9, 2.8]})
    merged = grid_frame(runs, size_tol=1e-3)
    assert merged["n_params"].nunique() == 2
    assert merged["n_params"].iloc[0] == pytest.approx(math.sqrt(1e8 * 1.00001e8))
    assert grid_frame(runs)["n_params"].nunique() == 3


def test_approach3_with_a_wide_bootstrap_range_of_E_is_refused():
    # 5 sizes and 4 token counts around the optimum with 1% noise: E is fitted, but its bootstrap range
    # is wider than MAX_E_SPREAD of it when the threshold is lowered to 1% (a well-posed fit on these
    # runs could not pin E that tightly)
    runs = _grid(np.geomspace(1e8, 2e9, 5), [10, 20, 40, 80], noise=0.01, seed=2)
    with pytest.raises(ValueError, match="ill-conditioned.*bootstrap range"):
        grid_approach3(runs, n_resamples=40, max_e_spread=0.01)
