"""Build nbgrader source notebooks from their jupytext percent-format sources.

    notebooks/NN-slug/NN-slug-torch.py  ->  source/NN-slug/NN-slug-torch.ipynb

The .py files are the single source of truth (reviewable diffs); source/ is generated from them
and release/ from source/ by nbgrader. A cell header carries its role as `kind="..."`:

    # %% kind="setup"                                  locked, grade_id "setup", the imports
    # %% kind="readonly" grade_id="broken-model"        locked (broken code, reproduce cells)
    # %% kind="answer" grade_id="ex1-add-flatten"       solution cell (### BEGIN/END SOLUTION)
    # %% kind="test" grade_id="ex1-add-flatten-test" points=2   locked autograder test
    # %%                                                 a free code cell
    # %% [markdown]                                      a markdown cell

Usage: python -m tools.nbbuild [--check] [paths...]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS, SOURCE = ROOT / "notebooks", ROOT / "source"
KINDS = ("setup", "readonly", "answer", "test")
GRADE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class BuildError(ValueError):
    pass


def _nbgrader_meta(kind: str, grade_id: str, points) -> dict:
    meta = {"grade": kind == "test", "grade_id": grade_id, "locked": kind != "answer",
            "schema_version": 3, "solution": kind == "answer", "task": False}
    if kind == "test":
        meta["points"] = points
    return meta


def build(path: Path) -> nbformat.NotebookNode:
    """The nbgrader notebook for one percent-format file; raises BuildError naming the bad cell."""
    nb = jupytext.read(path, fmt="py:percent")
    seen, free = set(), 0
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata
        kind = meta.pop("kind", None)
        grade_id = meta.pop("grade_id", None)
        points = meta.pop("points", None)
        meta.pop("lines_to_next_cell", None)
        where = f"{path.name}, cell {index}"
        if kind is None:
            if grade_id or points is not None:
                raise BuildError(f"{where}: grade_id/points given without kind=")
            free += 1
            cell["id"] = f"{cell.cell_type}-{free:02d}"
            continue
        if kind not in KINDS:
            raise BuildError(f"{where}: kind={kind!r} is not one of {KINDS}")
        if kind == "setup":
            grade_id = grade_id or "setup"
        if not grade_id or not GRADE_ID.match(grade_id):
            raise BuildError(f"{where}: kind={kind} needs a kebab-case grade_id, got {grade_id!r}")
        if grade_id in seen:
            raise BuildError(f"{where}: duplicate grade_id {grade_id!r}")
        if kind == "test" and not isinstance(points, (int, float)):
            raise BuildError(f"{where}: test cell {grade_id!r} needs points=N")
        if kind == "answer" and "### BEGIN SOLUTION" not in cell.source:
            raise BuildError(f"{where}: answer cell {grade_id!r} has no ### BEGIN SOLUTION region")
        seen.add(grade_id)
        cell["id"] = grade_id
        meta["nbgrader"] = _nbgrader_meta(kind, grade_id, points)
        if kind != "answer":
            meta["deletable"] = False
            meta["editable"] = False
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nb


def target(path: Path) -> Path:
    return SOURCE / path.relative_to(NOTEBOOKS).with_suffix(".ipynb")


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="fail if source/ differs from the .py files")
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or sorted(NOTEBOOKS.glob("*/*.py"))
    stale = []
    for path in paths:
        text = render(build(path))
        out = target(path)
        if args.check:
            if not out.exists() or out.read_text() != text:
                stale.append(str(out.relative_to(ROOT)))
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists() or out.read_text() != text:
            out.write_text(text)
            print(f"built {out.relative_to(ROOT)}")
    if stale:
        print("out of date with notebooks/ (run `python -m tools.nbbuild`):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
