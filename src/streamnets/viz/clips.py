"""Figures of the data chapter: clips as filmstrips, grids per class, animations, onsets.

Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot state), small enough for
the book's pages, drawn in the book's style (:func:`streamnets.viz.style.styled`) with
frames numbered from 1, as the prose counts them; animations are ``FuncAnimation`` objects
to turn into an HTML player with :func:`streamnets.viz.player.animation_html`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from streamnets.viz.style import frame_numbers, legend_outside, styled

DPI = 72


def _check_clips(clips: Sequence[np.ndarray], titles: Sequence[str]) -> list[np.ndarray]:
    clips = [np.asarray(clip) for clip in clips]
    if not clips:
        raise ValueError("clips is empty: pass at least one (frames, height, width, 3) clip.")
    for clip in clips:
        if clip.ndim != 4 or clip.shape[-1] != 3:
            raise ValueError(f"each clip must be (frames, height, width, 3), got {clip.shape}.")
    if len(titles) != len(clips):
        raise ValueError(f"got {len(titles)} titles for {len(clips)} clips; give one each.")
    return clips


def _frame_list(frames: Sequence[int], count: int) -> str:
    """``"frames 1, 6, 11 and 16"``: 0-based indices as the 1-based numbers a reader counts."""
    numbers = [str(index % count + 1) for index in frames]
    if len(numbers) == 1:
        return f"frame {numbers[0]}"
    return f"frames {', '.join(numbers[:-1])} and {numbers[-1]}"


def _image_panel(ax: Axes) -> None:
    """An axes that shows a picture: no ticks, no grid, no frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def filmstrip(clip: np.ndarray, frames: Sequence[int] = (0, 5, 10, 15), gap: int = 2
              ) -> np.ndarray:
    """The chosen frames of a clip side by side, separated by ``gap`` white columns.

    Args:
        clip: one clip, ``(frames, height, width, 3)`` uint8 RGB (the spacer is 255: white).
        frames: indices of the frames to show, left to right (negative counts from the end).
        gap: width in pixels of the white spacer between two frames.

    Returns:
        One image ``(height, width * len(frames) + gap * (len(frames) - 1), 3)`` of the
        clip's dtype, ready for ``imshow``.
    """
    (clip,) = _check_clips([clip], [""])
    if not frames or min(frames) < -len(clip) or max(frames) >= len(clip):
        raise ValueError(f"frames must be indices into the clip's {len(clip)} frames, "
                         f"got {tuple(frames)}.")
    height = clip.shape[1]
    spacer = np.full((height, gap, 3), 255, dtype=clip.dtype)
    parts = []
    for index in frames:
        parts += [clip[index], spacer]
    return np.concatenate(parts[:-1], axis=1)


@styled
def plot_class_grid(clips: Sequence[np.ndarray], titles: Sequence[str],
                    frames: Sequence[int] = (0, 5, 10, 15), columns: int = 3) -> Figure:
    """One filmstrip per clip (e.g. one clip per class), ``columns`` filmstrips per row.

    A line over the grid says which frames the filmstrips show, numbered from 1.

    Args:
        clips: the clips, each ``(frames, height, width, 3)`` RGB.
        titles: one title per clip (e.g. its class name), shown above its filmstrip.
        frames: 0-based indices of the frames each filmstrip shows (see :func:`filmstrip`).
        columns: filmstrips per row of the grid; the last row may be partly empty.
    """
    clips = _check_clips(clips, titles)
    rows = -(-len(clips) // columns)
    fig = Figure(figsize=(3.3 * columns, 1.25 * rows + 0.3), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).reshape(rows, columns)
    for ax in axes.flat:
        ax.axis("off")
    for ax, clip, title in zip(axes.flat, clips, titles, strict=False):
        ax.imshow(filmstrip(clip, frames))
        ax.set_title(title, fontsize=10, loc="left", pad=2)
    fig.suptitle(f"Each strip, left to right: {_frame_list(frames, len(clips[0]))} of "
                 f"{len(clips[0])}", fontsize=11)
    return fig


@styled
def animate_clips(clips: Sequence[np.ndarray], titles: Sequence[str],
                  interval: int = 300) -> FuncAnimation:
    """Several clips (same number of frames) playing side by side.

    Args:
        clips: the clips, each ``(frames, height, width, 3)`` RGB, all with the same
            number of frames.
        titles: one title per clip, shown above it.
        interval: delay between frames of the animation, in milliseconds.
    """
    clips = _check_clips(clips, titles)
    if len({len(clip) for clip in clips}) != 1:
        raise ValueError("all clips must have the same number of frames to play together.")
    fig = Figure(figsize=(1.9 * len(clips), 2.4), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(clips)))
    images = []
    for ax, clip, title in zip(axes, clips, titles, strict=True):
        images.append(ax.imshow(clip[0]))
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    counter = fig.suptitle("", fontsize=11)

    def draw(t: int) -> list:
        for image, clip in zip(images, clips, strict=True):
            image.set_data(clip[t])
        counter.set_text(f"frame {t + 1} of {len(clips[0])}")
        return images

    return FuncAnimation(fig, draw, frames=len(clips[0]), interval=interval, blit=False)


@styled
def plot_onsets(starts: Sequence[float], ends: Sequence[float], frames: int = 16) -> Figure:
    """When gestures happen: a histogram of onsets, and per frame the share of clips whose
    gesture has started (before that, a frame carries no sign of its class).

    Both panels number frames from 1: a window's time ``s`` (frame 1 covers ``[0, 1)``,
    as :func:`streamnets.data.gesture_window` counts) falls in frame ``floor(s) + 1``, so
    the histogram's bar over frame ``n`` counts the gestures that begin during frame ``n``,
    and the grey band those that began before the clip. The legend sits above the axes.

    Args:
        starts: per clip, the time at which its gesture begins, in frames from the start
            of the clip (negative: it began before the clip's first frame).
        ends: per clip, the time at which its gesture ends; same length as ``starts``.
        frames: the number of frames in a clip (the x range of both panels).
    """
    starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
    if starts.shape != ends.shape or starts.ndim != 1 or not len(starts):
        raise ValueError("starts and ends must be equal-length 1-D sequences of windows.")
    fig = Figure(figsize=(9, 3.2), dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2)
    numbers = frame_numbers(frames)
    # Frame n covers the times [n - 1, n): the bar of frame n spans [n - 0.5, n + 0.5).
    onset_frames = np.floor(starts) + 1
    edges = np.arange(-3, frames + 1) + 0.5
    left.hist(np.clip(onset_frames, edges[0] + 0.5, None), bins=edges, color="tab:blue",
              edgecolor="white")
    left.axvspan(edges[0], 0.5, color="0.9", zorder=0)
    ticks = [1, *range(4, frames + 1, 4)]
    left.set_xticks([-1, *ticks], ["before", *map(str, ticks)])
    left.set_xlim(edges[0], edges[-1])
    left.set_xlabel("frame in which the gesture starts")
    left.set_ylabel("clips")
    started = [(starts < n).mean() for n in numbers]  # begun by the end of frame n
    ongoing = [((starts < n) & (ends > n - 1)).mean() for n in numbers]  # during frame n
    right.plot(numbers, started, marker="o", label="started by this frame")
    right.plot(numbers, ongoing, marker="s", label="in progress during this frame")
    right.set_ylim(0, 1.02)
    right.set_xticks([1, *range(4, frames + 1, 4)])
    right.set_xlabel("frame")
    right.set_ylabel("share of gesture clips")
    legend_outside(right, "above")
    return fig


@styled
def plot_mirror_pair(forward: np.ndarray, backward: np.ndarray, names: Sequence[str],
                     frames: Sequence[int] = (0, 3, 6, 9, 12, 15)) -> Figure:
    """Two clips of a mirror pair, frame by frame: the second row is the first reversed.

    Args:
        forward: the first clip of the pair, ``(frames, height, width, 3)`` RGB (top row).
        backward: the second clip, the same gesture played backwards (bottom row).
        names: the two class names, labelling the rows in the order of the clips.
        frames: indices of the frames to show, one column each.
    """
    forward, backward = _check_clips([forward, backward], names)
    fig = Figure(figsize=(1.35 * len(frames), 3.1), dpi=DPI, layout="constrained")
    axes = fig.subplots(2, len(frames))
    for row, (clip, name) in enumerate(zip((forward, backward), names, strict=True)):
        for ax, index in zip(axes[row], frames, strict=True):
            ax.imshow(clip[index])
            _image_panel(ax)
            ax.set_title(f"frame {index % len(clip) + 1}", fontsize=8)
        axes[row, 0].set_ylabel(name, fontsize=8)
    return fig
