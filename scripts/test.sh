#!/usr/bin/env bash
# Run the test suite from a fresh clone: make .venv, install everything, lint with ruff, run pytest.
# The chapters are executed by the book build (scripts/build.sh fails on any cell error, any warning and any
# glued name the prose uses but no cell glues), so they are left out here; `bash scripts/test.sh -m chapter`
# executes them as tests too.  Extra arguments go to pytest (a later -m wins).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
"$VENV/bin/ruff" check chinchilla_lib scripts tests benchmarks _ext
"$VENV/bin/python" -m pytest --durations=15 -m "not chapter" "$@"
