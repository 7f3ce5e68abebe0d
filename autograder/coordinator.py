"""The coordinator: finds submissions, hands notebooks to workers, and is the gradebook's only writer.

One process, one thread touching the gradebook. Workers get everything in the task (notebook
bytes, the instructor's cells, extra files) and send back the graded notebook and its scores; the
coordinator saves them with nbgrader's SaveAutoGrades, writes autograded/ and feedback/ in
nbgrader's layout, and keeps a content hash per submission so that a re-run grades only what
changed.
"""
from __future__ import annotations

import copy
import hashlib
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import CsvExportPlugin
from tqdm import tqdm

from . import intake, report, sandbox, state
from .backends import make_backend
from .course_config import Course
from .feedback import FeedbackTask, timed_feedback
from .gradebook_writer import GradebookWriter, UnknownStudent
from .master import load_master
from .worker import GradingOptions, NotebookResult, NotebookTask, grade_notebook

VERSION = "1"  # bump when grading semantics change: every submission is graded again


class GradingError(Exception):
    """Stops a run before any grading (missing assignment, unusable options)."""


@dataclass
class Settings:
    jobs: int | None = None
    dask: str | None = None
    force: bool = False
    unknown_students: str = "add"  # add | report
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    use_bwrap: bool = True
    use_cgroup: bool = True
    require_sandbox: bool = False
    flag_review: bool = True
    feedback: bool = True
    progress: bool = True
    students: list | None = None
    helper_packages: tuple = ("course",)
    extra_ro: tuple = ()
    quiet: bool = False


@dataclass
class AssignmentRun:
    assignment: str
    graded: dict = field(default_factory=dict)  # student -> {notebook -> NotebookResult}
    skipped: list = field(default_factory=list)  # unchanged since the last run
    unknown: list = field(default_factory=list)  # students not graded (--unknown-students report)
    errors: list = field(default_factory=list)  # (student, message) the gradebook did not take
    notes: list = field(default_factory=list)  # (student, note) from intake
    seconds: float = 0.0
    overhead: dict = field(default_factory=dict)  # student -> coordinator seconds for that submission
    feedback_seconds: dict = field(default_factory=dict)  # student -> worker seconds rendering feedback
    reports: dict = field(default_factory=dict)


class Coordinator:
    def __init__(self, course: Course, settings: Settings, out=None):
        self.course, self.settings = course, settings
        self.out = out or sys.stderr
        self.writer = GradebookWriter(course.db_url, course.course_id, course.config,
                                      create_students=settings.unknown_students == "add")
        self.protections = sandbox.detect(settings.use_bwrap, settings.use_cgroup)
        if settings.require_sandbox and not (self.protections.bwrap and self.protections.cgroup):
            raise GradingError("--require-sandbox: " + " / ".join(
                self.protections.lines(settings.limits)[:2]))
        self.backend = None

    def say(self, text: str) -> None:
        if not self.settings.quiet:
            tqdm.write(text, file=self.out)

    # -- options shipped to workers ---------------------------------------------------------------
    def _options(self, jobs: int, limits: sandbox.Limits) -> GradingOptions:
        if limits.threads == 0 and jobs > 1:
            # N kernels on N cores: one math thread each beats N threads each fighting.
            limits = sandbox.Limits(**{**limits.__dict__, "threads": max(1, (os.cpu_count() or 1) // jobs)})
        env = dict(self.course.env)
        env["NBGRADER_EXECUTION"] = "autograde"  # what nbgrader autograde sets for its kernels
        config = copy.deepcopy(self.course.config)
        config.OverwriteCells.setdefault("add_missing_cells", True)  # a deleted test cell still runs
        return GradingOptions(limits=limits, config=config, extra_env=env,
                              use_bwrap=self.settings.use_bwrap, use_cgroup=self.settings.use_cgroup,
                              helper_packages=tuple(self.settings.helper_packages),
                              extra_ro=tuple(self.settings.extra_ro),
                              flag_review=self.settings.flag_review)

    def _start_backend(self):
        if self.backend is None:
            self.backend = make_backend(self.settings.jobs, self.settings.dask, self.course.config)
            for line in self.protections.lines(self.settings.limits):
                self.say(line)
            if self.backend.name == "dask":
                self.say(f"workers: {self.backend.describe(self.settings.use_bwrap, self.settings.use_cgroup)}")
            else:
                self.say(f"workers: {self.backend.describe()}")
        return self.backend

    def close(self):
        self.writer.close()
        if self.backend is not None:
            self.backend.close()
            self.backend = None

    # -- assignments ----------------------------------------------------------------------------
    def grade(self, assignment: str, limits: sandbox.Limits | None = None) -> AssignmentRun:
        return self.grade_many([(assignment, limits)])[assignment]

    def grade_many(self, items) -> dict:
        """Grade several assignments ((name, limits or None) pairs) as one stream of tasks, so
        that no worker idles between assignments. Returns {assignment: AssignmentRun}."""
        start = time.perf_counter()
        plans = [self._plan(assignment, limits or self.settings.limits) for assignment, limits in items]
        tasks = [t for plan in plans for t in plan["tasks"]]
        if tasks:
            self._execute(plans, tasks)
        runs = {}
        for plan in plans:
            run = plan["run"]
            run.seconds = time.perf_counter() - start
            self._finish(run, plan["master"])
            runs[run.assignment] = run
        return runs

    def _plan(self, assignment: str, limits: sandbox.Limits) -> dict:
        """What to grade for one assignment: the master, unchanged/unknown submissions, the tasks."""
        run = AssignmentRun(assignment)
        source_dir = self.course.folder("source", ".", assignment)
        try:
            master = load_master(self.course.db_url, assignment, source_dir,
                                 self.course.coursedir.ignore, self.settings.helper_packages)
        except MissingEntry:
            raise GradingError(f"assignment {assignment!r} is not in the gradebook: run "
                               f"`nbgrader generate_assignment {assignment}` (make release) first") from None
        fingerprint = hashlib.sha256(pickle.dumps((VERSION, master.notebooks, sorted(master.files.items()),
                                                   limits.__dict__))).hexdigest()
        known = self.writer.known_students()
        options = self._options(self.settings.jobs or os.cpu_count() or 1, limits)
        if limits != self.settings.limits:
            self.say(f"{assignment}: {limits.cell_timeout} s per cell, {limits.notebook_timeout} s per "
                     f"notebook, {limits.memory_mb} MiB per kernel")
        pending, tasks = {}, []
        for sub in intake.discover(self.course, assignment, self.settings.students):
            if sub.student not in known and self.settings.unknown_students == "report":
                run.unknown.append(sub.student)
                continue
            digest = intake.submission_hash(sub, fingerprint)
            previous = state.load(self.course.work_dir, assignment, sub.student)
            if (not self.settings.force and previous and previous.get("hash") == digest
                    and self.writer.has_submission(assignment, sub.student)
                    and self.course.folder("autograded", sub.student, assignment).is_dir()):
                run.skipped.append(sub.student)
                continue
            matched = intake.match_notebooks(sub, master)
            files = {rel: p.read_bytes() for rel, p in sub.extra_files().items()
                     if p.stat().st_size <= intake.MAX_EXTRA_FILE}
            files.update(master.files)  # the instructor's copies win, as in nbgrader
            pending[sub.student] = {"sub": sub, "digest": digest, "results": {}, "expected": len(matched)}
            run.notes += [(sub.student, note) for note in sub.notes]
            for name, (filename, content, notes) in matched.items():
                tasks.append(NotebookTask(sub.student, assignment, name, filename, content,
                                          master.notebooks[name], files, options, notes))
        if run.unknown:
            self.say(f"{assignment}: NOT graded, students unknown to the gradebook "
                     f"(--unknown-students add to grade them): {', '.join(run.unknown)}")
        if run.skipped:
            self.say(f"{assignment}: {len(run.skipped)} submission(s) unchanged since the last run, "
                     "not graded again (--force to regrade)")
        return {"run": run, "master": master, "pending": pending, "tasks": tasks}

    def _cost_estimates(self, plans) -> dict:
        """(assignment, notebook) -> seconds it took last time (median), to start the longest
        notebooks first: the last worker to finish then finishes soonest."""
        costs = {}
        for plan in plans:
            assignment = plan["run"].assignment
            seen = {}
            for notebooks in state.all_results(self.course.work_dir, assignment).values():
                for name, result in notebooks.items():
                    if result.status == "graded" and result.timings.get("total"):
                        seen.setdefault(name, []).append(result.timings["total"])
            for name, values in seen.items():
                costs[(assignment, name)] = sorted(values)[len(values) // 2]
        return costs

    def _execute(self, plans, tasks):
        backend = self._start_backend()
        costs = self._cost_estimates(plans)
        # Unknown cost: the bigger the notebook, the longer it tends to run.
        tasks.sort(key=lambda t: (costs.get((t.assignment, t.notebook), 0), len(t.content or b"")),
                   reverse=True)
        by_assignment = {plan["run"].assignment: plan for plan in plans}
        for task in tasks:
            backend.submit(("grade", task.assignment, task.student, task.notebook), grade_notebook, task)
        names = ", ".join(by_assignment)
        bar = tqdm(total=len(tasks), unit="notebook", desc=f"grading {names}", file=self.out,
                   disable=not self.settings.progress, mininterval=0.5, dynamic_ncols=True)
        outstanding, feedback_due = len(tasks), 0
        try:
            while outstanding or feedback_due:
                done = backend.result()
                kind, assignment, student, name = done.key
                plan = by_assignment[assignment]
                run, entry = plan["run"], plan["pending"][student]
                if kind == "grade":
                    outstanding -= 1
                    bar.update(1)
                    result = done.value if done.error is None else self._crashed(
                        student, assignment, plan["master"], name, done.error)
                    entry["results"][name] = result
                    if result.status != "graded":
                        bar.write(f"  {student}/{name}: {result.status}: {result.message}", file=self.out)
                    if len(entry["results"]) == entry["expected"]:
                        feedback_due += self._save(run, entry)
                else:
                    feedback_due -= 1
                    self._write_feedback(run, student, name, done)
        finally:
            bar.close()

    def _crashed(self, student, assignment, master, name, error) -> NotebookResult:
        from .worker import _zero_tests
        message = f"the grading worker failed on this notebook: {type(error).__name__}: {error}"
        return NotebookResult(student, assignment, name, "error", message,
                              tests=_zero_tests(master.notebooks[name], message))

    def _save(self, run, entry) -> int:
        """Gradebook, autograded/ files, state; then queue the feedback pages. Returns tasks queued."""
        t0 = time.perf_counter()
        sub, results = entry["sub"], entry["results"]
        try:
            self.writer.write(run.assignment, sub.student, sub.timestamp, results, self.settings.flag_review)
        except UnknownStudent:
            run.errors.append((sub.student, "not in the gradebook (--unknown-students add to add)"))
            return 0
        except Exception as error:  # the rest of the class is still graded and saved
            run.errors.append((sub.student, f"gradebook write failed: {type(error).__name__}: {error}"))
            self.say(f"  {sub.student}: gradebook write failed: {error}")
            return 0
        self._write_autograded(run.assignment, sub, results)
        state.save(self.course.work_dir, run.assignment, sub.student, entry["digest"], results,
                   {"timestamp": str(sub.timestamp or ""), "notes": sub.notes})
        run.graded[sub.student] = results
        queued = 0
        if self.settings.feedback:
            for name, result in results.items():
                task = FeedbackTask(sub.student, run.assignment, name, result.status, result.message,
                                    result.notebook_json,
                                    self.writer.feedback_data(run.assignment, sub.student, name),
                                    result.tests, result.notes, result.review, self.course.config)
                self.backend.submit(("feedback", run.assignment, sub.student, name), timed_feedback, task)
                queued += 1
        run.overhead[sub.student] = run.overhead.get(sub.student, 0) + time.perf_counter() - t0
        return queued

    def _write_autograded(self, assignment, sub, results):
        dest = self.course.folder("autograded", sub.student, assignment)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for rel, path in sub.files.items():  # nbgrader copies every non-notebook file along
            if not rel.endswith(".ipynb"):
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, dest / rel)
        source_dir = self.course.folder("source", ".", assignment)
        for rel in load_master_files(source_dir, self.course.coursedir.ignore):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source_dir / rel, dest / rel)
        for name, result in results.items():
            if result.notebook_json:
                (dest / f"{name}.ipynb").write_text(result.notebook_json)

    def _write_feedback(self, run, student, name, done):
        dest = self.course.folder("feedback", student, run.assignment)
        dest.mkdir(parents=True, exist_ok=True)
        if done.error is not None:
            self.say(f"  {student}/{name}: feedback page failed: {done.error}")
            return
        page, seconds = done.value
        (dest / f"{name}.html").write_text(page)
        run.feedback_seconds[student] = run.feedback_seconds.get(student, 0) + seconds

    def _finish(self, run, master):
        """Grades CSV (nbgrader export format) and the class report, over every graded submission."""
        work = self.course.work_dir
        work.mkdir(parents=True, exist_ok=True)
        with Gradebook(self.course.db_url, self.course.course_id) as gb:
            CsvExportPlugin(to=str(work / "grades.csv")).export(gb)
        everyone = state.all_results(work, run.assignment)
        run.reports = report.write(work / run.assignment, run.assignment, master, everyone)
        run.reports["grades_csv"] = work / "grades.csv"


def load_master_files(source_dir: Path, ignore) -> list:
    from nbgrader.utils import find_all_files
    if not source_dir.is_dir():
        return []
    return [str(Path(p).relative_to(source_dir))
            for p in find_all_files(str(source_dir), list(ignore) + ["*.ipynb"])]
