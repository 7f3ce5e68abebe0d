"""The instructor's version of each notebook, as nbgrader stored it in the gradebook, shipped to workers.

nbgrader's OverwriteCells / OverwriteKernelspec / GetGrades preprocessors read the gradebook
directly. Workers must not (no shared file system, one writer), so the coordinator reads what
those preprocessors need once per assignment into plain data, and `ShippedGradebook` answers the
same `find_*` calls from it. The preprocessors' own code then runs unchanged.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from . import guard


@dataclass
class MasterNotebook:
    name: str
    kernelspec: str | None
    source_cells: list  # dicts: name, cell_type, locked, checksum, source (notebook order)
    grade_cells: dict  # name -> {"max_score", "cell_type"}
    solution_cells: list
    task_cells: dict  # name -> max_score
    trusted_imports: list = field(default_factory=list)

    @property
    def test_ids(self) -> list:
        """Autograded test cells in notebook order (grade cells that are not answers)."""
        order = [c["name"] for c in self.source_cells]
        tests = [n for n in self.grade_cells if n not in self.solution_cells
                 and self.grade_cells[n]["cell_type"] == "code"]
        return sorted(tests, key=lambda n: order.index(n) if n in order else len(order))

    @property
    def max_score(self) -> float:
        return sum(g["max_score"] for g in self.grade_cells.values()) + sum(self.task_cells.values())

    @property
    def helper_names(self) -> list:
        return sorted({n for _, names, *_ in self.trusted_imports for n in names})


@dataclass
class MasterAssignment:
    name: str
    notebooks: dict  # notebook name -> MasterNotebook
    files: dict  # extra (non-notebook) files of the source folder: relative path -> bytes
    duedate: object = None


def load_master(db_url: str, assignment: str, source_dir: Path, ignore=(), protected=("course",),
                max_file_bytes: int = 50 << 20) -> MasterAssignment:
    """Read one assignment's notebooks from the gradebook (as `nbgrader generate_assignment` saved
    them) plus the source folder's other files. Raises MissingEntry when it was never generated."""
    notebooks = {}
    with Gradebook(db_url) as gb:
        assignment_row = gb.find_assignment(assignment)
        duedate = assignment_row.duedate
        for nb in assignment_row.notebooks:
            source_nb_path = source_dir / f"{nb.name}.ipynb"
            imports, order = [], []
            if source_nb_path.exists():
                source_nb = nbformat.read(str(source_nb_path), as_version=4)
                imports = guard.trusted_imports(source_nb, protected)
                order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in source_nb.cells]
            rank = {name: i for i, name in enumerate(order) if name}
            cells = sorted(nb.source_cells, key=lambda c: rank.get(c.name, len(rank)))
            notebooks[nb.name] = MasterNotebook(
                name=nb.name,
                kernelspec=nb.kernelspec,
                source_cells=[dict(name=c.name, cell_type=c.cell_type, locked=c.locked,
                                   checksum=c.checksum, source=c.source) for c in cells],
                grade_cells={c.name: {"max_score": float(c.max_score), "cell_type": c.cell_type}
                             for c in nb.grade_cells},
                solution_cells=[c.name for c in nb.solution_cells],
                task_cells={c.name: float(c.max_score) for c in nb.task_cells},
                trusted_imports=imports,
            )
    return MasterAssignment(assignment, notebooks, source_files(source_dir, ignore, max_file_bytes),
                            duedate)


def source_files(folder: Path, ignore=(), max_bytes: int = 50 << 20) -> dict:
    """Non-notebook files nbgrader would copy next to each graded notebook (data, modules)."""
    from nbgrader.utils import find_all_files
    files = {}
    if not folder.is_dir():
        return files
    for path in find_all_files(str(folder), list(ignore) + ["*.ipynb"]):
        p = Path(path)
        if p.is_file() and p.stat().st_size <= max_bytes:
            files[str(p.relative_to(folder))] = p.read_bytes()
    return files


class ShippedGradebook:
    """The subset of nbgrader's Gradebook API that the sanitizing preprocessors call."""

    def __init__(self, master: MasterNotebook, assignment: str):
        self.master, self.assignment = master, assignment
        self._cells = {c["name"]: SimpleNamespace(**c) for c in master.source_cells}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _check(self, notebook_id, assignment_id):
        if notebook_id != self.master.name or assignment_id != self.assignment:
            raise MissingEntry()

    def find_source_cell(self, name, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        if name not in self._cells:
            raise MissingEntry()
        return self._cells[name]

    def find_graded_cell(self, name, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        if name not in self.master.grade_cells:
            raise MissingEntry()
        g = self.master.grade_cells[name]
        return SimpleNamespace(name=name, max_score=g["max_score"], cell_type=g["cell_type"])

    def find_notebook(self, notebook_id, assignment_id):
        self._check(notebook_id, assignment_id)
        m = self.master
        return SimpleNamespace(
            name=m.name, kernelspec=m.kernelspec,
            source_cells=[self._cells[c["name"]] for c in m.source_cells],
            grade_cells=[SimpleNamespace(name=n, max_score=g["max_score"]) for n, g in m.grade_cells.items()],
            solution_cells=[SimpleNamespace(name=n) for n in m.solution_cells],
            task_cells=[SimpleNamespace(name=n, max_score=s) for n, s in m.task_cells.items()],
        )


def kernelspec_of(master: MasterNotebook) -> dict | None:
    return json.loads(master.kernelspec) if master.kernelspec else None
