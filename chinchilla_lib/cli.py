"""Command line: ``python -m chinchilla_lib {plan,flops,scorecard} ...``.

Every error exits with status 2 and one line on standard error that names the
argument, file or row and the fix; never a traceback.  Warnings are one line
each on standard error (and listed under ``warnings`` in JSON).  ``--json``
prints exactly one strict JSON object on standard output (no NaN: missing
values are null), with wall-clock times under ``timing`` apart from the
results, so two runs with the same seed differ only there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Sequence

from .datasets import DataFileError
from .laws.architecture import TransformerShape, parameter_counts
from .laws.flops import flops_per_token, to_pf_days
from .laws.parametric import plan, resolve_law

__all__ = ["main", "build_parser", "subcommand_parsers"]


class _UsageError(Exception):
    """A bad command-line value; printed as one line, exit status 2."""


#: Bounds of --bootstrap: fewer resamples give no interval worth the name; more only take longer.
MIN_RESAMPLES = 20
MAX_RESAMPLES = 100_000


def _number(flag: str, *, integer: bool = False, allow_zero: bool = False, at_most: float | None = None):
    def parse(text: str):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number, got {text!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
            what = "a finite number >= 0" if allow_zero else "a positive finite number"
            raise argparse.ArgumentTypeError(f"{flag} must be {what}, got {text!r}")
        if at_most is not None and value > at_most:
            raise argparse.ArgumentTypeError(f"{flag} must be at most {at_most:g}, got {text!r}")
        if integer:
            if not value.is_integer():
                raise argparse.ArgumentTypeError(f"{flag} must be a whole number, got {text!r}")
            return int(value)
        return value

    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2
        if message.endswith("expected one argument"):
            message += " (a value starting with '-' needs '=', e.g. --flops=-1e20, and is then checked)"
        self.exit(2, f"{self.prog}: error: {message}\n")


_DATA_HELP = ("hoffmann-fig4 (the 240 points the replication keeps), hoffmann-fig4:all (all 245), porian "
              "(Porian et al.'s final configuration), porian:NAME (approach 2; porian:list lists the names), "
              "llama-1 (approach 1: the LLaMA-1 training curves), gadre:c4, gadre:rpj, gadre:rw, sardana, "
              "muennighoff, olmo-ladder, gemstones (both with training curves for approach 1), cs336, llama-3 (the "
              "Llama 3 IsoFLOP points), open-athena:" + ", open-athena:".join((
                  "epochai-chinchilla", "llama-3-exp-loss", "llama-3-raw-loss", "marin-comma", "marin-dclm",
                  "marin-nemotron", "misfitting", "ml-scalefit")) + "; the book's data page says what each holds")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m chinchilla_lib", description="Chinchilla scaling-law tools.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = sub.add_parser("plan", help="compute-optimal model size and tokens for a FLOP budget")
    plan.add_argument("--flops", type=_number("--flops"), help="compute budget in FLOPs, e.g. 5.76e23")
    plan.add_argument("--inference-tokens", type=_number("--inference-tokens", allow_zero=True), default=None,
                      help="tokens the model will serve at inference (2N FLOPs each): minimise training plus "
                      "inference FLOPs at the loss of --flops's compute-optimal model, or at --target-loss")
    plan.add_argument("--target-loss", type=_number("--target-loss"), default=None,
                      help="the loss to reach, nats per token (instead of --flops)")
    plan.add_argument(
        "--law", default=None,
        help="the law: a name (paper-full, the default: the full-precision constants behind Eq. 10; paper: Eq. 10 "
        "as printed; replication), a named allocation (approach1-table3, approach2-tableA3, approach3-tableA3, "
        "kaplan, approach2-fig4, approach3-fig4; no loss), the path of a 'fit --approach 3 --json' output, or inline "
        "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
    )
    plan.add_argument("--compare", action="store_true",
                      help="every named allocation at this budget (printed Approaches 1-3, the paper's laws, "
                      "Kaplan, our Figure 4 refits, about 0.3 s); with --json a list")
    plan.add_argument("--printed-only", action="store_true",
                      help="with --compare: only the allocations printed in the papers (no refit, no data download)")
    plan.add_argument("--json", action="store_true", help="print one JSON object")

    fl = sub.add_parser("flops", help="parameters and training FLOPs per token of a transformer shape")
    for flag in ("--d-model", "--ffw-size", "--kv-size", "--n-heads", "--n-layers"):
        fl.add_argument(flag, required=True, type=_number(flag, integer=True))
    fl.add_argument("--seq-len", default=2048, type=_number("--seq-len", integer=True))
    fl.add_argument("--vocab-size", default=32000, type=_number("--vocab-size", integer=True))
    fl.add_argument("--json", action="store_true", help="print one JSON object")

    fit = sub.add_parser("fit", help="fit Approach 1 (envelope), 2 (IsoFLOP) or 3 (parametric) to training runs")
    fit.add_argument("--approach", required=True, type=int, choices=[1, 2, 3])
    source = fit.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="a named set of public runs: " + _DATA_HELP)
    source.add_argument("--csv", help="a CSV of runs: columns n_params,n_tokens,loss (approach 3); n_params,loss and "
                        "flops or n_tokens (approach 2); the same plus run or model naming each curve (approach 1)")
    fit.add_argument("--flops", type=_number("--flops"), default=None,
                     help="also plan at this budget in FLOPs: N, D, tokens per parameter (and loss for approach 3), "
                     "with intervals when bootstrapped")
    fit.add_argument("--bootstrap", type=_number("--bootstrap", integer=True, allow_zero=True, at_most=MAX_RESAMPLES),
                     default=None, help=f"bootstrap resamples for intervals, {MIN_RESAMPLES} to {MAX_RESAMPLES} "
                     "(approach 3: none by default; approach 2: 200; 0 = none)")
    fit.add_argument("--seed", type=_number("--seed", integer=True, allow_zero=True), default=None,
                     help="seed of the bootstrap, a whole number >= 0 (default 0)")
    fit.add_argument("--method", choices=["parabola", "akima"], default=None,
                     help="approach 2 per-budget fit (default: akima for porian:*, their own method; else parabola)")
    fit.add_argument("--rel-tol", type=_number("--rel-tol", allow_zero=True), default=None,
                     help="approach 2: group FLOPs within this relative gap into one budget "
                     "(default 0.03 for hoffmann-fig4, 0 = exact labels otherwise)")
    fit.add_argument("--include-unbracketed", action="store_true",
                     help="approach 2: keep budgets whose minimum lies outside the sampled sizes (extrapolated)")
    fit.add_argument("--json", action="store_true", help="print one JSON object")

    bt = sub.add_parser("backtest", help="leave the largest budgets out, fit each approach on the rest and score "
                        "its predictions against the held-out runs")
    source = bt.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="a named set of final losses: " + _DATA_HELP)
    source.add_argument("--csv", help="a CSV of finished runs: n_params, loss, and flops (each run's budget) or n_tokens")
    bt.add_argument("--approach", default="all", choices=["1", "2", "3", "all"], help="default all")
    bt.add_argument("--holdout", type=_number("--holdout", integer=True), default=1,
                    help="how many of the largest budgets to hold out (default 1)")
    bt.add_argument("--seed", type=_number("--seed", integer=True, allow_zero=True), default=0,
                    help="seed of the bootstraps (default 0)")
    bt.add_argument("--json", action="store_true", help='print one JSON object, {"rows": [...]}')

    sc = sub.add_parser("scorecard", help="every reproduction check against the paper's printed values")
    sc.add_argument("--json", action="store_true", help="print one JSON object")
    _add_train_parser(sub)
    return parser


def subcommand_parsers(parser: argparse.ArgumentParser | None = None) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser by name (``plan``, ``flops``, ``fit``, ...), for generated help pages.

    Parameters
    ----------
    parser : ArgumentParser, optional
        The program's parser (default: a new :func:`build_parser`).
    """
    parser = build_parser() if parser is None else parser
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--workers must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers must be at least 1, got {text!r}")
    return value


class _SweepNames:
    """The committed sweeps' names as argparse ``choices``, read from :mod:`.sweep` only when a name is checked
    or the help is printed, so that other subcommands never import the sweep machinery."""

    def _names(self) -> list[str]:
        from .train.sweep import SWEEPS

        return sorted(SWEEPS)

    def __contains__(self, name) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())


def _add_train_parser(sub) -> argparse.ArgumentParser:
    """The ``train`` subcommand's options (run by :func:`chinchilla_lib.train.command.run`)."""
    train = sub.add_parser("train", help="train our own small models: the smoke grid or a committed sweep")
    what = train.add_mutually_exclusive_group(required=True)
    what.add_argument("--smoke", action="store_true", help="train the small smoke grid and print its runs")
    what.add_argument("--sweep", choices=_SweepNames(), help="run or resume a committed sweep")
    train.add_argument("--workers", type=_workers, default=2, help="local worker processes, one thread each (default 2)")
    train.add_argument("--scheduler", default=None, help="address of a Dask distributed scheduler, e.g. tcp://host:8786")
    train.add_argument("--out", default=None, help="folder of the runs and curves files (default: chinchilla_lib/data/; "
                       "--smoke: a temporary folder)")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    return train


def _train(args):
    from .train.command import run

    result = run(args)
    return result if args.json else result["runs"]


def _plan_inference(args) -> dict:
    """``plan --inference-tokens T`` (with ``--flops C`` or ``--target-loss L``): Sardana et al.'s optimum."""
    from .laws.inference import inference_optimum

    if args.flops is not None and args.target_loss is not None:
        raise _UsageError("--target-loss: give --flops or --target-loss, not both")
    if args.flops is None and args.target_loss is None:
        raise _UsageError("--inference-tokens: also give --flops C (keep its compute-optimal loss) or --target-loss L")
    try:
        law = resolve_law(args.law)
    except ValueError as exc:
        raise _UsageError(f"--law: {exc}") from None
    tokens = 0.0 if args.inference_tokens is None else args.inference_tokens
    try:
        if args.flops is not None:
            plan(args.flops, law)  # a budget that buys no model is refused here too, not planned
        result = inference_optimum(law, tokens, flops=args.flops, target_loss=args.target_loss).as_dict()
    except ValueError as exc:
        raise _UsageError(f"--target-loss: {exc}" if args.target_loss is not None else str(exc)) from None
    if not args.json:
        result |= {f"compute_optimal.{k}": v for k, v in result.pop("compute_optimal").items()}
    return result


def _plan_compare(args) -> list:
    """``plan --compare``: one entry per named allocation (approaches.allocations) at ``--flops``, every one or none."""
    from .approaches.allocations import PRINTED_ALLOCATIONS, allocation_names, get_allocation

    if args.law is not None:
        raise _UsageError("--law does not apply with --compare, which gives every named allocation; "
                          "drop one of them")
    names = PRINTED_ALLOCATIONS if args.printed_only else allocation_names()
    out = []
    for name in names:
        try:
            entry = get_allocation(name).at(args.flops)
        except DataFileError as exc:  # a missing answer is an error, never a shorter list
            hint = "; or compare only the printed allocations with --printed-only" if name not in \
                PRINTED_ALLOCATIONS else ""
            raise DataFileError(f"--compare: {name} cannot be computed ({_one_line(exc)}){hint}") from None
        out.append({k: entry[k] for k in ("law", "approach", "source", "n_params", "n_tokens", "tokens_per_param")})
    return out


def _plan(args) -> dict:
    from .laws.parametric import law_names

    if args.printed_only and not args.compare:
        raise _UsageError("--printed-only applies only with --compare")
    if args.compare and (args.inference_tokens is not None or args.target_loss is not None):
        raise _UsageError("--compare takes a budget (--flops C) only, not --inference-tokens or --target-loss")
    if args.compare:
        if args.flops is None:
            raise _UsageError("--flops: give the compute budget to compare the allocations at (--flops C)")
        return _plan_compare(args)
    if args.law is None:
        args.law = "paper-full"
    if args.inference_tokens is not None or args.target_loss is not None:
        return _plan_inference(args)
    if args.flops is None:
        raise _UsageError("--flops: give a compute budget (--flops C), or a loss (--target-loss L), "
                          "optionally with --inference-tokens T")
    if args.law not in law_names() and "=" not in args.law:  # a law needs only numpy; the registry imports pandas
        from .approaches.allocations import allocation_names, get_allocation

        if args.law in allocation_names():  # a power-law allocation: no loss
            return get_allocation(args.law).at(args.flops).to_dict() | {"pf_days": to_pf_days(args.flops)}
    try:
        law = resolve_law(args.law)
    except ValueError as exc:
        from .approaches.allocations import allocation_names

        raise _UsageError(f"--law: {exc}; or an allocation: {', '.join(allocation_names())}") from None
    return plan(args.flops, law).to_dict() | {"pf_days": to_pf_days(args.flops)}


def _flops(args) -> dict:
    shape = TransformerShape(
        d_model=args.d_model, ffw_size=args.ffw_size, kv_size=args.kv_size, n_heads=args.n_heads,
        n_layers=args.n_layers, vocab_size=args.vocab_size, seq_len=args.seq_len,
    )
    counts = parameter_counts(shape)
    exact = flops_per_token(shape)
    exact_no_emb = flops_per_token(shape, include_embeddings=False)
    six_n = 6.0 * counts["total"]
    return {
        "n_params": counts["total"],
        "n_params_embedding": counts["embedding"],
        "n_params_non_embedding": counts["non_embedding"],
        "flops_per_token": exact,
        "flops_per_token_no_embeddings": exact_no_emb,
        "flops_per_token_6n": six_n,
        "ratio": exact / six_n,
        "ratio_no_embeddings": exact_no_emb / six_n,
        "seq_len": shape.seq_len,
        "vocab_size": shape.vocab_size,
    }


def _scorecard(args) -> dict:
    from .checks import reproduced_by, scorecard

    table = scorecard()
    rows = json.loads(table.to_json(orient="records"))
    counts = table["status"].value_counts().to_dict()
    return {"rows": rows, "counts": {k: int(v) for k, v in counts.items()}, "reproduced_by": reproduced_by(table)}


def _print_text(command: str, result: dict) -> None:
    if command == "scorecard":
        for row in result["rows"]:
            print(f"{row['status']:<17} {row['id']:<40} ours {row['ours']:<12.6g} paper {row['reference']:<12.6g}"
                  f" ({row['source']})")
        print(", ".join(f"{v} {k}" for k, v in result["counts"].items()))
        return
    if command == "backtest":
        for r in result["rows"]:
            error = "" if r["n_opt_rel_error"] is None else f"{r['n_opt_rel_error']:+.1%}"
            print(f"{r['set']}  approach {r['approach']}  held out {r['heldout_flops']:.3g} FLOPs  N_opt predicted "
                  f"{r['predicted_n_opt'] or float('nan'):.3g} observed {r['observed_n_opt'] or float('nan'):.3g} "
                  f"{error}  inside {r['n_opt_inside']}  {r['verdict']}")
        return
    if isinstance(result, list):
        for item in result:
            print("  ".join(f"{k}={v}" for k, v in item.items()))
        return
    for key, value in _flat(result):
        print(f"{key:<30} {value:.6g}" if isinstance(value, float) else f"{key:<30} {value}")


def _flat(result: dict, prefix: str = ""):
    """(dotted key, value) pairs of a nested result, for the text output."""
    for key, value in result.items():
        if key == "warnings":
            continue  # already printed on standard error
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(v, float) for v in value):
            yield f"{prefix}{key}", " ".join(f"{v:.6g}" for v in value)
        else:
            yield f"{prefix}{key}", value


def _strict(value):
    """``value`` with NaN and infinities as None and numpy scalars as Python numbers (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ------------------------------------------------------------------ fit


def _read_csv(path: str, approach: int):
    from .approaches.runs import read_runs_csv

    return read_runs_csv(path, approach, what="--csv:"), "csv"


def _runs(args):
    """The runs named by --data or --csv as a DataFrame, and the named set (None for a CSV)."""
    from .datasets.named import fit_frame, named_set

    if args.csv is not None:
        return _read_csv(args.csv, args.approach)[0], None
    try:
        return fit_frame(args.data, args.approach), named_set(args.data)
    except ValueError as exc:
        raise _UsageError(f"--data: {exc}") from None


#: Options of ``fit`` and the approaches they apply to.
_FIT_OPTIONS = {"--method": ("method", (2,)), "--rel-tol": ("rel_tol", (2,)),
                "--include-unbracketed": ("include_unbracketed", (2,)), "--bootstrap": ("bootstrap", (2, 3)),
                "--seed": ("seed", (2, 3))}


def _check_fit_options(args) -> None:
    """Flags that do not apply to the approach are errors, not silently ignored."""
    for flag, (attr, approaches) in _FIT_OPTIONS.items():
        value = getattr(args, attr)
        if value not in (None, False) and args.approach not in approaches:
            where = " and ".join(f"--approach {a}" for a in approaches)
            raise _UsageError(f"{flag} does not apply to --approach {args.approach}; it is for {where} only")
    if args.bootstrap is not None and 0 < args.bootstrap < MIN_RESAMPLES:
        raise _UsageError(f"--bootstrap: {args.bootstrap} resamples give no interval worth the name; give at least "
                          f"{MIN_RESAMPLES} (e.g. 200; the replication used 4000), or 0 for none")
    if args.approach == 3 and args.seed is not None and not args.bootstrap:
        raise _UsageError("--seed applies only with --bootstrap K for --approach 3 (the fit itself is not random)")
    if args.approach == 2 and args.seed is not None and args.bootstrap == 0:
        raise _UsageError("--seed applies only to the bootstrap, and --bootstrap 0 turns it off")


def _fit(args):
    if args.data == "porian:list":
        from .datasets.named import porian_list

        return porian_list()
    _check_fit_options(args)
    fitter = {1: _fit_approach1, 2: _fit_approach2, 3: _fit_approach3}[args.approach]
    out, quality = fitter(args)
    if quality.verdict == "refused":  # the runs cannot decide the answer: no number is printed
        raise _UsageError(f"refused: {quality.reason()}")
    out["quality"] = quality.to_dict()
    out["warnings"] = list(out.get("warnings", [])) + [f"flagged: {c.message()}" for c in quality.failed]
    timing = out.pop("seconds", None)
    if timing is not None:
        out["timing"] = {"seconds": timing}
    return out


def _with_plan(out: dict, result, args) -> dict:
    """Add the plan at ``--flops`` (with intervals when the result has a bootstrap) under ``plan``."""
    if args.flops is None:
        return out
    planned = result.plan(args.flops)
    out["plan"] = {k: v for k, v in planned.items() if k not in ("a", "b", "law", "warnings")}
    out["warnings"] = list(out.get("warnings", [])) + list(planned.get("warnings", []))
    return out


def _fit_approach1(args) -> dict:
    from .approaches.runs import fit_runs

    curves, spec = _runs(args)
    curve = "run" if "run" in curves.columns else "model"
    result = fit_runs(curves, approach=1, flops=args.flops, **({"curve_col": curve} if spec else {}))
    out = {"approach": 1, "a": float(result.a), "b": float(result.b), "n_coef": float(result.n_coef),
           "d_coef": float(result.d_coef), "n_models": int(result.n_models), "n_points": int(len(curves)),
           "flops_range": [float(result.envelope["flops"].min()), float(result.envelope["flops"].max())],
           "warnings": list(result.warnings)}
    return _with_plan(out, result, args), result.quality


def _fit_approach3(args) -> dict:
    from .approaches.runs import fit_runs

    runs, _ = _runs(args)
    result = fit_runs(runs, approach=3, bootstrap=args.bootstrap or 0, seed=args.seed or 0, flops=args.flops)
    fit = getattr(result, "fit", result)
    out = {"approach": 3}
    out.update({key: float(getattr(fit, key)) for key in ("E", "A", "B", "alpha", "beta", "a", "b", "objective")})
    out.update(n_points=int(fit.n_points), converged=bool(fit.converged), warnings=[str(w) for w in fit.warnings],
               seconds=float(fit.seconds))
    if args.bootstrap:
        out["intervals"] = {
            q: {"p10": float(r["p10"]), "p90": float(r["p90"]), "p2.5": float(r["p2.5"]), "p97.5": float(r["p97.5"])}
            for q, r in result.intervals.iterrows()
        }
        out.update(interval_flops=float(result.flops), bootstrap=int(args.bootstrap), seed=args.seed or 0,
                   seconds=float(fit.seconds + result.seconds))
        out["warnings"] += list(result.warnings)
    return _with_plan(out, result, args), result.quality


def _fit_approach2(args) -> dict:
    from .approaches.runs import fit_runs

    runs, spec = _runs(args)
    if spec is not None and spec.design == "grid":  # sizes x token counts: fit the interpolated IsoFLOP slices
        from .approaches.run_grid import grid_frame, isoflop_slices, slice_budgets

        grid = grid_frame(runs)
        runs = isoflop_slices(grid, slice_budgets(grid)).rename(columns={"budget": "flops"})
    method = args.method or (spec.method if spec else "parabola")
    rel_tol = args.rel_tol if args.rel_tol is not None else (spec.rel_tol if spec else 0.0)
    n_boot = 200 if args.bootstrap is None else args.bootstrap
    result = fit_runs(runs, approach=2, bootstrap=n_boot, seed=args.seed or 0, rel_tol=rel_tol,
                      min_points=spec.min_points if spec else None, method=method,
                      include_unbracketed=args.include_unbracketed, flops=args.flops)
    used = result.budgets[result.budgets["used"]]
    out = {
        "approach": 2,
        "a": float(result.a),
        "b": float(result.b),
        "a_interval": [float(x) for x in result.a_interval] if n_boot else None,
        "b_interval": [float(x) for x in result.b_interval] if n_boot else None,
        "budgets": [float(x) for x in used["budget"]],
        "n_opt": [float(x) for x in used["n_opt"]],
        "d_opt": [float(x) for x in used["d_opt"]],
        "n_coef": float(result.n_coef),
        "d_coef": float(result.d_coef),
        "method": method,
        "n_points": int(len(runs)),
        "bootstrap": n_boot,
        "seed": args.seed or 0,
        "warnings": list(result.messages),
    }
    return _with_plan(out, result, args), result.quality


def _backtest(args) -> dict:
    from .approaches.backtest import ROW_KEYS, backtest, backtest_set

    approaches = (1, 2, 3) if args.approach == "all" else (int(args.approach),)
    if args.csv is None:
        rows = backtest_set(args.data, approaches, holdout=args.holdout, seed=args.seed)
    else:
        runs = _read_csv(args.csv, 2)[0]
        rows = [r for k in approaches for r in backtest(runs, k, holdout=args.holdout, seed=args.seed, name="csv")]
    return {"rows": [{k: r[k] for k in ROW_KEYS} | {k: r[k] for k in r if k not in ROW_KEYS} for r in rows]}


_COMMANDS = {"plan": _plan, "flops": _flops, "fit": _fit, "backtest": _backtest, "scorecard": _scorecard,
             "train": _train}

#: Library wording -> the flag a command-line user types instead.
_FLAG_NAMES = {"include_unbracketed=True": "--include-unbracketed", "n_resamples": "--bootstrap"}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for library, flag in _FLAG_NAMES.items():
        text = text.replace(library, flag)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: exit 0 done, 2 refused (one line on standard error), 130 on Ctrl-C (one line;
    ``train`` names where its runs are, and exits 143 on SIGTERM), 141 quietly when the reader closes the pipe
    (``scorecard | head -1``).  Never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("python -m chinchilla_lib: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:  # the reader has gone: send what Python still flushes at exit nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"{parser.prog} {args.command}"
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _COMMANDS[args.command](args)
    except (_UsageError, ValueError, DataFileError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        from .approaches.runs import RunsWarning

        noted = [_one_line(w.message) for w in caught if issubclass(w.category, RunsWarning)]  # the likely cause
        also = "".join(f" (also: {n})" for n in dict.fromkeys(noted))
        print(f"{prog}: error: {_one_line(message)}{also}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        if not hasattr(exc, "signum"):  # a plain Ctrl-C: main says so
            raise
        # a command stopped by a signal it handles (train: SIGINT 130, SIGTERM 143), saying what it kept
        print(f"{prog}: {_one_line(exc)}", file=sys.stderr)
        return 128 + exc.signum
    except MemoryError:
        print(f"{prog}: error: the request needs more memory than this machine has; ask for fewer resamples "
              "(--bootstrap) or fewer runs", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read or written
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"{prog}: error: cannot access{where} ({exc.strerror or exc}); check the path", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback
        print(f"{prog}: error: unexpected {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 2
    issued = [_one_line(w.message) for w in caught]
    if isinstance(result, dict):
        issued += [_one_line(w) for w in result.get("warnings", [])]
    issued = list(dict.fromkeys(issued))  # each once, in order
    for text in issued:
        print(f"{prog}: warning: {text}", file=sys.stderr)
    if isinstance(result, dict) and issued:
        result["warnings"] = issued
    if getattr(args, "json", False):
        print(json.dumps(_strict(result), allow_nan=False))
    else:
        _print_text(args.command, result)
    sys.stdout.flush()  # a closed pipe shows here, inside main, not in Python's exit
    return 0
