"""Approach 1 (training-curve envelope, Hoffmann et al. Section 3.1, Figure 2)."""

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.envelope import fit_envelope, lower_envelope
from chinchilla_lib.approaches.simulate import simulate_training_curves
from chinchilla_lib.laws import ParametricLaw, get_law

LAW = get_law("paper")
SIZES = np.geomspace(1e7, 1e11, 41)  # neighbours 1.26x apart


def analytic_curves(law, sizes=SIZES):
    """One long, schedule-free curve per size: loss = law.loss(N, D) all along."""
    return simulate_training_curves(law, sizes, tokens_per_param=[1e4], start_fraction=1e-6, n_points=300,
                                    penalty=0.0)


@pytest.mark.parametrize("law", [LAW, ParametricLaw(1.7, 400.0, 300.0, 0.3, 0.3)], ids=["paper", "alpha=beta"])
def test_envelope_of_analytic_curves_recovers_a_within_0005(law):
    # Tolerance: the argmin is a staircase over sizes 1.26x apart; over 4 decades of C
    # that limits the slope error to about ln(1.26) / ln(1e4) / 2 ~ 0.013 at worst, ~0.001 in practice.
    fit = fit_envelope(analytic_curves(law), flops_range=(1e18, 1e22))
    assert fit.a == pytest.approx(law.a, abs=0.005)
    assert fit.b == pytest.approx(law.b, abs=0.005)
    assert fit.n_models >= 10 and len(fit.envelope) == 1500
    n_opt, _ = law.optimal_allocation(1e20)
    assert fit.n_opt(1e20) == pytest.approx(n_opt, rel=0.1)


def test_envelope_is_the_minimum_over_curves():
    curves = analytic_curves(LAW, SIZES[::8])
    env = lower_envelope(curves, n_grid=200)
    for _, curve in curves.groupby("run"):
        inside = (env["flops"] >= curve["flops"].min()) & (env["flops"] <= curve["flops"].max())
        interp = np.interp(np.log(env.loc[inside, "flops"]), np.log(curve["flops"]), curve["loss"])
        assert np.all(env.loc[inside, "loss"] <= interp + 1e-12)
    chosen = env.iloc[100]
    direct = LAW.loss(chosen["n_params"], chosen["n_tokens"])
    assert chosen["loss"] == pytest.approx(direct, rel=1e-3)  # linear interpolation in log C
    assert (env["n_curves"] >= 2).all()
    np.testing.assert_allclose(env["n_tokens"], env["flops"] / (6 * env["n_params"]))


def test_min_overlap_removes_flops_reached_by_one_curve():
    curves = analytic_curves(LAW, [1e8, 1e9])
    single = lower_envelope(curves, min_overlap=1, n_grid=300)
    double = lower_envelope(curves, min_overlap=2, n_grid=300)
    assert len(double) < len(single)
    lo = max(g["flops"].min() for _, g in curves.groupby("run"))
    hi = min(g["flops"].max() for _, g in curves.groupby("run"))
    assert double["flops"].min() >= lo * (1 - 1e-12) and double["flops"].max() <= hi * (1 + 1e-12)


def test_tokens_instead_of_flops_and_model_column():
    curves = analytic_curves(LAW, SIZES[::10]).drop(columns=["flops", "run"])
    env = lower_envelope(curves, n_grid=100)
    assert set(env["curve"]) <= set(curves["model"])


def test_smoothing_reduces_noise():
    curves = simulate_training_curves(LAW, [1e8, 1.1e8], tokens_per_param=[1e3], penalty=0.0, noise=0.02,
                                      n_points=400, start_fraction=1e-2, seed=0)
    truth = lower_envelope(curves.assign(loss=curves["loss_true"]), n_grid=300)
    raw = lower_envelope(curves, n_grid=300)
    smooth = lower_envelope(curves, n_grid=300, smooth=0.05)
    assert np.std(smooth["loss"] - truth["loss"]) < 0.5 * np.std(raw["loss"] - truth["loss"])


def test_schedule_penalty_with_few_horizons_biases_approach_1():
    """Bias study: four horizons per model (tokens = r N, r spanning 16x) and a 5% cosine penalty
    make end-of-cycle points (N ~ C^0.5) win the envelope; many horizons remove the bias."""
    sizes = np.geomspace(1e7, 1e11, 17)
    few = fit_envelope(simulate_training_curves(LAW, sizes, penalty=0.05), flops_range=(1e18, 1e21))
    many = fit_envelope(simulate_training_curves(LAW, sizes, penalty=0.05, tokens_per_param=np.geomspace(1, 1e3, 13)),
                        flops_range=(1e18, 1e21))
    assert few.a - LAW.a > 0.02
    assert abs(many.a - LAW.a) < 0.005


@pytest.mark.parametrize(
    "curves, kwargs, match",
    [
        (pd.DataFrame({"n_params": [1e8, 2e8], "loss": [3.0, 2.0]}), {}, "flops or n_tokens"),
        (pd.DataFrame({"run": [0, 0], "n_params": [1e8, 2e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}), {},
         "mixes model sizes"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, -2.9]}), {}, "loss"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}),
         {"flops_range": (2e18, 1e18)}, "flops_range"),
        (pd.DataFrame({"n_params": [1e8, 1e8], "flops": [1e18, 2e18], "loss": [3.0, 2.9]}), {}, "covered by 2"),
        ("not a frame", {}, "DataFrame"),
    ],
)
def test_bad_curves_are_rejected(curves, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lower_envelope(curves, **kwargs)


def test_single_model_envelope_cannot_be_fitted():
    curves = analytic_curves(LAW, [1e8, 1e11])
    with pytest.raises(ValueError, match="at least 2 sizes"):
        fit_envelope(curves, flops_range=(1e18, 1e19), min_overlap=1)


# ------------------------------------------------------------ the mathematical core
def test_envelope_argmin_of_a_hand_made_grid():
    from chinchilla_lib.approaches.envelope import envelope_argmin

    nan = np.nan
    losses = np.array([[3.0, 2.5, 2.2, nan],
                       [nan, 2.4, 2.3, 2.1],
                       [nan, nan, 2.0, 2.2]])
    keep, best, lowest, count = envelope_argmin(losses, min_overlap=2)
    np.testing.assert_array_equal(count, [1, 2, 3, 2])
    np.testing.assert_array_equal(keep, [False, True, True, True])
    np.testing.assert_array_equal(best, [1, 2, 1])
    np.testing.assert_allclose(lowest, [2.4, 2.0, 2.1])
    keep1, best1, lowest1, _ = envelope_argmin(losses, min_overlap=1)
    assert keep1.all() and best1[0] == 0 and lowest1[0] == 3.0


def test_curve_on_grid_interpolates_in_log_flops_and_never_extrapolates():
    from chinchilla_lib.approaches.envelope import curve_on_grid

    curve = pd.DataFrame({"flops": [1e18, 1e20, 1e20], "loss": [3.0, 2.0, 2.2]})  # duplicate FLOPs averaged
    log_grid = np.log([1e17, 1e18, 1e19, 1e20, 1e21])
    out = curve_on_grid(curve, log_grid, 0.0)
    assert np.isnan(out[0]) and np.isnan(out[4])
    np.testing.assert_allclose(out[1:4], [3.0, 2.55, 2.1])  # 1e19 is halfway in ln C: (3.0 + 2.1) / 2
    flat = pd.DataFrame({"flops": np.geomspace(1e18, 1e20, 5), "loss": 2.5})
    np.testing.assert_allclose(curve_on_grid(flat, np.linspace(np.log(1e18), np.log(1e20), 50), 3.0), 2.5)


def test_fit_interior_envelope_recovers_a_and_starts_and_ends_on_interior_sizes():
    from chinchilla_lib.approaches.envelope import fit_interior_envelope

    sizes = SIZES[::4]
    fit = fit_interior_envelope(analytic_curves(LAW, sizes), n_grid=400)
    # 11 sizes 2.5x apart over about 6 decades of C: resolution ln(2.5) / ln(1e6) ~ 0.07, ~0.01 in practice
    assert fit.a == pytest.approx(LAW.a, abs=0.02)
    ends = fit.envelope["n_params"].iloc[[0, -1]]
    assert ((ends > sizes.min()) & (ends < sizes.max())).all()
