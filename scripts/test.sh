#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: make .venv, install everything, run pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m "not chapter"`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
"$VENV/bin/python" -m pytest "$@"
