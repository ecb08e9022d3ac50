"""A folder of your own videos: scanning, sampling, the held-out split and every bad input."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest
from conftest import VIDEO_FOLDER_CLASSES, write_video_folder

from streamnets.data import (
    VideoFolderError,
    class_index,
    scan_video_folder,
    synthetic_clip,
    video_folder_dataset,
)
from streamnets.data.jester import CorruptVideoError, sample_indices
from streamnets.video import write_video

#: Mean absolute error of a near-lossless mp4 round trip (as in test_video.py).
CODEC_TOLERANCE = 8.0
SMALL = {"frames": 8, "size": 48}


def _first(dataset):
    clips, labels = next(iter(dataset))
    return clips.numpy(), labels.numpy()


@pytest.fixture
def folder_copy(video_folder, tmp_path):
    return shutil.copytree(video_folder, tmp_path / "videos")


def test_classes_are_the_sorted_subfolders_and_other_files_are_ignored(folder_copy):
    (folder_copy / "Thumb Up" / "notes.txt").write_text("not a video")
    (folder_copy / ".hidden").mkdir()
    folder = scan_video_folder(folder_copy)
    assert folder.classes == tuple(sorted(VIDEO_FOLDER_CLASSES))
    assert len(folder.videos) == 9
    assert {path.suffix for path, _ in folder.videos} == {".mp4"}
    assert [label for _, label in folder.videos] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_a_clip_is_sampled_as_jester_clips_are_with_wrap_around(video_folder):
    # Videos are 10 frames at 12 fps; 8 frames with stride 2 need 16, so indices wrap.
    clips, labels = _first(video_folder_dataset(video_folder, "all", batch_size=9, **SMALL))
    assert clips.shape == (9, 8, 48, 48, 3) and clips.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    indices = sample_indices(10, 0, 8, 2)
    assert indices.tolist() == [0, 2, 4, 6, 8, 0, 2, 4]
    for row, (name, take) in enumerate((n, t) for n in sorted(VIDEO_FOLDER_CLASSES)
                                       for t in range(3)):
        number = VIDEO_FOLDER_CLASSES.index(name)
        source = synthetic_clip(class_index(name), 100 * number + take, 10, 48)
        error = np.abs(clips[row].astype(int) - source[indices]).mean()
        assert error < CODEC_TOLERANCE, (name, take, error)


def test_the_held_out_split_is_deterministic_disjoint_and_covers_every_class(video_folder):
    folder = scan_video_folder(video_folder)
    train = folder.split("train")
    validation = folder.split("validation")
    assert sorted(train + validation) == sorted(folder.videos)
    assert not set(train) & set(validation)
    # round(0.2 * 3) = 1: one video per class held out, two trained on
    assert sorted(label for _, label in validation) == [0, 1, 2]
    assert scan_video_folder(video_folder).split("validation") == validation
    assert len(folder.split("validation", validation_fraction=0.5)) == 6
    with pytest.raises(ValueError, match="validation_fraction"):
        folder.split("train", validation_fraction=1.0)


def test_training_is_shuffled_endless_and_reproducible(video_folder):
    def batches(seed):
        dataset = video_folder_dataset(video_folder, "train", batch_size=4, seed=seed, **SMALL)
        return [(clips.numpy(), labels.numpy()) for clips, labels in dataset.take(3)]

    first, again, other = batches(0), batches(0), batches(1)
    assert len(first) == 3  # 12 clips from 6 training videos: the split repeats
    for (clips, labels), (clips2, labels2) in zip(first, again, strict=True):
        np.testing.assert_array_equal(clips, clips2)
        np.testing.assert_array_equal(labels, labels2)
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(first, other, strict=True))
    held_out = {path for path, _ in scan_video_folder(video_folder).split("validation")}
    assert len(held_out) == 3


def test_videos_of_different_sizes_mix(tmp_path):
    for name, shape in (("a", (10, 48, 64, 3)), ("b", (10, 80, 48, 3))):
        write_video(tmp_path / name / "v.mp4", np.full(shape, 128, np.uint8), fps=12)
    clips, _ = _first(video_folder_dataset(tmp_path, "all", batch_size=2, frames=4, size=32))
    assert clips.shape == (2, 4, 32, 32, 3)
    assert np.abs(clips.astype(int) - 128).max() < 8


@pytest.mark.parametrize("layout, message", [
    ({"one": 1}, "1 class folder"),
    ({}, "0 class folder"),
    ({"a": 1, "b": 0}, "class folder .*b has no videos .*it holds readme.txt"),
])
def test_a_folder_that_cannot_train_a_classifier_is_refused(tmp_path, layout, message):
    for name, count in layout.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "readme.txt").write_text("x")
        for take in range(count):
            write_video(tmp_path / name / f"{take}.mp4", np.zeros((4, 32, 32, 3), np.uint8))
    with pytest.raises(VideoFolderError, match=message):
        scan_video_folder(tmp_path)


def test_a_missing_root_and_loose_videos_are_named(tmp_path, folder_copy):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        scan_video_folder(tmp_path / "nowhere")
    shutil.copy(folder_copy / "Thumb Up" / "take0.mp4", folder_copy / "loose.mp4")
    with pytest.raises(VideoFolderError, match="outside any class folder .*loose.mp4"):
        scan_video_folder(folder_copy)


@pytest.mark.parametrize("content", [b"", b"this is not a video at all" * 10])
def test_an_unreadable_video_stops_or_is_skipped_with_a_warning(folder_copy, content):
    bad = folder_copy / "Thumb Up" / "broken.mp4"
    bad.write_bytes(content)
    with pytest.raises(CorruptVideoError, match="broken.mp4.*on_corrupt='skip'"):
        scan_video_folder(folder_copy)
    with pytest.warns(UserWarning, match="skipping video .*broken.mp4"):
        folder = scan_video_folder(folder_copy, on_corrupt="skip")
    assert bad not in {path for path, _ in folder.videos} and len(folder.videos) == 9


def test_a_class_left_without_readable_videos_is_named(tmp_path, folder_copy):
    only = folder_copy / "Thumb Up"
    shutil.rmtree(only)
    only.mkdir()
    (only / "zero.mp4").write_bytes(b"")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(VideoFolderError, match="Thumb Up: none of its 1 video"):
            scan_video_folder(folder_copy, on_corrupt="skip")


def test_a_video_that_fails_while_decoding_follows_on_corrupt(tmp_path):
    # It opens (the scan passes) but lasts 1/30 s, less than one frame at 12 fps: the
    # decoder refuses it when its clip is loaded.
    for name in ("a", "b"):
        write_video(tmp_path / name / "ok.mp4", np.zeros((6, 32, 32, 3), np.uint8), fps=12)
    write_video(tmp_path / "b" / "short.mp4", np.zeros((1, 32, 32, 3), np.uint8), fps=30)
    folder = scan_video_folder(tmp_path)
    assert len(folder.videos) == 3
    with pytest.raises(Exception, match="short.mp4"):
        _first(video_folder_dataset(folder, "all", batch_size=3, frames=4, size=32))
    with pytest.warns(UserWarning, match="skipping a clip: .*short.mp4"):
        clips, labels = _first(video_folder_dataset(folder, "all", batch_size=3, frames=4,
                                                    size=32, on_corrupt="skip"))
    assert labels.tolist() == [0, 1]


def test_bad_arguments_are_named(video_folder):
    with pytest.raises(ValueError, match="split must be one of"):
        video_folder_dataset(video_folder, "test")
    with pytest.raises(ValueError, match="on_corrupt"):
        video_folder_dataset(video_folder, on_corrupt="ignore")
    with pytest.raises(ValueError, match="stride"):
        video_folder_dataset(video_folder, stride=0)


def test_the_split_needs_a_class_with_two_videos(tmp_path):
    write_video_folder(tmp_path, per_class=1, frames=4, size=32)
    with pytest.raises(VideoFolderError, match="'validation' split is empty"):
        video_folder_dataset(tmp_path, "validation", frames=4, size=32)
