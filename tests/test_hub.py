"""The class on JupyterHub (issue 21): `python -m tools.hub` (make hub) started for real, as root, on
loopback, with Unix accounts from a roster; driven in Debian's Chromium with Playwright and through
the hub's and the student servers' REST APIs.

- roster and start-up errors: each bad roster names its line and creates nothing; a taken port and a
  non-root start say so (no services needed, but root for the accounts: CI runs as root);
- the term in a browser: the instructor (the grader account) releases the fixture assignment, two
  students log in on the hub's login page, fetch it in the Assignments tab, answer one exercise
  (right / wrong), Validate and submit; the instructor collects, grades with `python -m autograder
  grade` (sandboxed) and releases feedback; each student fetches it and reads their own score and
  the test's message; one student cannot reach the other's server, the formgrader or the other's
  files, and a wrong password does not log in;
- a bounded load test: LOAD_STUDENTS students log in, spawn, fetch and submit over the REST APIs in
  waves; every submission is collected and graded once; spawn times, memory per idle server and per
  kernel, the hub's CPU and memory go to build/hub-load.json (benchmarks/hub.md quotes a run).

Users get the prefix `hub` plus a random tag; the hub's folder is /tmp/shape-errors-hub-*. Ctrl+C
(SIGINT) to the launcher must stop every process it started: checked at the end.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_class"
VENV_BIN = Path(sys.executable).parent
COURSE_ID = "shape-errors"
MINI = "90-mini-shapes"
LOAD = "92-hub-load"  # the fixture's NumPy notebook alone: cheap to grade thirty times
NOTEBOOK = f"{MINI}-numpy"
GROUPS = ("nbgrader-shape-errors", "formgrade-shape-errors")
LOAD_STUDENTS = int(os.environ.get("HUB_LOAD_STUDENTS", "30"))
WAVE = 10
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "build" / "screenshots"
RESULTS = REPO / "build" / "hub-load.json"
GRADE_LIMITS = ["--cell-timeout", "90", "--notebook-timeout", "300", "--memory-mb", "2048", "--no-progress"]
RIGHT = "def to_channels_first(batch):\n    return np.transpose(batch, (0, 3, 1, 2))"
WRONG = "def to_channels_first(batch):\n    return batch"  # channels stay last: the test names the shapes

pytestmark = [pytest.mark.xdist_group("classroom")]


# --------------------------------------------------------------------------- plumbing

def _env(home: str = "/root", user: str | None = None, **extra) -> dict:
    env = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "HOME": home,
           "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow", "MPLBACKEND": "Agg",
           "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"), "PYTHONDONTWRITEBYTECODE": "1"}
    if user:
        env.update(USER=user, LOGNAME=user)
    env.update(extra)
    return env


def run(cmd, cwd, user: str | None = None, check=True, timeout=600, **extra_env) -> subprocess.CompletedProcess:
    kw = {}
    env = _env(**extra_env)
    if user:
        pw = pwd.getpwnam(user)
        kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        env = _env(pw.pw_dir, user, **extra_env)
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed (exit {proc.returncode}"
                             f"{' as ' + user if user else ''}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_command(roster: Path, state: Path, port: int, grader: str) -> list[str]:
    return [sys.executable, "-m", "tools.hub", "--roster", str(roster), "--ip", "127.0.0.1", "--port", str(port),
            "--state", str(state), "--grader", grader]


def write_roster(path: Path, rows: list[tuple]) -> Path:
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def root():
    if os.geteuid() != 0:
        pytest.fail("the hub tests create Unix accounts and start JupyterHub as root, which CI has")


@pytest.fixture(scope="module")
def shared_environment(root):
    """Let other Unix users run this checkout's Python (o+x on the folders above it, restored after);
    the same step docs/instructors.md asks of a real server and tools/hub.py checks."""
    targets = [Path(os.path.realpath(VENV_BIN / "python")), VENV_BIN / "jupyterhub-singleuser",
               REPO / "course" / "__init__.py"]
    changed = {}
    for target in targets:
        for folder in reversed(target.parents):
            mode = os.stat(folder).st_mode
            if not mode & stat.S_IXOTH and folder not in changed:
                changed[folder] = mode
                os.chmod(folder, mode | stat.S_IXOTH)
    try:
        yield
    finally:
        for folder, mode in changed.items():
            os.chmod(folder, stat.S_IMODE(mode))


@pytest.fixture(scope="module")
def accounts(root):
    """Remove, afterwards, every account and role group the tests' rosters made."""
    names: list[str] = []
    groups_before = {g for g in GROUPS if subprocess.run(["getent", "group", g], capture_output=True).returncode == 0}
    yield names
    for name in names:
        subprocess.run(["userdel", "--remove", name], capture_output=True)
    for group in set(GROUPS) - groups_before:
        subprocess.run(["groupdel", group], capture_output=True)


# --------------------------------------------------------------------------- bad input

BAD_ROSTERS = {
    "duplicate": ([("username", "role", "name"), ("{t}a", "student", "A"), ("{t}i", "instructor", ""),
                   ("{t}a", "student", "A again")], r"line 4: duplicate username '{t}a' \(first on line 2\)"),
    "invalid": ([("username", "role"), ("{t}i", "instructor"), ("{T}Bad!", "student")],
                r"line 3: invalid username '{T}Bad!'"),
    "missing column": ([("username", "name"), ("{t}a", "A")], r"line 1: missing column 'role'"),
    "unknown role": ([("username", "role"), ("{t}i", "instructor"), ("{t}a", "teacher")],
                     r"line 3: role 'teacher' of '{t}a' is neither 'student' nor 'instructor'"),
    "system account": ([("username", "role"), ("{t}i", "instructor"), ("daemon", "student")],
                       r"line 3: 'daemon' is an existing system account"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
def test_bad_roster_names_the_line_and_creates_nothing(case, root, accounts, tmp_path):
    tag = f"hubr{uuid.uuid4().hex[:4]}"
    rows, pattern = BAD_ROSTERS[case]
    rows = [tuple(c.format(t=tag, T=tag.upper()) for c in r) for r in rows]
    roster = write_roster(tmp_path / "roster.csv", rows)
    state = tmp_path / "state"
    proc = run(hub_command(roster, state, free_port(), f"{tag}g"), cwd=REPO, check=False, timeout=120)
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0, message
    assert re.search(pattern.format(t=tag, T=tag.upper()), message), message
    assert "nothing was created" in message and str(roster) in message, message
    assert not state.exists() and not any(exists(r[0]) for r in rows[1:] if r[0] != "daemon"), "half-created"
    assert not exists(f"{tag}g")


def test_user_with_another_role_is_refused(root, accounts, tmp_path):
    """An existing account in the instructors' group listed as a student: refused, nothing made."""
    tag = f"hubr{uuid.uuid4().hex[:4]}"
    for group in GROUPS:
        if subprocess.run(["getent", "group", group], capture_output=True).returncode:
            run(["groupadd", group], cwd="/")
    run(["useradd", "--create-home", "--groups", GROUPS[1], f"{tag}x"], cwd="/")
    accounts.append(f"{tag}x")
    roster = write_roster(tmp_path / "roster.csv", [("username", "role"), (f"{tag}i", "instructor"),
                                                    (f"{tag}a", "student"), (f"{tag}x", "student")])
    proc = run(hub_command(roster, tmp_path / "state", free_port(), f"{tag}g"), cwd=REPO, check=False, timeout=120)
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"line 4: '{tag}x' already exists as an instructor (member of Unix group {GROUPS[1]})" in message, message
    assert not any(exists(n) for n in (f"{tag}i", f"{tag}a", f"{tag}g")) and not (tmp_path / "state").exists()


def test_taken_port_and_non_root_are_said_plainly(root, shared_environment, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", [("username", "role"), ("hubnobody", "instructor")])
    os.chmod(tmp_path, 0o755)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run(hub_command(roster, tmp_path / "state", port, "hubnog"), cwd=REPO, check=False, timeout=120)
    assert proc.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in proc.stderr, proc.stderr
    proc = run(hub_command(roster, tmp_path / "state", free_port(), "hubnog"), cwd=REPO, user="nobody",
               check=False, timeout=120)
    assert proc.returncode != 0 and "must run as root" in proc.stderr, proc.stdout + proc.stderr
    assert not exists("hubnobody") and not (tmp_path / "state").exists()


# --------------------------------------------------------------------------- the class hub

class Hub:
    """The running hub: its address, state folder, accounts and first passwords, and a REST client."""

    def __init__(self, proc, base, state, log, grader, instructor, students, load, passwords):
        self.proc, self.base, self.state, self.log = proc, base, state, log
        self.grader, self.instructor, self.students, self.load = grader, instructor, students, load
        self.passwords = passwords
        self.course = state / "course"

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def as_grader(self, *cmd, timeout=600) -> subprocess.CompletedProcess:
        """A command in the course folder as the grader account, with the hub's nbgrader config."""
        return run(cmd, cwd=self.course, user=self.grader, timeout=timeout,
                   JUPYTER_CONFIG_PATH=str(self.state / "jupyter-config-instructor"))

    def token(self, user: str, password: str | None = None):
        """Log in through the hub's REST API (PAM checks the password): (status, token or None)."""
        import requests

        r = requests.post(f"{self.base}/hub/api/users/{user}/tokens", timeout=60,
                          json={"auth": {"username": user, "password": password or self.passwords[user]},
                                "expires_in": 3600, "note": "hub test"})
        return r.status_code, (r.json().get("token") if r.ok else None)

    def spawn(self, user: str, token: str, timeout_s: float = 300) -> float:
        """Start `user`'s server through the REST API; seconds until it answers through the proxy."""
        import requests

        head = {"Authorization": f"token {token}"}
        started = time.monotonic()
        r = requests.post(f"{self.base}/hub/api/users/{user}/server", headers=head, timeout=60)
        assert r.status_code in (201, 202), f"spawn {user}: HTTP {r.status_code} {r.text[:300]}"
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/user/{user}/api/status", headers=head, timeout=30).status_code == 200:
                    return time.monotonic() - started
            assert time.monotonic() - started < timeout_s, f"{user}'s server not up in {timeout_s} s:\n{self.log_tail()}"
            time.sleep(0.5)

    def nbgrader(self, user: str, token: str, action: str, assignment: str):
        """nbgrader's Assignments-tab actions (fetch, submit, fetch_feedback) on `user`'s server."""
        import requests

        r = requests.post(f"{self.base}/user/{user}/assignments/{action}", timeout=300,
                          headers={"Authorization": f"token {token}"},
                          json={"course_id": COURSE_ID, "assignment_id": assignment})
        assert r.status_code == 200, f"{action} as {user}: HTTP {r.status_code} {r.text[:500]}"
        return r.json()


def _processes_of(users: set[str], port: int) -> list:
    import psutil

    out = []
    for p in psutil.process_iter(["username", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            cmd = " ".join(p.info["cmdline"] or [])
            if p.info["username"] in users or ("configurable-http-proxy" in cmd and f"--port {port}" in cmd):
                out.append(p)
    return out


@pytest.fixture(scope="module")
def class_hub(shared_environment, accounts):
    """`python -m tools.hub` on loopback with a roster of one instructor, two students and the load
    test's students; the fixture assignment released by the grader account."""
    tag = uuid.uuid4().hex[:4]
    instructor, grader = f"hubi{tag}", f"hubg{tag}"
    students = [f"hubs{tag}a", f"hubs{tag}b"]
    load = [f"hubl{tag}{i:02d}" for i in range(LOAD_STUDENTS)]
    accounts.extend([instructor, grader, *students, *load])
    state = Path(tempfile.mkdtemp(prefix="shape-errors-hub-", dir="/tmp"))
    roster = write_roster(Path(f"{state}-roster.csv"), [("username", "role", "name"), (instructor, "instructor", "Ines Tructor"),
                                                        (students[0], "student", "Ada Right"), (students[1], "student", "Bo Wrong"),
                                                        *[(u, "student", "") for u in load]])
    port = free_port()
    log = Path(f"{state}.log")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(hub_command(roster, state, port, grader), cwd=REPO, env=_env(), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    hub = None
    try:
        import requests

        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, f"the hub exited ({proc.returncode}):\n{log.read_text()[-4000:]}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/hub/login", timeout=10).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"the hub did not answer in 300 s:\n{log.read_text()[-4000:]}"
            time.sleep(1)
        with open(state / "initial-passwords.csv", newline="") as fh:
            passwords = {r["username"]: r["password"] for r in csv.DictReader(fh)}
        assert set(passwords) == {instructor, *students, *load}, "a new account without a first password"
        hub = Hub(proc, base, state, log, grader, instructor, students, load, passwords)
        # The instructor's release, as the grader account: the fixture's assignment, and for the load
        # test its NumPy notebook alone (cheap to grade thirty times).
        for name, files in ((MINI, None), (LOAD, [f"{NOTEBOOK}.ipynb"])):
            target = hub.course / "source" / name
            hub.as_grader("mkdir", "-p", target)
            for nb in files or sorted(p.name for p in (SAMPLE / "source" / MINI).glob("*.ipynb")):
                hub.as_grader("cp", SAMPLE / "source" / MINI / nb, target / nb)
            hub.as_grader(VENV_BIN / "nbgrader", "generate_assignment", name, "--force")
            hub.as_grader(VENV_BIN / "nbgrader", "release_assignment", name, "--force")
        yield hub
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=90)
        for p in _processes_of({instructor, grader, *students, *load}, port):
            with contextlib.suppress(Exception):
                p.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(state, ignore_errors=True)
        for extra in (roster, log):
            with contextlib.suppress(OSError):
                extra.unlink()
