"""The offline player and the landing page's GIF: frames, loop, timing, bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from streamnets.viz.player import animation_gif
from streamnets.viz.streaming import animate_fifo

FRAMES = 4
RNG = np.random.default_rng(0)
CLIP = RNG.integers(0, 256, (FRAMES, 16, 16, 3)).astype("uint8")


def test_gif_has_every_frame_loops_and_keeps_the_interval():
    animation = animate_fifo(CLIP, RNG.random((FRAMES, 8, 8, 3, 2)), "fifo_x")
    data = animation_gif(animation, dpi=40)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF"
    assert gif.n_frames == FRAMES
    assert gif.info["loop"] == 0  # for ever
    assert gif.info["duration"] == pytest.approx(animation._interval, abs=1)
    smaller = animation_gif(animation, dpi=20)
    assert Image.open(io.BytesIO(smaller)).size[0] < gif.size[0]


def test_gif_refuses_a_bad_dpi():
    with pytest.raises(ValueError, match="dpi"):  # checked before any frame is drawn
        animation_gif(None, dpi=0)  # type: ignore[arg-type]
