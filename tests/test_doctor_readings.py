"""The shape doctor's readings table, row by row, without a kernel (issue 18, item 3).

Each row of `course.doctor.readings.READINGS` gets one real message, copied from what PyTorch
2.13 / TensorFlow 2.21 / Keras 3.15 raised under the pinned versions, and the words its reading
must say. The message must be read by that very row (not an earlier one), and whether a message is
a shape message comes from the same table: a message no row reads is not one.
"""
from __future__ import annotations

import pytest

from course.doctor import readings
from course.doctor.readings import READINGS, is_shape_error, match, reading

# One per row of READINGS, in its order: (message, shape the failing layer got or None, the reading says)
EXAMPLES = [
    ("mat1 and mat2 shapes cannot be multiplied (416x13 and 1352x10)", (4, 8, 13, 13),
     ["every axis but the last of the input (4, 8, 13, 13)", "in_features = 1352"]),
    ("{{function_node __wrapped__MatMul_device_/job:localhost/replica:0/task:0/device:CPU:0}} Matrix size-incompatible: "
     "In[0]: [3,4], In[1]: [5,2] [Op:MatMul] name: ", None, ["[3,4]", "made for 5 features: 4 and 5 must be equal"]),
    ("Expected size for first two dimensions of batch2 tensor to be: [4, 5] but got: [4, 6].", None,
     ["(batch, inner) = (4, 5)", "they are (4, 6)"]),
    ("batch1 must be a 3D tensor", None, ["batch1 must have 3 axes"]),
    ("inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 "
     "elements respectively", None, ["3 and 4 elements"]),
    ("size mismatch, got input (3), mat (3x4), vec (5)", None, ["3x4 has 4 columns, the vector 5"]),
    ("einsum(): subscript b has size 4 for operand 1 which does not broadcast with previously seen size 20", None,
     ["subscript b", "operand 1 has 4", "an earlier operand 20"]),
    ("einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 "
     "and no ellipsis was given", None, ["operand 0 3 subscripts", "has 2 axes"]),
    ("{{function_node __wrapped__Einsum_N_2_device_/job:localhost/replica:0/task:0/device:CPU:0}} Expected dimension 20 "
     "at axis 0 of the input shaped [4,4,5] but got dimension 4 [Op:Einsum] name: ", None,
     ["axis 0 of the operand [4,4,5] has 4, another operand 20"]),
    ("input.size(-1) must be equal to input_size. Expected 10, got 12", (5, 7, 12), ["input_size = 10, the input has 12"]),
    ("Expected hidden[0] size (1, 3, 20), got [2, 3, 20]", None, ["(1, 3, 20)", "(2, 3, 20)", "axis 0 (1 vs 2)"]),
    ("For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors", None,
     ["2 axes", "unbatched too", "(3-D, 3-D)"]),
    ("LSTM: Expected input to be 2D or 3D, got 4D instead", None, ["LSTM takes (L, N, features)", "has 4 axes"]),
    ("was expecting embedding dimension of 16, but got 8", None, ["embed_dim = 16", "the input has 8"]),
    ("The shape of the 2D attn_mask is torch.Size([5, 5]), but should be (5, 7).", None, ["(5, 7)", "it is (5, 5)"]),
    ("Expected key_padded_mask.shape[1] to be 7, but got 5", None, ["keys have 7 positions; the mask has 5"]),
    ("key shape torch.Size([7, 3, 16]) does not match value shape torch.Size([6, 3, 16])", None,
     ["key (7, 3, 16), value (6, 3, 16)"]),
    ("index out of range in self", None, ["below num_embeddings"]),
    ("Exception encountered when calling Embedding.call().\n\n{{function_node __wrapped__GatherV2_device_/job:localhost/"
     "replica:0/task:0/device:CPU:0}} indices[0,1] = 12 is not in [0, 10) [Op:GatherV2]", None,
     ["index 12 at position [0,1]", "[0, 10)"]),
    ("Target 12 is out of bounds.", None, ["class index 12"]),
    ("Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape "
     "torch.Size([10, 512]) from checkpoint, the shape in current model is torch.Size([5, 512]).\n\tsize mismatch for "
     "bias: copying a param with shape torch.Size([10]) from checkpoint, the shape in current model is torch.Size([5]).",
     None, ["no forward ran", "weight: checkpoint (10, 512), model (5, 512)", "bias: checkpoint (10,), model (5,)"]),
    ("Layer dense_8 weight shape (4, 5) is not compatible with provided weight shape (4, 10).", None,
     ["layer dense_8", "(4, 5)", "(4, 10)"]),
    ("shape '[-1, 16]' is invalid for input of size 40", None, ["holds 40", "40 is not a multiple of 16"]),
    ("view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
     "contiguous subspaces). Use .reshape(...) instead.", None, ["memory order"]),
    ("The total size of the tensor must be unchanged. Received: input_shape=(10,), target_shape=(3, 4)", None,
     ["(10,) holds 10", "(3, 4) would hold 12"]),
    ("{{function_node __wrapped__Reshape_device_/job:localhost/replica:0/task:0/device:CPU:0}} Input to reshape is a "
     "tensor with 40 values, but the requested shape has 15 [Op:Reshape]", None, ["holds 40", "asks for 15"]),
    ("Given groups=1, weight of size [64, 3, 3, 3], expected input[1, 36, 42, 3] to have 3 channels, but got 36 "
     "channels instead", None, ["36 there", "channels-last (N, H, W, C)"]),
    ("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 1, 2, 28, 28]", None,
     ["conv2d takes 3D", "5 axes"]),
    ("Given input size: (8x2x2). Calculated output size: (8x0x0). Output size is too small", None,
     ["8x2x2", "8x0x0"]),
    ("Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than "
     "actual input size", None, ["per channel is 3 x 3", "kernel 5 x 5"]),
    ("Computed output size would be negative. Received `inputs shape=(None, 3, 3, 1)`, `kernel shape=(5, 5, 1, 8)`, "
     "`dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`.", None, ["(None, 3, 3, 1)", "(5, 5, 1, 8)"]),
    ("Expected more than 1 value per channel when training, got input size torch.Size([1, 8])", None,
     ["the input (1, 8) gives it one value per channel"]),
    ("running_mean should contain 6 elements not 8", None, ["statistics for 8 channels", "the input has 6"]),
    ("Given normalized_shape=[8], expected input with shape [*, 8], but got input of size[2, 6]", None,
     ["must be [8]", "(2, 6)"]),
    ("expected 4D input (got 2D input)", None, ["takes 4D input", "received 2D"]),
    ("Target size (torch.Size([4])) must be the same as input size (torch.Size([4, 1]))", None,
     ["target (4,) vs output (4, 1)"]),
    ("Expected target size [4, 7], got [4]", None, ["(4, 7)", "it is (4,)"]),
    ("Expected input batch_size (4) to match target batch_size (5).", None, ["4 output rows", "5 targets"]),
    ("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape=(None, 10), "
     "output.shape=(None, 10)", None, ["one more axis", "target (None, 10)"]),
    ("Arguments `target` and `output` must have the same shape. Received: target.shape=(None, 1), "
     "output.shape=(None, 10)", None, ["target (None, 1), output (None, 10)"]),
    ("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.'x' sizes: 600\n"
     "'y' sizes: 100", None, ["x has 600", "y has 100"]),
    ("The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 0", None,
     ["met 4 and 5 on axis 0"]),
    ("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  Target sizes: "
     "[4, 2].  Tensor sizes: [3, 1]", None, ["axis 0 is 3, asked for 4"]),
    ("{{function_node __wrapped__AddV2_device_/job:localhost/replica:0/task:0/device:CPU:0}} Incompatible shapes: [2,4] "
     "vs. [3,4] [Op:AddV2] name: ", None, ["[2,4] and [3,4]"]),
    ("Sizes of tensors must match except in dimension 1. Expected size 61 but got size 60 for tensor number 1 in the "
     "list.", None, ["axis 1", "61 where tensor number 1 has 60"]),
    ("Tensors must have same number of dimensions: got 2 and 3", None, ["2 and 3"]),
    ("stack expects each tensor to be equal size, but got [3] at entry 0 and [4] at entry 1", None,
     ["DataLoader", "entry 0 is [3], entry 1 is [4]"]),
    ("Dimension 0 in both shapes must be equal, but are 4 and 5. Shapes are [4] and [5]. for '{{node concat}} = "
     "ConcatV2[N=2, T=DT_FLOAT, Tidx=DT_INT32](a, b, concat/axis)' with input shapes: [2,4], [2,5], [] and with "
     "computed input tensors: input[2] = <0>.", None, ["4 and 5", "[2,4] and [2,5]"]),
    ("{{function_node __wrapped__ConcatV2_N_2_device_/job:localhost/replica:0/task:0/device:CPU:0}} ConcatOp : "
     "Dimension 1 in both shapes must be equal: shape[0] = [2,4] vs. shape[1] = [3,5] [Op:ConcatV2] name: concat", None,
     ["axis 1", "[2,4]", "[3,5]"]),
    ("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: "
     "input_shape=[(None, 4, 3), (None, 5, 3)]", None, ["[(None, 4, 3), (None, 5, 3)]"]),
    ("Inputs have incompatible shapes. Received shapes (4,) and (5,)", None, ["(4,) and (5,)"]),
    ("Incompatible input shapes: axis values 4 (at axis 1) != 5 (at axis 1). Full input shapes: (None, 4), (None, 5)",
     None, ["4 on axis 1 vs 5 on axis 1"]),
    ("Input 0 with name 'None' of layer 'conv1d' is incompatible with the layer: expected axis -1 of input shape to "
     "have value 4, but received input with shape (2, 4, 50)", None,
     ["built for 4 on axis -1", "has 50 there", "axes look swapped"]),
    ("Input 0 with name 'None' of layer 'lstm' is incompatible with the layer: expected ndim=3, found ndim=2. Full "
     "shape received: (None, 10)", None, ["3 axes", "received 2"]),
    ("Invalid input shape for input [[0. 0.]] with name 'keras_tensor_12' and path ''. Expected shape (None, 50, 4), "
     "but input has incompatible shape (2, 50)", None, ["declares its input as (None, 50, 4)", "the data is (2, 50)"]),
    ("Dimensions must be equal, but are 4 and 5 for '{{node sub}} = Sub[T=DT_FLOAT](a, b)' with input shapes: "
     "[?,4], [?,5].", None, ["the op sub", "4 and 5", "[?,4] and [?,5]"]),
    ("Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [8] "
     "and output size of (4, 4). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
     "(o1, o2, ...,oK) format.", None, ["[8]", "(4, 4)"]),
    ("too many indices for tensor of dimension 2", None, ["more axes than the tensor has (2)"]),
]


class FrameworkError(RuntimeError):
    """Stands in for the framework's exception class: readings work on the text alone."""


def test_every_row_has_an_example():
    assert len(EXAMPLES) == len(READINGS)


@pytest.mark.parametrize("index", range(len(READINGS)), ids=[f"{i}-{r.family}" for i, r in enumerate(READINGS)])
def test_row_reads_its_message(index):
    text, got, says = EXAMPLES[index]
    error = FrameworkError(text)
    row, _ = match(error)
    assert row is READINGS[index], f"read by row {READINGS.index(row)} ({row.family}), not {index}"
    assert is_shape_error(error)
    line = reading(error, got)
    for s in says:
        assert s in line, f"{s!r} missing from the reading: {line}"


@pytest.mark.parametrize("text", [
    "mat1 and mat2 must have the same dtype, but got Double and Float",
    "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
    "Cast string to float is not supported",
    "list index out of range",
])
def test_a_message_no_row_reads_is_not_a_shape_message(text):
    assert match(FrameworkError(text)) is None and not is_shape_error(FrameworkError(text))


def test_never_shape_errors_stay_quiet_whatever_they_say():
    assert not is_shape_error(NameError("name 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)' is not defined"))
    # the learner's own assert (raised here, in a test file): not the framework's shape check
    try:
        assert False, "was expecting embedding dimension of 16, but got 8"
    except AssertionError as own:
        assert not is_shape_error(own)


def test_the_framework_s_own_assertion_is_a_shape_error():
    """nn.MultiheadAttention checks shapes with `assert`: raised in torch's code, it counts."""
    torch = pytest.importorskip("torch")
    attention = torch.nn.MultiheadAttention(16, 2)
    q = torch.zeros(5, 3, 8)
    with pytest.raises(AssertionError) as raised:
        attention(q, q, q)
    assert is_shape_error(raised.value) and readings.family(raised.value) == "attention"
