"""course.plots.flatten (notebook 01's figure): the channel order it draws is the real Flatten's."""
import numpy as np
import pytest
import torch
from torch import nn

from course import plots


def test_torch_flatten_keeps_each_channel_together_and_the_figure_says_so():
    channel_map = torch.arange(16.0).reshape(1, 16, 1, 1).expand(1, 16, 6, 6)
    order = nn.Flatten()(channel_map)[0].numpy()
    assert order.size == 576
    fig = plots.flatten_diagram((16, 6, 6), order, notes=[("mat1 (no Flatten)", (768, 6))])
    vector = fig.axes[1]
    assert "576 = 16 x 6 x 6" in vector.get_title() and "16 runs of one channel" in vector.get_title()
    assert vector.get_images()[0].get_array().shape[:2] == (1, 576)
    assert any("(768, 6)" in t.get_text() for t in fig.axes[2].texts)


def test_keras_flatten_interleaves_the_channels():
    import os
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from course import keras as ck  # noqa: F401
    from keras import layers
    channel_map = np.broadcast_to(np.arange(16, dtype="float32"), (1, 6, 6, 16))
    order = np.asarray(layers.Flatten()(channel_map))[0]
    fig = plots.flatten_diagram((6, 6, 16), order, channels_axis=-1)
    assert "576 runs of one channel" in fig.axes[1].get_title()


def test_flatten_diagram_refuses_an_order_of_the_wrong_length():
    with pytest.raises(ValueError, match="gives 576 numbers"):
        plots.flatten_diagram((16, 6, 6), np.zeros(36))
