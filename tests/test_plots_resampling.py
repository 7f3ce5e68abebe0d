"""course.plots.resampling: the numbers each figure draws agree with real PyTorch layers."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from course import plots  # noqa: E402


def measured_taps(layer, n):
    """Feed row i alone (a row of ones) through a one-channel transposed convolution with an all-ones
    kernel and no bias; the output rows that are not zero are the rows input row i writes into."""
    x = torch.zeros(n, 1, n, 3)
    for i in range(n):
        x[i, 0, i, :] = 1.0
    with torch.no_grad():
        out = layer(x)
    return [torch.nonzero(out[i, 0].abs().sum(-1)).flatten().tolist() for i in range(n)], out.shape[-2]


@pytest.mark.parametrize("n, kernel, stride, padding, output_padding",
                         [(3, 3, 2, 1, 0), (3, 3, 2, 1, 1), (7, 3, 2, 1, 0), (4, 4, 2, 1, 0),
                          (5, 2, 2, 0, 1), (3, 5, 3, 2, 2), (6, 3, 1, 0, 0)])
def test_transposed_taps_match_a_real_conv_transpose(n, kernel, stride, padding, output_padding):
    layer = nn.ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding, output_padding=output_padding,
                               bias=False)
    nn.init.ones_(layer.weight)
    taps, out = plots.transposed_taps(n, kernel, stride, padding, output_padding)
    assert (taps, out) == measured_taps(layer, n)
    # Every input row at 1, an all-ones (kernel x 1) kernel: each output row holds the number of
    # input rows that write into it.
    column = nn.ConvTranspose2d(1, 1, (kernel, 1), stride=(stride, 1), padding=(padding, 0),
                                output_padding=(output_padding, 0), bias=False)
    nn.init.ones_(column.weight)
    with torch.no_grad():
        counts = column(torch.ones(1, 1, n, 1))[0, 0, :, 0]
    assert plots.writes_per_row(taps, out) == [int(c) for c in counts]


def test_transposed_growth_draws_one_panel_per_case():
    cases = [(f"output_padding={p}", *plots.transposed_taps(3, 3, 2, 1, p), p) for p in (0, 1)]
    fig = plots.transposed_growth(cases)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title(loc="left").startswith("output_padding=0\n3 -> 5")
    assert "1 row from output_padding" in fig.axes[1].get_title(loc="left")
    assert "3 -> 6" in fig.axes[1].get_title(loc="left")


def halvings(side, levels):
    """Sizes of a real MaxPool2d(2) pyramid, and of a real Upsample(2) of each level below."""
    pool, up = nn.MaxPool2d(2), nn.Upsample(scale_factor=2)
    maps = [torch.zeros(1, 1, *side)]
    for _ in range(levels):
        maps.append(pool(maps[-1]))
    encoder = [tuple(m.shape[-2:]) for m in maps]
    upsampled = [tuple(up(m).shape[-2:]) for m in maps[1:]]
    return maps, encoder, upsampled


@pytest.mark.parametrize("side", [(28, 28), (128, 128), (28, 36), (27, 40)])
def test_skip_mismatches_are_where_torch_cat_fails(side):
    maps, encoder, upsampled = halvings(side, 3)
    bad = plots.skip_mismatches(encoder, upsampled)
    up = nn.Upsample(scale_factor=2)
    for level, (skip, below) in enumerate(zip(maps, maps[1:])):
        try:
            torch.cat([skip, up(below)], dim=1)
            joined = True
        except RuntimeError as err:
            assert "Sizes of tensors must match except in dimension 1" in str(err)
            joined = False
        assert joined == (level not in bad), (side, level, encoder, upsampled)
    fig = plots.skip_sizes(encoder, upsampled)
    assert ("cannot be joined" in fig.axes[0].get_title()) == bool(bad)


def test_skip_mismatches_on_the_notebook_numbers():
    _, encoder, upsampled = halvings((28, 28), 3)
    assert encoder == [(28, 28), (14, 14), (7, 7), (3, 3)]
    assert upsampled == [(28, 28), (14, 14), (6, 6)]
    assert plots.skip_mismatches(encoder, upsampled) == [2]
