# %% [markdown]
# # 90 · Mini shapes (NumPy)
#
# The framework-free half of the sample class's small assignment: channel order and flattening.

# %% kind="setup"
import numpy as np

from course import check_shape

# %% [markdown]
# ## Exercise 1 (2 points)
#
# Convert a channels-last batch `(N, H, W, C)` to channels-first `(N, C, H, W)`.

# %% kind="answer" grade_id="ex1-channels-first"
def to_channels_first(batch):
    ### BEGIN SOLUTION
    return np.transpose(batch, (0, 3, 1, 2))
    ### END SOLUTION

# %% kind="test" grade_id="ex1-channels-first-test" points=2
check_shape(to_channels_first(np.zeros((7, 28, 28, 1))), (7, 1, 28, 28), name="to_channels_first output")
### BEGIN HIDDEN TESTS
check_shape(to_channels_first(np.zeros((2, 32, 30, 3))), (2, 3, 32, 30), name="to_channels_first output")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 (2 points)
#
# Flatten everything but the batch axis.

# %% kind="answer" grade_id="ex2-flatten"
def flatten_batch(x):
    ### BEGIN SOLUTION
    return x.reshape(len(x), -1)
    ### END SOLUTION

# %% kind="test" grade_id="ex2-flatten-test" points=2
check_shape(flatten_batch(np.zeros((7, 4, 5, 5))), (7, 100), name="flatten_batch output")
### BEGIN HIDDEN TESTS
check_shape(flatten_batch(np.zeros((1, 3, 2, 2))), (1, 12), name="flatten_batch output")
### END HIDDEN TESTS
