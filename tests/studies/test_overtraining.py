"""Studies of over-training: the post's claims, extrapolation to over-trained runs, repetition, inference sizing."""

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws.inference import inference_optimum, max_shrink
from chinchilla_lib.studies import inference_sizing as sizing
from chinchilla_lib.studies import llama
from chinchilla_lib.studies import overtrained_runs as ot

LAW = ParametricLaw(1.8, 400.0, 1200.0, 0.35, 0.33)


def _synthetic_runs(law=LAW):
    n = np.repeat([1e8, 3e8, 1e9], 6)
    tpp = np.tile([10, 20, 40, 100, 300, 1000], 3)
    d = n * tpp
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss_x": law.loss(n, d)})


def test_extrapolation_recovers_a_known_law_and_reports_residuals():
    runs = _synthetic_runs()
    result = ot.extrapolate_law(runs, "loss_x", runs["n_tokens"] / runs["n_params"] <= 100)
    assert result.runs["residual"].abs().max() < 1e-3
    assert len(result.held_out()) == 6
    table = ot.extrapolation_table({"synthetic": result})
    assert table["runs"].sum() == len(runs)
    with pytest.raises(ValueError, match="loss_col"):
        ot.extrapolate_law(runs, "nope", np.ones(len(runs), bool))
    with pytest.raises(ValueError, match="fitted"):
        ot.extrapolate_law(runs, "loss_x", [True])


def test_equal_compute_wins_follow_the_law_on_runs_made_by_it():
    runs = _synthetic_runs()
    wins = ot.equal_compute_wins(runs, "loss_x", LAW)
    assert len(wins) > 0
    # interpolation in log FLOPs between the larger model's runs: same sign as the law where the gap is clear
    clear = wins["law_gap"].abs() > 0.01
    assert (np.sign(wins["gap"][clear]) == np.sign(wins["law_gap"][clear])).all()


def test_repetition_excess_is_zero_for_unique_data_and_positive_at_many_epochs():
    excess = ot.repetition_excess()
    single = excess[np.isclose(excess["epochs"], 1.0)]
    assert (single["excess"] == 0).all()
    assert excess[excess["epochs"] > 40]["excess"].median() > 0.05


def test_over_trained_runs_sit_above_a_law_fitted_near_compute_optimal():
    result = ot.sardana_extrapolation()
    assert result.runs.loc[result.runs["fitted"], "residual"].abs().median() < 0.03
    assert ot.far_residual(result, ot.FAR_SARDANA) > 0


def test_post_claims_table():
    curves = llama.claim_curves()
    claims = llama.post_claims(get_law("paper-full"), curves)
    assert len(claims) == 9
    verdicts = {"holds", "does not hold", "cannot decide"}
    assert set(claims["verdict_gpu_hours"]) <= verdicts and set(claims["verdict_flops"]) <= verdicts
    # the 7B and 13B LLaMA-1 curves both reach the post's level
    assert np.isfinite(llama.first_reach(curves, "LLaMA-7B", "gpu_hours", llama.POST_LEVEL))
    with pytest.raises(ValueError, match="model"):
        llama.smoothed_curve(curves, "GPT-5", "flops")


def test_verdict_needs_the_resolution_either_way():
    r = llama.RESOLUTION_PX
    assert r == 2.0  # a difference of two readings, each good to a pixel
    assert llama._verdict(r) == "holds" and llama._verdict(-r) == "does not hold"
    assert llama._verdict(0.99 * r) == llama._verdict(-0.99 * r) == "cannot decide"
    assert llama._verdict(-3 * r, can_fail=False) == "cannot decide"  # a claim beyond the data is never refuted
    assert llama._verdict(float("nan")) == "cannot decide"


def test_loss_per_pixel_from_two_points_of_each_trace():
    """Second implementation: the slope through the two farthest-apart points of each model's trace and the
    post's converted losses (the axis is linear), against the least-squares slope per family."""
    from chinchilla_lib.datasets.llama import llama_pixels

    px = llama.loss_per_pixel()
    assert set(px.index) == {"LLaMA-1", "Llama-2"}
    for _model, (row, pixels, loss, _hours) in llama_pixels().items():
        i, j = int(pixels["y"].idxmin()), int(pixels["y"].idxmax())
        two_point = abs((loss[j] - loss[i]) / (pixels["y"][j] - pixels["y"][i]))
        assert px[row["family"]] == pytest.approx(two_point, rel=1e-6)


def test_flattening_detail_on_straight_and_bending_lines():
    t = np.linspace(0.1e12, 1.2e12, 500)
    straight = pd.DataFrame({"model": "m", "n_tokens": t, "loss": 3.0 - 0.1 * t / 1e12})
    d = llama.flattening_detail(straight, "m")
    # by hand: drops of 0.01 over 0.9-1.0T and 0.02 over 0.6-0.8T; expected late drop 0.01; ratio 1
    assert d["ratio"] == pytest.approx(1.0, abs=1e-6)
    assert d["late_drop"] == pytest.approx(0.01, abs=1e-6) and d["expected_drop"] == pytest.approx(0.01, abs=1e-6)
    assert d["margin"] == pytest.approx(0.01 - 0.9 * 0.01, abs=1e-6)
    assert d["ratio_per_nat"] == pytest.approx(100.0, rel=1e-4)
    # slope halves after 0.85T: late drop 0.005, ratio 0.5, margin 0.005 - 0.009 = -0.004
    bend = 3.0 - 0.1 * np.minimum(t, 0.85e12) / 1e12 - 0.05 * np.maximum(t - 0.85e12, 0) / 1e12
    d = llama.flattening_detail(pd.DataFrame({"model": "m", "n_tokens": t, "loss": bend}), "m")
    assert d["ratio"] == pytest.approx(0.5, abs=1e-3) and d["margin"] == pytest.approx(-0.004, abs=1e-5)


def test_claims_that_turn_on_a_pixel_cannot_be_decided():
    curves = llama.claim_curves()
    claims = llama.post_claims(get_law("paper-full"), curves)
    px = llama.loss_per_pixel()
    # claim 7 (flattening): Llama-2-7B's slope ratio 0.45 in the table's windows, 0.94 in 0.85-1.0T vs
    # 0.5-0.7T, Llama-2-13B 1.12 (values an independent reading of the same curves found)
    nums = llama.claim_numbers(claims, curves)
    assert nums["flat2"] == pytest.approx(0.45, abs=0.01) and nums["flat2_wide"] == pytest.approx(0.94, abs=0.01)
    assert nums["flat2_13"] == pytest.approx(1.12, abs=0.01)
    assert (nums["windows"], nums["windows_wide"]) == ("0.9-1.0T against 0.6-0.8T", "0.85-1.0T against 0.5-0.7T")
    assert abs(nums["flat_margin_px"]) < llama.RESOLUTION_PX
    assert set(claims.loc[6, [f"verdict_{m}" for m in llama.MEASURES]]) == {"cannot decide"}
    # claim 2 on the post's axis: 0.0014 nats, 0.0014 / 0.00328 = 0.4 of a pixel: noise
    assert claims.loc[1, "value_post_gpu_hours"] == pytest.approx(0.0014, abs=1e-4)
    assert claims.loc[1, "margin_post_gpu_hours"] == pytest.approx(0.0014 / px["LLaMA-1"], abs=0.05)
    assert claims.loc[1, "verdict_post_gpu_hours"] == "cannot decide"
    # claim 9: the 34B above the 70B at equal GPU-hours, then below; at equal 6ND never visibly above
    assert claims.loc[8, "verdict_gpu_hours"] == "holds" and claims.loc[8, "verdict_flops"] == "cannot decide"
    for m in llama.MEASURES:  # every margin is a loss difference in pixels of its figure
        assert np.isfinite(claims[f"margin_{m}"].drop(index=5)).all()


def test_pair_gap_and_first_reach_on_two_straight_lines():
    x = np.linspace(1.0, 10.0, 200)
    curves = pd.DataFrame({"model": ["a"] * 200 + ["b"] * 200, "flops": np.concatenate([x, x]),
                           "loss": np.concatenate([3 - 0.1 * x, 3.2 - 0.15 * x])})
    gap = llama.pair_gap(curves, "a", "b", "flops")
    # b - a = 0.2 - 0.05 x: crosses zero at x = 4
    crossing = gap["flops"][np.argmin(np.abs(gap["gap"]))]
    assert crossing == pytest.approx(4.0, abs=0.05)
    assert llama.first_reach(curves, "a", "flops", 2.5) == pytest.approx(5.0, abs=0.05)


def test_tokens_per_param_table_by_hand():
    table = llama.tokens_per_param_table().set_index("model")
    assert table.loc["LLaMA-7B", "tokens_per_param"] == pytest.approx(1.0e12 / 6.7e9)
    assert table.loc["Chinchilla", "times_20"] == pytest.approx(1.4e12 / 70e9 / 20)


def test_headline_by_constants_and_the_demand_sweep():
    table = sizing.headline_by_constants(sizing.CONSTANT_SETS)
    assert list(table.index) == list(sizing.CONSTANT_SETS)
    # with the printed (rounded) constants the compute-optimal 13B trains longer, so less is saved
    assert table.loc["paper", "co_tokens"] > table.loc["sardana-code", "co_tokens"]
    assert table.loc["paper", "saving"] < table.loc["sardana-code", "saving"]
    assert (table["saving"] > 0).all()
    sweep = sizing.demand_sweep("paper-full", demands=[1e10, 1e12, 1e14])
    assert sweep["size_ratio"].is_monotonic_decreasing and sweep["saving"].is_monotonic_increasing
    direct = inference_optimum("paper-full", 1e12, replace_n_params=13e9)
    assert sweep["n_params"].iloc[1] == pytest.approx(direct.optimum.n_params)


def _saving_by_brute_force(law, n0, inference_tokens):
    """Second implementation of Sardana et al.'s saving: the compute-optimal N0 from Eq. (4) by hand,
    D(N) on its loss from Eq. (2), and the total FLOPs minimised over log N by scipy's bounded search."""
    from scipy.optimize import minimize_scalar

    e, a_, b_, al, be = law.E, law.A, law.B, law.alpha, law.beta
    g = (al * a_ / (be * b_)) ** (1 / (al + be))
    d0 = (n0 / g) ** ((al + be) / be) / n0  # N0 = G (C/6)^(beta/(alpha+beta)), D0 = (C/6) / N0
    target = e + a_ * n0**-al + b_ * d0**-be

    def total(log_n):
        n = np.exp(log_n)
        room = target - e - a_ * n**-al
        return np.inf if room <= 0 else 6 * n * (b_ / room) ** (1 / be) + 2 * n * inference_tokens

    n_min = (a_ / (target - e)) ** (1 / al)
    best = minimize_scalar(total, bounds=(np.log(n_min) + 1e-9, np.log(n0)), method="bounded",
                           options={"xatol": 1e-10})
    return 1 - best.fun / total(np.log(n0))


def test_saving_factors_against_a_brute_force_optimum():
    import dataclasses

    from chinchilla_lib.datasets import paper_value

    n0, tokens = paper_value("sardana.replace.n_params"), paper_value("sardana.replace.inference_tokens")
    full, printed, code = get_law("paper-full"), get_law("paper"), get_law("sardana-code")
    ab = dataclasses.replace(full, alpha=printed.alpha, beta=printed.beta)
    brute = {k: _saving_by_brute_force(v, n0, tokens) for k, v in
             {"full": full, "ab": ab, "printed": printed, "code": code}.items()}
    f = sizing.saving_factors()
    assert f["rounding"] == pytest.approx(brute["full"] / brute["ab"], rel=1e-4)
    assert f["printed"] == pytest.approx(brute["full"] / brute["printed"], rel=1e-4)
    assert f["code"] == pytest.approx(brute["code"] / brute["printed"], rel=1e-4)
    assert round(f["rounding"], 2) == 1.61 and round(f["code"], 2) == 1.73


def test_tradeoff_curve_and_its_inverse():
    curve = sizing.tradeoff_curve("paper", shrinks=[1.0, 2.0, 4.0])
    assert curve["extra"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert curve["extra"].is_monotonic_increasing
    k = sizing.shrink_at_extra("paper", 0.25)
    assert 1 < k < max_shrink("paper")
    assert sizing.tradeoff_curve("paper", shrinks=[k])["extra"].iloc[0] == pytest.approx(0.25, rel=1e-6)


def test_plot_helpers_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chinchilla_lib.plotting import inference as ip
    from chinchilla_lib.plotting import overtrained_runs as op

    curves = llama.claim_curves()
    fig, axes = plt.subplots(1, 3)
    op.plot_curves_by_measure(axes, curves, {"LLaMA-7B": "k", "LLaMA-13B": "r"})
    assert all(len(ax.lines) == 2 for ax in axes)
    result = ot.extrapolate_law(_synthetic_runs(), "loss_x", np.arange(18) % 6 < 4)
    fig, ax = plt.subplots()
    op.plot_residuals_by_tpp(ax, result.runs, color="k", label="x")
    assert [len(c.get_offsets()) for c in ax.collections] == [12, 6]
    fig, axes = plt.subplots(1, 2)
    ip.plot_demand_sweep(axes, {"paper": sizing.demand_sweep("paper", demands=[1e10, 1e12])}, {"paper": "k"})
    assert len(axes[0].lines) == 1 and len(axes[0].lines[0].get_xdata()) == 2
    plt.close("all")
