"""What the ``train`` subcommand runs: ``train --smoke [--json]`` and ``train --sweep NAME [--workers K] [--scheduler ADDRESS]``.

``--smoke`` trains the small ``smoke`` grid (into a temporary folder unless ``--out`` names one)
and prints its runs; ``--sweep`` runs or resumes a committed sweep, its rows appended to
``chinchilla_lib/data/`` (or ``--out``) as each run finishes.  Needs torch (:data:`TORCH_INSTALL`
installs the CPU build and the ``[train]`` extra); without it the command exits with status 2
and says so.  Ctrl-C (SIGINT) or SIGTERM ends the workers at once and exits with status 130 or
143 and one line; the finished runs stay in their files, and the same command resumes.  Its
options are defined with the other subcommands' in :mod:`chinchilla_lib.cli`, so that no other
command imports this package.
"""

from __future__ import annotations

import sys

__all__ = ["run", "Stopped", "TORCH_INSTALL"]

_SMOKE_COLUMNS = ["model", "budget", "seed", "n_params", "n_tokens", "steps", "batch", "lr", "flops", "loss"]

#: How to install torch for ``train``: the CPU build of the version the ``[train]`` extra pins, then the extra.
TORCH_INSTALL = ("pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu, "
                 "then pip install 'chinchilla_lib[train]'")


class Stopped(KeyboardInterrupt):
    """``train`` stopped by signal ``signum`` (SIGINT or SIGTERM); the message says where the finished runs are."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that the sweep stops as it does on Ctrl-C."""

    signum = 15


def _on_sigterm(signum, frame):
    raise _Terminated()


def run(args) -> dict:
    """Run the parsed ``train`` command; the result has ``sweep``, ``n_runs`` and ``runs`` (one dict per run).

    Raises
    ------
    ValueError
        Without torch (saying how to install it), or for a bad sweep name or worker count.
    Stopped
        On SIGINT (Ctrl-C) or SIGTERM, once the workers have ended.
    """
    import signal
    import threading
    import warnings

    from . import torch_available
    from .sweep import run_sweep, sweep_paths

    if not torch_available():
        raise ValueError(f"train needs torch, which is not installed: {TORCH_INSTALL}")
    name = "smoke" if args.smoke else args.sweep
    log = None if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    try:
        with warnings.catch_warnings():
            if log is not None:  # a warning (a torn line set aside) is said when it happens, not hours later
                warnings.simplefilter("always")
                warnings.showwarning = lambda message, *rest, **kw: log(f"{name}: warning: {message}")
            if args.smoke and args.out is None:
                import tempfile

                with tempfile.TemporaryDirectory() as folder:
                    runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=folder, log=log)
            else:
                runs = run_sweep(name, workers=args.workers, scheduler=args.scheduler, out_dir=args.out, log=log)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", int(signal.SIGINT))
        where = ("" if args.smoke and args.out is None else
                 f"; the finished runs are in {sweep_paths(name, args.out)[0]}: the same command resumes")
        raise Stopped(f"stopped by {signal.Signals(signum).name}{where}", signum) from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    runs = runs.sort_values(["budget", "n_params", "seed", "schedule"]).reset_index(drop=True)
    columns = _SMOKE_COLUMNS + (["schedule"] if "schedule" in runs else [])
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in runs[columns].to_dict("records")]
    return {"sweep": name, "n_runs": len(rows), "runs": rows}
