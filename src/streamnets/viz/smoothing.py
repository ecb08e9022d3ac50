"""Figures and the decay-factor widget of the decay-smoothing chapter.

The widget has to work in two places: in Jupyter or Colab, where a kernel can redraw
the figure for any decay, and in the published static book, where no kernel exists.
For the book, every figure is rendered in advance and the slider is linked to them in
the browser (``jslink``), so the page needs only the widget JavaScript and the state
that papermill stored.

Every figure is drawn in the book's style (:mod:`streamnets.viz.style`): legends outside
the axes, accuracy axes zoomed to the values (and labelled so), frames numbered from 1.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from streamnets.smoothing import (
    DEFAULT_DECAY,
    accuracy_vs_decay,
    clip_accuracy,
    smooth_probabilities,
)
from streamnets.viz.style import frame_numbers, legend_outside, styled, zoom_axis

#: Slider positions of the static widget: 0, 0.1, ..., 1.0.
DEFAULT_DECAYS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))


def _class_name(index: int, class_names: Sequence[str] | None) -> str:
    return str(index) if class_names is None else class_names[index]


@styled
def plot_accuracy_vs_decay(
    decays: Sequence[float],
    accuracies: Sequence[float],
    frame_accuracy: float | None = None,
    ax: Axes | None = None,
    legend: bool = True,
) -> Axes:
    """Clip accuracy against the decay factor, with the frame-averaged accuracy as a line.

    The accuracy axis is zoomed to the values drawn (:func:`~streamnets.viz.style.zoom_axis`)
    and the legend sits above the axes.

    Args:
        decays: decay factors in ``[0, 1]`` (x axis).
        accuracies: clip accuracy in ``[0, 1]`` at each decay, e.g. from
            :func:`streamnets.smoothing.accuracy_vs_decay`.
        frame_accuracy: the per-frame accuracy to compare with, drawn as a dashed
            horizontal line; ``None`` for none.
        ax: the axes to draw on; ``None`` draws on a new ``Figure`` (``ax.figure``).
        legend: draw the legend above the axes.

    Returns:
        The axes drawn on.
    """
    if ax is None:
        ax = Figure(figsize=(5.5, 3.3), layout="constrained").add_subplot()
    ax.plot(decays, accuracies, "o-", color="C0", label="smoothed, after the last frame")
    shown = list(accuracies)
    if frame_accuracy is not None:
        ax.axhline(frame_accuracy, color="C3", ls="--", label="frame-averaged")
        shown.append(frame_accuracy)
    ax.set(xlabel="decay factor d", xlim=(-0.03, 1.03))
    zoom_axis(ax, shown, label="clip accuracy")
    if legend:
        legend_outside(ax, "above")
    return ax


@styled
def plot_accuracy_vs_frames(
    curves: dict[str, Sequence[float]], ax: Axes | None = None
) -> Axes:
    """Clip accuracy if the decision were taken after 1..T frames, one line per setting.

    Frames are numbered from 1 (the decision after the first frame is at x = 1), the
    accuracy axis is zoomed to the values and the legend sits right of the axes.

    Args:
        curves: legend label (e.g. ``"d = 0.9"``) to clip accuracies in ``[0, 1]`` after
            1, 2, ..., T frames, e.g. from :func:`streamnets.smoothing.accuracy_vs_frames`.
        ax: the axes to draw on; ``None`` draws on a new ``Figure`` (``ax.figure``).

    Returns:
        The axes drawn on.
    """
    if ax is None:
        ax = Figure(figsize=(7.5, 3.3), layout="constrained").add_subplot()
    for label, accuracies in curves.items():
        ax.plot(frame_numbers(len(accuracies)), accuracies, "o-", ms=3, label=label)
    ax.set(xlabel="frames seen")
    zoom_axis(ax, np.concatenate([np.asarray(a, dtype=float) for a in curves.values()]),
              label="clip accuracy")
    legend_outside(ax, "right")
    return ax


@styled
def decay_figure(
    clip_logits: np.ndarray,
    label: int,
    decay: float,
    accuracy: float,
    decays: Sequence[float],
    accuracies: Sequence[float],
    class_names: Sequence[str] | None = None,
    window: tuple[float, float] | None = None,
    top_k: int = 4,
) -> Figure:
    """One clip's smoothed class probabilities over frames, beside accuracy vs decay.

    ``accuracy`` is the clip accuracy over all clips at ``decay``; it is marked on the
    ``decays``/``accuracies`` curve. ``window`` (start, end) in frames, as given by
    :func:`streamnets.data.synthetic.gesture_window`, shades when the gesture happens.

    The probabilities shown are ``P_t / sum(P_t)``: the decay-weighted average of the
    per-frame softmax outputs, which stays in [0, 1] for every decay. The classes are
    the clip's ``top_k`` by mean per-frame probability, the true one always included, so
    the same lines (and colours) appear at every slider position. Both legends sit below
    their axes, so they cover no curve at any slider position; frames are numbered from 1.

    Args:
        clip_logits: one clip's per-frame logits ``(frames, classes)``.
        label: index of the clip's true class (always drawn, with a thick line).
        decay: the decay factor in ``[0, 1]`` to smooth with.
        accuracy: the clip accuracy in ``[0, 1]`` over all clips at ``decay``.
        decays: decay factors of the accuracy curve (right panel).
        accuracies: clip accuracy at each of ``decays``.
        class_names: one name per class for the legend; ``None`` shows class indices.
        window: ``(start, end)`` of the gesture in frames, shaded; ``None`` for no shading.
        top_k: how many classes to draw, the true one included.
    """
    clip_logits = np.asarray(clip_logits)
    if clip_logits.ndim != 2:
        raise ValueError(
            f"clip_logits must be one clip's (frames, classes) logits, got shape "
            f"{clip_logits.shape}; index the batch first, e.g. logits[i]."
        )
    smoothed = smooth_probabilities(clip_logits, decay)
    smoothed = smoothed / smoothed.sum(axis=-1, keepdims=True)
    mean_probs = smooth_probabilities(clip_logits, 1.0)[-1]
    classes = [c for c in np.argsort(mean_probs)[::-1] if c != label][: top_k - 1]
    classes = [label, *classes]

    fig = Figure(figsize=(8.5, 4.4), dpi=80, layout="constrained")
    ax_clip, ax_acc = fig.subplots(1, 2, width_ratios=(1.5, 1))
    frames = frame_numbers(clip_logits.shape[0])
    if window is not None:  # frame k (from 0) covers [k, k + 1) and is drawn at x = k + 1
        start, end = max(window[0], 0.0) + 0.5, min(window[1], len(frames)) + 0.5
        ax_clip.axvspan(start, end, color="0.85", label="gesture")
    for i, c in enumerate(classes):
        true = c == label
        ax_clip.plot(frames, smoothed[:, c], color=f"C{i}", lw=3 if true else 1.5,
                     label=_class_name(c, class_names) + (" (true)" if true else ""))
    predicted = int(smoothed[-1].argmax())
    verdict = "right" if predicted == label else f"wrong: {_class_name(predicted, class_names)}"
    ax_clip.set(xlabel="frame", ylabel="smoothed probability", ylim=(0, 1.02),
                xlim=(0.5, len(frames) + 0.5), title=f"one clip, d = {decay:.2f} ({verdict})")
    ax_clip.xaxis.set_major_locator(MaxNLocator(integer=True))  # frames are whole numbers
    legend_outside(ax_clip, "below", ncols=2)
    plot_accuracy_vs_decay(decays, accuracies, ax=ax_acc, legend=False)
    ax_acc.plot([decay], [accuracy], "o", ms=12, mfc="none", mec="k", mew=2, zorder=10,
                clip_on=False, label="this d")
    legend_outside(ax_acc, "below", ncols=1)
    ax_acc.set_title(f"all clips: {accuracy:.1%} at d = {decay:.2f}")
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig`` (no pyplot, so nothing is displayed as a side effect).

    Args:
        fig: the figure to render, at its own size and dpi.
    """
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def decay_widget(
    logits: np.ndarray,
    labels: np.ndarray,
    clip: int = 0,
    decays: Sequence[float] = DEFAULT_DECAYS,
    class_names: Sequence[str] | None = None,
    window: tuple[float, float] | None = None,
    live: bool = False,
) -> widgets.VBox:
    """A decay-factor slider over one clip's smoothed probabilities and the accuracy.

    ``clip`` indexes the clip to draw, ``window`` optionally shades its gesture (see
    :func:`decay_figure`); the accuracy is over all clips of ``logits``.
    ``live=False`` (what the book stores): one figure per entry of ``decays`` is drawn
    now, held in a ``Stack`` whose ``selected_index`` is linked to the slider's
    ``index`` in the browser, so moving the slider swaps figures with no kernel.
    ``live=True`` (Jupyter, Colab): a continuous slider whose every move is redrawn by
    the kernel; it stays still in a static page, so the book does not use it.

    Args:
        logits: per-frame logits of all clips, ``(clips, frames, classes)``.
        labels: the true class index of each clip, ``(clips,)``.
        clip: index into ``logits`` of the clip to draw.
        decays: the slider's decay factors in ``[0, 1]`` (sorted here, at least two); the
            slider starts at the one nearest :data:`streamnets.smoothing.DEFAULT_DECAY`.
            With ``live=True`` only the smallest and largest are used, as the range.
        class_names: one name per class for the legend; ``None`` shows class indices.
        window: ``(start, end)`` of the drawn clip's gesture in frames; ``None`` for none.
        live: redraw in the kernel on every move (``True``) instead of pre-rendering one
            figure per decay (``False``).
    """
    logits = np.asarray(logits)
    labels = np.asarray(labels)
    if logits.ndim != 3:
        raise ValueError(f"logits must be (clips, frames, classes), got shape {logits.shape}.")
    if not 0 <= clip < logits.shape[0]:
        raise ValueError(f"clip must be in [0, {logits.shape[0] - 1}], got {clip}.")
    decays = sorted(float(d) for d in decays)
    if len(decays) < 2:
        raise ValueError(f"decays needs at least two values to slide over, got {decays}.")
    accuracies = accuracy_vs_decay(logits, labels, decays)
    start = min(decays, key=lambda d: abs(d - DEFAULT_DECAY))

    def render(decay: float, accuracy: float) -> bytes:
        return figure_png(decay_figure(logits[clip], int(labels[clip]), decay, accuracy,
                                       decays, accuracies, class_names, window))

    if live:
        slider = widgets.FloatSlider(value=start, min=decays[0], max=decays[-1], step=0.01,
                                     description="decay d", continuous_update=False)
        image = widgets.Image(format="png")

        def redraw(decay: float) -> None:
            image.value = render(decay, clip_accuracy(logits, labels, decay))

        redraw(start)
        slider.observe(lambda change: redraw(change["new"]), "value")
        return widgets.VBox([slider, image])

    slider = widgets.SelectionSlider(
        options=[(f"{d:.2f}", d) for d in decays], value=start, description="decay d",
        continuous_update=True,
    )
    images = [widgets.Image(value=render(d, a), format="png")
              for d, a in zip(decays, accuracies, strict=True)]
    stack = widgets.Stack(images, selected_index=slider.index)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])
