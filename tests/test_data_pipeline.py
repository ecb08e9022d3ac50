"""The tf.data pipeline over synthetic clips: batches, balance, disjoint splits, augmentation."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from streamnets.data import (  # noqa: E402
    NUM_CLASSES,
    SPLIT_SEEDS,
    clip_spec,
    random_affine,
    split_specs,
    synthetic_clip,
    synthetic_dataset,
)

SMALL = {"frames": 4, "size": 32}


def test_batches_have_the_model_input_format_and_match_synthetic_clip():
    batches = list(synthetic_dataset("validation", batch_size=4, num_clips=6, **SMALL))
    assert [int(labels.shape[0]) for _, labels in batches] == [4, 2]
    clips, labels = batches[0]
    assert clips.dtype == tf.uint8 and clips.shape == (4, 4, 32, 32, 3)
    assert labels.dtype == tf.int32
    for row in range(4):
        label, clip_seed = clip_spec("validation", row)
        assert int(labels[row]) == label
        np.testing.assert_array_equal(clips[row].numpy(), synthetic_clip(label, clip_seed, **SMALL))


def test_train_stream_is_endless_balanced_and_static_shaped():
    dataset = synthetic_dataset("train", batch_size=9, **SMALL)
    assert dataset.element_spec[0].shape == (9, 4, 32, 32, 3)  # drop_remainder for training
    labels = np.concatenate([batch[1].numpy() for batch in dataset.take(6)])  # 54 clips
    assert np.bincount(labels, minlength=NUM_CLASSES).tolist() == [2] * NUM_CLASSES
    assert labels[:NUM_CLASSES].tolist() != list(range(NUM_CLASSES))  # shuffled


def test_eval_sets_are_balanced_by_default():
    labels, seeds = split_specs("test")
    assert np.bincount(labels).tolist() == [1080 // NUM_CLASSES] * NUM_CLASSES
    assert len(set(seeds.tolist())) == len(seeds)


def test_splits_use_disjoint_seeds():
    ranges = sorted(SPLIT_SEEDS.values())
    assert all(ranges[i][1] <= ranges[i + 1][0] for i in range(len(ranges) - 1))
    seen = {}
    for split, seed in (("test", 0), ("validation", 0), ("train", 0), ("train", 1)):
        _, seeds = split_specs(split, 500, seed)
        low, high = SPLIT_SEEDS[split]
        assert seeds.min() >= low and seeds.max() < high
        for other, other_seeds in seen.items():
            assert not set(seeds.tolist()) & other_seeds, (split, seed, other)
        seen[(split, seed)] = set(seeds.tolist())


def test_augmentation_is_reproducible_and_shared_by_all_frames():
    def first_batch(**kwargs):
        dataset = synthetic_dataset("test", batch_size=3, num_clips=3, **SMALL, **kwargs)
        return next(iter(dataset))

    plain, labels = first_batch()
    augmented, augmented_labels = first_batch(augment=True, seed=5)
    again, _ = first_batch(augment=True, seed=5)
    other, _ = first_batch(augment=True, seed=6)
    np.testing.assert_array_equal(labels, augmented_labels)
    np.testing.assert_array_equal(augmented, again)
    assert not np.array_equal(augmented, plain) and not np.array_equal(augmented, other)

    still = np.repeat(synthetic_clip(0, 1, frames=1, size=64), 5, axis=0)
    moved = random_affine(tf.constant(still), tf.constant([3, 4], tf.int64)).numpy()
    assert all(np.array_equal(moved[0], frame) for frame in moved[1:])


def test_random_affine_identity_and_zero_fill():
    clip = synthetic_clip(3, 2, frames=2, size=48)
    seed = tf.constant([0, 9], tf.int64)
    moved = random_affine(tf.constant(clip), seed).numpy()
    assert moved.shape == clip.shape and moved.dtype == np.uint8
    # Nearest neighbour: every output pixel is an input pixel or the zero fill.
    input_pixels = {tuple(p) for p in clip.reshape(-1, 3)} | {(0, 0, 0)}
    assert all(tuple(p) in input_pixels for p in moved.reshape(-1, 3)[::97])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"split": "training"}, "split"),
    ({"batch_size": 0}, "batch_size"),
    ({"num_clips": 0}, "num_clips"),
    ({"num_clips": 2_000_000, "split": "test"}, "num_clips"),
    ({"seed": -1}, "seed"),
    ({"frames": 0}, "frames"),
    ({"size": 8}, "size"),
])
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic_dataset(**kwargs)


def test_clip_spec_rejects_indices_outside_the_split():
    with pytest.raises(ValueError, match="outside"):
        clip_spec("test", 1_000_000)
    with pytest.raises(ValueError, match="num_clips"):
        split_specs("train")


# ------------------------------------------------------------------ stream windows


def test_stream_windows_are_cut_from_their_stream_deterministically():
    from streamnets.data import stream_frame_labels, stream_seed, stream_window, synthetic_stream
    from streamnets.data.pipeline import WINDOW_SEED_STRIDE, WINDOW_SLACK

    frames, labels = stream_window(5, seed=2, window=24, size=48)
    assert frames.shape == (24, 48, 48, 3) and frames.dtype == np.uint8
    assert labels.shape == (24,) and labels.dtype == np.int32
    again = stream_window(5, seed=2, window=24, size=48)
    assert np.array_equal(again[0], frames) and np.array_equal(again[1], labels)
    stream = stream_seed("train", 2 * WINDOW_SEED_STRIDE + 5)
    video, _ = synthetic_stream(stream, 24 + WINDOW_SLACK, 48)
    targets = stream_frame_labels(stream, 24 + WINDOW_SLACK, 48)
    offsets = [o for o in range(WINDOW_SLACK + 1) if np.array_equal(video[o:o + 24], frames)]
    assert len(offsets) == 1 and np.array_equal(targets[offsets[0]:offsets[0] + 24], labels)


def test_most_stream_windows_hold_a_gesture_but_not_all_start_with_one():
    from streamnets.data import stream_window

    labels = np.stack([stream_window(i, window=32, size=32)[1] for i in range(40)])
    with_gesture = (labels < 25).any(axis=1)
    assert 0.4 < with_gesture.mean() < 1.0
    # Windows do not all open on background, and gestures do not all sit at one place.
    starts = [int(np.argmax(row < 25)) for row in labels[with_gesture]]
    assert len(set(starts)) > 5


def test_stream_window_dataset_batches_per_frame_targets():
    from streamnets.data import stream_window, stream_window_dataset

    frames, labels = next(iter(stream_window_dataset(batch_size=3, window=22, size=32)))
    assert frames.shape == (3, 22, 32, 32, 3) and labels.shape == (3, 22)
    first = stream_window(0, 0, 22, 32)
    assert np.array_equal(frames[0].numpy(), first[0])
    assert np.array_equal(labels[0].numpy(), first[1])
    with pytest.raises(ValueError, match="window"):
        stream_window_dataset(window=0)


def test_window_label_names_the_gesture_or_the_main_background():
    from streamnets.data import window_label

    assert window_label(np.array([25, 25, 3, 3, 3, 26])) == 3
    assert window_label(np.array([25, 7, 7, 3, 3, 3, 25])) == 3  # most frames wins
    assert window_label(np.array([26, 26, 25])) == 26
    with pytest.raises(ValueError, match="per-frame targets"):
        window_label(np.zeros((2, 3), int))


def test_window_targets_repeat_one_label_over_the_same_frames():
    from streamnets.data import stream_window, stream_window_dataset, window_label

    frames, labels = next(iter(stream_window_dataset(2, window=22, size=32, targets="window")))
    first = stream_window(0, 0, 22, 32)
    assert np.array_equal(frames[0].numpy(), first[0])
    assert set(labels[0].numpy().tolist()) == {window_label(first[1])}
    with pytest.raises(ValueError, match="targets"):
        stream_window_dataset(targets="clip")
