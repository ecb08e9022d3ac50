"""Write every chapter's Colab badge and Colab install cell from ``_config.yml``.

The repository URL and branch are set once, in ``_config.yml`` (``repository.url``,
``repository.branch``). From them this script rewrites, in each ``notebooks/*.ipynb``:

* the "Open in Colab" badge in cell 0 (markdown), which must point at the notebook's own
  path in the repository;
* the whole of cell 1, the install cell that runs only inside Google Colab.

Cell ids are kept and the install cell carries no outputs. ``--check`` changes nothing and
exits with status 1, listing the notebooks that are out of date.

    python book/sync_headers.py            # rewrite the headers
    python book/sync_headers.py --check    # what tests and CI run
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_PATTERN = re.compile(
    r"\[!\[Open In Colab\]\(" + re.escape(BADGE_IMAGE) + r"\)\]\([^)\s]*\)"
)
INSTALL_TEMPLATE = """\
# Colab only: install the streamnets package from the book's repository.
# (Written by book/sync_headers.py from _config.yml; edit that file, not this cell.)
import sys

if "google.colab" in sys.modules:
    %pip install -q "streamnets[litert] @ git+{url}@{branch}"
"""


def repository(config_path: Path) -> tuple[str, str, str]:
    """``(url, branch, "owner/name")`` of the GitHub repository named in ``_config.yml``."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/").removesuffix(".git")
    branch = str(repo.get("branch", "")).strip()
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", url)
    if not match:
        raise ValueError(
            f"{config_path}: repository.url must be a GitHub URL like "
            f"https://github.com/OWNER/NAME (Colab opens notebooks from GitHub), got {url!r}."
        )
    if not branch:
        raise ValueError(f"{config_path}: set repository.branch (for example 'main').")
    return url, branch, match.group(1)


def badge(slug: str, branch: str, notebook: str) -> str:
    """The Markdown badge that opens ``notebooks/<notebook>`` of the repository in Colab."""
    target = f"https://colab.research.google.com/github/{slug}/blob/{branch}/notebooks/{notebook}"
    return f"[![Open In Colab]({BADGE_IMAGE})]({target})"


def install_source(url: str, branch: str) -> str:
    """The source of cell 1, the Colab-only install cell."""
    return INSTALL_TEMPLATE.format(url=url, branch=branch).rstrip("\n")


def synced(notebook: nbformat.NotebookNode, name: str, url: str, branch: str,
           slug: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with its badge and install cell written from the settings."""
    if len(notebook.cells) < 2:
        raise ValueError(f"{name}: needs a title cell and an install cell; it has "
                         f"{len(notebook.cells)} cell(s).")
    header, install = notebook.cells[0], notebook.cells[1]
    if header.cell_type != "markdown" or not header.source.lstrip().startswith("# "):
        raise ValueError(f"{name}: cell 0 must be a markdown cell starting with '# Title'.")
    if install.cell_type != "code":
        raise ValueError(f"{name}: cell 1 must be a code cell (the Colab install cell); "
                         "insert an empty code cell there and run this script again.")
    notebook = nbformat.from_dict(notebook)  # deep copy
    header, install = notebook.cells[0], notebook.cells[1]
    wanted = badge(slug, branch, name)
    if BADGE_PATTERN.search(header.source):
        header.source = BADGE_PATTERN.sub(lambda _: wanted, header.source, count=1)
    else:  # put the badge right under the title line
        title, _, rest = header.source.lstrip().partition("\n")
        header.source = f"{title}\n\n{wanted}\n" + (f"\n{rest.lstrip(chr(10))}" if rest else "")
    install.source = install_source(url, branch)
    install.outputs = []
    install.execution_count = None
    return notebook


def _same(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    return all(
        x.source == y.source and x.get("outputs") == y.get("outputs")
        and x.get("execution_count") == y.get("execution_count")
        for x, y in zip(a.cells[:2], b.cells[:2], strict=True)
    )


def _write(notebook: nbformat.NotebookNode, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        nbformat.write(notebook, stream)
    os.chmod(temporary, path.stat().st_mode & 0o777)  # mkstemp creates files as 0600
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is out of date")
    parser.add_argument("--config", type=Path, default=REPO / "_config.yml")
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    args = parser.parse_args(argv)

    url, branch, slug = repository(args.config)
    stale = []
    for path in sorted(args.notebooks.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        updated = synced(notebook, path.name, url, branch, slug)
        if _same(notebook, updated):
            continue
        stale.append(path.name)
        if not args.check:
            _write(updated, path)
    if args.check and stale:
        print("Colab badge or install cell out of date (run python book/sync_headers.py): "
              + ", ".join(stale), file=sys.stderr)
        return 1
    print("all headers in sync" if args.check else f"updated: {', '.join(stale) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
