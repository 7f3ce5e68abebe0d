"""The services the slow tests start, each written once: a free port, JupyterLab, a Dask cluster
started from the `dask` command line, a throwaway PostgreSQL server, and the checkout opened to
other Unix users (the classroom and hub tests' students and graders).

Each service is a context manager (tools/bench_scale.py uses them too) that stops what it
started, its process group and every descendant, also when the body raised. Tests get Dask and
PostgreSQL as the fixtures `dask_cluster` and `postgres` (registered for the whole suite by
`pytest_plugins` in conftest.py); the Unix user that runs them comes from the fixture
`service_user`, None (this process's user) unless a test module overrides it.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

VENV_BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home: str | None = None, user: str | None = None, **extra) -> dict:
    """A clean environment for a command (as another user when `user` is given): the venv's bin
    first, the course's framework settings, nothing else of this process's."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "LANG": "C.UTF-8",
        "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow", "MPLBACKEND": "Agg",
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": home or os.environ.get("HOME", "/root"),
    }
    if user:
        env.update(USER=user, LOGNAME=user)
    env.update(extra)
    return env


def as_user(user: str | None) -> dict:
    """subprocess keyword arguments that run a command as `user` (nothing for None)."""
    if not user:
        return {}
    pw = pwd.getpwnam(user)
    return dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])


def give_to(path: Path, user: str | None) -> Path:
    if user:
        pw = pwd.getpwnam(user)
        os.chown(path, pw.pw_uid, pw.pw_gid)
    return path


def spawn(cmd, cwd, log: Path, env: dict | None = None, user: str | None = None) -> subprocess.Popen:
    """Start a long-running command in a session of its own, its output into `log`."""
    with open(log, "wb") as fh:
        return subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True, **as_user(user))


def descendants(proc: subprocess.Popen) -> list:
    import psutil

    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        return []


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, family: list | None = None) -> None:
    """Stop a process we started, its session and every descendant (kernels run in sessions of
    their own, so they are collected first; `family`: collected earlier, e.g. before a shutdown)."""
    import psutil

    family = (family or []) + descendants(proc)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    for child in family:
        with contextlib.suppress(psutil.Error):
            child.kill()
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def http_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# --------------------------------------------------------------------------- JupyterLab

@dataclass
class Lab:
    base: str  # http://127.0.0.1:PORT
    token: str
    proc: subprocess.Popen
    log: Path

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


@contextlib.contextmanager
def run_jupyterlab(command: Callable[[int, str], list], cwd, env: dict, log: Path, ready: str = "/api/status",
               timeout: float = 90):
    """JupyterLab started by `command(port, token)` (tools.lab's command line); yields a Lab once
    `ready` (a path on the server) answers 200. Stopped through its shutdown API, then by signal."""
    port, token = free_port(), uuid.uuid4().hex
    proc = spawn(command(port, token), cwd, log, env)
    lab = Lab(f"http://127.0.0.1:{port}", token, proc, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"JupyterLab exited with {proc.returncode}:\n{lab.log_tail()}")
            with contextlib.suppress(OSError):
                if http_status(f"{lab.base}{ready}?token={token}", timeout=5) == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"JupyterLab did not answer {ready} within {timeout:g} s:\n{lab.log_tail()}")
            time.sleep(0.5)
        yield lab
    finally:
        family = descendants(proc)
        if proc.poll() is None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):  # graceful: it shuts its kernels down
                req = urllib.request.Request(f"{lab.base}/api/shutdown?token={token}", method="POST")
                urllib.request.urlopen(req, timeout=5).close()
                proc.wait(timeout=15)
        stop(proc, family=family)  # and whatever a server that did not shut down cleanly left behind


# --------------------------------------------------------------------------- Dask

@dataclass
class DaskCluster:
    address: str
    client: object  # a distributed.Client connected to it
    folder: Path
    procs: dict = field(default_factory=dict)  # "scheduler", "w1", "w2", ... -> Popen


@contextlib.contextmanager
def run_dask_cluster(workers: int = 2, user: str | None = None, env: dict | None = None, timeout: float = 120):
    """`dask scheduler` and `workers` x `dask worker --nthreads 1` (named w1, w2, ...) from the
    venv's command line on 127.0.0.1, run by `user`, each in a folder of its own under a fresh
    folder in /tmp; yields a DaskCluster once every worker has joined."""
    from distributed import Client

    folder = give_to(Path(tempfile.mkdtemp(prefix="services-dask-", dir="/tmp")), user)
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = VENV_BIN / "dask"
    procs = {"scheduler": spawn([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                 "--no-dashboard"], folder, folder / "scheduler.log", env, user)}
    client = None
    try:
        for i in range(1, workers + 1):
            name = f"w{i}"
            work = folder / name
            work.mkdir()
            give_to(work, user)
            procs[name] = spawn([dask, "worker", address, "--name", name, "--nthreads", "1", "--nworkers", "1",
                                 "--host", "127.0.0.1", "--no-dashboard", "--local-directory", work],
                                work, folder / f"{name}.log", env, user)
        deadline = time.monotonic() + timeout
        while client is None:
            try:
                client = Client(address, timeout=10)
                client.wait_for_workers(workers, timeout=max(1, deadline - time.monotonic()))
            except (OSError, TimeoutError) as error:
                if client is not None:
                    client.close()
                client = None
                dead = {n: p.returncode for n, p in procs.items() if p.poll() is not None}
                if time.monotonic() > deadline or dead:
                    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in sorted(folder.glob("*.log")))
                    raise AssertionError(f"the Dask cluster at {address} did not come up with {workers} "
                                         f"worker(s) ({error}; exited: {dead}):\n{logs}") from None
                time.sleep(1)
        yield DaskCluster(address, client, folder, procs)
    finally:
        if client is not None:
            client.close()
        for proc in reversed(list(procs.values())):
            stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- PostgreSQL

def pg_bin(name: str) -> str:
    """A PostgreSQL server program: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise AssertionError(f"PostgreSQL's {name} was not found: install Debian's postgresql "
                             f"(`make system`, or apt-get install postgresql)")
    return path


def _pg(cmd, folder: Path, user: str | None, what: str, check: bool = True) -> subprocess.CompletedProcess:
    home = pwd.getpwnam(user).pw_dir if user else None
    done = subprocess.run([str(c) for c in cmd], cwd=folder, capture_output=True, text=True, timeout=600,
                          env=clean_env(home, user), **as_user(user))
    if check and done.returncode != 0:
        raise AssertionError(f"{what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


@contextlib.contextmanager
def run_postgres(user: str | None = None, database: str = "gradebook"):
    """A throwaway PostgreSQL server (initdb in a fresh folder in /tmp), run by `user` (PostgreSQL
    refuses root), listening on 127.0.0.1 and a Unix socket in that folder only; yields the
    SQLAlchemy URL of `database` in it, owned by the role `grader`."""
    folder = give_to(Path(tempfile.mkdtemp(prefix="services-pg-", dir="/tmp")), user)
    port = free_port()
    data, log = folder / "data", folder / "server.log"
    try:
        _pg([pg_bin("initdb"), "--pgdata", data, "--username", "grader", "--auth", "trust", "--encoding", "UTF8"],
            folder, user, "initdb")
        started = _pg([pg_bin("pg_ctl"), "start", "--pgdata", data, "--log", log, "--wait", "--timeout", "60",
                       "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"],
                      folder, user, "pg_ctl start", check=False)
        assert started.returncode == 0, (f"PostgreSQL did not start (pg_ctl exit {started.returncode}):\n"
                                         f"{started.stdout}{started.stderr}\n"
                                         f"{log.read_text()[-3000:] if log.exists() else ''}")
        _pg([pg_bin("createdb"), "--host", "127.0.0.1", "--port", port, "--username", "grader", database],
            folder, user, "createdb")
        yield f"postgresql://grader@127.0.0.1:{port}/{database}"
    finally:
        if (data / "postmaster.pid").exists():
            _pg([pg_bin("pg_ctl"), "stop", "--pgdata", data, "--mode", "fast", "--wait"], folder, user,
                "pg_ctl stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the checkout, for other users

# Folders opened (o+x) for other users, with their modes before, and the processes holding them
# open: the classroom and hub tests run in different xdist workers at the same time, and the
# folders close only when the last of them is done (a holder that died no longer counts).
OPENED = Path(tempfile.gettempdir()) / "shape-course-opened-folders.json"


@contextlib.contextmanager
def _opened_state():
    with open(f"{OPENED}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(OPENED.read_text()) if OPENED.exists() else {"modes": {}, "holders": []}
        state["holders"] = [(pid, token) for pid, token in state["holders"] if _alive(pid)]
        yield state
        if state["holders"]:
            OPENED.write_text(json.dumps(state))
        else:
            for folder, mode in state["modes"].items():
                with contextlib.suppress(FileNotFoundError):
                    os.chmod(folder, mode)
            OPENED.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@contextlib.contextmanager
def open_for_others(targets):
    """Let other Unix users reach `targets`: search permission (o+x: enter, not list) on every
    folder above them that lacks it (a pyenv Python or a CI clone under /root), given back when
    the last test process using it is done. The files must be world-readable already."""
    with _opened_state() as state:
        for target in targets:
            for folder in reversed(Path(target).parents):
                mode = os.stat(folder).st_mode
                if not mode & stat.S_IXOTH:
                    state["modes"].setdefault(str(folder), stat.S_IMODE(mode))
                    os.chmod(folder, mode | stat.S_IXOTH)
        me = (os.getpid(), uuid.uuid4().hex)
        state["holders"].append(me)
    try:
        yield
    finally:
        with _opened_state() as state:
            state["holders"] = [h for h in state["holders"] if tuple(h) != me]


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def shared_environment():
    """This checkout's Python, helpers and tools usable by other Unix users for the module's
    duration (students and graders run the same virtual environment); fails if a file is not
    readable by others (a venv built under umask 077)."""
    targets = [Path(os.path.realpath(VENV_BIN / "python")), VENV_BIN / "nbgrader",
               VENV_BIN / "jupyterhub-singleuser", REPO / "course" / "__init__.py",
               REPO / "autograder" / "__init__.py"]
    targets = [t for t in targets if t.exists()]
    with open_for_others(targets):
        unreadable = [str(t) for t in targets if not os.stat(t).st_mode & stat.S_IROTH]
        assert not unreadable, (f"other users cannot read {unreadable}: the virtual environment and the "
                                f"checkout must be world-readable for students and graders (chmod -R o+rX)")
        yield



@pytest.fixture(scope="module")
def service_user():
    """role -> the Unix user that runs that service (None: this process's user). A module that
    runs as root overrides it: PostgreSQL refuses root, and a Dask worker should not be root."""
    return lambda role: None


@pytest.fixture(scope="module")
def postgres(service_user):
    """The SQLAlchemy URL of a database on a throwaway PostgreSQL server."""
    with run_postgres(service_user("p")) as url:
        yield url


@pytest.fixture(scope="module")
def dask_cluster(service_user):
    """A Dask scheduler and two workers started from the `dask` command line (a DaskCluster)."""
    user = service_user("d")
    home = pwd.getpwnam(user).pw_dir if user else None
    with run_dask_cluster(2, user, clean_env(home, user)) as cluster:
        yield cluster
