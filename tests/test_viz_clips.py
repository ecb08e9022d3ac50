"""Figures of the data chapter: shapes of the drawings and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from streamnets.viz.clips import (
    animate_clips,
    filmstrip,
    plot_class_grid,
    plot_mirror_pair,
    plot_onsets,
)

CLIP = np.arange(4 * 8 * 6 * 3, dtype=np.uint8).reshape(4, 8, 6, 3)


def test_filmstrip_places_frames_side_by_side():
    strip = filmstrip(CLIP, frames=(0, 3), gap=2)
    assert strip.shape == (8, 6 + 2 + 6, 3)
    np.testing.assert_array_equal(strip[:, :6], CLIP[0])
    np.testing.assert_array_equal(strip[:, 8:], CLIP[3])
    assert (strip[:, 6:8] == 255).all()
    with pytest.raises(ValueError, match="indices"):
        filmstrip(CLIP, frames=(0, 4))


def test_figures_draw_one_panel_per_clip():
    grid = plot_class_grid([CLIP] * 5, [f"class {i}" for i in range(5)], frames=(0, 1),
                           columns=3)
    assert isinstance(grid, Figure)
    assert [ax.get_title(loc="left") for ax in grid.axes if ax.images] == [
        f"class {i}" for i in range(5)]
    pair = plot_mirror_pair(CLIP, CLIP[::-1], ["a", "b"], frames=(0, 3))
    assert len(pair.axes) == 4
    onsets = plot_onsets([-1.0, 2.5, 8.0], [6.0, 9.0, 15.0], frames=16)
    assert len(onsets.axes) == 2


def test_animation_has_one_frame_per_clip_frame():
    animation = animate_clips([CLIP, CLIP], ["a", "b"])
    assert isinstance(animation, FuncAnimation)
    assert len(list(animation.new_frame_seq())) == len(CLIP)
    assert animation.to_jshtml().count("data:image/png;base64") == len(CLIP)
    assert animation._fig._suptitle.get_text() == f"frame {len(CLIP)} of {len(CLIP)}"
    animation._func(0)
    assert animation._fig._suptitle.get_text() == f"frame 1 of {len(CLIP)}"  # not frame 0


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="titles"):
        plot_class_grid([CLIP], ["a", "b"])
    with pytest.raises(ValueError, match=r"\(frames, height, width, 3\)"):
        animate_clips([CLIP[0]], ["a"])
    with pytest.raises(ValueError, match="same number of frames"):
        animate_clips([CLIP, CLIP[:2]], ["a", "b"])
    with pytest.raises(ValueError, match="equal-length"):
        plot_onsets([1.0], [2.0, 3.0])


def test_onsets_count_frames_from_one_and_keep_the_legend_off_the_data():
    # a gesture starting at time 0.5 starts during frame 1; at 2.5, during frame 3
    fig = plot_onsets([0.5, 2.5, -1.5], [6.0, 9.0, 4.0], frames=8)
    left, right = fig.axes
    bars = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in left.patches
            if p.get_height() > 0}
    assert bars == {1: 1, 3: 1, -1: 1}  # -1: began before the clip (grey band)
    for line in right.lines:
        assert list(line.get_xdata()) == list(range(1, 9))
    started = right.lines[0].get_ydata()
    assert started[0] == pytest.approx(2 / 3)  # frame 1: the one before the clip and 0.5
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = right.get_legend()
    assert legend is not None
    assert not legend.get_window_extent(renderer).overlaps(right.get_window_extent(renderer))


def test_frames_are_numbered_from_one_in_every_figure():
    grid = plot_class_grid([CLIP] * 2, ["a", "b"], frames=(0, 3))
    assert grid._suptitle.get_text() == "Each strip, left to right: frames 1 and 4 of 4"
    pair = plot_mirror_pair(CLIP, CLIP[::-1], ["a", "b"], frames=(0, 3))
    assert [ax.get_title() for ax in pair.axes[:2]] == ["frame 1", "frame 4"]
