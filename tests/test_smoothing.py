"""Decay smoothing against a hand-computed example and its frame-by-frame form."""

import numpy as np
import pytest

from streamnets.smoothing import (
    DecaySmoother,
    accuracy_vs_decay,
    accuracy_vs_frames,
    clip_accuracy,
    clip_predictions,
    frame_accuracy,
    smooth_probabilities,
)


def test_hand_computed_two_class_example():
    # Logits chosen so that softmax gives exact probabilities: log-odds ln(3) -> (0.25, 0.75).
    ln3 = np.log(3.0)
    logits = np.array([[[0.0, ln3], [ln3, 0.0], [ln3, 0.0]]])  # probs (.25,.75),(.75,.25),(.75,.25)
    p = smooth_probabilities(logits, decay=0.5)
    # P1 = (.25,.75); P2 = .5*P1 + (.75,.25) = (.875,.625); P3 = .5*P2 + (.75,.25) = (1.1875,.5625)
    np.testing.assert_allclose(p[0], [[0.25, 0.75], [0.875, 0.625], [1.1875, 0.5625]])
    assert clip_predictions(logits, decay=0.5, frames=1).tolist() == [1]
    assert clip_predictions(logits, decay=0.5).tolist() == [0]


def test_decay_one_is_running_sum_and_zero_is_last_frame():
    logits = np.random.default_rng(0).normal(size=(3, 6, 4))
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(smooth_probabilities(logits, 1.0), probs.cumsum(axis=1))
    np.testing.assert_allclose(smooth_probabilities(logits, 0.0), probs)


def test_frame_by_frame_equals_whole_sequence():
    logits = np.random.default_rng(1).normal(size=(5, 16, 27))
    smoother = DecaySmoother(0.8)
    for t in range(16):
        per_frame = smoother.update(logits[:, t])
    np.testing.assert_array_equal(per_frame, clip_predictions(logits, 0.8))
    smoother.reset()
    assert smoother.state is None


def test_accuracies():
    logits = np.zeros((2, 4, 3))
    logits[0, 2:, 1] = 5.0  # clip 0: class 1 from frame 2 on
    logits[1, :, 2] = 5.0  # clip 1: class 2 throughout
    labels = np.array([1, 2])
    assert frame_accuracy(logits, labels) == pytest.approx(6 / 8)
    assert clip_accuracy(logits, labels) == 1.0
    np.testing.assert_allclose(accuracy_vs_frames(logits, labels), [0.5, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(accuracy_vs_decay(logits, labels, [0.0, 1.0]), [1.0, 1.0])


@pytest.mark.parametrize("decay", [-0.1, 1.5])
def test_bad_decay(decay):
    with pytest.raises(ValueError, match="decay"):
        smooth_probabilities(np.zeros((1, 2, 3)), decay)


def test_labels_must_match_clips():
    with pytest.raises(ValueError, match="labels"):
        clip_accuracy(np.zeros((2, 3, 4)), np.zeros(3))


PER_CLIP_METRICS = [
    lambda logits, labels: frame_accuracy(logits, labels),
    lambda logits, labels: clip_accuracy(logits, labels),
    lambda logits, labels: accuracy_vs_frames(logits, labels),
    lambda logits, labels: accuracy_vs_decay(logits, labels, [0.8]),
    lambda logits, labels: clip_predictions(logits),
]


@pytest.mark.parametrize("metric", PER_CLIP_METRICS)
def test_per_clip_logits_are_refused_with_the_fix(metric):
    # Perfect per-clip logits (B, C): read as one clip of B frames they would score 0.25.
    labels = np.array([0, 1, 2, 3])
    logits = np.eye(4) * 5.0
    with pytest.raises(ValueError, match=r"per-frame logits of shape \(clips, frames, classes\)"
                       r", got shape \(4, 4\); per-clip logits \(B, C\) can be given as "
                       r"logits\[:, None, :\]"):
        metric(logits, labels)
    assert clip_accuracy(logits[:, None, :], labels) == 1.0
    assert frame_accuracy(logits[:, None, :], labels) == 1.0


@pytest.mark.parametrize("metric", PER_CLIP_METRICS[:4])
def test_labels_outside_the_classes_are_named(metric):
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 3\) for logits "
                       r"with 3 classes; found \[-1, 5\]"):
        metric(np.zeros((4, 2, 3)), np.array([0, 5, -1, 5]))


@pytest.mark.parametrize("metric", PER_CLIP_METRICS[:4])
def test_non_integer_labels_are_named(metric):
    with pytest.raises(ValueError, match=r"labels must be integer class indices, got dtype "
                       r"float64 \(first values \[0.5, 1.0\]\)"):
        metric(np.zeros((2, 2, 3)), np.array([0.5, 1.0]))


def test_logits_without_clips_or_frames_are_refused():
    with pytest.raises(ValueError, match="hold no clips"):
        frame_accuracy(np.zeros((0, 2, 3)), np.zeros(0, int))
    with pytest.raises(ValueError, match="hold no frames or no classes"):
        clip_accuracy(np.zeros((2, 0, 3)), np.array([0, 1]))


def test_smooth_probabilities_takes_one_clip_but_not_one_frame():
    np.testing.assert_allclose(smooth_probabilities(np.zeros((3, 2)), 1.0)[-1], [1.5, 1.5])
    with pytest.raises(ValueError, match=r"got shape \(4,\); give one frame's logits \(C,\) as "
                       r"logits\[None, :\]"):
        smooth_probabilities(np.zeros(4))
