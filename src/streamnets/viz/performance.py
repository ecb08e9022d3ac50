"""Tables and figures for chapter 9: the results of :mod:`streamnets.performance`.

Every function takes the JSON-ready dicts the benchmarks return (or ``make bench`` wrote),
so the chapter shows the same thing whether it read the files or measured live. The
sentences the chapter writes from those values are in
:mod:`streamnets.viz.performance_text`.

Imports no TensorFlow or Keras (:mod:`streamnets.results`, ``benchmarks/run_all.py``
draw saved results with it in a second).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from streamnets.files import replacing
from streamnets.results import short_commit
from streamnets.viz.costs import plot_costs
from streamnets.viz.style import legend_outside, styled

DPI = 80
#: Display names of the runtime paths of ``runtime_benchmark``.
RUNTIME_LABELS: dict[str, str] = {
    "keras_eager": "Keras step, eager",
    "keras_step_fn": "Keras step, compiled (tf.function)",
    "litert_float_1_thread": "LiteRT float32, 1 thread",
    "litert_float_2_threads": "LiteRT float32, 2 threads",
    "litert_int8_1_thread": "LiteRT int8, 1 thread",
    "litert_int8_2_threads": "LiteRT int8, 2 threads",
    "brainchip_bufferized_float": "BrainChip bufferized float (tf_keras)",
    "brainchip_quantized_keras": "BrainChip 8-bit quantized Keras (quantizeml)",
}


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "---:") -> str:
    lines = ["| " + " | ".join(header) + " |", "|---|" + f"{align}|" * (len(header) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def sources_markdown(results: Mapping[str, Mapping[str, Any]], live: Sequence[str],
                     skipped: Mapping[str, str] | None = None) -> str:
    """Where each result comes from: a file of ``make bench`` (with its date and commit),
    or this run; ``skipped`` (name -> reason, as :func:`streamnets.results.
    read_matching_results` gives) says why a result was measured here or is not shown.

    Args:
        results: result name (e.g. ``"runtimes"``) to its dict, stamped with ``date``,
            ``commit`` and ``machine`` (missing fields show as ``?``).
        live: names of the results measured in this run rather than read from a file.
        skipped: result name to why its file was not used; a name that is not in
            ``results`` gets a "not shown" row. ``None`` for none.
    """
    skipped = skipped or {}
    rows = []
    for name, result in results.items():
        machine = result.get("machine", {})
        load = machine.get("load_average_1_5_15_min")
        if name in live:
            source = "measured in this run" + (f": {skipped[name]}" if name in skipped else "")
        else:
            source = f"`benchmarks/results/{name}.json`"
        rows.append([name, source, str(result.get("date", "?")), short_commit(result),
                     f"{machine.get('cpu_count', '?')} CPUs, {machine.get('processor', '?')}",
                     f"{load[0]:.1f}" if load else "?"])
    for name, reason in skipped.items():
        if name not in results:
            rows.append([name, f"not shown: {reason}", "—", "—", "—", "—"])
    return _table(["result", "source", "date (UTC)", "commit", "machine", "load (1 min)"],
                  rows, align="---")


def batched_streams(streaming: Mapping[str, Any]) -> int:
    """The streams per batch of ``streaming_benchmark``'s second comparison (the ``N`` of
    its ``latency_batchN`` record other than batch 1).

    Args:
        streaming: the result of :func:`streamnets.performance.streaming_benchmark`.

    Raises:
        KeyError: unless exactly one ``latency_batchN`` record has ``N > 1``.
    """
    counts = [int(match.group(1)) for key in streaming
              if (match := re.fullmatch(r"latency_batch(\d+)", key))]
    counts = [count for count in counts if count != 1]
    if len(counts) != 1:
        raise KeyError(f"expected one latency_batchN record with N > 1, found {counts}")
    return counts[0]


def runtimes_markdown(runtimes: Mapping[str, Any]) -> str:
    """Batch-1 latency per frame of every runtime path, with GMAC/s and the ratio to Keras.

    Args:
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`; one row
            per path of its ``latency_batch1``, named by :data:`RUNTIME_LABELS`.
    """
    rows = []
    for name, row in runtimes["latency_batch1"].items():
        rows.append([RUNTIME_LABELS.get(name, name), f"{row['ms_per_frame_median']:.2f}",
                     f"{row['frames_per_s']:,.0f}", f"{row['gmacs_per_s']:.1f}",
                     f"{row['ratio_vs_keras_step_fn']:.2f}×"])
    return _table(["runtime (batch 1)", "ms per frame", "frames/s", "achieved GMAC/s",
                   "time vs compiled Keras step"], rows)


@styled
def plot_runtimes(runtimes: Mapping[str, Any]) -> Figure:
    """Milliseconds per frame of every runtime, log scale, with the int8 MACs limit.

    Args:
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`; the
            limit line is drawn only when it holds ``peak_int8["1_thread"]``.
    """
    latency = runtimes["latency_batch1"]
    names = list(latency)
    values = [latency[name]["ms_per_frame_median"] for name in names]
    fig = Figure(figsize=(7.5, 0.42 * len(names) + 1.3), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    colors = ["C2" if "int8" in n else "C1" if "brainchip" in n else "C0" for n in names]
    ax.barh(range(len(names)), values, color=colors)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.2f} ms", va="center", fontsize=8)
    peak = runtimes.get("peak_int8", {}).get("1_thread")
    if peak:
        limit = peak["gesture_limit_ms_per_frame"]
        ax.axvline(limit, color="C3", ls="--")
        # Above the axes (the y axis runs downwards), where no bar is.
        ax.text(limit, -0.6, f" int8 MACs limit, 1 thread: {limit:.2f} ms",
                color="C3", fontsize=8, va="bottom", clip_on=False)
    ax.set_yticks(range(len(names)), [RUNTIME_LABELS.get(n, n) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set(xscale="log", xlabel="milliseconds per frame (batch 1, median, log scale)",
           xlim=(min(values + ([peak["gesture_limit_ms_per_frame"]] if peak else [])) / 2,
                 max(values) * 4))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


@styled
def plot_streaming(streaming: Mapping[str, Any]) -> Figure:
    """Left: per-frame cost of the step and of recomputing the window, at batch 1 and 8.
    Right: frames per second against the number of streams per batch.

    Args:
        streaming: the result of :func:`streamnets.performance.streaming_benchmark`
            (``latency_batch1``, one ``latency_batchN`` and ``throughput``).
    """
    fig = Figure(figsize=(9, 3), dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2)
    batch1 = streaming["latency_batch1"]
    count = batched_streams(streaming)
    batched = streaming[f"latency_batch{count}"]
    groups = {"batch 1": (batch1["stream_step_ms_median"], batch1["recompute_window_ms_median"],
                          batch1["ratio_recompute_over_stream"]),
              f"batch {count}": (
                  batched["stream_step_ms_per_frame"], batched["recompute_window_ms_per_frame"],
                  batched["ratio_recompute_over_stream"])}
    x = np.arange(len(groups))
    steps = [g[0] for g in groups.values()]
    recomputes = [g[1] for g in groups.values()]
    left.bar(x - 0.2, steps, 0.4, color="C2", label="streaming step")
    left.bar(x + 0.2, recomputes, 0.4, color="C3", label="recompute the window")
    for i, (_, recompute, ratio) in enumerate(groups.values()):
        left.text(i + 0.2, recompute, f"{ratio:.1f}×", ha="center", va="bottom", fontsize=9)
    left.set_xticks(x, list(groups))
    left.set(ylabel="ms per new frame, per stream",
             ylim=(0, 1.2 * max(recomputes)))
    left.set_title(f"ratio (operation count: {batch1['ratio_limit']}×)", fontsize=10)
    legend_outside(left, "below")
    rows = streaming["throughput"]
    right.plot([r["streams"] for r in rows], [r["frames_per_s"] for r in rows], "o-", color="C0")
    right.set(xscale="log", xlabel="streams per batch", ylabel="frames per second",
              ylim=(0, None))
    right.minorticks_off()
    right.set_xticks([r["streams"] for r in rows], [str(r["streams"]) for r in rows])
    right.set_title("throughput of the streaming step", fontsize=10)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    return fig


#: Display names of the paths of ``stream_loop_benchmark``.
LOOP_LABELS: dict[str, str] = {
    "keras_step": "Keras streaming step",
    "litert_int8_1_thread": "LiteRT int8, 1 thread",
}


def stream_loop_markdown(loop: Mapping[str, Any]) -> str:
    """The whole loop on a video per runtime: frames/s, ms per frame and per stage, and the
    real-time factor at the model's rate.

    Args:
        loop: the result of :func:`streamnets.performance.stream_loop_benchmark`; one row
            per runtime of its ``loop``, named by :data:`LOOP_LABELS`.
    """
    stages = list(next(iter(loop["loop"].values()))["stage_ms_per_frame"])
    rows = []
    for name, row in loop["loop"].items():
        rows.append([LOOP_LABELS.get(name, name), f"{row['frames_per_s']:,.0f}",
                     f"{row['ms_per_frame']:.2f}",
                     *(f"{row['stage_ms_per_frame'][stage]:.2f}" for stage in stages),
                     f"{row['real_time_factor']:,.1f}×"])
    fps = loop["video"]["model_fps"]
    return _table(["loop (1 stream)", "frames/s", "ms per frame",
                   *(f"{stage} (ms)" for stage in stages), f"real-time factor at {fps:g} fps"],
                  rows)


def litert_streaming_markdown(litert: Mapping[str, Any]) -> str:
    """LiteRT, batch 1, one thread: recomputing the window against the FIFO step, float
    and int8, with the ratio the operation count predicts.

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`.
    """
    rows = []
    for kind, row in litert["latency_batch1"].items():
        rows.append([f"LiteRT {kind}", f"{row['recompute_window_ms_median']:.2f}",
                     f"{row['step_ms_median']:.3f}", f"{row['ratio_recompute_over_step']:.1f}×",
                     f"{litert['ratio_limit']}×"])
    return _table(["runtime (batch 1, 1 thread)", "recompute the window (ms per frame)",
                   "FIFO step (ms per frame)", "measured ratio", "operation count"], rows)


#: Display names of the paths of ``litert_streams_benchmark``.
STREAMS_LABELS: dict[str, str] = {
    "litert_int8_batch": "LiteRT int8, one batch-N export, 1 thread",
    "litert_int8_threads": "LiteRT int8, N batch-1 interpreters in threads",
    "keras_step": "Keras step, compiled, batch N",
}


def many_streams_markdown(streams: Mapping[str, Any]) -> str:
    """Frames per second (all streams together) against the number of streams, per way
    of running them.

    Args:
        streams: the result of :func:`streamnets.performance.litert_streams_benchmark`;
            one column per stream count of its ``streams`` rows, one row per way
            (named by :data:`STREAMS_LABELS`).
    """
    rows = streams["streams"]
    names = [name for name in rows[0] if name != "streams"]
    table = [[STREAMS_LABELS.get(name, name),
              *(f"{row[name]['frames_per_s']:,.0f}" for row in rows)] for name in names]
    return _table(["frames per second, all streams", *(f"N = {row['streams']}" for row in rows)],
                  table)


def litert_achieved(litert: Mapping[str, Any], runtimes: Mapping[str, Any] | None = None
                    ) -> dict[str, float]:
    """Achieved GMAC/s of every batch-1 path: the LiteRT step and recompute (float, int8)
    of ``litert``, and the Keras step and BrainChip's models of ``runtimes`` when given
    (the recompute does ``T`` times the step's MACs per new frame).

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`.
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`, to add
            the Keras and BrainChip paths it timed; ``None`` for LiteRT only.

    Returns:
        Display name to achieved GMAC/s (billions of multiply-accumulates per second).
    """
    macs = litert["model"]["macs_per_frame"]
    achieved: dict[str, float] = {}
    for name in ("keras_step_fn", "brainchip_bufferized_float", "brainchip_quantized_keras"):
        row = (runtimes or {}).get("latency_batch1", {}).get(name)
        if row is not None:
            achieved[RUNTIME_LABELS[name]] = row["gmacs_per_s"]
    for kind, row in litert["latency_batch1"].items():
        achieved[f"LiteRT {kind} step"] = macs / row["step_ms_median"] / 1e6
        achieved[f"LiteRT {kind} recompute"] = (
            litert["window_frames"] * macs / row["recompute_window_ms_median"] / 1e6)
    return achieved


@styled
def plot_litert(litert: Mapping[str, Any], runtimes: Mapping[str, Any] | None = None
                ) -> Figure:
    """Left: achieved GMAC/s of every runtime beside the int8 peak of the same run
    (roofline-style). Right: where the int8 step's time goes, per kind of op, beside its
    MACs limit.

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`,
            with its ``int8_limit`` and ``profile``.
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`, for
            more bars on the left (see :func:`litert_achieved`); ``None`` for LiteRT only.
    """
    fig = Figure(figsize=(10, 3.6), dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1.3, 1))
    achieved = litert_achieved(litert, runtimes)
    names = list(achieved)
    colors = ["C2" if "int8" in n or "8-bit" in n else "C1" if "BrainChip" in n else "C0"
              for n in names]
    left.barh(range(len(names)), list(achieved.values()), color=colors)
    for y, value in enumerate(achieved.values()):
        left.text(value, y, f" {value:.1f}", va="center", fontsize=8)
    limit = litert["int8_limit"]
    left.axvline(limit["peak_gmacs_per_s"], color="C3", ls="--")
    left.text(limit["peak_gmacs_per_s"], -0.6,  # above the axes, where no bar is
              f"int8 peak: {limit['peak_gmacs_per_s']:.0f} ", color="C3", fontsize=8,
              ha="right", va="bottom", clip_on=False)
    left.set_yticks(range(len(names)), names, fontsize=8)
    left.invert_yaxis()
    left.set(xlabel="achieved GMAC/s (batch 1, 1 thread for LiteRT)",
             xlim=(0, limit["peak_gmacs_per_s"] * 1.15))
    profile = litert["profile"]["int8_step"]
    groups = dict(sorted(profile["groups_ms"].items(), key=lambda item: -item[1]))
    interface = limit["step_ms_median"] - limit["invoke_ms_median"]
    bars = {**groups, "interface (float states in and out, Python)": max(interface, 0.0)}
    right.barh(range(len(bars)), [1000 * ms for ms in bars.values()], color="C2")
    for y, ms in enumerate(bars.values()):
        right.text(1000 * ms, y, f" {1000 * ms:.0f} µs", va="center", fontsize=8)
    right.axvline(1000 * limit["limit_ms_per_frame"], color="C3", ls="--")
    right.text(1000 * limit["limit_ms_per_frame"], -0.6,  # above the axes, off the bars
               f"MACs limit of the whole step: {1000 * limit['limit_ms_per_frame']:.0f} µs",
               color="C3", fontsize=8, ha="center", va="bottom", clip_on=False)
    right.set_yticks(range(len(bars)), list(bars), fontsize=8)
    right.invert_yaxis()
    right.set(xlabel="µs per frame, int8 step (ops timed alone)")
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    return fig


@styled
def plot_growth(growth: Mapping[str, Any]) -> Figure:
    """Left: step time against MACs per frame as the input grows, with the MACs model.
    Right: per-frame cost against clip length, streaming step and window recompute.

    Args:
        growth: the result of :func:`streamnets.performance.growth_benchmark`
            (``by_size`` and ``by_clip_length`` rows).
    """
    fig = Figure(figsize=(12, 3.2), dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2)
    by_size = growth["by_size"]
    macs = np.array([r["macs_per_frame"] for r in by_size]) / 1e6
    left.plot(macs, [r["macs_model_ms"] for r in by_size], "--", color="gray",
              label="MACs model (time ∝ MACs)")
    left.plot(macs, [r["step_ms"] for r in by_size], "o", color="C0", label="measured")
    for m, row in zip(macs, by_size, strict=True):
        left.annotate(f"{row['size']}²", (m, row["step_ms"]), textcoords="offset points",
                      xytext=(4, -10), fontsize=8)
    left.set(xlabel="M MACs per frame", ylabel="ms per frame (batch 1)", xlim=(0, None),
             ylim=(0, None))
    left.set_title("input size: streaming step", fontsize=10)
    legend_outside(left, "right")
    rows = growth["by_clip_length"]
    frames = [r["frames"] for r in rows]
    right.plot(frames, [r["recompute_ms"] for r in rows], "o-", color="C3",
               label="recompute the window")
    right.plot(frames, [r["stream_step_ms"] for r in rows], "o-", color="C2",
               label="streaming step")
    right.set(xlabel="clip length (frames)", ylabel="ms per new frame (batch 1)",
              xticks=frames, ylim=(0, None))
    right.set_title("clip length, 100×100", fontsize=10)
    legend_outside(right, "right")
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    return fig


@styled
def plot_book_times(book: Mapping[str, Any]) -> Figure:
    """Seconds to execute each chapter notebook, in CI mode and in full mode, as recorded.

    Args:
        book: the ``book`` result (``benchmarks/bench_book.py``): ``ci`` and, when
            recorded, ``full``, each with ``notebooks`` mapping a notebook to seconds; a
            ``make book`` run without the benchmark has ``full`` only (``ci`` ``None`` or
            missing).

    Raises:
        ValueError: if neither mode has a time.
    """
    ci = (book.get("ci") or {}).get("notebooks", {})
    full = (book.get("full") or {}).get("notebooks", {})
    if not ci and not full:
        raise ValueError("the book result has no chapter times, in CI or full mode")
    names = list(dict.fromkeys([*ci, *full]))  # a chapter may have been timed in one mode only
    fig = Figure(figsize=(8, 0.4 * len(names) + 1.2), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(names))
    modes = [(times, color, label) for times, color, label in (
        (ci, "C0", "CI mode"), (full, "C1", "full mode (make book)")) if times]
    height = 0.8 / len(modes)
    for i, (times, color, label) in enumerate(modes):
        offset = (i - (len(modes) - 1) / 2) * height
        ax.barh(y + offset, [times.get(n, 0.0) for n in names], height, color=color,
                label=label)
    ax.set_yticks(y, [n.removesuffix(".ipynb") for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="seconds to execute")
    legend_outside(ax, "right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def targets_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The goals with the measured value and a plain verdict.

    Args:
        rows: the goals of :func:`streamnets.performance.targets`, each with ``goal``,
            ``target`` (text), ``measured`` (a number or ``None``) and ``met`` (``True``,
            ``False`` or ``None`` when not measured).
    """
    verdicts = {True: "met", False: "**not met**", None: "not measured"}
    return _table(["goal", "target", "measured", "verdict"],
                  [[row["goal"], row["target"],
                    "—" if row["measured"] is None else f"{row['measured']:.2f}",
                    verdicts[row["met"]]] for row in rows], align="---")


def data_markdown(data: Mapping[str, Any]) -> str:
    """Synthetic clip generation on one core against training throughput on all cores.

    Args:
        data: the ``data`` result (``benchmarks/bench_data.py``), with
            ``generation_one_core`` and ``training_all_cores``.
    """
    generation = data["generation_one_core"]
    rows = [["`synthetic_clip`, one core", f"{generation['synthetic_clip']['clips_per_s']:.0f}"],
            ["`synthetic_dataset` (tf.data), one core",
             f"{generation['pipeline']['clips_per_s']:.0f}"]]
    rows += [[f"training, batch {row['batch_size']}, all cores", f"{row['clips_per_s']:.1f}"]
             for row in data["training_all_cores"]["train_steps"]]
    return _table(["", "clips per second"], rows)


def block_metrics(blocks: Mapping[str, Any]) -> tuple[list[str], dict[str, list[float]]]:
    """Labels and columns (parameters, MACs, frames/s, GMAC/s) of ``block_benchmark``'s rows.

    Args:
        blocks: the result of :func:`streamnets.performance.block_benchmark`.

    Returns:
        The block labels and the columns, as :func:`streamnets.viz.costs.plot_costs` and
        :func:`~streamnets.viz.costs.cost_table` take them.
    """
    rows = list(blocks["blocks"].values())
    return [row["label"] for row in rows], {
        "parameters": [row["params"] for row in rows],
        "MACs per frame": [row["macs_per_frame"] for row in rows],
        "frames per second": [row["frames_per_s"] for row in rows],
        "achieved GMAC/s": [row["gmacs_per_s"] for row in rows],
    }


@styled
def plot_blocks(blocks: Mapping[str, Any]) -> Figure:
    """Parameters, MACs and frames per second of each block, as ratios to the 3D block.

    Args:
        blocks: the result of :func:`streamnets.performance.block_benchmark` (see
            :func:`block_metrics`); its ``config["channels"]`` names the title's channels.
    """
    labels, metrics = block_metrics(blocks)
    channels = blocks["config"]["channels"]
    return plot_costs(labels, {name: metrics[name] for name in
                               ("parameters", "MACs per frame", "frames per second")},
                      title=f"One block, {channels[0]} → {channels[-1]} channels "
                            "(ratios to the 3D block)")


# ---------------------------------------------------------------------------- sentences
#: Result name -> the figure that shows it (``make bench`` saves each as a PNG).
FIGURES: dict[str, Callable[[Mapping[str, Any]], Figure]] = {
    "blocks": plot_blocks,
    "streaming": plot_streaming,
    "runtimes": plot_runtimes,
    "streaming_litert": plot_litert,
    "growth": plot_growth,
    "book": plot_book_times,
}


def save_figures(results: Mapping[str, Mapping[str, Any]], folder: str | Path) -> list[Path]:
    """Write the figure of every result in ``results`` to ``folder/<name>.png`` atomically.

    Args:
        results: result name to its dict; only the names of :data:`FIGURES` are drawn,
            the others are ignored.
        folder: the folder for the PNGs (100 dpi), created if missing; earlier files of
            the same names are replaced.

    Returns:
        The paths written, in :data:`FIGURES` order.
    """
    import matplotlib.pyplot as plt

    written = []
    for name, plot in FIGURES.items():
        if name not in results:
            continue
        figure = plot(results[name])
        path = Path(folder) / f"{name}.png"
        try:
            with replacing(path, binary=True) as stream:
                figure.savefig(stream, format="png", dpi=100)
        finally:
            plt.close(figure)
        written.append(path)
    return written
