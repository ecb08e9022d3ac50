"""Jester's 27 gesture classes, in Jester's own order, and the mirror pairs among them.

The order is the one of ``jester-v1-labels.csv`` (and of BrainChip's tutorial), so a class
index here means the same thing as a logit index of a model trained on real Jester.
"""

from __future__ import annotations

JESTER_CLASSES: tuple[str, ...] = (
    "Swiping Left",
    "Swiping Right",
    "Swiping Down",
    "Swiping Up",
    "Pushing Hand Away",
    "Pulling Hand In",
    "Sliding Two Fingers Left",
    "Sliding Two Fingers Right",
    "Sliding Two Fingers Down",
    "Sliding Two Fingers Up",
    "Pushing Two Fingers Away",
    "Pulling Two Fingers In",
    "Rolling Hand Forward",
    "Rolling Hand Backward",
    "Turning Hand Clockwise",
    "Turning Hand Counterclockwise",
    "Zooming In With Full Hand",
    "Zooming Out With Full Hand",
    "Zooming In With Two Fingers",
    "Zooming Out With Two Fingers",
    "Thumb Up",
    "Thumb Down",
    "Shaking Hand",
    "Stop Sign",
    "Drumming Fingers",
    "No gesture",
    "Doing other things",
)
NUM_CLASSES = len(JESTER_CLASSES)

#: Pairs of classes that are the same motion played forwards and backwards. In the
#: synthetic data the second of each pair is *exactly* the first one's clip in reverse
#: frame order (same seed), so only the order of frames tells them apart.
MIRROR_PAIRS: tuple[tuple[str, str], ...] = (
    ("Swiping Left", "Swiping Right"),
    ("Swiping Down", "Swiping Up"),
    ("Pushing Hand Away", "Pulling Hand In"),
    ("Sliding Two Fingers Left", "Sliding Two Fingers Right"),
    ("Sliding Two Fingers Down", "Sliding Two Fingers Up"),
    ("Pushing Two Fingers Away", "Pulling Two Fingers In"),
    ("Rolling Hand Forward", "Rolling Hand Backward"),
    ("Turning Hand Clockwise", "Turning Hand Counterclockwise"),
    ("Zooming In With Full Hand", "Zooming Out With Full Hand"),
    ("Zooming In With Two Fingers", "Zooming Out With Two Fingers"),
)


def class_index(label: int | str) -> int:
    """Return the index of ``label``, given either as an index or as a Jester class name.

    Names are matched exactly first, then case-insensitively (Jester's own CSVs spell
    "No gesture" and "Doing other things" in lower case after the first word).

    Args:
        label: a class index ``0..26`` (any int-like but ``bool``) or a name from
            :data:`JESTER_CLASSES`, matched as described above.

    Raises:
        ValueError: the name is unknown, the index is out of range, or ``label`` is
            neither.
    """
    if isinstance(label, str):
        if label in JESTER_CLASSES:
            return JESTER_CLASSES.index(label)
        lowered = [name.lower() for name in JESTER_CLASSES]
        if label.strip().lower() in lowered:
            return lowered.index(label.strip().lower())
        raise ValueError(
            f"label: unknown class name {label!r}; use one of the 27 names in "
            f"streamnets.data.JESTER_CLASSES (e.g. 'Swiping Left') or an index 0..26."
        )
    if isinstance(label, bool) or not hasattr(label, "__index__"):
        raise ValueError(
            f"label must be a class index 0..{NUM_CLASSES - 1} or a class name, "
            f"got {label!r} of type {type(label).__name__}."
        )
    index = int(label.__index__())
    if not 0 <= index < NUM_CLASSES:
        raise ValueError(
            f"label: class index {index} is out of range; use 0..{NUM_CLASSES - 1} "
            f"(see streamnets.data.JESTER_CLASSES)."
        )
    return index


#: For every class, the class whose clips it reverses (itself when it is not a mirror).
CANONICAL_CLASS: tuple[int, ...] = tuple(
    next(
        (JESTER_CLASSES.index(first) for first, second in MIRROR_PAIRS if second == name),
        index,
    )
    for index, name in enumerate(JESTER_CLASSES)
)
