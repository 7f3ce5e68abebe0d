"""Where the autograder stands in for nbgrader's gradebook access, and every private nbgrader call.

nbgrader's preprocessors open the gradebook themselves. On a worker there is none: the
`Shipped*` subclasses answer from the instructor's data shipped with the task. In the
coordinator, `SharedSaveAutoGrades` uses the run's one open gradebook. The step lists are read
from nbgrader's own `Autograde` converter, with these subclasses swapped in, so a preprocessor
nbgrader adds to autograde is picked up here; the feedback page's exporter is the one nbgrader's
`GenerateFeedback` sets up; `generate_assignment_in_memory` runs `GenerateAssignment`'s own steps
up to the gradebook. Each subclass runs its parent's own `preprocess`; the only private call
left is ClearHiddenTests' `_remove_hidden_test_region`.
"""
from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from contextlib import contextmanager
from types import SimpleNamespace

import nbformat
from nbconvert.exporters import HTMLExporter
from nbgrader.api import MissingEntry
from nbgrader import utils as nbutils
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import (AssignLatePenalties, ClearHiddenTests, Execute, GetGrades,
                                    OverwriteCells, OverwriteKernelspec, SaveAutoGrades, SaveCells)
from traitlets import Any as AnyTrait
from traitlets import Dict
from traitlets.config import Config

from .instructor import InstructorNotebook


class ShippedGradebook:
    """The subset of nbgrader's Gradebook API that the sanitizing preprocessors call."""

    def __init__(self, instructor: InstructorNotebook, assignment: str):
        self.instructor, self.assignment = instructor, assignment
        self._cells = {c["name"]: SimpleNamespace(**c) for c in instructor.source_cells}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _check(self, notebook_id, assignment_id):
        if notebook_id != self.instructor.name or assignment_id != self.assignment:
            raise MissingEntry()

    def find_source_cell(self, name, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        if name not in self._cells:
            raise MissingEntry()
        return self._cells[name]

    def find_graded_cell(self, name, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        if name not in self.instructor.grade_cells:
            raise MissingEntry()
        g = self.instructor.grade_cells[name]
        return SimpleNamespace(name=name, max_score=g["max_score"], cell_type=g["cell_type"])

    def find_notebook(self, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        m = self.instructor
        return SimpleNamespace(
            name=m.name, kernelspec=m.kernelspec,
            source_cells=[self._cells[c["name"]] for c in m.source_cells],
            grade_cells=[SimpleNamespace(name=n, max_score=g["max_score"]) for n, g in m.grade_cells.items()],
            solution_cells=[SimpleNamespace(name=n) for n in m.solution_cells],
            task_cells=[SimpleNamespace(name=n, max_score=s) for n, s in m.task_cells.items()],
        )


# -- nbgrader's own preprocess(), with the gradebook it opens swapped for ours ---------------------
# nbgrader's preprocessors open `Gradebook(db_url)` inside their `preprocess`. Rather than copy those
# bodies (and silently skip whatever a later nbgrader adds to them), the subclasses below call the
# parent's public `preprocess` while the name `Gradebook` in the parent's module answers with ours.
# Made against this nbgrader; tests/test_autograder_units.py fails when another one is installed.
NBGRADER_VERSION = "0.9.6"
_SWAP = threading.RLock()  # one swap at a time, should a worker ever run tasks in threads


class _Borrowed:
    """A gradebook lent to nbgrader's `with Gradebook(...)`: leaving the block does not close it."""

    def __init__(self, gradebook):
        self._gradebook = gradebook

    def __enter__(self):
        return self._gradebook

    def __exit__(self, *exc):
        return False

    def __getattr__(self, name):
        return getattr(self._gradebook, name)


@contextmanager
def _gradebook_in(preprocessor_cls, gradebook):
    """While inside, `Gradebook(...)` in the module that defines `preprocessor_cls` is `gradebook`."""
    module = sys.modules[preprocessor_cls.__module__]
    with _SWAP:
        original = module.Gradebook
        module.Gradebook = lambda *args, **kwargs: _Borrowed(gradebook)
        try:
            yield
        finally:
            module.Gradebook = original


class ShippedOverwriteKernelspec(OverwriteKernelspec):
    shipped = AnyTrait()

    def preprocess(self, nb, resources):
        with _gradebook_in(OverwriteKernelspec, self.shipped):
            return super().preprocess(nb, resources)


class ShippedOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells with the gradebook swapped for the shipped copy."""
    shipped = AnyTrait()

    def preprocess(self, nb, resources):
        with _gradebook_in(OverwriteCells, self.shipped):
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        # Cells nbgrader disowned (an unknown grade_id, the losing copy of a duplicate) keep
        # metadata without a grade_id, on which nbgrader's own later steps crash. They are
        # the learner's cells now: plain cells.
        meta = cell.metadata.get("nbgrader")
        if meta is not None and (not isinstance(meta, dict) or "grade_id" not in meta):
            del cell.metadata["nbgrader"]
        return cell, resources

    def add_missing_grade_cells(self, nb, resources):
        try:
            return super().add_missing_grade_cells(nb, resources)
        except (KeyError, ValueError):
            # nbgrader re-inserts a deleted cell after the cell before it in the source; when
            # that one is gone too it fails. Put the rest back after the nearest survivor.
            self._insert_remaining(nb)
            return nb, resources

    def _insert_remaining(self, nb):
        instructor = self.shipped.instructor
        order = instructor.grade_ids
        for name in order:
            present = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
            if name in present:
                continue
            cell = self.missing_cell_transform(self.shipped.find_source_cell(name, instructor.name,
                                                                             self.assignment_id),
                                               instructor.grade_cells[name]["max_score"],
                                               is_solution=name in instructor.solution_cells)
            before = [present[p] for p in order[:order.index(name)] if p in present]
            nb.cells.insert(max(before) + 1 if before else 0, cell)


class SharedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades (its `_add_score`/`_add_comment` decide every grade), using the
    coordinator's open gradebook instead of opening one per notebook."""
    shared = AnyTrait()

    def preprocess(self, nb, resources):
        with _gradebook_in(SaveAutoGrades, self.shared):
            return super().preprocess(nb, resources)


class ShippedGrades:
    """The part of nbgrader's Gradebook API that GetGrades calls, answered from what the
    coordinator read from the gradebook (Store.feedback_data): grades, comments, score, penalty."""

    def __init__(self, data: dict):
        self.data = data

    def find_comment(self, name, notebook_id, assignment_id, student_id):
        if name not in self.data["comments"]:
            raise MissingEntry()
        return SimpleNamespace(comment=self.data["comments"][name])

    def find_grade(self, name, notebook_id, assignment_id, student_id):
        if name not in self.data["grades"]:
            raise MissingEntry()
        return SimpleNamespace(**self.data["grades"][name])

    def find_submission_notebook(self, notebook_id, assignment_id, student_id):
        return SimpleNamespace(score=self.data["score"] + self.data["late_penalty"],
                               max_score=self.data["max_score"],
                               late_submission_penalty=self.data["late_penalty"] or None)


class ShippedGetGrades(GetGrades):
    """nbgrader's GetGrades (feedback) with the gradebook's answers shipped in."""
    data = Dict()

    def preprocess(self, nb, resources):
        with _gradebook_in(GetGrades, ShippedGrades(self.data)):
            return super().preprocess(nb, resources)


# -- nbgrader generate_feedback's exporter -----------------------------------------------------------
def feedback_exporter(course_config) -> HTMLExporter:
    """The HTML exporter `nbgrader generate_feedback` builds (its template set-up, from
    GenerateFeedback's own constructor), with its preprocessors except GetGrades: the grades
    come from ShippedGetGrades, run before the export."""
    converter = GenerateFeedback(config=Config(course_config))
    exporter = converter.exporter_class(config=converter.config)
    for pp in converter.preprocessors:
        if not issubclass(pp, GetGrades):
            exporter.register_preprocessor(pp(config=converter.config), enabled=True)
    return exporter


def clear_hidden_tests(source: str) -> tuple:
    """(source as students received it, whether it had hidden tests), by nbgrader's
    ClearHiddenTests. Unbalanced markers raise RuntimeError, as in nbgrader."""
    cell = nbformat.v4.new_code_cell(source)
    had_hidden = ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source, had_hidden


def released_source(source: str) -> str:
    """A cell's text as students received it; unchanged when its markers are unbalanced."""
    try:
        return clear_hidden_tests(source)[0]
    except RuntimeError:
        return source


# -- nbgrader autograde's step lists ------------------------------------------------------------
def _autograde_default(name: str) -> list:
    return list(Autograde.class_traits()[name].default())


# Steps the coordinator runs itself, with the gradebook (store.py).
GRADEBOOK_STEPS = (SaveAutoGrades, AssignLatePenalties)
_SHIPPED = {OverwriteKernelspec: ShippedOverwriteKernelspec, OverwriteCells: ShippedOverwriteCells}


def sanitize_steps() -> list:
    """nbgrader autograde's sanitize chain, gradebook readers swapped for shipped ones."""
    return [_SHIPPED.get(cls, cls) for cls in _autograde_default("sanitize_preprocessors")]


def after_execute_steps() -> list:
    """nbgrader autograde's steps after Execute that need no gradebook."""
    steps = _autograde_default("autograde_preprocessors")
    return [cls for cls in steps[steps.index(Execute) + 1:] if cls not in GRADEBOOK_STEPS]


# -- nbgrader generate_assignment, up to the gradebook -----------------------------------------------
@dataclass
class SavedCells:
    """What nbgrader's SaveCells would write to the gradebook for one notebook."""
    kernelspec: str
    cells: list      # dicts: name, cell_type, locked, checksum, source
    grade: dict      # grade_id -> {"max_score", "cell_type"}
    solution: list   # grade_ids of solution cells
    task: dict       # grade_id -> points


def generate_assignment_in_memory(source, assignment: str, config) -> SavedCells:
    """`nbgrader generate_assignment`'s own steps (read from its converter) up to SaveCells, run in
    memory on one instructor notebook, and what SaveCells would record from the result (its
    selection of cells, mirrored here: SaveCells writes straight to a gradebook)."""
    nb = nbformat.read(str(source), as_version=nbformat.NO_CONVERT)
    resources = {"nbgrader": {"notebook": source.stem, "assignment": assignment, "db_url": "none://"},
                 "metadata": {"path": str(source.parent)}, "unique_key": source.stem}
    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    for cls in steps[:steps.index(SaveCells)]:
        nb, resources = cls(config=config)(nb, resources)
    saved = SavedCells(json.dumps(nb.metadata.get("kernelspec", {})), [], {}, [], {})
    for cell in nb.cells:
        if not (nbutils.is_grade(cell) or nbutils.is_solution(cell) or nbutils.is_locked(cell)
                or nbutils.is_task(cell)):
            continue
        meta = cell.metadata.nbgrader
        name = meta["grade_id"]
        if nbutils.is_grade(cell):
            saved.grade[name] = {"max_score": float(meta["points"]), "cell_type": cell.cell_type}
        if nbutils.is_solution(cell):
            saved.solution.append(name)
        if nbutils.is_task(cell):
            saved.task[name] = float(meta["points"])
        saved.cells.append(dict(name=name, cell_type=cell.cell_type, locked=nbutils.is_locked(cell),
                                checksum=meta.get("checksum"), source=cell.source))
    return saved
