"""Video files in and out: decode any video to the model's frames, encode test videos.

The models see uint8 RGB frames of ``size`` x ``size`` pixels at
:data:`~streamnets.data.MODEL_FPS` (6) frames per second. A recorded video has another
rate, another shape and usually a codec, so :func:`iter_video` (one frame at a time, what
``streamnets stream`` uses) and :func:`read_video` (all of them) turn it into exactly that:

* **Decoding**: PyAV (``av`` on PyPI), whose wheels carry FFmpeg, so mp4, webm, avi and
  mov decode with no system packages. Frames come out in presentation order and are
  converted to RGB (``rgb24``) only when a sample needs them.
* **Resampling by timestamps**: sample ``k`` is taken at time ``t_k = k / fps`` counted
  from the first frame's timestamp, and shows the decoded frame on screen at that time:
  the last frame whose presentation time is ``<= t_k`` (with 0.1 ms of slack for rounded
  time bases). Samples are taken while ``t_k`` is before the video's end, the last frame's
  time plus one source frame. A 12 fps video of ``T`` frames therefore gives
  ``ceil(T / 2)`` samples (every second frame, as the Jester recipe samples), a 6 fps one
  gives ``T``, and a slower one repeats frames. Timestamps, not frame counts, decide, so
  variable frame rates and dropped frames are handled the same way.
* **Centre crop, then resize**: the largest centred square (the model was trained on
  square frames; squeezing a 16:9 frame would distort every hand), resized to ``size`` x
  ``size`` with Pillow's ``Image.resize(..., BILINEAR)``. Pillow's bilinear filter widens
  its support by the reduction factor when shrinking, so it averages over every source
  pixel (an anti-aliased downscale); PyAV's ``reformat`` (swscale) cannot crop and
  would need a second pass for it.

Errors are :class:`VideoError` (a ``ValueError``, so the command line reports it in one
line) that name the file and say what to do: a missing file, a file FFmpeg cannot read,
one without a video stream, one with no decodable frame, one shorter than a frame at the
model's rate.

:func:`write_video` encodes uint8 frames to mp4 (libx264 when the wheel has it, else
mpeg4), atomically, for tests and examples.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np
from PIL import Image

from streamnets.data.streams import MODEL_FPS
from streamnets.files import replacing
from streamnets.frames import check_frames

#: Slack when comparing a sample time with a frame's timestamp, for time bases that round.
TIME_SLACK = Fraction(1, 10_000)
#: Encoders :func:`write_video` tries, best first.
ENCODERS = ("libx264", "mpeg4")
#: libx264's constant rate factor for :func:`write_video`: near-lossless test videos.
X264_CRF = 12


class VideoError(ValueError):
    """A video file that cannot be turned into model frames; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video before decoding it (for progress bars)."""

    width: int
    height: int
    fps: float | None
    """The stream's average frame rate, if the container records one."""
    duration_s: float | None
    """The duration the container records, if any."""

    def model_frames(self, fps: float = MODEL_FPS) -> int | None:
        """About how many frames :func:`iter_video` will yield at ``fps`` (``None``: unknown).

        Args:
            fps: the sampling rate in frames per second, :data:`MODEL_FPS` (6) by default.
        """
        if self.duration_s is None:
            return None
        return max(math.ceil(self.duration_s * fps - 1e-6), 0)


def _check_args(fps: float, size: int, max_frames: int | None) -> None:
    if not isinstance(fps, (int, float)) or isinstance(fps, bool) or not (
            math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}.")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"size must be an int >= 1, got {size!r}.")
    if max_frames is not None and (not isinstance(max_frames, int) or max_frames < 1):
        raise ValueError(f"max_frames must be None or an int >= 1, got {max_frames!r}.")


def _open(path: str | os.PathLike) -> tuple[Any, Any]:
    """The open container and its first video stream, or a :class:`VideoError`."""
    path = Path(path)
    if not path.exists():
        raise VideoError(f"no such video file: {path}; check the path.")
    if not path.is_file():
        raise VideoError(f"{path} is not a file; pass a video file (mp4, webm, avi, ...).")
    if path.stat().st_size == 0:
        raise VideoError(f"{path} is empty (0 bytes); the recording or copy may have failed.")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise VideoError(
            f"{path} cannot be read as a video ({error}); it may be truncated or not a "
            "video at all: check the file or convert it (e.g. ffmpeg -i IN out.mp4)."
        ) from error
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path} has no video stream (audio or data only); pass a video.")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # frame + slice threads: decoding is the loop's main cost
    return container, stream


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Size, frame rate and duration as the container records them (nothing is decoded).

    Args:
        path: a video file FFmpeg can read.

    Raises:
        VideoError: the file is missing, empty, unreadable or has no video stream.
    """
    container, stream = _open(path)
    with container:
        rate = stream.average_rate or stream.guessed_rate
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        return VideoInfo(int(stream.width), int(stream.height),
                         float(rate) if rate else None, duration)


def centre_square(image: np.ndarray, size: int) -> np.ndarray:
    """The largest centred square of ``image`` ``(H, W, 3)``, resized (bilinear, anti-aliased)
    to ``(size, size, 3)`` uint8.

    Args:
        image: one uint8 RGB frame ``(H, W, 3)`` of any aspect ratio.
        size: side of the output square in pixels (no resize when it equals the shorter
            side).
    """
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = np.ascontiguousarray(image[top:top + side, left:left + side])
    if side == size:
        return square
    return np.asarray(Image.fromarray(square).resize((size, size), Image.Resampling.BILINEAR))


def _frame_time(frame: Any, index: int, rate: Fraction | None) -> Fraction | None:
    if frame.pts is not None and frame.time_base is not None:
        return frame.pts * frame.time_base
    return Fraction(index) / rate if rate else None


def iter_video(path: str | os.PathLike, fps: float = MODEL_FPS, size: int = 100,
               max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Yield the video's frames resampled to ``fps``, as uint8 ``(size, size, 3)`` RGB.

    One frame at a time, as decoded, so an hour-long video needs the memory of a few
    frames (see the module docstring for the sampling, crop and resize rules).

    Args:
        path: a video file FFmpeg can read (mp4, webm, avi, mov, ...).
        fps: the model's frame rate, :data:`~streamnets.data.MODEL_FPS` by default.
        size: height = width of every frame yielded.
        max_frames: stop after this many frames (``None``: the whole video).

    Raises:
        VideoError: the file is missing, unreadable, has no video stream or no decodable
            frame, or is shorter than one frame at ``fps``; nothing is yielded before a
            video is known to be long enough.
    """
    _check_args(fps, size, max_frames)
    step = Fraction(fps).limit_denominator(1_000_000)
    container, stream = _open(path)
    rate = stream.average_rate or stream.guessed_rate
    rate = Fraction(rate) if rate else None
    with container:
        emitted = 0
        origin: Fraction | None = None
        shown: Any = None  # the decoded frame on screen at the next sample time
        shown_time = last_gap = None
        # Samples wait here until the video has lasted one model frame, so that a video
        # too short raises before anything is yielded (at most one sample waits).
        pending: list[np.ndarray] = []
        decoded = 0

        def take(until: Fraction) -> None:
            """Queue the samples before ``until``: all show ``shown``."""
            nonlocal emitted
            rgb = None
            while emitted / step < until - TIME_SLACK and (
                    max_frames is None or emitted < max_frames):
                if rgb is None:
                    rgb = centre_square(shown.to_ndarray(format="rgb24"), size)
                pending.append(rgb)
                emitted += 1

        try:
            for frame in container.decode(stream):
                time = _frame_time(frame, decoded, rate)
                decoded += 1
                if time is None:
                    raise VideoError(f"{path}: frame {decoded - 1} has no timestamp and the "
                                     "stream no frame rate; re-encode the video (ffmpeg -i IN "
                                     "out.mp4).")
                if origin is None:
                    origin = time
                time -= origin
                if shown is not None:
                    if time <= shown_time:  # a repeated or out-of-order timestamp: skip it
                        continue
                    last_gap = time - shown_time
                    take(time)
                    if time >= 1 / step:
                        yield from pending
                        pending.clear()
                    if max_frames is not None and emitted >= max_frames and not pending:
                        return
                shown, shown_time = frame, time
        except av.error.FFmpegError as error:
            raise VideoError(f"{path}: decoding failed after {decoded} frame(s) ({error}); "
                             "the file may be truncated or corrupt.") from error
        if shown is None:
            raise VideoError(f"{path} has a video stream but no frame could be decoded; the "
                             "file may be truncated or corrupt.")
        source_frame = 1 / rate if rate else last_gap
        end = shown_time + (source_frame if source_frame else 0)
        if end < 1 / step - TIME_SLACK:
            raise VideoError(
                f"{path} is {float(end):.3f} s long ({decoded} frame(s)), shorter than one "
                f"frame at the model's rate ({float(1 / step):.3f} s at {fps:g} fps); record "
                "or pass a longer video.")
        take(end)
        yield from pending


def read_video(path: str | os.PathLike, fps: float = MODEL_FPS, size: int = 100,
               max_frames: int | None = None) -> np.ndarray:
    """All of :func:`iter_video`'s frames as one uint8 array ``(T, size, size, 3)``.

    Args:
        path: a video file FFmpeg can read (mp4, webm, avi, mov, ...).
        fps: the sampling rate, :data:`~streamnets.data.MODEL_FPS` (6) by default.
        size: height = width of every frame.
        max_frames: keep at most this many frames (``None``: the whole video).

    Raises:
        VideoError: as for :func:`iter_video`.
    """
    frames = list(iter_video(path, fps, size, max_frames))
    return np.stack(frames)


def _encoder() -> str:
    for name in ENCODERS:
        if name in av.codecs_available:
            try:
                av.Codec(name, "w")
            except (av.error.FFmpegError, ValueError):
                continue
            return name
    raise VideoError(f"this FFmpeg (PyAV {av.__version__}) has none of the encoders "
                     f"{ENCODERS}; install a PyAV wheel that has one.")


def write_video(path: str | os.PathLike, frames: Any, fps: float = MODEL_FPS) -> None:
    """Encode uint8 RGB frames ``(T, H, W, 3)`` to an mp4 at ``fps``, atomically.

    libx264 at CRF 12 (near-lossless, so tests can compare pixels) when the wheel has it,
    else mpeg4 at a high bit rate; pixels are stored as yuv420p, which needs even ``H``
    and ``W``. The file appears only when complete (a temporary file, then a rename).

    Args:
        path: the mp4 file to write (replaced if it exists).
        frames: uint8 RGB frames ``(T, H, W, 3)``, ``T >= 1``, ``H`` and ``W`` even; a
            numpy array or an eager tensor.
        fps: the frame rate recorded in the file, frames per second.

    Raises:
        ValueError: ``frames`` or ``fps`` is invalid.
        VideoError: this FFmpeg has no usable encoder.
    """
    array = np.asarray(frames)
    if array.ndim != 4:
        raise ValueError(f"frames must have shape (T, H, W, 3), got {array.shape}.")
    array = check_frames(array, array.shape[1:], "frames", leading=1)
    height, width, channels = array.shape[1:]
    if channels != 3 or height % 2 or width % 2:
        raise ValueError(f"frames must be RGB with even height and width (yuv420p), got "
                         f"{array.shape[1:]}; crop or pad by one pixel.")
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}.")
    codec = _encoder()
    with replacing(path, binary=True) as handle:
        with av.open(handle, "w", format="mp4") as container:
            stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(100_000))
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            if codec == "libx264":
                stream.options = {"crf": str(X264_CRF), "preset": "veryfast"}
            else:
                stream.bit_rate = 20_000_000
            for image in array:
                container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
            container.mux(stream.encode(None))
