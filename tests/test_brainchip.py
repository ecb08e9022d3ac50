"""BrainChip's path on our weights: the tf_keras twin, its bufferized form, quantizeml
8-bit quantization, cnn2snn conversion and the Akida runtime (outputs checked here only).

Needs the optional extra ``streamnets[akida]``. The model is the gesture model on 32x32
frames and 8 frames per clip, so quantization and conversion take seconds, not minutes.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_export import CLASSES, FRAMES, NAMES, SIZE, random_clips, small_model

from streamnets import brainchip, export, models, quantize
from streamnets.streaming import max_relative_error, to_streaming

pytest.importorskip("quantizeml")
pytestmark = pytest.mark.akida

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def model():
    return small_model(seed=1)


@pytest.fixture(scope="module")
def clips():
    return random_clips(4, seed=7)


@pytest.fixture(scope="module")
def quantized(model):
    return quantize.quantize_brainchip(model, random_clips(4, seed=8))


def test_twin_uses_brainchips_names_and_computes_the_same_logits(model, clips):
    twin = brainchip.to_tf_keras(model)
    names = [layer.name for layer in twin.layers]
    for name in ("input_conv/BN", "convt_full_0_0/relu", "convs_dw_4_0/BN", "zero_padding3d",
                 "zero_padding3d_4", "gap", "dense", "re_lu", "dense_1"):
        assert name in names
    assert not any(name.endswith(("_BN", "_relu")) for name in names)
    expected = model(clips.astype(np.float32), training=False).numpy()
    got = twin(clips.astype(np.float32), training=False).numpy()
    assert got.shape == (len(clips), FRAMES, 1, 1, CLASSES)  # BrainChip's head shape
    assert max_relative_error(expected, got[:, :, 0, 0]) <= TOLERANCE


def test_twin_of_the_full_model_has_brainchips_parameter_count():
    twin = brainchip.to_tf_keras(models.gesture_net())
    assert twin.count_params() == 1_353_895
    assert twin.name == "jester_video"
    kinds = {layer.name: type(layer).__name__ for layer in twin.layers}
    assert kinds["convt_dw_3_0"] == kinds["convs_dw_3_0"] == "Conv3D"
    assert twin.get_layer("convt_dw_3_0").groups == 200


def test_bufferized_model_streams_like_ours(model, clips):
    """BrainChip's FIFO model (quantizeml sanitize) and our streaming model agree."""
    buffered = brainchip.bufferized(model)
    assert type(buffered.get_layer("convt_full_0_0")).__name__ == "BufferTempConv"
    assert type(buffered.get_layer("convt_dw_3_0")).__name__ == "DepthwiseBufferTempConv"
    expected = to_streaming(model).predict_clips(clips)
    got = quantize.predict_buffered(buffered, clips, batch_size=3)  # two batches: resets
    assert max_relative_error(expected, got) <= TOLERANCE


def test_quantized_model_is_8_bit_and_close_to_float(model, clips, quantized):
    kinds = {type(layer).__name__ for layer in quantized.layers}
    assert {"QuantizedConv2D", "QuantizedBufferTempConv", "QuantizedDepthwiseBufferTempConv",
            "QuantizedDense"} <= kinds
    expected = to_streaming(model).predict_clips(clips)
    got = quantize.predict_buffered(quantized, clips)
    assert 0 < max_relative_error(expected, got) < 0.1
    assert quantize.top1_agreement(expected, got) >= 0.9


def test_akida_runtime_agrees_with_the_quantized_keras_model(model, clips, quantized,
                                                             tmp_path):
    """End to end: quantize (fixture), convert + save (export), run the saved Akida model."""
    import akida

    result = export.export_akida(model, tmp_path / "akida", class_names=NAMES,
                                 quantized=quantized)
    assert sorted(result.files) == ["metadata.json", "model.fbz"]
    meta = export.read_metadata(tmp_path / "akida")
    assert meta["inputs"]["image"] == {"shape": [SIZE, SIZE, 3], "dtype": "uint8"}
    keras_logits = quantize.predict_buffered(quantized, clips)
    for clip, expected in zip(clips, keras_logits, strict=True):
        runtime = akida.Model(str(tmp_path / "akida" / "model.fbz"))  # one instance per clip
        got = runtime.predict(clip).reshape(FRAMES, CLASSES)
        np.testing.assert_array_equal(got.argmax(-1), expected.argmax(-1))
        np.testing.assert_allclose(got, expected, atol=1e-3 * np.abs(expected).max())


def test_models_not_built_from_our_blocks_are_refused():
    inputs = keras.Input((FRAMES, SIZE, SIZE, 3))
    x = keras.layers.Conv3D(4, (1, 3, 3), name="conv")(inputs)
    x = keras.layers.LayerNormalization(name="layer_norm")(x)
    with pytest.raises(ValueError, match="'layer_norm' .LayerNormalization."):
        brainchip.to_tf_keras(keras.Model(inputs, x))
    a = keras.layers.Conv3D(4, 1, name="a")(inputs)
    b = keras.layers.Conv3D(4, 1, name="b")(inputs)
    with pytest.raises(ValueError, match="plain chains"):
        brainchip.to_tf_keras(keras.Model(inputs, keras.layers.Add()([a, b])))


def test_quantization_refuses_a_too_small_calibration_set(model):
    with pytest.raises(ValueError, match="at least 4"):
        quantize.quantize_brainchip(model, random_clips(2))
