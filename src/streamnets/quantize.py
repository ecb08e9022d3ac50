"""8-bit quantization with the real quantizers, and how much it costs.

Two toolchains, both post-training (no retraining), both 8 bits:

* **LiteRT int8** (``tf.lite.TFLiteConverter``): weights int8 symmetric per output
  channel, activations int8 asymmetric per tensor. Activation ranges come from a
  representative set; for a streaming model that set is (frame, states) pairs recorded
  while streaming real clips (:class:`CalibrationSet`), because the FIFO states are
  activations too and must be calibrated on values they really take.
* **BrainChip quantizeml** (extra ``streamnets[akida]``): weights 8-bit per output
  channel, activations 8-bit per tensor with power-of-two ranges, on BrainChip's
  bufferized model (:mod:`streamnets.brainchip`). It calibrates by predicting uint8
  frames *time-major* with a fixed batch size: row ``t * B + b`` is frame ``t`` of clip
  ``b``, so that each batch row is one stream whose FIFOs persist from batch to batch.

:func:`litert_layer_errors` measures, for every op of the int8 model, the error its
8-bit arithmetic adds (TensorFlow's quantization debugger), and the activation range
that calibration chose; :func:`predict_buffered` evaluates BrainChip's per-frame Keras
models (float or quantized) on clips so that they can be scored with the same smoother.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from streamnets.brainchip import require_akida_extra, to_tf_keras
from streamnets.frames import check_frames
from streamnets.litert import (
    IMAGE_INPUT,
    configure_int8,
    export_states,
    litert_converter,
    quiet_tensorflow,
)
from streamnets.smoothing import clip_accuracy, frame_accuracy

#: Fewest calibration clips accepted: activation ranges from fewer clips are noise.
MIN_CALIBRATION_CLIPS = 4
BITS = 8
#: int8 range of a quantized tensor.
INT8_MIN, INT8_MAX = -128, 127


# --------------------------------------------------------------------------- LiteRT int8


def check_calibration_clips(clips: Any, frame_shape: Sequence[int],
                            minimum: int = MIN_CALIBRATION_CLIPS) -> np.ndarray:
    """Calibration clips as uint8 ``(N, T, H, W, C)`` with ``N >= minimum``, or a clear error.

    Args:
        clips: the calibration clips, anything :func:`numpy.asarray` takes, checked by
            :func:`streamnets.frames.check_frames` (uint8 values).
        frame_shape: the model's frame shape ``(H, W, C)`` every clip's frames must have.
        minimum: the fewest clips accepted (:data:`MIN_CALIBRATION_CLIPS` by default).

    Raises:
        ValueError: the set is empty, has the wrong shape or dtype, or too few clips.
    """
    array = np.asarray(clips)
    if array.size == 0:
        raise ValueError(
            "the calibration set is empty: pass uint8 clips (N, T, H, W, C) from the "
            f"training data, at least {minimum} of them."
        )
    array = check_frames(array, frame_shape, "calibration clips", leading=2)
    if len(array) < minimum:
        raise ValueError(
            f"the calibration set has {len(array)} clip(s); use at least {minimum} (a few "
            "dozen is better): 8-bit activation ranges measured on fewer clips clip the "
            "values that other clips produce."
        )
    return array


class CalibrationSet:
    """(frame, states) pairs recorded while streaming clips, keyed by signature input name.

    All clips stream together (one batch row each) from zero states; iterating yields, for
    every frame ``t`` and clip ``b``, ``{"image": frame (1, H, W, C) uint8, <state>: the
    state (1, ...) *before* that frame, flat as exported}``, what the exported step receives when
    it runs live. Pairs are produced on the fly (the states of 100x100 frames are about
    1.6 MB per pair), so the set can be iterated again (converter, then debugger).

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` whose states are
            recorded.
        clips: uint8 clips ``(N, T, H, W, C)`` of ``stream``'s frame shape, checked by
            :func:`check_calibration_clips`; ``len(set)`` is ``N * T`` pairs.
        minimum: the fewest clips accepted.
    """

    def __init__(self, stream: Any, clips: Any, minimum: int = MIN_CALIBRATION_CLIPS) -> None:
        self.stream = stream
        self.clips = check_calibration_clips(clips, stream.frame_shape, minimum)

    def __len__(self) -> int:
        return int(self.clips.shape[0] * self.clips.shape[1])

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        states = self.stream.init_states(len(self.clips))
        for t in range(self.clips.shape[1]):
            frames = self.clips[:, t]
            numpy_states = export_states(states)  # the exported (flat) state layout
            for b in range(len(self.clips)):
                yield {IMAGE_INPUT: frames[b:b + 1],
                       **{name: state[b:b + 1] for name, state in numpy_states.items()}}
            _, states = self.stream.compiled_step(tf.cast(frames, tf.float32), states)


def calibration_pairs(stream: Any, clips: Any) -> CalibrationSet:
    """The representative (frame, states) pairs of ``clips`` streamed through ``stream``.

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` to calibrate.
        clips: uint8 training clips ``(N, T, H, W, C)``, at least
            :data:`MIN_CALIBRATION_CLIPS` of them.
    """
    return CalibrationSet(stream, clips)


@dataclass(frozen=True)
class LayerError:
    """The int8 error of one op of the LiteRT model, given the same (quantized) inputs."""

    layer: str
    """Our layer name (from the op's output tensor name)."""
    op: str
    elements: int
    rmse: float
    """Root mean squared difference between the int8 op's output and the float op's."""
    max_abs_error: float
    scale: float
    """Size of one int8 step of the output (its calibrated range / 255)."""
    zero_point: int

    @property
    def rmse_in_steps(self) -> float:
        """``rmse / scale``: about 0.29 (= 1/sqrt(12)) is pure rounding; more is extra loss."""
        return self.rmse / self.scale

    @property
    def output_range(self) -> tuple[float, float]:
        """The float range the int8 output covers, chosen by calibration."""
        return (self.scale * (INT8_MIN - self.zero_point),
                self.scale * (INT8_MAX - self.zero_point))


def _layer_name(tensor_name: str) -> str:
    """``convt_full_0_0_relu_1/Relu;...`` -> ``convt_full_0_0`` (the op's own layer)."""
    first = tensor_name.split(";")[0].split("/")[0]
    return re.sub(r"(_relu)?(_\d+)?$", "", first)


def litert_layer_errors(stream: Any, calibration: CalibrationSet) -> list[LayerError]:
    """Per-op error of the int8 LiteRT model on ``calibration`` (TensorFlow's debugger).

    Each quantized op is fed the same quantized inputs as in the int8 model, and its
    output is compared with the float op's on those inputs: the error *that op* adds,
    not the error accumulated from the input. Only ops that compute (convolutions, dense,
    pooling, arithmetic) are kept; data movement (reshape, slice, concat) adds no error.

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` to convert to int8.
        calibration: its pairs (:func:`calibration_pairs`), used both to calibrate the
            int8 model and as the debugger's inputs.

    Returns:
        One :class:`LayerError` per computing op, in the debugger's order.
    """
    with litert_converter(stream) as converter:
        float_model = converter.convert()
        interpreter = tf.lite.Interpreter(model_content=float_model)
        order = [_signature_input(detail["name"]) for detail in interpreter.get_input_details()]
        configure_int8(converter, lambda: iter(calibration))

        def debug_dataset() -> Iterator[list[np.ndarray]]:
            for pair in calibration:
                yield [pair[name] for name in order]

        debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_dataset=debug_dataset
        )
        debugger.run()
    dump = io.StringIO()
    debugger.layer_statistics_dump(dump)
    rows = []
    for row in csv.DictReader(io.StringIO(dump.getvalue())):
        if row["op_name"] in {"RESHAPE", "STRIDED_SLICE", "CONCATENATION", "QUANTIZE",
                              "DEQUANTIZE", "CAST"}:
            continue
        rows.append(LayerError(
            layer=_layer_name(row["tensor_name"]),
            op=row["op_name"],
            elements=int(float(row["num_elements"])),
            rmse=float(np.sqrt(float(row["mean_squared_error"]))),
            max_abs_error=float(row["max_abs_error"]),
            scale=float(row["scale"]),
            zero_point=int(row["zero_point"]),
        ))
    return rows


def _signature_input(tensor_name: str) -> str:
    """``serving_default_fifo_x:0`` -> ``fifo_x`` (the converter's input tensor names)."""
    name = tensor_name.split(":")[0]
    prefix = "serving_default_"
    return name[len(prefix):] if name.startswith(prefix) else name


def weight_ranges(stream: Any) -> list[dict[str, Any]]:
    """Per layer of the streaming model (BN folded): the spread of its per-channel ranges.

    Per-channel quantization gives each output channel its own scale ``max|w| / 127``;
    a per-tensor scale would be set by the largest channel, and the ratio ``largest /
    smallest`` says how many int8 steps the smallest channels would lose.

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel`; its per-frame layers
            with a ``kernel`` are measured.

    Returns:
        One dict per such layer: ``layer``, ``kind``, ``weights`` (count), ``max_abs``,
        the smallest and median per-channel ``max|w|``, and ``channel_spread``
        (largest / smallest).
    """
    rows = []
    for layer in stream.frame_layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is None:
            continue
        values = np.asarray(kernel)
        # Output channels are the last axis, except for depthwise 2-D kernels
        # (kh, kw, C, multiplier), whose channels are the last two axes together.
        per_channel = np.abs(values.reshape(-1, values.shape[-1]))
        if isinstance(layer, keras.layers.DepthwiseConv2D):
            per_channel = np.abs(values.reshape(-1, values.shape[-2] * values.shape[-1]))
        channel_max = per_channel.max(axis=0)
        rows.append({
            "layer": layer.name,
            "kind": type(layer).__name__,
            "weights": int(values.size),
            "max_abs": float(channel_max.max()),
            "channel_max_min": float(channel_max.min()),
            "channel_max_median": float(np.median(channel_max)),
            "channel_spread": float(channel_max.max() / max(channel_max.min(), 1e-12)),
        })
    return rows


# --------------------------------------------------------------------------- quantizeml


def quantizeml_params() -> Any:
    """BrainChip's 8-bit recipe: 8-bit weights (input layer too), 8-bit per-tensor
    activations, uint8 frames in."""
    require_akida_extra("tf_keras", "quantizeml")
    from quantizeml.layers import QuantizationParams

    return QuantizationParams(activation_bits=BITS, per_tensor_activations=True,
                              weight_bits=BITS, input_weight_bits=BITS, input_dtype="uint8")


def time_major(clips: np.ndarray) -> np.ndarray:
    """Clips ``(N, T, H, W, C)`` as frames ``(T * N, H, W, C)``, row ``t * N + b`` = clip
    ``b``'s frame ``t``: what a per-frame model with batch size ``N`` streams.

    Args:
        clips: an array ``(N, T, ...)``: clips, frames, then each frame's axes.
    """
    clips = np.asarray(clips)
    return clips.transpose(1, 0, *range(2, clips.ndim)).reshape(-1, *clips.shape[2:])


def quantize_brainchip(model: Any, calibration_clips: Any) -> Any:
    """BrainChip's quantized Keras model of ``model`` (quantizeml, 8 bits).

    ``model`` is rebuilt as BrainChip's tf_keras structure with our weights, bufferized
    and quantized; calibration streams ``calibration_clips`` ``(N, T, H, W, C)`` uint8
    with batch size ``N`` (one FIFO stream per clip, frames time-major).

    Args:
        model: a (trained) :func:`streamnets.models.gesture_net` with a fixed number of
            frames, as :func:`streamnets.brainchip.to_tf_keras` takes it.
        calibration_clips: uint8 training clips ``(N, T, H, W, C)``, at least
            :data:`MIN_CALIBRATION_CLIPS`; ``N`` is also the calibration batch size.

    Returns:
        The quantized ``tf_keras`` model, its FIFO buffers reset.
    """
    require_akida_extra("tf_keras", "quantizeml")
    from quantizeml.layers import reset_buffers
    from quantizeml.models import quantize

    frame_shape = tuple(model.input.shape[2:])
    clips = check_calibration_clips(calibration_clips, frame_shape)
    samples = time_major(clips)
    # quantizeml calibrates with Keras predict, whose progress bar is noise here, and its
    # FIFO layers retrace a small function once per layer (harmless, but TF warns).
    with contextlib.redirect_stdout(io.StringIO()), quiet_tensorflow():
        quantized = quantize(to_tf_keras(model), qparams=quantizeml_params(), samples=samples,
                             num_samples=len(samples), batch_size=len(clips), epochs=1)
    reset_buffers(quantized)
    return quantized


def predict_buffered(model: Any, clips: Any, batch_size: int = 32) -> np.ndarray:
    """Per-frame logits ``(N, T, n_classes)`` of BrainChip's per-frame Keras ``model``.

    ``model`` is :func:`streamnets.brainchip.bufferized` or :func:`quantize_brainchip`'s
    result: its FIFOs live inside its layers, so clips go ``batch_size`` at a time, one
    stream per row, frame by frame, and the buffers are reset before each batch.

    Args:
        model: BrainChip's per-frame ``tf_keras`` model, taking frames ``(B, H, W, C)``.
        clips: uint8 clips ``(N, T, H, W, C)`` of the model's frame shape.
        batch_size: clips streamed together (an int >= 1); the last batch may be smaller.
    """
    require_akida_extra("tf_keras", "quantizeml")
    from quantizeml.layers import reset_buffers

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    clips = check_frames(clips, model.input_shape[1:], "clips", leading=2)
    outputs = []
    with quiet_tensorflow():
        for start in range(0, len(clips), batch_size):
            batch = clips[start:start + batch_size]
            reset_buffers(model)
            frames = [np.asarray(model(batch[:, t], training=False))
                      for t in range(batch.shape[1])]
            outputs.append(np.stack(frames, axis=1).reshape(len(batch), batch.shape[1], -1))
        reset_buffers(model)
    return np.concatenate(outputs)


# --------------------------------------------------------------------------- comparison


def top1_agreement(reference: np.ndarray, candidate: np.ndarray) -> float:
    """Fraction of frames whose top-1 class is the same in both ``(..., n_classes)`` logits.

    Args:
        reference: logits ``(..., n_classes)``, e.g. the float model's ``(N, T, n_classes)``.
        candidate: logits of the same shape, e.g. the quantized model's.
    """
    reference, candidate = np.asarray(reference), np.asarray(candidate)
    if reference.shape != candidate.shape:
        raise ValueError(f"logits shapes differ: {reference.shape} vs {candidate.shape}.")
    return float(np.mean(reference.argmax(-1) == candidate.argmax(-1)))


def accuracy_table(logits: Mapping[str, np.ndarray], labels: np.ndarray, decay: float
                   ) -> list[dict[str, Any]]:
    """Frame and clip accuracy (with decay) of several models on the same clips.

    Args:
        logits: each model's name mapped to its per-frame logits ``(N, T, n_classes)``;
            the first one is the reference for ``top1_agreement_with_first``.
        labels: the true class index of each clip, shape ``(N,)``.
        decay: the decay factor in ``[0, 1]`` of the smoothing behind clip accuracy.

    Returns:
        One row per model, in ``logits``' order: ``model``, ``frame_accuracy``,
        ``clip_accuracy`` and ``top1_agreement_with_first``.
    """
    reference = next(iter(logits.values()))
    return [{
        "model": name,
        "frame_accuracy": frame_accuracy(values, labels),
        "clip_accuracy": clip_accuracy(values, labels, decay),
        "top1_agreement_with_first": top1_agreement(reference, values),
    } for name, values in logits.items()]
