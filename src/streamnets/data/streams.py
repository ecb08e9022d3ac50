"""Synthetic *streams*: one long, unsegmented camera feed in which gestures are rare events.

:func:`synthetic_stream` renders one continuous scene (one background, one person with one
skin colour and one hand, one sleeve, one camera) whose lighting, colour cast and sensor
noise drift slowly, and in which gestures of the 25 action classes happen at random times,
separated by idle stretches (the hand rests with a slight tremor, or leaves the frame and
comes back: "No gesture") and unrelated motion (the hand wanders and changes its pose, or
an object is carried across the frame: "Doing other things").

Streams are rendered at :data:`MODEL_FPS` frames per second, the rate the models see.

**A gesture in a stream is a gesture of a training clip.** Each gesture is drawn by the clip
renderer's own motion generator (:data:`streamnets.data.synthetic.MOTIONS`) on a
:data:`CLIP_FRAMES`-frame timeline, exactly as for a clip, so its duration in frames,
speed, amplitude, pose and tremor have the clips' distribution; the frames covering its
window are cut out of that timeline and placed into the stream. Mirror classes are their
partner's motion played backwards, as in clips, so they keep their meaning. Draws whose
window sticks out of the 16 frames (a cut gesture) or whose handedness differs from the
stream's person are drawn again, so a stream holds only whole gestures made by one hand.

**The hand never jumps.** Between two pieces the hand moves smoothly (a smoothstep in
position, size, angle, foreshortening, shade and finger pose) from where the last piece
left it to where the next one starts, so each gesture starts from the pose the idle
stretch brought the hand to. These moves are slower than gestures: on average at most
:data:`TRAVEL_SPEED` frame widths per frame (1.5 times that when fidgeting, and
:data:`AWAY_SPEED` when the hand leaves or enters the frame), against about 0.07 for a
typical swipe.

The ground truth is a sorted list of :class:`StreamEvent`: class index and the gesture's
window ``(start, end)`` in frames, continuous like :func:`~streamnets.data.gesture_window`
(frame ``k`` covers ``[k, k + 1)``); only whole gestures inside the stream are listed.

Seeds: streams have their own random keys (never a clip's), and the splits use disjoint
seed ranges (:data:`STREAM_SPLIT_SEEDS`, :func:`stream_seed`) above every clip seed, so no
validation or test stream shares a seed with any clip split or with another stream split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from streamnets.data.classes import CANONICAL_CLASS, JESTER_CLASSES
from streamnets.data.synthetic import (
    _DEG,
    _F32,
    MAX_SEED,
    MAX_SIZE,
    MIN_SIZE,
    MOTIONS,
    POSES,
    _camera,
    _draw_shape,
    _noise_bank,
    _Object,
    _render_hand,
    _scene,
    _Track,
)

#: Frames per second of every stream, the models' input rate. Jester is filmed at 12 fps
#: and the models read every 2nd frame, so a 16-frame clip spans about 2.7 s: the models
#: see 6 frames per second, and a stream must be rendered at that rate for a gesture in it
#: to move as fast per frame as in the clips the models were trained on.
MODEL_FPS = 6.0
#: Length of the training clips on whose timeline each gesture is drawn.
CLIP_FRAMES = 16
#: Part of every stream's random key: bump it whenever a change alters the rendered pixels.
STREAM_VERSION = 1
#: Tag in every stream's random key; a clip's key starts with its GENERATOR_VERSION and a
#: class index, so no stream ever reuses a clip's random numbers.
_STREAM_KEY = 0x5717EA
DEFAULT_STREAM_FRAMES = 360  # one minute
#: Frames after a gesture's end that still carry its class in per-frame targets
#: (:func:`stream_frame_labels`): 10 frames, 1.7 s. A gesture (8 frames at the median) plus
#: its tail still fits in the gesture model's 21-frame receptive field, so the model can see
#: what it names; and a clip's last frame, which clip accuracy reads, falls inside the tail
#: for almost every clip (gestures end at frame 12 of 16 at the median, before frame 7 in
#: under 10 % of clips). With a tail of 3 frames, a fine-tune's clip accuracy fell to 63 %
#: after 200 steps: the model learned to say "No gesture" once a gesture was over.
LABEL_TAIL = 10
MAX_STREAM_FRAMES = 100_000  # about 4.6 hours, 3 GB at 100x100
MAX_STREAM_SEED = 2**64 - 1
#: [first, last + 1) stream seed of each split: disjoint, and above every clip seed
#: (clips take seeds up to MAX_SEED = 2**63 - 1). Seeds below 2**63 belong to no split and
#: are free for examples (``synthetic_stream(123)``).
STREAM_SPLIT_SEEDS: dict[str, tuple[int, int]] = {
    "test": (MAX_SEED + 1, MAX_SEED + 1 + 1_000_000),
    "validation": (MAX_SEED + 1 + 1_000_000, MAX_SEED + 1 + 2_000_000),
    "train": (MAX_SEED + 1 + 2_000_000, MAX_STREAM_SEED + 1),
}
#: The 25 classes that stream events can have (everything but the two background classes).
ACTION_CLASSES: tuple[int, ...] = tuple(
    i for i, name in enumerate(JESTER_CLASSES) if name not in ("No gesture", "Doing other things"))
#: Fastest mean speed of the hand between pieces, in frame widths per frame (the slowest
#: clip gesture, a 30 % slide over 10.4 frames, averages 0.029; a typical swipe 0.07).
TRAVEL_SPEED = 0.025
#: Mean speed of the hand when it leaves or enters the frame ("No gesture" with nobody).
AWAY_SPEED = 0.045
_CHUNK = 16  # frames rendered together (the hand is evaluated in its bounding box)
_REST_POSES = ("open", "flat", "fist", "two", "bunch")
# A hand state: cx, cy, scale, theta, squash, shade, then the 10 pose numbers.
_CX, _CY, _SCALE, _THETA, _SQUASH, _SHADE = range(6)
_FIELDS = 16


@dataclass(frozen=True)
class StreamEvent:
    """One gesture of a stream: its class index and its window in frames, ``end``
    exclusive and continuous like :func:`~streamnets.data.gesture_window`."""

    label: int
    start: float
    end: float

    def __post_init__(self) -> None:
        label = self.label
        if isinstance(label, bool) or not hasattr(label, "__index__") or not (
                0 <= int(label) < len(JESTER_CLASSES)):
            raise ValueError(f"StreamEvent label must be a class index in "
                             f"[0, {len(JESTER_CLASSES)}), got {label!r}.")
        start, end = float(self.start), float(self.end)
        if not (math.isfinite(start) and math.isfinite(end) and end > start):
            raise ValueError(f"StreamEvent end must be after its start (both finite), got "
                             f"start={self.start}, end={self.end}.")
        object.__setattr__(self, "label", int(label))
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def name(self) -> str:
        """The class name."""
        return JESTER_CLASSES[self.label]

    @property
    def length(self) -> float:
        """Duration in frames."""
        return self.end - self.start


def _check_int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int in [{low}, {high}], got {value!r}.")
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is out of range; use an int in [{low}, {high}].")
    return int(value)


def stream_seed(split: str, index: int) -> int:
    """The seed of stream number ``index`` of a split (see :data:`STREAM_SPLIT_SEEDS`).

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"``.
        index: the stream's number within the split, from 0 up to the split's seed count
            minus one (1,000,000 streams for validation and test).
    """
    if split not in STREAM_SPLIT_SEEDS:
        raise ValueError(f"split must be one of {sorted(STREAM_SPLIT_SEEDS)}, got {split!r}.")
    start, stop = STREAM_SPLIT_SEEDS[split]
    index = _check_int("index", index, 0, stop - start - 1)
    return start + index


def _state(track: _Track) -> np.ndarray:
    """Per-frame hand states (frames, 16) of a clip generator's track."""
    columns = [track.cx, track.cy, track.scale, track.theta, track.squash, track.shade]
    frames = len(track.pose)
    return np.concatenate([np.stack([np.broadcast_to(np.asarray(c, dtype=np.float64), (frames,))
                                     for c in columns], axis=1), track.pose], axis=1)


def _track(states: np.ndarray, handed: float) -> _Track:
    return _Track(cx=states[:, _CX], cy=states[:, _CY], scale=states[:, _SCALE],
                  theta=states[:, _THETA], squash=states[:, _SQUASH], shade=states[:, _SHADE],
                  pose=states[:, 6:], handed=handed)


def _tremor(rng: np.random.Generator, frames: int, size: int) -> np.ndarray:
    """The clip renderer's tremor (half a pixel, one degree) as state offsets."""
    shake = rng.uniform(-1.0, 1.0, (3, frames))
    offsets = np.zeros((frames, _FIELDS))
    offsets[:, _CX] = 0.5 * size / 100.0 * shake[0]
    offsets[:, _CY] = 0.5 * size / 100.0 * shake[1]
    offsets[:, _THETA] = 1.0 * _DEG * shake[2]
    return offsets


def _rest_state(rng: np.random.Generator, size: int) -> np.ndarray:
    """A resting hand somewhere in the lower two thirds of the frame."""
    state = np.empty(_FIELDS)
    state[_CX] = size * rng.uniform(0.25, 0.75)
    state[_CY] = size * rng.uniform(0.45, 0.8)
    state[_SCALE] = size * rng.uniform(0.13, 0.2)
    state[_THETA] = rng.uniform(-30, 30) * _DEG
    state[_SQUASH] = state[_SHADE] = 1.0
    jitter = np.concatenate([rng.uniform(-4, 4, 4), rng.uniform(-0.05, 0.05, 4),
                             [rng.uniform(-6, 6), rng.uniform(-0.05, 0.05)]])
    state[6:] = np.array(POSES[_REST_POSES[rng.integers(len(_REST_POSES))]]) + jitter
    return state


def _away_state(rng: np.random.Generator, state: np.ndarray, size: int) -> np.ndarray:
    """The hand lowered out of the frame (fingers up, so the forearm is out of view too)."""
    away = _rest_state(rng, size)
    away[_CX] = state[_CX]
    away[_CY] = size * 1.75
    away[_THETA] = rng.uniform(-10, 10) * _DEG
    return away


def _travel(rng: np.random.Generator, start: np.ndarray, end: np.ndarray, size: int,
            speed: float = TRAVEL_SPEED) -> np.ndarray:
    """Smooth move from ``start`` (excluded) to ``end`` (the last frame), with tremor; its
    length keeps every part of the hand slower than ``speed`` (frame widths per frame) on
    average, so a move never looks like a gesture."""
    delta = end - start
    pose = np.abs(delta[6:])
    steps = max(
        math.hypot(delta[_CX], delta[_CY]) / (speed * size),
        abs(math.log(end[_SCALE] / start[_SCALE])) / (3.0 * speed),
        abs(delta[_THETA]) / (250.0 * speed * _DEG),
        abs(delta[_SQUASH]) / (3.0 * speed), abs(delta[_SHADE]) / (3.0 * speed),
        float(pose[0:4].max()) / (250.0 * speed), float(pose[4:8].max()) / (4.0 * speed),
        pose[8] / (300.0 * speed), pose[9] / (4.0 * speed), 3.0)
    frames = math.ceil(steps * rng.uniform(1.0, 1.5))
    x = np.arange(1, frames + 1) / frames
    weight = x * x * (3.0 - 2.0 * x)
    path = start[None, :] + delta[None, :] * weight[:, None]
    return path + _tremor(rng, frames, size)


def _hold(rng: np.random.Generator, state: np.ndarray, frames: int, size: int) -> np.ndarray:
    return np.repeat(state[None, :], frames, axis=0) + _tremor(rng, frames, size)


def _gesture(rng: np.random.Generator, label: int, handed: float, size: int
             ) -> tuple[np.ndarray, tuple[float, float]]:
    """Hand states of one whole gesture of class ``label``, drawn by the clip generator on a
    16-frame timeline (mirror classes: played backwards), cut to the frames its window
    covers; and the window relative to the first of them."""
    canonical = CANONICAL_CLASS[label]
    while True:
        motion = MOTIONS[JESTER_CLASSES[canonical]](rng, CLIP_FRAMES, size)
        start, end = motion.window
        if motion.track.handed == handed and start >= 0.0 and end <= CLIP_FRAMES:
            break
    states = _state(motion.track)
    if canonical != label:
        states = states[::-1]
        start, end = CLIP_FRAMES - end, CLIP_FRAMES - start
    first, last = math.floor(start), math.ceil(end)
    return states[first:last], (start - first, end - first)


def _carried_object(rng: np.random.Generator, first: int, size: int
                    ) -> tuple[int, _Object]:
    """Something carried across the whole frame, entering and leaving at its edges."""
    radii = size * rng.uniform(0.06, 0.14, 2)
    reach = float(radii.max()) + 2.0
    angle = rng.uniform(0, 2 * math.pi)
    dx, dy = math.cos(angle), math.sin(angle)
    centre = size * rng.uniform(0.35, 0.65, 2)
    # From outside the frame to outside the frame, through ``centre``.
    half = size * 0.75 + reach
    frames = math.ceil(2.0 * half / (size * rng.uniform(0.04, 0.08)))
    along = np.linspace(-half, half, frames)
    thing = _Object(cx=centre[0] + along * dx, cy=centre[1] + along * dy,
                    radii=(float(radii[0]), float(radii[1])), colour=rng.uniform(20, 235, 3),
                    box=bool(rng.random() < 0.5))
    return first, thing


def _plan(rng: np.random.Generator, frames: int, size: int, handed: float
          ) -> tuple[np.ndarray, list[StreamEvent], list[tuple[int, _Object]], np.ndarray]:
    """Hand states for every frame, the events, the carried objects (first frame, object),
    and which frames show unrelated motion (bool, for :func:`stream_frame_labels`)."""
    pieces: list[np.ndarray] = []
    busy: list[np.ndarray] = []
    events: list[StreamEvent] = []
    objects: list[tuple[int, _Object]] = []
    state = _rest_state(rng, size)
    if rng.random() < 0.2:
        state = _away_state(rng, state, size)
    pieces.append(_hold(rng, state, int(rng.integers(3, 18)), size))
    busy.append(np.zeros(len(pieces[0]), bool))
    length = len(pieces[0])

    def add(piece: np.ndarray, other: bool = False) -> None:
        nonlocal length, state
        pieces.append(piece)
        busy.append(np.full(len(piece), other))
        length += len(piece)
        state = piece[-1]

    while length < frames:
        # A gap: one or two stretches of idling and unrelated motion.
        for _ in range(int(rng.integers(1, 3))):
            kind = rng.random()
            if kind < 0.45:  # idle: the hand rests where it is or somewhere else
                if rng.random() < 0.5:
                    add(_travel(rng, state, _rest_state(rng, size), size))
                add(_hold(rng, state, int(rng.integers(3, 13)), size))
            elif kind < 0.6:  # nobody: the hand leaves the frame, then comes back
                if state[_CY] < size * 1.5:
                    add(_travel(rng, state, _away_state(rng, state, size), size, AWAY_SPEED))
                add(_hold(rng, state, int(rng.integers(4, 19)), size))
                add(_travel(rng, state, _rest_state(rng, size), size, AWAY_SPEED))
            else:  # doing other things: fidgeting, or carrying something across
                if rng.random() < 0.6:
                    for _ in range(int(rng.integers(1, 4))):
                        add(_travel(rng, state, _rest_state(rng, size), size,
                                    speed=TRAVEL_SPEED * rng.uniform(1.0, 1.5)), other=True)
                else:
                    first, thing = _carried_object(rng, length, size)
                    objects.append((first, thing))
                    add(_hold(rng, state, len(thing.cx), size), other=True)
        # A gesture, started from wherever the gap left the hand.
        label = ACTION_CLASSES[int(rng.integers(len(ACTION_CLASSES)))]
        states, (start, end) = _gesture(rng, label, handed, size)
        if state[_CY] >= size * 1.5:  # come back into view first
            add(_travel(rng, state, _rest_state(rng, size), size, AWAY_SPEED))
        lead_in = _travel(rng, state, states[0], size)
        begin = length + len(lead_in)
        if begin + len(states) > frames:
            break
        add(lead_in)
        add(states)
        events.append(StreamEvent(int(label), float(begin + start), float(begin + end)))
    if length < frames:
        add(_hold(rng, state, frames - length, size))
    return np.concatenate(pieces)[:frames], events, objects, np.concatenate(busy)[:frames]


def _slow_wave(rng: np.random.Generator, frames: int, amplitude: float,
               periods: tuple[float, float] = (150.0, 600.0), terms: int = 2) -> np.ndarray:
    """A smooth random drift (a few long sines, per-frame scalars via :mod:`math`)."""
    wave = np.zeros(frames)
    for _ in range(terms):
        period, phase = rng.uniform(*periods), rng.uniform(0, 2 * math.pi)
        scale = amplitude * rng.uniform(0.5, 1.0) / terms
        wave += scale * np.array([math.sin(2.0 * math.pi * t / period + phase)
                                  for t in range(frames)])
    return wave


def _setup(seed: int, frames: int, size: int):
    """Checked arguments, the camera's generator, the scene and the plan of one stream."""
    seed = _check_int("seed", seed, 0, MAX_STREAM_SEED)
    frames = _check_int("frames", frames, 1, MAX_STREAM_FRAMES)
    size = _check_int("size", size, MIN_SIZE, MAX_SIZE)
    sequence = np.random.SeedSequence([_STREAM_KEY, STREAM_VERSION, seed])
    plan_rng, scene_rng, camera_rng = (np.random.Generator(np.random.PCG64(child))
                                       for child in sequence.spawn(3))
    skin, background = _scene(scene_rng, size)
    sleeve = scene_rng.uniform(10, 245, 3) if scene_rng.random() < 0.5 else None
    handed = 1.0 if scene_rng.random() < 0.5 else -1.0
    return frames, size, camera_rng, skin, background, sleeve, handed, _plan(
        plan_rng, frames, size, handed)


def stream_frame_labels(seed: int, frames: int = DEFAULT_STREAM_FRAMES, size: int = 100,
                        tail: int = LABEL_TAIL) -> np.ndarray:
    """Per-frame class targets of :func:`synthetic_stream` ``(seed, frames, size)``: int32 ``(T,)``.

    Frame ``k`` (covering ``[k, k + 1)``) takes a gesture's class while its centre lies in
    the gesture's window extended by ``tail`` frames, ``[start, end + tail)``; a following
    gesture takes over from its own start. The tail (see :data:`LABEL_TAIL`) labels the
    frames that have just seen the whole gesture: the model names the gesture it has just
    watched for as long as it is in view of its receptive field. Triggers are unaffected:
    a class fires once when it rises (:mod:`streamnets.detection` re-arms only after it
    has fallen).
    Every other frame is "Doing other things" where the hand fidgets or something is
    carried across, and "No gesture" where the hand rests, moves to a rest or is away.
    Only the plan is computed (no pixels), so this is cheap.

    Args:
        seed: the stream's seed, an int in ``[0, 2**64)``, as for :func:`synthetic_stream`.
        frames: the stream's length in frames (at :data:`MODEL_FPS`), ``1..100_000``;
            the default 360 is one minute.
        size: frame side in pixels, ``32..512``; it changes the plan (positions are in
            pixels), so pass the size the stream was rendered at.
        tail: frames after a gesture's end that keep its class, ``>= 0``.
    """
    tail = _check_int("tail", tail, 0, MAX_STREAM_FRAMES)
    frames, _, _, _, _, _, _, (_, events, _, busy) = _setup(seed, frames, size)
    labels = np.where(busy, JESTER_CLASSES.index("Doing other things"),
                      JESTER_CLASSES.index("No gesture")).astype(np.int32)
    centres = np.arange(frames) + 0.5
    for event in events:
        labels[(centres >= event.start) & (centres < event.end + tail)] = event.label
    return labels


def synthetic_stream(seed: int, frames: int = DEFAULT_STREAM_FRAMES, size: int = 100,
                     return_masks: bool = False):
    """Render one synthetic stream: ``(frames, events)``.

    ``frames`` is uint8 ``(T, size, size, 3)``: one continuous scene rendered at
    :data:`MODEL_FPS` frames per second (the models' input rate), in which gestures of the
    25 action classes happen at random times between idle stretches and unrelated motion
    (see the module docstring). ``events`` is the sorted list of :class:`StreamEvent`, one
    per gesture, each inside ``[0, T)``. The same seed (any int in ``[0, 2**64)``; see
    :func:`stream_seed` for the splits), length and size give the same bytes. With
    ``return_masks=True`` also return the hand's coverage, float32 ``(T, size, size)``.
    Per-frame training targets: :func:`stream_frame_labels`.

    Args:
        seed: the stream's seed, an int in ``[0, 2**64)``; the splits' seeds are above
            ``2**63`` (:func:`stream_seed`).
        frames: the stream's length ``T`` in frames, ``1..100_000``; the default 360 is
            one minute at :data:`MODEL_FPS`.
        size: side of the square frames in pixels, ``32..512``.
        return_masks: also return the hand's float32 coverage ``(T, size, size)`` as a
            third value.

    Returns:
        ``(video, events)``, or ``(video, events, masks)`` with ``return_masks=True``.
    """
    frames, size, camera_rng, skin, background, sleeve, handed, plan = _setup(seed, frames, size)
    states, events, objects, _ = plan

    # The camera: slowly drifting lighting, colour cast and noise, plus the clips' flicker.
    cast = camera_rng.uniform(0.9, 1.1, 3)
    gain = 1.0 + _slow_wave(camera_rng, frames, 0.15) + camera_rng.uniform(-0.02, 0.02, frames)
    factors = gain[:, None] * cast[None, :] * (
        1.0 + np.stack([_slow_wave(camera_rng, frames, 0.04, terms=1) for _ in range(3)], 1))
    sigma = camera_rng.uniform(2.5, 6.5)
    sigmas = (sigma * (1.0 + _slow_wave(camera_rng, frames, 0.25))).astype(_F32)
    offsets = camera_rng.integers(0, len(_noise_bank()) - size * size * 3, frames)

    video = np.empty((frames, size, size, 3), dtype=np.uint8)
    masks = np.zeros((frames, size, size), dtype=_F32) if return_masks else None
    for low in range(0, frames, _CHUNK):
        high = min(low + _CHUNK, frames)
        chunk = np.empty((high - low, size, size, 3), dtype=_F32)
        chunk[:] = background
        for first, thing in objects:
            a, b = max(low, first), min(high, first + len(thing.cx))
            if a < b:
                _draw_shape(chunk[a - low:b - low], thing.cx[a - first:b - first],
                            thing.cy[a - first:b - first], thing.radii, thing.box, thing.colour)
        hand = _render_hand(_track(states[low:high], handed), size, skin, sleeve, chunk)
        if masks is not None:
            masks[low:high] = hand
        video[low:high] = _camera(chunk, factors[low:high], sigmas[low:high], offsets[low:high])
    return (video, events, masks) if return_masks else (video, events)
