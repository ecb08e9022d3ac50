"""Chapter 1's comparison models: one block of each kind, and the full-3D gesture model."""

from __future__ import annotations

import numpy as np
import pytest

from streamnets.baselines import BLOCK_TYPES, block_model, conv3d_gesture_net
from streamnets.models import BLOCK_CHANNELS, macs_per_frame

SHAPE = (6, 9, 9, 4)  # tiny: frames, height, width, channels
MID, OUT, K = 6, 8, 3


def hand_macs(kind: str) -> int:
    """MACs per frame counted by hand for SHAPE -> 5x5 output (stride 2)."""
    _, h, w, c = SHAPE
    small, big = 5 * 5, h * w
    return {
        "conv3d": K * 9 * c * OUT * small,
        "r2plus1d": 9 * c * MID * small + K * MID * OUT * small,
        "full": K * c * MID * big + 9 * MID * OUT * small,
        "depthwise": K * c * big + c * MID * big + 9 * MID * small + MID * OUT * small,
    }[kind]


@pytest.mark.parametrize("kind", BLOCK_TYPES)
def test_block_shapes_and_macs(kind: str) -> None:
    model = block_model(kind, SHAPE, mid_filters=MID, filters=OUT, temporal_kernel=K)
    assert tuple(model.output.shape) == (None, SHAPE[0], 5, 5, OUT)  # one output per frame
    assert macs_per_frame(model) == hand_macs(kind)


@pytest.mark.parametrize("kind", BLOCK_TYPES)
def test_block_is_causal_and_graph_matches_eager(kind: str) -> None:
    model = block_model(kind, SHAPE, mid_filters=MID, filters=OUT, temporal_kernel=K)
    rng = np.random.default_rng(0)
    clip = rng.normal(size=(1, *SHAPE)).astype(np.float32)
    changed = clip.copy()
    changed[:, 3:] = rng.normal(size=changed[:, 3:].shape)
    eager = np.asarray(model(clip, training=False))
    graph = model.predict_on_batch(clip)
    # predict_on_batch runs a TF graph, where Grappler rewrites layers; it must agree.
    assert graph.shape == eager.shape
    np.testing.assert_allclose(graph, eager, atol=1e-5)
    after = model.predict_on_batch(changed)
    np.testing.assert_allclose(after[:, :3], graph[:, :3], atol=1e-6)  # past untouched
    assert np.abs(after[:, 3:] - graph[:, 3:]).max() > 1e-3  # the changed frames matter


def test_block_model_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="block_type"):
        block_model("conv2d")
    with pytest.raises(ValueError, match="input_shape"):
        block_model("full", (9, 9, 4))
    with pytest.raises(ValueError, match="temporal_kernel"):
        block_model("full", temporal_kernel=4)


def test_conv3d_gesture_net_cost() -> None:
    model = conv3d_gesture_net()
    sizes = (50, 25, 13, 7, 4, 2)  # input conv output, then each block's output
    in_channels = (8,) + tuple(spatial for _, spatial in BLOCK_CHANNELS[:-1])
    blocks = sum(5 * 9 * cin * cout * sizes[i + 1] ** 2
                 for i, (cin, (_, cout)) in enumerate(zip(in_channels, BLOCK_CHANNELS,
                                                          strict=True)))
    input_conv, head = 9 * 3 * 8 * 50 * 50, 640 * 640 + 640 * 27
    assert macs_per_frame(model) == input_conv + blocks + head == 171_966_880
    assert tuple(model.output.shape) == (None, 16, 27)


def test_conv3d_gesture_net_runs_in_graph_mode() -> None:
    model = conv3d_gesture_net((4, 64, 64, 3), n_classes=5)
    clip = np.random.default_rng(1).integers(0, 256, (1, 4, 64, 64, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict_on_batch(clip), model(clip, training=False),
                               atol=1e-4)
