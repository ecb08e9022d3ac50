"""Build the HTML book from the executed notebooks, and time the build.

Runs ``jupyter-book build book --path-output book --warningiserror --keep-going`` with the
``jupyter-book`` script of this interpreter's environment (not whatever is first on PATH),
prints how long it took and exits with the build's exit code. The notebooks must have been
executed first (``book/execute.py``): the book renders the stored outputs.

``--page-only DIR`` builds just the "In your browser" page (with a stub start page) into
``DIR/book/_build/html``, from the book's own configuration without the gallery: it needs
no executed notebook, so the browser benchmark and anyone working on the page can have it
in a minute.

``--times PATH`` also writes ``{"date", "machine", "versions", "build_s", "returncode"}`` as
JSON, atomically and stamped with the code's version and commit
(:func:`streamnets.results.write_result`), for ``benchmarks/bench_book.py`` to report.

    python book/build.py --times benchmarks/results/book_build.json
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def jupyter_book() -> Path:
    """This environment's ``jupyter-book`` script.

    ``sys.executable`` is not resolved: in a venv it is a symlink whose folder holds the
    venv's scripts.
    """
    script = Path(sys.executable).parent / "jupyter-book"
    if not script.is_file():
        raise SystemExit(f"error: no jupyter-book next to {sys.executable}; install the book "
                         "extra into this environment (pip install -e '.[book]')")
    return script


def page_only_book(out: Path) -> Path:
    """Write a book of the browser page alone into ``out``; return its source folder."""
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]
    sphinx["extra_extensions"] = [name for name in sphinx["extra_extensions"]
                                  if not name.startswith("sphinx_gallery")]
    sphinx["config"].pop("sphinx_gallery_conf", None)
    sphinx["local_extensions"] = {name: str(REPO / path)
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    book = out / "book"
    book.mkdir(parents=True)
    (out / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: browser\n",
                                   encoding="utf-8")
    (book / "index.md").write_text("# The browser page alone\n\n```{tableofcontents}\n```\n",
                                   encoding="utf-8")
    shutil.copy2(REPO / "book" / "browser.md", book / "browser.md")
    return book


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=REPO / "book",
                        help="the book's source folder; the HTML goes to <book>/_build/html "
                             "(default: book/)")
    parser.add_argument("--page-only", type=Path, metavar="DIR",
                        help="build only the browser page, into DIR/book/_build/html (DIR "
                             "must not exist)")
    parser.add_argument("--times", type=Path, metavar="PATH",
                        help="write the build time and exit code here as JSON")
    args = parser.parse_args(argv)
    book = args.book.resolve()
    if args.page_only:
        if args.page_only.exists():
            parser.error(f"--page-only {args.page_only} exists; give a new folder")
        book = page_only_book(args.page_only.resolve())
    if not book.is_dir():
        parser.error(f"--book {args.book}: no such folder")

    command = [str(jupyter_book()), "build", str(book), "--path-output", str(book),
               "--warningiserror", "--keep-going"]
    start = time.perf_counter()
    returncode = subprocess.run(command, cwd=book.parent if args.page_only else REPO,
                                check=False).returncode
    build_s = time.perf_counter() - start
    print(f"jupyter-book build: {build_s:.1f} s, exit code {returncode}", flush=True)
    if args.times:
        from streamnets.results import write_result
        from streamnets.timing import environment

        write_result(args.times, args.times.stem,
                     {**environment("jupyter-book", "sphinx", "myst-nb"),
                      "build_s": build_s, "returncode": returncode})
    return returncode


if __name__ == "__main__":
    sys.exit(main())
