"""Benchmark the streaming gesture model: what one new frame costs.

Measured in one run, on the default 16x100x100 gesture model (timings do not depend on
the weights, so fresh ones are used):

* per-frame latency of the compiled streaming step (``StreamingModel.step_fn``) at
  batch 1, against its peer, recomputing the whole 16-frame window with the clip model
  for every new frame; their ratio (the operation count predicts 16x; a ratio above 16
  means the clip model's kernels are also slower per frame, which
  ``clip_model_ms_per_frame_of_window`` shows);
* when the ``akida`` extra is installed, the same per-frame latency for BrainChip's own
  FIFO model (``quantizeml`` ``sanitize`` of the same weights, float, in tf_keras;
  built by ``streamnets.brainchip.bufferized``);
* throughput of the streaming step with 1, 8 and 64 independent streams in one batch;
* memory of the FIFO buffers per stream.

Medians of repeated calls (``streamnets.timing.measure_throughput``); paths that are
compared are timed alternately, ``--rounds`` times, so that other jobs on a shared
machine load them evenly (the load average is recorded). Writes
``benchmarks/results/streaming.json``::

    python benchmarks/bench_streaming.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import RESULTS_DIR, environment, write_json  # noqa: E402

from streamnets.models import gesture_net, macs_per_frame  # noqa: E402
from streamnets.streaming import compare_latency, to_streaming  # noqa: E402
from streamnets.timing import measure_throughput  # noqa: E402

RESULTS = RESULTS_DIR / "streaming.json"
STREAM_COUNTS = (1, 8, 64)


def random_frames(stream, batch_size: int) -> tf.Tensor:
    rng = np.random.default_rng(batch_size)
    return tf.constant(rng.integers(0, 256, (batch_size, *stream.frame_shape)).astype("float32"))


def brainchip_peer(model, stream, repeats: int, rounds: int) -> dict:
    """Batch-1 latency of BrainChip's bufferized float model against our step, alternated."""
    try:
        from streamnets.brainchip import bufferized

        buffered = bufferized(model)
    except ImportError as error:  # the optional akida extra (or its module) is missing
        return {"available": False, "reason": str(error)}
    frames, states = random_frames(stream, 1), stream.init_states(1)
    theirs = tf.function(lambda x: buffered(x, training=False))
    ours_s, theirs_s = [], []
    for _ in range(rounds):
        ours_s += measure_throughput(lambda a: stream.step_fn(*a), (frames, states),
                                     repeats=repeats, warmup=2).seconds
        theirs_s += measure_throughput(theirs, frames, repeats=repeats, warmup=2).seconds
    ours_ms, theirs_ms = 1000 * float(np.median(ours_s)), 1000 * float(np.median(theirs_s))
    return {
        "available": True,
        "what": "quantizeml sanitize() of the same weights: BrainChip's float FIFO model in "
                "tf_keras, called in a tf.function, batch 1",
        "ours_step_ms_median": ours_ms,
        "brainchip_step_ms_median": theirs_ms,
        "ratio_brainchip_over_ours": theirs_ms / ours_ms,
    }


def stream_throughput(stream, batch_size: int, repeats: int) -> dict:
    """Median time of one step for ``batch_size`` streams, and frames per second."""
    frames, states = random_frames(stream, batch_size), stream.init_states(batch_size)
    timing = measure_throughput(lambda a: stream.step_fn(*a), (frames, states),
                                repeats=repeats, warmup=2, items=batch_size)
    return {"streams": batch_size, "step_ms_median": 1000 * timing.median_s,
            "frames_per_s": timing.items_per_s, "step_s": list(timing.seconds)}


def run(repeats: int, rounds: int, stream_counts: tuple[int, ...]) -> dict:
    model = gesture_net()
    stream = to_streaming(model)
    latency = compare_latency(model, stream, batch_size=1, repeats=repeats, rounds=rounds)
    return {
        **environment(),
        "model": {"name": model.name, "input_shape": list(model.inputs[0].shape[1:]),
                  "macs_per_frame": macs_per_frame(model)},
        "repeats": repeats,
        "rounds": rounds,
        "latency_batch1": {
            "stream_step_ms_median": latency.stream_ms,
            "recompute_window_ms_median": latency.recompute_ms,
            "window_frames": latency.window,
            "ratio_recompute_over_stream": latency.ratio,
            "ratio_limit": latency.window,
            "clip_model_ms_per_frame_of_window": latency.offline_ms_per_frame,
        },
        "brainchip_peer_batch1": brainchip_peer(model, stream, repeats, rounds),
        "throughput": [stream_throughput(stream, b, repeats) for b in stream_counts],
        "state_bytes_per_stream": stream.state_bytes_per_stream(),
        "states": {name: list(spec.shape[1:]) for name, spec in stream.state_specs().items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed calls per measurement")
    parser.add_argument("--rounds", type=int, default=5,
                        help="times the compared paths are timed in turn")
    parser.add_argument("--quick", action="store_true",
                        help="3 repeats, 1 round, 1 and 8 streams only (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for option in ("repeats", "rounds"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be >= 1, got {getattr(args, option)}")
    if args.quick:
        results = run(3, 1, STREAM_COUNTS[:2])
    else:
        results = run(args.repeats, args.rounds, STREAM_COUNTS)
    write_json(results, args.out)
    latency = results["latency_batch1"]
    print(f"streaming step {latency['stream_step_ms_median']:.2f} ms/frame, recompute "
          f"{latency['recompute_window_ms_median']:.1f} ms/frame: "
          f"{latency['ratio_recompute_over_stream']:.1f}x (limit {latency['ratio_limit']}x)")
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
