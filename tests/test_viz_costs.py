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


def test_output_change_counts_frames_from_one_with_the_legend_above() -> None:
    from streamnets.viz.costs import plot_output_change

    fig = plot_output_change({"causal": [0, 0, 0, 1.0], "centred": [0, 0, 0.5, 1.0]},
                             first_changed=4)
    (ax,) = fig.axes
    centres = sorted({round(p.get_x() + p.get_width() / 2) for p in ax.patches})
    assert centres == [1, 2, 3, 4] and [t for t in ax.get_xticks()] == [1, 2, 3, 4]
    assert ax.lines[0].get_xdata()[0] == 3.5  # the line sits between frames 3 and 4
    assert "input frames 4 to 4 changed" in [t.get_text() for t in ax.texts]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert not ax.get_legend().get_window_extent(renderer).overlaps(
        ax.get_window_extent(renderer))
    plt.close(fig)
    with pytest.raises(ValueError, match="1-based"):
        plot_output_change({"a": [0, 1]}, first_changed=0)
    with pytest.raises(ValueError, match="same number of frames"):
        plot_output_change({"a": [0, 1], "b": [0]}, first_changed=1)


def test_plot_costs_stacks_panels_in_one_column_with_every_label() -> None:
    fig = plot_costs(["a", "b"], {"params": [10, 5], "MACs": [4, 8], "fps": [1, 2]}, columns=1)
    assert [ax.get_title() for ax in fig.axes] == ["params", "MACs", "fps"]
    assert fig.get_figwidth() <= 7  # narrow enough for a book page
    assert all([t.get_text() for t in ax.get_yticklabels()] == ["a", "b"] for ax in fig.axes)
    plt.close(fig)
    with pytest.raises(ValueError, match="at least 1"):
        plot_costs(["a"], {"x": [1]}, columns=0)


def test_plot_kernel_shapes_stays_narrow_by_default() -> None:
    models = {name: block_model("full", (4, 9, 9, 4), mid_filters=6, filters=8)
              for name in ("a", "b", "c")}
    fig = plot_kernel_shapes(models)
    assert fig.get_figwidth() < 7 and [ax.get_title(loc="left") for ax in fig.axes] == [
        "a", "b", "c"]
    plt.close(fig)
