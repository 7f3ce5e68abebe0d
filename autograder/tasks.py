"""The tasks the coordinator sends to workers and the results they send back (pickled, so plain
dataclasses), with what a worker is told (WorkerOptions) and how a notebook ended (Status).

    NotebookTask   -> worker -> NotebookResult     (grade phase)
    FeedbackTask   -> worker -> FeedbackPage       (feedback phase)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .config import Limits
from .instructor import InstructorNotebook


class Status(StrEnum):
    """How grading a notebook ended. A str, so the regrade record's JSON and expected.json hold
    the plain words."""
    GRADED = "graded"  # executed and scored (its tests may still fail)
    INVALID = "invalid"  # not gradable as submitted (not a notebook, corrupted metadata): all zero
    ERROR = "error"  # the grader failed on it: all zero, reported as a grader problem

# Error outputs the grader itself adds to cells; their text is the test's reason.
KERNEL_DIED = "KernelDied"  # the cell in which the kernel stopped
NOT_RUN = "NotRun"  # a test cell after that
CHECK_FAILED = "GraderCheckFailed"  # the tamper guard could not verify the kernel before a test
GRADER_ERRORS = (KERNEL_DIED, NOT_RUN, CHECK_FAILED)


@dataclass
class TestResult:
    grade_id: str
    score: float | None
    max_score: float
    reason: str

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score >= self.max_score


def zero_tests(instructor: InstructorNotebook, reason: str) -> list:
    """Every test at zero with one reason: for a notebook that could not be graded."""
    return [TestResult(g, 0.0, instructor.grade_cells[g]["max_score"], reason)
            for g in instructor.grade_ids]


@dataclass(frozen=True)
class WorkerOptions:
    """Exactly what a worker reads of the run's choices: this assignment's limits and the switches
    of the sandbox and the static review (the rest of Settings is the coordinator's)."""
    limits: Limits
    use_bwrap: bool = True
    use_cgroup: bool = True
    flag_review: bool = True


@dataclass
class NotebookTask:
    student: str
    assignment: str
    notebook: str
    filename: str  # as the learner named it, for messages
    content: bytes | None  # None: not submitted
    instructor: InstructorNotebook
    files: dict  # relative path -> bytes, placed next to the notebook
    options: WorkerOptions
    config: dict  # the course's nbgrader config
    env: dict  # the kernel environment decided where the run started (config.grader_env)
    notes: list = field(default_factory=list)  # from intake (e.g. a renamed file)


@dataclass
class NotebookResult:
    student: str
    assignment: str
    notebook: str
    status: Status
    message: str = ""
    notebook_json: str | None = None
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    sandbox: str = ""  # protections the kernel had, e.g. "bwrap+cgroup-v1"
    # Measurements (seconds per step, "total"; "kernel_peak_bytes", "worker", "worker_peak_rss"):
    # cost estimates for ordering the next run, and the benchmark.
    stats: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(t.score or 0 for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


@dataclass
class FeedbackTask:
    result: NotebookResult  # what the grade phase returned
    gradebook: dict  # what GetGrades would read: grades, comments, score, late penalty (store)
    config: dict  # the course's nbgrader config


@dataclass
class FeedbackPage:
    html: str
    seconds: float  # the worker's time rendering it
