"""Every chapter in the table of contents executes without error and glues every number its prose uses."""

import os
import re
from pathlib import Path

import jupytext
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


@pytest.fixture(scope="module")
def shared_results(tmp_path_factory):
    """The executed chapters share their costliest results, as the chapters of one book build do."""
    from chinchilla_lib.result_cache import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("shared-results"))
    yield
    if before is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = before


@pytest.mark.chapter
@pytest.mark.parametrize("chapter", _toc_files())
def test_chapter_executes(chapter, shared_results):
    path = ROOT / f"{chapter}.md"
    nb = jupytext.read(path)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    used = set(re.findall(r"\{glue(?::text)?\}`([^`:]+)", path.read_text()))
    glued = {o["metadata"]["scrapbook"]["name"] for c in nb.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if "scrapbook" in o.get("metadata", {})}
    assert used <= glued, f"prose uses names no cell glues: {sorted(used - glued)}"


def _cell_lengths(chapter):
    """Non-blank lines of every code cell as written, its option lines (tags, figure options) included."""
    text = (ROOT / f"{chapter}.md").read_text()
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S)
    return [len([line for line in cell.splitlines() if line.strip()]) for cell in cells]


@pytest.mark.parametrize("chapter", _toc_files())
def test_chapter_cells_are_short(chapter):
    """Chapters show the method; analysis logic lives in tested library functions."""
    import statistics

    lengths = _cell_lengths(chapter)
    if not lengths:  # a reference page without code
        return
    assert statistics.median(lengths) <= 6, lengths
    assert max(lengths) <= 15, lengths


@pytest.mark.parametrize("chapter", _toc_files())
def test_chapter_tables_use_the_book_style(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    assert ".style." not in text and ".hide(axis" not in text
