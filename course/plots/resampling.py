"""Pictures of sizes going down and up in an autoencoder: which output rows a transposed
convolution writes (and the rows `output_padding` adds), and the skip connections of a U-Net whose
encoder and upsampled sizes disagree. matplotlib only, no framework import: a notebook measures the
numbers on its own framework's real layers and passes them in, so both frameworks share one picture.
"""
from __future__ import annotations

from typing import Sequence

from . import _plt

OK, BAD, ADDED, NEUTRAL = "#cfe8cf", "#f6c6c6", "#f9d99a", "#dde"


def transposed_taps(n: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0):
    """PyTorch's rule: input row i of a transposed convolution writes into output rows
    i * stride - padding + j for j < kernel, those inside 0 .. out - 1, where
    out = (n - 1) * stride - 2 * padding + kernel + output_padding. Returns (taps, out)."""
    out = (n - 1) * stride - 2 * padding + kernel + output_padding
    taps = [[r for r in range(i * stride - padding, i * stride - padding + kernel) if 0 <= r < out]
            for i in range(n)]
    return taps, out


def writes_per_row(taps: Sequence[Sequence[int]], out: int) -> list[int]:
    """How many input rows write into each output row (0: a row only the bias fills)."""
    counts = [0] * out
    for rows in taps:
        for r in rows:
            counts[r] += 1
    return counts


def transposed_growth(cases, size: float = 0.45):
    """One panel per case (label, taps, out, added): n input cells above, `out` output cells below,
    a line from each input cell to every output row it writes into. Output cells are shaded by how
    many input rows write into them; the last `added` rows (what output_padding added) are orange.
    Returns the figure."""
    plt = _plt()
    width = max(max(len(taps), out) for _, taps, out, _ in cases)
    fig, axes = plt.subplots(len(cases), 1, figsize=(max(6.0, size * width + 1.5), 2.1 * len(cases)),
                             squeeze=False)
    for ax, (label, taps, out, added) in zip(axes[:, 0], cases):
        n, counts = len(taps), writes_per_row(taps, out)
        x_in = [(width - n) / 2 + i for i in range(n)]
        x_out = [(width - out) / 2 + r for r in range(out)]
        for i, rows in enumerate(taps):
            for r in rows:
                ax.plot([x_in[i] + 0.45, x_out[r] + 0.45], [1.55, 0.9], color="#888", lw=0.8)
        for i, x in enumerate(x_in):
            ax.add_patch(plt.Rectangle((x, 1.55), 0.9, 0.6, facecolor=NEUTRAL, edgecolor="#555"))
            ax.text(x + 0.45, 1.85, str(i), ha="center", va="center", fontsize=8)
        for r, x in enumerate(x_out):
            colour = ADDED if r >= out - added else (OK if counts[r] else "#eee")
            ax.add_patch(plt.Rectangle((x, 0.3), 0.9, 0.6, facecolor=colour, edgecolor="#555"))
            ax.text(x + 0.45, 0.6, f"{r}\n({counts[r]})", ha="center", va="center", fontsize=7)
        ax.text(-0.3, 1.85, "input", ha="right", va="center", fontsize=8)
        ax.text(-0.3, 0.6, "output", ha="right", va="center", fontsize=8)
        ax.set_title(f"{label}\n{n} -> {out}" + (f" ({added} row{'s' * (added > 1)} from output_padding, orange)"
                                                   if added else ""), fontsize=8, loc="left")
        ax.set_xlim(-2.2, width + 0.2)
        ax.set_ylim(0.1, 2.3)
        ax.axis("off")
    fig.text(0.01, 0.005, "(k) under an output row: how many input rows write into it", fontsize=7)
    fig.tight_layout()
    return fig


def skip_mismatches(encoder, upsampled) -> list[int]:
    """Levels whose upsampled map (from the level below) differs in height or width from the
    encoder map it is concatenated with. encoder[i] and upsampled[i] are (height, width) pairs."""
    return [i for i, (e, u) in enumerate(zip(encoder, upsampled)) if tuple(e) != tuple(u)]


def skip_sizes(encoder, upsampled, title: str = "U-Net skip connections"):
    """A U-Net ladder: the encoder maps going down on the left (encoder[0] is the input level), the
    map upsampled from the level below on the right, and at each level the concatenation that joins
    them, green where the sizes agree and red where they do not. Returns the figure."""
    plt = _plt()
    bad = set(skip_mismatches(encoder, upsampled))
    levels = len(encoder)
    fig, ax = plt.subplots(figsize=(6.2, 0.9 * levels + 0.6))

    def box(x, y, text, colour):
        ax.add_patch(plt.Rectangle((x, y), 1.8, 0.6, facecolor=colour, edgecolor="#555"))
        ax.text(x + 0.9, y + 0.3, text, ha="center", va="center", fontsize=8, family="monospace")

    for i, hw in enumerate(encoder):
        y = levels - 1 - i
        box(0, y, " x ".join(map(str, hw)), NEUTRAL)
        if i + 1 < levels:
            ax.annotate("", xy=(0.9, y - 0.4), xytext=(0.9, y), arrowprops=dict(arrowstyle="->"))
        if i < len(upsampled):
            colour = BAD if i in bad else OK
            box(4.4, y, " x ".join(map(str, upsampled[i])), colour)
            ax.annotate("", xy=(4.4, y + 0.3), xytext=(1.8, y + 0.3),
                        arrowprops=dict(arrowstyle="->", color="#c00" if i in bad else "#393"))
            ax.text(3.1, y + 0.45, "sizes differ" if i in bad else "concatenate", ha="center", fontsize=7,
                    color="#c00" if i in bad else "#393")
            # upsampled from the decoder map one level down, or from the bottleneck at the bottom
            source = (1.8, y - 0.7) if i + 2 == levels else (5.3, y - 0.4)
            ax.annotate("", xy=(5.3, y), xytext=source, arrowprops=dict(arrowstyle="->"))
    ax.text(0.9, levels - 0.2, "encoder", ha="center", fontsize=8)
    ax.text(5.3, levels - 0.2, "upsampled from below", ha="center", fontsize=8)
    ax.set_xlim(-0.2, 6.4)
    ax.set_ylim(-0.6, levels + 0.1)
    ax.axis("off")
    ax.set_title(title + (f": level{'s' * (len(bad) > 1)} {', '.join(map(str, sorted(bad)))} cannot be joined"
                          if bad else ": every level joins"), fontsize=9)
    fig.tight_layout()
    return fig
