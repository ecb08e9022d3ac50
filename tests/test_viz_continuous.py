"""Figures, animation and the two-slider widget of the continuous-recognition chapter.

Small hand-made streams with known events and logits: the figures must draw the events
where they are, colour the triggers by what the matcher decided, and the widget must hold
one precomputed figure per grid point, linked to its sliders in the browser.
"""

import ipywidgets as widgets
import numpy as np
import pytest
from ipywidgets.embed import embed_data
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from streamnets.data import JESTER_CLASSES, StreamEvent
from streamnets.detection import (
    Detection,
    detect_from_probabilities,
    match_events,
    stream_probabilities,
)
from streamnets.operating_point import sweep
from streamnets.viz import continuous as viz

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FRAMES = 60
SWIPE_LEFT, SWIPE_RIGHT = JESTER_CLASSES.index("Swiping Left"), JESTER_CLASSES.index(
    "Swiping Right")
NO_GESTURE = JESTER_CLASSES.index("No gesture")
EVENTS = [StreamEvent(SWIPE_LEFT, 10.0, 18.0), StreamEvent(SWIPE_RIGHT, 35.0, 44.0)]


def _logits(false_at: int | None = 50) -> np.ndarray:
    """Confident logits: background, each event's class over its span, and a short false
    burst of Swiping Right at ``false_at``."""
    logits = np.zeros((FRAMES, len(JESTER_CLASSES)))
    logits[:, NO_GESTURE] = 8.0
    for event in EVENTS:
        logits[int(event.start) + 1:int(event.end), event.label] = 16.0
    if false_at is not None:
        logits[false_at:false_at + 4, SWIPE_RIGHT] = 16.0
    return logits


def _detect(logits, decay=0.5, threshold=0.6):
    probabilities = stream_probabilities(logits, decay)
    found = detect_from_probabilities(probabilities, threshold)
    return probabilities, found, match_events(found, EVENTS)


def _video(frames=FRAMES):
    return np.random.default_rng(0).integers(0, 256, (frames, 8, 8, 3), dtype=np.uint8)


def test_the_hand_made_stream_has_two_correct_triggers_and_one_false():
    _, found, matching = _detect(_logits())
    assert [d.label for d in found] == [SWIPE_LEFT, SWIPE_RIGHT, SWIPE_RIGHT]
    assert len(matching.hits) == 2 and len(matching.false_triggers) == 1
    assert viz.correct_detections(matching) == {(d.label, d.frame) for d in found[:2]}


def test_timeline_draws_events_as_bands_and_colours_triggers_by_correctness():
    probabilities, found, matching = _detect(_logits())
    fig = viz.timeline_figure(_video(), EVENTS, probabilities, found, matching, 0.6,
                              class_names=JESTER_CLASSES)
    strip, ax = fig.axes
    assert strip.get_images(), "the frame strip is drawn"
    assert strip.get_xlim() == ax.get_xlim() == (0, FRAMES), "the strip spans the timeline"
    assert all(0 <= tick <= FRAMES for tick in strip.get_xticks())
    bands = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
                   if isinstance(p, Rectangle) and p.get_width() > 0)
    assert bands == [(e.start, e.end) for e in EVENTS]
    markers = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    by_time = {float(line.get_xdata()[0]): to_rgba(line.get_color()) for line in markers}
    assert by_time == {d.time: to_rgba(viz.CORRECT if i < 2 else viz.FALSE)
                       for i, d in enumerate(found)}
    names = [line.get_label() for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert names[:2] == ["Swiping Left", "Swiping Right"]  # the events' classes first
    assert any(line.get_label().startswith("θ = 0.60") for line in ax.get_lines())
    # Frames are numbered from 1: the strip's labels and the first probability's x.
    assert strip.get_xticklabels()[0].get_text() == "1"
    assert min(line.get_xdata()[0] for line in ax.get_lines() if len(line.get_xdata()) > 2) == 1


def test_timeline_window_keeps_only_what_is_inside():
    probabilities, found, matching = _detect(_logits())
    fig = viz.timeline_figure(_video(), EVENTS, probabilities, found, matching, 0.6,
                              window=(30, 60))
    ax = fig.axes[1]
    assert ax.get_xlim() == (30, 60)
    bands = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert len(bands) == 1 and bands[0].get_x() == 35.0
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 1]) == 2


def test_timeline_rejects_mismatched_video():
    probabilities, found, matching = _detect(_logits())
    with pytest.raises(ValueError, match="as many frames"):
        viz.timeline_figure(_video(FRAMES - 1), EVENTS, probabilities, found, matching, 0.6)
    with pytest.raises(ValueError, match="window"):
        viz.timeline_figure(_video(), EVENTS, probabilities, found, matching, 0.6,
                            window=(10, FRAMES + 1))


def _rows(decays=(0.0, 0.5), thresholds=(0.4, 0.6, 0.8)):
    logits = [_logits(), _logits(false_at=None)]
    return logits, sweep(logits, [EVENTS, EVENTS], decays, thresholds)


def test_operating_curves_one_line_per_decay_and_the_pick_circled():
    _, rows = _rows()
    picked = rows[1]
    ax = viz.plot_operating_curves(rows, picked, budget=1.0)
    curves = [line for line in ax.get_lines() if line.get_label().startswith("d = ")
              and len(line.get_xdata()) > 1]
    assert [line.get_label() for line in curves] == ["d = 0", "d = 0.5"]
    assert all(len(line.get_xdata()) == 3 for line in curves)
    circled = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    assert len(circled) == 1
    assert circled[0].get_xdata()[0] == picked["false_triggers_per_minute"]
    assert circled[0].get_ydata()[0] == picked["recall"]
    assert any(line.get_xdata()[0] == 1.0 for line in ax.get_lines()
               if line.get_label().startswith("budget"))
    _assert_legend_outside(ax)


def _assert_legend_outside(ax):
    """The legend's box does not overlap the axes' box, once drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer)), "the legend covers the data"


def test_delay_vs_threshold_plots_medians_of_one_decay():
    _, rows = _rows()
    ax = viz.plot_delay_vs_threshold(rows, 0.5, gesture_frames=8.0, fps=6.0)
    median = next(line for line in ax.get_lines() if line.get_label() == "median delay")
    expected = [r["delay_frames"]["median"] for r in rows
                if r["decay"] == 0.5 and r["delay_frames"]]
    np.testing.assert_allclose(median.get_ydata(), expected)
    _assert_legend_outside(ax)
    with pytest.raises(ValueError, match="no row at decay"):
        viz.plot_delay_vs_threshold(rows, 0.9)


def test_delays_and_their_distribution():
    _, found, matching = _detect(_logits())
    d = viz.delays(matching)
    np.testing.assert_allclose(d["frames"], [found[0].time - 10.0, found[1].time - 35.0])
    np.testing.assert_allclose(d["fraction"], d["frames"] / np.array([8.0, 9.0]))
    fig = viz.plot_delay_distribution(matching, fps=6.0)
    ax_frames, ax_fraction = fig.axes[:2]
    assert sum(p.get_height() for p in ax_frames.patches) == 2  # one count per hit
    assert sum(p.get_height() for p in ax_fraction.patches) == 2


def test_model_comparison_bars_and_targets():
    scores = {"a": {"recall": 0.5, "warm": 0.9}, "b": {"recall": 1.0, "warm": 0.98}}
    fig = viz.plot_model_comparison(scores, targets={"warm": 0.97})
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.5, 0.9, 0.98, 1.0]
    assert any(list(line.get_ydata()) == [0.97, 0.97] for line in ax.get_lines())
    with pytest.raises(ValueError, match="same metrics"):
        viz.plot_model_comparison({"a": {"x": 1.0}, "b": {"y": 1.0}})


def test_preceder_table_markdown_has_a_row_per_model_and_preceder():
    table = {"clips": 2, "decay": 0.8, "frames": [1, 16],
             "accuracy": {"reset": {"1": 0.85, "16": 1.0}, "No gesture": {"1": 0.05,
                                                                           "16": 0.8}}}
    text = viz.preceder_table_markdown({"clip model": table, "stream-aware": table})
    lines = text.splitlines()
    assert len(lines) == 2 + 4
    assert "after frame 16" in lines[0]
    assert "| clip model | a reset (zeros) | 85% | 100% |" in lines
    assert "| stream-aware | a “No gesture” clip | 5% | 80% |" in lines


def test_window_figure_titles_each_frame_with_its_target():
    labels = np.array([NO_GESTURE] * 3 + [SWIPE_LEFT] * 2)
    fig = viz.plot_window(_video(5), labels, JESTER_CLASSES, columns=4)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["1: none", "2: none", "3: none",
                                                 "4: Swiping Left", "5: Swiping Left"]
    assert titled[3].title.get_fontweight() == "bold"
    with pytest.raises(ValueError, match="one label per frame"):
        viz.plot_window(_video(5), labels[:4], JESTER_CLASSES)


def test_animation_flashes_triggers_in_their_colour():
    probabilities, found, matching = _detect(_logits())
    animation = viz.animate_stream(_video(), probabilities, found, matching, EVENTS,
                                   JESTER_CLASSES, 0.6, flash=2)
    fig = animation._fig
    ax_video = fig.axes[0]
    draw = animation._func
    for detection, colour in ((found[0], viz.CORRECT), (found[2], viz.FALSE)):
        draw(detection.frame)
        assert ax_video.get_title().startswith("TRIGGER")
        assert to_rgba(ax_video.spines["left"].get_edgecolor()) == to_rgba(colour)
    draw(0)
    assert ax_video.get_title().startswith("frame 1")
    animation._draw_was_started = True  # drawn by hand above: no warning when collected
    cut = viz.animate_stream(_video(), probabilities, found, matching, EVENTS, JESTER_CLASSES,
                             0.6, first_frame=100)
    cut._func(0)
    assert cut._fig.axes[0].get_title().startswith("frame 101")  # the stream's numbering
    cut._draw_was_started = True
    short = viz.animate_stream(_video(6), probabilities[:6], [], matching, [],
                               JESTER_CLASSES, 0.6)
    html = viz.animation_html(short)
    assert "<script" in html and "image/jpeg" in html


def test_operating_grid_detects_at_every_point():
    logits, _ = _rows()
    grid = viz.operating_grid(logits, [EVENTS, EVENTS], (0.0, 0.5), (0.4, 0.8))
    assert [len(row) for row in grid] == [2, 2]
    found, matching = grid[1][0]
    assert all(isinstance(d, Detection) for d in found) and len(matching.hits) == 2


def test_static_widget_links_both_sliders_to_nested_stacks():
    logits, rows = _rows()
    decays, thresholds = (0.0, 0.5), (0.4, 0.6, 0.8)
    box = viz.operating_widget(logits, [EVENTS, EVENTS], rows, decays, thresholds,
                               start=(0.5, 0.62), class_names=JESTER_CLASSES, budget=1.0)
    decay_slider, threshold_slider, outer = box.children
    assert isinstance(outer, widgets.Stack) and len(outer.children) == len(decays)
    assert decay_slider.index == outer.selected_index == 1
    assert threshold_slider.value == 0.6  # snapped to the grid
    figures = []
    for inner in outer.children:
        assert isinstance(inner, widgets.Stack) and len(inner.children) == len(thresholds)
        assert inner.selected_index == threshold_slider.index == 1
        figures += [bytes(image.value) for image in inner.children]
    assert all(f.startswith(PNG_MAGIC) for f in figures)
    assert len(set(figures)) == len(decays) * len(thresholds), "one figure per grid point"

    state = embed_data(views=[box])["manager_state"]["state"]
    links = {(tuple(m["state"]["source"]), tuple(m["state"]["target"]))
             for m in state.values() if m["model_name"] == "LinkModel"}
    assert ((f"IPY_MODEL_{decay_slider.model_id}", "index"),
            (f"IPY_MODEL_{outer.model_id}", "selected_index")) in links
    for inner in outer.children:
        assert ((f"IPY_MODEL_{threshold_slider.model_id}", "index"),
                (f"IPY_MODEL_{inner.model_id}", "selected_index")) in links


def test_widget_figure_moves_the_triggers_and_the_point():
    logits = _logits(false_at=None)
    ramp = np.linspace(6.0, 14.0, 8)  # Swiping Left gains on "No gesture" frame by frame
    logits[10:18, SWIPE_LEFT] = ramp
    rows = sweep([logits], [EVENTS], (0.5,), (0.4, 0.8))
    figures = {theta: viz.operating_figure(logits, EVENTS, rows, 0.5, theta)
               for theta in (0.4, 0.8)}
    fired = {theta: sorted(line.get_xdata()[0] for line in fig.axes[0].get_lines()
                           if len(line.get_xdata()) == 1)
             for theta, fig in figures.items()}
    assert fired[0.4][0] < fired[0.8][0], "a lower threshold fires earlier"
    for theta, fig in figures.items():
        row = next(r for r in rows if r["threshold"] == theta)
        circled = [line for line in fig.axes[1].get_lines() if len(line.get_xdata()) == 1]
        assert [(c.get_xdata()[0], c.get_ydata()[0]) for c in circled] == [
            (row["false_triggers_per_minute"], row["recall"])]


def test_widget_rejects_a_grid_the_sweep_does_not_cover():
    logits, rows = _rows()
    with pytest.raises(ValueError, match="no sweep result"):
        viz.operating_widget(logits, [EVENTS, EVENTS], rows, (0.0, 0.9), (0.4, 0.6), (0.0, 0.4))
    with pytest.raises(ValueError, match="at least two"):
        viz.operating_widget(logits, [EVENTS, EVENTS], rows, (0.0,), (0.4, 0.6), (0.0, 0.4))


def test_small_png_is_a_smaller_png():
    _, found, matching = _detect(_logits())
    logits, rows = _rows()
    fig = viz.operating_figure(logits[0], EVENTS, rows, 0.5, 0.6)
    small = viz.figure_png_small(fig)
    assert small.startswith(PNG_MAGIC) and len(small) < len(viz.figure_png(fig))
