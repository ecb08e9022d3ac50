"""Chapter 8 tables, figures and sentences: each shows exactly the records it is given.

The records are small fakes with the keys that :mod:`streamnets.performance` and
``benchmarks/bench_data.py`` / ``bench_book.py`` write; no benchmark is run. Every
sentence that states a result is checked both ways: when the value flips, the words do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest

from streamnets import performance
from streamnets.performance import BATCHED_STREAMS
from streamnets.viz.performance import (
    RUNTIME_LABELS,
    batched_streams,
    block_metrics,
    blocks_summary,
    book_summary,
    brainchip_summary,
    compare_time,
    data_markdown,
    data_summary,
    growth_summary,
    lessons_summary,
    meets,
    plot_blocks,
    plot_book_times,
    plot_growth,
    plot_runtimes,
    plot_streaming,
    ratio_band,
    runtimes_markdown,
    runtimes_summary,
    save_figures,
    sources_markdown,
    streaming_summary,
    targets_discussion,
    targets_markdown,
)

#: Header and separator lines of every markdown table.
HEADER_LINES = 2


def environment(date: str, cpus: int, load: list[float] | None) -> dict[str, Any]:
    """The stamp of :func:`streamnets.timing.environment` (no load average: an old record)."""
    machine: dict[str, Any] = {"platform": "Linux", "processor": "x86_64", "cpu_count": cpus}
    if load is not None:
        machine["load_average_1_5_15_min"] = load
    return {"machine": machine, "versions": {"python": "3.11"}, "date": date}


def fake_runtimes(ms: dict[str, float], peak: bool = True) -> dict[str, Any]:
    """A ``runtime_benchmark`` record with the given batch-1 milliseconds per frame."""
    reference = ms["keras_step_fn"]
    result: dict[str, Any] = {
        **environment("2026-01-02T03:04:05+00:00", 2, [1.25, 1.0, 0.5]),
        "latency_batch1": {name: {"ms_per_frame_median": value, "frames_per_s": 1000 / value,
                                  "gmacs_per_s": 68.2 / value,
                                  "ratio_vs_keras_step_fn": value / reference}
                           for name, value in ms.items()},
        "peak_int8": {"shape": [8, 16, 16], "macs_per_call": 2048},
    }
    if peak:
        result["peak_int8"]["1_thread"] = {
            "matmul_ms_median": 0.01, "gmacs_per_s": 204.8, "gesture_limit_ms_per_frame": 0.3,
            "litert_int8_ms_per_frame": ms["litert_int8_1_thread"],
            "ratio_measured_over_limit": ms["litert_int8_1_thread"] / 0.3}
    return result


RUNTIME_MS = {"keras_eager": 41.5, "keras_step_fn": 4.0, "litert_float_1_thread": 2.5,
              "litert_int8_1_thread": 1.2}


def fake_streaming() -> dict[str, Any]:
    """A ``streaming_benchmark`` record: batch 1, batch :data:`BATCHED_STREAMS`, throughput."""
    return {
        **environment("2026-01-02T03:04:05+00:00", 2, None),
        "latency_batch1": {"stream_step_ms_median": 2.0, "recompute_window_ms_median": 30.0,
                           "window_frames": 16, "ratio_recompute_over_stream": 15.0,
                           "ratio_limit": 16, "clip_model_ms_per_frame_of_window": 1.5},
        f"latency_batch{BATCHED_STREAMS}": {"stream_step_ms_per_frame": 0.5,
                                            "recompute_window_ms_per_frame": 3.5,
                                            "ratio_recompute_over_stream": 7.0},
        "throughput": [{"streams": 1, "step_ms_median": 2.0, "frames_per_s": 500.0},
                       {"streams": 8, "step_ms_median": 4.0, "frames_per_s": 2000.0}],
        "state_bytes_per_stream": 4096,
    }


def fake_growth() -> dict[str, Any]:
    """A ``growth_benchmark`` record with two input sizes and two clip lengths."""
    return {
        "by_size": [{"size": 64, "macs_per_frame": 28_000_000, "step_ms": 1.5,
                     "gmacs_per_s": 18.7, "macs_model_ms": 1.2,
                     "ratio_measured_over_macs_model": 1.25},
                    {"size": 100, "macs_per_frame": 68_000_000, "step_ms": 3.0,
                     "gmacs_per_s": 22.7, "macs_model_ms": 3.0,
                     "ratio_measured_over_macs_model": 1.0}],
        "by_clip_length": [{"frames": 8, "stream_step_ms": 3.1, "recompute_ms": 20.0,
                            "ratio_recompute_over_stream": 6.5},
                           {"frames": 16, "stream_step_ms": 2.9, "recompute_ms": 45.0,
                            "ratio_recompute_over_stream": 15.5}],
    }


CI_SECONDS = {"01_convolutions.ipynb": 13.0, "02_data.ipynb": 20.0, "03_training.ipynb": 40.0}


def fake_book(full: dict[str, float] | None) -> dict[str, Any]:
    """A ``bench_book.py`` record; ``full`` is None when ``make book`` recorded nothing."""
    return {
        **environment("2026-01-02T03:04:05+00:00", 2, [2.0, 2.0, 2.0]),
        "ci": {"notebooks": CI_SECONDS, "failed": [], "total_s": sum(CI_SECONDS.values())},
        "full": None if full is None else {"mode": "full", "notebooks": full,
                                           "total_s": sum(full.values())},
        "full_note": "run `make book` to record full-mode times" if full is None else None,
    }


def fake_data() -> dict[str, Any]:
    """A ``bench_data.py`` record: generation on one core, training on all."""
    return {
        "generation_one_core": {"synthetic_clip": {"clips_per_s": 412.4},
                                "pipeline": {"clips_per_s": 250.6}},
        "training_all_cores": {"train_steps": [{"batch_size": 8, "clips_per_s": 12.34},
                                               {"batch_size": 16, "clips_per_s": 15.67}]},
        "ratio_generation_over_training": 26.3,
    }


def table_rows(markdown: str) -> list[list[str]]:
    """The cells of each body row of a markdown table."""
    lines = markdown.splitlines()[HEADER_LINES:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


# ------------------------------------------------------------------------------- tables


def test_sources_table_says_which_results_were_measured_live_and_why() -> None:
    results = {"blocks": {**environment("2026-01-01T00:00:00+00:00", 2, [3.25, 2.0, 1.0]),
                          "commit": "0123456789abcdef", "dirty": False},
               "streaming": {**environment("2026-01-02T00:00:00+00:00", 16, None),
                             "commit": "fedcba9876543210", "dirty": True},
               "runtimes": environment("2026-01-03T00:00:00+00:00", 4, [0.5, 0.5, 0.5])}
    skipped = {"streaming": "written by commit 1111111111, this code is commit fedcba9876",
               "data": "no file data.json"}
    rows = table_rows(sources_markdown(results, live=["streaming"], skipped=skipped))
    assert [row[0] for row in rows] == [*results, "data"]
    assert [row[1] for row in rows] == [
        "`benchmarks/results/blocks.json`",
        "measured in this run: written by commit 1111111111, this code is commit fedcba9876",
        "`benchmarks/results/runtimes.json`",
        "not shown: no file data.json"]
    assert rows[0][2:] == ["2026-01-01T00:00:00+00:00", "0123456789", "2 CPUs, x86_64", "3.2"]
    assert rows[1][3] == "fedcba9876 + changes"  # measured from uncommitted code
    assert rows[1][5] == "?"  # no load average recorded
    assert rows[2][3:5] == ["?", "4 CPUs, x86_64"]  # an old record without a stamp
    assert rows[3][2:] == ["—"] * 4
    plain = table_rows(sources_markdown(results, live=["streaming"]))
    assert plain[1][1] == "measured in this run" and len(plain) == 3


def test_runtimes_table_has_one_labelled_row_per_path() -> None:
    ms = {**RUNTIME_MS, "some_new_path": 0.25}
    rows = table_rows(runtimes_markdown(fake_runtimes(ms)))
    assert [row[0] for row in rows] == [RUNTIME_LABELS[name] for name in RUNTIME_MS] + [
        "some_new_path"]  # a path without a label keeps its name
    eager, compiled = rows[0], rows[1]
    assert eager[1:] == ["41.50", "24", f"{68.2 / 41.5:.1f}", f"{41.5 / 4.0:.2f}×"]
    assert compiled[1:] == ["4.00", "250", f"{68.2 / 4.0:.1f}", "1.00×"]
    assert rows[-1][1:3] == ["0.25", "4,000"]


def test_targets_table_renders_each_verdict() -> None:
    runtimes = fake_runtimes(RUNTIME_MS)  # no BrainChip paths; int8 at 4x the MACs limit
    rows = table_rows(targets_markdown(performance.targets(fake_streaming(), runtimes)))
    assert len(rows) == 4
    assert rows[0][1:] == [">= 12", "15.00", "met"]
    assert rows[1][2:] == ["—", "not measured"] and rows[2][2:] == ["—", "not measured"]
    assert rows[3][1:] == ["<= 3", "4.00", "**not met**"]
    assert rows[0][0].startswith("streaming step")


def test_data_table_lists_generation_then_each_training_batch() -> None:
    rows = table_rows(data_markdown(fake_data()))
    assert rows == [["`synthetic_clip`, one core", "412"],
                    ["`synthetic_dataset` (tf.data), one core", "251"],
                    ["training, batch 8, all cores", "12.3"],
                    ["training, batch 16, all cores", "15.7"]]


# ------------------------------------------------------------------------------ figures


def test_runtimes_plot_has_one_bar_per_path_and_the_limit_line() -> None:
    figure = plot_runtimes(fake_runtimes(RUNTIME_MS))
    ax = figure.axes[0]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx(list(RUNTIME_MS.values()))
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        RUNTIME_LABELS[name] for name in RUNTIME_MS]
    (line,) = ax.lines
    assert line.get_linestyle() == "--"
    assert list(line.get_xdata()) == pytest.approx([0.3, 0.3])
    assert ax.get_xlim()[0] <= 0.3  # the limit is inside the plot


def test_runtimes_plot_without_a_peak_has_no_limit_line() -> None:
    figure = plot_runtimes(fake_runtimes(RUNTIME_MS, peak=False))
    ax = figure.axes[0]
    assert len(ax.patches) == len(RUNTIME_MS)
    assert len(ax.lines) == 0 and not any("limit" in t.get_text() for t in ax.texts)


def test_streaming_plot_shows_step_and_recompute_per_batch_size() -> None:
    figure = plot_streaming(fake_streaming())
    assert len(figure.axes) == 2
    left, right = figure.axes
    # Steps first (batch 1, batch 8), then the recomputes.
    assert [bar.get_height() for bar in left.patches] == pytest.approx([2.0, 0.5, 30.0, 3.5])
    texts = [text.get_text() for text in left.texts]
    assert "15.0×" in texts and "7.0×" in texts
    assert "16×" in left.get_title()
    assert [label.get_text() for label in left.get_xticklabels()] == [
        "batch 1", f"batch {BATCHED_STREAMS}"]
    (line,) = right.lines
    assert list(line.get_xdata()) == [1, 8]
    assert list(line.get_ydata()) == pytest.approx([500.0, 2000.0])


def test_growth_plot_lines_carry_the_measurements() -> None:
    growth = fake_growth()
    left, right = plot_growth(growth).axes
    model, measured = left.lines
    assert list(model.get_xdata()) == pytest.approx([28.0, 68.0])  # millions of MACs
    assert list(model.get_ydata()) == pytest.approx([1.2, 3.0])
    assert list(measured.get_ydata()) == pytest.approx([1.5, 3.0])
    assert [text.get_text() for text in left.texts] == ["64²", "100²"]
    recompute, step = right.lines
    assert list(recompute.get_xdata()) == [8, 16]
    assert list(recompute.get_ydata()) == pytest.approx([20.0, 45.0])
    assert list(step.get_ydata()) == pytest.approx([3.1, 2.9])


def test_book_times_plot_has_ci_bars_only_without_full_mode() -> None:
    ax = plot_book_times(fake_book(full=None)).axes[0]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx(list(CI_SECONDS.values()))
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "01_convolutions", "02_data", "03_training"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["CI mode"]


def test_book_times_plot_adds_full_mode_bars() -> None:
    full = {"01_convolutions.ipynb": 60.0, "03_training.ipynb": 500.0}  # 02 not recorded
    ax = plot_book_times(fake_book(full=full)).axes[0]
    widths = [bar.get_width() for bar in ax.patches]
    assert len(widths) == 2 * len(CI_SECONDS)
    assert widths[len(CI_SECONDS):] == pytest.approx([60.0, 0.0, 500.0])
    assert np.allclose([bar.get_y() + bar.get_height() / 2 for bar in ax.patches[3:]],
                       np.arange(3) + 0.2)  # each full bar under its chapter's CI bar


def fake_blocks() -> dict[str, Any]:
    rows = {kind: {"label": f"block {kind}", "params": params, "macs_per_frame": 10 * params,
                   "frames_per_s": fps, "gmacs_per_s": 10 * params * fps / 1e9}
            for kind, params, fps in (("conv3d", 400, 100.0), ("depthwise", 100, 150.0))}
    return {"config": {"channels": [40, 80, 120]}, "blocks": rows}


def test_block_metrics_and_plot_show_every_block() -> None:
    labels, metrics = block_metrics(fake_blocks())
    assert labels == ["block conv3d", "block depthwise"]
    assert metrics["parameters"] == [400, 100]
    assert metrics["frames per second"] == [100.0, 150.0]
    figure = plot_blocks(fake_blocks())
    try:
        assert "40 → 120 channels" in figure._suptitle.get_text()
        panels = [ax for ax in figure.axes if ax.patches]
        assert len(panels) == 3  # parameters, MACs, frames per second
        assert [bar.get_width() for bar in panels[0].patches] == [400, 100]
    finally:
        plt.close(figure)


def test_save_figures_writes_one_png_per_present_result(tmp_path: Path) -> None:
    results = {"blocks": fake_blocks(), "growth": fake_growth(), "data": fake_data()}
    written = save_figures(results, tmp_path)
    assert sorted(path.name for path in written) == ["blocks.png", "growth.png"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blocks.png", "growth.png"]
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG")
