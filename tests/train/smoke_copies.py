"""The committed smoke grid copied into a test's folder, for tests that damage or resume a sweep's files."""

from __future__ import annotations

from pathlib import Path

from chinchilla_lib.datasets.paper_tables import DATA_DIR
from chinchilla_lib.train.sweep import sweep_paths


def smoke_copy(folder: Path) -> tuple[Path, Path, bytes, bytes]:
    """The committed smoke runs and curves copied into ``folder``: their paths and original bytes."""
    runs, curves = sweep_paths("smoke", folder)
    runs.write_bytes((DATA_DIR / runs.name).read_bytes())
    curves.write_bytes((DATA_DIR / curves.name).read_bytes())
    return runs, curves, runs.read_bytes(), curves.read_bytes()


def lines(data: bytes) -> list[bytes]:
    """The lines of a file's bytes, every one ending in a newline."""
    return data.split(b"\n")[:-1]
