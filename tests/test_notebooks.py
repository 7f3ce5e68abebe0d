"""Every course notebook: template, generated copies in sync, source passes, release fails,
the notebook runs top to bottom, and the fairness fixtures pass and fail as they should.

Each notebook is executed once per setting (oneDNN off; Keras notebooks also on) by nbgrader's own
Validator (tools.release.validate_shared): the checks that only read an execution (it passes
validation, no cell raised, it draws a figure) share it, and a notebook's checks form one xdist
group so that one worker executes it while the other does other notebooks."""
import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import FAIRNESS, ROOT
from tools import fairness, nbbuild, release

SOURCES = sorted((ROOT / "source").glob("*/*.ipynb"))
RELEASES = sorted((ROOT / "release").glob("*/*.ipynb"))
IDS = [p.stem for p in SOURCES]
KERAS = [p for p in SOURCES if p.stem.endswith("-keras")]
HEADINGS = ["## Learning goals", "## Setup", "## Reproduce the error", "## Read the traceback",
            "## Exercise 1", "## Exercise 2", "## Exercise 3", "## Train it", "## Self-check", "## Summary"]
ONEDNN = {"off": {"TF_ENABLE_ONEDNN_OPTS": "0"}, "on": {"TF_ENABLE_ONEDNN_OPTS": "1"}}
FRAMEWORK = {"torch": ("PyTorch", re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b|from course import keras", re.M)),
             "keras": ("Keras", re.compile(r"^\s*(import|from)\s+torch\b|from course import torch", re.M))}


def _nbg(cell):
    return cell.metadata.get("nbgrader", {})


def _each(paths, *settings):
    """One param per notebook (and setting), in its notebook's xdist group."""
    return [pytest.param(p, *s, id="-".join([p.stem, *s]), marks=pytest.mark.xdist_group(p.stem))
            for p in paths for s in (settings or [()])]


def _errors(nb) -> list[str]:
    return [f"cell {c.get('id')}: {o.ename}: {o.evalue[:300]}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def _figures(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


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


@pytest.mark.parametrize("path", _each(SOURCES))
def test_source_passes_nbgrader_validate(path, executions):
    """`nbgrader validate` (its Validator, the course's config), TensorFlow's oneDNN kernels off,
    and no other cell raised either (validate judges only the graded cells)."""
    ok, out, executed = release.validate_shared(path, executions, env=ONEDNN["off"])
    assert ok, out[-3000:]
    assert not _errors(executed), f"cells raised while running top to bottom: {_errors(executed)}"


@pytest.mark.parametrize("path", _each(KERAS))
def test_keras_notebook_runs_and_passes_with_onednn_on(path, executions):
    """The same with TensorFlow's oneDNN CPU kernels on: every graded test passes (what `nbgrader
    validate` checks), no cell raised, and no op was reported missing on this CPU path."""
    ok, out, executed = release.validate_shared(path, executions, env=ONEDNN["on"])
    assert ok, out[-3000:]
    assert not _errors(executed), f"cells raised with oneDNN on: {_errors(executed)}"
    assert "has no kernel on this CPU path" not in _text(executed), "an op was reported missing with oneDNN on"


@pytest.mark.parametrize("path,onednn", _each(SOURCES, ("off",)) + _each(KERAS, ("on",)))
def test_notebook_draws_a_figure(path, onednn, executions):
    """Pictures teach what words do not (issue 19): the executed notebook shows at least one image,
    drawn by its cells from the real computation (read from the validation's execution)."""
    _, _, executed = release.validate_shared(path, executions, env=ONEDNN[onednn])
    assert _figures(executed) >= 1, f"{path.name} shows no figure (no image/png output) when run with oneDNN {onednn}"


@pytest.mark.parametrize("path", _each(RELEASES))
def test_release_fails_every_test(path, executions):
    ok, out, _ = release.validate_shared(path, executions, invert=True, env=ONEDNN["off"])
    assert ok, out[-3000:]


@pytest.mark.parametrize("path", _each(SOURCES))
def test_runs_top_to_bottom_and_fixtures_are_fair(path, tmp_path, run_id):
    """One in-process pass: every cell runs, every test passes on the solution, and each fixture
    passes (good_*) or fails (bad_*) exactly as it claims. Its JSON is kept in build/fairness/ for
    `python -m tools.fairness --totals` (and the suite's summary)."""
    out = tmp_path / "fairness.json"
    proc = subprocess.run([sys.executable, "-m", "tools.fairness", str(path), str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0 and out.exists(), proc.stderr[-3000:]
    result = json.loads(out.read_text())
    FAIRNESS.mkdir(parents=True, exist_ok=True)
    (FAIRNESS / f"{path.stem}.json").write_text(json.dumps({**result, "run": run_id}, indent=1))
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


def _tiny_course_notebook(path, answer: str, figure: bool = False):
    """A two-exercise-cell nbgrader notebook (answer, then its graded test), with or without a
    cell that draws; no framework, so it runs in a second."""
    def nbgrader(**flags):
        return {"nbgrader": {"schema_version": 3, "grade": False, "locked": False, "solution": False,
                             "task": False, **flags}}
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(answer, metadata=nbgrader(solution=True, grade_id="answer"))]
    if figure:
        nb.cells.append(nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "assert double(3) == 6, f'double(3): expected 6, got {double(3)}'",
        metadata=nbgrader(grade=True, locked=True, points=1, grade_id="answer-test")))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.mark.notebooks
def test_shared_validation_is_nbgrader_validate_and_follows_every_change(tmp_path):
    """validate_shared gives `nbgrader validate`'s verdict, reads a kept execution only for the same
    notebook in the same settings, and judges what it read (the checks above rely on all three)."""
    folder, path = tmp_path / "executed", tmp_path / "course" / "tiny.ipynb"
    kept = lambda: sorted(folder.glob("*.ipynb"))
    _tiny_course_notebook(path, "def double(x):\n    return 2 * x", figure=True)
    ok, out, executed = release.validate_shared(path, folder)
    assert ok and release.validate(path)[0], out  # the nbgrader command agrees
    assert _figures(executed) == 1 and not _errors(executed) and len(kept()) == 1
    # The same notebook again: the kept execution is read, not run again, and it is what is judged.
    first = kept()[0]
    stamp = first.stat().st_mtime_ns
    assert release.validate_shared(path, folder)[:2] == (ok, out) and first.stat().st_mtime_ns == stamp
    tampered = nbformat.read(first, as_version=4)
    tampered.cells[-1].outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="planted",
                                                         traceback=["AssertionError: planted"])]
    nbformat.write(tampered, first)
    assert not release.validate_shared(path, folder)[0], "the verdict did not come from the kept execution"
    # A changed notebook (a wrong answer, no figure) is a new execution, and its check fails, as
    # the nbgrader command's does.
    _tiny_course_notebook(path, "def double(x):\n    return 3 * x")
    ok, out, executed = release.validate_shared(path, folder)
    assert not ok and "expected 6, got 9" in out and not release.validate(path)[0]
    assert _figures(executed) == 0 and len(kept()) == 2
    # Another setting is another key; so is another folder (the notebook's own files).
    nb = nbformat.read(path, as_version=4)
    keys = {release.execution_key(nb, path.parent, {"TF_ENABLE_ONEDNN_OPTS": v}) for v in ("0", "1")}
    keys.add(release.execution_key(nb, tmp_path, {"TF_ENABLE_ONEDNN_OPTS": "0"}))
    assert len(keys) == 3
    # The released version (its answer a stub) fails every test: `--invert` passes.
    _tiny_course_notebook(path, "raise NotImplementedError()")
    assert release.validate_shared(path, folder, invert=True)[0]
