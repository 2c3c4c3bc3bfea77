"""Backtests (approaches.backtest): leave the largest budgets out, predict them, score the prediction.

Expected values come from the simulating law (its own N_opt by Eq. 4) and from hand arithmetic, never
from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.backtest import (
    MIN_BUDGETS,
    ROW_KEYS,
    backtest,
    coverage,
    design_of,
    observed_optimum,
)
from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.laws import ParametricLaw

#: alpha == beta: the IsoFLOP profile is symmetric in ln N about its minimum, so Approach 2's parabolas
#: are unbiased (Czech et al. 2026) and both approaches should be honest.
SYMMETRIC = ParametricLaw(E=1.7, A=400.0, B=400.0, alpha=0.3, beta=0.3, name="symmetric")
BUDGETS = np.geomspace(1e18, 1e21, 7)


def _runs(seed: int, law=SYMMETRIC, budgets=BUDGETS, noise=0.01) -> pd.DataFrame:
    runs = simulate_isoflop(law, budgets, n_sizes=7, width=0.6, noise=noise, seed=seed)
    return runs[["n_params", "n_tokens", "flops", "loss"]]


def test_a_row_has_every_key_of_the_contract_in_order():
    rows = backtest(_runs(0), 3, holdout=2, n_resamples=40)
    assert len(rows) == 2
    assert list(rows[0])[:len(ROW_KEYS)] == list(ROW_KEYS)
    assert [r["heldout_flops"] for r in rows] == pytest.approx(BUDGETS[-2:])
    assert all(r["cutoff_flops"] == pytest.approx(BUDGETS[-3]) for r in rows)


def test_a_noise_free_set_is_predicted_to_the_law_s_own_optimum():
    # Without noise Approach 3 recovers the law, so its prediction at the held-out budget is the law's N_opt
    # there and its loss the law's L(N_opt, D_opt) (Eq. 4 by hand through ParametricLaw).
    row = backtest(_runs(0, noise=0.0), 3, holdout=1, n_resamples=20)[0]
    n_true, d_true = SYMMETRIC.optimal_allocation(BUDGETS[-1])
    assert row["predicted_n_opt"] == pytest.approx(float(n_true), rel=1e-3)
    assert row["predicted_loss"] == pytest.approx(float(SYMMETRIC.loss(n_true, d_true)), rel=1e-6)


@pytest.mark.parametrize("approach", [2, 3])
def test_intervals_cover_the_truth_at_the_rate_they_claim(approach):
    # 40 simulated sets with 1% noise: the 80% interval should hold the observation about 80% of the time.
    # With 40 draws the binomial sd of the rate is 0.063, so 0.6-0.97 is about three sd either side.
    rows = [r for seed in range(40) for r in backtest(_runs(seed), approach, holdout=1, seed=seed, n_resamples=80)]
    assert coverage(rows)["scored"] == 40
    assert 0.6 <= coverage(rows)["rate"] <= 0.97
    truth = [float(SYMMETRIC.optimal_allocation(r["heldout_flops"])[0]) for r in rows]
    held = np.mean([lo <= t <= hi for t, (lo, hi) in zip(truth, (r["predicted_n_opt_interval"] for r in rows))])
    assert 0.6 <= held <= 0.97
    if approach == 3:
        assert 0.6 <= coverage(rows, "loss_inside")["rate"] <= 0.97


def _bent_runs(seed: int) -> pd.DataFrame:
    # The model-size exponent bends with compute: alpha falls from 0.34 to 0.16 across the budgets (A scaled
    # so that A / N^alpha is unchanged at N = 1e6 and losses still fall with compute), so a = beta / (alpha +
    # beta) climbs from 0.47 to 0.65, and a law fitted on the small budgets under-predicts N_opt at the top.
    parts = []
    for c, alpha in zip(BUDGETS, np.linspace(0.34, 0.16, BUDGETS.size)):
        law = ParametricLaw(E=1.7, A=400.0 * 1e6 ** (alpha - 0.34), B=400.0, alpha=float(alpha), beta=0.3,
                            name="bent")
        parts.append(simulate_isoflop(law, [c], n_sizes=7, width=0.6, noise=0.002, seed=seed))
    return pd.concat(parts, ignore_index=True)[["n_params", "n_tokens", "flops", "loss"]]


@pytest.mark.parametrize("approach", [2, 3])
def test_a_law_that_bends_with_compute_is_reported_as_a_miss(approach):
    row = backtest(_bent_runs(1), approach, holdout=1, n_resamples=80)[0]
    assert row["verdict"] != "refused"
    assert row["n_opt_rel_error"] < -0.2 and row["n_opt_inside"] is False


def test_a_refused_fit_predicts_nothing_and_says_why():
    # Three sizes per budget spread over 0.1 decade on either side: the gate cannot decide Approach 3.
    runs = simulate_isoflop(SYMMETRIC, BUDGETS, n_sizes=3, width=0.1, noise=0.03, seed=3)
    rows = backtest(runs, 3, holdout=1, n_resamples=40)
    assert rows[0]["verdict"] == "refused" and rows[0]["reason"]
    assert rows[0]["predicted_n_opt"] is None and rows[0]["n_opt_inside"] is None


def test_too_few_budgets_cannot_be_backtested():
    runs = _runs(0, budgets=BUDGETS[:MIN_BUDGETS - 1])
    with pytest.raises(ValueError, match=r"only 3 budget\(s\) have a minimum .* needs 4"):
        backtest(runs, 2)
    with pytest.raises(ValueError, match="holdout 5 leaves 2 of 7 budgets to fit; give at most 4"):
        backtest(_runs(0), 2, holdout=5)
    with pytest.raises(ValueError, match="approach must be 1, 2 or 3"):
        backtest(_runs(0), 4)


def test_nothing_of_a_held_out_budget_reaches_the_fit():
    # Spoil the held-out budget's losses: the prediction must not move, the observation must.
    runs = _runs(0)
    spoiled = runs.copy()
    top = spoiled["flops"] == spoiled["flops"].max()
    spoiled.loc[top, "loss"] += np.linspace(0.0, 0.05, top.sum())
    a, b = backtest(runs, 3, n_resamples=20)[0], backtest(spoiled, 3, n_resamples=20)[0]
    assert a["predicted_n_opt"] == b["predicted_n_opt"] and a["predicted_loss"] == b["predicted_loss"]
    assert a["observed_n_opt"] != b["observed_n_opt"]


def test_observed_optimum_is_the_parabola_vertex():
    # loss = 2 + (ln N - ln 1e9)^2: the vertex is at N = 1e9, loss 2, by hand.
    n = np.geomspace(1e8, 1e10, 9)
    loss = 2.0 + (np.log(n) - np.log(1e9)) ** 2
    seen = observed_optimum((n, loss), [(n, loss)] * 3)
    assert seen["n_opt"] == pytest.approx(1e9) and seen["loss"] == pytest.approx(2.0)
    assert seen["n_opt_interval"] == pytest.approx([1e9, 1e9])
    assert observed_optimum((n[:4], loss[:4]), []) is None  # the minimum lies beyond the sizes


def test_design_is_read_from_the_runs():
    assert design_of(_runs(0)) == "isoflop"
    n, r = np.meshgrid(np.geomspace(1e7, 1e9, 5), np.geomspace(5, 200, 5))
    grid = pd.DataFrame({"n_params": n.ravel(), "n_tokens": (n * r).ravel(), "loss": 3.0})
    assert design_of(grid) == "grid"


def test_coverage_counts_only_rows_that_can_say():
    rows = [{"n_opt_inside": True}, {"n_opt_inside": False}, {"n_opt_inside": None}, {"n_opt_inside": True}]
    assert coverage(rows) == {"scored": 3, "inside": 2, "rate": pytest.approx(2 / 3), "nominal": 0.8}
    assert np.isnan(coverage([])["rate"])
