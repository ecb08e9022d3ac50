"""Benchmark the book: how long each chapter takes to execute, and how long the build takes.

Merged into one record:

* ``ci``: every chapter notebook executed in CI mode (``STREAMNETS_CI_MODE=1``) in this
  run, by ``book/execute.py --ci --times`` (same interpreter, a fresh kernel per notebook,
  into a temporary folder): seconds per notebook, kernel start included, and the total;
* ``full``: the full-mode times that the last ``make book`` recorded
  (``benchmarks/results/book_full.json``, from ``book/execute.py --times``), with that
  run's own date, machine and commit; full mode takes too long to repeat here, so it is
  read, not measured, and is null (``full_note`` says why) when no full-mode run of *this*
  code (same streamnets version and commit, :func:`streamnets.results.mismatch`) was
  recorded;
* ``build``: the last ``make book``'s HTML build (``benchmarks/results/book_build.json``,
  from ``book/build.py --times``), same treatment (``build_note``);
* ``ratio_full_over_ci`` per notebook, when both exist: how much smaller CI mode is (from
  two different runs, so only as comparable as the two machines' loads, which both record).

One execution per notebook: each is seconds to minutes long, so timer noise is negligible
against what a shared machine's load does, and the load average is recorded. Writes
``benchmarks/results/book.json``; exits non-zero if a notebook failed::

    python benchmarks/bench_book.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import RESULTS_DIR

from streamnets.provenance import provenance
from streamnets.results import mismatch, write_result
from streamnets.timing import environment

REPO = Path(__file__).resolve().parents[1]
EXECUTE = REPO / "book" / "execute.py"
NOTEBOOKS = REPO / "notebooks"
RESULTS = RESULTS_DIR / "book.json"
FULL = RESULTS_DIR / "book_full.json"
BUILD = RESULTS_DIR / "book_build.json"
MAKE_BOOK_NOTES = {"full": "run `make book` to record full-mode times",
                   "build": "run `make book` to record the book build time"}


def recorded(path: Path, kind: str) -> tuple[dict[str, Any] | None, str | None]:
    """The record ``make book`` left at ``path`` and None, or None and why it is unusable."""
    how = MAKE_BOOK_NOTES[kind]
    if not path.is_file():
        return None, f"no {path.name}: {how}"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        return None, f"{path.name} is unreadable ({error}): {how}"
    if not isinstance(record, dict):
        return None, f"{path.name} holds no record: {how}"
    if kind == "full" and record.get("mode") != "full":
        return None, f"{path.name} holds {record.get('mode')!r}-mode times, not full: {how}"
    reason = mismatch(record, provenance())
    if reason is not None:
        return None, f"{path.name} was not recorded by this code ({reason}): {how}"
    return record, None


def merge(ci_path: Path, full_path: Path, build_path: Path) -> dict[str, Any]:
    """This run's CI-mode times (``ci_path``) with what ``make book`` recorded, if anything.

    All three files are ``--times`` records of ``book/execute.py`` or ``book/build.py``.
    """
    ci = json.loads(ci_path.read_text(encoding="utf-8"))
    if ci.get("mode") != "CI":
        raise ValueError(f"ci_path {ci_path} holds {ci.get('mode')!r}-mode times; expected "
                         "the record of book/execute.py --ci --times")
    full, full_note = recorded(full_path, "full")
    build, build_note = recorded(build_path, "build")
    ratios = None
    if full is not None:
        ratios = {name: full["notebooks"][name] / seconds
                  for name, seconds in ci["notebooks"].items()
                  if name in full["notebooks"] and seconds > 0}
    return {
        **environment("jupyter-book", "myst-nb", "papermill"),
        "ci": {key: ci[key] for key in ("notebooks", "failed", "total_s")},
        "full": full,
        "full_note": full_note,
        "build": build,
        "build_note": build_note,
        "ratio_full_over_ci": ratios,
    }


def execute_ci(only: list[str], folder: Path) -> Path:
    """Run ``book/execute.py --ci`` into ``folder``; return its ``--times`` record."""
    times = folder / "ci.json"
    command = [sys.executable, str(EXECUTE), "--ci", "--out", str(folder / "executed"),
               "--times", str(times), *(arg for name in only for arg in ("--only", name))]
    returncode = subprocess.run(command, cwd=REPO, check=False).returncode
    if not times.is_file():
        raise SystemExit(f"error: book/execute.py exited with {returncode} before writing "
                         f"{times}; see its output above")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="execute only the first chapter in CI mode (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    chapters = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not chapters:
        raise SystemExit(f"error: no notebooks in {NOTEBOOKS}")
    only = [chapters[0].stem] if args.quick else []
    with tempfile.TemporaryDirectory(prefix="bench_book-") as folder:
        results = merge(execute_ci(only, Path(folder)), FULL, BUILD)
    results["quick"] = args.quick
    write_result(args.out, "book", results)

    ci = results["ci"]
    print(f"CI mode: {len(ci['notebooks'])} notebook(s) in {ci['total_s']:.0f} s; "
          + ", ".join(f"{name} {s:.0f} s" for name, s in ci["notebooks"].items()))
    if results["full"] is None:
        print(f"full mode: not recorded ({results['full_note']})")
    else:
        full = results["full"]
        print(f"full mode ({full['date']}): {len(full['notebooks'])} notebook(s) in "
              f"{full['total_s']:.0f} s")
    if results["build"] is None:
        print(f"book build: not recorded ({results['build_note']})")
    else:
        print(f"book build ({results['build']['date']}): {results['build']['build_s']:.0f} s, "
              f"exit code {results['build']['returncode']}")
    if ci["failed"]:
        print(f"failed in CI mode: {', '.join(ci['failed'])} -> {args.out}", file=sys.stderr)
        return 1
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
