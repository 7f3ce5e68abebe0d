"""Per-kernel memory and process-count caps through Linux cgroups (v1 or v2), when we may create them.

A cgroup caps resident memory (page cache and tmpfs files the kernel writes included), unlike
RLIMIT_AS, which TensorFlow trips over at import because it reserves huge virtual ranges. When
the cap is hit the kernel OOM-kills the notebook's process and the cgroup's counters say so, which
is how a submission's feedback can name "memory limit" as the reason.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict:
    """controller name -> this process's cgroup path, from /proc/self/cgroup ('' key for v2)."""
    paths = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(","):
            paths[name] = path
    return paths


def _v1_base(controller: str, own: dict) -> Path | None:
    mount = ROOT / controller
    if not (mount / "cgroup.procs").exists():
        return None
    # In a container /proc/self/cgroup may name a path the mount does not show; use the mount root.
    for candidate in (mount / own.get(controller, "/").lstrip("/"), mount):
        if candidate.is_dir() and os.access(candidate, os.W_OK):
            return candidate
    return None


def _v2_base(own: dict) -> Path | None:
    if not (ROOT / "cgroup.controllers").exists():
        return None
    base = ROOT / own.get("", "/").lstrip("/")
    try:
        enabled = (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return None
    # Children of `base` only get memory.max when `base` delegates the memory controller.
    return base if "memory" in enabled and os.access(base, os.W_OK) else None


@dataclass
class Cgroup:
    """One kernel's cgroup(s): `procs` files to join, and where to read OOM kills and peak memory."""
    kind: str  # "v1" or "v2"
    dirs: list

    @property
    def procs(self) -> list:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def _memory_dir(self) -> Path:
        return self.dirs[0]

    def oom_kills(self) -> int:
        name = "memory.oom_control" if self.kind == "v1" else "memory.events"
        try:
            for line in (self._memory_dir() / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def peak_bytes(self) -> int | None:
        name = "memory.max_usage_in_bytes" if self.kind == "v1" else "memory.peak"
        try:
            return int((self._memory_dir() / name).read_text())
        except (OSError, ValueError):
            return None

    def pids(self) -> list:
        found = set()
        for procs in self.procs:
            try:
                found.update(int(p) for p in Path(procs).read_text().split())
            except OSError:
                pass
        return sorted(found)

    def kill_all(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def remove(self) -> None:
        """Kill stragglers and delete the cgroup directories (retrying while the kernel reaps)."""
        for _ in range(50):
            self.kill_all()
            left = [d for d in self.dirs if d.exists()]
            for d in left:
                try:
                    d.rmdir()
                except OSError:
                    pass
            if not any(d.exists() for d in self.dirs):
                return
            time.sleep(0.02)


class CgroupFactory:
    """Creates per-kernel cgroups under this process's own cgroup, if the system lets us."""

    def __init__(self):
        own = _own_paths()
        self.kind = None
        self.bases = []
        memory = _v1_base("memory", own)
        if memory is not None:
            self.kind, self.bases = "v1", [memory]
            pids = _v1_base("pids", own)
            if pids is not None:
                self.bases.append(pids)
        else:
            v2 = _v2_base(own)
            if v2 is not None:
                self.kind, self.bases = "v2", [v2]
        self.error = None
        if self.kind:
            # Prove it works once (mkdir + limit) rather than trusting permissions bits.
            probe = self.create(f"probe-{os.getpid()}", 256 << 20, 64)
            if probe is None:
                self.kind, self.bases = None, []
            else:
                probe.remove()

    def remove_stale(self, owner_gone) -> None:
        """Per-kernel cgroups whose worker is gone (`owner_gone(name)`); rmdir also refuses any
        cgroup that still has processes."""
        for base in self.bases:
            for d in base.glob("autograder-*-*"):
                if owner_gone(d.name):
                    try:
                        d.rmdir()
                    except OSError:
                        pass

    def create(self, name: str, memory_bytes: int, max_pids: int) -> Cgroup | None:
        dirs = []
        try:
            for base in self.bases:
                d = base / f"autograder-{os.getpid()}-{name}"
                d.mkdir(exist_ok=True)
                dirs.append(d)
            if self.kind == "v1":
                (dirs[0] / "memory.limit_in_bytes").write_text(str(memory_bytes))
                # No swap escape hatch where swap accounting exists.
                memsw = dirs[0] / "memory.memsw.limit_in_bytes"
                if memsw.exists():
                    try:
                        memsw.write_text(str(memory_bytes))
                    except OSError:
                        pass
                if len(dirs) > 1:
                    (dirs[1] / "pids.max").write_text(str(max_pids))
            else:
                (dirs[0] / "memory.max").write_text(str(memory_bytes))
                swap = dirs[0] / "memory.swap.max"
                if swap.exists():
                    swap.write_text("0")
                if (dirs[0] / "pids.max").exists():
                    (dirs[0] / "pids.max").write_text(str(max_pids))
        except OSError as error:
            self.error = f"{type(error).__name__}: {error}"
            Cgroup(self.kind or "v1", dirs).remove()
            return None
        return Cgroup(self.kind, dirs)
