"""Names of a systematic sample of mutants (every K-th of each module), or of the survivors so far.

    python scripts/mutation_sample.py K MODULE...      # e.g. 8 cli isoflop: every 8th mutant of each
    python scripts/mutation_sample.py survivors MODULE...

Reads mutants/**.py.meta (written by ``mutmut run``); prints one full mutant name per line, for
``mutmut run NAME...`` (see mutation_test.sh, MUTMUT_SAMPLE).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def names(module: str) -> list[str]:
    meta = ROOT / "mutants" / (module.replace(".", "/") + ".py.meta")
    if not meta.exists():
        meta = ROOT / "mutants" / "chinchilla_lib" / (module.replace(".", "/") + ".py.meta")
    data = json.loads(meta.read_text())["exit_code_by_key"]

    def key(name):
        func, number = name.rsplit("__mutmut_", 1)
        return func, int(number)

    return sorted(data, key=key), data


def main(argv):
    how, modules = argv[0], argv[1:]
    for module in modules:
        listed, codes = names(module)
        if how == "survivors":
            chosen = [n for n in listed if codes[n] == 0]
        else:
            k = int(how)
            chosen = listed[k // 2::k]
        print("\n".join(chosen))


if __name__ == "__main__":
    main(sys.argv[1:])
