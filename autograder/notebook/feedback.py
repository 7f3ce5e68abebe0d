"""The feedback phase, on a worker: one HTML page per graded notebook, nbgrader's feedback
template minus anything that reveals hidden tests.

Rendered from the graded notebook and the grades the coordinator read back from the gradebook (so a grader's manual score shows, as with
`nbgrader generate_feedback`). Changes to nbgrader's output, each for the learner:

* a summary at the top: every test, its points, and why it failed in one line (for shape checks
  the layer, the expected shape and the actual one: the ShapeCheckError message);
* hidden test code removed from test cells (nbgrader's ClearHiddenTests), tracebacks in test
  cells reduced to the error line (a traceback quotes the hidden lines it passed through), and
  test cells' result values dropped (they can echo hidden inputs);
* notes on anything the grader had to repair or could not do.

A new section of the page is one more part in `summary_markdown` (from the NotebookResult).
"""
from __future__ import annotations

import html
import json
import time

import nbformat
from nbgrader import utils as nbutils

from ..tasks import FeedbackPage, FeedbackTask, NotebookResult, Status
from ..nbgrader_compat import ShippedGetGrades, clear_hidden_tests, feedback_exporter


def _hide_hidden_tests(nb) -> None:
    for cell in nb.cells:
        if not (nbutils.is_grade(cell) and not nbutils.is_solution(cell)) or cell.cell_type != "code":
            continue
        try:
            cell.source, had_hidden = clear_hidden_tests(cell.source)
        except RuntimeError:  # unbalanced markers: show nothing of the cell rather than too much
            cell.source, had_hidden = "# (test code hidden)", True
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                out.traceback = [f"{out.ename}: {out.evalue}"]
            elif out.output_type == "execute_result" and had_hidden:
                continue
            outputs.append(out)
        cell.outputs = outputs


def summary_markdown(result: NotebookResult) -> str:
    rows = ["| test | points | result |", "|---|---|---|"]
    for t in result.tests:
        score = "–" if t.score is None else f"{t.score:g}"
        mark = "✔" if t.passed else "✘"
        rows.append(f"| `{t.grade_id}` | {score} / {t.max_score:g} | {mark} "
                    f"{html.escape(t.reason).replace('|', '&#124;')} |")
    parts = [f"## Autograder feedback: {result.notebook}", "", *rows, ""]
    if result.status != Status.GRADED:
        parts += [f"**This notebook could not be graded:** {html.escape(result.message)}", ""]
    if result.notes:
        parts += ["**Notes from the grader:**", ""] + [f"- {html.escape(n.splitlines()[0])}" for n in result.notes] + [""]
    if result.review:
        parts += ["**A person will look at this notebook**, because it: "
                  + "; ".join(html.escape(r) for r in result.review) + ".", ""]
    return "\n".join(parts)


_EXPORTERS = {}


def _exporter(course_config):
    """One exporter per config and worker: building one recompiles the templates (~0.35 s)."""
    key = json.dumps(course_config, sort_keys=True, default=str)
    if key not in _EXPORTERS:
        _EXPORTERS[key] = feedback_exporter(course_config)
    return _EXPORTERS[key]


def render_feedback(task: FeedbackTask) -> FeedbackPage:
    """The feedback page's HTML, and the worker's time rendering it."""
    start = time.perf_counter()
    result = task.result
    if result.notebook_json:
        nb = nbformat.reads(result.notebook_json, as_version=4)
    else:
        nb = nbformat.v4.new_notebook()
    _hide_hidden_tests(nb)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(result)))
    resources = {"nbgrader": {"student": result.student, "assignment": result.assignment,
                              "notebook": result.notebook, "db_url": "shipped://"},
                 "unique_key": result.notebook}
    nb, resources = ShippedGetGrades(data=task.gradebook).preprocess(nb, resources)
    body, _ = _exporter(task.config).from_notebook_node(nb, resources=resources)
    return FeedbackPage(body, time.perf_counter() - start)
