"""Run every benchmark script in this folder (``make bench``); each writes its own JSON
to ``benchmarks/results/``, and then every result's figure is saved there as a PNG.
``--quick`` passes on each script's smoke-run mode."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke-run every benchmark")
    args = parser.parse_args(argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        start = time.perf_counter()
        command = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        code = subprocess.run(command, check=False).returncode
        print(f"{script.name}: {'ok' if code == 0 else f'FAILED ({code})'} "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    from common import RESULTS_DIR

    from streamnets.performance import read_results
    from streamnets.viz.performance import save_figures

    for path in save_figures(read_results(RESULTS_DIR), RESULTS_DIR):
        print(f"figure -> {path}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
