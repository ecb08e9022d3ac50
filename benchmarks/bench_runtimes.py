"""Benchmark the deployable forms of the streaming gesture model, and this CPU's int8 peak.

Runs :func:`streamnets.performance.runtime_benchmark` at batch 1 (one live stream) on the
16x100x100 gesture model (the shipped weights when installed; timings do not depend on
them). Timed in turn, ``--rounds`` times: the streaming step in Keras (eager and
compiled), the LiteRT float32 and int8 exports on 1 and 2 threads, BrainChip's bufferized
float and quantized Keras models of the same weights (with the ``akida`` extra; the Akida
runtime itself is never timed, its licence forbids publishing results), and a large int8
matrix product in LiteRT, whose speed is the int8 peak the int8 model is held against.
Also the size of every artifact. Writes ``benchmarks/results/runtimes.json``::

    python benchmarks/bench_runtimes.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import runtime_benchmark  # noqa: E402
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "runtimes.json", argv,
                             quick="3 repeats, 1 round, 4 calibration clips")
    results = (runtime_benchmark(3, 1, calibration_clips=4) if args.quick
               else runtime_benchmark(args.repeats, args.rounds))
    write_result(args.out, "runtimes", results)
    for name, row in results["latency_batch1"].items():
        print(f"{name:32s} {row['ms_per_frame_median']:7.2f} ms/frame "
              f"({row['ratio_vs_keras_step_fn']:.2f}x the Keras step)")
    peak = results["peak_int8"]["1_thread"]
    print(f"int8 peak, 1 thread: {peak['gmacs_per_s']:.0f} GMAC/s; the int8 model takes "
          f"{peak['ratio_measured_over_limit']:.1f}x its MACs limit "
          f"({peak['gesture_limit_ms_per_frame']:.2f} ms)")
    sizes = results["sizes_bytes"]
    print(f"sizes: float32 weights {sizes['keras_float32_weights'] / 1e6:.2f} MB, LiteRT float "
          f"{sizes['litert_float'] / 1e6:.2f} MB, int8 {sizes['litert_int8'] / 1e6:.2f} MB "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
