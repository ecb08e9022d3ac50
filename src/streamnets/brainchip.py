"""A tf_keras twin of our gesture model, in BrainChip's layer names and structure.

BrainChip's quantizer (``quantizeml``) and converter (``cnn2snn``) accept ``tf_keras``
models only, and they recognise a spatiotemporal block by its structure: a causal
``ZeroPadding3D`` + ``Conv3D`` (k, 1, 1) becomes a FIFO-buffered temporal convolution,
a ``Conv3D`` (1, k, k) becomes a 2-D convolution, ``<name>/BN`` folds into its conv.
:func:`to_tf_keras` rebuilds our Keras 3 :func:`~streamnets.models.gesture_net` layer for
layer as that structure and copies the weights, so BrainChip's tools run on our weights.
Keras 3 forbids ``/`` in layer names, so our ``<name>_BN`` / ``<name>_relu`` become
``<name>/BN`` / ``<name>/relu`` here; the head ends like BrainChip's, on per-frame logits
shaped ``(B, T, 1, 1, n_classes)`` (no final ``Reshape``). BrainChip's training-only
``ActivityRegularization`` layers are no-ops at inference and are left out.

:func:`bufferized` applies ``quantizeml``'s ``sanitize``: the result is BrainChip's own
per-frame (FIFO) float model on our weights, the peer our streaming model is compared with.

Everything here needs the optional extra ``streamnets[akida]``; without it
:func:`require_akida_extra` raises an ``ImportError`` that says what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import keras
import numpy as np

from streamnets.blocks import SpatialAveragePooling

#: The packages of the ``akida`` extra, in the order they are imported.
AKIDA_EXTRA_MODULES: tuple[str, ...] = ("tf_keras", "quantizeml", "cnn2snn", "akida")
INSTALL_HINT = 'pip install "streamnets[akida]"'

_SUFFIXES = (("_BN", "/BN"), ("_relu", "/relu"))
_LINEAR = keras.activations.linear


def require_akida_extra(*modules: str) -> dict[str, ModuleType]:
    """Import the extra's packages (all by default), or explain how to install them."""
    wanted = modules or AKIDA_EXTRA_MODULES
    loaded = {}
    for name in wanted:
        try:
            loaded[name] = importlib.import_module(name)
        except ImportError as error:
            raise ImportError(
                f"The BrainChip path needs the optional package '{name}', which is not "
                f"installed. Install the extra with: {INSTALL_HINT}"
            ) from error
    return loaded


def brainchip_name(name: str) -> str:
    """Our Keras 3 layer name in BrainChip's spelling (``x_BN`` -> ``x/BN``).

    Args:
        name: a layer name of our model; ``_BN`` and ``_relu`` suffixes become ``/BN``
            and ``/relu``, any other name is returned unchanged.
    """
    for ours, theirs in _SUFFIXES:
        if name.endswith(ours):
            return name[: -len(ours)] + theirs
    return name


def _check_chain(model: keras.Model) -> None:
    """Our gesture models are one straight chain of layers; refuse anything else."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model {model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} "
            "outputs; only single-input, single-output models from "
            "streamnets.models.gesture_net can be rebuilt for BrainChip's tools."
        )
    if len(model.input.shape) != 5:
        raise ValueError(
            f"model {model.name!r} takes {len(model.input.shape)}-D input; a spatiotemporal "
            "model takes (batch, frames, height, width, channels)."
        )
    for previous, layer in zip(model.layers, model.layers[1:], strict=False):
        inbound = layer._inbound_nodes
        parents = [p for node in inbound for p in node.parent_nodes]
        if len(inbound) != 1 or len(parents) != 1 or parents[0].operation is not previous:
            raise ValueError(
                f"layer {layer.name!r} does not simply follow {previous.name!r}: only the "
                "plain chains built by streamnets.models.gesture_net can be rebuilt."
            )


def _auto_name(base: str, counters: dict[str, int]) -> str:
    """tf_keras's auto name for the next layer of kind ``base`` (``base``, ``base_1``, ...)."""
    index = counters.get(base, 0)
    counters[base] = index + 1
    return f"{base}_{index}" if index else base


def _twin_layer(layer: keras.layers.Layer, tfk: Any, counters: dict[str, int]) -> Any:
    """The tf_keras layer that plays ``layer``'s part in BrainChip's model."""
    kl = tfk.layers
    name = brainchip_name(layer.name)
    if isinstance(layer, keras.layers.Rescaling):
        return kl.Rescaling(float(layer.scale), float(layer.offset), name=name)
    if isinstance(layer, keras.layers.ZeroPadding3D):
        # Weightless layers keep BrainChip's (tf_keras auto) names.
        padding = tuple(tuple(int(p) for p in pair) for pair in layer.padding)
        return kl.ZeroPadding3D(padding, name=_auto_name("zero_padding3d", counters))
    if isinstance(layer, keras.layers.Conv3D):
        if tuple(layer.dilation_rate) != (1, 1, 1) or layer.activation is not _LINEAR:
            raise ValueError(
                f"layer {layer.name!r}: only undilated Conv3D layers without a fused "
                "activation (as built by streamnets.blocks) can be rebuilt."
            )
        return kl.Conv3D(
            layer.filters,
            tuple(layer.kernel_size),
            strides=tuple(layer.strides),
            padding=layer.padding,
            use_bias=layer.use_bias,
            groups=layer.groups,
            name=name,
        )
    if isinstance(layer, keras.layers.BatchNormalization):
        return kl.BatchNormalization(momentum=layer.momentum, epsilon=layer.epsilon, name=name)
    if isinstance(layer, keras.layers.ReLU):
        # Block activations are named after their conv; the head's carries an auto name.
        relu_name = name if name.endswith("/relu") else _auto_name("re_lu", counters)
        return kl.ReLU(name=relu_name)
    if isinstance(layer, keras.layers.AveragePooling3D):
        return kl.AveragePooling3D(
            tuple(layer.pool_size), strides=tuple(layer.strides), padding=layer.padding,
            name=name,
        )
    if isinstance(layer, SpatialAveragePooling):
        # BrainChip's model pools with AveragePooling3D over all of each frame.
        return kl.AveragePooling3D((1, *layer.input.shape[2:4]), name=name)
    if isinstance(layer, keras.layers.Dense):
        if layer.activation is not _LINEAR:
            raise ValueError(f"layer {layer.name!r}: Dense layers must have no activation.")
        # The head is matched by position: dense, dense_1 (BrainChip's auto names).
        return kl.Dense(layer.units, name=_auto_name("dense", counters))
    raise ValueError(
        f"layer {layer.name!r} ({type(layer).__name__}) is not one of the layers "
        "streamnets.models.gesture_net builds; BrainChip's tools cannot take this model."
    )


def to_tf_keras(model: keras.Model) -> Any:
    """Rebuild ``model`` as a tf_keras model in BrainChip's structure, with its weights.

    Args:
        model: a (trained) :func:`streamnets.models.gesture_net` with a fixed number of
            frames, for example 16.

    Returns:
        A ``tf_keras.Model`` named like ``model`` whose output at every frame equals
        ``model``'s, shaped ``(B, T, 1, 1, n_classes)`` as BrainChip's.
    """
    tfk = require_akida_extra("tf_keras")["tf_keras"]
    _check_chain(model)
    input_shape = tuple(model.input.shape[1:])
    if any(size is None for size in input_shape):
        raise ValueError(
            f"model input shape {input_shape} must be fully defined (frames too): rebuild "
            "it with gesture_net(input_shape=(16, 100, 100, 3)) and copy the weights."
        )
    counters: dict[str, int] = {}
    inputs = tfk.Input(input_shape, name="input")
    x = inputs
    body = model.layers[1:]
    if isinstance(body[-1], keras.layers.Reshape):
        body = body[:-1]  # BrainChip's head ends on (B, T, 1, 1, n) logits.
    pairs = []
    for layer in body:
        twin = _twin_layer(layer, tfk, counters)
        x = twin(x)
        pairs.append((layer, twin))
    twin_model = tfk.Model(inputs, x, name=model.name)
    for layer, twin in pairs:
        weights = layer.get_weights()
        if weights:
            twin.set_weights([np.asarray(w) for w in weights])
    return twin_model


def bufferized(model: keras.Model) -> Any:
    """BrainChip's per-frame float model on ``model``'s weights (``quantizeml`` sanitize).

    Temporal convolutions become ``BufferTempConv`` layers that keep their FIFO inside the
    layer, across calls: one batch row per stream, one call per frame, and
    ``quantizeml.layers.reset_buffers(model)`` between clips. BN is folded.

    Args:
        model: a (trained) :func:`streamnets.models.gesture_net` with a fixed number of
            frames, as :func:`to_tf_keras` takes it.

    Returns:
        The sanitized ``tf_keras.Model``.
    """
    require_akida_extra("tf_keras", "quantizeml")
    from quantizeml.models.transforms import sanitize

    return sanitize(to_tf_keras(model))
