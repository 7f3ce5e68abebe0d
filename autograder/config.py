"""What a run is given, each defined once: the course (nbgrader's configuration), the run's
Settings, the per-kernel Limits, and the environment grading kernels start with.

Loading nbgrader_config.py also runs its `os.environ.setdefault(...)` lines; nbgrader's kernels
inherit those, so the grading kernels get exactly that set too (captured as `Course.env`).
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

# Packages whose modules the tamper guard watches and the sandbox mounts read-only.
HELPER_PACKAGES = ("course",)
# Non-notebook files (submitted or the instructor's) larger than this are not shipped to workers.
MAX_FILE_BYTES = 50 << 20


def _limit(default: int, help: str, flag: str | None = None):
    return field(default=default, metadata={"help": help, "flag": flag})


@dataclass
class Limits:
    """Per-kernel limits. Times in seconds, sizes in MiB. A new limit is a field here (the command
    line gets its option from it) plus where the sandbox enforces it (sandbox/provisioner.py)."""
    cell_timeout: int = _limit(120, "seconds per cell before an interrupt (`grade`: the config's Execute.timeout)")
    notebook_timeout: int = _limit(900, "seconds per notebook before the kernel is killed")
    memory_mb: int = _limit(3072, "memory cap per kernel")
    max_pids: int = _limit(512, "processes per kernel (with a cgroup)")
    max_file_mb: int = _limit(512, "largest file a kernel may write")
    tmp_mb: int = _limit(512, "size of the kernel's private /tmp")
    output_kb: int = _limit(1024, "output kept per cell; beyond it, outputs are cut with a note")
    threads: int = _limit(0, "math threads per kernel (default: cores / jobs when jobs > 1)",
                          "--threads-per-kernel")


@dataclass
class Settings:
    """How to grade: what the command line decides. The coordinator's; a worker gets only what it
    reads of it, as tasks.WorkerOptions."""
    jobs: int | None = None
    dask: str | None = None  # scheduler address, or "local"
    force: bool = False
    unknown_students: str = "add"  # add | report
    limits: Limits = field(default_factory=Limits)
    use_bwrap: bool = True
    use_cgroup: bool = True
    require_sandbox: bool = False
    flag_review: bool = True
    feedback: bool = True
    progress: bool = True
    students: list | None = None
    quiet: bool = False

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


# -- the grading kernel's environment ---------------------------------------------------------
# Names whose values look like credentials never reach student code.
SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|_KEY$|^AWS_|^GOOGLE_|^AZURE_|"
                        r"^NBGRADER_DB_URL$|^DASK_|^SSH_|^GIT_|^JPY_|^JUPYTER_)", re.I)
# The worker's own settings that would point the kernel outside its sandbox.
DROPPED_ENV = ("MPLCONFIGDIR", "IPYTHONDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
               "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV_PROMPT", "OLDPWD")
# Set unless the course config or the worker's environment says otherwise.
DEFAULT_ENV = {"PYTHONWARNINGS": "ignore::DeprecationWarning"}  # a warning on stderr fails a test
# Always set: what `nbgrader autograde` sets for its kernels, and the sandbox's identity.
FIXED_ENV = {
    "NBGRADER_EXECUTION": "autograde", "TMPDIR": "/tmp", "USER": "student", "LOGNAME": "student",
    "PYTHONNOUSERSITE": "1",
    # The course's shape-doctor IPython extension prints a diagnosis after a learner's uncaught
    # shape error; grading output and feedback must hold only the frameworks' own errors.
    "COURSE_SHAPE_DOCTOR": "0",
}
# Taken from the environment of the process that started the run (not a worker's): set there,
# passed through; unset there, unset in the kernel. Tests grade under both oneDNN settings.
FROM_GRADER_ENV = ("TF_ENABLE_ONEDNN_OPTS",)


def grader_env(course_env: dict, environ=None) -> dict:
    """The part of the kernel environment decided where the run starts (shipped to workers)."""
    environ = os.environ if environ is None else environ
    env = {**course_env, **FIXED_ENV}
    env.update({k: environ[k] for k in FROM_GRADER_ENV if k in environ})
    return env


def kernel_env(shipped: dict, limits: Limits, home: str, work: str, environ=None) -> dict:
    """One kernel's environment: the worker's own (PATH, library paths) minus secrets and
    sandbox-escaping settings, plus what the run shipped, the sandbox's HOME and thread caps."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items()
           if not SECRET_ENV.search(k) and k not in DROPPED_ENV and k not in FROM_GRADER_ENV}
    env.update(shipped)
    for key, value in DEFAULT_ENV.items():
        env.setdefault(key, value)
    env.update(HOME=home, PWD=work)
    if limits.threads > 0:
        n = str(limits.threads)
        # Two kernels on two cores each spawning one thread per core would fight for the CPU.
        env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n,
                   TF_NUM_INTRAOP_THREADS=n, TF_NUM_INTEROP_THREADS="1")
    return env


def ensure_tools_on_path() -> None:
    """nbgrader runs the `alembic` command when it creates a gradebook, and kernels run `python`;
    make the venv's visible even when we were started as .venv/bin/python without activating it."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


# -- the course ----------------------------------------------------------------------------------
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
        """Our own outputs (regrade record, reports, grades CSV) live under build/ (gitignored)."""
        return self.root / "build" / "autograder"


def load_course(root, db_url: str | None = None) -> Course:
    root = Path(root).resolve()
    ensure_tools_on_path()
    before = dict(os.environ)
    config = Config()
    path = root / "nbgrader_config.py"
    if path.exists():
        config.merge(PyFileConfigLoader(path.name, path=str(root)).load_config())
    env = {k: v for k, v in os.environ.items() if before.get(k) != v}
    config.CourseDirectory.root = str(root)
    if db_url:
        config.CourseDirectory.db_url = db_url
    return Course(root, config, CourseDirectory(config=config), env)
