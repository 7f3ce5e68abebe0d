"""Regenerate the sample class from release notebooks plus answer snippets, so it follows the notebooks.

    python -m sample_class.make_submissions           # rewrite submitted/, lms/, release/, expected.json
    python -m sample_class.make_submissions --check   # exit 1 if any of them is stale

Real assignments are read from the repository's release/ and source/ folders; the fixture
assignment 90-mini-shapes from sample_class/source/ (its release/ is made here with nbgrader).
Each submission starts from the release notebook, gets its answer cells filled (the instructor's
solution or a roster snippet), then the roster's operations (delete or edit a test cell, corrupt
the file, rename it, ...).
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

from . import roster_mini
from .spec import Spec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIMESTAMP = "2026-11-20 12:00:00.000000 UTC"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def rosters():
    """(assignment, students, LMS students, grading limits) for every roster whose assignment exists."""
    out = [(roster_mini.A, roster_mini.STUDENTS, roster_mini.LMS, roster_mini.LIMITS)]
    try:
        from . import roster_00
    except ImportError:
        return out
    if roster_00.available():
        out.append((roster_00.A, roster_00.STUDENTS, {}, roster_00.LIMITS))
    return out


def source_dir(assignment: str) -> Path:
    own = HERE / "source" / assignment
    return own if own.is_dir() else ROOT / "source" / assignment


def release_dir(assignment: str) -> Path:
    own = HERE / "source" / assignment
    return HERE / "release" / assignment if own.is_dir() else ROOT / "release" / assignment


def generate_release(assignment: str) -> dict:
    """nbgrader generate_assignment on a throwaway course: {file name: text} of the release."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from autograder.config import ensure_tools_on_path
    ensure_tools_on_path()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(source_dir(assignment), Path(tmp) / "source" / assignment)
        config = Config()
        config.CourseDirectory.root = tmp
        config.CourseDirectory.db_url = f"sqlite:///{tmp}/gradebook.db"
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(result["log"] + result.get("error", ""))
        folder = Path(tmp) / "release" / assignment
        return {p.name: p.read_text() for p in sorted(folder.glob("*.ipynb"))}


def solutions(assignment: str, notebook: str) -> dict:
    nb = nbformat.read(source_dir(assignment) / f"{notebook}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in SOLUTION_MARKERS]
            out[meta["grade_id"]] = "\n".join(lines) + "\n"
    return out


def _index(nb, grade_id: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(f"no cell {grade_id!r}")


def apply_ops(nb, ops, filename):
    """Notebook-level operations, then file-level ones. Returns (filename, bytes)."""
    file_ops = []
    for op in ops:
        kind = op[0]
        if kind == "delete":
            del nb.cells[_index(nb, op[1])]
        elif kind == "edit":
            nb.cells[_index(nb, op[1])].source = op[2]
        elif kind == "insert_after":
            nb.cells.insert(_index(nb, op[1]) + 1, nbformat.v4.new_code_cell(op[2], id="inserted-1"))
        elif kind == "meta":
            nb.cells[_index(nb, op[1])].metadata.nbgrader.update(op[2])
        elif kind == "dup_ids":
            for cell in nb.cells[1:4]:
                cell["id"] = nb.cells[0]["id"]
        elif kind == "dup_grade":
            i = _index(nb, op[1])
            twin = copy.deepcopy(nb.cells[i])
            twin["id"] = twin["id"] + "-copy"
            nb.cells.insert(i, twin)
        else:
            file_ops.append(op)
    content = (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()
    for op in file_ops:
        kind = op[0]
        if kind == "truncate":
            content = content[:op[1]]
        elif kind == "empty":
            content = b""
        elif kind == "replace_with":
            content = (release_dir(op[1]) / f"{op[2]}.ipynb").read_bytes()
        elif kind == "rename":
            filename = op[1]
        else:
            raise ValueError(f"unknown op {op!r}")
    return filename, content


def build_notebook(assignment, notebook, spec: Spec, releases) -> tuple | None:
    if spec.missing:
        return None
    nb = nbformat.reads(releases[(assignment, notebook)], as_version=4)
    answers = dict(solutions(assignment, notebook)) if spec.solution else {}
    answers.update(spec.answers)
    for grade_id, source in answers.items():
        nb.cells[_index(nb, grade_id)].source = source
    return apply_ops(nb, spec.ops, f"{notebook}.ipynb")


def expectations(spec: Spec) -> dict:
    out = {"status": spec.expect_status, "tests": {k: list(v) for k, v in spec.expect.items()},
           "notes": spec.expect_notes, "review": spec.expect_review}
    if spec.without_cgroup:
        out["without_cgroup"] = {"tests": {k: list(v) for k, v in spec.without_cgroup["expect"].items()},
                                 "notes": spec.without_cgroup.get("expect_notes", [])}
    return out


def plan() -> dict:
    """Every file of the sample class: relative path -> bytes; plus expected.json."""
    files, expected, releases = {}, {"submitted": {}, "lms": {}, "limits": {}}, {}
    for assignment, students, lms, limits in rosters():
        expected["limits"][assignment] = limits
        if (HERE / "source" / assignment).is_dir():
            for name, text in generate_release(assignment).items():
                files[f"release/{assignment}/{name}"] = text.encode()
                releases[(assignment, Path(name).stem)] = text
        for path in sorted(release_dir(assignment).glob("*.ipynb")):
            releases.setdefault((assignment, path.stem), path.read_text())
        for other in ("00-reading-shapes",):  # a notebook of another assignment, for `nora`
            for path in sorted((ROOT / "release" / other).glob("*.ipynb")):
                releases.setdefault((other, path.stem), path.read_text())
        for group, roster in (("submitted", students), ("lms", lms)):
            for student, notebooks in sorted(roster.items()):
                zipped = {}
                for notebook, spec in sorted(notebooks.items()):
                    expected[group].setdefault(student, {}).setdefault(assignment, {})[notebook] = expectations(spec)
                    built = build_notebook(assignment, notebook, spec, releases)
                    if built is None:
                        continue
                    filename, content = built
                    if group == "submitted":
                        files[f"submitted/{student}/{assignment}/{filename}"] = content
                    elif student in getattr(roster_mini, "LMS_ZIPPED", ()):
                        zipped[filename] = content
                    else:
                        files[f"lms/{assignment}/{student}_{filename}"] = content
                if group == "submitted" and student in students:
                    files[f"submitted/{student}/{assignment}/timestamp.txt"] = (TIMESTAMP + "\n").encode()
                if zipped:
                    files[f"lms/{assignment}/{student}.zip"] = _zip(zipped)
    files["expected.json"] = (json.dumps(expected, indent=1, sort_keys=True) + "\n").encode()
    return files


def _zip(members: dict) -> bytes:
    """A byte-for-byte reproducible zip (fixed dates), so --check does not see it as stale."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return buf.getvalue()


MANAGED = ("submitted", "lms", "release")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="exit 1 if the files on disk are stale")
    args = ap.parse_args(argv)
    files = plan()
    on_disk = {str(p.relative_to(HERE)): p.read_bytes() for top in MANAGED if (HERE / top).is_dir()
               for p in (HERE / top).rglob("*") if p.is_file()}
    exp = HERE / "expected.json"
    if exp.exists():
        on_disk["expected.json"] = exp.read_bytes()
    stale = sorted(k for k in set(files) | set(on_disk) if files.get(k) != on_disk.get(k))
    if args.check:
        if stale:
            print("sample class out of date (run python -m sample_class.make_submissions):\n  "
                  + "\n  ".join(stale))
            return 1
        return 0
    for rel in stale:
        path = HERE / rel
        if rel in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[rel])
        else:
            path.unlink()
    print(f"sample class: {len(files)} files, {len(stale)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
