"""MoViNet-A0-Stream beside our model: built, exported and converted as TF Model Garden
does, then timed per frame in turn with ours, in one run.

MoViNet (``official/projects/movinet`` in the TF Model Garden, package
``tf-models-official``) is the reference streaming video architecture. Its Model Garden
README describes the mobile streaming variant: causal, ``2plus1d`` convolutions,
``2plus3d`` squeeze-excite, hard-swish, states as explicit inputs and outputs, one frame
per call. :func:`export_movinet_stream` calls Model Garden's own export with exactly those
settings; :func:`convert_movinet` converts the saved model to LiteRT float, or to full int8
with Model Garden's own quantization settings and a representative set whose states are
carried from frame to frame, as Model Garden's ``quantize_movinet`` tool builds it.

The weights are random: this compares cost, never accuracy (MoViNet's published accuracy
is on Kinetics, ours on Jester; they cannot be compared). ``tf-models-official`` pulls
about 130 packages and pins protobuf against our book's set, so it lives in its own
environment (``make env-peers``); importing this module without it raises
:class:`PeersUnavailable` with that instruction.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from streamnets.graph_costs import graph_costs
from streamnets.timing import environment, time_in_turn

#: Model Garden's README settings of MoViNet-A0-Stream for mobile (TF Lite) export.
MOVINET_STREAM: dict[str, Any] = {
    "model_id": "a0",
    "causal": True,
    "conv_type": "2plus1d",
    "se_type": "2plus3d",
    "activation": "hard_swish",
    "gating_activation": "hard_sigmoid",
    "use_positional_encoding": False,
}
#: MoViNet's published input size, and ours.
SIZES = (172, 100)
SIGNATURE = "serving_default"
#: The record of ``benchmarks/bench_peers.py`` shipped with the package, so that a book
#: built without the peers environment (CI, Colab) still shows a measured comparison.
REFERENCE = "peers.json"


class PeersUnavailable(ImportError):
    """``tf-models-official`` is not installed in this environment."""


def _model_garden() -> Any:
    try:
        from official.projects.movinet.tools import export_saved_model
    except ImportError as error:
        raise PeersUnavailable(
            "MoViNet comes from TF Model Garden (tf-models-official), which is not installed "
            "here: run `make env-peers` and use .venv-peers/bin/python (it conflicts with the "
            f"book's pinned set, so it has its own environment). ({error})") from error
    return export_saved_model


def export_movinet_stream(out_dir: str | os.PathLike, image_size: int = 172,
                          num_classes: int = 27) -> Path:
    """Export MoViNet-A0-Stream (random weights) as a one-frame saved model.

    Args:
        out_dir: the saved-model folder to create; it must not exist. Written next to it
            first and renamed, so a failed export leaves nothing behind.
        image_size: the square frame side in pixels.
        num_classes: classifier outputs (27 to match Jester).
    """
    export = _model_garden()
    out = Path(out_dir)
    if out.exists():
        raise FileExistsError(f"{out} exists; remove it or choose another folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        export.build_and_export_saved_model(
            export_path=str(staging / "model"), num_classes=num_classes,
            input_shape=(1, 1, image_size, image_size, 3), bundle_input_init_states_fn=False,
            **MOVINET_STREAM)
        (staging / "model").rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


class SavedModelStep:
    """One frame per call through a saved model's signature, states carried.

    Calling the step with a frame returns its logits and keeps the new states for the
    next call; :meth:`reset` starts a new stream.

    Args:
        saved_model: the folder :func:`export_movinet_stream` wrote; its
            ``serving_default`` signature takes ``image`` and the states, and returns
            ``logits`` and the next states.
    """

    def __init__(self, saved_model: str | os.PathLike) -> None:
        import tensorflow as tf

        self._loaded = tf.saved_model.load(str(saved_model))
        self._signature = self._loaded.signatures[SIGNATURE]
        specs = self._signature.structured_input_signature[1]
        self.image_shape = tuple(specs["image"].shape)
        self._zeros = {name: tf.zeros(spec.shape, spec.dtype)
                       for name, spec in specs.items() if name != "image"}
        self.params = int(sum(np.prod(v.shape) for v in self._loaded.variables))
        self.reset()

    def reset(self) -> None:
        """Start a new stream from zero states."""
        self.states = dict(self._zeros)

    def inputs(self, frame: np.ndarray) -> dict[str, Any]:
        """The signature's inputs for ``frame`` with the current states.

        Args:
            frame: one float32 frame in [0, 1] shaped ``(1, 1, H, W, 3)``, as
                :func:`movinet_frames` yields them.
        """
        return {"image": frame, **self.states}

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        outputs = self._signature(**self.inputs(frame))
        self.states = {name: outputs[name] for name in self._zeros}
        return outputs["logits"].numpy()


class LiteRTStep:
    """One frame per call through a LiteRT signature, states carried by name.

    A full-int8 model's image input is int8: frames are quantized with its scale.

    Args:
        model: the LiteRT flatbuffer, e.g. from :func:`convert_movinet`, with a
            ``serving_default`` signature taking ``image`` and the states.
        num_threads: CPU threads the LiteRT interpreter may use.
    """

    def __init__(self, model: bytes, num_threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._runner = Interpreter(model_content=model, num_threads=num_threads
                                   ).get_signature_runner(SIGNATURE)
        details = self._runner.get_input_details()
        self._image = details["image"]
        self._zeros = {name: np.zeros(d["shape"], d["dtype"])
                       for name, d in details.items() if name != "image"}
        self.reset()

    def reset(self) -> None:
        """Start a new stream from zero states."""
        self.states = dict(self._zeros)

    def _frame(self, frame: np.ndarray) -> np.ndarray:
        dtype = self._image["dtype"]
        if dtype == np.float32:
            return frame.astype(np.float32)
        scale, zero = self._image["quantization"]
        info = np.iinfo(dtype)
        return np.clip(np.round(frame / scale + zero), info.min, info.max).astype(dtype)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        outputs = self._runner(image=self._frame(frame), **self.states)
        self.states = {name: outputs[name] for name in self._zeros}
        return outputs["logits"]


def movinet_frames(count: int, image_size: int, seed: int = 0) -> np.ndarray:
    """``count`` frames of synthetic gesture clips, float32 in [0, 1], each shaped
    ``(1, 1, H, W, 3)`` as MoViNet's one-frame signature takes them.

    Args:
        count: the number of frames; they are cut from consecutive 16-frame clips.
        image_size: the square frame side ``H = W`` in pixels.
        seed: the seed of the first clip (the next ones use ``seed + 1``, ...).

    Returns:
        An array ``(count, 1, 1, H, W, 3)`` float32.
    """
    from streamnets.data import synthetic_clip

    clips = [synthetic_clip(i % 25, seed + i, frames=16, size=image_size)
             for i in range(-(-count // 16))]
    frames = np.concatenate(clips)[:count].astype(np.float32) / 255.0
    return frames[:, None, None]


def _representative(step: SavedModelStep, frames: np.ndarray
                    ) -> Iterator[dict[str, np.ndarray]]:
    """Model Garden's stateful representative set: every frame with the states before it."""
    step.reset()
    for frame in frames:
        inputs = {k: np.asarray(v) for k, v in step.inputs(frame).items()}
        step(frame)
        yield inputs


def convert_movinet(saved_model: str | os.PathLike, int8: bool = False,
                    calibration_frames: np.ndarray | None = None) -> bytes:
    """LiteRT flatbuffer of an exported MoViNet stream: float32, or full int8.

    Args:
        saved_model: the folder :func:`export_movinet_stream` wrote.
        int8: full-integer int8 (int8 inputs, outputs and states), as Model Garden's
            ``quantize_movinet`` tool sets the converter.
        calibration_frames: frames from :func:`movinet_frames`, streamed with carried
            states for the representative set (needed for ``int8``).
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    if int8:
        if calibration_frames is None or not len(calibration_frames):
            raise ValueError("int8 conversion needs calibration_frames (movinet_frames).")
        step = SavedModelStep(saved_model)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: _representative(step, calibration_frames)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def max_relative_difference(reference: SavedModelStep, candidate: LiteRTStep,
                            frames: np.ndarray) -> float:
    """Largest per-frame logit difference over a stream, relative to the logits' range.

    Both steps are reset first, then fed the same frames in order.

    Args:
        reference: the saved model's step, whose logits are the truth; each frame's
            difference is divided by the range (max - min) of its logits.
        candidate: the converted model's step.
        frames: the stream, frames shaped as :func:`movinet_frames` returns them.

    Returns:
        The worst frame's largest absolute logit difference over the reference range.
    """
    reference.reset()
    candidate.reset()
    worst = 0.0
    for frame in frames:
        want = np.asarray(reference(frame), np.float64)
        got = np.asarray(candidate(frame), np.float64)
        span = float(np.ptp(want)) or 1.0
        worst = max(worst, float(np.abs(want - got).max()) / span)
    return worst


#: LiteRT float must reproduce the saved model before it is timed.
FLOAT_TOLERANCE = 1e-4


def _ours(image_size: int, workdir: Path, calibration_clips: int) -> dict[str, Any]:
    """Our streaming step at ``image_size``: Keras compiled step, LiteRT float and int8."""
    import tensorflow as tf

    from streamnets.data import synthetic_clip
    from streamnets.litert import LiteRTRunner, convert_litert
    from streamnets.models import gesture_net
    from streamnets.quantize import calibration_pairs
    from streamnets.streaming import to_streaming

    model = gesture_net((16, image_size, image_size, 3))
    stream = to_streaming(model)
    clips = np.stack([synthetic_clip(i % 25, 900 + i, frames=16, size=image_size)
                      for i in range(calibration_clips)])
    models = {"float": convert_litert(stream),
              "int8": convert_litert(stream, calibration_pairs(stream, clips))}
    for kind, content in models.items():
        (workdir / f"ours_{image_size}_{kind}.tflite").write_bytes(content)
    frame = clips[0, :1]
    holder = {"states": stream.init_states(1)}

    def keras_step(x: tf.Tensor) -> Any:
        logits, holder["states"] = stream.compiled_step(x, holder["states"])
        return logits

    runners = {kind: LiteRTRunner(content, num_threads=1) for kind, content in models.items()}
    paths = {"tf_function": (keras_step, tf.constant(frame, tf.float32)),
             **{f"litert_{kind}": (runner.step, frame) for kind, runner in runners.items()}}
    return {"params": model.count_params(), "models": models, "paths": paths}


def _movinet(image_size: int, workdir: Path, calibration_frames: int) -> dict[str, Any]:
    saved = export_movinet_stream(workdir / f"movinet_a0_stream_{image_size}", image_size)
    frames = movinet_frames(max(calibration_frames, 8), image_size)
    models = {"float": convert_movinet(saved),
              "int8": convert_movinet(saved, int8=True, calibration_frames=frames)}
    step = SavedModelStep(saved)
    error = max_relative_difference(step, LiteRTStep(models["float"]), frames[:8])
    if error > FLOAT_TOLERANCE:
        raise AssertionError(
            f"MoViNet's LiteRT float logits differ from its saved model's by {error:.2e} of "
            f"their range (tolerance {FLOAT_TOLERANCE}): the conversion is wrong, so its "
            "timing would mean nothing.")
    step.reset()
    paths = {"tf_function": (step, frames[0]),
             **{f"litert_{kind}": (LiteRTStep(content), frames[0])
                for kind, content in models.items()}}
    return {"params": step.params, "models": models, "paths": paths,
            "litert_float_max_relative_difference": error}


def peers_benchmark(sizes: tuple[int, ...] = SIZES, repeats: int = 21, rounds: int = 5,
                    calibration: int = 32, workdir: str | os.PathLike | None = None
                    ) -> dict[str, Any]:
    """Time MoViNet-A0-Stream's step and ours in turn, per size, batch 1, one thread.

    Args:
        sizes: square frame sides to compare at (MoViNet's 172 and our 100 by default).
        repeats: timed calls per measurement.
        rounds: times every path is timed, in turn with the others.
        calibration: representative frames for MoViNet's int8 (clips of 16 frames for
            ours: ``calibration // 16``, at least 4).
        workdir: where the saved models and ``.tflite`` files go (a temporary folder by
            default, removed afterwards).

    Returns:
        Per size and model: parameters, MACs per frame (counted from the float LiteRT
        graph by :func:`streamnets.graph_costs.graph_costs`), op counts, state count and
        bytes per stream, ms per frame for ``tf_function``, ``litert_float`` and
        ``litert_int8``, and the achieved GMAC/s of each.
    """
    temporary = workdir is None
    root = Path(tempfile.mkdtemp(prefix="streamnets-peers-") if temporary else workdir)
    root.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"environment": environment("tf-models-official",
                                                          "ai-edge-litert"),
                               "repeats": repeats, "rounds": rounds, "sizes": {}}
    try:
        for size in sizes:
            built = {"movinet_a0_stream": _movinet(size, root, calibration),
                     "ours": _ours(size, root, max(4, calibration // 16))}
            paths = {f"{name}/{path}": timed for name, entry in built.items()
                     for path, timed in entry["paths"].items()}
            seconds = time_in_turn(paths, repeats, rounds)
            results["sizes"][str(size)] = {
                name: _summary(name, entry, seconds) for name, entry in built.items()}
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
    return results


def _summary(name: str, entry: Mapping[str, Any], seconds: Mapping[str, list[float]]
             ) -> dict[str, Any]:
    float_costs = graph_costs(entry["models"]["float"])
    int8_costs = graph_costs(entry["models"]["int8"])
    ms = {path: 1000.0 * float(np.median(seconds[f"{name}/{path}"]))
          for path in entry["paths"]}
    summary = {
        "params": entry["params"],
        "macs_per_frame": float_costs.macs,
        "ops_float": float_costs.ops,
        "ops_int8": int8_costs.ops,
        "state_count": float_costs.state_count,
        "state_bytes_float": float_costs.state_bytes,
        "state_bytes_int8": int8_costs.state_bytes,
        "xnnpack_partitions": {"float": float_costs.xnnpack_partitions,
                               "int8": int8_costs.xnnpack_partitions},
        "ms_per_frame": ms,
        "gmacs_per_s": {path: float_costs.macs / (value / 1000.0) / 1e9
                        for path, value in ms.items()},
    }
    if "litert_float_max_relative_difference" in entry:
        summary["litert_float_max_relative_difference"] = entry[
            "litert_float_max_relative_difference"]
    return summary


def reference_result() -> dict[str, Any]:
    """The peers record shipped with the package (``streamnets/reference/peers.json``):
    a full ``bench_peers.py`` run, with the machine, load, date and commit it ran at."""
    text = resources.files("streamnets").joinpath("reference", REFERENCE).read_text()
    return json.loads(text)
