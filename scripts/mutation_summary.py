"""Killed / total per module from ``mutmut results --all true`` on standard input (see mutation_test.sh)."""

import re
import sys
from collections import Counter, defaultdict

counts: dict[str, Counter] = defaultdict(Counter)
for line in sys.stdin:
    match = re.match(r"\s*(chinchilla_lib\.[\w.]+?)\.x\w*__mutmut_\d+:\s*(\w[\w ]*)", line)
    if match:
        counts[match.group(1)][match.group(2).strip()] += 1
print(f"{'module':<36} {'killed':>7} {'total':>6} {'rate':>6}  other")
for module, c in sorted(counts.items()):
    killed = c["killed"] + c["timeout"]
    total = sum(c.values()) - c["not checked"]
    rest = ", ".join(f"{k} {v}" for k, v in c.items() if k not in ("killed", "timeout"))
    rate = f"{100 * killed / total:.0f}%" if total else "-"
    print(f"{module:<36} {killed:>7} {total:>6} {rate:>6}  {rest}")
