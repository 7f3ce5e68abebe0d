"""Enforces the notebook deadline and, without a cgroup, the memory cap; records why it killed."""
from __future__ import annotations

import threading
import time

import psutil

from ..config import Limits
from .cgroups import Cgroup


class Watchdog(threading.Thread):
    """`kill` stops the kernel's whole process tree (the provisioner's). Peak memory is sampled
    here (or read from the cgroup) for the benchmark and the plan's 1.5 GB kernel budget."""

    def __init__(self, pid: int, kill, limits: Limits, cgroup: Cgroup | None, interval: float = 0.25):
        super().__init__(daemon=True, name="autograder-watchdog")
        self.pid, self.kill, self.limits, self.cgroup = pid, kill, limits, cgroup
        self.interval = interval
        self.deadline = time.monotonic() + limits.notebook_timeout
        self.reason = None
        self.peak_rss = 0
        self._stop_event = threading.Event()

    def _tree_rss(self) -> int:
        try:
            root = psutil.Process(self.pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def run(self):
        limit = self.limits.memory_mb << 20
        while not self._stop_event.wait(self.interval):
            if time.monotonic() > self.deadline:
                self.reason = f"the notebook ran past its time limit of {self.limits.notebook_timeout} s"
                self.kill()
                return
            rss = self._tree_rss()
            self.peak_rss = max(self.peak_rss, rss)
            if self.cgroup is None and rss > limit:
                self.reason = f"it used more than the memory limit of {self.limits.memory_mb} MiB"
                self.kill()
                return

    def stop(self):
        self._stop_event.set()

    @property
    def peak_bytes(self) -> int:
        cg = self.cgroup.peak_bytes() if self.cgroup else None
        return max(cg or 0, self.peak_rss)
