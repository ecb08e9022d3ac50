"""streamnets: efficient spatiotemporal networks for streaming video.

The package behind the book: spatiotemporal blocks (:mod:`streamnets.blocks`), the
gesture model and its cost (:mod:`streamnets.models`), and, in later chapters, data,
training, streaming conversion, decay smoothing, quantization and export.
"""

__version__ = "0.1.0"
