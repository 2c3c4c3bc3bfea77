"""Time the book's whole backtest table: every named set of final losses, every approach, with its intervals.

In one run this measures, each in a fresh interpreter with no result cache (``CHINCHILLA_LIB_CACHE`` unset):

1. the baseline: ``python -m chinchilla_lib backtest --data hoffmann-fig4 --approach 2`` (one set, one
   approach: Figure 4's points, 100 bootstrap resamples of the fit and 200 of the held-out vertex);
2. the table: :func:`chinchilla_lib.studies.public_backtests.backtest_rows` (every set and approach), then the
   coverage table and the numbers the chapter quotes.

It prints the seconds of each, their ratio, and the target (the table in at most 90 s on this 2-core
machine); exit status 1 when the table misses it.  BLAS threads are set to 1 unless set already.

Usage::

    CHINCHILLA_LIB_DATA=... python benchmarks/bench_backtests.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 90.0
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_TABLE = ("from chinchilla_lib.studies.public_backtests import backtest_rows, backtest_numbers, coverage_table; "
          "rows = backtest_rows(); coverage_table(rows); n = backtest_numbers(rows); "
          "print(n['n_backtests'], n['n_scored'])")


def _timed(argv: list[str]) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "CHINCHILLA_LIB_CACHE"}
    env.update({k: env.get(k, "1") for k in _THREAD_VARS})
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()}")
    return seconds, proc.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    base, _ = _timed([sys.executable, "-m", "chinchilla_lib", "backtest", "--data", "hoffmann-fig4", "--approach", "2",
                      "--json"])
    table, counts = _timed([sys.executable, "-c", _TABLE])
    backtests, scored = (int(x) for x in counts.split())
    result = {"baseline_seconds": round(base, 2), "table_seconds": round(table, 2),
              "ratio": round(table / base, 1), "backtests": backtests, "scored": scored,
              "target_seconds": TARGET_SECONDS, "met": table <= TARGET_SECONDS}
    print(f"{'baseline: one set, Approach 2':<40} {base:8.1f} s")
    print(f"{'the table: every set and approach':<40} {table:8.1f} s  ({table / base:.1f} x the baseline; "
          f"{backtests} backtests, {scored} scored)")
    print(f"target: the table in at most {TARGET_SECONDS:.0f} s: {'met' if result['met'] else 'MISSED'}")
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
