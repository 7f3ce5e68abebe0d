"""Ops that depend on the machine (TensorFlow's plain CPU kernels vs oneDNN vs a GPU): the guard
accepts only documented outcomes, nothing in the course forces oneDNN either way, and the real ops
behave as the notebooks say under TF_ENABLE_ONEDNN_OPTS=0 and =1."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from course import ExpectationFailed
from course.machine import may_lack_cpu_kernel, onednn_setting


def _guard(gpu=False):
    return may_lack_cpu_kernel(RuntimeError, ["no kernel"], gpu_visible=gpu, what="the op")


@pytest.mark.parametrize("value, setting", [("0", "off"), ("1", "on"), ("true", "on"), ("", None)])
def test_setting_is_read_not_guessed(monkeypatch, value, setting):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", value)
    assert onednn_setting() == setting


def test_documented_outcomes_pass(monkeypatch, capsys):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    with _guard() as op:
        raise RuntimeError("there is no kernel for that here")
    assert op.ran is False and "no kernel on this CPU path" in capsys.readouterr().out
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    with _guard() as op:
        pass
    assert op.ran is True
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    for raise_it in (True, False):  # unset: the CPU decides, both are fine
        with _guard() as op:
            if raise_it:
                raise RuntimeError("no kernel")
        assert op.ran is (not raise_it)


def test_contradictions_fail_loudly(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    with pytest.raises(ExpectationFailed, match="documented to lack it"):
        with _guard():
            pass  # ran although oneDNN is off
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    with pytest.raises(ExpectationFailed, match="should run"):
        with _guard():
            raise RuntimeError("no kernel")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    with pytest.raises(ExpectationFailed, match="a GPU is visible"):
        with _guard(gpu=True):
            raise RuntimeError("no kernel")


def test_other_errors_surface_unchanged(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    with pytest.raises(ValueError, match="unrelated"):
        with _guard():
            raise ValueError("unrelated")


PROBE = """
import numpy as np, tensorflow as tf
from course import keras as ck
from keras import layers
with ck.may_lack_cpu_kernel(tf.errors.UnimplementedError, ["NHWC"]) as a:
    layers.Conv2D(2, 3, data_format="channels_first")(np.zeros((1, 1, 8, 8), "float32"))
with ck.may_lack_cpu_kernel(tf.errors.InvalidArgumentError, ["dilation rates larger than 1"]) as b:
    layers.Conv2DTranspose(1, 3, dilation_rate=2)(np.zeros((1, 5, 5, 1), "float32"))
print("RESULT", a.ran, b.ran)
"""


@pytest.mark.parametrize("value, ran", [("0", "False False"), ("1", "True True")])
def test_real_ops_follow_the_setting(value, ran):
    """The real TensorFlow behaviour the notebooks teach, under both explicit settings."""
    env = {**__import__("os").environ, "TF_ENABLE_ONEDNN_OPTS": value}
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"RESULT {ran}" in proc.stdout, proc.stdout[-2000:]


FORCING = re.compile(r"""TF_ENABLE_ONEDNN_OPTS["']?\s*\]?\s*[:?]?=(?!=)|["']TF_ENABLE_ONEDNN_OPTS["']\s*:"""
                     r"""|setdefault\(\s*["']TF_ENABLE_ONEDNN_OPTS|putenv\(\s*["']TF_ENABLE_ONEDNN_OPTS""")


def _code_lines(path):
    """Prose (markdown cells, comments) may name the variable; only code could set it."""
    return "\n".join(ln for ln in path.read_text().splitlines() if not ln.lstrip().startswith("#"))


def test_nothing_the_learner_or_grader_runs_forces_onednn():
    """Learners and graders keep their CPU's default; only tests set the variable."""
    places = [ROOT / "nbgrader_config.py", *(ROOT / "course").rglob("*.py"), *(ROOT / "autograder").rglob("*.py"),
              *(ROOT / "notebooks").rglob("*.py"), *(ROOT / "tools").rglob("*.py"), ROOT / "Makefile"]
    forcing = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in places if p.is_file()
               for m in FORCING.finditer(_code_lines(p))]
    assert not forcing, forcing
    for setter in ('os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"', 'env.update(TF_ENABLE_ONEDNN_OPTS="0")',
                   'export TF_ENABLE_ONEDNN_OPTS := 1', '{"TF_ENABLE_ONEDNN_OPTS": "1"}'):
        assert FORCING.search(setter), setter  # the check can fire
