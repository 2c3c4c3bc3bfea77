"""Serve MathJax from the built site instead of a CDN, so pages render offline.

MathJax 3 comes from the PyPI package ``django-static-mathjax`` (module
``mathjax``); its ``es5`` build is copied to ``_static/mathjax`` after the
HTML build, and ``mathjax_path`` points there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

_ENTRY = "tex-mml-chtml.js"
_KEEP = {_ENTRY, "output", "input", "ui", "a11y", "adaptors", "sre"}


def _es5_dir() -> Path:
    import mathjax  # provided by django-static-mathjax

    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (path / _ENTRY).is_file():
        raise RuntimeError(f"MathJax not found at {path}; pip install django-static-mathjax")
    return path


def _set_path(app, config) -> None:
    config.mathjax_path = f"mathjax/{_ENTRY}"


def _copy(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _es5_dir()
    target = Path(app.outdir) / "_static" / "mathjax"
    for item in source.iterdir():
        if item.name not in _KEEP:
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, target / item.name)


def setup(app):
    _es5_dir()
    app.connect("config-inited", _set_path, priority=900)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
