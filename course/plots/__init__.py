"""Pictures: image grids (originals vs reconstructions), loss curves, and a model's per-layer shapes
with the first mismatching layer marked. matplotlib only; no framework import."""
from __future__ import annotations

import numpy as np

from ..shapes import format_shape


def _plt():
    # Imported on first use: matplotlib picks the inline backend in Jupyter and Agg without a display.
    import matplotlib.pyplot as plt
    return plt


def _as_images(x) -> np.ndarray:
    """(N, H, W), (N, H, W, C) or (N, C, H, W) with C in 1/3/4, or flat (N, H*H), as (N, H, W[, 3])."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        side = int(round(np.sqrt(x.shape[1])))
        if side * side != x.shape[1]:
            raise ValueError(f"flat images of {x.shape[1]} values are not square; reshape them first")
        x = x.reshape(-1, side, side)
    if x.ndim == 4 and x.shape[1] in (1, 3) and x.shape[-1] not in (1, 3):
        x = x.transpose(0, 2, 3, 1)  # channels first -> last
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(x, 0, 1)


def image_grid(*rows, titles=None, n: int = 8, size: float = 1.2):
    """One row of `n` images per array: e.g. image_grid(originals, reconstructions,
    titles=["original", "reconstruction"]). Returns the matplotlib figure."""
    plt = _plt()
    rows = [_as_images(r)[:n] for r in rows]
    cols = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(size * cols, size * len(rows)), squeeze=False)
    for i, row in enumerate(rows):
        for j in range(cols):
            ax = axes[i][j]
            ax.axis("off")
            if j < len(row):
                ax.imshow(row[j], cmap="gray" if row[j].ndim == 2 else None, vmin=0, vmax=1)
        if titles:
            axes[i][0].set_title(titles[i], loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def loss_curve(losses, label: str = "training loss", ax=None):
    """Per-step loss with a moving average; returns the figure."""
    plt = _plt()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3))
    else:
        fig = ax.figure
    losses = np.asarray(losses, dtype=float)
    ax.plot(losses, alpha=0.35, label=f"{label} (per step)")
    k = max(1, len(losses) // 20)
    if len(losses) >= k:
        ax.plot(np.arange(k - 1, len(losses)), np.convolve(losses, np.ones(k) / k, mode="valid"),
                label=f"{label} (mean of {k})")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def shape_diagram(trace, ax=None):
    """One box per layer, labelled with its output shape; the failing layer in red with what it
    expected and what it got. Takes a course.trace.Trace from course.torch.trace or course.keras.trace."""
    plt = _plt()
    boxes = [("input", format_shape(trace.input_shape), "#dde")]
    boxes += [(f"{r.name}\n{r.kind}", format_shape(r.output_shape), "#cfe8cf") for r in trace.rows]
    if trace.failure is not None:
        f = trace.failure
        boxes.append((f"{f.name}\n{f.kind}", f"expects {f.expects}\ngot {format_shape(f.got)}", "#f6c6c6"))
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4, 2.1 * len(boxes)), 2.2))
    else:
        fig = ax.figure
    for i, (title, shape, colour) in enumerate(boxes):
        ax.add_patch(plt.Rectangle((i * 2.1, 0), 1.8, 1.6, facecolor=colour, edgecolor="#555"))
        ax.text(i * 2.1 + 0.9, 1.1, title, ha="center", va="center", fontsize=8)
        ax.text(i * 2.1 + 0.9, 0.45, shape, ha="center", va="center", fontsize=8, family="monospace")
        if i:
            ax.annotate("", xy=(i * 2.1, 0.8), xytext=(i * 2.1 - 0.3, 0.8), arrowprops=dict(arrowstyle="->"))
    ax.set_xlim(-0.2, len(boxes) * 2.1)
    ax.set_ylim(-0.2, 1.8)
    ax.axis("off")
    ax.set_title("first mismatch in red" if trace.failure else "every layer accepted its input", fontsize=9)
    fig.tight_layout()
    return fig
from .windows import axes_diagram, never_read, sliding_windows, window_reads  # noqa: E402,F401  (notebook 00)
from .flatten import flatten_diagram  # noqa: E402,F401  (notebook 01)
from .resampling import skip_mismatches, skip_sizes, transposed_growth, transposed_taps, writes_per_row  # noqa: E402,F401
from .layouts import axis_rows, batch_sizes, channel_planes  # noqa: E402,F401  (figures of 02, 03, 04)
