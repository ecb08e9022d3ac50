"""Chapter 7 figures: one row per layer, ranges and errors drawn where they belong."""

import numpy as np
import pytest

from streamnets.quantize import LayerError
from streamnets.viz.quantization import (
    ROUNDING_RMSE_STEPS,
    accuracy_markdown,
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
