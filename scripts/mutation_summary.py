"""Killed / total per module from ``mutmut results --all true`` on standard input (see mutation_test.sh).

Mutants listed in ``tests/mutation_equivalents.md`` (a table: module, mutant, reason) are reported apart:
the rate is killed / (checked - equivalent), where ``checked`` leaves out mutants mutmut has not run yet.

    mutmut results --all true | python scripts/mutation_summary.py [--markdown] [--survivors]
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

EQUIVALENTS = Path(__file__).resolve().parents[1] / "tests" / "mutation_equivalents.md"
KILLED = ("killed", "timeout", "caught by type check", "segfault")
LINE = re.compile(r"\s*(chinchilla_lib\.[\w.]+?)\.(x\S*?__mutmut_\d+):\s*(\w[\w ]*)")


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``{full mutant name: reason}`` from the table rows ``| module | mutant | reason |``."""
    out = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1].startswith("x") and "__mutmut_" in cells[1]:
            out[f"chinchilla_lib.{cells[0]}.{cells[1]}"] = cells[2]
    return out


def main(argv: list[str]) -> int:
    markdown, show = "--markdown" in argv, "--survivors" in argv
    listed = equivalents()
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    stale = []  # listed as equivalent, yet killed: the row is wrong (or names a renumbered mutant)
    for line in sys.stdin:
        match = LINE.match(line)
        if not match:
            continue
        module, name, status = match.group(1), f"{match.group(1)}.{match.group(2)}", match.group(3).strip()
        c = counts[module.removeprefix("chinchilla_lib.")]
        c["total"] += 1
        if status in KILLED:
            c["killed"] += 1
            if name in listed:
                stale.append(name)
        elif status == "not checked":
            c["not checked"] += 1
        elif name in listed:
            c["equivalent"] += 1
        else:
            c["survived" if status == "survived" else "other"] += 1
            survivors.append(f"{name}: {status}")
    if not counts:
        print("no mutmut results on standard input (run: mutmut results --all true | python scripts/mutation_summary.py)")
        return 1
    counts["all"] = sum(counts.values(), Counter())
    cols = ("killed", "total", "not checked", "equivalent", "survived", "other")
    if markdown:
        print("| module | killed | total | not run | equivalent | survived | rate |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    else:
        print(f"{'module':<22} {'killed':>7} {'total':>6} {'not run':>8} {'equiv':>6} {'surv':>5} {'other':>6} {'rate':>6}")
    for module, c in counts.items():
        checked = c["total"] - c["not checked"] - c["equivalent"]
        rate = f"{100 * c['killed'] / checked:.1f}%" if checked else "-"
        if markdown:
            name = f"**{module}**" if module == "all" else module
            print(f"| {name} | {c['killed']} | {c['total']} | {c['not checked']} | {c['equivalent']} | "
                  f"{c['survived'] + c['other']} | {rate} |")
        else:
            print(f"{module:<22} " + " ".join(f"{c[k]:>{w}}" for k, w in zip(cols, (7, 6, 8, 6, 5, 6))) + f" {rate:>6}")
    print(f"\nrate = killed / (total - not run - equivalent); {len(listed)} mutants listed as equivalent in "
          f"{EQUIVALENTS.name}")
    if show:
        print("\n".join(["", "survivors:"] + survivors))
    if stale:
        print("\n".join(["", f"listed as equivalent but killed ({len(stale)}; remove or renumber their rows):"]
                        + stale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
