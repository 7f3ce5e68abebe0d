"""Step 4: nbgrader's Execute preprocessor, run against a sandboxed kernel, hardened for hostile
notebooks. The kernel is started by jupyter_client with the sandbox's KernelProvisioner.

Additions to nbgrader's behaviour, each because a submission could otherwise cost more than its
own points or earn points it did not deserve:

* the tamper guard (guard.py) runs before every test cell;
* a dead kernel (os._exit, a segfault, the memory cap, the notebook deadline) ends execution,
  and every test cell that did not run gets an error output naming the reason (an unexecuted test
  cell has no outputs, and nbgrader would give it full marks);
* outputs are capped per cell while they stream in (nbgrader's LimitOutput only trims afterwards,
  when the worker may already have buffered gigabytes); the first error and the first stderr text
  are always kept, since they decide the score;
* a late IOPub message is logged, not fatal.

The guard's replies are awaited with nbclient's own `async_wait_for_reply` (a dead kernel raises
DeadKernelError there, a silent one is interrupted after GUARD_TIMEOUT).
"""
from __future__ import annotations

import ast
import asyncio
import secrets
import time

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute
from traitlets import Integer, List

from ..config import HELPER_PACKAGES, kernel_env
from ..sandbox import detect, sandboxed_kernel_manager
from ..tasks import CHECK_FAILED, KERNEL_DIED, NOT_RUN
from . import guard

GUARD_TIMEOUT = 30  # seconds the pre-test guard may take, whatever the cell timeout


def execute(job) -> None:
    task, result = job.task, job.result
    limits = task.options.limits
    protections = detect(task.options.use_bwrap, task.options.use_cgroup)
    result.sandbox = protections.label
    kernel_name = (job.nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        result.notes.append(f"kernel {kernel_name!r} is not installed on the grader; used python3")
        kernel_name = "python3"
    km = sandboxed_kernel_manager(kernel_name, protections, limits, task.files,
                                  lambda home, work: kernel_env(task.env, limits, home, work))
    executor = SandboxedExecute(config=job.config, timeout=limits.cell_timeout,
                                trusted_imports=[list(i) for i in task.instructor.trusted_imports],
                                output_limit=limits.output_kb * 1024)
    job.resources["metadata"] = {"path": km.provisioner.workdir}
    start = time.perf_counter()
    try:
        job.nb, job.resources = executor.preprocess(job.nb, job.resources, km=km)
    finally:
        result.stats["execute"] = time.perf_counter() - start
        result.stats["cells"] = executor.cell_seconds
        result.stats["guard"] = executor.guard_seconds
        result.stats["kernel_peak_bytes"] = km.provisioner.peak_memory()
        try:
            if executor.kc is not None:
                executor.kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)  # kills; the provisioner removes cgroup, scratch
        finally:
            run_sync(km.provisioner.cleanup)()  # idempotent: also when shutdown failed
            km.context.destroy(linger=0)  # ours (see sandboxed_kernel_manager), not left to the GC
    if executor.death:
        result.notes.append(f"the kernel stopped: {executor.death}")
    result.notes += [f"tampering repaired before a test: {n}" for n in executor.guard_notes]
    if executor.guard_notes:
        result.review.append("the pre-test guard had to repair the environment")
    if executor.truncated:
        result.notes.append(f"output of {len(executor.truncated)} cell(s) was cut at "
                            f"{limits.output_kb} KiB")


def error_output(ename: str, evalue: str) -> dict:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SandboxedExecute(Execute):
    trusted_imports = List()
    protected_packages = List(list(HELPER_PACKAGES))
    output_limit = Integer(1 << 20)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.current_index = None
        self.guard_notes = []
        self.guard_failures = {}
        self.truncated = set()
        self._installed = False
        self._out_bytes = {}
        self.cell_seconds = 0.0
        self.guard_seconds = 0.0

    # -- tamper guard -------------------------------------------------------------------------
    async def _run_silent(self, code: str, user_expressions=None):
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                 user_expressions=user_expressions or {}, stop_on_error=False)
        # nbclient's reply waiting, under the guard's own time limit rather than the cells'
        cell_timeout, self.timeout = self.timeout, GUARD_TIMEOUT
        try:
            reply = await self.async_wait_for_reply(msg_id)
        finally:
            self.timeout = cell_timeout
        return reply["content"] if reply else None

    async def _install_guard(self):
        self._installed = True
        reply = await self._run_silent(guard.init_code(self.protected_packages, self.trusted_imports))
        if not reply or reply.get("status") != "ok":
            self.log.warning("could not install the tamper guard: %s", reply)

    async def _guard(self, cell_index: int) -> None:
        nonce = secrets.token_hex(8)
        code, exprs = guard.guard_code(nonce)
        reply = await self._run_silent(code, exprs)
        problem = None
        if reply is None:
            problem = "the kernel did not answer the grader's pre-test check"
        elif reply.get("status") != "ok":
            problem = f"the grader's pre-test check failed ({reply.get('ename')}: {reply.get('evalue')})"
        else:
            result = reply.get("user_expressions", {}).get("autograder", {})
            try:
                echoed, notes = ast.literal_eval(result.get("data", {}).get("text/plain", "None"))
            except (ValueError, SyntaxError, TypeError):
                echoed, notes = None, []
            if echoed != nonce:
                problem = "the grader's pre-test check did not run (the kernel's execution was altered)"
            for note in notes:
                if note not in self.guard_notes:
                    self.guard_notes.append(note)
        if problem:
            self.guard_failures[cell_index] = problem

    # -- execution ----------------------------------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        self.current_index = cell_index
        loop = asyncio.get_running_loop()
        start = loop.time()
        if cell.cell_type == "code" and cell.source.strip():
            if not self._installed:
                await self._install_guard()
            if nbutils.is_grade(cell) and not nbutils.is_solution(cell):
                await self._guard(cell_index)
        self.guard_seconds += loop.time() - start
        self._out_bytes[cell_index] = 0
        start = loop.time()
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            self.cell_seconds += loop.time() - start
        if cell_index in self.guard_failures:
            cell.outputs.append(error_output(CHECK_FAILED, self.guard_failures[cell_index]))
        return cell

    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep streaming outputs under the per-cell cap (errors and the first stderr always)."""
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
        used = self._out_bytes.get(cell_index, 0)
        self._out_bytes[cell_index] = used + size
        kind = msg["msg_type"]
        if used + size <= self.output_limit or kind == "error":
            return super().output(outs, msg, display_id, cell_index)
        first_time = cell_index not in self.truncated
        self.truncated.add(cell_index)
        if kind == "stream":
            name = content.get("name", "stdout")
            has_stream = any(o.get("output_type") == "stream" and o.get("name") == name for o in outs)
            if not has_stream:  # stderr decides nbgrader's score, so its first piece is kept
                out = new_output("stream", name=name, text=str(content.get("text", ""))[:2000])
                outs.append(out)
                return out
        if first_time:
            note = new_output("stream", name="stdout",
                              text=f"\n... output cut by the autograder: more than "
                                   f"{self.output_limit // 1024} KiB from this cell ...\n")
            outs.append(note)
            return note
        return None

    def preprocess(self, nb, resources=None, km=None):
        """Execute; if the kernel dies, say why in the cell that killed it and in every test cell
        that could not run."""
        self.death = None
        try:
            return super().preprocess(nb, resources, km=km)
        except DeadKernelError:
            self.death = self.km.provisioner.death_reason()
        except Exception as error:  # nbclient protocol errors: same treatment, named
            if not self._kernel_alive():
                self.death = self.km.provisioner.death_reason()
            else:
                self.death = f"the grader lost contact with the kernel ({type(error).__name__}: {error})"
        self._mark_unrun(nb)
        return nb, resources

    def _kernel_alive(self) -> bool:
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def _mark_unrun(self, nb):
        index = self.current_index if self.current_index is not None else 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or i < index:
                continue
            if i == index:
                cell.setdefault("outputs", []).append(
                    error_output(KERNEL_DIED, f"the notebook stopped in this cell: {self.death}"))
            elif nbutils.is_grade(cell):
                cell.outputs = [error_output(
                    NOT_RUN, f"this test did not run because the notebook stopped in an earlier "
                              f"cell (cell {index + 1}): {self.death}")]
                cell.execution_count = None
