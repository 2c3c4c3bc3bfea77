"""Every figure's image gets its caption, as plain text, for alt text (_ext/figure_alt.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_ext"))

import figure_alt  # noqa: E402


def _figure(alt=None):
    image = nodes.image(uri="_build/jupyter_execute/abc.svg", **({"alt": alt} if alt else {}))
    caption = nodes.caption("", "", nodes.Text("The frontier "), nodes.math("", r"N_{opt}(C) \propto C^{a}"),
                            nodes.Text(" of the law,\nat full precision."))
    doc = nodes.document(None, None)
    doc += nodes.figure("", image, caption)
    return doc, image


def test_caption_becomes_alt_text_with_math_in_words():
    doc, image = _figure()
    figure_alt._set_alt(None, doc)
    assert image["alt"] == "The frontier N_opt(C) ∝ C^a of the law, at full precision."


def test_an_alt_given_by_hand_is_kept():
    doc, image = _figure(alt="A hand-written description.")
    figure_alt._set_alt(None, doc)
    assert image["alt"] == "A hand-written description."


def test_plain_math_of_common_commands():
    assert figure_alt.plain_math(r"\arg\min N / N_{\mathrm{opt}}") == "argmin N / N_opt"
    assert figure_alt.plain_math(r"\alpha = \beta") == "α = β"
    assert figure_alt.plain_math(r"1/\sqrt{n}") == "1/√n"
