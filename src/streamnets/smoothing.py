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


def check_decay(decay: float) -> float:
    """``decay`` as a float, if in ``[0, 1]``: outside it old evidence grows or flips sign.

    Args:
        decay: the decay factor to check (anything ``float()`` accepts).
    """
    decay = float(decay)
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}.")
    return decay


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax over ``axis`` (float64).

    Args:
        logits: scores of any shape (array-like), converted to float64.
        axis: the class axis to normalize over.
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def smooth_probabilities(logits: np.ndarray, decay: float = DEFAULT_DECAY) -> np.ndarray:
    """Accumulated evidence ``P_t`` for every frame of ``logits`` shaped ``(..., T, C)``.

    One clip's ``(T, C)`` is accepted, so a per-clip batch ``(B, C)`` cannot be told apart
    here; the functions that take labels check for ``(B, T, C)``.

    Args:
        logits: per-frame logits ``(..., T, C)``, at least 2-D.
        decay: the decay factor ``d`` in ``[0, 1]`` (0: the last frame alone, 1: a plain
            running sum); BrainChip's 0.8 by default.

    Returns:
        float64 ``P_t`` of the same shape as ``logits``.
    """
    decay = check_decay(decay)
    shape = np.shape(logits)
    if len(shape) < 2:
        raise ValueError(
            f"logits must be per-frame logits (..., frames, classes), got shape {shape}; "
            f"give one frame's logits (C,) as logits[None, :]."
        )
    probs = softmax(logits)
    out = np.empty_like(probs)
    acc = np.zeros(probs.shape[:-2] + probs.shape[-1:])
    for t in range(probs.shape[-2]):
        acc = decay * acc + probs[..., t, :]
        out[..., t, :] = acc
    return out


class DecaySmoother:
    """Frame-by-frame form of :func:`smooth_probabilities`, one state row per stream.

    Args:
        decay: the decay factor ``d`` in ``[0, 1]`` (0: the last frame alone, 1: a plain
            running sum); BrainChip's 0.8 by default.
    """

    def __init__(self, decay: float = DEFAULT_DECAY) -> None:
        self.decay = check_decay(decay)
        self.state: np.ndarray | None = None

    def reset(self) -> None:
        """Forget all evidence (call between clips)."""
        self.state = None

    def update(self, logits: np.ndarray) -> np.ndarray:
        """Add one frame's logits ``(B, C)``; return the predicted class per stream ``(B,)``.

        Args:
            logits: this frame's logits, one row per stream; ``B`` must stay the same
                until :meth:`reset`.
        """
        probs = softmax(logits)
        self.state = probs if self.state is None else self.decay * self.state + probs
        return self.state.argmax(axis=-1)


def clip_predictions(
    logits: np.ndarray, decay: float = DEFAULT_DECAY, frames: int | None = None
) -> np.ndarray:
    """Class per clip from ``(B, T, C)`` logits after ``frames`` frames (default: all).

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        decay: the decay factor ``d`` in ``[0, 1]`` (0: the last frame alone, 1: a plain
            running sum); BrainChip's 0.8 by default.
        frames: read the decision after this many frames, ``1..T``; ``None``: after
            the last.

    Returns:
        int class indices ``(B,)``.
    """
    smoothed = smooth_probabilities(check_clip_logits(logits), decay)
    t = smoothed.shape[-2] if frames is None else frames
    if not 1 <= t <= smoothed.shape[-2]:
        raise ValueError(f"frames must be in [1, {smoothed.shape[-2]}], got {frames}.")
    return smoothed[..., t - 1, :].argmax(axis=-1)


def check_clip_logits(logits: np.ndarray) -> np.ndarray:
    """``logits`` as an array, if shaped ``(clips, frames, classes)``.

    A ``(B, C)`` array would otherwise be read as one clip of B frames and give
    plausible but wrong accuracies.

    Args:
        logits: array-like expected as ``(clips, frames, classes)``, with at least one
            frame and one class.
    """
    logits = np.asarray(logits)
    if logits.ndim != 3:
        raise ValueError(
            f"logits must be per-frame logits of shape (clips, frames, classes), got shape "
            f"{logits.shape}; per-clip logits (B, C) can be given as logits[:, None, :] "
            f"(one frame per clip)."
        )
    if 0 in logits.shape[1:]:
        raise ValueError(
            f"logits of shape {logits.shape} (clips, frames, classes) hold no frames or no "
            f"classes: there is nothing to predict."
        )
    return logits


def check_clip_labels(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(logits, labels)`` as arrays, if ``logits`` are ``(B, T, C)`` and ``labels`` are
    ``B`` integer class indices in ``[0, C)``: anything else would be scored silently wrong.

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        labels: one integer class index per clip, shape ``(B,)``, ``B >= 1``.
    """
    logits = check_clip_logits(logits)
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:1]:
        raise ValueError(
            f"labels must have one entry per clip, shape {logits.shape[:1]} for logits of "
            f"shape {logits.shape}; got {labels.shape}."
        )
    if not labels.size:
        raise ValueError("logits and labels hold no clips: there is nothing to score.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be integer class indices, got dtype {labels.dtype} (first values "
            f"{labels.ravel()[:5].tolist()}); convert whole-number labels with "
            f"labels.astype(int)."
        )
    n_classes = logits.shape[-1]
    bad = labels[(labels < 0) | (labels >= n_classes)]
    if bad.size:
        raise ValueError(
            f"labels must be class indices in [0, {n_classes}) for logits with {n_classes} "
            f"classes; found {sorted(set(bad.tolist()))[:10]}. Check that labels and logits "
            f"use the same class list."
        )
    return logits, labels


def clip_accuracy(
    logits: np.ndarray,
    labels: np.ndarray,
    decay: float = DEFAULT_DECAY,
    frames: int | None = None,
) -> float:
    """Fraction of clips whose smoothed prediction after ``frames`` frames is right.

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        labels: the true class index of each clip, integers in ``[0, C)``, shape ``(B,)``.
        decay: the decay factor ``d`` in ``[0, 1]`` (0: the last frame alone, 1: a plain
            running sum); BrainChip's 0.8 by default.
        frames: score the decision after this many frames, ``1..T``; ``None``: after
            the last.
    """
    logits, labels = check_clip_labels(logits, labels)
    return float(np.mean(clip_predictions(logits, decay, frames) == labels))


def frame_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Frame-averaged ("temporal") accuracy: every frame's own argmax against the clip label.

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        labels: the true class index of each clip, integers in ``[0, C)``, shape ``(B,)``.
    """
    logits, labels = check_clip_labels(logits, labels)
    return float(np.mean(logits.argmax(axis=-1) == labels[:, None]))


def accuracy_vs_decay(
    logits: np.ndarray, labels: np.ndarray, decays: Sequence[float]
) -> np.ndarray:
    """Clip accuracy after the last frame for each decay factor.

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        labels: the true class index of each clip, integers in ``[0, C)``, shape ``(B,)``.
        decays: the decay factors to try, each in ``[0, 1]``.

    Returns:
        float accuracies ``(len(decays),)``, in the order of ``decays``.
    """
    return np.array([clip_accuracy(logits, labels, d) for d in decays])


def accuracy_vs_frames(
    logits: np.ndarray, labels: np.ndarray, decay: float = DEFAULT_DECAY
) -> np.ndarray:
    """Clip accuracy if the decision were taken after 1, 2, ..., T frames (early decisions).

    Args:
        logits: per-frame logits ``(B, T, C)``: clips, frames, classes.
        labels: the true class index of each clip, integers in ``[0, C)``, shape ``(B,)``.
        decay: the decay factor ``d`` in ``[0, 1]`` (0: the last frame alone, 1: a plain
            running sum); BrainChip's 0.8 by default.

    Returns:
        float accuracies ``(T,)``: entry ``t`` after ``t + 1`` frames.
    """
    logits, labels = check_clip_labels(logits, labels)
    smoothed = smooth_probabilities(logits, decay)
    return (smoothed.argmax(axis=-1) == labels[:, None]).mean(axis=0)
