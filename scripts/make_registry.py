"""Write ``chinchilla_lib/datasets/pins/external_files.txt``: the SHA-256 pin of every external file.

The file is pooch's registry format (``OWNER/REPO/PATH sha256:HASH``, one file a
line).  It is made from a mirror's ``sha256sums.txt`` (``sha256sum`` output with
paths laid out as ``./OWNER/REPO/PATH``); the commit each repository is pinned at
is in ``external_sets.csv`` beside it, and every repository named here must be
listed there.

Usage::

    python scripts/make_registry.py [--mirror ../shared/external]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "chinchilla_lib" / "datasets" / "pins" / "external_files.txt"
SETS = OUT.parent / "external_sets.csv"


def registry_lines(sums: str) -> list[str]:
    """Sorted registry lines from ``sha256sum`` output."""
    lines = []
    for line in sums.splitlines():
        if not line.strip():
            continue
        sha, path = line.split(maxsplit=1)
        lines.append(f"{path.strip().removeprefix('./')} sha256:{sha}")
    return sorted(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "external")
    args = parser.parse_args()
    lines = registry_lines((args.mirror / "sha256sums.txt").read_text())
    with SETS.open() as f:
        repos = {row["repo"] for row in csv.DictReader(f)}
    unknown = sorted({"/".join(line.split("/")[:2]) for line in lines} - repos)
    if unknown:
        raise SystemExit(f"repositories not in {SETS.name} (add their commit there): {unknown}")
    OUT.write_text("# OWNER/REPO/PATH sha256:HASH; made by scripts/make_registry.py, do not edit\n"
                   + "\n".join(lines) + "\n")
    print(f"wrote {len(lines)} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
