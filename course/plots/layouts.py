"""Pictures of where the axes of a batch are: the colour planes of an image after its channel axis
was moved vs reshaped, shapes drawn as rows of labelled axis boxes (what a layer reads each axis
as), and the sizes of the mini-batches a loader hands over, the partial last one marked.

matplotlib only, no framework import: the caller passes arrays or shapes taken from real tensors,
so the same function draws the same figure in the PyTorch and the Keras notebook."""
from __future__ import annotations

import numpy as np

from . import _plt

PLANE_COLOURS = ("Reds", "Greens", "Blues", "Greys")


def _planes(image, channel_axis: int) -> np.ndarray:
    """One image's channels as (C, H, W), whichever axis holds them."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"one image of rank 3 expected, (C, H, W) or (H, W, C); got shape {image.shape}")
    return np.moveaxis(image, channel_axis, 0)


def channel_planes(rows, titles, channel_axis: int = -1, channel_names=("R", "G", "B"), size: float = 1.4):
    """For each image in `rows` (one image each, laid out with its channels on `channel_axis`), one row
    of the figure: the image as the model will see it, then each channel as a separate plane. A
    moved axis shows the red, green and blue planes of the photo; a reshaped one shows slices cut
    across them. Returns the figure; the planes are the axes' images, in order."""
    plt = _plt()
    planes = [_planes(image, channel_axis) for image in rows]
    n_channels = max(len(p) for p in planes)
    fig, axes = plt.subplots(len(planes), n_channels + 1, figsize=(size * (n_channels + 1), size * len(planes) + 0.3),
                             squeeze=False)
    for row, (image_planes, title) in enumerate(zip(planes, titles)):
        composite = np.clip(np.moveaxis(image_planes, 0, -1), 0, 1)
        axes[row][0].imshow(composite if len(image_planes) == 3 else composite[..., 0], cmap="gray", vmin=0, vmax=1)
        axes[row][0].set_title(title, loc="left", fontsize=8)
        for k in range(n_channels):
            ax = axes[row][k + 1]
            if k < len(image_planes):
                ax.imshow(image_planes[k], cmap=PLANE_COLOURS[k % len(PLANE_COLOURS)], vmin=0, vmax=1)
                name = channel_names[k] if k < len(channel_names) else str(k)
                ax.set_title(f"channel {k} ({name})", fontsize=8)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    return fig


def axis_rows(rows, size: float = 1.0):
    """Shapes as rows of boxes, one box per axis, labelled with its size and the role a layer gives
    it: rows = [(title, shape, roles), ...], e.g. ("x[0]", (1, 28, 28), ("C", "H", "W")). A role
    of None leaves the box unlabelled; `None` sizes (Keras's unknown batch) print as None. Returns
    the figure; each box's size label is a text of the axes, in order."""
    plt = _plt()
    widest = max(len(shape) for _, shape, _ in rows)
    fig, ax = plt.subplots(figsize=(size * (widest + 3.5), 0.75 * len(rows) + 0.3))
    for r, (title, shape, roles) in enumerate(rows):
        y = len(rows) - 1 - r
        ax.text(-0.2, y + 0.4, title, ha="right", va="center", fontsize=9, family="monospace")
        for i, n in enumerate(shape):
            role = roles[i] if roles is not None and i < len(roles) else None
            colour = "#f6c6c6" if role and role.startswith("!") else "#dde8f6" if role else "#eeeeee"
            ax.add_patch(plt.Rectangle((i, y), 0.92, 0.8, facecolor=colour, edgecolor="#555"))
            ax.text(i + 0.46, y + 0.52, str(n), ha="center", va="center", fontsize=9, family="monospace")
            if role:
                ax.text(i + 0.46, y + 0.18, role.lstrip("!"), ha="center", va="center", fontsize=7)
    ax.set_xlim(-3.4, widest + 0.1)
    ax.set_ylim(-0.1, len(rows))
    ax.axis("off")
    fig.tight_layout()
    return fig


def batch_sizes(sizes, batch_size: int, title: str = ""):
    """One bar per mini-batch, as long as the batch a loader really handed over; a batch shorter than
    `batch_size` (the partial last one) in red, with its size written on it. Returns the figure; the
    bars are the axes' patches, in order."""
    plt = _plt()
    sizes = [int(s) for s in sizes]
    fig, ax = plt.subplots(figsize=(min(9, 1.2 + 0.45 * len(sizes)), 2.4))
    colours = ["#f6a0a0" if s < batch_size else "#a8c8e8" for s in sizes]
    ax.bar(range(len(sizes)), sizes, color=colours, edgecolor="#555")
    for i, s in enumerate(sizes):
        if s < batch_size:
            ax.text(i, s + batch_size * 0.03, f"{s}", ha="center", va="bottom", fontsize=8)
    ax.axhline(batch_size, color="#555", linestyle=":", linewidth=1)
    ax.set_xlabel("batch")
    ax.set_ylabel("samples")
    ax.set_ylim(0, batch_size * 1.2)
    ax.set_title(title or f"{sum(sizes)} samples in batches of {batch_size}", fontsize=9)
    fig.tight_layout()
    return fig
