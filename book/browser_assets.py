"""Sphinx extension: puts the "In your browser" page's app and assets next to the page.

Registered in ``_config.yml`` (``sphinx.local_extensions``). When an HTML build has
finished, it fills ``<html>/browser/`` with

- the page's ES modules (``book/browser/*.js``);
- LiteRT.js from the npm packages pinned in ``book/browser/package-lock.json``
  (``make browser-deps`` installs them): ``vendor/litertjs-core/`` (``index.js`` and the
  WebAssembly builds the page can load) and ``vendor/litertjs-wasm-utils/index.js``, the
  two paths of the page's import map; nothing is fetched from a CDN at view time;
- ``assets/``: the int8 model exported from the shipped weights and the demo clips and
  stream (:func:`streamnets.web.write_page_assets`).

Every ``make book`` and every test build writes them afresh, so the page always runs the
model the export chapter describes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

APP_DIR = Path(__file__).resolve().parent / "browser"
NODE_MODULES = APP_DIR / "node_modules" / "@litertjs"
#: What the page loads from each package: (source in node_modules, target in vendor/).
VENDOR_FILES = (
    ("core/dist/index.js", "litertjs-core/index.js"),
    ("wasm-utils/dist/index.js", "litertjs-wasm-utils/index.js"),
)
#: The WebAssembly builds LiteRT.js picks from (plain, threaded, and the compatibility
#: build for browsers without SIMD); the JSPI build is used only on request.
WASM_BUILDS = ("litert_wasm_internal", "litert_wasm_threaded_internal",
               "litert_wasm_compat_internal")


def vendor_files() -> list[tuple[Path, str]]:
    """(source, target under ``vendor/``) of every LiteRT.js file the page needs."""
    files = [(NODE_MODULES / source, target) for source, target in VENDOR_FILES]
    files += [(NODE_MODULES / "core" / "wasm" / f"{build}{suffix}",
               f"litertjs-core/wasm/{build}{suffix}")
              for build in WASM_BUILDS for suffix in (".js", ".wasm")]
    missing = [str(source) for source, _ in files if not source.is_file()]
    if missing:
        raise FileNotFoundError(
            f"LiteRT.js is not installed for the browser page (missing {missing[0]} and "
            f"{len(missing) - 1} more): run `make browser-deps`, which runs npm ci in "
            f"{APP_DIR} from its package-lock.json.")
    return files


def copy_page_files(out: Path) -> None:
    """Copy the app's modules and LiteRT.js into ``out`` (``<html>/browser``)."""
    files = vendor_files()
    out.mkdir(parents=True, exist_ok=True)
    for module in sorted(APP_DIR.glob("*.js")):
        shutil.copy2(module, out / module.name)
    for source, target in files:
        (out / "vendor" / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, out / "vendor" / target)


def build_finished(app: Any, exception: Exception | None) -> None:
    """Sphinx ``build-finished`` hook: write the page's files after a good HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    from streamnets.web import write_page_assets

    out = Path(app.outdir) / "browser"
    copy_page_files(out)
    shutil.rmtree(out / "assets", ignore_errors=True)
    write_page_assets(out / "assets", log=lambda line: print(f"[browser page] {line}"))


def setup(app: Any) -> dict[str, Any]:
    """Register the hook (the extension changes no document, so builds may be parallel)."""
    vendor_files()  # fail at the start of a build, not after it
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
