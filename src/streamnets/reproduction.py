"""Reproducing BrainChip's reference table on their Jester subset, with their weights.

BrainChip's tutorial ("Gesture recognition with spatiotemporal models") reports three numbers
for its pretrained model on its Jester validation subset (:data:`REFERENCE`). The chapters
switch to that data with one parameter, ``DATA = "jester-subset"`` (:data:`DATA_CHOICES`);
this module holds what they call: the real clips as BrainChip's ``get_data`` yields them,
the calibration samples their tutorial quantizes with, and :func:`reproduce`, which puts our
numbers for the same model, through our streaming and int8 path, beside theirs.

The calibration file holds frames ``(N, 100, 100, 3)`` uint8 that their tutorial passes to
``quantizeml.models.quantize(..., batch_size=100)``: rows are time-major (row ``t * B + b``
is stream ``b``'s frame ``t``), because the quantizer's FIFOs persist from one predict batch
to the next. :func:`calibration_streams` turns them back into clips, so the LiteRT export
records its (frame, states) pairs from the same streams, and
:func:`streamnets.quantize.quantize_brainchip` gets exactly their rows back.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from streamnets.smoothing import DEFAULT_DECAY, clip_accuracy, frame_accuracy

#: BrainChip's published results on their subset, in percent.
REFERENCE = {
    "frame_accuracy": 71.15,  # float model, every frame's own guess (frame-averaged)
    "clip_accuracy": 95.01,  # float, frame by frame, decay 0.8, read after the last frame
    "quantized_clip_accuracy": 94.64,  # 8-bit (quantizeml), same scoring
}
#: What the chapters' ``DATA`` parameter accepts.
DATA_CHOICES = ("synthetic", "jester-subset")
#: The rows of the table: what is scored, BrainChip's number (a key of REFERENCE), ours (a
#: field of Reproduction).
TABLE_ROWS = (
    ("float, frame-averaged", "frame_accuracy", "frame_accuracy"),
    ("float, streamed, decay {decay:g}", "clip_accuracy", "clip_accuracy"),
    ("8-bit, quantizeml", "quantized_clip_accuracy", "quantizeml_clip_accuracy"),
    ("8-bit, LiteRT int8 (ours)", "quantized_clip_accuracy", "litert_int8_clip_accuracy"),
)
#: Frames per calibration stream in BrainChip's samples (1,600 frames = 100 streams x 16).
CALIBRATION_FRAMES = 16


def check_data(data: str) -> str:
    """``data`` if it is one of :data:`DATA_CHOICES`, else a ``ValueError`` saying what is.

    Args:
        data: a chapter's ``DATA`` parameter: ``"synthetic"`` or ``"jester-subset"``.
    """
    if data not in DATA_CHOICES:
        raise ValueError(f"DATA must be one of {DATA_CHOICES}, got {data!r}: 'synthetic' runs "
                         "on rendered clips, 'jester-subset' downloads BrainChip's subset.")
    return data


def validation_clips(root: str | os.PathLike, num_clips: int | None = None,
                     batch_size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """All (or the first ``num_clips``) validation clips of BrainChip's subset at ``root``,
    uint8 ``(N, 16, 100, 100, 3)``, and their labels ``(N,)`` in
    :data:`~streamnets.data.JESTER_CLASSES` order.

    Args:
        root: the subset's folder (``tfrecords/`` and the CSVs), e.g. from
            :func:`streamnets.data.remote.jester_subset`.
        num_clips: read only the first records, ``>= 1``; ``None`` reads them all.
        batch_size: clips decoded per batch while reading (memory, not the result).
    """
    from streamnets.data.jester import jester_tfrecord_dataset

    batches = list(jester_tfrecord_dataset(root, "validation", batch_size=batch_size,
                                           num_clips=num_clips))
    if not batches:
        raise ValueError(f"the validation TFRecords under {root} hold no clips.")
    clips = np.concatenate([np.asarray(clips) for clips, _ in batches])
    labels = np.concatenate([np.asarray(labels) for _, labels in batches])
    return clips, labels


def load_calibration(path: str | os.PathLike) -> np.ndarray:
    """The frames of BrainChip's calibration ``.npz``: its arrays concatenated in file
    order, as their tutorial does, checked to be uint8 ``(N, H, W, 3)``; no pickles.

    Args:
        path: the ``jester_video_bs100.npz`` file (or any ``.npz`` of uint8 frames).

    Raises:
        ValueError: the file is unreadable, empty, or holds other arrays.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = [data[key] for key in data.files]
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable .npz of frames ({error}); delete it and "
                         "fetch it again (streamnets.data.remote.fetch).") from None
    if not arrays or any(a.dtype != np.uint8 or a.ndim != 4 or a.shape[-1] != 3
                         for a in arrays):
        found = [(a.dtype.name, a.shape) for a in arrays]
        raise ValueError(f"{path} must hold uint8 frames (N, H, W, 3), found {found}.")
    return np.concatenate(arrays)


def calibration_streams(frames: np.ndarray, frames_per_clip: int = CALIBRATION_FRAMES
                        ) -> np.ndarray:
    """Time-major calibration frames ``(T * B, H, W, C)`` as ``B`` clips ``(B, T, H, W, C)``:
    the inverse of :func:`streamnets.quantize.time_major`.

    Args:
        frames: time-major frames ``(T * B, H, W, C)``: row ``t * B + b`` is stream
            ``b``'s frame ``t``.
        frames_per_clip: ``T``, frames per stream (16 in BrainChip's samples); the row
            count must be a multiple of it.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or len(frames) == 0 or len(frames) % frames_per_clip:
        raise ValueError(f"calibration frames {frames.shape} cannot be cut into streams of "
                         f"{frames_per_clip} frames (need (T * B, H, W, C), T = "
                         f"{frames_per_clip}).")
    streams = len(frames) // frames_per_clip
    return frames.reshape(frames_per_clip, streams, *frames.shape[1:]).swapaxes(0, 1)


def quantizeml_available() -> bool:
    """True when BrainChip's quantizer (the ``akida`` extra) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("tf_keras", "quantizeml"))


@dataclass(frozen=True)
class Reproduction:
    """Our numbers on the subset (fractions; ``None`` where a path did not run)."""

    clips: int
    calibration_clips: int
    decay: float
    frame_accuracy: float
    clip_accuracy: float
    litert_int8_clip_accuracy: float
    quantizeml_clip_accuracy: float | None

    def table(self) -> list[dict[str, Any]]:
        """Rows ``{"result", "reference %", "ours %"}``, BrainChip's number beside ours."""
        rows = []
        for label, reference, field in TABLE_ROWS:
            value = getattr(self, field)
            rows.append({"result": label.format(decay=self.decay),
                         "reference %": REFERENCE[reference],
                         "ours %": None if value is None else round(100 * value, 2)})
        return rows

    def summary(self, tolerance_points: float = 1.0) -> str:
        """One sentence per row, saying whether ours is within ``tolerance_points`` of the
        reference and, if not, in which direction it differs.

        Args:
            tolerance_points: largest gap, in percentage points, still reported as
                matching BrainChip's number.
        """
        sentences = []
        for row in self.table():
            ours, reference = row["ours %"], row["reference %"]
            if ours is None:
                sentences.append(f"{row['result']}: not run here (install the akida extra).")
                continue
            gap = ours - reference
            verdict = (f"within {tolerance_points:g} point of" if abs(gap) <= tolerance_points
                       else f"{abs(gap):.2f} points {'above' if gap > 0 else 'below'}")
            sentences.append(f"{row['result']}: {ours:.2f}%, {verdict} BrainChip's "
                             f"{reference:.2f}%.")
        return " ".join(sentences)

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for glue and JSON)."""
        return asdict(self)

    @classmethod
    def from_logits(cls, float_logits: np.ndarray, int8_logits: np.ndarray,
                    quantizeml_logits: np.ndarray | None, labels: np.ndarray,
                    calibration_clips: int, decay: float = DEFAULT_DECAY) -> Reproduction:
        """Score per-frame logits ``(N, T, n_classes)`` already computed on the subset."""
        return cls(
            clips=len(labels), calibration_clips=int(calibration_clips), decay=float(decay),
            frame_accuracy=frame_accuracy(float_logits, labels),
            clip_accuracy=clip_accuracy(float_logits, labels, decay),
            litert_int8_clip_accuracy=clip_accuracy(int8_logits, labels, decay),
            quantizeml_clip_accuracy=None if quantizeml_logits is None
            else clip_accuracy(quantizeml_logits, labels, decay))


def reproduction_markdown(result: Reproduction | None) -> str:
    """BrainChip's numbers beside ours as a Markdown table (ours: "not run" when ``result``
    is None, that is on synthetic data, or where the quantizeml extra is missing).

    Args:
        result: our scores from :func:`reproduce`, or ``None`` for the reference column
            alone.
    """
    rows = result.table() if result is not None else [
        {"result": label.format(decay=DEFAULT_DECAY), "reference %": REFERENCE[reference],
         "ours %": None} for label, reference, _ in TABLE_ROWS]
    lines = ["| result | BrainChip (%) | ours (%) |", "|---|---:|---:|"]
    for row in rows:
        ours = row["ours %"]
        lines.append(f"| {row['result']} | {row['reference %']:.2f} | "
                     f"{'not run' if ours is None else f'{ours:.2f}'} |")
    return "\n".join(lines)


def data_source(data: str, clips: int) -> str:
    """The phrase a chapter glues to say what it ran on (and when BrainChip's files came
    from another server than theirs, that they are stand-ins).

    Args:
        data: the chapter's ``DATA`` parameter, ``"synthetic"`` or ``"jester-subset"``.
        clips: how many clips were scored.
    """
    from streamnets.data.remote import BRAINCHIP_URL, base_url

    if check_data(data) == "synthetic":
        return f"synthetic test clips ({clips}) with the shipped synthetic model"
    text = f"BrainChip's Jester subset ({clips} validation clips) with BrainChip's weights"
    if base_url() != BRAINCHIP_URL:
        text += f", as served by {base_url()} (stand-ins, unless it mirrors BrainChip's files)"
    return text


def reproduction_summary(result: Reproduction | None, data_url: str | None = None) -> str:
    """What a chapter says about BrainChip's table: how switching works when ``result`` is
    None (synthetic data), else :meth:`Reproduction.summary`, with a warning when the files
    came from ``data_url`` other than BrainChip's server (fixtures prove only the path).

    Args:
        result: our scores from :func:`reproduce`, or ``None`` when the chapter ran on
            synthetic data.
        data_url: the server the subset's files came from (e.g.
            :func:`streamnets.data.remote.base_url`); ``None`` adds no warning.
    """
    from streamnets.data.remote import BRAINCHIP_URL, FILES

    if result is None:
        megabytes = sum(entry.size or 0 for entry in FILES.values()) / 1e6
        return ("This build ran on synthetic clips (DATA = \"synthetic\"), so BrainChip's table "
                "is not reproduced here: set DATA = \"jester-subset\" in the parameters cell "
                f"(it downloads over {megabytes:.0f} MB) to put our numbers beside theirs.")
    text = (f"On {result.clips} clips of the subset, calibrated on "
            f"{result.calibration_clips} streams: {result.summary()}")
    if data_url is not None and data_url != BRAINCHIP_URL:
        text += (f" These files came from {data_url}, not from BrainChip's server: they are "
                 "stand-ins, so the numbers show that the path runs, not BrainChip's accuracy.")
    return text


def preceding_other_class(clips: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each clip, the next clip of the set (cyclically) with another label: what it is
    streamed after when scored warm (no reset, :mod:`streamnets.warm`) on real clips.

    Args:
        clips: the set's clips ``(N, T, H, W, C)``.
        labels: their class indices ``(N,)``; at least two classes must occur.

    Returns:
        ``(N, T, H, W, C)``: row ``i`` is the clip to stream before clip ``i``.
    """
    labels = np.asarray(labels)
    if len(set(labels.tolist())) < 2:
        raise ValueError("warm scoring needs clips of at least two classes; the set has "
                         f"only class {labels[:1].tolist()}: use more clips.")
    order = []
    for i, label in enumerate(labels):
        j = (i + 1) % len(labels)
        while labels[j] == label:
            j = (j + 1) % len(labels)
        order.append(j)
    return np.asarray(clips)[order]


def reproduce(model: Any, clips: np.ndarray, labels: np.ndarray,
              calibration_clips: np.ndarray, decay: float = DEFAULT_DECAY,
              quantizeml: bool | None = None) -> Reproduction:
    """Score ``model`` (BrainChip's weights in our :func:`~streamnets.models.gesture_net`)
    on ``clips`` as BrainChip's tutorial does, through our own paths.

    Args:
        model: the clip model, e.g. ``load_pretrained("brainchip-jester")``.
        clips: uint8 ``(N, T, H, W, C)`` clips to score, e.g. from
            :func:`validation_clips`.
        labels: their class indices ``(N,)``.
        calibration_clips: uint8 ``(B, T, H, W, C)`` streams (:func:`calibration_streams`)
            for both 8-bit models.
        decay: decay smoothing of the clip decision (BrainChip: 0.8).
        quantizeml: also score BrainChip's quantizeml 8-bit model; ``None``: when the
            ``akida`` extra is installed.

    Frame-averaged and clip accuracy come from our float streaming model (frame by frame
    from empty FIFOs, equal to the clip model's logits); the int8 row from our LiteRT
    full-integer export calibrated on (frame, states) pairs of ``calibration_clips``.
    """
    from streamnets.litert import LiteRTRunner, convert_litert
    from streamnets.quantize import calibration_pairs, predict_buffered, quantize_brainchip
    from streamnets.streaming import to_streaming

    stream = to_streaming(model)
    float_logits = stream.predict_clips(clips)
    int8 = convert_litert(stream, calibration_pairs(stream, calibration_clips))
    int8_logits = LiteRTRunner(int8).predict_clips(clips)
    if quantizeml is None:
        quantizeml = quantizeml_available()
    quantized = None
    if quantizeml:
        quantized = predict_buffered(quantize_brainchip(model, calibration_clips), clips)
    return Reproduction.from_logits(float_logits, int8_logits, quantized, labels,
                                    len(calibration_clips), decay)


def jester_subset_clips(num_clips: int | None = None, progress: bool = True
                        ) -> tuple[np.ndarray, np.ndarray]:
    """The validation clips and labels of BrainChip's subset (the first ``num_clips``, or
    all), fetched and verified on first use (:func:`validation_clips`).

    Args:
        num_clips: keep only the first clips, ``>= 1``; ``None`` keeps all.
        progress: show a progress bar while downloading the subset.
    """
    from streamnets.data.remote import jester_subset

    return validation_clips(jester_subset(progress), num_clips)


def jester_calibration(progress: bool = True) -> np.ndarray:
    """BrainChip's calibration samples as clips (:func:`calibration_streams`), fetched and
    verified on first use.

    Args:
        progress: show a progress bar while downloading the samples.

    Returns:
        uint8 clips ``(B, 16, 100, 100, 3)``.
    """
    from streamnets.data.remote import fetch

    return calibration_streams(load_calibration(fetch("jester-calibration", progress)))


def jester_subset_data(num_clips: int | None = None, progress: bool = True
                       ) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """Everything :func:`reproduce` needs: BrainChip's model in our network, the subset's
    validation clips and labels, and the calibration streams.

    Args:
        num_clips: keep only the first validation clips, ``>= 1``; ``None`` keeps all.
        progress: show progress bars while downloading the subset and the calibration
            samples (the model's download always shows one).

    Returns:
        ``(model, clips, labels, calibration_clips)``.
    """
    from streamnets.weights import load_pretrained

    clips, labels = jester_subset_clips(num_clips, progress)
    return load_pretrained("brainchip-jester"), clips, labels, jester_calibration(progress)
