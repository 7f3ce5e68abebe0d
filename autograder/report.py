"""The class report: pass rate per test and the most common shape failures, as CSV files and one
HTML page (templates/report.html, jinja2)."""
from __future__ import annotations

import base64
import csv
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

# "<what>: expected shape (7, 10), got (7, 12)" (check_shape) and "...expects (*, 2704), got
# (7, 4, 26, 26)" (a trace naming the layer that rejected its input).
SHAPE = re.compile(r"^(?:\w+: )?(?P<what>.*?):?\s*expect(?:ed|s) (?:shape )?(?P<expected>\([^)]*\)|\S+), "
                   r"got (?P<got>\([^)]*\)|[^\s,;]+)")


def shape_failure(reason: str):
    """(what, expected, got) for a shape-check failure reason, else None."""
    m = SHAPE.search(reason)
    return (m.group("what").strip(), m.group("expected"), m.group("got")) if m else None


def _rows(everyone: dict):
    for student, notebooks in sorted(everyone.items()):
        for name, result in sorted(notebooks.items()):
            for t in result.tests:
                yield student, name, result, t


def write(folder: Path, assignment: str, instructor, everyone: dict) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}

    paths["results_csv"] = folder / "results.csv"
    with open(paths["results_csv"], "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "notebook", "status", "grade_id", "score", "max_score", "passed", "reason"])
        for student, name, result, t in _rows(everyone):
            w.writerow([student, name, result.status, t.grade_id, "" if t.score is None else t.score,
                        t.max_score, int(t.passed), t.reason])

    per_test = defaultdict(list)
    shapes = defaultdict(list)
    for student, name, result, t in _rows(everyone):
        per_test[(name, t.grade_id)].append(t)
        if not t.passed:
            found = shape_failure(t.reason)
            if found:
                shapes[(name, t.grade_id) + found].append(student)

    order = [(nb, gid) for nb, m in sorted(instructor.notebooks.items()) for gid in m.test_ids]
    order += [k for k in sorted(per_test) if k not in order]
    test_rows = []
    for key in order:
        tests = per_test.get(key, [])
        n = len(tests)
        passed = sum(t.passed for t in tests)
        failures = Counter(t.reason for t in tests if not t.passed)
        common, count = failures.most_common(1)[0] if failures else ("", 0)
        max_score = tests[0].max_score if tests else instructor.notebooks[key[0]].grade_cells[key[1]]["max_score"]
        mean = sum(t.score or 0 for t in tests) / n if n else 0.0
        test_rows.append([key[0], key[1], max_score, n, passed, round(passed / n, 3) if n else "",
                          round(mean, 3), common, count])
    paths["tests_csv"] = folder / "tests.csv"
    with open(paths["tests_csv"], "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["notebook", "grade_id", "max_score", "submissions", "passed", "pass_rate",
                    "mean_score", "most_common_failure", "failure_count"])
        w.writerows(test_rows)

    shape_rows = sorted(([*k, len(v), " ".join(sorted(v))] for k, v in shapes.items()),
                        key=lambda r: (-r[5], r[0], r[1]))
    paths["shapes_csv"] = folder / "shape-failures.csv"
    with open(paths["shapes_csv"], "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["notebook", "grade_id", "check", "expected", "got", "count", "students"])
        w.writerows(shape_rows)

    paths["html"] = folder / "index.html"
    paths["html"].write_text(_html(assignment, test_rows, shape_rows, everyone))
    return paths


def _plot(test_rows) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [f"{r[0].split('-')[-1]}: {r[1]}" for r in test_rows]
    rates = [100 * (r[5] or 0) for r in test_rows]
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
        problems=[(s, nb, r.status, r.message) for s, nb, r in results if r.status != "graded"],
        review=[(s, nb, "; ".join(r.review)) for s, nb, r in results if r.review],
        totals=[(s, f"{sum(r.score for r in nbs.values()):g} / {sum(r.max_score for r in nbs.values()):g}")
                for s, nbs in sorted(everyone.items())])
