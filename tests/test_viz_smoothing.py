"""Decay smoothing in a stream (hand-computed) and the decay-factor widget of chapter 5.

The browser half of the widget's promise (the stored page works with no kernel) is
tests/test_browser.py; here: the widget's state links the slider to precomputed figures,
and the figures show what the smoothing computes.
"""

import ipywidgets as widgets
import numpy as np
import pytest
from ipywidgets.embed import embed_data

from streamnets.smoothing import DecaySmoother
from streamnets.viz.smoothing import decay_figure, decay_widget

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Two frames, two classes, logits chosen so that softmax is exact:
# frame 1 -> (0.9, 0.1) (log-odds ln 9), frame 2 -> (0.25, 0.75) (log-odds ln 3).
TWO_FRAMES = np.array([[np.log(9.0), 0.0], [0.0, np.log(3.0)]])


@pytest.mark.parametrize(
    ("decay", "state", "decision"),
    [
        # P2 = 0.5 * (0.9, 0.1) + (0.25, 0.75) = (0.7, 0.8): the new frame wins.
        (0.5, [0.7, 0.8], 1),
        # P2 = 0.9 * (0.9, 0.1) + (0.25, 0.75) = (1.06, 0.84): the memory of frame 1 wins.
        (0.9, [1.06, 0.84], 0),
    ],
)
def test_streaming_decision_depends_on_decay_hand_computed(decay, state, decision):
    smoother = DecaySmoother(decay)
    assert smoother.update(TWO_FRAMES[None, 0]).tolist() == [0]
    np.testing.assert_allclose(smoother.state, [[0.9, 0.1]])
    assert smoother.update(TWO_FRAMES[None, 1]).tolist() == [decision]
    np.testing.assert_allclose(smoother.state, [state])


def test_figure_plots_normalized_smoothed_probabilities():
    fig = decay_figure(TWO_FRAMES, label=1, decay=0.5, accuracy=0.25, decays=[0.0, 1.0],
                       accuracies=[0.5, 0.0], class_names=["left", "right"], top_k=2)
    ax_clip, ax_acc = fig.axes
    lines = {line.get_label(): line.get_ydata() for line in ax_clip.get_lines()}
    # P_t / sum(P_t): frame 1 (0.9, 0.1); frame 2 (0.7, 0.8) / 1.5.
    np.testing.assert_allclose(lines["right (true)"], [0.1, 0.8 / 1.5])
    np.testing.assert_allclose(lines["left"], [0.9, 0.7 / 1.5])
    assert "right" in ax_clip.get_title() and "wrong" not in ax_clip.get_title()
    assert "25.0%" in ax_acc.get_title()


def _legend_off_axes(ax):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return not ax.get_legend().get_window_extent(renderer).overlaps(
        ax.get_window_extent(renderer))


def test_widget_figure_numbers_frames_from_1_and_keeps_legends_off_the_data():
    fig = decay_figure(TWO_FRAMES, label=1, decay=0.5, accuracy=0.25, decays=[0.0, 1.0],
                       accuracies=[0.5, 0.0], class_names=["left", "right"], top_k=2)
    ax_clip, ax_acc = fig.axes
    assert [line.get_xdata()[0] for line in ax_clip.get_lines()] == [1, 1]
    assert _legend_off_axes(ax_clip) and _legend_off_axes(ax_acc)


def test_accuracy_curves_zoom_their_axis_and_say_so():
    from streamnets.viz.smoothing import plot_accuracy_vs_decay, plot_accuracy_vs_frames

    ax = plot_accuracy_vs_decay([0.0, 0.5, 1.0], [0.90, 0.95, 0.93], frame_accuracy=0.88)
    low, high = ax.get_ylim()
    assert 0.8 < low < 0.88 and 0.95 < high <= 1.0
    assert ax.get_ylabel().endswith("(axis zoomed)") and _legend_off_axes(ax)
    ax = plot_accuracy_vs_frames({"d = 0.8": [0.6, 0.8, 0.9]})
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert ax.get_ylabel().endswith("(axis zoomed)") and _legend_off_axes(ax)


def _small_problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=3.0, size=(6, 5, 4)), rng.integers(0, 4, size=6)


def test_static_widget_links_slider_to_precomputed_figures_in_the_browser():
    logits, labels = _small_problem()
    decays = (0.0, 0.5, 0.8, 1.0)
    box = decay_widget(logits, labels, clip=2, decays=decays)
    slider, stack = box.children
    assert isinstance(slider, widgets.SelectionSlider) and isinstance(stack, widgets.Stack)
    assert [value for _, value in slider.options] == list(decays)
    assert slider.value == 0.8 and stack.selected_index == slider.index == 2
    figures = [bytes(child.value) for child in stack.children]
    assert len(figures) == len(decays) and all(f.startswith(PNG_MAGIC) for f in figures)
    assert len(set(figures)) == len(decays), "every slider position needs its own figure"

    # What the static page gets: the stored state holds a client-side link from the
    # slider's index to the stack's selected_index.
    state = embed_data(views=[box])["manager_state"]["state"]
    links = [
        (model["state"]["source"], model["state"]["target"])
        for model in state.values()
        if model["model_name"] == "LinkModel"
    ]
    assert ([f"IPY_MODEL_{slider.model_id}", "index"],
            [f"IPY_MODEL_{stack.model_id}", "selected_index"]) in [
        (list(s), list(t)) for s, t in links
    ]


def test_live_widget_redraws_on_slider_change():
    logits, labels = _small_problem(1)
    slider, image = decay_widget(logits, labels, live=True).children
    assert isinstance(slider, widgets.FloatSlider)
    first = bytes(image.value)
    assert first.startswith(PNG_MAGIC)
    slider.value = 0.13
    assert bytes(image.value).startswith(PNG_MAGIC) and bytes(image.value) != first


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"logits": np.zeros((5, 4))}, "logits"),
        ({"clip": 6}, "clip"),
        ({"decays": [0.8]}, "decays"),
    ],
)
def test_widget_rejects_bad_arguments(kwargs, match):
    logits, labels = _small_problem()
    arguments = {"logits": logits, "labels": labels, **kwargs}
    with pytest.raises(ValueError, match=match):
        decay_widget(**arguments)
