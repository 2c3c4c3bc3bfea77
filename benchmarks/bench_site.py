"""Time what a reader and a builder wait for: ``plan`` on the command line, a cold and a cached book build.

In one run this measures

1. ``python -m chinchilla_lib plan --flops 1e22``: the median wall time of 10 runs in fresh
   interpreters, beside two baselines measured in the same run: ``python -c pass`` (the interpreter
   alone) and ``python -c "import numpy"`` (the one library a plan needs).  Byte code is compiled
   once before timing (into a temporary ``PYTHONPYCACHEPREFIX``), as an installed package has it;
2. a cold build: the book copied into a fresh temporary folder (no ``_build``, so no execution
   cache) and built with ``scripts/build_book.py`` (``--jobs``, default 2: two chapters executed at once);
3. a cached rebuild in the same folder: the HTML and Sphinx's environment removed, the execution
   cache kept, so every page is read again and no chapter is executed.

It prints a table and one JSON object (``--json FILE`` also writes it), with each chapter's
execution time from the build log ("Executed notebook in X seconds").  ``--plan-only`` skips the
builds.  Targets: plan <= 0.15 s, cold build <= 180 s, cached rebuild <= 20 s.

Usage::

    CHINCHILLA_LIB_DATA=... python benchmarks/bench_site.py [--jobs 2] [--plan-only] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"plan_seconds": 0.15, "cold_build_seconds": 180.0, "cached_build_seconds": 20.0}
IGNORE = shutil.ignore_patterns("_build", ".git", "__pycache__", "mutants", "mutants-*", ".pytest_cache",
                                ".hypothesis", "logs", ".venv", "*.ipynb")


def _env(pycache: str, root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    env["PYTHONPATH"] = str(root)
    return env


def _median_wall(cmd: list[str], env: dict, repeats: int) -> float:
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # compile byte code, warm the disk cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_plan(repeats: int = 10) -> dict:
    """Median wall times of ``plan --flops 1e22`` and of the two baselines, in seconds."""
    with tempfile.TemporaryDirectory() as pycache:
        env = _env(pycache, ROOT)
        py = sys.executable
        baseline = _median_wall([py, "-c", "pass"], env, repeats)
        numpy = _median_wall([py, "-c", "import numpy"], env, repeats)
        plan = _median_wall([py, "-m", "chinchilla_lib", "plan", "--flops", "1e22"], env, repeats)
    return {"plan_seconds": plan, "python_baseline_seconds": baseline, "numpy_import_seconds": numpy,
            "plan_minus_baseline_seconds": plan - baseline, "repeats": repeats}


def _chapter_times(log: str) -> dict[str, float]:
    """Execution time per chapter from the build log (MyST-NB: "Executed notebook in X seconds")."""
    times: dict[str, float] = {}
    current = None
    for line in log.splitlines():
        found = re.search(r"(chapters/[\w-]+)", line)
        if found and "Executed notebook" not in line:
            current = found.group(1)
        took = re.search(r"Executed notebook in ([\d.]+) seconds", line)
        if took:
            source = re.search(r"(chapters/[\w-]+)", line)
            times[(source.group(1) if source else current) or f"page {len(times) + 1}"] = float(took.group(1))
    return times


def _build(book: Path, jobs: int, log_path: Path) -> tuple[float, str]:
    env = _env(str(book / "_build" / "pycache"), book)
    cmd = [sys.executable, str(book / "scripts" / "build_book.py"), str(book), "--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=book, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = done.stdout + done.stderr
    log_path.write_text(log)
    if done.returncode:
        raise SystemExit(f"bench_site.py: error: the build in {book} failed (exit {done.returncode}); see {log_path}")
    return seconds, log


def time_builds(jobs: int, keep: bool = False) -> dict:
    """Seconds of a cold build in a fresh copy of the book, then of a rebuild from the execution cache."""
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    book = work / "book"
    shutil.copytree(ROOT, book, ignore=IGNORE)
    try:
        cold, log = _build(book, jobs, work / "cold.log")
        shutil.rmtree(book / "_build" / "html")
        shutil.rmtree(book / "_build" / ".doctrees", ignore_errors=True)
        cached, cached_log = _build(book, jobs, work / "cached.log")
        return {"cold_build_seconds": cold, "cached_build_seconds": cached, "jobs": jobs,
                "chapter_seconds": _chapter_times(log), "cached_chapters_executed": len(_chapter_times(cached_log)),
                "logs": str(work) if keep else None}
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="chapters executed at once in the builds (default 2)")
    parser.add_argument("--repeats", type=int, default=10, help="runs of plan and of each baseline (median)")
    parser.add_argument("--plan-only", action="store_true", help="time plan only, no book builds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary book and its build logs")
    parser.add_argument("--json", dest="json_path", default=None, help="also write the JSON object to this file")
    args = parser.parse_args(argv)
    result = {"machine_cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]} | time_plan(args.repeats)
    if not args.plan_only:
        result |= time_builds(args.jobs, args.keep)
    result["load_average_1min_after"] = os.getloadavg()[0]
    print(f"{'measure':<28} {'seconds':>9} {'target':>8}")
    for key in ("python_baseline_seconds", "numpy_import_seconds", "plan_seconds", "plan_minus_baseline_seconds",
                "cold_build_seconds", "cached_build_seconds"):
        if key in result:
            target = TARGETS.get(key)
            print(f"{key:<28} {result[key]:>9.3f} {'' if target is None else f'{target:>8.2f}'}")
    for chapter, seconds in sorted(result.get("chapter_seconds", {}).items(), key=lambda kv: -kv[1]):
        print(f"  executed {chapter:<26} {seconds:>7.1f}")
    text = json.dumps(result, indent=1, sort_keys=True)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
