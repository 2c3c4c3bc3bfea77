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
need not be this machine.  Last, it profiles five training steps of the second prediction's model
at its planned batch with ``torch.profiler`` and sums the operators' own time by kind (matrix
products, attention, elementwise and normalisation, the optimiser, other): where a step's time goes.

``--json`` writes the peak, every product and the profile; the book reads the copy committed as
``chinchilla_lib/data/tinygpt_throughput.json`` (measured with the machine otherwise idle).

Each shape is timed as the best of ``--repeats`` rounds (after one warm-up product), so a second
process on the machine lowers the numbers less than a mean would.

Usage::

    python benchmarks/bench_matmul.py [--repeats 5] [--json chinchilla_lib/data/tinygpt_throughput.json]
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


#: The model and budget of the profiled step: the second prediction's model at its budget (``6 N D``).
PROFILE_MODEL, PROFILE_BUDGET = "g08", 5e13
#: Operators of the matrix products and of attention, by exact name or by a part of it.
PRODUCTS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm")
ATTENTION = ("scaled_dot_product", "flash_attention")
#: The optimiser's own operators (AdamW and the gradient-norm clip).
OPTIMISER = ("Optimizer.", "_foreach", "aten::lerp_", "aten::addcdiv_", "aten::addcmul_", "aten::sqrt",
             "aten::linalg_vector_norm", "aten::clamp")


def _kind(name: str) -> str:
    """The kind of a profiled operator: products, attention, optimiser, elementwise (other aten ops), bookkeeping."""
    if name in PRODUCTS:
        return "matrix products"
    if any(key in name for key in ATTENTION):
        return "attention"
    if any(key in name for key in OPTIMISER):
        return "optimiser"
    if name.startswith("aten::"):
        return "elementwise, normalisation and copies"
    return "autograd bookkeeping and other"


def step_profile(steps: int = 5) -> dict:
    """Self CPU time of one training step of :data:`PROFILE_MODEL` at its planned batch, summed by kind."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from chinchilla_lib.train.config import plan_run, shape_of
    from chinchilla_lib.train.loop import _optimiser
    from chinchilla_lib.train.model import GPT

    config = plan_run(PROFILE_MODEL, PROFILE_BUDGET, accounting="6nd", sampler="disjoint")
    shape = shape_of(PROFILE_MODEL)
    torch.manual_seed(0)
    net = GPT(shape)
    optimiser = _optimiser(net, config)
    data = torch.randint(0, 256, (config.batch, shape.seq_len + 1), generator=torch.Generator().manual_seed(0))

    def step():
        _, loss = net(data[:, :-1], data[:, 1:])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimiser.step()

    for _ in range(2):
        step()
    start = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    wall = (time.perf_counter() - start) / steps
    kinds: dict[str, float] = {}
    for event in prof.key_averages():
        kind = _kind(event.key)
        kinds[kind] = kinds.get(kind, 0.0) + event.self_cpu_time_total / 1e6 / steps
    return {"model": PROFILE_MODEL, "budget": PROFILE_BUDGET, "batch": config.batch, "seq_len": shape.seq_len,
            "steps": steps, "wall_seconds_per_step": wall,
            "kinds": [{"kind": k, "seconds": v} for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])]}


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
    from chinchilla_lib.studies.throughput import sweep_rates

    sweeps = sweep_rates().to_dict("records")
    step = step_profile()
    print(f"\npeak (best product): {peak:.1f} GFLOP/s; committed sweeps (median run, as recorded where they ran):")
    for s in sweeps:
        print(f"{s['sweep']:<14} {s['runs']:>3} runs {s['cpu_hours']:5.2f} CPU-h  {s['gflops_appendix_f']:5.1f} GFLOP/s "
              f"Appendix F ({s['gflops_appendix_f'] / peak:4.0%}), {s['gflops_6n']:5.1f} as 6N "
              f"({s['gflops_6n'] / peak:4.0%}); largest {s['largest_model']}: "
              f"{s['largest_gflops_appendix_f']:.1f} ({s['largest_gflops_appendix_f'] / peak:4.0%})")
    total = sum(k["seconds"] for k in step["kinds"])
    print(f"\none step of {step['model']} at {step['batch']} sequences: {step['wall_seconds_per_step'] * 1e3:.1f} ms")
    for k in step["kinds"]:
        print(f"  {k['kind']:<30} {k['seconds'] * 1e3:7.2f} ms  {k['seconds'] / total:4.0%}")
    if args.json:
        Path(args.json).write_text(json.dumps({"torch": torch.__version__,
                                               "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                                               "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                               "peak_gflops": peak, "products": products, "profile": step},
                                              indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
