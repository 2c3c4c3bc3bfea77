"""Where a reader gets the code of the book they are reading: the repository named at build time."""

from __future__ import annotations

import os
import re

__all__ = ["repository_url", "source_markdown"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def repository_url(environ=os.environ) -> str | None:
    """``https://github.com/OWNER/NAME`` for ``BOOK_REPOSITORY=OWNER/NAME`` (set when the site is published), else None.

    Raises
    ------
    ValueError
        When ``BOOK_REPOSITORY`` is set but is not ``OWNER/NAME``.
    """
    name = environ.get("BOOK_REPOSITORY", "").strip()
    if not name:
        return None
    if not _NAME.match(name):
        raise ValueError(f"BOOK_REPOSITORY must be OWNER/NAME, got {name!r}")
    return f"https://github.com/{name}"


def source_markdown(environ=os.environ) -> str:
    """Markdown telling a reader how to get the code: the repository and install lines, or, built locally, where it is."""
    url = repository_url(environ)
    if url is None:
        return ("This copy of the book was built from a local checkout of its code: the folder it was built "
                "from holds the library, the chapters and the README whose two commands set everything up.")
    return (f"The code and data are at [{url}]({url}). Install the library with "
            f'`pip install "chinchilla_lib @ git+{url}"`, or clone the repository (`git clone {url}`) and run '
            "the README's two commands to build the book and run the tests.")
