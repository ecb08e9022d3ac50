"""Gestures as events in a stream that never resets: a trigger, a matcher and their metrics.

A deployed recognizer watches one endless stream. Its users ask whether each gesture
triggers exactly one action, how soon, and how often it fires when nobody gestures. This
module answers with three steps:

1. :func:`detect_events` turns a stream's per-frame logits into :class:`Detection` records
   (decay smoothing, a threshold, re-arming by hysteresis; :class:`EventDetector` is the
   same policy frame by frame).
2. :func:`match_events` pairs detections with the ground-truth :class:`StreamEvent` records.
3. :func:`event_metrics` reports recall, precision, false triggers per minute, detection
   delays and an event confusion table as JSON-ready values.

Time is counted in frames at the model's input rate, :data:`MODEL_FPS`. As in
:func:`streamnets.data.gesture_window`, time is continuous and frame ``k`` covers
``[k, k + 1)``; a detection at frame ``k`` has needed all of that frame, so it happens at
time ``k + 1`` (:attr:`Detection.time`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamnets.data.classes import JESTER_CLASSES, class_index
from streamnets.data.streams import MODEL_FPS, StreamEvent
from streamnets.smoothing import DEFAULT_DECAY, check_decay, smooth_probabilities, softmax

#: Default trigger level for a class's normalised smoothed probability. Above 0.5 at most
#: one class can cross it at a time. The operating point proper is picked on validation
#: streams and recorded in the model card; this is only a starting value.
DEFAULT_THRESHOLD = 0.6

#: The re-arm level as a fraction of the threshold when ``rearm`` is not given.
DEFAULT_REARM_FRACTION = 0.5

#: Frames after a gesture's end during which its detection still counts (0.5 s at 6 fps):
#: a causal, smoothed detector decides after it has seen the motion, often at its end.
DEFAULT_TOLERANCE = 3.0

#: Classes that describe "no gesture here"; they never trigger an action.
BACKGROUND_CLASSES: tuple[int, ...] = (class_index("No gesture"), class_index("Doing other things"))


def _check_index(name: str, value: Any) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__") or int(value) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(value)


def _check_finite(name: str, value: Any) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    return value


@dataclass(frozen=True)
class Detection:
    """A trigger: class ``label`` fired after frame ``frame`` with smoothed probability
    ``score``."""

    label: int
    frame: int
    score: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", _check_index("Detection label", self.label))
        object.__setattr__(self, "frame", _check_index("Detection frame", self.frame))
        object.__setattr__(self, "score", _check_finite("Detection score", self.score))

    @property
    def time(self) -> int:
        """When it fires on the events' continuous time axis: ``frame + 1``, the end of the
        frame whose evidence it needed."""
        return self.frame + 1


def as_event(record: Any) -> StreamEvent:
    """``record`` as an :class:`StreamEvent`: anything with ``label``, ``start`` and ``end``
    (such as a stream's ground truth) or a ``(label, start, end)`` tuple.

    Args:
        record: a :class:`StreamEvent` (returned as is), an object with ``label``,
            ``start`` and ``end`` attributes, or a 3-tuple; ``start`` and ``end`` in
            frames, ``end > start``.

    Raises:
        ValueError: ``record`` has none of these forms, or invalid values.
    """
    if isinstance(record, StreamEvent):
        return record
    if all(hasattr(record, name) for name in ("label", "start", "end")):
        return StreamEvent(record.label, record.start, record.end)
    if isinstance(record, tuple) and len(record) == 3:
        return StreamEvent(*record)
    raise ValueError(
        f"an event must have label, start and end (or be a (label, start, end) tuple), "
        f"got {record!r}."
    )


# -- trigger -----------------------------------------------------------------------------


def _check_trigger_args(
    threshold: float, rearm: float | None, background: Iterable[int], num_classes: int
) -> tuple[float, float, frozenset[int]]:
    threshold = _check_finite("threshold", threshold)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(
            f"threshold must be in (0, 1] (a normalised probability), got {threshold}."
        )
    rearm = threshold * DEFAULT_REARM_FRACTION if rearm is None else _check_finite("rearm", rearm)
    if not 0.0 < rearm <= threshold:
        raise ValueError(
            f"rearm must be in (0, threshold] = (0, {threshold}], got {rearm}; at 0 a class "
            f"would never fire again, above the threshold it would fire while still high."
        )
    background = frozenset(_check_index("background class", c) for c in background)
    outside = sorted(c for c in background if c >= num_classes)
    if outside:
        raise ValueError(
            f"background classes {outside} are not among the logits' {num_classes} classes; "
            f"pass background=() for a model without background classes."
        )
    return threshold, rearm, background


def stream_probabilities(logits: np.ndarray, decay: float = DEFAULT_DECAY) -> np.ndarray:
    """Normalised decay-smoothed probabilities ``P_t / sum(P_t)`` of one stream's ``(T, C)``
    logits.

    ``P_t`` (:func:`streamnets.smoothing.smooth_probabilities`) sums to
    ``(1 - d^t) / (1 - d)``: 1 at the first frame, ``1 / (1 - d)`` later. Dividing by the sum
    makes the threshold a probability whose meaning depends neither on the decay nor on
    how long ago the stream began, so one θ can be compared across decays.

    Args:
        logits: one stream's per-frame logits ``(T, C)``, finite numbers.
        decay: the smoothing decay ``d`` in ``[0, 1]`` (0: each frame alone).

    Returns:
        float64 ``(T, C)``; each row sums to 1.
    """
    decay = check_decay(decay)
    logits = np.asarray(logits)
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(
            f"logits must be one stream's per-frame logits of shape (frames, classes), got "
            f"shape {logits.shape}; give a batch of streams one at a time."
        )
    if not np.issubdtype(logits.dtype, np.number) or not np.all(np.isfinite(logits)):
        raise ValueError("logits must be finite numbers (found NaN, infinity or non-numbers).")
    smoothed = smooth_probabilities(logits, decay)
    return smoothed / smoothed.sum(axis=-1, keepdims=True)


def detect_from_probabilities(
    probabilities: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    background: Iterable[int] = BACKGROUND_CLASSES,
    rearm: float | None = None,
) -> list[Detection]:
    """The trigger of :func:`detect_events` on precomputed :func:`stream_probabilities`
    (a sweep over θ smooths once per decay).

    Args:
        probabilities: normalised smoothed probabilities ``(T, C)`` of one stream.
        threshold: the trigger level θ for a class's normalised probability, in
            ``(0, 1]``.
        background: class indices that never fire (by default "No gesture" and "Doing
            other things"); ``()`` for a model without background classes.
        rearm: the level a class must fall below before it can fire again, in
            ``(0, threshold]``; ``None``: ``threshold / 2``.

    Returns:
        The detections, sorted by frame, then class.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(
            f"probabilities must have shape (frames, classes), got {probabilities.shape}."
        )
    threshold, rearm, background = _check_trigger_args(
        threshold, rearm, background, probabilities.shape[1]
    )
    found = []
    for c in range(probabilities.shape[1]):
        if c in background:
            continue
        column = probabilities[:, c]
        high = np.flatnonzero(column >= threshold)
        low = np.flatnonzero(column < rearm)
        t = high[0] if high.size else None
        while t is not None:
            found.append(Detection(c, int(t), float(column[t])))
            k = np.searchsorted(low, t, side="right")  # first re-arm after the fire
            if k == low.size:
                break
            k = np.searchsorted(high, low[k], side="right")  # first crossing after it
            t = high[k] if k < high.size else None
    return sorted(found, key=lambda d: (d.frame, d.label))


def detect_events(
    logits: np.ndarray,
    decay: float = DEFAULT_DECAY,
    threshold: float = DEFAULT_THRESHOLD,
    background: Iterable[int] = BACKGROUND_CLASSES,
    rearm: float | None = None,
) -> list[Detection]:
    """Events in one never-reset stream of logits ``(T, C)``, in frame order.

    Smoothing: ``P_0 = 0``, ``P_t = d P_{t-1} + softmax(logits_t)``, normalised to sum to 1
    (:func:`stream_probabilities`), so θ is a probability whatever the decay.

    Trigger: class ``c`` fires at frame ``t`` when its normalised probability reaches
    ``threshold`` from below (``P_0 = 0``, so a class high at frame 0 fires there). The
    ``background`` classes never fire: they mean "no gesture".

    Re-arm by hysteresis: after firing, ``c`` cannot fire again until its probability has
    fallen below ``rearm`` (default ``threshold / 2``). A gesture keeps its class high for
    as long as it lasts plus the decay's tail, and gestures vary in length, so a refractory
    time would either double-fire on long gestures or swallow a quick repeat; hysteresis
    ties re-arming to the evidence itself, has no time constant to retune per frame rate,
    and a class wavering around θ does not chatter. Each class re-arms on its own, so the
    right class can still fire after a wrong one (which the matcher counts as false).
    Below θ = 0.5 two classes can fire on the same frame.

    Args:
        logits: one stream's per-frame logits ``(T, C)``, finite numbers.
        decay: the smoothing decay ``d`` in ``[0, 1]`` (0: each frame alone).
        threshold: the trigger level θ for a class's normalised probability, in
            ``(0, 1]``.
        background: class indices that never fire (by default "No gesture" and "Doing
            other things"); ``()`` for a model without background classes.
        rearm: the level a class must fall below before it can fire again, in
            ``(0, threshold]``; ``None``: ``threshold / 2``.
    """
    return detect_from_probabilities(
        stream_probabilities(logits, decay), threshold, background, rearm
    )


class EventDetector:
    """:func:`detect_events` frame by frame, for a live stream: feed each frame's logits.

    Args:
        decay: the smoothing decay ``d`` in ``[0, 1]`` (0: each frame alone).
        threshold: the trigger level θ for a class's normalised probability, in
            ``(0, 1]``.
        background: class indices that never fire (by default "No gesture" and "Doing
            other things"); ``()`` for a model without background classes. Checked
            against the class count at the first :meth:`update`.
        rearm: the level a class must fall below before it can fire again, in
            ``(0, threshold]``; ``None``: ``threshold / 2``.
    """

    def __init__(
        self,
        decay: float = DEFAULT_DECAY,
        threshold: float = DEFAULT_THRESHOLD,
        background: Iterable[int] = BACKGROUND_CLASSES,
        rearm: float | None = None,
    ) -> None:
        self.decay = check_decay(decay)
        self.threshold, self.rearm, _ = _check_trigger_args(threshold, rearm, (), 0)
        self.background = frozenset(_check_index("background class", c) for c in background)
        self.reset()

    def reset(self) -> None:
        """Start a new stream (a deployed detector never needs this)."""
        self.frame = 0
        self.state: np.ndarray | None = None
        self.armed: np.ndarray | None = None

    def update(self, logits: np.ndarray) -> list[Detection]:
        """Add one frame's logits ``(C,)``; return the detections it fires (usually none).

        Args:
            logits: this frame's logits, 1-D and finite; ``C`` must stay the same for
                the whole stream.
        """
        row = np.asarray(logits)
        if row.ndim != 1 or row.size == 0:
            raise ValueError(
                f"logits must be one frame's logits of shape (classes,), got {row.shape}."
            )
        if self.state is None:
            _check_trigger_args(self.threshold, self.rearm, self.background, row.size)
            self.state = np.zeros(row.size)
            self.armed = np.ones(row.size, dtype=bool)
            self.armed[list(self.background)] = False
        elif row.size != self.state.size:
            raise ValueError(f"logits changed from {self.state.size} to {row.size} classes.")
        if not np.issubdtype(row.dtype, np.number) or not np.all(np.isfinite(row)):
            raise ValueError("logits must be finite numbers (found NaN, infinity or non-numbers).")
        self.state = self.decay * self.state + softmax(row[None, :])[0]
        prob = self.state / self.state.sum()
        fire = self.armed & (prob >= self.threshold)
        self.armed = (self.armed & ~fire) | (prob < self.rearm)
        self.armed[list(self.background)] = False
        found = [Detection(int(c), self.frame, float(prob[c])) for c in np.flatnonzero(fire)]
        self.frame += 1
        return found


# -- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Matching:
    """Detections paired with ground-truth events by :func:`match_events`.

    ``matched[i]`` is the index in ``detections`` (sorted by frame) of event ``i``'s correct
    detection, or ``None``; ``confused[i]``, for an unmatched event, is the first false
    trigger of another class inside its window, used by the confusion table only.
    """

    events: tuple[StreamEvent, ...]
    detections: tuple[Detection, ...]
    tolerance: float
    matched: tuple[int | None, ...]
    confused: tuple[int | None, ...]

    @property
    def hits(self) -> list[tuple[StreamEvent, Detection]]:
        """(event, its correct detection) pairs."""
        return [(e, self.detections[j]) for e, j in zip(self.events, self.matched, strict=True)
                if j is not None]

    @property
    def missed(self) -> list[StreamEvent]:
        """Events without a correct detection."""
        return [e for e, j in zip(self.events, self.matched, strict=True) if j is None]

    @property
    def false_triggers(self) -> list[Detection]:
        """Detections that match no event: early, late, repeated, wrong class or in a gap."""
        used = {j for j in self.matched if j is not None}
        return [d for j, d in enumerate(self.detections) if j not in used]


def _within(detection: Detection, event: StreamEvent, tolerance: float) -> bool:
    return event.start < detection.time <= event.end + tolerance


def match_events(
    detections: Iterable[Detection],
    events: Iterable[Any],
    tolerance: float = DEFAULT_TOLERANCE,
) -> Matching:
    """Pair detections with events: correct, missed and false triggers.

    A detection is correct for an event if it has the event's class and fires after the
    gesture has begun and no later than ``tolerance`` frames after it ended:
    ``start < detection.time <= end + tolerance`` (``time = frame + 1``, so a fire on a
    frame wholly before the gesture is early). Each event matches at most once; every
    other detection is a false trigger (early, late, a repeat, a wrong class, in a gap).
    Detections are taken in time order and each goes to the unmatched event of its class
    whose window it falls in and ends first (ties: starts first), which pairs as many as
    possible and gives each event its earliest correct detection unless an earlier
    event needed it.

    Source: this is the streaming rule of TensorFlow's Speech Commands example
    (``test_streaming_accuracy`` and its ``StreamingAccuracyStats``: a detection counts if
    it has the right label within ``time_tolerance_ms`` of a ground-truth word, each word
    matches once, the rest are false positives), with its symmetric window around a word's
    onset widened to the gesture's whole span plus the tolerance, because a gesture lasts
    about a second and a causal model can only name it once the motion is under way.

    Args:
        detections: :class:`Detection` records of one stream, in any order.
        events: the stream's ground-truth events, anything :func:`as_event` accepts.
        tolerance: frames after a gesture's end during which a detection still counts,
            ``>= 0`` (default 3 frames, 0.5 s at 6 fps).
    """
    tolerance = _check_finite("tolerance", tolerance)
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0 frames, got {tolerance}.")
    events = tuple(as_event(e) for e in events)
    detections = tuple(detections)
    for d in detections:
        if not isinstance(d, Detection):
            raise ValueError(f"detections must be Detection records, got {d!r}.")
    detections = tuple(sorted(detections, key=lambda d: (d.frame, d.label)))
    order = sorted(range(len(events)), key=lambda i: (events[i].end, events[i].start))
    matched: list[int | None] = [None] * len(events)
    for j, d in enumerate(detections):
        for i in order:
            e = events[i]
            if matched[i] is None and e.label == d.label and _within(d, e, tolerance):
                matched[i] = j
                break
    used = {j for j in matched if j is not None}
    confused: list[int | None] = [None] * len(events)
    for i in sorted(range(len(events)), key=lambda i: (events[i].start, events[i].end)):
        if matched[i] is not None:
            continue
        for j, d in enumerate(detections):
            if j not in used and _within(d, events[i], tolerance):
                confused[i] = j
                used.add(j)
                break
    return Matching(events, detections, tolerance, tuple(matched), tuple(confused))


# -- metrics -----------------------------------------------------------------------------


def class_name(label: int) -> str:
    """Jester's name for ``label``, or the index as text for a model with more classes.

    Args:
        label: a class index.
    """
    return JESTER_CLASSES[label] if 0 <= label < len(JESTER_CLASSES) else str(label)


NO_EVENT = "none"
MISSED = "missed"


def event_confusion(matching: Matching) -> dict[str, dict[str, int]]:
    """Counts ``{truth: {detected: n}}``, every event and every detection counted once.

    Rows are an event's class, or ``"none"`` for detections outside any event (early,
    late, repeated, in a gap). Columns are the detected class, or ``"missed"`` for an
    event with no detection in its window. The diagonal holds the correct detections; an
    unmatched event shows the first wrong-class detection in its window.

    Args:
        matching: the result of :func:`match_events`.
    """
    table: dict[str, dict[str, int]] = {}

    def add(row: str, column: str) -> None:
        table.setdefault(row, {})
        table[row][column] = table[row].get(column, 0) + 1

    attributed = set()
    for e, j, k in zip(matching.events, matching.matched, matching.confused, strict=True):
        hit = j if j is not None else k
        said = MISSED if hit is None else class_name(matching.detections[hit].label)
        add(class_name(e.label), said)
        attributed.add(hit)
    for j, d in enumerate(matching.detections):
        if j not in attributed:
            add(NO_EVENT, class_name(d.label))
    return table


def _summary(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": float(np.median(values)), "p90": float(np.percentile(values, 90))}


def event_metrics(matching: Matching, frames: int, fps: float = MODEL_FPS) -> dict[str, Any]:
    """StreamEvent recall and precision, false triggers per minute, delays and the confusion table.

    ``frames`` is the stream's length and ``fps`` its frame rate (:data:`MODEL_FPS`).
    Delays run from the gesture's start to the detection's :attr:`Detection.time`, over the
    correct detections; ``p90`` is numpy's linearly interpolated 90th percentile. Values
    are plain numbers, ``None`` where undefined (no events, no detections, no hits), so the
    dict can go to JSON as is.

    Args:
        matching: the result of :func:`match_events` for one stream (or several
            concatenated, with ``frames`` their total length).
        frames: the stream's length in frames, ``> 0``; every detection must lie before it.
        fps: frames per second of the stream, ``> 0``, to convert to minutes and seconds.
    """
    frames = _check_index("frames", frames)
    if frames == 0:
        raise ValueError("frames must be > 0: a stream without frames has no rate of anything.")
    fps = _check_finite("fps", fps)
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}.")
    late = [d.frame for d in matching.detections if d.frame >= frames]
    if late:
        raise ValueError(
            f"detections at frames {late[:5]} lie beyond the stream's {frames} frames; pass "
            f"the length of the stream the detections came from."
        )
    hits = matching.hits
    n_events, n_detections, n_false = (
        len(matching.events), len(matching.detections), len(matching.false_triggers))
    delays = [d.time - e.start for e, d in hits]
    minutes = frames / fps / 60.0
    return {
        "frames": frames,
        "fps": fps,
        "minutes": minutes,
        "tolerance_frames": matching.tolerance,
        "events": n_events,
        "detections": n_detections,
        "correct": len(hits),
        "missed": n_events - len(hits),
        "false_triggers": n_false,
        "recall": len(hits) / n_events if n_events else None,
        "precision": len(hits) / n_detections if n_detections else None,
        "false_triggers_per_minute": n_false / minutes,
        "delay_frames": _summary(delays),
        "delay_seconds": _summary([x / fps for x in delays]),
        "delay_fraction": _summary([(d.time - e.start) / e.length for e, d in hits]),
        "gesture_frames": _summary([e.length for e in matching.events]),
        "confusion": event_confusion(matching),
    }
