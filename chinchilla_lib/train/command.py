"""What the ``train`` subcommand runs: ``train --smoke [--json]`` and ``train --sweep NAME [--workers K] [--scheduler ADDRESS]``.

``--smoke`` trains the small ``smoke`` grid (into a temporary folder unless ``--out`` names one)
and prints its runs; ``--sweep`` runs or resumes a committed sweep, its rows appended to
``chinchilla_lib/data/`` (or ``--out``) as each run finishes.  Needs torch (``pip install 'chinchilla_lib[train]'``);
without it the command exits with status 2 and says so.  Its options are defined with the other
subcommands' in :mod:`chinchilla_lib.cli`, so that no other command imports this package.
"""

from __future__ import annotations

import sys

__all__ = ["run"]

_SMOKE_COLUMNS = ["model", "budget", "seed", "n_params", "n_tokens", "steps", "batch", "lr", "flops", "loss"]


def run(args) -> dict:
    """Run the parsed ``train`` command; the result has ``sweep``, ``n_runs`` and ``runs`` (one dict per run)."""
    from . import torch_available
    from .sweep import run_sweep

    if not torch_available():
        raise ValueError("train needs torch: pip install 'chinchilla_lib[train]' (torch==2.13.0)")
    name = "smoke" if args.smoke else args.sweep
    log = None if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    if args.smoke and args.out is None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=folder, log=log)
    else:
        runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=args.out, log=log)
    runs = runs.sort_values(["budget", "n_params", "seed", "schedule"]).reset_index(drop=True)
    columns = _SMOKE_COLUMNS + (["schedule"] if "schedule" in runs else [])
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in runs[columns].to_dict("records")]
    return {"sweep": name, "n_runs": len(rows), "runs": rows}
