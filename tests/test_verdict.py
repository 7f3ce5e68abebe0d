"""The self-study verdict (issue 17.2): `%check` / `make check` / `python -m autograder check`
grade one saved notebook as the grader would, hidden tests included, and write nothing."""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from tools import fairness

ROOT = fairness.ROOT
ASSIGNMENT = "02-missing-input-shape"
SOURCE = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}-torch.ipynb"
BAD = fairness.fixture_dir(SOURCE) / "ex1-batch-first" / "bad_hardcoded_features.py"
pytestmark = pytest.mark.xdist_group("autograder")


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def gradebook_state():
    """The course's gradebook file (the config's SQLite default): whether it exists, and when it changed."""
    db = ROOT / "gradebook.db"
    return db.exists() and db.stat().st_mtime_ns


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A learner's copy (every answer right but Exercise 1, which hard-codes 3 features), checked
    with `%check` in an IPython shell: (path, output, seconds, folder before, folder after)."""
    from IPython.core.interactiveshell import InteractiveShell
    work = tmp_path_factory.mktemp("learner") / "mywork" / ASSIGNMENT
    work.mkdir(parents=True)
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1-batch-first":
            cell.source = BAD.read_text()
    path = work / SOURCE.name
    nbformat.write(nb, path)
    before = snapshot(work.parent.parent), gradebook_state()
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("course")
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        shell.run_line_magic("check", str(path))
    seconds = time.perf_counter() - start
    shell.extension_manager.unload_extension("course")
    return path, out.getvalue(), seconds, before, (snapshot(work.parent.parent), gradebook_state())


def test_check_gives_points_pass_fail_and_the_hidden_tests_verdict(checked):
    path, out, _, _, _ = checked
    assert f"({path}, " in out and "save it first (Ctrl+S)" in out
    assert re.search(rf"Graded {re.escape(str(path))} as saved at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d", out), out
    rows = [re.split(r"\s{2,}", ln.strip()) for ln in out.splitlines()
            if re.search(r"\d / \d\s+(passed|FAILED)$", ln)]
    assert rows == [["Exercise 1", "ex1-batch-first-test", "0 / 3", "FAILED"],
                    ["Exercise 2", "ex2-table-to-sequences-test", "2 / 2", "passed"],
                    ["Exercise 3", "ex3-bidirectional-head-test", "3 / 3", "passed"],
                    ["Train it", "train-bidirectional-test", "2 / 2", "passed"],
                    ["Self-check", "self-check-test", "1 / 1", "passed"]], out
    assert "total: 8 / 11 points" in out
    failure = next(ln for ln in out.splitlines() if ln.startswith("- Exercise 1 (ex1-batch-first-test): "))
    assert "ShapeCheckError: " in failure and re.search(r"expected \d+, got \d+", failure), failure
    assert "### BEGIN HIDDEN TESTS" not in out and "def _" not in out  # no test code shown


def test_check_writes_nothing(checked):
    _, _, _, before, after = checked
    assert after[0] == before[0]  # the learner's folder: same files, same bytes, same times
    assert after[1] == before[1]  # the course's gradebook: not created, not written


def test_the_instructor_notebook_is_what_generate_assignment_saves():
    """Read in memory from source/ (no gradebook), it equals what nbgrader's own
    generate_assignment steps save to a gradebook, which `autograder grade` reads."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateAssignment

    from autograder.config import load_course
    from autograder.instructor import load_instructor
    from autograder.verdict import instructor_notebook
    course = load_course(ROOT)
    mine, files = instructor_notebook(course, SOURCE, ASSIGNMENT)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/gradebook.db"
        with Gradebook(url) as gb:
            gb.update_or_create_assignment(ASSIGNMENT)
        nb = nbformat.read(str(SOURCE), as_version=nbformat.NO_CONVERT)
        resources = {"nbgrader": {"notebook": SOURCE.stem, "assignment": ASSIGNMENT, "db_url": url},
                     "metadata": {"path": str(SOURCE.parent)}, "unique_key": SOURCE.stem}
        for cls in GenerateAssignment.class_traits()["preprocessors"].default():
            nb, resources = cls(config=course.config)(nb, resources)
        saved = load_instructor(url, ASSIGNMENT, SOURCE.parent, course.coursedir.ignore)
    assert saved.notebooks[SOURCE.stem] == mine
    assert saved.files == files


def test_without_source_it_points_to_validate(tmp_path):
    """A graded class's checkout has no source/: the check says so and names Validate."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    nb = tmp_path / "00-x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), nb)
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(nb), "--course", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no instructor notebooks (no source/ folder)" in proc.stderr and "Validate button" in proc.stderr


def test_magic_outside_a_checkout_points_to_validate(monkeypatch, capsys):
    from course import verdict
    monkeypatch.setattr(verdict, "course_root", lambda: None)
    verdict.check_magic("")
    assert "Validate button" in capsys.readouterr().out


def test_magic_grades_the_kernels_own_notebook_and_warns_about_unsaved_code(tmp_path, monkeypatch):
    from course import verdict
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    assert verdict.notebook_path("") == path and verdict.notebook_path(" 'other.ipynb' ").name == "other.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", "mine.ipynb")  # relative to the server's folder
    assert verdict.notebook_path("", root=tmp_path) == path
    assert verdict.unsaved_inputs(path, ["x = 1\n", "%check"]) == []
    assert verdict.unsaved_inputs(path, ["x = 1", "x = 2\n", "%check"]) == ["x = 2"]


def test_docs_show_a_real_verdict(checked):
    """docs/learners.md's example is this check's output, apart from the path, time and sandbox."""
    _, out, _, _, _ = checked
    text = (ROOT / "docs" / "learners.md").read_text()
    block = text.split("<!-- check-example -->")[1].split("<!-- /check-example -->")[0]
    documented = [ln[4:] for ln in block.strip("\n").splitlines()]
    real = out[out.index("Graded "):].rstrip("\n").splitlines()
    assert len(documented) == len(real), (documented, real)
    for doc, got in zip(documented[2:], real[2:]):  # the table, total and reasons, word for word
        assert doc == got
    assert documented[0].startswith(f"Graded mywork/{ASSIGNMENT}/{SOURCE.name} as saved at ")
    assert re.sub(r"sandbox: [^)]*\), in [\d.]+ s", "", documented[1]) == \
        re.sub(r"sandbox: [^)]*\), in [\d.]+ s", "", real[1])
