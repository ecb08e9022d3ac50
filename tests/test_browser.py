"""The static widgets of chapters 5 and 6 (decay; decay and threshold) work in the published book.

The built page is served on 127.0.0.1 and opened in headless Chromium (Debian's
``chromium``, driven by ``playwright-core``; ``make browser-deps`` installs both). The
widget JavaScript the page loads from two CDNs (require.js, ``@jupyter-widgets/
html-manager``) comes from the npm packages in ``tests/browser/node_modules`` instead:
the server rewrites the page's CDN URLs to local ones and drops the require.js
subresource-integrity hash, which pins the CDN's minified file that npm does not ship.
Nothing but 127.0.0.1 is reachable from the browser. The test moves the slider one step
with the keyboard and asserts that the displayed figure changed, with no kernel anywhere.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).parent / "browser"
NODE_MODULES = BROWSER_DIR / "node_modules"
DRIVER = BROWSER_DIR / "slider.js"
CHROMIUM = Path("/usr/bin/chromium")
#: Chapter pages with a static widget: chapter 5's decay slider, chapter 6's decay and
#: threshold sliders (the driver moves the first slider of the page).
CHAPTER_PAGES = ("notebooks/05_smoothing.html", "notebooks/06_continuous.html")

REQUIRE_JS_CDN = re.compile(
    r"https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/(?P<version>[^/]+)/require(\.min)?\.js"
)
HTML_MANAGER_CDN = re.compile(
    r"https://cdn\.jsdelivr\.net/npm/@jupyter-widgets/html-manager@(?P<version>[^/]+)/dist/"
)
WIDGETS_CDN_ATTR = re.compile(r'data-jupyter-widgets-cdn="[^"]*"')
INTEGRITY_ATTR = re.compile(r'\s+integrity="[^"]*"')
LOCAL_REQUIRE_JS = "/_cdn/requirejs/require.js"
LOCAL_HTML_MANAGER = "/_cdn/html-manager/dist/"


def _npm_version(package: str) -> str:
    return json.loads((NODE_MODULES / package / "package.json").read_text())["version"]


def localize_widget_js(html: str) -> str:
    """Point the page's widget scripts at the local copies; fail if versions differ.

    The page must load exactly the versions pinned in ``tests/browser/package.json``, or
    the test would check different JavaScript than readers get.
    """
    wanted = {
        "requirejs": {m["version"] for m in REQUIRE_JS_CDN.finditer(html)},
        "@jupyter-widgets/html-manager": {m["version"] for m in HTML_MANAGER_CDN.finditer(html)},
    }
    for package, versions in wanted.items():
        pinned = _npm_version(package)
        if versions != {pinned}:
            raise AssertionError(
                f"the page loads {package} {sorted(versions) or 'nowhere'} from its CDN, but "
                f"tests/browser/package.json pins {pinned}; pin the page's version there "
                f"(and refresh package-lock.json) so the test serves the same file."
            )
    html = REQUIRE_JS_CDN.sub(LOCAL_REQUIRE_JS, html)
    html = HTML_MANAGER_CDN.sub(LOCAL_HTML_MANAGER, html)
    # Third-party widget modules would come from this CDN: point it home so that a
    # missing one shows as a local 404 rather than a silent network failure.
    html = WIDGETS_CDN_ATTR.sub('data-jupyter-widgets-cdn="/_cdn/npm/"', html)
    return INTEGRITY_ATTR.sub("", html)


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built book, with widget JavaScript from node_modules."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path == LOCAL_REQUIRE_JS:
            self._send(NODE_MODULES / "requirejs" / "require.js")
        elif path.startswith(LOCAL_HTML_MANAGER):
            dist = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
            self._send(dist / Path(path.removeprefix(LOCAL_HTML_MANAGER)).name)
        elif path.endswith(".html"):
            page = Path(self.translate_path(path))
            if not page.is_file():
                self.send_error(404)
                return
            self._send_bytes(localize_widget_js(page.read_text()).encode(), "text/html")
        else:
            super().do_GET()

    def _send(self, file: Path) -> None:
        if not file.is_file():
            self.send_error(404, f"{file} not found")
            return
        self._send_bytes(file.read_bytes(), self.guess_type(str(file)))

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: failed requests reach the report through the browser driver."""


@pytest.fixture
def book_server(built_book: Path) -> Iterator[str]:
    """Base URL of the built book served on 127.0.0.1 (a free port) by a thread."""
    handler = functools.partial(BookHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _check_browser_deps() -> None:
    missing = [str(p) for p in (CHROMIUM, NODE_MODULES / "playwright-core") if not p.exists()]
    if shutil.which("node") is None:
        missing.append("node")
    if missing:
        pytest.fail(f"browser test dependencies missing ({', '.join(missing)}): run "
                    f"`make browser-deps` (tests/browser/install.sh).")


@pytest.mark.browser
@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_decay_slider_changes_figure_without_kernel(book_server: str, tmp_path: Path,
                                                     page: str) -> None:
    _check_browser_deps()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    result = subprocess.run(
        ["node", str(DRIVER), f"{book_server}/{page}", str(tmp_path / "profile"),
         str(shots)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, f"browser driver failed:\n{result.stderr}"
    report = json.loads(result.stdout)
    diagnostics = json.dumps({k: report[k] for k in ("console", "errors", "blocked", "failed")},
                             indent=1)
    assert report["rendered"], (
        f"the widget never rendered in {page} ({report.get('render_error')}); did the "
        f"widget JavaScript load? Page screenshot in {shots}. Browser log:\n{diagnostics}"
    )
    before, after = report["before"], report["after"]
    assert after["readout"] != before["readout"], (
        f"the slider did not move (readout {before['readout']!r}). Browser log:\n{diagnostics}"
    )
    assert after["sha256"] != before["sha256"], (
        f"the slider moved ({before['readout']} -> {after['readout']}) but the displayed "
        f"figure did not change (screenshots in {shots}). Browser log:\n{diagnostics}"
    )
