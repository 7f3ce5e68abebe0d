"""course.plots.layouts: the figures of notebooks 02-04 draw the numbers of real tensors and loaders."""
import matplotlib
import numpy as np
import pytest

from course import data, plots

matplotlib.use("Agg")
torch = pytest.importorskip("torch")


def _drawn(ax):
    return np.asarray(ax.images[0].get_array())


def test_channel_planes_draws_the_planes_permute_and_reshape_really_make():
    patch = torch.from_numpy(data.color_patches(n=2, size=12, layout="nhwc")[0])  # (2, 12, 12, 3)
    moved = patch.permute(0, 3, 1, 2)[0].numpy()      # (3, 12, 12)
    reshaped = patch.reshape(2, 3, 12, 12)[0].numpy()
    fig = plots.channel_planes([moved, reshaped], titles=["moved", "reshaped"], channel_axis=0)
    axes = np.asarray(fig.axes).reshape(2, 4)
    for k in range(3):
        assert np.array_equal(_drawn(axes[0][k + 1]), patch[0, ..., k].numpy())  # the photo's colour planes
        assert np.array_equal(_drawn(axes[1][k + 1]), reshaped[k])
    # reshape's plane 0 is the first third of the interleaved values, not the red plane
    assert np.array_equal(_drawn(axes[1][1]).ravel(), patch[0].reshape(-1)[:144].numpy())
    assert not np.array_equal(_drawn(axes[1][1]), _drawn(axes[0][1]))
    assert np.allclose(_drawn(axes[0][0]), patch[0].numpy())  # the composite is the photo itself
    # channels-last input draws the same planes
    again = plots.channel_planes([patch[0].numpy()], titles=["moved"], channel_axis=-1)
    assert np.array_equal(_drawn(again.axes[2]), patch[0, ..., 1].numpy())
    with pytest.raises(ValueError, match="rank 3"):
        plots.channel_planes([patch.numpy()], titles=["a batch"])


def test_axis_rows_labels_each_box_with_the_real_size_and_role():
    conv = torch.nn.Conv2d(1, 16, kernel_size=3)
    one_digit = torch.zeros(1, 28, 28)
    out = conv(one_digit)  # unbatched: (C, H, W) in, (C, H, W) out
    rows = [("x", tuple(one_digit.shape), ("C", "H", "W")), ("conv(x)", tuple(out.shape), ("C", "H", "W")),
            ("keras batch", (None, 28, 28, 1), ("N", "H", "W", "!C"))]
    fig = plots.axis_rows(rows)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[:7] == ["x", "1", "C", "28", "H", "28", "W"]
    assert texts[7:14] == ["conv(x)", "16", "C", "26", "H", "26", "W"]
    assert texts[14:16] == ["keras batch", "None"] and texts[-1] == "C"  # the "!" only colours the box
    colours = [p.get_facecolor() for p in fig.axes[0].patches]
    assert len(colours) == 10 and colours[-1] != colours[0]


def test_batch_sizes_match_a_real_dataloader_and_mark_the_partial_batch():
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(37, 2)), batch_size=16)
    sizes = [len(batch) for (batch,) in loader]
    assert sizes == [16, 16, 5]
    fig = plots.batch_sizes(sizes, batch_size=16)
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == sizes
    assert bars[0].get_facecolor() == bars[1].get_facecolor() != bars[2].get_facecolor()
    assert [t.get_text() for t in fig.axes[0].texts] == ["5"]
    assert [len(b) for b in data.batches(np.zeros(37), batch_size=16)] == sizes  # the course's own batching agrees
