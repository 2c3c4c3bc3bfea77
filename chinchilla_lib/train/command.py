"""The ``train`` subcommand: ``train --smoke [--json]`` and ``train --sweep NAME [--workers K] [--scheduler ADDRESS]``.

``--smoke`` trains the small ``smoke`` grid (into a temporary folder unless ``--out`` names one)
and prints its runs; ``--sweep`` runs or resumes a committed sweep, its rows appended to
``data/`` (or ``--out``) as each run finishes.  Needs torch (``pip install 'chinchilla_lib[train]'``);
without it the command exits with status 2 and says so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

__all__ = ["add_parser", "run"]

_SMOKE_COLUMNS = ["model", "budget", "seed", "n_params", "n_tokens", "steps", "batch", "lr", "flops", "loss"]


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--workers must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers must be at least 1, got {text!r}")
    return value


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to an argparse subparsers object."""
    from .sweep import SWEEPS

    train = sub.add_parser("train", help="train our own small models: the smoke grid or a committed sweep")
    what = train.add_mutually_exclusive_group(required=True)
    what.add_argument("--smoke", action="store_true", help="train the small smoke grid and print its runs")
    what.add_argument("--sweep", choices=sorted(SWEEPS), help="run or resume a committed sweep")
    train.add_argument("--workers", type=_workers, default=2, help="local worker processes, one thread each (default 2)")
    train.add_argument("--scheduler", default=None, help="address of a Dask distributed scheduler, e.g. tcp://host:8786")
    train.add_argument("--out", default=None, help="folder of the runs and curves files (default: data/; "
                       "--smoke: a temporary folder)")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    return train


def run(args) -> dict:
    """Run the parsed ``train`` command; the result has ``sweep``, ``n_runs`` and ``runs`` (one dict per run)."""
    from . import torch_available
    from .sweep import run_sweep

    if not torch_available():
        raise ValueError("train needs torch: pip install 'chinchilla_lib[train]' (torch==2.13.0)")
    name = "smoke" if args.smoke else args.sweep
    log = None if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    if args.smoke and args.out is None:
        with tempfile.TemporaryDirectory() as folder:
            runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=folder, log=log)
    else:
        runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=args.out, log=log)
    runs = runs.sort_values(["budget", "n_params", "seed", "schedule"]).reset_index(drop=True)
    columns = _SMOKE_COLUMNS + (["schedule"] if "schedule" in runs else [])
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in runs[columns].to_dict("records")]
    return {"sweep": name, "n_runs": len(rows), "runs": rows}
