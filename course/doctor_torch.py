"""The shape doctor's PyTorch half: find the model, its input and the failing layer in the
traceback's frames, re-trace the model on zeros, and describe the failure.

Imported only when torch is already in sys.modules (course/doctor.py checks), so it never brings
PyTorch into a Keras notebook. The re-trace runs under no_grad and puts back every buffer (BatchNorm
running statistics), each module's train/eval mode and the RNG states, so the learner's model and
the next random draw are exactly as they were.
"""
from __future__ import annotations

import contextlib
import random
import sys

import numpy as np
import torch
from torch import nn

from .doctor_frames import frames, owner, user_tensors
from .doctor_reading import reading
from .doctor_report import Diagnosis, loss_expects
from .trace import Row

_LOSS_ARGS = ("input", "target")


def _tracer():
    """course.torch (the per-layer tracer). Importing it tunes threads and TF32 for the course's tiny
    models; in a learner's own project that never imported it, those settings are put back."""
    if "course.torch" in sys.modules:
        return sys.modules["course.torch"]
    saved = (torch.get_num_threads(), torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    from . import torch as ct
    if torch.get_num_threads() != saved[0]:
        torch.set_num_threads(saved[0])
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved[1], saved[2]
    return ct


def _expects(ct, module) -> str:
    """ct.expects, plus pooling windows, which it leaves as 'a different shape'."""
    if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        return f"a spatial size at least the window, kernel_size={module.kernel_size}"
    return ct.expects(module)


def _first_tensor(obj):
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (tuple, list)):
        for item in obj:
            t = _first_tensor(item)
            if t is not None:
                return t
    return None


def _call_input(frame):
    """The tensor a module was called with, from its _call_impl / forward frame."""
    loc = frame.f_locals
    if "args" in loc:
        return _first_tensor(loc["args"])
    code = frame.f_code
    if code.co_argcount > 1:
        return _first_tensor(loc.get(code.co_varnames[1]))
    return None


@contextlib.contextmanager
def untouched(model: nn.Module):
    """Run something on `model` and put back its buffers, modes and every RNG state afterwards."""
    buffers = [(b, b.detach().clone()) for b in model.buffers()]
    modes = [(m, m.training) for m in model.modules()]
    states = (random.getstate(), np.random.get_state(), torch.get_rng_state(),
              torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None)
    try:
        yield
    finally:
        with torch.no_grad():
            for b, saved in buffers:
                b.copy_(saved)
        for m, mode in modes:
            m.training = mode
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
        if states[3] is not None:
            torch.cuda.set_rng_state_all(states[3])


def _module_frames(fs):
    """(frame, module) for each frame whose `self` is an nn.Module, outermost first, one per module."""
    out = []
    for f in fs:
        mod = f.f_locals.get("self")
        if isinstance(mod, nn.Module) and not (out and out[-1][1] is mod):
            out.append((f, mod))
    return out


def _loss(fs, mods):
    """(name, output shape, target shape) when the error was raised inside a loss."""
    for f, mod in mods:
        if isinstance(mod, nn.modules.loss._Loss):
            loc = f.f_locals
            inp, tgt = _first_tensor(loc.get("input")), _first_tensor(loc.get("target"))
            if inp is None and "args" in loc and len(loc["args"]) >= 2:
                inp, tgt = _first_tensor(loc["args"][0]), _first_tensor(loc["args"][1])
            if inp is not None and tgt is not None:
                return type(mod).__name__, tuple(inp.shape), tuple(tgt.shape)
    for f in fs:
        if f.f_code.co_filename.endswith("torch/nn/functional.py") and "loss" in f.f_code.co_name or \
                f.f_code.co_name in ("cross_entropy", "nll_loss", "binary_cross_entropy"):
            inp, tgt = f.f_locals.get("input"), f.f_locals.get("target")
            if isinstance(inp, torch.Tensor) and isinstance(tgt, torch.Tensor):
                return f"F.{f.f_code.co_name}", tuple(inp.shape), tuple(tgt.shape)
    return None


def diagnose(error: BaseException) -> Diagnosis | None:
    fs = frames(error)
    mods = _module_frames(fs)
    loss = _loss(fs, mods)
    if loss is not None:
        name, out, tgt = loss
        return Diagnosis(error, failing=Row(name, "loss", out, None, 0), expects=loss_expects(name),
                         got=out, loss=loss, reading=reading(error, out))
    if not mods:
        return None
    model_frame, model = mods[0]
    leaf_frame, leaf = mods[-1]
    x = _call_input(model_frame)
    ct = _tracer()
    d = Diagnosis(error, model=_describe(model))
    tr = None
    if x is not None:
        d.input_shape = tuple(x.shape)
        with untouched(model):
            tr = ct.trace(model, torch.zeros_like(x))
        d.rows = tr.rows
        # Only a failure of the same kind is the learner's error (zeros alone, or a forward that
        # needs more arguments than the one tensor, can fail differently): else trust the frames.
        if tr.failure is not None and type(tr.failure.error) is type(error):
            f = tr.failure
            d.got = f.got
            if f.kind.startswith("("):  # raised by code in a custom forward, between layers
                d.failing = Row(f"{type(leaf).__name__}.forward", "code in forward", f.got, None, 0)
                d.expects = "tensors whose shapes fit together"
                d.notes.append(_forward_tensors(fs))
            else:
                mod = dict(model.named_modules()).get(f.name, leaf)
                d.failing = Row(f.name or type(mod).__name__, f.kind, f.got, None, sum(p.numel() for p in mod.parameters(recurse=False)))
                d.expects = _expects(ct, mod) if f.expects == "a different shape" else f.expects
    if d.failing is None:  # the trace did not meet the same error (it depends on the data): the frames say where
        if tr is not None and tr.failure is not None:
            d.rows = []
        if list(leaf.children()):  # the error is in a custom forward's own code, between its layers
            d.failing = Row(f"{type(leaf).__name__}.forward", "code in forward", d.input_shape, None, 0)
            d.got, d.expects, d.rows = d.input_shape, "tensors whose shapes fit together", []
            d.notes.append(_forward_tensors(fs))
            d.reading = reading(error, None)
            return d
        got = _call_input(leaf_frame)
        name = next((n for n, m in model.named_modules() if m is leaf), type(leaf).__name__) or type(leaf).__name__
        d.failing = Row(name, type(leaf).__name__, tuple(got.shape) if got is not None else None, None,
                        sum(p.numel() for p in leaf.parameters(recurse=False)))
        d.got, d.expects = d.failing.input_shape, _expects(ct, leaf)
        cut = next((k for k, r in enumerate(d.rows) if r.name == name), len(d.rows))
        d.rows = d.rows[:cut]  # the layers before the failing one
    d.reading = reading(error, d.got)
    return d


def _describe(model: nn.Module) -> str:
    custom = not type(model).__module__.startswith("torch.nn")
    mode = "training" if model.training else "eval"
    return f"{type(model).__name__}{' (custom forward)' if custom else ''}, {mode} mode"


def _forward_tensors(fs) -> str:
    """The tensors in the innermost custom forward's frame, with their shapes."""
    for f in reversed(fs):
        # the module may not be called `self` in the learner's forward
        if isinstance(owner(f), nn.Module) and "torch/nn/" not in f.f_code.co_filename:
            shown = user_tensors(f, lambda v: tuple(v.shape) if isinstance(v, torch.Tensor) else None)
            if shown:
                return f"tensors in {f.f_code.co_name} (line {f.f_lineno}): {shown}"
    return ""
