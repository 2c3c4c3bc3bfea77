"""One glued name, one value: the build fails when two pages glue one name with two values (_ext/glue_consistency.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import glue_consistency  # noqa: E402


def _output(text: str, **more) -> dict:
    return {"data": {"text/plain": text, **more}, "metadata": {}, "output_type": "display_data"}


def test_only_plain_text_values_are_compared():
    data = {"a": _output("0.495"), "fig": _output("<Figure size 640x480>", **{"image/png": "..."}),
            "old": _output("1")}
    assert glue_consistency.glued_text(data) == {"a": "0.495", "old": "1"}
    assert glue_consistency.glued_text(data, names=["a", "fig"]) == {"a": "0.495"}


def test_a_name_with_two_values_is_a_conflict():
    values = {"chapters/approach2": {"a": "0.4951", "n": "9", "same": "2"},
              "chapters/other_runs": {"a": "0.4967", "same": "2"},
              "chapters/laptop": {"n": "5", "alone": "3"}}
    found = glue_consistency.conflicts(values)
    assert found == {"a": {"chapters/approach2": "0.4951", "chapters/other_runs": "0.4967"},
                     "n": {"chapters/approach2": "9", "chapters/laptop": "5"}}
    assert glue_consistency.conflicts({"p": {"a": "1"}, "q": {"a": "1"}}) == {}
    message = glue_consistency.conflict_message("a", found["a"])
    assert "'a'" in message and "chapters/approach2: 0.4951" in message and "chapters/other_runs: 0.4967" in message


def test_values_are_read_from_the_pages_glue_files(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "p.glue.json").write_text(json.dumps({"a": _output("1"), "gone": _output("2")}))
    pages = {"chapters/p": ["a"], "chapters/never_read": ["b"]}
    assert glue_consistency.page_values(tmp_path, pages) == {"chapters/p": {"a": "1"}}


def test_the_book_loads_the_check():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["glue_consistency"] == "_ext/"


_PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Page {name}

```{{code-cell}} ipython3
from myst_nb import glue
glue("shared", {value}, display=False)
```

The value is {{glue:text}}`shared`.
"""


def _build(tmp_path: Path, values: dict[str, float]) -> subprocess.CompletedProcess:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT / '_ext')!r})
        extensions = ["myst_nb", "glue_consistency"]
        nb_execution_mode = "force"
        exclude_patterns = ["_build"]
        """))
    (src / "index.md").write_text("# Index\n\n```{toctree}\n" + "\n".join(values) + "\n```\n")
    for name, value in values.items():
        (src / f"{name}.md").write_text(_PAGE.format(name=name, value=value))
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(src / "_build" / "html")],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("values, fails", [({"one": 0.4951, "two": 0.4967}, True), ({"one": 0.5, "two": 0.5}, False)])
def test_a_build_with_two_values_for_one_name_fails(tmp_path, values, fails):
    done = _build(tmp_path, values)
    assert (done.returncode != 0) == fails, done.stderr
    assert ("'shared' carries different values" in done.stderr) == fails, done.stderr
