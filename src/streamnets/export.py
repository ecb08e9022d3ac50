"""Export the streaming model: LiteRT (float or full-integer int8) and Akida (optional).

**LiteRT.** The exported ``.tflite`` is the explicit-state streaming step of
:mod:`streamnets.streaming`, one frame per call, with MoViNet's signature convention:
``serving_default`` takes a uint8 frame ``image`` ``(1, H, W, 3)`` and one float32 input
per FIFO state, and returns ``logits`` ``(1, n_classes)`` plus, for every state input, an
output of the same name holding the updated state. Any runtime can therefore loop
``outputs = run(image=frame, **states); states = {k: outputs[k] for k in states}``, and
nothing but the ``.tflite`` and its ``metadata.json`` is needed to deploy it.

The int8 model quantizes every weight (per output channel) and every activation (per
tensor) to 8 bits; its calibration set is (frame, states) pairs recorded from real
streaming runs (see :mod:`streamnets.quantize`). Its image input is uint8 natively; its
states stay float32 at the interface and are quantized inside. That keeps the loop above
identical for both models and needs no rescaling between a state output and the next
state input, whose int8 scales the converter calibrates separately.

**Akida** (extra ``streamnets[akida]``): the model rebuilt in BrainChip's tf_keras form
(:mod:`streamnets.brainchip`), quantized to 8 bits by ``quantizeml`` and converted by
``cnn2snn``; the result is saved as ``model.fbz``.

Every export writes into a temporary folder next to the destination and renames it into
place at the end, so a failure leaves no partial artifact behind. :func:`add_export`
registers the ``streamnets export`` command.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from streamnets.smoothing import DEFAULT_DECAY, DecaySmoother, softmax

if TYPE_CHECKING:
    from streamnets.quantize import CalibrationSet

#: The signature every exported LiteRT model carries, and its fixed tensor names.
SIGNATURE = "serving_default"
IMAGE_INPUT = "image"
LOGITS_OUTPUT = "logits"
#: What ``streamnets export --format`` accepts.
FORMATS: tuple[str, ...] = ("litert", "litert-int8", "akida")
MODEL_FILES = {"litert": "model.tflite", "litert-int8": "model.tflite", "akida": "model.fbz"}
METADATA_FILE = "metadata.json"
C_ARRAY_FILE = "model_data.h"
LITERT_HINT = 'pip install "streamnets[litert]"'


# --------------------------------------------------------------------------- checks


def check_frames(frames: Any, frame_shape: Sequence[int], argument: str = "frames",
                 leading: int = 1) -> np.ndarray:
    """``frames`` as a uint8 array shaped ``(*leading axes, H, W, C)``, or a clear error.

    Models take raw 0..255 pixels; a float array here usually means the frames were
    already scaled, which the model would then scale a second time, so it is refused.
    """
    array = np.asarray(frames)
    frame_shape = tuple(int(size) for size in frame_shape)
    if array.dtype != np.uint8:
        raise ValueError(
            f"{argument} must be uint8 pixels (0..255), got dtype {array.dtype}; convert "
            "with np.clip(x, 0, 255).astype(np.uint8) if they are unscaled pixel values."
        )
    if array.ndim != leading + len(frame_shape) or tuple(array.shape[leading:]) != frame_shape:
        expected = ("N", "T")[2 - leading:] + frame_shape
        raise ValueError(
            f"{argument} must have shape ({', '.join(map(str, expected))}), got {array.shape}."
        )
    return array


# --------------------------------------------------------------------------- LiteRT


def litert_interpreter() -> Any:
    """LiteRT's ``Interpreter`` class, or an ImportError that says how to install it."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as error:
        raise ImportError(
            f"Running LiteRT models needs the 'ai-edge-litert' package: {LITERT_HINT}"
        ) from error
    return Interpreter


def _serving_module(stream: Any) -> Any:
    """A ``tf.Module`` whose signature is the exported one (uint8 image, named states).

    The module tracks the variables the step reads directly, so that the converter
    freezes them into constants (reached only through the stream's Keras layers, they
    stayed resource variables that the converted model read uninitialized). The stream's
    frames are float, so the uint8 image is cast inside.
    """
    import tensorflow as tf

    image_spec = tf.TensorSpec((1, *stream.frame_shape), tf.uint8, name=IMAGE_INPUT)
    state_specs = {
        name: tf.TensorSpec((1, *spec.shape[1:]), spec.dtype, name=name)
        for name, spec in stream.state_specs().items()
    }
    if not state_specs:
        raise ValueError(
            "the streaming model has no FIFO state: a model without temporal convolutions "
            "needs no streaming export (export it as a plain per-frame model instead)."
        )
    if IMAGE_INPUT in state_specs or LOGITS_OUTPUT in state_specs:
        raise ValueError(f"a state may not be named {IMAGE_INPUT!r} or {LOGITS_OUTPUT!r}.")

    def serve(image: tf.Tensor, states: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        logits, new_states = stream.step_fn(tf.cast(image, stream.frames_spec().dtype), states)
        return {LOGITS_OUTPUT: logits, **new_states}

    module = tf.Module()
    module.weights = list(stream.step_fn.get_concrete_function().variables)
    module.serve = tf.function(serve, input_signature=[image_spec, state_specs])
    return module


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Silence TensorFlow's Python logger (INFO lines of SavedModel writing, retracing
    warnings from third-party layers) for the duration of the block."""
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def litert_converter(stream: Any) -> Iterator[Any]:
    """A ``TFLiteConverter`` for ``stream``'s step, saved as a SavedModel with a signature.

    Converting from a SavedModel (not from bare concrete functions) is what keeps the
    ``serving_default`` signature, whose input names the int8 calibration data is keyed by.
    The SavedModel lives in a temporary folder for the duration of the ``with`` block.
    """
    import tensorflow as tf

    module = _serving_module(stream)
    with tempfile.TemporaryDirectory(prefix="streamnets-savedmodel-") as folder:
        with quiet_tensorflow():
            tf.saved_model.save(module, folder, signatures={SIGNATURE: module.serve})
        yield tf.lite.TFLiteConverter.from_saved_model(folder, signature_keys=[SIGNATURE])


def convert_litert(stream: Any, calibration: CalibrationSet | None = None) -> bytes:
    """The ``.tflite`` flatbuffer of ``stream``'s step: float, or int8 given calibration pairs.

    Args:
        stream: a :class:`streamnets.streaming.StreamingModel`.
        calibration: ``None`` for a float model; for full-integer int8, the representative
            (frame, states) pairs from :func:`streamnets.quantize.calibration_pairs`.
    """
    from streamnets.quantize import configure_litert_int8

    with litert_converter(stream) as converter:
        if calibration is not None:
            configure_litert_int8(converter, calibration)
        return converter.convert()


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of the exported signature."""

    name: str
    shape: tuple[int, ...]
    dtype: str


class LiteRTRunner:
    """Stream clips through an exported ``.tflite`` with ``ai_edge_litert``, frame by frame.

    The signature is checked when the model is loaded: a uint8 ``image`` input, a
    ``logits`` output, and for every other input (a state) an output of the same name and
    shape. The runner holds no stream state itself: :meth:`step` takes and returns the
    states, and :meth:`predict_clip` starts each clip from zeros (= causal padding).
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
        self.state_names = tuple(name for name in self.inputs if name != IMAGE_INPUT)
        self.n_classes = self.outputs[LOGITS_OUTPUT].shape[-1]

    def _check_signature(self) -> None:
        image = self.inputs.get(IMAGE_INPUT)
        if image is None or image.dtype != "uint8" or len(image.shape) != 4 or image.shape[0] != 1:
            raise ValueError(
                f"the {SIGNATURE!r} signature needs a uint8 input {IMAGE_INPUT!r} of shape "
                f"(1, H, W, C); it has {image}."
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

    def init_states(self) -> dict[str, np.ndarray]:
        """Zero states: the start of a stream (zeros in the FIFOs = causal zero padding)."""
        return {name: np.zeros(self.inputs[name].shape, self.inputs[name].dtype)
                for name in self.state_names}

    def step(self, frame: np.ndarray, states: Mapping[str, np.ndarray]
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One frame ``(H, W, C)`` uint8 in; logits ``(n_classes,)`` and the next states out."""
        frame = check_frames(frame, self.frame_shape, "frame", leading=0)
        missing = set(self.state_names) - set(states)
        if missing:
            raise ValueError(f"states is missing {sorted(missing)}; start from init_states().")
        outputs = self._runner(**{IMAGE_INPUT: frame[None]},
                               **{name: states[name] for name in self.state_names})
        return outputs[LOGITS_OUTPUT][0], {name: outputs[name] for name in self.state_names}

    def predict_clip(self, clip: np.ndarray) -> np.ndarray:
        """Per-frame logits ``(T, n_classes)`` of one clip ``(T, H, W, C)``, from zero states."""
        clip = check_frames(clip, self.frame_shape, "clip", leading=1)
        states = self.init_states()
        logits = []
        for frame in clip:
            frame_logits, states = self.step(frame, states)
            logits.append(frame_logits)
        return np.stack(logits)

    def predict_clips(self, clips: np.ndarray, progress: Callable[[int], None] | None = None
                      ) -> np.ndarray:
        """Per-frame logits ``(N, T, n_classes)`` of clips ``(N, T, H, W, C)``, each from zeros.

        ``progress(i)`` is called after clip ``i`` (for a progress bar).
        """
        clips = check_frames(clips, self.frame_shape, "clips", leading=2)
        out = []
        for index, clip in enumerate(clips):
            out.append(self.predict_clip(clip))
            if progress is not None:
                progress(index)
        return np.stack(out)

    def stream(self, clip: np.ndarray, decay: float = DEFAULT_DECAY
               ) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """Feed ``clip`` frame by frame through the model and the decay smoother.

        Yields, after every frame, ``(probabilities, smoothed, prediction)``: this frame's
        softmax, the accumulated evidence ``P_t`` normalized to sum to 1, and ``argmax P_t``
        (what a live application would display).
        """
        clip = check_frames(clip, self.frame_shape, "clip", leading=1)
        smoother = DecaySmoother(decay)
        states = self.init_states()
        for frame in clip:
            logits, states = self.step(frame, states)
            prediction = int(smoother.update(logits[None])[0])
            evidence = smoother.state[0]
            yield softmax(logits), evidence / evidence.sum(), prediction


def _tensor_infos(details: Mapping[str, Mapping[str, Any]]) -> dict[str, TensorInfo]:
    return {
        name: TensorInfo(name, tuple(int(s) for s in detail["shape"]),
                         np.dtype(detail["dtype"]).name)
        for name, detail in details.items()
    }


def litert_ops(model: str | os.PathLike | bytes) -> dict[str, int]:
    """How many times each operator occurs in a ``.tflite`` (what a runtime must support)."""
    interpreter = LiteRTRunner(model).interpreter
    counts: dict[str, int] = {}
    for op in interpreter._get_ops_details():
        counts[op["op_name"]] = counts.get(op["op_name"], 0) + 1
    return counts


def state_scales(model: str | os.PathLike | bytes) -> dict[str, tuple[float, float]]:
    """Per state of an int8 export: the int8 scale of its input and of its output.

    The states cross the interface as float32 and are quantized inside. When the two
    scales of a state are equal (LiteRT gives a concatenation one scale for its inputs and
    output), a state goes out and back in with no rounding: the float interface then costs
    memory and two conversions per frame, not accuracy.
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


def c_array(model: bytes, name: str = "g_streamnets_model") -> str:
    """The model as a C header (for microcontroller runtimes that have no file system).

    The array is 16-byte aligned, as LiteRT for Microcontrollers expects of a flatbuffer.
    """
    if not name.isidentifier():
        raise ValueError(f"name must be a C identifier, got {name!r}.")
    rows = (", ".join(f"0x{byte:02x}" for byte in model[i:i + 12])
            for i in range(0, len(model), 12))
    body = ",\n  ".join(rows)
    return (
        "// Generated by streamnets.export: the LiteRT flatbuffer as a C array.\n"
        "#pragma once\n\n"
        f"alignas(16) const unsigned char {name}[] = {{\n  {body}\n}};\n"
        f"const unsigned int {name}_len = {len(model)};\n"
    )


# --------------------------------------------------------------------------- artifacts


@contextlib.contextmanager
def staged_folder(out_dir: str | os.PathLike, force: bool = False) -> Iterator[Path]:
    """Write into a temporary sibling of ``out_dir``; move it into place on success.

    An existing ``out_dir`` is refused unless ``force``; with ``force`` it is replaced only
    once the new folder is complete. On any error the temporary folder is removed.
    """
    out = Path(out_dir)
    if out.exists() and not force:
        raise FileExistsError(
            f"output folder {out} already exists; choose another --out or pass --force "
            "to replace it."
        )
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder; refusing to replace it.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield staging
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_metadata(folder: str | os.PathLike) -> dict[str, Any]:
    """The ``metadata.json`` an export wrote next to its model."""
    path = Path(folder) / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {METADATA_FILE} in {folder}: not a streamnets export.")
    return json.loads(path.read_text())


def _metadata(fmt: str, model_file: str, content: bytes, class_names: Sequence[str],
              decay: float, data: Mapping[str, Any], inputs: Mapping[str, TensorInfo],
              outputs: Mapping[str, TensorInfo], extra: Mapping[str, Any]) -> dict[str, Any]:
    from streamnets import __version__

    def spec(info: TensorInfo) -> dict[str, Any]:
        return {"shape": list(info.shape), "dtype": info.dtype}

    return {
        "format": fmt,
        "model_file": model_file,
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "streamnets_version": __version__,
        "class_names": list(class_names),
        "decay": decay,
        "smoothing": "P_0 = 0; P_t = decay * P_(t-1) + softmax(logits_t); class = argmax P_t",
        "data": dict(data),
        "inputs": {name: spec(inputs[name]) for name in sorted(inputs, key=_image_first)},
        "outputs": {name: spec(outputs[name]) for name in sorted(outputs, key=_image_first)},
        **extra,
    }


def _image_first(name: str) -> tuple[bool, str]:
    """Sort key: the frame and the logits before the states."""
    return (name not in (IMAGE_INPUT, LOGITS_OUTPUT), name)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    format: str
    folder: Path
    files: dict[str, int]
    """File name -> size in bytes."""
    metadata: dict[str, Any]

    def summary(self) -> str:
        """A few lines for a terminal: the folder, every file and its size."""
        lines = [f"{self.format} export in {self.folder}:"]
        lines += [f"  {name:16s} {size:>12,d} bytes" for name, size in sorted(self.files.items())]
        return "\n".join(lines)


def _check_class_names(class_names: Sequence[str], n_classes: int) -> list[str]:
    names = [str(name) for name in class_names]
    if len(names) != n_classes:
        raise ValueError(
            f"class_names has {len(names)} names but the model predicts {n_classes} classes."
        )
    return names


def _streaming(model: Any) -> Any:
    from streamnets.streaming import StreamingModel, to_streaming

    return model if isinstance(model, StreamingModel) else to_streaming(model)


def export_litert(
    model: Any,
    out_dir: str | os.PathLike,
    *,
    int8: bool,
    class_names: Sequence[str],
    calibration_clips: np.ndarray | None = None,
    decay: float = DEFAULT_DECAY,
    data: Mapping[str, Any] | None = None,
    write_c_array: bool = False,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> ExportResult:
    """Export ``model``'s streaming step to ``out_dir/model.tflite`` + ``metadata.json``.

    Args:
        model: a clip model (:func:`streamnets.models.gesture_net`) or its
            :class:`~streamnets.streaming.StreamingModel`.
        out_dir: the folder to create (refused if it exists, unless ``force``).
        int8: full-integer int8 (needs ``calibration_clips``) instead of float32.
        class_names: one name per logit, stored in the metadata.
        calibration_clips: uint8 clips ``(N, T, H, W, C)`` streamed to record the
            (frame, states) calibration pairs.
        decay: the decay factor a deployment should smooth with (metadata).
        data: where the training data came from (metadata), e.g. ``{"dataset":
            "synthetic", "version": 1}``.
        write_c_array: also write ``model_data.h`` (the model as a C array).
        force: replace an existing ``out_dir``.
        log: called with a line of progress at each stage.
    """
    from streamnets.quantize import calibration_pairs

    fmt = "litert-int8" if int8 else "litert"
    if int8 and calibration_clips is None:
        raise ValueError("an int8 export needs calibration_clips (uint8 clips (N, T, H, W, C)).")
    with staged_folder(out_dir, force) as staging:
        log("building the streaming step")
        stream = _streaming(model)
        logits_spec = stream.step_fn.get_concrete_function().structured_outputs[0]
        names = _check_class_names(class_names, int(logits_spec.shape[-1]))
        extra: dict[str, Any] = {}
        calibration = None
        if int8:
            log(f"recording calibration pairs from {len(calibration_clips)} clips")
            calibration = calibration_pairs(stream, calibration_clips)
            extra["quantization"] = {
                "weights": "int8, symmetric, per output channel",
                "activations": "int8, asymmetric, per tensor",
                "interface": "uint8 image in; float32 states and logits in/out",
                "calibration": {"clips": int(len(calibration_clips)),
                                "frame_state_pairs": len(calibration)},
            }
        log(f"converting to LiteRT ({'full-integer int8' if int8 else 'float32'})")
        content = convert_litert(stream, calibration)
        log("checking the exported signature")
        runner = LiteRTRunner(content)
        files = {MODEL_FILES[fmt]: content}
        if write_c_array:
            files[C_ARRAY_FILE] = c_array(content).encode()
        extra["runtime"] = {
            "signature": SIGNATURE,
            "loop": "out = run(image=frame, **states); states = {k: out[k] for k in states}",
            "initial_states": "zeros",
        }
        metadata = _metadata(fmt, MODEL_FILES[fmt], content, names, decay, data or {},
                             runner.inputs, runner.outputs, extra)
        files[METADATA_FILE] = (json.dumps(metadata, indent=2) + "\n").encode()
        for name, payload in files.items():
            (staging / name).write_bytes(payload)
    result = ExportResult(fmt, Path(out_dir), {n: len(p) for n, p in files.items()}, metadata)
    log(result.summary())
    return result


def export_akida(
    model: Any,
    out_dir: str | os.PathLike,
    *,
    class_names: Sequence[str],
    calibration_clips: np.ndarray | None = None,
    quantized: Any = None,
    decay: float = DEFAULT_DECAY,
    data: Mapping[str, Any] | None = None,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> ExportResult:
    """Quantize ``model`` with quantizeml, convert it with cnn2snn, save ``model.fbz``.

    Needs the extra ``streamnets[akida]``. Pass ``calibration_clips`` (uint8 ``(N, T, H,
    W, C)``) to quantize here, or ``quantized``, ``model``'s result of
    :func:`streamnets.quantize.quantize_brainchip`, to convert that one. The saved model
    takes one uint8 frame ``(H, W, C)`` per step; one ``akida.Model`` instance is one
    stream (a batch of frames is consumed as consecutive frames) and has no reset: load a
    fresh instance per clip.
    """
    from streamnets.brainchip import require_akida_extra
    from streamnets.quantize import quantize_brainchip

    cnn2snn = require_akida_extra()["cnn2snn"]
    if (calibration_clips is None) == (quantized is None):
        raise ValueError("pass exactly one of calibration_clips (to quantize) and quantized.")
    n_classes = int(model.output.shape[-1])
    names = _check_class_names(class_names, n_classes)
    with staged_folder(out_dir, force) as staging:
        if quantized is None:
            log(f"quantizing to 8 bits with quantizeml ({len(calibration_clips)} clips)")
            quantized = quantize_brainchip(model, calibration_clips)
        log("converting to an Akida model with cnn2snn")
        akida_model = cnn2snn.convert(quantized)
        path = staging / MODEL_FILES["akida"]
        akida_model.save(str(path))
        content = path.read_bytes()
        frame_shape = tuple(int(s) for s in model.input.shape[2:])
        inputs = {IMAGE_INPUT: TensorInfo(IMAGE_INPUT, frame_shape, "uint8")}
        outputs = {LOGITS_OUTPUT: TensorInfo(LOGITS_OUTPUT, (1, 1, n_classes), "float32")}
        extra = {
            "quantization": {
                "tool": "quantizeml",
                "weights": "8-bit per output channel",
                "activations": "8-bit per tensor, power-of-two ranges",
                "calibration": "uint8 training frames, time-major, batch size = clips",
            },
            "runtime": {
                "load": f"akida.Model('{MODEL_FILES['akida']}')",
                "loop": "logits = model.predict(frames) for uint8 frames (n, H, W, C) "
                "consumed in order; the FIFOs live inside the model",
                "new_stream": "load a fresh instance (there is no reset)",
            },
        }
        metadata = _metadata("akida", MODEL_FILES["akida"], content, names, decay, data or {},
                             inputs, outputs, extra)
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
        files = {p.name: p.stat().st_size for p in staging.iterdir()}
    result = ExportResult("akida", Path(out_dir), files, metadata)
    log(result.summary())
    return result


# --------------------------------------------------------------------------- CLI

#: Calibration clips the CLI takes from the start of the synthetic training stream.
DEFAULT_CALIBRATION_CLIPS = 64


def add_export(subparsers: Any) -> None:
    """``streamnets export --format litert|litert-int8|akida --out DIR``."""
    parser = subparsers.add_parser(
        "export",
        help="export the streaming model: LiteRT float / int8, or Akida",
        description="Export a trained gesture model for deployment: a LiteRT flatbuffer "
        "of the per-frame streaming step (float32 or full-integer int8, states as named "
        "inputs/outputs) or an Akida model (needs streamnets[akida]), with a "
        "metadata.json that says how to run it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--format", choices=FORMATS, required=True,
                        help="litert: float32 .tflite; litert-int8: full-integer int8 .tflite; "
                        "akida: quantizeml 8-bit + cnn2snn .fbz")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder to create (refused if it exists, unless --force)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out folder")
    parser.add_argument(
        "--weights", default="synthetic",
        help="a pretrained name, a '.weights.h5' from 'streamnets train' (with its model "
        "card next to it), or BrainChip's tf_keras '.h5'",
    )
    parser.add_argument("--calibration-clips", type=int, default=DEFAULT_CALIBRATION_CLIPS,
                        help="synthetic training clips used to calibrate 8-bit models")
    parser.add_argument("--decay", type=float, default=DEFAULT_DECAY,
                        help="decay factor written to the metadata for the smoother")
    parser.add_argument("--c-array", action="store_true",
                        help="LiteRT only: also write model_data.h (the model as a C array)")
    parser.add_argument("--frames", type=int, default=16,
                        help="frames per clip, for BrainChip '.h5' weights")
    parser.add_argument("--size", type=int, default=100,
                        help="height = width of every frame, for BrainChip '.h5' weights")
    parser.set_defaults(func=run_export)


def _data_of(weights: str) -> dict[str, Any]:
    from streamnets import models

    if weights in models.pretrained_names():
        return dict(models.model_card(weights).get("data", {}))
    card = Path(weights[: -len(".weights.h5")] + ".json") if weights.endswith(
        ".weights.h5") else None
    if card is not None and card.is_file():
        return dict(json.loads(card.read_text()).get("data", {}))
    return {}


def _class_names(n_classes: int) -> list[str]:
    from streamnets.data import JESTER_CLASSES

    if n_classes == len(JESTER_CLASSES):
        return list(JESTER_CLASSES)
    return [f"class_{index}" for index in range(n_classes)]


def run_export(args: argparse.Namespace) -> int:
    """Load the model, export it in ``--format`` to ``--out``, print what was written."""
    from streamnets.cli import load_model_for_evaluation

    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.1f} s] {message}", flush=True)

    try:
        if args.out.exists() and not args.force:
            raise FileExistsError(
                f"--out {args.out} already exists; pass --force to replace it."
            )
        if args.format == "akida":
            from streamnets.brainchip import require_akida_extra

            require_akida_extra()
        if args.c_array and args.format == "akida":
            raise ValueError("--c-array applies to LiteRT formats only.")
        log(f"loading weights {args.weights!r}")
        model = load_model_for_evaluation(args.weights, args.frames, args.size)
        common = {
            "class_names": _class_names(int(model.output.shape[-1])),
            "decay": args.decay,
            "data": _data_of(args.weights),
            "force": args.force,
            "log": log,
        }
        calibration = None
        if args.format in ("litert-int8", "akida"):
            calibration = calibration_clips(args.calibration_clips,
                                            tuple(model.input.shape[1:4]), log)
        if args.format == "akida":
            export_akida(model, args.out, calibration_clips=calibration, **common)
        else:
            export_litert(model, args.out, int8=args.format == "litert-int8",
                          calibration_clips=calibration, write_c_array=args.c_array, **common)
    except (ImportError, FileExistsError) as error:
        print(f"streamnets export: error: {error}", file=sys.stderr)
        return 2
    return 0


def calibration_clips(num_clips: int, clip_shape: Sequence[int],
                      log: Callable[[str], None] = lambda message: None) -> np.ndarray:
    """The first ``num_clips`` clips of the synthetic training stream, uint8 ``(N, T, H, W, 3)``.

    Training clips, as in BrainChip's recipe: calibration must see the inputs the model
    was trained for, and the test clips stay untouched for scoring.
    """
    from streamnets.data import synthetic_dataset

    frames, size, width = (int(s) for s in clip_shape)
    if size != width:
        raise ValueError(f"synthetic clips are square; the model takes {size}x{width} frames.")
    if not isinstance(num_clips, int) or num_clips < 1:
        raise ValueError(f"--calibration-clips must be an int >= 1, got {num_clips!r}.")
    log(f"rendering {num_clips} synthetic calibration clips ({frames}x{size}x{size})")
    dataset = synthetic_dataset("train", batch_size=num_clips, num_clips=num_clips,
                                frames=frames, size=size)
    clips, _ = next(iter(dataset))
    return clips.numpy()
