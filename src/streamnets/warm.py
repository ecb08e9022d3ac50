"""Warm clip accuracy: scoring a streaming model the way a live stream feeds it.

Every chapter scores pre-cut clips, and a streaming model fed one clip after a reset
starts from zeros in every FIFO buffer. Those zeros are exactly the clip model's causal
padding, so the streamed logits equal the clip model's (chapter 4), but they also tell
the model something a live stream never does: *the clip starts here*. A model trained on
padded clips can read the clip's first frame as the gesture's start pose, and name the
direction of a mirror-pair gesture (chapter 3) before the hand has moved.

A camera never resets. This module measures both starts on the same clips:

* **cold**: each clip streamed from a reset (zeros in every buffer), as the chapters
  score clips (``runner.predict_clips(clips)``);
* **warm**: each clip streamed right after a *preceding* clip of another class, with no
  reset in between (``runner.predict_clips(clips, preceding=...)``); decay smoothing
  still starts at the clip's first frame, so only the buffers carry over.

Which clips. The scored clips are clips of the ``"test"`` split (clip ``i`` is class
``i % 27`` with seed ``i``), so they are the clips the chapters already score. Every
preceding clip comes from the ``"validation"`` split, whose seeds are disjoint from the
test split's: a scored clip is never its own preceder, and no clip is scored and used as
history. Each preceder's class is drawn at random (seeded) among the classes other than
the scored clip's, so a warm clip never continues a clip of its own class.

:func:`preceder_table` asks the narrower question of issue 12: how the decision after a
few frames depends on *what* preceded the clip (a reset, still copies of the clip's
first frame, a "No gesture" clip, a "Doing other things" clip).

Anything with ``predict_clips(clips, preceding=None)`` returning per-frame logits
``(B, T, C)`` can be scored: :class:`streamnets.streaming.StreamingModel` and
:class:`streamnets.litert.LiteRTRunner` both qualify. Results are plain dicts of floats,
lists and strings, ready for ``json.dumps`` and a model card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from streamnets import smoothing, train
from streamnets.data import (
    NUM_CLASSES,
    class_index,
    clip_spec,
    synthetic_clip,
)

#: The frames after which the early decision is reported (issue 12's table).
REPORT_FRAMES: tuple[int, ...] = (1, 4, 8, 16)
#: Split of the scored clips and split the preceding clips are drawn from (disjoint seeds).
SCORED_SPLIT, PRECEDER_SPLIT = "test", "validation"
#: Still copies of the clip's first frame in the "still frames" preceder.
STILL_FRAMES = 8
#: Seed of the draw of the preceders' classes when none is given.
DEFAULT_SEED = 12
#: The preceders of :func:`preceder_table`, in the order of issue 12's table.
PRECEDERS: tuple[str, ...] = ("reset", "still", "No gesture", "Doing other things")


class ClipRunner(Protocol):
    """What :func:`score_cold_warm` needs of a model: per-frame logits of whole clips,
    optionally after preceding frames streamed without a reset."""

    def predict_clips(self, clips: Any, *, preceding: Any = None) -> np.ndarray:
        """Per-frame logits ``(N, T, C)`` of ``clips``, each streamed from a reset.

        Args:
            clips: uint8 clips ``(N, T, H, W, C)``.
            preceding: uint8 clips ``(N, T0, H, W, C)`` streamed before ``clips`` with no
                reset in between (their logits are not returned); ``None``: none.
        """
        ...  # pragma: no cover


@dataclass(frozen=True)
class WarmClips:
    """Scored clips, each with the clip that precedes it in the warm measurement.

    ``clips`` (uint8 ``(N, T, H, W, 3)``), their ``labels`` (int32) and test-split
    ``seeds`` (int64); ``preceding`` (uint8 ``(N, T0, H, W, 3)``), where ``preceding[i]``
    is streamed right before ``clips[i]`` with no reset, with its ``preceding_labels``
    (never equal to ``labels``) and validation-split ``preceding_seeds``. The seeds let any
    clip be rendered again with :func:`streamnets.data.synthetic_clip`.
    """

    clips: np.ndarray
    labels: np.ndarray
    seeds: np.ndarray
    preceding: np.ndarray
    preceding_labels: np.ndarray
    preceding_seeds: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}.")
    return int(value)


def _check_classes(classes: Sequence[int | str] | None) -> list[int]:
    """Class indices (names accepted), sorted and unique; all classes for ``None``."""
    if classes is None:
        return list(range(NUM_CLASSES))
    indices = sorted({class_index(c) for c in classes})
    if not indices:
        raise ValueError("classes is empty: there is nothing to score.")
    return indices


def scored_specs(num_clips: int, classes: Sequence[int | str] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Labels (int32) and seeds (int64) of the first ``num_clips`` test-split clips whose
    class is in ``classes`` (all 27 when ``None``).

    The test split cycles through the classes (clip ``i`` is class ``i % 27``), so the
    selection is balanced across ``classes`` and, for ``classes=None``, is exactly the
    first ``num_clips`` clips the chapters score with ``synthetic_dataset("test")``.

    Args:
        num_clips: how many clips, a positive int.
        classes: class indices or names to keep; ``None`` keeps all 27.
    """
    num_clips = _check_count("num_clips", num_clips)
    wanted = _check_classes(classes)
    labels, seeds = [], []
    rounds = -(-num_clips // len(wanted))  # ceil: enough rounds of 27 clips
    for index in range(rounds * NUM_CLASSES):
        label, seed = clip_spec(SCORED_SPLIT, index)
        if label in wanted:
            labels.append(label)
            seeds.append(seed)
    return (np.array(labels[:num_clips], np.int32), np.array(seeds[:num_clips], np.int64))


def preceder_specs(labels: np.ndarray, seed: int = DEFAULT_SEED,
                   classes: Sequence[int | str] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Labels (int32) and validation-split seeds (int64) of one preceding clip per label.

    Each preceder's class is drawn uniformly (generator seeded with ``seed``) among
    ``classes`` (all 27 when ``None``) minus the scored clip's own class, so the buffers
    never carry the start of the same gesture. Preceder ``i`` of class ``c`` is validation
    clip ``27 * i + c``: a different clip for every position, with seeds disjoint from
    the test split's.

    Args:
        labels: the scored clips' class indices ``(N,)``.
        seed: seed of the draw of the preceders' classes.
        classes: class indices or names to draw from; ``None``: all 27. It must hold a
            class other than each label.
    """
    labels = np.asarray(labels)
    pool = _check_classes(classes)
    rng = np.random.default_rng(np.random.SeedSequence([0x3A4E, int(seed)]))
    out_labels, out_seeds = [], []
    for position, label in enumerate(labels.tolist()):
        choices = [c for c in pool if c != label]
        if not choices:
            raise ValueError(f"classes {pool} hold no class other than {label}: a preceder "
                             "must be of another class.")
        other = int(choices[int(rng.integers(len(choices)))])
        out_labels.append(other)
        out_seeds.append(clip_spec(PRECEDER_SPLIT, NUM_CLASSES * position + other)[1])
    return np.array(out_labels, np.int32), np.array(out_seeds, np.int64)


def render(labels: np.ndarray, seeds: np.ndarray, frames: int = 16, size: int = 100
           ) -> np.ndarray:
    """uint8 clips ``(N, frames, size, size, 3)``, one per ``(label, seed)``.

    Args:
        labels: class indices ``(N,)``.
        seeds: clip seeds ``(N,)``, e.g. from :func:`scored_specs`.
        frames: frames per clip, ``1..256``.
        size: side of the square frames in pixels, ``32..512``.
    """
    return np.stack([synthetic_clip(int(label), int(seed), frames, size)
                     for label, seed in zip(labels, seeds, strict=True)])


def warm_clip_set(num_clips: int, classes: Sequence[int | str] | None = None,
                  frames: int = 16, size: int = 100, seed: int = DEFAULT_SEED,
                  preceding_frames: int | None = None) -> WarmClips:
    """A fixed set of scored clips and, for each, a preceding clip of another class.

    Args:
        num_clips: How many clips to score: the first ones of the test split among
            ``classes`` (:func:`scored_specs`).
        classes: Class indices or names to score (e.g.
            :func:`streamnets.train.mirror_pair_classes`); ``None`` for all 27. The
            preceders are drawn from all 27 classes either way: in a live stream anything
            can come before a gesture.
        frames: Frames of the scored clips (the model's clip length).
        size: Height and width of every clip (the model's input size).
        seed: Seed of the draw of the preceders' classes (:func:`preceder_specs`).
        preceding_frames: Length of the preceding clips; ``frames`` when ``None``.

    Returns:
        The same :class:`WarmClips` for the same arguments, on any machine.
    """
    labels, seeds = scored_specs(num_clips, classes)
    before_labels, before_seeds = preceder_specs(labels, seed)
    before_frames = frames if preceding_frames is None else preceding_frames
    return WarmClips(
        clips=render(labels, seeds, frames, size), labels=labels, seeds=seeds,
        preceding=render(before_labels, before_seeds, _check_count("preceding_frames",
                                                                   before_frames), size),
        preceding_labels=before_labels, preceding_seeds=before_seeds,
    )


# --------------------------------------------------------------------------- scoring


def _frames_reported(n_frames: int, frames: Sequence[int]) -> list[int]:
    reported = [int(t) for t in frames if 1 <= int(t) <= n_frames]
    if not reported:
        raise ValueError(f"none of the frames {list(frames)} is within the clips' "
                         f"{n_frames} frames.")
    return reported


def summarize(logits: np.ndarray, labels: np.ndarray, decay: float = smoothing.DEFAULT_DECAY,
              frames: Sequence[int] = REPORT_FRAMES) -> dict[str, Any]:
    """Clip accuracy, first-frame accuracy and early decisions of per-frame ``logits``.

    Returns ``{"clips", "clip_accuracy", "first_frame_accuracy", "accuracy_after_frames",
    "accuracy_vs_frames"}``: ``clip_accuracy`` is the decay-smoothed decision after the
    last frame; ``first_frame_accuracy`` the first frame's own guess (the decision after
    one frame, whatever the decay); ``accuracy_after_frames`` maps ``"t"`` (a string, for
    JSON) to the decision after ``t`` frames for each of ``frames`` the clips have;
    ``accuracy_vs_frames`` is the whole curve.

    Args:
        logits: per-frame logits ``(N, T, C)`` of the scored clips.
        labels: the clips' class indices ``(N,)``.
        decay: the smoothing decay in ``[0, 1]``.
        frames: the frame counts after which to report the decision; those beyond the
            clips' length are left out (at least one must fit).
    """
    logits, labels = smoothing.check_clip_labels(logits, labels)
    curve = smoothing.accuracy_vs_frames(logits, labels, decay)
    return {
        "clips": int(len(labels)),
        "clip_accuracy": float(curve[-1]),
        "first_frame_accuracy": float(np.mean(logits[:, 0].argmax(-1) == labels)),
        "accuracy_after_frames": {str(t): float(curve[t - 1])
                                  for t in _frames_reported(logits.shape[1], frames)},
        "accuracy_vs_frames": [float(a) for a in curve],
    }


def cold_warm_logits(runner: ClipRunner, clip_set: WarmClips) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame logits of the scored clips from a reset (cold) and after their preceding
    clips with no reset (warm), each ``(N, T, C)``.

    Args:
        runner: the model, anything with ``predict_clips`` (:class:`ClipRunner`).
        clip_set: the scored clips and their preceders, from :func:`warm_clip_set`.
    """
    cold = np.asarray(runner.predict_clips(clip_set.clips))
    warm = np.asarray(runner.predict_clips(clip_set.clips, preceding=clip_set.preceding))
    return cold, warm


def score_logits(cold: np.ndarray, warm: np.ndarray, labels: np.ndarray,
                 decay: float = smoothing.DEFAULT_DECAY,
                 frames: Sequence[int] = REPORT_FRAMES) -> dict[str, Any]:
    """:func:`score_cold_warm` from logits already computed (see :func:`cold_warm_logits`).

    Args:
        cold: per-frame logits ``(N, T, C)`` of the clips streamed from a reset.
        warm: per-frame logits ``(N, T, C)`` of the same clips after their preceders.
        labels: the clips' class indices ``(N,)``.
        decay: the smoothing decay in ``[0, 1]``.
        frames: the frame counts after which to report the decision; those beyond the
            clips' length are left out (at least one must fit).

    Returns:
        The dict of :func:`score_cold_warm` without its ``"preceding"`` entry.
    """
    labels = np.asarray(labels)
    mirror = np.isin(labels, train.mirror_pair_classes())
    result: dict[str, Any] = {"decay": float(smoothing.check_decay(decay))}
    for start, logits in (("cold", cold), ("warm", warm)):
        result[start] = {
            "all": summarize(logits, labels, decay, frames),
            "mirror_pairs": summarize(np.asarray(logits)[mirror], labels[mirror], decay, frames)
            if mirror.any() else None,
        }
    return result


def score_cold_warm(runner: ClipRunner, clip_set: WarmClips,
                    decay: float = smoothing.DEFAULT_DECAY,
                    frames: Sequence[int] = REPORT_FRAMES) -> dict[str, Any]:
    """Cold and warm accuracy of ``runner`` on ``clip_set``, as a JSON-able dict.

    Returns ``{"decay", "preceding": {...}, "cold": {"all", "mirror_pairs"}, "warm":
    {...}}``, each leaf a :func:`summarize` dict (``"mirror_pairs"`` is ``None`` when the
    set holds no mirror-pair clip). The gap between ``cold`` and ``warm`` is what the
    model takes from the reset rather than from the clip; on mirror pairs, whose two
    classes differ only in the direction of time, it is largest.

    Args:
        runner: the model, anything with ``predict_clips`` (:class:`ClipRunner`).
        clip_set: the scored clips and their preceders, from :func:`warm_clip_set`.
        decay: the smoothing decay in ``[0, 1]``.
        frames: the frame counts after which to report the decision; those beyond the
            clips' length are left out (at least one must fit).
    """
    cold, warm = cold_warm_logits(runner, clip_set)
    result = score_logits(cold, warm, clip_set.labels, decay, frames)
    result["preceding"] = {
        "split": PRECEDER_SPLIT,
        "frames": int(clip_set.preceding.shape[1]),
        "of_another_class": bool(np.all(clip_set.preceding_labels != clip_set.labels)),
    }
    return result


# --------------------------------------------------------------------------- preceders


def still_frames(clips: np.ndarray, count: int = STILL_FRAMES) -> np.ndarray:
    """``count`` copies of each clip's first frame, ``(N, count, H, W, C)``: a camera that
    showed the start pose, unmoving, before the gesture.

    Args:
        clips: clips ``(N, T, H, W, C)``.
        count: how many copies, a positive int.
    """
    clips = np.asarray(clips)
    return np.repeat(clips[:, :1], _check_count("count", count), axis=1)


def class_preceders(label: int | str, count: int, frames: int = 16, size: int = 100
                    ) -> np.ndarray:
    """``count`` validation-split clips of class ``label``, ``(count, frames, size, size, 3)``.

    Clip ``i`` is validation clip ``27 * i + label``: fixed, different for every position,
    and never a test-split clip.

    Args:
        label: the class, an index or a name (e.g. ``"No gesture"``).
        count: how many clips, a positive int.
        frames: frames per clip, ``1..256``.
        size: side of the square frames in pixels, ``32..512``.
    """
    index = class_index(label)
    seeds = [clip_spec(PRECEDER_SPLIT, NUM_CLASSES * i + index)[1]
             for i in range(_check_count("count", count))]
    return render(np.full(len(seeds), index), np.array(seeds), frames, size)


def preceder_table(runner: ClipRunner, clips: np.ndarray, labels: np.ndarray,
                   decay: float = smoothing.DEFAULT_DECAY,
                   frames: Sequence[int] = REPORT_FRAMES, still: int = STILL_FRAMES,
                   preceding_frames: int | None = None) -> dict[str, Any]:
    """Accuracy after ``frames`` frames depending on what preceded the clips.

    Preceders (:data:`PRECEDERS`): ``"reset"`` (zeros in every buffer, today's cold
    start), ``"still"`` (``still`` copies of the clip's first frame after a reset: a hand
    held in the start pose), a ``"No gesture"`` clip and a ``"Doing other things"`` clip
    (validation-split clips, :func:`class_preceders`, streamed after a reset, then the
    clip with no reset). A model that recognizes motion should do about as well after any
    of them; a model that reads "the buffers were empty" as "the gesture starts now" does
    well only after the reset.

    Args:
        runner: the model, anything with ``predict_clips`` (:class:`ClipRunner`).
        clips: the scored uint8 clips ``(N, T, H, W, 3)``.
        labels: their class indices ``(N,)``.
        decay: the smoothing decay in ``[0, 1]``.
        frames: the frame counts after which to report the decision; those beyond the
            clips' length are left out (at least one must fit).
        still: frames in the ``"still"`` preceder, a positive int.
        preceding_frames: length of the class preceders; ``T`` when ``None``.

    Returns:
        ``{"clips", "decay", "frames": [...], "accuracy": {preceder: {"t": accuracy}}}``.
    """
    clips = np.asarray(clips)
    labels = np.asarray(labels)
    n, n_frames, size = clips.shape[0], clips.shape[1], clips.shape[2]
    before_frames = n_frames if preceding_frames is None else preceding_frames
    reported = _frames_reported(n_frames, frames)
    preceding = {
        "reset": None,
        "still": still_frames(clips, still),
        **{name: class_preceders(name, n, before_frames, size)
           for name in PRECEDERS[2:]},
    }
    accuracy = {}
    for name, before in preceding.items():
        logits = np.asarray(runner.predict_clips(clips) if before is None
                            else runner.predict_clips(clips, preceding=before))
        curve = smoothing.accuracy_vs_frames(logits, labels, decay)
        accuracy[name] = {str(t): float(curve[t - 1]) for t in reported}
    return {"clips": int(n), "decay": float(decay), "frames": reported, "accuracy": accuracy}


def mirror_pair_set(per_class: int, frames: int = 16, size: int = 100
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Clips and labels of the mirror-pair classes, ``per_class`` test-split clips each.

    Issue 12 measured 120 such clips (10 pairs, 6 clips per class); the test split cycles
    through the classes, so these are the first test clips of the 20 mirror classes.

    Args:
        per_class: clips per mirror class, a positive int.
        frames: frames per clip, ``1..256``.
        size: side of the square frames in pixels, ``32..512``.

    Returns:
        uint8 clips ``(20 * per_class, frames, size, size, 3)`` and their int32 labels.
    """
    classes = train.mirror_pair_classes()
    labels, seeds = scored_specs(_check_count("per_class", per_class) * len(classes), classes)
    return render(labels, seeds, frames, size), labels


__all__ = [
    "PRECEDERS",
    "REPORT_FRAMES",
    "ClipRunner",
    "WarmClips",
    "class_preceders",
    "cold_warm_logits",
    "mirror_pair_set",
    "preceder_specs",
    "preceder_table",
    "render",
    "score_cold_warm",
    "score_logits",
    "scored_specs",
    "still_frames",
    "summarize",
    "warm_clip_set",
]
