"""Real Jester, in its two on-disk layouts, as the same batches as the synthetic data.

**Full dataset** (Qualcomm's download)::

    root/jester-v1-labels.csv          one class name per line
    root/jester-v1-train.csv           "<video id>;<class name>" per line
    root/jester-v1-validation.csv
    root/20bn-jester-v1/<video id>/00001.jpg, 00002.jpg, ...   (or root/<video id>/...)

**BrainChip's packaged subset** (``jester_subset.tar.gz`` of their tutorial)::

    root/jester-v1-labels.csv, root/jester-v1-{train,validation}.csv
    root/tfrecords/*train*, *val*      GZIP TFRecord files of tf.train.SequenceExample

with the keys of :data:`TFRECORD_CONTEXT` / :data:`TFRECORD_SEQUENCE`: context ``filename``
(bytes), ``height``, ``width``, ``depth``, ``frame_count``, ``label`` (int64, a line index of
the labels CSV) and the sequence feature ``frames`` (one JPEG per frame).

Sampling follows BrainChip's training code: 16 frames with stride 2 (``start + 2 k``),
indices wrapped modulo the video length, a random start in ``[0, n - 32)`` for training
(0 when the video is shorter) and 0 for validation; each frame is centre-cropped or
zero-padded to 100 x 100, uint8, no resizing, no normalisation.

**Pixels**: JPEG frames are decoded by ``tf.io.decode_jpeg``, as BrainChip's ``get_data``
does, so our clips equal theirs byte for byte (Pillow's chroma upsampling differs by up to 7
grey levels, enough to move the reference numbers). Their float round trip
(``convert_image_dtype`` to float32 and back) maps every uint8 value to itself and their
zero padding is our zero padding, so it is not repeated here.

Class indices always follow :data:`~streamnets.data.JESTER_CLASSES`: names in the CSVs are
mapped by name, so a labels file in another order still gives the right logits.

**Corrupt or empty videos**: by default a frame that cannot be decoded, or a video with no
frames, stops the pipeline with an error naming the file or folder (``on_corrupt="raise"``):
a silently shortened dataset is worse than a clear stop. With ``on_corrupt="skip"`` (command
line: ``--on-corrupt skip``) the whole clip is dropped with a warning naming it, and the rest
of the data goes on.
"""

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from streamnets.data.classes import class_index
from streamnets.data.pipeline import check_batch_size, finish_dataset
from streamnets.data.synthetic import check_clip_args

if TYPE_CHECKING:
    import tensorflow as tf

LABELS_CSV = "jester-v1-labels.csv"
SPLIT_CSVS = {"train": "jester-v1-train.csv", "validation": "jester-v1-validation.csv"}
VIDEOS_DIR = "20bn-jester-v1"
TFRECORDS_DIR = "tfrecords"
#: Substring of the TFRecord file names of each split (BrainChip names them *train*, *val*).
TFRECORD_PATTERNS = {"train": "train", "validation": "val"}
TFRECORD_CONTEXT = ("filename", "height", "width", "depth", "frame_count", "label")
TFRECORD_SEQUENCE = "frames"
FRAMES, STRIDE, SIZE = 16, 2, 100
ON_CORRUPT = ("raise", "skip")


class JesterDataError(ValueError):
    """The Jester files are there but something in them is wrong (the message says what)."""


#: How to get past a bad video, in the Python API and on the command line.
SKIP_HINT = "pass on_corrupt='skip' (command line: --on-corrupt skip) to drop such clips"


class CorruptVideoError(JesterDataError):
    """A video that cannot give a clip (an unreadable frame, no frames): the one error
    ``on_corrupt="skip"`` drops, so any other problem still stops the run.

    Args:
        problem: what is wrong, naming the file or folder (kept as ``.problem``, the
            text the skip warning shows).
        fix: the start of a remedy ending in ``"or "``, e.g. ``"re-extract it, or "``;
            when given, the message goes on with how to skip such clips. Empty: the
            message is ``problem`` alone.
    """

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(f"{problem}; {fix}{SKIP_HINT}." if fix else problem)
        self.problem = problem


def _split_csv(split: str) -> str:
    if split not in SPLIT_CSVS:
        raise ValueError(f"split must be one of {sorted(SPLIT_CSVS)}, got {split!r}.")
    return SPLIT_CSVS[split]


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: a Jester folder needs {what}. Point `root` at the folder that "
            f"holds {LABELS_CSV} and the jester-v1-{{train,validation}}.csv files "
            f"(see streamnets.data.jester)."
        )
    return path


def read_labels(root: str | os.PathLike) -> list[int]:
    """Map each line of ``jester-v1-labels.csv`` to its index in ``JESTER_CLASSES``.

    Args:
        root: the Jester folder holding ``jester-v1-labels.csv`` and the split CSVs.

    Returns:
        For each non-empty line, in file order, the class index of its name: a TFRecord
        ``label`` (a line index) maps to ``mapping[label]``.

    Raises:
        FileNotFoundError: the labels file is missing.
        JesterDataError: a line is not a Jester class name.
    """
    path = _require(Path(root) / LABELS_CSV, "the class list")
    with open(path, newline="", encoding="utf-8") as handle:
        names = [row[0].strip() for row in csv.reader(handle) if row and row[0].strip()]
    mapping = []
    for line, name in enumerate(names, start=1):
        try:
            mapping.append(class_index(name))
        except ValueError:
            raise JesterDataError(
                f"{path}, line {line}: unknown class {name!r}; the file must list Jester's 27 "
                f"class names (streamnets.data.JESTER_CLASSES)."
            ) from None
    return mapping


def read_split(root: str | os.PathLike, split: str) -> list[tuple[str, int]]:
    """``(video id, class index)`` for every line of ``jester-v1-<split>.csv``.

    Args:
        root: the Jester folder holding ``jester-v1-labels.csv`` and the split CSVs.
        split: ``"train"`` or ``"validation"`` (Jester's test CSV has no labels).

    Raises:
        FileNotFoundError: the split's CSV is missing.
        JesterDataError: a line is malformed or has an unknown class, or the file lists no
            videos.
    """
    path = _require(Path(root) / _split_csv(split), f"the {split} list ('id;label' lines)")
    entries = []
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.reader(handle, delimiter=";"), start=1):
            if not row or not row[0].strip():
                continue
            if len(row) < 2:
                raise JesterDataError(f"{path}, line {line}: expected 'id;label', got {row!r}.")
            try:
                entries.append((row[0].strip(), class_index(row[1].strip())))
            except ValueError:
                raise JesterDataError(
                    f"{path}, line {line}: unknown label {row[1]!r} for video {row[0]!r}; "
                    f"labels must be Jester class names (streamnets.data.JESTER_CLASSES)."
                ) from None
    if not entries:
        raise JesterDataError(f"{path} lists no videos.")
    return entries


def sample_indices(num_frames: int, start: int = 0, frames: int = FRAMES,
                   stride: int = STRIDE) -> np.ndarray:
    """Frame indices ``start, start + stride, ...`` wrapped modulo the video length.

    Args:
        num_frames: the video's length in frames; ``< 1`` raises
            :class:`CorruptVideoError`.
        start: index of the first sampled frame.
        frames: how many indices to return.
        stride: step between sampled frames (2: every other frame).

    Returns:
        ``frames`` int indices, each in ``[0, num_frames)``.
    """
    if num_frames < 1:
        raise CorruptVideoError("cannot sample frames from a video with no frames",
                                "re-extract or re-download it, or ")
    return (start + stride * np.arange(frames)) % num_frames


def random_start(num_frames: int, draw: int, frames: int = FRAMES, stride: int = STRIDE) -> int:
    """Training start offset: ``draw`` mapped into ``[0, num_frames - frames * stride)``
    (0 when the video is not longer than that), as BrainChip's training does.

    Args:
        num_frames: the video's length in frames.
        draw: a random int (the pipelines take one per clip from
            ``tf.data.Dataset.random``), reduced modulo the spare frames.
        frames: frames per clip.
        stride: step between sampled frames.
    """
    spare = num_frames - frames * stride
    return int(draw % spare) if spare > 0 else 0


def centre_crop_or_pad(image: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Crop the centre of each side longer than ``size``, zero-pad (centred) shorter ones.

    Same offsets as ``tf.image.resize_with_crop_or_pad``: the extra pixel of an odd
    difference goes to the bottom/right.

    Args:
        image: one frame ``(H, W, C)``, any dtype (kept).
        size: side of the square output in pixels.

    Returns:
        ``(size, size, C)``, zeros where the frame does not reach.
    """
    out = np.zeros((size, size, image.shape[2]), dtype=image.dtype)
    height, width = image.shape[:2]
    crop_y, crop_x = max(height - size, 0) // 2, max(width - size, 0) // 2
    pad_y, pad_x = max(size - height, 0) // 2, max(size - width, 0) // 2
    rows, cols = min(height, size), min(width, size)
    out[pad_y:pad_y + rows, pad_x:pad_x + cols] = image[crop_y:crop_y + rows,
                                                        crop_x:crop_x + cols]
    return out


def decode_jpeg(data: bytes, name: str) -> np.ndarray:
    """One JPEG frame as uint8 RGB ``(H, W, 3)``, decoded by ``tf.io.decode_jpeg`` (the
    decoder BrainChip's pipeline uses; see the module docstring); ``name`` labels errors.

    Args:
        data: the encoded JPEG bytes.
        name: the frame's file name or description, quoted by the error.

    Raises:
        CorruptVideoError: the bytes do not decode.
    """
    import tensorflow as tf

    try:
        return tf.io.decode_jpeg(data, channels=3).numpy()
    except (tf.errors.InvalidArgumentError, tf.errors.DataLossError) as error:
        message = error.message.splitlines()[0] if error.message else type(error).__name__
        raise CorruptVideoError(f"corrupt JPEG frame {name}: {message}",
                                "re-extract or re-download that video, or ") from None


def frame_files(video_dir: str | os.PathLike) -> list[Path]:
    """The numbered JPEG frames of one video folder, in frame order.

    Args:
        video_dir: one video's folder of ``00001.jpg, 00002.jpg, ...`` (``.jpg`` or
            ``.jpeg``, any case; files with non-numeric names are ignored).

    Raises:
        JesterDataError: the folder does not exist.
        CorruptVideoError: it holds no numbered JPEGs.
    """
    folder = Path(video_dir)
    if not folder.is_dir():
        raise JesterDataError(
            f"video folder {folder} does not exist; the split CSV lists it, so the frames "
            f"archive is probably incomplete (re-extract it)."
        )
    files = [path for path in folder.iterdir()
             if path.suffix.lower() in (".jpg", ".jpeg") and path.stem.isdigit()]
    if not files:
        raise CorruptVideoError(
            f"video folder {folder} has no frames (no numbered JPEGs 00001.jpg, ...)",
            "re-extract it, remove the video from the split CSV, or ")
    return sorted(files, key=lambda path: int(path.stem))


def _sampled_clip(read, names: list[str], start: int, frames: int, stride: int,
                  size: int) -> np.ndarray:
    """Decode and crop/pad only the sampled frames; ``read(i)`` gives frame i's JPEG bytes."""
    indices = sample_indices(len(names), start, frames, stride)
    return np.stack([centre_crop_or_pad(decode_jpeg(read(i), names[i]), size) for i in indices])


def clip_from_jpegs(jpegs: list[bytes], names: list[str], start: int = 0, frames: int = FRAMES,
                    stride: int = STRIDE, size: int = SIZE) -> np.ndarray:
    """One clip, uint8 ``(frames, size, size, 3)``, from a video's encoded frames.

    Args:
        jpegs: the video's JPEG-encoded frames, in order; only the sampled ones are
            decoded.
        names: one label per frame of ``jpegs``, used in decoding errors.
        start: index of the first sampled frame (see :func:`sample_indices`).
        frames: frames per clip.
        stride: step between sampled frames; indices wrap past the video's end.
        size: side of the centre-cropped or zero-padded square frames, in pixels.
    """
    return _sampled_clip(jpegs.__getitem__, names, start, frames, stride, size)


def load_video_clip(video_dir: str | os.PathLike, start: int = 0, frames: int = FRAMES,
                    stride: int = STRIDE, size: int = SIZE) -> np.ndarray:
    """One clip from a folder of numbered JPEG frames (full-dataset layout).

    Args:
        video_dir: the video's folder (see :func:`frame_files`).
        start: index of the first sampled frame.
        frames: frames per clip.
        stride: step between sampled frames; indices wrap past the video's end.
        size: side of the centre-cropped or zero-padded square frames, in pixels.

    Returns:
        A uint8 clip ``(frames, size, size, 3)``.
    """
    files = frame_files(video_dir)
    return _sampled_clip(lambda i: files[i].read_bytes(), [str(path) for path in files], start,
                         frames, stride, size)


def videos_folder(root: str | os.PathLike) -> Path:
    """Where the video folders are: ``root/20bn-jester-v1`` if present, else ``root``.

    Args:
        root: the Jester folder (full-dataset layout).
    """
    nested = Path(root) / VIDEOS_DIR
    return nested if nested.is_dir() else Path(root)


def _check_common(split: str, batch_size: int, on_corrupt: str, frames: int, stride: int,
                  size: int) -> None:
    _split_csv(split)
    _check_sampling(batch_size, on_corrupt, frames, stride, size)


def _check_sampling(batch_size: int, on_corrupt: str, frames: int, stride: int,
                    size: int) -> None:
    """The clip-sampling arguments every video loader takes (this one and the folder's)."""
    check_batch_size(batch_size)
    check_clip_args(frames, size, 0)
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}.")
    if on_corrupt not in ON_CORRUPT:
        raise ValueError(f"on_corrupt must be one of {ON_CORRUPT}, got {on_corrupt!r}.")


def _check_num_clips(num_clips: int | None) -> int | None:
    if num_clips is not None and (isinstance(num_clips, bool) or not isinstance(
            num_clips, (int, np.integer)) or num_clips < 1):
        raise ValueError(f"num_clips must be None or a positive int, got {num_clips!r}.")
    return None if num_clips is None else int(num_clips)


def _guarded(load, on_corrupt: str, frames: int, size: int):
    """Wrap a clip loader: on a corrupt or empty video raise, or (skip) warn and return
    label -1."""
    def run(*args):
        try:
            return load(*args)
        except CorruptVideoError as error:
            if on_corrupt == "raise":
                raise
            warnings.warn(f"skipping a clip: {error.problem}", stacklevel=2)
            return np.zeros((frames, size, size, 3), np.uint8), np.int32(-1)
    return run


def _finish(dataset, split: str, batch_size: int, augment: bool, seed: int, frames: int,
            size: int, drop_remainder: bool | None):
    def shaped(index, clip, label):
        clip.set_shape((frames, size, size, 3))
        label.set_shape(())
        return index, clip, label

    dataset = dataset.map(shaped).filter(lambda index, clip, label: label >= 0)
    if drop_remainder is None:
        drop_remainder = split == "train"
    return finish_dataset(dataset, batch_size, augment, seed, drop_remainder)


def _indexed(count: int, split: str, seed: int, shuffle_buffer: int):
    """Indices into the split's videos (shuffled, endless for training) plus a random draw
    per clip for the training start offset; deterministic given ``seed``."""
    import tensorflow as tf

    indices = tf.data.Dataset.range(count)
    if split == "train":
        indices = indices.shuffle(min(count, shuffle_buffer), seed=seed,
                                  reshuffle_each_iteration=True).repeat()
    draws = tf.data.Dataset.random(seed=seed)
    return tf.data.Dataset.zip((tf.data.Dataset.counter(), indices, draws))


def jester_dataset(root: str | os.PathLike, split: str = "validation", batch_size: int = 16,
                   augment: bool = False, seed: int = 0, frames: int = FRAMES,
                   stride: int = STRIDE, size: int = SIZE, on_corrupt: str = "raise",
                   num_clips: int | None = None, shuffle_buffer: int = 10_000,
                   drop_remainder: bool | None = None) -> tf.data.Dataset:
    """Batches ``(clips uint8 (B, frames, size, size, 3), labels int32 (B,))`` from the full
    Jester layout (folders of numbered JPEGs). ``"train"`` is shuffled, endless and starts
    each clip at a random offset; ``"validation"`` is one pass in CSV order from frame 0.
    ``num_clips`` keeps only the first videos of the split's CSV.

    Args:
        root: the Jester folder holding ``jester-v1-labels.csv`` and the split CSVs.
        split: ``"train"`` or ``"validation"``.
        batch_size: clips per batch, ``>= 1``.
        augment: apply :func:`~streamnets.data.pipeline.random_affine` to each clip.
        seed: seeds the shuffle, the start offsets and the augmentation.
        frames: frames per clip, ``1..256`` (BrainChip: 16).
        stride: step between sampled frames, ``>= 1`` (BrainChip: 2).
        size: side of the centre-cropped or zero-padded frames, ``32..512`` pixels.
        on_corrupt: ``"raise"`` stops on a corrupt or empty video, ``"skip"`` drops its
            clip with a warning (see the module docstring).
        num_clips: keep only this many videos, ``>= 1``; ``None`` keeps them all.
        shuffle_buffer: videos in the training shuffle buffer (capped at the split's
            size).
        drop_remainder: drop a last, smaller batch; ``None``: ``True`` for ``"train"``
            only.
    """
    import tensorflow as tf

    _check_common(split, batch_size, on_corrupt, frames, stride, size)
    read_labels(root)  # fails early, with a clear message, on a bad class list
    entries = read_split(root, split)[:_check_num_clips(num_clips)]
    folder = videos_folder(root)
    paths = [str(folder / video_id) for video_id, _ in entries]
    labels = np.array([label for _, label in entries], dtype=np.int32)

    def load(index, draw):
        files = frame_files(paths[int(index)])
        start = random_start(len(files), int(draw), frames, stride) if split == "train" else 0
        clip = _sampled_clip(lambda i: files[i].read_bytes(), [str(path) for path in files],
                             start, frames, stride, size)
        return clip, labels[int(index)]

    guarded = _guarded(load, on_corrupt, frames, size)

    def render(counter, index, draw):
        clip, label = tf.numpy_function(guarded, [index, draw], (tf.uint8, tf.int32),
                                        stateful=False)
        return counter, clip, label

    dataset = _indexed(len(paths), split, seed, shuffle_buffer).map(
        render, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return _finish(dataset, split, batch_size, augment, seed, frames, size, drop_remainder)


def tfrecord_files(root: str | os.PathLike, split: str) -> list[Path]:
    """The GZIP TFRecord files of a split in BrainChip's layout (``root/tfrecords/*val*``).

    Args:
        root: the subset's folder, holding ``tfrecords/``.
        split: ``"train"`` (files named ``*train*``) or ``"validation"`` (``*val*``).

    Raises:
        FileNotFoundError: no file matches.
    """
    folder = Path(root) / TFRECORDS_DIR
    pattern = TFRECORD_PATTERNS[split] if split in TFRECORD_PATTERNS else _split_csv(split)
    files = sorted(path for path in folder.glob(f"*{pattern}*") if path.is_file())
    if not files:
        raise FileNotFoundError(
            f"no TFRecord files matching *{pattern}* in {folder}: BrainChip's subset layout "
            f"keeps its GZIP TFRecords there (see streamnets.data.jester)."
        )
    return files


def jester_tfrecord_dataset(root: str | os.PathLike, split: str = "validation",
                            batch_size: int = 16, augment: bool = False, seed: int = 0,
                            frames: int = FRAMES, stride: int = STRIDE, size: int = SIZE,
                            on_corrupt: str = "raise", num_clips: int | None = None,
                            shuffle_buffer: int = 1_000,
                            drop_remainder: bool | None = None) -> tf.data.Dataset:
    """Same batches as :func:`jester_dataset`, read from BrainChip's GZIP TFRecords
    (``num_clips``: only the first records of the split's files).

    Args:
        root: the subset's folder, holding ``jester-v1-labels.csv`` and ``tfrecords/``.
        split: ``"train"`` or ``"validation"``.
        batch_size: clips per batch, ``>= 1``.
        augment: apply :func:`~streamnets.data.pipeline.random_affine` to each clip.
        seed: seeds the shuffle, the start offsets and the augmentation.
        frames: frames per clip, ``1..256``.
        stride: step between sampled frames, ``>= 1``.
        size: side of the centre-cropped or zero-padded frames, ``32..512`` pixels.
        on_corrupt: ``"raise"`` or ``"skip"``, as for :func:`jester_dataset`.
        num_clips: keep only this many records (taken before the shuffle), ``>= 1``;
            ``None`` keeps them all.
        shuffle_buffer: records in the training shuffle buffer.
        drop_remainder: drop a last, smaller batch; ``None``: ``True`` for ``"train"``
            only.
    """
    import tensorflow as tf

    _check_common(split, batch_size, on_corrupt, frames, stride, size)
    mapping = np.array(read_labels(root), dtype=np.int32)
    files = [str(path) for path in tfrecord_files(root, split)]
    records = tf.data.TFRecordDataset(files, compression_type="GZIP")
    if num_clips is not None:
        records = records.take(_check_num_clips(num_clips))
    if split == "train":
        records = records.shuffle(shuffle_buffer, seed=seed,
                                  reshuffle_each_iteration=True).repeat()
    context_spec = {key: tf.io.FixedLenFeature([], tf.string if key == "filename" else tf.int64)
                    for key in TFRECORD_CONTEXT}
    sequence_spec = {TFRECORD_SEQUENCE: tf.io.FixedLenSequenceFeature([], tf.string)}

    def load(jpegs, filename, label, draw):
        name = filename.decode("utf-8", "replace")
        if not 0 <= label < len(mapping):
            raise JesterDataError(
                f"TFRecord video {name!r}: label {label} is not a line of {LABELS_CSV} "
                f"({len(mapping)} classes); the records and the labels file do not match.")
        if len(jpegs) == 0:
            raise CorruptVideoError(f"TFRecord video {name!r} has no frames",
                                    "re-download or re-pack the TFRecords, or ")
        start = random_start(len(jpegs), int(draw), frames, stride) if split == "train" else 0
        names = [f"{name} (frame {i} in the TFRecord)" for i in range(len(jpegs))]
        return clip_from_jpegs(list(jpegs), names, start, frames, stride, size), mapping[label]

    guarded = _guarded(load, on_corrupt, frames, size)

    def render(counter, record, draw):
        context, sequence = tf.io.parse_single_sequence_example(
            record, context_features=context_spec, sequence_features=sequence_spec)
        clip, label = tf.numpy_function(
            guarded, [sequence[TFRECORD_SEQUENCE], context["filename"], context["label"], draw],
            (tf.uint8, tf.int32), stateful=False)
        return counter, clip, label

    dataset = tf.data.Dataset.zip((tf.data.Dataset.counter(), records,
                                   tf.data.Dataset.random(seed=seed)))
    dataset = dataset.map(render, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return _finish(dataset, split, batch_size, augment, seed, frames, size, drop_remainder)


def write_tfrecord_video(writer, jpegs: list[bytes], label: int, filename: str,
                         height: int, width: int) -> None:
    """Append one video to an open ``tf.io.TFRecordWriter`` in the layout read above (used by
    the tests' fixtures and handy for packing a few videos of your own).

    Args:
        writer: an open ``tf.io.TFRecordWriter`` (GZIP, to be read back by
            :func:`jester_tfrecord_dataset`).
        jpegs: the video's JPEG-encoded frames, in order.
        label: the line index of the class in ``jester-v1-labels.csv`` (not a
            ``JESTER_CLASSES`` index, unless the file lists the classes in that order).
        filename: the video's name, stored as context ``filename`` and quoted by errors.
        height: frame height in pixels (stored, not checked against the JPEGs).
        width: frame width in pixels (stored, not checked against the JPEGs).
    """
    import tensorflow as tf

    def ints(value):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))

    context = tf.train.Features(feature={
        "filename": tf.train.Feature(bytes_list=tf.train.BytesList(value=[filename.encode()])),
        "height": ints(height), "width": ints(width), "depth": ints(3),
        "frame_count": ints(len(jpegs)), "label": ints(label),
    })
    frames = tf.train.FeatureList(feature=[
        tf.train.Feature(bytes_list=tf.train.BytesList(value=[jpeg])) for jpeg in jpegs])
    example = tf.train.SequenceExample(
        context=context, feature_lists=tf.train.FeatureLists(feature_list={
            TFRECORD_SEQUENCE: frames}))
    writer.write(example.SerializeToString())
