"""Benchmark the whole live loop on a video file: decode, step, smoothing and trigger.

Runs :func:`streamnets.performance.stream_loop_benchmark`: a synthetic stream written as
a 12 fps mp4 at 160 x 160 is read back as ``streamnets stream --video`` reads it (PyAV
decode, resampling to the model's 6 fps, centre crop, resize to 100 x 100), each frame
goes through the streaming step and the event detector. The Keras streaming step and the
int8 LiteRT export on one thread take turns, ``--rounds`` times, ``--repeats`` passes
each. Reports frames per second, milliseconds per frame of each stage, and the real-time
factor at 6 fps. Writes ``benchmarks/results/stream_loop.json``::

    python benchmarks/bench_stream_loop.py [--repeats 3] [--rounds 3] [--quick]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import RESULTS_DIR, parse_timing_args  # noqa: E402

from streamnets.performance import stream_loop_benchmark  # noqa: E402
from streamnets.results import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_timing_args(__doc__, RESULTS_DIR / "stream_loop.json", argv,
                             quick="60 source frames, 1 pass, 1 round, 4 calibration clips",
                             repeats=3, rounds=3)
    results = stream_loop_benchmark(
        **({"frames": 60, "repeats": 1, "rounds": 1, "calibration_clips": 4} if args.quick
           else {"repeats": args.repeats, "rounds": args.rounds}))
    write_result(args.out, "stream_loop", results)
    video = results["video"]
    print(f"{video['model_frames']} frames at {video['model_fps']:g} fps from a "
          f"{video['source_size']}px {video['source_fps']:g} fps mp4:")
    for name, row in results["loop"].items():
        stages = ", ".join(f"{stage} {ms:.2f}" for stage, ms in row["stage_ms_per_frame"].items())
        print(f"  {name}: {row['frames_per_s']:.0f} frames/s ({row['ms_per_frame']:.2f} ms/frame: "
              f"{stages}), {row['real_time_factor']:.1f}x real time -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
