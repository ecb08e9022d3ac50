"""What the browser tests share: serving the built book on 127.0.0.1 and running a driver.

The built book is served as built, by a thread on a free port: every page loads its
JavaScript (MathJax, require.js, the widget manager, LiteRT.js) from the book's own folder
(``book/vendor_assets.py``, ``book/browser_assets.py``), so the tests see what a reader
opening the published book without a network sees. With ``isolated=True`` the server also
sends the COOP/COEP headers that make a page cross-origin isolated, which LiteRT.js's
threaded WebAssembly build needs.

The drivers (``tests/browser/*.js``, ``playwright-core`` with Debian's ``chromium``) let
nothing but 127.0.0.1 through and print a JSON report on stdout.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
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


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built book's files, optionally cross-origin isolated."""

    #: Send COOP/COEP headers (cross-origin isolation, for threaded WebAssembly).
    isolated = False

    def end_headers(self) -> None:
        if self.isolated:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

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
