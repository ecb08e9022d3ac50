"""Benchmark the deployable forms of the streaming gesture model: latency per frame and size.

Measured in one run, at batch 1 (one live stream), on the 16x100x100 gesture model (the
shipped weights when installed; timings do not depend on the weights):

* the LiteRT export (``streamnets.export``), float32 and full-integer int8, run with
  ``ai_edge_litert`` on 1 and 2 threads; one step is the whole deployment loop,
  ``LiteRTRunner.step``: frame and states in, logits and states out;
* its peer in Keras: the compiled streaming step ``StreamingModel.step_fn``;
* with the ``akida`` extra, BrainChip's own per-frame models of the same weights:
  the bufferized float model (``quantizeml`` sanitize) and its 8-bit quantized Keras
  model (``quantizeml`` quantize), each called in a ``tf.function``. (The Akida
  runtime is not timed: its licence does not allow publishing its results.)
* the size of every artifact: the ``.tflite`` files, and the float32 weights.

Paths are timed in turn, ``--rounds`` times, so that other jobs on a shared machine load
them evenly; medians of ``--repeats`` calls each (``streamnets.timing``). Writes
``benchmarks/results/runtimes.json``::

    python benchmarks/bench_runtimes.py [--repeats 21] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import RESULTS_DIR, environment, write_json  # noqa: E402

from streamnets import export, models, quantize  # noqa: E402
from streamnets.streaming import to_streaming  # noqa: E402
from streamnets.timing import measure_throughput  # noqa: E402

RESULTS = RESULTS_DIR / "runtimes.json"
THREADS = (1, 2)
CALIBRATION_CLIPS = 16


def load_model() -> tuple[keras.Model, str]:
    if "synthetic" in models.pretrained_names():
        return models.load_pretrained("synthetic"), "shipped weights 'synthetic'"
    return models.gesture_net(), "fresh weights (no shipped weights installed)"


def brainchip_models(model: keras.Model, calibration: np.ndarray) -> dict[str, Any]:
    """BrainChip's bufferized float and quantized Keras models, or why they are missing."""
    try:
        from streamnets.brainchip import bufferized

        return {"brainchip_bufferized_float": bufferized(model),
                "brainchip_quantized_keras": quantize.quantize_brainchip(model, calibration)}
    except ImportError as error:  # the optional akida extra is not installed
        return {"unavailable": str(error)}


def timed_paths(model: keras.Model, files: dict[str, Path], peers: dict[str, Any]
                ) -> dict[str, tuple[Callable[[Any], Any], Any]]:
    """Name -> (function, its argument): one frame of one stream per call."""
    stream = to_streaming(model)
    frame = np.random.default_rng(0).integers(0, 256, stream.frame_shape, np.uint8)
    paths: dict[str, tuple[Callable[[Any], Any], Any]] = {
        "keras_step_fn": (lambda a: stream.step_fn(*a),
                          (tf.constant(frame[None], tf.float32), stream.init_states(1))),
    }
    for name, path in files.items():
        for threads in THREADS:
            runner = export.LiteRTRunner(path, num_threads=threads)
            paths[f"{name}_{threads}_thread{'s' if threads > 1 else ''}"] = (
                lambda a, runner=runner: runner.step(*a), (frame, runner.init_states()))
    for name, peer in peers.items():
        if name != "unavailable":
            call = tf.function(lambda x, peer=peer: peer(x, training=False))
            paths[name] = (call, tf.constant(frame[None], tf.float32))
    return paths


def run(repeats: int, rounds: int) -> dict[str, Any]:
    model, weights = load_model()
    clip_shape = tuple(model.input.shape[1:4])
    calibration = export.calibration_clips(CALIBRATION_CLIPS, clip_shape)
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, int8 in (("litert_float", False), ("litert_int8", True)):
            result = export.export_litert(
                model, Path(folder) / name, int8=int8, class_names=[
                    str(i) for i in range(model.output.shape[-1])],
                calibration_clips=calibration if int8 else None)
            files[name] = result.folder / "model.tflite"
        sizes = {name: path.stat().st_size for name, path in files.items()}
        peers = brainchip_models(model, calibration)
        paths = timed_paths(model, files, peers)
        seconds: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(rounds):
            for name, (fn, argument) in paths.items():
                seconds[name] += measure_throughput(fn, argument, repeats=repeats,
                                                    warmup=2).seconds
    medians = {name: 1000 * float(np.median(values)) for name, values in seconds.items()}
    reference = medians["keras_step_fn"]
    latency = {
        name: {"ms_per_frame_median": ms, "ratio_vs_keras_step_fn": ms / reference,
               "frames_per_s": 1000 / ms}
        for name, ms in medians.items()
    }
    return {
        **environment("ai-edge-litert"),
        "model": {"name": model.name, "weights": weights,
                  "input_shape": list(model.input.shape[1:]),
                  "params": model.count_params(),
                  "macs_per_frame": models.macs_per_frame(model)},
        "batch_size": 1,
        "repeats": repeats,
        "rounds": rounds,
        "calibration_clips": CALIBRATION_CLIPS,
        "latency_batch1": latency,
        "brainchip_peers": ("measured" if "unavailable" not in peers
                            else f"not measured: {peers['unavailable']}"),
        "sizes_bytes": {
            "keras_float32_weights": 4 * model.count_params(),
            "litert_float": sizes["litert_float"],
            "litert_int8": sizes["litert_int8"],
            "ratio_int8_over_float": sizes["litert_int8"] / sizes["litert_float"],
        },
        "raw_seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed calls per measurement")
    parser.add_argument("--rounds", type=int, default=5,
                        help="times every path is timed, in turn with the others")
    parser.add_argument("--quick", action="store_true", help="3 repeats, 1 round (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for option in ("repeats", "rounds"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be >= 1, got {getattr(args, option)}")
    results = run(3, 1) if args.quick else run(args.repeats, args.rounds)
    write_json(results, args.out)
    for name, row in results["latency_batch1"].items():
        print(f"{name:32s} {row['ms_per_frame_median']:7.2f} ms/frame "
              f"({row['ratio_vs_keras_step_fn']:.2f}x the Keras step)")
    sizes = results["sizes_bytes"]
    print(f"sizes: float32 weights {sizes['keras_float32_weights'] / 1e6:.2f} MB, LiteRT float "
          f"{sizes['litert_float'] / 1e6:.2f} MB, int8 {sizes['litert_int8'] / 1e6:.2f} MB "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
