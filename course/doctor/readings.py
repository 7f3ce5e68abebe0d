"""Read the numbers in a framework's shape message, in one line, for the shape doctor.

One table, READINGS: each row is a compiled pattern, the family of errors it belongs to and a
reader that turns the match into a sentence. Most readers are templates, filled with the match's
groups (see `_fill`); a reader that has to work something out (compare with the shape the layer got,
look further in the message) is a function. Whether a message is a shape message at all derives
from the same table (`is_shape_error`), so the two can never disagree. Framework-free: it works
on the message text (colour codes stripped) and, where known, the shape the failing layer got.
It describes what the numbers are; it never says what to change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from math import prod
from typing import Callable

from ..errors import key_lines
from ..shapes import format_shape

# Errors that are never about shapes, whatever their message says. AssertionError is one only when
# the learner's own code raised it (nn.MultiheadAttention checks shapes with `assert`): see
# `never_shape`.
NOT_SHAPE = (NameError, ImportError, SyntaxError, KeyboardInterrupt, MemoryError, AttributeError,
             ZeroDivisionError, StopIteration)
FRAMEWORK_CODE = ("/torch/", "/keras/", "/tensorflow/", "/tf_keras/")


@dataclass(frozen=True)
class Reading:
    family: str
    pattern: re.Pattern
    # a template for `_fill`, or (match, whole message text, shape the failing layer got or None) -> str
    read: str | Callable


def message(error: BaseException) -> str:
    return "\n".join(key_lines(str(error)))


def _ints(text: str) -> tuple:
    return tuple(None if t in ("?", "None") else int(t) for t in re.findall(r"\?|None|-?\d+", text))


def _raised_in_framework(error: BaseException) -> bool:
    tb, last = error.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and any(part in last.tb_frame.f_code.co_filename.replace("\\", "/")
                                    for part in FRAMEWORK_CODE)


def never_shape(error: BaseException) -> bool:
    if isinstance(error, NOT_SHAPE):
        return True
    return isinstance(error, AssertionError) and not _raised_in_framework(error)


def match(error: BaseException):
    """(row, match) for the first row whose pattern is in the message, or None."""
    text = message(error)
    for row in READINGS:
        m = row.pattern.search(text)
        if m:
            return row, m
    return None


def is_shape_error(error: BaseException) -> bool:
    return not never_shape(error) and match(error) is not None


def family(error: BaseException) -> str:
    found = match(error)
    return found[0].family if found else ""


def reading(error: BaseException, got: tuple | None = None) -> str:
    """One line on what the numbers in the message mean (empty for a message no row reads)."""
    found = match(error)
    if found is None:
        return ""
    row, m = found
    return _fill(row.read, m) if isinstance(row.read, str) else row.read(m, message(error), got)


def _fill(template: str, m) -> str:
    """A template reader's sentence: {1}, {2}, ... are the match's groups as the message wrote
    them; {shape1}, ... the numbers of that group written as a shape, e.g. (4, 5); {rank1}, ... how
    many numbers it holds (the number of axes of that shape)."""
    groups = (m.group(0),) + m.groups()
    named = {}
    for i, g in enumerate(groups):
        if g is not None:
            named[f"shape{i}"], named[f"rank{i}"] = format_shape(_ints(g)), len(_ints(g))
    return template.format(*groups, **named)


# ------------------------------------------- readers that work something out (the rest are templates)

def _matmul(m, text, got) -> str:
    a, b, c, d = map(int, m.groups())
    rows = f"{a} rows"
    if got and len(got) >= 1:
        if len(got) > 2 and a == prod(x for x in got[:-1] if x):
            rows += (f" = every axis but the last of the input {format_shape(got)} multiplied together "
                     f"(not the batch {got[0]}: a Linear layer keeps all leading axes)")
        elif a == got[0]:
            rows += f" = the batch ({got[0]})"
        elif a == 1 and len(got) == 1:
            rows += f" = the input {format_shape(got)} has no batch axis, so it was read as one row"
    return (f"mat1 {a}x{b} is the input as rows x features: {rows}, {b} features arriving; "
            f"mat2 {c}x{d} is the layer's weight: in_features = {c}, out_features = {d}; "
            f"{b} and {c} must be equal")


def _tf_dims(m, text, got) -> str:
    a, b = m.group(1), m.group(2)
    node = re.search(r"\{\{node ([^}]+)\}\}", text)
    shapes = re.search(r"with input shapes: (\[[^\]]*\]), (\[[^\]]*\])", text)
    what = f"the op {node.group(1).split(' ')[0]}" if node else "an op"
    line = f"{what} needs two equal sizes but got {a} and {b}"
    if shapes:
        line += f": its inputs have shapes {shapes.group(1)} and {shapes.group(2)} (? = the batch)"
    if node and "loss" in node.group(1):
        line += "; it is inside the loss, which compares the target with the model's output"
    return line


def _keras_axis(m, text, got) -> str:
    axis, want, shape = int(m.group(1)), int(m.group(2)), _ints(m.group(3))
    has = shape[axis] if -len(shape) <= axis < len(shape) else "?"
    line = (f"the layer was built for {want} on axis {axis} (its last axis = features/channels); "
            f"the input {format_shape(shape)} has {has} there")
    if want in shape[1:-1] and axis == -1:
        line += (f"; {want} is on axis {shape.index(want, 1)} of the input: its axes look swapped "
                 f"(channels-first or time-major data for a channels-last layer)")
    return line


def _channels(m, text, got) -> str:
    shape, want, has = _ints(m.group(1)), int(m.group(2)), int(m.group(3))
    line = (f"the conv reads axis 1 of the input {format_shape(shape)} as channels: {has} there, "
            f"its weight was made for {want}")
    if got is not None and len(got) == len(shape) - 1 and tuple(got) == tuple(shape[1:]):
        line += (f"; the input you passed, {format_shape(got)}, has no batch axis, so PyTorch read it as "
                 f"one sample (C, H, W) and its first axis ({got[0]}) became the channels")
    elif len(shape) >= 3 and shape[-1] == want and shape[1] != want:
        names = {3: "(N, L, C)", 4: "(N, H, W, C)", 5: "(N, D, H, W, C)"}.get(len(shape), "channels-last")
        line += (f"; the last axis is {want}, what the layer wants on axis 1: this input looks "
                 f"channels-last {names}")
    return line


def _rnn_hidden(m, text, got) -> str:
    which = m.group(1) or "hidden"
    want, has = _ints(m.group(2)), _ints(m.group(3))
    differ = [f"axis {i} ({w} vs {h})" for i, (w, h) in enumerate(zip(want, has)) if w != h]
    return (f"the initial state {which} must be (num_layers * directions, batch, hidden_size) = "
            f"{format_shape(want)} for this input; it is {format_shape(has)}"
            + (f": {', '.join(differ)} differ" if differ else ""))


def _rnn_unbatched(m, text, got) -> str:
    if m.group(1):
        return (f"the input has {m.group(2)} axes (one unbatched sequence: (L, features)), so the states "
                f"must be unbatched too ({m.group(2)}-D: (num_layers, hidden_size)); they are {m.group(3)}")
    return (f"the input has {m.group(2)} axes (a batch of sequences), so the states must be {m.group(2)}-D too: "
            f"(num_layers * directions, batch, hidden_size); they are {m.group(3)}")


def _state_dict(m, text, got) -> str:
    found = re.findall(r"size mismatch for ([\w.]+): copying a param with shape (?:torch\.Size\()?(\[[^\]]*\])\)? "
                       r"from checkpoint, the shape in current model is (?:torch\.Size\()?(\[[^\]]*\])", text)
    parts = [f"{name}: checkpoint {format_shape(_ints(a))}, model {format_shape(_ints(b))}" for name, a, b in found]
    return ("no forward ran: loading weights found parameters whose shapes differ: " + "; ".join(parts))


def _view(m, text, got) -> str:
    want, size = _ints(m.group(1)), int(m.group(2))
    known = prod(d for d in want if d not in (None, -1))
    line = f"view/reshape keeps the number of values: the tensor holds {size}, the shape {format_shape(want)} "
    if -1 in want:
        line += f"fixes {known} per -1 entry, and {size} is not a multiple of {known}"
    else:
        line += f"holds {known}"
    return line


def _keras_reshape(m, text, got) -> str:
    have, want = _ints(m.group(1)), _ints(m.group(2))
    return (f"a reshape keeps the number of values per sample: {format_shape(have)} holds "
            f"{prod(d for d in have if d)}, {format_shape(want)} would hold {prod(d for d in want if d)}")


def _tf_reshape(m, text, got) -> str:
    wants = f"a multiple of {m.group(2)}" if m.group(2) else m.group(3)
    return f"a reshape keeps the number of values: the tensor holds {m.group(1)}, the shape asks for {wants}"


def _tf_concat_graph(m, text, got) -> str:
    inputs = re.search(r"with input shapes: (\[[^\]]*\]), (\[[^\]]*\])", text)
    line = (f"two tensors that must agree on axis {m.group(1)} have {m.group(2)} and {m.group(3)} there "
            f"(shapes {m.group(4)} and {m.group(5)})")
    if inputs:
        line += f"; the op's inputs are {inputs.group(1)} and {inputs.group(2)}"
    return line


def _ndim(m, text, got) -> str:
    return (f"the layer needs inputs with {'at least ' if m.group(1) else ''}{m.group(2)} axes "
            f"(batch included); it received {m.group(3)}")


def _cardinality(m, text, got) -> str:
    sizes = dict(re.findall(r"'(\w+)' sizes: ([\d, ]+)", text))
    return ("fit pairs samples by position: x and y need the same number of samples (first axis); "
            + ", ".join(f"{k} has {v.strip()}" for k, v in sizes.items()))


def _row(family: str, pattern: str, read: str | Callable, flags=0) -> Reading:
    return Reading(family, re.compile(pattern, flags), read)


# Most specific first: the first match reads the message.
READINGS = [
    _row("linear", r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)",
         _matmul),
    _row("matmul", r"Matrix size-incompatible: In\[0\]: \[(\d+),(\d+)\], In\[1\]: \[(\d+),(\d+)\]",
         "a matrix product of [{1},{2}] (rows x features arriving) by a weight [{3},{4}] made for {3} "
         "features: {2} and {3} must be equal"),
    _row("matmul", r"Expected size for first two dimensions of batch2 tensor to be: (\[[^\]]*\]) but got: (\[[^\]]*\])",
         "a batched matrix product (B, n, m) @ (B, m, p) needs the second tensor's first two axes to be "
         "(batch, inner) = {shape1}; they are {shape2}"),
    _row("matmul", r"(batch1|batch2) must be a 3D tensor",
         "bmm multiplies stacks of matrices: {1} must have 3 axes (batch, rows, columns)"),
    _row("matmul", r"inconsistent tensor size, expected tensor (\[[^\]]*\]) and src (\[[^\]]*\]) to have the same "
         r"number of elements, but got (\d+) and (\d+)",
         "a dot product of vectors of {3} and {4} elements: they must have the same length"),
    _row("matmul", r"size mismatch, got input \(\d+\), mat \((\d+x(\d+))\), vec \((\d+)\)",
         "a matrix-vector product: the matrix {1} has {2} columns, the vector {3} elements"),
    _row("einsum", r"einsum\(\): subscript (\w) has size (\d+) for operand (\d+) which does not broadcast with "
         r"previously seen size (\d+)",
         "einsum subscript {1} names one axis in every operand that uses it: operand {3} has {2} there, "
         "an earlier operand {4}"),
    _row("einsum", r"einsum\(\): the number of subscripts in the equation \((\d+)\) does not match the number of "
         r"dimensions \((\d+)\) for operand (\d+)",
         "the equation gives operand {3} {1} subscripts (one per axis); the tensor has {2} axes"),
    _row("einsum", r"Expected dimension (\d+) at axis (\d+) of the input shaped (\[[^\]]*\]) but got dimension (\d+)",
         "einsum needs the same size wherever a subscript repeats: axis {2} of the operand {3} has {4}, "
         "another operand {1}"),
    _row("recurrent", r"input\.size\(-1\) must be equal to input_size\. Expected (\d+), got (\d+)",
         "the recurrent layer reads the last axis as features per time step: it was made for input_size = "
         "{1}, the input has {2}"),
    _row("recurrent", r"Expected hidden(\[\d\])? size (\([^)]*\)), got (\[[^\]]*\])",
         _rnn_hidden),
    _row("recurrent", r"For (un)?batched (\d)-D input, hx(?: and cx)? should also be \d-D but got (\([^)]*\)|\d-D)",
         _rnn_unbatched),
    _row("recurrent", r"(RNN|LSTM|GRU): Expected input to be 2D or 3D, got (\d)D",
         "{1} takes (L, N, features) or (N, L, features) with batch_first, or one unbatched (L, "
         "features); the input has {2} axes"),
    _row("attention", r"was expecting embedding dimension of (\d+), but got (\d+)",
         "attention was made for embed_dim = {1} (the last axis of query, key and value); the input has "
         "{2} there"),
    _row("attention", r"The shape of the (2D|3D) attn_mask is (torch\.Size\(\[[^\]]*\]\)), but should be (\([^)]*\))",
         "the {1} attention mask must be {3} = (target length, source length); it is {shape2}"),
    _row("attention", r"Expected key_padded_mask\.shape\[1\] to be (\d+), but got (\d+)",
         "key_padding_mask marks padding per key position: (batch, source length), and the keys have {1} "
         "positions; the mask has {2}"),
    _row("attention", r"key shape (torch\.Size\(\[[^\]]*\]\)) does not match value shape (torch\.Size\(\[[^\]]*\]\))",
         "key and value are read in pairs, one value per key: key {shape1}, value {shape2}"),
    _row("embedding", r"^index out of range in self$",
         "a lookup (Embedding, index_select, gather) met an index at or past the size of its table: every "
         "index must be below num_embeddings (the vocabulary size)", re.M),
    _row("embedding", r"indices\[([\d,]+)\] = (-?\d+) is not in \[0, (\d+)\)",
         "a lookup (Embedding, gather) met index {2} at position [{1}]: every index must be in [0, {3}), "
         "the table's size (Embedding's input_dim)"),
    _row("loss", r"Target (-?\d+) is out of bounds",
         "class index {1} in the target: class indices run from 0 to the number of classes - 1, the size "
         "of the output's class axis"),
    _row("state dict", r"size mismatch for [\w.]+: copying a param with shape",
         _state_dict),
    _row("state dict", r"Layer (\S+) weight shape (\([^)]*\)) is not compatible with provided weight shape (\([^)]*\))",
         "no forward ran: loading weights into layer {1}: the layer's weight is {2}, the weight given {3}"),
    _row("reshape", r"shape '(\[[^\]]*\])' is invalid for input of size (\d+)",
         _view),
    _row("reshape", r"view size is not compatible with input tensor's size and stride",
         "view() needs the values in memory order (a transpose or permute changed the order without "
         "moving them); the sizes may well fit"),
    _row("reshape", r"total size of the tensor must be unchanged\. Received: input_shape=(\([^)]*\)), target_shape=(\([^)]*\))",
         _keras_reshape),
    _row("reshape", r"Input to reshape is a tensor with (\d+) values, but the requested shape (?:requires a multiple of (\d+)|has (\d+))",
         _tf_reshape),
    _row("conv", r"expected input\[([\d, ]+)\] to have (\d+) channels, but got (\d+) channels",
         _channels),
    _row("conv", r"Expected (\dD) \(unbatched\) or (\dD) \(batched\) input to (\w+), but got input of size: (\[[^\]]*\])",
         "{3} takes {1} (one unbatched sample) or {2} (a batch) input; the input has {rank4} axes: {shape4}"),
    _row("window", r"Given input size: \(([\dx]+)\)\. Calculated output size: \(([-\dx]+)\)\. Output size is too small",
         "per sample the input is {1} (channels x height x width) and the layer's window would leave {2}: "
         "the kernel or pool is larger than what is left of the image"),
    _row("window", r"Calculated padded input size per channel: \(([^)]*)\)\. Kernel size: \(([^)]*)\)\. Kernel size can't be greater",
         "the input per channel is {1} (after padding), smaller than the kernel {2}: the layers before it "
         "shrank the image too far, or the image is too small"),
    _row("window", r"Computed output size would be (?:zero or )?negative\. Received:? `inputs[ .]shape=([^`]*)`, `(?:pool_size|kernel shape)=([^`]*)`",
         "the window leaves no output: the input {1} is smaller than the layer's window on a spatial axis "
         "({2})"),
    _row("normalization", r"Expected more than 1 value per channel when training, got input size (?:torch\.Size\()?(\[[^\]]*\])",
         "in training mode BatchNorm computes each channel's mean and variance over the batch (and any "
         "spatial axes); the input {shape1} gives it one value per channel"),
    _row("normalization", r"running_mean should contain (\d+) elements not (\d+)",
         "BatchNorm keeps statistics for {2} channels (axis 1); the input has {1} there"),
    _row("normalization", r"Given normalized_shape=(\[[^\]]*\]), expected input with shape \[\*, [^\]]*\], but got input of size ?(\[[^\]]*\])",
         "LayerNorm normalises the last axes, which must be {1}; the input {shape2} ends differently"),
    _row("rank", r"expected (\dD) input \(got (\dD) input\)",
         "the layer takes {1} input (batch included); it received {2}"),
    _row("loss", r"(?:Using a )?[Tt]arget size \((?:torch\.Size\()?(\[[^\]]*\])\)*\) (?:that is different to the|must be the same as) "
         r"input size \((?:torch\.Size\()?(\[[^\]]*\])",
         "the loss compares each output value with the target value at the same position: target {shape1} "
         "vs output {shape2}"),
    _row("loss", r"Expected target size (\[[^\]]*\]), got (\[[^\]]*\])",
         "with an output of (N, classes, d1, ...) the class-index target must be (N, d1, ...) = {shape1}; "
         "it is {shape2}"),
    _row("loss", r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)",
         "the loss pairs outputs with targets row by row: {1} output rows (the model's output flattened "
         "to (N, classes)) against {2} targets"),
    _row("loss", r"must have rank \(ndim\) `target.ndim - 1`. Received: target.shape=(\([^)]*\)), output.shape=(\([^)]*\))",
         "a sparse (class-index) loss wants the output to have exactly one more axis than the target: "
         "target {1}, output {2}"),
    _row("loss", r"Arguments `target` and `output` must have the same shape\. Received: target.shape=(\([^)]*\)), output.shape=(\([^)]*\))",
         "this loss compares target and output value by value (one-hot or probability targets): target "
         "{1}, output {2}"),
    _row("cardinality", r"Data cardinality is ambiguous",
         _cardinality),
    _row("broadcast", r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)",
         "an elementwise op (broadcasting aligns axes from the right) met {1} and {2} on axis {3} of the "
         "two tensors"),
    _row("broadcast", r"The expanded size of the tensor \((\d+)\) must match the existing size \((\d+)\) at non-singleton "
         r"dimension (\d+)\.\s+Target sizes: (\[[^\]]*\])\.\s+Tensor sizes: (\[[^\]]*\])",
         "expand can only stretch axes of size 1: axis {3} is {2}, asked for {1} (tensor {5}, target {4})"),
    _row("broadcast", r"Incompatible shapes: (\[[^\]]*\]) vs\. (\[[^\]]*\])",
         "an elementwise op (broadcasting aligns axes from the right) got shapes {1} and {2}"),
    _row("concat", r"Sizes of tensors must match except in dimension (\d+)\. Expected size (\d+) but got size (\d+) for tensor number (\d+)",
         "concatenation along axis {1} needs every other axis equal: the first tensor has {2} where "
         "tensor number {4} has {3}"),
    _row("concat", r"Tensors must have same number of dimensions: got (\d+) and (\d+)",
         "concatenation needs tensors with the same number of axes: {1} and {2}"),
    _row("concat", r"stack expects each tensor to be equal size, but got (\[[^\]]*\]) at entry (\d+) and (\[[^\]]*\]) at entry (\d+)",
         "stacking (torch.stack, or a DataLoader collating samples into a batch) needs every tensor the "
         "same shape: entry {2} is {1}, entry {4} is {3}"),
    _row("concat", r"Dimension (\d+) in both shapes must be equal, but are (\d+) and (\d+)\. Shapes are (\[[^\]]*\]) and (\[[^\]]*\])",
         _tf_concat_graph),
    _row("concat", r"Dimension (\d+) in both shapes must be equal: shape\[0\] = (\[[^\]]*\]) vs\. shape\[(\d+)\] = (\[[^\]]*\])",
         "concatenation needs every axis but the concatenation axis equal: axis {1} differs between the "
         "first tensor {2} and tensor {3} {4}"),
    _row("concat", r"Concatenate` layer requires inputs with matching shapes.*Received: input_shape=(\[.*\])",
         "Concatenate needs every axis but the concatenation axis equal; its inputs are {1}", re.S),
    _row("concat", r"Received shapes (\([^)]*\)) and (\([^)]*\))",
         "a merge layer needs equal shapes (batch excluded); it got {1} and {2}"),
    _row("concat", r"Incompatible input shapes: axis values (\d+) \(at axis (\d+)\) != (\d+) \(at axis (\d+)\)\. Full input shapes: (.*)",
         "Dot multiplies along one axis of each input, and those must be equal: {1} on axis {2} vs {3} on "
         "axis {4} (inputs {5})"),
    _row("layer input", r"expected axis (-?\d+) of input shape to have value (\d+), but received input with shape (\([^)]*\))",
         _keras_axis),
    _row("layer input", r"expected (min_)?ndim=(\d+), found ndim=(\d+)",
         _ndim),
    _row("layer input", r"Expected shape (\([^)]*\)), but input has incompatible shape (\([^)]*\))",
         "the model declares its input as {1} (keras.Input / input_shape); the data is {2}"),
    _row("graph op", r"Dimensions must be equal, but are (\d+) and (\d+)",
         _tf_dims),
    _row("resize", r"Input and output must have the same number of spatial dimensions, but got input with spatial "
         r"dimensions of (\[[^\]]*\]) and output size of (\([^)]*\))",
         "interpolate keeps batch and channels (N, C) and resizes the rest: the input has spatial axes "
         "{1}, the size asked for {2}"),
    _row("indexing", r"too many indices for tensor of dimension (\d+)",
         "the index names more axes than the tensor has ({1})"),
]
