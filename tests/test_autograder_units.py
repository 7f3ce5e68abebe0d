"""Autograder pieces that need no grading kernel: reading bad files, intake, the tamper scanner,
the sandbox's self-description, reports. (test_autograder_sample_class.py grades for real.)"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import intake, report, sandbox
from autograder.config import Limits, grader_env, kernel_env, load_course
from autograder.instructor import load_instructor
from autograder.nbgrader_compat import released_source
from autograder.notebook.read import InvalidNotebook, inspect_submission, read_notebook
from autograder.notebook.review import scan_source
from autograder.store import Store

ROOT = Path(__file__).resolve().parent.parent
MINI = "90-mini-shapes"
TORCH, NUMPY = f"{MINI}-torch", f"{MINI}-numpy"
RELEASE = ROOT / "sample_class" / "release" / MINI

pytestmark = pytest.mark.xdist_group("autograder")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A throwaway nbgrader course with the fixture assignment generated into its gradebook."""
    from nbgrader.apps.api import NbGraderAPI
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "sample_class" / "source" / MINI, root / "source" / MINI)
    course = load_course(root, f"sqlite:///{root / 'gradebook.db'}")
    result = NbGraderAPI(course.coursedir, config=course.config).generate_assignment(MINI, create=True)
    assert result["success"], result["log"]
    return course


@pytest.fixture(scope="module")
def master(course):
    return load_instructor(course.db_url, MINI, course.folder("source", ".", MINI))


def release_bytes(name=TORCH) -> bytes:
    return (RELEASE / f"{name}.ipynb").read_bytes()


# -- reading what students hand in ----------------------------------------------------------------

@pytest.mark.parametrize("content,message", [
    (None, "was not submitted"),
    (b"", "is an empty file"),
    (b"   \n", "is an empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\xff", "is not a text file"),
    (b'{"cells": [', "is not valid notebook JSON"),
    (b'{"name": "not a notebook"}', "is JSON but not a Jupyter notebook"),
])
def test_unreadable_files_get_a_reason(content, message):
    with pytest.raises(InvalidNotebook, match=message):
        read_notebook(content, "x.ipynb")


def test_truncated_notebook_names_the_place():
    with pytest.raises(InvalidNotebook, match=r"line \d+, column \d+"):
        read_notebook(release_bytes()[:1500], "x.ipynb")


@pytest.mark.filterwarnings("ignore:Non-unique cell id")
def test_duplicate_cell_ids_are_reported():
    nb = json.loads(release_bytes())
    for cell in nb["cells"][1:3]:
        cell["id"] = nb["cells"][0]["id"]
    _, notes = read_notebook(json.dumps(nb).encode(), "x.ipynb")
    assert notes and "duplicate cell id" in notes[0] and "(3 cells)" in notes[0]


def test_edited_deleted_and_repointed_tests_are_noticed(master):
    nb, _ = read_notebook(release_bytes(), "x.ipynb")
    assert inspect_submission(nb, master.notebooks[TORCH], "x.ipynb") == []  # the release as given
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells["ex2-classifier-test"].source = "pass"
    cells["ex3-add-batch-test"].metadata.nbgrader["points"] = 50
    nb.cells.remove(cells["ex1-conv-size-test"])
    notes = "\n".join(inspect_submission(nb, master.notebooks[TORCH], "x.ipynb"))
    assert "'ex1-conv-size-test' was deleted" in notes
    assert "'ex2-classifier-test' was edited" in notes
    assert "points of test cell 'ex3-add-batch-test' were changed to 50" in notes


def test_a_notebook_of_another_notebook_is_refused(master):
    nb, _ = read_notebook(release_bytes(NUMPY), "mine.ipynb")
    with pytest.raises(InvalidNotebook, match="does not belong to this assignment's notebook"):
        inspect_submission(nb, master.notebooks[TORCH], "mine.ipynb")


def test_released_source_drops_hidden_tests(master):
    test = next(c for c in master.notebooks[TORCH].source_cells if c["name"] == "ex1-conv-size-test")
    assert "BEGIN HIDDEN TESTS" in test["source"]
    released = released_source(test["source"])
    assert "HIDDEN" not in released and "conv_output_size(28, 3)" in released


# -- the tamper guard's inputs ---------------------------------------------------------------

def test_trusted_imports_come_from_locked_cells(master):
    imports = [tuple(i) for i in master.notebooks[TORCH].trusted_imports]
    assert ("from course import check_equal", ["check_equal"], "course", "check_equal") in imports
    assert ("from course import torch as ct", ["ct"], "course", "torch") in imports
    assert all("torch import nn" not in stmt for stmt, *_ in imports)  # only the helper package


@pytest.mark.parametrize("source", [
    "def conv_output_size(n, k, s=1, p=0):\n    return (n + 2 * p - k) // s + 1\n",
    "import math\nimport torch\nx = torch.zeros(3)\nx.data = x.data * 2\nmodel = nn.Sequential()\n",
    "%matplotlib inline\nimport numpy as np\nprint(np.zeros(3).shape)\n",
])
def test_honest_answers_are_not_flagged(source):
    assert scan_source(source, ("course",), ["check_shape", "ct"]) == []


@pytest.mark.parametrize("source,finding", [
    ("import course.checks\ncourse.checks.check_shape = lambda *a: None\n", "assigns to course.checks.check_shape"),
    ("ct.check_output_shapes = print\n", "assigns to ct.check_output_shapes"),
    ("def check_shape(*a, **k):\n    pass\n", "redefines the helper check_shape"),
    ("AssertionError = Warning\n", "redefines AssertionError"),
    ("get_ipython().set_custom_exc((Exception,), print)\n", "get_ipython"),
    ("import os\nos._exit(0)\n", "calls os._exit"),
    ("import sys\nsys.stderr = open('/dev/null', 'w')\n", "assigns to sys.stderr"),
    ("!curl http://example.com\n", "get_ipython"),
])
def test_tampering_is_flagged(source, finding):
    findings = scan_source(source, ("course",), ["check_shape", "ct"])
    assert any(finding in f for f in findings), findings


# -- intake ------------------------------------------------------------------------------------

def _submit(course, student, files: dict):
    folder = course.folder("submitted", student, MINI)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_renamed_notebook_is_matched_by_its_cells(course, master):
    _submit(course, "rena", {"copy of my work.ipynb": release_bytes(NUMPY), f"{TORCH}.ipynb": release_bytes(),
                             "scratch.ipynb": b"{}"})
    sub = next(s for s in intake.discover(course, MINI) if s.student == "rena")
    matched = intake.match_notebooks(sub, master)
    assert matched[NUMPY][0] == "copy of my work.ipynb"
    assert "was graded as 90-mini-shapes-numpy.ipynb" in matched[NUMPY][2][0]
    assert matched[TORCH][0] == f"{TORCH}.ipynb" and matched[TORCH][2] == []
    assert any("ignored scratch.ipynb" in n for n in sub.notes)


def test_hash_follows_content_not_mtime(course):
    folder = _submit(course, "hashy", {f"{TORCH}.ipynb": release_bytes()})
    digest = lambda: intake.submission_hash(next(s for s in intake.discover(course, MINI)
                                                 if s.student == "hashy"), "m")
    first = digest()
    (folder / f"{TORCH}.ipynb").touch()
    assert digest() == first
    (folder / f"{TORCH}.ipynb").write_bytes(release_bytes() + b"\n")
    assert digest() != first


def _lms_download(tmp_path) -> Path:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / f"newbie_{TORCH}.ipynb").write_bytes(release_bytes())
    (folder / f"newbie_2026-11-21T09-30-00_{NUMPY}.ipynb").write_bytes(release_bytes(NUMPY))
    with zipfile.ZipFile(folder / "zipper.zip", "w") as zf:
        zf.writestr(f"{TORCH}.ipynb", release_bytes())
        zf.writestr("__MACOSX/._junk", b"")
    (folder / "README.txt").write_text("no student id in this name")
    return folder


def test_lms_download_reports_unknown_students(course, tmp_path):
    store = Store(course)
    report_ = intake.collect_lms(course, MINI, _lms_download(tmp_path), store.known_students(), "report")
    assert set(report_.unknown) == {"newbie", "zipper"} and report_.collected == {}
    assert not course.folder("submitted", "newbie", MINI).exists()
    assert "NOT collected" in "\n".join(report_.lines())
    assert "newbie" not in store.known_students()
    store.close()


def test_lms_download_adds_unknown_students(course, tmp_path):
    store = Store(course)
    report_ = intake.collect_lms(course, MINI, _lms_download(tmp_path), store.known_students(), "add",
                                 add_student=store.add_student)
    assert report_.collected == {"newbie": [f"{NUMPY}.ipynb", f"{TORCH}.ipynb"], "zipper": [f"{TORCH}.ipynb"]}
    assert {"newbie", "zipper"} <= store.known_students()
    store.close()
    stamp = course.coursedir.get_existing_timestamp(str(course.folder("submitted", "newbie", MINI)))
    assert (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute) == (2026, 11, 21, 9, 30)
    zipped = course.folder("submitted", "zipper", MINI) / f"{TORCH}.ipynb"
    assert nbformat.reads(zipped.read_text(), as_version=4).cells


def test_a_student_another_grader_adds_meanwhile_is_not_an_error(course, monkeypatch):
    """Two graders (two assignments, one gradebook) both find a new student missing and both insert
    it: the second insert hits the primary key. The store takes the row the other one wrote."""
    from nbgrader.api import Gradebook, MissingEntry
    store = Store(course)
    gb = store.gb
    real_find = gb.find_student

    def find_then_other_grader_inserts(student_id):
        try:
            return real_find(student_id)
        except MissingEntry:
            with Gradebook(course.db_url, course.course_id) as other:  # the other grader process
                other.add_student(student_id)
            raise

    monkeypatch.setattr(gb, "find_student", find_then_other_grader_inserts)
    store.add_student("racer")
    monkeypatch.undo()
    assert "racer" in store.known_students()
    store.close()


# -- what the grader says about itself ------------------------------------------------------------

def test_missing_protections_are_announced():
    text = "\n".join(sandbox.detect(False, False).lines(Limits()))
    assert "WARNING: bubblewrap" in text and "can READ the course directory" in text
    assert "WARNING: no cgroup" in text and "RLIMIT_DATA" in text


def test_kernel_environment_has_no_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("NBGRADER_DB_URL", "postgresql://grader:hunter2@db/gradebook")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x")
    monkeypatch.setenv("MPLCONFIGDIR", "/home/grader/.config/matplotlib")
    env = kernel_env(grader_env({"KERAS_BACKEND": "torch"}), Limits(threads=1), str(tmp_path / "home"),
                     str(tmp_path / "work"))
    assert "NBGRADER_DB_URL" not in env and "GITHUB_TOKEN" not in env and "MPLCONFIGDIR" not in env
    assert env["HOME"] == str(tmp_path / "home") and env["OMP_NUM_THREADS"] == "1"
    assert env["NBGRADER_EXECUTION"] == "autograde" and env["KERAS_BACKEND"] == "torch"
    assert env["COURSE_SHAPE_DOCTOR"] == "0"


@pytest.mark.parametrize("value", ["0", "1", None])
def test_onednn_setting_comes_from_the_grader_not_the_worker(monkeypatch, tmp_path, value):
    """Set where the run starts: passed through as is. Unset there: unset in the kernel, even
    when the worker's environment has it."""
    if value is None:
        monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    else:
        monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", value)
    shipped = grader_env({})
    worker = {"PATH": "/usr/bin", "TF_ENABLE_ONEDNN_OPTS": "1" if value == "0" else "0"}
    env = kernel_env(shipped, Limits(), str(tmp_path), str(tmp_path), environ=worker)
    assert env.get("TF_ENABLE_ONEDNN_OPTS") == value


@pytest.mark.parametrize("reason,found", [
    ("ShapeCheckError: model output for input (7, 1, 28, 28): expected shape (7, 10), got (7, 12)",
     ("model output for input (7, 1, 28, 28)", "(7, 10)", "(7, 12)")),
    ("ShapeCheckError: logits: with input (1, 1, 28, 28) the forward pass failed: layer head (Linear) "
     "expects (*, 784), got (1, 400) (RuntimeError: mat1)",
     ("logits: with input (1, 1, 28, 28) the forward pass failed: layer head (Linear)", "(*, 784)", "(1, 400)")),
    ("NameError: name 'x' is not defined", None),
])
def test_shape_failures_are_read_from_reasons(reason, found):
    assert report.shape_failure(reason) == found


def test_sample_class_files_match_their_generator():
    """sample_class/ is generated from release notebooks + roster snippets; after a notebook
    changes, `python -m sample_class.make_submissions` must be run (and expected.json reviewed)."""
    from sample_class import make_submissions
    assert make_submissions.main(["--check"]) == 0


# -- the package's shape ----------------------------------------------------------------------------

def _imports() -> dict:
    """module -> autograder modules it imports (relative and absolute imports, any depth)."""
    import ast
    graph = {}
    for path in (ROOT / "autograder").rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        package = parts if rel.name == "__init__" else parts[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] + [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder"):
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("autograder")]
            else:
                continue
            found.update(names)
        graph[".".join(parts)] = found
    modules = set(graph)
    return {m: {n for n in deps if n in modules and n != m} for m, deps in graph.items()}


def test_the_package_has_no_import_cycles():
    graph = _imports()
    visiting, done = [], set()

    def visit(module):
        assert module not in visiting, f"import cycle: {' -> '.join(visiting + [module])}"
        if module in done:
            return
        visiting.append(module)
        for dep in graph[module]:
            if not module.startswith(dep + ".") and not dep.startswith(module + "."):  # a package and its parts
                visit(dep)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


def test_lower_layers_never_import_higher_ones():
    """config < instructor < tasks < nbgrader_compat < sandbox < notebook < store/executors < grade < cli."""
    layers = [["autograder.config"], ["autograder.instructor"], ["autograder.tasks"],
              ["autograder.nbgrader_compat"], ["autograder.sandbox"], ["autograder.notebook"],
              ["autograder.store", "autograder.executors", "autograder.intake", "autograder.report"],
              ["autograder.grade", "autograder.verdict"], ["autograder.cli", "autograder.__main__"]]
    rank = lambda m: next(i for i, names in enumerate(layers) if any(m == n or m.startswith(n + ".") for n in names))
    for module, deps in _imports().items():
        if module == "autograder":
            continue
        for dep in deps:
            if dep != "autograder":
                assert rank(dep) <= rank(module), f"{module} imports the higher {dep}"


def test_worker_steps_follow_nbgrader_autograde():
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute, SaveAutoGrades
    from autograder import nbgrader_compat
    sanitize = nbgrader_compat.sanitize_steps()
    assert sanitize[0] is ClearOutput and sanitize[-1] is CheckCellMetadata
    assert nbgrader_compat.ShippedOverwriteCells in sanitize
    after = nbgrader_compat.after_execute_steps()
    assert Execute not in after and SaveAutoGrades not in after and CheckCellMetadata in after


def test_nbgrader_is_the_version_the_compat_layer_was_made_from():
    """nbgrader_compat.py subclasses nbgrader's preprocessors, swaps the gradebook their
    `preprocess` opens, and calls one private method: each depends on nbgrader's code as it was."""
    import nbgrader
    from autograder import nbgrader_compat
    assert nbgrader.__version__ == nbgrader_compat.NBGRADER_VERSION, (
        f"nbgrader {nbgrader.__version__} is installed, but autograder/nbgrader_compat.py was written "
        f"against nbgrader {nbgrader_compat.NBGRADER_VERSION}: compare the preprocess() of OverwriteCells, "
        "OverwriteKernelspec, SaveAutoGrades, GetGrades, GenerateFeedback.__init__ and "
        "ClearHiddenTests._remove_hidden_test_region between the two versions, adapt nbgrader_compat.py, "
        "then set NBGRADER_VERSION")
    pinned = [line for line in (ROOT / "locks" / "all.txt").read_text().splitlines() if line.startswith("nbgrader==")]
    assert pinned and pinned[0].split("==")[1].split()[0] == nbgrader_compat.NBGRADER_VERSION, pinned


def test_the_gradebook_swap_is_undone(course):
    """nbgrader's own preprocess runs against the shipped gradebook; afterwards its module's
    `Gradebook` is nbgrader's again, also when the preprocess raised."""
    import nbgrader.preprocessors.overwritecells as module
    from nbgrader.api import Gradebook
    from autograder.nbgrader_compat import ShippedGradebook, ShippedOverwriteCells
    instructor = load_instructor(course.db_url, MINI, course.folder("source", ".", MINI), course.coursedir.ignore)
    shipped = ShippedGradebook(instructor.notebooks[TORCH], MINI)
    nb = nbformat.read(RELEASE / f"{TORCH}.ipynb", as_version=4)
    locked = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked"))
    original = locked.source
    locked.source = "# changed by the learner"
    resources = {"nbgrader": {"notebook": TORCH, "assignment": MINI, "db_url": "shipped://"}}
    nb, _ = ShippedOverwriteCells(shipped=shipped).preprocess(nb, resources)
    assert locked.source == original  # nbgrader's checksum rule restored it, from the shipped cells
    assert module.Gradebook is Gradebook
    shipped.find_source_cell = lambda *args: 1 / 0
    with pytest.raises(ZeroDivisionError):
        ShippedOverwriteCells(shipped=shipped).preprocess(nb, resources)
    assert module.Gradebook is Gradebook


def test_workers_get_exactly_the_options_they_read():
    """WorkerOptions holds what the worker's steps read of the run's choices, no more, no less."""
    import dataclasses
    import re
    from autograder.tasks import NotebookTask, WorkerOptions
    read = set()
    for path in (ROOT / "autograder" / "notebook").glob("*.py"):
        read |= set(re.findall(r"\boptions\.(\w+)", path.read_text()))
    assert read == {f.name for f in dataclasses.fields(WorkerOptions)}
    assert not {"settings", "limits"} & {f.name for f in dataclasses.fields(NotebookTask)}


def test_status_survives_the_regrade_record():
    from autograder.store import _result_from_dict, _result_to_dict
    from autograder.tasks import NotebookResult, Status
    for status in Status:
        stored = json.loads(json.dumps(_result_to_dict(NotebookResult("s", "a", "nb", status))))
        assert stored["status"] == status.value
        back = _result_from_dict(stored)
        assert back.status is status and back.status == status.value


def _reason(error: BaseException) -> str:
    """The reason the autograder gives a test cell that raised `error` (notebook/score.py)."""
    from autograder.notebook.score import reason_for
    cell = nbformat.v4.new_code_cell("check(...)", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "t"}})
    cell.outputs = [nbformat.v4.new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[])]
    return reason_for(cell)


@pytest.mark.parametrize("name", ["logits", "classifier logits", "model output for input (7, 1, 28, 28)",
                                  "fc1 (Linear): weight"])
@pytest.mark.parametrize("hint", ["", "Flatten before the classifier, then check again"])
def test_shape_check_messages_round_trip_through_the_class_report(name, hint):
    """course/checks.py formats a failed check; the class report reads what, expected and got back."""
    import numpy as np
    from course.checks import ShapeCheckError, check_equal, check_shape
    from course.trace import Failure
    with pytest.raises(ShapeCheckError) as shape:
        check_shape(np.zeros((7, 12)), (None, 10), name=name, hint=hint)
    assert report.shape_failure(_reason(shape.value)) == (name, "(None, 10)", "(7, 12)")
    with pytest.raises(ShapeCheckError) as rank:
        check_shape(np.zeros((7, 4, 26, 26)), (7, 2704), name=name, hint=hint)
    assert report.shape_failure(_reason(rank.value)) == (name, "(7, 2704)", "(7, 4, 26, 26)")
    with pytest.raises(ShapeCheckError) as value:
        check_equal(8, 16, name, hint=hint)
    assert report.shape_failure(_reason(value.value)) == (name, "16", "8")
    layer = Failure(name, "Linear", "(*, 2704)", (7, 4, 26, 26), RuntimeError("mat1 and mat2"))
    wrapped = ShapeCheckError(f"model: with input (7, 1, 28, 28) the forward pass failed: {layer} "
                              "(RuntimeError: mat1 and mat2)")
    assert report.shape_failure(_reason(wrapped)) == (
        f"model: with input (7, 1, 28, 28) the forward pass failed: layer {name} (Linear)", "(*, 2704)",
        "(7, 4, 26, 26)")


def test_feedback_grades_come_through_nbgraders_getgrades():
    """ShippedGetGrades runs nbgrader's GetGrades.preprocess on the grades the coordinator read
    back from the gradebook; the page renders with nbgrader's feedback template."""
    from autograder.nbgrader_compat import ShippedGetGrades
    from autograder.notebook.feedback import render_feedback
    from autograder.tasks import FeedbackTask, NotebookResult, Status, TestResult
    test = nbformat.v4.new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "t", "schema_version": 3}})
    answer = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": "a", "schema_version": 3}})
    nb = nbformat.v4.new_notebook(cells=[answer, test])
    data = {"grades": {"t": {"score": 1.5, "max_score": 2.0}}, "comments": {"a": "seen by hand"},
            "score": 1.0, "max_score": 2.0, "late_penalty": 0.5}
    resources = {"nbgrader": {"student": "s", "assignment": "a1", "notebook": "nb", "db_url": "shipped://"}}
    graded, resources = ShippedGetGrades(data=data).preprocess(nbformat.from_dict(nb), resources)
    assert graded.cells[1].metadata.nbgrader["score"] == 1.5 and graded.cells[1].metadata.nbgrader["points"] == 2.0
    assert graded.cells[0].metadata.nbgrader["comment"] == "seen by hand"
    assert (resources["nbgrader"]["score"], resources["nbgrader"]["max_score"],
            resources["nbgrader"]["late_penalty"]) == (1.0, 2.0, 0.5)
    result = NotebookResult("s", "a1", "nb", Status.GRADED, notebook_json=nbformat.writes(nb),
                            tests=[TestResult("t", 1.5, 2.0, "partial credit: 1.5 of 2")])
    page = render_feedback(FeedbackTask(result, data, {}))
    assert "Autograder feedback: nb" in page.html and "seen by hand" in page.html
