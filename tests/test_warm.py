"""Warm clip accuracy: fixed clip sets, preceders of another class, cold and warm scoring.

The scoring tests use small duck-typed runners (numpy only) whose answers are known, so
each number can be checked exactly; one test streams a tiny real model (the one of
``test_streaming``) to tie ``cold_warm_logits`` to ``StreamingModel.predict_clips``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_streaming import SIZE, tiny_model

from streamnets import train, warm
from streamnets.data import NUM_CLASSES, SPLIT_SEEDS, class_index, split_specs, synthetic_clip
from streamnets.streaming import to_streaming

FRAMES = 4  # short clips: the set functions render every clip they return


class HistoryFree:
    """A runner whose logits at frame t depend on frame t alone: warm must equal cold."""

    def predict_clips(self, clips, preceding=None):
        clips = np.asarray(clips, np.float64)
        means = clips.mean(axis=(2, 3, 4))  # (B, T)
        centres = np.linspace(0, 255, NUM_CLASSES)
        return -np.abs(means[..., None] - centres)  # (B, T, 27)


class RightWhenCold:
    """Names the true class from a reset and a wrong one after any preceding frames (the
    shortcut of issue 12, in its purest form), and records what it was given."""

    def __init__(self, labels):
        self.labels = np.asarray(labels)
        self.calls = []

    def predict_clips(self, clips, preceding=None):
        self.calls.append(None if preceding is None else np.asarray(preceding))
        n, t = np.asarray(clips).shape[:2]
        answer = self.labels if preceding is None else (self.labels + 1) % NUM_CLASSES
        logits = np.zeros((n, t, NUM_CLASSES))
        logits[np.arange(n), :, answer] = 5.0
        return logits


@pytest.fixture(scope="module")
def small_set():
    return warm.warm_clip_set(6, frames=FRAMES, size=32)


def test_scored_clips_are_the_first_test_clips(small_set):
    labels, seeds = split_specs("test", 6)
    np.testing.assert_array_equal(small_set.labels, labels)
    np.testing.assert_array_equal(small_set.seeds, seeds)
    assert small_set.clips.shape == (6, FRAMES, 32, 32, 3) and small_set.clips.dtype == np.uint8
    np.testing.assert_array_equal(small_set.clips[2], synthetic_clip(int(labels[2]),
                                                                     int(seeds[2]), FRAMES, 32))
    assert len(small_set) == 6


def test_the_set_is_deterministic(small_set):
    again = warm.warm_clip_set(6, frames=FRAMES, size=32)
    for field in ("clips", "labels", "seeds", "preceding", "preceding_labels",
                  "preceding_seeds"):
        np.testing.assert_array_equal(getattr(again, field), getattr(small_set, field))
    other = warm.preceder_specs(small_set.labels, seed=warm.DEFAULT_SEED + 1)[0]
    assert not np.array_equal(other, small_set.preceding_labels)  # the seed matters


def test_preceders_are_other_classes_from_the_validation_split(small_set):
    assert np.all(small_set.preceding_labels != small_set.labels)
    low, high = SPLIT_SEEDS["validation"]
    assert np.all((small_set.preceding_seeds >= low) & (small_set.preceding_seeds < high))
    assert not set(small_set.preceding_seeds) & set(small_set.seeds)
    assert len(set(small_set.preceding_seeds.tolist())) == len(small_set)
    assert small_set.preceding.shape == small_set.clips.shape
    np.testing.assert_array_equal(
        small_set.preceding[0],
        synthetic_clip(int(small_set.preceding_labels[0]), int(small_set.preceding_seeds[0]),
                       FRAMES, 32))
    # Many draws: never the clip's own class, and more than one other class.
    labels = np.zeros(200, np.int32)
    drawn, _ = warm.preceder_specs(labels)
    assert 0 not in drawn and len(set(drawn.tolist())) > 5


def test_a_preceder_needs_another_class():
    with pytest.raises(ValueError, match="another class"):
        warm.preceder_specs(np.array([3]), classes=[3])


def test_class_filter_is_balanced():
    mirror = train.mirror_pair_classes()
    labels, seeds = warm.scored_specs(2 * len(mirror), classes=mirror)
    assert sorted(labels.tolist()) == sorted(mirror * 2)
    assert np.all(seeds % NUM_CLASSES == labels)  # test clip i is class i % 27, seed i


def test_the_preceding_clips_can_be_longer():
    clip_set = warm.warm_clip_set(2, frames=FRAMES, size=32, preceding_frames=FRAMES + 3)
    assert clip_set.preceding.shape[1] == FRAMES + 3 and clip_set.clips.shape[1] == FRAMES


def test_a_runner_without_history_scores_the_same_warm_and_cold(small_set):
    result = warm.score_cold_warm(HistoryFree(), small_set)
    assert result["cold"] == result["warm"]
    cold = HistoryFree().predict_clips(small_set.clips)
    assert result["cold"]["all"] == warm.summarize(cold, small_set.labels)
    json.dumps(result)  # JSON-able, for a model card


def test_scores_separate_cold_from_warm(small_set):
    runner = RightWhenCold(small_set.labels)
    result = warm.score_cold_warm(runner, small_set)
    assert runner.calls[0] is None
    np.testing.assert_array_equal(runner.calls[1], small_set.preceding)
    for start, expected in (("cold", 1.0), ("warm", 0.0)):
        summary = result[start]["all"]
        assert summary["clip_accuracy"] == summary["first_frame_accuracy"] == expected
        assert summary["accuracy_after_frames"] == {"1": expected, "4": expected}  # 8, 16: no
        assert summary["accuracy_vs_frames"] == [expected] * FRAMES
        assert summary["clips"] == 6
        # Test clips 0..5 are classes 0..5, all members of mirror pairs.
        assert result[start]["mirror_pairs"] == summary
    assert result["preceding"] == {"split": "validation", "frames": FRAMES,
                                   "of_another_class": True}
    assert result["decay"] == 0.8


def test_mirror_pairs_are_scored_on_their_own():
    labels = np.array([0, 1, class_index("Thumb Up"), class_index("Stop Sign")])
    logits = np.zeros((4, 2, NUM_CLASSES))
    logits[[0, 1], :, [0, 1]] = 1.0  # right on the two mirror clips, class 0 on the others
    result = warm.score_logits(logits, logits, labels)
    assert result["cold"]["all"]["clip_accuracy"] == 0.5
    assert result["cold"]["mirror_pairs"]["clip_accuracy"] == 1.0
    assert result["cold"]["mirror_pairs"]["clips"] == 2
    no_mirror = warm.score_logits(logits[2:], logits[2:], labels[2:])
    assert no_mirror["warm"]["mirror_pairs"] is None


def test_summarize_early_decisions_use_decay_smoothing():
    labels = np.array([0])
    logits = np.zeros((1, 3, NUM_CLASSES))
    logits[0, 0, 0] = 10.0  # frame 1 says class 0 strongly
    logits[0, 1:, 1] = 1.0  # later frames lean to class 1, weakly
    summary = warm.summarize(logits, labels, decay=0.8, frames=(1, 2, 3, 16))
    assert summary["first_frame_accuracy"] == 1.0
    assert list(summary["accuracy_after_frames"]) == ["1", "2", "3"]  # 16: past the clip
    assert summary["accuracy_after_frames"]["2"] == 1.0  # frame 1's evidence still leads
    assert warm.summarize(logits, labels, decay=0.0)["clip_accuracy"] == 0.0
    with pytest.raises(ValueError, match="within the clips"):
        warm.summarize(logits, labels, frames=(8,))


def test_still_frames_repeat_the_first_frame(small_set):
    still = warm.still_frames(small_set.clips, 3)
    assert still.shape == (6, 3, 32, 32, 3)
    for k in range(3):
        np.testing.assert_array_equal(still[:, k], small_set.clips[:, 0])


def test_preceder_table_feeds_each_preceder(small_set):
    runner = RightWhenCold(small_set.labels)
    table = warm.preceder_table(runner, small_set.clips, small_set.labels, still=5)
    assert list(table["accuracy"]) == list(warm.PRECEDERS)
    assert table["frames"] == [1, 4] and table["clips"] == 6
    assert table["accuracy"]["reset"] == {"1": 1.0, "4": 1.0}
    assert all(row == {"1": 0.0, "4": 0.0} for name, row in table["accuracy"].items()
               if name != "reset")
    reset, still, no_gesture, other = runner.calls
    assert reset is None
    np.testing.assert_array_equal(still, warm.still_frames(small_set.clips, 5))
    for given, name in ((no_gesture, "No gesture"), (other, "Doing other things")):
        assert given.shape == small_set.clips.shape
        np.testing.assert_array_equal(given, warm.class_preceders(name, 6, FRAMES, 32))
    json.dumps(table)
    free = warm.preceder_table(HistoryFree(), small_set.clips, small_set.labels)
    assert len({json.dumps(row) for row in free["accuracy"].values()}) == 1


def test_mirror_pair_set_holds_every_mirror_class():
    clips, labels = warm.mirror_pair_set(1, frames=2, size=32)
    assert sorted(labels.tolist()) == sorted(train.mirror_pair_classes())
    assert clips.shape == (len(labels), 2, 32, 32, 3)


def test_cold_and_warm_are_predict_clips_of_a_real_streaming_model():
    stream = to_streaming(tiny_model(frames=FRAMES))
    clip_set = warm.warm_clip_set(3, frames=FRAMES, size=SIZE)
    cold, hot = warm.cold_warm_logits(stream, clip_set)
    np.testing.assert_array_equal(cold, stream.predict_clips(clip_set.clips))
    np.testing.assert_array_equal(
        hot, stream.predict_clips(clip_set.clips, preceding=clip_set.preceding))
    assert not np.allclose(cold[:, 0], hot[:, 0])  # the buffers really carried over
