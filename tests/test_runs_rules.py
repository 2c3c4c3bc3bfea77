"""fit_runs: one call from a DataFrame of runs to any approach's result; what it refuses and passes on."""

import math

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches import runs as runs_mod
from chinchilla_lib.approaches.runs import APPROACHES, fit_runs, missing_columns, runs_columns

LAW = dict(E=1.7, A=400.0, B=410.0, alpha=0.34, beta=0.28)


def law_runs(noise=0.0):
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e7, 1e9, 6), np.geomspace(1e9, 1e11, 6)))
    loss = LAW["E"] + LAW["A"] / n ** LAW["alpha"] + LAW["B"] / d ** LAW["beta"]
    return pd.DataFrame({"n_params": n, "n_tokens": d, "loss": loss * (1 + noise * np.tile([1, -1, 0.5, -0.5, 0, 0.25], 6))})


def isoflop_runs():
    rows = []
    for c in (1e18, 1e20, 1e22):
        for k in range(-3, 4):
            rows.append((0.1 * c**0.5 * math.exp(0.4 * k), c, 3.0 - 0.1 * math.log10(c) + 0.2 * (0.4 * k) ** 2))
    return pd.DataFrame(rows, columns=["n_params", "flops", "loss"])


def test_each_approach_names_the_columns_it_needs():
    assert runs_columns(3) == (["n_params", "n_tokens", "loss"], [])
    assert runs_columns(2) == (["n_params", "loss"], ["flops", "n_tokens"])
    assert runs_columns(1) == (["n_params", "loss"], ["flops", "n_tokens"])
    assert missing_columns(["n_params", "loss"], 3) == ["n_tokens"]
    assert missing_columns(["n_params", "loss"], 2) == ["flops or n_tokens"]
    assert missing_columns(["loss", "n_tokens"], 2) == ["n_params"]
    assert missing_columns(["n_params", "loss", "flops"], 1) == []
    assert set(APPROACHES) == {1, 2, 3}


@pytest.mark.parametrize("approach", [0, 4, True, "3", 2.5])
def test_approach_must_be_1_2_or_3(approach):
    with pytest.raises(ValueError, match=f"approach must be 1, 2 or 3, got {approach!r}"):
        fit_runs(law_runs(), approach=approach)


def test_runs_must_be_a_frame_with_the_columns():
    with pytest.raises(ValueError, match=r"runs must be a pandas DataFrame \(e.g. pandas.read_csv\(path\)\), got dict"):
        fit_runs({"n_params": [1.0]})
    with pytest.raises(ValueError) as info:
        fit_runs(law_runs().drop(columns=["n_tokens"]), approach=3)
    assert str(info.value) == f"runs lacks column(s) n_tokens; approach 3 needs {APPROACHES[3]}"
    with pytest.raises(ValueError) as info:
        fit_runs(pd.DataFrame({"loss": [2.0]}), approach=2)
    assert str(info.value) == f"runs lacks column(s) n_params, flops or n_tokens; approach 2 needs {APPROACHES[2]}"


@pytest.mark.parametrize("bootstrap", [-1, 2.0, True, "20"])
def test_bootstrap_must_be_a_whole_number(bootstrap):
    with pytest.raises(ValueError, match=r"bootstrap must be a whole number >= 0 \(resamples\), got "):
        fit_runs(law_runs(), approach=3, bootstrap=bootstrap)


def test_approach1_has_no_bootstrap():
    with pytest.raises(ValueError, match="bootstrap does not apply to approach 1"):
        fit_runs(law_runs(), approach=1, bootstrap=20)


def test_approach3_by_default_recovers_the_law():
    result = fit_runs(law_runs())
    assert type(result).__name__ == "Approach3Fit" and result.alpha == pytest.approx(0.34, rel=1e-5)


def test_approach3_passes_its_options_and_the_bootstrap_settings(monkeypatch):
    seen = {}
    real = runs_mod.bootstrap_approach3

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(runs_mod, "bootstrap_approach3", spy)
    result = fit_runs(law_runs(noise=0.01), approach=3, bootstrap=20, seed=3, flops=1e21, delta=2e-3)
    assert result.n_resamples == 20 and result.seed == 3 and result.flops == 1e21 and result.fit.delta == 2e-3
    assert seen["n_resamples"] == 20 and seen["seed"] == 3 and seen["delta"] == 2e-3 and "n_candidates" not in seen
    assert seen["fit"] is result.fit
    seen.clear()
    fit_runs(law_runs(noise=0.01), approach=3, bootstrap=np.int64(20), n_candidates=4)
    assert "n_candidates" not in seen and "delta" not in seen and seen["n_resamples"] == 20


def test_approach2_from_flops_or_from_tokens():
    frame = isoflop_runs()
    by_flops = fit_runs(frame, approach=2)
    assert by_flops.a == pytest.approx(0.5, rel=1e-9) and by_flops.n_bootstrap == 0
    tokens = frame.assign(n_tokens=frame["flops"] / (6 * frame["n_params"])).drop(columns="flops")
    by_tokens = fit_runs(tokens, approach=2, rel_tol=0.01)
    assert by_tokens.a == pytest.approx(0.5, rel=1e-6)
    boot = fit_runs(frame, approach=2, bootstrap=30, seed=2)
    assert boot.n_bootstrap == 30 and boot.seed == 2


def test_approach1_takes_training_curves():
    rows = []
    for size in (1e7, 3e7, 1e8, 3e8):
        for tokens in np.geomspace(1e8, 1e11, 25):
            rows.append((f"m{size:.0e}", size, 6 * size * tokens,
                         LAW["E"] + LAW["A"] / size ** LAW["alpha"] + LAW["B"] / tokens ** LAW["beta"]))
    result = fit_runs(pd.DataFrame(rows, columns=["run", "n_params", "flops", "loss"]), approach=1, n_grid=200)
    assert type(result).__name__ == "EnvelopeResult" and result.n_grid == 200 and 0 < result.a < 1


def test_approach1_bootstrap_refusal_says_what_to_use_instead():
    with pytest.raises(ValueError) as refused:
        fit_runs(law_runs(), approach=1, bootstrap=20)
    assert str(refused.value) == ("bootstrap does not apply to approach 1 (the lower envelope has no resampling); "
                                  "use approach 2 or 3 for intervals")


def test_the_default_seed_is_zero():
    frame = law_runs(noise=0.01)
    assert fit_runs(frame, approach=3, bootstrap=20).seed == 0
    assert fit_runs(isoflop_runs(), approach=2, bootstrap=20).seed == 0


def test_approach2_budgets_from_tokens_are_six_n_d():
    # C = 6 N D by hand for every run; the budgets Approach 2 groups are those values
    frame = isoflop_runs()
    tokens = frame.assign(n_tokens=frame["flops"] / (6 * frame["n_params"])).drop(columns="flops")
    fit = fit_runs(tokens, approach=2, rel_tol=0.01)
    np.testing.assert_allclose(np.sort(fit.budgets["budget"]), [1e18, 1e20, 1e22], rtol=1e-9)


def test_columns_of_python_objects_fit_like_floats():
    from decimal import Decimal

    frame = isoflop_runs()
    as_objects = frame.assign(**{k: [Decimal(repr(x)) for x in frame[k]] for k in ("n_params", "flops")})
    assert fit_runs(as_objects, approach=2).a == pytest.approx(fit_runs(frame, approach=2).a, rel=1e-12)
    tokens = frame.assign(n_tokens=frame["flops"] / (6 * frame["n_params"])).drop(columns="flops")
    tokens_obj = tokens.assign(**{k: [Decimal(repr(x)) for x in tokens[k]] for k in ("n_params", "n_tokens")})
    assert (fit_runs(tokens_obj, approach=2, rel_tol=0.01).a
            == pytest.approx(fit_runs(tokens, approach=2, rel_tol=0.01).a, rel=1e-12))
