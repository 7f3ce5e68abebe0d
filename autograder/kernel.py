"""A Jupyter kernel manager whose kernel starts inside the sandbox (see sandbox.py)."""
from __future__ import annotations

import os
import signal
import uuid

from jupyter_client.manager import AsyncKernelManager
from traitlets import Any as AnyTrait

from . import sandbox as sb


class SandboxedKernelManager(AsyncKernelManager):
    """Starts `kernel_cmd` behind the launcher (cgroup, rlimits) and bubblewrap.

    Connection: Unix sockets in the scratch `kernel/` folder, because the sandbox has its own
    (empty) network namespace. Interrupts travel as messages: a signal sent to bwrap would not
    reach the kernel inside it.
    """

    session_box = AnyTrait()  # a KernelSession

    def __init__(self, session_box, **kwargs):
        scratch = session_box.scratch
        super().__init__(session_box=session_box, transport="ipc",
                         ip=str(scratch.kernel / "s"),
                         connection_file=str(scratch.kernel / "connection.json"), **kwargs)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        box = self.session_box
        env = sb.kernel_env(box.scratch, box.limits, box.extra_env)
        if box.protections.bwrap:
            self.kernel_spec.interrupt_mode = "message"
            prefix = sb.bwrap_prefix(box.protections, box.scratch, box.limits, env,
                                     box.helper_packages, box.extra_ro)
        else:
            prefix = []
        kw["env"] = env
        kw["cwd"] = str(box.scratch.work)
        log = open(box.scratch.kernel / "kernel.log", "ab")
        kw["stdout"], kw["stderr"] = log, log
        cmd = sb.launcher_prefix(box.cgroup, box.protections, box.limits) + prefix + kernel_cmd
        try:
            await super()._async_launch_kernel(cmd, **kw)
        finally:
            log.close()
        box.start_watchdog()


class KernelSession:
    """Everything one notebook's kernel owns: scratch folders, cgroup, watchdog; and its teardown."""

    def __init__(self, protections: sb.Protections, limits: sb.Limits, extra_env: dict,
                 files: dict, helper_packages=("course",), extra_ro=()):
        self.protections, self.limits, self.extra_env = protections, limits, extra_env
        self.helper_packages, self.extra_ro = tuple(helper_packages), tuple(extra_ro)
        self.scratch = sb.Scratch.create()
        self.scratch.write_files(files)
        self.cgroup = None
        if protections.cgroup:
            self.cgroup = sb.cgroup_factory().create(uuid.uuid4().hex[:12], limits.memory_mb << 20,
                                                     limits.max_pids)
        self.km = SandboxedKernelManager(self)
        self.watchdog = None
        self.killed_reason = None

    def start_watchdog(self):
        pid = self.km.provisioner.pid if self.km.provisioner else None
        if pid is None:
            return
        self.watchdog = sb.Watchdog(pid, self.kill, self.limits, self.cgroup)
        self.watchdog.start()

    def kill(self):
        """Stop the kernel's whole process tree now (bwrap's --die-with-parent takes the rest)."""
        prov = self.km.provisioner
        if prov is not None and prov.pid:
            for target in (prov.pgid, None):
                try:
                    if target:
                        os.killpg(target, signal.SIGKILL)
                    else:
                        os.kill(prov.pid, signal.SIGKILL)
                except (OSError, TypeError):
                    pass
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def death_reason(self) -> str:
        """Why the kernel is gone, in words for the feedback."""
        if self.watchdog is not None and self.watchdog.reason:
            return self.watchdog.reason
        if self.cgroup is not None and self.cgroup.oom_kills() > 0:
            return f"it used more than the memory limit of {self.limits.memory_mb} MiB"
        prov = self.km.provisioner
        code = None
        if prov is not None and getattr(prov, "process", None) is not None:
            code = prov.process.poll()
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

    def close(self):
        if self.watchdog is not None:
            self.watchdog.stop()
        self.kill()
        prov = self.km.provisioner
        if prov is not None and getattr(prov, "process", None) is not None:
            try:
                prov.process.wait(timeout=5)
            except Exception:
                pass
        try:
            self.km._close_control_socket()
            if self.km._created_context:
                # One zmq context per kernel manager: left to the garbage collector, a worker that
                # grades hundreds of notebooks would pile up their I/O threads.
                self.km.context.destroy(linger=0)
        except Exception:
            pass
        if self.cgroup is not None:
            self.cgroup.remove()
        self.scratch.remove()
