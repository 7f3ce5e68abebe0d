"""The grading kernel's jupyter_client KernelProvisioner: it wraps the kernel command in the
sandbox, owns the kernel's cgroup, scratch folders and watchdog, and says why a kernel died.

The kernel starts as

    python -S -E exec_wrapper.py [--procs cgroup.procs] --rlimit ... -- bwrap <binds> -- python -m ipykernel_launcher -f conn.json

Connection: Unix sockets in the scratch `kernel/` folder, because the sandbox has its own (empty)
network namespace. Interrupts travel as messages: a signal sent to bwrap would not reach the
kernel inside it. Every per-kernel limit is turned into the sandbox's arguments here, in
`pre_launch`.
"""
from __future__ import annotations

import os
import signal
import uuid

import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Any as AnyTrait
from traitlets import Dict

from . import exec_wrapper
from .bwrap import bwrap_argv
from .detect import cgroup_factory
from .scratch import Scratch
from .watchdog import Watchdog


class SandboxProvisioner(LocalProvisioner):
    protections = AnyTrait()  # detect.Protections
    limits = AnyTrait()  # config.Limits
    files = Dict()  # relative path -> bytes, written into the working folder
    make_env = AnyTrait()  # (home, workdir) -> the kernel's environment

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scratch = Scratch.create()
        self.scratch.write_files(self.files)
        self.cgroup = None
        if self.protections.cgroup:
            self.cgroup = cgroup_factory().create(uuid.uuid4().hex[:12], self.limits.memory_mb << 20,
                                                  self.limits.max_pids)
        self.watchdog = None

    @property
    def workdir(self) -> str:
        return str(self.scratch.work)

    async def pre_launch(self, **kwargs):
        kwargs = await super().pre_launch(**kwargs)
        limits, prot, scratch = self.limits, self.protections, self.scratch
        env = self.make_env(str(scratch.home), str(scratch.work))
        rlimits = {"FSIZE": limits.max_file_mb << 20, "CORE": 0}
        if self.cgroup is None and prot.rlimit_data:
            # Without a cgroup, cap the heap; TensorFlow imports fine under RLIMIT_DATA (tested),
            # unlike RLIMIT_AS, and a NumPy memory bomb gets a MemoryError instead of the machine.
            rlimits["DATA"] = limits.memory_mb << 20
        cmd = exec_wrapper.command_line(self.cgroup.procs if self.cgroup else (), rlimits)
        if prot.bwrap:
            self.kernel_spec.interrupt_mode = "message"
            cmd += bwrap_argv(prot.bwrap, prot.bwrap_userns, (scratch.kernel, scratch.home, scratch.work),
                              scratch.work, env, limits.tmp_mb << 20)
        kwargs.update(cmd=cmd + kwargs["cmd"], env=env, cwd=str(scratch.work))
        return kwargs

    async def launch_kernel(self, cmd, **kwargs):
        with open(self.scratch.kernel / "kernel.log", "ab") as log:
            kwargs["stdout"] = kwargs["stderr"] = log
            info = await super().launch_kernel(cmd, **kwargs)
        self.watchdog = Watchdog(self.pid, self.kill_tree, self.limits, self.cgroup)
        self.watchdog.start()
        return info

    def kill_tree(self) -> None:
        """Stop the kernel's whole process tree now (bwrap's --die-with-parent takes the rest)."""
        if self.pid:
            for kill, target in ((os.killpg, self.pgid), (os.kill, self.pid)):
                try:
                    if target:
                        kill(target, signal.SIGKILL)
                except OSError:
                    pass
        if self.cgroup is not None:
            self.cgroup.kill_all()

    async def kill(self, restart: bool = False) -> None:
        self.kill_tree()
        if self.process is not None:
            try:  # reaped here, so jupyter_client's wait after a kill finds it gone at once
                self.process.wait(timeout=5)
            except Exception:
                pass

    async def cleanup(self, restart: bool = False) -> None:
        """Idempotent: runs on every shutdown, and again if a shutdown failed half way."""
        await super().cleanup(restart=restart)
        if self.watchdog is not None:
            self.watchdog.stop()
        self.kill_tree()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except Exception:
                pass
        if self.cgroup is not None:
            self.cgroup.remove()
        self.scratch.remove()

    def death_reason(self) -> str:
        """Why the kernel is gone, in words for the feedback."""
        if self.watchdog is not None and self.watchdog.reason:
            return self.watchdog.reason
        if self.cgroup is not None and self.cgroup.oom_kills() > 0:
            return f"it used more than the memory limit of {self.limits.memory_mb} MiB"
        code = self.process.poll() if self.process is not None else None
        if code is None:
            return "the kernel stopped responding"
        if code < 0 or code > 128:
            signum = -code if code < 0 else code - 128
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            if signum == signal.SIGKILL and self.protections.cgroup is None:
                return f"the kernel was killed ({name}; possibly out of memory)"
            return f"the kernel crashed ({name})"
        return f"the kernel process exited (exit status {code}), e.g. os._exit() or quit()"

    def peak_memory(self) -> int | None:
        if self.watchdog is not None:
            return self.watchdog.peak_bytes
        return self.cgroup.peak_bytes() if self.cgroup else None


def sandboxed_kernel_manager(kernel_name, protections, limits, files, make_env) -> AsyncKernelManager:
    """A kernel manager (not started) whose kernel will start in the sandbox. The caller shuts it
    down (`shutdown_kernel(now=True)`, which cleans the sandbox up) and destroys `km.context`,
    which is the caller's: one zmq context per kernel, closed at once rather than by the GC."""
    provisioner = SandboxProvisioner(kernel_id=str(uuid.uuid4()), protections=protections,
                                     limits=limits, files=files, make_env=make_env)
    kernel = provisioner.scratch.kernel
    km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=str(kernel / "s"),
                            connection_file=str(kernel / "connection.json"),
                            context=zmq.asyncio.Context())
    provisioner.parent = km
    provisioner.kernel_spec = km.kernel_spec
    km.kernel_id = provisioner.kernel_id
    km.provisioner = provisioner  # jupyter_client uses a provisioner already set (see pre_start_kernel)
    return km
