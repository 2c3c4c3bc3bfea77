"""Build the book as ``jupyter-book build . --warningiserror --nitpick --keep-going`` does, with two additions.

* ``--jobs N`` reads (and so executes) N chapters at once: Sphinx's parallel read, which
  jupyter-book 1.x supports internally but does not offer on its command line; the pages are read
  in small batches, each taken by whichever reader is free.
* ``BOOK_REPOSITORY=OWNER/NAME`` (set by the GitHub Pages workflow from ``github.repository``)
  fills in the repository URL and turns on the repository button and the Binder and Colab launch
  buttons, so that they point at the repository the site is built from, and puts the repository and
  its install line in the line above every page.  Unset (a local build), the site shows none of the
  buttons, and that line says the code is the checkout it was built from.  ``BOOK_BRANCH`` names the
  branch (default ``main``).  Chapters read ``BOOK_REPOSITORY`` too (``chinchilla_lib.book.source``).
* Results that several chapters need (the scorecard, chapter by chapter, and the costliest
  studies) are computed once per build and shared: ``CHINCHILLA_LIB_CACHE`` (default
  ``_build/.chinchilla_cache``) holds them, keyed by a hash of the library, ``chinchilla_lib/data/`` and the
  pins (``chinchilla_lib.result_cache``), so a change to any of them computes them again and
  deleting ``_build`` gives a cold build.

Usage::

    python scripts/build_book.py [PATH] [--jobs N] [--all]
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import re
import sys
from pathlib import Path

REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


#: The header's line on a local build, which has no repository to link to.
LOCAL_ANNOUNCEMENT = ("This copy was built from a local checkout of its code: the README in that folder sets it "
                      "up, tests it and runs the chapters in Jupyter.")


def announcement(name: str | None) -> str:
    """The line above every page: where the code is and how to install it (or, on a local build, where it is)."""
    if not name:
        return LOCAL_ANNOUNCEMENT
    url = f"https://github.com/{name}"
    return (f'Code and data: <a href="{url}">{url}</a> · install: '
            f'<code>pip install "chinchilla_lib @ git+{url}"</code>')


def repository_options(environ=os.environ) -> dict:
    """Theme options that the repository named in ``BOOK_REPOSITORY`` turns on (empty when it is unset)."""
    name = environ.get("BOOK_REPOSITORY", "").strip()
    if not name:
        return {}
    if not REPOSITORY_PATTERN.match(name):
        raise SystemExit(f"build_book.py: error: BOOK_REPOSITORY must be OWNER/NAME, got {name!r}")
    return {
        "announcement": announcement(name),
        "repository_url": f"https://github.com/{name}",
        "repository_branch": environ.get("BOOK_BRANCH", "main").strip() or "main",
        "path_to_docs": "",
        "use_repository_button": True,
        "launch_buttons": {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com",
                           "notebook_interface": "jupyterlab"},
    }


def _patch(jobs: int, theme: dict, *, small_batches: bool) -> None:
    import jupyter_book.sphinx as jb_sphinx

    original_config = jb_sphinx.get_final_config

    def get_final_config(*args, **kwargs):
        sphinx_config, meta = original_config(*args, **kwargs)
        options = dict(sphinx_config.get("html_theme_options", {}))
        options["announcement"] = theme.get("announcement", LOCAL_ANNOUNCEMENT)
        sphinx_config["html_theme_options"] = options
        if theme:
            options = dict(sphinx_config.get("html_theme_options", {}))
            launch = dict(options.get("launch_buttons", {})) | theme["launch_buttons"]
            options |= {k: v for k, v in theme.items() if k != "launch_buttons"} | {"launch_buttons": launch}
            sphinx_config["html_theme_options"] = options
        return sphinx_config, meta

    jb_sphinx.get_final_config = get_final_config
    jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs)
    if jobs > 1 and small_batches:
        from sphinx.builders import Builder

        Builder._read_parallel = _small_read_batches(Builder._read_parallel)


def _small_read_batches(read_parallel):
    """Sphinx's parallel read in small batches, about four per reader (the writing keeps Sphinx's batches).

    Sphinx hands each reader one fixed batch of pages (9 of the book's 19 with two readers), but
    the pages' execution times differ by a factor of forty, so one batch could take half a minute
    longer than the other. With small batches, whichever reader is free takes the next one; each
    batch costs one process and one copy of the environment, which is why they are not single pages,
    and why a build that starts with an execution cache (pages read, not executed) keeps Sphinx's.
    """
    import sphinx.builders

    @functools.wraps(read_parallel)
    def wrapper(self, docnames, nproc):
        default = sphinx.builders.make_chunks
        sphinx.builders.make_chunks = read_batches
        try:
            return read_parallel(self, docnames, nproc)
        finally:
            sphinx.builders.make_chunks = default

    return wrapper


def read_batches(pages, nproc: int, maxbatch: int = 10) -> list:
    """``pages`` in order, in batches of ceil(len / (4 nproc)): about four batches per reader (``maxbatch`` unused)."""
    size = max(1, math.ceil(len(pages) / (4 * nproc)))
    return [pages[i:i + size] for i in range(0, len(pages), size)]


def _create_execution_cache(path: Path) -> None:
    """Create MyST-NB's execution cache (``_build/.jupyter_cache``) before the parallel readers start.

    Two readers that each find no cache both try to create its database, and the second fails
    ("table settings already exists"); created once here, both open the same one.
    """
    from jupyter_cache import get_cache

    path.mkdir(parents=True, exist_ok=True)
    get_cache(str(path)).list_cache_records()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=".")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("BOOK_JOBS", "2")),
                        help="chapters read and executed at once (default 2, or BOOK_JOBS)")
    parser.add_argument("--all", action="store_true", help="re-build every page")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    cold = not (Path(args.path) / "_build" / ".jupyter_cache").exists()  # every page will be executed
    _patch(args.jobs, repository_options(), small_batches=cold)
    # One scorecard for all chapters of this build (chinchilla_lib.checks, keyed by its inputs):
    # removing _build removes it, so a cold build computes everything.
    os.environ.setdefault("CHINCHILLA_LIB_CACHE", os.path.join(os.path.abspath(args.path), "_build", ".chinchilla_cache"))
    if args.jobs > 1:
        _create_execution_cache(Path(args.path) / "_build" / ".jupyter_cache")
    from jupyter_book.cli.main import main as jupyter_book

    flags = ["build", args.path, "--warningiserror", "--nitpick", "--keep-going"] + (["--all"] if args.all else [])
    try:
        jupyter_book(flags, standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # click reports its own usage errors; anything else is a failed build
        print(f"build_book.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
