"""The LiteRT side: converting the streaming step to a ``.tflite`` and running it.

The exported model is the explicit-state streaming step of :mod:`streamnets.streaming`,
one frame per call, with MoViNet's signature convention: ``serving_default`` takes a
uint8 frame ``image`` ``(1, H, W, 3)`` and one float32 input per FIFO state, flat
``(1, H, W, k * C)`` (:func:`export_state_shape`: no tensor over 4-D, for GPU and WebGPU
runtimes), and returns ``logits`` ``(1, n_classes)`` plus, for every state input, an
output of the same name holding the updated state. Any runtime can therefore loop
``out = run(image=frame, **states); states = {k: out[k] for k in states}``.

The int8 model quantizes every weight (per output channel) and every activation (per
tensor) to 8 bits; the converter's int8 settings live in :func:`configure_int8`, the one
place they are written. Its image input stays uint8 and its states float32 at the
interface (quantized inside), so the loop above is the same for float and int8.

:class:`LiteRTRunner` runs an export with ``ai_edge_litert`` (extra
``streamnets[litert]``) and offers the same two interfaces as
:class:`~streamnets.streaming.StreamingModel`: stateful ``step(frames)`` / ``reset()``,
and explicit-state ``step_fn(frames, states) -> (logits, states)``, both on uint8
``(B, H, W, C)`` frames.

The whole clip model converts too (:func:`convert_clip_litert`, run by
:class:`LiteRTClipRunner`): what recomputing the window for every frame costs in LiteRT.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from streamnets.frames import check_frames
from streamnets.smoothing import DEFAULT_DECAY, DecaySmoother, softmax
from streamnets.streaming import StreamingModel, check_preceding, check_states

#: The signature every exported LiteRT model carries, and its fixed tensor names.
SIGNATURE = "serving_default"
IMAGE_INPUT = "image"
LOGITS_OUTPUT = "logits"
LITERT_HINT = 'pip install "streamnets[litert]"'
#: How an exported state holds its FIFO (:func:`export_state_shape`), for the metadata.
STATE_LAYOUT = ("(streams, H, W, k * C): the last k inputs of a temporal layer, slot-major "
                "(channel j * C + c is slot j, oldest first, channel c)")


def litert_interpreter() -> Any:
    """LiteRT's ``Interpreter`` class, or an ImportError that says how to install it."""
    try:
        from ai_edge_litert.interpreter import Interpreter  # optional extra
    except ImportError as error:
        raise ImportError(
            f"Running LiteRT models needs the 'ai-edge-litert' package: {LITERT_HINT}"
        ) from error
    return Interpreter


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Silence TensorFlow's Python logger (INFO lines of SavedModel writing, retracing
    warnings from third-party layers) for the duration of the block, and the deprecation
    warning of ``tf.lite.Interpreter``, which TensorFlow's converter uses internally to
    calibrate (this package runs models with ai-edge-litert's interpreter)."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\s*Warning: tf\.lite\.Interpreter is "
                                    r"deprecated", category=UserWarning)
            yield
    finally:
        logger.setLevel(level)


# --------------------------------------------------------------------------- conversion


def export_state_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """The exported form of a FIFO state shape: ``(..., H, W, k, C)`` -> ``(..., H, W, k * C)``.

    The Keras buffer ``(B, H, W, k, C)`` is 5-D; LiteRT's GPU delegate and WebGPU accept
    at most 4-D tensors, so the export carries each state flat, slot-major (channel
    ``j * C + c`` is slot ``j``, oldest first, channel ``c``), the layout in which
    :meth:`streamnets.streaming.Fifo.push` shifts the buffer (no tensor of the exported
    graph has more than 4 dimensions).

    Args:
        shape: a Keras FIFO state shape ending in ``(k, C)`` (slots, channels), with or
            without the batch axis, e.g. ``(B, H, W, k, C)``.
    """
    *leading, frames, channels = shape
    return (*leading, frames * channels)


def export_states(states: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Keras streaming states (or calibration pairs) in the exported layout
    (:func:`export_state_shape`); the image and already flat states pass unchanged.

    Args:
        states: state name (or ``"image"``) -> array or tensor; 5-D states
            ``(B, H, W, k, C)`` are flattened to ``(B, H, W, k * C)``.

    Returns:
        The same names -> numpy arrays.
    """
    flat = {}
    for name, value in states.items():
        value = np.asarray(value)
        flat[name] = (value.reshape(export_state_shape(value.shape))
                      if name != IMAGE_INPUT and value.ndim == 5 else value)
    return flat


def _serving_module(stream: StreamingModel, batch_size: int = 1) -> tf.Module:
    """A ``tf.Module`` whose signature is the exported one (uint8 image, named flat states).

    The module tracks the variables the step reads directly, so that the converter
    freezes them into constants (reached only through the stream's Keras layers, they
    stayed resource variables that the converted model read uninitialized). The states
    cross the interface flat (:func:`export_state_shape`); the reshapes to and from the
    Keras layout meet the FIFO's own and fold away in conversion. ``batch_size`` streams
    run per call (one per row).
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    image_spec = tf.TensorSpec((batch_size, *stream.frame_shape), tf.uint8, name=IMAGE_INPUT)
    keras_shapes = stream.state_shapes()
    state_specs = {
        name: tf.TensorSpec((batch_size, *export_state_shape(shape)), tf.float32, name=name)
        for name, shape in keras_shapes.items()
    }
    if not state_specs:
        raise ValueError(
            "the streaming model has no FIFO state: a model without temporal convolutions "
            "needs no streaming export (export it as a plain per-frame model instead)."
        )
    if IMAGE_INPUT in state_specs or LOGITS_OUTPUT in state_specs:
        raise ValueError(f"a state may not be named {IMAGE_INPUT!r} or {LOGITS_OUTPUT!r}.")

    def serve(image: tf.Tensor, states: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        keras_states = {name: tf.reshape(state, (-1, *keras_shapes[name]))
                        for name, state in states.items()}
        logits, new_states = stream.compiled_step(tf.cast(image, tf.float32), keras_states)
        return {LOGITS_OUTPUT: logits,
                **{name: tf.reshape(state, (-1, *export_state_shape(keras_shapes[name])))
                   for name, state in new_states.items()}}

    module = tf.Module()
    module.weights = list(stream.compiled_step.get_concrete_function().variables)
    module.serve = tf.function(serve, input_signature=[image_spec, state_specs])
    return module


@contextlib.contextmanager
def litert_converter(stream: StreamingModel, batch_size: int = 1
                     ) -> Iterator[tf.lite.TFLiteConverter]:
    """A ``TFLiteConverter`` for ``stream``'s step, saved as a SavedModel with a signature.

    Converting from a SavedModel (not from bare concrete functions) is what keeps the
    ``serving_default`` signature, whose input names the int8 calibration data is keyed by.
    The SavedModel lives in a temporary folder for the duration of the ``with`` block.

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` whose step is converted;
            it must have at least one FIFO state.
        batch_size: streams per call, the batch axis of every signature input (an
            int >= 1).

    Yields:
        The converter, not yet configured (float unless :func:`configure_int8` is applied).
    """
    module = _serving_module(stream, batch_size)
    with tempfile.TemporaryDirectory(prefix="streamnets-savedmodel-") as folder:
        with quiet_tensorflow():
            tf.saved_model.save(module, folder, signatures={SIGNATURE: module.serve})
        yield tf.lite.TFLiteConverter.from_saved_model(folder, signature_keys=[SIGNATURE])


def configure_int8(converter: tf.lite.TFLiteConverter,
                   representative: Callable[[], Iterable[Any]],
                   integer_io: bool = False) -> None:
    """Set ``converter`` to full-integer int8 with ``representative`` as calibration data.

    Every op must have an int8 kernel (``TFLITE_BUILTINS_INT8``: conversion fails rather
    than silently leave float ops). With ``integer_io`` the inputs and outputs are int8
    too; otherwise the interface keeps the signature's own types (a uint8 image, float32
    states and logits, quantized inside).

    Args:
        converter: the converter to configure in place, e.g. from :func:`litert_converter`.
        representative: a function returning a fresh iterable of calibration inputs, each
            a dict keyed by signature input name (or a list in input order), e.g.
            ``lambda: iter(calibration_pairs(stream, clips))``.
        integer_io: make the model's inputs and outputs int8 as well.
    """
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if integer_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8


def convert_litert(stream: StreamingModel, calibration: Iterable[Mapping[str, np.ndarray]]
                   | None = None, batch_size: int = 1) -> bytes:
    """The ``.tflite`` flatbuffer of ``stream``'s step: float, or int8 given calibration pairs.

    Args:
        stream: a :class:`streamnets.streaming.StreamingModel`.
        calibration: ``None`` for a float model; for full-integer int8, re-iterable
            representative ``{"image": frame, <state>: state}`` pairs of one stream, such
            as :func:`streamnets.quantize.calibration_pairs`.
        batch_size: streams per call (a server's cameras); each calibration pair is
            repeated on every row (int8 ranges are per tensor, the same for any batch).
    """
    with litert_converter(stream, batch_size) as converter:
        if calibration is not None:
            configure_int8(converter, lambda: (
                {name: np.repeat(value, batch_size, axis=0) for name, value in pair.items()}
                for pair in calibration))
        with quiet_tensorflow():
            return converter.convert()


def stacked_windows(frames: tf.Tensor, slots: int) -> tf.Tensor:
    """Every frame's causal window of ``slots`` frames, stacked on the channel axis.

    ``frames`` is ``(T, H, W, C)``, time on the batch axis; row ``t`` of the result
    ``(T, H, W, slots * C)`` holds frames ``t - slots + 1 .. t`` slot-major, oldest first,
    zeros before the first frame: what a FIFO holds after frame ``t`` (:meth:`Fifo.push
    <streamnets.streaming.Fifo.push>`), so a FIFO layer's ``apply_window`` computes the
    temporal conv of all ``T`` frames at once.

    Args:
        frames: one clip's features ``(T, H, W, C)``, ``T`` known statically.
        slots: the window length, a FIFO layer's ``frames`` (its temporal kernel size).
    """
    count = frames.shape[0]
    padded = tf.pad(frames, [[slots - 1, 0], [0, 0], [0, 0], [0, 0]])
    return tf.concat([padded[j:j + count] for j in range(slots)], axis=-1)


def clip_as_frames(stream: StreamingModel, clip: tf.Tensor) -> tf.Tensor:
    """The clip model's per-frame logits ``(1, T, n)`` of one clip ``(1, T, H, W, C)``,
    computed by ``stream``'s per-frame layers with the clip's frames as their batch.

    The same weights and kernels as the streaming step (2-D and depthwise convs, batch
    norm folded; each FIFO layer reads :func:`stacked_windows`), so the clip model
    converts with no ``CONV_3D``, which LiteRT runs only in float. Reshapes, not slices,
    move time between the batch and clip axes (a 5-D slice has no fast LiteRT kernel).

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` whose per-frame layers
            compute the logits.
        clip: one float32 clip ``(1, T, H, W, C)`` of pixel values 0..255, ``T`` static.
    """
    x = tf.reshape(clip, clip.shape[1:])
    for layer, row in zip(stream.frame_layers, stream.conversion_table(), strict=True):
        x = layer(x) if row.state is None else layer.apply_window(
            stacked_windows(x, layer.frames))
    return tf.reshape(x, (1, *x.shape))


def convert_clip_litert(stream: StreamingModel, frames: int,
                        calibration_clips: np.ndarray | None = None) -> bytes:
    """The ``.tflite`` of the whole clip model at batch 1: float, or int8 given clips.

    What recomputing the window costs in LiteRT (one call reads ``frames`` frames and
    returns their logits), the alternative the streaming step is measured against. The
    graph is :func:`clip_as_frames`, so recompute and step run the same kernels, int8
    included. The input is a uint8 clip ``(1, frames, H, W, C)`` (the step takes uint8
    frames); int8 takes the settings of :func:`configure_int8`, calibrated on
    ``calibration_clips``, uint8 ``(N, frames, H, W, C)``.

    Args:
        stream: the :class:`~streamnets.streaming.StreamingModel` whose layers compute
            the clip (:func:`clip_as_frames`).
        frames: the clip length ``T`` the model is converted for (fixed).
        calibration_clips: ``None`` for a float model; uint8 clips
            ``(N, frames, H, W, C)`` for full-integer int8.
    """
    spec = tf.TensorSpec((1, frames, *stream.frame_shape), tf.uint8, name="clip")
    clip_fn = tf.function(lambda clip: clip_as_frames(stream, tf.cast(clip, tf.float32)),
                          input_signature=[spec], autograph=False)
    concrete = clip_fn.get_concrete_function()
    module = tf.Module()  # tracks the variables, so they are frozen (see _serving_module)
    module.weights = list(concrete.variables)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], module)
    if calibration_clips is not None:
        clips = np.asarray(calibration_clips, np.uint8)
        configure_int8(converter, lambda: ([clip[None]] for clip in clips))
    with quiet_tensorflow():
        return converter.convert()


# --------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of the exported signature."""

    name: str
    shape: tuple[int, ...]
    dtype: str


def _tensor_infos(details: Mapping[str, Mapping[str, Any]]) -> dict[str, TensorInfo]:
    return {
        name: TensorInfo(name, tuple(int(s) for s in detail["shape"]),
                         np.dtype(detail["dtype"]).name)
        for name, detail in details.items()
    }


class LiteRTRunner:
    """Stream frames through an exported ``.tflite`` with ``ai_edge_litert``.

    The signature is checked when the model is loaded: a uint8 ``image`` input, a
    ``logits`` output, and for every other input (a state) an output of the same name and
    shape. Like :class:`~streamnets.streaming.StreamingModel`, it offers a stateful
    ``step(frames)`` with ``reset()``, and an explicit-state ``step_fn(frames, states)``;
    frames are uint8 ``(B, H, W, C)``, one stream per row (a batch-1 export runs the rows
    one after the other; a batch-N export, :func:`convert_litert`, runs its N rows in one
    call), states ``(B, ...)`` from :meth:`init_states`, in the exported (flat) layout.

    Args:
        model: the exported flatbuffer as bytes, or the path of a ``.tflite`` file.
        num_threads: CPU threads the interpreter may use (an int >= 1); ``None`` leaves
            the choice to LiteRT.
    """

    def __init__(self, model: str | os.PathLike | bytes, num_threads: int | None = None) -> None:
        interpreter_class = litert_interpreter()
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
            raise ValueError(f"num_threads must be None or an int >= 1, got {num_threads!r}.")
        if isinstance(model, bytes):
            self.interpreter = interpreter_class(model_content=model, num_threads=num_threads)
        else:
            if not Path(model).is_file():
                raise FileNotFoundError(f"no LiteRT model at {model}")
            self.interpreter = interpreter_class(model_path=str(model), num_threads=num_threads)
        signatures = self.interpreter.get_signature_list()
        if SIGNATURE not in signatures:
            raise ValueError(
                f"the model has no {SIGNATURE!r} signature (it has {sorted(signatures)}); "
                "export it with streamnets.export so that inputs and states are named."
            )
        self._runner = self.interpreter.get_signature_runner(SIGNATURE)
        self.inputs = _tensor_infos(self._runner.get_input_details())
        self.outputs = _tensor_infos(self._runner.get_output_details())
        self._check_signature()
        self.frame_shape = self.inputs[IMAGE_INPUT].shape[1:]
        self.batch_size = self.inputs[IMAGE_INPUT].shape[0]
        """Streams one call runs: 1, or the ``batch_size`` of :func:`convert_litert`."""
        self.state_names = tuple(name for name in self.inputs if name != IMAGE_INPUT)
        self.n_classes = self.outputs[LOGITS_OUTPUT].shape[-1]
        self._states: dict[str, np.ndarray] | None = None

    def _check_signature(self) -> None:
        image = self.inputs.get(IMAGE_INPUT)
        if image is None or image.dtype != "uint8" or len(image.shape) != 4:
            raise ValueError(
                f"the {SIGNATURE!r} signature needs a uint8 input {IMAGE_INPUT!r} of shape "
                f"(B, H, W, C); it has {image}."
            )
        if LOGITS_OUTPUT not in self.outputs:
            raise ValueError(
                f"the {SIGNATURE!r} signature has no {LOGITS_OUTPUT!r} output (outputs: "
                f"{sorted(self.outputs)})."
            )
        for name, info in self.inputs.items():
            if name == IMAGE_INPUT:
                continue
            out = self.outputs.get(name)
            if out is None:
                raise ValueError(
                    f"the {SIGNATURE!r} signature has a state input {name!r} but no output "
                    "of the same name, so the next state cannot be fed back: this is not a "
                    "streaming export (outputs: " + ", ".join(sorted(self.outputs)) + ")."
                )
            if (out.shape, out.dtype) != (info.shape, info.dtype):
                raise ValueError(
                    f"state {name!r}: input {info.shape} {info.dtype} but output "
                    f"{out.shape} {out.dtype}; a state must round-trip unchanged in form."
                )

    # ------------------------------------------------------------ explicit state
    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Name -> per-stream state shape (no batch axis)."""
        return {name: self.inputs[name].shape[1:] for name in self.state_names}

    def init_states(self, batch_size: int = 1) -> dict[str, np.ndarray]:
        """Zero states for ``batch_size`` streams (zeros in the FIFOs = causal padding).

        Args:
            batch_size: the number of streams (an int >= 1).

        Returns:
            State name -> zeros ``(batch_size, *shape)`` in the state's dtype.
        """
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
        return {name: np.zeros((batch_size, *shape), self.inputs[name].dtype)
                for name, shape in self.state_shapes().items()}

    def step_fn(self, frames: Any, states: Mapping[str, Any]
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One frame per stream, uint8 ``(B, H, W, C)``, and the states before it in;
        logits ``(B, n_classes)`` and the states after it out.

        Args:
            frames: one uint8 frame per stream, ``(B, H, W, C)``; ``B`` must be the
                export's batch size, or any ``B`` for a batch-1 export (rows run in turn).
            states: state name -> ``(B, ...)`` arrays before this frame, as
                :meth:`init_states` or the previous call returns them.
        """
        frames = check_frames(frames, self.frame_shape, "frames", leading=1)
        states = check_states(states, self.state_shapes(), len(frames))
        if len(frames) == self.batch_size:
            return self._invoke(frames, states)
        self._check_one_stream_export(f"frames holds {len(frames)} streams")
        rows = [self._invoke(frames[b:b + 1], {k: v[b:b + 1] for k, v in states.items()})
                for b in range(len(frames))]
        return (np.concatenate([logits for logits, _ in rows]),
                {name: np.concatenate([s[name] for _, s in rows]) for name in self.state_names})

    def _check_one_stream_export(self, what: str) -> None:
        if self.batch_size != 1:
            raise ValueError(
                f"{what}, but this export runs exactly {self.batch_size} streams per call: "
                f"pass {self.batch_size} frames (one per stream), or export with "
                "batch_size=1 to run streams and clips one by one."
            )

    def _invoke(self, frame: np.ndarray, states: Mapping[str, np.ndarray]
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        outputs = self._runner(**{IMAGE_INPUT: frame}, **states)
        return outputs[LOGITS_OUTPUT], {name: outputs[name] for name in self.state_names}

    # ------------------------------------------------------------------ stateful
    def reset(self) -> None:
        """Forget the streams; the next ``step`` starts from zero states."""
        self._states = None

    def step(self, frames: Any) -> np.ndarray:
        """Feed one frame per stream, uint8 ``(B, H, W, C)``; return logits ``(B, n)``.

        Args:
            frames: one uint8 frame per stream ``(B, H, W, C)``; ``B`` must stay the same
                until :meth:`reset`.
        """
        frames = check_frames(frames, self.frame_shape, "frames", leading=1)
        if self._states is None:
            self._states = self.init_states(len(frames))
        held = len(next(iter(self._states.values())))
        if held != len(frames):
            raise ValueError(
                f"frames holds {len(frames)} stream(s) but the states hold {held}; call "
                "reset() before changing the number of streams."
            )
        logits, self._states = self.step_fn(frames, self._states)
        return logits

    # --------------------------------------------------------------------- clips
    def predict_clips(self, clips: Any, progress: Callable[[int], None] | None = None,
                      preceding: Any = None) -> np.ndarray:
        """Per-frame logits ``(N, T, n_classes)`` of uint8 clips ``(N, T, H, W, C)``.

        Each clip starts from zero states ("cold"), or, given ``preceding`` uint8 frames
        ``(N, T0, H, W, C)``, from the states they leave ("warm", their logits dropped), as
        :meth:`streamnets.streaming.StreamingModel.predict_clips`. ``progress(i)`` is
        called after clip ``i`` (for a progress bar).

        Args:
            clips: uint8 clips ``(N, T, H, W, C)`` of the model's frame shape.
            progress: called with each clip's index once it is done; ``None`` for none.
            preceding: ``None`` for cold starts, or uint8 frames ``(N, T0, H, W, C)``
                streamed before each clip to warm its states.

        Raises:
            ValueError: the export runs more than one stream per call.
        """
        clips = check_frames(clips, self.frame_shape, "clips", leading=2)
        self._check_one_stream_export("predict_clips streams one clip at a time")
        if preceding is not None:
            preceding = check_preceding(preceding, clips, self.frame_shape)
        out = []
        for index, clip in enumerate(clips):
            states = self.init_states()
            for frame in () if preceding is None else preceding[index]:
                _, states = self._invoke(frame[None], states)
            logits = []
            for frame in clip:
                frame_logits, states = self._invoke(frame[None], states)
                logits.append(frame_logits[0])
            out.append(np.stack(logits))
            if progress is not None:
                progress(index)
        return np.stack(out)

    def stream(self, clip: Any, decay: float = DEFAULT_DECAY
               ) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """Feed ``clip`` ``(T, H, W, C)`` frame by frame through the model and the smoother.

        Yields, after every frame, ``(probabilities, smoothed, prediction)``: this frame's
        softmax, the accumulated evidence ``P_t`` normalized to sum to 1, and ``argmax P_t``
        (what a live application would display).

        Args:
            clip: one uint8 clip ``(T, H, W, C)``, streamed from zero states.
            decay: the smoother's decay factor in ``[0, 1]``
                (:class:`~streamnets.smoothing.DecaySmoother`).
        """
        clip = check_frames(clip, self.frame_shape, "clip", leading=1)
        self._check_one_stream_export("stream runs one clip")
        smoother = DecaySmoother(decay)
        states = self.init_states()
        for frame in clip:
            logits, states = self._invoke(frame[None], states)
            prediction = int(smoother.update(logits)[0])
            evidence = smoother.state[0]
            yield softmax(logits[0]), evidence / evidence.sum(), prediction


class LiteRTClipRunner:
    """Run a :func:`convert_clip_litert` model: uint8 clips ``(1, T, H, W, C)`` in,
    per-frame logits ``(1, T, n_classes)`` out.

    Args:
        model: the flatbuffer from :func:`convert_clip_litert`.
        num_threads: CPU threads the interpreter may use; ``None`` leaves the choice to
            LiteRT.
    """

    def __init__(self, model: bytes, num_threads: int | None = None) -> None:
        self.interpreter = litert_interpreter()(model_content=model, num_threads=num_threads)
        self.interpreter.allocate_tensors()
        self._input = self.interpreter.get_input_details()[0]["index"]
        self._output = self.interpreter.get_output_details()[0]["index"]

    def __call__(self, clip: np.ndarray) -> np.ndarray:
        self.interpreter.set_tensor(self._input, clip)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output)

    def predict_clips(self, clips: np.ndarray) -> np.ndarray:
        """Per-frame logits ``(N, T, n_classes)`` of clips ``(N, T, H, W, C)``, one by one.

        Args:
            clips: clips of the converted length and frame shape, cast to uint8.
        """
        return np.concatenate([self(np.asarray(clip[None], np.uint8)) for clip in clips])


# --------------------------------------------------------------------------- inspection


def litert_ops(model: str | os.PathLike | bytes) -> dict[str, int]:
    """How many times each operator occurs in a ``.tflite`` (what a runtime must support).

    Args:
        model: the flatbuffer as bytes, or the path of a ``.tflite`` file.

    Returns:
        Op name (e.g. ``"CONV_2D"``) -> count.
    """
    source = {"model_content": model} if isinstance(model, bytes) else {"model_path": str(model)}
    interpreter = litert_interpreter()(**source)
    counts: dict[str, int] = {}
    for op in interpreter._get_ops_details():
        counts[op["op_name"]] = counts.get(op["op_name"], 0) + 1
    return counts


def float_ops(model: bytes) -> dict[str, int]:
    """How many ops of each kind compute in float32 (their quantize and dequantize aside).

    In an int8 export these are the ops LiteRT has no int8 kernel for, which the converter
    leaves in float between a dequantize and a quantize (``CONV_3D`` is one).

    Args:
        model: the flatbuffer as bytes; an op counts when its first input is float32.

    Returns:
        Op name -> count of its float32 occurrences.
    """
    from ai_edge_litert.interpreter import OpResolverType  # optional extra, as above

    interpreter = litert_interpreter()(
        model_content=model,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    dtypes = {detail["index"]: detail["dtype"] for detail in interpreter.get_tensor_details()}
    counts: dict[str, int] = {}
    for op in interpreter._get_ops_details():
        name = op["op_name"]
        if name not in ("QUANTIZE", "DEQUANTIZE") and dtypes[op["inputs"][0]] == np.float32:
            counts[name] = counts.get(name, 0) + 1
    return counts


def state_scales(model: str | os.PathLike | bytes) -> dict[str, tuple[float, float]]:
    """Per state of an int8 export: the int8 scale of its input and of its output.

    The states cross the interface as float32 and are quantized inside. When the two
    scales of a state are equal (LiteRT gives a concatenation one scale for its inputs and
    output), a state goes out and back in with no rounding: the float interface then costs
    memory and two conversions per frame, not accuracy.

    Args:
        model: an int8 export (:func:`convert_litert` with calibration), as bytes or the
            path of a ``.tflite`` file.

    Returns:
        State name -> ``(input scale, output scale)``.

    Raises:
        ValueError: the model has no quantized states (not an int8 export).
    """
    runner = LiteRTRunner(model)
    interpreter = runner.interpreter
    tensors = {detail["index"]: detail for detail in interpreter.get_tensor_details()}
    inputs = {detail["index"]: name for name, detail in
              runner._runner.get_input_details().items() if name in runner.state_names}
    outputs = {detail["index"]: name for name, detail in
               runner._runner.get_output_details().items() if name in runner.state_names}
    scale_in: dict[str, float] = {}
    scale_out: dict[str, float] = {}
    for op in interpreter._get_ops_details():
        source, target = op["inputs"][0], op["outputs"][0]
        if op["op_name"] == "QUANTIZE" and source in inputs:
            scale_in[inputs[source]] = float(tensors[target]["quantization"][0])
        if op["op_name"] == "DEQUANTIZE" and target in outputs:
            scale_out[outputs[target]] = float(tensors[source]["quantization"][0])
    if not scale_in:
        raise ValueError("the model has no quantized states: it is not an int8 export.")
    return {name: (scale_in[name], scale_out[name]) for name in runner.state_names}
