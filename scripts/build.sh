#!/usr/bin/env bash
# Build the book from a fresh clone: make .venv, install everything, execute every
# chapter and write the static site to _build/html.  Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
"$VENV/bin/jupyter-book" build . --warningiserror --nitpick --keep-going
echo "The book is at $(pwd)/_build/html/index.html"
