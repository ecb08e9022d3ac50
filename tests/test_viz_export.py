"""Chapter 8 figures and tables: operator counts, state tensors, top classes over time."""

import numpy as np
import pytest

from streamnets.viz.export import ops_markdown, plot_top_classes, states_markdown


def test_ops_table_has_a_column_per_model_and_zero_for_missing_ops():
    table = ops_markdown({"float": {"CONV_2D": 3}, "int8": {"CONV_2D": 3, "QUANTIZE": 2}})
    assert "| operator | float | int8 |" in table
    assert "| `QUANTIZE` | 0 | 2 |" in table and "| `CONV_2D` | 3 | 3 |" in table


def test_states_table_gives_each_states_size():
    class Info:
        shape, dtype = (1, 4, 4, 40), "float32"

    class Runner:
        state_names = ("fifo_a",)
        inputs = {"fifo_a": Info()}

    table = states_markdown(Runner())
    assert "| `fifo_a` | (1, 4, 4, 40) | float32 | 2 |" in table  # 640 floats = 2.5 KiB


def test_top_classes_plot_draws_the_final_top_k_and_highlights_the_truth():
    smoothed = np.random.default_rng(0).dirichlet(np.ones(6), 8)
    names = [f"class {i}" for i in range(6)]
    ax = plot_top_classes(smoothed, names, label=int(smoothed[-1].argmax()), top_k=3).axes[0]
    best = np.argsort(smoothed[-1])[::-1][:3]
    assert [line.get_label() for line in ax.lines] == (
        [names[best[0]] + " (true)"] + [names[c] for c in best[1:]])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), smoothed[:, best[1]])
    assert ax.lines[0].get_linewidth() > ax.lines[1].get_linewidth()
    with pytest.raises(ValueError, match="frames, 6"):
        plot_top_classes(smoothed[:, :5], names)


def test_top_classes_plot_numbers_frames_from_1_and_keeps_the_legend_off_the_curves():
    smoothed = np.random.default_rng(1).dirichlet(np.ones(6), 16)
    fig = plot_top_classes(smoothed, [f"class {i}" for i in range(6)], label=2)
    ax = fig.axes[0]
    assert all(line.get_xdata()[0] == 1 and line.get_xdata()[-1] == 16 for line in ax.lines)
    assert ax.get_xticks()[0] == 1
    fig.draw_without_rendering()
    assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())
