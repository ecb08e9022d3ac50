"""Video files: decoding to the model's rate and shape, encoding, and every bad input."""

from __future__ import annotations

import av
import numpy as np
import pytest

from streamnets.data import MODEL_FPS, synthetic_stream
from streamnets.video import (
    VideoError,
    centre_square,
    iter_video,
    probe_video,
    read_video,
    write_video,
)

#: Mean absolute pixel error a near-lossless yuv420p round trip stays under (chroma is
#: subsampled, and the synthetic camera noise is hard to compress).
CODEC_TOLERANCE = 8.0


@pytest.fixture(scope="module")
def frames():
    return synthetic_stream(123, frames=24, size=100)[0]


def test_a_video_at_the_model_rate_round_trips(tmp_path, frames):
    path = tmp_path / "six.mp4"
    write_video(path, frames, fps=MODEL_FPS)
    video = read_video(path)
    assert video.shape == frames.shape and video.dtype == np.uint8
    assert np.abs(video.astype(int) - frames).mean() < CODEC_TOLERANCE
    info = probe_video(path)
    assert (info.width, info.height, info.fps) == (100, 100, MODEL_FPS)
    assert info.model_frames() == len(frames)


def test_a_faster_video_is_resampled_by_timestamps(tmp_path, frames):
    path = tmp_path / "twelve.mp4"
    write_video(path, frames[:23], fps=2 * MODEL_FPS)
    video = read_video(path)
    assert len(video) == 12  # ceil(23 / 2): samples at 0, 1/6, ..., 11/6 s < 23/12 s
    errors = np.abs(video.astype(int) - frames[:23:2]).mean(axis=(1, 2, 3))
    assert errors.max() < CODEC_TOLERANCE


def test_each_sample_is_the_frame_on_screen_at_its_time(tmp_path):
    levels = np.arange(0, 240, 10)  # frame i is a flat grey of level 10 i
    flat = np.broadcast_to(levels[:, None, None, None], (24, 16, 16, 3)).astype(np.uint8)
    path = tmp_path / "greys.mp4"
    write_video(path, flat, fps=12)
    video = read_video(path, size=16)
    np.testing.assert_allclose(video.mean(axis=(1, 2, 3)), levels[::2], atol=2)


def test_a_slower_video_repeats_frames(tmp_path, frames):
    path = tmp_path / "three.mp4"
    write_video(path, frames[:4], fps=MODEL_FPS / 2)
    video = read_video(path)
    assert len(video) == 8
    np.testing.assert_array_equal(video[0], video[1])
    assert np.abs(video[2].astype(int) - frames[1]).mean() < CODEC_TOLERANCE


def test_iter_video_streams_the_same_frames_and_stops_at_max_frames(tmp_path, frames):
    path = tmp_path / "six.mp4"
    write_video(path, frames, fps=MODEL_FPS)
    streamed = list(iter_video(path, max_frames=5))
    assert len(streamed) == 5
    np.testing.assert_array_equal(np.stack(streamed), read_video(path)[:5])


def test_a_wide_video_is_centre_cropped_then_resized(tmp_path):
    wide = np.zeros((6, 120, 160, 3), np.uint8)
    wide[:, :, :20] = 255  # the 20 columns left of the centred 120 x 120 square
    wide[:, :, 140:] = 255  # and right of it
    wide[:, :, 20:140, 0] = 200  # the square itself: red
    path = tmp_path / "wide.mp4"
    write_video(path, wide, fps=MODEL_FPS)
    video = read_video(path, size=60)
    assert video.shape == (6, 60, 60, 3)
    inner = video[:, 2:-2, 2:-2].astype(int)
    assert np.abs(inner[..., 0] - 200).mean() < 12  # red square, no white border inside
    assert inner[..., 1:].mean() < 30


def test_centre_square_keeps_the_middle():
    tall = np.zeros((10, 4, 3), np.uint8)
    tall[3:7] = 9
    np.testing.assert_array_equal(centre_square(tall, 4), np.full((4, 4, 3), 9, np.uint8))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(VideoError, match="no such video file.*nowhere.mp4"):
        read_video(tmp_path / "nowhere.mp4")


def test_a_text_file_is_not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video at all\n" * 20)
    with pytest.raises(VideoError, match="notes.mp4 cannot be read as a video"):
        read_video(path)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(VideoError, match="empty.mp4 is empty"):
        read_video(path)


def test_a_video_stream_without_frames_is_refused(tmp_path):
    path = tmp_path / "no_frames.mp4"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=6)
        stream.width = stream.height = 16
    with pytest.raises(VideoError, match="no_frames.mp4"):
        read_video(path)


def test_an_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "sound.wav"
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 8000
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(VideoError, match="sound.wav has no video stream"):
        read_video(path)


def test_a_video_shorter_than_one_model_frame_is_refused(tmp_path, frames):
    path = tmp_path / "blink.mp4"
    write_video(path, frames[:2], fps=30)  # 1/15 s, less than 1/6 s
    with pytest.raises(VideoError, match="blink.mp4 is 0.067 s long.*shorter than one frame"):
        next(iter_video(path))


def test_write_video_refuses_odd_sizes_and_floats(tmp_path):
    with pytest.raises(ValueError, match="even height and width"):
        write_video(tmp_path / "odd.mp4", np.zeros((2, 5, 6, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "float.mp4", np.zeros((2, 4, 4, 3), np.float32))
    assert list(tmp_path.iterdir()) == []  # nothing half-written
