"""Benchmark the book's "In your browser" page against native LiteRT, side by side.

The built page (``book/_build/html`` after ``make book``, or ``--html DIR``; without
either, the page alone is built first with ``book/build.py --page-only``) is served on
127.0.0.1 with the COOP/COEP headers that threaded WebAssembly needs, and driven in
headless Chromium by ``tests/browser/page.js``: ``window.streamnetsDemo.runFrames`` runs
validation frames from zero states, and the page's own counters (the model's step alone,
timed with ``performance.now()``) give milliseconds per frame, for LiteRT.js on wasm with
1 and with 2 threads. Native int8 LiteRT (``ai_edge_litert``, 1 thread) runs the page's
very ``model.tflite`` on the same frames in the same run. The three take turns
``--rounds`` times; each turn is ``--repeats`` passes after one warm-up pass, and the
median pass counts. Writes ``benchmarks/results/browser.json`` with the ratios page /
native and whether the page is within :data:`TARGET_RATIO` of native::

    python benchmarks/bench_browser.py [--repeats 3] [--rounds 3] [--quick] [--html DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from common import RESULTS_DIR, parse_timing_args  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the browser drivers' helpers live with the tests

#: The page should run a frame within this factor of native LiteRT (issue 13).
TARGET_RATIO = 4.0
THREADS = (1, 2)
MODEL = Path("browser") / "assets" / "model" / "model.tflite"


def page_row(threads: int) -> str:
    """The result row of the page on ``threads`` threads."""
    return f"page_wasm_{threads}_thread{'s' if threads > 1 else ''}"


def bench_frames(count: int) -> np.ndarray:
    """``count`` frames of validation clips, uint8 ``(count, 100, 100, 3)``."""
    from streamnets.data import clip_spec, synthetic_clip

    clips = [synthetic_clip(label, clip_spec("validation", label)[1], 16, 100)
             for label in range(-(-count // 16))]
    return np.concatenate(clips)[:count]


def page_turn(html: Path, frames_file: Path, count: int, threads: int, passes: int,
              work: Path) -> list[float]:
    """Milliseconds per frame of each of ``passes`` page passes (after one warm-up pass)."""
    from browser_support import run_driver, serve

    task = {"kind": "frames", "file": "/_test/frames.u8", "count": count}
    with serve(html, isolated=True) as url:
        plan = {"url": f"{url}/browser.html?threads={threads}", "shots": str(work),
                "profile": tempfile.mkdtemp(dir=work), "args": [],
                "files": {"/_test/frames.u8": str(frames_file)}, "tasks": [task] * (passes + 1)}
        (work / "plan.json").write_text(json.dumps(plan))
        report = run_driver("page.js", str(work / "plan.json"), timeout=900)
    if "ready_error" in report:
        raise RuntimeError(f"the page did not start: {report['ready_error']} "
                           f"({report.get('status')}); errors: {report['errors']}")
    results = report["results"][1:]
    if any(r["threads"] != threads for r in results):
        raise RuntimeError(f"the page ran {results[0]['threads']} thread(s), not {threads}")
    return [r["ms"] / r["frames"] for r in results]


def native_turn(runner: object, frames: np.ndarray, passes: int) -> list[float]:
    """Milliseconds per frame of each of ``passes`` native passes (after one warm-up)."""
    timings = []
    for index in range(passes + 1):
        start = time.perf_counter()
        runner.predict_clips(frames[None])
        if index:
            timings.append(1000 * (time.perf_counter() - start) / len(frames))
    return timings


def main(argv: list[str] | None = None) -> int:
    # --html is this script's own option; the shared parser takes the timing options.
    parser_args = list(sys.argv[1:] if argv is None else argv)
    html = None
    if "--html" in parser_args[:-1]:
        index = parser_args.index("--html")
        html = Path(parser_args.pop(index + 1))
        parser_args.pop(index)
        if not (html / MODEL).is_file():
            raise SystemExit(f"error: --html {html} holds no built browser page (no {MODEL}).")
    args = parse_timing_args(__doc__, RESULTS_DIR / "browser.json", parser_args,
                             quick="8 frames, 1 pass, 1 round", repeats=3, rounds=3)
    with tempfile.TemporaryDirectory() as folder:
        if html is None:
            html = built_page(Path(folder))
        return run(html, args)


def built_page(scratch: Path) -> Path:
    """The book's HTML folder if it holds the page, else the page alone built in ``scratch``."""
    book = REPO / "book" / "_build" / "html"
    if (book / MODEL).is_file():
        return book
    build = [sys.executable, str(REPO / "book" / "build.py"), "--page-only", str(scratch / "page")]
    if subprocess.run(build, check=False).returncode:
        raise SystemExit("error: building the browser page failed (see above).")
    return scratch / "page" / "book" / "_build" / "html"


def run(html: Path, args: argparse.Namespace) -> int:
    """Time the page in ``html`` and native LiteRT; write and print the results."""
    from streamnets.litert import LiteRTRunner
    from streamnets.results import write_result
    from streamnets.timing import environment

    count, passes, rounds = (8, 1, 1) if args.quick else (48, args.repeats, args.rounds)
    frames = bench_frames(count)
    runner = LiteRTRunner(html / MODEL, num_threads=1)
    timings: dict[str, list[float]] = {"native_int8_1_thread": []}
    timings.update({page_row(n): [] for n in THREADS})
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        frames_file = work / "frames.u8"
        frames_file.write_bytes(frames.tobytes())
        for _ in range(rounds):
            timings["native_int8_1_thread"] += native_turn(runner, frames, passes)
            for n in THREADS:
                timings[page_row(n)] += page_turn(
                    html, frames_file, count, n, passes, work)
    native = statistics.median(timings["native_int8_1_thread"])
    rows = {name: {"ms_per_frame": statistics.median(values), "passes_ms_per_frame": values,
                   "ratio_to_native": statistics.median(values) / native}
            for name, values in timings.items()}
    best_page = min(row["ratio_to_native"] for name, row in rows.items()
                    if name.startswith("page"))
    results = {**environment("ai-edge-litert"), "frames": count, "passes": passes,
               "rounds": rounds, "model": str(MODEL), "rows": rows,
               "target_ratio": TARGET_RATIO, "within_target": best_page <= TARGET_RATIO}
    write_result(args.out, "browser", results)
    for name, row in rows.items():
        print(f"  {name}: {row['ms_per_frame']:.2f} ms/frame ({row['ratio_to_native']:.1f}x "
              f"native)")
    print(f"page within {TARGET_RATIO:g}x of native: {results['within_target']} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
