"""What the book's "In your browser" page loads: the int8 model folder and its demo data.

The page (``book/browser.md`` with the ES modules of ``book/browser/``) runs the exported
streaming model with LiteRT.js in the reader's browser. The book build
(``book/browser_assets.py``) calls :func:`write_page_assets` to put next to the page:

- ``model/``: the int8 LiteRT export of the shipped weights, made with the same call and
  calibration clips as the export chapter, so the page and the chapter run the same model;
  its ``metadata.json`` also carries the model card's operating point;
- ``demo/frames.u8``: a few synthetic test clips and one synthetic test stream, raw uint8
  frames ``(H, W, 3)`` one after the other (the rendered noise leaves gzip only a fifth to
  save, so the file stays raw and the page needs no decompression);
- ``demo/demo.json``: where each clip and the stream start in that file, their labels, and
  the stream's ground-truth events.

The folder is written as a temporary sibling and renamed into place when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from streamnets.data import (
    JESTER_CLASSES,
    MODEL_FPS,
    calibration_clips,
    class_index,
    clip_spec,
    stream_seed,
    synthetic_clip,
    synthetic_stream,
)
from streamnets.files import write_json

#: The weights the page runs, and the export chapter's settings for them (chapter 8:
#: ``CALIBRATION_CLIPS`` and ``DECAY`` of its full run), so that both export one model.
PAGE_WEIGHTS = "synthetic"
CALIBRATION_CLIPS = 64
DECAY = 0.8

#: The test clips the page offers (one per class named), and its test stream.
DEMO_CLASSES: tuple[str, ...] = (
    "Swiping Left", "Thumb Up", "Turning Hand Clockwise", "Drumming Fingers",
    "Zooming In With Full Hand", "Stop Sign",
)
DEMO_STREAM = ("test", 0)
DEMO_STREAM_FRAMES = 360  # one minute at the model's 6 fps

MODEL_DIR = "model"
DEMO_DIR = "demo"
FRAMES_FILE = "frames.u8"
DEMO_FILE = "demo.json"


@dataclass(frozen=True)
class DemoData:
    """The page's demo frames ``(N, H, W, 3)`` uint8 and their description (``demo.json``)."""

    frames: np.ndarray
    description: dict[str, Any]


def demo_data(frames: int = 16, size: int = 100, stream_frames: int = DEMO_STREAM_FRAMES,
              classes: Sequence[str] = DEMO_CLASSES) -> DemoData:
    """Render the demo clips (test clip number ``label`` of each class) and test stream.

    Args:
        frames: frames per clip.
        size: frame height and width in pixels (the model's input size).
        stream_frames: length of the stream, at :data:`~streamnets.data.MODEL_FPS`.
        classes: the class of each demo clip.
    """
    parts, clips, offset = [], [], 0
    for name in classes:
        label = class_index(name)
        _, seed = clip_spec("test", label)  # test clip number `label` has class `label`
        clip = synthetic_clip(label, seed, frames, size)
        parts.append(clip)
        clips.append({"name": name, "label": label, "split": "test", "seed": int(seed),
                      "offset": offset, "frames": frames})
        offset += frames
    seed = stream_seed(*DEMO_STREAM)
    stream, events = synthetic_stream(seed, stream_frames, size)
    parts.append(stream)
    description = {
        "frame_shape": [size, size, 3],
        "fps": MODEL_FPS,
        "frames_file": FRAMES_FILE,
        "clips": clips,
        "stream": {
            "split": DEMO_STREAM[0], "seed": int(seed), "offset": offset,
            "frames": stream_frames,
            "events": [{"label": e.label, "name": e.name, "start": e.start, "end": e.end}
                       for e in events],
        },
    }
    return DemoData(np.concatenate(parts), description)


def read_demo_frames(folder: str | os.PathLike) -> tuple[np.ndarray, dict[str, Any]]:
    """The frames ``(N, H, W, 3)`` and description a :func:`write_page_assets` ``demo/``
    folder holds (what the page reads, for tests and for checking the page).

    Args:
        folder: the ``demo/`` folder, holding ``demo.json`` and the raw uint8 frames
            file it names, frames of its ``frame_shape`` one after the other.
    """
    folder = Path(folder)
    description = json.loads((folder / DEMO_FILE).read_text(encoding="utf-8"))
    raw = (folder / description["frames_file"]).read_bytes()
    shape = tuple(description["frame_shape"])
    return np.frombuffer(raw, np.uint8).reshape(-1, *shape), description


def write_page_assets(out_dir: str | os.PathLike, *, weights: str = PAGE_WEIGHTS,
                      calibration: int = CALIBRATION_CLIPS, decay: float = DECAY,
                      stream_frames: int = DEMO_STREAM_FRAMES,
                      log: Callable[[str], None] = lambda message: None) -> Path:
    """Write the page's ``model/`` and ``demo/`` folders into the new folder ``out_dir``.

    Args:
        out_dir: the folder to create; it must not exist yet. It appears only once
            complete (written as a temporary sibling, then renamed).
        weights: shipped weights (:func:`streamnets.weights.load_pretrained`).
        calibration: synthetic training clips for the int8 calibration.
        decay: the decay the export's metadata records.
        stream_frames: length of the demo stream in frames.
        log: called with a line of progress at each stage.

    Returns:
        ``out_dir`` as a :class:`~pathlib.Path`.
    """
    from streamnets import weights as shipped
    from streamnets.export import export_litert

    out = Path(out_dir)
    if out.exists():
        raise FileExistsError(f"{out} already exists; the page's assets go to a new folder "
                              "(remove the old one first).")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        model = shipped.load_pretrained(weights)
        frames, size = int(model.input.shape[1]), int(model.input.shape[2])
        card = shipped.model_card(weights)
        export_litert(
            model, staging / MODEL_DIR, int8=True, class_names=JESTER_CLASSES,
            calibration_clips=calibration_clips(calibration, frames, size), decay=decay,
            data=card["data"], operating_point=card.get("operating_point"), log=log)
        log(f"rendering the demo clips and a {stream_frames}-frame stream")
        data = demo_data(frames, size, stream_frames)
        demo = staging / DEMO_DIR
        demo.mkdir()
        (demo / FRAMES_FILE).write_bytes(data.frames.tobytes())
        write_json(demo / DEMO_FILE, {**data.description, "weights": weights})
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
