"""The instructor's version of each notebook, as nbgrader stored it in the gradebook, and the
assignment's other files: read once per assignment by the coordinator and shipped to workers.

nbgrader's preprocessors read the gradebook directly; workers must not (no shared file system,
one writer), so what they need is read here into plain data (nbgrader_compat.ShippedGradebook
answers their `find_*` calls from it). This is the only module that lists the source folder.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.utils import find_all_files

from .config import HELPER_PACKAGES, MAX_FILE_BYTES


@dataclass
class InstructorNotebook:
    name: str
    kernelspec: str | None
    source_cells: list  # dicts: name, cell_type, locked, checksum, source (notebook order)
    grade_cells: dict  # name -> {"max_score", "cell_type"}
    solution_cells: list
    task_cells: dict  # name -> max_score
    # (statement, bound names, module, attribute) of the helper imports in locked cells
    trusted_imports: list = field(default_factory=list)

    @property
    def grade_ids(self) -> list:
        """Grade cells in notebook order: the one order every score list and report uses."""
        order = [c["name"] for c in self.source_cells if c["name"] in self.grade_cells]
        return order + [n for n in self.grade_cells if n not in order]

    @property
    def test_ids(self) -> list:
        """Autograded test cells (grade cells that are not answers), in notebook order."""
        return [n for n in self.grade_ids if n not in self.solution_cells
                and self.grade_cells[n]["cell_type"] == "code"]

    @property
    def helper_names(self) -> list:
        return sorted({n for _, names, *_ in self.trusted_imports for n in names})

    @property
    def kernelspec_dict(self) -> dict | None:
        return json.loads(self.kernelspec) if self.kernelspec else None


@dataclass
class InstructorAssignment:
    name: str
    notebooks: dict  # notebook name -> InstructorNotebook
    files: dict  # the source folder's other files: relative path -> bytes


def load_instructor(db_url: str, assignment: str, source_dir: Path, ignore=()) -> InstructorAssignment:
    """Read one assignment's notebooks from the gradebook (as `nbgrader generate_assignment` saved
    them) plus the source folder's other files. Raises MissingEntry when it was never generated."""
    notebooks = {}
    with Gradebook(db_url) as gb:
        for nb in gb.find_assignment(assignment).notebooks:
            source_path = source_dir / f"{nb.name}.ipynb"
            imports, order = [], []
            if source_path.exists():
                source_nb = nbformat.read(str(source_path), as_version=4)
                imports = trusted_imports(source_nb)
                order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in source_nb.cells]
            rank = {name: i for i, name in enumerate(order) if name}
            cells = sorted(nb.source_cells, key=lambda c: rank.get(c.name, len(rank)))
            notebooks[nb.name] = InstructorNotebook(
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
    return InstructorAssignment(assignment, notebooks, source_files(source_dir, ignore))


def source_files(folder: Path, ignore=()) -> dict:
    """Non-notebook files nbgrader would copy next to each graded notebook (data, modules)."""
    files = {}
    if not folder.is_dir():
        return files
    for path in find_all_files(str(folder), list(ignore) + ["*.ipynb"]):
        p = Path(path)
        if p.is_file() and p.stat().st_size <= MAX_FILE_BYTES:
            files[str(p.relative_to(folder))] = p.read_bytes()
    return files


def python_source(cell_source: str) -> str:
    """IPython syntax (magics, !shell) turned into plain Python, so it can be parsed."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(cell_source)
    except Exception:
        return cell_source


def trusted_imports(source_nb, protected=HELPER_PACKAGES) -> list:
    """(statement, bound names, module, attribute) for each top-level import of a helper package
    in the source notebook's cells that students cannot change (everything but answer cells);
    the tamper guard re-runs them before each test."""
    found = []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or nbutils.is_solution(cell):
            continue
        try:
            tree = ast.parse(python_source(cell.source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.partition(".")[0] in protected:
                        bound = alias.asname or alias.name.partition(".")[0]
                        found.append((ast.unparse(ast.Import(names=[alias])), [bound], alias.name, None))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.partition(".")[0] in protected:
                for alias in node.names:
                    if alias.name == "*":
                        continue  # star imports bind unknown names; the test cells still run
                    stmt = ast.unparse(ast.ImportFrom(module=node.module, names=[alias], level=0))
                    found.append((stmt, [alias.asname or alias.name], node.module, alias.name))
    unique = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique
