# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 02 · Missing input shape (PyTorch)
#
# A PyTorch layer is told the size of its input when you create it: `nn.Linear(in_features, ...)`,
# `nn.LSTM(input_size, ...)`. Nothing is inferred, so most shape errors here are a disagreement
# between the size you *declared* and the size that *arrives*. The `Lazy*` modules are the
# exception: they wait for the first batch, which brings back the "unbuilt model" problems Keras
# users know. Recurrent layers add a trap of their own: by default `nn.LSTM` reads
# `(timesteps, batch, features)`, so a `(batch, timesteps, features)` batch runs without any error
# and gives wrong results.

# %% [markdown]
# ## Learning goals
#
# - Read `mat1 and mat2 shapes cannot be multiplied` and `input.size(-1) must be equal to
#   input_size` as "declared size vs arriving size", and find the layer with `ct.trace`.
# - Know what `nn.LSTM` accepts: 3-D `(T, N, F)`, or `(N, T, F)` with `batch_first=True`, and 2-D
#   `(T, F)` as **one** unbatched sequence.
# - Spot the silent `batch_first` bug from the shape of `h_n`, and prove it by checking that one
#   sample's output does not depend on the others.
# - Use `LazyLinear` safely: what fails before the first call, and why a dry run must use the
#   right shape.

# %% [markdown]
# ## Setup
#
# `expect_error` runs code that *should* fail, checks that it fails the way the text claims,
# prints the real message and lets "Run All" carry on.

# %% kind="setup"
# %load_ext course
import numpy as np
import torch
import torchinfo
from torch import nn

from course import (check_at_least, check_equal, check_loss_fell, check_predictions, check_shape, check_true, data,
                    expect_error, needs)
from course import plots
from course import torch as ct

ct.seed(0)
print(ct.use_course_settings())

# %% [markdown]
# ## Reproduce the error
#
# The data are noisy 3-channel signals, 24 time steps each; the label (0, 1 or 2) is how fast the
# sine wave hidden in channel 0 oscillates. `data.sequences` returns them as `(N, T, F)`.
#
# ### A declared size that does not match
#
# `nn.LSTM(input_size=3, ...)` creates weights for exactly 3 features per time step. Give it 5:

# %% kind="readonly" grade_id="repro-input-size"
X_np, y_np = data.sequences(n=8, timesteps=24, features=3)
X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)        # (8, 24, 3), (8,)
X5 = torch.from_numpy(data.sequences(n=8, timesteps=24, features=5)[0])

lstm = nn.LSTM(input_size=3, hidden_size=16, batch_first=True)
print("3 features:", tuple(lstm(X)[0].shape))
with expect_error(RuntimeError, contains=["input.size(-1) must be equal to input_size", "Expected 3, got 5"]):
    lstm(X5)

# %% [markdown]
# A head after the LSTM has its own declared size. Here the LSTM has 32 hidden units and the
# `Linear` was declared for 16:

# %% kind="readonly" grade_id="repro-in-features"
class MismatchedHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 32, batch_first=True)
        self.head = nn.Linear(16, 3)          # declared 16, the LSTM gives 32

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


with expect_error(RuntimeError, shapes=[(8, 32), (16, 3)]):
    MismatchedHead()(X)

# %% [markdown]
# ### What rank an LSTM accepts
#
# An LSTM takes 3-D batches and also **2-D input, read as a single unbatched sequence** `(T, F)`.
# So flattening each recording to a row, `(8, 72)`, is not refused for its
# rank: PyTorch reads it as *one* sequence of 8 time steps with 72 features, and only the feature
# count gives it away. Four axes are refused outright.

# %% kind="readonly" grade_id="repro-ranks"
flat = X.reshape(8, -1)                                        # (8, 72)
with expect_error(RuntimeError, contains=["input_size", "Expected 3, got 72"]):
    lstm(flat)
with expect_error(ValueError, contains=["Expected input to be 2D or 3D, got 4D"]):
    lstm(X.unsqueeze(-1))                                      # (8, 24, 3, 1)

one = X[0]                                                     # one recording, (24, 3)
out_one, (h_one, _) = lstm(one)
check_shape(out_one, (24, 16), name="output for one unbatched sequence")
check_shape(h_one, (1, 16), name="h_n for one unbatched sequence (no batch axis)")
print("unbatched (24, 3) ->", tuple(out_one.shape), "and h_n", tuple(h_one.shape))

# %% [markdown]
# **Silent: a batch of feature vectors is one sequence.** The same rule bites when the data
# really is 2-D `(samples, features)`: eight 3-feature vectors pass the feature check, and the LSTM
# treats the 8 samples as 8 time steps of one recording. No error, an output of plausible shape,
# and every "sample" now depends on the ones before it:

# %% kind="readonly" grade_id="repro-unbatched-trap"
vectors = X[:, -1]                                             # (8, 3): 8 samples, 3 features
out_v, (h_v, _) = lstm(vectors)
check_shape(out_v, (8, 16), name="one output row per sample? no: one per time step")
check_shape(h_v, (1, 16), name="h_n: a single hidden state for the whole 'batch'")
nudged = vectors.clone()
nudged[0] += 1.0                                               # change sample 0 only
leak = (lstm(nudged)[0] - out_v).abs().amax(dim=1)
check_true(bool(leak[5] > 0), "sample 5's output changed when only sample 0 changed")
print("change in each sample's output after nudging sample 0:", leak.detach().numpy().round(4))

# %% [markdown]
# ### The `batch_first` trap
#
# `nn.LSTM(3, 16)` without `batch_first=True` reads axis 0 as **time** and axis 1 as **batch**.
# Feed it the usual `(N, T, F) = (8, 24, 3)` batch and it sees 24 sequences of 8 steps. The output
# has the same shape either way, so nothing looks wrong. The final hidden state `h_n` tells the
# truth: its middle axis is the batch, and it holds 24 entries instead of 8. The figure lines up the
# batch with the role each LSTM gives its axes, and the `h_n` each returns.

# %% kind="readonly" grade_id="repro-batch-first"
time_major = nn.LSTM(3, 16)                                    # batch_first=False, the default
batch_major = nn.LSTM(3, 16, batch_first=True)
batch_major.load_state_dict(time_major.state_dict())           # same weights, only the layout differs

out_tm, (h_tm, _) = time_major(X)
out_bm, (h_bm, _) = batch_major(X)
check_shape(out_tm, (8, 24, 16), name="time-major LSTM output (same shape, different meaning)")
check_shape(h_tm, (1, 24, 16), name="h_n of the time-major LSTM: 24 'sequences'")
check_shape(h_bm, (1, 8, 16), name="h_n with batch_first=True: 8 sequences")
print("output:", tuple(out_tm.shape), "vs", tuple(out_bm.shape), " h_n:", tuple(h_tm.shape), "vs", tuple(h_bm.shape))
plots.axis_rows([("X", tuple(X.shape), ("N", "T", "F")),
                 ("as nn.LSTM(3, 16) reads X", tuple(X.shape), ("!T", "!N", "F")),
                 ("its h_n", tuple(h_tm.shape), ("layers", "!N", "hidden")),
                 ("batch_first=True: h_n", tuple(h_bm.shape), ("layers", "N", "hidden"))]);

# %% [markdown]
# The usual readout `out[:, -1]` even produces the expected `(8, 16)`, but row `i` is the state
# after reading the *last time step* of samples 0, 1, ..., `i` in turn: one step of several
# samples instead of all steps of sample `i`. Nudging sample 0 changes every other sample's result;
# with `batch_first=True` only sample 0 moves:

# %% kind="readonly" grade_id="repro-batch-first-leak"
X_nudged = X.clone()
X_nudged[0] += 1.0
leak_tm = (time_major(X_nudged)[0][:, -1] - out_tm[:, -1]).abs().amax(dim=1)
leak_bm = (batch_major(X_nudged)[0][:, -1] - out_bm[:, -1]).abs().amax(dim=1)
print("time-major  readout, change per sample:", leak_tm.detach().numpy().round(4))
print("batch_first readout, change per sample:", leak_bm.detach().numpy().round(4))
check_true(bool((leak_tm[1:] > 0).all()), "time-major: samples 1..7 changed although only sample 0 did")
check_true(bool((leak_bm[1:] == 0).all()), "batch_first: the other samples are untouched")

# %% [markdown]
# Reading `h_n[-1]` instead of `out[:, -1]` makes the trap visible one step later: it holds 24 rows,
# and the loss refuses to pair 24 predictions with 8 labels. If your batch size happens to equal the
# number of time steps, not even this fires.

# %% kind="readonly" grade_id="repro-batch-first-loss"
logits = nn.Linear(16, 3)(h_tm[-1])                            # (24, 3)
with expect_error(ValueError, contains=["Expected input batch_size (24) to match target batch_size (8)"]):
    nn.functional.cross_entropy(logits, y)

square = torch.randn(24, 24, 3)                                # batch size 24 == 24 time steps
with torch.no_grad():
    _, (h_sq, _) = time_major(square)
    loss = nn.functional.cross_entropy(nn.Linear(16, 3)(h_sq[-1]), torch.zeros(24, dtype=torch.long))
print("24 samples of 24 time steps, time-major LSTM: no error, loss", round(float(loss), 3))

# %% [markdown]
# ### `LazyLinear`: a layer that waits for its first batch
#
# `nn.LazyLinear(out_features)` leaves `in_features` open and creates its weight on the first call.
# Until then the parameters are `UninitializedParameter` placeholders: anything that needs their
# size fails, and a summary quietly counts zero parameters.

# %% kind="readonly" grade_id="repro-lazy"
lazy_head = nn.LazyLinear(3)
print(lazy_head)                                               # in_features=0: not decided yet
with expect_error(ValueError, contains=["uninitialized parameter"]):
    sum(p.numel() for p in lazy_head.parameters())             # counting parameters
with expect_error(RuntimeError, contains=["uninitialized parameter"]):
    nn.init.kaiming_normal_(lazy_head.weight)                  # a custom initialisation
check_equal(torchinfo.summary(lazy_head, verbose=0).total_params, 0, "torchinfo's count before the first call")

# %% [markdown]
# The PyTorch docs create the optimizer *after* the dry run, and guides often say it must be so.
# Under PyTorch 2.13 an optimizer created before it still trains the layer (Adam, AdamW, SGD and
# LBFGS alike, each checked below): the dry run turns each placeholder into a real parameter *in
# place*, so the optimizer already holds the right objects. The real trap is the dry run itself: the first batch
# fixes `in_features` for good. Here the dry run receives the flattened recordings, 72 values, and
# the layer later refuses the 32 features it was meant for:

# %% kind="readonly" grade_id="repro-lazy-dry-run"
lazy_head = nn.LazyLinear(3)
opt = torch.optim.Adam(lazy_head.parameters(), lr=0.1)         # before the dry run
lazy_head(flat)                                                # dry run with (8, 72)
before = lazy_head.weight.detach().clone()
lazy_head(flat).pow(2).mean().backward()
opt.step()
check_true(opt.param_groups[0]["params"][0] is lazy_head.weight, "the optimizer holds the materialised weight")
check_true(not torch.equal(before, lazy_head.weight), "one optimizer step changed it")
print("after the dry run:", lazy_head)
with expect_error(RuntimeError, shapes=[(8, 32), (72, 3)]):
    lazy_head(torch.zeros(8, 32))

for make_optimizer in (torch.optim.AdamW, torch.optim.SGD, torch.optim.LBFGS):
    head = nn.LazyLinear(3)
    opt = make_optimizer(head.parameters(), lr=0.1)            # before the dry run
    head(flat)
    before = head.weight.detach().clone()

    def closure():                                             # LBFGS needs one; the others accept it
        opt.zero_grad()
        loss = head(flat).pow(2).mean()
        loss.backward()
        return loss

    opt.step(closure)
    check_true(not torch.equal(before, head.weight), f"{make_optimizer.__name__} created before the dry run trains")
    print(f"{make_optimizer.__name__:6s} created before the dry run: weight changed by one step")

# %% [markdown]
# ## Read the traceback
#
# - `input.size(-1) must be equal to input_size. Expected 3, got 5`: `size(-1)` is the last axis,
#   the features of each time step. **3** is what the LSTM was declared with (`input_size`), **5**
#   what arrived. With `got 72` the culprit is a flattened `(N, T*F)` batch read as one sequence.
# - `mat1 and mat2 shapes cannot be multiplied (8x32 and 16x3)`: `mat1` is the data reaching the
#   `Linear`, 8 samples x **32** features; `mat2` is the layer's weight, transposed, declared
#   `in_features` **16** x `out_features` 3. The two inner numbers must agree.
# - `Expected input batch_size (24) to match target batch_size (8)`: the model produced 24 rows and
#   there are 8 labels. When the extra rows equal your number of time steps, suspect the time and
#   batch axes.
#
# `ct.trace(model, shape)` runs one batch of zeros and lists every layer's input and output. For
# the mismatched head it stops at the first layer that refuses its input and says what it expected:

# %% kind="readonly" grade_id="trace-head"
print(ct.trace(MismatchedHead(), (8, 24, 3)))

# %% [markdown]
# The `batch_first` bug raises nothing, and both traces below look the same: same shapes, same
# parameters. The difference is in how the LSTM reads its axes, which `ct.expects(layer)` spells
# out: `(L, N, 3)` means length first, so a `(8, 24, 3)` batch is read as 8 time steps of 24
# sequences. When a trace looks fine and results are poor, check the layout of every recurrent layer.

# %% kind="readonly" grade_id="trace-batch-first"
class LastStep(nn.Module):
    def __init__(self, batch_first):
        super().__init__()
        self.lstm = nn.LSTM(3, 16, batch_first=batch_first)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


for batch_first in (False, True):
    model = LastStep(batch_first)
    print(f"batch_first={batch_first}: the LSTM reads {ct.expects(model.lstm)}")
    print(ct.trace(model, (8, 24, 3)), "\n")

# %% [markdown]
# ## Exercise 1 (3 points)
#
# `BrokenLastStepClassifier` runs on `(N, T, F)` batches without an error and returns `(N,
# n_classes)`, yet it mixes the samples of a batch (the leak shown above). Write
# `LastStepClassifier(features, hidden, n_classes)`: one `nn.LSTM(features, hidden)` and one
# `nn.Linear(hidden, n_classes)`, taking `(N, T, F)` batches and returning `(N, n_classes)` logits
# computed from each sequence's **last time step**. Each sample's output must depend on that sample
# only, for any batch size and any number of time steps. Create both layers in `__init__`, so that
# training updates the weights `forward` uses.
#
# `same_as_alone` (below) is the check the tests use: it compares each sample's output in a batch
# with its output when it is run alone.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the `repro-batch-first` cell and what `ct.expects` printed in `trace-batch-first`: which
# axis of your `(N, T, F)` batch does the LSTM take for time, and which for the batch?
# </details>

# %% kind="readonly" grade_id="broken-last-step"
class BrokenLastStepClassifier(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def same_as_alone(model, x, name="model"):
    """Each sample's output in the batch must equal its output when run alone (batch of one)."""
    model.eval()
    with torch.no_grad():
        together = model(x)
        for k in range(len(x)):
            alone = model(x[k:k + 1])[0]
            check_true(torch.allclose(together[k], alone, atol=1e-5, rtol=1e-4),
                       f"{name}: sample {k} of a batch of {len(x)} gives {together[k].numpy().round(4)}, "
                       f"alone it gives {alone.numpy().round(4)}: the batch's samples are mixed "
                       "(is the LSTM reading (N, T, F) as (T, N, F)?)")


broken = BrokenLastStepClassifier(3, 16, 3)
ct.check_output_shapes(broken, [((8, 24, 3), (8, 3))], name="broken model")   # the shape is fine ...
with expect_error(AssertionError, contains=["sample"], quiet=True) as mixed:
    same_as_alone(broken, X, name="broken model")                            # ... the content is not
print(mixed.message)

# %% kind="answer" grade_id="ex1-batch-first"
class LastStepClassifier(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        ### BEGIN SOLUTION
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out, _ = self.lstm(x)
        return self.head(out[:, -1])
        ### END SOLUTION


# %% kind="test" grade_id="ex1-batch-first-test" points=3
def _check_last_step(features, hidden, n_classes, cases):
    torch.manual_seed(0)
    name = f"LastStepClassifier({features}, {hidden}, {n_classes})"
    model = ct.build_block(LastStepClassifier, features, hidden, n_classes, name=name)
    check_equal(ct.count_params(model), 4 * hidden * (features + hidden + 2) + hidden * n_classes + n_classes,
                f"parameters of {name}", hint="one nn.LSTM(features, hidden) and one nn.Linear(hidden, n_classes)")
    ct.check_output_shapes(model, [((b, t, features), (b, n_classes)) for b, t in cases], name=name)
    ct.check_uses_its_parameters(model, (2, cases[0][1], features), name)
    for b, t in cases:
        same_as_alone(model, torch.randn(b, t, features), name=f"{name} on ({b}, {t}, {features})")


_check_last_step(3, 16, 3, cases=[(1, 24), (7, 24), (8, 24)])
_check_last_step(5, 8, 4, cases=[(7, 11), (1, 3)])
### BEGIN HIDDEN TESTS
_check_last_step(3, 16, 3, cases=[(13, 24), (7, 7), (5, 40)])
_check_last_step(5, 8, 4, cases=[(1, 10), (7, 10), (16, 3)])
_check_last_step(1, 4, 2, cases=[(7, 30), (2, 1)])
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# A data logger exports recordings as a 2-D table: one row per recording, the columns grouped by
# **feature**: all time steps of feature 0, then all time steps of feature 1, and so on
# (`export_table` below shows exactly how). An LSTM with `batch_first=True` needs `(N, T, F)`.
#
# `table.view(n, timesteps, features)` has the right shape and the wrong data: `view` and
# `reshape` re-cut the row in memory order, so three consecutive *time steps* of feature 0 become
# "three features". Nothing raises. Write `to_sequences(table, timesteps, features)` returning a
# float tensor of shape `(len(table), timesteps, features)` with
# `out[n, t, f] == table[n, f * timesteps + t]`, for any number of rows, time steps and features
# (one feature included: that is still 3-D, `(N, T, 1)`).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read `export_table` in the next cell: it does two things to a batch before it is a table,
# and `to_sequences` must get back to the batch. The two rows printed at the end of that cell let
# you check one time step by eye.
# </details>

# %% kind="readonly" grade_id="broken-pipeline"
def export_table(x):
    """How the logger writes a batch (N, T, F): per row, feature 0's T values, then feature 1's, ..."""
    return x.transpose(1, 2).reshape(len(x), -1)


def broken_to_sequences(table, timesteps, features):
    return table.view(len(table), timesteps, features)


table = export_table(X)
scrambled = broken_to_sequences(table, 24, 3)
print("table:", tuple(table.shape), " broken:", tuple(scrambled.shape), " original:", tuple(X.shape))
check_shape(scrambled, X.shape, name="broken_to_sequences output")     # the shape is right ...
check_true(not torch.equal(scrambled, X), "... and the values are not")
print("recording 0, time step 0, as the LSTM would see it:", scrambled[0, 0].numpy())
print("what it really was (3 features):                    ", X[0, 0].numpy())

# %% kind="answer" grade_id="ex2-table-to-sequences"
def to_sequences(table, timesteps, features):
    ### BEGIN SOLUTION
    table = torch.as_tensor(table, dtype=torch.float32)
    return table.reshape(len(table), features, timesteps).transpose(1, 2)
    ### END SOLUTION


# %% kind="test" grade_id="ex2-table-to-sequences-test" points=2
def _check_to_sequences(n, timesteps, features, seed):
    original = torch.from_numpy(data.sequences(n=n, timesteps=timesteps, features=features, seed=seed)[0])
    out = to_sequences(export_table(original), timesteps, features)
    name = f"to_sequences(table of {n} recordings, {timesteps}, {features})"
    check_true(isinstance(out, torch.Tensor), f"{name}: expected a torch.Tensor, got {type(out).__name__}")
    check_shape(out, (n, timesteps, features), name=name)
    wrong = (out != original).nonzero()
    check_true(len(wrong) == 0,
               f"{name}: the shape is right but values are misplaced, first at [n, t, f] = "
               f"{tuple(wrong[0].tolist()) if len(wrong) else None}; out[n, t, f] must be table[n, f * timesteps + t]")


_check_to_sequences(7, 24, 3, seed=1)
_check_to_sequences(1, 24, 3, seed=2)
_check_to_sequences(7, 10, 5, seed=7)
### BEGIN HIDDEN TESTS
_check_to_sequences(13, 24, 3, seed=3)
_check_to_sequences(7, 10, 5, seed=4)
_check_to_sequences(1, 30, 1, seed=5)
_check_to_sequences(16, 8, 2, seed=6)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (3 points)
#
# A bidirectional LSTM runs once forwards and once backwards, so its summary of a sequence has
# **two** hidden states, `2 * hidden` numbers per sample. The model below declared its head for
# `hidden` and fails on the first batch. Write `build_bidirectional_classifier(features, hidden,
# n_classes)` that returns a model with one `nn.LSTM(features, hidden, bidirectional=True)` and one
# `nn.Linear` head, mapping `(N, T, F)` batches to `(N, n_classes)` logits from the final hidden
# state of **each** direction (`h_n`), for any batch size and number of time steps. Each of those
# final states has read the whole sequence; the last row of the output sequence, `out[:, -1]`, has
# not (see `repro-bidirectional-ends` below). The tests silence one direction at a time and check
# that the logits still respond to the first and to the last time step.
#
# Computing `in_features` and `nn.LazyLinear` both work, but the model must be complete when the
# function returns: every parameter exists and can be counted before training, so an optimizer
# created right away sees real weights and a summary shows the real size. For the same reason both
# layers are made once, when the model is built, never inside `forward`.

# %% kind="readonly" grade_id="broken-bidirectional"
class BrokenBidirectional(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)                  # h_n: (2 directions, N, hidden)
        both = torch.cat([h_n[0], h_n[1]], dim=1)   # (N, 2 * hidden)
        return self.head(both)


print(ct.trace(BrokenBidirectional(3, 32, 3), (8, 24, 3)))
with expect_error(RuntimeError, shapes=[(8, 64), (32, 3)]):
    BrokenBidirectional(3, 32, 3)(X)

# %% [markdown]
# Where each direction's final state sits in the output sequence `out`, `(N, T, 2 * hidden)`: the
# forward direction ends at the last row, `out[:, -1, :hidden]`, but the backward direction runs
# from the end to the start and ends at the *first* row, `out[:, 0, hidden:]`. The backward half
# of `out[:, -1]` is its state after the last time step only, the same as running the LSTM on that
# one step:

# %% kind="readonly" grade_id="repro-bidirectional-ends"
bi = nn.LSTM(3, 32, batch_first=True, bidirectional=True)
out_bi, (h_bi, _) = bi(X)                                      # out_bi: (8, 24, 64), h_bi: (2, 8, 32)
check_true(torch.allclose(out_bi[:, -1, :32], h_bi[0]), "forward: h_n[0] is the last row")
check_true(torch.allclose(out_bi[:, 0, 32:], h_bi[1]), "backward: h_n[1] is the first row")
one_step = bi(X[:, -1:])[0][:, 0, 32:]                          # backward state after the last step alone
check_true(torch.allclose(out_bi[:, -1, 32:], one_step, atol=1e-6), "backward half of out[:, -1]")
print("h_n[0] == out[:, -1, :32]; h_n[1] == out[:, 0, 32:]; out[:, -1, 32:] == after one step only")

# %% [markdown]
# <details><summary>Hint</summary>
#
# Re-read the error above: the two inner numbers of `(8x64 and 32x3)` must agree. Then re-read the
# `repro-bidirectional-ends` cell before you choose what the head reads.
# </details>

# %% kind="answer" grade_id="ex3-bidirectional-head"
def build_bidirectional_classifier(features, hidden, n_classes):
    ### BEGIN SOLUTION
    class BidirectionalClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Linear(2 * hidden, n_classes)

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.head(torch.cat([h_n[0], h_n[1]], dim=1))

    return BidirectionalClassifier()
    ### END SOLUTION


# %% kind="test" grade_id="ex3-bidirectional-head-test" points=3
import copy


def _check_bidirectional(features, hidden, n_classes, cases):
    torch.manual_seed(0)
    name = f"build_bidirectional_classifier({features}, {hidden}, {n_classes})"
    model = ct.build_block(build_bidirectional_classifier, features, hidden, n_classes, name=name)
    lazy = [n for n, p in model.named_parameters() if isinstance(p, nn.parameter.UninitializedParameter)]
    check_true(not lazy, f"{name}: parameters {lazy} do not exist yet; if you use a Lazy module, "
               "run one dry batch of the right shape before returning the model")
    expected = 2 * 4 * hidden * (features + hidden + 2) + 2 * hidden * n_classes + n_classes
    check_equal(ct.count_params(model), expected, f"parameters of {name}",
                hint="one bidirectional nn.LSTM(features, hidden) and one Linear(2 * hidden, n_classes)")
    ct.check_output_shapes(model, [((b, t, features), (b, n_classes)) for b, t in cases], name=name)
    ct.check_uses_its_parameters(model, (2, cases[0][1], features), name)
    same_as_alone(model, torch.randn(cases[0][0], cases[0][1], features), name=name)
    _each_direction_reads_everything(model, features, name)


def _each_direction_reads_everything(model, features, name, timesteps=9):
    """With one direction silenced, the logits must still respond to the first and to the last time
    step, as the other direction's final hidden state does."""
    lstms = [m for m in model.modules() if isinstance(m, nn.LSTM)]
    check_equal(len(lstms), 1, f"number of nn.LSTM modules in {name}")
    x = torch.randn(4, timesteps, features)
    for kept, silenced in (("forward", "_l0_reverse"), ("backward", "_l0")):
        probe = copy.deepcopy(model).eval()
        lstm = next(m for m in probe.modules() if isinstance(m, nn.LSTM))
        with torch.no_grad():
            for pname, p in lstm.named_parameters():
                if pname.endswith(silenced):
                    p.zero_()            # no weights, no bias: that direction's hidden state stays 0
            base = probe(x)
            for step in (0, timesteps - 1):
                moved = x.clone()
                moved[:, step] += 1.0
                change = float((probe(moved) - base).abs().max())
                check_true(change > 1e-6,
                           f"{name}: with only the {kept} direction running, changing time step {step} of "
                           f"{timesteps} leaves the logits unchanged: the head does not read that direction's "
                           "final hidden state (h_n), which has seen every time step")


_check_bidirectional(3, 32, 3, cases=[(7, 24), (1, 24), (8, 10)])
_check_bidirectional(5, 20, 4, cases=[(7, 11), (1, 3)])
### BEGIN HIDDEN TESTS
_check_bidirectional(3, 32, 3, cases=[(13, 24), (7, 50)])
_check_bidirectional(5, 20, 4, cases=[(7, 10), (1, 3), (16, 24)])
_check_bidirectional(1, 6, 2, cases=[(5, 30), (2, 1)])
### END HIDDEN TESTS

# %% [markdown]
# ## Train it
#
# Your bidirectional classifier from exercise 3, trained on 2,000 recordings for a fixed number of
# steps, then scored on 500 recordings it never saw. Chance is 1/3.

# %%
X_train, y_train = data.sequences(n=2000, timesteps=24, features=3, split="train")
X_test, y_test = data.sequences(n=500, timesteps=24, features=3, split="test")
print("train:", X_train.shape, " test:", X_test.shape)

ct.seed(0)
clf = build_bidirectional_classifier(features=3, hidden=32, n_classes=3)
result = ct.train(clf, X_train, y_train, nn.CrossEntropyLoss(), steps=120, batch_size=64, lr=1e-2)
test_acc = float((ct.predict(clf, X_test).argmax(axis=1) == y_test).mean())
print(f"held-out accuracy: {test_acc:.3f} (chance 0.333)")

# %% kind="test" grade_id="train-bidirectional-test" points=2
needs("result", "test_acc", cell="the training cell above")
# Written out instead of check_loss_fell, whose message blames shapes: if training ran, the loss
# accepted the output's shape, and the exercise 3 test checks the shapes and their meaning.
fifth = max(1, len(result.losses) // 5)
first, last = float(np.mean(result.losses[:fifth])), float(np.mean(result.losses[-fifth:]))
check_true(last < 0.7 * first,
           f"training loss did not fall enough (first steps {first:.4f}, last steps {last:.4f}; needed "
           "below 0.7 x the start). The exercise 3 test checks the shapes and that the head reads "
           "each direction's final state: does it pass?")
check_at_least(test_acc, 0.9, "held-out accuracy of the bidirectional classifier",
               hint="a correct model reaches about 0.98 in 120 steps")

# %% [markdown]
# ## Self-check (1 point)
#
# Predict each shape before you run anything, then fill in `my_predictions` and run the test
# below it, which runs each layer and compares.
#
# 1. `nn.Linear(72, 3)` on a batch `(8, 72)`.
# 2. The output sequence of `nn.LSTM(3, 16, batch_first=True)` on a batch `(8, 24, 3)`.
# 3. Its final hidden state `h_n`.
# 4. The output sequence of `nn.LSTM(3, 16, batch_first=True, bidirectional=True)` on the same batch.
# 5. `x.reshape(len(x), 24, 3)` for `x` of shape `(64, 72)`.

# %% kind="answer" grade_id="self-check"
def my_predictions():
    """Your predicted shapes, one tuple per question, e.g. {1: (8, 72), 2: ...}."""
    ### BEGIN SOLUTION
    return {1: (8, 3), 2: (8, 24, 16), 3: (1, 8, 16), 4: (8, 24, 32), 5: (64, 24, 3)}
    ### END SOLUTION


# %% kind="test" grade_id="self-check-test" points=1
with torch.no_grad():
    _batch = torch.zeros(8, 24, 3)
    _out, (_h_n, _) = nn.LSTM(3, 16, batch_first=True)(_batch)
    _real_shapes = {
        1: ("nn.Linear(72, 3) on (8, 72)", nn.Linear(72, 3)(torch.zeros(8, 72)).shape),
        2: ("the output of nn.LSTM(3, 16, batch_first=True) on (8, 24, 3)", _out.shape),
        3: ("its final hidden state h_n", _h_n.shape),
        4: ("the output of the bidirectional LSTM on (8, 24, 3)",
            nn.LSTM(3, 16, batch_first=True, bidirectional=True)(_batch)[0].shape),
        5: ("x.reshape(len(x), 24, 3), x of (64, 72)", torch.zeros(64, 72).reshape(64, 24, 3).shape),
    }
check_predictions(my_predictions(), _real_shapes)

# %% [markdown]
# ## Summary
#
# - PyTorch layers declare their input size (`in_features`, `input_size`); the two errors to know
#   are `mat1 and mat2 shapes cannot be multiplied (AxB and CxD)` (B must equal C) and
#   `input.size(-1) must be equal to input_size. Expected X, got Y`.
# - `nn.LSTM` reads `(T, N, F)` unless `batch_first=True`. The wrong layout raises nothing: check
#   that `h_n` is `(layers * directions, N, hidden)` and that a sample's output does not depend on
#   its batch-mates.
# - A 2-D input to an LSTM is one unbatched sequence `(T, F)`, not a batch of samples.
# - A bidirectional LSTM hands `2 * hidden` features to the next layer. Its final states are `h_n`;
#   in the output sequence the backward one is the first row, `out[:, 0, hidden:]`, not the last.
# - `LazyLinear` has no parameters until its first call (counts fail, summaries say 0); that call
#   fixes `in_features` for good, so make the dry run with a batch of the right shape.
# - Flat tables become `(N, T, F)` by following their column order: `reshape`/`view` alone re-cuts
#   memory, `transpose`/`permute` moves axes.
