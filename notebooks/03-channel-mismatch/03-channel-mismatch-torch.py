# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 · Channel mismatch (PyTorch)
#
# A convolution's weights are built for a fixed number of input channels, and PyTorch looks for
# those channels on **axis 1** of an `(N, C, H, W)` batch. Channel bugs come in three kinds: the
# channel axis is missing (a grayscale batch stored as `(N, H, W)`), it sits in the wrong place
# (channels-last `(N, H, W, C)` arrays from NumPy, PIL or Keras code), or the count is wrong (a
# grayscale model fed colour images, a layer whose `in_channels` does not match the previous
# layer's `out_channels`, a decoder that returns 4 channels for a 3-channel target). Some of these
# raise an error at the layer; others run without a word and hand you a tensor of the wrong shape.

# %% [markdown]
# ## Learning goals
#
# - Read `weight of size [...], expected input[...] to have C channels, but got K channels instead`
#   and say where each number comes from.
# - Recognise PyTorch's *unbatched* `(C, H, W)` convention, which turns a missing channel axis
#   into either a confusing channel error or a silent bug.
# - Move channels-last data to channels-first with `permute` (never `reshape`), for any batch,
#   channel count and image size.
# - Build conv stacks whose out→in channel chain is right for any `in_channels`, and decoders that
#   return exactly the channels of their target.
# - Put a small head on a many-channel feature map with global pooling, and check with the
#   parameter count that it no longer depends on the image size.
# - Bridge two separately built blocks with a 1×1 convolution, and shrink a many-channel input with
#   one before a 3×3 convolution.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import warnings
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true,
                    expect_error, expect_warning, needs)
from course import data, plots
from course import torch as ct

ct.seed(0)
print(ct.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# ### 1. A missing channel axis
#
# The course's digits are real MNIST digits. Asked for layout `"hw"`, they come as `(N, 28, 28)`:
# no channel axis, which is how most image files and many NumPy pipelines store grayscale.
#
# Here is the twist: besides `(N, C, H, W)`, `nn.Conv2d` also accepts a single **unbatched** image
# `(C, H, W)`. So a 3-D tensor is never "missing an axis" for PyTorch: it is one image whose
# channels are on axis 0. A batch of 8 grayscale digits becomes one image with 8 channels.

# %% kind="readonly" grade_id="repro-missing-channel-axis"
digits_hw, _ = data.digits("train", layout="hw", n=8)
print("digits without a channel axis:", digits_hw.shape)

gray_conv = nn.Conv2d(in_channels=1, out_channels=16, kernel_size=3)
with expect_error(RuntimeError, shapes=[(16, 1, 3, 3), (1, 8, 28, 28)]):
    gray_conv(torch.from_numpy(digits_hw))

# %% [markdown]
# The message says `input[1, 8, 28, 28]`, not `[8, 28, 28]`: PyTorch put the unbatched image into
# a batch of one itself, and the 8 digits ended up as 8 channels.
#
# With a batch of **one** digit the same mistake raises nothing: `(1, 28, 28)` is a valid
# one-channel unbatched image, and the output has no batch axis at all. Worse, a batch of three
# grayscale images fits an RGB layer perfectly: three different digits are read as the red, green
# and blue planes of a single picture.

# %% kind="readonly" grade_id="repro-unbatched-silent"
one_digit = torch.from_numpy(digits_hw[:1])  # (1, 28, 28): meant as "1 image", read as "1 channel"
out = gray_conv(one_digit)
check_shape(out, (16, 26, 26), name="conv output for a (1, 28, 28) batch")
print("batch of one digit ->", tuple(out.shape), " (16 is the channel axis; the batch axis is gone)")

rgb_conv = nn.Conv2d(in_channels=3, out_channels=16, kernel_size=3)
three_digits = torch.from_numpy(digits_hw[:3])  # three images, no channel axis
out = rgb_conv(three_digits)
check_shape(out, (16, 26, 26), name="RGB conv output for three grayscale digits")
print("three digits into an RGB conv ->", tuple(out.shape), " (one 'colour' image, not three)")

# The fix: give the batch its channel axis, (N, H, W) -> (N, 1, H, W).
fixed = torch.from_numpy(digits_hw).unsqueeze(1)
check_shape(gray_conv(fixed), (8, 16, 26, 26), name="conv output after unsqueeze(1)")
print("with the channel axis:", tuple(fixed.shape), "->", tuple(gray_conv(fixed).shape))

# %% [markdown]
# A model that starts with `nn.Flatten()` never looks for channels. One of this lesson's source
# articles claims that a dense autoencoder of this kind fails on a single image `(1, 28, 28)`; it
# does not. `Flatten` keeps axis 0 and flattens the rest, so the `1` is read as a batch of one and
# the output comes back as `(1, 1, 28, 28)`. (The same article's conv autoencoder, with a stride-2
# transposed convolution after a 2×2 pooling, is also said to fail; it returns its input's shape.)

# %% kind="readonly" grade_id="repro-article-autoencoders"
dense_ae = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 28 * 28),
                         nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
check_shape(dense_ae(one_digit), (1, 1, 28, 28), name="dense autoencoder on one (1, 28, 28) digit")
conv_ae = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())
eight_digits = torch.from_numpy(digits_hw).unsqueeze(1)  # (8, 1, 28, 28)
check_shape(conv_ae(eight_digits), (8, 1, 28, 28), name="conv autoencoder on (8, 1, 28, 28)")
print("dense AE:", tuple(one_digit.shape), "->", tuple(dense_ae(one_digit).shape),
      "  conv AE:", tuple(eight_digits.shape), "->", tuple(conv_ae(eight_digits).shape))

# %% [markdown]
# ### 2. Channels-last data into a channels-first model
#
# `data.color_patches` cuts 32×32 RGB patches out of six photographs that ship with
# scikit-image. In layout `"nhwc"` they look like what NumPy, PIL and Keras produce:
# `(N, H, W, C)`. A PyTorch conv reads axis 1 as channels, so it finds 32 "channels" (the height).

# %% kind="readonly" grade_id="repro-nhwc-into-nchw"
patches_nhwc, patch_labels = data.color_patches(n=8, size=32, layout="nhwc")
print("patches, channels last:", patches_nhwc.shape, " cut from", len(data.COLOR_IMAGES), "photographs")
check_equal(len(data.COLOR_IMAGES), 6, "number of photographs")

with expect_error(RuntimeError, shapes=[(16, 3, 3, 3), (8, 32, 32, 3)]):
    rgb_conv(torch.from_numpy(patches_nhwc))

# %% [markdown]
# The tempting fix is `reshape(8, 3, 32, 32)`. It produces the right shape and the conv runs,
# but `reshape` keeps the values in memory order and only re-cuts them: each "channel" of the result
# is a third of the image, red, green and blue values interleaved. Only `permute(0, 3, 1, 2)` moves
# the axes. The shapes agree; the pixels do not. The figure draws one patch both ways, each channel as
# a plane of its own: after `permute`, the red, green and blue planes of the photo; after `reshape`,
# plane 0 holds the top third of the photo, plane 1 the middle and plane 2 the bottom, each
# stretched to the full height, with red, green and blue values side by side along every row.

# %% kind="readonly" grade_id="repro-reshape-scrambles"
as_tensor = torch.from_numpy(patches_nhwc)
scrambled = as_tensor.reshape(8, 3, 32, 32)  # right shape, wrong pixels
proper = as_tensor.permute(0, 3, 1, 2)       # (N, H, W, C) -> (N, C, H, W)
check_shape(scrambled, (8, 3, 32, 32), name="reshaped patches")
check_shape(proper, (8, 3, 32, 32), name="permuted patches")
check_shape(rgb_conv(scrambled), (8, 16, 30, 30), name="conv output on scrambled patches")  # no error!

assert torch.equal(proper[:, 0], as_tensor[..., 0]), "permute keeps the red plane intact"
assert not torch.equal(scrambled[:, 0], as_tensor[..., 0]), "reshape does not"
first_third = as_tensor.reshape(8, -1)[:, :32 * 32]  # the first 1,024 values of each image, R G B R G B ...
assert torch.equal(scrambled[:, 0].reshape(8, -1), first_third), "reshape's 'channel 0' is the image's first third"
last_third = as_tensor.reshape(8, -1)[:, 2 * 32 * 32:]
assert torch.equal(scrambled[:, 2].reshape(8, -1), last_third), "reshape's 'channel 2' is the image's last third"
print("pixels in the same place after reshape:", f"{(scrambled == proper).float().mean():.0%}")
plots.channel_planes([proper[0].numpy(), scrambled[0].numpy()], channel_axis=0,
                     titles=["x.permute(0, 3, 1, 2)[0]", "x.reshape(8, 3, 32, 32)[0]"]);

# %% [markdown]
# Two more things that look like fixes and are not:
#
# - `torch.channels_last` is a **memory format**, not a layout of your data. It reorders how an
#   `(N, C, H, W)` tensor is stored (for speed on some hardware); the shape you index stays
#   `(N, C, H, W)`, so it cannot repair an NHWC array.
# - `transpose(1, 3)` gives `(N, C, W, H)`: the right shape for square images, with every image
#   mirrored across its diagonal.

# %% kind="readonly" grade_id="repro-memory-format"
contiguous_cl = proper.contiguous(memory_format=torch.channels_last)
check_shape(contiguous_cl, (8, 3, 32, 32), name="channels_last memory format")
print("shape:", tuple(contiguous_cl.shape), " strides:", contiguous_cl.stride(),
      " (channels are now adjacent in memory; the axes mean the same)")
swapped = as_tensor.transpose(1, 3)
check_shape(swapped, (8, 3, 32, 32), name="transpose(1, 3)")
assert not torch.equal(swapped, proper), "transpose(1, 3) swaps height and width"
assert torch.equal(swapped, proper.transpose(2, 3)), "every image mirrored across its diagonal"

# %% [markdown]
# ### 3. Wrong `in_channels`: grayscale vs RGB
#
# A model built for grayscale (`in_channels=1`) fed colour images, and the reverse:

# %% kind="readonly" grade_id="repro-gray-vs-rgb"
with expect_error(RuntimeError, shapes=[(16, 1, 3, 3), (8, 3, 32, 32)]):
    gray_conv(proper)

digits_nchw, _ = data.digits("train", layout="nchw", n=8)
with expect_error(RuntimeError, shapes=[(16, 3, 3, 3), (8, 1, 28, 28)]):
    rgb_conv(torch.from_numpy(digits_nchw))

# Two data-side fixes, when the model cannot change:
as_rgb = torch.from_numpy(digits_nchw).expand(-1, 3, -1, -1)  # copy the gray plane three times
as_gray = proper.mean(dim=1, keepdim=True)                    # average R, G, B; keep the axis
check_shape(rgb_conv(as_rgb), (8, 16, 26, 26), name="RGB conv on gray digits expanded to 3 channels")
check_shape(gray_conv(as_gray), (8, 16, 30, 30), name="gray conv on averaged colour patches")
print("expanded digits:", tuple(as_rgb.shape), " averaged patches:", tuple(as_gray.shape))

# %% [markdown]
# ### 4. A broken out→in chain
#
# Each conv's `in_channels` must equal the previous conv's `out_channels`. PyTorch does not check
# this when the model is built, only when data arrives:

# %% kind="readonly" grade_id="repro-broken-chain"
chain = nn.Sequential(OrderedDict(
    conv1=nn.Conv2d(3, 16, kernel_size=3, padding=1), relu1=nn.ReLU(),
    conv2=nn.Conv2d(32, 64, kernel_size=3, padding=1), relu2=nn.ReLU(),  # 32 should be 16
))
with expect_error(RuntimeError, shapes=[(64, 32, 3, 3), (8, 16, 32, 32)]):
    chain(proper)

# %% [markdown]
# ### 5. A decoder that emits 4 channels for a 3-channel target
#
# One of this lesson's source articles claims that such a decoder fails inside its transposed
# convolution with a matrix-multiplication error. Under PyTorch 2.13 it does not: the decoder runs
# and returns `(8, 4, 32, 32)`. Nothing is wrong *inside* the model; the mismatch is between the
# model and its target, so it surfaces at the loss:

# %% kind="readonly" grade_id="repro-decoder-4-channels"
decoder4 = nn.Sequential(
    nn.ConvTranspose2d(8, 16, kernel_size=2, stride=2), nn.ReLU(),
    nn.ConvTranspose2d(16, 4, kernel_size=2, stride=2), nn.Sigmoid(),
)
codes = torch.randn(8, 8, 8, 8)  # a batch of latent codes, (N, 8, 8, 8)
recon = decoder4(codes)
check_shape(recon, (8, 4, 32, 32), name="decoder output")  # no error so far

target = proper  # the RGB patches, (8, 3, 32, 32)
with expect_warning(UserWarning, shapes=[(8, 3, 32, 32), (8, 4, 32, 32)]):
    with expect_error(RuntimeError, contains=["size of tensor a (4) must match the size of tensor b (3)",
                                              "non-singleton dimension 1"]):
        F.mse_loss(recon, target)

# %% [markdown]
# `F.mse_loss` first **warns** that the sizes differ and then tries to broadcast them; 4 against 3
# cannot broadcast, hence the error. Against a **grayscale** target `(8, 1, 32, 32)` broadcasting
# succeeds: every one of the 4 output channels is compared with the same gray plane, and the only
# sign of trouble is the warning, easy to miss in a training log. `binary_cross_entropy` is
# stricter and refuses any size difference.

# %% kind="readonly" grade_id="repro-loss-broadcast"
gray_target = proper.mean(dim=1, keepdim=True)  # (8, 1, 32, 32)
with expect_warning(UserWarning, shapes=[(8, 1, 32, 32), (8, 4, 32, 32)]):
    loss = F.mse_loss(recon, gray_target)
check_shape(loss, (), name="MSE against a gray target")  # a number, computed by broadcasting
assert torch.allclose(loss, ((recon - gray_target.expand_as(recon)) ** 2).mean())
print(f"loss = {loss.item():.4f}: a 'valid' number from comparing 4 channels with 1")

with expect_error(ValueError, shapes=[(8, 3, 32, 32), (8, 4, 32, 32)]):
    F.binary_cross_entropy(recon, target)

# %% [markdown]
# ### 6. A many-channel feature map: Flatten vs global pooling
#
# A pretrained backbone often ends in hundreds of channels; here, 912 channels on an 8×8 grid.
# `Flatten` keeps the batch axis and loses no information, so `Flatten` + `Linear` works. The
# problems are the price and the rigidity: the `Linear` layer needs one weight per channel *per
# position*, and it only accepts the one grid size it was built for. Global average pooling
# averages each channel over the grid first, so the head's weights depend on the channels only.

# %% kind="readonly" grade_id="repro-912-channels"
features = torch.randn(2, 912, 8, 8)
flat_head = nn.Sequential(nn.Flatten(), nn.Linear(912 * 8 * 8, 10))
pooled_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(912, 10))
print(f"Flatten + Linear:        {ct.count_params(flat_head):>9,} parameters")
print(f"global pooling + Linear: {ct.count_params(pooled_head):>9,} parameters")
check_equal(ct.count_params(flat_head), 912 * 8 * 8 * 10 + 10, "Flatten head parameters")
check_equal(ct.count_params(pooled_head), 912 * 10 + 10, "pooled head parameters")

bigger = torch.randn(2, 912, 16, 16)  # the same backbone on larger images
with expect_error(RuntimeError, shapes=[(2, 233472), (58368, 10)]):
    flat_head(bigger)
ct.check_output_shapes(pooled_head, [((2, 912, 8, 8), (2, 10)), ((2, 912, 16, 16), (2, 10)),
                                     ((2, 912, 3, 5), (2, 10))], name="pooled head")
print("the pooled head accepts any grid size")

# %% [markdown]
# ## Read the traceback
#
# Take the channels-last error apart:
#
# `Given groups=1, weight of size [16, 3, 3, 3], expected input[8, 32, 32, 3] to have 3 channels, but got 32 channels instead`
#
# | part | meaning |
# |---|---|
# | `groups=1` | an ordinary convolution (grouped convs split the channels; ignore it here) |
# | `weight of size [16, 3, 3, 3]` | the layer's kernel: `[out_channels, in_channels, kH, kW]` |
# | `expected input[8, 32, 32, 3]` | the input **as PyTorch reads it**, `(N, C, H, W)`; for a 3-D input it shows the batch of one it added |
# | `to have 3 channels` | the layer's `in_channels`: the second number of the weight |
# | `but got 32 channels` | axis 1 of that input |
#
# The value after "got" tells you which bug you have:
#
# - it equals your image **height** (or width): the data is channels-last; `permute(0, 3, 1, 2)`;
# - the input starts with `1` and "got" equals your **batch size**: the channel axis is missing;
#   `unsqueeze(1)`;
# - it equals the **previous layer's `out_channels`**: the chain is broken; fix that layer's
#   `in_channels`;
# - it is 1 where 3 was expected (or the reverse): grayscale vs RGB.
#
# `ct.trace` runs the model layer by layer and stops at the first layer that rejects its input:

# %% kind="readonly" grade_id="trace-broken-chain"
chain_trace = ct.trace(chain, (8, 3, 32, 32))
print(chain_trace)
assert chain_trace.failure.name == "conv2"
plots.shape_diagram(chain_trace);

# %% [markdown]
# A missing channel axis with a batch of one does not fail where the bug is. The first conv accepts
# `(1, 28, 28)` as an unbatched image, and the error comes three layers later, from `Linear`, as a
# matrix-multiplication error that says nothing about channels. The trace shows where the shapes
# went wrong: the conv's output has rank 3, and from there on the "batch" axis is really the 8
# channels.

# %% kind="readonly" grade_id="trace-unbatched"
small = nn.Sequential(OrderedDict(
    conv=nn.Conv2d(1, 8, kernel_size=3), relu=nn.ReLU(),
    flatten=nn.Flatten(), fc=nn.Linear(8 * 26 * 26, 10),
))
print(ct.trace(small, (1, 28, 28)))  # one digit, channel axis missing
print()
print(ct.trace(small, (1, 1, 28, 28)))  # the same digit as (N, C, H, W)
check_equal(ct.trace(small, (1, 28, 28)).layer("conv").output_shape, (8, 26, 26), "conv output, unbatched")
check_equal(ct.trace(small, (1, 28, 28)).failure.name, "fc", "the layer that raises")

# %% [markdown]
# The parameter column of a trace is where the 912-channel heads differ: only the `Linear` layer
# holds weights, and its size is set by what `Flatten` hands it.

# %% kind="readonly" grade_id="trace-912-heads"
print(ct.trace(flat_head, (2, 912, 8, 8)))
print()
print(ct.trace(pooled_head, (2, 912, 8, 8)))

# %% [markdown]
# ## Exercise 1 (2 points)
#
# A channel chain broken in the middle of a model. Two blocks were built, and trained, separately:
# `first` ends with a conv that outputs some number of channels; `second` starts with a conv whose
# `in_channels` is another number. Chained directly, the second conv rejects what the first hands
# it (section *4*). Write `join_blocks(first, second)`: an `nn.Module` that runs `first`, then a
# 1×1 `Conv2d` (with a bias, no activation) from `first`'s output channels to `second`'s input
# channels, then `second`. Use the two blocks you are given (their weights are the trained ones),
# not new layers of the same shapes, and read both channel counts off the blocks: the tests join
# other pairs of blocks, with other channel counts, on images of any height and width. Make the 1×1
# conv once, when you join the blocks (not inside `forward`), so that training updates it.

# %% kind="readonly" grade_id="broken-join-blocks"
def make_blocks(in_channels=3, mid=16, body_in=32, out=64):
    """Two separately built blocks: first (in_channels -> mid, halves H and W), second (body_in -> out)."""
    first = nn.Sequential(nn.Conv2d(in_channels, mid, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    second = nn.Sequential(nn.Conv2d(body_in, out, kernel_size=3, padding=1))
    return first, second


first, second = make_blocks()
print("first ends with", first[0], "  second starts with", second[0])
with expect_error(RuntimeError, shapes=[(64, 32, 3, 3), (8, 16, 16, 16)]):
    nn.Sequential(first, second)(proper)

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell prints the conv at each end of the gap, and the error names what the second conv
# expected and what it got. Both numbers are attributes of those convs (`out_channels`,
# `in_channels`); the blocks of the tests may hold other layers too, so look for the convs rather
# than counting positions. A `LazyConv2d` is another way to avoid one of the two numbers.
#
# </details>

# %% kind="answer" grade_id="ex1-join-blocks"
def join_blocks(first, second):
    """first -> 1x1 Conv2d (first's output channels -> second's input channels) -> second."""
    ### BEGIN SOLUTION
    first_convs = [m for m in first.modules() if isinstance(m, nn.Conv2d)]
    second_convs = [m for m in second.modules() if isinstance(m, nn.Conv2d)]
    bridge = nn.Conv2d(first_convs[-1].out_channels, second_convs[0].in_channels, kernel_size=1)
    return nn.Sequential(first, bridge, second)
    ### END SOLUTION


# %% kind="test" grade_id="ex1-join-blocks-test" points=2
def _check_join(in_channels, mid, body_in, out, n, h, w):
    first, second = make_blocks(in_channels, mid, body_in, out)
    what = f"join_blocks(first: {in_channels} -> {mid} channels, second: {body_in} -> {out})"
    joined = ct.build_block(join_blocks, first, second, name=what)
    check_true(isinstance(joined, nn.Module), f"{what} should return an nn.Module, got {type(joined).__name__}")
    ct.check_output_shapes(joined, [((n, in_channels, h, w), (n, out, h // 2, w // 2))], name=what)
    ct.check_uses_its_parameters(joined, (2, in_channels, h, w), what)
    check_equal(ct.count_params(joined), ct.count_params(first) + ct.count_params(second) + mid * body_in + body_in,
                f"parameters of {what}", hint=f"first + second + one 1x1 conv: {mid}*{body_in} weights + {body_in} biases")
    joined.eval()
    x = torch.rand(n, in_channels, h, w).to(next(joined.parameters()).device)
    with torch.no_grad():
        before = joined(x)
        second[0].bias += 1.0
        shifted = joined(x)
        second[0].bias -= 1.0
        check_true(torch.allclose(shifted - before, torch.ones_like(before), atol=1e-4),
                   f"{what}: adding 1 to the bias of second's conv did not add 1 to the output: "
                   "the joined model does not run the `second` block it was given")
        saved = first[0].weight.clone()
        first[0].weight.zero_()
        zeroed = joined(x)
        first[0].weight.copy_(saved)
    check_true(not torch.allclose(zeroed, before),
               f"{what}: zeroing the weights of first's conv did not change the output: "
               "the joined model does not run the `first` block it was given")


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
# Write `build_conv_stack(in_channels, widths)`: an `nn.Module` with one block per entry of
# `widths`, each block a 3×3 `Conv2d` with `padding=1` (and a bias), a `ReLU` and a 2×2
# `MaxPool2d`. Block `k` outputs `widths[k]` channels, so an `(N, in_channels, H, W)` batch comes
# out as `(N, widths[-1], H // 2**len(widths), W // 2**len(widths))` (each pooling rounds down).
# Nothing else: no extra layers to adapt the channels (the tests count the parameters). Make the
# layers when the stack is built, not inside `forward`, so that training updates them.
#
# The builder below has the classic loop bug: every conv gets `in_channels` instead of the
# previous block's width. It works with one block and fails with two.

# %% kind="readonly" grade_id="broken-conv-stack"
def build_conv_stack_broken(in_channels, widths):
    layers = []
    for width in widths:
        layers += [nn.Conv2d(in_channels, width, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


ct.check_output_shapes(build_conv_stack_broken(3, (16,)), [((8, 3, 32, 32), (8, 16, 16, 16))])
with expect_error(RuntimeError, shapes=[(32, 3, 3, 3), (8, 16, 16, 16)]):
    build_conv_stack_broken(3, (16, 32))(proper)
print(ct.trace(build_conv_stack_broken(3, (16, 32)), (8, 3, 32, 32)))

# %% [markdown]
# <details><summary>Hint</summary>
#
# Read the trace printed above: which row fails, and what does its message say the conv expected
# and got? Section *4. A broken out→in chain* states the rule each conv must follow. Follow the
# value of the channel count through your loop for `widths=(16, 32)`.
#
# </details>

# %% kind="answer" grade_id="ex2-conv-stack"
def build_conv_stack(in_channels, widths):
    """Conv(3x3, padding 1) -> ReLU -> MaxPool(2) per width; channels chain in_channels -> widths."""
    ### BEGIN SOLUTION
    layers, channels = [], in_channels
    for width in widths:
        layers += [nn.Conv2d(channels, width, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        channels = width
    return nn.Sequential(*layers)
    ### END SOLUTION


# %% kind="test" grade_id="ex2-conv-stack-test" points=3
def _stack_params(in_channels, widths):
    total, c = 0, in_channels
    for w in widths:
        total, c = total + c * w * 9 + w, w
    return total


def _check_stack(in_channels, widths, cases):
    stack = ct.build_block(build_conv_stack, in_channels, widths, name=f"build_conv_stack({in_channels}, {widths})")
    check_true(isinstance(stack, nn.Module), f"build_conv_stack should return an nn.Module, got {type(stack).__name__}")
    ct.check_output_shapes(stack, cases, name=f"build_conv_stack({in_channels}, {widths})")
    ct.check_uses_its_parameters(stack, cases[0][0], f"build_conv_stack({in_channels}, {widths})")
    check_equal(ct.count_params(stack), _stack_params(in_channels, widths),
                f"parameters of build_conv_stack({in_channels}, {widths})",
                hint="each conv has in*out*3*3 weights + out biases; no other layer has weights")


_check_stack(3, (16, 32), [((8, 3, 32, 32), (8, 32, 8, 8)), ((1, 3, 15, 20), (1, 32, 3, 5))])
_check_stack(1, (16, 32), [((8, 1, 28, 28), (8, 32, 7, 7))])
_check_stack(2, (6,), [((5, 2, 9, 9), (5, 6, 4, 4))])
print("visible tests passed")
### BEGIN HIDDEN TESTS
_check_stack(3, (16, 32), [((7, 3, 24, 40), (7, 32, 6, 10)), ((5, 3, 32, 32), (5, 32, 8, 8))])
_check_stack(5, (4, 8, 12), [((7, 5, 15, 20), (7, 12, 1, 2)), ((1, 5, 32, 32), (1, 12, 4, 4))])
_check_stack(2, (6,), [((5, 2, 9, 9), (5, 6, 4, 4)), ((1, 2, 2, 2), (1, 6, 1, 1))])
_check_stack(1, (8, 8, 16, 4), [((7, 1, 28, 28), (7, 4, 1, 1))])
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (2 points)
#
# An autoencoder for colour patches needs a decoder whose output matches its target exactly.
# Write `build_decoder(latent_channels, out_channels)`: an `nn.Module` that maps latent codes
# `(N, latent_channels, h, w)` to `(N, out_channels, 2*h, 2*w)` with values in `[0, 1]` (the
# range of the pixels it reconstructs). Any architecture is fine (a transposed conv, or upsampling
# followed by a conv, ...) as long as the shape and range are right for every channel count, and
# its layers are made when the decoder is built (not inside `forward`), so that training updates them.
#
# The decoder below was copied from an RGBA project and always emits 4 channels.

# %% kind="readonly" grade_id="broken-decoder"
def build_decoder_broken(latent_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(latent_channels, 16, kernel_size=2, stride=2), nn.ReLU(),
        nn.Conv2d(16, 4, kernel_size=3, padding=1),  # 4 channels: RGBA
        nn.Sigmoid(),
    )


rgb_targets = proper                      # (8, 3, 32, 32)
latents = torch.randn(8, 6, 16, 16)
broken_recon = build_decoder_broken(6, 3)(latents)
check_shape(broken_recon, (8, 4, 32, 32), name="broken decoder output")
with expect_warning(UserWarning, shapes=[(8, 4, 32, 32)]):
    with expect_error(RuntimeError, contains=["size of tensor a (4) must match the size of tensor b (3)",
                                              "non-singleton dimension 1"]):
        F.mse_loss(broken_recon, rgb_targets)

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell's warning and error both compare `(8, 4, 32, 32)` with the target. Which argument
# of `build_decoder_broken` never reaches a layer? Section *5* shows what the final layer's output
# count must equal, and why values in `[0, 1]` depend on the last activation.
#
# </details>

# %% kind="answer" grade_id="ex3-decoder-channels"
def build_decoder(latent_channels, out_channels):
    """(N, latent_channels, h, w) -> (N, out_channels, 2h, 2w), values in [0, 1]."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.ConvTranspose2d(latent_channels, 16, kernel_size=2, stride=2), nn.ReLU(),
        nn.Conv2d(16, out_channels, kernel_size=3, padding=1),
        nn.Sigmoid(),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex3-decoder-channels-test" points=2
def _check_decoder(latent_channels, out_channels, n, h, w):
    name = f"build_decoder({latent_channels}, {out_channels})"
    dec = ct.build_block(build_decoder, latent_channels, out_channels, name=name)
    check_true(isinstance(dec, nn.Module), f"{name} should return an nn.Module, got {type(dec).__name__}")
    ct.check_output_shapes(dec, [((n, latent_channels, h, w), (n, out_channels, 2 * h, 2 * w))], name=name)
    ct.check_uses_its_parameters(dec, (2, latent_channels, h, w), name)
    dec.eval()
    with torch.no_grad():
        recon = dec(torch.randn(n, latent_channels, h, w) * 3)
    check_true(float(recon.min()) >= 0.0 and float(recon.max()) <= 1.0,
               f"{name}: outputs must lie in [0, 1], got [{float(recon.min()):.3f}, {float(recon.max()):.3f}]")
    target = torch.rand(n, out_channels, 2 * h, 2 * w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a size-mismatch warning from the loss fails the test
        loss = F.mse_loss(recon, target)
    check_shape(loss, (), name=f"{name}: MSE against a target of shape {tuple(target.shape)}")


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
# A many-channel input. Section *6*'s feature maps have 912 channels, and a 3×3 `Conv2d(912, 64)`
# put directly on them needs 912·64·3·3 + 64 = 525,376 parameters. The usual remedy is to reduce
# the channels first with a 1×1 convolution, which mixes the channels of each position and nothing
# else. Write `build_reducer(in_channels, mid_channels, out_channels)`: an `nn.Module` for
# `(N, in_channels, H, W)` inputs of **any** height and width that applies a 1×1 `Conv2d` to
# `mid_channels` and a `ReLU`, then a 3×3 `Conv2d` to `out_channels` with `padding=1` and a `ReLU`
# (both convs with biases, nothing else). It returns `(N, out_channels, H, W)` and has
# `in_channels*mid_channels + mid_channels + 9*mid_channels*out_channels + out_channels` parameters.
# Make both convs when the reducer is built (not inside `forward`), so that training updates them.
#
# The reducer below was written for the 912-channel maps only.

# %% kind="readonly" grade_id="broken-reducer"
def build_reducer_broken(in_channels, mid_channels, out_channels):
    return nn.Sequential(
        nn.Conv2d(912, mid_channels, kernel_size=1), nn.ReLU(),  # the channel count of one backbone
        nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1), nn.ReLU(),
    )


direct = nn.Conv2d(912, 64, kernel_size=3, padding=1)
print(f"3x3 conv on 912 channels: {ct.count_params(direct):,} parameters;",
      f"1x1 to 32, then 3x3: {ct.count_params(build_reducer_broken(912, 32, 64)):,}")
check_equal(ct.count_params(direct), 912 * 64 * 9 + 64, "parameters of the direct 3x3 conv")
with expect_error(RuntimeError, shapes=[(32, 912, 1, 1), (2, 256, 8, 8)]):
    build_reducer_broken(256, 32, 64)(torch.zeros(2, 256, 8, 8))

# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell's error compares the first conv's weight with the batch: which of the two
# channel counts should come from an argument? Write the parameter count of each conv as
# `in * out * kernel height * kernel width + out` and check that yours adds up to the formula.
#
# </details>

# %% kind="answer" grade_id="ex4-channel-reducer"
def build_reducer(in_channels, mid_channels, out_channels):
    """(N, in_channels, H, W) -> 1x1 conv to mid_channels, ReLU -> 3x3 conv (padding 1) to out_channels, ReLU."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, mid_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1), nn.ReLU(),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex4-channel-reducer-test" points=3
def _check_reducer(in_channels, mid, out, sizes):
    what = f"build_reducer({in_channels}, {mid}, {out})"
    reducer = ct.build_block(build_reducer, in_channels, mid, out, name=what)
    check_true(isinstance(reducer, nn.Module), f"{what} should return an nn.Module, got {type(reducer).__name__}")
    ct.check_output_shapes(reducer, [((n, in_channels, h, w), (n, out, h, w)) for n, h, w in sizes], name=what)
    ct.check_uses_its_parameters(reducer, (2, in_channels) + sizes[0][1:], what)
    check_equal(ct.count_params(reducer), in_channels * mid + mid + 9 * mid * out + out, f"parameters of {what}",
                hint=f"1x1 conv: {in_channels}*{mid} + {mid}; 3x3 conv: {mid}*{out}*9 + {out}; no other weights")
    n, h, w = sizes[0]
    reducer.eval()
    x = torch.randn(n, in_channels, h, w).to(next(reducer.parameters()).device)
    with torch.no_grad():
        y = reducer(x)
    check_true(float(y.min()) >= 0.0, f"{what}: the output ends with a ReLU, so no value is below 0; got {float(y.min()):.3f}")


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
# Your fixes, together. The colour patches come channels-first, `(N, 3, 24, 24)`; `build_conv_stack`
# gives the first block, `body` below starts with a conv for 32 channels, and `join_blocks` bridges
# the two; the body ends by naming the photograph each 24×24 patch was cut from. Training and test
# patches are cut from different parts of every photo (`split="train"` / `"test"`), so the held-out
# accuracy is measured on pixels the model never saw. Six photos: chance is 1/6 ≈ 0.17.

# %%
X_train, y_train = data.color_patches(n=1200, size=24, split="train", layout="nchw")
X_test, y_test = data.color_patches(n=600, size=24, split="test", layout="nchw")

ct.seed(0)
body = nn.Sequential(nn.Conv2d(32, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, len(data.COLOR_IMAGES)))
patch_model = join_blocks(build_conv_stack(3, (16,)), body)
print(ct.trace(patch_model, (1, 3, 24, 24)))
result = ct.train(patch_model, X_train, y_train, nn.CrossEntropyLoss(), steps=200, batch_size=64, lr=5e-3)
test_accuracy = float((ct.predict(patch_model, X_test).argmax(axis=1) == y_test).mean())
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
# 1. `x.permute(0, 3, 1, 2)` for `x` of shape `(5, 20, 12, 3)`.
# 2. `nn.Conv2d(1, 8, kernel_size=3)` on one digit without a batch axis, `(1, 28, 28)`.
# 3. `nn.Conv2d(3, 16, kernel_size=3)` on three grayscale digits stored as `(3, 28, 28)`.
# 4. `nn.AdaptiveAvgPool2d(1)` on a feature map `(2, 912, 7, 5)`.
# 5. A 1×1 `nn.Conv2d(912, 4, kernel_size=1)` on `(3, 912, 9, 11)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question, e.g. {1: (5, 20, 12, 3), 2: ...}."""
    ### BEGIN SOLUTION
    return {1: (5, 3, 20, 12), 2: (8, 26, 26), 3: (16, 26, 26), 4: (2, 912, 1, 1), 5: (3, 4, 9, 11)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    _real_shapes = {
        1: ("x.permute(0, 3, 1, 2), x of (5, 20, 12, 3)", torch.zeros(5, 20, 12, 3).permute(0, 3, 1, 2).shape),
        2: ("nn.Conv2d(1, 8, kernel_size=3) on (1, 28, 28)", nn.Conv2d(1, 8, kernel_size=3)(torch.zeros(1, 28, 28)).shape),
        3: ("nn.Conv2d(3, 16, kernel_size=3) on (3, 28, 28)", nn.Conv2d(3, 16, kernel_size=3)(torch.zeros(3, 28, 28)).shape),
        4: ("nn.AdaptiveAvgPool2d(1) on (2, 912, 7, 5)", nn.AdaptiveAvgPool2d(1)(torch.zeros(2, 912, 7, 5)).shape),
        5: ("nn.Conv2d(912, 4, kernel_size=1) on (3, 912, 9, 11)",
            nn.Conv2d(912, 4, kernel_size=1)(torch.zeros(3, 912, 9, 11)).shape),
    }
check_predictions(my_predictions(), _real_shapes)

# %% [markdown]
# ## Summary
#
# - PyTorch convs read channels from **axis 1** of `(N, C, H, W)`; a 3-D tensor is one unbatched
#   image `(C, H, W)`, so a missing channel axis either raises with `input[1, N, H, W]` or, with a
#   batch of one (or of exactly `in_channels` images), runs silently.
# - In `expected input[...] to have C channels, but got K`, compare K with your height, batch size
#   and the previous layer's `out_channels`: that tells you which bug you have.
# - Channels-last → channels-first is `permute(0, 3, 1, 2)`; `reshape` and `transpose(1, 3)` give
#   plausible shapes and wrong pixels. `torch.channels_last` is a memory format, not a fix.
# - Chain channels explicitly: each conv's `in_channels` is the previous conv's `out_channels`.
# - A decoder's wrong channel count surfaces at the loss: an error for 4 vs 3, only a warning (and
#   silent broadcasting) for 4 vs 1. Match the target's channels exactly.
# - For many-channel feature maps, global pooling + `Linear` keeps the head small and independent
#   of the image size; `Flatten` + `Linear` does neither.
# - A 1×1 `Conv2d` changes the channel count and nothing else: it joins blocks whose channels
#   disagree, and in front of a 3×3 conv it cuts the cost of a many-channel input.
