"""streamnets.web: the browser page's model folder and demo data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from streamnets import web
from streamnets.data import clip_spec, stream_seed, synthetic_clip, synthetic_stream
from streamnets.export import read_metadata
from streamnets.litert import LiteRTRunner
from streamnets.weights import model_card


def test_demo_data_lays_out_clips_then_stream() -> None:
    data = web.demo_data(frames=4, size=32, stream_frames=10, classes=("Thumb Up", "Stop Sign"))
    description = data.description
    assert data.frames.shape == (2 * 4 + 10, 32, 32, 3) and data.frames.dtype == np.uint8
    assert [c["name"] for c in description["clips"]] == ["Thumb Up", "Stop Sign"]
    for clip in description["clips"]:
        label, seed = clip_spec("test", clip["label"])
        assert (label, seed) == (clip["label"], clip["seed"])
        np.testing.assert_array_equal(data.frames[clip["offset"]:clip["offset"] + 4],
                                      synthetic_clip(label, seed, 4, 32))
    stream = description["stream"]
    frames, events = synthetic_stream(stream_seed("test", 0), 10, 32)
    assert stream["offset"] == 8 and stream["frames"] == 10
    np.testing.assert_array_equal(data.frames[8:], frames)
    assert stream["events"] == [{"label": e.label, "name": e.name, "start": e.start,
                                 "end": e.end} for e in events]
    assert description["frame_shape"] == [32, 32, 3]
    json.dumps(description)  # the page reads it as JSON


def test_unknown_demo_class_is_refused() -> None:
    with pytest.raises(ValueError, match="Waving"):
        web.demo_data(frames=2, size=32, stream_frames=2, classes=("Waving",))


def test_write_page_assets_exports_the_model_and_the_demo(tmp_path: Path) -> None:
    out = web.write_page_assets(tmp_path / "assets", calibration=4, stream_frames=6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assets"]  # no leftovers
    metadata = read_metadata(out / web.MODEL_DIR)
    assert metadata["format"] == "litert-int8"
    assert metadata["operating_point"]["threshold"] == model_card(web.PAGE_WEIGHTS)[
        "operating_point"]["threshold"]
    assert metadata["decay"] == web.DECAY
    runner = LiteRTRunner(out / web.MODEL_DIR / "model.tflite")
    frames, description = web.read_demo_frames(out / web.DEMO_DIR)
    assert description["weights"] == web.PAGE_WEIGHTS
    assert tuple(description["frame_shape"]) == runner.frame_shape
    assert len(frames) == 16 * len(web.DEMO_CLASSES) + 6
    first = description["clips"][0]
    logits = runner.predict_clips(frames[None, :first["frames"]])[0]
    assert logits.shape == (16, len(metadata["class_names"]))
    with pytest.raises(FileExistsError, match="already exists"):
        web.write_page_assets(out, calibration=4, stream_frames=6)


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises((ValueError, FileNotFoundError, KeyError)):
        web.write_page_assets(tmp_path / "assets", weights="no_such_weights")
    assert list(tmp_path.iterdir()) == []
