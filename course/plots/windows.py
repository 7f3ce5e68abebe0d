"""Figures for notebook 00 (reading shapes): the axes of a batch in two layouts, and which input
rows each output of a convolution or pooling reads. matplotlib only, no framework import: both
frameworks' notebooks pass in numbers measured on their real layers and get the same picture."""
from __future__ import annotations

import numpy as np

# One colour per axis name, so the same axis has the same colour in every layout drawn.
AXIS_COLOURS = {"N": "#c9d7f2", "C": "#f6d3a5", "H": "#cfe8cf", "W": "#e3d1ef", "T": "#f2e6a6",
                "F": "#f6c6c6", "L": "#f2e6a6"}
AXIS_JOBS = {"N": "batch", "C": "channels", "H": "height", "W": "width", "T": "time", "F": "features",
             "L": "length"}


def _plt():
    # Imported on first use: matplotlib picks the inline backend in Jupyter and Agg without a display.
    import matplotlib.pyplot as plt
    return plt


def axes_diagram(layouts: dict, title: str = "the same batch in two layouts"):
    """One row of labelled blocks per layout, one block per axis (its position, letter, job and
    size), and a line joining the blocks of the same axis in consecutive rows, so a moved axis is
    seen to move. `layouts` maps a row label to (axis letters, shape), e.g.
    {"PyTorch (N, C, H, W)": ("NCHW", x_nchw.shape), "Keras (N, H, W, C)": ("NHWC", x_nhwc.shape)}.
    Returns the figure."""
    plt = _plt()
    rows = []
    for label, (letters, shape) in layouts.items():
        letters, shape = list(letters), tuple(int(d) for d in shape)
        if len(letters) != len(shape):
            raise ValueError(f"{label}: {len(letters)} axis names {letters} for a shape of {len(shape)} "
                             f"axes {shape}")
        rows.append((label, letters, shape))
    width = max(len(letters) for _, letters, _ in rows)
    fig, ax = plt.subplots(figsize=(2.2 + 1.5 * width, 0.4 + 1.3 * len(rows)))
    centres = []
    for i, (label, letters, shape) in enumerate(rows):
        y = (len(rows) - 1 - i) * 1.3
        ax.text(-0.2, y + 0.45, label, ha="right", va="center", fontsize=9)
        centres.append({})
        for j, (letter, size) in enumerate(zip(letters, shape)):
            ax.add_patch(plt.Rectangle((j * 1.5, y), 1.3, 0.9, facecolor=AXIS_COLOURS.get(letter, "#eee"),
                                       edgecolor="#555"))
            ax.text(j * 1.5 + 0.65, y + 0.62, f"axis {j}: {letter}", ha="center", va="center", fontsize=8)
            ax.text(j * 1.5 + 0.65, y + 0.38, AXIS_JOBS.get(letter, ""), ha="center", va="center", fontsize=7)
            ax.text(j * 1.5 + 0.65, y + 0.14, str(size), ha="center", va="center", fontsize=9,
                    family="monospace", weight="bold")
            centres[-1][letter] = (j * 1.5 + 0.65, y)
    for upper, lower in zip(centres, centres[1:]):
        for letter, (x0, y0) in upper.items():
            if letter in lower:
                x1, y1 = lower[letter]
                ax.plot([x0, x1], [y0, y1 + 0.9], color="#888", lw=1, ls="-" if x0 == x1 else "--")
    ax.set_xlim(-3.2, width * 1.5)
    ax.set_ylim(-0.2, len(rows) * 1.3)
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def window_reads(size: int, kernel: int, stride: int = 1, padding=0, dilation: int = 1) -> np.ndarray:
    """reads[o, i] is True when output position o's window covers input position i, along one axis.

    `padding` is an int (PyTorch: that many zeros on each side), a pair (before, after), "valid"
    (none) or "same" (Keras/TensorFlow: ceil(size / stride) outputs, the extra zero after when the
    total is odd). Padded positions are not input rows, so they never appear in the result."""
    span = dilation * (kernel - 1) + 1
    if padding == "valid":
        before = after = 0
    elif padding == "same":
        total = max((-(-size // stride) - 1) * stride + span - size, 0)
        before, after = total // 2, total - total // 2
    elif isinstance(padding, (tuple, list)):
        before, after = (int(p) for p in padding)
    else:
        before = after = int(padding)
    n_out = (size + before + after - span) // stride + 1
    if n_out < 1:
        raise ValueError(f"a window of {span} does not fit {size} positions padded by ({before}, {after})")
    reads = np.zeros((n_out, size), dtype=bool)
    for o in range(n_out):
        for tap in range(kernel):
            i = o * stride - before + tap * dilation
            if 0 <= i < size:
                reads[o, i] = True
    return reads


def never_read(reads) -> list:
    """The input positions that no output reads (columns of `reads` that are all False)."""
    reads = np.asarray(reads, dtype=bool)
    return [int(i) for i in np.flatnonzero(~reads.any(axis=0))]


def sliding_windows(panels: dict, size: float = 3.0):
    """One panel per entry {title: reads}, where reads[o, i] says that output o reads input row i
    (measure it on the real layer, or take `window_reads`). Each output is a row of the panel with
    its window's input rows filled; below, the input rows that no output reads are drawn in red.
    Returns the figure."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(panels), figsize=(size * 1.6 * len(panels), size), squeeze=False)
    for ax, (title, reads) in zip(axes[0], panels.items()):
        reads = np.asarray(reads, dtype=bool)
        n_out, n_in = reads.shape
        # Colour codes: 0 never read (red), 1 outside this window (white), 2 read (grey), 3 in the window.
        picture = np.where(reads, 3.0, 1.0)
        strip = np.full((1, n_in), 2.0)
        skipped = never_read(reads)
        strip[0, skipped] = 0.0
        thick = max(1, n_out // 6)  # the strip of unread rows stays visible under a tall panel
        image = np.vstack([picture, np.ones((1, n_in))] + [strip] * thick)
        ax.imshow(image, cmap=_window_cmap(), vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest")
        ax.set_xlabel(f"input row (0 to {n_in - 1})", fontsize=8)
        ax.set_ylabel("output position", fontsize=8)
        ax.set_yticks([0, n_out - 1, n_out + 1 + (thick - 1) / 2], [0, n_out - 1, "never read"], fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(f"{title}\n{n_in} rows -> {n_out} outputs; {len(skipped)} rows never read",
                     fontsize=8)
    fig.tight_layout()
    return fig


def _window_cmap():
    from matplotlib.colors import ListedColormap
    return ListedColormap(["#d62728", "#ffffff", "#bbbbbb", "#1f5fb4"])
