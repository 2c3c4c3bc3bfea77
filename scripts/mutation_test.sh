#!/usr/bin/env bash
# Mutation testing by hand (not part of CI): mutate the core maths, the three approaches, laws/plan and the CLI,
# run a fast test selection against every mutant (one worker: the CPU is shared), and print killed/total per module.
#
#   bash scripts/mutation_test.sh                       # every module listed in pyproject.toml [tool.mutmut]
#   bash scripts/mutation_test.sh laws.parametric laws.powerlaw   # just these (names under chinchilla_lib, dots for packages)
#   MUTMUT_SAMPLE=8 bash scripts/mutation_test.sh cli   # every 8th mutant of each module (after one full generation)
#
# Needs mutmut (pip install "mutmut>=3.8", or the 'mutation' extra). Results stay in mutants/ (git-ignored), so a
# second run only retests what changed; `mutmut show NAME` prints one mutant's diff.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python
MUTMUT="$(dirname "$PY")/mutmut"
[ -x "$MUTMUT" ] || MUTMUT=mutmut
export CHINCHILLA_LIB_DATA="${CHINCHILLA_LIB_DATA:-$(cd ../shared/external 2>/dev/null && pwd || echo)}"

modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  modules=(_validate laws.flops laws.parametric laws.powerlaw approaches.envelope.fit approaches.envelope.diagnostics
           approaches.isoflop.profile approaches.isoflop.fit approaches.isoflop.diagnostics approaches.parametric.objective
           approaches.parametric.fit approaches.parametric.bootstrap approaches.runs approaches.quality cli)
fi
for m in "${modules[@]}"; do
  echo "--- mutating chinchilla_lib.$m"
  start=$SECONDS
  if [ -n "${MUTMUT_SAMPLE:-}" ] && [ -d mutants ]; then  # every K-th mutant only (mutants/ must exist: run once)
    "$MUTMUT" run --max-children "${MUTMUT_CHILDREN:-1}" $("$PY" scripts/mutation_sample.py "$MUTMUT_SAMPLE" "$m") \
      > "mutants-$m.log" 2>&1 || true
  else
    "$MUTMUT" run --max-children "${MUTMUT_CHILDREN:-1}" "chinchilla_lib.$m.*" > "mutants-$m.log" 2>&1 || true
  fi
  echo "    done in $((SECONDS - start)) s (log: mutants-$m.log)"
done
"$MUTMUT" results --all true 2>/dev/null | "$PY" scripts/mutation_summary.py
