"""The HTML book builds with Sphinx warnings as errors and holds what it should.

Uses the session's ``built_book`` (chapters executed in CI mode, see conftest.py). Pages
are checked through their visible text, so a number that did not render (a missing glue
key, a stripped output) fails here.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import NOTEBOOK_NAMES, REPO

pytestmark = pytest.mark.book


def page_text(path: Path) -> str:
    """The visible text of the main column of a built page, whitespace collapsed."""
    source = path.read_text(encoding="utf-8")
    main = source[source.find("<main"):] if "<main" in source else source
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_book_has_every_page(built_book: Path) -> None:
    pages = ["index.html", "intro.html", "api.html", "auto_examples/index.html",
             "auto_examples/plot_block_costs.html",
             *(f"notebooks/{name}.html" for name in NOTEBOOK_NAMES)]
    missing = [page for page in pages if not (built_book / page).is_file()]
    assert not missing, f"pages not built: {missing}"


def test_intro_links_chapters_and_states_akida_licence(built_book: Path) -> None:
    source = (built_book / "intro.html").read_text(encoding="utf-8")
    for name in NOTEBOOK_NAMES:
        assert f'href="notebooks/{name}.html"' in source, f"intro does not link {name}"
    text = page_text(built_book / "intro.html")
    assert "make book" in text and "make test" in text
    assert "proprietary" in text and "never Akida runtime timings" in text


def test_chapter_one_renders_glued_numbers_and_figures(built_book: Path) -> None:
    page = built_book / "notebooks" / "01_convolutions.html"
    text = page_text(page)
    # The gesture model's parameter count and its MACs per frame, glued from the notebook.
    assert "The gesture model has 1,353,895 parameters" in text
    assert re.search(r"needs 68\.2 million MACs per frame", text)
    assert re.search(r"need 172\.0 million MACs per frame", text)
    # Every glue role was replaced by its value.
    assert "{glue" not in text and "glue:text" not in text
    # The cost tables are rendered as tables, not as Markdown source.
    source = page.read_text(encoding="utf-8")
    assert source.count("<table") >= 3
    assert "|---|" not in text
    # Kernel shapes, cost bars and the causality plot.
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', source)
    assert len(images) >= 3, images
    for image in images:
        assert (page.parent / image).is_file(), f"missing image {image}"


def test_every_glued_value_is_rendered_in_every_chapter(built_book: Path) -> None:
    # No glue role is left as text, whatever its form ({glue}, {glue:}, {glue:text}, ...).
    for name in NOTEBOOK_NAMES:
        text = page_text(built_book / "notebooks" / f"{name}.html")
        assert "{glue" not in text, f"{name}: a glue role was not replaced by its value"
    # Generated sentences reach the page as text, without the quotes of a string's repr.
    export = page_text(built_book / "notebooks" / "08_export.html")
    assert "The input and output scales of every buffer are equal, so a buffer" in export
    streaming = page_text(built_book / "notebooks" / "04_streaming.html")
    assert re.search(r"differ by at most \S+ of the logits. scale, within the tolerance",
                     streaming)


def test_tensorflow_stderr_is_not_published(built_book: Path) -> None:
    for name in NOTEBOOK_NAMES:
        text = page_text(built_book / "notebooks" / f"{name}.html")
        for noise in ("cuda_", "absl::InitializeLog", "computation_placer"):
            assert noise not in text, f"{name}: TensorFlow log line {noise!r} in the page"


def test_chapters_carry_their_own_colab_badge(built_book: Path) -> None:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    slug = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    for name in NOTEBOOK_NAMES:
        source = (built_book / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        target = (f"https://colab.research.google.com/github/{slug}/blob/{branch}/"
                  f"notebooks/{name}.ipynb")
        assert f'href="{target}"' in source, f"{name}: no Colab badge to {target}"


def test_api_reference_documents_the_package(built_book: Path) -> None:
    source = (built_book / "api.html").read_text(encoding="utf-8")
    # Rendered autodoc entries (anchors), not reStructuredText shown as text.
    for target in ("streamnets.blocks.spatiotemporal_block", "streamnets.models.gesture_net",
                   "streamnets.models.macs_per_frame", "streamnets.timing.measure_throughput",
                   "streamnets.baselines.block_model"):
        assert f'id="{target}"' in source, f"API page lacks an entry for {target}"
    text = page_text(built_book / "api.html")
    assert ".. py:" not in text and ".. automodule" not in text
    # Docstring text and Google-style sections rendered by napoleon.
    assert "Build the 5-block spatiotemporal gesture model" in text
    assert "Parameters" in text and "Returns" in text


GALLERY = sorted((REPO / "book" / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("script", GALLERY, ids=lambda p: p.stem)
def test_gallery_example_was_executed(built_book: Path, script: Path) -> None:
    page = built_book / "auto_examples" / f"{script.stem}.html"
    source = page.read_text(encoding="utf-8")
    images = re.findall(rf'src="([^"]*sphx_glr_{script.stem}_\d+\.png)"', source)
    assert images, f"{script.name}'s figures are missing from its page"
    assert all((page.parent / image).is_file() for image in images)
    title = script.read_text(encoding="utf-8").split('"""', 2)[1].strip().splitlines()[0]
    assert title.replace("'", "’") in page_text(page).replace("'", "’")  # smart quotes
    index = (built_book / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert f"{script.stem}.html" in index


def test_api_page_links_the_examples_that_use_each_object(built_book: Path) -> None:
    """sphinx-gallery's backreferences under the API entries (book/gallery_backrefs.py)."""
    source = (built_book / "api.html").read_text(encoding="utf-8")
    text = page_text(built_book / "api.html")
    assert "Examples using streamnets.detection.detect_events" in text
    assert "Examples using streamnets.streaming.to_streaming" in text
    assert source.count("sphx-glr-thumbcontainer") >= 10  # the mini-galleries' thumbnails
