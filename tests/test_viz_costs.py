"""Chapter 1's figures and tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from streamnets.baselines import block_model
from streamnets.viz.costs import cost_table, kernel_boxes, plot_costs, plot_kernel_shapes


def test_cost_table_formats_numbers_and_other_values() -> None:
    table = cost_table(["a", "b"], {"MACs": [1234567, np.float32(2.5)], "shape": [(1, 2), "x"],
                                    "share": [0.5, 0.25]}, formats={"share": ".0%"})
    lines = table.splitlines()
    assert lines[0] == "| | MACs | shape | share |"
    assert lines[2] == "| a | 1,234,567 | (1, 2) | 50% |"
    assert lines[3] == "| b | 2 | x | 25% |"


def test_cost_table_and_plot_reject_ragged_columns() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        cost_table(["a", "b"], {"MACs": [1]})
    with pytest.raises(ValueError, match="at least one column"):
        plot_costs(["a"], {})


def test_plot_costs_one_panel_per_metric_with_ratio_labels() -> None:
    fig = plot_costs(["a", "b"], {"params": [10, 5], "MACs": [4, 8]})
    assert len(fig.axes) == 2
    assert [t.get_text().strip() for t in fig.axes[1].texts] == ["1.00×", "2.00×"]
    plt.close(fig)


def test_kernel_boxes_follow_the_layers() -> None:
    boxes = kernel_boxes(block_model("depthwise", (4, 9, 9, 4), mid_filters=6, filters=8))
    assert [b.size for b in boxes] == [(5, 1, 1), (1, 1, 1), (1, 3, 3), (1, 1, 1)]
    assert [b.depthwise for b in boxes] == [True, False, True, False]
    assert boxes[1].label == "1×1×1\n4→6"


def test_plot_kernel_shapes_draws_every_cell() -> None:
    models = {"3D": block_model("conv3d", (4, 9, 9, 4), filters=8, temporal_kernel=3),
              "full": block_model("full", (4, 9, 9, 4), mid_filters=6, filters=8,
                                  temporal_kernel=3)}
    fig = plot_kernel_shapes(models)
    patches = [len(ax.patches) for ax in fig.axes[:2]]
    visible = lambda t, h, w: t * h + t * w + h * w  # noqa: E731  (front, top, right faces)
    assert patches == [visible(3, 3, 3), visible(3, 1, 1) + visible(1, 3, 3)]
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one model"):
        plot_kernel_shapes({})
