"""Shipped weights (``load_pretrained``) and BrainChip h5 import (``load_brainchip_weights``)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from streamnets import models, train, weights
from streamnets.data import JESTER_CLASSES, MIRROR_PAIRS, class_index, clip_spec, synthetic_clip
from streamnets.streaming import max_relative_error

SMALL = (4, 32, 32, 3)
N_CLASSES = 5


# ------------------------------------------------------------------ load_pretrained


def test_pretrained_model_classifies_fresh_test_clips():
    """>= 95% clip accuracy (decay 0.8) on 4 fresh test-split clips per class.

    The model card scored the first clips of the test split; these come from further
    into it, so neither training (disjoint seeds) nor the card ever saw them.
    """
    model = weights.load_pretrained("synthetic")
    first = 200_000  # the card scored clips 0 .. card["test"]["clips"] - 1
    assert weights.model_card("synthetic")["test"]["clips"] < first
    specs = [clip_spec("test", index) for index in range(first, first + 4 * len(JESTER_CLASSES))]
    labels = np.array([label for label, _ in specs])
    assert np.all(np.bincount(labels) == 4)
    clips = np.stack([synthetic_clip(label, seed) for label, seed in specs])
    logits = model.predict(clips, batch_size=27, verbose=0)
    scores = train.evaluate_logits(logits, labels)
    assert scores["clip_accuracy"] >= 0.95, scores["per_class_accuracy"]


@pytest.mark.parametrize("name", ["synthetic", "synthetic_perframe"])
def test_shipped_weights_give_the_logits_of_the_average_pooling3d_head(name):
    """The head's mean (LiteRT-friendly) replaced AveragePooling3D((1, H, W)) after these
    weights were trained: they still load, and the logits are those of the old layer."""
    model = weights.load_pretrained(name, frames=4)
    x = model.inputs[0]
    for layer in model.layers[1:]:
        if layer.name == "gap":
            layer = keras.layers.AveragePooling3D((1, *x.shape[2:4]))
        x = layer(x)
    old = keras.Model(model.inputs[0], x)
    clips = np.random.default_rng(6).integers(0, 256, (2, 4, 100, 100, 3)).astype("float32")
    new_logits, old_logits = np.asarray(model(clips)), np.asarray(old(clips))
    assert np.abs(old_logits).max() > 1  # trained weights: logits far from zero
    assert max_relative_error(old_logits, new_logits) <= 1e-6


def test_model_cards_record_how_and_how_well():
    card = weights.model_card("synthetic")
    for key in ("command", "wall_time_s", "machine", "clips_seen"):
        assert key in card["training"]
    assert card["data"]["dataset"] == "synthetic"
    assert card["test"]["clip_accuracy"] >= 0.97
    assert card["test"]["frame_accuracy"] < card["test"]["clip_accuracy"]
    baseline = weights.model_card("synthetic_perframe")
    assert baseline["model"]["temporal_kernel"] == 1
    # Mirror pairs differ only in frame order: the per-frame baseline must fall far behind.
    assert (
        baseline["test"]["mirror_pairs_clip_accuracy"]
        < card["test"]["mirror_pairs_clip_accuracy"] - 0.3
    )


def test_unknown_pretrained_name_lists_the_available_ones():
    with pytest.raises(ValueError, match="synthetic"):
        weights.load_pretrained("imagenet")


def test_mirror_pairs_are_known_classes():
    assert all(class_index(a) != class_index(b) for a, b in MIRROR_PAIRS)


# ------------------------------------------------------------------ BrainChip h5


def _brainchip_model(tfk, input_shape=SMALL, n_classes=N_CLASSES, temporal_kernel=5):
    """A tf_keras model with BrainChip's names and structure (see the reference summary).

    Conv3D everywhere, depthwise via ``groups``, auto-named ZeroPadding3D and
    ActivityRegularization layers, ``name/BN`` and ``name/relu``, Dense on 5-D tensors.
    """
    layers = tfk.layers
    rng = np.random.default_rng(0)

    def conv_bn_relu(x, filters, kernel, name, strides=(1, 1, 1), padding="same",
                     use_bias=True, groups=1):
        x = layers.Conv3D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                          groups=groups, name=name)(x)
        x = layers.BatchNormalization(name=f"{name}/BN")(x)
        x = layers.ReLU(name=f"{name}/relu")(x)
        return layers.ActivityRegularization()(x)

    def temporal(x, filters, name, depthwise=False):
        x = layers.ZeroPadding3D(((temporal_kernel - 1, 0), (0, 0), (0, 0)))(x)
        return conv_bn_relu(x, filters, (temporal_kernel, 1, 1), name, padding="valid",
                            use_bias=not depthwise, groups=x.shape[-1] if depthwise else 1)

    def spatial(x, filters, name, depthwise=False):
        return conv_bn_relu(x, filters, (1, 3, 3), name, strides=(1, 2, 2),
                            use_bias=not depthwise, groups=x.shape[-1] if depthwise else 1)

    inputs = tfk.Input(input_shape, name="input")
    x = layers.Rescaling(1.0, 0.0, name="rescaling")(inputs)
    x = conv_bn_relu(x, 8, (1, 3, 3), "input_conv", strides=(1, 2, 2), use_bias=False)
    for i, ((t, s), dw) in enumerate(zip(models.BLOCK_CHANNELS, models.DEPTHWISE_BLOCKS,
                                         strict=True)):
        if not dw:
            x = temporal(x, t, f"convt_full_{i}_0")
            x = spatial(x, s, f"convs_full_{i}_0")
        else:
            x = temporal(x, x.shape[-1], f"convt_dw_{i}_0", depthwise=True)
            x = conv_bn_relu(x, t, (1, 1, 1), f"convt_pw_{i}_0")
            x = spatial(x, x.shape[-1], f"convs_dw_{i}_0", depthwise=True)
            x = conv_bn_relu(x, s, (1, 1, 1), f"convs_pw_{i}_0")
    x = layers.AveragePooling3D((1, x.shape[2], x.shape[3]), name="gap")(x)
    x = layers.Dense(640)(x)
    x = layers.ReLU()(x)
    x = layers.Dense(n_classes)(x)
    model = tfk.Model(inputs, x, name="jester_video")
    # Non-trivial BN statistics, so a swapped mean/variance would show in the outputs.
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([
                rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.1, beta.shape),
                rng.normal(0, 0.1, mean.shape), rng.uniform(0.5, 1.5, var.shape),
            ])
    return model


@pytest.fixture(scope="module")
def brainchip_h5(tmp_path_factory):
    tfk = pytest.importorskip("tf_keras")
    reference = _brainchip_model(tfk)
    path = tmp_path_factory.mktemp("brainchip") / "tenn_spatiotemporal_jester.h5"
    reference.save(path, save_format="h5")
    clips = np.random.default_rng(1).integers(0, 256, (2, *SMALL)).astype("float32")
    expected = reference.predict(clips, verbose=0).reshape(2, SMALL[0], N_CLASSES)
    return path, clips, expected


@pytest.mark.akida  # BrainChip's h5 is written by tf_keras
def test_brainchip_h5_round_trip(brainchip_h5):
    path, clips, expected = brainchip_h5
    model = weights.load_brainchip_weights(models.gesture_net(SMALL, N_CLASSES), path)
    np.testing.assert_allclose(model.predict(clips, verbose=0), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.akida  # BrainChip's h5 is written by tf_keras
def test_brainchip_weights_only_h5_loads_too(brainchip_h5, tmp_path):
    tfk = pytest.importorskip("tf_keras")
    path, clips, expected = brainchip_h5
    weights_only = tmp_path / "weights_only.h5"
    tfk.models.load_model(path, compile=False).save_weights(weights_only)
    model = weights.load_brainchip_weights(models.gesture_net(SMALL, N_CLASSES), weights_only)
    np.testing.assert_allclose(model.predict(clips, verbose=0), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.akida  # BrainChip's h5 is written by tf_keras
def test_brainchip_h5_other_class_count_names_the_head(brainchip_h5):
    path, _, _ = brainchip_h5
    model = models.gesture_net(SMALL, N_CLASSES + 1)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=rf"dense.*\(640, {N_CLASSES}\).*n_classes={N_CLASSES}"):
        weights.load_brainchip_weights(model, path)
    # Nothing is assigned before every shape was checked.
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


@pytest.mark.akida  # BrainChip's h5 is written by tf_keras
def test_brainchip_h5_other_architecture_names_the_layer(brainchip_h5):
    path, _, _ = brainchip_h5
    model = models.gesture_net(SMALL, N_CLASSES, temporal_kernel=3)
    with pytest.raises(ValueError, match=r"convt_full_0_0.*\(5, 1, 1, 8, 20\).*\(3, 1, 1, 8, 20\)"):
        weights.load_brainchip_weights(model, path)


def test_brainchip_h5_missing_or_corrupt_file(tmp_path):
    model = models.gesture_net(SMALL, N_CLASSES)
    with pytest.raises(FileNotFoundError, match="not found"):
        weights.load_brainchip_weights(model, tmp_path / "absent.h5")
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"<html>503 Service Unavailable</html>")
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        weights.load_brainchip_weights(model, corrupt)
    keras3 = tmp_path / "ours.weights.h5"
    model.save_weights(keras3)
    with pytest.raises(ValueError, match="not a tf_keras weights file"):
        weights.load_brainchip_weights(model, keras3)


@pytest.mark.parametrize("name", ["synthetic", "synthetic_perframe"])
def test_shipped_cards_say_how_to_reproduce_them_and_how_exactly(name):
    reproduce = weights.model_card(name)["reproduce"]
    stages = reproduce["command"].split(" && ")
    assert len(stages) == 2 and all(s.startswith("streamnets train synthetic") for s in stages)
    assert f"--init-weights runs/stage1/{name}.weights.h5" in stages[1]
    assert reproduce["exact"] is False and reproduce["why"]
    assert reproduce["streamnets_version"] == "0.1.0"
