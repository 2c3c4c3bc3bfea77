r"""Measure the built book as a reader meets it, in headless Chromium, at a laptop and a phone width.

For every chapter page, at 1280 and 390 px wide (served over HTTP):

``tables``
    how many tables the page has, how many are wider than the text column without a scroll box
    of their own (``overflowing``), how many scroll inside their own box (``scrolling``), and the
    widest table's width over the column's;
``bold``
    bold elements (``strong``, ``b`` and glued numbers, ``span.pasted-text``, whose computed weight
    is 600 or more) outside the key-results box, per 1,000 words;
``figures``
    for every SVG figure, the smallest text on it in CSS pixels at its rendered width (matplotlib
    writes text as glyph paths scaled by the font size in points over 100; the SVG's user unit is a
    point of its declared width), how many are under 8 pt (10.7 px), and how many open full size
    on a click (the image inside a link to itself);
``key_results`` and ``exercises``
    whether the page has a ``key-results`` box and an Exercises section;
``notebook``
    the outputs in the page's downloadable ``.ipynb`` (``_sources/<page>.ipynb``) and how many of its
    markdown cells still show a raw ``{glue`` role.

Prints one line per page and width, and writes everything to ``--json``.

Usage::

    python scripts/measure_site.py [--site _build/html] [--chromium /usr/bin/chromium] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_site import CHROMIUM_ARGS, SKIP, _open, _serve  # noqa: E402

WIDTHS = (1280, 390)
#: 8 pt in CSS pixels: the smallest legible figure text.
MIN_TEXT_PX = 8 * 4 / 3

PROBE = """() => {
  const main = document.querySelector('main') || document.body;
  const article = main.querySelector('article') || main;
  const column = article.clientWidth;
  const scrollBox = el => { for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if ((o === 'auto' || o === 'scroll') && p.clientWidth <= column + 1) return true; }
    return false; };
  const tables = Array.from(article.querySelectorAll('table')).filter(t => t.getClientRects().length > 0);
  const clone = article.cloneNode(true);
  clone.querySelectorAll('.key-results').forEach(x => x.remove());
  const words = (clone.textContent.match(/\\S+/g) || []).length;
  const figures = Array.from(article.querySelectorAll('figure img, img.figure, .cell_output img'))
    .filter(i => (i.getAttribute('src') || '').endsWith('.svg'))
    .map(i => ({src: i.currentSrc || i.src, width: i.getBoundingClientRect().width,
                linked: !!(i.closest('a') && i.closest('a').getAttribute('href'))}));
  const headings = Array.from(article.querySelectorAll('h2')).map(h => h.textContent);
  return {column: column, tables: tables.length,
          widths: tables.map(t => t.getBoundingClientRect().width),
          overflowing: tables.filter(t => t.getBoundingClientRect().width > column + 1 && !scrollBox(t)).length,
          scrolling: tables.filter(t => t.scrollWidth > column + 1 && scrollBox(t)).length,
          bold: Array.from(article.querySelectorAll('strong, b, span.pasted-text'))
            .filter(el => !el.closest('.key-results') && parseInt(getComputedStyle(el).fontWeight) >= 600).length,
          words: words, figures: figures,
          keyResults: article.querySelectorAll('.key-results').length,
          exercises: headings.some(h => /Exercises/.test(h))};
}"""


def svg_min_text_pt(svg: str) -> float | None:
    """The smallest text in an SVG written by matplotlib, in points of its declared width (None: no text)."""
    scales = [abs(float(s)) * 100 for s in re.findall(r"scale\(([-0-9.e]+) -[0-9.e]+\)", svg)]
    sizes = [float(s) for s in re.findall(r"font-size:\s*([0-9.]+)px", svg)]
    found = scales + sizes
    return min(found) if found else None


def svg_width_pt(svg: str) -> float:
    match = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', svg)
    return float(match.group(1)) if match else float("nan")


def notebook_outputs(site: Path, rel: str) -> dict:
    path = site / "_sources" / rel.replace(".html", ".ipynb")
    if not path.is_file():
        return {"present": False}
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    raw = sum("{glue" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return {"present": True, "code_cells": len(code), "with_outputs": sum(bool(c.get("outputs")) for c in code),
            "markdown_with_raw_glue": raw}


def measure(page, url: str, site: Path, rel: str, svg_cache: dict) -> dict:
    _open(page, url)
    info = page.evaluate(PROBE)
    small, sizes = 0, []
    for fig in info.pop("figures"):
        name = fig["src"].split("/_images/")[-1]
        if name not in svg_cache:
            text = (site / "_images" / name).read_text() if (site / "_images" / name).is_file() else ""
            svg_cache[name] = (svg_min_text_pt(text), svg_width_pt(text))
        pt, width_pt = svg_cache[name]
        if pt is None or not width_pt == width_pt or fig["width"] <= 0:
            continue
        px = pt * fig["width"] / width_pt
        sizes.append({"image": name, "min_text_px": px, "linked": fig["linked"]})
        small += px < MIN_TEXT_PX
    widest = max(info["widths"], default=0.0)
    return {"column_px": info["column"], "tables": info["tables"], "tables_overflowing": info["overflowing"],
            "tables_scrolling": info["scrolling"], "widest_table_over_column": widest / max(info["column"], 1),
            "bold_per_1000_words": 1000 * info["bold"] / max(info["words"], 1), "words": info["words"],
            "figures": len(sizes), "figures_text_under_8pt": small,
            "figures_opening_full_size": sum(f["linked"] for f in sizes),
            "smallest_figure_text_px": min((f["min_text_px"] for f in sizes), default=None),
            "key_results": info["keyResults"], "exercises": info["exercises"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("_build/html"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    site = args.site.resolve()
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "chapters").glob("*.html") if p.name not in SKIP)
    server, base = _serve(site)
    out, cache = {}, {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for rel in pages:
                    m = measure(page, f"{base}/{rel}", site, rel, cache)
                    out.setdefault(rel, {"notebook": notebook_outputs(site, rel)})[str(width)] = m
                    print(f"{width:>4} {rel:<36} tables {m['tables']:>3} over {m['tables_overflowing']:>2} "
                          f"scroll {m['tables_scrolling']:>2} widest x{m['widest_table_over_column']:.2f}  "
                          f"bold/1000w {m['bold_per_1000_words']:5.1f}  figs {m['figures']:>2} under 8pt "
                          f"{m['figures_text_under_8pt']:>2} open {m['figures_opening_full_size']:>2}  "
                          f"key {m['key_results']} ex {int(m['exercises'])}")
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
