"""
Decay smoothing of a clip's logits
==================================

A per-frame model guesses after every frame, and single frames are noisy. Decay smoothing
keeps an exponentially fading sum of the softmax probabilities,
``P_t = d · P_{t-1} + softmax(z_t)``, so evidence accumulates over the gesture.
:func:`streamnets.smoothing.smooth_probabilities` computes it for whole clips; this
example shows what three decays do to the belief in the right class.
"""

# %%
# Logits of one clip
# ------------------
import matplotlib.pyplot as plt
import numpy as np

from streamnets.data import JESTER_CLASSES, synthetic_clip
from streamnets.smoothing import smooth_probabilities, softmax
from streamnets.viz.style import STYLE, frame_numbers, legend_outside
from streamnets.weights import load_pretrained

model = load_pretrained("synthetic")
label = JESTER_CLASSES.index("Zooming In With Two Fingers")
clip = synthetic_clip(label, seed=11)[None].astype("float32")
logits = np.asarray(model(clip, training=False))[0]  # (16 frames, 27 classes)

# %%
# Belief in the right class against the frame
# -------------------------------------------
# With decay 0 the belief is the current frame's softmax; with a decay near 1 it is a
# running sum, so it changes slowly. Normalising each row makes the decays comparable.
plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
frames = frame_numbers(len(logits))  # frame 1 is the first
ax.plot(frames, softmax(logits)[:, label], "k:", label="single frame (decay 0)")
for decay in (0.5, 0.8, 0.95):
    smoothed = smooth_probabilities(logits, decay)
    belief = smoothed[:, label] / smoothed.sum(axis=-1)
    ax.plot(frames, belief, marker="o", markersize=3, label=f"decay {decay}")
ax.set_xlabel("frame")
ax.set_ylabel("probability of the right class")
ax.set_ylim(0, 1.02)
legend_outside(ax, "below", ncols=2)
plt.show()

predictions = {decay: JESTER_CLASSES[int(np.argmax(smooth_probabilities(logits, decay)[-1]))]
               for decay in (0.0, 0.5, 0.8, 0.95)}
for decay, name in predictions.items():
    print(f"decay {decay:4}: {name}")
