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
#: Besides the heavy libraries, a plan loads none of the package's training, study or fitting code.
UNNEEDED = ("chinchilla_lib.train.command", "chinchilla_lib.train.sweep", "chinchilla_lib.train.config",
            "chinchilla_lib.studies", "chinchilla_lib.approaches.parametric", "importlib.abc")


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


@pytest.mark.parametrize("argv", [["plan", "--flops", "1e22"], ["plan", "--flops", "1e22", "--json"],
                                  ["plan", "--flops", "1e22", "--law", "paper"]])
def test_plan_loads_no_training_study_or_fitting_code(argv):
    probe = (f"from chinchilla_lib.cli import main; main({argv!r})\nimport sys, json\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({UNNEEDED!r}))))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_train_probe_sees_the_sweep_module():
    # The check above can fail: the train subcommand's sweep names come from the sweep module.
    probe = ("from chinchilla_lib.cli import build_parser\nimport sys\n"
             "build_parser().parse_args(['train', '--sweep', 'smoke'])\nprint('chinchilla_lib.train.sweep' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert out.stdout.strip() == "True"


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
