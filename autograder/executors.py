"""Where tasks run, behind one interface: a concurrent.futures Executor. Local worker processes
(a process pool), or a Dask cluster through `Client.get_executor()`.

A local worker process that dies (it should not: student code runs in a separate kernel process)
is replaced and its task run again, twice at most, as Dask's `retries=2` does on a cluster.
A new kind of executor is one more branch in `open_executor`.
"""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

MAX_RETRIES = 2


@contextmanager
def open_executor(settings, warm_up, warm_up_arg, describe):
    """(executor, description of where tasks run). `warm_up(warm_up_arg)` runs once in every
    worker before its first task; `describe()` runs on every Dask worker and says what it is."""
    if settings.dask:
        from distributed import Client, LocalCluster
        cluster = None
        if settings.dask == "local":
            cluster = LocalCluster(n_workers=settings.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
        client = Client(cluster or settings.dask)
        try:
            client.run(warm_up, warm_up_arg)
            where = "a local Dask cluster" if cluster else f"the Dask cluster at {settings.dask}"
            seen = sorted(set(client.run(describe).values()))
            # pure=False: the same submission graded twice is two runs, never a cached result.
            yield (client.get_executor(pure=False, retries=MAX_RETRIES),
                   f"{where} with {len(client.scheduler_info().get('workers', {}))} worker(s): "
                   + "; ".join(seen))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        pool = RetryingProcessPool(settings.workers, warm_up, warm_up_arg)
        try:
            yield pool, f"{settings.workers} local worker process(es)"
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class RetryingProcessPool(Executor):
    """A ProcessPoolExecutor that replaces itself when a worker dies, and resubmits the tasks
    that died with it."""

    def __init__(self, workers: int, initializer, initarg):
        self.workers, self.initializer, self.initarg = workers, initializer, initarg
        self._lock = threading.Lock()
        self._pool = None

    def _new_pool(self):
        # forkserver: workers are forked from a clean server that preloaded the grader, so they
        # start warm without inheriting the coordinator's threads or database connections.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["autograder.notebook"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                   initializer=self.initializer, initargs=(self.initarg,))

    def _current(self, broken=None):
        """The pool to submit to; a new one if `broken` (or the current one) has broken."""
        with self._lock:
            if self._pool is None or self._pool is broken:
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            return self._pool

    def submit(self, fn, /, *args, **kwargs) -> Future:
        outer = Future()
        self._submit(outer, 0, fn, args, kwargs)
        return outer

    def _submit(self, outer, tries, fn, args, kwargs, broken=None):
        pool = self._current(broken)
        try:
            inner = pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:  # broke since the last result came in: replace it first
            pool = self._current(pool)
            inner = pool.submit(fn, *args, **kwargs)

        def done(f, pool=pool):
            if f.cancelled():
                outer.cancel()
                return
            error = f.exception()
            if isinstance(error, BrokenProcessPool) and tries < MAX_RETRIES:
                self._submit(outer, tries + 1, fn, args, kwargs, broken=pool)
            elif error is not None:
                outer.set_exception(error)
            else:
                outer.set_result(f.result())
        inner.add_done_callback(done)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
                self._pool = None
