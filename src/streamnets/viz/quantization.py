"""Figures and tables of the quantization chapter (chapter 7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from streamnets.quantize import LayerError
from streamnets.viz.smoothing import plot_accuracy_vs_frames
from streamnets.viz.style import legend_outside, styled, zoom_axis

#: rmse / scale of pure rounding to a uniform grid: 1 / sqrt(12).
ROUNDING_RMSE_STEPS = 1 / np.sqrt(12)


def _layer_outputs(errors: Sequence[LayerError]) -> dict[str, LayerError]:
    """The last op of every layer (its output), in model order."""
    outputs: dict[str, LayerError] = {}
    for error in errors:
        outputs[error.layer] = error
    return outputs


@styled
def plot_ranges(weight_rows: Sequence[Mapping[str, Any]], errors: Sequence[LayerError]
                ) -> Figure:
    """Per layer: the spread of per-channel weight ranges, and the calibrated activation range.

    Left, one line per layer from the smallest to the largest per-channel ``max |w|``
    (dot: median), on a log axis: a per-tensor scale would be set by the right end.
    Right, the float range (lower to upper end) each layer's int8 output covers after
    calibration.

    Args:
        weight_rows: one row per layer (:func:`streamnets.quantize.weight_ranges`), with
            ``layer``, ``max_abs``, ``channel_max_min`` and ``channel_max_median``; they
            set the layers drawn and their order (top to bottom).
        errors: the int8 ops' errors (:func:`streamnets.quantize.litert_layer_errors`); a
            layer's last op gives its output range, and a layer without one is left blank.
    """
    outputs = _layer_outputs(errors)
    names = [row["layer"] for row in weight_rows]
    y = np.arange(len(names))[::-1]
    fig = Figure(figsize=(8.5, 0.26 * len(names) + 1.2), dpi=100, layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    for yi, row in zip(y, weight_rows, strict=True):
        left.plot([row["channel_max_min"], row["max_abs"]], [yi, yi], color="C0", lw=3,
                  solid_capstyle="butt")
        left.plot(row["channel_max_median"], yi, "o", color="k", ms=3)
    left.set(xscale="log", yticks=y, xlabel="per-channel max |weight| (BN folded)",
             title="weights: one scale per output channel")
    left.set_yticklabels(names, fontsize=8)
    low = [outputs[n].output_range[0] if n in outputs else np.nan for n in names]
    high = [outputs[n].output_range[1] if n in outputs else np.nan for n in names]
    right.barh(y, np.subtract(high, low), left=low, color="C1")
    right.axvline(0, color="k", lw=0.8)
    right.set(xlabel="calibrated output range (float)", title="activations: one range per tensor")
    left.grid(axis="x", alpha=0.3, which="both")
    right.grid(axis="x", alpha=0.3)
    return fig


@styled
def plot_layer_errors(errors: Sequence[LayerError]) -> Figure:
    """The error each int8 op adds, in int8 steps of its output (rmse / scale), in order.

    Args:
        errors: one :class:`~streamnets.quantize.LayerError` per int8 op in model order
            (:func:`streamnets.quantize.litert_layer_errors`), one bar each, top to bottom.
    """
    labels = [f"{e.layer} ({e.op.lower()})" for e in errors]
    values = [e.rmse_in_steps for e in errors]
    y = np.arange(len(errors))[::-1]
    fig = Figure(figsize=(6.5, 0.24 * len(errors) + 1.0), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.barh(y, values, color="C0")
    ax.axvline(ROUNDING_RMSE_STEPS, color="C3", ls="--", label="rounding alone (1/√12)")
    ax.set(yticks=y, xlabel="RMS error of the int8 op, in steps of its output")
    ax.set_yticklabels(labels, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    legend_outside(ax, "above")  # the bars fill the axes: a legend inside would hide one
    return fig


def ops_below_rounding(errors: Sequence[LayerError]) -> int:
    """How many int8 ops add less error than rounding alone (:data:`ROUNDING_RMSE_STEPS`).

    Rounding gives 1/√12 of a step only when the values spread evenly over a step; an op
    whose outputs sit mostly on exact steps (zeros after a ReLU, a saturated range) adds
    less.

    Args:
        errors: the int8 ops' errors (:func:`streamnets.quantize.litert_layer_errors`).
    """
    return sum(error.rmse_in_steps < ROUNDING_RMSE_STEPS for error in errors)


@styled
def plot_accuracy_curves(curves: Mapping[str, Sequence[float]]) -> Figure:
    """Clip accuracy if the decision were taken after frame 1, 2, ..., T, one line per model.

    The lines of :func:`streamnets.viz.smoothing.plot_accuracy_vs_frames`, on an accuracy
    axis zoomed to the values (its label says so, because the float and int8 curves differ
    by a few points at most) and with the legend beside the axes.

    Args:
        curves: model name to its clip accuracies in ``[0, 1]`` after frames 1..T (e.g.
            :func:`streamnets.smoothing.accuracy_vs_frames`).
    """
    fig = Figure(figsize=(7.5, 3.3), dpi=100, layout="constrained")
    ax = plot_accuracy_vs_frames(dict(curves), ax=fig.add_subplot())
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    zoom_axis(ax, np.concatenate([np.asarray(c, dtype=float) for c in curves.values()]),
              label="clip accuracy")
    ax.set_xlabel("frame (the decision is taken after it)")
    legend_outside(ax, "right")
    return fig


def accuracy_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """:func:`streamnets.quantize.accuracy_table` rows as a Markdown table (percentages).

    Args:
        rows: one row per model with ``model`` and the fractions in ``[0, 1]``
            ``frame_accuracy``, ``clip_accuracy`` and ``top1_agreement_with_first``.
    """
    lines = ["| model | frame accuracy | clip accuracy (decay) | frames with the float top-1 |",
             "|---|---:|---:|---:|"]
    for row in rows:
        lines.append(
            f"| {row['model']} | {100 * row['frame_accuracy']:.1f} % | "
            f"{100 * row['clip_accuracy']:.1f} % | "
            f"{100 * row['top1_agreement_with_first']:.1f} % |"
        )
    return "\n".join(lines)
