"""course.plots.windows (notebook 00's figures): the rows each output reads, checked against real
PyTorch and Keras layers, and the figures draw what they are given."""
import os

import numpy as np
import pytest
import torch
from torch import nn

from course import plots


def _measured_torch(layer, size):
    """reads[o, i] from the real 1-D layer: input i lit alone, does output o see it?"""
    x = torch.eye(size).unsqueeze(1)                     # (size, 1, size): sample i lights row i
    with torch.no_grad():
        out = layer(x)[:, 0, :]                          # (size, n_out)
    return (out != 0).numpy().T


def _ones_conv(kernel, stride, padding, dilation):
    conv = nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    return conv


@pytest.mark.parametrize("size,kernel,stride,padding,dilation", [
    (11, 3, 2, 1, 1), (126, 2, 3, 0, 1), (7, 2, 2, 0, 1), (20, 3, 1, 2, 2), (9, 4, 3, 1, 1), (13, 5, 2, 0, 2)])
def test_window_reads_match_a_real_torch_convolution(size, kernel, stride, padding, dilation):
    real = _measured_torch(_ones_conv(kernel, stride, padding, dilation), size)
    np.testing.assert_array_equal(plots.window_reads(size, kernel, stride, padding, dilation), real)


@pytest.mark.parametrize("size,kernel,stride,padding", [(126, 2, 3, 0), (128, 2, 3, 0), (7, 2, 2, 0), (10, 3, 2, 1)])
def test_window_reads_match_a_real_torch_max_pool(size, kernel, stride, padding):
    real = _measured_torch(nn.MaxPool1d(kernel, stride=stride, padding=padding), size)
    np.testing.assert_array_equal(plots.window_reads(size, kernel, stride, padding), real)


def test_rows_never_read_are_those_of_notebook_00():
    assert plots.never_read(plots.window_reads(126, 2, 3)) == list(range(2, 126, 3))
    assert plots.never_read(plots.window_reads(128, 2, 3)) == list(range(2, 126, 3))
    assert plots.never_read(plots.window_reads(7, 2, 2)) == [6]
    assert plots.never_read(plots.window_reads(11, 3, 2, 1)) == []


@pytest.mark.parametrize("size,kernel,stride,padding,dilation", [
    (11, 3, 2, "same", 1), (10, 4, 3, "same", 1), (9, 3, 1, "same", 2), (12, 2, 2, "same", 1), (13, 5, 2, "valid", 1)])
def test_same_padding_matches_a_real_keras_convolution(size, kernel, stride, padding, dilation):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from course import keras as ck  # noqa: F401  (sets TensorFlow up quietly first)
    from keras import layers
    conv = layers.Conv1D(1, kernel, strides=stride, padding=padding, dilation_rate=dilation, use_bias=False,
                         kernel_initializer="ones")
    out = np.asarray(conv(np.eye(size, dtype="float32")[:, :, None]))[:, :, 0]   # (size, n_out)
    np.testing.assert_array_equal(plots.window_reads(size, kernel, stride, padding, dilation), out.T != 0)


def test_window_reads_refuses_a_window_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        plots.window_reads(3, 5)


def test_sliding_windows_draws_one_panel_per_layer_and_names_the_rows_never_read():
    fig = plots.sliding_windows({"pool 2, stride 3": plots.window_reads(126, 2, 3),
                                 "conv 3, stride 2, pad 1": plots.window_reads(11, 3, 2, 1)})
    first, second = fig.axes
    assert "126 rows -> 42 outputs; 42 rows never read" in first.get_title()
    assert "11 rows -> 6 outputs; 0 rows never read" in second.get_title()
    image = first.get_images()[0].get_array()
    assert image.shape == (42 + 1 + 7, 126)       # the outputs, a gap, a strip 42 // 6 rows thick
    assert [int(i) for i in np.flatnonzero(np.asarray(image[-1]) == 0)] == list(range(2, 126, 3))


def test_axes_diagram_labels_every_axis_with_its_size_and_refuses_a_wrong_count():
    fig = plots.axes_diagram({"PyTorch": ("NCHW", (4, 1, 28, 28)), "Keras": ("NHWC", (4, 28, 28, 1))})
    texts = [t.get_text() for t in fig.axes[0].texts]
    for label in ("axis 1: C", "axis 3: C", "axis 1: H", "channels", "batch", "PyTorch", "Keras"):
        assert label in texts
    assert texts.count("28") == 4 and texts.count("4") == 2
    assert len(fig.axes[0].lines) == 4          # N, C, H, W joined between the two rows
    with pytest.raises(ValueError, match="3 axis names"):
        plots.axes_diagram({"bad": ("NHW", (4, 1, 28, 28))})
