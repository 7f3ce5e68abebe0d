# %% [markdown]
# # 06 · The autoencoder capstone (PyTorch)
#
# An autoencoder squeezes an image through a small code and rebuilds it. Its contract is the
# strictest shape contract in this course: **the output must have exactly the input's shape**,
# because the loss compares them element by element. Every bug from the earlier assignments
# (a lost Flatten, a wrong channel count, a broken batch axis, an odd size) shows up here, often
# several at once, and often not where it was made: the forward pass runs, and the loss is the
# first place that notices. Sometimes only a warning does.

# %% [markdown]
# ## Learning goals
#
# - Say where an autoencoder's shape bug surfaces in PyTorch (the loss, not the layer) and read
#   the broadcasting message `The size of tensor a (...) must match the size of tensor b (...)`.
# - Recognise the silent variant: a loss that broadcasts instead of failing, with only a warning.
# - Build a dense autoencoder whose decoder returns `(N, 1, H, W)`, not a flat 784-vector.
# - Repair a convolutional autoencoder with several planted shape bugs at once.
# - Measure what the code keeps: per-sample reconstruction error and the compression ratio.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course import (check_at_most, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error, expect_warning, needs)
from course import data, plots
from course import torch as ct

ct.seed(0)
print(ct.use_course_settings())
X_train, _ = data.digits("train", layout="nchw")
X_test, _ = data.digits("test", layout="nchw")
print("digits:", X_train.shape, X_test.shape, "from the", data.digits_source())

# %% [markdown]
# ## Reproduce the error
#
# ### A dense decoder that returns 784 numbers
#
# The encoder flattens `(N, 1, 28, 28)` to 784 features; the decoder ends in `Linear(..., 784)`.
# The forward pass is happy. The loss is not: the reconstruction is `(N, 784)` and the target is
# `(N, 1, 28, 28)`.

# %% kind="readonly" grade_id="repro-flat-decoder"
flat_ae = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 784), nn.Sigmoid())
batch = torch.from_numpy(X_train[:8])
recon = flat_ae(batch)
print("input", tuple(batch.shape), "-> reconstruction", tuple(recon.shape))

with expect_warning(UserWarning, shapes=[(8, 1, 28, 28), (8, 784)],
                    contains=["likely lead to incorrect results due to broadcasting"]):
    with expect_error(RuntimeError, contains=["size of tensor a (784) must match the size of tensor b (28)",
                                              "non-singleton dimension 3"]):
        F.mse_loss(recon, batch)

# %% [markdown]
# Two messages, in this order. First PyTorch *warns* that the target size differs from the
# input size ("This will likely lead to incorrect results due to broadcasting"), then `mse_loss`
# tries to broadcast the two tensors to one shape and gives up. No subtraction ever runs: the last
# two frames of the traceback, printed by the cell below, are `mse_loss` calling
# `torch.broadcast_tensors(input, target)`, which raises, before the line that would subtract.

# %% kind="readonly" grade_id="repro-flat-decoder-where"
import traceback

with expect_warning(UserWarning, shapes=[(8, 1, 28, 28), (8, 784)], quiet=True):
    with expect_error(RuntimeError, contains=["size of tensor a (784) must match the size of tensor b (28)"],
                      quiet=True) as caught:
        F.mse_loss(recon, batch)
frames = traceback.extract_tb(caught.error.__traceback__)
for frame in frames[-2:]:
    print(f"in {frame.name}(): {frame.line}")
check_equal([frame.name for frame in frames[-2:]], ["mse_loss", "broadcast_tensors"],
            "the last two frames of the traceback")
check_true("broadcast_tensors(input, target)" in frames[-2].line,
           "mse_loss raises while broadcasting its input and target")

# %% [markdown]
# Binary cross-entropy is stricter and refuses straight away:

# %% kind="readonly" grade_id="repro-flat-decoder-bce"
with expect_error(ValueError, shapes=[(8, 1, 28, 28), (8, 784)]):
    F.binary_cross_entropy(recon, batch)

# %% [markdown]
# ### Without a reshape, flat targets are needed too
#
# A guide on this bug says a decoder ending in a 784-wide layer without a reshape "works
# numerically". That holds only if the **targets are flattened too**: against `(N, 784)`
# targets the loss runs without a warning, it is exactly the loss of the reshaped output against
# the images, and the model trains. Against the images themselves it fails, as above. The cost
# stays: every reconstruction is a row of 784 numbers that must be reshaped before it can be
# shown as an image.

# %% kind="readonly" grade_id="repro-flat-targets"
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    flat_loss = F.mse_loss(recon, batch.flatten(1))            # (8, 784) against (8, 784)
image_loss = F.mse_loss(recon.reshape(batch.shape), batch)     # (8, 1, 28, 28) against the images
print(f"MSE of flat output vs flat targets {flat_loss.item():.6f} ({len(caught)} warnings); "
      f"reshaped output vs images {image_loss.item():.6f}")
check_equal(len(caught), 0, "warnings with flattened targets")
check_true(torch.isclose(flat_loss, image_loss), "the same loss either way")
result = ct.train(flat_ae, X_train[:256], X_train[:256].reshape(256, 784), nn.MSELoss(), steps=20,
                  batch_size=32, verbose=False)
print(f"trained against (256, 784) targets: loss {result.losses[0]:.4f} -> {result.losses[-1]:.4f}")
check_true(result.losses[-1] < result.losses[0], "the loss falls when the targets are flattened too")

# %% [markdown]
# ### The silent one: a target without its channel axis
#
# If the targets lost their channel axis somewhere in the pipeline (`(N, 28, 28)`) while the model
# returns `(N, 1, 28, 28)`, broadcasting *succeeds*: PyTorch compares every reconstruction with
# every target, a `(N, N, 28, 28)` tensor, and averages that. The loss is a number a model
# could be trained on, and it measures the wrong thing: a perfect reconstruction scores well
# above 0. Only the warning tells.

# %% kind="readonly" grade_id="repro-silent-broadcast"
target_without_channel = batch[:, 0]                 # (8, 28, 28)
identity_recon = batch.clone()                      # a *perfect* reconstruction
with expect_warning(UserWarning, shapes=[(8, 28, 28), (8, 1, 28, 28)]):
    wrong = F.mse_loss(identity_recon, target_without_channel)
right = F.mse_loss(identity_recon, batch)
print(f"loss of a perfect reconstruction: {right.item():.4f} with matching shapes, "
      f"{wrong.item():.4f} with the broadcast target")
check_shape(identity_recon - target_without_channel, (8, 8, 28, 28), name="broadcast difference")
assert right.item() == 0 and wrong.item() > 0.05

# %% [markdown]
# ### A convolutional decoder that emits 4 channels
#
# A common claim is that a decoder whose last `ConvTranspose2d` has the wrong `out_channels`
# fails "during the transposed convolution" with a matrix-multiplication error. Under PyTorch
# 2.13 it does not: a transposed convolution happily maps 16 channels to 4. The forward pass
# succeeds and the loss is, again, where it breaks.

# %% kind="readonly" grade_id="repro-four-channels"
rgb_ae = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
    nn.ConvTranspose2d(16, 4, 3, padding=1), nn.Sigmoid(),   # 4 channels for a 3-channel image
)
rgb = torch.rand(2, 3, 28, 28)
out = rgb_ae(rgb)
check_shape(out, (2, 4, 28, 28), name="RGB autoencoder output")  # the forward pass ran
with expect_warning(UserWarning, shapes=[(2, 3, 28, 28), (2, 4, 28, 28)]):
    with expect_error(RuntimeError, contains=["size of tensor a (4) must match the size of tensor b (3)",
                                              "non-singleton dimension 1"]):
        F.mse_loss(out, rgb)

# %% [markdown]
# ### Two more claims, checked
#
# *"A single image without its batch axis makes the dense autoencoder fail."* Not when the model
# flattens with `torch.flatten(x, 1)`: a `(1, 28, 28)` image is read as a batch of one
# 28-row "image", flattened to `(1, 784)`, and reshaped to `(1, 1, 28, 28)`. No error; the output
# has an axis the input did not. A bare `(28, 28)` array does fail, at the first Linear layer.

# %% kind="readonly" grade_id="repro-batch-claims"
class FlattenAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(784, 64)
        self.decoder = nn.Linear(64, 784)

    def forward(self, x):
        z = torch.relu(self.encoder(torch.flatten(x, 1)))
        return torch.sigmoid(self.decoder(z)).reshape(x.shape[0], 1, 28, 28)


fae = FlattenAE()
single = torch.rand(1, 28, 28)
print("(1, 28, 28) ->", tuple(fae(single).shape), " (silently gains an axis)")
check_shape(fae(single), (1, 1, 28, 28), name="output for a (1, 28, 28) input")
with expect_error(RuntimeError, shapes=[(28, 28), (784, 64)]):
    fae(torch.rand(28, 28))

# %% [markdown]
# *"Pooling then a stride-2 transposed convolution needs a reshape in between."* It does not:
# `Conv2d(padding=1)` keeps 28, `MaxPool2d(2)` halves it to 14, and
# `ConvTranspose2d(kernel 3, stride 2, padding 1, output_padding 1)` gives
# `(14 - 1)·2 - 2·1 + 3 + 1 = 28` back. Shapes flow through; no reshape is needed.

# %% kind="readonly" grade_id="repro-no-reshape-needed"
pool_ae = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1))
check_shape(pool_ae(torch.rand(10, 1, 28, 28)), (10, 1, 28, 28), name="pool/transpose autoencoder")
print(ct.trace(pool_ae, (10, 1, 28, 28)))

# %% [markdown]
# ## Read the traceback
#
# `The size of tensor a (784) must match the size of tensor b (28) at non-singleton dimension 3`
# comes from broadcasting, which lines shapes up **from the right**:
#
# ```
# reconstruction          (8, 784)      ->  (1, 1, 8, 784)   padded on the left
# target            (8, 1, 28, 28)
# dimension 3:               784 vs 28   -> neither is 1, so no broadcast
# ```
#
# "tensor a" is the loss's first argument (your model's output), "tensor b" the target, and
# "dimension 3" counts from the left of the padded shape. Dimension 2 clashes too (8 vs 28): when
# several axes clash, PyTorch names the **innermost** one, the first it meets reading from the
# right. (TensorFlow names the outermost; see the Keras notebook.) The same holds for targets
# that also lost their channel axis, `(32, 28, 28)` against a `(32, 784)` output: the message
# names 784 and 28 at dimension 2, not 32 and 28 at dimension 1. The cell checks both cases:

# %% kind="readonly" grade_id="read-which-pair"
import re


def clashes(a, b):
    """Line two shapes up from the right; the (dimension, size a, size b) that clash, innermost first."""
    rank = max(len(a), len(b))
    padded_a = [None] * (rank - len(a)) + list(a)
    padded_b = [None] * (rank - len(b)) + list(b)
    pairs = [(d, x, y) for d, (x, y) in enumerate(zip(padded_a, padded_b))
             if None not in (x, y) and x != y and 1 not in (x, y)]
    return pairs[::-1]


for output, target in [(torch.rand(8, 784), torch.rand(8, 1, 28, 28)), (torch.rand(32, 784), torch.rand(32, 28, 28))]:
    with expect_warning(UserWarning, shapes=[tuple(target.shape), tuple(output.shape)], quiet=True):
        with expect_error(RuntimeError, contains=["must match the size of tensor b"], quiet=True) as caught:
            F.mse_loss(output, target)
    named = tuple(int(v) for v in re.search(r"tensor a \((\d+)\) must match the size of tensor b \((\d+)\) "
                                            r"at non-singleton dimension (\d+)", caught.message).groups())
    found = clashes(tuple(output.shape), tuple(target.shape))
    print(f"output {tuple(output.shape)} vs target {tuple(target.shape)}: clashing (dimension, a, b), "
          f"innermost first {found}; the message names a={named[0]}, b={named[1]} at dimension {named[2]}")
    check_equal((named[2], named[0], named[1]), found[0], "the pair PyTorch names: the innermost clash")

# %% [markdown]
# The warning printed just before the error names both full shapes: read it first.
#
# When a convolutional autoencoder does fail inside the forward pass, the per-layer trace finds
# the first layer that rejects its input. Here is the broken model you will repair in Exercise 2:

# %% kind="readonly" grade_id="broken-conv-autoencoder"
class BrokenConvAE(nn.Module):
    """An image-compression autoencoder for 1-channel 28x28 digits, with four planted bugs."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),    # 28 -> 14
            nn.Conv2d(32, 8, 3, stride=2, padding=1), nn.ReLU(),    # bug 1: expects 32 channels, gets 16
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),  # bug 2: 7 -> 13, not 14
            nn.ConvTranspose2d(16, 4, 3, stride=2, padding=1, output_padding=1),  # bug 3: 4 channels
            nn.Sigmoid(),
        )

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)   # bug 4: hard-codes the image size
        return self.decoder(self.encoder(x))


broken = BrokenConvAE()
print(ct.trace(broken, (8, 1, 28, 28)))

# %% [markdown]
# The trace stops at layer `encoder.2`: it expects 32 input channels and receives 16. Fix that
# one and the trace runs to the end, showing the next bugs: a 13x13 map where 14 was needed, and
# 4 output channels for a 1-channel target. The `view` in `forward` only works for 28x28 images.

# %% kind="readonly" grade_id="broken-after-first-fix"
import copy

first_fix = copy.deepcopy(broken)
first_fix.encoder[2] = nn.Conv2d(16, 8, 3, stride=2, padding=1)   # bug 1 fixed, the others left
print(ct.trace(first_fix, (8, 1, 28, 28)))
check_shape(first_fix.decoder[0](torch.rand(8, 8, 7, 7)), (8, 16, 13, 13), name="first transposed convolution")
check_shape(first_fix(torch.rand(8, 1, 28, 28)), (8, 4, 26, 26), name="output with only bug 1 fixed")

# %%
plots.shape_diagram(ct.trace(broken, (8, 1, 28, 28)));

# %% [markdown]
# ## Exercise 1 (3 points)
#
# Write `DenseAutoencoder(side=28, latent=32)`: a dense autoencoder for 1-channel `side x side`
# images. It must have
#
# - `encode(x)`: `(N, 1, side, side)` -> `(N, latent)`,
# - `decode(z)`: `(N, latent)` -> `(N, 1, side, side)` (reshape back: no flat 784-vectors out),
# - `forward(x) = decode(encode(x))`, with outputs in [0, 1] (the pixels are).
#
# It must work for any batch size, including 1, and for any `side` (odd ones too). Create every
# layer in `__init__`: the tests check that the model uses its own parameters (a layer created inside
# a method is new and untrained at every call).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the cell `repro-flat-decoder`: it prints the shape a decoder ending in `Linear` returns,
# and the loss's warning names the shape it should have been. The cell `repro-batch-claims` shows
# what happens when a reshape reads the wrong sizes. Write every size in terms of `side` and
# `latent`; the hidden tests try other values.
#
# </details>

# %% kind="answer" grade_id="ex1-dense-autoencoder"
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        ### BEGIN SOLUTION
        self.side = side
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(side * side, 128), nn.ReLU(), nn.Linear(128, latent))
        self.dec = nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, side * side), nn.Sigmoid(),
                                 nn.Unflatten(1, (1, side, side)))
        ### END SOLUTION

    def encode(self, x):
        ### BEGIN SOLUTION
        return self.enc(x)
        ### END SOLUTION

    def decode(self, z):
        ### BEGIN SOLUTION
        return self.dec(z)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.decode(self.encode(x))
        ### END SOLUTION

# %% kind="test" grade_id="ex1-dense-autoencoder-test" points=3
ae = ct.build_block(DenseAutoencoder, name="DenseAutoencoder()")
ct.check_output_shapes(ae, [((1, 1, 28, 28), (1, 1, 28, 28)), ((7, 1, 28, 28), (7, 1, 28, 28))],
                       name="DenseAutoencoder()")
with torch.no_grad():
    check_shape(ae.encode(torch.rand(7, 1, 28, 28)), (7, 32), name="encode(x) with latent=32")
    check_shape(ae.decode(torch.rand(7, 32)), (7, 1, 28, 28), name="decode(z)")
    out = ae(torch.rand(5, 1, 28, 28))
check_true(0 <= float(out.min()) and float(out.max()) <= 1, "outputs must lie in [0, 1] like the pixels")
# another (odd) side and latent size
small = ct.build_block(DenseAutoencoder, side=15, latent=6, name="DenseAutoencoder(side=15, latent=6)")
ct.check_output_shapes(small, [((1, 1, 15, 15), (1, 1, 15, 15)), ((3, 1, 15, 15), (3, 1, 15, 15))],
                       name="DenseAutoencoder(side=15, latent=6)")
with torch.no_grad():
    check_shape(small.encode(torch.rand(3, 1, 15, 15)), (3, 6), name="encode(x) with side=15, latent=6")
ct.check_uses_its_parameters(ae, (2, 1, 28, 28), "DenseAutoencoder()", all_used=True)
### BEGIN HIDDEN TESTS
for side, latent, n in [(20, 8, 1), (32, 16, 7), (28, 64, 13)]:
    ae = ct.build_block(DenseAutoencoder, side=side, latent=latent,
                        name=f"DenseAutoencoder(side={side}, latent={latent})")
    ct.check_output_shapes(ae, [((n, 1, side, side), (n, 1, side, side))],
                           name=f"DenseAutoencoder(side={side}, latent={latent})")
    with torch.no_grad():
        check_shape(ae.encode(torch.rand(n, 1, side, side)), (n, latent),
                    name=f"encode(x) with side={side}, latent={latent}")
        check_shape(ae.decode(torch.rand(n, latent)), (n, 1, side, side), name=f"decode(z) with side={side}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (4 points)
#
# Repair `BrokenConvAE` as `ConvAutoencoder(channels=1, code_channels=8)`: a fully
# convolutional autoencoder for `channels`-channel images whose sides are multiples of 4.
#
# - `encode(x)`: `(N, channels, H, W)` -> `(N, code_channels, H/4, W/4)` (two stride-2 steps),
# - `decode(z)`: back to exactly `(N, channels, H, W)`, values in [0, 1],
# - `forward(x) = decode(encode(x))`; no hard-coded image size or batch size anywhere (the tests
#   use other channel counts, batch sizes and sides, square or not), and every layer created in
#   `__init__` (the tests check that the model uses its own parameters).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Fix the bugs one at a time, as the cell `broken-after-first-fix` does, and run `ct.trace` on your
# model after each fix, with a `(8, 1, 28, 28)` and a `(8, 3, 32, 32)` input (`channels=3`). The
# repaired `repro-no-reshape-needed` model shows one transposed convolution that doubles 14 to 28.
#
# </details>

# %% kind="answer" grade_id="ex2-conv-autoencoder"
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        ### BEGIN SOLUTION
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(code_channels, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, channels, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )
        ### END SOLUTION

    def encode(self, x):
        ### BEGIN SOLUTION
        return self.encoder(x)
        ### END SOLUTION

    def decode(self, z):
        ### BEGIN SOLUTION
        return self.decoder(z)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.decode(self.encode(x))
        ### END SOLUTION

# %% kind="test" grade_id="ex2-conv-autoencoder-test" points=4
cae = ct.build_block(ConvAutoencoder, name="ConvAutoencoder()")
ct.check_output_shapes(cae, [((1, 1, 28, 28), (1, 1, 28, 28)), ((7, 1, 28, 28), (7, 1, 28, 28))],
                       name="ConvAutoencoder()")
with torch.no_grad():
    check_shape(cae.encode(torch.rand(7, 1, 28, 28)), (7, 8, 7, 7), name="encode(x), the code")
    check_shape(cae.decode(torch.rand(7, 8, 7, 7)), (7, 1, 28, 28), name="decode(z)")
# 3 channels, 20 x 32 images (not square)
rgb = ct.build_block(ConvAutoencoder, channels=3, code_channels=4, name="ConvAutoencoder(channels=3, code_channels=4)")
ct.check_output_shapes(rgb, [((2, 3, 20, 32), (2, 3, 20, 32)), ((1, 3, 20, 32), (1, 3, 20, 32))],
                       name="ConvAutoencoder(channels=3, code_channels=4)")
with torch.no_grad():
    check_shape(rgb.encode(torch.rand(2, 3, 20, 32)), (2, 4, 5, 8), name="encode(x) for 3 x 20 x 32 images")
ct.check_uses_its_parameters(cae, (2, 1, 28, 28), "ConvAutoencoder()", all_used=True)
### BEGIN HIDDEN TESTS
for channels, code, side, n in [(3, 8, 32, 1), (1, 4, 16, 7), (3, 12, 28, 5), (1, 8, 40, 13)]:
    cae = ct.build_block(ConvAutoencoder, channels=channels, code_channels=code,
                         name=f"ConvAutoencoder(channels={channels}, code_channels={code})")
    ct.check_output_shapes(cae, [((n, channels, side, side), (n, channels, side, side))],
                           name=f"ConvAutoencoder(channels={channels}, code_channels={code})")
    with torch.no_grad():
        check_shape(cae.encode(torch.rand(n, channels, side, side)), (n, code, side // 4, side // 4),
                    name=f"encode(x) for {channels}x{side}x{side} images")
        out = cae(torch.rand(n, channels, side, side))
    check_true(0 <= float(out.min()) and float(out.max()) <= 1, "outputs must lie in [0, 1] like the pixels")
ct.check_output_shapes(ct.build_block(ConvAutoencoder, name="ConvAutoencoder()"), [((2, 1, 28, 36), (2, 1, 28, 36))],
                       name="ConvAutoencoder() on 28x36 images")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Two measurements every compression model needs, written so that they work for **any** model
# with an `encode` method and any batch:
#
# - `reconstruction_errors(model, x)`: the mean squared error **per sample**, shape `(N,)`
#   (average over every axis except the batch axis; no gradients needed).
# - `compression_ratio(model, image_shape)`: how many numbers one image has divided by how
#   many numbers its code has, found by encoding one real (zero) image of `image_shape`
#   (`(channels, H, W)`, no batch axis). Like every model in this course, `encode` takes a batch
#   `(N, channels, H, W)`, and the model may contain any layers, BatchNorm included.
#
# The tests use the read-only models of the next cell, not yours, so this exercise does not
# depend on your answers to Exercises 1 and 2.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `F.mse_loss` in the cell `repro-silent-broadcast` returns one number for a whole batch; here you
# need one per image, so reduce every axis except the first. For the ratio, look at the shapes
# the cell `repro-batch-claims` feeds a model, and at what the next cell's BatchNorm2d needs.
#
# </details>

# %% kind="readonly" grade_id="reference-models"
class ReferenceAutoencoder(nn.Module):
    """A read-only model for the Exercise 3 tests: any encoder and decoder, joined."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


def reference_conv(channels, code_channels):
    """One kernel-2 stride-2 step down (with BatchNorm2d) and up: the code is (N, code_channels, H/2, W/2)."""
    return ReferenceAutoencoder(
        nn.Sequential(nn.Conv2d(channels, code_channels, 2, stride=2), nn.BatchNorm2d(code_channels), nn.ReLU()),
        nn.Sequential(nn.ConvTranspose2d(code_channels, channels, 2, stride=2), nn.Sigmoid())).eval()


def reference_dense(side, channels, latent):
    """Flatten and one Linear layer to `latent` numbers; one back and an Unflatten."""
    return ReferenceAutoencoder(
        nn.Sequential(nn.Flatten(), nn.Linear(channels * side * side, latent)),
        nn.Sequential(nn.Linear(latent, channels * side * side), nn.Sigmoid(),
                      nn.Unflatten(1, (channels, side, side)))).eval()


with torch.no_grad():
    print("reference_conv(1, 2) code for (7, 1, 28, 28) images:",
          tuple(reference_conv(1, 2).encode(torch.zeros(7, 1, 28, 28)).shape))

# %% kind="answer" grade_id="ex3-measure-compression"
def reconstruction_errors(model, x):
    ### BEGIN SOLUTION
    with torch.no_grad():
        recon = model(x)
    return ((recon - x) ** 2).flatten(1).mean(dim=1)
    ### END SOLUTION


def compression_ratio(model, image_shape):
    ### BEGIN SOLUTION
    was_training = model.training
    model.eval()                    # BatchNorm: use, do not update, its running statistics
    with torch.no_grad():
        code = model.encode(torch.zeros(1, *image_shape))   # a batch of one image
    model.train(was_training)
    return float(np.prod(image_shape)) / code[0].numel()
    ### END SOLUTION

# %% kind="test" grade_id="ex3-measure-compression-test" points=3
# Only the read-only reference models: a mistake in Exercise 1 or 2 costs no points here.
ref = reference_conv(channels=1, code_channels=2)
x = torch.rand(7, 1, 28, 28)
errs = reconstruction_errors(ref, x)
check_shape(errs, (7,), name="reconstruction_errors(model, x) for 7 images")
with torch.no_grad():
    expected = ((ref(x) - x) ** 2).mean(dim=(1, 2, 3))
check_true(torch.allclose(torch.as_tensor(errs).float(), expected, atol=1e-5),
           "reconstruction_errors: each value must be the mean squared error of one image")
check_equal(round(compression_ratio(ref, (1, 28, 28)), 4), round(784 / (2 * 14 * 14), 4),
            "compression_ratio(reference_conv(1, 2), (1, 28, 28))")
check_shape(reconstruction_errors(ref, torch.rand(1, 1, 28, 28)), (1,), name="reconstruction_errors for a batch of 1")
check_equal(round(compression_ratio(reference_dense(20, 3, 12), (3, 20, 20)), 4), round(3 * 20 * 20 / 12, 4),
            "compression_ratio(reference_dense(20, 3, 12), (3, 20, 20))")
### BEGIN HIDDEN TESTS
check_shape(reconstruction_errors(ref, torch.rand(1, 1, 28, 28)), (1,), name="reconstruction_errors for 1 image")
big = reference_conv(channels=3, code_channels=4)
x3 = torch.rand(5, 3, 32, 32)
with torch.no_grad():
    expected3 = ((big(x3) - x3) ** 2).mean(dim=(1, 2, 3))
check_true(torch.allclose(torch.as_tensor(reconstruction_errors(big, x3)).float(), expected3, atol=1e-5),
           "reconstruction_errors on 3-channel 32x32 images")
check_equal(round(compression_ratio(big, (3, 32, 32)), 4), round(3 * 32 * 32 / (4 * 16 * 16), 4),
            "compression_ratio(reference_conv(3, 4), (3, 32, 32))")
for side, channels, latent in [(20, 1, 10), (20, 3, 12)]:
    dense = reference_dense(side, channels, latent)
    xd = torch.rand(3, channels, side, side)
    with torch.no_grad():
        expected_d = ((dense(xd) - xd) ** 2).mean(dim=(1, 2, 3))
    check_true(torch.allclose(torch.as_tensor(reconstruction_errors(dense, xd)).float(), expected_d, atol=1e-5),
               f"reconstruction_errors with reference_dense({side}, {channels}, {latent})")
    check_equal(round(compression_ratio(dense, (channels, side, side)), 4), round(side * side * channels / latent, 4),
                f"compression_ratio(reference_dense({side}, {channels}, {latent}), {(channels, side, side)})")
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
ct.seed(0)
model = ConvAutoencoder(channels=1, code_channels=8)
# Through a sigmoid output, MSE's gradient carries a factor s(1 - s) that vanishes when the sigmoid
# saturates (an output stuck near 0); binary cross-entropy's gradient is s - target, which does not.
result = ct.train(model, X_train, X_train, nn.BCELoss(), steps=300, batch_size=64, lr=3e-3)
model = model.cpu().eval()
test_x = torch.from_numpy(X_test)
test_errors = reconstruction_errors(model, test_x)
baseline = float(((test_x - torch.from_numpy(X_train).mean(0)) ** 2).mean())
ratio = compression_ratio(model, (1, 28, 28))
print(f"test reconstruction MSE {float(test_errors.mean()):.4f} vs {baseline:.4f} for the average digit; "
      f"compression ratio {ratio:.1f}:1")
plots.loss_curve(result.losses, label="training BCE")
with torch.no_grad():
    plots.image_grid(X_test[:8], model(test_x[:8]).numpy(), titles=["original", "reconstruction"]);

# %% kind="test" grade_id="train-conv-autoencoder-test" points=2
needs("result", "model", "test_errors", "baseline", "ratio", cell="the training cell above")
ct.check_output_shapes(model, [((5, 1, 28, 28), (5, 1, 28, 28))], name="the trained ConvAutoencoder")
# The shapes are right from here on, so the messages below speak of learning, not of shapes.
check_loss_fell(result.losses, factor=0.5,
                hint="The output shape is right, so look at the loss curve and the reconstructions above: "
                     "the same blank image for every digit means the model stopped learning.")
check_at_most(float(test_errors.mean()), 0.5 * baseline, "test reconstruction MSE",
              hint="it must be well below the error of predicting the average digit")
check_true(ratio > 1, f"the code must be smaller than the image (compression ratio {ratio:.2f})")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each output shape without running anything: write it as a tuple such as
# `(8, 16, 7, 7)` (a list or a `torch.Size` counts too) in place of `None`, then run the test cell,
# which runs the real layers (and the subtraction) and prints, per question, your prediction and the
# real shape. The last question is the silent broadcast of "Reproduce the error".

# %% kind="answer" grade_id="self-check"
predictions = {
    "nn.Flatten() on (8, 1, 28, 28)": None,
    "nn.Unflatten(1, (1, 28, 28)) on (8, 784)": None,
    "nn.Conv2d(1, 16, 3, stride=2, padding=1) on (8, 1, 28, 28)": None,
    "nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1) on (8, 16, 14, 14)": None,
    "a (8, 1, 28, 28) tensor minus an (8, 28, 28) tensor": None,
}
### BEGIN SOLUTION
predictions = {
    "nn.Flatten() on (8, 1, 28, 28)": (8, 784),
    "nn.Unflatten(1, (1, 28, 28)) on (8, 784)": (8, 1, 28, 28),
    "nn.Conv2d(1, 16, 3, stride=2, padding=1) on (8, 1, 28, 28)": (8, 16, 14, 14),
    "nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1) on (8, 16, 14, 14)": (8, 1, 28, 28),
    "a (8, 1, 28, 28) tensor minus an (8, 28, 28) tensor": (8, 8, 28, 28),
}
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    real_shapes = {
        "nn.Flatten() on (8, 1, 28, 28)": ("output shape", nn.Flatten()(torch.zeros(8, 1, 28, 28)).shape),
        "nn.Unflatten(1, (1, 28, 28)) on (8, 784)": ("output shape", nn.Unflatten(1, (1, 28, 28))(torch.zeros(8, 784)).shape),
        "nn.Conv2d(1, 16, 3, stride=2, padding=1) on (8, 1, 28, 28)":
            ("output shape", nn.Conv2d(1, 16, 3, stride=2, padding=1)(torch.zeros(8, 1, 28, 28)).shape),
        "nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1) on (8, 16, 14, 14)":
            ("output shape", nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1)(torch.zeros(8, 16, 14, 14)).shape),
        "a (8, 1, 28, 28) tensor minus an (8, 28, 28) tensor":
            ("result shape", (torch.zeros(8, 1, 28, 28) - torch.zeros(8, 28, 28)).shape),
    }
check_predictions(predictions, real_shapes)

# %% [markdown]
# ## Summary
#
# - An autoencoder's output must have the input's exact shape; the loss is where a mismatch
#   surfaces, as a broadcasting error or, worse, as a silent broadcast with only a warning.
# - Read the loss warning first: it names both full shapes. Broadcasting aligns from the right,
#   and the error names the innermost clashing pair (tensor a is the loss's first argument).
# - Dense decoders end with a reshape (`nn.Unflatten`) back to `(N, C, H, W)`; without it, only
#   flattened targets fit.
# - In a conv autoencoder, check the channel chain, the sizes after every stride, the final
#   channel count, and never hard-code the image or batch size.
# - Report what the code keeps: per-sample error `(N,)` and the compression ratio.
