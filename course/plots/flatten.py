"""Figure for notebook 01 (the missing Flatten): one image's feature map, the vector Flatten makes
of it, and the shapes an error message reports. matplotlib only, no framework import: the
notebook measures the order on its framework's real Flatten and passes the numbers in."""
from __future__ import annotations

import numpy as np

from ..shapes import format_shape


def _plt():
    # Imported on first use: matplotlib picks the inline backend in Jupyter and Agg without a display.
    import matplotlib.pyplot as plt
    return plt


def flatten_diagram(feature_shape, channel_of_feature, notes=(), channels_axis: int = 0,
                    title: str = "one image's feature map, flattened"):
    """Left: one image's feature map `feature_shape` ((C, H, W) with channels_axis=0, or (H, W, C)
    with channels_axis=-1) as C stacked maps; right of it, the vector that Flatten makes of it,
    each position coloured by the channel it came from (`channel_of_feature`: what the real Flatten
    returns for a map whose every value is its channel number). Below, `notes`: (label, shape or
    text) pairs, e.g. the shapes of the error message. Returns the figure."""
    plt = _plt()
    shape = tuple(int(d) for d in feature_shape)
    if len(shape) != 3:
        raise ValueError(f"feature_shape should be one image's (C, H, W) or (H, W, C), got {shape}")
    channels = shape[channels_axis]
    height, width = [d for k, d in enumerate(shape) if k != channels_axis % 3]
    order = np.asarray(channel_of_feature).astype(int).ravel()
    if order.size != channels * height * width:
        raise ValueError(f"Flatten of {shape} gives {channels * height * width} numbers, "
                         f"channel_of_feature has {order.size}")
    colours = plt.get_cmap("tab20")(np.arange(channels) % 20)
    fig = plt.figure(figsize=(9, 3.2 if notes else 2.4))
    grid = fig.add_gridspec(2 if notes else 1, 2, width_ratios=[1, 3.2],
                            height_ratios=[3, max(1, len(notes))] if notes else [1])
    maps = fig.add_subplot(grid[0, 0])
    shown = min(channels, 6)
    for k in range(shown - 1, -1, -1):  # the first channel in front
        offset = 0.35 * k
        maps.add_patch(plt.Rectangle((offset, offset), width, height, facecolor=colours[k],
                                     edgecolor="#444", lw=0.8))
    maps.text(0, -1.2, f"{format_shape(shape)}: {channels} maps of {height}x{width}"
              + ("" if shown == channels else f" ({shown} drawn)"), fontsize=8)
    maps.set_xlim(-0.5, width + 0.35 * shown + 0.5)
    maps.set_ylim(-2, height + 0.35 * shown + 0.5)
    maps.set_aspect("equal")
    maps.axis("off")
    vector = fig.add_subplot(grid[0, 1])
    vector.imshow(colours[order][None, :, :3], aspect="auto", interpolation="nearest")
    vector.set_yticks([])
    vector.set_xlabel(f"position in the flattened vector (0 to {order.size - 1}); colour = channel "
                      f"it came from", fontsize=8)
    vector.tick_params(axis="x", labelsize=7)
    vector.set_title(f"Flatten -> {order.size} = {channels} x {height} x {width} numbers per image, "
                     f"{_runs(order)} runs of one channel", fontsize=8)
    if notes:
        text = fig.add_subplot(grid[1, :])
        text.axis("off")
        for row, (label, value) in enumerate(notes):
            shown_value = format_shape(value) if isinstance(value, (tuple, list)) else str(value)
            text.text(0, 1 - (row + 0.5) / len(notes), f"{label:<34} {shown_value}", va="center",
                      fontsize=8, family="monospace")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def _runs(order) -> int:
    """How many stretches of consecutive positions come from one channel."""
    order = np.asarray(order)
    return int(1 + np.count_nonzero(order[1:] != order[:-1])) if order.size else 0
