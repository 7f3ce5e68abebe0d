# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 05 · Odd sizes, strides and padding in conv autoencoders (PyTorch)
#
# An autoencoder must give back an image of exactly the size it was given. Every strided
# convolution or pooling layer rounds its output size *down* by default, and upsampling multiplies
# it back up, so an image whose side is not a multiple of the total stride comes back a few pixels
# short (or long). PyTorch never checks this when it builds the model: the mismatch surfaces later,
# at the loss or at a `torch.cat` that joins a skip connection. This notebook reproduces those
# errors, reads them, and builds autoencoders that return the exact input size for *any* height and
# width.

# %% [markdown]
# ## Learning goals
#
# - Predict the output size of convolution, pooling and transposed convolution layers
#   (`floor((n + 2p - k) / s) + 1`) and see why `128 -> 42 -> 126` happens.
# - Know where PyTorch reports a size mismatch in an autoencoder: at the loss (a broadcasting
#   warning, then a `RuntimeError`) or at `torch.cat`, never when the model is built.
# - Read `The size of tensor a (126) must match the size of tensor b (128)...` and
#   `Sizes of tensors must match except in dimension 1...` number by number.
# - Control a transposed convolution's output size with `output_padding` or `output_size=`.
# - Restore the exact input size with padding and cropping (`F.pad`), resizing
#   (`F.interpolate`) or sizes recorded on the way down.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course import check_at_most, check_equal, check_loss_fell, check_predictions, check_shape, check_true, needs
from course import data, expect_error, expect_warning, plots
from course import torch as ct

ct.seed(0)
print(ct.use_course_settings())


def conv_out(n, kernel, stride=1, padding=0):
    """Output size of a convolution or pooling layer along one axis (PyTorch rounds down)."""
    return (n + 2 * padding - kernel) // stride + 1


# %% [markdown]
# ## Reproduce the error
#
# ### 1. Pooling with stride 3 on a 128 x 128 image
#
# `nn.MaxPool2d(3)` uses `stride=3` (the stride defaults to the kernel size). 128 is not a multiple
# of 3, so the pooled map has `floor((128 - 3) / 3) + 1 = 42` rows; upsampling by 3 gives
# `3 x 42 = 126`, two rows short. Nothing complains while the model is built or run:

# %% kind="readonly" grade_id="reproduce-stride3"
stride3_ae = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(3),                       # 128 -> 42   (stride 3, rounds down)
    nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
    nn.Upsample(scale_factor=3),           # 42 -> 126
    nn.Conv2d(8, 1, 3, padding=1),
)
images = torch.rand(4, 1, 128, 128)
print("predicted pooled size:", conv_out(128, kernel=3, stride=3))
recon = stride3_ae(images)                 # runs without any error
check_shape(recon, (4, 1, 126, 126), name="stride-3 autoencoder output")
print("input", tuple(images.shape), "-> output", tuple(recon.shape))

# %% [markdown]
# The error appears only when the output meets its target, the input itself. `nn.MSELoss` first
# *warns* that the two sizes differ (it would broadcast them if it could), then fails when it tries
# to broadcast them: neither 126 nor 128 is 1 (the message's "non-singleton dimension"):

# %% kind="readonly" grade_id="reproduce-stride3-loss"
with expect_warning(UserWarning, shapes=[(4, 1, 128, 128), (4, 1, 126, 126)]):
    with expect_error(RuntimeError, contains=["size of tensor a (126) must match the size of tensor b (128)",
                                              "non-singleton dimension 3"]):
        nn.MSELoss()(recon, images)

# %% [markdown]
# Had one of the mismatched sides been 1, broadcasting would have *succeeded* and only the
# warning would remain. Here an output that collapsed to a single row is compared with every row
# of the target: a number comes out, and it is meaningless. Read that warning as an error.

# %% kind="readonly" grade_id="reproduce-silent-broadcast"
one_row = torch.zeros(4, 1, 1, 128)
with expect_warning(UserWarning, shapes=[(4, 1, 128, 128), (4, 1, 1, 128)]):
    silent_loss = F.mse_loss(one_row, images)
print(f"no error: loss = {silent_loss.item():.4f}, computed on shapes broadcast to {tuple(images.shape)}")

# %% [markdown]
# #### A widely copied example: 128 in, 78 out
#
# A model that circulates in tutorials and forum answers about this error stacks an unpadded 3 x 3 convolution, a 2 x 2 pooling with stride 3,
# another unpadded convolution, an upsampling by 2 and a last unpadded convolution. Here it is in
# PyTorch, with the binary cross-entropy loss it was written for. Every layer takes its share:
# `128 -> 126 -> 42 -> 40 -> 80 -> 78`. `nn.BCELoss` does not broadcast: it raises a `ValueError`
# with both sizes as soon as the target's size differs from the output's, even where broadcasting
# would work (the one-row output above).
#
# The write-ups that copy it often add that such a mismatch causes vanishing or exploding gradients. It cannot: the error
# is raised while the loss is computed, before `backward()` could run, so no gradient exists at
# all. Every parameter's `.grad` is still `None` afterwards:

# %% kind="readonly" grade_id="reproduce-article-model"
article_ae = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(),        # 128 -> 126  (no padding)
    nn.MaxPool2d(2, stride=3),             # 126 -> 42   (window 2, stride 3)
    nn.Conv2d(32, 16, 3), nn.ReLU(),       # 42 -> 40
    nn.Upsample(scale_factor=2),           # 40 -> 80
    nn.Conv2d(16, 1, 3), nn.Sigmoid(),     # 80 -> 78
)
print(ct.trace(article_ae, (4, 1, 128, 128)))
check_shape(article_ae(images), (4, 1, 78, 78), name="the copied autoencoder's output")
with expect_error(ValueError, shapes=[(4, 1, 128, 128), (4, 1, 78, 78)],
                  contains=["target size", "different to the input size"]):
    nn.BCELoss()(article_ae(images), images)
with expect_error(ValueError, shapes=[(4, 1, 128, 128), (4, 1, 1, 128)], contains=["target size"], quiet=True):
    nn.BCELoss()(one_row, images)
check_true(all(p.grad is None for p in article_ae.parameters()), "no gradient should exist after the failed loss")
print("every parameter's .grad is None: the mismatch stopped training before any gradient existed")

# %% [markdown]
# Pooling with stride 3 shrinks small images quickly: `28 -> 9 -> 3 -> 1`, and one more pooling
# has nothing left to pool. That one fails inside the layer, with the sizes in the message:

# %% kind="readonly" grade_id="reproduce-too-small"
too_deep = nn.Sequential(*[nn.MaxPool2d(3) for _ in range(4)])
with expect_error(RuntimeError, shapes=[(8, 1, 1), (8, 0, 0)]):
    too_deep(torch.zeros(2, 8, 28, 28))

# %% [markdown]
# ### 2. 'valid' padding shrinks every layer
#
# A 3 x 3 convolution without padding (PyTorch's default, `padding=0`, what Keras calls `'valid'`)
# loses one pixel on each border, 2 per layer. Three such convolutions around a pool/upsample pair
# turn 28 into 22:

# %% kind="readonly" grade_id="reproduce-valid"
valid_ae = nn.Sequential(
    nn.Conv2d(1, 8, 3), nn.ReLU(),         # 28 -> 26
    nn.Conv2d(8, 8, 3), nn.ReLU(),         # 26 -> 24
    nn.MaxPool2d(2),                       # 24 -> 12
    nn.Upsample(scale_factor=2),           # 12 -> 24
    nn.Conv2d(8, 1, 3),                    # 24 -> 22
)
digits28 = torch.from_numpy(data.digits(n=8, layout="nchw")[0])   # 8 real 28 x 28 digits
check_shape(valid_ae(digits28), (8, 1, 22, 22), name="valid-padding autoencoder output")
for padding in (1, "same"):   # either keeps a stride-1 3 x 3 convolution at 28 x 28
    check_shape(nn.Conv2d(1, 8, 3, padding=padding)(digits28), (8, 8, 28, 28), name=f"Conv2d with padding={padding!r}")
with expect_error(ValueError, contains=["padding='same' is not supported for strided convolutions"]):
    nn.Conv2d(1, 8, 3, stride=2, padding="same")   # refused when the layer is created
with expect_warning(UserWarning, shapes=[(8, 1, 28, 28), (8, 1, 22, 22)], quiet=True):
    with expect_error(RuntimeError, contains=["size of tensor a (22) must match the size of tensor b (28)"]):
        F.mse_loss(valid_ae(digits28), digits28)

# %% [markdown]
# `padding=1` (or `padding="same"` for stride 1) keeps a 3 x 3 convolution size-preserving. It
# does not help with the strided layers, which are the subject of the rest of this notebook; for
# those PyTorch has no `padding="same"` at all and refuses one when the layer is created (the last
# check of the cell above).
#
# ### 3. An odd size breaks a skip connection: 7 -> 3 -> 6
#
# A U-Net style autoencoder concatenates each decoder map with the encoder map of the same level.
# On 28 x 28 digits three poolings give `28 -> 14 -> 7 -> 3` (7 is odd, so one row and column are
# dropped) and upsampling gives 6, which cannot be concatenated with the 7 x 7 encoder map. The
# class below is used again in Exercise 2: its `fix` argument will receive your repair.

# %% kind="readonly" grade_id="skip-autoencoder"
def conv_block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


class SkipAE(nn.Module):
    """A small U-Net: three poolings, three skip connections joined with torch.cat.

    `fix(up, skip)`, when given, must return `up` with the height and width of `skip`.
    """

    def __init__(self, in_channels=1, fix=None):
        super().__init__()
        self.fix = fix
        self.enc1, self.enc2, self.enc3 = conv_block(in_channels, 8), conv_block(8, 16), conv_block(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.mid = conv_block(32, 32)
        self.up = nn.Upsample(scale_factor=2)
        self.dec3, self.dec2, self.dec1 = conv_block(64, 16), conv_block(32, 8), conv_block(16, 8)
        self.out = nn.Conv2d(8, in_channels, 1)

    def join(self, up, skip):
        if self.fix is not None:
            up = self.fix(up, skip)
        return torch.cat([skip, up], dim=1)

    def forward(self, x):
        s1 = self.enc1(x)                       # H
        s2 = self.enc2(self.pool(s1))           # H // 2
        s3 = self.enc3(self.pool(s2))           # H // 4
        z = self.mid(self.pool(s3))             # H // 8
        y = self.dec3(self.join(self.up(z), s3))
        y = self.dec2(self.join(self.up(y), s2))
        y = self.dec1(self.join(self.up(y), s1))
        return self.out(y)


# 128 = 2**7 survives three halvings; 28 does not.
check_shape(SkipAE()(torch.zeros(2, 1, 128, 128)), (2, 1, 128, 128), name="SkipAE on 128 x 128")
with expect_error(RuntimeError, contains=["Sizes of tensors must match except in dimension 1",
                                         "Expected size 7 but got size 6 for tensor number 1"]):
    SkipAE()(torch.zeros(2, 1, 28, 28))

# %% [markdown]
# The picture below is drawn from `SkipAE`'s own `pool` and `up` layers run on a 28 x 28 input:
# each encoder level on the left, on the right the map upsampled from the level below, which
# `torch.cat` must join with it. Only level 2 (7 x 7 against 6 x 6) disagrees, and the check
# under the figure confirms it with `torch.cat` itself.

# %% kind="readonly" grade_id="figure-skip-sizes"
skip_layers = SkipAE()
maps = [torch.zeros(1, 1, 28, 28)]
for _ in range(3):
    maps.append(skip_layers.pool(maps[-1]))
encoder_sizes = [tuple(m.shape[-2:]) for m in maps]
upsampled_sizes = [tuple(skip_layers.up(m).shape[-2:]) for m in maps[1:]]
print("encoder:", encoder_sizes, "| upsampled from below:", upsampled_sizes)
check_equal(plots.skip_mismatches(encoder_sizes, upsampled_sizes), [2], "levels whose sizes disagree")
with expect_error(RuntimeError, contains=["Expected size 7 but got size 6"], quiet=True):
    torch.cat([maps[2], skip_layers.up(maps[3])], dim=1)
plots.skip_sizes(encoder_sizes, upsampled_sizes, title="SkipAE on 28 x 28");

# %% [markdown]
# Rounding down also loses data silently. A 2 x 2 pooling of a 7 x 7 map covers rows and
# columns 0-5 only: whatever sits in the last row or column never reaches the output. No error, no
# warning:

# %% kind="readonly" grade_id="reproduce-silent-floor"
pool = nn.MaxPool2d(2)
fmap = torch.rand(1, 1, 7, 7)
changed = fmap.clone()
changed[..., 6, :] = 100.0                      # a bright last row
changed[..., :, 6] = 100.0                      # and a bright last column
check_shape(pool(fmap), (1, 1, 3, 3), name="pooled 7 x 7 map")
check_true(torch.equal(pool(fmap), pool(changed)), "the last row and column should be invisible to the pooling")
print("the pooled map ignores row 6 and column 6 entirely")

# %% [markdown]
# ### 4. Transposed convolutions and `output_padding`
#
# A transposed convolution's output size is `(n - 1) * stride - 2 * padding + kernel + output_padding`.
# The usual "halve, then double" pair is `Conv2d(k=3, stride=2, padding=1)` down and
# `ConvTranspose2d(k=3, stride=2, padding=1)` up. Going down, 5 and 6 both become 3; going up,
# 3 becomes 5 unless told otherwise. The layer cannot know which size you started from:

# %% kind="readonly" grade_id="reproduce-transposed"
down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
up = nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1)
print("down: 5 ->", down(torch.zeros(1, 8, 5, 5)).shape[-1], "| 6 ->", down(torch.zeros(1, 8, 6, 6)).shape[-1])
z3 = torch.zeros(1, 8, 3, 3)
check_shape(up(z3), (1, 8, 5, 5), name="ConvTranspose2d without output_padding")
# output_size= picks between the sizes the layer can reach, here 5 or 6 ...
check_shape(up(z3, output_size=(6, 6)), (1, 8, 6, 6), name="ConvTranspose2d with output_size=(6, 6)")
# ... and refuses anything else
with expect_error(ValueError, shapes=[(7, 7), (5, 5), (6, 6)]):
    up(z3, output_size=(7, 7))

# %% [markdown]
# `output_padding` adds that many rows and columns to the output size, but it must be smaller than
# the stride. PyTorch accepts a bad value when the layer is *built* and raises only on the first
# forward pass:

# %% kind="readonly" grade_id="reproduce-output-padding"
too_much = nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=2)   # no error here
with expect_error(RuntimeError, contains=["output padding", "stride"]):
    too_much(z3)
check_shape(nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1)(z3), (1, 8, 6, 6),
            name="ConvTranspose2d with output_padding=1")
print("output_padding=1: 3 -> 6")

# %% [markdown]
# Where does the extra row come from? A transposed convolution *spreads* each input row over
# `kernel` output rows, `stride` rows apart: input row `i` writes into output rows
# `i * stride - padding` to `i * stride - padding + kernel - 1`, and `padding` cuts rows off both
# ends. The cell below feeds one input row at a time through a real one-channel
# `ConvTranspose2d(3, stride=2, padding=1)` with an all-ones kernel and records which output rows
# are not zero. With `output_padding=1` the last input row keeps one more of its rows (row 5),
# the one `padding` cut off at the end: `output_padding` does not add a row of zeros, it stops
# cropping one.

# %% kind="readonly" grade_id="figure-transposed-growth"
def measured_taps(n, **conv_args):
    """For each input row of a real one-channel ConvTranspose2d (all-ones 3 x 3 kernel, no bias),
    the output rows it writes into: feed that row alone and see which output rows are not zero."""
    layer = nn.ConvTranspose2d(1, 1, 3, bias=False, **conv_args)
    nn.init.ones_(layer.weight)
    x = torch.zeros(n, 1, n, 1)
    x[range(n), 0, range(n), 0] = 1.0           # image i holds a 1 in row i only
    with torch.no_grad():
        rows = layer(x)[:, 0].abs().sum(-1)     # (n images, output rows)
    return [torch.nonzero(r).flatten().tolist() for r in rows], rows.shape[-1]


cases = []
for output_padding in (0, 1):
    taps, out = measured_taps(3, stride=2, padding=1, output_padding=output_padding)
    check_equal((taps, out), plots.transposed_taps(3, 3, stride=2, padding=1, output_padding=output_padding),
                f"rows written with output_padding={output_padding} vs i * stride - padding + (0 .. kernel - 1)")
    print(f"output_padding={output_padding}: 3 -> {out}; input row i writes into output rows {taps}")
    cases.append((f"ConvTranspose2d(3, stride=2, padding=1, output_padding={output_padding})", taps, out,
                  output_padding))
plots.transposed_growth(cases);

# %% [markdown]
# ## Read the traceback
#
# **The loss.** `The size of tensor a (126) must match the size of tensor b (128) at non-singleton
# dimension 3`:
#
# - *tensor a* is the first argument of the loss, the model's output; *tensor b* is the target.
# - *dimension 3* counts from 0 in `(N, C, H, W)`: it is the width. Broadcasting compares shapes from
#   the last axis backwards and stops at the first conflict, so the height (also 126 vs 128) is not
#   mentioned. One mismatched axis in the message does not mean the others are fine.
# - The `UserWarning`, emitted just before the error (the cell prints it second), gives both full
#   shapes: `torch.Size([4, 1, 128, 128])` (target) and `torch.Size([4, 1, 126, 126])` (output).
#
# **The skip connection.** `Sizes of tensors must match except in dimension 1. Expected size 7 but
# got size 6 for tensor number 1 in the list.`:
#
# - *dimension 1* is the concatenation axis, the channels: those may differ (32 + 32 here).
# - *Expected size 7* comes from tensor number 0 in the list (the encoder map `skip`);
#   *tensor number 1* is the second one, the upsampled map, which has 6.
# - It does not say which axis: it names the first one that differs, here the height. With a
#   7 x 9 map and a 6 x 8 one (below), it names 7 and 6, not 9 and 8.
#
# A per-layer trace finds the layer where the size went wrong. The table stops at the last layer
# that ran; the failure is in code after `up`, the `torch.cat`, and the last `pool` row shows the
# culprit: 7 turned into 3.

# %% kind="readonly" grade_id="read-trace"
with expect_error(RuntimeError, contains=["Expected size 7 but got size 6"]):
    torch.cat([torch.zeros(1, 2, 7, 9), torch.zeros(1, 2, 6, 8)], dim=1)   # height 7 vs 6, width 9 vs 8
skip_trace = ct.trace(SkipAE(), (2, 1, 28, 28))
print(skip_trace)

# %% [markdown]
# Which sizes survive? With `L` halvings (pooling or stride 2) and `L` doublings, only sides that
# are multiples of `2**L` come back unchanged. A quick table:

# %% kind="readonly" grade_id="roundtrip-table"
def roundtrip(n, levels, factor=2):
    sizes = [n]
    for _ in range(levels):
        sizes.append(sizes[-1] // factor)
    return sizes + [sizes[-1] * factor ** levels]


for n in (28, 100, 128, 27, 33, 65):
    down2, down3 = roundtrip(n, 2), roundtrip(n, 3)
    print(f"{n:4d}: 2 levels {down2} {'ok' if down2[-1] == n else 'MISMATCH'}   "
          f"3 levels {down3} {'ok' if down3[-1] == n else 'MISMATCH'}")
print(" 128, stride 3:", roundtrip(128, 1, factor=3))

# %% [markdown]
# The repairs, all used below:
#
# 1. **Pad, then crop.** Pad the input up to a multiple of the total stride (`F.pad`), run the
#    network, slice the output back to `H x W`. Exact, and the network itself is unchanged.
# 2. **Follow the encoder's sizes.** Record each size on the way down and upsample *to that size*:
#    `nn.Upsample(size=...)`, `F.interpolate(x, size=skip.shape[-2:])`, or
#    `ConvTranspose2d(...)(x, output_size=...)`.
# 3. **Match each skip.** Pad or crop the upsampled map to the encoder map (`F.pad` takes negative
#    amounts to crop) before `torch.cat`.
# 4. **Resize at the end.** `F.interpolate(out, size=x.shape[-2:])` always has the right shape, but it
#    stretches the image to cover the missing pixels; fine for a demo, not for pixel-exact work.

# %% [markdown]
# ## Exercise 1 (4 points)
#
# The model below is the stride-3 autoencoder as a class. It raises only for sides under 9, where
# the second pooling has no whole 3 x 3 window left ("Output size is too small", checked below on
# 8 x 8). Every larger side runs without a word, and comes back at the input size only when it is
# a multiple of 9 (81 below):

# %% kind="readonly" grade_id="broken-stride3-ae"
class BrokenStride3AE(nn.Module):
    def __init__(self, in_channels=1):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3),
                                     nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3))
        self.decoder = nn.Sequential(nn.Upsample(scale_factor=3), nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(),
                                     nn.Upsample(scale_factor=3), nn.Conv2d(8, in_channels, 3, padding=1))

    def forward(self, x):
        return self.decoder(self.encoder(x))


for side in (28, 100, 128, 31, 81):
    print(side, "->", tuple(BrokenStride3AE()(torch.zeros(1, 1, side, side)).shape[-2:]))
with expect_error(RuntimeError, contains=["Output size is too small"], shapes=[(16, 2, 2), (16, 0, 0)]):
    BrokenStride3AE()(torch.zeros(1, 1, 8, 8))      # 8 -> 2, and a 3 x 3 window does not fit in 2 x 2

# %% [markdown]
# Write `build_autoencoder(in_channels=1)`, returning an `nn.Module` that
#
# - maps `(N, in_channels, H, W)` to exactly `(N, in_channels, H, W)` for **any** `H` and `W`
#   (28 x 28, 31 x 31, 27 x 40 and 128 x 128 are tested below, with batches of 1 to 3; the hidden
#   tests try other sizes and batch sizes);
# - really compresses: somewhere inside, the feature maps are at most `ceil(H/4) x ceil(W/4)`
#   (two halvings; stride 3 is fine as long as the output comes back exact).
#
# Any repair from the list above works, in modules or in functional calls (`F.max_pool2d`,
# `F.interpolate`) inside `forward`: the test measures every tensor your model computes. Create
# every layer that has weights in `__init__` (the test checks that `forward` uses only the
# model's own parameters: a layer created inside `forward` is new, untrained, at every call). The
# training cell at the end trains your model on grayscale microscopy and photo patches of an odd
# size, 31 x 31.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the round-trip table in "Read the traceback": which sides come back unchanged after two
# halvings, and which do not? Then pick one repair from the list under it. If a test fails, its
# message names the input size and the size your model gave back.
# </details>

# %% kind="answer" grade_id="ex1-exact-size-autoencoder"
def build_autoencoder(in_channels=1):
    ### BEGIN SOLUTION
    class PadCropAE(nn.Module):
        multiple = 4  # two halvings

        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.decoder = nn.Sequential(
                nn.Upsample(scale_factor=2), nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(),
                nn.Upsample(scale_factor=2), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
                nn.Conv2d(8, in_channels, 3, padding=1))

        def forward(self, x):
            h, w = x.shape[-2:]
            pad_h, pad_w = -h % self.multiple, -w % self.multiple
            x = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
            return self.decoder(self.encoder(x))[..., :h, :w]

    return PadCropAE()
    ### END SOLUTION


# %% kind="test" grade_id="ex1-exact-size-autoencoder-test" points=4
from torch.overrides import TorchFunctionMode


def _tensors(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple, dict)):
        for item in (obj.values() if isinstance(obj, dict) else obj):
            yield from _tensors(item)


def smallest_map(model, shape):
    """The smallest height and width of any 4-D tensor computed from the input in one forward pass.

    Every torch call is watched (layers, F.max_pool2d, F.interpolate, slicing, ...), not only module
    outputs; tensors that do not depend on the input (weights) are left out.
    """
    x = torch.zeros(*shape, device=next(model.parameters(), torch.empty(0)).device)
    from_input, sizes = {id(x): x}, []   # the dict keeps tensors alive, so ids stay unique

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if any(id(t) in from_input for t in _tensors((args, kwargs or {}))):
                for t in _tensors(out):
                    from_input[id(t)] = t
                    if t.dim() == 4:
                        sizes.append(tuple(t.shape[-2:]))
            return out

    with torch.no_grad(), Watch():
        model(x)
    check_true(sizes, "the model computed no 4-D feature map from its input")
    return min(h for h, _ in sizes), min(w for _, w in sizes)


ae = ct.build_block(build_autoencoder, 1, name="build_autoencoder(1)")
check_true(isinstance(ae, nn.Module), f"build_autoencoder should return an nn.Module, got {type(ae).__name__}")
# 31 is odd and 27 x 40 is not square: neither is a multiple of 4, as 28 and 128 are.
ct.check_output_shapes(ae, [((2, 1, 28, 28), (2, 1, 28, 28)), ((1, 1, 31, 31), (1, 1, 31, 31)),
                            ((3, 1, 27, 40), (3, 1, 27, 40)), ((2, 1, 128, 128), (2, 1, 128, 128))],
                       name="build_autoencoder(1) output")
ct.check_output_shapes(ct.build_block(build_autoencoder, 3, name="build_autoencoder(3)"),
                       [((2, 3, 31, 31), (2, 3, 31, 31))],
                       name="build_autoencoder(3) output")
for hh, ww in [(28, 28), (27, 40)]:
    h, w = smallest_map(ae, (2, 1, hh, ww))
    check_true(h <= math.ceil(hh / 4) and w <= math.ceil(ww / 4),
               f"the smallest feature map for a {hh} x {ww} input is {h} x {w}; it must be at most "
               f"{math.ceil(hh / 4)} x {math.ceil(ww / 4)} (two halvings)")
ct.check_uses_its_parameters(ae, (2, 1, 27, 40), "build_autoencoder(1)", all_used=True)
print("visible tests passed")
### BEGIN HIDDEN TESTS
sizes = [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]
ct.check_output_shapes(ae, [((b, 1, hh, ww), (b, 1, hh, ww)) for hh, ww in sizes for b in (1, 7)],
                       name="autoencoder output")
ct.check_output_shapes(ct.build_block(build_autoencoder, 3, name="build_autoencoder(3)"),
                       [((7, 3, 33, 27), (7, 3, 33, 27))],
                       name="3-channel autoencoder")
for hh, ww in [(33, 33), (31, 40), (65, 65)]:
    h, w = smallest_map(ae, (1, 1, hh, ww))
    check_true(h <= math.ceil(hh / 4) and w <= math.ceil(ww / 4),
               f"the smallest feature map for a {hh} x {ww} input is {h} x {w}; it must be at most "
               f"{math.ceil(hh / 4)} x {math.ceil(ww / 4)}")
patches, _ = data.gray_patches(n=23, size=27, layout="nchw")
for xb in data.batches(torch.from_numpy(patches), batch_size=10):   # 10, 10 and a partial 3
    with torch.no_grad():
        check_shape(ae.eval()(xb), tuple(xb.shape), name=f"autoencoder output for a batch of {len(xb)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# Repair the skip connections of `SkipAE` (defined in "Reproduce the error") without touching the
# class: write `match_to(x, ref)`, which returns `x` with its own batch size and channels but the
# height and width of `ref`. `SkipAE(fix=match_to)` then calls it on every upsampled map before
# `torch.cat`.
#
# The upsampled map can be smaller than the encoder map (6 vs 7 after plain pooling) or larger
# (8 vs 7 when the way down rounds up: `nn.MaxPool2d(2, ceil_mode=True)` or a stride-2 convolution
# with `padding=1` turn 7 into 4, as the cell below shows), and height and width can be off by
# different amounts. Keep the values of `x` (pad, crop or interpolate; do not return zeros).

# %% kind="readonly" grade_id="rounding-up"
seven = torch.zeros(1, 1, 7, 7)
print("7 ->", nn.MaxPool2d(2)(seven).shape[-1], "with MaxPool2d(2);",
      nn.MaxPool2d(2, ceil_mode=True)(seven).shape[-1], "with ceil_mode=True;",
      nn.Conv2d(1, 1, 3, stride=2, padding=1)(seven).shape[-1], "with Conv2d(k=3, stride=2, padding=1)")
check_shape(nn.MaxPool2d(2, ceil_mode=True)(seven), (1, 1, 4, 4), name="ceil_mode pooling of a 7 x 7 map")
check_shape(nn.Conv2d(1, 1, 3, stride=2, padding=1)(seven), (1, 1, 4, 4), name="stride-2 convolution of a 7 x 7 map")

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `torch.cat` message in "Read the traceback": which tensor is the reference and which
# one has the wrong size. Compare the two heights and the two widths separately; the repairs listed
# after the round-trip table say which tool takes amounts that can be negative.
# </details>

# %% kind="answer" grade_id="ex2-match-skip-size"
def match_to(x, ref):
    ### BEGIN SOLUTION
    dh = ref.shape[-2] - x.shape[-2]
    dw = ref.shape[-1] - x.shape[-1]
    # F.pad takes (left, right, top, bottom); negative amounts crop.
    return F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))
    ### END SOLUTION


# %% kind="test" grade_id="ex2-match-skip-size-test" points=3
def check_match(x_shape, ref_shape):
    x = torch.rand(*x_shape, requires_grad=True)
    out = match_to(x, torch.zeros(*ref_shape))
    check_shape(out, x_shape[:2] + ref_shape[2:], name=f"match_to(x {x_shape}, ref {ref_shape})")
    check_true(out.requires_grad, "match_to must return the values of x (padded, cropped or resized), "
                                  "not a new tensor")
    out.sum().backward()
    check_true(x.grad is not None and float(x.grad.abs().sum()) > 0,
               f"match_to(x {x_shape}, ...) must keep the values of x, not replace them")


check_match((2, 32, 6, 6), (2, 32, 7, 7))          # smaller than the skip: 6 vs 7
check_match((2, 8, 8, 8), (2, 8, 7, 7))            # larger than the skip: crop
check_match((1, 4, 12, 20), (1, 4, 13, 19))        # height short by 1, width long by 1
ct.check_output_shapes(SkipAE(fix=match_to), [((2, 1, 28, 28), (2, 1, 28, 28)), ((1, 1, 27, 40), (1, 1, 27, 40))],
                       name="SkipAE(fix=match_to) output")
print("visible tests passed")
### BEGIN HIDDEN TESTS
check_match((2, 8, 8, 8), (2, 4, 7, 7))          # larger than the skip: crop
check_match((1, 4, 20, 12), (1, 4, 19, 13))      # one axis long, the other short
check_match((7, 3, 5, 9), (7, 3, 5, 9))          # already equal
check_match((7, 16, 24, 24), (7, 16, 25, 27))
sizes = [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]
ct.check_output_shapes(SkipAE(fix=match_to), [((b, 1, hh, ww), (b, 1, hh, ww)) for hh, ww in sizes for b in (1, 7)],
                       name="SkipAE(fix=match_to) output")
ct.check_output_shapes(SkipAE(in_channels=3, fix=match_to), [((7, 3, 45, 30), (7, 3, 45, 30))],
                       name="3-channel SkipAE(fix=match_to) output")
patches, _ = data.gray_patches(n=23, size=27, layout="nchw")
skip_ae = SkipAE(fix=match_to).eval()
for xb in data.batches(torch.from_numpy(patches), batch_size=10):
    with torch.no_grad():
        check_shape(skip_ae(xb), tuple(xb.shape), name=f"SkipAE output for a batch of {len(xb)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# `StridedAE` downsamples with stride-2 convolutions (`n -> ceil(n/2)`) and upsamples with a block
# you pass in. It records the size of every level on the way down and asks the block for exactly
# that size on the way up. The naive block ignores the request, so 28 comes back as 25:

# %% kind="readonly" grade_id="broken-strided-ae"
class NaiveUp(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1)

    def forward(self, x, size):
        return self.up(x)        # ignores `size`: always 2 * n - 1


class StridedAE(nn.Module):
    def __init__(self, in_channels=1, up_block=NaiveUp):
        super().__init__()
        self.down = nn.ModuleList([nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)
                                   for c_in, c_out in [(in_channels, 16), (16, 32), (32, 32)]])
        self.up = nn.ModuleList([up_block(c_in, c_out) for c_in, c_out in [(32, 32), (32, 16), (16, 8)]])
        self.out = nn.Conv2d(8, in_channels, 3, padding=1)

    def forward(self, x):
        sizes = []
        for layer in self.down:
            sizes.append(tuple(x.shape[-2:]))
            x = F.relu(layer(x))
        for layer, size in zip(self.up, reversed(sizes)):
            x = F.relu(layer(x, size))
        return self.out(x)


print(ct.trace(StridedAE(), (2, 1, 28, 28)))
with expect_warning(UserWarning, shapes=[(2, 1, 28, 28), (2, 1, 25, 25)], quiet=True):
    with expect_error(RuntimeError, contains=["size of tensor a (25) must match the size of tensor b (28)"]):
        F.mse_loss(StridedAE()(torch.zeros(2, 1, 28, 28)), torch.zeros(2, 1, 28, 28))

# %% [markdown]
# Write `UpBlock(in_channels, out_channels)`, an `nn.Module` whose `forward(x, size)` doubles `x`
# with a learned `nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1)` and returns
# exactly `(N, out_channels, *size)`, for any batch size `N`. `size` is a `(height, width)` pair;
# each side is either `2n - 1` or `2n` for an input side `n`, and the two sides may differ. Create
# the transposed convolution in `__init__` and use it in `forward` (the test checks that `forward`
# uses the block's own parameters: a layer created inside `forward` is new and untrained at every
# call, so it never learns).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read section 4 of "Reproduce the error", "Transposed convolutions and `output_padding`": from
# a 3 x 3 input the same layer can give 5 or 6, and that cell shows two ways to choose which.
# </details>

# %% kind="answer" grade_id="ex3-transposed-output-size"
class UpBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        ### BEGIN SOLUTION
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1)
        ### END SOLUTION

    def forward(self, x, size):
        ### BEGIN SOLUTION
        return self.up(x, output_size=size)
        ### END SOLUTION


# %% kind="test" grade_id="ex3-transposed-output-size-test" points=3
block = ct.build_block(UpBlock, 8, 4, name="UpBlock(8, 4)")
for batch, n_in, size in [(2, (3, 3), (5, 5)), (2, (3, 3), (6, 6)), (1, (3, 3), (5, 6)), (3, (4, 6), (8, 11))]:
    check_shape(block(torch.zeros(batch, 8, *n_in), size), (batch, 4) + size,
                name=f"UpBlock(8, 4) on {(batch, 8) + n_in} asked for {size}")
check_true(ct.count_params(block) > 0, "UpBlock(8, 4) holds no parameters: it should hold a learned "
                                       "ConvTranspose2d(8, 4, 3, stride=2, padding=1)")
ct.check_uses_its_parameters(block, (2, 8, 3, 3), "UpBlock(8, 4)", extra_args=((5, 6),), all_used=True)
ct.check_output_shapes(ct.build_block(StridedAE, up_block=UpBlock, name="StridedAE(up_block=UpBlock)"),
                       [((2, 1, 28, 28), (2, 1, 28, 28)), ((3, 1, 27, 40), (3, 1, 27, 40))],
                       name="StridedAE(up_block=UpBlock) output")
print("visible tests passed")
### BEGIN HIDDEN TESTS
for b, n, size in [(1, 3, (5, 6)), (7, 3, (6, 5)), (7, 10, (19, 20)), (1, 1, (2, 1)), (7, 14, (28, 27))]:
    check_shape(ct.build_block(UpBlock, 8, 3, name="UpBlock(8, 3)")(torch.zeros(b, 8, n, n), size), (b, 3) + size,
                name=f"UpBlock(8, 3) on {(b, 8, n, n)} asked for {size}")
check_shape(ct.build_block(UpBlock, 8, 3, name="UpBlock(8, 3)")(torch.zeros(7, 8, 4, 6), (8, 11)), (7, 3, 8, 11),
            name="UpBlock(8, 3) on (7, 8, 4, 6) asked for (8, 11)")
sizes = [(27, 27), (33, 33), (65, 65), (31, 40), (17, 23)]
ct.check_output_shapes(ct.build_block(StridedAE, up_block=UpBlock, name="StridedAE(up_block=UpBlock)"),
                       [((b, 1, hh, ww), (b, 1, hh, ww)) for hh, ww in sizes for b in (1, 7)],
                       name="StridedAE(up_block=UpBlock) output")
patches, _ = data.gray_patches(n=23, size=27, layout="nchw")
strided = ct.build_block(StridedAE, up_block=UpBlock, name="StridedAE(up_block=UpBlock)").eval()
for xb in data.batches(torch.from_numpy(patches), batch_size=10):
    with torch.no_grad():
        check_shape(strided(xb), tuple(xb.shape), name=f"StridedAE output for a batch of {len(xb)}")
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your Exercise 1 autoencoder, trained on 31 x 31 grayscale patches cut from the microscopy,
# medical-style and classic test images that scikit-image ships (31 is odd and not a multiple of 4;
# the stride-3 model of Exercise 1 returns 27 x 27 for them). Training patches come from the left
# 70% of each image, held-out patches from the rest. The trivial baseline predicts the mean
# training pixel everywhere; a working autoencoder must beat it by far.

# %%
train_x, _ = data.gray_patches(n=1200, size=31, split="train", layout="nchw")
test_x, _ = data.gray_patches(n=300, size=31, split="test", layout="nchw")
baseline_mse = float(np.mean((test_x - train_x.mean()) ** 2))

ct.seed(0)                      # same initial weights on every run
model = build_autoencoder(1)
result = ct.train(model, train_x, train_x, nn.MSELoss(), steps=150, batch_size=32, lr=3e-3)
recon_x = ct.predict(model, test_x)
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
# `(2, 8, 5, 5)` (a list or a `torch.Size` counts too) in place of `None`, then run the test cell,
# which runs the real layers and prints, per question, your prediction and the real shape. The
# formulas are in "Reproduce the error" (sections 1, 3 and 4).

# %% kind="answer" grade_id="self-check"
predictions = {
    "MaxPool2d(3) on (4, 8, 128, 128)": None,
    "Conv2d(1, 16, 3, stride=2, padding=1) on (2, 1, 31, 31)": None,
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1) on (2, 16, 16, 16)": None,
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on (2, 16, 16, 16)": None,
    "MaxPool2d(2) on (1, 32, 7, 9)": None,
}
### BEGIN SOLUTION
predictions = {
    "MaxPool2d(3) on (4, 8, 128, 128)": (4, 8, 42, 42),
    "Conv2d(1, 16, 3, stride=2, padding=1) on (2, 1, 31, 31)": (2, 16, 16, 16),
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1) on (2, 16, 16, 16)": (2, 8, 31, 31),
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on (2, 16, 16, 16)": (2, 8, 32, 32),
    "MaxPool2d(2) on (1, 32, 7, 9)": (1, 32, 3, 4),
}
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    real_shapes = {question: ("output shape", layer(torch.zeros(shape)).shape) for question, (layer, shape) in {
        "MaxPool2d(3) on (4, 8, 128, 128)": (nn.MaxPool2d(3), (4, 8, 128, 128)),
        "Conv2d(1, 16, 3, stride=2, padding=1) on (2, 1, 31, 31)": (nn.Conv2d(1, 16, 3, stride=2, padding=1), (2, 1, 31, 31)),
        "ConvTranspose2d(16, 8, 3, stride=2, padding=1) on (2, 16, 16, 16)":
            (nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1), (2, 16, 16, 16)),
        "ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on (2, 16, 16, 16)":
            (nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), (2, 16, 16, 16)),
        "MaxPool2d(2) on (1, 32, 7, 9)": (nn.MaxPool2d(2), (1, 32, 7, 9)),
    }.items()}
check_predictions(predictions, real_shapes)

# %% [markdown]
# ## Summary
#
# - Strided convolutions and pooling round down: `floor((n + 2p - k) / s) + 1`. `128 -> 42 -> 126`
#   with stride 3, `7 -> 3 -> 6` with stride 2. Only multiples of the total stride survive a round trip.
# - PyTorch builds and runs such a model without complaint; the mismatch shows up at the loss
#   (a broadcasting `UserWarning`, then `The size of tensor a ... must match`) or at `torch.cat`
#   (`Sizes of tensors must match except in dimension 1`).
# - `padding=1` keeps a 3 x 3 convolution size-preserving; no padding loses 2 pixels per layer.
# - A transposed convolution cannot guess `2n - 1` vs `2n`: pass `output_size=` (or the right
#   `output_padding`, which must be smaller than the stride and is checked only at the first call).
# - Exact-size fixes: pad to a multiple and crop back, upsample to recorded sizes, pad/crop each
#   skip to its partner; test them on odd and non-square sizes, not only on 28 and 128.
