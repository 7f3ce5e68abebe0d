# %% [markdown]
# # 06 · The autoencoder capstone (PyTorch)
#
# An autoencoder squeezes an image through a small code and rebuilds it. Its contract is the
# strictest shape contract in this course: **the output must have exactly the input's shape**,
# because the loss compares them element by element. Every bug from the earlier assignments
# (a lost Flatten, a wrong channel count, a broken batch axis, an odd size) shows up here, often
# several at once, and often not where it was made: the forward pass runs, and the loss is the
# first place that notices. Sometimes nothing notices at all.

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
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course import (check_at_most, check_equal, check_loss_fell, check_shape, check_true,
                    expect_error, expect_warning)
from course import data, plots
from course import torch as ct

ct.seed(0)
print(ct.device_report())
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

with expect_warning(UserWarning, shapes=[(8, 1, 28, 28), (8, 784)]):
    with expect_error(RuntimeError, shapes=[784, 28]):
        F.mse_loss(recon, batch)

# %% [markdown]
# Two messages, in this order. First PyTorch *warns* that the target size differs from the
# input size ("This will likely lead to incorrect results due to broadcasting"), then the
# subtraction inside the loss tries to broadcast the two tensors and gives up. Binary
# cross-entropy is stricter and refuses straight away:

# %% kind="readonly" grade_id="repro-flat-decoder-bce"
with expect_error(ValueError, shapes=[(8, 1, 28, 28), (8, 784)]):
    F.binary_cross_entropy(recon, batch)

# %% [markdown]
# ### The silent one: a target without its channel axis
#
# If the targets lost their channel axis somewhere in the pipeline (`(N, 28, 28)`) while the model
# returns `(N, 1, 28, 28)`, broadcasting *succeeds*: PyTorch compares every reconstruction with
# every target, a `(N, N, 28, 28)` tensor, and averages that. The loss is a number, training
# runs, and it optimises the wrong thing. Only the warning tells.

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
    with expect_error(RuntimeError, shapes=[4, 3]):
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
# "dimension 3" counts from the left of the padded shape. The warning printed just before it
# names both full shapes: read it first.
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
# one and the next bug shows itself (run the trace again after each fix, in a scratch cell):
# a 13x13 map where 14 was needed, 4 output channels for a 1-channel target, and a `view` that
# only works for 28x28 images.

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
# It must work for any batch size, including 1, and for any `side`.

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
ae = DenseAutoencoder()
ct.check_output_shapes(ae, [((1, 1, 28, 28), (1, 1, 28, 28)), ((7, 1, 28, 28), (7, 1, 28, 28))],
                       name="DenseAutoencoder()")
with torch.no_grad():
    check_shape(ae.encode(torch.rand(7, 1, 28, 28)), (7, 32), name="encode(x) with latent=32")
    check_shape(ae.decode(torch.rand(7, 32)), (7, 1, 28, 28), name="decode(z)")
    out = ae(torch.rand(5, 1, 28, 28))
check_true(0 <= float(out.min()) and float(out.max()) <= 1, "outputs must lie in [0, 1] like the pixels")
### BEGIN HIDDEN TESTS
for side, latent, n in [(20, 8, 1), (32, 16, 7), (28, 64, 13)]:
    ae = DenseAutoencoder(side=side, latent=latent)
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
# - `forward(x) = decode(encode(x))`; no hard-coded image size or batch size anywhere.

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
cae = ConvAutoencoder()
ct.check_output_shapes(cae, [((1, 1, 28, 28), (1, 1, 28, 28)), ((7, 1, 28, 28), (7, 1, 28, 28))],
                       name="ConvAutoencoder()")
with torch.no_grad():
    check_shape(cae.encode(torch.rand(7, 1, 28, 28)), (7, 8, 7, 7), name="encode(x), the code")
    check_shape(cae.decode(torch.rand(7, 8, 7, 7)), (7, 1, 28, 28), name="decode(z)")
### BEGIN HIDDEN TESTS
for channels, code, side, n in [(3, 8, 32, 1), (1, 4, 16, 7), (3, 12, 28, 5), (1, 8, 40, 13)]:
    cae = ConvAutoencoder(channels=channels, code_channels=code)
    ct.check_output_shapes(cae, [((n, channels, side, side), (n, channels, side, side))],
                           name=f"ConvAutoencoder(channels={channels}, code_channels={code})")
    with torch.no_grad():
        check_shape(cae.encode(torch.rand(n, channels, side, side)), (n, code, side // 4, side // 4),
                    name=f"encode(x) for {channels}x{side}x{side} images")
        out = cae(torch.rand(n, channels, side, side))
    check_true(0 <= float(out.min()) and float(out.max()) <= 1, "outputs must lie in [0, 1] like the pixels")
ct.check_output_shapes(ConvAutoencoder(), [((2, 1, 28, 36), (2, 1, 28, 36))], name="ConvAutoencoder() on 28x36 images")
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
#   (`(channels, H, W)`, no batch axis).

# %% kind="answer" grade_id="ex3-measure-compression"
def reconstruction_errors(model, x):
    ### BEGIN SOLUTION
    with torch.no_grad():
        recon = model(x)
    return ((recon - x) ** 2).flatten(1).mean(dim=1)
    ### END SOLUTION


def compression_ratio(model, image_shape):
    ### BEGIN SOLUTION
    with torch.no_grad():
        code = model.encode(torch.zeros(1, *image_shape))
    return float(np.prod(image_shape)) / code[0].numel()
    ### END SOLUTION

# %% kind="test" grade_id="ex3-measure-compression-test" points=3
cae = ConvAutoencoder().eval()
x = torch.rand(7, 1, 28, 28)
errs = reconstruction_errors(cae, x)
check_shape(errs, (7,), name="reconstruction_errors(model, x) for 7 images")
with torch.no_grad():
    expected = ((cae(x) - x) ** 2).mean(dim=(1, 2, 3))
check_true(torch.allclose(torch.as_tensor(errs).float(), expected, atol=1e-5),
           "reconstruction_errors: each value must be the mean squared error of one image")
check_equal(round(compression_ratio(cae, (1, 28, 28)), 4), round(784 / (8 * 7 * 7), 4),
            "compression_ratio(ConvAutoencoder(), (1, 28, 28))")
### BEGIN HIDDEN TESTS
check_shape(reconstruction_errors(cae, torch.rand(1, 1, 28, 28)), (1,), name="reconstruction_errors for 1 image")
big = ConvAutoencoder(channels=3, code_channels=4).eval()
x3 = torch.rand(5, 3, 32, 32)
with torch.no_grad():
    expected3 = ((big(x3) - x3) ** 2).mean(dim=(1, 2, 3))
check_true(torch.allclose(torch.as_tensor(reconstruction_errors(big, x3)).float(), expected3, atol=1e-5),
           "reconstruction_errors on 3-channel 32x32 images")
check_equal(round(compression_ratio(big, (3, 32, 32)), 4), round(3 * 32 * 32 / (4 * 8 * 8), 4),
            "compression_ratio(ConvAutoencoder(3, 4), (3, 32, 32))")
dense = DenseAutoencoder(side=20, latent=10)
check_equal(round(compression_ratio(dense, (1, 20, 20)), 4), 40.0, "compression_ratio(DenseAutoencoder(20, 10))")
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Train your convolutional autoencoder on the shipped handwritten digits for a fixed budget of
# steps, then compare with the simplest possible "model": always predicting the average digit.

# %%
ct.seed(0)
model = ConvAutoencoder(channels=1, code_channels=8)
result = ct.train(model, X_train, X_train, nn.MSELoss(), steps=150, batch_size=64, lr=3e-3)
model = model.cpu().eval()
test_x = torch.from_numpy(X_test)
test_errors = reconstruction_errors(model, test_x)
baseline = float(((test_x - torch.from_numpy(X_train).mean(0)) ** 2).mean())
ratio = compression_ratio(model, (1, 28, 28))
print(f"test reconstruction MSE {float(test_errors.mean()):.4f} vs {baseline:.4f} for the average digit; "
      f"compression ratio {ratio:.1f}:1")
with torch.no_grad():
    plots.image_grid(X_test[:8], model(test_x[:8]).numpy(), titles=["original", "reconstruction"]);

# %% kind="test" grade_id="train-conv-autoencoder-test" points=2
check_loss_fell(result.losses, factor=0.5, name="autoencoder training loss")
check_at_most(float(test_errors.mean()), 0.5 * baseline, "test reconstruction MSE",
              hint="it must be well below the error of predicting the average digit")
check_true(ratio > 1, f"the code must be smaller than the image (compression ratio {ratio:.2f})")

# %% [markdown]
# ## Summary
#
# - An autoencoder's output must have the input's exact shape; the loss is where a mismatch
#   surfaces, as a broadcasting error or, worse, as a silent broadcast with only a warning.
# - Read the loss warning first: it names both full shapes. Broadcasting aligns from the right.
# - Dense decoders end with a reshape (`nn.Unflatten`) back to `(N, C, H, W)`.
# - In a conv autoencoder, check the channel chain, the sizes after every stride, the final
#   channel count, and never hard-code the image or batch size.
# - Report what the code keeps: per-sample error `(N,)` and the compression ratio.
