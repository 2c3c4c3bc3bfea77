"""Every numbered chapter ends with exercises a student can check: numbered, each with a computed answer.

The numbered chapters (the parts of ``_toc.yml`` with ``numbered: true``) each have an
``## Exercises`` section holding numbered exercises, one ``Solution`` dropdown per exercise, and
every solution shows its answer with a number the chapter computes with the library (a glued
value, ``{glue:text}`` or ``{glue}``), or a checkable result: a command, code or an expression
the student runs (inline code), or a derivation's result (an equation).  A number typed into a solution is not computed, so a solution
whose only answer is typed fails.  That the glued names are glued at all is checked when the
chapters are executed (``tests/book/test_chapters.py``, the book build).
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

_ITEM = re.compile(r"^(\d+)\. ", re.M)
_SOLUTION = re.compile(r"^(?:```+|:::+)\{dropdown\}\s*Solution\s*\n(.*?)^(?:```+|:::+)\s*$", re.S | re.M)
_GLUE = re.compile(r"\{glue(?::text)?\}`[^`]+`")
_CODE = re.compile(r"(?<!`)`[^`{]+`(?!`)")
_EQUATION = re.compile(r"\$[^$]*=[^$]*\$")


def _numbered_chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]


def _exercises(chapter: str) -> str:
    text = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
    found = re.search(r"^## Exercises\s*$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert found, f"{chapter} has no '## Exercises' section"
    return found.group(1)


@pytest.mark.parametrize("chapter", _numbered_chapters())
def test_exercises_are_numbered_and_each_has_a_solution(chapter):
    section = _exercises(chapter)
    numbers = [int(n) for n in _ITEM.findall(re.sub(r"```.*?```|:::.*?:::", "", section, flags=re.S))]
    assert len(numbers) >= 2, f"{chapter}: {len(numbers)} numbered exercise(s)"
    assert numbers == list(range(1, len(numbers) + 1)), f"{chapter}: exercises numbered {numbers}"
    solutions = _SOLUTION.findall(section)
    assert len(solutions) >= len(numbers), f"{chapter}: {len(numbers)} exercises, {len(solutions)} solutions"


@pytest.mark.parametrize("chapter", _numbered_chapters())
def test_every_solution_gives_a_computed_or_checkable_answer(chapter):
    for k, solution in enumerate(_SOLUTION.findall(_exercises(chapter)), 1):
        assert _GLUE.search(solution) or _CODE.search(solution) or _EQUATION.search(solution), (
            f"{chapter}, solution {k}: no glued number and nothing to run: {solution.strip()[:80]!r}")
