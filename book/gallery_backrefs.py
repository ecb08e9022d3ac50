"""Sphinx extension: "Examples using ..." under every API entry that a gallery example uses.

sphinx-gallery records, for each example, the package objects it calls, and writes one
``<object>.examples`` file per object into ``backreferences_dir`` before autodoc runs
(``_config.yml``: ``doc_module: streamnets``, full module names). This hook appends a
``minigallery`` of those examples to the object's docstring on the API page, so a reader
of ``streamnets.detection.detect_events`` finds the thirty-line example that calls it.
Objects that no example uses get nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_examples(app: Any, what: str, name: str, obj: Any, options: Any,
                 lines: list[str]) -> None:
    """Append a mini-gallery to ``name``'s docstring when an example uses it."""
    folder = app.config.sphinx_gallery_conf.get("backreferences_dir")
    if not folder or what not in ("function", "class", "method"):
        return
    examples = Path(app.srcdir) / folder / f"{name}.examples"
    if examples.is_file() and examples.read_text(encoding="utf-8").strip():
        lines += ["", f".. minigallery:: {name}", f"   :add-heading: Examples using ``{name}``",
                  "   :heading-level: ^", ""]


def setup(app: Any) -> dict[str, Any]:
    """Register the hook (after sphinx-gallery has written the backreference files)."""
    app.connect("autodoc-process-docstring", add_examples)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
