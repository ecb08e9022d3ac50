"""Benchmark the streaming claim where the model is deployed: LiteRT.

Runs :func:`streamnets.performance.litert_streaming_benchmark` on the shipped 16x100x100
gesture model: for every new frame, the whole clip model (as 2-D convs, the step's own
kernels) against the FIFO step, float and int8, batch 1, one thread, with the int8 peak
and the int8 step's bare invoke in the same run and a per-op profile of the int8 step
and recompute; then :func:`streamnets.performance.litert_streams_benchmark`, frames per
second for 1, 8 and 64 cameras: one batch-N int8 export, N batch-1 interpreters in
threads, and the Keras step at batch N. Writes ``benchmarks/results/streaming_litert.json``
(the many-streams table under ``"many_streams"``)::

    python benchmarks/bench_litert.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import (  # noqa: E402
    STREAM_COUNTS,
    litert_streaming_benchmark,
    litert_streams_benchmark,
)
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "streaming_litert.json", argv,
                             quick="3 repeats, 1 round, 4 calibration clips, 1 and 8 "
                                   "streams only")
    if args.quick:
        litert = litert_streaming_benchmark(3, 1, calibration_clips=4, check_clips=1)
        streams = litert_streams_benchmark(STREAM_COUNTS[:2], 3, 1)
    else:
        litert = litert_streaming_benchmark(args.repeats, args.rounds)
        streams = litert_streams_benchmark(STREAM_COUNTS, args.repeats, args.rounds)
    litert["many_streams"] = streams
    write_result(args.out, "streaming_litert", litert)
    check = litert["check"]
    print(f"LiteRT float clip model vs Keras: max relative error "
          f"{check['float_max_relative_error']:.1e} (equal: {check['float_equals_keras']}); "
          f"int8 clip model ops left in float: {check['int8_clip_float_ops'] or 'none'}")
    for kind, row in litert["latency_batch1"].items():
        print(f"LiteRT {kind}: recompute {row['recompute_window_ms_median']:.1f} ms/frame, step "
              f"{row['step_ms_median']:.2f} ms/frame: {row['ratio_recompute_over_step']:.1f}x "
              f"(limit {litert['ratio_limit']}x)")
    limit = litert["int8_limit"]
    print(f"int8 peak {limit['peak_gmacs_per_s']:.0f} GMAC/s: MACs limit "
          f"{limit['limit_ms_per_frame']:.3f} ms/frame; step {limit['ratio_step_over_limit']:.2f}x"
          f", invoke {limit['ratio_invoke_over_limit']:.2f}x, convolutions "
          f"{limit['ratio_convs_over_limit']:.2f}x the limit")
    for name, profile in litert["profile"].items():
        groups = ", ".join(f"{group} {ms:.3f}" for group, ms in profile["groups_ms"].items())
        print(f"{name} per op (ms): {groups}; sum {profile['ops_sum_ms']:.3f} against the "
              f"whole model's {profile['model_ms']:.3f} ({profile['sum_over_model']:.2f}x)")
    for row in streams["streams"]:
        cells = ", ".join(f"{name} {row[name]['frames_per_s']:.0f}" for name in row
                          if name != "streams")
        print(f"{row['streams']:3d} streams, frames/s: {cells}")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
