"""The shape doctor on shape errors people reported in public (issue 20, item 4).

Each case is rebuilt from a public report (its address is in the case), none from the course's
notebooks: small models and data that raise the same framework error under the pinned versions.
The case runs in this process, the real framework raises, and the doctor's own entry point
(`course.doctor.diagnose`, what the IPython hook calls) reads the error: the test asserts the culprit
the diagnosis names in its first line and the shapes it shows. Six controls (dtype, NameError, the
learner's own assertion, an index into a list, Keras given strings, a KeyError) must get nothing.
All cases of a framework share one process, so the set costs seconds, not kernels.
"""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.xdist_group("doctor-regression")

TORCH = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
KERAS = "import numpy as np\nimport keras\nfrom keras import layers\n"

# (id, public source, code that raises, culprit named in the head line, texts the diagnosis shows)
TORCH_CASES = [
    ("linear-after-view", "https://androidkt.com/fix-runtimeerror-mat1-and-mat2-shapes-cannot-be-multiplied/", """
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(1050, 10)
    def forward(self, x):
        x = self.conv2(self.conv1(x))
        return self.out(x.view(x.size(0), -1))
CNN()(torch.zeros(2, 1, 28, 28))""", "out", ["(2, 1568)", "in_features = 1050", "(*, 1050)"]),
    ("linear-features", "https://scientyficworld.org/fix-hidden-layer-shape-mismatches-in-pytorch/", """
class BadMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 16)
    def forward(self, x):
        return self.fc(x)
BadMLP()(torch.zeros(8, 12))""", "fc", ["(8, 12)", "takes (*, 10); the data is (8, 12)"]),
    ("view-400", "https://github.com/pytorch/pytorch/issues/38469", """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.pool, self.conv2 = nn.Conv2d(3, 6, 5), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc1(x.view(-1, 16 * 5 * 5))
Net()(torch.zeros(6, 3, 21, 21))""", "Net.forward", ["(-1, 400)", "holds 384", "(6, 16, 2, 2)"]),
    ("view-tokens", "https://github.com/ashutosh1807/PixelFormer/issues/18", """
class SAM(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)
    def forward(self, v):
        v = self.proj(v)
        return v.view(2, 34, 34, 8)
SAM()(torch.zeros(2, 1089, 8))""", "SAM.forward", ["(2, 34, 34, 8)", "holds 17424", "v (2, 1089, 8)"]),
    ("lstm-input-size", "https://github.com/ljynlp/W2NER/issues/23", """
class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1024, 64, batch_first=True)
    def forward(self, x):
        return self.lstm(x)[0]
Encoder()(torch.zeros(2, 7, 768))""", "lstm", ["(2, 7, 768)", "input_size = 1024, the input has 768", "(N, L, 1024)"]),
    ("gru-input-size", "https://github.com/uoe-agents/LIAM/issues/3", """
rnn = nn.GRU(28, 64)
rnn(torch.zeros(1, 10, 31))""", "GRU", ["(1, 10, 31)", "input_size = 28, the input has 31"]),
    ("lstm-after-embedding", "https://github.com/xiaojunxu/SQLNet/issues/59", """
class Q(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 100)
        self.lstm = nn.LSTM(300, 32, batch_first=True)
    def forward(self, ids):
        return self.lstm(self.emb(ids))[0]
Q()(torch.zeros(4, 9, dtype=torch.long))""", "lstm", ["(4, 9, 100)", "input_size = 300, the input has 100"]),
    ("lstm-batched-states-2d", "https://github.com/dion-jy/lstm-vae-torch/issues/2", """
class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, batch_first=True)
    def forward(self, x, h):
        return self.lstm(x, (h, h))[0]
Decoder()(torch.zeros(4, 5, 8), torch.zeros(4, 16))""", "lstm", ["(4, 5, 8)", "3-D too", "(2-D, 2-D)"]),
    ("lstm-hidden-batch", "https://github.com/pytorch/pytorch/pull/3925", """
lstm = nn.LSTM(16, 256)
h = torch.zeros(1, 32, 256)
lstm(torch.zeros(10, 64, 16), (h, h))""", "LSTM", ["(1, 64, 256)", "(1, 32, 256)", "axis 1 (64 vs 32)"]),
    ("gru-hidden-size", "https://github.com/pytorch/pytorch/pull/115542", """
gru = nn.GRU(10, 20, batch_first=True)
gru(torch.zeros(2, 3, 10), torch.zeros(1, 2, 19))""", "GRU", ["(1, 2, 20)", "(1, 2, 19)", "axis 2 (20 vs 19)"]),
    ("einsum-graph-conv", "https://github.com/nnzhan/MTGNN/issues/37", """
class NConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Conv2d(4, 4, 1)
    def forward(self, x, A):
        x = torch.einsum('ncvl,vw->ncwl', self.mlp(x), A)
        return x
NConv()(torch.zeros(2, 4, 321, 12), torch.zeros(137, 137))""", "NConv.forward", ["subscript v", "137", "321", "A (137, 137)"]),
    ("einsum-squeezed", "https://github.com/vvvb-github/AVSegFormer/issues/9", """
class Fusion(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(256, 256)
    def forward(self, feature_map, audio):
        x = self.fc(audio)
        return torch.einsum('bchw,bc->bchw', feature_map, x.squeeze())
Fusion()(torch.zeros(1, 256, 8, 8), torch.zeros(1, 256))""", "Fusion.forward", ["operand 1", "2 subscripts", "1 axes", "x (1, 256)"]),
    ("einsum-feature-size", "https://github.com/Applied-Machine-Learning-Lab/HAMUR/issues/3", """
class Adapter(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(256, 8))
        self.fc = nn.Linear(16, 128)
    def forward(self, x):
        h = self.fc(x)
        return torch.einsum('bf,fk->bk', h, self.W)
Adapter()(torch.zeros(4, 16))""", "Adapter.forward", ["subscript f", "256", "128", "h (4, 128)"]),
    ("bmm-inner", "https://github.com/pytorch/pytorch/issues/41070", """
class Scores(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k = nn.Linear(10, 4), nn.Linear(10, 6)
    def forward(self, x):
        return torch.bmm(self.q(x), self.k(x))
Scores()(torch.zeros(2, 5, 10))""", "Scores.forward", ["(2, 4)", "(2, 5)", "batched matrix product"]),
    ("mha-embed-dim", "https://github.com/pytorch/pytorch/issues/28719", """
att = nn.MultiheadAttention(16, 2)
q = torch.zeros(5, 3, 8)
att(q, q, q)""", "MultiheadAttention", ["(5, 3, 8)", "embed_dim = 16", "(L, N, 16)"]),
    ("transformer-d-model", "https://github.com/pytorch/pytorch/issues/89683", """
enc = nn.TransformerEncoderLayer(16, 2)
enc(torch.zeros(5, 3, 12))""", "self_attn", ["(5, 3, 12)", "embed_dim = 16 (the last axis of query, key and value); the input has 12"]),
    ("mha-attn-mask", "https://github.com/ltttpku/CMD-SE-release/issues/3", """
class HOI(nn.Module):
    def __init__(self):
        super().__init__()
        self.parse_attn = nn.MultiheadAttention(32, 4)
    def forward(self, x, mask):
        return self.parse_attn(x, x, x, attn_mask=mask)[0]
HOI()(torch.zeros(109, 2, 32), torch.zeros(25, 25, dtype=torch.bool))""", "parse_attn", ["(109, 109)", "(25, 25)"]),
    ("embedding-index", "https://openillumi.com/pytorch-fix-embedding-index-error", """
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 2)
        self.out = nn.Linear(2, 3)
    def forward(self, ids):
        return self.out(self.embed(ids))
Tagger()(torch.tensor([[3, 9, 10]]))""", "embed", ["(1, 3)", "from 3 to 10", "num_embeddings = 10"]),
    ("state-dict-width", "https://github.com/jianbo909/efficientFCN/issues/5", """
def net(width):
    return nn.Sequential(nn.Sequential(nn.Conv2d(3, width, 3), nn.BatchNorm2d(width)), nn.ReLU())
net(32).load_state_dict(net(64).state_dict())""", "0.0.weight", ["(64, 3, 3, 3)", "(32, 3, 3, 3)", "no forward ran",
                                                              "0.1.running_mean (64,) vs (32,)"]),
    ("state-dict-head", "https://github.com/nkolot/SPIN/issues/58", """
class Classifier(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.head = nn.Linear(16, classes)
old = Classifier(10).state_dict()
Classifier(5).load_state_dict(old)""", "head.weight", ["(10, 16)", "(5, 16)", "head.bias (10,) vs (5,)"]),
    ("unet-odd-skip", "https://github.com/bigmb/Unet-Segmentation-Pytorch-Nest-of-Unets/issues/55", """
class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(4, 4, 2, stride=2)
    def forward(self, x):
        e4 = self.enc(x)
        d5 = self.up(self.pool(e4))
        return torch.cat((e4, d5), dim=1)
UNet()(torch.zeros(1, 1, 61, 61))""", "UNet.forward", ["61 where tensor number 1 has 60", "e4 (1, 4, 61, 61)", "d5 (1, 4, 60, 60)"]),
    ("unet-222", "https://github.com/ptrblck/pytorch_misc/issues/2", """
class Up(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
    def forward(self, x, skip):
        return torch.cat([self.up(x), skip], dim=1)
class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.inc, self.down = nn.Conv2d(3, 8, 3, padding=1), nn.MaxPool2d(2)
        self.up2 = Up()
    def forward(self, x):
        x1 = self.down(self.inc(x))
        x2 = self.down(x1)
        return self.up2(x2, x1)
UNet()(torch.zeros(1, 3, 222, 222))""", "Up.forward", ["110 where tensor number 1 has 111", "skip (1, 8, 111, 111)"]),
    ("channels-last-square", "https://github.com/LeeJunHyun/Image_Segmentation/issues/29", """
net = nn.Sequential(nn.Conv2d(3, 64, 3), nn.ReLU())
net(torch.zeros(1, 64, 64, 3))""", "0", ["(1, 64, 64, 3)", "channels-last (N, H, W, C)", "takes (N, 3, H, W)"]),
    ("channels-last-wide", "https://github.com/midasklr/facelandmarks/issues/4", """
class Landmarks(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, 3)
        self.fc = nn.Linear(10, 4)
    def forward(self, x):
        return self.fc(self.conv1(x).mean((2, 3)))
Landmarks()(torch.zeros(1, 36, 42, 3))""", "conv1", ["(1, 36, 42, 3)", "channels-last (N, H, W, C)"]),
    ("grayscale-into-rgb", "https://github.com/avBuffer/UNet3plus_pth/issues/19", """
net = nn.Sequential(nn.Conv2d(3, 64, 3), nn.ReLU())
net(torch.zeros(1, 1, 32, 32))""", "0", ["(1, 1, 32, 32)", "takes (N, 3, H, W); the data is (1, 1, 32, 32)"]),
    ("dataloader-sizes", "https://github.com/milesial/Pytorch-UNet/issues/285", """
images = [torch.zeros(3, 54, 38), torch.zeros(3, 79, 58)]
next(iter(torch.utils.data.DataLoader(images, batch_size=2)))""", "collate", ["(3, 54, 38)", "(3, 79, 58)"]),
    ("bce-logits-target", "https://github.com/pytorch/pytorch/issues/25663", """
criterion = nn.BCEWithLogitsLoss()
criterion(torch.zeros(16, 1), torch.zeros(16))""", "BCEWithLogitsLoss", ["(16, 1)", "(16,)", "ranks differ"]),
    ("bce-logits-mask", "https://github.com/milesial/Pytorch-UNet/issues/244", """
criterion = nn.BCEWithLogitsLoss()
criterion(torch.zeros(1, 1, 32, 32), torch.zeros(1, 3, 32, 32))""", "BCEWithLogitsLoss", ["(1, 1, 32, 32)", "(1, 3, 32, 32)", "1 (1 vs 3)"]),
    ("bce-probabilities", "https://github.com/pytorch/pytorch/issues/1939", """
nn.BCELoss()(torch.sigmoid(torch.zeros(64, 1)), torch.zeros(64))""", "BCELoss", ["(64, 1)", "(64,)"]),
    ("bce-logits-classes", "https://github.com/pochih/FCN-pytorch/issues/15", """
nn.BCEWithLogitsLoss()(torch.zeros(2, 20, 8, 8), torch.zeros(2, 32, 8, 8))""", "BCEWithLogitsLoss", ["(2, 20, 8, 8)", "(2, 32, 8, 8)", "1 (20 vs 32)"]),
]

KERAS_CASES = [
    ("lstm-rank-2", "https://github.com/shreyans29/thesemicolon/issues/5", """
keras.Sequential([keras.Input((15,)), layers.LSTM(30, return_sequences=True)])""",
     "lstm", ["(None, 15)", "(N, timesteps, features)", "3 axes"]),
    ("lstm-data-rank", "https://github.com/tensorflow/tensorflow/issues/48138", """
model = keras.Sequential([keras.Input((60, 1)), layers.LSTM(8), layers.Dense(1)])
model(np.zeros((1, 60, 3), "float32"))""", "lstm", ["declares its input as (None, 60, 1)", "the data is (1, 60, 3)"]),
    ("lstm-after-embedding-4d", "https://github.com/keras-team/keras/issues/7403", """
inputs = keras.Input((72, 10))
embed = layers.Embedding(100, 8)(inputs)
layers.LSTM(16)(embed)""", "lstm", ["(None, 72, 10, 8)", "3 axes", "it received 4"]),
    ("fit-cardinality", "https://openillumi.com/en/en-fix-keras-lstm-data-cardinality-ambiguous", """
model = keras.Sequential([keras.Input((99, 12)), layers.LSTM(4), layers.Dense(99)])
model.compile("adam", "mse")
model.fit(np.zeros((1, 99, 12), "float32"), np.zeros((99, 1), "float32"), verbose=0)""",
     "fit data", ["x (1, 99, 12), y (99, 1)", "x has 1, y has 99"]),
    ("embedding-vocab", "https://github.com/keras-team/keras/issues/11819", """
layer = layers.Embedding(50, 4)
layer(np.array([[3, 50]]))""", "embedding", ["[0, 50)", "index 50"]),
    ("embedding-in-model", "https://github.com/tensorflow/tensorflow/issues/37254", """
model = keras.Sequential([keras.Input((5,)), layers.Embedding(10, 4, name="tokens"), layers.Flatten(), layers.Dense(2)])
model(np.array([[1, 2, 3, 4, 10]]))""", "tokens", ["[0, 10)", "(1, 5)"]),
    ("categorical-vs-labels", "https://github.com/keras-team/keras/issues/12910", """
model = keras.Sequential([keras.Input((12,)), layers.Dense(10, activation="softmax")])
model.compile("adam", "categorical_crossentropy")
model.fit(np.zeros((8, 12), "float32"), np.zeros((8, 6), "float32"), verbose=0)""",
     "loss", ["(None, 10)", "(None, 6)"]),
    ("categorical-int-labels", "https://github.com/keras-team/keras/issues/3109", """
model = keras.Sequential([keras.Input((2,)), layers.Dense(10, activation="softmax")])
model.compile("sgd", "categorical_crossentropy")
model.fit(np.zeros((3, 2), "float32"), np.array([[2], [3], [7]]), verbose=0)""",
     "loss", ["(None, 10)", "(None, 1)"]),
    ("channels-first-data", "https://github.com/chsasank/Traffic-Sign-Classification.keras/issues/4", """
model = keras.Sequential([keras.Input((48, 48, 3)), layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(4)])
model(np.zeros((8, 3, 48, 48), "float32"))""", "conv2d", ["(None, 48, 48, 3)", "(8, 3, 48, 48)", "axes look swapped"]),
    ("channels-first-declared", "https://github.com/keras-team/keras/issues/3844", """
keras.Sequential([keras.Input((1, 128, 128)), layers.Conv2D(64, 3)])""", "conv2d", ["(None, 1, 128, 128)", "window"]),
    ("add-mismatch", "https://github.com/keras-team/keras/issues/7188", """
x = keras.Input((3, 32, 32))
y = layers.Conv2D(3, (3, 3), padding="same")(x)
layers.Add()([x, y])""", "add", ["(3, 32, 32)", "(3, 32, 3)"]),
    ("weights-vocab", "https://github.com/tensorflow/tensorflow/issues/23698", """
layer = layers.Embedding(2490, 8)
layer.build((None, 5))
layer.set_weights([np.zeros((2489, 8), "float32")])""", "embedding", ["(2490, 8)", "(2489, 8)", "no call ran"]),
]

CONTROLS = [
    ("torch-dtype", TORCH + "nn.Linear(3, 4)(torch.zeros(2, 3, dtype=torch.float64))"),
    ("torch-name-error", TORCH + "nn.Linear(3, 4)(undefined_batch)"),
    ("torch-own-assert", TORCH + """
class Checked(nn.Module):
    def forward(self, x):
        assert x.shape[1] == 3, f"expected 3 channels, got shape {tuple(x.shape)}"
        return x
Checked()(torch.zeros(2, 4, 8, 8))"""),
    ("torch-list-index", TORCH + """
class Picker(nn.Module):
    def forward(self, xs):
        return xs[3]
Picker()([torch.zeros(2, 3)])"""),
    ("keras-strings", KERAS + 'keras.Sequential([keras.Input((4,)), layers.Dense(1)])(np.array([["a"] * 4]))'),
    ("keras-key-error", KERAS + """
class Lookup(keras.Model):
    def call(self, x):
        return {"a": x}["b"]
Lookup()(np.zeros((2, 3), "float32"))"""),
]


def raise_case(code: str) -> BaseException:
    namespace: dict = {}
    try:
        exec(compile(code, "<case>", "exec"), namespace)
    except Exception as error:  # the case's whole point
        return error
    raise AssertionError("the case raised nothing: it no longer reproduces its report")


def diagnosis(code: str):
    """(the doctor's text or "", seconds the diagnosis took, the error)."""
    from course.doctor import diagnose

    error = raise_case(code)
    start = time.perf_counter()
    found = diagnose(error)
    return ("" if found is None else str(found)), time.perf_counter() - start, error


def check(case_id, code, culprit, shows):
    text, seconds, error = diagnosis(code)
    assert text, f"{case_id}: no diagnosis for {type(error).__name__}: {error}"
    head = text.splitlines()[0]
    assert culprit in head, f"{case_id}: {culprit!r} not named in {head!r}\n{text}"
    for s in shows:
        assert s in text, f"{case_id}: {s!r} missing from:\n{text}"
    # Time is measured (benchmarks/doctor.md), not asserted: a loaded CI machine is not a verdict.


@pytest.mark.parametrize("case_id,source,code,culprit,shows", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_torch_case(case_id, source, code, culprit, shows):
    assert source.startswith("https://")
    check(case_id, TORCH + code, culprit, shows)


@pytest.mark.parametrize("case_id,source,code,culprit,shows", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_keras_case(case_id, source, code, culprit, shows):
    assert source.startswith("https://")
    check(case_id, KERAS + code, culprit, shows)


@pytest.mark.parametrize("case_id,code", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_control_stays_quiet(case_id, code):
    text, _, error = diagnosis(code)
    assert text == "", f"{case_id} ({type(error).__name__}: {error}) got a diagnosis:\n{text}"


def test_the_set_is_large_and_from_outside():
    cases = TORCH_CASES + KERAS_CASES
    assert len(cases) >= 40 and len(CONTROLS) >= 6
    assert len({c[0] for c in cases}) == len(cases)
    assert not any("/work/" in c[1] or "notebooks/" in c[1] for c in cases)


# Every Keras layer type the course's notebooks use (grep `layers.` in notebooks/*/*keras.py).
COURSE_KERAS_LAYERS = {
    "Conv2D": "layers.Conv2D(8, 3)", "Dense": "layers.Dense(4)", "MaxPooling2D": "layers.MaxPooling2D(2)",
    "Conv2DTranspose": "layers.Conv2DTranspose(4, 2, strides=2)", "Flatten": "layers.Flatten()",
    "LSTM": "layers.LSTM(4)", "UpSampling2D": "layers.UpSampling2D()", "Reshape": "layers.Reshape((2, 8))",
    "GlobalAveragePooling2D": "layers.GlobalAveragePooling2D()", "ReLU": "layers.ReLU()",
    "BatchNormalization": "layers.BatchNormalization()", "Softmax": "layers.Softmax()",
    "Activation": "layers.Activation('relu')", "Lambda": "layers.Lambda(lambda t: t)",
    "ZeroPadding2D": "layers.ZeroPadding2D(1)", "Cropping2D": "layers.Cropping2D(1)",
    "Resizing": "layers.Resizing(8, 8)", "RNN": "layers.RNN(layers.LSTMCell(4))",
    "LayerNormalization": "layers.LayerNormalization()", "Dropout": "layers.Dropout(0.5)",
    "Conv1D": "layers.Conv1D(8, 3)", "Concatenate": "layers.Concatenate()",
    "AveragePooling2D": "layers.AveragePooling2D(2)",
}


@pytest.mark.parametrize("kind", sorted(COURSE_KERAS_LAYERS))
def test_every_course_keras_layer_has_an_expectation_with_axes(kind):
    pytest.importorskip("keras")
    from keras import layers  # noqa: F401  (used by the eval below)
    from course.doctor.keras_half import _expects

    layer = eval(COURSE_KERAS_LAYERS[kind])
    said = _expects(layer)
    assert "a different shape" not in said and ("(N" in said or "axis" in said), f"{kind}: {said}"
