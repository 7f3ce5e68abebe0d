"""The course's nbgrader configuration, loaded the way nbgrader loads it.

Loading nbgrader_config.py also runs its `os.environ.setdefault(...)` lines; nbgrader's kernels
inherit those, so the grading kernels get exactly that set too (captured as `env`).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


@dataclass
class Course:
    root: Path
    config: Config
    coursedir: CourseDirectory
    env: dict  # environment variables the config file set

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    def folder(self, kind: str, student: str = ".", assignment: str = ".") -> Path:
        """nbgrader's layout: source/release/submitted/autograded/feedback folders."""
        directory = getattr(self.coursedir, f"{kind}_directory")
        return Path(self.coursedir.format_path(directory, student, assignment))

    @property
    def work_dir(self) -> Path:
        """Our own outputs (state, reports, grades CSV) live under build/, which is gitignored."""
        return self.root / "build" / "autograder"


def ensure_tools_on_path() -> None:
    """nbgrader runs the `alembic` command when it creates a gradebook; make the venv's visible
    even when we were started as .venv/bin/python without activating the environment."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def load_course(root, db_url: str | None = None) -> Course:
    root = Path(root).resolve()
    ensure_tools_on_path()
    before = dict(os.environ)
    config = Config()
    path = root / "nbgrader_config.py"
    if path.exists():
        loader = PyFileConfigLoader(path.name, path=str(root))
        config.merge(loader.load_config())
    env = {k: v for k, v in os.environ.items() if before.get(k) != v}
    config.CourseDirectory.root = str(root)
    if db_url:
        config.CourseDirectory.db_url = db_url
    coursedir = CourseDirectory(config=config)
    return Course(root, config, coursedir, env)
