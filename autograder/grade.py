"""The flow, top to bottom: plan -> grade -> feedback -> report.

    plan      per assignment: the instructor's notebooks (instructor), the submissions that changed
              (intake, the store's regrade record), one NotebookTask per notebook
    grade     the tasks on the executor (executors), longest first; each submission is saved by
              the store (gradebook, autograded/, regrade record) as soon as its last notebook is in
    feedback  one FeedbackTask per saved notebook, rendered on the executor, written by the store
    report    the grades CSV and the class report (report)

This process is the only one that opens the gradebook; workers get everything in the task.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import sys
import time
from concurrent.futures import FIRST_COMPLETED, as_completed, wait
from dataclasses import dataclass, field

from nbgrader.api import MissingEntry
from tqdm import tqdm

from . import intake, report
from .config import Course, Limits, Settings, grader_env
from .executors import open_executor
from .instructor import InstructorAssignment, load_instructor
from .notebook import grade_notebook, render_feedback, warm_up
from .sandbox import detect
from .store import Store, UnknownStudent
from .tasks import FeedbackTask, NotebookResult, NotebookTask, Status, WorkerOptions, zero_tests

VERSION = "1"  # bump when grading semantics change: every submission is graded again


class GradingError(Exception):
    """Stops a run before any grading (missing assignment, unusable options)."""


@dataclass
class AssignmentRun:
    assignment: str
    graded: dict = field(default_factory=dict)  # student -> {notebook -> NotebookResult}
    skipped: list = field(default_factory=list)  # unchanged since the last run
    unknown: list = field(default_factory=list)  # students not graded (--unknown-students report)
    errors: list = field(default_factory=list)  # (student, message) the gradebook did not take
    notes: list = field(default_factory=list)  # (student, note) from intake
    seconds: float = 0.0
    workers: str = ""  # where the tasks ran
    stats: dict = field(default_factory=dict)  # student -> {"save": s, "feedback": s} (coordinator side)
    reports: dict = field(default_factory=dict)


@dataclass
class Plan:
    run: AssignmentRun
    instructor: InstructorAssignment
    pending: dict  # student -> Pending
    tasks: list


@dataclass
class Pending:
    submission: intake.Submission
    digest: str
    expected: int  # notebooks
    results: dict = field(default_factory=dict)


def grade(course: Course, settings: Settings, assignments, out=None) -> dict:
    """Grade several assignments as one stream of tasks, so that no worker idles between them.
    `assignments`: names, or (name, Limits) pairs. Returns {assignment: AssignmentRun}."""
    out = out or sys.stderr
    say = (lambda text: None) if settings.quiet else (lambda text: tqdm.write(text, file=out))
    protections = detect(settings.use_bwrap, settings.use_cgroup)
    if settings.require_sandbox and not (protections.bwrap and protections.cgroup):
        raise GradingError("--require-sandbox: " + " / ".join(protections.lines(settings.limits)[:2]))
    items = [(a, None) if isinstance(a, str) else a for a in assignments]
    store = Store(course, create_students=settings.unknown_students == "add")
    try:
        start = time.perf_counter()
        plans = [plan(course, store, settings, name, limits or settings.limits, say)
                 for name, limits in items]
        if any(p.tasks for p in plans):
            describe = functools.partial(_describe_worker, settings.use_bwrap, settings.use_cgroup)
            with open_executor(settings, warm_up, course.config, describe) as (executor, where):
                for line in protections.lines(settings.limits):
                    say(line)
                say(f"workers: {where}")
                for p in plans:
                    p.run.workers = where
                grade_all(executor, plans, store, settings, out)
                if settings.feedback:
                    feedback_all(executor, plans, store, course, say)
        for p in plans:
            p.run.seconds = time.perf_counter() - start
            p.run.reports = write_reports(course, store, p.run.assignment, p.instructor)
        return {p.run.assignment: p.run for p in plans}
    finally:
        store.close()


# -- plan -------------------------------------------------------------------------------------------
def plan(course: Course, store: Store, settings: Settings, assignment: str, limits: Limits, say) -> Plan:
    """What to grade for one assignment: unchanged and unknown submissions are left out."""
    run = AssignmentRun(assignment)
    try:
        instructor = load_instructor(course.db_url, assignment, course.folder("source", ".", assignment),
                                     course.coursedir.ignore)
    except MissingEntry:
        raise GradingError(f"assignment {assignment!r} is not in the gradebook: run "
                           f"`nbgrader generate_assignment {assignment}` (make release) first") from None
    fingerprint = hashlib.sha256(pickle.dumps((VERSION, instructor.notebooks, sorted(instructor.files.items()),
                                               limits.__dict__))).hexdigest()
    if limits != settings.limits:
        say(f"{assignment}: {limits.cell_timeout} s per cell, {limits.notebook_timeout} s per "
            f"notebook, {limits.memory_mb} MiB per kernel")
    if limits.threads == 0 and settings.workers > 1:
        # N kernels on N cores: one math thread each beats N threads each fighting.
        limits = dataclasses.replace(limits, threads=max(1, (os.cpu_count() or 1) // settings.workers))
    known, env = store.known_students(), grader_env(course.env)
    options = WorkerOptions(limits, settings.use_bwrap, settings.use_cgroup, settings.flag_review)
    pending, tasks = {}, []
    for sub in intake.discover(course, assignment, settings.students):
        if sub.student not in known and settings.unknown_students == "report":
            run.unknown.append(sub.student)
            continue
        digest = intake.submission_hash(sub, fingerprint)
        previous = store.load_record(assignment, sub.student)
        if (not settings.force and previous and previous.get("hash") == digest
                and store.has_submission(assignment, sub.student)
                and course.folder("autograded", sub.student, assignment).is_dir()):
            run.skipped.append(sub.student)
            continue
        matched = intake.match_notebooks(sub, instructor)
        files = {**sub.extra_files(), **instructor.files}  # the instructor's copies win, as in nbgrader
        pending[sub.student] = Pending(sub, digest, len(matched))
        run.notes += [(sub.student, note) for note in sub.notes]
        for name, (filename, content, notes) in matched.items():
            tasks.append(NotebookTask(sub.student, assignment, name, filename, content,
                                      instructor.notebooks[name], files, options,
                                      course.config, env, notes))
    if run.unknown:
        say(f"{assignment}: NOT graded, students unknown to the gradebook "
            f"(--unknown-students add to grade them): {', '.join(run.unknown)}")
    if run.skipped:
        say(f"{assignment}: {len(run.skipped)} submission(s) unchanged since the last run, "
            "not graded again (--force to regrade)")
    return Plan(run, instructor, pending, tasks)


# -- grade ------------------------------------------------------------------------------------------
def grade_all(executor, plans, store: Store, settings: Settings, out) -> None:
    """Every task on the executor, longest first (the last worker to finish then finishes
    soonest); each submission is saved as soon as its last notebook comes back."""
    costs = _last_costs(store, plans)
    tasks = sorted((t for p in plans for t in p.tasks), reverse=True,
                   key=lambda t: (costs.get((t.assignment, t.notebook), 0), len(t.content or b"")))
    by_assignment = {p.run.assignment: p for p in plans}
    futures = {executor.submit(grade_notebook, task): task for task in tasks}
    bar = tqdm(total=len(tasks), unit="notebook", desc=f"grading {', '.join(by_assignment)}", file=out,
               disable=not settings.progress, mininterval=0.5, dynamic_ncols=True)
    with bar:
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                task = futures[future]
                result = future.result() if future.exception() is None else _crashed(task, future.exception())
                bar.update(1)
                if result.status != Status.GRADED:
                    bar.write(f"  {task.student}/{task.notebook}: {result.status}: {result.message}", file=out)
                p = by_assignment[task.assignment]
                entry = p.pending[task.student]
                entry.results[task.notebook] = result
                if len(entry.results) == entry.expected:
                    save(store, p, entry, settings.flag_review, bar.write)


def _last_costs(store: Store, plans) -> dict:
    """(assignment, notebook) -> seconds it took last time (median); unknown: by size."""
    costs = {}
    for p in plans:
        seen = {}
        for notebooks in store.all_results(p.run.assignment).values():
            for name, result in notebooks.items():
                if result.status == Status.GRADED and result.stats.get("total"):
                    seen.setdefault(name, []).append(result.stats["total"])
        for name, values in seen.items():
            costs[(p.run.assignment, name)] = sorted(values)[len(values) // 2]
    return costs


def _crashed(task: NotebookTask, error) -> NotebookResult:
    message = f"the grading worker failed on this notebook: {type(error).__name__}: {error}"
    return NotebookResult(task.student, task.assignment, task.notebook, Status.ERROR, message,
                          tests=zero_tests(task.instructor, message))


def save(store: Store, p: Plan, entry: Pending, flag_review: bool, say) -> None:
    """Gradebook, autograded/ files, regrade record; a submission the gradebook refuses is
    reported and the rest of the class is still saved."""
    t0 = time.perf_counter()
    run, sub = p.run, entry.submission
    try:
        store.save_grades(run.assignment, sub.student, sub.timestamp, entry.results, flag_review)
    except UnknownStudent:
        run.errors.append((sub.student, "not in the gradebook (--unknown-students add to add)"))
        return
    except Exception as error:
        run.errors.append((sub.student, f"gradebook write failed: {type(error).__name__}: {error}"))
        say(f"  {sub.student}: gradebook write failed: {error}")
        return
    store.write_autograded(run.assignment, sub.student, sub.files, p.instructor.files, entry.results)
    store.save_record(run.assignment, sub.student, entry.digest, entry.results,
                      {"timestamp": str(sub.timestamp or ""), "notes": sub.notes})
    run.graded[sub.student] = entry.results
    run.stats.setdefault(sub.student, {})["save"] = time.perf_counter() - t0


# -- feedback ---------------------------------------------------------------------------------------
def feedback_all(executor, plans, store: Store, course: Course, say) -> None:
    """One page per saved notebook, as `nbgrader generate_feedback`, rendered on the workers."""
    futures = {}
    for p in plans:
        for student, results in p.run.graded.items():
            for name, result in results.items():
                task = FeedbackTask(result, store.feedback_data(p.run.assignment, student, name), course.config)
                futures[executor.submit(render_feedback, task)] = (p.run, student, name)
    for future in as_completed(futures):
        run, student, name = futures[future]
        if future.exception() is not None:
            say(f"  {student}/{name}: feedback page failed: {future.exception()}")
            continue
        page = future.result()
        store.write_feedback(run.assignment, student, name, page.html)
        stats = run.stats.setdefault(student, {})
        stats["feedback"] = stats.get("feedback", 0) + page.seconds


# -- report -----------------------------------------------------------------------------------------
def write_reports(course: Course, store: Store, assignment: str, instructor: InstructorAssignment) -> dict:
    """The grades CSV (nbgrader's export format) and the class report, over every graded submission."""
    paths = report.write(course.work_dir / assignment, assignment, instructor, store.all_results(assignment))
    paths["grades_csv"] = store.export_csv()
    return paths


def _describe_worker(use_bwrap: bool, use_cgroup: bool) -> str:
    """Runs on each Dask worker: its name and sandbox."""
    return detect(use_bwrap, use_cgroup).on_host()
