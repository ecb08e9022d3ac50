"""The static widgets of chapters 5 and 6 (decay; decay and threshold) work in the published book.

The built page is served on 127.0.0.1 as built and opened in headless Chromium (Debian's
``chromium``, driven by ``playwright-core``; ``make browser-deps`` installs both). The
widget JavaScript (require.js, ``@jupyter-widgets/html-manager``) comes from the book's own
``_static/vendor/``, and nothing but 127.0.0.1 is reachable from the browser, so the test
also proves that the widgets work offline (the server and the driver's launch are shared
with the other browser tests: ``tests/browser_support.py``, ``tests/browser/launch.js``).
The test moves the slider one step with the keyboard and asserts that the displayed figure
changed, with no kernel anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import book_server, run_driver

__all__ = ["book_server"]  # the fixture, imported to be used here

#: Chapter pages with a static widget: chapter 5's decay slider, chapter 6's decay and
#: threshold sliders (the driver moves the first slider of the page).
CHAPTER_PAGES = ("notebooks/05_smoothing.html", "notebooks/06_continuous.html")


@pytest.mark.browser
@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_decay_slider_changes_figure_without_kernel(book_server: str, tmp_path: Path,
                                                     page: str) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    report = run_driver("slider.js", f"{book_server}/{page}", str(tmp_path / "profile"),
                        str(shots), timeout=180)
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
