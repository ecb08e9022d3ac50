"""What the browser tests share: serving the built book on 127.0.0.1 and running a driver.

The built book is served by a thread on a free port. Widget pages load their JavaScript
from two CDNs (require.js, ``@jupyter-widgets/html-manager``); the server rewrites those
URLs to the npm copies in ``tests/browser/node_modules`` and drops the require.js
subresource-integrity hash, which pins the CDN's minified file that npm does not ship.
With ``isolated=True`` it also sends the COOP/COEP headers that make a page
cross-origin isolated, which LiteRT.js's threaded WebAssembly build needs.

The drivers (``tests/browser/*.js``, ``playwright-core`` with Debian's ``chromium``) let
nothing but 127.0.0.1 through and print a JSON report on stdout.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BROWSER_DIR = Path(__file__).parent / "browser"
NODE_MODULES = BROWSER_DIR / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")

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
    """Point a widget page's scripts at the local copies; fail if versions differ.

    The page must load exactly the versions pinned in ``tests/browser/package.json``, or
    the test would check different JavaScript than readers get. A page without widget
    scripts is returned unchanged.
    """
    wanted = {
        "requirejs": {m["version"] for m in REQUIRE_JS_CDN.finditer(html)},
        "@jupyter-widgets/html-manager": {m["version"] for m in HTML_MANAGER_CDN.finditer(html)},
    }
    if not any(wanted.values()):
        return html
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

    #: Send COOP/COEP headers (cross-origin isolation, for threaded WebAssembly).
    isolated = False

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

    def end_headers(self) -> None:
        if self.isolated:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

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


@contextlib.contextmanager
def serve(folder: Path, isolated: bool = False) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) from a thread; yield its base URL."""
    handler = functools.partial(type("Handler", (BookHandler,), {"isolated": isolated}),
                                directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def book_server(built_book: Path) -> Iterator[str]:
    """Base URL of the built book served on 127.0.0.1."""
    with serve(built_book) as url:
        yield url


def check_browser_deps() -> None:
    """Fail with what to run when Chromium, node or the npm packages are missing."""
    missing = [str(p) for p in (CHROMIUM, NODE_MODULES / "playwright-core") if not p.exists()]
    if shutil.which("node") is None:
        missing.append("node")
    if missing:
        pytest.fail(f"browser test dependencies missing ({', '.join(missing)}): run "
                    f"`make browser-deps` (tests/browser/install.sh).")


def run_driver(script: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    """Run ``tests/browser/<script>`` with node; return its JSON report."""
    check_browser_deps()
    result = subprocess.run(["node", str(BROWSER_DIR / script), *args], capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"browser driver {script} failed:\n{result.stderr[-4000:]}"
    return json.loads(result.stdout)
