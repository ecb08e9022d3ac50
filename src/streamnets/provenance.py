"""Which code produced a file: the package version and, in a git checkout, the commit.

Model cards, export metadata and benchmark results carry this stamp, so a reader (or
chapter 9) can tell whether a saved number was measured by the code in front of them.
Imports nothing heavy: scripts that only read or write JSON stay fast.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path
from typing import Any

from streamnets import __version__

#: What the commit is when the package does not run from a git checkout (a wheel).
UNKNOWN_COMMIT = "unknown"


def _git(*args: str) -> str | None:
    folder = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def source_commit() -> str:
    """The commit of the checkout the package is imported from, or ``"unknown"``."""
    return _git("rev-parse", "HEAD") or UNKNOWN_COMMIT


def source_dirty() -> bool:
    """Whether the package's source files differ from :func:`source_commit`."""
    status = _git("status", "--porcelain", "--", str(Path(__file__).resolve().parent))
    return bool(status)


def provenance() -> dict[str, Any]:
    """``{"streamnets_version", "commit", "dirty"}``: the stamp written into saved files."""
    return {"streamnets_version": __version__, "commit": source_commit(),
            "dirty": source_dirty()}
