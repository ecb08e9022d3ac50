"""The real-Jester loaders on a tiny fixture written here: both layouts, BrainChip's sampling
(stride 2, wrap-around, random start for training), centre crop/pad, and the bad inputs."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
from PIL import Image  # noqa: E402

from streamnets.data import JESTER_CLASSES  # noqa: E402
from streamnets.data.jester import (  # noqa: E402
    JesterDataError,
    clip_from_jpegs,
    jester_dataset,
    jester_tfrecord_dataset,
    load_video_clip,
    read_labels,
    read_split,
    write_tfrecord_video,
)

HEIGHT, WIDTH = 80, 120  # shorter than 100 (zero-padded) and wider (centre-cropped)
VIDEOS = {"1001": (40, "Swiping Left"), "1002": (7, "Thumb Up"), "1003": (34, "No gesture")}


def _frame(index: int) -> np.ndarray:
    """Red encodes the frame index, green the source column (to see the crop)."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[..., 0] = 20 + 5 * index
    image[..., 1] = 2 * np.arange(WIDTH)[None, :]
    return image


def _jpeg(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=100, subsampling=0)
    return buffer.getvalue()


def _frame_index(frame: np.ndarray) -> int:
    return int(round((float(frame[50, 50, 0]) - 20) / 5))


@pytest.fixture(scope="module")
def jester_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("jester")
    # A class list in reverse order: the loaders must map names, not line numbers.
    (root / "jester-v1-labels.csv").write_text("\n".join(reversed(JESTER_CLASSES)) + "\n")
    lines = "".join(f"{video};{label}\n" for video, (_, label) in VIDEOS.items())
    (root / "jester-v1-train.csv").write_text(lines)
    (root / "jester-v1-validation.csv").write_text(lines)
    order = list(reversed(JESTER_CLASSES))
    (root / "tfrecords").mkdir()
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    for split in ("train", "val"):
        with tf.io.TFRecordWriter(str(root / "tfrecords" / f"{split}-000.tfrecord"),
                                  options) as writer:
            for video, (count, label) in VIDEOS.items():
                jpegs = [_jpeg(_frame(i)) for i in range(count)]
                write_tfrecord_video(writer, jpegs, order.index(label), video, HEIGHT, WIDTH)
    for video, (count, _) in VIDEOS.items():
        folder = root / "20bn-jester-v1" / video
        folder.mkdir(parents=True)
        for i in range(count):
            (folder / f"{i + 1:05d}.jpg").write_bytes(_jpeg(_frame(i)))
    return root


def test_csvs_are_read_by_class_name(jester_root):
    assert read_labels(jester_root) == list(range(26, -1, -1))
    assert read_split(jester_root, "validation") == [
        (video, JESTER_CLASSES.index(label)) for video, (_, label) in VIDEOS.items()]


def test_stride_two_from_frame_zero_and_centre_crop_or_pad(jester_root):
    clip = load_video_clip(jester_root / "20bn-jester-v1" / "1001")
    assert clip.shape == (16, 100, 100, 3) and clip.dtype == np.uint8
    assert [_frame_index(frame) for frame in clip] == list(range(0, 32, 2))
    # Height 80 -> 10 zero rows above and below; width 120 -> columns 10..109 kept.
    assert clip[:, :10].max() == 0 and clip[:, 90:].max() == 0
    np.testing.assert_allclose(clip[0, 50, :, 1], 2 * np.arange(10, 110), atol=3)


def test_short_videos_wrap_around(jester_root):
    clip = load_video_clip(jester_root / "20bn-jester-v1" / "1002")
    assert [_frame_index(frame) for frame in clip] == [(2 * k) % 7 for k in range(16)]


def test_validation_dataset_matches_the_folder_loader(jester_root):
    clips, labels = next(iter(jester_dataset(jester_root, "validation", batch_size=3)))
    assert clips.shape == (3, 16, 100, 100, 3) and clips.dtype == tf.uint8
    assert labels.dtype == tf.int32
    assert labels.numpy().tolist() == [JESTER_CLASSES.index(label) for _, label in VIDEOS.values()]
    for row, video in enumerate(VIDEOS):
        np.testing.assert_array_equal(clips[row], load_video_clip(
            jester_root / "20bn-jester-v1" / video))


def test_training_starts_at_random_offsets_within_the_video(jester_root):
    starts = {video: set() for video in VIDEOS}
    names = {JESTER_CLASSES.index(label): video for video, (_, label) in VIDEOS.items()}
    for clips, labels in jester_dataset(jester_root, "train", batch_size=3, seed=1).take(8):
        for clip, label in zip(clips.numpy(), labels.numpy(), strict=True):
            indices = [_frame_index(frame) for frame in clip]
            count = VIDEOS[names[int(label)]][0]
            assert indices == [(indices[0] + 2 * k) % count for k in range(16)]
            starts[names[int(label)]].add(indices[0])
    assert starts["1002"] == {0} and starts["1003"] == {0, 1}  # 34 frames: offsets 0..1
    assert len(starts["1001"]) > 2 and max(starts["1001"]) < 40 - 32


def test_num_clips_keeps_the_first_videos(jester_root):
    for make in (jester_dataset, jester_tfrecord_dataset):
        batches = list(make(jester_root, "validation", batch_size=4, num_clips=2))
        assert [int(label) for label in batches[0][1]] == [
            JESTER_CLASSES.index("Swiping Left"), JESTER_CLASSES.index("Thumb Up")]
        with pytest.raises(ValueError, match="num_clips"):
            make(jester_root, num_clips=0)


def test_tfrecord_layout_gives_the_same_batches(jester_root):
    from_records = next(iter(jester_tfrecord_dataset(jester_root, "validation", batch_size=3)))
    from_folders = next(iter(jester_dataset(jester_root, "validation", batch_size=3)))
    np.testing.assert_array_equal(from_records[1], from_folders[1])
    np.testing.assert_array_equal(from_records[0], from_folders[0])
    clips, _ = next(iter(jester_tfrecord_dataset(jester_root, "train", batch_size=2)))
    assert clips.shape == (2, 16, 100, 100, 3)


def test_missing_csvs_say_what_is_needed(tmp_path):
    with pytest.raises(FileNotFoundError, match="jester-v1-labels.csv"):
        jester_dataset(tmp_path)
    (tmp_path / "jester-v1-labels.csv").write_text("\n".join(JESTER_CLASSES))
    with pytest.raises(FileNotFoundError, match="jester-v1-validation.csv"):
        jester_dataset(tmp_path)
    with pytest.raises(FileNotFoundError, match="TFRecord"):
        jester_tfrecord_dataset(tmp_path)


def test_unknown_labels_name_the_file_and_line(tmp_path):
    (tmp_path / "jester-v1-labels.csv").write_text("\n".join(JESTER_CLASSES))
    (tmp_path / "jester-v1-validation.csv").write_text("1;Swiping Left\n2;Waving Goodbye\n")
    with pytest.raises(JesterDataError, match="line 2: unknown label 'Waving Goodbye'"):
        jester_dataset(tmp_path)
    (tmp_path / "jester-v1-labels.csv").write_text("Swiping Left\nJumping\n")
    with pytest.raises(JesterDataError, match="line 2: unknown class 'Jumping'"):
        read_labels(tmp_path)


def test_empty_or_missing_video_folders_are_named(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a frame")
    with pytest.raises(JesterDataError, match=r"empty has no frames .*on_corrupt='skip' "
                       r"\(command line: --on-corrupt skip\)"):
        load_video_clip(tmp_path / "empty")
    with pytest.raises(JesterDataError, match="does not exist"):
        load_video_clip(tmp_path / "absent")


def _with_corrupt_frame(root, tmp_path):
    """A copy of the fixture whose video 1001 has a truncated (corrupt) first frame."""
    import shutil

    copy = tmp_path / "jester"
    shutil.copytree(root, copy)
    broken = copy / "20bn-jester-v1" / "1001" / "00001.jpg"
    broken.write_bytes(broken.read_bytes()[:200])
    return copy, broken


def test_corrupt_jpeg_raises_naming_the_file_by_default(jester_root, tmp_path):
    root, broken = _with_corrupt_frame(jester_root, tmp_path)
    with pytest.raises(JesterDataError, match=r"corrupt JPEG frame .*00001.jpg.*"
                       r"on_corrupt='skip' \(command line: --on-corrupt skip\)"):
        load_video_clip(root / "20bn-jester-v1" / "1001")
    with pytest.raises(tf.errors.OpError, match=str(broken)):
        next(iter(jester_dataset(root, "validation", batch_size=3)))


def test_corrupt_jpeg_can_be_skipped_with_a_warning(jester_root, tmp_path):
    root, _ = _with_corrupt_frame(jester_root, tmp_path)
    with pytest.warns(UserWarning, match="skipping a clip: corrupt JPEG"):
        batches = list(jester_dataset(root, "validation", batch_size=3, on_corrupt="skip"))
    assert [int(label) for label in batches[0][1]] == [JESTER_CLASSES.index("Thumb Up"),
                                                       JESTER_CLASSES.index("No gesture")]


def test_a_video_without_frames_is_a_jester_error():
    with pytest.raises(JesterDataError, match="no frames"):
        clip_from_jpegs([], [])


def _with_empty_video(root, tmp_path):
    """A copy of the fixture with a fourth video, 1004, that has no frames: an empty folder
    in the folder layout and a record with no frames in the TFRecord layout."""
    import shutil

    copy = tmp_path / "jester"
    shutil.copytree(root, copy)
    with open(copy / "jester-v1-validation.csv", "a") as handle:
        handle.write("1004;Thumb Down\n")
    (copy / "20bn-jester-v1" / "1004").mkdir()
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    with tf.io.TFRecordWriter(str(copy / "tfrecords" / "val-001.tfrecord"), options) as writer:
        write_tfrecord_video(writer, [], 0, "1004", HEIGHT, WIDTH)
    return copy


def test_empty_videos_raise_naming_them_by_default(jester_root, tmp_path):
    root = _with_empty_video(jester_root, tmp_path)
    folder = root / "20bn-jester-v1" / "1004"
    with pytest.raises(tf.errors.OpError, match=f"video folder {re.escape(str(folder))} has "
                       "no frames.*--on-corrupt skip"):
        list(jester_dataset(root, "validation", batch_size=2))
    with pytest.raises(tf.errors.OpError, match="TFRecord video '1004' has no frames.*"
                       "--on-corrupt skip"):
        list(jester_tfrecord_dataset(root, "validation", batch_size=2))


@pytest.mark.parametrize("make", [jester_dataset, jester_tfrecord_dataset])
def test_empty_videos_can_be_skipped_with_a_warning(jester_root, tmp_path, make):
    root = _with_empty_video(jester_root, tmp_path)
    with pytest.warns(UserWarning, match="skipping a clip: .*1004.* has no frames"):
        batches = list(make(root, "validation", batch_size=4, on_corrupt="skip"))
    assert [int(label) for label in batches[0][1]] == [
        JESTER_CLASSES.index(label) for _, label in VIDEOS.values()]


def test_bad_arguments(jester_root):
    with pytest.raises(ValueError, match="split"):
        jester_dataset(jester_root, "test")
    with pytest.raises(ValueError, match="on_corrupt"):
        jester_dataset(jester_root, on_corrupt="ignore")
    with pytest.raises(ValueError, match="stride"):
        jester_dataset(jester_root, stride=0)
    with pytest.raises(ValueError, match="batch_size"):
        jester_tfrecord_dataset(jester_root, batch_size=0)
