"""Reading a submitted notebook and restoring the instructor's cells, with nbgrader's preprocessors.

The chain is nbgrader autograde's "sanitize" step (ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells, CheckCellMetadata); only the gradebook those preprocessors
read is replaced by the shipped copy (master.py). Everything a learner can get wrong about the
file itself ends in `InvalidNotebook` with a message meant for them.
"""
from __future__ import annotations

import json

import nbformat
from nbgrader import utils as nbutils
from nbgrader.nbgraderformat import ValidationError as NbgraderValidationError
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds, OverwriteCells,
                                    OverwriteKernelspec)
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Any as AnyTrait

from .master import MasterNotebook, ShippedGradebook, kernelspec_of


class InvalidNotebook(Exception):
    """The file cannot be graded as this notebook; the message says why, for the learner."""


class ShippedOverwriteKernelspec(OverwriteKernelspec):
    shipped = AnyTrait()

    def preprocess(self, nb, resources):
        kernelspec = kernelspec_of(self.shipped.master)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources


class ShippedOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells with the gradebook swapped for the shipped copy."""
    shipped = AnyTrait()

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = self.shipped
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        for cell in nb.cells:
            # Cells nbgrader disowned (an unknown grade_id, the losing copy of a duplicate) keep
            # metadata without a grade_id, on which nbgrader's own later steps crash. They are
            # the learner's cells now: plain cells.
            meta = cell.metadata.get("nbgrader")
            if meta is not None and (not isinstance(meta, dict) or "grade_id" not in meta):
                del cell.metadata["nbgrader"]
        if self.add_missing_cells:
            try:
                nb, resources = self.add_missing_grade_cells(nb, resources)
            except (KeyError, ValueError):
                # nbgrader re-inserts a deleted cell after the cell before it in the source; when
                # that one is gone too it fails. Put the rest back after the nearest survivor.
                self._insert_remaining(nb)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def _insert_remaining(self, nb):
        master = self.shipped.master
        order = [c["name"] for c in master.source_cells]
        for name in order:
            if name not in master.grade_cells:
                continue
            present = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
            if name in present:
                continue
            cell = self.missing_cell_transform(self.shipped.find_source_cell(name, master.name,
                                                                             self.assignment_id),
                                               master.grade_cells[name]["max_score"],
                                               is_solution=name in master.solution_cells)
            before = [present[p] for p in order[:order.index(name)] if p in present]
            nb.cells.insert(max(before) + 1 if before else 0, cell)


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


def released_source(source: str) -> str:
    """A cell's text as students received it: nbgrader's ClearHiddenTests applied to the master."""
    cell = nbformat.v4.new_code_cell(source)
    try:
        ClearHiddenTests()._remove_hidden_test_region(cell)
    except RuntimeError:
        return source
    return cell.source


def inspect_submission(nb, master: MasterNotebook, filename: str) -> list:
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
    known = set(master.grade_cells) | set(master.solution_cells)
    if not known & set(by_id):
        if by_id:
            raise InvalidNotebook(
                f"{filename} does not belong to this assignment's notebook {master.name}: none of its "
                f"graded cells ({', '.join(sorted(by_id)[:5])}) are part of it. Was the wrong "
                "notebook submitted under this name?")
        raise InvalidNotebook(f"{filename} has none of the assignment's cells (no nbgrader "
                              "metadata): start from the released notebook and submit that file")
    notes = [f"graded cell {gid!r} appears more than once; only its last copy was kept"
             for gid in sorted(set(duplicates))]
    for source in master.source_cells:
        name = source["name"]
        is_test = name in master.grade_cells and name not in master.solution_cells
        if name not in by_id:
            if is_test:
                notes.append(f"test cell {name!r} was deleted; the original was put back and run")
            continue
        points = by_id[name].metadata.get("nbgrader", {}).get("points")
        if name in master.grade_cells and points is not None and not _same_points(points, master.grade_cells[name]["max_score"]):
            notes.append(f"points of test cell {name!r} were changed to {points!r}; the original "
                         f"{master.grade_cells[name]['max_score']:g} was restored")
        if source["locked"] and by_id[name].source not in (source["source"],
                                                             released_source(source["source"])):
            what = "test cell" if is_test else "read-only cell"
            notes.append(f"{what} {name!r} was edited; the original was restored before grading")
    return notes


def sanitize(nb, master: MasterNotebook, resources: dict, config):
    """nbgrader autograde's sanitize step, against the shipped gradebook."""
    shipped = ShippedGradebook(master, resources["nbgrader"]["assignment"])
    chain = [ClearOutput(config=config), DeduplicateIds(config=config),
             ShippedOverwriteKernelspec(config=config, shipped=shipped),
             ShippedOverwriteCells(config=config, shipped=shipped), CheckCellMetadata(config=config)]
    for pp in chain:
        try:
            nb, resources = pp(nb, resources)
        except (NbgraderValidationError, KeyError, TypeError, AttributeError) as error:
            raise InvalidNotebook(f"the nbgrader metadata of {resources['nbgrader']['notebook']} is "
                                  f"corrupted ({str(error)[:200]}); start again from the released "
                                  "notebook") from None
    # nbgrader inserts restored cells as shallow NotebookNodes; make every level attribute-accessible.
    return nbformat.from_dict(nb), resources


def student_editable_cells(nb) -> list:
    """Code cells whose source the learner controls after sanitizing (answers and free cells)."""
    return [c for c in nb.cells if c.cell_type == "code" and not nbutils.is_locked(c)]
