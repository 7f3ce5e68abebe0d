"""What this machine can enforce (bubblewrap, cgroups, rlimits), found once per process, and
the words that describe it: the start-up lines and the short label each result records."""
from __future__ import annotations

import functools
import shutil
import socket
import subprocess
from dataclasses import dataclass

from ..config import Limits
from .cgroups import CgroupFactory


@dataclass
class Protections:
    """What this machine can enforce; printed at start-up, with what is missing said plainly."""
    bwrap: str | None
    bwrap_userns: bool
    cgroup: str | None
    cgroup_error: str | None
    rlimit_data: bool

    def lines(self, limits: Limits) -> list:
        out = []
        if self.bwrap:
            out.append(f"sandbox: bubblewrap ({self.bwrap}): no network, private /tmp and /proc, "
                       "course directory, gradebook and other submissions not mounted")
        else:
            out.append("WARNING: bubblewrap (bwrap) is not usable here: student code runs as a plain "
                       "subprocess WITH network access and can READ the course directory (source "
                       "notebooks, hidden tests, gradebook). Install it with tools/install-system.sh.")
        if self.cgroup:
            out.append(f"memory: cgroup {self.cgroup} cap of {limits.memory_mb} MiB per kernel "
                       f"(OOM-killed when exceeded), at most {limits.max_pids} processes")
        else:
            why = f" ({self.cgroup_error})" if self.cgroup_error else ""
            out.append(f"WARNING: no cgroup can be created here{why}: memory is capped with "
                       f"RLIMIT_DATA={limits.memory_mb} MiB plus an RSS watchdog instead, and the "
                       "process count is not capped")
        out.append(f"time: {limits.cell_timeout} s per cell (then interrupted), "
                   f"{limits.notebook_timeout} s per notebook (then killed)")
        out.append(f"output: {limits.output_kb} KiB per cell; files: {limits.max_file_mb} MiB each")
        return out

    @property
    def label(self) -> str:
        """Short form, recorded with every result: e.g. "bwrap+cgroup-v1", "rlimits"."""
        return "+".join(filter(None, ["bwrap" if self.bwrap else "",
                                      f"cgroup-{self.cgroup}" if self.cgroup else "rlimits"]))

    def on_host(self) -> str:
        """The label with this machine's name, for a coordinator whose workers run elsewhere."""
        return f"{socket.gethostname()}: {self.label}"


@functools.lru_cache(maxsize=1)
def cgroup_factory() -> CgroupFactory:
    return CgroupFactory()


def _bwrap_works(argv: list) -> bool:
    try:
        return subprocess.run(argv + ["true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=None)  # one probe per (use_bwrap, use_cgroup) and process
def detect(use_bwrap: bool = True, use_cgroup: bool = True) -> Protections:
    bwrap = shutil.which("bwrap") if use_bwrap else None
    userns = False
    if bwrap:
        base = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
                "--unshare-pid"]
        if _bwrap_works(base + ["--unshare-user", "--uid", "1000", "--gid", "1000"]):
            userns = True
        elif not _bwrap_works(base):
            bwrap = None
    factory = cgroup_factory() if use_cgroup else None
    return Protections(bwrap=bwrap, bwrap_userns=userns,
                       cgroup=factory.kind if factory else None,
                       cgroup_error=(factory.error if factory else "disabled by --no-cgroup"),
                       rlimit_data=hasattr(__import__("resource"), "RLIMIT_DATA"))
