"""Benchmark one block of each kind: full 3D, R(2+1)D, full and depthwise spatiotemporal.

Runs :func:`streamnets.performance.block_benchmark`: the four blocks map the same
channels (40 -> 80 -> 120, block 1 of the gesture model, at 25x25, temporal kernel 5);
for each, parameters, multiply-accumulates per frame and offline throughput on clips of
16 frames, timed in turn ``--rounds`` times, as ratios to the 3D block. Writes
``benchmarks/results/blocks.json``::

    python benchmarks/bench_blocks.py [--repeats 7] [--rounds 3] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import block_benchmark  # noqa: E402
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "blocks.json", argv,
                             quick="3 repeats, 1 round, batch 1", repeats=7, rounds=3)
    results = (block_benchmark(batch_size=1, repeats=3, rounds=1) if args.quick
               else block_benchmark(repeats=args.repeats, rounds=args.rounds))
    write_result(args.out, "blocks", results)
    for row in results["blocks"].values():
        ratios = row["ratio_vs_3d"]
        print(f"{row['label']:38s} {row['params']:8,d} params ({ratios['params']:.2f}x) "
              f"{row['macs_per_frame'] / 1e6:6.1f} M MACs ({ratios['macs']:.2f}x) "
              f"{row['frames_per_s']:7.0f} frames/s ({ratios['speed']:.2f}x)")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
