"""A classroom on real services: the nbgrader exchange between Unix users, a PostgreSQL gradebook,
a Dask cluster started from the command line, and the formgrader in a browser.

Every test starts its own services (tests/services.py: the `postgres` and `dask_cluster` fixtures,
JupyterLab) and stops them itself, on loopback addresses and Unix sockets only, and drives them through command lines (`nbgrader ...`, `python -m autograder ...`,
`dask scheduler` / `dask worker`, `initdb` / `pg_ctl`), never through the grader's internals.
They use the sample class's cheap fixture assignment (sample_class/source/90-mini-shapes) and its
generated submissions: ada answers everything correctly, cleo partly, dev wrongly
(sample_class/expected.json says which tests each loses); ivan's answer crashes the kernel
through ctypes, which the grader flags "needs manual grade". Folders other users must reach are
made under /tmp, whatever TMPDIR says.

They need root (to create Unix users and run PostgreSQL as one of them), which CI has, and
Debian's postgresql (`make system` installs it). A missing piece is a failure with a message
saying what to install or fix, never a skip.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from services import clean_env as _env
from services import run_jupyterlab, stop

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_class"
VENV_BIN = Path(sys.executable).parent
MINI = "90-mini-shapes"
COURSE_ID = "shape-errors"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text())
# Grading budgets for a loaded 2-core machine (the sample class's own are tighter).
GRADE_LIMITS = ["--cell-timeout", "90", "--notebook-timeout", "300", "--memory-mb", "3072", "--no-progress"]

pytestmark = [pytest.mark.classroom, pytest.mark.xdist_group("classroom")]


# --------------------------------------------------------------------------- helpers

def run(cmd, cwd, user: str | None = None, env: dict | None = None, check=True, timeout=600,
        what: str | None = None) -> subprocess.CompletedProcess:
    """Run a command (as `user` when given), failing with its output when it fails."""
    kw = {}
    if user:
        pw = pwd.getpwnam(user)
        kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        env = env or _env(pw.pw_dir, user)
    try:
        proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or _env(), capture_output=True, text=True,
                              timeout=timeout, **kw)
    except PermissionError as error:
        raise AssertionError(f"user {user} cannot run {cmd[0]} ({error}): every folder above this checkout's "
                             f"venv and its interpreter ({os.path.realpath(VENV_BIN / 'python')}) needs o+x, "
                             f"every file o+r") from None
    if check and proc.returncode != 0:
        raise AssertionError(f"{what or ' '.join(map(str, cmd))} failed (exit {proc.returncode}"
                             f"{' as ' + user if user else ''}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def make_course(folder: Path, students: list[str], assignments=(MINI,), db: str | None = None) -> Path:
    """A course folder as an instructor sets one up: the course's nbgrader_config.py, the fixture
    assignment's source under each name in `assignments` (copies are separate assignments to
    nbgrader), `nbgrader generate_assignment`, and the sample class's submissions of `students`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", folder)
    for assignment in assignments:
        shutil.copytree(SAMPLE / "source" / MINI, folder / "source" / assignment)
        run([VENV_BIN / "nbgrader", "generate_assignment", assignment, "--force",
             *(["--db", db] if db else [])], cwd=folder)
        for student in students:
            shutil.copytree(SAMPLE / "submitted" / student / MINI, folder / "submitted" / student / assignment)
    return folder


def grade(course: Path, assignments, *args, db: str | None = None, user: str | None = None,
          popen=False, env: dict | None = None):
    cmd = [VENV_BIN / "python", "-m", "autograder", "grade", *assignments, "--course", course,
           *(["--db", db] if db else []), *GRADE_LIMITS, *args]
    if popen:
        return subprocess.Popen([str(c) for c in cmd], cwd=course, env=env or _env(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run(cmd, cwd=course, user=user, env=env, what="python -m autograder grade")


def gradebook_rows(db_url: str) -> list[tuple]:
    """(assignment, student, notebook, test, score) for every grade of every submission, read
    with nbgrader's public Gradebook API; a doubled or lost grade shows up as a repeated or
    missing key."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(db_url, COURSE_ID) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for g in notebook.grades:
                        rows.append((assignment.name, submission.student_id, notebook.name, g.name, g.score))
    return rows


def scores_by_key(rows) -> dict:
    keyed = {r[:4]: r[4] for r in rows}
    assert len(keyed) == len(rows), f"{len(rows) - len(keyed)} grade(s) saved twice"
    return keyed


def expected_total(student: str) -> float:
    """The points `student` earns on the fixture assignment, from sample_class/expected.json."""
    total = 0.0
    for notebook, exp in EXPECTED["submitted"][student][MINI].items():
        nb = json.loads((SAMPLE / "source" / MINI / f"{notebook}.ipynb").read_text())
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade"):
                total += exp["tests"].get(meta["grade_id"], [meta["points"]])[0]
    return total


# --------------------------------------------------------------------------- Unix users

@pytest.fixture(scope="module")
def unix_users():
    """Create Unix users on demand (useradd -m) and remove them (userdel -r) afterwards."""
    if os.geteuid() != 0:
        pytest.fail("the classroom tests create Unix users and must run as root (CI does)")
    made = []
    tag = uuid.uuid4().hex[:5]

    def create(role: str) -> str:
        name = f"cls{tag}{role}"[:31]
        run(["useradd", "--create-home", "--shell", "/bin/bash", name], cwd="/", what=f"useradd {name}")
        made.append(name)
        return name

    try:
        yield create
    finally:
        for name in made:
            subprocess.run(["userdel", "--remove", name], capture_output=True)


# --------------------------------------------------------------------------- 1. exchange

def _write_config(home: Path, user: str, text: str) -> None:
    pw = pwd.getpwnam(user)
    folder = home / ".jupyter"
    folder.mkdir(exist_ok=True)
    (folder / "nbgrader_config.py").write_text(text)
    for p in (folder, folder / "nbgrader_config.py"):
        os.chown(p, pw.pw_uid, pw.pw_gid)


ANSWER_SCRIPT = """
import json, sys, nbformat
from pathlib import Path
answers = json.load(open(sys.argv[1]))
for path in Path(sys.argv[2]).glob('*.ipynb'):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get('nbgrader', {}).get('grade_id')
        if cell.metadata.get('nbgrader', {}).get('solution') and gid in answers.get(path.stem, {}):
            cell.source = answers[path.stem][gid]
    nbformat.write(nb, path)
"""


def _answers_of(student: str) -> dict:
    """The answer cells of a sample-class submission: what this student types into the fetched copy."""
    out = {}
    for path in sorted((SAMPLE / "submitted" / student / MINI).glob("*.ipynb")):
        nb = json.loads(path.read_text())
        out[path.stem] = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]
                          if c["metadata"].get("nbgrader", {}).get("solution")}
    return out


def _denied(user: str, path: Path, op: str = "read") -> str:
    """Try to read (or list) `path` as `user`; return the error's name (PermissionError expected)."""
    code = ("import os, sys\ntry:\n"
            f"    {'os.listdir(sys.argv[1])' if op == 'list' else 'open(sys.argv[1]).read()'}\n"
            "    print('ALLOWED')\nexcept OSError as e:\n    print(type(e).__name__)\n")
    return run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else VENV_BIN / "python", "-c", code,
                path], cwd="/tmp", user=user).stdout.strip()


def test_exchange_between_unix_users(shared_environment, unix_users, tmp_path):
    """Instructor and two students as separate Unix users, through a sticky shared exchange."""
    instructor, good, partial = unix_users("i"), unix_users("a"), unix_users("b")
    base = Path(tempfile.mkdtemp(prefix="classroom-exchange-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        exchange = base / "exchange"
        exchange.mkdir()
        os.chmod(exchange, 0o1777)  # docs/instructors.md: chmod ugo+rwx,+t
        config = f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n"
        homes = {u: Path(pwd.getpwnam(u).pw_dir) for u in (instructor, good, partial)}
        for user, home in homes.items():
            _write_config(home, user, config)

        # The instructor's course folder, private to them.
        course = homes[instructor] / "course"
        run(["mkdir", "-m", "700", course], cwd=homes[instructor], user=instructor)
        run(["cp", REPO / "nbgrader_config.py", course], cwd=course, user=instructor)
        run(["cp", "-r", SAMPLE / "source", course / "source"], cwd=course, user=instructor)
        nbgrader = VENV_BIN / "nbgrader"
        run([nbgrader, "generate_assignment", MINI, "--force"], cwd=course, user=instructor)
        run([nbgrader, "release_assignment", MINI], cwd=course, user=instructor)

        answers = {good: _answers_of("ada"), partial: _answers_of("cleo")}
        for student, given in answers.items():
            home = homes[student]
            run([nbgrader, "fetch_assignment", MINI], cwd=home, user=student)
            answer_file = base / f"{student}-answers.json"
            answer_file.write_text(json.dumps(given))
            os.chmod(answer_file, 0o644)
            run([VENV_BIN / "python", "-c", ANSWER_SCRIPT, answer_file, home / MINI], cwd=home, user=student)
            run([nbgrader, "submit", MINI], cwd=home, user=student)

        # A student cannot find the other's submission in the exchange (inbound cannot be listed)...
        inbound = exchange / COURSE_ID / "inbound"
        assert [p.name.split("+")[0] for p in inbound.iterdir()].count(good) == 1
        assert _denied(partial, inbound, "list") == "PermissionError"

        collected = run([nbgrader, "collect", MINI], cwd=course, user=instructor)
        assert "cheating attempt" not in collected.stdout + collected.stderr
        graded = grade(course, [MINI], "--jobs", "2", user=instructor)
        print(graded.stdout)
        run([nbgrader, "release_feedback", MINI], cwd=course, user=instructor)

        # ... nor read it once collected, nor the instructor's solutions.
        other_submission = course / "submitted" / good / MINI / f"{MINI}-torch.ipynb"
        assert other_submission.is_file()
        assert _denied(partial, other_submission) == "PermissionError"
        assert _denied(partial, course / "source" / MINI / f"{MINI}-torch.ipynb") == "PermissionError"
        assert _denied(partial, course / "gradebook.db") == "PermissionError"

        for student, sample in ((good, "ada"), (partial, "cleo")):
            run([nbgrader, "fetch_feedback", MINI], cwd=homes[student], user=student)
            pages = sorted((homes[student] / MINI / "feedback").glob("*/*.html"))
            assert {p.stem for p in pages} == {f"{MINI}-torch", f"{MINI}-numpy"}, pages
            total, top = 0.0, 0.0
            for page in pages:
                assert page.stat().st_uid == pwd.getpwnam(student).pw_uid
                got, most = _page_score(page.read_text())
                total, top = total + got, top + most
            assert total == expected_total(sample), (student, total, pages)
        assert expected_total("cleo") < expected_total("ada") == top
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _page_score(html: str) -> tuple[float, float]:
    """The 'Score: X / Y' nbgrader's feedback page shows at the top."""
    import re
    m = re.search(r"Score:\s*([0-9.]+)\s*/\s*([0-9.]+)", re.sub(r"<[^>]+>", " ", html))
    assert m, "no 'Score: X / Y' in the feedback page"
    return float(m.group(1)), float(m.group(2))


# --------------------------------------------------------------------------- the reference run

STUDENTS = ["ada", "cleo", "dev"]  # correct, partly correct, wrong: different scores per test


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sample submissions graded locally (two jobs) into an SQLite gradebook: what every
    service-backed run below must reproduce, test by test."""
    course = make_course(tmp_path_factory.mktemp("reference") / "course", STUDENTS)
    grade(course, [MINI], "--jobs", "2")
    rows = scores_by_key(gradebook_rows(f"sqlite:///{course / 'gradebook.db'}"))
    assert {k[1] for k in rows} == set(STUDENTS) and len({k[2] for k in rows}) == 2
    return {(s, nb, test): score for (_, s, nb, test), score in rows.items()}


def _per_assignment(rows: dict) -> dict:
    out = {}
    for (assignment, student, notebook, test), score in rows.items():
        out.setdefault(assignment, {})[(student, notebook, test)] = score
    return out


# --------------------------------------------------------------------------- 2. PostgreSQL

@pytest.fixture(scope="module")
def service_user(shared_environment, unix_users):
    """PostgreSQL and the Dask cluster (tests/services.py) run as Unix users of their own: PostgreSQL
    refuses root, and workers that cannot read the course folders prove they need none of them."""
    return unix_users


def test_postgresql_gradebook_two_graders_at_once(reference, postgres, tmp_path):
    """generate_assignment and the grader write to PostgreSQL through --db; two grader processes
    grading two assignments at the same time into the same gradebook lose and double nothing,
    and every score equals the SQLite run's."""
    second = "91-mini-shapes-copy"
    course = make_course(tmp_path / "course", STUDENTS, assignments=(MINI, second), db=postgres)
    assert not (course / "gradebook.db").exists()  # generate_assignment wrote to PostgreSQL only
    graders = [grade(course, [a], "--jobs", "1", db=postgres, popen=True) for a in (MINI, second)]
    time.sleep(2)
    assert all(g.poll() is None for g in graders), "the two graders did not run at the same time"
    outputs = [g.communicate(timeout=900)[0] for g in graders]
    for g, out in zip(graders, outputs):
        assert g.returncode == 0, f"a grader process failed (exit {g.returncode}):\n{out[-4000:]}"
        assert "0 not saved" in out and "graded 3 submission(s) (6 notebooks)" in out, out
    assert not (course / "gradebook.db").exists()
    by_assignment = _per_assignment(scores_by_key(gradebook_rows(postgres)))
    assert set(by_assignment) == {MINI, second}
    for assignment, scores in by_assignment.items():
        assert scores == reference, f"{assignment}: PostgreSQL scores differ from the SQLite run"


# --------------------------------------------------------------------------- 3. Dask cluster

def test_dask_cluster_scores_equal_local_run(reference, dask_cluster, tmp_path):
    course = make_course(tmp_path / "course", STUDENTS)
    out = grade(course, [MINI], "--dask", dask_cluster.address).stdout
    assert "graded 3 submission(s) (6 notebooks)" in out, out
    seen = dask_cluster.client.run(lambda: (os.getcwd(), os.geteuid(), os.access(course, os.R_OK)))
    assert len(seen) == 2
    for cwd, uid, can_read in seen.values():
        assert uid != 0 and not can_read and str(course) not in cwd, (cwd, uid, can_read)
    scores = _per_assignment(scores_by_key(gradebook_rows(f"sqlite:///{course / 'gradebook.db'}")))
    assert scores == {MINI: reference}


def test_dask_worker_killed_mid_run(reference, dask_cluster, tmp_path):
    """One worker dies mid-run: its task runs on the other, nothing is lost or saved twice."""
    client, procs = dask_cluster.client, dask_cluster.procs
    course = make_course(tmp_path / "course", STUDENTS)
    grader = grade(course, [MINI], "--dask", dask_cluster.address, popen=True)
    victim, busy_since, lost = None, None, []
    deadline = time.monotonic() + 300
    while victim is None:
        assert grader.poll() is None, f"the run ended before a worker could be killed:\n{grader.stdout.read()}"
        assert time.monotonic() < deadline, "no worker started a task within 300 s"
        processing = {addr: keys for addr, keys in client.processing().items() if keys}
        if processing and busy_since is None:
            busy_since = time.monotonic()
        if busy_since and time.monotonic() - busy_since > 3:  # a kernel is running on it by now
            addr, lost = next(iter(processing.items()))
            name = client.scheduler_info()["workers"][addr]["name"]
            victim = next(n for n in ("w1", "w2") if str(name).startswith(n))
            stop(procs[victim], signal.SIGKILL)
        time.sleep(0.5)
    print(f"killed worker {victim} {time.monotonic() - busy_since:.1f} s into its task(s) {list(lost)}")
    out = grader.communicate(timeout=900)[0]
    assert grader.returncode == 0, f"the grader failed after worker {victim} was killed:\n{out[-4000:]}"
    assert lost, "the killed worker was not running a task"
    assert len(client.scheduler_info()["workers"]) == 1
    assert "graded 3 submission(s) (6 notebooks)" in out and "0 not saved" in out, out
    scores = _per_assignment(scores_by_key(gradebook_rows(f"sqlite:///{course / 'gradebook.db'}")))
    assert scores == {MINI: reference}  # exactly one result per notebook and test, none lost


# --------------------------------------------------------------------------- 4. formgrader

SHOTS = REPO / "build" / "screenshots"


def _export(course: Path) -> dict:
    """`python -m autograder export`: {student: score} for the fixture assignment."""
    to = course / "export.csv"
    run([VENV_BIN / "python", "-m", "autograder", "export", "--to", to, "--course", course], cwd=course)
    with open(to, newline="") as fh:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh) if r["assignment"] == MINI}


@pytest.fixture
def instructor_lab(tmp_path):
    """JupyterLab as `make lab-instructor` configures it (tools.lab's settings, the formgrader
    shown), started in a graded course folder: the formgrader reads the nbgrader config of the
    folder it starts in, and the course must lie under the server's root."""
    from tools import lab as launcher

    course = make_course(tmp_path / "course", ["ada", "ivan"])
    (course / "submitted" / "ivan" / MINI / f"{MINI}-numpy.ipynb").unlink()  # only the flagged one
    grade(course, [MINI], "--jobs", "2")
    config = launcher.write_config(tmp_path / "jupyter-config", instructor=True)
    env = launcher.environment(_env(str(tmp_path), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime")), config)
    extra = [f"--LabApp.user_settings_dir={tmp_path / 'settings'}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    with run_jupyterlab(lambda port, token: launcher.command(course, port, token, extra), course, env,
                        tmp_path / "jupyter.log", ready="/formgrader", timeout=90) as lab:
        yield {"base": lab.base, "token": lab.token, "course": course}


def test_formgrader_manual_grade_in_browser(instructor_lab, tmp_path):
    """The instructor opens the formgrader in JupyterLab, finds the notebook the grader flagged
    for review, gives a test a manual score and the answer a comment; export shows the score."""
    import re

    from nbgrader.api import Gradebook
    from playwright.sync_api import expect, sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    assert os.access(chromium, os.X_OK), f"Chromium not found at {chromium}: install it with `make system`"
    course, base, token = instructor_lab["course"], instructor_lab["base"], instructor_lab["token"]
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db, COURSE_ID) as gb:
        flagged = {s: gb.find_submission_notebook(f"{MINI}-torch", MINI, s).needs_manual_grade for s in ("ada", "ivan")}
        auto = {g.name: g.auto_score for g in gb.find_submission_notebook(f"{MINI}-torch", MINI, "ivan").grades}
    assert flagged == {"ada": False, "ivan": True}, flagged  # ivan's answer calls ctypes (a crash)
    before = _export(course)["ivan"]
    test_id, answer_id, points, comment = "ex2-classifier-test", "ex2-classifier", 3, "Seen by hand: the crash was ctypes, the idea was right."
    assert auto[test_id] == 0

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{base}/lab?token={token}")
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Formgrader$")).click()
            fg = page.frame_locator("iframe")
            fg.get_by_role("link", name="Manual Grading", exact=True).click()
            fg.get_by_role("link", name=MINI, exact=True).click()
            fg.get_by_role("link", name=f"{MINI}-torch", exact=True).click()
            row = fg.locator("tr", has=fg.locator('.needs-manual-grade[data-search="needs manual grade"]'))
            expect(row).to_have_count(1)
            page.screenshot(path=str(SHOTS / "instructor-formgrader-flagged.png"))
            row.locator("a.name-hidden").click()
            score = fg.locator(f"input.score#{test_id}")
            expect(score).to_have_attribute("placeholder", re.compile(r"^0(\.0*)?$"))  # the auto score
            score.scroll_into_view_if_needed()
            score.fill(str(points))
            score.press("Tab")
            box = fg.locator(f"textarea#{answer_id}-comment")
            box.fill(comment)
            box.press("Tab")
            deadline = time.monotonic() + 30
            while True:  # the formgrader saves on change, through its REST API
                with Gradebook(db, COURSE_ID) as gb:
                    nb = gb.find_submission_notebook(f"{MINI}-torch", MINI, "ivan")
                    manual = {g.name: g.manual_score for g in nb.grades}[test_id]
                    saved = {c.name: c.manual_comment for c in nb.comments}[answer_id]
                if manual == points and saved == comment:
                    break
                assert time.monotonic() < deadline, f"not saved: manual score {manual}, comment {saved!r}"
                time.sleep(0.5)
            page.screenshot(path=str(SHOTS / "instructor-formgrader-graded.png"))
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(SHOTS / "instructor-formgrader-failure.png"))
                print("frames:", [f.url for f in page.frames])
            raise
        finally:
            browser.close()
    assert _export(course)["ivan"] == before - auto[test_id] + points
