"""course.data (offline, deterministic) and course.plots."""
import numpy as np
import pytest

from course import data, plots
from course.trace import Failure, Row, Trace


def test_digits_split_layouts_and_determinism():
    X, y = data.digits("train", layout="nhwc")
    Xt, yt = data.digits("test", layout="nchw")
    assert X.shape == (4000, 28, 28, 1) and Xt.shape == (1000, 1, 28, 28)
    assert X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert np.array_equal(data.digits("test", "flat", n=5)[0], data.digits("test", "flat", n=5)[0])
    assert data.digits("train", "flat", n=3)[0].shape == (3, 784)
    assert data.digits("train", "hw", n=3)[0].shape == (3, 28, 28)
    with pytest.raises(ValueError, match="split"):
        data.digits("val")
    with pytest.raises(ValueError, match="layout"):
        data.digits(layout="nwhc")


def test_digits_use_a_local_full_mnist_cache(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mnist.npz", x_train=rng.integers(0, 255, (30, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 30), x_test=rng.integers(0, 255, (6, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, 6))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    data._digits_arrays.cache_clear()
    try:
        assert data.digits("train", use_cache=True)[0].shape == (30, 28, 28, 1)
        assert "full MNIST" in data.digits_source(use_cache=True)
        assert data.digits("train")[0].shape == (4000, 28, 28, 1)  # the default ignores the cache
    finally:
        data._digits_arrays.cache_clear()


def test_patches_and_sequences():
    X, y = data.color_patches(12, size=16, layout="nchw")
    assert X.shape == (12, 3, 16, 16) and set(y) == set(range(len(data.COLOR_IMAGES)))
    G, _ = data.gray_patches(6, size=20, split="test")
    assert G.shape == (6, 20, 20, 1) and 0 <= G.min() and G.max() <= 1
    assert not np.array_equal(data.gray_patches(6, 20, "train")[0], G)
    for split in ("train", "test"):  # default size on every image, the narrow ones included
        assert data.gray_patches(12, split=split)[0].shape == (12, 32, 32, 1)
        assert data.color_patches(12, split=split)[0].shape == (12, 32, 32, 3)
    with pytest.raises(ValueError, match="too large"):
        data.gray_patches(6, size=90)
    S, labels = data.sequences(50, timesteps=10, features=4)
    assert S.shape == (50, 10, 4) and set(labels) <= {0, 1, 2}
    assert np.array_equal(S, data.sequences(50, timesteps=10, features=4)[0])
    sizes = [len(b) for b, _ in data.batches(np.zeros(10), np.zeros(10), 4)]
    assert sizes == [4, 4, 2]
    with pytest.raises(ValueError, match="one channel"):
        data.to_layout(np.zeros((2, 4, 4, 3)), "hw")


def test_plots_draw_grids_curves_and_mark_the_first_mismatch():
    X = np.random.default_rng(0).random((4, 1, 8, 8))
    fig = plots.image_grid(X, X, titles=["original", "reconstruction"], n=4)
    assert len(fig.axes) == 8
    assert plots.loss_curve(np.linspace(2, 0.1, 50)).axes[0].get_ylabel() == "loss"
    t = Trace((2, 4), [Row("fc1", "Linear", (2, 4), (2, 8), 40)],
              Failure("fc2", "Linear", "(*, 16)", (2, 8), RuntimeError("x")))
    ax = plots.shape_diagram(t).axes[0]
    colours = [p.get_facecolor()[:3] for p in ax.patches]
    assert len(colours) == 3 and colours[-1][0] > 0.9 and colours[-1][1] < 0.8  # failing layer is red
    assert "first mismatch" in ax.get_title()
    with pytest.raises(ValueError, match="not square"):
        plots.image_grid(np.zeros((2, 10)))
