"""Chapter 9's peers table, figure and sentences follow the numbers in both directions."""

from __future__ import annotations

import copy

import pytest

from streamnets.viz.peers import peers_markdown, peers_source, peers_summary, plot_peers


def _row(macs: float, states: int, ms: dict[str, float], hard_swish: int) -> dict:
    return {"params": 2_000_000, "macs_per_frame": macs, "state_count": states,
            "xnnpack_partitions": {"float": 1, "int8": 1 + hard_swish},
            "state_bytes_float": 4096 * states, "state_bytes_int8": 1024 * states,
            "ops_float": {"CONV_2D": 10}, "ops_int8": {"HARD_SWISH": hard_swish, "QUANTIZE": 2},
            "ms_per_frame": ms,
            "gmacs_per_s": {k: macs / (v / 1000) / 1e9 for k, v in ms.items()}}


@pytest.fixture
def result() -> dict:
    return {"sizes": {"100": {
        "movinet_a0_stream": _row(20.7e6, 43, {"tf_function": 9.0, "litert_float": 1.3,
                                               "litert_int8": 3.2}, 58),
        "ours": _row(68.2e6, 5, {"tf_function": 3.0, "litert_float": 1.9,
                                 "litert_int8": 0.66}, 0)}}}


def test_table_has_one_row_per_model(result: dict) -> None:
    table = peers_markdown(result)
    assert table.count("\n") == 3
    assert "| MoViNet-A0-Stream | 100 | 2.00 M | 20.7 M | 43 (172) | 9.00 | 1.30 | 3.20 |" in table


def test_sentences_follow_the_numbers(result: dict) -> None:
    text = " ".join(peers_summary(result))
    assert "3.3× as many" in text
    assert "In LiteRT float our step is 1.5× slower than MoViNet's" in text
    assert "In LiteRT int8 our step is 4.8× faster than MoViNet's" in text
    assert "MoViNet's int8 step is 2.5× slower than its own float step" in text
    assert "Our int8 step is 2.9× faster than its own float step" in text
    assert "58 hard-swish" in text
    assert "XNNPACK runs it in 59 pieces (the float graph in one piece)" in text
    assert "Per MAC, ours uses the CPU best in int8" in text


def test_sentences_flip_when_the_numbers_do(result: dict) -> None:
    flipped = copy.deepcopy(result)
    ours = flipped["sizes"]["100"]["ours"]
    ours["ms_per_frame"]["litert_float"] = 1.0
    ours["ms_per_frame"]["litert_int8"] = 5.0
    ours["gmacs_per_s"]["litert_int8"] = 68.2e6 / 0.005 / 1e9
    text = " ".join(peers_summary(flipped))
    assert "In LiteRT float our step is 1.3× faster than MoViNet's" in text
    assert "In LiteRT int8 our step is 1.6× slower than MoViNet's" in text
    assert "Our int8 step is 5.0× slower than its own float step" in text


def test_missing_pieces_are_named(result: dict) -> None:
    with pytest.raises(ValueError, match="no MoViNet-and-ours pair at 172 px"):
        peers_summary(result, "172")
    with pytest.raises(ValueError, match="bench_peers"):
        peers_markdown({"sizes": {}})


def test_figure_has_a_bar_per_model_and_runtime(result: dict) -> None:
    fig = plot_peers(result)
    assert len(fig.axes[0].patches) == 2 * 3
    fig.draw_without_rendering()  # the legend sits beside the bars, never on them
    ax = fig.axes[0]
    assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_the_source_is_said_plainly(result: dict) -> None:
    result = {**result, "commit": "0123456789", "environment": {
        "date": "2026-11-30T01:30:00+00:00",
        "machine": {"cpu_count": 2, "processor": "x86_64",
                    "load_average_1_5_15_min": [4.43, 5.9, 5.9]}}}
    fresh = peers_source(result, fresh=True)
    assert fresh.startswith("measured by this build's") and "load average 4.4" in fresh
    shipped = peers_source(result, fresh=False)
    assert "shipped with the package" in shipped and "commit 0123456" in shipped
    assert "2-core x86_64 on 2026-11-30" in shipped


def test_source_without_a_recorded_load_says_so(result: dict) -> None:
    result = copy.deepcopy(result)
    result.setdefault("environment", {}).setdefault("machine", {}).pop(
        "load_average_1_5_15_min", None)
    text = peers_source(result, fresh=True)
    assert "nan" not in text and "load not recorded" in text
