"""The shape doctor (`%load_ext course`) in real Jupyter kernels, both frameworks.

Each framework gets one kernel (nbclient) that runs a small notebook of real framework errors from
the course's families; every test reads one cell's outputs: the untouched error output first, then
the doctor's text, whose table marks the failing layer with the shape it received.
Kernels run with TF_ENABLE_ONEDNN_OPTS=0 set explicitly (the doctor never reads it).
"""
from __future__ import annotations

import json
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

pytestmark = [pytest.mark.notebooks, pytest.mark.xdist_group("shape-doctor")]

MARK = "◀ fails here"
TITLE = "── shape doctor:"
KERNEL_TIMEOUT = 180


def kernel_env(**extra) -> dict:
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="0", TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow",
               PYTHONWARNINGS="ignore::DeprecationWarning", MPLBACKEND="Agg")
    env.pop("COURSE_SHAPE_DOCTOR", None)
    env.update(extra)
    return env


def run_cells(cells: dict, **env) -> dict:
    """Execute the cells (name -> code, in order) in one fresh kernel; returns name -> executed cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in cells.values()]
    client = NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=kernel_env(**env))
    return dict(zip(cells, nb.cells))


def error_of(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return errors[0] if errors else None


def doctor_text(cell) -> str:
    """The stdout printed after the cell's error output (where the doctor writes)."""
    outs = cell.outputs
    start = next((i for i, o in enumerate(outs) if o.output_type == "error"), len(outs))
    return "".join(o.text for o in outs[start + 1:] if o.output_type == "stream" and o.name == "stdout")


def assert_after_traceback(cell) -> None:
    kinds = [o.output_type if o.output_type != "stream" else o.name for o in cell.outputs]
    assert "stdout" not in kinds[:kinds.index("error")], f"the doctor printed before the traceback: {kinds}"


def marked_row(text: str) -> list:
    """The table row marked as failing: [layer, type, input shape, ...]."""
    rows = [line for line in text.splitlines() if line.rstrip().endswith(MARK)]
    assert len(rows) == 1, f"expected one marked row in:\n{text}"
    return re.split(r"\s{2,}", rows[0].replace(MARK, "").strip())


def rows_before_mark(text: str) -> list:
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    body = []
    for line in lines[head + 2:]:
        if line.rstrip().endswith(MARK):
            return body
        body.append(re.split(r"\s{2,}", line.strip()))
    raise AssertionError(f"no marked row in:\n{text}")


def normalised_error(cell) -> tuple:
    err = error_of(cell)
    return err.ename, err.evalue, [re.sub(r"In\s*\[\d+\]", "In[#]", line) for line in err.traceback]


# --------------------------------------------------------------------------- PyTorch

TORCH_CELLS = {
    "imports": ("import copy, json, sys\nimport torch\nfrom torch import nn\ntorch.manual_seed(0)\n"
                "threads = torch.get_num_threads()"),
    "before-extension": "nn.Sequential(nn.Flatten(), nn.Linear(100, 10))(torch.zeros(4, 1, 28, 28))",
    "load": "%load_ext course",
    "wrong-in-features": "nn.Sequential(nn.Flatten(), nn.Linear(100, 10))(torch.zeros(4, 1, 28, 28))",
    "missing-flatten": (
        "cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Linear(8 * 13 * 13, 10))\n"
        "cnn(torch.zeros(4, 1, 28, 28))"),
    "docs-example": (  # docs/learners.md shows this cell's diagnosis
        "model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Linear(8 * 13 * 13, 10))\n"
        "model(torch.zeros(4, 1, 28, 28))"),
    "lstm-features": (
        "class Tagger(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.lstm = nn.LSTM(10, 16, batch_first=True)\n"
        "        self.head = nn.Linear(16, 3)\n"
        "    def forward(self, x):\n"
        "        out, _ = self.lstm(x)\n"
        "        return self.head(out[:, -1])\n"
        "Tagger()(torch.zeros(5, 7, 12))"),
    "channels-last": "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())(torch.zeros(4, 28, 28, 3))",
    "wrong-in-channels": "nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(16, 4, 3))(torch.zeros(2, 1, 28, 28))",
    "batchnorm-one": "nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU())(torch.zeros(1, 4))",
    "decoder-vs-target": (
        "decoder = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784))\n"
        "nn.MSELoss()(decoder(torch.zeros(4, 32)), torch.zeros(4, 1, 28, 28))"),
    "odd-skip": (
        "class TinyUNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.down = nn.Conv2d(1, 4, 3, stride=2, padding=1)\n"
        "        self.up = nn.ConvTranspose2d(4, 4, 2, stride=2)\n"
        "    def forward(self, x):\n"
        "        skip = x\n"
        "        h = self.up(self.down(x))\n"
        "        return torch.cat([h, skip], dim=1)\n"
        "TinyUNet()(torch.zeros(2, 1, 15, 15))"),
    "not-shape": (
        "class Broken(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return x / 0 + {}['missing']\n"
        "Broken()(torch.zeros(2))"),
    "shape-outside-a-model": "torch.zeros(3) + torch.zeros(4)",
    "off": "%shapes off",
    "while-off": "nn.Linear(3, 4)(torch.zeros(2, 5))",
    "on": "%shapes on",
    "while-on": "nn.Linear(3, 4)(torch.zeros(2, 5))",
    "break-doctor": "import course.doctor.torch_half as _dt\n_saved = _dt.diagnose\n_dt.diagnose = lambda error: 1 / 0",
    "doctor-breaks": "nn.Linear(3, 4)(torch.zeros(2, 5))",
    "mend-doctor": "_dt.diagnose = _saved",
    # State: the same failing call with the doctor on (stateful) and off (twin) must leave the same
    # buffers, modes and RNG state behind.
    "state-setup": (
        "stateful = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 8),\n"
        "                         nn.Dropout(0.3), nn.Linear(9, 2))\n"
        "stateful[4].eval()\n"
        "twin = copy.deepcopy(stateful)"),
    "state-doctor-on": "torch.manual_seed(1)\nstateful(torch.randn(6, 4))",
    "state-after-on": "after_on = (torch.rand(5), copy.deepcopy(stateful.state_dict()), [m.training for m in stateful.modules()])",
    "state-off": "%shapes off",
    "state-doctor-off": "torch.manual_seed(1)\ntwin(torch.randn(6, 4))",
    "state-compare": (
        "%shapes on\n"
        "after_off = (torch.rand(5), twin.state_dict(), [m.training for m in twin.modules()])\n"
        "print(json.dumps({'rng': bool(torch.equal(after_on[0], after_off[0])),\n"
        "    'buffers': all(torch.equal(after_on[1][k], after_off[1][k]) for k in after_off[1]),\n"
        "    'modes': after_on[2] == after_off[2], 'dropout_eval_kept': not stateful[4].training,\n"
        "    'threads': torch.get_num_threads() == threads, 'course.torch': 'course.torch' in sys.modules,\n"
        "    'frameworks': sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)}))"),
}


@pytest.fixture(scope="module")
def torch_run():
    return run_cells(TORCH_CELLS)


# (cell, marked layer, its type, the input shape it got, substrings the doctor's text must hold)
TORCH_CASES = [
    ("wrong-in-features", "1", "Linear", "(4, 784)",
     ["expects (*, 100), got (4, 784)", "4 rows = the batch (4), 784 features arriving", "in_features = 100"]),
    ("missing-flatten", "3", "Linear", "(4, 8, 13, 13)",
     ["416 rows = every axis but the last of the input (4, 8, 13, 13)", "13 features arriving",
      "in_features = 1352"]),
    ("lstm-features", "lstm", "LSTM", "(5, 7, 12)", ["expects (N, L, 10)", "input_size = 10, the input has 12",
                                                    "where it entered: the model's first layer lstm (LSTM) takes (N, L, 10); "
                                                    "the data is (5, 7, 12)"]),
    ("channels-last", "0", "Conv2d", "(4, 28, 28, 3)",
     ["expects (N, 3, H, W)", "28 there, its weight was made for 3", "channels-last (N, H, W, C)"]),
    ("wrong-in-channels", "2", "Conv2d", "(2, 8, 26, 26)", ["expects (N, 16, H, W), got (2, 8, 26, 26)"]),
    ("batchnorm-one", "1", "BatchNorm1d", "(1, 8)", ["training mode", "one value per channel"]),
    ("decoder-vs-target", "MSELoss", "loss", "(4, 784)",
     ["MSELoss: output (4, 784) vs target (4, 1, 28, 28)", "ranks differ: output has 2 axes, target 4",
      "axes that differ: 1 (784 vs 1)"]),
    ("odd-skip", "TinyUNet.forward", "code in forward", "(2, 4, 16, 16)",
     ["concatenation along axis 1", "16 where tensor number 1 has 15", "tensors in forward", "skip (2, 1, 15, 15)",
      "h (2, 4, 16, 16)"]),
]


@pytest.mark.parametrize("cell,layer,kind,got,says", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_torch_error_is_explained(torch_run, cell, layer, kind, got, says):
    out = torch_run[cell]
    assert error_of(out) is not None, f"{cell} raised nothing"
    assert_after_traceback(out)
    text = doctor_text(out)
    assert text.startswith(TITLE), f"no diagnosis after {cell}:\n{out.outputs}"
    if kind == "loss":  # output and target side by side; a one-row table would add nothing
        assert f"at {layer} (loss)" in text.splitlines()[0] and MARK not in text, text
        assert f"{layer} (loss) expects" in text and f"got {got}" in text, text
    else:
        assert marked_row(text)[:3] == [layer, kind, got], text
    for s in says:
        assert s in text, f"{s!r} missing from:\n{text}"


def test_torch_table_lists_the_layers_before_the_failing_one(torch_run):
    rows = rows_before_mark(doctor_text(torch_run["missing-flatten"]))
    assert [r[:4] for r in rows] == [["0", "Conv2d", "(4, 1, 28, 28)", "(4, 8, 26, 26)"],
                                     ["1", "ReLU", "(4, 8, 26, 26)", "(4, 8, 26, 26)"],
                                     ["2", "MaxPool2d", "(4, 8, 26, 26)", "(4, 8, 13, 13)"]]
    skip = rows_before_mark(doctor_text(torch_run["odd-skip"]))  # a custom forward, seen through hooks
    assert [r[:4] for r in skip] == [["down", "Conv2d", "(2, 1, 15, 15)", "(2, 4, 8, 8)"],
                                     ["up", "ConvTranspose2d", "(2, 4, 8, 8)", "(2, 4, 16, 16)"]]


def test_learners_doc_shows_real_output(torch_run):
    doc = (ROOT / "docs" / "learners.md").read_text()
    block = re.search(r"<!-- shape-doctor-example -->\n(.*?)\n<!-- /shape-doctor-example -->", doc, re.S).group(1)
    shown = "\n".join(line[4:] for line in block.splitlines())
    assert shown == doctor_text(torch_run["docs-example"]).rstrip("\n")
    assert error_of(torch_run["docs-example"]).evalue in doc


def test_torch_traceback_is_unchanged(torch_run):
    assert doctor_text(torch_run["before-extension"]) == ""
    assert normalised_error(torch_run["before-extension"]) == normalised_error(torch_run["wrong-in-features"])


def test_torch_other_errors_get_nothing(torch_run):
    for cell in ("not-shape", "shape-outside-a-model", "while-off"):
        assert error_of(torch_run[cell]) is not None, cell
        assert doctor_text(torch_run[cell]) == "", f"{cell}: {doctor_text(torch_run[cell])}"
    assert doctor_text(torch_run["while-on"]).startswith(TITLE)  # %shapes on brings it back
    assert "shape doctor off" in torch_run["off"].outputs[0].text


def test_a_failing_diagnosis_is_one_line(torch_run):
    cell = torch_run["doctor-breaks"]
    assert normalised_error(cell)[:2] == normalised_error(torch_run["while-on"])[:2]
    assert doctor_text(cell) == "(shape doctor: the diagnosis failed: ZeroDivisionError: division by zero)\n"


def test_torch_trace_leaves_buffers_modes_and_rng_alone(torch_run):
    assert doctor_text(torch_run["state-doctor-on"]).startswith(TITLE)  # the trace really ran
    assert doctor_text(torch_run["state-doctor-off"]) == ""
    assert error_of(torch_run["state-compare"]) is None, error_of(torch_run["state-compare"])
    state = json.loads(torch_run["state-compare"].outputs[-1].text.splitlines()[-1])
    # course.torch (the tracer) was imported by the doctor, and its thread setting was put back
    assert state == {"rng": True, "buffers": True, "modes": True, "dropout_eval_kept": True, "threads": True,
                     "course.torch": True, "frameworks": []}


# --------------------------------------------------------------------------- Keras

KERAS_CELLS = {
    "imports": ("%load_ext course\nimport json, random, sys\nimport numpy as np\nimport keras\n"
                "from keras import layers\nkeras.utils.set_random_seed(0)"),
    # first, before any diagnosis has imported course.keras (whose import-time settings must be put back)
    "state-before": (
        "stateful = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.BatchNormalization(),\n"
        "                             layers.Dropout(0.5), layers.Dense(2)])\n"
        "weights = [w.copy() for w in stateful.get_weights()]\n"
        "import tensorflow as tf\ntf.get_logger().setLevel('INFO')  # use_course_settings() sets ERROR; importing must not\n"
        "log_level = tf.get_logger().level\n"
        "np_state, py_state = np.random.get_state(), random.getstate()"),
    "state-error": "stateful(np.zeros((3, 5), 'float32'), training=True)",
    "state-compare": (
        "a = (np.random.rand(3), random.random())\n"
        "np.random.set_state(np_state); random.setstate(py_state)\n"
        "b = (np.random.rand(3), random.random())\n"
        "print(json.dumps({'rng': bool((a[0] == b[0]).all()) and a[1] == b[1],\n"
        "    'weights': all((w == v).all() for w, v in zip(weights, stateful.get_weights())),\n"
        "    'log_level': tf.get_logger().level == log_level, 'course.keras': 'course.keras' in sys.modules,\n"
        "    'frameworks': sorted(m for m in ('torch',) if m in sys.modules)}))"),
    "wrong-features": "dense = keras.Sequential([keras.Input((20,)), layers.Dense(10, name='head')])\ndense(np.zeros((4, 30), 'float32'))",
    "channels-first": (
        "digits = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name='conv'), layers.Flatten(),\n"
        "                           layers.Dense(10)])\n"
        "digits(np.zeros((4, 1, 28, 28), 'float32'))"),
    "lstm-features": "seq = keras.Sequential([keras.Input((7, 12)), layers.LSTM(4, name='lstm')])\nseq(np.zeros((2, 7, 10), 'float32'))",
    "missing-flatten": (
        "cnn = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), layers.MaxPooling2D(2),\n"
        "                        layers.Dense(10, activation='softmax')])\n"
        "cnn.compile('adam', 'sparse_categorical_crossentropy')\n"
        "cnn.fit(np.zeros((8, 28, 28, 1), 'float32'), np.zeros((8,), 'int64'), verbose=0)"),
    "decoder-vs-target": (
        "decoder = keras.Sequential([keras.Input((32,)), layers.Dense(784)])\ndecoder.compile('adam', 'mse')\n"
        "decoder.fit(np.zeros((8, 32), 'float32'), np.zeros((8, 28, 28, 1), 'float32'), verbose=0)"),
    "custom-call": (
        "class Encoder(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = layers.Conv2D(4, 3)\n"
        "        self.code = layers.Dense(3, name='code')\n"
        "    def call(self, x):\n"
        "        h = self.conv(x)\n"
        "        return self.code(keras.ops.reshape(h, (h.shape[0], -1)))\n"
        "encoder = Encoder()\nencoder(np.zeros((2, 8, 8, 1), 'float32'))\n"
        "encoder(np.zeros((2, 9, 9, 1), 'float32'))"),
    "features-vs-target": (
        "clf = keras.Sequential([keras.Input((784,)), layers.Dense(10)])\nclf.compile('adam', 'mse')\n"
        "clf.fit(np.zeros((8, 784), 'float32'), np.zeros((8, 784), 'float32'), verbose=0)"),
    "attribute-name": (  # a layer reused in a subclassed model: named as the learner wrote it
        "class Head(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = layers.Dense(8)\n"
        "        self.dense_200 = layers.Dense(3)\n"
        "    def call(self, x):\n"
        "        return self.dense_200(self.dense_200(self.body(x)))\n"
        "Head()(np.zeros((2, 4), 'float32'))"),
    "odd-skip": (
        "image = keras.Input((15, 15, 1))\n"
        "down = layers.Conv2D(4, 3, strides=2, padding='same')(image)\n"
        "up = layers.Conv2DTranspose(4, 2, strides=2)(down)\n"
        "layers.Concatenate(name='merge')([up, image])"),
}


@pytest.fixture(scope="module")
def keras_run():
    return run_cells(KERAS_CELLS)


KERAS_CASES = [
    ("wrong-features", "head", "Dense", "(4, 30)",
     ["expects (N, ..., 20), got (4, 30)", "built for 20 on axis -1", "the input (4, 30) has 30 there"]),
    ("channels-first", "conv", "Conv2D", "(4, 1, 28, 28)",
     ["expects (N, H, W, 1)", "the input (4, 1, 28, 28) has 28 there", "axes look swapped",
      "the model declares its input as (None, 28, 28, 1)"]),
    ("lstm-features", "lstm", "LSTM", "(2, 7, 10)",
     ["expects (N, timesteps, 12), got (2, 7, 10)", "made for 12 features: 10 and 12 must be equal"]),
    # fit: the table, the loss row and the reading all use the batch axis as None (fit feeds batches)
    ("missing-flatten", "sparse_categorical_crossentropy", "loss", "(None, 13, 13, 10)",
     ["output (None, 13, 13, 10) vs target (None,)", "ranks differ: output has 4 axes, target 1",
      "the model's output (None, 13, 13, 10)", "the data is (8, 28, 28, 1)"]),
    ("decoder-vs-target", "mse (compiled loss)", "loss", "(None, 784)",
     ["output (None, 784) vs target (None, 28, 28, 1)", "axes that differ: 1 (784 vs 28)"]),
    ("custom-call", "code", "Dense", "(2, 196)",
     ["expects (N, ..., 144), got (2, 196)", "custom call()", "tensors in Encoder.call: x (2, 9, 9, 1), h (2, 7, 7, 4)"]),
    ("features-vs-target", "mean_squared_error", "loss", "(None, 10)",
     ["output (None, 10) vs target (None, 784)", "needs two equal sizes but got 784 and 10",
      "[?,784] and [?,10]", "inside the loss"]),
    ("odd-skip", "merge", "Concatenate", "(None, 16, 16, 4)",
     ["(None, 16, 16, 4), (None, 15, 15, 1)", "every axis but the concatenation axis"]),
]


@pytest.mark.parametrize("cell,layer,kind,got,says", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_keras_error_is_explained(keras_run, cell, layer, kind, got, says):
    out = keras_run[cell]
    assert error_of(out) is not None, f"{cell} raised nothing"
    assert_after_traceback(out)
    text = doctor_text(out)
    assert text.startswith(TITLE), f"no diagnosis after {cell}:\n{out.outputs}"
    assert marked_row(text)[:3] == [layer, kind, got], text
    for s in says:
        assert s in text, f"{s!r} missing from:\n{text}"


def test_keras_layer_is_named_by_the_attribute_the_learner_wrote(keras_run):
    text = doctor_text(keras_run["attribute-name"])
    name, kind, got = marked_row(text)[:3]
    assert re.fullmatch(r"self\.dense_200 \(dense(_\d+)?\)", name) and (kind, got) == ("Dense", "(2, 3)"), text
    assert "expects (N, ..., 8)" in text, text


def test_keras_table_lists_the_layers_before_the_failing_one(keras_run):
    rows = rows_before_mark(doctor_text(keras_run["missing-flatten"]))
    assert [r[1:4] for r in rows] == [["Conv2D", "(None, 28, 28, 1)", "(None, 26, 26, 8)"],
                                      ["MaxPooling2D", "(None, 26, 26, 8)", "(None, 13, 13, 8)"],
                                      ["Dense", "(None, 13, 13, 8)", "(None, 13, 13, 10)"]]
    skip = rows_before_mark(doctor_text(keras_run["odd-skip"]))  # the functional graph built so far
    assert [r[1:4] for r in skip] == [["Conv2D", "(None, 15, 15, 1)", "(None, 8, 8, 4)"],
                                      ["Conv2DTranspose", "(None, 8, 8, 4)", "(None, 16, 16, 4)"]]


def test_keras_trace_leaves_weights_and_rng_alone(keras_run):
    assert doctor_text(keras_run["state-error"]).startswith(TITLE)
    assert error_of(keras_run["state-compare"]) is None, error_of(keras_run["state-compare"])
    state = json.loads(keras_run["state-compare"].outputs[-1].text)
    assert state == {"rng": True, "weights": True, "log_level": True, "course.keras": True, "frameworks": []}


@pytest.mark.parametrize("env", [{"COURSE_SHAPE_DOCTOR": "0"}, {"NBGRADER_EXECUTION": "autograde"}],
                         ids=["course-autograder", "nbgrader-autograde"])
def test_doctor_is_inert_in_grading_kernels(env):
    """The course's autograder sets COURSE_SHAPE_DOCTOR=0, `nbgrader autograde` NBGRADER_EXECUTION:
    the extension loads, but says nothing."""
    cells = run_cells({"load": "%load_ext course\nimport torch\nfrom torch import nn",
                       "error": "nn.Linear(3, 4)(torch.zeros(2, 5))", "toggle": "%shapes on"}, **env)
    assert error_of(cells["error"]) is not None and doctor_text(cells["error"]) == ""
    assert "keeps it off here" in cells["toggle"].outputs[0].text


# --------------------------------------------------------------------------- grading

def _nbgrader_cell(code: str, **meta):
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["nbgrader"] = {"schema_version": 3, "solution": False, "grade": False, "locked": False, **meta}
    return cell


GRADED_SETUP = "%load_ext course\nimport torch\nfrom torch import nn"
GRADED_ANSWER = ("def build_classifier():\n    ### BEGIN SOLUTION\n"
                 "    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n    ### END SOLUTION")
WRONG_ANSWER = "def build_classifier():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4 * 26 * 26, 10))"
GRADED_TEST = "out = build_classifier()(torch.zeros(2, 1, 28, 28))\nassert tuple(out.shape) == (2, 10)"


def test_grading_output_has_no_doctor(tmp_path):
    """A course notebook turns the doctor on in its setup cell; graded through the real autograder,
    a shape error in the test cell is scored and shown exactly as the framework raised it."""
    import shutil
    import subprocess
    import sys

    course, assignment, student = tmp_path / "course", "91-doctor-check", "stu"
    name = f"{assignment}-torch.ipynb"
    (course / "source" / assignment).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [_nbgrader_cell(GRADED_SETUP, grade_id="setup", locked=True),
                _nbgrader_cell(GRADED_ANSWER, grade_id="ex1-classifier", solution=True),
                _nbgrader_cell(GRADED_TEST, grade_id="ex1-classifier-test", grade=True, locked=True, points=1)]
    nbformat.write(nb, course / "source" / assignment / name)
    env = kernel_env()
    run = lambda *cmd: subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=600)
    gen = run(sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force")
    assert gen.returncode == 0, gen.stdout + gen.stderr
    released = nbformat.read(course / "release" / assignment / name, as_version=4)
    released.cells[1].source = WRONG_ANSWER
    (course / "submitted" / student / assignment).mkdir(parents=True)
    nbformat.write(released, course / "submitted" / student / assignment / name)

    graded = run(sys.executable, "-m", "autograder", "grade", assignment, "--jobs", "1", "--no-progress")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    out = nbformat.read(course / "autograded" / student / assignment / name, as_version=4)
    test = out.cells[2]
    assert error_of(test) is not None and error_of(test).ename == "RuntimeError", test.outputs
    assert "mat1 and mat2 shapes cannot be multiplied (208x26 and 2704x10)" in error_of(test).evalue
    everything = json.dumps(out) + "".join(p.read_text() for p in (course / "feedback").rglob("*.html"))
    assert "shape doctor" not in everything
    assert doctor_text(test) == ""

    # The control: the same submission in a learner's kernel does get the doctor's diagnosis.
    learner = run_cells({"setup": GRADED_SETUP, "answer": WRONG_ANSWER, "test": GRADED_TEST})
    assert marked_row(doctor_text(learner["test"]))[:3] == ["1", "Linear", "(2, 4, 26, 26)"]
    assert normalised_error(learner["test"])[:2] == normalised_error(test)[:2]
