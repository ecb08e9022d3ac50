"""The book's figure style: the rcParams are applied, legends stay off the data, zoomed axes
say so, frames count from 1."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from streamnets.viz import style


@style.styled
def _figure(label: str = "curve"):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.arange(10), np.linspace(0.9, 0.95, 10), label=label)
    return fig, ax


def test_styled_draws_in_the_book_style_and_restores_matplotlib() -> None:
    before = matplotlib.rcParams["axes.spines.top"]
    fig, ax = _figure()
    assert not ax.spines["top"].get_visible()
    assert matplotlib.rcParams["axes.spines.top"] == before
    plt.close(fig)


@pytest.mark.parametrize("where", ["right", "above", "below"])
def test_legend_outside_does_not_overlap_the_axes(where: str) -> None:
    fig, ax = _figure()
    legend = style.legend_outside(ax, where)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box, axes_box = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    assert not box.overlaps(axes_box)
    plt.close(fig)


def test_legend_outside_without_labels_and_bad_place() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert style.legend_outside(ax) is None
    ax.plot([0, 1], label="x")
    with pytest.raises(ValueError, match="where"):
        style.legend_outside(ax, "inside")  # type: ignore[arg-type]
    plt.close(fig)


def test_zoom_axis_narrows_and_labels() -> None:
    fig, ax = _figure()
    low, high = style.zoom_axis(ax, [0.90, 0.95, np.nan])
    assert 0.89 < low < 0.90 and 0.95 < high < 0.96
    assert ax.get_ylabel() == "accuracy (axis zoomed)"
    assert style.zoom_axis(ax, [0.0, 1.0]) == (0.0, 1.0)
    assert ax.get_ylabel() == "accuracy"
    with pytest.raises(ValueError, match="finite"):
        style.zoom_axis(ax, [np.nan])
    plt.close(fig)


def test_frame_numbers_start_at_one() -> None:
    assert style.frame_numbers(3).tolist() == [1, 2, 3]
    assert style.frame_numbers(2, first=10).tolist() == [11, 12]
    with pytest.raises(ValueError):
        style.frame_numbers(-1)
