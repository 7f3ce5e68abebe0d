"""The only writer: the gradebook, autograded/ and feedback/ files, the regrade record, the CSV.

It runs in the coordinator, one call at a time. Grades are saved by nbgrader's own SaveAutoGrades
and AssignLatePenalties on the graded notebook a worker sent back, exactly as `nbgrader autograde`
saves them, through any SQLAlchemy URL nbgrader accepts. Workers never open the database, so
there is nothing to race: no lost or doubled grade and no "database is locked" from our writers.

The regrade record (build/autograder/state/<assignment>/<student>.json) keeps, per submission,
its content hash and its results; it is written after the gradebook holds the grades, so an
interrupted run regrades exactly what it did not finish.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings
from dataclasses import asdict
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from nbgrader.plugins.export import CsvExportPlugin
from nbgrader.preprocessors import AssignLatePenalties

from .config import Course
from .nbgrader_compat import SharedSaveAutoGrades
from .tasks import NotebookResult, Status, TestResult


class UnknownStudent(Exception):
    pass


class Store:
    def __init__(self, course: Course, create_students: bool = True):
        self.course, self.create_students = course, create_students
        self._gb = None

    # -- the gradebook ------------------------------------------------------------------------
    @property
    def gb(self) -> Gradebook:
        """One connection for the whole run (opening a Gradebook costs ~20 ms each time)."""
        if self._gb is None:
            self._gb = Gradebook(self.course.db_url, self.course.course_id)
        return self._gb

    def close(self) -> None:
        if self._gb is not None:
            self._gb.close()
            self._gb = None

    def known_students(self) -> set:
        return {s.id for s in self.gb.students}

    def add_student(self, student: str) -> None:
        """The student's row, created if missing. Two graders (two assignments, one PostgreSQL
        gradebook) can both find it missing and both insert it: the second insert fails on the
        primary key (nbgrader rolls back and raises InvalidEntry), and the row the other one wrote
        is the one wanted."""
        try:
            self.gb.update_or_create_student(student)
        except InvalidEntry:
            self.gb.find_student(student)  # there now, or the error was another one: MissingEntry

    def has_submission(self, assignment: str, student: str) -> bool:
        """False after the gradebook was reset: then an unchanged submission is graded again."""
        try:
            self.gb.find_submission(assignment, student)
            return True
        except MissingEntry:
            return False

    def save_grades(self, assignment: str, student: str, timestamp, results: dict, flag_review: bool) -> None:
        """Save one submission's results (notebook name -> NotebookResult)."""
        with warnings.catch_warnings():
            # nbgrader's API trips SQLAlchemy 2's cascade warnings on every new submission; harmless.
            warnings.filterwarnings("ignore", message=".*not in session, add operation along.*")
            self._save_grades(assignment, student, timestamp, results, flag_review)

    def _save_grades(self, assignment, student, timestamp, results, flag_review):
        gb, config = self.gb, self.course.config
        if self.create_students:
            self.add_student(student)
        else:
            try:
                gb.find_student(student)
            except MissingEntry:
                raise UnknownStudent(student) from None
        if timestamp:
            submission = gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            submission = gb.update_or_create_submission(assignment, student)
        late = submission.total_seconds_late > 0
        for name, result in sorted(results.items()):
            resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": name,
                                      "db_url": self.course.db_url}}
            if result.status == Status.GRADED:
                nb = nbformat.reads(result.notebook_json, as_version=4)
                nb, resources = SharedSaveAutoGrades(config=config, shared=gb).preprocess(nb, resources)
                if late:  # nbgrader's own penalty plugin decides
                    AssignLatePenalties(config=config).preprocess(nb, resources)
                    gb.db.expire_all()
                else:  # what AssignLatePenalties does for a submission on time
                    gb.find_submission_notebook(name, assignment, student).late_submission_penalty = None
            else:  # what nbgrader autograde does for a notebook not submitted: zero, no manual grading
                notebook = gb.find_submission_notebook(name, assignment, student)
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                notebook.late_submission_penalty = None
            if flag_review and result.review:
                for grade in gb.find_submission_notebook(name, assignment, student).grades:
                    grade.needs_manual_grade = True
            gb.db.commit()

    def feedback_data(self, assignment: str, student: str, notebook: str) -> dict:
        """What GetGrades would read for the feedback page: scores, comments, late penalty."""
        sub = self.gb.find_submission_notebook(notebook, assignment, student)
        grades = {g.name: {"score": g.score, "max_score": g.max_score} for g in sub.grades}
        comments = {c.name: c.comment for c in sub.comments}
        penalty = sub.late_submission_penalty or 0
        return {"grades": grades, "comments": comments, "score": sub.score - penalty,
                "max_score": sub.max_score, "late_penalty": penalty}

    # -- files in nbgrader's layout -----------------------------------------------------------
    def write_autograded(self, assignment: str, student: str, submitted: dict, instructor_files: dict,
                         results: dict) -> None:
        """autograded/<student>/<assignment>/: the submitted non-notebook files (`submitted`:
        relative path -> Path), the instructor's files over them (as nbgrader copies them), the
        graded notebooks."""
        dest = self.course.folder("autograded", student, assignment)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for rel, path in submitted.items():
            if not rel.endswith(".ipynb"):
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, dest / rel)
        for rel, data in instructor_files.items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
        for name, result in results.items():
            if result.notebook_json:
                (dest / f"{name}.ipynb").write_text(result.notebook_json)

    def write_feedback(self, assignment: str, student: str, notebook: str, html: str) -> None:
        dest = self.course.folder("feedback", student, assignment)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / f"{notebook}.html").write_text(html)
        # What `nbgrader generate_feedback` copies along, and `nbgrader release_feedback` reads.
        graded = self.course.folder("autograded", student, assignment)
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (graded / name).is_file():
                shutil.copy(graded / name, dest / name)

    def export_csv(self, to: Path | None = None, assignments=None) -> Path:
        """All grades in `nbgrader export`'s format, by nbgrader's CSV export plugin."""
        to = Path(to or self.course.work_dir / "grades.csv")
        to.parent.mkdir(parents=True, exist_ok=True)
        with Gradebook(self.course.db_url, self.course.course_id) as gb:  # fresh: all committed rows
            CsvExportPlugin(to=str(to), assignment=list(assignments or [])).export(gb)
        return to

    # -- the regrade record -------------------------------------------------------------------
    def _record_path(self, assignment: str, student: str) -> Path:
        return self.course.work_dir / "state" / assignment / f"{student}.json"

    def save_record(self, assignment: str, student: str, digest: str, results: dict, extra: dict) -> None:
        path = self._record_path(assignment, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"hash": digest, "results": {nb: _result_to_dict(r) for nb, r in results.items()}, **extra}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, default=str))
        os.replace(tmp, path)  # atomic: a crash never leaves half a record

    def load_record(self, assignment: str, student: str) -> dict | None:
        try:
            return json.loads(self._record_path(assignment, student).read_text())
        except (OSError, ValueError):
            return None

    def all_results(self, assignment: str) -> dict:
        """student -> {notebook -> NotebookResult} for everything graded so far."""
        folder = self.course.work_dir / "state" / assignment
        out = {}
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                data = json.loads(path.read_text())
            except ValueError:
                continue
            out[path.stem] = {nb: _result_from_dict(r) for nb, r in data.get("results", {}).items()}
        return out


def _result_to_dict(r: NotebookResult) -> dict:
    d = asdict(r)
    d.pop("notebook_json", None)
    return d


def _result_from_dict(d: dict) -> NotebookResult:
    d = dict(d)
    d["tests"] = [TestResult(**t) for t in d.get("tests", [])]
    d["status"] = Status(d["status"])
    d.setdefault("notebook_json", None)
    known = NotebookResult.__dataclass_fields__
    return NotebookResult(**{k: v for k, v in d.items() if k in known})
