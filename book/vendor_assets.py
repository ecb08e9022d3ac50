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
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "browser" / "node_modules"
BADGE = HERE / "colab-badge.svg"
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
    if missing or not BADGE.is_file():
        raise FileNotFoundError(
            f"the book's offline JavaScript is not installed (missing {(missing or [BADGE])[0]}"
            f"): run `make page-deps`, which runs npm ci in {NODE_MODULES.parent} from its "
            "package-lock.json.")
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
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
