"""Figures and tables for chapter 1: what each block costs, what its kernels look like, and
which output frames a change of the input reaches.

Figures are drawn in the book's style (:func:`streamnets.viz.style.styled`), with frames
numbered from 1 and legends outside the axes.

Keras is imported only by the functions that take a model (:func:`kernel_boxes`,
:func:`plot_kernel_shapes`): the cost bars and tables also draw saved benchmark results
(chapter 9, ``benchmarks/run_all.py``), which must not start TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from streamnets.viz.style import frame_numbers, legend_outside, styled

if TYPE_CHECKING:
    import keras

_COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


def _check_columns(labels: Sequence[str], metrics: Mapping[str, Sequence[object]]) -> None:
    if not metrics:
        raise ValueError("metrics must hold at least one column, got an empty mapping.")
    for name, values in metrics.items():
        if len(values) != len(labels):
            raise ValueError(
                f"metrics[{name!r}] has {len(values)} values for {len(labels)} labels; "
                "give one value per label."
            )


@styled
def plot_costs(
    labels: Sequence[str],
    metrics: Mapping[str, Sequence[float]],
    title: str | None = None,
    columns: int | None = None,
) -> Figure:
    """One horizontal bar panel per metric (parameters, MACs, frames/s, ...), side by side
    or stacked.

    Each bar is labelled with its value relative to the first label, so "x times the
    cost of the first model" can be read off directly.

    Args:
        labels: one name per model (or block), drawn top to bottom; the first is the
            reference of the ratios.
        metrics: column name (e.g. ``"MACs"``) to one number per label, in label order;
            one panel each, left to right.
        title: a title over all panels; ``None`` or empty for none.
        columns: panels per row; ``None`` puts every panel in one row. One column stacks
            the panels, which keeps the figure narrow enough for a book page.
    """
    _check_columns(labels, metrics)
    columns = len(metrics) if columns is None else columns
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}.")
    columns = min(columns, len(metrics))
    rows = -(-len(metrics) // columns)
    width = 3.2 * columns + 1.5 if columns > 1 else 6.5
    fig, axes = plt.subplots(
        rows, columns, figsize=(width, rows * (0.45 * len(labels) + 0.9) + 0.3),
        sharey=True, squeeze=False,
    )
    for ax in axes.flat[len(metrics):]:
        ax.axis("off")
    positions = range(len(labels))
    for ax, (name, values) in zip(axes.flat, metrics.items(), strict=False):
        ax.barh(positions, values, color=_COLORS[: len(labels)])
        reference = values[0]
        for y, value in zip(positions, values, strict=True):
            ratio = value / reference if reference else float("nan")
            ax.text(value, y, f" {ratio:.2f}×", va="center", fontsize=8)
        ax.set_title(name, fontsize=10)
        ax.set_xlim(0, 1.3 * max(values))
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(False, axis="y")
    axes[0, 0].set_yticks(list(positions), labels)
    axes[0, 0].invert_yaxis()
    for ax in axes[1:, 0]:  # shared y: every row's first panel names the labels
        ax.tick_params(axis="y", labelleft=True)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def cost_table(
    labels: Sequence[str],
    metrics: Mapping[str, Sequence[object]],
    formats: Mapping[str, str] | None = None,
) -> str:
    """A Markdown table, one row per label, one column per metric.

    ``formats`` maps a metric name to a format spec; numbers default to ``",.0f"`` and
    anything else (a shape, a name) is shown with ``str``. Display the result with
    ``IPython.display.Markdown`` so it renders both in Jupyter and in the book.

    Args:
        labels: the first cell of each row (e.g. the model names).
        metrics: column header to one value per label, in label order.
        formats: column header to a ``format`` spec (e.g. ``".2f"``) for that column's
            values; ``None`` for the defaults above.
    """
    _check_columns(labels, metrics)
    formats = formats or {}

    def cell(name: str, value: object) -> str:
        if isinstance(value, Real):
            return format(value, formats.get(name, ",.0f"))
        return format(value, formats.get(name, "")) if name in formats else str(value)

    lines = [
        "| | " + " | ".join(metrics) + " |",
        "|---|" + "---:|" * len(metrics),
    ]
    for row, label in enumerate(labels):
        cells = [cell(name, values[row]) for name, values in metrics.items()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class KernelBox:
    """One convolution kernel as the figure draws it."""

    size: tuple[int, int, int]
    """``(time, height, width)`` extent of the kernel."""
    depthwise: bool
    """True when each channel has its own kernel (grouped convolution)."""
    label: str
    """Text under the box, e.g. ``"5×1×1\\n40→80"``."""


def kernel_boxes(model: keras.Model) -> list[KernelBox]:
    """The ``Conv3D`` kernels of ``model`` in order, with their channel counts.

    Args:
        model: a built Keras model; its ``Conv3D`` layers (depthwise ones included) are
            read in ``model.layers`` order, other layers are skipped.

    Raises:
        ValueError: if the model has no ``Conv3D`` layer.
    """
    import keras

    boxes = []
    for layer in model.layers:
        if not isinstance(layer, keras.layers.Conv3D):
            continue
        t, h, w = layer.kernel_size
        in_channels, out_channels = layer.input.shape[-1], layer.filters
        depthwise = layer.groups > 1
        channels = f"{in_channels} dw" if depthwise else f"{in_channels}→{out_channels}"
        boxes.append(KernelBox((t, h, w), depthwise, f"{t}×{h}×{w}\n{channels}"))
    if not boxes:
        raise ValueError(f"model {model.name!r} has no Conv3D layer to draw.")
    return boxes


# Oblique projection: time runs right, height up, width recedes up and to the right.
_DEPTH = (0.45, 0.3)


def _project(t: float, h: float, w: float) -> tuple[float, float]:
    return t + w * _DEPTH[0], h + w * _DEPTH[1]


def _draw_box(ax: Axes, origin: float, box: KernelBox, color: str) -> float:
    """Draw ``box`` as a grid of unit cells with its left edge at ``origin``; return its width."""
    t_size, h_size, w_size = box.size
    alpha = 0.45 if box.depthwise else 0.9
    linestyle = ":" if box.depthwise else "-"
    # The three visible faces (front, top, right), each as unit squares.
    faces = (
        [((t, h, 0), (t + 1, h, 0), (t + 1, h + 1, 0), (t, h + 1, 0))
         for t in range(t_size) for h in range(h_size)],
        [((t, h_size, w), (t + 1, h_size, w), (t + 1, h_size, w + 1), (t, h_size, w + 1))
         for t in range(t_size) for w in range(w_size)],
        [((t_size, h, w), (t_size, h, w + 1), (t_size, h + 1, w + 1), (t_size, h + 1, w))
         for h in range(h_size) for w in range(w_size)],
    )
    for shade, squares in zip((1.0, 0.8, 0.65), faces, strict=True):
        for square in squares:
            corners = [_project(origin + t, h, w) for t, h, w in square]
            face = tuple(channel * shade for channel in to_rgb(color)) + (alpha,)
            ax.add_patch(Polygon(corners, closed=True, facecolor=face, edgecolor="black",
                                 linestyle=linestyle, linewidth=0.9))
    return t_size + w_size * _DEPTH[0]


@styled
def plot_kernel_shapes(models: Mapping[str, keras.Model], columns: int = 1) -> Figure:
    """Draw every convolution kernel of each model, one panel per model, in layer order.

    Boxes are ``time x height x width`` in kernel cells (time to the right); dotted,
    pale boxes are depthwise kernels, which hold one such box per channel instead of one
    per input-output channel pair.

    Args:
        models: panel title to a built Keras model (see :func:`kernel_boxes`), drawn in
            mapping order.
        columns: panels per row; one (the default) keeps the figure narrow enough for
            its labels to stay readable on a book page.
    """
    if not models:
        raise ValueError("models must hold at least one model to draw, got an empty mapping.")
    rows = {name: kernel_boxes(model) for name, model in models.items()}
    gap = 1.6
    widest = max(sum(b.size[0] + b.size[2] * _DEPTH[0] + gap for b in boxes) - gap
                 for boxes in rows.values())
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}.")
    ncols = min(columns, len(rows))
    nrows = -(-len(rows) // ncols)
    scale = 0.3  # inches per kernel cell
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale * (widest + 0.6),
                                                    nrows * scale * 6.6 + 0.4), squeeze=False)
    for ax in axes.flat[len(rows):]:
        ax.axis("off")
    for row, (ax, (name, boxes)) in enumerate(zip(axes.flat, rows.items(), strict=False)):
        x = 0.0
        for index, box in enumerate(boxes):
            width = _draw_box(ax, x, box, _COLORS[row % len(_COLORS)])
            ax.text(x + width / 2, -0.4, box.label, ha="center", va="top", fontsize=8)
            if index < len(boxes) - 1:
                ax.annotate("", xy=(x + width + gap - 0.25, 1.5), xytext=(x + width + 0.25, 1.5),
                            arrowprops={"arrowstyle": "->", "color": "gray"})
            x += width + gap
        ax.set_xlim(-0.3, widest + 0.3)
        ax.set_ylim(-2.4, 4.2)
        ax.set_aspect("equal")
        ax.set_title(name, loc="left", fontsize=10)
        ax.axis("off")
    fig.text(0.99, 0.005, "boxes: time × height × width (time to the right)\n"
             "dotted: depthwise, one kernel per channel", ha="right", va="bottom", fontsize=8,
             color="dimgray")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


@styled
def plot_output_change(changes: Mapping[str, Sequence[float]], first_changed: int) -> Figure:
    """How much each output frame moved when the input frames from ``first_changed`` on
    were replaced: one group of bars per output frame, one bar per model.

    Frames are numbered from 1 on the x axis, as the prose counts them; a dashed line
    separates the frames before ``first_changed`` (whose outputs a causal model keeps)
    from the changed ones. The legend sits above the axes.

    Args:
        changes: legend label to the largest change of each output frame (one value per
            frame, the first is frame 1); every model has the same number of frames.
        first_changed: the 1-based number of the first input frame that was replaced,
            between 1 and the number of frames.
    """
    if not changes:
        raise ValueError("changes must hold at least one model's changes, got an empty mapping.")
    values = [np.asarray(change, dtype=float) for change in changes.values()]
    count = len(values[0])
    if any(len(change) != count for change in values):
        raise ValueError("every model in changes must have one value per frame, and the "
                         f"same number of frames; got {[len(c) for c in values]}.")
    if not 1 <= first_changed <= count:
        raise ValueError(f"first_changed is a 1-based frame number in [1, {count}], "
                         f"got {first_changed}.")
    frames = frame_numbers(count)
    width = 0.8 / len(values)
    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=80, layout="constrained")
    for k, (label, change) in enumerate(zip(changes, values, strict=True)):
        ax.bar(frames + (k - (len(values) - 1) / 2) * width, change, width, label=label,
               color=_COLORS[k % len(_COLORS)])
    top = max(float(change.max()) for change in values)
    ax.set_ylim(0, 1.25 * top if top > 0 else 1.0)
    ax.axvline(first_changed - 0.5, color="gray", linestyle="--")
    ax.text(first_changed - 0.4, 0.97, f"input frames {first_changed} to {count} changed",
            fontsize=8, va="top", transform=ax.get_xaxis_transform())
    ax.set_xticks(frames)
    ax.grid(False, axis="x")
    ax.set_xlabel("output frame")
    ax.set_ylabel("largest change")
    legend_outside(ax, "above")
    return fig
