"""chinchilla_lib: the library behind the chinchilla-book reproduction of Hoffmann et al. 2022.

The names most users need are here::

    import chinchilla_lib as cl
    cl.plan(5.76e23)                                  # compute-optimal N, D for a budget (Eq. 4)
    runs = cl.load_hoffmann_fig4(exclude_highest_loss=cl.REPLICATION_EXCLUDED)
    fit = cl.fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"])
    fit.law.optimal_allocation(1e24)
    cl.fit_runs(pandas.read_csv("runs.csv"), approach=3).plan(1e24)   # your own runs to a plan

Layers, each importing only from those above it:

* data: :mod:`.datasets` (paper tables, pinned external sets);
* maths: :mod:`.architecture`, :mod:`.flops`, :mod:`.laws`, :mod:`.powerlaw`,
  :mod:`.robust`, :mod:`.simulate`;
* methods: :mod:`.envelope` (Approach 1), :mod:`.isoflop` (Approach 2),
  :mod:`.parametric` (Approach 3), :mod:`.kaplan`, :mod:`.embeddings` and :mod:`.inference`
  (sizing for training plus inference);
* :mod:`.studies` (one module per data set or experiment) and :mod:`.plotting`;
* :mod:`.checks` (the scorecard, one module per chapter);
* :mod:`.book` (what the chapters call to glue numbers, figures and tables) and :mod:`.cli` (command line).
"""

import importlib

#: Where each exported name lives: the module is imported on first use (PEP 562), so
#: ``python -m chinchilla_lib plan`` and ``import chinchilla_lib`` stay quick.
_EXPORTS = {
    "_validate": ("ExtrapolationWarning", "UnitWarning"),
    "runs": ("fit_runs",),
    "datasets": ("REPLICATION_EXCLUDED", "load_hoffmann_fig4", "load_llama_curves", "load_porian", "load_table",
                 "paper_value", "porian_configurations"),
    "envelope": ("fit_envelope", "lower_envelope"),
    "inference": ("inference_optimum", "overtraining_cost"),
    "isoflop": ("fit_isoflop", "fit_isoflop_frame"),
    "laws": ("ParametricLaw", "get_law", "law_names", "plan"),
    "parametric": ("Approach3Fit", "bootstrap_approach3", "fit_approach3"),
}
#: Names kept for the three approaches: Approach 1 (Section 3.1) is the lower envelope of training
#: curves, Approach 2 (Section 3.2) IsoFLOP profiles from arrays ``n_params, flops, loss``.
_ALIASES = {"fit_approach1": ("envelope", "fit_envelope"), "fit_approach2": ("isoflop", "fit_isoflop")}
_WHERE = {name: (module, name) for module, names in _EXPORTS.items() for name in names} | _ALIASES

__version__ = "0.1.0"


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
    "fit_runs", "plot_fit", "UnitWarning",
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
