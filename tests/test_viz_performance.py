"""Chapter 9 tables, figures and sentences: each shows exactly the records it is given.

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
    STREAMS_LABELS,
    batched_streams,
    block_metrics,
    data_markdown,
    litert_achieved,
    litert_streaming_markdown,
    many_streams_markdown,
    plot_blocks,
    plot_book_times,
    plot_growth,
    plot_litert,
    plot_runtimes,
    plot_streaming,
    runtimes_markdown,
    save_figures,
    sources_markdown,
    stream_loop_markdown,
    targets_markdown,
)
from streamnets.viz.performance_text import (
    GOAL_NOTES,
    blocks_summary,
    book_figure_markdown,
    book_summary,
    brainchip_summary,
    compare_time,
    data_summary,
    deployment_float_summary,
    goal_note,
    growth_summary,
    lessons_summary,
    litert_profile_summary,
    litert_streaming_summary,
    litert_vs_keras_ratio,
    many_streams_summary,
    meets,
    ratio_band,
    runtimes_summary,
    stream_loop_summary,
    streaming_summary,
    targets_discussion,
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
        "model": {"macs_per_frame": 68_200_000},
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


# ---------------------------------------------------------------------------- sentences


def test_batched_streams_is_read_from_the_record() -> None:
    assert batched_streams(fake_streaming()) == BATCHED_STREAMS
    assert batched_streams({"latency_batch1": {}, "latency_batch4": {}}) == 4
    with pytest.raises(KeyError, match="latency_batchN"):
        batched_streams({"latency_batch1": {}})


def test_compare_time_says_faster_or_slower() -> None:
    assert compare_time(1.0, 4.0, "Keras") == "4.0 times faster than Keras"
    assert compare_time(3.0, 2.0, "Keras") == "1.50 times slower than Keras"
    assert compare_time(2.0, 2.0, "it") == "1.00 times faster than it"


def test_ratio_band_includes_parity_for_the_same_timings() -> None:
    rng = np.random.default_rng(1)
    calls = list(1e-3 * (1 + 0.2 * rng.random(21)))
    band = ratio_band(calls, calls[::-1], rounds=3)
    assert band.ratio == pytest.approx(1.0)
    assert band.low < 1 < band.high and band.includes_parity
    assert "3 rounds" in band.describe() and "90% bootstrap" in band.describe()
    assert ratio_band(calls, calls[::-1], rounds=3) == band  # seeded: the page is stable


def test_ratio_band_excludes_parity_for_a_clear_difference() -> None:
    fast, slow = [1e-3, 1.1e-3, 0.9e-3, 1.05e-3, 0.95e-3], [2e-3, 2.1e-3, 1.9e-3, 2.05e-3, 2e-3]
    band = ratio_band(slow, fast)
    assert band.ratio == pytest.approx(2.0)
    assert 1 < band.low <= band.ratio <= band.high and not band.includes_parity
    assert "rounds" not in band.describe()  # one round: the bootstrap alone


def test_ratio_band_widens_to_every_rounds_ratio() -> None:
    # Round 1: the numerator is slower; round 2 (under load on the other path): faster.
    numerator = [2e-3] * 3 + [2e-3] * 3
    denominator = [1e-3] * 3 + [4e-3] * 3
    band = ratio_band(numerator, denominator, rounds=2)
    assert band.low <= 0.5 and band.high >= 2.0 and band.includes_parity


@pytest.mark.parametrize(("numerator", "denominator", "rounds"), [
    ([], [1.0], 1), ([1.0], [0.0], 1), ([1.0], [1.0], 0)])
def test_ratio_band_rejects_bad_input(numerator: list, denominator: list, rounds: int) -> None:
    with pytest.raises(ValueError):
        ratio_band(numerator, denominator, rounds)


def test_meets_reads_the_targets_of_performance_targets() -> None:
    assert meets(12, ">= 12") and not meets(11.9, ">= 12")
    assert meets(3, "<= 3") and not meets(3.1, "<=3")
    assert meets(1.01, "> 1") and not meets(1, "> 1")
    assert meets(0.5, "< 1")
    with pytest.raises(ValueError, match="target"):
        meets(1, "about 3")
    for row in performance.targets(fake_streaming(), fake_runtimes(RUNTIME_MS)):
        if row["measured"] is not None:  # the parser agrees with every verdict targets() gives
            assert meets(row["measured"], row["target"]) == row["met"]


def blocks_record(depthwise_fps: float) -> dict[str, Any]:
    """A ``block_benchmark`` record: the 3D block and a depthwise block with 1/10 its MACs."""
    rows = {"conv3d": {"label": "3D", "params": 400, "macs_per_frame": 1_000_000,
                       "frames_per_s": 100.0},
            "depthwise": {"label": "depthwise-separable", "params": 40,
                          "macs_per_frame": 100_000, "frames_per_s": depthwise_fps}}
    for row in rows.values():
        row["gmacs_per_s"] = row["macs_per_frame"] * row["frames_per_s"] / 1e9
        row["ratio_vs_3d"] = {"params": row["params"] / 400,
                              "macs": row["macs_per_frame"] / 1_000_000,
                              "speed": row["frames_per_s"] / 100.0}
    return {"config": {"channels": [40, 80, 120]}, "blocks": rows}


def test_blocks_summary_says_how_much_of_the_promise_is_kept() -> None:
    text = blocks_summary(blocks_record(depthwise_fps=250.0))  # 2.5x faster, 10x fewer MACs
    assert "does 0.10 of the **3D** block's MACs and runs 2.50 times as fast" in text
    assert "would run 10.00 times as fast" in text and "deliver 25% of the speed-up" in text
    assert "0.1 GMAC/s, the **depthwise-separable** block 0.0" in text
    assert "keep only in part" in text and "fully" not in text
    assert "Akida" in text and "not measured" in text


def test_blocks_summary_when_depthwise_kernels_keep_the_promise() -> None:
    text = blocks_summary(blocks_record(depthwise_fps=1200.0))  # faster than its MACs say
    assert "deliver 120% of the speed-up" in text
    assert "turned fully into speed" in text and "only in part" not in text


def streaming_record(step: float = 2.0, recompute: float = 30.0, clip: float = 1.5,
                     batched_step: float = 0.5) -> dict[str, Any]:
    record = fake_streaming()
    record["latency_batch1"].update(
        stream_step_ms_median=step, recompute_window_ms_median=recompute,
        ratio_recompute_over_stream=recompute / step, clip_model_ms_per_frame_of_window=clip)
    record[f"latency_batch{BATCHED_STREAMS}"]["stream_step_ms_per_frame"] = batched_step
    return record


def test_streaming_summary_explains_a_shortfall_from_the_values() -> None:
    text = streaming_summary(streaming_record(), fake_runtimes(RUNTIME_MS))
    assert "step takes 2.00 ms and recomputing the window 30.0 ms" in text
    assert "15.0 times faster than recomputing, against 16 times fewer operations" in text
    assert "The shortfall is not extra work" in text and "1.50 ms per frame" in text
    assert f"With {BATCHED_STREAMS} streams per batch the step costs 0.50 ms" in text
    assert "4.0 times faster than at batch 1" in text and "gives each kernel more work" in text
    assert "1 stream per batch gets 500 frames per second, 8 together 2000" in text
    assert "4 KiB of buffers" in text
    assert "2.50 ms against the compiled Keras step's 4.00 ms, 38% less" in text


def test_streaming_summary_when_the_values_flip() -> None:
    runtimes = fake_runtimes({**RUNTIME_MS, "litert_float_1_thread": 5.0})
    text = streaming_summary(streaming_record(step=1.0, recompute=20.0, batched_step=1.5),
                             runtimes)
    assert "at least what the operation count predicts" in text
    assert "shortfall" not in text
    assert "1.50 times slower than at batch 1" in text
    assert "did not make the step cheaper" in text and "more work" not in text
    assert "no faster" in text and "much of the batch-1 cost" not in text
    slow_clip = streaming_summary(streaming_record(clip=3.0))
    assert "per-frame efficiency does not explain the shortfall" in slow_clip
    assert "LiteRT" not in slow_clip  # no runtime results given


def test_runtimes_summary_states_each_comparison_with_its_direction() -> None:
    text = runtimes_summary(fake_runtimes(RUNTIME_MS))
    assert "compiled Keras step takes 4.00 ms" in text and "41.50 ms (10.4 times slower" in text
    assert "2.50 ms on one thread, 1.60 times faster than the compiled Keras step" in text
    assert "XNNPACK" in text
    assert "1.20 ms, 3.3 times faster than the Keras step and 2.1 times faster" in text
    assert "is 4.0 times that limit" in text and "measured op by op in the LiteRT section" in text
    slow = runtimes_summary(fake_runtimes({**RUNTIME_MS, "litert_float_1_thread": 6.0,
                                           "litert_int8_1_thread": 0.3}))
    assert "1.50 times slower than the compiled Keras step." in slow and "XNNPACK" not in slow
    assert "is 1.0 times that limit" in slow and "Where the rest goes" not in slow


def brainchip_runtimes(ours: list[float], theirs: list[float], rounds: int = 1
                       ) -> dict[str, Any]:
    ms = {**RUNTIME_MS, "keras_step_fn": 1000 * float(np.median(ours)),
          "brainchip_bufferized_float": 1000 * float(np.median(theirs)),
          "brainchip_quantized_keras": 9.6}
    record = fake_runtimes(ms)
    record.update(raw_seconds={"keras_step_fn": ours, "brainchip_bufferized_float": theirs},
                  rounds=rounds, brainchip_peers="measured")
    return record


OURS = [3.0e-3, 3.2e-3, 2.9e-3, 3.1e-3, 3.05e-3, 2.95e-3]


def test_brainchip_summary_calls_a_difference_within_the_noise_parity() -> None:
    theirs = [2.9e-3, 3.3e-3, 2.8e-3, 3.2e-3, 3.0e-3, 3.1e-3]
    streaming = fake_streaming()
    streaming["brainchip_peer_batch1"] = {"available": True, "ours_step_ms_median": 3.0,
                                          "brainchip_step_ms_median": 2.9,
                                          "ratio_brainchip_over_ours": 2.9 / 3.0}
    text = brainchip_summary(brainchip_runtimes(OURS, theirs, rounds=2), streaming)
    assert "includes 1: on this evidence neither our step nor BrainChip's model is faster" in text
    assert "parity" not in text.replace("includes 1", "")  # never asserted without the band
    assert "3.00 ms for ours against 2.90 ms for theirs, ours slower there" in text
    assert "LiteRT int8 takes 1.20 ms against 9.60 ms" in text and "8.0 times faster" in text


def test_brainchip_summary_names_the_faster_model_beyond_the_noise() -> None:
    theirs = [2 * t for t in OURS]
    text = brainchip_summary(brainchip_runtimes(OURS, theirs), {})
    assert "ours is 2.0 times faster than theirs" in text
    assert "so in this run our step is faster beyond the noise of its calls" in text
    text = brainchip_summary(brainchip_runtimes(theirs, OURS), {})
    assert "so in this run BrainChip's model is faster beyond the noise" in text
    streaming = {"brainchip_peer_batch1": {"available": True, "ours_step_ms_median": 1.0,
                                           "brainchip_step_ms_median": 2.0,
                                           "ratio_brainchip_over_ours": 2.0}}
    disagree = brainchip_summary(brainchip_runtimes(theirs, OURS), streaming)
    assert "ours faster there: the two benchmarks disagree" in disagree
    assert "smaller than the drift" in disagree


def test_brainchip_summary_without_their_models_says_why() -> None:
    record = fake_runtimes(RUNTIME_MS)
    record["brainchip_peers"] = "not measured: skipped in this run (brainchip=False)"
    assert "not timed in this run: this run turned them off" in brainchip_summary(record, {})
    record["brainchip_peers"] = "not measured: No module named 'quantizeml'"
    assert brainchip_summary(record, {}).endswith("No module named 'quantizeml'.")


def test_growth_summary_follows_the_measured_direction() -> None:
    text = growth_summary(fake_growth())
    assert "From 64² to 100² pixels the MACs grow 2.4 times and the step's time 2.0 times" in text
    assert "1.25 times what its MACs predict: the less work each kernel gets" in text
    assert "rises from 6.5 to 15.5 times: the longer the temporal context" in text
    flipped = fake_growth()
    flipped["by_size"][0]["ratio_measured_over_macs_model"] = 0.9
    flipped["by_clip_length"][1]["ratio_recompute_over_stream"] = 6.0
    text = growth_summary(flipped)
    assert "shrank at least as fast as its work" in text and "less efficiently" not in text
    assert "goes from 6.5 to 6.0 times: in this run it did not grow" in text
    assert "the more a FIFO saves" not in text


def test_data_summary_says_whether_generation_keeps_up() -> None:
    data = {**fake_data(), "clip_shape": [16, 100, 100, 3], "ratio_pipeline_over_training": 0.5}
    text = data_summary(data)
    assert "26 times as fast as training" in text and "keeps up" in text
    assert "7.4 times as fast" in data_summary({**data, "ratio_generation_over_training": 7.4})
    assert "over 16 frames" in text and "ratio is 0.5, not enough on one core" in text
    slow = data_summary({**data, "ratio_generation_over_training": 0.25})
    assert "Training consumes clips 4.0 times as fast" in slow and "keeps up" not in slow
    assert data_summary(None).startswith("Not shown")


def test_book_summary_names_the_slowest_chapters() -> None:
    text = book_summary(fake_book(full=None), longest=2)
    assert "In CI mode, 3 chapters executed in 73 s (full-mode times" in text
    quick = {**fake_book(full=None), "quick": True}
    assert "73 s (a quick run of `bench_book.py`)" in book_summary(quick)
    assert "The longest in CI mode: 03_training (40 s), 02_data (20 s)." in text
    full = fake_book(full={"01_convolutions.ipynb": 60.0, "03_training.ipynb": 500.0})
    full["full"]["complete"] = False  # chapter 9 reading the make book run it is part of
    text = book_summary(full)
    assert "; in full mode, 2 chapters in 560 s (so far: this page is part of" in text
    assert "The longest in full mode: 03_training (500 s), 01_convolutions (60 s)." in text
    assert book_summary(None).startswith("Not shown")


def test_targets_discussion_discusses_every_goal_that_is_not_met() -> None:
    streaming = streaming_record(step=4.0, recompute=30.0)  # 7.5x at batch 1
    runtimes = brainchip_runtimes(OURS, [2.9e-3, 3.2e-3, 2.8e-3, 3.1e-3, 3.0e-3, 2.95e-3])
    rows = performance.targets(streaming, runtimes)
    assert rows[1]["met"] is False  # theirs a little faster: the goal is missed
    text = targets_discussion(rows, streaming, runtimes)
    head, bullets = text.split("\n\n")
    assert head == f"Of {len(rows)} goals, {sum(r['met'] is True for r in rows)} " + (
        "is" if sum(r["met"] is True for r in rows) == 1 else "are") + " met, " + \
        f"{sum(r['met'] is False for r in rows)} missed."
    lines = bullets.splitlines()
    assert len(lines) == len(rows)
    for row, line in zip(rows, lines, strict=True):
        assert row["goal"] in line
        assert ("**not met**" in line) == (row["met"] is False)
    stream = lines[0]
    assert "7.5 times cheaper" in stream and "allows 16" in stream
    assert f"With {BATCHED_STREAMS} streams per batch the ratio was 7.0" in stream
    assert "misses it too" in stream
    assert "includes 1" in lines[1]  # the float goal: missed, and the timings cannot tell
    assert "not met" not in lines[2]  # int8 vs quantized Keras: 8x, met


def test_targets_discussion_for_met_unmeasured_and_unknown_goals() -> None:
    rows = [{"goal": "streaming step vs recomputing", "target": ">= 12", "measured": 7.0,
             "met": False},
            {"goal": "compiled float step vs BrainChip's bufferized", "target": "> 1",
             "measured": None, "met": None},
            {"goal": "something new", "target": "<= 2", "measured": 2.5, "met": False},
            {"goal": "LiteRT int8 time / MACs limit", "target": "<= 3", "measured": 4.0,
             "met": False}]
    runtimes = fake_runtimes(RUNTIME_MS)
    runtimes["brainchip_peers"] = "not measured: skipped in this run (brainchip=False)"
    streaming = fake_streaming()
    streaming[f"latency_batch{BATCHED_STREAMS}"]["ratio_recompute_over_stream"] = 14.0
    text = targets_discussion(rows, streaming, runtimes)
    assert text.startswith("Of 4 goals, 0 are met, 3 missed and 1 not measured in this run.")
    lines = text.split("\n\n")[1].splitlines()
    assert "which meets the target: the goal holds for batched streams" in lines[0]
    assert lines[1].endswith("not measured in this run: BrainChip's models were not timed, "
                             "this run turned them off (as CI mode does).")
    assert lines[2].endswith("**not met**, with 2.50: measured 2.50, against the target <= 2.")
    assert "4.0 times its MACs limit" in lines[3] and "(1.20 ms against 0.30 ms)" in lines[3]


def test_lessons_summary_states_its_numbers() -> None:
    text = lessons_summary(blocks_record(250.0), fake_streaming(), fake_runtimes(RUNTIME_MS))
    assert "from 0.0 GMAC/s (depthwise-separable block)" in text
    assert f"to {68.2 / 1.2:.1f} GMAC/s (LiteRT int8, 1 thread)" in text
    assert "delivered 25% to 25% of the speed-up" in text
    assert "streaming step 94% of the speed-up" in text  # 15 / 16
    assert "1.60 times faster than compiled Keras in LiteRT float32" in text
    assert "int8 form 2.1 times faster than that" in text


# ------------------------------------------------------------------------------ stream loop


def fake_stream_loop(keras_fps: float = 120.0, int8_fps: float = 240.0) -> dict[str, Any]:
    def row(fps: float, decode: float) -> dict[str, Any]:
        step = 1000 / fps - decode - 0.1
        return {"frames_per_s": fps, "ms_per_frame": 1000 / fps, "real_time_factor": fps / 6,
                "stage_ms_per_frame": {"decode": decode, "step": step, "detect": 0.1}}

    return {"video": {"source_size": 160, "source_fps": 12.0, "model_frames": 120,
                      "model_fps": 6.0},
            "loop": {"keras_step": row(keras_fps, 2.0), "litert_int8_1_thread": row(int8_fps, 3.0)}}


def test_stream_loop_table_has_one_row_per_runtime_with_every_stage() -> None:
    markdown = stream_loop_markdown(fake_stream_loop())
    assert "decode (ms)" in markdown and "real-time factor at 6 fps" in markdown
    rows = table_rows(markdown)
    assert [row[0] for row in rows] == ["Keras streaming step", "LiteRT int8, 1 thread"]
    assert rows[0][1:4] == ["120", "8.33", "2.00"] and rows[0][-1] == "20.0×"
    assert rows[1][-1] == "40.0×"


def test_stream_loop_summary_follows_the_numbers() -> None:
    text = stream_loop_summary(fake_stream_loop())
    assert "160 × 160, 12 fps mp4 into 120 frames" in text
    assert "20.0 times the 6 a live camera delivers" in text
    assert "LiteRT int8, 1 thread loop, step takes the most time" not in text
    assert "LiteRT int8, 1 thread loop, decode takes the most time (72%" in text
    slow = stream_loop_summary(fake_stream_loop(keras_fps=4.0))
    assert "only 4.0 frames a second, slower than the 6" in slow
    assert "Keras streaming step loop, step takes the most time" in slow


# --------------------------------------------------------------------------- LiteRT


def fake_litert(float_ratio: float = 14.5, recompute_model_ms: float = 16.0,
                step_sum_ms: float = 0.5, invoke_ms: float = 0.45) -> dict[str, Any]:
    """A ``litert_streaming_benchmark`` record (with its many-streams table)."""
    def profile(model_ms: float, groups: dict[str, float]) -> dict[str, Any]:
        total = sum(groups.values())
        return {"model_ms": model_ms, "ops_sum_ms": total, "sum_over_model": total / model_ms,
                "groups_ms": groups, "ops": []}

    step_groups = {"convolutions and dense": 0.8 * step_sum_ms,
                   "(de)quantize and cast": 0.1 * step_sum_ms,
                   "FIFO shift and reshapes": 0.1 * step_sum_ms}
    return {
        **environment("2026-01-02T03:04:05+00:00", 2, [1.0, 1.0, 1.0]),
        "model": {"macs_per_frame": 68_000_000}, "window_frames": 16, "ratio_limit": 16,
        "latency_batch1": {
            "float": {"recompute_window_ms_median": 2.0 * float_ratio, "step_ms_median": 2.0,
                      "ratio_recompute_over_step": float_ratio},
            "int8": {"recompute_window_ms_median": 20.0, "step_ms_median": 0.625,
                     "ratio_recompute_over_step": 32.0}},
        "int8_limit": {"peak_gmacs_per_s": 200.0, "limit_ms_per_frame": 0.34,
                       "step_ms_median": 0.625, "invoke_ms_median": invoke_ms,
                       "ratio_step_over_limit": 0.625 / 0.34,
                       "ratio_invoke_over_limit": invoke_ms / 0.34,
                       "ratio_convs_over_limit": 0.8 * step_sum_ms / 0.34},
        "profile": {"int8_step": profile(0.5, step_groups),
                    "int8_recompute": profile(recompute_model_ms,
                                              {"convolutions and dense": 7.0,
                                               "FIFO shift and reshapes": 1.0})},
        "many_streams": {"streams": [
            {"streams": 1, "litert_int8_batch": {"ms_per_call": 0.8, "frames_per_s": 1250.0},
             "litert_int8_threads": {"ms_per_call": 1.0, "frames_per_s": 1000.0},
             "keras_step": {"ms_per_call": 5.0, "frames_per_s": 200.0}},
            {"streams": 64, "litert_int8_batch": {"ms_per_call": 400.0, "frames_per_s": 160.0},
             "litert_int8_threads": {"ms_per_call": 200.0, "frames_per_s": 320.0},
             "keras_step": {"ms_per_call": 320.0, "frames_per_s": 200.0}}]},
    }


def test_litert_streaming_table_has_one_row_per_precision() -> None:
    rows = table_rows(litert_streaming_markdown(fake_litert()))
    assert rows == [["LiteRT float", "29.00", "2.000", "14.5×", "16×"],
                    ["LiteRT int8", "20.00", "0.625", "32.0×", "16×"]]


def test_many_streams_table_has_a_column_per_stream_count() -> None:
    markdown = many_streams_markdown(fake_litert()["many_streams"])
    assert "N = 1" in markdown.splitlines()[0] and "N = 64" in markdown.splitlines()[0]
    rows = table_rows(markdown)
    assert [row[0] for row in rows] == list(STREAMS_LABELS.values())
    assert rows[1][1:] == ["1,000", "320"]


def test_litert_achieved_counts_the_window_for_the_recompute() -> None:
    record = fake_litert()
    achieved = litert_achieved(record, fake_runtimes(RUNTIME_MS))
    assert achieved["LiteRT int8 step"] == pytest.approx(68.0 / 0.625)
    assert achieved["LiteRT int8 recompute"] == pytest.approx(16 * 68.0 / 20.0)
    assert achieved[RUNTIME_LABELS["keras_step_fn"]] == pytest.approx(68.2 / 4.0)
    assert RUNTIME_LABELS["brainchip_bufferized_float"] not in achieved  # not in this record


def test_litert_plot_shows_every_runtime_the_peak_and_the_breakdown() -> None:
    fig = plot_litert(fake_litert(), fake_runtimes(RUNTIME_MS))
    left, right = fig.axes
    assert len(left.patches) == 5  # Keras step + LiteRT float/int8 step and recompute
    assert left.lines[0].get_xdata()[0] == 200.0  # the int8 peak
    assert len(right.patches) == 4  # three kinds of op and the interface
    assert right.lines[0].get_xdata()[0] == pytest.approx(340.0)  # limit in µs
    plt.close(fig)


def test_litert_streaming_summary_follows_the_ratios_both_ways() -> None:
    text = litert_streaming_summary(fake_litert(float_ratio=14.5))
    assert "float, 14.5 times (below the 16" in text and "int8, 32.0 times (above the 16" in text
    assert "add up to 8.00 ms, 16.0 times the step's 0.500 ms" in text
    assert "keep close to the operation count" in text
    assert "50% of its time is not in its ops as they run alone" in text
    assert "include its interface, 175 µs to copy the float states" in text
    assert "against the bare invoke (0.450 ms) the int8 ratio is 44.4." in text
    text = litert_streaming_summary(fake_litert(float_ratio=16.2, recompute_model_ms=8.4))
    assert "float, 16.2 times (at the 16" in text
    assert "as they run alone" not in text and "close to the sum of its ops" in text
    far = litert_streaming_summary(fake_litert(step_sum_ms=1.0))
    assert "8.0 times the step's" in far and "keep away from the operation count" in far


def test_litert_profile_summary_checks_the_sum_and_the_goal_both_ways() -> None:
    text = litert_profile_summary(fake_litert())
    assert "within 10% of each other, so the per-op picture accounts for the step" in text
    assert "convolutions and dense 80% (400 µs)" in text
    assert "bare invoke 1.32 times" in text and "The bare invoke meets the goal" in text
    slow = litert_profile_summary(fake_litert(step_sum_ms=0.4, invoke_ms=0.6))
    assert "more than 10% apart, so the per-op picture misses part of the step" in slow
    assert "The bare invoke misses the goal" in slow


def test_many_streams_summary_names_the_fastest_way_per_count() -> None:
    text = many_streams_summary(fake_litert()["many_streams"])
    assert (f"with 1 stream, {STREAMS_LABELS['litert_int8_batch']} delivers the most, 1,250 "
            "frames per second (1.25 times the next best)") in text
    assert f"with 64 streams, {STREAMS_LABELS['litert_int8_threads']} delivers the most" in text


def test_deployment_float_summary_decides_by_the_noise_band_both_ways() -> None:
    theirs = [3.0e-3, 3.2e-3, 2.9e-3, 3.1e-3]
    record = brainchip_runtimes(OURS, theirs)
    record["latency_batch1"]["litert_float_1_thread"] = {"ms_per_frame_median": 1.5}
    record["raw_seconds"]["litert_float_1_thread"] = [1.5e-3, 1.4e-3, 1.6e-3, 1.5e-3]
    text = deployment_float_summary(record)
    assert "LiteRT float32 on one thread takes 1.50 ms per frame, 2.0" in text
    assert "times faster than BrainChip’s bufferized Keras model" in text
    assert "so in this run LiteRT float is faster beyond the noise" in text
    record["raw_seconds"]["litert_float_1_thread"] = [6.0e-3, 6.2e-3, 5.9e-3, 6.1e-3]
    record["latency_batch1"]["litert_float_1_thread"] = {"ms_per_frame_median": 6.05}
    slow = deployment_float_summary(record)
    assert "times slower than BrainChip’s" in slow
    assert "so in this run BrainChip's bufferized model is faster beyond the noise" in slow
    missing = fake_runtimes(RUNTIME_MS)
    missing["brainchip_peers"] = "not measured: skipped in this run (brainchip=False)"
    assert "this run lacks them: this run turned them off" in deployment_float_summary(missing)


def test_litert_vs_keras_ratio_names_the_nearest_to_the_count() -> None:
    record = fake_litert(float_ratio=14.5)
    text = litert_vs_keras_ratio(record, 4.5)
    assert "gives 14.5 in float and 32.0 in int8, against 4.5 in Keras" in text
    assert "only the float ratio is nearer the 16" in text
    record["latency_batch1"]["int8"]["ratio_recompute_over_step"] = 17.0
    assert "both LiteRT ratios are nearer the 16" in litert_vs_keras_ratio(record, 4.5)
    assert "the Keras ratio is the nearest" in litert_vs_keras_ratio(record, 16.1)


def test_targets_discussion_explains_missed_litert_goals_from_the_record() -> None:
    litert = fake_litert()  # float 14.5x, int8 32x; invoke 0.45 ms against 0.34 ms
    litert["latency_batch1"]["float"]["ratio_recompute_over_step"] = 12.0
    litert["int8_limit"]["ratio_invoke_over_limit"] = 1.6
    rows = performance.targets(fake_streaming(), fake_runtimes(RUNTIME_MS), litert)
    assert [row["met"] for row in rows[4:]] == [False, False]
    lines = targets_discussion(rows, fake_streaming(), fake_runtimes(RUNTIME_MS),
                               litert).split("\n\n")[1].splitlines()
    assert "the lower ratio was 12.0" in lines[4] and "175 µs of float states" in lines[4]
    assert "against the bare int8 invoke the ratio is 44.4, so the interface is what" in lines[4]
    assert "the bare invoke took 1.60 times the limit" in lines[5]
    assert "convolutions alone take 1.18 times it; the rest, 100 µs" in lines[5]


def legend_is_outside(figure: Any, ax: Any) -> bool:
    """Whether ``ax``'s legend, once drawn, lies off the axes (so off the data)."""
    figure.draw_without_rendering()
    return not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_legends_sit_off_the_data() -> None:
    streaming = plot_streaming(fake_streaming())
    assert legend_is_outside(streaming, streaming.axes[0])
    growth = plot_growth(fake_growth())
    assert all(legend_is_outside(growth, ax) for ax in growth.axes)
    book = plot_book_times(fake_book(full={"01_convolutions.ipynb": 60.0}))
    assert legend_is_outside(book, book.axes[0])


def test_book_times_plot_and_summary_from_a_make_book_run_alone() -> None:
    full = {"mode": "full", "notebooks": {"01_convolutions.ipynb": 60.0, "02_data.ipynb": 90.0},
            "total_s": 150.0, "complete": False}
    book = {"ci": None, "full": full}
    ax = plot_book_times(book).axes[0]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([60.0, 90.0])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "full mode (make book)"]
    text = book_summary(book)
    assert text.startswith("In full mode, 2 chapters in 150 s (so far: this page is part of")
    assert "the CI-mode times are recorded by `make bench`" in text
    assert "The longest in full mode: 02_data (90 s), 01_convolutions (60 s)." in text
    with pytest.raises(ValueError, match="no chapter times"):
        plot_book_times({"ci": None, "full": None})
    assert book_summary({"ci": None, "full": None}).startswith("Not shown")


def test_book_figure_markdown_pastes_the_figure_with_a_caption_for_its_modes() -> None:
    text = book_figure_markdown(fake_book(full={"01_convolutions.ipynb": 60.0}))
    assert text.startswith("```{glue:figure} fig_perf_book\n:name: fig-perf-book\n\n")
    assert text.endswith("\n```")
    assert "in CI mode (`make bench`) and in full mode (`make book`)" in text
    assert "Compare each chapter's two bars" in text
    only_full = book_figure_markdown({"ci": None, "full": {
        "notebooks": {"01_convolutions.ipynb": 60.0}, "complete": False}})
    assert "in full mode (`make book`), so far in this build" in only_full
    assert "CI mode" not in only_full
    with pytest.raises(ValueError, match="no chapter times"):
        book_figure_markdown({"ci": None, "full": None})


def test_every_goal_of_targets_has_exactly_one_note() -> None:
    litert = {"latency_batch1": {"float": {"ratio_recompute_over_step": 15.0},
                                 "int8": {"ratio_recompute_over_step": 12.0}},
              "int8_limit": {"ratio_invoke_over_limit": 1.6}}
    rows = performance.targets(fake_streaming(), fake_runtimes(RUNTIME_MS), litert)
    assert len(rows) == len(GOAL_NOTES)
    notes = [goal_note(row["goal"]) for row in rows]
    assert notes == list(GOAL_NOTES)  # one each, in the order of the goals
    assert all(note.limit and note.addressed_by for note in GOAL_NOTES)
    assert goal_note("something new") is None


def test_targets_discussion_says_what_limits_a_missed_goal_and_what_addresses_it() -> None:
    streaming = streaming_record(step=4.0, recompute=30.0)  # 7.5x at batch 1: missed
    runtimes = brainchip_runtimes(OURS, [2.9e-3, 3.2e-3, 2.8e-3, 3.1e-3, 3.0e-3, 2.95e-3])
    rows = performance.targets(streaming, runtimes)
    lines = targets_discussion(rows, streaming, runtimes).split("\n\n")[1].splitlines()
    for row, line in zip(rows, lines, strict=True):
        note = goal_note(row["goal"])
        assert (note.limit in line) == (row["met"] is False)
        assert ("What addresses it: " in line) == (row["met"] is False)


def test_brainchip_summary_tells_the_two_timings_of_our_step_apart() -> None:
    streaming = fake_streaming()
    streaming["brainchip_peer_batch1"] = {"available": True, "ours_step_ms_median": 3.7,
                                          "brainchip_step_ms_median": 2.9,
                                          "ratio_brainchip_over_ours": 2.9 / 3.7}
    text = brainchip_summary(brainchip_runtimes(OURS, OURS), streaming)
    step = streaming["latency_batch1"]["stream_step_ms_median"]
    assert (f"in a comparison of their own (not the step against the window, where our step "
            f"took {step:.2f} ms): 3.70 ms for ours") in text


def test_growth_summary_does_not_call_a_shrinking_time_growth() -> None:
    growth = fake_growth()
    growth["by_size"][0]["step_ms"] = 9.0  # the small input timed under load
    text = growth_summary(growth)
    assert "the step's time does not grow: it goes from 9.00 to 3.00 ms" in text
    assert "0.33 times" not in text


def test_streaming_summary_says_when_the_two_benchmarks_timed_the_step_apart() -> None:
    runtimes = fake_runtimes(RUNTIME_MS)
    keras_ms = runtimes["latency_batch1"]["keras_step_fn"]["ms_per_frame_median"]
    slow = streaming_record(step=3 * keras_ms, recompute=30 * keras_ms)
    text = streaming_summary(slow, runtimes)
    assert (f"That benchmark's {keras_ms:.2f} ms for the compiled Keras step is not the "
            f"{3 * keras_ms:.2f} ms above") in text
    assert "That benchmark's" not in streaming_summary(
        streaming_record(step=keras_ms, recompute=30 * keras_ms), runtimes)
