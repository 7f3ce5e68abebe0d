"""Importing a helper changes nothing (issue 18, item 2).

`import course`, `from course import torch / keras`, `%load_ext course` and a diagnosis by the shape
doctor (which imports its tracer) must leave thread counts, TF32 / cuDNN flags, environment
variables, logger levels and random states exactly as they were. Tuning is the explicit
`use_course_settings()` call of a notebook's setup cell.

One fresh Python process per framework runs the steps in order inside an IPython shell and reports,
for each step, which of those settings it changed. The same process also runs small "leaky helpers"
(each sets one thing at import, as course/torch.py and course/keras.py used to): the comparison
must name each of them, so the check is shown to fail on a helper that sets something.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

pytestmark = pytest.mark.xdist_group("import-side-effects")

SNAPSHOT = textwrap.dedent('''
    import json, logging, os, random, sys
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell

    FRAMEWORK, STEPS = sys.argv[1], json.loads(sys.argv[2])
    shell = InteractiveShell.instance()
    shell.run_cell("import torch" if FRAMEWORK == "torch" else "import tensorflow as tf\\nimport keras")

    def digest(obj):
        import hashlib, pickle
        return hashlib.sha1(pickle.dumps(obj)).hexdigest()

    def snapshot():
        state = {"env": dict(os.environ),
                 "loggers": {name: lg.level for name, lg in logging.Logger.manager.loggerDict.items()
                             if isinstance(lg, logging.Logger) and lg.level != logging.NOTSET},
                 "root logger": logging.getLogger().level,
                 "python random": digest(random.getstate()),
                 "numpy random": digest(np.random.get_state())}
        if FRAMEWORK == "torch":
            import torch
            state.update({"torch threads": torch.get_num_threads(),
                          "torch interop threads": torch.get_num_interop_threads(),
                          "matmul tf32": torch.backends.cuda.matmul.allow_tf32,
                          "cudnn tf32": torch.backends.cudnn.allow_tf32,
                          "cudnn deterministic": torch.backends.cudnn.deterministic,
                          "cudnn benchmark": torch.backends.cudnn.benchmark,
                          "float32 matmul precision": torch.get_float32_matmul_precision(),
                          "torch random": digest(torch.get_rng_state().numpy().tobytes())})
        else:
            import tensorflow as tf
            state.update({"tf intra-op threads": tf.config.threading.get_intra_op_parallelism_threads(),
                          "tf inter-op threads": tf.config.threading.get_inter_op_parallelism_threads(),
                          "tf32": tf.config.experimental.tensor_float_32_execution_enabled(),
                          "tensorflow logger": tf.get_logger().level})
        return state

    report = []
    for step in STEPS:
        before = snapshot()
        result = shell.run_cell(step)
        after = snapshot()
        changed = sorted(k for k in before if before[k] != after[k])
        changed += [f"env {k}" for k in set(before["env"]) ^ set(after["env"])]
        changed += [f"env {k}" for k in before["env"] if k in after["env"] and before["env"][k] != after["env"][k]]
        report.append({"step": step, "changed": changed,
                       "raised": type(result.error_in_exec).__name__ if result.error_in_exec else None})
    print("SNAPSHOT-REPORT " + json.dumps(report))
''')

# A shape error in the learner's code: the doctor diagnoses it and imports its tracer to do so.
# Making the model draws its initial weights (a random state moves): that step is not checked.
TORCH_MODEL = "from torch import nn\nmodel = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))"
TORCH_ERROR = "model(torch.zeros(4, 1, 28, 28))"
KERAS_MODEL = "model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])"
KERAS_ERROR = "model(np.zeros((4, 30), 'float32'))"

# Helpers that each set one thing at import, and what the comparison must name.
TORCH_LEAKS = {
    "torch.set_num_threads(torch.get_num_threads() % 4 + 1)": "torch threads",
    "torch.backends.cuda.matmul.allow_tf32 = not torch.backends.cuda.matmul.allow_tf32": "matmul tf32",
    "torch.backends.cudnn.deterministic = not torch.backends.cudnn.deterministic": "cudnn deterministic",
    "os.environ['COURSE_LEAK'] = '1'": "env COURSE_LEAK",
    "import logging; logging.getLogger('torch').setLevel(logging.ERROR)": "loggers",
    "np.random.seed(0)": "numpy random",
    "torch.manual_seed(0)": "torch random",
}
# TensorFlow takes thread counts only before its runtime starts (making a model starts it).
KERAS_THREAD_LEAK = {"tf.config.threading.set_intra_op_parallelism_threads(1)": "tf intra-op threads"}
KERAS_LEAKS = {
    "tf.get_logger().setLevel('ERROR')": "tensorflow logger",
    "tf.config.experimental.enable_tensor_float_32_execution(False)": "tf32",
    "os.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'": "env TF_CPP_MIN_LOG_LEVEL",
    "keras.utils.set_random_seed(0)": "python random",
}


def run_steps(framework: str, steps: list, **env_changes) -> list:
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="0", MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    env.pop("COURSE_SHAPE_DOCTOR", None)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    prelude = "import os\nimport numpy as np\n"  # the leaky helpers use these names
    steps = [prelude] + steps
    run = subprocess.run([sys.executable, "-c", SNAPSHOT, framework, json.dumps(steps)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("SNAPSHOT-REPORT ")), None)
    assert line is not None, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(line[len("SNAPSHOT-REPORT "):])[1:]


def check(report: list, helpers: list, leaks: dict) -> None:
    by_step = {r["step"]: r for r in report}
    for step in helpers:
        assert by_step[step]["changed"] == [], f"`{step}` changed {by_step[step]['changed']}"
    for step, name in leaks.items():
        assert name in by_step[step]["changed"], f"the check missed what `{step}` set: {by_step[step]}"


@pytest.mark.parametrize("order", ["import first", "doctor first"])
def test_torch_helpers_change_nothing_at_import(order):
    """`course.torch` imported by the learner, or by the doctor to diagnose an error."""
    imported = "from course import torch as ct"
    if order == "import first":
        helpers = ["import course", imported, "%load_ext course", TORCH_ERROR, "import course.doctor"]
    else:
        helpers = ["import course", "%load_ext course", TORCH_ERROR, imported, "import course.doctor"]
    report = run_steps("torch", [TORCH_MODEL] + helpers + list(TORCH_LEAKS), TF_CPP_MIN_LOG_LEVEL="3")
    by_step = {r["step"]: r for r in report}
    assert by_step[TORCH_ERROR]["raised"] == "RuntimeError"
    check(report, helpers, TORCH_LEAKS)


@pytest.mark.parametrize("preset,order", [("set", "import first"), ("unset", "doctor first")])
def test_keras_helpers_change_nothing_at_import(preset, order):
    """With the variables TensorFlow reads at load time set by the caller, and with them unset
    (`course.keras` sets them only while TensorFlow and Keras load); `course.keras` imported by the
    learner before TensorFlow has started, or by the doctor to diagnose an error."""
    imported = "from course import keras as ck"
    if order == "import first":
        steps = ["import course", "%load_ext course", imported, *KERAS_THREAD_LEAK, KERAS_MODEL, KERAS_ERROR]
    else:
        steps = ["import course", "%load_ext course", *KERAS_THREAD_LEAK, KERAS_MODEL, KERAS_ERROR, imported]
    value = lambda v: v if preset == "set" else None
    report = run_steps("keras", steps + list(KERAS_LEAKS), TF_CPP_MIN_LOG_LEVEL=value("3"),
                       KERAS_BACKEND=value("tensorflow"))
    assert {r["step"]: r for r in report}[KERAS_ERROR]["raised"] == "ValueError"
    check(report, ["import course", "%load_ext course", imported, KERAS_ERROR], {**KERAS_THREAD_LEAK, **KERAS_LEAKS})


def test_course_settings_are_one_explicit_call():
    """The tuning the notebooks want is still there, in `use_course_settings()`: it returns the
    device report line, and on this machine's CPU (<= 2 cores) it sets one op thread."""
    code = textwrap.dedent('''
        import os, torch
        from course import torch as ct
        before = torch.get_num_threads()
        line = ct.use_course_settings()
        print(line == ct.device_report(), before, torch.get_num_threads(), os.cpu_count())
    ''')
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    same, before, after, cores = out.stdout.split()
    assert same == "True", out.stderr
    if int(cores) <= 2:
        assert int(after) == 1
    else:
        assert after == before
