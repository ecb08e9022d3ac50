"""Chapter 3 plots: training curves, accuracy per frame, confusion, mirror pairs.

Every function draws in the book's style (:func:`streamnets.viz.style.styled`): legends
sit outside the axes, accuracy axes are zoomed to the values they show (and say so), and
frames are numbered from 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from streamnets.viz.style import frame_numbers, legend_outside, styled, zoom_axis


@styled
def plot_learning_rate(steps: Sequence[float], rates: Sequence[float]) -> Figure:
    """The learning rate against the optimizer step (e.g. of
    :func:`streamnets.train.learning_rate_curve`), one line.

    Args:
        steps: the optimizer steps, in order.
        rates: the learning rate at each step; same length as ``steps``.
    """
    if len(steps) != len(rates) or not len(steps):
        raise ValueError(f"steps and rates must be equal-length and not empty, got "
                         f"{len(steps)} and {len(rates)}.")
    fig, ax = plt.subplots(figsize=(6, 2.8), dpi=100, layout="constrained")
    ax.plot(steps, rates)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_ylim(bottom=0)
    return fig


@styled
def plot_history(history: Sequence[Mapping[str, Any]], title: str = "") -> Figure:
    """Loss (left) and accuracies (right) against optimizer steps.

    ``history`` is the list of per-epoch rows that :func:`streamnets.train.fit` writes
    to ``history.json``; validation points appear where they were measured, and a dotted
    line marks where a continued run (:func:`streamnets.train.chain_histories`) began.
    The accuracy axis is zoomed to the values drawn (its label then says so); both
    legends sit below their axes.

    Args:
        history: per-epoch rows with ``step``, ``loss`` and ``frame_accuracy``, and where
            validation ran ``val_loss``, ``val_frame_accuracy`` and ``val_clip_accuracy``;
            an optional ``stage`` numbers the chained runs.
        title: a title over both panels; empty for none.
    """
    steps = np.array([row["step"] for row in history])
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4), dpi=80, layout="constrained")
    left.plot(steps, [row["loss"] for row in history], label="training loss")
    val = [(row["step"], row) for row in history if "val_loss" in row]
    if val:
        left.plot([s for s, _ in val], [r["val_loss"] for _, r in val], "o-",
                  label="validation loss")
    left.set_xlabel("step")
    left.set_ylabel("per-frame cross-entropy")
    legend_outside(left, "below", ncols=1)
    accuracies = [row["frame_accuracy"] for row in history]
    right.plot(steps, accuracies, label="training, per frame")
    if val:
        val_frame = [r["val_frame_accuracy"] for _, r in val]
        val_clip = [r["val_clip_accuracy"] for _, r in val]
        right.plot([s for s, _ in val], val_frame, "o-", label="validation, per frame")
        right.plot([s for s, _ in val], val_clip, "s-", label="validation, clip (decay)")
        accuracies = accuracies + val_frame + val_clip
    right.set_xlabel("step")
    zoom_axis(right, accuracies)
    legend_outside(right, "below", ncols=1)
    # Runs that continued an earlier one (a "stage" column): mark where each began.
    for before, row in zip(history, history[1:], strict=False):
        if row.get("stage", 1) != before.get("stage", 1):
            for ax in (left, right):
                ax.axvline(before["step"], color="grey", lw=0.8, ls=":")
    if title:
        fig.suptitle(title)
    return fig


@styled
def plot_accuracy_by_frame(curves: Mapping[str, Sequence[float]], title: str = "") -> Figure:
    """One line per named curve of accuracy against the frame number (the first is 1).

    The accuracy axis is zoomed to the values drawn when they leave part of ``[0, 1]``
    empty (its label then says so); the legend sits below the axes.

    Args:
        curves: legend label to accuracies in ``[0, 1]``, one per frame (the first is the
            accuracy of, or after, frame 1).
        title: the axes' title; empty for none.
    """
    if not curves:
        raise ValueError("curves must hold at least one named curve, got an empty mapping.")
    fig, ax = plt.subplots(figsize=(6.5, 4.2), dpi=100, layout="constrained")
    longest = 0
    for label, values in curves.items():
        ax.plot(frame_numbers(len(values)), values, "o-", markersize=3, label=label)
        longest = max(longest, len(values))
    ax.set_xlabel("frame")
    ax.set_xticks(frame_numbers(longest))
    zoom_axis(ax, np.concatenate([np.asarray(v, dtype=float) for v in curves.values()]))
    legend_outside(ax, "below", ncols=1)
    if title:
        ax.set_title(title)
    return fig


@styled
def plot_confusion(confusion: np.ndarray, class_names: Sequence[str], title: str = "") -> Figure:
    """Row-normalized confusion matrix (rows: true class), counts shown off the diagonal.

    The class names label both axes at 8 points (the predicted ones rotated), on a figure
    large enough for the 27 Jester classes to stay readable.

    Args:
        confusion: ``(classes, classes)`` integer counts, ``confusion[true, predicted]``.
        class_names: one name per class, in index order (tick labels of both axes).
        title: the axes' title; empty for none.
    """
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape != (len(class_names), len(class_names)):
        raise ValueError(f"confusion must be ({len(class_names)}, {len(class_names)}) for "
                         f"{len(class_names)} class names, got {confusion.shape}.")
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    side = max(4.0, 0.22 * len(class_names) + 2.6)
    fig, ax = plt.subplots(figsize=(side + 0.4, side), dpi=80, layout="constrained")
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.grid(False)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=90, fontsize=8)
    ax.set_yticks(ticks, class_names, fontsize=8)
    for i, j in zip(*np.nonzero(confusion), strict=True):
        if i != j:
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="crimson")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    fig.colorbar(image, ax=ax, shrink=0.6, label="share of the true class's clips")
    if title:
        ax.set_title(title)
    return fig


@styled
def plot_mirror_pairs(
    per_class: Mapping[str, Sequence[float]],
    pairs: Sequence[tuple[str, str]],
    class_names: Sequence[str],
) -> Figure:
    """Per-class clip accuracy of several models on the classes of the mirror pairs.

    ``per_class`` maps a model's label to its per-class accuracy (indexed like
    ``class_names``); each pair's two classes are drawn side by side. The bars start at 0
    (a bar's height is its accuracy); the legend sits above the axes.

    Args:
        per_class: model label to its clip accuracy per class in ``[0, 1]``, indexed like
            ``class_names``; one bar per model and class.
        pairs: the mirror pairs as ``(class, mirrored class)`` names, drawn left to right.
        class_names: every class name in index order; each name in ``pairs`` must be here.
    """
    names = [name for pair in pairs for name in pair]
    index = [list(class_names).index(name) for name in names]
    width = 0.8 / len(per_class)
    fig, ax = plt.subplots(figsize=(8, 4.6), dpi=80, layout="constrained")
    x = np.arange(len(names))
    for k, (label, values) in enumerate(per_class.items()):
        ax.bar(x + (k - (len(per_class) - 1) / 2) * width, np.asarray(values)[index], width,
               label=label)
    ax.axhline(0.5, color="grey", lw=0.8, ls="--", label="coin flip")
    for boundary in np.arange(1.5, len(names) - 1, 2):  # a faint line between two pairs
        ax.axvline(boundary, color="0.85", lw=0.8)
    ax.grid(False, axis="x")
    ax.set_xticks(x, names, rotation=60, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylabel("clip accuracy")
    ax.set_ylim(0, 1.05)
    legend_outside(ax, "above")
    return fig
