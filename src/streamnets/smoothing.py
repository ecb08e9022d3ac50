"""Decay smoothing of per-frame predictions.

A streaming model emits a guess after every frame, but early frames usually come
before the gesture. Accumulating softmax outputs with a decay,

    P_0 = 0,   P_t = d * P_{t-1} + softmax(logits_t),   prediction_t = argmax P_t,

keeps evidence from the whole clip while letting recent frames weigh most. ``d = 0``
is "trust the last frame only"; ``d = 1`` is a plain running sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_DECAY = 0.8


def _check_decay(decay: float) -> float:
    decay = float(decay)
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}.")
    return decay


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax over ``axis`` (float64)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def smooth_probabilities(logits: np.ndarray, decay: float = DEFAULT_DECAY) -> np.ndarray:
    """Accumulated evidence ``P_t`` for every frame of ``logits`` shaped ``(..., T, C)``."""
    decay = _check_decay(decay)
    probs = softmax(logits)
    if probs.ndim < 2:
        raise ValueError(f"logits must be (..., frames, classes), got shape {probs.shape}.")
    out = np.empty_like(probs)
    acc = np.zeros(probs.shape[:-2] + probs.shape[-1:])
    for t in range(probs.shape[-2]):
        acc = decay * acc + probs[..., t, :]
        out[..., t, :] = acc
    return out


class DecaySmoother:
    """Frame-by-frame form of :func:`smooth_probabilities`, one state row per stream."""

    def __init__(self, decay: float = DEFAULT_DECAY) -> None:
        self.decay = _check_decay(decay)
        self.state: np.ndarray | None = None

    def reset(self) -> None:
        """Forget all evidence (call between clips)."""
        self.state = None

    def update(self, logits: np.ndarray) -> np.ndarray:
        """Add one frame's logits ``(B, C)``; return the predicted class per stream ``(B,)``."""
        probs = softmax(logits)
        self.state = probs if self.state is None else self.decay * self.state + probs
        return self.state.argmax(axis=-1)


def clip_predictions(
    logits: np.ndarray, decay: float = DEFAULT_DECAY, frames: int | None = None
) -> np.ndarray:
    """Class per clip from ``(B, T, C)`` logits after ``frames`` frames (default: all)."""
    smoothed = smooth_probabilities(logits, decay)
    t = smoothed.shape[-2] if frames is None else frames
    if not 1 <= t <= smoothed.shape[-2]:
        raise ValueError(f"frames must be in [1, {smoothed.shape[-2]}], got {frames}.")
    return smoothed[..., t - 1, :].argmax(axis=-1)


def _check_labels(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:1]:
        raise ValueError(
            f"labels must have one entry per clip, shape {logits.shape[:1]}; got {labels.shape}."
        )
    return labels


def clip_accuracy(
    logits: np.ndarray,
    labels: np.ndarray,
    decay: float = DEFAULT_DECAY,
    frames: int | None = None,
) -> float:
    """Fraction of clips whose smoothed prediction after ``frames`` frames is right."""
    logits = np.asarray(logits)
    labels = _check_labels(logits, labels)
    return float(np.mean(clip_predictions(logits, decay, frames) == labels))


def frame_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Frame-averaged ("temporal") accuracy: every frame's own argmax against the clip label."""
    logits = np.asarray(logits)
    labels = _check_labels(logits, labels)
    return float(np.mean(logits.argmax(axis=-1) == labels[:, None]))


def accuracy_vs_decay(
    logits: np.ndarray, labels: np.ndarray, decays: Sequence[float]
) -> np.ndarray:
    """Clip accuracy after the last frame for each decay factor."""
    return np.array([clip_accuracy(logits, labels, d) for d in decays])


def accuracy_vs_frames(
    logits: np.ndarray, labels: np.ndarray, decay: float = DEFAULT_DECAY
) -> np.ndarray:
    """Clip accuracy if the decision were taken after 1, 2, ..., T frames (early decisions)."""
    logits = np.asarray(logits)
    labels = _check_labels(logits, labels)
    smoothed = smooth_probabilities(logits, decay)
    return (smoothed.argmax(axis=-1) == labels[:, None]).mean(axis=0)
