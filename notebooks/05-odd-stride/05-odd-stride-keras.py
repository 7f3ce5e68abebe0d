# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 05 · Odd sizes, strides and padding in conv autoencoders (Keras)
#
# An autoencoder must give back an image of exactly the size it was given. Strided convolutions
# and pooling round the size down (`'valid'`) or up (`'same'`), and upsampling multiplies it back,
# so an image whose side is not a multiple of the total stride comes back a few pixels short or
# long. Keras computes every layer's output size when the model is built, yet it has no idea what
# the target will be: the mismatch surfaces at `fit` (the loss) or at a `Concatenate` that joins a
# skip connection. This notebook reproduces those errors, reads them, and builds autoencoders that
# return the exact input size for any height and width.

# %% [markdown]
# ## Learning goals
#
# - Predict output sizes of `Conv2D`, `MaxPooling2D` and `Conv2DTranspose` for `'valid'` and
#   `'same'` padding, and see why `128 -> 42 -> 126` happens.
# - Know where Keras reports the mismatch: at `fit` for the loss; at `Concatenate` either when the
#   model is built (fixed input size) or when it is called (input size `None`).
# - Read `Arguments target and output must have the same shape` and `A Concatenate layer requires
#   inputs with matching shapes except for the concatenation axis`.
# - Control `Conv2DTranspose`'s output size with `output_padding` (and know that `0` and `None`
#   differ).
# - Restore the exact size with `ZeroPadding2D` / `Cropping2D`, `Resizing`, or sizes recorded on
#   the way down.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import math

import numpy as np

from course import keras as ck  # first: it loads TensorFlow with its C++ start-up lines muted
from course import check_at_most, check_equal, check_loss_fell, check_predictions, check_shape, check_true, needs
from course import data, expect_error, plots

import keras  # noqa: E402  (already loaded by course.keras)
import tensorflow as tf  # noqa: E402
from keras import layers, ops  # noqa: E402

ck.seed(0)
print(ck.use_course_settings())


def conv_out(n, kernel, stride=1, padding="valid"):
    """Output size of a Keras convolution or pooling layer along one axis."""
    if padding == "same":
        return math.ceil(n / stride)
    return (n - kernel) // stride + 1


# %% [markdown]
# ## Reproduce the error
#
# ### 1. Pooling with stride 3 on a 128 x 128 image
#
# `MaxPooling2D(3)` pools with `strides=3` (the strides default to the pool size). 128 is not a
# multiple of 3: with the default `padding='valid'` the pooled map has
# `floor((128 - 3) / 3) + 1 = 42` rows, and upsampling by 3 gives 126. A common claim is that a
# stride which does not divide the input "gives a non-integer size" and makes the model fail to
# build. Under Keras 3 that is not what happens: Keras rounds, builds the model and reports its
# output shape without a word.

# %% kind="readonly" grade_id="reproduce-stride3"
stride3_ae = keras.Sequential([
    keras.Input((128, 128, 1)),
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(3),                    # 128 -> 42   (strides=3, rounds down)
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.UpSampling2D(3),                    # 42 -> 126
    layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
], name="stride3_ae")
print("predicted pooled size:", conv_out(128, 3, stride=3), "| with padding='same':", conv_out(128, 3, 3, "same"))
check_shape(stride3_ae.output_shape, (None, 126, 126, 1), name="stride-3 autoencoder output")
print("model built; output shape", stride3_ae.output_shape)

# %% [markdown]
# The error comes when `fit` compares the output with its target, the input images. The wording
# depends on the loss: binary cross-entropy checks the shapes itself, mean squared error fails
# inside TensorFlow's subtraction while the training step is traced:

# %% kind="readonly" grade_id="reproduce-stride3-fit"
images = np.random.default_rng(0).random((16, 128, 128, 1), dtype=np.float32)

stride3_ae.compile(optimizer="adam", loss="binary_crossentropy")
with expect_error(ValueError, shapes=[(None, 128, 128, 1), (None, 126, 126, 1)]):
    stride3_ae.fit(images, images, epochs=1, verbose=0)

stride3_ae.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(128, 128, 1), (126, 126, 1)]):
    stride3_ae.fit(images, images, epochs=1, verbose=0)

# %% [markdown]
# #### A widely copied example: 128 in, 78 out
#
# A model that circulates in tutorials and forum answers about this error stacks an unpadded 3 x 3 convolution, a 2 x 2 pooling with
# `strides=3`, another unpadded convolution, an upsampling by 2 and a last unpadded convolution,
# trained with binary cross-entropy. Every layer takes its share: `128 -> 126 -> 42 -> 40 -> 80 ->
# 78`, and Keras builds it without a word. The mismatch with the 128 x 128 target surfaces at `fit`,
# in the loss.
#
# The write-ups that copy it often add that such a mismatch causes vanishing or exploding gradients. It cannot: `fit`
# stops while it computes the loss, before any gradient or update. The optimizer's step counter is
# still 0 and every weight is unchanged afterwards:

# %% kind="readonly" grade_id="reproduce-article-model"
article_ae = keras.Sequential([
    keras.Input((128, 128, 1)),
    layers.Conv2D(32, 3, activation="relu"),          # 128 -> 126 ('valid')
    layers.MaxPooling2D(2, strides=3),                # 126 -> 42  (window 2, stride 3)
    layers.Conv2D(16, 3, activation="relu"),          # 42 -> 40
    layers.UpSampling2D(2),                           # 40 -> 80
    layers.Conv2D(1, 3, activation="sigmoid"),        # 80 -> 78
], name="article_ae")
print(ck.trace(article_ae, (None, 128, 128, 1)))
check_shape(article_ae.output_shape, (None, 78, 78, 1), name="the copied autoencoder's output")
article_ae.compile(optimizer="adam", loss="binary_crossentropy")
weights_before = [ops.convert_to_numpy(w) for w in article_ae.weights]
with expect_error(ValueError, shapes=[(None, 128, 128, 1), (None, 78, 78, 1)], contains=["must have the same shape"]):
    article_ae.fit(images, images, epochs=1, verbose=0)
steps = int(ops.convert_to_numpy(article_ae.optimizer.iterations))
unchanged = all(np.array_equal(before, ops.convert_to_numpy(w)) for before, w in zip(weights_before, article_ae.weights))
check_true(steps == 0 and unchanged, "the failed fit should leave the optimizer at step 0 and the weights unchanged")
print(f"optimizer steps: {steps}; all {len(weights_before)} weight tensors unchanged: no gradient was ever applied")

# %% [markdown]
# Pooling with stride 3 also runs out of pixels fast: `28 -> 9 -> 3 -> 1`, and a fourth pooling
# has nothing left. That one *is* caught when the model is built:

# %% kind="readonly" grade_id="reproduce-too-small"
with expect_error(ValueError, shapes=[(None, 1, 1, 8)]):
    keras.Sequential([keras.Input((28, 28, 8))] + [layers.MaxPooling2D(3) for _ in range(4)])

# %% [markdown]
# ### 2. 'valid' padding shrinks every layer
#
# `Conv2D`'s default is `padding='valid'`: a 3 x 3 kernel loses one pixel on each border. The
# per-layer trace shows 28 turning into 22, and `fit` fails as before:

# %% kind="readonly" grade_id="reproduce-valid"
valid_ae = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.Conv2D(8, 3, activation="relu"),    # 28 -> 26
    layers.Conv2D(8, 3, activation="relu"),    # 26 -> 24
    layers.MaxPooling2D(2),                    # 24 -> 12
    layers.UpSampling2D(2),                    # 12 -> 24
    layers.Conv2D(1, 3),                       # 24 -> 22
], name="valid_ae")
print(ck.trace(valid_ae, (None, 28, 28, 1)))
digits28, _ = data.digits(n=32)
valid_ae.compile(optimizer="adam", loss="mse")
with expect_error(ValueError, shapes=[(28, 28, 1), (22, 22, 1)], contains=["Dimensions must be equal, but are 28 and 22"]):
    valid_ae.fit(digits28, digits28, epochs=1, verbose=0)

# %% [markdown]
# ### 3. 'same' padding is not a cure
#
# `padding='same'` keeps stride-1 convolutions size-preserving, and a stride-2 layer then gives
# `ceil(n / 2)`. The two textbook "halve, then double" autoencoders are exact for even sides only:
# pooling + `UpSampling2D` comes back one short for 127, a stride-2 `Conv2D` + `Conv2DTranspose`
# (both `'same'`) comes back one long.

# %% kind="readonly" grade_id="reproduce-same-not-enough"
def pool_then_upsample(side):
    return keras.Sequential([keras.Input((side, side, 1)),
                             layers.Conv2D(8, 3, padding="same", activation="relu"),
                             layers.MaxPooling2D(2), layers.UpSampling2D(2),
                             layers.Conv2D(1, 3, padding="same")])


def stride_then_transpose(side):
    return keras.Sequential([keras.Input((side, side, 1)),
                             layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
                             layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),
                             layers.Conv2D(1, 3, padding="same")])


for side in (128, 127):
    print(f"{side}: pool/upsample -> {pool_then_upsample(side).output_shape[1:3]}, "
          f"stride/transpose -> {stride_then_transpose(side).output_shape[1:3]}")
check_shape(pool_then_upsample(127).output_shape, (None, 126, 126, 1), name="pool/upsample on 127")
check_shape(stride_then_transpose(127).output_shape, (None, 128, 128, 1), name="stride/transpose on 127")
print("127 comes back as 126 or 128, never 127")

# %% [markdown]
# ### 4. An odd size breaks a skip connection: 7 -> 3 -> 6
#
# A U-Net style autoencoder concatenates each decoder map with the encoder map of the same level.
# On 28 x 28 digits three poolings give `28 -> 14 -> 7 -> 3` and upsampling gives 6, which cannot
# be concatenated with the 7 x 7 encoder map. The builder below is used again in Exercise 2: its
# `fix` argument will receive your repair.

# %% kind="readonly" grade_id="skip-autoencoder"
def conv_block(x, filters):
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def build_skip_ae(height, width, channels=1, fix=None):
    """A small U-Net: three poolings, three skip connections joined with Concatenate.

    `fix(up, skip)`, when given, must return `up` with the height and width of `skip`.
    """
    def join(up, skip):
        if fix is not None:
            up = fix(up, skip)
        return layers.Concatenate()([skip, up])

    inputs = keras.Input((height, width, channels))
    s1 = conv_block(inputs, 8)                                # H
    s2 = conv_block(layers.MaxPooling2D(2)(s1), 16)           # H // 2
    s3 = conv_block(layers.MaxPooling2D(2)(s2), 32)           # H // 4
    z = conv_block(layers.MaxPooling2D(2)(s3), 32)            # H // 8
    y = conv_block(join(layers.UpSampling2D(2)(z), s3), 16)
    y = conv_block(join(layers.UpSampling2D(2)(y), s2), 8)
    y = conv_block(join(layers.UpSampling2D(2)(y), s1), 8)
    return keras.Model(inputs, layers.Conv2D(channels, 1)(y))


check_shape(build_skip_ae(128, 128).output_shape, (None, 128, 128, 1), name="skip autoencoder for 128 x 128")
# A fixed input size: the error comes while the model is being built.
with expect_error(ValueError, shapes=[(None, 7, 7, 32), (None, 6, 6, 32)]):
    build_skip_ae(28, 28)

# %% [markdown]
# The picture below is drawn from real `MaxPooling2D(2)` and `UpSampling2D(2)` layers, the ones
# `build_skip_ae` uses, run on a 28 x 28 input: each encoder level on the left, on the right the map
# upsampled from the level below, which `Concatenate` must join with it. Only level 2 (7 x 7
# against 6 x 6) disagrees, and the check under the figure confirms it with `Concatenate` itself.

# %% kind="readonly" grade_id="figure-skip-sizes"
maps = [np.zeros((1, 28, 28, 1), dtype=np.float32)]
for _ in range(3):
    maps.append(layers.MaxPooling2D(2)(maps[-1]))
encoder_sizes = [tuple(m.shape[1:3]) for m in maps]
upsampled_sizes = [tuple(layers.UpSampling2D(2)(m).shape[1:3]) for m in maps[1:]]
print("encoder:", encoder_sizes, "| upsampled from below:", upsampled_sizes)
check_equal(plots.skip_mismatches(encoder_sizes, upsampled_sizes), [2], "levels whose sizes disagree")
with expect_error(ValueError, shapes=[(1, 7, 7, 1), (1, 6, 6, 1)], quiet=True):
    layers.Concatenate()([maps[2], layers.UpSampling2D(2)(maps[3])])
plots.skip_sizes(encoder_sizes, upsampled_sizes, title="build_skip_ae on 28 x 28");

# %% [markdown]
# With `keras.Input((None, None, 1))` the sizes are unknown when the model is built, so it builds
# fine and the error waits for the first batch. Called eagerly, TensorFlow's concat op raises
# `InvalidArgumentError`; inside `predict`, which traces a graph first (as `fit` does), the same
# problem is a `ValueError`:

# %% kind="readonly" grade_id="reproduce-skip-dynamic"
any_size_skip_ae = build_skip_ae(None, None)
print("built for any size; output shape", any_size_skip_ae.output_shape)
batch28 = np.zeros((2, 28, 28, 1), dtype=np.float32)
with expect_error(tf.errors.InvalidArgumentError, shapes=[(2, 7, 7, 32), (2, 6, 6, 32)]):
    any_size_skip_ae(batch28)
with expect_error(ValueError, shapes=[(2, 7, 7, 32), (2, 6, 6, 32)]):
    any_size_skip_ae.predict(batch28, verbose=0)

# %% [markdown]
# Rounding down also loses data without a word. A 2 x 2 `'valid'` pooling of a 7 x 7 map covers
# rows and columns 0-5 only; whatever sits in the last row or column never reaches the output:

# %% kind="readonly" grade_id="reproduce-silent-floor"
fmap = np.random.default_rng(1).random((1, 7, 7, 1), dtype=np.float32)
changed = fmap.copy()
changed[:, 6, :, :] = 100.0                      # a bright last row
changed[:, :, 6, :] = 100.0                      # and a bright last column
pooled, pooled_changed = layers.MaxPooling2D(2)(fmap), layers.MaxPooling2D(2)(changed)
check_shape(pooled, (1, 3, 3, 1), name="pooled 7 x 7 map")
check_true(np.array_equal(pooled, pooled_changed), "the last row and column should be invisible to the pooling")
print("'valid' pooling ignores row 6 and column 6; padding='same' gives",
      tuple(layers.MaxPooling2D(2, padding="same")(fmap).shape), "and keeps them")

# %% [markdown]
# ### 5. Conv2DTranspose and `output_padding`
#
# Going down, `Conv2D(3, strides=2, padding='same')` maps both 5 and 6 to 3. Going up,
# `Conv2DTranspose` must pick one. With `padding='same'` and the default `output_padding=None` it
# always picks `2n` (6). Setting `output_padding` switches to the formula
# `(n - 1) * stride + kernel - 2 * (kernel // 2) + output_padding`, so with this 3 x 3 kernel
# `output_padding=0` gives `2n - 1` (5) and `1` gives `2n` (6). Keras 3 has no `output_size=`
# argument (the constructor refuses one): the choice is made with `output_padding` when the layer is
# created. A value that is not smaller than the stride is rejected right there, before any data:

# %% kind="readonly" grade_id="reproduce-transposed"
down = layers.Conv2D(8, 3, strides=2, padding="same")
print("down: 5 ->", down(keras.KerasTensor((None, 5, 5, 8))).shape[1], "| 6 ->", down(keras.KerasTensor((None, 6, 6, 8))).shape[1])
z3 = keras.KerasTensor((None, 3, 3, 8))
for output_padding in (None, 0, 1):
    up = layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=output_padding)
    print(f"output_padding={output_padding}: 3 -> {up(z3).shape[1]}")
check_shape(layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=0)(z3), (None, 5, 5, 8),
            name="Conv2DTranspose with output_padding=0")
with expect_error(ValueError, contains=["output_padding", "strides"]):
    layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=2)
with expect_error(ValueError, contains=["Unrecognized keyword arguments", "output_size"]):
    layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_size=(5, 5))

# %% [markdown]
# Where does the extra row come from? A transposed convolution *spreads* each input row over
# `kernel` output rows, `strides` rows apart, and then cuts the rows that spill past the ends. The
# cell below feeds one input row at a time through a real one-filter
# `Conv2DTranspose(3, strides=2, padding='same')` with an all-ones kernel and records which output
# rows are not zero. With `output_padding=0` one row is cut at each end: input row `i` writes into
# rows `2i - 1` to `2i + 1` (PyTorch's `padding=1` does the same). With `output_padding=1`, or
# `None`, only one row is cut, at the end: every input row writes one row lower, `2i` to `2i + 2`,
# and the output has 6 rows. Nothing is filled with zeros; only the cropping changes.

# %% kind="readonly" grade_id="figure-transposed-growth"
def measured_taps(n, **conv_args):
    """For each input row of a real one-filter Conv2DTranspose (all-ones 3 x 3 kernel, no bias),
    the output rows it writes into: feed that row alone and see which output rows are not zero."""
    layer = layers.Conv2DTranspose(1, 3, use_bias=False, kernel_initializer="ones", **conv_args)
    x = np.zeros((n, n, 1, 1), dtype=np.float32)
    x[range(n), range(n), 0, 0] = 1.0            # image i holds a 1 in row i only
    rows = ops.convert_to_numpy(layer(x))[..., 0].sum(-1)   # (n images, output rows)
    return [np.nonzero(r)[0].tolist() for r in rows], rows.shape[-1]


cases = []
for output_padding in (0, 1, None):
    taps, out = measured_taps(3, strides=2, padding="same", output_padding=output_padding)
    first = -1 if output_padding == 0 else 0     # the first row input row 0 writes into (before the cut)
    check_equal(taps, [[r for r in range(2 * i + first, 2 * i + first + 3) if 0 <= r < out] for i in range(3)],
                f"rows written with output_padding={output_padding}")
    print(f"output_padding={output_padding}: 3 -> {out}; input row i writes into output rows {taps}")
    cases.append((f"Conv2DTranspose(3, strides=2, padding='same', output_padding={output_padding})", taps, out, 0))
plots.transposed_growth(cases);

# %% [markdown]
# The kernel size matters too: `kernel - 2 * (kernel // 2)` is 1 for an odd kernel and 0 for an
# even one. With `padding='same'` and stride `s`, an input side `n` becomes
#
# - `s * n` with `output_padding=None`, whatever the kernel;
# - `(n - 1) * s + 1 + p` with `output_padding=p` and an odd kernel (3, 5): `2n - 1 + p` for
#   stride 2;
# - `(n - 1) * s + p` with `output_padding=p` and an even kernel (2, 4): `2n - 2 + p` for stride 2,
#   so for `n = 3` `p = 0` gives 4 and `p = 1` gives 5.
#
# The cell below runs real layers on real arrays for several sides, kernels, strides and
# `output_padding` values, and checks each size against these formulas. One case builds but cannot
# run: an even kernel with `output_padding=0` (marked `!`). Keras announces `(n - 1) * s`, but a
# stride-`s` `'same'` convolution takes that size to `n - 1`, not `n`, and TensorFlow refuses to
# compute it when data arrives. A size `m` runs exactly when `ceil(m / s) = n`.

# %% kind="readonly" grade_id="transposed-sizes"
def transposed_same(n, kernel, stride, output_padding=None):
    """Output side of Conv2DTranspose(padding='same') for an input side n."""
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + kernel - 2 * (kernel // 2) + output_padding


sides = (3, 4, 7)
print(f"{'n = 3, 4, 7':20}" + "".join(f"{'output_padding=' + str(p):20}" for p in (None, 0, 1, 2)))
for stride in (2, 3):
    for kernel in (2, 3, 4, 5):
        line = f"stride {stride}, kernel {kernel}  "
        for p in (None, *range(stride)):
            layer = layers.Conv2DTranspose(1, kernel, strides=stride, padding="same", output_padding=p)
            cells = []
            for n in sides:
                m = transposed_same(n, kernel, stride, p)
                announced = layer.compute_output_shape((1, n, n, 1))[1]
                try:
                    ran = layer(np.zeros((1, n, n, 1), dtype=np.float32)).shape[1]
                except (tf.errors.InvalidArgumentError, tf.errors.AbortedError):
                    ran = None                                  # built, but TensorFlow refused to run it
                check_true(announced == m, f"stride {stride}, kernel {kernel}, output_padding={p}, n={n}: "
                                           f"Keras announces {announced}, the formula says {m}")
                check_true(ran == (m if math.ceil(m / stride) == n else None),
                           f"stride {stride}, kernel {kernel}, output_padding={p}, n={n}: ran to {ran}")
                cells.append(f"{m}" if ran is not None else f"{m}!")
            line += f"{' '.join(cells):20}"
        print(line)
print("every announced size matches the formula; '!' = announced but refused on data (ceil(m / s) != n)")

# %% [markdown]
# The refusal, on one layer: the model reports `(None, 4, 4, 8)` and the first batch fails inside
# TensorFlow's transposed-convolution op, `Conv2DBackpropInput` (an `InvalidArgumentError` from
# TensorFlow's own CPU kernel, an `AbortedError` from its oneDNN kernel):

# %% kind="readonly" grade_id="reproduce-even-kernel"
even_up = keras.Sequential([keras.Input((3, 3, 8)),
                            layers.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=0)])
check_shape(even_up.output_shape, (None, 4, 4, 8), name="announced output, kernel 4, output_padding=0")
with expect_error((tf.errors.InvalidArgumentError, tf.errors.AbortedError), contains=["Conv2DBackpropInput"]):
    even_up(np.zeros((2, 3, 3, 8), dtype=np.float32))

# %% [markdown]
# ## Read the traceback
#
# **At `fit`, binary cross-entropy.** `Arguments target and output must have the same shape.
# Received: target.shape=(None, 128, 128, 1), output.shape=(None, 126, 126, 1)`: *target* is the
# `y` you passed to `fit` (here the images themselves), *output* is what the model produced. The
# first axis is the batch, and it reads `None` because of a partial batch: 16 images do not fill one
# batch of 32 (`fit`'s default `batch_size`), so Keras traces its training step for a batch size it
# leaves open. With whole batches the same message prints the batch size, as the cell below shows
# for `batch_size=16`; the MSE message of `reproduce-valid`, 32 digits in batches of 32, shows
# `[32,28,28,1]` for the same reason.

# %% kind="readonly" grade_id="read-batch-axis"
stride3_ae.compile(optimizer="adam", loss="binary_crossentropy")
for batch_size, batch_axis in [(32, None), (16, 16)]:   # 16 images: one partial batch, then one whole batch
    with expect_error(ValueError, shapes=[(batch_axis, 128, 128, 1), (batch_axis, 126, 126, 1)]):
        stride3_ae.fit(images, images, batch_size=batch_size, epochs=1, verbose=0)

# %% [markdown]
# **At `fit`, mean squared error.** `Dimensions must be equal, but are 128 and 126 for
# '{{node compile_loss/mse/sub}} ...' with input shapes: [?,128,128,1], [?,126,126,1]`: the node
# name says where, the subtraction inside the compiled loss; `?` is TensorFlow's spelling of an
# unknown batch size (the partial batch again). 128 is the target's size and 126 the output's,
# where they first differ; height and width differ alike here, so the two numbers alone do not say
# which axis it is.
#
# **At `Concatenate`.** `requires inputs with matching shapes except for the concatenation axis.
# Received: input_shape=[(None, 7, 7, 32), (None, 6, 6, 32)]`: the concatenation axis is the last
# one (channels, 32 + 32 here) and may differ; every other axis must agree. The first shape is
# the first tensor in the list (the encoder map `skip`), the second the upsampled map.
#
# A per-layer trace finds where the size went wrong. For the stride-3 model, the pooling layer:

# %% kind="readonly" grade_id="read-trace"
print(ck.trace(stride3_ae, (None, 128, 128, 1)))

# %% [markdown]
# For the skip connection, trace the path that leads to the failing `Concatenate`: the third
# pooling turns 7 into 3, and doubling 3 cannot give 7 back.

# %% kind="readonly" grade_id="read-trace-skip"
down_and_up = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.Conv2D(8, 3, padding="same"), layers.MaxPooling2D(2),
    layers.Conv2D(16, 3, padding="same"), layers.MaxPooling2D(2),
    layers.Conv2D(32, 3, padding="same"), layers.MaxPooling2D(2),
    layers.UpSampling2D(2),
], name="down_and_up")
print(ck.trace(down_and_up, (None, 28, 28, 1)))


def roundtrip(n, levels, factor=2):
    sizes = [n]
    for _ in range(levels):
        sizes.append(sizes[-1] // factor)
    return sizes + [sizes[-1] * factor ** levels]


for n in (28, 100, 128, 27, 33, 65):
    down2, down3 = roundtrip(n, 2), roundtrip(n, 3)
    print(f"{n:4d}: 2 levels {down2} {'ok' if down2[-1] == n else 'MISMATCH'}   "
          f"3 levels {down3} {'ok' if down3[-1] == n else 'MISMATCH'}")

# %% [markdown]
# Only sides that are multiples of `2**levels` survive a round trip. The repairs, all used below:
#
# 1. **Pad, then crop.** `ZeroPadding2D` up to a multiple of the total stride, then `Cropping2D`
#    back to `H x W`. In Keras the sizes are known when the model is built, so this is plain
#    arithmetic on `height` and `width`.
# 2. **Follow the encoder's sizes.** Record the size of every level on the way down and upsample
#    to exactly that size: `Conv2DTranspose` with the matching `output_padding`.
# 3. **Match each skip.** Pad or crop the upsampled map to the encoder map before `Concatenate`.
# 4. **Resize at the end.** `layers.Resizing(height, width)` always gives the right shape but
#    stretches the image slightly; fine for a demo, not for pixel-exact work.

# %% [markdown]
# ## Exercise 1 (4 points)
#
# The stride-3 autoencoder as a builder. Built for a side under 9 it raises at once: the second
# `MaxPooling2D` has no whole 3 x 3 window left and says so while the model is built (checked below
# on 8 x 8). Every larger side builds without a word, and comes back at the input size only when it
# is a multiple of 9 (81 below):

# %% kind="readonly" grade_id="broken-stride3-ae"
def build_broken_stride3_ae(height, width, channels=1):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(3),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(3),
        layers.UpSampling2D(3), layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.UpSampling2D(3), layers.Conv2D(channels, 3, padding="same"),
    ])


for side in (28, 100, 128, 31, 81):
    print(side, "->", build_broken_stride3_ae(side, side).output_shape[1:3])
with expect_error(ValueError, contains=["MaxPooling2D", "Computed output size would be zero or negative"]):
    build_broken_stride3_ae(8, 8)      # 8 -> 2, and a 3 x 3 window does not fit in 2 x 2

# %% [markdown]
# Write `build_autoencoder(height, width, channels=1)`, returning a Keras model (functional or
# Sequential) that
#
# - maps `(N, height, width, channels)` to exactly `(N, height, width, channels)` for **any**
#   `height` and `width` (28 x 28, 31 x 31, 27 x 40 and 128 x 128 are tested below, with batches
#   of 1 to 3; the hidden tests try other sizes and batch sizes) and any batch size;
# - really compresses: somewhere inside, the feature maps are at most
#   `ceil(height/4) x ceil(width/4)` (two halvings);
# - computes with its own weights: every layer is created once, when the model is built (never
#   inside a `call` method), so that training updates it.
#
# Any repair from the list above works, with layers or with `keras.ops` calls in a functional
# model: the test measures the output of every layer and op. The training cell at the end trains
# your model on grayscale microscopy and photo patches of an odd size, 31 x 31.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the round-trip table in "Read the traceback": which sides come back unchanged after two
# halvings, and which do not? Then pick one repair from the list under it; in Keras, `height` and
# `width` are plain numbers when you build the model. A failing test names the input size and the
# size your model gave back.
# </details>

# %% kind="answer" grade_id="ex1-exact-size-autoencoder"
def build_autoencoder(height, width, channels=1):
    ### BEGIN SOLUTION
    pad_h, pad_w = -height % 4, -width % 4          # up to a multiple of 4 (two halvings)
    inputs = keras.Input((height, width, channels))
    x = layers.ZeroPadding2D(((0, pad_h), (0, pad_w)))(inputs)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(channels, 3, padding="same")(x)
    outputs = layers.Cropping2D(((0, pad_h), (0, pad_w)))(x)
    return keras.Model(inputs, outputs)
    ### END SOLUTION


# %% kind="test" grade_id="ex1-exact-size-autoencoder-test" points=4
def smallest_map(model, shape):
    """The smallest height and width of any layer's or op's output when the model runs on `shape`.

    A functional model lists `keras.ops` calls (ops.max_pool, ops.image.resize, slicing) among its
    operations, not its layers; Sequential models have layers only.
    """
    outs = []
    for layer in getattr(model, "operations", model.layers):
        try:
            out = layer.output
        except (AttributeError, ValueError):
            continue
        if hasattr(out, "shape") and len(out.shape) == 4:
            outs.append(out)
    check_true(outs, "no layer produced a 4-D feature map; build the model with the functional API or Sequential")
    maps = keras.Model(model.inputs, outs)([np.zeros(shape, dtype=np.float32)])
    maps = maps if isinstance(maps, (list, tuple)) else [maps]
    return min(m.shape[1] for m in maps), min(m.shape[2] for m in maps)


ae = ck.build_block(build_autoencoder, 28, 28)
check_true(isinstance(ae, keras.Model), f"build_autoencoder should return a keras.Model, got {type(ae).__name__}")
# 31 is odd and 27 x 40 is not square: neither is a multiple of 4, as 28 and 128 are.
for (hh, ww), batch in [((28, 28), 2), ((31, 31), 1), ((27, 40), 3), ((128, 128), 2)]:
    ck.check_output_shapes(ck.build_block(build_autoencoder, hh, ww), [((batch, hh, ww, 1), (batch, hh, ww, 1))],
                           name=f"build_autoencoder({hh}, {ww}) output")
ck.check_output_shapes(ck.build_block(build_autoencoder, 31, 31, 3), [((2, 31, 31, 3), (2, 31, 31, 3))],
                       name="build_autoencoder(31, 31, 3) output")
ck.check_uses_its_weights(ae, (2, 28, 28, 1), "build_autoencoder(28, 28)")
for hh, ww in [(28, 28), (27, 40)]:
    h, w = smallest_map(ae if (hh, ww) == (28, 28) else ck.build_block(build_autoencoder, hh, ww), (1, hh, ww, 1))
    check_true(h <= math.ceil(hh / 4) and w <= math.ceil(ww / 4),
               f"the smallest feature map for a {hh} x {ww} input is {h} x {w}; it must be at most "
               f"{math.ceil(hh / 4)} x {math.ceil(ww / 4)} (two halvings)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
for hh, ww in [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]:
    model = ck.build_block(build_autoencoder, hh, ww)
    ck.check_output_shapes(model, [((b, hh, ww, 1), (b, hh, ww, 1)) for b in (1, 7)],
                           name=f"build_autoencoder({hh}, {ww}) output")
    h, w = smallest_map(model, (1, hh, ww, 1))
    check_true(h <= math.ceil(hh / 4) and w <= math.ceil(ww / 4),
               f"the smallest feature map for a {hh} x {ww} input is {h} x {w}; it must be at most "
               f"{math.ceil(hh / 4)} x {math.ceil(ww / 4)}")
ck.check_output_shapes(build_autoencoder(33, 27, 3), [((7, 33, 27, 3), (7, 33, 27, 3))], name="3-channel autoencoder")
patches, _ = data.gray_patches(n=23, size=27)
model = build_autoencoder(27, 27)
for xb in data.batches(patches, batch_size=10):   # 10, 10 and a partial 3
    check_shape(model(xb, training=False), xb.shape, name=f"autoencoder output for a batch of {len(xb)}")
predicted = model.predict(patches, batch_size=10, verbose=0)
check_shape(predicted, patches.shape, name="predict over 23 patches, batches of 10")
print("hidden tests passed")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# Repair the skip connections of `build_skip_ae` (defined in "Reproduce the error") without
# touching it: write `match_to(x, ref)`, which returns `x` with its own batch size and channels but
# the height and width of `ref`. `build_skip_ae(height, width, fix=match_to)` calls it on every
# upsampled map before `Concatenate`.
#
# `x` and `ref` have known heights and widths (`x.shape[1]`, `x.shape[2]`). The upsampled map can be
# smaller than the encoder map (6 vs 7 after `'valid'` pooling) or larger (8 vs 7 after `'same'`
# pooling), and height and width can be off by different amounts. Keep the values of `x` (pad,
# crop or resize; do not return zeros), each in its own channel: only height and width change. Your function must work on symbolic `keras.Input` tensors
# and on real (eager) tensors alike: Keras layers do both.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `Concatenate` message in "Read the traceback" and the `'valid'`/`'same'` pooling cell
# at the end of section 4: the upsampled map can be short on one axis and long on the other.
# Compare heights and widths separately; repair 3 in the list after the round-trip table names the
# layers for each case.
# </details>

# %% kind="answer" grade_id="ex2-match-skip-size"
def match_to(x, ref):
    ### BEGIN SOLUTION
    dh = ref.shape[1] - x.shape[1]
    dw = ref.shape[2] - x.shape[2]
    if dh > 0 or dw > 0:   # too small: pad bottom/right
        x = layers.ZeroPadding2D(((0, max(dh, 0)), (0, max(dw, 0))))(x)
    if dh < 0 or dw < 0:   # too large: crop bottom/right
        x = layers.Cropping2D(((0, max(-dh, 0)), (0, max(-dw, 0))))(x)
    return x
    ### END SOLUTION


# %% kind="test" grade_id="ex2-match-skip-size-test" points=3
def check_match(x_shape, ref_shape):
    expected = x_shape[:1] + ref_shape[1:3] + x_shape[3:]
    sym = ck.build_block(match_to, keras.Input(x_shape[1:]), keras.Input(ref_shape[1:]),
                         name=f"match_to on keras.Input tensors {x_shape} and {ref_shape}")
    check_shape(sym, (None,) + expected[1:], name=f"match_to on keras.Input tensors {x_shape} and {ref_shape}")
    x = ops.convert_to_tensor(np.random.default_rng(0).random(x_shape, dtype=np.float32))
    ref = ops.zeros(ref_shape)
    out = match_to(x, ref)
    check_shape(out, expected, name=f"match_to(x {x_shape}, ref {ref_shape})")
    check_true(float(ops.max(ops.abs(match_to(x + 1.0, ref) - out))) > 0,
               f"match_to(x {x_shape}, ...) must keep the values of x, not replace them")
    # every value of channel k is k + 1: padding adds zeros, cropping and resizing keep k + 1
    marked = np.broadcast_to(np.arange(1, x_shape[3] + 1, dtype=np.float32), x_shape).copy()
    kept = np.asarray(match_to(ops.convert_to_tensor(marked), ref))
    stray = [k for k in range(x_shape[3])
             if not np.all(np.isclose(kept[..., k], 0.0, atol=1e-4) | np.isclose(kept[..., k], k + 1.0, atol=1e-4))]
    check_true(not stray, f"match_to(x {x_shape}, ref {ref_shape}): channel {stray[0] if stray else None} of the "
               "output holds values of other channels; change only height and width (a reshape to another "
               "layout reorders the numbers, it does not move an axis)")


check_match((2, 6, 6, 32), (2, 7, 7, 32))          # smaller than the skip: 6 vs 7
check_match((2, 8, 8, 8), (2, 7, 7, 8))            # larger than the skip: crop
check_match((1, 12, 20, 4), (1, 13, 19, 4))        # height short by 1, width long by 1
for (hh, ww), batch in [((28, 28), 2), ((27, 40), 1)]:
    ck.check_output_shapes(ck.build_block(build_skip_ae, hh, ww, fix=match_to, name=f"build_skip_ae({hh}, {ww}, fix=match_to)"),
                           [((batch, hh, ww, 1), (batch, hh, ww, 1))],
                           name=f"build_skip_ae({hh}, {ww}, fix=match_to) output")
print("visible tests passed")
### BEGIN HIDDEN TESTS
check_match((2, 8, 8, 8), (2, 7, 7, 4))          # larger than the skip: crop
check_match((1, 20, 12, 4), (1, 19, 13, 4))      # one axis long, the other short
check_match((7, 5, 9, 3), (7, 5, 9, 3))          # already equal
check_match((7, 24, 24, 16), (7, 25, 27, 16))
for hh, ww in [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]:
    ck.check_output_shapes(build_skip_ae(hh, ww, fix=match_to), [((b, hh, ww, 1), (b, hh, ww, 1)) for b in (1, 7)],
                           name=f"build_skip_ae({hh}, {ww}, fix=match_to) output")
ck.check_output_shapes(build_skip_ae(45, 30, 3, fix=match_to), [((7, 45, 30, 3), (7, 45, 30, 3))],
                       name="3-channel build_skip_ae(45, 30, fix=match_to) output")
patches, _ = data.gray_patches(n=23, size=27)
skip_ae = build_skip_ae(27, 27, fix=match_to)
for xb in data.batches(patches, batch_size=10):
    check_shape(skip_ae(xb, training=False), xb.shape, name=f"skip autoencoder output for a batch of {len(xb)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# `build_strided_ae` downsamples with stride-2 convolutions (`'same'`: `n -> ceil(n/2)`) and
# upsamples with a function you pass in as `up(x, size, filters)`. It records the size of every
# level on the way down and asks for exactly that size on the way up. The naive `up` uses
# `Conv2DTranspose(..., strides=2, padding='same')`, which always doubles, so 28 comes back as 32:

# %% kind="readonly" grade_id="broken-strided-ae"
def naive_up(x, size, filters):
    return layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)  # ignores `size`


def build_strided_ae(height, width, channels=1, up=naive_up):
    inputs = keras.Input((height, width, channels))
    x, sizes = inputs, []
    for filters in (16, 32, 32):
        sizes.append((x.shape[1], x.shape[2]))
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(x)
    for filters, size in zip((32, 16, 8), reversed(sizes)):
        x = up(x, size, filters)
    return keras.Model(inputs, layers.Conv2D(channels, 3, padding="same")(x))


print(ck.trace(build_strided_ae(28, 28), (None, 28, 28, 1)))
check_shape(build_strided_ae(28, 28).output_shape, (None, 32, 32, 1), name="strided autoencoder with naive_up")
print("7 -> 4 rounds up, 4 -> 8 overshoots 7, and the later doublings carry the extra pixel on to 32")

# %% [markdown]
# Write `upsample_to(x, size, filters)`: apply a learned `layers.Conv2DTranspose(filters, 3,
# strides=2, ...)` to `x` so that the result is exactly `(N, *size, filters)`. `size` is a
# `(height, width)` pair; each side is `2n - 1` or `2n` for an input side `n`, and the two sides may
# differ. The input's sizes are known: `x.shape[1]`, `x.shape[2]`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read section 5 of "Reproduce the error", "Conv2DTranspose and `output_padding`": the sizes
# printed there for a 3 x 3 input and the formula for a 3 x 3 kernel. Work out, per axis, what the
# layer must add to reach the size you are asked for.
# </details>

# %% kind="answer" grade_id="ex3-transposed-output-size"
def upsample_to(x, size, filters):
    ### BEGIN SOLUTION
    # padding='same', kernel 3 (odd), output_padding p: 2n - 1 + p
    output_padding = (size[0] - (2 * x.shape[1] - 1), size[1] - (2 * x.shape[2] - 1))
    return layers.Conv2DTranspose(filters, 3, strides=2, padding="same", output_padding=output_padding,
                                  activation="relu")(x)
    ### END SOLUTION


# %% kind="test" grade_id="ex3-transposed-output-size-test" points=3
def check_up(n_shape, size, filters):
    x = keras.Input(n_shape)
    out = ck.build_block(upsample_to, x, size, filters, name=f"upsample_to(Input({n_shape}), {size}, {filters})")
    check_shape(out, (None,) + tuple(size) + (filters,), name=f"upsample_to(Input({n_shape}), {size}, {filters})")
    check_true(len(keras.Model(x, out).trainable_weights) > 0,
               "upsample_to should apply a learned (transposed) convolution")


check_up((3, 3, 8), (5, 5), 4)
check_up((3, 3, 8), (6, 6), 4)
check_up((3, 3, 8), (5, 6), 4)      # the two sides differ
check_up((4, 6, 8), (8, 11), 4)     # a non-square input
for (hh, ww), batch in [((28, 28), 2), ((27, 40), 3)]:
    ck.check_output_shapes(ck.build_block(build_strided_ae, hh, ww, up=upsample_to,
                                          name=f"build_strided_ae({hh}, {ww}, up=upsample_to)"),
                           [((batch, hh, ww, 1), (batch, hh, ww, 1))],
                           name=f"build_strided_ae({hh}, {ww}, up=upsample_to) output")
print("visible tests passed")
### BEGIN HIDDEN TESTS
for n_shape, size, filters in [((3, 3, 8), (5, 6), 3), ((3, 3, 8), (6, 5), 3), ((10, 10, 2), (19, 20), 5),
                               ((1, 1, 4), (2, 1), 2), ((4, 6, 8), (8, 11), 3), ((14, 14, 1), (28, 27), 1)]:
    check_up(n_shape, size, filters)
for hh, ww in [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]:
    ck.check_output_shapes(build_strided_ae(hh, ww, up=upsample_to), [((b, hh, ww, 1), (b, hh, ww, 1)) for b in (1, 7)],
                           name=f"build_strided_ae({hh}, {ww}, up=upsample_to) output")
patches, _ = data.gray_patches(n=23, size=27)
strided = build_strided_ae(27, 27, up=upsample_to)
for xb in data.batches(patches, batch_size=10):
    check_shape(strided(xb, training=False), xb.shape, name=f"strided autoencoder output for a batch of {len(xb)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your Exercise 1 autoencoder, trained on 31 x 31 grayscale patches cut from the microscopy,
# medical-style and classic test images that scikit-image ships (31 is odd and not a multiple of 4).
# Training patches come from the left 70% of each image, held-out patches from the rest. The
# trivial baseline predicts the mean training pixel everywhere; a working autoencoder must beat it
# by far.

# %%
train_x, _ = data.gray_patches(n=1200, size=31, split="train")
test_x, _ = data.gray_patches(n=300, size=31, split="test")
baseline_mse = float(np.mean((test_x - train_x.mean()) ** 2))

ck.seed(0)                      # same initial weights on every run
model = build_autoencoder(31, 31)
result = ck.train(model, train_x, train_x, loss="mse", steps=150, batch_size=32, lr=3e-3)
recon_x = ck.predict(model, test_x)
test_mse = float(np.mean((recon_x - test_x) ** 2))
print(f"held-out MSE {test_mse:.4f}   (baseline, predicting the mean pixel: {baseline_mse:.4f})")
plots.image_grid(test_x, recon_x, titles=["held-out patch", "reconstruction"]);

# %% kind="test" grade_id="train-autoencoder-test" points=2
needs("result", "recon_x", "test_mse", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_shape(recon_x, test_x.shape, name="reconstructions of the held-out patches")
check_at_most(test_mse, 0.25 * baseline_mse, name="held-out reconstruction MSE",
              hint=f"a quarter of the mean-pixel baseline ({baseline_mse:.4f}) is needed")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each output shape without running anything: write it as a tuple such as
# `(2, 5, 5, 8)` (a list counts too) in place of `None`, then run the test cell, which runs the real
# layers and prints, per question, your prediction and the real shape. The formulas are in
# "Reproduce the error" (sections 1, 3 and 5).

# %% kind="answer" grade_id="self-check"
predictions = {
    "MaxPooling2D(3) on (4, 128, 128, 8)": None,
    "Conv2D(16, 3, strides=2, padding='same') on (2, 31, 31, 1)": None,
    "Conv2DTranspose(8, 3, strides=2, padding='same') on (2, 16, 16, 16)": None,
    "Conv2DTranspose(8, 3, strides=2, padding='same', output_padding=0) on (2, 16, 16, 16)": None,
    "MaxPooling2D(2) on (1, 7, 9, 32)": None,
}
### BEGIN SOLUTION
predictions = {
    "MaxPooling2D(3) on (4, 128, 128, 8)": (4, 42, 42, 8),
    "Conv2D(16, 3, strides=2, padding='same') on (2, 31, 31, 1)": (2, 16, 16, 16),
    "Conv2DTranspose(8, 3, strides=2, padding='same') on (2, 16, 16, 16)": (2, 32, 32, 8),
    "Conv2DTranspose(8, 3, strides=2, padding='same', output_padding=0) on (2, 16, 16, 16)": (2, 31, 31, 8),
    "MaxPooling2D(2) on (1, 7, 9, 32)": (1, 3, 4, 32),
}
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
_questions = {
    "MaxPooling2D(3) on (4, 128, 128, 8)": (layers.MaxPooling2D(3), (4, 128, 128, 8)),
    "Conv2D(16, 3, strides=2, padding='same') on (2, 31, 31, 1)":
        (layers.Conv2D(16, 3, strides=2, padding="same"), (2, 31, 31, 1)),
    "Conv2DTranspose(8, 3, strides=2, padding='same') on (2, 16, 16, 16)":
        (layers.Conv2DTranspose(8, 3, strides=2, padding="same"), (2, 16, 16, 16)),
    "Conv2DTranspose(8, 3, strides=2, padding='same', output_padding=0) on (2, 16, 16, 16)":
        (layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=0), (2, 16, 16, 16)),
    "MaxPooling2D(2) on (1, 7, 9, 32)": (layers.MaxPooling2D(2), (1, 7, 9, 32)),
}
check_predictions(predictions, {question: ("output shape", layer(np.zeros(shape, dtype=np.float32)))
                                for question, (layer, shape) in _questions.items()})


# %% [markdown]
# ## Summary
#
# - `'valid'` convolutions and pooling round down (`floor((n - k) / s) + 1`), `'same'` ones round up
#   (`ceil(n / s)`). `128 -> 42 -> 126` with stride 3; `7 -> 3 -> 6` with stride 2. Only multiples of
#   the total stride survive a round trip.
# - Keras builds such a model without complaint: the loss fails at `fit` (`target and output must
#   have the same shape` / `Dimensions must be equal`); a skip fails at `Concatenate`, at build time
#   for a fixed input size and at call time for `None`.
# - `'same'` padding is no cure: on an odd side, pool + upsample loses a pixel, stride +
#   `Conv2DTranspose` gains one.
# - `Conv2DTranspose(padding='same', strides=2)` gives `2n` with `output_padding=None`; with
#   `output_padding=p` it gives `2n - 1 + p` for an odd kernel and `2n - 2 + p` for an even one
#   (and an even kernel with `p = 0` fails on the first batch). `p` must be smaller than the stride,
#   checked when the layer is created.
# - Exact-size fixes: `ZeroPadding2D` + `Cropping2D`, `output_padding` from recorded sizes,
#   pad/crop each skip to its partner; test them on odd and non-square sizes, not only on 28 and 128.
