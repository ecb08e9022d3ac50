"""Small stand-ins for BrainChip's three published files, in their exact layout, and a
server for them on 127.0.0.1 (nothing real is ever downloaded in a test).

* ``jester_subset.tar.gz``: ``jester_subset/`` with ``jester-v1-labels.csv`` (one class per
  line), ``jester-v1-validation.csv`` (``id;label``) and ``tfrecords/jester_val_000.tfrecord``
  (GZIP, ``tf.train.SequenceExample``: context ``filename, height, width, depth,
  frame_count, label``, sequence ``frames`` of JPEGs). Each video is a synthetic clip with
  every frame shown twice (so stride-2 sampling gives the clip back) and 10 black columns
  on each side (so the centre crop matters).
* ``jester_video_bs100.npz``: time-major calibration frames of a few synthetic streams.
* ``tenn_spatiotemporal_jester.h5``: the tf_keras twin of our shipped ``synthetic`` model,
  saved as a whole model (``model.save``), as BrainChip publishes theirs.

The server also answers ``streamnets-manifest.json`` with each file's size and sha256:
the one place a test's expectations come from (see :mod:`streamnets.data.remote`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from streamnets.data import JESTER_CLASSES, synthetic_clip
from streamnets.data.remote import FILES, MANIFEST

CLIP_FRAMES, PAD = 16, 10
CALIBRATION_STREAMS = 4


def fixture_videos(count: int) -> list[tuple[str, int, np.ndarray]]:
    """``(video id, class index, frames uint8 (32, 100, 120, 3))`` of ``count`` videos."""
    videos = []
    for i in range(count):
        label = (5 * i) % len(JESTER_CLASSES)
        clip = synthetic_clip(label, seed=9000 + i, frames=CLIP_FRAMES)
        frames = np.pad(np.repeat(clip, 2, axis=0), ((0, 0), (0, 0), (PAD, PAD), (0, 0)))
        videos.append((str(100000 + i), label, frames))
    return videos


def _jpeg(frame: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def write_subset(root: Path, count: int) -> Path:
    """BrainChip's subset layout under ``root`` (no archive); returns ``root``."""
    import tensorflow as tf

    from streamnets.data.jester import write_tfrecord_video

    (root / "tfrecords").mkdir(parents=True, exist_ok=True)
    (root / "jester-v1-labels.csv").write_text("\n".join(JESTER_CLASSES) + "\n")
    videos = fixture_videos(count)
    (root / "jester-v1-validation.csv").write_text(
        "".join(f"{video};{JESTER_CLASSES[label]}\n" for video, label, _ in videos))
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    with tf.io.TFRecordWriter(str(root / "tfrecords" / "jester_val_000.tfrecord"),
                              options) as writer:
        for video, label, frames in videos:
            write_tfrecord_video(writer, [_jpeg(f) for f in frames], label, video,
                                 frames.shape[1], frames.shape[2])
    return root


def _subset_archive(scratch: Path, count: int) -> bytes:
    write_subset(scratch / "jester_subset", count)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(scratch / "jester_subset", arcname="jester_subset")
    return buffer.getvalue()


def _calibration() -> bytes:
    from streamnets.quantize import time_major

    clips = np.stack([synthetic_clip(i % len(JESTER_CLASSES), seed=7000 + i)
                      for i in range(CALIBRATION_STREAMS)])
    frames = time_major(clips)
    buffer = io.BytesIO()
    half = len(frames) // 2  # two arrays: the tutorial concatenates every array of the file
    np.savez(buffer, first=frames[:half], second=frames[half:])
    return buffer.getvalue()


def _whole_model_h5(scratch: Path) -> bytes:
    from streamnets.brainchip import to_tf_keras
    from streamnets.weights import load_pretrained

    path = scratch / "tenn_spatiotemporal_jester.h5"
    to_tf_keras(load_pretrained("synthetic")).save(path, save_format="h5")
    return path.read_bytes()


def build_files(scratch: Path, count: int = 8) -> dict[str, bytes]:
    """The served bytes by URL path (``/<registry path>``), manifest included."""
    files = {
        FILES["jester-subset"].path: _subset_archive(scratch, count),
        FILES["jester-calibration"].path: _calibration(),
        FILES["brainchip-jester"].path: _whole_model_h5(scratch),
    }
    manifest = {"files": {path: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                          for path, data in files.items()}}
    files[MANIFEST] = json.dumps(manifest).encode()
    return {"/" + path: data for path, data in files.items()}


@contextlib.contextmanager
def serve(files: dict[str, bytes]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``files`` on 127.0.0.1; yields the base URL and the list of requested paths."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            requested.append(self.path)
            data = files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()[:16]}"')
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", requested
    finally:
        httpd.shutdown()
        httpd.server_close()
