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
import re

import numpy as np
import torch
from torch import nn

from .frames import frames, owner, user_tensors
from .readings import reading
from .report import Diagnosis, loss_expects
from ..trace import Row

def _tracer():
    """course.torch, the per-layer tracer (importing it changes no setting)."""
    from .. import torch as ct
    return ct


def _expects(ct, module) -> str:
    """ct.expects, plus what it leaves as 'a different shape' (pooling windows, attention)."""
    if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        return f"a spatial size at least the window, kernel_size={module.kernel_size}"
    if isinstance(module, nn.MultiheadAttention):
        order = "(N, L, {})" if module.batch_first else "(L, N, {})"
        return (f"query {order.format(module.embed_dim)}, key {order.format(module.kdim).replace('L', 'S')}, "
                f"value {order.format(module.vdim).replace('L', 'S')}; attn_mask (L, S), key_padding_mask (N, S)")
    return ct.expects(module)


def _builtin(module: nn.Module) -> bool:
    """A layer of torch.nn itself (its forward is PyTorch's, not the learner's)."""
    return type(module).__module__.startswith("torch.nn") and not isinstance(
        module, (nn.Sequential, nn.ModuleList, nn.ModuleDict))


def _first_layer_mismatch(model: nn.Module, x) -> str:
    """When the model's first layer fixes the input size and the data disagrees: both, side by side."""
    if x is None:
        return ""
    # The first layer the data meets: the first child, through nested Sequentials (a custom
    # model's children are listed in the order its __init__ made them, usually the order they run).
    name, layer = "", model
    while isinstance(layer, nn.Sequential) or (layer is model and next(layer.named_children(), None)):
        child = next(layer.named_children(), None)
        if child is None:
            return ""
        name, layer = f"{name}.{child[0]}".lstrip("."), child[1]
    shape = tuple(x.shape)
    if isinstance(layer, nn.Linear) and shape and shape[-1] != layer.in_features:
        declared = f"(*, {layer.in_features})"
    elif isinstance(layer, nn.modules.conv._ConvNd) and (len(shape) < 2 or shape[1] != layer.in_channels
                                                          or len(shape) != len(layer.kernel_size) + 2):
        declared = _tracer().expects(layer)
    elif isinstance(layer, nn.RNNBase) and shape and shape[-1] != layer.input_size:
        declared = _tracer().expects(layer)
    else:
        return ""
    return (f"where it entered: the model's first layer {name} ({type(layer).__name__}) takes {declared}; "
            f"the data is {_fmt(shape)}")


def _fmt(shape) -> str:
    from ..shapes import format_shape
    return format_shape(shape)


def _state_dict_diagnosis(error, fs) -> Diagnosis | None:
    """load_state_dict: no forward ran; the message names each parameter and both shapes."""
    frame = next((f for f in fs if f.f_code.co_name == "load_state_dict" and isinstance(owner(f), nn.Module)), None)
    if frame is None or "size mismatch for" not in str(error):
        return None
    model = owner(frame)
    found = re.findall(r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\((\[[^\]]*\])\) from "
                       r"checkpoint, the shape in current model is torch\.Size\((\[[^\]]*\])\)", str(error))
    if not found:
        return None
    name, checkpoint, current = found[0]
    ints = lambda t: tuple(int(v) for v in re.findall(r"\d+", t))
    d = Diagnosis(error, model=f"{type(model).__name__}, loading a state dict (no forward ran)", table=False)
    d.failing = Row(name, "parameter", ints(current), None, 0)
    d.expects, d.got = f"{_fmt(ints(current))} (the model's)", ints(checkpoint)
    d.notes.append("parameters whose shapes differ (checkpoint vs model): " + "; ".join(
        f"{n} {_fmt(ints(a))} vs {_fmt(ints(b))}" for n, a, b in found))
    d.reading = reading(error, None)
    return d


def _collate_diagnosis(error, fs) -> Diagnosis | None:
    """A DataLoader stacking samples of different shapes into one batch (no model ran yet)."""
    frame = next((f for f in reversed(fs) if "torch/utils/data/" in f.f_code.co_filename.replace("\\", "/")
                  and "collate" in f.f_code.co_name), None)
    if frame is None:
        return None
    batch = frame.f_locals.get("batch")
    shapes = sorted({tuple(t.shape) for t in batch if isinstance(t, torch.Tensor)}) if isinstance(batch, (list, tuple)) else []
    d = Diagnosis(error, model="DataLoader, collating samples into a batch (no model ran)", table=False)
    d.failing = Row("collate", "DataLoader", shapes[0] if shapes else None, None, 0)
    d.expects = "samples of one shape (it stacks them on a new batch axis)"
    d.got = shapes[0] if shapes else None
    if shapes:
        d.notes.append("sample shapes in this batch: " + ", ".join(_fmt(s) for s in shapes))
    d.reading = reading(error, None)
    return d


def _embedding_note(module, x) -> str:
    if isinstance(module, nn.Embedding) and isinstance(x, torch.Tensor) and x.numel():
        return (f"the input's indices run from {int(x.min())} to {int(x.max())}; "
                f"num_embeddings = {module.num_embeddings}, so every index must be below it")
    return ""


def _first_tensor(obj):
    return _tracer().first_tensor(obj)


def _single_input(frame) -> bool:
    """Whether the model was called with one input only: the re-trace passes one tensor, so a call
    with more (an RNN's initial state, a mask) cannot be replayed and the frames say where."""
    loc = frame.f_locals
    if "args" in loc:
        return len(loc["args"]) + len(loc.get("kwargs") or {}) <= 1
    return True


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
    loaded = _state_dict_diagnosis(error, fs)
    if loaded is not None:
        return loaded
    batched = _collate_diagnosis(error, fs)
    if batched is not None:
        return batched
    mods = _module_frames(fs)
    loss = _loss(fs, mods)
    if loss is not None:  # the output and the target side by side say it all: no one-row table
        name, out, tgt = loss
        return Diagnosis(error, failing=Row(name, "loss", out, None, 0), expects=loss_expects(name),
                         got=out, loss=loss, reading=reading(error, out), table=False)
    if not mods:
        return None
    model_frame, model = mods[0]
    leaf_frame, leaf = mods[-1]
    x = _call_input(model_frame)
    ct = _tracer()
    d = Diagnosis(error, model=_describe(model))
    d.declared = _first_layer_mismatch(model, x)
    tr = None
    if x is not None and _single_input(model_frame):
        d.input_shape = tuple(x.shape)
        with untouched(model):
            tr = ct.trace(model, torch.zeros_like(x))
        d.rows = tr.rows
        # Only a failure of the same kind is the learner's error (zeros alone, or a forward that
        # needs more arguments than the one tensor, can fail differently): else trust the frames.
        if tr.failure is not None and type(tr.failure.error) is type(error):
            f = tr.failure
            d.got = f.got
            if f.kind.startswith("(") and _builtin(leaf) and leaf is not model:
                pass  # a torch.nn layer with sub-layers (attention): the frames below name it
            elif f.kind.startswith("("):  # raised by code in a custom forward, between layers
                d.failing = Row(f"{type(leaf).__name__}.forward", "code in forward", f.got, None, 0)
                d.expects = "tensors whose shapes fit together"
                d.notes.append(_forward_tensors(fs))
            else:
                mod = dict(model.named_modules()).get(f.name, leaf)
                d.failing = Row(f.name or type(mod).__name__, f.kind, f.got, None, sum(p.numel() for p in mod.parameters(recurse=False)))
                d.expects = _expects(ct, mod) if f.expects == "a different shape" else f.expects
    if d.failing is None:  # the trace did not meet the same error (it depends on the data): the frames say where
        if tr is not None and tr.failure is not None and type(tr.failure.error) is not type(error):
            d.rows = []
        if list(leaf.children()) and not _builtin(leaf):  # a custom forward's own code, between its layers
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
        cut = next((k for k, r in enumerate(d.rows) if r.name == name or r.name.startswith(name + ".")), len(d.rows))
        d.rows = d.rows[:cut]  # the layers before the failing one
        d.notes.append(_embedding_note(leaf, got))
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
