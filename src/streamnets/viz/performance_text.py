"""The sentences of chapter 9, written from the measured values.

Each function takes the JSON-ready result dicts of :mod:`streamnets.performance` (read
from ``make bench``'s files or measured live) and writes a paragraph whose words follow
the numbers: faster or slower, met or not, within the timing noise or not
(:func:`ratio_band`). A sentence that would become false when a measurement changes is
therefore rewritten by the next run instead. Figures and tables are in
:mod:`streamnets.viz.performance`; like it, this module imports no TensorFlow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamnets.litert_profile import CONV_GROUP
from streamnets.viz.performance import (
    LOOP_LABELS,
    RUNTIME_LABELS,
    STREAMS_LABELS,
    batched_streams,
)


def _times(ratio: float) -> str:
    """A ratio for prose: two decimals near 1, one above 2."""
    return f"{ratio:.2f}" if ratio < 2 else f"{ratio:.1f}"


def compare_time(ms: float, reference_ms: float, reference: str) -> str:
    """``"2.5 times faster than <reference>"`` (or slower) for ``ms`` against ``reference_ms``.

    Args:
        ms: the time being described (any unit, positive).
        reference_ms: the time it is compared with, in the same unit (positive).
        reference: what ``reference_ms`` is, as it should read after "than".
    """
    if ms <= reference_ms:
        return f"{_times(reference_ms / ms)} times faster than {reference}"
    return f"{_times(ms / reference_ms)} times slower than {reference}"


@dataclass(frozen=True)
class RatioBand:
    """The ratio of two paths' median times, with the noise band of their timings."""

    ratio: float
    """``median(numerator) / median(denominator)``."""
    low: float
    """Lowest plausible ratio: the lower end of a bootstrap interval over the calls, or
    the lowest per-round ratio, whichever is lower."""
    high: float
    """Highest plausible ratio, likewise."""
    rounds: int
    """Rounds the two paths were timed in, in turn."""
    level: float
    """Coverage of the bootstrap interval."""

    @property
    def includes_parity(self) -> bool:
        """True when the band holds 1: the timings cannot tell which path is faster."""
        return self.low <= 1.0 <= self.high

    def describe(self) -> str:
        """Where the band comes from and its ends, for prose."""
        source = f"a {self.level:.0%} bootstrap interval over the timed calls"
        if self.rounds > 1:
            source = f"the ratios of each of the {self.rounds} rounds and " + source
        return f"from {self.low:.2f} to {self.high:.2f} ({source})"


def ratio_band(numerator_s: Sequence[float], denominator_s: Sequence[float], rounds: int = 1,
               level: float = 0.9, resamples: int = 2000, seed: int = 0) -> RatioBand:
    """How sure the timings are of ``median(numerator_s) / median(denominator_s)``.

    Both lists hold every timed call of a path, round after round, as
    :func:`streamnets.timing.time_in_turn` records them. The band covers a
    ``level`` bootstrap interval of the ratio (calls of each path resampled with
    replacement, ``seed`` fixed so the page is reproducible) and, with several rounds,
    the ratio of each round's medians: load that changes between rounds widens it.

    Args:
        numerator_s: every timed call of the first path, in seconds (positive).
        denominator_s: every timed call of the second path, in seconds (positive).
        rounds: how many rounds the calls were timed in; the per-round ratios widen the
            band only when both lists split evenly into that many rounds.
        level: coverage of the bootstrap interval, in ``(0, 1)``.
        resamples: bootstrap resamples drawn.
        seed: seed of the resampling, so the same timings give the same band.

    Raises:
        ValueError: if a list is empty or holds a non-positive time, or ``rounds < 1``.
    """
    numerator, denominator = (np.asarray(x, dtype=float) for x in (numerator_s, denominator_s))
    for name, values in (("numerator_s", numerator), ("denominator_s", denominator)):
        if values.ndim != 1 or values.size == 0 or not np.all(values > 0):
            raise ValueError(f"{name} must be a non-empty list of positive seconds.")
    if not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds must be an int >= 1, got {rounds!r}.")
    ratio = float(np.median(numerator) / np.median(denominator))
    rng = np.random.default_rng(seed)

    def medians(values: np.ndarray) -> np.ndarray:
        return np.median(values[rng.integers(0, values.size, (resamples, values.size))], axis=1)

    boot = medians(numerator) / medians(denominator)
    low, high = (float(q) for q in np.quantile(boot, [(1 - level) / 2, (1 + level) / 2]))
    if rounds > 1 and numerator.size % rounds == 0 and denominator.size % rounds == 0:
        per_round = [float(np.median(a) / np.median(b)) for a, b in
                     zip(np.split(numerator, rounds), np.split(denominator, rounds), strict=True)]
        low, high = min(low, *per_round), max(high, *per_round)
    return RatioBand(ratio, min(low, ratio), max(high, ratio), rounds, level)


def _peers_note(runtimes: Mapping[str, Any]) -> str:
    """Why BrainChip's models are missing from ``runtimes``, for prose."""
    note = str(runtimes.get("brainchip_peers", "")).removeprefix("not measured: ")
    if "brainchip=False" in note:
        return "this run turned them off (as CI mode does)"
    return note or "no reason recorded"


def _ms(runtimes: Mapping[str, Any], name: str) -> float | None:
    row = runtimes.get("latency_batch1", {}).get(name)
    return None if row is None else row["ms_per_frame_median"]


def blocks_summary(blocks: Mapping[str, Any]) -> str:
    """What the factorized blocks save in MACs, what they gain in speed, and why they differ.

    Args:
        blocks: the result of :func:`streamnets.performance.block_benchmark`; its first
            block is the reference the others are compared with.
    """
    rows = list(blocks["blocks"].values())
    reference, others = rows[0], rows[1:]
    sentences = []
    for row in others:
        macs, speed = row["ratio_vs_3d"]["macs"], row["ratio_vs_3d"]["speed"]
        sentences.append(
            f"The **{row['label']}** block does {macs:.2f} of the **{reference['label']}** "
            f"block's MACs and runs {speed:.2f} times as fast; if time followed MACs it would "
            f"run {1 / macs:.2f} times as fast, so its kernels deliver {speed * macs:.0%} of the "
            "speed-up its MACs promise.")
    text = " ".join(sentences)
    depthwise = blocks["blocks"].get("depthwise")
    if depthwise is not None:
        text += (f" The achieved GMAC/s column says why: the **{reference['label']}** block's "
                 f"dense kernels reach {reference['gmacs_per_s']:.1f} GMAC/s, the "
                 f"**{depthwise['label']}** block {depthwise['gmacs_per_s']:.1f}.")
        if depthwise["gmacs_per_s"] < reference["gmacs_per_s"]:
            text += (" A depthwise convolution does a handful of MACs per value it reads, so "
                     "memory traffic and per-operation overhead, not arithmetic, set its pace: "
                     "fewer MACs is a promise of speed that these kernels keep only in part.")
        else:
            text += (" Per MAC, the depthwise-separable block ran at least as fast as the "
                     "dense one here, so its saving in MACs turned fully into speed.")
    return text + (" Whether hardware built for depthwise computation (Akida) keeps more of "
                   "the promise is not measured here: the Akida runtime's licence does not "
                   "allow publishing its timings.")


def streaming_summary(streaming: Mapping[str, Any],
                      runtimes: Mapping[str, Any] | None = None) -> str:
    """Streaming step against recomputing the window, at batch 1 and batched, and why.

    Args:
        streaming: the result of :func:`streamnets.performance.streaming_benchmark`.
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`, to add
            LiteRT float against the compiled Keras step; ``None`` leaves that sentence out.
    """
    batch1 = streaming["latency_batch1"]
    count = batched_streams(streaming)
    batched = streaming[f"latency_batch{count}"]
    step, recompute = batch1["stream_step_ms_median"], batch1["recompute_window_ms_median"]
    ratio, limit = batch1["ratio_recompute_over_stream"], batch1["ratio_limit"]
    window = batch1.get("window_frames", limit)
    text = (f"At batch 1 the step takes {step:.2f} ms and recomputing the window "
            f"{recompute:.1f} ms: streaming is {compare_time(step, recompute, 'recomputing')}, "
            f"against {limit} times fewer operations.")
    if ratio < limit:
        clip = batch1["clip_model_ms_per_frame_of_window"]
        if clip < step:
            text += (f" The shortfall is not extra work. The clip model spends only "
                     f"{clip:.2f} ms per frame of its window, {step / clip:.1f} times less than "
                     f"the step, because one call runs every layer on {window} frames at once, "
                     "while each kernel of the step works on a single frame: too little work "
                     "to hide its fixed costs (dispatch to the thread pool, synchronization, "
                     "memory layout) and to keep the vector units busy.")
        else:
            text += (f" The clip model spends {clip:.2f} ms per frame of its window, no less "
                     "than the step, so per-frame efficiency does not explain the shortfall "
                     "in this run.")
    else:
        text += " Streaming saves at least what the operation count predicts."
    batched_step = batched["stream_step_ms_per_frame"]
    text += (f" With {count} streams per batch the step costs {batched_step:.2f} ms per frame "
             f"and stream, {compare_time(batched_step, step, 'at batch 1')}, and streaming is "
             f"{batched['ratio_recompute_over_stream']:.1f} times cheaper than recomputing")
    text += (": batching gives each kernel more work." if batched_step < step
             else "; batching did not make the step cheaper per frame in this run.")
    throughput = streaming["throughput"]
    first, last = throughput[0], throughput[-1]
    text += (f" {first['streams']} stream{'s' if first['streams'] > 1 else ''} per batch "
             f"get{'' if first['streams'] > 1 else 's'} {first['frames_per_s']:.0f} frames per "
             f"second, {last['streams']} together {last['frames_per_s']:.0f}, and each stream "
             f"keeps {streaming['state_bytes_per_stream'] / 1024:,.0f} KiB of buffers.")
    keras_ms = _ms(runtimes or {}, "keras_step_fn")
    litert_ms = _ms(runtimes or {}, "litert_float_1_thread")
    if keras_ms is not None and litert_ms is not None:
        text += (" The runtimes section runs the same float step in LiteRT, whose kernels "
                 f"are written "
                 f"for one image at a time: {litert_ms:.2f} ms against the compiled Keras "
                 f"step's {keras_ms:.2f} ms")
        text += (f", {1 - litert_ms / keras_ms:.0%} less, so much of the batch-1 cost lies in "
                 "TensorFlow's kernels rather than in streaming." if litert_ms < keras_ms
                 else ", no faster, so TensorFlow's kernels are not what holds the step back "
                      "in this run.")
        if abs(keras_ms / step - 1) > 0.2:
            text += (f" That benchmark's {keras_ms:.2f} ms for the compiled Keras step is not "
                     f"the {step:.2f} ms above: the two ran at different moments of a shared "
                     "machine, so only ratios within one benchmark compare.")
    return text


def runtimes_summary(runtimes: Mapping[str, Any]) -> str:
    """Keras, LiteRT float and int8 at batch 1, and the int8 model against its MACs limit.

    Args:
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`; paths it
            did not time are left out.
    """
    keras_ms, eager_ms = _ms(runtimes, "keras_step_fn"), _ms(runtimes, "keras_eager")
    float_ms = _ms(runtimes, "litert_float_1_thread")
    int8_ms = _ms(runtimes, "litert_int8_1_thread")
    text = f"The compiled Keras step takes {keras_ms:.2f} ms per frame"
    if eager_ms is not None:
        text += (f"; without compilation, with Python driving every layer, {eager_ms:.2f} ms "
                 f"({compare_time(eager_ms, keras_ms, 'compiled')})")
    text += "."
    if float_ms is not None:
        text += (f" LiteRT runs the same float graph in {float_ms:.2f} ms on one thread, "
                 f"{compare_time(float_ms, keras_ms, 'the compiled Keras step')}")
        text += (": its kernels (XNNPACK) are written for single-image inference on CPUs, the "
                 "case where TensorFlow's kernels lose efficiency (the streaming section)."
                 if float_ms < keras_ms else ".")
    if int8_ms is not None:
        text += (f" The int8 model takes {int8_ms:.2f} ms, "
                 f"{compare_time(int8_ms, keras_ms, 'the Keras step')}")
        if float_ms is not None:
            text += f" and {compare_time(int8_ms, float_ms, 'LiteRT float32')}"
        sizes = runtimes.get("sizes_bytes", {})
        if "litert_int8" in sizes and "litert_float" in sizes:
            text += (f", in a file of {sizes['litert_int8'] / 1e6:.2f} MB instead of "
                     f"{sizes['litert_float'] / 1e6:.2f} MB")
        text += "."
    peak = runtimes.get("peak_int8", {}).get("1_thread")
    if peak and int8_ms is not None:
        shape = " × ".join(str(s) for s in runtimes["peak_int8"]["shape"])
        over = peak["ratio_measured_over_limit"]
        text += (f"\n\nThe int8 matrix product ({shape}) ran at {peak['gmacs_per_s']:.0f} GMAC/s "
                 f"on one thread. At that speed the model's "
                 f"{runtimes['model']['macs_per_frame'] / 1e6:.1f} M MACs per frame would take "
                 f"{peak['gesture_limit_ms_per_frame']:.2f} ms; the measured {int8_ms:.2f} ms "
                 f"is {over:.1f} times that limit "
                 f"({runtimes['latency_batch1']['litert_int8_1_thread']['gmacs_per_s']:.0f} "
                 "GMAC/s achieved).")
        if over > 1:
            text += (" Where the rest goes is measured op by op in the LiteRT section: what "
                     "the model "
                     "has and a matrix product does not is small early layers with few "
                     "channels, depthwise layers, the FIFO copies and the quantization of the "
                     "float states at every frame.")
    return text


def _band_verdict(band: RatioBand, ours: str, theirs: str) -> str:
    """Which of two paths is faster, or that the noise cannot tell (``band`` is
    theirs / ours)."""
    if band.includes_parity:
        return (f"The noise band of these timings runs {band.describe()} and includes 1: on "
                f"this evidence neither {ours} nor {theirs} is faster.")
    faster = ours if band.ratio > 1 else theirs
    return (f"The noise band of these timings runs {band.describe()}, so in this run {faster} "
            "is faster beyond the noise of its calls.")


def brainchip_summary(runtimes: Mapping[str, Any], streaming: Mapping[str, Any]) -> str:
    """Our models against BrainChip's of the same weights, with the noise of the timings.

    Args:
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark` (with
            BrainChip's paths when they were timed, and ``raw_seconds`` for the noise band).
        streaming: the result of :func:`streamnets.performance.streaming_benchmark`, whose
            ``brainchip_peer_batch1`` timed the same pair at another moment.
    """
    ours, buffered = _ms(runtimes, "keras_step_fn"), _ms(runtimes, "brainchip_bufferized_float")
    quantized, int8 = _ms(runtimes, "brainchip_quantized_keras"), _ms(runtimes,
                                                                      "litert_int8_1_thread")
    if buffered is None and quantized is None:
        return ("BrainChip's models of the same weights were not timed in this run: "
                f"{_peers_note(runtimes)}.")
    raw, rounds = runtimes.get("raw_seconds", {}), runtimes.get("rounds", 1)
    text = "BrainChip's models of the same weights, timed in turn with ours:"
    if buffered is not None:
        text += (f" our compiled step takes {ours:.2f} ms per frame and BrainChip's bufferized "
                 f"float model {buffered:.2f} ms, so ours is "
                 f"{compare_time(ours, buffered, 'theirs')}.")
        if "keras_step_fn" in raw and "brainchip_bufferized_float" in raw:
            band = ratio_band(raw["brainchip_bufferized_float"], raw["keras_step_fn"], rounds)
            text += " " + _band_verdict(band, "our step", "BrainChip's model")
        peer = streaming.get("brainchip_peer_batch1", {})
        if peer.get("available"):
            faster = peer["ratio_brainchip_over_ours"] > 1
            own = streaming.get("latency_batch1", {}).get("stream_step_ms_median")
            text += (" The streaming benchmark timed the same pair at another moment, in a "
                     "comparison of their own"
                     + (f" (not the step against the window, where our step took {own:.2f} "
                        "ms)" if own is not None else "")
                     + f": {peer['ours_step_ms_median']:.2f} ms for ours against "
                     f"{peer['brainchip_step_ms_median']:.2f} ms for theirs, ours "
                     f"{'faster' if faster else 'slower'} ")
            text += ("there too." if faster == (buffered > ours) else
                     "there: the two benchmarks disagree on which is faster, so the gap between "
                     "the models is smaller than the drift of this machine's speed from one "
                     "moment to the next.")
    if quantized is not None and int8 is not None:
        text += (f" LiteRT int8 takes {int8:.2f} ms against {quantized:.2f} ms for BrainChip's "
                 f"8-bit quantized Keras model: {compare_time(int8, quantized, 'it')}.")
    return text


def deployment_float_summary(runtimes: Mapping[str, Any]) -> str:
    """The fair float comparison for a deployment: our deployed float path (LiteRT float,
    one thread) and the compiled Keras step against BrainChip's bufferized Keras model,
    each verdict decided by the noise band of the timings.

    Args:
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`; without
            BrainChip's bufferized model or LiteRT float, the text says why the comparison is
            missing.
    """
    buffered = _ms(runtimes, "brainchip_bufferized_float")
    float_ms, keras_ms = _ms(runtimes, "litert_float_1_thread"), _ms(runtimes, "keras_step_fn")
    if buffered is None or float_ms is None:
        return ("The float deployment comparison needs BrainChip's bufferized model and "
                f"LiteRT float in the same run; this run lacks them: {_peers_note(runtimes)}.")
    raw, rounds = runtimes.get("raw_seconds", {}), runtimes.get("rounds", 1)
    text = (f"For a deployment, the fair float comparison is the float path we deploy: LiteRT "
            f"float32 on one thread takes {float_ms:.2f} ms per frame, "
            f"{compare_time(float_ms, buffered, 'BrainChip’s bufferized Keras model')} "
            f"({buffered:.2f} ms), while our compiled Keras step, {keras_ms:.2f} ms, is "
            f"{compare_time(keras_ms, buffered, 'it')}.")
    if "litert_float_1_thread" in raw and "brainchip_bufferized_float" in raw:
        band = ratio_band(raw["brainchip_bufferized_float"], raw["litert_float_1_thread"],
                          rounds)
        text += " " + _band_verdict(band, "LiteRT float", "BrainChip's bufferized model")
    return text


def litert_streaming_summary(litert: Mapping[str, Any]) -> str:
    """The recompute/step ratio in LiteRT, float and int8, against the operation count,
    and what the per-op profile says about the int8 gap.

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`.
    """
    limit = litert["ratio_limit"]
    parts = []
    for kind, row in litert["latency_batch1"].items():
        ratio = row["ratio_recompute_over_step"]
        relation = ("above" if ratio > limit * 1.05 else "below" if ratio < limit * 0.95
                    else "at")
        parts.append(f"{kind}, {ratio:.1f} times ({relation} the {limit} the operation "
                     "count predicts)")
    text = ("In LiteRT, recomputing the window for every new frame takes this many times the "
            "FIFO step's time: " + "; ".join(parts) + ".")
    profile = litert.get("profile", {})
    step, recompute = profile.get("int8_step"), profile.get("int8_recompute")
    if step and recompute:
        kernel_ratio = recompute["ops_sum_ms"] / step["ops_sum_ms"]
        lost = 1 - recompute["ops_sum_ms"] / recompute["model_ms"]
        text += (f" Timed alone, the int8 recompute's ops add up to "
                 f"{recompute['ops_sum_ms']:.2f} ms, {kernel_ratio:.1f} times the step's "
                 f"{step['ops_sum_ms']:.3f} ms: the kernels alone keep "
                 f"{'close to' if abs(kernel_ratio - limit) <= 0.15 * limit else 'away from'}"
                 f" the operation count.")
        if lost > 0.1:
            text += (f" The whole recompute takes {recompute['model_ms']:.2f} ms, so "
                     f"{lost:.0%} of its time is not in its ops as they run alone: inside the "
                     f"whole model each op reads the {litert['window_frames']} frames of "
                     "activations the previous op just wrote, while alone it rereads data "
                     "already in the cache, and the step's single frame fits in the cache "
                     "either way. (That is our reading; the profile measures the gap, not its "
                     "cause.)")
        else:
            text += (f" The whole recompute takes {recompute['model_ms']:.2f} ms, close to "
                     "the sum of its ops.")
    limit_info = litert.get("int8_limit")
    if limit_info:
        step_ms, invoke_ms = limit_info["step_ms_median"], limit_info["invoke_ms_median"]
        bare = litert["latency_batch1"]["int8"]["recompute_window_ms_median"] / invoke_ms
        text += (f" The int8 step's {step_ms:.3f} ms include its interface, "
                 f"{1000 * (step_ms - invoke_ms):.0f} µs to copy the float states in and out "
                 "and make the Python call, which the step pays at every frame and the "
                 f"recompute once per window; against the bare invoke ({invoke_ms:.3f} ms) "
                 f"the int8 ratio is {bare:.1f}.")
    return text


def litert_vs_keras_ratio(litert: Mapping[str, Any], keras_ratio: float) -> str:
    """The recompute/step ratio in LiteRT (float and int8) beside the Keras one, and which
    is nearer the operation count (chapter 4).

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`.
        keras_ratio: the Keras recompute/step time ratio at batch 1 (chapter 4's
            :class:`~streamnets.performance.LatencyComparison` ``ratio``).
    """
    limit = litert["ratio_limit"]
    text = ("In LiteRT, where the model is deployed, the same comparison gives "
            + " and ".join(f"{row['ratio_recompute_over_step']:.1f} in {kind}"
                           for kind, row in litert["latency_batch1"].items())
            + f", against {keras_ratio:.1f} in Keras")
    nearer = [kind for kind, row in litert["latency_batch1"].items()
              if abs(row["ratio_recompute_over_step"] - limit) < abs(keras_ratio - limit)]
    if len(nearer) == len(litert["latency_batch1"]):
        text += (f": both LiteRT ratios are nearer the {limit} of the operation count, because "
                 "LiteRT's kernels lose little on a single frame.")
    elif nearer:
        text += (f": only the {' and '.join(nearer)} ratio is nearer the {limit} of the "
                 "operation count.")
    else:
        text += f": the Keras ratio is the nearest to the {limit} of the operation count."
    return text + " Chapter 9 looks at where each runtime's time goes."


def litert_profile_summary(litert: Mapping[str, Any]) -> str:
    """Where the int8 step's time goes, and how far it is from its MACs limit.

    Args:
        litert: the result of :func:`streamnets.performance.litert_streaming_benchmark`,
            with its ``int8_limit`` and ``profile``.
    """
    limit = litert["int8_limit"]
    step = litert["profile"]["int8_step"]
    groups = sorted(step["groups_ms"].items(), key=lambda item: -item[1])
    shares = ", ".join(f"{name} {ms / step['ops_sum_ms']:.0%} ({1000 * ms:.0f} µs)"
                       for name, ms in groups)
    agree = abs(step["sum_over_model"] - 1) <= 0.1
    reading = ("within 10% of each other, so the per-op picture accounts for the step" if agree
               else "more than 10% apart, so the per-op picture misses part of the step")
    text = (f"Each op of the int8 step, cut out of the model and timed alone, adds up to "
            f"{step['ops_sum_ms']:.3f} ms against {step['model_ms']:.3f} ms for the whole "
            f"model: {reading}. By kind of op: {shares}.")
    text += (f" The int8 peak of this run, {limit['peak_gmacs_per_s']:.0f} GMAC/s, puts the "
             f"MACs limit at {1000 * limit['limit_ms_per_frame']:.0f} µs per frame. The "
             f"convolutions alone take {limit['ratio_convs_over_limit']:.2f} times that, "
             f"the bare invoke {limit['ratio_invoke_over_limit']:.2f} times, and a step "
             f"through `LiteRTRunner` (float states copied in and out, Python checks) "
             f"{limit['ratio_step_over_limit']:.2f} times.")
    goal = 1.5
    verdict = ("meets" if limit["ratio_invoke_over_limit"] <= goal else "misses")
    text += (f" The bare invoke {verdict} the goal of {goal} times the limit; the interface "
             f"adds {1000 * (limit['step_ms_median'] - limit['invoke_ms_median']):.0f} µs, "
             "the price of float32 states, which browsers can create and feed back.")
    return text


def many_streams_summary(streams: Mapping[str, Any]) -> str:
    """Which way of running N cameras delivers the most frames per second, per N.

    Args:
        streams: the result of :func:`streamnets.performance.litert_streams_benchmark`.
    """
    sentences = []
    for row in streams["streams"]:
        rates = {name: row[name]["frames_per_s"] for name in row if name != "streams"}
        best = max(rates, key=rates.get)
        runner_up = sorted(rates.values())[-2]
        streams = f"{row['streams']} stream{'s' if row['streams'] > 1 else ''}"
        sentences.append(f"with {streams}, {STREAMS_LABELS.get(best, best)} "
                         f"delivers the most, {rates[best]:,.0f} frames per second "
                         f"({rates[best] / runner_up:.2f} times the next best)")
    return ("Frames per second for all streams together: " + "; ".join(sentences) + ".")


def stream_loop_summary(loop: Mapping[str, Any]) -> str:
    """How much faster than real time the whole loop on a video runs, and what dominates.

    Args:
        loop: the result of :func:`streamnets.performance.stream_loop_benchmark`.
    """
    video, rows = loop["video"], loop["loop"]
    fps = video["model_fps"]
    parts = []
    for name, row in rows.items():
        factor = row["real_time_factor"]
        label = LOOP_LABELS.get(name, name)
        if factor >= 1:
            parts.append(f"with the {label} it handles {row['frames_per_s']:,.0f} frames a "
                         f"second, {factor:,.1f} times the {fps:g} a live camera delivers")
        else:
            parts.append(f"with the {label} it handles only {row['frames_per_s']:,.1f} frames "
                         f"a second, slower than the {fps:g} a live camera delivers")
    text = (f"Decoding a {video['source_size']} × {video['source_size']}, "
            f"{video['source_fps']:g} fps mp4 into {video['model_frames']} frames and "
            "running each through the model and the detector, " + "; ".join(parts) + ".")
    for name, row in rows.items():
        stages = row["stage_ms_per_frame"]
        slowest = max(stages, key=stages.get)
        share = stages[slowest] / sum(stages.values())
        text += (f" In the {LOOP_LABELS.get(name, name)} loop, {slowest} takes the most time "
                 f"({share:.0%} of it).")
    return text


def growth_summary(growth: Mapping[str, Any]) -> str:
    """How time grows with the input size (against the MACs model) and the clip length.

    Args:
        growth: the result of :func:`streamnets.performance.growth_benchmark`.
    """
    by_size = sorted(growth["by_size"], key=lambda row: row["size"])
    small, large = by_size[0], by_size[-1]
    time_ratio = large["step_ms"] / small["step_ms"]
    text = (f"From {small['size']}² to {large['size']}² pixels the MACs grow "
            f"{_times(large['macs_per_frame'] / small['macs_per_frame'])} times and the step's "
            + (f"time {_times(time_ratio)} times." if time_ratio >= 1 else
               f"time does not grow: it goes from {small['step_ms']:.2f} to "
               f"{large['step_ms']:.2f} ms, which more work cannot explain; the load of the "
               "machine changed between the two timings."))
    over = small["ratio_measured_over_macs_model"]
    if over > 1:
        text += (f" The smallest input takes {over:.2f} times what its MACs predict: the less "
                 "work each kernel gets, the less efficiently it runs (the streaming section), "
                 "and part of "
                 "each kernel's cost does not shrink with the image at all.")
    else:
        text += (f" The smallest input takes {over:.2f} times what its MACs predict: its time "
                 "shrank at least as fast as its work.")
    by_length = sorted(growth["by_clip_length"], key=lambda row: row["frames"])
    short, long = by_length[0], by_length[-1]
    if short is not long:
        text += (f" At {short['frames']} frames the streaming step takes "
                 f"{short['stream_step_ms']:.2f} ms and recomputing the window "
                 f"{short['recompute_ms']:.1f} ms; at {long['frames']} frames, "
                 f"{long['stream_step_ms']:.2f} and {long['recompute_ms']:.1f} ms.")
        before, after = (short["ratio_recompute_over_stream"],
                         long["ratio_recompute_over_stream"])
        if after > before:
            text += (f" The advantage of streaming rises from {before:.1f} to {after:.1f} "
                     "times: the longer the temporal context, the more a FIFO saves.")
        else:
            text += (f" The advantage of streaming goes from {before:.1f} to {after:.1f} "
                     "times: in this run it did not grow with the clip length.")
    return text


def data_summary(data: Mapping[str, Any] | None) -> str:
    """Whether one core generates clips faster than training consumes them.

    Args:
        data: the ``data`` result (``benchmarks/bench_data.py``); ``None`` when none of
            this code was found, which the text says.
    """
    if data is None:
        return ("Not shown: no data benchmark of this code was found (run `make bench` in a "
                "checkout to record it).")
    ratio = data["ratio_generation_over_training"]
    frames = data.get("clip_shape", ["?"])[0]
    if ratio >= 1:
        text = (f"One core renders clips {ratio:.{0 if ratio >= 10 else 1}f} times as fast as "
                "training on all cores "
                "consumes them, so generation keeps up. A clip is a few shapes drawn with "
                f"numpy on a textured background; training needs a forward and backward pass "
                f"over {frames} frames.")
    else:
        text = (f"Training consumes clips {1 / ratio:.1f} times as fast as one core renders "
                "them: generation needs more than one core to keep up.")
    pipeline = data.get("ratio_pipeline_over_training")
    if pipeline is not None:
        text += (f" Through the tf.data pipeline on one core the ratio is {pipeline:.1f}"
                 + (", still enough." if pipeline >= 1 else ", not enough on one core."))
    return text


def _chapters(count: int) -> str:
    return f"{count} chapter{'s' if count != 1 else ''}"


def book_summary(book: Mapping[str, Any] | None, longest: int = 3) -> str:
    """The chapters' execution times in CI and full mode, the build time, the slowest ones.

    Args:
        book: the ``book`` result (``benchmarks/bench_book.py``), or a ``make book`` run's
            own full-mode times as ``{"ci": None, "full": ...}``; ``None`` when neither
            of this code was found, which the text says.
        longest: how many of the slowest chapters to name (from full mode when recorded,
            else CI mode).
    """
    if book is None or not (book.get("ci") or book.get("full")):
        return ("Not shown: no chapter times of this code were found (`make book` records "
                "them as it executes the chapters, `make bench` in CI mode).")
    ci, full = book.get("ci"), book.get("full")
    parts = []
    if ci:
        parts.append(f"In CI mode, {_chapters(len(ci['notebooks']))} executed in "
                     f"{ci['total_s']:.0f} s" + (" (a quick run of `bench_book.py`)"
                                                 if book.get("quick") else ""))
    if full:
        text = (f"in full mode, {_chapters(len(full['notebooks']))} in "
                f"{full['total_s']:.0f} s")
        if full.get("complete") is False:
            text += " (so far: this page is part of that `make book` run)"
        parts.append(text if ci else text[0].upper() + text[1:])
    else:
        parts[-1] += " (full-mode times of this code are recorded by `make book`)"
    if not ci:
        parts[-1] += ("; the CI-mode times are recorded by `make bench` "
                      "(`benchmarks/bench_book.py`)")
    text = "; ".join(parts)
    if book.get("build"):
        text += f"; building the HTML took {book['build']['build_s']:.0f} s"
    times, mode = (full["notebooks"], "full") if full else (ci["notebooks"], "CI")
    slowest = sorted(times.items(), key=lambda item: -item[1])[:longest]
    text += (f". The longest in {mode} mode: "
             + ", ".join(f"{name.removesuffix('.ipynb')} ({seconds:.0f} s)"
                         for name, seconds in slowest) + ".")
    return text


def book_figure_markdown(book: Mapping[str, Any], key: str = "fig_perf_book",
                         name: str = "fig-perf-book") -> str:
    """The MyST figure of :func:`streamnets.viz.performance.plot_book_times`, with a
    caption that names the modes the record has.

    Chapter 9 glues this text only when chapter times were recorded, so the figure and
    its caption appear together or not at all.

    Args:
        book: the ``book`` record as :func:`book_summary` takes it, with times in at least
            one mode.
        key: the glue key of the figure's image.
        name: the figure's target name, for ``{numref}``.

    Raises:
        ValueError: if ``book`` has no times in either mode.
    """
    modes = [label for mode, label in (("ci", "in CI mode (`make bench`)"),
                                       ("full", "in full mode (`make book`)"))
             if (book.get(mode) or {}).get("notebooks")]
    if not modes:
        raise ValueError("the book record has no chapter times, in CI or full mode")
    full = book.get("full") or {}
    caption = f"Seconds to execute each chapter notebook, {' and '.join(modes)}"
    caption += (", so far in this build (this chapter is executed after the others)."
                if full.get("complete") is False else ".")
    caption += (" Look at which chapters take the longest: they set how long a build takes."
                if len(modes) == 1 else
                " Compare each chapter's two bars: CI mode runs the same code on less data.")
    return f"```{{glue:figure}} {key}\n:name: {name}\n\n{caption}\n```"


_TARGET = re.compile(r"\s*(>=|<=|>|<)\s*([0-9.]+)\s*")


def meets(value: float, target: str) -> bool:
    """Whether ``value`` meets a target written like ``">= 12"`` (``>=``, ``<=``, ``>``, ``<``).

    Args:
        value: the measured value.
        target: a comparison operator and a non-negative number, e.g. ``"<= 1.5"``.

    Raises:
        ValueError: if ``target`` is not written that way.
    """
    match = _TARGET.fullmatch(target)
    if match is None:
        raise ValueError(f"target must look like '>= 12', got {target!r}.")
    operator, bound = match.group(1), float(match.group(2))
    return {">=": value >= bound, "<=": value <= bound, ">": value > bound,
            "<": value < bound}[operator]


@dataclass(frozen=True)
class GoalNote:
    """What limits one goal of :func:`streamnets.performance.targets`, and what works on it.

    The discussion of the goals quotes it for every goal that is missed, after the
    sentence it writes from the measured values.
    """

    phrase: str
    """A phrase of the goal's text (``row["goal"]``) that names this goal alone."""
    limit: str
    """What limits the goal: the cause the measurements point to."""
    addressed_by: str
    """Which issue or experiment addresses it (or that none does yet, and what would)."""


#: One note per goal of :func:`streamnets.performance.targets`, in its order.
GOAL_NOTES: tuple[GoalNote, ...] = (
    GoalNote(
        "recomputing the 16-frame window",
        "at batch 1 every kernel of the step works on one frame of one stream, too little "
        "work to hide TensorFlow's fixed cost per op (dispatch, synchronization, memory "
        "layout), which the clip model spreads over the whole window in one call.",
        "issue 15 measured the same claim in LiteRT, where the model is deployed (the LiteRT "
        "section and its own goal below); on a server, batching streams (the many-cameras "
        "section) gives each kernel more work."),
    GoalNote(
        "BrainChip's bufferized float model",
        "both are TensorFlow graphs of the same convolutions on the same weights; they "
        "differ only in how a FIFO is written (our slice and concatenation, their buffered "
        "layers), a difference of the size of this machine's drift between two benchmarks.",
        "the noise band of the runtimes section decides the direction of each comparison; "
        "the float path we deploy, LiteRT, is compared with BrainChip's model there "
        "(issue 7). A faster compiled Keras step is not pursued: it is the reference, not "
        "the deployment."),
    GoalNote(
        "BrainChip's quantized Keras model",
        "quantizeml's 8-bit Keras model simulates integer arithmetic with float kernels, "
        "so its speed depends on TensorFlow's kernels, not on integer hardware.",
        "the runtimes section (issue 7) times both in the same run; the Akida runtime, the "
        "model's real target, cannot be timed here because its licence does not allow "
        "publishing its results."),
    GoalNote(
        "time / MACs limit at the int8 peak",
        "besides its convolutions the model has small early layers with few channels, "
        "depthwise layers (few MACs per byte read), the FIFO copies and the quantization "
        "of the float states at every frame, none of which run at the peak of a large "
        "matrix product.",
        "the LiteRT section profiles the int8 step op by op (`streamnets.litert_profile`, "
        "issue 15); states kept in int8 at the interface would remove the quantization at "
        "every frame, at the price of an interface that browsers cannot feed as simply "
        "(not done)."),
    GoalNote(
        "window recompute / FIFO step",
        "the step pays its interface (float states copied in and out, a Python call) at "
        "every frame, while the recompute pays it once per window, and a kernel on one "
        "frame runs less efficiently than on the whole window.",
        "issue 15 measured it and profiles both models op by op (the LiteRT section); the "
        "bare-invoke ratio there separates the interface from the kernels."),
    GoalNote(
        "bare invoke / its MACs limit",
        "the ops that are not convolutions (the FIFO shift, the quantization and "
        "dequantization of the states) take time without doing MACs, and the depthwise "
        "convolutions run below the peak of a large matrix product.",
        "the op-by-op profile of the LiteRT section (issue 15) shows each kind of op's "
        "share; fusing the FIFO shift into the convolution that reads it would remove its "
        "copies (not done: LiteRT has no such fused op)."),
)


def goal_note(goal: str) -> GoalNote | None:
    """The :data:`GOAL_NOTES` entry of a goal of :func:`streamnets.performance.targets`.

    Args:
        goal: the goal's text (``row["goal"]``).

    Returns:
        The one note whose phrase the goal contains, or ``None`` when none does (the
        tests check that every goal ``targets`` returns has exactly one).

    Raises:
        KeyError: if more than one note matches ``goal``.
    """
    found = [note for note in GOAL_NOTES if note.phrase in goal]
    if len(found) > 1:
        raise KeyError(f"{len(found)} notes match the goal {goal!r}; give each goal one "
                       "phrase of its own in GOAL_NOTES")
    return found[0] if found else None


def _unmet_litert_reason(goal: str, value: float, litert: Mapping[str, Any]) -> str:
    """What the LiteRT record says about a missed LiteRT goal."""
    limit = litert["int8_limit"]
    interface_us = 1000 * (limit["step_ms_median"] - limit["invoke_ms_median"])
    if "window recompute" in goal:
        bare = litert["latency_batch1"]["int8"]["recompute_window_ms_median"] / (
            limit["invoke_ms_median"])
        return (f"the lower ratio was {value:.1f}. The step pays its interface, "
                f"{interface_us:.0f} µs of float states copied in and out and a Python call, "
                f"at every frame; against the bare int8 invoke the ratio is {bare:.1f}"
                + (", so the interface is what keeps it below the target."
                   if bare >= 14 else
                   ", still short: the LiteRT section shows where the time goes."))
    groups = litert["profile"]["int8_step"]["groups_ms"]
    ours = sum(ms for name, ms in groups.items() if name != CONV_GROUP)
    return (f"the bare invoke took {value:.2f} times the limit. The convolutions alone take "
            f"{limit['ratio_convs_over_limit']:.2f} times it; the rest, {1000 * ours:.0f} µs "
            "per frame, is the FIFO shift and the quantization of the float states, which "
            "keep the interface usable from a browser (the LiteRT section).")


def _unmet_reason(row: Mapping[str, Any], streaming: Mapping[str, Any] | None,
                  runtimes: Mapping[str, Any] | None,
                  litert: Mapping[str, Any] | None = None) -> str:
    """What the results say about a goal that was missed."""
    goal, target, value = row["goal"], row["target"], row["measured"]
    streaming, runtimes = streaming or {}, runtimes or {}
    if goal.startswith("LiteRT") and litert and ("window recompute" in goal
                                                 or "bare invoke" in goal):
        return _unmet_litert_reason(goal, value, litert)
    if "recomputing" in goal and "latency_batch1" in streaming:
        batch1 = streaming["latency_batch1"]
        count = batched_streams(streaming)
        batched = streaming[f"latency_batch{count}"]["ratio_recompute_over_stream"]
        return (f"at batch 1 the step was {value:.1f} times cheaper than recomputing the window, "
                f"where the operation count allows {batch1['ratio_limit']} (the streaming "
                "section discusses "
                f"the difference). With {count} streams per batch the ratio was "
                f"{batched:.1f}, which "
                + ("meets the target: the goal holds for batched streams, not for a single "
                   "one." if meets(batched, target) else "misses it too."))
    if "bufferized" in goal:
        text = (f"in the lower of the two benchmarks BrainChip's bufferized model took "
                f"{value:.2f} times our step's time, so ours was not faster in both.")
        raw = runtimes.get("raw_seconds", {})
        if "keras_step_fn" in raw and "brainchip_bufferized_float" in raw:
            band = ratio_band(raw["brainchip_bufferized_float"], raw["keras_step_fn"],
                              runtimes.get("rounds", 1))
            text += (f" In the runtime benchmark the ratio's noise band runs {band.describe()}"
                     + (", which includes 1: the two models run the same convolutions on the "
                        "same weights, and the timings cannot tell them apart, let alone show "
                        "the lead this goal asks for." if band.includes_parity else
                        ": BrainChip's model is faster beyond the noise, a real miss."
                        if band.ratio < 1 else
                        ": ours is faster there beyond the noise, so the miss comes from the "
                        "streaming benchmark's timing."))
        return text
    if "quantized Keras" in goal:
        return (f"LiteRT int8 was {value:.1f} times faster than BrainChip's quantized Keras "
                f"model, short of the target ({target}).")
    if "MACs limit" in goal:
        peak = runtimes.get("peak_int8", {}).get("1_thread", {})
        return (f"LiteRT int8 took {value:.1f} times its MACs limit at the measured int8 peak"
                + (f" ({peak['litert_int8_ms_per_frame']:.2f} ms against "
                   f"{peak['gesture_limit_ms_per_frame']:.2f} ms)" if peak else "")
                + "; the LiteRT section profiles the int8 step op by op to show where the "
                "rest goes.")
    return f"measured {value:.2f}, against the target {target}."


def targets_discussion(rows: Sequence[Mapping[str, Any]], streaming: Mapping[str, Any] | None,
                       runtimes: Mapping[str, Any] | None,
                       litert: Mapping[str, Any] | None = None) -> str:
    """One bullet per goal of :func:`streamnets.performance.targets`: met, missed (and what
    the results say about the miss), or not measured (and why).

    Args:
        rows: the goals of :func:`streamnets.performance.targets` (``goal``, ``target``,
            ``measured``, ``met``).
        streaming: the streaming benchmark's result, to explain a missed streaming goal;
            ``None`` if not measured.
        runtimes: the runtime benchmark's result, to explain a missed runtime goal or a
            BrainChip goal not measured; ``None`` if not measured.
        litert: the LiteRT streaming benchmark's result, to explain a missed LiteRT goal;
            ``None`` if not measured.
    """
    bullets = []
    for row in rows:
        head = f"- *{row['goal']}* (target {row['target']}): "
        if row["met"] is None:
            peers = str((runtimes or {}).get("brainchip_peers", ""))
            why = (f": BrainChip's models were not timed, {_peers_note(runtimes or {})}"
                   if "BrainChip" in row["goal"] and peers.startswith("not") else "")
            bullets.append(head + f"not measured in this run{why}.")
        elif row["met"]:
            bullets.append(head + f"met, with {row['measured']:.2f}.")
        else:
            note = goal_note(row["goal"])
            bullets.append(head + f"**not met**, with {row['measured']:.2f}: "
                           + _unmet_reason(row, streaming, runtimes, litert)
                           + ("" if note is None else
                              f" What limits it: {note.limit} What addresses it: "
                              + note.addressed_by[0].upper() + note.addressed_by[1:]))
    met = sum(row["met"] is True for row in rows)
    missed = sum(row["met"] is False for row in rows)
    summary = f"Of {len(rows)} goals, {met} {'is' if met == 1 else 'are'} met"
    summary += f", {missed} missed" if missed else ""
    unknown = len(rows) - met - missed
    summary += f" and {unknown} not measured in this run." if unknown else "."
    return summary + "\n\n" + "\n".join(bullets)


def lessons_summary(blocks: Mapping[str, Any], streaming: Mapping[str, Any],
                    runtimes: Mapping[str, Any]) -> str:
    """The chapter's closing lessons, each stated with the numbers that support it.

    Args:
        blocks: the result of :func:`streamnets.performance.block_benchmark`.
        streaming: the result of :func:`streamnets.performance.streaming_benchmark`.
        runtimes: the result of :func:`streamnets.performance.runtime_benchmark`.
    """
    rates = {row["label"] + " block": row["gmacs_per_s"] for row in blocks["blocks"].values()}
    rates.update({RUNTIME_LABELS.get(name, name): row["gmacs_per_s"]
                  for name, row in runtimes["latency_batch1"].items()})
    slowest, fastest = min(rates, key=rates.get), max(rates, key=rates.get)
    text = (f"Two lessons carry beyond this model. First, operation counts are a budget, not a "
            f"timing: across this chapter's measurements the achieved multiply-accumulates per "
            f"second ranged from {rates[slowest]:.1f} GMAC/s ({slowest}) to "
            f"{rates[fastest]:.1f} GMAC/s ({fastest}).")
    kept = [row["ratio_vs_3d"]["speed"] * row["ratio_vs_3d"]["macs"]
            for row in list(blocks["blocks"].values())[1:]]
    batch1 = streaming["latency_batch1"]
    streaming_kept = batch1["ratio_recompute_over_stream"] / batch1["ratio_limit"]
    text += (f" The factorized blocks delivered {min(kept):.0%} to {max(kept):.0%} of the "
             f"speed-up their MACs promise, and the batch-1 streaming step {streaming_kept:.0%} "
             "of the speed-up its operation count promises.")
    keras_ms = _ms(runtimes, "keras_step_fn")
    float_ms, int8_ms = _ms(runtimes, "litert_float_1_thread"), _ms(runtimes,
                                                                    "litert_int8_1_thread")
    if float_ms is not None and int8_ms is not None:
        text += (f" Second, the runtime matters: at batch 1 the same streaming graph ran "
                 f"{compare_time(float_ms, keras_ms, 'compiled Keras')} in LiteRT float32, and "
                 f"its int8 form {compare_time(int8_ms, float_ms, 'that')}.")
    return text
