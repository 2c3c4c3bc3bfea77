"""The in-page planner (``_static/planner.js``) gives what ``chinchilla_lib`` gives, for every law and allocation."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from chinchilla_lib.approaches.allocations import get_allocation
from chinchilla_lib.laws import get_law, plan
from chinchilla_lib.studies.closed_forms import PLANNER_LAWS, planner_constants, planner_html

JS = Path(__file__).resolve().parents[2] / "_static" / "planner.js"
BUDGETS = [1e20, 1e22, 5.76e23, 1e25]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="module")
def constants():
    return planner_constants()


def _run_js(constants: dict, calls: str) -> dict:
    script = (
        "global.window = {}; global.document = {readyState: 'complete', getElementById: () => null};\n"
        f"{JS.read_text()}\n"
        f"const K = {json.dumps(constants)}; const P = window.chinchillaPlanner;\n"
        f"process.stdout.write(JSON.stringify({calls}));\n"
    )
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@needs_node
def test_page_and_library_agree_on_every_law_and_allocation(constants):
    calls = ("{laws: K.laws.map(l => [l.name, " + json.dumps(BUDGETS) + ".map(c => P.lawPlan(l, c))]), "
             "allocs: K.allocations.map(e => [e.name, " + json.dumps(BUDGETS) + ".map(c => P.allocationPlan(e, c))])}")
    got = _run_js(constants, calls)
    assert [name for name, _ in got["laws"]] == list(PLANNER_LAWS)
    for name, rows in got["laws"]:
        for c, row in zip(BUDGETS, rows):
            want = plan(c, name)
            for key, ours in (("n_params", row["n"]), ("n_tokens", row["d"]), ("loss", row["loss"])):
                assert ours == pytest.approx(want[key], rel=1e-9), (name, c, key)
    assert {name for name, _ in got["allocs"]} >= {"approach1-table3", "approach2-tableA3", "approach3-tableA3",
                                                   "kaplan"}
    for name, rows in got["allocs"]:
        for c, row in zip(BUDGETS, rows):
            want = get_allocation(name).at(c)
            assert row["n"] == pytest.approx(want["n_params"], rel=1e-9), (name, c)
            assert row["d"] == pytest.approx(want["n_tokens"], rel=1e-9), (name, c)
            if "loss" in want:  # an allocation from a fitted law (approach3-fig4)
                assert row["loss"] == pytest.approx(want["loss"], rel=1e-9), (name, c)
            else:
                assert row["loss"] is None, (name, c)


@needs_node
@pytest.mark.parametrize("text", ["", "  ", "-1e22", "0", "abc", "1e22 FLOPs", "1e400", "NaN", "Infinity"])
def test_the_page_refuses_what_is_not_a_positive_budget(constants, text):
    got = _run_js(constants, f"P.parseBudget({json.dumps(text)})")
    assert "error" in got and "value" not in got and "FLOPs" in got["error"]


@needs_node
@pytest.mark.parametrize("text, value", [("1e22", 1e22), (" 5.76e23 ", 5.76e23), ("5.76E+23", 5.76e23),
                                         ("100000", 1e5)])
def test_the_page_reads_budgets_as_typed(constants, text, value):
    assert _run_js(constants, f"P.parseBudget({json.dumps(text)})") == {"value": value}


def test_paper_law_at_gophers_budget_by_hand(constants):
    # Eq. 4 by hand for the printed law: G = (alpha A / (beta B))^(1/(alpha+beta)), N = G (C/6)^(beta/(alpha+beta)).
    law = next(entry for entry in constants["laws"] if entry["name"] == "paper")
    assert (law["E"], law["A"], law["B"], law["alpha"], law["beta"]) == (1.69, 406.4, 410.7, 0.34, 0.28)
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    assert plan(5.76e23, "paper")["n_params"] == pytest.approx(g * (5.76e23 / 6) ** (0.28 / 0.62), rel=1e-12)


def test_allocations_are_power_laws_read_off_the_registry(constants):
    kaplan = next(entry for entry in constants["allocations"] if entry["name"] == "kaplan")
    assert kaplan["a"] == pytest.approx(0.73, abs=1e-12)  # Kaplan et al. 2020, Eq. 6.1: N_opt ∝ C_min^0.73
    for entry in constants["allocations"]:
        assert math.isfinite(entry["a"]) and math.isfinite(entry["log_k"]) and 0 < entry["a"] < 1


def test_html_carries_the_constants_in_a_json_block(constants):
    text = planner_html(constants)
    start = text.index('<script type="application/json" id="planner-constants">') + len(
        '<script type="application/json" id="planner-constants">')
    block = text[start:text.index("</script>", start)]
    assert json.loads(block) == constants
    assert 'id="planner-flops"' in text and 'id="planner-results"' in text
    assert get_law("paper-full").alpha == constants["laws"][0]["alpha"]


@needs_node
@pytest.mark.parametrize("flops, tokens", [(1e23, 2e12), (5.76e23, 1e10), (1e21, 1e14), (1e22, 0.0)])
def test_page_sizes_for_inference_as_the_library_does(constants, flops, tokens):
    from chinchilla_lib.laws.inference import inference_optimum

    got = _run_js(constants, f"K.laws.map(l => [l.name, P.inferencePlan(l, {flops!r}, {tokens!r})])")
    for name, row in got:
        want = inference_optimum(name, tokens, flops=flops)
        assert row["best"]["n"] == pytest.approx(want.optimum.n_params, rel=1e-9), name
        assert row["best"]["d"] == pytest.approx(want.optimum.n_tokens, rel=1e-9), name
        assert row["best"]["total"] == pytest.approx(want.optimum.total_flops, rel=1e-9), name
        assert row["co"]["total"] == pytest.approx(want.compute_optimal.total_flops, rel=1e-9), name
        assert row["saving"] == pytest.approx(want.saving, rel=1e-7, abs=1e-12), name


@needs_node
@pytest.mark.parametrize("text, ok", [("", True), ("2e12", True), ("0", True), ("-1", False), ("lots", False)])
def test_the_page_reads_inference_tokens(constants, text, ok):
    got = _run_js(constants, f"P.parseTokens({json.dumps(text)})")
    assert ("error" not in got) == ok
