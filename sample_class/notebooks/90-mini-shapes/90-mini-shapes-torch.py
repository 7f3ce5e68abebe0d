# %% [markdown]
# # 90 · Mini shapes (PyTorch)
#
# A small assignment for the autograder's sample class: convolution arithmetic, a classifier
# head that forgot to flatten, and the batch axis. Not part of the course.

# %% kind="setup"
import torch
from torch import nn

from course import check_equal, check_shape
from course import torch as ct

ct.seed(0)

# %% [markdown]
# ## Exercise 1 (2 points)
#
# Write the output size of a convolution along one spatial axis.

# %% kind="answer" grade_id="ex1-conv-size"
def conv_output_size(n, kernel, stride=1, padding=0):
    ### BEGIN SOLUTION
    return (n + 2 * padding - kernel) // stride + 1
    ### END SOLUTION

# %% kind="test" grade_id="ex1-conv-size-test" points=2
check_equal(conv_output_size(28, 3), 26, "conv_output_size(28, 3)")
### BEGIN HIDDEN TESTS
check_equal(conv_output_size(28, 3, padding=1), 28, "conv_output_size(28, 3, padding=1)")
check_equal(conv_output_size(32, 5, stride=2), 14, "conv_output_size(32, 5, stride=2)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (3 points)
#
# The classifier below feeds a 4-D conv output into `nn.Linear`. Repair it: input
# `(N, 1, 28, 28)`, output `(N, 10)`.

# %% kind="readonly" grade_id="broken-classifier"
def broken_classifier():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Linear(4 * 26 * 26, 10))

# %% kind="answer" grade_id="ex2-classifier"
def make_classifier():
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    ### END SOLUTION

# %% kind="test" grade_id="ex2-classifier-test" points=3
ct.check_output_shapes(make_classifier(), [((7, 1, 28, 28), (7, 10))])
### BEGIN HIDDEN TESTS
ct.check_output_shapes(make_classifier(), [((1, 1, 28, 28), (1, 10)), ((13, 1, 28, 28), (13, 10))])
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 (1 point)
#
# Turn one image `(C, H, W)` into a batch of one.

# %% kind="answer" grade_id="ex3-add-batch"
def add_batch_axis(image):
    ### BEGIN SOLUTION
    return image.unsqueeze(0)
    ### END SOLUTION

# %% kind="test" grade_id="ex3-add-batch-test" points=1
check_shape(add_batch_axis(torch.zeros(1, 28, 28)), (1, 1, 28, 28), name="add_batch_axis output")
### BEGIN HIDDEN TESTS
check_shape(add_batch_axis(torch.zeros(3, 16, 16)), (1, 3, 16, 16), name="add_batch_axis output")
### END HIDDEN TESTS
