"""The chapter helpers: scorecard counts, the one table style, scorecard tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import book


def _rows():
    return pd.DataFrame({
        "id": ["a.x", "a.y", "b.z", "b.w"],
        "status": ["reproduced", "differs", "reproduced", "reproduced"],
        "reference": [1.0, 2.0, 3.0, 4.0], "ours": [1.0, 2.5, 3.0, 4.001],
        "difference": [0.0, 0.25, 0.0, 0.001], "tolerance": [0.01, 0.05, 0.1, 0.01],
        "tolerance_kind": ["absolute", "relative", "absolute", "absolute"],
        "printed_by": ["Hoffmann et al. 2022", "Hoffmann et al. 2022", "Porian et al. 2024", "this book"],
    })


def test_scorecard_counts_of_given_rows():
    counts = {"n_checks": 4, "n_reproduced": 3, "n_differs": 1, "n_self_check": 0, "n_self_check_failed": 0,
              "n_new_result": 0, "n_refused": 0, "n_reproduced_hoffmann": 1, "n_reproduced_later": 1, "n_reproduced_own": 1}
    assert book.scorecard_counts(_rows()) == counts
    none_differ = _rows().assign(status="reproduced")
    assert book.scorecard_counts(none_differ) == {**counts, "n_reproduced": 4, "n_differs": 0,
                                                  "n_reproduced_hoffmann": 2}


def test_self_checks_are_counted_apart():
    rows = _rows().assign(status=["reproduced", "self-check", "self-check failed", "differs"])
    assert book.scorecard_counts(rows) == {"n_checks": 4, "n_reproduced": 1, "n_differs": 1,
                                           "n_self_check": 1, "n_self_check_failed": 1, "n_new_result": 0, "n_refused": 0,
                                           "n_reproduced_hoffmann": 1, "n_reproduced_later": 0,
                                           "n_reproduced_own": 0}
    rows = _rows().assign(status=["reproduced", "new result", "new result", "differs"])
    assert book.scorecard_counts(rows)["n_new_result"] == 2


def test_scorecard_counts_default_is_the_whole_scorecard(scorecard_once):
    rows = scorecard_once
    counts = book.scorecard_counts()
    assert counts["n_checks"] == len(rows)
    assert counts["n_reproduced"] == int((rows["status"] == "reproduced").sum())
    assert counts["n_differs"] == int((rows["status"] == "differs").sum())
    assert counts["n_self_check"] == int((rows["status"] == "self-check").sum())
    assert (counts["n_reproduced"] + counts["n_differs"] + counts["n_self_check"]
            + counts["n_self_check_failed"] + counts["n_new_result"] + counts["n_refused"]) == counts["n_checks"]
    assert (counts["n_reproduced_hoffmann"] + counts["n_reproduced_later"] + counts["n_reproduced_own"]
            == counts["n_reproduced"])


def test_scorecard_frame_formats_relative_and_absolute_rows():
    shown = book.scorecard_frame(_rows())
    # tolerance 0.01 is half a unit of a value printed to 0.02: two decimals (ceil(-log10(0.02)) = 2)
    assert list(shown["difference"][:2]) == ["+0.00", "+25.00%"]
    assert list(shown["tolerance"][:2]) == ["±0.01", "±5.0%"]
    assert shown["ours"].iloc[1] == "2.5" and shown["paper"].iloc[0] == "1.00"
    assert shown["difference"].iloc[2] == "+0.0"  # tolerance 0.1: one decimal
    assert book.printed_decimals(0.005) == 2 and book.printed_decimals(0.5) == 0
    assert book.printed_decimals(5.0) is None and book.printed_decimals(0.0) is None
    # a large value with an absolute tolerance: the difference as a share of it, not floating-point noise
    big = _rows().assign(reference=[5.76e23, 2.0, 3.0, 4.0], ours=[5.7600000000000002e23, 2.5, 3.0, 4.001],
                         difference=[1.9186e9, 0.25, 0.0, 0.001], tolerance=[5e21, 0.05, 0.1, 0.01])
    assert book.scorecard_frame(big)["difference"].iloc[0] == "+0.00%"
    assert "Tolerance ±0.01. Id: a.x." in shown["why"].iloc[0]


def test_chapter_summary_counts_each_status_once():
    assert book.chapter_summary(_rows()) == "4 rows: 3 ✓ reproduced, 1 ✗ differs"
    assert book.chapter_summary(_rows().iloc[:1]) == "1 row: 1 ✓ reproduced"


def test_table_style_wrap_option():
    frame = pd.DataFrame({"x": [1.23456], "note": ["long text"]})
    assert "white-space: nowrap" in book.table_style(frame, {"x": "{:.2f}"}).to_html()
    html = book.table_style(frame, {"x": "{:.2f}"}, wrap=True).to_html()
    assert "white-space: normal" in html and "1.23" in html


def test_scorecard_table_columns_and_labels():
    html = book.scorecard_table("flops.", columns=("quantity", "source", "id")).to_html()
    assert "flops.gopher_appendix_f" in html and "white-space: normal" in html and "nowrap" not in html
    assert "Gopher training FLOPs, App. F count" in html  # the row's quantity labels it
    default = book.scorecard_table("flops.").to_html()
    headers = re.findall(r'<th id="[^"]*" class="col_heading[^"]*" >([^<]*)</th>', default)
    assert headers == list(book.SCORECARD_COLUMNS.values())
    assert headers[0] == "Status"  # status first
    assert "Id: flops.gopher_appendix_f." in default  # the id kept, in the note
    assert 'class="scorecard"' in default  # found by the page's filter
    assert book.status_legend() in default  # the legend above the table


def test_every_status_has_one_marker_and_one_style():
    statuses = {"reproduced", "differs", "self-check", "self-check failed", "new result", "refused", "error"}
    assert set(book.STATUS_MARKERS) == statuses and set(book.STATUS_STYLES) == statuses
    assert len(set(book.STATUS_MARKERS.values())) == len(statuses)
    assert len(set(book.STATUS_STYLES.values())) == len(statuses)
    assert book.status_text("differs") == "✗ differs"
    legend = book.status_legend()
    for status in ("reproduced", "differs", "self-check", "new result", "refused"):
        assert book.status_text(status) in legend


def test_scorecard_table_marks_each_status():
    html = book.scorecard_table().to_html()
    assert "color: #b00020" in html and "font-style: italic" in html  # differs in red, self-checks in italics
    assert "✗ differs" in html and "○ self-check" in html and "★ new result" in html and "✓ reproduced" in html


def _grouped_rows():
    return _rows().assign(quantity=["qx", "qy", "qz", "qw"], source="s", note=["", "why y", "", ""],
                          explained_in=["", "approach2", "", ""],
                          chapter=["problem", "approach2", "problem", "laptop"])


def test_scorecard_by_chapter_keeps_every_row_once_in_book_order():
    html = book.scorecard_by_chapter(_grouped_rows()).data
    for row_id in ("a.x", "a.y", "b.z", "b.w"):
        assert html.count(f"Id: {row_id}.") == 1
    captions = re.findall(r"<caption>([^<]*)</caption>", html)
    assert captions == ["Chapter 1: The problem: spending a compute budget. 2 rows: 2 ✓ reproduced",
                        "Chapter 4: Approach 2: IsoFLOP profiles. 1 row: 1 ✗ differs",
                        "Chapter 12: A Chinchilla on a laptop. 1 row: 1 ✓ reproduced"]
    assert html.index(book.status_legend()) < html.index("<table")
    assert "Why y. Explained in chapter 4 (Approach 2: IsoFLOP profiles)." in html  # explanation visible


def test_scorecard_by_chapter_refuses_an_unknown_chapter():
    with pytest.raises(ValueError, match="CHAPTER_FILES"):
        book.scorecard_by_chapter(_grouped_rows().assign(chapter="nowhere"))


def test_scorecard_frame_writes_powers_of_ten_one_way():
    rows = _rows().assign(reference=[5.76e23, 2.0, 3.0, 4.0], quantity="at 5.76e+23 FLOPs", source="s",
                          note="", explained_in="")
    shown = book.scorecard_frame(rows)
    assert shown["paper"].iloc[0] == "5.76e23" and shown["quantity"].iloc[0] == "at 5.76e23 FLOPs"


def test_chapter_files_name_every_check_module_and_its_chapter_title():
    from pathlib import Path

    import yaml

    from chinchilla_lib.checks import BOOK_ORDER, CHAPTER_FILES, CHAPTERS, chapter_number

    assert list(CHAPTER_FILES) == [m.__name__.rsplit(".", 1)[1] for m in CHAPTERS]
    toc = yaml.safe_load((Path(__file__).resolve().parents[2] / "_toc.yml").read_text())
    numbered = [c["file"].removeprefix("chapters/") for part in toc["parts"] if part.get("numbered")
                for c in part["chapters"]]
    assert list(BOOK_ORDER) == numbered  # the scorecard numbers chapters as the site does
    assert chapter_number("backtests") == numbered.index("backtests") + 1
    with pytest.raises(ValueError, match="numbered chapter"):
        chapter_number("intro")
    chapters = Path(__file__).resolve().parents[2] / "chapters"
    for stem, title in CHAPTER_FILES.values():
        first_heading = next(line for line in (chapters / f"{stem}.md").read_text().splitlines()
                             if line.startswith("# "))
        assert first_heading == f"# {title}"


def test_number_formats():
    assert book.flops_text(5.76e23) == "5.76e23" and book.flops_text(1e24) == "1e24"
    assert book.flops_text(1.2e-5) == "1.2e-5" and book.flops_text(float("nan")) == "–"
    assert book.significant(67.82) == "67.8" and book.significant(1415.5) == "1416"
    assert book.significant(0.07441) == "0.0744" and book.significant(0) == "0"
    assert book.billions(6.7e10) == "67.0" and book.billions(4e8) == "0.400"
    tpp = book.table_style(pd.DataFrame({"tokens_per_param": [0.0245, 92.61]})).to_html()
    assert ">0.0245</td>" in tpp and ">92.6</td>" in tpp  # three significant digits, small or large


def test_table_style_headers_in_words_and_one_format_per_quantity():
    frame = pd.DataFrame({"n_params": [7e10, 4e8], "flops": [5.76e23, 1e24], "half_width": [0.123, 0.5],
                          "other_value": [7.319e10, 4e10], "a": [0.49512, np.nan]})
    html = book.table_style(frame).to_html()
    assert book.reader_header("data set") == "Data set" and book.reader_header("a (range)") == "a (range)"
    assert book.reader_header("alpha C^min") == "alpha C^min"  # a symbol's name keeps its case
    assert book.reader_header("ours, App. F") == "Ours, App. F" and book.reader_header("N_opt") == "Optimal parameters"
    for header in ("Parameters (B)", "Compute (FLOPs)", "Half-width (decades of N)", "Other value", "Exponent a"):
        assert f">{header}</th>" in html
    for cell in ("70.0", "0.400", "5.76e23", "1e24", "0.12", "7.32e10", "4e10", "0.495", "–"):
        assert f">{cell}</td>" in html
    assert "e+" not in html
    text = book.table_style(pd.DataFrame({"budgets": ["6e+18-1e+22"], "1e+21 FLOPs": ["x"]})).to_html()
    assert ">6e18-1e22</td>" in text and ">1e21 FLOPs</th>" in text and ">Budgets (FLOPs)</th>" in text
    # a chapter's own format wins, and is written without e+
    assert ">5.760e23</td>" in book.table_style(frame, {"flops": "{:.3e}"}).to_html()
    # a count shown by the chapter's own format is not in billions: its header drops the "(B)"
    counted = book.table_style(pd.DataFrame({"n_params": [9456.0]}), {"n_params": "{:,.0f}"}).to_html()
    assert ">Parameters</th>" in counted and ">9,456</td>" in counted and "(B)" not in counted
    # two columns that would read alike keep their names
    both = pd.DataFrame({"lo": [0.1], "low": [0.2]})
    assert ">lo</th>" in book.table_style(both).to_html()


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


def test_counts_and_text_in_numeric_formats_do_not_fail():
    frame = pd.DataFrame({"n_points": [8.0, np.nan], "x": [1.5, 2.5]})
    html = book.table_style(frame, {"x": "{:d}"}).to_html()
    assert ">8</td>" in html and ">–</td>" in html and ">1.5</td>" in html
    assert book.count_text(7.6) == "8"
    text = book.table_style(pd.DataFrame({"interval": ["0.1-0.2", ""]})).to_html()
    assert ">0.1-0.2</td>" in text and ">–</td>" in text  # empty text shown as missing


def test_quantity_table_has_one_row_per_quantity_in_words_with_its_format():
    frame = pd.DataFrame({"n_params": [7e10, 2.8e11], "n_layers": [80, 80], "flops_6nd": [5.88e23, 5.04e23],
                          "ratio_x": [1.23456, 0.5]}, index=["Chinchilla", "Gopher"])
    shown = book.quantity_table(frame).data
    assert list(shown.columns) == ["Quantity", "Chinchilla", "Gopher"]
    assert list(shown["Quantity"]) == ["Parameters (B)", "Layers", "Compute as 6ND, Table 1's N (FLOPs)", "Ratio x"]
    assert list(shown["Chinchilla"]) == ["70.0", "80", "5.88e23", "1.23"]
    assert list(shown["Gopher"]) == ["280", "80", "5.04e23", "0.500"]


def test_agreeing_figures_by_hand():
    from chinchilla_lib.book.formats import agreed_text, agreeing_figures

    # 1.7796 and 1.7829: 2, 1.8 | 1.8, 1.78 | 1.78, 1.780 | 1.783 -> three figures shared
    assert agreeing_figures(1.7796, 1.7829) == 3 and agreed_text(1.7796, 1.7829) == "1.78"
    assert agreed_text(0.37897, 0.38061) == "0.38" and agreed_text(0.30969, 0.31101) == "0.31"
    assert agreed_text(821.28, 845.07) == "800"  # 800 | 800, then 820 | 850
    assert agreeing_figures(0.0248, 0.0261) == 0 and agreed_text(0.0248, 0.0261) == "–"  # 0.02 | 0.03
    assert agreeing_figures(0.449, 0.451) == 0  # 0.4 | 0.5 at one figure, though both are 0.45 at two
    assert agreeing_figures(2.5, 2.5) == 6 and agreeing_figures(1.0, float("nan")) == 0
