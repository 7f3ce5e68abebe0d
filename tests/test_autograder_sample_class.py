"""Grade the sample class once (session fixture) and check everything about that run.

sample_class/expected.json says, for every submission and test, the points and a substring of the
reason; the run must match it exactly. The same submissions graded by plain `nbgrader autograde`
(serially) and on a Dask LocalCluster must give the same scores.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.config import Limits, Settings, load_course
from autograder.grade import grade
from autograder.store import Store
from sample_class import demo

ROOT = Path(__file__).resolve().parent.parent
MINI, REAL = "90-mini-shapes", "00-reading-shapes"
# Honest submissions nbgrader itself grades normally (it neither restores deleted test cells nor
# survives a dead kernel, so the hostile ones are not comparable).
COMPARABLE = {MINI: ["ada", "ben", "cleo", "dev"], REAL: ["ada", "cleo"]}

pytestmark = [pytest.mark.notebooks, pytest.mark.xdist_group("autograder")]


def _settings(limits: dict, **extra) -> Settings:
    return Settings(jobs=2, limits=Limits(**limits), progress=False, quiet=True, **extra)


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """The whole sample class graded once, as `python -m sample_class.demo` (make course) grades it."""
    course_dir = tmp_path_factory.mktemp("sample-class")
    course, runs, results = demo.grade_sample_class(course_dir, _settings({}), out=sys.stderr)
    return course, runs, results, demo.expected_manifest()


def test_every_score_and_reason_is_as_expected(graded):
    _, _, results, expected = graded
    assert demo.check(expected, results) == []


def test_keras_scores_hold_with_onednn_on(tmp_path, monkeypatch):
    """The session run grades with TensorFlow's oneDNN CPU kernels off (conftest); every submitted
    Keras notebook is graded again with them on, and must score exactly the same. (Only the Keras
    notebooks: the setting is TensorFlow's, and the others would only cost time.)"""
    expected = demo.expected_manifest()
    students = sorted(s for s, asg in expected["submitted"].items()
                      if any(nb.endswith("-keras") for nbs in asg.values() for nb in nbs))
    keras = {nb for s in students for nb in expected["submitted"][s][REAL] if nb.endswith("-keras")}
    assert students and keras
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")  # the grader ships its own setting to the kernels
    _, _, results = demo.grade_sample_class(tmp_path / "class", _settings({}), out=sys.stderr,
                                            students={REAL: students}, notebooks=keras)
    subset = {"submitted": {s: {REAL: {nb: exp for nb, exp in expected["submitted"][s][REAL].items()
                                       if nb in keras}} for s in students}, "lms": {}}
    assert demo.check(subset, results) == []


def test_the_class_is_big_and_varied_enough(graded):
    _, _, results, expected = graded
    submissions = [(s, a) for g in ("submitted", "lms") for s, asg in expected[g].items() for a in asg]
    assert len(submissions) >= 15 and len({a for _, a in submissions}) >= 2
    statuses = {r.status for by_student in results.values() for nbs in by_student.values() for r in nbs.values()}
    assert statuses == {"graded", "invalid"}  # and never "error": no grader failure on any of them


def test_gradebook_holds_each_grade_exactly_once(graded):
    course, _, results, _ = graded
    with Gradebook(course.db_url, course.course_id) as gb:
        for assignment, by_student in results.items():
            for student, notebooks in by_student.items():
                for name, result in notebooks.items():
                    sub = gb.find_submission_notebook(name, assignment, student)
                    grades = {g.name: g for g in sub.grades}
                    assert len(grades) == len(sub.grades)  # no duplicates
                    for t in result.tests:
                        assert grades[t.grade_id].auto_score == (t.score or 0), (student, name, t)
        # nbgrader's own totals agree with what the report says
        for student, notebooks in results[MINI].items():
            assert gb.find_submission(MINI, student).score == sum(r.score for r in notebooks.values())


def test_suspicious_notebooks_need_manual_grading(graded):
    course, _, results, _ = graded
    with Gradebook(course.db_url, course.course_id) as gb:
        lena = gb.find_submission_notebook(f"{MINI}-torch", MINI, "lena")
        ada = gb.find_submission_notebook(f"{MINI}-torch", MINI, "ada")
        assert lena.needs_manual_grade and not ada.needs_manual_grade


def test_feedback_explains_failures_without_hidden_tests(graded):
    course, _, _, _ = graded
    page = (course.folder("feedback", "cleo", MINI) / f"{MINI}-torch.html").read_text()
    assert "expected shape (1, 3, 16, 16), got (3, 1, 16, 16)" in page  # layer/output, expected, actual
    assert "expects (*, 2704), got (7, 4, 26, 26)" in page
    for student in ("ada", "cleo", "lena"):
        for path in course.folder("feedback", student, MINI).glob("*.html"):
            text = path.read_text()
            assert "HIDDEN TESTS" not in text
            assert "torch.zeros(3, 16, 16)" not in text and "(2, 32, 30, 3)" not in text, path
    real = (course.folder("feedback", "cleo", REAL) / f"{REAL}-torch.html").read_text()
    assert "expected 24, got 26" in real and "default_rng(100)" not in real
    invalid = (course.folder("feedback", "milo", MINI) / f"{MINI}-numpy.html").read_text()
    assert "could not be graded" in invalid and "is an empty file" in invalid
    # as `nbgrader generate_feedback` leaves it, for `nbgrader release_feedback`
    stamp = course.folder("feedback", "cleo", MINI) / "timestamp.txt"
    assert stamp.read_text() == (course.folder("submitted", "cleo", MINI) / "timestamp.txt").read_text()


def test_class_report(graded):
    course, runs, _, _ = graded
    folder = course.work_dir / MINI
    with open(folder / "tests.csv") as fh:
        rows = {r["grade_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) >= {"ex1-conv-size-test", "ex2-classifier-test", "ex3-add-batch-test",
                         "ex1-channels-first-test", "ex2-flatten-test"}
    assert 0 < float(rows["ex2-classifier-test"]["pass_rate"]) < 1
    with open(folder / "shape-failures.csv") as fh:
        shapes = list(csv.DictReader(fh))
    assert any(r["expected"] == "(7, 10)" and r["got"] == "(7, 12)" and "dev" in r["students"] for r in shapes)
    page = (folder / "index.html").read_text()
    assert "data:image/png;base64," in page and "Most common shape failures" in page


def test_grades_csv_is_nbgrader_export_format(graded, tmp_path):
    course, _, _, _ = graded
    ours = (course.work_dir / "grades.csv").read_text()
    theirs = tmp_path / "export.csv"
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--to", str(theirs),
                    f"--CourseDirectory.db_url={course.db_url}"], cwd=course.root, check=True,
                   capture_output=True)
    assert ours == theirs.read_text()


def test_rerun_grades_only_what_changed(graded):
    course, _, _, expected = graded
    limits = expected["limits"][MINI]
    assert grade(course, _settings(limits), [MINI])[MINI].graded == {}  # nothing changed
    path = course.folder("submitted", "ben", MINI) / f"{MINI}-numpy.ipynb"
    path.write_text(path.read_text().replace("np.moveaxis(batch, -1, 1)", "np.moveaxis(batch, 3, 1)"))
    run = grade(course, _settings(limits), [MINI])[MINI]
    assert set(run.graded) == {"ben"} and "ben" not in run.skipped
    assert all(t.passed for r in run.graded["ben"].values() for t in r.tests)


def test_scores_match_plain_nbgrader_autograde(graded, tmp_path):
    course, _, results, _ = graded
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(course.root / "nbgrader_config.py", plain)
    shutil.copytree(course.root / "source", plain / "source")
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    db = f"sqlite:///{plain / 'gradebook.db'}"
    for assignment, students in COMPARABLE.items():
        subprocess.run([nbgrader, "generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={db}"],
                       cwd=plain, check=True, capture_output=True)
        for student in students:
            shutil.copytree(course.folder("submitted", student, assignment),
                            plain / "submitted" / student / assignment)
        subprocess.run([nbgrader, "autograde", assignment, f"--CourseDirectory.db_url={db}"],
                       cwd=plain, check=True, capture_output=True)
    compared = 0
    with Gradebook(db) as gb:
        for assignment, students in COMPARABLE.items():
            for student in students:
                for name, result in results[assignment][student].items():
                    if result.status != "graded":
                        continue
                    theirs = {g.name: g.auto_score for g in gb.find_submission_notebook(name, assignment, student).grades}
                    ours = {t.grade_id: t.score for t in result.tests}
                    assert ours == theirs, (assignment, student, name)
                    compared += 1
    assert compared >= 9


def test_dask_local_cluster_gives_the_same_scores(graded, tmp_path):
    course, _, results, expected = graded
    copy = tmp_path / "dask-course"
    copy.mkdir()
    for item in ("nbgrader_config.py", "source", "gradebook.db"):
        src = course.root / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, copy / item)
    students = ["ada", "cleo", "dev", "lena", "milo"]
    for student in students:
        shutil.copytree(course.folder("submitted", student, MINI), copy / "submitted" / student / MINI)
    dask_course = load_course(copy, f"sqlite:///{copy / 'gradebook.db'}")
    run = grade(dask_course, _settings(expected["limits"][MINI], dask="local", force=True), [MINI])[MINI]
    assert run.workers.startswith("a local Dask cluster")
    assert set(run.graded) == set(students)
    for student in students:
        for name, result in run.graded[student].items():
            mine = results[MINI][student][name]
            assert [(t.grade_id, t.score, t.reason) for t in result.tests] == \
                   [(t.grade_id, t.score, t.reason) for t in mine.tests], (student, name)
    assert Store(dask_course).load_record(MINI, "ada")["hash"]
