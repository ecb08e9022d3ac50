"""Weights and their model cards: shipped, trained by ``streamnets train``, or BrainChip's.

A trained model is two files side by side, ``<stem>.weights.h5`` (Keras 3 weights) and
``<stem>.json`` (its model card: architecture, data, the command that trained it, scores),
plus ``<stem>.history.json`` (per-epoch history). :func:`card_path` and
:func:`history_path` are the one place that rule is written. :func:`load_model` turns any
weights spec the command line accepts into a model: a shipped name
(:func:`pretrained_names`), a ``.weights.h5`` with its card, or BrainChip's tf_keras
``.h5`` (:func:`load_brainchip_weights`). ``"brainchip-jester"`` is BrainChip's own
pretrained Jester model, downloaded and verified on first use
(:func:`streamnets.data.remote.fetch`).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h5py
import keras
import numpy as np
from keras import layers

from streamnets.data import NUM_CLASSES
from streamnets.models import gesture_net

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

WEIGHTS_SUFFIX = ".weights.h5"
CARD_SUFFIX = ".json"
HISTORY_SUFFIX = ".history.json"
#: The frame count and size of BrainChip's model, for ``.h5`` files that carry no card.
BRAINCHIP_FRAMES, BRAINCHIP_SIZE = 16, 100
#: Pretrained models that are not shipped but fetched from their publisher on first use.
REMOTE_PRETRAINED = ("brainchip-jester",)


# --------------------------------------------------------------------------- the stem rule


def _stem(weights: str | os.PathLike) -> Path:
    path = Path(weights)
    if not path.name.endswith(WEIGHTS_SUFFIX):
        raise ValueError(f"{path} is not a '{WEIGHTS_SUFFIX}' file.")
    return path.with_name(path.name[: -len(WEIGHTS_SUFFIX)])


def card_path(weights: str | os.PathLike) -> Path:
    """``<stem>.json``, the model card that sits next to ``<stem>.weights.h5``.

    Args:
        weights: path of a ``<stem>.weights.h5`` file (any other name raises
            ``ValueError``); it need not exist.
    """
    stem = _stem(weights)
    return stem.with_name(stem.name + CARD_SUFFIX)


def history_path(weights: str | os.PathLike) -> Path:
    """``<stem>.history.json``, the training history next to ``<stem>.weights.h5``.

    Args:
        weights: path of a ``<stem>.weights.h5`` file (any other name raises
            ``ValueError``); it need not exist.
    """
    stem = _stem(weights)
    return stem.with_name(stem.name + HISTORY_SUFFIX)


def read_card(path: str | os.PathLike | Traversable) -> dict[str, Any]:
    """A model card, checked: valid JSON with a ``model`` entry that builds a model.

    Args:
        path: the card's ``.json`` file, a path or a package resource (anything with
            ``read_text``).

    Raises:
        ValueError: the file is unreadable or not JSON, or its ``model`` entry lacks
            ``input_shape`` or ``n_classes``.
    """
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"model card {path} is not readable JSON ({error}); restore it from "
                         "the run that wrote it ('streamnets train' writes it).") from error
    model = card.get("model") if isinstance(card, dict) else None
    if not isinstance(model, dict) or "input_shape" not in model or "n_classes" not in model:
        raise ValueError(
            f"model card {path} has no 'model' entry with 'input_shape' and 'n_classes', "
            "so the architecture of its weights is unknown; restore the card that "
            "'streamnets train' wrote next to the weights."
        )
    return card


# --------------------------------------------------------------------------- shipped weights


def _shipped() -> Traversable:
    """The package-data folder with ``<name>.weights.h5`` + ``<name>.json`` pairs."""
    return resources.files("streamnets").joinpath("weights")


def pretrained_names() -> list[str]:
    """Names accepted by :func:`load_pretrained` (one per shipped model card)."""
    folder = _shipped()
    if not folder.is_dir():
        return []
    return sorted(
        p.name[: -len(CARD_SUFFIX)]
        for p in folder.iterdir()
        if p.name.endswith(CARD_SUFFIX) and not p.name.endswith(HISTORY_SUFFIX)
        and folder.joinpath(p.name[: -len(CARD_SUFFIX)] + WEIGHTS_SUFFIX).is_file()
    )


def model_card(name: str = "synthetic") -> dict[str, Any]:
    """The model card shipped with the pretrained weights ``name`` (data, command, scores).

    Args:
        name: a shipped model, one of :func:`pretrained_names` (``"brainchip-jester"``
            has no card).
    """
    if name not in pretrained_names():
        raise ValueError(f"no pretrained model named {name!r}; available: {pretrained_names()}.")
    return read_card(_shipped().joinpath(name + CARD_SUFFIX))


def pretrained_history(name: str = "synthetic") -> list[dict[str, Any]]:
    """The per-epoch training history shipped next to the pretrained weights ``name``.

    Args:
        name: a shipped model, one of :func:`pretrained_names`.

    Returns:
        One dict per epoch, as ``<name>.history.json`` holds them.
    """
    model_card(name)  # a clear error for unknown names
    return json.loads(_shipped().joinpath(name + HISTORY_SUFFIX).read_text(encoding="utf-8"))


def _build(card: dict[str, Any], frames: int | None, size: int | None) -> keras.Model:
    """The card's architecture, at ``frames`` x ``size`` if given (no weight depends on them)."""
    architecture = dict(card["model"])
    shape = list(architecture["input_shape"])
    if frames is not None:
        shape[0] = frames
    if size is not None:
        shape[1] = shape[2] = size
    architecture["input_shape"] = shape
    return gesture_net(**architecture)


def _load_keras_weights(model: keras.Model, path: str | os.PathLike) -> keras.Model:
    try:
        model.load_weights(path)
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(
            f"{path} cannot be loaded into the architecture its card describes ({error}). "
            "The file may be truncated or corrupt, or belong to another card: copy it "
            "again from the run that wrote it, or retrain."
        ) from error
    return model


def load_pretrained(name: str = "synthetic", frames: int | None = None,
                    size: int | None = None) -> keras.Model:
    """The model shipped inside the package, trained and ready to predict.

    ``"synthetic"`` is the 27-class model trained on the synthetic Jester-like clips
    at 16x100x100; ``"synthetic_perframe"`` is the same network with temporal kernels
    of size 1 (the baseline that cannot see motion); ``"synthetic_stream"`` is
    ``"synthetic"`` fine-tuned on windows cut from synthetic streams with per-frame
    targets, so it does not rely on a reset before each gesture (chapter 6). The model card
    (:func:`model_card`) says how each was trained and how well it scores. ``frames`` and
    ``size`` rebuild it for other clip lengths or frame sizes (no weight depends on them).

    ``"brainchip-jester"`` is BrainChip's float model trained on real Jester: not shipped
    with the package but downloaded from their server on first use (cached, checked against
    its published SHA-256); it has no model card.

    Args:
        name: one of :func:`pretrained_names`, or ``"brainchip-jester"``.
        frames: clip length to build the model for; ``None`` keeps the card's (16 for
            BrainChip's model). Not validated here; :func:`load_model` checks it.
        size: frame side in pixels to build the model for; ``None`` keeps the card's
            (100 for BrainChip's model).
    """
    if name in REMOTE_PRETRAINED:
        from streamnets.data.remote import fetch

        return load_brainchip_weights(_brainchip_net(frames, size), fetch(name))
    model = _build(model_card(name), frames, size)
    with resources.as_file(_shipped().joinpath(name + WEIGHTS_SUFFIX)) as path:
        return _load_keras_weights(model, path)


# --------------------------------------------------------------------------- any spec


def card_of(spec: str) -> dict[str, Any] | None:
    """The model card of a pretrained name or a ``.weights.h5`` (``None`` for BrainChip's).

    Args:
        spec: a weights spec as ``--weights`` takes it: a shipped name
            (:func:`pretrained_names`), a ``<stem>.weights.h5`` path, or BrainChip's ``.h5``.

    Returns:
        The checked card (:func:`read_card`), or ``None`` for any spec that is neither a
        shipped name nor a ``.weights.h5``.

    Raises:
        ValueError: a ``.weights.h5`` has no card next to it.
    """
    if spec in pretrained_names():
        return model_card(spec)
    if spec.endswith(WEIGHTS_SUFFIX):
        card = card_path(spec)
        if not card.is_file():
            raise ValueError(f"--weights: {spec} needs its model card {card} (written by "
                             "'streamnets train') to know the architecture.")
        return read_card(card)
    return None


def history_of(spec: str) -> list[dict[str, Any]] | None:
    """The (possibly chained) training history next to ``spec``, if there is one.

    Args:
        spec: a weights spec as ``--weights`` takes it: a shipped name
            (:func:`pretrained_names`), a ``<stem>.weights.h5`` path, or BrainChip's ``.h5``.

    Returns:
        One dict per epoch, or ``None`` when ``spec`` has no history file.
    """
    if spec in pretrained_names():
        return pretrained_history(spec)
    if spec.endswith(WEIGHTS_SUFFIX) and history_path(spec).is_file():
        return json.loads(history_path(spec).read_text(encoding="utf-8"))
    return None


def training_data(spec: str) -> dict[str, Any]:
    """What ``spec``'s weights were trained on, from its card (``{}`` when unknown).

    Args:
        spec: a weights spec as ``--weights`` takes it: a shipped name
            (:func:`pretrained_names`), a ``<stem>.weights.h5`` path, or BrainChip's ``.h5``.
    """
    card = card_of(spec)
    return dict(card.get("data", {})) if card else {}


def load_model(spec: str, frames: int | None = None, size: int | None = None) -> keras.Model:
    """A model from a pretrained name, a trained ``.weights.h5`` or BrainChip's ``.h5``.

    ``frames`` and ``size`` (``None``: what the card says, 16 x 100 for BrainChip's file)
    rebuild the model for other clips; the weights do not depend on them.

    Args:
        spec: a weights spec as ``--weights`` takes it: a shipped name
            (:func:`pretrained_names`), a ``<stem>.weights.h5`` path, or BrainChip's ``.h5``.
        frames: clip length, an int ``>= 1``, or ``None`` as above.
        size: frame side in pixels, an int ``>= 1``, or ``None`` as above.

    Raises:
        FileNotFoundError: a ``.h5`` or ``.weights.h5`` file does not exist.
        ValueError: ``spec`` is none of the above, or its file or card is unusable.
    """
    for name, value in (("frames", frames), ("size", size)):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"--{name} must be an int >= 1, got {value!r}.")
    if spec in pretrained_names() or spec in REMOTE_PRETRAINED:
        return load_pretrained(spec, frames, size)
    path = Path(spec)
    if spec.endswith(WEIGHTS_SUFFIX) or spec.endswith(".h5"):
        if not path.is_file():
            raise FileNotFoundError(f"--weights: no such file {path}")
    if spec.endswith(WEIGHTS_SUFFIX):
        return _load_keras_weights(_build(card_of(spec), frames, size), path)
    if spec.endswith(".h5"):
        return load_brainchip_weights(_brainchip_net(frames, size), path)
    raise ValueError(
        f"--weights: {spec!r} is neither a pretrained name ({pretrained_names()}) nor a "
        f"'{WEIGHTS_SUFFIX}' / '.h5' file."
    )


# --------------------------------------------------------------------------- BrainChip's h5


def _brainchip_net(frames: int | None, size: int | None) -> keras.Model:
    """Our :func:`gesture_net` shaped as BrainChip's (16 x 100 x 100 unless given)."""
    frames, size = frames or BRAINCHIP_FRAMES, size or BRAINCHIP_SIZE
    return gesture_net((frames, size, size, 3), NUM_CLASSES)


def _h5_layer_weights(path: str | os.PathLike) -> list[tuple[str, list[np.ndarray]]]:
    """``(layer name, [arrays])`` for every layer with weights in a tf_keras h5 file.

    tf_keras writes the layer list as the attribute ``layer_names`` (under
    ``model_weights/`` for a whole saved model, at the root for ``save_weights``), and
    each layer's arrays in the order of its ``weight_names`` attribute.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights file not found: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(
            f"{path} is not a readable HDF5 file ({error}); the download may be "
            "incomplete or corrupt: delete it and fetch it again."
        ) from error
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        if "layer_names" not in root.attrs:
            raise ValueError(
                f"{path} is HDF5 but not a tf_keras weights file (no 'layer_names' "
                "attribute); Keras 3 '.weights.h5' files load with model.load_weights."
            )
        layers_out = []
        for raw in root.attrs["layer_names"]:
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            group = root[name]
            weight_names = [
                w.decode() if isinstance(w, bytes) else str(w)
                for w in group.attrs.get("weight_names", [])
            ]
            if weight_names:
                layers_out.append((name, [np.asarray(group[w]) for w in weight_names]))
        return layers_out


def _is_named_layer(name: str) -> bool:
    """True for BrainChip's named layers, False for the auto-named head (``dense_3``)."""
    return not (name == "dense" or name.startswith("dense_"))


def load_brainchip_weights(model: keras.Model, path: str | os.PathLike) -> keras.Model:
    """Load BrainChip's float ``tenn_spatiotemporal_jester.h5`` into :func:`gesture_net`.

    Both tf_keras layouts load: a whole model saved with ``model.save(path)`` (what
    BrainChip publishes; ``akida_models`` opens it with ``load_model``) and bare weights
    saved with ``model.save_weights(path)``. Layers are matched by name (BrainChip's
    ``input_conv/BN`` is our ``input_conv_BN``); the head's Dense layers carry Keras
    auto-names that depend on the session (``dense_1``, ``dense_2``, ...), so they are
    matched by position. Every weight shape is checked before anything is assigned: a
    file for another architecture or class count raises ``ValueError`` naming the layer
    and both shapes, and leaves ``model`` unchanged.

    Args:
        model: a :func:`~streamnets.models.gesture_net` built with the file's settings
            (27 classes for BrainChip's Jester model); its weights are set in place.
        path: the tf_keras ``.h5`` file (whole model or ``save_weights`` output).

    Returns:
        ``model``, with the file's weights.
    """
    saved = _h5_layer_weights(path)
    saved_dense = [(n, w) for n, w in saved if not _is_named_layer(n)]
    saved_named = {n.replace("/", "_"): (n, w) for n, w in saved if _is_named_layer(n)}
    ours = [layer for layer in model.layers if layer.weights]
    our_dense = [layer for layer in ours if isinstance(layer, layers.Dense)]
    if len(saved_dense) != len(our_dense):
        raise ValueError(
            f"{path} has {len(saved_dense)} head Dense layers "
            f"({[n for n, _ in saved_dense]}), the model has {len(our_dense)}: "
            "not the same architecture."
        )
    pairs = list(zip(our_dense, saved_dense, strict=True))
    missing = []
    for layer in ours:
        if isinstance(layer, layers.Dense):
            continue
        if layer.name not in saved_named:
            missing.append(layer.name)
        else:
            pairs.append((layer, saved_named.pop(layer.name)))
    if missing or saved_named:
        raise ValueError(
            f"{path} does not match the model's layers: missing in the file "
            f"{missing or 'none'}; in the file but not in the model "
            f"{[n for n, _ in saved_named.values()] or 'none'}. Build the model with "
            "gesture_net() and the file's settings."
        )
    for layer, (saved_name, arrays) in pairs:
        expected = [tuple(w.shape) for w in layer.weights]
        found = [tuple(a.shape) for a in arrays]
        if expected != found:
            hint = ""
            if layer is our_dense[-1] and found and expected[-1:] != found[-1:]:
                hint = (
                    f" The file predicts {found[-1][0]} classes, the model "
                    f"{expected[-1][0]}: build it with gesture_net(n_classes={found[-1][0]})."
                )
            raise ValueError(
                f"layer {layer.name!r} (file: {saved_name!r}): weight shapes differ, "
                f"file {found}, model {expected}.{hint}"
            )
    for layer, (_, arrays) in pairs:
        layer.set_weights(arrays)
    return model
