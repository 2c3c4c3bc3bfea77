"""What the command line and the package import: a scalar question (`plan` with a named law) needs no numpy, pandas, scipy or matplotlib.

Structural, not timed: each case runs in a fresh interpreter and reads ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "torch")


def _loaded(code: str) -> dict:
    probe = code + f"\nimport sys, json\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("code", [
    "import chinchilla_lib.cli",
    "import chinchilla_lib",
    "import chinchilla_lib.datasets",
    "from chinchilla_lib.cli import main; main(['plan', '--flops', '1e22', '--json'])",
    "from chinchilla_lib.cli import main; main(['plan', '--flops', '5.76e23', '--law', 'replication'])",
    "from chinchilla_lib.cli import main; main(['plan', '--flops', '1e22', '--law', 'E=1.69,A=406.4,B=410.7,"
    "alpha=0.34,beta=0.28'])",
    "from chinchilla_lib.cli import main; main(['flops', '--d-model', '512', '--ffw-size', '2048', '--kv-size', '64',"
    " '--n-heads', '8', '--n-layers', '8'])",
    "import chinchilla_lib as cl; cl.get_law('paper-full').optimal_allocation(1e22); cl.paper_value('gopher.flops')",
])
def test_light_paths_import_no_heavy_library(code):
    loaded = _loaded(code)
    assert not any(loaded.values()), f"{code!r} imports {[m for m, v in loaded.items() if v]}"


def test_the_probe_sees_a_heavy_import():
    # The check above can fail: fitting runs does import pandas and scipy.
    loaded = _loaded("import chinchilla_lib as cl; cl.fit_runs")
    assert loaded["pandas"] and loaded["scipy"]


def test_lazy_names_are_all_there():
    import chinchilla_lib as cl
    from chinchilla_lib import datasets

    for module in (cl, datasets):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, (module.__name__, missing)
        assert set(module.__all__) <= set(dir(module))
    assert cl.fit_approach1 is cl.fit_envelope and cl.fit_approach2 is cl.fit_isoflop
    with pytest.raises(AttributeError, match="no_such_name"):
        cl.no_such_name  # noqa: B018
