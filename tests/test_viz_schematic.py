"""The schematics are read from the model: shapes, channels, buffers and reach."""

from __future__ import annotations

import math

import keras
import pytest
from matplotlib.figure import Figure

from streamnets.models import BLOCK_CHANNELS, gesture_net
from streamnets.streaming import receptive_field, to_streaming
from streamnets.viz.schematic import fifo_rows, model_stages, plot_fifo_step, plot_model


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return gesture_net()


@pytest.fixture(scope="module")
def small() -> keras.Model:
    return gesture_net((None, 64, 64, 3), n_classes=5, temporal_kernel=3)


def test_stages_follow_the_model(model: keras.Model) -> None:
    stages = model_stages(model)
    assert [s.title.split(" (")[0] for s in stages] == [
        "input", "input conv", "block 1", "block 2", "block 3", "block 4", "block 5", "head"]
    blocks = stages[2:7]
    assert [s.output[-1] for s in blocks] == [spatial for _, spatial in BLOCK_CHANNELS]
    assert [s.output[:2] for s in blocks] == [(25, 25), (13, 13), (7, 7), (4, 4), (2, 2)]
    assert all(s.temporal for s in blocks) and not stages[0].temporal
    assert stages[-1].output == (27,)
    assert "separable" in stages[5].title and "separable" not in stages[4].title


def test_stages_of_another_configuration(small: keras.Model) -> None:
    stages = model_stages(small)
    assert stages[0].lines[0] == "T frames"  # frames=None: any clip length
    assert stages[-1].output == (5,)
    assert any("time 3" in line for line in stages[2].lines)


def test_stages_refuse_a_foreign_model() -> None:
    inputs = keras.Input((4, 32, 32, 3))
    other = keras.Model(inputs, keras.layers.Conv3D(2, 1)(inputs))
    with pytest.raises(ValueError, match="not a gesture_net-style model"):
        model_stages(other)


def test_fifo_rows_match_the_streaming_model(model: keras.Model) -> None:
    stream = to_streaming(model)
    rows = fifo_rows(model, stream)
    assert [r.state for r in rows] == list(stream.state_shapes())
    assert sum(r.bytes_per_stream for r in rows) == stream.state_bytes_per_stream()
    assert [r.block for r in rows] == [1, 2, 3, 4, 5]
    assert rows[-1].receptive_field == receptive_field(model) == 21
    for row in rows:
        assert row.bytes_per_stream == 4 * row.slots * math.prod(row.frame_shape)


def test_fifo_rows_with_kernel_three(small: keras.Model) -> None:
    rows = fifo_rows(small, to_streaming(small))
    assert [r.slots for r in rows] == [3] * 5
    assert [r.receptive_field for r in rows] == [3, 5, 7, 9, 11]


def test_figures_draw_and_label(model: keras.Model) -> None:
    fig = plot_model(model)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "25×25×40" in texts and "block 5 (separable)" in texts
    step = plot_fifo_step(model, to_streaming(model), frame=2)
    labels = [t.get_text() for t in step.axes[0].texts]
    assert labels.count("2") == 5 and labels.count("1") == 5  # newest two slots per FIFO
    assert labels.count("0") == 15  # three zero-padding slots per FIFO before frame 1
    with pytest.raises(ValueError, match="numbered from 1"):
        plot_fifo_step(model, to_streaming(model), frame=0)


def test_model_schematic_wraps_into_rows_that_fit_a_page(model: keras.Model) -> None:
    two_rows, one_row = plot_model(model), plot_model(model, columns=8)
    assert two_rows.get_figwidth() < 7 < one_row.get_figwidth()  # a page is about 7 in
    assert two_rows.get_figheight() > one_row.get_figheight()
    with pytest.raises(ValueError, match="columns"):
        plot_model(model, columns=0)
