"""The approaches' allocations compared (chinchilla_lib.studies.allocations): Table 2, Tables 3/A3, N_opt at a budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib import datasets as ds
from chinchilla_lib.kaplan import compute_efficient_allocation
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.powerlaw import Allocation
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
