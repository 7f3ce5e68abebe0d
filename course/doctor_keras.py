"""The shape doctor's Keras half: find the model, its input and the failing layer in the
traceback's frames, re-trace the model symbolically, and describe the failure.

Imported only when Keras is already in sys.modules (course/doctor.py checks), so it never brings
TensorFlow into a PyTorch notebook. The trace pushes symbolic tensors (shapes only, no data)
through layers that the failing call already built, so no weight, optimizer or RNG state moves.
"""
from __future__ import annotations

import os
import re
import sys
from math import prod

import keras

from .doctor_frames import frames, owner, user_tensors
from .doctor_reading import reading
from .doctor_report import Diagnosis, loss_expects
from .shapes import shape_of
from .trace import Row

_ENTRY = ("__call__", "fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch")
# Frames that run a layer on data (a layer's constructor failing is a configuration error).
_CALLS = _ENTRY + ("call", "build", "compute_output_spec", "compute_output_shape", "symbolic_call")


def _tracer():
    """course.keras (the per-layer tracer). Importing it quiets TensorFlow's logger and tunes
    threads and TF32 for the course's tiny models; in a learner's own project that never imported
    it, those settings are put back."""
    if "course.keras" in sys.modules:
        return sys.modules["course.keras"]
    import tensorflow as tf

    env = {k: os.environ.get(k) for k in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")}
    level, tf32 = tf.get_logger().level, tf.config.experimental.tensor_float_32_execution_enabled()
    threads = (tf.config.threading.get_intra_op_parallelism_threads(),
               tf.config.threading.get_inter_op_parallelism_threads())
    from . import keras as ck
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    tf.get_logger().setLevel(level)
    tf.config.experimental.enable_tensor_float_32_execution(tf32)
    try:
        if threads != (tf.config.threading.get_intra_op_parallelism_threads(),
                       tf.config.threading.get_inter_op_parallelism_threads()):
            tf.config.threading.set_intra_op_parallelism_threads(threads[0])
            tf.config.threading.set_inter_op_parallelism_threads(threads[1])
    except RuntimeError:  # TensorFlow already running: course.keras could not change them either
        pass
    return ck


def _shape(x):
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, type(None))):
        x = x[0]
    try:
        return shape_of(x)
    except TypeError:
        return None


def _layer_calls(fs):
    """(frame, layer, args) for each frame that calls a Keras layer, outermost first."""
    out = []
    for f in fs:
        loc = f.f_locals
        args = loc.get("args")
        fn = getattr(loc.get("fn"), "__name__", "")
        if isinstance(args, tuple) and args and isinstance(args[0], keras.layers.Layer) and fn in _CALLS:
            out.append((f, args[0], args[1:]))
        elif isinstance(loc.get("self"), keras.layers.Layer) and f.f_code.co_name in _CALLS:  # call(self, inputs)
            code = f.f_code
            first = loc.get(code.co_varnames[1]) if code.co_argcount > 1 else None
            out.append((f, loc["self"], (first,) if first is not None else ()))
    return out


def _loss(fs):
    for f in fs:
        loc = f.f_locals
        names = next(((t, o) for t, o in (("y_true", "y_pred"), ("target", "output")) if t in loc and o in loc), None)
        if names and "/keras/src/" in f.f_code.co_filename:
            out, tgt = _shape(loc[names[1]]), _shape(loc[names[0]])
            me = loc.get("self")
            if out is not None and tgt is not None:
                return (type(me).__name__ if me is not None else f.f_code.co_name), out, tgt
    return None


def _params(layer) -> int:
    return int(sum(prod(w.shape) for w in layer.weights))


def _row(layer, got) -> Row:
    return Row(layer.name, type(layer).__name__, got, None, _params(layer))


def _history_rows(tensors) -> list:
    """The layers that produced these symbolic tensors (a functional model being built), in order."""
    rows, seen = [], set()

    def visit(t):
        hist = getattr(t, "_keras_history", None)
        if hist is None:
            return
        op, node_index = hist[0], hist[1]
        if id(op) in seen:
            return
        seen.add(id(op))
        node = op._inbound_nodes[node_index]
        for parent in node.input_tensors:
            visit(parent)
        if not isinstance(op, keras.layers.InputLayer):
            ins = node.input_tensors
            rows.append(Row(op.name, type(op).__name__, _shape(ins[0]) if ins else None,
                            _shape(node.output_tensors[0]), _params(op)))

    for t in tensors:
        visit(t)
    return rows


def _expects(layer) -> str:
    """ck.expects, plus what it cannot say about recurrent and merge layers."""
    cell = getattr(layer, "cell", None)
    if cell is not None and getattr(cell, "built", False) and getattr(cell, "kernel", None) is not None:
        return f"(N, timesteps, {cell.kernel.shape[0]})"
    if isinstance(layer, keras.layers.Reshape):
        return f"{prod(layer.target_shape)} values per sample, to fill {tuple(layer.target_shape)}"
    if isinstance(layer, keras.layers.Concatenate):
        return f"inputs of equal shape on every axis but axis {layer.axis}"
    if type(layer).__name__ in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        return "inputs of equal shape (or broadcastable)"
    return _tracer().expects(layer)


def _top_level(model, layer):
    """The layer of model.layers that holds `layer` (an LSTM for its LSTMCell), or `layer`."""
    for top in getattr(model, "layers", []):
        if top is layer or any(sub is layer for sub in top._flatten_layers(include_self=False)):
            return top
    return layer


def diagnose(error: BaseException) -> Diagnosis | None:
    fs = frames(error)
    calls = _layer_calls(fs)
    loss = _loss(fs)
    if not calls and loss is None:
        return None
    ck = _tracer()
    d = Diagnosis(error)
    model = x = failing = None
    if calls:
        _, model, args = calls[0]
        x = args[0] if args else None
    named = re.search(r"of layer '([^']+)'", str(error))
    inner = [lay for _, lay, _ in calls if lay is not model and not isinstance(lay, keras.Model)]
    if isinstance(model, keras.Model):
        by_name = {lay.name: lay for lay in model._flatten_layers(include_self=False)}
        failing = by_name.get(named.group(1)) if named else None
        failing = failing or (inner[-1] if inner else None)
        d.model = f"{type(model).__name__} '{model.name}'"
        d.input_shape = _shape(x)
        if _custom_call(model):
            d.notes.append("custom call(): Keras has no per-layer hooks, so the layers that ran "
                           "before the failing one are not listed")
            tensors = next((user_tensors(f, _shape) for f in reversed(fs) if owner(f) is model), "")
            if tensors:
                d.notes.append(f"tensors in {type(model).__name__}.call: {tensors}")
        elif d.input_shape is not None:
            tr = ck.trace(model, d.input_shape)
            if tr.failure is not None and not tr.failure.kind.startswith("("):
                failing = by_name.get(tr.failure.name, failing)
                d.rows, d.got = tr.rows, tr.failure.got
            elif failing is None:  # the model ran: the error came later (a loss)
                d.rows = tr.rows
                loss = loss or _compiled_loss(error, calls[0], tr)
            else:  # the symbolic trace got through: keep the layers before it
                top = _top_level(model, failing)
                order = {lay.name: k for k, lay in enumerate(model.layers)}  # the graph's order
                d.rows = [r for r in tr.rows if order.get(r.name, -1) < order.get(top.name, len(order))]
                if isinstance(model, keras.Sequential) and top is not failing:
                    failing = top
                    d.got = next((r.input_shape for r in tr.rows if r.name == top.name), None)
                if d.rows and not isinstance(model, keras.Sequential):
                    d.notes.append("shapes in the table are those the functional model was built with")
        if failing is not None and d.got is None:
            given = next((a[0] for _, lay, a in reversed(calls) if lay is failing and a), None)
            d.got = _shape(given) if given is not None else None
            if isinstance(given, (list, tuple)) and len(given) > 1:
                d.notes.append("its inputs: " + ", ".join(str(_shape(t)) for t in given))
    elif model is not None:  # a layer called on its own, e.g. while building a functional model
        failing, args = model, (args if calls else ())
        tensors = args[0] if args else None
        tensors = tensors if isinstance(tensors, (list, tuple)) else [tensors]
        d.rows = _history_rows([t for t in tensors if isinstance(t, keras.KerasTensor)])
        d.got = _shape(tensors[0]) if tensors and tensors[0] is not None else None
        if len(tensors) > 1:
            d.notes.append("its inputs: " + ", ".join(str(_shape(t)) for t in tensors))
    if loss is not None:
        name, out, tgt = loss
        d.loss = (name, out, tgt)
        d.failing, d.got, d.expects = Row(name, "loss", out, None, 0), out, loss_expects(name)
        if d.rows and d.rows[-1].output_shape is not None:
            d.notes.append(f"the model's output {d.rows[-1].output_shape} is the loss's y_pred")
    elif failing is not None:
        d.failing, d.expects = _row(failing, d.got), _expects(failing)
    if d.failing is None:
        return None
    d.reading = reading(error, d.got)
    return d


def _compiled_loss(error, entry, tr):
    """fit / train_on_batch / evaluate failed inside the compiled loss (a graph error names the
    node): the model's output for x, against y."""
    frame, model, args = entry
    fn = getattr(frame.f_locals.get("fn"), "__name__", "")
    y = args[1] if len(args) > 1 else frame.f_locals.get("kwargs", {}).get("y")
    if fn not in _ENTRY[1:] or y is None or not tr.ok or "loss" not in str(error):
        return None
    out, tgt = tr.output_shape, _shape(y)
    if out is None or tgt is None:
        return None
    return f"{getattr(model, 'loss', None) or 'loss'} (compiled loss)", out, tgt


def _custom_call(model) -> bool:
    """A subclassed model (its own call()): no layer graph to walk."""
    from keras.src.models.functional import Functional
    return not isinstance(model, (keras.Sequential, Functional))
