# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 04 · The batch dimension (Keras)
#
# Axis 0 of every tensor in a Keras model is the **batch**, the `None` in `(None, 28, 28, 1)`.
# It is the one axis whose size changes while the model runs: 64 during training, 1 when you classify
# a single image, 8 for the last, partial batch of `predict`. Code that forgets the batch axis,
# bakes in one batch size or squeezes it away works on the batch you tried and breaks (or silently
# computes something else) on the next one.

# %% [markdown]
# ## Learning goals
#
# - Run a model on one sample: add the batch axis (`x[None]`, `np.expand_dims(x, 0)`), and know what
#   Keras 3 does with a `(28, 28, 1)` image when it expects `(None, 28, 28, 1)`.
# - Flatten per sample (`Flatten`, `Reshape((-1,))`) instead of over the batch or with a hard-coded
#   batch size, which fails on the last partial batch of `predict` and `fit`.
# - Know what `BatchNormalization` does with a batch of one in training (no error: worse).
# - Keep the batch axis when squeezing, and catch `(N, 1)` vs `(N,)` broadcasting in your own
#   metric code (Keras's own losses line the ranks up for you).

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import numpy as np

from course import keras as ck  # first: it loads TensorFlow with its C++ start-up lines muted
from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true, data,
                    expect_error, needs)
from course import plots

import keras  # noqa: E402  (already loaded by course.keras)
import tensorflow as tf  # noqa: E402
from keras import layers, ops  # noqa: E402

ck.seed(0)
print(ck.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# ### One sample without a batch axis
#
# A digit classifier built for `(None, 28, 28, 1)` gets one digit to classify. Taken out of the data
# set, that digit has shape `(28, 28, 1)`: no batch axis.

# %% kind="readonly" grade_id="repro-data"
X_test, y_test = data.digits("test")              # 1,000 real digits, (N, 28, 28, 1)
one = X_test[0]
print("the test set:", X_test.shape, "  one digit:", one.shape)

def make_digit_net():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),                     # (None, 14, 14, 8)
        layers.Flatten(),                          # (None, 1568)
        layers.Dense(10),
    ])


print("the model expects", make_digit_net().input_shape)

# %% [markdown]
# Without the batch axis, Keras 3 does **not** simply refuse. A model built with `keras.Input`
# compares ranks: when the input has one axis fewer than expected *and* the expected last axis is 1,
# it appends an axis of size 1. `(28, 28, 1)` becomes `(28, 28, 1, 1)`: **28 images**, each 28 pixels
# high and 1 pixel wide. The convolution accepts that, and the error only comes at the pooling layer,
# which cannot take a 2×2 window out of a 1-pixel-wide image. Adding the batch axis fixes it.
#
# The message depends on history. `predict` compiles a function for the input shapes it has seen;
# once it has run on 4-D batches, a 3-D input makes it retrace for inputs of *any* rank, the rank
# fix-up cannot run on an unknown rank, and the same mistake now reads
# `Cannot take the length of shape with unknown rank`, with no shape in it at all.

# %% kind="readonly" grade_id="repro-one-sample"
digit_net = make_digit_net()
with expect_error(ValueError, shapes=[(28, 28, 1, 8)]):
    digit_net.predict(one, verbose=0)                           # a fresh model
fixed = digit_net.predict(np.expand_dims(one, 0), verbose=0)    # one[None] does the same
check_shape(fixed, (1, 10), name="one digit with a batch axis")
with expect_error(ValueError, contains=["unknown rank"]):
    digit_net.predict(one, verbose=0)                           # the same mistake, after a batched call

# %% [markdown]
# **Silent: 28 predictions for one digit.** A model without pooling (strided convolution, then
# global pooling) has nothing that refuses the 1-pixel-wide images, and returns one prediction per
# *row* of the digit (here called directly, `gap_net(one)`). The figure lines up the shapes with the
# role the model gives their axes, without and with the batch axis:

# %% kind="readonly" grade_id="repro-one-sample-silent"
def make_gap_net():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(10),
    ])


gap_net = make_gap_net()
rows = gap_net(one)
check_shape(rows, (28, 10), name="gap_net on one unbatched digit")
print("one digit in, predictions out:", rows.shape)
batched = gap_net(one[None])
check_shape(batched, (1, 10), name="gap_net on one digit with a batch axis")
plots.axis_rows([("one", one.shape, ("H", "W", "C")),
                 ("gap_net(one)", tuple(rows.shape), ("!N (was H)", "classes")),
                 ("one[None]", one[None].shape, ("N", "H", "W", "C")),
                 ("gap_net(one[None])", tuple(batched.shape), ("N", "classes"))]);

# %% [markdown]
# The rank fix-up only applies when the missing axis could be a trailing 1. A colour image
# `(16, 16, 3)` is refused with a message that names both shapes, and a bare layer with no
# `keras.Input` in front refuses a rank-3 input too:

# %% kind="readonly" grade_id="repro-one-sample-colour"
rgb_net = keras.Sequential([keras.Input((16, 16, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D(),
                            layers.Dense(6)])
patch = data.color_patches(n=1, size=16)[0][0]                  # (16, 16, 3)
with expect_error(ValueError, shapes=[(None, 16, 16, 3), (16, 16, 3)]):
    rgb_net.predict(patch, verbose=0)
with expect_error(ValueError, shapes=[4, 3, (28, 28, 1)], contains=["min_ndim"]):
    layers.Conv2D(8, 3)(one)
_ = check_shape(rgb_net.predict(patch[None], verbose=0), (1, 6), name="colour patch with a batch axis")

# %% [markdown]
# ### Flattening over the batch axis
#
# `Flatten()` and `Reshape((-1,))` never touch the batch axis: their target shape is *per sample*.
# A hand-written `ops.reshape` is different: its target includes the batch. `(-1,)` flattens the
# whole batch into one vector, and `(32, -1)` types in a batch size. Keras builds the model with an
# unknown batch (`None`), so both are caught while the model is built, at the `Dense` after them:

# %% kind="readonly" grade_id="repro-flatten-batch"
def net_with(flatten):
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, padding="same"),
                             layers.MaxPooling2D(), flatten, layers.Dense(10)])


with expect_error(ValueError, shapes=[(None,)], contains=["min_ndim=2"]):
    net_with(layers.Lambda(lambda t: ops.reshape(t, (-1,))))
with expect_error(ValueError, shapes=[(None, 10)], contains=["fully-defined"]):
    net_with(layers.Lambda(lambda t: ops.reshape(t, (32, -1))))
for good in (layers.Flatten(), layers.Reshape((-1,))):
    print(f"{type(good).__name__:8s} ->", net_with(good).output_shape)

# %% [markdown]
# ### A hard-coded batch size and the last partial batch
#
# Typing the *whole* target shape in, `(32, 784)`, gets past the build: the model now believes
# its batch is always 32. It works for every full batch. The test set has 1,000 digits;
# 1,000 = 31 × 32 + 8, so `predict(..., batch_size=32)` ends with a batch of 8. The figure draws
# the batches a `tf.data` pipeline with `batch(32)` really hands over, the last one in red.

# %% kind="readonly" grade_id="broken-digit-net"
BATCH_SIZE = 32


def build_broken_model(n_outputs=10):
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),   # (None, 14, 14, 8)
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),  # (None, 7, 7, 16)
        layers.Lambda(lambda t: ops.reshape(t, (BATCH_SIZE, 7 * 7 * 16))),  # BUG: a constant batch
        layers.Dense(n_outputs),
    ])


# %% kind="readonly" grade_id="repro-partial-batch"
broken = build_broken_model()
check_equal((len(X_test) // 32, len(X_test) % 32), (31, 8), "full batches of 32 and the size of the last one")
check_shape(broken.predict(X_test[:64], batch_size=32, verbose=0), (64, 10), name="two full batches")
# TensorFlow's graph errors run to dozens of lines of internal frames; print only the line that counts.
with expect_error(tf.errors.InvalidArgumentError, quiet=True,  # 6272 = 8 x 784, 25088 = 32 x 784
                  contains=["Input to reshape is a tensor with 6272 values", "requested shape has 25088"]) as err:
    broken.predict(X_test, batch_size=32, verbose=0)
print("predict raised InvalidArgumentError:", next(ln.strip() for ln in err.message.splitlines() if "requested shape" in ln))
done = []
broken.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
count_batches = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: done.append(batch))
with expect_error(tf.errors.InvalidArgumentError, quiet=True,
                  contains=["Input to reshape is a tensor with 6272 values", "requested shape has 25088"]) as err:
    broken.fit(X_test, y_test, batch_size=32, epochs=1, verbose=0, callbacks=[count_batches])
print("fit raised InvalidArgumentError:", next(ln.strip() for ln in err.message.splitlines() if "requested shape" in ln))
print(f"fit trained {len(done)} batches, then crashed on the last one")
check_equal(len(done), 31, "batches trained before the crash")
sizes = [int(b.shape[0]) for b in tf.data.Dataset.from_tensor_slices(X_test).batch(32)]
check_equal((len(sizes), sizes[-1]), (32, 8), "number of batches and size of the last one")
plots.batch_sizes(sizes, batch_size=32, title="1,000 test digits, batch(32): 31 full batches, then 8");

# %% [markdown]
# A subclassed model, built on its first real batch, accepts `ops.reshape(x, (BATCH_SIZE, -1))`
# as well. Then the reshape "succeeds" on the last batch (8 × 784 values make 32 rows of 196) and the
# error comes from the `Dense` matrix multiplication instead:

# %% kind="readonly" grade_id="repro-partial-batch-subclass"
class BrokenSubclass(keras.Model):
    def __init__(self):
        super().__init__()
        self.features = keras.Sequential([layers.Conv2D(8, 3, padding="same", activation="relu"),
                                          layers.MaxPooling2D(),
                                          layers.Conv2D(16, 3, padding="same", activation="relu"),
                                          layers.MaxPooling2D()])
        self.head = layers.Dense(10)

    def call(self, x):
        return self.head(ops.reshape(self.features(x), (BATCH_SIZE, -1)))


with expect_error(tf.errors.InvalidArgumentError, shapes=[(32, 196), (784, 10)], quiet=True) as err:
    BrokenSubclass().predict(X_test, batch_size=32, verbose=0)
print("predict raised InvalidArgumentError:", next(ln.strip() for ln in err.message.splitlines() if "In[0]" in ln))

# %% [markdown]
# ### BatchNormalization with a batch of one
#
# In training, `BatchNormalization` normalises each feature with the mean and variance **of the
# current batch**. After a `Dense` layer, a batch of one has one value per feature: it *is* the
# mean, the variance is 0, and the normalised value is 0. PyTorch raises an error here (its notebook
# shows it); Keras does not. Every sample gets the same output, no gradient reaches the layers before
# it, and the moving variance used at inference time shrinks towards 0 with every such step (by the
# layer's `momentum`, 0.99, each time).
#
# After a convolution a batch of one still has H×W values per channel, so `BatchNormalization`
# there normalises over the pixels and stays useful: two different images give different outputs.

# %% kind="readonly" grade_id="repro-batchnorm-one"
ck.seed(0)
bn_model = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.BatchNormalization(), layers.Dense(1)])
bn_layer = bn_model.layers[1]
a = np.array([[0.1, 0.2, 0.3, 0.4]], dtype="float32")
b = np.array([[5.0, -1.0, 2.0, 0.0]], dtype="float32")
normalised = bn_layer(bn_model.layers[0](a), training=True)
check_true(np.allclose(normalised, 0.0), "a batch of one normalises to 0")
check_true(np.allclose(bn_layer.moving_variance, 0.99), "one training step: moving variance 1 -> 0.99")
out_a, out_b = bn_model(a, training=True).numpy(), bn_model(b, training=True).numpy()
print("training=True,  batch of one:", out_a.ravel(), out_b.ravel(), " (the same for any input)")
print("training=False, batch of one:", bn_model(a).numpy().ravel(), bn_model(b).numpy().ravel())
check_true(np.allclose(out_a, out_b), "in training, a batch of one gives the same output for any input")
with tf.GradientTape() as tape:
    loss = ops.mean((bn_model(b, training=True) - 3.0) ** 2)
grad = tape.gradient(loss, bn_model.layers[0].kernel)
print("largest gradient on the first Dense kernel:", float(np.abs(grad).max()))
check_true(float(np.abs(grad).max()) == 0.0, "nothing before BatchNormalization learns at batch size 1")
print("moving variance after 4 training steps at batch size 1:", np.asarray(bn_layer.moving_variance)[:3].round(4), "...")
check_true(np.allclose(bn_layer.moving_variance, 0.99 ** 4), "the moving variance shrinks: 0.99 ** 4")

conv_bn = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(4, 3), layers.BatchNormalization()])
img_a, img_b = np.random.default_rng(1).normal(size=(2, 1, 6, 6, 1)).astype("float32")
check_true(not np.allclose(conv_bn(img_a, training=True), conv_bn(img_b, training=True)),
           "after a convolution, a batch of one still gives different outputs for different images")

# %% [markdown]
# The trap is `BatchNormalization` on features (after `Dense`/`Flatten`) trained with
# `batch_size=1`, or a last batch of one in `fit`.
#
# ### `squeeze()` eats the batch axis
#
# A regression model predicts `(N, 1)`. `np.squeeze` (and `ops.squeeze`) without an axis removes
# **every** axis of size 1: for a batch of one that includes the batch axis, leaving a 0-d array.
# The error comes later, where the shapes meet:

# %% kind="readonly" grade_id="repro-squeeze"
batch_preds, single_pred = np.zeros((37, 1), "float32"), np.zeros((1, 1), "float32")
check_shape(np.squeeze(single_pred), (), name="np.squeeze of (1, 1)")
check_shape(ops.squeeze(single_pred), (), name="ops.squeeze of (1, 1)")
with expect_error(ValueError, shapes=[0, 1], contains=["must have same number of dimensions"]):
    np.concatenate([batch_preds.squeeze(), single_pred.squeeze()])
with expect_error(np.exceptions.AxisError, shapes=[1], contains=["out of bounds"]):
    digit_net.predict(one[None], verbose=0).squeeze().argmax(axis=1)
check_shape(single_pred.squeeze(axis=-1), (1,), name="squeeze(axis=-1) of (1, 1)")
print("squeeze(axis=-1) keeps the batch axis:", single_pred.squeeze(axis=-1).shape)

# %% [markdown]
# ### `(N, 1)` predictions against `(N,)` targets
#
# Labels are `(N,)`; a regression model predicts `(N, 1)`. Keras 3's losses handle this: before
# computing, they squeeze or expand `y_true` and `y_pred` to the same rank, and a custom loss passed
# to `compile` receives the targets already reshaped to `(N, 1)`. So the silent `(N, N)`
# broadcasting that PyTorch's `MSELoss` only warns about does not happen inside `fit`/`evaluate`.
# It does happen in **your own** NumPy or `ops` code around the model:

# %% kind="readonly" grade_id="repro-loss-broadcast"
target = np.arange(8, dtype="float32")                     # (8,)
pred = (target + 0.5)[:, None]                             # (8, 1): every prediction off by 0.5
keras_mse = float(keras.losses.MeanSquaredError()(target, pred))
numpy_mse = float(np.mean((pred - target) ** 2))           # (8, 1) - (8,) -> (8, 8)
ops_mse = float(ops.mean(ops.square(pred - target)))
print(f"Keras loss: {keras_mse:.3f}   NumPy by hand: {numpy_mse:.3f}   ops by hand: {ops_mse:.3f}")
check_shape(pred - target, (8, 8), name="pred - target")
check_true(abs(keras_mse - 0.25) < 1e-6 and numpy_mse > 5, "hand-written MSE broadcast silently")

seen = []


def my_mse(y_true, y_pred):
    seen.append((tuple(y_true.shape), tuple(y_pred.shape)))
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


lin = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
lin.compile(loss=my_mse)
lin.evaluate(np.ones((8, 3), "float32"), target, batch_size=8, verbose=0)
print("inside compile, a custom loss sees (y_true, y_pred) shapes:", seen[-1])
check_equal(seen[-1], ((8, 1), (8, 1)), "shapes a custom loss receives in evaluate")
lin.fit(np.ones((8, 3), "float32"), target, batch_size=8, epochs=1, verbose=0)
check_equal(seen[-1], ((8, 1), (8, 1)), "shapes a custom loss receives in fit")
check_true(np.isclose(np.mean((pred[:1] - target[:1]) ** 2), 0.25), "with N = 1 both agree")

# %% [markdown]
# The last check is the trap: with a batch of one, `(1, 1) - (1,)` is `(1, 1)`, the right number.
# A metric tested on one sample looks correct.
#
# ### Activations keep every axis
#
# One of this lesson's source articles warns that an activation function may change a tensor's
# dimensions and break the layers after it. The common ones do not. ReLU, sigmoid and tanh work on
# each number alone, and softmax rescales the numbers along one axis so that they sum to 1 along it:
# all four return exactly the shape they receive, batch axis included, at any rank, and each
# sample's output depends on that sample only. Keras does have an activation that changes a shape,
# on purpose: `"glu"` (gated linear unit) splits the last axis in two halves and returns one half,
# gated by the other. What softmax *can* get wrong is the axis. `axis=0` is the batch: the shape
# stays the same, but each sample's "probabilities" now depend on the other samples of its batch,
# and for a batch of one every class gets probability 1. Keras warns about that last case only.

# %% kind="readonly" grade_id="repro-activations"
activations = {"ReLU()": layers.ReLU(), "sigmoid": layers.Activation("sigmoid"),
               "tanh": layers.Activation("tanh"), "Softmax()": layers.Softmax()}   # Softmax: axis=-1
rng = np.random.default_rng(0)
shapes_in = [(8, 10), (1, 10), (7, 5, 5, 16), (5, 24, 3)]
for name, act in activations.items():
    shapes_out = [tuple(act(rng.normal(size=shape).astype("float32")).shape) for shape in shapes_in]
    check_equal(shapes_out, shapes_in, f"{name}: output shapes")
    x = rng.normal(size=(8, 10)).astype("float32")
    check_true(np.allclose(act(x)[:1], act(x[:1])), f"{name}: sample 0 alone gives the same output")
    print(f"{name:10s}", "  ".join(f"{i} -> {o}" for i, o in zip(shapes_in, shapes_out)))
glu_out = layers.Activation("glu")(rng.normal(size=(8, 10)).astype("float32"))
check_shape(glu_out, (8, 5), name="glu on (8, 10)")
print(f"{'glu':10s} (8, 10) -> {tuple(glu_out.shape)}  (half the last axis, on purpose)")

logits = rng.normal(size=(8, 10)).astype("float32")
per_sample, over_batch = np.asarray(layers.Softmax()(logits)), np.asarray(layers.Softmax(axis=0)(logits))
check_shape(over_batch, (8, 10), name="softmax over the batch axis")   # the same shape...
print("row sums, axis=-1:", per_sample.sum(axis=1)[:4].round(3), "  axis=0:", over_batch.sum(axis=1)[:4].round(3))
check_true(np.allclose(per_sample.sum(axis=1), 1.0, atol=1e-5), "axis=-1: each sample's probabilities sum to 1")
check_true(not np.allclose(over_batch[:1], layers.Softmax(axis=0)(logits[:2])[:1]),
           "axis=0: sample 0's output changes with the rest of the batch")
from course import expect_warning  # noqa: E402

with expect_warning(UserWarning, shapes=[(1, 10)], contains=["This axis has size 1"]):
    one_row = layers.Softmax(axis=0)(logits[:1])
check_true(np.allclose(one_row, 1.0), "axis=0, batch of one: all ones")

# %% [markdown]
# ## Read the traceback
#
# `Negative dimension size caused by subtracting 2 from 1 ... input shapes: [28,28,1,8]`: the
# pooling layer received 28 "images" of 28 × 1 pixels with 8 channels. The 2 is the pooling
# window, the 1 the width it was asked to pool. A batch of 28 for a single digit means the batch
# axis is missing and Keras re-read the height as the batch.
#
# `Input to reshape is a tensor with 6272 values, but the requested shape has 25088`: 6272 = 8 × 784
# (the last batch of 8, 784 features each), 25088 = 32 × 784 (the shape typed into the code).
#
# `Matrix size-incompatible: In[0]: [32,196], In[1]: [784,10]`: `In[0]` is the input of the
# `Dense` layer as samples × features, `In[1]` its kernel, in × out. The first number of `In[0]`
# should be your batch size (8); 196 = 8 × 784 / 32 is the right number of values cut into the
# wrong number of rows.
#
# A trace with an unknown batch (`None`) shows the hard-coded batch at once: the `Lambda` row is the
# first to put **32** where the rows before it have `None`.

# %% kind="readonly" grade_id="trace-broken-net"
t = ck.trace(build_broken_model(), (None, 28, 28, 1))
print(t)
lambda_at = [row.kind for row in t.rows].index("Lambda")
check_equal(t.rows[lambda_at].output_shape, (32, 784), "the Lambda's output shape")
check_true(all(row.output_shape[0] is None for row in t.rows[:lambda_at]), "every row before it has batch None")

# %% [markdown]
# Tracing the single digit the way Keras really feeds it, `(28, 28, 1, 1)`, shows where the
# batch axis went missing: the convolution reads 28 images, and the pooling layer gives up:

# %% kind="readonly" grade_id="trace-unbatched"
t = ck.trace(digit_net, (28, 28, 1, 1))
print(t)
check_equal(t.failure.got, (28, 28, 1, 8), "what the pooling layer received")

# %% [markdown]
# ## Exercise 1 (3 points)
#
# Repair `build_broken_model`. Write `build_model(height, width, channels, n_outputs)` returning a
# model with the same layers (two blocks of 3×3 `"same"` conv + ReLU + 2×2 max-pool, with 8 and 16
# filters, then **one** `Dense` head on all `(height // 4) × (width // 4) × 16` features) that maps
# `(N, height, width, channels)` to `(N, n_outputs)` for **every** batch size `N`, including the
# last partial batch of `predict`. Only the flattening needs to change; `height` and `width` need
# not be multiples of 4. Each sample's output must depend on that sample only. (The tests also
# count the parameters, so that the head really sees every feature, and check that every layer is
# created once, when the model is built, never inside a `call` method, so that training updates it.)

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the two `InvalidArgumentError` lines of cell `repro-partial-batch`: which of the two
# numbers is the last batch, and which one did the code type in? The trace in `trace-broken-net`
# shows the row where the batch stops being `None`, and the section *Flattening over the batch axis*
# printed two layers that keep it.
#
# </details>

# %% kind="answer" grade_id="ex1-flatten-per-sample"
def build_model(height=28, width=28, channels=1, n_outputs=10):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(),                      # per sample: (None, h * w * 16)
        layers.Dense(n_outputs),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex1-flatten-per-sample-test" points=3
def _check_param_count(model, h, w, c, n):
    expected = (9 * c * 8 + 8) + (9 * 8 * 16 + 16) + ((h // 4) * (w // 4) * 16 * n + n)
    check_equal(ck.count_params(model), expected, f"trainable parameters of build_model({h}, {w}, {c}, {n})",
                hint="keep the two conv blocks (8 and 16 filters, 3x3) and one Dense head on all "
                     "(height // 4) * (width // 4) * 16 features")


ck.seed(1)
model = ck.build_block(build_model, 28, 28, 1, 10)
ck.check_output_shapes(model, [((32, 28, 28, 1), (32, 10)), ((8, 28, 28, 1), (8, 10))],
                       name="build_model(28, 28, 1, 10)")
_check_param_count(model, 28, 28, 1, 10)
check_shape(model.predict(X_test, batch_size=32, verbose=0), (1000, 10),
            name="predict on the 1,000 test digits in batches of 32 (last batch 8)")
_m = ck.build_block(build_model, 30, 18, 1, 5)             # 30x18: not square, and 30 // 4 is not 30 / 4
ck.check_output_shapes(_m, [((1, 30, 18, 1), (1, 5)), ((7, 30, 18, 1), (7, 5))], name="build_model(30, 18, 1, 5)")
_check_param_count(_m, 30, 18, 1, 5)
ck.check_uses_its_weights(_m, (2, 30, 18, 1), "build_model(30, 18, 1, 5)")
### BEGIN HIDDEN TESTS
ck.check_output_shapes(model, [((1, 28, 28, 1), (1, 10)), ((7, 28, 28, 1), (7, 10))],
                       name="build_model(28, 28, 1, 10)")
x7 = np.random.default_rng(0).random((7, 28, 28, 1), dtype=np.float32)
together, alone = np.asarray(model(x7)), np.asarray(model(x7[3:4]))
check_true(np.allclose(together[3:4], alone, atol=1e-5),
           "sample 3's output changes with the rest of the batch: the batch axis is being mixed")
for h, w, c, n in [(32, 20, 3, 1), (30, 18, 1, 5), (13, 17, 2, 3)]:
    m = ck.build_block(build_model, h, w, c, n)
    ck.check_output_shapes(m, [((1, h, w, c), (1, n)), ((7, h, w, c), (7, n))],
                           name=f"build_model({h}, {w}, {c}, {n})")
    _check_param_count(m, h, w, c, n)
    xs = np.random.default_rng(1).random((50, h, w, c), dtype=np.float32)
    check_shape(m.predict(xs, batch_size=16, verbose=0), (50, n),
                name=f"build_model({h}, {w}, {c}, {n}): predict on 50 samples in batches of 16")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# Write `predict_one(model, x)` that returns the model's output for **one** sample as a 1-D array
# of shape `(n_outputs,)`, whether `x` comes as `(H, W, C)` or already batched as `(1, H, W, C)`. The
# model is any Keras model built with `keras.Input`, in inference mode (so Dropout is off and
# BatchNormalization uses its moving statistics). The broken version trusts Keras to add the batch:

# %% kind="readonly" grade_id="broken-predict-one"
def predict_one_broken(model, x):
    return model.predict(x, verbose=0)[0]


fresh_gap_net = make_gap_net()                    # predict has not run on it yet
wrong = predict_one_broken(fresh_gap_net, one)    # no error: the output for the digit's (blank) top row
right = np.asarray(fresh_gap_net(one[None]))[0]
print("broken:", np.round(wrong[:4], 3), " right:", np.round(right[:4], 3))
check_true(not np.allclose(wrong, right), "the broken version predicts the wrong thing")
check_true(np.allclose(wrong, np.asarray(fresh_gap_net(one))[0], atol=1e-5) and one[0].max() == 0,
           "it is the prediction for row 0, a blank row")


# %% [markdown]
# <details><summary>Hint</summary>
#
# Cell `repro-one-sample-silent` shows what a model makes of a `(28, 28, 1)` digit: 28
# predictions, one per row. Look at the shape of `x` before it reaches the model, and at
# `model.input_shape` for the rank the model wants. The exercise text says which mode the model must
# run in: the training-mode calls in *BatchNormalization with a batch of one* show why it matters.
#
# </details>

# %% kind="answer" grade_id="ex2-predict-one"
def predict_one(model, x):
    ### BEGIN SOLUTION
    x = np.asarray(x)
    if x.ndim == len(model.input_shape) - 1:       # (H, W, C): add the batch axis
        x = x[None]
    return np.asarray(model(x, training=False))[0]
    ### END SOLUTION


# %% kind="test" grade_id="ex2-predict-one-test" points=2
def make_test_net(height, width, channels, n_outputs, pooling):
    """A classifier with Dropout and BatchNormalization, so that inference mode matters."""
    head = [layers.MaxPooling2D(), layers.Flatten()] if pooling == "max" else [layers.GlobalAveragePooling2D()]
    return keras.Sequential([keras.Input((height, width, channels)),
                             layers.Conv2D(8, 3, strides=1 if pooling == "max" else 2, padding="same"),
                             layers.BatchNormalization(), layers.ReLU(), *head,
                             layers.Dropout(0.5), layers.Dense(n_outputs)])


def _check_predict_one(model, x, n_outputs, label):
    expected = np.asarray(model(x.reshape((1,) + x.shape[-3:]), training=False))[0]
    got = predict_one(model, x)
    check_shape(got, (n_outputs,), name=f"predict_one({label}, x of shape {x.shape})")
    check_true(np.allclose(np.asarray(got), expected, atol=1e-5),
               f"predict_one({label}, x of shape {x.shape}): values differ from the model's output for this sample")


ck.seed(2)
_check_predict_one(make_test_net(28, 28, 1, 10, "max"), X_test[5], 10, "a Flatten model")
_check_predict_one(make_test_net(28, 28, 1, 10, "max"), X_test[5:6], 10, "a Flatten model")
_check_predict_one(make_test_net(28, 28, 1, 10, "gap"), X_test[5], 10, "a global-pooling model")
_x = np.random.default_rng(4).random((20, 24, 3), dtype=np.float32)
_check_predict_one(make_test_net(20, 24, 3, 4, "max"), _x, 4, "a 20x24x3 model")
### BEGIN HIDDEN TESTS
_check_predict_one(make_test_net(28, 28, 1, 10, "gap"), X_test[7:8], 10, "a global-pooling model")
rng = np.random.default_rng(3)
for h, w, c, n, pooling in [(20, 24, 3, 4, "max"), (9, 13, 1, 1, "gap"), (12, 12, 2, 3, "gap")]:
    m = make_test_net(h, w, c, n, pooling)
    x = rng.random((h, w, c), dtype=np.float32)
    _check_predict_one(m, x, n, f"a {h}x{w}x{c} model")
    _check_predict_one(m, x[None], n, f"a {h}x{w}x{c} model")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Write `evaluate_regression(model, X, y, batch_size=32)` for a one-output regression model (it
# predicts `(N, 1)`). Return `(predictions, mse)`: the predictions as an array of shape `(N,)` and
# their mean squared error against the labels `y` of shape `(N,)` as a float, the mean over the
# `N` samples of `(prediction - label)²`. It must work for every `N`, 1 included, and any
# `batch_size`. The broken version:

# %% kind="readonly" grade_id="broken-evaluate-regression"
def evaluate_regression_broken(model, X, y, batch_size=32):
    preds = model.predict(X, batch_size=batch_size, verbose=0)    # (N, 1)
    mse = float(np.mean((preds - y) ** 2))                        # (N, 1) - (N,) -> (N, N)
    return preds.squeeze(), mse                                   # () when N == 1


def make_regressor(height=28, width=28, channels=1):
    """An untrained stand-in for a regression model; its outputs spread over a few units."""
    return keras.Sequential([keras.Input((height, width, channels)), layers.Conv2D(4, 3, strides=2),
                             layers.ReLU(), layers.Flatten(),
                             layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(stddev=0.5))])


ck.seed(4)
reg = make_regressor()
preds100 = reg.predict(X_test[:100], verbose=0)[:, 0]
labels = preds100 + np.random.default_rng(0).normal(0, 0.1, 100).astype("float32")   # nearly right
p, mse = evaluate_regression_broken(reg, X_test[:100], labels)
true_mse = float(np.mean((preds100 - labels) ** 2))
print(f"broken MSE {mse:.4f}, true MSE {true_mse:.4f}")
p1, _ = evaluate_regression_broken(reg, X_test[:1], labels[:1])
print("predictions for one sample have shape", p1.shape)


# %% [markdown]
# <details><summary>Hint</summary>
#
# Run the broken version's comments in your head: cell `repro-loss-broadcast` shows what `(N, 1) -
# (N,)` becomes, and the section *`squeeze()` eats the batch axis* what a bare `squeeze()` does when
# `N` is 1. Print the shapes of `preds`, `y` and `preds - y` for `N = 1` and `N = 5`.
#
# </details>

# %% kind="answer" grade_id="ex3-evaluate-regression"
def evaluate_regression(model, X, y, batch_size=32):
    ### BEGIN SOLUTION
    preds = model.predict(X, batch_size=batch_size, verbose=0)[:, 0]   # (N, 1) -> (N,)
    y = np.asarray(y, dtype=preds.dtype).reshape(-1)
    return preds, float(np.mean((preds - y) ** 2))
    ### END SOLUTION


# %% kind="test" grade_id="ex3-evaluate-regression-test" points=3
def _check_evaluate(model, X, batch_size, label, seed=0):
    expected_preds = np.asarray(model(X, training=False))[:, 0]
    # labels close to the predictions, like a trained model's: broadcasting cannot hide
    y = (expected_preds + np.random.default_rng(seed).normal(0, 0.2, len(X))).astype("float32")
    expected_mse = float(np.mean((expected_preds - y) ** 2))
    preds, mse = evaluate_regression(model, X, y, batch_size=batch_size)
    what = f"evaluate_regression on {label}, N={len(X)}, batch_size={batch_size}"
    check_shape(preds, (len(X),), name=f"{what}: predictions")
    check_true(np.allclose(np.asarray(preds), expected_preds, atol=1e-4), f"{what}: wrong predictions")
    check_true(np.isclose(float(mse), expected_mse, rtol=1e-4),
               f"{what}: MSE {float(mse):.4f}, expected {expected_mse:.4f} (did (N, 1) and (N,) broadcast?)")


ck.seed(5)
reg = make_regressor(28, 28, 1)
_check_evaluate(reg, X_test[:100], 32, "digits")
_check_evaluate(reg, X_test[:1], 32, "digits")
_check_evaluate(reg, X_test[:23], 11, "digits", seed=4)
### BEGIN HIDDEN TESTS
_check_evaluate(reg, X_test[:7], 32, "digits", seed=1)
_check_evaluate(reg, X_test[:33], 32, "digits", seed=2)
_check_evaluate(reg, X_test[:5], 1, "digits", seed=3)
_check_evaluate(reg, X_test[:23], 11, "digits", seed=4)
reg3 = make_regressor(12, 16, 3)
_check_evaluate(reg3, np.random.default_rng(6).random((9, 12, 16, 3), dtype=np.float32), 4, "a 12x16x3 model")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 (2 points)
#
# A model that learns online, one sample at a time (`batch_size=1`), cannot use
# `BatchNormalization` on its features: as shown above, a batch of one normalises every sample to
# the same output. Write `build_online_regressor(n_features)`: a model mapping `(N, n_features)` to
# `(N, 1)` with a hidden `Dense(32)` layer, that can learn from batches of one: in training mode,
# different single samples must give different outputs, and gradients must reach the first layer.
# If you keep a normalisation step, it has to work per sample. Create every layer once, when the
# model is built (never inside a `call` method), so that training updates it. The broken version:

# %% kind="readonly" grade_id="broken-online-regressor"
def build_online_regressor_broken(n_features=64):
    return keras.Sequential([keras.Input((n_features,)), layers.Dense(32), layers.BatchNormalization(),
                             layers.ReLU(), layers.Dense(1)])


def first_layer_gradient(model, x, y):
    """Largest gradient on the first Dense kernel after one training-mode step on (x, y)."""
    first = next(layer for layer in model.layers if getattr(layer, "kernel", None) is not None)
    with tf.GradientTape() as tape:
        loss = ops.mean((model(x, training=True)[:, 0] - y) ** 2)
    return float(np.abs(tape.gradient(loss, first.kernel)).max())


ck.seed(6)
online = build_online_regressor_broken(64)
xa, xb = np.random.default_rng(0).normal(size=(2, 1, 64)).astype("float32")
print("training mode, one sample each:", online(xa, training=True).numpy().ravel(), online(xb, training=True).numpy().ravel())
print("gradient on the first layer:", first_layer_gradient(online, xa, np.array([2.0], "float32")))


# %% [markdown]
# <details><summary>Hint</summary>
#
# Cell `repro-batchnorm-one` shows what goes wrong: over which axis does `BatchNormalization` take
# its mean and variance, and how many values are on that axis at batch size 1? Then re-read the
# last sentence of the exercise. Cell `broken-online-regressor` prints the two properties the test
# checks; print them for your model too.
#
# </details>

# %% kind="answer" grade_id="ex4-online-regressor"
def build_online_regressor(n_features=64):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((n_features,)),
        layers.Dense(32),
        layers.LayerNormalization(),        # statistics over the 32 features of each sample
        layers.ReLU(),
        layers.Dense(1),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex4-online-regressor-test" points=2
def _check_online(n_features, seed):
    ck.seed(seed)
    m = ck.build_block(build_online_regressor, n_features)
    ck.check_output_shapes(m, [((1, n_features), (1, 1)), ((7, n_features), (7, 1))],
                           name=f"build_online_regressor({n_features})")
    ck.check_uses_its_weights(m, (2, n_features), f"build_online_regressor({n_features})")
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(2, 1, n_features)).astype("float32")
    o1, o2 = np.asarray(m(x1, training=True)), np.asarray(m(x2, training=True))
    check_true(not np.allclose(o1, o2, atol=1e-6),
               f"build_online_regressor({n_features}): in training mode two different single samples "
               f"give the same output {o1.ravel()}: something normalises over the batch axis")
    g = first_layer_gradient(m, x1, np.array([3.0], "float32"))
    check_true(g > 0, f"build_online_regressor({n_features}): no gradient reaches the first layer at batch size 1")


_check_online(64, 0)
_check_online(10, 1)
### BEGIN HIDDEN TESTS
_check_online(10, 1)
_check_online(3, 2)
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your repaired pieces together, on real digits: `build_model` with one output learns to read a
# digit's **value** as a number (a deliberately simple regression: predicting 7 for a 7), and
# `evaluate_regression` scores the 1,000 test digits in batches of 37, so the last batch holds a
# single digit. The score is R²: 0 for always predicting the mean label, 1 for perfect predictions.

# %%
X_train, y_train = data.digits("train")
y_train = y_train.astype("float32")                       # (4000,): labels as numbers
ck.seed(0)
regressor = build_model(28, 28, 1, 1)
result = ck.train(regressor, X_train, y_train, loss="mse", steps=200, batch_size=64, lr=3e-3)
test_preds, test_mse = evaluate_regression(regressor, X_test, y_test.astype("float32"), batch_size=37)
baseline = float(np.var(y_test))
print(f"{len(X_test)} test digits = {len(X_test) // 37} x 37 + {len(X_test) % 37}")
r2 = 1 - test_mse / baseline
print(f"test MSE {test_mse:.2f} (always guessing the mean: {baseline:.2f}), R² = {r2:.2f}")
raw = ck.predict(regressor, X_test)
print(f"the same predictions scored with (N, 1) - (N,) broadcasting: {float(np.mean((raw - y_test) ** 2)):.2f}")

# %% kind="test" grade_id="train-digit-value-test" points=2
needs("result", "test_preds", "r2", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_shape(test_preds, (1000,), name="predictions for the 1,000 test digits")
check_at_least(r2, 0.3, "held-out R² of the digit-value regressor")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each shape before you run anything, then fill in `my_predictions` and run the test
# below it, which runs each layer and compares.
#
# 1. `np.expand_dims(one, 0)` for one digit `one` of shape `(28, 28, 1)`.
# 2. `layers.Flatten()` on a batch of feature maps `(7, 14, 14, 8)`.
# 3. `make_gap_net()` (cell `repro-one-sample-silent`) called on one digit `(28, 28, 1)`.
# 4. `ops.squeeze(x)` for `x` of shape `(1, 10, 1)`.
# 5. The last batch of `tf.data.Dataset.from_tensor_slices(np.zeros((100, 3))).batch(32)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question, e.g. {1: (28, 28, 1, 1), 2: ...}."""
    ### BEGIN SOLUTION
    return {1: (1, 28, 28, 1), 2: (7, 1568), 3: (28, 10), 4: (10,), 5: (4, 3)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
_digit = np.zeros((28, 28, 1), dtype="float32")
check_predictions(my_predictions(), {
    1: ("np.expand_dims(one, 0), one of (28, 28, 1)", np.expand_dims(_digit, 0)),
    2: ("Flatten() on (7, 14, 14, 8)", layers.Flatten()(np.zeros((7, 14, 14, 8), dtype="float32"))),
    3: ("make_gap_net() on one digit (28, 28, 1)", make_gap_net()(_digit)),
    4: ("ops.squeeze(x), x of (1, 10, 1)", ops.squeeze(np.zeros((1, 10, 1), dtype="float32"))),
    5: ("last batch of 100 rows in batches of 32", list(tf.data.Dataset.from_tensor_slices(np.zeros((100, 3))).batch(32))[-1]),
})


# %% [markdown]
# ## Summary
#
# - Axis 0 is the batch (`None` in a model summary), and its size changes. Test with 1, an odd size
#   like 7, and a data set whose length is not a multiple of the batch size.
# - One sample needs a batch axis: `x[None]` / `np.expand_dims(x, 0)`. Keras 3 may "fix" a missing
#   axis by appending a trailing 1, which turns one grayscale image into 28 thin ones.
# - Flatten with `Flatten()` / `Reshape((-1,))`; a batch size typed into `ops.reshape` breaks on the
#   last batch of `predict` and `fit`. A trace with a `None` batch shows the typed-in number.
# - `BatchNormalization` with a batch of one in training silently outputs a constant; use a
#   per-sample normalisation (or larger batches).
# - Name the axis you squeeze: `squeeze(axis=-1)` or `[:, 0]`.
# - Keras's losses line up `(N, 1)` and `(N,)`; your own NumPy metric does not, and a batch of
#   one cannot reveal it.
