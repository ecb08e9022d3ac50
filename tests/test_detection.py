"""The event detector, the matcher and the stream metrics, on hand-made cases."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from streamnets.data.classes import NUM_CLASSES, class_index
from streamnets.data.streams import StreamEvent
from streamnets.detection import (
    BACKGROUND_CLASSES,
    MODEL_FPS,
    Detection,
    EventDetector,
    detect_events,
    event_confusion,
    event_metrics,
    match_events,
    stream_probabilities,
)
from streamnets.smoothing import smooth_probabilities, softmax

NO_GESTURE = class_index("No gesture")
OTHER = class_index("Doing other things")


def one_hot_logits(classes: list[int], num_classes: int = NUM_CLASSES, high: float = 10.0):
    """Logits that put almost all probability on one class per frame."""
    logits = np.zeros((len(classes), num_classes))
    logits[np.arange(len(classes)), classes] = high
    return logits


def logits_for(probabilities: list[float], num_classes: int = 3) -> np.ndarray:
    """Logits whose softmax gives class 1 exactly ``p`` per frame (the rest shared)."""
    p = np.asarray(probabilities, dtype=np.float64)
    rest = (1.0 - p) / (num_classes - 1)
    probs = np.repeat(rest[:, None], num_classes, axis=1)
    probs[:, 1] = p
    return np.log(probs)


def frames_of(detections: list[Detection]) -> list[tuple[int, int]]:
    return [(d.label, d.frame) for d in detections]


# -- matcher -------------------------------------------------------------------------------

EVENT = StreamEvent(0, 10.0, 20.0)


def test_the_model_rate_is_jester_12_fps_at_stride_2():
    assert MODEL_FPS == 12 / 2


@pytest.mark.parametrize(
    ("frame", "correct"),
    [
        (8, False),   # wholly before the gesture: early
        (9, False),   # frame 9 covers [9, 10): still before start = 10
        (10, True),   # first frame of the gesture
        (19, True),   # last frame of the gesture
        (21, True),   # time 22 = end + tolerance: late but within tolerance
        (22, False),  # time 23 > end + tolerance: too late
    ],
)
def test_a_detection_counts_between_start_and_end_plus_tolerance(frame, correct):
    m = match_events([Detection(0, frame, 0.9)], [EVENT], tolerance=2)
    assert (m.matched == (0,)) is correct
    assert len(m.false_triggers) == (0 if correct else 1)
    assert len(m.missed) == (0 if correct else 1)


def test_early_fire_is_false_and_the_event_missed():
    m = match_events([Detection(0, 5, 0.9)], [EVENT], tolerance=2)
    assert m.matched == (None,)
    assert m.false_triggers == [Detection(0, 5, 0.9)]
    assert m.missed == [EVENT]


def test_late_fire_is_false_and_the_event_missed():
    m = match_events([Detection(0, 30, 0.9)], [EVENT], tolerance=2)
    assert m.missed == [EVENT] and len(m.false_triggers) == 1
    assert event_confusion(m) == {"Swiping Left": {"missed": 1}, "none": {"Swiping Left": 1}}


def test_double_fire_matches_once_and_the_second_is_false():
    first, second = Detection(0, 12, 0.7), Detection(0, 15, 0.8)
    m = match_events([second, first], [EVENT], tolerance=2)  # order of input does not matter
    assert m.hits == [(EVENT, first)]
    assert m.false_triggers == [second]


def test_wrong_class_is_false_and_the_event_missed():
    wrong = Detection(1, 12, 0.9)
    m = match_events([wrong], [EVENT], tolerance=2)
    assert m.false_triggers == [wrong] and m.missed == [EVENT]
    assert event_confusion(m) == {"Swiping Left": {"Swiping Right": 1}}


def test_fire_in_a_gap_between_events_is_false():
    events = [StreamEvent(0, 10, 20), StreamEvent(1, 30, 40)]
    gap = [Detection(0, 25, 0.9), Detection(1, 25, 0.9)]  # time 26: after 20 + 2, before 30
    m = match_events(gap, events, tolerance=2)
    assert m.matched == (None, None)
    assert len(m.false_triggers) == 2


def test_two_events_close_together_get_one_detection_each():
    events = [StreamEvent(0, 10, 20), StreamEvent(1, 21, 30)]
    # Frame 21 (time 22) is within event 0's tolerance and inside event 1's span.
    detections = [Detection(0, 21, 0.9), Detection(1, 25, 0.9)]
    m = match_events(detections, events, tolerance=3)
    assert m.matched == (0, 1) and m.false_triggers == []


def test_two_close_events_of_one_class_each_match_once():
    events = [StreamEvent(0, 21, 30), StreamEvent(0, 10, 20)]  # not in time order
    both = match_events([Detection(0, 15, 0.9), Detection(0, 24, 0.9)], events, tolerance=6)
    assert both.matched == (1, 0) and both.false_triggers == []
    # One detection inside both windows serves one event only: the one that ends first.
    one = match_events([Detection(0, 23, 0.9)], events, tolerance=6)
    assert one.matched == (None, 0)
    assert one.missed == [StreamEvent(0, 21, 30)]


def test_events_may_be_any_record_with_label_start_end():
    records = [SimpleNamespace(label=0, start=10.0, end=20.0), (1, 30, 40)]
    m = match_events([Detection(1, 31, 0.9)], records)
    assert m.events == (EVENT, StreamEvent(1, 30.0, 40.0)) and m.matched == (None, 0)


# -- trigger -------------------------------------------------------------------------------


def test_threshold_crossing_on_a_synthetic_sequence():
    # decay 0: the smoothed probability is the frame's own softmax.
    p = [0.2, 0.4, 0.59, 0.61, 0.9, 0.7]
    found = detect_events(logits_for(p), decay=0.0, threshold=0.6, background=())
    assert frames_of(found) == [(1, 3)]
    assert found[0].score == pytest.approx(0.61)


def test_a_class_high_at_the_first_frame_fires_there():
    found = detect_events(logits_for([0.9, 0.9]), decay=0.5, threshold=0.6, background=())
    assert frames_of(found) == [(1, 0)]


def test_smoothed_probabilities_are_normalised_to_sum_to_one():
    d = 0.5
    logits = logits_for([0.7] * 6)
    q = stream_probabilities(logits, d)
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    np.testing.assert_allclose(q, softmax(logits))  # constant input: constant probability
    t = np.arange(1, 7)[:, None]
    np.testing.assert_allclose(q, smooth_probabilities(logits, d) * (1 - d) / (1 - d**t))
    # Unnormalised, P_1 = 0.7 * 1.5 would pass 0.8; normalised 0.7 never does.
    assert detect_events(logits, decay=d, threshold=0.8, background=()) == []
    assert detect_events(logits, decay=d, threshold=0.7 - 1e-9, background=()) != []


def test_background_classes_never_fire():
    idle = [NO_GESTURE] * 10 + [OTHER] * 10 + [NO_GESTURE] * 10
    logits = one_hot_logits(idle)
    assert set(BACKGROUND_CLASSES) == {NO_GESTURE, OTHER}
    assert detect_events(logits, threshold=0.01) == []
    assert {d.label for d in detect_events(logits, background=())} == {NO_GESTURE, OTHER}


def test_a_class_that_stays_high_fires_once_and_again_after_falling_below_rearm():
    swipe = class_index("Swiping Left")
    stream = [NO_GESTURE] * 5 + [swipe] * 20 + [NO_GESTURE] * 10 + [swipe] * 10
    found = detect_events(one_hot_logits(stream), decay=0.8, threshold=0.6)
    assert [d.label for d in found] == [swipe, swipe]
    assert 5 <= found[0].frame < 25 and 35 <= found[1].frame


def test_rearm_needs_the_lower_level_not_just_a_dip_below_threshold():
    dip = [0.9, 0.9, 0.5, 0.9, 0.9]      # dips below 0.6 but not below 0.3: one fire
    drop = [0.9, 0.9, 0.2, 0.9, 0.9]     # falls below 0.3: re-armed, fires again
    kwargs = {"decay": 0.0, "threshold": 0.6, "background": ()}
    assert frames_of(detect_events(logits_for(dip), **kwargs)) == [(1, 0)]
    assert frames_of(detect_events(logits_for(drop), **kwargs)) == [(1, 0), (1, 3)]
    # rearm = threshold: no hysteresis, every upward crossing fires.
    assert frames_of(detect_events(logits_for(dip), rearm=0.6, **kwargs)) == [(1, 0), (1, 3)]
    # A custom lower level can refuse the re-arm that the default (θ/2) allows.
    assert frames_of(detect_events(logits_for(drop), rearm=0.1, **kwargs)) == [(1, 0)]


@pytest.mark.parametrize(
    ("decay", "threshold", "rearm"), [(0.8, 0.6, None), (0.5, 0.3, 0.2), (0.0, 0.45, 0.45)]
)
def test_the_frame_by_frame_detector_agrees_with_detect_events(decay, threshold, rearm):
    rng = np.random.default_rng(0)
    runs = [(int(rng.integers(NUM_CLASSES)), int(rng.integers(1, 12))) for _ in range(60)]
    logits = one_hot_logits([c for c, n in runs for _ in range(n)], high=6.0)
    logits += rng.normal(scale=2.0, size=logits.shape)
    whole = detect_events(logits, decay, threshold, rearm=rearm)
    live = EventDetector(decay, threshold, rearm=rearm)
    stepped = [d for row in logits for d in live.update(row)]
    assert len(whole) > 5
    assert frames_of(stepped) == frames_of(whole)
    np.testing.assert_allclose([d.score for d in stepped], [d.score for d in whole])


def test_detections_from_a_stream_match_its_events():
    swipe, thumb = class_index("Swiping Left"), class_index("Thumb Up")
    stream = [NO_GESTURE] * 10 + [swipe] * 8 + [OTHER] * 12 + [thumb] * 8 + [NO_GESTURE] * 10
    events = [StreamEvent(swipe, 10, 18), StreamEvent(thumb, 30, 38)]
    m = match_events(detect_events(one_hot_logits(stream)), events)
    assert m.matched == (0, 1) and m.false_triggers == []


# -- metrics -------------------------------------------------------------------------------


def test_metric_values_on_a_case_computed_by_hand():
    events = [StreamEvent(0, 10, 20), StreamEvent(1, 30, 36), StreamEvent(2, 50, 58),
              StreamEvent(3, 70, 80)]
    detections = [
        Detection(0, 11, 0.9),   # time 12: delay 2 of 10 frames
        Detection(0, 14, 0.9),   # repeat: false
        Detection(1, 33, 0.9),   # time 34: delay 4 of 6
        Detection(2, 57, 0.9),   # time 58: delay 8 of 8, at the gesture's end
        Detection(4, 90, 0.9),   # in a gap: false
    ]                            # event 3 is missed
    m = match_events(detections, events, tolerance=2)
    got = event_metrics(m, frames=360, fps=6.0)  # one minute
    assert got["minutes"] == pytest.approx(1.0)
    assert (got["events"], got["detections"], got["correct"]) == (4, 5, 3)
    assert (got["missed"], got["false_triggers"]) == (1, 2)
    assert got["recall"] == pytest.approx(0.75)
    assert got["precision"] == pytest.approx(0.6)
    assert got["false_triggers_per_minute"] == pytest.approx(2.0)
    # delays 2, 4, 8: median 4; p90 interpolates 4 + 0.8 * (8 - 4) = 7.2
    assert got["delay_frames"] == pytest.approx({"median": 4.0, "p90": 7.2})
    assert got["delay_seconds"] == pytest.approx({"median": 4 / 6, "p90": 1.2})
    # fractions 0.2, 2/3, 1: p90 = 2/3 + 0.8 * 1/3
    assert got["delay_fraction"] == pytest.approx({"median": 2 / 3, "p90": 2 / 3 + 0.8 / 3})
    assert got["gesture_frames"] == pytest.approx({"median": 9.0, "p90": 10.0})
    assert got["confusion"] == {
        "Swiping Left": {"Swiping Left": 1},
        "Swiping Right": {"Swiping Right": 1},
        "Swiping Down": {"Swiping Down": 1},
        "Swiping Up": {"missed": 1},
        "none": {"Swiping Left": 1, "Pushing Hand Away": 1},
    }
    json.dumps(got, allow_nan=False)


def test_metrics_without_detections_or_events_are_none_not_nan():
    quiet = event_metrics(match_events([], [EVENT]), frames=60)
    assert quiet["recall"] == 0.0 and quiet["precision"] is None
    assert quiet["delay_frames"] is None and quiet["delay_seconds"] is None
    assert quiet["false_triggers_per_minute"] == 0.0
    empty = event_metrics(match_events([Detection(0, 3, 0.9)], []), frames=60, fps=MODEL_FPS)
    assert empty["recall"] is None and empty["precision"] == 0.0
    assert empty["false_triggers_per_minute"] == pytest.approx(6.0)  # 1 in 10 s
    json.dumps([quiet, empty], allow_nan=False)


# -- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"logits": np.zeros(27)}, "shape"),
        ({"logits": np.zeros((2, 3, 27))}, "shape"),
        ({"logits": np.full((4, 27), np.nan)}, "finite"),
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": float("nan")}, "threshold"),
        ({"rearm": 0.9}, "rearm"),
        ({"rearm": 0.0}, "rearm"),
        ({"decay": 1.2}, "decay"),
        ({"logits": np.zeros((4, 3))}, "background"),
    ],
)
def test_detect_events_rejects_bad_arguments(kwargs, message):
    args = {"logits": np.zeros((4, NUM_CLASSES)), **kwargs}
    with pytest.raises(ValueError, match=message):
        detect_events(**args)


def test_bad_events_matchings_and_metrics_are_refused():
    with pytest.raises(ValueError, match="after its start"):
        StreamEvent(0, 5, 5)
    with pytest.raises(ValueError, match="label"):
        StreamEvent(-1, 0, 5)
    with pytest.raises(ValueError, match="frame"):
        Detection(0, -1, 0.5)
    with pytest.raises(ValueError, match="tolerance"):
        match_events([], [EVENT], tolerance=-1)
    with pytest.raises(ValueError, match="label, start and end"):
        match_events([], [(0, 1)])
    with pytest.raises(ValueError, match="Detection"):
        match_events([(0, 3, 0.5)], [EVENT])
    m = match_events([Detection(0, 70, 0.9)], [EVENT])
    with pytest.raises(ValueError, match="frames"):
        event_metrics(m, frames=0)
    with pytest.raises(ValueError, match="beyond"):
        event_metrics(m, frames=60)
    with pytest.raises(ValueError, match="fps"):
        event_metrics(m, frames=100, fps=0)
    live = EventDetector()
    with pytest.raises(ValueError, match="shape"):
        live.update(np.zeros((1, NUM_CLASSES)))
    live.update(np.zeros(NUM_CLASSES))
    with pytest.raises(ValueError, match="classes"):
        live.update(np.zeros(5))
