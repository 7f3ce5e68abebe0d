"""Autograder pieces that need no grading kernel: reading bad files, intake, the tamper scanner,
the sandbox's self-description, reports. (test_autograder_sample_class.py grades for real.)"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import guard, intake, report, sandbox
from autograder.course_config import load_course
from autograder.gradebook_writer import GradebookWriter
from autograder.master import load_master
from autograder.sanitize import InvalidNotebook, inspect_submission, read_notebook, released_source

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
    return load_master(course.db_url, MINI, course.folder("source", ".", MINI))


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
    assert guard.scan_source(source, ("course",), ["check_shape", "ct"]) == []


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
    findings = guard.scan_source(source, ("course",), ["check_shape", "ct"])
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
    writer = GradebookWriter(course.db_url, course.course_id)
    report_ = intake.collect_lms(course, MINI, _lms_download(tmp_path), writer.known_students(), "report")
    assert set(report_.unknown) == {"newbie", "zipper"} and report_.collected == {}
    assert not course.folder("submitted", "newbie", MINI).exists()
    assert "NOT collected" in "\n".join(report_.lines())
    assert "newbie" not in writer.known_students()


def test_lms_download_adds_unknown_students(course, tmp_path):
    writer = GradebookWriter(course.db_url, course.course_id)
    report_ = intake.collect_lms(course, MINI, _lms_download(tmp_path), writer.known_students(), "add",
                                 add_student=writer.add_student)
    assert report_.collected == {"newbie": [f"{NUMPY}.ipynb", f"{TORCH}.ipynb"], "zipper": [f"{TORCH}.ipynb"]}
    assert {"newbie", "zipper"} <= writer.known_students()
    stamp = course.coursedir.get_existing_timestamp(str(course.folder("submitted", "newbie", MINI)))
    assert (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute) == (2026, 11, 21, 9, 30)
    zipped = course.folder("submitted", "zipper", MINI) / f"{TORCH}.ipynb"
    assert nbformat.reads(zipped.read_text(), as_version=4).cells


# -- what the grader says about itself ------------------------------------------------------------

def test_missing_protections_are_announced():
    text = "\n".join(sandbox.detect(False, False).lines(sandbox.Limits()))
    assert "WARNING: bubblewrap" in text and "can READ the course directory" in text
    assert "WARNING: no cgroup" in text and "RLIMIT_DATA" in text


def test_kernel_environment_has_no_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("NBGRADER_DB_URL", "postgresql://grader:hunter2@db/gradebook")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x")
    scratch = sandbox.Scratch(tmp_path)
    env = sandbox.kernel_env(scratch, sandbox.Limits(threads=1), {"NBGRADER_EXECUTION": "autograde"})
    assert "NBGRADER_DB_URL" not in env and "GITHUB_TOKEN" not in env
    assert env["HOME"] == str(scratch.home) and env["OMP_NUM_THREADS"] == "1"
    assert env["NBGRADER_EXECUTION"] == "autograde"


@pytest.mark.parametrize("reason,found", [
    ("ShapeCheckError: model output for input (7, 1, 28, 28): expected shape (7, 10), got (7, 12)",
     ("model output for input (7, 1, 28, 28)", "(7, 10)", "(7, 12)")),
    ("ShapeCheckError: logits: with input (1, 1, 28, 28) the forward pass failed at head (Linear): "
     "expects (*, 784), got (1, 400) (RuntimeError: mat1)",
     ("logits: with input (1, 1, 28, 28) the forward pass failed at head (Linear)", "(*, 784)", "(1, 400)")),
    ("NameError: name 'x' is not defined", None),
])
def test_shape_failures_are_read_from_reasons(reason, found):
    assert report.shape_failure(reason) == found


def test_sample_class_files_match_their_generator():
    """sample_class/ is generated from release notebooks + roster snippets; after a notebook
    changes, `python -m sample_class.make_submissions` must be run (and expected.json reviewed)."""
    from sample_class import make_submissions
    assert make_submissions.main(["--check"]) == 0
