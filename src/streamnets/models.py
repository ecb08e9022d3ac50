"""The 5-block gesture model and its cost accounting.

:func:`gesture_net` rebuilds BrainChip's ``jester_video`` spatiotemporal network layer
for layer (same names, same parameter count: 1,353,895 for 27 classes) with one
prediction per input frame. :func:`layer_costs` and :func:`macs_per_frame` count what
one new frame costs once the model streams (see :mod:`streamnets.streaming`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import keras
from keras import layers

from streamnets.blocks import (
    SpatialAveragePooling,
    check_temporal_kernel,
    conv_bn_relu,
    spatiotemporal_block,
)

#: (temporal, spatial) output channels of the five blocks, and which are separable.
BLOCK_CHANNELS: tuple[tuple[int, int], ...] = ((20, 40), (80, 120), (160, 200), (240, 280),
                                                (320, 640))
DEPTHWISE_BLOCKS: tuple[bool, ...] = (False, False, False, True, True)
INPUT_CONV_FILTERS = 8
HEAD_UNITS = 640
#: How the uint8 pixels are scaled: BrainChip's current model feeds raw 0..255 values
#: (a no-op ``Rescaling(1, 0)``); the tutorial text describes [-1, 1].
INPUT_SCALINGS = {"raw": (1.0, 0.0), "symmetric": (1.0 / 127.5, -1.0)}
#: Smallest input side: the input conv and five blocks halve it six times; 32 pixels
#: leave every stride-2 stage at least one pixel.
MIN_SPATIAL_SIZE = 32


def _check_arguments(input_shape: Sequence[int], n_classes: int, input_scaling: str) -> None:
    if len(input_shape) != 4:
        raise ValueError(
            f"input_shape must be (frames, height, width, channels), i.e. a 5-D input "
            f"with the batch axis; got {tuple(input_shape)!r} ({len(input_shape) + 1}-D)."
        )
    frames, height, width, channels = input_shape
    if frames is not None and frames < 1:
        raise ValueError(f"input_shape: the number of frames must be >= 1, got {frames}.")
    for side, value in (("height", height), ("width", width)):
        if value is None or value < MIN_SPATIAL_SIZE:
            raise ValueError(
                f"input_shape: {side} {value} is too small for the input conv and five "
                f"stride-2 stages; use at least {MIN_SPATIAL_SIZE} pixels."
            )
    if channels is None or channels < 1:
        raise ValueError(f"input_shape: channels must be >= 1, got {channels}.")
    if not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}.")
    if input_scaling not in INPUT_SCALINGS:
        raise ValueError(
            f"input_scaling must be one of {sorted(INPUT_SCALINGS)}, got {input_scaling!r}."
        )


def gesture_net(
    input_shape: Sequence[int] = (16, 100, 100, 3),
    n_classes: int = 27,
    input_scaling: str = "raw",
    temporal_kernel: int = 5,
    name: str = "jester_video",
) -> keras.Model:
    """Build the 5-block spatiotemporal gesture model.

    Args:
        input_shape: ``(frames, height, width, channels)`` of a uint8 clip; ``frames``
            may be ``None`` for clips of any length.
        n_classes: number of gesture classes (27 for Jester).
        input_scaling: ``"raw"`` feeds 0..255 pixels (BrainChip's current model),
            ``"symmetric"`` scales them to [-1, 1].
        temporal_kernel: size of every temporal kernel; ``1`` gives the per-frame
            baseline that cannot see motion.
        name: the model name.

    Returns:
        A functional model mapping ``(B, T, H, W, C)`` to per-frame logits
        ``(B, T, n_classes)``.
    """
    input_shape = tuple(input_shape)
    _check_arguments(input_shape, n_classes, input_scaling)
    check_temporal_kernel(temporal_kernel)

    inputs = keras.Input(input_shape, name="input")
    x = input_stem(inputs, input_scaling)
    for index, ((t_filters, s_filters), depthwise) in enumerate(
        zip(BLOCK_CHANNELS, DEPTHWISE_BLOCKS, strict=True)
    ):
        x = spatiotemporal_block(
            x, t_filters, s_filters, index, depthwise=depthwise, temporal_kernel=temporal_kernel
        )
    return keras.Model(inputs, per_frame_head(x, n_classes), name=name)


def input_stem(inputs: keras.KerasTensor, input_scaling: str = "raw") -> keras.KerasTensor:
    """Pixel scaling and the per-frame input conv (8 filters, 3x3, stride 2, no bias).

    Args:
        inputs: the uint8-valued clip input ``(B, T, H, W, C)``.
        input_scaling: a key of :data:`INPUT_SCALINGS`: ``"raw"`` keeps 0..255 pixels,
            ``"symmetric"`` scales them to [-1, 1].

    Returns:
        The input conv's features ``(B, T, H / 2, W / 2, 8)``.
    """
    scale, offset = INPUT_SCALINGS[input_scaling]
    x = layers.Rescaling(scale, offset, name="rescaling")(inputs)
    return conv_bn_relu(
        x, INPUT_CONV_FILTERS, (1, 3, 3), "input_conv", strides=(1, 2, 2), use_bias=False
    )


def per_frame_head(x: keras.KerasTensor, n_classes: int) -> keras.KerasTensor:
    """Spatial average pool, Dense 640 + ReLU, Dense ``n_classes``: logits ``(B, T, n)``.

    Pooling over space only keeps one feature vector, hence one prediction, per frame
    (a mean, not ``AveragePooling3D``, so that the clip model converts to LiteRT).

    Args:
        x: the last block's features ``(B, T, H, W, C)``.
        n_classes: number of logits per frame.
    """
    x = SpatialAveragePooling(name="gap")(x)
    x = layers.Dense(HEAD_UNITS)(x)
    x = layers.ReLU()(x)
    x = layers.Dense(n_classes)(x)
    return layers.Reshape((x.shape[1] or -1, n_classes), name="logits")(x)


@dataclass(frozen=True)
class LayerCost:
    """What one layer costs per new frame when the model streams."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    macs: int


def _conv3d_macs(layer: layers.Conv3D) -> int:
    _, _, height, width, filters = layer.output.shape
    kt, kh, kw = layer.kernel_size
    in_channels = layer.input.shape[-1]
    # Per new frame a causal temporal kernel touches kt frames: streaming keeps the
    # other kt - 1 in its FIFO, but the products are still computed each frame.
    return kt * kh * kw * (in_channels // layer.groups) * filters * height * width


def _dense_macs(layer: layers.Dense) -> int:
    positions = math.prod(layer.output.shape[2:-1])  # spatial positions per frame
    return layer.input.shape[-1] * layer.units * positions


_MAC_COUNTERS = {layers.Conv3D: _conv3d_macs, layers.Dense: _dense_macs}


def layer_costs(model: keras.Model) -> list[LayerCost]:
    """Per-layer parameters and multiply-accumulates for one new frame.

    Only convolutions and dense layers multiply; normalization, activations, padding
    and pooling are counted as free (BN folds into the convolution at inference).
    Outputs are assumed ``(batch, time, ...)``.

    Args:
        model: a built clip model, e.g. from :func:`gesture_net`; its layers' output
            shapes give the per-frame spatial sizes.

    Returns:
        One :class:`LayerCost` per layer of ``model``, in layer order.
    """
    rows = []
    for layer in model.layers:
        counter = next((f for cls, f in _MAC_COUNTERS.items() if isinstance(layer, cls)), None)
        rows.append(
            LayerCost(
                name=layer.name,
                kind=type(layer).__name__,
                output_shape=tuple(layer.output.shape[1:]) if layer.output is not None else (),
                params=layer.count_params(),
                macs=counter(layer) if counter else 0,
            )
        )
    return rows


def macs_per_frame(model: keras.Model) -> int:
    """Multiply-accumulates the model spends on one new frame when streaming.

    Args:
        model: a built clip model (see :func:`layer_costs`).
    """
    return sum(row.macs for row in layer_costs(model))
