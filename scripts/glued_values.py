"""Execute chapters and print every glued value as JSON: ``{chapter: {name: value}}``.

Used to check that a change to the library or a chapter leaves every number the book
prints unchanged::

    python scripts/glued_values.py chapters/approach2.md > after.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def glued(path: Path) -> dict:
    nb = jupytext.read(path)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            scrapbook = o.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name"):
                prefix = scrapbook.get("mime_prefix", "")  # glued without display: the bundle is prefixed
                data = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in o.get("data", {}).items()}
                out[scrapbook["name"]] = data.get("text/plain", str(data))
    return out


if __name__ == "__main__":
    print(json.dumps({p: glued(Path(p)) for p in sys.argv[1:]}, indent=1, sort_keys=True))
