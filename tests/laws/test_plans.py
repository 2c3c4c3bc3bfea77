"""One result type for "the model to train at budget C": every plan the library makes is a Plan, keyed alike."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.allocations import get_allocation
from chinchilla_lib.approaches.runs import fit_runs
from chinchilla_lib.laws import get_law, plan
from chinchilla_lib.laws.inference import inference_optimum
from chinchilla_lib.laws.plans import KEYS, Plan
from chinchilla_lib.laws.powerlaw import Allocation


def _grid(law_name="paper"):
    law = get_law(law_name)
    n, d = np.meshgrid([1e8, 3e8, 1e9, 3e9, 1e10], [1e9, 3e9, 1e10, 3e10, 1e11])
    runs = pd.DataFrame({"n_params": n.ravel(), "n_tokens": d.ravel()})
    return runs.assign(loss=law.loss(runs["n_params"], runs["n_tokens"]))


def test_a_plan_reads_like_the_dict_it_replaces():
    p = Plan(flops=6e20, n_params=1e9, n_tokens=1e11, loss=2.5, law="x", a=0.5, b=0.5, warnings=[])
    assert p["tokens_per_param"] == 100.0 and p.tokens_per_param == 100.0  # 1e11 / 1e9 by hand
    assert list(p) == ["law", "flops", "n_params", "n_tokens", "tokens_per_param", "loss", "a", "b", "warnings"]
    assert dict(p) == p.to_dict() and p == p.to_dict() and "level" not in p
    with pytest.raises(KeyError):
        p["level"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.n_params = 2e9  # type: ignore[misc]
    with pytest.raises(TypeError):
        p["n_params"] = 2e9  # type: ignore[index]
    copy = p.to_dict()
    copy["warnings"].append("changed")
    assert p["warnings"] == []  # to_dict hands out a copy


def test_keys_keep_one_order_whoever_fills_them():
    p = Plan(flops=1.0, n_params=1.0, n_tokens=2.0, intervals={}, level=0.8, warnings=["w"], b=0.5, a=0.5,
             loss=None, source="s", approach="2", law="l")
    assert tuple(p) == KEYS


def test_every_plan_the_library_makes_is_a_plan():
    runs = _grid()
    made = {
        "law": plan(5.76e23, "paper"),
        "approach 3": fit_runs(runs, approach=3).plan(5.76e23),
        "power law (Approaches 1 and 2)": Allocation(0.5, 0.5, 0.1, 1.0).plan(1e21),
        "allocation": get_allocation("approach1-table3").at(1e22),
        "inference-aware": inference_optimum("paper", 2e12, flops=1e23).optimum,
        "its compute-optimal twin": inference_optimum("paper", 2e12, flops=1e23).compute_optimal,
    }
    for name, p in made.items():
        assert isinstance(p, Plan), name
        json.dumps(p.to_dict())  # plain JSON


def test_the_laws_plan_keys_and_values_by_hand():
    p = plan(5.76e23, "paper")
    assert list(p) == ["law", "flops", "n_params", "n_tokens", "tokens_per_param", "loss", "a", "b", "warnings"]
    assert p["n_params"] == pytest.approx(3.22e10, rel=2e-3)  # G (C/6)^a by hand, see laws.parametric.plan


def test_an_allocation_without_a_law_has_no_loss_and_a_power_law_fit_says_none():
    at = get_allocation("approach1-table3").at(1e22)
    assert list(at) == ["law", "approach", "source", "flops", "n_params", "n_tokens", "tokens_per_param"]
    assert get_allocation("paper").at(1e22)["loss"] == pytest.approx(get_law("paper").optimal_loss(1e22))
    assert Allocation(0.5, 0.5, 0.1, 1.0).plan(1e21)["loss"] is None


def test_the_inference_aware_plan_spends_its_training_flops():
    best = inference_optimum("paper", 2e12, flops=1e23).optimum
    assert best["flops"] == best.training_flops == pytest.approx(6 * best.n_params * best.n_tokens)  # 6ND by hand
    assert list(best.as_dict()) == ["n_params", "n_tokens", "loss", "training_flops", "inference_flops", "total_flops"]
