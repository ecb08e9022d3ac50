"""Figures of the streaming chapter: a FIFO filling up, live predictions, latency, exactness.

Animations are ``matplotlib.animation.FuncAnimation`` objects on a plain ``Figure`` (no
pyplot, so nothing is drawn twice in a notebook); :func:`animation_html` turns one into
a self-contained HTML player that works in the static book too. Everything is drawn in the
book's style (:mod:`streamnets.viz.style`), with frames numbered from 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from streamnets.performance import LatencyComparison
from streamnets.streaming import ConversionRow
from streamnets.viz.player import animation_html
from streamnets.viz.style import frame_numbers, legend_outside, styled

__all__ = ["animate_fifo", "animate_predictions", "animation_html", "conversion_table_markdown",
           "plot_frame_errors", "plot_latency"]

#: Small animations keep the book's pages light.
DPI = 72


def _check_clip(clip: np.ndarray) -> np.ndarray:
    clip = np.asarray(clip)
    if clip.ndim != 4 or clip.shape[-1] != 3:
        raise ValueError(f"clip must be (frames, height, width, 3), got shape {clip.shape}.")
    return clip


@styled
def animate_fifo(clip: np.ndarray, fifo_history: np.ndarray, name: str) -> FuncAnimation:
    """Input frames beside the slots of one FIFO buffer, frame by frame.

    Args:
        clip: the input frames ``(T, H, W, 3)`` uint8.
        fifo_history: the buffer after each frame, ``(T, h, w, k, C)`` (one stream's
            ``states[name]`` collected from ``step_fn``); each slot is drawn as the mean
            over channels, on one colour scale for the whole animation.
        name: the buffer's state name, for the title.
    """
    clip = _check_clip(clip)
    fifo_history = np.asarray(fifo_history)
    if fifo_history.ndim != 5 or fifo_history.shape[0] != clip.shape[0]:
        raise ValueError(
            f"fifo_history must be (frames, h, w, slots, channels) with {clip.shape[0]} "
            f"frames like clip, got shape {fifo_history.shape}."
        )
    slots = fifo_history.shape[3]
    maps = fifo_history.mean(axis=-1)  # (T, h, w, slots)
    vmax = float(maps.max()) or 1.0
    fig = Figure(figsize=(1.7 * (slots + 1), 2.3), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, slots + 1)
    image = axes[0].imshow(clip[0])
    slot_images = [ax.imshow(maps[0, :, :, j], cmap="magma", vmin=0, vmax=vmax)
                   for j, ax in enumerate(axes[1:])]
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    title = fig.suptitle("")

    def draw(t: int) -> list:
        image.set_data(clip[t])
        axes[0].set_title(f"input frame {t + 1}", fontsize=9)
        for j, (ax, slot) in enumerate(zip(axes[1:], slot_images, strict=True)):
            age = slots - 1 - j  # slot j holds frame t - age
            slot.set_data(maps[t, :, :, j])
            held = f"t - {age}" if age else "t (newest)"
            ax.set_title(held if t >= age else f"{held}: zeros", fontsize=9,
                         color="k" if t >= age else "0.5")
        title.set_text(f"{name}: the last {slots} inputs of one temporal layer")
        return [image, *slot_images]

    return FuncAnimation(fig, draw, frames=clip.shape[0], interval=500, blit=False)


@styled
def animate_predictions(
    clip: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    label: int | None = None,
    top_k: int = 5,
) -> FuncAnimation:
    """A clip playing beside the ``top_k`` class probabilities after each frame.

    ``probabilities`` is ``(T, n_classes)``, one row per frame as the streaming model
    emits them; the true class (``label``), when given, is drawn in green.

    Args:
        clip: the input frames ``(T, H, W, 3)`` uint8.
        probabilities: ``(T, n_classes)`` class probabilities after each frame.
        class_names: one name per class, in the column order of ``probabilities``.
        label: index of the true class, drawn green and named in the title; ``None`` when
            unknown.
        top_k: how many of the most probable classes to show after each frame (at most
            ``n_classes``).
    """
    clip = _check_clip(clip)
    probabilities = np.asarray(probabilities)
    if probabilities.shape != (clip.shape[0], len(class_names)):
        raise ValueError(
            f"probabilities must be (frames, classes) = ({clip.shape[0]}, {len(class_names)}),"
            f" got shape {probabilities.shape}."
        )
    fig = Figure(figsize=(7.5, 2.6), dpi=DPI, layout="constrained")
    ax_clip, ax_bars = fig.subplots(1, 2, width_ratios=(1, 1.6))
    image = ax_clip.imshow(clip[0])
    ax_clip.set_xticks([])
    ax_clip.set_yticks([])
    rows = np.arange(top_k)[::-1]  # best class on top
    bars = ax_bars.barh(rows, np.zeros(top_k), color="C0")
    ax_bars.set(xlim=(0, 1), xlabel="probability", yticks=rows)
    ax_bars.grid(axis="x", alpha=0.3)
    truth = "" if label is None else f"true: {class_names[label]}"

    def draw(t: int) -> list:
        image.set_data(clip[t])
        ax_clip.set_title(f"frame {t + 1} / {clip.shape[0]}", fontsize=9)
        best = np.argsort(probabilities[t])[::-1][:top_k]
        for bar, c in zip(bars, best, strict=True):
            bar.set_width(probabilities[t, c])
            bar.set_color("C2" if c == label else "C0")
        ax_bars.set_yticklabels([class_names[c] for c in best], fontsize=9)
        ax_bars.set_title(f"top {top_k} after frame {t + 1}   {truth}", fontsize=9)
        return [image, *bars]

    return FuncAnimation(fig, draw, frames=clip.shape[0], interval=400, blit=False)


@styled
def plot_latency(comparison: LatencyComparison) -> Figure:
    """Milliseconds per new frame: one streaming step against recomputing the window.

    Args:
        comparison: the measured medians, as :func:`streamnets.performance.compare_latency`
            returns them; its ``window`` and ``batch_size`` label the bars and axis.
    """
    fig = Figure(figsize=(5.5, 2.4), layout="constrained")
    ax = fig.add_subplot()
    labels = ["streaming step\n(FIFO buffers)", f"recompute the\n{comparison.window}-frame window"]
    values = [comparison.stream_ms, comparison.recompute_ms]
    ax.barh(labels, values, color=["C2", "C3"])
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.1f} ms", va="center", fontsize=9)
    ax.set(xlabel=f"milliseconds per new frame (batch {comparison.batch_size}, median)",
           xlim=(0, 1.25 * max(values)))
    ratio = comparison.ratio
    ax.set_title(f"streaming is {ratio:.1f}x cheaper per frame" if ratio >= 1 else
                 f"streaming is {1 / ratio:.1f}x dearer per frame", fontsize=10)
    return fig


@styled
def plot_frame_errors(errors: Sequence[float], tolerance: float = 1e-5) -> Figure:
    """Largest streamed-vs-offline difference at each frame, relative to the logits' scale.

    Args:
        errors: one value per frame, ``max |streamed - offline| / max |logit|`` (zeros are
            drawn as the smallest float32 so the log scale can show them).
        tolerance: the acceptance threshold, drawn as a dashed red line.
    """
    errors = np.asarray(errors, dtype=float)
    fig = Figure(figsize=(6.5, 2.4), layout="constrained")
    ax = fig.add_subplot()
    frames = frame_numbers(len(errors))
    ax.bar(frames, np.maximum(errors, np.finfo(np.float32).tiny), color="C0")
    ax.axhline(tolerance, color="C3", ls="--", label=f"tolerance {tolerance:g}")
    ax.set(yscale="log", xlabel="frame", ylabel="max |difference| / max |logit|",
           xticks=frames, ylim=(None, 10 * max(tolerance, errors.max())))
    legend_outside(ax, "right")
    return fig


def conversion_table_markdown(rows: Sequence[ConversionRow]) -> str:
    """The per-layer conversion as a Markdown table (display it with ``Markdown``).

    Args:
        rows: the conversion's rows in layer order, as
            :meth:`streamnets.streaming.StreamingModel.conversion_table` returns them; one
            table line each, and a row without state leaves the state column empty.
    """
    lines = ["| original layer(s) | per-frame layer | became | state (per stream) |",
             "|---|---|---|---|"]
    for row in rows:
        state = f"`{row.state}` {row.state_shape}" if row.state else ""
        originals = ", ".join(f"`{name}`" for name in row.originals)
        lines.append(f"| {originals} | `{row.layer}` | {row.kind} | {state} |")
    return "\n".join(lines)
