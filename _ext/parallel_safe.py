"""Let Sphinx read (and so execute) chapters in parallel: ``scripts/build_book.py --jobs N``.

Two extensions that jupyter-book 1.x loads do not say whether they are safe for parallel
reading, so Sphinx warns (an error under ``--warningiserror``) and reads serially.  Both are:
``sphinx_jupyterbook_latex`` transforms documents only for the LaTeX builders, and
``sphinx_multitoc_numbering`` numbers sections once all documents are read, in the main process.
This marks them so, just before the documents are read.
"""

from __future__ import annotations

#: Extensions known to keep no per-document state across processes (see the module docstring).
SAFE = ("sphinx_jupyterbook_latex", "sphinx_multitoc_numbering")


def _mark(app, env, docnames) -> None:
    for name in SAFE:
        extension = app.extensions.get(name)
        if extension is not None:
            extension.parallel_read_safe = True
            extension.parallel_write_safe = True


def setup(app):
    app.connect("env-before-read-docs", _mark)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
