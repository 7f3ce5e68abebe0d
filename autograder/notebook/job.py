"""One notebook being graded on a worker: what each step reads and leaves for the next."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from traitlets.config import Config

from ..tasks import NotebookResult, NotebookTask


@dataclass
class Job:
    task: NotebookTask
    result: NotebookResult
    config: Config = None  # the course's nbgrader config, with this task's limits applied
    nb: object = None  # the notebook, once read
    resources: dict = field(default_factory=dict)

    def __post_init__(self):
        config = copy.deepcopy(Config(self.task.config))
        # The limits win over the course config: nbclient re-reads the config when it starts, so a
        # constructor argument alone would be undone.
        config.Execute.timeout = self.task.options.limits.cell_timeout
        config.Execute.raise_on_iopub_timeout = False
        config.OverwriteCells.setdefault("add_missing_cells", True)  # a deleted test cell still runs
        self.config = config
        t = self.task
        self.resources = {"nbgrader": {"student": t.student, "assignment": t.assignment,
                                       "notebook": t.notebook, "db_url": "shipped://"},
                          "unique_key": t.notebook, "output_files_dir": f"{t.notebook}_files"}
