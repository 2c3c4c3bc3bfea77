"""Give every figure's image the text of its caption as alt text.

A figure placed by ``{glue:figure}`` renders an ``<img>`` whose alt text is the image's file
path.  After each page is read, this copies a plain-text version of the figure's caption
(inline math turned into readable text) into every image of the figure that has no alt text
of its own.
"""

from __future__ import annotations

import re

from docutils import nodes

_COMMANDS = {r"\leq": "≤", r"\geq": "≥", r"\left": "", r"\right": "", r"\times": "×", r"\propto": "∝", r"\approx": "≈", r"\le": "≤", r"\ge": "≥", r"\alpha": "α",
             r"\beta": "β", r"\gamma": "γ", r"\cdot": "·", r"\pm": "±", r"\to": "→",
             r"\min": "min", r"\arg": "arg", r"\log": "log", r"\%": "%", r"\,": " ", r"\;": " ", r"\ ": " "}


def plain_math(tex: str) -> str:
    """Readable text of a short LaTeX formula: ``N_{opt}(C)`` -> ``N_opt(C)``."""
    text = re.sub(r"\\(?:mathrm|text|mathit|operatorname|mathbf)\s*\{([^{}]*)\}", r"\1", tex)
    text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", "√\\1", text)
    for command, plain in sorted(_COMMANDS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(command, plain)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def caption_text(caption: nodes.Node) -> str:
    """The caption as one line of plain text, math included."""
    parts = []
    for node in caption.findall(nodes.Text):
        parent = node.parent
        if isinstance(parent, nodes.math) or parent.__class__.__name__ == "math":
            parts.append(plain_math(node.astext()))
        else:
            parts.append(node.astext())
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _set_alt(app, doctree) -> None:
    for figure in doctree.findall(nodes.figure):
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        if not captions:
            continue
        text = caption_text(captions[0])
        for image in figure.findall(nodes.image):
            if not image.get("alt") or image.get("alt") == image.get("uri"):
                image["alt"] = text


def setup(app):
    app.connect("doctree-read", _set_alt)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
