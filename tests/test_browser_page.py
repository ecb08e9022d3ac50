"""The book's "In your browser" page runs the exported model exactly as Python does.

The built book (the ``built_book`` fixture) is served on 127.0.0.1 and the page is driven
in headless Chromium through its test hook ``window.streamnetsDemo`` by
``tests/browser/page.js``. The page's model is the one the book build exported into
``browser/assets/model``; Python's :class:`streamnets.litert.LiteRTRunner` runs the same
file here for comparison.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_support import run_driver, serve

from streamnets.data import clip_spec, stream_seed, synthetic_clip, synthetic_stream
from streamnets.detection import stream_probabilities
from streamnets.litert import LiteRTRunner

PAGE = "browser.html"
MODEL = Path("browser") / "assets" / "model"
#: Logits of the page and of Python's interpreter on the same frames may differ by this.
EXACT = 1e-6
#: Camera frames run through Chromium's colour conversion (RGB -> I420 -> RGB), so their
#: logits differ; the smoothed class per frame must still agree this often with Python's
#: on the original frames.
CAMERA_AGREEMENT = 0.8
CAMERA_FRAMES = 36


def drive(html: Path, tmp_path: Path, tasks: list[dict], files: dict[str, Path] | None = None,
          args: tuple[str, ...] = (), isolated: bool = False, query: str = "") -> dict[str, Any]:
    """Open the page, run ``tasks`` (see tests/browser/page.js), return the report."""
    shots = tmp_path / "shots"
    shots.mkdir(exist_ok=True)
    with serve(html, isolated=isolated) as url:
        plan = {"url": f"{url}/{PAGE}{query}", "profile": str(tmp_path / "profile"),
                "shots": str(shots), "args": list(args), "tasks": tasks,
                "files": {route: str(path) for route, path in (files or {}).items()}}
        plan_file = tmp_path / "plan.json"
        plan_file.write_text(json.dumps(plan))
        report = run_driver("page.js", str(plan_file))
    log = json.dumps({k: report.get(k) for k in ("ready_error", "status", "errors", "failed")},
                     indent=1)
    assert "ready_error" not in report, f"the page did not get ready:\n{log}"
    return report


def run_page_frames(html: Path, tmp_path: Path, frames: np.ndarray, **kwargs: Any
                    ) -> tuple[np.ndarray, dict[str, Any]]:
    """The page's logits ``(N, classes)`` for uint8 frames ``(N, H, W, 3)`` from zero states."""
    file = tmp_path / "frames.u8"
    file.write_bytes(np.ascontiguousarray(frames, np.uint8).tobytes())
    report = drive(html, tmp_path, [{"kind": "frames", "file": "/_test/frames.u8",
                                     "count": len(frames)}], {"/_test/frames.u8": file}, **kwargs)
    result = report["results"][0]
    return np.array(result["logits"], np.float32).reshape(len(frames), -1), report


@pytest.mark.browser
def test_page_logits_equal_python_litert(built_book: Path, tmp_path: Path) -> None:
    # Validation clips: the page's demo and the export chapter use test clips.
    labels = (4, 14, 20)
    clips = np.stack([synthetic_clip(label, clip_spec("validation", label)[1], 16, 100)
                      for label in labels])
    runner = LiteRTRunner(built_book / MODEL / "model.tflite")
    want = runner.predict_clips(clips)
    for clip, expected in zip(clips, want, strict=True):
        got, report = run_page_frames(built_book, tmp_path, clip)
        error = float(np.abs(got - expected).max())
        print(f"page vs Python LiteRT: max |logit difference| {error:.3g} over {len(clip)} "
              f"frames")
        assert error <= EXACT, f"the page's logits differ from Python's by up to {error}"
        assert report["class_names"] == json.loads(
            (built_book / MODEL / "metadata.json").read_text())["class_names"]
        assert not report["errors"], report["errors"]
        assert not report["blocked"] or all("mathjax" in url for url in report["blocked"]), \
            report["blocked"]


def write_y4m(path: Path, frames: np.ndarray, fps: int = 6) -> None:
    """RGB frames ``(N, H, W, 3)`` as a Y4M file (I420; PyAV's swscale converts)."""
    import av

    height, width = frames.shape[1:3]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420\n".encode())
        for rgb in frames:
            planes = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
                format="yuv420p").to_ndarray()
            out.write(b"FRAME\n" + planes.tobytes())


@pytest.mark.browser
def test_webcam_path_agrees_with_python(built_book: Path, tmp_path: Path) -> None:
    source, _ = synthetic_stream(stream_seed("test", 1), 60, 100)
    y4m = tmp_path / "camera.y4m"
    write_y4m(y4m, source)
    report = drive(built_book, tmp_path, [{"kind": "camera", "count": CAMERA_FRAMES}], args=(
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}"))
    result = report["results"][0]
    assert not report["errors"], report["errors"]
    captured = np.frombuffer(Path(result["frames_file"]).read_bytes(), np.uint8).reshape(
        CAMERA_FRAMES, 100, 100, 3)
    page_logits = np.array(result["logits"], np.float32).reshape(CAMERA_FRAMES, -1)
    runner = LiteRTRunner(built_book / MODEL / "model.tflite")
    # The page ran what it grabbed exactly as Python runs it...
    same = runner.predict_clips(captured[None])[0]
    assert np.abs(page_logits - same).max() <= EXACT
    # ...and what it grabbed is the source, up to colour conversion: each grabbed frame is
    # matched to its nearest source frame (the fake camera loops the file at its own pace).
    distance = np.abs(captured[:, None].astype(np.int16) - source[None].astype(np.int16))
    nearest = distance.mean(axis=(2, 3, 4)).argmin(axis=1)
    error = float(np.abs(captured.astype(int) - source[nearest].astype(int)).mean())
    assert error < 8, f"grabbed frames are {error:.1f} grey levels from the source frames"
    python_logits = runner.predict_clips(source[nearest][None])[0]
    decay = json.loads((built_book / MODEL / "metadata.json").read_text())["decay"]
    page_class = stream_probabilities(page_logits, decay).argmax(axis=1)
    python_class = stream_probabilities(python_logits, decay).argmax(axis=1)
    agreement = float(np.mean(page_class == python_class))
    top1 = float(np.mean(page_logits.argmax(1) == python_logits.argmax(1)))
    print(f"webcam path: {CAMERA_FRAMES} frames, mean |pixel error| {error:.2f}, smoothed "
          f"class agreement with Python {agreement:.0%}, per-frame top-1 agreement {top1:.0%}")
    assert agreement >= CAMERA_AGREEMENT, (
        f"the webcam path's smoothed class agrees with Python on {agreement:.0%} of frames")


def bad_folders(model: Path, root: Path) -> dict[str, tuple[Path, str]]:
    """Export folders that do not fit, and a phrase the page's message must contain."""
    metadata = json.loads((model / "metadata.json").read_text())
    folders = {}
    classes = root / "wrong_classes"
    classes.mkdir()
    (classes / "model.tflite").write_bytes((model / "model.tflite").read_bytes())
    (classes / "metadata.json").write_text(json.dumps(
        {**metadata, "class_names": metadata["class_names"][:5]}))
    folders["class names"] = (classes, "names 5 classes but the model has 27 logits")
    empty = root / "no_metadata"
    empty.mkdir()
    (empty / "model.tflite").write_bytes(b"not a model")
    folders["no metadata"] = (empty, "no metadata.json")
    other = root / "other_model"
    other.mkdir()
    (other / "model.tflite").write_bytes(b"\0" * 64)
    (other / "metadata.json").write_text(json.dumps(
        {**metadata, "bytes": 64, "sha256": hashlib.sha256(b"\0" * 64).hexdigest()}))
    folders["not a model"] = (other, "could not be loaded")
    return folders


@pytest.mark.browser
def test_bad_model_folder_is_explained(built_book: Path, tmp_path: Path) -> None:
    folders = bad_folders(built_book / MODEL, tmp_path)
    report = drive(built_book, tmp_path,
                   [{"kind": "folder", "dir": str(folder)} for folder, _ in folders.values()])
    for (name, (_, phrase)), result in zip(folders.items(), report["results"], strict=True):
        assert result["error_shown"], f"{name}: no error shown ({result['status']!r})"
        assert phrase in result["status"], f"{name}: {result['status']!r}"
        assert "previous model stays loaded" in result["status"]
        assert result["model_after"] == result["model_before"], name
    assert not report["errors"], report["errors"]


@pytest.mark.browser
def test_page_plays_the_stream_without_errors(built_book: Path, tmp_path: Path) -> None:
    report = drive(built_book, tmp_path, [{"kind": "play", "source": "stream", "seconds": 4}])
    result = report["results"][0]
    assert "ms per frame" in result["info"], result
    frames = int(result["info"].split()[1])
    assert frames >= 5, f"only {frames} frames played in 4 s: {result}"
    assert "triggers" in result["info"]
    assert not report["errors"], report["errors"]
    assert Path(result["screenshot"]).stat().st_size > 10_000


@pytest.mark.browser
def test_browser_benchmark_runs_at_tiny_size(built_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "browser.json"
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_browser.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--quick", "--html", str(built_book), "--out", str(out)],
        cwd=bench.parent, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    rows = json.loads(out.read_text())["rows"]
    assert set(rows) == {"native_int8_1_thread", "page_wasm_1_thread", "page_wasm_2_threads"}
    native = rows["native_int8_1_thread"]["ms_per_frame"]
    for row in rows.values():
        assert row["ms_per_frame"] > 0
        assert row["ratio_to_native"] == pytest.approx(row["ms_per_frame"] / native)


def test_page_only_book_is_the_page_with_the_book_configuration(tmp_path: Path) -> None:
    """``book/build.py --page-only`` (the benchmark's fallback) writes the real page and
    the book's configuration, minus the gallery, with the page's extension found."""
    import importlib.util

    import yaml

    repo = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("book_build", repo / "book" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    book = build.page_only_book(tmp_path / "page")
    assert (book / "browser.md").read_text() == (repo / "book" / "browser.md").read_text()
    config = yaml.safe_load((tmp_path / "page" / "_config.yml").read_text())
    book_config = yaml.safe_load((repo / "_config.yml").read_text())
    assert not any("gallery" in name for name in config["sphinx"]["extra_extensions"])
    assert config["parse"] == book_config["parse"] and config["html"] == book_config["html"]
    folder = Path(config["sphinx"]["local_extensions"]["browser_assets"])
    assert (folder / "browser_assets.py").is_file()
    assert yaml.safe_load((book / "_toc.yml").read_text())["chapters"] == [{"file": "browser"}]
    with pytest.raises(SystemExit):
        build.main(["--page-only", str(tmp_path / "page")])  # an existing folder is refused
