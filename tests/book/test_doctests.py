"""The examples in the documented modules' docstrings (shown in the API reference) run and give what they say."""

import doctest
import importlib

import pytest

#: The modules of the API reference, and the submodules their packages re-export.
DOCUMENTED = [
    "chinchilla_lib", "chinchilla_lib.laws", "chinchilla_lib.laws.parametric", "chinchilla_lib.laws.flops", "chinchilla_lib.approaches.runs",
    "chinchilla_lib.approaches.envelope", "chinchilla_lib.approaches.isoflop",
    "chinchilla_lib.approaches.isoflop.profile", "chinchilla_lib.approaches.isoflop.fit",
    "chinchilla_lib.approaches.isoflop.diagnostics", "chinchilla_lib.stats.intervals", "chinchilla_lib.stats.budgets", "chinchilla_lib.approaches.simulate", "chinchilla_lib.laws.inference",
    "chinchilla_lib.approaches.parametric", "chinchilla_lib.approaches.parametric.objective", "chinchilla_lib.approaches.parametric.optimise",
    "chinchilla_lib.approaches.parametric.grid", "chinchilla_lib.approaches.parametric.fit", "chinchilla_lib.approaches.parametric.bootstrap",
    "chinchilla_lib.approaches.parametric.lbfgsb", "chinchilla_lib.approaches.parametric.diagnostics",
    "chinchilla_lib.datasets", "chinchilla_lib.datasets.paper_tables", "chinchilla_lib.datasets.external",
    "chinchilla_lib.datasets.figure4", "chinchilla_lib.datasets.porian", "chinchilla_lib.datasets.llama",
    "chinchilla_lib.datasets.gadre", "chinchilla_lib.datasets.sardana", "chinchilla_lib.datasets.muennighoff",
    "chinchilla_lib.datasets.evaluation",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_docstring_examples_pass(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):  # objects defined in the module (re-exports are tested where defined)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize("name", ["chinchilla_lib.laws.get_law", "chinchilla_lib.laws.plan",
                                  "chinchilla_lib.laws.ParametricLaw.optimal_allocation", "chinchilla_lib.approaches.runs.fit_runs",
                                  "chinchilla_lib.laws.flops.six_nd"])
def test_main_entry_points_have_examples(name):
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            continue
    for attr in parts[i:]:
        obj = getattr(obj, attr)
    examples = [e for t in doctest.DocTestFinder().find(obj, name, globs={}) for e in t.examples]
    assert examples, f"{name} has no Examples section"
