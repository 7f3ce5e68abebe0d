"""Per-student HTML feedback: nbgrader's feedback template, minus anything that reveals hidden tests.

Rendered in a worker (HTML export is the slow part), from the graded notebook and the grades the
coordinator read back from the gradebook (so a grader's manual score shows, as with
`nbgrader generate_feedback`). Changes to nbgrader's output, each for the learner:

* a summary at the top: every test, its points, and why it failed in one line (for shape checks
  the layer, the expected shape and the actual one: the ShapeCheckError message);
* hidden test code removed from test cells (nbgrader's ClearHiddenTests), tracebacks in test
  cells reduced to the error line (a traceback quotes the hidden lines it passed through), and
  test cells' result values dropped (they can echo hidden inputs);
* notes on anything the grader had to repair or could not do.
"""
from __future__ import annotations

import html
import json
import os
import time
from dataclasses import dataclass, field

import nbformat
import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils as nbutils
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from traitlets import Dict
from traitlets.config import Config

NBGRADER_DIR = os.path.dirname(nbgrader.__file__)
TEMPLATES = os.path.join(NBGRADER_DIR, "server_extensions", "formgrader", "templates")
BOOTSTRAP_CSS = os.path.join(NBGRADER_DIR, "server_extensions", "formgrader", "static", "node_modules",
                             "bootstrap", "dist", "css")


@dataclass
class FeedbackTask:
    student: str
    assignment: str
    notebook: str
    status: str
    message: str
    notebook_json: str | None
    gradebook: dict  # from GradebookWriter.feedback_data
    tests: list
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    config: dict = field(default_factory=dict)


class ShippedGetGrades(GetGrades):
    """nbgrader's GetGrades with the gradebook's answers shipped in."""
    data = Dict()

    def preprocess(self, nb, resources):
        resources["nbgrader"].update(score=self.data["score"], max_score=self.data["max_score"],
                                     late_penalty=self.data["late_penalty"])
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid is None:
                continue
            if nbutils.is_solution(cell) or nbutils.is_task(cell):
                cell.metadata.nbgrader["comment"] = self.data["comments"].get(gid)
            if nbutils.is_grade(cell) or nbutils.is_task(cell):
                g = self.data["grades"].get(gid, {})
                cell.metadata.nbgrader["score"] = g.get("score", 0)
                cell.metadata.nbgrader["points"] = g.get("max_score", cell.metadata.nbgrader.get("points", 0))
        return nb, resources


def _hide_hidden_tests(nb) -> None:
    clear = ClearHiddenTests()
    for cell in nb.cells:
        if not (nbutils.is_grade(cell) and not nbutils.is_solution(cell)) or cell.cell_type != "code":
            continue
        try:
            had_hidden = clear._remove_hidden_test_region(cell)
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


def summary_markdown(task: FeedbackTask) -> str:
    rows = ["| test | points | result |", "|---|---|---|"]
    for t in task.tests:
        score = "–" if t.score is None else f"{t.score:g}"
        mark = "✔" if t.passed else "✘"
        rows.append(f"| `{t.grade_id}` | {score} / {t.max_score:g} | {mark} "
                    f"{html.escape(t.reason).replace('|', '&#124;')} |")
    parts = [f"## Autograder feedback: {task.notebook}", "", *rows, ""]
    if task.status != "graded":
        parts += [f"**This notebook could not be graded:** {html.escape(task.message)}", ""]
    if task.notes:
        parts += ["**Notes from the grader:**", ""] + [f"- {html.escape(n.splitlines()[0])}" for n in task.notes] + [""]
    if task.review:
        parts += ["**A person will look at this notebook**, because it: "
                  + "; ".join(html.escape(r) for r in task.review) + ".", ""]
    return "\n".join(parts)


_EXPORTERS = {}


def _exporter(course_config) -> HTMLExporter:
    """One exporter per config and worker: building one recompiles the templates (~0.35 s)."""
    key = json.dumps(course_config, sort_keys=True, default=str)
    if key not in _EXPORTERS:
        config = Config(course_config)
        config.Exporter.default_preprocessors = []
        if "template_name" not in config.HTMLExporter:
            config.HTMLExporter.template_name = "feedback"
        config.HTMLExporter.extra_template_basedirs = [TEMPLATES]
        config.HTMLExporter.extra_template_paths = [BOOTSTRAP_CSS]
        exporter = HTMLExporter(config=config)
        exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(config=config), enabled=True)
        _EXPORTERS[key] = exporter
    return _EXPORTERS[key]


def render_feedback(task: FeedbackTask) -> str:
    """The feedback page's HTML."""
    if task.notebook_json:
        nb = nbformat.reads(task.notebook_json, as_version=4)
    else:
        nb = nbformat.v4.new_notebook()
    _hide_hidden_tests(nb)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(task)))
    resources = {"nbgrader": {"student": task.student, "assignment": task.assignment,
                              "notebook": task.notebook}, "unique_key": task.notebook}
    nb, resources = ShippedGetGrades(data=task.gradebook).preprocess(nb, resources)
    body, _ = _exporter(task.config).from_notebook_node(nb, resources=resources)
    return body


def timed_feedback(task: FeedbackTask):
    """(html, seconds): the worker-side cost of feedback counts as grading overhead in benchmarks."""
    start = time.perf_counter()
    page = render_feedback(task)
    return page, time.perf_counter() - start
