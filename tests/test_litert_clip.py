"""The clip model in LiteRT as 2-D convs: what recomputing the window costs where the
model is deployed. It must compute the Keras clip model's logits at every frame (float),
keep float's answers in int8, and run every conv in int8 (no float ``CONV_3D``), so that
recompute and streaming step are timed on the same kernels.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from test_export import FRAMES, SIZE, random_clips, small_model

from streamnets import litert
from streamnets.data import calibration_clips, clip_spec, synthetic_clip
from streamnets.streaming import max_relative_error, to_streaming

pytest.importorskip("ai_edge_litert")

#: Largest relative error of the float LiteRT clip model per frame (batch norm is folded
#: in the 2-D form, so the sums round differently from the Keras clip model's).
CLIP_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def model():
    return small_model()


@pytest.fixture(scope="module")
def stream(model):
    return to_streaming(model)


@pytest.fixture(scope="module")
def test_clips():
    return np.stack([synthetic_clip(*clip_spec("test", index), FRAMES, SIZE)
                     for index in range(6)])


@pytest.fixture(scope="module")
def clip_models(stream):
    return {"float": litert.convert_clip_litert(stream, FRAMES),
            "int8": litert.convert_clip_litert(stream, FRAMES,
                                               calibration_clips(8, FRAMES, SIZE))}


def test_stacked_windows_hold_each_frames_causal_window():
    frames = tf.constant(np.arange(4 * 1 * 1 * 2, dtype=np.float32).reshape(4, 1, 1, 2))
    stacked = litert.stacked_windows(frames, 3).numpy()
    assert stacked.shape == (4, 1, 1, 6)
    np.testing.assert_array_equal(stacked[0, 0, 0], [0, 0, 0, 0, 0, 1])  # zeros before frame 0
    np.testing.assert_array_equal(stacked[3, 0, 0], [2, 3, 4, 5, 6, 7])  # frames 1, 2, 3


def test_clip_as_frames_is_the_keras_clip_model(model, stream, test_clips):
    expected = model(test_clips[:1].astype(np.float32), training=False).numpy()
    got = litert.clip_as_frames(stream, tf.constant(test_clips[:1], tf.float32)).numpy()
    assert got.shape == expected.shape == (1, FRAMES, model.output.shape[-1])
    assert max_relative_error(expected, got) <= CLIP_TOLERANCE


def test_float_clip_model_equals_keras_at_every_frame(model, clip_models, test_clips):
    expected = model.predict(test_clips.astype(np.float32), verbose=0)
    got = litert.LiteRTClipRunner(clip_models["float"]).predict_clips(test_clips)
    assert got.shape == expected.shape
    for t in range(FRAMES):
        assert max_relative_error(expected[:, t], got[:, t]) <= CLIP_TOLERANCE, t
    assert np.abs(np.diff(expected, axis=1)).max() > 0  # the frames' logits do differ


def test_int8_clip_model_runs_every_op_in_int8(clip_models):
    assert litert.float_ops(clip_models["int8"]) == {}
    ops = litert.litert_ops(clip_models["int8"])
    assert "CONV_3D" not in ops and ops["CONV_2D"] >= 11


def test_int8_clip_model_keeps_floats_top1_on_97_percent_of_frames(clip_models, test_clips):
    float_logits = litert.LiteRTClipRunner(clip_models["float"]).predict_clips(test_clips)
    int8_logits = litert.LiteRTClipRunner(clip_models["int8"]).predict_clips(test_clips)
    agreement = np.mean(int8_logits.argmax(-1) == float_logits.argmax(-1))
    assert agreement >= 0.97, agreement


def test_clip_runner_rejects_nothing_silently_on_random_pixels(clip_models):
    """Any uint8 clip of the right shape runs and returns finite logits per frame."""
    logits = litert.LiteRTClipRunner(clip_models["int8"]).predict_clips(random_clips(2))
    assert logits.shape[:2] == (2, FRAMES) and np.isfinite(logits).all()
