"""The side-by-side benchmarks of :mod:`streamnets.performance` and the scripts around them.

Timings are never asserted (the machine is shared); what is checked is the bookkeeping
every table of chapter 9 rests on: who is timed when, the counts and ratios computed from
the timings, the records' structure, and the pass/fail table of the targets. Every run
uses the smallest settings (one timed call, one round, tiny blocks and matrices).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import REPO

from streamnets import performance
from streamnets.baselines import BLOCK_LABELS, BLOCK_TYPES, block_model
from streamnets.models import gesture_net, macs_per_frame
from streamnets.provenance import provenance
from streamnets.results import STAMP_KEYS

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_blocks  # noqa: E402
import common  # noqa: E402

#: Params and MACs per frame of the default 16x100x100 gesture model (TEAM.md, chapter 1).
GESTURE_PARAMS = 1_353_895
GESTURE_MACS = 68_201_960


def check_environment(result: dict[str, Any], *packages: str) -> None:
    """The record says where, when and by which code it was measured, and is JSON."""
    assert {"platform", "processor", "cpu_count"} <= set(result["machine"])
    assert {"python", "numpy", "tensorflow", "keras", "streamnets", *packages} <= set(
        result["versions"])
    assert result["date"]
    check_stamp(result)


def check_stamp(result: dict[str, Any]) -> None:
    """The record names the code that measured it (the package version and commit)."""
    assert set(STAMP_KEYS) <= set(result)
    current = provenance()
    assert result["streamnets_version"] == current["streamnets_version"]
    assert result["commit"] == current["commit"]
    json.dumps(result)


# --------------------------------------------------------------------------- time_in_turn


def test_time_in_turn_alternates_paths_round_by_round() -> None:
    calls: list[str] = []

    def path(name: str) -> performance.TimedPath:
        return (lambda argument: calls.append(argument)), name

    repeats, rounds = 3, 2
    seconds = performance.time_in_turn({"a": path("a"), "b": path("b")}, repeats, rounds)
    # Each turn: two warm-up calls, then the timed ones; a's turn, b's, a's again, b's.
    turn = 2 + repeats
    assert calls == (["a"] * turn + ["b"] * turn) * rounds
    assert set(seconds) == {"a", "b"}
    for values in seconds.values():
        assert len(values) == rounds * repeats
        assert all(isinstance(s, float) and s >= 0 for s in values)


@pytest.mark.parametrize("rounds", [0, -1, 1.5, True, "2"])
def test_time_in_turn_rejects_bad_rounds(rounds: Any) -> None:
    with pytest.raises(ValueError, match="rounds"):
        performance.time_in_turn({"a": (lambda _: None, None)}, 1, rounds)


def test_time_in_turn_rejects_bad_repeats() -> None:
    with pytest.raises(ValueError, match="repeats"):
        performance.time_in_turn({"a": (lambda _: None, None)}, 0, 1)


def test_median_ms_is_the_median_in_milliseconds() -> None:
    assert performance.median_ms([0.003, 0.001, 0.002]) == pytest.approx(2.0)
    assert performance.median_ms([0.001, 0.004]) == pytest.approx(2.5)


# -------------------------------------------------------------------------------- blocks


def test_block_benchmark_counts_and_ratios() -> None:
    frames, batch_size, size, channels = 4, 1, 8, (4, 8, 8)
    result = performance.block_benchmark(frames=frames, batch_size=batch_size, repeats=1,
                                         rounds=1, size=size, channels=channels)
    check_environment(result)
    assert result["config"] == {"frames": frames, "batch_size": batch_size, "size": size,
                                "channels": list(channels), "temporal_kernel": 5,
                                "repeats": 1, "rounds": 1}
    rows = result["blocks"]
    assert list(rows) == list(BLOCK_TYPES)
    for kind, row in rows.items():
        model = block_model(kind, (frames, size, size, channels[0]), channels[1], channels[2])
        assert row["label"] == BLOCK_LABELS[kind]
        assert row["params"] == model.count_params()
        assert row["macs_per_frame"] == macs_per_frame(model)
        assert len(result["raw_seconds"][kind]) == 1
        expected_ms = 1000 * statistics.median(result["raw_seconds"][kind]) / (batch_size
                                                                               * frames)
        assert row["ms_per_frame"] == pytest.approx(expected_ms)
        assert row["frames_per_s"] == pytest.approx(1000 / row["ms_per_frame"])
        assert row["gmacs_per_s"] == pytest.approx(row["macs_per_frame"] / row["ms_per_frame"]
                                                   / 1e6)
        reference = rows["conv3d"]
        assert row["ratio_vs_3d"] == pytest.approx({
            "params": row["params"] / reference["params"],
            "macs": row["macs_per_frame"] / reference["macs_per_frame"],
            "speed": row["frames_per_s"] / reference["frames_per_s"]})
    assert rows["conv3d"]["ratio_vs_3d"] == {"params": 1.0, "macs": 1.0, "speed": 1.0}
    assert rows["depthwise"]["params"] < rows["full"]["params"]
    assert rows["depthwise"]["macs_per_frame"] < rows["full"]["macs_per_frame"]
    assert rows["full"]["macs_per_frame"] < rows["conv3d"]["macs_per_frame"]


# -------------------------------------------------------------------------------- growth


def test_growth_benchmark_against_the_macs_model() -> None:
    sizes, lengths = (32, 48), (4, 8)
    result = performance.growth_benchmark(sizes, lengths, repeats=1, rounds=1)
    check_environment(result)
    # Without 100 among the sizes the MACs model is scaled from the first size.
    assert result["config"]["macs_model_reference"] == "size_32"
    assert set(result["raw_seconds"]) == {"size_32", "size_48", "stream_4", "recompute_4",
                                          "stream_8", "recompute_8"}
    assert all(len(values) == 1 for values in result["raw_seconds"].values())

    by_size = result["by_size"]
    assert [row["size"] for row in by_size] == list(sizes)
    for row in by_size:
        assert row["macs_per_frame"] == macs_per_frame(gesture_net((16, row["size"],
                                                                    row["size"], 3)))
        assert row["ratio_measured_over_macs_model"] == pytest.approx(
            row["step_ms"] / row["macs_model_ms"])
    assert by_size[0]["macs_per_frame"] < by_size[1]["macs_per_frame"]
    assert by_size[0]["ratio_measured_over_macs_model"] == pytest.approx(1.0, rel=1e-12)
    assert by_size[0]["macs_model_ms"] == pytest.approx(by_size[0]["step_ms"])
    # The MACs model predicts time proportional to MACs.
    assert by_size[1]["macs_model_ms"] / by_size[0]["macs_model_ms"] == pytest.approx(
        by_size[1]["macs_per_frame"] / by_size[0]["macs_per_frame"])

    by_length = result["by_clip_length"]
    assert [row["frames"] for row in by_length] == list(lengths)
    for row in by_length:
        # The step's FIFOs hold kernel-size frames: its cost is that of the 100x100 model.
        assert row["macs_stream_step"] == GESTURE_MACS
        assert row["macs_recompute"] == row["frames"] * row["macs_stream_step"]
        assert row["ratio_recompute_over_stream"] == pytest.approx(
            row["recompute_ms"] / row["stream_step_ms"])


@pytest.mark.parametrize(("sizes", "lengths", "argument"), [
    ((), (4,), "sizes"),
    ((0,), (4,), "sizes"),
    ((32.0,), (4,), "sizes"),
    ((32,), (), "clip_lengths"),
    ((32,), (-4,), "clip_lengths"),
])
def test_growth_benchmark_rejects_bad_arguments(sizes: tuple, lengths: tuple,
                                                argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        performance.growth_benchmark(sizes, lengths, repeats=1, rounds=1)


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: performance.block_benchmark(channels=(4, 8)), "channels"),
    (lambda: performance.block_benchmark(channels=(4, 8, True)), "channels"),
    (lambda: performance.streaming_benchmark(stream_counts=(1, 0)), "stream_counts"),
    (lambda: performance.runtime_benchmark(calibration_clips=1), "calibration_clips"),
    (lambda: performance.runtime_benchmark(threads=()), "threads"),
    (lambda: performance.litert_streaming_benchmark(calibration_clips=1), "calibration_clips"),
    (lambda: performance.litert_streaming_benchmark(check_clips=0), "check_clips"),
])
def test_benchmarks_reject_bad_arguments_before_any_work(call: Any, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()


def test_growth_benchmark_rejects_sizes_too_small_for_the_model() -> None:
    with pytest.raises(ValueError, match="at least 32 pixels"):
        performance.growth_benchmark((16,), (4,), repeats=1, rounds=1)


# ----------------------------------------------------------------------- int8 peak model


def test_int8_matmul_model_is_one_int8_matrix_product() -> None:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    rows, depth, columns = 8, 16, 12
    model = performance.int8_matmul_model((rows, depth, columns))
    # Without XNNPACK the interpreter lists the model's own ops, not a delegate node.
    interpreter = Interpreter(
        model_content=model,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    ops = interpreter._get_ops_details()
    assert [op["op_name"] for op in ops] in (["FULLY_CONNECTED"], ["BATCH_MATMUL"])
    assert all(t == np.int8 for t in [*ops[0]["operand_types"], *ops[0]["result_types"]])
    source, = interpreter.get_input_details()
    target, = interpreter.get_output_details()
    assert source["dtype"] == np.int8 and list(source["shape"]) == [rows, depth]
    assert target["dtype"] == np.int8 and list(target["shape"]) == [rows, columns]

    # The product is the float one to within rounding: the weights are the module's
    # seed-0 standard normal matrix; compare on the input as quantized.
    weights = np.random.default_rng(0).standard_normal((depth, columns)).astype("float32")
    x = np.random.default_rng(1).standard_normal((rows, depth)).astype("float32")
    in_scale, in_zero = source["quantization"]
    quantized = np.clip(np.round(x / in_scale) + in_zero, -128, 127).astype(np.int8)
    interpreter.set_tensor(source["index"], quantized)
    interpreter.invoke()
    out_scale, out_zero = target["quantization"]
    y = (interpreter.get_tensor(target["index"]).astype("float32") - out_zero) * out_scale
    expected = ((quantized.astype("float32") - in_zero) * in_scale) @ weights
    assert np.abs(y - expected).max() <= 2 * out_scale


@pytest.mark.parametrize("shape", [(8, 16), (8, 16, 16, 1), (0, 16, 16), (8, 16.0, 16)])
def test_int8_matmul_model_rejects_bad_shapes(shape: tuple) -> None:
    with pytest.raises(ValueError, match="shape"):
        performance.int8_matmul_model(shape)


# ------------------------------------------------------------------------------- targets


def fake_results(stream_ratio: float, step_ms: float, bufferized_ms: float | None,
                 int8_ms: float, quantized_ms: float | None, peak_ratio: float
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Streaming and runtime records with only what :func:`targets` reads."""
    latency = {"keras_step_fn": step_ms, "litert_int8_1_thread": int8_ms,
               "brainchip_bufferized_float": bufferized_ms,
               "brainchip_quantized_keras": quantized_ms}
    runtimes = {"latency_batch1": {name: {"ms_per_frame_median": ms}
                                   for name, ms in latency.items() if ms is not None},
                "peak_int8": {"1_thread": {"ratio_measured_over_limit": peak_ratio}}}
    return {"latency_batch1": {"ratio_recompute_over_stream": stream_ratio}}, runtimes


def test_targets_met() -> None:
    rows = performance.targets(*fake_results(13.0, 2.0, 3.0, 1.0, 6.0, 2.5))
    assert [row["measured"] for row in rows] == pytest.approx([13.0, 1.5, 6.0, 2.5])
    assert [row["met"] for row in rows] == [True, True, True, True]
    assert [row["target"] for row in rows] == [">= 12", "> 1", ">= 5", "<= 3"]


def test_targets_not_met() -> None:
    rows = performance.targets(*fake_results(11.0, 2.0, 1.0, 1.0, 4.0, 3.5))
    assert [row["measured"] for row in rows] == pytest.approx([11.0, 0.5, 4.0, 3.5])
    assert [row["met"] for row in rows] == [False, False, False, False]


def test_targets_at_the_boundaries() -> None:
    # ">= 12", ">= 5" and "<= 3" include the bound; "faster" (> 1) does not.
    rows = performance.targets(*fake_results(12.0, 2.0, 2.0, 1.0, 5.0, 3.0))
    assert [row["met"] for row in rows] == [True, False, True, True]


def test_targets_without_brainchip_are_unknown_not_failed() -> None:
    rows = performance.targets(*fake_results(13.0, 2.0, None, 1.0, None, 2.5))
    assert [row["measured"] for row in rows[1:3]] == [None, None]
    assert [row["met"] for row in rows] == [True, None, None, True]


def test_targets_float_goal_must_hold_in_both_benchmarks_that_time_it() -> None:
    streaming, runtimes = fake_results(13.0, 2.0, 2.2, 1.0, 6.0, 2.5)  # runtimes: 1.1x
    streaming["brainchip_peer_batch1"] = {"available": True, "ratio_brainchip_over_ours": 0.9}
    row = performance.targets(streaming, runtimes)[1]
    assert row["measured"] == pytest.approx(0.9) and row["met"] is False
    streaming["brainchip_peer_batch1"]["ratio_brainchip_over_ours"] = 1.3
    row = performance.targets(streaming, runtimes)[1]
    assert row["measured"] == pytest.approx(1.1) and row["met"] is True


def test_targets_with_litert_add_its_two_goals_both_ways() -> None:
    litert = {"latency_batch1": {"float": {"ratio_recompute_over_step": 15.0},
                                 "int8": {"ratio_recompute_over_step": 14.0}},
              "int8_limit": {"ratio_invoke_over_limit": 1.5}}
    rows = performance.targets(*fake_results(13.0, 2.0, 3.0, 1.0, 6.0, 2.5), litert)
    assert len(rows) == 6 and [row["target"] for row in rows[4:]] == [">= 14", "<= 1.5"]
    assert [row["measured"] for row in rows[4:]] == [14.0, 1.5]  # the lower ratio
    assert [row["met"] for row in rows[4:]] == [True, True]
    litert["latency_batch1"]["float"]["ratio_recompute_over_step"] = 13.9
    litert["int8_limit"]["ratio_invoke_over_limit"] = 1.51
    rows = performance.targets(*fake_results(13.0, 2.0, 3.0, 1.0, 6.0, 2.5), litert)
    assert [row["met"] for row in rows[4:]] == [False, False]


def test_targets_without_results() -> None:
    rows = performance.targets(None, None)
    assert len(rows) == 4
    for row in rows:
        assert set(row) == {"target", "goal", "measured", "met"}
        assert row["measured"] is None and row["met"] is None


# ------------------------------------------------------ full model: streaming, runtimes


def check_streaming(result: dict[str, Any]) -> None:
    check_environment(result)
    assert result["model"]["params"] == GESTURE_PARAMS
    assert result["model"]["macs_per_frame"] == GESTURE_MACS
    assert result["model"]["input_shape"] == [16, 100, 100, 3]
    latency = result["latency_batch1"]
    assert latency["window_frames"] == latency["ratio_limit"] == 16
    assert latency["ratio_recompute_over_stream"] == pytest.approx(
        latency["recompute_window_ms_median"] / latency["stream_step_ms_median"])
    batched = result[f"latency_batch{performance.BATCHED_STREAMS}"]
    assert batched["ratio_recompute_over_stream"] == pytest.approx(
        batched["recompute_window_ms_per_frame"] / batched["stream_step_ms_per_frame"])
    assert [row["streams"] for row in result["throughput"]] == [1]
    for row in result["throughput"]:
        assert row["frames_per_s"] == pytest.approx(1000 * row["streams"]
                                                    / row["step_ms_median"])
    assert isinstance(result["state_bytes_per_stream"], int)
    assert result["state_bytes_per_stream"] > 0


def test_streaming_benchmark_structure() -> None:
    result = performance.streaming_benchmark(repeats=1, rounds=1, stream_counts=(1,),
                                             brainchip=False)
    check_streaming(result)
    assert result["brainchip_peer_batch1"] == {"available": False,
                                                "reason": performance.SKIPPED}
    rows = performance.targets(result, None)
    assert rows[0]["measured"] == result["latency_batch1"]["ratio_recompute_over_stream"]
    assert rows[0]["met"] is not None


@pytest.mark.akida
def test_streaming_benchmark_times_brainchips_bufferized_model() -> None:
    pytest.importorskip("quantizeml")
    result = performance.streaming_benchmark(repeats=1, rounds=1, stream_counts=(1,),
                                             brainchip=True)
    check_streaming(result)
    peer = result["brainchip_peer_batch1"]
    assert peer["available"] is True
    assert peer["ratio_brainchip_over_ours"] == pytest.approx(
        peer["brainchip_step_ms_median"] / peer["ours_step_ms_median"])


def test_runtime_benchmark_structure() -> None:
    peak_shape = (8, 16, 16)
    result = performance.runtime_benchmark(repeats=1, rounds=1, calibration_clips=4,
                                           threads=(1,), brainchip=False,
                                           peak_shape=peak_shape)
    check_environment(result, "ai-edge-litert")
    model = result["model"]
    assert model["params"] == GESTURE_PARAMS and model["macs_per_frame"] == GESTURE_MACS

    latency = result["latency_batch1"]
    assert list(latency) == ["keras_eager", "keras_step_fn", "litert_float_1_thread",
                             "litert_int8_1_thread"]
    assert latency["keras_step_fn"]["ratio_vs_keras_step_fn"] == 1.0
    reference = latency["keras_step_fn"]["ms_per_frame_median"]
    for name, row in latency.items():
        ms = row["ms_per_frame_median"]
        assert ms == pytest.approx(performance.median_ms(result["raw_seconds"][name]))
        assert row["frames_per_s"] == pytest.approx(1000 / ms)
        assert row["gmacs_per_s"] == pytest.approx(GESTURE_MACS / ms / 1e6)
        assert row["ratio_vs_keras_step_fn"] == pytest.approx(ms / reference)
    assert result["brainchip_peers"] == f"not measured: {performance.SKIPPED}"

    peak = result["peak_int8"]
    assert peak["shape"] == list(peak_shape) and peak["macs_per_call"] == 8 * 16 * 16
    one = peak["1_thread"]
    assert one["matmul_ms_median"] == pytest.approx(
        performance.median_ms(result["raw_seconds"]["peak_int8_matmul_1_thread"]))
    assert one["gmacs_per_s"] == pytest.approx(peak["macs_per_call"]
                                               / one["matmul_ms_median"] / 1e6)
    # The limit: the gesture model's MACs at the matrix product's speed.
    assert one["gesture_limit_ms_per_frame"] == pytest.approx(
        GESTURE_MACS * one["matmul_ms_median"] / peak["macs_per_call"])
    assert one["litert_int8_ms_per_frame"] == latency["litert_int8_1_thread"][
        "ms_per_frame_median"]
    assert one["ratio_measured_over_limit"] == pytest.approx(
        one["litert_int8_ms_per_frame"] / one["gesture_limit_ms_per_frame"])

    sizes = result["sizes_bytes"]
    assert sizes["keras_float32_weights"] == 4 * GESTURE_PARAMS
    assert 0 < sizes["litert_int8"] < sizes["litert_float"]
    assert sizes["ratio_int8_over_float"] == pytest.approx(sizes["litert_int8"]
                                                           / sizes["litert_float"])

    rows = performance.targets(None, result)
    assert [row["met"] for row in rows[:3]] == [None, None, None]
    assert rows[3]["measured"] == one["ratio_measured_over_limit"]


def test_litert_streaming_benchmark_on_a_tiny_model() -> None:
    """Recompute and step, float and int8, timed in one run; the float clip model checked
    equal to Keras' before timing. A 4-frame, 32-pixel model keeps it small."""
    model = gesture_net((4, 32, 32, 3))
    result = performance.litert_streaming_benchmark(repeats=1, rounds=1, calibration_clips=4,
                                                    check_clips=1, model=model,
                                                    peak_shape=(8, 16, 16))
    check_environment(result, "ai-edge-litert")
    assert result["model"]["macs_per_frame"] == macs_per_frame(model)
    assert result["window_frames"] == result["ratio_limit"] == 4
    assert result["batch_size"] == result["threads"] == 1
    check = result["check"]
    assert check["frames"] == 4 and check["float_equals_keras"] is True
    assert check["float_max_relative_error"] <= check["tolerance"]
    assert 0 <= check["int8_top1_agreement_with_float"] <= 1
    assert check["int8_clip_float_ops"] == {}  # 2-D convs: every op has an int8 kernel
    assert set(result["raw_seconds"]) == {"float_recompute", "float_step", "int8_recompute",
                                          "int8_step", "int8_step_invoke", "peak_int8_matmul"}
    for kind, row in result["latency_batch1"].items():
        raw = result["raw_seconds"]
        assert row["recompute_window_ms_median"] == pytest.approx(
            performance.median_ms(raw[f"{kind}_recompute"]))
        assert row["step_ms_median"] == pytest.approx(performance.median_ms(raw[f"{kind}_step"]))
        assert row["ratio_recompute_over_step"] == pytest.approx(
            row["recompute_window_ms_median"] / row["step_ms_median"])
    sizes = result["sizes_bytes"]
    assert sizes["int8_step"] < sizes["float_step"] and sizes["int8_clip"] < sizes["float_clip"]
    limit = result["int8_limit"]
    assert limit["peak_gmacs_per_s"] == pytest.approx(
        8 * 16 * 16 / limit["peak_matmul_ms_median"] / 1e6)
    assert limit["limit_ms_per_frame"] == pytest.approx(
        result["model"]["macs_per_frame"] / limit["peak_gmacs_per_s"] / 1e6)
    assert limit["ratio_step_over_limit"] == pytest.approx(
        result["latency_batch1"]["int8"]["step_ms_median"] / limit["limit_ms_per_frame"])
    assert limit["ratio_invoke_over_limit"] == pytest.approx(
        limit["invoke_ms_median"] / limit["limit_ms_per_frame"])
    for name in ("int8_step", "int8_recompute"):
        profile = result["profile"][name]
        assert profile["ops_sum_ms"] == pytest.approx(sum(op["ms"] for op in profile["ops"]))
        assert {op["group"] for op in profile["ops"]} == set(profile["groups_ms"])
        assert "CONV_3D" not in {op["op"] for op in profile["ops"]}


def test_litert_streams_benchmark_on_a_tiny_model() -> None:
    """Batch-N export, N batch-1 interpreters in threads and the Keras step, per N."""
    model = gesture_net((4, 32, 32, 3))
    result = performance.litert_streams_benchmark((1, 3), repeats=1, rounds=1, model=model)
    check_environment(result, "ai-edge-litert")
    assert [row["streams"] for row in result["streams"]] == [1, 3]
    for row in result["streams"]:
        assert set(row) == {"streams", "litert_int8_batch", "litert_int8_threads", "keras_step"}
        for name in ("litert_int8_batch", "litert_int8_threads", "keras_step"):
            assert row[name]["frames_per_s"] == pytest.approx(
                1000 * row["streams"] / row[name]["ms_per_call"])
    with pytest.raises(ValueError, match="stream_counts"):
        performance.litert_streams_benchmark((0,), model=model)


# ------------------------------------------------------------------------------ scripts


def test_bench_blocks_quick_writes_its_json(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results" / "b.json"
    assert bench_blocks.main(["--quick", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["config"]["repeats"] == 3 and result["config"]["rounds"] == 1
    assert result["config"]["batch_size"] == 1
    assert list(result["blocks"]) == list(BLOCK_TYPES)
    assert "date" in result and "machine" in result and "versions" in result
    # Stamped with the code that measured it, so chapter 9 can tell whether to use it.
    check_stamp(result)
    assert result["result"] == "blocks"
    printed = capsys.readouterr().out
    assert all(label in printed for label in BLOCK_LABELS.values())
    assert str(out) in printed


def test_parse_timing_args_defaults() -> None:
    default = Path("/nowhere/x.json")
    args = common.parse_timing_args("Doc.\n\nMore.", default, [], quick="q", repeats=7,
                                    rounds=3)
    assert (args.repeats, args.rounds, args.quick, args.out) == (7, 3, False, default)


@pytest.mark.parametrize("option", ["--repeats", "--rounds"])
def test_parse_timing_args_rejects_zero(option: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        common.parse_timing_args("Doc.", Path("x.json"), [option, "0"], quick="q")
    assert exit_info.value.code == 2
    assert f"{option} must be >= 1" in capsys.readouterr().err


# ------------------------------------------------------------------------------ stream loop


def test_stream_loop_benchmark_structure() -> None:
    result = performance.stream_loop_benchmark(frames=12, repeats=1, rounds=2,
                                               calibration_clips=4)
    check_environment(result, "ai-edge-litert", "av")
    video = result["video"]
    assert video["source_frames"] == 12 and video["source_fps"] == 12.0
    assert video["model_frames"] == 6  # 12 frames at 12 fps resampled to 6 fps
    assert video["model_size"] == 100 and video["bytes"] > 0
    assert list(result["loop"]) == list(performance.LOOP_PATHS)
    for row in result["loop"].values():
        assert len(row["raw_seconds"]) == 2  # repeats x rounds timed passes
        assert row["frames_per_s"] == pytest.approx(
            statistics.median(video["model_frames"] / s for s in row["raw_seconds"]))
        assert row["ms_per_frame"] == pytest.approx(1000 / row["frames_per_s"])
        assert row["real_time_factor"] == pytest.approx(row["frames_per_s"] / 6.0)
        stages = row["stage_ms_per_frame"]
        assert list(stages) == list(performance.LOOP_STAGES)
        assert all(ms > 0 for ms in stages.values())
        assert sum(stages.values()) <= row["ms_per_frame"] * 1.5
    assert json.loads(json.dumps(result)) == result


def test_stream_loop_benchmark_rejects_bad_arguments_before_any_work() -> None:
    with pytest.raises(ValueError, match="frames, repeats and rounds"):
        performance.stream_loop_benchmark(frames=0)
    with pytest.raises(ValueError, match="calibration_clips"):
        performance.stream_loop_benchmark(calibration_clips=1)
