"""
Convert a clip model to a streaming model and check it
======================================================

:func:`streamnets.streaming.to_streaming` turns every temporal convolution of a clip
model into a 2-D convolution fed by a FIFO of the last frames. The streaming model sees
one frame at a time, yet its logits equal the clip model's for every frame. This example
converts the shipped ``synthetic`` weights and measures the largest difference.
"""

# %%
# Load the shipped clip model and convert it
# ------------------------------------------
# :func:`streamnets.weights.load_pretrained` returns the 5-block gesture model with the
# weights that ship with the package; the conversion reads its layers.
import matplotlib.pyplot as plt
import numpy as np

from streamnets.data import JESTER_CLASSES, synthetic_clip
from streamnets.streaming import max_relative_error, to_streaming
from streamnets.viz.style import STYLE, frame_numbers, legend_outside
from streamnets.weights import load_pretrained

model = load_pretrained("synthetic")
stream = to_streaming(model)
print(f"{len(stream.state_shapes())} FIFO states, "
      f"{stream.state_bytes_per_stream() / 1024:.0f} KiB per stream")

# %%
# The same clip, offline and frame by frame
# -----------------------------------------
# The clip model takes all 16 frames at once; the streaming model takes them one by one
# (:meth:`~streamnets.streaming.StreamingModel.predict_clips` loops over
# :meth:`~streamnets.streaming.StreamingModel.step`).
clip = synthetic_clip("Swiping Left", seed=7)[None]
offline = np.asarray(model(clip.astype("float32"), training=False))[0]
online = stream.predict_clips(clip)[0]
error = max_relative_error(offline, online)
print(f"largest relative difference over 16 frames: {error:.1e}")

label = JESTER_CLASSES.index("Swiping Left")
plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
frames = frame_numbers(len(offline))  # frame 1 is the first
ax.plot(frames, offline[:, label], "o-", label="clip model (all 16 frames at once)")
ax.plot(frames, online[:, label], "x--", label="streaming model (one frame at a time)")
ax.set_xlabel("frame")
ax.set_ylabel("logit of 'Swiping Left'")
legend_outside(ax, "below", ncols=2)
plt.show()
