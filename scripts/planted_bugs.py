"""Plant known bugs one at a time in a copy of the library and check that the named test catches each.

Run by hand (not in CI), from the repository root::

    python scripts/planted_bugs.py            # every bug below
    python scripts/planted_bugs.py seed       # the bugs whose name contains "seed"

Each bug is one exact text replacement in one file. The script copies the repository (without
``.git``, ``.venv`` and build output) to a temporary folder, plants the bug there, checks that the
replacement happened exactly once, runs the named test with pytest and reports whether it failed
(caught) or passed (missed). It also runs the tests on the unchanged copy first: a test that fails
without a bug proves nothing. Exit status 1 when any bug is missed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name, file, text replaced, replacement, the test that must catch it
BUGS = [
    ("plan's loss from the wrong law", "chinchilla_lib/laws/parametric.py",
     "loss=lw._frontier_loss(c)", 'loss=resolve_law("paper")._frontier_loss(c)',
     "tests/approaches/test_runs.py::test_plan_loss_is_the_given_laws_loss_at_the_planned_model"),
    ("IsoFLOP interval level ignored", "chinchilla_lib/approaches/isoflop/fit.py",
     "a_interval=percentile_interval(a_samples, level), b_interval=percentile_interval(b_samples, level)",
     "a_interval=percentile_interval(a_samples, 0.8), b_interval=percentile_interval(b_samples, 0.8)",
     "tests/approaches/test_runs.py::test_isoflop_interval_level_is_used"),
    ("CLI p10/p90 swapped for p2.5/p97.5", "chinchilla_lib/cli.py",
     '"p10": float(r["p10"]), "p90": float(r["p90"])', '"p10": float(r["p2.5"]), "p90": float(r["p97.5"])',
     "tests/approaches/test_runs.py::test_cli_intervals_are_the_10th_and_90th_percentiles"),
    ("--seed ignored for Approach 3", "chinchilla_lib/cli.py",
     "approach=3, bootstrap=args.bootstrap or 0, seed=args.seed or 0",
     "approach=3, bootstrap=args.bootstrap or 0, seed=0",
     "tests/approaches/test_runs.py::test_cli_seed_reaches_the_approach3_bootstrap"),
    ("default bootstrap budget x10", "chinchilla_lib/approaches/parametric/bootstrap.py",
     'flops = paper_value("gopher.flops")', 'flops = 10 * paper_value("gopher.flops")',
     "tests/approaches/test_runs.py::test_bootstrap_default_budget_is_gophers"),
    ("n_descents capped at 64", "chinchilla_lib/approaches/parametric/fit.py",
     'positive_int("n_descents", n_descents))', 'min(64, positive_int("n_descents", n_descents)))',
     "tests/approaches/test_runs.py::test_n_descents_is_honoured"),
]

SKIP = shutil.ignore_patterns(".git", ".venv", "_build", "mutants", "__pycache__", ".hypothesis", "*.log")


def run_test(tree: Path, test: str) -> bool:
    """True when ``test`` passes in ``tree``."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", test]
    return subprocess.run(cmd, cwd=tree, capture_output=True, text=True).returncode == 0


def main(argv: list[str]) -> int:
    chosen = [b for b in BUGS if not argv or any(a in b[0] for a in argv)]
    if not chosen:
        print(f"no planted bug matches {argv}; names: " + "; ".join(b[0] for b in BUGS), file=sys.stderr)
        return 2
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "repo"
        shutil.copytree(ROOT, tree, ignore=SKIP)
        for name, path, old, new, test in chosen:
            source = tree / path
            text = source.read_text(encoding="utf-8")
            if text.count(old) != 1:
                print(f"{name}: the text to replace occurs {text.count(old)} times in {path}; update this script")
                return 2
            if not run_test(tree, test):
                print(f"{name}: {test} fails without the bug; fix the test first")
                return 2
            source.write_text(text.replace(old, new), encoding="utf-8")
            try:
                caught = not run_test(tree, test)
            finally:
                source.write_text(text, encoding="utf-8")
            missed += not caught
            print(f"{'caught' if caught else 'MISSED'}  {name}  ({test.split('::')[1]})")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
