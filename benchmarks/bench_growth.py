"""Benchmark how the per-frame cost grows with the input size and the clip length.

Runs :func:`streamnets.performance.growth_benchmark`: the batch-1 streaming step of the
gesture model at 64, 100, 128 and 160 pixels square, against the MACs model (time
proportional to multiply-accumulates, scaled from 100x100); and at 100x100, clips of 8,
16 and 32 frames, the streaming step against recomputing the whole window per new frame.
Every path is timed in turn, ``--rounds`` times. Writes
``benchmarks/results/growth.json``::

    python benchmarks/bench_growth.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import growth_benchmark  # noqa: E402
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "growth.json", argv,
                             quick="3 repeats, 1 round, sizes 64 and 100, clips of 8 and 16",
                             repeats=21, rounds=5)
    results = (growth_benchmark((64, 100), (8, 16), repeats=3, rounds=1) if args.quick
               else growth_benchmark(repeats=args.repeats, rounds=args.rounds))
    write_result(args.out, "growth", results)
    for row in results["by_size"]:
        print(f"{row['size']:4d}x{row['size']:<4d} {row['macs_per_frame'] / 1e6:6.1f} M MACs "
              f"{row['step_ms']:6.2f} ms/frame ({row['ratio_measured_over_macs_model']:.2f}x "
              f"the MACs model, {row['gmacs_per_s']:.1f} GMAC/s)")
    for row in results["by_clip_length"]:
        print(f"{row['frames']:3d} frames: step {row['stream_step_ms']:.2f} ms, recompute "
              f"{row['recompute_ms']:.1f} ms ({row['ratio_recompute_over_stream']:.1f}x)")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
