"""The grading task: notebook bytes and the shipped master in, graded notebook and scores out.

This is what runs in a worker process (local pool or Dask). It touches no course directory and no
gradebook, so a worker needs nothing but this package and the course's Python environment.
"""
from __future__ import annotations

import copy
import os
import socket
import warnings
import time
import traceback
from dataclasses import dataclass, field

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import CheckCellMetadata, IgnorePattern, LimitOutput
from traitlets.config import Config

from . import guard, sandbox
from .execute import SandboxedExecute
from .kernel import KernelSession
from .master import MasterNotebook
from .sanitize import (InvalidNotebook, inspect_submission, read_notebook, sanitize,
                       student_editable_cells)
from .scoring import TestResult, score_cells


@dataclass
class GradingOptions:
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    config: dict = field(default_factory=dict)  # the course's nbgrader config, as a plain dict
    extra_env: dict = field(default_factory=dict)  # set for the kernel (course config env, thread caps)
    use_bwrap: bool = True
    use_cgroup: bool = True
    helper_packages: tuple = ("course",)
    extra_ro: tuple = ()  # more read-only paths for the sandbox (data caches)
    flag_review: bool = True


@dataclass
class NotebookTask:
    student: str
    assignment: str
    notebook: str
    filename: str  # as the learner named it, for messages
    content: bytes | None  # None: not submitted
    master: MasterNotebook
    files: dict
    options: GradingOptions
    notes: list = field(default_factory=list)  # from intake (e.g. a renamed file)


@dataclass
class NotebookResult:
    student: str
    assignment: str
    notebook: str
    status: str  # graded | invalid | error
    message: str = ""
    notebook_json: str | None = None
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    peak_memory: int | None = None
    worker: str = ""
    worker_peak_rss: int | None = None
    sandbox: str = ""  # protections the kernel had, e.g. "bwrap+cgroup-v1"

    @property
    def score(self) -> float:
        return sum(t.score or 0 for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


def _zero_tests(master: MasterNotebook, reason: str) -> list:
    order = [c["name"] for c in master.source_cells]
    ids = sorted(master.grade_cells, key=lambda n: order.index(n) if n in order else len(order))
    return [TestResult(g, 0.0, master.grade_cells[g]["max_score"], reason) for g in ids]


def _worker_rss_peak() -> int | None:
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except Exception:
        return None


def grade_notebook(task: NotebookTask) -> NotebookResult:
    """Never raises: a problem with the submission or with grading becomes the result's status."""
    warnings.filterwarnings("ignore", module="nbformat")  # reported as notes instead
    start = time.perf_counter()
    result = NotebookResult(task.student, task.assignment, task.notebook, "graded",
                            notes=list(task.notes), worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        _grade(task, result)
    except InvalidNotebook as error:
        result.status, result.message = "invalid", str(error)
        result.tests = _zero_tests(task.master, str(error))
    except Exception as error:  # a grader bug must not lose the rest of the class
        result.status = "error"
        result.message = f"grader error: {type(error).__name__}: {error}"
        result.notes.append(traceback.format_exc(limit=8))
        result.tests = _zero_tests(task.master, result.message)
    result.timings["total"] = time.perf_counter() - start
    result.worker_peak_rss = _worker_rss_peak()
    return result


def _grade(task: NotebookTask, result: NotebookResult) -> None:
    options, master = task.options, task.master
    config = copy.deepcopy(Config(options.config))
    # The limits win over the course config: nbclient re-reads the config when it starts, so a
    # constructor argument alone would be undone.
    config.Execute.timeout = options.limits.cell_timeout
    config.Execute.raise_on_iopub_timeout = False
    t0 = time.perf_counter()
    nb, read_notes = read_notebook(task.content, task.filename)
    result.notes += read_notes
    result.notes += inspect_submission(nb, master, task.filename)
    resources = {"nbgrader": {"student": task.student, "assignment": task.assignment,
                              "notebook": task.notebook, "db_url": "shipped://"},
                 "unique_key": task.notebook, "output_files_dir": f"{task.notebook}_files"}
    nb, resources = sanitize(nb, master, resources, config)
    if options.flag_review:
        for cell in student_editable_cells(nb):
            for finding in guard.scan_source(cell.source, options.helper_packages, master.helper_names):
                if finding not in result.review:
                    result.review.append(finding)
    result.timings["sanitize"] = time.perf_counter() - t0

    prot = sandbox.detect(options.use_bwrap, options.use_cgroup)
    result.sandbox = "+".join(filter(None, ["bwrap" if prot.bwrap else "",
                                            f"cgroup-{prot.cgroup}" if prot.cgroup else "rlimits"]))
    limits = options.limits
    box = KernelSession(prot, limits, options.extra_env, task.files, options.helper_packages,
                        options.extra_ro)
    kernel_name = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        result.notes.append(f"kernel {kernel_name!r} is not installed on the grader; used python3")
        kernel_name = "python3"
    box.km.kernel_name = kernel_name
    executor = SandboxedExecute(config=config, session_box=box, timeout=limits.cell_timeout,
                                trusted_imports=[list(i) for i in master.trusted_imports],
                                protected_packages=list(options.helper_packages),
                                output_limit=limits.output_kb * 1024)
    resources["metadata"] = {"path": str(box.scratch.work)}
    t1 = time.perf_counter()
    try:
        nb, resources = executor.preprocess(nb, resources, km=box.km)
    finally:
        result.timings["execute"] = time.perf_counter() - t1
        result.timings["cells"] = executor.cell_seconds
        result.timings["guard"] = executor.guard_seconds
        result.peak_memory = box.peak_memory()
        if executor.kc is not None:
            try:
                executor.kc.stop_channels()
            except Exception:
                pass
        box.close()
    if executor.death:
        result.notes.append(f"the kernel stopped: {executor.death}")
    result.notes += [f"tampering repaired before a test: {n}" for n in executor.guard_notes]
    if executor.guard_notes:
        result.review.append("the pre-test guard had to repair the environment")
    if executor.truncated:
        result.notes.append(f"output of {len(executor.truncated)} cell(s) was cut at "
                            f"{limits.output_kb} KiB")

    t2 = time.perf_counter()
    for pp in (IgnorePattern(config=config), ClearMetadataPreprocessor(config=config),
               LimitOutput(config=config), CheckCellMetadata(config=config)):
        nb, resources = pp(nb, resources)
    result.tests = score_cells(nb, master)
    result.notebook_json = nbformat.writes(nb)
    result.timings["post"] = time.perf_counter() - t2
