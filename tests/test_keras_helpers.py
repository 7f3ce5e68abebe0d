"""course.keras: traces with Keras's own shape inference, output-shape checks, training."""
import numpy as np
import pytest

from course import ShapeCheckError
from course import keras as ck

keras = ck.keras


def fixed():
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, name="conv"),
                             keras.layers.Flatten(name="flat"), keras.layers.Dense(10, name="fc")])


def test_trace_sequential_layer_by_layer():
    t = ck.trace(fixed(), (None, 28, 28, 1))
    assert t.ok and t.output_shape == (None, 10)
    assert t.layer("flat").output_shape == (None, 26 * 26 * 4)
    assert t.layer("fc").params == 26 * 26 * 4 * 10 + 10


def test_trace_failure_names_layer_expectation_and_input():
    t = ck.trace(fixed(), (None, 28, 28, 3))
    assert not t.ok and t.failure.name == "conv"
    assert str(t.failure) == "layer conv (Conv2D) expects (N, H, W, 1), got (None, 28, 28, 3)"


def test_trace_dense_after_flatten_size_mismatch():
    m = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3, name="fc")])
    t = ck.trace(m, (None, 12))
    assert t.failure.name == "fc" and t.failure.expects == "(..., 10)" and t.failure.got == (None, 12)


def test_trace_functional_model():
    inp = keras.Input((8, 8, 1))
    out = keras.layers.Dense(2, name="head")(keras.layers.GlobalAveragePooling2D(name="gap")(inp))
    t = ck.trace(keras.Model(inp, out), (None, 8, 8, 1))
    assert t.ok and t.layer("gap").output_shape == (None, 1) and t.layer("head").output_shape == (None, 2)


def test_check_output_shapes():
    ck.check_output_shapes(fixed(), [((1, 28, 28, 1), (1, 10)), ((7, 28, 28, 1), (7, 10))])
    with pytest.raises(ShapeCheckError, match=r"failed: layer conv \(Conv2D\) expects \(N, H, W, 1\), got \(7, 28, 28, 3\)"):
        ck.check_output_shapes(fixed(), [((7, 28, 28, 3), (7, 10))])
    with pytest.raises(ShapeCheckError, match=r"expected shape \(7, 2\), got \(7, 10\)"):
        ck.check_output_shapes(fixed(), [((7, 28, 28, 1), (7, 2))])


def test_train_learns_and_reports():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 4)).astype("float32")
    y = (X[:, 0] > 0).astype("int64")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)])
    result = ck.train(model, X, y, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      steps=120, batch_size=32, lr=1e-2, verbose=False)
    assert len(result.losses) == 120 and result.device in ("CPU", "GPU")
    assert np.mean(result.losses[-10:]) < 0.5 * np.mean(result.losses[:10])
    assert (ck.predict(model, X).argmax(1) == y).mean() > 0.9
    assert "Keras 3" in ck.device_report()


def test_build_block_names_the_block_and_quotes_keras():
    def block_with_its_own_input(channels):
        return keras.Sequential([keras.Input((28, 28, 1)), keras.Input((28, 28, 1)),
                                 keras.layers.Conv2D(channels, 3)])

    with pytest.raises(ShapeCheckError) as info:
        ck.build_block(block_with_its_own_input, 8)
    message = str(info.value)
    assert message.startswith("block_with_its_own_input(8) failed while building the block (ValueError: ")
    with pytest.raises(ShapeCheckError, match=r"^the decoder failed while building the block \(ValueError: "):
        ck.build_block(keras.layers.Conv2D, 8, 3, padding="sideways", name="the decoder")
    assert isinstance(ck.build_block(keras.layers.Dense, 3), keras.layers.Dense)


def test_build_block_lets_an_unanswered_exercise_through():
    def unanswered():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        ck.build_block(unanswered)


class _LayerInCall(keras.Model):
    """The usual mistake: the head is made inside call, so every call gets fresh random weights."""

    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(4, 3, activation="relu")
        self.flat = keras.layers.Flatten()

    def call(self, x):
        return keras.layers.Dense(10)(self.flat(self.conv(x)))


class _LayersInInit(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(4, 3, activation="relu")
        self.norm = keras.layers.BatchNormalization()
        self.pool = keras.layers.GlobalAveragePooling2D()
        self.head = keras.layers.Dense(10, activation="softmax")

    def call(self, x):
        return self.head(self.pool(self.norm(self.conv(x))))


def test_check_uses_its_weights_passes_proper_models_and_restores_weights():
    ck.seed(0)
    for model in (fixed(), _LayersInInit()):
        model(np.zeros((1, 28, 28, 1), "float32"))
        before = [np.array(w.numpy()) for w in model.weights]
        ck.check_uses_its_weights(model, (2, 28, 28, 1), "a proper model")
        assert all(np.array_equal(b, w.numpy()) for b, w in zip(before, model.weights))


def test_check_uses_its_weights_fails_a_layer_made_in_call():
    ck.seed(0)
    with pytest.raises(ShapeCheckError, match=r"^a head made in call: .*create every layer once, in __init__"):
        ck.check_uses_its_weights(_LayerInCall(), (2, 28, 28, 1), "a head made in call")


def test_check_uses_its_weights_fails_a_deterministic_layer_made_in_call():
    class FixedSeed(keras.Model):   # same fresh weights at every call: only the zeroing catches it
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(4, 3)

        def call(self, x):
            self.conv(x)
            return keras.layers.Conv2D(2, 3, kernel_initializer=keras.initializers.Constant(0.1))(x)

    with pytest.raises(ShapeCheckError, match=r"with all of its weights set to zero, the output still depends"):
        ck.check_uses_its_weights(FixedSeed(), (2, 9, 7, 1), "fixed")
