"""One thread's float32 matmul rate with torch, against the rate the training sweeps achieve.

Measures, with ``torch.set_num_threads(1)``, the GFLOP/s (``2 m k n`` FLOPs a product) of

1. large square products (1024 to 4096);
2. the products the models of the ladder compute at the largest batch (32 sequences of 128 bytes, so
   ``m = 4096`` rows): the attention input ``d x 3d``, the feed-forward ``d x 4d`` and ``4d x d``, and
   the logits ``d x 256``, for a few widths;

takes the best of them as the practical peak of one thread, then reads the committed runs of the
training sweeps (``chinchilla_lib/data/tinygpt_*_runs.csv``) and prints the rate each achieved,
counted two ways: the Appendix F FLOPs the network computes (``flops_per_token *
tokens_per_second``) and ``6 N`` per token, each as a share of the peak.  A run is many small
products, elementwise work and an optimiser step, so its share is far below one; the share says
how much of the machine the sweeps used.  The committed rows were timed where they ran, which
need not be this machine.

Each shape is timed as the best of ``--repeats`` rounds (after one warm-up product), so a second
process on the machine lowers the numbers less than a mean would.

Usage::

    python benchmarks/bench_matmul.py [--repeats 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Square sizes of the peak.
SQUARES = (1024, 2048, 4096)
#: Widths of the model shapes (g03, g07, g10, g14 of the ladder).
WIDTHS = (32, 64, 96, 160)
#: Rows of a model's products at the largest batch: 32 sequences of 128 positions.
ROWS = 32 * 128
#: Sweeps whose committed runs are compared with the peak.
SWEEPS = ("isoflop-small", "lr-scan", "isoflop", "prediction")


def _rate(m: int, k: int, n: int, repeats: int) -> float:
    """Best GFLOP/s of ``(m x k) @ (k x n)`` in float32 over ``repeats`` rounds of at least 0.2 s."""
    import torch

    generator = torch.Generator().manual_seed(0)
    a = torch.randn(m, k, generator=generator)
    b = torch.randn(k, n, generator=generator)
    out = torch.empty(m, n)
    torch.matmul(a, b, out=out)  # warm-up
    flops = 2.0 * m * k * n
    best = 0.0
    for _ in range(repeats):
        count, start = 0, time.perf_counter()
        while True:
            torch.matmul(a, b, out=out)
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.2:
                break
        best = max(best, flops * count / elapsed / 1e9)
    return best


def shapes() -> list[tuple[str, int, int, int]]:
    """``(label, m, k, n)`` of every product timed."""
    out = [(f"square {s}", s, s, s) for s in SQUARES]
    for d in WIDTHS:
        out += [(f"d={d} qkv", ROWS, d, 3 * d), (f"d={d} ffw up", ROWS, d, 4 * d),
                (f"d={d} ffw down", ROWS, 4 * d, d), (f"d={d} logits", ROWS, d, 256)]
    return out


def sweep_rates() -> list[dict]:
    """Median rate of each sweep's committed runs (GFLOP/s, Appendix F and 6 N), and of its largest model."""
    from chinchilla_lib.train.sweep import read_runs, sweep_paths

    rows = []
    for name in SWEEPS:
        runs = read_runs(sweep_paths(name)[0])
        if runs.empty:
            continue
        appendix_f = runs["flops_per_token"] * runs["tokens_per_second"] / 1e9
        six_n = 6 * runs["n_params"] * runs["tokens_per_second"] / 1e9
        largest = runs["n_params"] == runs["n_params"].max()
        rows.append({"sweep": name, "runs": len(runs), "hours": float(runs["seconds"].sum() / 3600),
                     "gflops_appendix_f": float(appendix_f.median()), "gflops_6n": float(six_n.median()),
                     "largest_model": str(runs.loc[largest, "model"].iloc[0]),
                     "largest_gflops_appendix_f": float(appendix_f[largest].median())})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="rounds per shape; the best is kept (default 5)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be a positive whole number, got {args.repeats}")
    import torch

    torch.set_num_threads(1)
    products = [{"shape": label, "m": m, "k": k, "n": n, "gflops": _rate(m, k, n, args.repeats)}
                for label, m, k, n in shapes()]
    peak = max(p["gflops"] for p in products)
    print(f"torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()}, 1 thread")
    for p in products:
        print(f"{p['shape']:<18} {p['m']:>5} x {p['k']:>4} x {p['n']:>4}  {p['gflops']:7.1f} GFLOP/s  "
              f"({p['gflops'] / peak:4.0%} of peak)")
    sweeps = sweep_rates()
    print(f"\npeak (best product): {peak:.1f} GFLOP/s; committed sweeps (median run, as recorded where they ran):")
    for s in sweeps:
        print(f"{s['sweep']:<14} {s['runs']:>3} runs {s['hours']:5.2f} h  {s['gflops_appendix_f']:5.1f} GFLOP/s "
              f"Appendix F ({s['gflops_appendix_f'] / peak:4.0%}), {s['gflops_6n']:5.1f} as 6N "
              f"({s['gflops_6n'] / peak:4.0%}); largest {s['largest_model']}: "
              f"{s['largest_gflops_appendix_f']:.1f} ({s['largest_gflops_appendix_f'] / peak:4.0%})")
    if args.json:
        Path(args.json).write_text(json.dumps({"torch": torch.__version__,
                                               "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                                               "peak_gflops": peak, "products": products, "sweeps": sweeps},
                                              indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
