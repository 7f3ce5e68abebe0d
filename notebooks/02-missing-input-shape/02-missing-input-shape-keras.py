# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 02 · Missing input shape (Keras)
#
# A Keras layer creates its weights the first time it sees an input, because only then does it
# know how many features arrive. A `Sequential` model whose input was never declared is therefore
# **unbuilt**: it has no weights, no parameter count and no shapes until data flows through it.
# That is not an error in itself, but it moves every shape problem to the moment you first train
# or predict, and it can leave a model stuck with the wrong shape. Recurrent layers add one more
# rule: an `LSTM` reads a 3-D batch `(samples, timesteps, features)` and nothing else.

# %% [markdown]
# ## Learning goals
#
# - Say what an unbuilt Keras 3 model can and cannot do (`summary`, `weights`, `count_params`,
#   `input`/`output`), and what builds it (`fit`, `predict`, a call, `build`).
# - Declare a model's input with `keras.Input(shape)` instead of the deprecated `input_shape=`
#   argument, and see what that buys you: parameters before training, errors at construction.
# - Feed an `LSTM` a `(samples, timesteps, features)` batch, and read the errors for 2-D input
#   (`expected ndim=3`) and for a wrong feature count (a matrix product of mismatched sizes).
# - Turn a flat 2-D table of recordings into the 3-D layout without scrambling time and features.

# %% [markdown]
# ## Setup
#
# `expect_error` / `expect_warning` run code that *should* fail (or warn), check that it does so
# the way the text claims, print the real message and let "Run All" carry on.

# %% kind="setup"
# %load_ext course
from course import keras as ck  # first: it selects the TensorFlow backend and quiets its logs

import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true, data,
                    expect_error, expect_warning, needs)
from course import plots

ck.seed(0)
print(ck.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# The data in this notebook are noisy 3-channel signals, 24 time steps each. The label (0, 1 or 2)
# is how fast the sine wave hidden in channel 0 oscillates.
#
# ### An unbuilt model: what fails and what does not
#
# Here is a classifier with no declared input. Keras cannot create the LSTM's weights yet, because
# their size depends on the number of features:

# %% kind="readonly" grade_id="repro-unbuilt"
X, y = data.sequences(n=64, timesteps=24, features=3)   # (samples, timesteps, features)
print("X:", X.shape, " y:", y.shape, " labels:", np.unique(y))

lazy = keras.Sequential([layers.LSTM(16), layers.Dense(3, activation="softmax")])
print("built:", lazy.built, " weights:", lazy.weights)
check_equal(lazy.built, False, "lazy.built")
check_equal(lazy.weights, [], "lazy.weights")   # silently empty, not an error
lazy.summary()                                  # Keras 3: no error, just "?" and "0 (unbuilt)"

# %% [markdown]
# In Keras 2, `summary()` on such a model raised "This model has not yet been built". Keras 3.15
# prints a table of question marks instead, and `weights` is an empty list: nothing fails, but
# nothing is there. The calls that *need* a size do fail:

# %% kind="readonly" grade_id="repro-unbuilt-errors"
with expect_error(ValueError, contains=["built"]):
    lazy.count_params()
with expect_error(AttributeError, contains=["no defined input shape"]):
    lazy.input_shape
with expect_error(AttributeError, contains=["never been called", "no defined output"]):
    lazy.output

# %% [markdown]
# **Data builds it.** A popular answer claims that calling a model whose first layer has no input
# shape raises a `ValueError` "because the layer has no idea what input to expect". Under Keras
# 3.15 this is not true: the first call, `predict` or `fit` *is* how the layer finds out. The model
# builds itself from that first batch, and from then on the parameters exist:

# %% kind="readonly" grade_id="repro-data-builds"
probs = lazy.predict(X[:8], verbose=0)
check_shape(probs, (8, 3), name="predictions of the lazily built model")
print("built:", lazy.built, " parameters:", lazy.count_params())
check_equal(lazy.count_params(), 4 * 16 * (3 + 16 + 1) + (16 * 3 + 3), "parameters after the first batch")
lazy.summary()   # the shapes carry batch 8: Keras recorded the first batch it saw
check_shape(lazy(X[:5]), (5, 3), name="the same model on a batch of 5")
print("a batch of 5 afterwards:", tuple(lazy(X[:5]).shape))

# %% [markdown]
# Two details worth knowing. The summary shows `(8, 16)`, the batch size of the first call; the
# model still accepts other batch sizes. And `model.input` / `model.output` raise
# `AttributeError` on a `Sequential` model even now, in Keras 3.15, with a message that says the
# model "has never been called" although it just was. Use `model.inputs[0]` and `model.outputs[0]`:

# %% kind="readonly" grade_id="repro-input-attribute"
with expect_error(AttributeError, contains=["never been called", "no defined input"]):
    lazy.input
with expect_error(AttributeError, contains=["never been called", "no defined output"]):
    lazy.output
print("lazy.inputs[0]:", lazy.inputs[0].shape, " lazy.outputs[0]:", lazy.outputs[0].shape)

# %% [markdown]
# **A failed first batch poisons the model.** Laziness has a nasty side effect. If the *first* data
# a lazy model sees has the wrong shape, here the 2-D table `(samples, 72)` that you get by
# flattening each recording, Keras records that shape before the LSTM rejects it. Fixing the data
# is then not enough: the same model refuses the correct 3-D batch too, and you must rebuild it.

# %% kind="readonly" grade_id="repro-poisoned"
flat = X.reshape(len(X), -1)                     # (64, 72): 24 time steps x 3 features in one row
poisoned = keras.Sequential([layers.LSTM(16), layers.Dense(3, activation="softmax")])
poisoned.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
with expect_error(ValueError, shapes=[72], contains=["ndim"]):
    poisoned.fit(flat, y, epochs=1, verbose=0)
with expect_error(ValueError, shapes=[72, (24, 3)]):
    poisoned.fit(X, y, epochs=1, verbose=0)      # the right data, refused
print("still unbuilt:", not poisoned.built)

# %% [markdown]
# ### `input_shape=` still works, with a warning
#
# The older fix, also the one the popular answer recommends, passes `input_shape=(timesteps,
# features)` to the first layer. Keras 3 still accepts it and builds the model, but warns (a
# `UserWarning`, issued from the layer's constructor):

# %% kind="readonly" grade_id="repro-input-shape-warning"
with expect_warning(UserWarning, contains=["input_shape", "Input(shape)"]):
    old_style = keras.Sequential([layers.LSTM(16, input_shape=(24, 3)),
                                  layers.Dense(3, activation="softmax")])
print("built:", old_style.built, " parameters:", old_style.count_params())

# %% [markdown]
# This cell shows the warning each time it runs only because `expect_warning` switches every
# warning on (`warnings.simplefilter("always")`), so that its check cannot miss one. Under Python's
# default filters a `UserWarning` is shown the first time a given line of code issues it, and
# Keras issues this one from a single line of its own (`rnn.py`, for every LSTM): build three such
# models in a row and you see it once. Both counts, measured:

# %% kind="readonly" grade_id="repro-warning-once"
def input_shape_warnings(switch_all_on):
    """The input_shape warnings that three old-style models emit, under the session's filters or 'always'."""
    with warnings.catch_warnings(record=True) as caught:   # records; changes no filter by itself
        if switch_all_on:
            warnings.simplefilter("always")                # what expect_warning does
        for _ in range(3):
            keras.Sequential([layers.LSTM(16, input_shape=(24, 3)), layers.Dense(3, activation="softmax")])
    return [w for w in caught if "input_shape" in str(w.message)]


default_seen, always_seen = input_shape_warnings(False), input_shape_warnings(True)
print(f"3 models, default filters: {len(default_seen)} warning, issued at "
      f"{default_seen[0].filename.rsplit('/', 1)[-1]}:{default_seen[0].lineno}")
print(f"3 models, 'always':        {len(always_seen)} warnings")
check_equal(len(default_seen), 1, "input_shape warnings for three models under the default filters")
check_equal(len(always_seen), 3, "input_shape warnings for three models with every warning switched on")

# %% [markdown]
# The warning names the fix: start the model with `keras.Input(shape=...)`. The shape leaves out
# the batch axis. The model is built on the spot, without a warning and without data:

# %% kind="readonly" grade_id="repro-keras-input"
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    declared = keras.Sequential([keras.Input(shape=(24, 3)),
                                 layers.LSTM(16),
                                 layers.Dense(3, activation="softmax")])
check_true(not any("input_shape" in str(w.message) for w in caught), "keras.Input should not warn")
check_equal(declared.count_params(), 1331, "parameters before any data")
check_shape(declared.inputs[0], (None, 24, 3), name="declared input")
declared.summary()

# %% [markdown]
# `keras.Input` also takes a `batch_size`. Keras 3.15 records it (`model.inputs` shows it) but
# does not enforce it: a model declared for batches of 8 runs a batch of 7 called
# directly, 13 recordings through `predict`, and a symbolic batch of 4. A declared batch size is
# therefore harmless here, but it announces a limit the model does not have.

# %% kind="readonly" grade_id="repro-declared-batch"
batch8 = keras.Sequential([keras.Input(shape=(24, 3), batch_size=8), layers.LSTM(16),
                           layers.Dense(3, activation="softmax")])
check_equal(tuple(batch8.inputs[0].shape), (8, 24, 3), "input declared with batch_size=8")
check_shape(batch8(X[:7]), (7, 3), name="a batch of 7, called directly")
check_shape(batch8.predict(X[:13], verbose=0), (13, 3), name="13 recordings through predict")
check_shape(batch8(keras.Input(shape=(24, 3), batch_size=4)), (4, 3), name="a symbolic batch of 4")
print("declared", tuple(batch8.inputs[0].shape), "- ran batches of 7, 13 and a symbolic 4")

# %% [markdown]
# ### An LSTM wants `(samples, timesteps, features)`
#
# A declared input does not make wrong data right, but it moves the check to the model's door and
# the message names both shapes, what the model was declared with and what arrived:

# %% kind="readonly" grade_id="repro-2d-into-declared"
declared.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
with expect_error(ValueError, shapes=[(None, 24, 3), 72]):
    declared.fit(flat, y, epochs=1, verbose=0)

# %% [markdown]
# **Wrong number of features.** Now the data is 3-D but has 5 channels while the LSTM was built
# for 3. Given real data (an array or a tensor), a `Sequential` model's door checks only the *rank*,
# so the batch gets in and the error surfaces deep inside the LSTM cell, as a matrix product whose
# sizes do not fit. Its exception type even depends
# on how the model runs: a direct call runs eagerly and raises TensorFlow's `InvalidArgumentError`;
# `fit` and `predict` run a compiled graph and raise `ValueError`.

# %% kind="readonly" grade_id="repro-wrong-features"
X5, y5 = data.sequences(n=8, timesteps=24, features=5)
with expect_error(tf.errors.InvalidArgumentError, shapes=[(8, 5), (3, 64)]):
    declared(X5)                                 # eager call
with expect_error(ValueError, shapes=[(3, 64)], contains=["Dimensions must be equal, but are 5 and 3"]):
    declared.fit(X5, y5, epochs=1, verbose=0)    # compiled graph

# %% [markdown]
# **Not an error: other sequence lengths.** For the same reason the declared 24 time steps are not
# enforced on real data. An LSTM's weights do not depend on the sequence length, and the
# `Sequential` door checks only the rank, so 40 time steps go through. The figure puts the declared
# input next to each batch that arrived in this section: the flattened one lacks an axis (refused at
# the door), the 5-feature one has a wrong last axis (refused inside the LSTM), the 40-step one
# differs only in an axis the LSTM's weights do not depend on (accepted).

# %% kind="readonly" grade_id="repro-other-lengths"
X40, _ = data.sequences(n=8, timesteps=40, features=3)
check_shape(declared(X40), (8, 3), name="declared(24-step model) on 40 time steps")
print("40 time steps accepted:", tuple(declared(X40).shape))
plots.axis_rows([("declared", tuple(declared.inputs[0].shape), ("samples", "timesteps", "features")),
                 ("X", X.shape, ("samples", "timesteps", "features")),
                 ("flat", flat.shape, ("samples", "!timesteps x features")),
                 ("X5", X5.shape, ("samples", "timesteps", "!features")),
                 ("X40", X40.shape, ("samples", "timesteps", "features"))]);

# %% [markdown]
# **A symbolic call checks the whole shape.** That leniency is the `Sequential` model's, with real
# data. Call the same model on a *symbolic* input, `keras.Input(...)`, as you do when you compose
# one model into a bigger one, and its door compares the whole declared shape: 5 features are
# refused there, and so are 40 time steps. A functional `keras.Model` checks the whole shape on
# real data too. If a model is meant for any length, say so with
# `keras.Input(shape=(None, features))`: that one takes the symbolic 40 steps.

# %% kind="readonly" grade_id="repro-symbolic-shape"
with expect_error(ValueError, shapes=[(None, 24, 3), (None, 24, 5)], contains=["expected shape"]):
    declared(keras.Input(shape=(24, 5)))                 # symbolic, 5 features
with expect_error(ValueError, shapes=[(None, 24, 3), (None, 40, 3)], contains=["expected shape"]):
    declared(keras.Input(shape=(40, 3)))                 # symbolic, 40 time steps
inputs = keras.Input(shape=(24, 3))
functional = keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.LSTM(16)(inputs)))
with expect_error(ValueError, shapes=[(None, 24, 3), (8, 40, 3)], contains=["expected shape"]):
    functional(X40)                                      # real data, functional model
any_length = keras.Sequential([keras.Input(shape=(None, 3)), layers.LSTM(16),
                               layers.Dense(3, activation="softmax")])
check_shape(any_length(keras.Input(shape=(40, 3))), (None, 3), name="an any-length model, symbolic 40 steps")
print("keras.Input(shape=(None, 3)) takes a symbolic (None, 40, 3):", any_length(keras.Input(shape=(40, 3))).shape)

# %% [markdown]
# ## Read the traceback
#
# Three messages, and what each number in them means:
#
# 1. `Input 0 ... of layer 'lstm' is incompatible with the layer: expected ndim=3, found ndim=2.
#    Full shape received: (32, 72)`: the LSTM wants 3 axes (samples, timesteps, features) and got
#    2. `32` is `fit`'s default batch size, and `72` is 24 time steps x 3 features squeezed into one
#    row. Which layer: the one named in the message, here the first LSTM.
# 2. `Matrix size-incompatible: In[0]: [8,5], In[1]: [3,64]`: the LSTM processes one time step at a
#    time, so `In[0]` is one step of the batch, 8 samples x **5** features. `In[1]` is the LSTM's
#    input kernel, built for **3** features, with 64 = 4 gates x 16 units columns. A matrix product
#    needs 5 == 3. The graph version says the same as `Dimensions must be equal, but are 5 and 3`.
# 3. `has already been configured to use input shape (32, 72). You cannot build it with
#    input_shape (32, 24, 3)`: the first shape is the one the model remembered from the failed
#    batch, the second is your corrected data. Rebuild the model.
#
# `ck.trace(model, shape)` pushes a symbolic batch through a `Sequential` model layer by layer and
# stops at the first layer that refuses it. With a flattened batch, the very first layer fails:

# %% kind="readonly" grade_id="trace-flat"
print(ck.trace(keras.Sequential([layers.LSTM(16), layers.Dense(3)]), (None, 72)))

# %% [markdown]
# A tip that circulates with this error is to print `layer.output_shape` for every layer. Keras 3
# layers no longer have that attribute. On a model with a declared input, each layer's symbolic
# `output` carries the shape instead (and `ck.trace` prints them all):

# %% kind="readonly" grade_id="repro-output-shape-attribute"
with expect_error(AttributeError, contains=["output_shape"]):
    declared.layers[0].output_shape
for layer in declared.layers:
    print(f"{layer.name:8s} output: {layer.output.shape}")

# %% [markdown]
# Stacked recurrent layers are a classic: an `LSTM` returns only its last hidden state, `(batch,
# units)`, unless you ask for `return_sequences=True`. The trace shows the first LSTM turning the
# 3-D sequence into a 2-D vector and the second LSTM refusing it:

# %% kind="readonly" grade_id="trace-stacked"
stacked = keras.Sequential([layers.LSTM(32), layers.LSTM(32), layers.Dense(3)])
t = ck.trace(stacked, (None, 24, 3))
check_shape(t.rows[0].output_shape, (None, 32), name="first LSTM's output (no time axis left)")
print(t)

# %% [markdown]
# A trace only knows what Keras's shape inference checks. It walks a `Sequential` model layer by
# layer, past the model's door, and a built LSTM's inference does **not** compare the feature count
# with its kernel, so the 5-feature batch passes the trace, while
# `ck.check_output_shapes`, which runs a real batch of zeros, catches it. When a trace looks
# fine and the model still fails, run real numbers:

# %% kind="readonly" grade_id="trace-blind-spot"
t5 = ck.trace(declared, (None, 24, 5))
print(t5)
check_true(t5.ok, "the symbolic trace does not see the feature mismatch")
with expect_error(AssertionError, shapes=[(8, 24, 5), (8, 5), (3, 64)], quiet=True) as real_run:
    ck.check_output_shapes(declared, [((8, 24, 5), (8, 3))])
print("check_output_shapes with a real batch:", real_run.message.split(" (InvalidArgumentError")[0])

# %% [markdown]
# ## Exercise 1 (3 points)
#
# The classifier below has no declared input, so nobody can read its parameter count or its
# shapes before training. Write
# `build_sequence_classifier(timesteps, features, n_classes, units=16)` that returns the **same
# architecture** (one `LSTM(units)`, then `Dense(n_classes,
# activation="softmax")`) already built for inputs of shape `(batch, timesteps, features)`.
# `model.count_params()` must work right after the call, before the model sees any data, and the
# model must accept any batch size. Create every layer once, when the model is built (never inside
# a `call` method), so that training updates it. The tests run real batches of several sizes, called directly
# and through `predict`; a batch size declared with `keras.Input(..., batch_size=...)` is allowed,
# since Keras 3.15 does not enforce it (`repro-declared-batch` above).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `repro-keras-input` cell and the warning that `repro-input-shape-warning` printed:
# both show a model that has its parameters before any data. A failing test names the arguments
# and the shape it expected.
# </details>

# %% kind="readonly" grade_id="broken-unbuilt-classifier"
def broken_sequence_classifier(timesteps, features, n_classes, units=16):
    return keras.Sequential([layers.LSTM(units), layers.Dense(n_classes, activation="softmax")])


with expect_error(ValueError, contains=["count_params", "isn't built"]):
    broken_sequence_classifier(24, 3, 3).count_params()

# %% kind="answer" grade_id="ex1-declare-input"
def build_sequence_classifier(timesteps, features, n_classes, units=16):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(timesteps, features)),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex1-declare-input-test" points=3
def _expected_params(features, n_classes, units):
    return 4 * units * (features + units + 1) + units * n_classes + n_classes


def _check_classifier(timesteps, features, n_classes, units, batches, predict_batch):
    name = f"build_sequence_classifier({timesteps}, {features}, {n_classes}, units={units})"
    model = ck.build_block(build_sequence_classifier, timesteps, features, n_classes, units=units, name=name)
    check_true(model.built, f"{name}: the model is not built before it sees data; declare its input "
               "with keras.Input(shape=...)")
    check_equal(model.count_params(), _expected_params(features, n_classes, units), f"parameters of {name}",
                hint="keep the architecture: one LSTM(units), then Dense(n_classes)")
    # The batch axis is not compared here: Keras 3.15 ignores a declared batch size, and the real
    # batches below are what "any batch size" means.
    check_equal(tuple(model.inputs[0].shape)[1:], (timesteps, features),
                f"{name}: the declared input without its batch axis",
                hint="declare (timesteps, features); keras.Input's shape leaves the batch axis out")
    ck.check_output_shapes(model, [((b, timesteps, features), (b, n_classes)) for b in batches], name=name)
    probs = model.predict(np.zeros((predict_batch, timesteps, features), "float32"), verbose=0)
    check_shape(probs, (predict_batch, n_classes), name=f"{name}.predict on {predict_batch} recordings")
    ck.check_uses_its_weights(model, (2, timesteps, features), name)


_check_classifier(24, 3, 3, 16, batches=[1, 7], predict_batch=7)
_check_classifier(11, 5, 4, 8, batches=[1, 7], predict_batch=7)
### BEGIN HIDDEN TESTS
_check_classifier(24, 3, 3, 16, batches=[13], predict_batch=13)   # a partial last batch (2000 = 31 x 64 + 16)
_check_classifier(10, 5, 4, 8, batches=[1, 7, 16], predict_batch=33)
_check_classifier(50, 1, 2, 4, batches=[7, 3], predict_batch=1)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# A data logger exports recordings as a 2-D table: one row per recording, and the columns grouped
# by **feature**: all time steps of feature 0, then all time steps of feature 1, and so on
# (`export_table` below shows exactly how). An LSTM needs `(samples, timesteps, features)`.
#
# The obvious `table.reshape(n, timesteps, features)` gives the right shape and the wrong data:
# `reshape` cuts the row in memory order, so it takes three consecutive *time steps* of feature 0
# and calls them "three features". Nothing raises; the model just learns from scrambled numbers.
#
# Write `to_3d(table, timesteps, features)` that returns an array of shape
# `(len(table), timesteps, features)` with `out[n, t, f] == table[n, f * timesteps + t]`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read `export_table` in the next cell: it does two things to a batch before it is a table,
# and `to_3d` must get back to the batch. The two rows printed at the end of that cell let you
# check one time step by eye.
# </details>

# %% kind="readonly" grade_id="broken-pipeline"
def export_table(X):
    """How the logger writes a batch (N, T, F): per row, feature 0's T values, then feature 1's, ..."""
    return X.transpose(0, 2, 1).reshape(len(X), -1)


def broken_to_3d(table, timesteps, features):
    return table.reshape(len(table), timesteps, features)


table = export_table(X)
scrambled = broken_to_3d(table, 24, 3)
print("table:", table.shape, " broken_to_3d:", scrambled.shape, " original:", X.shape)
check_shape(scrambled, X.shape, name="broken_to_3d output")          # the shape is right ...
check_true(not np.array_equal(scrambled, X), "... and the values are not")
print("recording 0, time step 0, as the LSTM would see it:", scrambled[0, 0])
print("what it really was (3 features):                    ", X[0, 0])

# %% kind="answer" grade_id="ex2-table-to-3d"
def to_3d(table, timesteps, features):
    ### BEGIN SOLUTION
    table = np.asarray(table)
    return table.reshape(len(table), features, timesteps).transpose(0, 2, 1)
    ### END SOLUTION


# %% kind="test" grade_id="ex2-table-to-3d-test" points=2
def _check_to_3d(n, timesteps, features, seed):
    original, _ = data.sequences(n=n, timesteps=timesteps, features=features, seed=seed)
    out = np.asarray(to_3d(export_table(original), timesteps, features))
    check_shape(out, (n, timesteps, features), name=f"to_3d(table of {n} recordings, {timesteps}, {features})")
    mismatch = np.argwhere(out != original)
    check_true(len(mismatch) == 0,
               f"to_3d({timesteps}, {features}): the shape is right but values are misplaced, first at "
               f"[n, t, f] = {tuple(int(i) for i in mismatch[0]) if len(mismatch) else None}; "
               "out[n, t, f] must be table[n, f * timesteps + t]")


_check_to_3d(7, 24, 3, seed=1)
_check_to_3d(1, 24, 3, seed=2)
_check_to_3d(7, 10, 5, seed=7)
### BEGIN HIDDEN TESTS
_check_to_3d(13, 24, 3, seed=3)
_check_to_3d(7, 10, 5, seed=4)
_check_to_3d(1, 30, 1, seed=5)
_check_to_3d(16, 8, 2, seed=6)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# The next model stacks two LSTMs and should classify sequences of **any length**. Because it
# declares its input, Keras checks every layer while the model is being built, so the bug below
# raises at construction time instead of in the middle of training (the trace above found the same
# layer). Write `build_stacked_classifier(features, n_classes, units=32)` that keeps the
# architecture (two `LSTM(units)` layers, then `Dense(n_classes, activation="softmax")`), is built
# as soon as it is created, and returns `(batch, n_classes)` probabilities for inputs
# `(batch, timesteps, features)` with any batch size and any number of time steps.
# Deleting the second LSTM is not a fix, and the second LSTM must read a real sequence: for a batch
# `(b, t, features)` it receives the first LSTM's output at every one of the `t` time steps,
# `(b, t, units)`. As in Exercise 1, every layer is created once, when the model is built. The
# tests run the model and look at what each LSTM receives.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `trace-stacked` table: compare the first LSTM's output shape with the rank the
# second one expects, and the paragraph above it on what an LSTM returns by default.
# </details>

# %% kind="readonly" grade_id="broken-stacked-classifier"
def broken_stacked_classifier(features, n_classes, units=32):
    return keras.Sequential([
        keras.Input(shape=(None, features)),          # None: any number of time steps
        layers.LSTM(units),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])


with expect_error(ValueError, shapes=[(None, 32)], contains=["ndim"]):
    broken_stacked_classifier(3, 3)

# %% kind="answer" grade_id="ex3-stacked-lstm"
def build_stacked_classifier(features, n_classes, units=32):
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None, features)),
        layers.LSTM(units, return_sequences=True),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
    ### END SOLUTION


# %% kind="test" grade_id="ex3-stacked-lstm-test" points=3
def _recurrent_inputs(model, x):
    """Run the model on x and return the input shape each recurrent layer received, in call order."""
    def recurrent(layer):
        found = []
        for sub in getattr(layer, "layers", None) or []:   # Sequential, functional or nested models
            found += [sub] if isinstance(sub, keras.layers.RNN) else recurrent(sub)
        return found

    seen, rnns = [], recurrent(model)
    for rnn in rnns:
        def spy(*args, _call=rnn.call, **kwargs):       # records the input, then runs the real call
            first = args[0] if args else kwargs.get("sequences")
            seen.append(tuple(int(d) for d in first.shape))
            return _call(*args, **kwargs)
        rnn.call = spy                                  # an instance attribute: this run only
    try:
        model(x, training=False)
    finally:
        for rnn in rnns:
            del rnn.call
    return seen


def _check_stacked(features, n_classes, units, cases):
    name = f"build_stacked_classifier({features}, {n_classes}, units={units})"
    model = ck.build_block(build_stacked_classifier, features, n_classes, units=units, name=name)
    check_true(model.built, f"{name}: not built before it sees data; declare its input")
    expected = (4 * units * (features + units + 1) + 4 * units * (2 * units + 1)
                + units * n_classes + n_classes)
    check_equal(model.count_params(), expected, f"parameters of {name}",
                hint="two LSTM(units) layers and one Dense(n_classes), nothing removed")
    ck.check_output_shapes(model, [((b, t, features), (b, n_classes)) for b, t in cases], name=name)
    b, t = max(cases, key=lambda case: case[1])         # the longest sequence of the cases
    seen = _recurrent_inputs(model, np.zeros((b, t, features), "float32"))
    check_true(len(seen) >= 2, f"{name}: expected two LSTM layers to run on a batch, {len(seen)} did")
    check_equal(seen[1][:2], (b, t), f"{name}: batch and time axes of the second LSTM's input, for a batch "
                f"{(b, t, features)}", hint="the second LSTM must read the first one's output at every time step")
    x = np.random.default_rng(0).normal(size=(cases[0][0], cases[0][1], features)).astype("float32")
    sums = np.asarray(model(x)).sum(axis=-1)
    check_true(np.allclose(sums, 1.0, atol=1e-4), f"{name}: outputs should be softmax probabilities "
               f"(rows summing to 1), got row sums {sums[:3]}")
    ck.check_uses_its_weights(model, (2, t, features), name)


_check_stacked(3, 3, 32, cases=[(1, 24), (7, 24), (7, 10)])
_check_stacked(5, 4, 8, cases=[(7, 11), (1, 3)])
### BEGIN HIDDEN TESTS
_check_stacked(3, 3, 32, cases=[(13, 37), (1, 5)])
_check_stacked(5, 4, 8, cases=[(7, 24), (16, 3), (1, 60)])
_check_stacked(1, 2, 4, cases=[(7, 12), (2, 1)])
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your stacked classifier from exercise 3, trained on 2,000 recordings for a fixed number of
# steps, then scored on 500 recordings it never saw. Chance is 1/3.

# %%
X_train, y_train = data.sequences(n=2000, timesteps=24, features=3, split="train")
X_test, y_test = data.sequences(n=500, timesteps=24, features=3, split="test")
print("train:", X_train.shape, " test:", X_test.shape)

clf = build_stacked_classifier(features=3, n_classes=3)
result = ck.train(clf, X_train, y_train, loss="sparse_categorical_crossentropy",
                  steps=100, batch_size=64, lr=5e-3)
probs = np.asarray(clf(X_test, training=False))              # (500, 3), one eager call
test_acc = float((probs.argmax(axis=-1) == y_test).mean())
print(f"held-out accuracy: {test_acc:.3f} (chance 0.333)")

# %% kind="test" grade_id="train-stacked-lstm-test" points=2
needs("result", "test_acc", cell="the training cell above")
# Written out instead of check_loss_fell, whose message blames shapes: if training ran, the loss
# accepted the output's shape, and the exercise 3 test checks the shapes and their meaning.
fifth = max(1, len(result.losses) // 5)
first, last = float(np.mean(result.losses[:fifth])), float(np.mean(result.losses[-fifth:]))
check_true(last < 0.7 * first,
           f"training loss did not fall enough (first steps {first:.4f}, last steps {last:.4f}; needed "
           "below 0.7 x the start). The exercise 3 test checks the shapes and what the second LSTM "
           "reads: does it pass?")
check_at_least(test_acc, 0.9, "held-out accuracy of the stacked LSTM classifier",
               hint="a correct model reaches about 0.99 in 100 steps")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each shape before you run anything, then fill in `my_predictions` and run the test
# below it, which builds each layer and compares.
#
# 1. `keras.Input(shape=(24, 3))`: the shape of the symbolic input it makes.
# 2. `layers.LSTM(16)` on a batch `(8, 24, 3)`.
# 3. `layers.LSTM(16, return_sequences=True)` on the same batch.
# 4. `x.reshape(len(x), -1)` for `x` of shape `(64, 24, 3)`.
# 5. `layers.Dense(3)` on a batch `(8, 24, 16)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question; write None for an axis of unknown size."""
    ### BEGIN SOLUTION
    return {1: (None, 24, 3), 2: (8, 16), 3: (8, 24, 16), 4: (64, 72), 5: (8, 24, 3)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
_batch = np.zeros((8, 24, 3), dtype="float32")
check_predictions(my_predictions(), {
    1: ("keras.Input(shape=(24, 3))", keras.Input(shape=(24, 3)).shape),
    2: ("LSTM(16) on (8, 24, 3)", layers.LSTM(16)(_batch)),
    3: ("LSTM(16, return_sequences=True) on (8, 24, 3)", layers.LSTM(16, return_sequences=True)(_batch)),
    4: ("x.reshape(len(x), -1), x of (64, 24, 3)", np.zeros((64, 24, 3)).reshape(64, -1)),
    5: ("Dense(3) on (8, 24, 16)", layers.Dense(3)(np.zeros((8, 24, 16), dtype="float32"))),
})


# %% [markdown]
# ## Summary
#
# - A Keras 3 model without a declared input is *unbuilt*: `summary()` shows `?`, `weights` is
#   empty, `count_params()` raises. The first `fit`, `predict` or call builds it from that batch.
# - If that first batch has the wrong shape, the model keeps the wrong shape: rebuild it.
# - Declare the input with `keras.Input(shape=(timesteps, features))` (batch axis left out);
#   `input_shape=` on a layer still works but warns (once per session under Python's default
#   filters). Keras 3.15 does not enforce a declared `batch_size`. Use `None` for "any length".
# - Given real data, a `Sequential` model checks only the rank at its door; a symbolic call, as in
#   composing models, and a functional `keras.Model` check the whole declared shape.
# - An LSTM reads `(samples, timesteps, features)`. 2-D input gives `expected ndim=3, found
#   ndim=2`; a wrong feature count fails inside the LSTM cell's matrix product (`[8,5]` vs `[3,64]`).
# - Stacked recurrent layers need `return_sequences=True` on all but the last.
# - A 2-D table becomes 3-D by a reshape that follows the table's column order (and a transpose if
#   features come first); the right shape alone proves nothing.
