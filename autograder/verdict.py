"""One notebook's full verdict for a self-study learner: `python -m autograder check NOTEBOOK`
(`make check NOTEBOOK=...`, and the `%check` magic of the `course` extension).

It is the grader's own run on one notebook: the same worker steps (notebook.grade_notebook:
sandboxed kernel, tamper guard, nbgrader's scoring), the same limits, hidden tests included, so
the points are the ones a grader would give. What the learner gets back is what the feedback page
shows (points, pass/fail and each failing test's message), never the hidden test code.

Nothing is written: the instructor's notebook is read from `source/` in memory, by the steps of
nbgrader's own `generate_assignment` up to the one that would save it to a gradebook (so no
gradebook is needed or touched), the learner's file is read once, and the kernel works in the
sandbox's scratch folder, not next to the notebook. A checkout without `source/` (a graded class)
gets a message pointing to Validate instead.
"""
from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbgrader import utils as nbutils

from course.texttable import format_rows

from .config import Course, Limits, grader_env
from .instructor import InstructorNotebook, source_files, trusted_imports
from .intake import grade_ids
from .nbgrader_compat import generate_assignment_in_memory
from .tasks import NotebookResult, NotebookTask, Status, WorkerOptions
from .notebook import grade_notebook

NO_SOURCE = ("This checkout has no instructor notebooks (no {source}/ folder): that is how a graded "
             "class is handed out, and the hidden tests stay with your instructor. Check your notebook "
             "with the Validate button in the notebook toolbar (or, in a terminal, "
             "`nbgrader validate {notebook}`): it runs the tests you can see.")


class CannotCheck(Exception):
    """The notebook cannot be checked here; the message says why, for the learner."""


@dataclass
class Verdict:
    path: Path  # the file that was graded
    modified: datetime  # its modification time: the saved version that was graded
    assignment: str
    result: NotebookResult
    exercises: dict  # test grade_id -> the heading it sits under ("Exercise 2", "Train it")
    seconds: float

    @property
    def passed(self) -> bool:
        return self.result.status == Status.GRADED and all(t.passed for t in self.result.tests)


# -- which notebook -------------------------------------------------------------------------------
def find_source(course: Course, path: Path) -> tuple[str, Path]:
    """(assignment, instructor notebook) for a learner's file: the source notebook of the same
    name, else the one sharing the most graded cells (a renamed copy)."""
    source_root = course.folder("source")
    sources = sorted(source_root.glob("*/*.ipynb")) if source_root.is_dir() else []
    if not sources:
        raise CannotCheck(NO_SOURCE.format(source=course.coursedir.source_directory, notebook=path))
    same_name = [p for p in sources if p.name == path.name]
    if len(same_name) == 1:
        return same_name[0].parent.name, same_name[0]
    ids = grade_ids(path.read_bytes())
    overlap = sorted(((len(ids & grade_ids(p.read_bytes())), p) for p in sources), reverse=True)
    if not overlap or overlap[0][0] == 0:
        raise CannotCheck(f"{path} is not one of the course's notebooks (none of its cells are graded "
                          f"cells of a notebook in {source_root}): start from a notebook in release/")
    return overlap[0][1].parent.name, overlap[0][1]


def instructor_notebook(course: Course, source: Path, assignment: str) -> tuple[InstructorNotebook, dict]:
    """What `nbgrader generate_assignment` would save to the gradebook for this notebook (read in
    memory by nbgrader_compat), and the assignment's other files."""
    saved = generate_assignment_in_memory(source, assignment, course.config)
    original = nbformat.read(str(source), as_version=4)
    return (InstructorNotebook(source.stem, saved.kernelspec, saved.cells, saved.grade, saved.solution,
                               saved.task, trusted_imports(original)),
            source_files(source.parent, course.coursedir.ignore))


def headings(source: Path) -> dict:
    """test grade_id -> the `## ` heading above it in the instructor's notebook, without "(N points)"."""
    found, current = {}, ""
    for cell in nbformat.read(str(source), as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    current = re.sub(r"\s*\(\d+(\.\d+)? points?\)\s*$", "", line[3:]).strip()
        elif nbutils.is_grade(cell):
            found[cell.metadata.nbgrader["grade_id"]] = current
    return found


# -- the check ------------------------------------------------------------------------------------
def check(course: Course, path, limits: Limits | None = None, use_bwrap: bool = True,
          use_cgroup: bool = True) -> Verdict:
    """Grade one saved notebook as the grader would, writing nothing. Raises CannotCheck."""
    path = Path(path)
    if not path.is_file():
        raise CannotCheck(f"{path}: no such notebook file")
    assignment, source = find_source(course, path.resolve())
    start = time.perf_counter()
    modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    content = path.read_bytes()
    instructor, files = instructor_notebook(course, source, assignment)
    # The limits of `python -m autograder grade`: its per-cell time is the course config's.
    limits = limits or Limits(cell_timeout=int(course.config.Execute.get("timeout", 120) or 120))
    options = WorkerOptions(limits, use_bwrap=use_bwrap, use_cgroup=use_cgroup, flag_review=False)
    task = NotebookTask("self-check", assignment, instructor.name, path.name, content, instructor, files,
                        options, course.config, grader_env(course.env))
    result = grade_notebook(task)
    return Verdict(path, modified, assignment, result, headings(source), time.perf_counter() - start)


# -- what the learner reads -----------------------------------------------------------------------
def format_verdict(v: Verdict) -> str:
    r = v.result
    when = v.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    lines = [f"Graded {v.path} as saved at {when} (unsaved changes in an open editor are not included),",
             f"as {r.notebook} of {v.assignment}, by the course's grader with the hidden tests "
             f"(sandbox: {r.sandbox or 'none'}), in {v.seconds:.1f} s.", ""]
    if r.status != Status.GRADED:
        lines.append(f"Could not be graded: {r.message}")
    rows = [(v.exercises.get(t.grade_id, ""), t.grade_id, f"{t.score or 0:g} / {t.max_score:g}",
             "passed" if t.passed else "FAILED") for t in r.tests]
    lines += format_rows(("exercise", "test", "points", "result"), rows)
    lines += ["", f"total: {r.score:g} / {r.max_score:g} points"]
    failed = [t for t in r.tests if not t.passed]
    if failed:
        lines += ["", "Why each test failed:"]
        for t in failed:
            lines.append(f"- {v.exercises.get(t.grade_id) or t.grade_id} ({t.grade_id}): {t.reason}")
    if r.notes:
        lines += ["", "Notes from the grader:"] + [f"- {n.strip().splitlines()[0]}" for n in r.notes]
    return "\n".join(lines)


def verdict_dict(v: Verdict) -> dict:
    """The verdict as data (`check --json`)."""
    return {"path": str(v.path), "modified": v.modified.isoformat(), "assignment": v.assignment,
            "notebook": v.result.notebook, "status": v.result.status, "message": v.result.message,
            "score": v.result.score, "max_score": v.result.max_score, "seconds": round(v.seconds, 2),
            "tests": [dict(dataclasses.asdict(t), exercise=v.exercises.get(t.grade_id, ""), passed=t.passed)
                      for t in v.result.tests],
            "notes": v.result.notes}
