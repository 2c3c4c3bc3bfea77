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
from .flops import flops_per_token, to_pf_days
from .laws import get_law, law_names

__all__ = ["main", "build_parser"]


class _UsageError(Exception):
    """A bad command-line value; printed as one line, exit status 2."""


def _number(flag: str, *, integer: bool = False):
    def parse(text: str):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number, got {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{flag} must be a positive finite number, got {text!r}")
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
        help="named parameter set: paper-full (default; the full-precision constants behind Eq. 10) or paper "
        "(Eq. 10 as printed, rounded)",
    )
    plan.add_argument("--json", action="store_true", help="print one JSON object")

    fl = sub.add_parser("flops", help="parameters and training FLOPs per token of a transformer shape")
    for flag in ("--d-model", "--ffw-size", "--kv-size", "--n-heads", "--n-layers"):
        fl.add_argument(flag, required=True, type=_number(flag, integer=True))
    fl.add_argument("--seq-len", default=2048, type=_number("--seq-len", integer=True))
    fl.add_argument("--vocab-size", default=32000, type=_number("--vocab-size", integer=True))
    fl.add_argument("--json", action="store_true", help="print one JSON object")

    sc = sub.add_parser("scorecard", help="every reproduction check against the paper's printed values")
    sc.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _plan(args) -> dict:
    if args.law not in law_names():
        raise _UsageError(f"--law: unknown law {args.law!r}; choose one of: {', '.join(law_names())}")
    law = get_law(args.law)
    n_opt, d_opt = law.optimal_allocation(args.flops)
    return {
        "law": law.name,
        "flops": args.flops,
        "pf_days": to_pf_days(args.flops),
        "n_params": n_opt,
        "n_tokens": d_opt,
        "tokens_per_param": d_opt / n_opt,
        "loss": law.optimal_loss(args.flops),
        "a": law.a,
        "b": law.b,
    }


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
    from .scorecard import scorecard

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
    for key, value in result.items():
        print(f"{key:<30} {value:.6g}" if isinstance(value, float) else f"{key:<30} {value}")


_COMMANDS = {"plan": _plan, "flops": _flops, "scorecard": _scorecard}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = _COMMANDS[args.command](args)
    except (_UsageError, ValueError) as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        print(json.dumps(result))
    else:
        _print_text(args.command, result)
    return 0
