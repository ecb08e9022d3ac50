"""Streaming inference: turn a causal clip model into a per-frame model with FIFO buffers.

Offline, the gesture model reads a whole clip ``(B, T, H, W, C)`` and returns one
prediction per frame. Live video arrives one frame at a time, and rerunning the model on
the last ``T`` frames for every new frame repeats almost all of the work. Because every
temporal convolution is causal (``k - 1`` zero frames padded on the left, no temporal
stride), frame ``t``'s output depends only on the last ``k`` inputs of each temporal
layer, so a per-frame model that keeps those inputs in a FIFO buffer computes exactly
the same numbers:

* a causal temporal conv with kernel ``k`` becomes a FIFO of the last ``k`` inputs
  (zeros after a reset, which is exactly the causal zero padding) followed by a 2-D conv
  over the ``k * C`` stacked channels (:class:`FifoConv`), or for a depthwise one a
  ``(k, C)`` kernel multiplied in and summed over the ``k`` slots, computed as a depthwise
  2-D conv (:class:`FifoDepthwise`);
* spatial ``(1, kh, kw)`` convs become 2-D convs (depthwise ones ``DepthwiseConv2D``);
* batch normalization folds into the conv before it;
* average pooling over all of space becomes a global average pool, dense layers stay.

:func:`to_streaming` walks a functional model layer by layer and converts each with a
small table from layer type to a short function (:data:`CONVERTERS`). The result, a
:class:`StreamingModel`, offers a stateful interface (``step`` / ``reset``) and an
explicit-state one (``init_states`` / ``step_fn``), both on uint8 frames, named and
checked like :class:`streamnets.litert.LiteRTRunner`'s; ``compiled_step`` is the bare
``tf.function`` of ``(float32 frames, states)`` that export traces and benchmarks time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from streamnets.blocks import DepthwiseConv3D, SpatialAveragePooling
from streamnets.frames import check_frames

#: State names are this prefix plus the name of the temporal layer that owns the FIFO.
STATE_PREFIX = "fifo_"
#: Frames and buffers are float32, like the clip model's input.
DTYPE = "float32"


class StreamingConversionError(ValueError):
    """A layer of the model cannot be computed frame by frame (the message says why).

    Args:
        layer: the offending layer of the clip model; its name and type start the message.
        reason: why it cannot stream and, where possible, how to fix the model.
    """

    def __init__(self, layer: keras.layers.Layer, reason: str) -> None:
        super().__init__(
            f"Cannot stream layer '{layer.name}' ({type(layer).__name__}): {reason}"
        )


# --------------------------------------------------------------------------- FIFO layers


class Fifo(keras.layers.Layer):
    """Base of the FIFO-buffered layers: holds the last ``frames`` inputs of one layer.

    The buffer is an explicit state tensor ``(batch, height, width, frames, channels)``,
    oldest slot first, passed in and returned by ``call(frame, fifo) -> (output,
    new_fifo)``: no variable changes during a call, so one set of weights serves any
    number of independent streams (one per batch row).

    Args:
        frames: the buffer length ``k``, the temporal kernel size (at least 2).
        activation: the activation applied after the bias, a Keras activation name or
            callable; ``None`` for none (linear).
        **kwargs: passed to :class:`keras.layers.Layer` (e.g. ``name``).
    """

    def __init__(self, frames: int, activation: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if frames < 2:
            raise ValueError(f"frames must be >= 2 for a FIFO layer, got {frames}.")
        self.frames = frames
        self.activation = keras.activations.get(activation)

    def state_shape(self, frame_shape: Sequence[int]) -> tuple[int, ...]:
        """Per-stream buffer shape for per-frame inputs of shape ``(H, W, C)``.

        Args:
            frame_shape: the layer's per-frame input shape ``(H, W, C)``.

        Returns:
            ``(H, W, frames, C)``, no batch axis.
        """
        height, width, channels = frame_shape
        return (height, width, self.frames, channels)

    def call(self, frame: tf.Tensor, fifo: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        stacked, fifo = self.push(frame, fifo)
        return self.apply_window(stacked), fifo

    def apply_window(self, stacked: tf.Tensor) -> tf.Tensor:
        """The layer's output for ``k`` stacked frames ``(B, H, W, k * C)``, slot-major,
        oldest first, one window per row (the clip model as 2-D convs stacks every
        frame's window this way, :func:`streamnets.litert.convert_clip_litert`).

        Args:
            stacked: windows ``(B, H, W, k * C)``: channel ``j * C + c`` is slot ``j``
                (oldest first), channel ``c``, as :meth:`push` returns them.
        """
        return self.activation(self.window_conv(stacked) + self.bias)

    def window_conv(self, stacked: tf.Tensor) -> tf.Tensor:
        """The temporal conv of stacked windows, before bias and activation.

        Args:
            stacked: windows ``(B, H, W, k * C)``, slot-major (see :meth:`apply_window`).
        """
        raise NotImplementedError

    @staticmethod
    def push(frame: tf.Tensor, fifo: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Drop the oldest slot and append ``frame`` as the newest one.

        Returns the buffer's flat view ``(B, H, W, k * C)`` (slot-major) and the buffer.
        The shift runs on the flat view, so that with a flat state at the interface
        (LiteRT's export, :mod:`streamnets.litert`) no tensor has more than 4 dimensions.
        """
        height, width, frames, channels = fifo.shape[1:]
        flat = ops.reshape(fifo, (-1, height, width, frames * channels))
        flat = ops.concatenate([flat[:, :, :, channels:], frame], axis=3)
        return flat, ops.reshape(flat, (-1, height, width, frames, channels))


class FifoConv(Fifo):
    """A full temporal (or spatiotemporal) conv: FIFO, then a 2-D conv on stacked slots.

    The ``k`` buffered frames of ``C`` channels are stacked into ``k * C`` channels, so a
    ``(k, kh, kw)`` 3-D kernel becomes a ``(kh, kw, k * C, filters)`` 2-D kernel (slot-major:
    stacked channel ``j * C + c`` is slot ``j``, channel ``c``).

    Args:
        frames: the buffer length ``k``, the 3-D kernel's temporal size (at least 2).
        filters: output channels.
        kernel_size: the spatial kernel ``(kh, kw)``.
        strides: the spatial strides ``(sh, sw)``.
        padding: spatial padding, ``"valid"`` or ``"same"`` (time needs none: the FIFO
            holds the past).
        dilation_rate: the spatial dilation ``(dh, dw)``.
        activation: the activation after the bias (name or callable); ``None``: linear.
        **kwargs: passed to :class:`keras.layers.Layer` (e.g. ``name``).
    """

    def __init__(
        self,
        frames: int,
        filters: int,
        kernel_size: tuple[int, int] = (1, 1),
        strides: tuple[int, int] = (1, 1),
        padding: str = "valid",
        dilation_rate: tuple[int, int] = (1, 1),
        activation: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(frames, activation, **kwargs)
        self.filters = filters
        self.kernel_size = tuple(kernel_size)
        self.strides = tuple(strides)
        self.padding = padding
        self.dilation_rate = tuple(dilation_rate)

    def build(self, input_shape: Sequence[int | None]) -> None:
        stacked = self.frames * input_shape[-1]
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, stacked, self.filters), initializer="zeros", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def window_conv(self, stacked: tf.Tensor) -> tf.Tensor:
        """The 2-D conv of the stacked windows with the ``(kh, kw, k * C, filters)`` kernel.

        Args:
            stacked: windows ``(B, H, W, k * C)``, slot-major (see :meth:`apply_window`).
        """
        return ops.conv(stacked, self.kernel, self.strides, self.padding,
                        dilation_rate=self.dilation_rate)


class FifoDepthwise(Fifo):
    """A depthwise temporal conv: FIFO, then a ``(k, C)`` kernel multiplied in and summed
    over the ``k`` slots (each channel sees only its own past).

    The product and sum run as one depthwise 2-D conv: the buffer viewed as ``H * W`` rows
    of ``k`` slots, a ``(1, k)`` kernel, 'valid' padding (one output slot). Same numbers as
    a multiply and a sum, but LiteRT sees a ``DEPTHWISE_CONV_2D``, whose int8 weights get a
    scale per channel (a multiply and a sum get one scale per tensor, losing accuracy).
    """

    def build(self, input_shape: Sequence[int | None]) -> None:
        channels = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(self.frames, channels), initializer="zeros", name="kernel"
        )
        self.bias = self.add_weight(shape=(channels,), initializer="zeros", name="bias")

    def window_conv(self, stacked: tf.Tensor) -> tf.Tensor:
        """Each channel's ``k`` slots times its ``(k,)`` kernel, summed, as a depthwise conv.

        Args:
            stacked: windows ``(B, H, W, k * C)``, slot-major (see :meth:`apply_window`).

        Returns:
            ``(B, H, W, C)``.
        """
        height, width, channels = stacked.shape[1], stacked.shape[2], self.kernel.shape[1]
        rows = ops.reshape(stacked, (-1, height * width, self.frames, channels))
        kernel = ops.reshape(self.kernel, (1, self.frames, channels, 1))
        out = ops.depthwise_conv(rows, kernel, strides=1, padding="valid")
        return ops.reshape(out, (-1, height, width, channels))


# ------------------------------------------------------------------------ conversion


@dataclass
class ConversionRow:
    """One line of the conversion table: which original layers became which per-frame one."""

    originals: tuple[str, ...]
    layer: str
    kind: str
    state: str | None = None
    state_shape: tuple[int, ...] | None = None
    """Per-stream state shape (no batch axis), ``(H, W, frames, C)`` for a FIFO."""


@dataclass
class _Step:
    layer: keras.layers.Layer
    row: ConversionRow


@dataclass
class _Context:
    """What the converters share while walking the chain."""

    steps: list[_Step] = field(default_factory=list)
    pending_pad: tuple[keras.layers.Layer, int] | None = None
    """A ``ZeroPadding3D`` whose past frames the next temporal conv must consume."""

    def take_pad(self) -> tuple[keras.layers.Layer | None, int]:
        pad, self.pending_pad = self.pending_pad, None
        return (None, 0) if pad is None else pad


def _frame_shape(tensor: keras.KerasTensor) -> tuple[int, ...]:
    """Per-frame shape of a ``(batch, time, ...)`` tensor."""
    return tuple(tensor.shape[2:])


def _built(layer: keras.layers.Layer, frame_shape: Sequence[int]) -> keras.layers.Layer:
    layer.build((None, *frame_shape))
    return layer


def _check_channels_last(layer: keras.layers.Layer) -> None:
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise StreamingConversionError(
            layer, "only data_format='channels_last' is supported (frames are (H, W, C))."
        )


def _check_temporal_geometry(layer: layers.Conv3D, ctx: _Context) -> None:
    """Refuse what a FIFO cannot reproduce: temporal stride/dilation, non-causal padding."""
    kt = layer.kernel_size[0]
    if layer.strides[0] != 1:
        raise StreamingConversionError(
            layer,
            f"its temporal stride is {layer.strides[0]}, so it emits one output every "
            f"{layer.strides[0]} frames, but a streaming model answers every frame. "
            "Keep the temporal stride at 1 (downsample space only).",
        )
    if kt > 1 and layer.dilation_rate[0] != 1:
        raise StreamingConversionError(
            layer,
            f"its temporal dilation is {layer.dilation_rate[0]}; the FIFO here holds the "
            f"last {kt} consecutive frames, so only undilated temporal kernels convert.",
        )
    pad_layer, pad = ctx.take_pad()
    if kt > 1 and layer.padding != "valid":
        raise StreamingConversionError(
            layer,
            f"padding='{layer.padding}' with a temporal kernel of {kt} pads "
            f"{(kt - 1) // 2} future frame(s), which a live stream does not have yet. "
            f"Pad {kt - 1} past frames with ZeroPadding3D(({kt - 1}, 0), ...) and use "
            "padding='valid' (see streamnets.blocks.causal_temporal_conv).",
        )
    if pad != kt - 1:
        where = f"'{pad_layer.name}' pads {pad} past frame(s)" if pad_layer else (
            "no causal ZeroPadding3D precedes it"
        )
        raise StreamingConversionError(
            layer,
            f"a causal temporal kernel of {kt} needs exactly {kt - 1} past zero frame(s) "
            f"right before it, but {where}; otherwise the clip model's output frames do "
            "not line up one to one with the input frames.",
        )


def _kernel_and_bias(layer: layers.Conv3D) -> tuple[np.ndarray, np.ndarray]:
    """The conv's kernel and its bias (zeros when it has none: BN folding adds one)."""
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    bias = (keras.ops.convert_to_numpy(layer.bias) if layer.use_bias
            else np.zeros(layer.filters, kernel.dtype))
    return kernel, bias


def _convert_conv3d(layer: layers.Conv3D, ctx: _Context) -> _Step:
    """Conv3D -> FIFO conv (temporal kernel > 1) or 2-D conv (temporal kernel 1)."""
    _check_channels_last(layer)
    _check_temporal_geometry(layer, ctx)
    kt, kh, kw = layer.kernel_size
    in_frame = _frame_shape(layer.input)
    channels, filters, groups = in_frame[-1], layer.filters, layer.groups
    kernel, bias = _kernel_and_bias(layer)  # kernel (kt, kh, kw, channels // groups, filters)
    spatial = {"strides": layer.strides[1:], "padding": layer.padding,
               "dilation_rate": layer.dilation_rate[1:], "activation": layer.activation,
               "name": layer.name}
    state_shape = None
    if kt == 1 and groups == channels:
        multiplier = filters // channels
        new = layers.DepthwiseConv2D((kh, kw), depth_multiplier=multiplier, **spatial)
        weights = [kernel[0, :, :, 0, :].reshape(kh, kw, channels, multiplier), bias]
        kind = f"depthwise {kh}x{kw} 2-D conv"
    elif kt == 1:
        new = layers.Conv2D(filters, (kh, kw), groups=groups, **spatial)
        weights = [kernel[0], bias]
        kind = f"{kh}x{kw} 2-D conv" + (f" ({groups} groups)" if groups > 1 else "")
    elif groups == 1:
        new = FifoConv(kt, filters, (kh, kw), **spatial)
        weights = [kernel.transpose(1, 2, 0, 3, 4).reshape(kh, kw, kt * channels, filters),
                   bias]
        kind = f"FIFO of {kt} frames + {kh}x{kw} conv over {kt}x{channels} stacked channels"
    elif groups == channels == filters and kh == kw == 1:
        new = FifoDepthwise(kt, activation=layer.activation, name=layer.name)
        weights = [kernel[:, 0, 0, 0, :], bias]
        kind = f"FIFO of {kt} frames + depthwise ({kt}, {channels}) kernel summed over slots"
    else:
        raise StreamingConversionError(
            layer,
            f"a temporal conv with groups={groups} and kernel {layer.kernel_size}: only "
            "full temporal convs (groups=1) and depthwise temporal convs (groups = input = "
            "output channels, kernel (k, 1, 1)) convert to FIFO layers.",
        )
    _built(new, in_frame).set_weights(weights)
    if isinstance(new, Fifo):
        state_shape = new.state_shape(in_frame)
    state = STATE_PREFIX + layer.name if state_shape else None
    return _Step(new, ConversionRow((layer.name,), layer.name, kind, state, state_shape))


def _scale_output_channels(kernel: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return kernel * scale


def _scale_depthwise(kernel: np.ndarray, scale: np.ndarray) -> np.ndarray:
    # (kh, kw, C, multiplier): output channel c * multiplier + m.
    return kernel * scale.reshape(kernel.shape[-2], kernel.shape[-1])


#: How a folded BN scale reaches each convertible conv's kernel (its output channels).
_FOLD_SCALERS: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    layers.Conv2D: _scale_output_channels,
    layers.DepthwiseConv2D: _scale_depthwise,
    FifoConv: _scale_output_channels,
    FifoDepthwise: _scale_output_channels,
}


def _convert_batch_norm(layer: layers.BatchNormalization, ctx: _Context) -> _Step | None:
    """Fold BN into the conv before it (s = gamma / sqrt(var + eps)); else keep it per frame."""
    rank = len(layer.input.shape)
    if layer.axis not in (-1, rank - 1):
        raise StreamingConversionError(
            layer, f"it normalizes axis {layer.axis}; only the channel axis (-1) streams."
        )
    in_frame = _frame_shape(layer.input)
    previous = ctx.steps[-1] if ctx.steps else None
    scaler = _FOLD_SCALERS.get(type(previous.layer)) if previous else None
    if scaler is None or previous.layer.activation is not keras.activations.linear:
        bn = layers.BatchNormalization.from_config({**layer.get_config(), "axis": -1})
        _built(bn, in_frame).set_weights(layer.get_weights())
        return _Step(bn, ConversionRow((layer.name,), layer.name, "per-frame batch norm"))
    channels = in_frame[-1]
    as_array = keras.ops.convert_to_numpy
    gamma = as_array(layer.gamma).astype(np.float64) if layer.scale else np.ones(channels)
    beta = as_array(layer.beta).astype(np.float64) if layer.center else np.zeros(channels)
    mean = as_array(layer.moving_mean).astype(np.float64)
    scale = gamma / np.sqrt(as_array(layer.moving_variance).astype(np.float64) + layer.epsilon)
    conv = previous.layer
    kernel = scaler(as_array(conv.kernel).astype(np.float64), scale)
    bias = beta + (as_array(conv.bias).astype(np.float64) - mean) * scale
    conv.kernel.assign(kernel.astype(DTYPE))
    conv.bias.assign(bias.astype(DTYPE))
    previous.row.originals += (layer.name,)
    return None


def _convert_zero_padding(layer: layers.ZeroPadding3D, ctx: _Context) -> _Step | None:
    """Causal (past-only) time padding is the FIFO's zeros; spatial padding stays per frame."""
    _check_channels_last(layer)
    (past, future), height, width = layer.padding
    if future:
        raise StreamingConversionError(
            layer,
            f"it pads {future} future frame(s) on the right of the time axis; a live stream "
            "cannot wait for future frames. Pad past frames only: ((k - 1, 0), ...).",
        )
    if ctx.pending_pad is not None:
        raise StreamingConversionError(
            layer, f"it follows '{ctx.pending_pad[0].name}', another temporal padding, with no "
            "temporal conv in between to consume the padded frames.",
        )
    if past:
        ctx.pending_pad = (layer, past)
    if height == (0, 0) and width == (0, 0):
        return None
    pad2d = layers.ZeroPadding2D((height, width), name=layer.name)
    return _Step(pad2d, ConversionRow((layer.name,), layer.name, "per-frame zero padding"))


def _convert_average_pooling(layer: layers.AveragePooling3D, ctx: _Context) -> _Step:
    """Spatial average pooling per frame; pooling over all of space becomes a global pool."""
    _check_channels_last(layer)
    if layer.pool_size[0] != 1 or layer.strides[0] != 1:
        raise StreamingConversionError(
            layer,
            f"it pools over time (pool {layer.pool_size}, strides {layer.strides}); a "
            "streaming model answers every frame, so pool over space only: (1, h, w).",
        )
    height, width, _ = _frame_shape(layer.input)
    if tuple(layer.pool_size[1:]) == (height, width) and layer.padding == "valid":
        new = layers.GlobalAveragePooling2D(keepdims=True, name=layer.name)
        kind = "global average pool"
    else:
        new = layers.AveragePooling2D(layer.pool_size[1:], layer.strides[1:], layer.padding,
                                      name=layer.name)
        kind = f"{layer.pool_size[1]}x{layer.pool_size[2]} average pool"
    return _Step(new, ConversionRow((layer.name,), layer.name, kind))


def _convert_spatial_average(layer: SpatialAveragePooling, ctx: _Context) -> _Step:
    """The mean over each frame's height and width is a global average pool of the frame."""
    new = layers.GlobalAveragePooling2D(keepdims=True, name=layer.name)
    return _Step(new, ConversionRow((layer.name,), layer.name, "global average pool"))


def _convert_reshape(layer: layers.Reshape, ctx: _Context) -> _Step:
    """A reshape that keeps the time axis first becomes the same reshape of one frame."""
    frames, *rest = layer.target_shape
    rest = tuple(rest)
    if frames not in (-1, layer.input.shape[1]) or -1 in rest:
        raise StreamingConversionError(
            layer,
            f"target shape {layer.target_shape} does not keep the time axis first and "
            "every other axis explicit; only (frames, ...) reshapes act frame by frame.",
        )
    new = layers.Reshape(rest, name=layer.name)
    return _Step(new, ConversionRow((layer.name,), layer.name, f"per-frame reshape to {rest}"))


def _convert_per_frame(layer: keras.layers.Layer, ctx: _Context) -> _Step:
    """Layers that act on each frame (or each position) alone: the same layer, same weights."""
    new = type(layer).from_config(layer.get_config())
    _built(new, _frame_shape(layer.input)).set_weights(layer.get_weights())
    return _Step(new, ConversionRow((layer.name,), layer.name,
                                       f"{type(layer).__name__}, per frame"))


#: Layer type -> its conversion. Each function gets the original layer and the shared
#: context and returns the per-frame step (or ``None`` when the layer folds away).
CONVERTERS: dict[type, Callable[[keras.layers.Layer, _Context], _Step | None]] = {
    layers.Conv3D: _convert_conv3d,
    DepthwiseConv3D: _convert_conv3d,
    layers.BatchNormalization: _convert_batch_norm,
    layers.ZeroPadding3D: _convert_zero_padding,
    layers.AveragePooling3D: _convert_average_pooling,
    SpatialAveragePooling: _convert_spatial_average,
    layers.Reshape: _convert_reshape,
    layers.Rescaling: _convert_per_frame,
    layers.ReLU: _convert_per_frame,
    layers.Activation: _convert_per_frame,
    layers.Dense: _convert_per_frame,
}


def _layer_chain(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers from input to output, refusing anything that is not a chain."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model must have one input and one output, got {len(model.inputs)} and "
            f"{len(model.outputs)}."
        )
    consumers: dict[int, list[keras.layers.Layer]] = {}
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        if len(layer._inbound_nodes) != 1:
            raise StreamingConversionError(
                layer, f"it is called {len(layer._inbound_nodes)} times (a shared layer); "
                "to_streaming converts chains where each layer is called once.",
            )
        inputs = layer._inbound_nodes[0].input_tensors
        if len(inputs) != 1:
            raise StreamingConversionError(
                layer,
                f"it merges {len(inputs)} inputs (a skip connection). to_streaming converts "
                "chains of layers only: a branch around a temporal layer would need its own "
                "per-branch buffers, which this converter does not build. Remove the skip "
                "connection or stream the branches separately.",
            )
        consumers.setdefault(id(inputs[0]), []).append(layer)
    chain, tensor, producer = [], model.inputs[0], "the model input"
    while tensor is not model.outputs[0]:
        users = consumers.get(id(tensor), [])
        if not users:
            raise ValueError(f"no layer of the model reads {producer}: no path to the output.")
        if len(users) > 1:
            others = ", ".join(f"'{u.name}'" for u in users[:-1])
            raise StreamingConversionError(
                users[-1], f"{producer} feeds it and also {others}: a branch (skip "
                "connection). to_streaming converts chains of layers only.",
            )
        chain.append(users[0])
        tensor, producer = users[0].output, f"the output of '{users[0].name}'"
    return chain


def to_streaming(model: keras.Model) -> StreamingModel:
    """Convert a causal clip model ``(B, T, H, W, C) -> (B, T, ...)`` to a per-frame model.

    The model must be a chain of layers from :data:`CONVERTERS` (as built by
    :mod:`streamnets.blocks`, e.g. :func:`streamnets.models.gesture_net`). Weights are
    copied (BN folded in), so later changes to ``model`` do not affect the result.

    Args:
        model: a functional Keras model taking clips ``(B, T, H, W, C)`` with ``H``, ``W``
            and ``C`` known (``T`` may be ``None``), one input and one output.

    Raises:
        StreamingConversionError: naming the first layer that cannot stream and why
            (temporal stride or dilation, non-causal temporal padding, a skip connection,
            an unknown layer type).
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}.")
    if len(model.inputs[0].shape) != 5 or None in model.inputs[0].shape[2:]:
        raise ValueError(
            "model must take clips (batch, frames, height, width, channels) with known "
            f"height, width and channels; its input shape is {model.inputs[0].shape}."
        )
    ctx = _Context()
    for layer in _layer_chain(model):
        convert = CONVERTERS.get(type(layer))
        if convert is None:
            known = ", ".join(sorted(cls.__name__ for cls in CONVERTERS))
            raise StreamingConversionError(
                layer, f"no streaming conversion is known for this layer type (known: {known})."
            )
        if ctx.pending_pad is not None and not isinstance(layer, layers.Conv3D):
            raise StreamingConversionError(
                ctx.pending_pad[0],
                f"it pads past frames but is followed by '{layer.name}', not by a temporal "
                "conv; the FIFO's zeros reproduce only padding that a temporal conv reads "
                "directly.",
            )
        step = convert(layer, ctx)
        if step is not None:
            ctx.steps.append(step)
    if ctx.pending_pad is not None:
        raise StreamingConversionError(
            ctx.pending_pad[0], "it pads past frames but no temporal conv follows it."
        )
    return StreamingModel(ctx.steps, _frame_shape(model.inputs[0]), name=model.name)


def receptive_field(model: keras.Model) -> int:
    """How many input frames one output frame of a causal clip model depends on.

    ``1 + sum((k - 1) * dilation)`` over its temporal convolutions: each causal kernel of
    ``k`` frames reaches ``k - 1`` frames further into the past. A stream that never resets
    therefore gives, at every frame, the clip model's output on the window of the last
    ``receptive_field(model)`` frames (older frames have left every FIFO).

    Args:
        model: a causal clip model that is a chain of layers, as :func:`to_streaming`
            takes it.
    """
    frames = 1
    for layer in _layer_chain(model):
        if isinstance(layer, layers.Conv3D):
            frames += (layer.kernel_size[0] - 1) * layer.dilation_rate[0]
    return frames


# ------------------------------------------------------------------- streaming model


def check_states(states: Mapping[str, Any], shapes: Mapping[str, Sequence[int]],
                 batch_size: int) -> dict[str, Any]:
    """``states`` as a dict with exactly the names of ``shapes``, each ``(batch_size, *shape)``
    float32, or a ``ValueError`` that names the missing, extra or misshapen state.

    Args:
        states: state name -> array or tensor, as :meth:`StreamingModel.init_states` or
            the previous step returned it.
        shapes: state name -> per-stream shape (no batch axis), the model's
            ``state_shapes()``.
        batch_size: the number of streams, the batch axis every state must have.
    """
    if not isinstance(states, Mapping):
        raise ValueError(f"states must be a dict of state name -> array, got "
                         f"{type(states).__name__}; start from init_states().")
    missing = sorted(set(shapes) - set(states))
    extra = sorted(set(states) - set(shapes))
    if missing or extra:
        raise ValueError(
            f"states do not match the model: missing {missing or 'none'}, unexpected "
            f"{extra or 'none'}. Pass the dict that init_states() or the previous step "
            "returned, unchanged."
        )
    checked = {}
    for name, shape in shapes.items():
        value = states[name]
        if not hasattr(value, "shape"):
            value = np.asarray(value)
        expected = (batch_size, *shape)
        if tuple(value.shape) != expected:
            raise ValueError(
                f"state {name!r} has shape {tuple(value.shape)}, expected {expected} "
                f"({batch_size} stream(s) of {tuple(shape)}); pass the states of the same "
                "streams as the frames, from init_states() or the previous step."
            )
        dtype = np.dtype(getattr(value.dtype, "as_numpy_dtype", value.dtype))
        if dtype != np.float32:
            raise ValueError(f"state {name!r} has dtype {dtype}, expected float32; pass the "
                             "states init_states() or the previous step returned.")
        checked[name] = value
    return checked


def check_preceding(preceding: Any, clips: np.ndarray, frame_shape: Sequence[int]
                    ) -> np.ndarray:
    """Frames to stream before ``clips`` (warm clips): uint8 ``(N, T0, H, W, C)``, one
    sequence per clip, or a ``ValueError`` that says what is wrong.

    Args:
        preceding: uint8 frames ``(N, T0, H, W, C)``, any ``T0 >= 1``.
        clips: the clips they precede, ``(N, T, H, W, C)``; only ``N`` is compared.
        frame_shape: the model's frame shape ``(H, W, C)``.
    """
    preceding = check_frames(preceding, frame_shape, "preceding", leading=2)
    if len(preceding) != len(clips):
        raise ValueError(f"preceding holds {len(preceding)} stream(s) but clips "
                         f"{len(clips)}; give one preceding sequence per clip.")
    return preceding


class _Holder:
    """Plain attribute box (kept out of ``tf.Module`` tracking) for the stateful API."""

    batch_size: int | None = None
    states: dict[str, tf.Tensor] | None = None


class StreamingModel(tf.Module):
    """A per-frame model with FIFO buffers, built by :func:`to_streaming`.

    Two ways to use it, the same as :class:`streamnets.litert.LiteRTRunner`'s, both on
    uint8 frames ``(B, H, W, C)`` (one stream per row; numpy arrays or tensors):

    * stateful: ``step(frames)`` returns logits ``(B, n_classes)`` and keeps the
      buffers; ``reset()`` empties them;
    * explicit state (MoViNet's pattern): ``states = init_states(B)``, then ``logits,
      states = step_fn(frames, states)``, which checks the frames and the state names and
      shapes and keeps no Python-side state.

    ``compiled_step`` is the bare ``tf.function`` behind both, on float32 frames with a
    ``None`` batch axis and no checks: what export traces and the benchmarks time.
    Every per-frame layer (and so every variable the step reads) is reachable as
    ``frame_layers``, an attribute of this module, so ``tf.saved_model.save`` keeps them.

    Args:
        steps: the converted per-frame layers with their conversion-table rows, in order
            (built by :func:`to_streaming`, not by hand).
        frame_shape: the per-frame input shape ``(H, W, C)``.
        name: the clip model's name; characters not allowed in a Python identifier
            become ``_``.
    """

    def __init__(self, steps: Sequence[_Step], frame_shape: Sequence[int], name: str) -> None:
        super().__init__(name=re.sub(r"\W|^(?=\d)", "_", name))  # a Python identifier
        self.frame_layers = [step.layer for step in steps]
        self._rows = tuple(step.row for step in steps)
        self.frame_shape = tuple(frame_shape)
        self._holder = _Holder()
        signature = [self.frames_spec(), self.state_specs()]
        self.compiled_step = tf.function(self._step, input_signature=signature,
                                         autograph=False)

    def _step(
        self, frames: tf.Tensor, states: dict[str, tf.Tensor]
    ) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        x = frames
        new_states = {}
        for layer, row in zip(self.frame_layers, self._rows, strict=True):
            if row.state is None:
                x = layer(x)
            else:
                x, new_states[row.state] = layer(x, states[row.state])
        return x, new_states

    # ---------------------------------------------------------------- description
    def frames_spec(self) -> tf.TensorSpec:
        """The compiled step's per-frame input: ``(None, H, W, C)`` float32 ``frames``."""
        return tf.TensorSpec((None, *self.frame_shape), DTYPE, name="frames")

    def state_specs(self) -> dict[str, tf.TensorSpec]:
        """Name -> ``TensorSpec`` with a ``None`` batch axis, one per FIFO, in layer order."""
        return {row.state: tf.TensorSpec((None, *row.state_shape), DTYPE, name=row.state)
                for row in self._rows if row.state is not None}

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Name -> per-stream state shape (no batch axis)."""
        return {row.state: tuple(row.state_shape) for row in self._rows if row.state is not None}

    def state_bytes_per_stream(self) -> int:
        """Memory one stream's buffers occupy."""
        itemsize = np.dtype(DTYPE).itemsize
        return sum(math.prod(shape) * itemsize for shape in self.state_shapes().values())

    def conversion_table(self) -> list[ConversionRow]:
        """Which original layers became which per-frame layer (one row per frame layer)."""
        return list(self._rows)

    # ------------------------------------------------------------ explicit state
    def init_states(self, batch_size: int = 1) -> dict[str, tf.Tensor]:
        """Zeroed buffers for ``batch_size`` independent streams (zeros = causal padding).

        Args:
            batch_size: the number of streams (an int >= 1).

        Returns:
            State name -> float32 zeros ``(batch_size, *shape)``.
        """
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
        return {name: tf.zeros((batch_size, *shape), DTYPE)
                for name, shape in self.state_shapes().items()}

    def _as_frames(self, frames: Any, argument: str = "frames") -> tf.Tensor:
        """uint8 frames ``(B, H, W, C)`` (checked) as the compiled step's float32 tensor."""
        if isinstance(frames, tf.Tensor) and frames.dtype == tf.uint8 and (
                tuple(frames.shape[1:]) == self.frame_shape and frames.shape[0]):
            return tf.cast(frames, DTYPE)  # already right: no copy to the host
        return tf.cast(check_frames(frames, self.frame_shape, argument, leading=1), DTYPE)

    def step_fn(self, frames: Any, states: Mapping[str, Any]
                ) -> tuple[np.ndarray, dict[str, tf.Tensor]]:
        """One frame per stream, uint8 ``(B, H, W, C)``, and the states before it in;
        logits ``(B, n_classes)`` (numpy) and the states after it out.

        Args:
            frames: one uint8 frame per stream ``(B, H, W, C)``, numpy or tensor.
            states: state name -> float32 ``(B, ...)``, from :meth:`init_states` or the
                previous call.
        """
        frames = self._as_frames(frames)
        states = check_states(states, self.state_shapes(), int(frames.shape[0]))
        logits, new_states = self.compiled_step(frames, states)
        return logits.numpy(), new_states

    def predict_clips(self, clips: Any, preceding: Any = None) -> np.ndarray:
        """Stream whole uint8 clips ``(B, T, H, W, C)`` frame by frame.

        Returns the per-frame logits ``(B, T, n_classes)``. From zero states (``preceding``
        ``None``, a "cold" start) they equal the clip model's. ``preceding``, uint8 frames
        ``(B, T0, H, W, C)``, is streamed first with its logits dropped, so each clip starts
        with warm buffers, as in a live stream that never resets.

        Args:
            clips: uint8 clips ``(B, T, H, W, C)``.
            preceding: ``None`` for cold starts, or uint8 frames ``(B, T0, H, W, C)``
                streamed before the clips, one sequence per clip.
        """
        clips = check_frames(clips, self.frame_shape, "clips", leading=2)
        states = self.init_states(clips.shape[0])
        if preceding is not None:
            preceding = check_preceding(preceding, clips, self.frame_shape)
            for t in range(preceding.shape[1]):
                _, states = self.compiled_step(tf.cast(preceding[:, t], DTYPE), states)
        outputs = []
        for t in range(clips.shape[1]):
            logits, states = self.compiled_step(tf.cast(clips[:, t], DTYPE), states)
            outputs.append(logits.numpy())
        return np.stack(outputs, axis=1)

    # ------------------------------------------------------------------ stateful
    def reset(self) -> None:
        """Empty every buffer; the next ``step`` may use a different batch size."""
        self._holder.batch_size = self._holder.states = None

    def step(self, frames: Any) -> np.ndarray:
        """Feed one uint8 frame per stream, ``(B, H, W, C)``; return logits ``(B, n_classes)``.

        Args:
            frames: one uint8 frame per stream ``(B, H, W, C)``, numpy or tensor; ``B``
                must stay the same until :meth:`reset`.
        """
        frames = self._as_frames(frames)
        holder, batch_size = self._holder, int(frames.shape[0])
        if holder.states is None:
            holder.batch_size, holder.states = batch_size, self.init_states(batch_size)
        elif holder.batch_size != batch_size:
            raise ValueError(
                f"frames holds {batch_size} stream(s) but the buffers hold "
                f"{holder.batch_size}; call reset() before changing the number of streams."
            )
        logits, holder.states = self.compiled_step(frames, holder.states)
        return logits.numpy()


# --------------------------------------------------------------------------- checks


def max_relative_error(reference: np.ndarray, candidate: np.ndarray) -> float:
    """``max |candidate - reference| / max |reference|``: error relative to the logits' scale.

    Args:
        reference: the trusted logits, e.g. the clip model's ``(B, T, n_classes)``.
        candidate: logits to check, of the same shape (e.g. the streaming model's).

    Raises:
        ValueError: the shapes differ (NumPy would broadcast them and compare the wrong
            numbers), or ``reference`` is empty.
    """
    reference = np.asarray(reference, np.float64)
    candidate = np.asarray(candidate, np.float64)
    if reference.shape != candidate.shape or reference.size == 0:
        raise ValueError(f"reference and candidate must have the same non-empty shape, got "
                         f"{reference.shape} and {candidate.shape}.")
    scale = max(float(np.abs(reference).max()), np.finfo(np.float32).tiny)
    return float(np.abs(candidate - reference).max() / scale)
