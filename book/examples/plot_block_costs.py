"""
What four spatiotemporal blocks cost
====================================

Parameters and multiply-accumulates (MACs) per frame of one block of each kind, all
mapping 40 channels to 120 at 25×25 pixels (block 1 of the gesture model), then how the
MACs grow with the temporal kernel. The counts come from
:func:`streamnets.models.macs_per_frame`, which reads the layers of a real Keras model.
"""

# %%
# Build one block of each kind and count it
# -----------------------------------------
# :func:`streamnets.baselines.block_model` wraps a single block in a Keras model; the
# factorized kinds put 80 channels between their two convolutions.
import matplotlib.pyplot as plt

from streamnets.baselines import BLOCK_LABELS, BLOCK_TYPES, block_model
from streamnets.models import macs_per_frame
from streamnets.viz.costs import plot_costs
from streamnets.viz.style import STYLE, legend_outside

models = {BLOCK_LABELS[kind]: block_model(kind) for kind in BLOCK_TYPES}
labels = list(models)
plot_costs(
    labels,
    {
        "parameters": [model.count_params() for model in models.values()],
        "MACs per frame": [macs_per_frame(model) for model in models.values()],
    },
    title="One block, 40 → 120 channels at 25×25 (ratios to the 3D block)",
)
plt.show()

# %%
# MACs per frame against the temporal kernel
# ------------------------------------------
# The 3D kernel multiplies its whole ``3×3×C_in`` window by every temporal tap, so its
# cost grows fastest with the kernel; the depthwise-separable block barely notices.
kernels = [1, 3, 5, 7, 9]
plt.rcParams.update(STYLE)  # the book's figure style
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for kind in BLOCK_TYPES:
    macs = [macs_per_frame(block_model(kind, temporal_kernel=k)) / 1e6 for k in kernels]
    ax.plot(kernels, macs, marker="o", label=BLOCK_LABELS[kind])
ax.set_xlabel("temporal kernel (frames)")
ax.set_ylabel("MACs per frame (millions)")
ax.set_xticks(kernels)
legend_outside(ax, "below", ncols=2)
plt.show()
