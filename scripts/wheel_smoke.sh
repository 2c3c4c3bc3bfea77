#!/usr/bin/env bash
# Install chinchilla_lib the way a user does (a wheel into a fresh virtual environment, outside the
# checkout) and run its command line from there: every answer a clone gives, an install gives.
# Needs the package index (pip resolves the dependencies); the external data sets come from
# CHINCHILLA_LIB_DATA (a mirror) or are downloaded.  Usage: bash scripts/wheel_smoke.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
checkout="$(pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
# Build from a copy of what a wheel holds, so the build leaves nothing in the checkout.
mkdir -p "$work/src"
cp -r pyproject.toml README.md chinchilla_lib "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
python3 -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel="$(ls "$work"/dist/chinchilla_lib-*.whl)"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel"

cd "$work"  # nothing of the checkout on the path: the package and its tables come from the wheel
cli="$work/venv/bin/chinchilla"
where="$("$work/venv/bin/python" -c 'import chinchilla_lib; print(chinchilla_lib.__file__)')"
case "$where" in "$checkout"*) echo "wheel smoke: imported from the checkout ($where)"; exit 1;; esac
echo "wheel smoke: chinchilla_lib from $where"

check() {  # check NAME COMMAND...: the command exits 0 and prints something
  local name="$1"; shift
  if ! out="$("$@" 2> "$work/stderr")"; then
    echo "wheel smoke: $name failed: $(cat "$work/stderr")"; exit 1
  fi
  [ -n "$out" ] || { echo "wheel smoke: $name printed nothing"; exit 1; }
  printf '%s\n' "$out" > "$work/$name.out"
  echo "wheel smoke: $name ok"
}

check plan "$cli" plan --flops 1e24 --json
check plan-law "$cli" plan --flops 1e24 --law approach1-table3 --json
check plan-compare "$cli" plan --flops 1e24 --compare --json
"$work/venv/bin/python" - "$work/plan-compare.out" <<'EOF'
import json, sys
from chinchilla_lib.approaches.allocations import allocation_names
got = [e["law"] for e in json.load(open(sys.argv[1]))]
assert got == list(allocation_names()), f"plan --compare gave {got}"
EOF
check flops "$cli" flops --d-model 8192 --ffw-size 32768 --kv-size 128 --n-heads 64 --n-layers 80 --json
"$work/venv/bin/python" - > "$work/runs.csv" <<'EOF'
import itertools
from chinchilla_lib.laws import get_law
law = get_law("paper")
print("n_params,n_tokens,loss")
for n, d in itertools.product([1e8, 3e8, 1e9, 3e9, 1e10], [2e10, 6e10, 2e11, 6e11]):
    print(f"{n},{d},{float(law.loss(n, d))!r}")
EOF
check fit-csv "$cli" fit --approach 3 --csv "$work/runs.csv" --flops 5.76e23 --json
check fit-data "$cli" fit --approach 3 --data hoffmann-fig4 --json
check fit-bootstrap "$cli" fit --approach 3 --csv "$work/runs.csv" --bootstrap 20 --json
check backtest "$cli" backtest --data cs336 --approach 2 --json
check scorecard "$cli" scorecard --json
"$work/venv/bin/python" - "$work/plan.out" "$work/fit-csv.out" <<'EOF'
import json, sys
from chinchilla_lib.laws import get_law
plan, fit = (json.load(open(p)) for p in sys.argv[1:])
n, _ = get_law("paper-full").optimal_allocation(1e24)
assert abs(plan["n_params"] / n - 1) < 1e-12, plan
law = get_law("paper")  # the runs were drawn from it without noise: the fit recovers it
assert abs(fit["alpha"] - law.alpha) < 1e-3 and abs(fit["beta"] - law.beta) < 1e-3, fit
EOF
echo "wheel smoke: every command answered from the installed wheel"
