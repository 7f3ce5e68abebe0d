"""The only code that writes the gradebook; it runs in the coordinator process, one call at a time.

Grades are saved by nbgrader's own SaveAutoGrades and AssignLatePenalties preprocessors on the
graded notebook a worker sent back, exactly as `nbgrader autograde` saves them, through any
SQLAlchemy URL nbgrader accepts. Workers never open the database, so there is nothing to race:
no lost or doubled grade and no "database is locked" from our own writers.
"""
from __future__ import annotations

import warnings

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Any as AnyTrait


class UnknownStudent(Exception):
    pass


class SharedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades (its `_add_score`/`_add_comment` decide every grade), using the
    coordinator's open gradebook instead of opening one per notebook."""
    shared = AnyTrait()

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = self.shared
        return NbGraderPreprocessor.preprocess(self, nb, resources)


class GradebookWriter:
    def __init__(self, db_url: str, course_id: str, config=None, create_students: bool = True):
        self.db_url, self.course_id, self.config = db_url, course_id, config
        self.create_students = create_students
        self._gb = None

    @property
    def gb(self) -> Gradebook:
        """One connection for the whole run (opening a Gradebook costs ~20 ms each time)."""
        if self._gb is None:
            self._gb = Gradebook(self.db_url, self.course_id)
        return self._gb

    def close(self) -> None:
        if self._gb is not None:
            self._gb.close()
            self._gb = None

    def known_students(self) -> set:
        with Gradebook(self.db_url, self.course_id) as gb:
            return {s.id for s in gb.students}

    def add_student(self, student: str) -> None:
        with Gradebook(self.db_url, self.course_id) as gb:
            gb.update_or_create_student(student)

    def has_submission(self, assignment: str, student: str) -> bool:
        """False after the gradebook was reset: then an unchanged submission is graded again."""
        try:
            with Gradebook(self.db_url, self.course_id) as gb:
                gb.find_submission(assignment, student)
                return True
        except MissingEntry:
            return False

    def write(self, assignment: str, student: str, timestamp, results: dict, flag_review: bool) -> None:
        """Save one submission's results (notebook name -> NotebookResult)."""
        with warnings.catch_warnings():
            # nbgrader's API trips SQLAlchemy 2's cascade warnings on every new submission; harmless.
            warnings.filterwarnings("ignore", message=".*not in session, add operation along.*")
            self._write(assignment, student, timestamp, results, flag_review)

    def _write(self, assignment, student, timestamp, results, flag_review):
        gb = self.gb
        if self.create_students:
            gb.update_or_create_student(student)
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
                                      "db_url": self.db_url}}
            if result.status == "graded":
                nb = nbformat.reads(result.notebook_json, as_version=4)
                nb, resources = SharedSaveAutoGrades(config=self.config, shared=gb).preprocess(nb, resources)
                if late:  # nbgrader's own penalty plugin decides
                    AssignLatePenalties(config=self.config).preprocess(nb, resources)
                    gb.db.expire_all()
                else:  # what AssignLatePenalties does for a submission on time
                    gb.find_submission_notebook(name, assignment, student).late_submission_penalty = None
                    gb.db.commit()
            else:
                self._zero(assignment, student, name)
            if flag_review and result.review:
                self._needs_review(assignment, student, name)

    def _zero(self, assignment, student, notebook):
        """What nbgrader autograde does for a notebook that was not submitted: zero, no manual grading."""
        sub = self.gb.find_submission_notebook(notebook, assignment, student)
        for grade in sub.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        sub.late_submission_penalty = None
        self.gb.db.commit()

    def _needs_review(self, assignment, student, notebook):
        sub = self.gb.find_submission_notebook(notebook, assignment, student)
        for grade in sub.grades:
            grade.needs_manual_grade = True
        self.gb.db.commit()

    def feedback_data(self, assignment: str, student: str, notebook: str) -> dict:
        """What GetGrades would read for the feedback page: scores, comments, late penalty."""
        sub = self.gb.find_submission_notebook(notebook, assignment, student)
        grades = {g.name: {"score": g.score, "max_score": g.max_score} for g in sub.grades}
        comments = {c.name: c.comment for c in sub.comments}
        penalty = sub.late_submission_penalty or 0
        return {"grades": grades, "comments": comments, "score": sub.score - penalty,
                "max_score": sub.max_score, "late_penalty": penalty}
