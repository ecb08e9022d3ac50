"""What one call of a deployed LiteRT model costs, read from the flatbuffer itself.

Counting from the graph treats every model alike: ours, exported by
:mod:`streamnets.export`, and a peer such as MoViNet, exported by its own tools. Only
convolutions and fully connected layers multiply here; activations, pooling, reshapes
and the FIFO copies are counted as free, exactly as :func:`streamnets.models.layer_costs`
counts the Keras model, so the two counters agree on our model (a test checks it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The state inputs of a streaming export are every input but these.
FRAME_INPUTS = ("image",)


def _interpreter(model: str | os.PathLike | bytes) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    if isinstance(model, bytes):
        return Interpreter(model_content=model)
    if not Path(model).is_file():
        raise FileNotFoundError(f"no LiteRT model at {model}")
    return Interpreter(model_path=str(model))


def _op_macs(name: str, inputs: list[Mapping[str, Any]], output: Mapping[str, Any]) -> int:
    """Multiply-accumulates of one op: output elements times the products behind each."""
    out = math.prod(int(v) for v in output["shape"])
    weights = [int(v) for v in inputs[1]["shape"]] if len(inputs) > 1 else []
    if name == "CONV_2D":  # filter (out, kh, kw, in / groups)
        return out * math.prod(weights[1:])
    if name == "DEPTHWISE_CONV_2D":  # filter (1, kh, kw, out)
        return out * weights[1] * weights[2]
    if name == "CONV_3D":  # filter (kt, kh, kw, in, out)
        return out * math.prod(weights[:4])
    if name == "FULLY_CONNECTED":  # weights (units, in)
        return out * weights[1]
    return 0


@dataclass(frozen=True)
class GraphCosts:
    """MACs per call by op type, op counts, and the states a stream carries."""

    macs_by_op: dict[str, int]
    ops: dict[str, int]
    state_count: int
    state_bytes: int  # per call (per stream for a batch-1 export), in the states' dtypes
    xnnpack_partitions: int  # pieces of the graph XNNPACK runs (0: it takes nothing)

    @property
    def macs(self) -> int:
        """All multiply-accumulates of one call."""
        return sum(self.macs_by_op.values())


def graph_costs(model: str | os.PathLike | bytes, signature: str = "serving_default"
                ) -> GraphCosts:
    """Count MACs per op type, ops, and state tensors of a LiteRT model.

    Args:
        model: the ``.tflite`` file or its bytes.
        signature: the signature whose non-frame inputs are the states.
    """
    interpreter = _interpreter(model)
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    macs: dict[str, int] = {}
    ops: dict[str, int] = {}
    for op in interpreter._get_ops_details():  # the public API has no op list
        name = op["op_name"]
        ops[name] = ops.get(name, 0) + 1
        found = _op_macs(name, [tensors[i] for i in op["inputs"] if i >= 0],
                         tensors[op["outputs"][0]])
        if found:
            macs[name] = macs.get(name, 0) + found
    signatures = interpreter.get_signature_list()
    if signature not in signatures:
        raise ValueError(f"the model has no {signature!r} signature (it has "
                         f"{sorted(signatures)}).")
    details = interpreter.get_signature_runner(signature).get_input_details()
    states = {k: v for k, v in details.items() if k not in FRAME_INPUTS}
    size = sum(math.prod(int(s) for s in v["shape"]) * v["dtype"]().itemsize
               for v in states.values())
    return GraphCosts(macs, ops, len(states), int(size), xnnpack_partitions(model))


def xnnpack_partitions(model: str | os.PathLike | bytes) -> int:
    """How many pieces of the graph LiteRT's default CPU delegate, XNNPACK, takes.

    Once tensors are allocated, every run of consecutive ops that XNNPACK supports becomes
    one ``DELEGATE`` node; the ops between the pieces run on LiteRT's own kernels, and each
    boundary costs a hand-over. One piece means XNNPACK runs the whole graph.

    Args:
        model: the ``.tflite`` file or its bytes.
    """
    interpreter = _interpreter(model)
    interpreter.allocate_tensors()
    return sum(op["op_name"] == "DELEGATE" for op in interpreter._get_ops_details())
