"""Synthetic streams: shapes, determinism, ground truth, one continuous scene, gestures that
move like the clips' gestures, and seed splits disjoint from each other and from the clips."""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np
import pytest

from streamnets.data import (
    JESTER_CLASSES,
    LABEL_TAIL,
    MODEL_FPS,
    SPLIT_SEEDS,
    STREAM_SPLIT_SEEDS,
    StreamEvent,
    gesture_window,
    stream_frame_labels,
    stream_seed,
    synthetic_stream,
)
from streamnets.data.classes import class_index
from streamnets.data.streams import ACTION_CLASSES, MAX_STREAM_FRAMES, MAX_STREAM_SEED

SEEDS = range(8)
BACKGROUND = {class_index("No gesture"), class_index("Doing other things")}


@cache
def _stream(seed: int, frames: int = 600, size: int = 100):
    return synthetic_stream(seed, frames, size, return_masks=True)


def _centroids(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame hand centre (x, y) in pixels and hand area, from the coverage masks."""
    centres = np.arange(masks.shape[-1]) + 0.5
    weight = masks.sum(axis=(1, 2))
    safe = np.maximum(weight, 1e-9)
    return (masks.sum(axis=1) @ centres) / safe, (masks.sum(axis=2) @ centres) / safe, weight


def _in_gesture(events: list[StreamEvent], frames: int) -> np.ndarray:
    inside = np.zeros(frames, dtype=bool)
    for event in events:
        inside[int(np.floor(event.start)):int(np.ceil(event.end))] = True
    return inside


@pytest.mark.parametrize(("frames", "size"), [(1, 32), (17, 64), (40, 100)])
def test_shape_and_dtype(frames, size):
    video, events, masks = synthetic_stream(5, frames, size, return_masks=True)
    assert video.shape == (frames, size, size, 3) and video.dtype == np.uint8
    assert masks.shape == (frames, size, size) and masks.dtype == np.float32
    assert isinstance(events, list)
    plain = synthetic_stream(5, frames, size)
    assert len(plain) == 2 and np.array_equal(plain[0], video) and plain[1] == events


def test_same_seed_same_bytes_and_seeds_differ():
    first, events = synthetic_stream(3, 120, 64)
    again, events_again = synthetic_stream(3, 120, 64)
    assert first.tobytes() == again.tobytes() and events == events_again
    other, other_events = synthetic_stream(4, 120, 64)
    assert np.abs(first.astype(np.int16) - other).mean() > 10.0
    assert events != other_events


def test_pixels_are_pinned():
    # Same seed, same bytes on any machine. If this fails, the stream's pixels changed:
    # bump STREAM_VERSION and update the digest on purpose.
    video, events = synthetic_stream(0, 48, 64)
    digest = hashlib.sha256(video.tobytes()).hexdigest()[:16]
    assert digest == PINNED_DIGEST, digest


PINNED_DIGEST = "ab230ccfe11639a4"


def test_events_are_sorted_disjoint_inside_and_action_classes_only():
    seen = set()
    for seed in SEEDS:
        video, events, _ = _stream(seed)
        assert events, f"stream {seed} has no gesture in 100 s"
        for event in events:
            assert isinstance(event, StreamEvent)
            assert event.label in ACTION_CLASSES and event.label not in BACKGROUND
            assert 0.0 <= event.start < event.end <= len(video)
            assert event.name == JESTER_CLASSES[event.label]
        for before, after in zip(events, events[1:], strict=False):
            assert before.end <= after.start
        seen |= {event.label for event in events}
    assert len(ACTION_CLASSES) == 25 and len(seen) >= 20  # many classes, not a few
    with pytest.raises(AttributeError):
        events[0].label = 3  # frozen


def test_event_count_grows_with_length():
    short = [len(synthetic_stream(seed, 120, 32)[1]) for seed in SEEDS]
    long = [len(synthetic_stream(seed, 1200, 32)[1]) for seed in SEEDS]
    assert sum(long) > 5 * sum(short) and min(long) >= 3
    # Gestures are events, not the whole stream: most of the time nobody gestures.
    per_minute = np.mean(long) / (1200 / MODEL_FPS / 60.0)
    assert 2.0 <= per_minute <= 15.0


def _jumps(video: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per step: mean absolute pixel change, and the hand's centre displacement in frame
    widths (NaN unless the hand is fully in view on both frames)."""
    pixels = np.abs(np.diff(video.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    cx, cy, area = _centroids(masks)
    edge = (masks[:, :2].sum(axis=(1, 2)) + masks[:, -2:].sum(axis=(1, 2))
            + masks[:, :, :2].sum(axis=(1, 2)) + masks[:, :, -2:].sum(axis=(1, 2)))
    seen = (area > 20.0) & (edge == 0.0)
    moves = np.hypot(np.diff(cx), np.diff(cy)) / masks.shape[-1]
    moves[~(seen[1:] & seen[:-1])] = np.nan
    return pixels, moves


def _pixel_changes(video: np.ndarray, masks: np.ndarray, events: list[StreamEvent]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixel change above the stream's noise floor (its median step) and hand moves, on
    steps that touch a gesture and on the others."""
    pixels, moves = _jumps(video, masks)
    assert pixels.mean() < 12.0  # camera noise and slow motion, no cuts
    pixels = pixels - np.median(pixels)
    inside = _in_gesture(events, len(video))
    touch = inside[1:] | inside[:-1]
    return pixels[touch], pixels[~touch], moves[touch], moves[~touch]


def test_the_scene_is_continuous():
    parts = [_pixel_changes(video, masks, events)
             for video, events, masks in (_stream(seed) for seed in SEEDS)]
    in_pixels, out_pixels, in_moves, out_moves = (
        np.concatenate(p) for p in zip(*parts, strict=True))
    # No frame changes much more than a typical frame of a gesture (2x its 90th percentile)...
    assert out_pixels.max() < 2.0 * np.percentile(in_pixels, 90)
    # ... and between gestures the hand travels slower than gestures move it (no jumps).
    assert np.nanmax(out_moves) < 0.08
    assert np.nanmax(in_moves) > 0.1
    assert np.isfinite(out_moves).sum() > 1000  # the hand is mostly in view


def test_the_continuity_check_catches_a_cut():
    (video, events, masks), (other, _, other_masks) = _stream(0), _stream(1)
    in_pixels, _, _, _ = _pixel_changes(video, masks, events)
    spliced = np.concatenate([video[:300], other[300:]])
    pixels, _ = _jumps(spliced, np.concatenate([masks[:300], other_masks[300:]]))
    assert pixels[299] - np.median(pixels) > 2.0 * np.percentile(in_pixels, 90)
    # A hand that teleports by a quarter of the frame is caught too.
    _, moves = _jumps(video, masks)
    step = int(np.flatnonzero(np.isfinite(moves))[100])
    shift = 25 if _centroids(masks)[0][step + 1] < 50 else -25
    jumped = masks.copy()
    jumped[step + 1:] = np.roll(masks[step + 1:], shift, axis=2)
    _, moves = _jumps(video, jumped)
    assert moves[step] > 0.08


def test_the_background_is_one_scene_up_to_slow_drift():
    for seed in SEEDS:
        video, _, masks = _stream(seed)
        other = _stream(seed + 100)[0]
        free = (masks[:6].max(axis=0) < 1e-3) & (masks[-6:].max(axis=0) < 1e-3)
        start, end = video[:6].mean(axis=0)[free], video[-6:].mean(axis=0)[free]
        elsewhere = other[:6].mean(axis=0)[free]
        same = np.abs(start - end).mean()
        assert same < 15.0 and same < 0.5 * np.abs(start - elsewhere).mean()
        # The lighting drifts, slowly: mean brightness changes little from frame to frame.
        brightness = video.reshape(len(video), -1).mean(axis=1)
        assert np.abs(np.diff(brightness)).max() < 8.0
        assert np.ptp(brightness) > 2.0  # but it does drift


DIRECTIONS = {
    "Swiping Left": (-1, 0), "Swiping Right": (1, 0), "Swiping Down": (0, 1),
    "Swiping Up": (0, -1), "Sliding Two Fingers Left": (-1, 0),
    "Sliding Two Fingers Right": (1, 0), "Sliding Two Fingers Down": (0, 1),
    "Sliding Two Fingers Up": (0, -1),
}


def test_translations_move_the_hand_in_the_named_direction():
    checked = 0
    for seed in range(24):
        video, events, masks = _stream(seed)
        cx, cy, _ = _centroids(masks)
        for event in events:
            name = JESTER_CLASSES[event.label]
            if name not in DIRECTIONS:
                continue
            first, last = int(np.floor(event.start)), int(np.ceil(event.end)) - 1
            shift = np.array([cx[last] - cx[first], cy[last] - cy[first]]) / video.shape[2]
            along = shift @ np.array(DIRECTIONS[name])
            # Clips move 30-65 % of the frame; in view, the centre moves at least 15 %.
            assert along > 0.15, (seed, event, shift)
            checked += 1
    assert checked >= 20


def test_gestures_last_as_long_as_in_clips():
    durations = {}
    for seed in range(24):
        for event in _stream(seed)[1]:
            durations.setdefault(event.label, []).append(event.end - event.start)
    for name in ("Swiping Left", "Thumb Up", "Shaking Hand"):
        label = class_index(name)
        windows = [gesture_window(label, seed) for seed in range(400)]
        clip = [end - start for start, end in windows if start >= 0 and end <= 16]
        stream = durations[label]
        assert min(clip) - 1e-9 <= min(stream) and max(stream) <= max(clip) + 1e-9
        assert abs(np.median(stream) - np.median(clip)) < 0.2 * np.median(clip)


def test_model_rate():
    assert MODEL_FPS == 6.0
    assert "MODEL_FPS" in synthetic_stream.__doc__


def test_stream_seed_splits_are_disjoint_from_each_other_and_from_clip_seeds():
    ranges = list(STREAM_SPLIT_SEEDS.values()) + list(SPLIT_SEEDS.values())
    for i, (low, high) in enumerate(ranges):
        assert low < high
        for other_low, other_high in ranges[i + 1:]:
            assert high <= other_low or other_high <= low
    for split, (low, high) in STREAM_SPLIT_SEEDS.items():
        assert stream_seed(split, 0) == low and low <= stream_seed(split, 999) < high
        synthetic_stream(stream_seed(split, 0), 2, 32)
    assert max(high for _, high in STREAM_SPLIT_SEEDS.values()) == MAX_STREAM_SEED + 1
    test_stream = synthetic_stream(stream_seed("test", 0), 30, 32)[0]
    validation_stream = synthetic_stream(stream_seed("validation", 0), 30, 32)[0]
    assert not np.array_equal(test_stream, validation_stream)
    with pytest.raises(ValueError, match="split"):
        stream_seed("val", 0)
    with pytest.raises(ValueError, match="index"):
        stream_seed("test", 1_000_000)
    with pytest.raises(ValueError, match="index"):
        stream_seed("test", -1)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"seed": -1}, "seed"), ({"seed": MAX_STREAM_SEED + 1}, "seed"), ({"seed": 1.5}, "seed"),
    ({"seed": True}, "seed"), ({"frames": 0}, "frames"),
    ({"frames": MAX_STREAM_FRAMES + 1}, "frames"), ({"frames": 2.0}, "frames"),
    ({"size": 31}, "size"), ({"size": 513}, "size"),
])
def test_bad_arguments_raise_clear_errors(kwargs, match):
    arguments = {"seed": 0, "frames": 4, "size": 32, **kwargs}
    with pytest.raises(ValueError, match=match):
        synthetic_stream(**arguments)


# ------------------------------------------------------------------ per-frame targets


@pytest.mark.parametrize("seed", [0, 3])
def test_frame_labels_follow_the_events_with_their_tail(seed):
    _, events, _ = _stream(seed)
    labels = stream_frame_labels(seed, 600)
    assert labels.shape == (600,) and labels.dtype == np.int32
    centres = np.arange(600) + 0.5
    expected = np.full(600, -1)
    for e in events:
        expected[(centres >= e.start) & (centres < e.end + LABEL_TAIL)] = e.label
    gesture = expected >= 0
    assert np.array_equal(labels[gesture], expected[gesture])
    assert set(labels[~gesture].tolist()) <= BACKGROUND
    # The tail is part of the label: with tail 0 only the gesture's own frames are labelled.
    bare = stream_frame_labels(seed, 600, tail=0)
    assert (bare < 25).sum() < (labels < 25).sum()
    assert np.array_equal(stream_frame_labels(seed, 600), labels)  # deterministic


def test_both_background_classes_occur_and_unrelated_motion_moves():
    labels = np.concatenate([stream_frame_labels(seed, 600) for seed in SEEDS])
    counts = {c: int((labels == c).sum()) for c in BACKGROUND}
    assert min(counts.values()) > 100, counts
    # Frames labelled "Doing other things" change more than resting "No gesture" frames.
    other, idle = [], []
    for seed in SEEDS[:4]:
        video, _, _ = _stream(seed)
        change = np.abs(np.diff(video.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
        lab = stream_frame_labels(seed, 600)[1:]
        other.append(change[lab == class_index("Doing other things")])
        idle.append(change[lab == class_index("No gesture")])
    assert np.median(np.concatenate(other)) > np.median(np.concatenate(idle))


def test_frame_labels_reject_a_negative_tail():
    with pytest.raises(ValueError, match="tail"):
        stream_frame_labels(0, 60, tail=-1)
