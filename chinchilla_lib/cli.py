"""Command line: ``python -m chinchilla_lib {plan,flops,scorecard} ...``.

Bad input exits with status 2 and one line on standard error that names the
argument.  ``--json`` prints exactly one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Sequence

from .architecture import TransformerShape, parameter_counts
from .datasets import DataFileError
from .flops import flops_per_token, to_pf_days
from .laws import plan, resolve_law

__all__ = ["main", "build_parser"]


class _UsageError(Exception):
    """A bad command-line value; printed as one line, exit status 2."""


def _number(flag: str, *, integer: bool = False, allow_zero: bool = False):
    def parse(text: str):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number, got {text!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
            what = "a finite number >= 0" if allow_zero else "a positive finite number"
            raise argparse.ArgumentTypeError(f"{flag} must be {what}, got {text!r}")
        if integer:
            if not value.is_integer():
                raise argparse.ArgumentTypeError(f"{flag} must be a whole number, got {text!r}")
            return int(value)
        return value

    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m chinchilla_lib", description="Chinchilla scaling-law tools.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = sub.add_parser("plan", help="compute-optimal model size and tokens for a FLOP budget")
    plan.add_argument("--flops", required=True, type=_number("--flops"), help="compute budget in FLOPs, e.g. 5.76e23")
    plan.add_argument(
        "--law", default="paper-full",
        help="the law: a name (paper-full, the default: the full-precision constants behind Eq. 10; paper: Eq. 10 "
        "as printed; replication), the path of a 'fit --approach 3 --json' output, or inline "
        "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
    )
    plan.add_argument("--json", action="store_true", help="print one JSON object")

    fl = sub.add_parser("flops", help="parameters and training FLOPs per token of a transformer shape")
    for flag in ("--d-model", "--ffw-size", "--kv-size", "--n-heads", "--n-layers"):
        fl.add_argument(flag, required=True, type=_number(flag, integer=True))
    fl.add_argument("--seq-len", default=2048, type=_number("--seq-len", integer=True))
    fl.add_argument("--vocab-size", default=32000, type=_number("--vocab-size", integer=True))
    fl.add_argument("--json", action="store_true", help="print one JSON object")

    fit = sub.add_parser("fit", help="fit Approach 2 (IsoFLOP) or Approach 3 (parametric) to training runs")
    fit.add_argument("--approach", required=True, type=int, choices=[2, 3])
    source = fit.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="hoffmann-fig4 (the 240 points the replication keeps), hoffmann-fig4:all "
                        "(all 245), porian:NAME (approach 2; porian:list lists the names)")
    source.add_argument("--csv", help="a CSV with columns n_params,n_tokens,loss (approach 3) or "
                        "n_params,n_tokens,flops,loss (approach 2)")
    fit.add_argument("--bootstrap", type=_number("--bootstrap", integer=True, allow_zero=True), default=None,
                     help="bootstrap resamples for intervals (approach 3: none by default; approach 2: 200)")
    fit.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    fit.add_argument("--method", choices=["parabola", "akima"], default=None,
                     help="approach 2 per-budget fit (default: akima for porian:*, their own method; else parabola)")
    fit.add_argument("--rel-tol", type=float, default=None,
                     help="approach 2: group FLOPs within this relative gap into one budget "
                     "(default 0.03 for hoffmann-fig4, 0 = exact labels otherwise)")
    fit.add_argument("--json", action="store_true", help="print one JSON object")

    sc = sub.add_parser("scorecard", help="every reproduction check against the paper's printed values")
    sc.add_argument("--json", action="store_true", help="print one JSON object")
    _add_train_parser(sub)
    return parser


def _add_train_parser(sub) -> None:
    from .train.command import add_parser  # no torch: that is imported only to train

    add_parser(sub)


def _train(args):
    from .train.command import run

    result = run(args)
    return result if args.json else result["runs"]


def _plan(args) -> dict:
    try:
        law = resolve_law(args.law)
    except ValueError as exc:
        raise _UsageError(f"--law: {exc}") from None
    out = plan(args.flops, law)
    out["pf_days"] = to_pf_days(args.flops)
    return out


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
    from .checks import scorecard

    table = scorecard()
    rows = json.loads(table.to_json(orient="records"))
    counts = table["status"].value_counts().to_dict()
    return {"rows": rows, "counts": {k: int(v) for k, v in counts.items()}}


def _print_text(command: str, result: dict) -> None:
    if command == "scorecard":
        for row in result["rows"]:
            print(f"{row['status']:<11} {row['id']:<40} ours {row['ours']:<12.6g} paper {row['reference']:<12.6g}"
                  f" ({row['source']})")
        print(", ".join(f"{v} {k}" for k, v in result["counts"].items()))
        return
    if isinstance(result, list):
        for item in result:
            print("  ".join(f"{k}={v}" for k, v in item.items()))
        return
    for key, value in result.items():
        print(f"{key:<30} {value:.6g}" if isinstance(value, float) else f"{key:<30} {value}")


def _runs(args, columns: list[str]):
    """The runs named by --data or --csv as a DataFrame with ``columns``."""
    import pandas as pd

    from . import datasets

    if args.csv is not None:
        try:
            frame = pd.read_csv(args.csv)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise _UsageError(f"--csv: cannot read {args.csv!r} ({exc})") from None
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise _UsageError(f"--csv: {args.csv!r} lacks column(s) {', '.join(missing)}; "
                              f"expected {','.join(columns)}")
        for column in columns:
            if not pd.api.types.is_numeric_dtype(frame[column]):
                raise _UsageError(f"--csv: column {column!r} of {args.csv!r} is not numeric")
        return frame[columns], "csv"
    name = args.data
    if name in ("hoffmann-fig4", "hoffmann-fig4:all"):
        frame = datasets.load_hoffmann_fig4(exclude_highest_loss=0 if name.endswith(":all") else datasets.REPLICATION_EXCLUDED)
        return frame[columns], "hoffmann-fig4"
    if name.startswith("porian:"):
        if args.approach != 2:
            raise _UsageError("--data: porian runs are IsoFLOP profiles; use them with --approach 2")
        config = name.split(":", 1)[1]
        try:
            return datasets.load_porian(config)[columns], "porian"
        except ValueError as exc:
            raise _UsageError(f"--data: {exc}") from None
    raise _UsageError(f"--data: unknown data set {name!r}; use hoffmann-fig4, hoffmann-fig4:all or porian:NAME")


def _porian_list() -> list:
    from .datasets import PORIAN_FIELDS, porian_configurations

    table = porian_configurations()
    return [{"name": row["configuration"], **{f: row[f] for f in PORIAN_FIELDS}} for _, row in table.iterrows()]


def _fit(args):
    if args.data == "porian:list":
        return _porian_list()
    if args.approach == 3:
        return _fit_approach3(args)
    return _fit_approach2(args)


def _fit_approach3(args) -> dict:
    from .parametric import bootstrap_approach3, fit_approach3

    runs, _ = _runs(args, ["n_params", "n_tokens", "loss"])
    fit = fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"])
    out = {key: float(getattr(fit, key)) for key in ("E", "A", "B", "alpha", "beta", "a", "b", "objective")}
    out.update(n_points=int(fit.n_points), seconds=float(fit.seconds), converged=bool(fit.converged),
               warnings=[str(w) for w in fit.warnings])
    if args.bootstrap:
        boot = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=args.bootstrap,
                                   seed=args.seed, fit=fit)
        out["intervals"] = {
            q: {"p10": float(r["p10"]), "p90": float(r["p90"]), "p2.5": float(r["p2.5"]), "p97.5": float(r["p97.5"])}
            for q, r in boot.intervals.iterrows()
        }
        out.update(bootstrap=int(args.bootstrap), seed=args.seed)
    return out


def _fit_approach2(args) -> dict:
    import warnings

    from .isoflop import fit_isoflop
    from .studies.figure4 import FIG4_GROUPING

    runs, kind = _runs(args, ["n_params", "n_tokens", "flops", "loss"])
    method = args.method or ("akima" if kind == "porian" else "parabola")
    grouping = FIG4_GROUPING if kind == "hoffmann-fig4" else {"rel_tol": 0.0, "min_points": None}
    rel_tol = args.rel_tol if args.rel_tol is not None else grouping["rel_tol"]
    min_points = grouping["min_points"]
    n_boot = 200 if args.bootstrap is None else args.bootstrap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # recorded in result.messages, reported below
        result = fit_isoflop(runs["n_params"], runs["flops"], runs["loss"], rel_tol=rel_tol, min_points=min_points,
                             method=method, n_bootstrap=n_boot, seed=args.seed)
    used = result.budgets[result.budgets["used"]]
    return {
        "a": float(result.a),
        "b": float(result.b),
        "a_interval": [float(x) for x in result.a_interval],
        "b_interval": [float(x) for x in result.b_interval],
        "budgets": [float(x) for x in used["budget"]],
        "n_opt": [float(x) for x in used["n_opt"]],
        "d_opt": [float(x) for x in used["d_opt"]],
        "n_coef": float(result.n_coef),
        "d_coef": float(result.d_coef),
        "method": method,
        "n_points": int(len(runs)),
        "bootstrap": n_boot,
        "seed": args.seed,
        "messages": list(result.messages),
    }


_COMMANDS = {"plan": _plan, "flops": _flops, "fit": _fit, "scorecard": _scorecard, "train": _train}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = _COMMANDS[args.command](args)
    except (_UsageError, ValueError) as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except DataFileError as exc:  # a data set that cannot be had: one line, no traceback
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(json.dumps(result))
    else:
        _print_text(args.command, result)
    return 0
