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
MESSAGE = "to_channels_first output: expected shape (7, 1, 28, 28), got (7, 28, 28, 1)"

# All of it needs root and makes Unix accounts: the classroom marker. Its own xdist group, so it runs
# beside the classroom tests (their Unix names differ; useradd waits for the passwd lock) instead of
# after them on the same worker. The load test's timings in build/hub-load.json are then taken
# beside other tests: benchmarks/hub.md is measured with `pytest tests/test_hub.py` alone.
pytestmark = [pytest.mark.classroom, pytest.mark.xdist_group("hub")]


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
def test_bad_roster_names_the_line_and_creates_nothing(case, root, shared_environment, accounts, tmp_path):
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


def test_user_with_another_role_is_refused(root, shared_environment, accounts, tmp_path):
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
        with contextlib.suppress(OSError):
            SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, SHOTS / "hub-test.log")  # the hub's own log, next to the screenshots
        for extra in (roster, log):
            with contextlib.suppress(OSError):
                extra.unlink()


def _feedback_score(html: str) -> tuple[float, float]:
    """(score, max score) from an nbgrader feedback page's heading."""
    found = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", html)
    assert found, f"no score on the feedback page:\n{html[:2000]}"
    return float(found[1]), float(found[2])


def _login(page, hub: Hub, user: str, password: str) -> None:
    page.goto(f"{hub.base}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()


def _overwrite_if_asked(page):
    """JupyterLab asks before saving over a file whose time on disk is newer than the one it opened
    (seen on a loaded machine right after a fetch wrote the notebook); the student's typed answer is
    what must be saved, so answer Overwrite when, and only when, it asks."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    asked = page.locator(".jp-Dialog", has_text="File Changed")
    try:
        asked.wait_for(state="visible", timeout=5000)
    except PlaywrightTimeout:
        return
    asked.locator("button", has_text="Overwrite").click()
    asked.wait_for(state="hidden")


def test_term_in_the_browser(class_hub):
    """Two students log in on the hub's page, fetch in the Assignments tab, answer, Validate, submit;
    the instructor collects, grades (sandboxed) and releases feedback; each student reads their own."""
    from playwright.sync_api import expect, sync_playwright

    hub = class_hub
    expect.set_options(timeout=180_000)  # JupyterLab's first load on a busy 2-core machine
    assert os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM}: install it with `make system`"
    SHOTS.mkdir(parents=True, exist_ok=True)
    answers = dict(zip(hub.students, (RIGHT, WRONG)))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            # A wrong password does not log in.
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            _login(page, hub, hub.students[0], "not-" + hub.passwords[hub.students[0]])
            expect(page.locator(".login_error, #login_error, .alert-danger").first).to_be_visible()
            assert "/hub/login" in page.url, page.url
            page.context.close()

            pages = {}
            for student, answer in answers.items():
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.set_default_timeout(120_000)
                pages[student] = page
                _login(page, hub, student, hub.passwords[student])
                page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=300_000)
                expect(page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$"))).to_be_visible()
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
                menu = page.locator(".lm-Menu-itemLabel")
                expect(menu.filter(has_text=re.compile(r"^Assignment List$"))).to_be_visible()
                assert menu.filter(has_text=re.compile(r"^Formgrader$")).count() == 0, "a student sees Formgrader"
                menu.filter(has_text=re.compile(r"^Assignment List$")).click()
                released = page.locator("#released_assignments_list .list_item", has_text=MINI)
                expect(released).to_be_visible()
                released.locator("button", has_text="Fetch").click()
                fetched = page.locator("#fetched_assignments_list .list_item", has_text=MINI).first
                expect(fetched).to_be_visible()
                page.screenshot(path=str(SHOTS / f"hub-{'right' if answer is RIGHT else 'wrong'}-1-fetched.png"))

                # Answer exercise 1 in the fetched notebook and Validate it.
                page.goto(f"{hub.base}/user/{student}/lab/tree/{COURSE_ID}/{MINI}/{NOTEBOOK}.ipynb")  # path_includes_course
                cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
                answer_cell = cells.filter(has_text="def to_channels_first").first
                expect(answer_cell).to_be_visible()
                answer_cell.locator(".cm-content").click()
                page.keyboard.press("Control+A")
                page.keyboard.press("Delete")
                page.keyboard.insert_text(answer)
                page.keyboard.press("Control+s")
                _overwrite_if_asked(page)
                validate = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button")
                validate.click()
                dialog = page.locator(".jp-Dialog")
                expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results", timeout=240_000)
                verdict = dialog.locator("#validation-message").inner_text()
                page.screenshot(path=str(SHOTS / f"hub-{'right' if answer is RIGHT else 'wrong'}-2-validate.png"))
                if answer is WRONG:  # the failing test's own message: the output, expected and actual shape
                    assert MESSAGE in verdict, verdict
                else:
                    assert "to_channels_first output" not in verdict, verdict
                dialog.locator("button", has_text="Ok").click()

                # Submit from the Assignments tab.
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Assignment List$")).click()
                row = page.locator("#fetched_assignments_list .list_item", has_text=MINI).first
                row.locator("button", has_text="Submit").click()
                expect(page.locator("#submitted_assignments_list .list_item", has_text=MINI).first).to_be_visible()

            # The instructor: collect, grade in the sandbox, release feedback.
            hub.as_grader(VENV_BIN / "nbgrader", "collect", MINI)
            graded = hub.as_grader(VENV_BIN / "python", "-m", "autograder", "grade", MINI, "--course", hub.course,
                                   "--jobs", "2", *GRADE_LIMITS, timeout=900)
            assert "graded 2 submission(s)" in graded.stdout, graded.stdout
            hub.as_grader(VENV_BIN / "nbgrader", "release_feedback", MINI)

            scores = {}
            for student, page in pages.items():
                page.goto(f"{hub.base}/user/{student}/lab")
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Assignment List$")).click()
                row = page.locator("#submitted_assignments_list .list_item", has_text=MINI).first
                row.locator("button", has_text="Fetch Feedback").click()
                expect(row.locator("a", has_text="view feedback")).to_be_visible()
                pages_html = sorted((Path(pwd.getpwnam(student).pw_dir) / COURSE_ID / MINI / "feedback").glob("*/*.html"))
                assert pages_html, f"{student} has no feedback files"
                relative = pages_html[0].relative_to(pwd.getpwnam(student).pw_dir)
                page.goto(f"{hub.base}/user/{student}/files/{relative.parent}/{NOTEBOOK}.html")
                html = page.content()
                scores[student] = _feedback_score(html)
                if answers[student] is WRONG:
                    assert MESSAGE in html, "the feedback does not show the test's message"
                page.screenshot(path=str(SHOTS / f"hub-{'right' if answers[student] is RIGHT else 'wrong'}-3-feedback.png"))
            right, wrong = hub.students
            assert scores[right][0] > scores[wrong][0], scores  # the wrong answer loses exercise 1's points
            assert scores[right][1] == scores[wrong][1] and scores[right][0] - scores[wrong][0] == 2, scores

            # Isolation: one student cannot open the other's server, the formgrader, the other's feedback.
            page = pages[wrong]
            other = page.goto(f"{hub.base}/user/{right}/api/contents/{COURSE_ID}")
            assert other.status in (403, 404) or f"/user/{wrong}/" in page.url, (other.status, page.url)
            service = page.goto(f"{hub.base}/services/shape-errors/formgrader")
            assert service.status in (403, 404), service.status
            theirs = Path(pwd.getpwnam(right).pw_dir) / COURSE_ID / MINI / "feedback"
            probe = run(["/usr/bin/python3", "-c", "import os,sys\ntry:\n os.listdir(sys.argv[1]); print('ALLOWED')\n"
                         "except OSError as e: print(type(e).__name__)", theirs], cwd="/tmp", user=wrong)
            assert probe.stdout.strip() == "PermissionError", probe.stdout
        except BaseException:
            for name, p in locals().get("pages", {}).items():
                with contextlib.suppress(Exception):
                    p.screenshot(path=str(SHOTS / f"hub-failure-{name}.png"))
            print(hub.log_tail(80))
            raise
        finally:
            browser.close()


KERNEL_CODE = "import numpy, torch\nfrom course import check_shape\n%load_ext course\nprint('ready')"


def _run_in_kernel(hub: Hub, user: str, token: str, code: str, timeout_s: float = 240) -> tuple[str, str]:
    """Start a kernel on `user`'s server, run `code` over the kernel's websocket, return its stdout
    and the kernel's id (the kernel keeps running)."""
    import asyncio

    import requests
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    head = {"Authorization": f"token {token}"}
    r = requests.post(f"{hub.base}/user/{user}/api/kernels", headers=head, json={"name": "python3"}, timeout=120)
    assert r.status_code == 201, f"kernel for {user}: HTTP {r.status_code} {r.text[:300]}"
    kernel = r.json()["id"]

    async def talk() -> str:
        url = f"{hub.base.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kernel}/channels"
        ws = await websocket_connect(HTTPRequest(url, headers=head, connect_timeout=120))
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out = []
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout_s)
            assert raw is not None, "the kernel's websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError(f"kernel error: {content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                ws.close()
                return "".join(out)

    return asyncio.run(talk()), kernel


def test_thirty_students_at_once(class_hub):
    """LOAD_STUDENTS students log in, spawn, fetch and submit over the REST APIs, WAVE at a time;
    every submission is collected and graded once. Measures what benchmarks/hub.md reports."""
    import threading

    import psutil
    import requests
    from nbgrader.api import Gradebook

    hub = class_hub
    hub_process = psutil.Process(hub.proc.pid)
    proxy = next(p for p in hub_process.children() if "configurable-http-proxy" in " ".join(p.cmdline()))
    peaks = {"hub_rss": 0, "proxy_rss": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                peaks["hub_rss"] = max(peaks["hub_rss"], hub_process.memory_info().rss)
                peaks["proxy_rss"] = max(peaks["proxy_rss"], proxy.memory_info().rss)
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    cpu_before = {n: sum(p.cpu_times()[:2]) for n, p in (("hub", hub_process), ("proxy", proxy))}
    started = time.monotonic()
    sampler.start()

    def one_student(user: str) -> dict:
        t0 = time.monotonic()
        status, token = hub.token(user)
        assert status == 201 and token, f"{user} could not log in (HTTP {status})"
        login_s = time.monotonic() - t0
        spawn_s = hub.spawn(user, token)
        t1 = time.monotonic()
        listing = hub.nbgrader(user, token, "fetch", LOAD)
        assert listing.get("success", True) is not False, listing
        t2 = time.monotonic()
        submitted = hub.nbgrader(user, token, "submit", LOAD)
        assert submitted.get("success", True) is not False, submitted
        return {"token": token, "login_s": login_s, "spawn_s": spawn_s, "fetch_s": t2 - t1,
                "submit_s": time.monotonic() - t2}

    results: dict[str, dict] = {}
    try:
        for i in range(0, len(hub.load), WAVE):
            wave = hub.load[i:i + WAVE]
            with ThreadPoolExecutor(len(wave)) as pool:
                results.update(zip(wave, pool.map(one_student, wave)))
        wall = time.monotonic() - started
    finally:
        stop.set()
        sampler.join()
    cpu = {n: sum(p.cpu_times()[:2]) - cpu_before[n] for n, p in (("hub", hub_process), ("proxy", proxy))}

    # Memory: every load student's idle server, then three kernels running the course's imports.
    def footprint(user: str, match: str) -> tuple[int, int]:
        rss = uss = 0
        for p in psutil.process_iter(["username", "cmdline"]):
            with contextlib.suppress(psutil.Error):
                if p.info["username"] == user and match in " ".join(p.info["cmdline"] or []):
                    info = p.memory_full_info()
                    rss, uss = rss + info.rss, uss + info.uss
        return rss, uss

    servers = [footprint(u, "jupyterhub-singleuser") for u in hub.load]
    assert all(rss > 0 for rss, _ in servers), "a load student's server is not running"
    kernels = []
    for user in hub.load[:3]:
        out, kernel = _run_in_kernel(hub, user, results[user]["token"], KERNEL_CODE)
        assert "ready" in out, out
        kernels.append(footprint(user, "ipykernel_launcher"))
        requests.delete(f"{hub.base}/user/{user}/api/kernels/{kernel}", timeout=60,
                        headers={"Authorization": f"token {results[user]['token']}"})

    # Nothing lost: every submission is collected and graded exactly once.
    hub.as_grader(VENV_BIN / "nbgrader", "collect", LOAD)
    collected = sorted(p.name for p in (hub.course / "submitted").iterdir() if (p / LOAD).is_dir())
    assert collected == sorted(hub.load), f"collected {len(collected)} of {len(hub.load)}"
    graded = hub.as_grader(VENV_BIN / "python", "-m", "autograder", "grade", LOAD, "--course", hub.course,
                           "--jobs", "2", *GRADE_LIMITS, timeout=900)
    assert f"graded {len(hub.load)} submission(s)" in graded.stdout and "0 not saved" in graded.stdout, graded.stdout
    db = f"sqlite:///{hub.course / 'gradebook.db'}"
    with Gradebook(db, COURSE_ID) as gb:
        rows = [(s.student_id, g.name) for s in gb.find_assignment(LOAD).submissions
                for nb in s.notebooks for g in nb.grades]
    assert sorted({s for s, _ in rows}) == sorted(hub.load)
    assert len(rows) == len(set(rows)) == 2 * len(hub.load), "a grade lost or saved twice"

    for user in hub.load:  # free the memory for the rest of the suite
        requests.delete(f"{hub.base}/hub/api/users/{user}/server", timeout=60,
                        headers={"Authorization": f"token {results[user]['token']}"})

    spawn = sorted(r["spawn_s"] for r in results.values())
    mb = 1024 * 1024
    figures = {
        "students": len(hub.load), "wave": WAVE, "cpus": os.cpu_count(), "wall_s": round(wall, 1),
        "spawn_s": {"median": round(statistics.median(spawn), 1),
                    "p95": round(spawn[max(0, int(round(0.95 * len(spawn))) - 1)], 1), "max": round(spawn[-1], 1)},
        "login_s_median": round(statistics.median(r["login_s"] for r in results.values()), 2),
        "fetch_s_median": round(statistics.median(r["fetch_s"] for r in results.values()), 2),
        "submit_s_median": round(statistics.median(r["submit_s"] for r in results.values()), 2),
        "idle_server_mb": {"rss_median": round(statistics.median(r for r, _ in servers) / mb),
                           "uss_median": round(statistics.median(u for _, u in servers) / mb)},
        "kernel_with_course_imports_mb": {"rss_median": round(statistics.median(r for r, _ in kernels) / mb),
                                          "uss_median": round(statistics.median(u for _, u in kernels) / mb)},
        "hub": {"cpu_s": round(cpu["hub"], 1), "peak_rss_mb": round(peaks["hub_rss"] / mb)},
        "proxy": {"cpu_s": round(cpu["proxy"], 1), "peak_rss_mb": round(peaks["proxy_rss"] / mb)},
        "collected": len(collected), "graded_once": len(set(rows)) == len(rows),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def test_ctrl_c_stops_everything(class_hub):
    """SIGINT to `python -m tools.hub` (Ctrl+C) stops the hub, the proxy, the formgrader service and
    every student server it started."""
    hub = class_hub
    users = {hub.grader, hub.instructor, *hub.students, *hub.load}
    port = int(hub.base.rsplit(":", 1)[1])
    assert _processes_of(users, port), "nothing running before Ctrl+C: the test would prove nothing"
    os.kill(hub.proc.pid, signal.SIGINT)
    hub.proc.wait(timeout=90)
    deadline = time.monotonic() + 30
    while (left := _processes_of(users, port)) and time.monotonic() < deadline:
        time.sleep(1)
    assert not left, f"still running after Ctrl+C: {[' '.join(p.cmdline())[:120] for p in left]}"
