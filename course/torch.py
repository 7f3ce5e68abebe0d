"""PyTorch half of the helpers: device choice, per-layer shape traces, output-shape checks, quick training.

Importing this module never imports TensorFlow.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn

from .checks import ShapeCheckError, check_shape
from .errors import brief
from .shapes import format_shape
from .trace import Failure, Row, Trace, build_block as _build_block, call_failure_message
from .training import TrainResult

__all__ = ["use_course_settings", "device", "device_report", "seed", "trace", "check_output_shapes",
           "check_uses_its_parameters", "parameters_used", "build_block", "count_params", "train", "predict", "TrainResult"]


def device() -> torch.device:
    """The GPU when PyTorch can see one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def use_course_settings() -> str:
    """Tune this process for the course's tiny models and return the device report line.

    The notebooks' setup cell calls it (`print(ct.use_course_settings())`); importing this module
    changes nothing, so a learner's own project that loads the shape doctor keeps its settings.
    - On a CPU with at most two cores: one op thread. Two threads fighting over two cores (or over
      a grader's parallel workers) made a 4 s training cell take 70 s.
    - On a GPU: exact float32 and deterministic cuDNN. The tests compare outputs at 1e-5; TF32
      convolutions (cuDNN's default on recent GPUs) round to about 1e-3, and cuDNN may pick another
      algorithm per batch size. The models are tiny, so the GPU gives the CPU's numbers at no real cost.
    """
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.deterministic = True
    elif (os.cpu_count() or 1) <= 2:
        torch.set_num_threads(1)
    return device_report()


def device_report() -> str:
    d = device()
    if d.type == "cuda":
        return f"PyTorch {torch.__version__} on GPU: {torch.cuda.get_device_name(0)}"
    return f"PyTorch {torch.__version__} on CPU (no GPU visible)"


def seed(value: int = 0) -> None:
    """Seed every generator a quick experiment touches."""
    import random
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)


def count_params(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def first_tensor(obj):
    """The first tensor in a (possibly nested) module input or output, or None (the shape doctor
    uses it too)."""
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (tuple, list)):
        for item in obj:
            t = first_tensor(item)
            if t is not None:
                return t
    return None


def _first_shape(obj):
    t = first_tensor(obj)
    return None if t is None else tuple(t.shape)


def expects(module: nn.Module) -> str:
    """What input shape a layer accepts, in words, from its own attributes."""
    if isinstance(module, nn.Linear):
        return f"(*, {module.in_features})"
    if isinstance(module, nn.modules.conv._ConvNd):
        spatial = {1: "L", 2: "H, W", 3: "D, H, W"}[len(module.kernel_size)]
        return f"(N, {module.in_channels}, {spatial})"
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return f"(N, {module.num_features}, ...) with N > 1 in training"
    if isinstance(module, nn.RNNBase):
        order = "(N, L, {})" if module.batch_first else "(L, N, {})"
        return order.format(module.input_size)
    if isinstance(module, nn.LayerNorm):
        return f"(*, {', '.join(map(str, module.normalized_shape))})"
    if isinstance(module, nn.Embedding):
        return f"integer indices below {module.num_embeddings}"
    return "a different shape"


def _leaves(model: nn.Module):
    named = [(n, m) for n, m in model.named_modules() if not list(m.children())]
    return named or [(type(model).__name__, model)]


def trace(model: nn.Module, input_shape: Sequence[int] | torch.Tensor, dtype=torch.float32) -> Trace:
    """Run one forward pass on zeros and record every layer's input and output shape.

    If the pass fails, the table stops at the failing layer and `.failure` names what it expected
    and what it got. The model's training/eval mode and weights are left as they were.
    """
    x = input_shape if isinstance(input_shape, torch.Tensor) else torch.zeros(*input_shape, dtype=dtype)
    x = x.to(next(model.parameters(), torch.empty(0)).device)
    result = Trace(input_shape=tuple(x.shape))
    pending: dict = {}
    handles = []

    for name, module in _leaves(model):
        def pre(mod, args, _name=name):
            pending[_name] = (mod, _first_shape(args))

        def post(mod, args, out, _name=name):
            _, in_shape = pending.pop(_name, (mod, _first_shape(args)))
            params = sum(p.numel() for p in mod.parameters(recurse=False))
            result.rows.append(Row(_name, type(mod).__name__, in_shape, _first_shape(out), params))

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    try:
        with torch.no_grad():
            model(x)
    except Exception as error:  # the point of a trace is to report this, not to crash
        if pending:
            name, (mod, got) = next(reversed(pending.items()))
            result.failure = Failure(name, type(mod).__name__, expects(mod), got, error)
        else:
            after = result.rows[-1].name if result.rows else "the input"
            got = result.rows[-1].output_shape if result.rows else tuple(x.shape)
            result.failure = Failure(f"forward code after {after}", "(code in forward)",
                                     brief(str(error), 1), got, error)
    finally:
        for h in handles:
            h.remove()
    return result


def check_output_shapes(model: nn.Module, cases: Iterable[tuple], name: str = "model output",
                        dtype=torch.float32) -> None:
    """For each (input_shape, expected_output_shape), run the model and check the output shape.

    When the forward pass itself fails, the message names the first layer that rejected its input.
    """
    was_training = model.training
    model.eval()
    try:
        for in_shape, expected in cases:
            x = torch.zeros(*in_shape, dtype=dtype)
            x = x.to(next(model.parameters(), torch.empty(0)).device)
            try:
                with torch.no_grad():
                    out = model(x)
            except Exception as error:
                raise ShapeCheckError(call_failure_message(
                    name, in_shape, "the forward pass", trace(model, x), error)) from None
            check_shape(out, expected, name=f"{name} for input {format_shape(in_shape)}")
    finally:
        model.train(was_training)


def _all_tensors(obj) -> list:
    """Every tensor in a (possibly nested) module output, in order."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for item in obj for t in _all_tensors(item)]
    return []


def parameters_used(model: nn.Module, *args) -> list:
    """The `nn.Parameter`s that one call `model(*args)` reads, its own or not, in order of first use.

    Every torch call is watched (layers, `F.linear`, `F.conv_transpose2d`, an LSTM's flat weights),
    so a weight is found however `forward` uses it. Runs without gradients.
    """
    from torch.overrides import TorchFunctionMode

    used: dict = {}

    def visit(obj):
        if isinstance(obj, nn.Parameter):
            used.setdefault(id(obj), obj)
        elif isinstance(obj, (tuple, list)):
            for item in obj:
                visit(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                visit(item)

    class Spy(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            visit((args, kwargs or {}))
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), Spy():
        model(*args)
    return list(used.values())


def _same(a, b) -> bool:
    a, b = _all_tensors(a), _all_tensors(b)
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def check_uses_its_parameters(model: nn.Module, in_shape: Sequence[int], what: str, *, extra_args: tuple = (),
                              all_used: bool = False, dtype=torch.float32) -> None:
    """Fail when `forward` computes with weights that are not the model's registered parameters.

    A layer created inside `forward` (`nn.Linear(...)(x)` at every call) gives the right shapes but
    fresh, untrained weights at every call, and the optimizer never sees them. Three checks, in eval
    mode, on random inputs of shape `in_shape` (`extra_args` follow the input: `block(x, size)`):

    - every `nn.Parameter` that `forward` reads is one of `model.parameters()`;
    - two calls on the same input give the same output (fresh random weights would not);
    - with every registered parameter set to zero, two different inputs give the same output (a
      zeroed Linear, Conv or LSTM outputs a constant), so no unregistered weights carry the input.
    With `all_used=True`, every registered parameter must also be read by `forward`.
    The parameters are restored afterwards; the model is left in eval mode.

    >>> ct.check_uses_its_parameters(build_classifier(3, 33, 5), (2, 3, 33, 33), "build_classifier(3, 33, 5)")
    """
    advice = ("create every layer in __init__ (or in the Sequential) and call it in forward, so that "
              "training updates it; a layer made inside forward is new and untrained at every call")
    dev = next(model.parameters(), torch.empty(0)).device
    x1, x2 = (torch.rand(tuple(in_shape), generator=torch.Generator().manual_seed(s), dtype=dtype).to(dev)
              for s in (1, 2))
    with torch.no_grad():
        first = model.eval()(x1, *extra_args)                # lazy layers get their sizes here
        params = list(model.parameters())
        if not params:
            raise ShapeCheckError(f"{what} holds no parameters: {advice}")
        own = {id(p) for p in params}
        used = parameters_used(model, x1, *extra_args)
        fresh = [tuple(p.shape) for p in used if id(p) not in own]
        if fresh:
            raise ShapeCheckError(f"{what}: forward used weights of shape {fresh} that are not among its "
                                  f"registered parameters: {advice}")
        if all_used:
            unused = [n for n, p in model.named_parameters() if id(p) not in {id(q) for q in used}]
            if unused:
                raise ShapeCheckError(f"{what}: the parameters {unused} made in __init__ are never used by forward")
        if not _same(first, model(x1, *extra_args)):
            raise ShapeCheckError(f"{what}: two calls on the same input gave different outputs (in eval mode): "
                                  f"{advice}")
        saved = [p.detach().clone() for p in params]
        try:
            for p in params:
                p.zero_()
            same = _same(model(x1, *extra_args), model(x2, *extra_args))
        finally:
            for p, kept in zip(params, saved):
                p.copy_(kept)
    if not same:
        raise ShapeCheckError(f"{what}: with all of its registered parameters set to zero, the output still "
                              f"depends on the input, so some weights are not registered: {advice}")


def build_block(fn, *args, name: str | None = None, **kwargs):
    """`fn(*args, **kwargs)` for a test: a PyTorch error while building the learner's block (a
    layer given invalid sizes, `padding="same"` with a stride) fails the test with a message that
    names the block (`name`, or the call) and quotes PyTorch, instead of a raw traceback.

    >>> model = ct.build_block(build_classifier, 1, 28, 10)
    """
    return _build_block(fn, args, kwargs, name, (ValueError, TypeError, RuntimeError))


def _tensor(a, dev):
    if isinstance(a, torch.Tensor):
        return a.to(dev)
    a = np.asarray(a)
    t = torch.from_numpy(a)
    return (t.long() if np.issubdtype(a.dtype, np.integer) else t.float()).to(dev)


def train(model: nn.Module, X, y, loss_fn: Callable, steps: int = 200, batch_size: int = 64,
          lr: float = 1e-3, seed_value: int = 0, optimizer: str = "adam", verbose: bool = True) -> TrainResult:
    """Train for a fixed number of steps on shuffled mini-batches; returns the loss of every step.

    Training runs on the GPU when one is visible; afterwards the model goes back to the device it
    came from, so the notebook's later cells (tests feeding it CPU tensors) run the same everywhere.
    """
    seed(seed_value)
    dev = device()
    home = next(model.parameters(), torch.empty(0)).device
    model.to(dev).train()
    Xt, yt = _tensor(X, dev), _tensor(y, dev)
    opt_cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer]
    opt = opt_cls(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed_value)
    order, pos, losses = torch.randperm(len(Xt), generator=gen), 0, []
    start = time.perf_counter()
    for _ in range(steps):
        if pos + batch_size > len(order):
            order, pos = torch.randperm(len(Xt), generator=gen), 0
        idx = order[pos:pos + batch_size].to(dev)
        pos += batch_size
        opt.zero_grad()
        loss = loss_fn(model(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    result = TrainResult(losses, str(dev), time.perf_counter() - start, steps)
    model.to(home)
    if verbose:
        print(result)
    return result


def predict(model: nn.Module, X, batch_size: int = 256) -> np.ndarray:
    """Outputs for all of X, in eval mode and without gradients, as a NumPy array."""
    dev = next(model.parameters(), torch.empty(0)).device
    was_training = model.training
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(X), batch_size):
            outs.append(model(_tensor(X[i:i + batch_size], dev)).cpu().numpy())
    model.train(was_training)
    return np.concatenate(outs)
