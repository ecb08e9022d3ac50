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
from streamnets.data.pipeline import (
    DEFAULT_EVAL_CLIPS,
    SPLIT_SEEDS,
    clip_spec,
    random_affine,
    split_specs,
    synthetic_dataset,
)
from streamnets.data.synthetic import GENERATOR_VERSION, gesture_window, synthetic_clip

__all__ = [
    "CANONICAL_CLASS",
    "DEFAULT_EVAL_CLIPS",
    "GENERATOR_VERSION",
    "JESTER_CLASSES",
    "MIRROR_PAIRS",
    "NUM_CLASSES",
    "SPLIT_SEEDS",
    "class_index",
    "clip_spec",
    "gesture_window",
    "random_affine",
    "split_specs",
    "synthetic_clip",
    "synthetic_dataset",
]
