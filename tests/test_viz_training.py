"""Chapter 3's figures: the book's style rules (legends off the data, zoomed accuracy axes,
frames from 1, readable class names) and clear errors on bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.transforms import Bbox

from streamnets.viz.training import (
    plot_accuracy_by_frame,
    plot_confusion,
    plot_history,
    plot_learning_rate,
    plot_mirror_pairs,
)

HISTORY = [
    {"step": 10, "loss": 3.0, "frame_accuracy": 0.70, "stage": 1},
    {"step": 20, "loss": 2.0, "frame_accuracy": 0.80, "val_loss": 2.2,
     "val_frame_accuracy": 0.75, "val_clip_accuracy": 0.85, "stage": 1},
    {"step": 30, "loss": 1.5, "frame_accuracy": 0.85, "stage": 2},
    {"step": 40, "loss": 1.2, "frame_accuracy": 0.90, "val_loss": 1.4,
     "val_frame_accuracy": 0.88, "val_clip_accuracy": 0.95, "stage": 2},
]


def _outside(fig, ax) -> bool:
    """True when ``ax``'s legend shares no pixel with the axes it describes."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    assert legend is not None
    return Bbox.intersection(legend.get_window_extent(renderer),
                             ax.get_window_extent(renderer)) is None


def test_history_legends_sit_outside_and_the_accuracy_axis_is_zoomed() -> None:
    fig = plot_history(HISTORY, title="run")
    left, right = fig.axes
    assert _outside(fig, left) and _outside(fig, right)
    low, high = right.get_ylim()
    assert 0.6 < low < 0.70 and 0.95 < high <= 1.0
    assert right.get_ylabel() == "accuracy (axis zoomed)"
    # the continued run is marked on both panels
    assert all(any(line.get_linestyle() == ":" for line in ax.lines) for ax in (left, right))
    plt.close(fig)


def test_accuracy_by_frame_counts_frames_from_one() -> None:
    curves = {"own frame": [0.5, 0.6, 0.7], "after t frames": [0.55, 0.65, 0.8]}
    fig = plot_accuracy_by_frame(curves)
    (ax,) = fig.axes
    assert all(list(line.get_xdata()) == [1, 2, 3] for line in ax.lines)
    assert ax.get_xlabel() == "frame"
    assert ax.get_ylabel() == "accuracy (axis zoomed)"  # 0.5 to 0.8: zoomed in
    assert _outside(fig, ax)
    plt.close(fig)
    # values over the whole range: nothing to zoom, the label says plain "accuracy"
    fig = plot_accuracy_by_frame({"a": [0.0, 0.5, 1.0]})
    assert fig.axes[0].get_ylabel() == "accuracy"
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        plot_accuracy_by_frame({})


def test_confusion_labels_are_readable() -> None:
    names = [f"class number {i}" for i in range(27)]
    confusion = np.eye(27, dtype=int) * 4
    confusion[0, 1] = 2
    fig = plot_confusion(confusion, names)
    ax = fig.axes[0]
    labels = ax.get_xticklabels() + ax.get_yticklabels()
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert min(t.get_fontsize() for t in labels) >= 7
    assert all(t.get_rotation() == 90 for t in ax.get_xticklabels())
    # the figure leaves each class at least a 7-point row: 27 rows on the axes' height
    fig.canvas.draw()
    height_points = ax.get_window_extent().height / fig.dpi * 72
    assert height_points / len(names) >= 7
    assert [t.get_text() for t in ax.texts] == ["2"]  # the one mistake, counted
    plt.close(fig)
    with pytest.raises(ValueError, match="class names"):
        plot_confusion(np.eye(3), names)


def test_mirror_pairs_legend_above_the_bars() -> None:
    names = ["a", "b", "c", "d", "e"]
    fig = plot_mirror_pairs({"model 1": [1.0, 0.0, 0.5, 0.5, 0.9],
                             "model 2": [0.5, 0.5, 1.0, 1.0, 0.1]},
                            [("a", "b"), ("c", "d")], names)
    (ax,) = fig.axes
    assert _outside(fig, ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert len(ax.patches) == 8  # 4 classes x 2 models
    assert ax.get_ylim()[0] == 0  # bars start at zero
    plt.close(fig)


def test_learning_rate_is_one_line_from_zero() -> None:
    fig = plot_learning_rate([1, 2, 3], [0.001, 0.004, 0.002])
    (ax,) = fig.axes
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3] and ax.get_ylim()[0] == 0
    plt.close(fig)
    with pytest.raises(ValueError, match="equal-length"):
        plot_learning_rate([1, 2], [0.1])
