"""Figures, the animation and the θ/decay widget of the continuous-recognition chapter.

Everything here draws results that :mod:`streamnets.detection` and
:mod:`streamnets.operating_point` computed: detections, matchings and sweep rows. No
TensorFlow is imported, so the figures can be drawn from stored logits.

The widget follows chapter 5's (:mod:`streamnets.viz.smoothing`): every figure is drawn in
advance and sliders are linked to them in the browser (``jslink``), so it works in the
static book with no kernel. With two sliders the figures sit in nested ``Stack`` widgets:
the decay slider picks the outer stack's child, one inner stack per decay, and the
threshold slider is linked to the ``selected_index`` of every inner stack.

Every figure is drawn in the book's style (:mod:`streamnets.viz.style`): legends outside
the axes, frames numbered from 1 (frame ``k`` of a stream, 0-based in the arrays, is drawn
and named as frame ``k + 1``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image as PILImage

from streamnets.detection import (
    Detection,
    Matching,
    class_name,
    detect_from_probabilities,
    match_events,
    stream_probabilities,
)
from streamnets.viz import player
from streamnets.viz.smoothing import figure_png
from streamnets.viz.style import legend_outside, styled

#: Small figures and animations keep the book's pages light.
DPI = 72
#: The animation stores one JPEG per frame: a lower resolution keeps the page light.
ANIMATION_DPI = 64
#: JPEG quality of the animation's frames (matplotlib's default is 75).
JPEG_QUALITY = 60
#: Colours of each widget figure's palette: line plots need few, and a palette PNG is
#: several times smaller than a full-colour one.
WIDGET_COLOURS = 64
#: Colours of correct and false triggers, and of the ground-truth bands.
CORRECT, FALSE, BAND = "C2", "C3", "0.85"


# --------------------------------------------------------------------------- helpers


def correct_detections(matching: Matching) -> set[tuple[int, int]]:
    """``(label, frame)`` of every detection the matching paired with an event.

    Args:
        matching: detections paired with events by :func:`~streamnets.detection.match_events`.
    """
    return {(d.label, d.frame) for _, d in matching.hits}


def leading_classes(probabilities: np.ndarray, events: Sequence[Any],
                    detections: Sequence[Detection], background: Sequence[int] = (),
                    top_k: int = 4) -> list[int]:
    """Classes worth a line on a timeline: those of the events and detections shown, then
    the classes with the highest peak, at most ``top_k`` (events' classes first).

    Args:
        probabilities: smoothed probabilities ``(frames, classes)`` of the frames shown.
        events: the ground-truth events shown (anything with a ``label``).
        detections: the triggers shown.
        background: class indices never added for their peak (e.g. the "no gesture"
            classes); they still count when an event or detection has them.
        top_k: the most classes to return (at least one); event and detection classes
            beyond it are dropped too.
    """
    chosen: list[int] = []
    for c in [e.label for e in events] + [d.label for d in detections]:
        if c not in chosen:
            chosen.append(int(c))
    peaks = np.asarray(probabilities).max(axis=0)
    for c in np.argsort(peaks)[::-1]:
        if int(c) not in chosen and int(c) not in background:
            chosen.append(int(c))
    return chosen[:max(top_k, 1)]


def _in_window(events: Sequence[Any], detections: Sequence[Detection], lo: int, hi: int
               ) -> tuple[list[Any], list[Detection]]:
    return ([e for e in events if e.end > lo and e.start < hi],
            [d for d in detections if lo <= d.frame < hi])


def _bands(ax: Axes, events: Sequence[Any], lo: int, hi: int, labels: bool = True) -> None:
    """Ground-truth events as grey bands over ``[start, end)`` (x is the events' time axis),
    with the class name above each band."""
    for e in events:
        ax.axvspan(max(e.start, lo), min(e.end, hi), color=BAND, zorder=0)
        if labels:
            ax.text((max(e.start, lo) + min(e.end, hi)) / 2, 1.04, e.name, rotation=20,
                    ha="left", va="bottom", fontsize=7, transform=ax.get_xaxis_transform(),
                    clip_on=False)


def _triggers(ax: Axes, detections: Sequence[Detection], correct: set[tuple[int, int]]
              ) -> None:
    """Each trigger as a marker at its time (``frame + 1``) on the threshold, green when
    the matcher paired it with an event, red when it is false."""
    for d in detections:
        good = (d.label, d.frame) in correct
        ax.plot([d.time], [d.score], "v" if good else "X", ms=9, color=CORRECT if good else FALSE,
                mec="k", mew=0.6, zorder=5)


# --------------------------------------------------------------------------- timeline


@styled
def plot_stream_probabilities(ax: Axes, probabilities: np.ndarray, events: Sequence[Any],
                              detections: Sequence[Detection], matching: Matching,
                              threshold: float, window: tuple[int, int] | None = None,
                              classes: Sequence[int] | None = None,
                              class_names: Sequence[str] | None = None,
                              band_labels: bool = True) -> list[int]:
    """The smoothed probabilities of ``classes`` over a stream, events as bands, θ as a
    dashed line and the triggers as markers (green: correct, red: false). Returns the
    classes drawn. ``window`` (first, last + 1) limits the frames shown.

    Args:
        ax: the axes to draw on.
        probabilities: the stream's normalised smoothed probabilities ``(T, C)``
            (:func:`~streamnets.detection.stream_probabilities`).
        events: the stream's ground-truth events (``label``, ``start``, ``end``, ``name``),
            in frames on the same axis.
        detections: the stream's triggers; those outside ``window`` are not drawn.
        matching: what :func:`~streamnets.detection.match_events` made of ``detections``
            and ``events``; it decides which triggers are green.
        threshold: the trigger threshold θ in ``[0, 1]``, drawn as a dashed line.
        window: ``(first, last + 1)`` frames to show; ``None`` for the whole stream.
        classes: class indices to draw a line for; ``None`` picks them with
            :func:`leading_classes`.
        class_names: one name per class for the legend; ``None`` uses
            :func:`~streamnets.detection.class_name`.
        band_labels: write each event's class name above its band.
    """
    probabilities = np.asarray(probabilities)
    lo, hi = (0, len(probabilities)) if window is None else window
    shown_events, shown = _in_window(events, detections, lo, hi)
    if classes is None:
        classes = leading_classes(probabilities[lo:hi], shown_events, shown)
    name = (lambda c: class_name(c)) if class_names is None else (lambda c: class_names[c])
    _bands(ax, shown_events, lo, hi, band_labels)
    x = np.arange(lo, hi) + 1  # frame k's decision exists at time k + 1
    for i, c in enumerate(classes):
        ax.plot(x, probabilities[lo:hi, c], color=f"C{(i + 4) % 10}" if i >= 2 else f"C{i}",
                lw=1.3, label=name(c))
    ax.axhline(threshold, color="k", ls="--", lw=0.8, label=f"θ = {threshold:.2f}")
    _triggers(ax, shown, correct_detections(matching))
    ax.set(xlim=(lo, hi), ylim=(0, 1.05), xlabel="frame", ylabel="smoothed probability")
    ax.grid(alpha=0.3)
    return list(classes)


@styled
def timeline_figure(video: np.ndarray, events: Sequence[Any], probabilities: np.ndarray,
                    detections: Sequence[Detection], matching: Matching, threshold: float,
                    window: tuple[int, int] | None = None, thumbnails: int = 10,
                    class_names: Sequence[str] | None = None, fps: float | None = None
                    ) -> Figure:
    """A stream at a glance: a strip of frames above the smoothed probabilities of its
    leading classes, the ground-truth events as grey bands and the triggers marked
    (green triangles: correct, red crosses: false).

    ``video`` is the stream's uint8 ``(T, H, W, 3)`` frames, ``probabilities`` its
    normalised smoothed probabilities ``(T, C)``, ``detections`` and ``matching`` what
    :func:`~streamnets.detection.detect_from_probabilities` and
    :func:`~streamnets.detection.match_events` made of them.

    Args:
        video: the stream's frames ``(T, H, W, 3)`` uint8.
        events: the stream's ground-truth events, in frames.
        probabilities: normalised smoothed probabilities ``(T, C)``, one row per frame.
        detections: the triggers found in ``probabilities``.
        matching: ``detections`` paired with ``events``.
        threshold: the trigger threshold θ in ``[0, 1]``, drawn as a dashed line.
        window: ``(first, last + 1)`` frames to show, within ``[0, T]``; ``None`` for all.
        thumbnails: how many frames, evenly spaced over the window, the strip shows.
        class_names: one name per class for the legend; ``None`` uses the Jester names.
        fps: frames per second, only to label the x axis; ``None`` leaves it in frames.
    """
    video = np.asarray(video)
    probabilities = np.asarray(probabilities)
    if video.ndim != 4 or len(video) != len(probabilities):
        raise ValueError(f"video must be (frames, H, W, 3) with as many frames as "
                         f"probabilities ({len(probabilities)}), got shape {video.shape}.")
    lo, hi = (0, len(video)) if window is None else window
    if not 0 <= lo < hi <= len(video):
        raise ValueError(f"window must lie in [0, {len(video)}], got {window}.")
    fig = Figure(figsize=(10, 4.8), dpi=DPI, layout="constrained")
    strip_ax, ax = fig.subplots(2, 1, height_ratios=(1, 2.6))
    picks = np.linspace(lo, hi - 1, thumbnails).round().astype(int)
    strip = np.concatenate([video[k] for k in picks], axis=1)
    strip_ax.imshow(strip, extent=(lo, hi, 0, 1), aspect="auto")
    strip_ax.set(yticks=[], xlim=(lo, hi))
    # Thumbnail i fills [lo + i w, lo + (i + 1) w) of the x axis; its tick names its frame.
    width = (hi - lo) / thumbnails
    strip_ax.set_xticks(lo + (np.arange(thumbnails) + 0.5) * width,
                        [str(k + 1) for k in picks], fontsize=7)  # frames from 1
    strip_ax.set_xlim(lo, hi)
    strip_ax.grid(False)
    strip_ax.set_title("frames of the stream (frame numbers below)", fontsize=9)
    plot_stream_probabilities(ax, probabilities, events, detections, matching, threshold,
                              (lo, hi), class_names=class_names)
    if fps:
        ax.set_xlabel(f"frame ({fps:g} per second)")
    # Below the axes, so that the strip above and the timeline keep the same x extent.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=6, fontsize=7)
    return fig


# --------------------------------------------------------------------------- operating point


def _by_decay(rows: Sequence[Mapping[str, Any]]) -> dict[float, list[Mapping[str, Any]]]:
    grouped: dict[float, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(float(row["decay"]), []).append(row)
    return {d: sorted(r, key=lambda row: row["threshold"]) for d, r in sorted(grouped.items())}


@styled
def plot_operating_curves(rows: Sequence[Mapping[str, Any]],
                          picked: Mapping[str, Any] | None = None,
                          budget: float | None = None, ax: Axes | None = None,
                          highlight: float | None = None, title: str | None = None) -> Axes:
    """Event recall against false triggers per minute, one curve per decay (θ varies along
    each curve), with the ``picked`` row circled and the false-trigger ``budget`` dashed.
    ``highlight`` draws one decay's curve bold and the others faint.

    Args:
        rows: sweep rows (:func:`~streamnets.operating_point.sweep`), each with
            ``decay``, ``threshold``, ``recall`` (``None`` is drawn as 0) and
            ``false_triggers_per_minute``.
        picked: the row to circle, e.g. :func:`~streamnets.operating_point.pick`'s; ``None``
            for none.
        budget: the false-trigger budget per minute, drawn as a dashed vertical line;
            ``None`` for none.
        ax: the axes to draw on; ``None`` draws on a new ``Figure``.
        highlight: the decay whose curve stays bold; ``None`` draws all curves alike.
        title: the axes' title; ``None`` or empty for none.

    Returns:
        The axes drawn on.
    """
    if ax is None:
        ax = Figure(figsize=(5.5, 3.6), dpi=DPI, layout="constrained").add_subplot()
    for i, (decay, curve) in enumerate(_by_decay(rows).items()):
        faint = highlight is not None and not np.isclose(decay, highlight)
        ax.plot([r["false_triggers_per_minute"] for r in curve],
                [r["recall"] or 0.0 for r in curve], "o-", ms=3, color=f"C{i}",
                alpha=0.25 if faint else 1.0, lw=1 if faint else 1.8, label=f"d = {decay:g}")
    if budget is not None:
        ax.axvline(budget, color="k", ls="--", lw=0.8, label=f"budget {budget:g}/min")
    if picked is not None:
        ax.plot([picked["false_triggers_per_minute"]], [picked["recall"] or 0.0], "o", ms=14,
                mfc="none", mec="k", mew=2, zorder=10, clip_on=False, label="picked point")
    ax.set_xscale("symlog", linthresh=1.0)  # linear up to 1 false trigger per minute
    ax.set(xlabel="false triggers per minute", ylabel="event recall", ylim=(-0.02, 1.02))
    ax.set_xlim(left=0)
    legend_outside(ax, "right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


@styled
def plot_delay_vs_threshold(rows: Sequence[Mapping[str, Any]], decay: float,
                            gesture_frames: float | None = None, fps: float | None = None,
                            ax: Axes | None = None) -> Axes:
    """Median detection delay (line) and its 90th percentile (dotted) against θ, at one
    decay; the median gesture length as a horizontal line. Thresholds whose triggers hit
    no event have no delay and are left out.

    Args:
        rows: sweep rows (:func:`~streamnets.operating_point.sweep`) with ``decay``,
            ``threshold`` and ``delay_frames`` (``{"median", "p90", ...}`` or ``None``).
        decay: the decay whose rows to draw; it must equal a row's ``decay``.
        gesture_frames: the median gesture length in frames, drawn as a dashed line;
            ``None`` for none.
        fps: frames per second, to add a right axis in seconds; ``None`` for none.
        ax: the axes to draw on; ``None`` draws on a new ``Figure``.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: if no row at ``decay`` has a delay.
    """
    if ax is None:
        ax = Figure(figsize=(6.5, 3.6), dpi=DPI, layout="constrained").add_subplot()
    curve = [r for r in _by_decay(rows).get(float(decay), []) if r["delay_frames"]]
    if not curve:
        raise ValueError(f"no row at decay {decay} has a correct detection to time.")
    thresholds = [r["threshold"] for r in curve]
    ax.plot(thresholds, [r["delay_frames"]["median"] for r in curve], "o-", color="C0",
            label="median delay")
    ax.plot(thresholds, [r["delay_frames"]["p90"] for r in curve], "o:", color="C0", ms=3,
            label="90th percentile")
    if gesture_frames is not None:
        ax.axhline(gesture_frames, color="C1", ls="--", label="median gesture length")
    ax.set(xlabel=f"threshold θ (decay d = {decay:g})", ylabel="frames from gesture start",
           ylim=(0, None))
    if fps:
        second = ax.secondary_yaxis("right", functions=(lambda f: f / fps, lambda s: s * fps))
        second.set_ylabel("seconds")
    # Above the axes: the right-hand side holds the axis in seconds.
    legend_outside(ax, "above", ncols=2)
    return ax


def delays(matching: Matching) -> dict[str, np.ndarray]:
    """Per correct detection: delay in frames from the gesture's start, the gesture's
    length in frames, and the delay as a fraction of that length.

    Args:
        matching: detections paired with events; only its correct detections count.

    Returns:
        ``{"frames", "lengths", "fraction"}``, one float array each, one entry per correct
        detection. The delay is measured from the event's ``start`` to the detection's
        ``time`` (``frame + 1``).
    """
    hits = matching.hits
    frames = np.array([d.time - e.start for e, d in hits], dtype=float)
    lengths = np.array([e.length for e, _ in hits], dtype=float)
    return {"frames": frames, "lengths": lengths,
            "fraction": frames / lengths if len(hits) else np.array([])}


@styled
def plot_delay_distribution(matching: Matching, fps: float) -> Figure:
    """Histograms of the delays of the correct detections: in frames (seconds on the top
    axis) beside the delay as a fraction of the gesture's length (1: at its end).

    Args:
        matching: detections paired with events (see :func:`delays`); with no correct
            detection the panels stay empty.
        fps: frames per second, for the top axis in seconds.
    """
    d = delays(matching)
    fig = Figure(figsize=(11, 2.9), dpi=DPI, layout="constrained")
    ax_frames, ax_fraction = fig.subplots(1, 2)
    if len(d["frames"]):
        top = int(np.ceil(d["frames"].max())) + 1
        ax_frames.hist(d["frames"], bins=np.arange(0, top + 1), color="C0", edgecolor="w")
        ax_frames.axvline(np.median(d["frames"]), color="k", ls="--", label="median")
        ax_frames.axvline(np.median(d["lengths"]), color="C1", ls="--",
                          label="median gesture length")
        ax_fraction.hist(d["fraction"], bins=np.linspace(0, max(1.6, d["fraction"].max()), 17),
                         color="C2", edgecolor="w")
        ax_fraction.axvline(np.median(d["fraction"]), color="k", ls="--", label="median")
        ax_fraction.axvline(1.0, color="C1", ls="--", label="gesture ends")
    ax_frames.set(xlabel="delay (frames from the gesture's start)", ylabel="detections")
    second = ax_frames.secondary_xaxis("top", functions=(lambda f: f / fps, lambda s: s * fps))
    second.set_xlabel("seconds", fontsize=8)
    ax_fraction.set(xlabel="delay / gesture length", ylabel="detections")
    for ax in (ax_frames, ax_fraction):
        legend_outside(ax, "right")
    return fig


# --------------------------------------------------------------------------- comparisons


@styled
def plot_model_comparison(scores: Mapping[str, Mapping[str, float]],
                          targets: Mapping[str, float] | None = None) -> Figure:
    """Grouped bars, one group per metric (all in [0, 1]) and one bar per model.

    ``scores`` maps a model's name to ``{metric label: value}``, the same labels for every
    model; ``targets`` optionally maps a metric label to its target, drawn as a tick.

    Args:
        scores: model name to ``{metric label: value in [0, 1]}``, the same labels in the
            same order for every model.
        targets: metric label to its target in ``[0, 1]``, drawn as a dashed line across
            that group; ``None`` for none.
    """
    models = list(scores)
    if not models:
        raise ValueError("scores is empty: give at least one model.")
    metrics = list(scores[models[0]])
    if any(list(scores[m]) != metrics for m in models):
        raise ValueError("every model must have the same metrics, in the same order.")
    fig = Figure(figsize=(9, 3.2), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(models)
    x = np.arange(len(metrics))
    for i, model in enumerate(models):
        values = [scores[model][k] for k in metrics]
        bars = ax.bar(x + (i - (len(models) - 1) / 2) * width, values, width, label=model,
                      color=f"C{i}")
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in values], fontsize=7, padding=1)
    for j, metric in enumerate(metrics):
        if targets and metric in targets:
            ax.plot([j - 0.45, j + 0.45], [targets[metric]] * 2, color="k", ls="--", lw=1)
    ax.set_xticks(x, metrics, fontsize=8)
    ax.set(ylim=(0, 1.12), ylabel="fraction")
    ax.legend(loc="upper center", fontsize=8, ncol=len(models), bbox_to_anchor=(0.5, -0.14))
    ax.grid(axis="y", alpha=0.3)
    return fig


def preceder_table_markdown(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """Markdown of :func:`streamnets.warm.preceder_table` results, one row per model and
    preceder, one column per frame count: the accuracy of the decision after that frame.

    Args:
        tables: model name to its :func:`~streamnets.warm.preceder_table` result
            (``{"frames": [...], "accuracy": {preceder: {"t": accuracy}}, ...}``); every
            model must report the frames of the first.
    """
    if not tables:
        raise ValueError("tables is empty: give at least one model's preceder table.")
    frames = next(iter(tables.values()))["frames"]
    lines = ["| model | what preceded the clip | "
             + " | ".join(f"after frame {t}" for t in frames) + " |",
             "|---|---|" + "---:|" * len(frames)]
    for model, table in tables.items():
        for preceder, accuracy in table["accuracy"].items():
            what = {"reset": "a reset (zeros)", "still": "still copies of frame 1"}.get(
                preceder, f"a “{preceder}” clip")
            lines.append(f"| {model} | {what} | "
                         + " | ".join(f"{accuracy[str(t)]:.0%}" for t in frames) + " |")
    return "\n".join(lines)


@styled
def plot_window(frames: np.ndarray, labels: np.ndarray, class_names: Sequence[str],
                columns: int = 16) -> Figure:
    """A training window: its frames in rows of ``columns``, each titled with its number
    (from 1) and its per-frame target (gesture classes in bold).

    Args:
        frames: the window's frames ``(T, H, W, 3)``.
        labels: the per-frame target class index, ``(T,)``.
        class_names: one name per class (the Jester names: "No gesture" and "Doing other
            things" are drawn as background).
        columns: frames per row.
    """
    frames = np.asarray(frames)
    labels = np.asarray(labels)
    if len(frames) != len(labels):
        raise ValueError(f"one label per frame: {len(frames)} frames, {len(labels)} labels.")
    rows = -(-len(frames) // columns)
    fig = Figure(figsize=(columns * 1.0, rows * 1.2), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    background = {"No gesture", "Doing other things"}
    short = {"No gesture": "none", "Doing other things": "other"}
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(frames):
            ax.set_axis_off()
            continue
        ax.imshow(frames[k])
        name = class_names[int(labels[k])]
        gesture = name not in background
        ax.set_title(f"{k + 1}: " + (short.get(name) or " ".join(name.split()[:2])), fontsize=7,
                     fontweight="bold" if gesture else "normal", color="k" if gesture else "0.4")
    return fig


# --------------------------------------------------------------------------- animation


@styled
def animate_stream(video: np.ndarray, probabilities: np.ndarray,
                   detections: Sequence[Detection], matching: Matching, events: Sequence[Any],
                   class_names: Sequence[str], threshold: float, top_k: int = 5,
                   flash: int = 3, first_frame: int = 0) -> FuncAnimation:
    """A stream playing beside its live top-``top_k`` smoothed probabilities.

    The bar of an event's class is green while the gesture happens; a trigger flashes the
    frame's border and the title for ``flash`` frames, green when correct, red when false.
    ``threshold`` is drawn as a dashed line across the bars. ``first_frame`` is the
    stream's frame number of ``video[0]`` (for the titles), when it is cut from a stream;
    ``events`` and ``detections`` are on the cut's own frame axis.

    Args:
        video: the frames ``(T, H, W, 3)`` uint8.
        probabilities: normalised smoothed probabilities ``(T, len(class_names))``.
        detections: the triggers (frames on the cut's axis).
        matching: ``detections`` paired with ``events``; it decides correct or false.
        events: the ground-truth events (``label``, ``start``, ``end``, ``name``).
        class_names: one name per class, in the column order of ``probabilities``.
        threshold: the trigger threshold θ in ``[0, 1]``.
        top_k: how many of the most probable classes to show as bars.
        flash: for how many frames (the trigger's included) a trigger is shown.
        first_frame: the stream's frame index of ``video[0]``, for the titles only.
    """
    video = np.asarray(video)
    probabilities = np.asarray(probabilities)
    if video.ndim != 4 or probabilities.shape != (len(video), len(class_names)):
        raise ValueError(f"video must be (frames, H, W, 3) and probabilities (frames, "
                         f"{len(class_names)}), got {video.shape} and {probabilities.shape}.")
    correct = correct_detections(matching)
    fired: dict[int, list[Detection]] = {}
    for d in detections:
        fired.setdefault(d.frame, []).append(d)
    fig = Figure(figsize=(7.2, 2.4), dpi=ANIMATION_DPI, layout="constrained")
    ax_video, ax_bars = fig.subplots(1, 2, width_ratios=(1, 1.6))
    image = ax_video.imshow(video[0])
    ax_video.set_xticks([])
    ax_video.set_yticks([])
    rows = np.arange(top_k)[::-1]
    bars = ax_bars.barh(rows, np.zeros(top_k), color="C0")
    ax_bars.axvline(threshold, color="k", ls="--", lw=0.8)
    ax_bars.set(xlim=(0, 1), xlabel="smoothed probability", yticks=rows)
    ax_bars.grid(axis="x", alpha=0.3)

    def draw(t: int) -> list:
        image.set_data(video[t])
        live = [e for e in events if e.start < t + 1 and t < e.end]
        truth = ", ".join(e.name for e in live) or "no gesture"
        recent = [d for k in range(max(0, t - flash + 1), t + 1) for d in fired.get(k, [])]
        colour = "0.5"
        if recent:
            good = all((d.label, d.frame) in correct for d in recent)
            colour = CORRECT if good else FALSE
            said = ", ".join(class_names[d.label] for d in recent)
            ax_video.set_title(f"TRIGGER: {said}", fontsize=8, color=colour, fontweight="bold")
        else:
            ax_video.set_title(f"frame {first_frame + t + 1}   now: {truth}", fontsize=8,
                               color="k")
        for spine in ax_video.spines.values():
            spine.set(color=colour, linewidth=5 if recent else 1)
        best = np.argsort(probabilities[t])[::-1][:top_k]
        labels_now = {e.label for e in live}
        for bar, c in zip(bars, best, strict=True):
            bar.set_width(probabilities[t, c])
            bar.set_color(CORRECT if c in labels_now else "C0")
        ax_bars.set_yticklabels([class_names[c] for c in best], fontsize=8)
        return [image, *bars]

    return FuncAnimation(fig, draw, frames=len(video), interval=1000 / 6, blit=False)


def animation_html(animation: FuncAnimation, quality: int = JPEG_QUALITY) -> str:
    """The stream's animation as an offline HTML player that plays once, with smaller JPEG
    frames than the clip animations (:func:`streamnets.viz.player.animation_html`).

    Args:
        animation: the animation, e.g. from :func:`animate_stream`.
        quality: JPEG quality of the frames, 1 to 95 (lower: smaller page).
    """
    return player.animation_html(animation, quality=quality, default_mode="once")


# --------------------------------------------------------------------------- widget


def figure_png_small(fig: Figure, colours: int = WIDGET_COLOURS) -> bytes:
    """PNG bytes of ``fig`` with a palette of ``colours`` colours: for the many figures a
    static widget stores in the page (photographs would need more colours).

    Args:
        fig: the figure to render, at its own size and dpi.
        colours: the palette size, at most 256.
    """
    image = PILImage.open(io.BytesIO(figure_png(fig))).convert("RGB")
    buffer = io.BytesIO()
    # The octree keeps small, saturated areas (the trigger markers) that median cut merges.
    image.quantize(colours, method=PILImage.Quantize.FASTOCTREE).save(buffer, "png",
                                                                       optimize=True)
    return buffer.getvalue()


def _closest(values: Sequence[float], target: float) -> int:
    return int(np.argmin([abs(v - target) for v in values]))


def operating_grid(logits: Sequence[np.ndarray], events: Sequence[Sequence[Any]],
                   decays: Sequence[float], thresholds: Sequence[float],
                   tolerance: float | None = None) -> list[list[tuple[list[Detection], Matching]]]:
    """Detections and matching of the first stream of ``logits`` at every grid point,
    ``grid[i][j]`` for ``decays[i]`` and ``thresholds[j]`` (what the widget draws).

    Args:
        logits: per-stream logits ``(T, C)``; only the first stream is used.
        events: per-stream ground-truth events; only the first stream's are used.
        decays: decay factors in ``[0, 1]``.
        thresholds: trigger thresholds θ in ``[0, 1]``.
        tolerance: the matching's tolerance in frames; ``None`` for
            :func:`~streamnets.detection.match_events`'s default.
    """
    kwargs = {} if tolerance is None else {"tolerance": tolerance}
    grid = []
    for decay in decays:
        probabilities = stream_probabilities(logits[0], decay)
        row = []
        for threshold in thresholds:
            found = detect_from_probabilities(probabilities, threshold)
            row.append((found, match_events(found, events[0], **kwargs)))
        grid.append(row)
    return grid


@styled
def operating_figure(logits: np.ndarray, events: Sequence[Any], rows: Sequence[Mapping[str, Any]],
                     decay: float, threshold: float, window: tuple[int, int] | None = None,
                     class_names: Sequence[str] | None = None, budget: float | None = None,
                     classes: Sequence[int] | None = None) -> Figure:
    """One stream's timeline at ``(decay, threshold)`` beside the operating curves of
    ``rows`` (a :func:`~streamnets.operating_point.sweep`) with that point circled.

    Args:
        logits: one stream's logits ``(T, C)``.
        events: that stream's ground-truth events.
        rows: the sweep rows over all test streams (see :func:`plot_operating_curves`).
        decay: the decay factor to smooth with; its curve is drawn bold.
        threshold: the trigger threshold θ in ``[0, 1]``.
        window: ``(first, last + 1)`` frames of the timeline; ``None`` for the whole stream.
        class_names: one name per class for the legend; ``None`` uses the Jester names.
        budget: the false-trigger budget per minute, dashed; ``None`` for none.
        classes: class indices to draw lines for; ``None`` picks them per figure (pass them
            to keep the lines the same across figures).
    """
    probabilities = stream_probabilities(logits, decay)
    found = detect_from_probabilities(probabilities, threshold)
    matching = match_events(found, events)
    fig = Figure(figsize=(10.5, 3.8), dpi=DPI, layout="constrained")
    ax_time, ax_curve = fig.subplots(1, 2, width_ratios=(1.9, 1))
    plot_stream_probabilities(ax_time, probabilities, events, found, matching, threshold, window,
                              classes=classes, class_names=class_names, band_labels=False)
    lo, hi = (0, len(logits)) if window is None else window
    shown = [d for d in found if lo <= d.frame < hi]
    right = len(correct_detections(matching) & {(d.label, d.frame) for d in shown})
    ax_time.set_title(f"one test stream: {right} correct, {len(shown) - right} false "
                      "(green ▼ correct, red ✕ false)", fontsize=9)
    legend_outside(ax_time, "below", ncols=3)
    point = next((r for r in rows if np.isclose(r["decay"], decay)
                  and np.isclose(r["threshold"], threshold)), None)
    plot_operating_curves(rows, point, budget, ax=ax_curve, highlight=decay)
    if point is not None:
        ax_curve.set_title(f"all test streams:\nrecall {point['recall'] or 0:.0%}, "
                           f"{point['false_triggers_per_minute']:.1f} false/min", fontsize=9)
    ax_curve.get_legend().remove()
    return fig


def operating_widget(logits: Sequence[np.ndarray], events: Sequence[Sequence[Any]],
                     rows: Sequence[Mapping[str, Any]], decays: Sequence[float],
                     thresholds: Sequence[float], start: tuple[float, float],
                     window: tuple[int, int] | None = None,
                     class_names: Sequence[str] | None = None,
                     budget: float | None = None) -> widgets.VBox:
    """Sliders for the decay and θ over the first stream's timeline and the operating
    curves of ``rows`` (which must hold every grid point), working with no kernel.

    Every ``(decay, threshold)`` figure is drawn now (:func:`operating_figure`). The decay
    slider's index is linked (``jslink``) to an outer ``Stack`` holding one inner ``Stack``
    per decay; the threshold slider's index is linked to every inner stack. ``start`` is
    the (decay, threshold) shown first, snapped to the grid.

    Args:
        logits: per-stream logits ``(T, C)``; the timeline shows the first stream.
        events: per-stream ground-truth events; the first stream's are drawn.
        rows: sweep rows holding every ``(decay, threshold)`` of the grid.
        decays: the decay slider's values (at least two).
        thresholds: the threshold slider's values in ``[0, 1]`` (at least two).
        start: ``(decay, threshold)`` shown first; each is snapped to the nearest value.
        window: ``(first, last + 1)`` frames of the timeline; ``None`` for the whole stream.
        class_names: one name per class for the legend; ``None`` uses the Jester names.
        budget: the false-trigger budget per minute, dashed; ``None`` for none.
    """
    decays = [float(d) for d in decays]
    thresholds = [float(t) for t in thresholds]
    if len(decays) < 2 or len(thresholds) < 2:
        raise ValueError("give at least two decays and two thresholds to slide over.")
    have = {(round(r["decay"], 6), round(r["threshold"], 6)) for r in rows}
    missing = [(d, t) for d in decays for t in thresholds if (round(d, 6), round(t, 6)) not in have]
    if missing:
        raise ValueError(f"rows hold no sweep result for (decay, threshold) {missing[:3]}...; "
                         "sweep the whole grid first.")
    lo, hi = (0, len(logits[0])) if window is None else window
    # The same lines at every slider position: the events' classes and what any point fires.
    shown_events = [e for e in events[0] if e.end > lo and e.start < hi]
    fired = [d for row in operating_grid(logits, events, decays, thresholds)
             for found, _ in row for d in found if lo <= d.frame < hi]
    classes = leading_classes(stream_probabilities(logits[0], decays[-1])[lo:hi], shown_events,
                              fired, top_k=5)
    inner = []
    for d in decays:
        images = [widgets.Image(value=figure_png_small(operating_figure(
            logits[0], events[0], rows, d, t, window, class_names, budget, classes)),
            format="png") for t in thresholds]
        inner.append(widgets.Stack(images, selected_index=_closest(thresholds, start[1])))
    decay_slider = widgets.SelectionSlider(
        options=[(f"{d:g}", d) for d in decays], value=decays[_closest(decays, start[0])],
        description="decay d", continuous_update=True)
    threshold_slider = widgets.SelectionSlider(
        options=[(f"{t:.2f}", t) for t in thresholds],
        value=thresholds[_closest(thresholds, start[1])], description="threshold θ",
        continuous_update=True)
    outer = widgets.Stack(inner, selected_index=decay_slider.index)
    widgets.jslink((decay_slider, "index"), (outer, "selected_index"))
    for stack in inner:
        widgets.jslink((threshold_slider, "index"), (stack, "selected_index"))
    return widgets.VBox([decay_slider, threshold_slider, outer])
