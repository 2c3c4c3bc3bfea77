"""Write chinchilla_lib/data/tinygpt_prediction.json: the compute-optimal size and loss at 10x the sweep's largest budget.

Made from the committed IsoFLOP sweep alone, before the predicted model is trained; the file
records the commit it was made at (commit it before running `train --sweep prediction`).
Usage: python scripts/predict_tinygpt.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chinchilla_lib.studies.tinygpt import PREDICTION_FILE, predict  # noqa: E402


def main() -> int:
    status = subprocess.run(["git", "status", "--porcelain", "chinchilla_lib/data/tinygpt_isoflop_runs.csv"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    if status:
        print("commit chinchilla_lib/data/tinygpt_isoflop_runs.csv first: the prediction names the commit it was made from",
              file=sys.stderr)
        return 2
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
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


if __name__ == "__main__":
    raise SystemExit(main())
