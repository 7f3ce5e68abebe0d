"""Step 1: read the submitted file, and note what the learner changed in the instructor's cells.

Everything a learner can get wrong about the file itself ends in `InvalidNotebook` with a message
meant for them.
"""
from __future__ import annotations

import json

import nbformat

from ..instructor import InstructorNotebook
from ..nbgrader_compat import released_source


class InvalidNotebook(Exception):
    """The file cannot be graded as this notebook; the message says why, for the learner."""


def read(job) -> None:
    nb, notes = read_notebook(job.task.content, job.task.filename)
    job.result.notes += notes
    job.result.notes += inspect_submission(nb, job.task.instructor, job.task.filename)
    job.nb = nb


def read_notebook(content: bytes | None, filename: str):
    """(notebook, notes). Every failure is an InvalidNotebook saying what is wrong with the file."""
    if content is None:
        raise InvalidNotebook(f"{filename} was not submitted")
    if not content.strip():
        raise InvalidNotebook(f"{filename} is an empty file")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidNotebook(f"{filename} is not a text file (is it a notebook?)") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidNotebook(f"{filename} is not valid notebook JSON ({error.msg} at line "
                              f"{error.lineno}, column {error.colno}); was it edited outside "
                              "Jupyter or cut short?") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises many kinds (ValidationError, KeyError, ...)
        raise InvalidNotebook(f"{filename} is JSON but not a Jupyter notebook "
                              f"({type(error).__name__}: {str(error)[:200]})") from None
    if not isinstance(nb.get("cells"), list):
        raise InvalidNotebook(f"{filename} has no list of cells")
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            raise InvalidNotebook(f"{filename}: cell {i + 1} is malformed (no cell_type/source)")
        if isinstance(cell.source, list):
            cell.source = "".join(cell.source)
        cell.setdefault("metadata", nbformat.NotebookNode())
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return nb, duplicate_id_notes(raw)


def duplicate_id_notes(raw) -> list:
    """nbformat silently renames duplicate cell ids while reading; say so to the learner."""
    ids = [c.get("id") for c in raw.get("cells", []) if isinstance(c, dict) and c.get("id")]
    return [f"duplicate cell id {cid!r} ({ids.count(cid)} cells); the copies were renamed"
            for cid in sorted({i for i in ids if ids.count(i) > 1})]


def _same_points(given, expected) -> bool:
    try:
        return float(given) == float(expected)
    except (TypeError, ValueError):
        return False


def inspect_submission(nb, instructor: InstructorNotebook, filename: str) -> list:
    """Notes on what the learner changed in instructor cells; InvalidNotebook if it is not this notebook."""
    by_id, duplicates = {}, []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id") if isinstance(
            cell.metadata.get("nbgrader"), dict) else None
        if gid:
            if gid in by_id:
                duplicates.append(gid)
            by_id[gid] = cell
    # Shared names like "setup" prove nothing: a test or answer cell of this notebook must be there.
    known = set(instructor.grade_cells) | set(instructor.solution_cells)
    if not known & set(by_id):
        if by_id:
            raise InvalidNotebook(
                f"{filename} does not belong to this assignment's notebook {instructor.name}: none of its "
                f"graded cells ({', '.join(sorted(by_id)[:5])}) are part of it. Was the wrong "
                "notebook submitted under this name?")
        raise InvalidNotebook(f"{filename} has none of the assignment's cells (no nbgrader "
                              "metadata): start from the released notebook and submit that file")
    notes = [f"graded cell {gid!r} appears more than once; only its last copy was kept"
             for gid in sorted(set(duplicates))]
    grades = instructor.grade_cells
    for source in instructor.source_cells:
        name = source["name"]
        is_test = name in grades and name not in instructor.solution_cells
        if name not in by_id:
            if is_test:
                notes.append(f"test cell {name!r} was deleted; the original was put back and run")
            continue
        points = by_id[name].metadata.get("nbgrader", {}).get("points")
        if name in grades and points is not None and not _same_points(points, grades[name]["max_score"]):
            notes.append(f"points of test cell {name!r} were changed to {points!r}; the original "
                         f"{grades[name]['max_score']:g} was restored")
        if source["locked"] and by_id[name].source not in (source["source"],
                                                             released_source(source["source"])):
            what = "test cell" if is_test else "read-only cell"
            notes.append(f"{what} {name!r} was edited; the original was restored before grading")
    return notes
