"""tf.data pipelines: batched uint8 clips and int32 labels, generated in parallel.

Splits come from disjoint ranges of clip seeds (:data:`SPLIT_SEEDS`):

* ``"test"``: clip ``i`` is class ``i % 27`` rendered with seed ``i`` (seeds 0 .. 999,999);
* ``"validation"``: class ``i % 27`` with seed ``1,000,000 + i`` (up to 1,999,999);
* ``"train"``: an endless stream (or the first ``num_clips``) of fresh seeds from
  ``2,000,000 + seed * 2**40 + i``; every run of 27 consecutive clips holds each class once,
  in an order shuffled per run, so batches are balanced and mixed.

Validation and test sets are fixed lists of clips (the ``seed`` argument only changes the
augmentation there); the training stream never repeats a clip.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from streamnets.data.classes import JESTER_CLASSES, NUM_CLASSES
from streamnets.data.streams import (
    LABEL_TAIL,
    stream_frame_labels,
    stream_seed,
    synthetic_stream,
)
from streamnets.data.synthetic import MAX_SEED, check_clip_args, synthetic_clip

if TYPE_CHECKING:
    import tensorflow as tf

#: [first, last + 1) clip seed of each split. Disjoint, so no test clip is ever trained on.
SPLIT_SEEDS: dict[str, tuple[int, int]] = {
    "test": (0, 1_000_000),
    "validation": (1_000_000, 2_000_000),
    "train": (2_000_000, MAX_SEED),
}
#: Clips in the validation/test sets when ``num_clips`` is not given.
DEFAULT_EVAL_CLIPS = {"validation": 540, "test": 1080}
#: Distance between the seed ranges of two training streams (``seed`` argument).
TRAIN_STREAM_STRIDE = 2**40
MAX_STREAM_SEED = 2**20
#: BrainChip's training augmentation: one random affine map per clip, shared by its frames.
AUGMENT_ROTATION_DEG = 10.0
AUGMENT_SHIFT = 0.1
AUGMENT_ZOOM = (0.9, 1.1)


def _check_split(split: str) -> None:
    if split not in SPLIT_SEEDS:
        raise ValueError(f"split must be one of {sorted(SPLIT_SEEDS)}, got {split!r}.")


def _check_stream_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
            0 <= seed < MAX_STREAM_SEED):
        raise ValueError(f"seed must be an int in [0, {MAX_STREAM_SEED}), got {seed!r}.")


@lru_cache(maxsize=256)
def _block_order(seed: int, block: int) -> np.ndarray:
    """The shuffled order of the 27 classes in one block of the training stream."""
    sequence = np.random.SeedSequence([0x5EED, seed, block])
    return np.random.Generator(np.random.PCG64(sequence)).permutation(NUM_CLASSES)


def clip_spec(split: str, index: int, seed: int = 0) -> tuple[int, int]:
    """The ``(label, clip_seed)`` of clip number ``index`` of a split (see module docstring).

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"``.
        index: the clip's position in the split, ``>= 0`` (below 1,000,000 for
            validation and test).
        seed: the training stream, an int in ``[0, 2**20)``; validation and test clips
            do not depend on it.
    """
    _check_split(split)
    _check_stream_seed(seed)
    start, stop = SPLIT_SEEDS[split]
    if split == "train":
        clip_seed = start + seed * TRAIN_STREAM_STRIDE + index
        label = int(_block_order(int(seed), index // NUM_CLASSES)[index % NUM_CLASSES])
    else:
        clip_seed = start + index
        label = index % NUM_CLASSES
    if not (index >= 0 and clip_seed < stop):
        raise ValueError(f"index {index} is outside the {split!r} split (0 .. {stop - start - 1}).")
    return label, clip_seed


def split_specs(split: str, num_clips: int | None = None, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Labels (int32) and clip seeds (int64) of the first ``num_clips`` clips of a split.

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"``.
        num_clips: how many clips, ``>= 1``; ``None`` takes the split's default size
            (:data:`DEFAULT_EVAL_CLIPS`) and is refused for ``"train"``.
        seed: the training stream, as for :func:`clip_spec`.

    Returns:
        ``(labels, seeds)``, two arrays of shape ``(num_clips,)``.
    """
    count = _num_clips(split, num_clips)
    if count is None:
        raise ValueError("num_clips must be given for the endless 'train' stream.")
    specs = [clip_spec(split, index, seed) for index in range(count)]
    labels = np.array([label for label, _ in specs], dtype=np.int32).reshape(count)
    seeds = np.array([clip_seed for _, clip_seed in specs], dtype=np.int64).reshape(count)
    return labels, seeds


def _num_clips(split: str, num_clips: int | None) -> int | None:
    _check_split(split)
    if num_clips is None:
        return DEFAULT_EVAL_CLIPS.get(split)
    start, stop = SPLIT_SEEDS[split]
    limit = min(stop - start, 2**40)
    if isinstance(num_clips, bool) or not isinstance(num_clips, (int, np.integer)) or not (
            1 <= num_clips <= limit):
        raise ValueError(f"num_clips must be None or an int in [1, {limit}], got {num_clips!r}.")
    return int(num_clips)


def random_affine(clip: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """One random affine map (rotation +-10 deg, shift +-10 %, zoom 0.9-1.1) applied to every
    frame of ``clip`` (T, H, W, C), nearest neighbour, zeros outside: BrainChip's training
    augmentation. ``seed`` is a stateless-random seed (shape (2,) int), so it is reproducible.

    Args:
        clip: one clip ``(T, H, W, C)``, any numeric dtype (the pixels are moved, not
            blended).
        seed: a shape ``(2,)`` integer tensor for ``tf.random.stateless_uniform``.

    Returns:
        The transformed clip, same shape and dtype.
    """
    import tensorflow as tf

    height = tf.cast(tf.shape(clip)[1], tf.float32)
    width = tf.cast(tf.shape(clip)[2], tf.float32)
    draws = tf.random.stateless_uniform([4], seed=seed, minval=-1.0, maxval=1.0)
    angle = draws[0] * AUGMENT_ROTATION_DEG * np.pi / 180.0
    shift_x = draws[1] * AUGMENT_SHIFT * width
    shift_y = draws[2] * AUGMENT_SHIFT * height
    low, high = AUGMENT_ZOOM
    zoom = low + (draws[3] + 1.0) * 0.5 * (high - low)
    # The op maps each output pixel to the input pixel it reads: undo shift, rotation, zoom
    # about the image centre.
    cos, sin = tf.cos(angle) / zoom, tf.sin(angle) / zoom
    centre_x, centre_y = (width - 1.0) / 2.0, (height - 1.0) / 2.0
    out_x, out_y = centre_x + shift_x, centre_y + shift_y
    transform = tf.stack([cos, sin, centre_x - cos * out_x - sin * out_y,
                          -sin, cos, centre_y + sin * out_x - cos * out_y, 0.0, 0.0])
    frames = tf.shape(clip)[0]
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=clip, transforms=tf.tile(transform[None], [frames, 1]),
        output_shape=tf.shape(clip)[1:3], fill_value=0.0, interpolation="NEAREST",
        fill_mode="CONSTANT")


def finish_dataset(dataset: tf.data.Dataset, batch_size: int, augment: bool, seed: int,
                   drop_remainder: bool) -> tf.data.Dataset:
    """Shared tail of every pipeline: ``dataset`` yields ``(index, clip, label)``; optional
    augmentation seeded by ``(seed, index)``, batching, prefetching.

    Args:
        dataset: yields ``(index, clip, label)`` per element, ``index`` an integer.
        batch_size: elements per batch.
        augment: apply :func:`random_affine` to each clip.
        seed: first half of each clip's stateless augmentation seed (the index is the
            second), so the same run draws the same augmentation.
        drop_remainder: drop a last, smaller batch (gives a static batch shape).

    Returns:
        A prefetched dataset of ``(clips, labels)`` batches.
    """
    import tensorflow as tf

    if augment:
        def _augment(index, clip, label):
            stateless_seed = tf.stack([tf.cast(seed, tf.int64), tf.cast(index, tf.int64)])
            return index, random_affine(clip, stateless_seed), label

        dataset = dataset.map(_augment, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.map(lambda index, clip, label: (clip, label))
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def check_batch_size(batch_size: int) -> None:
    """Raise ``ValueError`` unless ``batch_size`` is a positive int.

    Args:
        batch_size: the value to check; ``bool`` and floats are refused.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or (
            batch_size < 1):
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")


def synthetic_dataset(split: str = "train", batch_size: int = 16, num_clips: int | None = None,
                      augment: bool = False, seed: int = 0, frames: int = 16, size: int = 100,
                      drop_remainder: bool | None = None) -> tf.data.Dataset:
    """Batches ``(clips uint8 (B, frames, size, size, 3), labels int32 (B,))`` of synthetic
    gestures, rendered in parallel (``num_parallel_calls=AUTOTUNE``) in a fixed order.

    ``num_clips=None`` means an endless stream for ``"train"`` and the default set size
    (:data:`DEFAULT_EVAL_CLIPS`) for ``"validation"``/``"test"``. ``drop_remainder``
    defaults to ``True`` for training (static batch shape) and ``False`` otherwise.

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"`` (see :data:`SPLIT_SEEDS`).
        batch_size: clips per batch, ``>= 1``.
        num_clips: clips in the dataset, ``>= 1``, or ``None`` as above.
        augment: apply :func:`random_affine`, one random map per clip.
        seed: an int in ``[0, 2**20)``: which training stream to read, and the
            augmentation seed (for validation and test only the latter).
        frames: frames per clip, ``1..256``.
        size: side of the square frames in pixels, ``32..512``.
        drop_remainder: drop a last, smaller batch; ``None`` picks by split as above.
    """
    import tensorflow as tf

    _check_split(split)
    _check_stream_seed(seed)
    check_batch_size(batch_size)
    check_clip_args(frames, size, 0)
    count = _num_clips(split, num_clips)
    indices = tf.data.Dataset.counter() if count is None else tf.data.Dataset.range(count)

    def render(index: np.int64) -> tuple[np.ndarray, np.int32]:
        label, clip_seed = clip_spec(split, int(index), seed)
        return synthetic_clip(label, clip_seed, frames, size), np.int32(label)

    def render_tf(index):
        clip, label = tf.numpy_function(render, [index], (tf.uint8, tf.int32), stateful=False)
        clip.set_shape((frames, size, size, 3))
        label.set_shape(())
        return index, clip, label

    dataset = indices.map(render_tf, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if drop_remainder is None:
        drop_remainder = split == "train"
    return finish_dataset(dataset, batch_size, augment, seed, drop_remainder)


#: Frames of every training window cut from a stream (more than the model's 21-frame
#: receptive field, so its last frames are computed exactly as in a never-reset stream).
DEFAULT_WINDOW = 32
#: Each window is cut from a stream this many frames longer than the window.
WINDOW_SLACK = 64
#: Share of windows placed so that they hold a whole gesture and its label tail (the rest
#: start anywhere): streams are mostly gaps, and the model must still see many gestures.
GESTURE_SHARE = 0.75
#: Training windows of one ``seed`` take their streams from this many consecutive
#: training-stream indices.
WINDOW_SEED_STRIDE = 2**40


def stream_window(index: int, seed: int = 0, window: int = DEFAULT_WINDOW, size: int = 100
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Training window ``index`` of run ``seed``: uint8 ``(window, size, size, 3)`` frames and
    their int32 ``(window,)`` per-frame targets (:func:`stream_frame_labels`).

    It is cut from its own training stream (``stream_seed("train", seed * 2**40 + index)``,
    :data:`WINDOW_SLACK` frames longer than the window). With probability
    :data:`GESTURE_SHARE` the cut is drawn among those that hold one whole gesture plus its
    label tail, anywhere in the window; otherwise anywhere. So a window may open on the
    stream's first frame, mid-gap or mid-gesture: the model cannot learn that a window
    starts where a gesture does.

    Args:
        index: the window's number within the run, ``>= 0``.
        seed: the run, an int in ``[0, 2**20)``; runs use disjoint training streams.
        window: frames per window, ``>= 1``.
        size: side of the square frames in pixels, ``32..512``.

    Returns:
        ``(frames, labels)``.
    """
    _check_stream_seed(seed)
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}.")
    length = window + WINDOW_SLACK
    stream = stream_seed("train", seed * WINDOW_SEED_STRIDE + index)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([0x3A11, seed, index])))
    frames, events = synthetic_stream(stream, length, size)
    labels = stream_frame_labels(stream, length, size)
    cuts = [(max(0, math.ceil(e.end) + LABEL_TAIL - window), min(WINDOW_SLACK, math.floor(e.start)))
            for e in events]
    cuts = [(low, high) for low, high in cuts if low <= high]
    low, high = 0, WINDOW_SLACK
    if cuts and rng.random() < GESTURE_SHARE:
        low, high = cuts[int(rng.integers(len(cuts)))]
    offset = int(rng.integers(low, high + 1))
    return frames[offset:offset + window], labels[offset:offset + window]


#: "No gesture" and "Doing other things": what a window without a gesture is labelled.
BACKGROUND_LABELS = (JESTER_CLASSES.index("No gesture"),
                     JESTER_CLASSES.index("Doing other things"))
#: Targets of a training window: one per frame, or the window's one label at every frame.
WINDOW_TARGETS = ("frames", "window")


def window_label(labels: np.ndarray) -> int:
    """One label for a whole window of per-frame targets, as a clip has one: the action
    class with the most frames in it, or, with none, the most frequent background class
    (ties: the smaller index). Repeated at every frame it gives BrainChip's loss on a window.

    Args:
        labels: one window's per-frame class indices, a non-empty 1-D int array ``(T,)``
            with values ``0..26``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not labels.size:
        raise ValueError(f"labels must be one window's per-frame targets (T,), got shape "
                         f"{labels.shape}.")
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    actions = counts.copy()
    actions[list(BACKGROUND_LABELS)] = 0
    return int(np.argmax(actions if actions.any() else counts))


def stream_window_dataset(batch_size: int = 16, seed: int = 0, window: int = DEFAULT_WINDOW,
                          size: int = 100, targets: str = "frames") -> tf.data.Dataset:
    """Endless batches ``(frames uint8 (B, window, size, size, 3), labels int32 (B, window))``
    of :func:`stream_window` ``0, 1, 2, ...``, rendered in parallel in a fixed order: the
    training data of the stream-aware model (never a clip boundary).

    ``targets="frames"`` keeps each frame's own target; ``"window"`` repeats
    :func:`window_label` at every frame, the clip-label loss of BrainChip's recipe applied
    to the same windows, for comparing the two losses on the same data.

    Args:
        batch_size: windows per batch, ``>= 1`` (every batch is full).
        seed: the run, an int in ``[0, 2**20)``, as for :func:`stream_window`.
        window: frames per window, ``>= 1``.
        size: side of the square frames in pixels, ``32..512``.
        targets: ``"frames"`` or ``"window"``, as above (:data:`WINDOW_TARGETS`).
    """
    import tensorflow as tf

    check_batch_size(batch_size)
    if targets not in WINDOW_TARGETS:
        raise ValueError(f"targets must be one of {WINDOW_TARGETS}, got {targets!r}.")
    stream_window(0, seed, window, size)  # checks the arguments before any graph is built

    def render(index: np.int64) -> tuple[np.ndarray, np.ndarray]:
        frames, labels = stream_window(int(index), seed, window, size)
        if targets == "window":
            labels = np.full_like(labels, window_label(labels))
        return frames, labels

    def render_tf(index):
        frames, labels = tf.numpy_function(render, [index], (tf.uint8, tf.int32),
                                           stateful=False)
        frames.set_shape((window, size, size, 3))
        labels.set_shape((window,))
        return index, frames, labels

    dataset = tf.data.Dataset.counter().map(render_tf, num_parallel_calls=tf.data.AUTOTUNE,
                                            deterministic=True)
    return finish_dataset(dataset, batch_size, False, seed, True)


def calibration_clips(num_clips: int, frames: int = 16, size: int = 100) -> np.ndarray:
    """The first ``num_clips`` clips of the synthetic training split, uint8 ``(N, T, H, W, 3)``.

    Training clips, as in BrainChip's recipe: 8-bit calibration must see the inputs the
    model was trained on, and the test clips stay untouched for scoring. They are the same
    clips as the first batch of ``synthetic_dataset("train", num_clips)`` (no augmentation).

    Args:
        num_clips: how many clips, ``>= 1``.
        frames: frames per clip ``T``, ``1..256``.
        size: side ``H = W`` of the square frames in pixels, ``32..512``.
    """
    if isinstance(num_clips, bool) or not isinstance(num_clips, (int, np.integer)) or (
            num_clips < 1):
        raise ValueError(f"num_clips (calibration clips) must be an int >= 1, got "
                         f"{num_clips!r}.")
    check_clip_args(frames, size, 0)
    return np.stack([synthetic_clip(*clip_spec("train", index), frames, size)
                     for index in range(num_clips)])
