"""The study of the three approaches on public runs: its run sets and summaries (fits are tested in test_run_grid)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.studies import public_runs


def test_run_sets_are_grids_of_the_loss_their_docstring_names():
    gadre = public_runs.run_set("gadre_c4")
    gadre_ne = public_runs.run_set("gadre_c4", "non-embedding")
    assert len(gadre) == len(gadre_ne) and (gadre_ne["n_params"] < gadre["n_params"]).all()
    assert np.array_equal(gadre["n_tokens"], gadre_ne["n_tokens"])  # the tokens are each run's own
    muen = public_runs.run_set("muennighoff")
    assert (muen["n_tokens"] > 0).all() and len(muen) < 100  # single-epoch runs only
    fig4 = public_runs.run_set("figure4")
    assert len(fig4) == 240  # the 245 points less the 5 of highest loss (Besiroglu et al.)
    assert set(public_runs.loss_table()["data set"]) == {v[0] for v in public_runs.RUN_SETS.values()}


def test_the_olmo_and_gemstones_sets_are_their_finished_runs_in_both_counts():
    from chinchilla_lib.datasets import load_gemstones_runs, load_olmo_ladder_runs

    for key, runs in (("olmo_ladder", load_olmo_ladder_runs()), ("gemstones", load_gemstones_runs())):
        total, non_embedding = public_runs.run_set(key), public_runs.run_set(key, "non-embedding")
        assert len(total) == len(runs) == len(non_embedding)  # 30 ladder runs; 199 cooled Gemstones runs
        np.testing.assert_array_equal(total["n_params"], runs["n_params"])
        np.testing.assert_array_equal(non_embedding["n_params"], runs["n_params_non_embedding"])
        np.testing.assert_array_equal(total["loss"], runs["loss"])
        assert (non_embedding["n_params"] < total["n_params"]).all()
    keys = list(public_runs.RUN_SETS)
    assert keys.index("porian") + 1 == keys.index("olmo_ladder") and keys.index("figure4") == len(keys) - 1


def test_approach3_on_the_cooled_gemstones_reproduces_the_authors_fit():
    """A second implementation: McLeish et al. fitted the same law to the same 199 runs (Huber delta 1e-3)."""
    from chinchilla_lib.approaches.parametric import fit_approach3
    from chinchilla_lib.datasets import load_gemstones_approach3

    runs = public_runs.run_set("gemstones")
    ours = fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"])
    theirs = load_gemstones_approach3().set_index(["variant", "count"]).loc[("cool_end", "total")]
    for name in ("alpha", "beta", "E"):
        assert getattr(ours, name) == pytest.approx(theirs[name], rel=2e-3), name
    for name in ("A", "B"):
        assert getattr(ours, name) == pytest.approx(theirs[name], rel=2e-2), name


def test_run_set_refuses_what_the_files_cannot_give():
    with pytest.raises(ValueError, match="unknown run set"):
        public_runs.run_set("kaplan")
    with pytest.raises(ValueError, match="only count='total'"):
        public_runs.run_set("sardana", "non-embedding")
    with pytest.raises(ValueError, match="count must be"):
        public_runs.run_set("gadre_c4", "embedding")


def _table():
    return pd.DataFrame([
        {"key": "gadre_c4", "data set": "Gadre C4", "approach": 3, "parameters": "total", "a": 0.51, "low": 0.40,
         "high": 0.57, "tokens per parameter": 7.5, "tpp low": 5.0, "tpp high": 12.0, "runs": 34, "resamples": 200, "unfitted": 0,
         "status": "decided", "reason": ""},
        {"key": "gadre_c4", "data set": "Gadre C4", "approach": 1, "parameters": "total", "a": np.nan,
         "low": np.nan, "high": np.nan, "tokens per parameter": np.nan, "tpp low": np.nan, "tpp high": np.nan,
         "runs": 34, "resamples": 50,
         "unfitted": np.nan, "status": "refused",
         "reason": "approach 1: only 7 of 50 bootstrap resamples could be fitted; the runs do not decide"},
        {"key": "sardana", "data set": "Sardana", "approach": 3, "parameters": "total", "a": np.nan, "low": np.nan,
         "high": np.nan, "tokens per parameter": np.nan, "tpp low": np.nan, "tpp high": np.nan, "runs": 47, "resamples": 200, "unfitted": np.nan,
         "status": "refused", "reason": "Approach 3 is ill-conditioned: E = 1.46 with a 10-90% bootstrap range "
                                        "0.351-1.92 (107% of E, above 50%); add runs"},
        {"key": "porian", "data set": "Porian tuned", "approach": 2, "parameters": "total", "a": 0.45,
         "low": 0.44, "high": 0.46, "tokens per parameter": 19.0, "tpp low": 15.0, "tpp high": 24.0, "runs": 121, "resamples": 50, "unfitted": 3,
         "status": "decided", "reason": ""},
    ])


def test_summary_numbers_of_a_table():
    out = public_runs.public_runs_numbers(_table())
    assert (out["n_rows"], out["n_decided"], out["n_refused"]) == (4, 2, 2)
    assert out["paper_a1"] == 0.5  # Table 2: Approach 1, a = 0.50
    assert out["n_cover_half"] == 1  # 0.40-0.57 holds 0.5, 0.44-0.46 does not
    assert out["gadre_c4_t_a3_lo"] == 0.40 and out["porian_t_a2_unfitted"] == 3
    assert out["tpp_min"] == 7.5 and out["tpp_max"] == 19.0
    assert (out["tpp_min_set"], out["tpp_min_lo"], out["tpp_min_hi"]) == ("Gadre C4", 5.0, 12.0)
    assert (out["tpp_max_set"], out["tpp_max_lo"], out["tpp_max_hi"]) == ("Porian tuned", 15.0, 24.0)
    assert out["tpp_spread_beyond_noise"]  # 15 (the highest's low end) lies above 12 (the lowest's high end)
    assert out["deepseek_spread"] == pytest.approx(0.578 - 0.450)  # DeepSeek LLM Sec. 3.2


def test_refusal_numbers_are_read_from_the_reasons():
    out = public_runs.refusal_numbers(_table())
    assert (out["gadre_c4_t_a1_fitted"], out["gadre_c4_t_a1_drawn"]) == (7, 50)
    assert out["sardana_t_a3_E_spread"] == 107 and out["sardana_t_a3_E_lo"] == 0.351


def test_exponent_grid_sets_the_runs_beside_table2_and_later_studies():
    grid = public_runs.exponent_grid(_table()).set_index("data set")
    assert grid.loc["Gadre C4", "Approach 3"] == "0.510 (0.400-0.570)"
    assert grid.loc["Gadre C4", "Approach 1"] == "refused"
    # Table 2 of Hoffmann et al.: 0.50 (0.488-0.502), 0.49 (0.462-0.534), 0.46 (0.454-0.455)
    assert grid.loc["Hoffmann et al. (Table 2)", "Approach 1"] == "0.500 (0.488-0.502)"
    assert grid.loc["Hoffmann et al. (Table 2)", "Approach 2"] == "0.490 (0.462-0.534)"
    assert grid.loc["DeepSeek LLM (OpenWebText2)", "Approach 2"] == "0.578"


def test_scorecard_rows_are_new_results_and_include_approach1_on_real_runs():
    from chinchilla_lib.checks import scorecard

    card = scorecard("other_runs.")
    assert len(card) > 0 and card["note"].str.startswith("new result; no printed value").all()
    assert not card["status"].str.startswith("self-check").any()
    approach1 = card[card["id"].str.endswith(".approach1.a")]
    assert {"other_runs.porian.total.approach1.a", "other_runs.figure4.total.approach1.a"} <= set(approach1["id"])
    assert (card.loc[card["status"] == "differs", "explained_in"] == "other_runs").all()


def test_the_exponent_figure_draws_decided_rows_with_intervals_and_refused_rows_as_crosses():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chinchilla_lib.plotting.public_runs import plot_exponents

    fig, ax = plt.subplots()
    plot_exponents(ax, _table(), reference=0.5, band=(0.45, 0.578))
    labels = ax.get_legend_handles_labels()[1]
    assert "refused (cannot decide)" in labels and "Approach 3, total" in labels
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Porian tuned", "Sardana", "Gadre C4"]
    plt.close(fig)


def test_sardana_near_optimal_runs_leave_approach3_ill_conditioned():
    out = public_runs.sardana_near_numbers()
    assert out["near_refused"] == 1 and out["near_runs"] < 47  # a subset of the 47 runs
    assert out["near_E"] < out.get("near_E_hi", np.inf)


def test_scorecard_rows_name_the_set_and_compare_with_table2(monkeypatch):
    from chinchilla_lib.checks import other_runs

    monkeypatch.setattr(other_runs, "approaches_table", _table)
    rows = {c.id: c for c in other_runs.checks()}
    assert set(rows) == {"other_runs.gadre_c4.total.approach3.a", "other_runs.porian.total.approach2.a"}
    gadre = rows["other_runs.gadre_c4.total.approach3.a"]
    assert gadre.quantity.startswith("Gadre C4: Approach 3 a")
    assert gadre.reference == 0.46 and gadre.tolerance == 0.005  # Table 2: Approach 3, a = 0.46
    assert not gadre.self_check and gadre.note.startswith("new result; no printed value")


def test_figure4_exponents_that_table2_printed_are_left_to_their_own_rows(monkeypatch):
    """Approaches 2 and 3 on the Figure 4 points are compared with Table 2 once, in their chapters' rows."""
    from chinchilla_lib.checks import other_runs

    decided = {"low": 0.48, "high": 0.52, "tokens per parameter": 20.0, "runs": 240, "resamples": 50, "unfitted": 0,
               "status": "decided", "reason": ""}
    figure4 = [{"key": "figure4", "data set": "Figure 4 points", "approach": k, "parameters": count, "a": 0.5,
                **decided} for k in (1, 2, 3) for count in ("total", "non-embedding")]
    monkeypatch.setattr(other_runs, "approaches_table", lambda: pd.concat([_table(), pd.DataFrame(figure4)]))
    rows = {c.id: c for c in other_runs.checks()}
    assert "other_runs.figure4.total.approach1.a" in rows
    assert {f"other_runs.figure4.nonembedding.approach{k}.a" for k in (1, 2, 3)} <= set(rows)
    assert not {"other_runs.figure4.total.approach2.a", "other_runs.figure4.total.approach3.a"} & set(rows)
    assert set(other_runs.COMPARED_ELSEWHERE.values()) == {"approach2.fig4.a", "approach3.table2.a"}
    # every row names the estimator it uses; Porian's Approach 2 row points at the row of their own estimator
    assert rows["other_runs.figure4.total.approach1.a"].quantity.endswith("envelope of final losses")
    assert "approach2.porian." in rows["other_runs.porian.total.approach2.a"].note


def test_the_isoflop_sets_are_their_named_runs():
    from chinchilla_lib.datasets.named import named_runs

    for key, name in (("llama_3", "llama-3"), ("cs336", "cs336"), ("marin_dclm", "open-athena:marin-dclm")):
        runs, named = public_runs.run_set(key), named_runs(name)
        np.testing.assert_array_equal(runs["loss"], named["loss"])
        np.testing.assert_array_equal(runs["n_params"] * runs["n_tokens"], named["n_params"] * named["n_tokens"])
