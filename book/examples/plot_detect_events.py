"""
Detect gestures in a stream that never resets
=============================================

A live camera gives no clip boundaries. :func:`streamnets.detection.detect_events`
smooths a stream's per-frame logits and fires when a class's probability crosses a
threshold; :func:`streamnets.detection.match_events` scores the detections against the
stream's ground truth. The shipped ``synthetic_stream`` model carries its operating point
(decay and threshold, picked on validation streams) in its model card.
"""

# %%
# A synthetic stream and the model's logits
# -----------------------------------------
# :func:`streamnets.data.synthetic_stream` renders gestures at random times between idle
# stretches and unrelated motion, and returns the events it placed.
import matplotlib.pyplot as plt
import numpy as np

from streamnets.data import synthetic_stream
from streamnets.detection import (
    BACKGROUND_CLASSES,
    detect_events,
    event_metrics,
    match_events,
    stream_probabilities,
)
from streamnets.streaming import to_streaming
from streamnets.viz.style import STYLE, frame_numbers, legend_outside
from streamnets.weights import load_pretrained, model_card

model = load_pretrained("synthetic_stream")
point = model_card("synthetic_stream")["operating_point"]
frames, events = synthetic_stream(seed=2026, frames=240)
logits = to_streaming(model).predict_clips(frames[None])[0]  # one reset, at frame 0

# %%
# Trigger and score
# -----------------
detections = detect_events(logits, decay=point["decay"], threshold=point["threshold"])
matching = match_events(detections, events)
scores = event_metrics(matching, frames=len(frames))
print(f"{scores['events']} gestures, {scores['detections']} detections, "
      f"{scores['correct']} correct, {scores['false_triggers']} false")

probabilities = stream_probabilities(logits, point["decay"])
plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
number = frame_numbers(len(frames))  # frame index i is frame number i + 1
for event in events:
    ax.axvspan(event.start + 1, event.end + 1, color="tab:green", alpha=0.15)
    span = np.arange(int(event.start), min(int(np.ceil(event.end)), len(frames)))
    ax.plot(number[span], probabilities[span, event.label], color="tab:green")
gestures = np.setdiff1d(np.arange(probabilities.shape[-1]), list(BACKGROUND_CLASSES))
ax.plot(number, probabilities[:, gestures].max(axis=-1), color="0.6", lw=0.8,
        label="highest gesture class")
ax.axhline(point["threshold"], color="k", ls=":", label=f"threshold {point['threshold']}")
for detection in detections:
    ax.axvline(number[detection.frame], color="tab:red", lw=1)
ax.set_xlabel("frame (6 per second)")
ax.set_ylabel("smoothed probability")
ax.set_title("green: gestures (their class's probability), red: detections", fontsize=9)
legend_outside(ax, "right")
plt.show()
