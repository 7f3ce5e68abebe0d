# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 00 · Reading shapes (Keras)
#
# Almost every shape error is a disagreement about what one axis of a tensor means: a layer
# reads the last axis as "channels" while your data keeps them on axis 1, or a `Reshape` was
# written for 784 values and receives 400. This primer gives you the three habits the rest of the
# course relies on: **name every axis**, **predict every layer's output size with one formula
# before you run it**, and **read a traceback from the bottom up until you reach your own line**.

# %% [markdown]
# ## Learning goals
#
# - Name the batch, spatial, channel, time and feature axes of a tensor, and say which axis a
#   Keras layer reads (`Conv2D`: the last axis by default; `Dense`: the last axis, always).
# - Convert a batch between channels-first (NCHW, PyTorch's layout) and channels-last (NHWC,
#   Keras's default) without scrambling the pixels.
# - Predict the output size of convolution, pooling and transposed convolution for
#   `padding="valid"` and `"same"`, strides, dilation and `output_padding`, then check the
#   prediction against real layers.
# - Read a Keras traceback: the final message, what each number in it means, and the line of
#   *your* code that triggered it.
# - Use `ck.trace(model, shape)` to list every layer's output shape and find the first wrong one.

# %% [markdown]
# ## Setup
#
# `course` is the helper package of this course. `expect_error` runs code that *should* fail, checks
# that it fails the way we claim, prints the real message and lets the notebook carry on.

# %% kind="setup"
# %load_ext course
import sys
import traceback

import numpy as np

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error)
from course import data, needs, plots
from course import keras as ck  # sets up TensorFlow quietly; import it before keras

import keras
from keras import layers

ck.seed(0)
print(ck.use_course_settings())

# %% [markdown]
# Many tutorials write `tf.keras` (`from tensorflow import keras`). Under TensorFlow 2.21 that is
# not an older Keras: `tf.keras` is this same Keras 3, with the same version number and the very
# same layer classes, so everything in this course holds for `tf.keras` code too:

# %% kind="readonly" grade_id="tf-keras-is-keras-3"
import tensorflow as tf  # only to look at tf.keras; the course itself writes `import keras`

print("TensorFlow", tf.__version__, "| tf.keras", tf.keras.__version__, "| keras", keras.__version__)
print("tf.keras.layers.Dense is keras.layers.Dense:", tf.keras.layers.Dense is keras.layers.Dense)
check_true(tf.keras.__version__ == keras.__version__ and keras.__version__.startswith("3."),
           "tf.keras should report the Keras 3 version that `import keras` gives")
check_true(tf.keras.layers.Dense is keras.layers.Dense and tf.keras.Model is keras.Model,
           "tf.keras's classes should be Keras 3's own classes")

# %% [markdown]
# ## Reproduce the error
#
# ### Axes have jobs
#
# A tensor's shape is a tuple of sizes, one per axis, and every layer assumes a job for each axis.
# Keras layers, by default (`keras.config.image_data_format()` is `"channels_last"`), use:
#
# | data | Keras layout | axes |
# |---|---|---|
# | a batch of images | `(N, H, W, C)` | batch, height, width (spatial), channels |
# | a batch of sequences (`Conv1D`, `LSTM`) | `(N, T, F)` | batch, time steps, features (= channels) |
# | a batch of feature vectors for `Dense` | `(N, F)`, or `(..., F)` | anything, then features last |
#
# When Keras prints a shape, `None` stands for "any size", almost always the batch axis. Some
# messages leave the batch axis out and print the shape of *one sample*.
#
# The course's digits are real handwritten MNIST digits (a 5,000-image sample shipped inside a
# Python package). We ask for the layout we want:

# %% kind="readonly" grade_id="axes-demo"
x_nhwc, y_digits = data.digits("train", layout="nhwc", n=4)
x_nchw, _ = data.digits("train", layout="nchw", n=4)
seqs, _ = data.sequences(n=4, timesteps=24, features=3)
print("Keras image layout:", keras.config.image_data_format())
print("digits, channels last  (N, H, W, C):", x_nhwc.shape)
print("digits, channels first (N, C, H, W):", x_nchw.shape)
print("sequences (N, T, F):                ", seqs.shape)
print("labels (N,):                        ", y_digits.shape, y_digits)

# %% [markdown]
# The same four digits in the two layouts, one block per axis (position, job, size); a dashed line
# joins an axis that sits at a different position in the other layout:

# %% kind="readonly" grade_id="figure-axes"
check_equal(np.transpose(x_nchw, (0, 2, 3, 1)).shape, x_nhwc.shape, "NCHW with its axes moved")
plots.axes_diagram({"PyTorch layout (N, C, H, W)": ("NCHW", x_nchw.shape),
                    "Keras layout (N, H, W, C)": ("NHWC", x_nhwc.shape)});

# %% [markdown]
# A model built for `(28, 28, 1)` checks the **last** axis of what it receives. A channels-first
# batch from a PyTorch pipeline has 28 there:

# %% kind="readonly" grade_id="repro-nchw-into-model"
digit_model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10),
])
with expect_error(ValueError, shapes=[(4, 1, 28, 28)], contains=["axis -1"]):
    digit_model(x_nchw)

# %% [markdown]
# A layer that is **not built yet** is worse: it reads its channel count from the data. Here
# `Conv2D` takes the 28 on the last axis as 28 channels. Before it creates any weight it computes
# its output size, and a 3x3 window does not fit in a 1-pixel-high "image". The `(3, 3, 28, 8)` in
# the message is the kernel it *would* have built: the layer stays unbuilt, without any weight.

# %% kind="readonly" grade_id="repro-nchw-into-layer"
conv = layers.Conv2D(8, 3)
with expect_error(ValueError, shapes=[(4, 1, 28, 28), (3, 3, 28, 8)]):
    conv(x_nchw)
print("after the error: conv.built =", conv.built, "| conv.weights =", conv.weights)
check_true(not conv.built and conv.weights == [], "the Conv2D should have created no weight")

# %% [markdown]
# Sequences need no conversion in Keras: `Conv1D` and `LSTM` both read `(N, T, F)`, with the
# features last like every other channel axis. (PyTorch's `Conv1d` wants the features *before*
# time; see the PyTorch notebook.)

# %% kind="readonly" grade_id="repro-time-axis"
out = layers.Conv1D(8, kernel_size=5)(seqs)
check_shape(out, (4, 20, 8), name="Conv1D(8, 5) on (N, T=24, F=3)")
print("Conv1D(8, 5) on", seqs.shape, "->", tuple(out.shape), ": 24 time steps become 20, 3 features become 8")

# %% [markdown]
# **Silent: `Dense` only reads the last axis.** A common claim is that `Dense` "expects 2-D input"
# and raises on anything else. Under Keras 3 it does not: it maps the last axis and treats every
# other axis as more batch. On an image batch you get a 4-D result instead of `(N, units)`, and the
# mismatch only surfaces later (in the loss, or never):

# %% kind="readonly" grade_id="repro-dense-last-axis"
out = layers.Dense(5)(x_nhwc)
print("Dense(5) on", x_nhwc.shape, "->", tuple(out.shape))
check_shape(out, (4, 28, 28, 5), name="Dense on an image batch")  # proves the silent shape

# %% [markdown]
# **Silent: `reshape` is not a layout conversion.** Going from NCHW to NHWC means *moving* an axis
# (`np.transpose(x, (0, 2, 3, 1))`). `reshape` to the same target shape keeps the numbers in memory
# order and re-cuts them, so the shape is right and the pictures are scrambled. With one channel
# the two happen to agree, which is exactly why the bug survives a grayscale test and breaks on
# colour:

# %% kind="readonly" grade_id="repro-reshape-vs-transpose"
rgb = data.color_patches(n=2, size=8, layout="nchw")[0]           # (2, 3, 8, 8)
moved = np.transpose(rgb, (0, 2, 3, 1))                           # (2, 8, 8, 3): axes moved
recut = rgb.reshape(2, 8, 8, 3)                                   # (2, 8, 8, 3): numbers re-cut
print("transpose:", moved.shape, " reshape:", recut.shape)
assert moved.shape == recut.shape and not np.array_equal(moved, recut), "reshape scrambled the colours"
assert np.array_equal(np.transpose(x_nchw, (0, 2, 3, 1)), x_nchw.reshape(4, 28, 28, 1)), "with C=1 they agree"
print("red channel after transpose == the red plane:", np.array_equal(moved[..., 0], rgb[:, 0]))
print("red channel after reshape   == the red plane:", np.array_equal(recut[..., 0], rgb[:, 0]))

# %% [markdown]
# The other way out is to tell the layers where the channels are: `data_format="channels_first"`
# on convolution and pooling layers. Every such layer in the model then needs it, and whether a
# channels-first `Conv2D` runs at all **depends on the machine**:
#
# - on a GPU it runs (cuDNN has NCHW kernels);
# - on a CPU with TensorFlow's oneDNN kernels on, it runs;
# - on a CPU with oneDNN off, TensorFlow's plain kernel refuses: `UnimplementedError: The Conv2D op
#   currently only supports the NHWC tensor format on the CPU`.
#
# The cell below runs the layer under *your* setting and says which case you are in (the course's
# test suite runs it both ways). Either way, a model written for NHWC with the data transposed
# once runs everywhere; that is the portable fix.

# %% kind="readonly" grade_id="repro-channels-first-option"
conv_cf = layers.Conv2D(8, 3, data_format="channels_first")
with ck.may_lack_cpu_kernel(tf.errors.UnimplementedError, contains=["NHWC"],
                            what="Conv2D(data_format='channels_first')") as op:
    out = conv_cf(x_nchw)
if op.ran:
    check_shape(out, (4, 8, 26, 26), name="Conv2D(channels_first) on NCHW digits")
    print(tuple(out.shape))
# Shape inference needs no kernel, so the shape is known on every machine:
check_shape(conv_cf.compute_output_shape(x_nchw.shape), (4, 8, 26, 26), name="inferred shape")
# The portable fix: NHWC data into an NHWC layer.
check_shape(layers.Conv2D(8, 3)(np.transpose(x_nchw, (0, 2, 3, 1))), (4, 26, 26, 8), name="NHWC Conv2D")

# %% [markdown]
# Who decides whether oneDNN is on? The environment variable `TF_ENABLE_ONEDNN_OPTS` (`0` or `1`),
# when it is set before TensorFlow is imported. Without it, on Linux, TensorFlow's own rule
# (`IsMklEnabled` in its `tensorflow/core/util/util.cc`) turns oneDNN on when the CPU has one of
# the instruction sets meant for neural networks: the AVX-512 extensions AVX512_VNNI or
# AVX512_BF16, AVX-VNNI, or AMX (AMX_TILE, AMX_INT8,
# AMX_BF16). The cell reads your CPU's flags and compares the rule with what TensorFlow did:

# %% kind="readonly" grade_id="onednn-rule"
import os
import platform

from tensorflow.python.util import _pywrap_util_port  # TensorFlow's own answer (no public API has it)

onednn_on = bool(_pywrap_util_port.IsMklEnabled())
setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower()
print("TF_ENABLE_ONEDNN_OPTS:", setting or "not set", "| oneDNN on:", onednn_on)
if setting in ("0", "false", "1", "true"):
    check_equal(onednn_on, setting in ("1", "true"), "oneDNN on, as TF_ENABLE_ONEDNN_OPTS says")
elif platform.system() == "Linux" and platform.machine() == "x86_64":
    with open("/proc/cpuinfo") as cpuinfo:
        flags = set(next((line for line in cpuinfo if line.startswith("flags")), "").split())
    found = [f for f in ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16") if f in flags]
    print("this CPU's neural-network instruction sets:", found or "none")
    check_equal(onednn_on, bool(found), "oneDNN on by TensorFlow's rule (one of those instruction sets)")

# %% [markdown]
# ### Sizes that shrink below a kernel
#
# Every convolution and pooling layer computes its output size from the input size. When the
# result would be zero or negative, Keras refuses, and the message prints the input and kernel
# shapes it worked from:

# %% kind="readonly" grade_id="repro-kernel-too-big"
with expect_error(ValueError, shapes=[(1, 3, 3, 1), (5, 5, 1, 1)]):
    layers.Conv2D(1, kernel_size=5)(np.zeros((1, 3, 3, 1), "float32"))   # 5x5 kernel, 3x3 image
with expect_error(ValueError, shapes=[(None, 3, 3, 1), (5, 5)]):
    layers.MaxPooling2D(pool_size=5)(keras.Input(shape=(3, 3, 1)))        # output would be 0x0

# %% [markdown]
# Keras checks two settings in the layer's **constructor**, before the layer has seen any data
# (PyTorch checks the first only when the layer runs): a transposed convolution's `output_padding`
# must be smaller than its stride, and a convolution cannot combine `strides > 1` with
# `dilation_rate > 1` (PyTorch allows the second; see the PyTorch notebook). No layer object is
# created at all: the innermost frame of each traceback is the layer's `__init__`.

# %% kind="readonly" grade_id="repro-build-time-checks"
with expect_error(ValueError, shapes=[(2, 2)], contains=["output_padding", "strictly less than `strides`"]) as too_much:
    layers.Conv2DTranspose(1, 3, strides=2, output_padding=2)
with expect_error(ValueError, shapes=[(2, 2)], contains=["`strides > 1` not supported", "dilation_rate"]) as both:
    layers.Conv2D(1, 3, strides=2, dilation_rate=2)
for caught in (too_much, both):
    innermost = traceback.extract_tb(caught.error.__traceback__)[-1]
    print(f"{type(caught.error).__name__} raised in {innermost.name}, {innermost.filename.split('keras/src/')[-1]}")
    check_equal(innermost.name, "__init__", "the function that raised (the constructor, before any build)")

# %% [markdown]
# **Silent: sizes are rounded down, never fractional.** A common claim is that a stride which does
# not divide the input size "gives a non-integer size" and raises a `ValueError`. It does not: with
# `padding="valid"` the division is floored. A 3-pixel stride over 126 pixels gives 42, a 2x2 pool
# on 7x7 gives 3x3.
#
# What goes unread depends on the window. A 2x2 pool (stride 2) on 7x7 only drops the leftover
# 7th row and column (row 6). A 2-pixel window that moves 3 pixels at a time reads rows 0-1, 3-4,
# 6-7, ... and **never reads every third row and column**, all across the image: 42 of 126 rows
# (rows 2, 5, 8, ...). On 128x128 it gives 43x43 and still skips 42 of the 128 rows. The cell
# finds the rows a pooling layer reads by lighting up one input row at a time:

# %% kind="readonly" grade_id="repro-floor"
p = layers.MaxPooling2D(pool_size=2, strides=3)(np.zeros((1, 126, 126, 1), "float32"))
q = layers.MaxPooling2D(pool_size=2)(np.zeros((1, 7, 7, 1), "float32"))
check_shape(p, (1, 42, 42, 1), name="MaxPooling2D(2, strides=3) on 126x126")
check_shape(q, (1, 3, 3, 1), name="MaxPooling2D(2) on 7x7")
print(tuple(p.shape), tuple(q.shape), "- no error; the mismatch shows up later, wherever sizes must agree")


def rows_never_read(pool, size):
    """Image r of the batch is zero except row r; row r is read if its ones reach the output."""
    x = np.zeros((size, size, size, 1), "float32")
    x[np.arange(size), np.arange(size)] = 1.0
    out = np.asarray(pool(x))
    return [r for r in range(size) if out[r].max() == 0]


for pool, size, expected in [(layers.MaxPooling2D(2), 7, [6]),
                             (layers.MaxPooling2D(2, strides=3), 126, list(range(2, 126, 3))),
                             (layers.MaxPooling2D(2, strides=3), 128, list(range(2, 126, 3)))]:
    skipped = rows_never_read(pool, size)
    what = f"pool {pool.pool_size[0]}, stride {pool.strides[0]} on {size} rows"
    out_size = pool.compute_output_shape((1, size, size, 1))[1]
    shown = f"{skipped[:4]}{' ...' if len(skipped) > 4 else ''}"
    print(f"{what} -> {out_size}; {len(skipped)} of {size} rows never read: {shown}")
    check_equal(skipped, expected, f"rows never read by {what}")

# %% [markdown]
# The same lighting-up, kept for every output: each row of a panel is one output position, and the
# input rows its window reads are blue. Left, a 3-wide convolution with stride 2 and one zero of
# padding on each side (here `padding="same"`) on 11 rows: every row is read, some by two windows.
# Middle, the 2-wide pool of stride 3 on 126 rows, with the 42 rows it never reads in red under
# it. Right, the 2x2 pool on 7 rows, which never reads row 6. `plots.window_reads` works out the
# same pictures from the sizes alone; the cell checks that it agrees with the real layers:

# %% kind="readonly" grade_id="figure-windows"
def rows_read(layer, size):
    """reads[o, r]: image r of the batch is zero except row r; does output row o see that row?"""
    x = np.zeros((size, size, size, 1), "float32")
    x[np.arange(size), np.arange(size)] = 1.0
    out = np.asarray(layer(x))[..., 0]                      # (image r, output row o, output column)
    return out.max(axis=2).T > 0                             # (output row o, input row r)


conv_of_ones = layers.Conv2D(1, 3, strides=2, padding="same", use_bias=False, kernel_initializer="ones")
windows = {}
for title, layer, size, arithmetic in [
        ("conv 3 wide, stride 2, 1 zero each side", conv_of_ones, 11, (3, 2, 1)),
        ("pool 2, stride 3 (repro-floor)", layers.MaxPooling2D(2, strides=3), 126, (2, 3)),
        ("pool 2 on 7 rows", layers.MaxPooling2D(2), 7, (2, 2))]:
    windows[title] = rows_read(layer, size)
    check_equal(windows[title].tolist(), plots.window_reads(size, *arithmetic).tolist(), f"rows read by {title}")
check_equal(plots.window_reads(11, 3, 2, "same").tolist(), plots.window_reads(11, 3, 2, 1).tolist(),
            "'same' padding on 11 rows with stride 2 = one zero on each side")
conv_reads = windows["conv 3 wide, stride 2, 1 zero each side"]
check_true(plots.never_read(conv_reads) == [] and conv_reads.sum(axis=0).max() == 2,
           "the strided convolution reads every row, some twice")
check_equal(plots.never_read(windows["pool 2, stride 3 (repro-floor)"]), list(range(2, 126, 3)),
            "rows the stride-3 pool never reads")
plots.sliding_windows(windows);

# %% [markdown]
# ### Predict, then check
#
# For `Conv1D/2D/3D` and the pooling layers, per spatial axis:
#
# - `padding="valid"` (the default: no padding, the kernel must fit entirely):
#   $$\text{out} = \left\lfloor \frac{\text{in} - \text{dilation}\,(\text{kernel}-1) - 1}{\text{stride}} \right\rfloor + 1$$
# - `padding="same"`: Keras pads just enough that the size only depends on the stride:
#   $$\text{out} = \left\lceil \frac{\text{in}}{\text{stride}} \right\rceil$$
#
# `dilation * (kernel - 1) + 1` is the *effective* kernel width (a dilated 3-tap kernel spans 5
# pixels). Pooling layers use `strides = pool_size` unless you say otherwise.
#
# `Conv2DTranspose` runs the arrow backwards. With `k' = dilation * (kernel - 1) + 1`:
#
# - `output_padding=None` (the default): `valid` gives `(in - 1) * stride + max(k', stride)`,
#   `same` gives `in * stride`;
# - an explicit `output_padding`: `(in - 1) * stride + k' - 2 * pad + output_padding`, where
#   `pad` is 0 for `valid` and `k' // 2` for `same`.
#
# Because the forward formulas round, several input sizes map to the same output size (13 and 14
# both become 7 with stride 2 and `"same"`). Going back, `output_padding` picks which one you get.
#
# A *dilated* `Conv2DTranspose` is another op that depends on the machine: a GPU and TensorFlow's
# oneDNN CPU kernels run it, the plain CPU kernels raise `InvalidArgumentError: Current CPU
# implementations do not yet support dilation rates larger than 1`. Its output *size* never needs
# the kernel: `layer.compute_output_shape(...)` is Keras's own shape arithmetic, the same numbers
# the layer produces where it runs.

# %% kind="readonly" grade_id="repro-dilated-transpose"
dilated_t = layers.Conv2DTranspose(1, 3, dilation_rate=2)  # k' = 2 * (3 - 1) + 1 = 5
print("inferred:", dilated_t.compute_output_shape((1, 5, 5, 1)))  # (5 - 1) * 1 + max(5, 1) = 9
with ck.may_lack_cpu_kernel(tf.errors.InvalidArgumentError, contains=["dilation rates larger than 1"],
                            what="Conv2DTranspose(dilation_rate=2)") as op:
    ran = dilated_t(np.zeros((1, 5, 5, 1), "float32"))
check_equal(tuple(dilated_t.compute_output_shape((1, 5, 5, 1))), (1, 9, 9, 1), "inferred output shape")
if op.ran:
    check_shape(ran, (1, 9, 9, 1), name="dilated Conv2DTranspose output")

# %% [markdown]
# **Your turn.** Replace each `None` with your prediction (pen and paper), then run the cell after
# it: it builds the real layers and compares.

# %%
predictions = {
    "Conv2D(k=3) on 28":                                    None,
    "Conv2D(k=3, padding='same') on 28":                    None,
    "Conv2D(k=3, strides=2) on 28":                         None,
    "Conv2D(k=3, strides=2, padding='same') on 15":         None,
    "Conv2D(k=3, dilation_rate=2) on 28":                   None,
    "MaxPooling2D(2) on 15":                                None,
    "MaxPooling2D(2, padding='same') on 15":                None,
    "Conv2DTranspose(k=3, strides=2) on 7":                 None,
    "Conv2DTranspose(k=3, strides=2, padding='same') on 7": None,
    "Conv2DTranspose(k=3, strides=2, padding='same', output_padding=0) on 7": None,
}

# %% kind="readonly" grade_id="check-predictions"
real_layers = {
    "Conv2D(k=3) on 28": (layers.Conv2D(1, 3), 28),
    "Conv2D(k=3, padding='same') on 28": (layers.Conv2D(1, 3, padding="same"), 28),
    "Conv2D(k=3, strides=2) on 28": (layers.Conv2D(1, 3, strides=2), 28),
    "Conv2D(k=3, strides=2, padding='same') on 15": (layers.Conv2D(1, 3, strides=2, padding="same"), 15),
    "Conv2D(k=3, dilation_rate=2) on 28": (layers.Conv2D(1, 3, dilation_rate=2), 28),
    "MaxPooling2D(2) on 15": (layers.MaxPooling2D(2), 15),
    "MaxPooling2D(2, padding='same') on 15": (layers.MaxPooling2D(2, padding="same"), 15),
    "Conv2DTranspose(k=3, strides=2) on 7": (layers.Conv2DTranspose(1, 3, strides=2), 7),
    "Conv2DTranspose(k=3, strides=2, padding='same') on 7":
        (layers.Conv2DTranspose(1, 3, strides=2, padding="same"), 7),
    "Conv2DTranspose(k=3, strides=2, padding='same', output_padding=0) on 7":
        (layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=0), 7),
}
for what, (layer, size) in real_layers.items():
    real = layer(np.zeros((1, size, size, 1), "float32")).shape[1]
    guess = predictions.get(what)
    mark = "  (no guess yet)" if guess is None else ("  ✔" if guess == real else f"  ✘ you said {guess}")
    print(f"{what:<72} -> {real:>3}{mark}")

# %% [markdown]
# The claims made with the formulas, checked on real layers: a dilated 3-tap kernel spans 5 pixels
# (it fits a 5-pixel input once and does not fit 4), 13 and 14 both become 7 with stride 2 and
# `"same"`, and on the way back `output_padding` 0 gives 13 and 1 gives 14 (the default, 14).

# %% kind="readonly" grade_id="check-formula-claims"
check_shape(layers.Conv2D(1, 3, dilation_rate=2)(np.zeros((1, 5, 5, 1), "float32")), (1, 1, 1, 1),
            name="Conv2D(k=3, dilation_rate=2) on 5x5")
with expect_error(ValueError, shapes=[(1, 4, 4, 1), (3, 3, 1, 1)], contains=["zero or negative"]):
    layers.Conv2D(1, 3, dilation_rate=2)(np.zeros((1, 4, 4, 1), "float32"))
down = {n: int(layers.Conv2D(1, 3, strides=2, padding="same")(np.zeros((1, n, n, 1), "float32")).shape[1])
        for n in (13, 14)}
back = {op: int(layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=op)(
            np.zeros((1, 7, 7, 1), "float32")).shape[1]) for op in (0, 1, None)}
print("Conv2D(k=3, strides=2, padding='same') on 13 and 14:", down)
print("Conv2DTranspose(k=3, strides=2, padding='same') on 7, by output_padding:", back)
check_equal(down, {13: 7, 14: 7}, "Conv2D(k=3, strides=2, padding='same') on 13 and on 14")
check_equal(back, {0: 13, 1: 14, None: 14}, "Conv2DTranspose(k=3, strides=2, padding='same') on 7")

# %% [markdown]
# ## Read the traceback
#
# Here is a digit classifier whose author assumed that every convolution keeps the image size and
# every pooling halves it, so the `Reshape` before the classifier asks for
# `(28 // 4) * (28 // 4) * 16 = 784` values per image. Its convolutions use the default
# `padding="valid"`, though. The model has no `keras.Input`, so nothing is checked until data
# arrives, here inside a small helper of *yours*:

# %% kind="readonly" grade_id="broken-digit-cnn"
def build_broken_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    return keras.Sequential([
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Reshape(((height // 4) * (width // 4) * 16,)),   # assumes "conv keeps, pool halves"
        layers.Dense(n_classes),
    ])


def predict_digits(model, images):
    logits = model.predict(images, verbose=0)
    return logits.argmax(axis=1)


broken = build_broken_digit_cnn()
with expect_error(ValueError, shapes=[(5, 5, 16), (784,)]) as caught:
    predict_digits(broken, x_nhwc)

# %% [markdown]
# `expect_error` printed the short version. This is the whole traceback Python would have shown
# you, outermost call first:

# %% kind="readonly" grade_id="full-traceback"
traceback.print_exception(caught.error, limit=None, file=sys.stdout)

# %% [markdown]
# How to read it:
#
# 1. **Start at the bottom**: the exception type and message. Keras wraps the message: the first
#    line names the layer class whose `call` failed (`Reshape`), the middle is the real complaint,
#    and "Arguments received" shows the tensor that layer was given, *with* its batch axis.
# 2. **Walk up to the last frame that is yours.** Frames inside `site-packages/keras` are library
#    code. Frames in a notebook cell (Jupyter shows them as `Cell In[...]` or a
#    `/tmp/ipykernel_...` file) are yours. Here there are two: the cell's call of
#    `predict_digits`, and inside it `model.predict(...)`. The model that failed is the one that
#    line passed in.
# 3. **Read the numbers.** `input_shape=(5, 5, 16)` is what one image looks like when it reaches
#    the `Reshape` (height 5, width 5, 16 channels: `5 * 5 * 16 = 400` values; this message leaves
#    the batch axis out). `target_shape=(784,)` is what the author asked for. A reshape cannot
#    create or drop values, so 400 must equal 784.
#
# The numbers, read off the message caught above:

# %% kind="readonly" grade_id="read-numbers"
import re

arrives, asked = [tuple(int(d) for d in re.findall(r"\d+", group))
                  for group in re.findall(r"(?:input|target)_shape=\(([^)]*)\)", caught.message)]
print(f"one image arrives as {arrives} = {int(np.prod(arrives))} values; the Reshape asked for {asked}"
      f" = {int(np.prod(asked))}")
check_true(np.prod(arrives) != np.prod(asked), "the two sizes in the message should disagree")

# %% [markdown]
# Keras hides most of its own frames (the line `raise e.with_traceback(filtered_tb)` is that
# filter at work). `keras.config.disable_traceback_filtering()` shows them all, which you rarely
# want:

# %% kind="readonly" grade_id="traceback-filtering"
def frames_of(build):
    try:
        predict_digits(build(), x_nhwc)
    except ValueError as error:
        return traceback.extract_tb(error.__traceback__)


keras.config.disable_traceback_filtering()
unfiltered = frames_of(build_broken_digit_cnn)
keras.config.enable_traceback_filtering()
filtered = frames_of(build_broken_digit_cnn)
print(f"frames with Keras's filter: {len(filtered)}, without it: {len(unfiltered)}")
for frame in filtered:
    owner = "library" if "site-packages" in frame.filename else "YOURS  "
    print(f"{owner}  {frame.name:<30} line {frame.lineno:<5} {(frame.line or '').strip()[:60]}")

# %% [markdown]
# The message says *that* 400 and 784 disagree, not *where* the 5x5 came from. A per-layer trace
# does: `ck.trace` pushes a symbolic tensor (no data) through the model and records every layer's
# input and output shape, stopping at the first layer that rejects its input.

# %% kind="readonly" grade_id="trace-broken"
ck.trace(build_broken_digit_cnn(), (None, 28, 28, 1))

# %% [markdown]
# Read the table top to bottom: `28 -> 26` (a 3x3 kernel with `valid` padding loses a pixel on
# each side), `26 -> 13` (pool), `13 -> 11`, `11 -> 5` (pool floors 5.5). So each image reaches the
# `Reshape` as `5 * 5 * 16 = 400` values, not `7 * 7 * 16 = 784`. The formulas above predict the same
# thing without running anything, which is what the exercises train.

# %% [markdown]
# ## Exercise 1 (2 points)
#
# Write `conv_output_size(size, kernel, stride=1, padding="valid", dilation=1)`: the output length of
# one spatial axis of `keras.layers.Conv2D` (or `Conv1D`, or a pooling layer with `pool_size=kernel`)
# for an input of length `size`, where `padding` is `"valid"` or `"same"`. Return an `int`. The tests
# compare your answer with real Keras layers for many settings.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the two formulas under **Predict, then check** and the lines the `check-predictions` cell
# printed. Python's `//` rounds down; one of the two formulas rounds up. A failing test names the
# arguments: work that case out by hand with the formula.
#
# </details>

# %% kind="answer" grade_id="ex1-conv-output-size"
def conv_output_size(size, kernel, stride=1, padding="valid", dilation=1):
    ### BEGIN SOLUTION
    if padding == "same":
        return (size + stride - 1) // stride
    return (size - dilation * (kernel - 1) - 1) // stride + 1
    ### END SOLUTION


# %% kind="test" grade_id="ex1-conv-output-size-test" points=2
def _real_conv_size(size, kernel, stride=1, padding="valid", dilation=1):
    layer = layers.Conv2D(1, (kernel, 1), strides=(stride, 1), padding=padding,
                          dilation_rate=(dilation, 1), use_bias=False)
    return int(layer(np.zeros((1, size, 1, 1), "float32")).shape[1])


for args in [(28, 3), (28, 3, 1, "same"), (28, 3, 2), (28, 3, 2, "same"), (15, 2, 2), (7, 3, 2, "same"),
             (28, 3, 1, "valid", 2), (28, 5, 1, "same", 2)]:
    check_equal(conv_output_size(*args), _real_conv_size(*args),
                f"conv_output_size{args} (size, kernel, stride, padding, dilation)")
# More settings, drawn once from a fixed seed: odd sizes, every stride, both paddings.
_visible_rng = np.random.default_rng(11)
for _ in range(16):
    args = (int(_visible_rng.integers(9, 60)), int(_visible_rng.integers(1, 6)), int(_visible_rng.integers(1, 5)),
            ["valid", "same"][int(_visible_rng.integers(0, 2))])
    check_equal(conv_output_size(*args), _real_conv_size(*args),
                f"conv_output_size{args} (size, kernel, stride, padding)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(100)
_checked = 0
while _checked < 70:
    size, kernel = int(_rng.integers(1, 70)), int(_rng.integers(1, 8))
    padding = ["valid", "same"][int(_rng.integers(0, 2))]
    stride, dilation = (int(_rng.integers(1, 5)), 1) if _rng.random() < 0.7 else (1, int(_rng.integers(2, 4)))
    if padding == "valid" and dilation * (kernel - 1) + 1 > size:
        continue  # the kernel would not fit: Keras refuses (see above)
    check_equal(conv_output_size(size, kernel, stride, padding, dilation),
                _real_conv_size(size, kernel, stride, padding, dilation),
                f"conv_output_size{(size, kernel, stride, padding, dilation)}")
    _checked += 1
for args in [(1, 1), (5, 5), (1, 7, 1, "same"), (100, 7, 3, "same"), (64, 4, 4), (9, 3, 1, "valid", 3)]:
    check_equal(conv_output_size(*args), _real_conv_size(*args), f"conv_output_size{args}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# Write `conv_transpose_output_size(size, kernel, stride=1, padding="valid", output_padding=None,
# dilation=1)`: the output length of one spatial axis of `keras.layers.Conv2DTranspose`. The tests
# compare it with the real layer, only for settings Keras accepts (`output_padding` smaller than
# `stride`; no `stride > 1` together with `dilation > 1`).

# %% [markdown]
# <details><summary>Hint</summary>
#
# The transposed formulas are under **Predict, then check**: one for the default
# `output_padding=None`, one for an explicit `output_padding`. Check which of `kernel` and `k'` each
# one uses, and try your function on the three `Conv2DTranspose` lines of the `check-predictions`
# output and on the `check-formula-claims` cell.
#
# </details>

# %% kind="answer" grade_id="ex2-conv-transpose-output-size"
def conv_transpose_output_size(size, kernel, stride=1, padding="valid", output_padding=None, dilation=1):
    ### BEGIN SOLUTION
    span = dilation * (kernel - 1) + 1
    if output_padding is None:
        return size * stride if padding == "same" else (size - 1) * stride + max(span, stride)
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * pad + output_padding
    ### END SOLUTION


# %% kind="test" grade_id="ex2-conv-transpose-output-size-test" points=2
def _real_convt_size(size, kernel, stride=1, padding="valid", output_padding=None, dilation=1):
    # Keras's own shape inference for the real layer: no kernel runs, so dilated cases work on
    # every CPU (TensorFlow's plain CPU kernels cannot run a dilated Conv2DTranspose).
    layer = layers.Conv2DTranspose(1, (kernel, 1), strides=(stride, 1), padding=padding,
                                   output_padding=None if output_padding is None else (output_padding, 0),
                                   dilation_rate=(dilation, 1), use_bias=False)
    return int(layer.compute_output_shape((1, size, 1, 1))[1])


for args in [(7, 2, 2), (7, 3, 2), (7, 3, 2, "same"), (7, 3, 2, "valid", 1), (7, 3, 2, "same", 1),
             (7, 3, 2, "same", 0), (5, 1, 3), (5, 3, 1, "valid", None, 2)]:
    check_equal(conv_transpose_output_size(*args), _real_convt_size(*args),
                f"conv_transpose_output_size{args} (size, kernel, stride, padding, output_padding, dilation)")
# More settings, drawn once from a fixed seed: odd sizes, every stride, both paddings.
_visible_rng = np.random.default_rng(12)
for _ in range(16):
    stride = int(_visible_rng.integers(1, 5))
    args = (int(_visible_rng.integers(3, 30)), int(_visible_rng.integers(1, 6)), stride,
            ["valid", "same"][int(_visible_rng.integers(0, 2))],
            None if _visible_rng.random() < 0.5 else int(_visible_rng.integers(0, stride)))
    check_equal(conv_transpose_output_size(*args), _real_convt_size(*args),
                f"conv_transpose_output_size{args} (size, kernel, stride, padding, output_padding)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(200)
_checked = 0
while _checked < 60:
    size, kernel = int(_rng.integers(1, 40)), int(_rng.integers(1, 7))
    padding = ["valid", "same"][int(_rng.integers(0, 2))]
    stride, dilation = (int(_rng.integers(1, 5)), 1) if _rng.random() < 0.7 else (1, int(_rng.integers(2, 4)))
    output_padding = None if _rng.random() < 0.4 else int(_rng.integers(0, stride))
    args = (size, kernel, stride, padding, output_padding, dilation)
    try:
        real = _real_convt_size(*args)
    except ValueError:
        continue  # a combination Keras refuses (its constructor checks output_padding and strides)
    check_equal(conv_transpose_output_size(*args), real, f"conv_transpose_output_size{args}")
    _checked += 1
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Below is a small encoder-decoder that mixes everything above: `same` and `valid` padding, a
# strided and a dilated convolution, pooling that floors and pooling that rounds up, two transposed
# convolutions and a final `Flatten`. It accepts any image of at least 6x6 pixels with 3 channels.
# Write `predict_shapes(input_shape)` that takes an input shape `(N, H, W, 3)` and returns the list
# of output shapes of its 8 layers, in order, as tuples, exactly what
# `ck.trace(shape_model, input_shape)` would list in its "output shape" column.
#
# Work it out from the layer settings (your functions from Exercises 1 and 2 are allowed), not by
# running the model: the point is to be able to do it *before* anything runs. When you are done,
# use `ck.trace` to check yourself.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Walk down the `shape-model` cell one layer at a time, the way the `trace-broken` table reads:
# note each layer's padding, stride and dilation, and which layers change the channel count.
# `ck.trace(shape_model, (4, 28, 28, 3))` prints the real shapes for one input; a failing test names
# the input and the layer where your prediction first differs.
#
# </details>

# %% kind="readonly" grade_id="shape-model"
shape_model = keras.Sequential([
    keras.Input(shape=(None, None, 3)),
    layers.Conv2D(8, 5, padding="same", activation="relu"),                   # 0
    layers.MaxPooling2D(2),                                                   # 1
    layers.Conv2D(16, 3, strides=2, activation="relu"),                       # 2
    layers.Conv2D(16, 3, padding="same", dilation_rate=2, activation="relu"), # 3
    layers.MaxPooling2D(3, strides=2, padding="same"),                        # 4
    layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),  # 5
    layers.Conv2DTranspose(4, 3, strides=2),                                  # 6
    layers.Flatten(),                                                         # 7
], name="shape_model")
check_true(ck.trace(shape_model, (1, 6, 6, 3)).ok and not ck.trace(shape_model, (1, 5, 5, 3)).ok,
           "shape_model should accept 6x6 images and refuse 5x5")

# %% kind="answer" grade_id="ex3-predict-shapes"
def predict_shapes(input_shape):
    """The output shape of each of shape_model's 8 layers for an input of shape (N, H, W, 3)."""
    ### BEGIN SOLUTION
    n, h, w, _ = input_shape
    shapes = [(n, h, w, 8)]                                    # 0: same padding keeps the size
    h, w = h // 2, w // 2                                      # 1: pool 2, valid: floor
    shapes.append((n, h, w, 8))
    h, w = (h - 3) // 2 + 1, (w - 3) // 2 + 1                  # 2: k=3, stride 2, valid
    shapes.append((n, h, w, 16))
    shapes.append((n, h, w, 16))                               # 3: same, stride 1: size kept
    h, w = (h + 1) // 2, (w + 1) // 2                          # 4: same, stride 2: ceil
    shapes.append((n, h, w, 16))
    h, w = 2 * h, 2 * w                                        # 5: same: in * stride
    shapes.append((n, h, w, 8))
    h, w = (h - 1) * 2 + 3, (w - 1) * 2 + 3                    # 6: valid: (in-1)*s + max(k, s)
    shapes.append((n, h, w, 4))
    shapes.append((n, h * w * 4))                              # 7: Flatten
    return shapes
    ### END SOLUTION


# %% kind="test" grade_id="ex3-predict-shapes-test" points=3
def _check_predicted(input_shape):
    real = ck.trace(shape_model, input_shape)
    assert real.ok, f"shape_model itself failed on {input_shape}"
    predicted = predict_shapes(input_shape)
    check_equal(len(predicted), len(real.rows), f"number of shapes predicted for input {input_shape}")
    for index, (row, guess) in enumerate(zip(real.rows, predicted)):
        guess = tuple(None if d is None else int(d) for d in guess)
        check_shape(guess, tuple(row.output_shape),
                    name=f"input {input_shape}, layer {index} {row.name} ({row.kind}), your prediction")


for shape in [(4, 28, 28, 3), (1, 32, 32, 3), (2, 29, 17, 3)]:   # the last one odd and not square
    _check_predicted(shape)
print("visible tests passed")
### BEGIN HIDDEN TESTS
for shape in [(7, 28, 28, 3), (1, 6, 6, 3), (2, 29, 31, 3), (7, 64, 48, 3), (3, 17, 9, 3), (5, 100, 7, 3)]:
    _check_predicted(shape)
_rng = np.random.default_rng(300)
for _ in range(20):
    _check_predicted((int(_rng.integers(1, 9)), int(_rng.integers(6, 80)), int(_rng.integers(6, 80)), 3))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 (2 points)
#
# Data from a channels-first source (a PyTorch pipeline, many scientific formats) arrives as
# `(N, C, H, W)`. Write `to_channels_last(batch)` that takes such a NumPy array and returns the same
# images as `(N, H, W, C)`, every pixel value in its right place. Remember the `reshape` trap above.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `repro-reshape-vs-transpose` cell: of its two ways to reach `(N, H, W, C)`, the one
# whose red channel still equals the red plane is the one you want.
#
# </details>

# %% kind="answer" grade_id="ex4-to-channels-last"
def to_channels_last(batch):
    ### BEGIN SOLUTION
    return np.transpose(batch, (0, 2, 3, 1))
    ### END SOLUTION


# %% kind="test" grade_id="ex4-to-channels-last-test" points=2
def _check_layout(nchw, nhwc, what):
    got = to_channels_last(np.array(nchw))
    check_shape(got, tuple(nhwc.shape), name=what)
    check_true(np.array_equal(np.asarray(got), nhwc),
               f"{what}: the shape is right but pixel values moved (reshape instead of moving the axis?)")


_check_layout(data.digits("test", layout="nchw", n=5)[0], data.digits("test", layout="nhwc", n=5)[0],
              "5 digits, NCHW -> NHWC")
_check_layout(data.color_patches(n=3, size=16, layout="nchw")[0], data.color_patches(n=3, size=16, layout="nhwc")[0],
              "3 RGB patches, NCHW -> NHWC")
_x = np.arange(1 * 3 * 4 * 6, dtype="float32").reshape(1, 3, 4, 6)
_check_layout(_x, _x.transpose(0, 2, 3, 1).copy(), "one (1, 3, 4, 6) array, 3 channels of 4x6")
print("visible tests passed")
### BEGIN HIDDEN TESTS
for n in (1, 7, 3):
    _check_layout(data.color_patches(n=n, size=16, layout="nchw")[0],
                  data.color_patches(n=n, size=16, layout="nhwc")[0], f"{n} RGB patches, NCHW -> NHWC")
_x = np.arange(7 * 4 * 5 * 6, dtype="float32").reshape(7, 4, 5, 6)
_check_layout(_x, _x.transpose(0, 2, 3, 1).copy(), "a (7, 4, 5, 6) array")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 (3 points)
#
# Repair the digit classifier. Write `build_digit_cnn(height=28, width=28, channels=1, n_classes=10)`
# that returns a Keras model mapping `(N, height, width, channels)` to logits of shape
# `(N, n_classes)`, for any image size from 16x16 up, and that trains well on the digits. Keep the
# two convolution blocks of `build_broken_digit_cnn` and fix what connects them to the `Dense`
# layer: compute the size with your formula, or change the padding so the author's assumption
# becomes true, or let Keras work it out. Create every layer once, when the model is built (never
# inside a `call` method), so that the model computes with its own weights, the ones training
# updates. The tests build models for several image sizes and batch sizes (including 1 and 7),
# then the model is trained below.
#
# (Global average pooling also fixes the shape, but it keeps only 16 numbers per image, one per
# channel, and no record of *where* the strokes are. Try it later and compare the accuracy.)

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `trace-broken` table and the `read-numbers` cell: which layer receives a different
# size than the author computed, and which layers made it so? Your `conv_output_size` from
# Exercise 1 gives that size for any `height` and `width`; a failing test names the image size.
#
# </details>

# %% kind="answer" grade_id="ex5-digit-cnn"
def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    ### BEGIN SOLUTION
    h, w = height, width
    for _ in range(2):  # conv 3x3 with valid padding, then pool 2
        h, w = conv_output_size(h, 3) // 2, conv_output_size(w, 3) // 2
    return keras.Sequential([
        keras.Input(shape=(height, width, channels)),
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Reshape((h * w * 16,)),
        layers.Dense(n_classes),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex5-digit-cnn-test" points=3
ck.seed(0)
_model = ck.build_block(build_digit_cnn, name="build_digit_cnn()")
ck.check_output_shapes(_model, [((1, 28, 28, 1), (1, 10)), ((7, 28, 28, 1), (7, 10)),
                                ((64, 28, 28, 1), (64, 10))], name="build_digit_cnn() logits")
def _check_digit_cnn(args, batch):
    what = f"build_digit_cnn{args} (height, width, channels, n_classes)"
    model = ck.build_block(build_digit_cnn, *args, name=what)
    h, w, c, k = args
    ck.check_output_shapes(model, [((batch, h, w, c), (batch, k)), ((1, h, w, c), (1, k))], name=f"{what} logits")
    ck.check_uses_its_weights(model, (2, h, w, c), what)


_check_digit_cnn((29, 36, 3, 6), 7)   # odd, not square, 3 channels, 6 classes
print("visible tests passed")
### BEGIN HIDDEN TESTS
ck.check_output_shapes(_model, [((4000 % 64 or 64, 28, 28, 1), (4000 % 64 or 64, 10)), ((13, 28, 28, 1), (13, 10))],
                       name="build_digit_cnn() logits, partial last batch")
for _args, _n in [((32, 32, 3, 6), 7), ((20, 36, 1, 4), 1), ((16, 16, 1, 10), 5), ((45, 29, 2, 3), 7)]:
    _check_digit_cnn(_args, _n)
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your model on 4,000 real digits for a fixed number of steps (seeded; the GPU is used when one is
# visible), then scored on 1,000 digits it never saw. Guessing one of the 10 classes gives 10%.

# %%
X_train, y_train = data.digits("train", layout="nhwc")
X_test, y_test = data.digits("test", layout="nhwc")
print("train", X_train.shape, "test", X_test.shape, "from the", data.digits_source())
print(f"{len(np.unique(y_train))} classes: guessing scores {1 / len(np.unique(y_train)):.2f}")
ck.seed(0)
model = build_digit_cnn(28, 28, 1, 10)
result = ck.train(model, X_train, y_train, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  steps=150, batch_size=64, lr=2e-3)
test_accuracy = float((ck.predict(model, X_test).argmax(axis=1) == y_test).mean())
print(f"held-out accuracy: {test_accuracy:.3f}")

# %% kind="test" grade_id="train-digit-cnn-test" points=3
needs("result", "test_accuracy", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_at_least(test_accuracy, 0.85, "held-out digit accuracy",
               hint="chance is 0.10; check the logits shape (N, 10) and that the model sees (N, 28, 28, 1)")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict, then run. Write the output shape you expect for each line below into
# `shape_predictions` (a tuple or a list per question), working from the formulas and the axis
# rules of this notebook without running anything. The test cell under it builds the real layers
# and shows, per question, your prediction next to what Keras gives.
#
# - `"a"`: `layers.Conv2D(8, 5, strides=2)` on a batch of shape `(2, 33, 20, 3)`
# - `"b"`: `layers.MaxPooling2D(2)` on `(5, 7, 9, 16)`
# - `"c"`: `np.transpose(x, (0, 2, 3, 1))` for an array `x` of shape `(4, 3, 10, 6)`
# - `"d"`: `layers.Conv2DTranspose(4, 3, strides=2, padding="same")` on `(1, 5, 7, 8)`
# - `"e"`: `layers.Dense(10)` on `(8, 6, 6, 16)`

# %% kind="answer" grade_id="self-check"
shape_predictions = {}  # e.g. shape_predictions["a"] = (1, 2, 3, 4)
### BEGIN SOLUTION
shape_predictions.update(a=(2, 15, 8, 8), b=(5, 3, 4, 16), c=(4, 10, 6, 3), d=(1, 10, 14, 4), e=(8, 6, 6, 10))
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
check_predictions(shape_predictions, {
    "a": ("Conv2D(8, 5, strides=2) on (2, 33, 20, 3)", layers.Conv2D(8, 5, strides=2)(np.zeros((2, 33, 20, 3), "float32"))),
    "b": ("MaxPooling2D(2) on (5, 7, 9, 16)", layers.MaxPooling2D(2)(np.zeros((5, 7, 9, 16), "float32"))),
    "c": ("np.transpose(x, (0, 2, 3, 1)), x of (4, 3, 10, 6)", np.transpose(np.zeros((4, 3, 10, 6)), (0, 2, 3, 1))),
    "d": ("Conv2DTranspose(4, 3, strides=2, padding='same') on (1, 5, 7, 8)",
          layers.Conv2DTranspose(4, 3, strides=2, padding="same")(np.zeros((1, 5, 7, 8), "float32"))),
    "e": ("Dense(10) on (8, 6, 6, 16)", layers.Dense(10)(np.zeros((8, 6, 6, 16), "float32"))),
})


# %% [markdown]
# ## Summary
#
# - Name every axis: Keras images are `(N, H, W, C)` and sequences `(N, T, F)`, channels last;
#   `Dense` reads only the last axis and treats the rest as batch (no error on 4-D input).
# - Channels-first to channels-last is `np.transpose(x, (0, 2, 3, 1))`; `reshape` gives the right
#   shape with scrambled pixels (and hides it when there is one channel).
# - `valid`: `out = floor((in - d(k - 1) - 1) / s) + 1`; `same`: `out = ceil(in / s)`. Sizes are
#   floored or rounded up, never fractional; a window narrower than its stride (pool 2, stride 3)
#   skips whole rows and columns, every third one. `Conv2DTranspose` with the default `output_padding`:
#   `(in - 1)s + max(k', s)` (valid) or `in * s` (same).
# - Read a traceback bottom-up: the message (which layer's `call`, then the shapes), then the lowest
#   frame in *your* code. Keras messages often print one sample's shape, without the batch axis.
# - `ck.trace(model, shape)` shows each layer's output shape and stops at the first one that fails.
