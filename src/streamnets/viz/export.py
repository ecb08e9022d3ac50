"""Figures and tables of the export chapter (chapter 8)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from streamnets.litert import LiteRTRunner
from streamnets.viz.style import frame_numbers, legend_outside, styled


def ops_markdown(ops: Mapping[str, Mapping[str, int]]) -> str:
    """Operator counts of several ``.tflite`` models side by side (one column per model).

    Args:
        ops: column header (the model's name) to its operator counts
            (:func:`streamnets.litert.litert_ops`); rows are every operator, sorted by
            name, and a model without one shows 0.
    """
    names = sorted({op for counts in ops.values() for op in counts})
    lines = ["| operator | " + " | ".join(ops) + " |",
             "|---|" + "---:|" * len(ops)]
    for op in names:
        lines.append(f"| `{op}` | " + " | ".join(str(c.get(op, 0)) for c in ops.values()) + " |")
    return "\n".join(lines)


def states_markdown(runner: LiteRTRunner) -> str:
    """The exported model's state tensors: name, shape (batch, H, W, slots × C), size.

    Args:
        runner: the loaded streaming ``.tflite``; one row per state in
            ``runner.state_names`` order, sized from its input tensor's shape and dtype.
    """
    lines = ["| state (input and output) | shape | dtype | KiB |", "|---|---|---|---:|"]
    for name in runner.state_names:
        info = runner.inputs[name]
        kib = math.prod(info.shape) * np.dtype(info.dtype).itemsize / 1024
        lines.append(f"| `{name}` | {info.shape} | {info.dtype} | {kib:.0f} |")
    return "\n".join(lines)


@styled
def plot_top_classes(smoothed: np.ndarray, class_names: Sequence[str],
                     label: int | None = None, top_k: int = 5) -> Figure:
    """The ``top_k`` classes (by their final value) of smoothed probabilities over frames.

    ``smoothed`` is ``(T, n_classes)``, each row normalized to sum to 1; the true class,
    when given, is drawn thick and green. Frames are numbered from 1, and the legend sits
    beside the axes, off the curves.

    Args:
        smoothed: normalized smoothed probabilities ``(T, n_classes)``.
        class_names: one name per class, in column order.
        label: index of the true class; ``None`` when unknown. It is drawn only if it is
            among the ``top_k``.
        top_k: how many classes to draw, ranked by their value after the last frame.
    """
    smoothed = np.asarray(smoothed)
    if smoothed.ndim != 2 or smoothed.shape[1] != len(class_names):
        raise ValueError(
            f"smoothed must be (frames, {len(class_names)}), got shape {smoothed.shape}."
        )
    best = np.argsort(smoothed[-1])[::-1][:top_k]
    frames = frame_numbers(len(smoothed))
    fig = Figure(figsize=(8.0, 3.0), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for rank, c in enumerate(best):
        truth = c == label
        ax.plot(frames, smoothed[:, c], "o-", ms=3, lw=2.5 if truth else 1.2,
                color="C2" if truth else f"C{[0, 1, 3, 4, 5, 6][rank % 6]}",
                label=class_names[c] + (" (true)" if truth else ""))
    ax.set(xlabel="frame", ylabel="smoothed probability", ylim=(0, 1.02),
           xticks=frames[::max(1, len(frames) // 8)])
    ax.grid(alpha=0.3)
    legend_outside(ax, "right")
    return fig
