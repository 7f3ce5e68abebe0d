"""Step 2: nbgrader autograde's sanitize chain (ClearOutput, DeduplicateIds, OverwriteKernelspec,
OverwriteCells, CheckCellMetadata), against the instructor's cells shipped with the task."""
from __future__ import annotations

import nbformat
from nbgrader.nbgraderformat import ValidationError as NbgraderValidationError

from ..nbgrader_compat import ShippedGradebook, sanitize_steps
from .read import InvalidNotebook


def sanitize(job) -> None:
    shipped = ShippedGradebook(job.task.instructor, job.task.assignment)
    nb, resources = job.nb, job.resources
    for cls in sanitize_steps():
        extra = {"shipped": shipped} if "shipped" in cls.class_trait_names() else {}
        try:
            nb, resources = cls(config=job.config, **extra)(nb, resources)
        except (NbgraderValidationError, KeyError, TypeError, AttributeError) as error:
            raise InvalidNotebook(f"the nbgrader metadata of {job.task.notebook} is corrupted "
                                  f"({str(error)[:200]}); start again from the released "
                                  "notebook") from None
    # nbgrader inserts restored cells as shallow NotebookNodes; make every level attribute-accessible.
    job.nb, job.resources = nbformat.from_dict(nb), resources
