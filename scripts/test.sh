#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: make .venv, install everything, lint with ruff, run pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m "not chapter"`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
"$VENV/bin/ruff" check chinchilla_lib scripts tests benchmarks _ext
"$VENV/bin/python" -m pytest --durations=15 "$@"
