"""Time the Approach 3 fit against the per-start baseline, on the 240 Figure-4 runs.

In one run on the same data (Hoffmann et al. Figure 4, the 5 highest-loss
points dropped, as Besiroglu et al. 2024 did), this

1. times :func:`chinchilla_lib.approaches.parametric.fit_approach3` on the paper's 4,500-start
   grid (median of several runs);
2. times the baseline, :func:`~chinchilla_lib.approaches.parametric.fit_approach3_per_start`:
   one scipy L-BFGS-B call per grid start with the analytic gradient;
3. checks that both reach the same optimum (objective and parameters) and
   prints both times and their ratio;
4. times the 4,000-resample bootstrap and prints its intervals at Gopher's
   budget; and prints the objective of the paper's own constants on these runs.

``--quick`` runs the baseline on every 10th grid start only and extrapolates
its time to the full grid (the printout says so); the optimum check is then
made against our fit on that same sub-grid.  Exit status 1 when the optima
disagree.

BLAS threads: scipy's L-BFGS-B calls BLAS at every iteration, and a threaded
OpenBLAS on a busy 2-core machine makes the baseline several times slower
(and erratic).  This script therefore sets ``OPENBLAS_NUM_THREADS=1`` (and the
OpenMP/MKL equivalents) unless they are already set, which gives the
*baseline* its best time and so a conservative speed-up; set the variable
yourself (e.g. to 2) to time the threaded default.  Our fit's hot loops make
no BLAS call and hardly change.

Usage::

    CHINCHILLA_LIB_DATA=... python benchmarks/bench_fit.py [--quick] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_PRESET = {v: os.environ.get(v) for v in _THREAD_VARS}
for _var in _THREAD_VARS:  # must happen before numpy is imported
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chinchilla_lib.approaches import parametric  # noqa: E402
from chinchilla_lib.datasets import load_hoffmann_fig4, paper_value  # noqa: E402
from chinchilla_lib.laws import get_law  # noqa: E402

#: Speed-up over the per-start baseline the project aims for.
TARGET_SPEEDUP = 100
#: Largest disagreement accepted between the two optima.
OBJECTIVE_RTOL = 1e-6          # relative, on Eq. (11)
PARAM_ATOL = {"log_A": 0.02, "log_B": 0.02, "log_E": 2e-3, "alpha": 2e-3, "beta": 2e-3}


def _runs(exclude: int):
    frame = load_hoffmann_fig4(exclude_highest_loss=exclude)
    return frame["n_params"].to_numpy(), frame["n_tokens"].to_numpy(), frame["loss"].to_numpy()


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def _row(label: str, fit: parametric.Approach3Fit) -> str:
    return (f"  {label:<22} E {fit.E:.4f}  A {fit.A:9.2f}  B {fit.B:10.2f}  alpha {fit.alpha:.4f}  "
            f"beta {fit.beta:.4f}  a {fit.a:.4f}  b {fit.b:.4f}  objective {fit.objective:.8e}")


def _same_optimum(ours: parametric.Approach3Fit, base: parametric.Approach3Fit) -> list[str]:
    """Disagreements between two fits (empty when they reached the same optimum)."""
    problems = []
    rel = (ours.objective - base.objective) / base.objective
    if abs(rel) > OBJECTIVE_RTOL:
        problems.append(f"objectives differ by {rel:+.2e} (relative; allowed {OBJECTIVE_RTOL:g})")
    for (name, tol), x, y in zip(PARAM_ATOL.items(), ours.params, base.params):
        if abs(x - y) > tol:
            problems.append(f"{name} differs: {x:.6g} vs {y:.6g} (allowed {tol:g})")
    return problems


def _paper_objectives(n, d, loss) -> None:
    log_n, log_d, log_l = np.log(n), np.log(d), np.log(loss)
    for name in ("paper", "paper-full"):
        law = get_law(name)
        params = [np.log(law.A), np.log(law.B), np.log(law.E), law.alpha, law.beta]
        value, _ = parametric.huber_objective(params, log_n, log_d, log_l)
        print(f"  objective of law {name!r:<13} {value:.8e}")


def _bootstrap(n, d, loss, fit, flops: float) -> None:
    boot, seconds = _timed(parametric.bootstrap_approach3, n, d, loss, n_resamples=4000, seed=0,
                           flops=flops, fit=fit)
    print(f"\nbootstrap, 4000 resamples (seed 0): {seconds:.2f} s "
          f"({boot.n_polished} finished by scipy, {boot.n_unconverged} unconverged)")
    print(f"  percentiles of the resamples; estimate = full-data fit; budget {flops:.3g} FLOPs")
    table = boot.intervals.copy()
    with np.printoptions(precision=4):
        print(table.to_string(float_format=lambda v: f"{v:.4g}"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="baseline on every 10th grid start only; its full-grid time is extrapolated")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of our fit (median reported)")
    args = parser.parse_args(argv)
    warnings.simplefilter("always", parametric.FitWarning)

    n, d, loss = _runs(exclude=5)
    grid = parametric.paper_grid()
    print(f"data: Hoffmann et al. Figure 4, {len(n)} runs (5 highest-loss dropped); "
          f"grid: {len(grid)} starts; delta {parametric.DEFAULT_DELTA:g}")
    blas = os.environ["OPENBLAS_NUM_THREADS"]
    origin = "from the environment" if _PRESET["OPENBLAS_NUM_THREADS"] else "set by this script"
    print(f"OPENBLAS_NUM_THREADS={blas} ({origin}); load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    fits, times = [], []
    for _ in range(max(1, args.repeats)):
        fit, seconds = _timed(parametric.fit_approach3, n, d, loss)
        fits.append(fit)
        times.append(seconds)
    ours, t_ours = fits[-1], statistics.median(times)
    print(f"\nours (all starts evaluated, lowest 512 by batched BFGS, batched Newton refine, L-BFGS-B polish), "
          f"full grid: median {t_ours:.3f} s over {len(times)} runs (min {min(times):.3f}, max {max(times):.3f})")

    base_grid = grid[::10] if args.quick else grid
    base, t_base = _timed(parametric.fit_approach3_per_start, n, d, loss, grid=base_grid)
    scale = len(grid) / len(base_grid)
    if args.quick:
        reference, _ = _timed(parametric.fit_approach3, n, d, loss, grid=base_grid)
        print(f"baseline (one L-BFGS-B per start), {len(base_grid)} of {len(grid)} starts: {t_base:.2f} s; "
              f"EXTRAPOLATED to the full grid: {t_base * scale:.1f} s")
    else:
        reference = ours
        print(f"baseline (one L-BFGS-B per start), full grid: {t_base:.2f} s")
    speedup = t_base * scale / t_ours
    print(f"speed-up: {speedup:.1f}x{' (extrapolated)' if args.quick else ''} "
          f"(target {TARGET_SPEEDUP:g}x: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'})")

    print("\noptima:")
    print(_row("ours", reference))
    print(_row("baseline", base))
    problems = _same_optimum(reference, base)
    print("  same optimum: " + ("yes" if not problems else "NO -- " + "; ".join(problems)))
    if args.quick:
        extra = _same_optimum(ours, base)
        print("  full-grid ours vs sub-grid baseline: " + ("same" if not extra else "; ".join(extra)))

    print("\nother fits and reference objectives on the same runs:")
    _paper_objectives(n, d, loss)
    print(_row("ours, all 245 runs", parametric.fit_approach3(*_runs(exclude=0))))

    _bootstrap(n, d, loss, ours, paper_value("gopher.flops"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
