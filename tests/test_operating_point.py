"""The operating point: pooled metrics over streams, the θ/decay sweep, the pick, tuning."""

from __future__ import annotations

import numpy as np
import pytest

from streamnets import operating_point as op
from streamnets.data import StreamEvent
from streamnets.detection import Detection, detect_events, event_metrics, match_events

C = 27
BACKGROUND = 25  # "No gesture"


def _logits(frames: int, bursts: list[tuple[int, int, int]], level: float = 8.0) -> np.ndarray:
    """Background everywhere, class ``c`` strong on frames ``[a, b)`` for each burst."""
    x = np.zeros((frames, C))
    x[:, BACKGROUND] = level
    for c, a, b in bursts:
        x[a:b, c] = 2 * level
    return x


def _streams():
    one = _logits(60, [(3, 10, 16), (7, 40, 44)])
    two = _logits(90, [(5, 20, 26), (9, 70, 72)])  # the second burst is a false trigger
    events = [[StreamEvent(3, 9.5, 16.0), StreamEvent(7, 39.0, 44.0)],
              [StreamEvent(5, 19.0, 26.0), StreamEvent(11, 50.0, 56.0)]]
    return [one, two], events


def test_pool_lays_streams_end_to_end_without_matching_across_them():
    logits, events = _streams()
    matchings = [match_events(detect_events(x, 0.5, 0.6), e)
                 for x, e in zip(logits, events, strict=True)]
    pooled = op.pool(matchings, [60, 90])
    assert len(pooled.events) == 4 and len(pooled.detections) == 4
    assert pooled.events[2].start == pytest.approx(60 + 19.0)
    assert [d.frame for d in pooled.detections][2] >= 60
    assert len(pooled.hits) == 3 and len(pooled.false_triggers) == 1
    assert [e.label for e in pooled.missed] == [11]
    # An event at the very end of stream 1 is not matched by a fire early in stream 2.
    tail = match_events([], [StreamEvent(4, 55.0, 59.0)])
    head = match_events([Detection(4, 0, 0.9)], [])
    assert len(op.pool([tail, head], [60, 60]).hits) == 0
    with pytest.raises(ValueError, match="one length per matching"):
        op.pool(matchings, [60])


def test_evaluate_pools_counts_and_minutes():
    logits, events = _streams()
    metrics = op.evaluate(logits, events, decay=0.5, threshold=0.6)
    assert metrics["events"] == 4 and metrics["correct"] == 3 and metrics["false_triggers"] == 1
    assert metrics["recall"] == pytest.approx(0.75)
    assert metrics["false_triggers_per_minute"] == pytest.approx(1 / (150 / 6 / 60))
    single = event_metrics(match_events(detect_events(logits[0], 0.5, 0.6), events[0]), 60)
    alone = op.evaluate(logits[:1], events[:1], decay=0.5, threshold=0.6)
    assert alone["recall"] == single["recall"] and alone["delay_frames"] == single["delay_frames"]
    with pytest.raises(ValueError, match="one list of events per stream"):
        op.evaluate(logits, events[:1], 0.5, 0.6)


def test_sweep_has_one_row_per_pair_and_fewer_fires_at_higher_thresholds():
    logits, events = _streams()
    rows = op.sweep(logits, events, decays=(0.0, 0.8), thresholds=(0.3, 0.6, 0.9))
    assert [(r["decay"], r["threshold"]) for r in rows] == [
        (d, t) for d in (0.0, 0.8) for t in (0.3, 0.6, 0.9)]
    for d in (0.0, 0.8):
        fires = [r["detections"] for r in rows if r["decay"] == d]
        assert fires == sorted(fires, reverse=True)
    assert set(op.ROW_METRICS) < set(rows[0])


def _row(recall, false, delay, threshold=0.5):
    return {"decay": 0.5, "threshold": threshold, "recall": recall,
            "false_triggers_per_minute": false,
            "delay_frames": None if delay is None else {"median": delay, "p90": delay}}


def test_pick_takes_the_best_recall_within_the_budget_then_the_shortest_delay():
    rows = [_row(0.99, 3.0, 2.0, 0.3), _row(0.9, 0.8, 6.0, 0.5), _row(0.9, 0.5, 5.0, 0.6),
            _row(0.5, 0.1, 9.0, 0.9)]
    best = op.pick(rows, max_false_per_minute=1.0)
    assert best["threshold"] == 0.6 and best["within_budget"] is True
    assert op.pick(rows, max_false_per_minute=5.0)["threshold"] == 0.3


def test_pick_says_when_nothing_meets_the_budget():
    best = op.pick([_row(0.9, 3.0, 2.0, 0.3), _row(0.2, 1.5, None, 0.9)], 1.0)
    assert best["threshold"] == 0.9 and best["within_budget"] is False
    with pytest.raises(ValueError, match="no sweep rows"):
        op.pick([])


class _Oracle:
    """A runner that 'sees' the ground truth: strong on each event's frames."""

    def __init__(self, events_by_first_pixel):
        self.events = events_by_first_pixel

    def predict_clips(self, videos):
        out = []
        for video in videos:
            x = np.zeros((video.shape[0], C))
            x[:, BACKGROUND] = 8.0
            for e in self.events[video.tobytes()[:4096]]:
                x[int(e.start) + 1:int(e.end) + 1, e.label] = 16.0
            out.append(x)
        return np.stack(out)


def test_tune_picks_on_validation_and_reports_on_test():
    sets = {s: op.stream_set(s, 2, 120, size=32) for s in ("validation", "test")}
    truth = {v.tobytes()[:4096]: e for videos, events in sets.values()
             for v, e in zip(videos, events, strict=True)}
    block = op.tune(_Oracle(truth), streams=2, frames=120, size=32, decays=(0.0, 0.5),
                    thresholds=(0.5, 0.7))
    assert block["decay"] in (0.0, 0.5) and block["threshold"] in (0.5, 0.7)
    assert block["validation"]["recall"] == 1.0 and block["test"]["recall"] == 1.0
    assert block["test"]["false_triggers_per_minute"] == 0.0
    assert block["test"]["events"] == sum(len(e) for e in sets["test"][1])
    assert "within budget: True" in block["rule"]
    with pytest.raises(ValueError, match="count"):
        op.stream_set("test", 0, 10)
