"""Chapter 9's peers section: MoViNet-A0-Stream beside our model, from the ``peers`` result
of :func:`streamnets.peers.peers_benchmark` (table, achieved-MAC/s figure, sentences).

Every sentence is computed from the numbers it cites, so a conclusion flips with them.
No TensorFlow here: the result is plain JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from streamnets.viz.style import legend_outside, styled

#: Display names of the models and runtimes in the result.
MODEL_NAMES = {"movinet_a0_stream": "MoViNet-A0-Stream", "ours": "ours (5 blocks)"}
RUNTIMES = {"tf_function": "tf.function", "litert_float": "LiteRT float",
            "litert_int8": "LiteRT int8"}


def _rows(result: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    sizes = result.get("sizes") or {}
    if not sizes:
        raise ValueError("the peers result holds no sizes; run benchmarks/bench_peers.py.")
    return [(size, model, row) for size, models in sizes.items()
            for model, row in models.items()]


def peers_markdown(result: Mapping[str, Any]) -> str:
    """One row per model and frame size: cost, states and ms per frame per runtime.

    Args:
        result: the ``peers`` result of :func:`streamnets.peers.peers_benchmark` (or
            :func:`streamnets.peers.reference_result`): ``sizes`` maps a frame size in
            pixels (as text) to each model's row.

    Raises:
        ValueError: if ``result`` holds no sizes.
    """
    lines = ["| model | pixels | parameters | MACs / frame | states (float KiB) | "
             + " | ".join(f"{name} ms" for name in RUNTIMES.values()) + " |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(RUNTIMES)]
    for size, model, row in _rows(result):
        ms = row["ms_per_frame"]
        lines.append(
            f"| {MODEL_NAMES.get(model, model)} | {size} | {row['params'] / 1e6:.2f} M | "
            f"{row['macs_per_frame'] / 1e6:.1f} M | {row['state_count']} "
            f"({row['state_bytes_float'] / 1024:.0f}) | "
            + " | ".join(f"{ms[key]:.2f}" for key in RUNTIMES) + " |")
    return "\n".join(lines)


@styled
def plot_peers(result: Mapping[str, Any]) -> Figure:
    """Achieved GMAC/s (MACs per frame over ms per frame) per model, size and runtime.

    Args:
        result: the ``peers`` result (see :func:`peers_markdown`); one group of bars per
            model and size, one bar per runtime of :data:`RUNTIMES`.
    """
    rows = _rows(result)
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(RUNTIMES)
    x = np.arange(len(rows))
    for i, (key, name) in enumerate(RUNTIMES.items()):
        values = [row["gmacs_per_s"][key] for _, _, row in rows]
        bars = ax.bar(x + (i - (len(RUNTIMES) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    ax.set_xticks(x, [f"{MODEL_NAMES.get(m, m)}\n{s} px" for s, m, _ in rows], fontsize=8)
    ax.set_ylabel("achieved GMAC/s\n(higher: hardware better used)")
    legend_outside(ax, "right")
    ax.grid(axis="y", alpha=0.3)
    return fig


def _times(a: float, b: float) -> str:
    """'2.3× faster' or '1.4× slower': how a time ``a`` compares with ``b``."""
    return f"{b / a:.1f}× faster" if a < b else f"{a / b:.1f}× slower"


def _pieces(count: int) -> str:
    return "one piece" if count == 1 else f"{count} pieces"


def peers_summary(result: Mapping[str, Any], size: str = "100") -> list[str]:
    """Sentences for the chapter, at one frame size, each computed from the result.

    Args:
        result: the ``peers`` result (see :func:`peers_markdown`).
        size: the frame size in pixels, as the key of ``result["sizes"]`` (text, e.g.
            ``"100"``); both MoViNet and ours must have been measured at it.

    Returns:
        The sentences in order, each a complete sentence of Markdown.

    Raises:
        ValueError: if ``result`` has no MoViNet-and-ours pair at ``size``.
    """
    models = (result.get("sizes") or {}).get(size)
    if not models or not {"movinet_a0_stream", "ours"} <= set(models):
        raise ValueError(f"the peers result has no MoViNet-and-ours pair at {size} px.")
    mov, ours = models["movinet_a0_stream"], models["ours"]
    m_ms, o_ms = mov["ms_per_frame"], ours["ms_per_frame"]
    sentences = [
        f"At {size} pixels MoViNet-A0-Stream does {mov['macs_per_frame'] / 1e6:.1f} M MACs per "
        f"frame and ours {ours['macs_per_frame'] / 1e6:.1f} M, "
        f"{ours['macs_per_frame'] / mov['macs_per_frame']:.1f}× as many; MoViNet carries "
        f"{mov['state_count']} state tensors per stream, ours {ours['state_count']}.",
        f"In LiteRT float our step is {_times(o_ms['litert_float'], m_ms['litert_float'])} "
        f"than MoViNet's ({o_ms['litert_float']:.2f} against {m_ms['litert_float']:.2f} ms).",
        f"In LiteRT int8 our step is {_times(o_ms['litert_int8'], m_ms['litert_int8'])} "
        f"than MoViNet's ({o_ms['litert_int8']:.2f} against {m_ms['litert_int8']:.2f} ms).",
    ]
    for name, row in (("MoViNet's", mov), ("Our", ours)):
        ms, ops = row["ms_per_frame"], row["ops_int8"]
        gain = ms["litert_float"] / ms["litert_int8"]
        requantize = ops.get("QUANTIZE", 0) + ops.get("DEQUANTIZE", 0)
        verdict = (f"{gain:.1f}× faster than" if gain > 1 else
                   f"{1 / gain:.1f}× slower than")
        sentences.append(f"{name} int8 step is {verdict} its own float step "
                         f"({ms['litert_int8']:.2f} against {ms['litert_float']:.2f} ms); its "
                         f"int8 graph has {ops.get('HARD_SWISH', 0)} hard-swish and "
                         f"{requantize} quantize/dequantize ops, and XNNPACK runs it in "
                         f"{_pieces(row['xnnpack_partitions']['int8'])} (the float graph in "
                         f"{_pieces(row['xnnpack_partitions']['float'])}).")
    better = max((("MoViNet-A0-Stream", mov), ("ours", ours)),
                 key=lambda item: item[1]["gmacs_per_s"]["litert_int8"])
    sentences.append(
        f"Per MAC, {better[0]} uses the CPU best in int8: "
        f"{better[1]['gmacs_per_s']['litert_int8']:.1f} GMAC/s against "
        f"{min(mov['gmacs_per_s']['litert_int8'], ours['gmacs_per_s']['litert_int8']):.1f}.")
    return sentences


def peers_source(result: Mapping[str, Any], fresh: bool) -> str:
    """Where the peers numbers come from, for the chapter to say plainly.

    Args:
        result: the ``peers`` result, with its ``environment`` (machine, date) and
            ``commit``; missing fields show as ``?``.
        fresh: ``True`` when this build's ``make bench`` measured ``result``, ``False``
            when it is the reference record shipped with the package.

    Returns:
        A clause (no capital, no final full stop) to embed in a sentence.
    """
    env = result.get("environment", {})
    machine = env.get("machine", {})
    load = machine.get("load_average_1_5_15_min")
    where = (f"a {machine.get('cpu_count', '?')}-core {machine.get('processor', 'CPU')} "
             f"on {str(env.get('date', '?'))[:10]}"
             + (f", load average {load[0]:.1f}" if load else ", load not recorded")
             + f", at commit {str(result.get('commit', '?'))[:7]}")
    if fresh:
        return f"measured by this build's `make bench` run ({where})"
    return (f"the record shipped with the package (`streamnets/reference/peers.json`), "
            f"measured by `benchmarks/bench_peers.py` on {where}; the peers environment is "
            f"not part of the book's, so `make book` does not measure it again")
