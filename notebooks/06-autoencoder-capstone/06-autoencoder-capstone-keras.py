# %% [markdown]
# # 06 · The autoencoder capstone (Keras)
#
# An autoencoder squeezes an image through a small code and rebuilds it. Its contract is the
# strictest shape contract in this course: **the output must have exactly the input's shape**,
# because the loss compares them element by element. Every earlier bug (a lost Flatten, a wrong
# channel count, an odd size, a missing Reshape) shows up here, often several at once, and in
# Keras usually not where it was made: the model builds, and the loss inside `fit` is the first
# place that notices.

# %% [markdown]
# ## Learning goals
#
# - Say where an autoencoder's shape bug surfaces in Keras 3 (the loss inside `fit`) and read
#   TensorFlow's `Dimensions must be equal, but are A and B ... with input shapes: [...], [...]`.
# - Know which mismatches Keras quietly repairs and which it silently broadcasts.
# - Build a dense autoencoder whose decoder returns `(N, H, W, 1)` with a `Reshape`.
# - Repair a convolutional autoencoder with several planted shape bugs at once.
# - Measure what the code keeps: per-sample reconstruction error and the compression ratio.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import numpy as np

from course import (check_at_most, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error, expect_warning, needs)
from course import data, plots
from course import keras as ck

keras = ck.keras
layers = keras.layers
ck.seed(0)
print(ck.use_course_settings())
X_train, _ = data.digits("train", layout="nhwc")
X_test, _ = data.digits("test", layout="nhwc")
print("digits:", X_train.shape, X_test.shape, "from the", data.digits_source())

# %% [markdown]
# ## Reproduce the error
#
# ### A dense decoder that returns 784 numbers
#
# The encoder flattens `(N, 28, 28, 1)` to 784 features and the decoder ends in `Dense(784)`.
# Keras builds the model without complaint; the layers are all consistent with each other. The
# error comes from `fit`, when the loss subtracts a `(16, 784)` reconstruction from a
# `(16, 28, 28, 1)` target:

# %% kind="readonly" grade_id="repro-flat-decoder"
flat_ae = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                            layers.Dense(32, activation="relu"), layers.Dense(784, activation="sigmoid")])
print("model output:", flat_ae.compute_output_shape((None, 28, 28, 1)))
flat_ae.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(16, 28, 28, 1), (16, 784)], contains=["compile_loss/mse/sub"]) as caught:
    flat_ae.fit(X_train[:64], X_train[:64], batch_size=16, epochs=1, verbose=0)
check_true("incompatible input and output shapes" not in caught.message.lower(),
           "the message is TensorFlow's, not the 'Incompatible input and output shapes' some guides quote")

# %% [markdown]
# Some guides quote this as `ValueError: Incompatible input and output shapes`; Keras 3.15 says
# nothing of the kind. The message comes from TensorFlow's subtraction op (`compile_loss/mse/sub`)
# and its wording depends on the loss: binary cross-entropy checks ranks first and says so.

# %% kind="readonly" grade_id="repro-flat-decoder-bce"
flat_ae.compile(optimizer="adam", loss="binary_crossentropy")
with expect_error(ValueError, shapes=[(16, 28, 28, 1), (16, 784)], contains=["must have the same rank"]):
    flat_ae.fit(X_train[:64], X_train[:64], batch_size=16, epochs=1, verbose=0)

# %% [markdown]
# ### Without a `Reshape`, flat targets are needed too
#
# A guide on this bug says a decoder ending in `Dense(784)` without a `Reshape` "works
# numerically". That holds only if the **targets are flattened too**: against `(N, 784)` targets
# the same model trains, and its loss is exactly the loss of the reshaped output against the
# images. Against the images themselves it fails, as above. The cost stays: every
# reconstruction is a row of 784 numbers that must be reshaped before it can be shown as an image.

# %% kind="readonly" grade_id="repro-flat-targets"
flat_targets = X_train[:256].reshape(256, 784)
result = ck.train(flat_ae, X_train[:256], flat_targets, "mse", steps=20, batch_size=32, verbose=False)
print(f"trained against {flat_targets.shape} targets: loss {result.losses[0]:.4f} -> {result.losses[-1]:.4f}")
check_true(result.losses[-1] < result.losses[0], "the loss falls when the targets are flattened too")
recon = ck.predict(flat_ae, X_train[:8])
check_shape(recon, (8, 784), name="reconstructions without a Reshape")
loss_fn = keras.losses.MeanSquaredError()
flat_loss = float(loss_fn(X_train[:8].reshape(8, 784), recon))
image_loss = float(loss_fn(X_train[:8], recon.reshape(8, 28, 28, 1)))
print(f"MSE of flat output vs flat targets {flat_loss:.6f}; reshaped output vs images {image_loss:.6f}")
check_true(np.isclose(flat_loss, image_loss, rtol=1e-5), "the same loss either way")

# %% [markdown]
# ### What Keras repairs, and what it silently broadcasts
#
# Targets that lost their channel axis, `(N, 28, 28)` against a `(N, 28, 28, 1)` output, are
# **not** a bug in Keras 3: its losses squeeze or expand a trailing axis of size 1 so both have
# the same rank. (PyTorch broadcasts the same pair into an `(N, N, 28, 28)` mess: see the PyTorch
# notebook.)
#
# A decoder whose output has the right rank but a size-1 axis is different: `(N, 1)` against
# `(N, 784)` broadcasts. Nothing fails; the model learns one grey value per image.

# %% kind="readonly" grade_id="repro-keras-broadcast"
mse = keras.losses.MeanSquaredError()
perfect = X_train[:8]
check_equal(float(mse(perfect[..., 0], perfect)), 0.0, "MSE of a perfect reconstruction against (N, 28, 28) targets")

one_value_ae = keras.Sequential([keras.Input((784,)), layers.Dense(16, activation="relu"),
                                 layers.Dense(1, activation="sigmoid")])       # should be Dense(784)
flat_digits = X_train[:256].reshape(256, 784)
result = ck.train(one_value_ae, flat_digits, flat_digits, "mse", steps=20, batch_size=32, verbose=False)
out = ck.predict(one_value_ae, flat_digits[:4])
print(f"trained without error; loss {result.losses[0]:.3f} -> {result.losses[-1]:.3f}; output shape {out.shape}")
check_shape(out, (4, 1), name="reconstruction of a (4, 784) batch")

# %% [markdown]
# ### A convolutional decoder that emits 4 channels
#
# The last `Conv2DTranspose` has `filters=4` for a 3-channel image. Building and calling the model
# works; `fit` fails at the loss, naming the two channel counts:

# %% kind="readonly" grade_id="repro-four-channels"
rgb_ae = keras.Sequential([keras.Input((28, 28, 3)), layers.Conv2D(16, 3, padding="same", activation="relu"),
                           layers.Conv2DTranspose(4, 3, padding="same", activation="sigmoid")])
rgb = np.random.default_rng(0).random((32, 28, 28, 3)).astype("float32")
check_shape(rgb_ae(rgb[:2]), (2, 28, 28, 4), name="RGB autoencoder output")
rgb_ae.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(16, 28, 28, 3), (16, 28, 28, 4)], contains=["but are 3 and 4"]):
    rgb_ae.fit(rgb, rgb, batch_size=16, epochs=1, verbose=0)

# %% [markdown]
# ### A Reshape that does not add up, and the old `input_shape=` habit
#
# A bottleneck `Dense(7*7*4)` followed by `Reshape((7, 7, 8))` cannot work: 196 numbers do not
# fill a 7x7x8 block. With `keras.Input` first, Keras finds this **while the model is put
# together**, in the `Sequential([...])` call itself, before any data is seen. The seed code's `Flatten(input_shape=(28, 28))` still works in Keras 3 but warns:
# pass `keras.Input(shape)` as the first item instead.

# %% kind="readonly" grade_id="repro-reshape-and-input-shape"
with expect_error(ValueError, shapes=[(196,), (7, 7, 8)]):
    keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(7 * 7 * 4), layers.Reshape((7, 7, 8))])

with expect_warning(UserWarning, contains=["input_shape"]):
    legacy = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(784), layers.Reshape((28, 28))])
check_shape(legacy.compute_output_shape((None, 28, 28)), (None, 28, 28), name="legacy dense autoencoder output")

# %% [markdown]
# ## Read the traceback
#
# Take `Dimensions must be equal, but are 28 and 16 for '{{node compile_loss/mse/sub}} ...' with
# input shapes: [16,28,28,1], [16,784]` apart:
#
# - `compile_loss/mse/sub` says where: the subtraction inside the MSE loss during `fit`, not any layer.
# - The two bracketed shapes are the target first, then your model's output.
# - `A and B` is **one** pair of sizes that clash, A from the target and B from your output.
#   TensorFlow lines the two shapes up from the **right** (the shorter one padded on the left, as
#   in broadcasting), then checks the axes from the **left** and stops at the first pair that is
#   neither equal nor 1. So the message names the *outermost* clash, which is not always the
#   first one you meet reading from the right:
#
# ```
# target   [16, 28, 28,   1]          target   [32, 28,  28]
# output   [ -,  -, 16, 784]          output   [ -, 32, 784]
#                   ^^ named                        ^^  28 vs 784 clashes too, but is not named
# ```
#
# On the left there is one clash: the target's axis 2, the image **width** (28; the target is
# `(N, H, W, C)`), against your batch size, 16. On the right the targets have also lost their
# channel axis. Read from the right, 28 against 784 comes first; the message names 28 and **32**
# instead, the target's axis 1 (the height) against the batch size again. The cell below runs both
# cases, checks this rule against TensorFlow's real messages and prints the target axis it names.

# %% kind="readonly" grade_id="read-which-pair"
import re


def clashes(target, output):
    """Line two shapes up from the right; the (target axis, target size, output size) triples that are
    neither equal nor 1, outermost first."""
    rank = max(len(target), len(output))
    padded_t = [None] * (rank - len(target)) + list(target)
    padded_o = [None] * (rank - len(output)) + list(output)
    return [(axis - (rank - len(target)), a, b) for axis, (a, b) in enumerate(zip(padded_t, padded_o))
            if None not in (a, b) and a != b and 1 not in (a, b)]


axis_names = {1: "the height", 2: "the width"}
for targets, batch_size, target_axis in [(X_train[:64], 16, 2), (X_train[:64, ..., 0], 32, 1)]:
    flat_ae.compile(optimizer="adam", loss="mse")   # a fresh compile: a failed fit leaves its step function half built
    with expect_error(ValueError, contains=["Dimensions must be equal"], quiet=True) as caught:
        flat_ae.fit(X_train[:64], targets, batch_size=batch_size, epochs=1, verbose=0)
    named = tuple(int(v) for v in re.search(r"but are (\d+) and (\d+)", caught.message).groups())
    target_shape, output_shape = [tuple(int(v) for v in shape.split(","))
                                  for shape in re.findall(r"\[([\d,]+)\]", caught.message)[-2:]]
    found = clashes(target_shape, output_shape)
    print(f"target {list(target_shape)} vs output {list(output_shape)}: clashing (target axis, target, output), "
          f"outermost first {found}; the message names {named[0]} and {named[1]}, "
          f"the target's axis {found[0][0]} ({axis_names[found[0][0]]}) against the batch size {batch_size}")
    check_equal(named, found[0][1:], "the pair TensorFlow names: the outermost clash")
    check_equal((found[0][0], named[1]), (target_axis, batch_size), "the target axis and the output size named")

# %% [markdown]
# Whichever pair it names, the number from your output can be the batch size rather than the
# axis that is really wrong. Compare the two whole shapes: here the output needs a
# `Reshape((28, 28, 1))` to match the images.
#
# For a model that builds but returns the wrong size, the per-layer trace shows where the sizes
# drift. Here is the broken compression model you will repair in Exercise 2:

# %% kind="readonly" grade_id="broken-conv-autoencoder"
def build_broken_conv_autoencoder():
    """An image-compression autoencoder for 28x28 digits with three planted shape bugs."""
    inp = keras.Input((28, 28, 1))                                            # bug 1: fixed image size
    x = layers.Conv2D(16, 3, strides=2, activation="relu")(inp)               # bug 2: 'valid': 28 -> 13
    code = layers.Conv2D(8, 3, strides=2, activation="relu")(x)               # 13 -> 6
    y = layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(code)   # 6 -> 12
    out = layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="sigmoid")(y)  # bug 3: 4 channels
    return keras.Model(inp, out, name="broken_cae")


broken = build_broken_conv_autoencoder()
broken_trace = ck.trace(broken, (None, 28, 28, 1))
print(broken_trace)

# %% [markdown]
# The table reads top to bottom: the first stride-2 convolution with the default `'valid'`
# padding turns 28 into 13 (not 14), the second 13 into 6, and two exact doublings give 24.
# The last layer's 4 filters finish it off: `(None, 24, 24, 4)` for a `(None, 28, 28, 1)` target.

# %%
plots.shape_diagram(broken_trace);

# %% [markdown]
# ## Exercise 1 (3 points)
#
# Write `build_dense_autoencoder(side=28, latent=32)` returning three Keras models
# `(encoder, decoder, autoencoder)` for 1-channel `side x side` images:
#
# - `encoder`: `(N, side, side, 1)` -> `(N, latent)`,
# - `decoder`: `(N, latent)` -> `(N, side, side, 1)` (a `Reshape` at the end, values in [0, 1]),
# - `autoencoder`: the two chained, `(N, side, side, 1)` -> `(N, side, side, 1)`.
#
# Any batch size, including 1, and any `side` (odd ones too) must work. Create every layer once,
# when the models are built (never inside a `call` method), so that training updates it.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the cell `repro-flat-decoder`: `compute_output_shape` prints what a decoder ending in a
# `Dense` layer returns, and the error shows the shape the loss compares it with. Write every
# size in terms of `side` and `latent`; the hidden tests try other values.
#
# </details>

# %% kind="answer" grade_id="ex1-dense-autoencoder"
def build_dense_autoencoder(side=28, latent=32):
    ### BEGIN SOLUTION
    encoder = keras.Sequential([keras.Input((side, side, 1)), layers.Flatten(),
                                layers.Dense(128, activation="relu"), layers.Dense(latent)], name="encoder")
    decoder = keras.Sequential([keras.Input((latent,)), layers.Dense(128, activation="relu"),
                                layers.Dense(side * side, activation="sigmoid"),
                                layers.Reshape((side, side, 1))], name="decoder")
    inp = keras.Input((side, side, 1))
    autoencoder = keras.Model(inp, decoder(encoder(inp)), name="dense_autoencoder")
    return encoder, decoder, autoencoder
    ### END SOLUTION

# %% kind="test" grade_id="ex1-dense-autoencoder-test" points=3
enc, dec, ae = ck.build_block(build_dense_autoencoder, name="build_dense_autoencoder()")
ck.check_output_shapes(ae, [((1, 28, 28, 1), (1, 28, 28, 1)), ((7, 28, 28, 1), (7, 28, 28, 1))],
                       name="autoencoder from build_dense_autoencoder()")
ck.check_output_shapes(enc, [((7, 28, 28, 1), (7, 32))], name="encoder with latent=32")
ck.check_output_shapes(dec, [((7, 32), (7, 28, 28, 1))], name="decoder")
ck.check_uses_its_weights(ae, (2, 28, 28, 1), "autoencoder from build_dense_autoencoder()")
out = ck.predict(ae, np.random.default_rng(0).random((5, 28, 28, 1)))
check_true(0 <= out.min() and out.max() <= 1, "outputs must lie in [0, 1] like the pixels")
enc, dec, ae = ck.build_block(build_dense_autoencoder, side=15, latent=6)   # another (odd) side and latent size
ck.check_output_shapes(ae, [((1, 15, 15, 1), (1, 15, 15, 1)), ((3, 15, 15, 1), (3, 15, 15, 1))],
                       name="autoencoder from build_dense_autoencoder(side=15, latent=6)")
ck.check_output_shapes(enc, [((3, 15, 15, 1), (3, 6))], name="encoder with side=15, latent=6")
### BEGIN HIDDEN TESTS
for side, latent, n in [(20, 8, 1), (32, 16, 7), (28, 64, 13)]:
    enc, dec, ae = ck.build_block(build_dense_autoencoder, side=side, latent=latent)
    ck.check_output_shapes(ae, [((n, side, side, 1), (n, side, side, 1))],
                           name=f"autoencoder from build_dense_autoencoder(side={side}, latent={latent})")
    ck.check_output_shapes(enc, [((n, side, side, 1), (n, latent))], name=f"encoder (side={side}, latent={latent})")
    ck.check_output_shapes(dec, [((n, latent), (n, side, side, 1))], name=f"decoder (side={side}, latent={latent})")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (4 points)
#
# Repair the broken model as `build_conv_autoencoder(channels=1, code_channels=8)` returning
# `(encoder, decoder, autoencoder)`, fully convolutional so that it takes **any** image whose
# sides are multiples of 4 (use `keras.Input((None, None, channels))`):
#
# - `encoder`: `(N, H, W, channels)` -> `(N, H/4, W/4, code_channels)` (two stride-2 steps),
# - `decoder`: back to exactly `(N, H, W, channels)`, values in [0, 1],
# - `autoencoder`: the two chained.
#
# As in Exercise 1, create every layer once, when the models are built (never inside a `call`
# method), so that training updates it.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Run `ck.trace` on your model as the cell `broken-conv-autoencoder` does, once with
# `(None, 28, 28, 1)` and once with `(None, 32, 32, 3)` (and `channels=3`), and compare each row
# with the table in "Read the traceback": which padding halves 28 exactly, and how many filters
# must the last layer have?
#
# </details>

# %% kind="answer" grade_id="ex2-conv-autoencoder"
def build_conv_autoencoder(channels=1, code_channels=8):
    ### BEGIN SOLUTION
    encoder = keras.Sequential([
        keras.Input((None, None, channels)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(code_channels, 3, strides=2, padding="same", activation="relu"),
    ], name="encoder")
    decoder = keras.Sequential([
        keras.Input((None, None, code_channels)),
        layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid"),
    ], name="decoder")
    inp = keras.Input((None, None, channels))
    return encoder, decoder, keras.Model(inp, decoder(encoder(inp)), name="conv_autoencoder")
    ### END SOLUTION

# %% kind="test" grade_id="ex2-conv-autoencoder-test" points=4
enc, dec, cae = ck.build_block(build_conv_autoencoder, name="build_conv_autoencoder()")
ck.check_output_shapes(cae, [((1, 28, 28, 1), (1, 28, 28, 1)), ((7, 28, 28, 1), (7, 28, 28, 1))],
                       name="autoencoder from build_conv_autoencoder()")
ck.check_output_shapes(enc, [((7, 28, 28, 1), (7, 7, 7, 8))], name="encoder, the code")
ck.check_output_shapes(dec, [((7, 7, 7, 8), (7, 28, 28, 1))], name="decoder")
enc, dec, cae = ck.build_block(build_conv_autoencoder, channels=3, code_channels=4)   # 3 channels, 20 x 32 (not square)
ck.check_output_shapes(cae, [((2, 20, 32, 3), (2, 20, 32, 3)), ((1, 20, 32, 3), (1, 20, 32, 3))],
                       name="autoencoder from build_conv_autoencoder(channels=3, code_channels=4)")
ck.check_output_shapes(enc, [((2, 20, 32, 3), (2, 5, 8, 4))], name="encoder from build_conv_autoencoder(3, 4)")
ck.check_uses_its_weights(cae, (2, 20, 32, 3), "autoencoder from build_conv_autoencoder(channels=3, code_channels=4)")
### BEGIN HIDDEN TESTS
for channels, code, side, n in [(3, 8, 32, 1), (1, 4, 16, 7), (3, 12, 28, 5), (1, 8, 40, 13)]:
    enc, dec, cae = ck.build_block(build_conv_autoencoder, channels=channels, code_channels=code)
    label = f"build_conv_autoencoder(channels={channels}, code_channels={code})"
    ck.check_output_shapes(cae, [((n, side, side, channels), (n, side, side, channels))], name=f"autoencoder from {label}")
    ck.check_output_shapes(enc, [((n, side, side, channels), (n, side // 4, side // 4, code))], name=f"encoder from {label}")
    out = ck.predict(cae, np.random.default_rng(1).random((n, side, side, channels)))
    check_true(0 <= out.min() and out.max() <= 1, "outputs must lie in [0, 1] like the pixels")
ck.check_output_shapes(ck.build_block(build_conv_autoencoder)[2], [((2, 28, 36, 1), (2, 28, 36, 1))],
                       name="autoencoder on 28x36 images")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Two measurements every compression model needs, written for **any** models and batch:
#
# - `reconstruction_errors(autoencoder, x)`: the mean squared error **per sample**, a NumPy
#   array of shape `(N,)` (average over every axis except the batch axis).
# - `compression_ratio(encoder, image_shape)`: how many numbers one image has divided by how
#   many numbers its code has, found by encoding one zero image of `image_shape`
#   (`(H, W, channels)`, no batch axis).
#
# The tests use the read-only models of the next cell, not yours, so this exercise does not
# depend on your answers to Exercises 1 and 2.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The loss in the cell `repro-keras-broadcast` returns one number for a whole batch; here you
# need one per image, so reduce every axis except the first. For the ratio, look at what shape
# `ck.predict` is given everywhere in this notebook: a model always expects a batch axis.
#
# </details>

# %% kind="readonly" grade_id="reference-models"
def reference_conv(channels, code_channels):
    """(encoder, autoencoder): one kernel-2 stride-2 step down and up; the code is (N, H/2, W/2, code_channels)."""
    encoder = keras.Sequential([keras.Input((None, None, channels)), layers.Conv2D(code_channels, 2, strides=2),
                                layers.BatchNormalization(), layers.Activation("relu")])
    decoder = keras.Sequential([keras.Input((None, None, code_channels)),
                                layers.Conv2DTranspose(channels, 2, strides=2, activation="sigmoid")])
    inp = keras.Input((None, None, channels))
    return encoder, keras.Model(inp, decoder(encoder(inp)))


def reference_dense(side, channels, latent):
    """(encoder, autoencoder): Flatten and one Dense layer to `latent` numbers, one back and a Reshape."""
    encoder = keras.Sequential([keras.Input((side, side, channels)), layers.Flatten(), layers.Dense(latent)])
    decoder = keras.Sequential([keras.Input((latent,)), layers.Dense(side * side * channels, activation="sigmoid"),
                                layers.Reshape((side, side, channels))])
    inp = keras.Input((side, side, channels))
    return encoder, keras.Model(inp, decoder(encoder(inp)))


ref_encoder, _ = reference_conv(channels=1, code_channels=2)
print("reference_conv(1, 2) code for (7, 28, 28, 1) images:", ref_encoder.compute_output_shape((7, 28, 28, 1)))

# %% kind="answer" grade_id="ex3-measure-compression"
def reconstruction_errors(autoencoder, x):
    ### BEGIN SOLUTION
    recon = ck.predict(autoencoder, x)
    return ((recon - x) ** 2).reshape(len(x), -1).mean(axis=1)
    ### END SOLUTION


def compression_ratio(encoder, image_shape):
    ### BEGIN SOLUTION
    code = ck.predict(encoder, np.zeros((1, *image_shape), dtype="float32"))
    return float(np.prod(image_shape)) / code[0].size
    ### END SOLUTION

# %% kind="test" grade_id="ex3-measure-compression-test" points=3
# Only the read-only reference models: a mistake in Exercise 1 or 2 costs no points here.
enc, ae = reference_conv(channels=1, code_channels=2)
x = np.random.default_rng(2).random((7, 28, 28, 1)).astype("float32")
errs = np.asarray(reconstruction_errors(ae, x))
check_shape(errs, (7,), name="reconstruction_errors(autoencoder, x) for 7 images")
expected = ((ck.predict(ae, x) - x) ** 2).mean(axis=(1, 2, 3))
check_true(np.allclose(errs, expected, atol=1e-5),
           "reconstruction_errors: each value must be the mean squared error of one image")
check_equal(round(compression_ratio(enc, (28, 28, 1)), 4), round(784 / (14 * 14 * 2), 4),
            "compression_ratio(reference_conv(1, 2) encoder, (28, 28, 1))")
check_shape(np.asarray(reconstruction_errors(ae, x[:1])), (1,), name="reconstruction_errors for a batch of 1")
check_equal(round(compression_ratio(reference_dense(20, 3, 12)[0], (20, 20, 3)), 4), round(20 * 20 * 3 / 12, 4),
            "compression_ratio(reference_dense(20, 3, 12) encoder, (20, 20, 3))")
### BEGIN HIDDEN TESTS
check_shape(np.asarray(reconstruction_errors(ae, x[:1])), (1,), name="reconstruction_errors for 1 image")
enc3, ae3 = reference_conv(channels=3, code_channels=4)
x3 = np.random.default_rng(3).random((5, 32, 32, 3)).astype("float32")
expected3 = ((ck.predict(ae3, x3) - x3) ** 2).mean(axis=(1, 2, 3))
check_true(np.allclose(np.asarray(reconstruction_errors(ae3, x3)), expected3, atol=1e-5),
           "reconstruction_errors on 3-channel 32x32 images")
check_equal(round(compression_ratio(enc3, (32, 32, 3)), 4), round(3 * 32 * 32 / (16 * 16 * 4), 4),
            "compression_ratio(reference_conv(3, 4) encoder, (32, 32, 3))")
for side, channels, latent in [(20, 1, 10), (20, 3, 12)]:
    denc, dae = reference_dense(side, channels, latent)
    xd = np.random.default_rng(4).random((3, side, side, channels)).astype("float32")
    expected_d = ((ck.predict(dae, xd) - xd) ** 2).mean(axis=(1, 2, 3))
    check_true(np.allclose(np.asarray(reconstruction_errors(dae, xd)), expected_d, atol=1e-5),
               f"reconstruction_errors with reference_dense({side}, {channels}, {latent})")
    check_equal(round(compression_ratio(denc, (side, side, channels)), 4), round(side * side * channels / latent, 4),
                f"compression_ratio(reference_dense({side}, {channels}, {latent}) encoder, {(side, side, channels)})")
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Train your convolutional autoencoder on the shipped handwritten digits for a fixed budget of
# steps, then compare with the simplest possible "model": always predicting the average digit.
# The training loss is binary cross-entropy, a usual choice for pixels in [0, 1] behind a
# sigmoid; the score is still the mean squared error per image of Exercise 3. The cell draws the
# loss of every training step (and its moving mean), then originals above their reconstructions.

# %%
ck.seed(0)
encoder, decoder, model = build_conv_autoencoder(channels=1, code_channels=8)
# Through a sigmoid output, MSE's gradient carries a factor s(1 - s) that vanishes when the sigmoid
# saturates (an output stuck near 0); binary cross-entropy's gradient is s - target, which does not.
result = ck.train(model, X_train, X_train, "binary_crossentropy", steps=300, batch_size=64, lr=3e-3)
test_errors = reconstruction_errors(model, X_test)
baseline = float(((X_test - X_train.mean(axis=0)) ** 2).mean())
ratio = compression_ratio(encoder, (28, 28, 1))
print(f"test reconstruction MSE {float(np.mean(test_errors)):.4f} vs {baseline:.4f} for the average digit; "
      f"compression ratio {ratio:.1f}:1")
plots.loss_curve(result.losses, label="training BCE")
plots.image_grid(X_test[:8], ck.predict(model, X_test[:8]), titles=["original", "reconstruction"]);

# %% kind="test" grade_id="train-conv-autoencoder-test" points=2
needs("result", "model", "test_errors", "baseline", "ratio", cell="the training cell above")
ck.check_output_shapes(model, [((5, 28, 28, 1), (5, 28, 28, 1))], name="the trained autoencoder")
# The shapes are right from here on, so the messages below speak of learning, not of shapes.
check_loss_fell(result.losses, factor=0.5,
                hint="The output shape is right, so look at the loss curve and the reconstructions above: "
                     "the same blank image for every digit means the model stopped learning.")
check_at_most(float(np.mean(test_errors)), 0.5 * baseline, "test reconstruction MSE",
              hint="it must be well below the error of predicting the average digit")
check_true(ratio > 1, f"the code must be smaller than the image (compression ratio {ratio:.2f})")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each output shape without running anything: write it as a tuple such as
# `(8, 7, 7, 16)` (a list counts too) in place of `None`, then run the test cell, which runs the
# real layers (and the subtraction) and prints, per question, your prediction and the real shape.
# The last question is the one-value decoder of "Reproduce the error".

# %% kind="answer" grade_id="self-check"
predictions = {
    "layers.Flatten() on (8, 28, 28, 1)": None,
    "layers.Reshape((28, 28, 1)) on (8, 784)": None,
    "layers.Conv2D(16, 3, strides=2, padding='same') on (8, 28, 28, 1)": None,
    "layers.Conv2DTranspose(1, 3, strides=2, padding='same') on (8, 14, 14, 16)": None,
    "an (8, 784) tensor minus an (8, 1) tensor": None,
}
### BEGIN SOLUTION
predictions = {
    "layers.Flatten() on (8, 28, 28, 1)": (8, 784),
    "layers.Reshape((28, 28, 1)) on (8, 784)": (8, 28, 28, 1),
    "layers.Conv2D(16, 3, strides=2, padding='same') on (8, 28, 28, 1)": (8, 14, 14, 16),
    "layers.Conv2DTranspose(1, 3, strides=2, padding='same') on (8, 14, 14, 16)": (8, 28, 28, 1),
    "an (8, 784) tensor minus an (8, 1) tensor": (8, 784),
}
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
_zeros = lambda *shape: np.zeros(shape, dtype="float32")  # noqa: E731
check_predictions(predictions, {
    "layers.Flatten() on (8, 28, 28, 1)": ("output shape", layers.Flatten()(_zeros(8, 28, 28, 1))),
    "layers.Reshape((28, 28, 1)) on (8, 784)": ("output shape", layers.Reshape((28, 28, 1))(_zeros(8, 784))),
    "layers.Conv2D(16, 3, strides=2, padding='same') on (8, 28, 28, 1)":
        ("output shape", layers.Conv2D(16, 3, strides=2, padding="same")(_zeros(8, 28, 28, 1))),
    "layers.Conv2DTranspose(1, 3, strides=2, padding='same') on (8, 14, 14, 16)":
        ("output shape", layers.Conv2DTranspose(1, 3, strides=2, padding="same")(_zeros(8, 14, 14, 16))),
    "an (8, 784) tensor minus an (8, 1) tensor": ("output shape", keras.ops.subtract(_zeros(8, 784), _zeros(8, 1))),
})


# %% [markdown]
# ## Summary
#
# - An autoencoder's output must have the input's exact shape. In Keras the model usually
#   builds anyway; the loss inside `fit` is where a mismatch surfaces.
# - TensorFlow's `Dimensions must be equal, but are A and B ... input shapes: [target], [output]`
#   aligns the shapes from the right but names the *outermost* clashing pair (A from the target,
#   B from your output), which can be the batch size: compare the two whole shapes.
# - Keras quietly matches a trailing size-1 axis, but an output of the right rank with a size-1
#   axis broadcasts silently: check the output shape, not only that training runs.
# - Dense decoders end with `Reshape` (without it, only flattened targets fit); `Reshape` sizes
#   must multiply out, and Keras checks that as the model is put together when it starts with
#   `keras.Input`.
# - In a conv autoencoder: `padding="same"` for exact halving and doubling, final filters equal
#   to the image's channels, `keras.Input((None, None, C))` for any image size.
