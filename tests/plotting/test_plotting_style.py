"""The book's visual language: one distinct look per meaning, no colour typed outside the style module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.colors import is_color_like, to_rgb  # noqa: E402

from chinchilla_lib.plotting import style  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLOTTING = sorted(p for p in (ROOT / "chinchilla_lib" / "plotting").glob("*.py") if p.name != "style.py")
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
#: Strings a plotting call may pass that matplotlib would also read as a colour but that mean no colour.
ALLOWED = {"none"}


def _colour_literals(source: str) -> list[str]:
    """String constants of ``source`` that matplotlib reads as a colour ("#0173b2", "black", "0.6", "C3")."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value.strip()
            if text and text not in ALLOWED and len(text) > 1 and is_color_like(text):
                found.append(text)
            elif re.search(r"#[0-9a-fA-F]{6}\b", text):
                found.append(text)
    return found


def _cells(path: Path) -> list[str]:
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", path.read_text(), re.S)
    return ["\n".join(line for line in cell.splitlines() if not line.startswith((":", "%"))) for cell in cells]


def test_every_meaning_has_its_own_colour_and_marker():
    pairs = [(to_rgb(s.color), s.marker) for s in style.SERIES.values()]
    assert len(set(pairs)) == len(pairs)
    labels = [s.label for s in style.SERIES.values()]
    assert len(set(labels)) == len(labels)


def test_ours_and_paper_of_an_approach_differ_in_colour_fill_and_line():
    for k in (1, 2, 3):
        ours, paper = style.SERIES[f"approach{k}-ours"], style.SERIES[f"approach{k}-paper"]
        assert to_rgb(ours.color) != to_rgb(paper.color)
        assert ours.filled and not paper.filled
        assert ours.linestyle != paper.linestyle


def test_named_models_find_their_series():
    assert style.model_series("Chinchilla") is style.SERIES["chinchilla"]
    assert style.model_series("GPT-3 davinci") is style.SERIES["gpt-3"]
    assert style.model_series("LLaMA-65B") is style.SERIES["llama"]
    assert style.model_series("Some model").label == "Some model"
    with pytest.raises(ValueError, match="series must be one of"):
        style.series("approach4")


def test_the_literal_finder_sees_colours():
    assert _colour_literals('ax.plot(x, color="#0173b2")') == ["#0173b2"]
    assert _colour_literals('ax.plot(x, color="black", mfc="0.6")') == ["black", "0.6"]
    assert _colour_literals('ax.plot(x, "o-", facecolor="none", label="ours")') == []


@pytest.mark.parametrize("path", PLOTTING, ids=lambda p: p.name)
def test_no_colour_typed_in_plotting_modules(path):
    assert _colour_literals(path.read_text()) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_colour_typed_in_chapter_code(path):
    found = []
    for cell in _cells(path):
        try:
            found += _colour_literals(cell)
        except SyntaxError:
            continue
    assert found == []


def test_readable_log_ticks_plain_decimals_on_a_narrow_range():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_xlim(0.3, 3.0)
    style.readable_log_ticks(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert "0.5" in labels and "1" in labels and "2" in labels
    assert not any("10^" in t or "times" in t for t in labels)


def test_compact_numbers_read_as_written():
    assert [style.compact_number(v) for v in (0.4, 2, 300, 5e5, 2e6, 7e10, 1.4e12)] == [
        "0.4", "2", "300", "500k", "2M", "70B", "1.4T"]
    assert style.compact_number(5e18) == "$5\\times10^{18}$"
    assert style.compact_number(1e20) == "$10^{20}$"
