"""Keras 3 half of the helpers (TensorFlow backend): device choice, per-layer shape traces,
output-shape checks, quick training. Importing this module never imports PyTorch.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Iterable, Sequence

# What TensorFlow and Keras read while they load: no C++ log lines, Keras on the TensorFlow backend.
_LOAD_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}


@contextlib.contextmanager
def _loading_environment():
    """_LOAD_ENV's defaults while the frameworks load, then the environment exactly as it was
    (importing this module changes no variable a learner's own code could read)."""
    before = {k: os.environ.get(k) for k in _LOAD_ENV}
    for k, v in _LOAD_ENV.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _import_tensorflow_quietly():
    """TensorFlow 2.21's C++ start-up lines (oneDNN, CUDA stubs) bypass TF_CPP_MIN_LOG_LEVEL and land
    in notebook outputs and grading feedback; send file descriptor 2 to /dev/null while it loads."""
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _loading_environment():
    _import_tensorflow_quietly()
    import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from .checks import ShapeCheckError, check_shape, check_true  # noqa: E402
from .errors import brief  # noqa: E402
from .shapes import format_shape  # noqa: E402
from .trace import Failure, Row, Trace, call_failure_message  # noqa: E402
from .trace import build_block as _build_block  # noqa: E402
from .training import TrainResult  # noqa: E402

__all__ = ["use_course_settings", "device", "device_report", "seed", "trace", "check_output_shapes", "build_block", "check_uses_its_weights", "count_params",
           "train", "predict", "TrainResult", "may_lack_cpu_kernel"]


def device() -> str:
    """'/GPU:0' when TensorFlow sees a GPU, else '/CPU:0' (Keras places work there by itself)."""
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"


def use_course_settings() -> str:
    """Tune this process for the course's tiny models and return the device report line.

    The notebooks' setup cell calls it (`print(ck.use_course_settings())`); importing this module
    changes nothing, so a learner's own project that loads the shape doctor keeps its settings.
    - TensorFlow's Python logger at ERROR: retracing notices are about speed, not shapes.
    - On a CPU with at most two cores: one op thread each (see course/torch.py); TensorFlow accepts
      this only before it has run an op, so in a process that already did it keeps its threads.
    - On a GPU: no TF32 (about 1e-3 precision; the tests compare at 1e-5).
    """
    tf.get_logger().setLevel("ERROR")
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        tf.config.experimental.enable_tensor_float_32_execution(False)
    elif (os.cpu_count() or 1) <= 2:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TensorFlow already initialised by the caller: keep its settings
            pass
    return device_report()


def device_report() -> str:
    gpus = tf.config.list_physical_devices("GPU")
    where = f"GPU: {gpus[0].name}" if gpus else "CPU (no GPU visible)"
    return f"Keras {keras.__version__} (TensorFlow {tf.__version__}) on {where}"


def seed(value: int = 0) -> None:
    """Seed Python, NumPy and the backend in one call."""
    keras.utils.set_random_seed(value)


def count_params(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def expects(layer) -> str:
    """What input shape a built layer accepts, in words, from its weights and config."""
    kernel = getattr(layer, "kernel", None) if getattr(layer, "built", False) else None
    if isinstance(layer, keras.layers.Dense):
        return f"(..., {kernel.shape[0]})" if kernel is not None else "(..., features) with rank >= 2"
    if isinstance(layer, keras.layers.Conv2D):
        chans = kernel.shape[-2] if kernel is not None else "C"
        return (f"(N, H, W, {chans})" if layer.data_format == "channels_last" else f"(N, {chans}, H, W)")
    if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN)):
        return "(N, timesteps, features), rank 3"
    spec = getattr(layer, "input_spec", None)
    if spec is not None and not isinstance(spec, list):
        parts = []
        if spec.ndim is not None:
            parts.append(f"rank {spec.ndim}")
        if spec.min_ndim is not None:
            parts.append(f"rank >= {spec.min_ndim}")
        if spec.axes:
            parts.append(", ".join(f"axis {a} = {v}" for a, v in spec.axes.items()))
        if parts:
            return "; ".join(parts)
    return "a different shape"


def _params(layer) -> int:
    return int(sum(np.prod(w.shape) for w in layer.weights))


def _sequential_layers(model):
    """Layers to walk one by one, or None for a model whose graph Keras must run as a whole."""
    if isinstance(model, keras.Sequential):
        return list(model.layers)
    if isinstance(model, keras.layers.Layer) and not isinstance(model, keras.Model):
        return [model]
    return None


def trace(model, input_shape: Sequence) -> Trace:
    """Push a symbolic tensor of `input_shape` through the model and record each layer's shapes.

    Uses Keras's own shape inference (no data, no training). For a Sequential model the walk goes
    layer by layer, so a failure names the exact layer, what it expects and what it got.
    `input_shape` includes the batch axis; use None for "any batch size".
    """
    result = Trace(input_shape=tuple(input_shape))
    layers = _sequential_layers(model)
    x = keras.KerasTensor(tuple(input_shape))
    if layers is None:
        return _trace_functional(model, x, result)
    for layer in layers:
        in_shape = tuple(x.shape)
        try:
            x = layer(x)
        except Exception as error:  # reported in the table, not raised
            result.failure = Failure(layer.name, type(layer).__name__, expects(layer), in_shape, error)
            break
        result.rows.append(Row(layer.name, type(layer).__name__, in_shape, tuple(x.shape), _params(layer)))
    return result


def _trace_functional(model, x, result: Trace) -> Trace:
    try:
        out = model(x)
    except Exception as error:
        result.failure = Failure(model.name, f"({type(model).__name__} model)", brief(str(error), 1), tuple(x.shape), error)
        return result
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        try:
            in_shape, out_shape = tuple(layer.input.shape), tuple(layer.output.shape)
        except (AttributeError, ValueError):  # subclassed models keep no per-layer graph
            continue
        result.rows.append(Row(layer.name, type(layer).__name__, in_shape, out_shape, _params(layer)))
    if not result.rows:
        result.rows.append(Row(model.name, type(model).__name__, tuple(x.shape),
                               tuple(getattr(out, "shape", ())), count_params(model)))
    return result


def check_output_shapes(model, cases: Iterable[tuple], name: str = "model output") -> None:
    """For each (input_shape, expected_output_shape), run the model on zeros and check the shape.

    When the call fails, the message names the first layer that rejected its input.
    """
    for in_shape, expected in cases:
        x = np.zeros(in_shape, dtype="float32")
        try:
            out = model(x, training=False)
        except Exception as error:
            raise ShapeCheckError(call_failure_message(
                name, in_shape, "the model", trace(model, in_shape), error)) from None
        check_shape(out, expected, name=f"{name} for input {format_shape(in_shape)}")


def build_block(fn, *args, name: str | None = None, **kwargs):
    """`fn(*args, **kwargs)` for a test: a Keras error while building the learner's block (a
    second `Input`, a layer given the wrong arguments) fails the test with a message that names
    the block (`name`, or the call) and quotes Keras, instead of a raw traceback.

    >>> model = ck.build_block(build_classifier, 1, 28, 10)
    """
    return _build_block(fn, args, kwargs, name, (ValueError, TypeError))


_LAYERS_IN_INIT = ("create every layer once, in __init__ (or in the Sequential or functional model), not inside "
                   "call, so that training updates it")


def check_uses_its_weights(model, input_shape: Sequence, what: str = "the model") -> None:
    """Fail when the model computes with weights it does not own: a layer created inside `call`
    gets fresh random weights at every call, which training never updates.

    Two checks in inference mode on random inputs of `input_shape` (batch axis included): the same
    input twice gives the same output, and with every weight of the model set to zero (then
    restored) the output no longer depends on the input.
    >>> ck.check_uses_its_weights(model, (2, 28, 28, 1), "build_digit_cnn()")
    """
    rng = np.random.default_rng(0)
    x1, x2 = (rng.random(tuple(input_shape), dtype=np.float32) for _ in range(2))
    first = np.asarray(model(x1, training=False))
    check_true(np.array_equal(first, np.asarray(model(x1, training=False)), equal_nan=True),
               f"{what}: two calls on the same input gave different outputs, so some layer gets fresh "
               f"random weights at every call: {_LAYERS_IN_INIT}")
    weights = list(model.weights)
    saved = [np.array(w.numpy()) for w in weights]
    try:
        for w in weights:
            w.assign(np.zeros(tuple(w.shape), dtype=w.dtype))
        out1, out2 = np.asarray(model(x1, training=False)), np.asarray(model(x2, training=False))
    finally:
        for w, kept in zip(weights, saved):
            w.assign(kept)
    check_true(np.allclose(out1, out2, atol=1e-6, equal_nan=True),
               f"{what}: with all of its weights set to zero, the output still depends on the input, so "
               f"some layer computes with weights that are not the model's: {_LAYERS_IN_INIT}")


def train(model, X, y, loss, steps: int = 200, batch_size: int = 64, lr: float = 1e-3,
          seed_value: int = 0, metrics=None, verbose: bool = True) -> TrainResult:
    """Compile with Adam and train for a fixed number of mini-batch steps; returns every step's loss."""
    seed(seed_value)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=metrics or [])
    rng = np.random.default_rng(seed_value)
    X, y = np.asarray(X), np.asarray(y)
    order, pos, losses = rng.permutation(len(X)), 0, []
    start = time.perf_counter()
    with tf.device(device()):
        for _ in range(steps):
            if pos + batch_size > len(order):
                order, pos = rng.permutation(len(X)), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
            out = model.train_on_batch(X[idx], y[idx])
            losses.append(float(out[0] if isinstance(out, (list, tuple)) else out))
    result = TrainResult(losses, device().strip("/").split(":")[0], time.perf_counter() - start, steps)
    if verbose:
        print(result)
    return result


def predict(model, X, batch_size: int = 256) -> np.ndarray:
    """Outputs for all of X in inference mode, as a NumPy array, without Keras's progress bar."""
    return np.asarray(model.predict(np.asarray(X), batch_size=batch_size, verbose=0))


def may_lack_cpu_kernel(exc_type, contains, what: str = "this op"):
    """Run an op that TensorFlow's plain CPU kernels lack (see course/machine.py): it runs on a GPU
    or with oneDNN, raises without. `with ck.may_lack_cpu_kernel(...) as op:` then read `op.ran`."""
    from .machine import may_lack_cpu_kernel as _guard
    return _guard(exc_type, contains, gpu_visible=bool(tf.config.list_physical_devices("GPU")), what=what)
