"""One notebook on a worker. Grading is a list of steps, as nbgrader's converters list their
preprocessors; each step is a function of the Job, in its own module:

    read -> sanitize -> review -> execute -> score          (grade phase: NotebookTask -> NotebookResult)
    feedback.render_feedback                                (feedback phase: FeedbackTask -> FeedbackPage)

Nothing here touches a course directory or a gradebook, so a worker needs nothing but this
package and the course's Python environment.
"""
from __future__ import annotations

import os
import resource
import socket
import time
import traceback
import warnings

from ..tasks import NotebookResult, NotebookTask, Status, zero_tests
from .execute import execute
from .feedback import render_feedback
from .job import Job
from .read import InvalidNotebook, read
from .review import review
from .sanitize import sanitize
from .score import score

GRADE_STEPS = (read, sanitize, review, execute, score)

__all__ = ["GRADE_STEPS", "grade_notebook", "render_feedback", "warm_up"]


def grade_notebook(task: NotebookTask) -> NotebookResult:
    """Never raises: a problem with the submission or with grading becomes the result's status."""
    warnings.filterwarnings("ignore", module="nbformat")  # reported as notes instead
    start = time.perf_counter()
    result = NotebookResult(task.student, task.assignment, task.notebook, Status.GRADED,
                            notes=list(task.notes))
    job = Job(task, result)
    steps = result.stats.setdefault("steps", {})
    try:
        for step in GRADE_STEPS:
            t0 = time.perf_counter()
            try:
                step(job)
            finally:
                steps[step.__name__] = time.perf_counter() - t0
    except InvalidNotebook as error:
        result.status, result.message = Status.INVALID, str(error)
        result.tests = zero_tests(task.instructor, str(error))
    except Exception as error:  # a grader bug must not lose the rest of the class
        result.status = Status.ERROR
        result.message = f"grader error: {type(error).__name__}: {error}"
        result.notes.append(traceback.format_exc(limit=8))
        result.tests = zero_tests(task.instructor, result.message)
    result.stats.update(total=time.perf_counter() - start,
                        worker=f"{socket.gethostname()}:{os.getpid()}",
                        worker_peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return result


def warm_up(course_config=None) -> None:
    """Run once in each worker: clear what crashed workers left behind, probe the sandbox,
    compile the feedback templates, so that no task pays for it. Nothing from the students'
    world (torch, tensorflow) is imported here."""
    from .. import sandbox
    from ..tasks import FeedbackTask
    from .review import scan_source
    sandbox.remove_stale()
    sandbox.detect()
    sandbox.home_skeleton()
    scan_source("x = 1\n")  # IPython's input transformer, imported on first use
    if course_config is not None:
        render_feedback(FeedbackTask(NotebookResult("warm-up", "warm-up", "warm-up", Status.GRADED),
                                     {"grades": {}, "comments": {}, "score": 0, "max_score": 0,
                                      "late_penalty": 0}, course_config))
