"""Train our own small language models: a byte-level GPT family, IsoFLOP sweeps, the prediction.

Install torch (the CPU build is enough) and the extra ``chinchilla_lib[train]`` to train:
``pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu``, then
``pip install 'chinchilla_lib[train]'``.  Only :mod:`~chinchilla_lib.train.model`
and :mod:`~chinchilla_lib.train.loop` import torch, and they are loaded only when a run is
trained, so the settings, the sweep plans and the committed results can be read without it.

* :mod:`~chinchilla_lib.train.config`: the model family (:data:`LADDER`), parameter and FLOP
  counts, the batch and learning-rate rule, :class:`RunConfig`.
* :mod:`~chinchilla_lib.train.model`: the pre-norm GPT (torch).
* :mod:`~chinchilla_lib.train.loop`: :func:`train_run`, one run from scratch (torch).
* :mod:`~chinchilla_lib.train.sampling`: which training windows each step reads (with replacement, or disjoint).
* :mod:`~chinchilla_lib.train.sweep`: resumable sweeps on a process pool or a Dask cluster.
* :mod:`~chinchilla_lib.train.sweep_unrepeated`: the design of the second IsoFLOP grid (mixed corpus, no byte
  twice, C = 6ND), with the calculations behind it.
* :mod:`~chinchilla_lib.train.files`: a sweep's runs and curves files (whole-line appends, torn lines set aside).
* :mod:`~chinchilla_lib.train.pool`: the local pool's workers, which never outlive the sweep.
* :mod:`~chinchilla_lib.train.provenance`: whether a file is committed (a prediction, and the runs it is made from).
* :mod:`~chinchilla_lib.train.command`: the ``train`` subcommand of the command line.
"""

from __future__ import annotations

import importlib

#: Where each exported name lives; the submodule is imported on first use (PEP 562), so the command
#: line's ``train`` options cost nothing to a ``plan``.
_EXPORTS = {
    "config": ("LADDER", "MIN_STEPS", "SEQ_LEN", "VOCAB_SIZE", "RunConfig", "batch_rule", "gpt_parameter_counts",
               "plan_run", "run_flops_per_token", "shape_of"),
    "sweep": ("SWEEPS", "read_curves", "read_runs", "run_sweep", "sweep_paths"),
    "loop": ("train_run",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["LADDER", "MIN_STEPS", "SEQ_LEN", "VOCAB_SIZE", "RunConfig", "batch_rule", "gpt_parameter_counts",
           "plan_run", "run_flops_per_token", "shape_of", "SWEEPS", "read_curves", "read_runs", "run_sweep",
           "sweep_paths", "train_run", "torch_available"]


def torch_available() -> bool:
    """Whether torch can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        if name != "train_run":  # torch's module stays unloaded until a run is trained
            globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
