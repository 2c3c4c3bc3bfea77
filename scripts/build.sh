#!/usr/bin/env bash
# Build the book from a fresh clone: make .venv, install everything, execute every
# chapter and write the static site to _build/html.  Warnings are errors.
# BOOK_JOBS chapters are executed at once (default 2); BOOK_REPOSITORY=OWNER/NAME (set by the
# GitHub Pages workflow) adds the repository and launch buttons, which a local build leaves out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
"$VENV/bin/python" scripts/build_book.py . --jobs "${BOOK_JOBS:-2}"
echo "The book is at $(pwd)/_build/html/index.html"
