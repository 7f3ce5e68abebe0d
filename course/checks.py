"""Assertions for tests, with failure messages a learner can act on.

Every failure is a `ShapeCheckError` (an AssertionError, so nbgrader counts it as a failed test)
whose message names what was checked, the expected shape and the actual one.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from .shapes import format_shape, shape_matches, shape_of


# The messages of a failed check, each format defined here once: the autograder's class report
# (autograder/report.py) reads (what, expected, got) back from a failing test's reason with them.
SHAPE_MISMATCH = "{what}: expected shape {expected}, got {got}"  # check_shape
VALUE_MISMATCH = "{what}: expected {expected}, got {got}"  # check_equal
LAYER_MISMATCH = "{what} expects {expected}, got {got}"  # the layer a trace stopped at (course/trace.py)
MISMATCH_FORMATS = (SHAPE_MISMATCH, VALUE_MISMATCH, LAYER_MISMATCH)


class ShapeCheckError(AssertionError):
    """A test failed; the message says which layer/output, what was expected and what came out."""


def check_shape(x: Any, expected: Sequence, name: str = "output", hint: str = "") -> tuple:
    """Assert `x` has shape `expected` (None matches any size). Returns the actual shape.

    >>> check_shape(np.zeros((7, 10)), (None, 10), name="classifier logits")
    """
    actual = shape_of(x)
    if not shape_matches(actual, tuple(expected)):
        msg = SHAPE_MISMATCH.format(what=name, expected=format_shape(expected), got=format_shape(actual))
        if len(actual) != len(expected):
            msg += f" (rank {len(actual)} instead of {len(expected)})"
        raise ShapeCheckError(msg + (f". {hint}" if hint else ""))
    return actual


def check_equal(actual: Any, expected: Any, name: str, hint: str = "") -> None:
    """Assert a plain value (a size, a channel count, a parameter count) equals the expected one."""
    if actual != expected:
        raise ShapeCheckError(VALUE_MISMATCH.format(what=name, expected=repr(expected), got=repr(actual))
                              + (f". {hint}" if hint else ""))


def check_true(condition: bool, message: str) -> None:
    """Assert with a message written for the learner."""
    if not condition:
        raise ShapeCheckError(message)


def needs(*names: str, cell: str = "the cell above") -> None:
    """Fail with a readable message when a graded test depends on a name that an ungraded cell
    (usually the training cell) should have defined but did not, because that cell raised or was
    never run. Without it the learner sees only `NameError: name 'result' is not defined`.

    >>> needs("result", cell="the training cell above")
    """
    import sys
    namespace = sys._getframe(1).f_globals
    missing = [n for n in names if n not in namespace]
    if missing:
        raise ShapeCheckError(f"{cell} did not finish ({', '.join(missing)} is not defined): "
                              "run it and read its error; the shape doctor under it explains the shapes")


def _as_dims(value: Any):
    """A predicted shape as a tuple of ints/None, or None when it is not one."""
    if isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        dims = shape_of(value) if hasattr(value, "shape") else tuple(value)
        return tuple(None if d is None else int(d) for d in dims)
    except (TypeError, ValueError):
        return None


def check_predictions(predictions: dict, real_shapes: dict, out=print) -> None:
    """The self-check: compare a learner's predicted shapes with the real ones, question by question.

    `predictions` maps each question's key to a shape (tuple, list, torch.Size, TensorShape);
    `real_shapes` maps the same keys to (what the question asks, the real shape), computed by the
    framework in the test cell. Prints one line per question, then fails once, naming every
    question that is missing or wrong with both shapes.

    >>> check_predictions({"a": (8, 576)}, {"a": ("Flatten on (8, 16, 6, 6)", (8, 576))})
    """
    if not isinstance(predictions, dict):
        raise ShapeCheckError(f"the predictions must be a dict of question -> shape, got "
                              f"{type(predictions).__name__}")
    wrong = []
    width = max(len(f"{key}: {what}") for key, (what, _) in real_shapes.items())
    for key, (what, real) in real_shapes.items():
        real = shape_of(real)
        given = predictions.get(key)
        guess = _as_dims(given)
        if given is None:
            verdict, problem = "no prediction", "no prediction"
        elif guess is None:
            verdict = problem = f"not a shape: {given!r} (write a tuple of whole numbers)"
        else:
            verdict = "right" if guess == real else "WRONG"
            problem = None if guess == real else VALUE_MISMATCH.format(
                what="predicted shape", expected=format_shape(real), got=format_shape(guess))
        out(f"{f'{key}: {what}':<{width}}  real {format_shape(real)}: {verdict}"
            + (f", you said {format_shape(guess)}" if verdict == "WRONG" else ""))
        if problem:
            wrong.append(f"{key} ({what}): {problem}")
    check_true(not wrong, f"{len(wrong)} of {len(real_shapes)} predictions differ from the real "
                          "shapes: " + "; ".join(wrong))


def check_loss_fell(losses: Sequence[float], factor: float = 0.7, name: str = "training loss",
                    hint: str = "") -> None:
    """The mean of the last fifth of `losses` is below `factor` times the mean of the first fifth.

    The message does not guess at shapes: by the time a model trains, its output shapes passed
    their own tests, so the cause is usually what the layers compute in between."""
    losses = [float(v) for v in losses]
    check_true(len(losses) >= 5, f"{name}: need at least 5 recorded steps, got {len(losses)}")
    check_true(all(math.isfinite(v) for v in losses), f"{name}: became NaN or infinite during training")
    k = max(1, len(losses) // 5)
    start, end = sum(losses[:k]) / k, sum(losses[-k:]) / k
    check_true(end < factor * start,
               f"{name}: did not fall enough (first steps {start:.4f}, last steps {end:.4f}; "
               f"needed below {factor:.2f} x the start). "
               + (hint or "Look at what the model computes, not only its shapes: a layer that discards "
                          "information, a missing activation, or a loss that does not fit the targets."))


def check_at_least(value: float, threshold: float, name: str, hint: str = "") -> None:
    check_true(float(value) >= threshold,
               f"{name}: {float(value):.4f} is below the required {threshold}" + (f". {hint}" if hint else ""))


def check_at_most(value: float, threshold: float, name: str, hint: str = "") -> None:
    check_true(float(value) <= threshold,
               f"{name}: {float(value):.4f} is above the allowed {threshold}" + (f". {hint}" if hint else ""))
