"""The package's shape: no import circles, dependencies one way, every checks module listed, a public face."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "chinchilla_lib"

#: Layers from the bottom up; a module may import only from its own layer or lower ones.
LAYERS = [
    {"_validate"},
    {"stats"},
    {"datasets", "result_cache"},
    {"laws"},
    {"approaches", "evaluation", "train"},
    {"studies", "plotting"},
    {"checks"},
    {"book", "cli", "__init__", "__main__"},
]

#: What the top of the package holds besides the layer folders: its face, the command line and one helper.
TOP_FILES = {"__init__.py", "__main__.py", "cli.py", "_validate.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (relative and absolute, at any depth of the file)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("chinchilla_lib"):
                found.add(target)
                for alias in node.names:  # "from . import x" imports the submodule x
                    candidate = f"{target}.{alias.name}"
                    if _path_of(candidate) is not None:
                        found.add(candidate)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("chinchilla_lib")}
    return {m for m in found if _path_of(m) is not None and m != name}


def _path_of(module: str) -> Path | None:
    parts = module.split(".")[1:]
    if not parts:
        return PACKAGE / "__init__.py"
    rel = Path(*parts)
    for candidate in (PACKAGE / rel.with_suffix(".py"), PACKAGE / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for i, members in enumerate(LAYERS):
        if top in members:
            return i
    raise AssertionError(f"module {module} is in no layer of LAYERS; add it")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    assert _cycle(_graph()) is None


def test_dependencies_run_one_way():
    # A package's __init__ re-exports its own submodules, so imports inside one top-level
    # module or package are free; across them, only downwards.
    wrong = [f"{m} imports {t}" for m, targets in _graph().items() for t in targets
             if t.split(".")[:2] != m.split(".")[:2] and _layer(t) > _layer(m)]
    assert not wrong


def test_the_top_holds_the_face_and_the_layer_folders():
    files = {p.name for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert files == TOP_FILES
    assert folders == set().union(*LAYERS) - {Path(f).stem for f in TOP_FILES}


def test_no_module_is_longer_than_600_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600}
    assert not long


def test_the_command_line_never_imports_a_study():
    # Registries of laws, allocations and data sets live below the studies; the CLI reaches them there.
    graph = _graph()
    assert not {t for t in graph["chinchilla_lib.cli"] if t.startswith("chinchilla_lib.studies")}


def test_the_import_walk_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    # The checks above rest on _imports reading imports at any depth of a file.
    module = PACKAGE / "cli.py"
    found = _imports(module)
    assert "chinchilla_lib.checks" in found  # imported inside a function only


def test_studies_do_not_draw():
    drawing = [p.name for p in (PACKAGE / "studies").glob("*.py") if "matplotlib" in p.read_text()]
    assert not drawing


def test_every_checks_module_is_listed_in_book_order():
    from chinchilla_lib import checks

    modules = {p.stem for p in (PACKAGE / "checks").glob("*.py")} - {"__init__", "check"}
    listed = [m.__name__.rsplit(".", 1)[1] for m in checks.CHAPTERS]
    assert set(listed) == modules
    import yaml

    toc = yaml.safe_load((PACKAGE.parent / "_toc.yml").read_text())
    book = [c["file"].rsplit("/", 1)[1] for part in toc["parts"] for c in part["chapters"]]
    # A checks module is named for its chapter, or names it in CHAPTER.
    chapters = [getattr(m, "CHAPTER", m.__name__.rsplit(".", 1)[1]) for m in checks.CHAPTERS]
    assert [book.index(c) for c in chapters] == sorted(book.index(c) for c in chapters)


def test_only_checks_is_keyed_by_chapter():
    # "kaplan" names both a chapter and a method (Kaplan et al.'s laws); every other module is
    # named for a method or a data set, never for a chapter.
    chapters = {p.stem for p in (PACKAGE.parent / "chapters").glob("*.md")} - {"kaplan"}
    names = {p.stem for p in PACKAGE.rglob("*.py") if "checks" not in p.parts}
    keyed = {n for n in names if n in chapters or "approach" in n or "report" in n or "chapter" in n}
    assert not keyed


@pytest.mark.parametrize("name", ["plan", "get_law", "fit_runs", "plot_fit", "fit_approach1", "fit_approach2", "fit_approach3",
                                  "bootstrap_approach3", "load_hoffmann_fig4", "load_porian", "load_llama_curves",
                                  "load_table", "scorecard"])
def test_public_face(name):
    import chinchilla_lib as cl

    assert callable(getattr(cl, name))
    assert name in cl.__all__


@pytest.mark.parametrize("old", sorted(__import__("chinchilla_lib").MOVED))
def test_a_moved_module_still_imports_by_its_earlier_name(old):
    import importlib

    import chinchilla_lib

    new = importlib.import_module(f"chinchilla_lib.{chinchilla_lib.MOVED[old]}")
    assert importlib.import_module(f"chinchilla_lib.{old}") is new
    assert new.__name__ == f"chinchilla_lib.{chinchilla_lib.MOVED[old]}"  # one module, not a copy


def test_a_moved_package_hands_over_its_submodules():
    import importlib

    from chinchilla_lib.approaches.parametric import fit

    assert importlib.import_module("chinchilla_lib.parametric.fit") is fit
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("chinchilla_lib.no_such_module")
