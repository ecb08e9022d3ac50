"""Figures of the data chapter: shapes of the drawings and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
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


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="titles"):
        plot_class_grid([CLIP], ["a", "b"])
    with pytest.raises(ValueError, match=r"\(frames, height, width, 3\)"):
        animate_clips([CLIP[0]], ["a"])
    with pytest.raises(ValueError, match="same number of frames"):
        animate_clips([CLIP, CLIP[:2]], ["a", "b"])
    with pytest.raises(ValueError, match="equal-length"):
        plot_onsets([1.0], [2.0, 3.0])
