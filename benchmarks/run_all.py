"""Run every benchmark script in this folder (``make bench``); each writes its own JSON
to ``benchmarks/results/``, and then every result's figure is saved there as a PNG.
``--quick`` passes on each script's smoke-run mode; ``--figures-only`` draws the saved
results without running anything.

Only results written by the running code (same streamnets version and commit, see
:func:`streamnets.results.read_matching_results`) are drawn; the others are listed with
the reason. Drawing imports no TensorFlow: this script itself never starts it, only the
benchmark scripts it runs do, each in its own process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_benchmarks(quick: bool) -> list[str]:
    """Run every ``bench_*.py`` here in its own process; return the names of those that failed."""
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        start = time.perf_counter()
        command = [sys.executable, str(script)] + (["--quick"] if quick else [])
        code = subprocess.run(command, check=False).returncode
        print(f"{script.name}: {'ok' if code == 0 else f'FAILED ({code})'} "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    return failed


def draw_figures(folder: str | Path) -> list[Path]:
    """Save the figure of every result in ``folder`` that this code wrote, as
    ``<name>.png`` there; print each figure's path and why any other result is not drawn."""
    from streamnets.results import read_matching_results
    from streamnets.viz.performance import FIGURES, save_figures

    saved = read_matching_results(folder)
    written = save_figures(saved.results, folder)
    for path in written:
        print(f"figure -> {path}")
    for name, reason in saved.skipped.items():
        if name in FIGURES:
            print(f"{name}: not drawn ({reason})")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke-run every benchmark")
    parser.add_argument("--figures-only", action="store_true",
                        help="draw the saved results of this code; run no benchmark")
    args = parser.parse_args(argv)
    failed = [] if args.figures_only else run_benchmarks(args.quick)
    from common import RESULTS_DIR

    draw_figures(RESULTS_DIR)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
