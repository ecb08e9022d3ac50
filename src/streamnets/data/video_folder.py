"""Your own gestures: a folder of video files, one subfolder per class, as training batches.

Layout (the names of the subfolders are the class names, in sorted order)::

    root/swipe_left/take1.mp4, take2.webm, ...
    root/swipe_right/*.mp4
    root/no_gesture/*.avi

**Frames.** Every video is decoded by :func:`streamnets.video.read_video`, the decoder of
``streamnets stream``, at ``MODEL_FPS * stride`` frames per second (12 fps, Jester's
recording rate, for stride 2), each frame centre-squared and resized to ``size``. A clip is
then sampled as the Jester pipeline samples one (:func:`~streamnets.data.jester.sample_indices`:
``frames`` indices ``start + stride * k``, wrapped modulo the video's length, a random start
for training and 0 otherwise), so the model sees 6 frames per second, the rate it streams
at. Videos of different sizes, aspect ratios and frame rates can be mixed: the crop and
resize are per frame and the resampling is by timestamps, so training pixels are the pixels
the streaming command would feed the model.

**Held-out split.** In each class the videos are ordered by the SHA-256 of their file name
and the first ``round(validation_fraction * n)`` (at least one, and never all, when the class
has two or more) are ``"validation"``; the rest are ``"train"``; ``"all"`` is every video.
The split depends on the file names only, so it is the same on every machine and run.

**Bad input** is refused before any decoding, naming the folder or file and what to do: a
root that is no folder, videos lying in the root instead of a class folder, fewer than two
class folders, a class folder with no video. A video that cannot be read (empty, not a
video, no video stream, no frame, shorter than one frame) stops with an error naming it
(``on_corrupt="raise"``, the default) or, with ``on_corrupt="skip"`` (command line:
``--on-corrupt skip``), is dropped with a warning naming it: when the folder is scanned if
the container cannot be opened, else when its clip is decoded.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from streamnets import video  # a module, not names: streamnets.video imports this package
from streamnets.data.jester import (
    FRAMES,
    ON_CORRUPT,
    SIZE,
    STRIDE,
    CorruptVideoError,
    _check_num_clips,
    _check_sampling,
    _finish,
    _guarded,
    _indexed,
    random_start,
    sample_indices,
)
from streamnets.data.streams import MODEL_FPS

if TYPE_CHECKING:
    import tensorflow as tf

#: File name endings read as videos (any case); PyAV's FFmpeg decodes all of them.
VIDEO_SUFFIXES = (".mp4", ".webm", ".avi", ".mov", ".mkv")
#: The splits of a video folder (see the module docstring).
SPLITS = ("train", "validation", "all")
#: Share of each class's videos held out for validation by default.
VALIDATION_FRACTION = 0.2


class VideoFolderError(ValueError):
    """A video folder laid out in a way that cannot give a classifier (the message says why)."""


@dataclass(frozen=True)
class VideoFolder:
    """A scanned video folder: class names (sorted subfolder names) and readable videos."""

    root: Path
    classes: tuple[str, ...]
    videos: tuple[tuple[Path, int], ...]
    """``(file, class index)`` in class order, then file-name order."""

    def split(self, split: str, validation_fraction: float = VALIDATION_FRACTION
              ) -> list[tuple[Path, int]]:
        """The ``(file, class index)`` pairs of ``split`` (deterministic; module docstring).

        Args:
            split: ``"train"``, ``"validation"`` or ``"all"`` (:data:`SPLITS`).
            validation_fraction: share of each class's videos held out for
                ``"validation"``, in ``[0, 1)``; 0 holds none out (then only ``"train"``
                and ``"all"`` are non-empty).

        Raises:
            VideoFolderError: the chosen split is empty.
        """
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}.")
        if not (isinstance(validation_fraction, (int, float)) and
                0 <= validation_fraction < 1):
            raise ValueError(f"validation_fraction must be in [0, 1), got "
                             f"{validation_fraction!r}.")
        if split == "all":
            return list(self.videos)
        held_out = set()
        for label in range(len(self.classes)):
            files = [path for path, index in self.videos if index == label]
            count = len(files)
            take = min(max(round(validation_fraction * count), 1), count - 1) if (
                validation_fraction > 0 and count > 1) else 0
            held_out.update(sorted(files, key=_name_hash)[:take])
        chosen = [(path, label) for path, label in self.videos
                  if (path in held_out) == (split == "validation")]
        if not chosen:
            raise VideoFolderError(
                f"{self.root}: the {split!r} split is empty (validation_fraction "
                f"{validation_fraction}); a held-out split needs a class with at least two "
                "videos: add videos, or train on split 'all' without validation (command line: "
                "--validation-fraction 0).")
        return chosen


def _name_hash(path: Path) -> str:
    return hashlib.sha256(path.name.encode("utf-8", "surrogateescape")).hexdigest()


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _is_video(path: Path) -> bool:
    return path.is_file() and _visible(path) and path.suffix.lower() in VIDEO_SUFFIXES


def _readable(path: Path, on_corrupt: str) -> bool:
    """Whether the container opens and has a video stream; else raise or (skip) warn."""
    try:
        video.probe_video(path)
    except video.VideoError as error:
        if on_corrupt == "raise":
            raise CorruptVideoError(str(error).rstrip("."), "remove or replace it, or ") from None
        warnings.warn(f"skipping video {path}: {error}", stacklevel=3)
        return False
    return True


def scan_video_folder(root: str | os.PathLike, on_corrupt: str = "raise") -> VideoFolder:
    """List the classes and videos of ``root`` and check that they can train a classifier.

    Args:
        root: a folder with one subfolder of videos per class.
        on_corrupt: ``"raise"`` (stop at a video that cannot be opened, naming it) or
            ``"skip"`` (drop it with a warning).

    Raises:
        FileNotFoundError: ``root`` is not a folder.
        VideoFolderError: videos outside class folders, fewer than two classes, a class
            with no (readable) video.
        CorruptVideoError: an unreadable video, with ``on_corrupt="raise"``.
    """
    if on_corrupt not in ON_CORRUPT:
        raise ValueError(f"on_corrupt must be one of {ON_CORRUPT}, got {on_corrupt!r}.")
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"video folder {root} does not exist or is not a folder; pass "
                                "a folder with one subfolder of videos per class.")
    loose = sorted(path.name for path in root.iterdir() if _is_video(path))
    if loose:
        raise VideoFolderError(
            f"{root} holds videos outside any class folder ({', '.join(loose[:3])}"
            f"{', ...' if len(loose) > 3 else ''}); move each into a subfolder named after "
            "its class.")
    folders = sorted(path for path in root.iterdir() if path.is_dir() and _visible(path))
    if len(folders) < 2:
        found = f"only {folders[0].name!r}" if folders else "none"
        raise VideoFolderError(
            f"{root} has {len(folders)} class folder(s) ({found}); a classifier needs at least "
            f"two: add one subfolder of videos per class, e.g. {root / 'swipe_left'}/*.mp4.")
    videos: list[tuple[Path, int]] = []
    for label, folder in enumerate(folders):
        files = sorted(path for path in folder.iterdir() if _is_video(path))
        if not files:
            others = sorted(path.name for path in folder.iterdir() if _visible(path))
            holds = f"it holds {', '.join(others[:3])}" if others else "it is empty"
            raise VideoFolderError(
                f"class folder {folder} has no videos ({holds}); add videos "
                f"({', '.join(VIDEO_SUFFIXES)}) or remove the folder.")
        readable = [path for path in files if _readable(path, on_corrupt)]
        if not readable:
            raise VideoFolderError(f"class folder {folder}: none of its {len(files)} "
                                   "video(s) can be read; replace them or remove the folder.")
        videos += [(path, label) for path in readable]
    return VideoFolder(root, tuple(folder.name for folder in folders), tuple(videos))


def _decode(path: str | os.PathLike, stride: int, size: int) -> np.ndarray:
    """Every frame of a video at ``MODEL_FPS * stride`` fps, or a :class:`CorruptVideoError`
    naming it (the one error ``on_corrupt="skip"`` drops)."""
    try:
        return video.read_video(path, fps=MODEL_FPS * stride, size=size)
    except video.VideoError as error:
        raise CorruptVideoError(str(error).rstrip("."), "remove or replace it, or ") from None


def video_folder_dataset(root: str | os.PathLike | VideoFolder, split: str = "train",
                         batch_size: int = 16, augment: bool = False, seed: int = 0,
                         frames: int = FRAMES, stride: int = STRIDE, size: int = SIZE,
                         validation_fraction: float = VALIDATION_FRACTION,
                         on_corrupt: str = "raise", shuffle_buffer: int = 10_000,
                         drop_remainder: bool | None = None, num_clips: int | None = None,
                         shard: tuple[int, int] | None = None) -> tf.data.Dataset:
    """Batches ``(clips uint8 (B, frames, size, size, 3), labels int32 (B,))`` from a folder
    of class-named subfolders of videos (see the module docstring).

    Args:
        root: the folder, or a :class:`VideoFolder` already scanned by
            :func:`scan_video_folder` (labels follow its ``classes``).
        split: ``"train"`` (shuffled with ``seed``, endless, random start per clip),
            ``"validation"`` (the held-out videos, one pass from frame 0) or ``"all"``
            (every video, one pass from frame 0).
        batch_size: clips per batch (the global batch when ``shard`` is given).
        augment: BrainChip's random affine per clip (training).
        seed: shuffling, start offsets and augmentation.
        frames: the clip's length in frames, ``1..256`` (at 6 fps: 16 frames are 2.7 s).
        stride: frame step, ``>= 1``: videos are decoded at ``6 * stride`` fps and every
            ``stride``-th frame is kept.
        size: side of the square frames in pixels, ``32..512``.
        validation_fraction: share of each class held out for ``"validation"``.
        on_corrupt: ``"raise"`` or ``"skip"`` a video that cannot be decoded.
        shuffle_buffer: videos in the shuffle buffer (all of them when fewer).
        drop_remainder: default ``True`` for ``"train"``, ``False`` otherwise.
        num_clips: keep only the split's first videos (class order, then name order).
        shard: ``(workers, worker)``: decode only this worker's share of every global
            batch (:func:`worker_share`) and yield batches of ``batch_size // workers``.
    """
    import tensorflow as tf

    _check_sampling(batch_size, on_corrupt, frames, stride, size)
    folder = root if isinstance(root, VideoFolder) else scan_video_folder(root, on_corrupt)
    entries = folder.split(split, validation_fraction)[:_check_num_clips(num_clips)]
    paths = [str(path) for path, _ in entries]
    labels = np.array([label for _, label in entries], dtype=np.int32)

    def load(index, draw):
        decoded = _decode(paths[int(index)], stride, size)
        start = random_start(len(decoded), int(draw), frames, stride) if split == "train" else 0
        return decoded[sample_indices(len(decoded), start, frames, stride)], labels[int(index)]

    guarded = _guarded(load, on_corrupt, frames, size)

    def render(counter, index, draw):
        clip, label = tf.numpy_function(guarded, [index, draw], (tf.uint8, tf.int32),
                                        stateful=False)
        return counter, clip, label

    indexed = _indexed(len(paths), "train" if split == "train" else "validation", seed,
                       shuffle_buffer)
    if shard is not None:
        from streamnets.distribute import worker_share

        workers, worker = shard
        indexed = worker_share(indexed, batch_size, workers, worker)
        batch_size //= workers
    dataset = indexed.map(render, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return _finish(dataset, "train" if split == "train" else "validation", batch_size,
                   augment, seed, frames, size, drop_remainder)
