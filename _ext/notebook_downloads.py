"""Offer each chapter as a Jupyter notebook (.ipynb) in the page's download menu.

sphinx-book-theme lists a ``.ipynb`` entry in its download menu when the page context holds
``ipynb_source``; MyST-NB does not set it for MyST Markdown chapters.  This extension converts
each chapter's source with jupytext (its code cells and text, no outputs: run it to see them) into
``_sources/PAGE.ipynb`` of the built site and sets ``ipynb_source`` so that the menu links to it.
"""

from __future__ import annotations

from pathlib import Path


def _is_notebook(source: Path) -> bool:
    if source.suffix == ".ipynb":
        return True
    if source.suffix != ".md":
        return False
    head = source.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "kernelspec:" in head


def add_notebook(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or doctree is None or pagename not in app.env.all_docs:
        return
    source = Path(app.env.doc2path(pagename))
    if not _is_notebook(source):
        return
    import jupytext

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired with the Markdown file
    jupytext.write(notebook, target, fmt="ipynb")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", add_notebook, priority=400)  # before the theme builds its buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
