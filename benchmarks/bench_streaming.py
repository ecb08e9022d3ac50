"""Benchmark the streaming gesture model: what one new frame costs.

Runs :func:`streamnets.performance.streaming_benchmark` on the 16x100x100 gesture model
(timings do not depend on the weights, so fresh ones are used): the compiled streaming
step against recomputing the 16-frame window for every new frame, at batch 1 and with 8
streams per batch; BrainChip's bufferized FIFO model of the same weights when the
``akida`` extra is installed; throughput with 1, 8 and 64 streams per batch; the FIFO
state per stream. Then :func:`streamnets.performance.litert_streaming_benchmark`, the same
claim where the model is deployed: in LiteRT (shipped weights), the whole clip model per
new frame against the FIFO step, float and int8, batch 1, one thread. Paths that are
compared are timed in turn, ``--rounds`` times, and medians are reported. Writes
``benchmarks/results/streaming.json`` and, beside it, ``streaming_litert.json``::

    python benchmarks/bench_streaming.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import (  # noqa: E402
    STREAM_COUNTS,
    litert_streaming_benchmark,
    streaming_benchmark,
)
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "streaming.json", argv,
                             quick="3 repeats, 1 round, 1 and 8 streams only, 4 "
                                   "calibration clips")
    results = streaming_benchmark(*((3, 1, STREAM_COUNTS[:2]) if args.quick
                                    else (args.repeats, args.rounds)))
    write_result(args.out, "streaming", results)
    latency = results["latency_batch1"]
    print(f"batch 1: streaming step {latency['stream_step_ms_median']:.2f} ms/frame, recompute "
          f"{latency['recompute_window_ms_median']:.1f} ms/frame: "
          f"{latency['ratio_recompute_over_stream']:.1f}x (limit {latency['ratio_limit']}x)")
    batched = results["latency_batch8"]
    print(f"batch 8: {batched['ratio_recompute_over_stream']:.1f}x")
    peer = results["brainchip_peer_batch1"]
    if peer["available"]:
        print(f"BrainChip bufferized model {peer['brainchip_step_ms_median']:.2f} ms/frame, "
              f"ours {peer['ours_step_ms_median']:.2f} ms/frame")
    else:
        print(f"BrainChip peer not measured: {peer['reason']}")
    for row in results["throughput"]:
        print(f"{row['streams']:3d} streams: {row['step_ms_median']:.2f} ms/step, "
              f"{row['frames_per_s']:.0f} frames/s")
    print(f"state per stream: {results['state_bytes_per_stream'] / 1024:.0f} KiB -> {args.out}")

    litert = (litert_streaming_benchmark(3, 1, calibration_clips=4, check_clips=1) if args.quick
              else litert_streaming_benchmark(args.repeats, args.rounds))
    litert_out = args.out.with_name("streaming_litert.json")
    write_result(litert_out, "streaming_litert", litert)
    check = litert["check"]
    print(f"LiteRT float clip model vs Keras: max relative error "
          f"{check['float_max_relative_error']:.1e} (equal: {check['float_equals_keras']}); "
          f"int8 clip model ops left in float: {check['int8_clip_float_ops'] or 'none'}")
    for kind, row in litert["latency_batch1"].items():
        print(f"LiteRT {kind}: recompute {row['recompute_window_ms_median']:.1f} ms/frame, step "
              f"{row['step_ms_median']:.2f} ms/frame: {row['ratio_recompute_over_step']:.1f}x "
              f"(limit {litert['ratio_limit']}x) -> {litert_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
