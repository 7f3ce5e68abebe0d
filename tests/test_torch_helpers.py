"""course.torch: traces, output-shape checks, training, device choice."""
import numpy as np
import pytest
import torch
from torch import nn

from course import ShapeCheckError
from course import torch as ct


def broken():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d(2), nn.Linear(1568, 10))


def fixed():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568, 10))


def test_trace_records_every_layer():
    t = ct.trace(fixed(), (4, 1, 28, 28))
    assert t.ok and t.output_shape == (4, 10)
    assert [r.kind for r in t.rows] == ["Conv2d", "MaxPool2d", "Flatten", "Linear"]
    assert t.layer("2").output_shape == (4, 1568)
    assert t.layer("3").params == 1568 * 10 + 10
    assert "total params: 15,770" in str(t) and "<table>" in t._repr_html_()
    with pytest.raises(KeyError, match="no layer named"):
        t.layer("fc")


def test_trace_stops_at_the_failing_layer_and_says_what_it_expected():
    t = ct.trace(broken(), (8, 1, 28, 28))
    assert not t.ok and len(t.rows) == 2
    assert (t.failure.name, t.failure.kind, t.failure.got) == ("2", "Linear", (8, 8, 14, 14))
    assert str(t.failure) == "layer 2 (Linear) expects (*, 1568), got (8, 8, 14, 14)"
    assert "✘" in str(t)


def test_trace_names_conv_channel_expectations():
    t = ct.trace(nn.Sequential(nn.Conv2d(3, 4, 3)), (2, 1, 8, 8))
    assert str(t.failure) == "layer 0 (Conv2d) expects (N, 3, H, W), got (2, 1, 8, 8)"


def test_trace_reports_errors_in_forward_code():
    class Cat(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Conv2d(1, 2, 3), nn.Conv2d(1, 2, 1)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], dim=1)

    t = ct.trace(Cat(), (1, 1, 7, 7))
    assert t.failure.name == "forward code after b" and t.failure.kind == "(code in forward)"


def test_trace_leaves_mode_and_hooks_alone():
    m = fixed().train()
    ct.trace(m, (2, 1, 28, 28))
    assert m.training and all(not mod._forward_hooks and not mod._forward_pre_hooks for mod in m.modules())


def test_check_output_shapes_passes_and_fails_with_the_layer():
    ct.check_output_shapes(fixed(), [((1, 1, 28, 28), (1, 10)), ((7, 1, 28, 28), (7, 10))])
    with pytest.raises(ShapeCheckError, match=r"failed: layer 2 \(Linear\) expects \(\*, 1568\), got \(7, 8, 14, 14\)"):
        ct.check_output_shapes(broken(), [((7, 1, 28, 28), (7, 10))])
    with pytest.raises(ShapeCheckError, match=r"expected shape \(7, 11\), got \(7, 10\)"):
        ct.check_output_shapes(fixed(), [((7, 1, 28, 28), (7, 11))])


def test_train_learns_a_separable_task_and_reports_device():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 4)).astype("float32")
    y = (X[:, 0] > 0).astype("int64")
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    result = ct.train(model, X, y, nn.CrossEntropyLoss(), steps=120, batch_size=32, lr=1e-2, verbose=False)
    assert len(result.losses) == 120 and result.device in ("cpu", "cuda")
    assert np.mean(result.losses[-10:]) < 0.5 * np.mean(result.losses[:10])
    acc = (ct.predict(model, X).argmax(1) == y).mean()
    assert acc > 0.9
    assert "trained 120 steps on" in str(result)
    # Back where it came from, so later cells can feed it CPU tensors on a GPU machine too.
    assert next(model.parameters()).device.type == "cpu"
    assert model(torch.zeros(3, 4)).shape == (3, 2)


def test_seeded_training_is_repeatable():
    X = np.random.default_rng(1).normal(size=(64, 3)).astype("float32")
    y = X.sum(1, keepdims=True)
    runs = []
    for _ in range(2):
        ct.seed(0)
        m = nn.Linear(3, 1)
        runs.append(ct.train(m, X, y, nn.MSELoss(), steps=10, batch_size=16, verbose=False).losses)
    assert runs[0] == runs[1]


def test_device_report_is_one_line():
    report = ct.device_report()
    assert "\n" not in report and ("CPU" in report or "GPU" in report)
    assert ct.device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert ct.count_params(fixed()) == 80 + 15690


def test_build_block_names_the_block_and_quotes_pytorch():
    def strided_same(channels):
        return nn.Sequential(nn.Conv2d(1, channels, 3, stride=2, padding="same"))

    with pytest.raises(ShapeCheckError) as info:
        ct.build_block(strided_same, 8)
    assert str(info.value).startswith("strided_same(8) failed while building the block (ValueError: ")
    assert "padding='same' is not supported for strided convolutions" in str(info.value)
    with pytest.raises(ShapeCheckError, match=r"^the encoder failed while building the block \(RuntimeError: "):
        ct.build_block(nn.Linear, -1, 3, name="the encoder")
    assert isinstance(ct.build_block(nn.Linear, 4, out_features=3), nn.Linear)  # builds: returned as is


def test_build_block_lets_an_unanswered_exercise_through():
    def unanswered():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        ct.build_block(unanswered)


class _LinearInForward(nn.Module):
    """Right shapes, but a fresh, unregistered Linear at every call."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)

    def forward(self, x):
        x = torch.flatten(self.conv(x), 1)
        return nn.Linear(x.shape[1], 10)(x)


def test_check_uses_its_parameters_passes_on_models_made_in_init():
    model = fixed()
    before = [p.detach().clone() for p in model.parameters()]
    ct.check_uses_its_parameters(model, (2, 1, 28, 28), "fixed()")
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), before)), "the weights are restored"
    ct.check_uses_its_parameters(nn.Sequential(nn.LazyLinear(3)), (2, 5), "lazy")
    lstm = nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    ct.check_uses_its_parameters(nn.Sequential(lstm), (2, 5, 3), "an LSTM, zeroed, outputs zeros")


def test_check_uses_its_parameters_fails_on_a_layer_made_in_forward():
    with pytest.raises(ShapeCheckError, match=r"net: forward used weights of shape \[\(10, 252\), \(10,\)\].*__init__"):
        ct.check_uses_its_parameters(_LinearInForward(), (2, 1, 9, 11), "net")

    class FirstLayerInForward(nn.Module):      # a fresh layer before a registered one
        def __init__(self):
            super().__init__()
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            out, _ = nn.LSTM(3, 4, batch_first=True)(x)
            return self.head(out[:, -1])

    with pytest.raises(ShapeCheckError, match="forward used weights of shape"):
        ct.check_uses_its_parameters(FirstLayerInForward(), (2, 5, 3), "lstm")

    class RandomWeights(nn.Module):            # fresh weights that are plain tensors, not Parameters
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return self.lin(x) @ torch.randn(3, 2)

    with pytest.raises(ShapeCheckError, match="two calls on the same input gave different outputs"):
        ct.check_uses_its_parameters(RandomWeights(), (2, 3), "rand")

    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(3, 2)

        def forward(self, x):
            return self.a(x)

    ct.check_uses_its_parameters(Unused(), (2, 3), "unused")
    with pytest.raises(ShapeCheckError, match=r"the parameters \['b.weight', 'b.bias'\] made in __init__ are never used"):
        ct.check_uses_its_parameters(Unused(), (2, 3), "unused", all_used=True)
    with pytest.raises(ShapeCheckError, match="holds no parameters"):
        ct.check_uses_its_parameters(nn.Flatten(), (2, 3), "flat")


def test_check_uses_its_parameters_passes_extra_arguments():
    class Up(nn.Module):
        def __init__(self):
            super().__init__()
            self.up = nn.ConvTranspose2d(2, 1, 3, stride=2, padding=1)

        def forward(self, x, size):
            return self.up(x, output_size=size)

    ct.check_uses_its_parameters(Up(), (1, 2, 3, 3), "Up()", extra_args=((6, 6),))
