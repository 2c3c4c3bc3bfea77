"""The mixed corpus: pinned archives from three registries, their readers, the split by source, the card."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import struct
import tarfile
import zlib

import numpy as np
import pytest

from chinchilla_lib.datasets import DataFileError
from chinchilla_lib.datasets.corpus import (
    CANDIDATES_FILE,
    MIXTURES,
    corpus_card,
    load_corpus,
    mixture_documents,
    split_mixture,
    training_window_starts,
)
from chinchilla_lib.datasets.corpus_archives import (
    REGISTRIES,
    SOURCES,
    SourcePin,
    archive_members,
    source_archive,
    source_pin,
)
from chinchilla_lib.datasets.corpus_readers import dictd_entries, osis_text, read_documents, read_fortune, read_sword


def test_every_pin_names_its_archive_address_and_hash():
    assert set(MIXTURES) == {"mixed"}
    assert {p.corpus for p in SOURCES.values()} == {"mixed"}
    for pin in SOURCES.values():
        assert pin.registry in REGISTRIES and re.fullmatch(r"[0-9a-f]{64}", pin.sha256)
        tail = pin.url.rsplit("/", 1)[1]  # npm names a scoped package's file without the "@scope/" the pack name folds in
        assert pin.url.startswith("https://") and pin.archive_bytes > 0
        assert tail == pin.archive or (pin.package.startswith("@") and pin.archive.endswith("-" + tail))
    assert SOURCES["gcide"].sha256 == "7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f"
    with pytest.raises(ValueError, match="source must be one of"):
        source_pin("nope")


def test_the_candidates_record_agrees_with_the_pins():
    import pandas as pd

    table = pd.read_csv(CANDIDATES_FILE, dtype=str, keep_default_na=False)
    used = table[table["used"] == "yes"].set_index("package")
    pins = {p.package: p for p in SOURCES.values()}
    assert set(used.index) == set(pins) and set(table["used"]) == {"yes", "no"}
    for package, row in used.iterrows():
        assert (row["version"], row["sha256"], row["archive"]) == (pins[package].version, pins[package].sha256,
                                                                  pins[package].archive)
    assert table["sha256"].str.fullmatch(r"[0-9a-f]{64}").all() and table["note"].str.len().gt(0).all()


def test_training_windows_predict_every_byte_once_at_most():
    # 1000 bytes at seq_len 9: (1000 - 1) // 9 = 111 windows, targets 1..999
    starts = training_window_starts(1000, 9, 111, seed=3)
    assert starts.dtype == np.int64 and (starts % 9 == 0).all() and starts.max() + 9 <= 999
    targets = (starts[:, None] + np.arange(1, 10)).ravel()
    assert len(set(targets.tolist())) == 999 and sorted(targets.tolist()) == list(range(1, 1000))
    assert (training_window_starts(1000, 9, 50, seed=3) == starts[:50]).all()
    assert not (training_window_starts(1000, 9, 50, seed=4) == starts[:50]).all()
    with pytest.raises(ValueError, match="n_windows must be between 0 and 111"):
        training_window_starts(1000, 9, 112, seed=3)


def _one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_a_wrong_hash_is_refused_before_the_archive_is_opened(tmp_path, monkeypatch):
    pin = source_pin("gcide")
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / pin.archive).write_bytes(b"not the archive")
    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path))
    with pytest.raises(DataFileError, match="not the pinned") as exc:
        source_archive("gcide", download=False)
    assert hashlib.sha256(b"not the archive").hexdigest() in _one_line(exc)


def test_a_missing_archive_names_its_address_and_the_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path))
    monkeypatch.setattr("chinchilla_lib.datasets.corpus_archives._cache_root", lambda registry: tmp_path / "cache")
    with pytest.raises(DataFileError, match="cannot obtain") as exc:
        source_archive("sotu", download=False)
    message = _one_line(exc)
    assert SOURCES["sotu"].url in message and "CHINCHILLA_LIB_DATA" in message


def _pin(members: str, reader: str = "plain", exclude: str = "") -> SourcePin:
    return SourcePin("t", "mixed", "debian", "t", "1", "t.deb", "https://x/t.deb", "0" * 64, 1, reader, members,
                     exclude, "utf-8", "", "", "")


def _ar_member(name: str, body: bytes) -> bytes:
    header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(body):<10}`\n".encode("ascii")
    return header + body + (b"\n" if len(body) % 2 else b"")


def test_a_debian_package_is_read_from_its_ar_container(tmp_path):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tar:
        for name, body in [("./usr/share/x/a.txt", b"hello\r\nworld"), ("./usr/share/x/b.dat", b"\0\1")]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    deb = tmp_path / "t.deb"  # a control member of odd size checks the 2-byte alignment of ar members
    deb.write_bytes(b"!<arch>\n" + _ar_member("debian-binary", b"2.0\n") + _ar_member("control.tar.gz", b"abc")
                    + _ar_member("data.tar.gz", data.getvalue()))
    members = list(archive_members(deb, _pin("usr/share/x/*", exclude="*.dat")))
    assert members == [("usr/share/x/a.txt", b"hello\r\nworld")]
    assert read_documents("plain", members) == {"a": b"hello\nworld\n"}
    zst = tmp_path / "z.deb"
    zst.write_bytes(b"!<arch>\n" + _ar_member("data.tar.zst", b"x"))
    with pytest.raises(DataFileError, match="Zstandard"):
        list(archive_members(zst, _pin("*")))


def test_dictd_entries_are_found_by_the_base64_index():
    # Entries: 31 bytes of metadata at 0, "apple" at 31 (18 bytes), "banana" at 49 (18 bytes).
    body = b"00-database-short\n   Test dict\napple\n   A fruit.\nbanana\n   Yellow.\n"
    assert len(body) == 67
    # dictd digits: A=0 ... Z=25, a=26 ... f=31, S=18, x=49
    index = b"00-database-short\tA\tf\napple\tf\tS\nfruit\tf\tS\nbanana\tx\tS\n"
    assert dictd_entries(index, body) == [("apple", b"apple\n   A fruit.\n"), ("banana", b"banana\n   Yellow.\n")]
    members = [("d/t.index", index), ("d/t.dict.dz", gzip.compress(body))]
    assert read_documents("dictd", members) == {"0000-apple": b"apple\n   A fruit.\n\nbanana\n   Yellow.\n"}
    with pytest.raises(DataFileError, match="one .index member"):
        read_documents("dictd", members[1:])


def test_an_entry_in_another_encoding_falls_back_when_the_pin_allows_it():
    body = b"it\x92s\n"  # Windows-1252 apostrophe
    members = [("d/t.index", b"it\tA\tF\n"), ("d/t.dict.dz", gzip.compress(body))]
    with pytest.raises(DataFileError, match="is not utf-8"):
        read_documents("dictd", members)
    assert read_documents("dictd", members, "utf-8|cp1252") == {"0000-it": "it\u2019s\n".encode()}


def test_osis_markup_becomes_lines_of_plain_text():
    markup = '<div type="x-p"/> <title>Psalm 1</title> Blessed <hi type="italic">is</hi> the man &amp; more.<div/>'
    assert osis_text(markup) == "Psalm 1\nBlessed is the man & more."


def test_a_sword_module_gives_one_document_per_block():
    blocks = [b"<title>One</title>", b"", b"Two &lt;2&gt;"]
    data, index = b"", b""
    for raw in blocks:
        packed = zlib.compress(raw) if raw else b""
        index += struct.pack("<III", len(data), len(packed), len(raw))
        data += packed
    docs = read_sword([("m/ot.bzs", index), ("m/ot.bzz", data)])
    assert docs == {"ot-000": b"One\n", "ot-002": b"Two <2>\n"}
    bad = index[:8] + struct.pack("<I", 99) + index[12:]
    with pytest.raises(DataFileError, match="its index says 99"):
        read_sword([("m/ot.bzs", bad), ("m/ot.bzz", data)])


def test_fortunes_lose_their_separators_and_overstrikes():
    raw = b"A\bA saying\n%\n_\bb_\bo_\bl_\bd\n%\n"
    assert read_fortune([("f/cookie", raw)]) == {"cookie": b"A saying\n\nbold\n"}
    with pytest.raises(ValueError, match="reader must be one of"):
        read_documents("nope", [])


def test_the_split_is_drawn_within_each_source_and_is_fixed():
    docs = {"a": {f"d{i}": b"x" for i in range(10)}, "b": {"only": b"y"}, "c": {"p": b"", "q": b"", "r": b""}}
    train, val = split_mixture(docs, 0.2, 7)
    # a: round(0.2 * 10) = 2 held out; b: one document, all training; c: round(0.6) = 1
    assert [sum(n.startswith(s + "/") for n in val) for s in "abc"] == [2, 0, 1]
    assert not set(train) & set(val) and len(train) + len(val) == 14 and "b/only" in train
    assert (train, val) == split_mixture(docs, 0.2, 7)
    assert split_mixture(docs, 0.2, 8) != (train, val)
    with pytest.raises(ValueError, match="val_fraction"):
        split_mixture(docs, 1.0, 7)


def _mixed_or_skip():
    """The mixed corpus and its documents; a skip when an archive can be had neither from a folder nor a registry.

    Only a fetch that fails is a skip: an archive with another hash than its pin, or one that cannot
    be read, is still a failure.
    """
    try:
        return load_corpus("mixed"), mixture_documents("mixed")
    except DataFileError as exc:
        if "cannot obtain" not in str(exc):
            raise
        pytest.skip(f"a registry cannot be reached: {exc}")


@pytest.fixture(scope="module")
def mixed():
    return _mixed_or_skip()


def test_an_unreachable_registry_is_a_skip_and_a_bad_hash_a_failure(tmp_path, monkeypatch):
    import chinchilla_lib.datasets.corpus as corpus
    import chinchilla_lib.datasets.corpus_archives as archives

    monkeypatch.setattr(corpus, "_LOADED", {})
    monkeypatch.setenv("CHINCHILLA_LIB_DATA", str(tmp_path / "offline"))
    monkeypatch.setattr(archives, "_cache_root", lambda registry: tmp_path / "cache" / registry)
    monkeypatch.setattr(archives, "_fetch_pip", lambda pin, target: "network is unreachable")
    monkeypatch.setattr(archives, "_fetch_url", lambda pin, target: "URLError: network is unreachable")
    with pytest.raises(pytest.skip.Exception, match="a registry cannot be reached"):
        _mixed_or_skip()
    first = next(iter(SOURCES.values()))
    (tmp_path / "offline" / first.registry).mkdir(parents=True)
    (tmp_path / "offline" / first.registry / first.archive).write_bytes(b"not the archive")
    with pytest.raises(DataFileError, match="not the pinned"):
        _mixed_or_skip()


def test_the_mixture_is_as_large_as_stated_and_document_disjoint(mixed):
    corpus, docs = mixed
    assert corpus.train.size >= MIXTURES["mixed"].min_train_bytes
    assert corpus.train.dtype == np.uint8 and corpus.val.size // 129 >= 1024
    assert not set(corpus.train_docs) & set(corpus.val_docs)
    assert sorted(corpus.train_docs + corpus.val_docs) == sorted(f"{s}/{d}" for s in docs for d in docs[s])
    assert split_mixture(docs, MIXTURES["mixed"].val_fraction, MIXTURES["mixed"].split_seed) == (
        corpus.train_docs, corpus.val_docs)


def test_the_card_adds_up_to_the_splits_recounted_from_the_documents(mixed):
    import pandas as pd

    corpus, docs = mixed
    card = corpus_card("mixed").set_index("source")
    assert list(card.index) == list(docs)
    assert card["train_bytes"].sum() == corpus.train.size and card["val_bytes"].sum() == corpus.val.size
    for split, names in (("train", corpus.train_docs), ("val", corpus.val_docs)):
        for source in docs:
            mine = [n.split("/", 1)[1] for n in names if n.split("/", 1)[0] == source]
            assert card.loc[source, f"{split}_bytes"] == sum(len(docs[source][d]) for d in mine)
            assert card.loc[source, f"{split}_documents"] == len(mine)
    record = pd.read_csv(CANDIDATES_FILE).set_index("package")["text_bytes"]
    for _, row in card.iterrows():
        assert row["train_bytes"] + row["val_bytes"] == record[row["package"]]
    whole = b"".join(docs[n.split("/", 1)[0]][n.split("/", 1)[1]] for n in corpus.train_docs + corpus.val_docs)
    assert corpus.sha256 == hashlib.sha256(whole).hexdigest()
    with pytest.raises(ValueError, match="mixtures"):
        corpus_card("shakespeare")
