"""Chapter 7 figures: one row per layer, ranges and errors drawn where they belong."""

import numpy as np
import pytest

from streamnets.quantize import LayerError
from streamnets.viz.quantization import (
    ROUNDING_RMSE_STEPS,
    accuracy_markdown,
    ops_below_rounding,
    plot_accuracy_curves,
    plot_layer_errors,
    plot_ranges,
)

WEIGHTS = [
    {"layer": "conv_a", "channel_max_min": 0.01, "channel_max_median": 0.05, "max_abs": 0.2},
    {"layer": "dense", "channel_max_min": 0.1, "channel_max_median": 0.2, "max_abs": 0.3},
]
ERRORS = [
    LayerError("conv_a", "CONV_2D", 100, rmse=0.02, max_abs_error=0.1, scale=0.1,
               zero_point=-128),
    LayerError("dense", "FULLY_CONNECTED", 10, rmse=0.03, max_abs_error=0.1, scale=0.04,
               zero_point=0),
]


def test_ranges_figure_draws_each_layers_span():
    fig = plot_ranges(WEIGHTS, ERRORS)
    left, right = fig.axes
    spans = sorted(tuple(line.get_xdata()) for line in left.lines if len(line.get_xdata()) == 2)
    assert spans == [(0.01, 0.2), (0.1, 0.3)]
    bars = right.patches
    assert [b.get_x() for b in bars] == pytest.approx([0.0, -128 * 0.04])  # lower ends
    assert bars[1].get_width() == pytest.approx(255 * 0.04)  # the dense output's range
    assert [t.get_text() for t in left.get_yticklabels()] == ["conv_a", "dense"]


def test_layer_error_figure_marks_rounding_level():
    ax = plot_layer_errors(ERRORS).axes[0]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx([0.2, 0.75])
    assert ax.lines[0].get_xdata()[0] == pytest.approx(ROUNDING_RMSE_STEPS)
    assert ROUNDING_RMSE_STEPS == pytest.approx(1 / np.sqrt(12))


def test_accuracy_table_in_percent():
    table = accuracy_markdown([{"model": "int8", "frame_accuracy": 0.5, "clip_accuracy": 0.75,
                                "top1_agreement_with_first": 0.975}])
    assert "| int8 | 50.0 % | 75.0 % | 97.5 % |" in table


def legend_is_outside(fig, ax) -> bool:
    """Whether ``ax``'s legend, once drawn, lies off the axes (so off the data)."""
    fig.draw_without_rendering()
    return not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_layer_error_legend_sits_off_the_bars():
    fig = plot_layer_errors(ERRORS)
    assert legend_is_outside(fig, fig.axes[0])


def test_ops_below_rounding_counts_ops_under_the_line():
    # conv_a: 0.02 / 0.1 = 0.2 steps (below 0.29); dense: 0.03 / 0.04 = 0.75 (above).
    assert ops_below_rounding(ERRORS) == 1
    assert ops_below_rounding([]) == 0


def test_accuracy_curves_are_zoomed_numbered_from_1_and_legend_outside():
    curves = {"float": np.array([0.9, 0.95, 0.97]), "int8": np.array([0.88, 0.95, 0.96])}
    fig = plot_accuracy_curves(curves)
    ax = fig.axes[0]
    assert [list(line.get_xdata()) for line in ax.lines] == [[1, 2, 3], [1, 2, 3]]
    low, high = ax.get_ylim()
    assert 0 < low < 0.88 and 0.97 < high <= 1.0  # zoomed to the values, not 0-1
    assert ax.get_ylabel() == "clip accuracy (axis zoomed)"
    assert ax.get_xlabel().startswith("frame")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["float", "int8"]
    assert legend_is_outside(fig, ax)
