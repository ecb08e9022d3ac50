"""
Load BrainChip's weights from an h5 file
========================================

BrainChip publishes its Jester model as a whole tf_keras model saved to h5
(``tenn_spatiotemporal_jester.h5``). :func:`streamnets.weights.load_brainchip_weights`
loads such a file, or bare ``save_weights`` output, into our
:func:`streamnets.models.gesture_net`, matching layers by name and checking every shape
first. The example writes its own file, the tf_keras twin of our shipped weights saved as
BrainChip saves theirs, so it runs offline; ``load_pretrained("brainchip-jester")``
downloads and verifies the real one. It needs the ``akida`` extra (tf_keras).
"""

# %%
# Write a whole-model h5 as BrainChip does
# ----------------------------------------
# :func:`streamnets.brainchip.to_tf_keras` builds the tf_keras twin of a model, layer for
# layer with BrainChip's names; ``save`` writes the whole model.
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from streamnets.brainchip import to_tf_keras
from streamnets.data import JESTER_CLASSES, synthetic_clip
from streamnets.models import gesture_net
from streamnets.viz.style import STYLE, frame_numbers, legend_outside
from streamnets.weights import load_brainchip_weights, load_pretrained

shipped = load_pretrained("synthetic")
path = Path(tempfile.mkdtemp()) / "tenn_spatiotemporal_jester.h5"
with warnings.catch_warnings():  # BrainChip's format is HDF5, which tf_keras calls legacy
    warnings.simplefilter("ignore", UserWarning)
    to_tf_keras(shipped).save(path, save_format="h5")
print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")

# %%
# Load it into a fresh model and compare
# --------------------------------------
model = load_brainchip_weights(gesture_net(), path)
clip = synthetic_clip("Swiping Down", seed=3)[None].astype("float32")
ours = np.asarray(shipped(clip, training=False))[0]
loaded = np.asarray(model(clip, training=False))[0]
print(f"largest logit difference: {np.abs(ours - loaded).max():.1e}")

label = JESTER_CLASSES.index("Swiping Down")
plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
frames = frame_numbers(len(ours))  # frame 1 is the first
ax.plot(frames, ours[:, label], "o-", label="shipped weights")
ax.plot(frames, loaded[:, label], "x--", label="loaded from the h5")
ax.set_xlabel("frame")
ax.set_ylabel("logit of 'Swiping Down'")
legend_outside(ax, "below", ncols=2)
plt.show()
