"""The approaches' allocations compared (chinchilla_lib.studies.allocations): Table 2, Tables 3/A3, N_opt at a budget."""

from __future__ import annotations

import numpy as np
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.laws.kaplan import compute_efficient_allocation
from chinchilla_lib.laws.powerlaw import Allocation
from chinchilla_lib.studies import allocations as al

#: Table 2 as printed (Hoffmann et al. 2022): a and its 10th/90th percentiles.
PAPER_TABLE2 = {"approach1": (0.50, 0.488, 0.502), "approach2": (0.49, 0.462, 0.534),
                "approach3": (0.46, 0.454, 0.455), "kaplan": (0.73, None, None)}


def test_exponent_comparison_rows_and_text():
    t = al.exponent_comparison({"approach2": (0.5123, 0.4801, 0.5432)})
    assert list(t["approach"]) == list(PAPER_TABLE2)
    assert list(t["paper a"]) == pytest.approx([v[0] for v in PAPER_TABLE2.values()])
    assert list(t["paper 10-90%"]) == ["0.488-0.502", "0.462-0.534", "0.454-0.455", ""]
    assert t["our a"].iloc[1] == 0.5123 and t["our a"].drop(1).isna().all()
    assert list(t["our 10-90%"]) == ["not refit", "0.480-0.543", "not refit", "not refit"]
    with pytest.raises(ValueError, match="no Table 2 row"):
        al.exponent_comparison({"approach9": (0.5, 0.4, 0.6)})


def test_printed_exponent_spread():
    assert al.printed_exponent_spread() == pytest.approx(0.50 - 0.46)
    assert al.printed_exponent_spread(("approach2", "kaplan")) == pytest.approx(0.73 - 0.49)
    with pytest.raises(ValueError):
        al.printed_exponent_spread(())


def _matching_allocation(approach: int, label: str) -> Allocation:
    """A power law through two printed rows of an approach: reproduces those rows' tokens exactly."""
    proj = ds.load_table("projections")
    rows = proj[(proj["approach"] == approach) & ~proj["flops_typo_suspected"]].iloc[[0, 3]]
    n, c = rows["n_params"].to_numpy(float), rows["flops"].to_numpy(float)
    a = np.log(n[1] / n[0]) / np.log(c[1] / c[0])
    return Allocation(a=a, b=1 - a, n_coef=n[0] / c[0] ** a, d_coef=1.0, label=label)


def test_projection_ratios_against_hand_computed_tokens():
    alloc = Allocation(a=0.5, b=0.5, n_coef=0.1, d_coef=1.0, label="toy")
    ratios = al.projection_ratios({2: [alloc]})
    proj = ds.load_table("projections")
    proj2 = proj[proj["approach"] == 2]
    assert len(ratios) == len(proj2) and set(ratios["label"]) == {"toy"}
    row = ratios.iloc[0]
    printed = proj2.set_index("n_params").loc[row["n_params"]]
    c = (row["n_params"] / 0.1) ** 2  # (N / n_coef)^(1/a)
    assert row["n_tokens"] == pytest.approx(c / (6 * row["n_params"]))
    assert row["tokens ours / paper"] == pytest.approx(c / (6 * row["n_params"]) / printed["n_tokens"])


def test_projection_ratio_table_and_range():
    exact = _matching_allocation(1, "through two rows")
    ratios = al.projection_ratios({1: [exact], 2: [Allocation(0.5, 0.5, 0.1, 1.0, "toy")]})
    wide = al.projection_ratio_table(ratios)
    assert list(wide.columns) == ["n_params", "through two rows", "toy"]
    assert wide["n_params"].is_monotonic_increasing
    proj = ds.load_table("projections")
    rows = proj[(proj["approach"] == 1) & ~proj["flops_typo_suspected"]]
    two = rows.iloc[[0, 3]]
    on_line = wide.set_index("n_params").loc[two["n_params"], "through two rows"]
    # the line passes through those rows' printed budgets, so our tokens there are C / (6N)
    expected = two["flops"] / (6 * two["n_params"]) / two["n_tokens"]
    assert list(on_line) == pytest.approx(list(expected), rel=1e-9)
    span = al.projection_ratio_range(ratios)
    assert list(span.columns) == ["min", "max"]
    by_label = ratios.groupby("label")["tokens ours / paper"]
    assert span.loc["toy", "max"] == by_label.max()["toy"] and span.loc["toy", "min"] == by_label.min()["toy"]


def test_compute_optimal_sizes_by_each_rule():
    class Approach2:
        def n_opt(self, c):
            return 0.2 * np.asarray(c) ** 0.5

    law = ParametricLaw(E=1.7, A=400.0, B=1600.0, alpha=0.3, beta=0.3)
    g = (400.0 / 1600.0) ** (1 / 0.6)  # G of Eq. (4) for alpha = beta
    sizes = al.compute_optimal_sizes(6e22, approach2=Approach2(), approach3_law=law)
    assert sizes["approach2"] == pytest.approx(0.2 * 6e22**0.5)
    assert sizes["approach3"] == pytest.approx(g * 1e22**0.5)  # N_opt = G (C/6)^a
    assert sizes["paper_full"] == pytest.approx(get_law("paper-full").optimal_allocation(6e22)[0])
    assert sizes["kaplan"] == pytest.approx(compute_efficient_allocation(3e22)[0])
    arr = al.compute_optimal_sizes(np.array([1e20, 1e22]), approach2=Approach2(), approach3_law=law)
    assert arr["kaplan"].shape == (2,) and arr["kaplan"][1] > arr["kaplan"][0]
    assert isinstance(sizes["kaplan"], float | np.floating)


def test_headline_rows_and_printed_values():
    long = al.headline([5.76e23, 1e24])
    assert len(long) == 3 * 2 * 2
    paper = long[long["source"] == "paper"].drop_duplicates("approach").set_index("approach")["a"]
    assert list(paper) == pytest.approx([PAPER_TABLE2[f"approach{k}"][0] for k in (1, 2, 3)])
    # Approach 1 is not refit: no exponent, no allocation
    assert long[(long["source"] == "ours") & (long["approach"] == 1)][["a", "n_params", "n_tokens"]].isna().all().all()
    # every allocation spends its budget: C = 6 N D
    done = long.dropna()
    assert np.allclose(6 * done["n_params"] * done["n_tokens"], done["flops"], rtol=1e-9)
    # Table 3's Approach 1 row at Gopher's budget prints 67B; the line through its rows passes within 2%
    at_gopher = long[(long["approach"] == 1) & (long["source"] == "paper") & (long["flops"] == 5.76e23)]
    assert at_gopher["n_params"].iloc[0] == pytest.approx(67e9, rel=0.02)
    # Table A3 prints Approach 3's 67B at 1.71e24 FLOPs, so at 1e24 its model must be smaller than 67B
    a3 = long[(long["approach"] == 3) & (long["source"] == "paper") & (long["flops"] == 1e24)]
    assert 40e9 < a3["n_params"].iloc[0] < 67e9


def test_headline_table_and_summary():
    wide = al.headline_table([5.76e23, 1e24])
    assert list(wide.columns) == ["Approach", "Estimate", "Exponent a", "Parameters at 5.76e23 FLOPs (B)",
                                  "Tokens at 5.76e23 FLOPs (T)", "Parameters at 1e24 FLOPs (B)",
                                  "Tokens at 1e24 FLOPs (T)"]
    assert len(wide) == 6 and wide.iloc[1].isna().sum() == 5  # Approach 1, ours: not refit
    assert list(wide["Estimate"][::2]) == ["paper (Tables 2 and 3)", "paper (Tables 2 and A3)",
                                           "paper (Tables 2 and A3)"]
    summary = al.headline_summary([5.76e23, 1e24])
    assert summary["paper2_a"] == pytest.approx(0.49) and summary["flops_1"] == 1e24
    assert summary["budget_0"] == "5.76e23" and summary["budget_1"] == "1e24"
    assert "ours1_a" not in summary
    assert summary["ratio3_n_1"] == pytest.approx(summary["ours3_n_1"] / summary["paper3_n_1"])
    assert summary["paper1_n_0"] == pytest.approx(wide.iloc[0]["Parameters at 5.76e23 FLOPs (B)"])
    with pytest.raises(ValueError, match="budgets"):
        al.headline([-1.0])


def test_flops_text():
    assert al.flops_text(5.76e23) == "5.76e23" and al.flops_text(1e24) == "1e24"
    assert al.flops_text(1.2e20) == "1.2e20" and al.flops_text(3.456e-3) == "3.46e-3"
