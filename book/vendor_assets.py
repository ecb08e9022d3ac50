"""Sphinx extension: every page of the book works offline, with nothing from a CDN.

Jupyter Book loads MathJax, and myst-nb loads require.js and the Jupyter widget manager, from
CDNs by default, and every chapter's Colab badge is an image on colab.research.google.com.
Opened without a network, equations then show as raw ``\\[...\\]`` and the static widgets do
nothing. This extension copies pinned copies of them (the npm packages of
``book/browser/package-lock.json``, installed by ``make page-deps``) and the badge image
(``book/colab-badge.svg``) into ``_static/vendor/`` of the built HTML, and ``_config.yml``
points ``mathjax_path`` and ``nb_ipywidgets_js`` there. The badge stays a link to Colab;
only its image is served from the book. ``tests/test_book_html.py`` fails if any page
still loads something from outside the book's folder.

Two fixes keep every page's browser console clean (``tests/test_book_browser.py`` opens
every page and fails on any console error):

* ``book/widget-manager-setup.js``, copied next to the widget manager and loaded before it
  (``nb_ipywidgets_js``): the widget manager 1.0.6 typesets with MathJax 2's
  ``MathJax.Hub.Queue``, which MathJax 3 does not have (a ``TypeError``), and looks for its
  fonts relative to the page (a 404 each); the script maps the first onto MathJax 3's
  ``typesetPromise`` and tells require.js where the widget manager's folder is.
* :func:`body_scripts_once`: Sphinx 7 writes every inline ``<script>`` that an extension
  registers after the builder started twice (``None`` and ``''`` file names compare
  unequal; fixed in Sphinx 8.2, sphinx-doc/sphinx#13402, which Jupyter Book 1.x cannot
  use), so sphinx-thebe's ``const THEBE_JS_URL`` was declared twice on every page, a
  ``SyntaxError`` in the console.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "browser" / "node_modules"
BADGE = HERE / "colab-badge.svg"
#: Loaded before the widget manager: MathJax 2's API on MathJax 3, its fonts' folder.
WIDGET_SETUP = HERE / "widget-manager-setup.js"
#: The image the Colab badges of the notebooks point at (book/sync_headers.py writes it).
REMOTE_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
#: (source folder or file under node_modules, target under _static/vendor, kept patterns).
VENDOR = (
    ("mathjax/es5", "mathjax", ("tex-mml-chtml.js", "output", "input", "ui", "a11y")),
    ("requirejs/require.js", "require.js", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("embed-amd.js", "*.embed.js",
                                                            "*.woff", "*.woff2", "*.ttf",
                                                            "*.eot", "*.svg")),
)


def _sources() -> list[tuple[Path, str, tuple[str, ...]]]:
    found = [(NODE_MODULES / source, target, keep) for source, target, keep in VENDOR]
    missing = [str(path) for path, _, _ in found if not path.exists()]
    if missing:
        raise FileNotFoundError(
            f"the book's offline JavaScript is not installed (missing {missing[0]}): run "
            f"`make page-deps`, which runs npm ci in {NODE_MODULES.parent} from its "
            "package-lock.json.")
    for own in (BADGE, WIDGET_SETUP):
        if not own.is_file():
            raise FileNotFoundError(f"{own} is missing: it is part of the repository.")
    return found


def copy_vendor(static: Path) -> None:
    """Copy MathJax, require.js, the widget manager and the badge into ``static/vendor``."""
    vendor = static / "vendor"
    for source, target, keep in _sources():
        if source.is_file():
            (vendor / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, vendor / target)
            continue
        for pattern in keep:
            for path in source.glob(pattern):
                destination = vendor / target / path.relative_to(source)
                if path.is_dir():
                    shutil.copytree(path, destination, dirs_exist_ok=True)
                else:
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, destination)
    shutil.copy2(BADGE, vendor / BADGE.name)
    shutil.copy2(WIDGET_SETUP, vendor / WIDGET_SETUP.name)


def localize_badges(html_root: Path) -> int:
    """Point every page's Colab badge image at ``_static/vendor``; return the pages changed."""
    changed = 0
    for page in html_root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if REMOTE_BADGE not in text:
            continue
        local = os.path.relpath(html_root / "_static" / "vendor" / BADGE.name, page.parent)
        page.write_text(text.replace(REMOTE_BADGE, Path(local).as_posix()), encoding="utf-8")
        changed += 1
    return changed


def body_scripts_once(app: Any) -> None:
    """Sphinx ``builder-inited`` hook: inline scripts registered later are written once.

    ``Sphinx.add_js_file(None, body=...)`` hands ``None`` to the HTML builder, which keeps
    it, and the builder adds the same script again from the registry as ``''`` when it
    starts writing; the two compare unequal, so the page gets the script twice. Passing
    ``''`` from the start is Sphinx 8.2's fix (sphinx-doc/sphinx#13402).
    """
    add_js_file = getattr(app.builder, "add_js_file", None)
    if add_js_file is None or getattr(add_js_file, "_body_scripts_once", False):
        return

    def add_js_file_once(filename: str | None, **kwargs: Any) -> None:
        add_js_file(filename or "", **kwargs)

    add_js_file_once._body_scripts_once = True  # type: ignore[attr-defined]
    app.builder.add_js_file = add_js_file_once


def build_finished(app: Any, exception: Exception | None) -> None:
    """Sphinx ``build-finished`` hook: vendor files in, badge images local."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    copy_vendor(outdir / "_static")
    localize_badges(outdir)


def setup(app: Any) -> dict[str, Any]:
    """Register the hook; fail at the start of a build when the packages are missing."""
    _sources()
    # First of all builder-inited hooks: extensions register scripts from there on.
    app.connect("builder-inited", body_scripts_once, priority=0)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
