"""Drop repeated inline scripts from each page.

sphinx-thebe (as pulled in by jupyter-book 1.x with Sphinx 7) registers its
inline configuration script twice, so every page declares ``const THEBE_JS_URL``
twice and the browser reports a JavaScript error.  Keep the first copy only.
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
