"""Named laws from data/laws.csv: defaults, logarithmic constants, and the refusals of a bad table."""

import math

import pandas as pd
import pytest

import chinchilla_lib.datasets as datasets
from chinchilla_lib.laws import ParametricLaw, get_law, law_names


def test_the_default_law_is_eq10_as_printed():
    law = get_law()
    assert (law.name, law.E, law.A, law.B, law.alpha, law.beta) == ("paper", 1.69, 406.4, 410.7, 0.34, 0.28)


def test_a_law_from_a_vector_has_no_name_or_source_unless_given():
    law = ParametricLaw.from_vector([math.log(100.0), math.log(200.0), 0.0, 0.5, 0.25])
    assert law.name == "" and law.source == ""
    assert (law.E, law.A, law.B) == (pytest.approx(1.0), pytest.approx(100.0), pytest.approx(200.0))


def test_law_names_keep_the_order_of_the_file_once_each():
    assert law_names()[:3] == ["paper", "paper-full", "replication"]
    assert len(law_names()) == len(set(law_names()))


def _table(rows):
    return pd.DataFrame(rows, columns=["law", "parameter", "value", "source", "status"])


GOOD = [("t", "E", 1.0, "first source", "x"), ("t", "log_A", math.log(100.0), "second", "x"), ("t", "B", 200.0, "s", "x"),
        ("t", "alpha", 0.5, "s", "x"), ("t", "beta", 0.25, "s", "x")]


def test_logarithmic_constants_are_exponentiated_and_the_first_source_kept(monkeypatch):
    monkeypatch.setattr(datasets, "load_table", lambda name: _table(GOOD))
    law = get_law("t")
    assert law.A == pytest.approx(100.0) and law.source == "first source" and law.name == "t"


def test_a_constant_given_twice_is_refused(monkeypatch):
    monkeypatch.setattr(datasets, "load_table", lambda name: _table(GOOD + [("t", "A", 100.0, "s", "x")]))
    with pytest.raises(ValueError) as info:
        get_law("t")
    assert str(info.value) == "law 't' in data/laws.csv gives A twice (directly and as log_A); keep one"


def test_a_law_missing_constants_is_refused(monkeypatch):
    monkeypatch.setattr(datasets, "load_table", lambda name: _table(GOOD[:3]))
    with pytest.raises(ValueError) as info:
        get_law("t")
    assert str(info.value) == "law 't' in data/laws.csv lacks ['alpha', 'beta']"


def test_an_unknown_law_lists_the_known_ones_once_each(monkeypatch):
    monkeypatch.setattr(datasets, "load_table", lambda name: _table(GOOD + [("u", "E", 1.0, "s", "x")]))
    with pytest.raises(ValueError) as info:
        get_law("v")
    assert str(info.value) == "unknown law 'v'; choose one of: t, u"
