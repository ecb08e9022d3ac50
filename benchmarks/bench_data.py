"""Benchmark the synthetic data: can generation keep up with training?

Measured in one run:

* ``synthetic_clip`` on **one core** (this process pinned to one CPU with
  ``os.sched_setaffinity`` where the OS allows it): clips per second, 16x100x100, cycling
  through all 27 classes; also the CPU time per clip;
* ``synthetic_stream`` on that same core, in turn with the clips: milliseconds per frame of
  one-minute streams (360 frames) against the clips' per-frame cost (a stream must render
  no slower per frame than a clip);
* the ``synthetic_dataset`` tf.data pipeline on that same single core (TensorFlow started
  after pinning, so its thread pools see one CPU): clips per second at batch 16;
* its peer: training throughput of ``gesture_net`` (BrainChip's recipe, ``train_on_batch``)
  at batch 8 and 16 on **all** cores, in a separate process of the same run;
* the ratio generation / training: above 1 means data never waits the trainer, even when
  generation only gets one core.

Medians of repeated calls (``streamnets.timing.measure_throughput``). Writes
``benchmarks/results/data.json``::

    python benchmarks/bench_data.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR  # noqa: E402

RESULTS = RESULTS_DIR / "data.json"
TRAIN_BATCHES = (8, 16)


def pin_to_one_core() -> int | None:
    """Restrict this process to its first allowed CPU; return it (None if unsupported)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def measure_generation(repeats: int, clips_per_call: int) -> dict:
    """synthetic_clip and the tf.data pipeline, in this (pinned) process."""
    import numpy as np

    from streamnets.data import NUM_CLASSES, synthetic_clip
    from streamnets.timing import measure_throughput

    def render(offset: int) -> None:
        for i in range(clips_per_call):
            synthetic_clip(i % NUM_CLASSES, offset + i)

    cpu_start = time.process_time()
    timing = measure_throughput(render, 1000, repeats=repeats, warmup=1, items=clips_per_call)
    cpu_per_clip = (time.process_time() - cpu_start) / ((repeats + 1) * clips_per_call)

    from streamnets.data import stream_seed, synthetic_stream

    stream_frames = 360

    def render_stream(index: int) -> None:
        synthetic_stream(stream_seed("validation", index), stream_frames)

    stream = measure_throughput(render_stream, 0, repeats=repeats, warmup=1, items=stream_frames)
    clip_frame_ms = timing.ms_per_item / 16

    import tensorflow as tf

    from streamnets.data import synthetic_dataset

    batch = 16
    iterator = iter(synthetic_dataset("train", batch_size=batch))
    batches_per_call = max(1, clips_per_call // batch)
    pipeline = measure_throughput(
        lambda _: [next(iterator) for _ in range(batches_per_call)], None, repeats=repeats,
        warmup=1, items=batches_per_call * batch)
    return {
        "synthetic_clip": {"clips_per_s": timing.items_per_s, "ms_per_clip": timing.ms_per_item,
                           "cpu_ms_per_clip": 1000 * cpu_per_clip,
                           "clips_per_call": clips_per_call, "call_s": list(timing.seconds)},
        "synthetic_stream": {"frames_per_stream": stream_frames,
                             "ms_per_frame": stream.ms_per_item,
                             "clip_ms_per_frame": clip_frame_ms,
                             "stream_over_clip": stream.ms_per_item / clip_frame_ms,
                             "call_s": list(stream.seconds)},
        "pipeline": {"clips_per_s": pipeline.items_per_s, "batch_size": batch,
                     "clips_per_call": batches_per_call * batch,
                     "call_s": list(pipeline.seconds),
                     "tf_threads_seen": len(os.sched_getaffinity(0))
                     if hasattr(os, "sched_getaffinity") else None},
        "numpy": np.__version__, "tensorflow": tf.__version__,
    }


def measure_training(repeats: int) -> dict:
    """Training steps of the gesture model on synthetic batches, on all cores."""
    import keras
    import tensorflow as tf

    from streamnets.data import synthetic_dataset
    from streamnets.models import gesture_net
    from streamnets.timing import measure_throughput
    from streamnets.train import compile_for_training

    rows = []
    for batch in TRAIN_BATCHES:
        clips, labels = next(iter(synthetic_dataset("train", batch_size=batch)))
        model = compile_for_training(gesture_net(), total_steps=1000, batch_size=batch)
        timing = measure_throughput(lambda a, m=model: m.train_on_batch(*a), (clips, labels),
                                    repeats=repeats, warmup=2, items=batch)
        rows.append({"batch_size": batch, "clips_per_s": timing.items_per_s,
                     "step_s_median": timing.median_s, "step_s": list(timing.seconds)})
        keras.backend.clear_session()
    return {"train_steps": rows, "keras": keras.__version__, "tensorflow": tf.__version__,
            "cpu_count_used": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count()}


def _child(part: str, repeats: int, clips_per_call: int) -> dict:
    """Run one part in a fresh process (so pinning and TF thread pools do not leak)."""
    command = [sys.executable, __file__, "--part", part, "--repeats", str(repeats),
               "--clips-per-call", str(clips_per_call)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per measurement")
    parser.add_argument("--clips-per-call", type=int, default=54,
                        help="clips rendered per timed call")
    parser.add_argument("--quick", action="store_true", help="2 repeats, 27 clips per call")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--part", choices=("generation", "training"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.clips_per_call < 1:
        parser.error("--repeats and --clips-per-call must be >= 1")
    repeats, per_call = (2, 27) if args.quick else (args.repeats, args.clips_per_call)
    if args.part == "generation":
        core = pin_to_one_core()
        print(json.dumps({**measure_generation(repeats, per_call), "pinned_core": core}))
        return 0
    if args.part == "training":
        print(json.dumps(measure_training(repeats)))
        return 0

    generation = _child("generation", repeats, per_call)
    training = _child("training", repeats, per_call)
    # Imported only here: the children must start TensorFlow after pinning, not inherit it.
    from streamnets.results import write_result
    from streamnets.timing import environment

    train_rate = max(row["clips_per_s"] for row in training["train_steps"])
    results = {
        **environment(),
        "repeats": repeats,
        "clip_shape": [16, 100, 100, 3],
        "generation_one_core": generation,
        "training_all_cores": training,
        "ratio_generation_over_training": generation["synthetic_clip"]["clips_per_s"] / train_rate,
        "ratio_pipeline_over_training": generation["pipeline"]["clips_per_s"] / train_rate,
    }
    write_result(args.out, "data", results)
    print(f"synthetic_clip, one core: {generation['synthetic_clip']['clips_per_s']:.0f} clips/s "
          f"({generation['synthetic_clip']['cpu_ms_per_clip']:.1f} ms CPU per clip); "
          f"tf.data pipeline, one core: {generation['pipeline']['clips_per_s']:.0f} clips/s")
    for row in training["train_steps"]:
        print(f"training, batch {row['batch_size']}: {row['clips_per_s']:.1f} clips/s")
    print(f"generation / training: {results['ratio_generation_over_training']:.0f}x -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
