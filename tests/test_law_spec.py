"""A law given by name, by a fit's JSON file, or inline (``laws.resolve_law``, ``plan --law``)."""

import json
import math

import pytest

from chinchilla_lib import cli
from chinchilla_lib.laws import ParametricLaw, get_law, resolve_law

# Eq. (10) as printed (Hoffmann et al. 2022, App. D.2)
PRINTED = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def test_inline_constants_give_the_law():
    law = resolve_law("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28")
    assert (law.E, law.A, law.B, law.alpha, law.beta) == tuple(PRINTED.values())
    # a = beta/(alpha+beta) computed by hand: 0.28/0.62
    assert math.isclose(law.a, 0.28 / 0.62)


def test_name_and_json_file(tmp_path):
    assert resolve_law("paper") == get_law("paper")
    path = tmp_path / "fit.json"
    path.write_text(json.dumps({**PRINTED, "objective": 0.1, "converged": True}))
    law = resolve_law(str(path))
    assert (law.E, law.A, law.B, law.alpha, law.beta) == tuple(PRINTED.values())


@pytest.mark.parametrize("spec, fragment", [
    ("E=1.69,A=406.4,B=410.7,alpha=0.34", "lacks beta"),
    ("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=x", "beta must be a number"),
    ("E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28,gamma=1", "'gamma=1' is not one of"),
    ("E=1.69,E=1.7,A=406.4,B=410.7,alpha=0.34,beta=0.28", "E is given twice"),
    ("nosuchlaw", "unknown law 'nosuchlaw'"),
    ("missing.json", "cannot be read"),
])
def test_bad_specs_name_the_problem(spec, fragment):
    with pytest.raises(ValueError, match=None) as info:
        resolve_law(spec)
    assert fragment in str(info.value)


def test_cli_plan_accepts_inline_law_and_rejects_bad_one(capsys):
    assert cli.main(["plan", "--flops", "5.76e23", "--law", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    law = ParametricLaw(**PRINTED)
    # N_opt from Eq. (4) written out independently: G (C/6)^a
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    assert math.isclose(out["n_params"], g * (5.76e23 / 6) ** (0.28 / 0.62), rel_tol=1e-12)
    assert math.isclose(out["loss"], law.optimal_loss(5.76e23), rel_tol=1e-12)
    assert cli.main(["plan", "--flops", "1e22", "--law", "E=1,A=2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--law" in err[0] and "lacks" in err[0]
