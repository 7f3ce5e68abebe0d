"""The shape doctor as an IPython extension: `%load_ext course`, then `%shapes off` / `%shapes on`.

After a cell fails with a shape error raised through a PyTorch module, a Keras layer or model, or a
loss, it prints (below the traceback, which it never touches) the model's per-layer table up to
the failing layer, what that layer expects and got, and a reading of the message's numbers.

It hooks IPython's `post_run_cell` event and reads `result.error_in_exec`: the traceback has been
shown already and the exception is left as it was. It is inert when COURSE_SHAPE_DOCTOR=0 (the
autograder's kernels) or under `nbgrader autograde`, and a failure inside it is reported in one
line, never raised.
"""
from __future__ import annotations

import os
import sys

ENV = "COURSE_SHAPE_DOCTOR"
_state = {"on": True, "shell": None}


def enabled() -> bool:
    # nbgrader sets NBGRADER_EXECUTION=autograde in its grading kernels: plain `nbgrader autograde`
    # gets the frameworks' own output too, like the course's autograder (COURSE_SHAPE_DOCTOR=0).
    return (_state["on"] and os.environ.get(ENV, "1") != "0"
            and os.environ.get("NBGRADER_EXECUTION") != "autograde")


def diagnose(error: BaseException):
    """A Diagnosis for a shape error raised through a model, layer or loss; None for anything else.

    Each framework half is imported only if the learner's code already imported that framework.
    """
    from .readings import is_shape_error

    if not is_shape_error(error):
        return None
    if "torch" in sys.modules:
        from . import torch_half
        found = torch_half.diagnose(error)
        if found is not None:
            return found
    if "keras" in sys.modules and "tensorflow" in sys.modules:  # course.keras runs on TensorFlow
        from . import keras_half
        return keras_half.diagnose(error)
    return None


def report(error: BaseException) -> None:
    """Print the diagnosis of `error`, or nothing; never raises."""
    try:
        found = diagnose(error)
        if found is not None:
            print(found, flush=True)
    except Exception as failure:  # the learner's error matters, not ours
        print(f"(shape doctor: the diagnosis failed: {type(failure).__name__}: {str(failure)[:200]})", flush=True)


def _post_run_cell(result) -> None:
    error = getattr(result, "error_in_exec", None)
    if error is not None and enabled():
        report(error)


def shapes_magic(line: str = "") -> None:
    """%shapes on | off: turn the shape doctor's diagnosis on or off (no argument: say which)."""
    arg = line.strip().lower()
    if arg in ("on", "off"):
        _state["on"] = arg == "on"
    elif arg:
        print("usage: %shapes on | %shapes off")
        return
    note = " (but this kernel's environment keeps it off here: grading)" if _state["on"] and not enabled() else ""
    print(f"shape doctor {'on' if _state['on'] else 'off'}{note}")


def load_ipython_extension(shell) -> None:
    if _state["shell"] is not None:
        return
    shell.events.register("post_run_cell", _post_run_cell)
    shell.register_magic_function(shapes_magic, "line", "shapes")
    _state["shell"], _state["on"] = shell, True


def unload_ipython_extension(shell) -> None:
    if _state["shell"] is shell:
        shell.events.unregister("post_run_cell", _post_run_cell)
        _state["shell"] = None
