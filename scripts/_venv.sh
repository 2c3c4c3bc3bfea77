# Sourced by build.sh and test.sh: create .venv if needed and install requirements.txt.
VENV="${CHINCHILLA_VENV:-$(pwd)/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
# The external data sets (see chinchilla_lib/data/README.md) are fetched on first use; a local
# mirror laid out as OWNER/REPO/PATH can be named with CHINCHILLA_LIB_DATA.
