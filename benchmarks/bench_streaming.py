"""Benchmark the streaming gesture model: what one new frame costs.

Runs :func:`streamnets.performance.streaming_benchmark` on the 16x100x100 gesture model
(timings do not depend on the weights, so fresh ones are used): the compiled streaming
step against recomputing the 16-frame window for every new frame, at batch 1 and with 8
streams per batch; BrainChip's bufferized FIFO model of the same weights when the
``akida`` extra is installed; throughput with 1, 8 and 64 streams per batch; the FIFO
state per stream (the same claim in LiteRT is ``bench_litert.py``'s). Paths that are
compared are timed in turn, ``--rounds`` times, and medians are reported. Writes
``benchmarks/results/streaming.json``::

    python benchmarks/bench_streaming.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import STREAM_COUNTS, streaming_benchmark  # noqa: E402
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "streaming.json", argv,
                             quick="3 repeats, 1 round, 1 and 8 streams only")
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

    return 0


if __name__ == "__main__":
    sys.exit(main())
