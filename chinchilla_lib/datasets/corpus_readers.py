"""Document readers: from the members of one pinned archive to named documents of UTF-8 text.

Each reader takes the wanted members of an archive, ``(path, bytes)`` in archive order (see
:func:`.corpus_archives.archive_members`), and the encoding they are written in, and returns
``{document name: UTF-8 bytes}``.  Every document ends with one newline, so documents laid end
to end stay apart.

* ``plain`` -- each member is one document, named by its file name without the extension
  (Project Gutenberg texts, State of the Union addresses); line ends made ``\\n``.
* ``verses`` -- JSON lines of Bible verses (``book``, ``chapter``, ``verse``, ``text``), one
  document per book.
* ``dictd`` -- a dictionary in the ``dictd`` format (``NAME.index`` + ``NAME.dict.dz``): the
  entries in the order they are stored, less the ``00-*`` entries (the file's own
  metadata), each decoded on its own, grouped into documents of about :data:`DICT_DOC_BYTES` each, named by the first
  headword of the group.
* ``fortune`` -- a ``fortune`` data file per document, the ``%`` lines between the sayings made
  blank lines and typewriter overstrikes (a character, a backspace, a character) undone.
* ``sword`` -- a SWORD commentary or Bible (``zCom``/``zText``, zlib blocks): one document per
  compressed block (a book or a chapter), its OSIS markup removed (paragraph and title marks
  become line breaks, other tags vanish, entities are decoded).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import struct
import zlib
from pathlib import PurePosixPath

from .paper_tables import DataFileError

__all__ = ["DICT_DOC_BYTES", "READERS", "read_documents"]

#: Target size of a document cut from a dictionary (whole entries are kept together).
DICT_DOC_BYTES = 1 << 16


def _text(raw: bytes, where: str, encoding: str = "utf-8") -> str:
    """``raw`` decoded with the first of the ``|``-separated encodings that fits it."""
    choices = encoding.split("|")
    for choice in choices:
        try:
            text = raw.decode(choice)
            break
        except UnicodeDecodeError as exc:
            failure = exc
    else:
        raise DataFileError(f"{where} is not {' or '.join(choices)} ({failure.reason} at byte {failure.start}); "
                            "pin the encoding it is written in") from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _finish(text: str) -> bytes:
    return (text.strip("\n") + "\n").encode("utf-8")


def _stem(path: str) -> str:
    name = PurePosixPath(path).name
    return name.split(".", 1)[0] if "." in name else name


def read_plain(members, encoding: str = "utf-8") -> dict[str, bytes]:
    """One document per member, named by the file name without its extension."""
    out = {}
    for path, raw in members:
        name = _stem(path)
        if name in out:
            raise DataFileError(f"two members are named {name!r}; make the pin's pattern pick one of them")
        out[name] = _finish(_text(raw, path, encoding))
    return out


def read_verses(members, encoding: str = "utf-8") -> dict[str, bytes]:
    """One document per book of JSON-lines verses, each verse as ``chapter:verse text``."""
    books: dict[str, list[str]] = {}
    for path, raw in members:
        for line in _text(raw, path, encoding).splitlines():
            if line.strip():
                verse = json.loads(line)
                books.setdefault(verse["book"], []).append(f"{verse['chapter']}:{verse['verse']} {verse['text']}")
    return {book: _finish("\n".join(lines)) for book, lines in books.items()}


_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _dictd_number(field: str) -> int:
    """A number written in the dictd index's base-64 digits (most significant first)."""
    value = 0
    for char in field:
        value = value * 64 + _B64[char]
    return value


def dictd_entries(index: bytes, body: bytes) -> list[tuple[str, bytes]]:
    """``(headword, entry)`` of a dictd dictionary in storage order, each stored entry once.

    Several headwords may point to one entry; it is kept once, under the headword listed
    first.  Entries of the file's own metadata (headwords starting ``00-`` or ``00database``)
    are left out.
    """
    spans: dict[tuple[int, int], str] = {}
    for line in index.decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        head, start, length = parts[0], _dictd_number(parts[1]), _dictd_number(parts[2])
        if head.startswith(("00-", "00database")):
            continue
        spans.setdefault((start, length), head)
    out, end = [], 0
    for (start, length), head in sorted(spans.items()):
        if start < end:  # inside an entry already kept
            continue
        out.append((head, body[start:start + length]))
        end = start + length
    return out


def read_dictd(members, encoding: str = "utf-8") -> dict[str, bytes]:
    """Dictionary entries grouped into documents of about :data:`DICT_DOC_BYTES`."""
    files = dict(members)
    indexes = [p for p in files if p.endswith(".index")]
    if len(indexes) != 1:
        raise DataFileError(f"a dictd reader needs one .index member, found {len(indexes)}")
    stem = indexes[0][: -len(".index")]
    if stem + ".dict.dz" not in files:
        raise DataFileError(f"{stem}.dict.dz is missing beside {indexes[0]}")
    body = gzip.decompress(files[stem + ".dict.dz"])
    out: dict[str, bytes] = {}
    group: list[str] = []
    first, size = "", 0
    for head, entry in dictd_entries(files[indexes[0]], body):
        if not group:
            first, size = head, 0
        group.append(_text(entry, f"{stem} entry {head!r}", encoding).strip("\n") + "\n")
        size += len(entry)
        if size >= DICT_DOC_BYTES:
            out[f"{len(out):04d}-{first}"] = _finish("\n".join(group))
            group = []
    if group:
        out[f"{len(out):04d}-{first}"] = _finish("\n".join(group))
    return out


def read_fortune(members, encoding: str = "utf-8") -> dict[str, bytes]:
    """One document per fortune file; ``%`` separator lines become blank lines, overstrikes are undone."""
    out = {}
    for path, raw in members:
        text = re.sub(".\b", "", _text(raw, path, encoding))  # "_<BS>a" (underline) and "a<BS>a" (bold) keep the "a"
        lines = ["" if line == "%" else line for line in text.split("\n")]
        out[_stem(path)] = _finish(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)))
    return out


_BREAK = re.compile(r"<(?:div|chapter|lb|milestone)\b[^>]*/>|</(?:title|p|item|l|lg|div)>|<(?:p|item|l)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def osis_text(markup: str) -> str:
    """Plain text of an OSIS fragment: breaks at paragraph, title and list marks, other tags removed."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", markup)))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def read_sword(members, encoding: str = "utf-8") -> dict[str, bytes]:
    """One document per compressed block of a SWORD ``zCom``/``zText`` module, its markup removed.

    The block index (``*.bzs`` or ``*.czs``) holds, per block, three little-endian 32-bit numbers:
    offset and size of the zlib stream in the data file (``*.bzz`` or ``*.czz``) and the size
    once decompressed.
    """
    files = dict(members)
    out = {}
    for index_path in sorted(p for p in files if re.search(r"\.[a-z]zs$", p)):
        data_path = index_path[:-1] + "z"
        index, data = files[index_path], files.get(data_path, b"")
        testament = PurePosixPath(index_path).name.split(".")[0]
        for block in range(len(index) // 12):
            start, size, full = struct.unpack_from("<III", index, 12 * block)
            if size == 0:
                continue
            raw = zlib.decompress(data[start:start + size])
            if len(raw) != full:
                raise DataFileError(f"{data_path} block {block} holds {len(raw)} bytes, its index says {full}")
            text = osis_text(_text(raw, data_path, encoding))
            if text:
                out[f"{testament}-{block:03d}"] = _finish(text)
    return out


#: Readers by the name used in ``pins/corpus_sources.csv``.
READERS = {"plain": read_plain, "verses": read_verses, "dictd": read_dictd, "fortune": read_fortune,
           "sword": read_sword}


def read_documents(reader: str, members, encoding: str = "utf-8") -> dict[str, bytes]:
    """Documents of ``members`` read with the reader named ``reader``; text is decoded from ``encoding``.

    The documents are UTF-8 whatever the encoding of the members.

    Raises
    ------
    ValueError
        If ``reader`` is not one of :data:`READERS`.
    DataFileError
        If the members are not what the reader expects, or hold no text.
    """
    if reader not in READERS:
        raise ValueError(f"reader must be one of {sorted(READERS)}, got {reader!r}")
    docs = READERS[reader](list(members), encoding)
    if not docs:
        raise DataFileError(f"the {reader} reader found no text in the archive members it was given")
    return docs
