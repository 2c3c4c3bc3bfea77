"""Time the training steps a planned sweep will take on one thread, and estimate its CPU-hours.

For every distinct (model, batch) of the sweep's first plan (no run finished), trains the model on
random bytes for ``--steps`` optimiser steps after two warm-up steps, with one thread, the loop's
optimiser and a batch of the run's mean size; times one validation pass (1024 windows); and
estimates each run's seconds as ``steps x seconds-per-step + evaluations x seconds-per-evaluation``.
It prints the achieved rate (Appendix F FLOPs a second, and 6 N a token), the estimate of the whole
plan, and with ``--prediction-flops`` the nine runs of a prediction at that budget (the nearest
ladder size to ``N_opt`` at ``--tokens-per-param`` and its neighbours, three seeds each, as
:func:`chinchilla_lib.train.sweep_unrepeated.prediction_runs` picks them).

The estimate leaves out loading the corpus (once a worker) and the slices' growth at an edge.

Usage::

    python benchmarks/bench_train_steps.py [--sweep isoflop-unrepeated] [--steps 20]
        [--prediction-flops 5e13 --tokens-per-param 100 150 200] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def _step_seconds(model: str, batch: int, steps: int) -> tuple[float, float]:
    """Seconds of one optimiser step of ``model`` at ``batch`` sequences, and of one validation pass."""
    import torch

    from chinchilla_lib.train.config import N_VAL_WINDOWS, RunConfig, shape_of
    from chinchilla_lib.train.loop import _optimiser, evaluate
    from chinchilla_lib.train.model import GPT

    shape = shape_of(model)
    torch.manual_seed(0)
    net = GPT(shape)
    optimiser = _optimiser(net, RunConfig(model=model, steps=1, batch=1, lr=1e-3))
    generator = torch.Generator().manual_seed(0)
    data = torch.randint(0, 256, (batch, shape.seq_len + 1), generator=generator)

    def step():
        _, loss = net(data[:, :-1], data[:, 1:])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimiser.step()

    for _ in range(2):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    per_step = (time.perf_counter() - start) / steps
    windows = torch.randint(0, 256, (N_VAL_WINDOWS, shape.seq_len + 1), generator=generator)
    start = time.perf_counter()
    evaluate(net, windows)
    return per_step, time.perf_counter() - start


def estimate(runs, steps: int, cache: dict) -> list[dict]:
    """Estimated seconds of each planned run (timings cached by (model, batch))."""
    from chinchilla_lib.train.config import gpt_parameter_counts, run_flops_per_token

    rows = []
    for c in runs:
        batch = max(1, int(round(c.total_sequences / c.steps)))
        if (c.model, batch) not in cache:
            cache[(c.model, batch)] = _step_seconds(c.model, batch, steps)
        per_step, per_eval = cache[(c.model, batch)]
        seconds = c.steps * per_step + len(c.eval_steps) * per_eval
        tokens = c.n_tokens
        rows.append({"model": c.model, "budget": c.budget, "seed": c.seed, "batch": batch, "steps": c.steps,
                     "n_tokens": tokens, "seconds": seconds,
                     "gflops_appendix_f": tokens * run_flops_per_token(c.shape)["total"] / seconds / 1e9,
                     "gflops_6n": tokens * 6 * gpt_parameter_counts(c.shape)["total"] / seconds / 1e9})
    return rows


def _prediction_configs(flops: float, tokens_per_param: float):
    from chinchilla_lib.train.config import plan_run
    from chinchilla_lib.train.sweep import learning_rate_rule
    from chinchilla_lib.train.sweep_unrepeated import PREDICTION_SEEDS, UNREPEATED_CORPUS, prediction_runs

    rule = learning_rate_rule()
    return [plan_run(m, flops, seed=s, corpus=UNREPEATED_CORPUS, n_evals=8, lr=rule.for_model(m), sampler="disjoint",
                     accounting="6nd") for m, _ in prediction_runs(flops, tokens_per_param) for s in PREDICTION_SEEDS]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", default="isoflop-unrepeated", help="the sweep whose first plan is timed")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per (model, batch) (default 20)")
    parser.add_argument("--prediction-flops", type=float, help="also time a prediction's nine runs at this budget")
    parser.add_argument("--tokens-per-param", type=float, nargs="+", default=[150.0],
                        help="tokens per parameter at the optimum, for the prediction's sizes (default 150)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.steps < 1:
        parser.error(f"--steps must be a positive whole number, got {args.steps}")
    import torch

    from chinchilla_lib.train.sweep import SWEEPS, read_runs

    if args.sweep not in SWEEPS:
        parser.error(f"--sweep must be one of {sorted(SWEEPS)}, got {args.sweep!r}")
    torch.set_num_threads(1)
    cache: dict = {}
    plan = estimate(SWEEPS[args.sweep].plan(read_runs("/nonexistent")), args.steps, cache)
    print(f"{args.sweep}: {len(plan)} runs planned; torch {torch.__version__}, "
          f"{torch.backends.cpu.get_cpu_capability()}, 1 thread")
    for r in plan:
        print(f"  {r['model']} {r['budget']:9.4g} seed {r['seed']}  batch {r['batch']:>2} x {r['steps']:>5} steps  "
              f"{r['seconds']:7.0f} s  {r['gflops_appendix_f']:5.1f} GFLOP/s (App. F), {r['gflops_6n']:5.1f} (6N)")
    total = sum(r["seconds"] for r in plan)
    flops_6n = sum(r["gflops_6n"] * r["seconds"] for r in plan) * 1e9
    print(f"total {total / 3600:.2f} CPU-hours for {flops_6n:.3g} FLOPs (6ND): "
          f"{flops_6n / total / 1e9:.1f} GFLOP/s as 6N")
    result = {"sweep": args.sweep, "runs": plan, "hours": total / 3600, "flops_6nd": flops_6n, "predictions": []}
    if args.prediction_flops:
        for k in args.tokens_per_param:
            runs = estimate(_prediction_configs(args.prediction_flops, k), args.steps, cache)
            hours = sum(r["seconds"] for r in runs) / 3600
            sizes = sorted({(r["model"], r["n_tokens"]) for r in runs}, key=lambda x: -x[1])
            print(f"prediction at {args.prediction_flops:.3g} FLOPs, {k:g} tokens/parameter: "
                  + ", ".join(f"{m} {n / 1e6:.1f}M tokens" for m, n in sizes)
                  + f"; 9 runs {hours:.2f} CPU-hours")
            result["predictions"].append({"tokens_per_param": k, "hours": hours, "runs": runs})
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
