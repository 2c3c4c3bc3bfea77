"""Run the command line in-process for tests: exit code, standard output and standard error."""

from __future__ import annotations

import contextlib
import io

from chinchilla_lib.cli import main


def run_cli(argv):
    """``main(argv)`` with its output captured; argparse's own exits give their code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own exits
            code = exc.code
    return code, out.getvalue(), err.getvalue()
