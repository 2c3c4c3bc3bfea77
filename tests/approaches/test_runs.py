"""chinchilla_lib.approaches.runs: a user's own runs to a plan (fit_runs and its results), and what fit_runs
refuses and passes on."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import chinchilla_lib as cl
from chinchilla_lib.approaches import runs as runs_mod
from chinchilla_lib.approaches.parametric import bootstrap_approach3, fit_approach3
from chinchilla_lib.approaches.runs import APPROACHES, fit_runs, missing_columns, runs_columns
from chinchilla_lib.approaches.simulate import simulate_isoflop
from chinchilla_lib.cli import main
from chinchilla_lib.laws import ParametricLaw

# ======== A user's own runs to a plan: fit_runs, plan / predict / summary / interval, plot_fit, fit --flops.
# Expected values come from the paper or from hand calculations written out here,
# never from the code under test.

#: A law whose plan is easy by hand: alpha A = beta B, so G = 1, a = 1/3, b = 2/3, and at
#: C = 6e18 (C/6 = 1e18) N_opt = 1e6, D_opt = 1e12, loss = 1 + 100/1e3 + 200/1e3 = 1.3.
HAND = "E=1,A=100,B=200,alpha=0.5,beta=0.25"
HAND_LAW = ParametricLaw(E=1.0, A=100.0, B=200.0, alpha=0.5, beta=0.25)

#: Gopher's budget, Hoffmann et al. Table 3 / Figure 2 caption (the bootstrap's default budget).
GOPHER_FLOPS = 5.76e23


@pytest.fixture(scope="module")
def runs():
    return cl.load_hoffmann_fig4(exclude_highest_loss=cl.REPLICATION_EXCLUDED)


@pytest.fixture(scope="module")
def fit3(runs):
    return cl.fit_runs(runs, approach=3)


@pytest.fixture(scope="module")
def boot3(runs, fit3):
    return bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=40, seed=1, fit=fit3)


def _grid_runs(law=HAND_LAW, budgets=(1e18, 1e19, 1e20, 1e21), per=7):
    """Noise-free runs of ``law``: ``per`` sizes either side of N_opt at each budget."""
    rows = []
    for c in budgets:
        n_opt, _ = law.optimal_allocation(c)
        for n in n_opt * np.geomspace(0.1, 10, per):
            d = c / (6 * n)
            rows.append((n, d, c, float(law.loss(n, d))))
    return pd.DataFrame(rows, columns=["n_params", "n_tokens", "flops", "loss"])


# ------------------------------------------------------------ plan by hand
def test_plan_loss_is_the_given_laws_loss_at_the_planned_model():
    """Catches a plan whose loss comes from another law than the one given."""
    out = cl.plan(6e18, HAND)
    assert out["n_params"] == pytest.approx(1e6, rel=1e-12)
    assert out["n_tokens"] == pytest.approx(1e12, rel=1e-12)
    assert out["tokens_per_param"] == pytest.approx(1e6, rel=1e-12)
    assert out["loss"] == pytest.approx(1.3, rel=1e-12)


def test_plan_command_loss_uses_the_law_given(capsys):
    assert main(["plan", "--flops", "6e18", "--law", HAND, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["loss"] == pytest.approx(1.3, rel=1e-12) and out["n_params"] == pytest.approx(1e6, rel=1e-12)


def test_plan_of_the_printed_law_at_gophers_budget():
    # Eq. (10) as printed: a = 0.28/0.62, G = (0.34*406.4/(0.28*410.7))^(1/0.62), N = G (C/6)^a.
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    n = g * (GOPHER_FLOPS / 6) ** (0.28 / 0.62)
    d = GOPHER_FLOPS / (6 * n)
    out = cl.plan(GOPHER_FLOPS, "paper")
    assert out["n_params"] == pytest.approx(n, rel=1e-12)
    assert out["loss"] == pytest.approx(1.69 + 406.4 / n**0.34 + 410.7 / d**0.28, rel=1e-12)


def test_absurd_budget_refused_small_budget_warned():
    with pytest.raises(ValueError, match="buys no model"):
        cl.plan(1)
    with pytest.warns(cl.UnitWarning, match="PF-day"):
        out = cl.plan(1e9)
    assert out["warnings"]


# ------------------------------------------------------------ fit_runs
def test_fit_runs_approach3_recovers_a_known_law_and_plans_by_hand():
    fit = cl.fit_runs(_grid_runs(), approach=3)
    assert fit.converged
    for key, value in (("E", 1.0), ("A", 100.0), ("B", 200.0), ("alpha", 0.5), ("beta", 0.25)):
        assert getattr(fit, key) == pytest.approx(value, rel=1e-3), key
    planned = fit.plan(6e18)
    assert planned["n_params"] == pytest.approx(1e6, rel=1e-2) and planned["loss"] == pytest.approx(1.3, rel=1e-4)
    assert fit.predict(1e6, 1e12) == pytest.approx(1.3, rel=1e-4)
    summary = fit.summary()
    assert list(summary.index) == ["E", "A", "B", "alpha", "beta", "a", "b"]
    assert summary.loc["a", "estimate"] == pytest.approx(1 / 3, rel=1e-3)
    with pytest.raises(ValueError, match="no bootstrap"):
        fit.interval("alpha")


def test_fit_runs_approach2_exponent_from_exact_parabolas():
    # Profiles that are exact parabolas in ln N about N_opt = 0.1 C^0.5: the fit must return a = 0.5.
    rows = []
    for c, floor in zip((1e18, 1e19, 1e20, 1e21), (3.0, 2.8, 2.6, 2.4)):
        centre = math.log(0.1 * c**0.5)
        for u in np.linspace(-1.5, 1.5, 7):
            rows.append((math.exp(centre + u), c, floor + 0.05 * u**2))
    frame = pd.DataFrame(rows, columns=["n_params", "flops", "loss"])
    result = cl.fit_runs(frame, approach=2, bootstrap=50)
    assert result.a == pytest.approx(0.5, abs=1e-9) and result.n_coef == pytest.approx(0.1, rel=1e-8)
    planned = result.plan(1e20)
    assert planned["n_params"] == pytest.approx(1e9, rel=1e-8)  # 0.1 * (1e20)^0.5
    assert planned["n_tokens"] == pytest.approx(1e20 / 6e9, rel=1e-8)
    assert planned["loss"] is None
    lo, hi = planned["intervals"]["n_params"]
    assert lo == pytest.approx(1e9, rel=1e-6) and hi == pytest.approx(1e9, rel=1e-6)  # exact data, no spread
    with pytest.raises(ValueError, match="no loss law"):
        result.predict(1e9, 1e10)


def test_approach2_does_not_need_n_tokens_and_accepts_them_instead_of_flops():
    frame = _grid_runs()
    only_flops = cl.fit_runs(frame[["n_params", "flops", "loss"]], approach=2, bootstrap=0)
    from_tokens = cl.fit_runs(frame[["n_params", "n_tokens", "loss"]], approach=2, bootstrap=0, rel_tol=1e-9)
    assert only_flops.a == pytest.approx(from_tokens.a, abs=1e-9)


def test_fit_runs_refuses_bad_frames():
    with pytest.raises(ValueError, match="approach must be 1, 2 or 3"):
        cl.fit_runs(_grid_runs(), approach=4)
    with pytest.raises(ValueError, match="n_tokens"):
        cl.fit_runs(_grid_runs()[["n_params", "loss"]], approach=3)
    with pytest.raises(ValueError, match="DataFrame"):
        cl.fit_runs([1, 2, 3], approach=3)
    with pytest.raises(ValueError, match="bootstrap does not apply to approach 1"):
        cl.fit_runs(_grid_runs(), approach=1, bootstrap=10)


def test_plan_far_beyond_the_runs_warns(fit3):
    with pytest.warns(cl.ExtrapolationWarning, match="decades above"):
        out = fit3.plan(1e30)
    assert out["warnings"]
    with pytest.warns(cl.ExtrapolationWarning, match="decades below"):
        fit3.plan(1e14)


# ------------------------------------------------------------ intervals
def test_one_interval_api_across_results(boot3):
    lo, hi = boot3.interval("alpha", 0.8)
    alpha = boot3.samples["alpha"].to_numpy()
    assert (lo, hi) == pytest.approx(tuple(np.percentile(alpha, [10, 90])))
    lo50, hi50 = boot3.interval("alpha", 0.5)
    assert lo < lo50 < hi50 < hi
    with pytest.raises(ValueError, match="level"):
        boot3.interval("alpha", 1.5)
    table = boot3.summary()
    assert list(table.columns) == ["estimate", "low", "high"]
    assert table.loc["alpha", "low"] == pytest.approx(lo)


def test_bootstrap_plan_has_intervals_at_the_budget_asked(boot3):
    planned = boot3.plan(1e22)
    x = boot3.samples[["log_A", "log_B", "log_E", "alpha", "beta"]].to_numpy()
    # N_opt by Eq. (4) for every resample, written out
    alpha, beta = x[:, 3], x[:, 4]
    g = np.exp((np.log(alpha) + x[:, 0] - np.log(beta) - x[:, 1]) / (alpha + beta))
    n = g * (1e22 / 6) ** (beta / (alpha + beta))
    assert planned["intervals"]["n_params"] == pytest.approx(list(np.percentile(n, [10, 90])))
    assert planned["flops"] == 1e22


def test_isoflop_interval_level_is_used():
    """Catches an IsoFLOP fit that ignores ``level``."""
    law = ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=0.35, beta=0.3)
    runs = simulate_isoflop(law, np.geomspace(6e18, 3e21, 6), noise=0.01, seed=2)
    wide = cl.fit_isoflop_frame(runs, n_bootstrap=200, level=0.9, seed=4)
    narrow = cl.fit_isoflop_frame(runs, n_bootstrap=200, level=0.5, seed=4)
    np.testing.assert_array_equal(wide.a_samples, narrow.a_samples)
    good = wide.a_samples[np.isfinite(wide.a_samples)]
    assert wide.a_interval == pytest.approx(tuple(np.percentile(good, [5, 95])))
    assert narrow.a_interval == pytest.approx(tuple(np.percentile(good, [25, 75])))
    assert narrow.interval("a", 0.9) == pytest.approx(wide.a_interval)


def test_bootstrap_default_budget_is_gophers(runs, boot3, fit3):
    """Catches a default bootstrap budget other than Gopher's 5.76e23 FLOPs (Table 3)."""
    assert boot3.flops == GOPHER_FLOPS
    n, d = fit3.law.optimal_allocation(GOPHER_FLOPS)
    assert boot3.intervals.loc["n_opt", "estimate"] == pytest.approx(n, rel=1e-12)
    assert boot3.intervals.loc["tokens_per_param", "estimate"] == pytest.approx(d / n, rel=1e-12)


def test_bootstrap_refuses_a_fit_of_other_runs(runs, fit3):
    other = runs["loss"].to_numpy() * (1 + 1e-3 * np.cos(np.arange(len(runs))))
    with pytest.raises(ValueError, match="other runs"):
        bootstrap_approach3(runs["n_params"], runs["n_tokens"], other, n_resamples=20, fit=fit3)


def test_bootstrap_in_chunks_equals_one_batch(runs, fit3, monkeypatch):
    from chinchilla_lib.approaches.parametric import bootstrap as pb

    whole = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=30, seed=5, fit=fit3)
    monkeypatch.setattr(pb, "CHUNK", 7)
    chunked = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=30, seed=5, fit=fit3)
    np.testing.assert_allclose(chunked.samples["alpha"], whole.samples["alpha"], rtol=1e-9)


def test_n_descents_is_honoured(monkeypatch):
    """Catches a fit that caps the screened descents (``n_descents``) below what was asked."""
    from chinchilla_lib.approaches.parametric import fit as pfit

    sizes = []
    real = pfit.batched_bfgs

    def spy(batch, x0, **kw):
        sizes.append(len(x0))
        return real(batch, x0, **kw)

    monkeypatch.setattr(pfit, "batched_bfgs", spy)
    frame = _grid_runs()
    fit_approach3(frame["n_params"], frame["n_tokens"], frame["loss"], n_descents=100)
    fit_approach3(frame["n_params"], frame["n_tokens"], frame["loss"])
    fit_approach3(frame["n_params"], frame["n_tokens"], frame["loss"], n_descents=4500)
    assert sizes == [100, 512, 4500]


# ------------------------------------------------------------ the command line
def _cli_json(args, capsys):
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_intervals_are_the_10th_and_90th_percentiles(runs, boot3, capsys):
    """Catches the CLI reporting p2.5/p97.5 as p10/p90 (or the other way round)."""
    out = _cli_json(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "40", "--seed", "1",
                     "--json"], capsys)
    alpha = boot3.samples["alpha"].to_numpy()
    got = out["intervals"]["alpha"]
    assert [got["p10"], got["p90"]] == pytest.approx(list(np.percentile(alpha, [10, 90])))
    assert [got["p2.5"], got["p97.5"]] == pytest.approx(list(np.percentile(alpha, [2.5, 97.5])))
    assert got["p2.5"] < got["p10"] < got["p90"] < got["p97.5"]
    assert out["interval_flops"] == GOPHER_FLOPS


def test_cli_seed_reaches_the_approach3_bootstrap(boot3, capsys):
    """Catches --seed being ignored for Approach 3."""
    base = ["fit", "--approach", "3", "--data", "hoffmann-fig4", "--bootstrap", "40", "--json"]
    one = _cli_json(base + ["--seed", "1"], capsys)
    two = _cli_json(base + ["--seed", "2"], capsys)
    assert one["intervals"]["alpha"]["p10"] == pytest.approx(float(np.percentile(boot3.samples["alpha"], 10)))
    assert one["intervals"] != two["intervals"]


def test_cli_same_seed_same_output_apart_from_timing(capsys):
    base = ["fit", "--approach", "2", "--data", "hoffmann-fig4", "--bootstrap", "30", "--seed", "7", "--json"]
    first, second = _cli_json(base, capsys), _cli_json(base, capsys)
    assert first == second  # approach 2 reports no timing; results alone


def test_cli_fit_plans_at_the_budget(fit3, capsys):
    out = _cli_json(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--flops", "1e24", "--json"], capsys)
    plan = out["plan"]
    assert plan["flops"] == 1e24
    n, d = fit3.law.optimal_allocation(1e24)
    assert plan["n_params"] == pytest.approx(n) and plan["n_tokens"] == pytest.approx(d)
    assert 6 * plan["n_params"] * plan["n_tokens"] == pytest.approx(1e24)
    assert plan["loss"] == pytest.approx(fit3.E + fit3.A / n**fit3.alpha + fit3.B / d**fit3.beta)
    assert "seconds" in out["timing"] and "seconds" not in out


def test_cli_bootstrap_intervals_at_the_budget_asked(capsys):
    out = _cli_json(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--flops", "1e22", "--bootstrap", "20",
                     "--json"], capsys)
    assert out["interval_flops"] == 1e22
    lo, hi = out["plan"]["intervals"]["n_params"]
    assert lo == pytest.approx(out["intervals"]["n_opt"]["p10"]) and hi == pytest.approx(out["intervals"]["n_opt"]["p90"])
    assert lo < out["plan"]["n_params"] < hi


def test_cli_fit_json_can_be_the_law_of_plan(tmp_path, capsys):
    out = _cli_json(["fit", "--approach", "3", "--data", "hoffmann-fig4", "--json"], capsys)
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(out))
    planned = _cli_json(["plan", "--flops", "1e24", "--law", str(path), "--json"], capsys)
    law = ParametricLaw(out["E"], out["A"], out["B"], out["alpha"], out["beta"])
    assert planned["n_params"] == pytest.approx(law.optimal_allocation(1e24)[0])


def test_cli_approach2_without_bootstrap_is_strict_json(capsys):
    assert main(["fit", "--approach", "2", "--data", "hoffmann-fig4", "--bootstrap", "0", "--json"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    out = json.loads(text)
    assert out["a_interval"] is None


def test_cli_approach1_from_csv(tmp_path, capsys):
    from chinchilla_lib.approaches.simulate import simulate_training_curves

    curves = simulate_training_curves(ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=0.33, beta=0.33),
                                      np.geomspace(1e8, 1e10, 8))
    path = tmp_path / "curves.csv"
    curves.to_csv(path, index=False)
    out = _cli_json(["fit", "--approach", "1", "--csv", str(path), "--flops", "1e21", "--json"], capsys)
    assert 0.3 < out["a"] < 0.7 and out["plan"]["flops"] == 1e21 and out["plan"]["loss"] is None


# ------------------------------------------------------------ figures
def _plot_runs(approach):
    """Runs to draw for an approach: training curves for Approach 1, the grid of final losses otherwise."""
    import matplotlib

    matplotlib.use("Agg")
    from chinchilla_lib.approaches.simulate import simulate_training_curves

    if approach == 1:
        return simulate_training_curves(ParametricLaw(E=1.7, A=400.0, B=300.0, alpha=0.33, beta=0.33),
                                        np.geomspace(1e8, 1e10, 6))
    return _grid_runs()


@pytest.mark.parametrize("approach", [1, 2, 3])
def test_plot_fit_draws_any_runs(approach):
    import matplotlib.pyplot as plt

    runs = _plot_runs(approach)
    result = cl.fit_runs(runs, approach=approach, **({"bootstrap": 20} if approach == 2 else {}))
    fig = cl.plot_fit(runs, result, flops=1e21)
    axes = fig.get_axes()
    assert len(axes) == {1: 2, 2: 3, 3: 1}[approach]
    drawn = sum(len(ax.collections) + len(ax.lines) for ax in axes)
    assert drawn >= 3
    plt.close(fig)


@pytest.mark.parametrize("approach", [1, 2])
def test_plot_fit_writes_the_runs_loss_unit(approach):
    import matplotlib.pyplot as plt

    runs = _plot_runs(approach)
    result = cl.fit_runs(runs, approach=approach)
    fig = cl.plot_fit(runs, result, loss_unit="nats per byte")
    labels = [ax.get_ylabel() for ax in fig.get_axes()]
    assert any("nats per byte" in label for label in labels)
    assert not any("nats per token" in label for label in labels)
    plt.close(fig)


def test_approach1_on_the_llama_curves_is_the_books_fit_and_the_gate_refuses_it():
    """fit_runs on the LLaMA-1 curves is the book's envelope fit; above LLaMA-7B's end one size holds it, so
    the gate refuses it (and the command line prints no number, see tests/approaches/test_quality.py)."""
    from chinchilla_lib.approaches.envelope import fit_envelope
    from chinchilla_lib.approaches.runs import fit_runs
    from chinchilla_lib.datasets import llama1_curves

    curves = llama1_curves().reset_index(drop=True)
    fit = fit_runs(curves, approach=1, curve_col="model")
    assert fit.a == pytest.approx(fit_envelope(curves, curve_col="model").a, abs=1e-12)
    assert fit.quality.verdict == "refused" and fit.quality.failed[0].name == "finished_holder_share"


# ------------------------------------------------------------------ the one runs table


def test_runs_table_checks_once_and_fills_in_6nd():
    from chinchilla_lib.approaches.runs import CHECKED, runs_table

    raw = pd.DataFrame({"n_params": ["1e8", "2e8"], "n_tokens": [1e9, 4e9], "loss": [3.0, 2.9]})
    table = runs_table(raw, 2)
    assert table["n_params"].tolist() == [1e8, 2e8]  # numbers given as text are read as numbers
    assert table["flops"].tolist() == [6 * 1e8 * 1e9, 6 * 2e8 * 4e9]  # C = 6ND by hand
    assert table.attrs[CHECKED] == 2 and runs_table(table, 2) is table  # a checked table is not checked again
    assert "flops" not in runs_table(raw, 3)  # Approach 3 needs no compute column
    assert raw["n_params"].tolist() == ["1e8", "2e8"]  # the caller's frame is left as it was


def test_runs_table_names_the_first_bad_value_by_its_row():
    from chinchilla_lib.approaches.runs import runs_table

    raw = pd.DataFrame({"n_params": [1e8, 2e8, 4e8], "n_tokens": [1e9, -4e9, 0.0], "loss": [3.0, 2.9, 2.8]})
    with pytest.raises(ValueError, match=r"^runs row 1: n_tokens is -4000000000.0; every n_tokens must be a positive"):
        runs_table(raw, 3)
    with pytest.raises(ValueError, match=r"^runs lacks column\(s\) loss; approach 3 needs"):
        runs_table(raw.drop(columns="loss"), 3)


def test_fit_runs_reports_a_bad_token_count_as_tokens_not_flops():
    # flops = 6ND is filled in only after n_tokens is checked, so the message names the column the user gave.
    raw = pd.DataFrame({"n_params": [1e8, 2e8, 4e8], "n_tokens": [1e9, -4e9, 2e9], "loss": [3.0, 2.9, 2.8]})
    with pytest.raises(ValueError, match="n_tokens is -4000000000.0"):
        cl.fit_runs(raw, approach=2)


# ======== fit_runs: one call from a DataFrame of runs to any approach's result; what it refuses and passes on.

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


def test_runs_table_gives_float_columns_for_integer_ones():
    from chinchilla_lib.approaches.runs import runs_table

    raw = pd.DataFrame({"n_params": [100, 200, 400], "n_tokens": [1000, 4000, 2000], "loss": [3, 2, 1]})
    table = runs_table(raw, 3)
    assert all(table[c].dtype == np.float64 for c in ("n_params", "n_tokens", "loss"))


def test_runs_table_refuses_a_table_without_runs():
    from chinchilla_lib.approaches.runs import runs_table

    empty = pd.DataFrame({"n_params": [], "n_tokens": [], "loss": []})
    with pytest.raises(ValueError, match=r"^runs has a header but no runs$"):
        runs_table(empty, 3)
    with pytest.raises(ValueError, match=r"^runs lacks column\(s\) loss"):  # missing columns are named first
        runs_table(empty.drop(columns="loss"), 3)
