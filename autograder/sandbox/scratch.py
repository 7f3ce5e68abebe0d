"""One kernel's private folders on the host, the HOME they start from, and the removal of what
crashed workers left behind (scratch folders and cgroups, named after their worker's pid)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ..config import DROPPED_ENV
from .detect import cgroup_factory


def scratch_root() -> Path:
    """RAM-backed /dev/shm when roomy: what student code writes is then charged to its memory cap."""
    shm = Path("/dev/shm")
    try:
        stat = os.statvfs(shm)
        if os.access(shm, os.W_OK) and stat.f_bavail * stat.f_frsize > 2 << 30:
            return shm
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def home_skeleton() -> Path:
    """A HOME whose matplotlib font cache is already built (building it prints to stderr, which
    nbgrader scores as a failed test). Made once per machine and copied into each sandbox."""
    try:
        import matplotlib
        tag = matplotlib.__version__
    except ImportError:
        tag = "none"
    root = Path(tempfile.gettempdir()) / f"autograder-home-{os.getuid()}-{tag}"
    if root.is_dir():
        return root
    tmp = Path(tempfile.mkdtemp(prefix="autograder-home-build-"))
    if tag != "none":
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env["HOME"] = str(tmp)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                       capture_output=True, timeout=300)
    try:
        tmp.rename(root)  # atomic: two workers racing both succeed or one keeps its copy
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


@dataclass
class Scratch:
    """One kernel's private folders on the host: sockets+connection file, HOME, working folder."""
    root: Path
    kernel: Path = field(init=False)
    home: Path = field(init=False)
    work: Path = field(init=False)

    def __post_init__(self):
        self.kernel, self.home, self.work = self.root / "kernel", self.root / "home", self.root / "work"

    @classmethod
    def create(cls) -> "Scratch":
        # The worker's pid in the name lets a later worker remove what a crashed one left behind.
        root = Path(tempfile.mkdtemp(prefix=f"autograder-{os.getpid()}-", dir=scratch_root()))
        scratch = cls(root)
        scratch.kernel.mkdir()
        shutil.copytree(home_skeleton(), scratch.home)
        scratch.work.mkdir()
        return scratch

    def write_files(self, files: dict) -> None:
        """Place the assignment's extra files (data, helper modules) in the working folder."""
        for rel, data in files.items():
            dest = (self.work / rel).resolve()
            if self.work.resolve() not in dest.parents:
                continue  # never outside the working folder, whatever the name says
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def owner_gone(name: str) -> bool:
    """For "autograder-<pid>-...": the worker process that made it no longer exists."""
    pid = name.split("-")[1] if name.count("-") >= 2 else ""
    return pid.isdigit() and not psutil.pid_exists(int(pid))


def remove_stale() -> None:
    """Scratch folders (in /dev/shm they hold RAM) and cgroups of workers that no longer exist."""
    for path in scratch_root().glob("autograder-*-*"):
        if path.is_dir() and owner_gone(path.name):
            shutil.rmtree(path, ignore_errors=True)
    cgroup_factory().remove_stale(owner_gone)
