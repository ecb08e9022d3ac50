"""Data for the book: synthetic Jester-like gestures (no download), the real Jester loader,
and safe downloads.

Every pipeline yields batches ``(clips uint8 (B, 16, 100, 100, 3), labels int32 (B,))``.
"""

from streamnets.data.classes import (
    CANONICAL_CLASS,
    JESTER_CLASSES,
    MIRROR_PAIRS,
    NUM_CLASSES,
    class_index,
)
from streamnets.data.download import DownloadError, download, extract_archive, sha256_of
from streamnets.data.jester import (
    JesterDataError,
    jester_dataset,
    jester_tfrecord_dataset,
    load_video_clip,
)
from streamnets.data.pipeline import (
    DEFAULT_EVAL_CLIPS,
    DEFAULT_WINDOW,
    SPLIT_SEEDS,
    WINDOW_TARGETS,
    calibration_clips,
    clip_spec,
    random_affine,
    split_specs,
    stream_window,
    stream_window_dataset,
    synthetic_dataset,
    window_label,
)
from streamnets.data.streams import (
    LABEL_TAIL,
    MODEL_FPS,
    STREAM_SPLIT_SEEDS,
    STREAM_VERSION,
    StreamEvent,
    stream_frame_labels,
    stream_seed,
    synthetic_stream,
)
from streamnets.data.synthetic import (
    GENERATOR_VERSION,
    MOTION_DESCRIPTIONS,
    gesture_window,
    synthetic_clip,
)
from streamnets.data.video_folder import (
    VideoFolder,
    VideoFolderError,
    scan_video_folder,
    video_folder_dataset,
)

__all__ = [
    "CANONICAL_CLASS",
    "DEFAULT_EVAL_CLIPS",
    "DownloadError",
    "GENERATOR_VERSION",
    "JESTER_CLASSES",
    "JesterDataError",
    "MIRROR_PAIRS",
    "LABEL_TAIL",
    "MODEL_FPS",
    "MOTION_DESCRIPTIONS",
    "NUM_CLASSES",
    "SPLIT_SEEDS",
    "STREAM_SPLIT_SEEDS",
    "STREAM_VERSION",
    "DEFAULT_WINDOW",
    "WINDOW_TARGETS",
    "StreamEvent",
    "calibration_clips",
    "class_index",
    "clip_spec",
    "download",
    "extract_archive",
    "gesture_window",
    "jester_dataset",
    "jester_tfrecord_dataset",
    "load_video_clip",
    "random_affine",
    "sha256_of",
    "split_specs",
    "stream_frame_labels",
    "stream_seed",
    "stream_window",
    "stream_window_dataset",
    "window_label",
    "synthetic_clip",
    "synthetic_dataset",
    "synthetic_stream",
    "VideoFolder",
    "VideoFolderError",
    "scan_video_folder",
    "video_folder_dataset",
]
