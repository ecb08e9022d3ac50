"""Schematics drawn from a model's own layers: the 5-block network, and one streaming step.

Nothing here is drawn by hand: the boxes, shapes, channels and buffer sizes are read from
the Keras model (and its :class:`~streamnets.streaming.StreamingModel`), so a schematic
cannot drift from the code it describes. Frames are numbered from 1, as everywhere in the
book.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import keras
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from streamnets.streaming import StreamingModel
from streamnets.viz.style import styled

#: A block's conv layers are named ``conv{t|s}_{full|dw|pw}_{block}_0`` by
#: :func:`streamnets.blocks.spatiotemporal_block`.
_BLOCK_CONV = re.compile(r"^conv(?P<axis>[ts])_(?P<kind>full|dw|pw)_(?P<block>\d+)_\d+$")


@dataclass(frozen=True)
class Stage:
    """One box of the model schematic: a title, the lines inside, the output it makes."""

    title: str
    lines: tuple[str, ...]
    output: tuple[int, ...]  # (height, width, channels) per frame
    temporal: bool  # whether the stage mixes frames (has a causal temporal kernel)


def _kernel_text(layer: keras.layers.Layer) -> str:
    kt, kh, kw = layer.kernel_size
    kernel = f"time {kt}" if kt > 1 else f"{kh}×{kw}"
    return kernel + ("" if layer.strides[1] == 1 else f" /{layer.strides[1]}")


def _conv_lines(convs: list[keras.layers.Layer]) -> list[str]:
    """One line per convolution: kernel (time or space), stride, output channels."""
    return [f"{_kernel_text(layer)} depthwise" if type(layer).__name__.startswith("Depthwise")
            else f"{_kernel_text(layer)} → {layer.filters}" for layer in convs]


def model_stages(model: keras.Model) -> list[Stage]:
    """The input, the input conv, each block and the head of a :func:`~streamnets.models.
    gesture_net`, read from its layers.

    Args:
        model: a clip model built by :func:`streamnets.models.gesture_net` (or one with
            the same layer names: ``input_conv`` and ``conv{t|s}_{full|dw|pw}_<block>_0``).

    Raises:
        ValueError: if the model has no ``input_conv`` layer or no block convolutions.
    """
    frames, height, width, channels = model.input.shape[1:]
    stages = [Stage("input", (f"{frames or 'T'} frames", "uint8 RGB"),
                    (height, width, channels), False)]
    blocks: dict[int, list[keras.layers.Layer]] = {}
    stem = None
    for layer in model.layers:
        match = _BLOCK_CONV.match(layer.name)
        if match:
            blocks.setdefault(int(match["block"]), []).append(layer)
        elif layer.name == "input_conv":
            stem = layer
    if stem is None or not blocks:
        raise ValueError(f"{model.name!r} is not a gesture_net-style model: it has no "
                         f"'input_conv' layer or no conv{{t,s}}_*_<block>_0 layers.")
    stages.append(Stage("input conv", tuple(_conv_lines([stem])),
                        tuple(stem.output.shape[2:]), False))
    for index in sorted(blocks):
        convs = blocks[index]
        separable = any("_dw_" in layer.name for layer in convs)
        stages.append(Stage(f"block {index + 1}" + (" (separable)" if separable else ""),
                            tuple(_conv_lines(convs)), tuple(convs[-1].output.shape[2:]),
                            True))
    head = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    stages.append(Stage("head", ("mean over space", *(f"dense → {d.units}" for d in head)),
                        (head[-1].units,), False))
    return stages


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(v) for v in shape)


@styled
def plot_model(model: keras.Model, columns: int = 4) -> Figure:
    """The model as boxes, one per stage, with each stage's layers and output, in rows of
    ``columns`` (read left to right, then the next row), so the text stays readable at the
    width of a page.

    Blocks that mix frames (a causal temporal kernel) are shaded; everything else works
    on each frame alone.

    Args:
        model: a :func:`~streamnets.models.gesture_net` clip model (see
            :func:`model_stages`).
        columns: boxes per row (the model's 8 stages make 2 rows of 4 by default).
    """
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a positive int, got {columns!r}.")
    stages = model_stages(model)
    columns = min(columns, len(stages))
    rows = math.ceil(len(stages) / columns)
    fig = Figure(figsize=(1.65 * columns, 0.2 + 1.6 * rows), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(-0.1, columns + 0.1)
    ax.set_ylim(0.12, rows + 0.12)
    ax.axis("off")
    for i, stage in enumerate(stages):
        row, x = divmod(i, columns)
        y = rows - 1 - row  # the first row on top
        face = "#fde7c8" if stage.temporal else "#e3ecf7"
        ax.add_patch(FancyBboxPatch((x + 0.06, y + 0.34), 0.88, 0.58,
                                    boxstyle="round,pad=0.0,rounding_size=0.04",
                                    facecolor=face, edgecolor="0.35"))
        ax.text(x + 0.5, y + 0.87, stage.title, ha="center", va="top", fontsize=8.5,
                fontweight="bold")
        ax.text(x + 0.5, y + 0.75, "\n".join(stage.lines), ha="center", va="top",
                fontsize=8, linespacing=1.5)
        ax.text(x + 0.5, y + 0.27, _shape_text(stage.output), ha="center", va="top",
                fontsize=8.5, family="monospace")
        if x:
            ax.annotate("", (x + 0.07, y + 0.63), (x - 0.07, y + 0.63),
                        arrowprops={"arrowstyle": "->", "color": "0.35"})
        elif row:  # from the end of the row above, around the right, into this row
            top = y + 1
            ax.plot([columns - 0.06, columns + 0.04, columns + 0.04, -0.04, -0.04],
                    [top + 0.63, top + 0.63, top + 0.08, top + 0.08, y + 0.63],
                    color="0.35", lw=1)
            ax.annotate("", (0.07, y + 0.63), (-0.05, y + 0.63),
                        arrowprops={"arrowstyle": "->", "color": "0.35"})
    ax.text(-0.1, rows + 0.12, "orange: mixes frames (causal temporal kernels); blue: each "
            "frame alone. '/2': stride 2.\nUnder each box: its output per frame "
            "(height×width×channels).", fontsize=8.5, va="top")
    return fig


@dataclass(frozen=True)
class FifoRow:
    """One FIFO of a streaming step: which block, what it buffers, how much memory."""

    state: str
    block: int
    slots: int
    frame_shape: tuple[int, ...]  # (height, width, channels) of one buffered frame
    bytes_per_stream: int
    receptive_field: int  # input frames that the block's output at frame t has seen


def fifo_rows(model: keras.Model, stream: StreamingModel) -> list[FifoRow]:
    """The FIFOs of ``stream`` (converted from ``model``) in order, with the frames each
    block's output depends on (its temporal receptive field in input frames).

    Args:
        model: the clip model ``stream`` was converted from; its temporal layers give the
            number of slots and the buffered frame's shape.
        stream: ``model`` converted for streaming (:class:`~streamnets.streaming.StreamingModel`).

    Returns:
        One :class:`FifoRow` per state in conversion order; memory assumes float32 states.

    Raises:
        ValueError: if ``stream`` has no FIFO state.
    """
    rows = []
    field = 1
    shapes = stream.state_shapes()
    by_layer = {layer.name: layer for layer in model.layers}
    for row in stream.conversion_table():
        if row.state is None:
            continue
        layer = by_layer[row.layer]
        slots = layer.kernel_size[0]
        field += slots - 1
        match = _BLOCK_CONV.match(row.layer)
        rows.append(FifoRow(row.state, int(match["block"]) + 1 if match else len(rows) + 1,
                            slots, tuple(layer.input.shape[2:]),
                            4 * math.prod(shapes[row.state]), field))
    if not rows:
        raise ValueError("this streaming model has no FIFO states: nothing to draw.")
    return rows


@styled
def plot_fifo_step(model: keras.Model, stream: StreamingModel, frame: int = 24) -> Figure:
    """What every FIFO holds right after frame ``frame`` (numbered from 1) was pushed.

    One row per block: its buffer's slots, labelled with the input frame each holds
    (slots before frame 1 hold zeros, the causal padding), the buffer's per-frame shape
    and memory, and how far back the block's output reaches in input frames.

    Args:
        model: the clip model ``stream`` was converted from.
        stream: ``model`` converted for streaming (see :func:`fifo_rows`).
        frame: the frame just pushed, an ``int`` numbered from 1; slots for frames before
            frame 1 are drawn as zeros.
    """
    if isinstance(frame, bool) or not isinstance(frame, int) or frame < 1:
        raise ValueError(f"frame must be an int >= 1 (frames are numbered from 1), "
                         f"got {frame!r}.")
    rows = fifo_rows(model, stream)
    slots = max(r.slots for r in rows)
    fig = Figure(figsize=(8.5, 0.55 * len(rows) + 1.2), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(-2.3, slots + 5.2)
    ax.set_ylim(len(rows) - 0.4, -1.1)
    ax.axis("off")
    ax.text(-2.3, -0.8, f"after frame {frame}", fontsize=9, fontweight="bold")
    ax.text(0, -0.8, "FIFO slots, oldest → newest (the frame each holds)", fontsize=8)
    ax.text(slots + 0.3, -0.8, "one slot: h×w×ch · memory · the block's output sees", fontsize=8)
    for y, row in enumerate(rows):
        ax.text(-2.3, y, f"block {row.block}", va="center", fontsize=9)
        for j in range(row.slots):
            held = frame - (row.slots - 1 - j)
            newest = j == row.slots - 1
            ax.add_patch(Rectangle((j + 0.05, y - 0.35), 0.9, 0.7,
                                   facecolor="#f4a259" if newest else
                                   ("#e3ecf7" if held >= 1 else "white"),
                                   edgecolor="0.35", hatch=None if held >= 1 else "///"))
            ax.text(j + 0.5, y, str(held) if held >= 1 else "0", ha="center", va="center",
                    fontsize=8)
        first = max(1, frame - row.receptive_field + 1)
        ax.text(slots + 0.3, y, f"{_shape_text(row.frame_shape)} · "
                f"{row.bytes_per_stream / 1024:.0f} KiB · frames {first}–{frame} "
                f"({row.receptive_field} frames)", va="center", fontsize=8,
                family="monospace")
    total = sum(r.bytes_per_stream for r in rows) / 1024
    ax.text(-2.3, len(rows) - 0.2, f"orange: the frame just pushed; hatched: zeros before "
            f"frame 1. All buffers: {total:.0f} KiB per stream (float32).", fontsize=8)
    return fig
