"""The sample class on the real assignment 00-reading-shapes (PyTorch notebook).

Same format as roster_mini. Answer snippets are written here, not borrowed from the fairness
fixtures, so that each expected reason below is one this file's author checked.
"""
from pathlib import Path

from .spec import Spec

A = "00-reading-shapes"
TORCH, KERAS = "00-reading-shapes-torch", "00-reading-shapes-keras"
ROOT = Path(__file__).resolve().parent.parent


def available() -> bool:
    return all((ROOT / folder / A / f"{nb}.ipynb").exists()
               for folder in ("release", "source") for nb in (TORCH, KERAS))


ALT = {
    "ex1-conv-output-size": (
        "import math\n\n"
        "def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):\n"
        "    span = dilation * (kernel - 1) + 1  # what the kernel covers, holes included\n"
        "    return math.floor((size + 2 * padding - span) / stride) + 1\n"),
    "ex2-conv-transpose-output-size": (
        "def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):\n"
        "    full = (size - 1) * stride + dilation * (kernel - 1) + 1\n"
        "    return full - 2 * padding + output_padding\n"),
    "ex3-predict-shapes": (
        "def _pair(v):\n    return v if isinstance(v, tuple) else (v, v)\n\n"
        "def predict_shapes(input_shape):\n"
        "    n, c, h, w = input_shape\n    shapes = []\n"
        "    for layer in shape_model:  # read the settings, never run the model\n"
        "        if isinstance(layer, nn.ConvTranspose2d):\n"
        "            (kh, kw), (sh, sw), (ph, pw) = layer.kernel_size, layer.stride, layer.padding\n"
        "            (oh, ow), (dh, dw) = layer.output_padding, layer.dilation\n"
        "            h = conv_transpose_output_size(h, kh, sh, ph, oh, dh)\n"
        "            w = conv_transpose_output_size(w, kw, sw, pw, ow, dw)\n"
        "            c = layer.out_channels\n"
        "        elif isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):\n"
        "            (kh, kw), (ph, pw), (dh, dw) = (_pair(layer.kernel_size), _pair(layer.padding),\n"
        "                                            _pair(layer.dilation))\n"
        "            sh, sw = _pair(layer.stride)\n"
        "            h, w = conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw)\n"
        "            c = getattr(layer, 'out_channels', c)\n"
        "        if isinstance(layer, nn.Flatten):\n"
        "            shapes.append((n, c * h * w))\n"
        "        else:\n"
        "            shapes.append((n, c, h, w))\n"
        "    return shapes\n"),
    "ex4-to-channels-first": "def to_channels_first(batch):\n    return batch.movedim(-1, 1)\n",
    "self-check": (  # lists and torch.Size instead of tuples
        "shape_predictions = {'a': [2, 8, 15, 8], 'b': torch.Size([5, 16, 3, 4]), 'c': [4, 3, 10, 6],\n"
        "                     'd': [1, 4, 10, 14], 'e': torch.Size([8, 6, 6, 10])}\n"),
    "ex5-digit-cnn": (
        "def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):\n"
        "    return nn.Sequential(\n"
        "        nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),\n"
        "        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),\n"
        "        nn.Flatten(), nn.LazyLinear(n_classes))\n"),
}

ALT_KERAS = {
    "ex1-conv-output-size": (
        "import math\n\n"
        "def conv_output_size(size, kernel, stride=1, padding='valid', dilation=1):\n"
        "    if padding == 'same':\n        return math.ceil(size / stride)\n"
        "    return math.floor((size - dilation * (kernel - 1) - 1) / stride) + 1\n"),
    "ex4-to-channels-last": "def to_channels_last(batch):\n    return np.moveaxis(batch, 1, -1)\n",
    "ex5-digit-cnn": (
        "def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):\n"
        "    return keras.Sequential([\n"
        "        keras.Input(shape=(height, width, channels)),\n"
        "        layers.Conv2D(8, 3, activation='relu'), layers.MaxPooling2D(2),\n"
        "        layers.Conv2D(16, 3, activation='relu'), layers.MaxPooling2D(2),\n"
        "        layers.Flatten(), layers.Dense(n_classes)])\n"),
}
TAMPER_EX1 = ("import course.checks\n"
              "course.checks.check_equal = lambda *a, **k: None\n"
              "check_equal = lambda *a, **k: None\n\n"
              "def conv_output_size(size, kernel, stride=1, padding={pad!r}, dilation=1):\n"
              "    return 0\n")

STUDENTS = {
    "ada": {TORCH: Spec(solution=True), KERAS: Spec(solution=True)},
    "ben": {TORCH: Spec(answers=ALT), KERAS: Spec(solution=True, answers=ALT_KERAS)},
    "cleo": {TORCH: Spec(solution=True, answers={  # forgets dilation; reshape instead of permute
        "ex1-conv-output-size": ("def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):\n"
                                 "    return (size + 2 * padding - kernel) // stride + 1\n"),
        "ex4-to-channels-first": ("def to_channels_first(batch):\n"
                                  "    n, h, w, c = batch.shape\n    return batch.reshape(n, c, h, w)\n")},
        expect={"ex1-conv-output-size-test": (0, "expected 24, got 26"),
                "ex4-to-channels-first-test": (0, "pixel values moved")}),
        KERAS: Spec(solution=True, answers={  # the same two mistakes, Keras flavour
            "ex1-conv-output-size": ("def conv_output_size(size, kernel, stride=1, padding='valid', dilation=1):\n"
                                     "    if padding == 'same':\n        return -(-size // stride)\n"
                                     "    return (size - kernel) // stride + 1\n"),
            "ex4-to-channels-last": ("def to_channels_last(batch):\n"
                                     "    n, c, h, w = batch.shape\n    return batch.reshape(n, h, w, c)\n")},
            expect={"ex1-conv-output-size-test": (0, "expected 24, got 26"),
                    "ex4-to-channels-last-test": (0, "pixel values moved")})},
    "dev": {nb: Spec(  # the release notebooks, untouched
        expect={"*": (0, "NotImplementedError"),
                "self-check-test": (0, "5 of 5 predictions differ"),
                "train-digit-cnn-test": (0, "the training cell above did not finish")}) for nb in (TORCH, KERAS)},
    "lena": {TORCH: Spec(solution=True, answers={  # silences the checks, then submits wrong answers
        "ex1-conv-output-size": TAMPER_EX1.format(pad=0),
        "ex5-digit-cnn": ("ct.check_output_shapes = lambda *a, **k: None\n\n"
                          "def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):\n"
                          "    return BrokenDigitNet(in_channels, height, width, n_classes)\n")},
        expect={"ex1-conv-output-size-test": (0, "expected 26, got 0"),
                "ex5-digit-cnn-test": (0, "expects (*, 784), got (1, 400)"),
                "train-digit-cnn-test": (0, "the training cell above did not finish")},
        expect_notes=["course helpers were modified"], expect_review=True),
        KERAS: Spec(solution=True, answers={"ex1-conv-output-size": TAMPER_EX1.format(pad="valid")},
                    # the solution's build_digit_cnn uses her conv_output_size, so it breaks too
                    expect={"ex1-conv-output-size-test": (0, "expected 26, got 0"),
                            "ex5-digit-cnn-test": (0, "target_shape=(0,)"),
                            "train-digit-cnn-test": (0, "the training cell above did not finish")},
                    expect_notes=["course helpers were modified"], expect_review=True)},
}

# The real notebook trains a model: give it room even on a loaded 2-core machine.
LIMITS = {"cell_timeout": 300, "notebook_timeout": 900, "memory_mb": 3072}
