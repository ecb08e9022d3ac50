"""streamnets: efficient spatiotemporal networks for streaming video.

The package behind the book: spatiotemporal blocks (:mod:`streamnets.blocks`), the
gesture model and its cost (:mod:`streamnets.models`), data, weights, training,
streaming conversion, decay smoothing, quantization, LiteRT and Akida export, and the
side-by-side performance measurements. Each module has one job and imports only
downward (README: "The package").
"""

__version__ = "0.1.0"
