"""The second IsoFLOP grid meets its design rules: span, budgets, sizes, seeds, one accounting, at most one
epoch for every planned run (grown slices included) and for a prediction at ten times its largest budget."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.datasets.corpus import MIXTURES
from chinchilla_lib.train.config import LADDER, MIN_STEPS, shape_of
from chinchilla_lib.train.sweep import SWEEPS, learning_rate_rule, read_runs, unrepeated_plan
from chinchilla_lib.train.sweep_unrepeated import (
    PREDICTION_FACTOR,
    PREDICTION_SEEDS,
    UNREPEATED_BUDGETS,
    UNREPEATED_START,
    UNREPEATED_TRAIN_BYTES,
    fits_one_epoch,
    plan_table,
    prediction_runs,
    worst_prediction_tokens,
)

# Total parameters counted by hand as test_train.py counts g03: per layer 12 d^2 + 13 d (attention
# 4d^2 + 4d, feed-forward 8d^2 + 5d, two norms 4d), a final norm 2d, tokens 256 d, positions 128 d.
# g06 (d 48, 3 layers): 3 * (27648 + 624) + 96 + 12288 + 6144 = 103,344; g14 (160, 6): 1,917,440.
HAND_PARAMS = {m: layers * (12 * d * d + 13 * d) + 2 * d + 384 * d for m, (d, layers, _) in LADDER.items()}
#: One epoch of the planner's bound: (90,000,000 - 1) // 128 windows.
EPOCH_SEQUENCES = 703124
EMPTY = read_runs("/nonexistent")


def test_the_bound_is_the_pin_and_one_epoch_is_counted_in_windows():
    assert UNREPEATED_TRAIN_BYTES == MIXTURES["mixed"].min_train_bytes == 90_000_000
    assert (UNREPEATED_TRAIN_BYTES - 1) // 128 == EPOCH_SEQUENCES
    # g00 (9,456 parameters) at 5e12: 5e12 / 56,736 = 88.1M tokens = 688,277 sequences, inside one epoch;
    # s01 (3,960) at 5e12: 210M tokens, over two.  g14 at 1.5625e11: 13,580 tokens, under MIN_STEPS sequences.
    assert fits_one_epoch("g00", 5e12) and not fits_one_epoch("s01", 5e12) and not fits_one_epoch("g14", 1.5625e11)
    assert not fits_one_epoch("g00", 5e12, train_bytes=88_000_000)


def test_budgets_span_a_decade_and_a_half():
    assert len(UNREPEATED_BUDGETS) >= 5 and list(UNREPEATED_BUDGETS) == sorted(UNREPEATED_BUDGETS)
    assert UNREPEATED_BUDGETS[0] == 1.5625e11 and UNREPEATED_BUDGETS[-1] == 5e12
    assert math.log10(UNREPEATED_BUDGETS[-1] / UNREPEATED_BUDGETS[0]) >= 1.5  # log10(32) = 1.505


@pytest.fixture(scope="module")
def first_plan():
    return unrepeated_plan(EMPTY)


def test_every_budget_has_six_sizes_and_every_run_two_seeds(first_plan):
    table = plan_table(first_plan)
    assert SWEEPS["isoflop-unrepeated"].plan is unrepeated_plan
    assert len(first_plan) == len({c.key() for c in first_plan}) == 72
    for budget in UNREPEATED_BUDGETS:
        rows = table[table["budget"] == budget]
        start = list(LADDER).index(UNREPEATED_START[budget])
        six = list(LADDER)[start:start + 6]
        assert set(zip(rows["model"], rows["seed"])) == {(m, s) for m in six for s in (0, 1)}


def test_the_expected_minimum_is_inside_every_slice():
    params = HAND_PARAMS
    assert (params["g03"], params["g06"], params["g14"]) == (37760, 103344, 1917440)
    for budget in UNREPEATED_BUDGETS:
        start = list(LADDER).index(UNREPEATED_START[budget])
        sizes = list(LADDER)[start:start + 6]
        for k in (100, 200):
            n_opt = math.sqrt(budget / (6 * k))
            nearest = min(params, key=lambda m: abs(math.log(params[m] / n_opt)))
            assert nearest in sizes[1:-1], (budget, k, nearest)


def test_one_accounting_one_corpus_no_byte_twice(first_plan):
    rule = learning_rate_rule()
    for c in first_plan:
        assert (c.corpus, c.sampler, c.accounting, c.schedule) == ("mixed", "disjoint", "6nd", "matched")
        n = c.flops_per_token / 6
        assert c.n_tokens * 6 * n == pytest.approx(c.budget, rel=2e-3)  # whole sequences of 128 round D
        assert MIN_STEPS <= c.steps and c.total_sequences <= EPOCH_SEQUENCES
        # the width law, by hand: lr_32 (d / 32) ** exponent
        width_law = rule.lr_32 * (shape_of(c.model).d_model / 32.0) ** rule.exponent
        assert c.lr == pytest.approx(width_law, rel=5e-4) and c.lr == float(f"{c.lr:.4g}")
    g06 = next(c for c in first_plan if c.model == "g06" and c.budget == 5e12)
    assert g06.n_sequences == round(5e12 / (6 * HAND_PARAMS["g06"]) / 128)  # 8,063,931 tokens: 62,999 sequences
    assert plan_table(first_plan)["epochs"].max() <= 0.4  # g02 at 5e12: 35.1M tokens


def _losses(plan, best_at) -> pd.DataFrame:
    """Seed-0 rows of every planned run, the loss falling towards ``best_at`` (an end of the ladder)."""
    order = list(LADDER)
    sign = 1 if best_at == "small" else -1
    return pd.DataFrame([{"budget": c.budget, "schedule": c.schedule, "seed": c.seed, "model": c.model,
                          "loss": 3.0 + sign * 0.01 * order.index(c.model), "key": c.key()} for c in plan])


@pytest.mark.parametrize("best_at", ["small", "large"])
def test_slices_grown_to_the_end_still_read_at_most_one_epoch(best_at):
    plan = unrepeated_plan(EMPTY)
    for _ in range(12):  # every minimum at an edge, again and again: the slices grow until they cannot
        grown = unrepeated_plan(_losses(plan, best_at))
        if len(grown) == len(plan):
            break
        plan = grown
    table = plan_table(plan)
    assert len(table) > 72 and table["epochs"].max() <= 1
    assert (table["n_tokens"] <= EPOCH_SEQUENCES * 128).all() and (table["steps"] >= MIN_STEPS).all()
    edge = table.groupby("budget")["n_params"].agg("min" if best_at == "small" else "max")
    if best_at == "small":
        # s01 ends the ladder: at 1.5625e11 it reads 1.5625e11 / 23,760 = 6.6M tokens; at 5e12, 210M, over one
        # epoch, so that slice stops at g00 (88.1M tokens)
        assert edge[1.5625e11] == HAND_PARAMS["s01"] and edge[5e12] == HAND_PARAMS["g00"]
    else:
        # MIN_STEPS sequences of 128 need N <= C / (6 * 128,000): 203,451 at 1.5625e11, so g07 (174,656) and
        # not g08 (224,640); at 5e12 the ladder's end, g14 (434,617 tokens, 3,395 sequences)
        assert edge[1.5625e11] == HAND_PARAMS["g07"] and edge[5e12] == HAND_PARAMS["g14"]


def test_a_prediction_at_ten_times_the_largest_budget_reads_at_most_one_epoch():
    flops = PREDICTION_FACTOR * UNREPEATED_BUDGETS[-1]
    assert flops == 5e13 and PREDICTION_SEEDS == (0, 1, 2)
    # k = 100: N_opt = sqrt(5e13 / 600) = 288,675, nearest g09 (342,240); neighbours g08 and g10.
    assert [m for m, _ in prediction_runs(flops, 100)] == ["g08", "g09", "g10"]
    # k = 150: 235,702, nearest g08 (224,640); k = 250: 182,574, nearest g07 (174,656).
    assert [m for m, _ in prediction_runs(flops, 150)] == ["g07", "g08", "g09"]
    assert [m for m, _ in prediction_runs(flops, 250)] == ["g06", "g07", "g08"]
    # D = 5e13 / (6 N): g08 37,096,391; g07 47,712,837; g06 80,636,837.
    for model, tokens in ((m, n) for k in (100, 150, 250) for m, n in prediction_runs(flops, k)):
        assert tokens == int(5e13 / (6 * HAND_PARAMS[model]))
    assert worst_prediction_tokens() == 47712837 <= 85e6
    # The smaller neighbour stays g06 up to 462 tokens per parameter: N_opt down to sqrt(g06 * g07) = 134,350.
    assert worst_prediction_tokens(tokens_per_param=(100, 461)) == 80636837 <= 85e6 < UNREPEATED_TRAIN_BYTES
    assert worst_prediction_tokens(tokens_per_param=(100, 463)) > UNREPEATED_TRAIN_BYTES
    # Nine runs, each within one epoch.
    runs = [(m, n, s) for m, n in prediction_runs(flops, 150) for s in PREDICTION_SEEDS]
    assert len(runs) == 9 and max(n for _, n, _ in runs) // 128 <= EPOCH_SEQUENCES


@pytest.mark.parametrize("flops, k", [(0.0, 100), (float("nan"), 100), (5e13, -1.0), (5e13, float("inf"))])
def test_prediction_runs_refuse_bad_input(flops, k):
    with pytest.raises(ValueError, match="^(flops|tokens_per_param) must be a positive number") as exc:
        prediction_runs(flops, k)
    assert "\n" not in str(exc.value)
    with pytest.raises(ValueError, match="^tokens_per_param must be an increasing pair"):
        worst_prediction_tokens(tokens_per_param=(200, 100))


def test_the_planned_flops_add_up():
    table = plan_table(unrepeated_plan(EMPTY))
    # 12 runs a budget: 12 * 1.5625e11 * (1 + 2 + 4 + 8 + 16 + 32) = 1.18125e14, to the rounding of sequences.
    assert table["flops"].sum() == pytest.approx(12 * 1.5625e11 * 63, rel=1e-4)
    assert np.all(table["flops_appendix_f"] > table["flops"])  # Appendix F counts attention and logits too
