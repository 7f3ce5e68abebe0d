# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 · The missing Flatten (Keras)
#
# A convolutional body hands on a feature map of shape `(N, H, W, C)`: for every image, an
# `H x W` grid with `C` numbers per position. A classifier head wants one row of class scores per
# image, `(N, n_classes)`. In between, each image's grid must become one vector (`Flatten`, giving
# `H * W * C` features) or be summarised per channel (global pooling, giving `C`). Many older
# answers say that forgetting this step makes Keras raise a `ValueError` at the `Dense` layer.
# Under Keras 3 it does not: `Dense` quietly works on the **last axis** of a tensor of any rank.
# This notebook shows what you get instead, where the error finally surfaces, and how to build
# heads that are right for every batch size and every image size.

# %% [markdown]
# ## Learning goals
#
# - Show that `Dense` after a conv layer, without `Flatten`, builds and runs, and prove the wrong
#   output shape `(N, H, W, n_classes)` it produces.
# - Find where the error really appears (the loss in `fit`), read its shapes, and recognise the
#   case where the loss broadcasts and no error appears at all.
# - Read `expected axis -1 of input shape to have value A, but received input with shape (N, B)`
#   and the other messages of a wrong flattened size; compute that size by arithmetic or by
#   asking Keras.
# - Build a head that works for any image size with global average pooling, and compare its
#   parameter count with a flattening head.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import numbers
import re

from course import keras as ck  # first: sets the Keras backend and quiets TensorFlow's logs

import keras
import numpy as np
from keras import layers

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error)
from course import data, needs, plots

ck.seed(0)
print(ck.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# All models here share one convolutional body. Its first convolution has no padding (a 5x5
# kernel eats 2 pixels on each side), its second keeps the size (`padding="same"`), and each is
# followed by a 2x2 max pooling (size halved, rounded down). `conv_body()` returns fresh layers
# each time, so every model gets its own weights. The data are real handwritten digits, 28x28,
# one channel, channels last:

# %% kind="readonly" grade_id="body-and-data"
def conv_body():
    """Fresh layers of the convolutional body: (N, H, W, C) -> (N, H', W', 16)."""
    return [
        layers.Conv2D(8, 5, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
    ]


X_train, y_train = data.digits("train", layout="nhwc")
X_test, y_test = data.digits("test", layout="nhwc")
print(data.digits_source(), "| train", X_train.shape, "| test", X_test.shape)
images, labels = X_train[:8], y_train[:8]       # (8, 28, 28, 1) and (8,)

# %% [markdown]
# **No error at the layer.** Here is the classic mistake: a `Dense` straight after the body. A
# common claim is that calling this model raises a `ValueError` because `Dense` "expects a 1-D
# array". Under Keras 3.15 it builds and runs. `Dense` multiplies the last axis (16 channels) by
# its `(16, 10)` kernel at every one of the 6x6 positions, so each digit gets 36 rows of scores:

# %% kind="readonly" grade_id="repro-no-error"
def build_broken(in_channels=1, size=28, n_classes=10):
    return keras.Sequential([keras.Input((size, size, in_channels)), *conv_body(),
                             layers.Dense(n_classes, activation="softmax")])


broken = build_broken()
probs = broken(images)                           # no error
check_shape(probs, (8, 6, 6, 10), name="output of the model without Flatten")  # proves the silent shape
check_shape(broken.predict(images, verbose=0), (8, 6, 6, 10), name="predict without Flatten")
check_shape(broken.layers[-1].kernel, (16, 10), name="the Dense kernel")
_, h, w, _ = probs.shape
print("Dense kernel:", tuple(broken.layers[-1].kernel.shape))
print("output:", tuple(probs.shape), f"- a {h}x{w} grid, {h * w} rows of class scores per digit, not one row")
ck.trace(broken, (None, 28, 28, 1))

# %% [markdown]
# `predict` is just as happy (checked above), and `compile` raises nothing either (next cell).
# The first place where the shape matters is where the output meets the labels: the loss.
# With integer labels and `sparse_categorical_crossentropy`, `fit` stops at its first step:

# %% kind="readonly" grade_id="repro-error-in-fit"
broken = build_broken()
broken.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
with expect_error(ValueError, shapes=[(6, 6, 10)]) as in_fit:
    broken.fit(X_train[:256], y_train[:256], batch_size=64, epochs=1, verbose=0)

# %% [markdown]
# One-hot labels with `categorical_crossentropy` fail the same way, with a slightly different
# sentence (target `(N, 10)` against output `(N, 6, 6, 10)`):

# %% kind="readonly" grade_id="repro-error-one-hot"
broken = build_broken()
broken.compile(optimizer="adam", loss="categorical_crossentropy")
one_hot = keras.utils.to_categorical(y_train[:256], 10)
with expect_error(ValueError, shapes=[(64, 10), (64, 6, 6, 10)], contains=["same rank"]):
    broken.fit(X_train[:256], one_hot, batch_size=64, epochs=1, verbose=0)

# %% [markdown]
# **When the loss does not catch it either.** Mean squared error makes no rank check; it subtracts
# and lets NumPy-style broadcasting line the shapes up from the right. A one-hot target `(N, 10)`
# against the output `(N, 6, 6, 10)` lines up with the output's *last two* axes, `(6, 10)`. For a
# batch of 7 that fails (`7` against `6`); for a batch of 1, or of exactly 6, it broadcasts, and a
# training step runs and returns a loss, comparing each label with the wrong scores:

# %% kind="readonly" grade_id="repro-mse-broadcast"
broken = build_broken()
broken.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(7, 10), (7, 6, 6, 10)], contains=["are 7 and 6"]):
    broken.train_on_batch(images[:7], one_hot[:7])

for n in (1, 6):
    fresh = build_broken()                        # (a model whose first step failed cannot be reused)
    fresh.compile(optimizer="adam", loss="mse")
    loss = fresh.train_on_batch(images[:n], one_hot[:n])
    check_true(np.isfinite(loss), "the step should run")       # proves that nothing was raised
    print(f"batch of {n}: trained without any error, loss {loss:.4f}")

# %% [markdown]
# **A flattened size written by hand.** `Flatten` computes its output size itself. Writing it by
# hand, as `Reshape((n,))`, fails when the arithmetic is off. This author assumed "two poolings
# divide 28 by 4", which forgets the 4 pixels the unpadded 5x5 convolution removes:

# %% kind="readonly" grade_id="repro-hand-reshape"
def build_broken_reshape(in_channels, height, width, n_classes):
    return keras.Sequential([keras.Input((height, width, in_channels)), *conv_body(),
                             layers.Reshape((height // 4 * width // 4 * 16,)),
                             layers.Dense(n_classes, activation="softmax")])


with expect_error(ValueError, shapes=[(6, 6, 16), (784,)]) as in_reshape:
    build_broken_reshape(1, 28, 28, 10)

# %% [markdown]
# **Built for one image size.** With `Flatten` the model is right, for 28x28. Its `Dense` kernel
# was created for the 576 features of a 28x28 digit. Feed it 32x32 images and 784 features arrive:

# %% kind="readonly" grade_id="repro-other-size"
made_for_28 = keras.Sequential([keras.Input((28, 28, 1)), *conv_body(), layers.Flatten(),
                                layers.Dense(10, activation="softmax")])
print("28x28 batch:", tuple(made_for_28(images).shape))

bigger = np.zeros((7, 32, 32, 1), dtype="float32")
with expect_error(ValueError, shapes=[576, (7, 784)]) as other_size:
    made_for_28(bigger)

# %% [markdown]
# **"Any size" and `Flatten` do not mix.** Declaring the input as `(None, None, 1)` (any height
# and width) leaves the flattened size unknown, and `Dense` cannot create a kernel with an unknown
# number of rows. This one fails while the model is being built:

# %% kind="readonly" grade_id="repro-unknown-size"
with expect_error(ValueError, shapes=[(None, 10)]) as unknown_size:
    keras.Sequential([keras.Input((None, None, 1)), *conv_body(), layers.Flatten(),
                      layers.Dense(10, activation="softmax")])

# %% [markdown]
# ## Read the traceback
#
# **In the loss.** `Argument output must have rank (ndim) target.ndim - 1. Received:
# target.shape=(64,), output.shape=(64, 6, 6, 10)`:
#
# - `target` is your labels, `output` is the model's prediction; the first number of each is the
#   batch (64 here, the `batch_size` given to `fit`).
# - Sparse cross-entropy wants the output to have **one more axis than the labels**: `(N,)` labels,
#   `(N, n_classes)` scores. Here it has three more.
# - The `6, 6` in the middle is the height and width of the body's last feature map: `Dense`
#   produced 10 scores at each of the 36 positions. A grid of classes in the output means a
#   `Flatten` (or a pooling) is missing before the `Dense`.
#
# **At the `Dense`.** `Input 0 ... of layer '<the Dense's name>' is incompatible with the layer:
# expected axis -1 of input shape to have value 576, but received input with shape (7, 784)`:
#
# - `576` is the number of rows of the `Dense` kernel, fixed when the layer was built (for 28x28);
# - `(7, 784)` is what arrives now: a batch of 7, each with 784 flattened features (`7 * 7 * 16`
#   for 32x32 images). The layer is fine; the input size changed under it.
#
# **At a hand-written `Reshape`.** `input_shape=(6, 6, 16), target_shape=(784,)`: the left tuple
# is one sample as it really arrives (without the batch axis), the right one what the code asked
# for. `6 * 6 * 16 = 576`, not 784.
#
# The numbers, read off the messages caught above:

# %% kind="readonly" grade_id="read-numbers"
def shapes_in(message):
    """Every tuple of sizes written in parentheses in an error message, e.g. (64, 6, 6, 10)."""
    groups = re.findall(r"\(((?:\s*(?:\d+|None)\s*,?)+)\)", message)
    return [tuple(None if t == "None" else int(t) for t in re.findall(r"None|\d+", g)) for g in groups]


target, output = shapes_in(in_fit.message)[:2]
print(f"loss:    labels {target}, output {output}: rank {len(output)}, wanted {len(target) + 1};"
      f" {output[1:-1]} is the feature-map grid")
arrives, wanted = shapes_in(in_reshape.message)[:2]
print(f"Reshape: one sample arrives as {arrives} = {int(np.prod(arrives))} numbers; the code asked for {wanted}")
dense_line = next(line for line in other_size.message.splitlines() if "received input" in line)
kernel_rows = int(re.search(r"value (\d+)", dense_line).group(1))
batch, arriving = shapes_in(dense_line)[0]
print(f"Dense:   kernel built for {kernel_rows} features; a batch of {batch} arrives with {arriving} each")

# %% [markdown]
# What `Flatten` does to one digit, next to the shapes in those messages. The body hands on a
# 6x6 map with 16 channels per digit; `Flatten` walks the pixels in order and takes all 16
# channels of each pixel before moving to the next, so in the vector of 576 the channels take
# turns, one number each. Without it the output keeps the 6x6 grid (the loss message's
# `(64, 6, 6, 10)`); with it, 576 numbers per digit reach the `Dense`, which is what its kernel
# was built for:

# %% kind="readonly" grade_id="figure-flatten"
feature_map = keras.Sequential([keras.Input((28, 28, 1)), *conv_body()])(images)      # (8, 6, 6, 16)
flat = layers.Flatten()(feature_map)                                                  # (8, 576)
_, H, W, C = feature_map.shape
channel_of = np.broadcast_to(np.arange(C, dtype="float32"), (1, H, W, C))   # each value: its channel
order = np.asarray(layers.Flatten()(channel_of))[0]
check_equal(order.tolist(), list(range(C)) * (H * W), "channel of each flattened position")
check_equal(tuple(flat.shape), (len(images), kernel_rows), "Flatten output: (batch, the Dense kernel's rows)")
plots.flatten_diagram(tuple(feature_map.shape[1:]), order, channels_axis=-1, notes=[
    ("loss message: labels (target)", target),
    ("loss message: output, no Flatten", output),
    ("Flatten output for 8 digits", tuple(flat.shape)),
    ("Dense message: kernel rows", kernel_rows),
    ("Dense message: arrives at 32x32", (batch, arriving))]);

# %% [markdown]
# A per-layer trace finds the first layer that goes wrong. `ck.trace` pushes a symbolic tensor of
# the given shape (no data) through a `Sequential` model layer by layer and stops at the first
# layer that refuses it. The model built for 28x28, traced at 32x32: the `Flatten` row shows the 784.

# %% kind="readonly" grade_id="trace-other-size"
ck.trace(made_for_28, (None, 32, 32, 1))

# %% [markdown]
# And an "any size" model with `Flatten`: every spatial size is `None`, so the `Flatten` output is
# `(None, None)` and the `Dense` cannot be built.

# %% kind="readonly" grade_id="trace-unknown-size"
ck.trace(keras.Sequential([*conv_body(), layers.Flatten(), layers.Dense(10)]), (None, None, None, 1))

# %% [markdown]
# **Predicting the flattened size.** Each convolution or pooling changes a spatial size by
# `out = (in + 2 * padding - kernel) // stride + 1` for `padding="valid"` (padding 0) and
# `out = ceil(in / stride)` for `padding="same"`; pooling uses `stride = pool size` unless told
# otherwise. `Flatten` then gives `H' * W' * C`. Another older claim says `Flatten` "loses the
# channel information" and hands `Dense` a 1-D array: it does not; it keeps the batch axis and
# multiplies height, width *and* channels:

# %% kind="readonly" grade_id="conv-arithmetic"
def conv_out(size, kernel, stride=1, padding=0):
    """Output length of one spatial axis of a 'valid' convolution or pooling layer."""
    return (size + 2 * padding - kernel) // stride + 1


for size in (28, 32, 36):
    s = conv_out(size, 5)                 # Conv2D(5), valid: loses 4
    s = conv_out(s, 2, stride=2)          # MaxPooling2D(2): halves, rounding down
    # Conv2D(3, padding="same") keeps the size
    s = conv_out(s, 2, stride=2)          # MaxPooling2D(2)
    flat = keras.Sequential([keras.Input((size, size, 1)), *conv_body(), layers.Flatten()])
    print(f"{size}x{size}: predicted {s} x {s} x 16 = {s * s * 16:>4}   Flatten gives {flat.output_shape}")

# %% [markdown]
# ## Exercise 1 (3 points)
#
# Repair `build_broken` (in the first reproduce cell). Write `build_classifier(in_channels, size,
# n_classes)` that returns a Keras model mapping a batch `(N, size, size, in_channels)` to class
# probabilities `(N, n_classes)` (keep the softmax: the rows must sum to 1):
#
# - the body is `conv_body()`;
# - then each image's feature map becomes one vector;
# - then **one** `Dense` over *all* those features.
#
# The tests try batches of 1, 7 and 40 (the last, partial batch of the 1,000 test digits at batch
# size 64), other image sizes, channel and class counts, and check the parameter count: the body
# has 1,376 parameters for one input channel, and one `Dense` from 576 features to 10 classes
# adds `576 * 10 + 10`. Create every layer once, when the model is built (never inside a `call`
# method), so that the model computes with its own weights, the ones training updates. The digit
# classifier you build here is trained at the end of the notebook.

# %% kind="readonly" grade_id="ex1-numbers"
def dense_params(n_features, n_classes):
    layer = layers.Dense(n_classes)
    layer.build((None, n_features))
    return ck.count_params(layer)


body_params = ck.count_params(keras.Sequential([keras.Input((28, 28, 1)), *conv_body()]))
print(f"conv_body() for one input channel: {body_params:,} parameters;"
      f" Dense(576 -> 10): {dense_params(576, 10):,} = 576 * 10 + 10")
print(f"{len(X_test):,} test digits in batches of 64: the last batch has {len(X_test) % 64}")
check_equal(body_params, 1376, "parameters of conv_body() for one input channel")
check_equal(len(X_test) % 64, 40, "size of the last, partial test batch")

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read **Reproduce the error**: the trace under `repro-no-error` shows what reaches the `Dense`
# when the step between body and head is missing, and `repro-other-size` builds a model that has
# it. A failing test names the image size, channel count and class count it tried.
#
# </details>

# %% kind="answer" grade_id="ex1-add-flatten"
def build_classifier(in_channels, size, n_classes):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((size, size, in_channels)),
        *conv_body(),
        layers.Flatten(),                  # (N, s, s, 16) -> (N, s * s * 16)
        layers.Dense(n_classes, activation="softmax"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex1-add-flatten-test" points=3
def _body_params(in_channels, height, width):
    return ck.count_params(keras.Sequential([keras.Input((height, width, in_channels)), *conv_body()]))


def _check_classifier(in_channels, size, n_classes, n_features, batches=(1, 7, 40)):
    what = f"build_classifier({in_channels}, {size}, {n_classes})"
    model = ck.build_block(build_classifier, in_channels, size, n_classes, name=what)
    ck.check_output_shapes(model, [((n, size, size, in_channels), (n, n_classes)) for n in batches],
                           name=f"{what} output")
    ck.check_uses_its_weights(model, (2, size, size, in_channels), what)
    sums = np.asarray(model(np.random.default_rng(0).random((3, size, size, in_channels), dtype="float32"))).sum(-1)
    check_true(np.allclose(sums, 1.0, atol=1e-4),
               f"{what}: each row of the output should be class probabilities summing to 1, got sums {sums}")
    expected = _body_params(in_channels, size, size) + n_features * n_classes + n_classes
    check_equal(ck.count_params(model), expected, f"number of parameters of {what}",
                hint=f"the body plus one Dense from all {n_features} flattened features to {n_classes} classes")


_check_classifier(1, 28, 10, n_features=576, batches=(1, 7))
_check_classifier(3, 33, 5, n_features=784, batches=(1, 7))       # an odd size, 3 channels, 5 classes
print("visible tests passed")
### BEGIN HIDDEN TESTS
def _n_features(size):
    side = ((size - 4) // 2) // 2
    return side * side * 16


_check_classifier(1, 28, 10, _n_features(28), batches=(40, 64))
for _c, _size, _n, _batches in [(1, 32, 10, (1, 7, 40)), (3, 36, 5, (1, 7, 40)), (2, 29, 10, (1, 7, 40)),
                                (1, 20, 3, (7, 1))]:
    _check_classifier(_c, _size, _n, _n_features(_size), batches=_batches)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# `Flatten` computes its size itself, but you still need the number whenever you write a
# `Reshape`, size a `Dense` head by hand, or estimate a model's parameter count. Arithmetic works
# for a body you know layer by layer. For any body there is a simpler way: **ask Keras**. Push a
# symbolic input (`keras.Input(...)` or `keras.KerasTensor(...)`) or one dummy image through fresh
# layers and read the shape that comes out.
#
# Write `flat_size(make_body, in_channels, height, width)` that returns, as an `int`, how many
# numbers *one* image of shape `(height, width, in_channels)` becomes after the layers returned by
# `make_body()` and a `Flatten`. `make_body` is a function like `conv_body` or `strided_body` below;
# call it to get fresh layers. The tests use other bodies too, and images that are not square.
#
# `build_reshape_classifier` below is `build_broken_reshape` with your number in the `Reshape`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The `conv-arithmetic` cell builds a model just to read `Flatten`'s output shape; this exercise
# asks for the same number without the arithmetic. Mind that every shape you read has a batch axis
# in front (`None`, or your dummy batch size), and that the result must be a plain `int`.
#
# </details>

# %% kind="readonly" grade_id="strided-body"
def strided_body():
    """Another body: strided convolutions, 'same' and 'valid' padding, a 3x3 pooling."""
    return [
        layers.Conv2D(12, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(24, 3, strides=2, activation="relu"),
        layers.MaxPooling2D(3),
    ]


def build_reshape_classifier(make_body, in_channels, height, width, n_classes):
    return keras.Sequential([keras.Input((height, width, in_channels)), *make_body(),
                             layers.Reshape((int(flat_size(make_body, in_channels, height, width)),)),
                             layers.Dense(n_classes, activation="softmax")])


# %% kind="answer" grade_id="ex2-flat-size"
def flat_size(make_body, in_channels, height, width):
    ### BEGIN SOLUTION
    x = keras.KerasTensor((None, height, width, in_channels))
    for layer in make_body():
        x = layer(x)
    return int(np.prod(x.shape[1:]))
    ### END SOLUTION


# %% kind="test" grade_id="ex2-flat-size-test" points=3
def _check_flat(make_body, in_channels, height, width, expected, n_classes=10, batches=(7,)):
    what = f"flat_size({make_body.__name__}, {in_channels}, {height}, {width})"
    got = flat_size(make_body, in_channels, height, width)
    check_true(isinstance(got, numbers.Integral), f"{what} must return an int, got {type(got).__name__}")
    check_equal(int(got), expected, what)
    model = ck.build_block(build_reshape_classifier, make_body, in_channels, height, width, n_classes,
                           name=f"the Reshape classifier on {make_body.__name__} at {height}x{width}")
    ck.check_output_shapes(model, [((n, height, width, in_channels), (n, n_classes)) for n in batches],
                           name=f"Reshape classifier on {make_body.__name__} at {height}x{width}")


_check_flat(conv_body, 1, 28, 28, expected=576)
_check_flat(strided_body, 3, 40, 40, expected=216)
_check_flat(conv_body, 1, 29, 41, expected=864)                    # not square: 6 * 9 * 16
print("visible tests passed")
### BEGIN HIDDEN TESTS
def _check_flat_real(make_body, in_channels, height, width, **kwargs):
    out = keras.Sequential([keras.Input((height, width, in_channels)), *make_body(), layers.Flatten()])
    _check_flat(make_body, in_channels, height, width, int(out.output_shape[-1]), **kwargs)


_check_flat_real(conv_body, 1, 32, 32, batches=(1, 40))
_check_flat_real(conv_body, 3, 29, 41, n_classes=5)
_check_flat_real(strided_body, 1, 64, 48, batches=(1, 7))
_check_flat_real(strided_body, 2, 33, 57)


def _bn_body():
    return [layers.Conv2D(6, 3, padding="same"), layers.BatchNormalization(), layers.ReLU(),
            layers.MaxPooling2D(2, strides=1), layers.Conv2D(5, (3, 5), strides=(1, 2))]


def _pool_first_body():
    return [layers.AveragePooling2D(2), layers.Conv2D(9, 1, activation="relu"), layers.Flatten()]


_check_flat_real(_bn_body, 3, 20, 31, batches=(1, 7))
_check_flat_real(_pool_first_body, 4, 18, 12)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# A `Flatten` head needs one input size. **Global average pooling** removes the size from the
# head altogether: `GlobalAveragePooling2D` averages each channel's map to a single number,
# whatever its height and width, so `(N, H', W', 16)` becomes `(N, 16)`. The `Dense` then always
# sees 16 features, and has far fewer weights (`16 * 10 + 10 = 170` instead of `5,770` at
# 28x28). The price: the head no longer knows *where* in the image a feature was found.

# %% kind="readonly" grade_id="global-pooling-demo"
for grid in (6, 7):
    pooled = layers.GlobalAveragePooling2D()(np.zeros((8, grid, grid, 16), "float32"))
    check_shape(pooled, (8, 16), name=f"GlobalAveragePooling2D on (8, {grid}, {grid}, 16)")
    print(f"GlobalAveragePooling2D: (8, {grid}, {grid}, 16) -> {tuple(pooled.shape)}")
print(f"Dense(16 -> 10): {dense_params(16, 10)} parameters; Dense(576 -> 10): {dense_params(576, 10):,}")

# %% [markdown]
# Write `build_pooled_classifier(in_channels, n_classes)`: **one** model that takes
# `(N, H, W, in_channels)` for any `H, W` from 12 up (declare the input as `(None, None,
# in_channels)`) and returns class probabilities `(N, n_classes)`. Use `conv_body()` as the body;
# the head may have at most `16 * n_classes + n_classes` parameters, and every layer is created
# once, when the model is built (never inside a `call` method), so that training updates it. The
# tests call the *same* model with several image sizes, one after the other.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read `repro-unknown-size` and the `trace-unknown-size` table: which layer cannot work with an
# unknown height and width? The `global-pooling-demo` cell shows a layer whose output does not
# depend on them.
#
# </details>

# %% kind="answer" grade_id="ex3-global-pooling"
def build_pooled_classifier(in_channels, n_classes):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((None, None, in_channels)),
        *conv_body(),
        layers.GlobalAveragePooling2D(),   # (N, H', W', 16) -> (N, 16), any H', W'
        layers.Dense(n_classes, activation="softmax"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex3-global-pooling-test" points=3
def _check_pooled(in_channels, n_classes, cases):
    what = f"build_pooled_classifier({in_channels}, {n_classes})"
    model = ck.build_block(build_pooled_classifier, in_channels, n_classes, name=what)
    ck.check_output_shapes(model, [((n, h, w, in_channels), (n, n_classes)) for n, h, w in cases],
                           name=f"{what} output (one model, several image sizes)")
    ck.check_uses_its_weights(model, (2,) + tuple(cases[-1][1:]) + (in_channels,), what)
    body = ck.count_params(keras.Sequential([keras.Input((None, None, in_channels)), *conv_body()]))
    head = ck.count_params(model) - body
    check_true(head <= 16 * n_classes + n_classes,
               f"{what}: the head has {head:,} parameters, more than the {16 * n_classes + n_classes} "
               f"of one Dense(16 -> {n_classes}); pool each channel to one number before the Dense")


_check_pooled(1, 10, [(7, 28, 28), (7, 32, 32)])
_check_pooled(3, 5, [(1, 45, 17), (7, 13, 19)])                    # 3 channels, 5 classes, not square
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_pooled(1, 10, [(1, 36, 36), (40, 28, 28), (7, 12, 12), (2, 20, 44), (1, 100, 64)])
_check_pooled(3, 5, [(7, 32, 32), (1, 28, 28), (3, 45, 17)])
_check_pooled(2, 4, [(1, 13, 19), (7, 64, 64)])
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# The repaired classifier from Exercise 1 on the 4,000 training digits: 300 steps of 64 digits
# (about five passes over the data), then accuracy on the 1,000 held-out digits. Chance (guessing
# one of the 10 classes) is 10%.

# %%
ck.seed(0)
digit_model = build_classifier(1, 28, 10)
steps, batch_size = 300, 64
print(f"{steps} steps of {batch_size} = {steps * batch_size / len(X_train):.1f} passes over {len(X_train):,} digits")
result = ck.train(digit_model, X_train, y_train, "sparse_categorical_crossentropy",
                  steps=steps, batch_size=batch_size, lr=3e-3)
accuracy = float((ck.predict(digit_model, X_test).argmax(axis=-1) == y_test).mean())
print(f"held-out accuracy: {accuracy:.3f} on {len(X_test)} digits (chance: {1 / len(np.unique(y_train)):.3f})")

# %% kind="test" grade_id="train-classifier-test" points=2
needs("result", "digit_model", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_shape(ck.predict(digit_model, X_test[:40]), (40, 10), name="trained model's output for 40 test digits")
check_at_least(float((ck.predict(digit_model, X_test).argmax(axis=-1) == y_test).mean()), 0.85,
               "held-out accuracy on the test digits", hint="chance is 0.10")
print("the classifier learned")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict, then run. Write the output shape you expect for each line below into
# `shape_predictions` (a tuple or a list per question), without running anything. The test cell
# under it runs the real layers and shows, per question, your prediction next to what Keras gives.
#
# - `"a"`: `layers.Flatten()` on a feature map of shape `(8, 6, 6, 16)`
# - `"b"`: `layers.Dense(10)` on `(8, 6, 6, 16)`
# - `"c"`: `layers.GlobalAveragePooling2D()` on `(7, 9, 5, 16)`
# - `"d"`: the layers of `conv_body()` on a batch of shape `(3, 32, 32, 1)`
# - `"e"`: `layers.Reshape((36, 16))` on `(8, 6, 6, 16)`

# %% kind="answer" grade_id="self-check"
shape_predictions = {}  # e.g. shape_predictions["a"] = (1, 2, 3, 4)
### BEGIN SOLUTION
shape_predictions.update(a=(8, 576), b=(8, 6, 6, 10), c=(7, 16), d=(3, 7, 7, 16), e=(8, 36, 16))
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
check_predictions(shape_predictions, {
    "a": ("Flatten() on (8, 6, 6, 16)", layers.Flatten()(np.zeros((8, 6, 6, 16), "float32"))),
    "b": ("Dense(10) on (8, 6, 6, 16)", layers.Dense(10)(np.zeros((8, 6, 6, 16), "float32"))),
    "c": ("GlobalAveragePooling2D() on (7, 9, 5, 16)", layers.GlobalAveragePooling2D()(np.zeros((7, 9, 5, 16), "float32"))),
    "d": ("conv_body() on (3, 32, 32, 1)", keras.Sequential(conv_body())(np.zeros((3, 32, 32, 1), "float32"))),
    "e": ("Reshape((36, 16)) on (8, 6, 6, 16)", layers.Reshape((36, 16))(np.zeros((8, 6, 6, 16), "float32"))),
})


# %% [markdown]
# ## Summary
#
# - In Keras 3, `Dense` after a conv layer without `Flatten` is **not** an error: it scores every
#   position and returns `(N, H, W, units)`. Check the model's output shape, not just that it runs.
# - The error appears in the loss during `fit` (rank mismatch between labels and output), or not
#   at all when the loss broadcasts (MSE with a batch of 1). A grid like `6, 6` inside the output
#   shape points at the missing `Flatten`.
# - `Flatten` keeps the batch axis and gives `H * W * C` features; it needs a known input size,
#   and a model built for one size refuses another (`expected axis -1 ... value 576, ... (7, 784)`).
# - Never type the flattened size: use `Flatten`, or compute it by arithmetic or by pushing a
#   symbolic input through the layers.
# - Global average pooling makes the head independent of the image size and much smaller.
