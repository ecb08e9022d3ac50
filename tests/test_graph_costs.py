"""Costs read from a LiteRT graph agree with the Keras counter on our model."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamnets.graph_costs import graph_costs
from streamnets.litert import convert_litert
from streamnets.models import gesture_net, macs_per_frame
from streamnets.streaming import to_streaming


@pytest.fixture(scope="module")
def small() -> tuple:
    model = gesture_net((16, 48, 48, 3), n_classes=7)
    stream = to_streaming(model)
    return model, stream, convert_litert(stream)


def test_graph_macs_equal_the_keras_count(small: tuple) -> None:
    model, stream, content = small
    costs = graph_costs(content)
    assert costs.macs == macs_per_frame(model)
    assert set(costs.macs_by_op) <= {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}
    assert costs.ops["CONV_2D"] >= 5
    assert costs.xnnpack_partitions == 1  # XNNPACK runs the whole float step


def test_graph_states_are_the_fifos(small: tuple, tmp_path: Path) -> None:
    _, stream, content = small
    path = tmp_path / "model.tflite"
    path.write_bytes(content)
    costs = graph_costs(path)
    assert costs.state_count == len(stream.state_shapes())
    assert costs.state_bytes == stream.state_bytes_per_stream()  # float32 states


def test_graph_costs_errors(small: tuple, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no LiteRT model"):
        graph_costs(tmp_path / "missing.tflite")
    with pytest.raises(ValueError, match="no 'other' signature"):
        graph_costs(small[2], signature="other")
