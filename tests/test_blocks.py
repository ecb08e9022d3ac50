"""Blocks: shapes, parameter counts against hand counts, causality of every block type."""

import keras
import numpy as np
import pytest

from streamnets.blocks import (
    DepthwiseConv3D,
    SpatialAveragePooling,
    causal_temporal_conv,
    conv3d_block,
    r2plus1d_block,
    spatiotemporal_block,
)

FRAMES, SIZE, C_IN = 8, 16, 6


def build(block_fn) -> keras.Model:
    inputs = keras.Input((FRAMES, SIZE, SIZE, C_IN))
    return keras.Model(inputs, block_fn(inputs))


BLOCKS = {
    "full": lambda x: spatiotemporal_block(x, 10, 12, index=0),
    "depthwise": lambda x: spatiotemporal_block(x, 10, 12, index=3, depthwise=True),
    "conv3d": lambda x: conv3d_block(x, 12, "c3d"),
    "r2plus1d": lambda x: r2plus1d_block(x, 10, 12, "r21d"),
}


def randomize_batchnorm(model: keras.Model, rng: np.random.Generator) -> None:
    """Give BN non-trivial statistics so tests do not pass by accident of identity BN."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([
                rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.2, beta.shape),
                rng.normal(0, 0.2, mean.shape), rng.uniform(0.5, 1.5, var.shape),
            ])


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_block_keeps_frames_and_halves_space(kind):
    model = build(BLOCKS[kind])
    assert tuple(model.output.shape) == (None, FRAMES, SIZE // 2, SIZE // 2, 12)


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_block_is_causal(kind):
    model = build(BLOCKS[kind])
    rng = np.random.default_rng(0)
    randomize_batchnorm(model, rng)
    x = rng.normal(size=(2, FRAMES, SIZE, SIZE, C_IN)).astype("float32")
    for t in (0, 3, FRAMES - 2):
        y = x.copy()
        y[:, t + 1 :] = rng.normal(size=y[:, t + 1 :].shape)
        a, b = np.asarray(model(x)), np.asarray(model(y))
        np.testing.assert_allclose(a[:, : t + 1], b[:, : t + 1], atol=1e-5)
        assert not np.allclose(a[:, t + 1 :], b[:, t + 1 :])


def test_parameter_counts_match_hand_counts():
    k, c_t, c_s = 5, 10, 12
    bn = 4  # gamma, beta, moving mean, moving variance per channel
    full = (k * C_IN * c_t + c_t + bn * c_t) + (9 * c_t * c_s + c_s + bn * c_s)
    depthwise = (
        (k * C_IN + bn * C_IN) + (C_IN * c_t + c_t + bn * c_t)
        + (9 * c_t + bn * c_t) + (c_t * c_s + c_s + bn * c_s)
    )
    conv3d = k * 9 * C_IN * c_s + c_s + bn * c_s
    r2plus1d = (9 * C_IN * c_t + c_t + bn * c_t) + (k * c_t * c_s + c_s + bn * c_s)
    expected = {"full": full, "depthwise": depthwise, "conv3d": conv3d, "r2plus1d": r2plus1d}
    for kind, count in expected.items():
        assert build(BLOCKS[kind]).count_params() == count, kind


def test_temporal_conv_sees_exactly_k_frames():
    """An impulse at frame t reaches outputs t .. t + k - 1 and nothing else."""
    inputs = keras.Input((FRAMES, 1, 1, 1))
    model = keras.Model(inputs, causal_temporal_conv(inputs, 1, 3, "t", depthwise=True))
    conv = model.get_layer("t")
    conv.set_weights([np.ones_like(conv.get_weights()[0])])
    x = np.zeros((1, FRAMES, 1, 1, 1), "float32")
    x[0, 2] = 1.0
    y = np.asarray(model(x))[0, :, 0, 0, 0]
    # BN at inference: (y - 0) / sqrt(1 + eps); ReLU keeps positives.
    reached = np.flatnonzero(y > 0.5)
    assert reached.tolist() == [2, 3, 4]


@pytest.mark.parametrize("kernel", [2, 0, -1])
def test_bad_temporal_kernel(kernel):
    inputs = keras.Input((FRAMES, SIZE, SIZE, C_IN))
    with pytest.raises(ValueError, match="kernel_size"):
        causal_temporal_conv(inputs, 4, kernel, "t")


def test_depthwise_requires_same_channels():
    inputs = keras.Input((FRAMES, SIZE, SIZE, C_IN))
    with pytest.raises(ValueError, match="depthwise"):
        causal_temporal_conv(inputs, C_IN + 1, 3, "t", depthwise=True)


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_graph_mode_matches_eager(kind):
    """Regression: TF's graph optimizer once fused ZeroPadding3D with a 'same' Conv3D and
    dropped the spatial padding, so predict() disagreed with the eager call."""
    model = build(BLOCKS[kind])
    x = np.random.default_rng(2).normal(size=(2, FRAMES, SIZE, SIZE, C_IN)).astype("float32")
    np.testing.assert_allclose(model.predict_on_batch(x), np.asarray(model(x)), atol=1e-5)


@pytest.mark.parametrize(
    ("kernel", "strides", "padding"),
    [
        ((5, 1, 1), (1, 1, 1), "valid"),
        ((1, 3, 3), (1, 2, 2), "same"),
        ((1, 3, 3), (1, 1, 1), "valid"),
    ],
)
def test_depthwise_conv3d_equals_grouped_conv3d(kernel, strides, padding):
    """The fast depthwise form computes what Keras' grouped Conv3D computes."""
    x = np.random.default_rng(3).normal(size=(2, FRAMES, 9, 9, C_IN)).astype("float32")
    args = dict(kernel_size=kernel, strides=strides, padding=padding, groups=C_IN)
    fast, plain = DepthwiseConv3D(C_IN, **args), keras.layers.Conv3D(C_IN, **args)
    fast.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(fast.get_weights())
    np.testing.assert_allclose(np.asarray(fast(x)), np.asarray(plain(x)), atol=1e-5)
    assert [w.shape for w in fast.get_weights()] == [w.shape for w in plain.get_weights()]


def test_model_with_unknown_frames_uses_depthwise_blocks():
    inputs = keras.Input((None, SIZE, SIZE, C_IN))
    model = keras.Model(inputs, spatiotemporal_block(inputs, 10, 12, index=3, depthwise=True))
    out = np.asarray(model(np.zeros((1, 7, SIZE, SIZE, C_IN), "float32")))
    assert out.shape == (1, 7, 8, 8, 12)


@pytest.mark.parametrize("shape", [(2, FRAMES, 9, 7, C_IN), (1, 3, 2, 2, 640), (3, 1, 1, 1, 4)])
def test_spatial_average_pooling_equals_average_pooling3d(shape):
    """The LiteRT-friendly mean computes what AveragePooling3D((1, H, W)) computes."""
    x = np.random.default_rng(4).normal(3.0, 2.0, size=shape).astype("float32")
    mean = np.asarray(SpatialAveragePooling()(x))
    pooled = np.asarray(keras.layers.AveragePooling3D((1, *shape[2:4]))(x))
    assert mean.shape == pooled.shape == (*shape[:2], 1, 1, shape[-1])
    np.testing.assert_allclose(mean, pooled, rtol=1e-6, atol=1e-6)


def test_spatial_average_pooling_round_trips_through_a_model_config():
    inputs = keras.Input((None, 4, 4, 3))
    model = keras.Model(inputs, SpatialAveragePooling(name="gap")(inputs))
    rebuilt = keras.Model.from_config(model.get_config())
    x = np.random.default_rng(5).normal(size=(2, 5, 4, 4, 3)).astype("float32")
    assert isinstance(rebuilt.get_layer("gap"), SpatialAveragePooling)
    np.testing.assert_allclose(np.asarray(rebuilt(x)), x.mean(axis=(2, 3), keepdims=True),
                               rtol=1e-6)
