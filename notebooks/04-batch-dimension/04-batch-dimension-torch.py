# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 04 · The batch dimension (PyTorch)
#
# Axis 0 of almost every tensor in a model is the **batch**: how many samples travel together.
# It is the one axis whose size changes while the model runs: 64 during training, 1 when you
# classify a single image, 8 for the last, partial batch of a data loader. Code that mixes the batch
# axis into the features, bakes in one batch size, or squeezes it away works on the batch you tried
# and breaks (or, worse, silently computes something else) on the next one.

# %% [markdown]
# ## Learning goals
#
# - Run a model on one sample: add the batch axis (`x.unsqueeze(0)`, `x[None]`), and know why
#   PyTorch's *unbatched* `(C, H, W)` input passes a `Conv2d` and then breaks at `Flatten`/`Linear`.
# - Flatten per sample (`x.flatten(1)`, `x.view(x.size(0), -1)`, `nn.Flatten()`) instead of over
#   the batch (`x.view(-1)`, `torch.flatten(x)`) or with a hard-coded batch size.
# - Make inference work for a batch of one and a partial last batch: `model.eval()` for
#   BatchNorm, `squeeze(-1)` instead of `squeeze()`.
# - Catch a loss that silently broadcasts `(N, 1)` predictions against `(N,)` targets.

# %% [markdown]
# ## Setup

# %% kind="setup"
# %load_ext course
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true, data,
                    expect_error, expect_warning, needs)
from course import plots
from course import torch as ct

ct.seed(0)
print(ct.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# ### One sample without a batch axis
#
# A trained classifier gets one digit to classify. Taken out of the data set, that digit has shape
# `(1, 28, 28)`: channel, height, width, and no batch axis.

# %% kind="readonly" grade_id="repro-data"
X_test, y_test = data.digits("test", layout="nchw")          # 1,000 real digits, (N, 1, 28, 28)
X_test_t, y_test_t = torch.from_numpy(X_test), torch.from_numpy(y_test)
one = X_test_t[0]
print("the test set:", tuple(X_test_t.shape), "  one digit:", tuple(one.shape))

net = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (N, 8, 14, 14)
    nn.Flatten(),                                                           # (N, 1568)
    nn.Linear(8 * 14 * 14, 10),
)
print("a batch of 4 ->", tuple(net(X_test_t[:4]).shape))

# %% [markdown]
# PyTorch's convolution layers accept an **unbatched** input: `Conv2d` takes `(C, H, W)` as well as
# `(N, C, H, W)`, and so do the pooling layers. The digit passes the first three layers without
# complaint. `nn.Flatten()` does not know about unbatched inputs: it always keeps axis 0 and
# flattens from axis 1, so the 8 *channels* of the single digit become 8 rows, and `Linear` fails.
# The figure lines up the shapes with the role each layer gives their axes, without and with the
# batch axis.

# %% kind="readonly" grade_id="repro-unbatched"
print("Conv2d on (1, 28, 28) ->", tuple(net[0](one).shape), " (unbatched in, unbatched out)")
with expect_error(RuntimeError, shapes=[(8, 196), (1568, 10)]):
    net(one)
out = net(one.unsqueeze(0))            # the fix: add the batch axis; one[None] does the same
check_shape(out, (1, 10), name="one digit with a batch axis")
print("with a batch axis:", tuple(one.unsqueeze(0).shape), "->", tuple(out.shape))
flat_rows = net[:4](one)                       # conv, ReLU, pooling, Flatten on the unbatched digit
check_shape(flat_rows, (8, 196), name="Flatten on one unbatched digit: 8 channels became 8 rows")
plots.axis_rows([("one", tuple(one.shape), ("C", "H", "W")),
                 ("net[:3](one)", tuple(net[:3](one).shape), ("C", "H", "W")),
                 ("net[:4](one)", tuple(flat_rows.shape), ("!N (was C)", "features")),
                 ("one.unsqueeze(0)", tuple(one.unsqueeze(0).shape), ("N", "C", "H", "W")),
                 ("net[:4](one[None])", tuple(net[:4](one[None]).shape), ("N", "features"))]);

# %% [markdown]
# **Silent: it can also "work" by accident.** A model that starts with `Flatten` then `Linear(784, …)`
# gives the right answer for a single grayscale digit: the channel axis has size 1 and simply plays
# the batch. (A claim you may read is that a single `(1, 28, 28)` image makes such a model fail; it
# does not.) The same habit fails as soon as there are 3 channels, and `BatchNorm2d` refuses the
# unbatched input outright:

# %% kind="readonly" grade_id="repro-unbatched-accident"
mlp = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
check_shape(mlp(one), (1, 10), name="Flatten+Linear on an unbatched gray digit")   # right, by luck
check_true(torch.equal(mlp(one), mlp(one[None])), "the same numbers as for the batched digit")
rgb_patch = torch.from_numpy(data.color_patches(n=1, size=16, layout="nchw")[0][0])  # (3, 16, 16)
with expect_error(RuntimeError, shapes=[(3, 256), (768, 10)]):
    nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 10))(rgb_patch)
with expect_error(ValueError, shapes=[4, 3], contains=["4D input"]):
    nn.BatchNorm2d(3)(rgb_patch)

# %% [markdown]
# ### Flattening over the batch axis
#
# `x.view(-1)` and `torch.flatten(x)` (whose `start_dim` is 0) flatten **everything**, the batch
# included: 8 samples of 16×7×7 features become one row of 6,272 numbers. `Linear` reads that
# 1-D tensor as a single sample. With a batch of one the result is worse: no error at all, just an
# output that lost its batch axis.

# %% kind="readonly" grade_id="repro-flatten-batch"
head = nn.Linear(16 * 7 * 7, 10)
features = torch.randn(8, 16, 7, 7)                          # what a conv stack hands the head
with expect_error(RuntimeError, shapes=[(1, 6272), (784, 10)]):
    head(features.view(-1))
with expect_error(RuntimeError, shapes=[(1, 6272), (784, 10)]):
    head(torch.flatten(features))
silent = head(torch.flatten(features[:1]))                    # a batch of one
check_shape(silent, (10,), name="batch of one, flattened over the batch")   # (10,), not (1, 10)
for fixed in (features.flatten(1), features.view(features.size(0), -1), nn.Flatten()(features)):
    check_shape(head(fixed), (8, 10), name="per-sample flatten")
print("flatten(1), view(N, -1) and nn.Flatten() all keep the batch: (8, 10)")

# %% [markdown]
# A `view(-1, K)` with the wrong `K` is sneakier: `-1` is computed from the total size, so the
# *batch* absorbs the mistake. Here the features are 8×7×7 = 392 per sample, but the code expects
# 784: the 8 samples are glued pairwise into 4 rows, and the error only comes at the loss, which
# compares 4 predictions with 8 labels. With an odd batch the view itself fails.

# %% kind="readonly" grade_id="repro-view-wrong-k"
small = torch.randn(8, 8, 7, 7)
glued = small.view(-1, 784)
check_shape(glued, (4, 784), name="8 samples viewed as (-1, 784)")
with expect_error(ValueError, contains=["Expected input batch_size (4) to match target batch_size (8)"]):
    F.cross_entropy(head(glued), torch.zeros(8, dtype=torch.long))
with expect_error(RuntimeError, shapes=[(-1, 784), 2744]):
    torch.randn(7, 8, 7, 7).view(-1, 784)

# %% [markdown]
# ### A hard-coded batch size and the last partial batch
#
# The model below was written while training with `batch_size=32`, and that number slipped into
# `forward`. It is correct for every full batch. The test set has 1,000 digits; 1,000 = 31 × 32 + 8,
# so a `DataLoader` with `batch_size=32` ends with a batch of 8, drawn in red in the figure below
# (the batch sizes the loader really hands over).

# %% kind="readonly" grade_id="broken-digit-net"
BATCH_SIZE = 32


class BrokenDigitNet(nn.Module):
    def __init__(self, n_outputs=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # (N, 8, 14, 14)
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # (N, 16, 7, 7)
        )
        self.head = nn.Linear(16 * 7 * 7, n_outputs)

    def forward(self, x):
        x = self.features(x)
        x = x.reshape(BATCH_SIZE, -1)          # BUG: the batch size is not a constant
        return self.head(x)


# %% kind="readonly" grade_id="repro-partial-batch"
loader = DataLoader(TensorDataset(X_test_t, y_test_t), batch_size=32)
print(f"{len(loader)} batches; the last one has {len(X_test) - 32 * (len(loader) - 1)} samples")
broken = BrokenDigitNet()
done = 0
with expect_error(RuntimeError, shapes=[(32, 196), (784, 10)]):
    with torch.no_grad():
        for xb, yb in loader:
            broken(xb)
            done += 1
print(f"{done} batches went through before the crash")
check_equal(done, 31, "full batches before the crash")
sizes = [len(xb) for xb, _ in loader]
check_equal(sizes[-1], 8, "size of the last batch")
plots.batch_sizes(sizes, batch_size=32, title="DataLoader(1,000 test digits, batch_size=32): 31 full batches, then 8");
with expect_error(RuntimeError, shapes=[(32, -1), 5488]):     # 7 samples: reshape itself fails
    broken(X_test_t[:7])

# %% [markdown]
# `drop_last=True` makes the crash go away, which is why it is a popular "fix". It only hides the
# bug: the last 8 test digits are never evaluated, and a single image still crashes.

# %% kind="readonly" grade_id="repro-drop-last"
dropped = DataLoader(TensorDataset(X_test_t, y_test_t), batch_size=32, drop_last=True)
seen = sum(len(xb) for xb, _ in dropped)
print(f"drop_last=True evaluates {seen} of {len(X_test)} digits")
check_true(seen == 992, "drop_last skips the partial batch")
with expect_error(RuntimeError, shapes=[(32, -1), 784]):        # one digit: 784 values, not 32 rows
    broken(X_test_t[:1])

# %% [markdown]
# ### BatchNorm with a batch of one
#
# In training mode, `BatchNorm` normalises each channel with the mean and variance **of the
# current batch**. After a `Linear` layer, a batch of one has one value per channel: its variance
# is undefined, and PyTorch refuses. In evaluation mode the layer uses the running statistics
# collected during training and is happy with any batch size. A `BatchNorm2d` after a convolution
# still has H×W values per channel in a batch of one, so it only fails when the map is 1×1.

# %% kind="readonly" grade_id="repro-batchnorm-one"
bn = nn.BatchNorm1d(32)
with expect_error(ValueError, shapes=[(1, 32)]):
    bn(torch.randn(1, 32))                       # training mode (the default)
bn.eval()
check_shape(bn(torch.randn(1, 32)), (1, 32), name="BatchNorm1d in eval mode, batch of one")
bn2d = nn.BatchNorm2d(8)
check_shape(bn2d(torch.randn(1, 8, 5, 5)), (1, 8, 5, 5), name="BatchNorm2d, batch 1, 5x5 maps")
with expect_error(ValueError, shapes=[(1, 8, 1, 1)]):
    bn2d(torch.randn(1, 8, 1, 1))

# %% [markdown]
# ### `squeeze()` eats the batch axis
#
# A regression model returns `(N, 1)`. `.squeeze()` removes **every** axis of size 1: for
# `N > 1` that gives the `(N,)` you wanted; for a batch of one it also removes the batch and leaves
# a 0-d scalar. The failure shows up later, where the shapes meet: `torch.cat` of per-batch
# predictions, or an `argmax(dim=1)` on squeezed logits.

# %% kind="readonly" grade_id="repro-squeeze"
pred_full, pred_one = torch.randn(37, 1), torch.randn(1, 1)
check_shape(pred_full.squeeze(), (37,), name="squeeze of (37, 1)")
check_shape(pred_one.squeeze(), (), name="squeeze of (1, 1)")          # the batch axis is gone
with expect_error(RuntimeError, contains=["zero-dimensional"]):
    torch.cat([pred_full.squeeze(), pred_one.squeeze()])
with expect_error(IndexError, shapes=[(-1, 0), 1], contains=["Dimension out of range"]):
    torch.randn(1, 10).squeeze().argmax(dim=1)
fixed = pred_one.squeeze(-1)                                           # the fix: name the axis
check_shape(fixed, (1,), name="squeeze(-1) of (1, 1)")
print("squeeze(-1) keeps the batch axis:", tuple(fixed.shape))

# %% [markdown]
# ### A loss that broadcasts `(N, 1)` against `(N,)`
#
# Labels from a `DataLoader` are `(N,)`; a regression head returns `(N, 1)`. Subtracting the two
# **broadcasts** to `(N, N)`: every prediction is compared with every label. `F.mse_loss` (like
# `nn.MSELoss`) still returns a number, and only a `UserWarning` tells you; a hand-written loss says
# nothing at all.
# `binary_cross_entropy_with_logits` is stricter and raises.

# %% kind="readonly" grade_id="repro-loss-broadcast"
g = torch.Generator().manual_seed(0)
target = torch.arange(8, dtype=torch.float32)                 # (8,)
pred = (target + 0.5).unsqueeze(1)                            # (8, 1): every prediction off by 0.5
with expect_warning(UserWarning, shapes=[(8,), (8, 1)]):
    wrong = F.mse_loss(pred, target)
right = F.mse_loss(pred.squeeze(1), target)
print(f"MSE with broadcasting: {wrong:.3f}   the real MSE: {right:.3f}")
check_shape(pred - target, (8, 8), name="pred - target")      # the silent (N, N) matrix
check_true(abs(float(right) - 0.25) < 1e-6 and float(wrong) > 5, "broadcasting changed the loss")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    by_hand = ((pred - target) ** 2).mean()                   # same wrong number...
check_true(torch.isclose(by_hand, wrong) and not caught, "hand-written loss broadcasts silently")  # ...no warning
check_true(torch.isclose(((pred[:1] - target[:1]) ** 2).mean(), right), "with N = 1 both agree")
with expect_error(ValueError, shapes=[8, (8, 1)]):
    F.binary_cross_entropy_with_logits(pred, target / 8)

# %% [markdown]
# The last check is the trap: with a batch of one, `(1, 1) - (1,)` is `(1, 1)`, the same number
# either way. A loss tested on one sample looks correct.
#
# ### Activations keep every axis
#
# One of this lesson's source articles warns that an activation function may change a tensor's
# dimensions and break the layers after it. The common ones do not. `ReLU`, `Sigmoid` and `Tanh`
# work on each number alone, and `Softmax` rescales the numbers along one axis so that they sum to 1
# along it: all four return exactly the shape they receive, batch axis included, at any rank, and
# each sample's output depends on that sample only. `torch.nn` does have an activation that changes
# a shape, on purpose: `GLU` (gated linear unit) splits an axis in two halves and returns one half,
# gated by the other. What softmax *can* get wrong is the axis. `dim=0` is the batch: the shape
# stays the same, but each sample's "probabilities" now depend on the other samples of its batch,
# and for a batch of one every class gets probability 1.

# %% kind="readonly" grade_id="repro-activations"
activations = {"ReLU": nn.ReLU(), "Sigmoid": nn.Sigmoid(), "Tanh": nn.Tanh(), "Softmax(dim=1)": nn.Softmax(dim=1)}
shapes_in = [(8, 10), (1, 10), (7, 16, 5, 5), (5, 3, 24)]
for name, act in activations.items():
    shapes_out = [tuple(act(torch.randn(shape)).shape) for shape in shapes_in]
    check_equal(shapes_out, shapes_in, f"{name}: output shapes")
    x = torch.randn(8, 10)
    check_true(torch.allclose(act(x)[:1], act(x[:1])), f"{name}: sample 0 alone gives the same output")
    print(f"{name:15s}", "  ".join(f"{i} -> {o}" for i, o in zip(shapes_in, shapes_out)))
glu_out = nn.GLU(dim=-1)(torch.randn(8, 10))
check_shape(glu_out, (8, 5), name="GLU on (8, 10)")
print(f"{'GLU(dim=-1)':15s} (8, 10) -> {tuple(glu_out.shape)}  (half the last axis, on purpose)")

logits = torch.randn(8, 10)
per_sample, over_batch = F.softmax(logits, dim=1), F.softmax(logits, dim=0)
check_shape(over_batch, (8, 10), name="softmax over the batch axis")   # the same shape...
print("row sums, dim=1:", per_sample.sum(dim=1)[:4].numpy().round(3), "  dim=0:", over_batch.sum(dim=1)[:4].numpy().round(3))
check_true(torch.allclose(per_sample.sum(dim=1), torch.ones(8)), "dim=1: each sample's probabilities sum to 1")
check_true(not torch.allclose(over_batch[:1], F.softmax(logits[:2], dim=0)[:1]),
           "dim=0: sample 0's output changes with the rest of the batch")
check_true(torch.allclose(F.softmax(logits[:1], dim=0), torch.ones(1, 10)), "dim=0, batch of one: all ones")

# %% [markdown]
# ## Read the traceback
#
# `mat1 and mat2 shapes cannot be multiplied (32x196 and 784x10)`:
#
# - `mat1` is the input of the `Linear` layer as rows × columns = **samples × features**. Its first
#   number should be your batch size: here it is 32 while the batch had 8 samples. When it is not
#   your batch size (the hard-coded 32, the 8 channels of an unbatched image, or 1 after
#   `view(-1)`), something re-cut the batch axis before this layer.
# - `196` = 8 × 784 / 32: the right number of values, cut into the wrong number of rows.
# - `mat2` is the layer's weight, transposed: `784x10` is `in_features × out_features`.
#
# `Expected more than 1 value per channel when training, got input size torch.Size([1, 32])`: batch
# 1, 32 channels, and one value per channel cannot give a variance. The fix is `model.eval()` for
# inference, or batches larger than one (`drop_last=True`) for training.
#
# The trace finds where the shapes go wrong. At batch 32 the broken net is fine; at batch 8 the
# `head` receives `(32, 196)` from the `reshape` in `forward`, a batch of 32 from a batch of 8:

# %% kind="readonly" grade_id="trace-broken-net"
print(ct.trace(BrokenDigitNet(), (32, 1, 28, 28)))
print()
t = ct.trace(BrokenDigitNet(), (8, 1, 28, 28))
print(t)
check_equal(t.failure.got, (32, 8 * 784 // 32), "what the head received: 8 x 784 values in 32 rows")
check_equal(tuple(BrokenDigitNet().head.weight.T.shape), (784, 10), "mat2: the head's weight, transposed")

# %% [markdown]
# For the unbatched digit, the trace shows the moment the channel axis starts acting as the batch:
# `Flatten` turns `(8, 14, 14)` into `(8, 196)`, eight "samples" of 196 features.

# %% kind="readonly" grade_id="trace-unbatched"
t = ct.trace(net, (1, 28, 28))
print(t)
check_equal(t.layer("3").output_shape, (8, 196), "Flatten output for an unbatched digit")

# %% [markdown]
# ## Exercise 1 (3 points)
#
# Repair `BrokenDigitNet`. Write `build_classifier(in_channels, height, width, n_outputs)` returning a
# model with the same layers (two blocks of 3×3 conv with padding 1 + ReLU + 2×2 max-pool, with 8
# and 16 channels, then **one** `Linear` head on all `16 × (height // 4) × (width // 4)` features)
# that maps `(N, in_channels, height, width)` to `(N, n_outputs)` for **every** batch size `N`, the
# last partial batch of a loader included. Only the flattening needs to change; `height` and `width`
# need not be multiples of 4. Each sample's output must depend on that sample only. (The tests also
# count the parameters, so that the head really sees every feature.) Make every layer when the model
# is built, not inside `forward`, so that training updates it.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Put the two traces of `BrokenDigitNet` (cell `trace-broken-net`) side by side: at batch 8,
# find the first row whose batch is no longer 8. The section *Flattening over the batch axis* ran
# several ways of flattening on the same `(8, 16, 7, 7)` features: keep the ones that returned
# `(8, 10)`.
#
# </details>

# %% kind="answer" grade_id="ex1-flatten-per-sample"
def build_classifier(in_channels=1, height=28, width=28, n_outputs=10):
    ### BEGIN SOLUTION
    h, w = height // 2 // 2, width // 2 // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),                                  # keeps axis 0, flattens the rest
        nn.Linear(16 * h * w, n_outputs),
    )
    ### END SOLUTION


# %% kind="test" grade_id="ex1-flatten-per-sample-test" points=3
def _outputs_over_loader(model, X, batch_size):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(xb) for (xb,) in DataLoader(TensorDataset(X), batch_size=batch_size)])


def _check_param_count(model, c, h, w, n):
    expected = (9 * c * 8 + 8) + (9 * 8 * 16 + 16) + (16 * (h // 4) * (w // 4) * n + n)
    check_equal(ct.count_params(model), expected, f"trainable parameters of build_classifier({c}, {h}, {w}, {n})",
                hint="keep the two conv blocks (8 and 16 channels, 3x3) and one Linear head on all "
                     "16 * (height // 4) * (width // 4) features")


ct.seed(1)
model = ct.build_block(build_classifier, 1, 28, 28, 10, name="build_classifier(1, 28, 28, 10)")
ct.check_output_shapes(model, [((32, 1, 28, 28), (32, 10)), ((8, 1, 28, 28), (8, 10))],
                       name="build_classifier(1, 28, 28, 10)")
ct.check_uses_its_parameters(model, (2, 1, 28, 28), "build_classifier(1, 28, 28, 10)")
_check_param_count(model, 1, 28, 28, 10)
check_shape(_outputs_over_loader(model, X_test_t, 32), (1000, 10),
            name="outputs over the 1,000 test digits in batches of 32 (last batch 8)")
# 30x18: not square, and 30 // 4 is not 30 / 4
_m = ct.build_block(build_classifier, 1, 30, 18, 5, name="build_classifier(1, 30, 18, 5)")
ct.check_output_shapes(_m, [((1, 1, 30, 18), (1, 5)), ((7, 1, 30, 18), (7, 5))], name="build_classifier(1, 30, 18, 5)")
_check_param_count(_m, 1, 30, 18, 5)
### BEGIN HIDDEN TESTS
ct.check_output_shapes(model, [((1, 1, 28, 28), (1, 10)), ((7, 1, 28, 28), (7, 10))],
                       name="build_classifier(1, 28, 28, 10)")
x7 = torch.randn(7, 1, 28, 28)
model.eval()
with torch.no_grad():
    together, alone = model(x7), model(x7[3:4])
check_true(torch.allclose(together[3:4], alone, atol=1e-5),
           "sample 3's output changes with the rest of the batch: the batch axis is being mixed")
for c, h, w, n in [(3, 32, 20, 1), (1, 30, 18, 5), (2, 13, 17, 3)]:
    m = ct.build_block(build_classifier, c, h, w, n, name=f"build_classifier({c}, {h}, {w}, {n})")
    ct.check_output_shapes(m, [((1, c, h, w), (1, n)), ((7, c, h, w), (7, n))],
                           name=f"build_classifier({c}, {h}, {w}, {n})")
    _check_param_count(m, c, h, w, n)
    check_shape(_outputs_over_loader(m, torch.randn(50, c, h, w), 16), (50, n),
                name=f"build_classifier({c}, {h}, {w}, {n}) over 50 samples in batches of 16")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# `make_bn_net` (below, read-only) builds a classifier with BatchNorm layers. Write
# `predict_one(model, x)` that returns the model's output for **one** sample as a 1-D tensor of
# shape `(n_outputs,)`, whether `x` comes as `(C, H, W)` or already batched as `(1, C, H, W)`.
# It must work when the model is in training mode, return a tensor that does not track gradients,
# and leave the model in the mode it found it in.

# %% kind="readonly" grade_id="make-bn-net"
def make_bn_net(in_channels=1, height=28, width=28, n_outputs=10):
    """Conv + BatchNorm2d, then Linear + BatchNorm1d: fine on batches, touchy on a batch of one."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * (height // 2) * (width // 2), 32), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, n_outputs),
    )


def predict_one_broken(model, x):
    return model(x)[0]


clf = make_bn_net()                       # a fresh model is in training mode
with expect_error(ValueError, shapes=[4, 3], contains=["4D input"]):
    predict_one_broken(clf, one)          # (1, 28, 28): BatchNorm2d wants (N, C, H, W)
with expect_error(ValueError, shapes=[(1, 32)]):
    predict_one_broken(clf, one[None])    # (1, 1, 28, 28): BatchNorm1d in training mode


# %% [markdown]
# <details><summary>Hint</summary>
#
# Two messages to re-read, from the cell above: `expected 4D input (got 3D input)` asks what
# `x` is missing; `Expected more than 1 value per channel when training` is explained in the section
# *BatchNorm with a batch of one*, which also says in which mode a batch of one is fine.
# `model.training` tells you the mode to put back afterwards.
#
# </details>

# %% kind="answer" grade_id="ex2-predict-one"
def predict_one(model, x):
    ### BEGIN SOLUTION
    if x.dim() == 3:                     # (C, H, W): add the batch axis
        x = x.unsqueeze(0)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x)[0]
    finally:
        model.train(was_training)
    ### END SOLUTION


# %% kind="test" grade_id="ex2-predict-one-test" points=2
def _check_predict_one(model, x, n_outputs, label):
    was = model.training
    model.eval()
    with torch.no_grad():
        expected = model(x.reshape(1, *x.shape[-3:]))[0]
    model.train(was)
    got = predict_one(model, x)
    check_shape(got, (n_outputs,), name=f"predict_one on {label} {tuple(x.shape)}")
    check_true(torch.allclose(got, expected, atol=1e-5),
               f"predict_one on {label} {tuple(x.shape)}: values differ from the model's eval-mode output")
    check_true(not got.requires_grad, "predict_one: the result still tracks gradients (use torch.no_grad())")
    check_equal(model.training, was, f"model.training after predict_one on {label}")


ct.seed(2)
clf = make_bn_net(1, 28, 28, 10)
_check_predict_one(clf, X_test_t[5], 10, "a training-mode model,")
_check_predict_one(clf, X_test_t[5:6], 10, "a training-mode model,")
_check_predict_one(make_bn_net(3, 20, 24, 4), torch.randn(3, 20, 24), 4, "a training-mode 3-channel 20x24 model,")
### BEGIN HIDDEN TESTS
clf.eval()
_check_predict_one(clf, X_test_t[9], 10, "an eval-mode model,")
for c, h, w, n in [(3, 20, 24, 4), (2, 9, 13, 1)]:
    m = make_bn_net(c, h, w, n)
    x = torch.randn(c, h, w)
    _check_predict_one(m, x, n, "a training-mode model,")
    _check_predict_one(m, x[None], n, "a training-mode model,")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# Write `predict_all(model, loader)`: run a one-output regression model (its output is `(B, 1)`)
# over every `(x, y)` batch of `loader` and return all predictions as one tensor of shape `(N,)`,
# where `N` is the number of samples in the loader. Loaders can end with a partial batch, even a
# batch of one. As in Exercise 2: correct in training mode, no gradients, and the model's mode is
# left as it was. The broken version:

# %% kind="readonly" grade_id="broken-predict-all"
def predict_all_broken(model, loader):
    preds = []
    for xb, _ in loader:
        preds.append(model(xb).squeeze())
    return torch.cat(preds)


reg = make_bn_net(n_outputs=1)
loader37 = DataLoader(TensorDataset(X_test_t, y_test_t), batch_size=37)   # 1000 = 27 x 37 + 1
print("last batch size:", len(X_test) - 37 * (len(loader37) - 1))
with expect_error(ValueError, shapes=[(1, 32)]):
    predict_all_broken(reg, loader37)      # training mode: BatchNorm1d meets the batch of one
reg.eval()
with expect_error(RuntimeError, contains=["zero-dimensional"]):
    predict_all_broken(reg, loader37)      # eval mode: squeeze() turned (1, 1) into a scalar


# %% [markdown]
# <details><summary>Hint</summary>
#
# The broken cell raises twice, once per mode. The training-mode error is the one from Exercise 2;
# the eval-mode one, `zero-dimensional tensor ... cannot be concatenated`, is reproduced in the
# section *`squeeze()` eats the batch axis*. Follow the last batch of `loader37` (one digit) through
# your loop.
#
# </details>

# %% kind="answer" grade_id="ex3-predict-all"
def predict_all(model, loader):
    ### BEGIN SOLUTION
    was_training = model.training
    model.eval()
    preds = []
    try:
        with torch.no_grad():
            for xb, _ in loader:
                preds.append(model(xb).squeeze(-1))   # (B, 1) -> (B,), also for B == 1
    finally:
        model.train(was_training)
    return torch.cat(preds)
    ### END SOLUTION


# %% kind="test" grade_id="ex3-predict-all-test" points=3
def _check_predict_all(model, X, batch_size, label):
    loader = DataLoader(TensorDataset(X, torch.zeros(len(X))), batch_size=batch_size)
    was = model.training
    model.eval()
    with torch.no_grad():
        expected = model(X)[:, 0]
    model.train(was)
    got = predict_all(model, loader)
    sizes = [len(xb) for xb, _ in loader]
    what = f"predict_all on {label}, {len(X)} samples in batches of {sizes}"
    check_shape(got, (len(X),), name=what)
    check_true(torch.allclose(got, expected, atol=1e-5), f"{what}: values differ from the eval-mode outputs")
    check_true(not got.requires_grad, f"{what}: the result still tracks gradients")
    check_equal(model.training, was, f"model.training after {what}")


ct.seed(3)
reg = make_bn_net(1, 28, 28, 1)
_check_predict_all(reg, X_test_t[:15], 7, "a training-mode model")
_check_predict_all(reg, X_test_t[:40], 32, "a training-mode model")
### BEGIN HIDDEN TESTS
_check_predict_all(reg, X_test_t[:5], 1, "a training-mode model")
_check_predict_all(reg, X_test_t[:40], 32, "a training-mode model")
reg.eval()
_check_predict_all(reg, X_test_t[:9], 4, "an eval-mode model")
reg3 = make_bn_net(3, 12, 16, 1)
_check_predict_all(reg3, torch.randn(23, 3, 12, 16), 11, "a 3-channel 12x16 model")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 (2 points)
#
# Write `regression_loss(pred, target)`: the mean squared error between a regression head's output
# `pred` of shape `(N, 1)` and the labels `target` of shape `(N,)` as a loader delivers them. It must
# return a 0-d tensor equal to the mean over the `N` samples of `(prediction - label)²`, for every
# `N` including 1, without broadcasting warnings, and gradients must flow back to `pred`.

# %% kind="readonly" grade_id="broken-regression-loss"
def regression_loss_broken(pred, target):
    return nn.MSELoss()(pred, target)


with expect_warning(UserWarning, shapes=[(8,), (8, 1)]):
    print("broken loss on the example above:", float(regression_loss_broken(pred, target)), "(should be 0.25)")


# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `UserWarning` in cell `repro-loss-broadcast`: it names the two sizes. Which one has
# the extra axis, and what shape does `pred - target` take? The check just before that section's end
# shows why a batch of one never reveals the bug, so test your function with `N > 1` too.
#
# </details>

# %% kind="answer" grade_id="ex4-regression-loss"
def regression_loss(pred, target):
    ### BEGIN SOLUTION
    return F.mse_loss(pred.squeeze(-1), target)
    ### END SOLUTION


# %% kind="test" grade_id="ex4-regression-loss-test" points=2
def _check_regression_loss(n, seed):
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(n, 1, generator=g).requires_grad_()
    t = torch.randn(n, generator=g) * 3
    expected = ((p.detach()[:, 0] - t) ** 2).mean()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = regression_loss(p, t)
    shape_warnings = [str(w.message)[:120] for w in caught if issubclass(w.category, UserWarning)]
    check_true(isinstance(got, torch.Tensor), f"regression_loss with N={n} returned {type(got).__name__}, not a tensor")
    check_true(not shape_warnings, f"regression_loss with N={n} warned: {shape_warnings}")
    check_shape(got, (), name=f"regression_loss with N={n}")
    check_true(torch.isclose(got.detach(), expected, rtol=1e-5),
               f"regression_loss with N={n}: got {float(got.detach()):.4f}, expected {float(expected):.4f} "
               "(are (N, 1) and (N,) broadcast to (N, N)?)")
    got.backward()
    check_true(p.grad is not None and p.grad.shape == p.shape, f"regression_loss with N={n}: no gradient reaches pred")


_check_regression_loss(64, 0)          # a training batch
_check_regression_loss(1, 1)           # a batch of one
_check_regression_loss(7, 2)
### BEGIN HIDDEN TESTS
for n, s in [(1, 1), (7, 2), (33, 3), (8, 4)]:
    _check_regression_loss(n, s)
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your repaired pieces together, on real digits: `build_classifier` with one output learns to read
# a digit's **value** as a number (a deliberately simple regression: predicting 7 for a 7),
# `regression_loss` is its loss, and `predict_all` scores the 1,000 test digits through a loader
# whose last batch holds a single digit. The score is R²: 0 for always predicting the mean label,
# 1 for perfect predictions.

# %%
X_train, y_train = data.digits("train", layout="nchw")
y_train = y_train.astype(np.float32)                          # (4000,): labels as numbers
ct.seed(0)
regressor = build_classifier(1, 28, 28, 1)
result = ct.train(regressor, X_train, y_train, loss_fn=regression_loss, steps=200, batch_size=64, lr=3e-3)
test_preds = predict_all(regressor, DataLoader(TensorDataset(X_test_t, y_test_t.float()), batch_size=37)).cpu()
test_mse = float(((test_preds - y_test_t.float()) ** 2).mean())
r2 = 1 - test_mse / float(y_test_t.float().var(unbiased=False))
print(f"test MSE {test_mse:.2f} (always guessing the mean: {float(y_test_t.float().var(unbiased=False)):.2f}), R² = {r2:.2f}")
print(f"within ±0.5 of the true digit: {float(((test_preds - y_test_t).abs() < 0.5).float().mean()):.0%}")

# %% kind="test" grade_id="train-digit-value-test" points=2
needs("result", "test_preds", "r2", cell="the training cell above")
check_loss_fell(result.losses, factor=0.5)
check_shape(test_preds, (1000,), name="predictions for the 1,000 test digits")
check_at_least(r2, 0.3, "held-out R² of the digit-value regressor",
               hint="a broadcasting loss leaves R² near 0")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each shape before you run anything, then fill in `my_predictions` and run the test
# below it, which runs each layer and compares.
#
# 1. `nn.Conv2d(1, 8, kernel_size=3, padding=1)` on one digit without a batch axis, `(1, 28, 28)`.
# 2. `nn.Flatten()` on the unbatched feature map `(8, 14, 14)`.
# 3. `x.unsqueeze(0)` for `x` of shape `(1, 28, 28)`.
# 4. `torch.zeros(1, 10, 1).squeeze()`.
# 5. The last batch of `DataLoader(TensorDataset(torch.zeros(100, 3)), batch_size=32)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question, e.g. {1: (1, 8, 28, 28), 2: ...}."""
    ### BEGIN SOLUTION
    return {1: (8, 28, 28), 2: (8, 196), 3: (1, 1, 28, 28), 4: (10,), 5: (4, 3)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    _real_shapes = {
        1: ("nn.Conv2d(1, 8, kernel_size=3, padding=1) on (1, 28, 28)",
            nn.Conv2d(1, 8, kernel_size=3, padding=1)(torch.zeros(1, 28, 28)).shape),
        2: ("nn.Flatten() on (8, 14, 14)", nn.Flatten()(torch.zeros(8, 14, 14)).shape),
        3: ("x.unsqueeze(0), x of (1, 28, 28)", torch.zeros(1, 28, 28).unsqueeze(0).shape),
        4: ("torch.zeros(1, 10, 1).squeeze()", torch.zeros(1, 10, 1).squeeze().shape),
        5: ("the last batch of 100 rows in batches of 32",
            list(DataLoader(TensorDataset(torch.zeros(100, 3)), batch_size=32))[-1][0].shape),
    }
check_predictions(my_predictions(), _real_shapes)

# %% [markdown]
# ## Summary
#
# - Axis 0 is the batch, and its size changes: 1 for one sample, the remainder for the last batch.
#   Test with 1, an odd size like 7, and a loader whose length is not a multiple of the batch size.
# - One sample needs a batch axis: `x.unsqueeze(0)` / `x[None]`. `Conv2d` accepts `(C, H, W)`, but
#   `Flatten` then treats the channels as the batch.
# - Flatten per sample: `x.flatten(1)`, `x.view(x.size(0), -1)`, `nn.Flatten()`; never `view(-1)`,
#   `torch.flatten(x)`, or a batch size typed into `reshape`. `drop_last=True` hides, not fixes.
# - Inference: `model.eval()` (BatchNorm with a batch of one) and `torch.no_grad()`.
# - Name the axis you squeeze: `squeeze(-1)`, never a bare `squeeze()`.
# - Make predictions and targets the same shape before a loss; `(N, 1)` vs `(N,)` broadcasts to
#   `(N, N)` with only a warning, and a batch of one cannot reveal it.
