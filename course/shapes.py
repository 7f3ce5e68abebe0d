"""Framework-free shape utilities: read a shape off anything, match shapes inside error messages."""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

Shape = tuple  # a tuple of ints, with None for an unknown (batch) dimension

_TOKEN = re.compile(r"None|-?\d+")


def shape_of(x: Any) -> Shape:
    """The shape of a tensor, array, KerasTensor, torch.Size or plain tuple, as a tuple of ints/None."""
    if isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x):
        return tuple(x)
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"cannot read a shape from {type(x).__name__}: it has no .shape")
    if hasattr(shape, "as_list"):  # tf.TensorShape
        shape = shape.as_list()
    return tuple(None if d is None else int(d) for d in shape)


def format_shape(shape: Sequence | None) -> str:
    """(None, 28, 28, 1) style, the way both frameworks print shapes; None is kept."""
    if shape is None:
        return "?"
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def shape_matches(actual: Sequence, expected: Sequence) -> bool:
    """True when the shapes have the same rank and agree wherever `expected` is not None."""
    if len(actual) != len(expected):
        return False
    return all(e is None or a == e for a, e in zip(actual, expected))


def _tokens(text: str) -> list:
    return [None if t == "None" else int(t) for t in _TOKEN.findall(text)]


def shape_in_message(shape: Sequence | int, message: str) -> bool:
    """True when the numbers of `shape` appear side by side in `message`, in order.

    This is deliberately independent of wording: `(8, 800)` is found in "(8x800 and 1568x10)",
    "received input with shape (8, 800)" and "[8,800]" alike.
    """
    wanted = [shape] if isinstance(shape, int) or shape is None else list(shape)
    tokens = _tokens(message)
    n = len(wanted)
    return any(tokens[i:i + n] == wanted for i in range(len(tokens) - n + 1))


def missing_shapes(shapes: Iterable, message: str) -> list:
    """The shapes of `shapes` that `message` does not mention."""
    return [s for s in shapes if not shape_in_message(s, message)]
