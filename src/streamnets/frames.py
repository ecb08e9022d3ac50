"""What a frame is, checked in one place: uint8 pixels 0..255, channels last.

Every model here scales pixels itself (``Rescaling`` in the clip model, the same layer in
the streaming step, the image input of a LiteRT export). Float frames are therefore
refused on every path: a float array usually means the pixels were already scaled to
[0, 1] or [-1, 1], which the model would read as an almost black frame and answer "No
gesture" for every clip, silently. Converting is one line for the caller, who knows the
scale (``np.clip(x * 255, 0, 255).astype(np.uint8)`` for [0, 1] frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: The names of the leading axes, by how many there are (for error messages).
_LEADING = {0: (), 1: ("B",), 2: ("N", "T")}


def check_frames(frames: Any, frame_shape: Sequence[int], argument: str = "frames",
                 leading: int = 1) -> np.ndarray:
    """``frames`` (numpy array or tensor) as uint8 ``(*leading axes, H, W, C)``, or a clear error.

    Args:
        frames: pixels, a numpy array or an eager tensor.
        frame_shape: ``(H, W, C)`` of one frame.
        argument: the name used in error messages.
        leading: how many axes come before a frame (0: one frame, 1: a batch of frames,
            2: clips ``(N, T, ...)``).
    """
    array = frames.numpy() if hasattr(frames, "numpy") else np.asarray(frames)
    frame_shape = tuple(int(size) for size in frame_shape)
    expected = ", ".join(map(str, _LEADING[leading] + frame_shape))
    if array.dtype != np.uint8:
        hint = ("if they are scaled to [0, 1], convert with np.clip(x * 255, 0, 255)"
                ".astype(np.uint8); if they are 0..255 values, with np.clip(x, 0, 255)"
                ".astype(np.uint8)")
        raise ValueError(
            f"{argument} must be uint8 pixels (0..255), got dtype {array.dtype}: the model "
            f"scales pixels itself, so float frames are refused; {hint}."
        )
    if array.ndim != leading + len(frame_shape) or tuple(array.shape[leading:]) != frame_shape:
        raise ValueError(f"{argument} must have shape ({expected}), got {array.shape}.")
    if leading and 0 in array.shape[:leading]:
        raise ValueError(f"{argument} is empty (shape {array.shape}); pass at least one frame.")
    return array
