"""Messages a self-study learner reads whole: Validate's failure text (issue 17.3)."""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import fairness, release

ROOT = fairness.ROOT
NOTEBOOK = ROOT / "source/02-missing-input-shape/02-missing-input-shape-torch.ipynb"
BAD = fairness.fixture_dir(NOTEBOOK) / "ex1-batch-first" / "bad_hardcoded_features.py"
SOURCES_00 = ROOT / "source" / "00-reading-shapes"


def with_answer(tmp_path, notebook, grade_id, code):
    """A copy of a source notebook with one answer cell replaced, as a learner would write it."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1, grade_id
    cells[0].source = code
    folder = tmp_path / notebook.parent.name
    folder.mkdir()
    for extra in notebook.parent.iterdir():  # the notebook's data files, if any
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copy(extra, folder)
    path = folder / notebook.name
    nbformat.write(nb, path)
    return path


def test_validate_shows_the_whole_failure_message(tmp_path):
    path = with_answer(tmp_path, NOTEBOOK, "ex1-batch-first", BAD.read_text())
    ok, out = release.validate(path)
    assert not ok and "VALIDATION FAILED ON 1 CELL(S)!" in out, out[-3000:]
    lines = [ln.strip() for ln in out.splitlines() if "ShapeCheckError:" in ln]
    assert lines, out[-3000:]
    message = lines[-1]
    # nbgrader's default width would cut this line at 87 characters, inside the shapes.
    assert len(message) > 87 and not message.endswith("..."), message
    assert re.search(r"expected .+, got \S+", message), message


# -- docs/learners.md: every example is what a real run prints --------------------------------------
LEARNERS = (ROOT / "docs" / "learners.md").read_text()


def _between(marker: str) -> str:
    return LEARNERS.split(f"<!-- {marker} -->")[1].split(f"<!-- /{marker} -->")[0].strip()


def test_docs_exercise_failure_is_the_real_visible_test_message():
    """The example under "Check one exercise" is what 00-torch's visible Exercise 1 test prints
    for an answer that forgets the + 1 of the output-size formula."""
    import torch
    from torch import nn

    from course import ShapeCheckError, check_equal
    source = SOURCES_00 / "00-reading-shapes-torch.ipynb"
    test = next(c for c in nbformat.read(source, as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-conv-output-size-test")

    def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
        return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride  # the + 1 forgotten

    namespace = {"torch": torch, "nn": nn, "check_equal": check_equal, "conv_output_size": conv_output_size}
    try:
        exec(fairness.visible_part(test.source), namespace)
    except ShapeCheckError as error:
        printed = f"ShapeCheckError: {error}"
    else:
        raise AssertionError("the wrong answer passed the visible test")
    assert _between("exercise-failure-example") == printed


def test_docs_count_the_locked_packages_as_the_installer_does():
    """tools/env.sh prints `installing the N locked packages`, N = lines of the lock that start a
    requirement (grep -cE '^[A-Za-z0-9]')."""
    assert "count=$(grep -cE '^[A-Za-z0-9]' \"$lock\")" in (ROOT / "tools" / "env.sh").read_text()
    lines = (ROOT / "locks" / "all.txt").read_text().splitlines()
    count = sum(1 for ln in lines if re.match(r"[A-Za-z0-9]", ln))
    assert f"installing the {count} locked\npackages of locks/all.txt" in LEARNERS


ONEDNN_FLAGS = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")


@pytest.mark.skipif(platform.system() != "Linux" or platform.machine() != "x86_64", reason="x86 Linux rule")
def test_docs_onednn_rule_holds_on_this_machine():
    """docs/learners.md: with TF_ENABLE_ONEDNN_OPTS unset, TensorFlow turns oneDNN on exactly when
    the CPU has one of these flags (TensorFlow's DefaultOneDnnPolicy). One machine, one case:
    this CPU's flags against TensorFlow's own answer."""
    assert "'" + "|".join(ONEDNN_FLAGS) + "' /proc/cpuinfo" in LEARNERS  # the docs' grep line
    flags = set(Path("/proc/cpuinfo").read_text().split())
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    proc = subprocess.run([sys.executable, "-c", "from tensorflow.python.util import _pywrap_util_port as p; "
                           "print(p.IsMklEnabled())"], env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"},
                          capture_output=True, text=True)
    assert proc.stdout.strip() == str(bool(flags & set(ONEDNN_FLAGS))), (proc.stdout, proc.stderr[-2000:])
