"""Every page of the book as a reader's browser shows it: math typeset, images loaded, a
clean console.

The built book (``built_book``, CI mode) is served on 127.0.0.1 and one headless Chromium
(``tests/browser/book_pages.js``, nothing but 127.0.0.1 reachable) opens, one after the
other, the landing page, every page of the table of contents (each chapter, the "In your
browser" page, the gallery index, the API page), waits for MathJax 3 to finish typesetting
and takes a full-page screenshot of each (the folder is printed; ``pytest -s`` shows it).
Per page the test asserts:

* a page whose HTML holds math (MyST's ``class="math"`` or a TeX delimiter in its prose)
  has at least one typeset ``mjx-container``, and no visible text outside code still shows
  a raw ``\\[``, ``\\(`` or ``$$``;
* no image failed to load (``naturalWidth`` 0);
* no error in the console and no uncaught page error. Once there were: sphinx-thebe's
  ``THEBE_JS_URL`` declared twice on every page, the widget manager's MathJax 2 call and
  its fonts' 404s on the widget pages (``book/vendor_assets.py``), the theme's "invalid
  theme mode" on a reader's first page (``html_context.default_mode`` in ``_config.yml``).
  Only the LiteRT.js runtime's own INFO/WARNING log lines are let through (LITERT_LOG).

``test_inline_scripts_are_written_once`` checks the first of those in the HTML itself.
One browser visits the 14 pages in about a minute (the API page, some 250 000 px tall,
is screenshotted down to 30 000 px), once the book is built.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_support import run_driver, serve
from conftest import REPO
from test_book_html import prose_text

#: A TeX delimiter that MathJax should have replaced.
RAW_TEX = re.compile(r"\\\[|\\\(|\$\$")
#: Log lines of the LiteRT.js WebAssembly runtime ("In your browser" page): it prints its
#: INFO and WARNING log (glog style, "INFO: [environment.cc:36] ...") to stderr, which
#: Emscripten sends to console.error, and LiteRT.js 2.5 has no option to quiet it. Its
#: ERROR lines still fail the test.
LITERT_LOG = re.compile(r"^(INFO|WARNING): (\[\w+\.cc:\d+\] |Created TensorFlow Lite )")


def book_pages() -> list[str]:
    """The landing page and every page of the table of contents, as built HTML paths."""
    toc = yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf-8"))
    pages = ["index.html"]  # redirects to the root page, toc["root"]
    for part in toc.get("parts", []):
        pages += [f"{entry['file']}.html" for entry in part["chapters"] if "file" in entry]
    return list(dict.fromkeys(pages))


PAGES = book_pages()
#: The page the landing page index.html redirects to.
ROOT = yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf-8"))["root"]
#: An inline script of a page (no src attribute) and its body.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def has_math(page: Path) -> bool:
    """Whether the built page holds math for MathJax to typeset."""
    source = page.read_text(encoding="utf-8")
    return 'class="math' in source or bool(RAW_TEX.search(prose_text(page)))


@pytest.fixture(scope="module")
def browsed(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The driver's report of every page, by page (one browser, pages in sequence)."""
    work = tmp_path_factory.mktemp("book_pages")
    shots = work / "screenshots"
    start = time.perf_counter()
    with serve(built_book) as url:
        plan = {"base": url, "pages": PAGES, "profile": str(work / "profile"),
                "shots": str(shots)}
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan))
        report = run_driver("book_pages.js", str(plan_file), timeout=900)
    seconds = time.perf_counter() - start
    print(f"\n{len(PAGES)} pages in {seconds:.0f} s; full-page screenshots in {shots}")
    return {"pages": {result["page"]: result for result in report["pages"]},
            "shots": shots, "blocked": report["blocked"]}


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGES)
def test_page_renders_for_a_reader(built_book: Path, browsed: dict[str, Any],
                                   name: str) -> None:
    result = browsed["pages"][name]
    where = f"{name} (screenshot {result.get('screenshot', browsed['shots'])})"
    log = json.dumps({k: result.get(k) for k in
                      ("console_errors", "page_errors", "failed", "blocked")}, indent=1)
    assert "error" not in result, f"{where} could not be opened: {result['error']}"
    if name == "index.html":
        assert result["final_url"].endswith(f"/{ROOT}.html"), result["final_url"]
        name = f"{ROOT}.html"
    assert result["mathjax"] != "timeout", f"{where}: MathJax never finished typesetting"
    if has_math(built_book / name):
        assert result["mjx_containers"] >= 1, (
            f"{where} has math but MathJax typeset none of it (MathJax: {result['mathjax']}). "
            f"Browser log:\n{log}")
    assert not result["raw_tex"], f"{where} shows raw TeX: {result['raw_tex'][:5]}"
    assert not result["broken_images"], f"{where}: images did not load: " \
                                        f"{result['broken_images']}\n{log}"
    assert not result["page_errors"], f"{where}: uncaught errors:\n{log}"
    errors = [line for line in result["console_errors"] if not LITERT_LOG.match(line)]
    assert not errors, f"{where}: console errors:\n{log}"


@pytest.mark.book
def test_inline_scripts_are_written_once(built_book: Path) -> None:
    """No page's ``<head>`` holds the same inline script twice (Sphinx 7 wrote every script
    an extension registered after the builder started twice: sphinx-thebe's
    ``const THEBE_JS_URL`` twice is a SyntaxError; ``book/vendor_assets.py`` fixes it).
    Outputs in the body may repeat theirs (two matplotlib animations, two copies of its
    player's functions)."""
    problems = []
    for page in sorted(built_book.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        source = page.read_text(encoding="utf-8")
        head = source[:source.find("</head>")]
        bodies = [body.strip() for body in INLINE_SCRIPT.findall(head) if body.strip()]
        twice = {body for body in bodies if bodies.count(body) > 1}
        problems += [f"{page.relative_to(built_book)}: {body[:100]}" for body in sorted(twice)]
    assert not problems, "inline scripts written twice:\n" + "\n".join(problems[:20])


def test_every_chapter_page_is_visited() -> None:
    """The page list follows the table of contents: every chapter notebook is in it."""
    from conftest import NOTEBOOK_NAMES

    for name in NOTEBOOK_NAMES:
        assert f"notebooks/{name}.html" in PAGES
    assert {"index.html", "api.html", "auto_examples/index.html"} <= set(PAGES)
