"""Step 5: nbgrader autograde's steps after Execute (IgnorePattern, ClearMetadataPreprocessor,
LimitOutput, CheckCellMetadata), then the scores (nbgrader's own rule) and a one-line reason per
test, for the feedback and the class report."""
from __future__ import annotations

import re

import nbformat
from nbgrader import utils as nbutils

from ..tasks import GRADER_ERRORS, TestResult
from ..nbgrader_compat import after_execute_steps

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def score(job) -> None:
    nb, resources = job.nb, job.resources
    for cls in after_execute_steps():
        nb, resources = cls(config=job.config)(nb, resources)
    job.result.tests = score_cells(nb, job.task.instructor)
    job.result.notebook_json = nbformat.writes(nb)


def clean(text: str, limit: int = 400) -> str:
    text = ANSI.sub("", str(text)).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def reason_for(cell) -> str:
    """Why a test cell got its score, in one line: the failing check's own message when there is one."""
    points, max_points = nbutils.determine_grade(cell)
    outputs = cell.get("outputs", [])
    errors = [o for o in outputs if o.get("output_type") == "error"]
    ours = [o for o in errors if o.get("ename") in GRADER_ERRORS]
    if ours:
        return clean(f"{ours[-1]['ename']}: {ours[-1].get('evalue', '')}")
    if errors:
        e = errors[0]
        message = clean(e.get("evalue", ""))
        return f"{e.get('ename', 'Error')}: {message}" if message else e.get("ename", "Error")
    stderr = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    if stderr:
        first = next((ln for ln in clean(stderr[0].get("text", ""), 2000).splitlines() if ln.strip()), "")
        return f"wrote to stderr (nbgrader counts that as failing): {clean(first, 300)}"
    if points is None:
        return "needs manual grading"
    if points < max_points:
        return f"partial credit: {points:g} of {max_points:g}"
    return "passed"


def score_cells(nb, instructor) -> list:
    """A TestResult for every grade cell of the instructor's notebook, in notebook order."""
    found = {}
    for cell in nb.cells:
        if nbutils.is_grade(cell):
            points, max_points = nbutils.determine_grade(cell)
            gid = cell.metadata.nbgrader["grade_id"]
            found[gid] = TestResult(gid, points, max_points, reason_for(cell))
    return [found.get(gid) or TestResult(gid, 0.0, instructor.grade_cells[gid]["max_score"],
                                         "test cell missing from the submission")
            for gid in instructor.grade_ids]
