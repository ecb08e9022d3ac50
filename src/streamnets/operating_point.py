"""Where a detector works: sweep θ and the decay on validation streams, pick one point.

A trigger (:func:`streamnets.detection.detect_events`) has two knobs. The decay sets how
long evidence lasts, the threshold θ how much of it a class needs before it fires. Together
they trade recall against false triggers per minute, and a low θ fires earlier. This module
scores every pair on a set of streams at once (:func:`sweep`), then picks the pair with the
best recall among those within a false-trigger budget (:func:`pick`). The pick is made on
validation streams only and then reported on test streams, so the test numbers are not
tuned to the streams they describe.

Metrics over several streams are pooled, not averaged: each stream is matched on its own
(:func:`streamnets.detection.match_events`), and the matchings are laid end to end
(:func:`pool`), so recall counts every event once and false triggers per minute divide by
the total length. No TensorFlow: the logits come from whichever runtime ran the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from streamnets.data.streams import MODEL_FPS, StreamEvent, stream_seed, synthetic_stream
from streamnets.detection import (
    DEFAULT_TOLERANCE,
    Detection,
    Matching,
    detect_from_probabilities,
    event_metrics,
    match_events,
    stream_probabilities,
)
from streamnets.smoothing import check_decay

#: Decays swept by default: from "the last frame only" to a long memory.
DEFAULT_DECAYS: tuple[float, ...] = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
#: Thresholds swept by default (normalised smoothed probabilities).
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.3 + 0.05 * i, 2) for i in range(14))
#: The false-trigger budget of the pick, per minute of stream (the issue's target).
MAX_FALSE_PER_MINUTE = 1.0
#: The metrics a sweep row keeps (the confusion table stays with :func:`evaluate`).
ROW_METRICS = ("events", "detections", "correct", "false_triggers", "recall", "precision",
               "false_triggers_per_minute", "delay_frames", "delay_seconds", "delay_fraction")


def _check_streams(logits: Sequence[np.ndarray], events: Sequence[Sequence[Any]]
                   ) -> list[np.ndarray]:
    if len(logits) != len(events) or not len(logits):
        raise ValueError(f"give one list of events per stream of logits, for at least one "
                         f"stream; got {len(logits)} logits and {len(events)} event lists.")
    return [np.asarray(x) for x in logits]


def pool(matchings: Sequence[Matching], lengths: Sequence[int]) -> Matching:
    """The matchings of several streams as one, the streams laid end to end.

    Events and detections are shifted by the frames of the streams before them; the pairs
    stay as each stream's own matching made them (no event is matched across streams).

    Args:
        matchings: one :class:`~streamnets.detection.Matching` per stream, all with the
            same tolerance.
        lengths: each stream's length in frames, in the same order.
    """
    if len(matchings) != len(lengths) or not matchings:
        raise ValueError("give one length per matching, for at least one matching.")
    tolerances = {m.tolerance for m in matchings}
    if len(tolerances) != 1:
        raise ValueError(f"matchings use different tolerances {sorted(tolerances)}.")
    events, detections, matched, confused = [], [], [], []
    offset = 0
    for matching, length in zip(matchings, lengths, strict=True):
        base = len(detections)
        events += [StreamEvent(e.label, e.start + offset, e.end + offset) for e in matching.events]
        detections += [Detection(d.label, d.frame + offset, d.score)
                       for d in matching.detections]
        matched += [None if j is None else j + base for j in matching.matched]
        confused += [None if j is None else j + base for j in matching.confused]
        offset += int(length)
    return Matching(tuple(events), tuple(detections), tolerances.pop(), tuple(matched),
                    tuple(confused))


def evaluate(logits: Sequence[np.ndarray], events: Sequence[Sequence[Any]], decay: float,
             threshold: float, tolerance: float = DEFAULT_TOLERANCE, fps: float = MODEL_FPS
             ) -> dict[str, Any]:
    """:func:`streamnets.detection.event_metrics` of one operating point, pooled over streams.

    ``logits`` holds one ``(T_i, C)`` array per never-reset stream, ``events`` its ground
    truth (:class:`~streamnets.data.StreamEvent` records).

    Args:
        logits: one per-frame logits array ``(T_i, C)`` per never-reset stream.
        events: one list of ground-truth events per stream, in the same order (anything
            :func:`~streamnets.detection.as_event` accepts).
        decay: the smoothing decay in ``[0, 1]``.
        threshold: the trigger level θ in ``(0, 1]``; Jester's two background classes
            never fire.
        tolerance: frames after a gesture's end during which a detection still counts.
        fps: the streams' frame rate, for the per-minute and seconds metrics.
    """
    logits = _check_streams(logits, events)
    probabilities = [stream_probabilities(x, check_decay(decay)) for x in logits]
    return _pooled_metrics(probabilities, events, threshold, tolerance, fps)


def _pooled_metrics(probabilities: Sequence[np.ndarray], events: Sequence[Sequence[Any]],
                    threshold: float, tolerance: float, fps: float) -> dict[str, Any]:
    """Trigger at θ on each stream's smoothed probabilities, match, pool, score."""
    matchings = [match_events(detect_from_probabilities(p, threshold), e, tolerance)
                 for p, e in zip(probabilities, events, strict=True)]
    lengths = [len(p) for p in probabilities]
    return event_metrics(pool(matchings, lengths), sum(lengths), fps)


def sweep(logits: Sequence[np.ndarray], events: Sequence[Sequence[Any]],
          decays: Sequence[float] = DEFAULT_DECAYS,
          thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
          tolerance: float = DEFAULT_TOLERANCE, fps: float = MODEL_FPS) -> list[dict[str, Any]]:
    """One row per ``(decay, threshold)``: the pooled metrics of :data:`ROW_METRICS`.

    Smoothing runs once per decay and stream; only the trigger and the matching run per θ.

    Args:
        logits: one per-frame logits array ``(T_i, C)`` per never-reset stream.
        events: one list of ground-truth events per stream, in the same order (anything
            :func:`~streamnets.detection.as_event` accepts).
        decays: the decays to try, each in ``[0, 1]``.
        thresholds: the thresholds θ to try, each in ``(0, 1]``.
        tolerance: frames after a gesture's end during which a detection still counts.
        fps: the streams' frame rate, for the per-minute and seconds metrics.

    Returns:
        Rows ``{"decay", "threshold", *ROW_METRICS}``, decays in the outer loop.
    """
    logits = _check_streams(logits, events)
    if not len(decays) or not len(thresholds):
        raise ValueError("give at least one decay and one threshold to sweep.")
    rows = []
    for decay in decays:
        decay = check_decay(decay)
        probabilities = [stream_probabilities(x, decay) for x in logits]
        for threshold in thresholds:
            metrics = _pooled_metrics(probabilities, events, threshold, tolerance, fps)
            rows.append({"decay": decay, "threshold": float(threshold),
                         **{k: metrics[k] for k in ROW_METRICS}})
    return rows


def pick(rows: Sequence[dict[str, Any]], max_false_per_minute: float = MAX_FALSE_PER_MINUTE
         ) -> dict[str, Any]:
    """The row with the best recall among those within the false-trigger budget.

    Ties go to the shorter median delay, then to fewer false triggers. If no row is within
    the budget, the row with the fewest false triggers per minute (then the best recall) is
    returned; ``within_budget`` says which case it is, so a caller can report it honestly.

    Args:
        rows: the rows of :func:`sweep`, at least one.
        max_false_per_minute: the false-trigger budget, per minute of stream.

    Returns:
        A copy of the picked row plus ``within_budget`` and
        ``max_false_triggers_per_minute``.
    """
    if not rows:
        raise ValueError("no sweep rows to pick from.")

    def delay(row: dict[str, Any]) -> float:
        return row["delay_frames"]["median"] if row["delay_frames"] else float("inf")

    within = [r for r in rows if r["false_triggers_per_minute"] <= max_false_per_minute]
    if within:
        best = min(within, key=lambda r: (-(r["recall"] or 0.0), delay(r),
                                          r["false_triggers_per_minute"]))
    else:
        best = min(rows, key=lambda r: (r["false_triggers_per_minute"], -(r["recall"] or 0.0)))
    return {**best, "within_budget": bool(within),
            "max_false_triggers_per_minute": float(max_false_per_minute)}


# -- streams and the whole tuning --------------------------------------------------------

#: Streams per split and frames per stream of :func:`tune` (3 minutes each at 6 fps).
DEFAULT_STREAMS = 10
DEFAULT_STREAM_FRAMES = 1080
#: Streams run through the model together (one batch of the streaming step).
STREAM_BATCH = 10


def stream_set(split: str, count: int, frames: int, size: int = 100
               ) -> tuple[np.ndarray, list[list[StreamEvent]]]:
    """The first ``count`` streams of a split (``stream_seed(split, 0 .. count - 1)``):
    uint8 ``(count, frames, size, size, 3)`` and their events.

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"``.
        count: how many streams, an int ``>= 1``.
        frames: frames per stream (at 6 fps: 360 is a minute).
        size: side of the square frames in pixels, ``32..512``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count (streams) must be an int >= 1, got {count!r}.")
    rendered = [synthetic_stream(stream_seed(split, i), frames, size) for i in range(count)]
    return np.stack([v for v, _ in rendered]), [e for _, e in rendered]


def run_streams(runner: Any, videos: np.ndarray, batch: int = STREAM_BATCH) -> list[np.ndarray]:
    """Per-frame logits of each stream, from one reset at its first frame and never again.

    ``runner`` is a :class:`~streamnets.streaming.StreamingModel` or a
    :class:`~streamnets.litert.LiteRTRunner` (anything with ``predict_clips``): a stream is
    a long clip streamed frame by frame, ``batch`` streams side by side.

    Args:
        runner: the model to run, with ``predict_clips(clips) -> (B, T, C)`` logits.
        videos: uint8 streams ``(N, T, H, W, 3)``, e.g. from :func:`stream_set`.
        batch: streams per ``predict_clips`` call (memory against speed).

    Returns:
        ``N`` logits arrays ``(T, C)``, in the order of ``videos``.
    """
    return [x for low in range(0, len(videos), batch)
            for x in runner.predict_clips(videos[low:low + batch])]


def tune(runner: Any, streams: int = DEFAULT_STREAMS, frames: int = DEFAULT_STREAM_FRAMES,
         size: int = 100, max_false_per_minute: float = MAX_FALSE_PER_MINUTE,
         decays: Sequence[float] = DEFAULT_DECAYS,
         thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> dict[str, Any]:
    """Pick the operating point on validation streams and report it on test streams.

    Returns the model card's ``operating_point`` block: ``decay`` and ``threshold`` (what
    the CLI, the export metadata and the browser page use), the rule, and the pooled
    metrics of the picked point on both splits (with the event confusion table on test).

    Args:
        runner: the model, with ``predict_clips`` (see :func:`run_streams`).
        streams: streams per split (the first ones of each, see :func:`stream_set`).
        frames: frames per stream; the default 1,080 is 3 minutes at 6 fps.
        size: frame side in pixels the model takes.
        max_false_per_minute: the false-trigger budget of :func:`pick`.
        decays: the decays swept on validation, each in ``[0, 1]``.
        thresholds: the thresholds θ swept on validation, each in ``(0, 1]``.
    """
    validation, validation_events = stream_set("validation", streams, frames, size)
    rows = sweep(run_streams(runner, validation), validation_events, decays, thresholds)
    del validation
    best = pick(rows, max_false_per_minute)
    test, test_events = stream_set("test", streams, frames, size)
    scores = evaluate(run_streams(runner, test), test_events, best["decay"], best["threshold"])
    picked = {k: best[k] for k in ROW_METRICS}
    described = {"streams": streams, "frames_per_stream": frames,
                 "minutes": streams * frames / MODEL_FPS / 60.0}
    return {
        "decay": best["decay"],
        "threshold": best["threshold"],
        "rule": f"best event recall with at most {max_false_per_minute:g} false trigger(s) "
        f"per minute on the validation streams (ties: shorter median delay); within budget: "
        f"{best['within_budget']}",
        "swept": {"decays": [float(d) for d in decays],
                  "thresholds": [float(t) for t in thresholds]},
        "validation": {**described, "seeds": f"stream_seed('validation', 0..{streams - 1})",
                       **picked},
        "test": {**described, "seeds": f"stream_seed('test', 0..{streams - 1})",
                 **{k: scores[k] for k in (*ROW_METRICS, "gesture_frames", "confusion")}},
    }
