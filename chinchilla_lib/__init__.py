"""chinchilla_lib: the library behind the chinchilla-book reproduction of Hoffmann et al. 2022.

The names most users need are here::

    import chinchilla_lib as cl
    cl.plan(5.76e23)                                  # compute-optimal N, D for a budget (Eq. 4)
    runs = cl.load_hoffmann_fig4(exclude_highest_loss=cl.REPLICATION_EXCLUDED)
    fit = cl.fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"])
    fit.law.optimal_allocation(1e24)
    cl.fit_runs(pandas.read_csv("runs.csv"), approach=3).plan(1e24)   # your own runs to a plan (a cl.Plan)

Layers, one folder each, each importing only from the layers listed before it:

* :mod:`._validate` (one-line argument errors, unit and extrapolation warnings);
* data: :mod:`.datasets` (paper tables, pinned external sets) and :mod:`.result_cache`;
* laws: :mod:`.laws` (every closed form: the parametric law, power laws, FLOPs, parameter counts,
  Kaplan's laws, embeddings, inference-aware sizing);
* methods: :mod:`.approaches` (the runs table, Approaches 1, 2 and 3, run grids, simulation),
  :mod:`.evaluation` (models compared task by task) and :mod:`.train` (our own small models);
* :mod:`.studies` (one module per data set or experiment) and :mod:`.plotting`;
* :mod:`.checks` (the scorecard, one module per chapter, named like it);
* :mod:`.book` (what the chapters call to glue numbers, figures and tables) and :mod:`.cli` (command line).
"""

import importlib
import importlib.machinery
import sys

#: Where each exported name lives: the module is imported on first use (PEP 562), so
#: ``python -m chinchilla_lib plan`` and ``import chinchilla_lib`` stay quick.
_EXPORTS = {
    "_validate": ("ExtrapolationWarning", "UnitWarning"),
    "approaches.runs": ("fit_runs", "runs_table"),
    "laws.plans": ("Plan",),
    "datasets": ("REPLICATION_EXCLUDED", "load_hoffmann_fig4", "load_llama_curves", "load_porian", "load_table",
                 "paper_value", "porian_configurations"),
    "approaches.envelope": ("fit_envelope", "lower_envelope"),
    "laws.inference": ("inference_optimum", "overtraining_cost"),
    "approaches.isoflop": ("fit_isoflop", "fit_isoflop_frame"),
    "laws.parametric": ("ParametricLaw", "get_law", "law_names", "plan"),
    "approaches.parametric": ("Approach3Fit", "bootstrap_approach3", "fit_approach3"),
}
#: Names kept for the three approaches: Approach 1 (Section 3.1) is the lower envelope of training
#: curves, Approach 2 (Section 3.2) IsoFLOP profiles from arrays ``n_params, flops, loss``.
_ALIASES = {"fit_approach1": ("approaches.envelope", "fit_envelope"),
            "fit_approach2": ("approaches.isoflop", "fit_isoflop")}
_WHERE = {name: (module, name) for module, names in _EXPORTS.items() for name in names} | _ALIASES

__version__ = "0.1.0"

#: Modules that moved into the layer folders, by their earlier import paths: ``import
#: chinchilla_lib.isoflop`` (and ``chinchilla_lib.parametric.fit`` and so on) still gives the module.
MOVED = {
    "architecture": "laws.architecture", "embeddings": "laws.embeddings", "flops": "laws.flops",
    "inference": "laws.inference", "kaplan": "laws.kaplan", "powerlaw": "laws.powerlaw",
    "envelope": "approaches.envelope", "isoflop": "approaches.isoflop", "parametric": "approaches.parametric",
    "robust": "stats.robust", "run_grid": "approaches.run_grid", "runs": "approaches.runs",
    "simulate": "approaches.simulate", "model_comparison": "evaluation.model_comparison",
}


class _MovedModules:
    """Finds a moved module by its earlier name and hands over the module at its new place.

    A meta path finder and its loader (PEP 451), written without ``importlib.abc``, whose import
    alone would cost a plan more than the rest of the package.
    """

    def find_spec(self, fullname, path=None, target=None):
        head, _, rest = fullname.partition(".")
        old, _, tail = rest.partition(".")
        if head != __name__ or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        old, _, tail = spec.name.split(".", 1)[1].partition(".")
        return importlib.import_module(".".join(filter(None, (__name__, MOVED[old], tail))))

    def exec_module(self, module):
        pass


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.insert(0, _MovedModules())


def plot_fit(runs, result, **options):
    """Any runs and their fit, drawn as the book draws the paper's (see :func:`chinchilla_lib.plotting.plot_fit`)."""
    from .plotting import plot_fit as _plot_fit

    return _plot_fit(runs, result, **options)


def scorecard(prefix: str | None = None):
    """Every reproduction check as a table (see :func:`chinchilla_lib.checks.scorecard`)."""
    from .checks import scorecard as _scorecard

    return _scorecard(prefix)


__all__ = [
    "__version__", "plan", "ParametricLaw", "get_law", "law_names", "fit_approach1", "fit_approach2",
    "fit_approach3", "fit_envelope", "lower_envelope", "fit_isoflop", "fit_isoflop_frame", "bootstrap_approach3",
    "Approach3Fit", "load_table", "paper_value", "load_hoffmann_fig4", "REPLICATION_EXCLUDED", "load_porian",
    "porian_configurations", "load_llama_curves", "scorecard", "inference_optimum", "overtraining_cost",
    "fit_runs", "runs_table", "Plan", "plot_fit", "UnitWarning",
    "ExtrapolationWarning",
]


def __getattr__(name: str):
    if name in _WHERE:
        module, attribute = _WHERE[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
