"""Where grading tasks run: warm local worker processes, or a Dask cluster. Same tasks either way.

Both backends deliver finished tasks to one queue that the coordinator drains, so the gradebook
writer stays in the coordinator's thread. A local worker process that dies (it should not: student
code runs in a separate kernel process) is replaced and its tasks are run again, twice at most.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

MAX_RETRIES = 2


def warm_up(course_config=None) -> None:
    """Run once in each worker: import the grading stack, clear what crashed workers left behind,
    probe the sandbox, compile the feedback templates, so that no task pays for it. Nothing from
    the students' world (torch, tensorflow) is imported here."""
    from . import feedback, guard, sandbox, worker  # noqa: F401
    sandbox.remove_stale_scratch()
    sandbox.detect()
    sandbox.home_skeleton()
    guard.scan_source("x = 1\n")  # IPython's input transformer, imported on first use
    if course_config is not None:
        feedback.render_feedback(feedback.FeedbackTask(
            "warm-up", "warm-up", "warm-up", "graded", "", None,
            {"grades": {}, "comments": {}, "score": 0, "max_score": 0, "late_penalty": 0}, [],
            config=course_config))


def protections_here(use_bwrap: bool, use_cgroup: bool) -> str:
    """A worker's own protections, for a coordinator whose tasks run on other machines."""
    import socket

    from . import sandbox
    p = sandbox.detect(use_bwrap, use_cgroup)
    return (f"{socket.gethostname()}: bwrap {'yes' if p.bwrap else 'NO'}, "
            f"cgroup {p.cgroup or 'NO (rlimits + watchdog)'}")


class Done:
    """A finished task: `value`, or the `error` it raised (a worker crash)."""

    def __init__(self, key, value=None, error=None):
        self.key, self.value, self.error = key, value, error


class LocalBackend:
    name = "local"

    def __init__(self, jobs: int, course_config=None):
        self.jobs, self.course_config = jobs, course_config
        self.done = queue.Queue()
        self._pending = {}  # key -> (fn, arg, tries, pool it was submitted to)
        self._pool = None

    def _new_pool(self):
        # forkserver: workers are forked from a clean server that preloaded the grader, so they
        # start warm without inheriting the coordinator's threads or database connections.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["autograder.worker", "autograder.feedback"])
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=warm_up,
                                   initargs=(self.course_config,))

    def describe(self) -> str:
        return f"{self.jobs} local worker process(es)"

    def submit(self, key, fn, arg):
        if self._pool is None:
            self._pool = self._new_pool()
        tries = self._pending.get(key, (fn, arg, 0, None))[2]
        try:
            future = self._pool.submit(fn, arg)
        except BrokenProcessPool:  # broke since the last result came in: replace it first
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            future = self._pool.submit(fn, arg)
        self._pending[key] = (fn, arg, tries, self._pool)
        future.add_done_callback(lambda f, key=key: self._finished(key, f))

    def _finished(self, key, future):
        error = future.exception()
        self.done.put(Done(key, None if error else future.result(), error))

    def result(self, timeout=None) -> Done:
        """The next finished task; a crashed worker's tasks are resubmitted instead of returned."""
        while True:
            item = self.done.get(timeout=timeout)
            fn, arg, tries, pool = self._pending.get(item.key, (None, None, 0, None))
            if isinstance(item.error, BrokenProcessPool) and tries < MAX_RETRIES:
                if pool is self._pool:  # the first of its failed tasks replaces the broken pool
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
                self._pending[item.key] = (fn, arg, tries + 1, None)
                self.submit(item.key, fn, arg)
                continue
            self._pending.pop(item.key, None)
            return item

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskBackend:
    """`--dask ADDRESS` (a running scheduler) or `--dask local` (a LocalCluster of processes)."""
    name = "dask"

    def __init__(self, address: str, jobs: int, course_config=None):
        from distributed import Client, LocalCluster
        self.cluster = None
        if address == "local":
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
        self.client.run(warm_up, course_config)
        self.done = queue.Queue()
        self._futures = {}

    def describe(self, use_bwrap: bool = True, use_cgroup: bool = True) -> str:
        workers = self.client.scheduler_info().get("workers", {})
        where = "a local Dask cluster" if self.cluster else f"the Dask cluster at {self.client.scheduler.address}"
        seen = sorted(set(self.client.run(protections_here, use_bwrap, use_cgroup).values()))
        return f"{where} with {len(workers)} worker(s); each worker's sandbox: " + "; ".join(seen)

    def submit(self, key, fn, arg):
        # pure=False: the same submission graded twice is two runs, never a cached result.
        future = self.client.submit(fn, arg, pure=False, key=f"autograder-{key}-{os.urandom(4).hex()}",
                                    retries=MAX_RETRIES)
        self._futures[key] = future
        future.add_done_callback(lambda f, key=key: self._finished(key, f))

    def _finished(self, key, future):
        try:
            self.done.put(Done(key, future.result()))
        except Exception as error:
            self.done.put(Done(key, None, error))

    def result(self, timeout=None) -> Done:
        item = self.done.get(timeout=timeout)
        self._futures.pop(item.key, None)
        return item

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_backend(jobs: int | None, dask: str | None, course_config=None):
    jobs = jobs or os.cpu_count() or 1
    return DaskBackend(dask, jobs, course_config) if dask else LocalBackend(jobs, course_config)
