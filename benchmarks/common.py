"""What every benchmark script shares: where the results go, and its command line.

Scripts stamp their results with :func:`streamnets.timing.environment` (machine, load,
versions, date) and write them with :func:`streamnets.results.write_result` ``(path, name,
data)``, which adds the code's version and commit and writes atomically: chapter 9 uses
a file only when that stamp matches the code it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_timing_args(doc: str, out: Path, argv: list[str] | None, quick: str,
                      repeats: int = 21, rounds: int = 5) -> argparse.Namespace:
    """``--repeats``, ``--rounds``, ``--quick`` (described by ``quick``) and ``--out``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=repeats,
                        help="timed calls per measurement")
    parser.add_argument("--rounds", type=int, default=rounds,
                        help="times the compared paths are timed, in turn")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: {quick}")
    parser.add_argument("--out", type=Path, default=out, help="where the JSON goes")
    args = parser.parse_args(argv)
    for option in ("repeats", "rounds"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be >= 1, got {getattr(args, option)}")
    return args
