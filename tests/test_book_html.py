"""The built HTML as a reader gets it: no markup leaks, no logs, no broken or repeated
figures, nothing loaded from outside the book's own folder.

Each check reads every page of the book that ``built_book`` made (CI mode) and names the
page and the offending text, so a failure says what to fix.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest
from test_book import page_text

pytestmark = pytest.mark.book

#: Markup that only shows when MyST or myst-nb failed to render it.
RAW_MARKUP = re.compile(r"\{(glue|glue:text|glue:figure|numref|ref|doc|eq|math)\}`|"
                        r"```\{|:::\{|\{glue:\}")
#: Log lines of TensorFlow, absl and XLA, Python's tracebacks and warnings, and paths of
#: temporary folders (a reader's machine has other ones).
LOGS = re.compile(r"Traceback \(most recent call last\)|\b[IWE]0000 \d\d:\d\d|"
                  r"tensorflow/core/|external/local_xla|WARNING:tensorflow|"
                  r"triggered tf\.function retracing|oneDNN custom operations|"
                  r"\.py:\d+: \w*Warning:|/tmp/tmp\w+")
#: Attributes that make the browser fetch something (links a reader clicks are fine).
FETCHES = re.compile(r'<(script|img|iframe|source|video|audio)\b[^>]*\bsrc="(?P<src>[^"]+)"|'
                     r'<link\b[^>]*\bhref="(?P<href>[^"]+)"', re.IGNORECASE)
FIGURE = re.compile(r"<figure\b.*?</figure>", re.DOTALL | re.IGNORECASE)
IMAGE_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"', re.IGNORECASE)
#: Images meant to repeat: theme icons, the Colab badge, gallery thumbnails (the API page
#: shows an example's thumbnail under every object the example uses).
REPEATABLE = re.compile(r"_static/|badge|sphx_glr_\w+_thumb\.png")


def pages(built_book: Path) -> list[Path]:
    """Every HTML page of the book, without Sphinx's search and index pages."""
    skip = {"search.html", "genindex.html", "py-modindex.html"}
    return [p for p in sorted(built_book.rglob("*.html"))
            if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts]


def _report(problems: list[str]) -> str:
    return "\n".join(problems[:40]) + (f"\n... and {len(problems) - 40} more"
                                        if len(problems) > 40 else "")


def prose_text(page: Path) -> str:
    """The visible text of a page without its code (``<pre>``, ``<code>``): markup quoted
    as code, such as the glue roles that :mod:`streamnets.viz.notebook` documents, is meant."""
    source = page.read_text(encoding="utf-8")
    main = source[source.find("<main"):] if "<main" in source else source
    main = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", main, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_no_raw_markup_or_logs(built_book: Path) -> None:
    problems = []
    for page in pages(built_book):
        for pattern, what, text in ((RAW_MARKUP, "raw markup", prose_text(page)),
                                    (LOGS, "log or traceback", page_text(page))):
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 60):match.end() + 60]
                problems.append(f"{page.relative_to(built_book)}: {what}: …{around}…")
    assert not problems, _report(problems)


def test_nothing_loads_from_outside_the_book(built_book: Path) -> None:
    problems = []
    for page in pages(built_book):
        for match in FETCHES.finditer(page.read_text(encoding="utf-8")):
            url = match["src"] or match["href"]
            if re.match(r"(https?:)?//", url):
                problems.append(f"{page.relative_to(built_book)} loads {url}")
    assert not problems, _report(problems)


def _image_key(page: Path, src: str) -> str:
    if src.startswith("data:"):
        return hashlib.sha256(src.encode()).hexdigest()
    file = (page.parent / src.split("#")[0].split("?")[0]).resolve()
    return hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else f"missing:{src}"


def test_figures_have_images_once(built_book: Path) -> None:
    problems = []
    for page in pages(built_book):
        source = page.read_text(encoding="utf-8")
        name = page.relative_to(built_book)
        for figure in FIGURE.findall(source):
            if not re.search(r"<(img|svg|video|iframe)\b|application/vnd\.jupyter\.widget-view",
                             figure, re.IGNORECASE):  # an image, or a widget drawn by JS
                caption = re.sub(r"<[^>]+>", " ", figure)
                problems.append(f"{name}: a figure with no image: {' '.join(caption.split())[:90]}")
        seen: dict[str, str] = {}
        for src in IMAGE_SRC.findall(source):
            key = _image_key(page, src)
            if key.startswith("missing:"):
                problems.append(f"{name}: image {src} is not in the build")
            elif key in seen and not REPEATABLE.search(src):
                problems.append(f"{name}: the same image twice ({seen[key]} and {src})")
            seen.setdefault(key, src)
    assert not problems, _report(problems)
