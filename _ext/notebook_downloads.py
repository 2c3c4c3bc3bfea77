"""Offer each chapter as a Jupyter notebook (.ipynb), with its outputs, in the page's download menu.

sphinx-book-theme lists a ``.ipynb`` entry in its download menu when the page context holds
``ipynb_source``; MyST-NB does not set it for MyST Markdown chapters.  This extension writes
``_sources/PAGE.ipynb`` of the built site and sets ``ipynb_source`` so that the menu links to it.

The notebook is the one MyST-NB executed for the page (``jupyter_execute/PAGE.ipynb`` beside the
HTML output, with its outputs), so that a reader who opens it sees what the page shows before
running anything.  Its Markdown is made readable outside the book:

* every glued value (``{glue:text}`name:format``` or ``{glue}`name```) is replaced by the
  value the page shows, formatted the same way, from MyST-NB's ``PAGE.glue.json``;
* every glued figure (a ``{glue:figure}`` block) becomes the figure itself, an SVG or PNG
  attachment of its Markdown cell, with its caption below it;
* admonitions and dropdowns become a bold title over their text, and other roles
  (``{term}``, ``{doc}``, ``{ref}``, ``{numref}``, ``{cite:t}``) their plain text.

Without an executed notebook (a page not executed) the chapter's source is converted as it is,
without outputs.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

_GLUE_TEXT = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")
_GLUE_MD = re.compile(r"\{glue:md\}`([^`:]+)(?::[^`]*)?`")
_GLUE_FIGURE = re.compile(r"```\{glue:figure\}\s*(\S+)\n(.*?)```", re.S)
_FENCE_TITLE = re.compile(r"^(```+|:::+)\{(admonition|dropdown)\}\s*(.*)$")
_OPTION = re.compile(r"^:(class|name|open|figwidth|width|align):.*$")
_FENCE_END = re.compile(r"^(```+|:::+)\s*$")
_ROLE = re.compile(r"\{(term|doc|ref|numref|cite:t|cite:p|cite|eq|math)\}`([^`]*)`")
_IMAGE_TYPES = ("image/svg+xml", "image/png")


def _is_notebook(source: Path) -> bool:
    if source.suffix == ".ipynb":
        return True
    if source.suffix != ".md":
        return False
    head = source.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "kernelspec:" in head


def _value(record: dict):
    text = record.get("data", {}).get("text/plain", "")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def glued_text(name: str, spec: str | None, glued: dict) -> str:
    """The text the page shows for a glued value ``name`` with the format ``spec`` (as MyST-NB formats it)."""
    if name not in glued:
        return f"`{name}`"
    value = _value(glued[name])
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _role_text(match: re.Match) -> str:
    role, text = match.groups()
    if role == "numref":
        return "the figure"
    target = re.match(r"(.*?)\s*<[^>]+>$", text)  # "words <target>" shows the words
    return target.group(1) if target else text


def readable_markdown(text: str, glued: dict) -> tuple[str, dict]:
    """Markdown of a chapter cell as a notebook shows it: glued values filled in, figures attached, roles as text.

    Returns the text and the cell's attachments (``{file name: {mime type: data}}``).
    """
    attachments: dict = {}

    def figure(match: re.Match) -> str:
        name, body = match.groups()
        caption = " ".join(line for line in body.splitlines() if line.strip() and not _OPTION.match(line.strip()))
        record = glued.get(name, {}).get("data", {})
        kind = next((k for k in _IMAGE_TYPES if k in record), None)
        if kind is None:
            return f"*{caption}*"
        file = f"{name}.{'svg' if kind == 'image/svg+xml' else 'png'}"
        attachments[file] = {kind: record[kind]}
        return f"![{caption}](attachment:{file})\n\n*{caption}*"

    text = _GLUE_FIGURE.sub(figure, text)
    text = _GLUE_MD.sub(lambda m: glued.get(m.group(1), {}).get("data", {}).get("text/markdown", f"`{m.group(1)}`"),
                        text)
    text = _GLUE_TEXT.sub(lambda m: glued_text(m.group(1), m.group(2), glued), text)
    lines, open_fences = [], []  # each open fence: (its marker, whether it is a box whose fences go)
    for line in text.splitlines():
        stripped = line.strip()
        box = _FENCE_TITLE.match(stripped)
        if box:
            open_fences.append((box.group(1), True))
            lines.append(f"**{box.group(3) or box.group(2).title()}**")
        elif open_fences and _FENCE_END.match(stripped) and stripped == open_fences[-1][0]:
            _, dropped = open_fences.pop()
            if not dropped:
                lines.append(line)
        elif re.match(r"^(```+|:::+)\S", stripped):  # a code block or another directive: kept as written
            open_fences.append((re.match(r"^(`+|:+)", stripped).group(1), False))
            lines.append(line)
        elif open_fences and open_fences[-1][1] and _OPTION.match(stripped):
            continue  # a box's options (:class: ...)
        else:
            lines.append(line)
    return _ROLE.sub(_role_text, "\n".join(lines)), attachments


def executed_notebook(executed: Path, glue_file: Path):
    """The executed notebook with readable Markdown (:func:`readable_markdown`)."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    glued = json.loads(glue_file.read_text(encoding="utf-8")) if glue_file.is_file() else {}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        cell.source, attachments = readable_markdown(cell.source, glued)
        if attachments:
            cell["attachments"] = attachments
    return notebook


def add_notebook(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or doctree is None or pagename not in app.env.all_docs:
        return
    source = Path(app.env.doc2path(pagename))
    if not _is_notebook(source):
        return
    import jupytext
    import nbformat

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if executed.is_file():
        notebook = executed_notebook(executed, executed.with_suffix(".glue.json"))
    else:
        notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired with the Markdown file
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", add_notebook, priority=400)  # before the theme builds its buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
