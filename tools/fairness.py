"""Run alternative answers (fixtures) against an exercise's real tests, hidden ones included.

One pass over a *source* notebook in an IPython shell: at each answer cell, the namespace is
saved; every fixture for that exercise then runs from that saved state (fixture code, the cells up
to the next answer cell, i.e. its tests and any training cell) and the state is restored before the
notebook's own solution runs. So a fixture costs only its own cells, not a whole notebook.

Fixtures live in tests/fairness/<assignment>/<notebook-stem>/<answer grade_id>/:
    good_<name>.py   must pass every test cell in its span
    bad_<name>.py    must fail at least one *visible* test (what the release notebook shows), so a
                     self-study learner is told; the hidden tests add other sizes for robustness.
                     It runs as a learner meets it: visible tests in order, stopping at the first
                     that catches it (whose whole cell then runs for the grader's verdict), so it
                     costs only the cells up to there.

Usage: python -m tools.fairness source/01-missing-flatten/01-missing-flatten-torch.ipynb [OUT.json]
       python -m tools.fairness --totals build/fairness/*.json   # per notebook and in all: how many
                                                                 # bad fixtures the visible tests catch

The JSON's "counts" says it in numbers: good fixtures and how many pass, bad fixtures, how many fail
some test, and how many fail a visible one.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

import nbformat

from autograder.nbgrader_compat import released_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fairness"


def fixture_dir(notebook: Path) -> Path:
    return FIXTURES / notebook.parent.name / notebook.stem


def _role(cell) -> str:
    nbg = cell.metadata.get("nbgrader", {})
    if nbg.get("solution"):
        return "answer"
    return "test" if nbg.get("grade") else "other"


def visible_part(source: str) -> str:
    """A test cell as the release notebook shows it: nbgrader's ClearHiddenTests drops the
    hidden-tests regions (the autograder's one wrapper around it)."""
    return released_source(source)


def _run(shell, code: str):
    """Run one cell's code; returns None on success or 'Type: message' on failure."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = shell.run_cell(code, store_history=False, silent=True)
    err = result.error_in_exec or result.error_before_exec
    return None if err is None else f"{type(err).__name__}: {str(err)[:500]}"


def run(notebook: Path) -> dict:
    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    os.chdir(notebook.parent)
    nb = nbformat.read(notebook, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    results = {"notebook": str(notebook), "solution": {}, "fixtures": [], "errors": []}
    started = time.perf_counter()
    for i, cell in enumerate(code_cells):
        role = _role(cell)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id"))
        if role == "answer":
            span = []
            for later in code_cells[i + 1:]:
                if _role(later) == "answer":
                    break
                span.append(later)
            saved = dict(shell.user_ns)
            for fixture in sorted((fixture_dir(notebook) / gid).glob("*.py")):
                start = time.perf_counter()
                expect = "pass" if fixture.name.startswith("good") else "fail"
                err = _run(shell, fixture.read_text())
                if err:
                    failures = visible_failures = {"(fixture code)": err}
                elif expect == "pass":
                    failures, visible_failures = _run_span(shell, span)
                else:
                    failures, visible_failures = _run_span_until_caught(shell, span)
                results["fixtures"].append({
                    "exercise": gid, "fixture": fixture.name,
                    "expect": expect,
                    "tests": [c.metadata["nbgrader"]["grade_id"] for c in span if _role(c) == "test"],
                    "failures": failures,
                    "visible_failures": visible_failures,
                    "seconds": round(time.perf_counter() - start, 2),
                })
                shell.user_ns.clear()
                shell.user_ns.update(saved)
        err = _run(shell, cell.source)
        if role == "test":
            results["solution"][gid] = err
        elif err:
            results["errors"].append({"cell": gid, "error": err})
    results["counts"] = counts(results["fixtures"])
    results["seconds"] = round(time.perf_counter() - started, 2)  # fixtures included
    return results


def _run_span(shell, span) -> tuple[dict, dict]:
    """A good fixture: every later cell as the grader runs it (visible and hidden tests). The
    visible tests are part of those cells, so a fixture that passes them all passes what a learner
    sees too; (failures, visible failures), the second holding only failing non-test cells."""
    failures, visible_failures = {}, {}
    for later in span:
        e = _run(shell, later.source)
        if e and _role(later) == "test":
            failures[later.metadata["nbgrader"]["grade_id"]] = e
        elif e:
            failures[later.get("id", "cell")] = visible_failures[later.get("id", "cell")] = e
    return failures, visible_failures


def _run_span_until_caught(shell, span) -> tuple[dict, dict]:
    """A bad fixture, as a self-study learner meets it: each test cell's visible part (what the
    release notebook shows), in order, with the cells between (training) run as they are. At the
    first visible test that fails, that test's whole cell (hidden tests included) runs too, for
    the grader's verdict, and the rest is skipped: the learner has been told. A fixture no visible
    test catches then runs every whole test cell, to record whether the hidden tests catch it."""
    failures, visible_failures = {}, {}
    for later in span:
        if _role(later) != "test":
            e = _run(shell, later.source)
            if e:
                failures[later.get("id", "cell")] = visible_failures[later.get("id", "cell")] = e
                return failures, visible_failures
            continue
        gid = later.metadata["nbgrader"]["grade_id"]
        e = _run(shell, visible_part(later.source))
        if e:
            visible_failures[gid] = e
            whole = _run(shell, later.source)
            if whole:
                failures[gid] = whole
            return failures, visible_failures
    for later in span:
        if _role(later) == "test":
            e = _run(shell, later.source)
            if e:
                failures[later.metadata["nbgrader"]["grade_id"]] = e
    return failures, visible_failures


def counts(fixtures: list[dict]) -> dict:
    good = [f for f in fixtures if f["expect"] == "pass"]
    bad = [f for f in fixtures if f["expect"] == "fail"]
    return {"good": len(good), "good_passed": sum(not f["failures"] for f in good),
            "bad": len(bad), "bad_failed": sum(bool(f["failures"]) for f in bad),
            "bad_failed_visible": sum(bool(f["visible_failures"]) for f in bad)}


def totals_table(results: list[dict]) -> str:
    """One row per fairness run (its notebook) and a total row: bad fixtures, how many any test
    catches, how many the visible tests catch; good fixtures and how many pass."""
    from course.texttable import format_table

    keys = ("bad", "bad_failed", "bad_failed_visible", "good", "good_passed")
    rows = [[Path(r["notebook"]).stem] + [counts(r["fixtures"])[k] for k in keys] for r in results]
    total = ["total"] + [sum(row[i + 1] for row in rows) for i in range(len(keys))]
    head = ["notebook", "bad", "bad caught", "bad caught by visible tests", "good", "good passing"]
    return format_table(head, rows + [total])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--totals"]:
        print(totals_table([json.loads(Path(f).read_text()) for f in sys.argv[2:]]))
        sys.exit(0)
    # The notebook's own prints and TensorFlow's C++ logs share stdout/stderr, so write to a file.
    result = run(Path(sys.argv[1]).resolve())
    text = json.dumps(result, indent=1)
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(text)
    else:
        sys.__stdout__.write(text + "\n")
