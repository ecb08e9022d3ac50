"""Where a LiteRT model's time goes, op by op.

The ``ai_edge_litert`` wheel exposes no op profiler to Python (its benchmark tool times
whole calls only), so each op is cut out of the model into a model of its own (the
same tensors, weights and quantization; the op's data inputs become the model's inputs)
and timed alone, all of them and the whole model in turn. If the op times add up to the
whole model's time, the per-op picture is a faithful one; :func:`op_profile` reports
both so that a reader (and a test) can check it. Importing this module starts no
TensorFlow (chapter 9's sentences use :data:`OP_GROUPS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamnets.timing import time_in_turn

CONV_GROUP = "convolutions and dense"
#: What each op of the streaming step does, for the breakdown.
OP_GROUPS: Mapping[str, str] = {
    "CONV_2D": CONV_GROUP,
    "DEPTHWISE_CONV_2D": CONV_GROUP,
    "FULLY_CONNECTED": CONV_GROUP,
    "STRIDED_SLICE": "FIFO shift and reshapes",
    "CONCATENATION": "FIFO shift and reshapes",
    "RESHAPE": "FIFO shift and reshapes",
    "PAD": "FIFO shift and reshapes",
    "QUANTIZE": "(de)quantize and cast",
    "DEQUANTIZE": "(de)quantize and cast",
    "CAST": "(de)quantize and cast",
}
OTHER_GROUP = "other"


@dataclass(frozen=True)
class OpTime:
    """One op of the model and its median time alone."""

    index: int
    op: str
    output: str
    """Name of the op's first output tensor (it names the layer)."""
    ms: float

    @property
    def group(self) -> str:
        return OP_GROUPS.get(self.op, OTHER_GROUP)


def _model_tools() -> Any:
    from ai_edge_litert.tools import flatbuffer_utils  # optional extra, like the runtime

    return flatbuffer_utils


def single_op_models(model: bytes) -> list[tuple[str, str, bytes]]:
    """``(op name, first output name, one-op model)`` for every op of ``model``.

    Each one-op model keeps all tensors and buffers; its inputs are the op's inputs that
    hold no constant data, its outputs the op's outputs. Only the first subgraph is cut.

    Args:
        model: a LiteRT flatbuffer, e.g. from :func:`streamnets.litert.convert_litert`.
    """
    tools = _model_tools()
    graph_model = tools.convert_bytearray_to_object(bytearray(model))
    graph = graph_model.subgraphs[0]
    operators, inputs, outputs = graph.operators, graph.inputs, graph.outputs
    signatures, graph_model.signatureDefs = graph_model.signatureDefs, []

    def is_data(tensor: int) -> bool:
        buffer = graph_model.buffers[graph.tensors[tensor].buffer]
        return tensor >= 0 and (buffer.data is None or len(buffer.data) == 0) and not (
            buffer.size)

    singles = []
    try:
        for op in operators:
            graph.operators = [op]
            graph.inputs = [t for t in op.inputs if is_data(t)]
            graph.outputs = list(op.outputs)
            name = tools.opcode_to_name(graph_model, op.opcodeIndex) or "UNKNOWN"
            output = graph.tensors[op.outputs[0]].name
            output = output.decode() if isinstance(output, bytes) else str(output)
            singles.append((name, output, bytes(tools.convert_object_to_bytearray(graph_model))))
    finally:
        graph.operators, graph.inputs, graph.outputs = operators, inputs, outputs
        graph_model.signatureDefs = signatures
    return singles


def invoker(model: bytes, threads: int = 1) -> Any:
    """A call that invokes ``model`` once, its inputs set to fixed random values.

    Float inputs get standard normal values, integer inputs uniform values over their
    dtype's range, all from seed 0.

    Args:
        model: a LiteRT flatbuffer (a whole model or one of :func:`single_op_models`).
        threads: CPU threads the LiteRT interpreter may use.

    Returns:
        A function of one ignored argument (for :func:`streamnets.timing.time_in_turn`)
        that runs ``model`` once.
    """
    from streamnets.litert import litert_interpreter  # TensorFlow: only when timing

    interpreter = litert_interpreter()(model_content=model, num_threads=threads)
    interpreter.allocate_tensors()
    rng = np.random.default_rng(0)
    for detail in interpreter.get_input_details():
        dtype = np.dtype(detail["dtype"])
        if dtype.kind == "f":
            value = rng.standard_normal(detail["shape"]).astype(dtype)
        else:
            info = np.iinfo(dtype)
            value = rng.integers(info.min, info.max, detail["shape"], endpoint=True, dtype=dtype)
        interpreter.set_tensor(detail["index"], value)
    return lambda _: interpreter.invoke()


def op_profile(model: bytes, repeats: int = 21, rounds: int = 3, threads: int = 1
               ) -> dict[str, Any]:
    """Per-op median times of ``model`` against its whole-model time, measured in turn.

    Returns ``{"ops": [OpTime, ...], "model_ms": whole invoke, "ops_sum_ms": sum of the
    ops, "sum_over_model": their ratio, "groups_ms": time per :data:`OP_GROUPS` group}``.
    Timing one op alone misses what running them back to back shares (warm caches)
    and costs each op one invoke's overhead, so the sum is checked, not assumed.

    Args:
        model: a LiteRT flatbuffer, e.g. the streaming step of
            :func:`streamnets.litert.convert_litert`.
        repeats: timed calls per turn of each op and of the whole model.
        rounds: turns every op and the whole model take, alternating.
        threads: CPU threads of each interpreter (an int >= 1).
    """
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads must be an int >= 1, got {threads!r}.")
    singles = single_op_models(model)
    calls = {"model": invoker(model, threads)}
    calls.update({str(index): invoker(blob, threads)
                  for index, (_, _, blob) in enumerate(singles)})
    seconds = time_in_turn({name: (call, None) for name, call in calls.items()}, repeats, rounds)
    ms = {name: 1000.0 * float(np.median(values)) for name, values in seconds.items()}
    ops = [OpTime(index, op, output, ms[str(index)])
           for index, (op, output, _) in enumerate(singles)]
    total = sum(op.ms for op in ops)
    groups: dict[str, float] = {}
    for op in ops:
        groups[op.group] = groups.get(op.group, 0.0) + op.ms
    return {"ops": ops, "model_ms": ms["model"], "ops_sum_ms": total,
            "sum_over_model": total / ms["model"], "groups_ms": groups}
