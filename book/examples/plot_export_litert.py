"""
Export a LiteRT int8 model and run it frame by frame
====================================================

:func:`streamnets.export.export_litert` writes the streaming step as a ``.tflite`` file
with its FIFO states as explicit inputs and outputs, plus a ``metadata.json`` that names
the classes and the input. With ``int8=True`` it calibrates on clips streamed through
the model. :class:`streamnets.litert.LiteRTRunner` then runs one frame per call and
carries the states, as a deployed application would.
"""

# %%
# Export
# ------
# A handful of calibration clips is enough for an example; the book's export chapter
# uses more.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from streamnets.data import JESTER_CLASSES, synthetic_clip
from streamnets.export import export_litert
from streamnets.litert import LiteRTRunner
from streamnets.viz.style import STYLE, frame_numbers, legend_outside
from streamnets.weights import load_pretrained

model = load_pretrained("synthetic")
calibration = np.stack([synthetic_clip(label, seed=100 + label) for label in range(8)])
folder = Path(tempfile.mkdtemp()) / "gesture_int8"
result = export_litert(model, folder, int8=True, class_names=JESTER_CLASSES,
                       calibration_clips=calibration)
for name, size in sorted(result.files.items()):  # the folder itself is a temporary one
    print(f"{name:16s} {size:>12,d} bytes")

# %%
# One frame per call
# ------------------
# The runner starts from zeroed states; each :meth:`~streamnets.litert.LiteRTRunner.step`
# feeds one uint8 frame and returns that frame's logits.
runner = LiteRTRunner(folder / "model.tflite")
label = JESTER_CLASSES.index("Thumb Up")
clip = synthetic_clip(label, seed=5)
runner.reset()
int8_logits = np.stack([runner.step(frame[None])[0] for frame in clip])
float_logits = np.asarray(model(clip[None].astype("float32"), training=False))[0]

plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
frames = frame_numbers(len(float_logits))  # frame 1 is the first
ax.plot(frames, float_logits[:, label], "o-", label="Keras float (whole clip)")
ax.plot(frames, int8_logits[:, label], "x--", label="LiteRT int8 (one frame per call)")
ax.set_xlabel("frame")
ax.set_ylabel("logit of 'Thumb Up'")
legend_outside(ax, "below", ncols=2)
plt.show()
print("last-frame class, int8:", JESTER_CLASSES[int(int8_logits[-1].argmax())])
