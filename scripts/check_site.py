"""Open every page of the built book in headless Chromium and check it.

For each HTML page under ``_build/html`` (search and index pages aside) this
checks that the page renders a title and body text, that every image loaded,
that every figure holds an image, that no traceback or error output is shown,
and that the page's LaTeX was typeset by MathJax.  Exit status 1 on any failure.

Usage::

    python scripts/check_site.py [--site _build/html] [--chromium /usr/bin/chromium] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

SKIP = {"search.html", "genindex.html", "py-modindex.html"}
BAD_TEXT = ["Traceback (most recent call last)", "CellExecutionError", "Error executing", "NameError:",
            "ModuleNotFoundError"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PAGE_PROBE = """() => {
  const main = document.querySelector('main') || document.body;
  const imgs = Array.from(main.querySelectorAll('img'));
  return {
    title: (document.querySelector('h1') || {}).textContent || '',
    textLength: main.innerText.length,
    text: main.innerText,
    images: imgs.length,
    brokenImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
    figures: main.querySelectorAll('figure').length,
    emptyFigures: Array.from(main.querySelectorAll('figure')).filter(f => !f.querySelector('img, svg')).length,
    mathSource: main.querySelectorAll('.math, span.math, div.math').length,
    mathRendered: main.querySelectorAll('mjx-container').length,
    errorOutputs: main.querySelectorAll('.output.error, .output.traceback, .cell_output .stderr').length,
  };
}"""


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def check_page(page, url: str) -> list[str]:
    """Problems found on one page (empty list when it is fine)."""
    problems = []
    page.goto(url, wait_until="load")
    try:
        page.wait_for_function(
            "() => !document.querySelector('.math') || document.querySelector('mjx-container')", timeout=20000
        )
    except Exception:
        problems.append("MathJax did not typeset the page's math within 20 s")
    info = page.evaluate(PAGE_PROBE)
    if not info["title"].strip():
        problems.append("no <h1> title")
    if info["textLength"] < 200:
        problems.append(f"almost no text ({info['textLength']} characters)")
    if info["brokenImages"]:
        problems.append(f"images did not load: {info['brokenImages']}")
    if info["emptyFigures"]:
        problems.append(f"{info['emptyFigures']} figure(s) without an image")
    if info["mathSource"] and not info["mathRendered"]:
        problems.append(f"{info['mathSource']} math element(s) not rendered")
    if info["errorOutputs"]:
        problems.append(f"{info['errorOutputs']} error/stderr output block(s)")
    for bad in BAD_TEXT:
        if bad in info["text"]:
            problems.append(f"page shows {bad!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("_build/html"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    pages = sorted(p for p in args.site.rglob("*.html")
                   if p.name not in SKIP and "_static" not in p.parts and "_sources" not in p.parts)
    # index.html at the root is only a redirect to the first chapter
    pages = [p for p in pages if not (p.parent == args.site and p.name == "index.html")]
    if not pages:
        print(f"no pages found under {args.site}", file=sys.stderr)
        return 1
    server, base = _serve(args.site)
    failures = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        console_errors: list[str] = []
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        for path in pages:
            rel = path.relative_to(args.site).as_posix()
            console_errors.clear()
            problems = check_page(page, f"{base}/{rel}")
            problems += [f"JavaScript error: {e}" for e in console_errors]
            info = page.evaluate(PAGE_PROBE)
            status = "ok  " if not problems else "FAIL"
            print(f"{status} {rel}: {info['figures']} figure(s), {info['images']} image(s), "
                  f"{info['mathRendered']} typeset formula(s)")
            for problem in problems:
                print(f"     - {problem}")
            failures += bool(problems)
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshots / (rel.replace("/", "_") + ".png")), full_page=True)
        browser.close()
    server.shutdown()
    print(f"{len(pages) - failures} of {len(pages)} pages passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
