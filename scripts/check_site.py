r"""Open every page of the built book in headless Chromium, served over HTTP, and check it.

The script starts a local HTTP server on ``--site`` (default ``_build/html``), opens each HTML page
(search and index pages aside) and stops the server at the end.  Checks, by name (``--only``
runs some of them; the report lists each failing check per page):

``render``
    a title and body text, every image loaded, every figure holds an image, no traceback or
    error output, the page's LaTeX typeset by MathJax, no JavaScript error;
``caption-math``
    formulas in figure captions typeset too (no raw ``$``, ``\(`` or ``N_{`` left in a caption);
``alt-text``
    every image has alt text that is words, not empty and not a file path;
``xrefs``
    cross-references resolved (no ``???``, no unresolved reference markers, every in-site link
    points at a page that exists);
``code-overflow``
    no code cell's input wider than its box (``scrollWidth > clientWidth`` of the ``pre``): the
    count per page;
``wording``
    no internal wording (:data:`INTERNAL_WORDS`) in the page text;
``search``
    the search page finds each of :data:`SEARCH_QUERIES` and no result's snippet shows raw LaTeX;
``planner``
    the planner page, given each budget of :data:`PLANNER_BUDGETS`, shows for every law and
    allocation the N and D that ``python -m chinchilla_lib plan --flops C --law NAME --json`` prints
    (relative 1e-6);
``tables``
    no table wider than the text column at 1280 px unless it scrolls inside a box of its own;
``figures``
    every figure's image opens full size on a click (it sits in a link to an image);
``scorecard``
    the scorecard page's filter, set to one status, shows only rows of that status, and fewer
    rows than all;
``structure``
    every numbered chapter (``_toc.yml``) opens with a key-results box and ends with exercises.

Exit status 1 on any failure of the checks run.

Usage::

    python scripts/check_site.py [--site _build/html] [--chromium /usr/bin/chromium] [--screenshots DIR]
                                 [--only render,planner,...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]

SKIP = {"search.html", "genindex.html", "py-modindex.html"}
BAD_TEXT = ["Traceback (most recent call last)", "CellExecutionError", "Error executing", "NameError:",
            "ModuleNotFoundError"]
#: Words that belong to how the book is made, not to what it says (whole words, any case).
INTERNAL_WORDS = ["issue", "issues", "session", "sessions", "helper", "helpers", "TODO", "FIXME", "XXX",
                  "as the review", "the reviewer", "lead engineer"]
#: Queries whose results' snippets must show no LaTeX source ("frontier" finds pages full of formulas).
SEARCH_QUERIES = ["IsoFLOP", "frontier"]
RAW_LATEX = ["$", "\\frac", "N_{", "\\(", "\\)", "\\alpha", "\\beta", "^{"]
PLANNER_BUDGETS = ["1e22", "5.76e23"]
#: (budget, inference tokens) typed into the planner's two boxes, compared with plan --inference-tokens.
PLANNER_INFERENCE = [("1e23", "2e12")]
PLANNER_REL_TOL = 1e-6
CHECKS = ["render", "caption-math", "alt-text", "xrefs", "code-overflow", "wording", "search", "planner", "tables",
          "figures", "scorecard", "structure"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PAGE_PROBE = """() => {
  const main = document.querySelector('main') || document.body;
  const imgs = Array.from(main.querySelectorAll('img'));
  const captions = Array.from(main.querySelectorAll('figcaption'));
  const prose = el => { const c = el.cloneNode(true); c.querySelectorAll('code, mjx-container').forEach(x => x.remove());
                        return c.textContent; };
  const codePres = Array.from(main.querySelectorAll('.cell_input pre, div.cell .highlight pre'))
    .filter(p => !p.closest('.cell_output'));
  const visible = el => el.getClientRects().length > 0 && el.clientWidth > 0;
  const links = Array.from(main.querySelectorAll('a.reference.internal[href]')).map(a => a.href);
  const article = main.querySelector('article') || main;
  const column = article.clientWidth;
  const ownBox = el => { for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.clientWidth <= column + 1) return true; }
    return false; };
  const tables = Array.from(article.querySelectorAll('table')).filter(t => t.getClientRects().length > 0);
  const figureImages = Array.from(main.querySelectorAll('figure img'));
  return {
    keyResults: article.querySelectorAll('.key-results').length,
    exercises: Array.from(article.querySelectorAll('h2')).some(h => /Exercises/.test(h.textContent)),
    wideTables: tables.filter(t => t.getBoundingClientRect().width > column + 1 && !ownBox(t))
      .map(t => Math.round(t.getBoundingClientRect().width)),
    column: column,
    unlinkedFigures: figureImages.filter(i => !(i.closest('a') && i.closest('a').getAttribute('href'))).length,
    figureImages: figureImages.length,
    title: (document.querySelector('h1') || {}).textContent || '',
    textLength: main.innerText.length,
    text: main.innerText,
    images: imgs.length,
    brokenImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
    alts: imgs.map(i => [i.getAttribute('src') || '', i.getAttribute('alt')]),
    figures: main.querySelectorAll('figure').length,
    emptyFigures: Array.from(main.querySelectorAll('figure')).filter(f => !f.querySelector('img, svg')).length,
    mathSource: main.querySelectorAll('.math, span.math, div.math').length,
    mathRendered: main.querySelectorAll('mjx-container').length,
    captions: captions.map(c => ({text: prose(c),
      math: c.querySelectorAll('.math').length, typeset: c.querySelectorAll('mjx-container').length})),
    overflowing: codePres.filter(p => visible(p) && p.scrollWidth > p.clientWidth + 1)
      .map(p => (p.innerText.split('\\n').find(l => l.trim().length > 0) || '').slice(0, 60)),
    codeBlocks: codePres.length,
    unresolved: main.querySelectorAll('.problematic, span.xref.std-ref:not(a span), .pending_xref').length,
    links: links,
    errorOutputs: main.querySelectorAll('.output.error, .output.traceback, .cell_output .stderr').length,
    height: document.documentElement.scrollHeight,
  };
}"""


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A local HTTP server on ``root`` in a thread (stopped by ``server.shutdown()``), and its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _open(page, url: str) -> list[str]:
    page.goto(url, wait_until="load")
    try:
        page.wait_for_function(
            "() => !document.querySelector('.math') || document.querySelector('mjx-container')", timeout=20000
        )
    except Exception:
        return ["MathJax did not typeset the page's math within 20 s"]
    page.wait_for_timeout(200)  # MathJax finishes the last formulas
    return []


def check_render(info: dict) -> list[str]:
    problems = []
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


#: Math written as plain text, e.g. "N_opt(C)" (a typeset formula's text has no underscore).
_PLAIN_MATH = re.compile(r"\b[A-Za-z]_[A-Za-z]+\b")


def check_caption_math(info: dict) -> list[str]:
    problems = []
    for i, caption in enumerate(info["captions"], 1):
        raw = [r for r in RAW_LATEX if r in caption["text"]] + _PLAIN_MATH.findall(caption["text"])
        if caption["math"] > caption["typeset"] or raw:
            shown = " ".join(caption["text"].split())[:70]
            problems.append(f"caption {i} has untypeset math ({', '.join(raw) or 'math element'}): {shown!r}")
    return problems


# An alt text that is a file name or a path (one word holding a slash or an image suffix), not words.
_PATHLIKE = re.compile(r"^\S*([/\\]\S*|\.(png|svg|jpe?g|gif|webp))$", re.I)


def check_alt_text(info: dict) -> list[str]:
    bad = [src.rsplit("/", 1)[-1] for src, alt in info["alts"]
           if not (alt or "").strip() or _PATHLIKE.search(alt.strip()) or len(alt.strip().split()) < 2]
    return [f"{len(bad)} of {len(info['alts'])} image(s) without alt text in words: {bad[:3]}"] if bad else []


def check_xrefs(info: dict, site: Path, base: str) -> list[str]:
    problems = []
    if "???" in info["text"]:
        problems.append("an unresolved reference shows as '???'")
    if info["unresolved"]:
        problems.append(f"{info['unresolved']} unresolved reference marker(s)")
    missing = set()
    for href in info["links"]:
        url = urlparse(href)
        if not href.startswith(base) or not url.path:
            continue
        target = site / unquote(url.path).lstrip("/")
        if not (target.is_file() or (target / "index.html").is_file()):
            missing.add(unquote(url.path))
    if missing:
        problems.append(f"links to missing page(s): {sorted(missing)[:3]}")
    return problems


def check_code_overflow(info: dict) -> list[str]:
    if not info["overflowing"]:
        return []
    return [f"{len(info['overflowing'])} of {info['codeBlocks']} code cell(s) wider than their box, "
            f"e.g. {info['overflowing'][0]!r}"]


def _words_pattern(words: list[str]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I)


def check_wording(info: dict) -> list[str]:
    found = sorted({m.group(1).lower() for m in _words_pattern(INTERNAL_WORDS).finditer(info["text"])})
    return [f"internal wording: {found}"] if found else []


def check_search(page, base: str, queries: list[str] = SEARCH_QUERIES) -> list[str]:
    """The search page finds each query, and no snippet of its results shows LaTeX source."""
    return [problem for query in queries for problem in _check_query(page, base, query)]


def _check_query(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}/search.html?q={query}", wait_until="load")
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results li p.context').length > 0 || "
            "(document.querySelector('#search-results p') || {}).innerText", timeout=30000)
        page.wait_for_timeout(1500)  # the remaining snippets are fetched one by one
    except Exception:
        return [f"search for {query!r} showed no results within 30 s"]
    snippets = page.evaluate("() => Array.from(document.querySelectorAll('#search-results li'))"
                             ".map(li => (li.querySelector('p.context') || {}).innerText || '')")
    if not snippets:
        return [f"search for {query!r} found nothing"]
    bad = [s for s in snippets if any(r in s for r in RAW_LATEX)]
    if bad:
        return [f"{query!r}: {len(bad)} of {len(snippets)} search snippet(s) show raw LaTeX, e.g. {' '.join(bad[0].split())[:90]!r}"]
    return []


def check_scorecard(page, base: str, site: Path) -> list[str]:
    """The scorecard's filter set to each status shows only rows of that status, and fewer than all."""
    found = [p for p in site.rglob("reproduction.html") if "_sources" not in p.parts]
    if not found:
        return ["no scorecard page (reproduction.html)"]
    _open(page, f"{base}/{found[0].relative_to(site).as_posix()}")
    if not page.query_selector("form.scorecard-filter select[name=status]"):
        return ["the scorecard page has no filter"]
    status_of = ("() => Array.from(document.querySelectorAll('table.scorecard tbody tr'))"
                 ".filter(r => r.offsetParent !== null).map(r => r.querySelector('td').textContent.trim()"
                 ".replace(/^\\S+\\s+/, ''))")
    every = page.evaluate(status_of)
    statuses = sorted(set(every))
    problems = []
    for status in statuses:
        page.select_option("form.scorecard-filter select[name=status]", status)
        shown = page.evaluate(status_of)
        if not shown or set(shown) != {status} or (len(statuses) > 1 and len(shown) >= len(every)):
            problems.append(f"filter {status!r} shows {len(shown)} row(s) of {sorted(set(shown))}")
    page.select_option("form.scorecard-filter select[name=status]", "")
    if len(page.evaluate(status_of)) != len(every):
        problems.append("clearing the filter does not show every row again")
    return problems


def _cli_plan(flops: str, law: str, tokens: str | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    extra = ["--inference-tokens", tokens] if tokens is not None else []
    done = subprocess.run([sys.executable, "-m", "chinchilla_lib", "plan", "--flops", flops, "--law", law, "--json"]
                          + extra, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(done.stderr.strip())
    return json.loads(done.stdout)


def check_planner(page, base: str, site: Path) -> list[str]:
    """Type budgets into the planner and compare every row with ``python -m chinchilla_lib plan``."""
    candidates = [p for p in site.rglob("planner.html") if "_sources" not in p.parts]
    if not candidates:
        return ["no planner page (planner.html) in the site"]
    problems = _open(page, f"{base}/{candidates[0].relative_to(site).as_posix()}")
    for bad in ("-1", "abc", ""):
        page.fill("#planner-flops", bad)
        page.click("#planner-go")
        message = page.inner_text("#planner-message")
        if "FLOPs" not in message or page.is_visible("#planner-results tbody tr"):
            problems.append(f"budget {bad!r}: no clear refusal (message {message!r})")
    page.fill("#planner-tokens", "")
    for flops in PLANNER_BUDGETS:
        page.fill("#planner-flops", flops)
        page.click("#planner-go")
        rows = _planner_rows(page, "#planner-results")
        if not rows:
            problems.append(f"budget {flops}: the planner shows no rows")
        for law, values in rows:
            try:
                want = _cli_plan(flops, law)
            except RuntimeError as exc:
                problems.append(f"budget {flops}, {law}: the command line refused ({exc})")
                continue
            for key in ("n_params", "n_tokens") + (("loss",) if "loss" in want else ()):
                got = values.get(key)
                if got is None or abs(got / want[key] - 1) > PLANNER_REL_TOL:
                    problems.append(f"budget {flops}, {law}: {key} {got} in the page, {want[key]} from plan")
    for flops, tokens in PLANNER_INFERENCE:
        page.fill("#planner-flops", flops)
        page.fill("#planner-tokens", tokens)
        page.click("#planner-go")
        rows = _planner_rows(page, "#planner-inference")
        if not rows:
            problems.append(f"budget {flops}, inference tokens {tokens}: the planner shows no rows")
        for law, values in rows:
            want = _cli_plan(flops, law, tokens)
            for key, cli in (("n_params", want["n_params"]), ("n_tokens", want["n_tokens"]),
                             ("total_flops", want["total_flops"]),
                             ("compute_optimal.total_flops", want["compute_optimal"]["total_flops"])):
                got = values.get(key)
                if got is None or abs(got / cli - 1) > PLANNER_REL_TOL:
                    problems.append(f"budget {flops}, T {tokens}, {law}: {key} {got} in the page, {cli} from plan")
    return problems


def _planner_rows(page, table: str) -> list:
    return page.evaluate(f"() => Array.from(document.querySelectorAll('{table} tbody tr')).map(tr => "
                         "[tr.dataset.law, Object.fromEntries(Array.from(tr.querySelectorAll('td[data-value]'))"
                         ".map(td => [td.dataset.key, Number(td.dataset.value)]))])")


@functools.lru_cache(maxsize=1)
def numbered_chapters() -> frozenset[str]:
    """Pages of the numbered parts of ``_toc.yml`` (``chapters/NAME.html``): each has key results and exercises."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return frozenset(f"{c['file']}.html" for part in toc.get("parts", []) if part.get("numbered")
                     for c in part["chapters"])


def check_structure(info: dict, rel: str) -> list[str]:
    if rel not in numbered_chapters():
        return []
    return ((["no key-results box"] if not info["keyResults"] else [])
            + (["no Exercises section"] if not info["exercises"] else []))


def check_page(page, url: str, site: Path, base: str, only: set[str]) -> dict[str, list[str]]:
    """Problems found on one page, by check name (a check with no problem is left out)."""
    opened = _open(page, url)
    info = page.evaluate(PAGE_PROBE)
    rel = url[len(base):].lstrip("/")
    found = {
        "render": lambda: opened + check_render(info),
        "caption-math": lambda: check_caption_math(info),
        "alt-text": lambda: check_alt_text(info),
        "xrefs": lambda: check_xrefs(info, site, base),
        "code-overflow": lambda: check_code_overflow(info),
        "wording": lambda: check_wording(info),
        "tables": lambda: ([f"{len(info['wideTables'])} table(s) wider than the {info['column']} px text column "
                            f"without a scroll box of their own: {info['wideTables'][:3]} px"]
                           if info["wideTables"] else []),
        "structure": lambda: check_structure(info, rel),
        "figures": lambda: ([f"{info['unlinkedFigures']} of {info['figureImages']} figure image(s) do not open "
                             "full size on a click"] if info["unlinkedFigures"] else []),
    }
    out = {name: run() for name, run in found.items() if name in only}
    out["_info"] = info
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("_build/html"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--only", default=",".join(CHECKS),
                        help=f"comma-separated checks to run (default all): {', '.join(CHECKS)}")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = sorted(only - set(CHECKS))
    if unknown:
        parser.error(f"--only: unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}")

    from playwright.sync_api import sync_playwright

    site = args.site.resolve()
    pages = sorted(p for p in site.rglob("*.html")
                   if p.name not in SKIP and "_static" not in p.parts and "_sources" not in p.parts)
    # index.html at the root is only a redirect to the first chapter
    pages = [p for p in pages if not (p.parent == site and p.name == "index.html")]
    if not pages:
        print(f"no pages found under {site}", file=sys.stderr)
        return 1
    server, base = _serve(site)
    failed: dict[str, list[str]] = {name: [] for name in CHECKS}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            console_errors: list[str] = []
            page.on("pageerror", lambda exc: console_errors.append(str(exc)))
            for path in pages:
                rel = path.relative_to(site).as_posix()
                console_errors.clear()
                result = check_page(page, f"{base}/{rel}", site, base, only)
                info = result.pop("_info")
                if "render" in result:
                    result["render"] += [f"JavaScript error: {e}" for e in console_errors]
                bad = {name: problems for name, problems in result.items() if problems}
                status = "ok  " if not bad else "FAIL"
                print(f"{status} {rel}: {info['figures']} figure(s), {info['images']} image(s), "
                      f"{info['mathRendered']} typeset formula(s), {len(info['overflowing'])} of "
                      f"{info['codeBlocks']} code cell(s) overflowing, {info['height']} px tall at 1280 px")
                for name, problems in bad.items():
                    failed[name].append(rel)
                    for problem in problems:
                        print(f"     - [{name}] {problem}")
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.screenshots / (rel.replace("/", "_") + ".png")), full_page=True)
            for name, run in (("search", lambda: check_search(page, base)),
                              ("planner", lambda: check_planner(page, base, site)),
                              ("scorecard", lambda: check_scorecard(page, base, site))):
                if name not in only:
                    continue
                problems = run()
                print(f"{'ok  ' if not problems else 'FAIL'} [{name}]")
                for problem in problems:
                    print(f"     - [{name}] {problem}")
                if problems:
                    failed[name].append(name)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"{len(pages)} pages checked; checks run: {', '.join(c for c in CHECKS if c in only)}")
    for name in CHECKS:
        if name in only:
            where = failed[name]
            print(f"  {name:<14} {'ok' if not where else 'FAIL on ' + str(len(where)) + ': ' + ', '.join(where)}")
    return 1 if any(failed[name] for name in only) else 0


if __name__ == "__main__":
    sys.exit(main())
