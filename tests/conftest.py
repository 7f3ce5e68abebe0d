import json
import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
# Results must hold whether TensorFlow's oneDNN CPU kernels are on or off, whatever this CPU's
# default: the suite runs with them off (the laptop case) and the tests that need the other setting
# pass TF_ENABLE_ONEDNN_OPTS=1 to their subprocess or kernel explicitly.
ONEDNN_DEFAULT = "0"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = ONEDNN_DEFAULT

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The venv's bin first: nbgrader shells out to `alembic`, kernels to `python`.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

pytest_plugins = ["services"]  # tests/services.py: free port, JupyterLab, Dask cluster, PostgreSQL


RUN_ID = pytest.StashKey[str]()
EXECUTED = ROOT / "build" / "executed"    # one folder per test run: notebooks executed once, read by many checks
FAIRNESS = ROOT / "build" / "fairness"    # the latest fairness run of each notebook (tools.fairness JSON)


def pytest_configure(config):
    # One id per test run, the same in every xdist worker: xdist hands its --testrunuid to each one.
    if hasattr(config, "workerinput"):
        run = config.workerinput["testrunuid"]
    else:
        run = getattr(config.option, "testrunuid", None) or uuid.uuid4().hex
        if hasattr(config.option, "testrunuid"):
            config.option.testrunuid = run
    config.stash[RUN_ID] = run


@pytest.fixture(scope="session")
def run_id(pytestconfig) -> str:
    return pytestconfig.stash[RUN_ID]


@pytest.fixture(scope="session")
def executions(run_id) -> Path:
    """Where this test run keeps executed notebooks (tools.release.validate_shared), shared by all
    workers; a notebook or setting that changes is a new key, so a check never reads a stale run."""
    return EXECUTED / run_id


def pytest_sessionfinish(session, exitstatus):
    # Kept after a failure (open the executed notebooks to see what ran), removed after a pass.
    if not hasattr(session.config, "workerinput") and exitstatus == 0:
        shutil.rmtree(EXECUTED / session.config.stash[RUN_ID], ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    shots = ROOT / "build" / "screenshots"
    if any(shots.glob("learner-*.png")):
        terminalreporter.write_line(f"browser test screenshots: {shots}")
    run = terminalreporter.config.stash[RUN_ID]
    if any((EXECUTED / run).glob("*.ipynb")):
        terminalreporter.write_line(f"executed notebooks of this run (kept after a failure): {EXECUTED / run}")
    runs = [json.loads(f.read_text()) for f in sorted(FAIRNESS.glob("*.json"))]
    runs = [r for r in runs if r.get("run") == run]
    if runs:
        from tools import fairness
        terminalreporter.write_sep("-", "fairness fixtures: how many bad ones the visible tests catch")
        terminalreporter.write_line(fairness.totals_table(runs))
