# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 · Channel mismatch (Keras)
#
# Keras layers expect images as `(N, H, W, C)`: channels **last** (`data_format="channels_last"`,
# the default). A `Conv2D` fixes its number of input channels the first time it is built, from the
# last axis of what it sees. Channel bugs come in three kinds: the channel axis is missing (a
# grayscale batch stored as `(N, H, W)`), it sits in the wrong place (channels-first
# `(N, C, H, W)` arrays from PyTorch code), or the count is wrong (a grayscale model fed colour
# images, blocks built for different channel counts, a decoder that returns 4 channels for a
# 3-channel target). Keras catches some of these at the layer, some only inside the loss, and
# quietly "fixes" or silently misreads others.

# %% [markdown]
# ## Learning goals
#
# - Read `expected axis -1 of input shape to have value C, but received input with shape (...)`,
#   `expected min_ndim=4, found ndim=3` and the loss's `Dimensions must be equal` message.
# - Know when Keras 3 adds a missing channel axis by itself, and when a channels-first batch runs
#   through a model without any error and the wrong meaning.
# - Move channels-first data to channels-last with a transpose (never a reshape), for any batch,
#   channel count and image size.
# - Build conv stacks that accept any number of input channels, and decoders that return exactly
#   the channels of their target.
# - Put a small head on a many-channel feature map with global pooling, and check with the
#   parameter count that it no longer depends on the image size.
# - Bridge two separately built blocks with a 1×1 convolution, and shrink a many-channel input with
#   one before a 3×3 convolution.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
from course import keras as ck  # first: it selects the TensorFlow backend and quiets its logs

import os
import platform
import re
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error, expect_warning, needs)
from course import data, plots

ck.seed(0)
print(ck.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# ### 1. A missing channel axis: when Keras raises
#
# The course's digits are real MNIST digits. Asked for layout `"hw"`, they come as `(N, 28, 28)`:
# no channel axis, which is how most image files and many NumPy pipelines store grayscale. A
# `Conv2D` needs rank 4, and says so, whether it is called directly or is the first layer of a
# `Sequential` model that has no `keras.Input` (such a model is built from the first batch it sees):

# %% kind="readonly" grade_id="repro-missing-channel-axis"
digits_hw, _ = data.digits("train", layout="hw", n=8)
print("digits without a channel axis:", digits_hw.shape)

with expect_error(ValueError, shapes=[(8, 28, 28)]):
    layers.Conv2D(16, 3)(digits_hw)

unbuilt = keras.Sequential([layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(10)])  # no Input
with expect_error(ValueError, shapes=[(8, 28, 28)]):
    unbuilt(digits_hw)

# %% [markdown]
# ### 2. A missing channel axis: when Keras adds it silently
#
# Declare the input with `keras.Input((28, 28, 1))` and the same data goes through without a
# word. A model with a declared input (a functional model, or a `Sequential` that starts with
# `keras.Input`) compares each batch with the declaration before the first layer runs: when the
# batch has one axis fewer and the declared last axis is 1, Keras appends that axis of 1; when the
# batch has one axis *more* and it is a trailing 1, Keras drops it. Any other difference in rank raises
# `Invalid input shape`. So the silent fix only covers grayscale: a model declared for 3 channels
# still rejects `(N, 28, 28)`.
#
# (We call `predict` for that last one: called directly on a NumPy array, Keras prints the array
# itself, abbreviated by NumPy, into the message, where the shapes are harder to find.)

# %% kind="readonly" grade_id="repro-keras-adds-axis"
declared = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(10)])
out = declared(digits_hw)  # (8, 28, 28) into a model declared as (28, 28, 1)
check_shape(out, (8, 10), name="Input((28, 28, 1)) model on (8, 28, 28)")
print("declared (28, 28, 1), fed", digits_hw.shape, "->", tuple(out.shape), " no error: Keras added the axis")

flat_declared = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(10)])
out = flat_declared(digits_hw[..., None])  # (8, 28, 28, 1) into a model declared as (28, 28)
check_shape(out, (8, 10), name="Input((28, 28)) model on (8, 28, 28, 1)")
print("declared (28, 28), fed", digits_hw[..., None].shape, "->", tuple(out.shape), " Keras dropped the axis")

rgb_declared = keras.Sequential([keras.Input((28, 28, 3)), layers.Conv2D(16, 3)])
with expect_error(ValueError, shapes=[(None, 28, 28, 3), (8, 28, 28)]):
    rgb_declared.predict(digits_hw, verbose=0)
with expect_error(ValueError, contains=["Invalid input shape for input [["], quiet=True) as direct:
    rgb_declared(digits_hw)
print(f"called directly: the same error, with the array printed into its {len(direct.message):,} characters")

# %% [markdown]
# ### 3. Channels-first data into a channels-last model
#
# `data.color_patches` cuts 32×32 RGB patches out of six photographs that ship with
# scikit-image. In layout `"nchw"` they look like what a PyTorch pipeline hands over:
# `(N, 3, 32, 32)`. A model with a declared input rejects them, naming the axis it checked:

# %% kind="readonly" grade_id="repro-nchw-into-nhwc"
patches_nchw, patch_labels = data.color_patches(n=8, size=32, layout="nchw")
print("patches, channels first:", patches_nchw.shape, " cut from", len(data.COLOR_IMAGES), "photographs")
check_equal(len(data.COLOR_IMAGES), 6, "number of photographs")

rgb_model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(16, 3)])
with expect_error(ValueError, shapes=[(8, 3, 32, 32)]):
    rgb_model(patches_nchw)

# %% [markdown]
# Without a declared input, nothing checks. A `Conv2D` built from the first batch takes the last
# axis, 32 (the width), as its channel count, and the 3 colour planes as the image height. The
# model below has no `keras.Input` and runs without an error on these meaningless features:

# %% kind="readonly" grade_id="repro-nchw-silent"
silent_model = keras.Sequential([layers.Conv2D(16, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                                 layers.Dense(6)])
out = silent_model(patches_nchw)
check_shape(out, (8, 6), name="unbuilt model on channels-first patches")  # no error at all
first_conv = silent_model.layers[0]
check_shape(first_conv.kernel, (3, 3, 32, 16), name="first conv kernel (kH, kW, in, out)")
print("the first conv was built for", first_conv.kernel.shape[2], "input channels; its output:",
      first_conv.compute_output_shape(patches_nchw.shape))

# %% [markdown]
# The tempting fix is `reshape(8, 32, 32, 3)`. It produces the right shape, but a reshape keeps
# the values in memory order and only re-cuts them: the "red" channel of the result takes every
# third value of the image, so it runs through the red plane, then the green, then the blue. Only a
# transpose moves the axes (`np.transpose(x, (0, 2, 3, 1))`, or `np.moveaxis(x, 1, -1)`). The figure
# draws one patch both ways, each channel as a plane of its own: after the transpose, the red, green
# and blue planes of the photo; after the reshape, three planes that each hold the photo three times,
# squeezed sideways: their top third from the red plane, then the green, then the blue.

# %% kind="readonly" grade_id="repro-reshape-scrambles"
patches_nhwc = np.transpose(patches_nchw, (0, 2, 3, 1))  # (N, C, H, W) -> (N, H, W, C)
scrambled = patches_nchw.reshape(8, 32, 32, 3)            # right shape, wrong pixels
check_shape(patches_nhwc, (8, 32, 32, 3), name="transposed patches")
check_shape(scrambled, (8, 32, 32, 3), name="reshaped patches")
check_shape(rgb_model(scrambled), (8, 30, 30, 16), name="conv on scrambled patches")  # no error!

assert np.array_equal(patches_nhwc[..., 0], patches_nchw[:, 0]), "transpose keeps the red plane intact"
assert not np.array_equal(scrambled[..., 0], patches_nchw[:, 0]), "reshape does not"
every_third = patches_nchw.reshape(8, -1)[:, ::3]  # red plane, then green, then blue, every third value
assert np.array_equal(scrambled[..., 0].reshape(8, -1), every_third), "reshape's 'red' takes every third value"
print("pixels in the same place after reshape:", f"{np.mean(scrambled == patches_nhwc):.0%}")
top_rows = scrambled[0, :10, :, 0].ravel()  # the first 320 values of reshape's 'red' plane
assert np.array_equal(top_rows, patches_nchw[0, 0].ravel()[:960:3]), "its top third is the red plane, every third pixel"
plots.channel_planes([patches_nhwc[0], scrambled[0]], channel_axis=-1,
                     titles=["np.transpose(x, (0, 2, 3, 1))[0]", "x.reshape(8, 32, 32, 3)[0]"]);

# %% [markdown]
# The other way round also exists: a layer created with `data_format="channels_first"` reads
# channels from axis 1. Its declared input accepts the PyTorch-style batch and rejects a
# channels-last one on every machine (that check is Keras's, before any kernel runs). Whether the
# convolution then *runs* depends on the machine: on a GPU, or on a CPU with TensorFlow's oneDNN
# kernels on, it does; with oneDNN off, TensorFlow's plain CPU kernel raises `UnimplementedError: The
# Conv2D op currently only supports the NHWC tensor format on the CPU`. `TF_ENABLE_ONEDNN_OPTS=1` or
# `=0` decides. When the variable is not set, TensorFlow on Linux turns oneDNN on only if the CPU has
# one of the instruction sets it tests for at start-up: AVX-512 VNNI, AVX-512 BF16, AVX-VNNI, or AMX
# (tiles, INT8 or BF16), or it is an Arm Neoverse V1. The cell lists which of the x86 ones your CPU
# has, runs the model under your setting and says which case you are in. Channels-last data is the
# layout that runs everywhere.

# %% kind="readonly" grade_id="repro-channels-first-model"
print("Keras default:", keras.config.image_data_format())
cf_model = keras.Sequential([
    keras.Input((3, 32, 32)),
    layers.Conv2D(16, 3, data_format="channels_first"),
    layers.GlobalAveragePooling2D(data_format="channels_first"),
    layers.Dense(6),
])
check_shape(cf_model.compute_output_shape(patches_nchw.shape), (8, 6), name="inferred output shape")
with expect_error(ValueError, shapes=[(8, 32, 32, 3)]):
    cf_model(patches_nhwc)
with ck.may_lack_cpu_kernel(tf.errors.UnimplementedError, contains=["NHWC"],
                            what="a channels_first Conv2D model") as op:
    cf_out = cf_model(patches_nchw)
if op.ran:
    check_shape(cf_out, (8, 6), name="channels_first model on channels-first patches")

# The CPU features TensorFlow's start-up check looks for (Linux names them in /proc/cpuinfo):
ONEDNN_FEATURES = {"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}
cpuinfo = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
has = sorted(ONEDNN_FEATURES & set(re.findall(r"[a-z0-9_]+", cpuinfo)))
print("CPU features that turn oneDNN on by default:", ", ".join(has) or "none", " TF_ENABLE_ONEDNN_OPTS:",
      os.environ.get("TF_ENABLE_ONEDNN_OPTS", "not set"))
if ("TF_ENABLE_ONEDNN_OPTS" not in os.environ and platform.machine() == "x86_64" and "flags" in cpuinfo
        and not tf.config.list_physical_devices("GPU")):
    check_equal(op.ran, bool(has), "channels_first conv ran (oneDNN on) when the CPU has one of those features")

# %% [markdown]
# ### 4. Wrong channel count: grayscale vs RGB
#
# A model built for grayscale fed colour images, and the reverse (both declared with `None`
# height and width, so only the channels are checked):

# %% kind="readonly" grade_id="repro-gray-vs-rgb"
digits_nhwc, _ = data.digits("train", layout="nhwc", n=8)
gray_model = keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(16, 3)])
rgb_any_size = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(16, 3)])

with expect_error(ValueError, shapes=[(8, 32, 32, 3)]):
    gray_model(patches_nhwc)
with expect_error(ValueError, shapes=[(8, 28, 28, 1)]):
    rgb_any_size(digits_nhwc)

# Two data-side fixes, when the model cannot change:
as_rgb = np.repeat(digits_nhwc, 3, axis=-1)              # copy the gray plane three times
as_gray = patches_nhwc.mean(axis=-1, keepdims=True)      # average R, G, B; keep the axis
check_shape(rgb_any_size(as_rgb), (8, 26, 26, 16), name="RGB model on gray digits repeated to 3 channels")
check_shape(gray_model(as_gray), (8, 30, 30, 16), name="gray model on averaged colour patches")
print("repeated digits:", as_rgb.shape, " averaged patches:", as_gray.shape)

# %% [markdown]
# ### 5. A broken out→in chain
#
# Inside one model you never write a `Conv2D`'s input channels: Keras reads them off the previous
# layer when it builds the model, so the PyTorch bug "conv1 outputs 16, conv2 expects 32" cannot be
# written there. It comes back when **blocks** are built separately, each with its own
# `keras.Input`, and then joined. Unlike PyTorch, Keras finds out when the model is assembled,
# before any data arrives:

# %% kind="readonly" grade_id="repro-broken-chain"
one_model = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(16, 3, padding="same"),
                              layers.Conv2D(64, 3, padding="same")])
print("kernels (kH, kW, in, out):", [tuple(layer.kernel.shape) for layer in one_model.layers])

block_a = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(16, 3, padding="same"),
                            layers.MaxPooling2D(2)], name="block_a")
block_b = keras.Sequential([keras.Input((None, None, 32)), layers.Conv2D(64, 3, padding="same")],
                           name="block_b")  # declared for 32 channels; block_a outputs 16
with expect_error(ValueError, shapes=[(None, None, None, 32), (None, None, None, 16)]):
    keras.Sequential([block_a, block_b])

# %% [markdown]
# ### 6. A decoder that emits 4 channels for a 3-channel target
#
# The decoder itself runs and returns `(8, 32, 32, 4)`: nothing is wrong *inside* the model. The
# mismatch is between the model and its target, so it surfaces in the loss. Where exactly depends
# on how the loss runs: in `fit` / `train_on_batch`, Keras traces the training step into a graph
# and the shape check fails while tracing (`ValueError`, naming both shapes); called directly, the
# loss runs eagerly and TensorFlow's subtraction raises `InvalidArgumentError`.

# %% kind="readonly" grade_id="repro-decoder-4-channels"
def make_decoder4():
    return keras.Sequential([
        keras.Input((8, 8, 8)),
        layers.Conv2DTranspose(16, 2, strides=2, activation="relu"),
        layers.Conv2DTranspose(4, 2, strides=2, activation="sigmoid"),
    ])


codes = np.random.default_rng(0).normal(size=(8, 8, 8, 8)).astype("float32")  # latent codes
recon = make_decoder4()(codes)
check_shape(recon, (8, 32, 32, 4), name="decoder output")  # no error so far

decoder4 = make_decoder4()
decoder4.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(8, 32, 32, 3), (8, 32, 32, 4)]):
    decoder4.train_on_batch(codes, patches_nhwc)

with expect_error(tf.errors.InvalidArgumentError, shapes=[(8, 32, 32, 3), (8, 32, 32, 4)]):
    keras.losses.MeanSquaredError()(patches_nhwc, recon)

# %% [markdown]
# Against a **grayscale** target `(8, 32, 32, 1)` the shapes broadcast: each of the 4 output
# channels is compared with the same gray plane, and Keras trains without an error *or a warning*
# (PyTorch at least warns here). Binary cross-entropy is stricter and refuses any shape difference.

# %% kind="readonly" grade_id="repro-loss-broadcast"
gray_targets = patches_nhwc.mean(axis=-1, keepdims=True)  # (8, 32, 32, 1)
decoder4 = make_decoder4()
decoder4.compile(optimizer="adam", loss="mse")
before = np.asarray(decoder4(codes))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loss = decoder4.train_on_batch(codes, gray_targets)
check_true(not [w for w in caught if issubclass(w.category, UserWarning)], "no warning expected")
check_true(np.isclose(loss, np.mean((before - gray_targets) ** 2), rtol=1e-4), "loss is the broadcast MSE")
print(f"loss = {float(loss):.4f}: a 'valid' number from comparing 4 channels with 1, no warning")

bce_decoder = make_decoder4()
bce_decoder.compile(optimizer="adam", loss="binary_crossentropy")
with expect_error(ValueError, shapes=[(8, 32, 32, 1), (8, 32, 32, 4)]):
    bce_decoder.train_on_batch(codes, gray_targets)

# %% [markdown]
# ### 7. A many-channel feature map: Flatten vs global pooling
#
# One of this lesson's source articles builds `Conv2D(32, 3)` on `(32, 32, 912)` inputs followed
# by `Flatten` and `Dense(10)`, and says the model fails when compiled because `Flatten` "loses the
# channel dimension". Under Keras 3.15 it builds and compiles without error. `Flatten` keeps the
# batch axis and every value: `(None, 30, 30, 32)` becomes `(None, 28800)`. What really happens:
#
# - passing `input_shape=` to a layer now only triggers a `UserWarning` (use `keras.Input`);
# - the `Dense` layer after `Flatten` holds one weight per channel **per position**, 288,010
#   parameters, and accepts exactly one image size;
# - with `GlobalAveragePooling2D` each channel is averaged over the grid first, the `Dense` layer
#   needs 330 parameters, and any image size works.

# %% kind="readonly" grade_id="repro-912-channels"
with expect_warning(UserWarning, contains=["input_shape"]):
    article_model = keras.Sequential([
        layers.Conv2D(32, 3, activation="relu", input_shape=(32, 32, 912)),
        layers.Flatten(),
        layers.Dense(10),
    ])
article_model.compile(optimizer="adam", loss="mse")  # no error
print(ck.trace(article_model, (None, 32, 32, 912)))

pooled_model = keras.Sequential([
    keras.Input((None, None, 912)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10),
])
print(ck.trace(pooled_model, (None, 32, 32, 912)))
check_equal(ck.count_params(article_model.layers[-1]), 30 * 30 * 32 * 10 + 10, "Dense after Flatten")
check_equal(ck.count_params(pooled_model.layers[-1]), 32 * 10 + 10, "Dense after global pooling")

# %% [markdown]
# The parameter count is not the only cost. The `Flatten` model is tied to 32×32 inputs; the pooled
# one takes any size. The error in the article's title, "(32, 32) vs (32, 32, 912)", is what
# you get when the 912-channel axis is missing from the data (no silent fix here: 912 is not 1).

# %% kind="readonly" grade_id="repro-912-sizes"
rng = np.random.default_rng(0)
features = rng.random((1, 32, 32, 912), dtype=np.float32)
bigger = rng.random((1, 40, 40, 912), dtype=np.float32)
check_shape(article_model(features), (1, 10), name="Flatten model on 32x32")
with expect_error(ValueError, shapes=[(1, 46208)]):
    article_model(bigger)  # Flatten now gives 38 * 38 * 32 = 46208 values; Dense wants 28800
ck.check_output_shapes(pooled_model, [((1, 32, 32, 912), (1, 10)), ((1, 40, 40, 912), (1, 10))],
                       name="pooled model")
print("the pooled model accepts any size")

with expect_error(ValueError, shapes=[(None, 32, 32, 912), (2, 32, 32)]):
    article_model.predict(np.zeros((2, 32, 32), dtype="float32"), verbose=0)

# %% [markdown]
# The same article "fixes" a missing channel axis with `Reshape((32 * 32 * 32,))` after a 3×3
# `'valid'` convolution (which outputs 30×30, not 32×32), and then by putting
# `Reshape((32, 32, 1))(X)` (a *tensor*, the result of calling the layer on the data) inside a
# `Sequential` list. Both fail:

# %% kind="readonly" grade_id="repro-article-fixes"
with expect_error(ValueError, shapes=[(30, 30, 32), (32768,)]):
    keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(32, 3), layers.Reshape((32 * 32 * 32,)),
                      layers.Dense(10)])

X_gray = rng.random((2, 32, 32), dtype=np.float32)
with expect_error(ValueError, contains=["keras.Layer"], quiet=True) as not_a_layer:
    keras.Sequential([layers.Reshape((32, 32, 1))(X_gray), layers.Conv2D(32, 3)])
print("✔ ValueError:", not_a_layer.message.splitlines()[0][:90], "...")

# What works: declare the input; Flatten computes its own size. (X_gray has no channel axis,
# and Keras adds it, as in section 2.)
working = keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(32, 3), layers.Flatten(), layers.Dense(10)])
check_shape(working(X_gray), (2, 10), name="declared-input model on (2, 32, 32)")
print("declared input, data", X_gray.shape, "->", tuple(working(X_gray).shape))

# %% [markdown]
# ## Read the traceback
#
# Keras wraps the real message between `Exception encountered when calling ...` and
# `Arguments received by ...`; the line in between is the one to read:
#
# `Input 0 with name 'None' of layer 'conv2d_…' is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (8, 3, 32, 32)`
#
# | part | meaning |
# |---|---|
# | `Input 0 ... of layer 'conv2d'` | the first input of the layer that refused (its name, from `model.summary()` or a trace) |
# | `expected axis -1` | the channel axis: last for `channels_last`, `axis 1` for `channels_first` |
# | `to have value 3` | the input channels the kernel `(kH, kW, in, out)` was built for |
# | `received input with shape (8, 3, 32, 32)` | the whole batch as it arrived; find the 3: here it sits on axis 1 |
#
# Other forms of the same story:
#
# - `expected min_ndim=4, found ndim=3. Full shape received: (8, 28, 28)`: a rank problem; a conv
#   needs `(N, H, W, C)`, so an axis is missing (usually the channels).
# - `Invalid input shape ... Expected shape (None, 28, 28, 3), but input has incompatible shape (8, 28, 28)`:
#   the model's declared `keras.Input` disagrees with the batch; `None` is the batch axis.
# - `expected shape=(None, None, None, 32), found shape=(None, None, None, 16)`: one sub-model's
#   declared input vs the previous block's output; a broken chain.
# - `Dimensions must be equal, but are 3 and 4 for '{{node compile_loss/mse/sub}}' ... with input shapes: [8,32,32,3], [8,32,32,4]`:
#   inside the compiled loss (`mse/sub` is target minus prediction): the first shape is the
#   target, the second the model's output.
#
# The dangerous cases raise nothing, or raise far from the cause. `ck.trace` lists each layer's
# shapes; read down the output column and stop at the first shape that does not make sense. For
# the channels-first batch in a model without a declared input, that is the very first layer: a
# height of 1 and 16 channels where you expected 30×30. With a `MaxPooling2D` next, the error then
# comes from the pooling layer, which did nothing wrong:

# %% kind="readonly" grade_id="trace-nchw"
print(ck.trace(silent_model, (8, 3, 32, 32)))
print()
pooled_after = keras.Sequential([layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
                                 layers.GlobalAveragePooling2D(), layers.Dense(6)])
nchw_trace = ck.trace(pooled_after, (8, 3, 32, 32))
print(nchw_trace)
check_shape(nchw_trace.rows[0].output_shape, (8, 1, 30, 16), name="first conv on channels-first data")
plots.shape_diagram(nchw_trace);

# %% [markdown]
# For the decoder, the trace's last row is what the loss will compare with the target; put the
# target's shape next to it before you train:

# %% kind="readonly" grade_id="trace-decoder"
decoder_trace = ck.trace(make_decoder4(), (None, 8, 8, 8))
print(decoder_trace)
print("target:", (None,) + patches_nhwc.shape[1:], " decoder output:", decoder_trace.output_shape)

# %% [markdown]
# ## Exercise 1 (2 points)
#
# A channel chain broken in the middle of a model. Two blocks were built, and trained, separately:
# `first` outputs some number of channels; `second` was declared with its own `keras.Input` for
# another number. Joined directly, Keras refuses them (section *5*). Write
# `join_blocks(first, second)`: a Keras model that runs `first`, then a 1×1 `Conv2D` (with a bias,
# no activation) that turns `first`'s output channels into the channels `second` was declared
# for, then `second`. Use the two blocks you are given (their weights are the trained ones), not
# new layers of the same shapes, create the 1×1 conv once, when the model is built (never inside
# a `call` method, so that training updates it), and read both channel counts off the blocks: the
# tests join other pairs of blocks, with other channel counts, on images of any height and width.

# %% kind="readonly" grade_id="broken-join-blocks"
def make_blocks(in_channels=3, mid=16, body_in=32, out=64):
    """Two separately declared blocks: first (in_channels -> mid, halves H and W), second (body_in -> out)."""
    first = keras.Sequential([keras.Input((None, None, in_channels)),
                              layers.Conv2D(mid, 3, padding="same", activation="relu"),
                              layers.MaxPooling2D(2)], name="first")
    second = keras.Sequential([keras.Input((None, None, body_in)), layers.Conv2D(out, 3, padding="same")],
                              name="second")
    return first, second


first, second = make_blocks()
print("first outputs", first.output_shape, "  second is declared for", second.input_shape)
with expect_error(ValueError, shapes=[(None, None, None, 32), (None, None, None, 16)]):
    keras.Sequential([first, second])

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell prints the two shapes that disagree, and the error names the same two. Which
# number must the 1×1 convolution output, and does Keras need to be told what it receives? Section
# *5* shows that Keras fills in a conv's input channels by itself inside one model.
#
# </details>

# %% kind="answer" grade_id="ex1-join-blocks"
def join_blocks(first, second):
    """first -> 1x1 Conv2D (first's output channels -> second's input channels) -> second."""
    ### BEGIN SOLUTION
    return keras.Sequential([first, layers.Conv2D(second.input_shape[-1], 1), second])
    ### END SOLUTION


# %% kind="test" grade_id="ex1-join-blocks-test" points=2
def _check_join(in_channels, mid, body_in, out, n, h, w):
    first, second = make_blocks(in_channels, mid, body_in, out)
    what = f"join_blocks(first: {in_channels} -> {mid} channels, second: declared for {body_in} -> {out})"
    joined = ck.build_block(join_blocks, first, second, name=what)
    check_true(isinstance(joined, keras.Model), f"{what} should return a keras.Model, got {type(joined).__name__}")
    ck.check_output_shapes(joined, [((n, h, w, in_channels), (n, h // 2, w // 2, out))], name=what)
    check_equal(ck.count_params(joined), ck.count_params(first) + ck.count_params(second) + mid * body_in + body_in,
                f"parameters of {what}", hint=f"first + second + one 1x1 conv: {mid}*{body_in} weights + {body_in} biases")
    x = np.random.default_rng(n).random((n, h, w, in_channels), dtype=np.float32)
    before = np.asarray(joined(x))
    check_true(np.array_equal(before, np.asarray(joined(x))),
               f"{what}: two calls on the same batch gave different outputs (is a layer created inside call?)")
    bias = second.layers[-1].bias
    bias.assign(bias + 1.0)
    shifted = np.asarray(joined(x))
    bias.assign(bias - 1.0)
    check_true(np.allclose(shifted - before, 1.0, atol=1e-4),
               f"{what}: adding 1 to the bias of second's conv did not add 1 to the output: "
               "the joined model does not run the `second` block it was given")
    kernel = first.layers[0].kernel
    saved = np.asarray(kernel)
    kernel.assign(np.zeros_like(saved))
    zeroed = np.asarray(joined(x))
    kernel.assign(saved)
    check_true(not np.allclose(zeroed, before),
               f"{what}: zeroing the kernel of first's conv did not change the output: "
               "the joined model does not run the `first` block it was given")
    ck.check_uses_its_weights(joined, (2, h, w, in_channels), what)


_check_join(3, 16, 32, 64, 7, 20, 12)
_check_join(1, 8, 12, 5, 1, 9, 15)
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_join(3, 16, 32, 64, 5, 32, 32)
_check_join(4, 6, 2, 3, 7, 11, 6)
_check_join(2, 24, 8, 8, 3, 16, 10)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# Write `build_conv_stack(in_channels, widths)`: a Keras model that takes `(N, H, W, in_channels)`
# batches of **any** height and width, with one block per entry of `widths`, each block a 3×3
# `Conv2D` with `padding="same"`, ReLU and a bias, then a 2×2 `MaxPooling2D`. Block `k` outputs
# `widths[k]` channels, so a batch comes out as `(N, H // 2**len(widths), W // 2**len(widths), widths[-1])`
# (each pooling rounds down). Nothing else: no extra layers (the tests count the parameters). Create
# every layer once, when the model is built (never inside a `call` method), so that training updates it.
#
# The builder below makes every block a small model of its own, declared with the stack's
# `in_channels`. That is right for the first block only: Keras refuses to join the second one.

# %% kind="readonly" grade_id="broken-conv-stack"
def build_conv_stack_broken(in_channels, widths):
    blocks = []
    for width in widths:
        blocks.append(keras.Sequential([
            keras.Input((None, None, in_channels)),  # every block declared for the stack's input
            layers.Conv2D(width, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
        ]))
    return keras.Sequential(blocks)


ck.check_output_shapes(build_conv_stack_broken(3, (16,)), [((8, 32, 32, 3), (8, 16, 16, 16))])
with expect_error(ValueError, shapes=[(None, None, None, 3), (None, None, None, 16)]):
    build_conv_stack_broken(3, (16, 32))

# %% [markdown]
# <details><summary>Hint</summary>
#
# Read the error printed by the broken cell: which declared shape does Keras compare with which
# output? Section *5. A broken out→in chain* shows the model in which Keras fills in every conv's
# input channels by itself. Count the `keras.Input` declarations your stack needs.
#
# </details>

# %% kind="answer" grade_id="ex2-conv-stack"
def build_conv_stack(in_channels, widths):
    """Conv2D(3x3, same, relu) -> MaxPooling2D(2) per width, for (N, H, W, in_channels) of any H, W."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input((None, None, in_channels))])
    for width in widths:
        model.add(layers.Conv2D(width, 3, padding="same", activation="relu"))
        model.add(layers.MaxPooling2D(2))
    return model
    ### END SOLUTION


# %% kind="test" grade_id="ex2-conv-stack-test" points=3
def _stack_params(in_channels, widths):
    total, c = 0, in_channels
    for w in widths:
        total, c = total + 3 * 3 * c * w + w, w
    return total


def _check_stack(in_channels, widths, cases):
    stack = ck.build_block(build_conv_stack, in_channels, widths, name=f"build_conv_stack({in_channels}, {widths})")
    check_true(isinstance(stack, keras.Model), f"build_conv_stack should return a keras.Model, got {type(stack).__name__}")
    ck.check_output_shapes(stack, cases, name=f"build_conv_stack({in_channels}, {widths})")
    check_equal(ck.count_params(stack), _stack_params(in_channels, widths),
                f"parameters of build_conv_stack({in_channels}, {widths})",
                hint="each conv has 3*3*in*out weights + out biases; no other layer has weights")
    ck.check_uses_its_weights(stack, (2,) + tuple(cases[0][0][1:]), f"build_conv_stack({in_channels}, {widths})")


_check_stack(3, (16, 32), [((8, 32, 32, 3), (8, 8, 8, 32)), ((1, 15, 20, 3), (1, 3, 5, 32))])
_check_stack(1, (16, 32), [((8, 28, 28, 1), (8, 7, 7, 32))])
_check_stack(2, (6,), [((5, 9, 9, 2), (5, 4, 4, 6))])
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_stack(3, (16, 32), [((7, 24, 40, 3), (7, 6, 10, 32)), ((5, 32, 32, 3), (5, 8, 8, 32))])
_check_stack(5, (4, 8, 12), [((7, 15, 20, 5), (7, 1, 2, 12)), ((1, 32, 32, 5), (1, 4, 4, 12))])
_check_stack(2, (6,), [((5, 9, 9, 2), (5, 4, 4, 6)), ((1, 2, 2, 2), (1, 1, 1, 6))])
_check_stack(1, (8, 8, 16, 4), [((7, 28, 28, 1), (7, 1, 1, 4))])
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (2 points)
#
# An autoencoder for colour patches needs a decoder whose output matches its target exactly.
# Write `build_decoder(latent_channels, out_channels)`: a Keras model that maps latent codes
# `(N, h, w, latent_channels)` of **any** `h` and `w` to `(N, 2*h, 2*w, out_channels)` with values
# in `[0, 1]` (the range of the pixels it reconstructs). Any architecture is fine (a transposed
# conv, or upsampling followed by a conv, ...) as long as the shape and range are right for every
# channel count, and every layer is created once, when the model is built (never inside a `call`
# method), so that training updates it.
#
# The decoder below was copied from an RGBA project and always emits 4 channels.

# %% kind="readonly" grade_id="broken-decoder"
def build_decoder_broken(latent_channels, out_channels):
    return keras.Sequential([
        keras.Input((None, None, latent_channels)),
        layers.Conv2DTranspose(16, 2, strides=2, activation="relu"),
        layers.Conv2D(4, 3, padding="same", activation="sigmoid"),  # 4 channels: RGBA
    ])


latents = np.random.default_rng(1).normal(size=(8, 16, 16, 6)).astype("float32")
broken_recon = build_decoder_broken(6, 3)(latents)
check_shape(broken_recon, (8, 32, 32, 4), name="broken decoder output")
with expect_error(tf.errors.InvalidArgumentError, shapes=[(8, 32, 32, 3), (8, 32, 32, 4)]):
    keras.losses.MeanSquaredError()(patches_nhwc, broken_recon)

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell's error compares `[8,32,32,3]` with `[8,32,32,4]`. Which argument of
# `build_decoder_broken` never reaches a layer? Section *6* shows what the last layer's channel count
# must equal, and the activation of that layer decides the range of the values.
#
# </details>

# %% kind="answer" grade_id="ex3-decoder-channels"
def build_decoder(latent_channels, out_channels):
    """(N, h, w, latent_channels) -> (N, 2h, 2w, out_channels), values in [0, 1]."""
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((None, None, latent_channels)),
        layers.Conv2DTranspose(16, 2, strides=2, activation="relu"),
        layers.Conv2D(out_channels, 3, padding="same", activation="sigmoid"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex3-decoder-channels-test" points=2
def _check_decoder(latent_channels, out_channels, n, h, w):
    name = f"build_decoder({latent_channels}, {out_channels})"
    dec = ck.build_block(build_decoder, latent_channels, out_channels, name=name)
    check_true(isinstance(dec, keras.Model), f"{name} should return a keras.Model, got {type(dec).__name__}")
    ck.check_output_shapes(dec, [((n, h, w, latent_channels), (n, 2 * h, 2 * w, out_channels))], name=name)
    ck.check_uses_its_weights(dec, (2, h, w, latent_channels), name)
    codes_in = np.random.default_rng(n).normal(size=(n, h, w, latent_channels)).astype("float32") * 3
    recon = np.asarray(dec(codes_in, training=False))
    check_true(recon.min() >= 0.0 and recon.max() <= 1.0,
               f"{name}: outputs must lie in [0, 1], got [{recon.min():.3f}, {recon.max():.3f}]")
    target = np.random.default_rng(0).random((n, 2 * h, 2 * w, out_channels), dtype=np.float32)
    check_shape(recon, target.shape, name=f"{name}: reconstruction vs target")
    bce = keras.losses.BinaryCrossentropy()(target, recon)  # refuses any shape difference
    check_shape(bce, (), name=f"{name}: binary cross-entropy against the target")


_check_decoder(8, 3, 8, 16, 16)
_check_decoder(8, 3, 1, 16, 16)
_check_decoder(12, 1, 7, 7, 5)
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_decoder(8, 3, 7, 16, 16)
_check_decoder(12, 1, 7, 7, 5)
_check_decoder(4, 4, 5, 8, 8)
_check_decoder(6, 5, 1, 3, 3)
_check_decoder(3, 2, 5, 11, 6)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 (3 points)
#
# A many-channel input. Section *7*'s feature maps have 912 channels, and a 3×3 `Conv2D(64)` put
# directly on them needs 3·3·912·64 + 64 = 525,376 parameters. The usual remedy is to reduce the
# channels first with a 1×1 convolution, which mixes the channels of each position and nothing
# else. Write `build_reducer(in_channels, mid_channels, out_channels)`: a Keras model for
# `(N, H, W, in_channels)` inputs of **any** height and width that applies a 1×1 `Conv2D` to
# `mid_channels` with ReLU, then a 3×3 `Conv2D` to `out_channels` with `padding="same"` and
# ReLU (both with biases, nothing else, each created once when the model is built, never inside a
# `call` method, so that training updates it). It returns `(N, H, W, out_channels)` and has
# `in_channels*mid_channels + mid_channels + 9*mid_channels*out_channels + out_channels` parameters.
#
# The reducer below was written for the 912-channel maps only.

# %% kind="readonly" grade_id="broken-reducer"
def build_reducer_broken(in_channels, mid_channels, out_channels):
    return keras.Sequential([
        keras.Input((None, None, 912)),  # the channel count of one backbone
        layers.Conv2D(mid_channels, 1, activation="relu"),
        layers.Conv2D(out_channels, 3, padding="same", activation="relu"),
    ])


direct = keras.Sequential([keras.Input((None, None, 912)), layers.Conv2D(64, 3, padding="same")])
print(f"3x3 conv on 912 channels: {ck.count_params(direct):,} parameters;",
      f"1x1 to 32, then 3x3: {ck.count_params(build_reducer_broken(912, 32, 64)):,}")
check_equal(ck.count_params(direct), 9 * 912 * 64 + 64, "parameters of the direct 3x3 conv")
with expect_error(ValueError, shapes=[(2, 8, 8, 256)], contains=["to have value 912"]):
    build_reducer_broken(256, 32, 64).predict(np.zeros((2, 8, 8, 256), dtype="float32"), verbose=0)

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell's error compares the declared input with the batch: which of the two numbers
# should come from an argument? Write the parameter count of each conv as
# `kernel height * kernel width * in * out + out` and check that yours adds up to the formula.
#
# </details>

# %% kind="answer" grade_id="ex4-channel-reducer"
def build_reducer(in_channels, mid_channels, out_channels):
    """(N, H, W, in_channels) -> 1x1 conv to mid_channels, ReLU -> 3x3 'same' conv to out_channels, ReLU."""
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((None, None, in_channels)),
        layers.Conv2D(mid_channels, 1, activation="relu"),
        layers.Conv2D(out_channels, 3, padding="same", activation="relu"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex4-channel-reducer-test" points=3
def _check_reducer(in_channels, mid, out, sizes):
    what = f"build_reducer({in_channels}, {mid}, {out})"
    reducer = ck.build_block(build_reducer, in_channels, mid, out, name=what)
    check_true(isinstance(reducer, keras.Model), f"{what} should return a keras.Model, got {type(reducer).__name__}")
    ck.check_output_shapes(reducer, [((n, h, w, in_channels), (n, h, w, out)) for n, h, w in sizes], name=what)
    check_equal(ck.count_params(reducer), in_channels * mid + mid + 9 * mid * out + out, f"parameters of {what}",
                hint=f"1x1 conv: {in_channels}*{mid} + {mid}; 3x3 conv: 9*{mid}*{out} + {out}; no other weights")
    n, h, w = sizes[0]
    x = np.random.default_rng(n).normal(size=(n, h, w, in_channels)).astype("float32")
    y = np.asarray(reducer(x))
    check_true(np.array_equal(y, np.asarray(reducer(x))),
               f"{what}: two calls on the same batch gave different outputs (is a layer created inside call?)")
    check_true(y.min() >= 0.0, f"{what}: the output ends with a ReLU, so no value is below 0; got {y.min():.3f}")
    ck.check_uses_its_weights(reducer, (2, h, w, in_channels), what)


_check_reducer(912, 32, 64, [(2, 8, 8), (1, 7, 5)])
_check_reducer(256, 16, 8, [(3, 9, 4)])
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_reducer(912, 32, 64, [(7, 16, 16), (5, 3, 3)])
_check_reducer(5, 2, 3, [(7, 11, 6), (1, 1, 1)])
_check_reducer(64, 64, 4, [(1, 12, 20)])
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your fixes, together. The colour patches come channels-last, `(N, 24, 24, 3)`; `build_conv_stack`
# gives the first block, `body` below was declared for 32 channels, and `join_blocks` bridges the
# two; the body ends by naming the photograph each 24×24 patch was cut from. Training and test
# patches are cut from different parts of every photo (`split="train"` / `"test"`), so the held-out
# accuracy is measured on pixels the model never saw. Six photos: chance is 1/6 ≈ 0.17.

# %%
X_train, y_train = data.color_patches(n=1200, size=24, split="train", layout="nhwc")
X_test, y_test = data.color_patches(n=600, size=24, split="test", layout="nhwc")

ck.seed(0)
body = keras.Sequential([keras.Input((None, None, 32)), layers.Conv2D(32, 3, padding="same", activation="relu"),
                         layers.MaxPooling2D(2), layers.GlobalAveragePooling2D(),
                         layers.Dense(len(data.COLOR_IMAGES))], name="body")
patch_model = join_blocks(build_conv_stack(3, (16,)), body)
print(ck.trace(patch_model, (None, 24, 24, 3)))
result = ck.train(patch_model, X_train, y_train, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  steps=200, batch_size=64, lr=5e-3)
test_accuracy = float((ck.predict(patch_model, X_test).argmax(axis=1) == y_test).mean())
print(f"held-out accuracy: {test_accuracy:.2f} (chance: {1 / 6:.2f})")

# %% kind="test" grade_id="train-patch-classifier-test" points=2
needs("result", "test_accuracy", cell="the training cell above")
check_loss_fell(result.losses)
check_at_least(test_accuracy, 0.45, "held-out accuracy on patches from unseen parts of the photos",
               hint="chance is 0.17; check the channel layout of X_train and the model's output shape")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each shape before you run anything, then fill in `my_predictions` and run the test
# below it, which builds each layer and compares.
#
# 1. `np.transpose(x, (0, 2, 3, 1))` for `x` of shape `(5, 3, 20, 12)`.
# 2. `keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(8, 3)])` on digits of shape
#    `(4, 28, 28)`.
# 3. A `layers.Conv2D(16, 3)` in a model **without** `keras.Input`, first called on a channels-first
#    batch `(2, 3, 32, 32)`.
# 4. `layers.GlobalAveragePooling2D()` on a feature map `(2, 7, 5, 912)`.
# 5. A 1×1 `layers.Conv2D(4, 1)` on `(3, 9, 11, 912)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question, e.g. {1: (5, 3, 20, 12), 2: ...}."""
    ### BEGIN SOLUTION
    return {1: (5, 20, 12, 3), 2: (4, 26, 26, 8), 3: (2, 1, 30, 16), 4: (2, 912), 5: (3, 9, 11, 4)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
_gray = keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(8, 3)])
_unbuilt = keras.Sequential([layers.Conv2D(16, 3)])
check_predictions(my_predictions(), {
    1: ("np.transpose(x, (0, 2, 3, 1)), x of (5, 3, 20, 12)", np.transpose(np.zeros((5, 3, 20, 12)), (0, 2, 3, 1))),
    2: ("Input((None, None, 1)) + Conv2D(8, 3) on (4, 28, 28)", _gray(np.zeros((4, 28, 28), dtype="float32"))),
    3: ("Conv2D(16, 3), no Input, on (2, 3, 32, 32)", _unbuilt(np.zeros((2, 3, 32, 32), dtype="float32"))),
    4: ("GlobalAveragePooling2D() on (2, 7, 5, 912)", layers.GlobalAveragePooling2D()(np.zeros((2, 7, 5, 912), "float32"))),
    5: ("Conv2D(4, 1) on (3, 9, 11, 912)", layers.Conv2D(4, 1)(np.zeros((3, 9, 11, 912), dtype="float32"))),
})


# %% [markdown]
# ## Summary
#
# - Keras reads channels from the **last** axis, `(N, H, W, C)`, unless a layer says
#   `data_format="channels_first"`, which a channels-first `Conv2D` can run only on a GPU or with
#   TensorFlow's oneDNN CPU kernels on. Channels-last data runs everywhere.
# - A missing channel axis raises `expected min_ndim=4` at a bare layer or an unbuilt model; a
#   model with a declared `keras.Input((H, W, 1))` adds the axis silently (and only for 1 channel).
# - A channels-first batch is rejected by a declared input, but an unbuilt model builds itself
#   around it and runs: always declare the input, and `ck.trace` the first layer's output.
# - Channels-first → channels-last is `np.transpose(x, (0, 2, 3, 1))`; `reshape` gives the right
#   shape and scrambled pixels.
# - Keras infers each layer's input channels, so a chain breaks only between separately declared
#   blocks, and Keras reports it while assembling the model.
# - A decoder's wrong channel count surfaces in the loss: an error for 4 vs 3, **nothing at all**
#   for 4 vs 1 (silent broadcasting). Match the target's channels exactly.
# - `Flatten` keeps every value (no "lost channel dimension"); for many-channel feature maps,
#   global pooling + `Dense` keeps the head small and independent of the image size.
# - A 1×1 `Conv2D` changes the channel count and nothing else: it joins blocks whose channels
#   disagree, and in front of a 3×3 conv it cuts the cost of a many-channel input.
