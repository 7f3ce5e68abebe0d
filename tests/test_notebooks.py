"""Every course notebook: template, generated copies in sync, source passes, release fails,
the notebook runs top to bottom, and the fairness fixtures pass and fail as they should."""
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from tools import fairness, nbbuild, release

SOURCES = sorted((ROOT / "source").glob("*/*.ipynb"))
IDS = [p.stem for p in SOURCES]
HEADINGS = ["## Learning goals", "## Setup", "## Reproduce the error", "## Read the traceback",
            "## Exercise 1", "## Exercise 2", "## Exercise 3", "## Train it", "## Summary"]
FRAMEWORK = {"torch": ("PyTorch", re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b|from course import keras", re.M)),
             "keras": ("Keras", re.compile(r"^\s*(import|from)\s+torch\b|from course import torch", re.M))}


def _nbg(cell):
    return cell.metadata.get("nbgrader", {})


def test_there_are_notebooks():
    assert SOURCES, "no source notebooks found"


def test_source_is_built_from_notebooks_py():
    assert nbbuild.main(["--check"]) == 0


def test_release_is_what_nbgrader_generates():
    assert release.generated_release_differs() == []


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_template_and_metadata(path):
    nb = nbformat.read(path, as_version=4)
    framework = path.stem.rsplit("-", 1)[1]
    label, forbidden = FRAMEWORK[framework]
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    number = path.parent.name[:2]
    assert re.match(rf"# {number} · .+ \({label}\)", nb.cells[0].source), "title line"
    positions = [md.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions), f"missing headings: {[h for h, p in zip(HEADINGS, positions) if p < 0]}"
    assert positions == sorted(positions), "headings out of order"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert _nbg(code[0]).get("grade_id") == "setup" and _nbg(code[0]).get("locked")
    assert not any(c.outputs for c in code), "source notebooks are kept without outputs"
    assert not forbidden.search("\n".join(c.source for c in code)), f"{label} notebook imports the other framework"
    answers = [c for c in code if _nbg(c).get("solution")]
    tests = [c for c in code if _nbg(c).get("grade")]
    assert len(answers) >= 3 and len(tests) >= 3
    for t in tests:
        assert _nbg(t)["locked"] and _nbg(t)["points"] > 0
    for h in re.findall(r"## Exercise \d+ \((\d+) points?\)", md):
        assert int(h) > 0
    ids = [c["id"] for c in nb.cells]
    assert len(ids) == len(set(ids)), "duplicate cell ids"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_every_answer_has_fairness_fixtures(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if _nbg(cell).get("solution"):
            folder = fairness.fixture_dir(path) / _nbg(cell)["grade_id"]
            good, bad = list(folder.glob("good_*.py")), list(folder.glob("bad_*.py"))
            assert len(good) >= 2 and len(bad) >= 2, f"{folder.relative_to(ROOT)}: need >= 2 good and >= 2 bad"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_source_passes_nbgrader_validate(path):
    ok, out = release.validate(path)
    assert ok, out[-3000:]


@pytest.mark.parametrize("path", sorted((ROOT / "release").glob("*/*.ipynb")),
                         ids=lambda p: p.stem)
def test_release_fails_every_test(path):
    ok, out = release.validate(path, invert=True)
    assert ok, out[-3000:]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_runs_top_to_bottom_and_fixtures_are_fair(path, tmp_path):
    """One in-process pass: every cell runs, every test passes on the solution, and each fixture
    passes (good_*) or fails (bad_*) exactly as it claims."""
    out = tmp_path / "fairness.json"
    proc = subprocess.run([sys.executable, "-m", "tools.fairness", str(path), str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0 and out.exists(), proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["errors"] == [], f"cells raised while running top to bottom: {result['errors']}"
    failed = {k: v for k, v in result["solution"].items() if v}
    assert not failed, f"solution fails its own tests: {failed}"
    wrong = []
    for f in result["fixtures"]:
        passed = not f["failures"]
        if passed != (f["expect"] == "pass"):
            wrong.append(f"{f['exercise']}/{f['fixture']}: expected to {f['expect']}, "
                         f"{'passed' if passed else 'failed: ' + json.dumps(f['failures'])[:400]}")
    assert not wrong, "\n".join(wrong)
    # A self-study learner has only the visible tests: each usual wrong answer must fail them, not
    # only the hidden ones (which a learner sees only from a grader or `%check`).
    escaped = [f"{f['exercise']}/{f['fixture']}" for f in result["fixtures"]
               if f["expect"] == "fail" and not f["visible_failures"]]
    assert not escaped, ("bad fixtures that pass every visible test (the release notebook would "
                         f"accept them): {escaped}")


KERAS = [p for p in SOURCES if p.stem.endswith("-keras")]


@pytest.mark.parametrize("path", KERAS, ids=[p.stem for p in KERAS])
def test_keras_notebook_runs_and_passes_with_onednn_on(path):
    """The rest of this file runs every notebook with TensorFlow's oneDNN CPU kernels off (conftest);
    here each Keras notebook runs top to bottom with them on: every cell, hidden tests included, so
    its graded tests pass (what `nbgrader validate` checks) and no other cell raises either."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"})  # CellExecutionError names the cell
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "has no kernel on this CPU path" not in outputs, "an op was reported missing with oneDNN on"
