"""The gesture model: exact structure, cost accounting, causality and argument checks."""

import keras
import numpy as np
import pytest

from streamnets.models import gesture_net, layer_costs, macs_per_frame

BRAINCHIP_PARAMS = 1_353_895


@pytest.fixture(scope="module")
def model():
    return gesture_net()


def test_parameter_count_matches_brainchip(model):
    assert model.count_params() == BRAINCHIP_PARAMS


def test_trainable_split_matches_brainchip(model):
    # BN moving statistics are the only non-trainable weights: 6,296 in BrainChip's summary.
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == 6_296


def test_per_frame_output_shape(model):
    clips = np.random.default_rng(0).integers(0, 256, (2, 16, 100, 100, 3)).astype("uint8")
    logits = model(clips.astype("float32"))
    assert tuple(logits.shape) == (2, 16, 27)


def test_brainchip_layer_names(model):
    names = {layer.name for layer in model.layers}
    expected = {"input_conv", "gap"}
    for i in range(3):
        expected |= {f"convt_full_{i}_0", f"convs_full_{i}_0", f"convt_full_{i}_0_BN"}
    for i in (3, 4):
        expected |= {f"convt_dw_{i}_0", f"convt_pw_{i}_0", f"convs_dw_{i}_0", f"convs_pw_{i}_0"}
    assert expected <= names
    assert model.name == "jester_video"


def hand_count_macs() -> int:
    """MACs per frame counted by hand from DESIGN section 4 (no code shared with models.py)."""
    total = 3 * 3 * 3 * 8 * 50 * 50  # input conv
    # (temporal in->out at size, spatial in->out at output size) of the three full blocks
    full = [(8, 20, 50, 40, 25), (40, 80, 25, 120, 13), (120, 160, 13, 200, 7)]
    for c_in, c_t, size, c_s, out in full:
        total += 5 * c_in * c_t * size * size + 9 * c_t * c_s * out * out
    dw = [(200, 240, 7, 280, 4), (280, 320, 4, 640, 2)]
    for c_in, c_t, size, c_s, out in dw:
        total += 5 * c_in * size * size  # depthwise temporal
        total += c_in * c_t * size * size  # pointwise
        total += 9 * c_t * out * out  # depthwise spatial
        total += c_t * c_s * out * out  # pointwise
    return total + 640 * 640 + 640 * 27


def test_macs_per_frame_within_one_percent_of_hand_count(model):
    hand = hand_count_macs()
    assert abs(macs_per_frame(model) - hand) / hand < 0.01
    assert 68.0e6 < hand < 68.4e6  # DESIGN: about 68.2 M


def test_layer_costs_table_sums_and_names(model):
    rows = layer_costs(model)
    assert [r.name for r in rows] == [layer.name for layer in model.layers]
    assert sum(r.params for r in rows) == BRAINCHIP_PARAMS
    assert {r.kind for r in rows if r.macs} == {"Conv3D", "DepthwiseConv3D", "Dense"}


def test_symmetric_scaling_changes_only_the_input():
    raw = gesture_net(input_scaling="raw")
    sym = gesture_net(input_scaling="symmetric")
    assert raw.count_params() == sym.count_params()
    assert sym.get_layer("rescaling").scale == pytest.approx(1 / 127.5)
    assert sym.get_layer("rescaling").offset == pytest.approx(-1.0)


def test_causality_of_the_model():
    model = gesture_net((8, 64, 64, 3), n_classes=5)
    rng = np.random.default_rng(1)
    clip = rng.uniform(0, 255, (1, 8, 64, 64, 3)).astype("float32")
    changed = clip.copy()
    t = 3
    changed[:, t + 1 :] = rng.uniform(0, 255, changed[:, t + 1 :].shape)
    a, b = np.asarray(model(clip)), np.asarray(model(changed))
    np.testing.assert_allclose(a[:, : t + 1], b[:, : t + 1], rtol=1e-5, atol=1e-5)
    assert not np.allclose(a[:, t + 1 :], b[:, t + 1 :])


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"input_shape": (100, 100, 3)}, "input_shape"),
        ({"input_shape": (16, 1, 100, 100, 3)}, "input_shape"),
        ({"input_shape": (16, 16, 100, 3)}, "height"),
        ({"input_shape": (16, 100, 31, 3)}, "width"),
        ({"n_classes": 1}, "n_classes"),
        ({"temporal_kernel": 4}, "temporal_kernel"),
        ({"temporal_kernel": 0}, "temporal_kernel"),
        ({"temporal_kernel": -3}, "temporal_kernel"),
        ({"input_scaling": "imagenet"}, "input_scaling"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        gesture_net(**kwargs)


def test_per_frame_baseline_has_no_temporal_padding():
    baseline = gesture_net(temporal_kernel=1)
    assert not any(isinstance(layer, keras.layers.ZeroPadding3D) for layer in baseline.layers)
    assert baseline.count_params() < BRAINCHIP_PARAMS
