"""Chapter 3 plots: training curves, accuracy per frame, confusion, mirror pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def plot_history(history: Sequence[Mapping[str, Any]], title: str = "") -> Figure:
    """Loss (left) and accuracies (right) against optimizer steps.

    ``history`` is the list of per-epoch rows that :func:`streamnets.train.fit` writes
    to ``history.json``; validation points appear where they were measured, and a dotted
    line marks where a continued run (:func:`streamnets.train.chain_histories`) began.

    Args:
        history: per-epoch rows with ``step``, ``loss`` and ``frame_accuracy``, and where
            validation ran ``val_loss``, ``val_frame_accuracy`` and ``val_clip_accuracy``;
            an optional ``stage`` numbers the chained runs.
        title: a title over both panels; empty for none.
    """
    steps = np.array([row["step"] for row in history])
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=80)
    left.plot(steps, [row["loss"] for row in history], label="training loss")
    val = [(row["step"], row) for row in history if "val_loss" in row]
    if val:
        left.plot([s for s, _ in val], [r["val_loss"] for _, r in val], "o-",
                  label="validation loss")
    left.set_xlabel("step")
    left.set_ylabel("per-frame cross-entropy")
    left.legend()
    right.plot(steps, [row["frame_accuracy"] for row in history], label="training, per frame")
    if val:
        right.plot([s for s, _ in val], [r["val_frame_accuracy"] for _, r in val], "o-",
                   label="validation, per frame")
        right.plot([s for s, _ in val], [r["val_clip_accuracy"] for _, r in val], "s-",
                   label="validation, clip (decay)")
    right.set_xlabel("step")
    right.set_ylabel("accuracy")
    right.set_ylim(0, 1.02)
    right.legend(loc="best", fontsize=8)
    # Runs that continued an earlier one (a "stage" column): mark where each began.
    for before, row in zip(history, history[1:], strict=False):
        if row.get("stage", 1) != before.get("stage", 1):
            for ax in (left, right):
                ax.axvline(before["step"], color="grey", lw=0.8, ls=":")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_accuracy_by_frame(curves: Mapping[str, Sequence[float]], title: str = "") -> Figure:
    """One line per named curve of accuracy against the frame index (1-based).

    Args:
        curves: legend label to accuracies in ``[0, 1]``, one per frame (the first is the
            accuracy after one frame).
        title: the axes' title; empty for none.
    """
    fig, ax = plt.subplots(figsize=(5.5, 3.2), dpi=80)
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, "o-", markersize=3, label=label)
    ax.set_xlabel("frames seen")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_confusion(confusion: np.ndarray, class_names: Sequence[str], title: str = "") -> Figure:
    """Row-normalized confusion matrix (rows: true class), counts shown off the diagonal.

    Args:
        confusion: ``(classes, classes)`` integer counts, ``confusion[true, predicted]``.
        class_names: one name per class, in index order (tick labels of both axes).
        title: the axes' title; empty for none.
    """
    confusion = np.asarray(confusion)
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7.5, 7), dpi=72)
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=90, fontsize=7)
    ax.set_yticks(ticks, class_names, fontsize=7)
    for i, j in zip(*np.nonzero(confusion), strict=True):
        if i != j:
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=6,
                    color="crimson")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_mirror_pairs(
    per_class: Mapping[str, Sequence[float]],
    pairs: Sequence[tuple[str, str]],
    class_names: Sequence[str],
) -> Figure:
    """Per-class clip accuracy of several models on the classes of the mirror pairs.

    ``per_class`` maps a model's label to its per-class accuracy (indexed like
    ``class_names``); each pair's two classes are drawn side by side.

    Args:
        per_class: model label to its clip accuracy per class in ``[0, 1]``, indexed like
            ``class_names``; one bar per model and class.
        pairs: the mirror pairs as ``(class, mirrored class)`` names, drawn left to right.
        class_names: every class name in index order; each name in ``pairs`` must be here.
    """
    names = [name for pair in pairs for name in pair]
    index = [list(class_names).index(name) for name in names]
    width = 0.8 / len(per_class)
    fig, ax = plt.subplots(figsize=(9, 3.4), dpi=80)
    x = np.arange(len(names))
    for k, (label, values) in enumerate(per_class.items()):
        ax.bar(x + (k - (len(per_class) - 1) / 2) * width, np.asarray(values)[index], width,
               label=label)
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_xticks(x, names, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("clip accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
