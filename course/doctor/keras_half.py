"""The shape doctor's Keras half: find the model, its input and the failing layer in the
traceback's frames, re-trace the model symbolically, and describe the failure.

Imported only when Keras is already in sys.modules (course/doctor.py checks), so it never brings
TensorFlow into a PyTorch notebook. The trace pushes symbolic tensors (shapes only, no data)
through layers that the failing call already built, so no weight, optimizer or RNG state moves.
"""
from __future__ import annotations

import re
from math import prod

import keras

from .frames import frames, owner, user_tensors
from .readings import reading
from .report import Diagnosis, loss_expects
from ..shapes import format_shape, shape_of
from ..trace import Row

_ENTRY = ("__call__", "fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch")
# Frames that run a layer on data (a layer's constructor failing is a configuration error).
# Entry points that cut the data into batches: the table, the loss row and the reading use None there.
_BATCHED = ("fit", "evaluate", "predict")
_CALLS = _ENTRY + ("call", "build", "compute_output_spec", "compute_output_shape", "symbolic_call")


def _tracer():
    """course.keras, the per-layer tracer (importing it changes no setting)."""
    from .. import keras as ck
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


def _axes(layer, spatial: int, channels) -> str:
    names = {1: "steps", 2: "H, W", 3: "D, H, W"}[spatial]
    first = getattr(layer, "data_format", "channels_last") == "channels_first"
    return f"(N, {channels}, {names})" if first else f"(N, {names}, {channels})"


def _expects(layer) -> str:
    """What a Keras layer takes, with axis names, from its config and (once built) its weights."""
    kernel = getattr(layer, "kernel", None) if getattr(layer, "built", False) else None
    cell = getattr(layer, "cell", None)
    if cell is not None:
        size = cell.kernel.shape[0] if getattr(cell, "built", False) and getattr(cell, "kernel", None) is not None else "features"
        return f"(N, timesteps, {size})"
    if isinstance(layer, keras.layers.Dense):
        return f"(N, ..., {kernel.shape[0]})" if kernel is not None else "(N, ..., features): rank >= 2"
    if isinstance(layer, keras.layers.Conv2DTranspose) or isinstance(layer, keras.layers.Conv1DTranspose):
        spatial = len(layer.kernel_size)
        return _axes(layer, spatial, kernel.shape[-1] if kernel is not None else "C")
    for conv, spatial in ((keras.layers.Conv1D, 1), (keras.layers.Conv2D, 2), (keras.layers.Conv3D, 3)):
        if isinstance(layer, conv):
            return _axes(layer, spatial, kernel.shape[-2] if kernel is not None else "C")
    pools = {1: (keras.layers.MaxPooling1D, keras.layers.AveragePooling1D),
             2: (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D),
             3: (keras.layers.MaxPooling3D, keras.layers.AveragePooling3D)}
    for spatial, kinds in pools.items():
        if isinstance(layer, kinds):
            return f"{_axes(layer, spatial, 'C')}, each spatial axis at least pool_size={tuple(layer.pool_size)}"
    for spatial, kind in ((1, keras.layers.UpSampling1D), (2, keras.layers.UpSampling2D), (3, keras.layers.UpSampling3D),
                          (1, keras.layers.GlobalAveragePooling1D), (2, keras.layers.GlobalAveragePooling2D),
                          (1, keras.layers.GlobalMaxPooling1D), (2, keras.layers.GlobalMaxPooling2D),
                          (2, keras.layers.ZeroPadding2D), (2, keras.layers.Cropping2D), (2, keras.layers.Resizing)):
        if isinstance(layer, kind):
            return _axes(layer, spatial, "C")
    if isinstance(layer, keras.layers.Reshape):
        return f"(N, ...) with {prod(layer.target_shape)} values per sample, to fill (N, {', '.join(map(str, layer.target_shape))})"
    if isinstance(layer, keras.layers.Flatten):
        return "(N, ...): any shape with a batch axis"
    if isinstance(layer, keras.layers.Concatenate):
        return f"inputs of equal shape on every axis but axis {layer.axis}"
    if type(layer).__name__ in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        return "inputs of equal shape (or broadcastable)"
    if isinstance(layer, keras.layers.Embedding):
        return f"(N, ...) integer indices in [0, {layer.input_dim})"
    if isinstance(layer, (keras.layers.BatchNormalization, keras.layers.LayerNormalization)):
        axis = layer.axis if isinstance(layer.axis, int) else tuple(layer.axis)
        size = getattr(layer, "gamma", None)
        size = tuple(size.shape) if size is not None and getattr(layer, "built", False) else "features"
        return f"(N, ..., {size[0] if isinstance(size, tuple) and len(size) == 1 else size}) on axis {axis}"
    if isinstance(layer, keras.layers.TimeDistributed):
        return f"(N, timesteps, ...) where each step fits {type(layer.layer).__name__} {_expects(layer.layer)}"
    if isinstance(layer, keras.layers.MultiHeadAttention):
        return "query (N, T, dim), value (N, S, dim), key like value; attention_mask (N, T, S)"
    if isinstance(layer, keras.layers.Lambda):
        return "(N, ...): whatever its function accepts"
    if isinstance(layer, (keras.layers.Dropout, keras.layers.ReLU, keras.layers.Softmax, keras.layers.Activation)):
        return "(N, ...): any shape (it works value by value)"
    found = _tracer().expects(layer)
    if found == "a different shape":
        return f"what its call() accepts ({type(layer).__name__} is not a Keras built-in: read its call())"
    return found


def _top_level(model, layer):
    """The layer of model.layers that holds `layer` (an LSTM for its LSTMCell), or `layer`."""
    for top in getattr(model, "layers", []):
        if top is layer or any(sub is layer for sub in top._flatten_layers(include_self=False)):
            return top
    return layer


def _weights_diagnosis(error, fs) -> Diagnosis | None:
    """set_weights / load_weights: no call ran; the message names the layer and both shapes."""
    m = re.search(r"Layer (\S+) weight shape (\([^)]*\)) is not compatible with provided weight shape (\([^)]*\))", str(error))
    if m is None:
        return None
    ints = lambda t: tuple(int(v) for v in re.findall(r"\d+", t))
    layer = next((owner(f) for f in reversed(fs) if f.f_code.co_name == "set_weights"
                  and isinstance(owner(f), keras.layers.Layer)), None)
    d = Diagnosis(error, model=f"{type(layer).__name__ if layer is not None else 'layer'} '{m.group(1)}', "
                               f"loading weights (no call ran)", table=False)
    d.failing = Row(m.group(1), "weights", ints(m.group(2)), None, 0)
    d.expects, d.got = f"{format_shape(ints(m.group(2)))} (the layer's weight)", ints(m.group(3))
    d.reading = reading(error, None)
    return d


def diagnose(error: BaseException) -> Diagnosis | None:
    fs = frames(error)
    weights = _weights_diagnosis(error, fs)
    if weights is not None:
        return weights
    calls = _layer_calls(fs)
    loss = _loss(fs)
    if not calls and loss is None:
        return None
    data = _cardinality(error, calls[0] if calls else None)
    if data is not None:
        return data
    ck = _tracer()
    d = Diagnosis(error)
    model = x = failing = None
    batched = False
    if calls:
        _, model, args = calls[0]
        x = args[0] if args else None
        batched = getattr(calls[0][0].f_locals.get("fn"), "__name__", "") in _BATCHED
    named = re.search(r"of layer '([^']+)'", str(error))
    inner = [lay for _, lay, _ in calls if lay is not model and not isinstance(lay, keras.Model)]
    if isinstance(model, keras.Model):
        by_name = {lay.name: lay for lay in model._flatten_layers(include_self=False)}
        failing = by_name.get(named.group(1)) if named else None
        failing = failing or (inner[-1] if inner else None)
        d.model = f"{type(model).__name__} '{model.name}'"
        d.input_shape = _shape(x)
        d.declared = _declared(model, d.input_shape)
        if batched and d.input_shape:
            d.notes.append(f"the data is {format_shape(d.input_shape)}; fit/evaluate/predict feed it in batches, "
                           f"so the batch axis shows as None")
            d.input_shape = (None,) + tuple(d.input_shape[1:])
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
        path = _attribute_path(model, failing) if isinstance(model, keras.Model) and failing is not model else ""
        if path and path.rsplit(".", 1)[-1] != failing.name:
            d.failing.name = f"{path} ({failing.name})"
    if d.failing is None:
        return None
    d.reading = reading(error, d.got)
    return d


def _attribute_path(model, layer, depth: int = 3) -> str:
    """'self.encoder.dense_200': the attribute path the learner wrote to reach `layer` in a model."""
    todo, seen = [("self", model)], {id(model)}
    for _ in range(depth):
        nxt = []
        for path, obj in todo:
            for attr, value in vars(obj).items():
                if attr.startswith("_") or id(value) in seen or not isinstance(value, keras.layers.Layer):
                    continue
                if value is layer:
                    return f"{path}.{attr}"
                seen.add(id(value))
                nxt.append((f"{path}.{attr}", value))
        todo = nxt
    return ""


def _declared(model, data_shape) -> str:
    """The model's declared input (keras.Input / input_shape) beside the data, when they differ."""
    try:
        declared = tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, TypeError, ValueError):
        return ""
    if data_shape is None or (len(declared) == len(data_shape)
                              and all(a is None or b is None or a == b for a, b in zip(declared[1:], data_shape[1:]))):
        return ""
    return (f"where it entered: the model declares its input as {format_shape(declared)} (keras.Input / "
            f"input_shape); the data is {format_shape(data_shape)}")


def _cardinality(error, entry) -> Diagnosis | None:
    """fit / evaluate given x and y (or validation data) with different numbers of samples."""
    if "Data cardinality" not in str(error) or entry is None:
        return None
    frame, model, args = entry
    kwargs = frame.f_locals.get("kwargs", {}) or {}
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    d = Diagnosis(error, model=f"{type(model).__name__} '{model.name}', before any batch ran", table=False)
    d.failing = Row("fit data", "x, y", _shape(x), None, 0)
    d.expects, d.got = "x and y with the same number of samples (axis 0)", _shape(x)
    d.notes.append(f"x {format_shape(_shape(x))}, y {format_shape(_shape(y))}")
    validation = kwargs.get("validation_data")
    if isinstance(validation, (list, tuple)) and len(validation) >= 2:
        d.notes.append(f"validation_data: x {format_shape(_shape(validation[0]))}, y {format_shape(_shape(validation[1]))}")
    d.reading = reading(error, None)
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
    if fn in _BATCHED and tgt:  # the table traced the batch as None: so does the target
        tgt = (None,) + tuple(tgt[1:])
    return f"{getattr(model, 'loss', None) or 'loss'} (compiled loss)", out, tgt


def _custom_call(model) -> bool:
    """A subclassed model (its own call()): no layer graph to walk."""
    from keras.src.models.functional import Functional
    return not isinstance(model, (keras.Sequential, Functional))
