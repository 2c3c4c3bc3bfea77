"""Whether a file is committed: the git state a prediction names and the sweep that tests it relies on.

A prediction is made from committed runs and code, and names the commit it was made from
(:func:`head_commit`); the runs that test it are planned only from a committed prediction file
(:func:`uncommitted`), so that the file cannot be changed after its runs are seen without the
history showing it.  Everything here asks ``git`` (no torch, no pandas).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["head_commit", "uncommitted", "changed_files"]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def _root(path: Path) -> Path | None:
    """The work tree holding ``path`` (its folder need exist), or None outside one or without git."""
    folder = path if path.is_dir() else path.parent
    try:
        done = _git(["rev-parse", "--show-toplevel"], folder)
    except (FileNotFoundError, NotADirectoryError):  # no git, or no such folder
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def uncommitted(path: str | Path) -> str:
    """Why ``path`` is not a committed file, in words; ``""`` when it is tracked by git and unchanged.

    A file that does not exist, lies outside a git work tree (or git is missing), is not tracked,
    or differs from the last commit (in the work tree or the index) is not committed.
    """
    path = Path(path).resolve()
    if not path.is_file():
        return f"{path} does not exist"
    root = _root(path)
    if root is None:
        return f"{path} is not in a git work tree, so git cannot say that it is committed"
    rel = str(path.relative_to(root.resolve()))
    if _git(["ls-files", "--error-unmatch", "--", rel], root).returncode != 0:
        return f"{rel} is not tracked by git"
    status = _git(["status", "--porcelain", "--", rel], root).stdout.strip()
    if status:
        return f"{rel} has uncommitted changes ({status.split()[0]})"
    return ""


def changed_files(root: str | Path, paths: list[str], *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Tracked files under ``paths`` (relative to the work tree ``root``) that differ from the last commit.

    Untracked files are not listed (a runs file still being written is not code); ``ignore`` names
    files left out (the file a script is about to write).
    """
    done = _git(["status", "--porcelain", "--untracked-files=no", "--", *paths], Path(root))
    if done.returncode != 0:
        raise ValueError(f"root must be a git work tree, got {root} ({done.stderr.strip()})")
    names = [line[3:].split(" -> ")[-1] for line in done.stdout.splitlines() if line.strip()]
    return [n for n in names if n not in ignore]


def head_commit(root: str | Path) -> str:
    """The commit checked out in the work tree ``root`` (40 hex digits)."""
    done = _git(["rev-parse", "HEAD"], Path(root))
    if done.returncode != 0:
        raise ValueError(f"root must be a git work tree with a commit, got {root} ({done.stderr.strip()})")
    return done.stdout.strip()
