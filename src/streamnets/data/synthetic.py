"""Procedural Jester-like gesture clips: every chapter runs with no download.

A clip is a rendered hand (palm, four fingers, thumb and forearm, drawn as soft-edged
distance fields) over a cluttered background (colour gradient, smooth texture, boxes and
blobs, sometimes a person), seen through a cheap camera (per-frame noise, a lighting
drift, a colour cast). The *motion* of the hand defines the class, with Jester's meaning
(see :data:`MOTIONS`): swipes translate the whole open hand, two-finger slides translate a
two-finger pose, pushing/pulling scale the hand (it moves away from / toward the camera),
zooming spreads or closes the fingers around a fixed palm, rolling foreshortens the hand
about a horizontal axis, turning rotates it in the image plane, and so on.

Three properties the book relies on:

* **Time separates mirror classes, and only time.** The second class of each pair in
  :data:`~streamnets.data.classes.MIRROR_PAIRS` is rendered as the first class's clip with
  the same seed played backwards: ``synthetic_clip(mirror, s)`` equals
  ``synthetic_clip(canonical, s)[::-1]`` byte for byte, camera noise included. A model that
  looks at single frames cannot tell them apart.
* **Gestures do not fill the clip.** Each gesture starts at a random time (often after a few
  still frames), lasts a random fraction of the clip and may be cut by either end, so early
  frames often show nothing class-specific: frame-averaged accuracy stays well below the
  accuracy read after the last frame. The timing distribution is symmetric under time
  reversal, so mirror classes share it.
* **Same arguments, same pixels, on any machine.** Randomness comes from
  ``numpy.random.Generator(PCG64)`` seeded by ``(GENERATOR_VERSION, class, seed)`` with
  uniform draws only; transcendental functions are only applied to per-frame scalars
  (with :mod:`math`); per-pixel work uses exactly rounded IEEE operations (``+ - * /``,
  ``sqrt``, ``min``, ``max``), so the result does not depend on the CPU's vector units or
  on thread counts.

Everything is vectorised over all frames at once, and shapes are only evaluated in the
window they can cover: about 8 ms per 16x100x100 clip on one core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from streamnets.data.classes import CANONICAL_CLASS, JESTER_CLASSES, MIRROR_PAIRS, class_index

#: Part of every clip's seed: bump it whenever a change alters the rendered pixels.
GENERATOR_VERSION = 1
MAX_FRAMES = 256
MIN_SIZE, MAX_SIZE = 32, 512
MAX_SEED = 2**63 - 1

_DEG = math.pi / 180.0
_F32 = np.float32
#: Soft-edge width of every shape, in pixels (a webcam is never perfectly sharp).
_EDGE = 1.25

# Hand geometry, in "hand units" (the palm is about 0.85 wide and 0.95 tall). Axes: u runs
# across the palm (towards the little finger), v along the fingers.
_FINGER_BASES = np.array([[-0.27, 0.38], [-0.09, 0.44], [0.09, 0.42], [0.26, 0.34]])
_FINGER_LENGTHS = np.array([0.88, 1.0, 0.93, 0.72])
_FINGER_RADIUS = 0.095
_THUMB_BASE = np.array([-0.33, -0.12])
_THUMB_LENGTH = 0.62
_THUMB_RADIUS = 0.11
_PALM_AXES = (0.42, 0.48)
_ARM_RADIUS = 0.3

# A pose is 10 numbers: finger angles (degrees from the v axis, positive towards +u),
# finger extensions (1 straight, 0.22 curled into the palm), thumb angle, thumb extension.
POSES: dict[str, tuple[float, ...]] = {
    "open": (-9, -3, 3, 9, 1, 1, 1, 1, -55, 1.0),
    "flat": (-3, -1, 1, 3, 1, 1, 1, 1, -25, 0.9),
    "spread": (-26, -9, 9, 26, 1, 1, 1, 1, -88, 1.0),
    "bunch": (15, 5, -5, -15, 0.68, 0.68, 0.68, 0.68, 8, 0.8),
    "two": (-10, 6, 0, 0, 1, 1, 0.22, 0.22, 35, 0.55),
    "fist": (0, 0, 0, 0, 0.22, 0.22, 0.22, 0.22, 40, 0.5),
    "pinch": (-45, 0, 0, 0, 0.6, 0.22, 0.22, 0.22, -25, 1.0),
    "l_shape": (-3, 0, 0, 0, 1, 0.22, 0.22, 0.22, -88, 1.0),
    "thumb_out": (0, 0, 0, 0, 0.22, 0.22, 0.22, 0.22, -90, 1.0),
}

_SKIN_PALETTE = np.array(
    [[255, 219, 180], [238, 190, 140], [222, 168, 120], [194, 132, 90], [141, 88, 52],
     [96, 62, 42]], dtype=np.float64
)


@dataclass
class _Track:
    """Per-frame state of the hand (all arrays have one entry per frame)."""

    cx: np.ndarray  # palm centre, pixels
    cy: np.ndarray
    scale: np.ndarray  # pixels per hand unit
    theta: np.ndarray  # radians; 0 = fingers up, positive = clockwise on screen
    squash: np.ndarray  # foreshortening along the fingers (rolling), 1 = none
    shade: np.ndarray  # overall brightness of the hand
    pose: np.ndarray  # (frames, 10), see POSES
    handed: float  # +1 or -1: which side the thumb is on
    visible: bool = True


@dataclass
class _Object:
    """A moving non-hand object (a distractor, or what "Doing other things" moves)."""

    cx: np.ndarray
    cy: np.ndarray
    radii: tuple[float, float]
    colour: np.ndarray
    box: bool


@dataclass
class _Motion:
    track: _Track
    window: tuple[float, float] | None  # gesture start/end, in frames (None: no gesture)
    objects: list[_Object] = field(default_factory=list)


def check_clip_args(frames: int, size: int, seed: int) -> None:
    """Raise a ValueError naming the argument when a clip's frames, size or seed is invalid.

    Args:
        frames: clip length, an int in ``[1, MAX_FRAMES]`` (256).
        size: side of the square frames in pixels, an int in ``[MIN_SIZE, MAX_SIZE]``
            (32..512).
        seed: the clip's seed, an int in ``[0, 2**63 - 1]``.

    ``bool`` and non-integer values (floats included) are refused.
    """
    for name, value, low, high in (("frames", frames, 1, MAX_FRAMES),
                                   ("size", size, MIN_SIZE, MAX_SIZE),
                                   ("seed", seed, 0, MAX_SEED)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an int in [{low}, {high}], got {value!r}.")
        if not low <= value <= high:
            raise ValueError(f"{name}={value} is out of range; use an int in [{low}, {high}].")


def _rngs(canonical: int, seed: int) -> list[np.random.Generator]:
    """Independent streams for motion, scene and camera (so the timing can be read alone)."""
    sequence = np.random.SeedSequence([GENERATOR_VERSION, canonical, int(seed)])
    return [np.random.Generator(np.random.PCG64(child)) for child in sequence.spawn(3)]


def _sin(x: np.ndarray) -> np.ndarray:
    return np.array([math.sin(v) for v in np.ravel(x)]).reshape(np.shape(x))


def _cos(x: np.ndarray) -> np.ndarray:
    return np.array([math.cos(v) for v in np.ravel(x)]).reshape(np.shape(x))


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _timing(rng: np.random.Generator, frames: int, shortest: float, longest: float,
            overhang: float = 0.15) -> tuple[np.ndarray, tuple[float, float]]:
    """Progress 0 -> 1 of a gesture at each frame, and its (start, end) in frames.

    The start is uniform over all positions that keep at least ``1 - overhang`` of the
    gesture inside the clip, so the distribution is the same played backwards. One gesture
    in ten is cut harder (up to 70 % outside the clip): genuinely ambiguous clips.
    """
    if rng.random() < 0.1:
        overhang = rng.uniform(overhang, 0.7)
    duration = rng.uniform(shortest, longest) * frames
    start = rng.uniform(-overhang * duration, frames - duration + overhang * duration)
    times = np.arange(frames) + 0.5
    return _smoothstep((times - start) / duration), (start, start + duration)


def _hand(rng: np.random.Generator, frames: int, size: int, pose_from: str,
          pose_to: str | None = None, progress: np.ndarray | None = None,
          tilt: float = 12.0, scale: tuple[float, float] = (0.13, 0.2)) -> _Track:
    """A hand at a random place, size and tilt, with tremor, morphing between two poses."""
    handed = 1.0 if rng.random() < 0.5 else -1.0
    base_scale = size * rng.uniform(*scale)
    cx = size * rng.uniform(0.36, 0.64)
    cy = size * rng.uniform(0.42, 0.62)
    theta = rng.uniform(-tilt, tilt) * _DEG
    jitter = np.concatenate([rng.uniform(-4, 4, 4), rng.uniform(-0.05, 0.05, 4),
                             [rng.uniform(-6, 6), rng.uniform(-0.05, 0.05)]])
    tremor = rng.uniform(-1.0, 1.0, (3, frames))
    start = np.array(POSES[pose_from]) + jitter
    end = np.array(POSES[pose_to or pose_from]) + jitter
    weight = np.zeros(frames) if progress is None else progress
    pose = start[None, :] + (end - start)[None, :] * weight[:, None]
    pixel = size / 100.0
    return _Track(
        cx=cx + 0.5 * pixel * tremor[0], cy=cy + 0.5 * pixel * tremor[1],
        scale=np.full(frames, base_scale), theta=theta + 1.0 * _DEG * tremor[2],
        squash=np.ones(frames), shade=np.ones(frames), pose=pose, handed=handed,
    )


def _motion_translate(rng, frames, size, *, direction, pose, amplitude) -> _Motion:
    """Swipes and two-finger slides: the hand crosses a good part of the frame."""
    progress, window = _timing(rng, frames, 0.3, 0.65)
    track = _hand(rng, frames, size, pose)
    distance = size * rng.uniform(*amplitude)
    arc = size * rng.uniform(-0.06, 0.06) * 4.0 * progress * (1.0 - progress)
    along = (progress - 0.5) * distance  # centred: the reversed clip looks alike
    dx, dy = direction
    track.cx = track.cx + dx * along - dy * arc
    track.cy = track.cy + dy * along + dx * arc
    track.theta = track.theta + rng.uniform(0, 12) * _DEG * (dx - dy) * 4.0 * progress * (
        1.0 - progress)
    return _Motion(track, window)


def _motion_push(rng, frames, size, *, pose) -> _Motion:
    """Pushing away: the hand shrinks (moves away from the camera) by a factor 1.6-2.2."""
    progress, window = _timing(rng, frames, 0.3, 0.65)
    track = _hand(rng, frames, size, pose, scale=(0.12, 0.18))
    ratio = rng.uniform(1.6, 2.2)
    track.scale = track.scale * ratio ** (0.5 - progress)
    track.cy = track.cy - size * rng.uniform(0.0, 0.06) * progress
    return _Motion(track, window)


def _motion_roll(rng, frames, size) -> _Motion:
    """Rolling forward: the hand pivots at the wrist about a horizontal axis, so its height
    collapses (foreshortening), the palm centre drops towards the wrist and it darkens."""
    progress, window = _timing(rng, frames, 0.3, 0.65)
    track = _hand(rng, frames, size, "flat")
    depth = rng.uniform(0.5, 0.7)
    track.squash = 1.0 - depth * progress
    track.cy = track.cy + 0.5 * track.scale * (1.0 - track.squash)
    track.shade = 1.0 - 0.25 * progress
    return _Motion(track, window)


def _motion_turn(rng, frames, size) -> _Motion:
    """Turning clockwise: in-plane rotation of the open hand by 70-110 degrees."""
    progress, window = _timing(rng, frames, 0.3, 0.65)
    track = _hand(rng, frames, size, "open")
    track.theta = track.theta + (progress - 0.5) * rng.uniform(70, 110) * _DEG
    return _Motion(track, window)


def _motion_zoom(rng, frames, size, *, pose_from, pose_to) -> _Motion:
    """Zooming in: the fingers spread from closed to open around a fixed palm."""
    progress, window = _timing(rng, frames, 0.3, 0.65)
    return _Motion(_hand(rng, frames, size, pose_from, pose_to, progress), window)


def _motion_thumb(rng, frames, size, *, up: bool) -> _Motion:
    """Thumb up/down: a sideways fist whose thumb unfolds upwards or downwards."""
    progress, window = _timing(rng, frames, 0.25, 0.5)
    track = _hand(rng, frames, size, "fist", "thumb_out", progress)
    # The thumb points along -u; turn the hand so that -u is up (or down) on screen.
    track.theta = track.theta + (1.0 if up else -1.0) * track.handed * 90.0 * _DEG
    return _Motion(track, window)


def _motion_shake(rng, frames, size) -> _Motion:
    """Shaking: the open hand rocks back and forth (rotation and a little translation)."""
    _, window = _timing(rng, frames, 0.55, 0.9)
    track = _hand(rng, frames, size, "open")
    start, end = window
    times = np.arange(frames) + 0.5
    inside = (times - start) / (end - start)
    envelope = np.clip(np.minimum(inside, 1.0 - inside) * 6.0, 0.0, 1.0)
    wave = _sin(2.0 * math.pi * rng.uniform(0.18, 0.3) * (times - start) + rng.uniform(0, 6.3))
    track.theta = track.theta + rng.uniform(16, 30) * _DEG * wave * envelope
    track.cx = track.cx + size * rng.uniform(0.02, 0.05) * wave * envelope
    return _Motion(track, window)


def _motion_stop(rng, frames, size) -> _Motion:
    """Stop sign: a flat palm rises a little towards the camera, then is held still."""
    progress, window = _timing(rng, frames, 0.2, 0.4)
    track = _hand(rng, frames, size, "flat", tilt=6.0)
    track.cy = track.cy + size * rng.uniform(0.1, 0.2) * (1.0 - progress)
    track.scale = track.scale * (0.85 + 0.15 * progress)
    return _Motion(track, window)


def _motion_drum(rng, frames, size) -> _Motion:
    """Drumming: a sideways, tilted hand whose fingers flex one after the other."""
    _, window = _timing(rng, frames, 0.55, 0.9)
    track = _hand(rng, frames, size, "flat")
    track.theta = track.theta + (1.0 if rng.random() < 0.5 else -1.0) * rng.uniform(60, 110) * _DEG
    track.squash = np.full(frames, rng.uniform(0.55, 0.8))
    start, end = window
    times = np.arange(frames) + 0.5
    inside = (times - start) / (end - start)
    envelope = np.clip(np.minimum(inside, 1.0 - inside) * 6.0, 0.0, 1.0)
    phase = (2.0 * math.pi * rng.uniform(0.2, 0.35) * times[:, None]
             + rng.uniform(0.6, 1.2) * np.arange(4)[None, :] + rng.uniform(0, 6.3))
    depth = rng.uniform(0.4, 0.6)
    track.pose[:, 4:8] = track.pose[:, 4:8] - depth * (0.5 + 0.5 * _sin(phase)) * envelope[:, None]
    return _Motion(track, window)


_REST_POSES = ("open", "flat", "fist", "two", "bunch")


def _still_hand(rng, frames, size) -> _Track:
    """A resting hand: random pose, anywhere in the lower part of the frame."""
    track = _hand(rng, frames, size, _REST_POSES[rng.integers(len(_REST_POSES))], tilt=30.0)
    track.cx = track.cx + size * rng.uniform(-0.2, 0.2)
    track.cy = track.cy + size * rng.uniform(0.0, 0.25)
    track.visible = rng.random() < 0.65
    return track


def _motion_none(rng, frames, size) -> _Motion:
    """No gesture: nobody moves; the hand is absent or resting (tremor only)."""
    return _Motion(_still_hand(rng, frames, size), None)


def _motion_other(rng, frames, size) -> _Motion:
    """Doing other things: the hand wanders and fidgets, or an object is moved about."""
    times = np.arange(frames) + 0.5
    if rng.random() < 0.6:
        poses = rng.choice(len(_REST_POSES), 2)
        track = _hand(rng, frames, size, _REST_POSES[poses[0]], _REST_POSES[poses[1]],
                      times / frames, tilt=25.0)
        for axis in ("cx", "cy"):
            offset = np.zeros(frames)
            for _ in range(2):
                offset += size * rng.uniform(0.03, 0.1) * _sin(
                    2.0 * math.pi * rng.uniform(0.03, 0.12) * times + rng.uniform(0, 6.3))
            setattr(track, axis, getattr(track, axis) + offset)
        track.theta = track.theta + rng.uniform(-25, 25) * _DEG * (times / frames - 0.5)
        return _Motion(track, (0.0, float(frames)))
    track = _still_hand(rng, frames, size)
    progress, window = _timing(rng, frames, 0.4, 0.9)
    angle = rng.uniform(0, 2 * math.pi)
    distance = size * rng.uniform(0.35, 0.6)
    centre = size * rng.uniform(0.35, 0.65, 2)
    dx, dy = math.cos(angle), math.sin(angle)
    radii = size * rng.uniform(0.06, 0.14, 2)
    thing = _Object(cx=centre[0] + (progress - 0.5) * distance * dx,
                    cy=centre[1] + (progress - 0.5) * distance * dy,
                    radii=(float(radii[0]), float(radii[1])),
                    colour=rng.uniform(20, 235, 3), box=bool(rng.random() < 0.5))
    return _Motion(track, window, [thing])


#: How each class is drawn. Mirror classes are absent: they are their partner reversed.
MOTIONS = {
    "Swiping Left": lambda r, t, s: _motion_translate(
        r, t, s, direction=(-1.0, 0.0), pose="open", amplitude=(0.4, 0.65)),
    "Swiping Down": lambda r, t, s: _motion_translate(
        r, t, s, direction=(0.0, 1.0), pose="open", amplitude=(0.4, 0.65)),
    "Pushing Hand Away": lambda r, t, s: _motion_push(r, t, s, pose="open"),
    "Sliding Two Fingers Left": lambda r, t, s: _motion_translate(
        r, t, s, direction=(-1.0, 0.0), pose="two", amplitude=(0.3, 0.5)),
    "Sliding Two Fingers Down": lambda r, t, s: _motion_translate(
        r, t, s, direction=(0.0, 1.0), pose="two", amplitude=(0.3, 0.5)),
    "Pushing Two Fingers Away": lambda r, t, s: _motion_push(r, t, s, pose="two"),
    "Rolling Hand Forward": _motion_roll,
    "Turning Hand Clockwise": _motion_turn,
    "Zooming In With Full Hand": lambda r, t, s: _motion_zoom(
        r, t, s, pose_from="bunch", pose_to="spread"),
    "Zooming In With Two Fingers": lambda r, t, s: _motion_zoom(
        r, t, s, pose_from="pinch", pose_to="l_shape"),
    "Thumb Up": lambda r, t, s: _motion_thumb(r, t, s, up=True),
    "Thumb Down": lambda r, t, s: _motion_thumb(r, t, s, up=False),
    "Shaking Hand": _motion_shake,
    "Stop Sign": _motion_stop,
    "Drumming Fingers": _motion_drum,
    "No gesture": _motion_none,
    "Doing other things": _motion_other,
}


#: One line per class: what the generator draws (mirror classes: their partner reversed).
MOTION_DESCRIPTIONS: dict[str, str] = {
    "Swiping Left": "open hand crosses 40-65 % of the frame leftwards",
    "Swiping Down": "open hand crosses 40-65 % of the frame downwards",
    "Pushing Hand Away": "open hand shrinks 1.6-2.2x (moves away from the camera)",
    "Sliding Two Fingers Left": "two-finger pose crosses 30-50 % of the frame leftwards",
    "Sliding Two Fingers Down": "two-finger pose crosses 30-50 % of the frame downwards",
    "Pushing Two Fingers Away": "two-finger pose shrinks 1.6-2.2x",
    "Rolling Hand Forward": "flat hand tips forward about the wrist: height collapses, darkens",
    "Turning Hand Clockwise": "open hand rotates 70-110 degrees clockwise in the image plane",
    "Zooming In With Full Hand": "fingers spread from a closed bunch, palm fixed",
    "Zooming In With Two Fingers": "thumb and index open from a pinch, palm fixed",
    "Thumb Up": "sideways fist unfolds its thumb upwards",
    "Thumb Down": "sideways fist unfolds its thumb downwards",
    "Shaking Hand": "open hand rocks back and forth several times",
    "Stop Sign": "flat palm rises a little, grows slightly, then is held still",
    "Drumming Fingers": "sideways, tilted hand flexes its fingers one after the other",
    "No gesture": "nobody in front of the camera, or a resting hand (tremor only)",
    "Doing other things": "the hand wanders and fidgets, or an object is moved about",
}
for _first, _second in MIRROR_PAIRS:
    MOTION_DESCRIPTIONS[_second] = f"'{_first}' played backwards"


def _drift_object(rng: np.random.Generator, frames: int, size: int) -> _Object:
    """A background object that drifts slowly (present in some clips of every class)."""
    start = size * rng.uniform(0.1, 0.9, 2)
    step = size * rng.uniform(-0.08, 0.08, 2) / frames
    times = np.arange(frames)
    radii = size * rng.uniform(0.05, 0.12, 2)
    return _Object(cx=start[0] + step[0] * times, cy=start[1] + step[1] * times,
                   radii=(float(radii[0]), float(radii[1])), colour=rng.uniform(20, 235, 3),
                   box=bool(rng.random() < 0.5))


@lru_cache(maxsize=8)
def _pixel_centres(size: int) -> np.ndarray:
    return np.arange(size, dtype=_F32) + _F32(0.5)


def _window(low_x, high_x, low_y, high_y, size: int) -> tuple[slice, slice]:
    """Rows and columns of the bounding box of per-frame boxes, clipped to the frame.

    Shapes are only evaluated there: most of a frame is far from any given shape.
    """
    def span(low, high) -> slice:
        start = min(max(int(np.min(low)) - 2, 0), size)
        return slice(start, min(max(int(np.max(high)) + 3, start), size))

    return span(low_y, high_y), span(low_x, high_x)


def _soft(distance: np.ndarray) -> np.ndarray:
    """Coverage of a shape from its signed distance in pixels (negative inside)."""
    alpha = distance * _F32(-1.0 / _EDGE)
    alpha += _F32(0.5)
    return np.clip(alpha, 0.0, 1.0, out=alpha)


def _shape_alpha(cols: np.ndarray, rows: np.ndarray, cx, cy, radii, box: bool) -> np.ndarray:
    """Coverage of an axis-aligned ellipse or box at pixel centres ``rows`` x ``cols``;
    ``cx``/``cy`` may carry a frame axis."""
    cx = np.asarray(cx, dtype=_F32)[..., None, None]
    cy = np.asarray(cy, dtype=_F32)[..., None, None]
    dx = cols[None, :] - cx
    dy = rows[:, None] - cy
    rx, ry = _F32(radii[0]), _F32(radii[1])
    if box:
        return _soft(np.maximum(np.abs(dx) - rx, np.abs(dy) - ry))
    norm = np.sqrt((dx / rx) ** 2 + (dy / ry) ** 2)
    return _soft((norm - _F32(1.0)) * min(rx, ry))


def _draw_shape(image: np.ndarray, cx, cy, radii, box: bool, colour, opacity: float = 1.0) -> None:
    """Paint an ellipse or box into ``image`` ((H, W, 3), or (T, H, W, 3) with per-frame
    centres) in place, touching only the pixels it can cover."""
    size = image.shape[-2]
    reach = max(radii)
    rows, cols = _window(np.subtract(cx, reach), np.add(cx, reach), np.subtract(cy, reach),
                         np.add(cy, reach), size)
    xs = _pixel_centres(size)
    alpha = _shape_alpha(xs[cols], xs[rows], cx, cy, radii, box)
    if opacity != 1.0:
        alpha *= _F32(opacity)
    _composite(image[..., rows, cols, :], alpha, colour)


def _composite(image: np.ndarray, alpha: np.ndarray, colour) -> None:
    """In place: image <- image + alpha * (colour - image)."""
    change = np.subtract(np.asarray(colour, dtype=_F32), image, dtype=_F32)
    change *= alpha[..., None]
    image += change


def _skin(rng: np.random.Generator) -> np.ndarray:
    position = rng.uniform(0, len(_SKIN_PALETTE) - 1)
    low = int(position)
    high = min(low + 1, len(_SKIN_PALETTE) - 1)
    tone = _SKIN_PALETTE[low] + (_SKIN_PALETTE[high] - _SKIN_PALETTE[low]) * (position - low)
    return tone + rng.uniform(-10, 10, 3)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _background(rng: np.random.Generator, size: int, skin: np.ndarray) -> np.ndarray:
    """Gradient + smooth texture + clutter (+ sometimes a person), contrasted with the skin."""
    xs = _pixel_centres(size)
    ramp = (xs / _F32(size))[:, None]
    corners = rng.uniform(15, 240, (2, 2, 3)).astype(_F32)
    top = corners[0, 0] + (corners[0, 1] - corners[0, 0]) * ramp  # (W, 3)
    bottom = corners[1, 0] + (corners[1, 1] - corners[1, 0]) * ramp
    image = top[None] + (bottom - top)[None] * ramp[:, :, None]  # (H, W, 3)
    # Smooth texture: a coarse random grid, bilinearly upsampled with exact arithmetic.
    cells = 4
    grid = rng.uniform(-22, 22, (cells + 1, cells + 1, 3)).astype(_F32)
    position = xs * _F32(cells / size)
    low = np.minimum(position.astype(np.int64), cells - 1)
    frac = (position - low.astype(_F32))[:, None]
    rows = grid[low] + (grid[low + 1] - grid[low]) * frac[:, :, None]  # (H, cells+1, 3)
    image += rows[:, low] + (rows[:, low + 1] - rows[:, low]) * frac[None, :, :]
    for _ in range(rng.integers(2, 7)):
        centre = size * rng.uniform(0, 1, 2)
        radii = size * rng.uniform(0.04, 0.25, 2)
        box = bool(rng.random() < 0.5)
        _draw_shape(image, centre[0], centre[1], radii, box, rng.uniform(10, 245, 3),
                    opacity=rng.uniform(0.6, 1.0))
    if rng.random() < 0.5:  # someone in the background: shoulders, a face, hair
        head_x = size * rng.uniform(0.25, 0.75)
        head_y = size * rng.uniform(0.15, 0.35)
        head = size * np.array([rng.uniform(0.09, 0.13), rng.uniform(0.12, 0.17)])
        shoulders = size * np.array([rng.uniform(0.35, 0.5), 0.45])
        _draw_shape(image, head_x, size * 1.05, shoulders, False, rng.uniform(10, 200, 3))
        _draw_shape(image, head_x, head_y, head, False, skin * rng.uniform(0.85, 1.1))
        _draw_shape(image, head_x, head_y - 0.45 * head[1], head * np.array([1.05, 0.6]), False,
                    rng.uniform(10, 90, 3))
    # Keep the hand visible: move the background's brightness away from the skin's.
    centre = image[size // 5: size - size // 5, size // 5: size - size // 5]
    bg_light = float(_luminance(centre.astype(np.float64)).mean())
    skin_light = float(_luminance(skin))
    if abs(bg_light - skin_light) < 50.0:
        if skin_light > 120.0:
            image *= _F32(max(skin_light - 60.0, 10.0) / max(bg_light, 1.0))
        else:
            target = min(skin_light + 70.0, 240.0)
            image[:] = 255.0 - (255.0 - image) * _F32((255.0 - target) / max(255.0 - bg_light, 1.0))
    return np.clip(image, 0.0, 255.0)


def _segment_distance2(ux, uy, vx, vy, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Squared distance from every pixel to a per-frame segment, in hand units.

    The pixel coordinates come split in separable parts (u = ux + uy, v = vx + vy, with
    ux/vx of shape (T, 1, W) and uy/vy of shape (T, H, 1)) so that offsets cost nothing.
    """
    start = start.astype(_F32)
    delta = (end - start).astype(_F32)
    du = delta[:, 0, None, None]
    dv = delta[:, 1, None, None]
    inverse = _F32(1.0) / np.maximum(du * du + dv * dv, _F32(1e-12))
    col_u = ux - start[:, 0, None, None]
    col_v = vx - start[:, 1, None, None]
    # Position along the segment (0 at start, 1 at end): separable too, before clipping.
    along = (col_u * (du * inverse) + col_v * (dv * inverse)) + (uy * (du * inverse)
                                                                 + vy * (dv * inverse))
    np.clip(along, 0.0, 1.0, out=along)
    pu = col_u + uy
    pu -= along * du
    pv = col_v + vy
    pv -= along * dv
    pu *= pu
    pv *= pv
    pu += pv
    return pu


def _render_hand(track: _Track, size: int, skin: np.ndarray, sleeve: np.ndarray | None,
                 frame: np.ndarray) -> np.ndarray:
    """Draw the hand into ``frame`` (T, H, W, 3) in place; return its coverage without the arm.

    The forearm (a half-strip) is drawn over the whole frame; palm and fingers only in the
    window the hand can reach during the clip.
    """
    xs = _pixel_centres(size).astype(np.float64)
    cos, sin = _cos(track.theta), _sin(track.theta)
    across = 1.0 / track.scale
    along = 1.0 / (track.scale * track.squash)
    dx = xs[None, :] - track.cx[:, None]  # (T, W)
    dy = xs[None, :] - track.cy[:, None]  # (T, H)
    # Hand coordinates of every pixel, split into a column part and a row part.
    ux = (dx * (track.handed * cos * across)[:, None]).astype(_F32)[:, None, :]
    uy = (dy * (track.handed * sin * across)[:, None]).astype(_F32)[:, :, None]
    vx = (dx * (sin * along)[:, None]).astype(_F32)[:, None, :]
    vy = (dy * (-cos * along)[:, None]).astype(_F32)[:, :, None]
    pixels = track.scale.astype(_F32)[:, None, None]  # hand units -> pixels
    colour = (track.shade[:, None] * skin[None, :]).astype(_F32)[:, None, None, :]

    # The forearm: a half-strip from the palm out of the frame (along -v), drawn only in
    # the box that holds it in every frame.
    far_x = track.cx - 2.0 * size * sin
    far_y = track.cy + 2.0 * size * cos
    reach = _ARM_RADIUS * track.scale + 1.0
    rows, cols = _window(np.minimum(track.cx, far_x) - reach, np.maximum(track.cx, far_x) + reach,
                         np.minimum(track.cy, far_y) - reach, np.maximum(track.cy, far_y) + reach,
                         size)
    v = vx[:, :, cols] + vy[:, rows]
    arm = np.abs(ux[:, :, cols] + uy[:, rows])
    arm -= _F32(_ARM_RADIUS)
    np.maximum(arm, v + _F32(0.3), out=arm)
    arm *= pixels
    arm_alpha = _soft(arm)
    _composite(frame[:, rows, cols], arm_alpha, colour)
    if sleeve is not None:
        v += _F32(0.85)  # the cuff line: the sleeve covers the arm below v = -0.85
        v *= pixels
        arm_alpha *= _soft(v)
        _composite(frame[:, rows, cols], arm_alpha, sleeve)

    reach = 1.65 * track.scale
    rows, cols = _window(track.cx - reach, track.cx + reach, track.cy - reach,
                         track.cy + reach, size)
    ux, uy, vx, vy = ux[:, :, cols], uy[:, rows], vx[:, :, cols], vy[:, rows]
    angles = track.pose[:, 0:4] * _DEG
    extension = track.pose[:, 4:8]
    tips_u = _FINGER_BASES[None, :, 0] + (_FINGER_LENGTHS * extension) * _sin(angles)
    tips_v = _FINGER_BASES[None, :, 1] + (_FINGER_LENGTHS * extension) * _cos(angles)
    finger2 = None
    for i in range(4):
        base = np.broadcast_to(_FINGER_BASES[i], (len(angles), 2))
        tip = np.stack([tips_u[:, i], tips_v[:, i]], axis=1)
        distance2 = _segment_distance2(ux, uy, vx, vy, base, tip)
        finger2 = distance2 if finger2 is None else np.minimum(finger2, distance2, out=finger2)
    thumb_angle = track.pose[:, 8] * _DEG
    thumb_length = _THUMB_LENGTH * track.pose[:, 9]
    thumb_base = np.broadcast_to(_THUMB_BASE, (len(angles), 2))
    thumb_tip = thumb_base + np.stack([thumb_length * _sin(thumb_angle),
                                       thumb_length * _cos(thumb_angle)], axis=1)
    thumb = np.sqrt(_segment_distance2(ux, uy, vx, vy, thumb_base, thumb_tip))
    thumb -= _F32(_THUMB_RADIUS)
    fingers = np.sqrt(finger2)
    fingers -= _F32(_FINGER_RADIUS)
    np.minimum(fingers, thumb, out=fingers)
    fingers *= pixels
    finger_alpha = _soft(fingers)
    a, b = _PALM_AXES
    palm_u = (ux + uy) * _F32(1.0 / a)
    palm_v = (vx + vy - _F32(0.02)) * _F32(1.0 / b)
    palm = np.sqrt(palm_u * palm_u + palm_v * palm_v)
    palm -= _F32(1.0)
    palm *= pixels * _F32(min(a, b))
    hand_alpha = np.maximum(_soft(palm), finger_alpha)
    # Fingers a little brighter than the palm, with a darker rim so they read over it.
    shade = finger_alpha * (_F32(1.0) - finger_alpha)
    shade *= _F32(-1.4)
    shade += _F32(1.0) + _F32(0.06) * finger_alpha
    _composite(frame[:, rows, cols], hand_alpha, shade[..., None] * colour)
    masks = np.zeros(frame.shape[:3], dtype=_F32)
    masks[:, rows, cols] = hand_alpha
    return masks


@lru_cache(maxsize=1)
def _noise_bank() -> np.ndarray:
    """Two million fixed, roughly Gaussian values (unit variance) for camera noise.

    Each frame reads a random window of it: as good as fresh noise for this purpose and
    40x cheaper than drawing Gaussian numbers per pixel.
    """
    rng = np.random.Generator(np.random.PCG64(20250101))
    uniform = rng.random((3, 2**21))
    return ((uniform.sum(axis=0) - 1.5) * 2.0).astype(_F32)


def _scene(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The person's skin colour and the static background (float32 (H, W, 3)) they stand in
    front of: the scene of a clip, or of a whole stream (:mod:`streamnets.data.streams`)."""
    skin = _skin(rng)
    return skin, _background(rng, size, skin)


def _camera(clip: np.ndarray, factors: np.ndarray, sigmas, offsets: np.ndarray) -> np.ndarray:
    """The camera, in place on float32 ``clip`` (T, H, W, 3): per-frame RGB gains ``factors``
    (T, 3) (lighting times colour cast), sensor noise of per-frame strength ``sigmas`` read
    from the noise bank at ``offsets``; rounded and clipped to uint8."""
    frames = len(clip)
    clip *= factors.astype(_F32)[:, None, None, :]
    bank = _noise_bank()
    count = clip[0].size
    flat = clip.reshape(frames, count)
    for t in range(frames):
        flat[t] += bank[offsets[t]: offsets[t] + count] * sigmas[t]
    clip += _F32(0.5)
    np.clip(clip, 0.0, 255.0, out=clip)
    return clip.astype(np.uint8)


def _render(label: int, seed: int, frames: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    motion_rng, scene_rng, camera_rng = _rngs(label, seed)
    motion = MOTIONS[JESTER_CLASSES[label]](motion_rng, frames, size)
    skin, background = _scene(scene_rng, size)
    objects = list(motion.objects)
    if scene_rng.random() < 0.25:
        objects.insert(0, _drift_object(scene_rng, frames, size))
    sleeve = scene_rng.uniform(10, 245, 3) if scene_rng.random() < 0.5 else None

    clip = np.empty((frames, size, size, 3), dtype=_F32)
    clip[:] = background
    for thing in objects:
        _draw_shape(clip, thing.cx, thing.cy, thing.radii, thing.box, thing.colour)
    if motion.track.visible:
        masks = _render_hand(motion.track, size, skin, sleeve, clip)
    else:
        masks = np.zeros((frames, size, size), dtype=_F32)

    # Camera: lighting drift over the clip, flicker, colour cast, sensor noise.
    ramp = (np.arange(frames) + 0.5) / frames - 0.5
    gain = 1.0 + camera_rng.uniform(-0.3, 0.3) * ramp + camera_rng.uniform(-0.02, 0.02, frames)
    cast = camera_rng.uniform(0.9, 1.1, 3)
    sigma = _F32(camera_rng.uniform(2.0, 7.0))
    offsets = camera_rng.integers(0, len(_noise_bank()) - size * size * 3, frames)
    return _camera(clip, gain[:, None] * cast[None, :], [sigma] * frames, offsets), masks


def synthetic_clip(label: int | str, seed: int, frames: int = 16, size: int = 100,
                   return_masks: bool = False):
    """Render one synthetic gesture clip: uint8 array of shape ``(frames, size, size, 3)``.

    ``label`` is a class index or name (see ``JESTER_CLASSES``); ``seed`` any int in
    ``[0, 2**63)``. The same arguments give the same bytes on any machine. With
    ``return_masks=True`` also return the hand's coverage (palm and fingers, without the
    forearm) as float32 ``(frames, size, size)`` in [0, 1], the ground truth the tests
    measure motions on (all zeros when the clip shows no hand).

    Args:
        label: the gesture class, an index ``0..26`` or a name from ``JESTER_CLASSES``.
        seed: the clip's seed in ``[0, 2**63)``; the mirror class of a pair with the same
            seed is this clip reversed in time.
        frames: number of frames, ``1..256``.
        size: side of the square frames in pixels, ``32..512``.
        return_masks: also return the float32 hand coverage ``(frames, size, size)``.

    Returns:
        The uint8 clip ``(frames, size, size, 3)``, or ``(clip, masks)`` with
        ``return_masks=True``.
    """
    index = class_index(label)
    check_clip_args(frames, size, seed)
    canonical = CANONICAL_CLASS[index]
    clip, masks = _render(canonical, int(seed), int(frames), int(size))
    if canonical != index:
        clip, masks = clip[::-1].copy(), masks[::-1].copy()
    return (clip, masks) if return_masks else clip


def gesture_window(label: int | str, seed: int, frames: int = 16) -> tuple[float, float] | None:
    """When the gesture of ``synthetic_clip(label, seed, frames)`` happens: (start, end).

    In frames, continuous (frame ``k`` covers ``[k, k + 1)``); the window may extend past
    either end of the clip when the gesture is cut. ``None`` for "No gesture". Cheap: it
    replays only the motion, not the rendering.

    Args:
        label: the gesture class, an index ``0..26`` or a name from ``JESTER_CLASSES``.
        seed: the clip's seed, as for :func:`synthetic_clip`.
        frames: the clip's length, as for :func:`synthetic_clip` (the window does not
            depend on the frame size).
    """
    index = class_index(label)
    check_clip_args(frames, MIN_SIZE, seed)
    canonical = CANONICAL_CLASS[index]
    motion_rng = _rngs(canonical, int(seed))[0]
    window = MOTIONS[JESTER_CLASSES[canonical]](motion_rng, int(frames), MIN_SIZE).window
    if window is None or canonical == index:
        return window
    start, end = window
    return (frames - end, frames - start)
