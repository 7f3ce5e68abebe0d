"""The class report: pass rate per test and the most common shape failures, as CSV files and one
HTML page (templates/report.html, jinja2)."""
from __future__ import annotations

import base64
import csv
import io
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, select_autoescape

from course.checks import MISMATCH_FORMATS

from .tasks import Status

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

# A failed check's message, as course/checks.py formats it: "<what>: expected shape (7, 10), got
# (7, 12)", "<what>: expected 16, got 8", or a trace's "layer <name> (<type>) expects (*, 2704), got (7, 4, 26, 26)".
# A plain value ends at a space, a comma or a semicolon, or before the ". " that starts a hint.
_FIELDS = {"what": r"(?P<what>.*?)", "expected": r"(?P<expected>\([^)]*\)|\S+)",
           "got": r"(?P<got>\([^)]*\)|[^\s,;]+?(?=[\s,;]|\.\s|\.?$))"}


def _pattern(message_format: str) -> re.Pattern:
    """A format of course.checks as a regex: its words literally, its fields as named groups, after
    the exception's name with which a test's reason starts (`ShapeCheckError: ...`)."""
    parts = re.split(r"\{(\w+)\}", message_format)  # text, field, text, field, ..., text
    return re.compile(r"^(?:\w+: )?" + "".join(_FIELDS[p] if i % 2 else re.escape(p) for i, p in enumerate(parts)))


MISMATCHES = [_pattern(f) for f in MISMATCH_FORMATS]


class ShapeFailure(NamedTuple):
    what: str
    expected: str
    got: str


class ResultRow(NamedTuple):  # results.csv: one row per student, notebook and test
    student: str
    notebook: str
    status: str
    grade_id: str
    score: float | str  # "" when the test was not scored
    max_score: float
    passed: int
    reason: str


class TestRow(NamedTuple):  # tests.csv and the report's table: one row per test
    notebook: str
    grade_id: str
    max_score: float
    submissions: int
    passed: int
    pass_rate: float | str  # "" without submissions
    mean_score: float
    most_common_failure: str
    failure_count: int


class ShapeRow(NamedTuple):  # shape-failures.csv: one row per distinct failed shape check
    notebook: str
    grade_id: str
    check: str
    expected: str
    got: str
    count: int
    students: str


def shape_failure(reason: str) -> ShapeFailure | None:
    """(what, expected, got) of a failed check's reason, else None. Of several readings the one
    naming the shortest `what` (the first "expected"/"expects" in the reason) wins."""
    found = [m for m in (p.search(reason) for p in MISMATCHES) if m]
    if not found:
        return None
    m = min(found, key=lambda m: m.end("what"))
    return ShapeFailure(m.group("what").strip(), m.group("expected"), m.group("got"))


def _results(everyone: dict):
    for student, notebooks in sorted(everyone.items()):
        for name, result in sorted(notebooks.items()):
            for t in result.tests:
                yield student, name, result, t


def _write_csv(path: Path, row_type, rows) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(row_type._fields)
        w.writerows(rows)


def write(folder: Path, assignment: str, instructor, everyone: dict) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}

    paths["results_csv"] = folder / "results.csv"
    _write_csv(paths["results_csv"], ResultRow,
               (ResultRow(student, name, str(result.status), t.grade_id, "" if t.score is None else t.score,
                          t.max_score, int(t.passed), t.reason)
                for student, name, result, t in _results(everyone)))

    per_test = defaultdict(list)
    shapes = defaultdict(list)
    for student, name, result, t in _results(everyone):
        per_test[(name, t.grade_id)].append(t)
        if not t.passed:
            found = shape_failure(t.reason)
            if found:
                shapes[(name, t.grade_id, *found)].append(student)

    order = [(nb, gid) for nb, m in sorted(instructor.notebooks.items()) for gid in m.test_ids]
    order += [k for k in sorted(per_test) if k not in order]
    test_rows = []
    for notebook, grade_id in order:
        tests = per_test.get((notebook, grade_id), [])
        n = len(tests)
        passed = sum(t.passed for t in tests)
        failures = Counter(t.reason for t in tests if not t.passed)
        common, count = failures.most_common(1)[0] if failures else ("", 0)
        max_score = tests[0].max_score if tests else instructor.notebooks[notebook].grade_cells[grade_id]["max_score"]
        mean = sum(t.score or 0 for t in tests) / n if n else 0.0
        test_rows.append(TestRow(notebook, grade_id, max_score, n, passed, round(passed / n, 3) if n else "",
                                 round(mean, 3), common, count))
    paths["tests_csv"] = folder / "tests.csv"
    _write_csv(paths["tests_csv"], TestRow, test_rows)

    shape_rows = sorted((ShapeRow(*key, len(students), " ".join(sorted(students)))
                         for key, students in shapes.items()),
                        key=lambda r: (-r.count, r.notebook, r.grade_id))
    paths["shapes_csv"] = folder / "shape-failures.csv"
    _write_csv(paths["shapes_csv"], ShapeRow, shape_rows)

    paths["html"] = folder / "index.html"
    paths["html"].write_text(_html(assignment, test_rows, shape_rows, everyone))
    return paths


def _plot(test_rows) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [f"{r.notebook.split('-')[-1]}: {r.grade_id}" for r in test_rows]
    rates = [100 * (r.pass_rate or 0) for r in test_rows]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1.2))
    ax.barh(labels[::-1], rates[::-1], color="#4c72b0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions passing (%)")
    ax.set_title("Pass rate per test")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _html(assignment, test_rows, shape_rows, everyone) -> str:
    results = [(s, nb, r) for s, nbs in sorted(everyone.items()) for nb, r in sorted(nbs.items())]
    return TEMPLATES.get_template("report.html").render(
        assignment=assignment, submissions=len(everyone),
        plot=_plot(test_rows) if test_rows else "",
        test_rows=test_rows, shape_rows=shape_rows[:25],
        problems=[(s, nb, r.status, r.message) for s, nb, r in results if r.status != Status.GRADED],
        review=[(s, nb, "; ".join(r.review)) for s, nb, r in results if r.review],
        totals=[(s, f"{sum(r.score for r in nbs.values()):g} / {sum(r.max_score for r in nbs.values()):g}")
                for s, nbs in sorted(everyone.items())])
