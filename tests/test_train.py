"""Per-frame loss and metric, schedule, evaluation, fit/resume and tf.distribute."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from streamnets import train

N_CLASSES = 3
FRAMES, SIZE = 4, 8


def tiny_net(n_classes: int = N_CLASSES) -> keras.Model:
    """A few-thousand-parameter (B, T, H, W, 3) -> (B, T, C) model with BN: fast to train.

    Fit, resume and distribution do not depend on the model's size.
    """
    inputs = keras.Input((FRAMES, SIZE, SIZE, 3))
    x = keras.layers.Rescaling(1 / 255)(inputs)
    x = keras.layers.ZeroPadding3D(((1, 0), (0, 0), (0, 0)))(x)
    # No bias before BN: its gradient is zero up to rounding, which Adam would blow up to
    # full-size steps of random sign, and the one- and two-device runs would differ there.
    x = keras.layers.Conv3D(6, (2, 3, 3), strides=(1, 2, 2), padding="valid", use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.AveragePooling3D((1, x.shape[2], x.shape[3]))(x)
    x = keras.layers.Dense(n_classes)(x)
    return keras.Model(inputs, keras.layers.Reshape((FRAMES, n_classes))(x))


def fixed_batch(seed: int = 0, batch: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Clips whose class is readable from the colour, so a few steps can learn it."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, N_CLASSES, batch).astype("int32")
    clips = rng.integers(0, 60, (batch, FRAMES, SIZE, SIZE, 3))
    clips[np.arange(batch), ..., labels] += 180
    return clips.astype("uint8"), labels


def epoch_data(epoch: int) -> tf.data.Dataset:
    clips, labels = fixed_batch(seed=100 + epoch, batch=16)
    return tf.data.Dataset.from_tensor_slices((clips, labels)).batch(4)


# ------------------------------------------------------------------ loss and metric


def test_temporal_loss_matches_hand_computation():
    # One clip of label 1, two frames: uniform logits, then softmax (1/4, 1/2, 1/4).
    logits = np.array([[[0.0, 0.0, 0.0], [0.0, math.log(2.0), 0.0]]], dtype="float32")
    off, on = 0.1 / 3, 0.9 + 0.1 / 3  # label smoothing 0.1 over 3 classes
    frame_0 = math.log(3.0)
    frame_1 = -(2 * off * math.log(0.25) + on * math.log(0.5))
    loss = train.TemporalCrossEntropy(label_smoothing=0.1)(np.array([1]), logits)
    assert float(loss) == pytest.approx((frame_0 + frame_1) / 2, rel=1e-6)
    # Without smoothing it is the plain mean of -log p(label) over frames.
    loss = train.TemporalCrossEntropy(label_smoothing=0.0)(np.array([[1]]), logits)
    assert float(loss) == pytest.approx((math.log(3.0) + math.log(2.0)) / 2, rel=1e-6)


def test_temporal_loss_averages_clips_and_rejects_bad_smoothing():
    logits = np.zeros((2, 3, N_CLASSES), "float32")
    logits[1, :, 2] = 50.0  # clip 1 is confidently class 2: loss ~0 without smoothing
    loss = train.TemporalCrossEntropy(0.0)(np.array([0, 2]), logits)
    assert float(loss) == pytest.approx(math.log(3.0) / 2, rel=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        train.TemporalCrossEntropy(1.5)


def test_per_frame_targets_are_used_as_given_and_clip_labels_are_their_special_case():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, N_CLASSES)).astype("float32")
    loss = train.TemporalCrossEntropy(0.0)
    # A clip's label is the per-frame target repeated at every frame.
    assert float(loss(np.array([1, 2]), logits)) == pytest.approx(
        float(loss(np.array([[1] * 4, [2] * 4]), logits)), rel=1e-6)
    # Per-frame targets: the mean over frames of -log p(frame's own label).
    targets = np.array([[0, 0, 1, 1], [2, 1, 0, 2]])
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_p, targets[..., None], -1).mean()
    assert float(loss(targets, logits)) == pytest.approx(float(expected), rel=1e-5)
    metric = train.FrameAccuracy()
    metric.update_state(targets, logits)
    assert float(metric.result()) == pytest.approx(float((logits.argmax(-1) == targets).mean()))


def test_frame_accuracy_counts_every_frame():
    logits = np.zeros((2, 4, N_CLASSES), "float32")
    logits[0, :, 1] = 1.0  # clip 0 (label 1): all four frames right
    logits[1, :3, 0] = 1.0  # clip 1 (label 2): only the last frame right
    logits[1, 3, 2] = 1.0
    metric = train.FrameAccuracy()
    metric.update_state(np.array([1, 2]), logits)
    assert float(metric.result()) == pytest.approx(5 / 8)


def test_decay_smoothing_on_a_hand_example():
    # Frame 0 says class 1 (p = 0.9), frame 1 says class 0 (p = 0.6).
    # d = 0.8: P = 0.8 * (0.1, 0.9) + (0.6, 0.4) = (0.68, 1.12) -> class 1.
    # d = 0.0: only the last frame counts -> class 0.
    logits = np.log(np.array([[[0.1, 0.9], [0.6, 0.4]]]))
    labels = np.array([1])
    smoothed = train.evaluate_logits(logits, labels, decay=0.8)
    assert smoothed["clip_accuracy"] == 1.0
    assert smoothed["frame_accuracy"] == 0.5
    assert train.evaluate_logits(logits, labels, decay=0.0)["clip_accuracy"] == 0.0


def test_evaluate_logits_confusion_and_per_class():
    logits = np.zeros((4, 2, N_CLASSES))
    for clip, predicted in enumerate([0, 1, 1, 2]):
        logits[clip, :, predicted] = 5.0
    scores = train.evaluate_logits(logits, np.array([0, 1, 2, 2]))
    assert scores["confusion"] == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert scores["per_class_accuracy"] == [1.0, 1.0, 0.5]
    assert scores["clip_accuracy"] == 0.75
    assert len(scores["accuracy_vs_frames"]) == 2


def test_labels_outside_the_class_range_are_rejected():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\).*\[3\]"):
        train.evaluate_logits(np.zeros((2, 2, N_CLASSES)), np.array([0, 3]))


def test_dataset_labels_beyond_the_model_are_a_value_error_naming_the_dataset():
    clips, labels = fixed_batch()
    labels[5], labels[6] = 7, -1
    bad = tf.data.Dataset.from_tensor_slices((clips, labels)).batch(4)
    model = tiny_net()
    expected = (r"dataset, batch 1: labels must be in \[0, 3\) for a 3-class model; found "
                r"\[-1, 7\]\. Check the dataset's class list or n_classes\.")
    with pytest.raises(ValueError, match=expected):
        train.predict_logits(model, bad)
    with pytest.raises(ValueError, match=expected.replace("dataset,", "validation_data,", 1)):
        train.evaluate(model, bad, what="validation_data")


def test_per_clip_logits_are_refused_in_evaluation():
    labels = np.array([0, 1, 2, 0])
    logits = np.eye(N_CLASSES)[labels] * 5.0  # per-clip (B, C), all right
    for score in (train.evaluate_logits,
                  lambda x, y: train.evaluate_classes(x, y, [0, 1])):
        with pytest.raises(ValueError, match=r"logits\[:, None, :\]"):
            score(logits, labels)
    assert train.evaluate_logits(logits[:, None, :], labels)["clip_accuracy"] == 1.0


def test_evaluate_classes_needs_one_label_per_clip():
    with pytest.raises(ValueError, match="one entry per clip"):
        train.evaluate_classes(np.zeros((3, 2, N_CLASSES)), np.array([0, 1]), [0])


def test_empty_dataset_is_rejected():
    clips, labels = fixed_batch()
    empty = tf.data.Dataset.from_tensor_slices((clips, labels)).take(0).batch(4)
    with pytest.raises(ValueError, match="empty"):
        train.predict_logits(tiny_net(), empty)
    filtered = tf.data.Dataset.from_tensor_slices((clips, labels)).filter(
        lambda c, y: y > 10).batch(4)  # unknown cardinality, turns out empty
    with pytest.raises(ValueError, match="empty"):
        train.predict_logits(tiny_net(), filtered)


# ------------------------------------------------------------------ recipe


def test_schedule_warms_up_then_decays_to_the_floor():
    schedule = train.learning_rate_schedule(total_steps=400, batch_size=16)
    peak = 16 * 0.008 / 32
    warmup = 10  # 2.5% of 400
    assert float(schedule(0)) == pytest.approx(1e-5)
    assert float(schedule(warmup // 2)) == pytest.approx((1e-5 + peak) / 2, rel=1e-3)
    assert float(schedule(warmup)) == pytest.approx(peak)
    later = [float(schedule(s)) for s in range(warmup, 401, 30)]
    assert all(a >= b for a, b in zip(later, later[1:], strict=False))
    assert float(schedule(400)) == pytest.approx(1e-5)
    with pytest.raises(ValueError, match="batch_size"):
        train.peak_learning_rate(0)


def test_a_fine_tuning_peak_replaces_the_batch_rule():
    schedule = train.learning_rate_schedule(total_steps=400, batch_size=16, peak=1e-3)
    assert float(schedule(10)) == pytest.approx(1e-3)
    config = train.TrainConfig(steps=400, learning_rate=1e-3)
    steps, rates = train.learning_rate_curve([{"config": {
        "steps": config.steps, "batch_size": config.batch_size,
        "learning_rate": config.learning_rate}}])
    assert rates.max() == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="learning_rate"):
        train.TrainConfig(steps=400, learning_rate=0.0)


def test_optimizer_is_adamw_with_the_recipe():
    optimizer = train.make_optimizer(total_steps=100, batch_size=32)
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert optimizer.weight_decay == pytest.approx(1e-3)
    assert optimizer.epsilon == pytest.approx(1e-8)


def test_a_few_steps_lower_the_loss_on_a_fixed_batch():
    keras.utils.set_random_seed(0)
    model = train.compile_for_training(tiny_net(), total_steps=40, batch_size=8)
    clips, labels = fixed_batch()
    before = float(model.evaluate(clips, labels, verbose=0, return_dict=True)["loss"])
    for _ in range(15):
        model.train_on_batch(clips, labels)
    after = float(model.evaluate(clips, labels, verbose=0, return_dict=True)["loss"])
    assert after < before - 0.1, (before, after)


# ------------------------------------------------------------------ fit, resume


def test_fit_writes_history_and_checkpoints(tmp_path):
    config = train.TrainConfig(steps=8, batch_size=4, steps_per_epoch=4, validate_every=1)
    validation = epoch_data(99)
    model, history = train.fit(tiny_net, epoch_data, config, tmp_path, validation, verbose=0)
    assert [row["step"] for row in history] == [4, 8]
    assert {"loss", "frame_accuracy", "learning_rate", "val_clip_accuracy"} <= set(history[-1])
    assert json.loads((tmp_path / "history.json").read_text()) == history
    assert train.latest_checkpoint(tmp_path / "checkpoints").name == "step-0000008"
    assert history[-1]["learning_rate"] == pytest.approx(train.MIN_LEARNING_RATE)


def test_resume_continues_where_it_stopped(tmp_path):
    config = train.TrainConfig(steps=12, batch_size=4, steps_per_epoch=4)
    straight, full = train.fit(tiny_net, epoch_data, config, tmp_path / "a", verbose=0)
    _, first = train.fit(tiny_net, epoch_data, config, tmp_path / "b", verbose=0,
                         stop_after_epochs=1)
    assert [row["step"] for row in first] == [4]
    resumed, rest = train.fit(tiny_net, epoch_data, config, tmp_path / "b", verbose=0)
    assert [row["step"] for row in rest] == [4, 8, 12]
    assert int(resumed.optimizer.iterations) == 12
    for key in ("loss", "learning_rate"):
        np.testing.assert_allclose([r[key] for r in rest], [r[key] for r in full], rtol=1e-5)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_resume_with_other_settings_is_refused(tmp_path):
    config = train.TrainConfig(steps=8, batch_size=4, steps_per_epoch=4)
    train.fit(tiny_net, epoch_data, config, tmp_path, verbose=0, stop_after_epochs=1)
    other = train.TrainConfig(steps=8, batch_size=4, steps_per_epoch=4, seed=1)
    with pytest.raises(ValueError, match="resume with the same settings"):
        train.fit(tiny_net, epoch_data, other, tmp_path, verbose=0)


def test_training_data_that_runs_out_is_reported(tmp_path):
    config = train.TrainConfig(steps=8, batch_size=4, steps_per_epoch=8)
    with pytest.raises(ValueError, match="ran out"):
        train.fit(tiny_net, epoch_data, config, tmp_path, verbose=0)  # 4 batches per epoch


def test_train_config_checks():
    with pytest.raises(ValueError, match="multiple of steps_per_epoch"):
        train.TrainConfig(steps=10, steps_per_epoch=4)
    with pytest.raises(ValueError, match="batch_size"):
        train.TrainConfig(steps=10, batch_size=0, steps_per_epoch=5)


# ------------------------------------------------------------------ tf.distribute

_DISTRIBUTED = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    # Two logical CPUs must be declared before TensorFlow initializes its devices.
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    sys.path.insert(0, sys.argv[1])
    from test_train import epoch_data, tiny_net
    from streamnets import train

    config = train.TrainConfig(steps=6, batch_size=4, steps_per_epoch=3)
    out = {}
    for name, strategy in [
        ("one", tf.distribute.OneDeviceStrategy("/cpu:0")),
        ("two", tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])),
    ]:
        model, history = train.fit(tiny_net, epoch_data, config, f"{sys.argv[2]}/{name}",
                                   strategy=strategy, verbose=0)
        out[name] = {
            "replicas": strategy.num_replicas_in_sync,
            "loss": [row["loss"] for row in history],
            "weights": [w.tolist() for w in model.get_weights()],
        }
    print(json.dumps(out))
    """
)


def test_two_devices_match_one_device(tmp_path):
    script = tmp_path / "distributed.py"
    script.write_text(_DISTRIBUTED)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, str(script), str(Path(__file__).parent), str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert (out["one"]["replicas"], out["two"]["replicas"]) == (1, 2)
    np.testing.assert_allclose(out["two"]["loss"], out["one"]["loss"], rtol=1e-4)
    for a, b in zip(out["one"]["weights"], out["two"]["weights"], strict=True):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-3, atol=1e-5)


def test_saved_weights_hold_no_optimizer_state(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = train.compile_for_training(tiny_net(), total_steps=10, batch_size=4)
    clips, labels = fixed_batch()
    model.train_on_batch(clips, labels)  # the optimizer now has moments
    train.save_weights(model, tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert "optimizer" not in f
    fresh = tiny_net()
    fresh.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_chained_histories_count_from_the_first_run():
    first = [{"step": 100, "clips": 1600, "loss": 3.0}, {"step": 200, "clips": 3200, "loss": 2.5}]
    second = [{"step": 100, "clips": 1600, "loss": 2.4}]
    both = train.chain_histories(first, second)
    assert [(r["stage"], r["step"], r["clips"]) for r in both] == [
        (1, 100, 1600), (1, 200, 3200), (2, 300, 4800)]
    third = train.chain_histories(both, [{"step": 50, "clips": 800, "loss": 2.0}])
    assert [(r["stage"], r["step"]) for r in third] == [(1, 100), (1, 200), (2, 300), (3, 350)]


def test_training_stages_and_learning_rate_curve_follow_the_chain():
    stage = {"config": {"steps": 40, "batch_size": 16}}
    card = {"training": {"config": {"steps": 80, "batch_size": 16}, "init_training": stage}}
    stages = train.training_stages(card)
    assert [s["config"]["steps"] for s in stages] == [40, 80]
    steps, rates = train.learning_rate_curve(stages)
    assert len(steps) == len(rates) == 120 and steps[-1] == 119
    assert rates[40] == pytest.approx(train.MIN_LEARNING_RATE)  # the second warm-up starts low
    assert rates.max() == pytest.approx(train.peak_learning_rate(16))


def test_predict_logits_handles_a_short_last_batch():
    model = tiny_net()
    clips, labels = fixed_batch(batch=10)
    logits, seen = train.predict_logits(
        model, tf.data.Dataset.from_tensor_slices((clips, labels)).batch(4))
    assert logits.shape == (10, FRAMES, N_CLASSES)
    np.testing.assert_array_equal(seen, labels)
    np.testing.assert_allclose(logits, model.predict(clips, verbose=0), atol=1e-5)


@pytest.mark.parametrize("keep", [0, -1, True, 1.5])
def test_save_checkpoint_refuses_to_keep_fewer_than_one(tmp_path, keep):
    model = tiny_net()
    with pytest.raises(ValueError, match="keep"):
        train.save_checkpoint(tmp_path / "ckpt", model, {"step": 1}, keep=keep)
    assert not (tmp_path / "ckpt").exists()  # nothing written
