"""Chapter 4 figures: animations embed one frame per input frame; tables and plots say what
they are given."""

import numpy as np
import pytest

from streamnets.performance import LatencyComparison
from streamnets.streaming import ConversionRow
from streamnets.viz.streaming import (
    animate_fifo,
    animate_predictions,
    animation_html,
    conversion_table_markdown,
    plot_frame_errors,
    plot_latency,
)

FRAMES = 4
RNG = np.random.default_rng(0)
CLIP = RNG.integers(0, 256, (FRAMES, 16, 16, 3)).astype("uint8")


def test_fifo_animation_has_one_jpeg_frame_per_input_frame():
    history = RNG.random((FRAMES, 8, 8, 3, 2))
    html = animation_html(animate_fifo(CLIP, history, "fifo_x"))
    assert html.count("data:image/jpeg;base64") == FRAMES


def test_fifo_animation_rejects_history_of_another_length():
    with pytest.raises(ValueError, match="fifo_history"):
        animate_fifo(CLIP, RNG.random((FRAMES + 1, 8, 8, 3, 2)), "fifo_x")


def test_prediction_animation_shows_the_top_classes():
    names = [f"class {i}" for i in range(6)]
    probabilities = RNG.dirichlet(np.ones(6), FRAMES)
    animation = animate_predictions(CLIP, probabilities, names, label=2, top_k=3)
    html = animation_html(animation)
    assert html.count("data:image/jpeg;base64") == FRAMES
    assert animation._fig.axes[0].get_title() == f"frame {FRAMES} / {FRAMES}"  # from 1
    bars = animation._fig.axes[1].patches
    best = np.argsort(probabilities[-1])[::-1][:3]  # the last frame drawn
    assert [bar.get_width() for bar in bars] == pytest.approx(probabilities[-1, best])


def test_prediction_animation_checks_the_class_count():
    with pytest.raises(ValueError, match="probabilities"):
        animate_predictions(CLIP, np.ones((FRAMES, 5)) / 5, ["a", "b"])


def test_conversion_table_lists_every_row_and_state():
    rows = [ConversionRow(("a", "a_BN"), "a", "2-D conv"),
            ConversionRow(("t",), "t", "FIFO", "fifo_t", (4, 4, 5, 2))]
    table = conversion_table_markdown(rows).splitlines()
    assert len(table) == 2 + len(rows)
    assert "`a`, `a_BN`" in table[2] and "`fifo_t` (4, 4, 5, 2)" in table[3]


def test_latency_plot_states_the_ratio():
    figure = plot_latency(LatencyComparison(1, 16, stream_ms=2.0, recompute_ms=30.0))
    assert "15.0x" in figure.axes[0].get_title()


def test_frame_error_plot_has_one_bar_per_frame():
    figure = plot_frame_errors([1e-7, 2e-7, 0.0])
    assert len(figure.axes[0].patches) == 3


def test_frame_error_plot_numbers_frames_from_1_and_keeps_its_legend_off_the_bars():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = plot_frame_errors([1e-7, 2e-7, 0.0])
    ax = figure.axes[0]
    assert [bar.get_x() + bar.get_width() / 2 for bar in ax.patches] == [1, 2, 3]
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))


def test_latency_plot_title_follows_the_ratio():
    figure = plot_latency(LatencyComparison(1, 16, stream_ms=30.0, recompute_ms=15.0))
    assert "2.0x dearer" in figure.axes[0].get_title()


def test_the_player_loads_nothing_from_outside_and_keeps_its_buttons():
    html = animation_html(animate_fifo(CLIP, RNG.random((FRAMES, 8, 8, 3, 2)), "fifo_x"))
    assert "font-awesome" not in html and "https://" not in html
    assert 'class="fa ' not in html and "&#x25B6;" in html  # the play button, as a symbol
    # Only symbols every common font has: no media-control block (U+23xx), which many Linux
    # fonts lack (the buttons showed empty boxes).
    assert "&#x23" not in html


def test_an_unknown_icon_is_refused():
    from streamnets.viz.player import offline_player

    with pytest.raises(ValueError, match="fa-rocket"):
        offline_player('<button><i class="fa fa-rocket"></i></button>')
