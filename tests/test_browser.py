"""The learner's path, in a real browser: JupyterLab, a release notebook, a test cell, Validate.

Starts JupyterLab the way `make lab` does (`python -m tools.lab`) on a free port with a token,
serving a temporary copy of the release notebook's folder, and drives Debian's Chromium with
Playwright (never a Playwright-downloaded browser):

1. open release/00-reading-shapes/00-reading-shapes-torch.ipynb and Run All Cells;
2. the first exercise's test cell fails, and its output shows the error;
3. type the worked solution (read from the matching source/ notebook's
   `### BEGIN SOLUTION` / `### END SOLUTION` region) into the first answer cell;
4. run the answer and its test cell: the test passes (no error output);
5. press nbgrader's Validate button and read the verdict: the first exercise is no longer
   listed, the exercises still unanswered are.

A second test checks the server side of `make lab` for self-study: Validate is served, nbgrader's
Assignment List and Course List (which need an exchange or JupyterHub) are off, and so is the
instructor-only UI (Formgrader, Create Assignment), which `make lab-instructor` shows: both modes
are checked on the server and in the browser. A last test shows the shape doctor's output under a
shape error in the learner's JupyterLab (learner-6-shape-doctor.png).

Screenshots of every step land in build/screenshots/learner-*.png (path printed with -s; each run
replaces the previous run's; learner-failure.png shows the page when a step fails).
Skips only when Chromium is missing (`make system` installs it). CHROMIUM=/path overrides the
browser. For development before the release notebooks exist, BROWSER_TEST_COURSE=DIR points the
test at another folder holding source/ and release/ with the same notebook names.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from services import http_status, run_jupyterlab

REPO = Path(__file__).resolve().parent.parent
COURSE = Path(os.environ.get("BROWSER_TEST_COURSE", REPO))
ASSIGNMENT = "00-reading-shapes"
NOTEBOOK = f"{ASSIGNMENT}-torch.ipynb"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "build" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STUB = "raise NotImplementedError()"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# Budgets (seconds). A release notebook's exercises are quick; Run All and Validate each run the
# whole notebook (kernel start included) on a 2-core CPU, where a solution notebook takes < 60 s.
SERVER_START_S = 60
RUN_ALL_S = 120
CELL_RUN_S = 60
VALIDATE_S = 150

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


# --------------------------------------------------------------------------- notebook reading

def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def first_exercise(nb) -> tuple[int, int]:
    """Indices of the first answer cell (a stubbed solution cell) and its test cell (the next cell)."""
    for i, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution") and STUB in cell.source:
            assert i + 1 < len(nb.cells), f"answer cell {meta.get('grade_id')} is the last cell"
            test = nb.cells[i + 1]
            tmeta = _nbgrader(test)
            assert test.cell_type == "code" and tmeta.get("grade") and tmeta.get("locked"), (
                f"the cell after answer cell {meta.get('grade_id')!r} is not a locked test cell "
                f"(nbgrader metadata {tmeta})")
            return i, i + 1
    raise AssertionError(f"no answer cell with {STUB!r} in the release notebook")


def worked_answer(source_nb, grade_id: str) -> str:
    """The answer cell as a learner who solved it would leave it: the source cell without markers."""
    for cell in source_nb.cells:
        if _nbgrader(cell).get("grade_id") == grade_id:
            lines = cell.source.splitlines()
            assert any(line.strip() == BEGIN for line in lines) and any(line.strip() == END for line in lines), (
                f"source cell {grade_id!r} has no {BEGIN} / {END} region")
            return "\n".join(line for line in lines if line.strip() not in (BEGIN, END))
    raise AssertionError(f"the source notebook has no cell with grade_id {grade_id!r}")


def other_exercise_tests(nb, answer_index: int) -> list[str]:
    """Sources of the test cells of the exercises after the first (still unanswered in the test)."""
    tests = []
    for i, cell in enumerate(nb.cells):
        if i <= answer_index + 1 or cell.cell_type != "code":
            continue
        if _nbgrader(cell).get("grade") and i > 0 and STUB in nb.cells[i - 1].source:
            tests.append(cell.source.strip())
    return tests


# --------------------------------------------------------------------------- server

@pytest.fixture(scope="module")
def chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `make system` (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab from `python -m tools.lab` (`make lab`), serving a temporary copy of the assignment's folder."""
    yield from _serve(tmp_path_factory, [])


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """The same, as `make lab-instructor` starts it."""
    yield from _serve(tmp_path_factory, ["--instructor"])


def _serve(tmp_path_factory, flags: list):
    release = COURSE / "release" / ASSIGNMENT
    assert (release / NOTEBOOK).is_file(), f"missing release notebook {release / NOTEBOOK} (run `make release`)"
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    shutil.copytree(release, root / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    extra = [f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # kernels get an explicit oneDNN setting
    env.pop("COURSE_SHAPE_DOCTOR", None)
    command = lambda port, token: [sys.executable, "-m", "tools.lab", *flags, "--root", str(root), "--port",
                                   str(port), "--token", token, "--", *extra]
    with run_jupyterlab(command, REPO, env, tmp / "jupyter.log", timeout=SERVER_START_S) as lab:
        yield {"base": lab.base, "token": lab.token, "root": root, "log": lab.log, "log_tail": lab.log_tail,
               "proc": lab.proc}


# --------------------------------------------------------------------------- browser helpers

class Notebook:
    """The open notebook in JupyterLab, addressed by cell index (all cells stay in the DOM)."""

    def __init__(self, page):
        self.page = page
        self.cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")

    def cell(self, index: int):
        return self.cells.nth(index)

    def prompt(self, index: int) -> str:
        return (self.cell(index).locator(".jp-InputPrompt").first.text_content() or "").strip()

    def executed(self, index: int) -> bool:
        return re.fullmatch(r"\[\d+\]:", self.prompt(index)) is not None

    def busy(self) -> bool:
        indicator = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
        return (self.page.locator(".jp-Notebook .jp-InputPrompt", has_text="[*]").count() > 0
                or indicator.first.get_attribute("data-status") != "idle")

    def wait_idle(self, timeout_s: float, must_run: list[int]) -> None:
        """Wait until the cells in `must_run` have an execution count and nothing is queued.

        Fails early when the kernel has gone idle without running them (Run All stopped at an
        error above them), naming the cell that stopped it.
        """
        deadline = time.monotonic() + timeout_s
        idle_since = None
        while True:
            if not self.busy():
                if all(self.executed(i) for i in must_run):
                    time.sleep(0.5)  # the prompt updates before the last output lands
                    if not self.busy():
                        return
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 5:
                    stopped = next((i for i in range(self.cells.count()) if self.error_text(i)), None)
                    raise AssertionError(
                        f"the kernel is idle but cells {[i for i in must_run if not self.executed(i)]} did not run; "
                        f"first cell with an error: {stopped}:\n{self.error_text(stopped) if stopped is not None else ''}")
            else:
                idle_since = None
            if time.monotonic() > deadline:
                prompts = {i: self.prompt(i) for i in must_run}
                raise AssertionError(f"cells still running or not run after {timeout_s} s: {prompts}")
            time.sleep(0.25)

    def error_text(self, index: int) -> str:
        """The text of the cell's error (traceback) outputs; empty when it has none."""
        # text_content, not inner_text: off-screen cells are not laid out (content-visibility)
        errs = self.cell(index).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        return "\n".join((errs.nth(k).text_content() or "") for k in range(errs.count())).strip()

    def output_text(self, index: int) -> str:
        return (self.cell(index).locator(".jp-OutputArea").text_content() or "").strip()

    def show(self, index: int) -> None:
        """Scroll a cell into view and let the browser paint it (off-screen cells are skipped)."""
        from playwright.sync_api import expect

        self.cell(index).scroll_into_view_if_needed()
        expect(self.cell(index)).to_be_in_viewport()
        for _ in range(3):
            self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            self.cell(index).scroll_into_view_if_needed()

    def select(self, index: int) -> None:
        """Select a cell in command mode by clicking its prompt area."""
        self.show(index)
        self.cell(index).locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Escape")


def _shot(page, name: str) -> Path:
    path = SHOTS / name
    page.screenshot(path=str(path))
    return path


def _menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


# --------------------------------------------------------------------------- the test

def test_learner_fixes_first_exercise_and_validates(chromium, lab, tmp_path, record_property):
    from playwright.sync_api import expect

    record_property("screenshots", str(SHOTS))

    release_nb = nbformat.read(lab["root"] / ASSIGNMENT / NOTEBOOK, as_version=4)
    source_nb = nbformat.read(COURSE / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answer, test = first_exercise(release_nb)
    answer_id = _nbgrader(release_nb.cells[answer])["grade_id"]
    test_id = _nbgrader(release_nb.cells[test])["grade_id"]
    solution = worked_answer(source_nb, answer_id)
    assert STUB not in solution, f"the worked answer for {answer_id} still raises NotImplementedError"
    still_open = other_exercise_tests(release_nb, answer)
    first_code = next(i for i, c in enumerate(release_nb.cells) if c.cell_type == "code")

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("learner-*.png"):  # this run's screenshots only
        old.unlink()
    started = time.monotonic()

    with _browser_page(chromium, tmp_path) as page:
        try:
            url = f"{lab['base']}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}?token={lab['token']}"
            page.goto(url)
            nb = Notebook(page)
            expect(nb.cells.first).to_be_visible(timeout=60_000)
            expect(nb.cells).to_have_count(len(release_nb.cells), timeout=60_000)  # all cells rendered
            validate = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button")
            expect(validate).to_be_visible()  # nbgrader's Validate button is in the notebook toolbar
            expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
                   ).to_have_attribute("data-status", "idle", timeout=60_000)  # the kernel is up
            _shot(page, "learner-1-notebook-open.png")

            # 1-2. Run All: the first exercise's test fails (Run All may stop at the stubbed answer
            # cell itself, in which case the learner runs the test cell to see what it checks).
            _menu(page, "Run", "Run All Cells")
            nb.wait_idle(RUN_ALL_S, must_run=[first_code, answer])
            if not nb.executed(test):
                nb.select(test)
                page.keyboard.press("Control+Enter")
                nb.wait_idle(CELL_RUN_S, must_run=[test])
            failure = nb.error_text(test)
            assert failure, f"test cell {test_id} shows no error before the exercise is answered"
            assert re.search(r"\w+(Error|Exception)\b", failure), f"test cell {test_id} output:\n{failure}"
            nb.show(test)
            _shot(page, "learner-2-test-fails.png")

            # 3. Type the worked answer into the answer cell (replacing the stub).
            nb.show(answer)
            nb.cell(answer).locator(".cm-content").click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.insert_text(solution)
            expect(nb.cell(answer).locator(".cm-content")).not_to_contain_text("NotImplementedError")
            typed = nb.cell(answer).locator(".cm-content").inner_text()
            assert _normalise(typed) == _normalise(solution), f"editor holds:\n{typed}\nexpected:\n{solution}"
            _shot(page, "learner-3-answer-typed.png")

            # 4. Run the answer cell and its test cell (Shift+Enter twice): the test passes.
            before = nb.prompt(test)
            page.keyboard.press("Shift+Enter")
            page.keyboard.press("Shift+Enter")
            nb.wait_idle(CELL_RUN_S, must_run=[answer, test])
            assert nb.prompt(test) != before, f"test cell {test_id} was not run again ({before})"
            assert nb.error_text(answer) == "", f"answer cell {answer_id} failed:\n{nb.error_text(answer)}"
            assert nb.error_text(test) == "", f"test cell {test_id} still fails:\n{nb.error_text(test)}"
            nb.show(test)
            _shot(page, "learner-4-test-passes.png")

            # 5. Validate: nbgrader saves the notebook and runs it all in a fresh kernel.
            validate.click()
            dialog = page.locator(".jp-Dialog")
            expect(dialog).to_be_visible(timeout=VALIDATE_S * 1000)
            expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results")
            message = dialog.locator("#validation-message")
            verdict = message.inner_text()
            _shot(page, "learner-5-validate.png")
            classes = message.get_attribute("class") or ""
            assert "validation-changed" not in classes and "validation-type-changed" not in classes, (
                f"Validate says a locked cell was changed:\n{verdict}")
            failed_sources = [message.locator("div.jp-RenderedText pre").nth(k).inner_text().strip()
                              for k in range(0, message.locator("div.jp-RenderedText pre").count(), 2)]
            assert _normalise(release_nb.cells[test].source) not in map(_normalise, failed_sources), (
                f"Validate still lists test {test_id} as failing:\n{verdict}")
            assert _normalise(solution) not in map(_normalise, failed_sources), (
                f"Validate lists the answered cell {answer_id} as failing:\n{verdict}")
            if still_open:
                assert "validation-failed" in classes, f"expected the unanswered exercises to fail:\n{verdict}"
                listed = set(map(_normalise, failed_sources))
                missing = [s for s in still_open if _normalise(s) not in listed]
                assert not missing, f"Validate does not list unanswered tests {missing}:\n{verdict}"
            else:
                assert "validation-success" in classes, f"expected a passing verdict:\n{verdict}"
                assert "Success! Your notebook passes all the tests." in verdict
            dialog.locator("button", has_text="Ok").click()
            expect(dialog).to_be_hidden()
        except BaseException:
            try:
                print(f"\nfailure screenshot: {_shot(page, 'learner-failure.png')}")
            except Exception:
                pass
            raise

    elapsed = time.monotonic() - started
    saved = nbformat.read(lab["root"] / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert _normalise(saved.cells[answer].source) == _normalise(solution), "Validate did not save the typed answer"
    print(f"\nbrowser path took {elapsed:.0f} s; screenshots: {SHOTS}/learner-*.png")
    print(f"Validate verdict ({len(still_open)} exercise(s) left unanswered):\n{verdict[:2000]}")


def _page_config(base: str, token: str) -> dict:
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as r:
        page = r.read().decode()
    return json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                page, re.S).group(1))


INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:menu")


def test_lab_has_validate_and_no_exchange_extensions(lab):
    """`make lab` for self-study: Validate is served; Assignment List, Course List and the
    instructor-only UI (Create Assignment, Formgrader) are off."""
    base, token = lab["base"], lab["token"]
    with urllib.request.urlopen(f"{base}/nbgrader_version?version=0.9.6&token={token}", timeout=10) as r:
        assert json.load(r) == {"success": True}, "nbgrader's validate server extension is not answering"
    for endpoint in ("assignments", "courses", "formgrader"):
        assert http_status(f"{base}/{endpoint}?token={token}") == 404, f"/{endpoint} is still served to learners"
    config = _page_config(base, token)
    disabled = config["disabledExtensions"]
    for plugin in ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list", *INSTRUCTOR_PLUGINS):
        assert plugin in disabled, f"{plugin} is not disabled: {disabled}"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert any(e["name"] == "@jupyter/nbgrader" for e in config["federated_extensions"])


def test_instructor_lab_shows_formgrader_and_create_assignment(instructor_lab):
    """`make lab-instructor`: the formgrader is served and its Lab plugins are on."""
    base, token = instructor_lab["base"], instructor_lab["token"]
    assert http_status(f"{base}/formgrader?token={token}", timeout=30) == 200
    disabled = _page_config(base, token)["disabledExtensions"]
    assert not [p for p in INSTRUCTOR_PLUGINS if p in disabled], disabled
    assert "@jupyter/nbgrader:assignment-list" in disabled  # still no exchange


def _accept_dialog(page, what: str) -> None:
    """On a loaded machine JupyterLab may raise a modal dialog (e.g. asking which kernel to use)
    over the page; keep a screenshot of it, then take its default choice."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        _shot(page, f"{what}-dialog.png")
        dialog.first.locator("button.jp-mod-accept").first.click()
        dialog.first.wait_for(state="hidden", timeout=30_000)


@contextlib.contextmanager
def _browser_page(chromium, tmp_path, timeout_ms: int = 30_000):
    """A page of the test's own Chromium (a fresh profile under tmp_path), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900})
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            context.close()


def _open_notebook(page, lab, path: str, cells: int):
    from playwright.sync_api import expect

    page.goto(f"{lab['base']}/lab/tree/{path}?token={lab['token']}")
    nb = Notebook(page)
    expect(nb.cells).to_have_count(cells, timeout=60_000)
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
           ).to_have_attribute("data-status", "idle", timeout=60_000)
    return nb


@pytest.mark.parametrize("mode", ["learner", "instructor"])
def test_instructor_ui_is_shown_only_in_instructor_mode(chromium, lab, instructor_lab, tmp_path, mode):
    """In the browser: learners see no Nbgrader menu (Formgrader) and no Create Assignment sidebar,
    but keep Validate; the instructor mode shows both."""
    from playwright.sync_api import expect

    server = instructor_lab if mode == "instructor" else lab
    release_nb = nbformat.read(server["root"] / ASSIGNMENT / NOTEBOOK, as_version=4)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _browser_page(chromium, tmp_path) as page:
        _open_notebook(page, server, f"{ASSIGNMENT}/{NOTEBOOK}", len(release_nb.cells))
        expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button")).to_be_visible()
        menu = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$"))
        sidebar = page.locator('.jp-SideBar [data-id="nbgrader-create_assignemnt"]')  # nbgrader's id
        expect(page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Help$"))).to_be_visible()
        if mode == "learner":
            expect(menu).to_have_count(0)
            expect(sidebar).to_have_count(0)
        else:
            expect(sidebar).to_have_count(1)
            menu.click()
            expect(page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Formgrader$"))).to_be_visible()
            expect(page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Create assignment$"))).to_be_visible()
        _shot(page, f"{mode}-lab-ui.png")


DOCTOR_CELLS = ["%load_ext course\nimport torch\nfrom torch import nn",
                "model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Linear(8 * 26 * 26, 10))\n"
                "model(torch.zeros(4, 1, 28, 28))"]


def test_learner_sees_the_shape_doctor(chromium, lab, tmp_path):
    """A shape error in the learner's JupyterLab: the traceback, then the doctor's table."""
    from playwright.sync_api import expect

    nb_file = lab["root"] / "doctor-demo.ipynb"
    demo = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}})
    demo.cells = [nbformat.v4.new_code_cell(c) for c in DOCTOR_CELLS]
    nbformat.write(demo, nb_file)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _browser_page(chromium, tmp_path) as page:
        nb = _open_notebook(page, lab, nb_file.name, len(DOCTOR_CELLS))
        for _ in range(3):  # a Run All sent while the fresh kernel is still connecting can be lost
            _accept_dialog(page, "doctor")
            _menu(page, "Run", "Run All Cells")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and nb.prompt(0) in ("[ ]:", ""):
                time.sleep(0.25)
            if nb.prompt(0) not in ("[ ]:", ""):
                break
        nb.wait_idle(CELL_RUN_S * 2, must_run=[0, 1])
        assert "mat1 and mat2 shapes cannot be multiplied (832x26 and 5408x10)" in nb.error_text(1)
        out = nb.cell(1).locator(".jp-OutputArea-output")
        expect(out.last).to_contain_text("shape doctor", timeout=30_000)
        text = out.last.text_content() or ""
        assert re.search(r"2\s+Linear\s+\(4, 8, 26, 26\)\s+✘.*◀ fails here", text), text
        assert "(the traceback above is unchanged" in text
        out.last.scroll_into_view_if_needed()
        _shot(page, "learner-6-shape-doctor.png")


def _normalise(text: str) -> str:
    """Compare code ignoring trailing spaces, blank lines and the editor's non-breaking spaces."""
    lines = [line.replace("\u00a0", " ").rstrip() for line in text.replace("\u200b", "").splitlines()]
    return "\n".join(line for line in lines if line)
