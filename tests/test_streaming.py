"""Streaming conversion: frame-by-frame output equals the clip model's, in both interfaces.

Most tests use a tiny model built from the same blocks as the gesture model (full and
depthwise temporal convs, kernels 3 and 5) so they run in seconds; one test checks the
full 16x100x100 gesture model, and one the shipped trained weights.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from streamnets import models, weights
from streamnets.blocks import causal_temporal_conv, conv_bn_relu, spatiotemporal_block
from streamnets.streaming import (
    FifoDepthwise,
    StreamingConversionError,
    max_relative_error,
    receptive_field,
    to_streaming,
)

TOLERANCE = 1e-5  # max |streamed - offline| relative to max |offline|
FRAMES, SIZE, CLASSES = 7, 32, 5


def randomize_batch_norm(model: keras.Model, seed: int = 0) -> keras.Model:
    """Give every BN layer non-trivial statistics, so that folding is really exercised."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            c = layer.gamma.shape[0]
            # A positive beta keeps the ReLUs alive: with beta ~ N(0, 0.3) every unit of
            # the tiny model died, and its output no longer depended on the input at all.
            layer.set_weights([rng.uniform(0.5, 1.5, c), rng.uniform(0.1, 0.5, c),
                               rng.normal(0, 0.3, c), rng.uniform(0.3, 2.0, c)])
    return model


def tiny_model(temporal_kernel: int = 3, frames: int | None = FRAMES) -> keras.Model:
    """Input conv, a full block (kernel ``temporal_kernel``), a depthwise block (kernel 5),
    spatial average pooling and a dense head: every layer kind of the gesture model."""
    inputs = keras.Input((frames, SIZE, SIZE, 3))
    x = layers.Rescaling(1 / 127.5, -1, name="rescaling")(inputs)
    x = conv_bn_relu(x, 4, (1, 3, 3), "input_conv", strides=(1, 2, 2), use_bias=False)
    x = spatiotemporal_block(x, 6, 8, 0, temporal_kernel=temporal_kernel)
    x = spatiotemporal_block(x, 10, 12, 1, depthwise=True, temporal_kernel=5)
    x = layers.AveragePooling3D((1, 4, 4), name="gap")(x)
    x = layers.Dense(16)(x)
    x = layers.ReLU()(x)
    x = layers.Dense(CLASSES)(x)
    outputs = layers.Reshape((frames or -1, CLASSES), name="logits")(x)
    keras.utils.set_random_seed(temporal_kernel)
    return randomize_batch_norm(keras.Model(inputs, outputs), seed=temporal_kernel)


def random_clips(batch: int, frames: int = FRAMES, size: int = SIZE, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (batch, frames, size, size, 3)).astype(np.uint8)


def stateful_logits(stream, clips: np.ndarray) -> np.ndarray:
    stream.reset()
    return np.stack([stream.step(clips[:, t]) for t in range(clips.shape[1])], axis=1)


def assert_streams_exactly(model: keras.Model, clips: np.ndarray) -> None:
    offline = model(clips.astype("float32"), training=False).numpy()
    stream = to_streaming(model)
    explicit = stream.predict_clips(clips)
    stateful = stateful_logits(stream, clips)
    assert explicit.shape == offline.shape
    for t in range(clips.shape[1]):  # every frame, the warm-up frames included
        assert max_relative_error(offline[:, t], explicit[:, t]) <= TOLERANCE, t
        assert max_relative_error(offline[:, t], stateful[:, t]) <= TOLERANCE, t


@pytest.fixture(scope="module")
def tiny():
    model = tiny_model()
    out = model(random_clips(4, seed=3).astype("float32"), training=False).numpy()
    # Equality checks on a model whose output ignores its input would prove nothing.
    assert np.all(out.std(axis=0) > 1e-5 * np.abs(out).max())
    return model


@pytest.fixture(scope="module")
def tiny_stream(tiny):
    return to_streaming(tiny)


# ---------------------------------------------------------------------------- exactness


@pytest.mark.parametrize("temporal_kernel", [1, 3, 5])
def test_tiny_model_streams_exactly(temporal_kernel):
    assert_streams_exactly(tiny_model(temporal_kernel), random_clips(3))


def test_gesture_net_streams_exactly():
    keras.utils.set_random_seed(1)
    model = randomize_batch_norm(models.gesture_net(), seed=1)
    assert_streams_exactly(model, random_clips(2, 16, 100, seed=1))


def test_model_with_any_clip_length_streams_exactly():
    model = tiny_model(frames=None)
    assert_streams_exactly(model, random_clips(1, frames=9))


def test_trained_tiny_model_streams_exactly():
    # Weights and BN statistics after real optimisation steps, not just random draws.
    model = tiny_model()
    clips = random_clips(4, seed=3)
    labels = np.repeat(np.arange(4)[:, None], FRAMES, axis=1)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(clips, labels, epochs=3, batch_size=2, verbose=0)
    assert_streams_exactly(model, random_clips(2, seed=4))


def test_shipped_weights_stream_exactly():
    model = weights.load_pretrained("synthetic")
    assert_streams_exactly(model, random_clips(1, 16, 100, seed=2))


def test_fifo_depthwise_is_a_per_channel_weighted_sum_of_the_slots():
    """The depthwise conv of the buffer equals the naive sum over slots, on a frame that is
    not square and channels unlike the slot count (a wrong reshape would mix them up)."""
    rng = np.random.default_rng(0)
    layer = FifoDepthwise(4, activation="relu")
    layer.build((None, 3, 5, 6))
    kernel, bias = rng.normal(size=(4, 6)), rng.normal(size=6)
    layer.set_weights([kernel, bias])  # the (k, C) kernel the converter sets
    frame = rng.normal(size=(2, 3, 5, 6)).astype("float32")
    fifo = rng.normal(size=(2, 3, 5, 4, 6)).astype("float32")
    out, new_fifo = layer(frame, fifo)
    pushed = np.concatenate([fifo[:, :, :, 1:], frame[:, :, :, None]], axis=3)
    expected = np.maximum(np.einsum("bhwjc,jc->bhwc", pushed, kernel) + bias, 0)
    np.testing.assert_array_equal(new_fifo, pushed)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_int8_litert_runs_the_depthwise_fifo_as_a_per_channel_depthwise_conv(tiny_stream):
    """LiteRT quantizes a DEPTHWISE_CONV_2D's weights per channel; a multiply and a sum
    over the slots would be quantized per tensor (on the shipped model: 3 of 512 test
    frames changed their top-1 class instead of 1)."""
    pytest.importorskip("ai_edge_litert")
    from streamnets import litert, quantize

    calibration = quantize.calibration_pairs(tiny_stream, random_clips(4))
    interpreter = litert.LiteRTRunner(litert.convert_litert(tiny_stream, calibration)).interpreter
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    operators = interpreter._get_ops_details()
    assert "SUM" not in {op["op_name"] for op in operators}
    temporal = [op for op in operators
                if details[op["outputs"][0]]["name"].startswith("convt_dw_1_0")
                and op["op_name"] not in ("RESHAPE", "STRIDED_SLICE", "CONCATENATION")]
    assert [op["op_name"] for op in temporal] == ["DEPTHWISE_CONV_2D"]
    weights = details[temporal[0]["inputs"][1]]
    assert weights["dtype"] == np.int8 and tuple(weights["shape"]) == (1, 1, 5, 8)
    assert len(weights["quantization_parameters"]["scales"]) == 8  # one scale per channel


# ---------------------------------------------------------------- stream semantics


def test_streams_in_one_batch_are_independent(tiny_stream):
    clips = random_clips(2)
    changed = clips.copy()
    changed[1] = random_clips(1, seed=9)[0]
    before, after = tiny_stream.predict_clips(clips), tiny_stream.predict_clips(changed)
    np.testing.assert_allclose(after[0], before[0], rtol=0, atol=1e-6 * np.abs(before).max())
    assert not np.allclose(after[1], before[1])


def test_reset_restores_the_initial_output(tiny_stream):
    clips = random_clips(2)
    first = stateful_logits(tiny_stream, clips)[:, 0]
    tiny_stream.step(clips[:, 3])  # buffers now hold the whole clip and one more frame
    assert not np.allclose(tiny_stream.step(clips[:, 0]), first)
    tiny_stream.reset()
    np.testing.assert_array_equal(tiny_stream.step(clips[:, 0]), first)


def test_batch_size_changes_only_after_reset(tiny_stream):
    clips = random_clips(3)
    tiny_stream.reset()
    tiny_stream.step(clips[:2, 0])
    with pytest.raises(ValueError, match="call reset"):
        tiny_stream.step(clips[:, 0])
    tiny_stream.reset()
    assert tiny_stream.step(clips[:, 0]).shape == (3, CLASSES)


def test_step_rejects_a_clip_instead_of_frames(tiny_stream):
    with pytest.raises(ValueError, match=r"frames must have shape \(B, 32, 32, 3\)"):
        tiny_stream.step(random_clips(1))


@pytest.mark.parametrize("frames", [
    random_clips(1)[:, 0].astype("float32") / 255,  # scaled to [0, 1]
    random_clips(1)[:, 0].astype("float32"),  # unscaled, but float
])
def test_float_frames_are_refused_on_every_path(tiny_stream, frames):
    """Float frames would be scaled a second time and read as near-black: refused."""
    for call in (tiny_stream.step, lambda f: tiny_stream.step_fn(f, tiny_stream.init_states()),
                 lambda f: tiny_stream.predict_clips(f[:, None])):
        tiny_stream.reset()
        with pytest.raises(ValueError, match="must be uint8 pixels.*float32.*np.clip"):
            call(frames)


def test_zero_frames_are_refused(tiny_stream):
    with pytest.raises(ValueError, match="clips must have shape|clips is empty"):
        tiny_stream.predict_clips(random_clips(1)[:, :0])
    with pytest.raises(ValueError, match="clips is empty"):
        tiny_stream.predict_clips(random_clips(1)[:0])


def test_step_fn_takes_uint8_arrays_and_tensors_alike(tiny_stream):
    frames = random_clips(2)[:, 0]
    from_numpy, numpy_states = tiny_stream.step_fn(frames, tiny_stream.init_states(2))
    from_tensor, tensor_states = tiny_stream.step_fn(tf.constant(frames),
                                                     tiny_stream.init_states(2))
    np.testing.assert_array_equal(from_numpy, from_tensor)
    assert isinstance(from_numpy, np.ndarray) and from_numpy.shape == (2, CLASSES)
    tiny_stream.reset()
    np.testing.assert_array_equal(tiny_stream.step(frames), from_numpy)
    for name in numpy_states:
        np.testing.assert_array_equal(numpy_states[name], tensor_states[name])


def test_step_fn_names_a_missing_an_extra_and_a_misshapen_state(tiny_stream):
    frames = random_clips(1)[:, 0]
    states = tiny_stream.init_states(1)
    missing = {k: v for k, v in states.items() if k != "fifo_convt_dw_1_0"}
    with pytest.raises(ValueError, match=r"missing \['fifo_convt_dw_1_0'\], unexpected none"):
        tiny_stream.step_fn(frames, missing)
    with pytest.raises(ValueError, match=r"missing none, unexpected \['fifo_typo'\]"):
        tiny_stream.step_fn(frames, {**states, "fifo_typo": states["fifo_convt_dw_1_0"]})
    wrong = {**states, "fifo_convt_dw_1_0": tf.zeros((1, 8, 8, 4, 8))}
    with pytest.raises(ValueError, match=r"state 'fifo_convt_dw_1_0' has shape \(1, 8, 8, 4, 8\)"
                       r", expected \(1, 8, 8, 5, 8\)"):
        tiny_stream.step_fn(frames, wrong)
    with pytest.raises(ValueError, match=r"has shape \(2, 8, 8, 5, 8\), expected \(1,"):
        tiny_stream.step_fn(frames, {**states, **{
            "fifo_convt_dw_1_0": tf.zeros((2, 8, 8, 5, 8))}})
    with pytest.raises(ValueError, match="states must be a dict"):
        tiny_stream.step_fn(frames, list(states.values()))


def test_states_have_stable_names_and_shapes(tiny_stream):
    states = tiny_stream.init_states(2)
    assert list(states) == ["fifo_convt_full_0_0", "fifo_convt_dw_1_0"]
    assert tuple(states["fifo_convt_full_0_0"].shape) == (2, 16, 16, 3, 4)
    assert tuple(states["fifo_convt_dw_1_0"].shape) == (2, 8, 8, 5, 8)
    assert all(not np.any(s.numpy()) for s in states.values())
    assert tiny_stream.state_bytes_per_stream() == 4 * (16 * 16 * 3 * 4 + 8 * 8 * 5 * 8)
    assert {n: s.shape.as_list() for n, s in tiny_stream.state_specs().items()} == {
        "fifo_convt_full_0_0": [None, 16, 16, 3, 4], "fifo_convt_dw_1_0": [None, 8, 8, 5, 8]}


def test_step_fn_returns_the_pushed_frame_in_the_newest_slot(tiny_stream, tiny):
    # The FIFO of the first temporal layer holds that layer's inputs, newest last.
    clips = random_clips(1)
    states = tiny_stream.init_states(1)
    for t in range(2):
        _, states = tiny_stream.step_fn(tf.constant(clips[:, t]), states)
    fifo = states["fifo_convt_full_0_0"].numpy()[0]
    feature = keras.Model(tiny.inputs[0], tiny.get_layer("input_conv_relu").output)
    inputs = feature(clips.astype("float32")).numpy()[0, :2]  # per-frame layers: (2, 16, 16, 4)
    np.testing.assert_array_equal(fifo[:, :, 0], 0)  # not yet filled: causal zeros
    np.testing.assert_allclose(fifo[:, :, 1:].transpose(2, 0, 1, 3), inputs, atol=1e-4)


def test_conversion_table_accounts_for_every_layer(tiny, tiny_stream):
    rows = tiny_stream.conversion_table()
    originals = [name for row in rows for name in row.originals]
    padding = {layer.name for layer in tiny.layers if isinstance(layer, layers.ZeroPadding3D)}
    expected = [layer.name for layer in tiny.layers[1:] if layer.name not in padding]
    assert originals == expected  # each layer once, in order; causal padding -> the FIFO
    by_layer = {row.layer: row for row in rows}
    assert by_layer["convt_full_0_0"].originals == ("convt_full_0_0", "convt_full_0_0_BN")
    assert by_layer["convt_full_0_0"].kind.startswith("FIFO of 3 frames")
    assert by_layer["convt_dw_1_0"].state_shape == (8, 8, 5, 8)
    assert by_layer["gap"].kind == "global average pool"
    assert by_layer["convs_dw_1_0"].kind.startswith("depthwise 3x3")


def test_compare_latency_times_both_paths(tiny, tiny_stream):
    from streamnets.performance import compare_latency

    result = compare_latency(tiny, tiny_stream, batch_size=2, repeats=1, rounds=2)
    assert result.window == FRAMES and result.batch_size == 2
    assert result.stream_ms > 0 and result.recompute_ms > 0
    assert result.ratio == pytest.approx(result.recompute_ms / result.stream_ms)


def test_any_model_name_converts():
    inputs = keras.Input((FRAMES, SIZE, SIZE, 3))
    model = keras.Model(inputs, layers.Conv3D(2, (1, 3, 3), name="conv")(inputs), name="3d-net")
    stream = to_streaming(model)
    assert stream.state_specs() == {}
    assert stream.step(random_clips(1)[:, 0]).shape == (1, SIZE - 2, SIZE - 2, 2)


def test_max_relative_error_is_relative_to_the_reference_scale():
    assert max_relative_error(np.array([10.0, -20.0]), np.array([10.5, -20.0])) == 0.025


# ----------------------------------------------------------------------- what cannot stream


def single_input(frames: int = FRAMES) -> keras.KerasTensor:
    return keras.Input((frames, SIZE, SIZE, 3))


def temporal_conv_model(name: str, **conv_args) -> keras.Model:
    """Causal padding of 2 frames and a (3, 1, 1) conv with the given overrides."""
    inputs = single_input()
    x = layers.ZeroPadding3D(((2, 0), (0, 0), (0, 0)), name=f"{name}_pad")(inputs)
    x = layers.Conv3D(4, (3, 1, 1), name=name, **conv_args)(x)
    return keras.Model(inputs, x)


def skip_connection_model() -> keras.Model:
    inputs = single_input()
    x = conv_bn_relu(inputs, 4, (1, 3, 3), "input_conv")
    y = causal_temporal_conv(x, 4, 3, "convt")
    return keras.Model(inputs, layers.Add(name="skip_add")([x, y]))


def pad_then_model(padding, then=None) -> keras.Model:
    inputs = single_input()
    x = layers.ZeroPadding3D(padding, name="time_pad")(inputs)
    if then is not None:
        x = then(x)
    return keras.Model(inputs, x)


def same_padded_temporal_conv_model() -> keras.Model:
    inputs = single_input()
    conv = layers.Conv3D(4, (3, 1, 1), padding="same", name="convt_same")
    return keras.Model(inputs, conv(inputs))


def unknown_layer_model() -> keras.Model:
    inputs = single_input()
    x = conv_bn_relu(inputs, 4, (1, 3, 3), "input_conv")
    return keras.Model(inputs, layers.LayerNormalization(name="norm")(x))


def time_pooling_model() -> keras.Model:
    inputs = single_input()
    return keras.Model(inputs, layers.AveragePooling3D((2, 2, 2), name="pool")(inputs))


def unpadded_temporal_conv_model() -> keras.Model:
    inputs = single_input()
    return keras.Model(inputs, layers.Conv3D(4, (3, 1, 1), name="convt_valid")(inputs))


@pytest.mark.parametrize(
    ("build", "layer", "reason"),
    [
        (lambda: temporal_conv_model("convt_s2", strides=(2, 1, 1)), "convt_s2",
         "temporal stride is 2"),
        (lambda: temporal_conv_model("convt_d2", dilation_rate=(2, 1, 1)), "convt_d2",
         "temporal dilation is 2"),
        (same_padded_temporal_conv_model, "convt_same", "future frame"),
        (unpadded_temporal_conv_model, "convt_valid", "needs exactly 2 past zero frame"),
        (lambda: pad_then_model(((1, 1), (0, 0), (0, 0))), "time_pad", "future frame"),
        (lambda: pad_then_model(((2, 0), (0, 0), (0, 0)), layers.ReLU(name="relu")),
         "time_pad", "followed by 'relu'"),
        (lambda: pad_then_model(((4, 0), (0, 0), (0, 0)),
                                layers.Conv3D(4, (3, 1, 1), name="convt_3")),
         "convt_3", "'time_pad' pads 4 past frame"),
        (skip_connection_model, "skip_add", "skip connection"),
        (unknown_layer_model, "norm", "no streaming conversion is known"),
        (time_pooling_model, "pool", "pools over time"),
    ],
    ids=["temporal-stride", "temporal-dilation", "same-padding", "no-causal-padding",
         "right-padding", "padding-not-before-conv", "padding-too-long", "skip-connection",
         "unknown-layer", "time-pooling"],
)
def test_what_cannot_stream_is_named_and_explained(build, layer, reason):
    with pytest.raises(StreamingConversionError, match=rf"'{layer}'.*{reason}"):
        to_streaming(build())


def test_receptive_field_is_counted_from_the_temporal_kernels(tiny):
    assert receptive_field(tiny) == 1 + (3 - 1) + (5 - 1)  # kernels 3 and 5
    assert receptive_field(models.gesture_net()) == 1 + 5 * (5 - 1)  # five blocks, kernel 5
    assert receptive_field(models.gesture_net(temporal_kernel=1)) == 1


def test_a_stream_that_never_resets_stays_exact_after_a_thousand_frames(tiny):
    """At frame 1,000 and beyond, the step equals the clip model on the last R frames."""
    window = receptive_field(tiny)
    stream = to_streaming(tiny)
    total = 1_040
    frames = np.random.default_rng(5).integers(0, 256, (total, SIZE, SIZE, 3), np.uint8)
    streamed = np.concatenate([stream.step(frames[t:t + 1]) for t in range(total)])
    checked = range(1_000, total, 7)
    windows = np.stack([frames[t - window + 1:t + 1] for t in checked]).astype("float32")

    def newest_logits(length: int, clips: np.ndarray) -> np.ndarray:
        clip_model = tiny_model(frames=length)  # same layers, `length` frames per clip
        clip_model.set_weights(tiny.get_weights())
        return clip_model(clips, training=False).numpy()[:, -1]

    expected = newest_logits(window, windows)
    for row, t in enumerate(checked):
        assert max_relative_error(expected[row], streamed[t]) <= TOLERANCE, t
    # One frame less would not do: the oldest frame of the window still matters.
    cut = newest_logits(window - 1, windows[:, 1:])
    assert max_relative_error(expected, cut) > TOLERANCE


def test_warm_clips_continue_from_the_preceding_frames(tiny, tiny_stream):
    """predict_clips(clips, preceding) is the never-reset stream cut at the clip's start."""
    before, clips = random_clips(2, seed=11), random_clips(2, seed=12)
    whole = tiny_stream.predict_clips(np.concatenate([before, clips], axis=1))
    warm = tiny_stream.predict_clips(clips, preceding=before)
    np.testing.assert_allclose(warm, whole[:, FRAMES:], rtol=0, atol=1e-6 * np.abs(whole).max())
    cold = tiny_stream.predict_clips(clips)
    assert not np.allclose(warm[:, 0], cold[:, 0])  # the buffers really were warm
    with pytest.raises(ValueError, match="preceding holds 1 stream"):
        tiny_stream.predict_clips(clips, preceding=before[:1])
    with pytest.raises(ValueError, match="preceding must be uint8"):
        tiny_stream.predict_clips(clips, preceding=before.astype("float32"))


def test_max_relative_error_refuses_shapes_numpy_would_broadcast():
    reference = np.ones((2, 4, 3))
    assert max_relative_error(reference, reference * 1.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same non-empty shape"):
        max_relative_error(reference, reference[:, :1])
    with pytest.raises(ValueError, match="same non-empty shape"):
        max_relative_error(np.zeros((0, 3)), np.zeros((0, 3)))
