"""8-bit calibration data and the quantization reports (LiteRT side; quantizeml's side is
exercised in test_brainchip.py, which needs the akida extra)."""

from __future__ import annotations

import numpy as np
import pytest
from test_export import FRAMES, SIZE, random_clips, small_model

from streamnets import litert, quantize
from streamnets.streaming import to_streaming


@pytest.fixture(scope="module")
def stream():
    return to_streaming(small_model(seed=2))


def test_calibration_pairs_are_what_the_step_sees_when_streaming(stream):
    clips = random_clips(4, seed=1)
    pairs = quantize.calibration_pairs(stream, clips)
    assert len(pairs) == 4 * FRAMES
    listed = list(pairs)
    assert len(listed) == len(pairs) and list(pairs)[5].keys() == listed[5].keys()
    assert set(listed[0]) == {"image"} | set(stream.state_specs())
    # Time-major: pair t * N + b is clip b's frame t, with the states before that frame.
    states = stream.init_states(1)
    for t in range(FRAMES):
        pair = listed[t * 4 + 2]
        assert pair["image"].dtype == np.uint8 and pair["image"].shape == (1, SIZE, SIZE, 3)
        np.testing.assert_array_equal(pair["image"][0], clips[2, t])
        for name, state in litert.export_states(states).items():  # the exported layout
            np.testing.assert_allclose(pair[name], state, rtol=1e-5, atol=1e-6)
        _, states = stream.step_fn(clips[2:3, t], states)
    assert all(not pair[name].any() for pair in listed[:4] for name in stream.state_specs())
    assert any(listed[-1][name].any() for name in stream.state_specs())


@pytest.mark.parametrize("clips, message", [
    (np.zeros((0,), np.uint8), "empty"),
    (random_clips(3), "has 3 clip"),
    (random_clips(4).astype(np.int32), "uint8"),
    (random_clips(4)[:, 0], "shape"),
])
def test_bad_calibration_sets_are_refused(stream, clips, message):
    with pytest.raises(ValueError, match=message):
        quantize.calibration_pairs(stream, clips)


def test_time_major_puts_frame_t_of_every_clip_together():
    clips = random_clips(3, frames=4, size=SIZE)
    frames = quantize.time_major(clips)
    assert frames.shape == (12, SIZE, SIZE, 3)
    for t in range(4):
        for b in range(3):
            np.testing.assert_array_equal(frames[t * 3 + b], clips[b, t])


def test_layer_errors_cover_every_computing_layer_near_rounding_level(stream):
    errors = quantize.litert_layer_errors(stream, quantize.calibration_pairs(
        stream, random_clips(4, seed=3)))
    layers = {error.layer for error in errors}
    kernels = {row["layer"] for row in quantize.weight_ranges(stream)}
    assert kernels <= layers  # every layer with weights is measured
    for error in errors:
        assert error.scale > 0 and error.elements > 0
        # Output rounding alone gives rmse = scale / sqrt(12) ~ 0.29 steps, the int8
        # weights add a little (most in small layers); a broken range gives many steps.
        assert 0 < error.rmse_in_steps < 3, error
        low, high = error.output_range
        assert low <= 0 <= high and high - low == pytest.approx(255 * error.scale)
    relu = [e for e in errors if e.layer == "convs_full_0_0"][0]
    assert relu.output_range[0] == 0  # a ReLU output: calibration starts the range at 0


def test_weight_ranges_report_the_per_channel_spread(stream):
    rows = {row["layer"]: row for row in quantize.weight_ranges(stream)}
    assert list(rows)[0] == "input_conv" and list(rows.values())[-1]["kind"] == "Dense"
    for layer in stream.frame_layers:
        if layer.name in rows:
            kernel = np.abs(np.asarray(layer.kernel))
            assert rows[layer.name]["max_abs"] == pytest.approx(kernel.max())
            assert rows[layer.name]["weights"] == kernel.size
    depthwise = rows["convs_dw_3_0"]
    assert depthwise["kind"] == "DepthwiseConv2D"
    assert depthwise["channel_spread"] >= 1
    assert depthwise["channel_max_min"] <= depthwise["channel_max_median"] <= depthwise["max_abs"]


def test_top1_agreement_and_accuracy_table():
    a = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]]])
    b = np.array([[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [1.0, 0.0]]])
    assert quantize.top1_agreement(a, b) == 0.75
    with pytest.raises(ValueError, match="shapes differ"):
        quantize.top1_agreement(a, b[:1])
    table = quantize.accuracy_table({"float": a, "int8": b}, np.array([1, 0]), decay=0.8)
    assert [row["model"] for row in table] == ["float", "int8"]
    assert table[0]["frame_accuracy"] == 0.75 and table[1]["frame_accuracy"] == 0.5
    assert table[0]["top1_agreement_with_first"] == 1.0
    assert table[1]["top1_agreement_with_first"] == 0.75
