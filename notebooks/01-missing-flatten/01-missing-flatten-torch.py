# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 · The missing Flatten (PyTorch)
#
# A convolutional body hands on a feature map of shape `(N, C, H, W)`: for every image, `C` small
# pictures of size `H x W`. A classifier head (`nn.Linear`) wants one vector per image, `(N, F)`.
# Something has to turn each image's `C x H x W` block into a vector of `F = C * H * W` numbers
# (`nn.Flatten`), or summarise each channel into one number (global pooling, `F = C`), and the
# `Linear` must be told that `F` as its `in_features`. Leave out the first step, or get `F` wrong,
# and PyTorch stops with `mat1 and mat2 shapes cannot be multiplied`. This notebook takes that
# message apart, shows the variants that raise nothing at the layer itself, and builds heads that
# stay correct for every batch size and image size.

# %% [markdown]
# ## Learning goals
#
# - Reproduce `mat1 and mat2 shapes cannot be multiplied (AxB and CxD)` and say what each of the
#   four numbers means, and which one tells you that a `Flatten` is missing.
# - Explain why `nn.Linear` on a 4-D tensor sometimes fails and sometimes silently returns a 4-D
#   result, and where the silent version finally breaks (the loss).
# - Compute `in_features` after `Flatten` by arithmetic and by a dummy forward pass, and know what
#   `nn.LazyLinear` does and does not solve.
# - Build a head that works for any image size with global average pooling, and compare its
#   parameter count with a flattening head.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import numbers
import re

import numpy as np
import torch
from torch import nn

from course import check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true, expect_error
from course import data, needs, plots
from course import torch as ct

torch.set_num_threads(1)  # tiny models: one thread beats two competing ones on a small shared CPU
ct.seed(0)
print(ct.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# All models in this notebook share one convolutional body. Its first convolution has no padding
# (a 5x5 kernel eats 2 pixels on each side), its second one has `padding=1` (size kept), and each
# is followed by a 2x2 max pooling (size halved, rounded down). Our data are real handwritten
# digits, 28x28 pixels, one channel:

# %% kind="readonly" grade_id="body-and-data"
def make_features(in_channels):
    """The convolutional body: (N, in_channels, H, W) -> (N, 16, H', W')."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    )


X_train, y_train = data.digits("train", layout="nchw")
X_test, y_test = data.digits("test", layout="nchw")
print(data.digits_source(), "| train", X_train.shape, "| test", X_test.shape)

images = torch.from_numpy(X_train[:8])          # a batch of 8 digits, (8, 1, 28, 28)
labels = torch.from_numpy(y_train[:8])          # their classes, (8,)
print("body output for the batch:", tuple(make_features(1)(images).shape))

# %% [markdown]
# The body turns 28x28 into 6x6 (`28 -> 24 -> 12 -> 12 -> 6`) with 16 channels, so each digit
# leaves it as `16 * 6 * 6 = 576` numbers. The author of the model below computed that correctly,
# but put the `Linear` straight after the body, without flattening:

# %% kind="readonly" grade_id="repro-missing-flatten"
no_flatten = nn.Sequential(make_features(1), nn.Linear(16 * 6 * 6, 10))

with expect_error(RuntimeError, shapes=[(768, 6), (576, 10)]) as missing_flatten:
    no_flatten(images)

# %% [markdown]
# 768 is neither the batch (8) nor anything the author wrote. `nn.Linear` accepts inputs of *any*
# rank: it treats the **last axis as the features** and every axis before it as "more samples".
# So the `(8, 16, 6, 6)` feature map became `8 * 16 * 6 = 768` "samples" of `6` features each, and
# a 6-feature input does not fit a layer built for 576.
#
# **The silent variant.** Read naively, the message asks for the 6 and the 576 to agree. Change
# `in_features` to 6 and the error is gone, but the model is now wrong: it scores each row of each
# channel separately and returns a 4-D tensor, not one row of 10 scores per digit:

# %% kind="readonly" grade_id="repro-silent-last-axis"
last_axis = nn.Sequential(make_features(1), nn.Linear(6, 10))   # "fixed" so the numbers match
scores = last_axis(images)
check_shape(scores, (8, 16, 6, 10), name="output of Linear(6, 10) on the feature map")  # proves it
print("scores:", tuple(scores.shape), "- one score vector per row of each channel, not per digit")

# %% [markdown]
# Nothing complains until the scores meet the labels. `nn.CrossEntropyLoss` reads a 4-D input as
# `(N, classes, d1, d2)`, an image-segmentation layout: 16 "classes" and one label per position, so
# it wants a label tensor of shape `(8, 6, 10)`, not `(8,)`. The error finally appears in the loss,
# far from the layer that caused it, and without the word "Linear":

# %% kind="readonly" grade_id="repro-silent-in-loss"
with expect_error(RuntimeError, shapes=[1], contains=["spatial targets", "targets of dimension: 1"]):
    nn.CrossEntropyLoss()(scores, labels)

per_position = torch.zeros(8, 6, 10, dtype=torch.long)  # one "class" out of 16 per position
with torch.no_grad():
    loss = nn.CrossEntropyLoss()(scores, per_position)
print(f"with labels of shape {tuple(per_position.shape)} the loss runs: {float(loss):.4f}")

# %% [markdown]
# **Flatten present, `in_features` wrong.** Here the author flattened, but computed `in_features`
# from the spatial size alone and forgot that each of the 16 channels contributes its own 6x6 map:

# %% kind="readonly" grade_id="repro-wrong-in-features"
forgot_channels = nn.Sequential(make_features(1), nn.Flatten(), nn.Linear(6 * 6, 10))

with expect_error(RuntimeError, shapes=[(8, 576), (36, 10)]) as wrong_in_features:
    forgot_channels(images)

# %% [markdown]
# **Right for one image size only.** With `in_features=576` the model works on 28x28 digits. Feed
# it 32x32 images and the body produces `16 * 7 * 7 = 784` features per image: `in_features` is a
# function of the input size, and hard-coding it ties the model to one size.

# %% kind="readonly" grade_id="repro-other-size"
made_for_28 = nn.Sequential(make_features(1), nn.Flatten(), nn.Linear(576, 10))
print("28x28 batch:", tuple(made_for_28(images).shape))

bigger = torch.zeros(8, 1, 32, 32)
with expect_error(RuntimeError, shapes=[(8, 784), (576, 10)]) as other_size:
    made_for_28(bigger)

# %% [markdown]
# **`nn.LazyLinear` does not remove that tie.** It leaves `in_features` open and fixes it at the
# first forward pass. That saves the arithmetic, but the first batch decides for good:

# %% kind="readonly" grade_id="repro-lazy-linear"
lazy = nn.Sequential(make_features(1), nn.Flatten(), nn.LazyLinear(10))
lazy(images)                                    # the first call sets in_features
print("after the first call:", lazy[2])

with expect_error(RuntimeError, shapes=[(8, 784), (576, 10)]):
    lazy(bigger)

# %% [markdown]
# **Flattening the batch too.** `nn.Flatten()` starts at axis 1 and keeps the batch axis. The
# function `torch.flatten(x)` starts at axis **0** unless you pass `start_dim=1`, so in a
# hand-written `forward` it melts the whole batch into one long vector:

# %% kind="readonly" grade_id="repro-flatten-batch"
class FlattensEverything(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = make_features(1)
        self.head = nn.Linear(576, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x)))   # start_dim=0: the batch axis goes too


melted = FlattensEverything()
with expect_error(RuntimeError, shapes=[(1, 4608), (576, 10)]) as flattened_batch:
    melted(images)

one = melted(images[:1])                       # a batch of one "works"...
check_shape(one, (10,), name="output for a batch of one digit")  # ...and loses its batch axis
print("batch of one ->", tuple(one.shape), "instead of (1, 10)")

# %% [markdown]
# ## Read the traceback
#
# The message is always `mat1 and mat2 shapes cannot be multiplied (AxB and CxD)`. `nn.Linear`
# computes `x @ weight.T + bias`; its `weight` is stored as `(out_features, in_features)`.
#
# | number | what it is | in `(768x6 and 576x10)` |
# |---|---|---|
# | `A` | rows of the input: the product of **all axes but the last**. For a proper `(N, F)` input this is the batch size. | `8 * 16 * 6` |
# | `B` | the input's **last axis**: the features that actually arrive | `6` (the feature map's width) |
# | `C` | the layer's `in_features` (rows of `weight.T`) | `576` |
# | `D` | the layer's `out_features` | `10` |
#
# Two questions find the bug:
#
# 1. **Is `A` your batch size?** If it is larger, the input had more than two axes: a `Flatten` is
#    missing. If it is 1 while your batch is not, the batch axis was flattened away.
# 2. **Is `B` equal to `C`?** If `A` is right but `B` is not `C`, the flattening is fine and
#    `in_features` is wrong for this input size: `B` is the value it should have had.
#
# Applied to every error above:

# %% kind="readonly" grade_id="read-four-numbers"
def matmul_numbers(message):
    """(A, B, C, D) from a 'mat1 and mat2 shapes cannot be multiplied (AxB and CxD)' message."""
    a, b, c, d = re.search(r"(\d+)x(\d+) and (\d+)x(\d+)", message).groups()
    return int(a), int(b), int(c), int(d)


batch = len(images)
for what, caught in [("Linear straight after the body", missing_flatten),
                     ("Flatten, in_features forgot channels", wrong_in_features),
                     ("made for 28x28, fed 32x32", other_size),
                     ("torch.flatten(x) over the batch", flattened_batch)]:
    a, b, c, d = matmul_numbers(caught.message)
    if a > batch:
        verdict = f"A={a} > batch {batch}: input not 2-D, Flatten missing"
    elif a < batch:
        verdict = f"A={a} < batch {batch}: the batch axis was flattened"
    else:
        verdict = f"A is the batch; in_features should be {b}, not {c}"
    print(f"{what:<38} A={a:<5} B={b:<5} C={c:<4} D={d:<3} {verdict}")

# %% [markdown]
# What `Flatten` does to one digit, and where its numbers land in the message. The body hands on
# 16 maps of 6x6 per digit; `nn.Flatten()` lays them end to end, all 36 numbers of channel 0
# first, then channel 1's, into one vector of 576. Without it, `Linear` reads only the last axis
# (6 numbers) and takes every other axis as more rows: `mat1` is `768x6`. With it, `mat1` is
# `8x576`, which fits `mat2`, the `576x10` of `weight.T`:

# %% kind="readonly" grade_id="figure-flatten"
with torch.no_grad():
    feature_map = make_features(1)(images)                                  # (8, 16, 6, 6)
    flat = nn.Flatten()(feature_map)                                        # (8, 576)
_, C, H, W = feature_map.shape
channel_of = torch.arange(C, dtype=torch.float32).view(1, C, 1, 1).expand(1, C, H, W)  # each value: its channel
order = nn.Flatten()(channel_of)[0].numpy()
a, b, c, d = matmul_numbers(missing_flatten.message)
check_equal(order.tolist(), [k for k in range(C) for _ in range(H * W)], "channel of each flattened position")
check_equal(tuple(flat.shape), (len(images), c), "mat1 with Flatten: (batch, in_features)")
check_equal((a, b), (len(images) * C * H, W), "mat1 without Flatten: (8 * 16 * 6, 6)")
plots.flatten_diagram(tuple(feature_map.shape[1:]), order, notes=[
    ("mat1 without Flatten (A x B)", (a, b)),
    ("mat1 with Flatten", tuple(flat.shape)),
    ("mat2 = weight.T of Linear(576, 10) (C x D)", (c, d))]);

# %% [markdown]
# The message knows nothing about layers. `ct.trace` runs one forward pass on zeros, records each
# layer's input and output shape, and stops at the first layer that rejects its input. On the
# model without `Flatten`, the last good row shows the 4-D tensor that reached the `Linear`:

# %% kind="readonly" grade_id="trace-missing-flatten"
ct.trace(no_flatten, (8, 1, 28, 28))

# %% [markdown]
# And the model made for 28x28, traced at 32x32: the `Flatten` row shows the 784 features that
# the `Linear` (built for 576) refuses.

# %% kind="readonly" grade_id="trace-other-size"
ct.trace(made_for_28, (8, 1, 32, 32))

# %% [markdown]
# **Predicting `in_features`.** Each convolution or pooling changes one spatial size by
# `out = (in + 2 * padding - kernel) // stride + 1` (pooling uses `stride = kernel` unless told
# otherwise). `conv_out` below does that; walking it through the body reproduces the trace:

# %% kind="readonly" grade_id="conv-arithmetic"
def conv_out(size, kernel, stride=1, padding=0):
    """Output length of one spatial axis of a convolution or pooling layer."""
    return (size + 2 * padding - kernel) // stride + 1


for size in (28, 32, 36):
    s = conv_out(size, 5)                 # Conv2d(k=5): loses 4
    s = conv_out(s, 2, stride=2)          # MaxPool2d(2): halves, rounding down
    s = conv_out(s, 3, padding=1)         # Conv2d(k=3, padding=1): keeps the size
    s = conv_out(s, 2, stride=2)          # MaxPool2d(2)
    real = make_features(1)(torch.zeros(1, 1, size, size)).shape
    print(f"{size}x{size}: predicted 16 x {s} x {s} = {16 * s * s:>4}   real {tuple(real)}")

# %% [markdown]
# ## Exercise 1 (3 points)
#
# `build_broken_classifier` below is the first model of this notebook as a builder: it forgets to
# flatten, and its `in_features` is the number for 28x28 images only.
#
# Write `build_classifier(in_channels, size, n_classes)` that returns an `nn.Module` mapping a batch
# of shape `(N, in_channels, size, size)` to raw class scores (logits) of shape `(N, n_classes)`:
#
# - the body is `make_features(in_channels)`;
# - then each image's feature map is flattened into one vector (keep the batch axis!);
# - then **one** `nn.Linear` over *all* those features, with `in_features` right for `size` (work
#   it out with `conv_out`, or let PyTorch do it).
#
# The tests try batches of 1, 7 and 40 (the last, partial batch of the 1,000 test digits at batch
# size 64), other image sizes, channel and class counts, and check the parameter count:
# `make_features(1)` has 1,376 parameters and one `Linear` from 576 features to 10 classes adds
# `576 * 10 + 10`. The digit classifier you build here is trained at the end of the notebook.

# %% kind="readonly" grade_id="ex1-numbers"
body_params = ct.count_params(make_features(1))
print(f"make_features(1): {body_params:,} parameters; Linear(576, 10): {ct.count_params(nn.Linear(576, 10)):,}"
      " = 576 * 10 + 10")
print(f"{len(X_test):,} test digits in batches of 64: the last batch has {len(X_test) % 64}")
check_equal(body_params, 1376, "parameters of make_features(1)")
check_equal(len(X_test) % 64, 40, "size of the last, partial test batch")

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the verdicts of the `read-four-numbers` cell: they say what each broken model above was
# missing. `conv-arithmetic` shows how the number of features follows from `size`, and
# `repro-lazy-linear` shows a way to avoid the arithmetic. A failing test names the image size,
# channel count and class count it tried.
#
# </details>

# %% kind="readonly" grade_id="broken-classifier"
def build_broken_classifier(in_channels, size, n_classes):
    return nn.Sequential(make_features(in_channels), nn.Linear(16 * 6 * 6, n_classes))


# %% kind="answer" grade_id="ex1-add-flatten"
def build_classifier(in_channels, size, n_classes):
    ### BEGIN SOLUTION
    s = conv_out(conv_out(size, 5), 2, stride=2)
    s = conv_out(conv_out(s, 3, padding=1), 2, stride=2)
    return nn.Sequential(
        make_features(in_channels),
        nn.Flatten(),                      # (N, 16, s, s) -> (N, 16 * s * s)
        nn.Linear(16 * s * s, n_classes),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex1-add-flatten-test" points=3
def _check_classifier(in_channels, size, n_classes, n_features, batches=(1, 7, 40)):
    what = f"build_classifier({in_channels}, {size}, {n_classes})"
    model = ct.build_block(build_classifier, in_channels, size, n_classes, name=what)
    check_true(isinstance(model, nn.Module), f"{what} must return an nn.Module, got {type(model).__name__}")
    ct.check_output_shapes(model, [((n, in_channels, size, size), (n, n_classes)) for n in batches],
                           name=f"{what} logits")
    expected = ct.count_params(make_features(in_channels)) + n_features * n_classes + n_classes
    check_equal(ct.count_params(model), expected, f"number of parameters of {what}",
                hint=f"the body plus one Linear from all {n_features} flattened features to {n_classes} classes")


_check_classifier(1, 28, 10, n_features=576, batches=(1, 7))
_check_classifier(3, 33, 5, n_features=784, batches=(1, 7))       # an odd size, 3 channels, 5 classes
ct.check_uses_its_parameters(ct.build_block(build_classifier, 3, 33, 5, name="build_classifier(3, 33, 5)"),
                             (2, 3, 33, 33), "build_classifier(3, 33, 5)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
def _n_features(size):
    side = ((size - 4) // 2) // 2
    return 16 * side * side


_check_classifier(1, 28, 10, _n_features(28), batches=(40, 64))
for _c, _size, _n, _batches in [(1, 32, 10, (1, 7, 40)), (3, 36, 5, (1, 7, 40)), (2, 29, 10, (1, 7, 40)),
                                (1, 20, 3, (7, 1))]:
    _check_classifier(_c, _size, _n, _n_features(_size), batches=_batches)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# Arithmetic works for a body you know layer by layer. For any body, whatever it contains, there
# is a simpler way: **ask it**. Push one dummy image of the right shape through it (inside
# `torch.no_grad()`) and count what comes out.
#
# Write `flat_features(features, in_channels, height, width)` that returns, as an `int`, how many
# numbers *one* image of shape `(in_channels, height, width)` becomes after `features` and a
# `Flatten`, i.e. the `in_features` a `Linear` after them needs. `features` can be any module that
# takes `(N, C, H, W)`: the tests use `make_features`, the strided body below, and others, with
# images that are not always square.
#
# The second cell shows what it is for: a head built from `flat_features` fits the body.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The `body-and-data` cell pushes a batch through `make_features(1)` and prints the shape that comes
# out. Count the numbers of *one* image in that output, not of the whole batch, and return a plain
# `int`, as the exercise asks.
#
# </details>

# %% kind="readonly" grade_id="strided-body"
def make_strided_features(in_channels):
    """Another body: strided convolutions, padding, and a 3x3 pooling."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 12, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(12, 24, kernel_size=3, stride=2), nn.ReLU(),
        nn.MaxPool2d(3),
    )


def build_head_classifier(features, in_channels, height, width, n_classes):
    """features -> Flatten -> Linear, with in_features from your flat_features."""
    return nn.Sequential(features, nn.Flatten(),
                         nn.Linear(int(flat_features(features, in_channels, height, width)), n_classes))


# %% kind="answer" grade_id="ex2-flat-features"
def flat_features(features, in_channels, height, width):
    ### BEGIN SOLUTION
    with torch.no_grad():
        out = features(torch.zeros(1, in_channels, height, width))
    return int(out[0].numel())
    ### END SOLUTION


# %% kind="test" grade_id="ex2-flat-features-test" points=3
def _check_flat(make_body, in_channels, height, width, expected, n_classes=10, batches=(7,)):
    what = f"flat_features({make_body.__name__}({in_channels}), {in_channels}, {height}, {width})"
    got = flat_features(make_body(in_channels), in_channels, height, width)
    check_true(isinstance(got, numbers.Integral), f"{what} must return an int, got {type(got).__name__}")
    check_equal(int(got), expected, what)
    model = ct.build_block(build_head_classifier, make_body(in_channels), in_channels, height, width, n_classes,
                           name=f"build_head_classifier({make_body.__name__}({in_channels}), {in_channels}, "
                                f"{height}, {width}, {n_classes})")
    ct.check_output_shapes(model, [((n, in_channels, height, width), (n, n_classes)) for n in batches],
                           name=f"classifier on {make_body.__name__}({in_channels}) at {height}x{width}")


_check_flat(make_features, 1, 28, 28, expected=576)
_check_flat(make_strided_features, 3, 40, 40, expected=216)
_check_flat(make_features, 1, 29, 41, expected=864)                 # not square: 16 * 6 * 9
print("visible tests passed")
### BEGIN HIDDEN TESTS
def _check_flat_real(make_body, in_channels, height, width, **kwargs):
    with torch.no_grad():
        out = make_body(in_channels).eval()(torch.zeros(2, in_channels, height, width))
    _check_flat(make_body, in_channels, height, width, int(np.prod(out.shape[1:])), **kwargs)


_check_flat_real(make_features, 1, 32, 32, batches=(1, 40))
_check_flat_real(make_features, 3, 29, 41, n_classes=5)
_check_flat_real(make_strided_features, 1, 64, 48, batches=(1, 7))
_check_flat_real(make_strided_features, 2, 33, 57)


def _make_bn_body(in_channels):
    return nn.Sequential(nn.Conv2d(in_channels, 6, 3, padding=2), nn.BatchNorm2d(6), nn.ReLU(),
                         nn.MaxPool2d(2, stride=1), nn.Conv2d(6, 5, (3, 5), stride=(1, 2)))


def _make_pool_first(in_channels):
    return nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(in_channels, 9, 1), nn.Flatten(), nn.ReLU())


_check_flat_real(_make_bn_body, 3, 20, 31, batches=(1, 7))
_check_flat_real(_make_pool_first, 4, 18, 12)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# A `Flatten` head needs one `in_features` per image size. **Global average pooling** removes the
# size from the head altogether: `nn.AdaptiveAvgPool2d(1)` averages each channel's map to a single
# number, whatever its height and width, so `(N, 16, H', W')` becomes `(N, 16, 1, 1)`; a `Flatten`
# makes that `(N, 16)`. The `Linear` then always sees 16 features, and has far fewer weights
# (`16 * 10 + 10 = 170` instead of `5,770` at 28x28). The price: the head no longer knows *where*
# in the image a feature was found.

# %% kind="readonly" grade_id="global-pooling-demo"
for grid in (6, 7):
    pooled = nn.AdaptiveAvgPool2d(1)(torch.zeros(8, 16, grid, grid))
    check_shape(pooled, (8, 16, 1, 1), name=f"AdaptiveAvgPool2d(1) on (8, 16, {grid}, {grid})")
    print(f"AdaptiveAvgPool2d(1): (8, 16, {grid}, {grid}) -> {tuple(pooled.shape)},"
          f" after Flatten {tuple(nn.Flatten()(pooled).shape)}")
print(f"Linear(16, 10): {ct.count_params(nn.Linear(16, 10))} parameters;"
      f" Linear(576, 10): {ct.count_params(nn.Linear(576, 10)):,}")

# %% [markdown]
# Write `build_pooled_classifier(in_channels, n_classes)`: **one** model that takes
# `(N, in_channels, H, W)` for any `H, W` from 12 up and returns logits `(N, n_classes)`. Use
# `make_features(in_channels)` as the body; the head may have at most `16 * n_classes + n_classes`
# parameters. The tests call the *same* model with several image sizes, one after the other.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read `repro-other-size` and the `trace-other-size` table: which layer ties the model to one
# image size? The `global-pooling-demo` cell shows a layer whose output does not depend on it.
#
# </details>

# %% kind="answer" grade_id="ex3-global-pooling"
def build_pooled_classifier(in_channels, n_classes):
    ### BEGIN SOLUTION
    return nn.Sequential(
        make_features(in_channels),
        nn.AdaptiveAvgPool2d(1),           # (N, 16, H', W') -> (N, 16, 1, 1), any H', W'
        nn.Flatten(),                      # -> (N, 16)
        nn.Linear(16, n_classes),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex3-global-pooling-test" points=3
def _check_pooled(in_channels, n_classes, cases):
    what = f"build_pooled_classifier({in_channels}, {n_classes})"
    model = ct.build_block(build_pooled_classifier, in_channels, n_classes, name=what)
    check_true(isinstance(model, nn.Module), f"{what} must return an nn.Module, got {type(model).__name__}")
    ct.check_output_shapes(model, [((n, in_channels, h, w), (n, n_classes)) for n, h, w in cases],
                           name=f"{what} logits (one model, several image sizes)")
    head = ct.count_params(model) - ct.count_params(make_features(in_channels))
    check_true(head <= 16 * n_classes + n_classes,
               f"{what}: the head has {head:,} parameters, more than the {16 * n_classes + n_classes} "
               f"of one Linear(16, {n_classes}); pool each channel to one number before the Linear")


_check_pooled(1, 10, [(7, 28, 28), (7, 32, 32)])
_check_pooled(3, 5, [(1, 45, 17), (7, 13, 19)])                    # 3 channels, 5 classes, not square
ct.check_uses_its_parameters(ct.build_block(build_pooled_classifier, 3, 5, name="build_pooled_classifier(3, 5)"),
                             (2, 3, 21, 30), "build_pooled_classifier(3, 5)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_pooled(1, 10, [(1, 36, 36), (40, 28, 28), (7, 12, 12), (2, 20, 44), (1, 100, 64)])
_check_pooled(3, 5, [(7, 32, 32), (1, 28, 28), (3, 45, 17)])
_check_pooled(2, 4, [(1, 13, 19), (7, 64, 64)])
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# The repaired classifier from Exercise 1 on the 4,000 training digits: 200 steps of 64 digits
# (about three passes over the data), then accuracy on the 1,000 held-out digits. Chance (guessing
# one of the 10 classes) is 10%.

# %%
ct.seed(0)
digit_model = build_classifier(1, 28, 10)
steps, batch_size = 200, 64
print(f"{steps} steps of {batch_size} = {steps * batch_size / len(X_train):.1f} passes over {len(X_train):,} digits")
result = ct.train(digit_model, X_train, y_train, nn.CrossEntropyLoss(), steps=steps, batch_size=batch_size, lr=3e-3)
accuracy = float((ct.predict(digit_model, X_test).argmax(axis=1) == y_test).mean())
print(f"held-out accuracy: {accuracy:.3f} on {len(X_test)} digits (chance: {1 / len(np.unique(y_train)):.3f})")

# %% kind="test" grade_id="train-classifier-test" points=2
needs("result", "digit_model", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_shape(ct.predict(digit_model, X_test[:40]), (40, 10), name="trained model's logits for 40 test digits")
check_at_least(float((ct.predict(digit_model, X_test).argmax(axis=1) == y_test).mean()), 0.85,
               "held-out accuracy on the test digits", hint="chance is 0.10")
print("the classifier learned")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict, then run. Write the output shape you expect for each line below into
# `shape_predictions` (a tuple, a list or a `torch.Size` per question), without running anything.
# The test cell under it runs the real layers and shows, per question, your prediction next to
# what PyTorch gives.
#
# - `"a"`: `nn.Flatten()` on a feature map of shape `(8, 16, 6, 6)`
# - `"b"`: `torch.flatten(x)` for `x` of shape `(8, 16, 6, 6)`
# - `"c"`: `nn.Linear(6, 10)` on `(8, 16, 6, 6)`
# - `"d"`: `nn.AdaptiveAvgPool2d(1)` on `(7, 16, 9, 5)`
# - `"e"`: `make_features(1)` on a batch of shape `(3, 1, 32, 32)`

# %% kind="answer" grade_id="self-check"
shape_predictions = {}  # e.g. shape_predictions["a"] = (1, 2, 3, 4)
### BEGIN SOLUTION
shape_predictions.update(a=(8, 576), b=(4608,), c=(8, 16, 6, 10), d=(7, 16, 1, 1), e=(3, 16, 7, 7))
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    _real_shapes = {
        "a": ("nn.Flatten() on (8, 16, 6, 6)", nn.Flatten()(torch.zeros(8, 16, 6, 6)).shape),
        "b": ("torch.flatten(x), x of (8, 16, 6, 6)", torch.flatten(torch.zeros(8, 16, 6, 6)).shape),
        "c": ("nn.Linear(6, 10) on (8, 16, 6, 6)", nn.Linear(6, 10)(torch.zeros(8, 16, 6, 6)).shape),
        "d": ("nn.AdaptiveAvgPool2d(1) on (7, 16, 9, 5)", nn.AdaptiveAvgPool2d(1)(torch.zeros(7, 16, 9, 5)).shape),
        "e": ("make_features(1) on (3, 1, 32, 32)", make_features(1)(torch.zeros(3, 1, 32, 32)).shape),
    }
check_predictions(shape_predictions, _real_shapes)

# %% [markdown]
# ## Summary
#
# - `nn.Linear` works on the **last axis** and treats all others as samples; between a conv body
#   and a `Linear`, flatten each image (`nn.Flatten()`, or `torch.flatten(x, 1)`) or pool it.
# - In `mat1 and mat2 shapes cannot be multiplied (AxB and CxD)`: `A` should be the batch size
#   (larger: `Flatten` missing; 1: batch axis flattened), `B` is the number of features that
#   arrived, `C` is `in_features`, `D` is `out_features`. When `A` is the batch size, the fix is
#   `in_features = B`; when `A` is larger, add the `Flatten` first and never shrink `C` to `B`.
# - Making the numbers match by shrinking `in_features` to the last axis hides the bug: the output
#   stays 4-D and the error moves to the loss. Check the model's output shape is `(N, n_classes)`.
# - `in_features` after `Flatten` is `C * H * W` of the body's output and depends on the input
#   size: compute it with the conv formula or a dummy forward pass; `LazyLinear` fixes it at the
#   first call.
# - Global average pooling makes the head independent of the image size and much smaller.
