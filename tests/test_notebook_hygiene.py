"""The committed chapter notebooks follow the book's conventions (fast, no execution).

Sources carry no outputs; each has the header, the generated Colab cells and a papermill
``parameters`` cell with a CI mode; each is listed in the book's table of contents. The
header generator (``book/sync_headers.py``) is tested here as well.
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

SYNC = REPO / "book" / "sync_headers.py"
BADGE_URL = re.compile(r"\]\((https://colab\.research\.google\.com/github/[^)\s]+)\)")


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
