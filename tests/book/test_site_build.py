"""The build side of the site: the repository switch, the notebook downloads, plain-text math in search, the workflow."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_book():
    return _load(ROOT / "scripts" / "build_book.py", "build_book")


def test_local_build_has_no_repository_or_launch_buttons(build_book):
    assert build_book.repository_options({}) == {}
    assert build_book.repository_options({"BOOK_REPOSITORY": "  "}) == {}


def test_repository_from_the_environment(build_book):
    options = build_book.repository_options({"BOOK_REPOSITORY": "someone/chinchilla-book"})
    assert options["repository_url"] == "https://github.com/someone/chinchilla-book"
    assert 'pip install "chinchilla_lib @ git+https://github.com/someone/chinchilla-book"' in options["announcement"]
    assert options["repository_branch"] == "main" and options["use_repository_button"] is True
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert options["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert build_book.repository_options({"BOOK_REPOSITORY": "a/b", "BOOK_BRANCH": "pages"})["repository_branch"] == "pages"


@pytest.mark.parametrize("bad", ["no-slash", "https://github.com/a/b", "a/b/c", "a b/c"])
def test_a_repository_that_is_not_owner_slash_name_is_refused(build_book, bad):
    with pytest.raises(SystemExit, match="OWNER/NAME"):
        build_book.repository_options({"BOOK_REPOSITORY": bad})


@pytest.mark.parametrize("repository", [None, "someone/chinchilla-book"])
def test_the_switch_reaches_the_sphinx_configuration(build_book, monkeypatch, repository):
    import jupyter_book.sphinx as jb_sphinx

    monkeypatch.setattr(jb_sphinx, "get_final_config", jb_sphinx.get_final_config)
    monkeypatch.setattr(jb_sphinx, "build_sphinx", jb_sphinx.build_sphinx)
    env = {"BOOK_REPOSITORY": repository} if repository else {}
    build_book._patch(2, build_book.repository_options(env), small_batches=False)
    config, _ = jb_sphinx.get_final_config(user_yaml=ROOT / "_config.yml", cli_config={"latex_individualpages": False}, sourcedir=ROOT)
    theme = config["html_theme_options"]
    assert jb_sphinx.build_sphinx.keywords == {"jobs": 2}
    if repository:
        assert theme["repository_url"] == f"https://github.com/{repository}" and theme["use_repository_button"]
        assert theme["launch_buttons"]["binderhub_url"] and theme["launch_buttons"]["colab_url"]
    else:
        assert theme["announcement"] == build_book.LOCAL_ANNOUNCEMENT  # says where the code is
        assert not theme.get("use_repository_button")
        assert not theme.get("launch_buttons", {}).get("binderhub_url")
        assert not theme.get("launch_buttons", {}).get("colab_url")


def test_every_chapter_converts_to_a_notebook():
    downloads = _load(ROOT / "_ext" / "notebook_downloads.py", "notebook_downloads")
    import jupytext

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for name in files:
        source = ROOT / f"{name}.md"
        if "```{code-cell}" not in source.read_text(encoding="utf-8"):
            assert not downloads._is_notebook(source), name  # a page of text only: nothing to run
            continue
        assert downloads._is_notebook(source), name
        notebook = jupytext.read(source)
        assert any(cell.cell_type == "code" for cell in notebook.cells), name
    assert not downloads._is_notebook(ROOT / "README.md")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("tex, text", [
    (r"\(N_{opt}(C) \propto C^{a}\)", "N_opt(C) ∝ C^a"),
    (r"\(\frac{\alpha}{\alpha+\beta}\)", "(α)/(α+β)"),
    (r"$L(N, D) = E + A/N^\alpha$", "L(N, D) = E + A/N^α"),
    (r"\[\mathrm{6ND}\,\text{FLOPs}\]", "6ND FLOPs"),
])
def test_search_snippets_show_formulas_as_text(tex, text):
    script = ("global.window = {}; global.document = {addEventListener: () => {}};\n"
              f"{(ROOT / '_static' / 'search_math.js').read_text()}\n"
              f"process.stdout.write(JSON.stringify(window.chinchillaPlainMath({json.dumps(tex)})));")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == text


def test_pages_workflow_runs_the_ci_steps_and_publishes():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML reads the key "on" as True
    build = workflow["jobs"]["build"]
    assert build["env"]["BOOK_REPOSITORY"] == "${{ github.repository }}"
    runs = " ".join(step.get("run", "") for step in build["steps"])
    ci = (ROOT / ".ci" / "run").read_text()
    for command in ("bash scripts/test.sh", "bash scripts/build.sh", "scripts/check_site.py --site _build/html"):
        assert command in runs and command in ci, command
    uses = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert "build_book.py" in (ROOT / "scripts" / "build.sh").read_text()


def test_check_site_refuses_an_unknown_check():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_site.py"), "--only", "render,nonsense"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "nonsense" in done.stderr


def test_a_cold_build_reads_in_small_batches_and_a_cached_one_in_sphinxs(build_book, monkeypatch):
    import jupyter_book.sphinx as jb_sphinx
    from sphinx.builders import Builder

    for name in ("get_final_config", "build_sphinx"):
        monkeypatch.setattr(jb_sphinx, name, getattr(jb_sphinx, name))
    monkeypatch.setattr(Builder, "_read_parallel", Builder._read_parallel)
    pages = [f"p{i:02d}" for i in range(19)]
    batches = build_book.read_batches(pages, 2)
    assert [len(b) for b in batches] == [3, 3, 3, 3, 3, 3, 1] and sum(batches, []) == pages  # ceil(19 / 8) = 3
    assert build_book.read_batches(pages[:3], 2) == [["p00"], ["p01"], ["p02"]]
    default = Builder._read_parallel
    build_book._patch(2, {}, small_batches=False)
    assert Builder._read_parallel is default
    build_book._patch(2, {}, small_batches=True)
    assert Builder._read_parallel is not default and Builder._read_parallel.__wrapped__ is default


def test_a_downloaded_notebook_shows_the_glued_values_and_figures():
    downloads = _load(ROOT / "_ext" / "notebook_downloads.py", "notebook_downloads")
    glued = {"a": {"data": {"text/plain": "0.51234"}}, "name": {"data": {"text/plain": "'g08'"}},
             "code": {"data": {"text/markdown": "[x](https://example.org)"}},
             "fig": {"data": {"text/plain": "<Figure>", "image/svg+xml": "<svg/>"}}}
    text = ("$a$ = {glue:text}`a:.2f` on {glue:text}`name`, {glue}`a`; {glue:md}`code`; see {doc}`notation`,\n"
            "{term}`IsoFLOP` and {ref}`the gate <other_runs>`.\n\n"
            "```{glue:figure} fig\n:name: fig-x\n\nThe caption.\n```\n\n"
            ":::{admonition} Key results\n:class: key-results\n\n* one\n:::\n\n"
            "```{dropdown} Solution\nIt is 2.\n```\n\n```bash\nls\n```")
    shown, attachments = downloads.readable_markdown(text, glued)
    assert "$a$ = 0.51 on g08, 0.51234; [x](https://example.org); see notation," in shown
    assert "IsoFLOP and the gate." in shown and "{" not in shown.replace("{glue", "")
    assert "![The caption.](attachment:fig.svg)" in shown and attachments == {"fig.svg": {"image/svg+xml": "<svg/>"}}
    assert "**Key results**" in shown and ":class:" not in shown and ":::" not in shown
    assert "**Solution**\nIt is 2.\n" in shown
    assert "```bash\nls\n```" in shown  # an ordinary code block keeps its fences


def test_the_intro_says_where_the_code_is():
    from chinchilla_lib import book

    assert book.repository_url({}) is None
    assert "local checkout" in book.source_markdown({})
    text = book.source_markdown({"BOOK_REPOSITORY": "someone/chinchilla-book"})
    assert "[https://github.com/someone/chinchilla-book](https://github.com/someone/chinchilla-book)" in text
    assert 'pip install "chinchilla_lib @ git+https://github.com/someone/chinchilla-book"' in text
    with pytest.raises(ValueError, match="OWNER/NAME"):
        book.repository_url({"BOOK_REPOSITORY": "not a repository"})
