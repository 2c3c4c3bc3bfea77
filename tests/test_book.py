"""The chapter helpers: scorecard counts, the one table style, scorecard tables."""

from __future__ import annotations

import pandas as pd

from chinchilla_lib import book
from chinchilla_lib.checks import scorecard


def _rows():
    return pd.DataFrame({
        "id": ["a.x", "a.y", "b.z", "b.w"],
        "status": ["reproduced", "differs", "reproduced", "reproduced"],
        "reference": [1.0, 2.0, 3.0, 4.0], "ours": [1.0, 2.5, 3.0, 4.001],
        "difference": [0.0, 0.25, 0.0, 0.001], "tolerance": [0.01, 0.05, 0.1, 0.01],
        "tolerance_kind": ["absolute", "relative", "absolute", "absolute"],
    })


def test_scorecard_counts_of_given_rows():
    counts = {"n_checks": 4, "n_reproduced": 3, "n_differs": 1, "n_self_check": 0, "n_self_check_failed": 0,
              "n_new_result": 0}
    assert book.scorecard_counts(_rows()) == counts
    none_differ = _rows().assign(status="reproduced")
    assert book.scorecard_counts(none_differ) == {**counts, "n_reproduced": 4, "n_differs": 0}


def test_self_checks_are_counted_apart():
    rows = _rows().assign(status=["reproduced", "self-check", "self-check failed", "differs"])
    assert book.scorecard_counts(rows) == {"n_checks": 4, "n_reproduced": 1, "n_differs": 1,
                                           "n_self_check": 1, "n_self_check_failed": 1, "n_new_result": 0}
    rows = _rows().assign(status=["reproduced", "new result", "new result", "differs"])
    assert book.scorecard_counts(rows)["n_new_result"] == 2


def test_scorecard_counts_default_is_the_whole_scorecard():
    rows = scorecard()
    counts = book.scorecard_counts()
    assert counts["n_checks"] == len(rows)
    assert counts["n_reproduced"] == int((rows["status"] == "reproduced").sum())
    assert counts["n_differs"] == int((rows["status"] == "differs").sum())
    assert counts["n_self_check"] == int((rows["status"] == "self-check").sum())
    assert (counts["n_reproduced"] + counts["n_differs"] + counts["n_self_check"]
            + counts["n_self_check_failed"] + counts["n_new_result"]) == counts["n_checks"]


def test_scorecard_frame_formats_relative_and_absolute_rows():
    shown = book.scorecard_frame(_rows())
    assert list(shown["difference"][:2]) == ["+0.0000", "+25.00%"]
    assert list(shown["tolerance"][:2]) == ["±0.01", "±5.0%"]
    assert shown["ours"].iloc[1] == "2.5"


def test_table_style_wrap_option():
    frame = pd.DataFrame({"x": [1.23456], "note": ["long text"]})
    assert "white-space: nowrap" in book.table_style(frame, {"x": "{:.2f}"}).to_html()
    html = book.table_style(frame, {"x": "{:.2f}"}, wrap=True).to_html()
    assert "white-space: normal" in html and "1.23" in html


def test_scorecard_table_columns_and_wrap():
    html = book.scorecard_table("flops.", columns=("id", "quantity", "source", "note"), wrap=True).to_html()
    assert "flops.gopher_appendix_f" in html and "white-space: normal" in html
    default = book.scorecard_table("flops.").to_html()
    assert "white-space: nowrap" in default and "tolerance" in default


def test_scorecard_table_marks_each_status():
    html = book.scorecard_table().to_html()
    assert "color: #b00020" in html and "font-style: italic" in html  # differs in red, self-checks in italics


def test_glue_figure_closes_the_figure(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    from chinchilla_lib import book

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update(name=name, value=value,
                                                                                  display=display))
    fig, _ = plt.subplots()
    book.glue_figure("some-figure")
    assert seen == {"name": "some-figure", "value": fig, "display": False}
    assert not plt.fignum_exists(fig.number)
