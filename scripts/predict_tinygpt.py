"""Write a prediction at 10x a sweep's largest budget, made from that committed sweep alone.

``--sweep isoflop`` (the default) writes chinchilla_lib/data/tinygpt_prediction.json from the first
grid; ``--sweep isoflop-unrepeated`` writes chinchilla_lib/data/tinygpt_prediction_unrepeated.json
from the second (:func:`chinchilla_lib.studies.unrepeated_grid.predict_unrepeated`).  Either is made
before the predicted models are trained and records the commit it was made from: commit the runs
first, then commit the file before running ``train --sweep prediction`` (or
``prediction-unrepeated``).  The second refuses too when tracked code or data differ from that
commit, since the commit would then not say what made the file.  ``--dry-run`` prints the
prediction without checking git or writing anything.

Usage: python scripts/predict_tinygpt.py [--sweep isoflop-unrepeated] [--dry-run]
Exit status 2 when the runs (and, for the second grid, its curves) are not committed or the sweep cannot decide (the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chinchilla_lib.studies.tinygpt import PREDICTION_FILE, predict  # noqa: E402

RUNS = {"isoflop": "chinchilla_lib/data/tinygpt_isoflop_runs.csv",
        "isoflop-unrepeated": "chinchilla_lib/data/tinygpt_isoflop_unrepeated_runs.csv"}
#: Approach 1 of the second grid reads its validation curves.
CURVES = "chinchilla_lib/data/tinygpt_isoflop_unrepeated_curves.csv"


def _first_grid() -> int:
    from chinchilla_lib.train.provenance import head_commit, uncommitted

    why = uncommitted(ROOT / RUNS["isoflop"])
    if why:
        print(f"commit {RUNS['isoflop']} first ({why}): the prediction names the commit it was made from",
              file=sys.stderr)
        return 2
    commit = head_commit(ROOT)
    try:
        prediction = predict()
    except ValueError as exc:
        print(f"the sweep cannot decide a prediction: {exc}", file=sys.stderr)
        return 2
    prediction = {"made_from_commit": commit, "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  **prediction}
    PREDICTION_FILE.write_text(json.dumps(prediction, indent=1) + "\n")
    print(json.dumps(prediction, indent=1))
    return 0


def _second_grid(dry_run: bool) -> int:
    from chinchilla_lib.studies.unrepeated_grid import PREDICTION_FILE as TARGET
    from chinchilla_lib.studies.unrepeated_grid import predict_unrepeated
    from chinchilla_lib.train.provenance import changed_files, head_commit, uncommitted

    commit = None
    if not dry_run:
        for data in (RUNS["isoflop-unrepeated"], CURVES):
            why = uncommitted(ROOT / data)
            if why:
                print(f"commit the grid's runs and curves first ({why}): the prediction names the commit it was "
                      "made from", file=sys.stderr)
                return 2
        target = str(TARGET.relative_to(ROOT))
        changed = changed_files(ROOT, ["chinchilla_lib", "scripts"], ignore=(target,))
        if changed:
            print(f"commit or set aside the changes to {', '.join(changed)} first: the prediction names the commit "
                  "it was made from", file=sys.stderr)
            return 2
        commit = head_commit(ROOT)
    try:
        prediction = predict_unrepeated()
    except ValueError as exc:
        print(f"no prediction from the second grid: {exc}", file=sys.stderr)
        return 2
    prediction = {"made_from_commit": commit, "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  **prediction}
    text = json.dumps(prediction, indent=1) + "\n"
    if not dry_run:
        TARGET.write_text(text)
    print(text, end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", choices=sorted(RUNS), default="isoflop", help="the grid to predict from")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the prediction of the second grid without checking git or writing the file")
    args = parser.parse_args(argv)
    if args.sweep == "isoflop":
        if args.dry_run:
            parser.error("--dry-run applies to --sweep isoflop-unrepeated only")
        return _first_grid()
    return _second_grid(args.dry_run)


if __name__ == "__main__":
    raise SystemExit(main())
