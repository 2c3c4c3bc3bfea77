"""Time the Approach 3 fit on 1e4, 1e5 and 1e6 synthetic runs, each in a fresh interpreter.

The runs are drawn (seed 0) from a known law, L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28
(Hoffmann et al. 2022, Eq. 2, constants near the paper's), on 26 IsoFLOP budgets
from 1e17 to 1e22 FLOPs, sizes within a decade of 20 tokens per parameter, with
1% log-normal noise.  In one run this measures, every fit in its own subprocess:

1. the baseline: the three-stage fit on all runs (``fit_approach3`` with the
   screened route switched off) on 1e4 runs, and by default on 1e5 runs too;
2. the screened route (:func:`chinchilla_lib.approaches.parametric.fit_approach3`
   beyond ``SCREEN_ABOVE`` = 20,000 runs): on 1e4 runs forced by lowering the
   threshold (a 2,000-run subsample), on 1e5 and 1e6 runs by default; the 1e6
   fit twice, to check that it is deterministic;
3. what ``fit --csv`` does on 1e6 runs: the fit and the fit-quality gate
   (:func:`chinchilla_lib.approaches.runs.fit_runs`, whose gate bootstraps a
   seeded sample of 20,000 runs), held to the same targets.

It prints a table of runs, route, fit seconds, peak resident memory of the
subprocess (MB, ``resource.getrusage``: the interpreter, the data and the fit),
the fitted alpha and beta against the truth, and time and memory as ratios of
the 1e4 baseline; then, for every size fitted both ways, the largest relative
difference between the two optima's parameters.  Exit status 1 when the 1e6
fit misses its targets (60 s, 2 GB), differs between its two runs, or when the
two routes disagree by more than 1e-6 relative in a parameter.

BLAS threads are set to 1 (unless set already), as in ``bench_fit.py``.

Usage::

    python benchmarks/bench_fit_rows.py [--full-rows 1e4,1e5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
TARGETS = {"seconds": 60.0, "peak_mb": 2048.0}
#: Largest relative difference accepted between the two routes' parameters.
SAME_OPTIMUM_RTOL = 1e-6
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def synthetic_runs(size: int, seed: int = 0):
    """``size`` runs from :data:`TRUTH` on 26 IsoFLOP budgets, 1% log-normal noise (seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    c = np.geomspace(1e17, 1e22, 26)[rng.integers(0, 26, size)]
    n = np.sqrt(c / 120.0) * 10.0 ** rng.uniform(-1.0, 1.0, size)
    d = c / (6.0 * n)
    clean = TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"] + TRUTH["B"] / d ** TRUTH["beta"]
    return n, d, clean * np.exp(rng.normal(0.0, 0.01, size))


def child(size: int, route: str) -> None:
    """Fit ``size`` runs by ``route`` (full, screened, forced) and print one JSON line."""
    sys.path.insert(0, str(ROOT))
    from chinchilla_lib.approaches.parametric import fit_approach3

    runs = synthetic_runs(size)
    t0 = time.perf_counter()
    if route == "gated":
        import contextlib
        import io

        import pandas as pd

        from chinchilla_lib.approaches.runs import fit_runs

        frame = pd.DataFrame({"n_params": runs[0], "n_tokens": runs[1], "loss": runs[2]})
        with contextlib.redirect_stderr(io.StringIO()):  # the stage lines
            fit = fit_runs(frame, approach=3)
        seconds = time.perf_counter() - t0
        label = f"screened + gate ({fit.quality.verdict})"
    else:
        options = {"full": {"screen_above": 10**12}, "screened": {},
                   "forced": {"screen_above": 1000, "screen_rows": 2000}}[route]
        fit = fit_approach3(*runs, **options, progress=False)
        seconds = time.perf_counter() - t0
        label = "screened (2,000)" if route == "forced" else {"batched": "full", "screened": "screened"}[fit.method]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"rows": size, "route": label,
                      "seconds": seconds, "peak_mb": peak_mb, "alpha": fit.alpha, "beta": fit.beta, "E": fit.E,
                      "params": fit.params.tolist(), "objective": fit.objective, "converged": fit.converged}))


def _run(size: int, route: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(size), route], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.splitlines()[-1])


def _rel(x: list, y: list) -> float:
    return max(abs(a / b - 1.0) for a, b in zip(x, y))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full-rows", default="1e4,1e5",
                        help="sizes also fitted on the full route (the first is the baseline); default 1e4,1e5")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(int(args.child[0]), args.child[1])
        return 0
    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")

    full_rows = [int(float(v)) for v in args.full_rows.split(",")]
    plan = [(size, "full") for size in full_rows]
    plan += [(full_rows[0], "forced"), (10**5, "screened"), (10**6, "screened"), (10**6, "screened"),
             (10**6, "gated")]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; truth alpha {TRUTH['alpha']}, "
          f"beta {TRUTH['beta']}, E {TRUTH['E']}", flush=True)
    results = []
    for size, route in plan:
        results.append(_run(size, route))
        print(f"  {size:>9,} runs, {results[-1]['route']}: {results[-1]['seconds']:.2f} s", flush=True)
    base = results[0]

    print(f"\n{'runs':>9}  {'route':<27} {'seconds':>8} {'peak MB':>8} {'alpha':>8} {'beta':>8} {'E':>7}"
          f"  {'x time':>7} {'x memory':>8}")
    print(f"{'':>9}  {'truth':<27} {'':>8} {'':>8} {TRUTH['alpha']:>8.4f} {TRUTH['beta']:>8.4f} {TRUTH['E']:>7.4f}")
    for r in results:
        print(f"{r['rows']:>9,}  {r['route']:<27} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f} {r['alpha']:>8.4f} "
              f"{r['beta']:>8.4f} {r['E']:>7.4f}  {r['seconds'] / base['seconds']:>7.2f} "
              f"{r['peak_mb'] / base['peak_mb']:>8.2f}")
    print(f"(ratios against the baseline: the full route on {base['rows']:,} runs)")

    problems = []
    print("\nsame optimum, screened vs full route (largest relative difference of log A, log B, log E, alpha, beta):")
    for full in (r for r in results if r["route"] == "full"):
        for other in (r for r in results if r["rows"] == full["rows"] and r["route"] != "full"):  # gated: 1e6 only
            rel = _rel(other["params"], full["params"])
            print(f"  {full['rows']:>9,} runs, {other['route']}: {rel:.1e}; objective {other['objective']:.10g} "
                  f"vs {full['objective']:.10g}")
            if not rel <= SAME_OPTIMUM_RTOL:
                problems.append(f"{full['rows']:,} runs: the routes differ by {rel:.1e} relative")
    big = [r for r in results if r["rows"] == 10**6]
    same = big[0]["params"] == big[1]["params"] and big[0]["objective"] == big[1]["objective"]
    print(f"  1,000,000 runs fitted twice: {'identical' if same else 'DIFFERENT'}")
    if not same:
        problems.append("the 1e6 fit is not deterministic")
    for key, limit in TARGETS.items():
        worst = max(r[key] for r in big)
        print(f"  1e6 {key}: {worst:.1f} (target at most {limit:g}: {'met' if worst <= limit else 'NOT met'})")
        if worst > limit:
            problems.append(f"1e6 {key} {worst:.1f} above {limit:g}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "problems": problems}, indent=1))
    print("\n" + ("all checks passed" if not problems else "PROBLEMS: " + "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
