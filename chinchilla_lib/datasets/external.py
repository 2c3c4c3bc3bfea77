"""External data sets: pinned upstream files, downloaded with pooch and checked by SHA-256.

The pins are two files in ``pins/``: ``external_sets.csv`` (one row per upstream
repository: the commit, licence and a title) and ``external_files.txt`` (every
file's SHA-256 in pooch's registry format, made by ``scripts/make_registry.py``).
Files are fetched from the pinned commit into a cache folder, which the
environment variable ``CHINCHILLA_LIB_DATA`` overrides (a folder laid out as
``OWNER/REPO/PATH``); the hash is checked before anything is parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .paper_tables import DataFileError

__all__ = ["ENV_VAR", "REGISTRY_FILE", "SETS_FILE", "ExternalSet", "EXTERNAL_SETS", "EXTERNAL_FILES",
           "cache_dir", "fetch_external", "require_columns", "external_sets_table", "external_files_table"]

ENV_VAR = "CHINCHILLA_LIB_DATA"

_REGISTRY_DIR = Path(__file__).resolve().parent / "pins"
#: The pins: ``OWNER/REPO/PATH sha256:HASH`` per file (pooch's registry format),
#: made by ``scripts/make_registry.py``.
REGISTRY_FILE = _REGISTRY_DIR / "external_files.txt"
#: One row per upstream repository: the commit it is pinned at, its licence and a title.
SETS_FILE = _REGISTRY_DIR / "external_sets.csv"


@dataclass(frozen=True)
class ExternalSet:
    """One upstream repository pinned at a commit."""

    title: str
    repo: str
    commit: str
    licence: str

    def url(self, path: str) -> str:
        """Address of ``path`` (inside the repository) at the pinned commit."""
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{path}"


def _load_sets() -> dict[str, ExternalSet]:
    table = pd.read_csv(SETS_FILE, dtype=str)
    return {r.repo: ExternalSet(r.title, r.repo, r.commit, r.licence) for r in table.itertuples()}


def _load_registry() -> dict[str, str]:
    import pooch

    holder = pooch.create(path=".", base_url="", registry={})
    holder.load_registry(REGISTRY_FILE)
    return dict(holder.registry)


#: Upstream repositories by ``OWNER/REPO``.
EXTERNAL_SETS: dict[str, ExternalSet] = _load_sets()
#: Registry in pooch's form: ``OWNER/REPO/PATH`` -> ``sha256:...``.
EXTERNAL_FILES: dict[str, str] = _load_registry()


def _set_of(name: str) -> ExternalSet:
    repo = "/".join(name.split("/")[:2])
    if repo not in EXTERNAL_SETS:
        raise DataFileError(f"{REGISTRY_FILE.name} pins {name}, but {SETS_FILE.name} has no commit for {repo}")
    return EXTERNAL_SETS[repo]


_EXTERNAL_URLS = {name: _set_of(name).url(name.split("/", 2)[2]) for name in EXTERNAL_FILES}
_EXTERNAL_TITLES = {name: _set_of(name).title for name in EXTERNAL_FILES}


def cache_dir() -> Path:
    """Folder external files are cached in: ``$CHINCHILLA_LIB_DATA`` or the OS cache."""
    import pooch

    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path(pooch.os_cache("chinchilla_lib"))


def _registry():
    import pooch

    return pooch.create(
        path=pooch.os_cache("chinchilla_lib"),
        base_url="https://raw.githubusercontent.com/",
        registry=EXTERNAL_FILES,
        urls=_EXTERNAL_URLS,
        env=ENV_VAR,
        retry_if_failed=0,
    )


def fetch_external(name: str) -> Path:
    """Local path of one external file (``OWNER/REPO/PATH``), verified by SHA-256.

    Looks in the cache folder (``$CHINCHILLA_LIB_DATA`` when set), downloads the
    pinned upstream file when it is absent, and checks its hash either way.

    Raises
    ------
    DataFileError
        When the file cannot be had (offline, no mirror) or its hash is wrong;
        the message names the data set, the address and ``CHINCHILLA_LIB_DATA``.
    """
    if name not in EXTERNAL_FILES:
        raise ValueError(f"unknown external file {name!r}; known: {sorted(EXTERNAL_FILES)}")
    import logging

    import pooch

    pooch.get_logger().setLevel(logging.WARNING)
    local = cache_dir() / name
    try:
        return Path(_registry().fetch(name))
    except Exception as exc:  # network errors, hash mismatch, permissions
        state = "is absent"
        if local.is_file():
            actual = pooch.file_hash(str(local))
            expected = EXTERNAL_FILES[name].split(":", 1)[1]
            state = (
                f"exists but its SHA-256 is {actual}, not the pinned {expected} (corrupt or a different version)"
                if actual != expected
                else "exists"
            )
        raise DataFileError(
            f"cannot obtain the data set '{_EXTERNAL_TITLES[name]}': file {name} {state} in {cache_dir()}, "
            f"and downloading it from {_EXTERNAL_URLS[name]} failed ({type(exc).__name__}: {exc}). "
            f"Download that address by hand into {local}, or set {ENV_VAR} to a folder laid out as "
            "OWNER/REPO/PATH that holds it."
        ) from None


def require_columns(frame: pd.DataFrame, columns: list[str], path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path} lacks column(s) {missing}; the upstream file changed")


#: Licences under which a set's tidy files may be committed (the others are only downloaded).
REDISTRIBUTABLE_LICENCES = ("MIT", "Apache-2.0")


def external_files_table() -> pd.DataFrame:
    """Every pinned external file: ``repo``, ``path`` (inside the repository), ``sha256``, ``url``.

    Read from the pins (``pins/external_files.txt`` and ``pins/external_sets.csv``); nothing
    is downloaded.

    Examples
    --------
    >>> files = external_files_table()
    >>> row = files[files["path"] == "data/svg_extracted_data.csv"].iloc[0]
    >>> row["repo"]
    'epoch-research/analyzing-chinchilla'
    >>> row["url"].startswith("https://raw.githubusercontent.com/epoch-research/analyzing-chinchilla/")
    True
    """
    rows = []
    for name, digest in EXTERNAL_FILES.items():
        repo = "/".join(name.split("/")[:2])
        rows.append({"repo": repo, "path": name.split("/", 2)[2], "sha256": digest.split(":", 1)[1],
                     "url": _EXTERNAL_URLS[name]})
    return pd.DataFrame(rows, columns=["repo", "path", "sha256", "url"]).sort_values(
        ["repo", "path"], ignore_index=True)


def external_sets_table() -> pd.DataFrame:
    """One row per pinned upstream repository, for a data appendix.

    Returns
    -------
    DataFrame
        ``repo``, ``title``, ``licence``, ``commit`` (the pinned one), ``n_files`` (files pinned
        from it), ``redistributable`` (its licence lets tidy files be committed; otherwise
        the files are only ever downloaded) and ``address`` (the repository's tree at the
        pinned commit), in the order of ``pins/external_sets.csv``.
    """
    counts = external_files_table().groupby("repo").size()
    rows = [{"repo": s.repo, "title": s.title, "licence": s.licence, "commit": s.commit,
             "n_files": int(counts.get(s.repo, 0)), "redistributable": s.licence in REDISTRIBUTABLE_LICENCES,
             "address": f"https://github.com/{s.repo}/tree/{s.commit}"} for s in EXTERNAL_SETS.values()]
    return pd.DataFrame(rows, columns=["repo", "title", "licence", "commit", "n_files", "redistributable", "address"])
