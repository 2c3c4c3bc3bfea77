"""studies.claims: the verdict rules on inputs made by hand, the table on evidence made by hand, and on the book's."""

from __future__ import annotations

import re
from math import comb
from pathlib import Path

import numpy as np
import pytest
import yaml

from chinchilla_lib.studies import claims
from chinchilla_lib.studies.claims import CANNOT, DOES_NOT_HOLD, HOLDS, PARTLY, VERDICTS

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- the rules, by hand
def test_a_value_inside_the_interval_holds_whatever_the_gate_flags():
    assert claims.interval_verdict(0.5, 0.48, 0.52) == HOLDS
    assert claims.interval_verdict(0.48, 0.48, 0.52) == HOLDS  # the ends belong to the interval
    assert claims.interval_verdict(0.5, 0.48, 0.52, "flagged") == HOLDS


def test_a_value_outside_decides_only_on_a_decided_fit():
    assert claims.interval_verdict(0.46, 0.49, 0.54) == DOES_NOT_HOLD
    assert claims.interval_verdict(0.46, 0.49, 0.54, "flagged") == CANNOT
    assert claims.interval_verdict(0.5, 0.48, 0.52, "refused") == CANNOT
    assert claims.interval_verdict(0.5, np.nan, np.nan) == CANNOT
    with pytest.raises(ValueError, match="gate"):
        claims.interval_verdict(0.5, 0.4, 0.6, "maybe")


def test_combining_verdicts_sets_the_undecidable_aside():
    assert claims.combine_verdicts([HOLDS, HOLDS, CANNOT]) == HOLDS
    assert claims.combine_verdicts([DOES_NOT_HOLD, CANNOT]) == DOES_NOT_HOLD
    assert claims.combine_verdicts([HOLDS, DOES_NOT_HOLD]) == PARTLY
    assert claims.combine_verdicts([HOLDS, PARTLY]) == PARTLY
    assert claims.combine_verdicts([CANNOT]) == CANNOT and claims.combine_verdicts([]) == CANNOT
    with pytest.raises(ValueError, match="not verdicts"):
        claims.combine_verdicts(["maybe"])


def test_agreement_of_fits_reaches_every_verdict():
    assert claims.overlap_verdict([(0.48, 0.52, "decided"), (0.49, 0.53, "flagged"), (0.50, 0.55, "decided")]) == HOLDS
    # a chain: the first meets the second, the second the third, the first and the third are apart
    assert claims.overlap_verdict([(0.40, 0.45, "decided"), (0.44, 0.51, "decided"), (0.50, 0.55, "decided")]) == PARTLY
    assert claims.overlap_verdict([(0.30, 0.35, "decided"), (0.50, 0.55, "decided")]) == DOES_NOT_HOLD
    assert claims.overlap_verdict([(0.30, 0.35, "flagged"), (0.50, 0.55, "decided")]) == CANNOT
    assert claims.overlap_verdict([(0.30, 0.35, "refused"), (0.50, 0.55, "decided")]) == CANNOT  # one fit left


def test_a_claim_on_several_sets():
    assert claims.share_verdict(3, 3) == HOLDS
    assert claims.share_verdict(0, 3) == DOES_NOT_HOLD
    assert claims.share_verdict(1, 3) == PARTLY
    assert claims.share_verdict(0, 0) == CANNOT
    with pytest.raises(ValueError):
        claims.share_verdict(4, 3)


def test_honest_count_is_the_binomial_tenth_percentile_by_hand():
    def cdf(k, n=10, p=0.8):
        return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))

    assert cdf(5) < 0.1 <= cdf(6)  # 0.033 and 0.121
    assert claims.honest_count(10, 0.8) == 6


def test_coverage_of_forecast_intervals_reaches_every_verdict():
    assert claims.coverage_verdict(8, 10, 0.8) == HOLDS
    assert claims.coverage_verdict(6, 10, 0.8) == HOLDS  # the fewest honest intervals give nine times in ten
    assert claims.coverage_verdict(5, 10, 0.8) == DOES_NOT_HOLD
    assert claims.coverage_verdict(8, 10, 0.8, 2, 10) == PARTLY
    assert claims.coverage_verdict(0, 0, 0.8) == CANNOT


def test_a_head_to_head_at_equal_compute():
    assert claims.margin_verdict(9, 10, 1.02, 0.03) == HOLDS
    assert claims.margin_verdict(9, 10, 1.17, 0.03) == PARTLY
    assert claims.margin_verdict(5, 10, 1.0, 0.03) == DOES_NOT_HOLD  # half is not most
    assert claims.margin_verdict(0, 0, 1.0, 0.03) == CANNOT


def test_a_cause_of_a_change_in_the_exponent():
    assert claims.cause_verdict([0.2, 0.2], [0.30, 0.35], 0.04) == HOLDS
    assert claims.cause_verdict([0.03, 0.03], [0.34, 0.35], 0.04) == DOES_NOT_HOLD
    assert claims.cause_verdict([0.10, 0.03], [0.34, 0.35], 0.04) == PARTLY
    assert claims.cause_verdict([], [], 0.04) == CANNOT


def test_corrections_that_reach_the_target():
    assert claims.correction_verdict([0.50, 0.51], 0.50, [0.74, 0.72], 0.73, 0.04) == HOLDS
    assert claims.correction_verdict([0.50, 0.51], 0.50, [0.83, 0.87], 0.73, 0.04) == PARTLY
    assert claims.correction_verdict([0.60, 0.51], 0.50, [0.74, 0.72], 0.73, 0.04) == DOES_NOT_HOLD
    assert claims.correction_verdict([], 0.50, [], 0.73, 0.04) == CANNOT


def test_a_prediction_is_decided_only_once_its_runs_are_trained():
    assert claims.prediction_verdict(1.50, 1.46, 1.54, True) == HOLDS
    assert claims.prediction_verdict(1.60, 1.46, 1.54, True) == DOES_NOT_HOLD
    assert claims.prediction_verdict(1.50, 1.46, 1.54, False) == CANNOT
    assert claims.prediction_verdict(np.nan, 1.46, 1.54, True) == CANNOT


# ---------------------------------------------------------------- the table, on evidence made by hand
def _evidence(**changes) -> dict:
    """Evidence made by hand, each value chosen so the verdict of its claim is known."""
    ev = {"p_a2": 0.49, "p_a2_lo": 0.47, "p_a2_hi": 0.52, "p_a2_gate": "flagged",
          "p_a3": 0.51, "p_a3_lo": 0.49, "p_a3_hi": 0.54, "p_a3_gate": "decided",
          "p_printed_a3": 0.46, "p_printed_a3_lo": 0.454, "p_printed_a3_hi": 0.455,
          **{f"or_fig4_a{k}{s}": v for k, (a, lo, hi) in {1: (0.51, 0.48, 0.52), 2: (0.50, 0.48, 0.52),
                                                           3: (0.51, 0.49, 0.54)}.items()
             for s, v in (("", a), ("_lo", lo), ("_hi", hi))},
          "or_fig4_a1_gate": "decided", "or_fig4_a2_gate": "flagged", "or_fig4_a3_gate": "decided",
          "or_tpp_rule": 20.0, "or_tpp_fits": [[22.0, 19.0, 25.0], [9.0, 8.0, 10.0]],
          "or_tpp_min": 9.0, "or_tpp_max": 22.0,
          "g_wins": 150, "g_n": 170, "g_ratio_6nd": 1.17, "g_counting_gap": 0.03,
          "k_steps_rw": [0.83, 0.70, 0.60, 0.57, 0.50], "k_steps_owt2": [0.87, 0.70, 0.60, 0.57, 0.52],
          "k_kaplan": 0.73, "k_target": 0.50, "k_tol": 0.04,
          "ot_wins_far": 0, "ot_far": 10, "ot_wins_near": 8, "ot_near": 12, "ot_near_tpp": 100.0,
          "inf_saving": 17.4, "inf_printed": 17.4, "inf_savings": [17.4, 10.1, 29.0],
          "l3_n_params": 393e9, "l3_n_params_lo": 352e9, "l3_n_params_hi": 464e9, "l3_printed_n_params": 402e9,
          "l3_n_tokens": 16.1e12, "l3_n_tokens_lo": 13.6e12, "l3_n_tokens_hi": 18.0e12,
          "l3_printed_n_tokens": 16.55e12, "l3_gate": "flagged",
          "bt_inside": 8, "bt_scored": 30, "bt_nominal": 0.8, "bt_loss_inside": 2, "bt_loss_scored": 13,
          "au_over": 127.0, "au_over_lo": 14.0, "au_over_hi": 228.0, "au_printed_lo": 58.0, "au_printed_hi": 75.0,
          "au_signs": [[8.0, 139.0], [-51.0, -10.0], [-10.0, 53.0]],
          "p1_model": "g06", "p1_loss": 1.681, "p1_lo": 1.649, "p1_hi": 1.756, "p1_obs": 1.635, "p1_complete": True,
          "p1_trained": 3, "p1_planned": 3, "p1_factor": 10.0,
          "p2_model": "g08", "p2_loss": 1.502, "p2_lo": 1.466, "p2_hi": 1.542, "p2_obs": np.nan, "p2_complete": False,
          "p2_trained": 4, "p2_planned": 9, "p2_factor": 10.0}
    return ev | changes


EXPECTED = {"agree": HOLDS, "half": HOLDS, "tokens_per_param": PARTLY, "gopher": PARTLY, "printed_a3": DOES_NOT_HOLD,
            "kaplan_schedule": DOES_NOT_HOLD, "kaplan_counting": PARTLY, "overtraining": DOES_NOT_HOLD,
            "inference": HOLDS, "llama3": HOLDS, "forecast": DOES_NOT_HOLD, "approach2_bias": PARTLY,
            "prediction_1": DOES_NOT_HOLD, "prediction_2": CANNOT}


def test_every_claim_is_decided_by_its_rule_on_evidence_made_by_hand():
    table = claims.claims_table(_evidence())
    assert tuple(table.columns) == claims.COLUMNS
    assert table["verdict"].to_dict() == EXPECTED


@pytest.mark.parametrize("changes, claim, verdict", [
    ({"p_printed_a3": 0.50}, "printed_a3", HOLDS),  # the printed value inside the refit's interval
    ({"p_a3_gate": "flagged"}, "printed_a3", CANNOT),  # outside a flagged interval decides nothing
    ({"or_fig4_a2_lo": 0.60, "or_fig4_a2_hi": 0.65, "or_fig4_a2_gate": "decided"}, "agree", PARTLY),
    ({"g_ratio_6nd": 1.01}, "gopher", HOLDS),
    ({"g_wins": 80}, "gopher", DOES_NOT_HOLD),
    ({"ot_wins_far": 10}, "overtraining", HOLDS),
    ({"ot_far": 0, "ot_wins_far": 0}, "overtraining", CANNOT),
    ({"inf_savings": [-1.0, -2.0]}, "inference", DOES_NOT_HOLD),
    ({"l3_printed_n_params": 500e9, "l3_gate": "decided"}, "llama3", PARTLY),
    ({"bt_inside": 26, "bt_loss_inside": 12}, "forecast", HOLDS),
    ({"au_signs": [[8.0, 139.0]]}, "approach2_bias", HOLDS),
    ({"k_steps_rw": [0.73, 0.70, 0.60, 0.57, 0.50], "k_steps_owt2": [0.74, 0.70, 0.60, 0.57, 0.52]},
     "kaplan_counting", HOLDS),
    ({"p2_complete": True, "p2_obs": 1.50, "p2_trained": 9}, "prediction_2", HOLDS),
    ({"p2_complete": True, "p2_obs": 1.60, "p2_trained": 9}, "prediction_2", DOES_NOT_HOLD),
])
def test_a_change_of_evidence_changes_the_verdict(changes, claim, verdict):
    assert claims.claims_table(_evidence(**changes)).loc[claim, "verdict"] == verdict


def test_an_undecided_prediction_says_why_with_its_runs():
    table = claims.claims_table(_evidence())
    assert "4 of its 9 runs trained" in table.loc["prediction_2", "number"]
    numbers = claims.claims_numbers(_evidence(), table)
    assert numbers["p2_status"] == "waits for its runs (4 of 9 trained)"
    done = _evidence(p2_complete=True, p2_obs=1.50, p2_trained=9)
    assert claims.claims_numbers(done)["p2_status"] == HOLDS


def test_the_counts_add_up_and_every_row_has_its_verdict_glued():
    numbers = claims.claims_numbers(_evidence())
    assert numbers["n_claims"] == len(EXPECTED) == sum(numbers[f"n_{k}"] for k in ("holds", "partly", "not", "cannot"))
    assert numbers["n_holds"] == 4 and numbers["n_cannot"] == 1
    assert {k.removeprefix("verdict_"): v for k, v in numbers.items() if k.startswith("verdict_")} == EXPECTED
    assert numbers["bt_needed"] == claims.honest_count(30, 0.8) and numbers["bt_rate"] == pytest.approx(800 / 30)


# ---------------------------------------------------------------- the table on the book's evidence
def _toc_stems() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {c["file"].removeprefix("chapters/") for part in toc["parts"] for c in part["chapters"]}


def test_every_evidence_chapter_is_in_the_book_under_its_own_title():
    assert set(claims.EVIDENCE_TITLES) <= _toc_stems()
    for stem, title in claims.EVIDENCE_TITLES.items():
        heading = re.search(r"^# (.+)$", (ROOT / "chapters" / f"{stem}.md").read_text(), re.M).group(1)
        assert heading == title, stem


@pytest.fixture(scope="module")
def book_evidence():
    from chinchilla_lib.studies.claim_evidence import claim_evidence

    return claim_evidence()


@pytest.fixture(scope="module")
def book_table(book_evidence):
    return claims.claims_table(book_evidence)


def test_the_book_table_has_one_of_four_verdicts_and_a_chapter_for_every_claim(book_table):
    assert set(book_table["verdict"]) <= set(VERDICTS)
    assert set(book_table["evidence"]) <= _toc_stems()
    assert set(book_table["evidence"]) <= set(claims.EVIDENCE_TITLES)
    assert claims.claims_display(book_table)["evidence"].notna().all()


def test_approach2_on_the_paper_points_agrees_with_parabolas_fitted_by_hand(book_evidence):
    from chinchilla_lib.studies.figure4 import fig4_runs

    points = fig4_runs().dropna(subset=["budget"])
    log_c, log_n = [], []
    for budget, runs in points.groupby("budget"):
        x = np.log(runs["n_params"].to_numpy())
        c2, c1, _ = np.polyfit(x, runs["loss"].to_numpy(), 2)
        vertex = -c1 / (2 * c2)
        if c2 > 0 and x.min() < vertex < x.max():  # a bracketed minimum
            log_c.append(np.log(budget))
            log_n.append(vertex)
    assert book_evidence["p_a2"] == pytest.approx(np.polyfit(log_c, log_n, 1)[0], abs=1e-6)


def test_approach3_on_the_paper_points_agrees_with_the_grid_fit_of_the_public_runs(book_evidence):
    from chinchilla_lib.studies.public_runs import approaches_table

    table = approaches_table()
    row = table[(table["key"] == "figure4") & (table["approach"] == 3) & (table["parameters"] == "total")].iloc[0]
    assert book_evidence["p_a3"] == pytest.approx(row["a"], abs=1e-3)  # sizes within 0.1% merged there
    assert book_evidence["p_a3_lo"] == pytest.approx(row["low"], abs=0.01)  # 4,000 resamples against 200


def test_the_forecast_counts_agree_with_the_backtest_table(book_evidence):
    from chinchilla_lib.studies.public_backtests import backtest_table

    inside = backtest_table()["inside"]
    assert book_evidence["bt_inside"] == (inside == "yes").sum()
    assert book_evidence["bt_scored"] == inside.isin(["yes", "no"]).sum()


def test_the_second_prediction_waits_for_exactly_the_runs_not_yet_committed(book_table):
    from chinchilla_lib.studies.prediction_pair import second_runs
    from chinchilla_lib.studies.unrepeated_grid import load_prediction_unrepeated

    planned = sum(len(r["seeds"]) for r in load_prediction_unrepeated()["runs_to_train"])
    trained = len(second_runs())
    row = book_table.loc["prediction_2"]
    if trained < planned:
        assert row["verdict"] == CANNOT
        assert f"{trained} of its {planned} runs trained" in row["number"]
    else:
        assert row["verdict"] in (HOLDS, DOES_NOT_HOLD)
