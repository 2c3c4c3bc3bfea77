"""The reproduction scorecard."""

import pytest

from chinchilla_lib.checks import COLUMNS, Check, scorecard


def test_rows_have_every_column_and_unique_ids():
    card = scorecard()
    assert list(card.columns) == COLUMNS
    assert card["id"].is_unique
    assert set(card["status"]) <= {"reproduced", "differs", "self-check"}


def test_known_outcomes():
    card = scorecard().set_index("id")
    for label in ["73M", "305M", "552M", "1.1B", "1.6B", "6.8B"]:
        assert card.loc[f"flops.tableA4.{label}", "status"] == "reproduced"
    # the printed alpha, beta do not give the printed a; the full-precision ones do
    assert card.loc["laws.paper.a", "status"] == "differs"
    assert card.loc["laws.paper-full.a", "status"] == "reproduced"
    assert card.loc["laws.paper-full.n_opt_gopher", "status"] == "reproduced"
    assert card.loc["flops.gopher_appendix_f", "status"] == "differs"


def test_check_status_logic():
    assert Check("x", "q", 1.0, "s", 1.004, 0.005).status == "reproduced"
    assert Check("x", "q", 1.0, "s", 1.006, 0.005).status == "differs"
    rel = Check("x", "q", 100.0, "s", 102.0, 0.025, relative=True)
    assert rel.difference == pytest.approx(0.02) and rel.status == "reproduced"
    assert Check("x", "q", 1.0, "s", float("nan"), 0.1).status == "error"


def test_prefix_filter():
    rows = scorecard("flops.")
    assert len(rows) > 0 and rows["id"].str.startswith("flops.").all()
