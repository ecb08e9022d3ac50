"""Comparison models for chapter 1: one block of each kind, and a full-3D gesture model.

:func:`block_model` wraps a single block of each of the four kinds in
:data:`BLOCK_TYPES` with the same input and output channels, so their parameters,
multiply-accumulates and speed can be compared side by side.
:func:`conv3d_gesture_net` is the gesture model with every factorized block replaced by
one full ``k x 3 x 3`` 3D convolution: the cost the factorization saves.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from streamnets.blocks import (
    check_temporal_kernel,
    conv3d_block,
    r2plus1d_block,
    spatiotemporal_block,
)
from streamnets.models import BLOCK_CHANNELS, input_stem, per_frame_head

#: The four block kinds chapter 1 compares, in the order the book shows them.
BLOCK_TYPES: tuple[str, ...] = ("conv3d", "r2plus1d", "full", "depthwise")
#: Short labels for tables and plots.
BLOCK_LABELS: dict[str, str] = {
    "conv3d": "3D (k×3×3)",
    "r2plus1d": "R(2+1)D",
    "full": "spatiotemporal, full",
    "depthwise": "spatiotemporal, depthwise-separable",
}


def block_model(
    block_type: str,
    input_shape: Sequence[int] = (16, 25, 25, 40),
    mid_filters: int = 80,
    filters: int = 120,
    temporal_kernel: int = 5,
) -> keras.Model:
    """A model holding one block of kind ``block_type`` (see :data:`BLOCK_TYPES`).

    All kinds map ``input_shape`` channels to ``filters`` channels with a spatial stride
    of 2. ``mid_filters`` is the channel count between the two convolutions of the
    factorized kinds (the temporal output of the spatiotemporal blocks, the spatial
    output of R(2+1)D); the 3D block has a single convolution and ignores it. The
    defaults are block 1 of the gesture model (40 -> 80 -> 120 channels at 25x25).

    Args:
        block_type: one of :data:`BLOCK_TYPES`: ``"conv3d"``, ``"r2plus1d"``, ``"full"``
            or ``"depthwise"``.
        input_shape: ``(frames, height, width, channels)`` of the block's input
            features (no batch axis).
        mid_filters: channels between the two convolutions (ignored by ``"conv3d"``).
            For ``"depthwise"`` the temporal conv keeps the input channels and its
            pointwise conv maps them to ``mid_filters``.
        filters: output channels of the block.
        temporal_kernel: frames every temporal kernel spans, a positive odd int.

    Returns:
        A model named ``"{block_type}_block"`` mapping ``(B, *input_shape)`` to
        ``(B, frames, height / 2, width / 2, filters)``.
    """
    if block_type not in BLOCK_TYPES:
        raise ValueError(f"block_type must be one of {BLOCK_TYPES}, got {block_type!r}.")
    if len(input_shape) != 4:
        raise ValueError(
            f"input_shape must be (frames, height, width, channels), got {tuple(input_shape)!r}."
        )
    check_temporal_kernel(temporal_kernel)
    inputs = keras.Input(tuple(input_shape), name="input")
    if block_type == "conv3d":
        x = conv3d_block(inputs, filters, "conv3d", temporal_kernel=temporal_kernel)
    elif block_type == "r2plus1d":
        x = r2plus1d_block(inputs, mid_filters, filters, "r2plus1d",
                           temporal_kernel=temporal_kernel)
    else:
        x = spatiotemporal_block(inputs, mid_filters, filters, index=0,
                                 depthwise=block_type == "depthwise",
                                 temporal_kernel=temporal_kernel)
    return keras.Model(inputs, x, name=f"{block_type}_block")


def conv3d_gesture_net(
    input_shape: Sequence[int] = (16, 100, 100, 3),
    n_classes: int = 27,
    temporal_kernel: int = 5,
) -> keras.Model:
    """The gesture model with each block replaced by one full ``k x 3 x 3`` 3D conv.

    Same input conv, same block output channels (:data:`streamnets.models.BLOCK_CHANNELS`)
    and spatial strides, same per-frame head as :func:`streamnets.models.gesture_net`;
    only the factorization is gone. It exists to be counted and timed, not trained.

    Args:
        input_shape: ``(frames, height, width, channels)`` of a uint8 clip, as for
            :func:`~streamnets.models.gesture_net` (not validated here).
        n_classes: number of logits per frame.
        temporal_kernel: frames every 3D kernel spans (causal), a positive odd int.

    Returns:
        A model named ``"conv3d_video"`` mapping ``(B, T, H, W, C)`` to per-frame
        logits ``(B, T, n_classes)``.
    """
    check_temporal_kernel(temporal_kernel)
    inputs = keras.Input(tuple(input_shape), name="input")
    x = input_stem(inputs)
    for index, (_, filters) in enumerate(BLOCK_CHANNELS):
        x = conv3d_block(x, filters, f"conv3d_{index}", temporal_kernel=temporal_kernel)
    return keras.Model(inputs, per_frame_head(x, n_classes), name="conv3d_video")
