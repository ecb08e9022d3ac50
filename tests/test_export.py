"""LiteRT export: the exported step reproduces the Keras stream, int8 keeps the shipped
model's answers, bad input fails cleanly, and the CLI writes working artifacts.

Most tests use the gesture model at 32x32 pixels and 8 frames (the same layers and
weights shapes as the shipped model, a tenth of its cost); one test quantizes the shipped
16x100x100 model and scores it on test clips.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from streamnets import cli, export, litert, models, provenance, quantize, weights
from streamnets.data import JESTER_CLASSES, calibration_clips, synthetic_dataset
from streamnets.smoothing import clip_accuracy
from streamnets.streaming import StreamingConversionError, max_relative_error, to_streaming

FRAMES, SIZE, CLASSES = 8, 32, 5
NAMES = [f"gesture {i}" for i in range(CLASSES)]
FLOAT_TOLERANCE = 1e-5  # max |LiteRT - Keras| relative to max |Keras|


def small_model(seed: int = 0) -> keras.Model:
    """The gesture model on small frames: the shipped model's trained layers (so BN folding
    and quantization ranges are really exercised) with a fresh ``CLASSES``-way last layer.

    Randomly initialized, with random BN statistics, the five blocks collapsed every input
    to almost the same logits (their spread across clips was 1e-7 of their size), which
    made every equality check here nearly vacuous; trained layers keep the inputs apart.
    """
    keras.utils.set_random_seed(seed)
    trained = weights.load_pretrained("synthetic", frames=FRAMES, size=SIZE)
    model = models.gesture_net((FRAMES, SIZE, SIZE, 3), n_classes=CLASSES)
    for ours, theirs in zip(model.layers[:-2], trained.layers[:-2], strict=True):
        ours.set_weights(theirs.get_weights())  # all but the last Dense (and the reshape)
    return model


def random_clips(n: int, seed: int = 0, frames: int = FRAMES, size: int = SIZE) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, frames, size, size, 3), np.uint8)


@pytest.fixture(scope="module")
def model():
    model = small_model()
    out = model(random_clips(4, seed=3).astype("float32"), training=False).numpy()
    assert np.all(out.std(axis=0) > 1e-3 * np.abs(out).max())  # the inputs stay apart
    return model


@pytest.fixture(scope="module")
def stream(model):
    return to_streaming(model)


@pytest.fixture(scope="module")
def exports(model, tmp_path_factory):
    """Float and int8 exports of the small model, written once."""
    root = tmp_path_factory.mktemp("exports")
    float_dir, int8_dir = root / "float", root / "int8"
    export.export_litert(model, float_dir, int8=False, class_names=NAMES)
    export.export_litert(model, int8_dir, int8=True, class_names=NAMES,
                         calibration_clips=random_clips(6, seed=1), write_c_array=True,
                         data={"dataset": "synthetic", "version": 1})
    return {"float": float_dir, "int8": int8_dir}


# --------------------------------------------------------------------------- float


def test_float_litert_matches_the_keras_stream_at_every_frame(stream, exports):
    clips = random_clips(3, seed=2)
    expected = stream.predict_clips(clips)
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    got = runner.predict_clips(clips)
    assert got.shape == expected.shape == (3, FRAMES, CLASSES)
    for t in range(FRAMES):  # the warm-up frames (zeros in the FIFOs) included
        assert max_relative_error(expected[:, t], got[:, t]) <= FLOAT_TOLERANCE, t


def test_state_round_trip_reproduces_the_keras_states(stream, exports):
    """Feeding the state outputs back in is exactly the Keras explicit-state loop."""
    clip = random_clips(1, seed=3)[0]
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    states = runner.init_states()
    keras_states = stream.init_states(1)
    for frame in clip:
        logits, states = runner.step_fn(frame[None], states)
        keras_logits, keras_states = stream.step_fn(frame[None], keras_states)
        assert max_relative_error(keras_logits, logits) <= FLOAT_TOLERANCE
        flat = litert.export_states(keras_states)
        for name, value in flat.items():
            assert max_relative_error(value, states[name]) <= FLOAT_TOLERANCE, name
    # The newest FIFO slot of the first temporal layer holds the newest input conv output:
    # it is non-zero once a frame went through, so the states really carry information.
    assert any(np.abs(v).max() > 0 for v in states.values())


def test_signature_names_image_logits_and_one_output_per_state(stream, exports):
    for folder in exports.values():
        runner = litert.LiteRTRunner(folder / "model.tflite")
        states = set(stream.state_specs())
        assert set(runner.inputs) == {"image"} | states
        assert set(runner.outputs) == {"logits"} | states
        assert runner.inputs["image"].shape == (1, SIZE, SIZE, 3)
        assert runner.inputs["image"].dtype == "uint8"
        assert runner.outputs["logits"].shape == (1, CLASSES)
        for name, (height, width, slots, channels) in stream.state_shapes().items():
            assert runner.inputs[name].shape == (1, height, width, slots * channels)
            assert runner.inputs[name].dtype == runner.outputs[name].dtype == "float32"


def test_exported_graph_has_no_tensor_over_four_dimensions(exports):
    """LiteRT's GPU delegate and WebGPU take at most 4-D tensors: the flat states and the
    FIFO shift on the flat view keep every tensor of the graph within that."""
    for folder in exports.values():
        interpreter = litert.LiteRTRunner(folder / "model.tflite").interpreter
        assert max(len(d["shape"]) for d in interpreter.get_tensor_details()) == 4


def test_export_states_flattens_slot_major():
    """Channel j * C + c of the flat state is slot j, channel c of the Keras buffer."""
    fifo = np.arange(2 * 3 * 3 * 5 * 4, dtype=np.float32).reshape(2, 3, 3, 5, 4)
    flat = litert.export_states({"image": np.zeros((2, 3, 3, 3)), "fifo_x": fifo})
    assert flat["fifo_x"].shape == (2, 3, 3, 20) and flat["image"].shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(flat["fifo_x"][..., 2 * 4 + 1], fifo[..., 2, 1])


# --------------------------------------------------------------------------- int8


def test_int8_model_is_full_integer_and_about_four_times_smaller(exports):
    float_bytes = (exports["float"] / "model.tflite").stat().st_size
    int8_bytes = (exports["int8"] / "model.tflite").stat().st_size
    assert int8_bytes < 0.3 * float_bytes
    interpreter = litert.LiteRTRunner(exports["int8"] / "model.tflite").interpreter
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    computing = [op for op in interpreter._get_ops_details()
                 if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")]
    # 1 input conv, 3 x (temporal, spatial), 2 x (temporal, pointwise, spatial, pointwise),
    # 2 dense: the depthwise temporal convs are DEPTHWISE_CONV_2D too (per-channel weights).
    assert len(computing) == 17
    for op in computing:
        data, weights = (details[i] for i in op["inputs"][:2])
        assert data["dtype"] == np.int8 and weights["dtype"] == np.int8, op["op_name"]
    ops = litert.litert_ops(exports["int8"] / "model.tflite")
    assert ops["QUANTIZE"] == ops["DEQUANTIZE"] == 6  # image + 5 states in; logits + 5 out


def test_int8_states_round_trip_without_rounding(stream, exports):
    """Each state leaves and re-enters with the same int8 scale: float states are lossless."""
    scales = litert.state_scales(exports["int8"] / "model.tflite")
    assert set(scales) == set(stream.state_specs())
    for name, (scale_in, scale_out) in scales.items():
        assert scale_in == scale_out > 0, name
    with pytest.raises(ValueError, match="not an int8 export"):
        litert.state_scales(exports["float"] / "model.tflite")


def test_int8_logits_stay_close_to_float_on_the_small_model(stream, exports):
    clips = random_clips(3, seed=4)
    expected = stream.predict_clips(clips)
    got = litert.LiteRTRunner(exports["int8"] / "model.tflite").predict_clips(clips)
    assert 0 < max_relative_error(expected, got) < 0.05


def test_shipped_model_int8_keeps_float_answers_on_test_clips(tmp_path):
    """>= 97% of frames keep their top-1 class; clip accuracy (decay 0.8) loses <= 1 point
    (216 clips: one clip is 0.46 points)."""
    model = weights.load_pretrained("synthetic")
    calibration = calibration_clips(32, 16, 100)
    export.export_litert(model, tmp_path / "int8", int8=True, class_names=JESTER_CLASSES,
                         calibration_clips=calibration)
    clips, labels = next(iter(synthetic_dataset("test", 216, num_clips=216, seed=0)))
    clips, labels = clips.numpy(), labels.numpy()
    float_logits = to_streaming(model).predict_clips(clips)
    int8_logits = litert.LiteRTRunner(tmp_path / "int8" / "model.tflite").predict_clips(clips)
    assert quantize.top1_agreement(float_logits, int8_logits) >= 0.97
    assert clip_accuracy(int8_logits, labels) >= clip_accuracy(float_logits, labels) - 0.01


# --------------------------------------------------------------------------- artifacts


def test_metadata_says_everything_a_deployment_needs(stream, exports):
    meta = export.read_metadata(exports["int8"])
    content = (exports["int8"] / "model.tflite").read_bytes()
    assert meta["format"] == "litert-int8" and meta["model_file"] == "model.tflite"
    assert meta["class_names"] == NAMES
    assert meta["decay"] == 0.8
    assert meta["data"] == {"dataset": "synthetic", "version": 1}
    assert meta["inputs"]["image"] == {"shape": [1, SIZE, SIZE, 3], "dtype": "uint8"}
    assert set(meta["outputs"]) == {"logits"} | set(stream.state_specs())
    for name, (height, width, slots, channels) in stream.state_shapes().items():
        assert meta["inputs"][name] == meta["outputs"][name] == {
            "shape": [1, height, width, slots * channels], "dtype": "float32"}
    assert "slot-major" in meta["runtime"]["state_layout"]
    assert meta["bytes"] == len(content)
    assert meta["quantization"]["calibration"] == {"clips": 6, "frame_state_pairs": 6 * FRAMES}
    import hashlib

    assert meta["sha256"] == hashlib.sha256(content).hexdigest()


def test_c_array_holds_the_model_bytes(exports):
    header = (exports["int8"] / "model_data.h").read_text()
    content = (exports["int8"] / "model.tflite").read_bytes()
    body = header[header.index("{") + 1:header.index("}")]
    assert bytes(int(v, 16) for v in body.replace("\n", "").split(",")) == content
    assert f"_len = {len(content)};" in header


def test_runner_streams_through_the_smoother(exports):
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    clip = random_clips(1, seed=5)[0]
    steps = list(runner.stream(clip, decay=0.5))
    assert len(steps) == FRAMES
    probabilities, smoothed, prediction = steps[-1]
    assert probabilities.shape == smoothed.shape == (CLASSES,)
    assert np.isclose(smoothed.sum(), 1.0) and prediction == smoothed.argmax()
    logits = runner.predict_clips(clip[None])[0]
    from streamnets.smoothing import smooth_probabilities

    expected = smooth_probabilities(logits, 0.5)[-1]
    np.testing.assert_allclose(smoothed, expected / expected.sum(), rtol=1e-6)


# --------------------------------------------------------------------------- bad input


def test_runner_rejects_frames_of_the_wrong_dtype_or_shape(exports):
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    clip = random_clips(1)[0]
    with pytest.raises(ValueError, match="uint8"):
        runner.predict_clips(clip[None].astype(np.float32))
    with pytest.raises(ValueError, match="shape"):
        runner.predict_clips(clip[None, :, :16])
    with pytest.raises(ValueError, match="shape"):
        runner.step_fn(clip, runner.init_states())  # a clip, not a batch of frames
    with pytest.raises(ValueError, match="must be uint8 pixels"):
        runner.step(clip[:1].astype(np.float32) / 255)  # scaled floats are refused too
    with pytest.raises(ValueError, match="clips is empty"):
        runner.predict_clips(clip[None, :0])


def test_runner_warm_clips_match_the_keras_stream(stream, exports):
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    before, clips = random_clips(2, seed=8), random_clips(2, seed=9)
    expected = stream.predict_clips(clips, preceding=before)
    got = runner.predict_clips(clips, preceding=before)
    assert max_relative_error(expected, got) <= FLOAT_TOLERANCE
    assert not np.allclose(got, runner.predict_clips(clips), atol=1e-4)


def test_runner_names_a_missing_or_misshapen_state(exports):
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    frame = random_clips(1)[:, 0]
    states = runner.init_states()
    name = runner.state_names[-1]
    with pytest.raises(ValueError, match=rf"missing \['{name}'\]"):
        runner.step_fn(frame, {k: v for k, v in states.items() if k != name})
    wrong = {**states, name: states[name][..., :-1]}
    with pytest.raises(ValueError, match=rf"state '{name}' has shape .* expected"):
        runner.step_fn(frame, wrong)


def test_runner_and_keras_stream_share_one_interface(stream, exports):
    """Stateful step / reset and explicit step_fn, uint8 numpy or tensor, several streams."""
    runner = litert.LiteRTRunner(exports["float"] / "model.tflite")
    clips = random_clips(2, seed=6)
    runner.reset()
    stream.reset()
    for t in range(3):
        got = runner.step(tf.constant(clips[:, t]))
        expected = stream.step(clips[:, t])
        assert got.shape == expected.shape == (2, CLASSES)
        assert max_relative_error(expected, got) <= FLOAT_TOLERANCE
    with pytest.raises(ValueError, match="call reset"):
        runner.step(clips[:1, 0])
    logits, states = runner.step_fn(clips[:, 0], runner.init_states(2))
    np.testing.assert_allclose(logits, runner.predict_clips(clips)[:, 0], rtol=1e-6)
    assert {k: v.shape[0] for k, v in states.items()} == dict.fromkeys(runner.state_names, 2)


def test_runner_rejects_a_signature_without_a_state_output(tmp_path):
    """A model that takes a state but does not return it cannot be streamed."""
    module = tf.Module()
    module.serve = tf.function(
        lambda image, fifo_0: {"logits": tf.reduce_mean(tf.cast(image, tf.float32)) + fifo_0},
        input_signature=[tf.TensorSpec((1, 4, 4, 3), tf.uint8, name="image"),
                         tf.TensorSpec((1, 2), tf.float32, name="fifo_0")],
    )
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    content = tf.lite.TFLiteConverter.from_saved_model(str(tmp_path)).convert()
    with pytest.raises(ValueError, match="state input 'fifo_0' but no output"):
        litert.LiteRTRunner(content)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".partial-" in p.name or ".old-" in p.name]


@pytest.mark.parametrize("clips, message", [
    (np.zeros((0, FRAMES, SIZE, SIZE, 3), np.uint8), "empty"),
    (random_clips(2), "at least 4"),
    (random_clips(4).astype(np.float32), "uint8"),
    (random_clips(4, size=64), "shape"),
])
def test_bad_calibration_set_fails_and_leaves_nothing(model, tmp_path, clips, message):
    out = tmp_path / "int8"
    with pytest.raises(ValueError, match=message):
        export.export_litert(model, out, int8=True, class_names=NAMES, calibration_clips=clips)
    assert not out.exists() and leftovers(tmp_path) == []


def test_int8_without_calibration_clips_is_refused(model, tmp_path):
    with pytest.raises(ValueError, match="calibration_clips"):
        export.export_litert(model, tmp_path / "x", int8=True, class_names=NAMES)


def test_non_streamable_model_fails_and_leaves_nothing(tmp_path):
    inputs = keras.Input((FRAMES, SIZE, SIZE, 3))
    x = keras.layers.Conv3D(4, (3, 3, 3), padding="same", name="centred_conv")(inputs)
    x = keras.layers.GlobalAveragePooling3D()(x)
    with pytest.raises(StreamingConversionError, match="centred_conv"):
        export.export_litert(keras.Model(inputs, x), tmp_path / "out", int8=False,
                             class_names=NAMES)
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def test_existing_export_is_refused_unless_forced(model, tmp_path):
    out = tmp_path / "out"
    export.export_litert(model, out, int8=False, class_names=NAMES)
    (out / "old.txt").write_text("from the earlier export")
    with pytest.raises(FileExistsError, match="--force"):
        export.export_litert(model, out, int8=False, class_names=NAMES)
    assert (out / "old.txt").is_file()
    export.export_litert(model, out, int8=False, class_names=NAMES, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["metadata.json", "model.tflite"]
    assert leftovers(tmp_path) == []


def test_force_never_replaces_a_folder_that_is_not_an_export(model, tmp_path, monkeypatch):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_text("keep me")
    with pytest.raises(FileExistsError, match="holds no streamnets export"):
        export.export_litert(model, out, int8=False, class_names=NAMES, force=True)
    assert (out / "holiday.jpg").read_text() == "keep me"
    # Not even one with a metadata.json of ours whose model file is gone.
    (out / "metadata.json").write_text(json.dumps({"format": "litert", "model_file": "x"}))
    with pytest.raises(FileExistsError, match="holds no streamnets export"):
        export.export_litert(model, out, int8=False, class_names=NAMES, force=True)
    # The working folder is never replaced, even when it holds an export.
    export.export_litert(model, tmp_path / "earlier", int8=False, class_names=NAMES)
    monkeypatch.chdir(tmp_path / "earlier")
    with pytest.raises(FileExistsError, match="working folder"):
        export.export_litert(model, ".", int8=False, class_names=NAMES, force=True)
    assert (tmp_path / "earlier" / "model.tflite").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="is a file"):
        export.export_litert(model, tmp_path / "file", int8=False, class_names=NAMES,
                             force=True)


@pytest.mark.parametrize("decay", [7, -0.1, float("nan")])
def test_decay_outside_0_1_is_refused_before_any_work(model, tmp_path, decay):
    with pytest.raises(ValueError, match="decay must be in"):
        export.export_litert(model, tmp_path / "out", int8=False, class_names=NAMES,
                             decay=decay)
    assert not (tmp_path / "out").exists()


def test_metadata_records_the_code_that_wrote_it(exports):
    meta = export.read_metadata(exports["float"])
    assert meta["streamnets_version"] == "0.1.0"
    assert meta["commit"] == provenance.source_commit() and "dirty" in meta


def test_wrong_number_of_class_names_is_refused(model, tmp_path):
    with pytest.raises(ValueError, match="class_names has 2 names"):
        export.export_litert(model, tmp_path / "out", int8=False, class_names=["a", "b"])
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A small 27-class model saved like 'streamnets train' saves it (weights + card)."""
    folder = tmp_path_factory.mktemp("weights")
    architecture = {"input_shape": [FRAMES, SIZE, SIZE, 3], "n_classes": len(JESTER_CLASSES)}
    keras.utils.set_random_seed(0)
    models.gesture_net(**architecture).save_weights(folder / "small.weights.h5")
    card = {"model": architecture, "data": {"dataset": "synthetic", "version": 1}}
    (folder / "small.json").write_text(json.dumps(card))
    return folder / "small.weights.h5"


def test_cli_exports_int8_and_refuses_to_overwrite(weights_file, tmp_path, capsys):
    out = tmp_path / "int8"
    argv = ["export", "--format", "litert-int8", "--out", str(out), "--weights",
            str(weights_file), "--calibration-clips", "4"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "model.tflite" in printed and "metadata.json" in printed
    meta = export.read_metadata(out)
    assert meta["class_names"] == list(JESTER_CLASSES)
    assert meta["data"]["dataset"] == "synthetic"
    runner = litert.LiteRTRunner(out / "model.tflite")
    clip = next(iter(synthetic_dataset("test", 1, num_clips=1, frames=FRAMES, size=SIZE)))[0]
    assert runner.predict_clips(clip).shape == (1, FRAMES, len(JESTER_CLASSES))
    before = (out / "model.tflite").stat().st_mtime_ns
    assert cli.main(argv) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "model.tflite").stat().st_mtime_ns == before


def test_cli_akida_without_the_extra_names_the_extra(weights_file, tmp_path, capsys,
                                                     monkeypatch):
    monkeypatch.setitem(sys.modules, "cnn2snn", None)  # import cnn2snn -> ImportError
    argv = ["export", "--format", "akida", "--out", str(tmp_path / "ak"), "--weights",
            str(weights_file)]
    assert cli.main(argv) == 2
    assert "streamnets[akida]" in capsys.readouterr().err
    assert not (tmp_path / "ak").exists()


def test_cli_force_replaces_an_earlier_export_only(weights_file, tmp_path, capsys):
    out = tmp_path / "float"
    argv = ["export", "--format", "litert", "--out", str(out), "--weights", str(weights_file)]
    assert cli.main(argv) == 0
    assert cli.main([*argv, "--force"]) == 0
    capsys.readouterr()
    other = tmp_path / "notes"
    other.mkdir()
    assert cli.main(["export", "--format", "litert", "--out", str(other), "--force",
                     "--weights", str(weights_file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no streamnets export" in err
    assert list(other.iterdir()) == []


def test_cli_refuses_a_decay_outside_0_1_before_loading(weights_file, tmp_path, capsys):
    argv = ["export", "--format", "litert", "--out", str(tmp_path / "x"), "--weights",
            str(weights_file), "--decay", "7"]
    assert cli.main(argv) == 2
    assert "decay must be in [0, 1], got 7.0" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_cli_calibrates_only_on_the_data_the_weights_were_trained_on(weights_file, tmp_path,
                                                                       capsys):
    """A card that says jester (or no card: BrainChip's h5) is not calibrated on synthetic
    clips unless asked; the error comes before the model is loaded."""
    folder = tmp_path / "w"
    folder.mkdir()
    jester_weights = folder / "jester.weights.h5"
    jester_weights.write_bytes(weights_file.read_bytes())
    card = json.loads(weights.card_path(weights_file).read_text())
    card["data"] = {"dataset": "jester", "data_dir": "/data/jester"}
    weights.card_path(jester_weights).write_text(json.dumps(card))
    argv = ["export", "--format", "litert-int8", "--out", str(tmp_path / "q"), "--weights",
            str(jester_weights), "--calibration-clips", "4"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "trained on 'jester'" in err and "--calibration synthetic" in err
    assert cli.main([*argv, "--calibration", "synthetic"]) == 0
    assert export.read_metadata(tmp_path / "q")["data"]["dataset"] == "jester"
    brainchip = tmp_path / "brainchip.h5"
    brainchip.write_bytes(b"not even hdf5")
    assert cli.main(["export", "--format", "litert-int8", "--out", str(tmp_path / "b"),
                     "--weights", str(brainchip)]) == 2
    assert "no model card" in capsys.readouterr().err


def test_cli_copies_the_cards_operating_point_into_the_metadata(weights_file, tmp_path,
                                                                capsys):
    card = json.loads(weights.card_path(weights_file).read_text())
    point = {"decay": 0.65, "threshold": 0.45, "picked_on": "validation streams"}
    spec = tmp_path / "op.weights.h5"
    spec.write_bytes(weights_file.read_bytes())
    weights.card_path(spec).write_text(json.dumps({**card, "operating_point": point}))
    assert cli.main(["export", "--format", "litert", "--out", str(tmp_path / "op"),
                     "--weights", str(spec)]) == 0
    meta = export.read_metadata(tmp_path / "op")
    assert meta["operating_point"] == point
    assert meta["decay"] == 0.65  # the smoother's decay defaults to the operating point's
    capsys.readouterr()


def test_exports_without_an_operating_point_have_none(exports):
    assert "operating_point" not in export.read_metadata(exports["int8"])


@pytest.mark.parametrize("point, message", [
    ({"decay": 0.8}, "lacks ['threshold']"),
    ({"decay": 2, "threshold": 0.5}, "decay must be in [0, 1]"),
    ({"decay": 0.8, "threshold": 1.5}, "threshold must be in (0, 1]"),
    ([0.8, 0.5], "must be a mapping"),
])
def test_a_malformed_operating_point_is_refused(point, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        export.check_operating_point(point)


def test_batch_export_runs_n_streams_in_one_call_like_n_batch1_steps(stream, exports):
    """A server's export for N cameras: one call, the same logits and states as N streams
    stepped one by one; any other number of frames is refused with what to do."""
    batched = litert.LiteRTRunner(litert.convert_litert(stream, batch_size=3))
    single = litert.LiteRTRunner(exports["float"] / "model.tflite")
    assert batched.batch_size == 3 and single.batch_size == 1
    clips = random_clips(3, seed=4)
    states, one_by_one = batched.init_states(3), single.init_states(3)
    for t in range(3):
        logits, states = batched.step_fn(clips[:, t], states)
        expected, one_by_one = single.step_fn(clips[:, t], one_by_one)
        assert max_relative_error(expected, logits) <= FLOAT_TOLERANCE
    for name in single.state_names:
        assert max_relative_error(one_by_one[name], states[name]) <= FLOAT_TOLERANCE
    with pytest.raises(ValueError, match="runs exactly 3 streams per call: pass 3 frames"):
        batched.step_fn(clips[:2, 0], batched.init_states(2))
    with pytest.raises(ValueError, match="predict_clips streams one clip at a time"):
        batched.predict_clips(clips)


@pytest.mark.parametrize("compiler,flags", [("gcc", ["-std=c11", "-x", "c"]),
                                            ("g++", ["-std=c++11", "-x", "c++"])])
def test_c_array_header_compiles_as_c_and_cpp(tmp_path, compiler, flags):
    import shutil
    import subprocess

    if shutil.which(compiler) is None:
        pytest.skip(f"no {compiler} on this machine")
    header = tmp_path / "model_data.h"
    header.write_text(export.c_array(bytes(range(40)), "g_model"))
    source = tmp_path / "main.c"
    source.write_text('#include "model_data.h"\n'
                      "int main(void) { return g_model_len == 40 && g_model[39] == 39 ? 0 : 1; }\n")
    binary = tmp_path / "main"
    subprocess.run([compiler, *flags, str(source), "-o", str(binary)], check=True,
                   capture_output=True, text=True)
    assert subprocess.run([str(binary)], check=False).returncode == 0
