"""Scores (nbgrader's own rule) and a one-line reason per test, for feedback and the class report."""
from __future__ import annotations

import re
from dataclasses import dataclass

from nbgrader import utils as nbutils

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Error outputs the grader itself adds: their text is the reason, whatever else the cell printed.
GRADER_ERRORS = ("KernelDied", "NotRun", "GraderCheckFailed")
@dataclass
class TestResult:
    grade_id: str
    score: float | None
    max_score: float
    reason: str

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score >= self.max_score


def clean(text: str, limit: int = 400) -> str:
    text = ANSI.sub("", str(text)).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def reason_for(cell) -> str:
    """Why a test cell got its score, in one line: the failing check's own message when there is one."""
    score, max_score = nbutils.determine_grade(cell)
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
    if score is None:
        return "needs manual grading"
    if score < max_score:
        return f"partial credit: {score:g} of {max_score:g}"
    return "passed"


def score_cells(nb, master) -> list:
    """A TestResult for every grade cell of the master notebook, in notebook order."""
    found = {}
    for cell in nb.cells:
        if nbutils.is_grade(cell):
            score, max_score = nbutils.determine_grade(cell)
            gid = cell.metadata.nbgrader["grade_id"]
            found[gid] = TestResult(gid, score, max_score, reason_for(cell))
    results = []
    order = [c["name"] for c in master.source_cells]
    for gid in sorted(master.grade_cells, key=lambda n: order.index(n) if n in order else len(order)):
        results.append(found.get(gid) or TestResult(gid, 0.0, master.grade_cells[gid]["max_score"],
                                                    "test cell missing from the submission"))
    return results
