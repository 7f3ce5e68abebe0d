"""Helpers for the shape-errors course.

Framework-free pieces live here; the framework halves are imported explicitly so that a PyTorch
notebook never imports TensorFlow and the reverse:

    from course import expect_error, check_shape      # no framework
    from course import torch as ct                    # PyTorch helpers
    from course import keras as ck                    # Keras 3 helpers (TensorFlow backend)
"""
from . import doctor as _doctor
from .checks import (ShapeCheckError, check_at_least, check_at_most, check_equal, check_loss_fell,
                     check_predictions, check_shape, check_true, needs)
from .errors import ExpectationFailed, expect_error, expect_warning
from .shapes import format_shape, shape_in_message, shape_matches, shape_of

__all__ = ["expect_error", "expect_warning", "ExpectationFailed", "check_shape", "check_equal",
           "check_true", "check_predictions", "check_loss_fell", "check_at_least", "check_at_most",
           "ShapeCheckError", "needs",
           "shape_of", "format_shape", "shape_matches", "shape_in_message"]


def load_ipython_extension(shell) -> None:
    """`%load_ext course`: the shape doctor (explains uncaught shape errors, `%shapes on|off`) and
    `%check` (the grader's full verdict on this notebook, self-study)."""
    from .verdict import check_magic
    _doctor.load_ipython_extension(shell)
    shell.register_magic_function(check_magic, "line", "check")


def unload_ipython_extension(shell) -> None:
    _doctor.unload_ipython_extension(shell)
    shell.magics_manager.magics["line"].pop("check", None)
