"""The committed chapter notebooks follow the book's conventions (fast, no execution).

Sources carry no outputs; each has the header, the generated Colab cells and a papermill
``parameters`` cell with a CI mode; each is listed in the book's table of contents; every
glue read of the prose (all of myst-nb's forms) has a ``glue`` call that stores it, and
the prose types no result (no hand-written factor or percentage). The header generator
(``book/sync_headers.py``) is tested here as well.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import NOTEBOOK_NAMES, NOTEBOOKS_DIR, REPO

from streamnets.viz.notebook import glue_calls, glue_problems, glue_references

SYNC = REPO / "book" / "sync_headers.py"
BADGE_URL = re.compile(r"\]\((https://colab\.research\.google\.com/github/[^)\s]+)\)")
# What the prose may not type: a result has to come from a glued value. Glue roles, math
# and code are removed first; numbers there are the notebook's or are definitions.
_NOT_PROSE = re.compile(r"\{glue(?::[\w-]*)?\}(`+).*?\1|\$\$.*?\$\$|\$[^$\n]+\$"
                        r"|```.*?```|`[^`\n]+`", re.DOTALL)
_NUMBER_WORD = r"(?:\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|several|many)"
TYPED_RESULT = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:%|percent\b)"  # a typed percentage
    rf"|\b{_NUMBER_WORD}\s*(?:times|×|x)\s+(?:as\s+)?(?:faster|slower|smaller|larger|bigger"
    r"|fewer|more|less|cheaper|quicker|fast|slow|large|small|many|much)\b"  # a typed factor
    r"|\borders?\s+of\s+magnitude\b|\b(?:twice|half)\s+as\b",
    re.IGNORECASE,
)


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)


def repository() -> tuple[str, str]:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"], config["repository"]["branch"]


def toc_files() -> set[str]:
    """Every ``file:`` entry of book/_toc.yml."""
    files: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.add(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf-8")))
    return files


def test_there_are_chapters() -> None:
    assert "01_convolutions" in NOTEBOOK_NAMES


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_source_notebook_has_no_outputs(name: str) -> None:
    dirty = [index for index, cell in enumerate(load(name).cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{name}: code cells {dirty} carry outputs or execution counts; strip them"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_header_badge_and_install_cell(name: str) -> None:
    cells = load(name).cells
    header, install = cells[0], cells[1]
    assert header.cell_type == "markdown" and header.source.startswith("# ")
    assert "**What you will learn**" in header.source
    assert "**Time to run**" in header.source
    url, branch = repository()
    slug = url.removeprefix("https://github.com/")
    badges = BADGE_URL.findall(header.source)
    assert badges == [f"https://colab.research.google.com/github/{slug}/blob/{branch}/"
                      f"notebooks/{name}.ipynb"], f"{name}: badge must open its own path"
    assert install.cell_type == "code"
    assert 'if "google.colab" in sys.modules:' in install.source
    assert f"git+{url}@{branch}" in install.source


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_parameters_cell_defines_ci_mode(name: str) -> None:
    cell = load(name).cells[2]
    assert cell.cell_type == "code"
    assert "parameters" in cell.metadata.get("tags", []), f"{name}: cell 2 is not tagged"
    assert re.search(r'^CI_MODE = os\.environ\.get\("STREAMNETS_CI_MODE", "0"\) == "1"',
                     cell.source, re.MULTILINE), f"{name}: cell 2 must define CI_MODE"


def test_every_notebook_is_in_the_toc() -> None:
    listed = toc_files()
    missing = [name for name in NOTEBOOK_NAMES if f"notebooks/{name}" not in listed]
    assert not missing, f"add to book/_toc.yml: {['notebooks/' + n for n in missing]}"
    dangling = sorted(f for f in listed if f.startswith("notebooks/")
                      and f.removeprefix("notebooks/") not in NOTEBOOK_NAMES)
    assert not dangling, f"book/_toc.yml lists chapters with no notebook: {dangling}"


def run_sync(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SYNC), *args], capture_output=True, text=True,
                          check=False)


def test_headers_are_in_sync_with_config() -> None:
    result = run_sync("--check")
    assert result.returncode == 0, result.stderr


def test_sync_headers_detects_and_fixes_a_stale_badge(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy2(NOTEBOOKS_DIR / "01_convolutions.ipynb", notebooks / "01_convolutions.ipynb")
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork\n  branch: dev\n")
    paths = ("--config", str(config), "--notebooks", str(notebooks))
    stale = run_sync("--check", *paths)
    assert stale.returncode == 1 and "01_convolutions.ipynb" in stale.stderr
    before = nbformat.read(notebooks / "01_convolutions.ipynb", as_version=4)

    assert run_sync(*paths).returncode == 0
    after = nbformat.read(notebooks / "01_convolutions.ipynb", as_version=4)
    assert ("https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/"
            "01_convolutions.ipynb") in after.cells[0].source
    assert "git+https://github.com/someone/fork@dev" in after.cells[1].source
    assert [c.id for c in after.cells] == [c.id for c in before.cells]
    assert [c.source for c in after.cells[2:]] == [c.source for c in before.cells[2:]]
    assert run_sync("--check", *paths).returncode == 0


def test_sync_headers_rejects_a_non_github_url(tmp_path: Path) -> None:
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/repo\n  branch: main\n")
    result = run_sync("--check", "--config", str(config), "--notebooks", str(NOTEBOOKS_DIR))
    assert result.returncode != 0 and "must be a GitHub URL" in result.stderr


def typed_results(markdown: str) -> list[str]:
    """Typed factors and percentages in the prose of one markdown cell."""
    prose = _NOT_PROSE.sub(" ", markdown)
    return [match[0] for match in TYPED_RESULT.finditer(prose)]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_glue_read_has_a_glue_call(name: str) -> None:
    """Every {glue}/{glue:}/{glue:any}/{glue:text}/{glue:md} role and glue directive reads
    a key that a code cell of the same notebook glues, and every glued name is read (or
    glued with hidden=True). The executed notebooks are checked too (test_notebooks.py)."""
    problems = glue_problems(load(name))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_glue_check_catches_a_bad_read_planted_in_a_chapter() -> None:
    notebook = load("01_convolutions")
    assert glue_problems(notebook) == []
    forms = ["{glue}`nope_a`", "{glue:}`nope_b`", "{glue:any}`nope_c`",
             "{glue:text}`nope_d:.1f`", "{glue:md}`nope_e`", "```{glue:figure} nope_f\n```"]
    notebook.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(forms)))
    problems = glue_problems(notebook)
    assert [key for key in "abcdef" if any(f"'nope_{key}'" in p for p in problems)] == list(
        "abcdef"), problems
    read = {ref.key for ref in glue_references(notebook)}
    assert {f"nope_{key}" for key in "abcdef"} <= read


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_prose_types_no_result(name: str) -> None:
    typed = [(index, found) for index, cell in enumerate(load(name).cells)
             if cell.cell_type == "markdown" for found in typed_results(cell.source)]
    assert not typed, (f"{name}: results typed in the prose (glue them from the notebook, "
                       f"or a word chosen from the value): {typed}")


@pytest.mark.parametrize("sentence", [
    "DepthwiseConv3D is about 3× faster to train.", "It is about four times smaller.",
    "The ranges shrink by orders of magnitude.", "It reports 71% frame-averaged.",
    "Streaming is 4.6 times faster per frame.", "It runs twice as fast.",
])
def test_typed_results_are_found(sentence: str) -> None:
    assert typed_results(sentence)


@pytest.mark.parametrize("sentence", [
    "It is {glue:text}`speedup` faster, {glue:text}`acc:.1%` of clips.",
    "A 5×3×3 kernel on 100 × 100 frames, $x \\approx 0.29$ steps, `ratio = 0.5%`.",
])
def test_glued_numbers_math_and_code_are_not_typed_results(sentence: str) -> None:
    assert typed_results(sentence) == []


# -- Every page of the book ends the same way, and captions are Sphinx's ---------------------

#: The book's chapter pages that are not notebooks (plain MyST, no kernel).
MARKDOWN_CHAPTERS = [REPO / "book" / "browser.md"]
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.MULTILINE)
_EXERCISE = re.compile(r"^\s*\d+\.\s+\S", re.MULTILINE)
# A hand-numbered caption: "**Figure 3.**", "*Figure 3.*", "Figure 3:" at a paragraph start.
_TYPED_CAPTION = re.compile(r"^\s*\**\s*(?:Figure|Fig\.)\s*\d+[.:]?", re.MULTILINE)


def chapter_markdown(source: str | Path) -> str:
    """All markdown of a chapter: a notebook's markdown cells, or a MyST page."""
    path = Path(source) if isinstance(source, Path) else NOTEBOOKS_DIR / f"{source}.ipynb"
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    notebook = nbformat.read(path, as_version=4)
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def ending_problems(markdown: str) -> list[str]:
    """What is wrong with a chapter's ending: it must close with "## Summary" and then
    "## Exercises" holding two or three numbered exercises."""
    headings = [(len(m[1]), m[2], m.end()) for m in _HEADING.finditer(markdown)]
    sections = [(title, end) for level, title, end in headings if level == 2]
    titles = [title for title, _ in sections]
    if titles[-2:] != ["Summary", "Exercises"]:
        return [f"the last sections are {titles[-2:]}, not ['Summary', 'Exercises']"]
    count = len(_EXERCISE.findall(markdown[sections[-1][1]:]))
    return [] if 2 <= count <= 3 else [f"{count} numbered exercises, not 2 or 3"]


CHAPTERS = [*NOTEBOOK_NAMES, *MARKDOWN_CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=str)
def test_every_chapter_ends_with_a_summary_and_exercises(chapter: str | Path) -> None:
    assert ending_problems(chapter_markdown(chapter)) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=str)
def test_no_caption_is_numbered_by_hand(chapter: str | Path) -> None:
    """Figures are numbered by Sphinx ({glue:figure} with :name:), referred to with {numref}."""
    assert _TYPED_CAPTION.findall(chapter_markdown(chapter)) == []


def test_the_ending_check_finds_what_is_missing() -> None:
    good = "# T\n\n## Summary\n\n- a\n\n## Exercises\n\n1. try x\n2. try y\n"
    assert ending_problems(good) == []
    assert ending_problems(good.replace("## Summary", "## Recap"))
    assert ending_problems(good.replace("2. try y\n", ""))
    assert ending_problems(good + "\n## More\n")
    assert _TYPED_CAPTION.findall("**Figure 2.** Left: the frame.")
    assert not _TYPED_CAPTION.findall("As {numref}`fig-x` shows, Figures are numbered.")


# -- Pages that read other documents' glued values (the landing page's results table) -------

def cross_document_problems(page: Path) -> list[str]:
    """Every ``{glue:...}`doc::key``` read of a MyST page must name a chapter notebook
    whose code glues that key (a missing one would only warn, and show nothing, at build
    time)."""
    references = glue_references({"cells": [{"cell_type": "markdown",
                                              "source": page.read_text(encoding="utf-8")}]})
    problems = []
    for ref in references:
        if ref.document is None:
            problems.append(f"{ref.text}: a page has no glued values of its own")
            continue
        if ref.form == "glue:text" and ":" not in ref.text.split("::", 1)[1]:
            # myst-nb splits key:format at the last colon, which would be one of "::"
            problems.append(f"{ref.text}: give a format (e.g. :s) after the key")
            continue
        source = Path(ref.document)
        notebook = NOTEBOOKS_DIR / source.name
        if source.parent.name != "notebooks" or not notebook.is_file():
            problems.append(f"{ref.text}: {ref.document} is not a chapter notebook")
            continue
        calls, _ = glue_calls(load(notebook.stem))
        if not any(call.pattern.fullmatch(ref.key) for call in calls):
            problems.append(f"{ref.text}: {notebook.name} glues no {ref.key!r}")
    return problems


@pytest.mark.parametrize("page", sorted((REPO / "book").glob("*.md")), ids=lambda p: p.name)
def test_pages_read_values_their_chapters_glue(page: Path) -> None:
    assert cross_document_problems(page) == []


def test_the_landing_page_reads_its_results_from_the_chapters() -> None:
    references = glue_references({"cells": [{"cell_type": "markdown", "source": (
        REPO / "book" / "intro.md").read_text(encoding="utf-8")}]})
    assert {Path(ref.document or "").stem for ref in references} >= {
        "01_convolutions", "06_continuous", "07_quantization", "09_performance"}


def test_the_cross_document_check_finds_a_key_nobody_glues(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("{glue:text}`notebooks/01_convolutions.ipynb::no_such_key:.1f`\n"
                    "{glue:text}`notebooks/99_none.ipynb::params:d`\n"
                    "{glue:text}`notebooks/01_convolutions.ipynb::gesture_params`\n",
                    encoding="utf-8")
    problems = cross_document_problems(page)
    assert len(problems) == 3 and "no_such_key" in problems[0] and "99_none" in problems[1]
    assert "format" in problems[2]
