"""Spatiotemporal building blocks, written with plain Keras layers.

Every block is a function ``block(x, ...) -> y`` that appends standard layers
(``ZeroPadding3D``, ``Conv3D``, ``BatchNormalization``, ``ReLU``) to a functional
graph. Keeping to standard layers is deliberate: the streaming converter
(:mod:`streamnets.streaming`) maps each layer type to its per-frame form with a small
table, and BrainChip's weights load by layer name. The two layers defined here compute
what a standard layer computes, with other ops: :class:`DepthwiseConv3D` runs faster,
:class:`SpatialAveragePooling` converts to LiteRT.

Conventions: tensors are ``(batch, time, height, width, channels)``; temporal
convolutions are causal (left zero padding of ``k - 1`` frames, no temporal stride),
so the output at frame ``t`` depends only on frames ``<= t``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

BN_MOMENTUM = 0.99
BN_EPSILON = 1e-3


@keras.saving.register_keras_serializable(package="streamnets")
class DepthwiseConv3D(layers.Conv3D):
    """A ``Conv3D`` with ``groups == channels`` whose kernel is purely temporal
    ``(k, 1, 1)`` or purely spatial ``(1, kh, kw)``, computed as a 2-D depthwise conv.

    Keras runs grouped 3-D convolutions on TensorFlow's CPU through an XLA-compiled
    fallback, much slower than the same arithmetic as a depthwise 2-D conv (chapter 1
    times the two layers side by side). The weights (``(kt, kh, kw, 1, C)`` kernel)
    and the results are those of the plain grouped ``Conv3D``, so it stays a ``Conv3D``
    for the streaming converter, the cost counter and BrainChip's weight layout.

    Args:
        filters: output channels; must equal the input channels (``groups`` is forced
            to ``filters``, a ``groups`` keyword is ignored).
        kernel_size: ``(k, 1, 1)`` (temporal) or ``(1, kh, kw)`` (spatial), or an int
            as ``Conv3D`` takes it; other shapes raise ``ValueError``.
        **kwargs: the other ``Conv3D`` arguments (``strides``, ``padding``, ``name``,
            ...); ``data_format`` must be ``"channels_last"``.
    """

    def __init__(self, filters: int, kernel_size, **kwargs) -> None:
        kwargs.pop("groups", None)
        super().__init__(filters, kernel_size, groups=filters, **kwargs)
        kt, kh, kw = self.kernel_size
        if kt > 1 and (kh, kw) != (1, 1):
            raise ValueError(
                f"{self.name}: DepthwiseConv3D supports temporal (k, 1, 1) or spatial "
                f"(1, kh, kw) kernels, got {self.kernel_size}."
            )
        if self.data_format != "channels_last":
            raise ValueError(f"{self.name}: DepthwiseConv3D needs data_format='channels_last'.")

    def build(self, input_shape) -> None:
        if input_shape[-1] != self.filters:
            raise ValueError(
                f"{self.name}: a depthwise conv keeps the channel count ({input_shape[-1]}); "
                f"got filters={self.filters}."
            )
        super().build(input_shape)

    def convolution_op(self, inputs, kernel):
        kt, kh, kw, _, channels = kernel.shape
        frames, height, width = ops.shape(inputs)[1:4]
        if kh == kw == 1:  # temporal: time is the 2-D conv's height, pixels its width
            x = ops.reshape(inputs, (-1, frames, height * width, channels))
            y = ops.depthwise_conv(
                x, ops.reshape(kernel, (kt, 1, channels, 1)),
                strides=(self.strides[0], 1), padding=self.padding,
                dilation_rate=(self.dilation_rate[0], 1),
            )
            return ops.reshape(y, (-1, y.shape[1], height, width, channels))
        x = ops.reshape(inputs, (-1, height, width, channels))  # spatial: frames are a batch
        y = ops.depthwise_conv(
            x, ops.reshape(kernel, (kh, kw, channels, 1)),
            strides=self.strides[1:], padding=self.padding, dilation_rate=self.dilation_rate[1:],
        )
        return ops.reshape(y, (-1, frames, y.shape[1], y.shape[2], channels))


@keras.saving.register_keras_serializable(package="streamnets")
class SpatialAveragePooling(layers.Layer):
    """Average over each frame's height and width: ``(B, T, H, W, C) -> (B, T, 1, 1, C)``.

    The same numbers as ``AveragePooling3D((1, H, W))``, written as a mean over two axes
    because LiteRT has a builtin for a mean but none for 3-D average pooling: with it the
    whole clip model converts to LiteRT. It has no weights, so weight files written with
    the pooling layer it replaced still load.
    """

    def call(self, inputs):
        return ops.mean(inputs, axis=(2, 3), keepdims=True)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], 1, 1, input_shape[-1])


def check_temporal_kernel(kernel_size: int, argument: str = "temporal_kernel") -> None:
    """Raise ``ValueError`` unless ``kernel_size`` is a positive odd integer.

    Odd kernels keep the receptive field aligned with the BrainChip model and make the
    causal padding (``k - 1`` frames) and the centred padding of baselines agree.

    Args:
        kernel_size: the temporal kernel size to check (``bool`` is refused).
        argument: the parameter name the error message quotes.

    Raises:
        ValueError: ``kernel_size`` is not an int, or is not positive and odd.
    """
    if not isinstance(kernel_size, int) or isinstance(kernel_size, bool):
        raise ValueError(f"{argument} must be an int, got {kernel_size!r}.")
    if kernel_size <= 0 or kernel_size % 2 == 0:
        raise ValueError(
            f"{argument} must be a positive odd integer (1, 3, 5, ...), got {kernel_size}: "
            "a causal temporal convolution pads k - 1 past frames, and odd kernels keep "
            "the baselines' centred padding symmetric."
        )


def conv_bn_relu(
    x: keras.KerasTensor,
    filters: int,
    kernel_size: tuple[int, int, int],
    name: str,
    strides: tuple[int, int, int] = (1, 1, 1),
    padding: str = "same",
    use_bias: bool = True,
    groups: int = 1,
) -> keras.KerasTensor:
    """A ``Conv3D`` followed by BN and ReLU, named ``name``, ``name_BN``, ``name_relu``.

    BrainChip names these ``name/BN`` and ``name/relu``; Keras 3 forbids ``/`` in layer
    names, so ``/`` becomes ``_`` here (the weight loader maps one to the other).

    Args:
        x: the input features ``(B, T, H, W, C)``.
        filters: output channels of the convolution.
        kernel_size: ``(kt, kh, kw)`` kernel size.
        name: the convolution's layer name, also the prefix of the BN and ReLU names.
        strides: ``(t, h, w)`` strides of the convolution.
        padding: ``Conv3D`` padding, ``"same"`` or ``"valid"``.
        use_bias: give the convolution a bias (redundant before BN, kept for
            BrainChip's weight layout).
        groups: ``Conv3D`` channel groups; ``groups == filters ==`` input channels
            builds a :class:`DepthwiseConv3D`, any other value a grouped ``Conv3D``.

    Returns:
        The ReLU's output ``(B, T', H', W', filters)``.
    """
    depthwise = groups > 1 and groups == filters == x.shape[-1]
    conv = DepthwiseConv3D if depthwise else layers.Conv3D
    x = conv(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        groups=groups,
        name=name,
    )(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=f"{name}_BN")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def causal_temporal_conv(
    x: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    name: str,
    depthwise: bool = False,
) -> keras.KerasTensor:
    """Causal temporal convolution ``(k, 1, 1)`` + BN + ReLU.

    The input is padded with ``k - 1`` zero frames on the left only, so frame ``t``
    sees frames ``t - k + 1 .. t``: exactly what a FIFO of the last ``k`` frames holds
    when streaming. ``depthwise=True`` convolves each channel on its own (no bias, as
    the pointwise layer that follows carries it); ``filters`` must then equal the input
    channels.

    Args:
        x: the input features ``(B, T, H, W, C)``.
        filters: output channels (``C`` when ``depthwise``).
        kernel_size: number of frames the kernel spans, a positive odd int; ``1`` adds
            no padding layer.
        name: the convolution's layer name (the padding is ``name_pad``).
        depthwise: convolve each channel separately, without bias.

    Returns:
        Features ``(B, T, H, W, filters)``: the same frames, no temporal stride.
    """
    check_temporal_kernel(kernel_size, "kernel_size")
    channels = x.shape[-1]
    if depthwise and filters != channels:
        raise ValueError(
            f"{name}: a depthwise temporal conv keeps the channel count ({channels}); "
            f"got filters={filters}. Use a pointwise conv afterwards to change channels."
        )
    if kernel_size > 1:
        x = layers.ZeroPadding3D(((kernel_size - 1, 0), (0, 0), (0, 0)), name=f"{name}_pad")(x)
    return conv_bn_relu(
        x,
        filters,
        (kernel_size, 1, 1),
        name=name,
        padding="valid",
        use_bias=not depthwise,
        groups=channels if depthwise else 1,
    )


def spatial_conv(
    x: keras.KerasTensor,
    filters: int,
    name: str,
    kernel_size: int = 3,
    stride: int = 2,
    depthwise: bool = False,
) -> keras.KerasTensor:
    """Per-frame spatial convolution ``(1, k, k)`` with stride ``(1, s, s)`` + BN + ReLU.

    Args:
        x: the input features ``(B, T, H, W, C)``.
        filters: output channels (must equal ``C`` when ``depthwise``).
        name: the convolution's layer name.
        kernel_size: spatial kernel side ``k`` in pixels.
        stride: spatial stride ``s``; the default 2 halves height and width
            (``"same"`` padding).
        depthwise: convolve each channel separately, without bias.
    """
    channels = x.shape[-1]
    if depthwise and filters != channels:
        raise ValueError(
            f"{name}: a depthwise spatial conv keeps the channel count ({channels}); "
            f"got filters={filters}."
        )
    return conv_bn_relu(
        x,
        filters,
        (1, kernel_size, kernel_size),
        name=name,
        strides=(1, stride, stride),
        padding="same",
        use_bias=not depthwise,
        groups=channels if depthwise else 1,
    )


def pointwise_conv(x: keras.KerasTensor, filters: int, name: str) -> keras.KerasTensor:
    """A ``1x1x1`` convolution + BN + ReLU, the channel mixer of separable blocks.

    Args:
        x: the input features ``(B, T, H, W, C)``.
        filters: output channels.
        name: the convolution's layer name.
    """
    return conv_bn_relu(x, filters, (1, 1, 1), name=name)


def spatiotemporal_block(
    x: keras.KerasTensor,
    temporal_filters: int,
    spatial_filters: int,
    index: int,
    depthwise: bool = False,
    temporal_kernel: int = 5,
) -> keras.KerasTensor:
    """Temporal-first factorized block: causal temporal conv, then strided spatial conv.

    Temporal first keeps the raw frame-to-frame motion before any spatial pooling
    smears it; no temporal stride keeps one output per input frame, which is what
    per-frame (streaming) predictions need. Layer names follow BrainChip's
    ``convt_full_{i}_0`` / ``convs_full_{i}_0`` (full) and ``convt_dw``/``convt_pw``/
    ``convs_dw``/``convs_pw`` (depthwise-separable).

    Args:
        x: the input features ``(B, T, H, W, C)``.
        temporal_filters: output channels of the temporal stage.
        spatial_filters: output channels of the spatial stage (the block's output).
        index: the block's number, used in its layer names.
        depthwise: build the depthwise-separable form (depthwise temporal conv,
            pointwise, depthwise spatial conv, pointwise) instead of full convolutions.
        temporal_kernel: frames the causal temporal kernel spans, a positive odd int.

    Returns:
        Features ``(B, T, H / 2, W / 2, spatial_filters)`` (sides rounded up).
    """
    if not depthwise:
        x = causal_temporal_conv(x, temporal_filters, temporal_kernel, f"convt_full_{index}_0")
        return spatial_conv(x, spatial_filters, f"convs_full_{index}_0")
    x = causal_temporal_conv(
        x, x.shape[-1], temporal_kernel, f"convt_dw_{index}_0", depthwise=True
    )
    x = pointwise_conv(x, temporal_filters, f"convt_pw_{index}_0")
    x = spatial_conv(x, x.shape[-1], f"convs_dw_{index}_0", depthwise=True)
    return pointwise_conv(x, spatial_filters, f"convs_pw_{index}_0")


def conv3d_block(
    x: keras.KerasTensor,
    filters: int,
    name: str,
    temporal_kernel: int = 5,
    stride: int = 2,
) -> keras.KerasTensor:
    """Baseline: one full ``k x 3 x 3`` 3D convolution (causal in time) + BN + ReLU.

    Time and space are mixed in one kernel, so every output channel pays
    ``k * 9 * C_in`` multiply-accumulates per pixel.

    Args:
        x: the input features ``(B, T, H, W, C)``.
        filters: output channels.
        name: the convolution's layer name (the padding is ``name_pad``).
        temporal_kernel: frames the causal kernel spans, a positive odd int.
        stride: spatial stride; 2 halves height and width.
    """
    check_temporal_kernel(temporal_kernel)
    # Explicit padding: k - 1 past frames (causal) and one pixel each side, then a
    # 'valid' conv. (A ZeroPadding3D followed by a 'same' Conv3D is fused wrongly by
    # TensorFlow's graph optimizer: the 'same' padding is dropped.)
    x = layers.ZeroPadding3D(((temporal_kernel - 1, 0), (1, 1), (1, 1)), name=f"{name}_pad")(x)
    x = conv_bn_relu(
        x, filters, (temporal_kernel, 3, 3), name=name, strides=(1, stride, stride),
        padding="valid",
    )
    return x


def r2plus1d_block(
    x: keras.KerasTensor,
    mid_filters: int,
    filters: int,
    name: str,
    temporal_kernel: int = 5,
    stride: int = 2,
) -> keras.KerasTensor:
    """Baseline: R(2+1)D block, spatial ``(1,3,3)`` conv first, then temporal ``(k,1,1)``.

    The reverse order of :func:`spatiotemporal_block`: motion is only seen after the
    frames were spatially downsampled. Kept causal here so all blocks compare fairly.

    Args:
        x: the input features ``(B, T, H, W, C)``.
        mid_filters: output channels of the spatial conv.
        filters: output channels of the temporal conv (the block's output).
        name: prefix of the layer names (``name_s`` spatial, ``name_t`` temporal).
        temporal_kernel: frames the causal temporal kernel spans, a positive odd int.
        stride: spatial stride of the spatial conv.
    """
    x = spatial_conv(x, mid_filters, f"{name}_s", stride=stride)
    return causal_temporal_conv(x, filters, temporal_kernel, f"{name}_t")
