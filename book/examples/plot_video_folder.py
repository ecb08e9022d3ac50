"""
Load a folder of your own videos
================================

:func:`streamnets.data.video_folder_dataset` reads one subfolder of video files per class
(mp4, webm, avi) and yields clips as the Jester loader does: 16 frames at the model's
6 frames per second, a centre square resized to 100×100, a held-out share of each class
for validation. Here the example writes its own folder first, from synthetic gestures,
with :func:`streamnets.video.write_video`; with your recordings, start at the second step.
"""

# %%
# A folder with one subfolder per class
# -------------------------------------
# Three short videos per class, 160×120 like a small webcam, at 12 frames per second
# (Jester's rate; the loader keeps every second frame).
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from streamnets.data import scan_video_folder, synthetic_clip, video_folder_dataset
from streamnets.video import write_video

root = Path(tempfile.mkdtemp()) / "my_videos"
for name in ("Thumb Up", "Stop Sign"):
    folder = root / name.lower().replace(" ", "_")
    folder.mkdir(parents=True)
    for seed in range(3):
        clip = synthetic_clip(name, seed, frames=48, size=120)
        wide = np.pad(clip, ((0, 0), (0, 0), (20, 20), (0, 0)), mode="edge")  # 160×120
        write_video(folder / f"take_{seed}.mp4", wide, fps=12)

scanned = scan_video_folder(root)
print("classes:", scanned.classes)
print("videos:", [f"{path.parent.name}/{path.name}" for path, _ in scanned.videos])

# %%
# Clips, as the model takes them
# ------------------------------
# ``split="all"`` reads every video once from its first frame; ``"train"`` would
# shuffle, start each clip at a random frame and repeat for ever.
clips, labels = next(iter(video_folder_dataset(root, split="all", batch_size=6)))
print("clips:", clips.shape, clips.dtype, "labels:", labels.numpy())

fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for row, index in enumerate((0, 3)):
    for t, ax in enumerate(axes[row]):
        ax.imshow(clips[index, 2 * t])
        ax.set_axis_off()
    axes[row, 0].set_title(scanned.classes[int(labels[index])], fontsize=8, loc="left")
fig.tight_layout()
plt.show()
