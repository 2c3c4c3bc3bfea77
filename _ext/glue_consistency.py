"""Fail the build when one glued name carries two different values on two pages.

Every number in the prose is glued under a name (MyST-NB's ``glue``).  A name glued on two
pages must be one quantity with one value, computed by the same function: a reader who meets
it on both pages must read the same number.  After all pages are read, this compares the
numbers and strings each page glued (MyST-NB keeps them in ``<page>.glue.json`` beside the
executed notebook) and warns, an error under ``--warningiserror``, for every name whose value
differs between pages.  Figures and other displays are left out: only values glued as plain
text are compared.

Within one page MyST-NB already warns when a name is glued twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["glued_text", "page_values", "conflicts", "conflict_message"]


def glued_text(glue_data: Mapping[str, dict], names: Iterable[str] | None = None) -> dict[str, str]:
    """The values one page glued as plain text (numbers and strings), by name.

    Parameters
    ----------
    glue_data : mapping
        A page's glue data as MyST-NB stores it: name -> output with a ``data`` mime bundle.
    names : iterable of str, optional
        Keep only these names (the page's current glue keys); all when omitted.

    Returns
    -------
    dict
        Name -> the ``text/plain`` of every output whose only mime type is ``text/plain``.
    """
    keep = None if names is None else set(names)
    out = {}
    for name, output in glue_data.items():
        bundle = output.get("data", {})
        if (keep is None or name in keep) and set(bundle) == {"text/plain"}:
            out[name] = bundle["text/plain"]
    return out


def page_values(folder: str | Path, pages: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
    """Every page's plain-text glued values, read from MyST-NB's ``<page>.glue.json`` files.

    Parameters
    ----------
    folder : str or Path
        MyST-NB's output folder (``_build/jupyter_execute``).
    pages : mapping
        Page name (``chapters/intro``) -> the names it glues now.

    Returns
    -------
    dict
        Page name -> :func:`glued_text` of its glue file (pages without one are left out).
    """
    out = {}
    for page, names in pages.items():
        path = Path(folder).joinpath(*page.split("/")[:-1], page.split("/")[-1] + ".glue.json")
        if path.exists():
            out[page] = glued_text(json.loads(path.read_text(encoding="utf8")), names)
    return out


def conflicts(values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Names glued on two or more pages with different values.

    Parameters
    ----------
    values : mapping
        Page -> name -> glued text (:func:`page_values`).

    Returns
    -------
    dict
        Name -> {page: value} for every name whose value is not the same on every page that glues
        it, names in alphabetical order (empty when every name carries one value).
    """
    seen: dict[str, dict[str, str]] = {}
    for page, glued in values.items():
        for name, text in glued.items():
            seen.setdefault(name, {})[page] = text
    return {name: where for name, where in sorted(seen.items()) if len(set(where.values())) > 1}


def conflict_message(name: str, where: Mapping[str, str]) -> str:
    """One line naming the glued name and its value on each page."""
    pages = "; ".join(f"{page}: {text}" for page, text in sorted(where.items()))
    return f"glued name {name!r} carries different values on different pages ({pages})"


def _check(app, env) -> None:
    from myst_nb.sphinx_ import NbMetadataCollector
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    metadata = NbMetadataCollector.get_doc_data(env)
    pages = {doc: metadata[doc]["glue"] for doc in sorted(env.found_docs)
             if doc in metadata and metadata[doc].get("glue")}
    for name, where in conflicts(page_values(env.mystnb_config.output_folder, pages)).items():
        logger.warning(conflict_message(name, where), type="glue", subtype="consistency")


def setup(app):
    app.connect("env-check-consistency", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
