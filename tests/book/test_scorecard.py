"""The reproduction scorecard."""

import pytest

from chinchilla_lib.checks import COLUMNS, HOFFMANN, THIS_BOOK, Check, repeated_quantities, reproduced_by, scorecard


def test_rows_have_every_column_and_unique_ids(whole_scorecard):
    card = whole_scorecard
    assert list(card.columns) == COLUMNS
    assert card["id"].is_unique
    assert set(card["status"]) <= {"reproduced", "differs", "self-check", "new result", "refused"}


def test_every_row_that_differs_names_the_chapter_that_explains_it(whole_scorecard):
    from pathlib import Path

    stems = {p.stem for p in (Path(__file__).resolve().parents[2] / "chapters").glob("*.md")}
    card = whole_scorecard
    differs = card[card["status"] == "differs"]
    assert differs["explained_in"].isin(stems).all(), differs.loc[~differs["explained_in"].isin(stems), "id"].tolist()
    assert card.loc[card["explained_in"] != "", "explained_in"].isin(stems).all()


def test_rows_that_cannot_fail_are_self_checks_or_gone(whole_scorecard):
    card = whole_scorecard.set_index("id")
    assert card.loc["kaplan.a", "status"] == "self-check"  # 0.73 transcribed, compared with itself
    assert card.loc["approach1.simulated.a", "status"] == "self-check"  # the simulation's own truth
    # look-ups in Gadre et al.'s files against their abstract
    assert card.loc["overtraining.gadre.max_multiplier", "status"] == "self-check"
    assert card.loc["overtraining.gadre.tokens_per_param", "status"] == "self-check"
    assert not card.index.str.match(r"laws\..*\.b$").any()  # b = 1 - a repeats the a rows
    assert "approach3.table2.a_interval" not in card.index  # replaced by a check of the width


def test_one_quantity_is_one_row(whole_scorecard):
    """No quantity is stated twice against the same printed value (with the same or another value of ours)."""
    assert repeated_quantities(whole_scorecard.to_dict("records")) == []
    ids = set(whole_scorecard["id"])
    # Approaches 2 and 3 on the Figure 4 points are the rows of their own chapters, not repeated in other_runs
    assert {"approach2.fig4.a", "approach3.table2.a"} <= ids
    assert not {"other_runs.figure4.total.approach2.a", "other_runs.figure4.total.approach3.a"} & ids


def test_repeated_quantities_are_found_and_refused():
    from chinchilla_lib import checks

    row = Check("x.one", "Approach 2 a, Figure 4", 0.49, "Table 2", 0.495, 0.005).as_row()
    twin = {**row, "id": "x.two", "ours": 0.497, "quantity": " approach 2 A,  Figure 4"}
    variant = {**row, "id": "x.three", "quantity": "Approach 2 a, Figure 4, slices of interpolated curves"}
    assert repeated_quantities([row, twin, variant]) == [["x.one", "x.two"]]
    assert repeated_quantities([row, variant, {**row, "id": "x.four", "source": "Table A2"}]) == []
    with pytest.raises(RuntimeError, match="one quantity twice"):
        checks._refuse_duplicates([row, twin])


def test_every_row_names_whose_number_it_compares_with(whole_scorecard):
    card = whole_scorecard
    assert card["printed_by"].str.strip().ne("").all()
    printed = card[card["printed_by"] != THIS_BOOK]
    named = [s.startswith(p) for s, p in zip(printed["source"], printed["printed_by"])]
    assert all(named), printed.loc[[not n for n in named], ["id", "source", "printed_by"]].values.tolist()
    by = reproduced_by(card)
    assert sum(by.values()) == int((card["status"] == "reproduced").sum())
    assert by["hoffmann"] == int(((card["status"] == "reproduced") & (card["printed_by"] == HOFFMANN)).sum())
    assert by["hoffmann"] > 0 and by["later_papers"] > 0
    with pytest.raises(ValueError, match="printed_by"):
        Check("x", "q", 1.0, "s", 1.0, 0.005, printed_by=" ")


def test_table2_exponents_are_held_to_their_printed_rounding(whole_scorecard):
    """Table 2 prints a to two decimals: half a unit in the last is the tolerance, not the printed interval."""
    card = whole_scorecard.set_index("id")
    row = card.loc["approach2.fig4.a"]
    assert row["tolerance"] == 0.005 and row["tolerance_kind"] == "absolute"
    table2 = card[(card["source"] == "Hoffmann et al. 2022, Table 2") & card.index.str.endswith(".a")]
    assert (table2["tolerance"] == 0.005).all(), table2["tolerance"].to_dict()


def test_compute_parity_rows_count_both_models_alike(whole_scorecard):
    card = whole_scorecard.set_index("id")
    six = card.loc["problem.compute_parity.6nd"]
    assert six["ours"] == pytest.approx(5.88 / 5.04)  # 6 x 70B x 1.4T over 6 x 280B x 300B
    assert six["status"] == "differs" and six["explained_in"] == "problem"
    assert card.loc["flops.compute_parity.appendix_f", "status"] == "differs"
    # Table A9 is printed in whole millions: half a unit is the tolerance
    assert card.loc["architecture.tableA9.worst_row", "tolerance"] == 0.5


def test_known_outcomes(whole_scorecard):
    card = whole_scorecard.set_index("id")
    for label in ["73M", "305M", "552M", "1.1B", "1.6B", "6.8B"]:
        assert card.loc[f"flops.tableA4.{label}", "status"] == "reproduced"
    # the printed alpha, beta do not give the printed a; the full-precision ones do
    assert card.loc["laws.paper.a", "status"] == "differs"
    assert card.loc["laws.paper-full.a", "status"] == "reproduced"
    assert card.loc["laws.paper-full.n_opt_gopher", "status"] == "reproduced"
    assert card.loc["flops.gopher_appendix_f", "status"] == "differs"


def test_llama3_tokens_row_allows_only_the_rounding_of_the_printed_law():
    row = scorecard("comparison.llama3.tokens_from_law").iloc[0]
    # by hand: 0.29 x 3.8e25^0.53 = 10.46T and 0.295 x 3.8e25^0.535 = 14.29T; 1 - 10.46 / 14.29 = 0.2677
    assert row["tolerance_kind"] == "relative"
    assert row["tolerance"] == pytest.approx(0.2677, abs=2e-4)
    # 10.46T / 16.55T - 1 = -0.368: the printed tokens lie beyond what the rounding allows
    assert row["difference"] == pytest.approx(-0.368, abs=1e-3) and row["status"] == "differs"


def test_check_status_logic():
    assert Check("x", "q", 1.0, "s", 1.004, 0.005).status == "reproduced"
    assert Check("x", "q", 1.0, "s", 1.006, 0.005).status == "differs"
    rel = Check("x", "q", 100.0, "s", 102.0, 0.025, relative=True)
    assert rel.difference == pytest.approx(0.02) and rel.status == "reproduced"
    assert Check("x", "q", 1.0, "s", float("nan"), 0.1).status == "error"
    assert Check("x", "q", 1.0, "s", 1.004, 0.005, self_check=True).status == "self-check"
    assert Check("x", "q", 1.0, "s", 1.006, 0.005, self_check=True).status == "self-check failed"
    # A new result is never counted as reproduced or as differing, however near or far it lies.
    assert Check("x", "q", 1.0, "s", 1.004, 0.005, new_result=True).status == "new result"
    assert Check("x", "q", 1.0, "s", 1.5, 0.005, new_result=True).status == "new result"
    assert Check("x", "q", 1.0, "s", float("nan"), 0.005, new_result=True).status == "error"
    with pytest.raises(ValueError, match="not both"):
        Check("x", "q", 1.0, "s", 1.0, 0.005, self_check=True, new_result=True)


def test_prefix_filter():
    rows = scorecard("flops.")
    assert len(rows) > 0 and rows["id"].str.startswith("flops.").all()
