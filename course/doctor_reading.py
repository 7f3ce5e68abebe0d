"""Read the numbers in a framework's shape message, in one line, for the shape doctor.

Framework-free: it works on the message text (colour codes stripped) and, where known, the shape
the failing layer received. It describes what the numbers are; it never says what to change.
"""
from __future__ import annotations

import re
from math import prod

from .errors import key_lines
from .shapes import format_shape

# Messages that are about shapes (the doctor stays silent on anything else).
SHAPE_MESSAGE = re.compile(
    r"shapes? cannot be multiplied|size of tensor a|sizes of tensors must match|channels|"
    r"input\.size\(-1\)|input_size|value per channel|batch_size|dimensions must be equal|"
    r"incompatible shapes|incompatible with the layer|expected axis|expected (min_)?ndim|"
    r"matrix size-incompatible|matching shapes|same rank|rank|shape|size mismatch|"
    r"expected \d+d|must match|dimension|target size|output size", re.I)
# Errors that are never about shapes, whatever their message says.
NOT_SHAPE = (NameError, ImportError, SyntaxError, KeyboardInterrupt, MemoryError, AttributeError,
             ZeroDivisionError, StopIteration, AssertionError)


def message(error: BaseException) -> str:
    return "\n".join(key_lines(str(error)))


def is_shape_error(error: BaseException) -> bool:
    if isinstance(error, NOT_SHAPE):
        return False
    return bool(SHAPE_MESSAGE.search(message(error)))


def _ints(text: str) -> tuple:
    return tuple(None if t in ("?", "None") else int(t) for t in re.findall(r"\?|None|-?\d+", text))


def _matmul(m, got) -> str:
    a, b, c, d = map(int, m.groups())
    rows = f"{a} rows"
    if got and len(got) >= 1:
        if len(got) > 2 and a == prod(d for d in got[:-1] if d):
            rows += (f" = every axis but the last of the input {format_shape(got)} multiplied together "
                     f"(not the batch {got[0]}: a Linear layer keeps all leading axes)")
        elif a == got[0]:
            rows += f" = the batch ({got[0]})"
    return (f"mat1 {a}x{b} is the input as rows x features: {rows}, {b} features arriving; "
            f"mat2 {c}x{d} is the layer's weight: in_features = {c}, out_features = {d}; "
            f"{b} and {c} must be equal")


def _tf_dims(m, text) -> str:
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


def reading(error: BaseException, got: tuple | None = None) -> str:
    """One line on what the numbers in the message mean (empty when no pattern is known)."""
    text = message(error)
    m = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", text)
    if m:
        return _matmul(m, got)
    m = re.search(r"Dimensions must be equal, but are (\d+) and (\d+)", text)
    if m:
        return _tf_dims(m, text)
    m = re.search(r"expected axis (-?\d+) of input shape to have value (\d+), but received input with shape (\([^)]*\))", text)
    if m:
        axis, want, shape = int(m.group(1)), int(m.group(2)), _ints(m.group(3))
        has = shape[axis] if -len(shape) <= axis < len(shape) else "?"
        return (f"the layer was built for {want} on axis {axis} (its last axis = features/channels); "
                f"the input {format_shape(shape)} has {has} there")
    m = re.search(r"expected input\[([\d, ]+)\] to have (\d+) channels, but got (\d+) channels", text)
    if m:
        shape, want, has = _ints(m.group(1)), int(m.group(2)), int(m.group(3))
        line = (f"the conv reads axis 1 of the input {format_shape(shape)} as channels: {has} there, "
                f"its weight was made for {want}")
        if got is not None and len(got) == len(shape) - 1 and tuple(got) == tuple(shape[1:]):
            line += (f"; the input you passed, {format_shape(got)}, has no batch axis, so PyTorch read it as "
                     f"one sample (C, H, W) and its first axis ({got[0]}) became the channels")
        elif len(shape) == 4 and shape[-1] == want and shape[1] == shape[2] != want:
            line += f"; the last axis is {want} and axes 1, 2 are equal: this input looks channels-last (N, H, W, C)"
        return line
    m = re.search(r"input\.size\(-1\) must be equal to input_size\. Expected (\d+), got (\d+)", text)
    if m:
        return (f"the recurrent layer reads the last axis as features per time step: it was made for "
                f"input_size = {m.group(1)}, the input has {m.group(2)}")
    m = re.search(r"Expected more than 1 value per channel when training, got input size (?:torch\.Size\()?(\[[^\]]*\])", text)
    if m:
        shape = _ints(m.group(1))
        return (f"in training mode BatchNorm computes each channel's mean and variance over the batch "
                f"(and any spatial axes); the input {format_shape(shape)} gives it one value per channel")
    m = re.search(r"Using a target size \((?:torch\.Size\()?(\[[^\]]*\])\)*\) that is different to the input size \((?:torch\.Size\()?(\[[^\]]*\])", text)
    if m:
        return (f"the loss compares each output value with the target value at the same position: "
                f"target {format_shape(_ints(m.group(1)))} vs output {format_shape(_ints(m.group(2)))}")
    m = re.search(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)", text)
    if m:
        return (f"the loss pairs outputs with targets row by row: {m.group(1)} output rows (the model's "
                f"output flattened to (N, classes)) against {m.group(2)} targets")
    m = re.search(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)", text)
    if m:
        return (f"an elementwise op (broadcasting aligns axes from the right) met {m.group(1)} and "
                f"{m.group(2)} on axis {m.group(3)} of the two tensors")
    m = re.search(r"Sizes of tensors must match except in dimension (\d+)\. Expected size (\d+) but got size (\d+) for tensor number (\d+)", text)
    if m:
        return (f"concatenation along axis {m.group(1)} needs every other axis equal: the first tensor "
                f"has {m.group(2)} where tensor number {m.group(4)} has {m.group(3)}")
    m = re.search(r"Dimension (\d+) in both shapes must be equal: shape\[0\] = (\[[^\]]*\]) vs\. shape\[(\d+)\] = (\[[^\]]*\])", text)
    if m:
        return (f"concatenation needs every axis but the concatenation axis equal: axis {m.group(1)} "
                f"differs between the first tensor {m.group(2)} and tensor {m.group(3)} {m.group(4)}")
    m = re.search(r"Given input size: \(([\dx]+)\)\. Calculated output size: \(([-\dx]+)\)\. Output size is too small", text)
    if m:
        return (f"per sample the input is {m.group(1)} (channels x height x width) and the layer's window "
                f"would leave {m.group(2)}: the kernel or pool is larger than what is left of the image")
    m = re.search(r"total size of the tensor must be unchanged\. Received: input_shape=(\([^)]*\)), target_shape=(\([^)]*\))", text)
    if m:
        have, want = _ints(m.group(1)), _ints(m.group(2))
        return (f"a reshape keeps the number of values per sample: {format_shape(have)} holds "
                f"{prod(d for d in have if d)}, {format_shape(want)} would hold {prod(d for d in want if d)}")
    m = re.search(r"Matrix size-incompatible: In\[0\]: \[(\d+),(\d+)\], In\[1\]: \[(\d+),(\d+)\]", text)
    if m:
        a, b, c, d = m.groups()
        return (f"a matrix product of [{a},{b}] (rows x features arriving) by a weight [{c},{d}] "
                f"made for {c} features: {b} and {c} must be equal")
    m = re.search(r"Incompatible shapes: (\[[^\]]*\]) vs\. (\[[^\]]*\])", text)
    if m:
        return f"an elementwise op (broadcasting aligns axes from the right) got shapes {m.group(1)} and {m.group(2)}"
    m = re.search(r"expected (min_)?ndim=(\d+), found ndim=(\d+)", text)
    if m:
        return (f"the layer needs inputs with {'at least ' if m.group(1) else ''}{m.group(2)} axes "
                f"(batch included); it received {m.group(3)}")
    m = re.search(r"must have rank \(ndim\) `target.ndim - 1`. Received: target.shape=(\([^)]*\)), output.shape=(\([^)]*\))", text)
    if m:
        return (f"a sparse (class-index) loss wants the output to have exactly one more axis than the "
                f"target: target {m.group(1)}, output {m.group(2)}")
    m = re.search(r"Received: input_shape=(\[.*\])", text)
    if m and "Concatenate" in text:
        return f"Concatenate needs every axis but the concatenation axis equal; its inputs are {m.group(1)}"
    m = re.search(r"Received shapes (\([^)]*\)) and (\([^)]*\))", text)
    if m:
        return f"a merge layer needs equal shapes (batch excluded); it got {m.group(1)} and {m.group(2)}"
    return ""
